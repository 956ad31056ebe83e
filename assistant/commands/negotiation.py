"""Negotiation commands: the tracker (`negotiation …`), `calendar`, `proposal import`,
`redline`, `costs` and `margin`. Parse, call assistant.negotiation.service, print."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from assistant.commands.common import (
    PAYER_HELP,
    AcrossOpt,
    CarveOutsOpt,
    JsonOpt,
    PayerOpt,
    PctOfOpt,
    connection,
    emit_json,
    stdout_console,
)
from assistant.commands.importing import import_app
from assistant.errors import InputError
from assistant.rates.money import money_display as _money
from assistant.rates.money import pct_display as _pct

TODAY_HELP = "Treat this date (YYYY-MM-DD) as today; default: the system date."
DATE_HELP = "YYYY-MM-DD, or today / yesterday."

TodayOpt = Annotated[str | None, typer.Option("--today", help=TODAY_HELP)]

negotiation_app = typer.Typer(
    name="negotiation",
    help=(
        "Track each payer's renegotiation: stage, contacts, our ask and walk-away, offers "
        "received (with their worth), a dated log and follow-ups. `due` lists what needs doing, "
        "contract notice deadlines included."
    ),
    no_args_is_help=True,
)
offer_app = typer.Typer(name="offer", help="Offers received from a payer.", no_args_is_help=True)
follow_app = typer.Typer(name="follow-up", help="Follow-ups with due dates.", no_args_is_help=True)
contact_app = typer.Typer(name="contact", help="People at the payer.", no_args_is_help=True)
proposal_app = typer.Typer(
    name="proposal", help="A payer's proposed fee exhibit (PDF, CSV, XLSX).", no_args_is_help=True
)
costs_app = typer.Typer(
    name="costs",
    help="The practice's cost to deliver each code: import a CSV or estimate from RVUs.",
    no_args_is_help=True,
)
negotiation_app.add_typer(offer_app)
negotiation_app.add_typer(follow_app)
negotiation_app.add_typer(contact_app)


def _today(text: str | None) -> date:
    from assistant.negotiation.service import parse_day

    return date.today() if text is None else parse_day(text, "--today")


def _day(text: str, field: str, today: date) -> date:
    from assistant.negotiation.service import parse_day

    return parse_day(text, field, today)


def _cite_pages(citations: list[dict[str, Any]]) -> str:
    pages = sorted({c["page"] for c in citations if c.get("page") is not None})
    sources = sorted({c["source"] for c in citations})
    where = ", ".join(sources)
    return where + (f" p. {', '.join(map(str, pages))}" if pages else "")


# negotiation status / log / stage / set ----------------------------------------------------


@negotiation_app.command("status")
def status_command(
    ctx: typer.Context,
    payer: Annotated[str | None, typer.Option("--payer", "-p", help=PAYER_HELP)] = None,
    today: TodayOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Each payer's stage, ask, walk-away, last contact, next thing due and offers."""
    from assistant.negotiation import service

    day = _today(today)
    with connection(ctx) as conn:
        rows = [service.payer_status(conn, payer, day)] if payer else service.status(conn, day)
    data = {"payers": [r.to_json() for r in rows]}
    if json_out:
        emit_json(data)
        return
    table = Table(title=f"Negotiations as of {day}")
    for col in ("payer", "stage", "ask", "last contact", "next due", "latest offer (worth)"):
        table.add_column(col, overflow="fold")
    for p in data["payers"]:
        last = p["last_contact"]
        due = p["next_due"]
        offer = p["offers"][-1] if p["offers"] else None
        table.add_row(
            p["payer"],
            p["stage"],
            p["ask"]["summary"] if p["ask"] else "—",
            f"{last['date']} {last['kind']}: {last['note']}" if last else "—",
            f"{due['due']} {due['what']}" if due else "—",
            f"{offer['date']} {offer['summary']} ({_money(offer['worth'])}/yr)" if offer else "—",
        )
    stdout_console().print(table)


