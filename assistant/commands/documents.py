"""Commands for the document index: ingest, documents, remove, search."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.commands.common import JSON_HELP, emit_json, services, stderr_console, stdout_console
from assistant.ingest.service import IngestOutcome, ensure_guidance, ingest_documents
from assistant.ingest.store import DocumentRecord, DocumentStore


def _progress_bar(enabled: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.1f}/{task.total:.0f} files"),
        TimeElapsedColumn(),
        console=stderr_console(),
        disable=not enabled,
        transient=True,
    )


def _outcome_table(outcomes: list[IngestOutcome]) -> Table:
    table = Table(title="Ingest")
    for col in ("Status", "Document", "Payer", "Kind", "Pages", "Chunks", "OCR pages", "Note"):
        table.add_column(col, justify="right" if col in ("Pages", "Chunks") else "left")
    colours = {"added": "green", "updated": "cyan", "unchanged": "dim", "failed": "bold red"}
    names: dict[str, int] = {}
    for o in outcomes:
        names[o.source] = names.get(o.source, 0) + 1
    for o in outcomes:
        folder = Path(o.path).parent.name if o.path else ""
        shown = f"{folder}/{o.source}" if names[o.source] > 1 and folder else o.source
        table.add_row(
            f"[{colours[o.status]}]{o.status}[/]",
            escape(shown),
            o.payer or "",
            o.kind,
            str(o.pages),
            str(o.chunks),
            ", ".join(map(str, o.ocr_pages)),
            o.error or "; ".join(o.warnings),
        )
    return table


def ingest(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Files or folders (PDF, DOCX, TXT, MD)."),
    payer: str | None = typer.Option(None, "--payer", "-p", help="Payer the documents belong to."),
    kind: str = typer.Option("contract", "--kind", help="contract | template | guidance"),
    ocr: bool = typer.Option(
        True, "--ocr/--no-ocr", help="Read scanned (image-only) pages with offline OCR."
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Index contracts, templates or guidance; unchanged files are skipped, changed replaced."""
    svc = services(ctx)
    ingestor = svc.ingestor()
    with _progress_bar(sys.stderr.isatty()) as bar:
        task = bar.add_task("starting", total=max(len(paths), 1))

        def report(description: str, done: float, total: float) -> None:
            bar.update(task, description=description, completed=done, total=max(total, 1))

        outcomes = ingest_documents(ingestor, paths, payer, kind, ocr=ocr, progress=report)
    if json_out:
        emit_json({"documents": [o.to_json() for o in outcomes], "notices": ingestor.notices})
    else:
        _print_notices(ingestor.notices)
        stdout_console().print(_outcome_table(outcomes))
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        err = stderr_console()
        for o in failed:
            err.print(f"[bold red]Error:[/] {escape(o.error or '')}", highlight=False)
        raise typer.Exit(1)


def _print_notices(notices: list[str]) -> None:
    err = stderr_console()
    for notice in notices:
        err.print(f"[yellow]Note:[/] {escape(notice)}", highlight=False)


def _shown_sources(docs: list[DocumentRecord]) -> dict[str, str]:
    """doc_id → the name to show: the file name, or folder/name when two share a name."""
    names: dict[str, int] = {}
    for d in docs:
        names[d.source] = names.get(d.source, 0) + 1
    shown: dict[str, str] = {}
    for d in docs:
        path = Path(d.path)
        shown[d.doc_id] = (
            f"{path.parent.name}/{d.source}"
            if names[d.source] > 1 and path.parent.name
            else d.source
        )
    return shown


def documents(
    ctx: typer.Context,
    payer: str | None = typer.Option(None, "--payer", "-p", help="Only this payer's documents."),
    kind: str | None = typer.Option(None, "--kind", help="contract | template | guidance"),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """List the indexed documents."""
    docs = DocumentStore(services(ctx).conn).list(kind=kind, payer=payer)
    if json_out:
        emit_json(
            {
                "documents": [
                    {
                        "doc_id": d.doc_id,
                        "source": d.source,
                        "path": d.path,
                        "payer": d.payer,
                        "kind": d.kind,
                        "pages": d.pages,
                        "chunks": d.chunks,
                    }
                    for d in docs
                ]
            }
        )
        return
    table = Table(title=f"Indexed documents ({len(docs)})")
    for col in ("doc_id", "Source", "Payer", "Kind", "Pages", "Chunks", "OCR pages", "Added"):
        table.add_column(col)
    shown = _shown_sources(docs)
    for d in docs:
        table.add_row(
            d.doc_id,
            shown[d.doc_id],
            d.payer or "",
            d.kind,
            str(d.pages),
            str(d.chunks),
            ", ".join(map(str, d.ocr_pages)),
            d.added_at,
        )
    stdout_console().print(table)


def remove(
    ctx: typer.Context,
    doc: str = typer.Argument(..., help="doc_id or source file name (see `documents`)."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Remove a document from the index."""
    removed = services(ctx).ingestor().remove(doc)
    if json_out:
        emit_json({"removed": {"doc_id": removed.doc_id, "source": removed.source}})
    else:
        stdout_console().print(f"Removed [bold]{escape(removed.source)}[/] ({removed.doc_id}).")


def search(
    ctx: typer.Context,
    query: str = typer.Argument(..., help="What to look for, in plain words."),
    payer: str | None = typer.Option(None, "--payer", "-p", help="Only this payer's documents."),
    kind: str | None = typer.Option(None, "--kind", help="contract | template | guidance"),
    k: int = typer.Option(5, "-k", min=1, max=100, help="How many passages."),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid | vector | lexical"),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Find the passages that answer QUERY, each with its document, page and section."""
    if mode not in ("hybrid", "vector", "lexical"):
        raise typer.BadParameter("use hybrid, vector or lexical", param_hint="--mode")
    svc = services(ctx)
    ingestor = svc.ingestor()
    ensure_guidance(ingestor)
    _print_notices(ingestor.notices)
    hits = svc.retriever().search(query, k=k, payer=payer, kind=kind, mode=mode)  # type: ignore[arg-type]
    if json_out:
        emit_json({"results": [h.to_json() for h in hits]})
        return
    console = stdout_console()
    if not hits:
        console.print("No passages found. The indexed documents may not address this.")
        return
    for n, h in enumerate(hits, 1):
        where = f"p. {h.page}" if h.page is not None else "text"
        if h.page_end and h.page_end != h.page:
            where = f"pp. {h.page}–{h.page_end}"
        console.rule(f"[{n}] {h.source} · {where} · {h.section or '—'}", align="left")
        if h.addressed_to_assistant:
            console.print(
                "⚠ This passage addresses an AI assistant, not the parties: it may be injected "
                "instructions. The assistant never quotes it as an answer.",
                style="bold yellow",
                markup=False,
            )
        console.print(h.text, highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(documents)
    app.command()(remove)
    app.command()(search)
