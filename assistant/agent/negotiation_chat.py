"""Negotiation questions in the offline chat: detect one, plan its tool call, compose the answer.

Independent of the offline model's internals: `detect` takes the question, a payer finder and
today; `plan` names the tool call; `compose` writes the answer from the tool's result (figures
and dates only from the result, quotes cited). `respond` adapts the three to LangChain messages
for the current offline model; an intent registry can call detect/plan/compose directly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from assistant.rates.money import cents, money_display
from assistant.tool_results import ToolError

if TYPE_CHECKING:
    from assistant.agent.negotiation_tools import (
        Calendars,
        DueReport,
        LastContact,
        LoggedContact,
        OfferHistory,
        StatusReport,
    )
    from assistant.negotiation.costs import MarginResult
    from assistant.negotiation.models import Cite
    from assistant.negotiation.redline import Redline

FindPayers = Callable[[str], list[str]]

_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "fourteen": 14,
    "thirty": 30,
}
_PERIOD = re.compile(
    r"\b(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|fourteen|thirty)\s+"
    r"(?P<unit>days?|weeks?|months?)\b",
    re.IGNORECASE,
)
_LOG = re.compile(r"^\s*(?:please\s+)?(?:log|record|note down|note)\b(?:\s+that)?\s*", re.I)
_DUE = re.compile(
    r"\b(?:what(?:'s| is)?|anything|whats)\b.{0,30}\b(?:due|coming up|overdue|to do|pending)\b"
    r"|\bdue (?:this|next) (?:week|month)\b|\bupcoming deadlines?\b|\bnotice deadlines?\b"
    r"|\bwhat (?:follow[- ]ups?|deadlines?)\b|\bopen follow[- ]ups?\b",
    re.IGNORECASE,
)
_LAST_HEARD = re.compile(
    r"\b(?:when|last)\b.{0,30}\b(?:hear|heard|contact(?:ed)?|spoke|spoken|talk(?:ed)?|reply|"
    r"replied|respond(?:ed)?)\b|\bheard (?:back )?from\b",
    re.IGNORECASE,
)
# An offer already received ("what did Cigna offer last time?"), not a hypothetical one
# ("Aetna offers 3% on E/M — what is that worth?", which the rate tools model).
_OFFER = re.compile(
    r"\bwhat did\b.{0,40}\b(?:offer|propose|counter)"
    r"|\b(?:last|latest|previous|most recent|recent|current)\b.{0,20}\b(?:offer|counter|proposal)"
    r"|\boffer(?:ed)? (?:us )?last time\b|\boffers? (?:so far|received|we (?:got|received))\b",
    re.IGNORECASE,
)
_HYPOTHETICAL = re.compile(r"\d\s*%|\$\s?\d|\bpercent\b", re.IGNORECASE)
_CALENDAR = re.compile(
    r"\bwhen\b.{0,40}\b(?:renew\w*|give notice|notice|expire\w*|term ends?)\b"
    r"|\b(?:renewal|notice) (?:date|deadline|calendar)s?\b|\blast day to give notice\b"
    r"|\bnon-?renewal deadline\b",
    re.IGNORECASE,
)
# "When does it renew and how do we get out of it?" asks for the contract's words: left to the
# contract-term answer, which quotes the renewal and termination clauses.
_CONTRACT_LANGUAGE = re.compile(
    r"\bget out\b|\bterminat\w*|\bexit\b|\bsay\b|\bclause\b|\bwording\b", re.IGNORECASE
)
_REDLINE = re.compile(
    r"\bredline\b|\bwhat changed\b.{0,40}\bproposal\b|\bcompare .{0,30}"
    r"proposal\b",
    re.IGNORECASE,
)
_MARGIN = re.compile(
    r"\bmargins?\b|\bcosts? us\b|\bbelow cost\b|\bcost to deliver\b|\bprofit\w*\b", re.IGNORECASE
)
_STATUS = re.compile(
    r"\bwhere (?:are|do) we stand\b|\bnegotiation(?:s)? status\b|\bstatus of (?:the |our )?"
    r"negotiation|\bhow are (?:the |our )?negotiations\b|\bwhich stage\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class NegotiationQuestion:
    """A negotiation question and its slots."""

    kind: str
    payer: str | None = None
    within_days: int = 7
    log: dict[str, Any] = field(default_factory=dict)


def _days(match: re.Match[str]) -> int:
    n = match.group("n").lower()
    count = int(n) if n.isdigit() else _NUMBERS[n]
    unit = match.group("unit").lower()
    return count * (7 if unit.startswith("week") else 30 if unit.startswith("month") else 1)


def _within(text: str, today: date) -> int:
    lowered = text.lower()
    if "today" in lowered:
        return 0
    if "this week" in lowered:
        return 6 - today.weekday() if today.weekday() < 6 else 0
    if "next week" in lowered:
        return 13 - today.weekday()
    if "this month" in lowered:
        return 30
    period = _PERIOD.search(text)
    return _days(period) if period else 7


def _log_slots(text: str, today: date) -> dict[str, Any]:
    body = _LOG.sub("", text).strip().rstrip(".")
    lowered = body.lower()
    kind = "note"
    for word, name in (
        ("call", "call"),
        ("phone", "call"),
        ("email", "email"),
        ("e-mail", "email"),
        ("met", "meeting"),
        ("meeting", "meeting"),
        ("letter", "letter"),
        ("wrote", "letter"),
    ):
        if re.search(rf"\b{word}", lowered):
            kind = name
            break
    on = "today"
    if "yesterday" in lowered:
        on = "yesterday"
    elif iso := re.search(r"\b(20\d\d-\d\d-\d\d)\b", body):
        on = iso.group(1)
    heard = bool(
        re.search(r"\b(?:they|he|she)\s+(?:called|emailed|wrote|replied|responded)\b", lowered)
        or re.search(
            r"\b(?:heard from|got a (?:call|reply|email) from|replied|responded)\b", lowered
        )
        or re.search(r"\bthey (?:asked|said|want|offered|agreed|declined)\b", lowered)
    )
    follow = None
    period = _PERIOD.search(body)
    if period and re.search(r"\b(?:asked for|give (?:them|us)|in|wait|need)\b", lowered):
        follow = _days(period)
    note = re.sub(r"^(?:I|we)\s+", "", body, flags=re.IGNORECASE)
    note = re.sub(r"\s*\b(?:today|yesterday|on 20\d\d-\d\d-\d\d)\b", "", note)
    note = re.sub(r"\s+and\s+(?=(?:they|he|she)\b)", "; ", note, count=1).strip(" ,;")
    note = note[0].upper() + note[1:] if note else note
    return {
        "note": note,
        "kind": kind,
        "on": on,
        "heard_from_payer": heard,
        "follow_up_in_days": follow,
    }


def detect(text: str, find_payers: FindPayers, today: date) -> NegotiationQuestion | None:
    """The negotiation question `text` asks, or None when it is not one."""
    payers = find_payers(text)
    payer = payers[0] if payers else None
    if _LOG.match(text) and payer is not None:
        return NegotiationQuestion("log", payer, log=_log_slots(text, today))
    if _REDLINE.search(text) and payer:
        return NegotiationQuestion("redline", payer)
    if _MARGIN.search(text) and payer:
        return NegotiationQuestion("margin", payer)
    if _CALENDAR.search(text) and not _CONTRACT_LANGUAGE.search(text):
        return NegotiationQuestion("calendar", payer)
    if _DUE.search(text):
        return NegotiationQuestion("due", payer, within_days=_within(text, today))
    if _LAST_HEARD.search(text) and payer:
        return NegotiationQuestion("last_contact", payer)
    if _OFFER.search(text) and payer and not _HYPOTHETICAL.search(text):
        return NegotiationQuestion("offer", payer)
    if _STATUS.search(text):
        return NegotiationQuestion("status", payer)
    return None


def plan(q: NegotiationQuestion) -> tuple[str, dict[str, Any]] | None:
    """The one tool call that answers `q` (None when the payer it needs is missing)."""
    if q.kind == "due":
        return "negotiation_due", {"within_days": q.within_days}
    if q.kind == "status":
        return "negotiation_status", ({"payer": q.payer} if q.payer else {})
    if q.payer is None:
        return None
    if q.kind == "log":
        return "log_contact", {"payer": q.payer, **q.log}
    tool = {
        "last_contact": "last_contact",
        "offer": "latest_offer",
        "calendar": "contract_calendar",
        "redline": "proposal_redline",
        "margin": "code_margins",
    }[q.kind]
    return tool, {"payer": q.payer}


class _Draft:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.citations: list[Cite] = []

    def cite(self, c: Cite) -> str:
        for i, seen in enumerate(self.citations, 1):
            if seen.quote == c.quote and seen.source == c.source:
                return f" [{i}]"
        self.citations.append(c)
        return f" [{len(self.citations)}]"

    def render(self) -> str:
        text = "\n".join(self.lines)
        if not self.citations:
            return text
        rows = [
            f"[{i}] source: {c.source} | page: {c.page if c.page is not None else 'none'}"
            f' | section:  | quote: "{c.quote}"'
            for i, c in enumerate(self.citations, 1)
        ]
        return text + "\n\n<citations>\n" + "\n".join(rows) + "\n</citations>"


def compose(q: NegotiationQuestion, result: Any) -> str:
    """The answer to `q` from its tool's typed result."""
    if isinstance(result, ToolError):
        hint = f" ({result.hint})" if result.hint else ""
        return f"I couldn't answer that: {result.error}{hint}."
    d = _Draft()
    getattr(_Composer, q.kind)(q, result, d)
    return d.render()


