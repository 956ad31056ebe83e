"""The Textual app behind `payer-assistant chat` and `make demo`: `make_app` and `run_app`."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.lazy import Lazy
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Header, TabbedContent, TabPane

from assistant.config import OFFLINE_MODEL, Settings
from assistant.errors import AssistantError
from assistant.ui.guard import guarded
from assistant.ui.transcript import (
    Turn,
    conversation_markdown,
    talking_points_markdown,
    turns_from_store,
    write_export,
)
from assistant.ui.widgets.chat import Chat, ChatTurn
from assistant.ui.widgets.footer import KeyFooter
from assistant.ui.widgets.negotiations_view import NegotiationsView
from assistant.ui.widgets.prompt import PromptInput
from assistant.ui.widgets.rates_view import RatesView
from assistant.ui.widgets.review_view import ReviewView
from assistant.ui.widgets.sidebar import WorkspaceSidebar
from assistant.ui.workspace_data import WorkspaceSummary, slug, summarise

if TYPE_CHECKING:
    from assistant.agent.answer import Citation
    from assistant.agent.events import Assistant
    from assistant.services import Services
    from assistant.ui.screens.conversations import ConversationsScreen, Picked

SIDEBAR_MIN_WIDTH = 100
"""Below this many columns the sidebar starts hidden (Ctrl+B shows it)."""
UNEXPECTED_HINT = "try again; if it keeps happening, restart with --model offline"


def model_label(model: str) -> str:
    return "offline (built in, no network)" if model == OFFLINE_MODEL else model


class PayerAssistantApp(App[None]):
    """Chat with cited answers, the workspace at a glance, rates and contract review."""

    TITLE = "Payer Assistant"
    CSS_PATH = "styles/app.tcss"
    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("f2", "show_tab('chat')", "Chat"),
        Binding("f3", "show_tab('rates')", "Rates"),
        Binding("f4", "show_tab('review')", "Review"),
        Binding("f5", "show_tab('negotiations')", "Negotiations"),
        Binding("f6", "conversations", "Conversations"),
        # Not a priority binding: on the conversation list, the list's own Ctrl+N also closes it.
        Binding("ctrl+n", "new_conversation", "New chat"),
        Binding("ctrl+o", "ingest", "Ingest", priority=True),
        Binding("ctrl+r", "import_data", "Import", priority=True),
        Binding("ctrl+t", "talking_points", "Talking points", priority=True),
        Binding("ctrl+e", "export", "Export", priority=True),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", priority=True),
        Binding("ctrl+l", "focus_prompt", "Prompt", show=False),
    ]

    payer: reactive[str | None] = reactive(None)

    @dataclass
    class WorkspaceLoaded(Message):
        summary: WorkspaceSummary

    @dataclass
    class IndexStatusChanged(Message):
        status: str

    @dataclass
    class AssistantReady(Message):
        model_name: str

    @dataclass
    class ConversationLoaded(Message):
        """A saved conversation was read, to show in the chat and continue."""

        conversation_id: str
        title: str
        turns: list[Turn]

    @dataclass
    class WorkFailed(Message):
        """Background work failed; shown as a notification saying what to do next."""

        title: str
        message: str
        hint: str | None

    def __init__(
        self, settings: Settings, services: Services, assistant: Assistant | None = None
    ) -> None:
        super().__init__()
        self.settings = settings
        self.services = services
        self.assistant = assistant
        self.conversation_id: str | None = None
        """The conversation questions go to; None until the first question of a new one."""
        self._conversation_epoch = 0
        """Bumped when the chat switches conversation, so an answer still running for the old
        one does not adopt the conversation it creates as the open one."""
        self.turns: list[Turn] = []
        self.summary: WorkspaceSummary | None = None
        self._sidebar_choice: bool | None = None
        """Ctrl+B's last choice; until then the sidebar shows only at 100 columns or more."""
        self._assistant_lock = threading.Lock()
        self._ask_lock = threading.Lock()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: Any = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Notifications carry file names, payer names and error text: literal, never markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    # Layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            model = self.assistant.model_name if self.assistant else self.settings.model
            yield WorkspaceSidebar(self.settings.workspace.name, model_label(model), id="sidebar")
            with TabbedContent(initial="chat", id="views"):
                with TabPane("Chat", id="chat"), Vertical(id="chat-pane"):
                    yield Chat(id="chat-log")
                    yield PromptInput(
                        placeholder="Ask about your contracts and rates, Enter to send",
                        id="prompt",
                    )
                # Mounted just after the first paint: the chat is what shows first.
                with TabPane("Rates", id="rates"):
                    yield Lazy(RatesView(self.services, id="rates-view"))
                with TabPane("Review", id="review"):
                    yield Lazy(ReviewView(self.services, id="review-view"))
                with TabPane("Negotiations", id="negotiations"):
                    yield Lazy(NegotiationsView(self.services, id="negotiations-view"))
        yield KeyFooter()

    def on_mount(self) -> None:
        self._fit_sidebar(self.size.width)
        self.sub_title = self.settings.workspace.name
        self.query_one(PromptInput).focus()
        # Everything that touches the disk or loads a model starts after the first paint.
        self.call_after_refresh(self._start_background_work)

    def _start_background_work(self) -> None:
        self.refresh_workspace()
        self._warm_up()

    # Background work ------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="summary")
    def refresh_workspace(self) -> None:
        summary = guarded(
            lambda: summarise(self.services),
            lambda message, hint: self.post_message(self.WorkFailed("Workspace", message, hint)),
            "Cannot read the workspace",
        )
        if summary is not None:
            self.post_message(self.WorkspaceLoaded(summary))

    @work(thread=True, exclusive=True, group="warm-up")
    def _warm_up(self) -> None:
        self.post_message(self.IndexStatusChanged("loading the embedding model…"))
        try:
            self.services.embedder  # noqa: B018 (opening it is the point)
            self.services.index  # noqa: B018
        except AssistantError as error:
            self.post_message(self.IndexStatusChanged(f"unavailable: {error.message}"))
            self.post_message(self.WorkFailed("Search index", error.message, error.hint))
            return
        except Exception as error:
            self.post_message(self.IndexStatusChanged("unavailable"))
            self.post_message(self.WorkFailed("Search index", str(error), UNEXPECTED_HINT))
            return
        self.post_message(self.IndexStatusChanged("ready"))
        try:
            assistant = self._get_assistant()
        except Exception:
            return  # reported when a question is asked
        self.post_message(self.AssistantReady(assistant.model_name))

    def _get_assistant(self) -> Assistant:
        with self._assistant_lock:
            if self.assistant is None:
                try:
                    from assistant.agent.factory import make_assistant
                except ImportError as error:
                    raise AssistantError(
                        "The answering agent is not installed in this build",
                        "update payer-assistant; the Rates and Review views still work",
                    ) from error
                self.assistant = make_assistant(self.services, model=self.settings.model)
            return self.assistant

    @work(thread=True, group="ask")
    def _ask(self, view: ChatTurn, question: str, payer: str | None, epoch: int) -> None:
        with self._ask_lock:
            try:
                assistant = self._get_assistant()
                conversation_id = self.conversation_id
                if epoch != self._conversation_epoch:
                    return  # the user moved to another conversation while this one waited
                if conversation_id is None:
                    # Follow-ups ("and for UHC?") go to the same conversation and keep context.
                    conversation_id = assistant.new_conversation(question[:80])
                    if epoch == self._conversation_epoch:
                        self.conversation_id = conversation_id
                for event in assistant.stream(question, conversation_id, payer):
                    view.post_message(ChatTurn.EventReceived(event))
            except AssistantError as error:
                view.post_message(ChatTurn.Failed(error.message, error.hint))
            except Exception as error:
                view.post_message(ChatTurn.Failed(f"the model failed: {error}", UNEXPECTED_HINT))

    # Messages -------------------------------------------------------------------------------

    def on_payer_assistant_app_workspace_loaded(self, message: WorkspaceLoaded) -> None:
        summary = self.summary = message.summary
        self.query_one(WorkspaceSidebar).show_summary(summary, self.payer)
        self._update_index_status()
        self._fill_views()
        payers = [p.name for p in summary.payers if p.fee_schedule]
        if self.payer is None and payers:
            self.payer = payers[0]

    def _fill_views(self) -> None:
        """Give the rates and review views the workspace's choices (whichever mounted)."""
        if self.summary is None:
            return
        payers = [p.name for p in self.summary.payers if p.fee_schedule]
        for rates in self.query(RatesView):
            rates.set_choices(payers, self.summary.benchmark_specs)
        for review in self.query(ReviewView):
            review.set_documents(self.summary.of_kind("contract", "template"))

    def on_rates_view_view_ready(self, message: RatesView.ViewReady) -> None:
        self._fill_views()
        if self.query_one(TabbedContent).active == "rates":
            self.query_one(RatesView).show_payer(self.payer)

    def on_review_view_view_ready(self, message: ReviewView.ViewReady) -> None:
        self._fill_views()

    def on_payer_assistant_app_index_status_changed(self, message: IndexStatusChanged) -> None:
        self._index_state = message.status
        self._update_index_status()

    def _update_index_status(self) -> None:
        state = getattr(self, "_index_state", "opening…")
        if self.summary is not None:
            docs = len(self.summary.documents)
            state = f"{docs} documents, {self.summary.chunks} chunks\nsearch: {state}"
        self.query_one(WorkspaceSidebar).set_index_status(state)

    def on_payer_assistant_app_assistant_ready(self, message: AssistantReady) -> None:
        self.query_one(WorkspaceSidebar).set_model(model_label(message.model_name))

    def on_payer_assistant_app_work_failed(self, message: WorkFailed) -> None:
        self.show_error(message.title, message.message, message.hint)

    def show_error(self, title: str, message: str, hint: str | None) -> None:
        self.notify(
            message + (f"\n→ {hint}" if hint else ""), title=title, severity="error", timeout=10
        )

    async def on_prompt_input_submitted(self, message: PromptInput.Submitted) -> None:
        await self.ask(message.question)

    async def ask(self, question: str, *, talking_points: bool = False) -> ChatTurn:
        """Start a turn in the chat and answer it in a worker."""
        self.action_show_tab("chat")
        turn = Turn(question, payer=self.payer, talking_points=talking_points)
        self.turns.append(turn)
        view = await self.query_one(Chat).add_turn(turn)
        self._ask(view, question, self.payer, self._conversation_epoch)
        return view

    # Conversations ----------------------------------------------------------------------------

    def action_conversations(self) -> None:
        from assistant.ui.screens.conversations import ConversationsScreen

        self.push_screen(ConversationsScreen(self.services, self.conversation_id), self._picked)

    def _picked(self, picked: Picked | None) -> None:
        if picked is None:
            return
        if picked.conversation_id is None:
            self.run_worker(self.new_conversation(), group="conversation")
        else:
            self.open_conversation(picked.conversation_id)

    async def action_new_conversation(self) -> None:
        await self.new_conversation()

    async def new_conversation(self) -> None:
        """An empty chat; the next question starts a new saved conversation."""
        self._conversation_epoch += 1
        self.conversation_id = None
        self.turns = []
        await self.query_one(Chat).show_conversation(None, [])
        self.action_focus_prompt()

    @work(thread=True, exclusive=True, group="conversation")
    def open_conversation(self, conversation_id: str) -> None:
        """Read a saved conversation and show it in the chat; questions then continue it."""
        from assistant.agent.conversations import ConversationStore

        def read() -> PayerAssistantApp.ConversationLoaded:
            store = ConversationStore(self.services.conn)
            store.require(conversation_id)
            info = next(c for c in store.list() if c.id == conversation_id)
            turns = turns_from_store(store.turns(conversation_id))
            return self.ConversationLoaded(conversation_id, info.title, turns)

        loaded = guarded(
            read,
            lambda message, hint: self.post_message(self.WorkFailed("Conversation", message, hint)),
            "Cannot open the conversation",
        )
        if loaded is not None:
            self.post_message(loaded)

    async def on_payer_assistant_app_conversation_loaded(self, message: ConversationLoaded) -> None:
        self._conversation_epoch += 1
        self.conversation_id = message.conversation_id
        self.turns = list(message.turns)
        await self.query_one(Chat).show_conversation(message.title, self.turns)
        # Follow-ups mean the payer the conversation was last about.
        payers = [t.payer for t in self.turns if t.payer]
        if payers:
            self.payer = payers[-1]
        self.action_focus_prompt()

    def on_conversations_screen_deleted(self, message: ConversationsScreen.Deleted) -> None:
        if message.conversation_id == self.conversation_id:
            self.run_worker(self.new_conversation(), group="conversation")

    def on_chat_citation_selected(self, message: Chat.CitationSelected) -> None:
        self.open_citation(message.citation)

    def on_review_view_evidence_selected(self, message: ReviewView.EvidenceSelected) -> None:
        self.open_citation(message.citation)

    def open_citation(self, citation: Citation) -> None:
        from assistant.ui.screens.passage import PassageScreen

        self.push_screen(PassageScreen(self.services, citation))

    def on_rates_view_load_failed(self, message: RatesView.LoadFailed) -> None:
        self.show_error("Rates", message.message, message.hint)

    def on_review_view_load_failed(self, message: ReviewView.LoadFailed) -> None:
        self.show_error("Review", message.message, message.hint)

    def on_rates_view_payer_changed(self, message: RatesView.PayerChanged) -> None:
        self.payer = message.payer

    def on_workspace_sidebar_payer_chosen(self, message: WorkspaceSidebar.PayerChosen) -> None:
        self.payer = message.payer

    def watch_payer(self, payer: str | None) -> None:
        self.sub_title = self.settings.workspace.name + (f" · {payer}" if payer else "")
        self.query_one(WorkspaceSidebar).highlight_payer(payer)
        if self.query_one(TabbedContent).active == "rates":
            for rates in self.query(RatesView):
                rates.show_payer(payer)

    @on(TabbedContent.TabActivated)
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "rates":
            for rates in self.query(RatesView):
                rates.show_payer(self.payer)
                rates.query_one("#gap-table").focus()
        elif event.pane.id == "review":
            for review in self.query(ReviewView):
                review.query_one("#review-table" if review.review else "#review-doc").focus()
        elif event.pane.id == "negotiations":
            for table in self.query("#negotiations-payers"):
                table.focus()
        elif event.pane.id == "chat":
            self.query_one(PromptInput).focus()

    # Actions --------------------------------------------------------------------------------

    def action_help(self) -> None:
        from assistant.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_focus_prompt(self) -> None:
        self.action_show_tab("chat")
        self.query_one(PromptInput).focus()

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one(WorkspaceSidebar)
        sidebar.display = self._sidebar_choice = not sidebar.display

    def on_resize(self, event: Any) -> None:
        self._fit_sidebar(event.size.width)

    def _fit_sidebar(self, width: int) -> None:
        if self._sidebar_choice is None:
            self.query_one(WorkspaceSidebar).display = width >= SIDEBAR_MIN_WIDTH

    def _payer_names(self) -> list[str]:
        if self.summary is None:
            return []
        names = [p.name for p in self.summary.payers]
        return names + sorted(
            {d.payer for d in self.summary.documents if d.payer and d.payer not in names}
        )

    def _reloaded(self, changed: bool | None) -> None:
        if changed:
            self.refresh_workspace()
            for rates in self.query(RatesView):
                rates.reload()

    def action_ingest(self) -> None:
        from assistant.ui.screens.load import IngestScreen

        self.push_screen(IngestScreen(self.services, self._payer_names()), self._reloaded)

    def action_import_data(self) -> None:
        from assistant.ui.screens.load import ImportScreen

        self.push_screen(ImportScreen(self.services, self._payer_names()), self._reloaded)

    def action_switch_payer(self, payer: str) -> None:
        self.payer = payer
        self.notify(f"Questions and the rates view now use {payer}.", title="Payer")

    def action_review(self, doc_id: str) -> None:
        self.action_show_tab("review")
        for review in self.query(ReviewView):
            review.show_document(doc_id)

    async def action_talking_points(self, payer: str | None = None) -> None:
        payer = payer or self.payer
        if payer is None:
            self.show_error(
                "Talking points",
                "No payer chosen",
                "pick one in the sidebar or Ctrl+P → Switch payer",
            )
            return
        self.payer = payer
        await self.ask(f"Draft talking points for our {payer} renewal", talking_points=True)

    def action_export(self) -> None:
        """Write the conversation to the workspace's exports folder."""
        if not self.turns:
            self.show_error("Export", "Nothing to export yet", "ask a question first")
            return
        model = self.assistant.model_name if self.assistant else self.settings.model
        text = conversation_markdown(self.turns, self.settings.workspace.name, model)
        self._write("Conversation exported", f"conversation-{date.today().isoformat()}", text)

    def action_export_talking_points(self) -> None:
        drafted = [t for t in self.turns if t.talking_points and t.answer is not None]
        if not drafted:
            self.show_error(
                "Export", "No talking points drafted yet", "press Ctrl+T to draft them for a payer"
            )
            return
        turn = drafted[-1]
        stem = f"talking-points-{slug(turn.payer or 'payer')}"
        self._write("Talking points exported", stem, talking_points_markdown(turn))

    def _write(self, title: str, stem: str, text: str) -> None:
        try:
            path = write_export(self.services.workspace.exports_path, stem, text)
        except OSError as error:
            self.show_error(
                "Export",
                f"Cannot write the export: {error.strerror}",
                "check the workspace folder is writable (--workspace)",
            )
            return
        self.last_export = path
        self.notify(f"Saved {path.name} in the workspace's exports folder", title=title)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Ingest documents", "Index contracts, templates or guidance", self.action_ingest
        )
        yield SystemCommand(
            "Import rates data",
            "Fee schedules, volumes, Medicare, benchmarks, market files, 835 remittances",
            self.action_import_data,
        )
        for payer in self._payer_names():
            yield SystemCommand(
                f"Switch payer: {payer}",
                "Ask about and analyse this payer",
                lambda p=payer: self.action_switch_payer(p),  # type: ignore[misc]
            )
        for doc in self.summary.of_kind("contract", "template") if self.summary else []:
            yield SystemCommand(
                f"Review: {doc.source}",
                f"Checklist for {doc.payer or 'no payer'} ({doc.kind})",
                lambda d=doc.doc_id: self.action_review(d),  # type: ignore[misc]
            )
        for payer in self._payer_names():
            yield SystemCommand(
                f"Talking points: {payer}",
                "Draft the negotiation case for this payer",
                lambda p=payer: self.run_worker(self.action_talking_points(p)),  # type: ignore[misc]
            )
        yield SystemCommand(
            "Conversations",
            "Reopen, continue or delete a saved conversation (F6)",
            self.action_conversations,
        )
        yield SystemCommand(
            "New conversation",
            "Clear the chat; the next question starts afresh (Ctrl+N)",
            lambda: self.run_worker(self.new_conversation(), group="conversation"),
        )
        yield SystemCommand(
            "Export conversation", "Markdown in the exports folder", self.action_export
        )
        yield SystemCommand(
            "Export talking points",
            "The latest talking points as Markdown",
            self.action_export_talking_points,
        )
        yield SystemCommand(
            "Rates view", "Gap table, chart, proposal impact", lambda: self.action_show_tab("rates")
        )
        yield SystemCommand(
            "Review view", "Contract checklist", lambda: self.action_show_tab("review")
        )
        yield SystemCommand("Key bindings", "The help screen", self.action_help)


def make_app(
    settings: Settings, services: Services | None = None, assistant: Assistant | None = None
) -> PayerAssistantApp:
    """The app on `settings`' workspace; tests pass their own services and a scripted assistant."""
    if services is None:
        from assistant.services import Services

        services = Services(settings)
    return PayerAssistantApp(settings, services, assistant)


def run_app(settings: Settings) -> None:
    """Open the app on the workspace (what `payer-assistant chat` and `make demo` call)."""
    make_app(settings).run()
