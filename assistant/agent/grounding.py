"""The grounding check: citations must be on their page, figures must come from a tool or quote."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.agent.answer import Citation, Figure, ToolCallRecord
from assistant.agent.quantities import Quantity, in_result, mentions, supports
from assistant.safety import addresses_assistant
from assistant.tool_results import unfence

PageText = Callable[[str, int | None], str | None]
"""(source or doc_id, page) -> the page's text, None when there is no such page."""

_CITATIONS_BLOCK = re.compile(r"\n*<citations>\s*(.*?)\s*</citations>\s*", re.S)
_CITATION_LINE = re.compile(
    r"^\[(\d+)\]\s*source:\s*(?P<source>.+?)\s*\|\s*page:\s*(?P<page>\S+)\s*"
    r"(?:\|\s*section:\s*(?P<section>.*?)\s*)?\|\s*quote:\s*[\"“](?P<quote>.*)[\"”]\s*$"
)
_MARKER = re.compile(r"\s?\[(\d+)\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\-(])")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})


def normalise(text: str) -> str:
    """Whitespace collapsed, typographic quotes and dashes made plain, lower case."""
    return " ".join(text.translate(_QUOTES).split()).lower()


def quote_on_page(quote: str, page_text: str | None) -> bool:
    return (
        bool(quote.strip()) and page_text is not None and normalise(quote) in normalise(page_text)
    )


@dataclass(frozen=True)
class Checked:
    """The answer after the check: what stays, and what was taken out (said plainly)."""

    text: str
    citations: list[Citation]
    figures: list[Figure]
    removed: list[str]

    @property
    def grounded(self) -> bool:
        return not self.removed


def split_citations(text: str) -> tuple[str, list[tuple[int, Citation]]]:
    """The answer text and the citations listed in its <citations> block, by marker number."""
    block = _CITATIONS_BLOCK.search(text)
    if block is None:
        return text.strip(), []
    cited: list[tuple[int, Citation]] = []
    # A model may copy a fence marker into a quote; the quote is the text inside it.
    listed = re.sub(r"\n?<<<[^<>]*>>>\n?", "", block.group(1))
    for line in listed.splitlines():
        m = _CITATION_LINE.match(line.strip())
        if m is None:
            continue
        page_text = m.group("page").strip().lower()
        page = int(page_text) if page_text.isdigit() else None
        cited.append(
            (
                int(m.group(1)),
                Citation(
                    source=m.group("source").strip(),
                    page=page,
                    section=(m.group("section") or "").strip() or None,
                    quote=unfence(m.group("quote").strip()),
                ),
            )
        )
    return (text[: block.start()] + text[block.end() :]).strip(), cited


def _sentences(text: str) -> list[str]:
    return [s for line in text.split("\n") for s in _SENTENCE_END.split(line)]


def known_quantities(
    tool_calls: Sequence[ToolCallRecord], quotes: Sequence[Citation], question: str = ""
) -> list[Quantity]:
    """What this turn knows, each value typed: the tool results (kind from the field), the
    arguments the tools were called with and the question (any kind but a duration), and the
    verified quotes (the figures written in them)."""
    known: list[Quantity] = []
    for call in tool_calls:
        known += in_result(call.result, call.id)
        known += in_result(call.args, call.id, loose=True)
    for citation in quotes:
        known += mentions(citation.quote)
    if question:
        known += [
            Quantity(q.kind if q.kind != "count" else "any", q.value) for q in mentions(question)
        ]
    return known


def check_answer(
    text: str,
    tool_calls: Sequence[ToolCallRecord],
    page_text: PageText,
    document_id: Callable[[str], str | None],
    question: str = "",
) -> Checked:
    """Verify every citation against its page and every figure against this turn's values.

    A citation whose quote is not on the cited page, or that quotes text addressed to an
    assistant, is dropped with the sentences that rest on it alone. A figure (money, percent,
    days, months, years, a count; digits or words) must equal a value of the same kind from a
    tool result of this turn, its arguments, the question or a verified quote, with the sign and
    direction ("more", "short") that value means; a sentence with one that doesn't is dropped.
    Each removal is listed in `removed`.
    """
    body, cited = split_citations(text)
    removed: list[str] = []
    kept: dict[int, Citation] = {}
    for number, citation in cited:
        doc_id = document_id(citation.source)
        ok = doc_id is not None and quote_on_page(citation.quote, page_text(doc_id, citation.page))
        if ok and addresses_assistant(citation.quote):
            removed.append(
                f"Citation [{number}] removed: the quote from {citation.source} is text addressed "
                "to an assistant, not contract language."
            )
        elif ok:
            kept[number] = citation.model_copy(update={"doc_id": doc_id})
        else:
            where = f"page {citation.page}" if citation.page is not None else "the document"
            removed.append(
                f'Citation [{number}] removed: the quote "{citation.quote[:120]}" is not on '
                f"{where} of {citation.source}."
            )

    known = known_quantities(tool_calls, list(kept.values()), question)

    sentences_out: list[str] = []
    figures: list[Figure] = []
    for line in body.split("\n"):
        kept_parts = []
        for sentence in _SENTENCE_END.split(line):
            markers = [int(m) for m in _MARKER.findall(sentence)]
            if markers and not any(m in kept for m in markers):
                removed.append(f'Removed a statement resting on a removed citation: "{sentence}"')
                continue
            missing = []
            stated = []
            for shown in mentions(_MARKER.sub("", sentence)):
                match = next((k for k in known if supports(k, shown)), None)
                if match is None:
                    missing.append(shown.shown)
                else:
                    stated.append(
                        Figure(
                            text=shown.shown, value=str(abs(shown.value)), tool_call_id=match.source
                        )
                    )
            if missing:
                removed.append(
                    f"Removed a statement with figures no tool returned ({', '.join(missing)}): "
                    f'"{sentence}"'
                )
                continue
            figures += stated
            kept_parts.append(sentence)
        if kept_parts or not line.strip():
            sentences_out.append(" ".join(kept_parts))
    final = "\n".join(sentences_out).strip()
    final = re.sub(r"\n{3,}", "\n\n", final)

    # Renumber the surviving citations in order of first mention.
    order: dict[int, int] = {}
    for m in _MARKER.finditer(final):
        n = int(m.group(1))
        if n in kept and n not in order:
            order[n] = len(order) + 1

    def renumber(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return f" [{order[n]}]" if n in order else ""

    final = _MARKER.sub(renumber, final)
    citations = [kept[n] for n in sorted(order, key=order.__getitem__)]
    return Checked(text=final, citations=citations, figures=figures, removed=removed)
