"""Values read out of contract sentences: durations, percentages, and each item's key terms."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_WORD = "(?:" + "|".join(sorted([*_UNITS, "hundred", "thousand"], key=len, reverse=True)) + ")"
_NUMBER = (
    rf"(?:\b(?P<words>{_WORD}(?:[\s-]+(?:and[\s-]+)?{_WORD})*)\b\s*(?:\(\s*(?P<paren>\d[\d,]*)\s*\))?"
    r"|(?P<digits>\b\d[\d,]*))"
)
_DURATION = re.compile(
    _NUMBER + r"\s*-?\s*(?P<unit>business\s+days?|calendar\s+days?|days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
_PERCENT = re.compile(
    r"(?:\(\s*(?P<paren>\d+(?:\.\d+)?)\s*%\s*\)|(?P<num>\d+(?:\.\d+)?)\s*(?:%|percent\b)"
    rf"|\b(?P<words>{_WORD}(?:[\s-]+{_WORD})*)\s+percent\b(?!\s*\())",
    re.IGNORECASE,
)
_PER = re.compile(
    r"^[\s)%,]*(?:percent\s*)?(?:\(\s*\d+(?:\.\d+)?\s*%\s*\)\s*)?"
    r"(?:per\s+(?P<per>month|annum|year|day)|(?P<ly>monthly|annually|annual|daily)"
    r"|a\s+(?P<a>month|year))",
    re.IGNORECASE,
)


def words_to_int(text: str) -> int:
    """ "one hundred twenty" → 120; raises ValueError on a word that is not a number."""
    total, current = 0, 0
    for word in re.split(r"[\s-]+", text.lower().strip()):
        if not word or word == "and":
            continue
        if word in _UNITS:
            current += _UNITS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word == "thousand":
            total += (current or 1) * 1000
            current = 0
        else:
            raise ValueError(f"not a number word: {word!r}")
    return total + current


def _number(match: re.Match[str]) -> int:
    # The figure in brackets wins over the words: it is what payers key into systems.
    if match.group("paren"):
        return int(match.group("paren").replace(",", ""))
    if match.group("digits"):
        return int(match.group("digits").replace(",", ""))
    return words_to_int(match.group("words"))


@dataclass(frozen=True)
class Duration:
    """A period in a contract: `amount` of `unit` (days, business days, weeks, months, years)."""

    amount: int
    unit: str
    start: int
    end: int

    def fields(self, prefix: str = "") -> dict[str, int]:
        """As JSON value fields, e.g. {"notice_days": 90} or {"notice_months": 12}."""
        unit = self.unit.replace("business days", "business_days")
        return {f"{prefix}{unit}": self.amount}

    @property
    def months(self) -> int | None:
        if self.unit == "months":
            return self.amount
        if self.unit == "years":
            return self.amount * 12
        return None


def find_durations(text: str) -> list[Duration]:
    """Every period in `text`: "ninety (90) days", "12 months'", "1-year", "three (3) years"."""
    found = []
    for match in _DURATION.finditer(text):
        unit = re.sub(r"\s+", " ", match.group("unit").lower())
        unit = {
            "calendar day": "days",
            "calendar days": "days",
            "business day": "business days",
        }.get(unit, unit)
        unit = unit if unit.endswith("s") else unit + "s"
        try:
            amount = _number(match)
        except ValueError:
            continue
        found.append(Duration(amount=amount, unit=unit, start=match.start(), end=match.end()))
    return found


def find_rate(text: str) -> dict[str, Any] | None:
    """An interest rate: "one percent (1%) per month" → {"percent": 1.0, "per": "month"}."""
    for match in _PERCENT.finditer(text):
        raw = match.group("paren") or match.group("num")
        try:
            value = float(raw) if raw else float(words_to_int(match.group("words")))
        except ValueError:
            continue
        per = _PER.match(text[match.end() : match.end() + 40])
        if not per:
            continue
        word = (per.group("per") or per.group("ly") or per.group("a")).lower()
        period = {"annum": "year", "annually": "year", "annual": "year", "monthly": "month"}
        return {"percent": value, "per": period.get(word, word).replace("daily", "day")}
    return None


def _after(text: str, anchor: str) -> str:
    found = re.search(anchor, text, re.IGNORECASE)
    return text[found.end() :] if found else ""


def _first_duration(text: str, anchor: str = r"\bwithin\b") -> Duration | None:
    tail = _after(text, anchor)
    durations = find_durations(tail[:120]) if tail else []
    return durations[0] if durations else None


def _timely_filing(text: str) -> dict[str, Any]:
    found = _first_duration(text) or _first_duration(text, r"timely filing")
    return found.fields() if found else {}


def _prompt_pay(text: str) -> dict[str, Any]:
    value: dict[str, Any] = {}
    within = [
        d
        for m in re.finditer(r"\bwithin\b", text, re.IGNORECASE)
        for d in find_durations(text[m.end() : m.end() + 60])[:1]
    ]
    if within:
        value.update(within[0].fields())
        later = sorted(
            {d.amount for d in within[1:] if d.unit == within[0].unit} - {within[0].amount}
        )
        if later:
            value["later_" + within[0].unit] = later
    rate = find_rate(text)
    if rate and re.search(r"\binterest\b", text, re.IGNORECASE):
        value.update(rate)
    statute = re.search(
        r"\b(?:as specified in|pursuant to|required by|under|in accordance with)\s+"
        r"((?:T\.?C\.?A\.?|Tenn\. Code Ann\.|[A-Z][a-z]+ (?:Code|Stat\.?|Statutes?)[A-Za-z.]*)"
        r"\s*§?\s*\d(?:[\d.\-–]*\d)?)",
        text,
    )
    if statute:
        value["statute"] = statute.group(1)
    return value


def _notice(text: str, durations: list[Duration] | None = None) -> dict[str, Any]:
    durations = find_durations(text) if durations is None else durations
    notice = re.search(r"\bnotice\b", text, re.IGNORECASE)
    if not durations or not notice:
        return {}
    # The period nearest the word "notice" is the notice period.
    nearest = min(
        durations, key=lambda d: min(abs(d.start - notice.end()), abs(d.end - notice.start()))
    )
    return nearest.fields("notice_")


def _termination(text: str) -> dict[str, Any]:
    value = _notice(text)
    if re.search(r"\b(either|each|any) party\b|\bneither party\b", text, re.IGNORECASE):
        value["either_party"] = True
    # "Following the Initial Term, either Party may terminate ... upon three months' notice":
    # the notice that ends a renewed agreement.
    if re.search(
        r"\b(?:after|following|upon expiration of|during)\s+(?:the\s+|any\s+)?"
        r"(?:initial term|renewal terms?|renewal periods?|extended terms?)\b",
        text,
        re.IGNORECASE,
    ):
        value["after_initial_term"] = True
    return value


# "... may terminate this Agreement by written notice within thirty (30) days": a period that
# follows the practice's exit right is how long the exit takes, not the amendment's notice.
_EXIT_PERIOD = re.compile(r"\bterminat\w*\b(?![^.;]*\bamend)[^.;]*$", re.IGNORECASE)


def _amendment(text: str) -> dict[str, Any]:
    durations = [d for d in find_durations(text) if not _EXIT_PERIOD.search(text[: d.start])]
    value = _notice(text, durations)
    if re.search(r"\b(right to|may)\s+(terminate|object|reject)\b", text, re.IGNORECASE):
        value["right_to_terminate"] = True
    if re.search(r"\bautomatically (modified|amended)\b", text, re.IGNORECASE):
        value["automatic_regulatory_changes"] = True
    return value


def _for_cause(text: str) -> dict[str, Any]:
    if not re.search(r"\bcure\b", text, re.IGNORECASE):
        return {}
    days = [d for d in find_durations(text) if d.unit == "days"]
    return {"cure_days": days[0].amount} if days else {}


_INITIAL_TERM_IS = re.compile(
    r"\binitial (?:term|period)\b[^.;]{0,60}?\b(?:is|shall be|will be)\s+", re.IGNORECASE
)


def _term(text: str) -> dict[str, Any]:
    value: dict[str, Any] = {}
    initial = re.search(
        r"\b(?:initial (?:term|period)|term|period)\s+of\s+(?:"
        + _NUMBER
        + r")\s*-?\s*(?:years?|months?)"
        r"|\bcontinue in effect for a period of\b",
        text,
        re.IGNORECASE,
    )
    if initial:
        found = find_durations(text[initial.start() : initial.end() + 40])
        if found and found[0].months:
            value["initial_term_months"] = found[0].months
    elif stated := _INITIAL_TERM_IS.search(text):
        # "The initial term of this Agreement is one (1) year": the period right after the verb.
        found = find_durations(text[stated.end() : stated.end() + 40])
        if found and found[0].start <= 1 and found[0].months:
            value["initial_term_months"] = found[0].months
    renewal = re.search(r"\b(successive|additional|consecutive|renewal)\b", text, re.IGNORECASE)
    if renewal:
        found = find_durations(text[renewal.start() : renewal.start() + 80])
        if found and found[0].months:
            value["renewal_term_months"] = found[0].months
    # A survival clause ("shall survive ... and continue thereafter for five years"), a
    # post-term covenant ("for two years thereafter") or an extension only by a new mutual
    # agreement is no renewal of the agreement's term.
    surviving = re.search(r"\bsurviv\w*", text, re.IGNORECASE)
    by_agreement = re.search(
        r"\b(?:extend|renew)\w*\b[^.;]{0,60}\bby\s+(?:the\s+)?mutual\b"
        r"|\b(?:extend|renew)\w*\b[^.;]{0,60}\bby\s+(?:written\s+)?"
        r"(?:agreement|consent) of the parties\b"
        r"|\bmutual\w*\b[^.;]{0,40}\b(?:extend|renew)\w*|\bupon mutual\b",
        text,
        re.IGNORECASE,
    )
    renewing = re.search(
        r"\b(?:renew(?:s|ed|al|ing|able)?|extend(?:s|ed)?|extension)\b"
        r"|\b(?:successive|consecutive)\b|\bindefinitely\b|\bstay in force\b"
        r"|\bthereafter\s+for\s+(?:an?\s+)?(?:additional|further)\b"
        r"|\b(?:from\s+)?(?:year|month)[- ]to[- ](?:year|month)\b"
        r"|\bcontinue\w*\s+(?:in (?:full )?(?:force|effect)\s+)?thereafter\b[^.;]{0,40}\buntil\b",
        text,
        re.IGNORECASE,
    )
    if renewing and not surviving and not by_agreement:
        value["renews"] = True
    if value.get("renews") and re.search(
        r"\bautomatic\w*|\bindefinitely\b|\bcontinue\w* (?:in effect )?thereafter\b"
        r"|\b(?:year|month)[- ]to[- ](?:year|month)\b"
        r"|\bunless\b[^.]{0,120}\bnotice\b[^.]{0,80}\b(?:not to|non-?renew|cancel)",
        text,
        re.IGNORECASE,
    ):
        value["automatic"] = True
    # How a renewal is stopped: a non-renewal notice, or, in the renewal sentence itself, notice
    # given before the term ends ("unless either party gives notice ... 30 days prior to the
    # expiration", "unless terminated by either party upon ninety (90) days' notice").
    non_renewal = re.search(
        r"\bnon-?renewal\b|\bnot to (?:renew|extend)\b|\bnotice of cancellation\b"
        r"|\buntil terminated by\b"
        # only a renewed agreement has a "then-current" term to end
        r"|\b(?:prior to|before)\b[^.]{0,40}\b(?:expiration|expiry|end)\s+of\s+(?:the\s+|any\s+)?"
        r"(?:then[- ](?:current|existing|applicable)|current renewal|renewal)\s+(?:term|period)\b",
        text,
        re.IGNORECASE,
    )
    before_end = value.get("renews") and re.search(
        r"\bunless\b[^.]{0,160}\b(?:notice|notif\w*)\b"
        r"|\b(?:prior to|before)\s+(?:the\s+)?(?:date\s+of\s+)?(?:the\s+)?"
        r"(?:expiration|expiry|end|anniversary|renewal|termination date)\b",
        text,
        re.IGNORECASE,
    )
    if (non_renewal or before_end) and re.search(r"\bnoti(?:ce|f)", text, re.I):
        notice = _advance_notice(text) or _notice(text)
        value.update({k.replace("notice_", "non_renewal_notice_"): v for k, v in notice.items()})
        value.setdefault("non_renewal_notice", True)
    return value


# Words that can follow "laws of" without naming a place.
_NOT_A_PLACE = frozenset(
    [
        "the",
        "this",
        "that",
        "such",
        "any",
        "each",
        "said",
        "its",
        "their",
        "his",
        "her",
        "which",
        "other",
        "another",
        "all",
    ]
    + [
        "state",
        "states",
        "province",
        "commonwealth",
        "country",
        "jurisdiction",
        "place",
        "where",
        "applicable",
    ]
    + [
        "shall",
        "will",
        "and",
        "or",
        "without",
        "with",
        "in",
        "to",
        "be",
        "as",
        "is",
        "conflict",
        "conflicts",
    ]
)
# Second words of two-word places ("New York", "South Dakota", "Hong Kong", "British Columbia").
_PLACE_SECOND = re.compile(
    r"^(?:york|jersey|hampshire|mexico|carolina|dakota|virginia|island|columbia|kong|zealand"
    r"|wales|brunswick|scotia|kingdom|korea|africa|arabia|rico|states)$",
    re.IGNORECASE,
)


def _place(words: list[str]) -> str | None:
    cleaned = [w.strip(",.;:()\"'") for w in words]
    if not cleaned or not cleaned[0] or cleaned[0].lower() in _NOT_A_PLACE:
        return None
    if not re.fullmatch(r"[A-Za-z][A-Za-z'-]+", cleaned[0]):
        return None
    place = [cleaned[0]]
    if len(cleaned) > 1 and _PLACE_SECOND.match(cleaned[1]):
        place.append(cleaned[1])
    name = " ".join(place)
    return name if name[:1].isupper() and not name.isupper() else name.title()


_ADVANCE = re.compile(
    r"^\W{0,3}\s*(?:'s\s+)?(?:\w+\s+){0,3}?(?:prior|before|in advance|advance)\b", re.I
)
_AT_LEAST = re.compile(r"\b(?:at least|no less than|not less than|minimum of)\s*$", re.IGNORECASE)


def _advance_notice(text: str) -> dict[str, Any]:
    """The period given "prior to" the end, or "at least" so long: a notice period, not a term."""
    for d in find_durations(text):
        if _ADVANCE.match(text[d.end : d.end + 40]) or _AT_LEAST.search(text[: d.start]):
            return d.fields("notice_")
    return {}


def _governing_law(text: str) -> dict[str, Any]:
    # "laws of the State of Delaware", "laws of the state of delaware", "Laws of China",
    # "laws of the Province of Ontario", "the laws of the People's Republic of China".
    # "the laws of the United States and the State of California": the state is the answer.
    places = [
        law
        for named in re.finditer(
            r"\blaws?\s+of\s+(?:the\s+)?(?:(?:state|commonwealth|province|kingdom|republic"
            r"|people'?s\s+republic|federal\s+republic)\s+of\s+(?:the\s+)?)?((?:\S+\s*){1,2})",
            text,
            re.IGNORECASE,
        )
        if (law := _place(named.group(1).split()))
    ]
    if places and places[0].lower() == "united states":
        places += [
            law
            for named in re.finditer(
                r"\b(?:state|commonwealth)\s+of\s+((?:\S+\s*){1,2})", text, re.IGNORECASE
            )
            if (law := _place(named.group(1).split()))
        ]
    if places:
        national = [p for p in places if p.lower() == "united states"]
        return {"law": next((p for p in places if p not in national), places[0])}
    # "The California laws shall govern", "in accordance with Delaware law".
    adjective = re.search(
        r"\b(?:with|by|under)\s+(?:the\s+)?([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s+laws?\b"
        r"|\b(?:the\s+)?([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s+laws?\s+(?:shall|will)\s+govern\b",
        text,
    )
    if adjective:
        law = _place((adjective.group(1) or adjective.group(2)).split())
        if law:
            return {"law": law}
    floating = re.search(
        r"\blaws?\s+of\s+the\s+(state\s+where\b[^.,;]{0,80}?place of business)", text
    )
    return {"law": floating.group(1)} if floating else {}


def _recoupment(text: str) -> dict[str, Any]:
    value: dict[str, Any] = {}
    refund = re.search(r"\b(?:refund|repay|return|reimburse)\w*\b", text, re.IGNORECASE)
    if refund:
        found = _first_duration(text[refund.start() :])
        if found:
            value.update(found.fields("refund_"))
    lookback = re.search(
        r"\blook[- ]?back\b[^.]{0,60}|\b(?:more than|after|beyond|within)\s+[^.]{0,40}?"
        r"(?:months?|years?|days?)\s+(?:after|from|of|following)\s+(?:the\s+)?"
        r"(?:date\s+(?:of\s+|on\s+which\s+|that\s+)?)?"
        r"(?:the\s+)?(?:original\s+)?(?:payment|claim|adjudication)",
        text,
        re.IGNORECASE,
    )
    periods = find_durations(lookback.group(0)) if lookback else []
    if periods:
        value.update(periods[0].fields("lookback_"))
    return value


# How often an audit may happen, as stated ("not more than once per calendar year",
# "once every twelve (12) months", "twice a year", "annually"): distinct from how long records
# are kept.
_AUDIT_FREQUENCY = re.compile(
    r"\b(?P<limit>(?:not|no)\s+more\s+(?:often\s+|frequently\s+)?than|up\s+to|at\s+most)?\s*"
    r"(?P<times>once|twice|one|two|three|four|\d+)\s*(?:\(\s*\d+\s*\)\s*)?(?:times?\s+)?"
    r"(?:per|a|each|in\s+any|every|in\s+each|during\s+any)\s+"
    r"(?P<unit>calendar\s+year|contract\s+year|year|quarter"
    r"|(?:twelve|12|\(12\)|\w+\s*\(\d+\))[- ]month\s+period|\w+\s+(?:\(\d+\)\s+)?months?)\b",
    re.IGNORECASE,
)
_AUDIT_WORD = re.compile(r"\baudit\w*|\binspect\w*|\bexamin\w*", re.IGNORECASE)


def _audit_frequency(text: str) -> str | None:
    if not _AUDIT_WORD.search(text):
        return None
    found = _AUDIT_FREQUENCY.search(text)
    if not found:
        return None
    times = found.group("times").lower()
    count = {"once": "once", "one": "once", "1": "once", "twice": "twice", "two": "twice"}.get(
        times, f"{times} times"
    )
    unit = normalise_space(found.group("unit").lower())
    months = find_durations(unit.replace("-", " ").replace("period", ""))
    if months and months[0].unit == "months":
        unit = f"{months[0].amount} months"
    limit = "at most " if found.group("limit") else ""
    return f"{limit}{count} per {unit}"


def normalise_space(text: str) -> str:
    return " ".join(text.split())


def _records(text: str) -> dict[str, Any]:
    value: dict[str, Any] = {}
    if re.search(
        r"\baudit(?:s|ed|ing)?\b|\binspect\w*\b"
        r"|\b(?:examin\w*|review|access|copy)\b[^.]{0,40}\b(?:books|records)",
        text,
        re.IGNORECASE,
    ):
        value["audit_right"] = True
    frequency = _audit_frequency(text)
    if frequency:
        value["audit_frequency"] = frequency
    retention = re.search(
        r"(?:for|during|through|period of|thereafter|until the expiration of)\s+[^.]{0,40}?"
        + r"(?:years?)\b",
        text,
        re.IGNORECASE,
    )
    if retention:
        found = [d for d in find_durations(retention.group(0)) if d.unit == "years"]
        if found:
            value["retention_years"] = found[0].amount
    return value


def _lesser_of(text: str) -> dict[str, Any]:
    found = re.search(
        r"(?:\(\s*(\d+(?:\.\d+)?)\s*%\s*\)|(\d+(?:\.\d+)?)\s*%)\s*of\s+(?:the\s+)?"
        r"(?:eligible|billed|usual|provider'?s?)?\s*(?:and customary\s+)?charges",
        text,
        re.IGNORECASE,
    )
    if found:
        return {"percent_of_charges": float(found.group(1) or found.group(2))}
    return {}


def _fee_schedule(text: str) -> dict[str, Any]:
    year = re.search(
        r"\b(?:calendar year|CY|year)\s*((?:19|20)\d\d)\b"
        r"|\b((?:19|20)\d\d)\s+(?:Medicare|CMS|OPPS|MPFS)\b",
        text,
        re.IGNORECASE,
    )
    value: dict[str, Any] = {}
    if year and re.search(
        r"\b(?:CMS|Medicare|OPPS|APC|RBRVS|MPFS|fee schedule)", text, re.IGNORECASE
    ):
        value["medicare_year"] = int(year.group(1) or year.group(2))
    found = _first_duration(text, r"\bno later than\b|\bwithin\b")
    if found and re.search(r"\bupdat", text, re.IGNORECASE):
        value.update(found.fields("update_"))
    if re.search(r"\bupdat", text, re.IGNORECASE) and re.search(
        r"\b(?:calendar\s+)?quarter\b[^.]{0,30}\bfollow", text, re.IGNORECASE
    ):
        value["update_from"] = "next calendar quarter"
    return value


def _insurance(text: str) -> dict[str, Any]:
    per = re.search(
        r"\$\s?([\d,]+(?:\.\d\d)?)\s*(?:per|each|for any one)\s+(?:occurrence|claim)", text
    )
    agg = re.search(r"\$\s?([\d,]+(?:\.\d\d)?)\s*(?:in the )?aggregate", text)
    value: dict[str, Any] = {}
    if per:
        value["per_occurrence"] = float(per.group(1).replace(",", ""))
    if agg:
        value["aggregate"] = float(agg.group(1).replace(",", ""))
    return value


_FORMATS = {
    "EDI": r"\belectronic data interchange\b|\bEDI\b|\b837[PI]?\b",
    "CMS-1500": r"\bCMS[- ]?1500\b",
    "UB-04": r"\bUB-?04\b|\bCMS[- ]?1450\b",
    "paper (NUCC)": r"\bNUCC\b|\bpaper (?:claim )?forms?\b",
}


def _claim_format(text: str) -> dict[str, Any]:
    formats = [name for name, pattern in _FORMATS.items() if re.search(pattern, text)]
    return {"formats": formats} if formats else {}


Extractor = Callable[[str], dict[str, Any]]

EXTRACTORS: dict[str, Extractor] = {
    "timely_filing": _timely_filing,
    "prompt_pay": _prompt_pay,
    "unilateral_amendment": _amendment,
    "termination_without_cause": _termination,
    "termination_for_cause": _for_cause,
    "auto_renewal": _term,
    "governing_law": _governing_law,
    "recoupment": _recoupment,
    "records_and_audit": _records,
    "lesser_of": _lesser_of,
    "fee_schedule_updates": _fee_schedule,
    "claim_submission": _claim_format,
    "insurance": _insurance,
}
"""Item id → value extractor. Items without one are reported by their evidence alone."""


def extract_value(item_id: str, text: str) -> dict[str, Any]:
    """The structured value `item_id` states in `text` ({} when it states none)."""
    extractor = EXTRACTORS.get(item_id)
    return extractor(text) if extractor else {}
