"""The `chat` command: open the terminal app on the workspace from the global options."""

from __future__ import annotations

import typer

from assistant.commands.common import state


def register(app: typer.Typer) -> None:
    """Add `chat`."""

    @app.command("chat")
    def chat_command(ctx: typer.Context) -> None:
        """Open the chat app: ask cited questions, see rate gaps, review contracts, export."""
        from assistant.ui.app import run_app

        run_app(state(ctx).settings)
