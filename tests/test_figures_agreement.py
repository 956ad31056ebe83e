"""One figure, one definition: a payer's % of Medicare, its annual revenue, its gap and an offer's
worth come out the same in the CLI (--json), the agent's tools, the Rates view's data, talking
points, the packet and the offline chat, for the same inputs on the demo practice."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.agent.tools import ToolBox
from assistant.cli import main
from assistant.rates import analyses, service
from assistant.rates.codes import find_group, parse_code_set
from assistant.rates.demo import load_demo_practice
from assistant.rates.money import money_display, pct_number
from assistant.rates.proposals import build_proposal, parse_proposal_text
from assistant.reports.packet import build_packet, render_markdown
from assistant.reports.talking_points import build_talking_points
from assistant.tool_results import jsonable
from assistant.ui import workspace_data

PAYERS = ("Aetna", "UnitedHealthcare", "Cigna", "Blue Cross")


@pytest.fixture
def demo(fake_services: Any) -> Any:
    load_demo_practice(fake_services.conn)
    return fake_services


def cli_json(services: Any, capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    with pytest.raises(SystemExit) as exited:
        main(["--workspace", str(services.settings.workspace), *args, "--json"])
    assert not exited.value.code
    return json.loads(capsys.readouterr().out)


def pct_text(value: float | None) -> str:
    assert value is not None
    return f"{Decimal(str(value)):,.2f}".rstrip("0").rstrip(".") + "%"


@pytest.mark.parametrize("payer", PAYERS)
def test_pct_of_medicare_and_gap_agree_on_every_surface(
    demo: Any, capsys: pytest.CaptureFixture[str], payer: str
) -> None:
    gap = service.gap(demo.conn, payer)
    pct = pct_number(gap.pct_of_benchmark)
    cli_gap = cli_json(demo, capsys, "gap", "--payer", payer)
    cli_compare = cli_json(demo, capsys, "compare", "--rates")
    # the tools' figures as a model reads them: their JSON
    tool_gap = jsonable(ToolBox(demo).rate_gap(payer))
    tool_compare = jsonable(ToolBox(demo).compare_payers())
    view = workspace_data.gap(demo, payer).to_json()
    assert cli_gap["pct_of_benchmark"] == pct
    assert cli_compare["basket_pct_of_benchmark"][payer] == pct
    assert tool_gap["pct_of_benchmark"] == pct
    assert tool_compare["basket_pct_of_benchmark"][payer] == pct
    assert view["pct_of_benchmark"] == pct
    for data in (cli_gap, tool_gap, view):
        assert data["total_annual_gap"] == str(gap.total_annual_gap.quantize(Decimal("0.01")))
        assert data["basis"] == gap.basis
    assert f"{gap.billed_codes} billed codes" in gap.basis

    tp = build_talking_points(ToolBox(demo), payer)
    medicare = " ".join(p.text for p in tp.points if p.section == "Medicare")
    others = " ".join(p.text for p in tp.points if p.section == "Other payers")
    assert f"{pct_text(pct)} of Medicare" in medicare
    assert f"{payer} is at {pct_text(pct)} of Medicare" in others
    gap_money = money_display(abs(gap.total_annual_gap))
    assert gap_money in medicare
    packet = render_markdown(build_packet(tp))
    assert f"{pct_text(pct)} of Medicare" in packet and gap_money in packet


@pytest.mark.parametrize("typed", ["0; e/m=3", "0; E/M=3", "0; office-em=3"])
def test_an_e_m_offer_is_worth_the_same_in_the_rates_view_cli_tools_and_documents(
    demo: Any, capsys: pytest.CaptureFixture[str], typed: str
) -> None:
    view = workspace_data.model(demo, "Aetna", typed).to_json()
    cli = cli_json(
        demo, capsys, "model", "--payer", "Aetna", "--across-the-board", "0",
        "--carve-out", "office-em=3",
    )  # fmt: skip
    tool = jsonable(ToolBox(demo).model_proposal("Aetna", across_the_board=0, carve_outs=["e/m=3"]))
    tp = build_talking_points(ToolBox(demo), "Aetna", offer="office-em=3")
    offer = " ".join(p.text for p in tp.points if p.section == "Their offer")
    assert view["total_delta"] == cli["total_delta"] == tool["total_delta"]
    assert view["total_current"] == cli["total_current"] == tool["total_current"]
    assert money_display(view["total_delta"]) in offer
    assert money_display(view["total_current"]) in offer
    assert view["proposal"] == cli["proposal"]
    assert view["basis"] == cli["basis"] == tool["basis"]


def test_annual_revenue_is_one_figure(demo: Any) -> None:
    """A payer's annual revenue: the offer's 'today', top codes' total and the zero offer agree."""
    for payer in PAYERS:
        zero = service.model(demo.conn, payer, build_proposal(across_the_board=Decimal(0)))
        top = service.top_codes(demo.conn, payer, limit=1)
        assert zero.total_current == zero.total_proposed == top.total_revenue


