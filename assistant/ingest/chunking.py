"""Contract-aware chunking: chunks keep their section, headings, table header and page span.

Offsets. A document's full text is its pages' texts joined by PAGE_SEPARATOR ("\\n\\n"), in page
order, empty pages included (see `full_text`). `Chunk.start` is the offset of the chunk's first
character in that string. A chunk's text is a verbatim slice of it, except that a chunk which
continues a table split across chunks begins with the table's header line(s) and a newline that
are repeated from the table's start; `extra["repeated_header_chars"]` gives their length, and
`source_span` returns the (start, end) slice of the full text the rest of the chunk comes from.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from assistant.ingest.models import Chunk, LoadedDocument

PAGE_SEPARATOR = "\n\n"
DEFAULT_MAX_CHARS = 1000
DEFAULT_OVERLAP = 100
# A section that starts this close to the chunk's start joins the chunk rather than ending it, so
# headings and one-line sub-clauses ("2.6.2.1 Cost Shares, if applicable;") are not chunks alone.
MIN_CHUNK_CHARS = 200
HEADER_KEY = "repeated_header_chars"
# Headings prefixed to the embedded text are capped: the model only sees ~1000 characters.
MAX_PREFIX_CHARS = 200
PREAMBLE_LABEL = "Preamble: the parties to this agreement and its effective date"

# Cut strengths: where a chunk may end, best first.
_SECTION, _PARAGRAPH, _LINE_SENTENCE, _SENTENCE = 5, 4, 3, 2

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_PART_WORDS = ("ATTACHMENT", "EXHIBIT", "SCHEDULE", "APPENDIX", "ADDENDUM")
# Words that end a line when the next line's number is a cross-reference, not a new section.
_REFERENCE_WORDS = {
    "section", "sections", "article", "articles", "paragraph", "subsection", "clause", "§",
    "of", "to", "in", "under", "and", "or", "with", "by", "per", "see", "at", "than", "within",
}  # fmt: skip

_MD_HEADING = re.compile(r"#{1,6}\s+(\S.*?)\s*#*")
_ARTICLE = re.compile(
    r"(?P<kw>ARTICLE|Article|SECTION|Section)\s*(?P<num>[IVXLC]+|\d{1,3})(?!\w|\.\d)\.?\s*(?P<rest>.*)"
)
_PART = re.compile(
    r"(?P<kw>ATTACHMENT|Attachment|EXHIBIT|Exhibit|SCHEDULE|Schedule|APPENDIX|Appendix"
    r"|ADDENDUM|Addendum)(?:\s+(?P<id>[A-Z]{1,2}|\d{1,2}|[IVX]{1,4}))?(?!\w|\.\d)\.?\s*(?P<rest>.*)"
)
_MULTI_LEVEL = re.compile(
    r"(?:(?:Section|SECTION|§)\s*)?(?P<num>\d{1,3}(?:\.\d{1,3}){1,5})\.?(?=\s|$)\s*(?P<rest>.*)"
)
_SINGLE_LEVEL = re.compile(r"(?:(?:Section|SECTION)\s+)?(?P<num>\d{1,2})\.\s+(?P<rest>.*)")
_TITLE_END = re.compile(r"[.:](?:\s|$)")
_SENTENCE_END = re.compile(r"[.!?;:][\"'”’)\]]*( +)(?=[A-Z\"“(\d])")
_LINE_ENDS_SENTENCE = re.compile(r"[.!?;:][\"'”’)\]]*\s*$")
_ENUMERATOR = re.compile(r"[\"“]|\(?[a-zA-Z0-9]{1,4}[.)]\s")
_MD_TABLE_RULE = re.compile(r"\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?")


def full_text(doc: LoadedDocument) -> str:
    """The text that `Chunk.start` indexes: the pages' texts joined by PAGE_SEPARATOR."""
    return PAGE_SEPARATOR.join(page.text for page in doc.pages)


