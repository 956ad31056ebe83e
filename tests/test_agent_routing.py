"""Routing by meaning over the shipped embedder, slots by rule, the ask-back, follow-ups and the
open intent registry (no workspace: the offline model over a fixed payer directory)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from assistant.agent.intents import (
    _REGISTERED,
    IntentSpec,
    PayerDirectory,
    read_question,
    reason_codes,
    register_intent,
    spell_numbers,
)
from assistant.agent.offline import Call, Draft, OfflineChatModel
from assistant.agent.router import IntentRouter, Reading
from assistant.review.models import Citation, ItemValue
from assistant.tool_results import TermDocument, TermReading, TermValue

ROOT = Path(__file__).resolve().parents[1]
TUNE = ROOT / "evals" / "datasets" / "questions" / "tune.jsonl"
DIRECTORY = PayerDirectory.build(
    ["Aetna", "UnitedHealthcare", "Blue Cross", "Cigna", "TN Health Plan"],
    {"UHC": "UnitedHealthcare", "United": "UnitedHealthcare", "BCBS": "Blue Cross"},
)
TODAY = date(2026, 3, 15)
CONTRACT_PAYERS = ["Aetna", "Blue Cross", "Cigna", "TN Health Plan", "UnitedHealthcare"]
MODEL = OfflineChatModel(
    payer_source=lambda: DIRECTORY,
    contract_payers=lambda: CONTRACT_PAYERS,
    page_finder=lambda doc_id, quote, page, page_end: page,
    today=TODAY,
    rate_payers=lambda: ["Aetna", "UnitedHealthcare", "Blue Cross", "Cigna"],
)


def tune_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in TUNE.read_text(encoding="utf-8").splitlines()]


def route_of(rows: list[dict[str, Any]], row: dict[str, Any]) -> str:
    by_id = {r["id"]: r for r in rows}
    chain = [by_id[row["followup_of"]], row] if row.get("followup_of") else [row]
    return MODEL.read([HumanMessage(r["question"]) for r in chain]).intent


def test_tune_routing_accuracy_beats_the_keyword_rules() -> None:
    """In-sample: the examples were tuned on these questions; the test split is the lead's."""
    from assistant.agent.intents import _keyword_intent, find_term

    rows = [r for r in tune_rows() if r.get("intent")]
    routed = [route_of(rows, r) == r["intent"] for r in rows]
    keyword = [
        _keyword_intent(
            r["question"], find_term(r["question"]), tuple(DIRECTORY.find(r["question"]))
        )
        == r["intent"]
        for r in rows
    ]
    assert len(rows) >= 120
    assert sum(routed) / len(rows) >= 0.9
    assert sum(routed) > sum(keyword) + 0.15 * len(rows)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # The phrasings that first-match regexes sent elsewhere.
        ("Aetna offered 3%. Is that good?", "proposal"),
        ("Aetna offered three percent. Is that good?", "proposal"),
        ("what if Aetna gives us 4%", "proposal"),
        ("Rank our payers", "compare"),
        ("Prep me for the Aetna meeting", "talking_points"),
        ("Can Aetna change the fee schedule without telling us?", "contract_term"),
        ("what are the red flags in the TN contract?", "review"),
        ("summarize the Cigna contract", "review"),
        ("which denials cost us the most?", "denials"),
        ("show me Aetna's denial rate", "denials"),
        ("what does denial code CO-45 mean", "denial_code"),
        ("how many units of 99213 do we bill to Aetna", "top_codes"),
        ("which payer has the shortest timely filing", "compare_terms"),
        ("Aetna vs Cigna on timely filing", "compare_terms"),
        (
            "so I've got a stack of old claims, what's the cutoff for filing with Cigna?",
            "contract_term",
        ),
        ("tell me a joke", "out_of_scope"),
    ],
)
def test_plain_phrasings_route_where_a_person_expects(text: str, intent: str) -> None:
    assert read_question(text, DIRECTORY, TODAY).intent == intent