_KINDS = {"follow_up": "follow-up", "notice_deadline": "notice deadline", "renewal": "renewal"}


class _Composer:
    @staticmethod
    def due(q: NegotiationQuestion, r: DueReport, d: _Draft) -> None:
        today, until = r.today.isoformat(), r.until.isoformat()
        if not r.due:
            d.lines.append(f"Nothing is due between {today} and {until}.")
            return
        d.lines.append(f"Due by {until} (today is {today}):")
        for i in r.due:
            late = " — overdue" if i.due < r.today else ""
            ref = f" (#{i.id})" if i.id else f" ({i.source})"
            d.lines.append(
                f"- {i.due.isoformat()}{late}: {i.payer} — {_KINDS[i.kind]}: {i.what}{ref}"
            )

    @staticmethod
    def last_contact(q: NegotiationQuestion, r: LastContact, d: _Draft) -> None:
        status = r.status
        heard, last = status.last_heard, status.last_contact
        if heard is None and last is None:
            d.lines.append(f"The log has no contact with {status.payer} yet.")
            return
        if heard is not None:
            d.lines.append(
                f"We last heard from {status.payer} on {heard.on_day.isoformat()} "
                f"({r.days_since_heard} days ago), by {heard.kind}: {heard.note}."
            )
        else:
            d.lines.append(f"The log has nothing from {status.payer} itself yet.")
        if last is not None and (heard is None or last.id != heard.id):
            d.lines.append(
                f"Our last contact was on {last.on_day.isoformat()} ({last.kind}): {last.note}."
            )
        for f in status.open_follow_ups:
            d.lines.append(f"Open follow-up #{f.id}, due {f.due.isoformat()}: {f.what}.")
        d.lines.append(f"Stage: {status.stage}.")

    @staticmethod
    def offer(q: NegotiationQuestion, r: OfferHistory, d: _Draft) -> None:
        status = r.status
        if not status.offers:
            d.lines.append(f"No offer from {status.payer} is recorded yet.")
            return
        latest, clears = status.offers[-1], status.offers_clear_floor[-1]
        d.lines.append(
            f"{status.payer}'s latest offer, received {latest.received_on.isoformat()}: "
            f"{latest.summary}. On your volumes it is worth {money_display(latest.worth)} a year "
            f"against today's {money_display(latest.current)}."
        )
        if clears is not None and status.walk_away is not None:
            verdict = "clears" if clears else "does not clear"
            d.lines.append(f"It {verdict} your walk-away ({status.walk_away.summary}).")
        for o in status.offers[:-1]:
            d.lines.append(
                f"Earlier, on {o.received_on.isoformat()}: {o.summary} — "
                f"{money_display(o.worth)} a year."
            )

    @staticmethod
    def log(q: NegotiationQuestion, r: LoggedContact, d: _Draft) -> None:
        e = r.logged
        d.lines.append(f"Logged a {e.kind} with {e.payer} on {e.on_day.isoformat()}: {e.note}.")
        if r.follow_up:
            f = r.follow_up
            d.lines.append(f"Added follow-up #{f.id}, due {f.due.isoformat()}: {f.what}.")

    @staticmethod
    def calendar(q: NegotiationQuestion, r: Calendars, d: _Draft) -> None:
        if not r.contracts:
            d.lines.append(f"No contract is indexed for {r.payer}, so I can't date its renewal.")
            return
        for c in r.contracts:
            d.lines.append(f"{r.payer} ({c.source}):")
            for e in c.events:
                marks = "".join(d.cite(x) for x in e.citations)
                missed = " (already passed)" if e.missed else ""
                when = "unknown" if e.date is None else e.date.isoformat()
                d.lines.append(f"- {when}{missed}: {e.what}.{marks}")
            for u in c.unknown:
                d.lines.append(f"- Unknown: {u}.")

    @staticmethod
    def status(q: NegotiationQuestion, r: StatusReport, d: _Draft) -> None:
        for p in r.payers:
            parts = [f"{p.payer}: {p.stage}"]
            if p.offers:
                o = p.offers[-1]
                parts.append(
                    f"latest offer {o.received_on.isoformat()} worth {money_display(o.worth)} "
                    "a year"
                )
            if p.last_contact:
                parts.append(f"last contact {p.last_contact.on_day.isoformat()}")
            if p.next_due:
                parts.append(f"next: {p.next_due.what} by {p.next_due.due.isoformat()}")
            d.lines.append("- " + "; ".join(parts) + ".")

    @staticmethod
    def redline(q: NegotiationQuestion, r: Redline, d: _Draft) -> None:
        d.lines.append(
            f"{r.payer}'s proposal ({r.proposal_source}) changes {len(r.changed())} codes, worth "
            f"{money_display(r.total_worth)} a year on your volumes."
        )
        changed = sorted(
            (x for x in r.rows if cents(x.change) != 0),
            key=lambda x: abs(cents(x.worth)),
            reverse=True,
        )[:5]
        for x in changed:
            d.lines.append(
                f"- {x.code}: {money_display(x.old)} → {money_display(x.new)} "
                f"({money_display(x.worth)} a year)"
            )
        for gone in r.dropped:
            d.lines.append(f"- Dropped: {gone.code} (today {money_display(gone.rate)}).")
        for new in r.added:
            d.lines.append(f"- Added: {new.code} at {money_display(new.rate)}.")
        for flag in r.basis_changes:
            d.lines.append(f"- Basis change: {flag}.")

    @staticmethod
    def margin(q: NegotiationQuestion, r: MarginResult, d: _Draft) -> None:
        offered = r.total_margin("offered") if r.offered_label else None
        target = r.total_margin("target") if r.target_label else None
        line = (
            f"{r.payer}: annual margin at current rates {money_display(r.total_margin('current'))}"
        )
        if offered is not None:
            line += f", at the latest offer {money_display(offered)}"
        if target is not None:
            line += f", at our ask {money_display(target)}"
        d.lines.append(line + f" (costs: {r.cost_source}).")
        worst = sorted(r.rows, key=lambda x: cents(x.margin_current * x.units))[:3]
        for x in worst:
            d.lines.append(
                f"- {x.code} costs us {money_display(x.cost)} to deliver; "
                f"{r.payer} pays {money_display(x.current)}."
            )


def respond(messages: Sequence[Any], find_payers: FindPayers, today: date) -> Any | None:
    """The offline model's next message for a negotiation question (a tool call, then the
    answer), or None when the last question is not one."""
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

    humans = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    if not humans:
        return None
    text = str(messages[humans[-1]].content)
    # The app puts the payer in focus on a first line "[payer in focus: X]".
    focus = re.match(r"^\[payer in focus: (?P<payer>[^\]]*)\]\n", text)
    if focus:
        text = text[focus.end() :]
    q = detect(text, find_payers, today)
    if q is not None and q.payer is None and focus:
        q = NegotiationQuestion(q.kind, focus.group("payer"), q.within_days, q.log)
    if q is None:
        return None
    results = [m for m in messages[humans[-1] :] if isinstance(m, ToolMessage)]
    if results:
        last = results[-1]
        result = last.artifact if last.artifact is not None else ToolError(str(last.content))
        return AIMessage(content=compose(q, result))
    call = plan(q)
    if call is None:
        return AIMessage(content="Which payer? Name one, e.g. 'when did we last hear from Aetna?'")
    name, args = call
    return AIMessage(
        content="",
        tool_calls=[{"name": name, "args": args, "id": "call_neg_1", "type": "tool_call"}],
    )
