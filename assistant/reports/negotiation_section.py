"""The negotiation's part of the talking points and the packet: the redline of the payer's
proposed exhibit (when one was imported) and what the top codes cost to deliver."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.rates.money import cents, money_display
from assistant.tool_results import CallLog, call_tool, succeeded

if TYPE_CHECKING:
    from assistant.negotiation.costs import MarginResult
    from assistant.negotiation.redline import Redline
    from assistant.reports.packet import Table
    from assistant.reports.talking_points import Point, TalkingPoints
    from assistant.services import Services

SECTION = "Their proposal"
TABLE_ROWS = 12


def negotiation_points(services: Services, payer: str, log: CallLog) -> list[Point]:
    """Points from the redline and the margins; nothing when neither exists for the payer.

    Called as the agent's `proposal_redline` and `code_margins` tools are, so the appendix
    and --json name the same calls."""
    from assistant.negotiation import service
    from assistant.reports.talking_points import Point

    points: list[Point] = []
    result = call_tool(service.redline_for, conn=services.conn, payer=payer)
    if succeeded(result):
        redline: Redline = result
        call = log.add("proposal_redline", {"payer": payer}, redline)
        points.append(
            Point(
                SECTION,
                f"Their proposed exhibit ({redline.proposal_source}) changes "
                f"{len(redline.changed())} codes and is worth "
                f"{money_display(redline.total_worth)} a year on our volumes.",
                (call.id,),
            )
        )
        for d in redline.dropped:
            points.append(
                Point(
                    SECTION,
                    f"It drops {d.code}, paid {money_display(d.rate)} today "
                    f"({money_display(d.units * d.rate)} a year): ask how it will be paid.",
                    (call.id,),
                )
            )
        for flag in redline.basis_changes:
            points.append(Point(SECTION, f"Basis change: {flag}.", (call.id,)))
    found = call_tool(service.margin_for, conn=services.conn, payer=payer)
    if succeeded(found) and found.rows:
        margins: MarginResult = found
        call = log.add("code_margins", {"payer": payer}, margins)
        top = max(margins.rows, key=lambda r: r.units * cents(r.current))
        cost, paid = money_display(top.cost), money_display(top.current)
        points.append(
            Point(
                "Cost to deliver",
                f"{top.code} costs us {cost} to deliver; {payer} pays {paid} "
                f"(margin {money_display(top.margin_current)} a visit).",
                (call.id,),
            )
        )
        below = [r.code for r in margins.below_cost()]
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
    redline: Redline = call.result
    rows = sorted(
        (r for r in redline.rows if cents(r.change) != 0),
        key=lambda r: -abs(cents(r.worth)),
    )[:TABLE_ROWS]
    return Table(
        ("Code", "Today", "Proposed", "Change", "Worth a year"),
        tuple(
            (
                r.code + (f"-{r.modifier}" if r.modifier else ""),
                money_display(r.old),
                money_display(r.new),
                money_display(r.change),
                money_display(r.worth),
            )
            for r in rows
        ),
        f"{call.id}: proposal_redline of {redline.proposal_source}",
    )
