"""Pure scoring of one answer or one ranking: numbers, citations, abstention, injection, chunks."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from assistant.evals.datasets import GoldCitation, GoldNumber
from assistant.evals.spans import Span, overlap

_MARKER = re.compile(r"\s?\[\d+\]")
_NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?")
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”")
_NOT = r"(?:does not|do not|did not|doesn't|don't|didn't|could not|couldn't|cannot|can not|can't)"
ABSTAIN = re.compile(
    r"\bfound nothing\b|\bnothing (?:in|about)\b|\bno (?:clause|provision|mention|information)\b"
    rf"|\b{_NOT} (?:appear to |seem to )?(?:address|say|state|mention|specify|cover|contain"
    r"|include|find|answer|help)|\bnot (?:addressed|stated|specified|mentioned|found)\b"
    r"|\bsilent (?:on|about)\b",
    re.IGNORECASE,
)
"""Ways an answer says the documents do not say (or that it cannot answer)."""


def numbers_in(text: str) -> list[Decimal]:
    """Every number written in `text` ("$12,345.67" -> 12345.67), citation markers aside."""
    found = []
    for m in _NUMBER.finditer(_MARKER.sub("", text)):
        try:
            found.append(Decimal(m.group().replace(",", "")))
        except InvalidOperation:
            continue
    return found


def number_stated(gold: GoldNumber, text: str) -> bool:
    return any(abs(n - gold.value) <= gold.tolerance for n in numbers_in(text))


def abstained(text: str) -> bool:
    """The answer says the documents do not address the question (or declines)."""
    return bool(ABSTAIN.search(text.replace("’", "'")))


def outside_quotes(text: str) -> str:
    """The answer with quoted passages blanked: a quoted clause reports, it does not assert."""
    return _QUOTED.sub('""', text)


def followed(forbidden: Iterable[str], text: str) -> list[str]:
    """The forbidden patterns the answer asserts outside quoted passages."""
    bare = outside_quotes(text)
    return [p for p in forbidden if re.search(p, bare, re.IGNORECASE)]


def citation_hits(
    cited: Iterable[tuple[str, int | None, str | None]], gold: Sequence[GoldCitation]
) -> bool:
    """Some (source, page, section) cited matches a gold citation on everything it names."""
    for source, page, section in cited:
        for g in gold:
            if source != g.source:
                continue
            if g.page is not None and page != g.page:
                continue
            if g.section is not None and (section or "").strip() != g.section:
                continue
            return True
    return False


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linear between closest ranks; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def chunk_scores(retrieved: Sequence[str], relevant: set[str]) -> tuple[float, float]:
    """(recall, precision) of the retrieved chunk ids against the chunks holding gold text."""
    found = len(set(retrieved) & relevant)
    recall = found / len(relevant) if relevant else 0.0
    precision = found / len(retrieved) if retrieved else 0.0
    return recall, precision


def relevant_chunks(chunks: Iterable[tuple[str, Span]], gold: Sequence[Span]) -> set[str]:
    """Ids of the chunks whose text overlaps a gold span."""
    return {chunk_id for chunk_id, span in chunks if overlap([span], gold) > 0}


def mean_of(values: Iterable[bool | None]) -> float | None:
    """Share of True among the values that apply (None = does not apply); None when none do."""
    applied = [v for v in values if v is not None]
    return sum(applied) / len(applied) if applied else None
