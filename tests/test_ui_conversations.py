"""Pilot tests of saved conversations in the app (reopen, continue, new, delete with confirm)
and of table columns giving way by importance as the terminal narrows."""

# ruff: noqa: F811 (the ui_services fixture is imported by name)
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rich.text import Text
from test_ui_app import (  # noqa: F401
    ScriptedAssistant,
    ask,
    build,
    pilot_test,
    review_first_contract,
    settle,
    ui_services,
)
from textual.widgets import Markdown

from assistant.agent.conversations import ConversationStore
from assistant.agent.events import AgentEvent, AnswerReady
from assistant.ui.app import PayerAssistantApp
from assistant.ui.screens.confirm import ConfirmScreen
from assistant.ui.screens.conversations import ConversationsScreen
from assistant.ui.screens.passage import PassageScreen
from assistant.ui.widgets.chat import ChatTurn, CitationButton
from assistant.ui.widgets.fitted_table import Column, FittedTable, fit_widths
from assistant.workspace import transaction

STAMPS = ("2026-03-02 09:15:00", "2026-03-04 16:40:00")


class SavingAssistant(ScriptedAssistant):
    """The scripted agent, keeping its conversations in the workspace as the real one does."""

    def __init__(self, services: Any) -> None:
        super().__init__()
        self.store = ConversationStore(services.conn)

    def new_conversation(self, title: str) -> str:
        conversation_id = self.store.create(title, self.model_name)
        self.conversations.append(conversation_id)
        return conversation_id

    def stream(
        self, question: str, conversation_id: str | None = None, payer: str | None = None
    ) -> Iterator[AgentEvent]:
        assert conversation_id is not None, "the app always names the conversation"
        for event in super().stream(question, conversation_id, payer):
            if isinstance(event, AnswerReady):
                self.store.add_turn(conversation_id, question, payer, event.answer.to_json())
            yield event


def saved(services: Any, title: str, questions: list[str], stamp: str) -> str:
    """A conversation saved earlier (as `ask` would have left it), dated `stamp`."""
    assistant = SavingAssistant(services)
    conversation_id = assistant.new_conversation(title)
    for question in questions:
        list(assistant.stream(question, conversation_id, "Aetna"))
    with transaction(services.conn):
        services.conn.execute(
            "UPDATE agent_conversations SET created_at = ?, updated_at = ? WHERE id = ?",
            (stamp, stamp, conversation_id),
        )
    return conversation_id


