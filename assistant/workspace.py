"""The workspace: one folder per practice holding the SQLite store, the Chroma index and history.

Private by default: folders are 0700 and files 0600, since a workspace holds contract terms,
remittances and conversations. Opening a workspace sets the process umask to 077, so exports
and reports written by the same command are 0600 too; PAYER_ASSISTANT_UMASK (octal, e.g. 022)
asks for another one.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ConfigError, ServiceUnavailable

DIR_MODE = 0o700
FILE_MODE = 0o600
# SQLite's own busy wait: short, so that a longer wait can say so (see `begin_write`).
BUSY_TIMEOUT_S = 2.0
# A writer gives up only after this long, with a message saying who holds the lock.
WRITE_WAIT_LIMIT_S = 600.0


def _notify_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


UMASK_ENV = "PAYER_ASSISTANT_UMASK"


def private_umask() -> int:
    """Set the process umask for new files (077 unless PAYER_ASSISTANT_UMASK says otherwise)."""
    wanted = os.environ.get(UMASK_ENV, "").strip()
    try:
        mask = int(wanted, 8) if wanted else 0o077
    except ValueError:
        raise ConfigError(
            f"{UMASK_ENV}={wanted!r} is not an octal umask",
            "set it like 022 (files 0644) or unset it for private files (0600)",
        ) from None
    os.umask(mask & 0o777)
    return mask


# Where storage notices go ("waiting for another writer", "index rebuilt"); stderr by default.
notify: Callable[[str], None] = _notify_stderr


def make_private(path: Path) -> None:
    """0700 for a folder, 0600 for a file, when this user owns it and it is laxer."""
    try:
        st = path.stat()
    except OSError:
        return
    mode = DIR_MODE if path.is_dir() else FILE_MODE
    if st.st_uid == os.getuid() and st.st_mode & 0o777 != mode:
        with suppress(OSError):
            path.chmod(mode)


def make_private_tree(root: Path) -> None:
    """`make_private` on a folder and everything in it (Chroma's files, exports)."""
    if not root.exists():
        return
    make_private(root)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in (*dirnames, *filenames):
            make_private(Path(dirpath) / name)


@dataclass(frozen=True)
class Workspace:
    """Paths inside a workspace folder; `connect()` opens its SQLite store.

    The schema is migrated by `assistant.migrations` (keyed by `PRAGMA user_version`) when a
    connection opens; store classes never run DDL.
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
        """Create the folder (0700) if needed; raise ConfigError when it cannot be a workspace."""
        if self.root.exists() and not self.root.is_dir():
            raise ConfigError(
                f"Workspace path {self.root} is a file, not a folder",
                "pass --workspace with a folder path (it is created if missing)",
            )
        try:
            self.root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"Cannot create workspace folder {self.root}: {exc.strerror}",
                "choose a writable folder with --workspace or PAYER_ASSISTANT_HOME",
            ) from exc
        private_umask()
        make_private(self.root)
        return self

    def private_dir(self, path: Path) -> Path:
        """A folder of this workspace (exports, chroma), created 0700."""
        self.ensure()
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        make_private(path)
        return path

    def connect(self) -> sqlite3.Connection:
        """Open the store for the calling thread (WAL, busy timeout, foreign keys, migrated).

        A connection belongs to the thread that opened it: SQLite transactions never span
        threads. Open one per thread (`Services.conn` does).
        """
        self.ensure()
        db = self.db_path
        if not db.exists():
            # Created 0600 before SQLite sees it; SQLite gives -wal and -shm the same mode.
            os.close(os.open(db, os.O_CREAT | os.O_WRONLY, FILE_MODE))
        for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            make_private(path)
        try:
            conn = sqlite3.connect(db, timeout=BUSY_TIMEOUT_S)
        except sqlite3.Error as exc:
            raise ConfigError(
                f"Cannot open the workspace store {db}: {exc}",
                "check the folder is writable, or pass --workspace with another folder",
            ) from exc
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        from assistant.migrations import migrate

        try:
            migrate(conn, begin_write)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise ConfigError(
                f"The workspace store {db} is not a readable SQLite database ({exc})",
                "restore it from a backup, or pass --workspace with another folder",
            ) from exc
        return conn


def _locked(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def begin_write(conn: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, waiting for another writer as long as it takes (up to 10 minutes).

    SQLite waits `BUSY_TIMEOUT_S` silently; past that, one notice says whose turn it is
    instead of failing with "database is locked".
    """
    started = time.monotonic()
    told = False
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not _locked(exc):
                raise
            waited = time.monotonic() - started
            if waited > WRITE_WAIT_LIMIT_S:
                raise ServiceUnavailable(
                    f"The workspace store has been locked by another writer for {int(waited)} s",
                    "wait for the other payer-assistant command (an import or ingest) to "
                    "finish, or stop it, then run this again",
                ) from exc
            if not told:
                notify(
                    "Waiting for another payer-assistant process that is writing to this workspace…"
                )
                told = True


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All-or-nothing: commit when the block finishes, roll back on any exception."""
    begin_write(conn)
    try:
        yield conn
    except BaseException:
        conn.rollback()
        raise
    else:
        conn.commit()


@contextmanager
def joined_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """The caller's open transaction when there is one, else a new one: store writes nest
    inside an import's transaction and stand alone otherwise."""
    if conn.in_transaction:
        yield conn
    else:
        with transaction(conn):
            yield conn
