"""Ingestion: files in, documents indexed — idempotent, and never half-indexed.

A changed file's new chunks are embedded and written before its old ones go: the SQLite
registry (documents, pages, live chunk ids) is switched in one transaction, so a crash at any
point leaves either the old version or the new one searchable, never a mixture.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from assistant.errors import AssistantError, InputError
from assistant.ingest.loaders import SUPPORTED_SUFFIXES, load_document
from assistant.ingest.models import Chunk, LoadedDocument
from assistant.ingest.store import KINDS, DocumentRecord, DocumentStore
from assistant.retrieval.embeddings import Embedder
from assistant.retrieval.lexical import PROFILE_CHARS, LexicalIndex, StoredChunk
from assistant.retrieval.vector import VectorIndex
from assistant.workspace import transaction

EMBED_BATCH = 64
# Bump when chunking or the embedded text changes: documents indexed by another version are
# re-indexed on the next ingest even though their files are unchanged.
PIPELINE = "chunks-v3"


class Progress(Protocol):
    """Told how far ingestion is: `done` of `total` files, fractional within a file."""

    def __call__(self, description: str, done: float, total: float) -> None: ...


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one file; `to_json` is the `ingest --json` row."""

    doc_id: str | None
    source: str
    payer: str | None
    kind: str
    pages: int
    chunks: int
    ocr_pages: tuple[int, ...]
    status: str  # added | updated | unchanged | failed
    error: str | None = None
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "payer": self.payer,
            "kind": self.kind,
            "pages": self.pages,
            "chunks": self.chunks,
            "ocr_pages": list(self.ocr_pages),
            "status": self.status,
            "error": self.error,
        }


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "doc"


NOTE_STEMS = frozenset({"readme", "notes", "changelog", "license", "contributing", "todo"})
"""File names (without suffix) a folder walk takes for notes about the folder, not documents."""


def is_folder_note(path: Path) -> bool:
    """A README, NOTES, CHANGELOG, … file: skipped in a folder, indexed when named on its own."""
    return path.stem.lower().split(".")[0] in NOTE_STEMS


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given, and the supported files inside folders (sorted; hidden files and
    README/notes files skipped: name one to index it)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and p.suffix.lower() in SUPPORTED_SUFFIXES
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                    and not is_folder_note(p)
                )
            )
        else:
            found.append(path)
    return found


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def chunk_metadata(doc: DocumentRecord, chunk: Chunk) -> dict[str, str | int | bool]:
    meta: dict[str, str | int | bool] = {
        "doc_id": doc.doc_id,
        "source": doc.source,
        "kind": doc.kind,
        "payer": doc.payer or "",
    }
    if chunk.page is not None:
        meta["page"] = chunk.page
    return meta


def document_profile(record: DocumentRecord, doc: LoadedDocument) -> str:
    """The text that names a document: file name, payer, kind and its opening words."""
    opening = " ".join(p.text for p in doc.pages)[:PROFILE_CHARS]
    name = re.sub(r"[_\-]+", " ", Path(record.source).stem)
    return f"{name}\n{record.payer or ''}\n{record.kind}\n{opening}"


