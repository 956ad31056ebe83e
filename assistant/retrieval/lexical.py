"""Lexical search over chunk text with SQLite FTS5 (BM25), kept in the workspace store.

The `retrieval_chunks` table is also the source of truth for which chunks are live: a vector hit
whose id is not in it (left over from an interrupted re-ingest) is ignored.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

# Version 1 of these tables, applied by assistant.migrations; change them with a new migration.
SCHEMA = """
CREATE TABLE IF NOT EXISTS retrieval_chunks (
    chunk_id  TEXT PRIMARY KEY,
    doc_id    TEXT NOT NULL,
    ord       INTEGER NOT NULL,
    text      TEXT NOT NULL,
    page      INTEGER,
    page_end  INTEGER,
    section   TEXT,
    headings  TEXT NOT NULL DEFAULT '',
    ocr       INTEGER NOT NULL DEFAULT 0,
    start     INTEGER NOT NULL DEFAULT 0,
    end       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS retrieval_chunks_doc ON retrieval_chunks(doc_id, ord);
CREATE VIRTUAL TABLE IF NOT EXISTS retrieval_fts USING fts5(
    chunk_id UNINDEXED, doc_id UNINDEXED, body, tokenize = 'porter unicode61'
);
CREATE VIRTUAL TABLE IF NOT EXISTS retrieval_title_fts USING fts5(
    chunk_id UNINDEXED, doc_id UNINDEXED, title, tokenize = 'porter unicode61'
);
CREATE VIRTUAL TABLE IF NOT EXISTS retrieval_doc_fts USING fts5(
    doc_id UNINDEXED, body, tokenize = 'porter unicode61'
);
"""

# How much of a document's opening identifies it (title, parties, recitals).
PROFILE_CHARS = 1200

# Words too common in contracts to discriminate between chunks.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "what",
        "which",
        "who",
        "whom",
        "how",
        "when",
        "where",
        "does",
        "do",
        "did",
        "any",
        "our",
        "we",
        "us",
        "your",
        "you",
        "shall",
        "may",
        "can",
        "there",
        "their",
        "these",
        "those",
        "not",
        "no",
        "if",
        "than",
        "then",
        "such",
        "into",
        "upon",
        "under",
    ]
)
_WORD = re.compile(r"[A-Za-z0-9]+")
# Words that name things: capitalised, all caps or with digits ("Zenith", "TN", "BCBS", "2025").
_NAME = re.compile(r"\b(?:[A-Z][A-Za-z0-9]*|[0-9]*[A-Z][A-Za-z0-9]*)\b")


@dataclass(frozen=True)
class StoredChunk:
    """A live chunk as the store holds it (text and provenance)."""

    chunk_id: str
    doc_id: str
    ord: int
    text: str
    page: int | None
    page_end: int | None
    section: str | None
    headings: tuple[str, ...]
    ocr: bool
    start: int
    end: int
    """[start, end) is the slice of the document's full text the chunk comes from."""


HEADING_SEP = " > "


def _stored(row: sqlite3.Row) -> StoredChunk:
    return StoredChunk(
        chunk_id=row["chunk_id"],
        doc_id=row["doc_id"],
        ord=row["ord"],
        text=row["text"],
        page=row["page"],
        page_end=row["page_end"],
        section=row["section"],
        headings=tuple(h for h in row["headings"].split(HEADING_SEP) if h),
        ocr=bool(row["ocr"]),
        start=row["start"],
        end=row["end"],
    )


def match_expression(query: str) -> str | None:
    """An FTS5 OR-query of the query's content words (quoted, so no operator injection)."""
    words = [w.lower() for w in _WORD.findall(query)]
    terms = list(dict.fromkeys(w for w in words if w not in STOPWORDS and len(w) > 1))
    if not terms:
        return None
    return " OR ".join(f'"{t}"' for t in terms)


class LexicalIndex:
    """Chunk rows plus their FTS5 index; writes go inside the caller's transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def replace_document(
        self,
        doc_id: str,
        chunks: Iterable[StoredChunk],
        bodies: Iterable[str],
        profile: str,
        titles: Iterable[str] = (),
    ) -> None:
        """Replace a document's chunks; `profile` is what names the document (see `route`),
        `titles` the section labels of each chunk (searched on their own by `search_titles`)."""
        self.delete_document(doc_id)
        self.conn.execute(
            "INSERT INTO retrieval_doc_fts (doc_id, body) VALUES (?, ?)", (doc_id, profile)
        )
        rows = list(chunks)
        self.conn.executemany(
            "INSERT INTO retrieval_chunks VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    c.chunk_id,
                    c.doc_id,
                    c.ord,
                    c.text,
                    c.page,
                    c.page_end,
                    c.section,
                    HEADING_SEP.join(c.headings),
                    int(c.ocr),
                    c.start,
                    c.end,
                )
                for c in rows
            ],
        )
        self.conn.executemany(
            "INSERT INTO retrieval_fts (chunk_id, doc_id, body) VALUES (?,?,?)",
            [(c.chunk_id, c.doc_id, body) for c, body in zip(rows, bodies, strict=True)],
        )
        self.conn.executemany(
            "INSERT INTO retrieval_title_fts (chunk_id, doc_id, title) VALUES (?,?,?)",
            [(c.chunk_id, c.doc_id, t) for c, t in zip(rows, titles, strict=False) if t],
        )

    def delete_document(self, doc_id: str) -> None:
        self.conn.execute("DELETE FROM retrieval_chunks WHERE doc_id = ?", (doc_id,))
        self.conn.execute("DELETE FROM retrieval_fts WHERE doc_id = ?", (doc_id,))
        self.conn.execute("DELETE FROM retrieval_doc_fts WHERE doc_id = ?", (doc_id,))
        self.conn.execute("DELETE FROM retrieval_title_fts WHERE doc_id = ?", (doc_id,))

    def chunk_ids(self, doc_id: str) -> set[str]:
        rows = self.conn.execute(
            "SELECT chunk_id FROM retrieval_chunks WHERE doc_id = ?", (doc_id,)
        ).fetchall()
        return {r[0] for r in rows}

    def get(self, chunk_ids: list[str]) -> dict[str, StoredChunk]:
        """Live chunks by id; ids that are not live are simply absent from the result."""
        found: dict[str, StoredChunk] = {}
        for i in range(0, len(chunk_ids), 500):
            part = chunk_ids[i : i + 500]
            marks = ",".join("?" * len(part))
            for row in self.conn.execute(
                f"SELECT * FROM retrieval_chunks WHERE chunk_id IN ({marks})", part
            ):
                found[row["chunk_id"]] = _stored(row)
        return found

    def document_chunks(self, doc_id: str) -> list[StoredChunk]:
        rows = self.conn.execute(
            "SELECT * FROM retrieval_chunks WHERE doc_id = ? ORDER BY ord", (doc_id,)
        ).fetchall()
        return [_stored(r) for r in rows]

    def opening_chunks(self, doc_ids: list[str], n: int) -> list[str]:
        """The first `n` chunks of each document, in order: first chunks of all, then seconds."""
        marks = ",".join("?" * len(doc_ids))
        rows = self.conn.execute(
            f"SELECT chunk_id, doc_id FROM retrieval_chunks WHERE doc_id IN ({marks}) "
            "ORDER BY ord, doc_id",
            doc_ids,
        ).fetchall()
        seen: dict[str, int] = {}
        out: list[str] = []
        for chunk_id, doc_id in rows:
            seen[doc_id] = seen.get(doc_id, 0) + 1
            if seen[doc_id] <= n:
                out.append(chunk_id)
        return out

    def search(
        self, query: str, k: int, doc_ids: list[str] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk_id, bm25 score: higher is better) over chunk text, best first."""
        return self._match("retrieval_fts", query, k, doc_ids)

    def search_titles(
        self, query: str, k: int, doc_ids: list[str] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk_id, bm25 score) over section titles only: "assigning" finds "Assignment"."""
        return self._match("retrieval_title_fts", query, k, doc_ids)

    def _match(
        self, table: str, query: str, k: int, doc_ids: list[str] | None
    ) -> list[tuple[str, float]]:
        expr = match_expression(query)
        if expr is None or (doc_ids is not None and not doc_ids):
            return []
        sql = f"SELECT chunk_id, -bm25({table}) FROM {table} WHERE {table} MATCH ?"
        args: list[object] = [expr]
        if doc_ids is not None:
            sql += f" AND doc_id IN ({','.join('?' * len(doc_ids))})"
            args.extend(doc_ids)
        sql += f" ORDER BY bm25({table}) LIMIT ?"
        args.append(k)
        return [(r[0], float(r[1])) for r in self.conn.execute(sql, args)]

    def rank_documents(
        self, query: str, doc_ids: list[str] | None = None, every_word: bool = False
    ) -> list[tuple[str, float]]:
        """Documents the query names, best first, by the names it uses (capitalised words; every
        content word when `every_word`, for a part of a query known to name a document).

        Only words that tell documents apart count (a word in every document's profile weighs
        nothing), so "the Zenith contract" names Zenith's document while "timely filing" names none.
        """
        pattern = _WORD if every_word else _NAME
        names = {w.lower() for w in pattern.findall(query)} - STOPWORDS
        if not names:
            return []
        sql = "SELECT doc_id, body FROM retrieval_doc_fts"
        rows = self.conn.execute(sql).fetchall()
        profiles = {
            r[0]: {w.lower() for w in _WORD.findall(r[1])}
            for r in rows
            if doc_ids is None or r[0] in doc_ids
        }
        if len(profiles) < 2:
            return []
        df = {t: sum(1 for words in profiles.values() if t in words) for t in names}
        n = len(profiles)
        scores = {
            doc: sum(math.log(n / df[t]) for t in names if df[t] and t in words)
            for doc, words in profiles.items()
        }
        ranked = sorted(((d, s) for d, s in scores.items() if s > 0), key=lambda kv: -kv[1])
        return ranked
