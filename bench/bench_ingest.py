"""Ingest throughput and search latency on the real contracts, against the plain LangChain baseline.

Run: .venv/bin/python bench/bench_ingest.py   (about two minutes on 2 cores)

Baseline: pypdf -> RecursiveCharacterTextSplitter(500) -> langchain-chroma, same MiniLM model.
Ours: `Ingestor` (section/table-aware chunks, OCR of image-only pages, FTS5 + Chroma).
Also: embedding our chunks alone (the floor), and warm search latency p50/p95 of both.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CONTRACTS = REPO.parent / "shared" / "data" / "payer_contracts"
QUERIES = [
    "timely filing limit for claims",
    "lesser of billed charges or the fee schedule",
    "termination without cause notice days",
    "prompt payment of clean claims and interest",
    "amendment of the agreement by notice",
    "recoupment of overpayments and offset",
    "appeal of a claim determination",
    "automatic renewal term",
    "Medicare Advantage compensation",
    "credentialing requirements for providers",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def latency(fn, repeats: int = 5) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    fn(QUERIES[0])  # warm
    times = []
    for _ in range(repeats):
        for q in QUERIES:
            t = time.perf_counter()
            fn(q)
            times.append((time.perf_counter() - t) * 1000)
    return percentile(times, 50), percentile(times, 95)


def baseline(files: list[Path], embedder, root: Path) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter
    from pypdf import PdfReader

    class Same(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed_documents(texts)

        def embed_query(self, text: str) -> list[float]:
            return embedder.embed_query(text)

    t0 = time.perf_counter()
    docs = []
    pages = 0
    for f in files:
        for i, page in enumerate(PdfReader(f).pages, 1):
            pages += 1
            docs.append(Document(page.extract_text() or "", metadata={"source": f.name, "page": i}))
    splits = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50).split_documents(docs)
    store = Chroma.from_documents(splits, Same(), persist_directory=str(root / "baseline"))
    seconds = time.perf_counter() - t0
    p50, p95 = latency(lambda q: store.similarity_search(q, k=5))
    return {"seconds": seconds, "pages": pages, "chunks": len(splits), "p50": p50, "p95": p95}


def ours(files: list[Path], embedder, root: Path, ocr: bool) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from assistant.config import Settings
    from assistant.ingest.chunking import chunk_document, embedding_text
    from assistant.ingest.loaders import load_document
    from assistant.services import Services

    svc = Services(Settings(workspace=root / f"ours-{ocr}"), embedder_factory=lambda: embedder)
    t0 = time.perf_counter()
    outcomes = svc.ingestor().ingest(files, payer="TN", kind="contract", ocr=ocr)
    seconds = time.perf_counter() - t0
    assert all(o.status == "added" for o in outcomes), outcomes
    # The floor: embedding the same chunk texts, nothing else.
    texts = [embedding_text(c) for f in files for c in chunk_document(load_document(f), f.stem)]
    t1 = time.perf_counter()
    embedder.embed_documents(texts)
    embed_only = time.perf_counter() - t1
    retriever = svc.retriever()
    p50, p95 = latency(lambda q: retriever.search(q, k=5))
    v50, v95 = latency(lambda q: retriever.search(q, k=5, mode="vector"))
    return {
        "seconds": seconds,
        "pages": sum(o.pages for o in outcomes),
        "chunks": sum(o.chunks for o in outcomes),
        "embed_only": embed_only,
        "p50": p50,
        "p95": p95,
        "vector_p50": v50,
        "vector_p95": v95,
    }


def main() -> None:
    from assistant.retrieval.embeddings import load_embedder

    files = sorted(CONTRACTS.glob("*.pdf"))
    embedder = load_embedder()
    embedder.embed_query("warm up")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        b = baseline(files, embedder, root)
        n = ours(files, embedder, root, ocr=False)
        o = ours(files, embedder, root, ocr=True)
    print("ours without OCR (image-only pages left empty, as in the baseline):")
    print(
        f"  ingest {n['seconds']:.1f} s, {n['pages'] / n['seconds']:.2f} pages/s; embedding alone "
        f"{n['embed_only']:.1f} s; ratio {n['seconds'] / n['embed_only']:.2f}"
    )
    print("ours with OCR of the 6 image-only pages:")
    print(f"{'':28}{'baseline':>12}{'ours':>12}")
    print(f"{'pages':28}{b['pages']:>12.0f}{o['pages']:>12.0f}")
    print(f"{'chunks':28}{b['chunks']:>12.0f}{o['chunks']:>12.0f}")
    print(f"{'ingest seconds':28}{b['seconds']:>12.1f}{o['seconds']:>12.1f}")
    print(
        f"{'ingest pages/s':28}{b['pages'] / b['seconds']:>12.2f}{o['pages'] / o['seconds']:>12.2f}"
    )
    print(f"{'embedding alone (s)':28}{'':>12}{o['embed_only']:>12.1f}")
    print(f"{'ingest / embedding alone':28}{'':>12}{o['seconds'] / o['embed_only']:>12.2f}")
    print(f"{'search p50 ms (hybrid)':28}{b['p50']:>12.1f}{o['p50']:>12.1f}")
    print(f"{'search p95 ms (hybrid)':28}{b['p95']:>12.1f}{o['p95']:>12.1f}")
    print(f"{'search p50 ms (vector)':28}{'':>12}{o['vector_p50']:>12.1f}")
    print(f"{'search p95 ms (vector)':28}{'':>12}{o['vector_p95']:>12.1f}")


if __name__ == "__main__":
    main()
