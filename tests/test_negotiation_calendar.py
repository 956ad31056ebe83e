"""Renewal and notice calendar: hand-worked dates from reviewed terms, unknowns, iCalendar."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.negotiation.calendar import (
    add_months,
    contract_calendar,
    find_effective_date,
    stamp_of,
    to_ics,
)
from assistant.review.models import Citation, ContractReview, ItemReview, ItemValue

SRC = "contract.pdf"
EFFECTIVE = 'This Agreement is entered into as of July 1, 2025 (the "Effective Date").'
TERM = (
    "This Agreement has an initial term of two (2) years from the Effective Date and renews "
    "automatically for successive one-year terms unless either party gives written notice of "
    "non-renewal at least one hundred twenty (120) days before the end of the then-current term."
)


def item(item_id: str, *values: tuple[dict[str, Any], str, int]) -> ItemReview:
    return ItemReview(
        id=item_id,
        name=item_id,
        status="present",
        values=tuple(
            ItemValue(value, "agreement", (Citation(SRC, page, None, quote),))
            for value, quote, page in values
        ),
        why="",
        ask="",
    )


def review(*items: ItemReview) -> ContractReview:
    return ContractReview(doc_id="d", source=SRC, items=items)


PARTIES = item("parties", ({}, EFFECTIVE, 1))
RENEWAL = item(
    "auto_renewal",
    (
        {
            "initial_term_months": 24,
            "renewal_term_months": 12,
            "renews": True,
            "non_renewal_notice_days": 120,
        },
        TERM,
        9,
    ),
)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 1), 12, date(2026, 1, 1)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 11, 15), 3, date(2026, 2, 15)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_issue_example_notice_120_days_before_a_june_30_term_end() -> None:
    # Effective 2025-07-01, two years → the initial term ends 2027-06-30;
    # 2027-06-30 minus 120 days is 2027-03-02 (30 + 31 + 30 + 29 days back through March).
    cal = contract_calendar("Payer", review(PARTIES, RENEWAL), date(2026, 12, 4))
    renewal, notice = cal.events
    assert renewal.date == date(2027, 6, 30)
    assert renewal.kind == "renewal"
    assert "renews for 12 months on 2027-07-01" in renewal.what
    assert notice.date == date(2027, 3, 2)
    assert notice.kind == "notice_deadline"
    assert not notice.missed
    assert {c.page for c in notice.citations} == {1, 9}
    assert cal.unknown == ()


def test_missed_deadline_shows_the_next_term_too() -> None:
    # On 2027-04-01 the 2027-03-02 deadline has passed: the next one is 2028-06-30 - 120 days.
    cal = contract_calendar("Payer", review(PARTIES, RENEWAL), date(2027, 4, 1))
    dates = [(e.kind, e.date, e.missed) for e in cal.events]
    assert dates == [
        ("renewal", date(2027, 6, 30), False),
        ("notice_deadline", date(2027, 3, 2), True),
        ("renewal", date(2028, 6, 30), False),
        ("notice_deadline", date(2028, 3, 2), False),
    ]


def test_effective_date_without_a_date_is_unknown_and_quotes_why() -> None:
    parties = item(
        "parties",
        ({}, 'effective as of the date next to signature (the "Effective Date").', 1),
    )
    cal = contract_calendar("TN", review(parties, RENEWAL), date(2026, 12, 4))
    assert [e.date for e in cal.events] == [None, None]
    assert cal.unknown[0].startswith("effective date: the contract defines it as")
    assert "date next to signature" in cal.unknown[0]
    assert cal.to_json()["events"][0]["date"] == "unknown"


def test_entered_effective_date_is_used_and_cited_as_entered() -> None:
    parties = item("parties", ({}, 'effective as of the signature date (the "Effective Date").', 1))
    cal = contract_calendar(
        "TN",
        review(parties, RENEWAL),
        date(2026, 12, 4),
        effective=(date(2025, 7, 1), "entered by the practice"),
    )
    assert cal.events[1].date == date(2027, 3, 2)
    assert cal.events[0].citations[0].source == "entered by the practice"


def test_without_cause_notice_is_used_when_there_is_no_non_renewal_notice() -> None:
    term = item(
        "auto_renewal",
        ({"initial_term_months": 12, "renewal_term_months": 12, "renews": True}, "8.1 Term.", 9),
    )
    exit_clause = item(
        "termination_without_cause",
        ({"notice_days": 180, "either_party": True}, "8.2 Termination Without Cause.", 9),
    )
    cal = contract_calendar("TN", review(PARTIES, term, exit_clause), date(2026, 1, 1))
    # 2025-07-01 + 12 months → ends 2026-06-30; minus 180 days → 2026-01-01.
    assert [(e.kind, e.date) for e in cal.events] == [
        ("renewal", date(2026, 6, 30)),
        ("notice_deadline", date(2026, 1, 1)),
    ]
    assert "without cause" in cal.events[1].what


def test_insurance_coverage_non_renewal_is_not_the_agreements_notice() -> None:
    term = item(
        "auto_renewal",
        ({"initial_term_months": 12, "renewal_term_months": 12, "renews": True}, "8.1 Term.", 10),
        (
            {"renews": True, "non_renewal_notice_days": 30},
            "Provider shall give thirty (30) days notice of any non-renewal of required coverage.",
            26,
        ),
    )
    cal = contract_calendar("WA", review(PARTIES, term), date(2026, 1, 1))
    assert "notice period: no non-renewal or without-cause notice period found" in cal.unknown
    assert [e.kind for e in cal.events] == ["renewal"]


def test_missing_term_is_unknown_never_guessed() -> None:
    cal = contract_calendar("P", review(PARTIES), date(2026, 1, 1))
    assert cal.events[0].date is None
    assert any(u.startswith("initial term") for u in cal.unknown)


def test_find_effective_date_formats() -> None:
    for quote, expected in [
        ('made as of March 3, 2024 (the "Effective Date")', date(2024, 3, 3)),
        ('effective 2024-03-03 (the "Effective Date")', date(2024, 3, 3)),
        ('dated 3/3/2024 ("Effective Date")', date(2024, 3, 3)),
    ]:
        day, cite = find_effective_date(review(item("parties", ({}, quote, 2))))
        assert day == expected and cite is not None and cite.page == 2


def test_ics_has_all_day_events_with_alarm_and_citations(tmp_path: Path) -> None:
    from icalendar import Calendar

    cal = contract_calendar("Payer", review(PARTIES, RENEWAL), date(2026, 12, 4))
    data = to_ics([cal], stamp_of(date(2026, 12, 4)))
    parsed = Calendar.from_ical(data)
    events = list(parsed.walk("VEVENT"))
    assert [e.decoded("dtstart") for e in events] == [date(2027, 6, 30), date(2027, 3, 2)]
    assert "p. 9" in str(events[1]["description"])
    assert len(list(events[1].walk("VALARM"))) == 1
    # Same input, same bytes: re-importing updates rather than duplicates (stable UIDs).
    assert to_ics([cal], stamp_of(date(2026, 12, 4))) == data


def test_real_tn_and_wa_contracts(shared_data: Path) -> None:
    from assistant.ingest.loaders import load_document
    from assistant.review.extraction import review_pages

    for name in ("TN_Contract4_Redacted.pdf", "WA_1_Redacted.pdf"):
        doc = load_document(shared_data / "payer_contracts" / name, ocr=False)
        cal = contract_calendar("X", review_pages(doc.pages, source=name), date(2026, 12, 4))
        # Both define the Effective Date as the signature date, which the text does not give.
        assert cal.unknown and cal.unknown[0].startswith("effective date")
        assert all(e.date is None for e in cal.events)
        notice = [e for e in cal.events if e.kind == "notice_deadline"]
        assert notice and "180 days" in notice[0].what
        assert notice[0].citations[0].page in (9, 10)
