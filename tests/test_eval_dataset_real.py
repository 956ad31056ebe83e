"""`eval --dataset` end to end on the real shared sets: contract_qa_dev.jsonl with the offline
model and with a scripted model quoting each question's evidence, and the CUAD LegalBench-RAG
queries. Slow: the payer contracts and the CUAD contracts are ingested first (OCR off)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.agent.conversations import ConversationStore
from assistant.agent.grounding import quote_on_page
from assistant.cli import main
from assistant.config import Settings
from assistant.ingest.store import DocumentStore
from assistant.services import Services

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    root = tmp_path_factory.mktemp("real") / "ws"
    services = Services(Settings(workspace=root))
    ingestor = services.ingestor()
    contracts = shared_data / "payer_contracts"
    batches: list[tuple[list[Path], str | None, str]] = [
        ([contracts / "WA_1_Redacted.pdf"], "WA Health Plan", "contract"),
        ([contracts / "TN_Contract4_Redacted.pdf"], "TN Health Plan", "contract"),
        ([contracts / "TN_Standard_Template_Redacted.pdf"], "TN Health Plan", "template"),
        (sorted((shared_data / "cuad" / "pdf").iterdir()), None, "contract"),
        (sorted((shared_data / "cuad" / "txt").iterdir()), None, "contract"),
    ]
    for files, payer, kind in batches:
        outcomes = ingestor.ingest(files, payer=payer, kind=kind, ocr=False)
        assert not [o for o in outcomes if o.error], outcomes
    services.conn.close()
    return root


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, _ = capsys.readouterr()
    return int(exit_info.value.code or 0), json.loads(out)


def test_contract_qa_dev_with_the_offline_model(
    workspace: Path, shared_data: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    dataset = shared_data / "questions" / "contract_qa_dev.jsonl"
    junit = tmp_path / "qa.xml"
    code, result = run(
        capsys, "--workspace", str(workspace), "eval", "--dataset", str(dataset), "--json",
        "--junit", str(junit),
    )  # fmt: skip
    assert code == 0
    ids = [json.loads(line)["id"] for line in dataset.read_text().splitlines() if line.strip()]
    assert [i["id"] for i in result["items"]] == ids
    assert result["metrics"]["errors"] == 0
    assert {"lookup.correct", "numeric.correct", "absent.abstained"} <= set(result["metrics"])
    # Every quote the offline model gives is on its cited page.
    assert result["metrics"].get("quotes_verified", 1.0) == 1.0
    assert junit.read_text().count("<testcase") == len(ids)
    assert ConversationStore(Services(Settings(workspace=workspace)).conn).list() == []


def test_contract_qa_dev_with_a_scripted_model_quoting_the_evidence(
    workspace: Path, shared_data: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The scripted model cites each question's evidence quote at its first gold page: the
    harness must pass exactly the items whose quote is on that page of the stored text."""
    from assistant.evals.dataset import AnswerDataset, load_dataset

    dataset_path = shared_data / "questions" / "contract_qa_dev.jsonl"
    dataset = load_dataset(dataset_path)
    assert isinstance(dataset, AnswerDataset)
    documents = DocumentStore(Services(Settings(workspace=workspace)).conn)
    script, expected = [], {}
    for item in dataset.items:
        if not (item.evidence_quote and item.pages and item.document_name):
            continue
        quote = item.evidence_quote.replace('"', "'")
        page = item.pages[0]
        content = (
            "The contract addresses this in the cited clause [1].\n\n<citations>\n"
            f"[1] source: {item.document_name} | page: {page} | section: none | "
            f'quote: "{quote}"\n</citations>'
        )
        script.append({"question": item.question, "replies": [{"content": content}]})
        doc_id = documents.resolve(item.document_name).doc_id
        expected[item.id] = quote_on_page(quote, documents.page_text(doc_id, page))
    path = tmp_path / "script.jsonl"
    path.write_text("\n".join(json.dumps(s) for s in script), encoding="utf-8")
    code, result = run(
        capsys, "--workspace", str(workspace), "eval", "--dataset", str(dataset_path),
        "--model", f"script:{path}", "--json",
    )  # fmt: skip
    assert code == 0
    items = {i["id"]: i for i in result["items"]}
    got = {i: items[i]["passed"] for i in expected}
    assert got == expected
    assert sum(expected.values()) >= len(expected) // 2, "most evidence quotes are verbatim"
    # Questions the script does not hold fail with the error named, and the run went on.
    unscripted = [i for i in items.values() if i["id"] not in expected]
    assert unscripted and all("no reply" in i["checks"]["error"] for i in unscripted)


def test_cuad_legalbench_rag_queries(
    workspace: Path, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dataset = shared_data / "cuad" / "retrieval_queries_legalbenchrag_format.json"
    code, result = run(
        capsys, "--workspace", str(workspace), "eval", "--dataset", str(dataset), "--json",
        "--fail-under", "hit_at_5=0.8",
    )  # fmt: skip
    assert code == 0
    tests = json.loads(dataset.read_text())["tests"]
    assert len(result["items"]) == len(tests)
    for item, test in zip(result["items"], tests, strict=True):
        assert item["query"] == test["query"]
        for r in item["results"]:
            assert r["file_path"].startswith("txt/")
            text = (dataset.parent / r["file_path"]).read_text(encoding="utf-8")
            assert 0 <= r["span"][0] < r["span"][1] <= len(text)
    assert result["metrics"]["mrr"] > 0.5
