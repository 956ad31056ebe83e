"""Synthetic, PHI-free X12 835 remittances at practice scale, for tests, demos and benchmarks.

Every name, number and amount is invented from a seeded random generator; the same arguments
always produce the same files. Payments follow each payer's synthetic fee schedule, with a
chosen share of lines denied or allowed a little below contract, occasional reversals with
corrections, and provider-level interest or recoupments, so every analysis has work to do.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from assistant.remits.models import (
    Adjustment,
    Claim,
    ProviderAdjustment,
    Remittance,
    ServiceLine,
)

CENT = Decimal("0.01")

# (code, modifier, base rate, weight): a primary-care and cardiology mix; rates are invented.
SERVICES: tuple[tuple[str, str, Decimal, int], ...] = (
    ("99213", "", Decimal("92.40"), 30),
    ("99214", "", Decimal("131.10"), 22),
    ("99212", "", Decimal("57.30"), 6),
    ("99215", "", Decimal("184.70"), 4),
    ("99203", "", Decimal("110.20"), 4),
    ("99204", "", Decimal("168.90"), 3),
    ("99214", "25", Decimal("131.10"), 4),
    ("99396", "", Decimal("155.80"), 3),
    ("36415", "", Decimal("3.20"), 8),
    ("85025", "", Decimal("7.80"), 5),
    ("80053", "", Decimal("10.60"), 5),
    ("93000", "", Decimal("17.10"), 3),
    ("93010", "26", Decimal("8.40"), 2),
    ("96372", "", Decimal("14.20"), 3),
    ("90471", "", Decimal("17.90"), 2),
    ("20610", "", Decimal("64.70"), 1),
)
_WEIGHTS = [s[3] for s in SERVICES]
_DENIALS = (
    ("CO", "97", "M15"),
    ("CO", "16", "MA130"),
    ("CO", "50", "N95"),
    ("CO", "197", ""),
    ("CO", "29", ""),
    ("CO", "18", "N522"),
    ("PI", "204", "N130"),
)


@dataclass(frozen=True)
class PayerProfile:
    """A synthetic payer: its rates relative to the base, and how it misbehaves."""

    name: str
    payer_id: str
    rate_factor: Decimal
    underpay_share: float
    denial_share: float


DEFAULT_PAYERS: tuple[PayerProfile, ...] = (
    PayerProfile("Northwind Health Plan", "1111111111", Decimal("1.18"), 0.06, 0.05),
    PayerProfile("Bluewater Mutual", "2222222222", Decimal("1.05"), 0.02, 0.08),
    PayerProfile("Summit Care", "3333333333", Decimal("1.10"), 0.10, 0.04),
    PayerProfile("State Medicaid Synthetic", "4444444444", Decimal("0.72"), 0.01, 0.09),
    PayerProfile("Medicare Synthetic", "5555555555", Decimal("1.00"), 0.00, 0.03),
)


@dataclass(frozen=True)
class GeneratedFile:
    """One file the generator wrote, with the figures a test or benchmark checks against."""

    path: Path
    payer: str
    trace_number: str
    claims: int
    lines: int
    total_paid: Decimal


def fee_schedule(profile: PayerProfile) -> dict[tuple[str, str], Decimal]:
    """The payer's contracted rate per (code, modifier) that the generator pays against."""
    return {
        (code, modifier): (base * profile.rate_factor).quantize(CENT, ROUND_HALF_UP)
        for code, modifier, base, _ in SERVICES
    }


def make_remittance(
    rng: random.Random,
    profile: PayerProfile,
    trace_number: str,
    payment_date: date,
    claim_count: int,
    first_claim: int = 1,
    reverse: Sequence[Claim] = (),
) -> Remittance:
    """One payment of `claim_count` new claims, plus a reversal and correction of each `reverse`."""
    rates = fee_schedule(profile)
    claims: list[Claim] = []
    for original in reverse:
        claims.append(_reversal(original))
        claims.append(_corrected(original, rates))
    for number in range(first_claim, first_claim + claim_count):
        claims.append(_claim(rng, profile, rates, f"SYN{number:08d}", payment_date))
    adjustments: list[ProviderAdjustment] = []
    if rng.random() < 0.3:
        interest = -Decimal(rng.randint(100, 5000)) / 100
        adjustments.append(ProviderAdjustment("L6", "SYNINTEREST", interest))
    if rng.random() < 0.1:
        recoup = Decimal(rng.randint(1000, 20000)) / 100
        adjustments.append(ProviderAdjustment("WO", f"SYNRECOUP{trace_number}", recoup))
    claims_paid = sum((c.paid for c in claims), Decimal(0))
    plb_total = sum((p.amount for p in adjustments), Decimal(0))
    return Remittance(
        source="",
        version="005010X221A1",
        payer_name=profile.name.upper(),
        payer_id=profile.payer_id,
        payee_name="SYNTHETIC FAMILY PRACTICE",
        payee_id="1999999984",
        trace_number=trace_number,
        payment_method="ACH",
        total_paid=claims_paid - plb_total,
        payment_date=payment_date,
        claims=tuple(claims),
        provider_adjustments=tuple(adjustments),
    )


