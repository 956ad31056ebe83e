"""Read PDF, DOCX and text files into pages, OCR-ing image-only PDF pages offline."""

from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import InputError
from assistant.ingest.models import LoadedDocument, Page

if TYPE_CHECKING:
    from pypdf import PageObject

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".txt", ".md")

_ENCRYPTED_HINT = "remove the password (print or save a copy without protection) and re-ingest"


def load_document(path: Path, *, ocr: bool = True) -> LoadedDocument:
    """Read `path` into pages; raise InputError naming the file, with a hint, when it can't be read.

    PDF pages are numbered from 1 and keep their own text; pages without a text layer are OCR'd
    (unless `ocr` is False) and marked `ocr=True`. DOCX and text files are one page numbered None.
    Text files must be UTF-8 or UTF-16/32 (see `decode_text`): other encodings are refused
    rather than guessed, because a wrong guess silently corrupts amounts and names.
    """
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = ", ".join(SUPPORTED_SUFFIXES)
        raise InputError(
            f"{name}: unsupported file type {suffix or '(no extension)'!r}",
            f"ingest one of {kinds}; save other formats as PDF or DOCX first",
        )
    data = _read_bytes(path)
    if not data.strip():
        raise InputError(f"{name}: the file is empty", "check that it saved or copied completely")
    digest = hashlib.sha256(data).hexdigest()
    warnings: list[str] = []
    if suffix == ".pdf":
        pages = _pdf_pages(name, data, ocr=ocr, warnings=warnings)
    elif suffix == ".docx":
        pages = (Page(number=None, text=_docx_text(name, data)),)
    else:
        pages = (Page(number=None, text=_utf8_text(name, data)),)
    if not any(page.text.strip() for page in pages):
        raise InputError(f"{name}: no text found", _no_text_hint(suffix, ocr=ocr))
    return LoadedDocument(source=name, sha256=digest, pages=pages, warnings=tuple(warnings))


def _read_bytes(path: Path) -> bytes:
    if path.exists() and not path.is_dir() and not path.is_file():
        # A FIFO or device would block (or never end) on read.
        raise InputError(
            f"{path.name}: not a regular file (a pipe or device)", "pass a saved file instead"
        )
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path.name}: file not found", f"check the path {path}") from None
    except IsADirectoryError:
        raise InputError(
            f"{path.name}: is a folder, not a file",
            "pass the files inside it, or the folder to ingest",
        ) from None
    except PermissionError:
        raise InputError(
            f"{path.name}: permission denied when reading the file",
            "make the file readable by your user (or copy it somewhere you can read) and retry",
        ) from None
    except OSError as exc:
        raise InputError(
            f"{path.name}: could not be read ({exc.strerror or exc})", "check the disk or share"
        ) from None


def _no_text_hint(suffix: str, *, ocr: bool) -> str:
    if suffix != ".pdf":
        return "the file holds no text; check it is the document you meant"
    if not ocr:
        return "the pages are images; ingest again with OCR switched on"
    return "even OCR found no text: scan the paper at a higher resolution or get a text PDF"


def _pdf_pages(name: str, data: bytes, *, ocr: bool, warnings: list[str]) -> tuple[Page, ...]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(f"{name}: the PDF is encrypted", _ENCRYPTED_HINT)
        count = len(reader.pages)
    except InputError:
        raise
    except (DependencyError, FileNotDecryptedError):
        # AES-encrypted PDFs need an extra crypto package even when the password is empty.
        raise InputError(f"{name}: the PDF is encrypted", _ENCRYPTED_HINT) from None
    except Exception:  # noqa: BLE001 - pypdf raises many exception types on damaged files
        raise InputError(
            f"{name}: the PDF is damaged and cannot be read",
            "open it in a PDF viewer and save or print it to a new PDF, then re-ingest",
        ) from None
    if count == 0:
        raise InputError(f"{name}: the PDF has no pages", "check it is the document you meant")
    pages = []
    for number, page in enumerate(reader.pages, start=1):
        text = _page_text(page, number, warnings)
        if text.strip():
            pages.append(Page(number=number, text=text))
        elif not ocr:
            warnings.append(f"page {number}: no text layer (OCR switched off)")
            pages.append(Page(number=number, text=""))
        else:
            pages.append(_ocr_page(page, number, warnings))
    return tuple(pages)


