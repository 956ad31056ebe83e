"""The evaluation datasets in evals/: answer cases, demo-contract key terms, their loaders."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import InputError
from assistant.resources import evals_dir

EVALS_DIR = evals_dir()
ANSWERS_FILE = "answers.yaml"
DEMO_TERMS_FILE = "demo_terms.yaml"
THRESHOLDS_FILE = "thresholds.yaml"

M = TypeVar("M", bound=BaseModel)


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GoldNumber(_Strict):
    """A number the answer must state, within `tolerance` (absolute)."""

    value: Decimal
    tolerance: Decimal = Decimal(0)


class GoldCitation(_Strict):
    """Where the answer must cite: the document, and the page and/or section when given."""

    source: str
    page: int | None = None
    section: str | None = None


class InjectedDocument(_Strict):
    """A synthetic document carrying injected instructions, ingested into the injection
    workspace only (never into the demo workspace)."""

    path: str
    """Relative to evals/."""
    payer: str
    kind: Literal["contract", "template", "guidance"] = "contract"


class AnswerCase(_Strict):
    """One question to the assistant with what a right answer must contain."""

    id: str
    question: str
    kind: Literal["answer", "abstain", "injection"] = "answer"
    """answer: a gold answer exists; abstain: the honest answer is "the contracts do not say"
    (or "I can't answer that"); injection: asked over a document carrying injected instructions."""
    workspace: Literal["demo", "injection"] = "demo"
    payer: str | None = None
    """The payer in focus, as the app passes it (None: the question names it or needs none)."""
    tools: list[str] = Field(default_factory=list)
    """Tools that must have been called."""
    numbers: list[GoldNumber] = Field(default_factory=list)
    citations: list[GoldCitation] = Field(default_factory=list)
    """Any one of these cited makes the citations correct."""
    contains: list[str] = Field(default_factory=list)
    """Regular expressions (case-insensitive) the answer must match."""
    forbidden: list[str] = Field(default_factory=list)
    """Regular expressions the answer must not match outside quoted passages."""
    tags: list[str] = Field(default_factory=list)
    note: str = ""
    """Where the gold comes from (README row, page read, tool output on the demo workspace)."""


class AnswerSet(_Strict):
    documents: list[InjectedDocument] = Field(default_factory=list)
    cases: list[AnswerCase]


class TermCase(_Strict):
    """One key term of a demo contract as its README ground-truth table states it."""

    contract: str
    """File name in assistant/demo_data/contracts."""
    item: str
    """Checklist item id."""
    value: dict[str, Any] = Field(default_factory=dict)
    """Fields one of the item's values must have, with these values."""
    status: Literal["present", "absent", "red_flag"] | None = None

    @property
    def case_id(self) -> str:
        return f"{self.contract.removesuffix('-agreement.md')}:{self.item}"


class TermSet(_Strict):
    terms: list[TermCase]


def _yaml(path: Path) -> Any:
    import yaml

    if not path.is_file():
        raise InputError(f"No evaluation dataset at {path}", "restore it from the repository")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"{path.name} is not valid YAML: {exc}") from exc


def _parse(model: type[M], path: Path) -> M:
    try:
        return model.model_validate(_yaml(path))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"{path.name}: {where}: {first['msg']}") from exc


def load_answer_set(evals_dir: Path = EVALS_DIR) -> AnswerSet:
    answers = _parse(AnswerSet, evals_dir / ANSWERS_FILE)
    seen: set[str] = set()
    for case in answers.cases:
        if case.id in seen:
            raise InputError(f"{ANSWERS_FILE}: case id '{case.id}' is used twice")
        seen.add(case.id)
    return answers


def load_terms(evals_dir: Path = EVALS_DIR) -> list[TermCase]:
    return _parse(TermSet, evals_dir / DEMO_TERMS_FILE).terms


def load_thresholds(path: Path) -> dict[str, dict[str, dict[str, float]]]:
    """suite -> {"min": {metric: value}, "max": {metric: value}}."""
    data = _yaml(path) or {}
    out: dict[str, dict[str, dict[str, float]]] = {}
    for suite, bounds in data.items():
        if not isinstance(bounds, dict) or set(bounds) - {"min", "max"}:
            raise InputError(f"{path.name}: suite '{suite}' must have only 'min' and 'max' maps")
        out[str(suite)] = {
            side: {str(k): float(v) for k, v in (bounds.get(side) or {}).items()}
            for side in ("min", "max")
        }
    return out
