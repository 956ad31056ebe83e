"""Negotiation services over the workspace: what the CLI, the agent's tools and the app call.

Every function takes the open connection and `today` (no clock inside), validates its input
before writing anything, and returns typed results whose `to_json()` is the CLI's --json shape.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from assistant.errors import InputError, NotFoundError
from assistant.ingest.store import DocumentStore
from assistant.negotiation import calendar as cal
from assistant.negotiation import costs as cost_model
from assistant.negotiation.models import (
    LOG_KINDS,
    STAGES,
    Contact,
    ContractCalendar,
    DueItem,
    FollowUp,
    LogEntry,
    Offer,
    Position,
    StoredProposal,
)
from assistant.negotiation.redline import (
    Basis,
    ProposalExhibit,
    Redline,
    read_basis,
    read_proposal_file,
    redline,
)
from assistant.negotiation.store import NegotiationStore
from assistant.rates import service as rates
from assistant.rates.codes import Key
from assistant.rates.models import (
    Floor,
    PercentChange,
    Proposal,
    RateTable,
    TargetIncrease,
    TargetRevenue,
)
from assistant.rates.money import money_display, money_text
from assistant.rates.proposals import build_proposal, parse_carve_out, parse_percent
from assistant.rates.store import RateStore

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_day(text: str, field: str = "date", today: date | None = None) -> date:
    """'2026-12-04' (or 'today' when `today` is given) → date; a one-line error otherwise."""
    cleaned = text.strip().lower()
    if today is not None and cleaned in ("today", "now"):
        return today
    if today is not None and cleaned == "yesterday":
        return today - timedelta(days=1)
    if today is not None and cleaned == "tomorrow":
        return today + timedelta(days=1)
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"{field} '{text}' is not a date", "write it as YYYY-MM-DD, e.g. 2026-12-18"
        ) from None


# Payers ------------------------------------------------------------------------------------


def known_payers(conn: sqlite3.Connection) -> list[str]:
    """Payers with a fee schedule or a contract in the workspace."""
    names = {p.lower(): p for p in RateStore(conn).payers()}
    for record in DocumentStore(conn).list(kind="contract"):
        if record.payer and record.payer.lower() not in names:
            names[record.payer.lower()] = record.payer
    return sorted(names.values(), key=str.lower)


def resolve_payer(conn: sqlite3.Connection, name: str) -> str:
    """The canonical payer name (rates alias or contract payer); NotFoundError otherwise."""
    if not name or not name.strip():
        raise InputError("payer is empty", "pass --payer NAME")
    found = RateStore(conn).find_payer(name)
    if found is not None:
        return found
    for payer in known_payers(conn):
        if payer.lower() == name.strip().lower():
            return payer
    known = ", ".join(known_payers(conn)) or "none yet"
    raise NotFoundError(
        f"No payer named '{name}' (known payers: {known})",
        "import its fee schedule (`import fees FILE --payer NAME`) or ingest its contract first",
    )


# Tracker writes ----------------------------------------------------------------------------


def set_stage(conn: sqlite3.Connection, payer: str, stage: str, today: date) -> str:
    name = resolve_payer(conn, payer)
    clean = stage.strip().lower().replace("_", " ").replace("-", " ")
    if clean not in STAGES:
        raise InputError(f"stage '{stage}' is not one of: {', '.join(STAGES)}")
    NegotiationStore(conn).set_stage(name, clean, today)
    return clean


def set_effective(conn: sqlite3.Connection, payer: str, effective: date, today: date) -> None:
    NegotiationStore(conn).set_effective(resolve_payer(conn, payer), effective, today)


def add_contact(
    conn: sqlite3.Connection,
    payer: str,
    name: str,
    role: str = "",
    email: str = "",
    phone: str = "",
) -> Contact:
    payer_name = resolve_payer(conn, payer)
    if not name or not name.strip():
        raise InputError("contact name is empty", "pass --name 'First Last'")
    if email and not _EMAIL.match(email.strip()):
        raise InputError(f"email '{email}' is not an email address", "write it as name@example.com")
    if phone and not re.fullmatch(r"[\d\s()+.\-x]{7,}", phone.strip()):
        raise InputError(f"phone '{phone}' is not a phone number", "write it as 614-555-0142")
    return NegotiationStore(conn).add_contact(
        Contact(payer_name, name.strip(), role.strip(), email.strip(), phone.strip())
    )


def log_contact(
    conn: sqlite3.Connection,
    payer: str,
    on_day: date,
    note: str,
    kind: str = "call",
    *,
    heard_from_payer: bool = False,
    follow_up: tuple[date, str] | None = None,
) -> tuple[LogEntry, FollowUp | None]:
    """Log a contact or note; optionally add the follow-up it calls for, in one transaction."""
    name = resolve_payer(conn, payer)
    if kind not in LOG_KINDS:
        raise InputError(f"kind '{kind}' is not one of: {', '.join(LOG_KINDS)}")
    if not note.strip():
        raise InputError("note is empty", "say what happened, e.g. --note 'asked for two weeks'")
    store = NegotiationStore(conn)
    with store.writing():
        entry = store.add_log(LogEntry(name, on_day, kind, note.strip(), heard_from_payer))
        added = None
        if follow_up is not None:
            added = store.add_follow_up(FollowUp(name, follow_up[0], follow_up[1]))
    return entry, added


def add_follow_up(conn: sqlite3.Connection, payer: str, due: date, what: str) -> FollowUp:
    name = resolve_payer(conn, payer)
    if not what.strip():
        raise InputError(
            "follow-up text is empty", "say what to do, e.g. 'call Jane about the counter'"
        )
    return NegotiationStore(conn).add_follow_up(FollowUp(name, due, what.strip()))


def complete_follow_up(conn: sqlite3.Connection, follow_up_id: int, today: date) -> FollowUp:
    return NegotiationStore(conn).complete_follow_up(follow_up_id, today)


def record_ask(
    conn: sqlite3.Connection,
    payer: str,
    today: date,
    *,
    increase_pct: str | None = None,
    target_revenue: str | None = None,
    basis: str | None = None,
    carve_outs: Sequence[str] = (),
) -> Position:
    """Solve for our ask and store it with the inputs that produced it."""
    name = resolve_payer(conn, payer)
    if (increase_pct is None) == (target_revenue is None):
        raise InputError("give exactly one of --increase PCT or --revenue AMOUNT")
    target: TargetIncrease | TargetRevenue
    if increase_pct is not None:
        target = TargetIncrease(parse_percent(increase_pct, "increase"))
    else:
        target = TargetRevenue(_money(target_revenue or "", "revenue"))
    outs = [parse_carve_out(c) for c in carve_outs]
    result = rates.solve(conn, name, target, basis, outs)
    value = result.value.normalize()
    what = f"{value:f}% of {result.basis}" if result.basis else f"{value:+f}% across the board"
    summary = (
        f"{what} → {money_display(result.resulting_revenue)} a year "
        f"(from {money_display(result.current_revenue)})"
    )
    inputs = {
        "increase_pct": increase_pct,
        "target_revenue": target_revenue,
        "basis": basis,
        "carve_outs": list(carve_outs),
    }
    position = Position(name, "ask", summary, result.to_json(), inputs, today)
    NegotiationStore(conn).add_position(position)
    return position


def record_walk_away(
    conn: sqlite3.Connection,
    payer: str,
    today: date,
    *,
    min_revenue: str | None = None,
    min_pct_change: str | None = None,
    min_pct_of_benchmark: str | None = None,
    benchmark: str = "medicare",
) -> Position:
    """Store the walk-away floor (checked against every offer in `status`)."""
    name = resolve_payer(conn, payer)
    if min_revenue is None and min_pct_change is None and min_pct_of_benchmark is None:
        raise InputError(
            "a walk-away needs at least one limit",
            "pass --min-revenue, --min-change or --min-pct-of",
        )
    floor = Floor(
        _money(min_revenue, "min revenue") if min_revenue else None,
        parse_percent(min_pct_change, "min change") if min_pct_change else None,
        parse_percent(min_pct_of_benchmark, "min percent of benchmark")
        if min_pct_of_benchmark
        else None,
        benchmark,
    )
    parts = []
    if floor.min_revenue is not None:
        parts.append(f"at least {money_display(floor.min_revenue)} a year")
    if floor.min_pct_change is not None:
        parts.append(f"at least {floor.min_pct_change:+}% on today's revenue")
    if floor.min_pct_of_benchmark is not None:
        parts.append(f"no code under {floor.min_pct_of_benchmark}% of {benchmark}")
    # Check it against today's schedule so a floor naming an unknown benchmark fails now.
    check = rates.walk_away(conn, name, Proposal(PercentChange(Decimal(0))), floor)
    inputs = {
        "min_revenue": min_revenue,
        "min_pct_change": min_pct_change,
        "min_pct_of_benchmark": min_pct_of_benchmark,
        "benchmark": benchmark,
    }
    position = Position(name, "walk_away", "; ".join(parts), check.to_json(), inputs, today)
    NegotiationStore(conn).add_position(position)
    return position


def _money(text: str, field: str, example: str = "250000") -> Decimal:
    try:
        value = Decimal(text.replace("$", "").replace(",", "").strip())
    except Exception:
        raise InputError(
            f"{field} '{text}' is not an amount", f"write dollars, e.g. {example}"
        ) from None
    if not value.is_finite() or value < 0:
        raise InputError(f"{field} '{text}' is not an amount", f"write dollars, e.g. {example}")
    return value


# Offers and proposals ----------------------------------------------------------------------


def import_proposal(
    conn: sqlite3.Connection, payer: str, path: Path, received_on: date
) -> StoredProposal:
    """Read a proposed exhibit and store it as the payer's proposal of `received_on`."""
    name = resolve_payer(conn, payer)
    exhibit = read_proposal_file(path)
    basis = exhibit.basis
    return NegotiationStore(conn).add_proposal(
        StoredProposal(
            name,
            exhibit.source,
            received_on,
            dict(exhibit.rates),
            basis.describe(),
            "\n".join(q for _s, _p, q in basis.quotes) or None,
            "lesser of billed charges" if basis.lesser_of else None,
        )
    )


