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
    ("F6", "Saved conversations: reopen one to continue it, or delete it"),
    ("Ctrl+N", "New conversation (the chat starts afresh)"),
    ("Ctrl+P", "Command palette: ingest, import, switch payer, review, talking points, export"),
    ("Ctrl+O", "Ingest contracts, templates or guidance (PDF, DOCX, TXT, MD)"),
    ("Ctrl+R", "Import rates data: fee schedules, volumes, Medicare, benchmarks, market, 835s"),
    ("Ctrl+T", "Draft talking points for the current payer"),
    ("Ctrl+E", "Export the conversation to Markdown (workspace exports folder)"),
    ("Ctrl+B", "Show or hide the workspace sidebar"),
    ("Ctrl+L", "Focus the question prompt"),
    ("Tab / Shift+Tab", "Next / previous field, table or button (the focused one is lit)"),
    ("Ctrl+Q", "Quit"),
]

VIEW_KEYS = [
    (
        "Chat",
        "Enter asks; Up / Down walk earlier questions; Tab to a tool card or a citation, "
        "Enter expands the card or opens the cited passage (Escape returns)",
    ),
    (
        "Rates",
        "s sorts the gap table by the next column, r reverses it; type a proposal "
        "(`3`, `105% of Medicare`, `E/M +3%`) and Enter models it",
    ),
    (
        "Review",
        "Up / Down move through the checklist, the right pane shows the item; Tab to "
        "its evidence, Enter opens the page",
    ),
    ("Negotiations", "Tab between payers, what is due and the renewal calendar; arrows move"),
    ("Conversations (F6)", "Enter opens, n starts a new one, d deletes (asks first: y / n)"),
]

HELP = (
    "# Keys\n\n| Key | Does |\n|---|---|\n"
    + "\n".join(f"| {key} | {what} |" for key, what in KEYS)
    + "\n\n# In each view\n\n| View | Keys |\n|---|---|\n"
    + "\n".join(f"| {view} | {keys} |" for view, keys in VIEW_KEYS)
    + """

Narrow terminals keep the code and the value columns; less important ones give way first.
**Escape** closes this screen; it scrolls on a small terminal.
"""
)


class HelpScreen(ModalScreen[None]):
    """Key bindings and a short guide to the views."""

    BINDINGS = [Binding("escape,q,f1", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(HELP, open_links=False)
