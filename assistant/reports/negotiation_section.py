"""The negotiation's part of the talking points and the packet: the redline of the payer's
proposed exhibit (when one was imported) and what the top codes cost to deliver."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from assistant.agent.tools import CallLog, call_tool
from assistant.rates.money import money_display

if TYPE_CHECKING:
    from assistant.agent.tools import ToolBox
    from assistant.reports.packet import Table
    from assistant.reports.talking_points import Point, TalkingPoints

SECTION = "Their proposal"
TABLE_ROWS = 12


def _ok(result: Any) -> bool:
    return not (isinstance(result, dict) and "error" in result)


def negotiation_points(box: ToolBox, payer: str, log: CallLog) -> list[Point]:
    """Points from the redline and the margins; nothing when neither exists for the payer."""
    from assistant.agent.negotiation_tools import NegotiationTools
    from assistant.reports.talking_points import Point

    tools = NegotiationTools(box.services)
    points: list[Point] = []
    result = call_tool(tools.proposal_redline, payer=payer)
    if _ok(result):
        call = log.add("proposal_redline", {"payer": payer}, result)
        points.append(
            Point(
                SECTION,
                f"Their proposed exhibit ({result['proposal']}) changes {result['codes_changed']} "
                f"codes and is worth {money_display(result['total_worth'])} a year on our volumes.",
                (call.id,),
            )
        )
        for d in result["dropped"]:
            points.append(
                Point(
                    SECTION,
                    f"It drops {d['code']}, paid {money_display(d['rate'])} today "
                    f"({money_display(d['annual_revenue'])} a year): ask how it will be paid.",
                    (call.id,),
                )
            )
        for flag in result["basis_changes"]:
            points.append(Point(SECTION, f"Basis change: {flag}.", (call.id,)))
    margins = call_tool(tools.code_margins, payer=payer)
    if _ok(margins) and margins["rows"]:
        call = log.add("code_margins", {"payer": payer}, margins)
        top = max(margins["rows"], key=lambda r: Decimal(r["units"]) * Decimal(r["current_rate"]))
        cost, paid = money_display(top["cost"]), money_display(top["current_rate"])
        points.append(
            Point(
                "Cost to deliver",
                f"{top['code']} costs us {cost} to deliver; {payer} pays {paid} "
                f"(margin {money_display(top['margin_current'])} a visit).",
                (call.id,),
            )
        )
        below = margins["below_cost_at_current"]
        if below:
            points.append(
                Point(
                    "Cost to deliver",
                    f"{payer} pays less than it costs us to deliver {', '.join(below)}.",
                    (call.id,),
                )
            )
    return points


def redline_table(tp: TalkingPoints) -> Table | None:
    """The proposal's largest changes, code by code, for the packet (None without a redline)."""
    from assistant.reports.packet import Table

    call = tp.call("proposal_redline")
    if call is None:
        return None
    rows = sorted(
        (r for r in call.result["rows"] if r["change"] != "0.00"),
        key=lambda r: -abs(Decimal(r["worth"])),
    )[:TABLE_ROWS]
    return Table(
        ("Code", "Today", "Proposed", "Change", "Worth a year"),
        tuple(
            (
                r["code"] + (f"-{r['modifier']}" if r["modifier"] else ""),
                money_display(r["old"]),
                money_display(r["new"]),
                money_display(r["change"]),
                money_display(r["worth"]),
            )
            for r in rows
        ),
        f"{call.id}: proposal_redline of {call.result['proposal']}",
    )
