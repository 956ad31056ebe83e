"""Reading X12 835 remittance files (5010 and 4010) with pyx12 into Remittance values."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from assistant.errors import InputError
from assistant.remits.models import (
    ZERO,
    Adjustment,
    Claim,
    ProviderAdjustment,
    Remittance,
    ServiceLine,
)

# Separators senders put in SVC01 by mistake when ISA16 declares another one (a LinuxForHealth
# sample uses ">" under ":"); recognised only right after a product/service qualifier.
_STRAY_COMPONENT_SEPARATORS = (">", ":", "^", "|", "\\", "!")
_PRODUCT_QUALIFIERS = frozenset({"AD", "ER", "HC", "HP", "IV", "N4", "NU", "WK", "ZZ"})

_MAX_AMOUNT = Decimal(10) ** 12
"""Far above any real remittance and below Decimal's 28 digits, so sums never overflow."""

_HINT = "check that this is the 835 file the payer or clearinghouse sent, complete and unedited"

Fields = list[list[str]]
"""A segment's elements after the segment id, each a list of its components."""


def read_remittances(path: Path) -> Iterator[Remittance]:
    """Yield each 835 transaction (ST…SE) of `path`; raise InputError naming file and segment.

    Consumers that store what they read must treat an exception mid-file as "refuse the whole
    file": transactions already yielded belong to a file that turned out to be broken.
    """
    import pyx12.errors
    import pyx12.x12file

    try:
        text = _decode(path.read_bytes())
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror}", "check the path") from exc
    try:
        reader = pyx12.x12file.X12Reader(io.StringIO(text, newline=""))
    except (pyx12.errors.X12Error, UnicodeDecodeError) as exc:
        raise InputError(f"{path.name} is not an X12 file: {exc}", _HINT) from exc
    except Exception as exc:  # noqa: BLE001 - pyx12 raises IndexError/ValueError on a short ISA
        raise InputError(f"{path.name} is not an X12 file ({type(exc).__name__})", _HINT) from exc
    with reader:
        subele = reader.subele_term or ":"
        builder: _TransactionBuilder | None = None
        group_version = ""
        number = 0
        try:
            for number, segment in enumerate(reader, start=1):
                fields = [[e.value for e in comp.elements] for comp in segment.elements]
                seg_id = segment.get_seg_id() or ""
                where = _Where(path.name, number, seg_id, segment)
                cosmetic = _check_reader_errors(reader.pop_errors(), where)
                if builder is not None:
                    builder.warnings.extend(cosmetic)
                if seg_id == "ST":
                    builder = _start_transaction(fields, where, group_version)
                elif seg_id == "SE":
                    if builder is None:
                        raise where.error("SE without a matching ST")
                    yield builder.finish(where)
                    builder = None
                elif seg_id == "GS":
                    _check_functional_group(fields, where)
                    group_version = _get(fields, 8)
                elif builder is not None:
                    builder.add(seg_id, fields, where, subele)
        except InputError:
            raise
        except (UnicodeDecodeError, pyx12.errors.X12Error) as exc:
            raise InputError(
                f"{path.name}: unreadable after segment {number} ({exc})", _HINT
            ) from exc
        except Exception as exc:  # noqa: BLE001 - pyx12 fails with builtin errors on odd segments
            raise InputError(
                f"{path.name}: segment {number + 1} cannot be read ({type(exc).__name__}: {exc})",
                _HINT,
            ) from exc
        reader.cleanup()
        problems = [message for _, _, message, _, _ in reader.pop_errors()]
        if builder is not None or any("missing" in p for p in problems):
            raise InputError(
                f"{path.name} is truncated: it ends after segment {number} without its "
                "SE/GE/IEA trailers",
                "ask the payer or clearinghouse to resend the complete file",
            )
        if number == 0:
            raise InputError(f"{path.name} holds no X12 segments", _HINT)


