"""Rate commands: gap, top, model, solve, walk-away, the rate importers, and the payer-comparison
renderer the shared `compare` command uses."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from assistant.commands.common import (
    JSON_HELP,
    PAYER_HELP,
    AcrossOpt,
    CarveOutsOpt,
    PayerOpt,
    PctOfOpt,
    ProposalTextOpt,
    connection,
    emit_json,
    printable,
    stderr_console,
    stdout_console,
)
from assistant.commands.importing import import_app
from assistant.errors import InputError
from assistant.rates.models import (
    Floor,
    GapResult,
    PayerComparison,
    Proposal,
    ProposalResult,
    SolveResult,
    Target,
    TargetIncrease,
    TargetRevenue,
    TopCodesResult,
    WalkAwayResult,
)
from assistant.rates.money import money_display as _money
from assistant.rates.money import pct_display as _pct
from assistant.rates.money import pct_number
from assistant.rates.proposals import (
    CARVE_OUT_HELP,
    build_proposal,
    parse_carve_out,
    parse_percent,
    proposal_from_parts,
    split_proposal_text,
)
from assistant.rates.service import Imported

CSV_HELP = "Also write the rows to this CSV file."
BENCHMARK_HELP = "medicare (default), an imported benchmark NAME, payer:NAME or market:NAME:p50."


def _code_label(row: dict[str, Any]) -> str:
    return row["code"] + (f"-{row['modifier']}" if row["modifier"] else "")


def _units(value: float | int) -> str:
    return f"{value:,}"


def _decimal(text: str, what: str) -> Decimal:
    from assistant.rates.money import parse_decimal

    try:
        return parse_decimal(text, comma_hint="write cents after a point: 1234.50")
    except ValueError as exc:
        raise InputError(f"{what} {exc}", f"give {what} as a number such as 250000") from None


def _write_csv(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        raise InputError(f"nothing to write to {path.name}: the result has no rows")
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _finish(data: dict[str, Any], table: Table, json_out: bool, csv_path: Path | None) -> None:
    if csv_path is not None:
        _write_csv(csv_path, data["rows"])
    if json_out:
        emit_json(data)
    else:
        stdout_console().print(table)


def render_gap(result: GapResult, limit: int | None = None) -> Table:
    data = result.to_json()
    pct = pct_number(result.pct_of_benchmark)
    table = Table(
        title=f"{result.payer} against {result.benchmark}: {_pct(pct)} of benchmark on your mix",
        caption=(
            f"Annual gap {_money(data['total_annual_gap'])} on {_units(data['total_units'])} "
            f"units; revenue {_money(data['total_revenue'])} vs "
            f"{_money(data['total_benchmark_revenue'])}, {result.basis}. "
            + (
                f"{len(result.missing)} code(s) not compared (see --json)."
                if result.missing
                else ""
            )
        ),
    )
    for name in ("Code", "Rate", "Benchmark", "% of bench", "Units", "Gap/unit", "Annual gap"):
        table.add_column(name, justify="left" if name == "Code" else "right")
    rows = data["rows"][:limit] if limit else data["rows"]
    for row in rows:
        table.add_row(
            _code_label(row),
            _money(row["rate"]),
            _money(row["benchmark_rate"]),
            _pct(row["pct_of_benchmark"]),
            _units(row["units"]),
            _money(row["gap_per_unit"]),
            _money(row["annual_gap"]),
        )
    return table


def render_top(result: TopCodesResult) -> Table:
    data = result.to_json()
    who = result.payer or "all payers"
    table = Table(
        title=f"Top {len(result.rows)} of {result.codes_considered} codes by {result.by}, {who}",
        caption=f"Total {_money(data['total_revenue'])} on {_units(data['total_units'])} units",
    )
    for name in ("Code", "Units", "Revenue", "Share", "Cumulative"):
        table.add_column(name, justify="left" if name == "Code" else "right")
    for row in data["rows"]:
        table.add_row(
            _code_label(row),
            _units(row["units"]),
            _money(row["revenue"]),
            _pct(row["share"]),
            _pct(row["cumulative_share"]),
        )
    return table


def render_payer_comparison(result: PayerComparison) -> Table:
    """Payers side by side: each cell the rate and its percent of the benchmark."""
    data = result.to_json()
    table = Table(
        title=f"Rates by payer, as % of {result.benchmark or 'no benchmark'}",
        caption=f"All codes: {result.basis}" if result.shares else None,
    )
    table.add_column("Code")
    table.add_column(result.benchmark or "Benchmark", justify="right")
    for payer in result.payers:
        table.add_column(payer, justify="right")
    for row in data["rows"]:
        cells = [
            f"{_money(row['rates'][p]['rate'])} ({_pct(row['rates'][p]['pct_of_benchmark'])})"
            if row["rates"][p]["rate"] is not None
            else "—"
            for p in result.payers
        ]
        table.add_row(_code_label(row), _money(row["benchmark_rate"]), *cells)
    basket = data["basket_pct_of_benchmark"]
    table.add_section()
    table.add_row("All codes", "", *(_pct(basket[p]) for p in result.payers))
    return table


def compare_rates(
    ctx: typer.Context,
    payers: list[str] | None,
    codes: str | None,
    json_out: bool,
    csv: Path | None,
) -> None:
    """Compare payers' rates code by code (the lead's `compare` command dispatches here)."""
    from assistant.rates import service

    with connection(ctx) as conn:
        result = service.compare_payers(conn, payers or None, codes)
    data = result.to_json()
    if csv is not None:
        flat = [
            {
                "code": row["code"],
                "modifier": row["modifier"],
                "benchmark_rate": row["benchmark_rate"],
                **{f"{p} rate": row["rates"][p]["rate"] for p in result.payers},
                **{f"{p} pct": row["rates"][p]["pct_of_benchmark"] for p in result.payers},
            }
            for row in data["rows"]
        ]
        _write_csv(csv, flat)
    if json_out:
        emit_json(data)
    else:
        stdout_console().print(render_payer_comparison(result))


def render_proposal(result: ProposalResult, limit: int | None = None) -> Table:
    data = result.to_json()
    table = Table(
        title=f"{result.payer}: {data['proposal']}",
        caption=(
            f"Revenue {_money(data['total_current'])} → {_money(data['total_proposed'])} "
            f"({_money(data['total_delta'])}, {_pct(data['pct_change'])}), {result.basis}"
        ),
    )
    for name in ("Code", "Current", "Proposed", "Units", "Current rev.", "Proposed rev.", "Delta"):
        table.add_column(name, justify="left" if name == "Code" else "right")
    rows = sorted(data["rows"], key=lambda r: -abs(Decimal(r["delta"])))
    for row in rows[:limit] if limit else rows:
        table.add_row(
            _code_label(row),
            _money(row["current_rate"]),
            _money(row["proposed_rate"]),
            _units(row["units"]),
            _money(row["current_revenue"]),
            _money(row["proposed_revenue"]),
            _money(row["delta"]),
        )
    return table


def render_solve(result: SolveResult) -> Table:
    data = result.to_json()
    table = Table(
        title=f"{result.payer}: counter-proposal reaching {_money(data['target_revenue'])}"
    )
    table.add_column("")
    table.add_column("", justify="right")
    value = data["solution"]["value"]
    answer = f"{value:.2f}% of {result.basis}" if result.basis else f"{value:+.2f}% on every rate"
    table.add_row("Ask for", answer)
    table.add_row("Proposal modelled", data["proposal"])
    table.add_row("Current revenue", _money(data["current_revenue"]))
    table.add_row("Resulting revenue", _money(data["resulting_revenue"]))
    return table


def render_walk_away(result: WalkAwayResult) -> Table:
    verdict = "clears" if result.clears else "does NOT clear"
    table = Table(title=f"{result.payer}: {result.proposal} — {verdict} the floor")
    for name in ("Check", "Required", "Offer", "OK"):
        table.add_column(name)
    for check in result.checks:
        table.add_row(check.name, check.required, check.actual, "yes" if check.passed else "NO")
    return table


def _proposal_options(
    text: str | None,
    across_the_board: str | None,
    pct_of: tuple[str, str] | None,
    rates: Path | None,
    carve_out: list[str] | None,
) -> Proposal:
    """The proposal the options describe: `--proposal TEXT` (read as the app and the chat read
    it) or one base option; --carve-out adds carve-outs to either."""
    if text is None:
        return build_proposal(
            across_the_board=across_the_board,
            pct_of=pct_of,
            rates_file=rates,
            carve_outs=carve_out or [],
        )
    if any(o is not None for o in (across_the_board, pct_of, rates)):
        raise InputError(
            "give --proposal TEXT or a base option (--across-the-board, --pct-of, --rates), "
            "not both",
            "put the whole proposal in --proposal, e.g. --proposal '105% of Medicare; em=3'",
        )
    base, carve_outs = split_proposal_text(text)
    return proposal_from_parts(base, [*carve_outs, *(carve_out or [])])


Rates = Annotated[
    Path | None, typer.Option("--rates", help="A per-code proposed rates file (CSV or XLSX).")
]


def register(app: typer.Typer) -> None:
    """Add the rate commands and importers."""

    @app.command("gap")
    def gap_command(
        ctx: typer.Context,
        payer: PayerOpt,
        benchmark: Annotated[str, typer.Option("--benchmark", help=BENCHMARK_HELP)] = "medicare",
        limit: Annotated[
            int | None, typer.Option("--limit", min=1, help="Show only the N largest gaps.")
        ] = None,
        csv_path: Annotated[Path | None, typer.Option("--csv", help=CSV_HELP)] = None,
        json_out: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    ) -> None:
        """Code-level gap of a payer's rates against Medicare or another benchmark."""
        from assistant.rates import service

        with connection(ctx) as conn:
            result = service.gap(conn, payer, benchmark)
        _finish(result.to_json(), render_gap(result, limit), json_out, csv_path)

    @app.command("top")
    def top_command(
        ctx: typer.Context,
        payer: Annotated[
            str | None, typer.Option("--payer", help=PAYER_HELP + " Default: all.")
        ] = None,
        by: Annotated[
            str, typer.Option("--by", help="revenue (units × rate) or volume.")
        ] = "revenue",
        limit: Annotated[int, typer.Option("--limit", min=1, help="How many codes.")] = 25,
        csv_path: Annotated[Path | None, typer.Option("--csv", help=CSV_HELP)] = None,
        json_out: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    ) -> None:
        """The codes that carry the practice's revenue (negotiate these first)."""
        from assistant.rates import service

        with connection(ctx) as conn:
            result = service.top_codes(conn, payer, by, limit)
        _finish(result.to_json(), render_top(result), json_out, csv_path)

    @app.command("model")
    def model_command(
        ctx: typer.Context,
        payer: PayerOpt,
        proposal_text: ProposalTextOpt = None,
        across_the_board: AcrossOpt = None,
        pct_of: PctOfOpt = None,
        rates: Rates = None,
        carve_out: CarveOutsOpt = None,
        limit: Annotated[
            int | None, typer.Option("--limit", min=1, help="Show only the N largest deltas.")
        ] = None,
        csv_path: Annotated[Path | None, typer.Option("--csv", help=CSV_HELP)] = None,
        json_out: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    ) -> None:
        """Model a proposal's effect on your revenue, code by code."""
        from assistant.rates import service

        proposal = _proposal_options(proposal_text, across_the_board, pct_of, rates, carve_out)
        with connection(ctx) as conn:
            result = service.model(conn, payer, proposal)
        _finish(result.to_json(), render_proposal(result, limit), json_out, csv_path)

    @app.command("solve")
    def solve_command(
        ctx: typer.Context,
        payer: PayerOpt,
        target_revenue: Annotated[
            str | None,
            typer.Option("--target-revenue", help="Total annual revenue to reach from this payer."),
        ] = None,
        target_increase: Annotated[
            str | None, typer.Option("--target-increase", help="Percent revenue increase to reach.")
        ] = None,
        basis: Annotated[
            str | None,
            typer.Option(
                "--basis", help="Solve for a percent of this benchmark (else a uniform change)."
            ),
        ] = None,
        carve_out: Annotated[
            list[str] | None,
            typer.Option("--carve-out", help="Codes held at their own rule: " + CARVE_OUT_HELP),
        ] = None,
        json_out: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    ) -> None:
        """Find the single percent that reaches a revenue target (a counter-proposal)."""
        from assistant.rates import service

        if (target_revenue is None) == (target_increase is None):
            raise InputError(
                "give exactly one of --target-revenue X or --target-increase PCT",
                "e.g. `payer-assistant solve --payer Aetna --target-increase 6 --basis medicare`",
            )
        target: Target = (
            TargetRevenue(_decimal(target_revenue, "target revenue"))
            if target_revenue is not None
            else TargetIncrease(parse_percent(str(target_increase)))
        )
        carve_outs = [parse_carve_out(c) for c in carve_out or []]
        with connection(ctx) as conn:
            result = service.solve(conn, payer, target, basis, carve_outs)
        if json_out:
            emit_json(result.to_json())
        else:
            stdout_console().print(render_solve(result))

    @app.command("walk-away")
    def walk_away_command(
        ctx: typer.Context,
        payer: PayerOpt,
        proposal_text: ProposalTextOpt = None,
        across_the_board: AcrossOpt = None,
        pct_of: PctOfOpt = None,
        rates: Rates = None,
        carve_out: CarveOutsOpt = None,
        min_revenue: Annotated[
            str | None, typer.Option("--min-revenue", help="Lowest total.")
        ] = None,
        min_increase: Annotated[
            str | None, typer.Option("--min-increase", help="Lowest revenue change in percent.")
        ] = None,
        min_pct_of: Annotated[
            str | None,
            typer.Option(
                "--min-pct-of", help="No billed code below this percent of the benchmark."
            ),
        ] = None,
        floor_benchmark: Annotated[
            str, typer.Option("--floor-benchmark", help="Benchmark for --min-pct-of.")
        ] = "medicare",
        json_out: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    ) -> None:
        """Does an offer clear the practice's walk-away floor?"""
        from assistant.rates import service

        proposal = _proposal_options(proposal_text, across_the_board, pct_of, rates, carve_out)
        floor = Floor(
            min_revenue=None if min_revenue is None else _decimal(min_revenue, "minimum revenue"),
            min_pct_change=None if min_increase is None else parse_percent(min_increase),
            min_pct_of_benchmark=None if min_pct_of is None else parse_percent(min_pct_of),
            benchmark=floor_benchmark,
        )
        with connection(ctx) as conn:
            result = service.walk_away(conn, payer, proposal, floor)
        if json_out:
            emit_json(result.to_json())
        else:
            stdout_console().print(render_walk_away(result))

    _register_importers()