class Ingestor:
    """Adds, updates and removes documents in one workspace's registry and indexes."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        index: VectorIndex,
        embedder: Callable[[], Embedder],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.conn = conn
        self.index = index
        self._embedder_factory = embedder
        self._embedder: Embedder | None = None
        self.clock = clock
        self.documents = DocumentStore(conn)
        self.lexical = LexicalIndex(conn)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self._embedder_factory()
        return self._embedder

    def _new_doc_id(self, source: str, payer: str | None) -> str:
        base = slug(Path(source).stem) + (f"-{slug(payer)}" if payer else "")
        doc_id, n = base, 2
        while self.documents.find(doc_id):
            doc_id, n = f"{base}-{n}", n + 1
        return doc_id

    def ingest(
        self,
        paths: list[Path],
        payer: str | None = None,
        kind: str = "contract",
        progress: Progress | None = None,
        ocr: bool = True,
    ) -> list[IngestOutcome]:
        """Index each file; one file's failure is reported in its outcome, never raised.

        `ocr=False` leaves image-only pages empty (faster; the review then says so).
        """
        if kind not in KINDS:
            raise InputError(f"Unknown kind '{kind}'", f"use one of: {', '.join(KINDS)}")
        payer = payer.strip() if payer and payer.strip() else None
        files = expand_paths(paths)
        outcomes: list[IngestOutcome] = []
        report = progress or (lambda description, done, total: None)
        # Loading and chunking the next file overlaps with embedding the current one.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = self._prefetch(pool, files, payer, ocr)
            for i, (path, future) in enumerate(pending):
                report(f"reading {path.name}", i, len(files))
                outcomes.append(self._ingest_one(path, future, payer, kind, i, len(files), report))
        report("done", len(files), len(files))
        return outcomes

    def _prefetch(
        self, pool: ThreadPoolExecutor, files: list[Path], payer: str | None, ocr: bool
    ) -> Iterator[tuple[Path, Future[tuple[LoadedDocument, str] | None]]]:
        # Read the registry here, on the caller's thread: the loader thread never touches SQLite.
        known = {(d.source, d.payer or None): d for d in self.documents.list()}

        def load(path: Path) -> tuple[LoadedDocument, str] | None:
            if not path.exists():
                raise InputError(f"{path.name}: file not found", "check the path and try again")
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                raise InputError(
                    f"{path.name}: unsupported file type '{path.suffix or '(none)'}'",
                    f"convert it to one of {', '.join(SUPPORTED_SUFFIXES)}",
                )
            sha = file_sha256(path)
            existing = known.get((path.name, payer))
            if (
                existing
                and existing.sha256 == sha
                and existing.chunks > 0
                and existing.pipeline == PIPELINE
            ):
                return None
            return load_document(path, ocr=ocr), sha

        futures = [pool.submit(load, p) for p in files[:1]]
        for i, path in enumerate(files):
            if i + 1 < len(files):
                futures.append(pool.submit(load, files[i + 1]))
            yield path, futures[i]

    def _ingest_one(
        self,
        path: Path,
        future: Future[tuple[LoadedDocument, str] | None],
        payer: str | None,
        kind: str,
        index: int,
        total: int,
        report: Progress,
    ) -> IngestOutcome:
        existing = self.documents.find_source(path.name, payer)
        try:
            loaded = future.result()
            if loaded is None:
                assert existing is not None
                return IngestOutcome(
                    existing.doc_id,
                    path.name,
                    payer,
                    existing.kind,
                    existing.pages,
                    existing.chunks,
                    existing.ocr_pages,
                    "unchanged",
                )
            doc, sha = loaded
            return self._index(path, doc, sha, existing, payer, kind, index, total, report)
        except AssistantError as error:
            message = f"{error.message} — {error.hint}" if error.hint else error.message
        except OSError as error:
            message = f"{path.name}: cannot read file ({error.strerror}) — check it is readable"
        return IngestOutcome(None, path.name, payer, kind, 0, 0, (), "failed", message)

    def _index(
        self,
        path: Path,
        doc: LoadedDocument,
        sha: str,
        existing: DocumentRecord | None,
        payer: str | None,
        kind: str,
        index: int,
        total: int,
        report: Progress,
    ) -> IngestOutcome:
        from assistant.ingest.chunking import (
            chunk_document,
            embedding_text,
            source_span,
            title,
        )

        doc_id = existing.doc_id if existing else self._new_doc_id(path.name, payer)
        chunks = chunk_document(doc, doc_id)
        if not chunks:
            raise InputError(
                f"{path.name}: no text found on any page",
                "if it is a scan, check the pages are legible; otherwise re-export it with text",
            )
        record = DocumentRecord(
            doc_id=doc_id,
            source=path.name,
            path=str(path.resolve()),
            payer=payer,
            kind=kind,
            sha256=sha,
            pages=len(doc.pages),
            chunks=len(chunks),
            ocr_pages=doc.ocr_pages,
            empty_pages=tuple(
                p.number for p in doc.pages if p.number is not None and not p.text.strip()
            ),
            added_at=self.clock().isoformat(timespec="seconds"),
            pipeline=PIPELINE,
        )
        bodies = [embedding_text(c) for c in chunks]
        vectors: list[list[float]] = []
        for start in range(0, len(bodies), EMBED_BATCH):
            report(f"embedding {path.name}", index + start / len(bodies), total)
            vectors.extend(self.embedder.embed_documents(bodies[start : start + EMBED_BATCH]))
        ids = [c.chunk_id for c in chunks]
        self.index.upsert(ids, vectors, [chunk_metadata(record, c) for c in chunks])
        stored = [
            StoredChunk(
                chunk_id=c.chunk_id,
                doc_id=doc_id,
                ord=i,
                text=c.text,
                page=c.page,
                page_end=c.page_end,
                section=c.section,
                headings=c.headings,
                ocr=c.ocr,
                start=c.start,
                end=source_span(c)[1],
            )
            for i, c in enumerate(chunks)
        ]
        with transaction(self.conn):
            self.documents.put(record, list(doc.pages))
            self.lexical.replace_document(
                doc_id, stored, bodies, document_profile(record, doc), [title(c) for c in chunks]
            )
        # Only now, with the registry switched, can the old version's vectors go.
        stale = self.index.ids_for(doc_id) - set(ids)
        self.index.delete(sorted(stale))
        return IngestOutcome(
            doc_id,
            path.name,
            payer,
            kind,
            record.pages,
            record.chunks,
            record.ocr_pages,
            "updated" if existing else "added",
            None,
            doc.warnings,
        )

    def remove(self, ref: str) -> DocumentRecord:
        """Delete a document from the registry and both indexes."""
        doc = self.documents.resolve(ref)
        with transaction(self.conn):
            self.lexical.delete_document(doc.doc_id)
            self.documents.delete(doc.doc_id)
        self.index.delete_document(doc.doc_id)
        return doc


def guidance_folder() -> Path:
    """The project's knowledge/guidance folder (next to the package in a checkout)."""
    return Path(__file__).resolve().parents[2] / "knowledge" / "guidance"


def ensure_guidance(ingestor: Ingestor, progress: Progress | None = None) -> list[IngestOutcome]:
    """Index the built-in guidance as kind `guidance` (unchanged files cost only a hash)."""
    folder = guidance_folder()
    if not folder.is_dir():
        return []
    return ingestor.ingest([folder], payer=None, kind="guidance", progress=progress)
