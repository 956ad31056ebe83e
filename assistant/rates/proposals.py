"""Reading proposals: the one parser of proposal text, used by the CLI, the app and the agent.

A proposal is a base rule ('+3%', '105% of Medicare', a rates file) and carve-outs ('E/M +3%',
'em=3', '99213,99214=5'). The CLI's options, the app's Rates view line and the agent's tool
arguments all end up in `parse_rule` and `parse_carve_out`, so a text means one Proposal
wherever it is typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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
    "CODES=PCT%BENCHMARK sets them to PCT percent of a benchmark (em=110%medicare); "
    "'E/M +3%' and 'preventive 105% of Medicare' read the same way"
)
PROPOSAL_HELP = (
    "A proposal in one line, as the app's Rates view and the chat take it: '+3%' (every "
    "rate), '105% of Medicare', 'E/M +3%' (those codes, the rest unchanged), a rates file; "
    "more carve-outs after ';' ('0; em=3; 99213=5')."
)
RULE_HINT = "write e.g. 3 or +3% (a change), 110%medicare or 105% of Medicare"

PercentText = str | Decimal | int | float
"""A percent as typed ('3', '+3%') or as a number (the agent's tool arguments)."""

# A rule as people write it: '3', '+3%', '-2.5 %', '110%medicare', '105% of Medicare',
# '+3% across the board'.
_RULE = re.compile(
    r"^(?P<amount>[+-]?\s*\d+(?:\.\d+)?)\s*(?P<percent>%|percent\b|pct\b)?"
    r"(?:\s*(?:of\s+)?(?P<benchmark>[a-z][\w:.-]*))?"
    r"(?:\s+(?:across the board|on (?:every|all)(?: rates?| codes?)?))?$",
    re.IGNORECASE,
)
# 'E/M +3%', 'office E/M at 3%', '99213,99214 5%', 'preventive 105% of Medicare': codes, then
# a rule that is signed or carries a percent sign (so '99213 99214' is never read as a rule).
_SPACED_CARVE_OUT = re.compile(
    r"^(?P<codes>.+?)\s+(?:at\s+)?(?P<rule>[+-]\s*\d[\d.]*.*|\d[\d.]*\s*(?:%|percent\b).*)$",
    re.IGNORECASE,
)


def parse_percent(text: PercentText, what: str = "percent") -> Decimal:
    """'3', '+3', '-2.5', '3%' (or a number) -> Decimal percent."""
    text = str(text)
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


def _change(pct: Decimal, text: str) -> PercentChange:
    if pct < -100:
        raise InputError(f"'{text}': a rate cannot fall by more than 100%")
    return PercentChange(pct)


def _of_benchmark(benchmark: str, pct: Decimal, text: str) -> PercentOfBenchmark:
    if pct < 0:
        raise InputError(f"'{text}': a percent of a benchmark cannot be negative")
    # "Medicare" in a sentence is the benchmark imported under the default name.
    name = "medicare" if benchmark.lower() == "medicare" else benchmark
    return PercentOfBenchmark(name, pct)


def parse_rule(text: str) -> Rule:
    """'3' or '+3%' (a change on every rate), '110%medicare' or '105% of Medicare'."""
    found = _RULE.match(text.strip())
    if found is None:
        raise InputError(
            f"'{text.strip()}' is not a percent or a percent of a benchmark", RULE_HINT
        )
    pct = parse_percent(found["amount"].replace(" ", ""))
    if found["benchmark"]:
        if not found["percent"]:
            raise InputError(f"'{text.strip()}': write the percent sign", RULE_HINT)
        return _of_benchmark(found["benchmark"], pct, text)
    return _change(pct, text)


def _is_rule(text: str) -> bool:
    return "=" not in text and _RULE.match(text.strip()) is not None


def parse_carve_out(text: str) -> CarveOut:
    """'em=5', '99202-99215,G2211=-2', 'em=110%medicare', 'E/M +3%' or 'office E/M at 3%'."""
    codes, sep, rule = text.rpartition("=")
    if not sep:
        spaced = _SPACED_CARVE_OUT.match(text.strip())
        codes, rule = (spaced["codes"], spaced["rule"]) if spaced else ("", "")
    if not codes.strip() or not rule.strip():
        raise InputError(f"carve-out '{text}' is not CODES=PCT", CARVE_OUT_HELP)
    return CarveOut(parse_code_set(codes), parse_rule(rule))


def _is_rates_file(text: str) -> bool:
    path = Path(text).expanduser()
    return path.suffix.lower() in (".csv", ".xlsx") or path.is_file()


def split_proposal_text(text: str) -> tuple[str | None, tuple[str, ...]]:
    """A one-line proposal's base (None when it starts with a carve-out) and carve-outs.

    `3; em=5` -> ('3', ('em=5',)); `E/M +3%` -> (None, ('E/M +3%',)).
    """
    parts = [part.strip() for part in text.split(";") if part.strip()]
    if not parts:
        raise InputError("The proposal is empty", PROPOSAL_HELP)
    first = parts[0]
    carve_out = "=" in first or _SPACED_CARVE_OUT.match(first) is not None
    if carve_out and not _is_rule(first) and not _is_rates_file(first):
        return None, tuple(parts)
    # Anything else is the base; parse_rule says what a rule looks like if it is not one.
    return first, tuple(parts[1:])


def proposal_from_parts(
    base: str | None, carve_outs: Sequence[str] = (), *, files: bool = True
) -> Proposal:
    """A proposal from a base rule's text (None: rates unchanged) or, when `files`, a rates
    file path (the agent passes False: a model's argument never opens a file)."""
    rule: Rule
    if base is None:
        rule = PercentChange(Decimal(0))
    elif files and _is_rates_file(base):
        path = Path(base).expanduser()
        rule = RateTable(path.name, read_rate_file(path).rates)
    else:
        rule = parse_rule(base)
    return Proposal(rule, tuple(parse_carve_out(c) for c in carve_outs))


def parse_proposal_text(text: str) -> Proposal:
    """The one-line form: a base, then `; CODES=PCT` carve-outs (see PROPOSAL_HELP)."""
    return proposal_from_parts(*split_proposal_text(text))


def build_proposal(
    *,
    across_the_board: PercentText | None = None,
    pct_of: tuple[str, PercentText] | None = None,
    rates_file: Path | None = None,
    carve_outs: Sequence[str] = (),
) -> Proposal:
    """A proposal from exactly one base option (the CLI's) plus any carve-outs."""
    given = [o for o in (across_the_board, pct_of, rates_file) if o is not None]
    if len(given) != 1:
        raise InputError(
            "give exactly one of --across-the-board PCT, --pct-of BENCHMARK PCT, --rates FILE",
            "add --carve-out CODES=PCT for codes priced differently",
        )
    base: Rule
    if across_the_board is not None:
        base = _change(parse_percent(across_the_board), str(across_the_board))
    elif pct_of is not None:
        base = _of_benchmark(pct_of[0], parse_percent(pct_of[1]), f"{pct_of[1]}%{pct_of[0]}")
    else:
        assert rates_file is not None
        base = RateTable(rates_file.name, read_rate_file(rates_file).rates)
    return Proposal(base, tuple(parse_carve_out(c) for c in carve_outs))
