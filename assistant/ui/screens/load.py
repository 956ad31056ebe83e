"""Ingest documents and import rates data from inside the app, with a progress bar."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Select, Static

from assistant.ui import workspace_data
from assistant.ui.guard import guarded
from assistant.ui.workspace_data import IMPORT_KINDS, ImportOutcome, ImportRequest

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
        # Scrolls, so the import options still fit an 80×24 terminal.
        with VerticalScroll(classes="load-box"):
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
        yield Checkbox("Read scanned pages with OCR (as `ingest --ocr`)", value=True, id="ocr")

    def run(self) -> None:
        kind = self.query_one("#kind", Select).value
        self._ingest(
            self.query_one("#paths", Input).value,
            self.query_one("#payer", Input).value.strip() or None,
            kind if isinstance(kind, str) else "contract",
            self.query_one("#ocr", Checkbox).value,
        )

    @work(thread=True, exclusive=True, group="ingest")
    def _ingest(self, paths: str, payer: str | None, kind: str, ocr: bool) -> None:
        def progress(description: str, done: float, total: float) -> None:
            self.post_message(self.ProgressReported(description, done, max(total, 1)))

        outcomes = guarded(
            lambda: workspace_data.ingest(self.services, paths, payer, kind, progress, ocr),
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


NAME_LABELS = {
    "fees": ("Payer", "e.g. Aetna"),
    "medicare": ("Benchmark name (default: medicare)", "medicare"),
    "benchmark": ("Benchmark name", "e.g. survey-2025"),
    "market": ("Market name (stored as market:NAME:p25/p50/p75)", "e.g. ohio"),
    "remits": ("Payer to file them under (default: the name in each file)", "e.g. Aetna"),
}
"""The Name field's label and example per import, as the CLI's --payer/--name say it; an
import without one (volumes: the payers are in the file) hides the field."""

OPTIONS: dict[str, tuple[str, ...]] = {
    "effective": ("fees",),
    "gpci": ("medicare",),
    "locality": ("medicare",),
    "setting": ("medicare",),
    "cf": ("medicare",),
    "sheet": ("fees", "volumes", "benchmark"),
    "decimal-comma": ("fees", "volumes", "benchmark"),
    "billing-class": ("market",),
    "strict": ("remits",),
}
"""Which imports take each option (the CLI command of that import has it)."""


def _choice(option: str, label: str, values: tuple[str, ...]) -> ComposeResult:
    """An option chosen from the CLI's values; the first is the CLI's default."""
    with Vertical(id=f"opt-{option}", classes="import-option"):
        yield Label(label)
        yield Select(
            [(v.capitalize(), v) for v in values], value=values[0], allow_blank=False, id=option
        )


class ImportScreen(LoadScreen):
    """Import fee schedules, volumes, benchmarks, market files or remittances, with the
    options of the matching `payer-assistant import` command and its defaults."""

    TITLE_TEXT = "Import rates data"
    # Option rows take their content's height (a container's default is to share the
    # height left), so the form scrolls instead of squeezing rows to nothing at 80×24.
    DEFAULT_CSS = """
    ImportScreen .import-option {
        height: auto;
    }
    """

    @dataclass
    class Imported(Message):
        outcome: ImportOutcome

    def form(self) -> ComposeResult:
        yield Label("What")
        yield Select(
            [(f"{kind}: {what}", kind) for kind, what in IMPORT_KINDS.items()],
            value="fees",
            allow_blank=False,
            id="import-kind",
        )
        yield Label("File (remits: files or folders)")
        yield Input(placeholder="fees/aetna-2026.csv", id="file")
        with Vertical(id="opt-name", classes="import-option"):
            yield Label(NAME_LABELS["fees"][0], id="name-label")
            yield Input(
                placeholder=NAME_LABELS["fees"][1],
                id="name",
                suggester=SuggestFromList(self.payers, case_sensitive=False),
            )
        with Vertical(id="opt-effective", classes="import-option"):
            yield Label("Effective date (YYYY-MM-DD, optional)")
            yield Input(placeholder="2026-01-01", id="effective")
        with Vertical(id="opt-gpci", classes="import-option"):
            yield Label("GPCI file (CMS Addendum E; with a locality, for local rates)")
            yield Input(placeholder="GPCI2026.csv (blank: national rates)", id="gpci")
        with Vertical(id="opt-locality", classes="import-option"):
            yield Label("Locality: MAC-LOCALITY (02402-02), STATE-LOCALITY (WA-02) or name")
            yield Input(placeholder="WA-02", id="locality")
        yield from _choice("setting", "Setting", ("nonfacility", "facility"))
        with Vertical(id="opt-cf", classes="import-option"):
            yield Label("Conversion factor (blank: the file's)")
            yield Input(placeholder="33.4009", id="cf")
        with Vertical(id="opt-sheet", classes="import-option"):
            yield Label("XLSX sheet (blank: the first)")
            yield Input(id="sheet")
        with Vertical(id="opt-decimal-comma", classes="import-option"):
            yield Checkbox("Numbers are written 1.234,50 (decimal comma)", id="decimal-comma")
        yield from _choice("billing-class", "Billing class", ("professional", "institutional"))
        with Vertical(id="opt-strict", classes="import-option"):
            yield Checkbox("Refuse a file whose payment total does not reconcile", id="strict")

    def on_mount(self) -> None:
        super().on_mount()
        self._show_options("fees")

    @on(Select.Changed, "#import-kind")
    def _kind_picked(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._show_options(event.value)

    def _show_options(self, kind: str) -> None:
        for option, kinds in OPTIONS.items():
            self.query_one(f"#opt-{option}").display = kind in kinds
        label, example = NAME_LABELS.get(kind, ("", ""))
        self.query_one("#opt-name").display = bool(label)
        self.query_one("#name-label", Label).update(label)
        self.query_one("#name", Input).placeholder = example

    def request(self) -> ImportRequest:
        """The form as the import it asks for (hidden options keep the CLI's defaults)."""
        kind = self.query_one("#import-kind", Select).value
        kind = kind if isinstance(kind, str) else "fees"

        def text(field: str) -> str | None:
            shown = kind in OPTIONS.get(field, (kind,))
            return (self.query_one(f"#{field}", Input).value.strip() or None) if shown else None

        def choice(field: str, default: str) -> str:
            value = self.query_one(f"#{field}", Select).value
            return value if kind in OPTIONS[field] and isinstance(value, str) else default

        def ticked(field: str) -> bool:
            return kind in OPTIONS[field] and self.query_one(f"#{field}", Checkbox).value

        return ImportRequest(
            kind,
            self.query_one("#file", Input).value,
            name=text("name") if kind in NAME_LABELS else None,
            effective=text("effective"),
            gpci=text("gpci"),
            locality=text("locality"),
            setting=choice("setting", "nonfacility"),
            conversion_factor=text("cf"),
            decimal_comma=ticked("decimal-comma"),
            sheet=text("sheet"),
            billing_class=choice("billing-class", "professional"),
            strict=ticked("strict"),
        )

    def run(self) -> None:
        self.post_message(self.ProgressReported("importing…", 0, None))
        self._import(self.request())

    @work(thread=True, exclusive=True, group="import")
    def _import(self, request: ImportRequest) -> None:
        outcome = guarded(
            lambda: workspace_data.import_data(self.services, request),
            self._failed,
            "Import stopped",
            "check the file's format against the choice above",
        )
        if outcome is not None:
            self.post_message(self.Imported(outcome))

    def on_import_screen_imported(self, message: ImportScreen.Imported) -> None:
        self._finished()
        self.changed = True
        outcome = message.outcome
        self.query_one("#progress-label", Static).update("done")
        results = Text(outcome.summary, style="green")
        for warning in outcome.warnings:
            results.append(f"\nWarning: {warning}", style="yellow")
        self.query_one("#results", Static).update(results)
        self.notify(
            outcome.summary + "".join(f"\nWarning: {w}" for w in outcome.warnings),
            title="Import finished",
            severity="warning" if outcome.warnings else "information",
        )