@negotiation_app.command("stage")
def stage_command(
    ctx: typer.Context,
    stage: Annotated[
        str,
        typer.Argument(
            help="preparing, sent, 'payer reviewing', 'counter received', agreed, signed, stalled"
        ),
    ],
    payer: PayerOpt,
    today: TodayOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Move a payer's negotiation to a stage."""
    from assistant.negotiation import service

    with connection(ctx) as conn:
        name = service.resolve_payer(conn, payer)
        stage_set = service.set_stage(conn, name, stage, _today(today))
    if json_out:
        emit_json({"payer": name, "stage": stage_set})
    else:
        stdout_console().print(f"{name}: stage is now [bold]{stage_set}[/]")


@negotiation_app.command("set")
def set_command(
    ctx: typer.Context,
    payer: PayerOpt,
    effective: Annotated[
        str,
        typer.Option(
            "--effective",
            help="The contract's effective date, for contracts whose text leaves it blank "
            "(e.g. 'the date next to the signature').",
        ),
    ],
    today: TodayOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Enter a contract fact the text does not give (the effective date)."""
    from assistant.negotiation import service

    day = _today(today)
    when = _day(effective, "--effective", day)
    with connection(ctx) as conn:
        name = service.resolve_payer(conn, payer)
        service.set_effective(conn, name, when, day)
    if json_out:
        emit_json({"payer": name, "effective": when.isoformat()})
    else:
        stdout_console().print(f"{name}: effective date {when} (entered by the practice)")


@negotiation_app.command("log")
def log_command(
    ctx: typer.Context,
    payer: Annotated[str | None, typer.Option("--payer", "-p", help=PAYER_HELP)] = None,
    note: Annotated[
        str | None, typer.Option("--note", "-n", help="What happened. Without it, list the log.")
    ] = None,
    kind: Annotated[str, typer.Option("--kind", help="call, email, meeting, letter or note.")] = (
        "call"
    ),
    on: Annotated[str, typer.Option("--date", help=DATE_HELP)] = "today",
    heard: Annotated[
        bool,
        typer.Option("--heard/--sent", help="--heard when the payer contacted or answered us."),
    ] = False,
    follow_up_in: Annotated[
        int | None, typer.Option("--follow-up-in", help="Add a follow-up due in DAYS.")
    ] = None,
    follow_up: Annotated[
        str | None, typer.Option("--follow-up", help="What the follow-up is (with --follow-up-in).")
    ] = None,
    today: TodayOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Log a call, email or note with a payer (or list the log when --note is not given)."""
    from datetime import timedelta

    from assistant.negotiation import service
    from assistant.negotiation.store import NegotiationStore

    day = _today(today)
    with connection(ctx) as conn:
        if note is None:
            name = service.resolve_payer(conn, payer) if payer else None
            entries = NegotiationStore(conn).log(name)
            if json_out:
                emit_json({"log": [e.to_json() for e in entries]})
                return
            table = Table(title="Negotiation log")
            for col in ("date", "payer", "kind", "from payer", "note"):
                table.add_column(col, overflow="fold")
            for e in entries:
                table.add_row(
                    str(e.on_day), e.payer, e.kind, "yes" if e.heard_from_payer else "", e.note
                )
            stdout_console().print(table)
            return
        if payer is None:
            raise InputError("--payer is required to log a contact", "pass --payer NAME")
        when = _day(on, "--date", day)
        planned = None
        if follow_up_in is not None:
            if follow_up_in < 0:
                raise InputError(
                    f"--follow-up-in {follow_up_in} is negative", "give days ahead, e.g. 14"
                )
            planned = (when + timedelta(days=follow_up_in), follow_up or f"Follow up: {note}")
        elif follow_up is not None:
            raise InputError("--follow-up needs --follow-up-in DAYS", "e.g. --follow-up-in 14")
        entry, added = service.log_contact(
            conn, payer, when, note, kind, heard_from_payer=heard, follow_up=planned
        )
    if json_out:
        emit_json(
            {
                "logged": entry.to_json(),
                "follow_up": None
                if added is None
                else {"id": added.id, "due": added.due.isoformat(), "what": added.what},
            }
        )
        return
    stdout_console().print(
        f"Logged {entry.kind} with {entry.payer} on {entry.on_day}: {entry.note}"
    )
    if added is not None:
        stdout_console().print(f"Follow-up #{added.id} due {added.due}: {added.what}")


# contacts ----------------------------------------------------------------------------------


@contact_app.command("add")
def contact_add(
    ctx: typer.Context,
    payer: PayerOpt,
    name: Annotated[str, typer.Option("--name", help="The person's name.")],
    role: Annotated[str, typer.Option("--role", help="e.g. provider relations.")] = "",
    email: Annotated[str, typer.Option("--email")] = "",
    phone: Annotated[str, typer.Option("--phone")] = "",
    json_out: JsonOpt = False,
) -> None:
    """Add a contact at the payer."""
    from assistant.negotiation import service

    with connection(ctx) as conn:
        contact = service.add_contact(conn, payer, name, role, email, phone)
    if json_out:
        emit_json({"payer": contact.payer, "contact": contact.to_json()})
    else:
        stdout_console().print(
            f"Added {contact.name} ({contact.role or 'no role'}) at {contact.payer}"
        )


# offers ------------------------------------------------------------------------------------


@offer_app.command("add")
def offer_add(
    ctx: typer.Context,
    payer: PayerOpt,
    on: Annotated[str, typer.Option("--date", help="When it was received. " + DATE_HELP)] = "today",
    across_the_board: AcrossOpt = None,
    pct_of: PctOfOpt = None,
    proposal_id: Annotated[
        int | None, typer.Option("--proposal", help="An imported proposal exhibit's id.")
    ] = None,
    rates_file: Annotated[
        Path | None, typer.Option("--rates", help="The offer's exhibit (PDF, CSV, XLSX).")
    ] = None,
    carve_out: CarveOutsOpt = None,
    note: Annotated[str, typer.Option("--note", help="Anything else about the offer.")] = "",
    today: TodayOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Record an offer received; it is modelled on your volumes and its worth stored."""
    from assistant.negotiation import service

    day = _today(today)
    with connection(ctx) as conn:
        offer = service.add_offer(
            conn,
            payer,
            _day(on, "--date", day),
            across_the_board=across_the_board,
            pct_of=pct_of,
            proposal_id=proposal_id,
            rates_file=rates_file,
            carve_outs=carve_out or [],
            note=note,
        )
    data = {
        "payer": offer.payer,
        "id": offer.id,
        "date": offer.received_on.isoformat(),
        "summary": offer.summary,
        "worth": str(offer.worth),
        "current_revenue": str(offer.current),
    }
    if json_out:
        emit_json(data)
    else:
        stdout_console().print(
            f"Offer #{offer.id} from {offer.payer} ({offer.received_on}): {offer.summary} — worth "
            f"{_money(offer.worth)} a year on {_money(offer.current)} today"
        )


# follow-ups and due ------------------------------------------------------------------------


@follow_app.command("add")
def follow_add(
    ctx: typer.Context,
    payer: PayerOpt,
    what: Annotated[str, typer.Argument(help="What to do, e.g. 'chase the counter-offer'.")],
    due: Annotated[str | None, typer.Option("--due", help=DATE_HELP)] = None,
    within: Annotated[int | None, typer.Option("--in", help="Due in DAYS.")] = None,
    today: TodayOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Add a follow-up with a due date (--due DATE or --in DAYS)."""
    from datetime import timedelta

    from assistant.negotiation import service

    day = _today(today)
    if (due is None) == (within is None):
        raise InputError("give exactly one of --due DATE or --in DAYS", "e.g. --in 14")
    when = _day(due, "--due", day) if due is not None else day + timedelta(days=within or 0)
    with connection(ctx) as conn:
        added = service.add_follow_up(conn, payer, when, what)
    if json_out:
        emit_json(
            {"id": added.id, "payer": added.payer, "due": added.due.isoformat(), "what": added.what}
        )
    else:
        stdout_console().print(
            f"Follow-up #{added.id} for {added.payer} due {added.due}: {added.what}"
        )


@follow_app.command("done")
def follow_done(
    ctx: typer.Context,
    follow_up_id: Annotated[int, typer.Argument(help="The follow-up's number (see `due`).")],
    today: TodayOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Mark a follow-up done."""
    from assistant.negotiation import service

    with connection(ctx) as conn:
        done = service.complete_follow_up(conn, follow_up_id, _today(today))
    if json_out:
        emit_json({"id": done.id, "payer": done.payer, "done_on": str(done.done_on)})
    else:
        stdout_console().print(f"Done: #{done.id} {done.payer} — {done.what}")


@negotiation_app.command("due")
def due_command(
    ctx: typer.Context,
    within: Annotated[
        int, typer.Option("--within", help="Days ahead to look (overdue follow-ups always show).")
    ] = 7,
    today: TodayOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Follow-ups due, contract notice deadlines and renewals in the next DAYS."""
    from assistant.negotiation import service

    day = _today(today)
    with connection(ctx) as conn:
        items = service.due_items(conn, day, within)
    data = {"due": [i.to_json() for i in items]}
    if json_out:
        emit_json(data)
        return
    table = Table(title=f"Due by {day.fromordinal(day.toordinal() + within)} (today {day})")
    for col in ("due", "payer", "kind", "what", "source"):
        table.add_column(col, overflow="fold")
    for i in items:
        late = " (overdue)" if i.due < day else ""
        table.add_row(
            f"{i.due}{late}",
            i.payer,
            i.kind.replace("_", " "),
            (f"#{i.id} " if i.id else "") + i.what,
            i.source,
        )
    console = stdout_console()
    console.print(
        table if items else f"Nothing due by {day.fromordinal(day.toordinal() + within)}."
    )


# ask and walk-away -------------------------------------------------------------------------


@negotiation_app.command("ask")
def ask_command(
    ctx: typer.Context,
    payer: PayerOpt,
    increase: Annotated[str | None, typer.Option("--increase", help="Target +PCT revenue.")] = None,
    revenue: Annotated[str | None, typer.Option("--revenue", help="Target annual revenue.")] = None,
    basis: Annotated[
        str | None, typer.Option("--basis", help="Solve as a percent of this benchmark.")
    ] = None,
    carve_out: CarveOutsOpt = None,
    today: TodayOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Solve for our ask (as `solve` does) and store it with its inputs."""
    from assistant.negotiation import service

    with connection(ctx) as conn:
        pos = service.record_ask(
            conn,
            payer,
            _today(today),
            increase_pct=increase,
            target_revenue=revenue,
            basis=basis,
            carve_outs=carve_out or [],
        )
    if json_out:
        emit_json({"payer": pos.payer, "ask": pos.to_json()})
    else:
        stdout_console().print(f"{pos.payer}: our ask is {pos.summary}")


@negotiation_app.command("walk-away")
def walk_away_command(
    ctx: typer.Context,
    payer: PayerOpt,
    min_revenue: Annotated[str | None, typer.Option("--min-revenue")] = None,
    min_change: Annotated[str | None, typer.Option("--min-change", help="PCT on today.")] = None,
    min_pct_of: Annotated[
        str | None, typer.Option("--min-pct-of", help="No code under PCT% of --benchmark.")
    ] = None,
    benchmark: Annotated[str, typer.Option("--benchmark")] = "medicare",
    today: TodayOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Store our walk-away floor; `status` checks every offer against it."""
    from assistant.negotiation import service

    with connection(ctx) as conn:
        pos = service.record_walk_away(
            conn,
            payer,
            _today(today),
            min_revenue=min_revenue,
            min_pct_change=min_change,
            min_pct_of_benchmark=min_pct_of,
            benchmark=benchmark,
        )
    if json_out:
        emit_json({"payer": pos.payer, "walk_away": pos.to_json()})
    else:
        stdout_console().print(f"{pos.payer}: walk away below {pos.summary}")


# calendar ----------------------------------------------------------------------------------


def calendar_command(
    ctx: typer.Context,
    payer: Annotated[
        str | None, typer.Option("--payer", "-p", help=PAYER_HELP + " Default: every contract.")
    ] = None,
    ics: Annotated[
        Path | None, typer.Option("--ics", help="Write the dated events to this .ics file.")
    ] = None,
    today: TodayOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Next renewal and the last day to give notice, from the reviewed contract terms."""
    from assistant.negotiation import service
    from assistant.negotiation.calendar import stamp_of, to_ics

    day = _today(today)
    with connection(ctx) as conn:
        payers = (
            [service.resolve_payer(conn, payer)] if payer else service.payers_with_contracts(conn)
        )
        calendars = {p: service.contract_calendars(conn, p, day) for p in payers}
    if payer and not calendars[payers[0]]:
        raise InputError(
            f"No contract indexed for {payers[0]}",
            f"ingest it with `payer-assistant ingest FILE --payer '{payers[0]}' --kind contract`",
        )
    if ics is not None:
        try:
            ics.write_bytes(to_ics([c for cs in calendars.values() for c in cs], stamp_of(day)))
        except OSError as exc:
            raise InputError(
                f"cannot write {ics}: {exc.strerror}", "choose a writable path"
            ) from exc
    per_payer: list[dict[str, Any]] = [
        {
            "payer": p,
            "events": [{**e.to_json(), "source": c.source} for c in cs for e in c.events],
            "unknown": [f"{c.source}: {u}" for c in cs for u in c.unknown],
        }
        for p, cs in calendars.items()
    ]
    if json_out:
        emit_json(per_payer[0] if payer else {"payers": per_payer})
        return
    console = stdout_console()
    for entry in per_payer:
        table = Table(title=f"{entry['payer']} — renewal and notice calendar (today {day})")
        for col in ("date", "what", "from"):
            table.add_column(col, overflow="fold")
        for e in entry["events"]:
            mark = " (missed)" if e["missed"] else ""
            table.add_row(e["date"] + mark, e["what"], _cite_pages(e["citations"]) or e["source"])
        console.print(table)
        for u in entry["unknown"]:
            console.print(f"  [yellow]unknown[/] {u}", highlight=False)
    if ics is not None:
        console.print(f"Wrote {ics}")


# proposals and redline ---------------------------------------------------------------------


def _import_proposal(
    ctx: typer.Context, file: Path, payer: str, on: str, today: str | None, json_out: bool
) -> None:
    from assistant.negotiation import service

    day = _today(today)
    with connection(ctx) as conn:
        stored = service.import_proposal(conn, payer, file, _day(on, "--date", day))
    data = {
        "id": stored.id,
        "payer": stored.payer,
        "source": stored.source,
        "date": stored.received_on.isoformat(),
        "codes": len(stored.rates),
        "basis": stored.basis,
        "lesser_of": stored.lesser_of,
    }
    if json_out:
        emit_json(data)
    else:
        stdout_console().print(
            f"Imported proposal #{stored.id} for {stored.payer}: {len(stored.rates)} codes from "
            f"{stored.source}; basis: {stored.basis or 'not stated in the exhibit'}. "
            f"See it with `redline --payer '{stored.payer}'`."
        )


FileArg = Annotated[Path, typer.Argument(help="The exhibit: PDF (text table), CSV or XLSX.")]
DateOpt = Annotated[str, typer.Option("--date", help="When it was received. " + DATE_HELP)]


@proposal_app.command("import")
def proposal_import(
    ctx: typer.Context,
    file: FileArg,
    payer: PayerOpt,
    on: DateOpt = "today",
    today: TodayOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Import a payer's proposed fee exhibit; `redline` compares it with the current schedule."""
    _import_proposal(ctx, file, payer, on, today, json_out)


@import_app.command("proposal")
def import_proposal_command(
    ctx: typer.Context,
    file: FileArg,
    payer: PayerOpt,
    on: DateOpt = "today",
    today: TodayOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Import a payer's proposed fee exhibit (same as `proposal import`)."""
    _import_proposal(ctx, file, payer, on, today, json_out)


def redline_command(
    ctx: typer.Context,
    payer: PayerOpt,
    proposal_id: Annotated[
        int | None, typer.Option("--proposal", help="Proposal id (default: the latest).")
    ] = None,
    all_rows: Annotated[bool, typer.Option("--all", help="Show unchanged codes too.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """The proposal code by code against the current schedule, worth on your volumes."""
    from assistant.negotiation import service

    with connection(ctx) as conn:
        result = service.redline_for(conn, payer, proposal_id)
    data = result.to_json()
    if json_out:
        emit_json(data)
        return
    table = Table(title=f"{result.payer}: {result.proposal_source} against the current schedule")
    for col in ("code", "old", "new", "change", "%", "units", "worth/yr"):
        table.add_column(col, justify="left" if col == "code" else "right")
    for r in data["rows"]:
        if not all_rows and r["change"] == "0.00":
            continue
        table.add_row(
            r["code"] + (f"-{r['modifier']}" if r["modifier"] else ""),
            _money(r["old"]),
            _money(r["new"]),
            _money(r["change"]),
            _pct(r["change_pct"]),
            f"{r['units']:,}",
            _money(r["worth"]),
        )
    console = stdout_console()
    console.print(table)
    unchanged = len(data["rows"]) - data["codes_changed"]
    console.print(
        f"{data['codes_changed']} codes change, {unchanged} unchanged; worth "
        f"[bold]{_money(data['total_worth'])}[/] a year on your volumes."
    )
    for a in data["added"]:
        console.print(f"  added: {a['code']} at {_money(a['rate'])}")
    for d in data["dropped"]:
        console.print(
            f"  [red]dropped[/]: {d['code']} (today {_money(d['rate'])}, "
            f"{_money(d['annual_revenue'])} a year) — ask how it will be paid"
        )
    for flag in data["basis_changes"]:
        console.print(f"  [bold yellow]basis change[/]: {flag}")
    cur, new = data["current_basis"]["description"], data["proposed_basis"]["description"]
    console.print(
        f"  current basis: {cur or 'not found in the contract'}; "
        f"proposed: {new or 'not stated in the exhibit'}"
    )


# costs and margin --------------------------------------------------------------------------


def _import_costs(ctx: typer.Context, file: Path, json_out: bool) -> None:
    from assistant.negotiation import service

    with connection(ctx) as conn:
        count = service.import_costs(conn, file)
    if json_out:
        emit_json({"source": file.name, "codes": count})
    else:
        stdout_console().print(f"Imported the cost of {count} codes from {file.name}")


CostFileArg = Annotated[Path, typer.Argument(help="CSV/XLSX with code[,modifier],cost columns.")]


@costs_app.command("import")
def costs_import(ctx: typer.Context, file: CostFileArg, json_out: JsonOpt = False) -> None:
    """Import the practice's cost per code (replaces the costs stored)."""
    _import_costs(ctx, file, json_out)


@import_app.command("costs")
def import_costs_command(ctx: typer.Context, file: CostFileArg, json_out: JsonOpt = False) -> None:
    """Import the practice's cost per code (same as `costs import`)."""
    _import_costs(ctx, file, json_out)


@costs_app.command("estimate")
def costs_estimate(
    ctx: typer.Context,
    cost_per_rvu: Annotated[
        str, typer.Option("--cost-per-rvu", help="The practice's total cost ÷ its total RVUs.")
    ],
    rvu: Annotated[
        Path | None,
        typer.Option(
            "--rvu", help="A CMS PPRRVU file (default: the RVUs stored with the Medicare import)."
        ),
    ] = None,
    setting: Annotated[str, typer.Option("--setting", help="nonfacility or facility.")] = (
        "nonfacility"
    ),
    json_out: JsonOpt = False,
) -> None:
    """Estimate cost per code as (work + practice-expense RVU) × your cost per RVU."""
    from assistant.negotiation import service

    with connection(ctx) as conn:
        count = service.estimate_costs(conn, cost_per_rvu, rvu_file=rvu, setting=setting)
    if json_out:
        emit_json({"codes": count, "cost_per_rvu": cost_per_rvu, "setting": setting})
    else:
        stdout_console().print(f"Estimated the cost of {count} codes at ${cost_per_rvu} per RVU")


@costs_app.command("show")
def costs_show(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """The cost per code stored, and where it came from."""
    from assistant.negotiation.store import NegotiationStore

    with connection(ctx) as conn:
        entries = NegotiationStore(conn).costs()
    rows = [
        {"code": c, "modifier": m, "cost": str(e.cost), "source": e.source}
        for (c, m), e in sorted(entries.items())
    ]
    if json_out:
        emit_json({"costs": rows})
        return
    table = Table(title="Cost per code" + (f" — {rows[0]['source']}" if rows else ""))
    table.add_column("code")
    table.add_column("cost", justify="right")
    for r in rows:
        table.add_row(r["code"] + (f"-{r['modifier']}" if r["modifier"] else ""), _money(r["cost"]))
    stdout_console().print(
        table if rows else "No costs yet: `costs import FILE` or `costs estimate`."
    )


def margin_command(
    ctx: typer.Context,
    payer: PayerOpt,
    json_out: JsonOpt = False,
) -> None:
    """Margin per code for a payer at current rates, its latest offer and our ask."""
    from assistant.negotiation import service

    with connection(ctx) as conn:
        result = service.margin_for(conn, payer)
    data = result.to_json()
    if json_out:
        emit_json(data)
        return
    table = Table(title=f"{result.payer}: margin per code (costs: {result.cost_source})")
    cols = ["code", "units", "cost", "paid now", "margin now"]
    if result.offered_label:
        cols += ["offered", "margin offered"]
    if result.target_label:
        cols += ["our ask", "margin ask"]
    for col in cols:
        table.add_column(col, justify="left" if col == "code" else "right")
    for r in data["rows"]:
        cells = [
            r["code"] + (f"-{r['modifier']}" if r["modifier"] else ""),
            f"{r['units']:,}",
            _money(r["cost"]),
            _money(r["current_rate"]),
            _money(r["margin_current"]),
        ]
        if result.offered_label:
            cells += [_money(r["offered_rate"]), _money(r["margin_offered"])]
        if result.target_label:
            cells += [_money(r["target_rate"]), _money(r["margin_target"])]
        table.add_row(*cells)
    console = stdout_console()
    console.print(table)
    totals = data["annual_margin"]
    console.print(
        f"Annual margin now {_money(totals['current'])}"
        + (f"; at the offer {_money(totals['offered'])}" if totals["offered"] else "")
        + (f"; at our ask {_money(totals['target'])}" if totals["target"] else "")
    )
    if data["below_cost_at_current"]:
        console.print(f"[red]Paid below cost today:[/] {', '.join(data['below_cost_at_current'])}")
    if result.offered_label:
        console.print(f"Offer: {result.offered_label}")
    if result.target_label:
        console.print(f"Ask: {result.target_label}")


def register(app: typer.Typer) -> None:
    """Add the negotiation group, calendar, proposal, redline, costs and margin commands."""
    app.add_typer(negotiation_app)
    app.add_typer(proposal_app)
    app.add_typer(costs_app)
    app.command("calendar")(calendar_command)
    app.command("redline")(redline_command)
    app.command("margin")(margin_command)


__all__ = ["register"]
