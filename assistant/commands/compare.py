"""`compare`: contracts side by side (DOC arguments), or payers' rates code by code (--rates)."""

from __future__ import annotations

from pathlib import Path

import typer

from assistant.commands.common import JSON_HELP


def compare(
    ctx: typer.Context,
    docs: list[str] | None = typer.Argument(
        None,
        help="Contracts to compare (doc_id or source name). A contract and its template give "
        "the deviations; several contracts give a side-by-side term table.",
    ),
    rates: bool = typer.Option(
        False, "--rates", help="Compare payers' rates code by code instead of contracts."
    ),
    payer: list[str] | None = typer.Option(
        None, "--payer", "-p", help="With --rates: a payer to include (repeat; default all)."
    ),
    codes: str | None = typer.Option(
        None, "--codes", help="With --rates: comma-separated codes (default: all billed codes)."
    ),
    csv: Path | None = typer.Option(None, "--csv", help="With --rates: also write a CSV file."),
    markdown: Path | None = typer.Option(
        None, "--markdown", help="With contracts: also write a Markdown report."
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Compare contracts' terms (each cell cited), or with --rates payers' rates code by code."""
    if rates or (not docs and payer):
        from assistant.commands.rates import compare_rates

        compare_rates(ctx, payer, codes, json_out, csv)
        return
    if not docs or len(docs) < 2:
        raise typer.BadParameter(
            "name at least two contracts (see `payer-assistant documents`), or use --rates",
            param_hint="DOCS",
        )
    from assistant.commands.review import compare_contracts

    compare_contracts(ctx, docs, json_out, markdown)


def register(app: typer.Typer) -> None:
    app.command("compare")(compare)
