"""Glue between the store and the pure analyses; what the CLI and the agent's tools call.

Every function takes an open workspace connection and returns a result whose `to_json()` is
the CLI's --json output. `volumes` overrides the imported volumes (e.g. units counted from
remittances), so the source of volumes can change without touching the analyses.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

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
