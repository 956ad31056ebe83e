"""The `eval` command: run the evaluation suites, print their figures, gate them by thresholds."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.commands.common import JSON_HELP, emit_json, state, stderr_console, stdout_console
from assistant.errors import AssistantError, ConfigError, InputError

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


eval_app = typer.Typer(
    help="Measure retrieval, contract review and answers (the built-in suites or your dataset).",
    invoke_without_command=True,
    no_args_is_help=False,
)


def _progress_bar() -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("[dim]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr_console(),
        transient=True,
    )


def _run_dataset(
    ctx: typer.Context,
    dataset: Path,
    corpus: Path | None,
    model: str | None,
    k: int,
    as_json: bool,
    report: Path | None,
    junit: Path | None,
    fail_under: list[str],
) -> int:
    from assistant.commands.common import services
    from assistant.evals.dataset import AnswerDataset, DatasetError, load_dataset
    from assistant.evals.dataset_report import missed, parse_thresholds, to_junit, to_markdown
    from assistant.evals.dataset_run import run_dataset

    settings = state(ctx).settings
    spec = (model or settings.model).strip()
    try:
        thresholds = parse_thresholds(fail_under)
        if k < 1:
            raise InputError(f"-k {k} must be at least 1", "e.g. -k 5")
        data = load_dataset(dataset, corpus)
    except InputError as error:
        # Bad input, before anything ran: exit 2 (1 means a threshold was missed).
        _bad_input(error, as_json)
        return 2
    try:
        svc = services(ctx)
        total = len(data.items) if isinstance(data, AnswerDataset) else len(data.tests)
        with _progress_bar() as bar:
            task = bar.add_task(f"{dataset.name}: loading", total=total)

            def advance(label: str) -> None:
                bar.update(task, advance=1, description=f"{dataset.name}: {label}")

            run = run_dataset(svc, data, spec, k, advance, name=str(dataset))
    except (DatasetError, ConfigError, InputError) as error:
        # Raised before the first question (a question's own failure is scored, not raised):
        # documents missing from the workspace, a model that can't be set up.
        _bad_input(error, as_json)
        return 2
    if report is not None:
        _write_report(report, to_markdown(run))
    if junit is not None:
        _write_report(junit, to_junit(run))
    misses = missed(run, thresholds)
    if as_json:
        emit_json(run)
    else:
        _render_run(run)
    for line in misses:
        stderr_console().print(f"[bold red]Below threshold:[/] {line}", highlight=False)
    return 1 if misses else 0


def _bad_input(error: AssistantError, as_json: bool) -> None:
    problems = [str(p) for p in getattr(error, "problems", [])]
    if as_json:
        emit_json({"error": error.message, "hint": error.hint, "problems": problems})
    console = stderr_console()
    console.print(f"[bold red]Error:[/] {error.message}", highlight=False)
    for line in problems:
        console.print(f"  {line}", highlight=False, markup=False)
    if error.hint:
        console.print(f"[dim]→ {error.hint}[/]", highlight=False)


def _render_run(run: dict[str, Any]) -> None:
    from rich.table import Table

    from assistant.evals.dataset_report import failing_checks, kinds_table
    from assistant.evals.dataset_run import item_key, item_verdict

    console = stdout_console()
    kinds = kinds_table(run["metrics"])
    names = list(dict.fromkeys(n for figures in kinds.values() for n in figures))
    table = Table(
        title=f"{Path(run['dataset']).name}: {run['kind']}, model {run['model']}, "
        f"{run['seconds']:.1f} s"
    )
    table.add_column("kind")
    for n in names:
        table.add_column(n, justify="right")
    for kind, figures in kinds.items():
        table.add_row(kind, *(f"{figures[n]:.4g}" if n in figures else "" for n in names))
    console.print(table)
    failed = [(i, it) for i, it in enumerate(run["items"]) if not item_verdict(it)]
    if failed:
        console.print(f"[dim]{len(failed)} failed item(s); --report FILE.md lists them all[/]")
        for index, item in failed[:5]:
            console.print(
                f"  {item_key(run, index)[:60]}: {failing_checks(item)}",
                highlight=False,
                markup=False,
            )


@eval_app.callback()
def eval_command(
    ctx: typer.Context,
    dataset: Annotated[
        Path | None,
        typer.Option(
            "--dataset",
            help="Your own set: answers (JSONL) or LegalBench-RAG retrieval (JSON), run against "
            "--workspace. Format in evals/README.md.",
        ),
    ] = None,
    corpus: Annotated[
        Path | None,
        typer.Option(
            "--corpus",
            help="LegalBench-RAG: the folder file_path is relative to (default: the dataset's).",
        ),
    ] = None,
    k: Annotated[int, typer.Option("-k", help="Retrieval: passages scored per query.")] = 5,
    junit: Annotated[
        Path | None, typer.Option("--junit", help="With --dataset: also write JUnit XML.")
    ] = None,
    fail_under: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-under",
            help="With --dataset: METRIC=VALUE, exit 1 when missed (a ceiling for latency, "
            "errors and false_abstention). Repeatable.",
        ),
    ] = None,
    suite: Annotated[
        list[str] | None,
        typer.Option("--suite", help="retrieval, checklist or answers (repeatable; default all)."),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="Model that answers: 'offline', provider:name, or script:FILE.jsonl (a "
            "scripted chat model, see evals/README.md).",
        ),
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

    Without --dataset: the built-in suites, gated by evals/thresholds.yaml (or --thresholds
    FILE). Each runs on a workspace of its own under WORKSPACE/evals/ (CUAD contracts; the demo
    practice; the demo practice plus documents carrying injected instructions), built on first
    use and reused. With --dataset FILE: your questions or retrieval queries against the
    documents of --workspace (its conversations are left as they were). Exit 2 on bad input.
    """
    if ctx.invoked_subcommand is not None:
        return 0
    if dataset is not None:
        if suite or cuad or demo_workspace or thresholds:
            raise InputError(
                "--suite, --cuad, --demo-workspace and --thresholds are for the built-in suites",
                "with --dataset, gate the run with --fail-under METRIC=VALUE",
            )
        return _run_dataset(
            ctx, dataset, corpus, model, k, as_json, report, junit, fail_under or []
        )
    if junit is not None or fail_under:
        raise InputError(
            "--junit and --fail-under go with --dataset",
            "the built-in suites are gated by --thresholds FILE",
        )
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


