"""The `eval` command: run the evaluation suites, print their figures, gate them by thresholds."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.commands.common import JSON_HELP, emit_json, state, stderr_console, stdout_console
from assistant.errors import InputError

if TYPE_CHECKING:
    from assistant.evals.results import GatedSuite


def _render(suites: list[GatedSuite], model: str) -> None:
    from rich.table import Table

    from assistant.evals.results import bound_text

    console = stdout_console()
    for s in suites:
        verdict = "[green]passed[/]" if s.passed else "[bold red]FAILED[/]"
        table = Table(title=f"{s.result.name}: {verdict} ({s.result.cases} cases, model {model})")
        table.add_column("metric")
        table.add_column("value", justify="right")
        table.add_column("threshold", justify="right")
        table.add_column("")
        for metric, value in s.result.metrics.items():
            ok = s.status(metric)
            mark = "" if ok is None else ("[green]ok[/]" if ok else "[bold red]below[/]")
            table.add_row(metric, f"{value:.4g}", bound_text(s, metric), mark)
        console.print(table)
        failures = (*s.breaches, *s.result.failures)
        if failures:
            console.print(f"[dim]{len(failures)} failure(s); --report FILE.md lists them all[/]")
            for f in failures[:5]:
                console.print(
                    f"  {f.case_id or '(suite)'} {f.metric}: expected {f.expected}, got {f.got}",
                    highlight=False,
                    markup=False,
                )


def _write_report(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"Cannot write the report to {path}: {exc.strerror}", "choose a writable path"
        ) from exc
    stderr_console().print(f"[dim]Report written to {path}[/]", highlight=False)


def eval_command(
    ctx: typer.Context,
    suite: Annotated[
        list[str] | None,
        typer.Option("--suite", help="retrieval, checklist or answers (repeatable; default all)."),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", help="Model for the answers suite: 'offline' or provider:name."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="Also write a Markdown report to this file.")
    ] = None,
    cuad: Annotated[
        Path | None,
        typer.Option("--cuad", help="CUAD folder (default ../shared/data/cuad by the checkout)."),
    ] = None,
    demo_workspace: Annotated[
        Path | None,
        typer.Option(
            "--demo-workspace",
            help="Demo workspace for the answers suite (default WORKSPACE/evals/demo, built "
            "on first run).",
        ),
    ] = None,
    thresholds: Annotated[
        Path | None,
        typer.Option("--thresholds", help="Thresholds file (default evals/thresholds.yaml)."),
    ] = None,
) -> int:
    """Measure retrieval, contract review and answers; exit 1 when a metric misses its threshold.

    Thresholds are in evals/thresholds.yaml (or --thresholds FILE). Each suite runs on a
    workspace of its own under WORKSPACE/evals/ (CUAD contracts; the demo practice; the demo
    practice plus documents carrying injected instructions), built on first use and reused.
    """
    from assistant.evals.results import to_json, to_markdown
    from assistant.evals.runner import EvalPlan, check_suites, default_cuad_dir, run_plan

    settings = state(ctx).settings
    plan = EvalPlan(
        suites=check_suites(suite or []),
        model=(model or settings.model).strip(),
        work_dir=settings.workspace / "evals",
        cuad_dir=cuad or default_cuad_dir(),
        demo_workspace=demo_workspace,
        thresholds_file=thresholds,
    )
    console = stderr_console()
    suites = run_plan(
        settings, plan, lambda text: console.print(f"[dim]{text}[/]", highlight=False)
    )
    if report is not None:
        _write_report(report, to_markdown(suites, plan.model))
    if as_json:
        emit_json(to_json(suites))
    else:
        _render(suites, plan.model)
    return 0 if all(s.passed for s in suites) else 1


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)