def _claim(
    rng: random.Random,
    profile: PayerProfile,
    rates: dict[tuple[str, str], Decimal],
    claim_id: str,
    service_date: date,
) -> Claim:
    picks = rng.choices(SERVICES, weights=_WEIGHTS, k=rng.choice((1, 1, 2, 2, 3, 4, 5)))
    lines = [_line(rng, profile, rates[(code, mod)], code, mod) for code, mod, _, _ in picks]
    denied = all(line.paid == 0 and line.patient_responsibility == 0 for line in lines)
    return Claim(
        claim_id=claim_id,
        status="4" if denied else "1",
        charge=sum((line.charge for line in lines), Decimal(0)),
        paid=sum((line.paid for line in lines), Decimal(0)),
        patient_resp=sum((line.patient_responsibility for line in lines), Decimal(0)),
        filing_indicator="CI",
        payer_claim_control=f"PCN{claim_id[3:]}{service_date:%y%m%d}",
        lines=tuple(lines),
    )


def _line(
    rng: random.Random, profile: PayerProfile, rate: Decimal, code: str, modifier: str
) -> ServiceLine:
    units = Decimal(rng.choice((1, 1, 1, 1, 2))) if code in {"36415", "96372"} else Decimal(1)
    charge = (rate * Decimal("1.9")).quantize(Decimal(1), ROUND_HALF_UP) * units
    if rng.random() < profile.denial_share:
        group, reason, remark = rng.choice(_DENIALS)
        return ServiceLine(
            "HC",
            code,
            (modifier,) if modifier else (),
            charge,
            Decimal(0),
            units,
            (Adjustment(group, reason, charge),),
            (remark,) if remark else (),
        )
    allowed = rate * units
    if rng.random() < profile.underpay_share:
        allowed -= (rate * Decimal(rng.randint(1, 8)) / 100).quantize(CENT, ROUND_HALF_UP)
    patient = Decimal(0)
    adjustments = [Adjustment("CO", "45", charge - allowed)]
    roll = rng.random()
    if roll < 0.08:
        patient = allowed
        adjustments.append(Adjustment("PR", "1", patient))
    elif roll < 0.35:
        patient = (allowed * Decimal("0.2")).quantize(CENT, ROUND_HALF_UP)
        adjustments.append(Adjustment("PR", "2", patient))
    elif roll < 0.5:
        patient = min(allowed, Decimal(25))
        adjustments.append(Adjustment("PR", "3", patient))
    return ServiceLine(
        "HC",
        code,
        (modifier,) if modifier else (),
        charge,
        allowed - patient,
        units,
        tuple(adjustments),
    )


def _negate(line: ServiceLine) -> ServiceLine:
    return replace(
        line,
        charge=-line.charge,
        paid=-line.paid,
        adjustments=tuple(replace(a, amount=-a.amount) for a in line.adjustments),
    )


def _reversal(original: Claim) -> Claim:
    return replace(
        original,
        status="22",
        charge=-original.charge,
        paid=-original.paid,
        patient_resp=-original.patient_resp,
        lines=tuple(_negate(line) for line in original.lines),
    )


def _corrected(original: Claim, rates: dict[tuple[str, str], Decimal]) -> Claim:
    """The original re-adjudicated at the full contracted rate, patient share unchanged."""
    lines = []
    for line in original.lines:
        allowed = rates[(line.code, line.modifier)] * line.units
        patient = min(line.patient_responsibility, allowed)
        adjustments = [Adjustment("CO", "45", line.charge - allowed)]
        adjustments += [a for a in line.adjustments if a.group == "PR"]
        lines.append(replace(line, paid=allowed - patient, adjustments=tuple(adjustments)))
    return replace(
        original,
        status="1",
        paid=sum((line.paid for line in lines), Decimal(0)),
        patient_resp=sum((line.patient_responsibility for line in lines), Decimal(0)),
        lines=tuple(lines),
    )


