"""The question prompt, with shell-like history on up and down."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label


class PromptInput(Horizontal):
    """Type a question, Enter to ask; up/down walk through earlier questions."""

    BINDINGS = [
        Binding("up", "history(-1)", "Previous question", show=False),
        Binding("down", "history(1)", "Next question", show=False),
    ]

    @dataclass
    class Submitted(Message):
        """The user asked a question."""

        question: str

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self.placeholder = placeholder
        self.history: list[str] = []
        self._cursor = 0
        self._draft = ""

    def compose(self) -> ComposeResult:
        yield Label("›", id="prompt-mark")
        yield Input(placeholder=self.placeholder, id="prompt-input")

    @property
    def input(self) -> Input:
        return self.query_one("#prompt-input", Input)

    def focus(self, scroll_visible: bool = True) -> PromptInput:
        self.input.focus(scroll_visible)
        return self

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        field = self.input
        if self._cursor == len(self.history):
            self._draft = field.value
        self._cursor = max(0, min(len(self.history), self._cursor + step))
        at_draft = self._cursor == len(self.history)
        field.value = self._draft if at_draft else self.history[self._cursor]
        field.cursor_position = len(field.value)

    @on(Input.Submitted, "#prompt-input")
    def _ask(self, event: Input.Submitted) -> None:
        event.stop()
        question = event.value.strip()
        if not question:
            return
        if not self.history or self.history[-1] != question:
            self.history.append(question)
        self._cursor = len(self.history)
        self._draft = ""
        event.input.value = ""
        self.post_message(self.Submitted(question))
