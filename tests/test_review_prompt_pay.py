"""The state prompt-pay law check: the table's rows, and the real TN and WA contracts against it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.errors import InputError
from assistant.ingest.loaders import load_document
from assistant.ingest.models import Page
from assistant.review.extraction import review_pages
from assistant.review.models import ContractReview
from assistant.review.prompt_pay import (
    DEFAULT_TABLE,
    covered_states,
    load_rules,
    normalise_state,
)


@pytest.fixture(scope="module")
def tn_review(shared_data: Path) -> ContractReview:
    pages = load_document(shared_data / "payer_contracts/TN_Contract4_Redacted.pdf", ocr=False)
    return review_pages(pages.pages, source="TN_Contract4_Redacted.pdf")


@pytest.fixture(scope="module")
def wa_pages(shared_data: Path) -> list[Page]:
    return list(load_document(shared_data / "payer_contracts/WA_1_Redacted.pdf", ocr=False).pages)


def test_every_row_cites_a_statute_and_the_source_it_was_read_from() -> None:
    raw = yaml.safe_load(DEFAULT_TABLE.read_text(encoding="utf-8"))["states"]
    assert {"WA", "TN"} <= set(covered_states())
    for row in raw:
        assert row["statute"].strip()
        assert row["source"]["url"].startswith(("https://", "http://"))
        assert len(row["source"]["read"].split()) >= 15, row["state"]
        assert any(k in row for k in ("clean_claim_days", "electronic_days", "paper_days"))
    assert len({r["state"] + r["statute"] for r in raw}) == len(raw)


def test_wa_row_is_what_wac_284_170_431_says() -> None:
    wa = next(r for r in load_rules() if r.state == "WA")
    assert wa.statute.startswith("WAC 284-170-431")
    assert (wa.clean_claim_days, wa.share, wa.monthly_interest) == (30, 0.95, 1.0)


def test_wa_contract_meets_wac_284_170_431(wa_pages: list[Page]) -> None:
    review = review_pages(wa_pages, source="WA_1_Redacted.pdf")
    check = review.prompt_pay_law
    assert check is not None and check.state == "WA"
    assert check.state_from.startswith("governing law")
    (comparison,) = check.comparisons
    assert comparison.contract == {"days": 30, "percent": 1.0, "per": "month"}
    assert comparison.weaker == ()
    assert 20 in {c.page for c in comparison.citations}
    assert not any("Weaker than" in f for f in review.item("prompt_pay").flags)


def test_tn_contract_state_comes_from_its_text_and_ma_is_left_to_federal_rules(
    tn_review: ContractReview,
) -> None:
    check = tn_review.prompt_pay_law
    assert check is not None and check.state == "TN"
    assert check.state_from.startswith("the contract text")
    medicaid = next(c for c in check.comparisons if "Medicaid" in c.scope)
    assert medicaid.statute.startswith("Tenn. Code Ann. § 56-32-126")
    assert medicaid.contract["statute"] == "TCA 56-32-126"
    assert medicaid.weaker == ()  # it defers to the statute: nothing weaker to flag
    assert medicaid.note and "defers to TCA 56-32-126" in medicaid.note
    assert any("Medicare Advantage" in n and "federal" in n for n in check.notes)
    assert not any(c.scope.startswith("Medicare") for c in check.comparisons)


def test_terms_weaker_than_the_law_are_flagged_citing_page_and_statute(
    wa_pages: list[Page],
) -> None:
    # The real WA agreement with its payment clause made weaker: 45 days and no interest.
    weakened = [
        Page(
            number=p.number,
            text=p.text.replace(
                "thirty (30) calendar days", "forty-five (45) calendar days"
            ).replace("one percent (1%) per month", "a reasonable amount"),
            ocr=p.ocr,
        )
        for p in wa_pages
    ]
    review = review_pages(weakened, source="WA_1_Redacted.pdf")
    item = review.item("prompt_pay")
    assert item.status == "red_flag"
    weaker = [f for f in item.flags if f.startswith("Weaker than WA law")]
    assert any("45 days (page 20)" in f and "WAC 284-170-431(2) requires 30" in f for f in weaker)
    assert any("no interest" in f for f in weaker)
    assert any("managedcarelegaldatabase.org" in n for n in item.notes)  # the source read
    data = review.to_json()["prompt_pay_law"]
    assert data["state"] == "WA" and data["comparisons"][0]["pages"] == [20]


def test_state_option_overrides_and_states_without_a_row_say_so(wa_pages: list[Page]) -> None:
    review = review_pages(wa_pages, source="WA_1_Redacted.pdf", state="ohio")
    check = review.prompt_pay_law
    assert check.state == "OH" and check.state_from == "--state"
    assert check.comparisons == ()
    assert "No prompt-pay rule for OH" in check.notes[0]


def test_paper_and_electronic_deadlines_and_a_bad_state() -> None:
    text = (
        "This Agreement is governed by the laws of the State of Rhode Island. "
        "The parties agree that this Agreement shall be binding on each party hereto. "
        "Payer shall pay each clean claim submitted electronically within forty-five (45) days "
        "of receipt, with interest at one percent (1%) per year on late payments. "
    ) * 2
    review = review_pages([Page(number=1, text=text * 3)], source="ri.txt")
    flags = [f for f in review.item("prompt_pay").flags if f.startswith("Weaker than RI")]
    assert any("requires 30 calendar days" in f for f in flags)  # electronic: 30, not 40
    assert any("below R.I. Gen. Laws § 27-41-64's 12% per year" in f for f in flags)
    assert normalise_state(" tn ") == "TN"
    with pytest.raises(InputError):
        normalise_state("Atlantis")


def test_demo_cigna_tennessee_commercial_terms_against_the_assigned_benefits_rule() -> None:
    # Cigna's demo agreement is governed by Tennessee law and pays clean claims in 45 days (§3.4).
    contract = Path(__file__).resolve().parents[1] / "assistant/demo_data/contracts"
    doc = load_document(contract / "cigna-agreement.md")
    review = review_pages(doc.pages, source="cigna-agreement.md")
    flags = [f for f in review.item("prompt_pay").flags if f.startswith("Weaker than TN law")]
    assert len(flags) == 1
    assert "45 days (§3.4" in flags[0] and "§ 68-11-219(a) requires 30 calendar days" in flags[0]
