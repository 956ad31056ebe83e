"""Pure analyses of stored remittances: reimbursement, underpayments, denial and adjustment trends.

Every input is an argument (payments, fee schedule, reason meanings); amounts stay exact Decimals
and are rounded half-up to cents only in `to_json()`.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from assistant.remits.models import (
    DENIED_STATUS,
    PRIMARY_STATUSES,
    REVERSAL_STATUS,
    ZERO,
    Claim,
    Payment,
    ServiceLine,
)
from assistant.remits.reasons import ReasonCodes

CENT = Decimal("0.01")
MAX_SOURCES = 5
"""Citations kept per aggregate figure: enough to check it, few enough to read."""

# Modifiers that do not change what a service is paid, so a rate keyed without them applies.
# Pricing modifiers (26, TC, 50, 52, 80 …) are not here: a global rate would overstate them.
INFORMATIONAL_MODIFIERS = frozenset(
    {
        "25",
        "59",
        "76",
        "77",
        "79",
        "95",
        "GT",
        "GA",
        "GY",
        "GZ",
        "KX",
        "LT",
        "RT",
        "XE",
        "XP",
        "XS",
        "XU",
        "Q5",
        "Q6",
        "33",
        "GC",
    }
)


def cents(amount: Decimal) -> Decimal:
    """Round half-up to cents, the only rounding this module does (for display and JSON)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Source:
    """Where a figure came from: the remittance file and the practice's claim number."""

    file: str
    claim_id: str

    def to_json(self) -> dict[str, str]:
        return {"file": self.file, "claim_id": self.claim_id}


@dataclass(frozen=True)
class SettledClaim:
    """A claim that still stands after reversals, with the payment it arrived in."""

    payer: str
    source: str
    payment_date: date | None
    claim: Claim

    @property
    def cite(self) -> Source:
        return Source(self.source, self.claim.claim_id)


@dataclass(frozen=True)
class Settlement:
    """Claims left after reversals (CLP02 = 22) cancelled the adjudications they reverse."""

    claims: tuple[SettledClaim, ...]
    reversals: int
    unmatched_reversals: int


def settle_reversals(payments: Iterable[Payment]) -> Settlement:
    """Drop each reversal and the latest earlier claim of the same payer and claim number.

    A payer that corrects a claim sends a reversal (negative amounts) and the new adjudication;
    counting all three would double the service. A reversal whose original is not in
    `payments` (paid before the period, or never imported) is dropped alone and counted.
    """
    kept: list[SettledClaim | None] = []
    latest: dict[tuple[str, str], list[int]] = defaultdict(list)
    reversals = unmatched = 0
    for payment in payments:
        remittance = payment.remittance
        for claim in remittance.claims:
            key = (payment.payer.upper(), claim.claim_id)
            if claim.status == REVERSAL_STATUS:
                reversals += 1
                if latest[key]:
                    kept[latest[key].pop()] = None
                else:
                    unmatched += 1
                continue
            latest[key].append(len(kept))
            kept.append(
                SettledClaim(payment.payer, remittance.source, remittance.payment_date, claim)
            )
    return Settlement(tuple(c for c in kept if c is not None), reversals, unmatched)


def _sources(found: Iterable[Source]) -> list[dict[str, str]]:
    unique: dict[Source, None] = {}
    for source in found:
        unique.setdefault(source)
        if len(unique) == MAX_SOURCES:
            break
    return [s.to_json() for s in unique]


def _is_denied_line(claim: Claim, line: ServiceLine) -> bool:
    if claim.status == DENIED_STATUS:
        return True
    return line.charge > 0 and line.paid == 0 and line.patient_responsibility == 0


def _is_denied_claim(claim: Claim) -> bool:
    if claim.status == DENIED_STATUS:
        return True
    if claim.charge <= 0 or claim.paid != 0 or claim.patient_resp != 0:
        return False
    return all(_is_denied_line(claim, line) for line in claim.lines)


# ---------------------------------------------------------------- actual reimbursement


@dataclass(frozen=True)
class CodeReimbursement:
    """What one payer actually allowed and paid for one code (+ pricing modifier)."""

    code: str
    modifier: str
    lines: int
    units: Decimal
    total_paid: Decimal
    total_allowed: Decimal
    mean_paid_per_unit: Decimal
    median_paid_per_unit: Decimal
    mean_allowed_per_unit: Decimal
    median_allowed_per_unit: Decimal
    sources: tuple[Source, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "modifier": self.modifier,
            "lines": self.lines,
            "units": self.units,
            "total_paid": cents(self.total_paid),
            "total_allowed": cents(self.total_allowed),
            "mean_paid_per_unit": cents(self.mean_paid_per_unit),
            "median_paid_per_unit": cents(self.median_paid_per_unit),
            "mean_allowed_per_unit": cents(self.mean_allowed_per_unit),
            "median_allowed_per_unit": cents(self.median_allowed_per_unit),
            "sources": _sources(self.sources),
        }


