"""What a review produces: evidence with citations, item results and the contract review."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["present", "absent", "red_flag", "unknown"]
DocumentType = Literal["contract", "not_a_contract", "no_text"]


@dataclass(frozen=True)
class Citation:
    """Where a quote sits: the quote occurs verbatim (whitespace-normalised) on `page`."""

    source: str
    page: int | None
    section: str | None
    quote: str


@dataclass(frozen=True)
class Evidence:
    """One sentence that states a checklist item, the value read from it and any red flags."""

    item_id: str
    page: int | None
    section: str | None
    scope: str
    quote: str
    value: Mapping[str, Any] = field(default_factory=dict)
    flags: tuple[str, ...] = ()

    def citation(self, source: str) -> Citation:
        return Citation(source=source, page=self.page, section=self.section, quote=self.quote)


@dataclass(frozen=True)
class ItemValue:
    """One value an item takes in one scope (the agreement or an attachment), with its proof."""

    value: Mapping[str, Any]
    scope: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class ItemReview:
    """The answer to one checklist item for one contract."""

    id: str
    name: str
    status: Status
    values: tuple[ItemValue, ...]
    why: str
    ask: str
    flags: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def pages(self) -> tuple[int, ...]:
        """Every page cited, in order."""
        found = {c.page for v in self.values for c in v.citations if c.page is not None}
        return tuple(sorted(found))


@dataclass(frozen=True)
class ContractReview:
    """The checklist answered for one document."""

    doc_id: str | None
    source: str
    items: tuple[ItemReview, ...]
    document_type: DocumentType = "contract"
    notes: tuple[str, ...] = ()
    unread_pages: tuple[int, ...] = ()
    ocr_pages: tuple[int, ...] = ()
    page_count: int = 0
    prompt_pay_law: Any = None
    """The state prompt-pay law check (a review.prompt_pay.PromptPayCheck), when one was made."""

    def item(self, item_id: str) -> ItemReview:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def to_json(self) -> dict[str, Any]:
        """The `review --json` object: {"doc_id", "source", "items": [...]} plus extra fields."""
        from assistant.review.schema import review_out

        return review_out(self).model_dump(mode="json")
