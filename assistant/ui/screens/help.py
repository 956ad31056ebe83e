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
    ("Click a column header", "Sort the rate table by it"),
    ("Ctrl+Q", "Quit"),
]

HELP = (
    "# Keys\n\n| Key | Does |\n|---|---|\n"
    + "\n".join(f"| {key} | {what} |" for key, what in KEYS)
    + """

# Views
- **Chat**: ask in plain words. Tool calls appear as cards (Enter to expand); numbers come
  from the rate tools, contract facts cite their page: open a marker to read the clause.
- **Rates**: pick a payer and a benchmark; the table sorts by any column; type a proposal
  (`3`, `110%medicare`, `0; em=3` or a rates file) and press Enter to see its impact.
- **Review**: pick a contract; each checklist item shows its status, value and evidence.
- **Negotiations**: payers by stage, what is due (follow-ups and notice deadlines) and each
  contract's renewal calendar with the clauses its dates come from.

Press **Escape** to close this screen.
"""
)


class HelpScreen(ModalScreen[None]):
    """Key bindings and a short guide to the views."""

    BINDINGS = [Binding("escape,q,f1", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(HELP, open_links=False)
