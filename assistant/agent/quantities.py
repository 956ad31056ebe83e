"""Typed quantities: the money, percents, durations and counts stated in text or held in a tool
result, so an answer's figure can be matched to a value of the same kind, not to any number."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal

from assistant.agent.intents import NUMBER_WORDS, read_number_words

Kind = Literal["money", "percent", "days", "months", "years", "count", "any"]
"""`any`: a number whose kind its source does not say (a tool argument, an unnamed field);
it may stand for money, a percent or a count, never for a duration."""

_WORD = "|".join(sorted([*NUMBER_WORDS, "a", "and"], key=len, reverse=True))
_WORDS = rf"(?:(?:{_WORD})(?:[\s-]+(?:{_WORD}))*)"
_DIGITS = r"\d[\d,]*(?:\.\d+)?"
_NUM = rf"(?P<num>[+\-−]?{_DIGITS}|\b{_WORDS}\b)"
_COUNT_NOUNS = (
    r"units?|codes?|claims?|visits?|lines?|services?|denials?|payments?|remittances?|payers?|"
    r"contracts?|documents?|pages?|files?|encounters?|procedures?"
)
_DIRECTION_UP = re.compile(
    r"^\W*(?:a year\s+|per unit\s+|annually\s+)?"
    r"(?:more|higher|above|over|increase|raise|gain|extra|up)\b",
    re.I,
)
_DIRECTION_DOWN = re.compile(
    r"^\W*(?:a year\s+|per unit\s+|annually\s+)?(?:less|lower|below|short|under|fewer|cut|"
    r"decrease|loss|reduction|down|underpaid)\b",
    re.I,
)
_BEFORE_UP = re.compile(
    r"\b(?:gain|gains|earn an extra|raise|raises|increase|increases|add|adds|more by|up by)"
    r"\s+(?:of\s+|by\s+|about\s+)?$",
    re.I,
)
_BEFORE_DOWN = re.compile(
    r"\b(?:lose|loses|loss of|short by|shortfall of|underpaid by|cut|cuts|cut of|lower by|less by|"
    r"down by|decrease of|reduction of)\s+(?:of\s+|by\s+|about\s+)?$",
    re.I,
)
_SIGNED_MONEY = rf"(?P<sign>[+\-−])?\$\s?(?P<num>[+\-−]?{_DIGITS})(?:\s?(?P<scale>[kKmM])\b)?"
_DAYS = rf"{_NUM}(?:\s*\(\d+\))?[\s-]+(?:calendar\s+|business\s+|working\s+)?days?\b"
_MENTIONS: list[tuple[Kind, re.Pattern[str]]] = [
    ("money", re.compile(_SIGNED_MONEY)),
    ("money", re.compile(rf"{_NUM}\s+dollars\b", re.I)),
    ("percent", re.compile(rf"{_NUM}\s?(?:%|percent\b|per cent\b)", re.I)),
    ("days", re.compile(_DAYS, re.I)),
    ("months", re.compile(rf"{_NUM}(?:\s*\(\d+\))?[\s-]+(?:calendar\s+)?months?\b", re.I)),
    ("years", re.compile(rf"{_NUM}(?:\s*\(\d+\))?[\s-]+(?:calendar\s+)?years?\b", re.I)),
    ("count", re.compile(rf"{_NUM}\s+(?:(?:[a-z]+[\s-]){{0,2}})?(?:{_COUNT_NOUNS})\b", re.I)),
]  # fmt: skip


@dataclass(frozen=True)
class Quantity:
    """A number with its kind, as written (`shown`) or as held by a tool (`source`)."""

    kind: Kind
    value: Decimal
    shown: str = ""
    places: int = 2
    """Decimal places as written: a shown figure matches a value rounded to these places."""
    direction: int = 0
    """+1 for "more/above", -1 for "less/below/short", 0 when the text says neither."""
    polarity: int = 0
    """For a tool value: +1 when a positive value means more (a delta), -1 when it means less
    (a gap or shortfall), 0 when its field says neither."""
    source: str | None = None
    """The tool call id it came from; None for a verified quote or the question."""


def to_decimal(text: str) -> Decimal | None:
    cleaned = text.replace(",", "").replace("−", "-").strip()
    if re.fullmatch(r"[+\-]?\d+(?:\.\d+)?", cleaned):
        try:
            return Decimal(cleaned)
        except InvalidOperation:
            return None
    return read_number_words(cleaned)


def mentions(text: str) -> list[Quantity]:
    """Every typed figure written in the text, each once (the first kind that claims its span)."""
    found: list[tuple[int, int, Quantity]] = []
    for kind, pattern in _MENTIONS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if any(s < end and start < e for s, e, _ in found):
                continue
            raw = m.group("num")
            value = to_decimal(raw)
            if value is None or (kind == "count" and not _plain_count(text, start, raw)):
                continue
            sign = m.groupdict().get("sign")
            if sign in ("-", "−") and value > 0:
                value = -value
            scale = m.groupdict().get("scale")
            if scale:
                value *= 1000 if scale.lower() == "k" else 1_000_000
            places = len(raw.split(".")[1]) if "." in raw and not scale else 0
            after = text[end : end + 40]
            before = text[max(0, start - 30) : start]
            direction = (
                1
                if _DIRECTION_UP.match(after) or _BEFORE_UP.search(before)
                else -1
                if _DIRECTION_DOWN.match(after) or _BEFORE_DOWN.search(before)
                else 0
            )
            found.append((start, end, Quantity(kind, value, m.group(0).strip(), places, direction)))
    return [q for _, _, q in sorted(found, key=lambda f: f[0])]


_NOT_A_COUNT = re.compile(
    r"(?:section|§|article|exhibit|attachment|schedule|page|pp?\.|cpt|hcpcs|code|no\.|#)\s*$", re.I
)


_FORM_NUMBERS = frozenset({"835", "837", "270", "271", "276", "277", "278", "1500", "1450"})
"""X12 transaction sets and claim forms named by number ("835 files", "CMS-1500 claims")."""


def _plain_count(text: str, start: int, raw: str) -> bool:
    """A count is a whole number that is not a section, page, code or year ("Section 4 claims",
    "2025 claims" and "99214 units" are not counts)."""
    digits = raw.replace(",", "").lstrip("+-−")
    if "." in digits or _NOT_A_COUNT.search(text[max(0, start - 14) : start]):
        return False
    return not (re.fullmatch(r"(?:19|20)\d\d|\d{5}", digits) or digits in _FORM_NUMBERS)


_PERCENT_KEY = re.compile(r"pct|percent|share|ratio")
_DAYS_KEY = re.compile(r"(^|_)days?($|_)")
_MONTHS_KEY = re.compile(r"(^|_)months?($|_)")
_YEARS_KEY = re.compile(r"(^|_)years($|_)|term_years")
_COUNT_KEY = re.compile(
    r"(^|_)(units|count|considered|claims|lines|visits|limit|volume|services|denials|payments|"
    r"files|pages|codes_below|n)($|_)"
)
_MONEY_KEY = re.compile(
    r"rate|revenue|gap|amount|paid|billed|charge|allowed|worth|delta|fee|price|cost|margin|"
    r"total|payment|balance|shortfall|underpaid|impact|difference|adjust|interest|dollars|money"
)
_DOWN_KEY = re.compile(r"gap|short|underpaid|below|loss|denied")
_UP_KEY = re.compile(r"delta|change|increase|impact|gain|raise|above")


def key_kind(key: str) -> Kind:
    key = key.lower()
    if _PERCENT_KEY.search(key):
        return "percent"
    if _DAYS_KEY.search(key):
        return "days"
    if _MONTHS_KEY.search(key):
        return "months"
    if _YEARS_KEY.search(key):
        return "years"
    if _COUNT_KEY.search(key):
        return "count"
    if _MONEY_KEY.search(key):
        return "money"
    return "any"


def key_polarity(key: str) -> int:
    key = key.lower()
    return -1 if _DOWN_KEY.search(key) else 1 if _UP_KEY.search(key) else 0


def in_result(
    value: Any, source: str | None, key: str = "", loose: bool = False
) -> Iterator[Quantity]:
    """The typed quantities a tool result (or its arguments, `loose`) holds: a number takes its
    kind from its field's name, a text field gives the figures written in it, and a list's length
    is a count."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, dict):
        for k, item in value.items():
            yield from in_result(item, source, str(k), loose)
        return
    if isinstance(value, list | tuple):
        yield Quantity("count", Decimal(len(value)), source=source)
        for item in value:
            yield from in_result(item, source, key, loose)
        return
    kind: Kind = "any" if loose else key_kind(key)
    polarity = key_polarity(key)
    if isinstance(value, int | float | Decimal):
        number = to_decimal(str(value))
        if number is not None:
            yield Quantity(kind, number, polarity=polarity, source=source)
        return
    text = str(value)
    number = to_decimal(text) if re.fullmatch(r"\s*[+\-]?[\d,]*\d(?:\.\d+)?\s*", text) else None
    if number is not None:
        yield Quantity(kind, number, polarity=polarity, source=source)
        return
    for q in mentions(text):
        yield Quantity(q.kind, q.value, polarity=polarity if q.kind == kind else 0, source=source)
    if loose:
        for m in re.finditer(_DIGITS, text):
            number = to_decimal(m.group())
            if number is not None:
                yield Quantity("any", number, source=source)


_COMPATIBLE: dict[Kind, set[Kind]] = {
    "money": {"money", "any"},
    "percent": {"percent", "any"},
    "count": {"count", "any"},
    "days": {"days"},
    "months": {"months"},
    "years": {"years"},
    "any": {"money", "percent", "count", "any"},
}


def _rounded(value: Decimal, places: int) -> Decimal:
    return abs(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def supports(known: Quantity, shown: Quantity) -> bool:
    """Whether a known value is the shown figure: same kind, equal as written (rounded to the
    places shown), the sign written kept, and the direction said ("more", "short") the one the
    value means."""
    if known.kind not in _COMPATIBLE[shown.kind]:
        return False
    try:
        if _rounded(known.value, shown.places) != abs(shown.value) and abs(known.value) != abs(
            shown.value
        ):
            return False
    except InvalidOperation:
        return False
    if shown.value < 0 and known.value > 0:
        return False
    meaning = known.polarity * (1 if known.value > 0 else -1 if known.value < 0 else 0)
    return not (shown.direction and meaning and shown.direction != meaning)