def add_offer(
    conn: sqlite3.Connection,
    payer: str,
    received_on: date,
    *,
    across_the_board: str | None = None,
    pct_of: tuple[str, str] | None = None,
    proposal_id: int | None = None,
    rates_file: Path | None = None,
    carve_outs: Sequence[str] = (),
    note: str = "",
) -> Offer:
    """Record an offer received, modelled on the practice's volumes; the stage moves to
    'counter received' unless the negotiation is already further along."""
    name = resolve_payer(conn, payer)
    store = NegotiationStore(conn)
    if rates_file is not None:
        if proposal_id is not None:
            raise InputError("give --proposal ID or --rates FILE, not both")
        exhibit = read_proposal_file(rates_file)
    given = [x for x in (across_the_board, pct_of, proposal_id, rates_file) if x is not None]
    if len(given) != 1:
        raise InputError(
            "give exactly one of --across-the-board PCT, --pct-of BENCHMARK PCT, "
            "--proposal ID, --rates FILE",
            "add --carve-out CODES=PCT for codes priced differently",
        )
    stored: StoredProposal | None = None
    if proposal_id is not None:
        stored = store.proposal(proposal_id)
        if stored.payer.lower() != name.lower():
            raise InputError(f"proposal {proposal_id} is {stored.payer}'s, not {name}'s")
    if proposal_id is not None or rates_file is not None:
        table = stored.rates if stored else exhibit.rates
        label = stored.source if stored else exhibit.source
        proposal = Proposal(RateTable(label, table), tuple(parse_carve_out(c) for c in carve_outs))
    else:
        proposal = build_proposal(
            across_the_board=parse_percent(across_the_board) if across_the_board else None,
            pct_of=(pct_of[0], parse_percent(pct_of[1])) if pct_of else None,
            carve_outs=list(carve_outs),
        )
    result = rates.model(conn, name, proposal)
    terms: dict[str, Any] = {
        "across_the_board": across_the_board,
        "pct_of": list(pct_of) if pct_of else None,
        "carve_outs": list(carve_outs),
        "note": note,
    }
    with store.writing():
        if rates_file is not None:
            stored = store.add_proposal(
                StoredProposal(
                    name, exhibit.source, received_on, dict(exhibit.rates), exhibit.basis.describe()
                )
            )
        summary = proposal.describe() + (f" — {note}" if note else "")
        offer = store.add_offer(
            Offer(
                name,
                received_on,
                summary,
                terms,
                result.total_current,
                result.total_delta,
                stored.id if stored else None,
            )
        )
        if STAGES.index(store.stage(name)) < STAGES.index("counter received"):
            store.set_stage(name, "counter received", received_on)
    return offer


