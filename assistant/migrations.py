"""Schema migrations of the workspace store, keyed by `PRAGMA user_version`.

Version 1 is the schema each store declared (`SCHEMA` in its module; the agent's tables here)
when versioning began; every statement is `CREATE ... IF NOT EXISTS`, so a workspace made
before versioning migrates in place. A later change is a new entry of `MIGRATIONS`, never an
edit of those constants.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from assistant.errors import ConfigError


def _statements(script: str) -> list[str]:
    """Split a script into statements (executescript would commit the open transaction)."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


def _run(conn: sqlite3.Connection, script: str) -> None:
    for statement in _statements(script):
        conn.execute(statement)


# The agent's tables live here, not in assistant.agent, so the store stays below the agent.
CONVERSATIONS = """
CREATE TABLE IF NOT EXISTS agent_conversations (
    id         TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    model      TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS agent_turns (
    conversation_id TEXT NOT NULL REFERENCES agent_conversations(id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    question        TEXT NOT NULL,
    payer           TEXT,
    answer          TEXT NOT NULL,
    created_at      TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (conversation_id, seq)
);
"""


def _v1_tables(conn: sqlite3.Connection) -> None:
    from assistant.ingest.store import SCHEMA as DOCUMENTS
    from assistant.rates.store import SCHEMA as RATES
    from assistant.remits.store import SCHEMA as REMITS
    from assistant.retrieval.lexical import SCHEMA as LEXICAL

    for script in (DOCUMENTS, LEXICAL, RATES, REMITS, CONVERSATIONS):
        _run(conn, script)


def _v2_documents_by_path(conn: sqlite3.Connection) -> None:
    # A document is its file's path (and payer), not its file name: 2024/contract.txt and
    # 2025/contract.txt are two documents. The unique index also stops two concurrent ingests
    # of one new file from making two documents.
    conn.execute(
        "CREATE UNIQUE INDEX IF NOT EXISTS documents_path_payer "
        "ON documents(path, coalesce(payer, ''))"
    )


def _v3_pending_vectors(conn: sqlite3.Connection) -> None:
    # Vectors written to the index before the registry switch that makes them live, with the
    # writing process: the sweep of stale vectors leaves a running ingest's alone, and takes
    # those of a process that died (kill -9, power loss) between upsert and commit.
    conn.execute(
        "CREATE TABLE IF NOT EXISTS ingest_pending ("
        " chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, pid INTEGER NOT NULL,"
        " started_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
    )


def _v4_negotiation(conn: sqlite3.Connection) -> None:
    # The negotiation tracker, proposals and costs, and the RVU components a Medicare import
    # keeps for cost estimates.
    from assistant.negotiation.store import NEGOTIATION_SCHEMA
    from assistant.rates.store import RVU_COMPONENTS_SCHEMA

    _run(conn, RVU_COMPONENTS_SCHEMA)
    _run(conn, NEGOTIATION_SCHEMA)


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _v1_tables,
    _v2_documents_by_path,
    _v3_pending_vectors,
    _v4_negotiation,
)
LATEST = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, begin: Callable[[sqlite3.Connection], None]) -> int:
    """Bring the store to `LATEST` in one write transaction; return the version it was at.

    `begin` opens the write transaction (waiting for other writers); the version is read
    again under the lock, so two processes opening a new workspace migrate it once.
    """
    found = schema_version(conn)
    if found == LATEST:
        return found
    if found > LATEST:
        raise ConfigError(
            f"This workspace was written by a newer payer-assistant (schema {found}, "
            f"this version knows up to {LATEST})",
            "upgrade payer-assistant, or pass --workspace with another folder",
        )
    begin(conn)
    try:
        found = schema_version(conn)
        for step in MIGRATIONS[found:]:
            step(conn)
        conn.execute(f"PRAGMA user_version = {LATEST}")
    except BaseException:
        conn.rollback()
        raise
    conn.commit()
    return found