@eval_app.command("compare")
def compare_command(
    old: Annotated[Path, typer.Argument(help="A run saved from `eval --dataset F --json`.")],
    new: Annotated[Path, typer.Argument(help="The run to compare with it.")],
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> int:
    """Metric deltas (NEW - OLD) and the items whose verdict changed between two runs."""
    from rich.table import Table

    from assistant.evals.dataset_report import compare_runs, load_run

    diff = compare_runs(load_run(old), load_run(new))
    if as_json:
        emit_json(diff)
        return 0
    console = stdout_console()
    table = Table(
        title=f"{old.name} ({diff['old']['model']}) → {new.name} ({diff['new']['model']})"
    )
    for column in ("metric", "old", "new", "delta"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for m in diff["metrics"]:
        style = {True: "green", False: "red", None: ""}[m["better"]]
        delta = "" if m["delta"] is None else f"[{style}]{m['delta']:+.4g}[/]" if style else "0"
        table.add_row(
            m["metric"],
            "" if m["old"] is None else f"{m['old']:.4g}",
            "" if m["new"] is None else f"{m['new']:.4g}",
            delta,
        )
    console.print(table)
    if diff["changed"]:
        changed = Table(title=f"{len(diff['changed'])} item(s) changed verdict")
        for column in ("item", "old", "new", "checks now failing"):
            changed.add_column(column)
        for c in diff["changed"]:
            changed.add_row(c["item"][:60], c["old"], c["new"], str(c["checks"])[:120])
        console.print(changed)
    else:
        console.print("No item changed verdict.")
    for label, keys in (
        ("only in the old run", diff["only_in_old"]),
        ("only in the new run", diff["only_in_new"]),
    ):
        if keys:
            console.print(f"[dim]{len(keys)} item(s) {label}: {', '.join(keys[:5])}[/]")
    return 0


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")
