"""Reading proposals from their command-line form: base rule, carve-outs, rate files."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

from assistant.errors import InputError
from assistant.rates.codes import parse_code_set
from assistant.rates.fees import read_rate_file
from assistant.rates.models import (
    CarveOut,
    PercentChange,
    PercentOfBenchmark,
    Proposal,
    RateTable,
    Rule,
)
from assistant.rates.money import MAX_PERCENT

CARVE_OUT_HELP = (
    "CODES=PCT changes those codes by PCT percent (em=5, 99202-99215,G2211=-2); "
    "CODES=PCT%BENCHMARK sets them to PCT percent of a benchmark (em=110%medicare)"
)


def parse_percent(text: str, what: str = "percent") -> Decimal:
    """'3', '+3', '-2.5', '3%' -> Decimal percent."""
    cleaned = text.strip().rstrip("%").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InputError(
            f"{what} '{text}' is not a number", "write a percent such as 3 or -2.5"
        ) from None
    if not value.is_finite():
        raise InputError(f"{what} '{text}' is not a number")
    if abs(value) > MAX_PERCENT:
        raise InputError(
            f"{what} '{text}' is beyond ±{MAX_PERCENT:,}%, not a plausible percent",
            "write a percent such as 3 or 110",
        )
    return value


def parse_rule(text: str) -> Rule:
    """'3' (+3%) or '110%medicare' (110% of the medicare benchmark)."""
    amount, sep, benchmark = text.partition("%")
    if sep and benchmark.strip():
        pct = parse_percent(amount)
        if pct < 0:
            raise InputError(f"'{text}': a percent of a benchmark cannot be negative")
        return PercentOfBenchmark(benchmark.strip(), pct)
    pct = parse_percent(text)
    if pct < -100:
        raise InputError(f"'{text}': a rate cannot fall by more than 100%")
    return PercentChange(pct)


def parse_carve_out(text: str) -> CarveOut:
    """'em=5', '99202-99215,G2211=-2' or 'em=110%medicare'."""
    codes, sep, rule = text.rpartition("=")
    if not sep or not codes.strip() or not rule.strip():
        raise InputError(f"carve-out '{text}' is not CODES=PCT", CARVE_OUT_HELP)
    return CarveOut(parse_code_set(codes), parse_rule(rule))


def parse_proposal_text(text: str) -> Proposal:
    """The one-line form the app and the agent take: a base, then `; CODES=PCT` carve-outs.

    `3` (+3% on every rate), `-2`, `110%medicare`, or a rates file path; e.g. `0; e/m=3`.
    """
    base, *rest = [part.strip() for part in text.split(";")]
    carve_outs = [c for c in rest if c]
    if not base:
        raise InputError(
            "The proposal is empty",
            "type e.g. `3` (+3% on every rate), `110%medicare`, or `0; e/m=3` for a carve-out",
        )
    path = Path(base).expanduser()
    if path.suffix.lower() in (".csv", ".xlsx") or path.is_file():
        return build_proposal(rates_file=path, carve_outs=carve_outs)
    amount, sep, bench = base.partition("%")
    if sep and bench.strip():
        return build_proposal(pct_of=(bench.strip(), parse_percent(amount)), carve_outs=carve_outs)
    return build_proposal(across_the_board=parse_percent(base), carve_outs=carve_outs)


def build_proposal(
    *,
    across_the_board: Decimal | None = None,
    pct_of: tuple[str, Decimal] | None = None,
    rates_file: Path | None = None,
    carve_outs: list[str] | tuple[str, ...] = (),
) -> Proposal:
    """A proposal from exactly one base option plus any carve-outs."""
    given = [o for o in (across_the_board, pct_of, rates_file) if o is not None]
    if len(given) != 1:
        raise InputError(
            "give exactly one of --across-the-board PCT, --pct-of BENCHMARK PCT, --rates FILE",
            "add --carve-out CODES=PCT for codes priced differently",
        )
    base: Rule
    if across_the_board is not None:
        base = PercentChange(across_the_board)
    elif pct_of is not None:
        base = PercentOfBenchmark(pct_of[0], pct_of[1])
    else:
        assert rates_file is not None
        base = RateTable(rates_file.name, read_rate_file(rates_file).rates)
    return Proposal(base, tuple(parse_carve_out(c) for c in carve_outs))
