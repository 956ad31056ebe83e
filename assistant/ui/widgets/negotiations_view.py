"""The Negotiations view: payers by stage, what is due, and each contract's renewal calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, DataTable, Label, Static

from assistant.rates.money import money_display
from assistant.ui.guard import guarded

if TYPE_CHECKING:
    from assistant.negotiation.service import Overview
    from assistant.services import Services

STAGE_STYLE = {
    "preparing": "dim",
    "sent": "cyan",
    "payer reviewing": "blue",
    "counter received": "bold yellow",
    "agreed": "green",
    "signed": "bold green",
    "stalled": "bold white on red",
}
KIND_LABEL = {"follow_up": "follow-up", "notice_deadline": "notice deadline", "renewal": "renewal"}


def load_overview(services: Services, today: date) -> Overview:
    """The service call behind the view (run in a worker)."""
    from assistant.negotiation.service import overview

    return overview(services.conn, today)


class NegotiationsView(Vertical):
    """Three renegotiations at once: where each stands, what is due, when notice is due."""

    @dataclass
    class OverviewLoaded(Message):
        overview: Overview

    @dataclass
    class LoadFailed(Message):
        message: str
        hint: str | None

    def __init__(
        self, services: Services, *, today: date | None = None, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.services = services
        self.today = today

    def compose(self) -> ComposeResult:
        with Horizontal(classes="toolbar"):
            yield Label("Negotiations")
            yield Button("Refresh", id="negotiations-refresh", compact=True)
        yield Static("Loading the negotiations…", id="negotiations-summary")
        with VerticalScroll(id="negotiations-area"):
            yield Label("Payers by stage", classes="section-title")
            yield DataTable(id="negotiations-payers", cursor_type="row", zebra_stripes=True)
            yield Label("Due in the next 30 days", classes="section-title")
            yield DataTable(id="negotiations-due", cursor_type="row", zebra_stripes=True)
            yield Label("Renewal and notice calendar", classes="section-title")
            yield DataTable(id="negotiations-calendar", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        payers: DataTable[Any] = self.query_one("#negotiations-payers", DataTable)
        payers.add_columns("Payer", "Stage", "Last contact", "Next due", "Latest offer", "Worth/yr")
        due: DataTable[Any] = self.query_one("#negotiations-due", DataTable)
        due.add_columns("Due", "Payer", "Kind", "What", "Source")
        calendar: DataTable[Any] = self.query_one("#negotiations-calendar", DataTable)
        calendar.add_columns("Date", "Payer", "What", "From")
        self.refresh_overview()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "negotiations-refresh":
            event.stop()
            self.refresh_overview()

    def refresh_overview(self) -> None:
        self.query_one("#negotiations-summary", Static).update("Loading the negotiations…")
        self._load(self.today or date.today())

    @work(thread=True, exclusive=True, group="negotiations")
    def _load(self, today: date) -> None:
        result = guarded(
            lambda: load_overview(self.services, today),
            lambda message, hint: self.post_message(self.LoadFailed(message, hint)),
            "The negotiations could not be loaded",
        )
        if result is not None:
            self.post_message(self.OverviewLoaded(result))

    def on_negotiations_view_load_failed(self, message: NegotiationsView.LoadFailed) -> None:
        hint = f"\n{message.hint}" if message.hint else ""
        self.query_one("#negotiations-summary", Static).update(
            Text(f"{message.message}{hint}", style="red")
        )

    def on_negotiations_view_overview_loaded(
        self, message: NegotiationsView.OverviewLoaded
    ) -> None:
        data = message.overview
        today = data.today.isoformat()
        overdue = sum(1 for d in data.due if d.due < data.today)
        summary = Text.assemble(
            (f"{len(data.payers)} payers", "bold"),
            f" · {len(data.due)} things due in 30 days",
            (f" · {overdue} overdue" if overdue else "", "bold red"),
            f" · today {today}",
        )
        self.query_one("#negotiations-summary", Static).update(summary)

        payers: DataTable[Any] = self.query_one("#negotiations-payers", DataTable)
        payers.clear()
        for p in data.payers:
            last = p.last_contact
            offer = p.offers[-1] if p.offers else None
            nxt = p.next_due
            payers.add_row(
                p.payer,
                Text(p.stage, style=STAGE_STYLE.get(p.stage, "")),
                f"{last.on_day} {last.kind}" if last else "—",
                f"{nxt.due} {nxt.what}" if nxt else "—",
                f"{offer.received_on}: {offer.summary}" if offer else "—",
                money_display(offer.worth) if offer else "—",
                key=p.payer,
            )

        due: DataTable[Any] = self.query_one("#negotiations-due", DataTable)
        due.clear()
        for i in data.due:
            late = i.due < data.today
            due.add_row(
                Text(
                    i.due.isoformat() + (" overdue" if late else ""),
                    style="bold red" if late else "",
                ),
                i.payer,
                KIND_LABEL[i.kind],
                (f"#{i.id} " if i.id else "") + i.what,
                i.source,
            )

        calendar: DataTable[Any] = self.query_one("#negotiations-calendar", DataTable)
        calendar.clear()
        for c in data.calendars:
            for e in c.events:
                pages = sorted({x.page for x in e.citations if x.page is not None})
                where = c.source + (f" p. {', '.join(map(str, pages))}" if pages else "")
                when = "unknown" if e.date is None else e.date.isoformat()
                style = "dim strike" if e.missed else ("yellow" if e.date is None else "")
                calendar.add_row(Text(when, style=style), c.payer, e.what, where)
            for u in c.unknown:
                calendar.add_row(Text("unknown", style="yellow"), c.payer, u, c.source)
