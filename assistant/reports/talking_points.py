"""Negotiation talking points for one payer, every figure traced to the table behind it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from assistant.rates.money import cents, money_display, money_text, pct_number
from assistant.tool_results import CallLog, CallRecord, call_tool, describe_proposal, succeeded

if TYPE_CHECKING:
    from assistant.rates.models import (
        PayerComparison,
        ProposalResult,
        SolveResult,
        TopCodesResult,
        WalkAwayResult,
    )
    from assistant.services import Services
    from assistant.tool_results import RateGap, Review

TOP_CODES = 10
FLOOR_PCT_OF_MEDICARE = Decimal(100)
"""Default walk-away: no code below Medicare, the usual floor for a commercial contract."""


def money(text: str | Decimal | None) -> str:
    """The product's one money format: '-$1,731.18'."""
    return money_display(None if text is None else Decimal(str(text)))


def pct(value: Decimal | float | str | None) -> str:
    """'113.27%': a computed percent rounded as its JSON is (half-up, two decimals)."""
    if value is None:
        return "—"
    shown = pct_number(value) if isinstance(value, Decimal) else value
    return f"{Decimal(str(shown)):,.2f}".rstrip("0").rstrip(".") + "%"


def signed_pct(value: Decimal | float | str | None) -> str:
    text = pct(value)
    return text if text.startswith(("-", "—")) else "+" + text


class AnalysisTools(Protocol):
    """The tools the talking points call, by the results they give (the agent's ToolBox is
    one; its methods' signatures, written once there, say what each takes)."""

    services: Services

    def resolve_payer(self, name: str) -> str: ...

    @property
    def top_codes(self) -> Callable[..., TopCodesResult]: ...

    @property
    def rate_gap(self) -> Callable[..., RateGap]: ...

    @property
    def compare_payers(self) -> Callable[..., PayerComparison]: ...

    @property
    def model_proposal(self) -> Callable[..., ProposalResult]: ...

    @property
    def solve_target(self) -> Callable[..., SolveResult]: ...

    @property
    def walk_away(self) -> Callable[..., WalkAwayResult]: ...

    @property
    def review_contract(self) -> Callable[..., Review]: ...


@dataclass(frozen=True)
class Point:
    """One talking point: the sentence, the tool calls its figures come from, its quotes."""

    section: str
    text: str
    calls: tuple[str, ...] = ()
    citations: tuple[dict[str, Any], ...] = ()
    sources: tuple[str, ...] = ()
    """Where a reader finds the figures, by what they are ("the Medicare gap table, 99214 row");
    `calls` are the ids for machines (--json), never shown in a document."""

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "text": self.text,
            "calls": list(self.calls),
            "sources": list(self.sources),
            "citations": [dict(c) for c in self.citations],
        }


@dataclass(frozen=True)
class TalkingPoints:
    """The negotiation case for one payer, with the tables and tool calls behind it."""

    payer: str
    points: tuple[Point, ...]
    calls: tuple[CallRecord, ...]
    offer: str | None = None
    notes: tuple[str, ...] = field(default=())

    def call(self, name: str) -> CallRecord | None:
        return next((c for c in self.calls if c.name == name and succeeded(c.result)), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "payer": self.payer,
            "offer": self.offer,
            "points": [p.to_json() for p in self.points],
            "notes": list(self.notes),
            "tool_calls": [c.to_json() for c in self.calls],
        }


def _bench_name(benchmark: str) -> str:
    if benchmark == "medicare":
        return "Medicare"
    if benchmark.startswith("market:"):
        return "market"
    return benchmark


