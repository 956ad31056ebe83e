"""Reading questions for the offline model: payers (aliases, typos), terms, intents, follow-ups."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from assistant.agent.intents import (
    PayerDirectory,
    correct_term_words,
    is_follow_up,
    read_question,
    resolve_follow_up,
)

DIRECTORY = PayerDirectory.build(
    ["Aetna", "UnitedHealthcare", "Blue Cross", "Cigna", "TN Health Plan"],
    {"UHC": "UnitedHealthcare", "United": "UnitedHealthcare", "BCBS": "Blue Cross"},
)
TODAY = date(2026, 3, 15)


@pytest.mark.parametrize(
    ("text", "payers"),
    [
        ("What's our timely filing limit with Aetna?", ["Aetna"]),
        ("What's the TF limit for the TN plan?", ["TN Health Plan"]),
        ("and for UHC?", ["UnitedHealthcare"]),
        ("How does BCBS compare with Aetan?", ["Blue Cross", "Aetna"]),
        ("united healthcare renewal", ["UnitedHealthcare"]),
        ("Blue Cross Blue Shield rates", ["Blue Cross"]),
        ("What is our plan for the meeting?", []),
        ("cigna", ["Cigna"]),
    ],
)
def test_payers_found_by_name_alias_or_typo(text: str, payers: list[str]) -> None:
    assert DIRECTORY.find(text) == payers


@pytest.mark.parametrize(
    ("text", "intent", "term"),
    [
        ("What's our timely filing limit with Aetna?", "contract_term", "timely_filing"),
        ("What's the TF limit for the TN plan?", "contract_term", "timely_filing"),
        ("How long do we have to file claims with Cigna?", "contract_term", "timely_filing"),
        ("Can Cigna rent our network to other payers?", "contract_term", "network_rental"),
        ("Which of our top codes does Aetna underpay most against Medicare?", "gap", None),
        ("How does Aetna compare to Medicare?", "gap", None),
        ("Aetna offers 3% on E/M and nothing else — what is that worth?", "proposal", None),
        ("Draft talking points for our UHC renewal", "talking_points", None),
        ("How much did Aetna underpay us last year?", "underpayments", None),
        ("Who pays the most for 99214?", "compare", None),
        ("What are Aetna's top codes?", "top_codes", None),
        ("What increase do we need to reach $600,000 from Aetna?", "solve", None),
        ("Should we accept 2% from UHC if our floor is 100% of Medicare?", "walk_away", None),
        ("What does the Aetna contract say about parking?", "contract_search", None),
        ("what's the weather", "out_of_scope", None),
        ("Who won the world cup?", "out_of_scope", None),
    ],
)
def test_intent_and_term(text: str, intent: str, term: str | None) -> None:
    question = read_question(text, DIRECTORY, TODAY)
    assert question.intent == intent
    assert question.term == term


def test_slots_percent_codes_dollars_period_group() -> None:
    q = read_question(
        "If Aetna raises 99213 and 99214 by 2.5% in 2025, do we reach $1.2 million?",
        DIRECTORY,
        TODAY,
    )
    assert q.codes == ("99213", "99214")
    assert q.percents == (Decimal("2.5"),)
    assert q.dollars == (Decimal("1200000.0"),)
    assert q.period == (date(2025, 1, 1), date(2025, 12, 31))
    em = read_question("Aetna offers 3% on E/M", DIRECTORY, TODAY)
    assert em.code_group == "office-em"
    all_em = read_question("Aetna offers 3% on all E/M", DIRECTORY, TODAY)
    assert all_em.code_group == "em"


def test_last_year_is_the_previous_calendar_year() -> None:
    q = read_question("How much did Aetna underpay us last year?", DIRECTORY, TODAY)
    assert q.period == (date(2025, 1, 1), date(2025, 12, 31))


def test_follow_up_keeps_intent_and_offer_and_changes_payer() -> None:
    first = read_question(
        "Aetna offers 3% on E/M and nothing else — what is that worth?", DIRECTORY, TODAY
    )
    second = read_question("and for UHC?", DIRECTORY, TODAY)
    assert is_follow_up(second)
    resolved = resolve_follow_up(second, first)
    assert resolved.intent == "proposal"
    assert resolved.payers == ("UnitedHealthcare",)
    assert resolved.percents == (Decimal(3),)
    assert resolved.code_group == "office-em"


def test_a_full_question_is_not_a_follow_up() -> None:
    q = read_question("What's our timely filing limit with Cigna?", DIRECTORY, TODAY)
    assert not is_follow_up(q)


@pytest.mark.parametrize(
    ("text", "intent", "term"),
    [
        # Misspelt term words read as the term they are closest to.
        ("whats our tiemly filing with Aetan", "contract_term", "timely_filing"),
        ("whats the prmopt pay for cigan", "contract_term", "prompt_pay"),
        ("how long is the recupment window for UHC", "contract_term", "recoupment"),
        ("what are the credentailing rules at Cigna", "contract_term", "credentialing"),
        # ... but a real word is not a typo of a term word.
        ("Does the Aetna agreement cover dental implants?", "contract_search", None),
        (
            "Does the UHC contract say anything about parking at the clinic?",
            "contract_search",
            None,
        ),
        ("How do Cigna's rates compare to Medicare?", "gap", None),
        # A Medicare product line is a plan, not the Medicare benchmark.
        (
            "What is the prompt pay period for Medicare Advantage claims in the TN Health Plan "
            "contract?",
            "contract_term",
            "prompt_pay",
        ),
        (
            "What's the timely filing for Medicare Advantage with the TN plan?",
            "contract_term",
            "timely_filing",
        ),
        # Naming Medicare does not make a contract-term question a rate question.
        (
            "What is the timely filing for Medicare claims with the TN plan?",
            "contract_term",
            "timely_filing",
        ),
        ("Can Cigna rent our rates to other networks?", "contract_term", "network_rental"),
        # A raise to get is a target to solve for.
        ("what pct of medicare do we need from BCBS to get a 5% raise", "solve", None),
        (
            "What percent of Medicare do we need from Blue Cross to reach a 5% increase?",
            "solve",
            None,
        ),
        (
            "Aetna offers 105% of Medicare. Should we accept? Our floor is 100% of Medicare.",
            "walk_away",
            None,
        ),
        ("Does Aetna pay us less than medicare on 99214?", "gap", None),
    ],
)
def test_typos_products_and_phrasings(text: str, intent: str, term: str | None) -> None:
    question = read_question(text, DIRECTORY, TODAY)
    assert (question.intent, question.term) == (intent, term)


@pytest.mark.parametrize(
    ("text", "corrected"),
    [
        ("tiemly filing", "timely filing"),
        ("termnation notice", "terminat notice"),
        ("Medicare rates", "Medicare rates"),
        ("dental implants", "dental implants"),
        ("Is there a clause", "Is there a clause"),
    ],
)
def test_term_words_are_corrected_only_when_close(text: str, corrected: str) -> None:
    assert correct_term_words(text) == corrected


@pytest.mark.parametrize(
    ("text", "codes", "percents"),
    [
        ("Does Aetna pay us less than medicare on 99214?", ("99214",), ()),
        ("what pct of medicare do we need from BCBS to get a 5% raise", (), (Decimal(5),)),
    ],
)
def test_slots_of_fixed_phrasings(
    text: str, codes: tuple[str, ...], percents: tuple[Decimal, ...]
) -> None:
    question = read_question(text, DIRECTORY, TODAY)
    assert (question.codes, question.percents) == (codes, percents)
