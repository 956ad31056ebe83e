"""Glue between the store and the pure analyses and importers; what the CLI, the app and the
agent's tools call.

Every function takes an open workspace connection and returns a result whose `to_json()` is
the CLI's --json output (an import returns an `Imported` holding it). `volumes` overrides the
imported volumes (e.g. units counted from remittances), so the source of
volumes can change without touching the analyses.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from assistant.errors import InputError, MissingData, NotFoundError
from assistant.rates import analyses
from assistant.rates.codes import CodeSet, Key, parse_code_set
from assistant.rates.models import (
    CarveOut,
    Floor,
    GapResult,
    PayerComparison,
    PercentChange,
    Proposal,
    ProposalResult,
    SolveResult,
    Target,
    TopCodesResult,
    WalkAwayResult,
)
from assistant.rates.money import MAX_RATE, MAX_UNITS
from assistant.rates.store import RateStore

Volumes = Mapping[Key, Decimal]
DEFAULT_BENCHMARK = "medicare"
VOLUMES_HINT = "import them with `payer-assistant import volumes FILE` (columns payer, code, units)"


def _volumes(store: RateStore, payer: str, override: Volumes | None) -> Volumes:
    """The payer's annual units; MissingData when there are none to weigh the rates by."""
    volumes = store.volumes(payer) if override is None else override
    _plausible(
        dict(volumes),
        MAX_UNITS,
        f"{payer}'s volumes",
        "re-import them with `payer-assistant import volumes FILE`",
    )
    if not any(units > 0 for units in volumes.values()):
        if override is not None:
            raise MissingData(
                f"No units billed to {payer} in the remittances used as volumes, so annual "
                "figures cannot be computed",
                "import that payer's 835 files with `payer-assistant import remits FILE`, "
                "or use the imported volumes",
            )
        raise MissingData(
            f"No volumes imported for {payer}: annual revenue, gaps and the worth of an offer "
            "need units per code",
            VOLUMES_HINT,
        )
    return volumes


def _fees(store: RateStore, payer: str) -> dict[Key, Decimal]:
    """The payer's current schedule, refused when it holds a rate no importer would accept."""
    return _plausible(
        store.fee_schedule(payer),
        MAX_RATE,
        f"{payer}'s fee schedule",
        f"re-import it with `payer-assistant import fees FILE --payer {payer}`",
    )


def _bench(store: RateStore, benchmark: str) -> tuple[str, dict[Key, Decimal]]:
    label, rates = store.benchmark_rates(benchmark)
    return label, _plausible(rates, MAX_RATE, f"benchmark '{label}'", "import that benchmark again")


def _plausible(
    rates: dict[Key, Decimal], maximum: Decimal, what: str, hint: str
) -> dict[Key, Decimal]:
    """`rates` when every value is finite and 0…maximum; else InputError naming the first bad one.

    The importers refuse such values, but a store written by an older version, or by hand,
    may hold one; it must stop only the answers that use it, and say which value it is.
    """
    for (code, modifier), value in rates.items():
        if not value.is_finite() or value < 0 or value > maximum:
            label = f"{code}-{modifier}" if modifier else code
            raise InputError(
                f"{what} holds {label} at {value}, outside 0–{maximum:,}: not a usable value",
                hint,
            )
    return rates


def _covered(
    payer: str,
    label: str,
    fees: Mapping[Key, Decimal],
    bench: Mapping[Key, Decimal],
    volumes: Volumes,
) -> None:
    """MissingData when no billed code of the payer has a rate in the benchmark."""
    billed = [k for k in fees if volumes.get(k, Decimal(0)) > 0]
    if billed and not any(k in bench for k in billed):
        raise MissingData(
            f"None of the {len(billed)} codes billed to {payer} has a rate in benchmark "
            f"'{label}', so there is nothing to compare",
            "import a benchmark that prices those codes (`payer-assistant import medicare "
            "PPRRVU.csv`, `import benchmark`, `import market`), or pick another with --benchmark",
        )


def _benchmarks_for(store: RateStore, proposal: Proposal) -> dict[str, dict[Key, Decimal]]:
    return {name: _bench(store, name)[1] for name in proposal.benchmarks()}


def gap(
    conn: sqlite3.Connection,
    payer: str,
    benchmark: str = DEFAULT_BENCHMARK,
    *,
    volumes: Volumes | None = None,
) -> GapResult:
    """The payer's rates against a benchmark (medicare, NAME, payer:NAME, market:NAME:p50)."""
    store = RateStore(conn)
    name = store.resolve_payer(payer)
    label, bench = _bench(store, benchmark)
    fees = _fees(store, name)
    units = _volumes(store, name, volumes)
    _covered(name, label, fees, bench, units)
    return analyses.gap(name, label, fees, bench, units)


