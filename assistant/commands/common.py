"""What every command shares: the resolved settings, JSON output, rich consoles."""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from assistant.config import Settings
from assistant.rates.proposals import CARVE_OUT_HELP, PROPOSAL_HELP
from assistant.workspace import Workspace

if TYPE_CHECKING:
    from assistant.services import Services

JSON_HELP = "Print one JSON object on stdout and nothing else."
PAYER_HELP = "Payer name or alias (e.g. UHC)."

# Options several command groups take, declared once so they read and behave alike.
JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
PayerOpt = Annotated[str, typer.Option("--payer", "-p", help=PAYER_HELP)]
AcrossOpt = Annotated[
    str | None, typer.Option("--across-the-board", help="Every rate changes by PCT percent.")
]
PctOfOpt = Annotated[
    tuple[str, str] | None,
    typer.Option(
        "--pct-of", help="BENCHMARK PCT: every rate becomes PCT% of BENCHMARK (medicare 110)."
    ),
]
CarveOutsOpt = Annotated[list[str] | None, typer.Option("--carve-out", help=CARVE_OUT_HELP)]
ProposalTextOpt = Annotated[str | None, typer.Option("--proposal", help=PROPOSAL_HELP)]


@dataclass(frozen=True)
class CliState:
    """Put on the typer context by the global callback."""

    settings: Settings

    @property
    def workspace(self) -> Workspace:
        return Workspace(self.settings.workspace).ensure()


def state(ctx: typer.Context) -> CliState:
    """The CliState of this invocation (the root context carries it)."""
    obj = ctx.find_root().obj
    if not isinstance(obj, CliState):
        obj = CliState(Settings.resolve())
        ctx.find_root().obj = obj
    return obj


@contextmanager
def connection(ctx: typer.Context) -> Iterator[sqlite3.Connection]:
    """A workspace connection for one command, closed when it is done."""
    conn = state(ctx).workspace.connect()
    try:
        yield conn
    finally:
        conn.close()


# C0 controls but tab and newline, DEL and C1 controls: an ESC from a contract or a question
# could clear the screen or retitle the window, a CR overwrite what was printed.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` without terminal control characters (each becomes a visible '�')."""
    return _CONTROL.sub("\ufffd", text)


class SafeConsole(Console):
    """A rich Console that strips control characters from every string it renders.

    Tables, rules and plain prints all turn their strings into Text through `render_str`,
    so this one override covers every value a command prints (rich's own styling is added
    after, as escape sequences it writes itself).
    """

    def render_str(self, text: str, *args: Any, **kwargs: Any) -> Text:
        return super().render_str(printable(text), *args, **kwargs)


def stdout_console() -> Console:
    return SafeConsole()


def stderr_console() -> Console:
    return SafeConsole(stderr=True)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def emit_json(obj: Any) -> None:
    """Write `obj` as one JSON object on stdout (Decimals as strings)."""
    sys.stdout.write(json.dumps(obj, default=_default, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def services(ctx: typer.Context) -> Services:
    """The invocation's Services (opened lazily, shared by every command in it)."""
    from assistant.services import Services

    root = ctx.find_root()
    existing = root.meta.get("payer_assistant.services")
    if existing is None:
        existing = Services(state(ctx).settings)
        root.meta["payer_assistant.services"] = existing
    return existing  # type: ignore[no-any-return]
