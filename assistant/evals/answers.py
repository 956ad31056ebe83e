"""The `answers` suite: questions to the assistant, scored for numbers, citations, abstention,
injection resistance and latency."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import AssistantError
from assistant.evals.datasets import AnswerCase, InjectedDocument
from assistant.evals.metrics import (
    abstained,
    citation_hits,
    followed,
    mean_of,
    number_stated,
    percentile,
)
from assistant.evals.results import Failure, SuiteResult

if TYPE_CHECKING:
    from assistant.agent.answer import Answer, Citation
    from assistant.agent.events import Assistant
    from assistant.ingest.store import DocumentStore
    from assistant.services import Services


@dataclass(frozen=True)
class Target:
    """A workspace the cases run on: its assistant, and its documents to verify citations."""

    assistant: Assistant
    documents: DocumentStore


@dataclass(frozen=True)
class Scored:
    """One case's checks; None where the case sets no such expectation."""

    case_id: str
    tools: bool | None
    numbers: bool | None
    citations: bool | None
    content: bool | None
    abstention: bool | None
    injection: bool | None
    valid_citations: int
    citations_made: int
    seconds: float
    failures: tuple[Failure, ...]

    @property
    def passed(self) -> bool:
        """Every check the case sets held (each failed check is listed in `failures`)."""
        return not self.failures


def citation_valid(citation: Citation, documents: DocumentStore) -> bool:
    """The document exists, the page is one of its pages, and the quote is on that page."""
    from assistant.agent.grounding import quote_on_page
    from assistant.errors import NotFoundError

    try:
        record = documents.resolve(citation.source)
    except NotFoundError:
        return False
    return quote_on_page(citation.quote, documents.page_text(record.doc_id, citation.page))


def score_answer(
    case: AnswerCase, answer: Answer, documents: DocumentStore, seconds: float
) -> Scored:
    """Every check the case asks for, on the answer the assistant gave."""
    text = answer.answer
    failures: list[Failure] = []
    called = [c.name for c in answer.tool_calls]

    def check(metric: str, ok: bool, expected: object, got: object) -> bool:
        if not ok:
            failures.append(Failure(case.id, metric, expected, got))
        return ok

    tools = None
    if case.tools:
        missing = [t for t in case.tools if t not in called]
        tools = check("tool", not missing, case.tools, called)
    numbers = None
    if case.numbers:
        wrong = [str(n.value) for n in case.numbers if not number_stated(n, text)]
        numbers = check("numeric_exactness", not wrong, wrong, _short(text))
    cited = [(c.source, c.page, c.section) for c in answer.citations]
    citations = None
    if case.citations:
        gold = [g.model_dump(exclude_none=True) for g in case.citations]
        citations = check("citation_correctness", citation_hits(cited, case.citations), gold, cited)
    content = None
    if case.contains:
        absent = [p for p in case.contains if not re.search(p, text, re.IGNORECASE)]
        content = check("content", not absent, absent, _short(text))
    abstention = None
    if case.kind in ("answer", "abstain"):
        said = abstained(text) and not answer.figures
        abstention = check(
            "abstention", said == (case.kind == "abstain"), case.kind == "abstain", said
        )
    injection = None
    asserted = followed(case.forbidden, text)
    if case.forbidden:
        metric = "injection_resistance" if case.kind == "injection" else "forbidden"
        ok = check(metric, not asserted, "none of " + str(case.forbidden), asserted)
        injection = ok if case.kind == "injection" else None
    invalid = [c for c in answer.citations if not citation_valid(c, documents)]
    if invalid:
        where = [(c.source, c.page, c.quote[:80]) for c in invalid]
        check("citation_validity", False, "each quote on its cited page", where)
    return Scored(
        case_id=case.id,
        tools=tools,
        numbers=numbers,
        citations=citations,
        content=content,
        abstention=abstention,
        injection=injection,
        valid_citations=len(answer.citations) - len(invalid),
        citations_made=len(answer.citations),
        seconds=seconds,
        failures=tuple(failures),
    )


def failed(case: AnswerCase, seconds: float, message: str) -> Scored:
    """A case the assistant could not answer: every check it sets fails."""

    def applies(flag: object) -> bool | None:
        return False if flag else None

    return Scored(
        case_id=case.id,
        tools=applies(case.tools),
        numbers=applies(case.numbers),
        citations=applies(case.citations),
        content=applies(case.contains),
        abstention=applies(case.kind in ("answer", "abstain")),
        injection=applies(case.kind == "injection" and case.forbidden),
        valid_citations=0,
        citations_made=0,
        seconds=seconds,
        failures=(Failure(case.id, "error", "an answer", message),),
    )


def _short(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + " …"


def ask(assistant: Assistant, case: AnswerCase) -> Answer:
    """Drain one turn's events; the last is the answer."""
    from assistant.agent.events import AnswerReady

    answer = None
    for event in assistant.stream(case.question, payer=case.payer):
        if isinstance(event, AnswerReady):
            answer = event.answer
    if answer is None:
        raise AssistantError(f"The assistant gave no answer to case '{case.id}'")
    return answer


def summarise(scored: Sequence[Scored], cases: int) -> SuiteResult:
    made = sum(s.citations_made for s in scored)
    metrics: dict[str, float] = {
        "answer_accuracy": sum(s.passed for s in scored) / cases if cases else 0.0
    }
    for name, values in (
        ("tool_accuracy", [s.tools for s in scored]),
        ("numeric_exactness", [s.numbers for s in scored]),
        ("citation_correctness", [s.citations for s in scored]),
        ("content_accuracy", [s.content for s in scored]),
        ("abstention_accuracy", [s.abstention for s in scored]),
        ("injection_resistance", [s.injection for s in scored]),
    ):
        share = mean_of(values)
        if share is not None:
            metrics[name] = share
    if made:
        metrics["citation_validity"] = sum(s.valid_citations for s in scored) / made
    seconds = [s.seconds for s in scored]
    metrics["latency_p50_s"] = percentile(seconds, 50)
    metrics["latency_p95_s"] = percentile(seconds, 95)
    return SuiteResult(
        name="answers",
        cases=cases,
        metrics=metrics,
        failures=tuple(f for s in scored for f in s.failures),
    )


def run_answers(
    cases: Sequence[AnswerCase],
    targets: Mapping[str, Target],
    clock: Callable[[], float] = time.perf_counter,
) -> SuiteResult:
    """Ask every case on its workspace's assistant; an error counts as a failed answer."""
    scored = []
    for case in cases:
        target = targets[case.workspace]
        started = clock()
        try:
            answer = ask(target.assistant, case)
        except AssistantError as error:
            scored.append(failed(case, clock() - started, error.message))
            continue
        scored.append(score_answer(case, answer, target.documents, clock() - started))
    return summarise(scored, len(cases))


def prepare_injection(
    services: Services, evals_dir: Path, documents: Sequence[InjectedDocument]
) -> None:
    """The injection workspace: the demo practice (without the TN files) plus the documents
    carrying injected instructions; rebuilding skips unchanged files."""
    from assistant.demo import build_demo_workspace

    outcomes = build_demo_workspace(services, include_shared=False)
    ingestor = services.ingestor()
    for doc in documents:
        outcomes += ingestor.ingest([evals_dir / doc.path], payer=doc.payer, kind=doc.kind)
    failed = [o for o in outcomes if o.error]
    if failed:
        raise AssistantError(f"Could not index {failed[0].source}: {failed[0].error}")
