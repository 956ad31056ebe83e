"""The conversation: each turn's question, tool cards, streamed Markdown answer and citations."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Markdown, Static

from assistant.agent.answer import Citation
from assistant.agent.events import (
    AgentEvent,
    AnswerDelta,
    AnswerReady,
    ToolCallFinished,
    ToolCallStarted,
)
from assistant.ui.plain import plain
from assistant.ui.transcript import Turn, citation_label, link_markers
from assistant.ui.widgets.tool_card import ToolCallCard

WELCOME = """\
## Ask about your payer contracts and rates

Try: *What is our timely filing limit with Aetna?* · *Which codes does Aetna underpay most
against Medicare?* · *Aetna offers 3% on E/M only: what is that worth?*

Answers cite their sources: select a marker like **[1]** to read the clause.
**F6** reopens an earlier conversation, **Ctrl+N** starts a new one; **F1** lists every key;
**Ctrl+P** opens the command palette.
"""


class CitationButton(Button):
    """One source of an answer; pressing it opens the cited passage."""

    def __init__(self, n: int, citation: Citation) -> None:
        super().__init__(plain(citation_label(n, citation)), classes="citation", compact=True)
        self.citation = citation


class ChatTurn(Vertical):
    """One question and its answer, filled in as the agent's events arrive."""

    @dataclass
    class EventReceived(Message):
        """The agent reported progress on this turn."""

        event: AgentEvent

    @dataclass
    class Failed(Message):
        """The turn stopped with an error (already phrased for a person)."""

        message: str
        hint: str | None

    def __init__(self, turn: Turn) -> None:
        super().__init__(classes="turn")
        self.turn = turn
        self._streamed = ""

    def compose(self) -> ComposeResult:
        yield Static(Text("› ") + Text(self.turn.question), classes="question")
        yield Vertical(classes="tools")
        yield Static("Thinking…", classes="status")
        yield Markdown("", classes="answer", open_links=False)
        yield Vertical(classes="citations")

    @property
    def answer_view(self) -> Markdown:
        return self.query_one(".answer", Markdown)

    def _status(self, text: str | Text, *, error: bool = False) -> None:
        status = self.query_one(".status", Static)
        status.update(Text(text) if isinstance(text, str) else text)
        status.display = bool(text)
        status.set_class(error, "-error")

    async def on_chat_turn_event_received(self, message: ChatTurn.EventReceived) -> None:
        message.stop()
        event = message.event
        if isinstance(event, ToolCallStarted):
            self.turn.tool_names.append(event.name)
            self._status(Text(f"Running {event.name}…"))
            await self.query_one(".tools", Vertical).mount(
                ToolCallCard(event.call_id, event.name, event.args)
            )
        elif isinstance(event, ToolCallFinished):
            for card in self.query(ToolCallCard):
                if card.call_id == event.call_id:
                    try:
                        card.finish(event.result, event.error)
                    except Exception as error:  # an odd result must not end the session
                        card.finish(None, f"Cannot display this result: {error}")
            self._status("Writing the answer…")
        elif isinstance(event, AnswerDelta):
            self._streamed += event.text
            await self.answer_view.append(event.text)
        elif isinstance(event, AnswerReady):
            self.turn.answer = event.answer
            await self.show_answer()
        self.post_message(Chat.TurnUpdated(self))

    async def replay(self) -> None:
        """Show a saved turn as it was answered: its tool cards, answer and citations."""
        answer = self.turn.answer
        if answer is None:
            self.post_message(ChatTurn.Failed(self.turn.error or "no answer was saved", None))
            return
        cards = [ToolCallCard(call.id, call.name, call.args) for call in answer.tool_calls]
        await self.query_one(".tools", Vertical).mount_all(cards)
        for card, call in zip(cards, answer.tool_calls, strict=True):
            try:
                card.finish(call.result, None)
            except Exception as error:  # an odd saved result must not stop the reopening
                card.finish(None, f"Cannot display this result: {error}")
        await self.show_answer()

    async def show_answer(self) -> None:
        answer = self.turn.answer
        if answer is None:
            return
        await self.answer_view.update(link_markers(answer.answer, answer.citations))
        row = self.query_one(".citations", Vertical)
        await row.remove_children()
        await row.mount_all(CitationButton(n, c) for n, c in enumerate(answer.citations, 1))
        notes = Text()
        if answer.removed:
            notes.append("Removed by the grounding check: ", style="bold yellow")
            notes.append("; ".join(answer.removed))
        self._status(notes)

    def on_chat_turn_failed(self, message: ChatTurn.Failed) -> None:
        message.stop()
        self.turn.error = message.message
        text = Text("Could not answer: ", style="bold red") + Text(message.message)
        if message.hint:
            text += Text(f"\n→ {message.hint}", style="dim")
        self._status(text, error=True)
        self.post_message(Chat.TurnUpdated(self))

    @on(Markdown.LinkClicked)
    def _open_marker(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        answer = self.turn.answer
        if not event.href.startswith("cite:") or answer is None:
            return
        n = int(event.href.removeprefix("cite:"))
        if 1 <= n <= len(answer.citations):
            self.post_message(Chat.CitationSelected(answer.citations[n - 1]))

    @on(Button.Pressed, ".citation")
    def _open_button(self, event: Button.Pressed) -> None:
        event.stop()
        assert isinstance(event.button, CitationButton)
        self.post_message(Chat.CitationSelected(event.button.citation))


class Chat(VerticalScroll):
    """The scrolling conversation."""

    @dataclass
    class CitationSelected(Message):
        """The user asked to see a cited passage."""

        citation: Citation

    @dataclass
    class TurnUpdated(Message):
        """A turn grew (keep the newest content in view)."""

        turn: ChatTurn

    def compose(self) -> ComposeResult:
        yield Markdown(WELCOME, id="welcome", open_links=False)

    async def add_turn(self, turn: Turn) -> ChatTurn:
        view = ChatTurn(turn)
        await self.mount(view)
        self.scroll_end(animate=False)
        return view

    async def show_conversation(self, title: str | None, turns: list[Turn]) -> None:
        """Start over with `turns` (a reopened conversation) or, with none, a new one."""
        await self.remove_children(".turn, #reopened")
        self.query_one("#welcome").display = title is None
        if title is not None:
            heading = Text("Reopened: ", style="bold") + Text(title)
            heading.append(
                f" · {len(turns)} turn{'' if len(turns) == 1 else 's'}; follow-ups continue it,"
                " Ctrl+N starts a new one",
                style="dim",
            )
            await self.mount(Static(heading, id="reopened"))
        views = [ChatTurn(turn) for turn in turns]
        await self.mount_all(views)
        for view in views:
            await view.replay()
        self.scroll_end(animate=False)

    def on_chat_turn_updated(self, message: Chat.TurnUpdated) -> None:
        if self.max_scroll_y - self.scroll_y < 8 or message.turn is self.children[-1]:
            self.scroll_end(animate=False)

    @property
    def turns(self) -> list[ChatTurn]:
        return list(self.query(ChatTurn))
