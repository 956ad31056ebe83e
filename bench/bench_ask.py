"""`ask` latency with the offline model, warm, on the demo workspace, against the bare retriever;
and the abstention threshold: best cosine similarity for answerable vs unanswerable questions.

Run: .venv/bin/python bench/bench_ask.py [--workspace DIR] [--rounds N]
(without --workspace the demo is built in a temporary folder first: several minutes.)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

QUESTIONS = [
    "What's our timely filing limit with Aetna?",
    "What's the TF limit for the TN plan?",
    "Which of our top codes does Aetna underpay most against Medicare?",
    "Aetna offers 3% on E/M and nothing else — what is that worth?",
    "Draft talking points for our UHC renewal",
    "How much did Aetna underpay us last year?",
    "What happens if Blue Cross pays late?",
    "what's the weather",
]
ANSWERABLE = [
    ("Does the Cigna contract let them rent our network?", "Cigna"),
    ("How do we appeal a denied claim with Aetna?", "Aetna"),
    ("Can UnitedHealthcare change its policies without notice?", "UnitedHealthcare"),
    ("What happens if Blue Cross pays late?", "Blue Cross"),
    ("How long must we keep medical records?", "Aetna"),
    ("What are the credentialing requirements?", "TN Health Plan"),
    ("Who can audit our records?", "Cigna"),
    ("What is the term of the agreement and how does it renew?", "Blue Cross"),
    ("Do we need prior authorization for referrals?", "TN Health Plan"),
    ("What is a clean claim?", "UnitedHealthcare"),
    ("What insurance coverage must the provider maintain?", "TN Health Plan"),
    ("Is there a most favored nation clause?", "Blue Cross"),
]
UNANSWERABLE = [
    ("What does the Aetna contract say about parking for staff?", "Aetna"),
    ("What's the weather in Columbus?", None),
    ("Who won the world cup?", None),
    ("Recipe for banana bread", None),
    ("Does the contract cover my car lease?", "Cigna"),
    ("What is the capital of France?", None),
    ("How do I reset my email password?", None),
    ("Can we bring dogs to the office?", "Blue Cross"),
    ("What color is the UHC logo?", "UnitedHealthcare"),
    ("What is the best pizza in Ohio?", None),
]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def timed(fn, rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workspace", type=Path, help="An already built demo workspace.")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from assistant.agent.factory import make_assistant
    from assistant.agent.offline import ABSTAIN_BELOW
    from assistant.agent.tools import ToolBox
    from assistant.config import Settings
    from assistant.demo import build_demo_workspace
    from assistant.services import Services

    workspace = args.workspace or Path(tempfile.mkdtemp(prefix="bench-ask-")) / "ws"
    svc = Services(Settings(workspace=workspace))
    if args.workspace is None:
        print(f"building the demo workspace in {workspace} …", flush=True)
        build_demo_workspace(svc)
    assistant = make_assistant(svc, "offline")
    retriever = svc.retriever()
    for q in QUESTIONS:  # warm: embedder loaded, contract reviews cached
        assistant.ask(q)  # type: ignore[attr-defined]

    ask_ms: list[float] = []
    per_question = []
    for q in QUESTIONS:
        samples = timed(lambda q=q: assistant.ask(q), args.rounds)  # type: ignore[attr-defined]
        ask_ms += samples
        per_question.append((q, *percentiles(samples)))
    search_ms: list[float] = []
    for q in QUESTIONS:
        search_ms += timed(lambda q=q: retriever.search(q, k=5), args.rounds)

    print(f"\nask latency, offline model, warm ({args.rounds} rounds x {len(QUESTIONS)} questions)")
    print(f"{'question':70} {'p50 ms':>8} {'p95 ms':>8}")
    for q, p50, p95 in per_question:
        print(f"{q[:70]:70} {p50:8.1f} {p95:8.1f}")
    a50, a95 = percentiles(ask_ms)
    s50, s95 = percentiles(search_ms)
    print(f"{'ALL ask (create_agent loop, tools, grounding, saved turn)':70} {a50:8.1f} {a95:8.1f}")
    print(f"{'baseline: bare Retriever.search(k=5), same questions':70} {s50:8.1f} {s95:8.1f}")

    box = ToolBox(svc)
    good = [box.search_contracts(q, payer=p).relevance for q, p in ANSWERABLE]
    bad = [box.search_contracts(q, payer=p).relevance for q, p in UNANSWERABLE]
    kept = sum(r >= ABSTAIN_BELOW for r in good)
    declined = sum(r < ABSTAIN_BELOW for r in bad)
    print(f"\nabstention at relevance < {ABSTAIN_BELOW}:")
    print(
        f"  answerable   n={len(good)} min={min(good):.3f} median={statistics.median(good):.3f}"
        f"  searched {kept}/{len(good)}"
    )
    print(
        f"  unanswerable n={len(bad)} max={max(bad):.3f} median={statistics.median(bad):.3f}"
        f"  abstained {declined}/{len(bad)}"
    )


if __name__ == "__main__":
    main()
