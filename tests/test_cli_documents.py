"""The document commands end to end through `main`: JSON shapes, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import cli


@pytest.fixture
def run(workspace_dir: Path, fake_embedder, monkeypatch, capsys):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("assistant.services.load_embedder", lambda name: fake_embedder)

    def invoke(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exit_info:
            cli.main(["--workspace", str(workspace_dir), *args])
        out = capsys.readouterr()
        return int(exit_info.value.code or 0), out.out, out.err

    return invoke


def test_ingest_documents_search_remove(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "acme.txt"
    f.write_text("3.1 Timely Filing. Claims are due within ninety (90) days.\n", encoding="utf-8")
    code, out, _ = run("ingest", str(f), "--payer", "Acme", "--json")
    assert code == 0
    docs = json.loads(out)["documents"]
    acme = [d for d in docs if d["source"] == "acme.txt"]
    assert len(acme) == 1
    assert set(acme[0]) == {
        "doc_id", "source", "path", "payer", "kind", "pages", "chunks", "ocr_pages", "status",
        "error",
    }  # fmt: skip
    assert acme[0]["status"] == "added" and acme[0]["payer"] == "Acme"

    code, out, _ = run("documents", "--json")
    listed = json.loads(out)["documents"]
    assert {"doc_id", "source", "path", "payer", "kind", "pages", "chunks"} == set(listed[0])
    assert any(d["source"] == "acme.txt" for d in listed)
    # the built-in guidance is indexed in every workspace
    assert any(d["kind"] == "guidance" for d in listed)

    code, out, _ = run("search", "timely filing", "--payer", "Acme", "--json")
    results = json.loads(out)["results"]
    assert results[0]["source"] == "acme.txt"
    documented = ["doc_id", "source", "page", "page_end", "section", "text", "score"]
    assert list(results[0])[: len(documented)] == documented
    assert list(results[0])[len(documented) :] == ["addressed_to_assistant"]
    assert results[0]["addressed_to_assistant"] is False
    assert results[0]["page"] is None

    code, out, _ = run("remove", "acme.txt", "--json")
    assert code == 0
    code, out, _ = run("search", "timely filing", "--payer", "Acme", "--json")
    assert json.loads(out)["results"] == []


def test_failed_file_exits_non_zero_but_others_ingest(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "good.txt"
    good.write_text("7.1 Termination. Ninety (90) days notice.\n", encoding="utf-8")
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 garbage")
    code, out, err = run("ingest", str(good), str(bad), "--payer", "Acme", "--json")
    assert code == 1
    rows = {d["source"]: d for d in json.loads(out)["documents"]}
    assert rows["good.txt"]["status"] == "added"
    assert rows["bad.pdf"]["status"] == "failed" and rows["bad.pdf"]["error"]
    assert "Traceback" not in err


def test_unknown_document_is_a_one_line_error(run) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run("remove", "nope.pdf")
    assert code == 1
    assert "No indexed document 'nope.pdf'" in err
    assert "Traceback" not in err
    code, out, err = run("remove", "nope.pdf", "--json")
    assert json.loads(out)["error"].startswith("No indexed document")