def offer_proposal(conn: sqlite3.Connection, offer: Offer) -> Proposal:
    """The Proposal an offer stands for, rebuilt from its stored terms."""
    outs = tuple(parse_carve_out(c) for c in offer.terms.get("carve_outs") or ())
    if offer.proposal_id is not None:
        stored = NegotiationStore(conn).proposal(offer.proposal_id)
        return Proposal(RateTable(stored.source, stored.rates), outs)
    pct_of = offer.terms.get("pct_of")
    atb = offer.terms.get("across_the_board")
    return build_proposal(
        across_the_board=parse_percent(atb) if atb else None,
        pct_of=(pct_of[0], parse_percent(pct_of[1])) if pct_of else None,
        carve_outs=list(offer.terms.get("carve_outs") or ()),
    )


# Reading: status, due, calendar ------------------------------------------------------------


@dataclass(frozen=True)
class PayerStatus:
    """One payer's negotiation at a glance (a row of `negotiation status`)."""

    payer: str
    stage: str
    ask: Position | None
    walk_away: Position | None
    last_contact: LogEntry | None
    last_heard: LogEntry | None
    next_due: DueItem | None
    offers: tuple[Offer, ...]
    offers_clear_floor: tuple[bool | None, ...]
    contacts: tuple[Contact, ...]
    open_follow_ups: tuple[FollowUp, ...]

    def to_json(self) -> dict[str, Any]:
        def log(entry: LogEntry | None) -> dict[str, Any] | None:
            return None if entry is None else entry.to_json()

        return {
            "payer": self.payer,
            "stage": self.stage,
            "ask": None if self.ask is None else self.ask.to_json(),
            "walk_away": None if self.walk_away is None else self.walk_away.to_json(),
            "last_contact": log(self.last_contact),
            "last_heard_from_payer": log(self.last_heard),
            "next_due": None if self.next_due is None else self.next_due.to_json(),
            "offers": [
                {
                    "id": o.id,
                    "date": o.received_on.isoformat(),
                    "summary": o.summary,
                    "worth": money_text(o.worth),
                    "current_revenue": money_text(o.current),
                    "proposal_id": o.proposal_id,
                    "clears_walk_away": clears,
                }
                for o, clears in zip(self.offers, self.offers_clear_floor, strict=True)
            ],
            "contacts": [c.to_json() for c in self.contacts],
            "open_follow_ups": [
                {"id": f.id, "due": f.due.isoformat(), "what": f.what} for f in self.open_follow_ups
            ],
        }


