"""The review view: a contract's checklist with status colours, values and cited evidence."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, DataTable, Label, Select, Static
from textual.widgets.select import InvalidSelectValueError

from assistant.agent.answer import Citation
from assistant.ui import workspace_data
from assistant.ui.guard import guarded
from assistant.ui.plain import plain
from assistant.ui.widgets.fitted_table import Cell, CellValue, Column, FittedTable
from assistant.ui.workspace_data import DocumentInfo

if TYPE_CHECKING:
    from assistant.review.models import ContractReview, ItemReview
    from assistant.services import Services

STATUS_STYLE = {
    "present": ("present", "bold green"),
    "red_flag": ("red flag", "bold white on red"),
    "absent": ("absent", "bold yellow"),
    "unknown": ("unknown", "dim"),
}
STATUS_GLYPH = {"present": "✓", "red_flag": "!", "absent": "–", "unknown": "?"}
"""A narrowed status column keeps the colour and a glyph; the detail pane spells it out."""

# Display order; `rank` says what gives way first on a narrow terminal: pages drop, the status
# narrows to its glyph, and the item and its value keep their room longest. The minimums let
# all but pages fit the 36 cells the table gets at 100 columns with the sidebar shown.
REVIEW_COLUMNS = (
    Column("status", Text("Status"), rank=2, short=Text("")),
    Column("item", Text("Item"), rank=0, minimum=13, maximum=32),
    Column("value", Text("Value"), rank=1, minimum=12, maximum=48),
    Column("pages", Text("Pages"), rank=3, minimum=10),
)


def status_text(status: str) -> Text:
    label, style = STATUS_STYLE.get(status, (status, ""))
    return Text(f" {label} ", style=style)


def status_cell(status: str) -> Cell:
    _, style = STATUS_STYLE.get(status, (status, ""))
    return Cell(status_text(status), Text(f" {STATUS_GLYPH.get(status, '?')} ", style=style))


class EvidenceButton(Button):
    """A quote backing a checklist value; pressing it opens the page."""

    def __init__(self, citation: Citation) -> None:
        where = f"p. {citation.page}" if citation.page is not None else citation.source
        quote = " ".join(citation.quote.split())
        short = quote if len(quote) <= 90 else quote[:89] + "…"
        super().__init__(plain(f"{where}: “{short}”"), classes="evidence", compact=True)
        self.citation = citation


class ReviewView(Vertical):
    """Pick a contract; read each checklist item's status, value, why it matters and the ask."""

    @dataclass
    class ReviewLoaded(Message):
        review: ContractReview

    @dataclass
    class LoadFailed(Message):
        message: str
        hint: str | None

    @dataclass
    class ViewReady(Message):
        """Mounted (after the first paint): ready for the workspace's choices."""

    @dataclass
    class EvidenceSelected(Message):
        """The user asked to see the page a value was read from."""

        citation: Citation

    def __init__(self, services: Services, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.services = services
        self.review: ContractReview | None = None
        self.doc_id: str | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(classes="toolbar"):
            yield Label("Contract")
            yield Select[str]([], prompt="choose a contract or template", id="review-doc")
        yield Static("Choose a contract to review it against the checklist.", id="review-summary")
        with Horizontal(id="review-area"):
            yield FittedTable(id="review-table", cursor_type="row", zebra_stripes=True)
            yield VerticalScroll(Static("", id="review-detail-text"), id="review-detail")

    def on_mount(self) -> None:
        self._fill_table()
        self.post_message(self.ViewReady())

    def _fill_table(self) -> None:
        """Every item with its status, value and pages; the table fits them to its width and
        the detail pane beside it always carries the whole of the highlighted item."""
        rows: list[tuple[str | None, Mapping[str, CellValue]]] = [
            (
                item.id,
                {
                    "status": status_cell(item.status),
                    "item": Text(item.name),
                    "value": Text(workspace_data.describe_item_values(item) if item.values else ""),
                    "pages": Text(", ".join(str(p) for p in item.pages)),
                },
            )
            for item in (self.review.items if self.review else [])
        ]
        self.query_one("#review-table", FittedTable).show(REVIEW_COLUMNS, rows)

    def set_documents(self, documents: Sequence[DocumentInfo]) -> None:
        select: Select[str] = self.query_one("#review-doc", Select)
        with self.prevent(Select.Changed):
            select.set_options(
                (Text(f"{d.source} ({d.payer or 'no payer'}, {d.kind})"), d.doc_id)
                for d in documents
            )
            if self.doc_id in {d.doc_id for d in documents}:
                select.value = self.doc_id

    def show_document(self, doc_id: str) -> None:
        """Review `doc_id` (in a worker) and show it."""
        self.doc_id = doc_id
        select: Select[str] = self.query_one("#review-doc", Select)
        # not listed yet; the review still runs
        with self.prevent(Select.Changed), contextlib.suppress(InvalidSelectValueError):
            select.value = doc_id
        self.query_one("#review-summary", Static).update(Text(f"Reviewing {doc_id}…"))
        self._review(doc_id)

    @work(thread=True, exclusive=True, group="review")
    def _review(self, doc_id: str) -> None:
        result = guarded(
            lambda: workspace_data.review(self.services, doc_id),
            lambda message, hint: self.post_message(self.LoadFailed(message, hint)),
            "The review stopped",
        )
        if result is not None:
            self.post_message(self.ReviewLoaded(result))

    @on(Select.Changed, "#review-doc")
    def _picked(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.show_document(event.value)

    def on_review_view_review_loaded(self, message: ReviewView.ReviewLoaded) -> None:
        review = self.review = message.review
        counts = {s: sum(1 for i in review.items if i.status == s) for s in STATUS_STYLE}
        summary = Text.assemble(
            (review.source, "bold"),
            f" · {review.page_count} page{'' if review.page_count == 1 else 's'} · ",
        )
        for status, n in counts.items():
            if n:
                # The glyph too: a narrowed status column shows only that.
                glyph = Text(f" {STATUS_GLYPH[status]}", style=STATUS_STYLE[status][1])
                summary += glyph + status_text(status) + Text(f" {n}  ")
        for note in review.notes:
            summary += Text(f"\n{note}", style="dim")
        self.query_one("#review-summary", Static).update(summary)
        table = self.query_one("#review-table", FittedTable)
        self._fill_table()
        if review.items:
            table.move_cursor(row=0)
            self._show_item(review.items[0])

    @on(DataTable.RowHighlighted, "#review-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.review is None or event.row_key.value is None:
            return
        try:
            self._show_item(self.review.item(event.row_key.value))
        except KeyError:
            return

    def _show_item(self, item: ItemReview) -> None:
        text = Text.assemble((item.name, "bold"), "  ", status_text(item.status), "\n")
        if item.values:
            text.append("\nValue: ", style="bold")
            text.append(workspace_data.describe_item_values(item) + "\n")
        if item.pages:
            text.append("Pages: ", style="bold")
            text.append(", ".join(str(p) for p in item.pages) + "\n")
        if item.flags:
            text.append("\nRed flags: ", style="bold red")
            text.append("; ".join(item.flags) + "\n")
        text.append("\nWhy it matters: ", style="bold")
        text.append(item.why.strip() + "\n")
        text.append("\nWhat to ask: ", style="bold")
        text.append(item.ask.strip() + "\n")
        for note in item.notes:
            text.append(f"\n{note}\n", style="dim")
        if item.values:
            text.append("\nEvidence", style="bold")
        self.query_one("#review-detail-text", Static).update(text)
        detail = self.query_one("#review-detail", VerticalScroll)
        detail.remove_children(EvidenceButton)
        buttons = [
            EvidenceButton(
                Citation(
                    source=c.source,
                    page=c.page,
                    section=c.section,
                    quote=c.quote,
                    doc_id=self.review.doc_id if self.review else None,
                )
            )
            for value in item.values
            for c in value.citations
        ]
        detail.mount_all(buttons)

    @on(Button.Pressed, ".evidence")
    def _evidence(self, event: Button.Pressed) -> None:
        event.stop()
        assert isinstance(event.button, EvidenceButton)
        self.post_message(self.EvidenceSelected(event.button.citation))