@dataclass(frozen=True)
class ReimbursementReport:
    """Per-code actual reimbursement of one payer, largest total paid first."""

    payer: str
    codes: tuple[CodeReimbursement, ...]

    @property
    def total_paid(self) -> Decimal:
        return sum((c.total_paid for c in self.codes), ZERO)

    def to_json(self) -> dict[str, Any]:
        return {
            "payer": self.payer,
            "total_paid": cents(self.total_paid),
            "codes": [c.to_json() for c in self.codes],
        }


def summarize_reimbursement(payer: str, claims: Iterable[SettledClaim]) -> ReimbursementReport:
    """Allowed and paid per unit for each code the payer adjudicated as primary and allowed.

    Denied lines (nothing allowed) are left out here and counted by `summarize_denials`;
    secondary payments are left out because they pay only what the primary left over.
    """
    paid: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    allowed: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    units: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    totals: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    cites: dict[tuple[str, str], list[Source]] = defaultdict(list)
    for settled in claims:
        if settled.claim.status not in PRIMARY_STATUSES:
            continue
        for line in settled.claim.lines:
            if line.allowed <= 0 or line.units <= 0:
                continue
            key = (line.code, line.modifier)
            paid[key].append(line.paid / line.units)
            allowed[key].append(line.allowed / line.units)
            units[key] += line.units
            totals[key][0] += line.paid
            totals[key][1] += line.allowed
            if len(cites[key]) < MAX_SOURCES:
                cites[key].append(settled.cite)
    codes = [
        CodeReimbursement(
            code=key[0],
            modifier=key[1],
            lines=len(paid[key]),
            units=units[key],
            total_paid=totals[key][0],
            total_allowed=totals[key][1],
            mean_paid_per_unit=totals[key][0] / units[key],
            median_paid_per_unit=statistics.median(paid[key]),
            mean_allowed_per_unit=totals[key][1] / units[key],
            median_allowed_per_unit=statistics.median(allowed[key]),
            sources=tuple(cites[key]),
        )
        for key in paid
    ]
    codes.sort(key=lambda c: (-c.total_paid, c.code, c.modifier))
    return ReimbursementReport(payer, tuple(codes))


def count_volumes(claims: Iterable[SettledClaim]) -> dict[tuple[str, str], Decimal]:
    """Units billed per (code, modifier) on claims the payer adjudicated as primary or denied."""
    volumes: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for settled in claims:
        if settled.claim.status in PRIMARY_STATUSES or settled.claim.status == DENIED_STATUS:
            for line in settled.claim.lines:
                if line.code:
                    volumes[(line.code, line.modifier)] += line.units
    return dict(volumes)


# ---------------------------------------------------------------- underpayments


def contracted_rate(
    fee_schedule: Mapping[tuple[str, str], Decimal], code: str, modifier: str
) -> Decimal | None:
    """The contracted rate per unit for a line, None when the schedule has none that applies."""
    rate = fee_schedule.get((code, modifier))
    if rate is None and modifier in INFORMATIONAL_MODIFIERS:
        rate = fee_schedule.get((code, ""))
    return rate


@dataclass(frozen=True)
class UnderpaidLine:
    """One service line allowed below contract: shortfall = rate × units − (paid + PR)."""

    source: Source
    payment_date: date | None
    code: str
    modifier: str
    units: Decimal
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    contracted_rate: Decimal

    @property
    def allowed(self) -> Decimal:
        return self.paid + self.patient_responsibility

    @property
    def expected(self) -> Decimal:
        return self.contracted_rate * self.units

    @property
    def shortfall(self) -> Decimal:
        return self.expected - self.allowed

    def to_json(self) -> dict[str, Any]:
        return {
            **self.source.to_json(),
            "payment_date": self.payment_date.isoformat() if self.payment_date else None,
            "code": self.code,
            "modifier": self.modifier,
            "units": self.units,
            "charge": cents(self.charge),
            "paid": cents(self.paid),
            "patient_responsibility": cents(self.patient_responsibility),
            "allowed": cents(self.allowed),
            "contracted_rate": cents(self.contracted_rate),
            "expected": cents(self.expected),
            "shortfall": cents(self.shortfall),
        }


@dataclass(frozen=True)
class CodeUnderpayment:
    """Underpaid lines of one code summed: how often and by how much the payer paid short."""

    code: str
    modifier: str
    contracted_rate: Decimal
    lines_compared: int
    lines_underpaid: int
    shortfall: Decimal
    sources: tuple[Source, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "modifier": self.modifier,
            "contracted_rate": cents(self.contracted_rate),
            "lines_compared": self.lines_compared,
            "lines_underpaid": self.lines_underpaid,
            "shortfall": cents(self.shortfall),
            "sources": _sources(self.sources),
        }


