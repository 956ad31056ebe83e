"""The built-in offline model: a deterministic chat model that plans tool calls and composes
answers from their results with the templates in prompts/offline_answers.yaml.

A question is routed by meaning (assistant/agent/router.py over prompts/intents.yaml) and its
slots read by rules (assistant/agent/intents.py). Another module adds an intent without editing
this file::

    from assistant.agent.intents import IntentSpec, register_intent
    from assistant.agent.offline import Call, Draft, OfflineChatModel

    def plan(model: OfflineChatModel, q: Question, results: list[tuple[str, dict, Any]]):
        return [] if results else [Call("due_items", {"payer": q.payer})]

    def compose(model: OfflineChatModel, q: Question, by_name: dict[str, Any], d: Draft):
        d.lines.append(...)  # from by_name["due_items"]

    register_intent(IntentSpec("due_items", ("what's due with Aetna", ...), plan, compose,
                               describe="what is due with {payer}"))

The module that registers must be imported before the first question (e.g. by the command
module that defines its tools); its tools must be in `make_tools`' list for the agent to run them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from assistant.agent.intents import (
    CONTRACT_INTENTS,
    PayerDirectory,
    Question,
    is_follow_up,
    read_question,
    registered_intent,
    resolve_follow_up,
    term_phrase,
)
from assistant.agent.relevance import (
    Scored,
    answering,
    attachment_label,
    in_program,
    in_program_first,
    ranked_sentences,
    topic_of,
)
from assistant.agent.tools import TERMS
from assistant.rates.models import units_number
from assistant.rates.money import cents, money_text, pct_number
from assistant.resources import prompts_dir
from assistant.safety import addresses_assistant
from assistant.tool_results import (
    RateGap,
    ReasonCodes,
    Review,
    Search,
    TermDocument,
    TermReading,
    TermValue,
    ToolError,
    describe_proposal,
    unfence,
)

if TYPE_CHECKING:
    from assistant.rates.models import (
        GapResult,
        PayerComparison,
        ProposalResult,
        SolveResult,
        TopCodesResult,
        WalkAwayResult,
    )
    from assistant.remits.analysis import DenialReport, UnderpaymentReport
    from assistant.reports.talking_points import TalkingPoints
    from assistant.retrieval.search import SearchHit
    from assistant.review.models import Citation as ReviewCitation

OFFLINE_NAME = "offline"
FOCUS_PREFIX = "[payer in focus: "
ABSTAIN_BELOW = 0.3
"""Best cosine similarity under which a search found nothing relevant (off-topic questions
score under 0.21 on the demo)."""
ABSENT_SHARE = 0.5
"""Share of a question's topic words missing from every document of the payer from which the
documents do not address it (tune questions: unanswerable ones 0.5-1, answerable ones 0-0.34;
a missing word in the top passages alone is no evidence, in the whole contract it is)."""
NEARER_BY = 0.05
"""How much nearer the question a searched sentence must be than the cited clauses to be added."""
RATE_INTENTS = frozenset(
    {"gap", "proposal", "solve", "walk_away", "top_codes", "talking_points", "underpayments"}
)
TOP_CODES = 10
GROUP_NAMES = {
    "office-em": "office E/M (99202-99215)",
    "em": "E/M (99202-99499)",
    "preventive": "preventive visits (99381-99429)",
}
PROMPTS_DIR = prompts_dir()


@cache
def templates() -> dict[str, str]:
    """The offline model's answer templates."""
    import yaml

    data = yaml.safe_load((PROMPTS_DIR / "offline_answers.yaml").read_text(encoding="utf-8"))
    return {k: " ".join(str(v).split()) for k, v in data.items()}


def say(key: str, **values: Any) -> str:
    return templates()[key].format(**values)


def money(amount: Decimal | None) -> str:
    """1234.5 -> '1,234.50' (the $ is in the template): rounded to the cent as the tool's JSON
    rounds it, so the figure is the one a model would read."""
    return "—" if amount is None else f"{cents(amount):,.2f}"


def pct(value: Decimal | float | int | None) -> str:
    """A percent with at most two decimals, rounded as the tool's JSON rounds it."""
    if value is None:
        return "—"
    shown = pct_number(value) if isinstance(value, Decimal) else value
    return f"{Decimal(str(shown)):,.2f}".rstrip("0").rstrip(".")


def with_focus(question: str, payer: str | None) -> str:
    """The user message the agent gets: the question, after the payer the user has in focus."""
    return f"{FOCUS_PREFIX}{payer}]\n{question}" if payer else question


def split_focus(content: str) -> tuple[str | None, str]:
    if content.startswith(FOCUS_PREFIX) and "]\n" in content:
        head, question = content.split("]\n", 1)
        return head[len(FOCUS_PREFIX) :], question
    return None, content


@dataclass(frozen=True)
class Passage:
    """Text a question's words are looked for in, like a search hit's (a clause already cited)."""

    text: str


@dataclass(frozen=True)
class Call:
    name: str
    args: dict[str, Any]


@dataclass
class Draft:
    """An answer being composed: sentences with [n] markers and the citations they point at."""

    lines: list[str]
    citations: list[dict[str, Any]]

    def cite(self, citation: dict[str, Any]) -> int:
        for i, existing in enumerate(self.citations, 1):
            if existing["quote"] == citation["quote"] and existing["source"] == citation["source"]:
                return i
        self.citations.append(citation)
        return len(self.citations)

    def render(self) -> str:
        text = "\n".join(line for line in self.lines if line)
        if not self.citations:
            return text
        rows = [
            f"[{i}] source: {c['source']} | page: {c['page'] if c['page'] is not None else 'none'}"
            f' | section: {c.get("section") or ""} | quote: "{c["quote"]}"'
            for i, c in enumerate(self.citations, 1)
        ]
        return text + "\n\n<citations>\n" + "\n".join(rows) + "\n</citations>"