def _page_text(page: PageObject, number: int, warnings: list[str]) -> str:
    try:
        return page.extract_text() or ""
    except Exception as exc:  # noqa: BLE001 - one bad content stream must not lose the document
        warnings.append(f"page {number}: text extraction failed ({type(exc).__name__})")
        return ""


def _ocr_page(page: PageObject, number: int, warnings: list[str]) -> Page:
    from assistant.ingest.ocr import ocr_image

    texts = []
    try:
        images: Any = list(page.images)
    except Exception as exc:  # noqa: BLE001 - an undecodable image leaves the page empty, not fatal
        warnings.append(f"page {number}: images could not be read for OCR ({type(exc).__name__})")
        return Page(number=number, text="")
    for image in images:
        try:
            texts.append(ocr_image(image.image))
        except Exception as exc:  # noqa: BLE001 - e.g. JBIG2 or CCITT images Pillow cannot decode
            warnings.append(f"page {number}: an image could not be OCR'd ({type(exc).__name__})")
    text = "\n".join(t for t in texts if t)
    if not text:
        warnings.append(f"page {number}: no text layer and OCR found no text")
    return Page(number=number, text=text, ocr=bool(text))


def _docx_text(name: str, data: bytes) -> str:
    """Paragraphs and tables in document order; table rows as cells joined by " | "."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(BytesIO(data))
    except Exception:  # noqa: BLE001 - zipfile/lxml/python-docx all raise on damaged files
        raise InputError(
            f"{name}: the Word file is damaged or not a .docx",
            "open it in Word and save it again as .docx (Word 2007 or later), then re-ingest",
        ) from None
    blocks = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            blocks.extend(_table_rows(item))
        else:
            blocks.append(item.text)
    return "\n".join(blocks)


def _table_rows(table: Any) -> list[str]:
    rows = []
    for row in table.rows:
        cells = []
        seen: set[int] = set()
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans; keep it once.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


def _utf8_text(name: str, data: bytes) -> str:
    return decode_text(name, data)


_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_REENCODE_HINT = "re-save it as UTF-8 (in most editors: Save As, Encoding: UTF-8) and try again"


def decode_text(name: str, data: bytes) -> str:
    """Text of a file in UTF-8 or UTF-16/32 (with or without a byte-order mark); else refuse.

    UTF-16 without a BOM is valid UTF-8 byte for byte (every other byte NUL), so it is
    recognised by where its NULs fall; other encodings are refused rather than guessed,
    because a wrong guess silently corrupts amounts and names.
    """
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    if encoding is None and b"\x00" in data:
        encoding = _utf16_without_bom(data)
        if encoding is None:
            raise InputError(
                f"{name}: the file holds NUL bytes and is not UTF-16 text (a binary file?)",
                _REENCODE_HINT,
            )
    try:
        text = data.decode(encoding or "utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: the file is not {(encoding or 'utf-8').upper()} text "
            f"(byte {exc.start} cannot be decoded)",
            _REENCODE_HINT,
        ) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise InputError(f"{name}: the text holds NUL characters (a binary file?)", _REENCODE_HINT)
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = max(len(sample) // 2, 1)
    # ASCII-range text in UTF-16 puts a NUL in almost every high byte and none in the low ones.
    if odd >= 0.4 * half and even <= 0.05 * half:
        return "utf-16-le"
    if even >= 0.4 * half and odd <= 0.05 * half:
        return "utf-16-be"
    return None
