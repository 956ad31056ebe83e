"""The saved conversations (the ones `ask -c` continues): open one, start a new one, delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from assistant.agent.conversations import ConversationInfo, ConversationStore
from assistant.ui.guard import guarded
from assistant.ui.screens.confirm import ConfirmScreen
from assistant.ui.widgets.fitted_table import CellValue, Column, FittedTable
from assistant.ui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from collections.abc import Mapping

    from assistant.services import Services

COLUMNS = (
    Column("title", Text("Title"), rank=0, minimum=30),
    Column("updated", Text("Last asked"), rank=1),
    Column("turns", Text("Turns"), rank=2),
    Column("model", Text("Model"), rank=4, minimum=10),
    Column("started", Text("Started"), rank=3),
)


def local_time(stamp: str) -> str:
    """SQLite's UTC `CURRENT_TIMESTAMP` in the user's time zone, to the minute."""
    try:
        moment = datetime.fromisoformat(stamp).replace(tzinfo=UTC)
    except ValueError:
        return stamp
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class Picked:
    """What the user chose: a conversation to open, or None for a new one."""

    conversation_id: str | None


class ConversationsScreen(ModalScreen[Picked | None]):
    """Saved conversations, most recent first; Enter opens one and its follow-ups continue it."""

    BINDINGS = [
        Binding("enter", "open", "Open", priority=True),
        Binding("n,ctrl+n", "new", "New conversation"),
        Binding("d,delete", "delete", "Delete"),
        Binding("escape,q,f6", "dismiss(None)", "Close"),
    ]

    @dataclass
    class Listed(Message):
        conversations: list[ConversationInfo]

    @dataclass
    class Failed(Message):
        message: str
        hint: str | None

    @dataclass
    class Deleted(Message):
        """A conversation was deleted (the app resets the chat if it was the open one)."""

        conversation_id: str

    def __init__(self, services: Services, current: str | None = None) -> None:
        super().__init__()
        self.services = services
        self.current = current
        self.conversations: list[ConversationInfo] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="conversations-box"):
            yield Static(Text("Conversations", style="bold"), id="conversations-title")
            yield FittedTable(id="conversations-table", cursor_type="row", zebra_stripes=True)
            yield Static("Loading…", id="conversations-empty")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(FittedTable).focus()
        self._load()

    @work(thread=True, exclusive=True, group="conversations")
    def _load(self) -> None:
        found = guarded(
            lambda: ConversationStore(self.services.conn).list(),
            self._report,
            "Cannot read the conversations",
        )
        if found is not None:
            self.post_message(self.Listed(found))

    def _report(self, message: str, hint: str | None) -> None:
        self.post_message(self.Failed(message, hint))

    def on_conversations_screen_listed(self, message: Listed) -> None:
        self.conversations = message.conversations
        table = self.query_one(FittedTable)
        rows: list[tuple[str | None, Mapping[str, CellValue]]] = []
        for c in self.conversations:
            title = Text(c.title or "(untitled)")
            if c.id == self.current:
                title = Text("● ", style="bold") + title
            rows.append(
                (
                    c.id,
                    {
                        "title": title,
                        "updated": Text(local_time(c.updated_at)),
                        "turns": Text(str(c.turns), justify="right"),
                        "model": Text(c.model, style="dim"),
                        "started": Text(local_time(c.created_at), style="dim"),
                    },
                )
            )
        table.show(COLUMNS, rows)
        n = len(self.conversations)
        self.query_one("#conversations-title", Static).update(
            Text.assemble(
                ("Conversations", "bold"),
                f" · {n} saved" if n else "",
                (" · ● is the one open in the chat" if self.current and n else "", "dim"),
            )
        )
        empty = self.query_one("#conversations-empty", Static)
        empty.display = not n
        empty.update(
            Text("None saved yet: each question you ask is kept here, to reopen and continue.")
        )
        table.display = bool(n)

    def on_conversations_screen_failed(self, message: Failed) -> None:
        self.app.notify(
            message.message + (f"\n→ {message.hint}" if message.hint else ""),
            title="Conversations",
            severity="error",
        )

    def _highlighted(self) -> ConversationInfo | None:
        table = self.query_one(FittedTable)
        if not self.conversations or not table.row_count:
            return None
        return self.conversations[table.cursor_row]

    def action_open(self) -> None:
        chosen = self._highlighted()
        if chosen is not None:
            self.dismiss(Picked(chosen.id))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_new(self) -> None:
        self.dismiss(Picked(None))

    def action_delete(self) -> None:
        chosen = self._highlighted()
        if chosen is None:
            return
        turns = f"{chosen.turns} turn{'' if chosen.turns == 1 else 's'}"
        question = f"Delete “{chosen.title}” and its {turns}? This cannot be undone."
        self.app.push_screen(ConfirmScreen(question), lambda yes: self._delete(chosen.id, yes))

    def _delete(self, conversation_id: str, yes: bool | None) -> None:
        if not yes:
            return

        def delete() -> bool:
            ConversationStore(self.services.conn).delete(conversation_id)
            return True

        if not guarded(delete, self._report, "Cannot delete the conversation"):
            return
        if conversation_id == self.current:
            self.current = None
        self.post_message(self.Deleted(conversation_id))
        self.app.notify("Conversation deleted.", title="Conversations")
        self._load()
