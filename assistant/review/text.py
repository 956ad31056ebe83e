"""Contract text as reviewable passages: sentences with their page, section and attachment scope."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.ingest.models import Page

AGREEMENT_SCOPE = "agreement"

_PART_WORDS = r"attachment|exhibit|schedule|addendum|appendix|amendment|ACS|WCS"
# A redacted payer name can leave a section starting in lower case ("3.1.3 will provide ...").
_SECTION_LINE = re.compile(r"^\s*(?P<num>\d{1,2}(?:\.\d{1,2})+)\.?\s+(?P<rest>[A-Za-z(\"“].*)$")
_TOP_SECTION_LINE = re.compile(
    r"^\s*(?P<num>\d{1,2})\.\s+(?P<rest>[A-Z][A-Za-z ,&/'-]{2,60})\.?\s*$"
)
_TITLE = re.compile(r"^(?P<title>[A-Z][^.;:]{1,80}?)\.(?:\s|$)")
_PART_HEADING = re.compile(rf"\b({_PART_WORDS})\b", re.IGNORECASE)
# Markdown: "## ARTICLE 3 — CLAIMS" or "### 3.2 Timely Filing"; a heading starts a section.
_MARKDOWN_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(?P<text>.*?)\s*#*\s*$")
_NUMBERED_HEADING = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2})*)\.?\s+(?P<title>\S.*)$")
_MARKDOWN_PART = re.compile(r"^(attachment|exhibit|schedule|addendum|appendix)\b", re.IGNORECASE)
# Sentence ends: punctuation then space then something that can start a sentence. The
# abbreviation check below keeps "Inc." or "e.g." from ending one.
# A redacted name can leave a space inside an opening quote (`" Rate" means`).
# A Markdown bold run-in title ("**Updates.** Annual ...") starts a sentence and stays with it.
_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[\"“(\[]\s?[A-Z0-9]|(?:\*\*)?[A-Z0-9])")
_HEADING_ONLY = re.compile(r"^\d{1,2}(?:\.\d{1,2})+\.?\s+[^.]{1,80}\.$")
_ABBREVIATIONS = frozenset(
    {"e.g", "i.e", "inc", "ltd", "co", "corp", "no", "nos", "u.s", "sec", "secs", "ann", "st"}
    | {"mr", "ms", "dr", "vs", "v", "al", "c.f.r", "u.s.c", "seq", "art", "jr", "sr", "p.c"}
    | {"l.l.c", "n.a", "approx"}
)
_MAX_SENTENCE = 1200


def normalise(text: str) -> str:
    """Collapse every run of whitespace to one space: the form quotes are checked in."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Passage:
    """One sentence of a page, whitespace-normalised, with where it sits in the document."""

    page: int | None
    section: str | None
    scope: str
    text: str


@dataclass(frozen=True)
class DocumentText:
    """A document cut into passages, plus which pages had no text and which were OCR'd."""

    passages: tuple[Passage, ...]
    unread_pages: tuple[int, ...]
    ocr_pages: tuple[int, ...]
    page_count: int

    @property
    def has_text(self) -> bool:
        return bool(self.passages)


def _digit_form(line: str) -> str:
    return re.sub(r"\d+", "#", normalise(line))


def _boilerplate(pages: Sequence[Page]) -> set[str]:
    """Lines repeated on many pages (running headers, footers, page numbers)."""
    texts = [p.text for p in pages if p.text.strip()]
    if len(texts) < 4:
        return set()
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update({_digit_form(line) for line in text.splitlines() if line.strip()})
    floor = max(3, int(0.2 * len(texts)))
    return {form for form, n in counts.items() if n >= floor and len(form) <= 100}


