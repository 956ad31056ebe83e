"""Market benchmarks from CMS Transparency in Coverage in-network-rates files, streamed.

Real files are gigabytes, so in_network items are read one at a time with ijson and only a
count per distinct rate is kept for each code: memory grows with the number of distinct
(code, rate) pairs, not with the file. Each negotiated price object counts once, whatever the
number of providers it names.
"""

from __future__ import annotations

import gzip
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, cast

from assistant.errors import InputError
from assistant.rates.codes import Key, normalize_code, normalize_modifier
from assistant.rates.money import MAX_RATE, cents
from assistant.rates.store import MarketRate, RateStore

BILLING_CLASSES = ("professional", "institutional")
CODE_TYPES = frozenset({"CPT", "HCPCS"})
# Dollar amounts per service; "percentage" is a share of billed charges and "per diem" a daily
# rate, neither comparable with a fee schedule.
DOLLAR_TYPES = frozenset({"negotiated", "fee schedule", "derived"})
QUARTILES = (Decimal("0.25"), Decimal("0.5"), Decimal("0.75"))


@dataclass(frozen=True)
class MarketSummary:
    """Percentiles per code from a TiC file, and what was read and left out."""

    reporting_entity: str | None
    rates: dict[Key, MarketRate]
    items: int
    prices_used: int
    skipped: dict[str, int]


def percentile(counts: Counter[Decimal], fraction: Decimal) -> Decimal:
    """Linear-interpolation percentile (Excel PERCENTILE.INC) of values given with counts."""
    total = sum(counts.values())
    if total == 0:
        raise ValueError("no values")
    rank = (total - 1) * fraction
    below = int(rank)
    weight = rank - below
    low = high = None
    seen = 0
    for value, count in sorted(counts.items()):
        seen += count
        if low is None and seen > below:
            low = value
        if seen > below + 1 or (seen > below and weight == 0):
            high = value
            break
    assert low is not None
    if high is None:
        high = low
    return low + (high - low) * weight