@pytest.fixture
def with_conversations(ui_services: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Two saved conversations, the timely-filing one the more recent; times shown in UTC."""
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    saved(ui_services, "Aetna underpayment", ["Which codes does Aetna underpay?"], STAMPS[0])
    saved(
        ui_services,
        "Timely filing with Aetna",
        ["What is our timely filing limit with Aetna?", "And the appeal window?"],
        STAMPS[1],
    )
    return ui_services


def table_titles(screen: ConversationsScreen) -> list[str]:
    table = screen.query_one(FittedTable)
    return [str(table.get_row_at(n)[0]) for n in range(table.row_count)]


async def open_list(app: PayerAssistantApp, pilot: Any) -> ConversationsScreen:
    await pilot.press("f6")
    await settle(app, pilot)
    assert isinstance(app.screen, ConversationsScreen)
    return app.screen


@pilot_test
async def test_the_app_starts_a_new_conversation_and_lists_the_saved_ones(
    with_conversations: Any,
) -> None:
    app = build(with_conversations, SavingAssistant(with_conversations))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.conversation_id is None and not app.query(ChatTurn)
        screen = await open_list(app, pilot)
        assert table_titles(screen) == ["Timely filing with Aetna", "Aetna underpayment"]
        table = screen.query_one(FittedTable)
        assert [str(c) for c in table.get_row_at(0)[1:3]] == ["2026-03-04 16:40", "2"]
        await pilot.press("escape")
        assert not isinstance(app.screen, ConversationsScreen)


@pilot_test
async def test_reopened_conversation_shows_its_turns_and_a_follow_up_continues_it(
    with_conversations: Any,
) -> None:
    assistant = SavingAssistant(with_conversations)
    app = build(with_conversations, assistant)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await open_list(app, pilot)
        await pilot.press("enter")  # the most recent: timely filing, two turns
        await settle(app, pilot)
        store = ConversationStore(with_conversations.conn)
        opened = store.list()[0]
        assert app.conversation_id == opened.id
        turns = app.query(ChatTurn)
        assert [t.turn.question for t in turns] == [
            "What is our timely filing limit with Aetna?",
            "And the appeal window?",
        ]
        answer = turns.first().query_one(".answer", Markdown)
        assert "within 90 days" in answer.source
        assert len(turns.first().query("ToolCallCard")) == 1
        assert not app.query_one("#welcome").display

        turns.first().query_one(CitationButton).press()
        await settle(app, pilot)
        assert isinstance(app.screen, PassageScreen)
        await pilot.press("escape")

        await ask(app, pilot, "and for UHC?")
        assert assistant.questions[-1][:2] == ("and for UHC?", opened.id)
        assert [t.question for t in store.turns(opened.id)][-1] == "and for UHC?"
        assert len(store.list()) == 2, "a follow-up never starts another conversation"


@pilot_test
async def test_new_conversation_key_clears_the_chat_and_starts_afresh(ui_services: Any) -> None:
    assistant = SavingAssistant(ui_services)
    app = build(ui_services, assistant)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, "timely filing?")
        await ask(app, pilot, "and appeals?")
        first = app.conversation_id
        assert first is not None and len(app.query(ChatTurn)) == 2
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert app.conversation_id is None and not app.query(ChatTurn) and not app.turns
        assert app.query_one("#welcome").display
        await ask(app, pilot, "recoupment?")
        assert app.conversation_id not in (None, first)
        await open_list(app, pilot)
        await pilot.press("ctrl+n")  # from the list too: it closes and the chat starts afresh
        await settle(app, pilot)
        assert not isinstance(app.screen, ConversationsScreen)
        assert app.conversation_id is None and not app.query(ChatTurn)
        store = ConversationStore(ui_services.conn)
        assert sorted(c.turns for c in store.list()) == [1, 2]


@pilot_test
async def test_deleting_asks_first_and_no_keeps_it(with_conversations: Any) -> None:
    app = build(with_conversations, SavingAssistant(with_conversations))
    store = ConversationStore(with_conversations.conn)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await open_list(app, pilot)
        await pilot.press("enter")  # open the most recent, then delete it from the list
        await settle(app, pilot)
        opened = app.conversation_id
        screen = await open_list(app, pilot)
        assert table_titles(screen)[0] == "● Timely filing with Aetna"

        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Timely filing with Aetna" in str(app.screen.question)
        await pilot.press("n")
        await settle(app, pilot)
        assert len(store.list()) == 2 and app.screen is screen

        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot)
        assert [c.title for c in store.list()] == ["Aetna underpayment"]
        assert table_titles(screen) == ["Aetna underpayment"]
        assert opened is not None and not store.exists(opened)
        # the open conversation is gone: the chat starts afresh
        assert app.conversation_id is None and not app.query(ChatTurn)


@pilot_test
async def test_palette_reaches_the_conversations(with_conversations: Any) -> None:
    app = build(with_conversations)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Conversations" in titles and "New conversation" in titles
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Conversations")
        command.callback()
        await settle(app, pilot)
        assert isinstance(app.screen, ConversationsScreen)


# Columns giving way ---------------------------------------------------------------------------

COLUMNS = [
    Column("code", Text("Code"), rank=0),
    Column("value", Text("Value"), rank=1),
    Column("note", Text("Note"), rank=2, minimum=6),
    Column("units", Text("Units"), rank=3),
]
NATURAL = {"code": 5, "value": 10, "note": 20, "units": 5}
SMALLEST = {"code": 5, "value": 10, "note": 6, "units": 5}


@pytest.mark.parametrize(
    ("room", "widths"),
    [
        (100, {"code": 5, "value": 10, "note": 20, "units": 5}),  # room for everything
        (45, {"code": 5, "value": 10, "note": 17, "units": 5}),  # the note shrinks first
        (34, {"code": 5, "value": 10, "note": 6, "units": 5}),  # down to its minimum
        (33, {"code": 5, "value": 10, "note": 12}),  # units drop; the note takes the room back
        (19, {"code": 5, "value": 10}),  # the note drops too
        (18, {"code": 5}),  # the value is the last to go
        (3, {"code": 5}),  # the key column always stays
    ],
)
def test_least_important_columns_give_way_first(room: int, widths: dict[str, int]) -> None:
    assert fit_widths(COLUMNS, NATURAL, SMALLEST, room) == widths


def numbers_whole(table: FittedTable) -> bool:
    """No money or count cell cut short (they drop out rather than shrink)."""
    for row in range(table.row_count):
        for cell in table.get_row_at(row):
            if "…" in str(cell) and any(ch.isdigit() for ch in str(cell)[:3]):
                return False
    return True


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        ((80, 24), ["code", "annual_gap", "pct_of_benchmark", "rate"]),
        # from 100 columns the sidebar shows, leaving the table less room than at 80
        ((100, 30), ["code", "annual_gap", "pct_of_benchmark"]),
        (
            (160, 48),
            ["code", "annual_gap", "pct_of_benchmark", "rate", "benchmark_rate", "units"],
        ),
    ],
    ids=["80x24", "100x30", "160x48"],
)
@pilot_test
async def test_gap_table_drops_the_least_important_columns_first(
    ui_services: Any, size: tuple[int, int], shown: list[str]
) -> None:
    app = build(ui_services)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("f3")
        await settle(app, pilot)
        table = app.query_one("#gap-table", FittedTable)
        keys = [str(c.key.value) for c in table.columns.values()]
        assert keys[: len(shown)] == shown and len(keys) <= len(shown) + 1
        assert numbers_whole(table)


@pytest.mark.parametrize(
    ("size", "keys", "compact_status"),
    [
        ((80, 24), ["status", "item", "value"], True),
        ((100, 30), ["status", "item", "value"], True),
        ((160, 48), ["status", "item", "value"], True),
        ((220, 50), ["status", "item", "value"], False),
    ],
    ids=["80x24", "100x30", "160x48", "220x50"],
)
@pilot_test
async def test_review_table_keeps_item_and_value_longest(
    ui_services: Any, size: tuple[int, int], keys: list[str], compact_status: bool
) -> None:
    app = build(ui_services)
    async with app.run_test(size=size) as pilot:
        view = await review_first_contract(app, pilot)
        table = view.query_one("#review-table", FittedTable)
        assert [str(c.key.value) for c in table.columns.values()] == keys, table.widths
        status = str(table.get_row("timely_filing")[0]).strip()
        assert (status == "!") is compact_status and status in ("!", "red flag")
        assert table.widths["value"] >= 12 and table.widths["item"] >= 13


# Focus -----------------------------------------------------------------------------------------


@pilot_test
async def test_focus_lights_the_edge_of_tables_chat_and_conversation_list(
    with_conversations: Any,
) -> None:
    """Whatever takes the keyboard shows an accent bar; losing focus puts back the unlit edge of
    the same width."""
    app = build(with_conversations)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)

        async def lit(selector: str, unfocused: str = "blank") -> None:
            widget = app.screen.query_one(selector)
            widget.focus()
            await pilot.pause()
            assert widget.has_focus and widget.styles.border_left[0] == "thick", selector
            app.screen.set_focus(None)
            await pilot.pause()
            assert widget.styles.border_left[0] == unfocused, selector

        await lit("#chat-log")
        await lit("#payer-list")
        await pilot.press("f3")
        await settle(app, pilot)
        await lit("#gap-table")
        await review_first_contract(app, pilot)
        await lit("#review-table")
        await lit("#review-detail", unfocused="vkey")
        await open_list(app, pilot)
        await lit("#conversations-table")


def test_saved_turns_come_back_as_shown_with_talking_points_and_unreadable_answers_marked() -> None:
    from assistant.agent.answer import Answer, ToolCallRecord
    from assistant.agent.conversations import Turn as StoredTurn
    from assistant.ui.transcript import turns_from_store

    drafted = Answer(
        answer="1. Ask for 105% of Medicare.",
        tool_calls=[ToolCallRecord(id="c1", name="draft_talking_points", args={}, result={})],
        model="offline",
    )
    plain = Answer(answer="90 days.", model="offline")
    turns = turns_from_store(
        [
            StoredTurn("Draft talking points for our Aetna renewal", "Aetna", drafted.to_json()),
            StoredTurn("timely filing?", None, plain.to_json()),
            StoredTurn("old format", None, {"text": "no answer key"}),
        ]
    )
    assert [t.talking_points for t in turns] == [True, False, False]
    assert turns[0].answer == drafted and turns[0].tool_names == ["draft_talking_points"]
    assert turns[2].answer is None and turns[2].error is not None
