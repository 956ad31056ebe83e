"""Conversations kept in the workspace (tables `agent_*`), so follow-ups can use earlier turns."""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from typing import Any

from assistant.errors import NotFoundError
from assistant.workspace import transaction

# The agent_* tables are created by assistant.migrations (version 1).


@dataclass(frozen=True)
class Turn:
    question: str
    payer: str | None
    answer: dict[str, Any]
    """The Answer's JSON (what `ask --json` printed)."""


@dataclass(frozen=True)
class ConversationInfo:
    id: str
    title: str
    model: str
    created_at: str
    updated_at: str
    turns: int

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class ConversationStore:
    """Create, extend, list and delete conversations."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def create(self, title: str, model: str) -> str:
        conversation_id = uuid.uuid4().hex[:12]
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO agent_conversations(id, title, model) VALUES (?, ?, ?)",
                (conversation_id, title[:120], model),
            )
        return conversation_id

    def exists(self, conversation_id: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM agent_conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        return row is not None

    def require(self, conversation_id: str) -> None:
        if not self.exists(conversation_id):
            raise NotFoundError(
                f"No conversation '{conversation_id}'",
                "list them with `payer-assistant conversations`",
            )

    def turns(self, conversation_id: str) -> list[Turn]:
        rows = self.conn.execute(
            "SELECT question, payer, answer FROM agent_turns WHERE conversation_id = ? "
            "ORDER BY seq",
            (conversation_id,),
        ).fetchall()
        return [Turn(r["question"], r["payer"], json.loads(r["answer"])) for r in rows]

    def add_turn(
        self, conversation_id: str, question: str, payer: str | None, answer: dict[str, Any]
    ) -> None:
        with transaction(self.conn):
            seq = self.conn.execute(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM agent_turns WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()[0]
            self.conn.execute(
                "INSERT INTO agent_turns(conversation_id, seq, question, payer, answer) "
                "VALUES (?, ?, ?, ?, ?)",
                (conversation_id, seq, question, payer, json.dumps(answer, ensure_ascii=False)),
            )
            self.conn.execute(
                "UPDATE agent_conversations SET updated_at = CURRENT_TIMESTAMP WHERE id = ?",
                (conversation_id,),
            )

    def list(self) -> list[ConversationInfo]:
        rows = self.conn.execute(
            "SELECT c.id, c.title, c.model, c.created_at, c.updated_at, "
            "(SELECT COUNT(*) FROM agent_turns t WHERE t.conversation_id = c.id) AS turns "
            "FROM agent_conversations c ORDER BY c.updated_at DESC, c.rowid DESC"
        ).fetchall()
        return [ConversationInfo(*tuple(r)) for r in rows]

    def latest(self) -> str | None:
        found = self.list()
        return found[0].id if found else None

    def delete(self, conversation_id: str) -> None:
        self.require(conversation_id)
        with transaction(self.conn):
            self.conn.execute("DELETE FROM agent_conversations WHERE id = ?", (conversation_id,))
