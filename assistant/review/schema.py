"""The JSON shapes review and comparison print with --json (pydantic, the boundary)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from assistant.review.comparison import TemplateDiff, TermTable
    from assistant.review.models import ContractReview, ItemReview, ItemValue


class CitationOut(BaseModel):
    source: str
    page: int | None
    section: str | None
    quote: str


class ValueOut(BaseModel):
    value: dict[str, Any]
    scope: str
    citations: list[CitationOut]


class ItemOut(BaseModel):
    id: str
    name: str
    status: str
    values: list[ValueOut]
    why: str
    ask: str
    flags: list[str]
    """Why the status is red_flag (empty otherwise)."""
    notes: list[str]
    """What could not be checked, e.g. pages without text."""


class ReviewOut(BaseModel):
    doc_id: str | None
    source: str
    items: list[ItemOut]
    document_type: str
    notes: list[str]
    unread_pages: list[int]
    ocr_pages: list[int]
    page_count: int
    prompt_pay_law: dict[str, Any] | None = None


def value_out(value: ItemValue) -> ValueOut:
    return ValueOut(
        value=dict(value.value),
        scope=value.scope,
        citations=[
            CitationOut(source=c.source, page=c.page, section=c.section, quote=c.quote)
            for c in value.citations
        ],
    )


def item_out(item: ItemReview) -> ItemOut:
    return ItemOut(
        id=item.id,
        name=item.name,
        status=item.status,
        values=[value_out(v) for v in item.values],
        why=item.why,
        ask=item.ask,
        flags=list(item.flags),
        notes=list(item.notes),
    )


def review_out(review: ContractReview) -> ReviewOut:
    return ReviewOut(
        doc_id=review.doc_id,
        source=review.source,
        items=[item_out(i) for i in review.items],
        document_type=review.document_type,
        notes=list(review.notes),
        unread_pages=list(review.unread_pages),
        ocr_pages=list(review.ocr_pages),
        page_count=review.page_count,
        prompt_pay_law=review.prompt_pay_law.to_json() if review.prompt_pay_law else None,
    )


class DocumentRef(BaseModel):
    doc_id: str | None
    source: str


class CellOut(BaseModel):
    doc_id: str | None
    source: str
    status: str
    summary: str
    values: list[ValueOut]
    flags: list[str]


class RowOut(BaseModel):
    id: str
    name: str
    cells: list[CellOut]


class TableOut(BaseModel):
    kind: str = "term_table"
    documents: list[DocumentRef]
    rows: list[RowOut]


class DiffItemOut(BaseModel):
    id: str
    name: str
    kind: str
    """same, deviates, wording_differs, missing (in the contract), added, both_absent."""
    contract_status: str
    template_status: str
    contract_values: list[ValueOut]
    template_values: list[ValueOut]
    details: list[str]


class DiffOut(BaseModel):
    kind: str = "template_diff"
    contract: DocumentRef
    template: DocumentRef
    deviations: list[str]
    missing: list[str]
    items: list[DiffItemOut]


def table_out(table: TermTable) -> TableOut:
    return TableOut(
        documents=[DocumentRef(doc_id=d, source=s) for d, s in table.documents],
        rows=[
            RowOut(
                id=row.item_id,
                name=row.name,
                cells=[
                    CellOut(
                        doc_id=c.doc_id,
                        source=c.source,
                        status=c.status,
                        summary=c.summary,
                        values=[value_out(v) for v in c.values],
                        flags=list(c.flags),
                    )
                    for c in row.cells
                ],
            )
            for row in table.rows
        ],
    )


def diff_out(diff: TemplateDiff) -> DiffOut:
    return DiffOut(
        contract=DocumentRef(doc_id=diff.contract.doc_id, source=diff.contract.source),
        template=DocumentRef(doc_id=diff.template.doc_id, source=diff.template.source),
        deviations=[e.item_id for e in diff.deviations],
        missing=[e.item_id for e in diff.missing],
        items=[
            DiffItemOut(
                id=e.item_id,
                name=e.name,
                kind=e.kind,
                contract_status=e.contract_status,
                template_status=e.template_status,
                contract_values=[value_out(v) for v in e.contract_values],
                template_values=[value_out(v) for v in e.template_values],
                details=list(e.details),
            )
            for e in diff.entries
        ],
    )
