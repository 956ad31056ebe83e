"""Frozen dataclasses of the negotiation: tracker records, calendar events, redlines, margins."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from assistant.rates.codes import Key

STAGES = (
    "preparing",
    "sent",
    "payer reviewing",
    "counter received",
    "agreed",
    "signed",
    "stalled",
)
LOG_KINDS = ("call", "email", "meeting", "letter", "note")
DueKind = Literal["follow_up", "notice_deadline", "renewal"]


@dataclass(frozen=True)
class Contact:
    """Someone at the payer the practice deals with."""

    payer: str
    name: str
    role: str = ""
    email: str = ""
    phone: str = ""
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "email": self.email,
            "phone": self.phone,
        }


@dataclass(frozen=True)
class Position:
    """Our ask or walk-away floor, with the analysis result and the inputs that produced it."""

    payer: str
    kind: Literal["ask", "walk_away"]
    summary: str
    result: Mapping[str, Any]
    inputs: Mapping[str, Any]
    decided_on: date

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "decided_on": self.decided_on.isoformat(),
            "inputs": dict(self.inputs),
            "result": dict(self.result),
        }


@dataclass(frozen=True)
class StoredProposal:
    """A payer's proposed fee exhibit as imported: per-code rates and the basis it states."""

    payer: str
    source: str
    received_on: date
    rates: Mapping[Key, Decimal] = field(hash=False)
    basis: str | None = None
    basis_quote: str | None = None
    lesser_of: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class Offer:
    """An offer received: when, what (as modelled), and its worth on the practice's volumes."""

    payer: str
    received_on: date
    summary: str
    terms: Mapping[str, Any]
    current: Decimal
    worth: Decimal
    proposal_id: int | None = None
    id: int | None = None


@dataclass(frozen=True)
class LogEntry:
    """A dated contact with the payer or a note."""

    payer: str
    on_day: date
    kind: str
    note: str
    heard_from_payer: bool = False
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "payer": self.payer,
            "date": self.on_day.isoformat(),
            "kind": self.kind,
            "note": self.note,
            "heard_from_payer": self.heard_from_payer,
        }


@dataclass(frozen=True)
class FollowUp:
    """Something to do by a date; `done_on` once it is done."""

    payer: str
    due: date
    what: str
    done_on: date | None = None
    id: int | None = None


@dataclass(frozen=True)
class CostEntry:
    """The practice's cost to deliver one unit of a code, and where the figure came from."""

    cost: Decimal
    source: str


# Calendar ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cite:
    """A clause a date was computed from: file, page, the quote."""

    source: str
    page: int | None
    quote: str

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "page": self.page, "quote": self.quote}


@dataclass(frozen=True)
class CalendarEvent:
    """A dated (or unknown) contract event; `date` is None when a term it needs is missing."""

    date: date | None
    what: str
    kind: DueKind
    citations: tuple[Cite, ...]
    missed: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "date": "unknown" if self.date is None else self.date.isoformat(),
            "what": self.what,
            "kind": self.kind,
            "missed": self.missed,
            "citations": [c.to_json() for c in self.citations],
        }


@dataclass(frozen=True)
class ContractCalendar:
    """One contract's renewal and notice dates; `unknown` lists the terms it could not find."""

    payer: str
    source: str
    events: tuple[CalendarEvent, ...]
    unknown: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "payer": self.payer,
            "source": self.source,
            "events": [e.to_json() for e in self.events],
            "unknown": list(self.unknown),
        }


@dataclass(frozen=True)
class DueItem:
    """One line of `negotiation due`."""

    payer: str
    what: str
    due: date
    kind: DueKind
    source: str
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "payer": self.payer,
            "what": self.what,
            "due": self.due.isoformat(),
            "kind": self.kind,
            "source": self.source,
            "id": self.id,
        }
