"""One agent loop for every model: LangChain's `create_agent` over our tools, its stream turned
into this project's events, and every answer grounding-checked before it is shown."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from assistant.agent.answer import Answer, ToolCallRecord
from assistant.agent.conversations import ConversationStore
from assistant.agent.events import (
    AgentEvent,
    AnswerDelta,
    AnswerReady,
    ToolCallFinished,
    ToolCallStarted,
)
from assistant.agent.grounding import check_answer
from assistant.agent.offline import with_focus
from assistant.agent.tools import ToolBox, make_tools
from assistant.config import OFFLINE_MODEL
from assistant.errors import AssistantError, NotFoundError, ServiceUnavailable
from assistant.safety import redact_title

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage
    from langgraph.types import StreamMode

RECURSION_LIMIT = 16
"""Graph steps per turn: about seven rounds of tool calls, then the agent must answer."""
HISTORY_TURNS = 6
STREAM_MODES: list[StreamMode] = ["updates", "messages"]


class AgentAssistant:
    """The `Assistant` the CLI and the app use: stream(question) -> events, last AnswerReady."""

    def __init__(
        self, toolbox: ToolBox, model: BaseChatModel, model_name: str, system_prompt: str
    ) -> None:
        from langchain.agents import create_agent

        self.toolbox = toolbox
        self._model_name = model_name
        from assistant.agent.negotiation_tools import make_negotiation_tools

        tools = [*make_tools(toolbox), *make_negotiation_tools(toolbox.services)]
        self._graph = create_agent(model, tools, system_prompt=system_prompt)

    @property
    def model_name(self) -> str:
        return self._model_name

    @property
    def conversations(self) -> ConversationStore:
        return ConversationStore(self.toolbox.services.conn)

    def new_conversation(self, title: str = "New conversation") -> str:
        """A new conversation; a title taken from a question loses who it is about."""
        return self.conversations.create(redact_title(title, self._names()), self._model_name)

    def _history(self, conversation_id: str) -> list[BaseMessage]:
        from langchain_core.messages import AIMessage, HumanMessage

        messages: list[BaseMessage] = []
        for turn in self.conversations.turns(conversation_id)[-HISTORY_TURNS:]:
            messages.append(HumanMessage(with_focus(turn.question, turn.payer)))
            messages.append(AIMessage(turn.answer.get("answer", "")))
        return messages

    def ask(
        self, question: str, conversation_id: str | None = None, payer: str | None = None
    ) -> Answer:
        """The final answer of one turn (the events, drained)."""
        answer: Answer | None = None
        for event in self.stream(question, conversation_id, payer):
            if isinstance(event, AnswerReady):
                answer = event.answer
        assert answer is not None
        return answer

    def stream(
        self, question: str, conversation_id: str | None = None, payer: str | None = None
    ) -> Iterator[AgentEvent]:
        from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage

        store = self.conversations
        if conversation_id is None:
            conversation_id = store.create(redact_title(question, self._names()), self._model_name)
            history: list[BaseMessage] = []
        else:
            store.require(conversation_id)
            history = self._history(conversation_id)
        messages = [*history, HumanMessage(with_focus(question, payer))]

        started: dict[str, tuple[str, dict[str, Any]]] = {}
        records: list[ToolCallRecord] = []
        final = ""
        shown = ""
        try:
            for part in self._graph.stream(
                _agent_input(messages),
                stream_mode=STREAM_MODES,
                config={"recursion_limit": RECURSION_LIMIT},
            ):
                mode, chunk = cast("tuple[str, Any]", part)
                if mode == "messages":
                    piece = chunk[0]
                    if (
                        isinstance(piece, AIMessageChunk | AIMessage)
                        and isinstance(piece.content, str)
                        and piece.content
                        and not getattr(piece, "tool_call_chunks", None)
                        and not piece.tool_calls
                    ):
                        # Nothing is shown before the grounding check: the pieces are kept
                        # and the checked answer is streamed after it.
                        shown += piece.content
                    continue
                for update in chunk.values():
                    for message in (update or {}).get("messages", []):
                        if isinstance(message, AIMessage) and message.tool_calls:
                            for call in message.tool_calls:
                                call_id = str(call["id"])
                                started[call_id] = (call["name"], dict(call["args"]))
                                yield ToolCallStarted(call_id, call["name"], dict(call["args"]))
                        elif isinstance(message, AIMessage):
                            final = _text(message.content)
                        elif isinstance(message, ToolMessage):
                            name, args = started.get(message.tool_call_id, (message.name or "", {}))
                            result = _parse(message.content)
                            error = result.get("error") if isinstance(result, dict) else None
                            records.append(
                                ToolCallRecord(
                                    id=message.tool_call_id, name=name, args=args, result=result
                                )
                            )
                            yield ToolCallFinished(message.tool_call_id, name, result, error)
        except AssistantError:
            raise
        except Exception as exc:  # a provider's or a tool's own errors, said plainly at the edge
            hint = (
                "this is a bug in payer-assistant; please report it with the question asked"
                if self._model_name == OFFLINE_MODEL
                else "check that the provider is reachable and configured, or use --model offline"
            )
            raise ServiceUnavailable(
                f"Answering with '{self._model_name}' failed: {type(exc).__name__}: {exc}", hint
            ) from exc
        final = final or shown
        order = list(started)
        records.sort(key=lambda r: order.index(r.id) if r.id in order else len(order))
        answer = self.ground(final, records, question)
        for piece in _pieces(answer.answer):
            yield AnswerDelta(piece)
        store.add_turn(conversation_id, question, payer, answer.to_json())
        yield AnswerReady(answer)

    def _names(self) -> frozenset[str]:
        """The words of the payers' names: a title keeps them (and drops other names)."""
        payers = [*self.toolbox.rate_payers(), *self.toolbox.document_payers()]
        payers += list(self.toolbox.aliases())
        return frozenset(w.lower() for name in payers for w in name.split())

    def ground(self, text: str, records: list[ToolCallRecord], question: str = "") -> Answer:
        """The grounding check over a composed answer, as the Answer shown to the user."""
        from assistant.ingest.store import DocumentStore

        documents = DocumentStore(self.toolbox.services.conn)

        def document_id(source: str) -> str | None:
            try:
                return documents.resolve(source).doc_id
            except NotFoundError:
                return None

        checked = check_answer(text, records, documents.page_text, document_id, question)
        return Answer(
            answer=checked.text,
            citations=checked.citations,
            figures=checked.figures,
            tool_calls=records,
            model=self._model_name,
            grounded=checked.grounded,
            removed=checked.removed,
        )


def _agent_input(messages: list[BaseMessage]) -> Any:
    """The agent's input state (a TypedDict mypy cannot infer from a literal)."""
    return {"messages": messages}


def _pieces(text: str) -> Iterator[str]:
    """The checked answer in word-sized pieces, so it still streams onto the screen."""
    yield from re.findall(r"\S+\s*|\s+", text)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(
        part.get("text", "") if isinstance(part, dict) else str(part) for part in content
    )


def _parse(content: Any) -> Any:
    try:
        return json.loads(_text(content))
    except json.JSONDecodeError:
        return _text(content)
