"""Review services over the workspace: read an indexed document's pages and review them."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from assistant.errors import InputError
from assistant.ingest.store import DocumentStore
from assistant.review.checklist import Checklist, load_checklist
from assistant.review.comparison import (
    TemplateDiff,
    TermTable,
    compare_documents,
    compare_to_template,
)
from assistant.review.extraction import review_pages
from assistant.review.models import ContractReview


def review_document(
    conn: sqlite3.Connection,
    ref: str,
    checklist: Checklist | None = None,
    *,
    state: str | None = None,
) -> ContractReview:
    """Review the indexed document `ref` (doc_id or source name) against the checklist.

    `state` (a code or name) picks the prompt-pay law compared; by default the contract's own.
    """
    store = DocumentStore(conn)
    record = store.resolve(ref)
    review = review_pages(
        store.pages(record.doc_id),
        checklist,
        source=record.source,
        doc_id=record.doc_id,
        state=state,
    )
    if record.kind == "guidance":
        notes = (
            f"{record.source} was ingested as guidance, not as a contract; the checklist may "
            "not apply to it.",
            *review.notes,
        )
        review = replace(review, notes=notes)
    return review


def compare_indexed(
    conn: sqlite3.Connection, refs: list[str], checklist: Checklist | None = None
) -> TermTable | TemplateDiff:
    """Compare indexed documents: one contract and one template → TemplateDiff, else TermTable."""
    if len(refs) < 2:
        raise InputError(
            "Comparing needs at least two documents",
            "pass two or more doc_ids or source names, e.g. a contract and its template",
        )
    checklist = checklist or load_checklist()
    store = DocumentStore(conn)
    kinds = [store.resolve(ref).kind for ref in refs]
    reviews = [review_document(conn, ref, checklist) for ref in refs]
    if len(refs) == 2 and sorted(kinds) == ["contract", "template"]:
        contract, template = reviews if kinds[0] == "contract" else reviews[::-1]
        return compare_to_template(contract, template)
    return compare_documents(reviews)
