"""The values ingestion passes around: pages of a loaded document and the chunks made from them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    """One page of text. `number` is 1-based for PDFs and None for text files (one page)."""

    number: int | None
    text: str
    ocr: bool = False


@dataclass(frozen=True)
class LoadedDocument:
    """A file read into pages, before chunking. `sha256` is of the file's bytes."""

    source: str
    sha256: str
    pages: tuple[Page, ...]
    warnings: tuple[str, ...] = ()

    @property
    def ocr_pages(self) -> tuple[int, ...]:
        return tuple(p.number for p in self.pages if p.ocr and p.number is not None)

    @property
    def text_pages(self) -> int:
        return sum(1 for p in self.pages if p.text.strip())


@dataclass(frozen=True)
class Chunk:
    """A piece of a document small enough to embed, with where it came from.

    `chunk_id` is stable: the same document text chunks to the same ids.
    `section` is the innermost numbered section (e.g. "3.1.4 Timely Filing") or None;
    `headings` the enclosing article/attachment/exhibit titles, outermost first.
    """

    chunk_id: str
    text: str
    page: int | None
    page_end: int | None
    section: str | None = None
    headings: tuple[str, ...] = ()
    ocr: bool = False
    start: int = 0
    """Character offset of the chunk in the document's full text (pages joined by "\\n\\n")."""
    extra: dict[str, str] = field(default_factory=dict)
