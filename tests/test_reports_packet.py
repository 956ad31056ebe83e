"""Documents a consultant can send: no internal ids, one money format, a readable trace."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from assistant.agent.tools import ToolBox
from assistant.rates.demo import load_demo_practice
from assistant.reports.packet import build_packet, render_markdown, write_packet
from assistant.reports.talking_points import build_talking_points
from assistant.reports.talking_points import render_markdown as talking_points_markdown


@pytest.fixture
def rates_only(fake_services: Any) -> Any:
    load_demo_practice(fake_services.conn)
    return fake_services


def test_packet_and_talking_points_name_figures_not_calls(rates_only: Any, tmp_path: Path) -> None:
    from docx import Document

    tp = build_talking_points(ToolBox(rates_only), "Aetna", offer="e/m=3")
    md = render_markdown(build_packet(tp))
    points = talking_points_markdown(tp)
    for text in (md, points):
        assert not re.search(r"\bcall_\d+", text)
        assert "$-" not in text  # money is -$1,731.18, never $-1,731.18
        assert "{" not in text  # no raw JSON
    assert "the Medicare gap table" in points
    assert re.search(r"the Medicare gap table, (rows|\d{5} row)", points)
    assert "| Figure | Inputs | Formula | Result |" in md
    assert "-$" in md  # Aetna pays above Medicare on some codes: negative gaps shown as money
    written = write_packet(tp, tmp_path / "aetna.docx")
    doc = Document(str(written[0]))
    trace = doc.tables[-1]
    assert [c.text for c in trace.rows[0].cells] == ["Figure", "Inputs", "Formula", "Result"]
    assert all("call_" not in cell.text for row in trace.rows for cell in row.cells)


def test_walk_away_never_says_no_cut_after_codes_below_the_floor(rates_only: Any) -> None:
    tp = build_talking_points(ToolBox(rates_only), "Aetna", offer="office-em=3")
    walk = " ".join(p.text for p in tp.points if p.section == "Walk-away")
    offer = " ".join(p.text for p in tp.points if p.section == "Their offer")
    assert "Walk-away: no cut." not in walk
    if "stay below it" in offer:
        assert "paid below it today" in walk
