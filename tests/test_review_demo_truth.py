"""Every ground-truth item of assistant/demo_data/contracts/README.md, checked against a review.

The expectations below are transcribed from the README's tables (values, statuses, red flags and
the section each term sits in), never from the review's output. Aetna and Cigna are the demo's
tune contracts, UnitedHealthcare and Blue Cross its test contracts (evals/splits.yaml).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.ingest.loaders import load_document
from assistant.review.extraction import review_pages
from assistant.review.models import ContractReview

CONTRACTS = Path(__file__).resolve().parents[1] / "assistant" / "demo_data" / "contracts"
AETNA, UHC, BCBS, CIGNA = (
    "aetna-agreement.md",
    "unitedhealthcare-agreement.md",
    "blue-cross-agreement.md",
    "cigna-agreement.md",
)

# (contract, item, fields one value must carry)  — README "Key terms", "Other terms".
VALUES: list[tuple[str, str, dict[str, Any]]] = [
    (AETNA, "timely_filing", {"days": 90}),
    (UHC, "timely_filing", {"days": 180}),
    (BCBS, "timely_filing", {"days": 120}),
    (CIGNA, "timely_filing", {"days": 365}),
    (AETNA, "prompt_pay", {"days": 30}),
    (AETNA, "prompt_pay", {"percent": 1.0, "per": "month"}),
    (UHC, "prompt_pay", {"days": 45}),
    (BCBS, "prompt_pay", {"days": 30}),
    (BCBS, "prompt_pay", {"percent": 12.0, "per": "year"}),
    (CIGNA, "prompt_pay", {"days": 45}),
    (AETNA, "unilateral_amendment", {"notice_days": 60}),
    (UHC, "unilateral_amendment", {"notice_days": 30}),
    (BCBS, "unilateral_amendment", {"notice_days": 90}),
    (CIGNA, "unilateral_amendment", {"notice_days": 30}),
    (AETNA, "termination_without_cause", {"notice_days": 90}),
    (UHC, "termination_without_cause", {"notice_days": 180}),
    (BCBS, "termination_without_cause", {"notice_days": 120}),
    (CIGNA, "termination_without_cause", {"notice_days": 90}),
    (AETNA, "auto_renewal", {"initial_term_months": 12}),
    (AETNA, "auto_renewal", {"renewal_term_months": 12, "non_renewal_notice_days": 90}),
    (UHC, "auto_renewal", {"initial_term_months": 36}),
    (UHC, "auto_renewal", {"renewal_term_months": 12, "non_renewal_notice_days": 180}),
    (BCBS, "auto_renewal", {"initial_term_months": 12}),
    (BCBS, "auto_renewal", {"renewal_term_months": 12, "non_renewal_notice_days": 90}),
    (CIGNA, "auto_renewal", {"initial_term_months": 36}),
    (CIGNA, "auto_renewal", {"renewal_term_months": 12, "non_renewal_notice_days": 90}),
    (AETNA, "recoupment", {"lookback_months": 18}),
    (UHC, "recoupment", {"lookback_months": 24}),
    (BCBS, "recoupment", {"lookback_months": 12}),
    (AETNA, "governing_law", {"law": "Connecticut"}),
    (UHC, "governing_law", {"law": "Minnesota"}),
    (BCBS, "governing_law", {"law": "Ohio"}),
    (CIGNA, "governing_law", {"law": "Tennessee"}),
    (AETNA, "fee_schedule_updates", {"medicare_year": 2025}),
    (BCBS, "fee_schedule_updates", {"medicare_year": 2026}),
    (UHC, "fee_schedule_updates", {"update_days": 90}),
    (CIGNA, "fee_schedule_updates", {"update_from": "next calendar quarter"}),
    (AETNA, "records_and_audit", {"retention_years": 7}),
    (UHC, "records_and_audit", {"retention_years": 10}),
    (BCBS, "records_and_audit", {"retention_years": 6}),
    (CIGNA, "records_and_audit", {"retention_years": 10}),
    # "Audit notice": once per 12 months (Aetna), once per calendar year (Blue Cross).
    (AETNA, "records_and_audit", {"audit_frequency": "at most once per 12 months"}),
    (BCBS, "records_and_audit", {"audit_frequency": "at most once per calendar year"}),
]

# (contract, item, status, words one flag must contain or None)  — "Red flags", "Other concerns",
# and the "no"/"—" cells of "Payment, law and appeals".
STATUSES: list[tuple[str, str, str, str | None]] = [
    # Aetna: 90-day timely filing; lesser-of; rates pegged to the fixed 2025 MPFS.
    (AETNA, "timely_filing", "red_flag", "90 days"),
    (AETNA, "lesser_of", "red_flag", "lesser-of"),
    (AETNA, "fee_schedule_updates", "red_flag", "frozen"),
    (AETNA, "most_favored_nation", "absent", None),
    (AETNA, "network_rental", "absent", None),
    (AETNA, "assignment", "present", None),
    # UnitedHealthcare: website posting; all-products incl. future products; other concerns.
    (UHC, "unilateral_amendment", "red_flag", "posting on the payer's website"),
    (UHC, "covered_plans", "red_flag", "All-products"),
    (UHC, "covered_plans", "red_flag", "future products"),
    (UHC, "medical_necessity", "red_flag", "payer decides"),
    (UHC, "prompt_pay", "red_flag", "No interest"),
    (UHC, "unilateral_amendment", "red_flag", "guide overrides the agreement"),
    (UHC, "assignment", "red_flag", "without the practice's consent"),
    (UHC, "lesser_of", "absent", None),
    (UHC, "most_favored_nation", "absent", None),
    (UHC, "network_rental", "absent", None),
    # Blue Cross: MFN; lesser-of; no network rental.
    (BCBS, "most_favored_nation", "red_flag", "parity"),
    (BCBS, "lesser_of", "red_flag", "lesser-of"),
    (BCBS, "network_rental", "absent", None),
    (BCBS, "assignment", "present", None),
    # Cigna: network rental; no look-back; offsets across agreements; other concerns.
    (CIGNA, "network_rental", "red_flag", "negotiated rates"),
    (CIGNA, "recoupment", "red_flag", "No look-back"),
    (CIGNA, "recoupment", "red_flag", "offset against other agreements"),
    (CIGNA, "prompt_pay", "red_flag", "No interest"),
    (CIGNA, "records_and_audit", "red_flag", "how often"),
    (CIGNA, "assignment", "red_flag", "without the practice's consent"),
    (CIGNA, "lesser_of", "absent", None),
    (CIGNA, "most_favored_nation", "absent", None),
]

# README "Where each term is": the section each item must cite.
SECTIONS: dict[str, dict[str, list[str]]] = {
    "covered_plans": {AETNA: ["2.2"], UHC: ["2.2"], BCBS: ["2.2"], CIGNA: ["2.2"]},
    "clean_claim_definition": {AETNA: ["3.1"], UHC: ["3.1"], BCBS: ["3.1"], CIGNA: ["3.1"]},
    "timely_filing": {AETNA: ["3.2"], UHC: ["3.2"], BCBS: ["3.2"], CIGNA: ["3.2"]},
    "prompt_pay": {AETNA: ["3.4", "3.5"], UHC: ["3.4"], BCBS: ["3.4", "3.5"], CIGNA: ["3.4"]},
    "recoupment": {AETNA: ["3.7"], UHC: ["3.7"], BCBS: ["3.6"], CIGNA: ["3.7"]},
    "reimbursement_methodology": {AETNA: ["4.2"], UHC: ["4.2"], BCBS: ["4.2"], CIGNA: ["4.2"]},
    "lesser_of": {AETNA: ["4.3"], BCBS: ["4.3"]},
    "fee_schedule_updates": {AETNA: ["4.4"], UHC: ["4.3"], BCBS: ["4.4"], CIGNA: ["4.3"]},
    "most_favored_nation": {BCBS: ["4.5"]},
    "records_and_audit": {
        AETNA: ["6.1", "6.2"],
        UHC: ["6.1", "6.2"],
        BCBS: ["6.1", "6.2"],
        CIGNA: ["6.1", "6.2"],
    },
    "auto_renewal": {AETNA: ["7.1"], UHC: ["7.1"], BCBS: ["7.1"], CIGNA: ["7.1"]},
    "termination_without_cause": {AETNA: ["7.2"], UHC: ["7.2"], BCBS: ["7.2"], CIGNA: ["7.2"]},
    "unilateral_amendment": {AETNA: ["8.2"], UHC: ["8.1", "8.2"], BCBS: ["8.1"], CIGNA: ["8.1"]},
    "assignment": {AETNA: ["9.1"], UHC: ["9.1"], BCBS: ["9.1"], CIGNA: ["9.1"]},
    "governing_law": {AETNA: ["9.2"], UHC: ["9.2"], BCBS: ["9.2"], CIGNA: ["9.2"]},
    "network_rental": {CIGNA: ["9.3"]},
}


@pytest.fixture(scope="module")
def reviews() -> dict[str, ContractReview]:
    out = {}
    for name in (AETNA, UHC, BCBS, CIGNA):
        doc = load_document(CONTRACTS / name)
        out[name] = review_pages(doc.pages, source=name)
    return out


@pytest.mark.parametrize(("contract", "item_id", "fields"), VALUES)
def test_values(
    reviews: dict[str, ContractReview], contract: str, item_id: str, fields: dict[str, Any]
) -> None:
    values = [dict(v.value) for v in reviews[contract].item(item_id).values]
    assert any(all(v.get(k) == want for k, want in fields.items()) for v in values), values


@pytest.mark.parametrize(("contract", "item_id", "status", "words"), STATUSES)
def test_statuses_and_red_flags(
    reviews: dict[str, ContractReview],
    contract: str,
    item_id: str,
    status: str,
    words: str | None,
) -> None:
    item = reviews[contract].item(item_id)
    assert item.status == status, (item.status, item.flags)
    if words:
        assert any(words in f for f in item.flags), item.flags


@pytest.mark.parametrize(
    ("item_id", "contract", "sections"),
    [(i, c, s) for i, by in SECTIONS.items() for c, s in by.items()],
)
def test_sections_cited(
    reviews: dict[str, ContractReview], item_id: str, contract: str, sections: list[str]
) -> None:
    cited = {c.section for v in reviews[contract].item(item_id).values for c in v.citations}
    for section in sections:
        assert section in cited, (section, cited)


def test_exhibits_present_are_not_called_missing(reviews: dict[str, ContractReview]) -> None:
    # Each contract has its Exhibits (A, and B/C where it names them) as Markdown headings.
    for review in reviews.values():
        assert not any("does not contain" in n for n in review.notes), review.notes


def test_audit_frequency_is_not_the_retention_period(reviews: dict[str, ContractReview]) -> None:
    # "How often can Aetna audit our records" is once per 12 months, not the 7-year retention.
    values = [dict(v.value) for v in reviews[AETNA].item("records_and_audit").values]
    frequency = [v for v in values if "audit_frequency" in v]
    retention = [v for v in values if "retention_years" in v]
    assert frequency and retention
    assert all("retention_years" not in v for v in frequency)
    assert all("7" not in str(v["audit_frequency"]) for v in frequency)
