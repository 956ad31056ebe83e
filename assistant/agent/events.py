"""What the agent reports while it works; the UI depends on these types, never on LangChain."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from assistant.agent.answer import Answer


@dataclass(frozen=True)
class ToolCallStarted:
    call_id: str
    name: str
    args: dict[str, Any]


@dataclass(frozen=True)
class ToolCallFinished:
    call_id: str
    name: str
    result: Any
    error: str | None = None


@dataclass(frozen=True)
class AnswerDelta:
    """A piece of the answer text as it is composed (before the grounding check)."""

    text: str


@dataclass(frozen=True)
class AnswerReady:
    """The final, grounded answer."""

    answer: Answer


AgentEvent = ToolCallStarted | ToolCallFinished | AnswerDelta | AnswerReady


class Assistant(Protocol):
    """What the CLI and the app call to get answers."""

    @property
    def model_name(self) -> str: ...

    def new_conversation(self, title: str) -> str:
        """Start a conversation; turns streamed with its id see the earlier turns."""
        ...

    def stream(
        self, question: str, conversation_id: str | None = None, payer: str | None = None
    ) -> Iterator[AgentEvent]:
        """Events for one turn; the last one is AnswerReady. Raises AssistantError on failure."""
        ...
