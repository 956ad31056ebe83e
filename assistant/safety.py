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


_KEEP_NUMBER = re.compile(
    r"^(?:\d{5}|[A-Z]\d{4}|\d{4}[A-Z]|\$?\d[\d,]*(?:\.\d+)?%?|(?:19|20)\d\d|[A-Z]{2}-?\d{1,3})$"
)
"""Numbers a question about contracts and rates carries: CPT/HCPCS codes, money, percents,
years, reason codes (CO-45)."""
_TOKEN = re.compile(r"\S+")


_TITLE_WORDS = (
    "medicare medicaid advantage mpfs cms cpt hcpcs carc rarc e/m em exhibit section article "
    "attachment schedule appendix amendment agreement contract template i january february "
    "march april may june july august september october november december monday tuesday "
    "wednesday thursday friday saturday sunday tn wa us usa"
)
TITLE_WORDS = frozenset(_TITLE_WORDS.split())  # noqa: SIM905
"""Capitalised words a question may use that name no person."""


def redact_title(question: str, known: frozenset[str] = frozenset(), limit: int = 120) -> str:
    """A conversation title that keeps what the question asks but not who it is about: tokens
    with digits that are not codes, amounts, percents or years (member ids, claim numbers, dates,
    phone numbers), e-mail addresses, and capitalised words inside the sentence that are not
    known names (payers, terms) become '…'."""
    out: list[str] = []
    sentence_start = True
    for m in _TOKEN.finditer(strip_controls(question)):
        token = m.group()
        core = token.strip(".,;:!?()[]\"'")
        possessive = core.removesuffix("'s").removesuffix("’s")
        identifier = "@" in core or (
            any(c.isdigit() for c in core) and not _KEEP_NUMBER.match(core)
        )
        name = (
            possessive[:1].isupper()
            and not sentence_start
            and possessive.lower() not in known
            and possessive.lower() not in TITLE_WORDS
            and not possessive.isupper()
        )
        if identifier or name:
            token = token.replace(core, "…")
        if out and out[-1].strip(".,;:!?") == "…" and token.strip(".,;:!?") == "…":
            continue
        out.append(token)
        sentence_start = token.endswith((".", "?", "!", ":"))
    return " ".join(out)[:limit]
