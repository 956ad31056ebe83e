"""Comparison: the cited term table across contracts, and a contract against its template."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ingest.loaders import load_document
from assistant.ingest.models import Page
from assistant.review.comparison import compare_documents, compare_to_template
from assistant.review.extraction import review_pages
from assistant.review.models import ContractReview

BASE = (
    "1.1 Term. This Agreement shall commence on the Effective Date for a term of one (1) year and "
    "shall renew automatically for successive one (1) year terms. The parties agree hereto. "
    "2.1 Claims. Provider shall submit Claims within {days} days from the date of service. "
    "3.1 Termination Without Cause. Either party may terminate this Agreement without cause upon "
    "ninety (90) days prior written notice. The parties shall comply herein. "
    "4.1 Governing Law. This Agreement shall be governed by the laws of the State of Ohio."
)


def _review(name: str, days: str) -> ContractReview:
    return review_pages([Page(number=1, text=BASE.format(days=days))], source=name, doc_id=name)


def test_term_table_cells_are_cited() -> None:
    table = compare_documents([_review("a.pdf", "ninety (90)"), _review("b.pdf", "sixty (60)")])
    row = next(r for r in table.rows if r.item_id == "timely_filing")
    assert [c.summary for c in row.cells] == ["90 days (agreement)", "60 days (agreement)"]
    assert all(c.values[0].citations[0].page == 1 for c in row.cells)
    data = table.to_json()
    assert data["kind"] == "term_table"
    assert data["rows"][0]["cells"][0]["values"][0]["citations"][0]["quote"]


def test_template_diff_finds_deviation_and_missing_term() -> None:
    contract = _review("contract.pdf", "sixty (60)")
    template_text = BASE.format(days="one hundred eighty (180)") + (
        " 5.1 Prompt Payment. Payer shall pay Clean Claims within thirty (30) days of receipt."
    )
    template = review_pages([Page(number=1, text=template_text)], source="template.pdf")
    diff = compare_to_template(contract, template)
    kinds = {e.item_id: e.kind for e in diff.entries}
    assert kinds["timely_filing"] == "deviates"
    assert kinds["prompt_pay"] == "missing"
    assert kinds["governing_law"] == "same"
    filing = next(e for e in diff.entries if e.item_id == "timely_filing")
    assert "contract 60 days" in filing.details[0] and "template 180 days" in filing.details[0]
    data = diff.to_json()
    assert "timely_filing" in data["deviations"] and "prompt_pay" in data["missing"]


@pytest.mark.slow
def test_real_contract_follows_its_template_on_key_terms(shared_data: Path) -> None:
    folder = shared_data / "payer_contracts"
    contract_doc = load_document(folder / "TN_Contract4_Redacted.pdf", ocr=False)
    template_doc = load_document(folder / "TN_Standard_Template_Redacted.pdf", ocr=False)
    contract = review_pages(contract_doc.pages, source=contract_doc.source)
    template = review_pages(template_doc.pages, source=template_doc.source)
    diff = compare_to_template(contract, template)
    kinds = {e.item_id: e.kind for e in diff.entries}
    # Same filing limits, notice periods and renewal as the 2024 template.
    for item_id in ("timely_filing", "termination_without_cause", "auto_renewal", "prompt_pay"):
        assert kinds[item_id] == "same", item_id
