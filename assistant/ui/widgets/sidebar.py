"""The workspace sidebar: payers, documents, fee schedules and benchmarks, model, index status."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from assistant.ui.plain import plain
from assistant.ui.workspace_data import WorkspaceSummary


class WorkspaceSidebar(VerticalScroll):
    """What is loaded in the workspace; choosing a payer makes it the current one."""

    @dataclass
    class PayerChosen(Message):
        """The user picked a payer in the sidebar."""

        payer: str

    def __init__(self, workspace_name: str, model: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.workspace_name = workspace_name
        self.model = model
        self.index_status = "opening…"
        self.summary: WorkspaceSummary | None = None

    def compose(self) -> ComposeResult:
        yield Label(Text("Workspace ", style="bold") + Text(self.workspace_name), id="ws-name")
        yield Label("Model", classes="heading")
        yield Static(plain(self.model), id="model-name", classes="section")
        yield Label("Index", classes="heading")
        yield Static(plain(self.index_status), id="index-status", classes="section")
        yield Label("Payers", classes="heading")
        yield OptionList(id="payer-list")
        yield Label("Contracts & templates", classes="heading")
        yield Static("loading…", id="doc-list", classes="section")
        yield Label("Fee schedules & benchmarks", classes="heading")
        yield Static("loading…", id="rate-list", classes="section")

    def show_summary(self, summary: WorkspaceSummary, current_payer: str | None) -> None:
        self.summary = summary
        payers = self.query_one("#payer-list", OptionList)
        payers.clear_options()
        names = [p.name for p in summary.payers]
        extra = sorted({d.payer for d in summary.documents if d.payer and d.payer not in names})
        for name in [*names, *extra]:
            payers.add_option(Option(Text(name), id=name))
        if not names and not extra:
            payers.add_option(Option(Text("none yet: import fees", style="dim"), disabled=True))
        self.highlight_payer(current_payer)

        docs = Text()
        for doc in summary.of_kind("contract", "template"):
            docs.append("▪ " if doc.kind == "contract" else "▫ ", style="cyan")
            docs.append(doc.source)
            docs.append(f"  {doc.payer or 'no payer'} · {doc.kind} · {doc.pages} p\n", style="dim")
        guidance = len(summary.of_kind("guidance"))
        if guidance:
            docs.append(f"+ {guidance} guidance document(s)", style="dim")
        self.query_one("#doc-list", Static).update(
            docs if docs.plain else Text("none yet: Ctrl+O to ingest", style="dim")
        )

        rates = Text()
        for payer in summary.payers:
            if payer.fee_schedule:
                rates.append(f"{payer.name}: ", style="bold")
                rates.append(f"{payer.codes} codes\n", style="dim")
        for bench in summary.benchmarks:
            rates.append(f"{bench.name}", style="green")
            rates.append(f" ({bench.kind}, {bench.codes} codes)\n", style="dim")
        self.query_one("#rate-list", Static).update(
            rates if rates.plain else Text("none yet: import fees", style="dim")
        )

    def highlight_payer(self, payer: str | None) -> None:
        payers = self.query_one("#payer-list", OptionList)
        if payer is None:
            payers.highlighted = None
            return
        try:
            payers.highlighted = payers.get_option_index(payer)
        except OptionDoesNotExist:
            payers.highlighted = None

    def set_model(self, model: str) -> None:
        self.model = model
        self.query_one("#model-name", Static).update(plain(model))

    def set_index_status(self, status: str | Text) -> None:
        self.index_status = str(status)
        self.query_one("#index-status", Static).update(
            plain(status) if isinstance(status, str) else status
        )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.PayerChosen(event.option.id))
