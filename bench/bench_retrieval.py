"""Retrieval quality on the CUAD retrieval queries: span recall/precision@5, hit rate and MRR.

Run: .venv/bin/python bench/bench_retrieval.py   (a few minutes on 2 cores)

Compares, in one run: the plain LangChain baseline (500-char RecursiveCharacterTextSplitter ->
langchain-chroma, same MiniLM), and our retriever in vector, lexical and hybrid modes, each with
and without document routing.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CUAD = REPO.parent / "shared" / "data" / "cuad"
K = 5


def baseline(queries, embedder, root: Path) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.evals.spans import Span, mean, score_retrieval

    class Same(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed_documents(texts)

        def embed_query(self, text: str) -> list[float]:
            return embedder.embed_query(text)

    docs = [
        Document(p.read_text(encoding="utf-8"), metadata={"source": p.name})
        for p in sorted((CUAD / "txt").glob("*.txt"))
    ]
    splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=0, add_start_index=True)
    store = Chroma.from_documents(
        splitter.split_documents(docs), Same(), persist_directory=str(root / "b")
    )
    scores = []
    for q in queries:
        hits = store.similarity_search(q.query, k=K)
        spans = [
            Span(
                h.metadata["source"],
                h.metadata["start_index"],
                h.metadata["start_index"] + len(h.page_content),
            )
            for h in hits
        ]
        scores.append(score_retrieval(spans, q.gold))
    return {
        "recall": mean(s.recall for s in scores),
        "precision": mean(s.precision for s in scores),
        "hit": mean(float(s.hit) for s in scores),
        "mrr": mean(s.reciprocal_rank for s in scores),
    }


def main() -> None:
    from assistant.config import Settings
    from assistant.evals.cuad_retrieval import evaluate, load_queries
    from assistant.retrieval.embeddings import load_embedder
    from assistant.services import Services

    queries = load_queries(CUAD / "retrieval_queries_legalbenchrag_format.json")
    embedder = load_embedder()
    rows: list[tuple[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rows.append(("baseline (LangChain 500-char, vector)", baseline(queries, embedder, root)))
        svc = Services(Settings(workspace=root / "ours"), embedder_factory=lambda: embedder)
        outcomes = svc.ingestor().ingest(sorted((CUAD / "txt").glob("*.txt")), kind="contract")
        assert all(o.status == "added" for o in outcomes), outcomes
        retriever = svc.retriever()
        for mode in ("vector", "lexical", "hybrid"):
            for route in (False, True):
                r = evaluate(retriever, queries, mode, K, route=route)  # type: ignore[arg-type]
                label = f"ours {mode}{' + routing' if route else ''}"
                rows.append(
                    (
                        label,
                        {
                            "recall": r.recall,
                            "precision": r.precision,
                            "hit": r.hit_rate,
                            "mrr": r.mrr,
                        },
                    )
                )
    print(f"CUAD retrieval, {len(queries)} queries, k={K} (character-span level)")
    print(f"{'':42}{'recall@5':>10}{'prec@5':>10}{'hit@5':>10}{'MRR':>10}")
    for label, m in rows:
        print(
            f"{label:42}{m['recall']:>10.3f}{m['precision']:>10.3f}{m['hit']:>10.3f}{m['mrr']:>10.3f}"
        )


if __name__ == "__main__":
    main()
