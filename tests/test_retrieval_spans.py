"""Span metrics worked by hand."""

from __future__ import annotations

import pytest

from assistant.evals.spans import Span, overlap, score_retrieval


@pytest.mark.parametrize(
    ("retrieved", "gold", "recall", "precision", "hit", "rr"),
    [
        # retrieved covers gold exactly
        ([Span("a", 0, 10)], [Span("a", 0, 10)], 1.0, 1.0, True, 1.0),
        # half of gold, retrieved twice as long as the overlap
        ([Span("a", 5, 15)], [Span("a", 0, 10)], 0.5, 0.5, True, 1.0),
        # right offsets, wrong document
        ([Span("b", 0, 10)], [Span("a", 0, 10)], 0.0, 0.0, False, 0.0),
        # second result hits: rr = 1/2; overlapping retrieved spans counted once
        (
            [Span("a", 20, 30), Span("a", 0, 4), Span("a", 2, 6)],
            [Span("a", 0, 8)],
            0.75,
            6 / 16,
            True,
            0.5,
        ),
    ],
)
def test_scores(retrieved, gold, recall, precision, hit, rr) -> None:  # type: ignore[no-untyped-def]
    s = score_retrieval(retrieved, gold)
    assert s.recall == pytest.approx(recall)
    assert s.precision == pytest.approx(precision)
    assert s.hit is hit
    assert s.reciprocal_rank == pytest.approx(rr)


def test_overlap_merges_gold_spans() -> None:
    assert overlap([Span("a", 0, 100)], [Span("a", 10, 20), Span("a", 15, 30)]) == 20