def source_span(chunk: Chunk) -> tuple[int, int]:
    """The (start, end) slice of the full text the chunk's text comes from (header excluded)."""
    repeated = int(chunk.extra.get(HEADER_KEY, "0"))
    return chunk.start, chunk.start + len(chunk.text) - repeated


def title(chunk: Chunk) -> str:
    """The chunk's labels alone (headings, section, or the preamble label), for title search."""
    labels = [*chunk.headings, *([chunk.section] if chunk.section else [])]
    if chunk.start == 0 and not labels:
        labels = [PREAMBLE_LABEL]
    return " > ".join(labels)


def embedding_text(chunk: Chunk) -> str:
    """The text to embed: "outer heading > section: text", headings capped at MAX_PREFIX_CHARS.

    When the headings are too long, the outermost are dropped first: the innermost say most.
    """
    labels = [*chunk.headings, *([chunk.section] if chunk.section else [])]
    if chunk.start == 0 and not labels:
        # A contract's opening names the parties and the date it takes effect; questions about
        # them ("who are the parties?") share no words with the names themselves.
        labels = [PREAMBLE_LABEL]
    kept: list[str] = []
    for label in reversed(labels):
        if len(" > ".join([label, *kept])) > MAX_PREFIX_CHARS:
            break
        kept.insert(0, label)
    return f"{' > '.join(kept)}: {chunk.text}" if kept else chunk.text


def chunk_document(
    doc: LoadedDocument,
    doc_id: str,
    max_chars: int = DEFAULT_MAX_CHARS,
    overlap: int = DEFAULT_OVERLAP,
) -> list[Chunk]:
    """Split `doc` into chunks of at most `max_chars` characters (repeated table header included).

    Chunks end, in order of preference, at a section or heading start, a paragraph or table row,
    a sentence end, a space. A chunk cut inside a paragraph shares `overlap` characters (snapped
    to a sentence or word start) with the next; chunks cut at a section, paragraph or row don't.
    Ids are `{doc_id}:{ordinal}:{hash of text}`: the same text chunks to the same ids.
    """
    if max_chars < 50:
        raise ValueError(f"max_chars must be at least 50, not {max_chars}")
    if not 0 <= overlap <= max_chars // 2:
        raise ValueError(f"overlap must be between 0 and max_chars // 2, not {overlap}")
    text = full_text(doc)
    outline = _outline(text)
    page_starts = _page_starts(doc)
    chunks: list[Chunk] = []
    for start, end, header in _spans(text, outline, max_chars, overlap):
        body = text[start:end]
        chunk_text = f"{header}\n{body}" if header else body
        first, last = _page_index(page_starts, start), _page_index(page_starts, end - 1)
        section, headings = outline.context_at(_content_start(text, outline, start, end))
        ordinal = len(chunks)
        digest = hashlib.sha256(chunk_text.encode()).hexdigest()[:12]
        chunks.append(
            Chunk(
                chunk_id=f"{doc_id}:{ordinal:04d}:{digest}",
                text=chunk_text,
                page=doc.pages[first].number,
                page_end=doc.pages[last].number,
                section=section,
                headings=headings,
                ocr=any(page.ocr for page in doc.pages[first : last + 1]),
                start=start,
                extra={HEADER_KEY: str(len(header) + 1)} if header else {},
            )
        )
    return chunks


@dataclass(frozen=True)
class _Table:
    start: int
    header_end: int
    end: int


@dataclass
class _Outline:
    """What the line scan found: context changes, cut points, heading lines and tables."""

    event_positions: list[int] = field(default_factory=list)
    event_states: list[tuple[str | None, tuple[str, ...]]] = field(default_factory=list)
    cuts: dict[int, int] = field(default_factory=dict)
    heading_lines: dict[int, int] = field(default_factory=dict)
    tables: list[_Table] = field(default_factory=list)

    def context_at(self, position: int) -> tuple[str | None, tuple[str, ...]]:
        index = bisect_right(self.event_positions, position) - 1
        return self.event_states[index] if index >= 0 else (None, ())

    def cut(self, position: int, strength: int) -> None:
        self.cuts[position] = max(strength, self.cuts.get(position, 0))


