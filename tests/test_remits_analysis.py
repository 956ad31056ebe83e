"""Pure remittance analyses on worked examples: underpayments, reversals, denials, reimbursement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.remits.analysis import (
    find_underpayments,
    settle_reversals,
    summarize_denials,
    summarize_reimbursement,
)
from assistant.remits.models import Adjustment, Claim, Payment, Remittance, ServiceLine
from assistant.remits.reasons import load_reason_codes

D = Decimal
SCHEDULE = {
    ("99213", ""): D("100.00"),
    ("99214", ""): D("131.10"),
    ("96372", ""): D("14.20"),
    ("93010", "26"): D("8.40"),
}


def _line(
    code: str,
    paid: str,
    pr: str = "0",
    units: str = "1",
    modifier: str = "",
    charge: str = "200",
    denial: str = "",
) -> ServiceLine:
    adjustments = []
    if D(pr):
        adjustments.append(Adjustment("PR", "2", D(pr)))
    if denial:
        adjustments.append(Adjustment("CO", denial, D(charge)))
    return ServiceLine(
        "HC",
        code,
        (modifier,) if modifier else (),
        D(charge),
        D(paid),
        D(units),
        tuple(adjustments),
    )


def _claim(claim_id: str, *lines: ServiceLine, status: str = "1") -> Claim:
    return Claim(
        claim_id,
        status,
        sum((x.charge for x in lines), D(0)),
        sum((x.paid for x in lines), D(0)),
        sum((x.patient_responsibility for x in lines), D(0)),
        "CI",
        "PCN",
        (),
        lines,
    )


def _payment(source: str, paid_on: date, *claims: Claim, payer: str = "Acme") -> Payment:
    remit = Remittance(
        source,
        "005010X221A1",
        payer.upper(),
        "1",
        "PRACTICE",
        "9",
        source,
        "ACH",
        sum((c.paid for c in claims), D(0)),
        paid_on,
        claims,
    )
    return Payment(payer, remit)


@pytest.mark.parametrize(
    ("line", "shortfall"),
    [
        # rate 100.00 x 1; paid 80 + coinsurance 20 = allowed 100: paid in full
        (_line("99213", "80", "20"), None),
        # paid 70 + coinsurance 20 = 90 allowed against 100: short 10.00
        (_line("99213", "70", "20"), "10.00"),
        # 2 units of 96372 at 14.20 = 28.40 expected; 20 + 5 = 25 allowed: short 3.40
        (_line("96372", "20", "5", units="2"), "3.40"),
        # all of it to the deductible (paid 0, PR 100): allowed 100, not an underpayment
        (_line("99213", "0", "100"), None),
        # modifier 25 does not change the price: the 99214 rate of 131.10 applies; short 1.10
        (_line("99214", "130.00", modifier="25"), "1.10"),
        # 93010-26 has its own rate 8.40; 8.39 allowed is short 0.01 (the tolerance)
        (_line("93010", "8.39", modifier="26"), "0.01"),
        # half a cent short is rounding, not underpayment
        (_line("99213", "99.995"), None),
        # paid above contract is not listed
        (_line("99213", "120"), None),
    ],
)
def test_underpayment_worked_examples(line: ServiceLine, shortfall: str | None) -> None:
    claims = settle_reversals([_payment("a.835", date(2024, 1, 5), _claim("C1", line))]).claims
    report = find_underpayments("Acme", claims, SCHEDULE)
    assert report.lines_compared == 1
    if shortfall is None:
        assert report.lines == ()
    else:
        [found] = report.lines
        assert found.shortfall == D(shortfall)
        assert (found.source.file, found.source.claim_id) == ("a.835", "C1")
        assert report.to_json()["total_shortfall"] == D(shortfall)


def test_lines_without_rate_and_denied_lines_are_counted_not_compared() -> None:
    claim = _claim(
        "C1",
        _line("99213", "0", denial="97"),  # denied: nothing allowed
        _line("93010", "8.00", modifier="TC"),  # TC is a pricing modifier with no rate here
        _line("99215", "150"),  # not in the schedule
        _line("99213", "90"),  # short 10
    )
    claims = settle_reversals([_payment("a.835", date(2024, 1, 5), claim)]).claims
    report = find_underpayments("Acme", claims, SCHEDULE)
    assert (report.lines_compared, report.denied_lines_skipped, report.lines_without_rate) == (
        1,
        1,
        2,
    )
    assert report.codes_without_rate == (("93010", "TC"), ("99215", ""))
    assert report.total_shortfall == D("10")


def test_per_code_sums_are_the_lines_summed() -> None:
    claims = settle_reversals(
        [
            _payment(
                "a.835",
                date(2024, 1, 5),
                _claim("C1", _line("99213", "90")),
                _claim("C2", _line("99213", "95"), _line("99214", "131.10")),
            ),
            _payment("b.835", date(2024, 1, 12), _claim("C3", _line("99214", "125.10"))),
        ]
    ).claims
    report = find_underpayments("Acme", claims, SCHEDULE)
    by_code = {c.code: c for c in report.codes}
    # 99213: 10 + 5 = 15 on 2 of 2 lines; 99214: 6.00 on 1 of 2 lines
    assert (by_code["99213"].shortfall, by_code["99213"].lines_underpaid) == (D("15"), 2)
    assert (by_code["99214"].shortfall, by_code["99214"].lines_compared) == (D("6.00"), 2)
    assert report.total_shortfall == D("21.00")
    assert [c.code for c in report.codes] == ["99213", "99214"]


def test_reversal_cancels_the_original_and_the_correction_stands() -> None:
    original = _claim("C1", _line("99213", "90"))
    reversal = _claim("C1", _line("99213", "-90", charge="-200"), status="22")
    corrected = _claim("C1", _line("99213", "100"))
    settled = settle_reversals(
        [
            _payment("a.835", date(2024, 1, 5), original),
            _payment(
                "b.835",
                date(2024, 2, 5),
                reversal,
                corrected,
                _claim("C9", _line("99213", "-5"), status="22"),
            ),
        ]
    )
    assert [(c.source, c.claim.paid) for c in settled.claims] == [("b.835", D("100"))]
    assert (settled.reversals, settled.unmatched_reversals) == (2, 1)
    assert find_underpayments("Acme", settled.claims, SCHEDULE).lines == ()


def test_denials_by_payer_reason_and_month() -> None:
    payments = [
        _payment(
            "a.835",
            date(2024, 1, 5),
            _claim("C1", _line("99213", "80", "20"), _line("96372", "0", denial="97", charge="30")),
            _claim("C2", _line("99214", "0", denial="16"), status="4"),
        ),
        _payment("b.835", date(2024, 2, 2), _claim("C3", _line("99213", "100")), payer="Other"),
    ]
    report = summarize_denials(settle_reversals(payments).claims, load_reason_codes())
    acme = report.payers[0]
    # Acme: 2 claims, C2 denied; 3 lines, 2 denied (96372 $30 and 99214 $200)
    assert (acme.payer, acme.claims, acme.denied_claims, acme.lines, acme.denied_lines) == (
        "Acme",
        2,
        1,
        3,
        2,
    )
    assert acme.denied_charges == D("230")
    assert report.payers[1].denied_lines == 0
    codes = {(r.payer, f"{r.group}-{r.reason}"): r for r in report.reasons}
    assert codes[("Acme", "CO-16")].amount == D("200")
    assert codes[("Acme", "CO-97")].meaning.startswith("Paid as part of another service")
    assert codes[("Acme", "PR-2")].denied_lines == 0
    assert [(m.payer, m.month, m.denied_lines) for m in report.months] == [
        ("Acme", "2024-01", 2),
        ("Other", "2024-02", 0),
    ]
    cited = report.to_json()["reasons"][0]["sources"]
    assert cited == [{"file": "a.835", "claim_id": "C2"}]


def test_reimbursement_mean_and_median_per_unit() -> None:
    payments = [
        _payment(
            "a.835",
            date(2024, 1, 5),
            _claim(
                "C1",
                _line("96372", "20", "5", units="2"),
                _line("96372", "14"),
                _line("96372", "0", denial="97"),
            ),
        ),
        _payment("a2.835", date(2024, 1, 5), _claim("C2", _line("96372", "10")), payer="Other"),
    ]
    report = summarize_reimbursement("Acme", settle_reversals(payments[:1]).claims)
    [code] = report.codes
    # 2 allowed lines (the denied one is left out): paid 20 + 14 over 3 units = 11.333…
    # per-line paid per unit: 10 and 14, median 12; allowed per unit 12.50 and 14, median 13.25
    assert (code.lines, code.units, code.total_paid) == (2, D(3), D(34))
    assert code.mean_paid_per_unit == D(34) / 3
    assert code.median_paid_per_unit == D(12)
    assert code.median_allowed_per_unit == D("13.25")
    assert report.to_json()["codes"][0]["mean_paid_per_unit"] == D("11.33")


money = st.decimals(min_value=0, max_value=500, places=2)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["99213", "99214", "96372"]), money, money), max_size=30))
def test_underpayment_totals_are_consistent(rows: list[tuple[str, Decimal, Decimal]]) -> None:
    lines = [_line(code, str(paid), str(pr)) for code, paid, pr in rows]
    claims = settle_reversals(
        [_payment("a.835", date(2024, 1, 5), *(_claim(f"C{i}", x) for i, x in enumerate(lines)))]
    ).claims
    report = find_underpayments("Acme", claims, SCHEDULE)
    assert report.total_shortfall == sum((c.shortfall for c in report.codes), D(0))
    assert all(u.shortfall >= D("0.01") for u in report.lines)
    assert report.lines_compared + report.denied_lines_skipped == len(lines)
    expected = sum(
        (
            max(SCHEDULE[(c, "")] - p - r, D(0))
            for c, p, r in rows
            if p + r > 0 and SCHEDULE[(c, "")] - p - r >= D("0.01")
        ),
        D(0),
    )
    assert report.total_shortfall == expected
