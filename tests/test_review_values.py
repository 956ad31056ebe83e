"""Values read from contract wording: worked examples a reader can check by eye."""

from __future__ import annotations

import pytest

from assistant.review.values import extract_value, find_durations, find_rate, words_to_int


@pytest.mark.parametrize(
    ("words", "number"),
    [
        ("ninety", 90),
        ("one hundred twenty", 120),
        ("forty-five", 45),
        ("one hundred and eighty", 180),
    ],
)
def test_words_to_int(words: str, number: int) -> None:
    assert words_to_int(words) == number


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("within ninety (90) days of the date of service", 90, "days"),
        ("at least one hundred eighty (180) days prior written notice", 180, "days"),
        ("giving at least twelve (12) months' prior written notice", 12, "months"),
        ("upon written notice to the other Party of at least 3 months.", 3, "months"),
        ("renewed for successive 1-year terms", 1, "years"),
        ("at least ninety days' prior written notice", 90, "days"),
        ("within ten (10) business days", 10, "business days"),
    ],
)
def test_find_durations_reads_the_first_period(text: str, amount: int, unit: str) -> None:
    found = find_durations(text)[0]
    assert (found.amount, found.unit) == (amount, unit)


def test_bracketed_figure_wins_over_words() -> None:
    # The words and the figure disagree: the figure is what gets keyed into claim systems.
    assert find_durations("within ninety (60) days")[0].amount == 60


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("interest at one percent (1%) per month", {"percent": 1.0, "per": "month"}),
        ("interest at 12% per annum on late payments", {"percent": 12.0, "per": "year"}),
        ("interest of 1.5 percent per month", {"percent": 1.5, "per": "month"}),
        ("eighteen percent annually", {"percent": 18.0, "per": "year"}),
        ("one hundred percent (100%) of Eligible Charges", None),
    ],
)
def test_find_rate(text: str, rate: dict[str, object] | None) -> None:
    assert find_rate(text) == rate


@pytest.mark.parametrize(
    ("item_id", "text", "value"),
    [
        (
            "timely_filing",
            "Provider shall submit Claims within ninety (90) days from the date of service.",
            {"days": 90},
        ),
        (
            "prompt_pay",
            "Payer shall pay Clean Claims within thirty (30) days of receipt, and shall pay "
            "interest at one percent (1%) per month on Clean Claims not paid within that time.",
            {"days": 30, "percent": 1.0, "per": "month"},
        ),
        (
            "unilateral_amendment",
            "Payer may amend this Agreement upon sixty (60) days prior written notice; Provider "
            "has the right to terminate if it objects.",
            {"notice_days": 60, "right_to_terminate": True},
        ),
        (
            "termination_without_cause",
            "Either party may terminate this Agreement without cause upon one hundred twenty "
            "(120) days written notice.",
            {"notice_days": 120, "either_party": True},
        ),
        (
            "auto_renewal",
            "Thereafter, the Agreement shall renew for an additional two (2) years unless one "
            "party provides written notice of non-renewal at least sixty (60) days prior to the "
            "expiration of the then-current term.",
            {
                "renewal_term_months": 24,
                "renews": True,
                "automatic": True,
                "non_renewal_notice_days": 60,
                "non_renewal_notice": True,
            },
        ),
        (
            "governing_law",
            "This Agreement shall be governed by the laws of the State of New York.",
            {"law": "New York"},
        ),
        (
            "governing_law",
            "shall be governed by and construed in accordance with Ohio law.",
            {"law": "Ohio"},
        ),
        (
            "lesser_of",
            '"Rate" means the lesser of one hundred percent (100%) of Eligible Charges or the fee '
            "schedule amount.",
            {"percent_of_charges": 100.0},
        ),
        (
            "recoupment",
            "Payer shall not recoup any overpayment more than twelve (12) months after the date "
            "of the original payment, and Provider shall refund within thirty (30) days.",
            {"lookback_months": 12, "refund_days": 30},
        ),
        (
            "recoupment",
            "Payer may seek recovery of an overpayment only within eighteen (18) months after the "
            "date the claim was paid, except in cases of fraud.",
            {"lookback_months": 18},
        ),
    ],
)
def test_extract_value(item_id: str, text: str, value: dict[str, object]) -> None:
    assert extract_value(item_id, text) == value
