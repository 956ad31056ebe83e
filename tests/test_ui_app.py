"""Pilot tests of the app's flows: ask and read a cited answer, open the source, rates, review,
ingest and import with progress, export, errors as notifications."""

from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from textual.widgets import DataTable, Input, ProgressBar, Static

from assistant.agent.answer import Answer, Citation, ToolCallRecord
from assistant.agent.events import (
    AgentEvent,
    AnswerDelta,
    AnswerReady,
    ToolCallFinished,
    ToolCallStarted,
)
from assistant.errors import ServiceUnavailable
from assistant.tool_results import jsonable
from assistant.ui.app import PayerAssistantApp, make_app
from assistant.ui.screens.help import HelpScreen
from assistant.ui.screens.load import ImportScreen, IngestScreen
from assistant.ui.screens.passage import PassageScreen
from assistant.ui.widgets.chat import ChatTurn, CitationButton
from assistant.ui.widgets.prompt import PromptInput
from assistant.ui.widgets.rates_view import RatesView
from assistant.ui.widgets.review_view import EvidenceButton, ReviewView
from assistant.ui.widgets.sidebar import WorkspaceSidebar
from assistant.ui.widgets.tool_card import ToolCallCard

T = TypeVar("T")
SIZE = (120, 40)
QUOTE = (
    "Provider shall submit each claim to Payer within ninety (90) days after the date of service."
)
GAP_ROWS = [
    {"code": "99213", "modifier": "", "rate": "90.00", "benchmark_rate": "95.00",
     "pct_of_benchmark": 94.7, "units": 1200, "gap_per_unit": "5.00", "annual_gap": "6000.00"},
    {"code": "99214", "modifier": "25", "rate": "130.00", "benchmark_rate": "131.00",
     "pct_of_benchmark": 99.2, "units": 800, "gap_per_unit": "1.00", "annual_gap": "800.00"},
]  # fmt: skip


