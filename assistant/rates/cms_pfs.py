"""The Medicare benchmark from CMS Physician Fee Schedule files (PPRRVU and GPCI).

Payment = (work RVU × PW GPCI + PE RVU × PE GPCI + MP RVU × MP GPCI) × CF, rounded to cents;
national (every GPCI 1.0) when no locality is chosen. Columns are found by their header names,
so both the 2025 layout and the 2026 one (an extra PRIC IND column) import.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from assistant.errors import InputError, NotFoundError
from assistant.rates.codes import Key, normalize_code, normalize_modifier
from assistant.rates.money import cents
from assistant.rates.store import RateStore, RvuComponents

SETTINGS = ("nonfacility", "facility")

# A paid under the PFS, R restricted, T paid only without other services that day; N is not
# covered by Medicare but CMS publishes its RVUs, and commercial contracts price preventive
# visits (99381-99397) from them, so they belong in a benchmark for commercial negotiation.
PRICED_STATUSES = frozenset({"A", "R", "T", "N"})

RVU_COLUMNS = {
    "code": "HCPCS",
    "modifier": "MOD",
    "status": "STATUS CODE",
    "work": "WORK RVU",
    "pe_nonfacility": "NON-FAC PE RVU",
    "nonfacility_na": "NON-FAC NA INDICATOR",
    "pe_facility": "FACILITY PE RVU",
    "mp": "MP RVU",
    "cf": "CONV FACTOR",
}
HEADER_LINES = 5
FULL_FILE_PRICED_CODES = 9000
"""A complete PPRRVU file prices about 9,500 codes (2025: 9,577); far fewer means a cut file."""
CF_RANGE = (Decimal(10), Decimal(100))
"""Plausible conversion factors (Medicare's has been 32–38 dollars since 2000)."""
MAX_RVU = Decimal(10_000)
GPCI_RANGE = (Decimal("0.1"), Decimal(10))


@dataclass(frozen=True)
class RvuRow:
    """One code's relative values from PPRRVU."""

    code: str
    modifier: str
    status: str
    work: Decimal
    pe_nonfacility: Decimal
    pe_facility: Decimal
    mp: Decimal
    nonfacility_na: bool
    conversion_factor: Decimal


@dataclass(frozen=True)
class RvuFile:
    """The rows of a PPRRVU file and what its banner says about it."""

    title: str
    rows: tuple[RvuRow, ...]
    short_rows: int = 0
    """Rows with fewer cells than the header (a file cut mid-line ends with one)."""

    @property
    def conversion_factor(self) -> Decimal:
        """The file's conversion factor (the most common one; every row carries it)."""
        counts = Counter(r.conversion_factor for r in self.rows if r.conversion_factor > 0)
        if not counts:
            raise InputError("the RVU file has no conversion factor", "pass --cf")
        return check_conversion_factor(counts.most_common(1)[0][0], f"{self.title}: CONV FACTOR")


def check_conversion_factor(value: Decimal, what: str = "--cf") -> Decimal:
    """`value` when it is a plausible conversion factor (10–100 dollars); InputError otherwise."""
    low, high = CF_RANGE
    if not value.is_finite() or not low <= value <= high:
        raise InputError(
            f"{what} {value} is not a plausible conversion factor (expected {low}–{high} dollars)",
            "use the CF CMS published for the year (the RVU file's CONV FACTOR), or leave --cf out "
            "to use the file's",
        )
    return value


@dataclass(frozen=True)
class Gpci:
    """Geographic practice cost indices of one Medicare locality."""

    mac: str
    state: str
    locality: str
    name: str
    pw: Decimal
    pe: Decimal
    mp: Decimal

    @property
    def id(self) -> str:
        return f"{self.mac}-{self.locality}"

    def describe(self) -> str:
        return f"{self.name.title()} ({self.state}, MAC {self.mac} locality {self.locality})"


NATIONAL = Gpci("", "", "", "NATIONAL", Decimal(1), Decimal(1), Decimal(1))


def _open_csv(path: Path) -> list[list[str]]:
    if not path.is_file():
        raise InputError(f"File not found: {path}", "check the path and try again")
    # Only numeric columns are read; a stray byte in a descriptor must not stop the import.
    try:
        with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
            return list(csv.reader(handle))
    except csv.Error as exc:
        raise InputError(
            f"{path.name} is not a readable CSV ({exc})",
            "use the unmodified CSV from the CMS PFS Relative Value Files zip",
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read {path.name}: {exc.strerror or exc}") from None


def _flat(text: str) -> str:
    return " ".join(text.split()).upper()


def _number(text: str, what: str) -> Decimal:
    cleaned = text.strip()
    if cleaned == "":
        return Decimal(0)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{what} '{cleaned}' is not a number") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"{what} '{cleaned}' is not a non-negative number")
    if value > MAX_RVU:
        raise ValueError(f"{what} '{cleaned}' is above {MAX_RVU:,}, not a plausible value")
    return value


def read_rvu_file(path: Path) -> RvuFile:
    """Parse a CMS PPRRVU CSV; InputError when its layout is not one we know."""
    lines = _open_csv(path)
    header_at = next(
        (i for i, cells in enumerate(lines[:40]) if cells and _flat(cells[0]) == "HCPCS"), None
    )
    if header_at is None:
        raise InputError(
            f"{path.name} is not a CMS PPRRVU file: no 'HCPCS,MOD,…' header row in its first "
            "40 lines",
            "use the PPRRVU*.csv from the CMS PFS Relative Value Files zip",
        )
    block = lines[max(0, header_at - HEADER_LINES + 1) : header_at + 1]
    width = len(lines[header_at])
    names = [
        " ".join(_flat(r[i]) for r in block if i < len(r) and r[i].strip()) for i in range(width)
    ]
    index: dict[str, int] = {}
    for field, wanted in RVU_COLUMNS.items():
        if wanted in names:
            index[field] = names.index(wanted)
    absent = [RVU_COLUMNS[f] for f in RVU_COLUMNS if f not in index]
    if absent:
        raise InputError(
            f"{path.name}: unknown CMS RVU layout, columns not found: {', '.join(absent)} "
            f"(found: {', '.join(n for n in names if n)})",
            "use a PPRRVU file from the 2025 or 2026 CMS PFS Relative Value Files",
        )
    title = next((c.strip() for c in (lines[0] if lines else []) if c.strip()), path.name)
    rows: list[RvuRow] = []
    errors: list[str] = []
    short = 0
    for number, cells in enumerate(lines[header_at + 1 :], start=header_at + 2):
        if not cells or not cells[0].strip():
            continue
        if len(cells) < width:
            short += 1
            continue
        try:
            rows.append(
                RvuRow(
                    code=normalize_code(cells[index["code"]]),
                    modifier=normalize_modifier(cells[index["modifier"]]),
                    status=cells[index["status"]].strip().upper(),
                    work=_number(cells[index["work"]], "work RVU"),
                    pe_nonfacility=_number(cells[index["pe_nonfacility"]], "non-facility PE RVU"),
                    pe_facility=_number(cells[index["pe_facility"]], "facility PE RVU"),
                    mp=_number(cells[index["mp"]], "MP RVU"),
                    nonfacility_na=cells[index["nonfacility_na"]].strip().upper() == "NA",
                    conversion_factor=_number(cells[index["cf"]], "conversion factor"),
                )
            )
        except InputError as exc:
            errors.append(f"row {number}: {exc.message}")
        except ValueError as exc:
            errors.append(f"row {number}: {exc}")
    if errors:
        raise InputError(
            f"{path.name}: {len(errors)} bad row(s), nothing imported — " + "; ".join(errors[:10]),
            "is this an unmodified CMS PPRRVU file?",
        )
    if not rows:
        raise InputError(f"{path.name} has the PPRRVU header but no code rows")
    return RvuFile(title, tuple(rows), short)


def read_gpci_file(path: Path) -> tuple[Gpci, ...]:
    """Parse a CMS GPCI file (Addendum E); footnote lines after the table are ignored."""
    lines = _open_csv(path)
    header_at = next(
        (
            i
            for i, cells in enumerate(lines[:20])
            if any("LOCALITY NUMBER" in _flat(c) for c in cells)
        ),
        None,
    )
    if header_at is None:
        raise InputError(
            f"{path.name} is not a CMS GPCI file: no 'Locality Number' header",
            "use GPCI20XX.csv (Addendum E) from the CMS PFS Relative Value Files",
        )
    names = [_flat(c) for c in lines[header_at]]

    def column(*needles: str) -> int:
        for i, name in enumerate(names):
            if all(n in name for n in needles):
                return i
        raise InputError(
            f"{path.name}: no '{' '.join(needles)}' column (found: {', '.join(names)})",
            "use an unmodified CMS GPCI file",
        )

    cols = (
        column("MEDICARE ADMINISTRATIVE CONTRACTOR"),
        column("STATE"),
        column("LOCALITY NUMBER"),
        column("LOCALITY NAME"),
        column("PW GPCI"),
        column("PE GPCI"),
        column("MP GPCI"),
    )
    localities: list[Gpci] = []
    for cells in lines[header_at + 1 :]:
        if len(cells) <= max(cols):
            continue
        mac, state, number, name, pw, pe, mp = (cells[i].strip() for i in cols)
        try:
            indices = [Decimal(v) for v in (pw, pe, mp)]
        except InvalidOperation:
            continue
        if not (mac and number):
            continue
        low, high = GPCI_RANGE
        if not all(i.is_finite() and low <= i <= high for i in indices):
            raise InputError(
                f"{path.name}: locality {mac}-{number} has GPCIs {pw}, {pe}, {mp}; "
                f"each must be between {low} and {high}",
                "use an unmodified CMS GPCI file",
            )
        localities.append(Gpci(mac, state, number, name, *indices))
    if not localities:
        raise InputError(f"{path.name} has a GPCI header but no localities")
    return tuple(localities)


def find_locality(localities: Sequence[Gpci], query: str) -> Gpci:
    """A locality by 'MAC-LOCALITY' (02402-02), 'STATE-LOCALITY' (WA-02) or name (Seattle)."""
    text = query.strip().upper()
    exact = [
        g
        for g in localities
        if text in (g.id, f"{g.state}-{g.locality}", _flat(g.name).rstrip("*"))
    ]
    matches = exact or [g for g in localities if re.search(re.escape(text), _flat(g.name))]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFoundError(
            f"No Medicare locality matches '{query}'",
            "give MAC-LOCALITY (e.g. 02402-02), STATE-LOCALITY (WA-02) or part of the name",
        )
    listed = "; ".join(f"{g.id} {g.name}" for g in matches[:12])
    raise InputError(f"'{query}' matches {len(matches)} localities: {listed}", "be more specific")


def payment(row: RvuRow, gpci: Gpci, setting: str, conversion_factor: Decimal) -> Decimal:
    """Medicare's allowed amount for one code, rounded to cents.

    A non-facility 'NA' means CMS set no office price because the service is rarely done
    there; Medicare then pays the facility rate, so the facility PE RVU is used.
    """
    use_facility = setting == "facility" or row.nonfacility_na
    pe = row.pe_facility if use_facility else row.pe_nonfacility
    total = row.work * gpci.pw + pe * gpci.pe + row.mp * gpci.mp
    return cents(total * conversion_factor)


def medicare_rates(
    rows: Iterable[RvuRow],
    gpci: Gpci = NATIONAL,
    setting: str = "nonfacility",
    conversion_factor: Decimal | None = None,
) -> dict[Key, Decimal]:
    """(code, modifier) -> payment for every priced status with a payment above zero."""
    if setting not in SETTINGS:
        raise InputError(f"unknown setting '{setting}'", "use nonfacility or facility")
    rates: dict[Key, Decimal] = {}
    for row in rows:
        if row.status not in PRICED_STATUSES:
            continue
        amount = payment(row, gpci, setting, conversion_factor or row.conversion_factor)
        if amount > 0:
            rates[(row.code, row.modifier)] = amount
    return rates


@dataclass(frozen=True)
class MedicareImport:
    """What `import medicare` stored."""

    name: str
    title: str
    locality: str
    setting: str
    conversion_factor: Decimal
    codes: int
    skipped_by_status: dict[str, int]
    warnings: tuple[str, ...] = ()


def import_medicare(
    store: RateStore,
    rvu_path: Path,
    *,
    gpci_path: Path | None = None,
    locality: str | None = None,
    setting: str = "nonfacility",
    conversion_factor: Decimal | None = None,
    name: str = "medicare",
) -> MedicareImport:
    """Compute Medicare rates from the RVU (and GPCI) files and store them as benchmark `name`."""
    if (gpci_path is None) != (locality is None):
        raise InputError(
            "--gpci and --locality go together",
            "give both for a local fee schedule, or neither for national rates",
        )
    if conversion_factor is not None:
        check_conversion_factor(conversion_factor)
    rvus = read_rvu_file(rvu_path)
    warnings: list[str] = []
    gpci = NATIONAL
    if gpci_path is not None and locality is not None:
        gpci = find_locality(read_gpci_file(gpci_path), locality)
        years = (_year(rvus.title, rvu_path.name), _year_of_file(gpci_path))
        if None not in years and years[0] != years[1]:
            warnings.append(
                f"{rvu_path.name} is the {years[0]} fee schedule but {gpci_path.name} holds "
                f"{years[1]} GPCIs: rates mix two years (use the GPCI file of {years[0]})"
            )
    cf = conversion_factor if conversion_factor is not None else rvus.conversion_factor
    rates = medicare_rates(rvus.rows, gpci, setting, cf)
    skipped = Counter(r.status for r in rvus.rows if r.status not in PRICED_STATUSES)
    if rvus.short_rows:
        warnings.append(
            f"{rvu_path.name}: {rvus.short_rows} row(s) with fewer cells than the header were "
            "skipped (a file cut mid-line ends with one)"
        )
    if len(rates) < FULL_FILE_PRICED_CODES:
        warnings.append(
            f"{rvu_path.name}: only {len(rates):,} priced codes from {len(rvus.rows):,} rows; "
            f"a complete CMS PPRRVU file prices about {FULL_FILE_PRICED_CODES:,}+ — is the "
            "file truncated? Codes it lacks have no Medicare benchmark"
        )
    where = "national" if gpci is NATIONAL else gpci.describe()
    # The RVU components are kept beside the rates for cost estimates; both or neither.
    with store.writing():
        store.replace_benchmark(
            name,
            "medicare",
            rates,
            source=rvu_path.name,
            details={
                "title": rvus.title,
                "locality": where,
                "setting": setting,
                "conversion_factor": str(cf),
                "gpci_file": gpci_path.name if gpci_path else None,
            },
        )
        store.replace_rvu_components(
            name,
            {
                (r.code, r.modifier): RvuComponents(r.work, r.pe_nonfacility, r.pe_facility, r.mp)
                for r in rvus.rows
                if (r.code, r.modifier) in rates
            },
        )
    return MedicareImport(
        name, rvus.title, where, setting, cf, len(rates), dict(skipped), tuple(warnings)
    )


def _year(*texts: str) -> str | None:
    for text in texts:
        found = re.search(r"(?<!\d)(20\d\d)(?!\d)", text) or re.search(r"RVU(\d\d)", text)
        if found:
            year = found.group(1)
            return year if len(year) == 4 else f"20{year}"
    return None


def _year_of_file(path: Path) -> str | None:
    """The year a GPCI file is for: its banner ('FINAL CY 2026 …'), else its name."""
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as handle:
            banner = handle.readline()
    except OSError:
        banner = ""
    return _year(banner, path.name)
