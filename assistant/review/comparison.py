"""Comparing reviews: a cited side-by-side term table, and a contract against its template."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from assistant.review.models import ContractReview, ItemReview, ItemValue, Status
from assistant.review.text import normalise

TERM_ROWS = (
    "timely_filing",
    "prompt_pay",
    "clean_claim_definition",
    "termination_without_cause",
    "unilateral_amendment",
    "auto_renewal",
    "lesser_of",
    "recoupment",
    "network_rental",
    "most_favored_nation",
    "governing_law",
)
"""The terms a practice compares across payers, in the order a renewal meeting takes them."""

_FOUND = ("present", "red_flag")
_SAME_WORDING = 0.9


def _days(n: Any, what: str = "days") -> str:
    return f"{n} {what}"


_FORMATS: dict[str, Any] = {
    "days": lambda v: _days(v),
    "business_days": lambda v: _days(v, "business days"),
    "months": lambda v: _days(v, "months"),
    "later_days": lambda v: "rest within " + ", ".join(f"{d}" for d in v) + " days",
    "notice_days": lambda v: f"{v} days' notice",
    "notice_months": lambda v: f"{v} months' notice",
    "refund_days": lambda v: f"refund within {v} days",
    "lookback_months": lambda v: f"look-back {v} months",
    "lookback_years": lambda v: f"look-back {v} years",
    "lookback_days": lambda v: f"look-back {v} days",
    "initial_term_months": lambda v: f"initial term {v} months",
    "renewal_term_months": lambda v: f"renews for {v} months",
    "non_renewal_notice_days": lambda v: f"non-renewal notice {v} days",
    "non_renewal_notice_months": lambda v: f"non-renewal notice {v} months",
    "percent_of_charges": lambda v: f"{v:g}% of charges",
    "medicare_year": lambda v: f"Medicare/CMS year {v}",
    "update_days": lambda v: f"updated within {v} days",
    "retention_years": lambda v: f"records kept {v} years",
    "cure_days": lambda v: f"{v}-day cure period",
    "statute": lambda v: f"per {v}",
    "law": lambda v: f"law: {v}",
    "formats": lambda v: ", ".join(v),
    "per_occurrence": lambda v: f"${v:,.0f} per occurrence",
    "aggregate": lambda v: f"${v:,.0f} aggregate",
    "either_party": lambda v: "either party" if v else "",
    "right_to_terminate": lambda v: "may terminate instead" if v else "",
    "automatic_regulatory_changes": lambda v: "regulatory changes apply automatically" if v else "",
    "automatic": lambda v: "automatic" if v else "",
    "renews": lambda v: "",
    "non_renewal_notice": lambda v: "",
    "audit_right": lambda v: "audit right" if v else "",
    "audit_frequency": lambda v: f"audits {v}",
    "update_from": lambda v: f"updated from the {v}",
    "after_initial_term": lambda v: "after the initial term" if v else "",
}


def describe_value(value: Mapping[str, Any]) -> str:
    """A short reading of a value: {"notice_days": 90} → "90 days' notice"."""
    if "percent" in value and "per" in value:
        rate = f"interest {value['percent']:g}% per {value['per']}"
        value = {k: v for k, v in value.items() if k not in ("percent", "per")}
        rest = describe_value(value)
        return f"{rest}; {rate}" if rest else rate
    parts = []
    for key, raw in value.items():
        text = _FORMATS[key](raw) if key in _FORMATS else f"{key.replace('_', ' ')}: {raw}"
        if text:
            parts.append(text)
    if value.get("renews") and not any(k.startswith("renewal_term") for k in value):
        parts.append("renews")
    return ", ".join(parts)


def summarise_item(item: ItemReview) -> str:
    """One line for a table cell: each value with its scope, or the status when none."""
    described = [(describe_value(v.value), v.scope) for v in item.values if v.value]
    if not described:
        return {"present": "present", "red_flag": "present (red flag)"}.get(
            item.status, item.status
        )
    seen: dict[str, list[str]] = {}
    for text, scope in described:
        seen.setdefault(text, []).append(scope)
    return "; ".join(
        f"{text} ({', '.join(dict.fromkeys(scopes))})" for text, scopes in seen.items()
    )


@dataclass(frozen=True)
class TermCell:
    """One contract's answer for one term, with the values (and their citations) behind it."""

    doc_id: str | None
    source: str
    status: Status
    summary: str
    values: tuple[ItemValue, ...]
    flags: tuple[str, ...]


@dataclass(frozen=True)
class TermRow:
    item_id: str
    name: str
    cells: tuple[TermCell, ...]


@dataclass(frozen=True)
class TermTable:
    """Key terms side by side across contracts; every cell carries its citations."""

    documents: tuple[tuple[str | None, str], ...]
    rows: tuple[TermRow, ...]

    def to_json(self) -> dict[str, Any]:
        from assistant.review.schema import table_out

        return table_out(self).model_dump(mode="json")