class OfflineChatModel(BaseChatModel):
    """Plans tool calls from the question (intent and slots) and answers from the results."""

    payer_source: Callable[[], PayerDirectory]
    contract_payers: Callable[[], list[str]]
    page_finder: Callable[[str, str, int | None, int | None], int | None]
    """Which page of a chunk's span holds a quote (chunks may cross a page break)."""
    today: date | None = None
    rate_payers: Callable[[], list[str]] | None = None
    """Payers with fee schedules; None when every payer has rates (tests without a workspace)."""
    vocabulary: Callable[[str | None], frozenset[str]] | None = None
    """The words of a payer's documents (guidance included; all documents for None)."""
    sentence_scorer: Callable[[str, list[str]], list[float]] | None = None
    """Cosine similarity of a question to candidate sentences (the shipped embedder)."""
    page_scope: Callable[[str, int | None], str | None] | None = None
    """The attachment a page of a document sits in ("Medicaid Attachment"; "agreement" for the
    main body), as the checklist review reads it."""

    @property
    def _llm_type(self) -> str:
        return "payer-assistant-offline"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> OfflineChatModel:  # type: ignore[override]
        # The plan names our tools directly; there is no schema to hand over.
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        message = self.respond(messages)
        return ChatResult(generations=[ChatGeneration(message=message)])

    # Reading the conversation ----------------------------------------------------------------

    def read(self, messages: Sequence[BaseMessage]) -> Question:
        """The question of the last human message as the model reads it: intent and slots,
        with a follow-up's borrowed slots (benchmarks score the route this way)."""
        return self._question(messages)

    def _question(self, messages: Sequence[BaseMessage]) -> Question:
        directory = self.payer_source()
        today = self.today or date.today()
        humans = [m for m in messages if isinstance(m, HumanMessage)]
        previous: Question | None = None
        question: Question | None = None
        # Each turn read in order, so that a chain of follow-ups keeps every slot changed.
        for human in humans:
            focus, text = split_focus(str(human.content))
            question = read_question(text, directory, today)
            if previous is not None and is_follow_up(question):
                question = resolve_follow_up(question, previous)
            if not question.payers and focus and not question.all_payers:
                question = replace(question, payers=(focus,))
            if question.intent not in ("out_of_scope", "help", "ask_back"):
                previous = question
        assert question is not None
        return self._redirect(question)

    def _redirect(self, q: Question) -> Question:
        """A rate question about a payer that has a contract but no rates asks the contract."""
        if self.rate_payers is None or q.intent not in RATE_INTENTS or q.payer is None:
            return q
        if q.payer in self.rate_payers() or q.payer not in self.contract_payers():
            return q
        return replace(q, intent="contract_term" if q.term else "contract_search")

    @staticmethod
    def _results(messages: Sequence[BaseMessage]) -> list[tuple[str, dict[str, Any], Any]]:
        """(tool name, args, typed result) of this turn's tool calls, in order: the result is
        the ToolMessage's artifact (a ToolError when the tool failed outside our own errors)."""
        start = max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage))
        args: dict[str, tuple[str, dict[str, Any]]] = {}
        out = []
        for m in messages[start:]:
            if isinstance(m, AIMessage):
                for tc in m.tool_calls:
                    args[str(tc["id"])] = (tc["name"], dict(tc["args"]))
            elif isinstance(m, ToolMessage):
                name, call_args = args.get(m.tool_call_id, (m.name or "", {}))
                result = m.artifact if m.artifact is not None else ToolError(str(m.content))
                out.append((name, call_args, result))
        return out

    def respond(self, messages: Sequence[BaseMessage]) -> AIMessage:
        from assistant.agent import negotiation_chat

        found = negotiation_chat.respond(
            messages, self.payer_source().find, self.today or date.today()
        )
        if found is not None:
            return found  # type: ignore[no-any-return]
        question = self._question(messages)
        results = self._results(messages)
        calls = self.plan(question, results)
        if calls:
            done = sum(1 for m in messages if isinstance(m, ToolMessage))
            return AIMessage(
                content="",
                tool_calls=[
                    {"name": c.name, "args": c.args, "id": f"call_{done + i}", "type": "tool_call"}
                    for i, c in enumerate(calls, 1)
                ],
            )
        return AIMessage(content=self.compose(question, results))

    # Planning --------------------------------------------------------------------------------

    def plan(self, q: Question, results: list[tuple[str, dict[str, Any], Any]]) -> list[Call]:
        """The next tool calls, or [] when the results are enough to answer."""
        made = {name for name, _, _ in results}
        if any(isinstance(r, ToolError) for _, _, r in results):
            return []
        payer = q.payer
        intent = q.intent
        if intent in ("out_of_scope", "help", "ask_back"):
            return []
        spec = registered_intent(intent)
        if spec is not None:
            return list(spec.plan(self, q, results))
        if intent == "compare_terms":
            payers = list(q.payers) if len(q.payers) >= 2 else self.contract_payers()
            asked = {a.get("payer") for name, a, _ in results if name == "find_contract_term"}
            return [
                Call("find_contract_term", {"term": q.term, "payer": p})
                for p in payers
                if p not in asked
            ]
        if intent == "review":
            payer = payer or self._only_contract_payer()
            if payer is None or made:
                return []
            return [Call("review_contract", {"payer": payer})]
        if intent == "denial_code":
            if made or not q.reason_codes:
                return []
            return [Call("explain_reason_code", {"code": c}) for c in q.reason_codes[:3]]
        if intent == "denials":
            if made:
                return []
            denial_args: dict[str, Any] = {"payer": payer} if payer else {}
            if q.period:
                denial_args["since"] = q.period[0].isoformat()
            return [Call("denials", denial_args)]
        if intent == "contract_term":
            if payer is None:
                payer = self._only_contract_payer()
                if payer is None:
                    return []
            if "find_contract_term" not in made:
                return [Call("find_contract_term", {"term": q.term, "payer": payer})]
            documents = results[0][2].documents
            found = any(d.values for d in documents)
            # No value, or values whose clauses leave part of the question unsaid ("interest"
            # when the prompt-pay clause gives only days): search for the passage that says it.
            if "search_contracts" not in made and (not found or self._uncited(q, documents)):
                return [Call("search_contracts", {"query": q.text, "payer": payer})]
            return []
        if intent == "contract_search":
            if made:
                return []
            search_args: dict[str, Any] = {"query": q.text}
            if payer:
                search_args["payer"] = payer
            return [Call("search_contracts", search_args)]
        if made:
            return []
        if intent == "top_codes":
            return [Call("top_codes", {"payer": payer, "limit": TOP_CODES})]
        if intent == "compare":
            compare_args: dict[str, Any] = {"codes": ",".join(q.codes) or q.code_group}
            if len(q.payers) >= 2:
                compare_args["payers"] = list(q.payers)
            return [Call("compare_payers", compare_args)]
        if payer is None:
            return []
        if intent == "gap":
            return [
                Call("top_codes", {"payer": payer, "limit": TOP_CODES}),
                Call("rate_gap", {"payer": payer, "benchmark": q.benchmark}),
            ]
        if intent == "proposal":
            if not q.percents:
                return []
            return [
                Call("model_proposal", {"payer": payer, **_offer_args(q)}),
                Call("rate_gap", {"payer": payer, "benchmark": "medicare"}),
            ]
        if intent == "solve":
            solve_args: dict[str, Any] = {"payer": payer}
            if q.dollars:
                solve_args["target_revenue"] = float(q.dollars[0])
            elif q.percents:
                solve_args["increase_pct"] = float(q.percents[0])
            if re.search(r"\bof medicare\b", q.text, re.I):
                solve_args["basis"] = "medicare"
            return [Call("solve_target", solve_args)]
        if intent == "walk_away":
            if not q.percents:
                return []
            floor, offer = _floor_and_offer(q.text)
            if offer is None:
                return []
            return [
                Call(
                    "walk_away",
                    {
                        "payer": payer,
                        **_offer_args(Question(**{**q.__dict__, "percents": (offer,)})),
                        "min_pct_of_medicare": float(floor) if floor is not None else 100.0,
                    },
                )
            ]
        if intent == "underpayments":
            args = {"payer": payer}
            if q.period:
                args["since"], args["until"] = q.period[0].isoformat(), q.period[1].isoformat()
            return [Call("underpayments", args)]
        if intent == "talking_points":
            args = {"payer": payer}
            if q.percents:
                args["offer"] = _offer_spec(q)
            return [Call("draft_talking_points", args)]
        return []

    def _name_words(self, q: Question) -> set[str]:
        names = [*q.payers, *self.payer_source().names]
        return {w for name in names for w in re.findall(r"[a-z0-9]+", name.lower())}

    def _uncited(self, q: Question, documents: Sequence[TermDocument]) -> list[str]:
        """Topic words of the question that neither its words naming the term ("timely
        filing") nor the term's readings nor the clauses the answer cites contain."""
        said = [term_phrase(q.text, q.term or "")] + [
            text
            for doc in documents
            for value in doc.values[:4]
            for text in (value.reading or "", value.citations[0].quote)
        ]
        return unaddressed_words(q.text, [Passage(t) for t in said], self._name_words(q))

    def _only_contract_payer(self) -> str | None:
        payers = self.contract_payers()
        return payers[0] if len(payers) == 1 else None

    # Composing -------------------------------------------------------------------------------

    def compose(self, q: Question, results: list[tuple[str, dict[str, Any], Any]]) -> str:
        draft = Draft([], [])
        errors = [
            r
            for name, _, r in results
            if isinstance(r, ToolError) and not _auxiliary(q, name, results)
        ]
        if q.intent == "out_of_scope":
            return say("declined")
        known = ", ".join(sorted(set(self.payer_source().names.values())))
        if q.intent == "help":
            return say("help", payers=known or "none yet")
        if q.intent == "ask_back":
            first, second = (self._describe(q, intent) for intent in q.alternatives[:2])
            return say("ask_back", first=first, second=second)
        if q.intent == "compare_terms" and len(errors) < len(results):
            errors = []
        if errors:
            if q.intent in ("underpayments", "denials") and (
                "remittances" in errors[0].error.lower()
            ):
                return say("no_remits", payer=q.payer or "your payers")
            hint = f" ({errors[0].hint})" if errors[0].hint else ""
            return say("tool_error", error=errors[0].error, hint=hint)
        if not results:
            if q.intent in ("proposal", "walk_away") and q.payer:
                return say("need_offer", payer=q.payer)
            if q.intent == "denial_code":
                return say("need_reason_code")
            if q.intent in CONTRACT_INTENTS:
                known = ", ".join(self.contract_payers()) or known
            return say("need_payer", payers=known or "none yet")
        by_name = {name: result for name, _, result in results}
        spec = registered_intent(q.intent)
        if spec is not None:
            spec.compose(self, q, by_name, draft)
        elif q.intent == "compare_terms":
            self._compose_compare_terms(q, results, draft)
        else:
            getattr(self, f"_compose_{q.intent}")(q, by_name, draft)
        return draft.render()

    def _describe(self, q: Question, intent: str) -> str:
        """A reading named for the ask-back ("what Aetna's 3% offer is worth")."""
        spec = registered_intent(intent)
        template = spec.describe if spec is not None else templates().get(f"reading_{intent}", "")
        payer = q.payer or "the payer"
        offer = f"{pct(q.percents[0])}% " if q.percents else ""
        return (template or intent.replace("_", " ")).format(payer=payer, offer=offer)

    def _term_values(
        self, q: Question, documents: Sequence[TermDocument]
    ) -> list[tuple[TermDocument, TermValue]]:
        """The values of a term's documents, only the asked program's when it has any."""
        stated = [(doc, v) for doc in documents for v in doc.values]
        if q.program:
            program = q.program
            own = [(d, v) for d, v in stated if in_program(v.scope, program)]
            return own or stated
        return stated

    def _compose_compare_terms(
        self, q: Question, results: list[tuple[str, dict[str, Any], Any]], d: Draft
    ) -> None:
        term = q.term or next(
            (a.get("term") for n, a, _ in results if n == "find_contract_term"), None
        )
        d.lines.append(say("compare_terms_intro", term_name=TERMS.get(term or "", "").lower()))
        measured: list[tuple[Decimal, str, str]] = []
        for name, args, found in results:
            if name != "find_contract_term":
                continue
            if isinstance(found, ToolError):
                d.lines.append(say("compare_terms_none", payer=args["payer"], why=found.error))
                continue
            stated = self._term_values(q, found.documents)
            if not stated:
                d.lines.append(say("compare_terms_none", payer=found.payer, why="not stated"))
                continue
            readings = []
            for _doc, value in stated[:3]:
                readings.append(self._reading(value, d))
                measured += _measure(found.payer, value)
            d.lines.append(
                say("compare_terms_row", payer=found.payer, readings="; ".join(readings))
            )
        extreme = _extreme(q.text, measured)
        if extreme:
            d.lines.append(extreme)

    def _reading(self, value: TermValue, d: Draft) -> str:
        first = value.citations[0]
        n = d.cite(_citation(first))
        scope = value.scope
        scope_text = f" ({scope})" if scope and scope.lower() not in ("agreement", "") else ""
        reading = value.reading or _excerpt(first.quote)
        return say("term_reading", reading=reading, scope=scope_text, n=n)

    def _compose_review(self, q: Question, r: dict[str, Any], d: Draft) -> None:
        review: Review = r["review_contract"]
        for doc in review.documents:
            flags = doc.red_flags
            d.lines.append(
                say("review_intro", payer=review.payer, source=doc.source, count=len(flags))
            )
            for item in flags[:8]:
                markers = "".join(f" [{d.cite(_citation(c))}]" for c in item.citations[:1])
                d.lines.append(
                    say(
                        "review_row",
                        name=item.name,
                        flag=item.flags[0] if item.flags else "",
                        ask=item.ask,
                        markers=markers,
                    )
                )
            if doc.absent:
                d.lines.append(say("review_absent", items=", ".join(doc.absent[:6])))

    def _compose_denials(self, q: Question, r: dict[str, Any], d: Draft) -> None:
        report: DenialReport = r["denials"]
        for row in report.payers:
            rate = row.line_denial_rate.quantize(Decimal("0.0001"), ROUND_HALF_UP)
            d.lines.append(
                say(
                    "denials_payer",
                    payer=row.payer,
                    rate=pct(rate * 100),
                    denied=row.denied_lines,
                    lines=row.lines,
                    charges=money(row.denied_charges),
                )
            )
        reasons = sorted(report.reasons, key=lambda x: -cents(x.amount))[:5]
        for reason in reasons:
            d.lines.append(
                say(
                    "denials_reason",
                    payer=reason.payer,
                    code=f"{reason.group}-{reason.reason}",
                    meaning=reason.meaning,
                    amount=money(reason.amount),
                )
            )

    def _compose_denial_code(self, q: Question, r: dict[str, Any], d: Draft) -> None:
        result: ReasonCodes = r["explain_reason_code"]
        for item in result.codes:
            d.lines.append(say("reason_code", code=item.code, meaning=item.meaning))

    def _compose_contract_term(self, q: Question, r: dict[str, Any], d: Draft) -> None:
        found: TermReading = r["find_contract_term"]
        term_name = TERMS[found.term]
        stated = self._term_values(q, found.documents)
        if not stated:
            self._compose_contract_search(q, r, d)
            return
        readings = [self._reading(value, d) for _doc, value in stated[:4]]
        d.lines.append(
            say(
                "term_found",
                payer=found.payer,
                term_name=term_name.lower(),
                readings="; ".join(readings),
            )
        )
        flags = [f for doc in found.documents for f in doc.red_flags]
        if flags:
            d.lines.append(say("term_red_flag", flag=flags[0]))
        if r.get("search_contracts"):
            self._compose_term_related(q, r, d)

    def _compose_term_related(self, q: Question, r: dict[str, Any], d: Draft) -> None:
        """The passage saying what the term's clauses leave unsaid, if one above the bar does."""
        search = r["search_contracts"]
        if isinstance(search, ToolError):
            return
        if self.sentence_scorer is not None:
            self._add_nearer_sentence(q, search, d)
            return
        missing = self._uncited(q, r["find_contract_term"].documents)
        ignore = self._name_words(q)
        if (
            not missing
            or search.relevance < ABSTAIN_BELOW
            or unaddressed_words(q.text, search.hits, ignore)
        ):
            return
        cited = {c["quote"] for c in d.citations}
        for sentence, hit in best_sentences(q.text, search.hits[:3], ignore, limit=6):
            section, quote = split_heading(sentence, sentence_section(hit, sentence))
            unsaid = unaddressed_words(" ".join(missing), [Passage(quote)], set())
            repeats = any(c in quote or quote in c for c in cited)
            if repeats or len(unsaid) == len(missing):
                continue
            page = self.page_finder(hit.doc_id, quote, hit.page, hit.page_end)
            n = d.cite({"source": hit.source, "page": page, "section": section, "quote": quote})
            where = _where({"page": page, "section": section})
            d.lines.append(say("term_related", source=hit.source, where=where, quote=quote, n=n))
            return

    def _add_nearer_sentence(self, q: Question, search: Search, d: Draft) -> None:
        """The sentence of the search nearest the question, when it is nearer than every clause
        the answer already cites (it then says what those leave unsaid)."""
        assert self.sentence_scorer is not None
        if search.relevance < ABSTAIN_BELOW or not d.citations:
            return
        picked = self._answering_sentences(q, search.hits[:3], limit=1)
        if not picked:
            return
        sentence, hit = picked[0]
        section, quote = split_heading(sentence, sentence_section(hit, sentence))
        cited = [c["quote"] for c in d.citations]
        if any(quote in c or c in quote for c in cited):
            return
        scores = self.sentence_scorer(q.text, [quote, *(_sentences(" ".join(cited)) or cited)])
        if scores[0] <= max(scores[1:]) + NEARER_BY:
            return
        page = self.page_finder(hit.doc_id, quote, hit.page, hit.page_end)
        n = d.cite({"source": hit.source, "page": page, "section": section, "quote": quote})
        where = _where({"page": page, "section": section})
        d.lines.append(say("term_related", source=hit.source, where=where, quote=quote, n=n))

    def _compose_contract_search(self, q: Question, r: dict[str, Any], d: Draft) -> None:
        search = r.get("search_contracts")
        scope = f"{q.payer}'s documents" if q.payer else "the indexed contracts"
        ignore = self._name_words(q)
        picked: list[tuple[str, SearchHit]] = []
        if search and search.relevance >= ABSTAIN_BELOW:
            if self.sentence_scorer is not None and not self._off_the_documents(q):
                picked = self._answering_sentences(q, search.hits[:3])
            elif not unaddressed_words(q.text, search.hits, ignore):
                picked = best_sentences(q.text, search.hits[:3], ignore)
        if not picked:
            d.lines.append(say("not_addressed", scope=scope))
            return
        for quote, hit in picked:
            section, quote = split_heading(quote, hit.section)
            page = self.page_finder(hit.doc_id, quote, hit.page, hit.page_end)
            n = d.cite({"source": hit.source, "page": page, "section": section, "quote": quote})
            attachment = self.page_scope(hit.doc_id, page) if self.page_scope else None
            d.lines.append(
                say(
                    "search_found",
                    source=hit.source,
                    where=_where({"page": page, "section": section}) + attachment_label(attachment),
                    quote=quote,
                    n=n,
                )
            )

    def _off_the_documents(self, q: Question) -> bool:
        """Whether at least ABSENT_SHARE of the question's topic words occur nowhere in the
        payer's documents in any form ("parking", "dental implants", "telehealth parity")."""
        if self.vocabulary is None:
            return False
        ignore = self._name_words(q)
        words = [
            w
            for w in re.findall(r"[a-z]+", q.text.lower())
            if len(w) >= 4 and w not in _STOP and w not in _FILLER and w not in ignore
        ]
        if not words:
            return False
        vocabulary = self.vocabulary(q.payer)
        absent = [w for w in words if not any(t.startswith(_root(w)) for t in vocabulary)]
        return len(absent) / len(words) >= ABSENT_SHARE

    def _answering_sentences(
        self, q: Question, hits: Sequence[SearchHit], limit: int = 2
    ) -> list[tuple[str, SearchHit]]:
        """The one or two sentences of the hits nearest in meaning to the question; none when
        nothing fits (see assistant.agent.relevance)."""
        picked = answering(self.scored_sentences(q, hits), limit)
        return [(s.sentence, s.hit) for s in picked]

    def scored_sentences(self, q: Question, hits: Sequence[SearchHit]) -> list[Scored]:
        """The quotable sentences of the hits, nearest the question's topic first."""
        assert self.sentence_scorer is not None
        candidates = [(sentence, hit) for hit in hits for sentence in _sentences(unfence(hit.text))]
        topic = topic_of(q.text, self._name_words(q))
        ranked = ranked_sentences(topic, candidates, self.sentence_scorer)
        if q.program and self.page_scope is not None:
            scope = self.page_scope
            ranked = in_program_first(ranked, q.program, lambda h: scope(h.doc_id, h.page))
        return ranked

    def _compose_gap(self, q: Question, r: dict[str, Any], d: Draft) -> None:
        gap: GapResult = r["rate_gap"].result
        top: TopCodesResult = r["top_codes"]
        bench = _bench_label(gap.benchmark)
        if q.codes:
            self._compose_gap_codes(q, gap, d)
            return
        wanted = [row.code for row in top.rows]
        rows = {row.code: row for row in gap.rows if not row.modifier}
        ranked = sorted(
            (rows[c] for c in wanted if c in rows), key=lambda row: -cents(row.annual_gap)
        )
        below = [row for row in ranked if cents(row.annual_gap) > 0]
        if below:
            worst = below[0]
            d.lines.append(
                say(
                    "gap_worst",
                    payer=gap.payer,
                    count=len(wanted),
                    code=worst.code,
                    benchmark=bench,
                    rate=money(worst.rate),
                    benchmark_rate=money(worst.benchmark_rate),
                    pct=pct(worst.pct_of_benchmark),
                    gap_per_unit=money(worst.gap_per_unit),
                    annual_gap=money(worst.annual_gap),
                    units=units_number(worst.units),
                )
            )
            if len(below) > 1:
                items = [
                    say(
                        "gap_next_item",
                        code=row.code,
                        annual_gap=money(row.annual_gap),
                        pct=pct(row.pct_of_benchmark),
                        benchmark=bench,
                    )
                    for row in below[1:3]
                ]
                d.lines.append(say("gap_next", items="; ".join(items)))
        else:
            d.lines.append(
                say("gap_none_below", payer=gap.payer, count=len(wanted), benchmark=bench)
            )
        d.lines.append(_gap_total(gap))

    def _compose_gap_codes(self, q: Question, gap: GapResult, d: Draft) -> None:
        """The codes the question names, each against the benchmark, then the total."""
        bench = _bench_label(gap.benchmark)
        rows = {row.code: row for row in gap.rows if not row.modifier}
        for code in q.codes:
            row = rows.get(code)
            if row is None:
                d.lines.append(say("gap_code_missing", payer=gap.payer, code=code, benchmark=bench))
                continue
            d.lines.append(
                say(
                    "gap_code",
                    payer=gap.payer,
                    code=code,
                    direction=_less_or_more(row.gap_per_unit),
                    benchmark=bench,
                    rate=money(row.rate),
                    benchmark_rate=money(row.benchmark_rate),
                    pct=pct(row.pct_of_benchmark),
                    gap_per_unit=money(abs(row.gap_per_unit)),
                    annual_gap=money(abs(row.annual_gap)),
                    units=units_number(row.units),
                )
            )
        d.lines.append(_gap_total(gap))

    def _compose_top_codes(self, q: Question, r: dict[str, Any], d: Draft) -> None:
        top: TopCodesResult = r["top_codes"]
        d.lines.append(
            say(
                "top_codes_intro",
                who=f"{top.payer}'s" if top.payer else "All payers'",
                count=len(top.rows),
                total_revenue=money(top.total_revenue),
            )
        )
        for row in top.rows:
            d.lines.append(
                say(
                    "top_codes_row",
                    code=row.code + (f"-{row.modifier}" if row.modifier else ""),
                    units=units_number(row.units),
                    revenue=money(row.revenue),
                    share=pct(top.share(row)),
                )
            )

    def _compose_compare(self, q: Question, r: dict[str, Any], d: Draft) -> None:
        cmp: PayerComparison = r["compare_payers"]
        bench = _bench_label(cmp.benchmark or "medicare")
        basket = {p: v for p in cmp.payers if (v := pct_number(cmp.basket_pct(p))) is not None}
        scope = ", ".join(q.codes) or GROUP_NAMES.get(q.code_group or "", "every code they price")
        d.lines.append(say("compare_intro", benchmark=bench, scope=scope))
        ordered = sorted(basket.items(), key=lambda kv: -kv[1])
        for payer, value in ordered:
            d.lines.append(say("compare_row", payer=payer, pct=pct(value)))
        if len(ordered) >= 2:
            d.lines.append(
                say("compare_best", best=ordered[0][0], worst=ordered[-1][0], benchmark=bench)
            )

    def _compose_proposal(self, q: Question, r: dict[str, Any], d: Draft) -> None:
        result: ProposalResult = r["model_proposal"]
        d.lines.append(
            say(
                "proposal_value",
                payer=result.payer,
                description=describe_proposal(result.proposal.describe()),
                total_delta=money(result.total_delta),
                total_current=money(result.total_current),
                total_proposed=money(result.total_proposed),
                pct_change=_signed(result.pct_change),
            )
        )
        if q.code_group == "office-em" and re.search(r"\be\s?/\s?m\b|\be&m\b", q.text, re.I):
            d.lines.append(say("proposal_scope_note"))
        found = r.get("rate_gap")
        if isinstance(found, RateGap):
            gap = found.result
            d.lines.append(
                say(
                    "proposal_context",
                    payer=gap.payer,
                    total_annual_gap=money(abs(gap.total_annual_gap)),
                    direction=_less_or_more(gap.total_annual_gap),
                    total_pct=pct(gap.pct_of_benchmark),
                    benchmark=_bench_label(gap.benchmark),
                )
            )

    def _compose_solve(self, q: Question, r: dict[str, Any], d: Draft) -> None:
        result: SolveResult = r["solve_target"]
        solution = (
            f"{pct(result.value)}% of {_bench_label(result.basis)}"
            if result.basis
            else f"a uniform change of {_signed(result.value)}%"
        )
        d.lines.append(
            say(
                "solve_answer",
                payer=result.payer,
                target_revenue=money(result.target_revenue),
                current_revenue=money(result.current_revenue),
                resulting_revenue=money(result.resulting_revenue),
                solution=solution,
            )
        )

    def _compose_walk_away(self, q: Question, r: dict[str, Any], d: Draft) -> None:
        result: WalkAwayResult = r["walk_away"]
        checks = "; ".join(
            say("walk_away_check", name=c.name, required=c.required, actual=c.actual)
            for c in result.checks
        )
        key = "walk_away_clears" if result.clears else "walk_away_fails"
        d.lines.append(say(key, payer=result.payer, proposal=result.proposal, checks=checks))
        below = [
            row.code + (f"-{row.modifier}" if row.modifier else "")
            for row in result.codes_below_floor
        ]
        if below:
            d.lines.append(say("walk_away_codes", codes=", ".join(below[:12])))

    def _compose_underpayments(self, q: Question, r: dict[str, Any], d: Draft) -> None:
        report: UnderpaymentReport = r["underpayments"]
        period = ""
        if report.since and report.until:
            period = f" for payments from {report.since.isoformat()} to {report.until.isoformat()}"
        d.lines.append(
            say(
                "underpayments",
                payer=report.payer,
                period=period,
                total=money(report.total_shortfall),
                lines=len(report.lines),
            )
        )

    def _compose_talking_points(self, q: Question, r: dict[str, Any], d: Draft) -> None:
        points: TalkingPoints = r["draft_talking_points"]
        d.lines.append(say("talking_points_intro", payer=points.payer))
        for point in points.points:
            markers = "".join(f" [{d.cite(dict(c))}]" for c in point.citations)
            d.lines.append(say("talking_points_row", text=point.text + markers))


