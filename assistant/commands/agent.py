"""Agent commands: ask, talking-points, packet and conversations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from assistant.commands.common import (
    JSON_HELP,
    PAYER_HELP,
    emit_json,
    printable,
    services,
    stderr_console,
    stdout_console,
)

if TYPE_CHECKING:
    from assistant.agent.answer import Answer
    from assistant.reports.talking_points import TalkingPoints

Offer = Annotated[
    str | None,
    typer.Option(
        "--offer",
        help="The payer's offer to value: '3' (+3% on everything) or 'office-em=3' (those codes).",
    ),
]
TargetPct = Annotated[
    float | None,
    typer.Option(
        "--target-pct",
        help="Target as a percent of Medicare (default: the best other payer's level).",
    ),
]
FloorPct = Annotated[
    float, typer.Option("--floor-pct", help="Walk-away floor, percent of Medicare per code.")
]


def _talking_points(
    ctx: typer.Context, payer: str, offer: str | None, target_pct: float | None, floor_pct: float
) -> TalkingPoints:
    from assistant.agent.tools import ToolBox
    from assistant.reports.talking_points import build_talking_points

    return build_talking_points(
        ToolBox(services(ctx)),
        payer,
        offer=offer,
        floor_pct=Decimal(str(floor_pct)),
        target_pct=None if target_pct is None else Decimal(str(target_pct)),
    )


def _print_answer(answer: Answer) -> None:
    console = stdout_console()
    console.print(answer.answer, highlight=False, markup=False)
    if answer.citations:
        console.print()
        for i, c in enumerate(answer.citations, 1):
            where = ", ".join(
                x
                for x in (
                    c.source,
                    f"§{c.section}" if c.section else "",
                    f"p. {c.page}" if c.page is not None else "",
                )
                if x
            )
            console.print(f"[bold]\\[{i}][/] {escape(where)}", highlight=False)
            console.print(f"    “{c.quote}”", style="dim", highlight=False, markup=False)
    if answer.removed:
        console.print()
        console.print("[yellow]Not shown (failed the grounding check):[/]")
        for item in answer.removed:
            console.print(f"  - {item}", highlight=False, markup=False)


_STEP = {
    "search_contracts": "Searching the contracts (the first search loads the search model)…",
    "find_contract_term": "Reading the contract terms…",
    "review_contract": "Reviewing the contract…",
    "rate_gap": "Computing the gap by code…",
    "top_codes": "Ranking the codes…",
    "compare_payers": "Comparing payers…",
    "model_proposal": "Modelling the proposal…",
    "solve_target": "Solving for the target…",
    "walk_away": "Checking the walk-away floor…",
    "underpayments": "Reading the remittances…",
    "denials": "Reading the denials…",
    "talking_points": "Drafting talking points…",
}
"""What the spinner says while a tool runs."""


@contextmanager
def _working(first: str) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr while the assistant loads and answers (only on a terminal, so
    `--json`, pipes and tests see nothing), updated as each step starts."""
    console = stderr_console()
    if not console.is_terminal:
        yield lambda _text: None
        return
    with console.status(first, spinner="dots") as live:
        yield lambda text: live.update(text)


