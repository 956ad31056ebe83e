"""The counter-proposal packet: talking points, rate tables, contract asks and an appendix
tracing every figure to its tool call, written as Markdown and DOCX."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.errors import InputError
from assistant.rates.models import (
    PayerComparison,
    ProposalResult,
    SolveResult,
    TopCodesResult,
    WalkAwayResult,
    benchmark_display,
    units_number,
)
from assistant.rates.money import cents
from assistant.reports.talking_points import (
    TalkingPoints,
    describe_call,
    money,
    pct,
    signed_pct,
)
from assistant.tool_results import (
    CallRecord,
    RateGap,
    Review,
    ToolError,
    describe_proposal,
    jsonable,
)


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    source: str
    """What the figures are, e.g. 'the Medicare gap table' (the appendix shows how)."""


Block = Heading | Paragraph | Bullets | Table


def _gap_table(tp: TalkingPoints) -> Table | None:
    top, gap = tp.call("top_codes"), tp.call("rate_gap")
    if top is None or gap is None:
        return None
    rows = {r.code: r for r in gap.result.rows if not r.modifier}
    body = []
    for t in top.result.rows:
        g = rows.get(t.code)
        if g is None:
            continue
        body.append(
            (
                t.code,
                f"{units_number(g.units):,}",
                money(g.rate),
                money(g.benchmark_rate),
                pct(g.pct_of_benchmark),
                money(g.annual_gap),
            )
        )
    header = ("Code", "Units", "Rate", "Medicare", "% of Medicare", "Annual gap")
    return Table(header, tuple(body), f"{describe_call(gap)}, {describe_call(top)}")


def _compare_table(tp: TalkingPoints) -> Table | None:
    call, top = tp.call("compare_payers"), tp.call("top_codes")
    if call is None:
        return None
    comparison: PayerComparison = call.result
    payers = comparison.payers
    shown = {r.code for r in top.result.rows} if top is not None else None
    body = []
    for row in comparison.rows:
        if shown is not None and row.code not in shown:
            continue
        cells = [row.code, money(row.benchmark_rate)]
        rates = dict(row.rates)
        for rate in (rates[p] for p in payers):
            cells.append("—" if rate is None else f"{money(rate)} ({pct(row.pct(rate))})")
        body.append(tuple(cells))
    body.append(("All billed codes", "", *(pct(comparison.basket_pct(p)) for p in payers)))
    return Table(
        ("Code", "Medicare", *payers),
        tuple(body),
        f"{describe_call(call)}; All billed codes: {comparison.basis}",
    )


def _offer_table(tp: TalkingPoints) -> Table | None:
    if tp.offer is None:
        return None
    call = tp.call("model_proposal")
    if call is None:
        return None
    result: ProposalResult = call.result
    body = tuple(
        (
            r.code + (f"-{r.modifier}" if r.modifier else ""),
            f"{units_number(r.units):,}",
            money(r.current_rate),
            money(r.proposed_rate),
            money(r.delta),
        )
        for r in result.rows
        if cents(r.current_rate) != cents(r.proposed_rate)
    )
    header = ("Code", "Units", "Current rate", "Offered rate", "Annual change")
    return Table(header, body, describe_call(call))


def _inputs(call: CallRecord) -> str:
    args = call.args
    parts = []
    if args.get("payer"):
        parts.append(f"payer {args['payer']}")
    if args.get("benchmark"):
        parts.append(f"benchmark {args['benchmark']}")
    if isinstance(call.result, ProposalResult):
        parts.append(f"proposal: {describe_proposal(call.result.proposal.describe())}")
    elif isinstance(call.result, WalkAwayResult):
        parts.append(f"proposal: {describe_proposal(call.result.proposal)}")
    if args.get("min_pct_of_medicare") is not None:
        parts.append(f"floor {pct(args['min_pct_of_medicare'])} of Medicare per code")
    if args.get("target_revenue") is not None:
        parts.append(f"target revenue {money(args['target_revenue'])}")
    if args.get("limit"):
        parts.append(f"top {args['limit']} codes")
    parts.append("your annual volumes" if call.name != "review_contract" else "indexed contracts")
    return "; ".join(parts)


FORMULAS = {
    "rate_gap": "gap = Σ units × (benchmark rate − payer rate); "
    "% = Σ units × payer rate ÷ Σ units × benchmark rate, on codes both price",
    "top_codes": "revenue per code = units × payer rate, ranked",
    "compare_payers": "per payer: Σ units × rate ÷ Σ units × Medicare rate, on codes both price",
    "model_proposal": "change = Σ units × proposed rate − Σ units × current rate",
    "solve_target": "smallest uniform % (to 0.01) whose revenue reaches the target",
    "walk_away": "offer's rates against the floor, code by code and in total",
    "review_contract": "checklist terms read from the contract text, with page citations",
}


def _result(call: CallRecord) -> str:
    r = call.result
    if isinstance(r, ToolError):
        return f"not available: {r.error}"
    if isinstance(r, RateGap):
        g = r.result
        return (
            f"{pct(g.pct_of_benchmark)} of {benchmark_display(g.benchmark)}: "
            f"{money(g.total_revenue)} "
            f"against {money(g.total_benchmark_revenue)}, gap {money(g.total_annual_gap)} "
            f"a year, {g.basis}"
        )
    if isinstance(r, TopCodesResult):
        return f"{len(r.rows)} codes shown; total revenue {money(r.total_revenue)}"
    if isinstance(r, PayerComparison):
        basket = ((p, r.basket_pct(p)) for p in r.payers)
        return "; ".join(f"{p} {pct(v)}" for p, v in basket if v is not None)
    if isinstance(r, ProposalResult):
        return (
            f"{money(r.total_current)} → {money(r.total_proposed)} "
            f"({money(r.total_delta)}, {signed_pct(r.pct_change)}), {r.basis}"
        )
    if isinstance(r, SolveResult):
        return f"{signed_pct(r.value)} on every rate"
    if isinstance(r, WalkAwayResult):
        verdict = "clears the floor" if r.clears else "does not clear the floor"
        return f"{verdict}; {len(r.codes_below_floor)} codes below it"
    if isinstance(r, Review):
        flags = sum(len(d.red_flags) for d in r.documents)
        return f"{len(r.documents)} documents reviewed; {flags} red flags"
    data = jsonable(r)
    if not isinstance(data, dict):
        return str(data)[:200]
    return ", ".join(f"{k}: {v}" for k, v in data.items() if not isinstance(v, list | dict))[:200]


def trace_rows(tp: TalkingPoints) -> tuple[tuple[str, str, str, str], ...]:
    """The appendix: each calculation as inputs, formula and result, in words."""
    return tuple(
        (describe_call(c), _inputs(c), FORMULAS.get(c.name, c.name), _result(c)) for c in tp.calls
    )


def build_packet(tp: TalkingPoints, practice: str | None = None) -> list[Block]:
    """The packet's content, independent of the output format."""
    from assistant.reports.negotiation_section import redline_table

    blocks: list[Block] = [Heading(f"Counter-proposal: {tp.payer}", 0)]
    who = f" for {practice}" if practice else ""
    blocks.append(
        Paragraph(
            f"Prepared{who} with payer-assistant. Every figure comes from the workspace's rate "
            "and contract tools; the appendix names the calculation behind each one."
        )
    )
    blocks.append(Heading("Summary"))
    rate_points = [p for p in tp.points if p.section != "Contract language"]
    blocks.append(
        Bullets(
            tuple(
                p.text + (f" (see {'; '.join(p.sources)})" if p.sources else "")
                for p in rate_points
            )
        )
    )
    tables = [
        ("Top codes against Medicare", _gap_table(tp)),
        ("Payers side by side on the top codes (rate and % of Medicare)", _compare_table(tp)),
        ("The offer, code by code (codes it changes)", _offer_table(tp)),
        ("Their proposed exhibit against today's schedule", redline_table(tp)),
    ]
    blocks.append(Heading("Rate tables"))
    for title, table in tables:
        if table is not None and table.rows:
            blocks += [Heading(title, 2), table]
    asks = [p for p in tp.points if p.section == "Contract language"]
    if asks:
        blocks.append(Heading("Contract language we ask to change"))
        items = []
        for p in asks:
            cites = "; ".join(
                f"“{c['quote']}” ({c['source']}"
                + (f", §{c['section']}" if c.get("section") else "")
                + (f", p. {c['page']}" if c.get("page") is not None else "")
                + ")"
                for c in p.citations
            )
            items.append(p.text + (f" Contract text: {cites}" if cites else ""))
        blocks.append(Bullets(tuple(items)))
    if tp.notes:
        blocks += [Heading("Notes"), Bullets(tp.notes)]
    blocks.append(Heading("Appendix: where each figure comes from"))
    blocks.append(
        Table(
            ("Figure", "Inputs", "Formula", "Result"),
            trace_rows(tp),
            "the workspace's rate and contract tools (the same as the payer-assistant CLI)",
        )
    )
    return blocks


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            out += ["#" * (block.level + 1) + " " + block.text, ""]
        elif isinstance(block, Paragraph):
            out += [block.text, ""]
        elif isinstance(block, Bullets):
            out += [f"- {item}" for item in block.items] + [""]
        else:
            out.append("| " + " | ".join(block.header) + " |")
            out.append("|" + "---|" * len(block.header))
            out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
            out += ["", f"_Source: {block.source}_", ""]
    return "\n".join(out).rstrip() + "\n"