@pytest.mark.parametrize(
    ("text", "spelled"),
    [
        ("Aetna offered three percent", "Aetna offered 3 percent"),
        ("two and a half percent from UHC", "2.5 percent from UHC"),
        ("one hundred five percent of Medicare", "105 percent of Medicare"),
        ("twenty-five percent", "25 percent"),
        ("six hundred thousand dollars", "600000 dollars"),
        ("one of our payers", "one of our payers"),
        ("three point five pct", "3.5 pct"),
    ],
)
def test_spelled_out_numbers_become_digits(text: str, spelled: str) -> None:
    assert spell_numbers(text) == spelled


@pytest.mark.parametrize(
    ("text", "percents", "dollars", "payers"),
    [
        ("Cigna is offering three percent across the board", (Decimal(3),), (), ("Cigna",)),
        (
            "how big a raise from uhc gets us to seven hundred thousand dollars",
            (),
            (Decimal(700000),),
            ("UnitedHealthcare",),
        ),
        ("cigan offred 2 pct on office visits", (Decimal(2),), (), ("Cigna",)),
        ("BCBS at one hundred and five percent of medicare?", (Decimal(105),), (), ("Blue Cross",)),
    ],
)
def test_slots_from_words_typos_and_abbreviations(
    text: str, percents: tuple[Decimal, ...], dollars: tuple[Decimal, ...], payers: tuple[str, ...]
) -> None:
    q = read_question(text, DIRECTORY, TODAY)
    assert (q.percents, q.dollars, q.payers) == (percents, dollars, payers)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("what does denial code CO-45 mean", ("CO-45",)),
        ("we keep getting PR 1 and CO-197", ("PR-1", "CO-197")),
        ("what is CARC 16", ("16",)),
        ("remark code N130?", ("N130",)),
        ("what's our timely filing limit", ()),
    ],
)
def test_reason_codes(text: str, codes: tuple[str, ...]) -> None:
    assert reason_codes(text) == codes


class FakeRouter:
    """A router whose readings are fixed: what the rules do with close readings."""

    def __init__(self, readings: list[tuple[str, float]]) -> None:
        self.readings = [Reading(i, s) for i, s in readings]

    def rank(self, text: str) -> list[Reading]:
        return self.readings


def test_close_readings_ask_back_naming_both() -> None:
    router = FakeRouter([("proposal", 0.70), ("gap", 0.69), ("compare", 0.4)])
    q = read_question("Aetna and 3%?", DIRECTORY, TODAY, router=router)
    assert (q.intent, q.alternatives) == ("ask_back", ("proposal", "gap"))
    answer = MODEL.compose(q, [])
    assert "what Aetna's 3% offer is worth" in answer
    assert "how Aetna's rates compare with Medicare" in answer


def test_readings_far_apart_answer_without_asking() -> None:
    router = FakeRouter([("proposal", 0.80), ("gap", 0.60)])
    assert read_question("Aetna and 3%?", DIRECTORY, TODAY, router=router).intent == "proposal"


def test_two_contract_readings_never_ask_back() -> None:
    router = FakeRouter([("contract_search", 0.50), ("contract_term", 0.495)])
    q = read_question(
        "what does the Aetna contract say about signage", DIRECTORY, TODAY, router=router
    )
    assert q.intent == "contract_search"


def test_an_offer_reading_without_a_percent_yields_to_the_next() -> None:
    router = FakeRouter([("walk_away", 0.7), ("talking_points", 0.6)])
    assert read_question("should we sign with Aetna", DIRECTORY, TODAY, router=router).intent == (
        "talking_points"
    )


@pytest.mark.parametrize(
    "text", ["how much do we lose on 99214 with cigna", "what do we lose on 99215 with Aetna"]
)
def test_a_loss_without_an_offer_is_the_gap_not_an_offer(text: str) -> None:
    assert read_question(text, DIRECTORY, TODAY).intent == "gap"


def test_an_offer_named_without_a_figure_is_still_an_offer() -> None:
    router = FakeRouter([("proposal", 0.7), ("gap", 0.6)])
    q = read_question("Aetna's proposal, is it any good?", DIRECTORY, TODAY, router=router)
    assert q.intent == "proposal"


def test_no_router_falls_back_to_keyword_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.agent.intents as intents

    monkeypatch.setattr(intents, "_router", lambda: None)
    q = read_question("What's our timely filing limit with Aetna?", DIRECTORY, TODAY)
    assert (q.intent, q.term) == ("contract_term", "timely_filing")


