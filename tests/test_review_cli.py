"""`payer-assistant review` on a workspace, and the compare entry point the lead dispatches to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from assistant.cli import app
from assistant.commands.common import CliState
from assistant.commands.review import compare_contracts
from assistant.config import Settings
from assistant.ingest.models import Page
from assistant.ingest.store import DocumentRecord, DocumentStore
from assistant.workspace import Workspace, transaction

TEXT = (
    "This Provider Agreement is made and entered into by and between Payer Inc. and Provider. "
    "1.1 Claims. Provider shall submit Claims within ninety (90) days from the date of service. "
    "1.2 Term. This Agreement shall commence on the Effective Date for a term of one (1) year and "
    "shall renew automatically for successive one (1) year terms. The parties agree hereto. "
    "1.3 Termination Without Cause. Either party may terminate this Agreement without cause upon "
    "ninety (90) days prior written notice. Each party shall comply herein."
)


def _put(ws: Path, doc_id: str, kind: str, text: str) -> None:
    conn = Workspace(ws).connect()
    record = DocumentRecord(
        doc_id, f"{doc_id}.pdf", f"{doc_id}.pdf", "Payer", kind, "0", 1, 1, (), (), "t"
    )
    with transaction(conn):
        DocumentStore(conn).put(record, [Page(number=1, text=text)])
    conn.close()


@pytest.fixture
def workspace(workspace_dir: Path) -> Path:
    _put(workspace_dir, "c1", "contract", TEXT)
    _put(
        workspace_dir,
        "t1",
        "template",
        TEXT.replace("ninety (90) days from", "one hundred eighty (180) days from"),
    )
    return workspace_dir


def test_review_json_is_the_documented_interface(workspace: Path, tmp_path: Path) -> None:
    report = tmp_path / "review.md"
    result = CliRunner().invoke(
        app, ["-w", str(workspace), "review", "c1.pdf", "--json", "--markdown", str(report)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["doc_id"], data["source"]) == ("c1", "c1.pdf")
    filing = next(i for i in data["items"] if i["id"] == "timely_filing")
    assert filing["status"] == "red_flag"  # 90 days or fewer to file is a red flag
    assert filing["values"][0]["value"] == {"days": 90}
    assert filing["values"][0]["citations"][0]["page"] == 1
    assert "Timely filing limit" in report.read_text()


def test_review_table_shows_statuses(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(app, ["-w", str(workspace), "review", "c1"])
    assert result.exit_code == 0, result.output
    assert "Timely filing limit" in result.stdout and "90 days" in result.stdout
    assert "absent" in result.stdout


def test_review_state_option(workspace: Path) -> None:
    ok = CliRunner().invoke(app, ["-w", str(workspace), "review", "c1", "--json", "--state", "wa"])
    assert ok.exit_code == 0, ok.output
    law = json.loads(ok.stdout)["prompt_pay_law"]
    assert (law["state"], law["state_from"]) == ("WA", "--state")
    assert law["statutes"][0]["statute"].startswith("WAC 284-170-431")
    assert any("no prompt-pay terms" in n for n in law["notes"])
    bad = CliRunner().invoke(app, ["-w", str(workspace), "review", "c1", "--state", "Atlantis"])
    assert bad.exit_code != 0
    assert "Unknown state 'Atlantis'" in str(bad.exception)  # main() prints it on one line


def test_unknown_document_is_an_error(workspace: Path) -> None:
    result = CliRunner().invoke(app, ["-w", str(workspace), "review", "nope.pdf"])
    assert result.exit_code != 0
    assert "No indexed document 'nope.pdf'" in str(result.exception)


def test_compare_contracts_contract_against_template(workspace: Path) -> None:
    probe = typer.Typer()

    @probe.command()
    def compare(ctx: typer.Context, docs: list[str]) -> None:
        ctx.obj = CliState(Settings.resolve(workspace=workspace))
        compare_contracts(ctx, docs, True, None)

    result = CliRunner().invoke(probe, ["c1", "t1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["kind"] == "template_diff"
    assert data["deviations"] == ["timely_filing"]