def register(app: typer.Typer) -> None:
    """Add ask, talking-points, packet and conversations."""

    @app.command("ask")
    def ask_command(
        ctx: typer.Context,
        question: Annotated[str, typer.Argument(help="Your question, in your own words.")],
        payer: Annotated[
            str | None, typer.Option("--payer", help="The payer you mean when you don't say.")
        ] = None,
        model: Annotated[
            str | None,
            typer.Option(
                "--model", help="'offline' (default) or provider:name, e.g. ollama:llama3.1."
            ),
        ] = None,
        conversation: Annotated[
            str | None, typer.Option("--conversation", help="Continue this conversation id.")
        ] = None,
        follow_up: Annotated[
            bool,
            typer.Option("--continue", "-c", help="Continue the most recent conversation."),
        ] = False,
        json_out: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    ) -> None:
        """Ask about contracts, rates or an offer; answers cite their pages and tools."""
        with _working("Loading the assistant…") as status:
            from assistant.agent.conversations import ConversationStore
            from assistant.agent.events import AnswerReady, ToolCallStarted
            from assistant.agent.factory import make_assistant

            svc = services(ctx)
            assistant = make_assistant(svc, model)
            conversation_id = conversation
            if follow_up and conversation_id is None:
                conversation_id = ConversationStore(svc.conn).latest()
            answer = None
            status("Reading the question…")
            for event in assistant.stream(question, conversation_id, payer):
                if isinstance(event, ToolCallStarted):
                    status(_STEP.get(event.name, f"Running {event.name}…"))
                elif isinstance(event, AnswerReady):
                    answer = event.answer
        assert answer is not None
        if json_out:
            emit_json(answer.to_json())
        else:
            _print_answer(answer)
            stderr_console().print(
                f"[dim]Conversation {ConversationStore(svc.conn).latest()}: follow up with "
                "`ask -c QUESTION`.[/]"
            )

    @app.command("talking-points")
    def talking_points_command(
        ctx: typer.Context,
        payer: Annotated[str, typer.Option("--payer", help=PAYER_HELP)],
        offer: Offer = None,
        target_pct: TargetPct = None,
        floor_pct: FloorPct = 100.0,
        markdown: Annotated[
            Path | None, typer.Option("--markdown", help="Also write them to this Markdown file.")
        ] = None,
        json_out: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    ) -> None:
        """The negotiation case for a payer, every figure from the rate tools, asks cited."""
        from assistant.reports.talking_points import render_markdown

        tp = _talking_points(ctx, payer, offer, target_pct, floor_pct)
        text = render_markdown(tp)
        if markdown is not None:
            markdown.write_text(text, encoding="utf-8")
        if json_out:
            emit_json(tp.to_json())
        else:
            from rich.markdown import Markdown

            stdout_console().print(Markdown(printable(text)))

    @app.command("packet")
    def packet_command(
        ctx: typer.Context,
        payer: Annotated[str, typer.Option("--payer", help=PAYER_HELP)],
        out: Annotated[
            Path,
            typer.Option(
                "--out", help="FILE writes FILE.md and FILE.docx; FILE.md or FILE.docx one."
            ),
        ],
        offer: Offer = None,
        target_pct: TargetPct = None,
        floor_pct: FloorPct = 100.0,
        practice: Annotated[
            str | None, typer.Option("--practice", help="Practice name for the cover line.")
        ] = None,
        json_out: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    ) -> None:
        """Write a counter-proposal packet (Markdown and DOCX) a consultant can send or edit."""
        from assistant.reports.packet import write_packet

        tp = _talking_points(ctx, payer, offer, target_pct, floor_pct)
        written = write_packet(tp, out, practice)
        if json_out:
            emit_json({"payer": tp.payer, "files": [str(p) for p in written]})
        else:
            for path in written:
                stderr_console().print(f"Wrote {path}", highlight=False)

    @app.command("conversations")
    def conversations_command(
        ctx: typer.Context,
        delete: Annotated[
            str | None, typer.Option("--delete", help="Delete this conversation id.")
        ] = None,
        json_out: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    ) -> None:
        """List saved conversations (continue one with `ask --conversation ID`)."""
        from rich.table import Table

        from assistant.agent.conversations import ConversationStore

        store = ConversationStore(services(ctx).conn)
        if delete is not None:
            store.delete(delete)
        found = store.list()
        if json_out:
            emit_json({"conversations": [c.to_json() for c in found]})
            return
        table = Table("id", "title", "model", "turns", "updated")
        for c in found:
            table.add_row(c.id, c.title, c.model, str(c.turns), c.updated_at)
        stdout_console().print(table)
