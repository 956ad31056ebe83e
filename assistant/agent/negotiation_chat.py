"""Negotiation questions in the offline chat: detect one, plan its tool call, compose the answer.

Independent of the offline model's internals: `detect` takes the question, a payer finder and
today; `plan` names the tool call; `compose` writes the answer from the tool's result (figures
and dates only from the result, quotes cited). `respond` adapts the three to LangChain messages
for the current offline model; an intent registry can call detect/plan/compose directly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.rates.money import money_display
from assistant.tool_results import unfence

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
        self.citations: list[dict[str, Any]] = []

    def cite(self, c: dict[str, Any]) -> str:
        quote = unfence(c["quote"])
        for i, seen in enumerate(self.citations, 1):
            if seen["quote"] == quote and seen["source"] == c["source"]:
                return f" [{i}]"
        self.citations.append({"source": c["source"], "page": c.get("page"), "quote": quote})
        return f" [{len(self.citations)}]"

    def render(self) -> str:
        text = "\n".join(self.lines)
        if not self.citations:
            return text
        rows = [
            f"[{i}] source: {c['source']} | page: {c['page'] if c['page'] is not None else 'none'}"
            f' | section:  | quote: "{c["quote"]}"'
            for i, c in enumerate(self.citations, 1)
        ]
        return text + "\n\n<citations>\n" + "\n".join(rows) + "\n</citations>"


def compose(q: NegotiationQuestion, result: Any) -> str:
    """The answer to `q` from its tool's result."""
    if isinstance(result, dict) and "error" in result:
        hint = f" ({result['hint']})" if result.get("hint") else ""
        return f"I couldn't answer that: {result['error']}{hint}."
    d = _Draft()
    getattr(_Composer, q.kind)(q, result, d)
    return d.render()


