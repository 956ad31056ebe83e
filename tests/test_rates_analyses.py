"""Worked examples and properties of the pure rate analyses."""

from __future__ import annotations

import statistics
from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.errors import InputError
from assistant.rates import analyses
from assistant.rates.codes import lookup, parse_code_set
from assistant.rates.models import (
    Floor,
    PercentChange,
    PercentOfBenchmark,
    Proposal,
    RateTable,
    TargetIncrease,
    TargetRevenue,
)
from assistant.rates.money import money_text
from assistant.rates.proposals import parse_carve_out
from assistant.rates.tic import percentile

D = Decimal


def k(code: str, modifier: str = "") -> tuple[str, str]:
    return (code, modifier)


def test_gap_worked_example() -> None:
    # 99213: 90.00 vs 100.00 -> 90%, 10.00 a unit, 100 units -> 1,000.00 a year.
    # 99214: 120.00 vs 125.18 -> 95.86%, 5.18 a unit, 50 units -> 259.00 a year.
    # 99215 is billed but the payer has no rate; 99211 has no benchmark: both listed as missing.
    result = analyses.gap(
        "Aetna",
        "medicare",
        fees={k("99213"): D("90.00"), k("99214"): D("120.00"), k("99211"): D("20.00")},
        benchmark_rates={k("99213"): D("100.00"), k("99214"): D("125.18"), k("99215"): D("180")},
        volumes={k("99213"): D(100), k("99214"): D(50), k("99215"): D(10)},
    )
    data = result.to_json()
    assert data["rows"] == [
        {
            "code": "99213",
            "modifier": "",
            "rate": "90.00",
            "benchmark_rate": "100.00",
            "pct_of_benchmark": 90.0,
            "units": 100,
            "gap_per_unit": "10.00",
            "annual_gap": "1000.00",
        },
        {
            "code": "99214",
            "modifier": "",
            "rate": "120.00",
            "benchmark_rate": "125.18",
            "pct_of_benchmark": 95.86,
            "units": 50,
            "gap_per_unit": "5.18",
            "annual_gap": "259.00",
        },
    ]
    assert data["missing"] == [
        {"code": "99211", "modifier": "", "reason": "no medicare rate"},
        {"code": "99215", "modifier": "", "reason": "no rate in Aetna's fee schedule"},
    ]
    assert (data["total_units"], data["total_revenue"]) == (150, "15000.00")
    assert (data["total_benchmark_revenue"], data["total_annual_gap"]) == ("16259.00", "1259.00")


def test_gap_is_negative_when_payer_pays_above_benchmark() -> None:
    result = analyses.gap(
        "P", "b", {k("99213"): D("110")}, {k("99213"): D("100")}, {k("99213"): D(3)}
    )
    assert result.to_json()["total_annual_gap"] == "-30.00"


@pytest.mark.parametrize(
    ("table", "key", "expected"),
    [
        ({k("99213"): D(1)}, k("99213", "25"), D(1)),  # informational modifier: bare code rate
        ({k("71046"): D(1)}, k("71046", "26"), None),  # professional component is priced apart
        ({k("71046"): D(1), k("71046", "26"): D(2)}, k("71046", "26"), D(2)),
        ({}, k("99213"), None),
    ],
)
def test_lookup_modifier_fallback(table: dict, key: tuple[str, str], expected: Decimal) -> None:
    assert lookup(table, key) == expected


@pytest.mark.parametrize(
    ("proposal", "expected_rates", "total_delta", "pct_change"),
    [
        # +3%: 100.00 -> 103.00 (10 units), 50.00 -> 51.50 (20 units); +60.00 on 2,000.00.
        (Proposal(PercentChange(D(3))), ["103.00", "51.50"], "60.00", 3.0),
        # E/M (99213) +5%, the rest +2%: 105.00 and 51.00; 1,050 + 1,020 - 2,000 = 70.00.
        (
            Proposal(PercentChange(D(2)), (parse_carve_out("em=5"),)),
            ["105.00", "51.00"],
            "70.00",
            3.5,
        ),
        # 110% of Medicare: 91.78 -> 100.958 -> 100.96; 20610 has no Medicare rate: unchanged.
        (Proposal(PercentOfBenchmark("medicare", D(110))), ["100.96", "50.00"], "9.60", 0.48),
        # A rate file naming only 20610: 99213 keeps its rate.
        (
            Proposal(RateTable("offer.csv", {k("20610"): D("55.55")})),
            ["100.00", "55.55"],
            "111.00",
            5.55,
        ),
    ],
)
def test_model_proposal_worked_examples(
    proposal: Proposal, expected_rates: list[str], total_delta: str, pct_change: float
) -> None:
    result = analyses.model_proposal(
        "Aetna",
        fees={k("99213"): D("100.00"), k("20610"): D("50.00")},
        volumes={k("99213"): D(10), k("20610"): D(20)},
        proposal=proposal,
        benchmarks={"medicare": {k("99213"): D("91.78")}},
    )
    data = result.to_json()
    by_code = {r["code"]: r["proposed_rate"] for r in data["rows"]}
    assert [by_code["99213"], by_code["20610"]] == expected_rates
    assert data["total_current"] == "2000.00"
    assert (data["total_delta"], data["pct_change"]) == (total_delta, pct_change)


