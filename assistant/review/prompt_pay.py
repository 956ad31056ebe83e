"""A contract's prompt-pay terms against its state's prompt-pay law (knowledge/prompt_pay.yaml)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import InputError
from assistant.resources import knowledge_dir
from assistant.review.models import Citation, ContractReview, ItemValue

DEFAULT_TABLE = knowledge_dir() / "prompt_pay.yaml"

STATE_NAMES: dict[str, str] = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA",
    "kansas": "KS", "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD",
    "massachusetts": "MA", "michigan": "MI", "minnesota": "MN", "mississippi": "MS",
    "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV", "new hampshire": "NH",
    "new jersey": "NJ", "new mexico": "NM", "new york": "NY", "north carolina": "NC",
    "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
    "rhode island": "RI", "south carolina": "SC", "south dakota": "SD", "tennessee": "TN",
    "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "district of columbia": "DC",
}  # fmt: skip
_STATE_WORD = re.compile(
    r"\b(" + "|".join(sorted(STATE_NAMES, key=len, reverse=True)).replace(" ", r"\s+") + r")\b",
    re.IGNORECASE,
)
# "Washington, D.C." is not the state of Washington; "West Virginia" is not Virginia (longest
# names are tried first).
_NOT_THE_STATE = re.compile(r"^washington,?\s*d\.?\s*c\b", re.IGNORECASE)
_FEDERAL_SCOPE = re.compile(r"\bmedicare\b", re.IGNORECASE)
_MEDICAID_SCOPE = re.compile(
    r"\b(medicaid|tenncare|apple health|chip|managed medicaid)\b", re.IGNORECASE
)
_ELECTRONIC = re.compile(r"\belectronic\w*|\bEDI\b", re.IGNORECASE)
_PAPER = re.compile(r"\bpaper\b|\bnon-?electronic\b|\bother than electronic", re.IGNORECASE)
_BEST_EFFORTS = re.compile(r"\bbest efforts?\b|\bgoal\b|\bendeavou?r\b", re.IGNORECASE)


@dataclass(frozen=True)
class StateRule:
    """One row of knowledge/prompt_pay.yaml."""

    state: str
    statute: str
    applies_to: tuple[str, ...]
    source_url: str
    source_title: str
    source_read: str
    clean_claim_days: int | None = None
    electronic_days: int | None = None
    paper_days: int | None = None
    day_type: str = "calendar"
    share: float | None = None
    interest_percent: float | None = None
    interest_per: str | None = None
    interest_note: str | None = None

    def days_for(self, kind: str | None) -> int | None:
        """The deadline for a claim of `kind` ("electronic", "paper" or None = not stated)."""
        if self.clean_claim_days is not None:
            return self.clean_claim_days
        if kind == "electronic":
            return self.electronic_days
        # When the contract does not say, compare with the laxer (paper) deadline: never flag a
        # term that could be lawful.
        return self.paper_days or self.electronic_days

    @property
    def monthly_interest(self) -> float | None:
        return _per_month(self.interest_percent, self.interest_per)


@dataclass(frozen=True)
class LawComparison:
    """One scope of the contract's payment terms set against one state rule."""

    scope: str
    statute: str
    source_url: str
    contract: dict[str, Any]
    law: dict[str, Any]
    weaker: tuple[str, ...]
    citations: tuple[Citation, ...]
    note: str | None = None


@dataclass(frozen=True)
class PromptPayCheck:
    """The prompt-pay law check of one contract: which state, how it was chosen, what was found."""

    state: str | None
    state_from: str
    rules: tuple[StateRule, ...]
    comparisons: tuple[LawComparison, ...]
    notes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "state_from": self.state_from,
            "statutes": [
                {"statute": r.statute, "applies_to": list(r.applies_to), "source": r.source_url}
                for r in self.rules
            ],
            "comparisons": [
                {
                    "scope": c.scope,
                    "statute": c.statute,
                    "source": c.source_url,
                    "contract": c.contract,
                    "law": c.law,
                    "weaker": list(c.weaker),
                    "pages": sorted({x.page for x in c.citations if x.page is not None}),
                    "note": c.note,
                }
                for c in self.comparisons
            ],
            "notes": list(self.notes),
        }


def _per_month(percent: float | None, per: str | None) -> float | None:
    if percent is None or per is None:
        return None
    return {"month": percent, "year": percent / 12, "day": percent * 30}.get(per)