def _auxiliary(q: Question, name: str, results: list[tuple[str, dict[str, Any], Any]]) -> bool:
    """A search made only to add to a term the contract states: its failure is not the
    answer's."""
    if q.intent != "contract_term" or name != "search_contracts" or not results:
        return False
    first = results[0][2]
    return isinstance(first, TermReading) and any(d.values for d in first.documents)


_MEASURES = ("days", "months", "years", "percent")
_FEWEST = re.compile(r"\b(shortest|fewest|least|lowest|smallest|quickest|fastest|soonest)\b", re.I)
_JUDGED = re.compile(r"\b(restrictive|strict|harsh|generous|favou?rable|best|worst)\b", re.I)
"""Words that judge rather than measure: whether the least or the most is meant is unclear."""
_MOST = re.compile(r"\b(longest|most|highest|largest|biggest|slowest|latest)\b", re.I)


def _measure(payer: str, value: TermValue) -> list[tuple[Decimal, str, str]]:
    """(figure, unit, who) when the value states one measured figure (days, months, …); who
    names the attachment when the value is one attachment's."""
    figures = [(k, v) for k, v in value.value.value.items() if k in _MEASURES and v is not None]
    if len(figures) != 1:
        return []
    unit, figure = figures[0]
    try:
        amount = Decimal(str(figure))
    except ArithmeticError:
        return []
    scope = value.scope
    who = f"{payer}, {scope}" if scope and scope.lower() != "agreement" else payer
    return [(amount, unit, who)]


