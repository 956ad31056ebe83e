"""Frozen dataclasses for proposals and analysis results; `to_json()` is the CLI's --json shape."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from assistant.rates.codes import CodeSet, Key
from assistant.rates.money import HUNDRED, money_text, pct_number, ratio_pct


def units_number(units: Decimal) -> int | float:
    """Units as a JSON number: whole units as integers."""
    return int(units) if units == units.to_integral_value() else float(units)


@dataclass(frozen=True)
class Missing:
    """A code left out of an analysis, and why (never dropped silently)."""

    code: str
    modifier: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "modifier": self.modifier, "reason": self.reason}


# Proposal rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PercentChange:
    """Every rate changes by `pct` percent (3 means +3%)."""

    pct: Decimal

    def describe(self) -> str:
        return f"{self.pct:+.2f}%"


@dataclass(frozen=True)
class PercentOfBenchmark:
    """Every rate becomes `pct` percent of a benchmark (110 means 110% of Medicare)."""

    benchmark: str
    pct: Decimal

    def describe(self) -> str:
        return f"{self.pct:.2f}% of {self.benchmark}"


@dataclass(frozen=True)
class RateTable:
    """Per-code proposed rates (a payer's proposed schedule); unlisted codes stay as they are."""

    name: str
    rates: Mapping[Key, Decimal] = field(hash=False)

    def describe(self) -> str:
        return f"rates from {self.name}"


Rule = PercentChange | PercentOfBenchmark | RateTable


@dataclass(frozen=True)
class CarveOut:
    """Codes priced by their own rule instead of the proposal's base rule."""

    codes: CodeSet
    rule: Rule

    def describe(self) -> str:
        return f"{self.codes.label} at {self.rule.describe()}"


@dataclass(frozen=True)
class Proposal:
    """A base rule for all codes plus carve-outs; the first carve-out naming a code wins."""

    base: Rule
    carve_outs: tuple[CarveOut, ...] = ()

    def rule_for(self, code: str) -> Rule:
        for carve_out in self.carve_outs:
            if code in carve_out.codes:
                return carve_out.rule
        return self.base

    def benchmarks(self) -> set[str]:
        """Names of the benchmarks the rules refer to."""
        rules = [self.base, *(c.rule for c in self.carve_outs)]
        return {r.benchmark for r in rules if isinstance(r, PercentOfBenchmark)}

    def describe(self) -> str:
        parts = [self.base.describe()]
        parts += [f"carve-out {c.describe()}" for c in self.carve_outs]
        return "; ".join(parts)


# Results ----------------------------------------------------------------------------------


def benchmark_display(name: str | None) -> str:
    """A benchmark as a sentence names it ('Medicare', 'market:ohio:p50', 'the benchmark')."""
    if not name:
        return "the benchmark"
    return "Medicare" if name == "medicare" else name


@dataclass(frozen=True)
class GapRow:
    """One code: the payer's rate against the benchmark's, times the practice's units."""

    code: str
    modifier: str
    rate: Decimal
    benchmark_rate: Decimal
    units: Decimal

    @property
    def pct_of_benchmark(self) -> Decimal | None:
        return ratio_pct(self.rate, self.benchmark_rate)

    @property
    def gap_per_unit(self) -> Decimal:
        return self.benchmark_rate - self.rate

    @property
    def annual_gap(self) -> Decimal:
        return self.units * self.gap_per_unit

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "modifier": self.modifier,
            "rate": money_text(self.rate),
            "benchmark_rate": money_text(self.benchmark_rate),
            "pct_of_benchmark": pct_number(self.pct_of_benchmark),
            "units": units_number(self.units),
            "gap_per_unit": money_text(self.gap_per_unit),
            "annual_gap": money_text(self.annual_gap),
        }


@dataclass(frozen=True)
class GapResult:
    """A payer against a benchmark, code by code; `annual_gap` > 0 when the payer pays less."""

    payer: str
    benchmark: str
    rows: tuple[GapRow, ...]
    missing: tuple[Missing, ...]

    @property
    def total_units(self) -> Decimal:
        return sum((r.units for r in self.rows), Decimal(0))

    @property
    def total_revenue(self) -> Decimal:
        return sum((r.units * r.rate for r in self.rows), Decimal(0))

    @property
    def total_benchmark_revenue(self) -> Decimal:
        return sum((r.units * r.benchmark_rate for r in self.rows), Decimal(0))

    @property
    def total_annual_gap(self) -> Decimal:
        return self.total_benchmark_revenue - self.total_revenue

    @property
    def pct_of_benchmark(self) -> Decimal | None:
        """Volume-weighted on the codes both price: the one "% of benchmark" of the product.

        Chat, CLI, Rates view, talking points and packet all read this (compare's basket too).
        """
        return ratio_pct(self.total_revenue, self.total_benchmark_revenue)

    @property
    def billed_codes(self) -> int:
        """Codes in the comparison the practice bills (the ones the weighting counts)."""
        return sum(1 for r in self.rows if r.units > 0)

    @property
    def basis(self) -> str:
        """What the totals cover, in words."""
        n = self.billed_codes
        return (
            f"on the {n} billed code{'' if n == 1 else 's'} both {self.payer} and "
            f"{benchmark_display(self.benchmark)} price, weighted by your annual volumes"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "payer": self.payer,
            "benchmark": self.benchmark,
            "rows": [r.to_json() for r in self.rows],
            "missing": [m.to_json() for m in self.missing],
            "total_units": units_number(self.total_units),
            "total_revenue": money_text(self.total_revenue),
            "total_benchmark_revenue": money_text(self.total_benchmark_revenue),
            "total_annual_gap": money_text(self.total_annual_gap),
            "pct_of_benchmark": pct_number(self.pct_of_benchmark),
            "billed_codes": self.billed_codes,
            "basis": self.basis,
        }


