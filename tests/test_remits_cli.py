"""The remittance commands end to end: import, underpayments, denials, reimbursement."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.rates.store import RateStore
from assistant.remits import service
from assistant.workspace import Workspace


def _run(workspace: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as caught:
        main(["--workspace", str(workspace), *args])
    return int(caught.value.code or 0), capsys.readouterr().out


def test_import_then_underpayments_json_equals_service(
    workspace_dir: Path, shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = shared_data / "x12_835" / "lfh_managed-care.835"
    code, out = _run(
        workspace_dir, capsys, "import", "remits", str(sample), "--payer", "Rushmore", "--json"
    )
    assert code == 0
    assert json.loads(out)["imported"][0]["lines"] == 2
    conn = Workspace(workspace_dir).connect()
    # 99211 allowed 500 + 300 PR = 800 against 810: short 10; 93555 allowed 1150 against 1150.
    RateStore(conn).replace_fee_schedule(
        "Rushmore", {("99211", ""): Decimal("810"), ("93555", ""): Decimal("1150")}, "test"
    )
    expected = service.underpayments(conn, "Rushmore").to_json()
    conn.close()
    csv_path = tmp_path / "under.csv"
    code, out = _run(
        workspace_dir,
        capsys,
        "underpayments",
        "--payer",
        "rushmore",
        "--json",
        "--csv",
        str(csv_path),
    )
    payload = json.loads(out)
    assert code == 0
    assert payload == json.loads(json.dumps(expected, default=str))
    assert payload["total_shortfall"] == "10.00"
    assert payload["lines"][0]["file"] == "lfh_managed-care.835"
    assert payload["lines"][0]["claim_id"] == "5554555444"
    with csv_path.open() as handle:
        [row] = list(csv.DictReader(handle))
    assert (row["code"], row["shortfall"]) == ("99211", "10.00")

    code, out = _run(workspace_dir, capsys, "underpayments", "--payer", "Rushmore")
    assert code == 0 and "10.00" in out and "5554555444" in out


def test_denials_and_reimbursement_tables(
    workspace_dir: Path, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = _run(workspace_dir, capsys, "import", "remits", str(shared_data / "x12_835"))
    assert code == 0
    code, out = _run(workspace_dir, capsys, "denials", "--payer", "payer", "--json")
    payload = json.loads(out)
    assert [r["code"] for r in payload["reasons"]] == ["CO-16", "OA-A7"]
    assert payload["payers"][0]["denied_charges"] == "915.39"
    code, out = _run(workspace_dir, capsys, "denials")
    assert code == 0 and "CO-45" in out
    code, out = _run(workspace_dir, capsys, "reimbursement", "--payer", "RUSHMORE LIFE")
    assert code == 0 and "$1,150.00" in out


def test_errors_are_one_line_with_a_hint(
    workspace_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(workspace_dir, capsys, "denials", "--json")
    assert code == 1
    assert "payer-assistant import remits" in json.loads(out)["hint"]
    bad = tmp_path / "ack.999"
    bad.write_text("not x12")
    code, out = _run(workspace_dir, capsys, "import", "remits", str(bad), "--json")
    assert code == 1
    assert "ack.999 is not an X12 file" in json.loads(out)["refused"][0]["error"]
    code, _ = _run(workspace_dir, capsys, "underpayments", "--payer", "x", "--since", "May 1")
    assert code == 1