@dataclass
class _State:
    part: str | None = None
    article: str | None = None
    markdown: list[tuple[int, str]] = field(default_factory=list)
    sections: list[tuple[tuple[int, ...], str, bool]] = field(default_factory=list)
    previous: tuple[int, ...] | None = None

    def enter(self, numbers: tuple[int, ...], label: str, titled: bool) -> None:
        """Start numbered section `numbers`, closing those it is not inside."""
        self.sections = [entry for entry in self.sections if numbers[: len(entry[0])] == entry[0]]
        self.sections.append((numbers, label, titled))
        self.previous = numbers

    def snapshot(self) -> tuple[str | None, tuple[str, ...]]:
        outer = [label for label in (self.part, self.article) if label]
        outer += [title for _level, title in self.markdown]
        if self.sections:
            outer += [label for _n, label, titled in self.sections[:-1] if titled]
            return self.sections[-1][1], tuple(outer)
        if self.markdown:
            return outer[-1], tuple(outer[:-1])
        return None, tuple(outer)


def _outline(text: str) -> _Outline:
    lines = _split_lines(text)
    outline = _Outline()
    state = _State()

    def emit(position: int) -> None:
        outline.event_positions.append(position)
        outline.event_states.append(state.snapshot())
        outline.cut(position, _SECTION)

    index = 0
    while index < len(lines):
        start, end = lines[index]
        line = text[start:end].strip()
        previous_line = _previous_line(text, lines, index)
        consumed = 1
        if not line:
            pass
        elif match := _MD_HEADING.fullmatch(line):
            level = len(line) - len(line.lstrip("#"))
            state.markdown = [(lv, t) for lv, t in state.markdown if lv < level]
            state.markdown.append((level, match.group(1)))
            state.sections, state.previous = [], None
            outline.heading_lines[start] = end
            emit(start)
        elif heading := _article_heading(text, lines, index):
            label, number, consumed = heading
            state.article, state.sections, state.previous = label, [], (number,)
            for s, e in lines[index : index + consumed]:
                outline.heading_lines[s] = e
            emit(start)
        elif part := _part_heading(text, lines, index, outline.cuts):
            label, first, consumed = part
            state.part, state.article, state.sections, state.previous = label, None, [], None
            for s, e in lines[first : index + consumed]:
                outline.heading_lines[s] = e
            emit(lines[first][0])
        elif section := _section(line, previous_line, state.previous):
            numbers, label, titled = section
            state.sections = [
                entry for entry in state.sections if numbers[: len(entry[0])] == entry[0]
            ]
            state.sections.append((numbers, label, titled))
            state.previous = numbers
            emit(start)
        elif _is_row(line) and (table := _table(text, lines, index)):
            consumed = _mark_table(outline, text, lines, index, table)
        elif previous_line is not None:
            outline.cut(start, _paragraph_strength(line, previous_line))
        elif index > 0:
            outline.cut(start, _PARAGRAPH)  # after a blank line, or a page break
        index += max(consumed, 1)
    for match in _SENTENCE_END.finditer(text):
        outline.cut(match.end(), _SENTENCE)
    return outline


def _split_lines(text: str) -> list[tuple[int, int]]:
    lines, position = [], 0
    for piece in text.split("\n"):
        lines.append((position, position + len(piece)))
        position += len(piece) + 1
    return lines


def _previous_line(text: str, lines: list[tuple[int, int]], index: int) -> str | None:
    """The previous line, or None when it is blank (a paragraph break) or there is none."""
    if index == 0:
        return None
    start, end = lines[index - 1]
    line = text[start:end].strip()
    return line or None


def _paragraph_strength(line: str, previous: str) -> int:
    """How good a cut the start of `line` is, given the line before it (no blank line between)."""
    if not _LINE_ENDS_SENTENCE.search(previous) or not re.match(r"[A-Z\"“(\d•\-]", line):
        return 0
    return _PARAGRAPH if _ENUMERATOR.match(line) else _LINE_SENTENCE


