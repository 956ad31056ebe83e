"""Answers and routing on a questions file (the answer-dataset format of issue 11), with the
offline model over a workspace holding the file's documents, beside the keyword-rule router as
the plain baseline in the same run.

Scores (the definitions of issue 11 point 3):
- routing: the intent the model reads (follow-ups read after the question they follow) equals
  the row's `intent`; the baseline is the keyword rules the router falls back on;
- correct: every `must_contain` ("a|b" = either, case-insensitive) is in the answer text and no
  `must_not_contain` is;
- gold page: a citation of the row's `document` (or of a `gold_refs` document) on a gold page
  ±1; a cited Markdown section (no pages) counts when it starts with one of `gold_sections`;
- right with gold page: correct, and citing a gold page when the row names gold pages;
- abstained: the answer says the documents do not address it (or declines, or says there is
  nothing imported to measure); false abstention: abstained on a row whose kind is not absent.

Run: python bench/bench_answers.py evals/datasets/questions/tune.jsonl --workspace WS [--json]
(the tune figures are in-sample: the routing examples and thresholds were tuned on them).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CONTRACT_QUESTION = frozenset({"contract_term", "contract_search"})
ABSTAINED = re.compile(
    r"do not appear to address|I can only help|no remittances imported|"
    r"There are no remittances imported|nothing in .{0,60} that addresses",
    re.I,
)


@dataclass
class Row:
    """One scored question."""

    id: str
    kind: str
    intent: str | None
    routed: str
    baseline: str
    correct: bool
    gold_page: bool | None
    abstained: bool
    seconds: float
    answer: str = ""
    checks: list[str] = field(default_factory=list)

    @property
    def right(self) -> bool:
        return self.correct and self.gold_page is not False


def contains(text: str, wanted: str) -> bool:
    return any(alt.strip().lower() in text.lower() for alt in wanted.split("|"))


def cites_gold(case: dict[str, Any], citations: list[dict[str, Any]]) -> bool | None:
    """Whether a citation falls on a gold page (±1) of a gold document; None without golds."""
    golds = [(case.get("document"), p) for p in case.get("gold_pages") or []]
    golds += [(r.get("document"), r.get("page")) for r in case.get("gold_refs") or []]
    sections = [str(s) for s in case.get("gold_sections") or []]
    if not golds:
        return None
    for c in citations:
        for document, page in golds:
            if document and Path(str(document)).name != c["source"]:
                continue
            if c.get("page") is None:
                section = str(c.get("section") or "")
                if not sections or any(section.startswith(s) for s in sections):
                    return True
            elif page is not None and abs(int(c["page"]) - int(page)) <= 1:
                return True
    return False


def load(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{number}: not JSON ({exc})") from None
    return rows


def run(path: Path, workspace: Path, limit: int | None) -> list[Row]:
    from langchain_core.messages import HumanMessage

    from assistant.agent.factory import make_assistant, offline_model
    from assistant.agent.intents import _keyword_intent, find_term
    from assistant.agent.offline import with_focus
    from assistant.agent.tools import ToolBox
    from assistant.config import Settings
    from assistant.services import Services

    services = Services(Settings(workspace=workspace))
    assistant = make_assistant(services)
    model = offline_model(ToolBox(services))
    directory = model.payer_source()
    cases = load(path)[:limit]
    by_id = {c["id"]: c for c in cases}
    out = []
    for case in cases:
        parent = by_id.get(case.get("followup_of") or "")
        chain = [parent, case] if parent else [case]
        messages = [
            HumanMessage(with_focus(c["question"], c.get("payer"))) for c in chain if c is not None
        ]
        routed = model.read(messages).intent
        text = case["question"]
        baseline = _keyword_intent(text, find_term(text), tuple(directory.find(text)))
        conversation = None
        if parent:
            conversation = assistant.new_conversation()
            assistant.ask(parent["question"], conversation, parent.get("payer"))
        started = time.perf_counter()
        try:
            answer = assistant.ask(text, conversation, case.get("payer"))
            body = answer.answer
            citations = [c.model_dump() for c in answer.citations]
            checks = []
        except Exception as exc:  # a failing question is scored as failed, the run goes on
            body, citations, checks = "", [], [f"error: {exc}"]
        seconds = time.perf_counter() - started
        missing = [m for m in case.get("must_contain") or [] if not contains(body, m)]
        present = [m for m in case.get("must_not_contain") or [] if contains(body, m)]
        checks += [f"missing {m!r}" for m in missing] + [f"has {m!r}" for m in present]
        out.append(
            Row(
                id=case["id"],
                kind=case.get("kind") or "lookup",
                intent=case.get("intent"),
                routed=routed,
                baseline=baseline,
                correct=not missing and not present and not checks,
                gold_page=cites_gold(case, citations),
                abstained=bool(ABSTAINED.search(body)),
                seconds=seconds,
                answer=body,
                checks=checks,
            )
        )
    return out


def abstention_scores(path: Path, workspace: Path) -> tuple[list[float], list[float]]:
    """The best topic-to-sentence score of each question answered from passages (gold intent
    contract_search, or a question the documents don't answer; not a follow-up): scores of
    answerable questions, scores of absent ones. A question whose topic words occur nowhere in
    the payer's documents abstains at any threshold and scores 0."""
    from langchain_core.messages import HumanMessage

    from assistant.agent.factory import offline_model
    from assistant.agent.offline import OfflineChatModel, with_focus
    from assistant.agent.tools import ToolBox
    from assistant.config import Settings
    from assistant.services import Services

    toolbox = ToolBox(Services(Settings(workspace=workspace)))
    model = offline_model(toolbox)
    assert isinstance(model, OfflineChatModel)
    only = model.contract_payers()
    answerable: list[float] = []
    absent: list[float] = []
    for case in load(path):
        absent_row = case.get("kind") == "absent"
        if case.get("followup_of") or case.get("intent") not in (
            CONTRACT_QUESTION if absent_row else {"contract_search"}
        ):
            continue
        q = model.read([HumanMessage(with_focus(case["question"], case.get("payer")))])
        payer = q.payer or (only[0] if len(only) == 1 else None)
        if payer is None:
            continue
        hits = toolbox.search_contracts(q.text, payer)["hits"][:3]
        ranked = model.scored_sentences(q, hits)
        score = ranked[0].score if ranked and not model._off_the_documents(q) else 0.0
        (absent if absent_row else answerable).append(score)
    return answerable, absent


def print_curve(answerable: list[float], absent: list[float], all_answerable: int) -> None:
    from assistant.agent.relevance import ANSWER_FROM, abstention_curve, choose_threshold

    thresholds = [round(0.2 + 0.01 * i, 2) for i in range(31)]
    curve = abstention_curve(answerable, absent, thresholds)
    print(
        f"abstention curve: {len(answerable)} answerable, {len(absent)} absent contract questions"
    )
    print("  threshold  false_abstention  correct_abstention")
    for t, false, correct in curve:
        mark = "  <- ANSWER_FROM" if abs(t - ANSWER_FROM) < 1e-9 else ""
        print(f"  {t:.2f}       {false:.3f}             {correct:.3f}{mark}")
    # False abstention is aimed at 2% of every answerable question; only these can abstain.
    bound = 0.02 * all_answerable / max(len(answerable), 1)
    t, false, correct = choose_threshold(curve, bound)
    print(
        f"  chosen (most correct abstention, false abstentions <= 2% of all {all_answerable} "
        f"answerable questions, i.e. <= {bound:.3f} here): {t:.2f} ({false:.3f}, {correct:.3f})"
    )


def summary(rows: list[Row]) -> dict[str, Any]:
    def share(flags: list[bool]) -> float | None:
        return round(sum(flags) / len(flags), 3) if flags else None

    routed = [r for r in rows if r.intent]
    kinds: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        kinds[r.kind].append(r)
    answerable = [r for r in rows if r.kind != "absent"]
    return {
        "questions": len(rows),
        "routing_accuracy": share([r.routed == r.intent for r in routed]),
        "routing_accuracy_keyword_baseline": share([r.baseline == r.intent for r in routed]),
        "right_with_gold_page": share([r.right for r in answerable]),
        "correct": share([r.correct for r in answerable]),
        "false_abstention": share([r.abstained for r in answerable]),
        "correct_abstention": share([r.abstained for r in kinds.get("absent", [])]),
        "per_kind": {
            kind: {
                "n": len(rs),
                "right_with_gold_page": share([r.right for r in rs]) if kind != "absent" else None,
                "abstained": share([r.abstained for r in rs]),
            }
            for kind, rs in sorted(kinds.items())
        },
        "median_seconds": sorted(r.seconds for r in rows)[len(rows) // 2] if rows else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--failures", action="store_true", help="list every wrong row")
    parser.add_argument(
        "--abstention-curve",
        action="store_true",
        help="print false and correct abstention per relevance threshold instead of scoring",
    )
    args = parser.parse_args()
    if args.abstention_curve:
        answerable = sum(r.get("kind") != "absent" for r in load(args.questions))
        print_curve(*abstention_scores(args.questions, args.workspace), answerable)
        return
    rows = run(args.questions, args.workspace, args.limit)
    result = summary(rows)
    if args.json:
        result["rows"] = [r.__dict__ for r in rows]
        print(json.dumps(result, indent=2, default=str))
        return
    print(f"{args.questions.name} ({date.today()}), {len(rows)} questions")
    for key, value in result.items():
        if key != "per_kind":
            print(f"  {key}: {value}")
    for kind, figures in result["per_kind"].items():
        print(f"  {kind}: {figures}")
    if args.failures:
        for r in rows:
            wrong_route = r.intent and r.routed != r.intent
            wrong = (r.kind == "absent") != r.abstained or (r.kind != "absent" and not r.right)
            if wrong_route or wrong:
                print(
                    f"- {r.id} [{r.kind}] route {r.routed} (want {r.intent}) {r.checks} "
                    f"gold_page={r.gold_page} abstained={r.abstained}"
                )
                print("    " + " ".join(r.answer.split())[:300])


if __name__ == "__main__":
    main()