def render_835(remittance: Remittance, control_number: int = 1) -> str:
    """The remittance as X12 835 5010 text, one segment per line (separators * : ~)."""
    isa_date = remittance.payment_date or date(2024, 1, 1)
    segments = [
        f"ISA*00*{'':10}*00*{'':10}*ZZ*{'SYNPAYER':15}*ZZ*{'SYNPRACTICE':15}*"
        f"{isa_date:%y%m%d}*1200*^*00501*{control_number:09d}*0*P*:",
        f"GS*HP*SYNPAYER*SYNPRACTICE*{isa_date:%Y%m%d}*1200*{control_number}*X*005010X221A1",
        "ST*835*0001",
        f"BPR*I*{remittance.total_paid}*C*{remittance.payment_method}*CCP*01*999999992*DA*"
        f"123456*{remittance.payer_id}**01*999988880*DA*98765*{isa_date:%Y%m%d}",
        f"TRN*1*{remittance.trace_number}*{remittance.payer_id}",
        f"DTM*405*{isa_date:%Y%m%d}",
        f"N1*PR*{remittance.payer_name}",
        "N3*1 SYNTHETIC WAY",
        "N4*NOWHERE*MI*49000",
        f"N1*PE*{remittance.payee_name}*XX*{remittance.payee_id}",
        "LX*1",
    ]
    for claim in remittance.claims:
        segments.append(
            f"CLP*{claim.claim_id}*{claim.status}*{claim.charge}*{claim.paid}*"
            f"{claim.patient_resp}*{claim.filing_indicator}*{claim.payer_claim_control}*11*1"
        )
        segments += _cas_segments(claim.adjustments)
        segments.append("NM1*QC*1*PATIENT*SYNTHETIC****MI*SYN0000000")
        for line in claim.lines:
            procedure = ":".join((line.qualifier, line.code, *line.modifiers))
            segments.append(f"SVC*{procedure}*{line.charge}*{line.paid}**{line.units}")
            segments.append(f"DTM*472*{isa_date:%Y%m%d}")
            segments += _cas_segments(line.adjustments)
            segments += [f"LQ*HE*{remark}" for remark in line.remarks]
    if remittance.provider_adjustments:
        elements = "*".join(
            f"{p.reason}:{p.reference}*{p.amount}" if p.reference else f"{p.reason}*{p.amount}"
            for p in remittance.provider_adjustments
        )
        segments.append(f"PLB*{remittance.payee_id}*{isa_date:%Y}1231*{elements}")
    count = len(segments) - 2 + 1
    segments += [
        f"SE*{count}*0001",
        f"GE*1*{control_number}",
        f"IEA*1*{control_number:09d}",
    ]
    return "~\n".join(segments) + "~\n"


def _cas_segments(adjustments: Sequence[Adjustment]) -> list[str]:
    return [f"CAS*{a.group}*{a.reason}*{a.amount}" for a in adjustments]


def write_year(
    folder: Path,
    *,
    physicians: int = 20,
    year: int = 2024,
    seed: int = 835,
    lines_per_physician: int = 15_000,
    payers: Sequence[PayerProfile] = DEFAULT_PAYERS,
) -> list[GeneratedFile]:
    """Write a year of weekly remittances per payer into `folder`; return what was written.

    About `physicians × lines_per_physician` service lines in all (20 × 15,000 ≈ 300k lines,
    a busy primary-care group), split evenly across payers and 52 weekly payments.
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    claims_per_file = max(1, round(physicians * lines_per_physician / 2.6 / len(payers) / 52))
    written: list[GeneratedFile] = []
    next_claim = 1
    for index, profile in enumerate(payers):
        previous: tuple[Claim, ...] = ()
        for week in range(52):
            paid_on = date(year, 1, 5) + timedelta(weeks=week)
            reverse = [c for c in previous if c.status == "1" and rng.random() < 0.003]
            trace = f"{index + 1}{week + 1:03d}{rng.randint(0, 99999):05d}"
            remittance = make_remittance(
                rng, profile, trace, paid_on, claims_per_file, next_claim, reverse
            )
            next_claim += claims_per_file
            previous = remittance.claims
            path = folder / f"{profile.payer_id}_{paid_on:%Y%m%d}.835"
            path.write_text(render_835(remittance, len(written) + 1), encoding="ascii")
            written.append(
                GeneratedFile(
                    path,
                    profile.name,
                    trace,
                    len(remittance.claims),
                    remittance.line_count,
                    remittance.total_paid,
                )
            )
    return written
