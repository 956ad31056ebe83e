"""Retrieval quality per query wording: hit@5, span recall@5 / precision@5 and MRR.

Run:
  python bench/bench_retrieval.py --split tune   (while choosing; never look at test then)
  python bench/bench_retrieval.py --split test   (the figures the README reports)
  python bench/bench_retrieval.py --cuad         (70 queries over ../shared/data/cuad: in-sample)
  python bench/bench_retrieval.py --split tune --grid   (fusion weights on tune, see WEIGHT_GRID)

Data: evals/datasets/cuad_dev/<split>-<wording>.json (built by evals/build_cuad_dev.py) over the
80 contracts of ../shared/data/cuad_dev/txt, all in one workspace. Ingesting them embeds a lot
(about ten minutes on 2 cores): pass `--workspace DIR` to build it once and reuse it, and
`--baseline-dir DIR` to keep the baseline's Chroma index too.

Compares, in one run and on the same embedder (MiniLM):
- baseline: plain LangChain, RecursiveCharacterTextSplitter(500) -> langchain-chroma, vector;
- previous: the ranking code of main before this work (`PREVIOUS_REV`, loaded from git), hybrid
  with document routing, as the tools searched;
- ours vector / ours hybrid: query focusing and document resolution, then vector search alone or
  the vector + BM25 + section-title fusion.
The `bare` wording names no document and is asked where that contract is the only one: every
system searches it with its scope limited to that contract (for the baseline a Chroma filter on
the source), which is what a one-contract workspace searches.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import types
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"
CUAD = DATA / "cuad"
CUAD_DEV = DATA / "cuad_dev"
DATASETS = REPO / "evals" / "datasets" / "cuad_dev"
WORDINGS = ("consider", "in", "plain", "bare")
K = 5
# main as it was before query focusing and document resolution (issue 12).
PREVIOUS_REV = "adfdb3b"
# (vector, chunk BM25, section-title BM25) weights tried on the tune split.
WEIGHT_GRID = [
    (1.0, lex, title) for lex, title in itertools.product((0.0, 0.25, 0.5, 1.0), (0.0, 0.5, 1.0))
]

Scores = dict[str, float]
Search = Callable[[Any], list[tuple[str, int, int]]]
"""A system: one query -> its top-k (source, start, end), best first."""


def load(split: str, wording: str) -> list[Any]:
    from assistant.evals.cuad_retrieval import load_queries

    return load_queries(DATASETS / f"{split}-{wording}.json")


def score(system: Search, queries: Sequence[Any]) -> Scores:
    from assistant.evals.spans import Span, mean, score_retrieval

    results = [score_retrieval([Span(*hit) for hit in system(q)], q.gold) for q in queries]
    return {
        "hit": mean(float(s.hit) for s in results),
        "recall": mean(s.recall for s in results),
        "precision": mean(s.precision for s in results),
        "mrr": mean(s.reciprocal_rank for s in results),
    }


class CachedEmbedder:
    """The product's embedder with query vectors memoised (the grid repeats every query)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = getattr(inner, "dim", None)
        self._cache: dict[str, list[float]] = {}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        if text not in self._cache:
            self._cache[text] = self.inner.embed_query(text)
        return self._cache[text]


def services(workspace: Path, embedder: Any, folder: Path) -> Any:
    """The workspace's services, ingesting `folder`'s txt files first when they are not in."""
    from assistant.config import Settings
    from assistant.services import Services

    svc = Services(Settings(workspace=workspace), embedder_factory=lambda: embedder)
    files = sorted(folder.glob("*.txt"))
    have = {d.source for d in svc.retriever().documents.list()}
    missing = [f for f in files if f.name not in have]
    if missing:
        print(f"ingesting {len(missing)} contracts into {workspace} ...", file=sys.stderr)
        svc.ingestor().ingest(missing, kind="contract")
    return svc


