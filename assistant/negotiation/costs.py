"""Cost and margin per code: the practice's cost file, or an RVU-based estimate; margins.

Pure: every input is an argument. The estimate is (work RVU + practice-expense RVU) × the
practice's cost per RVU, the RVUs as CMS publishes them (not GPCI-adjusted: the practice's own
cost per RVU already carries its local costs). Malpractice RVUs are left out because a practice
that enters a cost per RVU from its books usually carries malpractice as its own line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from assistant.rates.codes import Key, lookup, normalize_code, normalize_modifier
from assistant.rates.models import units_number
from assistant.rates.money import cents, money_text, parse_decimal, pct_number, ratio_pct
from assistant.rates.store import RvuComponents
from assistant.rates.tables import Column, RowErrors, read_table

CODE = Column("code", ("code", "cpt", "hcpcs", "procedure_code", "cpt_code", "hcpcs_code"))
MODIFIER = Column("modifier", ("modifier", "mod"), required=False)
COST = Column(
    "cost", ("cost", "cost_per_unit", "unit_cost", "total_cost", "direct_cost", "cost_to_deliver")
)


def read_cost_file(path: Path) -> dict[Key, Decimal]:
    """Read code[,modifier],cost rows; every bad row is reported together, nothing is kept."""
    errors = RowErrors(path)
    costs: dict[Key, Decimal] = {}
    for row in read_table(path, (CODE, MODIFIER, COST)):
        try:
            key = (normalize_code(row.cells["code"]), normalize_modifier(row.cells.get("modifier")))
        except InputError as exc:
            errors.add(row.number, exc.message)
            continue
        try:
            cost = parse_decimal(row.cells["cost"])
        except ValueError as exc:
            errors.add(row.number, f"cost {exc}; expected an amount in dollars such as 61.40")
            continue
        if key in costs and costs[key] != cost:
            errors.add(row.number, f"{key[0]} is listed twice with different costs")
            continue
        costs[key] = cents(cost)
    errors.raise_if_any()
    if not costs:
        raise InputError(f"{path.name} has a header but no costs", "check the file")
    return costs


def estimate_costs(
    components: Mapping[Key, RvuComponents],
    cost_per_rvu: Decimal,
    setting: str = "nonfacility",
) -> dict[Key, Decimal]:
    """(work RVU + PE RVU of the setting) × cost per RVU, to cents, for every code with RVUs."""
    if cost_per_rvu <= 0:
        raise InputError(
            f"cost per RVU {cost_per_rvu} must be above zero",
            "enter the practice's total cost divided by its total RVUs, e.g. --cost-per-rvu 38.50",
        )
    out: dict[Key, Decimal] = {}
    for key, rvu in components.items():
        pe = rvu.pe_facility if setting == "facility" else rvu.pe_nonfacility
        total = rvu.work + pe
        if total > 0:
            out[key] = cents(total * cost_per_rvu)
    return out


@dataclass(frozen=True)
class MarginRow:
    """One code: its cost and the margin per unit and per year at each rate level known."""

    code: str
    modifier: str
    units: Decimal
    cost: Decimal
    current: Decimal
    offered: Decimal | None
    target: Decimal | None

    @staticmethod
    def _margin(rate: Decimal | None, cost: Decimal) -> Decimal | None:
        return None if rate is None else rate - cost

    @property
    def margin_current(self) -> Decimal:
        return self.current - self.cost

    @property
    def margin_offered(self) -> Decimal | None:
        return self._margin(self.offered, self.cost)

    @property
    def margin_target(self) -> Decimal | None:
        return self._margin(self.target, self.cost)

    def to_json(self) -> dict[str, Any]:
        def money(v: Decimal | None) -> str | None:
            return None if v is None else money_text(v)

        def annual(v: Decimal | None) -> str | None:
            return None if v is None else money_text(v * self.units)

        return {
            "code": self.code,
            "modifier": self.modifier,
            "units": units_number(self.units),
            "cost": money_text(self.cost),
            "current_rate": money_text(self.current),
            "offered_rate": money(self.offered),
            "target_rate": money(self.target),
            "margin_current": money_text(self.margin_current),
            "margin_offered": money(self.margin_offered),
            "margin_target": money(self.margin_target),
            "margin_pct_current": pct_number(ratio_pct(self.margin_current, self.current)),
            "annual_margin_current": annual(self.margin_current),
            "annual_margin_offered": annual(self.margin_offered),
            "annual_margin_target": annual(self.margin_target),
        }


@dataclass(frozen=True)
class MarginResult:
    """Margin per code and in total for one payer, at current, offered and target rates."""

    payer: str
    rows: tuple[MarginRow, ...]
    no_cost: tuple[Key, ...]
    offered_label: str | None
    target_label: str | None
    cost_source: str

    def total_margin(self, level: str) -> Decimal | None:
        """The year's margin at `level` (current, offered, target); None when a code lacks it."""
        total = Decimal(0)
        for row in self.rows:
            margin = getattr(row, f"margin_{level}")
            if margin is None:
                return None
            total += margin * row.units
        return total

    @property
    def annual_current(self) -> Decimal:
        return self.total_margin("current") or Decimal(0)

    def below_cost(self) -> tuple[MarginRow, ...]:
        """Codes the payer pays less than they cost to deliver, at current rates."""
        return tuple(r for r in self.rows if r.margin_current < 0)

    def to_json(self) -> dict[str, Any]:
        def money(v: Decimal | None) -> str | None:
            return None if v is None else money_text(v)

        return {
            "payer": self.payer,
            "cost_source": self.cost_source,
            "offered": self.offered_label,
            "target": self.target_label,
            "rows": [r.to_json() for r in self.rows],
            "annual_margin": {
                "current": money(self.total_margin("current")),
                "offered": money(self.total_margin("offered")) if self.offered_label else None,
                "target": money(self.total_margin("target")) if self.target_label else None,
            },
            "below_cost_at_current": [r.code for r in self.below_cost()],
            "codes_without_cost": [f"{c}-{m}" if m else c for c, m in self.no_cost],
        }


def _cost_for(costs: Mapping[Key, Decimal], key: Key) -> Decimal | None:
    # A modifier line (99213-25) costs what the base code costs unless the file prices it.
    return costs.get(key, costs.get((key[0], "")))


def margin(
    payer: str,
    current: Mapping[Key, Decimal],
    costs: Mapping[Key, Decimal],
    volumes: Mapping[Key, Decimal],
    *,
    offered: Mapping[Key, Decimal] | None = None,
    target: Mapping[Key, Decimal] | None = None,
    offered_label: str | None = None,
    target_label: str | None = None,
    cost_source: str = "",
) -> MarginResult:
    """Margin on every code the payer pays and the practice bills (units > 0)."""
    rows: list[MarginRow] = []
    no_cost: list[Key] = []
    billed = sorted(k for k, u in volumes.items() if u > 0 and lookup(current, k) is not None)
    for key in billed:
        units = volumes[key]
        rate = lookup(current, key)
        assert rate is not None
        cost = _cost_for(costs, key)
        if cost is None:
            no_cost.append(key)
            continue
        rows.append(
            MarginRow(
                key[0],
                key[1],
                units,
                cost,
                rate,
                None if offered is None else lookup(offered, key) or rate,
                None if target is None else lookup(target, key) or rate,
            )
        )
    return MarginResult(
        payer,
        tuple(rows),
        tuple(no_cost),
        offered_label if offered is not None else None,
        target_label if target is not None else None,
        cost_source,
    )