@dataclass(frozen=True)
class UnderpaymentReport:
    """Lines a payer allowed below its contracted rate, listed and summed per code."""

    payer: str
    since: date | None
    until: date | None
    lines: tuple[UnderpaidLine, ...]
    codes: tuple[CodeUnderpayment, ...]
    lines_compared: int
    lines_without_rate: int
    codes_without_rate: tuple[tuple[str, str], ...]
    denied_lines_skipped: int

    @property
    def total_shortfall(self) -> Decimal:
        return sum((line.shortfall for line in self.lines), ZERO)

    def to_json(self) -> dict[str, Any]:
        return {
            "payer": self.payer,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "total_shortfall": cents(self.total_shortfall),
            "lines_compared": self.lines_compared,
            "lines_underpaid": len(self.lines),
            "lines_without_rate": self.lines_without_rate,
            "codes_without_rate": [{"code": c, "modifier": m} for c, m in self.codes_without_rate],
            "denied_lines_skipped": self.denied_lines_skipped,
            "codes": [c.to_json() for c in self.codes],
            "lines": [line.to_json() for line in self.lines],
        }


def find_underpayments(
    payer: str,
    claims: Iterable[SettledClaim],
    fee_schedule: Mapping[tuple[str, str], Decimal],
    since: date | None = None,
    until: date | None = None,
    tolerance: Decimal = CENT,
) -> UnderpaymentReport:
    """Compare each primary line's allowed amount with contracted rate × units.

    allowed = paid + patient responsibility (PR adjustments), so a line applied to the
    deductible is not mistaken for an underpayment. Denied lines are skipped (see denials);
    a shortfall under `tolerance` is rounding, not underpayment.
    """
    underpaid: list[UnderpaidLine] = []
    compared: dict[tuple[str, str], int] = defaultdict(int)
    rates: dict[tuple[str, str], Decimal] = {}
    missing: dict[tuple[str, str], int] = defaultdict(int)
    denied = 0
    for settled in claims:
        claim = settled.claim
        if claim.status not in PRIMARY_STATUSES:
            continue
        for line in claim.lines:
            if line.allowed <= 0:
                denied += 1
                continue
            key = (line.code, line.modifier)
            rate = contracted_rate(fee_schedule, *key)
            if rate is None:
                missing[key] += 1
                continue
            compared[key] += 1
            rates[key] = rate
            found = UnderpaidLine(
                source=settled.cite,
                payment_date=settled.payment_date,
                code=line.code,
                modifier=line.modifier,
                units=line.units,
                charge=line.charge,
                paid=line.paid,
                patient_responsibility=line.patient_responsibility,
                contracted_rate=rate,
            )
            if found.shortfall >= tolerance:
                underpaid.append(found)
    by_code: dict[tuple[str, str], list[UnderpaidLine]] = defaultdict(list)
    for short in underpaid:
        by_code[(short.code, short.modifier)].append(short)
    codes = sorted(
        (
            CodeUnderpayment(
                code=key[0],
                modifier=key[1],
                contracted_rate=rates[key],
                lines_compared=compared[key],
                lines_underpaid=len(found),
                shortfall=sum((f.shortfall for f in found), ZERO),
                sources=tuple(f.source for f in found[:MAX_SOURCES]),
            )
            for key, found in by_code.items()
        ),
        key=lambda c: (-c.shortfall, c.code, c.modifier),
    )
    underpaid.sort(key=lambda u: (-u.shortfall, u.source.file, u.source.claim_id))
    return UnderpaymentReport(
        payer=payer,
        since=since,
        until=until,
        lines=tuple(underpaid),
        codes=tuple(codes),
        lines_compared=sum(compared.values()),
        lines_without_rate=sum(missing.values()),
        codes_without_rate=tuple(sorted(missing)),
        denied_lines_skipped=denied,
    )


# ---------------------------------------------------------------- denials and adjustments


@dataclass(frozen=True)
class PayerDenials:
    """How often one payer denied: claims and lines, counts and billed dollars."""

    payer: str
    claims: int
    denied_claims: int
    lines: int
    denied_lines: int
    billed: Decimal
    denied_charges: Decimal
    sources: tuple[Source, ...]

    @property
    def line_denial_rate(self) -> Decimal:
        return Decimal(self.denied_lines) / self.lines if self.lines else ZERO

    def to_json(self) -> dict[str, Any]:
        return {
            "payer": self.payer,
            "claims": self.claims,
            "denied_claims": self.denied_claims,
            "lines": self.lines,
            "denied_lines": self.denied_lines,
            "line_denial_rate": self.line_denial_rate.quantize(Decimal("0.0001"), ROUND_HALF_UP),
            "billed": cents(self.billed),
            "denied_charges": cents(self.denied_charges),
            "sources": _sources(self.sources),
        }