@dataclass(frozen=True)
class TopRow:
    """A code's annual units and revenue (None when a payer billing it has no rate)."""

    code: str
    modifier: str
    units: Decimal
    revenue: Decimal | None


@dataclass(frozen=True)
class TopCodesResult:
    """The codes that matter most, by revenue or units, for one payer or all of them."""

    payer: str | None
    by: str
    rows: tuple[TopRow, ...]
    total_units: Decimal
    total_revenue: Decimal
    codes_considered: int
    missing: tuple[Missing, ...]

    def _part(self, row: TopRow) -> Decimal:
        return (row.revenue if self.by == "revenue" else row.units) or Decimal(0)

    def share(self, row: TopRow) -> Decimal | None:
        """The row's percent of the total it is ranked by."""
        whole = self.total_revenue if self.by == "revenue" else self.total_units
        return ratio_pct(self._part(row), whole)

    def to_json(self) -> dict[str, Any]:
        whole = self.total_revenue if self.by == "revenue" else self.total_units
        cumulative = Decimal(0)
        rows = []
        for row in self.rows:
            cumulative += self._part(row)
            rows.append(
                {
                    "code": row.code,
                    "modifier": row.modifier,
                    "units": units_number(row.units),
                    "revenue": None if row.revenue is None else money_text(row.revenue),
                    "share": pct_number(self.share(row)),
                    "cumulative_share": pct_number(ratio_pct(cumulative, whole)),
                }
            )
        return {
            "payer": self.payer,
            "by": self.by,
            "rows": rows,
            "codes_considered": self.codes_considered,
            "total_units": units_number(self.total_units),
            "total_revenue": money_text(self.total_revenue),
            "missing": [m.to_json() for m in self.missing],
        }


@dataclass(frozen=True)
class ComparisonRow:
    """One code across payers: each payer's rate (None when not in its schedule)."""

    code: str
    modifier: str
    benchmark_rate: Decimal | None
    rates: tuple[tuple[str, Decimal | None], ...]

    def pct(self, rate: Decimal | None) -> Decimal | None:
        if rate is None or self.benchmark_rate is None:
            return None
        return ratio_pct(rate, self.benchmark_rate)


@dataclass(frozen=True)
class PayerComparison:
    """Payers side by side, code by code, each as a percent of one benchmark (Medicare)."""

    payers: tuple[str, ...]
    benchmark: str | None
    rows: tuple[ComparisonRow, ...]
    shares: tuple[GapResult, ...] = ()
    """Each payer's gap on the compared codes: its percent is the basket percent."""

    def share(self, payer: str) -> GapResult | None:
        return next((g for g in self.shares if g.payer == payer), None)

    def basket_pct(self, payer: str) -> Decimal | None:
        """The payer's percent of the benchmark, the same figure as its `gap` on these codes
        (volume-weighted on codes both price); None without volumes or benchmark."""
        share = self.share(payer)
        return None if share is None else share.pct_of_benchmark

    @property
    def basis(self) -> str:
        """What the basket percents cover, in words."""
        return (
            f"each payer on the codes it and {benchmark_display(self.benchmark)} both price, "
            "weighted by your annual volumes with that payer"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "payers": list(self.payers),
            "benchmark": self.benchmark,
            "rows": [
                {
                    "code": row.code,
                    "modifier": row.modifier,
                    "benchmark_rate": None
                    if row.benchmark_rate is None
                    else money_text(row.benchmark_rate),
                    "rates": {
                        payer: {
                            "rate": None if rate is None else money_text(rate),
                            "pct_of_benchmark": pct_number(row.pct(rate)),
                        }
                        for payer, rate in row.rates
                    },
                }
                for row in self.rows
            ],
            "basket_pct_of_benchmark": {p: pct_number(self.basket_pct(p)) for p in self.payers},
            "basket_basis": {p: g.basis for p in self.payers if (g := self.share(p)) is not None},
            "basis": self.basis,
        }