def previous_retriever(retriever: Any) -> Any:
    """main's `Retriever` at PREVIOUS_REV (search and lexical modules from git), on the same
    workspace connection, index and embedder."""
    modules = {}
    for name in ("lexical", "search"):
        source = subprocess.run(
            ["git", "-C", str(REPO), "show", f"{PREVIOUS_REV}:assistant/retrieval/{name}.py"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        source = source.replace(
            "from assistant.retrieval.lexical import", "from previous_lexical import"
        )
        module = types.ModuleType(f"previous_{name}")
        sys.modules[module.__name__] = module
        exec(compile(source, f"{PREVIOUS_REV}:{name}.py", "exec"), module.__dict__)
        modules[name] = module
    return modules["search"].Retriever(retriever.conn, retriever.index, retriever.embedder)


def retriever_system(retriever: Any, mode: str, single: dict[str, str] | None) -> Search:
    """`retriever.search` as the tools call it; `single` maps a source to its doc id when each
    query is asked where its contract is the only one."""

    def run(q: Any) -> list[tuple[str, int, int]]:
        doc_ids = [single[q.gold[0].doc]] if single is not None else None
        hits = retriever.search(q.query, k=K, mode=mode, doc_ids=doc_ids)
        return [(h.source, h.start, h.end) for h in hits]

    return run


def baseline_store(embedder: Any, folder: Path, persist: Path) -> Any:
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    class Same(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed_documents(texts)

        def embed_query(self, text: str) -> list[float]:
            return embedder.embed_query(text)

    marker = persist / "complete"
    if marker.exists():
        return Chroma(persist_directory=str(persist), embedding_function=Same())
    print(f"building the baseline index in {persist} ...", file=sys.stderr)
    docs = [
        Document(p.read_text(encoding="utf-8"), metadata={"source": p.name})
        for p in sorted(folder.glob("*.txt"))
    ]
    splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=0, add_start_index=True)
    store = Chroma.from_documents(
        splitter.split_documents(docs), Same(), persist_directory=str(persist)
    )
    marker.write_text("ok\n")
    return store


def baseline_system(store: Any, single: bool) -> Search:
    def run(q: Any) -> list[tuple[str, int, int]]:
        where = {"source": q.gold[0].doc} if single else None
        hits = store.similarity_search(q.query, k=K, filter=where)
        return [
            (
                h.metadata["source"],
                h.metadata["start_index"],
                h.metadata["start_index"] + len(h.page_content),
            )
            for h in hits
        ]

    return run


def table(title: str, rows: dict[str, dict[str, Scores]], counts: dict[str, int]) -> str:
    """A markdown table: one row per system and wording."""
    lines = [
        f"{title}",
        "",
        "| wording | queries | system | hit@5 | recall@5 | precision@5 | MRR |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for wording, systems in rows.items():
        for system, m in systems.items():
            lines.append(
                f"| {wording} | {counts[wording]} | {system} | {m['hit']:.3f} | "
                f"{m['recall']:.3f} | {m['precision']:.3f} | {m['mrr']:.3f} |"
            )
    return "\n".join(lines)


def run_split(args: argparse.Namespace, embedder: Any, root: Path) -> dict[str, Any]:
    from assistant.retrieval import search

    workspace = args.workspace or root / "ws"
    svc = services(workspace, embedder, CUAD_DEV / "txt")
    retriever = svc.retriever()
    single = {d.source: d.doc_id for d in retriever.documents.list()}
    queries = {w: load(args.split, w) for w in WORDINGS}
    counts = {w: len(q) for w, q in queries.items()}
    if args.grid:
        rows: dict[str, dict[str, Scores]] = {w: {} for w in WORDINGS}
        for weights in WEIGHT_GRID:
            search.VECTOR_WEIGHT, search.LEXICAL_WEIGHT, search.TITLE_WEIGHT = weights
            label = "hybrid v{:g} bm25 {:g} title {:g}".format(*weights)
            for w in WORDINGS:
                system = retriever_system(retriever, "hybrid", single if w == "bare" else None)
                rows[w][label] = score(system, queries[w])
            print(label, {w: round(rows[w][label]["hit"], 3) for w in WORDINGS}, file=sys.stderr)
        for w in WORDINGS:
            system = retriever_system(retriever, "vector", single if w == "bare" else None)
            rows[w]["vector"] = score(system, queries[w])
        return {
            "title": f"fusion weights on the {args.split} split",
            "rows": rows,
            "counts": counts,
        }
    wanted = set(args.systems.split(","))
    store = (
        baseline_store(embedder, CUAD_DEV / "txt", args.baseline_dir or root / "baseline")
        if "baseline" in wanted
        else None
    )
    previous = previous_retriever(retriever)
    rows = {}
    for w in WORDINGS:
        bare = w == "bare"
        systems: dict[str, Search] = {
            "baseline (LangChain 500-char, vector)": baseline_system(store, bare),
            f"previous (main {PREVIOUS_REV}, hybrid + routing)": retriever_system(
                previous, "hybrid", single if bare else None
            ),
            "ours, vector": retriever_system(retriever, "vector", single if bare else None),
            "ours, hybrid": retriever_system(retriever, "hybrid", single if bare else None),
        }
        keys = dict(zip(systems, ("baseline", "previous", "vector", "hybrid"), strict=True))
        systems = {name: s for name, s in systems.items() if keys[name] in wanted}
        rows[w] = {}
        for name, system in systems.items():
            rows[w][name] = score(system, queries[w])
            print(w, name, round(rows[w][name]["hit"], 3), file=sys.stderr)
    return {
        "title": f"cuad_dev {args.split} split, k={K}, character spans",
        "rows": rows,
        "counts": counts,
    }


def run_cuad(args: argparse.Namespace, embedder: Any, root: Path) -> dict[str, Any]:
    from assistant.evals.cuad_retrieval import load_queries

    queries = load_queries(CUAD / "retrieval_queries_legalbenchrag_format.json")
    svc = services(args.workspace or root / "cuad-ws", embedder, CUAD / "txt")
    retriever = svc.retriever()
    store = baseline_store(embedder, CUAD / "txt", args.baseline_dir or root / "cuad-baseline")
    previous = previous_retriever(retriever)
    systems: dict[str, Search] = {
        "baseline (LangChain 500-char, vector)": baseline_system(store, False),
        f"previous (main {PREVIOUS_REV}, hybrid + routing)": retriever_system(
            previous, "hybrid", None
        ),
        "ours, vector": retriever_system(retriever, "vector", None),
        "ours, hybrid": retriever_system(retriever, "hybrid", None),
    }
    rows = {"in (CUAD's own)": {name: score(s, queries) for name, s in systems.items()}}
    return {
        "title": "../shared/data/cuad, 70 queries over 7 contracts (in-sample: tuned on these)",
        "rows": rows,
        "counts": {"in (CUAD's own)": len(queries)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("tune", "test"), default="tune")
    parser.add_argument("--cuad", action="store_true", help="the 70 CUAD queries (in-sample)")
    parser.add_argument("--grid", action="store_true", help="try WEIGHT_GRID (tune split only)")
    parser.add_argument("--workspace", type=Path, help="workspace to build once and reuse")
    parser.add_argument("--baseline-dir", type=Path, help="baseline Chroma folder to reuse")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--systems",
        default="baseline,previous,vector,hybrid",
        help="comma-separated subset of baseline,previous,vector,hybrid",
    )
    args = parser.parse_args()
    if args.grid and args.split != "tune":
        parser.error("weights are chosen on the tune split only")
    from assistant.retrieval.embeddings import load_embedder

    embedder = CachedEmbedder(load_embedder())
    with tempfile.TemporaryDirectory() as tmp:
        runner = run_cuad if args.cuad else run_split
        result = runner(args, embedder, Path(tmp))
    print(table(result["title"], result["rows"], result["counts"]))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