def compare_documents(
    reviews: Sequence[ContractReview], item_ids: Sequence[str] = TERM_ROWS
) -> TermTable:
    """The side-by-side term table for several reviewed contracts (or payers)."""
    rows = []
    for item_id in item_ids:
        cells = []
        name = item_id
        for review in reviews:
            item = review.item(item_id)
            name = item.name
            cells.append(
                TermCell(
                    doc_id=review.doc_id,
                    source=review.source,
                    status=item.status,
                    summary=summarise_item(item),
                    values=item.values,
                    flags=item.flags,
                )
            )
        rows.append(TermRow(item_id=item_id, name=name, cells=tuple(cells)))
    return TermTable(documents=tuple((r.doc_id, r.source) for r in reviews), rows=tuple(rows))


DiffKind = Literal["same", "deviates", "wording_differs", "missing", "added", "both_absent"]


@dataclass(frozen=True)
class DiffEntry:
    """How one checklist item in the contract differs from the payer's template."""

    item_id: str
    name: str
    kind: DiffKind
    contract_status: Status
    template_status: Status
    contract_values: tuple[ItemValue, ...]
    template_values: tuple[ItemValue, ...]
    details: tuple[str, ...]


@dataclass(frozen=True)
class TemplateDiff:
    contract: ContractReview
    template: ContractReview
    entries: tuple[DiffEntry, ...]

    @property
    def deviations(self) -> tuple[DiffEntry, ...]:
        return tuple(e for e in self.entries if e.kind in ("deviates", "wording_differs"))

    @property
    def missing(self) -> tuple[DiffEntry, ...]:
        return tuple(e for e in self.entries if e.kind == "missing")

    def to_json(self) -> dict[str, Any]:
        from assistant.review.schema import diff_out

        return diff_out(self).model_dump(mode="json")


def _by_scope(values: Sequence[ItemValue]) -> dict[str, list[ItemValue]]:
    scopes: dict[str, list[ItemValue]] = {}
    for v in values:
        scopes.setdefault(v.scope, []).append(v)
    return scopes


def _value_set(values: Sequence[ItemValue]) -> set[str]:
    # Field by field: a value split over two sentences (or pages) still equals the same value
    # stated in one.
    fields = {describe_value({key: raw}) for v in values for key, raw in v.value.items()}
    return fields - {""}


def _unmatched_quotes(mine: Sequence[ItemValue], theirs: Sequence[ItemValue]) -> list[str]:
    """Contract quotes with no near-identical quote in the template."""
    other = [normalise(c.quote) for v in theirs for c in v.citations]
    out = []
    for v in mine:
        for c in v.citations:
            quote = normalise(c.quote)
            if not any(
                difflib.SequenceMatcher(None, quote, o, autojunk=False).ratio() >= _SAME_WORDING
                for o in other
            ):
                out.append(c.quote)
    return out


def _compare_item(item: ItemReview, base: ItemReview, template_scopes: set[str]) -> DiffEntry:
    found, base_found = item.status in _FOUND, base.status in _FOUND
    details: list[str] = []
    kind: DiffKind
    if not found and not base_found:
        kind = "both_absent"
    elif not found:
        kind = "missing"
        details.append(f"The template has this term; the contract does not ({item.status}).")
    elif not base_found:
        kind = "added"
        details.append("The contract has this term; the template does not.")
    else:
        kind = "same"
        mine, theirs = _by_scope(item.values), _by_scope(base.values)
        for scope, values in mine.items():
            if scope not in template_scopes:
                details.append(f"The template has no {scope}; not compared.")
                continue
            ours, base_values = _value_set(values), _value_set(theirs.get(scope, []))
            if ours != base_values:
                kind = "deviates"
                details.append(
                    f"{scope}: contract {'; '.join(sorted(ours)) or 'no value'} — template "
                    f"{'; '.join(sorted(base_values)) or 'no value'}."
                )
            elif kind == "same" and _unmatched_quotes(values, theirs.get(scope, [])):
                kind = "wording_differs"
                details.append(f"{scope}: same values, different wording.")
        new_flags = sorted(set(item.flags) - set(base.flags))
        if new_flags:
            kind = "deviates" if kind == "same" else kind
            details.append("Red flags not in the template: " + " ".join(new_flags))
    return DiffEntry(
        item_id=item.id,
        name=item.name,
        kind=kind,
        contract_status=item.status,
        template_status=base.status,
        contract_values=item.values,
        template_values=base.values,
        details=tuple(details),
    )


def compare_to_template(contract: ContractReview, template: ContractReview) -> TemplateDiff:
    """What in the contract deviates from the payer's standard template, and what is missing.

    Values are compared scope by scope (agreement, each attachment); a scope the template does
    not have is reported, not compared.
    """
    template_scopes = {v.scope for item in template.items for v in item.values}
    entries = tuple(
        _compare_item(item, template.item(item.id), template_scopes) for item in contract.items
    )
    return TemplateDiff(contract=contract, template=template, entries=entries)
