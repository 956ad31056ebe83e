"""Checklist review of a contract's pages: find each item's clauses, read values, flag risks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from assistant.ingest.models import Page
from assistant.review.checklist import Checklist, ChecklistItem, load_checklist
from assistant.review.models import (
    ContractReview,
    DocumentType,
    Evidence,
    ItemReview,
    ItemValue,
    Status,
)
from assistant.review.text import DocumentText, Passage, read_document
from assistant.review.values import extract_value

_QUOTE_LIMIT = 600
_QUOTE_CONTEXT = 300
_CITATIONS_PER_VALUE = 3
_LEGAL_WORDS = re.compile(
    r"\b(shall|agrees?|agreement|part(y|ies)|hereby|herein|hereunder|terminat\w*|whereas)\b",
    re.IGNORECASE,
)
# A text that says it is an agreement between parties is contract language even when prose is
# thin (a statement of work, a short order form under a master agreement).
_FORMS_AN_AGREEMENT = re.compile(
    r"\bby and (?:between|among)\b|\b(?:entered|made) (?:and entered )?into\b.{0,80}\bbetween\b",
    re.IGNORECASE,
)
_TABLE_ROW = re.compile(r"^[^,\t]*([,\t|][^,\t|]*){2,}$")
_CODE_AND_AMOUNT = re.compile(r"\b[0-9A-Z]\d{3}[0-9A-Z]\b.*\d+\.\d\d")
_PERIOD_REFERENCE = re.compile(
    r"\b(?:the\s+)?(?:period|time|deadline)\s+(?:stated\s+|set\s+(?:forth|out)\s+|specified\s+)?"
    r"in\s+Section\s+(\d{1,2}(?:\.\d{1,2})+)\b",
    re.IGNORECASE,
)
_PERIOD_UNITS = ("days", "weeks", "months", "years")
_PART_REFERENCE = re.compile(
    r"\b(Exhibit|Attachment|Schedule|Appendix|Addendum)\s+([A-Z]|\d{1,2})\b"
)


def _page_list(pages: Sequence[int]) -> str:
    names = [str(p) for p in pages]
    if len(names) == 1:
        return f"page {names[0]}"
    return f"pages {', '.join(names[:-1])} and {names[-1]}"


def _quote(text: str, match: re.Match[str]) -> str:
    """The sentence, or a window of it around the match when the sentence is long."""
    if len(text) <= _QUOTE_LIMIT:
        return text
    start = max(0, match.start() - _QUOTE_CONTEXT)
    end = min(len(text), match.end() + _QUOTE_CONTEXT)
    if start > 0:
        start = text.find(" ", start) + 1
    if end < len(text):
        end = text.rfind(" ", 0, end)
    return text[start:end]


def _flags(item: ChecklistItem, quote: str, value: dict[str, Any]) -> tuple[str, ...]:
    flags = []
    for rule in item.rules:
        if rule.pattern is not None and rule.pattern.search(quote):
            flags.append(rule.flag)
        if rule.below is not None:
            field, limit = rule.below
            number = value.get(field)
            if isinstance(number, int | float) and number < limit:
                flags.append(rule.flag)
    return tuple(flags)


def _evidence_in(passage: Passage, item: ChecklistItem) -> Evidence | None:
    if not item.matches(passage.text):
        return None
    match = next(m for p in item.patterns if (m := p.search(passage.text)))
    quote = _quote(passage.text, match)
    value = extract_value(item.id, quote)
    return Evidence(
        item_id=item.id,
        page=passage.page,
        section=passage.section,
        scope=passage.scope,
        quote=quote,
        value=value,
        flags=_flags(item, quote, value),
    )


def _section_number(section: str | None) -> str | None:
    return section.split()[0] if section and section[0].isdigit() else None


def _resolve_period_references(item: ChecklistItem, evidence: list[Evidence]) -> list[Evidence]:
    """A clause that counts from "the period in Section 3.4" takes that section's period.

    Only periods (fields ending in a unit, e.g. days) are taken, and only from evidence for the
    same item in the same scope, so "interest after the period in Section 3.4" reads as the
    deadline of 3.4 plus the interest rate.
    """
    resolved = []
    for e in evidence:
        ref = _PERIOD_REFERENCE.search(e.quote)
        target = next(
            (
                o
                for o in evidence
                if ref
                and o is not e
                and o.scope == e.scope
                and _section_number(o.section) == ref.group(1)
                and o.value
            ),
            None,
        )
        inherited = {
            k: v
            for k, v in (target.value.items() if target else ())
            if k.endswith(_PERIOD_UNITS) and k not in e.value
        }
        if inherited:
            value = {**inherited, **e.value}
            e = replace(e, value=value, flags=_flags(item, e.quote, value))
        resolved.append(e)
    return resolved


def _find(doc: DocumentText, item: ChecklistItem) -> list[Evidence]:
    found = [e for p in doc.passages if (e := _evidence_in(p, item))]
    return _resolve_period_references(item, found)


def find_clauses(
    pages: Sequence[Page], item_id: str, checklist: Checklist | None = None
) -> list[Evidence]:
    """Every sentence of `pages` that states checklist item `item_id`, with its value.

    For questions like "what is our timely filing limit": the same extraction the review uses.
    """
    chosen = (checklist or load_checklist()).item(item_id)
    return _find(read_document(pages), chosen)


def _group(evidence: list[Evidence], source: str) -> tuple[ItemValue, ...]:
    """One ItemValue per (scope, value); clauses without a value back the scope's first value."""
    groups: dict[tuple[str, str], list[Evidence]] = {}
    for e in evidence:
        if e.value:
            groups.setdefault((e.scope, repr(sorted(e.value.items()))), []).append(e)
    for e in evidence:
        if not e.value:
            same_scope = [k for k in groups if k[0] == e.scope]
            target = same_scope[0] if same_scope else (e.scope, "")
            groups.setdefault(target, []).append(e)
    ordered = sorted(groups.values(), key=lambda es: evidence.index(es[0]))
    values = []
    for members in ordered:
        # The clause that states the value is cited first; clauses without one follow.
        cited = members[:_CITATIONS_PER_VALUE]
        values.append(
            ItemValue(
                value=dict(members[0].value),
                scope=members[0].scope,
                citations=tuple(e.citation(source) for e in cited),
            )
        )
    return tuple(values)


