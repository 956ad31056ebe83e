"""Money and percent helpers: Decimal only, rounded half-up to cents where shown or stored."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def cents(amount: Decimal) -> Decimal:
    """Round half-up to cents (never '-0.00')."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP) + Decimal(0)


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
    return float(pct.quantize(CENT, rounding=ROUND_HALF_UP))


def ratio_pct(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole as a percent; None when whole is zero (no meaningful ratio)."""
    if whole == 0:
        return None
    return part / whole * HUNDRED


def parse_decimal(text: object) -> Decimal:
    """Read '$1,234.50', '1234.5' or a number; raise ValueError with a reason otherwise."""
    if isinstance(text, float):
        # openpyxl hands numbers over as floats; their shortest repr is what the cell showed.
        text = repr(text)
    raw = "" if text is None else str(text).strip()
    cleaned = raw.replace("$", "").replace(",", "").replace(" ", "")
    if cleaned == "":
        raise ValueError("is empty")
    if cleaned.startswith("(") and cleaned.endswith(")"):
        raise ValueError(f"'{raw}' is negative")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"'{raw}' is not a number") from None
    if not value.is_finite():
        raise ValueError(f"'{raw}' is not a number")
    if value < 0:
        raise ValueError(f"'{raw}' is negative")
    return value
