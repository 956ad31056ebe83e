"""The rates view: a payer's gap table (sortable), a bar chart of annual gap by code, and the
revenue impact of a proposal once one is modelled."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, DataTable, Input, Label, Select, Static
from textual.widgets.select import InvalidSelectValueError

from assistant.rates.models import benchmark_display
from assistant.rates.money import money_display as money
from assistant.rates.money import pct_display as pct
from assistant.ui import workspace_data
from assistant.ui.guard import guarded
from assistant.ui.widgets.fitted_table import Column, FittedTable
from assistant.ui.widgets.tool_card import humanise, table_cells

if TYPE_CHECKING:
    from assistant.rates.models import GapResult, ProposalResult
    from assistant.services import Services

CHART_CODES = 12


def chart_series(rows: list[dict[str, Any]]) -> tuple[list[str], list[float]]:
    """Bar labels and values: the CHART_CODES largest annual gaps either way, largest last
    (plotext draws the first bar lowest, so the largest ends up at the top)."""
    top = sorted(rows, key=lambda r: -abs(Decimal(r["annual_gap"])))[:CHART_CODES]
    top.reverse()
    labels = [r["code"] + (f"-{r['modifier']}" if r["modifier"] else "") for r in top]
    return labels, [float(Decimal(r["annual_gap"])) for r in top]


def money_tick(value: float) -> str:
    """A chart axis label in whole dollars, sign first: -$3,069, $0, $148."""
    dollars = round(value)
    return f"{'-' if dollars < 0 else ''}${abs(dollars):,}"


# In order of importance: what a negotiator reads first, and what gives way last when the
# terminal narrows (columns not named here give way before these).
GAP_COLUMNS = ("code", "annual_gap", "pct_of_benchmark", "rate", "benchmark_rate", "units")
PROPOSAL_COLUMNS = ("code", "delta", "current_rate", "proposed_rate", "units")
NUMERIC = {
    "rate",
    "benchmark_rate",
    "pct_of_benchmark",
    "units",
    "gap_per_unit",
    "annual_gap",
    "current_rate",
    "proposed_rate",
    "current_revenue",
    "proposed_revenue",
    "delta",
}


def sort_rows(rows: Sequence[dict[str, Any]], key: str, reverse: bool) -> list[dict[str, Any]]:
    """Rows ordered by one column: numbers as numbers, blanks last."""

    def value(row: dict[str, Any]) -> tuple[int, Any]:
        raw = row.get(key)
        if raw is None:
            return (1, 0)
        if key in NUMERIC:
            return (0, Decimal(str(raw)))
        if key == "code":
            return (0, (str(raw), str(row.get("modifier") or "")))
        return (0, str(raw))

    present = [r for r in rows if r.get(key) is not None]
    blank = [r for r in rows if r.get(key) is None]
    return sorted(present, key=value, reverse=reverse) + blank


def fill_ranked(
    table: FittedTable,
    rows: Sequence[dict[str, Any]],
    ranked: Sequence[str],
    labels: dict[str, Text] | None = None,
) -> None:
    """Show `rows` with columns ranked by `ranked` (the rest after them, in row order). Numbers
    and codes never shrink, they drop out: a figure cut to `$94.` would mislead."""
    keys, cells = table_cells(rows, ranked)
    columns = [
        Column(
            key,
            (labels or {}).get(key) or Text(humanise(key)),
            rank=n,
            minimum=None if key in NUMERIC or key == "code" else 12,
        )
        for n, key in enumerate(keys)
    ]
    table.show(columns, [(None, dict(zip(keys, line, strict=True))) for line in cells])


class GapTable(FittedTable):
    """The gap table, sortable from the keyboard (the view decides the order)."""

    BINDINGS = [
        Binding("s", "sort_next", "Sort: next column"),
        Binding("r", "sort_reverse", "Reverse"),
    ]

    def action_sort_next(self) -> None:
        for view in self.ancestors_with_self:
            if isinstance(view, RatesView):
                view.action_next_sort()

    def action_sort_reverse(self) -> None:
        for view in self.ancestors_with_self:
            if isinstance(view, RatesView):
                view.action_reverse_sort()


class RatesView(Vertical):
    """Pick a payer and a benchmark, read the gap, model a proposal."""

    @dataclass
    class GapLoaded(Message):
        result: GapResult

    @dataclass
    class ProposalModelled(Message):
        result: ProposalResult

    @dataclass
    class LoadFailed(Message):
        """Reading rates failed; the app shows it as a notification."""

        message: str
        hint: str | None

    @dataclass
    class ViewReady(Message):
        """Mounted (after the first paint): ready for the workspace's choices."""

    @dataclass
    class PayerChanged(Message):
        """The user picked another payer here."""

        payer: str

    def __init__(self, services: Services, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.services = services
        self.payer: str | None = None
        self.benchmark = "medicare"
        self._rows: list[dict[str, Any]] = []
        self._sort: tuple[str, bool] = ("annual_gap", True)
        self._proposal: str | None = None
        """The proposal last modelled: switching payer models it for the new one."""
        self._chart: Widget | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(classes="toolbar"):
            yield Label("Payer")
            yield Select[str]([], prompt="choose a payer", id="rates-payer", allow_blank=True)
            yield Label("against")
            yield Select[str](
                [("medicare", "medicare")],
                value="medicare",
                id="rates-benchmark",
                allow_blank=False,
            )
        yield Static("Choose a payer to see its gap against the benchmark.", id="gap-summary")
        with Horizontal(id="gap-area"):
            yield GapTable(id="gap-table", zebra_stripes=True, cursor_type="row")
            yield Static("", id="chart-slot")
        with Horizontal(classes="toolbar"):
            yield Label("Proposal")
            yield Input(
                placeholder="3 (= +3% on all) · 105% of Medicare · E/M +3% · path/to/rates.csv",
                id="proposal-input",
            )
            yield Button("Model", id="model-button", variant="primary", compact=True)
        yield Static("", id="proposal-summary")
        yield FittedTable(id="proposal-table", zebra_stripes=True, cursor_type="row")

    def on_mount(self) -> None:
        self.query_one("#proposal-table").display = False
        self._load_chart()
        self.post_message(self.ViewReady())

    @work(thread=True, group="rates-chart")
    def _load_chart(self) -> None:
        # plotext takes a noticeable fraction of a second to import: never on the first paint.
        try:
            from textual_plotext import PlotextPlot
        except ImportError:
            return
        self.app.call_from_thread(self._mount_chart, PlotextPlot)

    def _mount_chart(self, plot_class: type[Widget]) -> None:
        self._chart = plot_class(id="gap-chart")
        slot = self.query_one("#chart-slot")
        slot.display = False
        self.query_one("#gap-area").mount(self._chart)
        self._draw_chart()

    def set_choices(self, payers: Sequence[str], benchmarks: Sequence[str]) -> None:
        payer_select: Select[str] = self.query_one("#rates-payer", Select)
        with self.prevent(Select.Changed):
            payer_select.set_options((Text(p), p) for p in payers)
            if self.payer is not None and self.payer in payers:
                payer_select.value = self.payer
        bench_select: Select[str] = self.query_one("#rates-benchmark", Select)
        specs = list(dict.fromkeys(["medicare", *benchmarks, *(f"payer:{p}" for p in payers)]))
        with self.prevent(Select.Changed):
            bench_select.set_options((Text(b), b) for b in specs)
            bench_select.value = self.benchmark if self.benchmark in specs else "medicare"

    def show_payer(self, payer: str | None) -> None:
        """Make `payer` the one shown (reloads its gap)."""
        if payer is None or payer == self.payer and self._rows:
            return
        self.payer = payer
        select: Select[str] = self.query_one("#rates-payer", Select)
        # not among the choices (e.g. a contract-only payer)
        with self.prevent(Select.Changed), contextlib.suppress(InvalidSelectValueError):
            select.value = payer
        self.reload()

    def reload(self) -> None:
        if self.payer:
            self.query_one("#gap-summary", Static).update(Text(f"Loading {self.payer}…"))
            self._load_gap(self.payer, self.benchmark)
            if self._proposal is not None:
                self.query_one("#proposal-summary", Static).update(
                    Text(f"Modelling {self._proposal} for {self.payer}…")
                )
                self.query_one("#proposal-table").display = False
                self._model(self.payer, self._proposal)

    @work(thread=True, exclusive=True, group="rates-gap")
    def _load_gap(self, payer: str, benchmark: str) -> None:
        result = guarded(lambda: workspace_data.gap(self.services, payer, benchmark), self._failed)
        if result is not None:
            self.post_message(self.GapLoaded(result))

    @work(thread=True, exclusive=True, group="rates-model")
    def _model(self, payer: str, text: str) -> None:
        result = guarded(lambda: workspace_data.model(self.services, payer, text), self._failed)
        if result is not None:
            self.post_message(self.ProposalModelled(result))

    def _failed(self, message: str, hint: str | None) -> None:
        self.post_message(self.LoadFailed(message, hint))

    def on_rates_view_gap_loaded(self, message: RatesView.GapLoaded) -> None:
        data = message.result.to_json()
        self._rows = data["rows"]
        total = Decimal(data["total_annual_gap"])
        shown = "—" if data["pct_of_benchmark"] is None else f"{data['pct_of_benchmark']:.2f}%"
        summary = Text.assemble(
            (f"{data['payer']}", "bold"),
            f" pays {shown} of {benchmark_display(data['benchmark'])}. Annual gap ",
            (money(total), "bold red" if total > 0 else "bold green"),
            f" on {data['total_units']:,} units, {message.result.basis}.",
        )
        if data["missing"]:
            summary.append(f" {len(data['missing'])} code(s) not compared.", style="dim")
        self.query_one("#gap-summary", Static).update(summary)
        self._fill_gap()
        self._draw_chart()

    def _fill_gap(self) -> None:
        key, reverse = self._sort
        label = Text(f"{humanise(key)} {'▼' if reverse else '▲'}")
        table = self.query_one("#gap-table", GapTable)
        fill_ranked(table, sort_rows(self._rows, key, reverse), GAP_COLUMNS, {key: label})

    def _draw_chart(self) -> None:
        if self._chart is None:
            return
        plt = self._chart.plt  # type: ignore[attr-defined]
        plt.clear_data()
        plt.clear_figure()
        labels, values = chart_series(self._rows)
        if labels:
            # Signed colours: red where the payer pays under the benchmark, green where over.
            under = [max(v, 0.0) for v in values]
            over = [min(v, 0.0) for v in values]
            plt.bar(labels, under, orientation="horizontal", color="red", width=0.6)
            if any(over):
                plt.bar(labels, over, orientation="horizontal", color="green", width=0.6)
            # Value ticks in money, at the ends and at zero, not plotext's bare floats.
            ticks = sorted({min(*values, 0.0), 0.0, max(*values, 0.0)})
            plt.xticks(ticks, [money_tick(t) for t in ticks])
            plt.title(f"Annual gap by code, $: red under {self.benchmark}, green over")
        else:
            plt.title("Annual gap by code")
        self._chart.refresh()

    def action_next_sort(self) -> None:
        keys = [str(c.key.value) for c in self.query_one("#gap-table", DataTable).columns.values()]
        if not keys:
            return
        current, _ = self._sort
        key = keys[(keys.index(current) + 1) % len(keys)] if current in keys else keys[0]
        self._sort = (key, key in NUMERIC)
        self._fill_gap()

    def action_reverse_sort(self) -> None:
        key, reverse = self._sort
        self._sort = (key, not reverse)
        self._fill_gap()

    @on(DataTable.HeaderSelected, "#gap-table")
    def _sort_by(self, event: DataTable.HeaderSelected) -> None:
        key = str(event.column_key.value)
        current, reverse = self._sort
        self._sort = (key, not reverse if key == current else key in NUMERIC)
        self._fill_gap()

    @on(Select.Changed, "#rates-payer")
    def _payer_picked(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.payer:
            self.payer = event.value
            self.post_message(self.PayerChanged(event.value))
            self.reload()

    @on(Select.Changed, "#rates-benchmark")
    def _benchmark_picked(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.benchmark:
            self.benchmark = event.value
            self.reload()

    @on(Input.Submitted, "#proposal-input")
    @on(Button.Pressed, "#model-button")
    def _model_pressed(self) -> None:
        text = self.query_one("#proposal-input", Input).value
        if not self.payer:
            self.post_message(self.LoadFailed("No payer chosen", "pick a payer above first"))
            return
        self.model_proposal(text)

    def model_proposal(self, text: str) -> None:
        if self.payer:
            self.query_one("#proposal-input", Input).value = text
            self._proposal = text
            self._model(self.payer, text)

    def on_rates_view_proposal_modelled(self, message: RatesView.ProposalModelled) -> None:
        data = message.result.to_json()
        delta = Decimal(data["total_delta"])
        self.query_one("#proposal-summary", Static).update(
            Text.assemble(
                (f"{data['payer']}: {data['proposal']}", "bold"),
                f" — revenue {money(data['total_current'])} → {money(data['total_proposed'])} (",
                (money(delta), "bold green" if delta >= 0 else "bold red"),
                f", {pct(data['pct_change'])})",
            )
        )
        table = self.query_one("#proposal-table", FittedTable)
        table.display = True
        rows = sorted(data["rows"], key=lambda r: -abs(Decimal(r["delta"])))
        fill_ranked(table, rows, PROPOSAL_COLUMNS)
