"""A long session stays as fast as a short one: 200 turns and view switches, with the app's
reactive watcher count and the time to handle a key measured early and late in the same run."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from test_ui_app import build, pilot_test, ui_services  # noqa: F401
from textual.app import App
from textual.widgets import TabbedContent

from assistant.agent.answer import Answer
from assistant.agent.events import AgentEvent, AnswerReady, ToolCallFinished, ToolCallStarted
from assistant.ui.widgets.chat import Chat

TURNS = int(os.environ.get("UI_LONG_TURNS", "200"))


class QuickAssistant:
    """One small tool call and an answer per turn, so 200 turns fit in a test run."""

    model_name = "quick-test-model"

    def new_conversation(self, title: str) -> str:
        return "conversation-1"

    def stream(
        self, question: str, conversation_id: str | None = None, payer: str | None = None
    ) -> Iterator[AgentEvent]:
        args = {"payer": "Aetna", "note": "[draft] " + "x" * 60 + "[bold"}
        yield ToolCallStarted("call-1", "rate_gap", args)
        yield ToolCallFinished("call-1", "rate_gap", {"payer": "Aetna", "total": "1.00"})
        yield AnswerReady(Answer(answer="[draft] noted.", citations=[], model=self.model_name))


def watcher_count(app: App[Any]) -> int:
    """Every registered reactive watcher in the app (the lists textual's data binding grows)."""
    nodes: list[Any] = [app]
    for screen in app.screen_stack:
        nodes += list(screen.walk_children(with_self=True))
    return sum(
        len(watchers) for node in nodes for watchers in getattr(node, "__watchers", {}).values()
    )


async def key_latency(pilot: Any, rounds: int = 7) -> float:
    """Seconds to switch views by key and back, the median of `rounds`."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        await pilot.press("f3")
        await pilot.press("f2")
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


@pytest.mark.slow
@pilot_test
async def test_two_hundred_turns_and_view_switches_keep_watchers_and_keys_flat(
    ui_services: Any,  # noqa: F811
) -> None:
    app = build(ui_services, QuickAssistant())
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        counts: list[int] = []
        early = 0.0
        for n in range(TURNS):
            await app.ask(f"[draft] turn {n}: which codes does Aetna underpay?")
            for tab in ("rates", "review", "chat"):
                app.action_show_tab(tab)
                await pilot.pause()
            if n % 20 == 19:
                await app.workers.wait_for_complete()
                await pilot.pause()
                # a short transcript, so that only leaked watchers (not layout) could slow keys
                chat = app.query_one(Chat)
                await chat.remove_children(list(chat.turns[:-2]))
                await pilot.pause()
                counts.append(watcher_count(app))
                if n == 19:
                    early = await key_latency(pilot)
        late = await key_latency(pilot)
        assert app.query_one(TabbedContent).active == "chat"
        assert len(app.turns) == TURNS
        last = app.query_one(Chat).turns[-1]
        assert "[draft] turn" in str(last.query_one(".question").content)  # type: ignore[attr-defined]

    # after the first sample the count must not climb with every turn and switch
    assert max(counts) - counts[0] <= 10, counts
    assert late / early < 3, (early, late)