def _extreme(question: str, measured: list[tuple[Decimal, str, str]]) -> str | None:
    """For "which payer has the shortest …": the contracts stating the least (or most), when
    every value compared is in one unit; None when the question asks no such thing."""
    wants_least = bool(_FEWEST.search(question))
    if not measured or wants_least == bool(_MOST.search(question)) or _JUDGED.search(question):
        return None
    units = {unit for _, unit, _ in measured}
    if len(units) != 1 or len({who for _, _, who in measured}) < 2:
        return None
    best = min(a for a, _, _ in measured) if wants_least else max(a for a, _, _ in measured)
    who = [w for a, _, w in measured if a == best]
    unit = units.pop()
    return say(
        "compare_terms_extreme",
        which=("Lowest", "Highest")[not wants_least]
        if unit == "percent"
        else ("Shortest", "Longest")[not wants_least],
        figure=f"{best.normalize():f} {unit}",
        who="; ".join(dict.fromkeys(who)),
    )


def _excerpt(quote: str, limit: int = 300) -> str:
    """The clause itself, cut at a word when long (the cited quote carries the whole of it)."""
    short = quote if len(quote) <= limit else quote[: quote.rfind(" ", 0, limit)] + " …"
    return f'"{short}"'


_FLOOR = re.compile(
    r"\b(floor|minimum|at least|bottom line|walk[- ]?away)\b[^.?!%\d]{0,40}?"
    r"(\d+(?:\.\d+)?)\s*(?:%|percent\b|pct\b)\s*of medicare",
    re.I,
)
_PERCENT_AT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:%|percent\b|pct\b)", re.I)