def test_proposed_rates_round_half_up_to_cents() -> None:
    # 0.50 + 1% = 0.505: half-up gives 0.51 (banker's rounding would give 0.50).
    rate, note = analyses.propose_rate(PercentChange(D(1)), k("99211"), D("0.50"), {})
    assert (rate, note) == (D("0.51"), None)


def test_pct_of_benchmark_without_benchmark_rate_is_noted_not_dropped() -> None:
    result = analyses.model_proposal(
        "P",
        {k("36415"): D("8.00")},
        {k("36415"): D(5)},
        Proposal(PercentOfBenchmark("medicare", D(120))),
        {"medicare": {}},
    )
    assert result.rows[0].proposed_rate == D("8.00")
    assert "no medicare rate" in result.missing[0].reason


@pytest.mark.parametrize(
    ("target", "basis", "carve_outs", "kind", "value", "resulting"),
    [
        # 100.00 x 10 + 200.00 x 5 = 2,000.00; +10% -> 2,200.00 needs +10.00% on every rate.
        (TargetIncrease(D(10)), None, (), "uniform_increase", 10.0, "2200.00"),
        # Benchmarks 80 and 160: 16 x p = 2,200 -> p = 137.5% of the benchmark.
        (TargetRevenue(D(2200)), "medicare", (), "pct_of_benchmark", 137.5, "2200.00"),
        # 99213 held at its rate (1,000.00): 20610 must earn 1,200.00 = 240.00 x 5 -> +20%.
        (TargetIncrease(D(10)), None, ("99213=0",), "uniform_increase", 20.0, "2200.00"),
    ],
)
def test_solve_worked_examples(
    target: TargetIncrease | TargetRevenue,
    basis: str | None,
    carve_outs: tuple[str, ...],
    kind: str,
    value: float,
    resulting: str,
) -> None:
    result = analyses.solve(
        "Aetna",
        {k("99213"): D("100.00"), k("20610"): D("200.00")},
        {k("99213"): D(10), k("20610"): D(5)},
        target,
        basis=basis,
        carve_outs=tuple(parse_carve_out(c) for c in carve_outs),
        benchmarks={"medicare": {k("99213"): D(80), k("20610"): D(160)}},
    )
    data = result.to_json()
    assert data["solution"] == {"kind": kind, "value": value}
    assert data["resulting_revenue"] == resulting


def test_solve_refuses_when_everything_is_carved_out() -> None:
    with pytest.raises(InputError, match="no Aetna revenue left"):
        analyses.solve(
            "Aetna",
            {k("99213"): D(100)},
            {k("99213"): D(1)},
            TargetIncrease(D(5)),
            carve_outs=(parse_carve_out("em=0"),),
        )


def test_walk_away_checks_each_floor() -> None:
    # +2% on 100.00 (10 units) and 50.00 (20 units): 2,040.00, +2%; 99213 at 102.00 is above
    # 100% of Medicare's 100.00, 20610 at 51.00 is below Medicare's 60.00.
    result = analyses.model_proposal(
        "Aetna",
        {k("99213"): D(100), k("20610"): D(50)},
        {k("99213"): D(10), k("20610"): D(20)},
        Proposal(PercentChange(D(2))),
        {},
    )
    floor = Floor(min_revenue=D(2000), min_pct_change=D(3), min_pct_of_benchmark=D(100))
    verdict = analyses.walk_away(result, floor, {k("99213"): D(100), k("20610"): D(60)})
    data = verdict.to_json()
    assert [c["passed"] for c in data["checks"]] == [True, False, False]
    assert data["clears_floor"] is False
    assert [r["code"] for r in data["codes_below_floor"]] == ["20610"]


