"""Cited search: vector and lexical retrieval fused, filtered by payer, kind or document."""

from __future__ import annotations

import math
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from assistant.ingest.store import DocumentRecord, DocumentStore
from assistant.retrieval.embeddings import Embedder
from assistant.retrieval.expansion import asks_opening, expand
from assistant.retrieval.focus import FocusedQuery, focus_query
from assistant.retrieval.lexical import STOPWORDS, LexicalIndex, StoredChunk
from assistant.retrieval.vector import VectorIndex

Mode = Literal["hybrid", "vector", "lexical"]
RRF_K = 60
# How deep each retriever looks before fusion; fusion needs more than k candidates.
CANDIDATES = 40
# A query names one document when that document's identifying text outscores the next by this
# factor (see `Retriever.route`); measured on the CUAD queries, see bench/bench_retrieval.py.
ROUTE_RATIO = 1.5
# Add the clause phrasing of the term a question asks about (see `expansion`); measured on the
# cuad_dev tune split.
EXPAND = True
# When a naming part is found but names no document clearly, search the few it names best.
MAX_NAMED = 3
# Fusion weights of the vector, chunk-text BM25 and section-title BM25 rankings. Chosen on the
# cuad_dev tune split (bench/bench_retrieval.py, 251 questions asked inside their contract):
# with the expanded question, BM25 finds the clause more often than MiniLM (0.86 vs 0.76 hit@5)
# and the fusion beats both at BM25 three times the vector weight (0.91).
VECTOR_WEIGHT = 0.5
LEXICAL_WEIGHT = 1.5
TITLE_WEIGHT = 0.25
# A question about parties or dates also ranks each document's first passages, in order (on the
# tune split's party and date questions: hit@5 0.84 without, 0.96 with these values).
OPENING_CHUNKS = 3
OPENING_WEIGHT = 2.0


@dataclass(frozen=True)
class SearchHit:
    """One retrieved chunk with everything needed to cite it."""

    chunk_id: str
    doc_id: str
    source: str
    kind: str
    payer: str | None
    page: int | None
    page_end: int | None
    section: str | None
    headings: tuple[str, ...]
    text: str
    score: float
    start: int
    end: int
    ocr: bool

    def to_json(self) -> dict[str, object]:
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "page": self.page,
            "page_end": self.page_end,
            "section": self.section,
            "text": self.text,
            "score": round(self.score, 6),
            "addressed_to_assistant": self.addressed_to_assistant,
        }

    @property
    def addressed_to_assistant(self) -> bool:
        """The passage speaks to an assistant ("Assistant: …", "ignore previous instructions"):
        shown flagged, never quoted as an answer."""
        from assistant.safety import addresses_assistant

        return addresses_assistant(self.text)


def focus(query: str) -> str:
    """The question part of a query that names its document in any form (see `focus_query`)."""
    return focus_query(query).question


def fuse(rankings: list[list[str]], weights: list[float] | None = None) -> list[tuple[str, float]]:
    """Weighted reciprocal-rank fusion of ranked id lists; best first."""
    weights = weights or [1.0] * len(rankings)
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + weight / (RRF_K + rank + 1)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


