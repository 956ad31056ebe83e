"""The issue's questions, asked offline over the demo workspace (real embedder, the real TN
contract): answers equal the rate tools, citations are on the right pages, the rest declined."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from assistant.agent.answer import Answer
from assistant.agent.factory import make_assistant
from assistant.agent.grounding import normalise
from assistant.ingest.store import DocumentStore
from assistant.rates import service
from assistant.rates.codes import parse_code_set
from assistant.rates.models import CarveOut, PercentChange, Proposal

pytestmark = pytest.mark.slow

E_M_OFFER = Proposal(
    PercentChange(Decimal(0)), (CarveOut(parse_code_set("office-em"), PercentChange(Decimal(3))),)
)


@pytest.fixture(scope="module")
def assistant(demo_services: Any) -> Any:
    return make_assistant(demo_services, "offline")


def ask(assistant: Any, question: str, conversation_id: str | None = None) -> Answer:
    answer: Answer = assistant.ask(question, conversation_id=conversation_id)
    assert answer.grounded, answer.removed
    return answer


def money(amount: Decimal) -> str:
    return f"${amount.quantize(Decimal('0.01')):,.2f}"


def on_page(demo_services: Any, answer: Answer, index: int) -> str:
    citation = answer.citations[index]
    store = DocumentStore(demo_services.conn)
    text = store.page_text(store.resolve(citation.source).doc_id, citation.page)
    assert text is not None and normalise(citation.quote) in normalise(text)
    return text


def test_timely_filing_with_aetna(assistant: Any, demo_services: Any) -> None:
    answer = ask(assistant, "What's our timely filing limit with Aetna?")
    assert "90 days" in answer.answer
    assert answer.citations[0].source == "aetna-agreement.md"
    assert "ninety (90) days" in answer.citations[0].quote
    on_page(demo_services, answer, 0)


def test_timely_filing_in_the_real_tn_contract(assistant: Any, demo_services: Any) -> None:
    answer = ask(assistant, "What's the TF limit for the TN plan?")
    assert "120 days (Medicaid Attachment)" in answer.answer
    assert "90 days (Medicare Advantage Attachment)" in answer.answer
    assert [(c.source, c.page) for c in answer.citations] == [
        ("TN_Contract4_Redacted.pdf", 21),
        ("TN_Contract4_Redacted.pdf", 36),
    ]
    assert "one hundred twenty (120) days" in on_page(demo_services, answer, 0)
    assert "ninety (90) days" in on_page(demo_services, answer, 1)


def test_top_code_aetna_underpays_most_against_medicare(assistant: Any, demo_services: Any) -> None:
    answer = ask(assistant, "Which of our top codes does Aetna underpay most against Medicare?")
    top = [r.code for r in service.top_codes(demo_services.conn, "Aetna", limit=10).rows]
    gap = service.gap(demo_services.conn, "Aetna")
    rows = [r for r in gap.rows if r.code in top and not r.modifier and r.annual_gap > 0]
    worst = max(rows, key=lambda r: r.annual_gap)
    assert f", {worst.code} is the furthest below Medicare" in answer.answer
    assert f"or {money(worst.annual_gap)} a year" in answer.answer
    assert {c.name for c in answer.tool_calls} == {"top_codes", "rate_gap"}


def test_offer_worth_and_the_follow_up_for_uhc(assistant: Any, demo_services: Any) -> None:
    first = ask(assistant, "Aetna offers 3% on E/M and nothing else — what is that worth?")
    aetna = service.model(demo_services.conn, "Aetna", E_M_OFFER)
    assert f"is worth {money(aetna.total_delta)} a year" in first.answer
    assert f"from {money(aetna.total_current)} to {money(aetna.total_proposed)}" in first.answer
    conversation = assistant.conversations.latest()
    second = ask(assistant, "and for UHC?", conversation)
    uhc = service.model(demo_services.conn, "UnitedHealthcare", E_M_OFFER)
    assert second.answer.startswith("UnitedHealthcare's offer")
    assert f"is worth {money(uhc.total_delta)} a year" in second.answer
    figure = next(f for f in second.figures if f.text == money(uhc.total_delta))
    call = next(c for c in second.tool_calls if c.id == figure.tool_call_id)
    assert call.name == "model_proposal" and call.args["payer"] == "UnitedHealthcare"


def test_talking_points_for_the_uhc_renewal(assistant: Any, demo_services: Any) -> None:
    answer = ask(assistant, "Draft talking points for our UHC renewal")
    gap = service.gap(demo_services.conn, "UHC")
    assert answer.answer.startswith("Talking points for the UnitedHealthcare negotiation")
    assert money(gap.total_annual_gap) in answer.answer
    assert "Ask for" in answer.answer and "Walk-away" in answer.answer
    assert answer.citations and all(
        c.source == "unitedhealthcare-agreement.md" for c in answer.citations
    )


def test_underpayments_without_remittances_say_so(assistant: Any) -> None:
    answer = ask(assistant, "How much did Aetna underpay us last year?")
    assert "no remittances imported for Aetna" in answer.answer


def test_out_of_scope_is_declined(assistant: Any) -> None:
    answer = ask(assistant, "what's the weather")
    assert "can't answer" in answer.answer and answer.tool_calls == []


def test_contracts_silent_on_a_question_say_so(assistant: Any) -> None:
    answer = ask(assistant, "What does the Aetna contract say about parking for staff?")
    assert "do not appear to address it" in answer.answer and answer.citations == []


def test_a_question_search_answers_is_quoted_from_the_contract(
    assistant: Any, demo_services: Any
) -> None:
    answer = ask(assistant, "What happens if Blue Cross pays late?")
    assert answer.citations[0].source == "blue-cross-agreement.md"
    assert any("twelve percent (12%) per annum" in c.quote for c in answer.citations)
    on_page(demo_services, answer, 0)