def _decode(data: bytes) -> str:
    """X12 text: UTF-8 when it decodes as such, else Latin-1 (accented names from older systems).

    Only names and free text can hold such bytes; amounts, codes and separators are ASCII, so
    reading a name's accent the wrong way never changes a figure.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


@dataclass(frozen=True)
class _Where:
    file: str
    number: int
    seg_id: str
    segment: object
    """The pyx12 segment, formatted only when an error shows it."""

    def error(self, problem: str) -> InputError:
        text = str(self.segment)
        shown = text if len(text) <= 80 else text[:77] + "..."
        return InputError(f"{self.file}, segment {self.number} ({shown}): {problem}", _HINT)


def _check_reader_errors(
    errors: list[tuple[str, str, str, str | None, int | None]], where: _Where
) -> list[str]:
    """Raise on a malformed segment; return warnings for cosmetic faults."""
    warnings = []
    for kind, code, message, _value, _line in errors:
        # Control-number and count mismatches, stray spaces and trailing separators do not
        # change what was paid; an invalid or empty segment does.
        if kind != "seg":
            continue
        if code == "SEG1" or "leading space" in message:
            warnings.append(f"segment {where.number}: {message}")
        else:
            raise where.error(message)
    return warnings


def _check_functional_group(fields: Fields, where: _Where) -> None:
    if _get(fields, 1) != "HP":
        raise where.error(
            f"functional group '{_get(fields, 1)}' is not HP (health care claim payment); "
            "this is not an 835 remittance"
        )


def _start_transaction(fields: Fields, where: _Where, group_version: str) -> _TransactionBuilder:
    kind = _get(fields, 1)
    if kind != "835":
        names = {"999": "a 999 acknowledgment", "837": "an 837 claim", "277": "a 277 status"}
        raise where.error(
            f"this is {names.get(kind, f'an X12 {kind} transaction')}, not an 835 remittance"
        )
    # 4010 has no ST03; the functional group's GS08 names the version there.
    return _TransactionBuilder(source=where.file, version=_get(fields, 3) or group_version)


@dataclass
class _ClaimBuilder:
    head: Claim
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    lines: list[_LineBuilder] = field(default_factory=list)

    def build(self) -> Claim:
        return Claim(
            claim_id=self.head.claim_id,
            status=self.head.status,
            charge=self.head.charge,
            paid=self.head.paid,
            patient_resp=self.head.patient_resp,
            filing_indicator=self.head.filing_indicator,
            payer_claim_control=self.head.payer_claim_control,
            adjustments=tuple(self.adjustments),
            lines=tuple(line.build() for line in self.lines),
            remarks=tuple(self.remarks),
        )


@dataclass
class _LineBuilder:
    head: ServiceLine
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)

    def build(self) -> ServiceLine:
        return ServiceLine(
            qualifier=self.head.qualifier,
            code=self.head.code,
            modifiers=self.head.modifiers,
            charge=self.head.charge,
            paid=self.head.paid,
            units=self.head.units,
            adjustments=tuple(self.adjustments),
            remarks=tuple(self.remarks),
        )


@dataclass
class _TransactionBuilder:
    source: str
    version: str
    payer_name: str = ""
    payer_id: str = ""
    payee_name: str = ""
    payee_id: str = ""
    trace_number: str = ""
    payment_method: str = ""
    total_paid: Decimal | None = None
    payment_date: date | None = None
    production_date: date | None = None
    claims: list[_ClaimBuilder] = field(default_factory=list)
    provider_adjustments: list[ProviderAdjustment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    entity: str = ""

    def add(self, seg_id: str, fields: Fields, where: _Where, subele: str) -> None:
        handler = _HANDLERS.get(seg_id)
        if handler is not None:
            handler(self, fields, where, subele)

    def finish(self, where: _Where) -> Remittance:
        if self.total_paid is None:
            raise where.error("the transaction has no BPR payment segment")
        if not self.trace_number:
            raise where.error("the transaction has no TRN trace number")
        return Remittance(
            source=self.source,
            version=self.version,
            payer_name=self.payer_name,
            payer_id=self.payer_id,
            payee_name=self.payee_name,
            payee_id=self.payee_id,
            trace_number=self.trace_number,
            payment_method=self.payment_method,
            total_paid=self.total_paid,
            payment_date=self.payment_date or self.production_date,
            claims=tuple(c.build() for c in self.claims),
            provider_adjustments=tuple(self.provider_adjustments),
            warnings=tuple(self.warnings),
        )

    def _on_bpr(self, fields: Fields, where: _Where, subele: str) -> None:
        self.total_paid = _amount(fields, 2, where, "BPR02 total payment")
        self.payment_method = _get(fields, 4)
        raw = _get(fields, 16)
        self.payment_date = _date(raw)
        if raw and self.payment_date is None:
            self.warnings.append(
                f"segment {where.number}: BPR16 payment date '{raw}' is not a date; "
                "using the DTM*405 production date"
            )

    def _on_trn(self, fields: Fields, where: _Where, subele: str) -> None:
        if not self.trace_number:
            self.trace_number = _get(fields, 2)
            self.payer_id = _get(fields, 3)

    def _on_dtm(self, fields: Fields, where: _Where, subele: str) -> None:
        if _get(fields, 1) == "405":
            self.production_date = _date(_get(fields, 2))

    def _on_n1(self, fields: Fields, where: _Where, subele: str) -> None:
        self.entity = _get(fields, 1)
        if self.entity == "PR":
            self.payer_name = _get(fields, 2)
        elif self.entity == "PE":
            self.payee_name = _get(fields, 2)
            self.payee_id = _get(fields, 4)

    def _on_ref(self, fields: Fields, where: _Where, subele: str) -> None:
        # REF*2U is the payer's own identification number; TRN03 is only the originator.
        if self.entity == "PR" and not self.claims and _get(fields, 1) == "2U":
            self.payer_id = _get(fields, 2)

    def _on_clp(self, fields: Fields, where: _Where, subele: str) -> None:
        claim_id = _get(fields, 1)
        if not claim_id:
            raise where.error("CLP01 claim number is empty")
        head = Claim(
            claim_id=claim_id,
            status=_get(fields, 2),
            charge=_amount(fields, 3, where, "CLP03 charge"),
            paid=_amount(fields, 4, where, "CLP04 payment"),
            patient_resp=_optional_amount(fields, 5, where, "CLP05 patient responsibility"),
            filing_indicator=_get(fields, 6),
            payer_claim_control=_get(fields, 7),
        )
        self.claims.append(_ClaimBuilder(head))

    def _on_cas(self, fields: Fields, where: _Where, subele: str) -> None:
        claim = self._current_claim(where)
        group = _get(fields, 1)
        if not group:
            raise where.error("CAS01 adjustment group is empty")
        found = []
        for start in range(2, 20, 3):
            reason = _get(fields, start)
            if not reason:
                continue
            amount = _amount(fields, start + 1, where, f"CAS{start + 1:02d} amount")
            quantity = _optional_amount(fields, start + 2, where, "CAS quantity") or None
            found.append(Adjustment(group, reason, amount, quantity))
        if not found:
            raise where.error("CAS has no reason code and amount")
        target = claim.lines[-1].adjustments if claim.lines else claim.adjustments
        target.extend(found)

    def _on_svc(self, fields: Fields, where: _Where, subele: str) -> None:
        claim = self._current_claim(where)
        composite = fields[0] if fields else [""]
        if len(composite) == 1:
            composite = self._split_stray_separator(composite[0], where, subele)
        units = _optional_amount(fields, 5, where, "SVC05 units")
        head = ServiceLine(
            qualifier=composite[0],
            code=composite[1] if len(composite) > 1 else "",
            modifiers=tuple(m for m in composite[2:6] if m),
            charge=_amount(fields, 2, where, "SVC02 charge"),
            paid=_amount(fields, 3, where, "SVC03 payment"),
            units=units if _get(fields, 5) else Decimal(1),
        )
        claim.lines.append(_LineBuilder(head))

    def _split_stray_separator(self, value: str, where: _Where, subele: str) -> list[str]:
        for sep in _STRAY_COMPONENT_SEPARATORS:
            if sep != subele and value[2:3] == sep and value[:2] in _PRODUCT_QUALIFIERS:
                self.warnings.append(
                    f"segment {where.number}: SVC01 '{value}' uses '{sep}' as component "
                    f"separator while ISA16 declares '{subele}'; read it as '{sep}'"
                )
                return value.split(sep)
        return [value]

    def _on_lq(self, fields: Fields, where: _Where, subele: str) -> None:
        claim = self._current_claim(where)
        if claim.lines and _get(fields, 1) == "HE":
            claim.lines[-1].remarks.append(_get(fields, 2))

    def _on_moa(self, fields: Fields, where: _Where, subele: str) -> None:
        claim = self._current_claim(where)
        claim.remarks.extend(code for code in (_get(fields, i) for i in range(3, 8)) if code)

    def _on_mia(self, fields: Fields, where: _Where, subele: str) -> None:
        claim = self._current_claim(where)
        positions = (5, 20, 21, 22, 23)
        claim.remarks.extend(code for code in (_get(fields, i) for i in positions) if code)

    def _on_plb(self, fields: Fields, where: _Where, subele: str) -> None:
        for start in range(3, 14, 2):
            composite = fields[start - 1] if len(fields) >= start else []
            if not composite or not composite[0]:
                continue
            amount = _amount(fields, start + 1, where, f"PLB{start + 1:02d} amount")
            reference = composite[1] if len(composite) > 1 else ""
            self.provider_adjustments.append(ProviderAdjustment(composite[0], reference, amount))

    def _current_claim(self, where: _Where) -> _ClaimBuilder:
        if not self.claims:
            raise where.error(f"{where.seg_id} appears before any CLP claim")
        return self.claims[-1]


_HANDLERS = {
    "BPR": _TransactionBuilder._on_bpr,
    "TRN": _TransactionBuilder._on_trn,
    "DTM": _TransactionBuilder._on_dtm,
    "N1": _TransactionBuilder._on_n1,
    "REF": _TransactionBuilder._on_ref,
    "CLP": _TransactionBuilder._on_clp,
    "CAS": _TransactionBuilder._on_cas,
    "SVC": _TransactionBuilder._on_svc,
    "LQ": _TransactionBuilder._on_lq,
    "MOA": _TransactionBuilder._on_moa,
    "MIA": _TransactionBuilder._on_mia,
    "PLB": _TransactionBuilder._on_plb,
}


def _get(fields: Fields, position: int) -> str:
    """Element `position` (1-based, as X12 numbers them), first component, "" when absent."""
    if position > len(fields):
        return ""
    composite = fields[position - 1]
    return composite[0].strip() if composite else ""


def _amount(fields: Fields, position: int, where: _Where, name: str) -> Decimal:
    raw = _get(fields, position)
    if not raw:
        raise where.error(f"{name} is missing")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise where.error(f"{name} '{raw}' is not an amount") from None
    if not value.is_finite():
        raise where.error(f"{name} '{raw}' is not an amount")
    if abs(value) > _MAX_AMOUNT:
        raise where.error(f"{name} '{raw}' is beyond ±{_MAX_AMOUNT:,}, not a plausible amount")
    return value


def _optional_amount(fields: Fields, position: int, where: _Where, name: str) -> Decimal:
    return _amount(fields, position, where, name) if _get(fields, position) else ZERO


def _date(raw: str) -> date | None:
    if len(raw) != 8 or not raw.isdigit():
        return None
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        return None
