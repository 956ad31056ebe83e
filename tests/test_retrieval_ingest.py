"""Ingestion service and search plumbing, with the hashing embedder and embedded Chroma."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import NotFoundError

TIMELY = (
    "ARTICLE 3 CLAIMS\n\n3.1 Timely Filing. Provider shall submit claims within ninety (90) days "
    "of the date of service. Claims received after that are denied.\n\n3.2 Prompt Pay. Payer "
    "shall pay clean claims within thirty (30) days.\n"
)
TERMINATION = (
    "ARTICLE 7 TERM\n\n7.1 Termination Without Cause. Either party may terminate this Agreement "
    "upon one hundred twenty (120) days written notice.\n"
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_ingest_then_search_cites_page_and_section(fake_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "docs" / "acme.txt", TIMELY)
    [outcome] = fake_services.ingestor().ingest([f], payer="Acme", kind="contract")
    assert outcome.status == "added" and outcome.chunks >= 1
    hits = fake_services.retriever().search("timely filing days", k=3)
    assert hits, "expected a hit"
    assert hits[0].source == "acme.txt"
    assert "ninety (90) days" in hits[0].text
    assert hits[0].page is None  # text files have no pages


def test_reingest_unchanged_is_skipped_and_changed_is_replaced(
    fake_services, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "acme.txt", TIMELY)
    ing = fake_services.ingestor()
    assert ing.ingest([f], payer="Acme")[0].status == "added"
    assert ing.ingest([f], payer="Acme")[0].status == "unchanged"
    write(f, TERMINATION)
    [updated] = ing.ingest([f], payer="Acme")
    assert updated.status == "updated"
    texts = " ".join(
        h.text for h in fake_services.retriever().search("terminate notice days", k=10)
    )
    assert "one hundred twenty (120)" in texts
    assert "ninety (90)" not in texts  # old version fully gone
    assert fake_services.index.ids_for(updated.doc_id) == ing.lexical.chunk_ids(updated.doc_id)


def test_failure_mid_update_keeps_previous_version(
    fake_services, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "acme.txt", TIMELY)
    ing = fake_services.ingestor()
    ing.ingest([f], payer="Acme")
    write(f, TERMINATION)

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(ing.lexical, "replace_document", boom)
    with pytest.raises(RuntimeError):
        ing.ingest([f], payer="Acme")
    monkeypatch.undo()
    texts = " ".join(
        h.text for h in fake_services.retriever().search("timely filing terminate", k=10)
    )
    assert "ninety (90)" in texts
    assert "one hundred twenty" not in texts  # the half-written new version is not searchable
    # and the next run completes the update
    assert ing.ingest([f], payer="Acme")[0].status == "updated"


def test_bad_files_fail_alone(fake_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = write(tmp_path / "good.txt", TIMELY)
    bad = tmp_path / "fees.xlsx"
    bad.write_bytes(b"PK\x03\x04")
    missing = tmp_path / "missing.pdf"
    outcomes = fake_services.ingestor().ingest([good, bad, missing], payer="Acme")
    assert [o.status for o in outcomes] == ["added", "failed", "failed"]
    assert "unsupported" in (outcomes[1].error or "")
    assert "not found" in (outcomes[2].error or "")


def test_remove_deletes_from_both_indexes(fake_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "acme.txt", TIMELY)
    ing = fake_services.ingestor()
    [o] = ing.ingest([f], payer="Acme")
    ing.remove("acme.txt")
    assert fake_services.retriever().search("timely filing", k=5) == []
    assert fake_services.index.ids_for(o.doc_id) == set()
    with pytest.raises(NotFoundError):
        ing.remove("acme.txt")


def test_payer_filter_and_routing(fake_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ing = fake_services.ingestor()
    ing.ingest([write(tmp_path / "a" / "acme.txt", TIMELY)], payer="Acme")
    ing.ingest(
        [write(tmp_path / "b" / "zenith.txt", TIMELY.replace("ninety (90)", "sixty (60)"))],
        payer="Zenith",
    )
    r = fake_services.retriever()
    only_zenith = r.search("timely filing", k=5, payer="Zenith")
    assert only_zenith and {h.source for h in only_zenith} == {"zenith.txt"}
    # naming the payer in the question routes the search to that payer's document
    routed = r.search("What is the timely filing limit in the Zenith contract?", k=5)
    assert routed[0].source == "zenith.txt"


def test_relevance_is_the_best_vector_similarity_in_scope(fake_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ing = fake_services.ingestor()
    ing.ingest([write(tmp_path / "a" / "acme.txt", TIMELY)], payer="Acme")
    ing.ingest([write(tmp_path / "b" / "zenith.txt", TERMINATION)], payer="Zenith")
    r = fake_services.retriever()
    hits, relevance = r.search_with_relevance("terminate notice", k=3, payer="Acme")
    best = r.search("terminate notice", k=1, payer="Acme", mode="vector")
    assert hits and relevance == pytest.approx(best[0].score)
    assert r.search_with_relevance("terminate notice", k=3, payer="Nobody") == ([], 0.0)