def describe_call(call: CallRecord) -> str:
    """A tool call as a reader knows it: the table or calculation it produced."""
    args, result = call.args, call.result
    if call.name == "rate_gap":
        bench = result.result.benchmark if succeeded(result) else ""
        return f"the {_bench_name(str(bench or args.get('benchmark', '')))} gap table"
    if call.name == "top_codes":
        return "the top-codes table"
    if call.name == "compare_payers":
        return "the payer comparison table"
    if call.name == "model_proposal":
        if "pct_of_medicare" in args:
            return f"the model at {pct(args['pct_of_medicare'])} of Medicare"
        return "the offer table"
    if call.name == "solve_target":
        return "the target calculation"
    if call.name == "walk_away":
        return "the walk-away check"
    if call.name == "review_contract":
        return "the contract review"
    return call.name.replace("_", " ")


def _rows_ref(call: CallRecord, codes: list[str]) -> str:
    if not codes:
        return describe_call(call)
    if len(codes) == 1:
        return f"{describe_call(call)}, {codes[0]} row"
    return f"{describe_call(call)}, rows {', '.join(codes)}"


def _offer_args(offer: str) -> dict[str, Any]:
    """The offer ('3', 'office-em=3', 'E/M +3%', '3; em=5') as the model tool's arguments,
    split by the one proposal parser (no carve-out base means the other rates unchanged)."""
    from assistant.rates.proposals import split_proposal_text

    base, carve_outs = split_proposal_text(offer)
    if not carve_outs:
        return {"across_the_board": base}
    return {"across_the_board": 0 if base is None else base, "carve_outs": list(carve_outs)}


