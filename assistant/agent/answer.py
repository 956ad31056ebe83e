"""The structured answer every model path produces (the `ask --json` shape)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Citation(BaseModel):
    """A contract fact's source: the quote must occur on that page of that document."""

    model_config = ConfigDict(frozen=True)

    source: str
    page: int | None
    section: str | None = None
    quote: str
    doc_id: str | None = None
    """Not part of the stable JSON contract; lets the UI open the document."""


class Figure(BaseModel):
    """A number stated in the answer, traced to the tool call that produced it."""

    model_config = ConfigDict(frozen=True)

    text: str
    """As written in the answer, e.g. "$12,345.67" or "87.5%"."""
    value: str
    """Normalised value: a decimal string ("12345.67", "87.5")."""
    tool_call_id: str | None


class ToolCallRecord(BaseModel):
    """One tool call the model made, with the result it got back."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    args: dict[str, Any]
    result: Any


class Answer(BaseModel):
    """The answer shown to the user, after the grounding check."""

    answer: str
    citations: list[Citation] = Field(default_factory=list)
    figures: list[Figure] = Field(default_factory=list)
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)
    model: str
    grounded: bool = True
    removed: list[str] = Field(default_factory=list)
    """What the grounding check took out (invented quotes, untraceable numbers), said plainly."""

    def to_json(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        data["citations"] = [
            {k: c[k] for k in ("source", "page", "section", "quote")} for c in data["citations"]
        ]
        return data
