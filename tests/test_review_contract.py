"""Review of the real TN agreement: values and pages checked by reading the PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ingest.loaders import load_document
from assistant.ingest.models import Page
from assistant.review.extraction import find_clauses, review_pages
from assistant.review.models import ContractReview
from assistant.review.text import normalise

CONTRACT = "payer_contracts/TN_Contract4_Redacted.pdf"


@pytest.fixture(scope="session")
def contract_pages(shared_data: Path) -> list[Page]:
    """The contract's text layer only: pages 17, 45 and 46 are images and stay empty."""
    return list(load_document(shared_data / CONTRACT, ocr=False).pages)


@pytest.fixture(scope="session")
def contract_review(contract_pages: list[Page]) -> ContractReview:
    return review_pages(contract_pages, source="TN_Contract4_Redacted.pdf", doc_id="tn4")


def _values(
    review: ContractReview, item_id: str
) -> list[tuple[str, dict[str, object], int | None]]:
    return [
        (v.scope, dict(v.value), v.citations[0].page)
        for v in review.item(item_id).values
        if v.value
    ]


@pytest.mark.parametrize(
    ("item_id", "scope", "value", "page"),
    [
        # Medicaid attachment 3.1: "within one hundred twenty (120) days from the date ... rendered"
        ("timely_filing", "Medicaid Attachment", {"days": 120}, 21),
        # Medicare Advantage attachment 6.1: "within ninety (90) days"
        ("timely_filing", "Medicare Advantage Attachment", {"days": 90}, 36),
        # 8.2: "at least one hundred eighty (180) days prior written notice"
        ("termination_without_cause", "agreement", {"notice_days": 180, "either_party": True}, 9),
        (
            "termination_without_cause",
            "Medicaid Attachment",
            {"notice_days": 180, "either_party": True},
            30,
        ),
        # MA 11.3: "at least one hundred twenty (120) days"
        (
            "termination_without_cause",
            "Medicare Advantage Attachment",
            {"notice_days": 120, "either_party": True},
            39,
        ),
        # 9.1 Amendment: "at least thirty (30) days in advance"
        ("unilateral_amendment", "agreement", {"notice_days": 30}, 11),
        ("unilateral_amendment", "Medicare Advantage Attachment", {"notice_days": 30}, 40),
        # 8.1: "a term of one (1) year ... consecutive one (1) year terms"
        (
            "auto_renewal",
            "agreement",
            {
                "initial_term_months": 12,
                "renewal_term_months": 12,
                "renews": True,
                "automatic": True,
            },
            9,
        ),
        # MA 6.2: "a majority of Clean Claims ... within forty-five (45) days", the rest sixty (60)
        ("prompt_pay", "Medicare Advantage Attachment", {"days": 45, "later_days": [60]}, 36),
        ("prompt_pay", "Medicaid Attachment", {"statute": "TCA 56-32-126"}, 21),
        # Definition of Rate: "the lesser of one hundred percent (100%) of Eligible Charges"
        ("lesser_of", "agreement", {"percent_of_charges": 100.0}, 1),
        # 2.7: "refund the amount ... within thirty (30) days"
        ("recoupment", "agreement", {"refund_days": 30}, 4),
        (
            "governing_law",
            "agreement",
            {"law": "state where has its primary place of business"},
            13,
        ),
    ],
)
def test_values_and_pages(
    contract_review: ContractReview, item_id: str, scope: str, value: dict[str, object], page: int
) -> None:
    assert (scope, value, page) in _values(contract_review, item_id)


@pytest.mark.parametrize(
    ("item_id", "status", "flag_words"),
    [
        ("lesser_of", "red_flag", "lesser-of"),
        ("prompt_pay", "red_flag", "best-efforts"),
        ("recoupment", "red_flag", "look-back"),
        ("unilateral_amendment", "red_flag", "90 days"),
        ("assignment", "red_flag", "without the practice's consent"),
        ("network_rental", "red_flag", "negotiated rates"),
        # The Medicare Advantage attachment allows 90 days to file: 90 or fewer is a red flag.
        ("timely_filing", "red_flag", "90 days or fewer"),
        ("termination_without_cause", "present", None),
    ],
)
def test_statuses_and_red_flags(
    contract_review: ContractReview, item_id: str, status: str, flag_words: str | None
) -> None:
    item = contract_review.item(item_id)
    assert item.status == status
    if flag_words:
        assert any(flag_words in f for f in item.flags)


def test_every_quote_occurs_on_the_page_it_cites(
    contract_review: ContractReview, contract_pages: list[Page]
) -> None:
    texts = {p.number: normalise(p.text) for p in contract_pages}
    quotes = [
        (c.page, c.quote)
        for item in contract_review.items
        for v in item.values
        for c in v.citations
    ]
    assert len(quotes) > 100
    for page, quote in quotes:
        assert normalise(quote) in texts[page], (page, quote)


def test_attachment_scopes_keep_their_own_values(contract_review: ContractReview) -> None:
    scopes = {v.scope: v.value for v in contract_review.item("timely_filing").values}
    assert scopes == {
        "Medicaid Attachment": {"days": 120},
        "Medicare Advantage Attachment": {"days": 90},
    }
    amendment_sections = {
        c.section for v in contract_review.item("unilateral_amendment").values for c in v.citations
    }
    assert "9.1 Amendment" in amendment_sections
    assert "12.7 Attachment Amendment" in amendment_sections


def test_image_pages_are_reported_and_nothing_is_called_absent(
    contract_review: ContractReview,
) -> None:
    assert contract_review.unread_pages == (17, 45, 46)
    assert any("17, 45 and 46" in note for note in contract_review.notes)
    assert all(item.status != "absent" for item in contract_review.items)


def test_find_clauses_answers_a_single_question(contract_pages: list[Page]) -> None:
    found = find_clauses(contract_pages, "timely_filing")
    assert [(e.scope, e.value, e.page) for e in found] == [
        ("Medicaid Attachment", {"days": 120}, 21),
        ("Medicare Advantage Attachment", {"days": 90}, 36),
    ]


def test_to_json_has_the_interface_fields(contract_review: ContractReview) -> None:
    data = contract_review.to_json()
    assert list(data)[:3] == ["doc_id", "source", "items"]
    item = next(i for i in data["items"] if i["id"] == "timely_filing")
    assert {"id", "name", "status", "values", "why", "ask"} <= set(item)
    value = item["values"][0]
    assert set(value) == {"value", "scope", "citations"}
    assert set(value["citations"][0]) == {"source", "page", "section", "quote"}


@pytest.mark.slow
def test_ocr_pages_are_used_and_said(shared_data: Path) -> None:
    pages = list(load_document(shared_data / CONTRACT).pages)
    review = review_pages(pages, source="TN_Contract4_Redacted.pdf")
    assert review.ocr_pages == (17, 45, 46)
    assert any("17, 45 and 46 are images; OCR text used" in note for note in review.notes)
    # Page 17 is the Medicaid attachment's first page: its Clean Claim definition is OCR text.
    clean = review.item("clean_claim_definition")
    assert ("Medicaid Attachment", 17) in {
        (v.scope, c.page) for v in clean.values for c in v.citations
    }
    assert any("OCR" in note for note in clean.notes)