class Retriever:
    """Searches the workspace's chunks; built once and reused (the embedder is the slow part)."""

    def __init__(self, conn: sqlite3.Connection, index: VectorIndex, embedder: Embedder) -> None:
        self.conn = conn
        self.index = index
        self.embedder = embedder
        self.documents = DocumentStore(conn)
        self.lexical = LexicalIndex(conn)

    def _scope(
        self, payer: str | None, kind: str | None, doc_ids: list[str] | None
    ) -> dict[str, DocumentRecord]:
        docs = {d.doc_id: d for d in self.documents.list(kind=kind, payer=payer)}
        if doc_ids is not None:
            wanted = set(doc_ids)
            docs = {i: d for i, d in docs.items() if i in wanted}
        return docs

    def search(
        self,
        query: str,
        k: int = 5,
        payer: str | None = None,
        kind: str | None = None,
        doc_ids: list[str] | None = None,
        mode: Mode = "hybrid",
        route: bool = True,
    ) -> list[SearchHit]:
        """The `k` best passages, best first."""
        return self.search_with_relevance(query, k, payer, kind, doc_ids, mode, route)[0]

    def search_with_relevance(
        self,
        query: str,
        k: int = 5,
        payer: str | None = None,
        kind: str | None = None,
        doc_ids: list[str] | None = None,
        mode: Mode = "hybrid",
        route: bool = True,
    ) -> tuple[list[SearchHit], float]:
        """The passages, and the best cosine similarity of any passage in scope (0.0 in lexical
        mode): fused ranks say nothing about how relevant the best passage is, this does."""
        docs = self._scope(payer, kind, doc_ids)
        if not docs or not query.strip():
            return [], 0.0
        filtered = payer is not None or kind is not None or doc_ids is not None
        if route:
            focused = focus_query(query, [d.source for d in docs.values()])
            named = self.resolve(focused, query, docs) if len(docs) > 1 else list(docs)
            if named:
                if len(named) < len(docs):
                    docs = {i: docs[i] for i in named}
                    filtered = True
                # Once the document is resolved, the naming part only adds noise to the
                # embedding and to the term match: search with the question alone.
                if focused.naming is not None:
                    query = focused.question
        opening = asks_opening(query) and len(docs) <= MAX_NAMED
        if EXPAND:
            query = expand(query)
        scope_ids = list(docs) if filtered else None
        depth = max(CANDIDATES, 4 * k)
        rankings: list[list[str]] = []
        raw: dict[str, float] = {}
        vec: list[tuple[str, float]] = []
        if mode in ("hybrid", "vector"):
            where = None
            if scope_ids is not None:
                where = (
                    {"doc_id": scope_ids[0]}
                    if len(scope_ids) == 1
                    else {"doc_id": {"$in": scope_ids}}
                )
            vec = self.index.query(self.embedder.embed_query(query), depth, where)
            rankings.append([cid for cid, _ in vec])
            raw.update(vec)
        if mode in ("hybrid", "lexical"):
            lex = self.lexical.search(query, depth, scope_ids)
            rankings.append([cid for cid, _ in lex])
            if mode == "lexical":
                raw.update(lex)
        weights = [VECTOR_WEIGHT, LEXICAL_WEIGHT, TITLE_WEIGHT]
        if mode == "hybrid":
            titles = self.lexical.search_titles(query, depth, scope_ids)
            rankings.append([cid for cid, _ in titles])
            if opening:
                rankings.append(self.lexical.opening_chunks(list(docs), OPENING_CHUNKS))
                weights.append(OPENING_WEIGHT)
        ranked = fuse(rankings, weights) if mode == "hybrid" else [(c, raw[c]) for c in rankings[0]]
        live = self.lexical.get([cid for cid, _ in ranked])

        def in_scope(cid: str) -> bool:
            # Not live: a vector left over from an interrupted re-ingest.
            chunk = live.get(cid)
            return chunk is not None and chunk.doc_id in docs

        relevance = next((score for cid, score in vec if in_scope(cid)), 0.0)
        hits: list[SearchHit] = []
        for cid, score in ranked:
            if not in_scope(cid):
                continue
            chunk = live[cid]
            hits.append(_hit(chunk, docs[chunk.doc_id], score))
            if len(hits) == k:
                break
        return hits, relevance

    def route(self, query: str, doc_ids: list[str]) -> str | None:
        """The one document the query names (by file name, parties, payer or alias), if it
        clearly does."""
        docs = self._scope(None, None, doc_ids)
        named = self.resolve(focus_query(query, [d.source for d in docs.values()]), query, docs)
        return named[0] if len(named) == 1 else None

    def resolve(
        self, focused: FocusedQuery, query: str, docs: dict[str, DocumentRecord]
    ) -> list[str]:
        """The documents of `docs` the query names, best first; [] when it names none.

        A file name picks its document; a payer's name or alias picks that payer's documents;
        else the naming part's words (or, when the query has none, its capitalised words) are
        matched against each document's opening, file name and payer. One clear winner is
        returned alone; a naming part that fits several about equally returns the few best.
        """
        text = focused.naming or query
        lowered = text.lower()
        if focused.form == "file":
            wanted = Path(lowered).stem
            by_file = [i for i, d in docs.items() if Path(d.source).stem.lower() == wanted]
            if by_file:
                return by_file
        by_payer = [
            i
            for i, d in docs.items()
            if d.payer and any(_names(lowered, n) for n in self._payer_names(d.payer))
        ]
        if by_payer and len(by_payer) < len(docs):
            return by_payer
        ranked = self.lexical.rank_documents(
            text, list(docs), every_word=focused.naming is not None
        )
        if not ranked:
            return []
        best = ranked[0][1]
        if len(ranked) == 1 or best >= ROUTE_RATIO * ranked[1][1]:
            return [ranked[0][0]]
        if focused.naming is None:
            return []
        close = [d for d, score in ranked[:MAX_NAMED] if score * ROUTE_RATIO > best]
        return _fewest_unnamed(text, close, docs)

    def _payer_names(self, payer: str) -> list[str]:
        """A payer's name and its aliases (the rates store's, when the workspace has one)."""
        names = [payer]
        try:
            rows = self.conn.execute(
                "SELECT alias FROM rates_aliases WHERE payer = ? COLLATE NOCASE", (payer,)
            ).fetchall()
        except sqlite3.OperationalError:  # no rates imported in this workspace yet
            rows = []
        names.extend(r[0] for r in rows)
        return names


