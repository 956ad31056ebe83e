"""The help screen: every key binding and what the views are for."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

KEYS = [
    ("F1", "This help"),
    ("F2 / F3 / F4 / F5", "Chat / Rates / Review / Negotiations view"),
    ("Ctrl+P", "Command palette: ingest, import, switch payer, review, talking points, export"),
    ("Ctrl+O", "Ingest contracts, templates or guidance (PDF, DOCX, TXT, MD)"),
    ("Ctrl+R", "Import rates data: fee schedules, volumes, Medicare, benchmarks, market, 835s"),
    ("Ctrl+T", "Draft talking points for the current payer"),
    ("Ctrl+E", "Export the conversation to Markdown (workspace exports folder)"),
    ("Ctrl+B", "Show or hide the workspace sidebar"),
    ("Ctrl+L", "Focus the question prompt"),
    ("Up / Down (in the prompt)", "Earlier questions"),
    ("Enter (on a citation)", "Open the cited passage; Escape returns"),
    ("s / r (Rates view)", "Sort the gap table by the next column / reverse it"),
    ("Ctrl+Q", "Quit"),
]

HELP = (
    "# Keys\n\n| Key | Does |\n|---|---|\n"
    + "\n".join(f"| {key} | {what} |" for key, what in KEYS)
    + """

# Views
- **Chat**: tool calls are cards (Enter expands); open a marker to read the clause.
- **Rates**: gap by code; type a proposal (`3`, `110%medicare`, `0; e/m=3`), Enter.
- **Review**: each checklist item's status, value and evidence.
- **Negotiations**: payers by stage, what is due, each contract's renewal calendar.

**Escape** closes this screen; it scrolls on a small terminal.
"""
)


class HelpScreen(ModalScreen[None]):
    """Key bindings and a short guide to the views."""

    BINDINGS = [Binding("escape,q,f1", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(HELP, open_links=False)
