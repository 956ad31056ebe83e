"""Proposal exhibits: read a payer's proposed fee exhibit (PDF, CSV, XLSX) and redline it.

The redline is pure: the current schedule, the proposed rates, the practice's volumes and the
bases each side states are arguments. A basis is what the rates are pegged to ("110% of the 2025
MPFS", "105% of the MPFS in effect"), read from the exhibit's own text and, for the current
side, from the contract review's quotes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from assistant.rates.codes import Key, lookup, normalize_code, normalize_modifier
from assistant.rates.models import units_number
from assistant.rates.money import cents, money_text, parse_decimal, pct_number, ratio_pct
from assistant.rates.tables import Column, RowErrors, read_rows, read_table

CODE = Column(
    "code", ("code", "cpt", "hcpcs", "procedure_code", "cpt_code", "hcpcs_code", "cpt/hcpcs")
)
MODIFIER = Column("modifier", ("modifier", "mod"), required=False)
RATE = Column(
    "rate",
    (
        "proposed_rate",
        "proposed",
        "new_rate",
        "rate",
        "allowed",
        "allowable",
        "fee",
        "amount",
        "proposed_allowed",
        "proposed_fee",
    ),
)

_PCT = r"(?:\(\s*(?P<p1>\d+(?:\.\d+)?)\s*%\s*\)|(?P<p2>\d+(?:\.\d+)?)\s*(?:%|percent))"
_BENCH = r"(?:MPFS|Medicare|RBRVS|CMS|fee schedule)"
_PCT_OF = re.compile(_PCT + r"\s+of\s+(?:the\s+)?(?P<rest>[^.;]{0,80})", re.IGNORECASE)
_YEAR = re.compile(
    r"\b(?:calendar year|CY|year)\s*(?P<y1>(?:19|20)\d\d)\b|\b(?P<y2>(?:19|20)\d\d)\s+"
    r"(?:Medicare|CMS|MPFS|RBRVS)\b",
    re.IGNORECASE,
)
_CURRENT = re.compile(
    r"\b(?:in effect|current|then[- ]current|prevailing|as updated|as published)\b", re.IGNORECASE
)
_LESSER = re.compile(r"\blesser of\b|\bwhichever is (?:less|lower)\b", re.IGNORECASE)
# A PDF table line: the code first, an optional modifier, then text, the last amount on the line.
_PDF_LINE = re.compile(
    r"^\s*(?P<code>\d{4}[0-9A-Z]|[A-Z]\d{4})(?:[\s\-]+(?P<mod>[0-9A-Z]{2})(?=\s))?"
    r"(?P<middle>.*?)\$?\s*(?P<rate>\d{1,3}(?:,\d{3})*(?:\.\d{2})|\d+\.\d{2})\s*$"
)


@dataclass(frozen=True)
class Basis:
    """What a schedule's rates are pegged to, each part with the sentence that says it."""

    pct: Decimal | None = None
    year: int | str | None = None
    lesser_of: bool = False
    quotes: tuple[tuple[str, int | None, str], ...] = ()
    """(source, page, quote) of each sentence the parts were read from."""

    def describe(self) -> str | None:
        if self.pct is None and self.year is None:
            return None
        pct = f"{self.pct.normalize():f}% of " if self.pct is not None else ""
        year = (
            "the MPFS in effect"
            if self.year == "current"
            else f"the {self.year} MPFS"
            if self.year is not None
            else "the MPFS (year not stated)"
        )
        return pct + year + ("; lesser of billed charges" if self.lesser_of else "")

    def to_json(self) -> dict[str, Any]:
        return {
            "description": self.describe(),
            "pct": None if self.pct is None else float(self.pct),
            "medicare_year": self.year,
            "lesser_of": self.lesser_of,
            "citations": [{"source": s, "page": p, "quote": q} for s, p, q in self.quotes],
        }


def read_basis(sentences: Iterable[tuple[str, int | None, str]]) -> Basis:
    """The basis stated across (source, page, sentence) triples; the first statement of each
    part wins."""
    pct: Decimal | None = None
    year: int | str | None = None
    lesser = False
    quotes: list[tuple[str, int | None, str]] = []
    for source, page, text in sentences:
        used = False
        found = _PCT_OF.search(text)
        if pct is None and found and re.search(_BENCH, found.group("rest"), re.IGNORECASE):
            pct = Decimal(found.group("p1") or found.group("p2"))
            used = True
        if year is None and re.search(_BENCH, text, re.IGNORECASE):
            if (y := _YEAR.search(text)) is not None:
                year = int(y.group("y1") or y.group("y2"))
                used = True
            elif _CURRENT.search(text):
                year = "current"
                used = True
        if not lesser and _LESSER.search(text):
            lesser = True
            used = True
        if used:
            quotes.append((source, page, text.strip()))
    return Basis(pct, year, lesser, tuple(quotes))


