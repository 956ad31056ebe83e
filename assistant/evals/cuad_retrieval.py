"""Retrieval quality on the CUAD queries (LegalBench-RAG format): span recall/precision at k."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.evals.spans import Span, mean, score_retrieval
from assistant.retrieval.search import Mode, Retriever


@dataclass(frozen=True)
class RetrievalQuery:
    query: str
    category: str
    gold: tuple[Span, ...]


@dataclass(frozen=True)
class RetrievalReport:
    mode: str
    k: int
    queries: int
    recall: float
    precision: float
    hit_rate: float
    mrr: float

    def to_json(self) -> dict[str, object]:
        return {
            "mode": self.mode,
            "k": self.k,
            "queries": self.queries,
            "recall_at_k": round(self.recall, 4),
            "precision_at_k": round(self.precision, 4),
            "hit_rate_at_k": round(self.hit_rate, 4),
            "mrr": round(self.mrr, 4),
        }


def load_queries(path: Path) -> list[RetrievalQuery]:
    """The `tests` of a LegalBench-RAG file; span documents are named by file name."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        RetrievalQuery(
            query=t["query"],
            category=t.get("cuad_category", ""),
            gold=tuple(
                Span(Path(s["file_path"]).name, int(s["span"][0]), int(s["span"][1]))
                for s in t["snippets"]
            ),
        )
        for t in data["tests"]
    ]


def evaluate(
    retriever: Retriever,
    queries: Sequence[RetrievalQuery],
    mode: Mode,
    k: int = 5,
    route: bool = True,
) -> RetrievalReport:
    """Run every query in `mode` and average the span scores."""
    scores = []
    for q in queries:
        hits = retriever.search(q.query, k=k, mode=mode, route=route)
        spans = [Span(h.source, h.start, h.end) for h in hits]
        scores.append(score_retrieval(spans, q.gold))
    return RetrievalReport(
        mode=mode,
        k=k,
        queries=len(queries),
        recall=mean(s.recall for s in scores),
        precision=mean(s.precision for s in scores),
        hit_rate=mean(float(s.hit) for s in scores),
        mrr=mean(s.reciprocal_rank for s in scores),
    )
