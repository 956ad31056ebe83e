"""Bring-your-own evaluation datasets: answer sets (JSONL) and LegalBench-RAG retrieval sets (JSON),
recognised from their content and checked line by line before anything runs."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from assistant.errors import InputError

KINDS = ("lookup", "numeric", "compare", "followup", "absent", "checklist")
"""`checklist`: contract_qa_dev.jsonl's kind (does the contract have clause X), scored as lookup."""
_PAGES = re.compile(r"\bpages?\s+(\d+(?:\s*(?:,|and|-|–|to)\s*\d+)*)", re.IGNORECASE)
_RANGE = re.compile(r"(\d+)\s*(?:-|–|to)\s*(\d+)|(\d+)")


class GoldRef(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    document: str
    page: int = Field(ge=1)


class AnswerItem(BaseModel):
    """One question of an answer dataset; unknown fields are kept and ignored."""

    model_config = ConfigDict(frozen=True, extra="allow")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    payer: str | None = None
    document: str | None = None
    """The file name as ingested; a path ("payer_contracts/X.pdf") is read as its file name."""
    must_contain: list[str] = Field(default_factory=list)
    """Each must appear in the answer (case-insensitive); "a|b" means either."""
    must_not_contain: list[str] = Field(default_factory=list)
    gold_pages: list[int] = Field(default_factory=list)
    gold_refs: list[GoldRef] = Field(default_factory=list)
    kind: Literal["lookup", "numeric", "compare", "followup", "absent", "checklist"] = "lookup"
    followup_of: str | None = None
    evidence_quote: str | None = None
    """contract_qa_dev.jsonl's verbatim evidence: the answer or one of its quotes must hold it."""
    gold_location: str | None = None
    """contract_qa_dev.jsonl's "page 20, §3.1": read as gold_pages when those are not given."""

    @model_validator(mode="before")
    @classmethod
    def _absence(cls, data: Any) -> Any:
        """contract_qa_dev.jsonl marks questions whose answer is that the documents hold no such
        clause by "(absence)" in gold_location: they are scored as `absent`."""
        if (
            isinstance(data, dict)
            and data.get("kind") == "checklist"
            and "(absence)" in str(data.get("gold_location") or "")
        ):
            return {**data, "kind": "absent"}
        return data

    @field_validator("id", "question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @field_validator("gold_pages")
    @classmethod
    def _pages(cls, value: list[int]) -> list[int]:
        if any(p < 1 for p in value):
            raise ValueError("pages are 1-based")
        return value

    @property
    def document_name(self) -> str | None:
        return Path(self.document).name if self.document else None

    @property
    def pages(self) -> list[int]:
        """gold_pages, or the pages gold_location names."""
        if self.gold_pages or not self.gold_location:
            return list(self.gold_pages)
        pages: list[int] = []
        for listed in _PAGES.finditer(self.gold_location):
            for m in _RANGE.finditer(listed.group(1)):
                first = int(m.group(1) or m.group(3))
                last = int(m.group(2) or first)
                pages += [p for p in range(first, max(first, last) + 1) if p not in pages]
        return pages

    @property
    def documents(self) -> list[str]:
        """Every document the item names (its own and its gold references'), by file name."""
        names = [self.document_name] if self.document_name else []
        return names + [Path(r.document).name for r in self.gold_refs]


class Snippet(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")

    file_path: str = Field(min_length=1)
    span: tuple[int, int]

    @field_validator("span")
    @classmethod
    def _ordered(cls, value: tuple[int, int]) -> tuple[int, int]:
        if value[0] < 0 or value[1] <= value[0]:
            raise ValueError("span must be [start, end] with 0 <= start < end")
        return value


class RetrievalTest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")

    query: str = Field(min_length=1)
    snippets: list[Snippet] = Field(min_length=1)

    @property
    def kind(self) -> str:
        extra = self.model_extra or {}
        return str(extra.get("kind") or extra.get("cuad_category") or "all")

    @property
    def test_id(self) -> str | None:
        extra = self.model_extra or {}
        value = extra.get("id") or extra.get("source_id")
        return str(value) if value else None


@dataclass(frozen=True)
class Problem:
    line: int
    """1-based line of the dataset file (for JSON, the line the test starts on; 0: the file)."""
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class DatasetError(InputError):
    """A dataset that can't run as it is; `problems` lists every bad line."""

    def __init__(self, path: Path, problems: list[Problem], hint: str | None = None) -> None:
        super().__init__(
            f"{path.name}: {len(problems)} problem(s), nothing was run",
            hint or "fix the lines listed and run again",
        )
        self.path = path
        self.problems = problems


@dataclass(frozen=True)
class AnswerDataset:
    path: Path
    items: list[AnswerItem]
    lines: list[int]
    """The file line of each item."""
    kind: Literal["answers"] = "answers"


@dataclass(frozen=True)
class RetrievalDataset:
    path: Path
    tests: list[RetrievalTest]
    lines: list[int]
    corpus: Path | None = None
    kind: Literal["retrieval"] = "retrieval"
    files: list[str] = field(default_factory=list)
    """Every file_path the tests name, in first-seen order."""


Dataset = AnswerDataset | RetrievalDataset


def _first_error(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        msg = "missing" if err["type"] == "missing" else err["msg"]
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(parts)


def load_dataset(path: Path, corpus: Path | None = None) -> Dataset:
    """The dataset in `path`, its format recognised from the content; DatasetError listing every
    bad line (by number) when any line is wrong."""
    if not path.is_file():
        raise InputError(
            f"No dataset at {path}", "pass a .jsonl answer set or a LegalBench-RAG .json"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path.name} is not UTF-8 text", "re-save it as UTF-8") from exc
    if not text.strip():
        raise DatasetError(path, [Problem(0, "the file is empty")])
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    if isinstance(whole, dict) and "tests" in whole:
        return _retrieval(path, text, whole, corpus)
    if isinstance(whole, dict) and "question" not in whole:
        raise DatasetError(
            path,
            [Problem(0, "a JSON object without 'tests' is neither format")],
            'answer sets are JSONL (one {"id", "question", ...} a line); LegalBench-RAG files '
            'are {"tests": [...]}',
        )
    return _answers(path, text)


def _answers(path: Path, text: str) -> AnswerDataset:
    items: list[AnswerItem] = []
    lines: list[int] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(number, f"not JSON ({exc.msg} at column {exc.colno})"))
            continue
        if not isinstance(raw, dict):
            problems.append(Problem(number, "not a JSON object"))
            continue
        try:
            item = AnswerItem.model_validate(raw)
        except ValidationError as exc:
            problems.append(Problem(number, _first_error(exc)))
            continue
        if item.id in seen:
            problems.append(Problem(number, f"id '{item.id}' is used twice"))
            continue
        if item.followup_of is not None and item.followup_of not in seen:
            problems.append(
                Problem(number, f"followup_of '{item.followup_of}' names no earlier id")
            )
            continue
        seen.add(item.id)
        items.append(item)
        lines.append(number)
    if problems and not items and all(p.message.startswith("not JSON") for p in problems):
        raise DatasetError(
            path,
            [Problem(0, "no line is JSON: this is neither a JSONL answer set nor LegalBench-RAG")],
            'answer sets have one {"id", "question", ...} a line; retrieval sets are '
            '{"tests": [...]}',
        )
    if problems:
        raise DatasetError(path, problems)
    if not items:
        raise DatasetError(path, [Problem(0, "no questions in the file")])
    return AnswerDataset(path, items, lines)


def _line_of(text: str, needle: str, after: int) -> tuple[int, int]:
    """(1-based line, offset) of the first `needle` at or after `after` in `text`."""
    at = text.find(needle, after)
    if at < 0:
        return 0, after
    return text.count("\n", 0, at) + 1, at + len(needle)


def _retrieval(
    path: Path, text: str, whole: dict[str, Any], corpus: Path | None
) -> RetrievalDataset:
    raw_tests = whole["tests"]
    if not isinstance(raw_tests, list) or not raw_tests:
        raise DatasetError(path, [Problem(0, "'tests' must be a non-empty list")])
    tests: list[RetrievalTest] = []
    lines: list[int] = []
    problems: list[Problem] = []
    files: list[str] = []
    cursor = 0
    for n, raw in enumerate(raw_tests, 1):
        query = raw.get("query") if isinstance(raw, dict) else None
        line = 0
        if isinstance(query, str) and query:
            line, cursor = _line_of(text, json.dumps(query, ensure_ascii=True)[1:-1][:40], cursor)
            if not line:
                line, cursor = _line_of(
                    text, json.dumps(query, ensure_ascii=False)[1:-1][:40], cursor
                )
        where = line or 0
        label = f"test {n}"
        try:
            test = RetrievalTest.model_validate(raw)
        except ValidationError as exc:
            problems.append(Problem(where, f"{label}: {_first_error(exc)}"))
            continue
        tests.append(test)
        lines.append(where)
        for s in test.snippets:
            if s.file_path not in files:
                files.append(s.file_path)
    if corpus is not None:
        for test, where in zip(tests, lines, strict=True):
            for s in test.snippets:
                corpus_file = corpus / s.file_path
                if not corpus_file.is_file():
                    problems.append(Problem(where, f"{s.file_path} is not in {corpus}"))
                    continue
    if problems:
        hint = None
        if corpus is None:
            hint = "fix the lines listed; pass --corpus DIR, the folder file_path is relative to"
        raise DatasetError(path, problems, hint)
    return RetrievalDataset(path, tests, lines, corpus, files=files)
