"""`eval --dataset` in one process against the plain way: one `ask` (or `search`) process per
question, each paying the model load, on the same questions and the same workspace.

Sets: ../shared/data/questions/contract_qa_dev.jsonl (30 questions, offline model) and the CUAD
LegalBench-RAG file (70 queries). The baseline runs a sample of each (--sample, default 5) and
extrapolates per question; say so when quoting it.

Run: .venv/bin/python bench/bench_eval_dataset.py [--workspace DIR] [--sample N]
(without --workspace one is built in a temporary folder: the payer contracts with OCR and the
CUAD contracts, several minutes. A workspace you pass is copied first, so its conversations are
untouched by the `ask` baseline.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
ANSWERS = DATA / "questions" / "contract_qa_dev.jsonl"
RETRIEVAL = DATA / "cuad" / "retrieval_queries_legalbenchrag_format.json"
CLI = [sys.executable, "-m", "assistant"]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def cli(workspace: Path, *args: str) -> tuple[float, str]:
    """Wall seconds of one payer-assistant process, and its stdout."""
    started = time.perf_counter()
    done = subprocess.run(
        [*CLI, "--workspace", str(workspace), *args],
        capture_output=True,
        text=True,
        env=_env(),
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args[:3])} failed ({done.returncode}): {done.stderr[-800:]}")
    return seconds, done.stdout


def build(workspace: Path) -> None:
    print(f"building the workspace in {workspace} (payer contracts with OCR, CUAD) …", flush=True)
    files = [
        DATA / "payer_contracts",
        DATA / "cuad" / "pdf",
        DATA / "cuad" / "txt",
    ]
    seconds, _ = cli(workspace, "ingest", *map(str, files), "--kind", "contract")
    print(f"  ingest: {seconds:.0f} s", flush=True)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def row(label: str, n: int, wall: float, per: list[float], note: str = "") -> None:
    mean = statistics.mean(per) if per else 0.0
    print(
        f"{label:44} {n:>4} {wall:>9.1f} {mean:>9.2f} {pct(per, 0.5):>8.2f} "
        f"{pct(per, 0.95):>8.2f}  {note}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workspace", type=Path, help="A workspace holding the contracts.")
    parser.add_argument("--sample", type=int, default=5, help="Baseline questions per set.")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-eval-dataset-"))
    workspace = tmp / "ws"
    if args.workspace:
        shutil.copytree(args.workspace, workspace)
    else:
        build(workspace)

    print(f"\n{'run':44} {'n':>4} {'wall s':>9} {'mean s':>9} {'p50 s':>8} {'p95 s':>8}")
    wall, out = cli(workspace, "eval", "--dataset", str(ANSWERS), "--json")
    run = json.loads(out)
    per = [float(i["seconds"]) for i in run["items"]]
    n = len(per)
    row("eval --dataset contract_qa_dev (offline)", n, wall, per, "one process")
    questions = [json.loads(x)["question"] for x in ANSWERS.read_text().splitlines() if x.strip()]
    step = max(1, len(questions) // args.sample)
    sample = questions[::step][: args.sample]
    asked = [cli(workspace, "ask", q, "--json")[0] for q in sample]
    row(
        "baseline: one `ask` process per question",
        len(sample),
        statistics.mean(asked) * n,
        asked,
        f"sample of {len(sample)}; wall extrapolated to {n}",
    )
    metrics = run["metrics"]
    print(
        f"  answers: passed {metrics['passed']:.3f}, correct {metrics.get('correct', 0):.3f}, "
        f"cites_gold_page {metrics.get('cites_gold_page', 0):.3f}, "
        f"false_abstention {metrics.get('false_abstention', 0):.3f}"
    )

    wall, out = cli(workspace, "eval", "--dataset", str(RETRIEVAL), "--json")
    run = json.loads(out)
    tests = json.loads(RETRIEVAL.read_text())["tests"]
    n = len(tests)
    # Retrieval items carry no per-query time: the run's seconds spread over its queries.
    row("eval --dataset CUAD LegalBench-RAG (k=5)", n, wall, [run["seconds"] / n] * n, "")
    step = max(1, n // args.sample)
    sample = [t["query"] for t in tests[::step][: args.sample]]
    searched = [cli(workspace, "search", q, "-k", "5", "--json")[0] for q in sample]
    row(
        "baseline: one `search` process per query",
        len(sample),
        statistics.mean(searched) * n,
        searched,
        f"sample of {len(sample)}; wall extrapolated to {n}",
    )
    m = run["metrics"]
    print(
        f"  retrieval: hit@5 {m['hit_at_5']:.3f}, recall@5 {m['recall_at_5']:.3f}, "
        f"precision@5 {m['precision_at_5']:.3f}, MRR {m['mrr']:.3f}"
    )
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