def top_codes(
    conn: sqlite3.Connection,
    payer: str | None = None,
    by: str = "revenue",
    limit: int = 25,
    *,
    volumes_by_payer: Mapping[str, Volumes] | None = None,
) -> TopCodesResult:
    """Codes ranked by annual revenue or units, for one payer or every payer together."""
    store = RateStore(conn)
    names = [store.resolve_payer(payer)] if payer else _payers_with_schedules(store)
    fees = {n: _fees(store, n) for n in names}
    volumes: dict[str, Volumes] = {
        n: store.volumes(n) if volumes_by_payer is None else volumes_by_payer.get(n, {})
        for n in names
    }
    if not any(units > 0 for v in volumes.values() for units in v.values()):
        if payer:
            _volumes(store, names[0], None if volumes_by_payer is None else volumes[names[0]])
        raise MissingData(
            "No volumes imported for any payer, so codes cannot be ranked by revenue or units",
            VOLUMES_HINT,
        )
    return analyses.top_codes(fees, volumes, by, limit, payer=names[0] if payer else None)


def compare_payers(
    conn: sqlite3.Connection,
    payers: Sequence[str] | None = None,
    codes: str | CodeSet | None = None,
    benchmark: str | None = DEFAULT_BENCHMARK,
) -> PayerComparison:
    """Payers' rates side by side per code, each as a percent of the benchmark if imported."""
    store = RateStore(conn)
    names = [store.resolve_payer(p) for p in payers] if payers else _payers_with_schedules(store)
    code_set = parse_code_set(codes) if isinstance(codes, str) else codes
    label: str | None = None
    bench: dict[Key, Decimal] = {}
    if benchmark is not None:
        try:
            label, bench = _bench(store, benchmark)
        except NotFoundError:
            if benchmark != DEFAULT_BENCHMARK:
                raise
    fees = {n: _fees(store, n) for n in names}
    volumes = {n: store.volumes(n) for n in names}
    return analyses.compare_payers(fees, label, bench, code_set, volumes)


def model(
    conn: sqlite3.Connection,
    payer: str,
    proposal: Proposal,
    *,
    volumes: Volumes | None = None,
) -> ProposalResult:
    """A proposal's effect on the practice's revenue from the payer, code by code."""
    store = RateStore(conn)
    name = store.resolve_payer(payer)
    return analyses.model_proposal(
        name,
        _fees(store, name),
        _volumes(store, name, volumes),
        proposal,
        _benchmarks_for(store, proposal),
    )


def solve(
    conn: sqlite3.Connection,
    payer: str,
    target: Target,
    basis: str | None = None,
    carve_outs: Sequence[CarveOut] = (),
    *,
    volumes: Volumes | None = None,
) -> SolveResult:
    """The single percent of `basis` (or uniform change when None) that reaches the target."""
    store = RateStore(conn)
    name = store.resolve_payer(payer)
    probe = Proposal(PercentChange(Decimal(0)), tuple(carve_outs))
    benchmarks = _benchmarks_for(store, probe)
    label = None
    if basis is not None:
        label, benchmarks[basis] = _bench(store, basis)
    result = analyses.solve(
        name,
        _fees(store, name),
        _volumes(store, name, volumes),
        target,
        basis=basis,
        carve_outs=tuple(carve_outs),
        benchmarks=benchmarks,
    )
    return result if label is None else replace(result, basis=label)


def walk_away(
    conn: sqlite3.Connection,
    payer: str,
    proposal: Proposal,
    floor: Floor,
    *,
    volumes: Volumes | None = None,
) -> WalkAwayResult:
    """Whether the offer clears the practice's floor, and which codes fall below it."""
    result = model(conn, payer, proposal, volumes=volumes)
    bench: dict[Key, Decimal] = {}
    if floor.min_pct_of_benchmark is not None:
        bench = _bench(RateStore(conn), floor.benchmark)[1]
    return analyses.walk_away(result, floor, bench)


def _payers_with_schedules(store: RateStore) -> list[str]:
    names = [p for p in store.payers() if store.has_fee_schedule(p)]
    if not names:
        raise NotFoundError(
            "No fee schedules imported yet",
            "import one with `payer-assistant import fees FILE --payer NAME`",
        )
    return names


# Importers ----------------------------------------------------------------------------------
# The CLI's `import …` commands and the app's import dialog both call these, so a file imports
# with the same defaults, the same checks and the same messages wherever it is loaded.


@dataclass(frozen=True)
class Imported:
    """What an import stored: the CLI's --json object, one sentence, and what it left out."""

    data: dict[str, Any] = field(hash=False)
    summary: str
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {**self.data, "warnings": list(self.warnings)}


