"""The renewal and notice calendar, computed from a contract's review; iCalendar export.

Pure: every input (the review, today) is an argument. Dates are only computed from terms the
review found and quoted; a missing term makes the dates that need it `unknown`, never guessed.

Conventions (the ones practices and counsel use when nothing else is said):
- the initial term runs from the effective date for its months and ends the day before the
  anniversary (effective 2025-01-01, one year → the term ends 2025-12-31);
- each renewal term follows the same rule from the day after the previous term ends;
- "N days' notice before the end of the term" → the last day to give notice is the term's last
  day minus N days (the day before or earlier keeps a full N days).
"""

from __future__ import annotations

import calendar as _cal
import hashlib
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from assistant.negotiation.models import CalendarEvent, Cite, ContractCalendar
from assistant.review.models import Citation, ContractReview, ItemReview

_MONTHS = {m.lower(): i for i, m in enumerate(_cal.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(_cal.month_abbr) if m})
_DATE = (
    r"(?P<month>[A-Z][a-z]{2,8})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)"
    r"|(?P<iso>(?:19|20)\d\d-\d\d-\d\d)"
    r"|(?P<us>\d{1,2}/\d{1,2}/(?:19|20)\d\d)"
)
# The sentence that defines the Effective Date: 'as of January 1, 2025 (the "Effective Date")'.
_DEFINES_EFFECTIVE = re.compile(r"[\"“']\s*Effective\s+Date\s*[\"”']", re.IGNORECASE)
_EFFECTIVE_AS_OF = re.compile(
    r"\b(?:as of|effective(?: as of| on)?|commenc\w+ on|dated)\s+(?:" + _DATE + r")",
    re.IGNORECASE,
)
# A non-renewal notice about insurance coverage or a plan is not the agreement's own notice.
_AGREEMENT_NOTICE = re.compile(r"\b(agreement|term)\b", re.IGNORECASE)
_OTHER_NOTICE = re.compile(r"\bcoverage\b|\bpolicy\b|\binsurance\b", re.IGNORECASE)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (Jan 31 + 1 → Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def parse_date(text: str) -> date | None:
    """The first date written in `text` ('January 1, 2025', '2025-01-01', '1/1/2025')."""
    match = re.search(_DATE, text)
    return _date_of(match) if match else None


def _date_of(match: re.Match[str]) -> date | None:
    try:
        if match.group("iso"):
            return date.fromisoformat(match.group("iso"))
        if match.group("us"):
            m, d, y = (int(x) for x in match.group("us").split("/"))
            return date(y, m, d)
        month = _MONTHS.get(match.group("month").lower().rstrip("."))
        if month is None:
            return None
        return date(int(match.group("year")), month, int(match.group("day")))
    except ValueError:
        return None


def _unique(cites: Iterable[Cite]) -> tuple[Cite, ...]:
    """Each clause once, in the order first cited."""
    return tuple(dict.fromkeys(cites))


def _cite(c: Citation) -> Cite:
    return Cite(c.source, c.page, c.quote)


def _all_citations(review: ContractReview) -> Iterable[Citation]:
    for item in review.items:
        for value in item.values:
            yield from value.citations


def find_effective_date(review: ContractReview) -> tuple[date | None, Cite | None]:
    """The effective date the review quotes, and the quote; (None, quote) when the sentence
    defining it gives no date (e.g. 'the date next to the signature'), (None, None) when no
    quoted sentence defines it."""
    defining: Cite | None = None
    for citation in _all_citations(review):
        if not _DEFINES_EFFECTIVE.search(citation.quote):
            continue
        found = _EFFECTIVE_AS_OF.search(citation.quote)
        day = _date_of(found) if found else None
        if day is not None:
            return day, _cite(citation)
        defining = defining or _cite(citation)
    return None, defining


def _around_definition(quote: str, width: int = 110) -> str:
    """The words just before the Effective Date is defined ("effective as of the date …")."""
    found = _DEFINES_EFFECTIVE.search(quote)
    end = found.end() if found else len(quote)
    return quote[max(0, end - width) : end].lstrip()


def _item(review: ContractReview, item_id: str) -> ItemReview | None:
    try:
        return review.item(item_id)
    except KeyError:
        return None


def _first_value(
    item: ItemReview | None, key: str, keep: Any = None
) -> tuple[int | None, Cite | None]:
    """The first value of `key` the item states (in document order), with its first quote."""
    if item is None:
        return None, None
    for value in item.values:
        if key in value.value and value.citations:
            citation = value.citations[0]
            if keep is not None and not keep(citation.quote):
                continue
            return int(value.value[key]), _cite(citation)
    return None, None


def _agreement_notice(quote: str) -> bool:
    return bool(_AGREEMENT_NOTICE.search(quote)) and not _OTHER_NOTICE.search(quote)


def _renews(item: ItemReview | None) -> bool:
    return item is not None and any(v.value.get("renews") for v in item.values)


def contract_calendar(
    payer: str,
    review: ContractReview,
    today: date,
    *,
    effective: tuple[date, str] | None = None,
) -> ContractCalendar:
    """The next renewal and the last day to give notice for one reviewed contract.

    `effective` overrides the contract's effective date with (date, where it came from) — for
    contracts whose effective date is written next to the signature, outside the text.
    """
    source = review.source
    term_item = _item(review, "auto_renewal")
    initial, initial_cite = _first_value(term_item, "initial_term_months")
    renewal, renewal_cite = _first_value(term_item, "renewal_term_months")
    notice, notice_cite = _first_value(term_item, "non_renewal_notice_days", _agreement_notice)
    notice_kind = "notice of non-renewal"
    if notice is None:
        notice, notice_cite = _first_value(
            _item(review, "termination_without_cause"), "notice_days"
        )
        notice_kind = "notice of termination without cause"
    if effective is not None:
        start: date | None = effective[0]
        start_cite: Cite | None = Cite(
            effective[1], None, f"Effective date {effective[0]} entered by the practice"
        )
    else:
        start, start_cite = find_effective_date(review)

    unknown: list[str] = []
    if start is None:
        unknown.append(
            "effective date: "
            + (
                f"the contract defines it as {start_cite.quote!r} (page {start_cite.page}), "
                "which gives no date in the text"
                if start_cite
                else "no sentence defines it"
            )
            + " — enter it with `negotiation set --payer NAME --effective YYYY-MM-DD`"
        )
    if initial is None:
        unknown.append("initial term: no sentence states its length")
    renews = _renews(term_item)
    if renews and renewal is None:
        unknown.append("renewal term: the contract renews but no sentence states for how long")
    if notice is None:
        unknown.append("notice period: no non-renewal or without-cause notice period found")

    events: list[CalendarEvent] = []
    term_cites = tuple(c for c in (start_cite, initial_cite) if c is not None)
    if start is None or initial is None:
        events.append(
            CalendarEvent(
                None,
                "Next renewal (unknown: "
                + "; ".join(
                    u.split(":")[0] for u in unknown if u.startswith(("effective", "initial"))
                )
                + " missing)",
                "renewal",
                term_cites,
            )
        )
        if notice is not None and notice_cite is not None:
            events.append(
                CalendarEvent(
                    None,
                    f"Last day to give {notice_kind} ({notice} days before the "
                    "term ends; unknown until the renewal date is known)",
                    "notice_deadline",
                    (notice_cite,),
                )
            )
        return ContractCalendar(payer, source, tuple(events), tuple(unknown))

    for term_end, cites, is_initial in _term_ends(
        start, initial, renewal if renews else None, today, term_cites, renewal_cite
    ):
        deadline = term_end - timedelta(days=notice) if notice is not None else None
        missed = deadline is not None and deadline < today
        if renews:
            then = (
                f"renews for {renewal} months on {term_end + timedelta(days=1)}"
                if renewal
                else "renews (renewal length unknown)"
            )
            what = (
                f"{'Initial' if is_initial else 'Current'} term ends; {then} unless notice is given"
            )
        else:
            what = f"{'Initial' if is_initial else 'Current'} term ends (no renewal clause found)"
        events.append(CalendarEvent(term_end, what, "renewal", _unique(cites)))
        if deadline is not None and notice_cite is not None:
            events.append(
                CalendarEvent(
                    deadline,
                    f"Last day to give {notice_kind} ({notice} days) to renegotiate or leave "
                    f"before the {term_end} renewal",
                    "notice_deadline",
                    _unique((notice_cite, *cites)),
                    missed=missed,
                )
            )
        if not missed:
            break
    return ContractCalendar(payer, source, tuple(events), tuple(unknown))


def _term_ends(
    start: date,
    initial: int,
    renewal: int | None,
    today: date,
    term_cites: tuple[Cite, ...],
    renewal_cite: Cite | None,
) -> Iterable[tuple[date, tuple[Cite, ...], bool]]:
    """Term end dates from the first one not before `today`, then each following renewal."""
    end = add_months(start, initial) - timedelta(days=1)
    is_initial = True
    cites = term_cites
    while end < today:
        if renewal is None:
            # A term that ended without a (known) renewal: nothing later can be dated.
            yield end, cites, is_initial
            return
        next_start = end + timedelta(days=1)
        end = add_months(next_start, renewal) - timedelta(days=1)
        is_initial = False
        cites = (*term_cites, *((renewal_cite,) if renewal_cite else ()))
    for _ in range(2):
        yield end, cites, is_initial
        if renewal is None:
            return
        end = add_months(end + timedelta(days=1), renewal) - timedelta(days=1)
        is_initial = False
        cites = (*term_cites, *((renewal_cite,) if renewal_cite else ()))


def to_ics(calendars: Sequence[ContractCalendar], stamp: datetime) -> bytes:
    """An iCalendar file of every dated event: all-day, a reminder 14 days before notice
    deadlines, the cited clauses in the description, stable UIDs so re-imports update."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//payer-assistant//negotiation calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Payer contract renewals and notice deadlines")
    for contract in calendars:
        for event in contract.events:
            if event.date is None:
                continue
            item = Event()
            key = f"{contract.payer}|{contract.source}|{event.kind}|{event.date}"
            item.add("uid", hashlib.sha256(key.encode()).hexdigest()[:32] + "@payer-assistant")
            item.add("dtstamp", stamp.astimezone(UTC))
            item.add("dtstart", event.date)
            item.add("dtend", event.date + timedelta(days=1))
            item.add("summary", f"{contract.payer}: {event.what}")
            item.add("categories", [event.kind.replace("_", " ")])
            item.add("description", _describe(contract, event))
            if event.kind == "notice_deadline":
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", f"{contract.payer}: notice deadline in 14 days")
                alarm.add("trigger", timedelta(days=-14))
                item.add_component(alarm)
            cal.add_component(item)
    return cal.to_ical()


def _describe(contract: ContractCalendar, event: CalendarEvent) -> str:
    lines = [event.what, f"From {contract.source}:"]
    for c in event.citations:
        where = f"p. {c.page}" if c.page is not None else "no page"
        lines.append(f'- {c.source} ({where}): "{c.quote}"')
    return "\n".join(lines)


def stamp_of(today: date) -> datetime:
    """A DTSTAMP for `today` (midnight UTC), so the export is reproducible for a date."""
    return datetime.combine(today, time(0, 0), tzinfo=UTC)
