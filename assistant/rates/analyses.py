"""Pure rate analyses on Decimal money: gap, top codes, payer comparison, proposals, solving."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_CEILING, Decimal

from assistant.errors import InputError
from assistant.rates.codes import CodeSet, Key, lookup
from assistant.rates.models import (
    CarveOut,
    ComparisonRow,
    Floor,
    FloorCheck,
    GapResult,
    GapRow,
    Missing,
    PayerComparison,
    PercentChange,
    PercentOfBenchmark,
    Proposal,
    ProposalResult,
    ProposalRow,
    Rule,
    SolveResult,
    Target,
    TopCodesResult,
    TopRow,
    WalkAwayResult,
)
from assistant.rates.money import HUNDRED, cents, money_text, pct_number

Rates = Mapping[Key, Decimal]
ZERO = Decimal(0)


def billed_keys(fees: Rates, volumes: Rates) -> list[Key]:
    """Every code the payer prices or the practice bills, in code order."""
    return sorted(set(fees) | {k for k, units in volumes.items() if units > 0})


def gap(
    payer: str, benchmark: str, fees: Rates, benchmark_rates: Rates, volumes: Rates
) -> GapResult:
    """The payer's rates against a benchmark's, code by code, largest annual gap first."""
    rows: list[GapRow] = []
    missing: list[Missing] = []
    for code, modifier in billed_keys(fees, volumes):
        rate = lookup(fees, (code, modifier))
        bench = lookup(benchmark_rates, (code, modifier))
        if rate is None:
            missing.append(Missing(code, modifier, f"no rate in {payer}'s fee schedule"))
        elif bench is None:
            missing.append(Missing(code, modifier, f"no {benchmark} rate"))
        elif bench == 0:
            missing.append(Missing(code, modifier, f"{benchmark} rate is 0.00"))
        else:
            units = volumes.get((code, modifier), ZERO)
            rows.append(GapRow(code, modifier, rate, bench, units))
    rows.sort(key=lambda r: (-r.annual_gap, r.code, r.modifier))
    return GapResult(payer, benchmark, tuple(rows), tuple(missing))


def top_codes(
    fees_by_payer: Mapping[str, Rates],
    volumes_by_payer: Mapping[str, Rates],
    by: str = "revenue",
    limit: int = 25,
    payer: str | None = None,
) -> TopCodesResult:
    """The codes carrying most revenue (units × rate) or units, summed over the payers given."""
    if by not in ("revenue", "volume"):
        raise InputError(f"cannot rank by '{by}'", "use --by revenue or --by volume")
    units: dict[Key, Decimal] = {}
    revenue: dict[Key, Decimal] = {}
    missing: list[Missing] = []
    for name, volumes in volumes_by_payer.items():
        fees = fees_by_payer.get(name, {})
        for key, count in volumes.items():
            if count <= 0:
                continue
            units[key] = units.get(key, ZERO) + count
            rate = lookup(fees, key)
            if rate is None:
                missing.append(Missing(*key, f"no rate in {name}'s fee schedule"))
            else:
                revenue[key] = revenue.get(key, ZERO) + count * rate
    rows = [TopRow(code, mod, units[(code, mod)], revenue.get((code, mod))) for code, mod in units]

    def rank(row: TopRow) -> tuple[Decimal, str, str]:
        value = row.units if by == "volume" else (row.revenue or ZERO)
        return (-value, row.code, row.modifier)

    rows.sort(key=rank)
    return TopCodesResult(
        payer=payer,
        by=by,
        rows=tuple(rows[:limit]),
        total_units=sum(units.values(), ZERO),
        total_revenue=sum(revenue.values(), ZERO),
        codes_considered=len(rows),
        missing=tuple(sorted(missing, key=lambda m: (m.code, m.modifier, m.reason))),
    )


def compare_payers(
    fees_by_payer: Mapping[str, Rates],
    benchmark: str | None,
    benchmark_rates: Rates,
    codes: CodeSet | None = None,
    volumes_by_payer: Mapping[str, Rates] | None = None,
) -> PayerComparison:
    """Each payer's rate per code side by side, with the benchmark's rate for the percent.

    Each payer's basket percent is its `gap` on the compared codes (volume-weighted), so
    "which payer pays worst" and "how far below Medicare is UHC" give the same number.
    """
    keys = sorted({k for fees in fees_by_payer.values() for k in fees})
    if codes is not None:
        keys = [k for k in keys if k[0] in codes]
    rows = tuple(
        ComparisonRow(
            code,
            modifier,
            lookup(benchmark_rates, (code, modifier)),
            tuple((p, lookup(fees, (code, modifier))) for p, fees in fees_by_payer.items()),
        )
        for code, modifier in keys
    )
    shares: list[GapResult] = []
    if benchmark is not None and volumes_by_payer is not None:
        for payer, fees in fees_by_payer.items():
            volumes = volumes_by_payer.get(payer, {})
            if codes is not None:
                fees = {k: v for k, v in fees.items() if k[0] in codes}
                volumes = {k: v for k, v in volumes.items() if k[0] in codes}
            share = gap(payer, benchmark, fees, benchmark_rates, volumes)
            if share.billed_codes:
                shares.append(share)
    return PayerComparison(tuple(fees_by_payer), benchmark, rows, tuple(shares))


def propose_rate(
    rule: Rule, key: Key, current: Decimal, benchmarks: Mapping[str, Rates]
) -> tuple[Decimal, str | None]:
    """The proposed rate for one code, and a note when the rule could not apply to it."""
    if isinstance(rule, PercentChange):
        return cents(current * (1 + rule.pct / HUNDRED)), None
    if isinstance(rule, PercentOfBenchmark):
        bench = lookup(benchmarks[rule.benchmark], key)
        if bench is None:
            return current, f"no {rule.benchmark} rate; modelled at the current rate"
        return cents(bench * rule.pct / HUNDRED), None
    proposed = lookup(rule.rates, key)
    return (current, None) if proposed is None else (proposed, None)


def model_proposal(
    payer: str,
    fees: Rates,
    volumes: Rates,
    proposal: Proposal,
    benchmarks: Mapping[str, Rates],
) -> ProposalResult:
    """Current against proposed revenue for every code the payer prices or the practice bills."""
    unknown = proposal.benchmarks() - set(benchmarks)
    if unknown:
        raise InputError(
            f"the proposal refers to benchmark(s) {', '.join(sorted(unknown))} with no rates given"
        )
    rows: list[ProposalRow] = []
    missing: list[Missing] = []
    for key in billed_keys(fees, volumes):
        current = lookup(fees, key)
        if current is None:
            missing.append(Missing(*key, f"no current rate in {payer}'s fee schedule"))
            continue
        proposed, note = propose_rate(proposal.rule_for(key[0]), key, current, benchmarks)
        if note:
            missing.append(Missing(*key, note))
        rows.append(ProposalRow(key[0], key[1], current, proposed, volumes.get(key, ZERO)))
    return ProposalResult(payer, proposal, tuple(rows), tuple(missing))


def solve(
    payer: str,
    fees: Rates,
    volumes: Rates,
    target: Target,
    basis: str | None = None,
    carve_outs: tuple[CarveOut, ...] = (),
    benchmarks: Mapping[str, Rates] | None = None,
) -> SolveResult:
    """The smallest percent, to 0.01, reaching the target revenue.

    With a basis it is a percent of that benchmark for every code not carved out, otherwise a
    uniform percent change; carve-outs keep their own rules. Proposed rates are rounded to
    cents, so revenue moves in steps: the answer reaches the target and 0.01 less would not.
    """
    benchmarks = dict(benchmarks or {})

    def proposal_at(value: Decimal) -> Proposal:
        rule: Rule = PercentOfBenchmark(basis, value) if basis is not None else PercentChange(value)
        return Proposal(rule, carve_outs)

    def result_at(hundredths: int) -> ProposalResult:
        return model_proposal(
            payer, fees, volumes, proposal_at(Decimal(hundredths) / 100), benchmarks
        )

    floor_pct = 0 if basis is not None else -100
    lowest = result_at(floor_pct * 100)
    current = lowest.total_current
    goal = target.amount_for(current)
    slope = (result_at((floor_pct + 100) * 100).total_proposed - lowest.total_proposed) / 100
    if slope <= 0:
        raise InputError(
            f"no {payer} revenue left to adjust: every billed code is carved out or unpriced",
            "carve out fewer codes, or import volumes with `payer-assistant import volumes`",
        )
    if goal <= lowest.total_proposed:
        raise InputError(
            f"the target {money_text(goal)} is reached without any increase on the codes "
            f"not carved out ({money_text(lowest.total_proposed)})",
            "raise the target or carve out fewer codes",
        )
    estimate = Decimal(floor_pct) + (goal - lowest.total_proposed) / slope
    hundredths = int((estimate * 100).to_integral_value(rounding=ROUND_CEILING))
    best = _smallest_reaching(lambda k: result_at(k).total_proposed >= goal, hundredths)
    return SolveResult(
        payer=payer,
        basis=basis,
        kind="pct_of_benchmark" if basis is not None else "uniform_increase",
        value=Decimal(best) / 100,
        current_revenue=current,
        target_revenue=goal,
        proposal_result=result_at(best),
    )


def _smallest_reaching(reaches: Callable[[int], bool], guess: int) -> int:
    """Smallest integer k with reaches(k), for a monotone predicate, starting near `guess`."""
    step = 1
    if reaches(guess):
        hi, lo = guess, guess - 1
        while reaches(lo):
            hi, step = lo, step * 2
            lo = hi - step
    else:
        lo, hi = guess, guess + 1
        while not reaches(hi):
            lo, step = hi, step * 2
            hi = lo + step
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if reaches(mid):
            hi = mid
        else:
            lo = mid
    return hi


def walk_away(result: ProposalResult, floor: Floor, benchmark_rates: Rates) -> WalkAwayResult:
    """Check an offer against the practice's floor: total, percent change, per-code minimum."""
    checks: list[FloorCheck] = []
    if floor.min_revenue is not None:
        checks.append(
            FloorCheck(
                "total revenue",
                f">= {money_text(floor.min_revenue)}",
                money_text(result.total_proposed),
                result.total_proposed >= floor.min_revenue,
            )
        )
    if floor.min_pct_change is not None:
        change = result.pct_change
        checks.append(
            FloorCheck(
                "revenue change",
                f">= {pct_number(floor.min_pct_change)}%",
                "n/a" if change is None else f"{pct_number(change)}%",
                change is not None and change >= floor.min_pct_change,
            )
        )
    below: list[GapRow] = []
    if floor.min_pct_of_benchmark is not None:
        for row in result.rows:
            bench = lookup(benchmark_rates, (row.code, row.modifier))
            if row.units <= 0 or bench is None or bench == 0:
                continue
            if row.proposed_rate * HUNDRED < bench * floor.min_pct_of_benchmark:
                below.append(GapRow(row.code, row.modifier, row.proposed_rate, bench, row.units))
        checks.append(
            FloorCheck(
                f"every billed code at least {pct_number(floor.min_pct_of_benchmark)}% "
                f"of {floor.benchmark}",
                "0 codes below",
                f"{len(below)} codes below",
                not below,
            )
        )
    if not checks:
        raise InputError(
            "no floor given",
            "set --min-revenue, --min-increase or --min-pct-of (at least one)",
        )
    below.sort(key=lambda r: (-r.annual_gap, r.code))
    return WalkAwayResult(result.payer, result.proposal.describe(), tuple(checks), tuple(below))
