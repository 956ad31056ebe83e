"""Clause-bounded review: Markdown sections end quotes, and the phrasings the demo eval found.

Each value is read from one clause only; a period in the next clause or under the next heading
never leaks into it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ingest.loaders import load_document
from assistant.ingest.models import Page
from assistant.review.extraction import review_pages
from assistant.review.models import ContractReview
from assistant.review.text import normalise, read_document
from assistant.review.values import extract_value

DEMO_CONTRACTS = Path(__file__).resolve().parents[1] / "assistant" / "demo_data" / "contracts"

# Enough contract language for the review to treat a snippet as a contract.
PREAMBLE = (
    "This Agreement is made between Payer and Provider. Each party shall perform its "
    "obligations hereunder. The parties agree that this Agreement binds each party hereby, "
    "and either party may terminate it as stated herein."
)


def _review(*clauses: str) -> ContractReview:
    text = "\n\n".join([PREAMBLE, *clauses])
    return review_pages([Page(number=1, text=text)], source="snippet.md")


@pytest.mark.parametrize(
    ("item_id", "text", "value"),
    [
        # A notice stated before the word "notice": "thirty (30) days' prior written notice".
        (
            "unilateral_amendment",
            "Payer may amend this Agreement or the manual upon at least thirty (30) days' prior "
            "written notice to Provider.",
            {"notice_days": 30},
        ),
        # The practice's exit period after an amendment is not the amendment's notice.
        (
            "unilateral_amendment",
            "Provider may reject a material amendment by written notice before its effective "
            "date, in which case Provider may terminate this Agreement on ninety (90) days' "
            "written notice.",
            {"right_to_terminate": True},
        ),
        (
            "unilateral_amendment",
            "A Provider that does not accept a material amendment may terminate this Agreement "
            "by written notice within thirty (30) days after receipt of the amendment notice.",
            {"right_to_terminate": True},
        ),
        (
            "auto_renewal",
            "The initial term of this Agreement is one (1) year from the Effective Date.",
            {"initial_term_months": 12},
        ),
        (
            "auto_renewal",
            "This Agreement has an initial term of three (3) years and renews automatically for "
            "successive one-year terms unless either party gives written notice of non-renewal "
            "at least ninety (90) days before the end of the then-current term.",
            {
                "initial_term_months": 36,
                "renewal_term_months": 12,
                "renews": True,
                "automatic": True,
                "non_renewal_notice_days": 90,
                "non_renewal_notice": True,
            },
        ),
        (
            "fee_schedule_updates",
            "The fee schedule is based on the 2025 MPFS and does not change when CMS publishes "
            "later schedules.",
            {"medicare_year": 2025},
        ),
        (
            "recoupment",
            "Plan may request repayment of an overpayment within twelve (12) months after the "
            "date the claim was paid.",
            {"refund_months": 12, "lookback_months": 12},
        ),
    ],
)
def test_value_of_one_clause(item_id: str, text: str, value: dict[str, object]) -> None:
    assert extract_value(item_id, text) == value


@pytest.mark.parametrize(
    ("item_id", "clause", "status", "flag_words"),
    [
        (
            "network_rental",
            "Payer may make the rates and terms of this Agreement available to other networks, "
            "employers and payers with which Payer contracts.",
            "red_flag",
            "negotiated rates",
        ),
        (
            "assignment",
            "Neither party may assign this Agreement without the prior written consent of the "
            "other, except that Payer may assign it to an affiliate upon notice to Provider.",
            "red_flag",
            "without the practice's consent",
        ),
        (
            "assignment",
            "Neither party may assign this Agreement without the prior written consent of the "
            "other party, except that either party may assign it to a successor upon notice.",
            "present",
            None,
        ),
        (
            "unilateral_amendment",
            "Payer may change its payment policies by posting the change on Payer's provider "
            "website.",
            "red_flag",
            "website",
        ),
        (
            "unilateral_amendment",
            "Provider's continued participation after that date constitutes acceptance of the "
            "change.",
            "red_flag",
            "acceptance",
        ),
        (
            "unilateral_amendment",
            "Plan may amend this Agreement by giving Provider written notice at least ninety "
            "(90) days before the amendment takes effect.",
            "present",
            None,
        ),
        (
            "most_favored_nation",
            "Provider shall not accept from any other health insurer or third-party payer a rate "
            "for any Covered Service lower than the rate payable by Plan under this Agreement.",
            "red_flag",
            "parity",
        ),
        (
            "fee_schedule_updates",
            "The 2025 MPFS applies for the full term, including renewal terms.",
            "red_flag",
            "past Medicare year",
        ),
    ],
)
def test_status_of_one_clause(
    item_id: str, clause: str, status: str, flag_words: str | None
) -> None:
    item = _review(clause).item(item_id)
    assert item.status == status
    if flag_words:
        assert any(flag_words in flag for flag in item.flags), item.flags


def test_markdown_headings_start_sections_and_end_quotes() -> None:
    text = (
        "## ARTICLE 3 — CLAIMS\n\n"
        "### 3.1 Clean Claims\nA claim is clean when it has every required field\n\n"
        "### 3.2 Timely Filing\nProvider shall submit claims within ninety (90) days.\n"
    )
    passages = read_document([Page(number=1, text=text)]).passages
    assert [(p.section, p.text) for p in passages] == [
        ("3.1", "A claim is clean when it has every required field"),
        ("3.2", "Provider shall submit claims within ninety (90) days."),
    ]


def test_markdown_exhibit_heading_starts_a_scope_and_bold_titles_start_sentences() -> None:
    text = (
        "### 4.1 Payment\nPayer shall pay the rates in Exhibit A.\n\n"
        "## EXHIBIT A — FEE SCHEDULE\n\n"
        "**Methodology.** Services are paid at 110% of the MPFS.\n\n"
        "**Updates.** Updates apply from the next quarter.\n"
    )
    passages = read_document([Page(number=1, text=text)]).passages
    assert [(p.scope, p.section, p.text) for p in passages] == [
        ("agreement", "4.1", "Payer shall pay the rates in Exhibit A."),
        (
            "Exhibit A — Fee Schedule",
            None,
            "**Methodology.** Services are paid at 110% of the MPFS.",
        ),
        ("Exhibit A — Fee Schedule", None, "**Updates.** Updates apply from the next quarter."),
    ]


def test_a_period_in_section_takes_the_referenced_sections_period() -> None:
    review = _review(
        "### 3.4 Prompt Payment\nPayer shall pay each Clean Claim within thirty (30) days after "
        "receipt.",
        "### 3.5 Interest\nIf Payer does not pay a Clean Claim within the period in Section 3.4, "
        "Payer shall pay interest at the rate of one percent (1%) per month.",
    )
    values = [dict(v.value) for v in review.item("prompt_pay").values]
    assert values == [{"days": 30}, {"days": 30, "percent": 1.0, "per": "month"}]


@pytest.fixture(scope="module")
def demo_reviews() -> dict[str, ContractReview]:
    reviews = {}
    for path in sorted(DEMO_CONTRACTS.glob("*-agreement.md")):
        reviews[path.name] = review_pages(load_document(path).pages, source=path.name)
    return reviews


@pytest.mark.parametrize(
    ("contract", "item_id", "value", "section"),
    [
        ("blue-cross-agreement.md", "timely_filing", {"days": 120}, "3.2"),
        ("aetna-agreement.md", "unilateral_amendment", {"notice_days": 60}, "8.2"),
        ("unitedhealthcare-agreement.md", "unilateral_amendment", {"notice_days": 30}, "8.1"),
        ("cigna-agreement.md", "unilateral_amendment", {"notice_days": 30}, "8.1"),
        ("blue-cross-agreement.md", "termination_without_cause", {"notice_days": 120}, "7.2"),
        ("blue-cross-agreement.md", "auto_renewal", {"initial_term_months": 12}, "7.1"),
        (
            "cigna-agreement.md",
            "auto_renewal",
            {"renewal_term_months": 12, "non_renewal_notice_days": 90},
            "7.1",
        ),
        ("unitedhealthcare-agreement.md", "auto_renewal", {"renewal_term_months": 12}, "7.1"),
        ("cigna-agreement.md", "governing_law", {"law": "Tennessee"}, "9.2"),
        ("cigna-agreement.md", "prompt_pay", {"days": 45}, "3.4"),
    ],
)
def test_demo_values_cite_their_own_section(
    demo_reviews: dict[str, ContractReview],
    contract: str,
    item_id: str,
    value: dict[str, object],
    section: str,
) -> None:
    cited = [
        c.section
        for v in demo_reviews[contract].item(item_id).values
        if all(v.value.get(k) == want for k, want in value.items())
        for c in v.citations[:1]
    ]
    assert cited and all(s and s.startswith(section) for s in cited), cited


def test_demo_lesser_of_cites_its_section(demo_reviews: dict[str, ContractReview]) -> None:
    first = demo_reviews["aetna-agreement.md"].item("lesser_of").values[0].citations[0]
    assert first.section == "4.3"


def test_demo_quotes_stay_in_one_section_and_are_verbatim(
    demo_reviews: dict[str, ContractReview],
) -> None:
    for name, review in demo_reviews.items():
        text = normalise((DEMO_CONTRACTS / name).read_text(encoding="utf-8"))
        for item in review.items:
            for value in item.values:
                for c in value.citations:
                    assert "#" not in c.quote, (name, item.id, c.quote)
                    assert normalise(c.quote) in text, (name, item.id, c.quote)