@dataclass(frozen=True)
class ProposalRow:
    """One code under a proposal: current and proposed rate times the practice's units."""

    code: str
    modifier: str
    current_rate: Decimal
    proposed_rate: Decimal
    units: Decimal

    @property
    def current_revenue(self) -> Decimal:
        return self.units * self.current_rate

    @property
    def proposed_revenue(self) -> Decimal:
        return self.units * self.proposed_rate

    @property
    def delta(self) -> Decimal:
        return self.proposed_revenue - self.current_revenue

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "modifier": self.modifier,
            "current_rate": money_text(self.current_rate),
            "proposed_rate": money_text(self.proposed_rate),
            "units": units_number(self.units),
            "current_revenue": money_text(self.current_revenue),
            "proposed_revenue": money_text(self.proposed_revenue),
            "delta": money_text(self.delta),
        }


@dataclass(frozen=True)
class ProposalResult:
    """A proposal applied to a payer's schedule and the practice's volumes."""

    payer: str
    proposal: Proposal
    rows: tuple[ProposalRow, ...]
    missing: tuple[Missing, ...]

    @property
    def total_current(self) -> Decimal:
        return sum((r.current_revenue for r in self.rows), Decimal(0))

    @property
    def total_proposed(self) -> Decimal:
        return sum((r.proposed_revenue for r in self.rows), Decimal(0))

    @property
    def total_delta(self) -> Decimal:
        return self.total_proposed - self.total_current

    @property
    def pct_change(self) -> Decimal | None:
        return ratio_pct(self.total_delta, self.total_current)

    @property
    def billed_codes(self) -> int:
        return sum(1 for r in self.rows if r.units > 0)

    @property
    def basis(self) -> str:
        """What the totals cover: the payer's annual revenue is this `total_current`."""
        n = self.billed_codes
        return (
            f"on the {n} billed code{'' if n == 1 else 's'} {self.payer}'s fee schedule prices, "
            "at your annual volumes"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "payer": self.payer,
            "proposal": self.proposal.describe(),
            "rows": [r.to_json() for r in self.rows],
            "missing": [m.to_json() for m in self.missing],
            "total_current": money_text(self.total_current),
            "total_proposed": money_text(self.total_proposed),
            "total_delta": money_text(self.total_delta),
            "pct_change": pct_number(self.pct_change),
            "billed_codes": self.billed_codes,
            "basis": self.basis,
        }


@dataclass(frozen=True)
class TargetRevenue:
    """Reach this total annual revenue from the payer."""

    amount: Decimal

    def amount_for(self, current: Decimal) -> Decimal:
        return self.amount


@dataclass(frozen=True)
class TargetIncrease:
    """Reach current revenue plus this percent (5 means +5%)."""

    pct: Decimal

    def amount_for(self, current: Decimal) -> Decimal:
        return current * (1 + self.pct / HUNDRED)


Target = TargetRevenue | TargetIncrease


@dataclass(frozen=True)
class SolveResult:
    """The smallest single percent (to 0.01) whose proposal reaches the target revenue."""

    payer: str
    basis: str | None
    kind: str
    value: Decimal
    current_revenue: Decimal
    target_revenue: Decimal
    proposal_result: ProposalResult

    @property
    def resulting_revenue(self) -> Decimal:
        return self.proposal_result.total_proposed

    def to_json(self) -> dict[str, Any]:
        return {
            "payer": self.payer,
            "basis": self.basis,
            "solution": {"kind": self.kind, "value": pct_number(self.value)},
            "resulting_revenue": money_text(self.resulting_revenue),
            "current_revenue": money_text(self.current_revenue),
            "target_revenue": money_text(self.target_revenue),
            "proposal": self.proposal_result.proposal.describe(),
        }


@dataclass(frozen=True)
class Floor:
    """The practice's walk-away floor; each set limit must hold for an offer to clear."""

    min_revenue: Decimal | None = None
    min_pct_change: Decimal | None = None
    min_pct_of_benchmark: Decimal | None = None
    benchmark: str = "medicare"


@dataclass(frozen=True)
class FloorCheck:
    """One limit of the floor, what the offer reaches, and whether it holds."""

    name: str
    required: str
    actual: str
    passed: bool


@dataclass(frozen=True)
class WalkAwayResult:
    """Does an offer clear the floor; codes priced under the per-code floor are listed."""

    payer: str
    proposal: str
    checks: tuple[FloorCheck, ...]
    codes_below_floor: tuple[GapRow, ...]

    @property
    def clears(self) -> bool:
        return all(c.passed for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "payer": self.payer,
            "proposal": self.proposal,
            "clears_floor": self.clears,
            "checks": [
                {"name": c.name, "required": c.required, "actual": c.actual, "passed": c.passed}
                for c in self.checks
            ],
            "codes_below_floor": [r.to_json() for r in self.codes_below_floor],
        }