def _running_title(pages: Sequence[Page]) -> str | None:
    """The document title repeated in headers or footers, e.g. "Provider Agreement".

    Attachments usually append their own name to it ("... Provider Agreement Medicaid
    Attachment"), which is how a page is scoped when the attachment's cover is an image.
    """
    texts = [p.text for p in pages if p.text.strip()]
    if len(texts) < 4:
        return None
    candidates: Counter[str] = Counter()
    for text in texts:
        for line in {normalise(x) for x in text.splitlines()}:
            words = [w for w in line.split() if re.fullmatch(r"[A-Za-z][A-Za-z'&-]+", w)]
            if 10 <= len(line) <= 80 and len(words) >= 3 and not line.startswith("©"):
                candidates[line] += 1
    best: tuple[int, int, str] | None = None
    for line in candidates:
        pages_with = sum(
            1 for t in texts if any(normalise(x).startswith(line) for x in t.splitlines())
        )
        if pages_with >= max(3, int(0.3 * len(texts))):
            key = (pages_with, len(line), line)
            best = key if best is None or key > best else best
    return best[2] if best else None


def _scope_from_running_line(lines: list[str], title: str) -> str | None:
    for i, raw in enumerate(lines):
        line = normalise(raw)
        if not line.startswith(title):
            continue
        suffix = line[len(title) :].strip()
        nxt = normalise(lines[i + 1]) if i + 1 < len(lines) else ""
        if (
            nxt
            and len(nxt) <= 40
            and not nxt.startswith(("©", "@"))
            and _PART_HEADING.search(nxt)
            and not _PART_HEADING.search(suffix)
        ):
            suffix = f"{suffix} {nxt}".strip()
        # OCR puts the page number on the same line; some templates add a version ("v.2").
        suffix = re.sub(r"(\s+v\.?\s*\d+(\.\d+)*)?(\s+\d+)?$", "", suffix).strip(" -–,")
        return suffix or AGREEMENT_SCOPE
    return None


def _part_heading(lines: list[str], i: int) -> str | None:
    """An all-capitals heading naming an attachment or exhibit, joined with the line above."""
    line = normalise(lines[i])
    if not line or len(line) > 80 or line != line.upper() or not _PART_HEADING.search(line):
        return None
    if not re.search(r"[A-Z]{3}", line):
        return None
    parts = [line]
    if i > 0:
        above = normalise(lines[i - 1])
        if above and len(above) <= 60 and above == above.upper() and re.search(r"[A-Z]{3}", above):
            parts.insert(0, above)
    heading = " ".join(parts)
    heading = re.sub(r"\s+TO THE\b.*$", "", heading)
    return heading.title().replace("'S", "'s")


def _section_label(line: str, titles: dict[str, str]) -> str | None:
    match = _SECTION_LINE.match(line) or _TOP_SECTION_LINE.match(line)
    if not match:
        return None
    num, rest = match.group("num"), match.group("rest").strip()
    title = _TITLE.match(rest)
    if title and len(title.group("title").split()) <= 10:
        titles[num] = normalise(title.group("title"))
        return f"{num} {titles[num]}"
    parent = num
    while "." in parent:
        parent = parent.rsplit(".", 1)[0]
        if parent in titles:
            return f"{num} (in {parent} {titles[parent]})"
    return num


def _markdown_heading(line: str, titles: dict[str, str]) -> tuple[str, bool] | None:
    """(section label, starts an attachment) for a Markdown heading line, else None.

    A numbered heading ("### 3.2 Timely Filing") is labelled by its number alone ("3.2"): in
    Markdown the number is how a section is cited (the eval gold and the agent use it).
    """
    match = _MARKDOWN_HEADING.match(line)
    if not match:
        return None
    text = normalise(match.group("text").strip("*_ "))
    numbered = _NUMBERED_HEADING.match(text)
    if numbered and "." in numbered.group("num"):
        titles[numbered.group("num")] = numbered.group("title").rstrip(".")
        return numbered.group("num"), False
    return text, bool(_MARKDOWN_PART.match(text))


