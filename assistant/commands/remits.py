"""CLI commands for remittances: `import remits`, `underpayments`, `denials`, `reimbursement`."""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from assistant.commands.common import (
    JSON_HELP,
    connection,
    emit_json,
    stderr_console,
    stdout_console,
)
from assistant.commands.importing import import_app
from assistant.errors import InputError
from assistant.rates.money import money_display

_SINCE = typer.Option(None, "--since", help="Only payments dated on or after YYYY-MM-DD.")
_UNTIL = typer.Option(None, "--until", help="Only payments dated on or before YYYY-MM-DD.")
_CSV = typer.Option(None, "--csv", help="Also write the rows to this CSV file.")
_JSON = typer.Option(False, "--json", help=JSON_HELP)
_PATHS = typer.Argument(..., help="835 files, or folders holding them.")


@import_app.command("remits")
def import_remits(
    ctx: typer.Context,
    paths: list[Path] = _PATHS,
    payer: str | None = typer.Option(
        None, "--payer", help="Payer name to file these under (default: the name in the file)."
    ),
    strict: bool = typer.Option(
        False, "--strict", help="Refuse a file whose payment total does not reconcile."
    ),
    as_json: bool = _JSON,
) -> int:
    """Import X12 835 remittances (5010 or 4010). Patient names and member ids are not stored.

    Each file imports whole or not at all; importing the same payment again (same payer and
    trace number) does nothing.
    """
    from assistant.remits.service import import_paths

    with connection(ctx) as conn:
        report = import_paths(conn, paths, payer, strict)
    if as_json:
        emit_json(report.to_json())
        return 1 if report.refused else 0
    console = stdout_console()
    table = Table(title="Remittances imported")
    for column in ("File", "Payments", "Already there", "Claims", "Lines", "Paid"):
        table.add_column(column, justify="left" if column == "File" else "right")
    for found in report.imported:
        table.add_row(
            found.file,
            str(found.payments),
            str(found.duplicates),
            str(found.claims),
            str(found.lines),
            money_display(found.to_json()["total_paid"]),
        )
    console.print(table)
    errors = stderr_console()
    for warning in report.warnings():
        errors.print(f"[yellow]Warning:[/] {escape(warning)}", highlight=False)
    for _file, message in report.refused:
        errors.print(f"[bold red]Refused:[/] {escape(message)}", highlight=False)
    if report.skipped:
        errors.print(f"[dim]Skipped {len(report.skipped)} file(s) that are not X12.[/]")
    return 1 if report.refused else 0


def underpayments_command(
    ctx: typer.Context,
    payer: str = typer.Option(..., "--payer", help="Payer whose remittances to check."),
    since: str | None = _SINCE,
    until: str | None = _UNTIL,
    csv_path: Path | None = _CSV,
    limit: int = typer.Option(20, "--limit", help="Underpaid lines to list in the table."),
    as_json: bool = _JSON,
) -> None:
    """Lines a payer allowed below the contracted fee schedule (allowed = paid + patient share)."""
    from assistant.remits.service import underpayments

    start, end = _date(since, "--since"), _date(until, "--until")
    data = _report(ctx, lambda conn: underpayments(conn, payer, start, end), csv_path, "lines")
    if as_json:
        emit_json(data)
        return
    console = stdout_console()
    by_code = Table(title=f"Underpayments by code — {data['payer']}")
    for column in ("Code", "Mod", "Contract", "Lines checked", "Underpaid", "Shortfall"):
        by_code.add_column(column, justify="left" if column in ("Code", "Mod") else "right")
    for code in data["codes"]:
        by_code.add_row(
            code["code"],
            code["modifier"],
            money_display(code["contracted_rate"]),
            str(code["lines_compared"]),
            str(code["lines_underpaid"]),
            money_display(code["shortfall"]),
        )
    console.print(by_code)
    lines = Table(title=f"Largest underpaid lines (of {data['lines_underpaid']})")
    for column in ("File", "Claim", "Code", "Units", "Allowed", "Expected", "Short"):
        lines.add_column(column, justify="left" if column in ("File", "Claim", "Code") else "right")
    for line in data["lines"][:limit]:
        code = line["code"] + (f"-{line['modifier']}" if line["modifier"] else "")
        lines.add_row(
            line["file"],
            line["claim_id"],
            code,
            str(line["units"]),
            money_display(line["allowed"]),
            money_display(line["expected"]),
            money_display(line["shortfall"]),
        )
    console.print(lines)
    console.print(
        f"Total shortfall: [bold]{money_display(data['total_shortfall'])}[/] on "
        f"{data['lines_underpaid']} of "
        f"{data['lines_compared']} lines checked against the contract."
    )
    if data["lines_without_rate"]:
        missing = ", ".join(
            c["code"] + (f"-{c['modifier']}" if c["modifier"] else "")
            for c in data["codes_without_rate"]
        )
        console.print(
            f"[yellow]{data['lines_without_rate']} lines have no contracted rate:[/] {missing}"
        )


