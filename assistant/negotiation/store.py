"""The negotiation tables in the workspace's SQLite store: tracker, offers, proposals, costs.

All DDL is in `NEGOTIATION_SCHEMA`, applied by migration 4 of `assistant.migrations` when a
connection opens; change the tables with a new migration, never by editing the constant.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from contextlib import AbstractContextManager
from datetime import date
from decimal import Decimal

from assistant.errors import InputError, NotFoundError
from assistant.negotiation.models import (
    STAGES,
    Contact,
    CostEntry,
    FollowUp,
    LogEntry,
    Offer,
    Position,
    StoredProposal,
)
from assistant.rates.codes import Key
from assistant.workspace import joined_transaction

NEGOTIATION_SCHEMA = """
CREATE TABLE IF NOT EXISTS negotiation_payers (
    payer      TEXT PRIMARY KEY COLLATE NOCASE,
    stage      TEXT NOT NULL DEFAULT 'preparing',
    updated_on TEXT NOT NULL,
    effective  TEXT
);
CREATE TABLE IF NOT EXISTS negotiation_contacts (
    id    INTEGER PRIMARY KEY AUTOINCREMENT,
    payer TEXT NOT NULL COLLATE NOCASE,
    name  TEXT NOT NULL,
    role  TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS negotiation_positions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    payer      TEXT NOT NULL COLLATE NOCASE,
    kind       TEXT NOT NULL CHECK (kind IN ('ask', 'walk_away')),
    summary    TEXT NOT NULL,
    result     TEXT NOT NULL,
    inputs     TEXT NOT NULL,
    decided_on TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS negotiation_proposals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    payer       TEXT NOT NULL COLLATE NOCASE,
    source      TEXT NOT NULL,
    received_on TEXT NOT NULL,
    basis       TEXT,
    basis_quote TEXT,
    lesser_of   TEXT
);
CREATE TABLE IF NOT EXISTS negotiation_proposal_rates (
    proposal_id INTEGER NOT NULL REFERENCES negotiation_proposals(id) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    modifier    TEXT NOT NULL,
    rate        TEXT NOT NULL,
    PRIMARY KEY (proposal_id, code, modifier)
);
CREATE TABLE IF NOT EXISTS negotiation_offers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    payer       TEXT NOT NULL COLLATE NOCASE,
    received_on TEXT NOT NULL,
    summary     TEXT NOT NULL,
    terms       TEXT NOT NULL,
    current     TEXT NOT NULL,
    worth       TEXT NOT NULL,
    proposal_id INTEGER REFERENCES negotiation_proposals(id)
);
CREATE TABLE IF NOT EXISTS negotiation_log (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    payer  TEXT NOT NULL COLLATE NOCASE,
    on_day TEXT NOT NULL,
    kind   TEXT NOT NULL,
    note   TEXT NOT NULL,
    heard_from_payer INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS negotiation_follow_ups (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    payer   TEXT NOT NULL COLLATE NOCASE,
    due     TEXT NOT NULL,
    what    TEXT NOT NULL,
    done_on TEXT
);
CREATE TABLE IF NOT EXISTS negotiation_costs (
    code     TEXT NOT NULL,
    modifier TEXT NOT NULL,
    cost     TEXT NOT NULL,
    source   TEXT NOT NULL,
    PRIMARY KEY (code, modifier)
);
"""


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


class NegotiationStore:
    """Read and write the negotiation tables; writes join the caller's transaction if open."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def writing(self) -> AbstractContextManager[sqlite3.Connection]:
        """A transaction, or the caller's when one is already open (so imports nest)."""
        return joined_transaction(self.conn)

    # Stage -------------------------------------------------------------------------------

    def stage(self, payer: str) -> str:
        row = self.conn.execute(
            "SELECT stage FROM negotiation_payers WHERE payer = ?", (payer,)
        ).fetchone()
        return "preparing" if row is None else str(row[0])

    def tracked_payers(self) -> list[str]:
        rows = self.conn.execute(
            "SELECT payer FROM negotiation_payers UNION SELECT payer FROM negotiation_log "
            "UNION SELECT payer FROM negotiation_offers "
            "UNION SELECT payer FROM negotiation_follow_ups"
        ).fetchall()
        return sorted({str(r[0]) for r in rows}, key=str.lower)

    def set_stage(self, payer: str, stage: str, on_day: date) -> None:
        if stage not in STAGES:
            raise InputError(f"stage '{stage}' is not one of: {', '.join(STAGES)}")
        with self.writing() as conn:
            conn.execute(
                "INSERT INTO negotiation_payers(payer, stage, updated_on) VALUES (?, ?, ?) "
                "ON CONFLICT(payer) DO UPDATE SET stage = excluded.stage, "
                "updated_on = excluded.updated_on",
                (payer, stage, on_day.isoformat()),
            )

    def effective(self, payer: str) -> date | None:
        """The contract effective date the practice entered for the payer, if any."""
        row = self.conn.execute(
            "SELECT effective FROM negotiation_payers WHERE payer = ?", (payer,)
        ).fetchone()
        return None if row is None else _day(row[0])

    def set_effective(self, payer: str, effective: date, on_day: date) -> None:
        with self.writing() as conn:
            conn.execute(
                "INSERT INTO negotiation_payers(payer, updated_on, effective) VALUES (?, ?, ?) "
                "ON CONFLICT(payer) DO UPDATE SET effective = excluded.effective",
                (payer, on_day.isoformat(), effective.isoformat()),
            )

    # Contacts ----------------------------------------------------------------------------

    def add_contact(self, contact: Contact) -> Contact:
        with self.writing() as conn:
            cur = conn.execute(
                "INSERT INTO negotiation_contacts(payer, name, role, email, phone) "
                "VALUES (?, ?, ?, ?, ?)",
                (contact.payer, contact.name, contact.role, contact.email, contact.phone),
            )
        return Contact(
            contact.payer,
            contact.name,
            contact.role,
            contact.email,
            contact.phone,
            id=int(cur.lastrowid or 0),
        )

    def contacts(self, payer: str) -> list[Contact]:
        rows = self.conn.execute(
            "SELECT * FROM negotiation_contacts WHERE payer = ? ORDER BY id", (payer,)
        ).fetchall()
        return [
            Contact(r["payer"], r["name"], r["role"], r["email"], r["phone"], id=r["id"])
            for r in rows
        ]

    # Ask and walk-away -------------------------------------------------------------------

    def add_position(self, position: Position) -> None:
        with self.writing() as conn:
            conn.execute(
                "INSERT INTO negotiation_positions(payer, kind, summary, result, inputs, "
                "decided_on) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    position.payer,
                    position.kind,
                    position.summary,
                    json.dumps(position.result),
                    json.dumps(position.inputs),
                    position.decided_on.isoformat(),
                ),
            )

    def position(self, payer: str, kind: str) -> Position | None:
        """The latest ask or walk-away recorded for the payer."""
        r = self.conn.execute(
            "SELECT * FROM negotiation_positions WHERE payer = ? AND kind = ? "
            "ORDER BY decided_on DESC, id DESC LIMIT 1",
            (payer, kind),
        ).fetchone()
        if r is None:
            return None
        return Position(
            r["payer"],
            r["kind"],
            r["summary"],
            json.loads(r["result"]),
            json.loads(r["inputs"]),
            date.fromisoformat(r["decided_on"]),
        )

    # Proposals (imported exhibits) -------------------------------------------------------

    def add_proposal(self, proposal: StoredProposal) -> StoredProposal:
        with self.writing() as conn:
            cur = conn.execute(
                "INSERT INTO negotiation_proposals(payer, source, received_on, basis, "
                "basis_quote, lesser_of) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    proposal.payer,
                    proposal.source,
                    proposal.received_on.isoformat(),
                    proposal.basis,
                    proposal.basis_quote,
                    proposal.lesser_of,
                ),
            )
            pid = int(cur.lastrowid or 0)
            conn.executemany(
                "INSERT INTO negotiation_proposal_rates(proposal_id, code, modifier, rate) "
                "VALUES (?, ?, ?, ?)",
                [(pid, c, m, str(rate)) for (c, m), rate in proposal.rates.items()],
            )
        return self.proposal(pid)

    def proposal(self, proposal_id: int) -> StoredProposal:
        r = self.conn.execute(
            "SELECT * FROM negotiation_proposals WHERE id = ?", (proposal_id,)
        ).fetchone()
        if r is None:
            raise NotFoundError(
                f"No imported proposal with id {proposal_id}",
                "list them with `payer-assistant negotiation status --json` or import one "
                "with `payer-assistant proposal import FILE --payer NAME`",
            )
        rates = {
            (x["code"], x["modifier"]): Decimal(x["rate"])
            for x in self.conn.execute(
                "SELECT * FROM negotiation_proposal_rates WHERE proposal_id = ?", (proposal_id,)
            )
        }
        return StoredProposal(
            payer=r["payer"],
            source=r["source"],
            received_on=date.fromisoformat(r["received_on"]),
            rates=rates,
            basis=r["basis"],
            basis_quote=r["basis_quote"],
            lesser_of=r["lesser_of"],
            id=r["id"],
        )

    def latest_proposal(self, payer: str) -> StoredProposal | None:
        r = self.conn.execute(
            "SELECT id FROM negotiation_proposals WHERE payer = ? "
            "ORDER BY received_on DESC, id DESC LIMIT 1",
            (payer,),
        ).fetchone()
        return None if r is None else self.proposal(int(r[0]))

    # Offers ------------------------------------------------------------------------------

    def add_offer(self, offer: Offer) -> Offer:
        with self.writing() as conn:
            cur = conn.execute(
                "INSERT INTO negotiation_offers(payer, received_on, summary, terms, current, "
                "worth, proposal_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    offer.payer,
                    offer.received_on.isoformat(),
                    offer.summary,
                    json.dumps(offer.terms),
                    str(offer.current),
                    str(offer.worth),
                    offer.proposal_id,
                ),
            )
        return Offer(**{**offer.__dict__, "id": int(cur.lastrowid or 0)})

    def offers(self, payer: str) -> list[Offer]:
        rows = self.conn.execute(
            "SELECT * FROM negotiation_offers WHERE payer = ? ORDER BY received_on, id", (payer,)
        ).fetchall()
        return [
            Offer(
                payer=r["payer"],
                received_on=date.fromisoformat(r["received_on"]),
                summary=r["summary"],
                terms=json.loads(r["terms"]),
                current=Decimal(r["current"]),
                worth=Decimal(r["worth"]),
                proposal_id=r["proposal_id"],
                id=r["id"],
            )
            for r in rows
        ]

    # Log ---------------------------------------------------------------------------------

    def add_log(self, entry: LogEntry) -> LogEntry:
        with self.writing() as conn:
            cur = conn.execute(
                "INSERT INTO negotiation_log(payer, on_day, kind, note, heard_from_payer) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    entry.payer,
                    entry.on_day.isoformat(),
                    entry.kind,
                    entry.note,
                    int(entry.heard_from_payer),
                ),
            )
        return LogEntry(**{**entry.__dict__, "id": int(cur.lastrowid or 0)})

    def log(self, payer: str | None = None) -> list[LogEntry]:
        sql = "SELECT * FROM negotiation_log"
        args: tuple[str, ...] = ()
        if payer is not None:
            sql += " WHERE payer = ?"
            args = (payer,)
        rows = self.conn.execute(sql + " ORDER BY on_day, id", args).fetchall()
        return [
            LogEntry(
                r["payer"],
                date.fromisoformat(r["on_day"]),
                r["kind"],
                r["note"],
                bool(r["heard_from_payer"]),
                id=r["id"],
            )
            for r in rows
        ]

    # Follow-ups --------------------------------------------------------------------------

    def add_follow_up(self, follow_up: FollowUp) -> FollowUp:
        with self.writing() as conn:
            cur = conn.execute(
                "INSERT INTO negotiation_follow_ups(payer, due, what) VALUES (?, ?, ?)",
                (follow_up.payer, follow_up.due.isoformat(), follow_up.what),
            )
        return FollowUp(**{**follow_up.__dict__, "id": int(cur.lastrowid or 0)})

    def follow_ups(self, payer: str | None = None, *, open_only: bool = False) -> list[FollowUp]:
        sql = "SELECT * FROM negotiation_follow_ups WHERE 1=1"
        args: list[str] = []
        if payer is not None:
            sql += " AND payer = ?"
            args.append(payer)
        if open_only:
            sql += " AND done_on IS NULL"
        rows = self.conn.execute(sql + " ORDER BY due, id", args).fetchall()
        return [
            FollowUp(
                r["payer"], date.fromisoformat(r["due"]), r["what"], _day(r["done_on"]), id=r["id"]
            )
            for r in rows
        ]

    def complete_follow_up(self, follow_up_id: int, on_day: date) -> FollowUp:
        row = self.conn.execute(
            "SELECT done_on FROM negotiation_follow_ups WHERE id = ?", (follow_up_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(
                f"No follow-up with id {follow_up_id}",
                "list open follow-ups with `payer-assistant negotiation due`",
            )
        if row[0] is not None:
            raise InputError(f"follow-up {follow_up_id} was already done on {row[0]}")
        with self.writing() as conn:
            conn.execute(
                "UPDATE negotiation_follow_ups SET done_on = ? WHERE id = ?",
                (on_day.isoformat(), follow_up_id),
            )
        return next(f for f in self.follow_ups() if f.id == follow_up_id)

    # Costs -------------------------------------------------------------------------------

    def replace_costs(self, costs: Mapping[Key, Decimal], source: str) -> None:
        """Replace the practice's cost per code (one set for the practice, not per payer)."""
        with self.writing() as conn:
            conn.execute("DELETE FROM negotiation_costs")
            conn.executemany(
                "INSERT INTO negotiation_costs(code, modifier, cost, source) VALUES (?, ?, ?, ?)",
                [(c, m, str(v), source) for (c, m), v in costs.items()],
            )

    def costs(self) -> dict[Key, CostEntry]:
        return {
            (r["code"], r["modifier"]): CostEntry(Decimal(r["cost"]), r["source"])
            for r in self.conn.execute("SELECT * FROM negotiation_costs")
        }
