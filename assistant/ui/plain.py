"""Text from data (questions, tool inputs, file and payer names) as literal Content."""

from __future__ import annotations

from textual.content import Content


def plain(text: object) -> Content:
    """`text` exactly as written: a `[draft]` or an open `[` stays on screen and cannot raise."""
    return Content(str(text))
