"""The remits_ tables in the workspace SQLite store: saving parsed 835s and loading them back.

No patient identifiers are stored: not the patient's or insured's name or member id (NM1*QC/IL),
nor service dates. The claim number (CLP01, the practice's own account number) is kept because
it is how a billing office finds the claim a figure came from.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from assistant.remits.models import (
    Adjustment,
    Claim,
    Payment,
    ProviderAdjustment,
    Remittance,
    ServiceLine,
)

# Version 1 of these tables, applied by assistant.migrations; change them with a new migration.
SCHEMA = """
CREATE TABLE IF NOT EXISTS remits_payments (
    id INTEGER PRIMARY KEY,
    payer TEXT NOT NULL,
    payer_name TEXT NOT NULL,
    payer_key TEXT NOT NULL,
    trace_number TEXT NOT NULL,
    payment_date TEXT,
    payment_method TEXT NOT NULL,
    total_paid TEXT NOT NULL,
    imbalance TEXT NOT NULL,
    payee_name TEXT NOT NULL,
    payee_id TEXT NOT NULL,
    version TEXT NOT NULL,
    source_file TEXT NOT NULL,
    warnings TEXT NOT NULL,
    UNIQUE (payer_key, trace_number)
);
CREATE INDEX IF NOT EXISTS remits_payments_payer ON remits_payments (payer COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS remits_claims (
    id INTEGER PRIMARY KEY,
    payment_id INTEGER NOT NULL REFERENCES remits_payments (id) ON DELETE CASCADE,
    claim_id TEXT NOT NULL,
    status TEXT NOT NULL,
    charge TEXT NOT NULL,
    paid TEXT NOT NULL,
    patient_resp TEXT NOT NULL,
    filing_indicator TEXT NOT NULL,
    payer_claim_control TEXT NOT NULL,
    remarks TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS remits_claims_payment ON remits_claims (payment_id);
CREATE TABLE IF NOT EXISTS remits_lines (
    id INTEGER PRIMARY KEY,
    claim_row INTEGER NOT NULL REFERENCES remits_claims (id) ON DELETE CASCADE,
    qualifier TEXT NOT NULL,
    code TEXT NOT NULL,
    modifiers TEXT NOT NULL,
    charge TEXT NOT NULL,
    paid TEXT NOT NULL,
    units TEXT NOT NULL,
    remarks TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS remits_lines_claim ON remits_lines (claim_row);
CREATE TABLE IF NOT EXISTS remits_adjustments (
    id INTEGER PRIMARY KEY,
    claim_row INTEGER NOT NULL REFERENCES remits_claims (id) ON DELETE CASCADE,
    line_row INTEGER REFERENCES remits_lines (id) ON DELETE CASCADE,
    grp TEXT NOT NULL,
    reason TEXT NOT NULL,
    amount TEXT NOT NULL,
    quantity TEXT
);
CREATE INDEX IF NOT EXISTS remits_adjustments_claim ON remits_adjustments (claim_row);
CREATE TABLE IF NOT EXISTS remits_provider_adjustments (
    id INTEGER PRIMARY KEY,
    payment_id INTEGER NOT NULL REFERENCES remits_payments (id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    reference TEXT NOT NULL,
    amount TEXT NOT NULL
);
"""

# The tables an import writes, and which of their columns hold ids of which table: staged
# rows are numbered from 1 and shifted past the stored ones when they are copied in.
_STAGED: dict[str, dict[str, str]] = {
    "remits_payments": {"id": "remits_payments"},
    "remits_claims": {"id": "remits_claims", "payment_id": "remits_payments"},
    "remits_lines": {"id": "remits_lines", "claim_row": "remits_claims"},
    "remits_adjustments": {
        "id": "remits_adjustments",
        "claim_row": "remits_claims",
        "line_row": "remits_lines",
    },
    "remits_provider_adjustments": {"payment_id": "remits_payments"},
}

# Components of SVC01 never contain ":" once parsed, so it is a safe joiner for modifiers.
_JOIN = ":"


def payer_key(remittance: Remittance) -> str:
    """What identifies the payer for duplicate detection: its id in the file, else its name."""
    return (remittance.payer_id or remittance.payer_name).strip().upper()


class RemitStore:
    """Reads and writes the remits_ tables; callers own the transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._next: dict[str, int] = {}
        self._into = ""

    def contains(self, remittance: Remittance) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM remits_payments WHERE payer_key = ? AND trace_number = ?",
            (payer_key(remittance), remittance.trace_number),
        ).fetchone()
        return row is not None

    def save(self, payer: str, remittance: Remittance) -> None:
        """Insert one remittance; the caller checked `contains` and holds a write transaction."""
        payment_id = self._take_id("remits_payments")
        self.conn.execute(
            f"INSERT INTO {self._into}remits_payments VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                payment_id,
                payer,
                remittance.payer_name,
                payer_key(remittance),
                remittance.trace_number,
                remittance.payment_date.isoformat() if remittance.payment_date else None,
                remittance.payment_method,
                str(remittance.total_paid),
                str(remittance.imbalance),
                remittance.payee_name,
                remittance.payee_id,
                remittance.version,
                remittance.source,
                json.dumps(list(remittance.warnings)),
            ),
        )
        claims, lines, adjustments = [], [], []
        for claim in remittance.claims:
            claim_row = self._take_id("remits_claims")
            claims.append(_claim_row(claim_row, payment_id, claim))
            adjustments.extend(self._adjustment_rows(claim_row, None, claim.adjustments))
            for line in claim.lines:
                line_row = self._take_id("remits_lines")
                lines.append(_line_row(line_row, claim_row, line))
                adjustments.extend(self._adjustment_rows(claim_row, line_row, line.adjustments))
        self.conn.executemany(
            f"INSERT INTO {self._into}remits_claims VALUES (?,?,?,?,?,?,?,?,?,?)", claims
        )
        self.conn.executemany(
            f"INSERT INTO {self._into}remits_lines VALUES (?,?,?,?,?,?,?,?,?)", lines
        )
        self.conn.executemany(
            f"INSERT INTO {self._into}remits_adjustments VALUES (?,?,?,?,?,?,?)", adjustments
        )
        self.conn.executemany(
            f"INSERT INTO {self._into}remits_provider_adjustments "
            "(payment_id, reason, reference, amount) VALUES (?,?,?,?)",
            [
                (payment_id, p.reason, p.reference, str(p.amount))
                for p in remittance.provider_adjustments
            ],
        )

    def stage(self, payer: str | None, remittances: list[Remittance]) -> None:
        """Write remittances into this connection's TEMP copies of the tables, ids from 1.

        TEMP tables are private to the connection and take no lock on the store, so a large
        file is turned into rows while other writers carry on; `commit_staged` then copies
        them in with one INSERT … SELECT per table under the write lock.
        """
        for table in _STAGED:
            self.conn.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS stage_{table} AS SELECT * FROM main.{table} "
                "WHERE 0"
            )
            self.conn.execute(f"DELETE FROM temp.stage_{table}")
        self._into, self._next = "temp.stage_", {table: 1 for table in _STAGED}
        try:
            for remittance in remittances:
                self.save(payer or remittance.payer_name, remittance)
        finally:
            self._into, self._next = "", {}
        self.conn.commit()

    def commit_staged(self) -> set[str]:
        """Copy the staged rows into the store (the caller holds the write transaction);
        return the trace numbers dropped because another import stored them meanwhile."""
        late = [
            (row[0], row[1])
            for row in self.conn.execute(
                "SELECT s.id, s.trace_number FROM temp.stage_remits_payments s WHERE EXISTS "
                "(SELECT 1 FROM main.remits_payments m WHERE m.payer_key = s.payer_key "
                "AND m.trace_number = s.trace_number)"
            )
        ]
        if late:
            ids = [(payment_id,) for payment_id, _ in late]
            claims = "SELECT id FROM temp.stage_remits_claims WHERE payment_id = ?"
            for sql in (
                f"DELETE FROM temp.stage_remits_adjustments WHERE claim_row IN ({claims})",
                f"DELETE FROM temp.stage_remits_lines WHERE claim_row IN ({claims})",
                "DELETE FROM temp.stage_remits_claims WHERE payment_id = ?",
                "DELETE FROM temp.stage_remits_provider_adjustments WHERE payment_id = ?",
                "DELETE FROM temp.stage_remits_payments WHERE id = ?",
            ):
                self.conn.executemany(sql, ids)
        offsets = {
            table: int(
                self.conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM main.{table}").fetchone()[0]
            )
            for table in _STAGED
        }
        for table, shifted in _STAGED.items():
            columns = [
                r[1]
                for r in self.conn.execute(f"PRAGMA main.table_info({table})")
                if not (r[1] == "id" and "id" not in shifted)
            ]
            values = [f"{c} + {offsets[shifted[c]]}" if c in shifted else c for c in columns]
            self.conn.execute(
                f"INSERT INTO main.{table} ({', '.join(columns)}) "
                f"SELECT {', '.join(values)} FROM temp.stage_{table} ORDER BY rowid"
            )
            self.conn.execute(f"DELETE FROM temp.stage_{table}")
        return {trace for _, trace in late}

    def _take_id(self, table: str) -> int:
        # Ids are assigned here so that rows can be inserted in batches; safe because the
        # caller holds BEGIN IMMEDIATE, so no other writer can take the same ids meanwhile.
        if table not in self._next:
            row = self.conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()
            self._next[table] = int(row[0]) + 1
        value = self._next[table]
        self._next[table] = value + 1
        return value

    def _adjustment_rows(
        self, claim_row: int, line_row: int | None, adjustments: tuple[Adjustment, ...]
    ) -> list[tuple[object, ...]]:
        return [
            (
                self._take_id("remits_adjustments"),
                claim_row,
                line_row,
                a.group,
                a.reason,
                str(a.amount),
                None if a.quantity is None else str(a.quantity),
            )
            for a in adjustments
        ]

    def payers(self) -> list[str]:
        """Payer names with stored remittances, alphabetically."""
        rows = self.conn.execute(
            "SELECT DISTINCT payer FROM remits_payments ORDER BY payer COLLATE NOCASE"
        ).fetchall()
        return [row[0] for row in rows]

    def resolve_payer(self, name: str) -> str | None:
        """The stored spelling of `name` (case-insensitive), None when no remittance has it."""
        row = self.conn.execute(
            "SELECT payer FROM remits_payments WHERE payer = ? COLLATE NOCASE LIMIT 1", (name,)
        ).fetchone()
        return None if row is None else str(row[0])

    def payments(
        self, payer: str, since: date | None = None, until: date | None = None
    ) -> Iterator[Payment]:
        """The payer's remittances, oldest payment first (import order breaks ties)."""
        sql = "SELECT * FROM remits_payments WHERE payer = ? COLLATE NOCASE"
        args: list[object] = [payer]
        if since is not None:
            sql += " AND payment_date >= ?"
            args.append(since.isoformat())
        if until is not None:
            sql += " AND payment_date <= ?"
            args.append(until.isoformat())
        for row in self.conn.execute(sql + " ORDER BY payment_date, id", args).fetchall():
            yield Payment(row["payer"], self._load(row))

    def _load(self, row: sqlite3.Row) -> Remittance:
        payment_id = row["id"]
        adjustments: dict[tuple[int, int | None], list[Adjustment]] = {}
        for adj in self.conn.execute(
            "SELECT a.claim_row, a.line_row, a.grp, a.reason, a.amount, a.quantity "
            "FROM remits_adjustments a JOIN remits_claims c ON c.id = a.claim_row "
            "WHERE c.payment_id = ? ORDER BY a.id",
            (payment_id,),
        ):
            quantity = Decimal(adj[5]) if adj[5] is not None else None
            adjustments.setdefault((adj[0], adj[1]), []).append(
                Adjustment(adj[2], adj[3], Decimal(adj[4]), quantity)
            )
        lines: dict[int, list[ServiceLine]] = {}
        for line in self.conn.execute(
            "SELECT l.* FROM remits_lines l JOIN remits_claims c ON c.id = l.claim_row "
            "WHERE c.payment_id = ? ORDER BY l.id",
            (payment_id,),
        ):
            lines.setdefault(line["claim_row"], []).append(
                ServiceLine(
                    qualifier=line["qualifier"],
                    code=line["code"],
                    modifiers=tuple(m for m in line["modifiers"].split(_JOIN) if m),
                    charge=Decimal(line["charge"]),
                    paid=Decimal(line["paid"]),
                    units=Decimal(line["units"]),
                    adjustments=tuple(adjustments.get((line["claim_row"], line["id"]), ())),
                    remarks=tuple(r for r in line["remarks"].split(_JOIN) if r),
                )
            )
        claims = tuple(
            Claim(
                claim_id=c["claim_id"],
                status=c["status"],
                charge=Decimal(c["charge"]),
                paid=Decimal(c["paid"]),
                patient_resp=Decimal(c["patient_resp"]),
                filing_indicator=c["filing_indicator"],
                payer_claim_control=c["payer_claim_control"],
                adjustments=tuple(adjustments.get((c["id"], None), ())),
                lines=tuple(lines.get(c["id"], ())),
                remarks=tuple(r for r in c["remarks"].split(_JOIN) if r),
            )
            for c in self.conn.execute(
                "SELECT * FROM remits_claims WHERE payment_id = ? ORDER BY id", (payment_id,)
            )
        )
        plb = tuple(
            ProviderAdjustment(p["reason"], p["reference"], Decimal(p["amount"]))
            for p in self.conn.execute(
                "SELECT * FROM remits_provider_adjustments WHERE payment_id = ? ORDER BY id",
                (payment_id,),
            )
        )
        return Remittance(
            source=row["source_file"],
            version=row["version"],
            payer_name=row["payer_name"],
            payer_id=row["payer_key"],
            payee_name=row["payee_name"],
            payee_id=row["payee_id"],
            trace_number=row["trace_number"],
            payment_method=row["payment_method"],
            total_paid=Decimal(row["total_paid"]),
            payment_date=date.fromisoformat(row["payment_date"]) if row["payment_date"] else None,
            claims=claims,
            provider_adjustments=plb,
            warnings=tuple(json.loads(row["warnings"])),
        )


def _claim_row(row_id: int, payment_id: int, claim: Claim) -> tuple[object, ...]:
    return (
        row_id,
        payment_id,
        claim.claim_id,
        claim.status,
        str(claim.charge),
        str(claim.paid),
        str(claim.patient_resp),
        claim.filing_indicator,
        claim.payer_claim_control,
        _JOIN.join(claim.remarks),
    )


def _line_row(row_id: int, claim_row: int, line: ServiceLine) -> tuple[object, ...]:
    return (
        row_id,
        claim_row,
        line.qualifier,
        line.code,
        _JOIN.join(line.modifiers),
        str(line.charge),
        str(line.paid),
        str(line.units),
        _JOIN.join(line.remarks),
    )