def test_code_groups_are_one_table() -> None:
    office = find_group("E/M")
    assert office is not None and office.name == "office-em"
    assert parse_code_set("E/M") == parse_code_set("office-em")
    assert "99213" in parse_code_set("e/m") and "99395" not in parse_code_set("e/m")
    assert "99395" in parse_code_set("em") and "99395" in parse_code_set("preventive")
    assert parse_proposal_text("0; E/M=3") == parse_proposal_text("0; office-em=3")


keys = st.sampled_from([f"992{n:02d}" for n in range(10, 16)] + ["99395", "G2211"])
money = st.decimals(min_value=Decimal("1"), max_value=Decimal("500"), places=2)
units = st.decimals(min_value=Decimal("0"), max_value=Decimal("3000"), places=0)


@settings(max_examples=60, deadline=None)
@given(
    fees=st.dictionaries(keys, money, min_size=1, max_size=8),
    bench=st.dictionaries(keys, money, min_size=1, max_size=8),
    volumes=st.dictionaries(keys, units, max_size=8),
)
def test_compare_basket_is_the_gap_percent_for_any_inputs(
    fees: dict[str, Decimal], bench: dict[str, Decimal], volumes: dict[str, Decimal]
) -> None:
    f = {(k, ""): v for k, v in fees.items()}
    b = {(k, ""): v for k, v in bench.items()}
    v = {(k, ""): n for k, n in volumes.items()}
    gap = analyses.gap("P", "medicare", f, b, v)
    compared = analyses.compare_payers({"P": f}, "medicare", b, None, {"P": v})
    assert compared.basket_pct("P") == (gap.pct_of_benchmark if gap.billed_codes else None)
    zero = analyses.model_proposal("P", f, v, build_proposal(across_the_board=Decimal(0)), {})
    top = analyses.top_codes({"P": f}, {"P": v}, limit=100, payer="P")
    assert zero.total_current == top.total_revenue
    assert gap.total_revenue <= zero.total_current  # the gap counts only codes both price


@pytest.mark.slow
def test_offline_chat_gives_the_same_figures(demo_services: Any) -> None:
    from assistant.agent.factory import make_assistant

    assistant = make_assistant(demo_services, "offline")
    uhc = service.gap(demo_services.conn, "UnitedHealthcare")
    worst = assistant.ask("Which payer pays us worst?").answer
    underpaid = assistant.ask("How much are we underpaid by UHC?").answer
    uhc_pct = pct_text(pct_number(uhc.pct_of_benchmark))
    assert uhc_pct in worst and uhc_pct in underpaid
    offer = service.model(demo_services.conn, "Aetna", parse_proposal_text("0; e/m=3")).total_delta
    worth = assistant.ask("Aetna offers 3% on E/M only: what is that worth?").answer
    assert f"{offer.quantize(Decimal('0.01')):,}" in worth
