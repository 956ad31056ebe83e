"""`--model script:FILE.jsonl`: a chat model that replays scripted replies, keyed by question.

It lets an evaluation engineer run the LLM path (tool calls, citations, the grounding check)
end to end without a model server. Each line of the file is one question's script:

    {"question": "What is ...?", "replies": [
        {"tool_calls": [{"name": "search_contracts", "args": {"query": "..."}}]},
        {"content": "The answer [1].\\n\\n<citations>...</citations>"}]}

`replies` are the model's turns in order (a tool-call turn, then the final answer); a line with
`"error": "message"` in place of `replies` makes the model fail on that question. A question the
script does not hold fails too, naming the question.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.agent.offline import split_focus
from assistant.errors import InputError

SCRIPT_PREFIX = "script:"


class ScriptedToolCall(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    args: dict[str, Any] = Field(default_factory=dict)


class ScriptedReply(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    content: str = ""
    tool_calls: list[ScriptedToolCall] = Field(default_factory=list)


class ScriptedQuestion(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    question: str
    replies: list[ScriptedReply] = Field(default_factory=list)
    error: str | None = None


def load_script(path: Path) -> dict[str, ScriptedQuestion]:
    """The script's questions by their text; InputError naming every bad line."""
    if not path.is_file():
        raise InputError(f"No model script at {path}", "pass --model script:FILE.jsonl")
    script: dict[str, ScriptedQuestion] = {}
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = ScriptedQuestion.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not JSON ({exc.msg})")
            continue
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            problems.append(f"line {number}: {where}: {first['msg']}")
            continue
        if not entry.replies and entry.error is None:
            problems.append(f"line {number}: give 'replies' or 'error'")
            continue
        script[entry.question.strip()] = entry
    if problems:
        raise InputError(
            f"{path.name} is not a model script: " + "; ".join(problems),
            'one JSON object a line: {"question": ..., "replies": [{"content", "tool_calls"}]}',
        )
    return script


class ScriptedChatModel(BaseChatModel):
    """Replies from a script: the n-th model turn after a question gets its n-th reply."""

    script: dict[str, ScriptedQuestion]

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedChatModel:  # type: ignore[override]
        return self

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        asked = max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage))
        _, question = split_focus(str(messages[asked].content))
        entry = self.script.get(question.strip())
        if entry is None:
            raise InputError(f"The model script has no reply for the question {question!r}")
        if entry.error is not None:
            raise RuntimeError(entry.error)
        turn = sum(isinstance(m, AIMessage) for m in messages[asked + 1 :])
        if turn >= len(entry.replies):
            raise InputError(f"The model script ran out of replies for {question!r}")
        reply = entry.replies[turn]
        message = AIMessage(
            reply.content,
            tool_calls=[
                {"name": c.name, "args": c.args, "id": f"call_{turn}_{n}", "type": "tool_call"}
                for n, c in enumerate(reply.tool_calls)
            ],
        )
        return ChatResult(generations=[ChatGeneration(message=message)])


def scripted_model(spec: str) -> ScriptedChatModel:
    """The model for 'script:FILE.jsonl'."""
    return ScriptedChatModel(script=load_script(Path(spec.removeprefix(SCRIPT_PREFIX))))
