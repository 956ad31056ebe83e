"""Read PDF, DOCX and text files into pages (minimal version; OCR and DOCX to follow)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from assistant.errors import InputError
from assistant.ingest.models import LoadedDocument, Page

SUPPORTED_SUFFIXES = (".pdf", ".txt", ".md")


def load_document(path: Path) -> LoadedDocument:
    """Read `path` into pages; raise InputError with a hint when it cannot be read."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from io import BytesIO

        from pypdf import PdfReader

        reader = PdfReader(BytesIO(data))
        pages = tuple(
            Page(number=i, text=p.extract_text() or "") for i, p in enumerate(reader.pages, 1)
        )
    elif suffix in (".txt", ".md"):
        pages = (Page(number=None, text=data.decode("utf-8")),)
    else:
        raise InputError(f"{path.name}: unsupported file type {suffix!r}", "use PDF, DOCX, TXT or MD")
    return LoadedDocument(source=path.name, sha256=digest, pages=pages)
