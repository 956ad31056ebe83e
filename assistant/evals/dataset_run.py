"""`eval --dataset`: one answer set or LegalBench-RAG set run against a workspace in one process,
scored item by item, with overall and per-kind figures (definitions in evals/README.md)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import AssistantError
from assistant.evals.dataset import (
    AnswerDataset,
    AnswerItem,
    Dataset,
    DatasetError,
    Problem,
    RetrievalDataset,
)
from assistant.evals.metrics import abstained, percentile
from assistant.evals.spans import OffsetMap, Span, score_retrieval

if TYPE_CHECKING:
    import sqlite3

    from assistant.agent.answer import Answer
    from assistant.ingest.store import DocumentRecord, DocumentStore
    from assistant.retrieval.search import Mode
    from assistant.services import Services

Progress = Callable[[str], None]
"""Called once per item done, with a short description."""
PAGE_SLACK = 1
"""A citation within this many pages of a gold page counts as citing it."""
ANSWER_METRICS = (
    "passed",
    "correct",
    "cites_gold_page",
    "quotes_verified",
    "abstained",
    "false_abstention",
)


def _norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.casefold().split())


# Workspace checks --------------------------------------------------------------------------


def _by_name(documents: DocumentStore) -> dict[str, DocumentRecord]:
    return {d.source.casefold(): d for d in documents.list()}


def _ingest_hint(workspace: Path, paths: Sequence[str]) -> str:
    shown = " ".join(f'"{p}"' for p in paths[:3]) + (" ..." if len(paths) > 3 else "")
    return (
        f"add them with `payer-assistant --workspace {workspace} ingest {shown} --kind contract` "
        "(`--no-ocr` skips OCR of scanned pages), then run again"
    )


def check_workspace(services: Services, dataset: Dataset) -> None:
    """DatasetError listing every line naming a document the workspace does not hold."""
    from assistant.ingest.store import DocumentStore

    held = _by_name(DocumentStore(services.conn))
    problems: list[Problem] = []
    missing: list[str] = []
    if isinstance(dataset, AnswerDataset):
        for item, line in zip(dataset.items, dataset.lines, strict=True):
            for name in item.documents:
                if name.casefold() not in held:
                    problems.append(Problem(line, f"document '{name}' is not in the workspace"))
                    if name not in missing:
                        missing.append(name)
    else:
        for test, line in zip(dataset.tests, dataset.lines, strict=True):
            for path in dict.fromkeys(s.file_path for s in test.snippets):
                if Path(path).name.casefold() not in held:
                    problems.append(Problem(line, f"{path} is not in the workspace"))
                    corpus = dataset.corpus or Path(".")
                    full = str(corpus / path)
                    if full not in missing:
                        missing.append(full)
    if problems:
        raise DatasetError(
            dataset.path, problems, _ingest_hint(services.workspace.root, missing or ["FILE"])
        )


# Conversations -----------------------------------------------------------------------------


@contextmanager
def scratch_conversations(conn: sqlite3.Connection) -> Iterator[None]:
    """Conversations started inside the block are deleted when it ends (an evaluation's turns
    never land in the user's conversation list), even when the run fails or is interrupted."""
    from assistant.agent.conversations import ConversationStore

    store = ConversationStore(conn)
    before = {c.id for c in store.list()}
    try:
        yield
    finally:
        for c in store.list():
            if c.id not in before:
                store.delete(c.id)


# Answers -----------------------------------------------------------------------------------


def _contains(text: str, wanted: str) -> bool:
    return any(_norm(alt) in text for alt in wanted.split("|") if alt.strip())


def _evidence_found(evidence: str, text: str, quotes: Sequence[str]) -> bool:
    from rapidfuzz import fuzz

    want = _norm(evidence)
    haystacks = [text, *(_norm(q) for q in quotes)]
    return any(want in h or fuzz.partial_ratio(want, h) >= 90 for h in haystacks if h)


def _cites_gold(item: AnswerItem, cited: Sequence[tuple[str, int | None]]) -> bool | None:
    def near(source: str, page: int | None, document: str | None, gold: int) -> bool:
        if document is not None and source.casefold() != Path(document).name.casefold():
            return False
        return page is not None and abs(page - gold) <= PAGE_SLACK

    if item.gold_refs:
        return _every_document_cited(item, cited)
    pages = item.pages
    if not pages:
        return None
    return any(near(s, p, item.document_name, g) for s, p in cited for g in pages)


def _every_document_cited(item: AnswerItem, cited: Sequence[tuple[str, int | None]]) -> bool:
    """For gold_refs: each referenced document is cited at one of its gold pages."""
    by_doc: dict[str, list[int]] = {}
    for r in item.gold_refs:
        by_doc.setdefault(Path(r.document).name.casefold(), []).append(r.page)
    return all(
        any(
            s.casefold() == doc and p is not None and any(abs(p - g) <= PAGE_SLACK for g in pages)
            for s, p in cited
        )
        for doc, pages in by_doc.items()
    )


def score_answer(item: AnswerItem, answer: Answer, documents: DocumentStore) -> dict[str, Any]:
    """The checks of one answer (None where the item sets no such expectation)."""
    from assistant.evals.answers import citation_valid

    text = _norm(answer.answer)
    quotes = [c.quote for c in answer.citations]
    missing = [w for w in item.must_contain if not _contains(text, w)]
    present = [w for w in item.must_not_contain if _contains(text, w)]
    said_not_found = abstained(answer.answer) and not answer.figures
    checks: dict[str, Any] = {}
    content: list[bool] = []
    if item.must_contain:
        checks["missing"] = missing
        content.append(not missing)
    if item.must_not_contain:
        checks["forbidden_present"] = present
        content.append(not present)
    if item.evidence_quote:
        checks["evidence_found"] = _evidence_found(item.evidence_quote, text, quotes)
        content.append(checks["evidence_found"])
    if item.kind == "absent":
        content.append(said_not_found)
    checks["correct"] = all(content) if content else None
    cited = [(c.source, c.page) for c in answer.citations]
    checks["cites_gold_page"] = None if item.kind == "absent" else _cites_gold(item, cited)
    unverified = [
        {"source": c.source, "page": c.page, "quote": c.quote[:120]}
        for c in answer.citations
        if not citation_valid(c, documents)
    ]
    checks["quotes_verified"] = (not unverified) if answer.citations else None
    if unverified:
        checks["unverified_quotes"] = unverified
    checks["abstained"] = said_not_found
    checks["false_abstention"] = None if item.kind == "absent" else said_not_found
    return checks


def answer_passed(checks: dict[str, Any]) -> bool:
    """Correct, cites a gold page and every quote verified (where each applies), no error, and no
    "not found" on a question the documents answer."""
    if "error" in checks:
        return False
    held = [checks.get(k) for k in ("correct", "cites_gold_page", "quotes_verified")]
    return all(v is not False for v in held) and checks.get("false_abstention") is not True


def _answer_json(answer: Answer) -> dict[str, Any]:
    return {
        "answer": answer.answer,
        "citations": [
            {"source": c.source, "page": c.page, "quote": c.quote} for c in answer.citations
        ],
        "tool_calls": [t.name for t in answer.tool_calls],
    }


def _ask(assistant: Any, item: AnswerItem, conversation: str | None, payer: str | None) -> Answer:
    from assistant.agent.events import AnswerReady

    answer = None
    for event in assistant.stream(item.question, conversation, payer):
        if isinstance(event, AnswerReady):
            answer = event.answer
    if answer is None:
        raise AssistantError("the assistant gave no answer")
    return answer


def run_answer_set(
    services: Services,
    dataset: AnswerDataset,
    model: str,
    progress: Progress = lambda _: None,
    clock: Callable[[], float] = time.perf_counter,
) -> list[dict[str, Any]]:
    """Ask every question in order (a followup in its question's conversation); a question the
    model fails on is scored failed with the error in `checks`, and the run goes on."""
    from assistant.agent.factory import make_assistant
    from assistant.ingest.store import DocumentStore

    assistant = make_assistant(services, model)
    documents = DocumentStore(services.conn)
    # The first question should not pay for loading the embedding model.
    services.embedder.embed_query("warm up")
    held = _by_name(documents)

    def focus(item: AnswerItem) -> str | None:
        """The payer in focus: the item's, else the payer its document is filed under (as
        picking that payer in the app would)."""
        if item.payer or not item.document_name:
            return item.payer
        record = held.get(item.document_name.casefold())
        return record.payer if record else None

    conversations: dict[str, str] = {}
    items: list[dict[str, Any]] = []
    with scratch_conversations(services.conn):
        for item in dataset.items:
            conversation = conversations.get(item.followup_of) if item.followup_of else None
            if conversation is None:
                conversation = assistant.new_conversation(f"eval {item.id}")
            conversations[item.id] = conversation
            started = clock()
            out: dict[str, Any] = {"id": item.id, "question": item.question}
            try:
                answer = _ask(assistant, item, conversation, focus(item))
            except AssistantError as error:
                seconds = clock() - started
                message = error.message + (f" ({error.hint})" if error.hint else "")
                out |= {"answer": "", "citations": [], "tool_calls": [], "seconds": seconds}
                out |= {"passed": False, "checks": {"error": message}}
            else:
                seconds = clock() - started
                checks = score_answer(item, answer, documents)
                out |= _answer_json(answer) | {"seconds": round(seconds, 4)}
                out |= {"passed": answer_passed(checks), "checks": checks}
            out["seconds"] = round(out["seconds"], 4)
            out["kind"] = item.kind
            items.append(out)
            progress(item.id)
    return items


def _share(values: Sequence[bool | None]) -> float | None:
    applied = [v for v in values if v is not None]
    return sum(applied) / len(applied) if applied else None


def answer_metrics(items: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Overall figures, then the same per kind as `KIND.METRIC`."""

    def figures(group: Sequence[dict[str, Any]]) -> dict[str, float]:
        out: dict[str, float] = {"questions": float(len(group))}
        out["passed"] = sum(i["passed"] for i in group) / len(group) if group else 0.0
        for name in ANSWER_METRICS[1:]:
            share = _share([i["checks"].get(name) for i in group if "error" not in i["checks"]])
            if name == "abstained":
                share = _share(
                    [i["checks"].get(name) is True for i in group if i["kind"] == "absent"]
                )
            if share is not None:
                out[name] = round(share, 4)
        out["errors"] = float(sum("error" in i["checks"] for i in group))
        seconds = [float(i["seconds"]) for i in group]
        out["latency_mean_s"] = round(sum(seconds) / len(seconds), 4) if seconds else 0.0
        out["latency_p50_s"] = round(percentile(seconds, 50), 4)
        out["latency_p95_s"] = round(percentile(seconds, 95), 4)
        return out

    metrics = figures(items)
    kinds = sorted({i["kind"] for i in items})
    if len(kinds) > 1:
        for kind in kinds:
            for name, value in figures([i for i in items if i["kind"] == kind]).items():
                metrics[f"{kind}.{name}"] = value
    return metrics


# Retrieval ---------------------------------------------------------------------------------


def _stored_text(documents: DocumentStore, doc_id: str) -> str:
    from assistant.ingest.chunking import PAGE_SEPARATOR

    return PAGE_SEPARATOR.join(p.text for p in documents.pages(doc_id))


def run_retrieval_set(
    services: Services,
    dataset: RetrievalDataset,
    k: int,
    progress: Progress = lambda _: None,
    mode: Mode = "hybrid",
) -> list[dict[str, Any]]:
    """Every query through the workspace's retriever, over the corpus documents only (document
    routing on, as the tools use it); results mapped to character spans of the corpus files."""
    from assistant.ingest.store import DocumentStore

    documents = DocumentStore(services.conn)
    held = _by_name(documents)
    corpus = dataset.corpus or dataset.path.parent
    suffixes = {Path(f).suffix.casefold() for f in dataset.files}
    # The corpus is every file under --corpus of the kinds the dataset names that the
    # workspace holds; a hit is reported by its path relative to the corpus folder.
    file_paths: dict[str, str] = {}
    for found in sorted(corpus.rglob("*")):
        name = found.name.casefold()
        if found.is_file() and found.suffix.casefold() in suffixes and name in held:
            file_paths.setdefault(held[name].doc_id, found.relative_to(corpus).as_posix())
    for named in dataset.files:
        file_paths[held[Path(named).name.casefold()].doc_id] = named
    maps: dict[str, OffsetMap] = {}

    def offsets(doc_id: str) -> OffsetMap:
        if doc_id not in maps:
            path = corpus / file_paths[doc_id]
            text = path.read_text(encoding="utf-8") if path.is_file() else ""
            stored = _stored_text(documents, doc_id)
            maps[doc_id] = OffsetMap(stored, text or stored)
        return maps[doc_id]

    retriever = services.retriever()
    services.embedder.embed_query("warm up")
    everything = {d.doc_id for d in held.values()}
    scope = None if set(file_paths) == everything else list(file_paths)
    items: list[dict[str, Any]] = []
    for test in dataset.tests:
        hits = retriever.search(test.query, k=k, doc_ids=scope, mode=mode, route=True)
        got = [
            Span(file_paths[h.doc_id], offsets(h.doc_id)(h.start), offsets(h.doc_id)(h.end))
            for h in hits
        ]
        results = [
            {"file_path": g.doc, "span": [g.start, g.end], "score": round(h.score, 4)}
            for g, h in zip(got, hits, strict=True)
        ]
        gold = [Span(s.file_path, s.span[0], s.span[1]) for s in test.snippets]
        scores = score_retrieval(got, gold)
        checks = {
            "hit": scores.hit,
            "recall": round(scores.recall, 4),
            "precision": round(scores.precision, 4),
            "reciprocal_rank": round(scores.reciprocal_rank, 4),
        }
        items.append({"query": test.query, "results": results, "checks": checks, "kind": test.kind})
        progress(test.test_id or test.query[:40])
    return items


def retrieval_metrics(items: Sequence[dict[str, Any]], k: int) -> dict[str, float]:
    def figures(group: Sequence[dict[str, Any]]) -> dict[str, float]:
        n = len(group) or 1
        return {
            "queries": float(len(group)),
            f"hit_at_{k}": round(sum(i["checks"]["hit"] for i in group) / n, 4),
            f"recall_at_{k}": round(sum(i["checks"]["recall"] for i in group) / n, 4),
            f"precision_at_{k}": round(sum(i["checks"]["precision"] for i in group) / n, 4),
            "mrr": round(sum(i["checks"]["reciprocal_rank"] for i in group) / n, 4),
        }

    metrics = figures(items)
    kinds = sorted({i["kind"] for i in items})
    if len(kinds) > 1:
        for kind in kinds:
            for name, value in figures([i for i in items if i["kind"] == kind]).items():
                metrics[f"{kind}.{name}"] = value
    return metrics


# The run -----------------------------------------------------------------------------------

_KIND_KEY = "kind"


def run_dataset(
    services: Services,
    dataset: Dataset,
    model: str,
    k: int = 5,
    progress: Progress = lambda _: None,
    name: str | None = None,
) -> dict[str, Any]:
    """The `eval --dataset --json` object: {"dataset", "kind", "model", "seconds", "metrics",
    "items"} (items in the dataset's order)."""
    check_workspace(services, dataset)
    started = time.perf_counter()
    if isinstance(dataset, AnswerDataset):
        items = run_answer_set(services, dataset, model, progress)
        metrics = answer_metrics(items)
        used = model
    else:
        items = run_retrieval_set(services, dataset, k, progress)
        metrics = retrieval_metrics(items, k)
        used = services.settings.embedding_model
    seconds = time.perf_counter() - started
    kinds = [i.pop(_KIND_KEY) for i in items]
    for item, kind in zip(items, kinds, strict=True):
        item["checks"]["kind"] = kind
    return {
        "dataset": name or str(dataset.path),
        "kind": dataset.kind,
        "model": used,
        "seconds": round(seconds, 3),
        "metrics": metrics,
        "items": items,
    }


def item_key(run: dict[str, Any], index: int) -> str:
    """How an item is matched across runs: its id (answers) or its query and position."""
    item = run["items"][index]
    if "id" in item:
        return str(item["id"])
    query = " ".join(str(item["query"]).split())
    return f"{index + 1}: {query[:77] + '...' if len(query) > 80 else query}"


def item_verdict(item: dict[str, Any]) -> bool:
    """Passed (answers) or a gold span in the top k (retrieval)."""
    if "passed" in item:
        return bool(item["passed"])
    return bool(item["checks"].get("hit"))