@dataclass(frozen=True)
class ProposalExhibit:
    """A proposed fee exhibit as read from its file."""

    source: str
    rates: Mapping[Key, Decimal] = field(hash=False)
    basis: Basis


def _sentences(text: str) -> list[str]:
    flat = re.sub(r"\s+", " ", text)
    return [s.strip() for s in re.split(r"(?<=[.;])\s+(?=[A-Z(])", flat) if s.strip()]


def read_proposal_file(path: Path) -> ProposalExhibit:
    """Read a proposed exhibit: CSV/XLSX with code[,modifier],rate columns, or a PDF table."""
    if not path.is_file():
        raise InputError(f"File not found: {path}", "check the path and try again")
    if path.suffix.lower() == ".pdf":
        return _read_pdf(path)
    return _read_sheet(path)


def _read_sheet(path: Path) -> ProposalExhibit:
    errors = RowErrors(path)
    rates: dict[Key, Decimal] = {}
    for row in read_table(path, (CODE, MODIFIER, RATE)):
        code_cell = str(row.cells.get("code") or "").strip()
        if not re.match(r"^[0-9A-Za-z]{5}", code_cell):
            continue  # notes under the table, e.g. "Rates are 105% of the current MPFS."
        try:
            key = (normalize_code(row.cells["code"]), normalize_modifier(row.cells.get("modifier")))
            rate = cents(parse_decimal(row.cells["rate"]))
        except InputError as exc:
            errors.add(row.number, exc.message)
            continue
        except ValueError as exc:
            errors.add(row.number, f"rate {exc}; expected an amount such as 95.12")
            continue
        if key in rates and rates[key] != rate:
            errors.add(row.number, f"{key[0]} is listed twice with different rates")
            continue
        rates[key] = rate
    errors.raise_if_any()
    if not rates:
        raise InputError(f"{path.name} has a header but no proposed rates", "check the file")
    # Text anywhere in the sheet (a title line, a note under the table) states the basis.
    text_cells = [
        (path.name, None, sentence)
        for _n, cells in read_rows(path)
        for cell in cells
        if isinstance(cell, str) and re.search(r"[A-Za-z]{4}", cell) and len(cell) > 12
        for sentence in _sentences(cell)
    ]
    return ProposalExhibit(path.name, rates, read_basis(text_cells))


def _read_pdf(path: Path) -> ProposalExhibit:
    from assistant.ingest.loaders import load_document

    document = load_document(path, ocr=False)
    rates: dict[Key, Decimal] = {}
    sentences: list[tuple[str, int | None, str]] = []
    for page in document.pages:
        prose: list[str] = []
        for line in page.text.splitlines():
            match = _PDF_LINE.match(line)
            if match:
                key = (match.group("code"), match.group("mod") or "")
                rates.setdefault(key, cents(Decimal(match.group("rate").replace(",", ""))))
            else:
                prose.append(line)
        sentences += [(path.name, page.number, s) for s in _sentences(" ".join(prose))]
    if not rates:
        raise InputError(
            f"{path.name}: no table rows of code and rate found in the PDF text",
            "each row must start with the CPT/HCPCS code and end with the rate (e.g. "
            "'99213  Office visit  95.12'); otherwise export the exhibit as CSV or XLSX",
        )
    return ProposalExhibit(path.name, rates, read_basis(sentences))


# The redline ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RedlineRow:
    """One code in both schedules: old and new rate, the change, its worth on our volumes."""

    code: str
    modifier: str
    old: Decimal
    new: Decimal
    units: Decimal

    @property
    def change(self) -> Decimal:
        return self.new - self.old

    @property
    def pct(self) -> Decimal | None:
        return ratio_pct(self.change, self.old)

    @property
    def worth(self) -> Decimal:
        return self.units * self.change

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "modifier": self.modifier,
            "old": money_text(self.old),
            "new": money_text(self.new),
            "change": money_text(self.change),
            "change_pct": pct_number(self.pct),
            "units": units_number(self.units),
            "worth": money_text(self.worth),
        }