def effective_date(text: str | None) -> str | None:
    """A fee schedule's effective date as YYYY-MM-DD (None when not given)."""
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise InputError(
            f"effective date '{text}' is not a date", "write it as YYYY-MM-DD, e.g. 2026-01-01"
        ) from None


def import_fees(
    conn: sqlite3.Connection,
    path: Path,
    payer: str,
    effective: str | None = None,
    *,
    decimal_comma: bool = False,
    sheet: str | None = None,
) -> Imported:
    """Replace the payer's current fee schedule with the file's (the old one is kept)."""
    from assistant.rates.fees import import_fees as import_file

    when = effective_date(effective)
    notes: list[str] = []
    info = import_file(
        RateStore(conn), path, payer, when, decimal_comma=decimal_comma, sheet=sheet, notes=notes
    )
    return Imported(
        {
            "payer": info.payer,
            "codes": info.codes,
            "effective": info.effective,
            "source": info.source,
        },
        f"Imported {info.codes} rates for {info.payer}"
        + (f" effective {info.effective}" if info.effective else "")
        + ".",
        tuple(notes),
    )


def import_volumes(
    conn: sqlite3.Connection, path: Path, *, decimal_comma: bool = False, sheet: str | None = None
) -> Imported:
    """Replace the annual units of every payer in the file that has a fee schedule."""
    from assistant.rates.fees import import_volumes as import_file

    notes: list[str] = []
    counts = import_file(
        RateStore(conn), path, decimal_comma=decimal_comma, sheet=sheet, notes=notes
    )
    listed = ", ".join(f"{p} ({n} codes)" for p, n in counts.items())
    return Imported({"payers": counts}, f"Imported volumes for {listed}.", tuple(notes))


def import_medicare(
    conn: sqlite3.Connection,
    rvu_path: Path,
    *,
    gpci: Path | None = None,
    locality: str | None = None,
    setting: str = "nonfacility",
    conversion_factor: str | None = None,
    name: str = DEFAULT_BENCHMARK,
) -> Imported:
    """The Medicare benchmark from CMS's RVU file, localised when a GPCI file and locality
    are given (national rates otherwise)."""
    from assistant.rates.cms_pfs import import_medicare as import_files
    from assistant.rates.money import parse_decimal

    cf = None
    if conversion_factor is not None and conversion_factor.strip():
        try:
            cf = parse_decimal(conversion_factor, comma_hint="write cents after a point: 33.4009")
        except ValueError as exc:
            raise InputError(
                f"conversion factor {exc}", "give the conversion factor as a number such as 33.4009"
            ) from None
    done = import_files(
        RateStore(conn),
        rvu_path,
        gpci_path=gpci,
        locality=locality,
        setting=setting,
        conversion_factor=cf,
        name=name,
    )
    left_out = ", ".join(f"{n} {s}" for s, n in sorted(done.skipped_by_status.items()))
    return Imported(
        {
            "name": done.name,
            "codes": done.codes,
            "locality": done.locality,
            "setting": done.setting,
            "conversion_factor": str(done.conversion_factor),
            "skipped_by_status": done.skipped_by_status,
        },
        f"Imported {done.codes} Medicare rates as '{done.name}' ({done.locality}, "
        f"{done.setting}, CF {done.conversion_factor})"
        + (f"; left out by CMS status: {left_out}" if left_out else "")
        + ".",
        tuple(done.warnings),
    )


def import_survey(
    conn: sqlite3.Connection,
    path: Path,
    name: str,
    *,
    decimal_comma: bool = False,
    sheet: str | None = None,
) -> Imported:
    """A market survey (code, modifier, rate) stored as benchmark `name`."""
    from assistant.rates.fees import import_survey as import_file

    notes: list[str] = []
    count = import_file(
        RateStore(conn), path, name, decimal_comma=decimal_comma, sheet=sheet, notes=notes
    )
    return Imported(
        {"name": name, "codes": count}, f"Imported {count} rates as '{name}'.", tuple(notes)
    )


def import_market(
    conn: sqlite3.Connection, path: Path, name: str, billing_class: str = "professional"
) -> Imported:
    """Market percentiles (P25/median/P75) from a Transparency in Coverage file."""
    from assistant.rates.tic import import_market as import_file

    summary = import_file(RateStore(conn), path, name, billing_class)
    left_out = ", ".join(f"{n} {r}" for r, n in summary.skipped.items())
    return Imported(
        {
            "name": name,
            "codes": len(summary.rates),
            "items": summary.items,
            "prices_used": summary.prices_used,
            "skipped": summary.skipped,
        },
        f"Imported market rates for {len(summary.rates)} codes from {summary.items} items "
        f"as market:{name}:p25/p50/p75" + (f"; left out: {left_out}" if left_out else "") + ".",
    )