def _rule(raw: dict[str, Any]) -> StateRule:
    try:
        source = raw["source"]
        interest = raw.get("interest") or {}
        return StateRule(
            state=str(raw["state"]).upper(),
            statute=str(raw["statute"]),
            applies_to=tuple(raw.get("applies_to") or ("commercial",)),
            source_url=str(source["url"]),
            source_title=str(source.get("title", "")),
            source_read=" ".join(str(source["read"]).split()),
            clean_claim_days=raw.get("clean_claim_days"),
            electronic_days=raw.get("electronic_days"),
            paper_days=raw.get("paper_days"),
            day_type=str(raw.get("day_type", "calendar")),
            share=raw.get("share"),
            interest_percent=interest.get("percent"),
            interest_per=interest.get("per"),
            interest_note=raw.get("interest_note"),
        )
    except (KeyError, TypeError) as exc:
        raise InputError(
            f"Prompt-pay table row {raw!r:.60} is missing {exc}",
            "every row needs state, statute and source (url, read)",
        ) from exc


@lru_cache(maxsize=4)
def load_rules(path: Path = DEFAULT_TABLE) -> tuple[StateRule, ...]:
    """Every row of the prompt-pay table. A row without a source is refused."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(_rule(raw) for raw in data.get("states") or ())


def covered_states(path: Path = DEFAULT_TABLE) -> tuple[str, ...]:
    return tuple(sorted({r.state for r in load_rules(path)}))


def normalise_state(text: str) -> str:
    """ "tn", "Tennessee" → "TN"; an unknown name raises InputError."""
    cleaned = " ".join(text.strip().split()).lower()
    if cleaned.upper() in STATE_NAMES.values():
        return cleaned.upper()
    if cleaned in STATE_NAMES:
        return STATE_NAMES[cleaned]
    raise InputError(
        f"Unknown state {text!r}", "give a two-letter code or a state name, e.g. --state TN"
    )


def detect_state(review: ContractReview, text: str) -> tuple[str | None, str]:
    """The contract's state: its governing law when that names a state, else the state its text
    names most (addresses, statutes), when one clearly leads."""
    for value in review.item("governing_law").values:
        law = str(value.value.get("law", ""))
        if law.lower() in STATE_NAMES:
            return STATE_NAMES[law.lower()], f"governing law ({law})"
    counts: Counter[str] = Counter()
    for match in _STATE_WORD.finditer(text):
        if _NOT_THE_STATE.match(text[match.start() : match.end() + 6]):
            continue
        counts[STATE_NAMES[" ".join(match.group(1).lower().split())]] += 1
    ranked = counts.most_common(2)
    if ranked and ranked[0][1] >= 2 and (len(ranked) == 1 or ranked[0][1] >= 2 * ranked[1][1]):
        code, n = ranked[0]
        name = next(k for k, v in STATE_NAMES.items() if v == code).title()
        return code, f"the contract text ({name} named {n} times)"
    return None, "not found"


def _line_of_business(scope: str) -> str | None:
    if _FEDERAL_SCOPE.search(scope) and not _MEDICAID_SCOPE.search(scope):
        return None
    return "medicaid" if _MEDICAID_SCOPE.search(scope) else "commercial"


def _claim_kind(quotes: Sequence[str]) -> str | None:
    text = " ".join(quotes)
    if _ELECTRONIC.search(text) and not _PAPER.search(text):
        return "electronic"
    if _PAPER.search(text) and not _ELECTRONIC.search(text):
        return "paper"
    return None


def _law_fields(rule: StateRule, kind: str | None) -> dict[str, Any]:
    law: dict[str, Any] = {"days": rule.days_for(kind), "day_type": rule.day_type}
    if rule.share is not None:
        law["share"] = rule.share
    if rule.interest_percent is not None:
        law["interest"] = {"percent": rule.interest_percent, "per": rule.interest_per}
    return law


def _compare(scope: str, values: list[ItemValue], rule: StateRule) -> LawComparison:
    merged: dict[str, Any] = {}
    for v in values:
        for key, val in v.value.items():
            merged.setdefault(key, val)
    citations = tuple(c for v in values for c in v.citations)
    quotes = [c.quote for c in citations]
    kind = _claim_kind(quotes)
    law = _law_fields(rule, kind)
    weaker: list[str] = []
    days = merged.get("days")
    law_days = law["days"]
    pages = sorted({c.page for c in citations if c.page is not None})
    sections = list(dict.fromkeys(c.section.split()[0] for c in citations if c.section))
    if pages:
        where = f"page {', '.join(map(str, pages))}"
    elif sections:
        where = f"§{', §'.join(sections)}"
    else:
        where = "the contract"
    if isinstance(days, int) and isinstance(law_days, int) and days > law_days:
        weaker.append(
            f"pays clean claims within {days} days ({where}) where {rule.statute} requires "
            f"{law_days} {rule.day_type} days"
        )
    if isinstance(days, int) and any(_BEST_EFFORTS.search(q) for q in quotes):
        weaker.append(
            f"the payment deadline is only a best-efforts goal ({where}); {rule.statute} "
            "makes it a requirement"
        )
    law_monthly = rule.monthly_interest
    contract_monthly = _per_month(merged.get("percent"), merged.get("per"))
    if law_monthly is not None and isinstance(days, int):
        if contract_monthly is None:
            weaker.append(
                f"no interest on late clean claims is stated ({where}); {rule.statute} sets "
                f"{rule.interest_percent:g}% per {rule.interest_per}"
            )
        elif contract_monthly < law_monthly - 1e-9:
            weaker.append(
                f"late-payment interest of {merged['percent']:g}% per {merged['per']} ({where}) "
                f"is below {rule.statute}'s {rule.interest_percent:g}% per {rule.interest_per}"
            )
    note = None
    if not isinstance(days, int):
        statute = merged.get("statute")
        note = (
            "The contract states no payment deadline here"
            + (f"; it defers to {statute}" if statute else "")
            + f". {rule.statute}: {law_days} {rule.day_type} days."
        )
    contract: dict[str, Any] = {
        k: merged[k] for k in ("days", "percent", "per", "statute") if k in merged
    }
    return LawComparison(
        scope=scope,
        statute=rule.statute,
        source_url=rule.source_url,
        contract=contract,
        law=law,
        weaker=tuple(weaker),
        citations=citations,
        note=note,
    )


def check_prompt_pay(
    review: ContractReview,
    text: str,
    state: str | None = None,
    rules: Sequence[StateRule] | None = None,
) -> PromptPayCheck:
    """Compare the review's prompt-pay values with the state's rows of the prompt-pay table."""
    table = tuple(rules) if rules is not None else load_rules()
    code: str | None
    if state:
        code, state_from = normalise_state(state), "--state"
    else:
        code, state_from = detect_state(review, text)
    notes: list[str] = []
    if code is None:
        notes.append(
            "The contract's state could not be told from its governing law or text; pass "
            "--state to compare its payment terms with a state's prompt-pay law."
        )
        return PromptPayCheck(None, state_from, (), (), tuple(notes))
    mine = tuple(r for r in table if r.state == code)
    if not mine:
        covered = ", ".join(sorted({r.state for r in table}))
        notes.append(
            f"No prompt-pay rule for {code} in the table (rows with a cited source: {covered}); "
            "the payment terms were not compared with state law."
        )
        return PromptPayCheck(code, state_from, (), (), tuple(notes))
    by_scope: dict[str, list[ItemValue]] = {}
    for value in review.item("prompt_pay").values:
        by_scope.setdefault(value.scope, []).append(value)
    comparisons = []
    for scope, values in by_scope.items():
        line = _line_of_business(scope)
        if line is None:
            notes.append(
                f"{scope}: Medicare Advantage payment timing is set by federal rules, not "
                "compared with state law."
            )
            continue
        rule = next((r for r in mine if line in r.applies_to), None)
        if rule is None:
            notes.append(f"{scope}: no {code} rule in the table covers {line} plans; not compared.")
            continue
        comparisons.append(_compare(scope, values, rule))
    if not by_scope:
        notes.append("The contract states no prompt-pay terms to compare with state law.")
    return PromptPayCheck(code, state_from, mine, tuple(comparisons), tuple(notes))


def apply_prompt_pay_check(review: ContractReview, check: PromptPayCheck) -> ContractReview:
    """The review with a red flag on `prompt_pay` for each term weaker than the state's law."""
    flags = [
        f"Weaker than {check.state} law ({c.scope}): {w}."
        for c in check.comparisons
        for w in c.weaker
    ]
    sources = [
        f"{check.state} prompt-pay law compared: {r.statute}, as read at {r.source_url}"
        for r in check.rules
        if any(c.statute == r.statute for c in check.comparisons)
    ]
    items = []
    for item in review.items:
        if item.id == "prompt_pay":
            notes = [
                *item.notes,
                *sources,
                *check.notes,
                *(c.note for c in check.comparisons if c.note),
            ]
            item = replace(item, notes=tuple(dict.fromkeys(notes)))
            if flags:
                merged = tuple(dict.fromkeys((*item.flags, *flags)))
                item = replace(item, status="red_flag", flags=merged)
        items.append(item)
    return replace(review, items=tuple(items), prompt_pay_law=check)
