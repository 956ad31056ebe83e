"""One factory for the workspace's services, shared by the CLI, the app and the tests.

Everything heavy (the SQLite store, Chroma, the embedding model) opens on first use, so
`--help` and the app's first paint never wait for it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

from assistant import workspace as workspace_module
from assistant.config import Settings
from assistant.retrieval.embeddings import Embedder, load_embedder
from assistant.retrieval.vector import VectorIndex
from assistant.workspace import Workspace

if TYPE_CHECKING:
    from assistant.ingest.service import Ingestor
    from assistant.retrieval.search import Retriever


class ThreadConnections:
    """A stand-in for `sqlite3.Connection` that forwards to the calling thread's connection."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._local = threading.local()

    def current(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.current(), name)

    def __enter__(self) -> sqlite3.Connection:
        return self.current().__enter__()

    def __exit__(self, *exc: object) -> Any:
        return self.current().__exit__(*exc)  # type: ignore[arg-type]


class Services:
    """The workspace's store, indexes and embedder, opened lazily and once.

    `conn` reaches the calling thread's own SQLite connection (each Textual worker gets its
    own), so a transaction never spans threads and one thread's writes never commit another's.
    """

    def __init__(
        self,
        settings: Settings,
        embedder_factory: Callable[[], Embedder] | None = None,
    ) -> None:
        self.settings = settings
        self.workspace = Workspace(settings.workspace).ensure()
        self._embedder_factory = embedder_factory or (
            lambda: load_embedder(settings.embedding_model)
        )
        self._lock = threading.RLock()
        self._conns = ThreadConnections(self.workspace.connect)

    @property
    def conn(self) -> sqlite3.Connection:
        """The store, as seen from the calling thread: every call goes to that thread's own
        connection (opened on first use, closed when the thread ends), so a store object
        made on one thread and used on another (a Textual worker, the agent's tool thread)
        still never shares a connection or a transaction."""
        return cast(sqlite3.Connection, self._conns)

    def close(self) -> None:
        """Close this thread's connection (others close with their threads)."""
        self._conns.close()

    @cached_property
    def index(self) -> VectorIndex:
        """The vector index, checked against the registry when it opens (see `_repair`)."""
        with self._lock:
            index = VectorIndex.open(self.workspace.chroma_path, self.settings.chroma_url)
            self._repair(index)
            return index

    def _repair(self, index: VectorIndex) -> None:
        """When the index does not hold exactly the registry's live chunks (a deleted
        `chroma/` folder, a server restarted on an empty path, a crash before the sweep),
        re-embed what is missing and sweep what is stale, saying so, before anything
        searches it: vector search must not silently return nothing."""
        from assistant.ingest.service import Ingestor

        live = int(self.conn.execute("SELECT count(*) FROM retrieval_chunks").fetchone()[0])
        if index.count() == live:
            return
        Ingestor(
            self.conn, index, lambda: self.embedder, on_notice=workspace_module.notify
        ).check_index()

    @cached_property
    def embedder(self) -> Embedder:
        with self._lock:
            return self._embedder_factory()

    def retriever(self) -> Retriever:
        """A retriever for the calling thread (it reads through this thread's connection)."""
        from assistant.retrieval.search import Retriever

        return Retriever(self.conn, self.index, self.embedder)

    def ingestor(self) -> Ingestor:
        """An ingestor for the calling thread (it writes through this thread's connection)."""
        from assistant.ingest.service import Ingestor

        return Ingestor(self.conn, self.index, lambda: self.embedder)
