"""The conversation as the app keeps it, and its Markdown export (conversation, talking points)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from assistant.agent.answer import Answer, Citation
from assistant.agent.conversations import Turn as StoredTurn

MARKER = re.compile(r"\[(\d{1,3})\](?!\()")
TALKING_POINTS_TOOL = "draft_talking_points"


@dataclass
class Turn:
    """One question and what came back (an answer, or the error that stopped it)."""

    question: str
    payer: str | None = None
    talking_points: bool = False
    answer: Answer | None = None
    error: str | None = None
    tool_names: list[str] = field(default_factory=list)


def turns_from_store(stored: list[StoredTurn]) -> list[Turn]:
    """A saved conversation's turns as the chat shows them (answers as `ask --json` kept them)."""
    turns = []
    for saved in stored:
        turn = Turn(saved.question, payer=saved.payer)
        try:
            turn.answer = Answer.model_validate(saved.answer)
        except ValidationError:
            turn.error = "this answer was saved in a form this version cannot show"
        else:
            turn.tool_names = [call.name for call in turn.answer.tool_calls]
            # so that "Export talking points" finds them in a reopened conversation too
            turn.talking_points = TALKING_POINTS_TOOL in turn.tool_names
        turns.append(turn)
    return turns


def link_markers(text: str, citations: list[Citation]) -> str:
    """Turn `[1]` markers into `cite:` links the answer view opens (only markers that exist)."""

    def replace(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if 1 <= n <= len(citations):
            return f"[\\[{n}\\]](cite:{n})"
        return match.group(0)

    return MARKER.sub(replace, text)


def citation_label(n: int, citation: Citation) -> str:
    where = [citation.source]
    if citation.page is not None:
        where.append(f"p. {citation.page}")
    if citation.section:
        where.append(f"§ {citation.section}")
    return f"[{n}] " + ", ".join(where)


def _sources(answer: Answer) -> list[str]:
    if not answer.citations:
        return []
    lines = ["", "**Sources**", ""]
    for n, citation in enumerate(answer.citations, 1):
        lines.append(f"- {citation_label(n, citation)}: “{citation.quote.strip()}”")
    return lines


def turn_markdown(turn: Turn, heading: str = "##") -> list[str]:
    lines = [f"{heading} {turn.question}", ""]
    if turn.answer is not None:
        lines.append(turn.answer.answer.strip())
        lines += _sources(turn.answer)
        if turn.answer.removed:
            lines += ["", "*Removed by the grounding check:* " + "; ".join(turn.answer.removed)]
    elif turn.error:
        lines.append(f"*No answer: {turn.error}*")
    else:
        lines.append("*No answer yet.*")
    return [*lines, ""]


def conversation_markdown(turns: list[Turn], workspace: str, model: str) -> str:
    """The whole conversation, each answer followed by its sources."""
    lines = [f"# Conversation: {workspace}", "", f"Model: {model}", ""]
    for turn in turns:
        lines += turn_markdown(turn)
    return "\n".join(lines).rstrip() + "\n"


def talking_points_markdown(turn: Turn) -> str:
    """The talking points answer on its own, ready to edit and send."""
    title = f"# Talking points: {turn.payer}" if turn.payer else "# Talking points"
    body = turn_markdown(turn, heading="##")[2:]
    return "\n".join([title, "", *body]).rstrip() + "\n"


def write_export(folder: Path, stem: str, text: str) -> Path:
    """Write `stem.md` in the exports folder; never overwrite an earlier export."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.md"
    n = 2
    while path.exists():
        path = folder / f"{stem}-{n}.md"
        n += 1
    path.write_text(text, encoding="utf-8")
    return path
