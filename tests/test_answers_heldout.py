"""Make-test gate on the held-out answers: the test split of user-phrased questions
(`evals/datasets/questions/test.jsonl`, never tuned on) on the demo workspace with the two WA
PDFs ingested under their payer, scored as `eval --dataset` scores it, against the bounds of
`evals/answers_test_thresholds.yaml`. Slow: the workspace is built and every question asked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TEST_SPLIT = ROOT / "evals" / "datasets" / "questions" / "test.jsonl"
BOUNDS = ROOT / "evals" / "answers_test_thresholds.yaml"
WA_FILES = {"WA_1_Redacted.pdf": "contract", "WA_Standard_Template_Redacted.pdf": "template"}
WA_PAYER = "WA Health Plan"


def build_workspace(root: Path, contracts: Path) -> None:
    """The demo workspace (its practice, its four contracts, TN) plus WA under its payer."""
    from assistant.config import Settings
    from assistant.demo import build_demo_workspace
    from assistant.services import Services

    services = Services(Settings(workspace=root))
    outcomes = build_demo_workspace(services)
    for name, kind in WA_FILES.items():
        outcomes += services.ingestor().ingest([contracts / name], payer=WA_PAYER, kind=kind)
    services.conn.close()
    assert not [o for o in outcomes if o.status == "failed"], outcomes


def routed(item: dict[str, Any], expected: list[str] | None) -> bool | None:
    """One of the expected tools was called (`[]`: none should be); None when not labelled."""
    if expected is None:
        return None
    calls = set(item.get("tool_calls") or [])
    return not calls if not expected else bool(calls & set(expected))


def held_out_figures(workspace: Path) -> dict[str, float]:
    """Routing, passed, false and correct abstention (overall and `kind.passed`) of the offline
    model on the test split in `workspace`."""
    from assistant.config import Settings
    from assistant.evals.dataset import load_dataset
    from assistant.evals.dataset_run import run_dataset
    from assistant.services import Services

    dataset = load_dataset(TEST_SPLIT)
    services = Services(Settings(workspace=workspace))
    run = run_dataset(services, dataset, "offline")
    services.conn.close()
    tools = {i.id: (i.model_extra or {}).get("tools") for i in dataset.items}  # type: ignore[union-attr]
    marks = [routed(item, tools[item["id"]]) for item in run["items"]]
    labelled = [m for m in marks if m is not None]
    metrics = run["metrics"]
    figures = {
        "routing": sum(labelled) / len(labelled),
        "passed": metrics["passed"],
        "false_abstention": metrics["false_abstention"],
        "correct_abstention": metrics["abstained"],
    }
    figures |= {k: v for k, v in metrics.items() if k.endswith((".passed", ".questions"))}
    return figures


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> dict[str, float]:
    root = tmp_path_factory.mktemp("heldout") / "ws"
    build_workspace(root, shared_data / "payer_contracts")
    return held_out_figures(root)


@pytest.mark.slow
def test_held_out_answers_hold_their_measured_figures(figures: dict[str, float]) -> None:
    bounds = yaml.safe_load(BOUNDS.read_text(encoding="utf-8"))["answers_test"]
    missed = [
        f"{name} {figures[name]:.3f} < {low}"
        for name, low in bounds["min"].items()
        if figures[name] < low
    ]
    missed += [
        f"{name} {figures[name]:.3f} > {high}"
        for name, high in bounds["max"].items()
        if figures[name] > high
    ]
    assert not missed, f"held-out answers regressed: {missed} (all: {figures})"