def build_talking_points(
    box: AnalysisTools,
    payer: str,
    offer: str | None = None,
    floor_pct: Decimal = FLOOR_PCT_OF_MEDICARE,
    target_pct: Decimal | None = None,
) -> TalkingPoints:
    """Where the payer stands, what its offer is worth, what to ask for and where to walk away.

    The target defaults to the best other payer's percent of Medicare on the top codes (never
    below the floor); the walk-away is the floor, a percent of Medicare for every code.
    """
    name = box.resolve_payer(payer)
    log = CallLog()
    points: list[Point] = []
    notes: list[str] = []

    def run(tool: str, fn: Any, **args: Any) -> CallRecord:
        return log.add(tool, args, call_tool(fn, **args))

    top = run("top_codes", box.top_codes, payer=name, limit=TOP_CODES)
    gap = run("rate_gap", box.rate_gap, payer=name, benchmark="medicare")
    top_codes: TopCodesResult | None = top.result if succeeded(top.result) else None
    codes = [r.code for r in top_codes.rows] if top_codes else []
    g = gap.result.result if succeeded(gap.result) else None
    if g is None:
        notes.append(f"No rate comparison with Medicare: {gap.result.error}")
    if codes and g is not None:
        rows = {r.code: r for r in g.rows if not r.modifier}
        below = sorted(
            (rows[c] for c in codes if c in rows and cents(rows[c].annual_gap) > 0),
            key=lambda r: -cents(r.annual_gap),
        )
        above = cents(g.total_annual_gap) < 0
        points.append(
            Point(
                "Medicare",
                f"On the {g.billed_codes} billed codes both {name} and Medicare price, at "
                f"this practice's volumes, {name} pays {money(g.total_revenue)} a year "
                f"where Medicare would pay {money(g.total_benchmark_revenue)}: "
                f"{pct(g.pct_of_benchmark)} of Medicare, "
                f"{money(abs(g.total_annual_gap))} a year "
                f"{'above' if above else 'short of'} it.",
                (gap.id,),
                sources=(describe_call(gap) + ", totals",),
            )
        )
        if below:
            worst = ", ".join(
                f"{r.code} ({money(r.rate)}, {pct(r.pct_of_benchmark)} of Medicare, "
                f"{money(r.annual_gap)} a year)"
                for r in below[:3]
            )
            points.append(
                Point(
                    "Medicare",
                    f"Of the top {len(codes)} codes by revenue, {len(below)} "
                    f"{'is' if len(below) == 1 else 'are'} paid below Medicare; "
                    f"the largest {'gap is' if len(below) == 1 else 'gaps are'} {worst}.",
                    (top.id, gap.id),
                    sources=(
                        describe_call(top),
                        _rows_ref(gap, [r.code for r in below[:3]]),
                    ),
                )
            )

    # Every code, not just the top ones: each payer's percent is then the same figure as its
    # gap above (one definition of "% of Medicare" in every output).
    compare = run("compare_payers", box.compare_payers)
    basket: dict[str, float] = {}
    if succeeded(compare.result):
        basket = {
            p: v
            for p in compare.result.payers
            if (v := pct_number(compare.result.basket_pct(p))) is not None
        }
    if name in basket and len(basket) > 1:
        others = sorted(((p, v) for p, v in basket.items() if p != name), key=lambda kv: -kv[1])
        listed = "; ".join(f"{p} {pct(v)}" for p, v in others)
        points.append(
            Point(
                "Other payers",
                f"Measured the same way for every payer ({compare.result.basis}), "
                f"{name} is at {pct(basket[name])} of Medicare; the practice's other payers: "
                f"{listed}.",
                (compare.id,),
                sources=(describe_call(compare) + ", All billed codes row",),
            )
        )

    mk = run("rate_gap", box.rate_gap, payer=name, benchmark="market")
    if succeeded(mk.result) and mk.result.rows:
        m = mk.result.result
        direction = "below" if cents(m.total_annual_gap) > 0 else "above"
        points.append(
            Point(
                "Market",
                f"Against the market median ({m.benchmark.split(':')[1]}), {name} pays "
                f"{pct(m.pct_of_benchmark)}: {money(abs(m.total_annual_gap))} "
                f"a year {direction} it on the codes the market file prices.",
                (mk.id,),
                sources=(describe_call(mk) + ", totals",),
            )
        )
    elif not succeeded(mk.result) and g is not None:
        notes.append(f"No market comparison: {mk.result.error}")

    if offer:
        model = run("model_proposal", box.model_proposal, payer=name, **_offer_args(offer))
        if succeeded(model.result):
            r: ProposalResult = model.result
            points.append(
                Point(
                    "Their offer",
                    f"{name}'s offer ({describe_proposal(r.proposal.describe())}) is worth "
                    f"{money(r.total_delta)} a year "
                    f"({signed_pct(r.pct_change)}): from {money(r.total_current)} to "
                    f"{money(r.total_proposed)} on the {r.billed_codes} billed codes "
                    f"{name} prices.",
                    (model.id,),
                    sources=(describe_call(model) + ", totals",),
                )
            )
            check = run(
                "walk_away",
                box.walk_away,
                payer=name,
                **_offer_args(offer),
                min_pct_of_medicare=str(floor_pct),
            )
            if succeeded(check.result):
                below_floor = [row.code for row in check.result.codes_below_floor]
                verdict = "clears" if check.result.clears else "does not clear"
                detail = (
                    f"; {len(below_floor)} codes stay below it ({', '.join(below_floor[:8])})"
                    if below_floor
                    else ""
                )
                points.append(
                    Point(
                        "Their offer",
                        f"The offer {verdict} the walk-away floor of {pct(floor_pct)} of "
                        f"Medicare per code{detail}.",
                        (check.id,),
                        sources=(_rows_ref(check, below_floor[:8]),),
                    )
                )
        else:
            notes.append(f"Offer '{offer}' not modelled: {model.result.error}")

    if g is not None:
        others_best = max((v for p, v in basket.items() if p != name), default=None)
        target = target_pct
        basis = "the level set for this negotiation"
        if target is None:
            best_other = Decimal(str(others_best)) if others_best is not None else floor_pct
            target = max(best_other, floor_pct)
            basis = "what the best-paying other payer pays" if target == best_other else "the floor"
        at_target = run(
            "model_proposal", box.model_proposal, payer=name, pct_of_medicare=str(target)
        )
        if succeeded(at_target.result):
            t: ProposalResult = at_target.result
            solved = run(
                "solve_target",
                box.solve_target,
                payer=name,
                target_revenue=money_text(t.total_proposed),
            )
            uniform = (
                f", the same revenue as a uniform increase of {signed_pct(solved.result.value)}"
                if succeeded(solved.result)
                else ""
            )
            points.append(
                Point(
                    "Target",
                    f"Ask for {pct(target)} of Medicare ({basis}): {money(t.total_proposed)} "
                    f"a year, {money(t.total_delta)} more than today "
                    f"({signed_pct(t.pct_change)}){uniform}.",
                    (at_target.id, solved.id),
                    sources=(describe_call(at_target), describe_call(solved)),
                )
            )
        at_floor = run(
            "model_proposal", box.model_proposal, payer=name, pct_of_medicare=str(floor_pct)
        )
        if succeeded(at_floor.result):
            f: ProposalResult = at_floor.result
            under = list(
                dict.fromkeys(
                    r.code
                    for r in g.rows
                    if r.units
                    and r.pct_of_benchmark is not None
                    and Decimal(str(pct_number(r.pct_of_benchmark))) < floor_pct
                )
            )
            if cents(f.total_delta) > 0:
                text = (
                    f"Walk-away: nothing under {pct(floor_pct)} of Medicare for every code, "
                    f"{money(f.total_proposed)} a year ({signed_pct(f.pct_change)} on "
                    f"today's {money(f.total_current)})."
                )
            else:
                # The mix as a whole is above the floor, but the floor is per code: say so,
                # rather than "no cut" after an offer that leaves codes below it.
                text = (
                    f"Walk-away: no code under {pct(floor_pct)} of Medicare. Today's rates earn "
                    f"{money(f.total_current)} a year, more than {pct(floor_pct)} of Medicare "
                    f"for the whole mix ({money(f.total_proposed)}), so the floor asks for "
                    "no cut on the total"
                    + (
                        f", but {len(under)} billed codes are paid below it today "
                        f"({', '.join(under[:8])}{', …' if len(under) > 8 else ''})."
                        if under
                        else "."
                    )
                )
            sources = (describe_call(at_floor),) + ((_rows_ref(gap, under[:8]),) if under else ())
            points.append(Point("Walk-away", text, (at_floor.id, gap.id), sources=sources))

    review = run("review_contract", box.review_contract, payer=name)
    if succeeded(review.result):
        for doc in review.result.documents:
            for flag in doc.red_flags:
                citations = tuple(
                    {"source": c.source, "page": c.page, "section": c.section, "quote": c.quote}
                    for c in flag.citations[:1]
                )
                points.append(
                    Point(
                        "Contract language",
                        f"{flag.name}: {flag.flags[0] if flag.flags else 'red flag'} "
                        f"Ask: {flag.ask}",
                        (review.id,),
                        citations,
                        (describe_call(review),),
                    )
                )
    else:
        notes.append(f"No contract-language asks: {review.result.error}")
    from assistant.reports.negotiation_section import negotiation_points

    points += negotiation_points(box.services, name, log)
    return TalkingPoints(name, tuple(points), tuple(log.calls), offer, tuple(notes))


def render_markdown(tp: TalkingPoints) -> str:
    """The talking points as Markdown: sections of bullets, citations quoted under each."""
    lines = [f"# Talking points: {tp.payer}", ""]
    section = None
    for point in tp.points:
        if point.section != section:
            section = point.section
            lines += ["", f"## {section}", ""]
        sources = "; ".join(point.sources)
        lines.append(f"- {point.text}" + (f" _(see {sources})_" if sources else ""))
        for c in point.citations:
            where = f"p. {c['page']}" if c.get("page") is not None else ""
            sec = f"§{c['section']}" if c.get("section") else ""
            ref = ", ".join(x for x in (c["source"], sec, where) if x)
            lines.append(f"  > “{c['quote']}” ({ref})")
    if tp.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in tp.notes]
    return "\n".join(lines).strip() + "\n"
