"""The registry of indexed documents and their page texts, in the workspace's SQLite store.

Page texts are kept so that review and the grounding check can verify a quote against the
exact page it cites without re-reading the file.
"""

from __future__ import annotations

import builtins
import sqlite3
from dataclasses import dataclass

from assistant.errors import NotFoundError
from assistant.ingest.models import Page

# Version 1 of these tables, applied by assistant.migrations; change them with a new migration.
SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id      TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    path        TEXT NOT NULL,
    payer       TEXT,
    kind        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    pages       INTEGER NOT NULL,
    chunks      INTEGER NOT NULL,
    ocr_pages   TEXT NOT NULL DEFAULT '',
    empty_pages TEXT NOT NULL DEFAULT '',
    added_at    TEXT NOT NULL,
    pipeline    TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS document_pages (
    doc_id  TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    page    INTEGER,
    ocr     INTEGER NOT NULL DEFAULT 0,
    text    TEXT NOT NULL,
    PRIMARY KEY (doc_id, seq)
);
"""

KINDS = ("contract", "template", "guidance")


@dataclass(frozen=True)
class DocumentRecord:
    """One indexed document as the registry knows it."""

    doc_id: str
    source: str
    path: str
    payer: str | None
    kind: str
    sha256: str
    pages: int
    chunks: int
    ocr_pages: tuple[int, ...]
    empty_pages: tuple[int, ...]
    added_at: str
    pipeline: str = ""
    """Version of the chunking/embedding pipeline that indexed it; a new one re-indexes."""


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(",") if x)


def _record(row: sqlite3.Row) -> DocumentRecord:
    return DocumentRecord(
        doc_id=row["doc_id"],
        source=row["source"],
        path=row["path"],
        payer=row["payer"],
        kind=row["kind"],
        sha256=row["sha256"],
        pages=row["pages"],
        chunks=row["chunks"],
        ocr_pages=_ints(row["ocr_pages"]),
        empty_pages=_ints(row["empty_pages"]),
        added_at=row["added_at"],
        pipeline=row["pipeline"],
    )


class DocumentStore:
    """Read and write the `documents` and `document_pages` tables."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def list(self, kind: str | None = None, payer: str | None = None) -> list[DocumentRecord]:
        sql = "SELECT * FROM documents WHERE 1=1"
        args: list[str] = []
        if kind:
            sql += " AND kind = ?"
            args.append(kind)
        if payer:
            sql += " AND lower(payer) = lower(?)"
            args.append(payer)
        rows = self.conn.execute(sql + " ORDER BY kind, source", args).fetchall()
        return [_record(r) for r in rows]

    def find(self, doc_id: str) -> DocumentRecord | None:
        row = self.conn.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return _record(row) if row else None

    def find_path(self, path: str, payer: str | None) -> DocumentRecord | None:
        """The document ingested from the file at `path` for `payer` (None: no payer)."""
        row = self.conn.execute(
            "SELECT * FROM documents WHERE path = ? AND coalesce(payer, '') = ?",
            (path, payer or ""),
        ).fetchone()
        return _record(row) if row else None

    def live_chunks(self) -> dict[str, str]:
        """chunk_id → doc_id of every live chunk (the registry is the truth for the index)."""
        rows = self.conn.execute("SELECT chunk_id, doc_id FROM retrieval_chunks").fetchall()
        return {r[0]: r[1] for r in rows}

    def chunk_bodies(self, doc_id: str) -> builtins.list[tuple[str, str, int | None]]:
        """(chunk_id, embedded text, page) of a document's live chunks, to re-embed them."""
        rows = self.conn.execute(
            "SELECT f.chunk_id, f.body, c.page FROM retrieval_fts f "
            "JOIN retrieval_chunks c ON c.chunk_id = f.chunk_id WHERE f.doc_id = ? "
            "ORDER BY c.ord",
            (doc_id,),
        ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def resolve(self, ref: str) -> DocumentRecord:
        """A document by doc_id, by the path it was ingested from, or by its file name."""
        found = self.find(ref)
        if found:
            return found
        rows = self.conn.execute(
            "SELECT * FROM documents WHERE source = ? OR lower(source) = lower(?) OR path = ?",
            (ref, ref, ref),
        ).fetchall()
        if len(rows) == 1:
            return _record(rows[0])
        if len(rows) > 1:
            ids = ", ".join(f"{r['doc_id']} ({r['path']})" for r in rows)
            raise NotFoundError(
                f"'{ref}' names {len(rows)} documents: {ids}", "pass the doc_id instead"
            )
        raise NotFoundError(
            f"No indexed document '{ref}'",
            "see `payer-assistant documents`; add one with `payer-assistant ingest FILE`",
        )

    def pages(self, doc_id: str) -> builtins.list[Page]:
        rows = self.conn.execute(
            "SELECT page, ocr, text FROM document_pages WHERE doc_id = ? ORDER BY seq", (doc_id,)
        ).fetchall()
        return [Page(number=r["page"], text=r["text"], ocr=bool(r["ocr"])) for r in rows]

    def page_text(self, doc_id: str, page: int | None) -> str | None:
        """The text of one page (page None: the single page of a text file), or None."""
        if page is None:
            row = self.conn.execute(
                "SELECT text FROM document_pages WHERE doc_id = ? AND page IS NULL", (doc_id,)
            ).fetchone()
        else:
            row = self.conn.execute(
                "SELECT text FROM document_pages WHERE doc_id = ? AND page = ?", (doc_id, page)
            ).fetchone()
        return row["text"] if row else None

    def put(self, record: DocumentRecord, pages: builtins.list[Page]) -> None:
        """Insert or replace a document and its pages (caller owns the transaction)."""
        self.conn.execute("DELETE FROM document_pages WHERE doc_id = ?", (record.doc_id,))
        self.conn.execute(
            "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                record.doc_id,
                record.source,
                record.path,
                record.payer,
                record.kind,
                record.sha256,
                record.pages,
                record.chunks,
                ",".join(map(str, record.ocr_pages)),
                ",".join(map(str, record.empty_pages)),
                record.added_at,
                record.pipeline,
            ),
        )
        self.conn.executemany(
            "INSERT INTO document_pages VALUES (?,?,?,?,?)",
            [(record.doc_id, i, p.number, int(p.ocr), p.text) for i, p in enumerate(pages)],
        )

    def delete(self, doc_id: str) -> None:
        self.conn.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