def test_top_codes_by_revenue_and_volume() -> None:
    fees = {"A": {k("99213"): D(100), k("36415"): D(3)}, "B": {k("99213"): D(90)}}
    volumes = {
        "A": {k("99213"): D(10), k("36415"): D(500)},
        "B": {k("99213"): D(5), k("36415"): D(1)},
    }
    by_revenue = analyses.top_codes(fees, volumes, "revenue", 5).to_json()
    # 99213: 10 x 100 + 5 x 90 = 1,450.00; 36415: 500 x 3 = 1,500.00 (B has no rate for it).
    assert [(r["code"], r["revenue"]) for r in by_revenue["rows"]] == [
        ("36415", "1500.00"),
        ("99213", "1450.00"),
    ]
    assert by_revenue["missing"] == [
        {"code": "36415", "modifier": "", "reason": "no rate in B's fee schedule"}
    ]
    by_volume = analyses.top_codes(fees, volumes, "volume", 1).to_json()
    assert [(r["code"], r["units"]) for r in by_volume["rows"]] == [("36415", 501)]


def test_compare_payers_percent_of_benchmark() -> None:
    result = analyses.compare_payers(
        {"A": {k("99213"): D(110)}, "B": {k("99213"): D(90), k("99214"): D(1)}},
        "medicare",
        {k("99213"): D(100)},
        parse_code_set("99213"),
    )
    data = result.to_json()
    assert data["rows"][0]["rates"] == {
        "A": {"rate": "110.00", "pct_of_benchmark": 110.0},
        "B": {"rate": "90.00", "pct_of_benchmark": 90.0},
    }
    assert len(data["rows"]) == 1


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        ("em", ["99202", "99215", "99499"], ["99201", "99500", "20610"]),
        ("99202-99205,G2211", ["99203", "G2211"], ["99211"]),
        ("office-em", ["99213"], ["99396"]),
    ],
)
def test_code_sets(text: str, inside: list[str], outside: list[str]) -> None:
    codes = parse_code_set(text)
    assert all(c in codes for c in inside)
    assert not any(c in codes for c in outside)


@pytest.mark.parametrize("bad", ["", "99215-99202", "abc", "em=", "=5"])
def test_bad_carve_outs_raise(bad: str) -> None:
    with pytest.raises(InputError):
        parse_carve_out(bad if "=" in bad else f"{bad}=5")


# Properties -------------------------------------------------------------------------------

codes = st.sampled_from(["99202", "99213", "99214", "20610", "36415", "G2211", "93000"])
money = st.integers(min_value=1, max_value=500_000).map(lambda c: D(c) / 100)
unit_counts = st.integers(min_value=0, max_value=3000).map(D)
schedules = st.dictionaries(codes.map(k), money, min_size=1)


@st.composite
def practice(draw: st.DrawFn) -> tuple[dict, dict]:
    fees = draw(schedules)
    volumes = {key: draw(unit_counts) for key in fees}
    first = next(iter(fees))
    volumes[first] = max(volumes[first], D(1))
    return fees, volumes


@given(practice(), st.integers(min_value=-5000, max_value=5000).map(lambda c: D(c) / 100))
def test_row_deltas_sum_to_total_and_zero_change_is_zero(data: tuple, pct: Decimal) -> None:
    fees, volumes = data
    result = analyses.model_proposal("P", fees, volumes, Proposal(PercentChange(pct)), {})
    assert sum((r.delta for r in result.rows), D(0)) == result.total_delta
    unchanged = analyses.model_proposal("P", fees, volumes, Proposal(PercentChange(D(0))), {})
    assert unchanged.total_delta == 0
    assert all(r.delta == 0 for r in unchanged.rows)


@settings(max_examples=60, deadline=None)
@given(practice(), st.integers(min_value=-3000, max_value=6000).map(lambda c: D(c) / 100))
def test_solving_then_modelling_reaches_the_target(data: tuple, increase: Decimal) -> None:
    fees, volumes = data
    result = analyses.solve("P", fees, volumes, TargetIncrease(increase))
    modelled = analyses.model_proposal(
        "P", fees, volumes, Proposal(PercentChange(result.value)), {}
    )
    assert modelled.total_proposed == result.resulting_revenue >= result.target_revenue
    below = analyses.model_proposal(
        "P", fees, volumes, Proposal(PercentChange(result.value - D("0.01"))), {}
    )
    assert below.total_proposed < result.target_revenue
    assert money_text(result.resulting_revenue) == result.to_json()["resulting_revenue"]


@given(st.lists(st.integers(min_value=0, max_value=10_000).map(lambda c: D(c) / 100), min_size=2))
def test_percentile_matches_statistics_inclusive_quartiles(values: list[Decimal]) -> None:
    expected = statistics.quantiles(values, n=4, method="inclusive")
    got = [percentile(Counter(values), D(q)) for q in ("0.25", "0.5", "0.75")]
    assert got == expected
