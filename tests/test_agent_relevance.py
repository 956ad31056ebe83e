"""The abstention score and threshold, and attachment-aware passage answers (no embedder: a
fake scorer)."""

from __future__ import annotations

import pytest

from assistant.agent.relevance import (
    ANSWER_FROM,
    Scored,
    abstention_curve,
    answering,
    attachment_label,
    choose_threshold,
    in_program_first,
    ranked_sentences,
    topic_of,
)
from assistant.retrieval.search import SearchHit


def overlap_scorer(topic: str, sentences: list[str]) -> list[float]:
    """Share of the topic's words a sentence holds: enough to order sentences in a test."""
    words = set(topic.lower().split())
    return [len(words & set(s.lower().split())) / len(words) for s in sentences]


def test_the_topic_leaves_out_the_document_and_payer_names() -> None:
    topic = topic_of("does the Tennessee contract set a dress code", {"tennessee", "tn"})
    assert "Tennessee" not in topic and "dress code" in topic
    assert topic_of("Aetna?", {"aetna"}) == "Aetna?"


def test_nothing_fits_under_the_threshold_so_the_model_abstains() -> None:
    candidates = [("claims are filed within ninety days", {"page": 1})]
    ranked = ranked_sentences("when are claims filed", candidates, overlap_scorer)
    assert answering(ranked, 2, answer_from=0.5)[0].sentence == candidates[0][0]
    assert answering(ranked, 2, answer_from=0.9) == []
    assert answering([], 2) == []


def test_the_curve_and_the_threshold_chosen_on_it() -> None:
    answerable = [0.30, 0.45, 0.6, 0.7]
    absent = [0.2, 0.3, 0.35, 0.5]
    curve = abstention_curve(answerable, absent, [0.25, 0.32, 0.4, 0.5])
    assert curve[0] == (0.25, 0.0, 0.25)
    assert curve[2] == (0.4, 0.25, 0.75)
    # No false abstention allowed: 0.25 (one absent caught); one in four allowed: 0.4.
    assert choose_threshold(curve, 0.0)[0] == 0.25
    assert choose_threshold(curve, 0.25)[0] == 0.4
    with pytest.raises(ValueError):
        choose_threshold([(0.5, 0.5, 1.0)], 0.0)


def _hit(page: int) -> SearchHit:
    return SearchHit(
        "c", "d", "contract.pdf", "contract", None, page, page, None, (), "", 0.5, 0, 0, False
    )


def test_a_one_program_question_quotes_that_attachment_first() -> None:
    medicaid = Scored(0.8, "Medicaid claims within 120 days", _hit(21))
    advantage = Scored(ANSWER_FROM + 0.1, "MA claims within 90 days", _hit(36))
    weak = Scored(ANSWER_FROM - 0.1, "MA members get a card", _hit(37))
    scopes = {
        21: "Medicaid Attachment",
        36: "Medicare Advantage Attachment",
        37: "Medicare Advantage Attachment",
    }
    ranked = in_program_first(
        [medicaid, advantage, weak], "medicare advantage", lambda h: scopes[h.page]
    )
    assert ranked == [advantage, medicaid, weak]


def test_a_citation_names_its_attachment_but_not_the_main_agreement() -> None:
    assert attachment_label("Medicaid Attachment") == ", Medicaid Attachment"
    assert attachment_label("agreement") == ""
    assert attachment_label(None) == ""
