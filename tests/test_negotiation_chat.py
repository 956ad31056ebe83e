"""Negotiation questions in the offline chat: detection and slots, then end to end."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.agent.negotiation_chat import compose, detect, plan
from assistant.agent.negotiation_tools import OfferHistory
from assistant.negotiation.models import Offer
from assistant.negotiation.service import PayerStatus
from assistant.tool_results import ToolError

TODAY = date(2026, 12, 4)  # a Friday
PAYERS = ["Aetna", "Cigna", "UnitedHealthcare"]


def find(text: str) -> list[str]:
    return [p for p in PAYERS if p.lower() in text.lower()]


@pytest.mark.parametrize(
    ("question", "tool", "args"),
    [
        ("what's due this week?", "negotiation_due", {"within_days": 2}),
        ("anything due in the next 30 days?", "negotiation_due", {"within_days": 30}),
        ("when did we last hear from Aetna?", "last_contact", {"payer": "Aetna"}),
        (
            "what did Cigna offer last time and what was it worth?",
            "latest_offer",
            {"payer": "Cigna"},
        ),
        ("when is the last day to give notice to Cigna?", "contract_calendar", {"payer": "Cigna"}),
        ("show me the redline of the Aetna proposal", "proposal_redline", {"payer": "Aetna"}),
        ("what's our margin on Aetna?", "code_margins", {"payer": "Aetna"}),
        ("where do we stand with the negotiations?", "negotiation_status", {}),
    ],
)
def test_detect_and_plan(question: str, tool: str, args: dict[str, object]) -> None:
    q = detect(question, find, TODAY)
    assert q is not None
    assert plan(q) == (tool, args)


def test_log_slots() -> None:
    q = detect("log that I called Aetna today and they asked for two weeks", find, TODAY)
    assert q is not None and q.kind == "log"
    assert plan(q) == (
        "log_contact",
        {
            "payer": "Aetna",
            "note": "Called Aetna; they asked for two weeks",
            "kind": "call",
            "on": "today",
            "heard_from_payer": True,
            "follow_up_in_days": 14,
        },
    )


@pytest.mark.parametrize(
    "question",
    [
        "what is Aetna's timely filing limit?",
        "compare Aetna and Cigna on 99213",
        "what does the Aetna contract say about termination?",
    ],
)
def test_other_questions_are_left_to_the_agent(question: str) -> None:
    assert detect(question, find, TODAY) is None


def test_compose_uses_only_the_result() -> None:
    q = detect("what did Cigna offer last time and what was it worth?", find, TODAY)
    assert q is not None
    offer = Offer(
        payer="Cigna",
        received_on=date(2026, 11, 28),
        summary="+2.00%",
        terms={},
        current=Decimal("365181.29"),
        worth=Decimal("7303.63"),
    )
    status = PayerStatus(
        "Cigna", "negotiating", None, None, None, None, None, (offer,), (None,), (), ()
    )
    result = OfferHistory(status)
    text = compose(q, result)
    assert "2026-11-28" in text and "$7,303.63 a year" in text and "$365,181.29" in text
    assert compose(q, ToolError("No payer named 'X'")).startswith("I couldn't")


def test_chat_end_to_end_on_the_demo(workspace_dir: Path) -> None:
    from assistant.agent.factory import make_assistant
    from assistant.config import Settings
    from assistant.negotiation.demo import load_demo_negotiation
    from assistant.rates.demo import load_demo_practice
    from assistant.services import Services

    svc = Services(Settings(workspace=workspace_dir))
    load_demo_practice(svc.conn)
    load_demo_negotiation(svc.conn, date.today())
    assistant = make_assistant(svc)

    answer = assistant.ask("when did we last hear from Cigna?")
    assert f"on {date.fromordinal(date.today().toordinal() - 6)}" in answer.answer
    assert answer.tool_calls[0].name == "last_contact"

    answer = assistant.ask("what did Cigna offer last time and what was it worth?")
    worth = answer.tool_calls[0].result["latest"]["worth"]
    assert f"{float(worth):,.2f}" in answer.answer and answer.grounded

    answer = assistant.ask("log that I called Aetna today and they asked for two weeks")
    assert "Added follow-up" in answer.answer
    due = assistant.ask("what's due in the next 14 days?")
    assert "they asked for two weeks" in due.answer


def test_renewal_question_about_contract_language_stays_with_the_contract_answer() -> None:
    text = "When does the UHC contract renew and how do we get out of it?"
    assert detect(text, lambda t: ["UnitedHealthcare"], TODAY) is None
