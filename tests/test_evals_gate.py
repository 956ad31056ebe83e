"""The suites that need no model server, against evals/thresholds.yaml: CI fails when a change
makes a figure worse than its threshold. Latency bounds are left to `payer-assistant eval`
(a test must not depend on how busy the machine is)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from assistant.config import Settings
from assistant.demo import demo_contracts_dir
from assistant.evals.answers import prepare_injection, run_answers
from assistant.evals.checklist import run_checklist
from assistant.evals.datasets import (
    EVALS_DIR,
    THRESHOLDS_FILE,
    load_answer_set,
    load_terms,
    load_thresholds,
)
from assistant.evals.results import SuiteResult, gate
from assistant.evals.retrieval import cuad_queries, index_cuad, run_retrieval
from assistant.evals.runner import demo_target
from assistant.services import Services


def _untimed(suite: str) -> dict[str, dict[str, float]]:
    bounds = load_thresholds(EVALS_DIR / THRESHOLDS_FILE)[suite]
    return {
        side: {k: v for k, v in m.items() if not k.startswith("latency")}
        for side, m in bounds.items()
    }


def _assert_meets_thresholds(result: SuiteResult) -> None:
    bounds = _untimed(result.name)
    assert bounds["min"], f"no thresholds for {result.name}"
    gated = gate(result, bounds)
    assert gated.passed, [(b.metric, b.expected, b.got) for b in gated.breaches]


@pytest.mark.slow
def test_checklist_suite_meets_its_thresholds(shared_data: Path) -> None:
    _assert_meets_thresholds(
        run_checklist(shared_data / "cuad", load_terms(), demo_contracts_dir())
    )


@pytest.mark.slow
def test_answers_suite_meets_its_thresholds(demo_services: Any, tmp_path: Path) -> None:
    answers = load_answer_set()
    injection = Services(
        Settings(workspace=tmp_path / "injection"), embedder_factory=lambda: demo_services.embedder
    )
    prepare_injection(injection, EVALS_DIR, answers.documents)
    targets = {
        "demo": demo_target(demo_services, "offline"),
        "injection": demo_target(injection, "offline"),
    }
    result = run_answers(answers.cases, targets)
    _assert_meets_thresholds(result)
    # The injected documents are in the injection workspace only.
    sources = {d.source for d in targets["demo"].documents.list()}
    assert "harbor-health-agreement.md" not in sources


@pytest.mark.slow
def test_retrieval_suite_meets_its_thresholds(
    demo_services: Any, shared_data: Path, tmp_path: Path
) -> None:
    cuad = Services(
        Settings(workspace=tmp_path / "cuad"), embedder_factory=lambda: demo_services.embedder
    )
    index_cuad(cuad, shared_data / "cuad")
    _assert_meets_thresholds(run_retrieval(cuad, cuad_queries(shared_data / "cuad")))


@pytest.mark.slow
def test_eval_command_prints_the_json_shape_and_exits_by_the_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--workspace", str(tmp_path / "ws"), "eval", "--suite", "checklist", "--json"])
    data = json.loads(capsys.readouterr().out)
    suite = data["suites"][0]
    assert set(suite) == {"name", "cases", "metrics", "thresholds", "passed", "failures"}
    assert suite["name"] == "checklist" and suite["passed"] is True
    assert exit_info.value.code == 0
    assert suite["metrics"]["cuad_recall"] >= suite["thresholds"]["cuad_recall"]


@pytest.mark.slow
def test_eval_command_exits_1_when_a_metric_is_below_its_threshold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    strict = tmp_path / "strict.yaml"
    strict.write_text("checklist:\n  min:\n    demo_value_accuracy: 1.01\n", encoding="utf-8")
    report = tmp_path / "report.md"
    with pytest.raises(SystemExit) as exit_info:
        main(
            [
                *("--workspace", str(tmp_path / "ws"), "eval", "--suite", "checklist"),
                *("--thresholds", str(strict), "--report", str(report)),
            ]
        )
    assert exit_info.value.code == 1
    text = report.read_text(encoding="utf-8")
    assert "## checklist: FAILED" in text
    assert "| demo_value_accuracy |" in text and "**below**" in text
    assert "FAILED" in capsys.readouterr().out
