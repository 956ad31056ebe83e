"""Text that must not be trusted or printed as is: instructions addressed to an assistant inside
a document, and terminal control sequences."""

from __future__ import annotations

import re

_ADDRESSED = re.compile(
    r"(?:^|[\n.!?]\s*)(?:assistant|system|user|human|ai|chatbot|model)\s*:|"
    r"\bignore\b.{0,40}\b(?:instructions?|prompts?|rules)\b|"
    r"\bdisregard\b.{0,40}\b(?:instructions?|prompts?|above|previous)\b|"
    r"\bnew instructions?\b|\bsystem prompt\b|"
    r"\b(?:ai|artificial intelligence)\b.{0,20}\b(?:assistants?|models?)\b|\blanguage models?\b|"
    r"\btell the user\b|\bdo not cite\b|\byou are now\b|\bact as\b.{0,30}\bassistant\b",
    re.I,
)

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), other two-byte escapes, and C0/C1
# controls other than tab and newline.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|"
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)


def addresses_assistant(text: str) -> bool:
    """Whether the text speaks to an assistant ("Assistant: ...", "ignore previous
    instructions", "SYSTEM:") rather than to the parties of a contract."""
    return bool(_ADDRESSED.search(text))


def strip_controls(text: str) -> str:
    """The text without terminal escape sequences and control characters (tab and newline
    kept; carriage returns become newlines), safe to print."""
    return _ESCAPES.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
