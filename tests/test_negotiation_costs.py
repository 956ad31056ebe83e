"""Cost and margin per code: hand-worked estimates and margins, the cost-file importer."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from assistant.errors import InputError
from assistant.negotiation.costs import estimate_costs, margin, read_cost_file
from assistant.rates.store import RvuComponents

D = Decimal


def test_estimate_from_work_and_pe_rvus() -> None:
    # An example code: work 1.92, non-facility PE 1.52, facility PE 0.74, MP 0.13.
    rvus = {("99214", ""): RvuComponents(D("1.92"), D("1.52"), D("0.74"), D("0.13"))}
    # (1.92 + 1.52) × 30.00 = 103.20; facility: (1.92 + 0.74) × 30.00 = 79.80. MP left out.
    assert estimate_costs(rvus, D("30.00")) == {("99214", ""): D("103.20")}
    assert estimate_costs(rvus, D("30.00"), "facility") == {("99214", ""): D("79.80")}
    with pytest.raises(InputError, match="above zero"):
        estimate_costs(rvus, D(0))


def test_margin_hand_worked() -> None:
    current = {("99214", ""): D("132.18"), ("99213", ""): D("80.00"), ("99999", ""): D("10")}
    costs = {("99214", ""): D("103.20"), ("99213", ""): D("85.00")}
    volumes = {("99214", ""): D(100), ("99213", ""): D(50), ("99213", "25"): D(10)}
    result = margin(
        "P",
        current,
        costs,
        volumes,
        offered={("99214", ""): D("136.13")},
        target={("99214", ""): D("140.00"), ("99213", ""): D("90.00")},
        offered_label="offer",
        target_label="ask",
    )
    rows = {(r.code, r.modifier): r for r in result.rows}
    # 99214: paid 132.18, costs 103.20 → 28.98 a unit, 2,898.00 on 100 units.
    assert rows[("99214", "")].margin_current == D("28.98")
    assert rows[("99214", "")].margin_offered == D("32.93")
    assert rows[("99214", "")].margin_target == D("36.80")
    # 99213 (and its -25 line, costed at the base code): paid 5.00 under cost.
    assert rows[("99213", "25")].margin_current == D("-5.00")
    # The offer leaves 99213 unchanged: its offered margin is the current one.
    assert rows[("99213", "")].margin_offered == D("-5.00")
    data = result.to_json()
    # current: 2898.00 - 250.00 - 50.00 = 2598.00; offered: 3293.00 - 300 = 2993.00;
    # target: 3680.00 + 50 × 5.00 + 10 × 5.00 = 3980.00.
    assert data["annual_margin"] == {
        "current": "2598.00",
        "offered": "2993.00",
        "target": "3980.00",
    }
    assert data["below_cost_at_current"] == ["99213", "99213"]
    assert data["codes_without_cost"] == []


def test_cost_file(tmp_path: Path) -> None:
    path = tmp_path / "costs.csv"
    path.write_text("CPT,Mod,Unit Cost\n99213,,$61.40\n99214,25,88\n")
    assert read_cost_file(path) == {("99213", ""): D("61.40"), ("99214", "25"): D("88.00")}


def test_cost_file_with_non_numeric_value_imports_nothing(tmp_path: Path) -> None:
    path = tmp_path / "costs.csv"
    path.write_text("code,cost\n99213,61.40\n99214,about 90\n")
    with pytest.raises(InputError) as err:
        read_cost_file(path)
    assert "row 3: cost" in err.value.message
    assert "expected an amount" in err.value.message
