"""Query focusing: split a query into the part that names its document and the question asked.

"Consider the AGENCY AGREEMENT between GE Capital and Duckwall-Alco; Who are the parties?",
"In the … between A and B: Q", "Q under the contract with Aetna?", "Q in SOME_FILE.txt?",
"Q in the Aetna contract?" and "the TN agreement: Q" all come apart into a naming part (used to
resolve the document) and a question in which the naming part reads "this contract" (searched
inside the resolved document). A query that names no document comes back whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Form = Literal["prefix", "inline", "file", "none"]
"""How the query named its document: a leading part cut off by ";" or ":" (LegalBench-RAG and
CUAD forms), a phrase inside the question ("the contract with A", "the Aetna agreement"), a file
name, or not at all."""


@dataclass(frozen=True)
class FocusedQuery:
    question: str
    """The question alone, the naming part replaced by "this contract"."""
    naming: str | None
    """What named the document (without its lead-in words), None when nothing did."""
    form: Form


# A question needs a few words: "Aetna: timely filing" keeps its colon split, "Re: X" too, but a
# time ("10:30") or a section reference ("Section 4: Term") before one word does not.
MIN_QUESTION_WORDS = 2
_SEPARATOR = re.compile(r"[;:]")
_LEAD_IN = re.compile(
    r"^\s*(?:consider|in|for|under|regarding|concerning|about|re|per|from|on|within|with|"
    r"looking at|as to|according to)\b\s*(?:the\s+)?",
    re.IGNORECASE,
)
# What a leading part that names a document looks like: a contract word, "between", a file name,
# or a capitalised name (a party, a payer, an abbreviation such as TN or BCBS).
_NAMING_CUE = re.compile(
    r"\b(?:agreement|contract|amendment|addendum|between|exhibit|license|lease|policy|plan)\b|"
    r"\.(?:pdf|txt|docx?|md)\b|\b[A-Z][A-Za-z0-9&.'-]*\b",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z0-9&.'-]*|\b[0-9]+[A-Z]+\b")
_QUESTION_START = re.compile(
    r"^\s*(?:who|what|when|where|which|why|how|is|are|does|do|did|can|could|may|must|shall|"
    r"should|will|would|has|have|list|show|give|tell|find|summari[sz]e|describe|explain)\b",
    re.IGNORECASE,
)
_DOC_WORD = r"(?i:contract|agreement|amendment|addendum)"
_SUFFIX = r"(?:inc|llc|l\.l\.c|ltd|l\.?p|corp|co|n\.a|s\.a|plc|gmbh|limited|incorporated)\b"
# "the contract with A", "the agreement between A and B": the name follows (see `_name_end`).
_WITH_PARTY = re.compile(
    rf"\b(?:the|this|our|their|its)\s+{_DOC_WORD}\s+(?:with|between|among)\s+", re.IGNORECASE
)
_TOKEN = re.compile(r"\S+")
# Lower-case words that belong inside a party's name ("Bank of America", "Smith and Sons").
_NAME_GLUE = frozenset(["of", "and", "&", "de", "du", "la", "von", "van", "der", "for", "-", "y"])
_STOP_VERB = re.compile(
    r"^(?:say|says|said|state|states|provide|provides|allow|allows|require|requires|contain|"
    r"contains|permit|permits|have|has|specify|specifies|about|regarding|on|for|when|if|take|"
    r"takes|expire|expires|renew|renews|end|ends|signed|govern|governs|grant|grants|restrict|"
    r"restricts|without|with|in|under|after|before|and)$",
    re.IGNORECASE,
)
# "the Aetna contract", "the TN agreement", "Aetna's contract", "the WA_1 contract".
_NAMED_DOC = re.compile(
    rf"\b(?:(?:the|this|our)\s+)?(?P<name>(?:[A-Z0-9][\w&.'-]*\s+){{1,6}}?)(?:{_DOC_WORD})s?\b"
    rf"|\b(?P<owner>[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){{0,4}})['’]s\s+{_DOC_WORD}\b"
)
_FILE = re.compile(r"[\w.,&()#'-]+\.(?:pdf|txt|docx?|md)\b", re.IGNORECASE)
_THIS = "this contract"


def _name_end(text: str, start: int) -> int:
    """Where a party's name starting at `start` ends: capitalised words, digits and the glue
    between them ("Bank of America, N.A."); a name typed in lower case runs to the first verb
    or preposition. Trailing sentence punctuation is not part of it."""
    tokens = list(_TOKEN.finditer(text, start))
    if not tokens:
        return start
    capitalised = tokens[0].group(0)[:1].isupper() or tokens[0].group(0)[:1].isdigit()
    end = start
    for i, token in enumerate(tokens):
        word = token.group(0)
        bare = word.strip("\"'“”()[],.;:?!")
        if capitalised:
            glue = bare.lower() in _NAME_GLUE and i + 1 < len(tokens)
            suffix = re.fullmatch(_SUFFIX, bare, re.IGNORECASE) is not None
            if not (bare[:1].isupper() or bare[:1].isdigit() or glue or suffix or not bare):
                break
        elif _STOP_VERB.match(bare):
            break
        end = token.end()
        if word[-1:] in "?!;" or (word.endswith(",") and not _next_is_suffix(tokens, i)):
            break
    return end


def _next_is_suffix(tokens: list[re.Match[str]], i: int) -> bool:
    if i + 1 >= len(tokens):
        return False
    nxt = tokens[i + 1].group(0).strip("\"'“”()[],.;:?!")
    return re.fullmatch(_SUFFIX, nxt, re.IGNORECASE) is not None


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([?.!,;:])", r"\1", text)
    return text


def _split_prefix(query: str) -> FocusedQuery | None:
    """The leading naming part before the last ";" or ":" that is followed by a question."""
    for match in reversed(list(_SEPARATOR.finditer(query))):
        head, tail = query[: match.start()].strip(), query[match.end() :].strip()
        if len(tail.split()) < MIN_QUESTION_WORDS or not head:
            continue
        if re.search(r"\d$", head) and re.match(r"\d", tail):
            continue  # a time or a ratio, not a separator
        if not _NAMING_CUE.search(head):
            continue
        naming = _LEAD_IN.sub("", head).strip(" ,")
        if not naming:
            continue
        # A head that is itself a question ("What does the TN contract say: …") is not a name.
        if _QUESTION_START.match(head) and not _LEAD_IN.match(head):
            continue
        return FocusedQuery(_tidy(tail), naming, "prefix")
    return None


def _known_file(query: str, sources: Iterable[str]) -> tuple[int, int, str] | None:
    """The longest known file name (with or without its extension) the query contains."""
    lowered = query.lower()
    best: tuple[int, int, str] | None = None
    for source in sources:
        # The query was tidied ("Agreement .txt" -> "Agreement.txt"): so are the names.
        for name in (_tidy(source), _tidy(Path(source).stem)):
            if len(name) < 4:
                continue
            at = lowered.find(name.lower())
            if at >= 0 and (best is None or len(name) > best[1] - best[0]):
                end = at + len(name)
                if name == _tidy(Path(source).stem):
                    ext = re.match(r"\s*\.[A-Za-z]{2,4}\b", query[end:])
                    end += ext.end() if ext else 0
                best = (at, end, query[at:end])
    return best


def _replace(query: str, start: int, end: int) -> str:
    before = query[:start]
    # "in the file X.txt" / "under X.txt": the article or the word "file" goes with the name.
    before = re.sub(r"(?:\b(?:the|this)\s+)?(?:\bfile\s+)?$", "", before, flags=re.IGNORECASE)
    return _tidy(f"{before}{_THIS}{query[end:]}")


def _skip_lead(text: str, start: int, name: str) -> tuple[int, str]:
    """Leading question words caught by a capitalised-name pattern ("Does Aetna's contract")
    stay in the question."""
    lead = _QUESTION_START.match(name)
    if lead is None:
        return start, name
    rest = name[lead.end() :]
    return start + (len(name) - len(rest.lstrip())) + text[start:].find(name), rest.strip()


def focus_query(query: str, sources: Iterable[str] = ()) -> FocusedQuery:
    """Split `query` into the part naming its document and the question; `sources` are the file
    names of the documents in scope, so that a file name with spaces is found whole."""
    text = _tidy(query)
    prefix = _split_prefix(text)
    if prefix is not None:
        return prefix
    known = _known_file(text, sources)
    if known is not None:
        start, end, name = known
        return FocusedQuery(_replace(text, start, end), name, "file")
    file = _FILE.search(text)
    if file is not None:
        return FocusedQuery(_replace(text, file.start(), file.end()), file.group(0), "file")
    party = _WITH_PARTY.search(text)
    if party is not None:
        name = text[party.end() : _name_end(text, party.end())].rstrip("?!,;:")
        if name.strip(" ,."):
            end = party.end() + len(name)
            return FocusedQuery(_replace(text, party.start(), end), name.strip(" ,."), "inline")
    for named in _NAMED_DOC.finditer(text):
        name = (named.group("name") or named.group("owner") or "").strip()
        name = re.sub(r"['’]s$", "", name)
        start, name = _skip_lead(text, named.start(), name)
        if name and _CAPITALISED.search(name):
            return FocusedQuery(_replace(text, start, named.end()), name, "inline")
    return FocusedQuery(text, None, "none")