def _roman(numeral: str) -> int:
    values = [_ROMAN[c] for c in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _is_caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    # A five-letter word tells a title ("MEDICAID/COVERKIDS") from a placeholder ("MM/DD/YYYY").
    return (
        3 <= len(line) <= 100
        and sum(c.isupper() for c in letters) >= 0.85 * len(letters)
        and re.search(r"[A-Za-z]{5,}", line) is not None
    )


def _is_title(text: str, max_words: int = 12) -> bool:
    """Short, capitalised words, not a sentence: "Timely Filing", "Use of Subcontractors"."""
    words = text.split()
    if not words or len(words) > max_words or len(text) > 90 or not text[0].isupper():
        return False
    long_words = [w for w in words if sum(c.isalpha() for c in w) >= 4]
    capitalised = sum(w[0].isupper() for w in long_words)
    return capitalised >= 0.75 * len(long_words)


def _next_title_line(text: str, lines: list[tuple[int, int]], index: int) -> str | None:
    """A heading's title on the line after it ("ARTICLE II" / "SERVICES/OBLIGATIONS")."""
    if index + 1 >= len(lines):
        return None
    start, end = lines[index + 1]
    line = text[start:end].strip()
    if not line or line.endswith(".") or _MULTI_LEVEL.match(line) or _ARTICLE.match(line):
        return None
    return line if _is_caps(line) or _is_title(line, max_words=8) else None


def _article_heading(
    text: str, lines: list[tuple[int, int]], index: int
) -> tuple[str, int, int] | None:
    """(label, number, lines used) for "ARTICLE IV", "Article 3 Term", "SECTION I – Definitions"."""
    start, end = lines[index]
    match = _ARTICLE.fullmatch(text[start:end].strip())
    if not match:
        return None
    keyword, numeral, rest = match["kw"], match["num"], match["rest"].strip(" -–—:.")
    if keyword.lower() == "section" and numeral.isdigit():
        return None  # "Section 4" is a numbered section, handled with "4.2"
    if (keyword.islower() or keyword.istitle()) and rest and not _is_title(rest):
        return None  # "Article I of the Agreement ..." wrapped onto a new line
    if len(rest) > 80:
        return None
    number = int(numeral) if numeral.isdigit() else _roman(numeral)
    used = 1
    if not rest and (title := _next_title_line(text, lines, index)):
        rest, used = title, 2
    label = " ".join([keyword, numeral, *([rest] if rest else [])])
    return label, number, used


def _part_heading(
    text: str, lines: list[tuple[int, int]], index: int, cuts: dict[int, int]
) -> tuple[str, int, int] | None:
    """(label, first line, lines used from `index`) for an attachment, exhibit or schedule title.

    Either "EXHIBIT B", "Schedule 1 Fee Schedule", "Appendix", or a block of capitalised lines
    naming one ("MEDICARE ADVANTAGE / PARTICIPATION ATTACHMENT TO THE / PROVIDER AGREEMENT").
    """
    start, end = lines[index]
    line = text[start:end].strip()
    match = _PART.fullmatch(line)
    if match and (match["id"] or match["kw"].lower() == "appendix"):
        rest, used = match["rest"].strip(" -–—:."), 1
        if not rest and (title := _next_title_line(text, lines, index)):
            rest, used = title, 2
        if match["kw"].isupper() or not rest or _is_title(rest):
            label = " ".join(p for p in (match["kw"], match["id"], rest) if p)
            if len(label) <= 120:
                return label, index, used
    if not (_is_caps(line) and any(word in line.upper() for word in _PART_WORDS)):
        return None
    first = index
    while first > 0 and index - first < 4:
        s, e = lines[first - 1]
        before = text[s:e].strip()
        if (before and not _is_caps(before)) or cuts.get(s) == _SECTION:
            break
        if not before and (first < 2 or not _is_caps(text[slice(*lines[first - 2])].strip())):
            break
        first -= 1
    last = index
    while last + 1 < len(lines) and last - index < 4:
        s, e = lines[last + 1]
        after = text[s:e].strip()
        if after and (not _is_caps(after) or _ARTICLE.match(after) or _MULTI_LEVEL.match(after)):
            break
        if not after and (
            last + 2 >= len(lines)
            or not _is_caps(nxt := text[slice(*lines[last + 2])].strip())
            or _ARTICLE.match(nxt)
        ):
            break
        last += 1
    block = [text[slice(*lines[i])].strip() for i in range(first, last + 1)]
    return " ".join(b for b in block if b), first, last - index + 1


def _section(
    line: str, previous_line: str | None, previous: tuple[int, ...] | None
) -> tuple[tuple[int, ...], str, bool] | None:
    """(numbers, label, has title) when `line` starts a numbered section such as "3.1.4 Title."."""
    match = _MULTI_LEVEL.fullmatch(line) or _SINGLE_LEVEL.fullmatch(line)
    if not match:
        return None
    rest = match["rest"]
    if rest and not re.match(r"[A-Z\"“(]", rest):
        return None  # "30 days", "1.5 times the rate"
    if previous_line:
        last_word = previous_line.split()[-1].lower()
        if last_word in _REFERENCE_WORDS or previous_line.endswith((",", "(")):
            return None  # "... pursuant to section / 2.13 Provider ..." is a wrapped reference
    numbers = tuple(int(n) for n in match["num"].split("."))
    title_match = _TITLE_END.search(rest)
    candidate = (rest[: title_match.start()] if title_match else rest).strip()
    # Without a "." or ":" ending it, only a short line is a title; a long one is a sentence
    # that wraps ("8.4.1 This Agreement or any Participation Attachment(s) may be ...").
    short_line = len(rest) <= 60
    titled = bool(candidate) and (title_match is not None or short_line) and _is_title(candidate)
    if not (_follows(previous, numbers) or titled):
        return None
    number = match["num"] + ("." if len(numbers) == 1 else "")
    return numbers, f"{number} {candidate}" if titled else number, titled


def _follows(previous: tuple[int, ...] | None, numbers: tuple[int, ...]) -> bool:
    """Whether `numbers` can come next after `previous` (a first child, or a small step on)."""
    if previous is None or numbers == (*previous, 1):
        return True
    for depth, value in enumerate(previous):
        if depth >= len(numbers) or numbers[:depth] != previous[:depth]:
            return False
        if value < numbers[depth] <= value + 2:
            return all(n == 1 for n in numbers[depth + 1 :])
    return False


def _is_row(line: str) -> bool:
    if " | " in line or (line.startswith("|") and line.count("|") >= 3):
        return True
    return len([cell for cell in line.split("\t") if cell.strip()]) >= 2


def _table(text: str, lines: list[tuple[int, int]], index: int) -> _Table | None:
    """The table starting at row `index`: rows, plus short lines that continue a row's cells."""
    header_end = lines[index][1]
    last, rows = index, 1
    while last + 1 < len(lines):
        s, e = lines[last + 1]
        line = text[s:e].strip()
        if not line:
            break
        if _MD_TABLE_RULE.fullmatch(line) and last == index:
            header_end = e
        elif _is_row(line):
            rows += 1
        elif len(line) > 90:
            break
        last += 1
    if rows < 2:
        return None
    return _Table(lines[index][0], header_end, lines[last][1])


def _mark_table(
    outline: _Outline, text: str, lines: list[tuple[int, int]], index: int, table: _Table
) -> int:
    """Record `table` and its row starts as cut points; return how many lines it spans."""
    outline.tables.append(table)
    used = 0
    while index + used < len(lines) and lines[index + used][0] < table.end:
        row_start, row_end = lines[index + used]
        if used == 0 or (row_start > table.header_end and _is_row(text[row_start:row_end])):
            outline.cut(row_start, _PARAGRAPH)
        used += 1
    if index + used < len(lines):
        outline.cut(lines[index + used][0], _PARAGRAPH)
    return used


def _page_starts(doc: LoadedDocument) -> list[int]:
    starts, position = [], 0
    for page in doc.pages:
        starts.append(position)
        position += len(page.text) + len(PAGE_SEPARATOR)
    return starts


def _page_index(page_starts: list[int], position: int) -> int:
    return max(bisect_right(page_starts, position) - 1, 0)


def _content_start(text: str, outline: _Outline, start: int, end: int) -> int:
    """Where a chunk's own content begins: past any heading lines it opens with."""
    position = start
    while position in outline.heading_lines and outline.heading_lines[position] < end:
        position = _skip_space(text, outline.heading_lines[position])
    return position if position < end else start


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _table_header(text: str, outline: _Outline, position: int, max_chars: int) -> str:
    for table in outline.tables:
        if table.header_end < position < table.end:
            header = text[table.start : table.header_end]
            return header if len(header) <= max_chars // 3 else ""
    return ""


def _spans(
    text: str, outline: _Outline, max_chars: int, overlap: int
) -> list[tuple[int, int, str]]:
    """(start, end, repeated table header) of each chunk, in order."""
    cut_positions = sorted(outline.cuts)
    minimum = min(MIN_CHUNK_CHARS, max_chars // 4)
    spans = []
    start = _skip_space(text, 0)
    while start < len(text):
        header = _table_header(text, outline, start, max_chars)
        limit = start + max_chars - (len(header) + 1 if header else 0)
        window = cut_positions[
            bisect_right(cut_positions, start) : bisect_right(cut_positions, limit)
        ]
        section_cut = next(
            (p for p in window if p > start + minimum and outline.cuts[p] == _SECTION), None
        )
        strength = _SECTION
        if section_cut is not None:
            cut = section_cut
        elif len(text[start:].rstrip()) <= limit - start:
            cut = len(text)
        else:
            cut, strength = _best_cut(text, outline, window, start, limit)
        end = start + len(text[start:cut].rstrip())
        spans.append((start, end, header))
        following = _skip_space(text, cut)
        if overlap and strength < _PARAGRAPH and not header:
            following = _overlap_start(text, outline, cut_positions, start, cut, overlap)
        start = following
    return spans


def _best_cut(
    text: str, outline: _Outline, window: list[int], start: int, limit: int
) -> tuple[int, int]:
    """Where to end a chunk that cannot reach the next section: in the window's second half, the
    strongest cut (latest on ties), else the last space; else the strongest cut anywhere.

    Cutting early at a strong boundary would leave a tiny chunk, and the overlap would then repeat
    it; the second half keeps chunks at least half full.
    """
    middle = (start + limit) // 2
    candidates = [p for p in window if p > middle and outline.cuts[p] > 0]
    if candidates:
        best = max(candidates, key=lambda p: (outline.cuts[p], p))
        return best, outline.cuts[best]
    space = max(text.rfind(" ", middle, limit), text.rfind("\n", middle, limit))
    if space > start:
        return space, 1
    candidates = [p for p in window if outline.cuts[p] > 0]
    if candidates:
        best = max(candidates, key=lambda p: (outline.cuts[p], p))
        return best, outline.cuts[best]
    return limit, 0


def _overlap_start(
    text: str, outline: _Outline, cut_positions: list[int], start: int, cut: int, overlap: int
) -> int:
    """Where the next chunk starts so that it repeats about `overlap` characters before `cut`."""
    low = max(cut - overlap, start + 1)
    inside = cut_positions[bisect_left(cut_positions, low) : bisect_left(cut_positions, cut)]
    sentences = [p for p in inside if outline.cuts[p] >= _SENTENCE]
    if sentences or inside:
        return _skip_space(text, (sentences or inside)[0])
    space = text.find(" ", low, cut)
    return _skip_space(text, space) if space != -1 else _skip_space(text, cut)
