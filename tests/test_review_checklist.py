"""The checklist is data: it loads, carries the text a practice manager needs, and fails loudly."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ConfigError, NotFoundError
from assistant.review.checklist import load_checklist, parse_checklist

STABLE_IDS = {
    "timely_filing",
    "prompt_pay",
    "clean_claim_definition",
    "unilateral_amendment",
    "termination_without_cause",
    "auto_renewal",
    "lesser_of",
    "most_favored_nation",
    "recoupment",
    "appeals",
    "governing_law",
}


def test_checklist_has_every_item_the_issue_names_with_its_text() -> None:
    checklist = load_checklist()
    assert set(checklist.ids) >= STABLE_IDS
    for item in checklist.items:
        assert item.id == item.id.lower() and " " not in item.id
        assert item.name and item.covers and item.why and item.ask and item.red_flags


def test_unknown_item_is_an_error_naming_the_known_ones() -> None:
    with pytest.raises(NotFoundError) as raised:
        load_checklist().item("timely_filling")
    assert "timely_filing" in (raised.value.hint or "")


def test_item_without_why_is_rejected() -> None:
    data = {
        "items": [
            {
                "id": "x",
                "name": "X",
                "covers": "c",
                "red_flags": ["r"],
                "ask": "a",
                "patterns": ["x"],
            }
        ]
    }
    with pytest.raises(ConfigError, match="why"):
        parse_checklist(data)


def test_bad_pattern_is_rejected() -> None:
    item = {"id": "x", "name": "X", "covers": "c", "why": "w", "red_flags": ["r"], "ask": "a"}
    with pytest.raises(ConfigError, match="Bad pattern"):
        parse_checklist({"items": [{**item, "patterns": ["(unclosed"]}]})


def test_missing_file_says_what_to_restore(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Cannot read"):
        load_checklist(tmp_path / "nope.yaml")


def test_fragments_are_shared_pieces_of_patterns() -> None:
    item = {"id": "x", "name": "X", "covers": "c", "why": "w", "red_flags": ["r"], "ask": "a"}
    data = {
        "fragments": {"ground": "breach|default", "clean": r"(?!\b(?&ground)\b)[^;]"},
        "items": [{**item, "patterns": [r"^(?&clean)*\bterminate\b(?&clean)*$"]}],
    }
    chosen = parse_checklist(data).item("x")
    assert chosen.matches("Either party may terminate on notice.")
    assert not chosen.matches("Either party may terminate on a breach.")


def test_an_unknown_fragment_names_the_defined_ones() -> None:
    item = {"id": "x", "name": "X", "covers": "c", "why": "w", "red_flags": ["r"], "ask": "a"}
    data = {"fragments": {"ground": "breach"}, "items": [{**item, "patterns": ["(?&grond)"]}]}
    with pytest.raises(ConfigError, match="grond") as raised:
        parse_checklist(data)
    assert "ground" in (raised.value.hint or "")
