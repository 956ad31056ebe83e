"""Inputs the review cannot fully read: it says what it could not see instead of "absent"."""

from __future__ import annotations

from assistant.ingest.models import Page
from assistant.review.extraction import review_pages

CLAUSES = [
    "1.1 Term. This Agreement shall commence on the Effective Date for a term of one (1) year "
    "and shall renew automatically for successive one (1) year terms. The parties agree to "
    "the terms herein.",
    "2.1 Claims. Provider shall submit Claims within ninety (90) days from the date of service. "
    "Each party shall comply with this Agreement.",
    "3.1 Governing Law. This Agreement shall be governed by the laws of the State of Ohio. "
    "The parties shall perform their obligations hereunder.",
    "4.1 Miscellaneous. Each party shall keep this Agreement confidential. The parties agree "
    "that notices shall be in writing.",
]


def _pages(texts: list[str], ocr: tuple[int, ...] = ()) -> list[Page]:
    return [Page(number=i, text=t, ocr=i in ocr) for i, t in enumerate(texts, 1)]


def test_document_without_text_is_not_reviewed() -> None:
    review = review_pages(_pages(["", "  "]), source="scan.pdf")
    assert review.document_type == "no_text"
    assert review.unread_pages == (1, 2)
    assert {i.status for i in review.items} == {"unknown"}
    assert "No page has any text" in review.notes[0]


def test_fee_schedule_csv_is_recognised_as_not_a_contract() -> None:
    csv = "code,description,fee\n99213,Office visit est,92.50\n99214,Office visit est,131.00\n"
    csv += "".join(f"{99200 + i},Visit {i},{50 + i}.00\n" for i in range(20))
    review = review_pages([Page(number=None, text=csv)], source="fees.csv")
    assert review.document_type == "not_a_contract"
    assert "fee schedule" in review.notes[0]
    assert {i.status for i in review.items} == {"unknown"}


def test_a_statement_of_work_under_an_agreement_between_parties_is_contract_language() -> None:
    # Mostly lists and a schedule, few legal words, but it says whom it binds.
    lines = [
        "STATEMENT OF WORK No. 3",
        "This Statement of Work is part of the Services Agreement made by and between Acme "
        "Clinic, P.C. (Client) and Northwind Billing, Inc. (Vendor).",
        "Each party shall perform the tasks below; the terms of the Agreement apply hereto.",
        "The Agreement governs any conflict; the parties agree to the schedule below.",
        "Vendor shall report monthly; Client shall review; either party may propose changes.",
    ]
    lines += [f"Task {i}, week {i}, analyst, 12 hours, status report, sign-off" for i in range(300)]
    review = review_pages([Page(number=None, text="\n".join(lines))], source="sow.txt")
    assert review.document_type == "contract"
    assert review.item("parties").status == "present"


def test_unread_page_turns_absent_into_unknown_with_the_page_named() -> None:
    review = review_pages(_pages([CLAUSES[0], "", CLAUSES[1]]), source="partial.pdf")
    # Found (90 days to file is itself a red flag), so the unread page does not matter to it.
    assert review.item("timely_filing").status == "red_flag"
    mfn = review.item("most_favored_nation")
    assert mfn.status == "unknown"
    assert "no text on page 2" in mfn.notes[0]


def test_an_unread_page_counts_only_against_items_that_could_be_on_it() -> None:
    signed = "IN WITNESS WHEREOF, the parties have executed this Agreement. Each party agrees."
    pages = _pages([CLAUSES[0], "", CLAUSES[1], CLAUSES[3] + " " + signed, ""])
    review = review_pages(pages, source="signed.pdf")
    # The preamble is on page 1, which was read: the parties cannot be on page 2 or 5.
    assert review.item("parties").status == "absent"
    # The agreement's own articles end at the signatures (page 4): page 2 only.
    law = review.item("governing_law")
    assert law.status == "unknown"
    assert "no text on page 2," in law.notes[0] and "5" not in law.notes[0]
    # An attachment after the signatures could hold an MFN clause: pages 2 and 5.
    mfn = review.item("most_favored_nation")
    assert mfn.status == "unknown" and "pages 2 and 5" in mfn.notes[0]
    # Nothing unread before the signatures: body items are absent, the rest unknown.
    after = review_pages(_pages([CLAUSES[0], CLAUSES[1], signed, ""]), source="end.pdf")
    assert after.item("governing_law").status == "absent"
    assert after.item("assignment").status == "absent"
    assert after.item("most_favored_nation").status == "unknown"


def test_absent_only_when_every_page_was_read_and_ocr_is_said() -> None:
    review = review_pages(_pages(CLAUSES, ocr=(2,)), source="scanned-in-part.pdf")
    assert review.item("most_favored_nation").status == "absent"
    assert "Page 2 is an image; OCR text used." in review.notes
    filing = review.item("timely_filing")
    assert filing.values[0].value == {"days": 90}
    assert filing.values[0].citations[0].page == 2
    assert any("OCR text on page 2" in n for n in filing.notes)


def test_contract_in_pieces_names_the_missing_exhibit() -> None:
    text = CLAUSES[0] + " Rates are set out in Exhibit B attached hereto."
    review = review_pages(_pages([text, *CLAUSES[1:]]), source="main-body.pdf")
    assert any("Exhibit B" in n and "split across files" in n for n in review.notes)
