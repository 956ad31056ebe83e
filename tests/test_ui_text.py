"""The app shows its own text literally: the welcome example whose tool-card caption is cut
inside `[`, a question that starts `[draft]`, payer and file names with brackets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rich.text import Text
from test_ui_app import SIZE, build, pilot_test, settle, ui_services  # noqa: F401
from textual.content import Content
from textual.widgets import DataTable, Static

from assistant.agent.answer import Answer, Citation
from assistant.agent.events import AgentEvent, AnswerReady, ToolCallFinished, ToolCallStarted
from assistant.ui.widgets.chat import ChatTurn, CitationButton
from assistant.ui.widgets.tool_card import ToolCallCard, format_cell

WELCOME_EXAMPLE = "Aetna offers 3% on E/M only: what is that worth?"


class BracketAssistant:
    """Tool inputs whose 60-character cut leaves an open `[`, results and sources with markup."""

    model_name = "bracket-test-model"

    def new_conversation(self, title: str) -> str:
        return "conversation-1"

    def stream(
        self, question: str, conversation_id: str | None = None, payer: str | None = None
    ) -> Iterator[AgentEvent]:
        args = {"payer": "Aetna", "carve_outs": ["office-em=3"], "question": question}
        yield ToolCallStarted("call-1", "proposal_value", args)
        yield ToolCallFinished(
            "call-1",
            "proposal_value",
            {"rows": [{"code": "99213", "note": "[red]not a style[/red] [b"}], "label": "[x"},
        )
        yield ToolCallStarted("call-2", "[bold]odd tool", {"q": "[/]"})
        yield ToolCallFinished("call-2", "[bold]odd tool", "[link=x]plain[/link] [")
        yield AnswerReady(
            Answer(
                answer="Worth $12,705.47 [1].",
                citations=[Citation(source="[draft] aetna.md", page=2, section="[3.2", quote="q")],
                model=self.model_name,
            )
        )


def test_format_cell_never_hands_a_table_a_markup_string() -> None:
    for key, value in [("note", "[b"), ("code", "[/]"), ("x", None), ("flag", True)]:
        cell = format_cell(key, value)
        assert isinstance(cell, Text)
    assert format_cell("note", "[b").plain == "[b"


@pilot_test
async def test_welcome_example_and_bracketed_text_show_as_written(ui_services: Any) -> None:  # noqa: F811
    app = build(ui_services, BracketAssistant())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.ask(WELCOME_EXAMPLE)
        await app.ask("[draft] " + WELCOME_EXAMPLE)
        await settle(app, pilot)
        for card in app.query(ToolCallCard):
            card.collapsed = False
        await settle(app, pilot)
        await pilot.pause()

        turns = list(app.query(ChatTurn))
        assert len(turns) == 2
        question = turns[1].query_one(".question", Static).content
        assert str(question) == "› [draft] " + WELCOME_EXAMPLE
        cards = list(turns[0].query(ToolCallCard))
        assert isinstance(cards[0].title, Content)
        assert "[" in cards[0].title.plain and cards[0].title.plain.endswith("1 row")
        assert cards[1].title.plain.startswith("[bold]odd tool(")
        table = cards[0].query_one(DataTable)
        assert str(table.get_row_at(0)[1]) == "[red]not a style[/red] [b"
        button = turns[0].query_one(CitationButton)
        assert str(button.label) == "[1] [draft] aetna.md, p. 2, § [3.2"
        app.notify("[b unbalanced [/i]", title="[x")
        await pilot.pause()
        assert app.is_running


@pytest.mark.parametrize(
    ("value", "label"), [(-3069.4, "-$3,069"), (0.0, "$0"), (147.62, "$148"), (-0.4, "$0")]
)
def test_chart_axis_labels_are_money(value: float, label: str) -> None:
    from assistant.ui.widgets.rates_view import money_tick

    assert money_tick(value) == label
