"""The agent's negotiation tools: status, what is due, last contact, offers, the calendar,
the redline, margins, and `log_contact` (the one tool that writes: the user asked to log).

Each is a typed method whose signature and docstring are what a model reads (`as_tool` makes
the LangChain tool); errors become a ToolError the model can explain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from assistant.agent.tools import as_tool
from assistant.tool_results import fence

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool

    from assistant.negotiation.costs import MarginResult
    from assistant.negotiation.models import (
        ContractCalendar,
        DueItem,
        FollowUp,
        LogEntry,
    )
    from assistant.negotiation.redline import Redline
    from assistant.negotiation.service import PayerStatus
    from assistant.services import Services

NEGOTIATION_TOOL_NAMES = (
    "negotiation_status",
    "negotiation_due",
    "last_contact",
    "latest_offer",
    "log_contact",
    "contract_calendar",
    "proposal_redline",
    "code_margins",
)


@dataclass(frozen=True)
class StatusReport:
    """Every payer's negotiation at a glance, as of `today`."""

    today: date
    payers: tuple[PayerStatus, ...]

    def to_json(self) -> dict[str, Any]:
        return {"today": self.today.isoformat(), "payers": [r.to_json() for r in self.payers]}


@dataclass(frozen=True)
class DueReport:
    """What falls due from `today` to `until`, overdue follow-ups first."""

    today: date
    until: date
    due: tuple[DueItem, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "until": self.until.isoformat(),
            "due": [i.to_json() for i in self.due],
        }


@dataclass(frozen=True)
class LastContact:
    """When the payer last spoke and our last contact of any kind."""

    status: PayerStatus
    today: date

    @property
    def days_since_heard(self) -> int | None:
        # the tool counts the days, so no answer does date arithmetic in prose
        heard = self.status.last_heard
        return None if heard is None else (self.today - heard.on_day).days

    def to_json(self) -> dict[str, Any]:
        data = self.status.to_json()
        return {
            "payer": self.status.payer,
            "today": self.today.isoformat(),
            "last_heard_from_payer": data["last_heard_from_payer"],
            "days_since_heard_from_payer": self.days_since_heard,
            "last_contact": data["last_contact"],
            "stage": self.status.stage,
            "open_follow_ups": data["open_follow_ups"],
        }


@dataclass(frozen=True)
class OfferHistory:
    """The payer's offers, latest last, each with whether it clears our walk-away."""

    status: PayerStatus

    def to_json(self) -> dict[str, Any]:
        data = self.status.to_json()
        return {
            "payer": self.status.payer,
            "offers": data["offers"],
            "latest": data["offers"][-1] if data["offers"] else None,
            "walk_away": data["walk_away"],
        }


@dataclass(frozen=True)
class LoggedContact:
    """A contact just logged, and the follow-up added with it."""

    logged: LogEntry
    follow_up: FollowUp | None

    def to_json(self) -> dict[str, Any]:
        added = self.follow_up
        return {
            "logged": self.logged.to_json(),
            "follow_up": None
            if added is None
            else {"id": added.id, "due": added.due.isoformat(), "what": added.what},
        }


@dataclass(frozen=True)
class Calendars:
    """A payer's contracts' renewal and notice dates with the clauses they come from."""

    payer: str
    today: date
    contracts: tuple[ContractCalendar, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "payer": self.payer,
            "today": self.today.isoformat(),
            "contracts": [
                {
                    **c.to_json(),
                    "events": [
                        {
                            **e.to_json(),
                            "citations": [
                                {**x.to_json(), "quote": fence(x.quote)} for x in e.citations
                            ],
                        }
                        for e in c.events
                    ],
                }
                for c in self.contracts
            ],
        }