_TITLE_WORD = re.compile(r"[A-Za-z]{3,}")


def _fewest_unnamed(naming: str, close: list[str], docs: dict[str, DocumentRecord]) -> list[str]:
    """Of documents the naming part fits about equally, the one whose file name it leaves
    least unsaid: "the DISTRIBUTOR AGREEMENT between Ingram Micro and NETGEAR" is the agreement,
    not "AMENDMENT #2 TO THE DISTRIBUTION AGREEMENT" between the same two; "the TN contract" is
    TN_Contract4, not TN_Standard_Template. Words are weighed by how rare they are among the
    file names in scope; a tie keeps them all."""
    said = {w.lower() for w in _TITLE_WORD.findall(naming)}
    titles = {
        i: {w.lower() for w in _TITLE_WORD.findall(Path(d.source).stem)} for i, d in docs.items()
    }
    df: dict[str, int] = {}
    for words in titles.values():
        for w in words:
            df[w] = df.get(w, 0) + 1
    unsaid = {
        i: sum(math.log(len(docs) / df[w]) for w in titles[i] - said - STOPWORDS) for i in close
    }
    shared = set.intersection(*(titles[i] for i in close)) if close else set()
    if not any((titles[i] & said) - shared for i in close):
        return close  # the naming part tells their file names apart by no word
    least = min(unsaid.values(), default=0.0)
    fewest = [i for i in close if unsaid[i] == least]
    return fewest if len(fewest) == 1 else close


def _names(text: str, name: str) -> bool:
    """Whether lower-cased `text` names `name` as whole words."""
    return re.search(rf"(?<![\w]){re.escape(name.lower())}(?![\w])", text) is not None


def _hit(chunk: StoredChunk, doc: DocumentRecord, score: float) -> SearchHit:
    return SearchHit(
        chunk_id=chunk.chunk_id,
        doc_id=chunk.doc_id,
        source=doc.source,
        kind=doc.kind,
        payer=doc.payer,
        page=chunk.page,
        page_end=chunk.page_end,
        section=chunk.section,
        headings=chunk.headings,
        text=chunk.text,
        score=score,
        start=chunk.start,
        end=chunk.end,
        ocr=chunk.ocr,
    )
