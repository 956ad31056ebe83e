"""The `retrieval` suite: the CUAD queries against an index of the CUAD contracts, scored at
character-span level (LegalBench-RAG) and at chunk level."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import AssistantError, InputError
from assistant.evals.cuad_retrieval import RetrievalQuery, load_queries
from assistant.evals.metrics import chunk_scores, relevant_chunks
from assistant.evals.results import Failure, SuiteResult
from assistant.evals.spans import Span, mean, score_retrieval

if TYPE_CHECKING:
    from assistant.retrieval.search import Mode
    from assistant.services import Services

QUERIES_FILE = "retrieval_queries_legalbenchrag_format.json"
K = 5


def cuad_queries(cuad_dir: Path) -> list[tuple[str, RetrievalQuery]]:
    """(source_id, query) of every query in the file, in its order."""
    path = cuad_dir / QUERIES_FILE
    if not path.is_file():
        raise InputError(f"No CUAD retrieval queries at {path}", "pass the CUAD folder with --cuad")
    tests = json.loads(path.read_text(encoding="utf-8"))["tests"]
    ids = [str(t.get("source_id") or f"query-{n}") for n, t in enumerate(tests, 1)]
    return list(zip(ids, load_queries(path), strict=True))


def index_cuad(services: Services, cuad_dir: Path) -> None:
    """Index the CUAD contracts (txt/) in `services`' workspace; unchanged files are skipped."""
    files = sorted((cuad_dir / "txt").glob("*.txt"))
    if not files:
        raise InputError(f"No CUAD contracts in {cuad_dir / 'txt'}", "pass the CUAD folder")
    failed = [o for o in services.ingestor().ingest(files, kind="contract") if o.error]
    if failed:
        raise AssistantError(f"Could not index {failed[0].source}: {failed[0].error}")


def run_retrieval(
    services: Services,
    queries: Sequence[tuple[str, RetrievalQuery]],
    k: int = K,
    mode: Mode = "hybrid",
) -> SuiteResult:
    """Every query through the workspace's retriever (document routing on, as the tools use it)."""
    from assistant.ingest.store import DocumentStore
    from assistant.retrieval.lexical import LexicalIndex

    retriever = services.retriever()
    documents = DocumentStore(services.conn)
    lexical = LexicalIndex(services.conn)
    chunks: dict[str, list[tuple[str, Span]]] = {}

    def chunks_of(source: str) -> list[tuple[str, Span]]:
        if source not in chunks:
            doc_id = documents.resolve(source).doc_id
            chunks[source] = [
                (c.chunk_id, Span(source, c.start, c.end)) for c in lexical.document_chunks(doc_id)
            ]
        return chunks[source]

    spans, chunk_level, failures = [], [], []
    for case_id, q in queries:
        hits = retriever.search(q.query, k=k, mode=mode, route=True)
        scores = score_retrieval([Span(h.source, h.start, h.end) for h in hits], q.gold)
        spans.append(scores)
        relevant = relevant_chunks(
            [c for doc in sorted({g.doc for g in q.gold}) for c in chunks_of(doc)], q.gold
        )
        chunk_level.append(chunk_scores([h.chunk_id for h in hits], relevant))
        if not scores.hit:
            top = f"{hits[0].source} [{hits[0].start}:{hits[0].end}]" if hits else "nothing"
            failures.append(
                Failure(
                    f"{case_id} ({q.category})",
                    f"hit_at_{k}",
                    f"{q.gold[0].doc} [{q.gold[0].start}:{q.gold[0].end}]",
                    f"top hit {top}",
                )
            )
    return SuiteResult(
        name="retrieval",
        cases=len(queries),
        metrics={
            f"span_recall_at_{k}": mean(s.recall for s in spans),
            f"span_precision_at_{k}": mean(s.precision for s in spans),
            f"chunk_recall_at_{k}": mean(r for r, _ in chunk_level),
            f"chunk_precision_at_{k}": mean(p for _, p in chunk_level),
            f"hit_rate_at_{k}": mean(float(s.hit) for s in spans),
            "mrr": mean(s.reciprocal_rank for s in spans),
        },
        failures=tuple(failures),
    )
