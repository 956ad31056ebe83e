"""The demo workspace: the SYNTHETIC Riverbend practice, its contracts, and the real TN contract.

`python -m assistant.demo --workspace DIR` (what `make demo` runs) builds it once and opens the
assistant on it; rebuilding is cheap because unchanged files are skipped.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from assistant.config import Settings
from assistant.ingest.service import IngestOutcome, Progress
from assistant.services import Services

DEMO_CONTRACTS = {
    "aetna-agreement.md": "Aetna",
    "unitedhealthcare-agreement.md": "UnitedHealthcare",
    "blue-cross-agreement.md": "Blue Cross",
    "cigna-agreement.md": "Cigna",
}
# The real redacted payer agreement and template (payer name blacked out in the PDFs).
TN_PAYER = "TN Health Plan"
TN_FILES = {
    "TN_Contract4_Redacted.pdf": "contract",
    "TN_Standard_Template_Redacted.pdf": "template",
}


def demo_contracts_dir() -> Path:
    return Path(__file__).resolve().parent / "demo_data" / "contracts"


def shared_contracts_dir() -> Path:
    """../shared/data/payer_contracts next to the checkout, where this machine keeps it."""
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "payer_contracts"


def load_negotiation_step(svc: Services) -> None:
    """The demo's negotiation history, proposal exhibits and costs (once; dated from today)."""
    from datetime import date

    from assistant.negotiation.demo import load_demo_negotiation

    load_demo_negotiation(svc.conn, date.today())


@dataclass(frozen=True)
class DemoFile:
    path: Path
    payer: str | None
    kind: str


def demo_files(include_shared: bool = True) -> list[DemoFile]:
    """Every file the demo indexes, in order: guidance, the demo contracts, the TN PDFs."""
    from assistant.ingest.service import expand_paths, guidance_folder

    folder = guidance_folder()
    files = (
        [DemoFile(p, None, "guidance") for p in expand_paths([folder])] if folder.is_dir() else []
    )
    contracts = demo_contracts_dir()
    files += [
        DemoFile(contracts / name, payer, "contract") for name, payer in DEMO_CONTRACTS.items()
    ]
    shared = shared_contracts_dir()
    if include_shared and shared.is_dir():
        files += [
            DemoFile(shared / name, TN_PAYER, kind)
            for name, kind in TN_FILES.items()
            if (shared / name).is_file()
        ]
    return files


def overall_progress(progress: Progress, index: int, count: int, path: Path) -> Progress:
    """One file's progress as part of the whole build: 'file 3 of 11 · reading …'."""

    def report(description: str, done: float, total: float) -> None:
        fraction = min(done / total, 1.0) if total else 1.0
        what = description
        if description.startswith("reading") and path.suffix.lower() == ".pdf":
            # Scanned pages are OCR'd while "reading": the slow part on a busy machine.
            what = f"{description} (OCR of scanned pages: can take a few minutes)"
        progress(f"file {index + 1} of {count} · {what}", index + fraction, count)

    return report


def build_demo_workspace(
    svc: Services, include_shared: bool = True, progress: Progress | None = None
) -> list[IngestOutcome]:
    """Load the demo practice's rates (once) and index its contracts and the guidance, one
    file at a time so that progress says which file of how many is being read or embedded."""
    from assistant.rates.demo import load_demo_practice
    from assistant.rates.store import RateStore

    if "Aetna" not in RateStore(svc.conn).payers():
        load_demo_practice(svc.conn)
    load_negotiation_step(svc)
    ingestor = svc.ingestor()
    files = demo_files(include_shared)
    outcomes: list[IngestOutcome] = []
    for index, item in enumerate(files):
        report = (
            None if progress is None else overall_progress(progress, index, len(files), item.path)
        )
        outcomes += ingestor.ingest([item.path], payer=item.payer, kind=item.kind, progress=report)
    return outcomes


def _walkthrough(workspace: Path) -> None:
    """A scripted tour of the CLI, for when the terminal app is not available."""
    import shlex
    import subprocess

    steps = [
        "documents",
        "gap --payer Aetna",
        "model --payer Aetna --across-the-board 0 --carve-out office-em=3",
        "search 'timely filing' --payer Aetna -k 2",
    ]
    for step in steps:
        print(f"\n$ payer-assistant {step}", flush=True)
        subprocess.run(
            [sys.executable, "-m", "assistant", "--workspace", str(workspace), *shlex.split(step)],
            check=False,
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build the demo workspace and open the assistant.")
    parser.add_argument("--workspace", type=Path, default=Path(".demo-workspace"))
    parser.add_argument("--no-app", action="store_true", help="Run the CLI walkthrough instead.")
    args = parser.parse_args(argv)

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    svc = Services(Settings.resolve(workspace=args.workspace))
    console.print(f"Building the demo workspace in [bold]{args.workspace}[/] …")
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    ) as bar:
        # One task for the whole build: its elapsed time runs until the last file is indexed
        # (a task reused per file froze the clock the first time a file reached its total).
        task = bar.add_task("starting", total=None)

        def report(description: str, done: float, total: float) -> None:
            bar.update(
                task, description=description, completed=min(done, total - 1e-9), total=total
            )

        outcomes = build_demo_workspace(svc, progress=report)
        bar.update(task, description="done", completed=bar.tasks[0].total or 1)
    failed = [o for o in outcomes if o.status == "failed"]
    for o in failed:
        console.print(f"[red]Could not index {o.source}:[/] {o.error}")
    svc.conn.close()
    if args.no_app:
        _walkthrough(args.workspace)
        return
    try:
        from assistant.ui.app import run_app
    except ImportError:
        _walkthrough(args.workspace)
        return
    run_app(Settings.resolve(workspace=args.workspace))


if __name__ == "__main__":
    main()