@dataclass(frozen=True)
class CodeOnOneSide:
    """A code only the proposal prices (added) or only the current schedule prices (dropped)."""

    code: str
    modifier: str
    rate: Decimal
    units: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "modifier": self.modifier,
            "rate": money_text(self.rate),
            "units": units_number(self.units),
            "annual_revenue": money_text(self.units * self.rate),
        }


@dataclass(frozen=True)
class Redline:
    """A proposed exhibit against the current schedule, code by code, and basis changes."""

    payer: str
    proposal_source: str
    rows: tuple[RedlineRow, ...]
    added: tuple[CodeOnOneSide, ...]
    dropped: tuple[CodeOnOneSide, ...]
    current_basis: Basis
    proposed_basis: Basis
    basis_changes: tuple[str, ...]

    @property
    def total_worth(self) -> Decimal:
        """Worth of the rate changes on codes both schedules price (dropped codes excluded)."""
        return sum((r.worth for r in self.rows), Decimal(0))

    @property
    def dropped_revenue(self) -> Decimal:
        return sum((d.units * d.rate for d in self.dropped), Decimal(0))

    def changed(self) -> tuple[RedlineRow, ...]:
        return tuple(r for r in self.rows if r.change != 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "payer": self.payer,
            "proposal": self.proposal_source,
            "rows": [r.to_json() for r in self.rows],
            "added": [a.to_json() for a in self.added],
            "dropped": [d.to_json() for d in self.dropped],
            "total_worth": money_text(self.total_worth),
            "dropped_revenue_at_risk": money_text(self.dropped_revenue),
            "codes_changed": len(self.changed()),
            "current_basis": self.current_basis.to_json(),
            "proposed_basis": self.proposed_basis.to_json(),
            "basis_changes": list(self.basis_changes),
        }


def basis_changes(current: Basis, proposed: Basis) -> tuple[str, ...]:
    """Plain-language flags for each way the proposal re-anchors the rates."""
    flags: list[str] = []
    if proposed.year is not None and current.year is not None and proposed.year != current.year:
        flags.append(
            f"Medicare year changes: the current exhibit pegs rates to "
            f"{_year_text(current.year)}, the proposal to {_year_text(proposed.year)}"
        )
    elif proposed.year is not None and current.year is None:
        flags.append(
            f"The proposal pegs rates to {_year_text(proposed.year)}; the current contract's "
            "Medicare year was not found in its text"
        )
    if proposed.pct is not None and current.pct is not None and proposed.pct != current.pct:
        flags.append(
            f"Percent of Medicare changes from {current.pct.normalize():f}% to "
            f"{proposed.pct.normalize():f}%"
        )
    if proposed.lesser_of and not current.lesser_of:
        flags.append("New lesser-of clause: payment capped at billed charges")
    if current.lesser_of and not proposed.lesser_of and proposed.quotes:
        flags.append("The proposal's exhibit does not repeat the current lesser-of clause")
    return tuple(flags)


def _year_text(year: int | str) -> str:
    return "the MPFS in effect each year" if year == "current" else f"the {year} MPFS"


def redline(
    payer: str,
    current: Mapping[Key, Decimal],
    exhibit: ProposalExhibit,
    volumes: Mapping[Key, Decimal],
    current_basis: Basis,
) -> Redline:
    """Redline `exhibit` against the `current` schedule on the practice's `volumes`."""
    zero = Decimal(0)
    proposed = exhibit.rates
    # Modifier lines the practice bills (99213-25) are priced at their base code's rate.
    keys = sorted(set(current) | set(proposed) | {k for k, u in volumes.items() if u > 0})
    rows: list[RedlineRow] = []
    added: list[CodeOnOneSide] = []
    dropped: list[CodeOnOneSide] = []
    for key in keys:
        old, new, units = lookup(current, key), lookup(proposed, key), volumes.get(key, zero)
        if old is not None and new is not None:
            rows.append(RedlineRow(key[0], key[1], old, new, units))
        elif new is not None:
            added.append(CodeOnOneSide(key[0], key[1], new, units))
        elif old is not None:
            dropped.append(CodeOnOneSide(key[0], key[1], old, units))
    return Redline(
        payer,
        exhibit.source,
        tuple(rows),
        tuple(added),
        tuple(dropped),
        current_basis,
        exhibit.basis,
        basis_changes(current_basis, exhibit.basis),
    )
