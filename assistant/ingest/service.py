"""Ingestion: files in, documents indexed — idempotent, and never half-indexed.

A changed file's new chunks are embedded and written before its old ones go: the SQLite
registry (documents, pages, live chunk ids) is switched in one transaction, so a crash at any
point leaves either the old version or the new one searchable, never a mixture. A document is
the file at one path (for one payer), so two `contract.txt` in two folders are two documents.
The registry is the truth for the vector index: vectors it lacks are re-embedded from it, and
vectors it does not know are swept.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import stat
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from assistant.errors import AssistantError, InputError, ServiceUnavailable
from assistant.ingest.loaders import SUPPORTED_SUFFIXES, load_document
from assistant.ingest.models import Chunk, LoadedDocument
from assistant.ingest.store import KINDS, DocumentRecord, DocumentStore
from assistant.resources import knowledge_dir
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
    path: str = ""
    """The file as given (the source alone does not tell two contract.txt apart)."""

    def to_json(self) -> dict[str, object]:
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "path": self.path,
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


class _Conflict(Exception):
    """Another process registered this file, or took this doc_id, while we were embedding."""

    def __init__(self, holder: DocumentRecord | None) -> None:
        super().__init__("concurrent ingest")
        self.holder = holder


@dataclass(frozen=True)
class _Loaded:
    """What the loader thread found for one file: its registry match, its text (None when
    unchanged) and its hash."""

    existing: DocumentRecord | None
    doc: LoadedDocument | None
    sha: str


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _check_file(path: Path) -> None:
    """Refuse what is not a regular file before opening it (a FIFO would block forever)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError(f"{path.name}: file not found", "check the path and try again") from None
    if not stat.S_ISREG(mode):
        raise InputError(
            f"{path.name}: not a regular file (a pipe, device or socket)",
            "pass a PDF, DOCX, TXT or MD file saved on disk",
        )
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise InputError(
            f"{path.name}: unsupported file type '{path.suffix or '(none)'}'",
            f"convert it to one of {', '.join(SUPPORTED_SUFFIXES)}",
        )


def match_document(
    docs: list[DocumentRecord], path: Path, payer: str | None, kind: str, sha: str
) -> DocumentRecord | None:
    """The registered document a file is a version of: the one ingested from the same path
    (and payer); else one with the same file name and the same bytes (a copy or a moved file);
    else, for the built-in guidance, the one with the same file name."""
    key = str(path.resolve())
    mine = [d for d in docs if (d.payer or None) == payer]
    for d in mine:
        if d.path == key:
            return d
    for d in mine:
        if d.source == path.name and (d.sha256 == sha or kind == d.kind == "guidance"):
            return d
    return None


