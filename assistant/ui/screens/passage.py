"""The cited passage: the document's page text with the quote highlighted and scrolled to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from assistant.agent.answer import Citation
from assistant.ui import workspace_data
from assistant.ui.guard import guarded
from assistant.ui.widgets.footer import KeyFooter
from assistant.ui.workspace_data import Passage

if TYPE_CHECKING:
    from assistant.services import Services


def highlighted(passage: Passage) -> Text:
    text = Text(passage.text)
    if passage.span is not None:
        text.stylize("bold black on yellow", *passage.span)
    return text


class PassageScreen(ModalScreen[None]):
    """Shows where a citation's quote sits on its page; Escape returns to the chat."""

    BINDINGS = [Binding("escape,q", "dismiss", "Back")]

    @dataclass
    class PassageLoaded(Message):
        passage: Passage

    @dataclass
    class LoadFailed(Message):
        message: str
        hint: str | None

    def __init__(self, services: Services, citation: Citation) -> None:
        super().__init__()
        self.services = services
        self.citation = citation
        self.passage: Passage | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="passage-box"):
            yield Static(self._title(), id="passage-title")
            yield Static(
                Text.assemble(("Quote: ", "bold"), f"“{self.citation.quote.strip()}”"),
                id="passage-quote",
            )
            with VerticalScroll(id="passage-scroll"):
                yield Static("Loading the page…", id="passage-text")
        yield KeyFooter()

    def _title(self) -> Text:
        c = self.citation
        title = Text(c.source, style="bold")
        if c.page is not None:
            title.append(f" · page {c.page}")
        if c.section:
            title.append(f" · § {c.section}")
        return title

    def on_mount(self) -> None:
        self._load()

    @work(thread=True)
    def _load(self) -> None:
        c = self.citation
        found = guarded(
            lambda: workspace_data.passage(
                self.services, c.source, c.page, c.quote, c.section, c.doc_id
            ),
            lambda message, hint: self.post_message(self.LoadFailed(message, hint)),
        )
        if found is not None:
            self.post_message(self.PassageLoaded(found))

    def on_passage_screen_passage_loaded(self, message: PassageScreen.PassageLoaded) -> None:
        self.passage = message.passage
        self.query_one("#passage-text", Static).update(highlighted(message.passage))
        if message.passage.span is None:
            self.notify(
                "The quote is not on this page as written; read the page to check it.",
                title="Quote not found",
                severity="warning",
            )
            return
        self.call_after_refresh(self._scroll_to_quote)

    def _scroll_to_quote(self) -> None:
        if self.passage is None or self.passage.span is None:
            return
        scroll = self.query_one("#passage-scroll", VerticalScroll)
        width = max(10, scroll.scrollable_content_region.width)
        before = Text(self.passage.text[: self.passage.span[0]])
        lines = len(before.wrap(self.app.console, width)) if before.plain else 0
        scroll.scroll_to(y=max(0, lines - 4), animate=False)

    def on_passage_screen_load_failed(self, message: PassageScreen.LoadFailed) -> None:
        self.app.notify(
            message.message + (f"\n→ {message.hint}" if message.hint else ""),
            title="Cannot open the source",
            severity="error",
        )
        self.dismiss()