@contextmanager
def _open(path: Path) -> Iterator[BinaryIO]:
    if not path.is_file():
        raise InputError(f"File not found: {path}", "check the path and try again")
    with path.open("rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
    if gzipped:
        with gzip.open(path, "rb") as unzipped:
            yield cast(BinaryIO, unzipped)
    else:
        with path.open("rb") as plain:
            yield plain


def read_market(path: Path, billing_class: str = "professional") -> MarketSummary:
    """Stream a TiC in-network-rates file (.json or .json.gz) into per-code quartiles.

    A malformed entry raises InputError naming its JSON path (in_network[3].negotiated_rates[0]
    …); a rate that is not a finite dollar amount up to MAX_RATE refuses the file.
    """
    import ijson

    if billing_class not in BILLING_CLASSES:
        raise InputError(
            f"unknown billing class '{billing_class}'", "use professional or institutional"
        )
    counts: dict[Key, Counter[Decimal]] = {}
    skipped: Counter[str] = Counter()
    items = used = 0
    try:
        with _open(path) as handle:
            for item in ijson.items(handle, "in_network.item", use_float=False):
                used += _take_item(item, f"in_network[{items}]", billing_class, counts, skipped)
                items += 1
    except InputError as exc:
        raise InputError(f"{path.name}: {exc.message}", exc.hint or _TIC_HINT) from None
    except ijson.JSONError as exc:
        raise InputError(
            f"{path.name} is not valid JSON ({exc})", "is the download complete?"
        ) from exc
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise InputError(
            f"{path.name} is a truncated or damaged gzip file ({exc})",
            "download it again; a complete .json.gz ends with its gzip trailer",
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read {path.name}: {exc}") from exc
    if items == 0:
        raise _not_tic(path)
    if not counts:
        raise InputError(
            f"{path.name}: {items} in-network items but no fee-for-service {billing_class} "
            f"dollar rates for CPT/HCPCS codes (left out: {_reasons(skipped)})",
            "try --billing-class institutional, or a file from another plan",
        )
    rates = {
        key: MarketRate(
            p25=cents(percentile(c, QUARTILES[0])),
            p50=cents(percentile(c, QUARTILES[1])),
            p75=cents(percentile(c, QUARTILES[2])),
            n=sum(c.values()),
        )
        for key, c in counts.items()
    }
    return MarketSummary(_entity(path), rates, items, used, dict(skipped))


_TIC_HINT = "use an in-network-rates file published under the Transparency in Coverage rule"


def _shape(value: Any, expected: type, where: str, what: str) -> None:
    if not isinstance(value, expected):
        raise InputError(
            f"{where} should be {what} but is {_json_kind(value)}: not a TiC in-network-rates "
            "file, or a damaged one",
            _TIC_HINT,
        )


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | Decimal | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"the string {shown!r}"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _take_item(
    item: Any,
    where: str,
    billing_class: str,
    counts: dict[Key, Counter[Decimal]],
    skipped: Counter[str],
) -> int:
    _shape(item, dict, where, "an object")
    if "billing_code" not in item:
        raise InputError(f"{where} has no billing_code: not a TiC in-network-rates file", _TIC_HINT)
    if item.get("negotiation_arrangement", "ffs") != "ffs":
        skipped["bundle or capitation"] += 1
        return 0
    if str(item.get("billing_code_type", "")).upper() not in CODE_TYPES:
        skipped["not a CPT/HCPCS code"] += 1
        return 0
    try:
        code = normalize_code(item["billing_code"])
    except InputError:
        skipped["not a 5-character code"] += 1
        return 0
    groups = item.get("negotiated_rates") or []
    _shape(groups, list, f"{where}.negotiated_rates", "a list")
    pending: list[tuple[Key, Decimal]] = []
    used = 0
    for g, group in enumerate(groups):
        at = f"{where}.negotiated_rates[{g}]"
        _shape(group, dict, at, "an object")
        prices = group.get("negotiated_prices") or []
        _shape(prices, list, f"{at}.negotiated_prices", "a list")
        for p, price in enumerate(prices):
            here = f"{at}.negotiated_prices[{p}]"
            _shape(price, dict, here, "an object")
            if price.get("billing_class") not in (billing_class, "both"):
                skipped["other billing class"] += 1
                continue
            if price.get("negotiated_type") not in DOLLAR_TYPES:
                skipped["percentage or per diem"] += 1
                continue
            rate = price.get("negotiated_rate")
            if not isinstance(rate, int | Decimal) or isinstance(rate, bool):
                skipped["rate not a number"] += 1
                continue
            amount = Decimal(rate)
            if not amount.is_finite() or amount < 0 or amount > MAX_RATE:
                raise InputError(
                    f"{here}.negotiated_rate {rate} is not a dollar amount from 0 to {MAX_RATE:,}",
                    "the file is damaged or not in dollars; ask the plan for a corrected file",
                )
            raw_modifiers = price.get("billing_code_modifier") or []
            if not isinstance(raw_modifiers, list):
                raw_modifiers = [raw_modifiers]
            try:
                modifiers = [normalize_modifier(m) for m in raw_modifiers]
            except InputError:
                skipped["unreadable modifier"] += 1
                continue
            pending.extend(((code, modifier), amount) for modifier in modifiers or [""])
            used += 1
    for key, amount in pending:
        counts.setdefault(key, Counter())[amount] += 1
    return used


def _top_level_keys(path: Path, limit: int = 20) -> tuple[str | None, list[str]]:
    """The JSON root's type and its first keys, to say what a non-TiC file is."""
    import ijson

    keys: list[str] = []
    root: str | None = None
    try:
        with _open(path) as handle:
            for prefix, event, value in ijson.parse(handle):
                if root is None:
                    root = event
                    if event != "start_map":
                        break
                elif prefix == "" and event == "map_key":
                    keys.append(str(value))
                    if len(keys) >= limit:
                        break
    except (ijson.JSONError, EOFError, gzip.BadGzipFile, zlib.error, OSError):
        pass
    return root, keys


def _not_tic(path: Path) -> InputError:
    root, keys = _top_level_keys(path)
    hint = "use an in-network-rates JSON file published under the Transparency in Coverage rule"
    if root is None:
        return InputError(f"{path.name} is not valid JSON", hint)
    if root != "start_map":
        return InputError(f"{path.name} is not a TiC file: its JSON is not an object", hint)
    if "in_network" in keys:
        return InputError(f"{path.name}: the in_network list is empty", hint)
    if "out_of_network" in keys:
        return InputError(
            f"{path.name} is a TiC allowed-amounts (out-of-network) file, not in-network rates",
            hint,
        )
    if "reporting_structure" in keys:
        return InputError(
            f"{path.name} is a TiC table of contents; import the in-network files it lists",
            hint,
        )
    return InputError(
        f"{path.name} is not a TiC in-network-rates file (top-level keys: "
        f"{', '.join(keys) or 'none'}; expected in_network)",
        hint,
    )


def _entity(path: Path) -> str | None:
    import ijson

    try:
        with _open(path) as handle:
            for prefix, event, value in ijson.parse(handle):
                if prefix == "reporting_entity_name" and event == "string":
                    return str(value)
                if (
                    prefix == ""
                    and event == "map_key"
                    and value in ("in_network", "provider_references")
                ):
                    return None
    except (ijson.JSONError, EOFError, gzip.BadGzipFile, zlib.error, OSError):
        return None
    return None


def _reasons(skipped: Counter[str]) -> str:
    return ", ".join(f"{n} {reason}" for reason, n in skipped.most_common()) or "nothing"


def import_market(
    store: RateStore, path: Path, name: str, billing_class: str = "professional"
) -> MarketSummary:
    """Store a TiC file's per-code quartiles as market benchmark `name`."""
    summary = read_market(path, billing_class)
    store.replace_benchmark(
        name,
        "market",
        summary.rates,
        source=path.name,
        details={
            "reporting_entity": summary.reporting_entity,
            "billing_class": billing_class,
            "items": summary.items,
            "prices_used": summary.prices_used,
            "skipped": summary.skipped,
        },
    )
    return summary