def pilot_test(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async Pilot test on a fresh event loop (no async pytest plugin needed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


class ScriptedAssistant:
    """A stand-in for the agent: one tool call, a streamed answer citing the Aetna contract."""

    model_name = "scripted-test-model"

    def __init__(self, fail: Exception | None = None) -> None:
        self.fail = fail
        self.questions: list[tuple[str, str | None, str | None]] = []
        self.conversations: list[str] = []

    def new_conversation(self, title: str) -> str:
        self.conversations.append(title)
        return f"conversation-{len(self.conversations)}"

    def stream(
        self, question: str, conversation_id: str | None = None, payer: str | None = None
    ) -> Iterator[AgentEvent]:
        self.questions.append((question, conversation_id, payer))
        if self.fail is not None:
            raise self.fail
        args = {"payer": payer or "Aetna", "benchmark": "medicare"}
        result = {"payer": "Aetna", "benchmark": "medicare", "rows": GAP_ROWS,
                  "total_annual_gap": "6800.00"}  # fmt: skip
        yield ToolCallStarted("call-1", "rate_gap", args)
        yield ToolCallFinished("call-1", "rate_gap", result)
        text = "Aetna requires claims **within 90 days** of service [1]. The gap is $6,800.00."
        for start in range(0, len(text), 20):
            yield AnswerDelta(text[start : start + 20])
        yield AnswerReady(
            Answer(
                answer=text,
                citations=[
                    Citation(
                        source="aetna-agreement.md", page=None, section="3.2 Timely Filing",
                        quote=QUOTE,
                    )
                ],
                tool_calls=[ToolCallRecord(id="call-1", name="rate_gap", args=args, result=result)],
                model=self.model_name,
            )
        )  # fmt: skip


def load_demo_rates_and_contract(services: Any) -> None:
    """The demo practice's rates and the Aetna demo contract (hashing embedder: fast)."""
    from assistant.demo import demo_contracts_dir
    from assistant.rates.demo import load_demo_practice

    load_demo_practice(services.conn)
    outcomes = services.ingestor().ingest(
        [demo_contracts_dir() / "aetna-agreement.md"], payer="Aetna", kind="contract"
    )
    assert [o.status for o in outcomes] == ["added"]


@pytest.fixture
def ui_services(fake_services: Any) -> Any:
    load_demo_rates_and_contract(fake_services)
    return fake_services


def build(services: Any, assistant: Any = None) -> PayerAssistantApp:
    return make_app(services.settings, services, assistant or ScriptedAssistant())


async def settle(app: PayerAssistantApp, pilot: Any) -> None:
    """Wait for every worker, then for the messages they posted to be handled."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def open_screen(app: PayerAssistantApp, pilot: Any, key: str, kind: type[T]) -> T:
    """Press `key` once the app has settled; the screen it opens, checked to be a `kind`."""
    await settle(app, pilot)
    await pilot.press(key)
    await pilot.pause()
    assert isinstance(app.screen, kind)
    return app.screen


async def review_first_contract(app: PayerAssistantApp, pilot: Any) -> ReviewView:
    """The Review view showing the workspace's first contract."""
    await settle(app, pilot)
    assert app.summary is not None
    app.action_review(app.summary.of_kind("contract")[0].doc_id)
    await settle(app, pilot)
    return app.query_one(ReviewView)


async def ask(app: PayerAssistantApp, pilot: Any, question: str) -> ChatTurn:
    app.query_one(PromptInput).focus()
    await pilot.press(*question, "enter")
    await settle(app, pilot)
    return app.query(ChatTurn).last()


@pilot_test
async def test_question_streams_a_cited_answer_with_a_tool_card(ui_services: Any) -> None:
    assistant = ScriptedAssistant()
    app = build(ui_services, assistant)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        turn = await ask(app, pilot, "timely filing with Aetna?")

        assert assistant.questions == [("timely filing with Aetna?", "conversation-1", "Aetna")]
        assert "within 90 days" in turn.answer_view.source
        assert "[\\[1\\]](cite:1)" in turn.answer_view.source
        button = turn.query_one(CitationButton)
        assert str(button.label) == "[1] aetna-agreement.md, § 3.2 Timely Filing"
        card = turn.query_one(ToolCallCard)
        assert card.title.plain.endswith("2 rows")
        table = card.query_one(DataTable)
        assert table.row_count == 2
        assert [str(c.label) for c in table.columns.values()][:3] == [
            "Code",
            "Rate",
            "Benchmark",
        ]
        assert str(table.get_row_at(1)[0]) == "99214-25"
        assert str(table.get_row_at(0)[-1]) == "$6,000.00"
        assert app.turns[0].answer is not None
        assert app.query_one("#model-name", Static).content == "scripted-test-model"  # type: ignore[attr-defined]


@pilot_test
async def test_prompt_history_walks_back_and_forward(ui_services: Any) -> None:
    app = build(ui_services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, "first")
        await ask(app, pilot, "second")
        prompt = app.query_one(PromptInput)
        await pilot.press(*"draft")
        await pilot.press("up")
        assert prompt.input.value == "second"
        await pilot.press("up", "up")
        assert prompt.input.value == "first"
        await pilot.press("down")
        assert prompt.input.value == "second"
        await pilot.press("down")
        assert prompt.input.value == "draft"


@pilot_test
async def test_citation_opens_the_page_with_the_quote_highlighted(ui_services: Any) -> None:
    app = build(ui_services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        turn = await ask(app, pilot, "timely filing?")
        turn.query_one(CitationButton).press()
        await settle(app, pilot)

        screen = app.screen
        assert isinstance(screen, PassageScreen)
        assert screen.passage is not None
        start, end = screen.passage.span or (0, 0)
        assert " ".join(screen.passage.text[start:end].split()) == QUOTE
        assert "3.2 Timely Filing" in str(screen.query_one("#passage-title", Static).content)
        await pilot.press("escape")
        assert not isinstance(app.screen, PassageScreen)


@pilot_test
async def test_citation_marker_link_opens_the_passage(ui_services: Any) -> None:
    app = build(ui_services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        turn = await ask(app, pilot, "timely filing?")
        turn.answer_view.post_message(turn.answer_view.LinkClicked(turn.answer_view, "cite:1"))
        await settle(app, pilot)
        assert isinstance(app.screen, PassageScreen)
        assert app.screen.citation.quote == QUOTE


@pytest.mark.parametrize(
    ("failure", "shown"),
    [
        (ServiceUnavailable("Cannot reach ollama at localhost", "start it with `ollama serve`"),
         "start it with `ollama serve`"),
        (RuntimeError("boom"), "the model failed: boom"),
    ],
)  # fmt: skip
@pilot_test
async def test_a_failed_model_call_is_reported_and_the_app_keeps_going(
    ui_services: Any, failure: Exception, shown: str
) -> None:
    assistant = ScriptedAssistant(fail=failure)
    app = build(ui_services, assistant)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        turn = await ask(app, pilot, "anything")
        status = str(turn.query_one(".status", Static).content)
        assert shown in status
        assert app.turns[0].error is not None
        assistant.fail = None
        second = await ask(app, pilot, "again")
        assert "within 90 days" in second.answer_view.source
        assert [c for _, c, _ in assistant.questions] == ["conversation-1"] * 2
        assert assistant.conversations == ["anything"]


@pilot_test
async def test_missing_agent_says_what_to_do(
    ui_services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "assistant.agent.factory", None)
    app = make_app(ui_services.settings, ui_services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        turn = await ask(app, pilot, "anything")
        status = str(turn.query_one(".status", Static).content)
        assert "not installed" in status
        assert "Rates and Review views still work" in status


@pilot_test
async def test_sidebar_lists_payers_documents_benchmarks_and_index(ui_services: Any) -> None:
    app = build(ui_services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sidebar = app.query_one(WorkspaceSidebar)
        payers = sidebar.query_one("#payer-list")
        names = [payers.get_option_at_index(i).id for i in range(payers.option_count)]  # type: ignore[attr-defined]
        assert names == ["Aetna", "Blue Cross", "Cigna", "UnitedHealthcare"]
        assert "aetna-agreement.md" in str(sidebar.query_one("#doc-list", Static).content)
        rates = str(sidebar.query_one("#rate-list", Static).content)
        assert "medicare (medicare" in rates and "ohio-market (market" in rates
        assert "search: ready" in str(sidebar.query_one("#index-status", Static).content)
        assert app.payer == "Aetna"


@pilot_test
async def test_rates_view_gap_sorts_and_models_a_proposal(ui_services: Any) -> None:
    from assistant.agent.tools import ToolBox
    from assistant.rates import service
    from assistant.rates.money import money_display

    expected = service.gap(ui_services.conn, "Aetna").to_json()["rows"]
    app = build(ui_services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f3")
        await settle(app, pilot)
        view = app.query_one(RatesView)
        table = view.query_one("#gap-table", DataTable)
        assert table.row_count == len(expected)
        biggest = max(expected, key=lambda r: float(r["annual_gap"]))
        assert str(table.get_row_at(0)[0]).startswith(biggest["code"])
        assert "Annual gap" in str(view.query_one("#gap-summary", Static).content)

        await pilot.click("#gap-table", offset=(2, 0))  # the Code header
        await pilot.pause()
        codes = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert codes == sorted(codes)

        view.query_one("#proposal-input").focus()
        await pilot.press("3", "enter")
        await settle(app, pilot)
        proposal = view.query_one("#proposal-table", DataTable)
        assert proposal.display and proposal.row_count > 0
        assert "+3.00%" in str(view.query_one("#proposal-summary", Static).content)

        # The panel reads 'E/M +3%' as the agent's model tool reads office-em=3.
        view.query_one("#proposal-input", Input).value = ""
        await pilot.press(*"E/M +3%", "enter")
        await settle(app, pilot)
        summary = " ".join(str(view.query_one("#proposal-summary", Static).content).split())
        tool = jsonable(ToolBox(ui_services).model_proposal("Aetna", carve_outs=["office-em=3"]))
        assert money_display(tool["total_delta"]) in summary and tool["proposal"] in summary


@pilot_test
async def test_rates_view_reports_a_bad_proposal(ui_services: Any) -> None:
    app = build(ui_services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f3")
        await settle(app, pilot)
        app.query_one("#proposal-input").focus()
        await pilot.press(*"lots", "enter")
        await settle(app, pilot)
        messages = [n.message for n in app._notifications]
        assert any("is not a percent" in m and "→" in m for m in messages)


@pilot_test
async def test_review_view_shows_the_checklist_with_evidence(ui_services: Any) -> None:
    app = build(ui_services)
    async with app.run_test(size=SIZE) as pilot:
        view = await review_first_contract(app, pilot)
        assert view.review is not None
        table = view.query_one("#review-table", DataTable)
        assert table.row_count == len(view.review.items) > 5
        statuses = {item.status for item in view.review.items}
        assert "present" in statuses
        item = next(i for i in view.review.items if i.id == "timely_filing")
        row = table.get_row("timely_filing")
        assert str(row[1]) == item.name and "90" in str(row[2])
        table.move_cursor(row=table.get_row_index("timely_filing"))
        await pilot.pause()
        evidence = view.query(EvidenceButton).first()
        assert "ninety (90) days" in evidence.citation.quote
        evidence.press()
        await settle(app, pilot)
        assert isinstance(app.screen, PassageScreen) and app.screen.passage is not None
        assert app.screen.passage.span is not None


@pilot_test
async def test_ingest_shows_progress_and_reports_a_bad_file(
    ui_services: Any, tmp_path: Path
) -> None:
    good = tmp_path / "humana-agreement.txt"
    good.write_text("1. Timely Filing\nClaims must be filed within 120 days of service.\n")
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not really a pdf")
    app = build(ui_services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(app, pilot, "ctrl+o", IngestScreen)
        screen.query_one("#paths").value = f"{good} {bad}"  # type: ignore[attr-defined]
        screen.query_one("#payer").value = "Humana"  # type: ignore[attr-defined]
        await pilot.click("#start")
        await settle(app, pilot)
        bar = screen.query_one("#progress", ProgressBar)
        assert bar.total == bar.progress == 2
        results = str(screen.query_one("#results", Static).content)
        assert "added humana-agreement.txt" in " ".join(results.split())
        assert "failed broken.pdf" in " ".join(results.split())
        assert any(n.severity == "error" for n in app._notifications)
        await pilot.press("escape")
        await settle(app, pilot)
        assert "humana-agreement.txt" in str(app.query_one("#doc-list", Static).content)


@pilot_test
async def test_import_fees_adds_the_payer_and_a_missing_file_is_explained(
    ui_services: Any, tmp_path: Path
) -> None:
    fees = tmp_path / "humana.csv"
    fees.write_text("code,modifier,rate\n99213,,88.00\n99214,,121.50\n")
    app = build(ui_services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(app, pilot, "ctrl+r", ImportScreen)
        screen.query_one("#file").value = str(tmp_path / "nope.csv")  # type: ignore[attr-defined]
        screen.query_one("#name").value = "Humana"  # type: ignore[attr-defined]
        await pilot.click("#start")
        await settle(app, pilot)
        assert any("File not found" in n.message for n in app._notifications)
        screen.query_one("#file").value = str(fees)  # type: ignore[attr-defined]
        await pilot.click("#start")
        await settle(app, pilot)
        assert "Imported 2 rates for Humana" in str(screen.query_one("#results", Static).content)
        await pilot.press("escape")
        await settle(app, pilot)
        assert "Humana" in app._payer_names()


@pilot_test
async def test_import_dialog_offers_the_cli_options_and_imports_as_the_cli_does(
    ui_services: Any, tmp_path: Path, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from textual.widgets import Select

    from assistant.cli import main
    from assistant.rates.store import RateStore
    from assistant.workspace import Workspace

    rvu = shared_data / "cms_pfs" / "2026" / "PPRRVU2026_Jul_nonQPP.csv"
    gpci = shared_data / "cms_pfs" / "2026" / "GPCI2026.csv"
    app = build(ui_services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(app, pilot, "ctrl+r", ImportScreen)
        assert screen.query_one("#opt-effective").display
        assert not screen.query_one("#opt-gpci").display
        screen.query_one("#import-kind", Select).value = "medicare"
        await pilot.pause()
        assert screen.query_one("#opt-gpci").display and screen.query_one("#opt-locality").display
        assert not screen.query_one("#opt-effective").display
        screen.query_one("#file").value = str(rvu)  # type: ignore[attr-defined]
        screen.query_one("#name").value = "medicare-ohio"  # type: ignore[attr-defined]
        screen.query_one("#gpci").value = str(gpci)  # type: ignore[attr-defined]
        screen.query_one("#locality").value = "OH-00"  # type: ignore[attr-defined]
        await pilot.click("#start")
        await settle(app, pilot)
        assert "Imported" in str(screen.query_one("#results", Static).content)

    cli_ws = tmp_path / "cli"
    with pytest.raises(SystemExit):
        main(["--workspace", str(cli_ws), "import", "medicare", str(rvu), "--gpci", str(gpci)]
             + ["--locality", "OH-00", "--name", "medicare-ohio"])  # fmt: skip
    capsys.readouterr()
    conn = Workspace(cli_ws).connect()
    try:
        by_cli = RateStore(conn).benchmark_rates("medicare-ohio")
    finally:
        conn.close()
    by_app = RateStore(ui_services.conn).benchmark_rates("medicare-ohio")
    national = RateStore(ui_services.conn).benchmark_rates("medicare")
    assert by_app == by_cli and by_app[1] != national[1]


@pilot_test
async def test_export_writes_conversation_and_talking_points(ui_services: Any) -> None:
    app = build(ui_services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.action_export_talking_points()
        await pilot.pause()
        assert any("No talking points drafted yet" in n.message for n in app._notifications)
        await ask(app, pilot, "timely filing?")
        await pilot.press("ctrl+e")
        await pilot.pause()
        exports = ui_services.workspace.exports_path
        written = sorted(exports.glob("conversation-*.md"))
        assert len(written) == 1
        text = written[0].read_text()
        assert "## timely filing?" in text
        assert "within 90 days" in text
        assert f"[1] aetna-agreement.md, § 3.2 Timely Filing: “{QUOTE}”" in text

        await pilot.press("ctrl+t")
        await settle(app, pilot)
        assert app.turns[-1].question == "Draft talking points for our Aetna renewal"
        app.action_export_talking_points()
        points = (exports / "talking-points-aetna.md").read_text()
        assert points.startswith("# Talking points: Aetna\n")
        assert "**Sources**" in points


@pilot_test
async def test_palette_offers_the_main_actions(ui_services: Any) -> None:
    app = build(ui_services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in (
            "Ingest documents",
            "Import rates data",
            "Switch payer: Cigna",
            "Review: aetna-agreement.md",
            "Talking points: Aetna",
            "Export conversation",
            "Export talking points",
            "Key bindings",
        ):
            assert title in titles
        switch = next(
            c for c in app.get_system_commands(app.screen) if c.title == "Switch payer: Cigna"
        )
        switch.callback()
        assert app.payer == "Cigna"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Switch payer: Blue")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.payer == "Blue Cross"


@pilot_test
async def test_help_lists_the_bindings(ui_services: Any) -> None:
    app = build(ui_services)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        from assistant.ui.screens.help import KEYS

        keys = {k for k, _ in KEYS}
        for binding in app.BINDINGS:
            assert any(binding.key.lower() in k.lower() for k in keys), binding.key  # type: ignore[union-attr]
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


def test_help_names_every_key_of_each_view() -> None:
    """Keys that live in one view (sorting, the conversation list) are listed in its row."""
    from assistant.ui.screens.confirm import ConfirmScreen
    from assistant.ui.screens.conversations import ConversationsScreen
    from assistant.ui.screens.help import VIEW_KEYS
    from assistant.ui.widgets.rates_view import GapTable

    rows = dict(VIEW_KEYS)
    for view, owner in [
        ("Rates", GapTable),
        ("Conversations (F6)", ConversationsScreen),
        ("Conversations (F6)", ConfirmScreen),
    ]:
        words = set(rows[view].replace(",", " ").replace(":", " ").lower().split())
        for binding in owner.BINDINGS:
            assert not isinstance(binding, tuple)
            if binding.show and binding.key.split(",")[0] not in ("escape", "enter", "left"):
                assert binding.key.split(",")[0] in words, (view, binding.key)


def test_chart_shows_the_largest_gaps_either_way_largest_on_top() -> None:
    from assistant.ui.widgets.rates_view import CHART_CODES, chart_series

    rows = [
        {"code": f"9{i:04d}", "modifier": "", "annual_gap": str(gap)}
        for i, gap in enumerate([5, -300, 40, 1, 0, 299.5, -2, 7, 8, 9, 10, 11, 12, 13])
    ]
    rows.append({"code": "99213", "modifier": "25", "annual_gap": "-1000.00"})
    labels, values = chart_series(rows)
    assert len(labels) == CHART_CODES == 12
    assert labels[-1] == "99213-25" and values[-1] == -1000.0  # largest magnitude on top
    assert labels[-2:-4:-1] == ["90001", "90005"]  # then -300, then 299.5
    assert "90004" not in labels and "90003" not in labels  # the smallest gaps are left out
