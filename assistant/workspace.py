"""The workspace: one folder per practice holding the SQLite store, the Chroma index and history."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ConfigError


@dataclass(frozen=True)
class Workspace:
    """Paths inside a workspace folder; `connect()` opens its SQLite store.

    Each area (documents, rates, remits, conversations) owns its tables and creates them
    with `CREATE TABLE IF NOT EXISTS` in its own `ensure_schema(conn)`.
    """

    root: Path

    @property
    def db_path(self) -> Path:
        return self.root / "workspace.sqlite3"

    @property
    def chroma_path(self) -> Path:
        return self.root / "chroma"

    @property
    def conversations_path(self) -> Path:
        return self.root / "conversations"

    @property
    def exports_path(self) -> Path:
        return self.root / "exports"

    def ensure(self) -> Workspace:
        """Create the folder if needed; raise ConfigError when it cannot be a workspace."""
        if self.root.exists() and not self.root.is_dir():
            raise ConfigError(
                f"Workspace path {self.root} is a file, not a folder",
                "pass --workspace with a folder path (it is created if missing)",
            )
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"Cannot create workspace folder {self.root}: {exc.strerror}",
                "choose a writable folder with --workspace or PAYER_ASSISTANT_HOME",
            ) from exc
        return self

    def connect(self) -> sqlite3.Connection:
        """Open the store (WAL, foreign keys on, rows addressable by column name)."""
        self.ensure()
        conn = sqlite3.connect(self.db_path, timeout=30, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All-or-nothing: commit when the block finishes, roll back on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.rollback()
        raise
    else:
        conn.commit()