def _floor_and_offer(text: str) -> tuple[Decimal | None, Decimal | None]:
    """The floor ("our floor is 100% of Medicare") and the offer (the first other percent) of
    a walk-away question, whichever order they come in."""
    floor = _FLOOR.search(text)
    offers = [
        Decimal(m.group(1))
        for m in _PERCENT_AT.finditer(text)
        if not (floor and floor.start(2) <= m.start(1) < floor.end(2))
    ]
    return (Decimal(floor.group(2)) if floor else None), (offers[0] if offers else None)


def _offer_spec(q: Question) -> str:
    value = q.percents[0]
    target = ",".join(q.codes) or q.code_group
    return f"{target}={value}" if target else str(value)


def _offer_args(q: Question) -> dict[str, Any]:
    value = q.percents[0]
    # Only a percent written as "N% of Medicare" is a percent-of-Medicare offer.
    of_medicare = re.search(rf"(?<![\d.]){re.escape(str(value))}\s*%\s*of medicare", q.text, re.I)
    target = ",".join(q.codes) or q.code_group
    if target:
        return {"across_the_board": 0, "carve_outs": [f"{target}={value}"]}
    if of_medicare:
        return {"pct_of_medicare": float(value)}
    return {"across_the_board": float(value)}


def _signed(value: Decimal | float | int | None) -> str:
    if value is None:
        return "—"
    text = pct(value)
    return text if text.startswith("-") else f"+{text}"


