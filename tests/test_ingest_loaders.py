"""Loaders on the real TN contracts, generated DOCX/TXT files and every kind of bad input."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from assistant.errors import InputError
from assistant.ingest.loaders import SUPPORTED_SUFFIXES, load_document
from assistant.ingest.models import LoadedDocument
from assistant.ingest.ocr import TextBox, join_lines, ocr_image

CONTRACT = "payer_contracts/TN_Contract4_Redacted.pdf"
TEMPLATE = "payer_contracts/TN_Standard_Template_Redacted.pdf"


def pdf_bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def contract_pages(shared_data: Path, *numbers: int) -> PdfWriter:
    """A new PDF holding the given 1-based pages of the real TN contract."""
    reader = PdfReader(shared_data / CONTRACT)
    writer = PdfWriter()
    for number in numbers:
        writer.add_page(reader.pages[number - 1])
    return writer


@pytest.fixture(scope="module")
def contract(shared_data: Path) -> LoadedDocument:
    return load_document(shared_data / CONTRACT, ocr=False)


def test_contract_pages_are_numbered_from_one_and_keep_their_text(
    shared_data: Path, contract: LoadedDocument
) -> None:
    path = shared_data / CONTRACT
    doc = contract
    assert doc.source == "TN_Contract4_Redacted.pdf"
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert len(doc.pages) == 48
    assert [p.number for p in doc.pages] == list(range(1, 49))
    assert "8.2 Termination Without Cause" in doc.pages[8].text
    assert "ARTICLE I" in doc.pages[0].text


def test_image_only_pages_are_reported_when_ocr_is_off(contract: LoadedDocument) -> None:
    doc = contract
    empty = [p.number for p in doc.pages if not p.text.strip()]
    assert empty == [17, 45, 46]
    assert doc.ocr_pages == ()
    assert any("page 17" in w and "OCR" in w for w in doc.warnings)


@pytest.mark.slow
def test_template_has_90_pages_and_its_scans_are_found(shared_data: Path) -> None:
    doc = load_document(shared_data / TEMPLATE, ocr=False)
    assert len(doc.pages) == 90
    assert [p.number for p in doc.pages if not p.text.strip()] == [1, 34, 78]


@pytest.mark.slow
def test_ocr_reads_a_real_scanned_page(shared_data: Path) -> None:
    image = PdfReader(shared_data / CONTRACT).pages[16].images[0].image
    text = ocr_image(image)
    lines = text.splitlines()
    for phrase in ("DEFINITIONS", '"Clean Claim" means', "Medicaid Member", "CoverKids"):
        assert phrase in text
    # Reading order: the title block comes before the definitions, in the page's order.
    assert lines.index("DEFINITIONS") < next(i for i, x in enumerate(lines) if "Clean Claim" in x)
    assert text.index('"Audit" means') < text.index('"Clean Claim" means')


@pytest.mark.slow
def test_load_document_ocrs_image_only_pages_and_marks_them(
    shared_data: Path, tmp_path: Path
) -> None:
    path = tmp_path / "two_pages.pdf"
    path.write_bytes(pdf_bytes(contract_pages(shared_data, 16, 17)))
    doc = load_document(path)
    assert [p.ocr for p in doc.pages] == [False, True]
    assert doc.ocr_pages == (2,)
    assert "PROVIDER NETWORKS ATTACHMENT" in doc.pages[0].text
    assert '"Clean Claim" means' in doc.pages[1].text


def test_ocr_lines_are_joined_in_reading_order() -> None:
    boxes = [
        TextBox(300, 52, 400, 70, "line"),
        TextBox(10, 10, 100, 30, "Title"),
        TextBox(10, 50, 120, 68, "second"),
        TextBox(130, 51, 290, 69, "text on this"),
    ]
    assert join_lines(boxes) == "Title\nsecond text on this line"


def test_ocr_wide_gaps_become_table_cells_or_redaction_spaces() -> None:
    row = [TextBox(10, 0, 60, 20, "99213"), TextBox(200, 0, 300, 20, "Office visit")]
    row.append(TextBox(500, 0, 560, 20, "$92.00"))
    redacted = [TextBox(10, 40, 100, 60, "entered by"), TextBox(300, 40, 400, 60, "and Provider")]
    assert join_lines(row + redacted) == "99213 | Office visit | $92.00\nentered by  and Provider"


def test_docx_paragraphs_and_tables_in_document_order(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("EXHIBIT B FEE SCHEDULE", level=1)
    document.add_paragraph("Rates below apply to office visits.")
    table = document.add_table(rows=3, cols=3)
    for row, cells in zip(
        table.rows,
        [("CPT", "Description", "Rate"), ("99213", "Office visit", "$92.00"), ("99214", "", "")],
        strict=True,
    ):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    merged = table.cell(2, 1).merge(table.cell(2, 2))
    merged.text = "Visit, merged"
    document.add_paragraph("3.1 Timely Filing. Claims within 90 days.")
    path = tmp_path / "fees.docx"
    document.save(str(path))

    doc = load_document(path)
    assert len(doc.pages) == 1 and doc.pages[0].number is None
    lines = doc.pages[0].text.splitlines()
    assert lines == [
        "EXHIBIT B FEE SCHEDULE",
        "Rates below apply to office visits.",
        "CPT | Description | Rate",
        "99213 | Office visit | $92.00",
        "99214 | Visit, merged",
        "3.1 Timely Filing. Claims within 90 days.",
    ]


@pytest.mark.parametrize("suffix", [".txt", ".md", ".TXT"])
def test_text_files_are_utf8_with_an_optional_bom(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"note{suffix}"
    path.write_bytes("\ufeff# Payer notes\nTimely filing: 90 days — “lesser of”.\n".encode())
    doc = load_document(path)
    assert doc.pages[0].text == "# Payer notes\nTimely filing: 90 days — “lesser of”.\n"
    assert doc.pages[0].number is None


def test_encrypted_pdf_with_empty_user_password_opens(shared_data: Path, tmp_path: Path) -> None:
    writer = contract_pages(shared_data, 9)
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "protected.pdf"
    path.write_bytes(pdf_bytes(writer))
    doc = load_document(path)
    assert "8.2 Termination Without Cause" in doc.pages[0].text


def blank_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    return pdf_bytes(writer)


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.encrypt("secret", algorithm="RC4-128")
    return pdf_bytes(writer)


BAD_FILES = [
    ("corrupt.pdf", lambda: blank_pdf()[:150], "damaged"),
    ("garbage.pdf", lambda: b"this is not a pdf at all", "damaged"),
    ("locked.pdf", encrypted_pdf, "encrypted"),
    ("empty.pdf", lambda: b"", "empty"),
    ("empty.txt", lambda: b"", "empty"),
    ("no_pages.pdf", lambda: blank_pdf(0), "no pages"),
    ("blank.pdf", lambda: blank_pdf(2), "no text"),
    ("latin1.txt", lambda: "Café fee schedule".encode("cp1252"), "not UTF-8"),
    ("spaces.md", lambda: "\ufeff".encode(), "no text"),
    ("broken.docx", lambda: b"PK\x03\x04 not really a zip", "damaged"),
    ("rates.xlsx", lambda: b"whatever", "unsupported"),
    ("README", lambda: b"no extension", "unsupported"),
]


@pytest.mark.parametrize(("name", "make", "says"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_raise_one_line_input_errors(tmp_path: Path, name, make, says) -> None:
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(InputError) as caught:
        load_document(path)
    error = caught.value
    assert name in error.message and says in error.message
    assert error.hint and "\n" not in str(error)


def test_encrypted_pdf_hint_says_to_remove_the_password(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(encrypted_pdf())
    with pytest.raises(InputError, match="encrypted") as caught:
        load_document(path)
    assert "remove the password" in (caught.value.hint or "")


def test_unsupported_extension_lists_the_supported_ones(tmp_path: Path) -> None:
    path = tmp_path / "rates.xlsx"
    path.write_bytes(b"x")
    with pytest.raises(InputError) as caught:
        load_document(path)
    assert all(suffix in (caught.value.hint or "") for suffix in SUPPORTED_SUFFIXES)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_document(tmp_path / "gone.pdf")
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    with pytest.raises(InputError, match="folder"):
        load_document(folder)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests may run as root, where chmod 000 does not stop reading; simulate the OS refusal.
    path = tmp_path / "secret.txt"
    path.write_text("text")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(InputError, match="permission denied") as caught:
        load_document(path)
    assert "secret.txt" in caught.value.message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_utf16_text_with_or_without_bom_is_read_not_stored_nul_interleaved(
    tmp_path: Path, encoding: str
) -> None:
    from assistant.ingest.loaders import load_document

    text = "Timely filing: claims within 90 days. Pénalités: none.\n" * 20
    path = tmp_path / "contract.txt"
    path.write_bytes(text.encode(encoding))
    doc = load_document(path)
    assert doc.pages[0].text == text
    assert "\x00" not in doc.pages[0].text


def test_a_latin1_text_file_is_refused_not_guessed(tmp_path: Path) -> None:
    from assistant.errors import InputError
    from assistant.ingest.loaders import load_document

    path = tmp_path / "contract.txt"
    path.write_bytes("Pénalités: 90 jours".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8 text"):
        load_document(path)


def test_a_fifo_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    import os

    from assistant.errors import InputError
    from assistant.ingest.loaders import load_document

    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    with pytest.raises(InputError, match="not a regular file"):
        load_document(path)
