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

from assistant.errors import NotFoundError
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
from assistant.rates.store import RateStore

Volumes = Mapping[Key, Decimal]
DEFAULT_BENCHMARK = "medicare"


def _volumes(store: RateStore, payer: str, override: Volumes | None) -> Volumes:
    return store.volumes(payer) if override is None else override


def _benchmarks_for(store: RateStore, proposal: Proposal) -> dict[str, dict[Key, Decimal]]:
    return {name: store.benchmark_rates(name)[1] for name in proposal.benchmarks()}


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
    label, bench = store.benchmark_rates(benchmark)
    return analyses.gap(
        name, label, store.fee_schedule(name), bench, _volumes(store, name, volumes)
    )


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
    fees = {n: store.fee_schedule(n) for n in names}
    volumes: dict[str, Volumes] = {
        n: store.volumes(n) if volumes_by_payer is None else volumes_by_payer.get(n, {})
        for n in names
    }
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
            label, bench = store.benchmark_rates(benchmark)
        except NotFoundError:
            if benchmark != DEFAULT_BENCHMARK:
                raise
    fees = {n: store.fee_schedule(n) for n in names}
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
        store.fee_schedule(name),
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
        label, benchmarks[basis] = store.benchmark_rates(basis)
    result = analyses.solve(
        name,
        store.fee_schedule(name),
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
        bench = RateStore(conn).benchmark_rates(floor.benchmark)[1]
    return analyses.walk_away(result, floor, bench)


def _payers_with_schedules(store: RateStore) -> list[str]:
    names = [p for p in store.payers() if store.has_fee_schedule(p)]
    if not names:
        raise NotFoundError(
            "No fee schedules imported yet",
            "import one with `payer-assistant import fees FILE --payer NAME`",
        )
    return names
