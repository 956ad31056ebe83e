"""Ingest documents and import rates data from inside the app, with a progress bar."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, ProgressBar, Select, Static

from assistant.ui import workspace_data
from assistant.ui.guard import guarded
from assistant.ui.workspace_data import IMPORT_KINDS

if TYPE_CHECKING:
    from assistant.ingest.service import IngestOutcome
    from assistant.services import Services

DOCUMENT_KINDS = (("Contract", "contract"), ("Template", "template"), ("Guidance", "guidance"))


def outcome_line(outcome: IngestOutcome) -> Text:
    style = {"failed": "bold red", "unchanged": "dim"}.get(outcome.status, "green")
    line = Text.assemble((f"{outcome.status:>9} ", style), outcome.source)
    if outcome.status == "failed":
        line.append(f": {outcome.error}", style="red")
    else:
        line.append(f"  {outcome.pages} pages, {outcome.chunks} chunks", style="dim")
    if outcome.ocr_pages:
        line.append(f", OCR on {len(outcome.ocr_pages)} page(s)", style="dim")
    return line


class LoadScreen(ModalScreen[bool]):
    """Common frame: a form, a Start button, a progress bar; dismisses True when data changed."""

    BINDINGS = [Binding("escape", "close", "Close")]
    TITLE_TEXT = ""

    @dataclass
    class ProgressReported(Message):
        description: str
        done: float
        total: float | None

    @dataclass
    class Failed(Message):
        message: str
        hint: str | None

    def __init__(self, services: Services, payers: Sequence[str] = ()) -> None:
        super().__init__()
        self.services = services
        self.payers = list(payers)
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="load-box"):
            yield Label(self.TITLE_TEXT, classes="load-title")
            yield from self.form()
            with Horizontal(classes="load-buttons"):
                yield Button("Start", id="start", variant="primary")
                yield Button("Close", id="close")
            yield ProgressBar(id="progress", show_eta=False)
            yield Static("", id="progress-label")
            yield Static("", id="results")

    def form(self) -> ComposeResult:
        raise NotImplementedError

    def on_mount(self) -> None:
        self.query_one("#progress").display = False
        self.query_one(Input).focus()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        if self.query_one("#start", Button).disabled:
            self.notify("Still working; it finishes in the background.", severity="warning")
        self.dismiss(self.changed)

    @on(Button.Pressed, "#start")
    @on(Input.Submitted)
    def _start(self) -> None:
        if self.query_one("#start", Button).disabled:
            return
        self.query_one("#start", Button).disabled = True
        self.query_one("#progress").display = True
        self.query_one("#progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#results", Static).update("")
        self.run()

    def run(self) -> None:
        raise NotImplementedError

    def _failed(self, message: str, hint: str | None) -> None:
        self.post_message(self.Failed(message, hint))

    def on_load_screen_progress_reported(self, message: LoadScreen.ProgressReported) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=message.total, progress=message.done)
        self.query_one("#progress-label", Static).update(Text(message.description))

    def on_load_screen_failed(self, message: LoadScreen.Failed) -> None:
        self._finished()
        self.query_one("#results", Static).update(Text(message.message, style="red"))
        self.notify(
            message.message + (f"\n→ {message.hint}" if message.hint else ""),
            title="Could not load",
            severity="error",
            timeout=10,
        )

    def _finished(self) -> None:
        self.query_one("#start", Button).disabled = False
        bar = self.query_one("#progress", ProgressBar)
        total = bar.total or 1
        bar.update(total=total, progress=total)


class IngestScreen(LoadScreen):
    """Index contracts, templates or guidance documents."""

    TITLE_TEXT = "Ingest documents"

    @dataclass
    class Ingested(Message):
        outcomes: list[IngestOutcome]

    def form(self) -> ComposeResult:
        yield Label("Files or folders (PDF, DOCX, TXT, MD; quote paths with spaces)")
        yield Input(placeholder="contracts/aetna-2026.pdf", id="paths")
        yield Label("Payer")
        yield Input(
            placeholder="e.g. Aetna (blank for guidance)",
            id="payer",
            suggester=SuggestFromList(self.payers, case_sensitive=False),
        )
        yield Label("Kind")
        yield Select(DOCUMENT_KINDS, value="contract", allow_blank=False, id="kind")

    def run(self) -> None:
        kind = self.query_one("#kind", Select).value
        self._ingest(
            self.query_one("#paths", Input).value,
            self.query_one("#payer", Input).value.strip() or None,
            kind if isinstance(kind, str) else "contract",
        )

    @work(thread=True, exclusive=True, group="ingest")
    def _ingest(self, paths: str, payer: str | None, kind: str) -> None:
        def progress(description: str, done: float, total: float) -> None:
            self.post_message(self.ProgressReported(description, done, max(total, 1)))

        outcomes = guarded(
            lambda: workspace_data.ingest(self.services, paths, payer, kind, progress),
            self._failed,
            "Ingestion stopped",
        )
        if outcomes is not None:
            self.post_message(self.Ingested(outcomes))

    def on_ingest_screen_ingested(self, message: IngestScreen.Ingested) -> None:
        self._finished()
        results = Text("\n").join(outcome_line(o) for o in message.outcomes)
        self.query_one("#results", Static).update(results)
        failed = [o for o in message.outcomes if o.status == "failed"]
        self.changed = self.changed or any(
            o.status in ("added", "updated") for o in message.outcomes
        )
        if failed:
            self.notify(
                "\n".join(f"{o.source}: {o.error}" for o in failed)
                + "\n→ fix or convert those files and ingest them again; the rest are indexed",
                title=f"{len(failed)} file(s) not indexed",
                severity="error",
                timeout=10,
            )
        else:
            self.notify(f"{len(message.outcomes)} file(s) indexed", title="Ingest finished")


class ImportScreen(LoadScreen):
    """Import fee schedules, volumes, benchmarks, market files or remittances."""

    TITLE_TEXT = "Import rates data"

    @dataclass
    class Imported(Message):
        summary: str

    def form(self) -> ComposeResult:
        yield Label("What")
        yield Select(
            [(f"{kind}: {what}", kind) for kind, what in IMPORT_KINDS.items()],
            value="fees",
            allow_blank=False,
            id="import-kind",
        )
        yield Label("File")
        yield Input(placeholder="fees/aetna-2026.csv", id="file")
        yield Label("Payer or benchmark name (fees: payer; benchmark/market: name)")
        yield Input(
            placeholder="e.g. Aetna",
            id="name",
            suggester=SuggestFromList(self.payers, case_sensitive=False),
        )

    def run(self) -> None:
        kind = self.query_one("#import-kind", Select).value
        self.post_message(self.ProgressReported("importing…", 0, None))
        self._import(
            kind if isinstance(kind, str) else "fees",
            self.query_one("#file", Input).value,
            self.query_one("#name", Input).value.strip() or None,
        )

    @work(thread=True, exclusive=True, group="import")
    def _import(self, kind: str, path: str, name: str | None) -> None:
        summary = guarded(
            lambda: workspace_data.import_data(self.services, kind, path, name),
            self._failed,
            "Import stopped",
            "check the file's format against the choice above",
        )
        if summary is not None:
            self.post_message(self.Imported(summary))

    def on_import_screen_imported(self, message: ImportScreen.Imported) -> None:
        self._finished()
        self.changed = True
        self.query_one("#progress-label", Static).update("done")
        self.query_one("#results", Static).update(Text(message.summary, style="green"))
        self.notify(message.summary, title="Import finished")
