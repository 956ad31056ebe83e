"""Importers for the practice's own files: payer fee schedules, annual volumes, rate surveys."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from assistant.errors import InputError
from assistant.rates.codes import Key, normalize_code, normalize_modifier
from assistant.rates.money import MAX_RATE, MAX_UNITS, cents, parse_decimal
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


def read_rate_file(
    path: Path,
    *,
    allow_zero: bool = True,
    decimal_comma: bool = False,
    sheet: str | None = None,
    notes: list[str] | None = None,
) -> RateFile:
    """Read a code[,modifier],rate[,description] table; all bad rows raise together.

    A rate must be a plain number from 0 to MAX_RATE a unit; `decimal_comma` reads '73,26'
    as 73.26 (without it such a cell is refused, never guessed).
    """
    errors = RowErrors(path)
    rates: dict[Key, Decimal] = {}
    first_row: dict[Key, int] = {}
    descriptions: dict[Key, str] = {}
    for row in read_table(path, (CODE, MODIFIER, RATE, DESCRIPTION), sheet, notes):
        parsed = _keyed_number(row, "rate", errors, decimal_comma, MAX_RATE)
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


def read_volume_file(
    path: Path,
    *,
    decimal_comma: bool = False,
    sheet: str | None = None,
    notes: list[str] | None = None,
) -> VolumeFile:
    """Read payer,code[,modifier],units rows; repeated rows (e.g. per provider) are summed."""
    errors = RowErrors(path)
    units: dict[str, dict[Key, Decimal]] = {}
    merged = 0
    for row in read_table(path, (PAYER, CODE, MODIFIER, UNITS), sheet, notes):
        payer = str(row.cells["payer"] or "").strip()
        parsed = _keyed_number(row, "units", errors, decimal_comma, MAX_UNITS)
        if parsed is None:
            continue
        key, count = parsed
        if not payer:
            errors.add(row.number, "payer is empty")
            continue
        per_payer = units.setdefault(payer, {})
        if key in per_payer:
            merged += 1
        total = per_payer.get(key, Decimal(0)) + count
        if total > MAX_UNITS:
            errors.add(row.number, f"units of {_label(key)} for {payer} sum above {MAX_UNITS:,}")
            continue
        per_payer[key] = total
    errors.raise_if_any()
    if not units:
        raise InputError(f"{path.name} has a header but no volumes", "check the file")
    return VolumeFile(units, merged)


def import_fees(
    store: RateStore,
    path: Path,
    payer: str,
    effective: str | None = None,
    *,
    decimal_comma: bool = False,
    sheet: str | None = None,
    notes: list[str] | None = None,
) -> ScheduleInfo:
    """Replace the payer's current schedule with the file's (the old one is kept as history).

    What was read but not imported (another sheet of the workbook) is added to `notes`.
    """
    parsed = read_rate_file(path, decimal_comma=decimal_comma, sheet=sheet, notes=notes)
    return store.replace_fee_schedule(
        payer, parsed.rates, source=path.name, effective=effective, descriptions=parsed.descriptions
    )


def import_volumes(
    store: RateStore,
    path: Path,
    *,
    decimal_comma: bool = False,
    sheet: str | None = None,
    notes: list[str] | None = None,
) -> dict[str, int]:
    """Replace the annual volumes of every payer in the file that has a fee schedule.

    Units without rates cannot be analysed, and a misspelt payer would otherwise be created
    silently: such payers are left out and named in `notes`; the others import. When no
    payer of the file has a fee schedule, nothing is imported and InputError says why.
    """
    parsed = read_volume_file(path, decimal_comma=decimal_comma, sheet=sheet, notes=notes)
    if parsed.merged and notes is not None:
        notes.append(
            f"{path.name}: {parsed.merged} repeated payer/code row(s) were added together "
            "(e.g. one row per provider)"
        )
    unknown = sorted(
        name
        for name in parsed.units
        if (canonical := store.find_payer(name)) is None or not store.has_fee_schedule(canonical)
    )
    fix = (
        "import each payer's fee schedule first with "
        "`payer-assistant import fees FILE --payer NAME` (or fix the payer names)"
    )
    if len(unknown) == len(parsed.units):
        raise InputError(
            f"{path.name}: no fee schedule for payer(s) {', '.join(unknown)}; nothing imported",
            fix,
        )
    if unknown and notes is not None:
        left_out = sum(len(parsed.units[name]) for name in unknown)
        notes.append(
            f"{path.name}: volumes of {', '.join(unknown)} not imported ({left_out} code(s)): "
            f"no fee schedule for them — {fix}, then import the volumes again"
        )
    # "UHC" and "UnitedHealthcare" rows are one payer's volumes.
    by_payer: dict[str, dict[Key, Decimal]] = {}
    for name, units in parsed.units.items():
        if name in unknown:
            continue
        merged = by_payer.setdefault(store.resolve_payer(name), {})
        for key, count in units.items():
            merged[key] = merged.get(key, Decimal(0)) + count
    with store.writing():
        for canonical, units in by_payer.items():
            store.replace_volumes(canonical, units, source=path.name)
    return {canonical: len(units) for canonical, units in by_payer.items()}


def import_survey(
    store: RateStore,
    path: Path,
    name: str,
    *,
    decimal_comma: bool = False,
    sheet: str | None = None,
    notes: list[str] | None = None,
) -> int:
    """Store a consultant's market survey (code[,modifier],rate) as benchmark `name`."""
    parsed = read_rate_file(
        path, allow_zero=False, decimal_comma=decimal_comma, sheet=sheet, notes=notes
    )
    store.replace_benchmark(name, "survey", parsed.rates, source=path.name)
    return len(parsed.rates)


def _keyed_number(
    row: Row, column: str, errors: RowErrors, decimal_comma: bool, maximum: Decimal
) -> tuple[Key, Decimal] | None:
    """The row's (code, modifier) and its number in `column`; None after recording an error."""
    try:
        key = (normalize_code(row.cells["code"]), normalize_modifier(row.cells.get("modifier")))
        value = parse_decimal(row.cells[column], decimal_comma=decimal_comma, maximum=maximum)
        return key, value
    except InputError as exc:
        errors.add(row.number, exc.message)
    except ValueError as exc:
        errors.add(row.number, f"{column} {exc}")
    return None


def _label(key: Key) -> str:
    code, modifier = key
    return f"{code}-{modifier}" if modifier else code
