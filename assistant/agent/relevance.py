"""How near the passages found come to answering a contract question: the one score the
offline model abstains on, and the threshold chosen for it on the tune questions.

The score is the cosine similarity of the question's topic (the question without the words that
name its payer or document, which every sentence of that payer's contract shares in spirit) to
the nearest sentence of the best passages. `bench/bench_answers.py --abstention-curve` prints
false and correct abstention at each threshold on a questions file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.retrieval.focus import focus_query
from assistant.review.text import AGREEMENT_SCOPE

if TYPE_CHECKING:
    from assistant.retrieval.search import SearchHit

ANSWER_FROM = 0.39
"""Topic-to-sentence similarity under which the contracts do not answer a question. Chosen on
the tune split (in-sample) with `bench/bench_answers.py tune.jsonl --abstention-curve`: the
threshold with the most absent questions abstained (19 of 20) while false abstentions stay
within 2% of all answerable questions (2 of the 16 answered from passages); at 0.35 only 15 of
20 abstained, from 0.40 a third answerable question abstains."""
CLOSE_TO_BEST = 0.05
"""Sentences this near the best one are quoted beside it."""

Scorer = Callable[[str, list[str]], list[float]]


@dataclass(frozen=True)
class Scored:
    """A sentence of a passage and how near it is to the question's topic."""

    score: float
    sentence: str
    hit: SearchHit


def topic_of(question: str, name_words: set[str]) -> str:
    """The question with the part naming its document ("in the Tennessee contract") and the
    payer's name words taken out; the question itself when nothing would be left."""
    focused = focus_query(question).question.replace("this contract", "the contract")
    kept = [
        w for w in re.findall(r"\S+", focused) if re.sub(r"\W", "", w.lower()) not in name_words
    ]
    return " ".join(kept) if len(kept) >= 2 else question


def ranked_sentences(
    topic: str,
    candidates: Sequence[tuple[str, SearchHit]],
    scorer: Scorer,
) -> list[Scored]:
    """Every (sentence, passage) candidate with its similarity to the topic, nearest first."""
    if not candidates:
        return []
    scores = scorer(topic, [s for s, _ in candidates])
    scored = [
        Scored(s, sentence, hit) for s, (sentence, hit) in zip(scores, candidates, strict=True)
    ]
    return sorted(scored, key=lambda s: -s.score)


def answering(
    ranked: Sequence[Scored], limit: int, answer_from: float = ANSWER_FROM
) -> list[Scored]:
    """The one to `limit` sentences that answer; none when even the nearest is under
    `answer_from` (nothing fits: abstain)."""
    if not ranked or ranked[0].score < answer_from:
        return []
    best = ranked[0].score
    return [s for s in ranked[:limit] if s.score >= best - CLOSE_TO_BEST]


def in_program(scope: str | None, program: str) -> bool:
    """Whether an attachment ("Medicare Advantage Attachment") is the program asked about."""
    return bool(scope) and all(w in str(scope).lower() for w in program.split())


def in_program_first(
    ranked: Sequence[Scored], program: str, scope_of: Callable[[SearchHit], str | None]
) -> list[Scored]:
    """The answering sentences of the asked program's attachment ahead of the others (a
    Medicare Advantage question quotes that attachment, not the Medicaid one that reads alike);
    the order is kept otherwise, and nothing under the threshold is lifted."""
    own = [s for s in ranked if s.score >= ANSWER_FROM and in_program(scope_of(s.hit), program)]
    return [*own, *(s for s in ranked if s not in own)]


def attachment_label(scope: str | None) -> str:
    """ ", Medicaid Attachment" after a citation's place; nothing for the main agreement."""
    if not scope or scope.lower() == AGREEMENT_SCOPE:
        return ""
    return f", {scope}"


def abstention_curve(
    answerable: Sequence[float], absent: Sequence[float], thresholds: Sequence[float]
) -> list[tuple[float, float, float]]:
    """(threshold, false abstention, correct abstention) for the best-sentence scores of
    answerable and absent questions: a question abstains when its score is under the threshold."""

    def share(scores: Sequence[float], t: float) -> float:
        return sum(s < t for s in scores) / len(scores) if scores else 0.0

    return [(t, share(answerable, t), share(absent, t)) for t in thresholds]


def choose_threshold(
    curve: Sequence[tuple[float, float, float]], max_false: float = 0.02
) -> tuple[float, float, float]:
    """The point of the curve with the most correct abstention whose false abstention stays
    within `max_false`; among equals, the lowest threshold (abstain least)."""
    allowed = [p for p in curve if p[1] <= max_false]
    if not allowed:
        raise ValueError("no threshold keeps false abstention within the bound")
    return max(allowed, key=lambda p: (p[2], -p[0]))