def payer_status(
    conn: sqlite3.Connection,
    payer: str,
    today: date,
    *,
    with_calendar: bool = True,
    upcoming: Sequence[DueItem] | None = None,
) -> PayerStatus:
    """One payer's status; `upcoming` (every payer's due items) saves re-reading contracts."""
    name = resolve_payer(conn, payer)
    store = NegotiationStore(conn)
    log = store.log(name)
    heard = [e for e in log if e.heard_from_payer]
    walk = store.position(name, "walk_away")
    offers = store.offers(name)
    clears: list[bool | None] = []
    for offer in offers:
        clears.append(_clears(conn, name, offer, walk))
    if upcoming is None:
        upcoming = due_items(conn, today, None, payers=[name], with_calendar=with_calendar)
    else:
        upcoming = [i for i in upcoming if i.payer.lower() == name.lower()]
    return PayerStatus(
        name,
        store.stage(name),
        store.position(name, "ask"),
        walk,
        log[-1] if log else None,
        heard[-1] if heard else None,
        upcoming[0] if upcoming else None,
        tuple(offers),
        tuple(clears),
        tuple(store.contacts(name)),
        tuple(store.follow_ups(name, open_only=True)),
    )


def _clears(
    conn: sqlite3.Connection, payer: str, offer: Offer, walk: Position | None
) -> bool | None:
    if walk is None:
        return None
    inputs = walk.inputs
    floor = Floor(
        Decimal(inputs["min_revenue"].replace("$", "").replace(",", ""))
        if inputs.get("min_revenue")
        else None,
        parse_percent(inputs["min_pct_change"]) if inputs.get("min_pct_change") else None,
        parse_percent(inputs["min_pct_of_benchmark"])
        if inputs.get("min_pct_of_benchmark")
        else None,
        inputs.get("benchmark") or "medicare",
    )
    try:
        return rates.walk_away(conn, payer, offer_proposal(conn, offer), floor).clears
    except NotFoundError:
        return None


def status(conn: sqlite3.Connection, today: date) -> list[PayerStatus]:
    """Every payer with a schedule, a contract or a tracker record, by stage."""
    names = {p.lower(): p for p in known_payers(conn)}
    for tracked in NegotiationStore(conn).tracked_payers():
        names.setdefault(tracked.lower(), tracked)
    upcoming = due_items(conn, today, None)
    rows = [payer_status(conn, n, today, upcoming=upcoming) for n in names.values()]
    return sorted(rows, key=lambda r: (STAGES.index(r.stage), r.payer.lower()))