def test_no_payer_named_among_several_asks_which() -> None:
    q = read_question("what's that 3% offer worth?", DIRECTORY, TODAY)
    assert q.intent == "proposal" and q.payer is None
    assert MODEL.plan(q, []) == []
    assert MODEL.compose(q, []).startswith("Which payer do you mean?")


def test_a_contract_payer_without_rates_is_asked_its_contract() -> None:
    q = MODEL.read([HumanMessage("does TN Health Plan underpay us compared to medicare")])
    assert q.intent in ("contract_search", "contract_term")
    assert MODEL.plan(q, [])[0].name in ("search_contracts", "find_contract_term")


def test_term_comparison_calls_each_payer_and_cites_each_side() -> None:
    q = read_question("Aetna vs Cigna on timely filing", DIRECTORY, TODAY)
    calls = MODEL.plan(q, [])
    assert [(c.name, c.args["payer"]) for c in calls] == [
        ("find_contract_term", "Aetna"),
        ("find_contract_term", "Cigna"),
    ]

    def found(payer: str, days: int, source: str) -> TermReading:
        quote = f"Provider shall submit claims within {days} days after the date of service."
        cited = Citation(source=source, page=None, section="3.2", quote=quote)
        value = TermValue(
            f"{days} days", ItemValue(value={}, scope="Agreement", citations=(cited,))
        )
        document = TermDocument(source, "d", "found", (value,), red_flags=(), notes=())
        return TermReading(payer, "timely_filing", "Timely filing", (document,))

    results = [
        ("find_contract_term", {"payer": "Aetna"}, found("Aetna", 90, "aetna.md")),
        ("find_contract_term", {"payer": "Cigna"}, found("Cigna", 365, "cigna.md")),
    ]
    answer = MODEL.compose(q, results)
    assert "- Aetna: 90 days [1]" in answer and "- Cigna: 365 days [2]" in answer
    assert "source: aetna.md" in answer and "source: cigna.md" in answer


def test_which_payer_compares_every_contract() -> None:
    q = read_question("which payer has the shortest timely filing", DIRECTORY, TODAY)
    assert {c.args["payer"] for c in MODEL.plan(q, [])} == set(CONTRACT_PAYERS)


def test_follow_ups_keep_payer_term_and_change_the_program() -> None:
    first = "What's the timely filing for Medicaid claims with TN Health Plan?"
    q = MODEL.read([HumanMessage(first), HumanMessage("what about the Medicare Advantage side?")])
    assert (q.intent, q.term, q.payers, q.program) == (
        "contract_term",
        "timely_filing",
        ("TN Health Plan",),
        "medicare advantage",
    )
    chain = [
        "What's our timely filing limit with Aetna?",
        "and for Cigna?",
        "and the appeal deadline?",
    ]
    q = MODEL.read([HumanMessage(t) for t in chain])
    assert (q.intent, q.term, q.payers) == ("contract_term", "appeals", ("Cigna",))


def test_an_intent_registered_elsewhere_is_routed_planned_and_composed() -> None:
    def plan(model: OfflineChatModel, q: Any, results: list[Any]) -> list[Call]:
        return [] if results else [Call("due_items", {"payer": q.payer})]

    def compose(model: OfflineChatModel, q: Any, by_name: dict[str, Any], d: Draft) -> None:
        d.lines.append(f"{by_name['due_items']['count']} items due with {q.payer}.")

    spec = IntentSpec("due_items", ("what is due with Aetna",), plan, compose, "what is due")
    register_intent(spec)
    try:
        router = IntentRouter(
            {"due_items": ["due"], "gap": ["rates"]},
            lambda texts: [[1.0, 0.0] if "due" in t else [0.0, 1.0] for t in texts],
        )
        q = read_question("what's due with Aetna this week", DIRECTORY, TODAY, router=router)
        assert q.intent == "due_items"
        assert MODEL.plan(q, []) == [Call("due_items", {"payer": "Aetna"})]
        answer = MODEL.compose(q, [("due_items", {"payer": "Aetna"}, {"count": 2})])
        assert answer == "2 items due with Aetna."
    finally:
        _REGISTERED.pop("due_items")
