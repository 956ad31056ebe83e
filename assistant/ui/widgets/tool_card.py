"""A collapsible card per tool call: its inputs, and its result as a table rather than JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from rich.text import Text
from textual.content import Content
from textual.widgets import Collapsible, DataTable, Static

from assistant.rates.money import money_display as money
from assistant.rates.money import pct_display as pct
from assistant.ui.plain import plain

MONEY_WORDS = ("rate", "revenue", "gap", "delta", "amount", "paid", "charge", "total")
PCT_WORDS = ("pct", "share", "percent")
MAX_ROWS = 200
MAX_CELL = 60


LABELS = {
    "benchmark_rate": "Benchmark",
    "pct_of_benchmark": "% of bench",
    "gap_per_unit": "Gap/unit",
    "current_rate": "Current",
    "proposed_rate": "Proposed",
    "current_revenue": "Current rev.",
    "proposed_revenue": "Proposed rev.",
    "cumulative_share": "Cumulative",
}


def humanise(key: str) -> str:
    return LABELS.get(key) or key.replace("_", " ").strip().capitalize()


def format_cell(key: str, value: Any) -> Text:
    """A cell as a person reads it: money with $ and commas, percents with %, text shortened.

    Always a `Text`: a DataTable parses a `str` cell as markup, and a payer's `[draft]` note
    or a cut-off `[` must show as written."""
    if value is None:
        return Text("—")
    lowered = key.lower()
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    if any(w in lowered for w in PCT_WORDS) and isinstance(value, int | float):
        return Text(pct(float(value)), justify="right")
    if any(w in lowered for w in MONEY_WORDS) and isinstance(value, str | int | float | Decimal):
        try:
            return Text(money(Decimal(str(value))), justify="right")
        except (InvalidOperation, ValueError):
            pass
    if isinstance(value, int | float | Decimal):
        return Text(f"{value:,}", justify="right")
    if isinstance(value, Mapping):
        text = ", ".join(f"{k}: {v}" for k, v in value.items())
    elif isinstance(value, list | tuple):
        text = ", ".join(str(v) for v in value)
    else:
        text = " ".join(str(value).split())
    return Text(text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…")


def table_rows(result: Any) -> tuple[list[Mapping[str, Any]], dict[str, Any]] | None:
    """The rows of a tabular result and its scalar totals, or None when it is not a table."""
    if isinstance(result, Mapping):
        rows = result.get("rows")
        if isinstance(rows, list) and rows and all(isinstance(r, Mapping) for r in rows):
            extras = {
                k: v for k, v in result.items() if k != "rows" and not isinstance(v, list | dict)
            }
            return rows, extras
        return None
    if isinstance(result, list) and result and all(isinstance(r, Mapping) for r in result):
        return result, {}
    return None


def table_cells(
    rows: Sequence[Mapping[str, Any]], first: Sequence[str] = ()
) -> tuple[list[str], list[list[Text]]]:
    """Column keys from the rows' keys, `first` leading (modifier folded into code, empties
    dropped), and each row's cells as a person reads them."""
    keys: list[str] = [k for k in first if any(k in row for row in rows)]
    for row in rows:
        keys += [k for k in row if k not in keys]
    fold_modifier = "code" in keys and "modifier" in keys
    keys = [k for k in keys if not (fold_modifier and k == "modifier")]
    keys = [k for k in keys if any(row.get(k) not in (None, "", [], {}) for row in rows)]
    cells: list[list[Text]] = []
    for row in rows[:MAX_ROWS]:
        line = []
        for key in keys:
            value = row.get(key)
            if key == "code" and fold_modifier and row.get("modifier"):
                value = f"{value}-{row['modifier']}"
            line.append(format_cell(key, value))
        cells.append(line)
    return keys, cells


def fill_table(
    table: DataTable[Any], rows: Sequence[Mapping[str, Any]], first: Sequence[str] = ()
) -> None:
    """The rows as a table, `first` leading (see `table_cells`)."""
    keys, cells = table_cells(rows, first)
    table.clear(columns=True)
    for key in keys:
        table.add_column(humanise(key), key=key)
    for line in cells:
        table.add_row(*line)


def args_text(args: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in args.items())


class ToolCallCard(Collapsible):
    """One tool call: collapsed to its name and status, expanded to inputs and result."""

    def __init__(self, call_id: str, name: str, args: Mapping[str, Any]) -> None:
        self.call_id = call_id
        self.tool_name = name
        self.args = dict(args)
        # Collapsible types `title` as str but renders any Content it is given (as the label).
        super().__init__(
            title=self._caption("running…"),  # type: ignore[arg-type]
            collapsed=True,
            classes="tool-card",
        )

    def _caption(self, status: str) -> Content:
        shown = args_text(self.args)
        if len(shown) > 60:
            shown = shown[:59] + "…"
        # Content, not a str: a caption cut inside `[...]` would otherwise be parsed as markup.
        return plain(f"{self.tool_name}({shown}) · {status}")

    def on_mount(self) -> None:
        self.query_one(Collapsible.Contents).mount(
            Static(Text("Inputs: ") + Text(args_text(self.args) or "none"), classes="tool-args")
        )

    def finish(self, result: Any, error: str | None) -> None:
        """Show the result (or the error) and mark the card done."""
        contents = self.query_one(Collapsible.Contents)
        if error:
            self.title = self._caption("failed")  # type: ignore[assignment]
            self.add_class("-failed")
            contents.mount(Static(Text(error, style="bold red"), classes="tool-error"))
            return
        tabular = table_rows(result)
        if tabular is not None:
            rows, extras = tabular
            self.title = self._caption(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")  # type: ignore[assignment]
            if extras:
                line = " · ".join(f"{humanise(k)}: {format_cell(k, v)}" for k, v in extras.items())
                contents.mount(Static(plain(line), classes="tool-summary"))
            table: DataTable[Any] = DataTable(zebra_stripes=True, classes="tool-table")
            contents.mount(table)
            fill_table(table, rows)
            return
        self.title = self._caption("done")  # type: ignore[assignment]
        if isinstance(result, Mapping):
            table = DataTable(show_header=False, classes="tool-table")
            contents.mount(table)
            table.add_columns("Field", "Value")
            for key, value in result.items():
                table.add_row(Text(humanise(str(key))), format_cell(str(key), value))
            return
        contents.mount(Static(Text(str(result)), classes="tool-result"))