def contract_calendars(conn: sqlite3.Connection, payer: str, today: date) -> list[ContractCalendar]:
    """The renewal and notice calendar of each contract indexed for the payer."""
    from assistant.review.service import review_document

    name = resolve_payer(conn, payer)
    records = DocumentStore(conn).list(kind="contract", payer=name)
    entered = NegotiationStore(conn).effective(name)
    out = []
    for record in records:
        review = review_document(conn, record.doc_id)
        effective = (entered, "entered by the practice") if entered else None
        out.append(cal.contract_calendar(name, review, today, effective=effective))
    return out


def due_items(
    conn: sqlite3.Connection,
    today: date,
    within_days: int | None = 7,
    *,
    payers: Sequence[str] | None = None,
    with_calendar: bool = True,
) -> list[DueItem]:
    """Open follow-ups (overdue ones included) and contract dates up to today + within_days."""
    if within_days is not None and within_days < 0:
        raise InputError(f"--within {within_days} is negative", "give a number of days, e.g. 7")
    horizon = None if within_days is None else today + timedelta(days=within_days)
    store = NegotiationStore(conn)
    names = list(payers) if payers is not None else None
    items: list[DueItem] = []
    for f in store.follow_ups(open_only=True):
        if names is not None and f.payer.lower() not in {n.lower() for n in names}:
            continue
        if horizon is None or f.due <= horizon:
            items.append(DueItem(f.payer, f.what, f.due, "follow_up", "follow-up", f.id))
    if with_calendar:
        for payer in names if names is not None else payers_with_contracts(conn):
            for contract in contract_calendars(conn, payer, today):
                for event in contract.events:
                    if event.date is None or event.missed or event.date < today:
                        continue
                    if horizon is None or event.date <= horizon:
                        pages = sorted({c.page for c in event.citations if c.page is not None})
                        where = contract.source + (
                            f" p. {', '.join(map(str, pages))}" if pages else ""
                        )
                        items.append(
                            DueItem(contract.payer, event.what, event.date, event.kind, where)
                        )
    return sorted(items, key=lambda i: (i.due, i.payer.lower()))


def payers_with_contracts(conn: sqlite3.Connection) -> list[str]:
    return sorted({r.payer for r in DocumentStore(conn).list(kind="contract") if r.payer})


# Redline, costs, margin --------------------------------------------------------------------


def _contract_basis(conn: sqlite3.Connection, payer: str) -> Basis:
    from assistant.review.service import review_document

    sentences: list[tuple[str, int | None, str]] = []
    for record in DocumentStore(conn).list(kind="contract", payer=payer):
        review = review_document(conn, record.doc_id)
        for item in review.items:
            if item.id in ("reimbursement_methodology", "fee_schedule_updates", "lesser_of"):
                for value in item.values:
                    sentences += [(c.source, c.page, c.quote) for c in value.citations]
    return read_basis(sentences)


def redline_for(conn: sqlite3.Connection, payer: str, proposal_id: int | None = None) -> Redline:
    """The payer's latest imported proposal (or `proposal_id`) against its current schedule."""
    name = resolve_payer(conn, payer)
    store = NegotiationStore(conn)
    stored = store.proposal(proposal_id) if proposal_id is not None else store.latest_proposal(name)
    if stored is None:
        raise NotFoundError(
            f"No proposal imported for {name}",
            f"import the payer's exhibit with "
            f"`payer-assistant proposal import FILE --payer '{name}'`",
        )
    rate_store = RateStore(conn)
    exhibit = ProposalExhibit(
        stored.source,
        stored.rates,
        read_basis([(stored.source, None, q) for q in (stored.basis_quote or "").splitlines()]),
    )
    return redline(
        name,
        rate_store.fee_schedule(name),
        exhibit,
        rate_store.volumes(name),
        _contract_basis(conn, name),
    )


def latest_redline(conn: sqlite3.Connection, payer: str) -> Redline | None:
    """The redline of the payer's latest proposal, None when no proposal was imported."""
    try:
        return redline_for(conn, payer)
    except NotFoundError:
        return None


def import_costs(conn: sqlite3.Connection, path: Path) -> int:
    costs = cost_model.read_cost_file(path)
    NegotiationStore(conn).replace_costs(costs, source=path.name)
    return len(costs)


