"""The state a document is about, read from its own text, and the state names users call a
payer's contract by ("the Washington contract", "our TN agreement").

A contract's state is its governing law when that names a state, else the state its text names
most when one clearly leads; nothing is listed per file, so a new contract is named by its state
as soon as it is indexed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from assistant.review.prompt_pay import STATE_NAMES

_STATE = r"(" + "|".join(sorted(STATE_NAMES, key=len, reverse=True)).replace(" ", r"\s+") + r")\b"
_STATE_WORD = re.compile(r"\b" + _STATE, re.IGNORECASE)
_GOVERNING = re.compile(
    r"\b(?:governed\s+by|constru\w+\s+(?:in\s+accordance\s+with|under)|laws\s+of)\s+"
    r"(?:and\s+construed\s+in\s+accordance\s+with\s+)?(?:the\s+)?(?:laws\s+of\s+)?"
    r"(?:the\s+)?(?:state\s+of\s+)?" + _STATE,
    re.IGNORECASE,
)
# "Washington, D.C." is not the state of Washington.
_NOT_THE_STATE = re.compile(r"^washington,?\s*d\.?\s*c\b", re.IGNORECASE)
# Two-letter codes that are also words or abbreviations a practice uses ("MA" is Medicare
# Advantage, "MD" a doctor, "IN"/"OR"/"ME" plain words): only the state's full name names them.
AMBIGUOUS_CODES = frozenset(
    ["al", "co", "de", "hi", "id", "in", "la", "ma", "md", "me", "mo", "ms", "oh", "ok", "or", "pa"]
)
LEAD = 2
"""A state read from mentions must be named at least this often and this many times more often
than the next one; a payer owns a state name when its documents name it this many times more
often than the next payer's sharing that state."""


def _code(name: str) -> str:
    return STATE_NAMES[" ".join(name.lower().split())]


def state_mentions(text: str) -> Counter[str]:
    """How often the text names each state (by its full name), as two-letter codes."""
    counts: Counter[str] = Counter()
    for match in _STATE_WORD.finditer(text):
        if not _NOT_THE_STATE.match(text[match.start() : match.end() + 6]):
            counts[_code(match.group(1))] += 1
    return counts


def document_state(text: str) -> str | None:
    """The two-letter code of the state `text` is about: the state of its governing law, else
    the state it names most when that one clearly leads; None when neither is readable."""
    law = Counter(_code(m.group(1)) for m in _GOVERNING.finditer(text))
    if law:
        return law.most_common(1)[0][0]
    ranked = state_mentions(text).most_common(2)
    if not ranked or ranked[0][1] < LEAD:
        return None
    if len(ranked) > 1 and ranked[0][1] < LEAD * ranked[1][1]:
        return None
    return ranked[0][0]


def state_aliases(texts_by_payer: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Lower-case state name (and unambiguous code) -> the payer whose documents are about that
    state. When several payers' documents are about one state, the one whose documents name it
    clearly most owns the name; if none does, the name is left out rather than guessed."""
    claims: dict[str, list[tuple[int, str]]] = {}
    for payer, texts in texts_by_payer.items():
        text = "\n".join(texts)
        state = document_state(text)
        if state is not None:
            claims.setdefault(state, []).append((state_mentions(text)[state], payer))
    names = {code: name for name, code in STATE_NAMES.items()}
    aliases: dict[str, str] = {}
    for state, ranked in claims.items():
        ranked.sort(reverse=True)
        if len(ranked) > 1 and ranked[0][0] < LEAD * max(ranked[1][0], 1):
            continue
        payer = ranked[0][1]
        aliases[names[state]] = payer
        if state.lower() not in AMBIGUOUS_CODES:
            aliases[state.lower()] = payer
    return aliases