def write_docx(blocks: list[Block], path: Path) -> None:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    for block in blocks:
        if isinstance(block, Heading):
            doc.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            doc.add_paragraph(block.text)
        elif isinstance(block, Bullets):
            for item in block.items:
                doc.add_paragraph(item, style="List Bullet")
        else:
            table = doc.add_table(rows=1, cols=len(block.header))
            table.style = "Light Grid Accent 1"
            for cell, text in zip(table.rows[0].cells, block.header, strict=True):
                cell.text = text
            for row in block.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = text
            for row in table.rows:
                for cell in row.cells:
                    for paragraph in cell.paragraphs:
                        for run in paragraph.runs:
                            run.font.size = Pt(8)
            doc.add_paragraph(f"Source: {block.source}").runs[0].italic = True
    doc.save(str(path))


def write_packet(tp: TalkingPoints, out: Path, practice: str | None = None) -> list[Path]:
    """Write FILE.md and FILE.docx (or just the one `out`'s suffix names); return the paths."""
    suffix = out.suffix.lower()
    if suffix not in ("", ".md", ".docx"):
        raise InputError(
            f"'{out.name}': the packet is written as .md or .docx",
            "pass --out FILE (both), FILE.md or FILE.docx",
        )
    base = out.with_suffix("") if suffix else out
    targets = [out] if suffix else [base.with_suffix(".md"), base.with_suffix(".docx")]
    blocks = build_packet(tp, practice)
    try:
        base.parent.mkdir(parents=True, exist_ok=True)
        for path in targets:
            if path.suffix == ".md":
                path.write_text(render_markdown(blocks), encoding="utf-8")
            else:
                write_docx(blocks, path)
    except OSError as exc:
        raise InputError(f"Cannot write {out}: {exc.strerror}", "choose a writable folder") from exc
    return targets