def _split_sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; every sentence is a substring of `text`."""
    out: list[tuple[int, str]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        before = text[start : match.start()]
        last = before.rsplit(" ", 1)[-1].rstrip(".").lower().lstrip('("“')
        opens_quote = text[match.end() : match.end() + 1] in '"“'
        abbreviated = last in _ABBREVIATIONS or re.fullmatch(r"[a-z]", last)
        if before.endswith(".") and abbreviated and not opens_quote:
            continue
        if before.strip():
            out.append((start, before))
        start = match.end()
    if text[start:].strip():
        out.append((start, text[start:]))
    result: list[tuple[int, str]] = []
    for offset, sentence in out:
        while len(sentence) > _MAX_SENTENCE:
            cut = sentence.rfind("; ", 0, _MAX_SENTENCE)
            cut = cut if cut > 200 else sentence.rfind(" ", 0, _MAX_SENTENCE)
            result.append((offset, sentence[: cut + 1].rstrip()))
            offset, sentence = offset + cut + 1, sentence[cut + 1 :].lstrip()
        result.append((offset, sentence))
    return result


def read_document(pages: Sequence[Page]) -> DocumentText:
    """Cut pages into passages, dropping running headers and footers at the page edges."""
    boiler = _boilerplate(pages)
    title = _running_title(pages)
    titles: dict[str, str] = {}
    passages: list[Passage] = []
    unread: list[int] = []
    scope = AGREEMENT_SCOPE
    section: str | None = None
    for index, page in enumerate(pages, 1):
        number = page.number if page.number is not None else (index if len(pages) > 1 else None)
        if not page.text.strip():
            if number is not None:
                unread.append(number)
            continue
        lines = page.text.splitlines()
        page_scope = _scope_from_running_line(lines, title) if title else None
        if page_scope and page_scope != scope:
            scope, section = page_scope, None
        first, last = 0, len(lines)

        def edge(line: str) -> bool:
            form = _digit_form(line)
            return not form or form in boiler or bool(title and form.startswith(title))

        while first < last and edge(lines[first]):
            first += 1
        while last > first and edge(lines[last - 1]):
            last -= 1
        body = ""
        marks: list[tuple[int, str | None, str]] = [(0, section, scope)]
        for i in range(first, last):
            markdown = _markdown_heading(lines[i], titles)
            if markdown:
                heading_text, part = markdown
                if part and title is None:
                    scope = heading_text.title() if heading_text.isupper() else heading_text
                section = None if part else heading_text
                marks.append((len(body), section, scope))
                continue
            if title is None:
                heading = _part_heading(lines, i)
                if heading and heading != scope:
                    scope, section = heading, None
                    marks.append((len(body), section, scope))
            label = _section_label(lines[i], titles)
            if label:
                section = label
                marks.append((len(body), section, scope))
            piece = normalise(lines[i])
            if piece:
                body += piece + " "
        # Sentences never run across a section or attachment start.
        starts = {offset: (sec, scp) for offset, sec, scp in marks}
        cuts = sorted(starts)
        for start, end in zip(cuts, [*cuts[1:], len(body)], strict=True):
            section_now, scope_now = starts[start]
            segment = body[start:end].rstrip()
            sentences = [sentence for _, sentence in _split_sentences(segment)]
            # "8.2 Termination Without Cause." belongs with the sentence it titles.
            if len(sentences) > 1 and _HEADING_ONLY.match(sentences[0]):
                sentences[:2] = [f"{sentences[0]} {sentences[1]}"]
            passages.extend(
                Passage(page=number, section=section_now, scope=scope_now, text=sentence)
                for sentence in sentences
            )
    ocr = tuple(
        p.number if p.number is not None else i
        for i, p in enumerate(pages, 1)
        if p.ocr and p.text.strip()
    )
    return DocumentText(
        passages=tuple(passages),
        unread_pages=tuple(unread),
        ocr_pages=ocr,
        page_count=len(pages),
    )