def estimate_costs(
    conn: sqlite3.Connection,
    cost_per_rvu: str,
    *,
    rvu_file: Path | None = None,
    setting: str = "nonfacility",
    benchmark: str = "medicare",
) -> int:
    """Estimate cost per code from RVUs (stored with the Medicare import, or an RVU file)."""
    from assistant.rates.cms_pfs import read_rvu_file
    from assistant.rates.store import RvuComponents

    per_rvu = _money(cost_per_rvu, "cost per RVU", "38.50")
    if setting not in ("nonfacility", "facility"):
        raise InputError(f"setting '{setting}' is not nonfacility or facility")
    components: Mapping[Key, RvuComponents]
    if rvu_file is not None:
        components = {
            (r.code, r.modifier): RvuComponents(r.work, r.pe_nonfacility, r.pe_facility, r.mp)
            for r in read_rvu_file(rvu_file).rows
        }
        where = rvu_file.name
    else:
        components = RateStore(conn).rvu_components(benchmark)
        where = f"the {benchmark} import"
        if not components:
            raise NotFoundError(
                f"No RVU components stored with benchmark '{benchmark}'",
                "pass --rvu PPRRVU_FILE, or re-import Medicare with `import medicare`",
            )
    costs = cost_model.estimate_costs(components, per_rvu, setting)
    source = f"estimate: (work + {setting} PE RVU) × ${per_rvu} per RVU, RVUs from {where}"
    NegotiationStore(conn).replace_costs(costs, source=source)
    return len(costs)


def margin_for(conn: sqlite3.Connection, payer: str) -> cost_model.MarginResult:
    """Margin per code at current rates, the latest offer (if any) and our ask (if any)."""
    name = resolve_payer(conn, payer)
    store = NegotiationStore(conn)
    entries = store.costs()
    if not entries:
        raise NotFoundError(
            "No costs per code in the workspace",
            "import them with `payer-assistant costs import FILE` or estimate them with "
            "`payer-assistant costs estimate --cost-per-rvu 38.50`",
        )
    costs = {k: e.cost for k, e in entries.items()}
    source = next(iter(entries.values())).source
    rate_store = RateStore(conn)
    current = rate_store.fee_schedule(name)
    offered = target = None
    offered_label = target_label = None
    offers = store.offers(name)
    if offers:
        result = rates.model(conn, name, offer_proposal(conn, offers[-1]))
        offered = {(r.code, r.modifier): r.proposed_rate for r in result.rows}
        offered_label = f"offer of {offers[-1].received_on}: {offers[-1].summary}"
    ask = store.position(name, "ask")
    if ask is not None:
        target = _ask_rates(conn, name, ask)
        target_label = f"our ask: {ask.summary}"
    return cost_model.margin(
        name,
        current,
        costs,
        rate_store.volumes(name),
        offered=offered,
        target=target,
        offered_label=offered_label,
        target_label=target_label,
        cost_source=source,
    )


def _ask_rates(conn: sqlite3.Connection, payer: str, ask: Position) -> dict[Key, Decimal]:
    inputs = ask.inputs
    target: TargetIncrease | TargetRevenue = (
        TargetIncrease(parse_percent(inputs["increase_pct"]))
        if inputs.get("increase_pct")
        else TargetRevenue(_money(inputs["target_revenue"], "revenue"))
    )
    outs = [parse_carve_out(c) for c in inputs.get("carve_outs") or ()]
    result = rates.solve(conn, payer, target, inputs.get("basis"), outs)
    return {(r.code, r.modifier): r.proposed_rate for r in result.proposal_result.rows}


@dataclass(frozen=True)
class Overview:
    """What the app's Negotiations view shows: payers by stage, what is due, each calendar."""

    today: date
    payers: tuple[PayerStatus, ...]
    due: tuple[DueItem, ...]
    calendars: tuple[ContractCalendar, ...]


def overview(conn: sqlite3.Connection, today: date, within_days: int = 30) -> Overview:
    """Every payer's status, what is due in `within_days`, and every contract's calendar."""
    calendars = tuple(
        c for payer in payers_with_contracts(conn) for c in contract_calendars(conn, payer, today)
    )
    upcoming = due_items(conn, today, None)
    names = {p.lower(): p for p in known_payers(conn)}
    for tracked in NegotiationStore(conn).tracked_payers():
        names.setdefault(tracked.lower(), tracked)
    statuses = sorted(
        (payer_status(conn, n, today, upcoming=upcoming) for n in names.values()),
        key=lambda r: (STAGES.index(r.stage), r.payer.lower()),
    )
    horizon = today + timedelta(days=within_days)
    return Overview(
        today, tuple(statuses), tuple(i for i in upcoming if i.due <= horizon), calendars
    )