class Ingestor:
    """Adds, updates and removes documents in one workspace's registry and indexes.

    `notices` collects what a run repaired on the way (vectors re-embedded, stale ones swept),
    for the edge to print; `on_notice` hears each one as it happens (a rebuild can be long).
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        index: VectorIndex,
        embedder: Callable[[], Embedder],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_notice: Callable[[str], None] | None = None,
    ) -> None:
        self.conn = conn
        self._on_notice = on_notice
        self.index = index
        self._embedder_factory = embedder
        self._embedder: Embedder | None = None
        self.clock = clock
        self.documents = DocumentStore(conn)
        self.lexical = LexicalIndex(conn)
        self.notices: list[str] = []
        self._checked = False

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self._embedder_factory()
        return self._embedder

    def _new_doc_id(self, path: Path, payer: str | None) -> str:
        """`contract-aetna`; when another file holds it, `contract-aetna-2025` (its folder)."""
        base = slug(path.stem) + (f"-{slug(payer)}" if payer else "")
        candidates = [base, f"{base}-{slug(path.parent.name)}"]
        n = 2
        while True:
            for doc_id in candidates:
                if self.documents.find(doc_id) is None:
                    return doc_id
            candidates = [f"{base}-{n}"]
            n += 1

    # The index against the registry --------------------------------------------------------

    def _pending(self) -> set[str]:
        """Chunk ids that running ingests have written but not yet made live."""
        rows = self.conn.execute("SELECT chunk_id, pid FROM ingest_pending").fetchall()
        return {r[0] for r in rows if _alive(int(r[1]))}

    def check_index(self) -> None:
        """Compare the vector index with the registry (the truth for live chunks): re-embed
        live chunks whose vectors are missing (a server restarted on an empty path, a deleted
        `chroma/` folder) and delete vectors no live chunk owns (a crash between the registry
        switch and the sweep, or before it). Each repair adds a notice."""
        self._checked = True
        live = self.documents.live_chunks()
        indexed = self.index.all_ids()
        pending = self._pending()
        stale = sorted(cid for cid in indexed if cid not in live and cid not in pending)
        if stale:
            self.index.delete(stale)
            self._notice(
                f"Removed {len(stale)} stale vector(s) left by an interrupted ingest from "
                f"the index at {self.index.where}."
            )
        missing: dict[str, int] = {}
        for cid, doc_id in live.items():
            if cid not in indexed:
                missing[doc_id] = missing.get(doc_id, 0) + 1
        if not missing:
            self._forget_dead_pending()
            return
        total = sum(missing.values())
        self._notice(
            f"The vector index at {self.index.where} was missing {total} of {len(live)} "
            f"chunk vectors ({len(missing)} document(s)); re-embedding them from the registry."
        )
        for doc_id in missing:
            self._reembed(doc_id, indexed)
        self._notice(f"Rebuilt {total} vector(s); vector search is whole again.")
        self._forget_dead_pending()

    def _notice(self, message: str) -> None:
        self.notices.append(message)
        if self._on_notice is not None:
            self._on_notice(message)

    def _reembed(self, doc_id: str, indexed: set[str]) -> None:
        record = self.documents.find(doc_id)
        if record is None:
            return
        rows = [r for r in self.documents.chunk_bodies(doc_id) if r[0] not in indexed]
        for start in range(0, len(rows), EMBED_BATCH):
            part = rows[start : start + EMBED_BATCH]
            vectors = self.embedder.embed_documents([body for _, body, _ in part])
            metas = [
                chunk_metadata(record, Chunk(chunk_id=cid, text="", page=page, page_end=page))
                for cid, _, page in part
            ]
            self.index.upsert([cid for cid, _, _ in part], vectors, metas)

    def _forget_dead_pending(self) -> None:
        rows = self.conn.execute("SELECT DISTINCT pid FROM ingest_pending").fetchall()
        dead = [int(r[0]) for r in rows if not _alive(int(r[0]))]
        if dead:
            with transaction(self.conn):
                self.conn.executemany(
                    "DELETE FROM ingest_pending WHERE pid = ?", [(pid,) for pid in dead]
                )

    def _sweep(self, doc_id: str) -> None:
        """Delete the document's vectors that are neither live nor another ingest's pending."""
        live = self.lexical.chunk_ids(doc_id)
        pending = self._pending()
        stale = self.index.ids_for(doc_id) - live - pending
        self.index.delete(sorted(stale))

    # Ingest --------------------------------------------------------------------------------

    def ingest(
        self,
        paths: list[Path],
        payer: str | None = None,
        kind: str = "contract",
        progress: Progress | None = None,
        ocr: bool = True,
    ) -> list[IngestOutcome]:
        """Index each file; one file's failure is reported in its outcome, never raised.

        `ocr=False` leaves image-only pages empty (faster; the review then says so). The first
        run of an Ingestor checks the vector index against the registry (`check_index`).
        When the Chroma server goes away, the file being indexed keeps its old version and
        the rest of the batch is reported as not indexed.
        """
        if kind not in KINDS:
            raise InputError(f"Unknown kind '{kind}'", f"use one of: {', '.join(KINDS)}")
        payer = payer.strip() if payer and payer.strip() else None
        if not self._checked:
            self.check_index()
        files = expand_paths(paths)
        outcomes: list[IngestOutcome] = []
        report = progress or (lambda description, done, total: None)
        unavailable: ServiceUnavailable | None = None
        # Loading and chunking the next file overlaps with embedding the current one.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = self._prefetch(pool, files, payer, kind, ocr)
            for i, (path, future) in enumerate(pending):
                if unavailable is not None:
                    future.cancel()
                    outcomes.append(
                        IngestOutcome(
                            None, path.name, payer, kind, 0, 0, (), "failed",
                            f"{path.name}: not indexed, {unavailable.message} — "
                            "rerun the same command when it is back", path=str(path),
                        )
                    )  # fmt: skip
                    continue
                report(f"reading {path.name}", i, len(files))
                try:
                    outcome = self._ingest_one(path, future, payer, kind, i, len(files), report)
                except ServiceUnavailable as error:
                    unavailable = error
                    outcome = IngestOutcome(
                        None, path.name, payer, kind, 0, 0, (), "failed",
                        f"{path.name}: not indexed (its previous version, if any, is kept), "
                        f"{error.message} — {error.hint}",
                    )  # fmt: skip
                outcomes.append(replace(outcome, path=str(path)))
        report("done", len(files), len(files))
        return outcomes

    def _prefetch(
        self,
        pool: ThreadPoolExecutor,
        files: list[Path],
        payer: str | None,
        kind: str,
        ocr: bool,
    ) -> Iterator[tuple[Path, Future[_Loaded]]]:
        # Read the registry here, on the caller's thread: the loader thread never touches SQLite.
        known = self.documents.list()

        def load(path: Path) -> _Loaded:
            _check_file(path)
            sha = file_sha256(path)
            existing = match_document(known, path, payer, kind, sha)
            if (
                existing
                and existing.sha256 == sha
                and existing.chunks > 0
                and existing.pipeline == PIPELINE
            ):
                return _Loaded(existing, None, sha)
            return _Loaded(existing, load_document(path, ocr=ocr), sha)

        futures = [pool.submit(load, p) for p in files[:1]]
        for i, path in enumerate(files):
            if i + 1 < len(files):
                futures.append(pool.submit(load, files[i + 1]))
            yield path, futures[i]

    def _ingest_one(
        self,
        path: Path,
        future: Future[_Loaded],
        payer: str | None,
        kind: str,
        index: int,
        total: int,
        report: Progress,
    ) -> IngestOutcome:
        try:
            loaded = future.result()
            existing = loaded.existing
            if loaded.doc is None:
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
            for _ in range(3):
                try:
                    return self._index(
                        path, loaded.doc, loaded.sha, existing, payer, kind, index, total, report
                    )
                except _Conflict as conflict:
                    existing = conflict.holder
            raise InputError(
                f"{path.name}: other ingests kept changing this document",
                "run the ingest again when the others have finished",
            )
        except ServiceUnavailable:
            raise
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

        doc_id = existing.doc_id if existing else self._new_doc_id(path, payer)
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
        # Say which vectors are ours before writing them, so that a concurrent sweep spares
        # them and the next run sweeps them if this process dies before the switch.
        with transaction(self.conn):
            self.conn.executemany(
                "INSERT OR REPLACE INTO ingest_pending(chunk_id, doc_id, pid) VALUES (?,?,?)",
                [(cid, doc_id, os.getpid()) for cid in ids],
            )
        try:
            self.index.upsert(ids, vectors, [chunk_metadata(record, c) for c in chunks])
        except BaseException:
            # What did get written is now plainly stale: the next run's check sweeps it.
            with transaction(self.conn):
                self._clear_pending(ids)
            raise
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
        try:
            with transaction(self.conn):
                holder = self.documents.find_path(record.path, payer)
                if holder is not None and holder.doc_id != doc_id:
                    raise _Conflict(holder)
                taken = self.documents.find(doc_id)
                if (
                    taken is not None
                    and taken.path != record.path
                    and (existing is None or existing.doc_id != doc_id)
                ):
                    raise _Conflict(None)
                self.documents.put(record, list(doc.pages))
                self.lexical.replace_document(
                    doc_id,
                    stored,
                    bodies,
                    document_profile(record, doc),
                    [title(c) for c in chunks],
                )
                self._clear_pending(ids)
        except _Conflict:
            with transaction(self.conn):
                self._clear_pending(ids)
            self._sweep(doc_id)
            raise
        # Only now, with the registry switched, can the old version's vectors go.
        self._sweep(doc_id)
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

    def _clear_pending(self, ids: list[str]) -> None:
        self.conn.executemany(
            "DELETE FROM ingest_pending WHERE chunk_id = ? AND pid = ?",
            [(cid, os.getpid()) for cid in ids],
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
    return knowledge_dir() / "guidance"


def ensure_guidance(ingestor: Ingestor, progress: Progress | None = None) -> list[IngestOutcome]:
    """Index the built-in guidance as kind `guidance` (unchanged files cost only a hash)."""
    folder = guidance_folder()
    if not folder.is_dir():
        return []
    return ingestor.ingest([folder], payer=None, kind="guidance", progress=progress)


def ingest_documents(
    ingestor: Ingestor,
    paths: list[Path],
    payer: str | None = None,
    kind: str = "contract",
    *,
    ocr: bool = True,
    progress: Progress | None = None,
) -> list[IngestOutcome]:
    """`ingest` as the CLI and the app both run it: the built-in guidance first (so a search
    after the first ingest finds it), then the files; a bad file is reported in its outcome."""
    ensure_guidance(ingestor)
    return ingestor.ingest(paths, payer=payer, kind=kind, progress=progress, ocr=ocr)
