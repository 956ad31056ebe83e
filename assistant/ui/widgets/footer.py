"""The key footer, without the watcher leak of textual's own.

textual's `Footer` recomposes on every focus or screen change, and each new `FooterKey` binds
`compact` with `data_bind`, which adds a watcher to the footer (`_initialize_data_bind`). The
watchers of removed keys are pruned only when `compact` itself changes, which it never does, so
the list grew with every key press that moved focus: after ~35 minutes of use each new watcher
was compared against tens of thousands (`_watch` scans the list), and keys lagged by seconds.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer


class KeyFooter(Footer):
    """`Footer` that drops the watchers of the keys a recompose removed."""

    async def recompose(self) -> None:
        await super().recompose()
        prune_watchers(self)


def prune_watchers(node: Any) -> None:
    """Forget watchers registered by widgets no longer in the DOM."""
    watchers: dict[str, list[tuple[Any, Any]]] = getattr(node, "__watchers", {})
    for entries in watchers.values():
        entries[:] = [
            (owner, callback)
            for owner, callback in entries
            if owner is node or getattr(owner, "is_attached", True)
        ]
