"""The counter-proposal packet: talking points, rate tables, contract asks and an appendix
tracing every figure to its tool call, written as Markdown and DOCX."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from assistant.reports.talking_points import TalkingPoints, money, pct

_SUMMARY_KEYS = (
    "benchmark",
    "proposal",
    "total_revenue",
    "total_benchmark_revenue",
    "total_annual_gap",
    "pct_of_benchmark",
    "total_current",
    "total_proposed",
    "total_delta",
    "pct_change",
    "solution",
    "target_revenue",
    "resulting_revenue",
    "clears_floor",
    "basket_pct_of_benchmark",
    "total_shortfall",
)
"""Result fields the appendix shows per call (the full results are in talking-points --json)."""


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
    """The tool call the figures come from, e.g. 'call_2 (rate_gap)'."""


Block = Heading | Paragraph | Bullets | Table


def _label(tp: TalkingPoints, name: str) -> str:
    call = tp.call(name)
    return f"{call.id} ({call.name})" if call else name


def _gap_table(tp: TalkingPoints) -> Table | None:
    top, gap = tp.call("top_codes"), tp.call("rate_gap")
    if top is None or gap is None:
        return None
    rows = {r["code"]: r for r in gap.result["rows"] if not r["modifier"]}
    body = []
    for t in top.result["rows"]:
        g = rows.get(t["code"])
        if g is None:
            continue
        body.append(
            (
                t["code"],
                str(g["units"]),
                money(g["rate"]),
                money(g["benchmark_rate"]),
                pct(g["pct_of_benchmark"]),
                money(g["annual_gap"]),
            )
        )
    header = ("Code", "Units", "Rate", "Medicare", "% of Medicare", "Annual gap")
    return Table(header, tuple(body), f"{top.id} (top_codes), {gap.id} (rate_gap)")


def _compare_table(tp: TalkingPoints) -> Table | None:
    call = tp.call("compare_payers")
    if call is None:
        return None
    payers = call.result["payers"]
    body = []
    for row in call.result["rows"]:
        cells = [row["code"], money(row["benchmark_rate"])]
        for p in payers:
            rate = row["rates"][p]
            cells.append(
                "—"
                if rate["rate"] is None
                else f"{money(rate['rate'])} ({pct(rate['pct_of_benchmark'])})"
            )
        body.append(tuple(cells))
    basket = call.result["basket_pct_of_benchmark"]
    body.append(("All listed", "", *(pct(basket[p]) for p in payers)))
    return Table(("Code", "Medicare", *payers), tuple(body), f"{call.id} (compare_payers)")


def _offer_table(tp: TalkingPoints) -> Table | None:
    if tp.offer is None:
        return None
    call = tp.call("model_proposal")
    if call is None:
        return None
    body = tuple(
        (
            r["code"] + (f"-{r['modifier']}" if r["modifier"] else ""),
            str(r["units"]),
            money(r["current_rate"]),
            money(r["proposed_rate"]),
            money(r["delta"]),
        )
        for r in call.result["rows"]
        if r["current_rate"] != r["proposed_rate"]
    )
    header = ("Code", "Units", "Current rate", "Offered rate", "Annual change")
    return Table(header, body, f"{call.id} (model_proposal)")


def _summary(result: Any) -> str:
    if not isinstance(result, dict):
        return json.dumps(result)[:200]
    if "error" in result:
        return f"error: {result['error']}"
    shown = {k: result[k] for k in _SUMMARY_KEYS if k in result}
    if "documents" in result:
        shown["red_flags"] = sum(len(d.get("red_flags", [])) for d in result["documents"])
    if "rows" in result and not shown:
        shown["rows"] = len(result["rows"])
    return json.dumps(shown, ensure_ascii=False)


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
    blocks.append(Bullets(tuple(f"{p.text} [{', '.join(p.calls)}]" for p in rate_points)))
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
            ("Call", "Calculation", "Inputs", "Key results"),
            tuple(
                (c.id, c.name, json.dumps(c.args, ensure_ascii=False), _summary(c.result))
                for c in tp.calls
            ),
            "payer-assistant tools (same as the CLI's --json output)",
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
