"""How each screen looks at 80x24 (sidebar hidden, review as a detail pane) and 160x48: chat
with a cited answer, a tool card, rates, review, the cited passage, help, a welcome example
whose caption holds brackets, the saved conversations, deleting one, and a reopened one
(pytest-textual-snapshot; update with --snapshot-update)."""

# ruff: noqa: F811 (the ui_services fixture is imported by name)
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from test_ui_app import (  # noqa: F401
    ScriptedAssistant,
    ask,
    build,
    review_first_contract,
    settle,
    ui_services,
)
from test_ui_conversations import SavingAssistant, with_conversations  # noqa: F401
from textual.pilot import Pilot
from textual.widgets import Input

from assistant.ui.widgets.chat import CitationButton
from assistant.ui.widgets.tool_card import ToolCallCard

SIZES = pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])


async def steady(pilot: Pilot[None]) -> None:
    """No blinking cursors: a screenshot must not depend on when it is taken."""
    for app_input in pilot.app.query(Input):
        app_input.cursor_blink = False
    for screen in pilot.app.screen_stack:
        for screen_input in screen.query(Input):
            screen_input.cursor_blink = False
    await pilot.pause()


def steadied(
    run_before: Callable[[Pilot[None]], Awaitable[None]],
) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        await run_before(pilot)
        await steady(pilot)

    return run


@SIZES
def test_chat_with_a_cited_answer(
    snap_compare: Any, ui_services: Any, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot.app, pilot)  # type: ignore[arg-type]
        await ask(pilot.app, pilot, "What is our timely filing limit with Aetna?")  # type: ignore[arg-type]

    assert snap_compare(build(ui_services), terminal_size=size, run_before=steadied(run_before))


@SIZES
def test_chat_tool_card_expanded(
    snap_compare: Any, ui_services: Any, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot.app, pilot)  # type: ignore[arg-type]
        await ask(pilot.app, pilot, "Which codes does Aetna underpay?")  # type: ignore[arg-type]
        pilot.app.query_one(ToolCallCard).collapsed = False
        await settle(pilot.app, pilot)  # type: ignore[arg-type]
        await pilot.wait_for_scheduled_animations()
        pilot.app.query_one("#chat-log").scroll_end(animate=False)
        await pilot.pause()

    assert snap_compare(build(ui_services), terminal_size=size, run_before=steadied(run_before))


@SIZES
def test_rates_view(snap_compare: Any, ui_services: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot.app, pilot)  # type: ignore[arg-type]
        await pilot.press("f3")
        await settle(pilot.app, pilot)  # type: ignore[arg-type]
        pilot.app.query_one("#proposal-input").focus()
        await pilot.press("3", "enter")
        await settle(pilot.app, pilot)  # type: ignore[arg-type]
        while not pilot.app.query("#gap-chart"):  # mounted once plotext is imported
            await pilot.pause()
        await settle(pilot.app, pilot)  # type: ignore[arg-type]
        # plotext thins the axis labels by the size it was last drawn at, which races with
        # layout: the chart's bars are checked in test_ui_app (chart_series), not by pixels.
        pilot.app.query_one("#gap-chart").styles.visibility = "hidden"
        await pilot.pause()

    assert snap_compare(build(ui_services), terminal_size=size, run_before=steadied(run_before))


@SIZES
def test_review_view(snap_compare: Any, ui_services: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await review_first_contract(pilot.app, pilot)  # type: ignore[arg-type]

    assert snap_compare(build(ui_services), terminal_size=size, run_before=steadied(run_before))


@SIZES
def test_cited_passage(snap_compare: Any, ui_services: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot.app, pilot)  # type: ignore[arg-type]
        turn = await ask(pilot.app, pilot, "timely filing?")  # type: ignore[arg-type]
        turn.query_one(CitationButton).press()
        await settle(pilot.app, pilot)  # type: ignore[arg-type]
        await pilot.pause()

    assert snap_compare(build(ui_services), terminal_size=size, run_before=steadied(run_before))


@SIZES
def test_help_screen(snap_compare: Any, ui_services: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.press("f1")

    assert snap_compare(build(ui_services), terminal_size=size, run_before=steadied(run_before))


@SIZES
def test_welcome_example_with_brackets(
    snap_compare: Any,
    ui_services: Any,
    size: tuple[int, int],
) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot.app, pilot)  # type: ignore[arg-type]
        await ask(pilot.app, pilot, "[draft] Aetna offers 3% on E/M only: what is that worth?")  # type: ignore[arg-type]

    assert snap_compare(build(ui_services), terminal_size=size, run_before=steadied(run_before))


CONVERSATION_STATES = pytest.mark.parametrize(
    "keys", [(), ("d",), ("enter",)], ids=["list", "delete-asks-first", "reopened"]
)


@SIZES
@CONVERSATION_STATES
def test_conversations(
    snap_compare: Any, with_conversations: Any, size: tuple[int, int], keys: tuple[str, ...]
) -> None:
    """F6's list; `d` on it (the confirmation); Enter on it (the reopened conversation)."""

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot.app, pilot)  # type: ignore[arg-type]
        await pilot.press("f6")
        await settle(pilot.app, pilot)  # type: ignore[arg-type]
        await pilot.press(*keys)
        await settle(pilot.app, pilot)  # type: ignore[arg-type]

    app = build(with_conversations, SavingAssistant(with_conversations))
    assert snap_compare(app, terminal_size=size, run_before=steadied(run_before))
