"""The `retrieval` suite: the CUAD LegalBench-RAG file through the `eval --dataset` runner on an
index of the CUAD contracts, scored at character-span level (LegalBench-RAG) and at chunk level."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import AssistantError, InputError
from assistant.evals.dataset import RetrievalDataset
from assistant.evals.metrics import chunk_scores, relevant_chunks
from assistant.evals.results import Failure, SuiteResult
from assistant.evals.spans import Span, mean

if TYPE_CHECKING:
    from assistant.retrieval.search import Mode
    from assistant.services import Services

QUERIES_FILE = "retrieval_queries_legalbenchrag_format.json"
K = 5


def cuad_queries(cuad_dir: Path) -> RetrievalDataset:
    """The CUAD LegalBench-RAG file, as `eval --dataset` reads it (corpus: the CUAD folder)."""
    from assistant.evals.dataset import load_dataset

    path = cuad_dir / QUERIES_FILE
    if not path.is_file():
        raise InputError(f"No CUAD retrieval queries at {path}", "pass the CUAD folder with --cuad")
    dataset = load_dataset(path, cuad_dir)
    assert isinstance(dataset, RetrievalDataset)
    return dataset


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
    dataset: RetrievalDataset,
    k: int = K,
    mode: Mode = "hybrid",
) -> SuiteResult:
    """The dataset runner's span scores (`eval --dataset` on the same file), plus chunk-level
    recall and precision: the chunks holding gold text, against the chunks retrieved."""
    from assistant.evals.dataset_run import check_workspace, run_retrieval_set
    from assistant.ingest.store import DocumentStore
    from assistant.retrieval.lexical import LexicalIndex

    check_workspace(services, dataset)
    items = run_retrieval_set(services, dataset, k, mode=mode)
    documents = DocumentStore(services.conn)
    lexical = LexicalIndex(services.conn)
    chunks: dict[str, list[tuple[str, Span]]] = {}

    def chunks_of(file_path: str) -> list[tuple[str, Span]]:
        if file_path not in chunks:
            doc_id = documents.resolve(Path(file_path).name).doc_id
            chunks[file_path] = [
                (f"{file_path}:{c.start}", Span(file_path, c.start, c.end))
                for c in lexical.document_chunks(doc_id)
            ]
        return chunks[file_path]

    chunk_level, failures = [], []
    for n, (test, item) in enumerate(zip(dataset.tests, items, strict=True), 1):
        gold = [Span(s.file_path, s.span[0], s.span[1]) for s in test.snippets]
        files = sorted({g.doc for g in gold})
        relevant = relevant_chunks([c for f in files for c in chunks_of(f)], gold)
        retrieved = [f"{r['file_path']}:{r['span'][0]}" for r in item["results"]]
        chunk_level.append(chunk_scores(retrieved, relevant))
        if not item["checks"]["hit"]:
            top = item["results"][0] if item["results"] else None
            where = f"{Path(top['file_path']).name} {top['span']}" if top else "nothing"
            failures.append(
                Failure(
                    f"{test.test_id or f'query-{n}'} ({test.kind})",
                    f"hit_at_{k}",
                    f"{Path(gold[0].doc).name} [{gold[0].start}:{gold[0].end}]",
                    f"top hit {where}",
                )
            )
    checks = [i["checks"] for i in items]
    return SuiteResult(
        name="retrieval",
        cases=len(items),
        metrics={
            f"span_recall_at_{k}": mean(c["recall"] for c in checks),
            f"span_precision_at_{k}": mean(c["precision"] for c in checks),
            f"chunk_recall_at_{k}": mean(r for r, _ in chunk_level),
            f"chunk_precision_at_{k}": mean(p for _, p in chunk_level),
            f"hit_rate_at_{k}": mean(float(c["hit"]) for c in checks),
            "mrr": mean(c["reciprocal_rank"] for c in checks),
        },
        failures=tuple(failures),
    )