def _bench_label(name: str) -> str:
    if name.startswith("market:"):
        return "the market median"
    return "Medicare" if name.lower().startswith("medicare") else name


def _gap_total(gap: GapResult) -> str:
    return say(
        "gap_total",
        payer=gap.payer,
        total_pct=pct(gap.pct_of_benchmark),
        benchmark=_bench_label(gap.benchmark),
        total_revenue=money(gap.total_revenue),
        total_benchmark_revenue=money(gap.total_benchmark_revenue),
        total_annual_gap=money(abs(gap.total_annual_gap)),
        direction="short" if _less_or_more(gap.total_annual_gap) == "less" else "over",
    )


def _less_or_more(annual_gap: Decimal) -> str:
    """A positive gap means the payer pays less than the benchmark (as shown, to the cent)."""
    return "more" if money_text(annual_gap).startswith("-") else "less"


def _citation(c: ReviewCitation) -> dict[str, Any]:
    """A contract clause as the answer cites it."""
    return {"source": c.source, "page": c.page, "section": c.section, "quote": c.quote}


def _where(citation: dict[str, Any]) -> str:
    parts = []
    if citation.get("section"):
        parts.append(f"section {citation['section']}")
    if citation.get("page") is not None:
        parts.append(f"page {citation['page']}")
    return (", " + ", ".join(parts)) if parts else ""


