"""Clause detection on the cuad_dev test split, gated by evals/review_thresholds.yaml.

The patterns were tuned on the tune split only (evals/splits.yaml); the floors were set from the
test-split figures measured once after tuning, a little below them, so that a change that makes
detection worse on contracts nobody tuned on fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.review.cuad import CuadReport, evaluate_cuad_dev, load_dev_labels

ROOT = Path(__file__).resolve().parents[1]
THRESHOLDS = yaml.safe_load((ROOT / "evals" / "review_thresholds.yaml").read_text("utf-8"))
SPLITS = yaml.safe_load((ROOT / "evals" / "splits.yaml").read_text("utf-8"))["cuad_dev"]


def test_splits_are_disjoint_and_cover_the_labelled_contracts(shared_data: Path) -> None:
    tune, test = set(SPLITS["tune"]), set(SPLITS["test"])
    assert not tune & test
    assert tune | test == set(load_dev_labels(shared_data / "cuad_dev"))


@pytest.fixture(scope="module")
def test_split(shared_data: Path) -> CuadReport:
    return evaluate_cuad_dev(shared_data / "cuad_dev", SPLITS["test"])


@pytest.mark.slow
@pytest.mark.parametrize("category", sorted(THRESHOLDS["cuad_dev_test"]["categories"]))
def test_category_floor(test_split: CuadReport, category: str) -> None:
    floor = THRESHOLDS["cuad_dev_test"]["categories"][category]
    score = next(s for s in test_split.scores if s.category == category)
    if "precision" in floor:
        assert score.precision is not None and score.precision >= floor["precision"], score
    if "recall" in floor:
        assert score.recall is not None and score.recall >= floor["recall"], score
    if "absent_right" in floor:
        negatives = score.tn + score.fp
        assert negatives and score.tn / negatives >= floor["absent_right"], score


@pytest.mark.slow
def test_pooled_floor_and_renewal_notice_values(test_split: CuadReport) -> None:
    gate = THRESHOLDS["cuad_dev_test"]
    total = test_split.total
    assert total.precision is not None and total.precision >= gate["all"]["precision"], total
    assert total.recall is not None and total.recall >= gate["all"]["recall"], total
    checks = test_split.value_checks
    assert checks
    assert sum(c.right for c in checks) / len(checks) >= gate["renewal_notice_value_right"]
