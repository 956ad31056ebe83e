"""Markdown renderings of a review, a term table and a template comparison (for --markdown)."""

from __future__ import annotations

from assistant.review.comparison import TemplateDiff, TermTable, describe_value
from assistant.review.models import Citation, ContractReview, ItemValue

_STATUS = {
    "present": "present",
    "red_flag": "**RED FLAG**",
    "absent": "absent",
    "unknown": "unknown",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _cite(c: Citation) -> str:
    where = f"p. {c.page}" if c.page is not None else c.source
    return f"{where}, {c.section}" if c.section else where


def _values(values: tuple[ItemValue, ...]) -> list[str]:
    lines = []
    for v in values:
        reading = describe_value(v.value) or "clause found"
        lines.append(f"- {reading} — *{v.scope}*")
        lines.extend(f'  - {_cite(c)}: "{c.quote}"' for c in v.citations)
    return lines


def review_markdown(review: ContractReview) -> str:
    """The review as a Markdown report: summary table, then each item with its quotes."""
    out = [f"# Contract review: {review.source}", ""]
    out += [f"> {note}" for note in review.notes] + ([""] if review.notes else [])
    out += ["| item | status | value | pages |", "|---|---|---|---|"]
    for item in review.items:
        value = "; ".join(describe_value(v.value) for v in item.values if v.value)
        pages = ", ".join(map(str, item.pages))
        out.append(f"| {item.name} | {_STATUS[item.status]} | {_cell(value)} | {pages} |")
    for item in review.items:
        out += ["", f"## {item.name} — {_STATUS[item.status]}", ""]
        out += [f"- Red flag: {flag}" for flag in item.flags]
        out += [f"- Note: {note}" for note in item.notes]
        out += _values(item.values)
        out += [f"- Why it matters: {item.why}", f"- Ask: {item.ask}"]
    out += _prompt_pay_law(review)
    return "\n".join(out) + "\n"


def _prompt_pay_law(review: ContractReview) -> list[str]:
    check = review.prompt_pay_law
    if check is None:
        return []
    out = ["", "## State prompt-pay law", ""]
    if check.state:
        out.append(f"- State: {check.state} (from {check.state_from})")
    for rule in check.rules:
        out.append(f"- {rule.statute} ({', '.join(rule.applies_to)}): {rule.source_read}")
        out.append(f"  - Source: {rule.source_url}")
    for c in check.comparisons:
        verdict = "; ".join(c.weaker) if c.weaker else "not weaker than the law"
        out.append(f"- {c.scope} against {c.statute}: {verdict}")
    out += [f"- Note: {n}" for n in check.notes]
    out.append("- This compares the contract with the statute as read; it is not legal advice.")
    return out


def table_markdown(table: TermTable) -> str:
    """The term table: one row per term, one column per document, citations as footnotes."""
    heads = [source for _, source in table.documents]
    out = ["# Key terms side by side", "", "| term | " + " | ".join(heads) + " |"]
    out.append("|---|" + "---|" * len(heads))
    notes: list[str] = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            cites = [c for v in cell.values for c in v.citations][:2]
            marks = []
            for c in cites:
                notes.append(f'[{len(notes) + 1}] {cell.source} {_cite(c)}: "{c.quote}"')
                marks.append(f"[{len(notes)}]")
            cells.append(_cell(f"{cell.summary} {' '.join(marks)}".strip()))
        out.append(f"| {row.name} | " + " | ".join(cells) + " |")
    return "\n".join([*out, "", *notes]) + "\n"


def diff_markdown(diff: TemplateDiff) -> str:
    """Contract against template: deviations and missing terms first, with both sides quoted."""
    out = [f"# {diff.contract.source} against template {diff.template.source}", ""]
    order = ("deviates", "missing", "added", "wording_differs", "same", "both_absent")
    for entry in sorted(diff.entries, key=lambda e: order.index(e.kind)):
        out += ["", f"## {entry.name} — {entry.kind.replace('_', ' ')}", ""]
        out += [f"- {d}" for d in entry.details]
        if entry.kind in ("deviates", "missing", "added", "wording_differs"):
            out += ["", "Contract:"] + (_values(entry.contract_values) or ["- (not found)"])
            out += ["", "Template:"] + (_values(entry.template_values) or ["- (not found)"])
    return "\n".join(out) + "\n"
