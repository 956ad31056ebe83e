"""Clause detection on the labelled CUAD sample: precision and recall of present/absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.review.cuad import CuadReport, evaluate_cuad, format_table


@pytest.fixture(scope="session")
def cuad_report(shared_data: Path) -> CuadReport:
    return evaluate_cuad(shared_data / "cuad")


def test_every_shared_category_reaches_the_target(cuad_report: CuadReport) -> None:
    for score in cuad_report.scores:
        assert score.recall is not None and score.recall >= 0.85, score
        assert score.precision is not None and score.precision >= 0.85, score


def test_negatives_are_scored(cuad_report: CuadReport) -> None:
    # 33 rows say "no clause"; the ones in mapped categories must be counted as absent calls.
    negatives = [o for o in cuad_report.outcomes if not o.expected]
    assert len(negatives) >= 15
    mfn = next(s for s in cuad_report.scores if s.category == "Most Favored Nation")
    assert (mfn.tp, mfn.tn) == (1, 6)


def test_table_lists_each_category(cuad_report: CuadReport) -> None:
    table = format_table(cuad_report)
    assert "| Governing Law | `governing_law` |" in table
    assert table.count("\n") == len(cuad_report.scores) + 2  # header rule and the total row