class NegotiationTools:
    """The negotiation tool functions over one workspace; `today` is asked for on each call."""

    def __init__(self, services: Services, today: Callable[[], date] = date.today) -> None:
        self.services = services
        self.today = today

    @property
    def conn(self) -> Any:
        return self.services.conn

    def negotiation_status(self, payer: str | None = None) -> StatusReport:
        """Each payer's stage, ask, walk-away, last contact, next thing due and offers (with
        their worth a year on the practice's volumes). `payer` limits it to one payer."""
        from assistant.negotiation import service

        rows = (
            [service.payer_status(self.conn, payer, self.today())]
            if payer
            else service.status(self.conn, self.today())
        )
        return StatusReport(self.today(), tuple(rows))

    def negotiation_due(self, within_days: int = 7) -> DueReport:
        """What is due in the next `within_days` days: open follow-ups (overdue ones too),
        contract notice deadlines and renewals, each with payer, what, due date, kind, source."""
        from assistant.negotiation import service

        today = self.today()
        items = service.due_items(self.conn, today, within_days)
        return DueReport(today, today + timedelta(days=within_days), tuple(items))

    def last_contact(self, payer: str) -> LastContact:
        """When we last heard from the payer (and what was said), and our last contact of any
        kind, from the negotiation log."""
        from assistant.negotiation import service

        status = service.payer_status(self.conn, payer, self.today(), with_calendar=False)
        return LastContact(status, self.today())

    def latest_offer(self, payer: str) -> OfferHistory:
        """The payer's offers received, latest last: date, summary and worth a year on the
        practice's volumes (from the proposal model), and whether each clears our walk-away."""
        from assistant.negotiation import service

        return OfferHistory(
            service.payer_status(self.conn, payer, self.today(), with_calendar=False)
        )

    def log_contact(
        self,
        payer: str,
        note: str,
        kind: str = "call",
        on: str = "today",
        heard_from_payer: bool = False,
        follow_up_in_days: int | None = None,
    ) -> LoggedContact:
        """Log a contact with a payer (kind: call, email, meeting, letter, note) on a date
        (YYYY-MM-DD, today or yesterday); with `follow_up_in_days`, also add a follow-up due
        that many days later. Writes to the workspace: only when the user asked to log."""
        from assistant.negotiation import service

        today = self.today()
        when = service.parse_day(on, "date", today)
        planned = None
        if follow_up_in_days is not None:
            planned = (when + timedelta(days=int(follow_up_in_days)), f"Follow up: {note}")
        entry, added = service.log_contact(
            self.conn, payer, when, note, kind, heard_from_payer=heard_from_payer, follow_up=planned
        )
        return LoggedContact(entry, added)

    def contract_calendar(self, payer: str) -> Calendars:
        """The payer contract's next renewal and last day to give notice, each date with the
        clauses (source, page, quote) it was computed from; 'unknown' with the reason when the
        contract does not state a term."""
        from assistant.negotiation import service

        calendars = service.contract_calendars(self.conn, payer, self.today())
        return Calendars(service.resolve_payer(self.conn, payer), self.today(), tuple(calendars))

    def proposal_redline(self, payer: str) -> Redline:
        """The payer's latest imported proposal exhibit against the current schedule, code by
        code (old, new, change, worth on our volumes), codes added and dropped, and basis
        changes (e.g. a fixed Medicare year replaced, a new lesser-of clause)."""
        from assistant.negotiation import service

        return service.redline_for(self.conn, payer)

    def code_margins(self, payer: str) -> MarginResult:
        """Cost to deliver each code and the margin at the payer's current rates, its latest
        offer and our ask; codes paid below cost."""
        from assistant.negotiation import service

        return service.margin_for(self.conn, payer)


def make_negotiation_tools(
    services: Services, today: Callable[[], date] = date.today
) -> list[BaseTool]:
    """The LangChain tools over `services`' workspace, one per NEGOTIATION_TOOL_NAMES."""
    box = NegotiationTools(services, today)
    return [as_tool(getattr(box, name)) for name in NEGOTIATION_TOOL_NAMES]
