"""Chunking: section, heading, table and page metadata; offsets, sizes and stable ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.ingest.chunking import (
    PREAMBLE_LABEL,
    chunk_document,
    embedding_text,
    full_text,
    source_span,
    title,
)
from assistant.ingest.loaders import load_document
from assistant.ingest.models import Chunk, LoadedDocument, Page


def text_doc(*texts: str, numbered: bool = False) -> LoadedDocument:
    pages = tuple(Page(number=i if numbered else None, text=t) for i, t in enumerate(texts, 1))
    return LoadedDocument(source="t.txt", sha256="0" * 64, pages=pages)


def containing(chunks: list[Chunk], phrase: str) -> Chunk:
    return next(c for c in chunks if phrase in c.text)


@pytest.fixture(scope="module")
def contract(shared_data: Path) -> LoadedDocument:
    return load_document(shared_data / "payer_contracts/TN_Contract4_Redacted.pdf", ocr=False)


@pytest.fixture(scope="module")
def contract_chunks(contract: LoadedDocument) -> list[Chunk]:
    return chunk_document(contract, "tn4")


def test_termination_clause_has_its_section_article_and_page(contract_chunks: list[Chunk]) -> None:
    chunk = containing(contract_chunks, "one hundred eighty (180) days prior written notice")
    assert chunk.section == "8.2 Termination Without Cause"
    assert chunk.headings == ("ARTICLE VIII TERM AND TERMINATION",)
    assert chunk.page == 9


def test_attachment_heading_is_carried_into_its_sections(contract_chunks: list[Chunk]) -> None:
    chunk = containing(contract_chunks, "11.3 Termination Without Cause")
    assert chunk.page == 39
    assert chunk.section == "11.3 Termination Without Cause"
    assert chunk.headings == (
        "MEDICARE ADVANTAGE PARTICIPATION ATTACHMENT TO THE PROVIDER AGREEMENT",
        "ARTICLE XI TERMINATION",
    )


def test_sub_sections_list_their_titled_parents(contract_chunks: list[Chunk]) -> None:
    chunk = containing(contract_chunks, "8.8.7 Continuation of Care Upon Termination")
    assert chunk.headings[-1] == "8.8 Survival"


def test_headings_carry_across_page_boundaries(contract_chunks: list[Chunk]) -> None:
    # Page 10 opens mid-way through 8.3; its chunks still know their article.
    on_page_10 = [c for c in contract_chunks if c.page == 10]
    assert on_page_10
    assert all(c.headings[:1] == ("ARTICLE VIII TERM AND TERMINATION",) for c in on_page_10)
    spanning = [c for c in contract_chunks if c.page_end != c.page]
    assert spanning and all(c.page_end > c.page for c in spanning)


def test_contract_chunks_fit_and_map_back_to_the_text(
    contract: LoadedDocument, contract_chunks: list[Chunk]
) -> None:
    text = full_text(contract)
    assert all(len(c.text) <= 1000 for c in contract_chunks)
    for chunk in contract_chunks:
        start, end = source_span(chunk)
        assert chunk.text.endswith(text[start:end])
    assert len({c.chunk_id for c in contract_chunks}) == len(contract_chunks)


def test_ids_are_stable_and_depend_on_the_document(contract: LoadedDocument) -> None:
    first = [c.chunk_id for c in chunk_document(contract, "tn4")]
    again = [c.chunk_id for c in chunk_document(contract, "tn4")]
    other = [c.chunk_id for c in chunk_document(contract, "other")]
    assert first == again
    assert not set(first) & set(other)


SECTIONS = """ARTICLE IV
PAYMENT
4.1 Timely Filing. Provider shall submit Claims within ninety (90) days.
30 days after notice, the plan may deny the Claim.
4.2 Claims Payment. Payer pays Clean Claims promptly as required under section
4.3 of the provider manual and applicable law.
4.2.1 Interest accrues on late payments.
Article 5 Term and Termination
5.1 Term. This Agreement renews each year.
EXHIBIT B
Fee Schedule
1.5 times the Medicare rate applies to these services.
"""


@pytest.mark.parametrize(
    ("phrase", "section", "headings"),
    [
        ("ninety (90) days", "4.1 Timely Filing", ("ARTICLE IV PAYMENT",)),
        ("30 days after notice", "4.1 Timely Filing", ("ARTICLE IV PAYMENT",)),
        ("4.3 of the provider manual", "4.2 Claims Payment", ("ARTICLE IV PAYMENT",)),
        ("Interest accrues", "4.2.1", ("ARTICLE IV PAYMENT", "4.2 Claims Payment")),
        ("renews each year", "5.1 Term", ("Article 5 Term and Termination",)),
        ("1.5 times", None, ("EXHIBIT B Fee Schedule",)),
    ],
)
def test_sections_and_false_positives(phrase: str, section: str | None, headings: tuple) -> None:
    chunks = chunk_document(text_doc(SECTIONS), "s", max_chars=60, overlap=0)
    chunk = next(c for c in chunks if phrase in c.text)
    assert (chunk.section, chunk.headings) == (section, headings)


def test_markdown_headings_give_section_and_headings() -> None:
    text = (
        "# Guide\n\n## Timely filing\n\nAsk for 180 days.\n\n## Rates\n\nCompare with Medicare.\n"
    )
    chunks = chunk_document(text_doc(text), "g", max_chars=50, overlap=0)
    chunk = containing(chunks, "180 days")
    assert (chunk.section, chunk.headings) == ("Timely filing", ("Guide",))
    assert containing(chunks, "Medicare").section == "Rates"


def fee_table(rows: int) -> str:
    lines = ["EXHIBIT B PROFESSIONAL FEE SCHEDULE", "CPT | Description | Rate"]
    lines += [f"{99200 + i} | Office visit level {i} | ${50 + i}.00" for i in range(rows)]
    return "\n".join(lines) + "\nRates are per unit."


def test_split_tables_repeat_their_header() -> None:
    doc = text_doc(fee_table(40))
    chunks = chunk_document(doc, "fees", max_chars=300)
    text = full_text(doc)
    with_rows = [c for c in chunks if "Office visit" in c.text]
    assert len(with_rows) > 2
    for chunk in with_rows:
        assert chunk.headings == ("EXHIBIT B PROFESSIONAL FEE SCHEDULE",)
        assert "CPT | Description | Rate" in chunk.text.splitlines()[:2]
        assert len(chunk.text) <= 300
    for chunk in with_rows[1:]:
        assert chunk.text.startswith("CPT | Description | Rate\n")
        start, end = source_span(chunk)
        assert chunk.text == "CPT | Description | Rate\n" + text[start:end]
        assert text[start:end].startswith("99")  # cut between rows, not inside one


def test_pages_and_ocr_flags() -> None:
    pages = (
        Page(1, "First page text. " * 20),
        Page(2, ""),
        Page(3, "Scanned words. " * 20, ocr=True),
    )
    doc = LoadedDocument(source="x.pdf", sha256="0" * 64, pages=pages)
    chunks = chunk_document(doc, "x", max_chars=200, overlap=0)
    assert {(c.page, c.page_end, c.ocr) for c in chunks} == {(1, 1, False), (3, 3, True)}
    text = full_text(doc)
    third = next(c for c in chunks if c.page == 3)
    assert text.index("Scanned") == len(pages[0].text) + 2 + 0 + 2 == third.start


def test_overlap_starts_at_a_sentence() -> None:
    text = " ".join(f"Sentence number {i} says something about payment." for i in range(40))
    chunks = chunk_document(text_doc(text), "o", max_chars=300, overlap=80)
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert after.start < before.start + len(before.text)  # they overlap
        assert after.text.startswith("Sentence number")


def test_embedding_text_prefixes_the_headings() -> None:
    chunk = Chunk(
        "id", "Claims within 90 days.", 3, 3, "3.2 Timely Filing", ("ATTACHMENT B Medicare",)
    )
    assert (
        embedding_text(chunk) == "ATTACHMENT B Medicare > 3.2 Timely Filing: Claims within 90 days."
    )
    assert embedding_text(Chunk("id", "plain", None, None, start=5)) == "plain"
    # the unlabelled opening of a document is labelled as its preamble (parties, date)
    assert embedding_text(Chunk("id", "plain", None, None)) == f"{PREAMBLE_LABEL}: plain"
    assert title(Chunk("id", "plain", None, None)) == PREAMBLE_LABEL
    assert title(chunk) == "ATTACHMENT B Medicare > 3.2 Timely Filing"
    long = Chunk("id", "t", 1, 1, "1.1 Short", ("X" * 300,))
    assert embedding_text(long) == "1.1 Short: t"


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        chunk_document(text_doc("x"), "d", max_chars=10)
    with pytest.raises(ValueError):
        chunk_document(text_doc("x"), "d", max_chars=100, overlap=80)


TOKENS = st.sampled_from(
    [*'abcXYZ019 .,:|\n\t"(', "3.1 ", "ARTICLE II", "EXHIBIT A", "\n\n", " | ", "Title. "]
)
PAGE_TEXT = st.lists(TOKENS, max_size=150).map("".join)


@settings(max_examples=150, deadline=None)
@given(
    pages=st.lists(PAGE_TEXT, min_size=1, max_size=3),
    max_chars=st.integers(50, 400),
    overlap_share=st.floats(0, 0.5),
)
def test_chunks_are_slices_of_the_text_within_size(
    pages: list[str], max_chars: int, overlap_share: float
) -> None:
    doc = text_doc(*pages, numbered=True)
    overlap = min(int(max_chars * overlap_share), max_chars // 2)
    chunks = chunk_document(doc, "h", max_chars=max_chars, overlap=overlap)
    text = full_text(doc)
    covered = [False] * len(text)
    for chunk in chunks:
        assert 0 < len(chunk.text) <= max_chars
        start, end = source_span(chunk)
        assert chunk.text.endswith(text[start:end]) and end > start
        assert not text[start].isspace()
        covered[start:end] = [True] * (end - start)
    assert all(covered[i] or c.isspace() for i, c in enumerate(text))
    assert chunks == chunk_document(doc, "h", max_chars=max_chars, overlap=overlap)