class _Composer:
    @staticmethod
    def due(q: NegotiationQuestion, r: dict[str, Any], d: _Draft) -> None:
        items = r["due"]
        if not items:
            d.lines.append(f"Nothing is due between {r['today']} and {r['until']}.")
            return
        d.lines.append(f"Due by {r['until']} (today is {r['today']}):")
        for i in items:
            late = " — overdue" if i["due"] < r["today"] else ""
            kind = {
                "follow_up": "follow-up",
                "notice_deadline": "notice deadline",
                "renewal": "renewal",
            }[i["kind"]]
            ref = f" (#{i['id']})" if i.get("id") else f" ({i['source']})"
            d.lines.append(f"- {i['due']}{late}: {i['payer']} — {kind}: {i['what']}{ref}")

    @staticmethod
    def last_contact(q: NegotiationQuestion, r: dict[str, Any], d: _Draft) -> None:
        heard, last = r["last_heard_from_payer"], r["last_contact"]
        if heard is None and last is None:
            d.lines.append(f"The log has no contact with {r['payer']} yet.")
            return
        if heard is not None:
            days = r["days_since_heard_from_payer"]
            d.lines.append(
                f"We last heard from {r['payer']} on {heard['date']} ({days} days ago), by "
                f"{heard['kind']}: {heard['note']}."
            )
        else:
            d.lines.append(f"The log has nothing from {r['payer']} itself yet.")
        if last is not None and (heard is None or last["id"] != heard["id"]):
            d.lines.append(
                f"Our last contact was on {last['date']} ({last['kind']}): {last['note']}."
            )
        for f in r["open_follow_ups"]:
            d.lines.append(f"Open follow-up #{f['id']}, due {f['due']}: {f['what']}.")
        d.lines.append(f"Stage: {r['stage']}.")

    @staticmethod
    def offer(q: NegotiationQuestion, r: dict[str, Any], d: _Draft) -> None:
        latest = r["latest"]
        if latest is None:
            d.lines.append(f"No offer from {r['payer']} is recorded yet.")
            return
        d.lines.append(
            f"{r['payer']}'s latest offer, received {latest['date']}: {latest['summary']}. On your "
            f"volumes it is worth {money_display(latest['worth'])} a year against today's "
            f"{money_display(latest['current_revenue'])}."
        )
        if latest.get("clears_walk_away") is not None:
            verdict = "clears" if latest["clears_walk_away"] else "does not clear"
            d.lines.append(f"It {verdict} your walk-away ({r['walk_away']['summary']}).")
        earlier = r["offers"][:-1]
        for o in earlier:
            d.lines.append(
                f"Earlier, on {o['date']}: {o['summary']} — {money_display(o['worth'])} a year."
            )

    @staticmethod
    def log(q: NegotiationQuestion, r: dict[str, Any], d: _Draft) -> None:
        e = r["logged"]
        d.lines.append(f"Logged a {e['kind']} with {e['payer']} on {e['date']}: {e['note']}.")
        if r["follow_up"]:
            f = r["follow_up"]
            d.lines.append(f"Added follow-up #{f['id']}, due {f['due']}: {f['what']}.")

    @staticmethod
    def calendar(q: NegotiationQuestion, r: dict[str, Any], d: _Draft) -> None:
        if not r["contracts"]:
            d.lines.append(f"No contract is indexed for {r['payer']}, so I can't date its renewal.")
            return
        for c in r["contracts"]:
            d.lines.append(f"{r['payer']} ({c['source']}):")
            for e in c["events"]:
                marks = "".join(d.cite(x) for x in e["citations"])
                missed = " (already passed)" if e["missed"] else ""
                d.lines.append(f"- {e['date']}{missed}: {e['what']}.{marks}")
            for u in c["unknown"]:
                d.lines.append(f"- Unknown: {u}.")

    @staticmethod
    def status(q: NegotiationQuestion, r: dict[str, Any], d: _Draft) -> None:
        for p in r["payers"]:
            parts = [f"{p['payer']}: {p['stage']}"]
            if p["offers"]:
                o = p["offers"][-1]
                parts.append(f"latest offer {o['date']} worth {money_display(o['worth'])} a year")
            if p["last_contact"]:
                parts.append(f"last contact {p['last_contact']['date']}")
            if p["next_due"]:
                parts.append(f"next: {p['next_due']['what']} by {p['next_due']['due']}")
            d.lines.append("- " + "; ".join(parts) + ".")

    @staticmethod
    def redline(q: NegotiationQuestion, r: dict[str, Any], d: _Draft) -> None:
        d.lines.append(
            f"{r['payer']}'s proposal ({r['proposal']}) changes {r['codes_changed']} codes, worth "
            f"{money_display(r['total_worth'])} a year on your volumes."
        )
        changed = sorted(
            (x for x in r["rows"] if x["change"] != "0.00"),
            key=lambda x: abs(float(x["worth"])),
            reverse=True,
        )[:5]
        for x in changed:
            d.lines.append(
                f"- {x['code']}: {money_display(x['old'])} → {money_display(x['new'])} "
                f"({money_display(x['worth'])} a year)"
            )
        for x in r["dropped"]:
            d.lines.append(f"- Dropped: {x['code']} (today {money_display(x['rate'])}).")
        for x in r["added"]:
            d.lines.append(f"- Added: {x['code']} at {money_display(x['rate'])}.")
        for flag in r["basis_changes"]:
            d.lines.append(f"- Basis change: {flag}.")

    @staticmethod
    def margin(q: NegotiationQuestion, r: dict[str, Any], d: _Draft) -> None:
        totals = r["annual_margin"]
        line = f"{r['payer']}: annual margin at current rates {money_display(totals['current'])}"
        if totals.get("offered"):
            line += f", at the latest offer {money_display(totals['offered'])}"
        if totals.get("target"):
            line += f", at our ask {money_display(totals['target'])}"
        d.lines.append(line + f" (costs: {r['cost_source']}).")
        worst = sorted(r["rows"], key=lambda x: float(x["annual_margin_current"]))[:3]
        for x in worst:
            d.lines.append(
                f"- {x['code']} costs us {money_display(x['cost'])} to deliver; "
                f"{r['payer']} pays {money_display(x['current_rate'])}."
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
        try:
            result = json.loads(str(results[-1].content))
        except json.JSONDecodeError:
            result = {"error": str(results[-1].content)}
        return AIMessage(content=compose(q, result))
    call = plan(q)
    if call is None:
        return AIMessage(content="Which payer? Name one, e.g. 'when did we last hear from Aetna?'")
    name, args = call
    return AIMessage(
        content="",
        tool_calls=[{"name": name, "args": args, "id": "call_neg_1", "type": "tool_call"}],
    )
