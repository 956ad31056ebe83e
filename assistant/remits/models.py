"""The values a parsed 835 remittance is made of: payments, claims, service lines, adjustments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal("0")

# CLP02 claim status codes that mean "this payer adjudicated the claim as primary".
PRIMARY_STATUSES = frozenset({"1", "19"})
DENIED_STATUS = "4"
REVERSAL_STATUS = "22"


@dataclass(frozen=True)
class Adjustment:
    """One CAS triple: group (CO, PR, OA, PI, CR), CARC reason code and amount (+ units)."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(frozen=True)
class ServiceLine:
    """One SVC loop. `units` defaults to 1 when SVC05 is empty, as the 835 guide says."""

    qualifier: str
    code: str
    modifiers: tuple[str, ...]
    charge: Decimal
    paid: Decimal
    units: Decimal
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[str, ...] = ()

    @property
    def modifier(self) -> str:
        """The pricing modifier fee schedules are keyed by (the first one), "" when none."""
        return self.modifiers[0] if self.modifiers else ""

    @property
    def patient_responsibility(self) -> Decimal:
        return sum((a.amount for a in self.adjustments if a.group == "PR"), ZERO)

    @property
    def allowed(self) -> Decimal:
        """What the payer allowed: its payment plus what it assigned to the patient."""
        return self.paid + self.patient_responsibility


@dataclass(frozen=True)
class Claim:
    """One CLP loop. `claim_id` is the practice's claim (patient control) number, CLP01."""

    claim_id: str
    status: str
    charge: Decimal
    paid: Decimal
    patient_resp: Decimal
    filing_indicator: str
    payer_claim_control: str
    adjustments: tuple[Adjustment, ...] = ()
    lines: tuple[ServiceLine, ...] = ()
    remarks: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProviderAdjustment:
    """One PLB reason/amount pair: interest (L6), recoupment (WO), withholding (CV) and so on."""

    reason: str
    reference: str
    amount: Decimal


@dataclass(frozen=True)
class Remittance:
    """One 835 transaction (ST…SE): a single payment from one payer to one payee."""

    source: str
    version: str
    payer_name: str
    payer_id: str
    payee_name: str
    payee_id: str
    trace_number: str
    payment_method: str
    total_paid: Decimal
    payment_date: date | None
    claims: tuple[Claim, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def claims_paid(self) -> Decimal:
        return sum((c.paid for c in self.claims), ZERO)

    @property
    def provider_adjustment_total(self) -> Decimal:
        return sum((p.amount for p in self.provider_adjustments), ZERO)

    @property
    def imbalance(self) -> Decimal:
        """BPR02 − (Σ CLP04 − Σ PLB); zero when the payment reconciles."""
        return self.total_paid - (self.claims_paid - self.provider_adjustment_total)

    @property
    def line_count(self) -> int:
        return sum(len(c.lines) for c in self.claims)


@dataclass(frozen=True)
class Payment:
    """A stored remittance and the payer name analyses group it under (--payer or N1*PR)."""

    payer: str
    remittance: Remittance
