"""Reading user spreadsheets (CSV or XLSX): header aliases, row numbers, all-or-nothing errors."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import InputError

HEADER_SEARCH_ROWS = 20
MAX_LISTED_ERRORS = 10


@dataclass(frozen=True)
class Column:
    """A column an importer reads, the header names it accepts, and whether it must be there."""

    name: str
    aliases: tuple[str, ...]
    required: bool = True


@dataclass(frozen=True)
class Row:
    """A data row: its 1-based line (or sheet row) number and its cells by column name."""

    number: int
    cells: dict[str, object]


class RowErrors:
    """Collects bad rows so a file reports all of them at once and imports nothing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[str] = []

    def add(self, row: int, message: str) -> None:
        self.errors.append(f"row {row}: {message}")

    def raise_if_any(self) -> None:
        if not self.errors:
            return
        shown = "; ".join(self.errors[:MAX_LISTED_ERRORS])
        more = len(self.errors) - MAX_LISTED_ERRORS
        tail = f"; and {more} more" if more > 0 else ""
        raise InputError(
            f"{self.path.name}: {len(self.errors)} bad row(s), nothing imported — {shown}{tail}",
            "fix those rows and import the file again",
        )


def read_rows(
    path: Path, sheet: str | None = None, notes: list[str] | None = None
) -> Iterator[tuple[int, list[object]]]:
    """(row number, cells) for every non-empty row of a CSV or an XLSX sheet.

    A workbook is read from `sheet`, else its first sheet; other sheets holding data are
    named in `notes` (when given), never silently ignored.
    """
    if not path.is_file():
        raise InputError(f"File not found: {path}", "check the path and try again")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        yield from _xlsx_rows(path, sheet, notes)
    elif suffix in (".csv", ".txt", ".tsv", ""):
        if sheet is not None:
            raise InputError(f"{path.name}: --sheet applies to .xlsx workbooks, not CSV files")
        yield from _csv_rows(path)
    else:
        raise InputError(
            f"{path.name}: cannot read '{suffix}' files", "save the sheet as .csv or .xlsx"
        )


def _csv_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    from assistant.ingest.loaders import decode_text

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path.name}: {exc.strerror or exc}") from None
    text = decode_text(path.name, data)
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for number, cells in enumerate(reader, start=1):
            if any(c.strip() for c in cells):
                yield number, list(cells)
    except csv.Error as exc:
        raise InputError(
            f"{path.name}: not a readable CSV ({exc})", "export the sheet as CSV (UTF-8) or .xlsx"
        ) from None


def _xlsx_rows(
    path: Path, sheet: str | None, notes: list[str] | None
) -> Iterator[tuple[int, list[object]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError(
            f"{path.name} is not a readable .xlsx workbook ({exc})", "re-save it from Excel"
        ) from exc
    try:
        if not workbook.worksheets:
            raise InputError(f"{path.name}: the workbook has no sheets")
        if sheet is None:
            chosen = workbook.worksheets[0]
            others = [ws.title for ws in workbook.worksheets[1:] if _has_data(ws)]
            if others and notes is not None:
                notes.append(
                    f"{path.name}: read sheet '{chosen.title}'; sheet(s) "
                    f"{', '.join(repr(o) for o in others)} also hold data and were not read "
                    "(choose one with --sheet NAME)"
                )
        elif sheet in workbook.sheetnames:
            chosen = workbook[sheet]
        else:
            raise InputError(
                f"{path.name} has no sheet '{sheet}' (sheets: {', '.join(workbook.sheetnames)})",
                "give one of those names to --sheet",
            )
        try:
            for number, values in enumerate(chosen.iter_rows(values_only=True), start=1):
                cells = ["" if v is None else v for v in values]
                if any(str(c).strip() for c in cells):
                    yield number, cells
        except InputError:
            raise
        except Exception as exc:  # a damaged sheet XML fails while rows are read
            raise InputError(
                f"{path.name}: sheet '{chosen.title}' cannot be read ({exc})",
                "re-save it from Excel",
            ) from exc
    finally:
        workbook.close()


def _has_data(worksheet: object, rows: int = 50) -> bool:
    try:
        for values in itertools.islice(worksheet.iter_rows(values_only=True), rows):  # type: ignore[attr-defined]
            if any(v is not None and str(v).strip() for v in values):
                return True
    except Exception:  # noqa: BLE001 - an unreadable extra sheet is still worth naming
        return True
    return False


def _header_key(cell: object) -> str:
    return str(cell).strip().lower().replace(" ", "_").replace("-", "_")


def match_header(cells: Sequence[object], columns: Sequence[Column]) -> dict[str, int] | None:
    """Column name -> index when every required column is present in this row."""
    keys = [_header_key(c) for c in cells]
    found: dict[str, int] = {}
    for column in columns:
        for alias in column.aliases:
            if alias in keys:
                found[column.name] = keys.index(alias)
                break
    if all(c.name in found for c in columns if c.required):
        return found
    return None


def read_table(
    path: Path,
    columns: Sequence[Column],
    sheet: str | None = None,
    notes: list[str] | None = None,
) -> Iterator[Row]:
    """Rows of a table whose header (within the first rows) names the required columns.

    Banner lines above the header are skipped; unknown headers raise an InputError saying
    which columns were found and which are expected.
    """
    rows = read_rows(path, sheet, notes)
    seen: list[list[object]] = []
    mapping: dict[str, int] | None = None
    for _number, cells in rows:
        seen.append(cells)
        mapping = match_header(cells, columns)
        if mapping is not None or len(seen) >= HEADER_SEARCH_ROWS:
            break
    if mapping is None:
        found = ", ".join(str(c).strip() for c in seen[0] if str(c).strip()) if seen else ""
        raise InputError(
            f"{path.name}: no header row naming the expected columns "
            f"(found: {found or 'an empty file'})",
            "expected " + "; ".join(_describe(c) for c in columns),
        )
    for number, cells in rows:
        yield Row(
            number,
            {name: (cells[i] if i < len(cells) else "") for name, i in mapping.items()},
        )


def _describe(column: Column) -> str:
    names = "/".join(column.aliases)
    return f"{column.name} ({names})" + ("" if column.required else ", optional")
