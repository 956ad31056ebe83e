"""The rates tables in the workspace's SQLite store: payers, aliases, fee schedules with history,
annual volumes and benchmarks (Medicare, surveys, market percentiles)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from assistant.errors import InputError, NotFoundError
from assistant.rates.codes import Key
from assistant.workspace import joined_transaction

# Version 1 of these tables, applied by assistant.migrations; change them with a new migration.
SCHEMA = """
CREATE TABLE IF NOT EXISTS rates_payers (
    name TEXT PRIMARY KEY COLLATE NOCASE
);
CREATE TABLE IF NOT EXISTS rates_aliases (
    alias TEXT PRIMARY KEY COLLATE NOCASE,
    payer TEXT NOT NULL REFERENCES rates_payers(name) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS rates_schedules (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    payer       TEXT NOT NULL REFERENCES rates_payers(name) ON DELETE CASCADE,
    effective   TEXT,
    source      TEXT NOT NULL,
    imported_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    is_current  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS rates_schedules_payer ON rates_schedules(payer, is_current);
CREATE TABLE IF NOT EXISTS rates_fees (
    schedule_id INTEGER NOT NULL REFERENCES rates_schedules(id) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    modifier    TEXT NOT NULL,
    rate        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (schedule_id, code, modifier)
);
CREATE TABLE IF NOT EXISTS rates_volumes (
    payer    TEXT NOT NULL REFERENCES rates_payers(name) ON DELETE CASCADE,
    code     TEXT NOT NULL,
    modifier TEXT NOT NULL,
    units    TEXT NOT NULL,
    source   TEXT NOT NULL,
    PRIMARY KEY (payer, code, modifier)
);
CREATE TABLE IF NOT EXISTS rates_benchmarks (
    name    TEXT PRIMARY KEY COLLATE NOCASE,
    kind    TEXT NOT NULL,
    source  TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rates_benchmark_rates (
    benchmark TEXT NOT NULL REFERENCES rates_benchmarks(name) ON DELETE CASCADE,
    code      TEXT NOT NULL,
    modifier  TEXT NOT NULL,
    rate      TEXT NOT NULL,
    p25       TEXT,
    p75       TEXT,
    n         INTEGER,
    PRIMARY KEY (benchmark, code, modifier)
);
"""

# Version 4 (assistant.migrations): the RVU components kept beside a Medicare benchmark.
RVU_COMPONENTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS rates_rvu_components (
    benchmark TEXT NOT NULL REFERENCES rates_benchmarks(name) ON DELETE CASCADE,
    code      TEXT NOT NULL,
    modifier  TEXT NOT NULL,
    work      TEXT NOT NULL,
    pe_nonfacility TEXT NOT NULL,
    pe_facility    TEXT NOT NULL,
    mp        TEXT NOT NULL,
    PRIMARY KEY (benchmark, code, modifier)
);
"""

BENCHMARK_KINDS = ("medicare", "survey", "market")
PERCENTILES = {"p25": "p25", "p50": "rate", "median": "rate", "p75": "p75"}


@dataclass(frozen=True)
class ScheduleInfo:
    """One imported fee schedule of a payer; the newest import is the current one."""

    id: int
    payer: str
    effective: str | None
    source: str
    imported_at: str
    codes: int
    current: bool


@dataclass(frozen=True)
class BenchmarkInfo:
    """An imported benchmark: its kind, the file it came from and how it was computed."""

    name: str
    kind: str
    source: str
    details: dict[str, Any]
    codes: int


@dataclass(frozen=True)
class RvuComponents:
    """A code's CMS relative values as imported with a Medicare benchmark (unadjusted by GPCI)."""

    work: Decimal
    pe_nonfacility: Decimal
    pe_facility: Decimal
    mp: Decimal


@dataclass(frozen=True)
class MarketRate:
    """Percentiles of the negotiated rates for one code in a market (TiC) file."""

    p25: Decimal
    p50: Decimal
    p75: Decimal
    n: int


class RateStore:
    """Read and write the rates tables; writes join the caller's transaction if one is open."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def writing(self) -> AbstractContextManager[sqlite3.Connection]:
        """A transaction, or the caller's when one is already open (so imports nest)."""
        return joined_transaction(self.conn)

    # Payers -------------------------------------------------------------------------------

    def payers(self) -> list[str]:
        """Payer names as first imported, alphabetically."""
        rows = self.conn.execute("SELECT name FROM rates_payers ORDER BY name COLLATE NOCASE")
        return [r[0] for r in rows]

    def find_payer(self, name: str) -> str | None:
        """The canonical payer for a name or alias (any case), None when unknown."""
        row = self.conn.execute(
            "SELECT name FROM rates_payers WHERE name = ? "
            "UNION ALL SELECT payer FROM rates_aliases WHERE alias = ? LIMIT 1",
            (name.strip(), name.strip()),
        ).fetchone()
        return None if row is None else str(row[0])

    def resolve_payer(self, name: str) -> str:
        """The canonical payer for a name or alias; NotFoundError naming the known payers."""
        found = self.find_payer(name)
        if found is None:
            known = ", ".join(self.payers()) or "none yet"
            raise NotFoundError(
                f"No payer named '{name}' (known payers: {known})",
                f"import a fee schedule with `payer-assistant import fees FILE --payer {name}`",
            )
        return found

    def add_payer(self, name: str) -> str:
        """Create the payer if needed; return the canonical name (an alias resolves)."""
        clean = name.strip()
        if not clean:
            raise InputError("payer name is empty", "pass --payer NAME")
        existing = self.find_payer(clean)
        if existing is not None:
            return existing
        with self.writing() as conn:
            conn.execute("INSERT INTO rates_payers(name) VALUES (?)", (clean,))
        return clean

    def add_alias(self, alias: str, payer: str) -> None:
        """Let `alias` (any case) name `payer`, e.g. UHC for UnitedHealthcare."""
        canonical = self.resolve_payer(payer)
        taken = self.find_payer(alias)
        if taken is not None and taken != canonical:
            raise InputError(f"'{alias}' already names payer '{taken}'", "choose a different alias")
        with self.writing() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO rates_aliases(alias, payer) VALUES (?, ?)",
                (alias.strip(), canonical),
            )

    def aliases(self) -> dict[str, str]:
        """Alias -> payer."""
        rows = self.conn.execute("SELECT alias, payer FROM rates_aliases ORDER BY alias")
        return {r[0]: r[1] for r in rows}

    # Fee schedules ------------------------------------------------------------------------

    def replace_fee_schedule(
        self,
        payer: str,
        rates: Mapping[Key, Decimal],
        source: str,
        effective: str | None = None,
        descriptions: Mapping[Key, str] | None = None,
    ) -> ScheduleInfo:
        """Make `rates` the payer's current schedule; the previous one stays as history."""
        descriptions = descriptions or {}
        with self.writing() as conn:
            canonical = self.add_payer(payer)
            conn.execute("UPDATE rates_schedules SET is_current = 0 WHERE payer = ?", (canonical,))
            cursor = conn.execute(
                "INSERT INTO rates_schedules(payer, effective, source, is_current) "
                "VALUES (?, ?, ?, 1)",
                (canonical, effective, source),
            )
            schedule_id = cursor.lastrowid
            conn.executemany(
                "INSERT INTO rates_fees(schedule_id, code, modifier, rate, description) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    (schedule_id, code, mod, str(rate), descriptions.get((code, mod), ""))
                    for (code, mod), rate in rates.items()
                ),
            )
        return self.schedules(canonical)[0]

    def schedules(self, payer: str) -> list[ScheduleInfo]:
        """The payer's imported schedules, newest first."""
        canonical = self.resolve_payer(payer)
        rows = self.conn.execute(
            "SELECT s.id, s.payer, s.effective, s.source, s.imported_at, s.is_current, "
            "(SELECT COUNT(*) FROM rates_fees f WHERE f.schedule_id = s.id) AS codes "
            "FROM rates_schedules s WHERE s.payer = ? ORDER BY s.id DESC",
            (canonical,),
        )
        return [
            ScheduleInfo(
                r["id"],
                r["payer"],
                r["effective"],
                r["source"],
                r["imported_at"],
                r["codes"],
                bool(r["is_current"]),
            )
            for r in rows
        ]

    def has_fee_schedule(self, payer: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM rates_schedules WHERE payer = ? AND is_current = 1", (payer,)
        ).fetchone()
        return row is not None

    def fee_schedule(self, payer: str, schedule_id: int | None = None) -> dict[Key, Decimal]:
        """(code, modifier) -> rate of the payer's current schedule (or of `schedule_id`)."""
        canonical = self.resolve_payer(payer)
        if schedule_id is None:
            row = self.conn.execute(
                "SELECT id FROM rates_schedules WHERE payer = ? AND is_current = 1",
                (canonical,),
            ).fetchone()
            if row is None:
                raise NotFoundError(
                    f"No fee schedule for payer '{canonical}'",
                    f"import one with `payer-assistant import fees FILE --payer {canonical}`",
                )
            schedule_id = int(row[0])
        rows = self.conn.execute(
            "SELECT code, modifier, rate FROM rates_fees WHERE schedule_id = ?", (schedule_id,)
        )
        return {(r[0], r[1]): Decimal(r[2]) for r in rows}

    def descriptions(self, payer: str) -> dict[Key, str]:
        """Descriptions the payer's current schedule carried (empty strings left out)."""
        rows = self.conn.execute(
            "SELECT f.code, f.modifier, f.description FROM rates_fees f "
            "JOIN rates_schedules s ON s.id = f.schedule_id "
            "WHERE s.payer = ? AND s.is_current = 1 AND f.description != ''",
            (self.resolve_payer(payer),),
        )
        return {(r[0], r[1]): r[2] for r in rows}

    # Volumes ------------------------------------------------------------------------------

    def replace_volumes(self, payer: str, units: Mapping[Key, Decimal], source: str) -> None:
        """Make `units` the payer's annual volumes (replacing any imported before)."""
        canonical = self.resolve_payer(payer)
        with self.writing() as conn:
            conn.execute("DELETE FROM rates_volumes WHERE payer = ?", (canonical,))
            conn.executemany(
                "INSERT INTO rates_volumes(payer, code, modifier, units, source) "
                "VALUES (?, ?, ?, ?, ?)",
                ((canonical, c, m, str(u), source) for (c, m), u in units.items()),
            )

    def volumes(self, payer: str) -> dict[Key, Decimal]:
        """(code, modifier) -> annual units billed to the payer (empty when none imported)."""
        rows = self.conn.execute(
            "SELECT code, modifier, units FROM rates_volumes WHERE payer = ?",
            (self.resolve_payer(payer),),
        )
        return {(r[0], r[1]): Decimal(r[2]) for r in rows}

    # Benchmarks ---------------------------------------------------------------------------

    def replace_benchmark(
        self,
        name: str,
        kind: str,
        rates: Mapping[Key, Decimal | MarketRate],
        source: str,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Store a benchmark under `name`, replacing one of that name."""
        clean = name.strip()
        if not clean or ":" in clean:
            raise InputError(
                f"benchmark name '{name}' is empty or contains ':'",
                "choose a plain name such as 'medicare-2026' or 'survey-2025'",
            )
        if kind not in BENCHMARK_KINDS:
            raise InputError(f"unknown benchmark kind '{kind}'")
        with self.writing() as conn:
            conn.execute("DELETE FROM rates_benchmarks WHERE name = ?", (clean,))
            conn.execute(
                "INSERT INTO rates_benchmarks(name, kind, source, details) VALUES (?, ?, ?, ?)",
                (clean, kind, source, json.dumps(dict(details or {}), default=str)),
            )
            conn.executemany(
                "INSERT INTO rates_benchmark_rates(benchmark, code, modifier, rate, p25, p75, n) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (_benchmark_row(clean, key, value) for key, value in rates.items()),
            )

    def benchmark_infos(self) -> list[BenchmarkInfo]:
        rows = self.conn.execute(
            "SELECT b.name, b.kind, b.source, b.details, "
            "(SELECT COUNT(*) FROM rates_benchmark_rates r WHERE r.benchmark = b.name) "
            "FROM rates_benchmarks b ORDER BY b.name COLLATE NOCASE"
        )
        return [BenchmarkInfo(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]

    def benchmarks(self) -> list[str]:
        """Every value `--benchmark` accepts from imports: names, and market:NAME:pXX."""
        names: list[str] = []
        for info in self.benchmark_infos():
            if info.kind == "market":
                names += [f"market:{info.name}:{p}" for p in ("p25", "p50", "p75")]
            else:
                names.append(info.name)
        return names

    def benchmark_rates(self, spec: str) -> tuple[str, dict[Key, Decimal]]:
        """Resolve a benchmark spec to (label, rates).

        A spec is an imported benchmark's name ('medicare'), 'payer:NAME' (another payer's
        current schedule) or 'market:NAME:p25|p50|p75'.
        """
        text = spec.strip()
        kind, _, rest = text.partition(":")
        if kind.lower() == "payer" and rest:
            payer = self.resolve_payer(rest)
            return f"payer:{payer}", self.fee_schedule(payer)
        column = "rate"
        name = text
        if kind.lower() == "market" and rest:
            name, _, percentile = rest.partition(":")
            percentile = percentile.lower() or "p50"
            if percentile not in PERCENTILES:
                raise InputError(f"unknown market percentile '{percentile}'", "use p25, p50 or p75")
            column = PERCENTILES[percentile]
            text = f"market:{name}:{'p50' if column == 'rate' else percentile}"
        row = self.conn.execute(
            "SELECT name, kind FROM rates_benchmarks WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            known = ", ".join(self.benchmarks()) or "none yet"
            raise NotFoundError(
                f"No benchmark named '{spec}' (available: {known}; or payer:NAME)",
                "import Medicare with `payer-assistant import medicare RVU_FILE`, a survey "
                "with `import benchmark FILE --name NAME`, or a TiC file with `import market`",
            )
        if row["kind"] != "market" and column != "rate":
            raise InputError(f"benchmark '{name}' has no percentiles", f"use --benchmark {name}")
        label = text if row["kind"] == "market" else str(row["name"])
        rows = self.conn.execute(
            f"SELECT code, modifier, {column} FROM rates_benchmark_rates WHERE benchmark = ?",
            (row["name"],),
        )
        return label, {(r[0], r[1]): Decimal(r[2]) for r in rows}

    def replace_rvu_components(self, benchmark: str, rows: Mapping[Key, RvuComponents]) -> None:
        """Keep the RVU components behind a Medicare benchmark (for cost estimates)."""
        with self.writing() as conn:
            conn.execute("DELETE FROM rates_rvu_components WHERE benchmark = ?", (benchmark,))
            conn.executemany(
                "INSERT INTO rates_rvu_components VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        benchmark,
                        code,
                        mod,
                        str(r.work),
                        str(r.pe_nonfacility),
                        str(r.pe_facility),
                        str(r.mp),
                    )
                    for (code, mod), r in rows.items()
                ],
            )

    def rvu_components(self, benchmark: str = "medicare") -> dict[Key, RvuComponents]:
        """The RVU components stored with `benchmark` ({} when it was imported without them)."""
        rows = self.conn.execute(
            "SELECT * FROM rates_rvu_components WHERE benchmark = ?", (benchmark,)
        ).fetchall()
        return {
            (r["code"], r["modifier"]): RvuComponents(
                Decimal(r["work"]),
                Decimal(r["pe_nonfacility"]),
                Decimal(r["pe_facility"]),
                Decimal(r["mp"]),
            )
            for r in rows
        }

    def market_rates(self, name: str) -> dict[Key, MarketRate]:
        """All percentiles of an imported market benchmark."""
        rows = self.conn.execute(
            "SELECT code, modifier, rate, p25, p75, n FROM rates_benchmark_rates r "
            "JOIN rates_benchmarks b ON b.name = r.benchmark "
            "WHERE b.name = ? AND b.kind = 'market'",
            (name,),
        )
        return {
            (r[0], r[1]): MarketRate(Decimal(r[3]), Decimal(r[2]), Decimal(r[4]), int(r[5]))
            for r in rows
        }


def _benchmark_row(name: str, key: Key, value: Decimal | MarketRate) -> tuple[object, ...]:
    if isinstance(value, MarketRate):
        return (name, *key, str(value.p50), str(value.p25), str(value.p75), value.n)
    return (name, *key, str(value), None, None, None)


def payer_fee_schedules(store: RateStore, payers: Iterable[str]) -> dict[str, dict[Key, Decimal]]:
    """Canonical payer -> current fee schedule, for each payer named."""
    return {p: store.fee_schedule(p) for p in (store.resolve_payer(n) for n in payers)}
