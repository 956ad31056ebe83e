"""Money and percent helpers: Decimal only, rounded half-up to cents where shown or stored."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# Wide enough that rounding any sum of stored products to cents cannot fail: the default
# 28 digits raise InvalidOperation on quantize from about 1e26 up.
_WIDE = Context(prec=120, Emax=999_999, Emin=-999_999)


def cents(amount: Decimal) -> Decimal:
    """Round half-up to cents (never '-0.00')."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP, context=_WIDE) + Decimal(0)


def money_text(amount: Decimal) -> str:
    """'125.18': the JSON form of money."""
    return str(cents(amount))


def money_display(value: str | Decimal | None) -> str:
    """'-$1,234.56' for people (a dash when there is no value)."""
    if value is None:
        return "—"
    amount = cents(Decimal(value))
    return f"{'-' if amount < 0 else ''}${abs(amount):,.2f}"


def pct_display(value: float | None) -> str:
    """'92.8%' for people (a dash when there is no value)."""
    return "—" if value is None else f"{value:.1f}%"


def pct_number(pct: Decimal | None) -> float | None:
    """A percent as a JSON number with two decimals (110.0 means 110%)."""
    if pct is None:
        return None
    return float(pct.quantize(CENT, rounding=ROUND_HALF_UP, context=_WIDE))


def ratio_pct(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole as a percent; None when whole is zero (no meaningful ratio)."""
    if whole == 0:
        return None
    return part / whole * HUNDRED


MAX_RATE = Decimal(1_000_000)
"""The highest plausible price of one unit of one service (a rate above is a typo or overflow)."""
MAX_UNITS = Decimal(10_000_000)
"""The highest plausible annual count of one code for one payer."""
MAX_AMOUNT = Decimal(10) ** 12
"""The highest plausible total (a revenue target, a remittance): far below Decimal's 28 digits."""
MAX_PERCENT = Decimal(10_000)
"""The highest plausible percent (of a benchmark, or a change)."""

_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]")
DECIMAL_COMMA_HINT = "if the file writes 73,26 for 73.26, import it with --decimal-comma"


def parse_decimal(
    text: object,
    *,
    decimal_comma: bool = False,
    maximum: Decimal = MAX_AMOUNT,
    comma_hint: str = DECIMAL_COMMA_HINT,
) -> Decimal:
    """Read '$1,234.50', '1234.5' or a number; raise ValueError with a reason otherwise.

    Commas are thousands separators only where they group three digits ('1,234.50'); any
    other comma ('73,26', '1.234,50') is refused rather than guessed, unless `decimal_comma`
    says the file writes '1.234,50' for 1234.50. NaN, infinities and values above `maximum`
    are refused, so an overflowing or implausible number never reaches the store.
    """
    if isinstance(text, bool):
        raise ValueError(f"'{text}' is not a number")
    typed = isinstance(text, int | float | Decimal)
    if isinstance(text, float):
        if text != text or text in (float("inf"), float("-inf")):
            raise ValueError(f"'{text}' is not a number")
        # openpyxl hands numbers over as floats; their shortest repr is what the cell showed.
        text = repr(text)
    raw = "" if text is None else str(text).strip()
    cleaned = _SPACES.sub("", raw.replace("$", ""))
    if cleaned == "":
        raise ValueError("is empty")
    if cleaned.startswith("(") and cleaned.endswith(")"):
        raise ValueError(f"'{raw}' is negative")
    if not typed:
        # A spreadsheet number has no separators to read; only text does.
        cleaned = _separators(cleaned, raw, decimal_comma, comma_hint)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"'{raw}' is not a number") from None
    if not value.is_finite():
        raise ValueError(f"'{raw}' is not a number")
    if value < 0:
        raise ValueError(f"'{raw}' is negative")
    if value > maximum:
        raise ValueError(f"'{raw}' is above {maximum:,}, not a plausible value")
    return value


def _separators(cleaned: str, raw: str, decimal_comma: bool, comma_hint: str) -> str:
    if decimal_comma:
        if "." in cleaned and not _THOUSANDS_DOT.match(cleaned):
            raise ValueError(
                f"'{raw}' has a decimal point but the file was imported with --decimal-comma"
            )
        return cleaned.replace(".", "").replace(",", ".")
    if "," in cleaned and not _THOUSANDS_COMMA.match(cleaned):
        raise ValueError(f"'{raw}' has a decimal comma ({comma_hint})")
    return cleaned.replace(",", "")


def check_range(value: Decimal, what: str, maximum: Decimal) -> Decimal:
    """`value` when finite and within 0…maximum; ValueError naming `what` otherwise."""
    if not value.is_finite():
        raise ValueError(f"{what} '{value}' is not a number")
    if value < 0:
        raise ValueError(f"{what} '{value}' is negative")
    if value > maximum:
        raise ValueError(f"{what} '{value}' is above {maximum:,}, not a plausible value")
    return value
