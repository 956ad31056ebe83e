"""Billing codes: normalisation, code sets (lists, ranges, named groups) and rate lookup."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from assistant.errors import InputError

Key = tuple[str, str]
"""A billing code and its modifier ("" when none): the key of every rate and volume."""

_CODE = re.compile(r"^[A-Z0-9]{5}$")
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")

# Modifiers that change the price of a service (professional/technical split, reduced or
# bilateral services, assistants); a rate for the bare code does not apply to them. Any other
# modifier (25, 59, LT, ...) is informational and is priced as the bare code.
PRICING_MODIFIERS = frozenset(
    {"26", "TC", "50", "51", "52", "53", "54", "55", "56", "62", "66", "80", "81", "82", "AS"}
)


@dataclass(frozen=True)
class CodeGroup:
    """A named range of codes: what a carve-out, the Rates view and the chat mean by a word."""

    name: str
    label: str
    low: str
    high: str
    words: tuple[str, ...] = ()
    """Other spellings a person types for the same group (lower case)."""

    def describe(self) -> str:
        return f"{self.label} {self.low}-{self.high}"


CODE_GROUPS: tuple[CodeGroup, ...] = (
    # Practice managers say "E/M" for office visits: the bare word means office E/M everywhere.
    CodeGroup("office-em", "office E/M", "99202", "99215", ("e/m", "e&m", "office e/m")),
    CodeGroup("em", "E/M", "99202", "99499", ("all-em", "all e/m")),
    CodeGroup("preventive", "preventive visits", "99381", "99429", ("wellness",)),
)
"""The one table of named code groups; carve-outs, the Rates view and the agent read it."""

GROUPS: dict[str, tuple[str, str]] = {g.name: (g.low, g.high) for g in CODE_GROUPS}
"""Named code groups usable in carve-outs (`em=5`); inclusive code ranges."""


def find_group(word: str) -> CodeGroup | None:
    """The group a name or one of its spellings ('office-em', 'E/M', 'wellness') means."""
    key = " ".join(word.lower().split())
    return next((g for g in CODE_GROUPS if key == g.name or key in g.words), None)


def normalize_code(raw: object) -> str:
    """Strip and upper-case a CPT/HCPCS code; raise InputError unless it is 5 characters.

    Spreadsheets turn '00100' into 100; we refuse rather than guess the lost zeros.
    """
    text = _cell_text(raw).upper()
    if not _CODE.match(text):
        raise InputError(
            f"code '{text}' is not a 5-character CPT/HCPCS code",
            "check the code column (a spreadsheet may have dropped leading zeros: "
            "format it as text)",
        )
    return text


def normalize_modifier(raw: object) -> str:
    """Strip and upper-case a modifier; "" when empty; raise InputError unless 2 characters."""
    text = _cell_text(raw).upper()
    if text == "":
        return ""
    if not _MODIFIER.match(text):
        raise InputError(
            f"modifier '{text}' is not a 2-character modifier", "check the modifier column"
        )
    return text


def _cell_text(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


@dataclass(frozen=True)
class CodeSet:
    """Codes named by a carve-out: single codes and inclusive ranges, with the text given."""

    label: str
    codes: frozenset[str]
    ranges: tuple[tuple[str, str], ...]

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, str):
            return False
        if code in self.codes:
            return True
        return any(len(lo) == len(code) and lo <= code <= hi for lo, hi in self.ranges)


def parse_code_set(text: str) -> CodeSet:
    """Read '99202-99215,G2211' or a group's name or word ('office-em', 'E/M', 'preventive')."""
    codes: set[str] = set()
    ranges: list[tuple[str, str]] = []
    named: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        group = find_group(part)
        named.append(group.name if group is not None else part)
        if group is not None:
            ranges.append((group.low, group.high))
        elif "-" in part:
            lo_text, hi_text = part.split("-", 1)
            lo, hi = normalize_code(lo_text), normalize_code(hi_text)
            if lo > hi:
                raise InputError(f"code range '{part}' runs backwards", f"write it as {hi}-{lo}")
            ranges.append((lo, hi))
        else:
            codes.add(normalize_code(part))
    if not codes and not ranges:
        raise InputError(
            f"no codes in '{text}'",
            "name codes, ranges or a group: 99202-99215,G2211 or "
            + ", ".join(g.name for g in CODE_GROUPS),
        )
    # A group is labelled by its name however it was typed, so "E/M" and "office-em" read alike.
    return CodeSet(",".join(named), frozenset(codes), tuple(ranges))


V = TypeVar("V")


def lookup(table: Mapping[Key, V], key: Key) -> V | None:
    """The value for (code, modifier); an informational modifier falls back to the bare code."""
    if key in table:
        return table[key]
    code, modifier = key
    if modifier and modifier not in PRICING_MODIFIERS:
        return table.get((code, ""))
    return None
