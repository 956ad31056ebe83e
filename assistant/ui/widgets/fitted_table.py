"""A data table whose columns give way by importance when the terminal narrows: the least
important shrink (to a compact form) or drop first, the key and the value last."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events
from textual.widgets import DataTable

PADDING = 2
"""Cells per column taken by the table's cell padding (one each side)."""


@dataclass(frozen=True)
class Column:
    """One column, and how readily it gives way."""

    key: str
    label: Text
    rank: int
    """0 is the most important: it keeps its width longest."""
    minimum: int | None = None
    """Narrowest useful width (text cut with an ellipsis). None: the column never shrinks below
    its content (numbers and codes cut short would mislead), it drops out instead."""
    maximum: int | None = None
    """Widest it grows, leaving the rest of the room to the next most important column."""
    short: Text | None = None
    """The heading when the column is narrower than `label` (a glyph column's)."""


@dataclass(frozen=True)
class Cell:
    """A cell with a compact form for when its column is narrowed (a status badge as a glyph)."""

    full: Text
    compact: Text


CellValue = Text | Cell


def cell_width(value: CellValue, *, compact: bool = False) -> int:
    if isinstance(value, Cell):
        return (value.compact if compact else value.full).cell_len
    return value.cell_len


def fit_widths(
    columns: Sequence[Column], natural: Mapping[str, int], smallest: Mapping[str, int], room: int
) -> dict[str, int]:
    """Column widths within `room` cells: the least important columns drop until the rest fit
    at their smallest; the spare room then goes to the most important first, each up to its
    natural width. The most important column always stays."""
    by_rank = sorted(columns, key=lambda c: c.rank)

    def needed(shown: Sequence[Column]) -> int:
        return sum(smallest[c.key] + PADDING for c in shown)

    shown = list(by_rank)
    while len(shown) > 1 and needed(shown) > room:
        shown.pop()
    widths = {c.key: smallest[c.key] for c in shown}
    spare = room - needed(shown)
    for column in shown:
        grow = max(0, min(spare, natural[column.key] - widths[column.key]))
        widths[column.key] += grow
        spare -= grow
    return widths


class FittedTable(DataTable[Any]):
    """A DataTable laid out by `Column` importance, refitted whenever its width changes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._columns: list[Column] = []
        self._rows: list[tuple[str | None, Mapping[str, CellValue]]] = []
        self._fitted_for = -1
        self.widths: dict[str, int] = {}
        """The columns shown and their widths (what the last fit chose)."""

    def show(
        self,
        columns: Sequence[Column],
        rows: Sequence[tuple[str | None, Mapping[str, CellValue]]],
    ) -> None:
        """Replace the table's columns and rows (each row: its key and a cell per column)."""
        self._columns = list(columns)
        self._rows = list(rows)
        self._refit(force=True)

    def _room(self) -> int:
        # The vertical scrollbar is reserved whether or not it shows, so a fit never flips it.
        return self.size.width - self.styles.scrollbar_size_vertical

    def on_resize(self, event: events.Resize) -> None:
        self._refit()

    def _refit(self, *, force: bool = False) -> None:
        room = self._room()
        if not force and room == self._fitted_for:
            return
        self._fitted_for = room
        natural: dict[str, int] = {}
        smallest: dict[str, int] = {}
        columns = []
        for column in self._columns:
            values = [row[column.key] for _, row in self._rows if column.key in row]
            content = max((cell_width(v) for v in values), default=0)
            if self._rows and not content:
                continue  # nothing to show in it
            columns.append(column)
            compact = max((cell_width(v, compact=True) for v in values), default=0)
            natural[column.key] = max(content, column.label.cell_len)
            if column.maximum is not None:
                natural[column.key] = min(natural[column.key], column.maximum)
            if column.minimum is None:  # whole cells, under a heading that can be read
                heading = column.label if column.short is None else column.short
                fixed = max(compact, heading.cell_len)
            else:
                fixed = min(column.minimum, content)
            smallest[column.key] = max(1, min(fixed, natural[column.key]))
        # Not laid out yet (room 0): show everything; the first resize fits it.
        widths = fit_widths(columns, natural, smallest, room if room > 0 else sys.maxsize)
        self.widths = widths
        cursor = self.cursor_coordinate
        self.clear(columns=True)
        shown = [c for c in columns if c.key in widths]
        for column in shown:
            width = widths[column.key]
            narrow = column.short is not None and column.label.cell_len > width
            label = column.short if narrow and column.short is not None else column.label
            self.add_column(label, width=width, key=column.key)
        for key, row in self._rows:
            self.add_row(*(self._cell(row.get(c.key), widths[c.key]) for c in shown), key=key)
        if self.row_count:
            self.move_cursor(row=min(cursor.row, self.row_count - 1), animate=False)

    @staticmethod
    def _cell(value: CellValue | None, width: int) -> Text:
        if value is None:
            return Text("")
        if isinstance(value, Cell):
            value = value.full if value.full.cell_len <= width else value.compact
        if value.cell_len <= width:
            return value
        cut = value.copy()
        cut.truncate(width, overflow="ellipsis")
        return cut
