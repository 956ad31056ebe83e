"""Missing data is named, never shown as zero: the CLI's services, the offline chat composer
and the talking points all say what is missing and the command that adds it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.agent.factory import make_assistant
from assistant.agent.tools import ToolBox
from assistant.rates.demo import load_demo_practice
from assistant.rates.fees import import_fees
from assistant.rates.store import RateStore
from assistant.reports.talking_points import build_talking_points

ZEROS = ("$0.00", "top 0 codes", "Top 0", "—%", " 0%")


@pytest.fixture
def humana(fake_services: Any, tmp_path: Path) -> Any:
    """The demo practice, plus Humana with a fee schedule but no volumes."""
    load_demo_practice(fake_services.conn)
    fees = tmp_path / "humana.csv"
    fees.write_text("code,rate\n99213,90\n99214,120\n")
    import_fees(RateStore(fake_services.conn), fees, "Humana")
    return fake_services


@pytest.mark.parametrize(
    "question",
    [
        "How far below Medicare is Humana?",
        "Humana offers 3% on office E/M: what is that worth?",
        "What are the top codes by revenue for Humana?",
    ],
)
def test_the_offline_composer_names_missing_volumes(humana: Any, question: str) -> None:
    answer = make_assistant(humana, "offline").ask(question)
    assert "No volumes imported for Humana" in answer.answer
    assert "payer-assistant import volumes FILE" in answer.answer
    assert not any(zero in answer.answer for zero in ZEROS), answer.answer


def test_talking_points_say_what_is_missing_instead_of_zeros(humana: Any) -> None:
    tp = build_talking_points(ToolBox(humana), "Humana", offer="3")
    text = " ".join(p.text for p in tp.points)
    assert not any(zero in text for zero in ZEROS), text
    notes = " ".join(tp.notes)
    assert "No rate comparison with Medicare: No volumes imported for Humana" in notes
    assert "Offer '3' not modelled: No volumes imported for Humana" in notes


def test_a_payer_with_volumes_is_unaffected(humana: Any) -> None:
    answer = make_assistant(humana, "offline").ask("How far below Medicare is Aetna?")
    assert "No volumes imported" not in answer.answer
    assert "$" in answer.answer