def _item_flags(item: ChecklistItem, evidence: list[Evidence]) -> tuple[str, ...]:
    flags: list[str] = [f for e in evidence for f in e.flags]
    for rule in item.rules:
        if rule.present:
            flags.append(rule.flag)
        applies = rule.when is None or any(rule.when in e.value for e in evidence)
        if rule.missing and applies and not any(rule.missing in e.value for e in evidence):
            flags.append(rule.flag)
    return tuple(dict.fromkeys(flags))


def _classify(pages: Sequence[Page], doc: DocumentText) -> tuple[DocumentType, str | None]:
    """Whether the text reads as a contract; if not, a note saying what it looks like."""
    if not doc.has_text:
        return "no_text", "No page has any text, so nothing could be reviewed."
    text = "\n".join(p.text for p in pages)
    words = max(1, len(text.split()))
    legal = len(_LEGAL_WORDS.findall(text))
    lines = [line for line in text.splitlines() if line.strip()]
    rows = sum(1 for line in lines if _TABLE_ROW.match(line.strip()))
    if legal >= 10 and (legal * 1000 / words >= 5 or _FORMS_AN_AGREEMENT.search(text)):
        return "contract", None
    if rows >= max(2, len(lines) // 2):
        priced = sum(1 for line in lines if _CODE_AND_AMOUNT.search(line))
        kind = "a fee schedule or rate table" if priced >= rows // 2 else "a table of data"
        return "not_a_contract", (
            f"This looks like {kind} ({rows} of {len(lines)} lines are table rows), not contract "
            "language; no checklist item can be answered from it."
        )
    return "not_a_contract", (
        "This text has almost none of the language of a contract (no parties, obligations or "
        "terms); the checklist was not answered from it."
    )


def _missing_parts(pages: Sequence[Page]) -> list[str]:
    """Exhibits or attachments the text refers to but never starts — the contract may be split."""
    text = "\n".join(p.text for p in pages)
    referenced = {f"{m.group(1).title()} {m.group(2)}" for m in _PART_REFERENCE.finditer(text)}
    # A part is headed by a line that starts with its name, in plain text or as a Markdown
    # heading ("## EXHIBIT A — FEE SCHEDULE", "**Exhibit B**").
    headed = {
        f"{m.group(1).title()} {m.group(2).upper()}"
        for line in text.splitlines()
        if (
            m := re.match(
                _PART_REFERENCE.pattern, line.strip().lstrip("#*_ ").strip(), re.IGNORECASE
            )
        )
    }
    return sorted(referenced - headed)


_SIGNATURES = re.compile(
    r"\bIN WITNESS WHEREOF\b|\bexecuted (?:this|the) Agreement\b|\bhave (?:duly )?executed\b",
    re.IGNORECASE,
)


def _page_number(page: Page, index: int, count: int) -> int | None:
    return page.number if page.number is not None else (index if count > 1 else None)


def _could_hold(item: ChecklistItem, pages: Sequence[Page], doc: DocumentText) -> list[int]:
    """The unread pages on which `item`'s clause could sit.

    The opening (parties) comes before the first page with text; an agreement's own articles
    (governing law, assignment, liability) come before its signature block, so an unread page
    after the signatures can hold only attachments or signatures.
    """
    numbered = [(_page_number(p, i, len(pages)), p) for i, p in enumerate(pages, 1)]
    texts = [n for n, p in numbered if p.text.strip() and n is not None]
    if item.located == "opening":
        first = min(texts, default=None)
        return [n for n in doc.unread_pages if first is None or n < first]
    if item.located == "body":
        signed = [n for n, p in numbered if n is not None and _SIGNATURES.search(p.text)]
        if signed:
            return [n for n in doc.unread_pages if n <= signed[0]]
    return list(doc.unread_pages)


def _absence_note(item: ChecklistItem, pages: Sequence[Page], doc: DocumentText) -> str | None:
    could = _could_hold(item, pages, doc)
    if could:
        return (
            f"Not found in the readable text; no text on {_page_list(could)}, so it may be there."
        )
    return None


def review_pages(
    pages: Sequence[Page],
    checklist: Checklist | None = None,
    *,
    source: str,
    doc_id: str | None = None,
    state: str | None = None,
) -> ContractReview:
    """Answer every checklist item for a document's pages, citing page, section and quote.

    An item is `absent` only when every page had text; otherwise it is `unknown` with a note
    naming the pages that could not be read. The prompt-pay terms are compared with the state's
    prompt-pay law (`state`, else the state the contract names), flagging terms weaker than it.
    """
    checklist = checklist or load_checklist()
    doc = read_document(pages)
    doc_type, type_note = _classify(pages, doc)
    notes: list[str] = [type_note] if type_note else []
    if doc.unread_pages and doc.has_text:
        notes.append(
            f"No text on {_page_list(doc.unread_pages)} (images without a text layer, or blank); "
            "items not found may be there."
        )
    if doc.ocr_pages:
        verb = "is an image" if len(doc.ocr_pages) == 1 else "are images"
        notes.append(f"{_page_list(doc.ocr_pages).capitalize()} {verb}; OCR text used.")
    missing_parts = _missing_parts(pages) if doc_type == "contract" else []
    if missing_parts:
        notes.append(
            f"The text refers to {', '.join(missing_parts)} but does not contain "
            f"{'it' if len(missing_parts) == 1 else 'them'}; if the contract is split across "
            "files, review those files too."
        )
    items = []
    for item in checklist.items:
        evidence = _find(doc, item) if doc_type == "contract" else []
        item_notes: list[str] = []
        status: Status
        flags: tuple[str, ...] = ()
        if evidence:
            flags = _item_flags(item, evidence)
            status = "red_flag" if flags else "present"
        elif doc_type != "contract":
            status = "unknown"
            item_notes.append(type_note or "Not reviewed.")
        elif (note := _absence_note(item, pages, doc)) is not None:
            status = "unknown"
            item_notes.append(note)
        else:
            status = "absent"
        ocr_cited = sorted(
            {e.page for e in evidence if e.page is not None and e.page in doc.ocr_pages}
        )
        if ocr_cited:
            item_notes.append(f"Cites OCR text on {_page_list(ocr_cited)}; check the page image.")
        items.append(
            ItemReview(
                id=item.id,
                name=item.name,
                status=status,
                values=_group(evidence, source),
                why=item.why,
                ask=item.ask,
                flags=flags,
                notes=tuple(item_notes),
            )
        )
    review = ContractReview(
        doc_id=doc_id,
        source=source,
        items=tuple(items),
        document_type=doc_type,
        notes=tuple(notes),
        unread_pages=doc.unread_pages,
        ocr_pages=doc.ocr_pages,
        page_count=doc.page_count,
    )
    if doc_type != "contract":
        return review
    from assistant.review.prompt_pay import apply_prompt_pay_check, check_prompt_pay

    text = "\n".join(p.text for p in pages)
    return apply_prompt_pay_check(review, check_prompt_pay(review, text, state))
