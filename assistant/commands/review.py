"""The `review` command, and the contract side of `compare` (the lead's dispatcher calls it)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

from assistant.commands.common import JSON_HELP, emit_json, state, stderr_console, stdout_console
from assistant.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from assistant.review.comparison import TemplateDiff, TermTable
    from assistant.review.models import ContractReview, ItemValue

T = TypeVar("T")

STATUS_STYLE = {"present": "green", "red_flag": "bold red", "absent": "yellow", "unknown": "dim"}
STATUS_LABEL = {
    "present": "present",
    "red_flag": "RED FLAG",
    "absent": "absent",
    "unknown": "unknown",
}
KIND_STYLE = {
    "deviates": "bold red",
    "missing": "yellow",
    "added": "cyan",
    "wording_differs": "magenta",
    "same": "green",
    "both_absent": "dim",
}


def _with_store(ctx: typer.Context, work: Callable[[sqlite3.Connection], T]) -> T:
    conn = state(ctx).workspace.connect()
    try:
        return work(conn)
    finally:
        conn.close()


def _write_markdown(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"Cannot write the Markdown report to {path}: {exc.strerror}",
            "choose a writable path for --markdown",
        ) from exc
    stderr_console().print(f"[dim]Markdown report written to {path}[/]", highlight=False)


def _values_text(values: tuple[ItemValue, ...]) -> str:
    from assistant.review.comparison import describe_value

    lines = []
    for v in values:
        reading = describe_value(v.value)
        if reading:
            lines.append(f"{reading} [dim]({v.scope})[/]")
    return "\n".join(dict.fromkeys(lines))


def _pages_text(values: tuple[ItemValue, ...]) -> str:
    pages = sorted({c.page for v in values for c in v.citations if c.page is not None})
    return ", ".join(map(str, pages))


def render_review(review: ContractReview, console: Console) -> None:
    """The checklist as a rich table: status colours, values with scopes, cited pages."""
    from rich.table import Table

    title = f"Contract review: {review.source}"
    table = Table(title=title, show_lines=True, expand=True)
    table.add_column("Item", ratio=2)
    table.add_column("Status", no_wrap=True)
    table.add_column("Value (scope)", ratio=3)
    table.add_column("Pages", ratio=1)
    table.add_column("Red flags / notes", ratio=3)
    for item in review.items:
        style = STATUS_STYLE[item.status]
        remarks = "\n".join([*item.flags, *(f"[dim]{n}[/]" for n in item.notes)])
        table.add_row(
            item.name,
            f"[{style}]{STATUS_LABEL[item.status]}[/]",
            _values_text(item.values),
            _pages_text(item.values),
            remarks,
        )
    console.print(table)
    for note in review.notes:
        console.print(f"[yellow]Note:[/] {note}", highlight=False)


def render_term_table(table: TermTable, console: Console) -> None:
    """Key terms side by side; each cell shows the value and the pages it is cited from."""
    from rich.table import Table

    out = Table(title="Key contract terms", show_lines=True, expand=True)
    out.add_column("Term", ratio=2)
    for _, source in table.documents:
        out.add_column(source, ratio=3)
    for row in table.rows:
        cells = []
        for cell in row.cells:
            pages = _pages_text(cell.values)
            cited = f"\n[dim]p. {pages}[/]" if pages else ""
            cells.append(f"[{STATUS_STYLE[cell.status]}]{cell.summary}[/]{cited}")
        out.add_row(row.name, *cells)
    console.print(out)


def render_template_diff(diff: TemplateDiff, console: Console) -> None:
    """Contract against template: the kind of difference per item, with pages on both sides."""
    from rich.table import Table

    out = Table(
        title=f"{diff.contract.source} against template {diff.template.source}",
        show_lines=True,
        expand=True,
    )
    out.add_column("Item", ratio=2)
    out.add_column("Difference", no_wrap=True)
    out.add_column("Contract (pages)", ratio=3)
    out.add_column("Template (pages)", ratio=3)
    out.add_column("Details", ratio=3)
    order = ("deviates", "missing", "added", "wording_differs", "same", "both_absent")
    for e in sorted(diff.entries, key=lambda e: order.index(e.kind)):
        mine, theirs = _pages_text(e.contract_values), _pages_text(e.template_values)
        out.add_row(
            e.name,
            f"[{KIND_STYLE[e.kind]}]{e.kind.replace('_', ' ')}[/]",
            f"{_values_text(e.contract_values) or e.contract_status}\n[dim]p. {mine or '—'}[/]",
            f"{_values_text(e.template_values) or e.template_status}\n[dim]p. {theirs or '—'}[/]",
            "\n".join(e.details),
        )
    console.print(out)


def compare_contracts(
    ctx: typer.Context, docs: list[str], json_out: bool, markdown: Path | None
) -> None:
    """Compare indexed contracts: a contract and its template → deviations and missing terms;
    otherwise a side-by-side table of key terms. Called by the shared `compare` command."""
    from assistant.review.comparison import TemplateDiff
    from assistant.review.markdown import diff_markdown, table_markdown
    from assistant.review.service import compare_indexed

    result = _with_store(ctx, lambda conn: compare_indexed(conn, docs))
    if markdown is not None:
        text = diff_markdown(result) if isinstance(result, TemplateDiff) else table_markdown(result)
        _write_markdown(markdown, text)
    if json_out:
        emit_json(result.to_json())
    elif isinstance(result, TemplateDiff):
        render_template_diff(result, stdout_console())
    else:
        render_term_table(result, stdout_console())


def review(
    ctx: typer.Context,
    doc: str = typer.Argument(..., help="doc_id or source file name of an ingested document."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
    markdown: Path | None = typer.Option(
        None, "--markdown", help="Also write the review as a Markdown report to this file."
    ),
    state_code: str | None = typer.Option(
        None,
        "--state",
        help="State whose prompt-pay law the payment terms are checked against (e.g. TN); "
        "by default the state the contract names.",
    ),
) -> None:
    """Check a contract against the payer-contract checklist, citing page and quote per item."""
    from assistant.review.markdown import review_markdown
    from assistant.review.prompt_pay import normalise_state
    from assistant.review.service import review_document

    if state_code is not None:
        normalise_state(state_code)  # a bad --state fails before the store is opened
    result = _with_store(ctx, lambda conn: review_document(conn, doc, state=state_code))
    if markdown is not None:
        _write_markdown(markdown, review_markdown(result))
    if json_out:
        emit_json(result.to_json())
    else:
        render_review(result, stdout_console())


def register(app: typer.Typer) -> None:
    app.command("review")(review)
