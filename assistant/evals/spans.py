"""Character-span retrieval metrics (LegalBench-RAG style): recall, precision, hit and MRR at k."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """Characters [start, end) of one document."""

    doc: str
    start: int
    end: int

    @property
    def length(self) -> int:
        return max(0, self.end - self.start)


def _merge(spans: Iterable[Span]) -> dict[str, list[tuple[int, int]]]:
    """Per document, the union of the spans as sorted disjoint intervals."""
    by_doc: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for s in spans:
        if s.length:
            by_doc[s.doc].append((s.start, s.end))
    merged: dict[str, list[tuple[int, int]]] = {}
    for doc, intervals in by_doc.items():
        intervals.sort()
        out: list[tuple[int, int]] = []
        for start, end in intervals:
            if out and start <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], end))
            else:
                out.append((start, end))
        merged[doc] = out
    return merged


def _size(merged: dict[str, list[tuple[int, int]]]) -> int:
    return sum(end - start for intervals in merged.values() for start, end in intervals)


def overlap(a: Iterable[Span], b: Iterable[Span]) -> int:
    """Characters covered by both span sets."""
    ma, mb = _merge(a), _merge(b)
    total = 0
    for doc, intervals in ma.items():
        other = mb.get(doc, [])
        i = j = 0
        while i < len(intervals) and j < len(other):
            lo = max(intervals[i][0], other[j][0])
            hi = min(intervals[i][1], other[j][1])
            total += max(0, hi - lo)
            if intervals[i][1] < other[j][1]:
                i += 1
            else:
                j += 1
    return total


@dataclass(frozen=True)
class SpanScores:
    recall: float
    precision: float
    hit: bool
    reciprocal_rank: float


def score_retrieval(retrieved: Sequence[Span], gold: Sequence[Span]) -> SpanScores:
    """Scores of one query: `retrieved` in rank order, `gold` the answer spans."""
    gold_size = _size(_merge(gold))
    got_size = _size(_merge(retrieved))
    common = overlap(retrieved, gold)
    rr = 0.0
    for rank, span in enumerate(retrieved, 1):
        if overlap([span], gold) > 0:
            rr = 1.0 / rank
            break
    return SpanScores(
        recall=common / gold_size if gold_size else 0.0,
        precision=common / got_size if got_size else 0.0,
        hit=common > 0,
        reciprocal_rank=rr,
    )


def mean(values: Iterable[float]) -> float:
    items = list(values)
    return sum(items) / len(items) if items else 0.0


class OffsetMap:
    """Character offsets of a document's stored text mapped to offsets in its corpus file.

    The stored text is what the loader read (a text file's UTF-8, a byte-order mark dropped); the
    corpus file's text is what LegalBench-RAG spans index (the file read as text). They are
    usually the same and the map is the identity; otherwise the two are aligned on their common
    blocks and an offset inside an unmatched stretch goes to the end of the aligned block before it.
    """

    def __init__(self, stored: str, corpus: str) -> None:
        self._identity = stored == corpus
        self._blocks: list[tuple[int, int, int]] = []
        if not self._identity:
            from difflib import SequenceMatcher

            matcher = SequenceMatcher(None, stored, corpus, autojunk=False)
            self._blocks = [(a, b, n) for a, b, n in matcher.get_matching_blocks() if n]

    def __call__(self, offset: int) -> int:
        if self._identity:
            return offset
        mapped = 0
        for a, b, n in self._blocks:
            if offset < a:
                return mapped
            if offset <= a + n:
                return b + (offset - a)
            mapped = b + n
        return mapped