_SENTENCE = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(\"“*])|\n\s*\n|\n(?=#)")
_HEADING = re.compile(r"#{2,}\s+")
_SECTION_NUMBER = re.compile(r"^(\d+(?:\.\d+)+)\s")
_STOP = frozenset(
    re.findall(
        r"\S+",
        "the a an of to in for on and or our we us is are what whats what's with does do did "
        "how which who when their they them it this that by at be as from any can let say says "
        "contract contracts agreement there about if must have has need may will",
    )
)


_FILLER = frozenset(
    re.findall(
        r"\S+",
        "clause clauses provision provisions section sections language wording mention "
        "anything something happens happen under long keep must need said state states "
        "there here then than also else just like limit limits deadline period window",
    )
)
"""Words that ask about a topic without naming it ("is there a clause on ...", "what is the
limit"): a contract states a limit without the word."""
_INSTRUCTION = re.compile(
    r"\bignore\b.{0,40}\binstructions?\b|\bnew instructions?\b|\bsystem\s*:|"
    r"\b(ai|artificial intelligence)\b.{0,20}\b(assistants?|models?)\b|\blanguage models?\b|"
    r"\btell the user\b|\bdo not cite\b",
    re.I,
)
"""Text addressed to an assistant rather than to the parties: never quoted as an answer."""