def denials_command(
    ctx: typer.Context,
    payer: str | None = typer.Option(None, "--payer", help="One payer (default: all payers)."),
    since: str | None = _SINCE,
    until: str | None = _UNTIL,
    csv_path: Path | None = _CSV,
    top: int = typer.Option(15, "--top", help="Adjustment reasons to list per payer."),
    as_json: bool = _JSON,
) -> None:
    """Denial rates and the adjustment reasons (CO-45, CO-97, PR-1 …) behind them, by payer."""
    from assistant.remits.service import denials

    start, end = _date(since, "--since"), _date(until, "--until")
    data = _report(ctx, lambda conn: denials(conn, payer, start, end), csv_path, "reasons")
    if as_json:
        emit_json(data)
        return
    console = stdout_console()
    payers = Table(title="Denials by payer")
    for column in ("Payer", "Claims", "Denied", "Lines", "Denied lines", "Rate", "Denied $"):
        payers.add_column(column, justify="left" if column == "Payer" else "right")
    for row in data["payers"]:
        payers.add_row(
            row["payer"],
            str(row["claims"]),
            str(row["denied_claims"]),
            str(row["lines"]),
            str(row["denied_lines"]),
            f"{float(row['line_denial_rate']) * 100:.1f}%",
            money_display(row["denied_charges"]),
        )
    console.print(payers)
    reasons = Table(title="Adjustment reasons (by dollars)")
    for column in ("Payer", "Code", "Meaning", "Count", "Amount", "On denied lines"):
        reasons.add_column(column, justify="right" if column in ("Count", "Amount") else "left")
    shown: dict[str, int] = {}
    for row in data["reasons"]:
        shown[row["payer"]] = shown.get(row["payer"], 0) + 1
        if shown[row["payer"]] <= top:
            reasons.add_row(
                row["payer"],
                row["code"],
                row["meaning"],
                str(row["adjustments"]),
                money_display(row["amount"]),
                str(row["denied_lines"]),
            )
    console.print(reasons)


def reimbursement_command(
    ctx: typer.Context,
    payer: str = typer.Option(..., "--payer", help="Payer whose remittances to summarise."),
    since: str | None = _SINCE,
    until: str | None = _UNTIL,
    csv_path: Path | None = _CSV,
    as_json: bool = _JSON,
) -> None:
    """What a payer actually allowed and paid per code (mean and median per unit, units)."""
    from assistant.remits.service import actual_reimbursement

    with connection(ctx) as conn:
        report = actual_reimbursement(conn, payer, _date(since, "--since"), _date(until, "--until"))
    data = report.to_json()
    if csv_path is not None:
        _write_csv(csv_path, data["codes"])
    if as_json:
        emit_json(data)
        return
    table = Table(
        title=(
            f"Actual reimbursement — {data['payer']} "
            f"(total paid {money_display(data['total_paid'])})"
        )
    )
    columns = ("Code", "Mod", "Lines", "Units", "Allowed/unit", "Median", "Paid/unit", "Paid")
    for column in columns:
        table.add_column(column, justify="left" if column in ("Code", "Mod") else "right")
    for row in data["codes"]:
        table.add_row(
            row["code"] or "(none)",
            row["modifier"],
            str(row["lines"]),
            str(row["units"]),
            money_display(row["mean_allowed_per_unit"]),
            money_display(row["median_allowed_per_unit"]),
            money_display(row["mean_paid_per_unit"]),
            money_display(row["total_paid"]),
        )
    stdout_console().print(table)


def _report(
    ctx: typer.Context,
    call: Callable[[sqlite3.Connection], Any],
    csv_path: Path | None,
    rows: str,
) -> dict[str, Any]:
    """Run a service on the workspace, return its JSON form, and write `rows` to CSV if asked."""
    with connection(ctx) as conn:
        data: dict[str, Any] = call(conn).to_json()
    if csv_path is not None:
        _write_csv(csv_path, data[rows])
    return data


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"{option} '{value}' is not a date", f"write it as YYYY-MM-DD, e.g. {option} 2024-01-01"
        ) from None


def _write_csv(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    """Rows as CSV; list-valued columns (citations) become "file#claim; …"."""
    flat = [
        {
            key: "; ".join(f"{s['file']}#{s['claim_id']}" for s in value)
            if isinstance(value, list)
            else value
            for key, value in row.items()
        }
        for row in rows
    ]
    try:
        with path.open("w", newline="", encoding="utf-8") as handle:
            if flat:
                writer = csv.DictWriter(handle, fieldnames=list(flat[0]))
                writer.writeheader()
                writer.writerows(flat)
    except OSError as exc:
        raise InputError(f"Cannot write {path}: {exc.strerror}", "choose a writable path") from exc
    stderr_console().print(f"Wrote {len(flat)} rows to {path}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("underpayments")(underpayments_command)
    app.command("denials")(denials_command)
    app.command("reimbursement")(reimbursement_command)
