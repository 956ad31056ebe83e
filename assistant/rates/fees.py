"""Importers for the practice's own files: payer fee schedules, annual volumes, rate surveys."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from assistant.errors import InputError
from assistant.rates.codes import Key, normalize_code, normalize_modifier
from assistant.rates.money import cents, parse_decimal
from assistant.rates.store import RateStore, ScheduleInfo
from assistant.rates.tables import Column, Row, RowErrors, read_table

CODE = Column("code", ("code", "cpt", "hcpcs", "procedure_code", "cpt_code", "hcpcs_code"))
MODIFIER = Column("modifier", ("modifier", "mod"), required=False)
RATE = Column("rate", ("rate", "allowed", "allowable", "fee", "amount"))
DESCRIPTION = Column("description", ("description", "desc"), required=False)
PAYER = Column("payer", ("payer", "payor", "insurance", "plan"))
UNITS = Column("units", ("units", "volume", "count", "frequency"))


@dataclass(frozen=True)
class RateFile:
    """Rates read from a fee schedule or survey file, ready to store."""

    rates: dict[Key, Decimal]
    descriptions: dict[Key, str]


@dataclass(frozen=True)
class VolumeFile:
    """Annual units per payer read from a volumes file; `merged` counts repeated rows summed."""

    units: dict[str, dict[Key, Decimal]]
    merged: int


def read_rate_file(path: Path, *, allow_zero: bool = True) -> RateFile:
    """Read a code[,modifier],rate[,description] table; all bad rows raise together."""
    errors = RowErrors(path)
    rates: dict[Key, Decimal] = {}
    first_row: dict[Key, int] = {}
    descriptions: dict[Key, str] = {}
    for row in read_table(path, (CODE, MODIFIER, RATE, DESCRIPTION)):
        parsed = _keyed_number(row, "rate", errors)
        if parsed is None:
            continue
        key, rate = parsed[0], cents(parsed[1])
        if rate == 0 and not allow_zero:
            errors.add(row.number, "rate is 0.00 (a benchmark rate must be above zero)")
            continue
        if key in rates:
            if rates[key] != rate:
                errors.add(
                    row.number,
                    f"{_label(key)} is listed again with {rate} "
                    f"(row {first_row[key]} says {rates[key]})",
                )
            continue
        rates[key] = rate
        first_row[key] = row.number
        description = str(row.cells.get("description") or "").strip()
        if description:
            descriptions[key] = description
    errors.raise_if_any()
    if not rates:
        raise InputError(f"{path.name} has a header but no rates", "check the file")
    return RateFile(rates, descriptions)


def read_volume_file(path: Path) -> VolumeFile:
    """Read payer,code[,modifier],units rows; repeated rows (e.g. per provider) are summed."""
    errors = RowErrors(path)
    units: dict[str, dict[Key, Decimal]] = {}
    merged = 0
    for row in read_table(path, (PAYER, CODE, MODIFIER, UNITS)):
        payer = str(row.cells["payer"] or "").strip()
        parsed = _keyed_number(row, "units", errors)
        if parsed is None:
            continue
        key, count = parsed
        if not payer:
            errors.add(row.number, "payer is empty")
            continue
        per_payer = units.setdefault(payer, {})
        if key in per_payer:
            merged += 1
        per_payer[key] = per_payer.get(key, Decimal(0)) + count
    errors.raise_if_any()
    if not units:
        raise InputError(f"{path.name} has a header but no volumes", "check the file")
    return VolumeFile(units, merged)


def import_fees(
    store: RateStore, path: Path, payer: str, effective: str | None = None
) -> ScheduleInfo:
    """Replace the payer's current schedule with the file's (the old one is kept as history)."""
    parsed = read_rate_file(path)
    return store.replace_fee_schedule(
        payer, parsed.rates, source=path.name, effective=effective, descriptions=parsed.descriptions
    )


def import_volumes(store: RateStore, path: Path) -> dict[str, int]:
    """Replace the annual volumes of every payer in the file; payer -> codes imported.

    Each payer must already have a fee schedule: units without rates cannot be analysed, and
    a misspelt payer would otherwise be created silently.
    """
    parsed = read_volume_file(path)
    unknown = [
        name
        for name in parsed.units
        if (canonical := store.find_payer(name)) is None or not store.has_fee_schedule(canonical)
    ]
    if unknown:
        raise InputError(
            f"{path.name}: no fee schedule for payer(s) {', '.join(sorted(unknown))}; "
            "nothing imported",
            "import each payer's fee schedule first with "
            "`payer-assistant import fees FILE --payer NAME` (or fix the payer names)",
        )
    # "UHC" and "UnitedHealthcare" rows are one payer's volumes.
    by_payer: dict[str, dict[Key, Decimal]] = {}
    for name, units in parsed.units.items():
        merged = by_payer.setdefault(store.resolve_payer(name), {})
        for key, count in units.items():
            merged[key] = merged.get(key, Decimal(0)) + count
    with store.writing():
        for canonical, units in by_payer.items():
            store.replace_volumes(canonical, units, source=path.name)
    return {canonical: len(units) for canonical, units in by_payer.items()}


def import_survey(store: RateStore, path: Path, name: str) -> int:
    """Store a consultant's market survey (code[,modifier],rate) as benchmark `name`."""
    parsed = read_rate_file(path, allow_zero=False)
    store.replace_benchmark(name, "survey", parsed.rates, source=path.name)
    return len(parsed.rates)


def _keyed_number(row: Row, column: str, errors: RowErrors) -> tuple[Key, Decimal] | None:
    """The row's (code, modifier) and its number in `column`; None after recording an error."""
    try:
        key = (normalize_code(row.cells["code"]), normalize_modifier(row.cells.get("modifier")))
        return key, parse_decimal(row.cells[column])
    except InputError as exc:
        errors.add(row.number, exc.message)
    except ValueError as exc:
        errors.add(row.number, f"{column} {exc}")
    return None


def _label(key: Key) -> str:
    code, modifier = key
    return f"{code}-{modifier}" if modifier else code