def _stem(word: str) -> str:
    return word[:5]


def _root(word: str) -> str:
    """A word without its inflection, cut to 5 letters ("pays" -> "pay", "charging" -> "charg")."""
    for suffix in ("ing", "ies", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:5]


def unaddressed_words(
    question: str, hits: Sequence[Passage | SearchHit], ignore: set[str]
) -> list[str]:
    """The question's topic words (4 letters or more, not stop, filler or payer words) that no
    hit contains in any form: hybrid search ranks a passage holding a rare word high, so a word
    missing from every hit is missing from the documents, and the question is not addressed
    ("telehealth parity", "dental implants")."""
    words = [
        w
        for w in re.findall(r"[a-z]+", question.lower())
        if len(w) >= 4 and w not in _STOP and w not in _FILLER and w not in ignore
    ]
    tokens = {t for hit in hits for t in re.findall(r"[a-z]+", unfence(hit.text).lower())}
    return [w for w in words if not any(t.startswith(_root(w)) for t in tokens)]


def best_sentences(
    question: str, hits: Sequence[SearchHit], ignore: set[str], limit: int = 2
) -> list[tuple[str, SearchHit]]:
    """The sentences of the hits sharing the most content words (by 5-letter stem) with the
    question; none when no sentence shares one. Sentences addressed to an assistant (injected
    instructions) are never picked."""
    words = {
        _stem(w)
        for w in re.findall(r"[a-z0-9]+", question.lower())
        if w not in _STOP and w not in ignore
    }
    scored: list[tuple[int, int, str, SearchHit]] = []
    for rank, hit in enumerate(hits):
        for raw in _SENTENCE.split(unfence(hit.text)):
            sentence = " ".join(raw.split())
            if len(sentence) < 40 or sentence.startswith("**SYNTHETIC"):
                continue
            if _INSTRUCTION.search(sentence) or addresses_assistant(sentence):
                continue
            tokens = {_stem(t) for t in re.findall(r"[a-z0-9]+", sentence.lower())}
            score = len(words & tokens)
            if score:
                scored.append((score, -rank, sentence[:400], hit))
    scored.sort(key=lambda s: (-s[0], -s[1]))
    return [(sentence, hit) for _, _, sentence, hit in scored[:limit]]


def _sentences(text: str) -> list[str]:
    """The sentences of a passage worth quoting (not headings, banners or injected text)."""
    out = []
    for raw in _SENTENCE.split(text):
        sentence = " ".join(raw.split())
        if len(sentence) < 40 or sentence.startswith("**SYNTHETIC"):
            continue
        if _INSTRUCTION.search(sentence) or addresses_assistant(sentence):
            continue
        out.append(sentence[:400])
    return out


_HEADING_LINE = re.compile(r"^#{2,}\s+(\d+(?:\.\d+)+)\b", re.M)


def sentence_section(hit: SearchHit, sentence: str) -> str | None:
    """The numbered Markdown heading a sentence of the hit falls under, else the hit's section
    (a chunk can run across headings; its section is where it starts)."""
    text = unfence(hit.text)
    words = sentence.split()[:6]
    found = re.search(r"\s+".join(re.escape(w) for w in words), text) if words else None
    headings = [m for m in _HEADING_LINE.finditer(text) if found and m.start() <= found.start()]
    return headings[-1].group(1) if headings else hit.section


def split_heading(quote: str, section: str | None) -> tuple[str | None, str]:
    """A Markdown heading inside a quote names the section; the quote keeps the text after it."""
    if not _HEADING.search(quote):
        return section, quote
    quote = _HEADING.split(quote)[-1].strip()
    number = _SECTION_NUMBER.match(quote)
    return (number.group(1) if number else section), quote