DecimalComma = Annotated[
    bool,
    typer.Option(
        "--decimal-comma",
        help="Numbers are written 1.234,50 (comma before the cents). Without it such cells "
        "are refused, never guessed.",
    ),
]
Sheet = Annotated[
    str | None, typer.Option("--sheet", help="The XLSX sheet to read (default: the first).")
]


def report_import(json_out: bool, done: Imported, next_step: str = "") -> None:
    """An import's result as the CLI prints it: its JSON, or its sentence and warnings."""
    if json_out:
        emit_json(done.to_json())
        return
    stdout_console().print(done.summary + next_step, highlight=False, markup=False)
    err = stderr_console()
    for warning in done.warnings:
        err.print(Text.assemble(("Warning:", "yellow"), " ", printable(warning)))


def _register_importers() -> None:
    @import_app.command("fees")
    def import_fees_command(
        ctx: typer.Context,
        file: Annotated[
            Path, typer.Argument(help="CSV or XLSX: code, modifier, rate, description.")
        ],
        payer: PayerOpt,
        effective: Annotated[str | None, typer.Option("--effective", help="YYYY-MM-DD.")] = None,
        decimal_comma: DecimalComma = False,
        sheet: Sheet = None,
        json_out: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    ) -> None:
        """Import a payer's fee schedule (replaces the current one; the old one is kept)."""
        from assistant.rates import service

        with connection(ctx) as conn:
            done = service.import_fees(
                conn, file, payer, effective, decimal_comma=decimal_comma, sheet=sheet
            )
        report_import(json_out, done, f" Next: `payer-assistant gap --payer {done.data['payer']}`")

    @import_app.command("volumes")
    def import_volumes_command(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="CSV or XLSX: payer, code, modifier, units.")],
        decimal_comma: DecimalComma = False,
        sheet: Sheet = None,
        json_out: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    ) -> None:
        """Import annual units per payer per code (replaces those payers' volumes)."""
        from assistant.rates import service

        with connection(ctx) as conn:
            done = service.import_volumes(conn, file, decimal_comma=decimal_comma, sheet=sheet)
        report_import(json_out, done)

    @import_app.command("medicare")
    def import_medicare_command(
        ctx: typer.Context,
        rvu_file: Annotated[Path, typer.Argument(help="CMS PPRRVU CSV (2025 or 2026 layout).")],
        gpci: Annotated[
            Path | None, typer.Option("--gpci", help="CMS GPCI CSV (Addendum E).")
        ] = None,
        locality: Annotated[
            str | None,
            typer.Option(
                "--locality", help="MAC-LOCALITY (02402-02), STATE-LOCALITY (WA-02) or name."
            ),
        ] = None,
        setting: Annotated[
            str, typer.Option("--setting", help="nonfacility or facility.")
        ] = "nonfacility",
        cf: Annotated[
            str | None, typer.Option("--cf", help="Conversion factor (default: file's).")
        ] = None,
        name: Annotated[str, typer.Option("--name", help="Benchmark name.")] = "medicare",
        json_out: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    ) -> None:
        """Import the Medicare benchmark from the CMS physician fee schedule files."""
        from assistant.rates import service

        with connection(ctx) as conn:
            done = service.import_medicare(
                conn,
                rvu_file,
                gpci=gpci,
                locality=locality,
                setting=setting,
                conversion_factor=cf,
                name=name,
            )
        report_import(json_out, done)

    @import_app.command("benchmark")
    def import_benchmark_command(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="CSV or XLSX: code, modifier, rate.")],
        name: Annotated[str, typer.Option("--name", help="Benchmark name, e.g. survey-2025.")],
        decimal_comma: DecimalComma = False,
        sheet: Sheet = None,
        json_out: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    ) -> None:
        """Import a market survey (code, modifier, rate) as a named benchmark."""
        from assistant.rates import service

        with connection(ctx) as conn:
            done = service.import_survey(conn, file, name, decimal_comma=decimal_comma, sheet=sheet)
        report_import(json_out, done)

    @import_app.command("market")
    def import_market_command(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="TiC in-network-rates JSON (or .json.gz).")],
        name: Annotated[str, typer.Option("--name", help="Benchmark name.")],
        billing_class: Annotated[
            str, typer.Option("--billing-class", help="professional or institutional.")
        ] = "professional",
        json_out: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    ) -> None:
        """Import market percentiles (P25/median/P75) from a Transparency in Coverage file."""
        from assistant.rates import service

        with connection(ctx) as conn:
            done = service.import_market(conn, file, name, billing_class)
        report_import(json_out, done)