@dataclass(frozen=True)
class ReasonTrend:
    """One payer's use of one CAS group + reason (CO-45, PR-1 …): how often and how much."""

    payer: str
    group: str
    reason: str
    meaning: str
    adjustments: int
    amount: Decimal
    denied_lines: int
    sources: tuple[Source, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "payer": self.payer,
            "code": f"{self.group}-{self.reason}",
            "group": self.group,
            "reason": self.reason,
            "meaning": self.meaning,
            "adjustments": self.adjustments,
            "amount": cents(self.amount),
            "denied_lines": self.denied_lines,
            "sources": _sources(self.sources),
        }


@dataclass(frozen=True)
class MonthDenials:
    """Denials of one payer in one calendar month of payment."""

    payer: str
    month: str
    lines: int
    denied_lines: int
    denied_charges: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "payer": self.payer,
            "month": self.month,
            "lines": self.lines,
            "denied_lines": self.denied_lines,
            "denied_charges": cents(self.denied_charges),
        }


@dataclass(frozen=True)
class DenialReport:
    """Denial rates per payer, adjustment reasons ranked by dollars, and denials by month."""

    payers: tuple[PayerDenials, ...]
    reasons: tuple[ReasonTrend, ...]
    months: tuple[MonthDenials, ...]
    since: date | None = None
    until: date | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "payers": [p.to_json() for p in self.payers],
            "reasons": [r.to_json() for r in self.reasons],
            "months": [m.to_json() for m in self.months],
        }


def summarize_denials(
    claims: Sequence[SettledClaim],
    reasons: ReasonCodes,
    since: date | None = None,
    until: date | None = None,
) -> DenialReport:
    """Denials and every CAS adjustment, by payer, by group + reason and by month.

    A line is denied when the claim is denied (CLP02 = 4) or nothing was allowed on a charge
    (no payment, no patient responsibility). Denial counts cover claims the payer adjudicated
    as primary or denied; adjustment reasons cover every claim that stands.
    """
    payer_rows: dict[str, list[Any]] = {}
    reason_rows: dict[tuple[str, str, str], list[Any]] = {}
    month_rows: dict[tuple[str, str], list[Any]] = {}
    for settled in claims:
        claim = settled.claim
        for adj in claim.adjustments:
            _add_reason(reason_rows, settled, adj.group, adj.reason, adj.amount, denied=False)
        counted = claim.status in PRIMARY_STATUSES or claim.status == DENIED_STATUS
        row = payer_rows.setdefault(settled.payer, [0, 0, 0, 0, ZERO, ZERO, []])
        month = settled.payment_date.strftime("%Y-%m") if settled.payment_date else "unknown"
        mrow = month_rows.setdefault((settled.payer, month), [0, 0, ZERO])
        if counted:
            row[0] += 1
            row[4] += claim.charge
            if _is_denied_claim(claim):
                row[1] += 1
                if len(row[6]) < MAX_SOURCES:
                    row[6].append(settled.cite)
        for line in claim.lines:
            denied = counted and _is_denied_line(claim, line)
            for adj in line.adjustments:
                _add_reason(reason_rows, settled, adj.group, adj.reason, adj.amount, denied)
            if counted:
                row[2] += 1
                mrow[0] += 1
            if denied:
                row[3] += 1
                row[5] += line.charge
                mrow[1] += 1
                mrow[2] += line.charge
        if counted and not claim.lines and _is_denied_claim(claim):
            row[5] += claim.charge
            mrow[2] += claim.charge
    payers = tuple(
        PayerDenials(payer, r[0], r[1], r[2], r[3], r[4], r[5], tuple(r[6]))
        for payer, r in sorted(payer_rows.items())
    )
    trends = sorted(
        (
            ReasonTrend(
                payer, group, reason, reasons.describe(reason), r[0], r[1], r[2], tuple(r[3])
            )
            for (payer, group, reason), r in reason_rows.items()
        ),
        key=lambda t: (t.payer, -t.amount, t.group, t.reason),
    )
    months = tuple(
        MonthDenials(payer, month, r[0], r[1], r[2])
        for (payer, month), r in sorted(month_rows.items())
        if r[0] or r[2]
    )
    return DenialReport(payers, tuple(trends), months, since, until)


def _add_reason(
    rows: dict[tuple[str, str, str], list[Any]],
    settled: SettledClaim,
    group: str,
    reason: str,
    amount: Decimal,
    denied: bool,
) -> None:
    row = rows.setdefault((settled.payer, group, reason), [0, ZERO, 0, []])
    row[0] += 1
    row[1] += amount
    row[2] += int(denied)
    if len(row[3]) < MAX_SOURCES and settled.cite not in row[3]:
        row[3].append(settled.cite)
