"""The rate commands end to end on the demo practice: JSON shapes, CSV export, errors."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.rates.demo import demo_proposal_path, load_demo_practice
from assistant.workspace import Workspace


@pytest.fixture
def demo(workspace_dir: Path) -> Path:
    conn = Workspace(workspace_dir).connect()
    load_demo_practice(conn)
    conn.close()
    return workspace_dir


def run(workspace: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    with pytest.raises(SystemExit) as exited:
        main(["--workspace", str(workspace), *args])
    out = capsys.readouterr().out
    return int(exited.value.code or 0), json.loads(out) if out.strip().startswith("{") else {}


def test_gap_json_shape(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run(demo, capsys, "gap", "--payer", "UHC", "--json")
    assert code == 0
    assert set(data) == {
        "payer",
        "benchmark",
        "rows",
        "missing",
        "total_units",
        "total_revenue",
        "total_benchmark_revenue",
        "total_annual_gap",
        "pct_of_benchmark",
        "billed_codes",
        "basis",
    }
    assert set(data["rows"][0]) == {
        "code",
        "modifier",
        "rate",
        "benchmark_rate",
        "pct_of_benchmark",
        "units",
        "gap_per_unit",
        "annual_gap",
    }
    assert data["payer"] == "UnitedHealthcare"
    # UHC still pays 2025 Ohio Medicare (120.16) against 2026 Ohio Medicare (130.89) on 99214.
    top = data["rows"][0]
    assert (top["code"], top["rate"], top["benchmark_rate"]) == ("99214", "120.16", "130.89")
    assert Decimal(data["total_annual_gap"]) > 0
    assert {m["code"] for m in data["missing"]} >= {"36415", "80053", "J3301"}


def test_model_json_and_csv(demo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "model.csv"
    code, data = run(
        demo,
        capsys,
        "model",
        "--payer",
        "Aetna",
        "--rates",
        str(demo_proposal_path()),
        "--csv",
        str(out),
        "--json",
    )
    assert code == 0
    assert {
        "payer",
        "proposal",
        "rows",
        "total_current",
        "total_proposed",
        "total_delta",
        "pct_change",
    } <= set(data)
    same_offer = run(
        demo,
        capsys,
        "model",
        "--payer",
        "Aetna",
        "--across-the-board",
        "0",
        "--carve-out",
        "office-em=3",
        "--json",
    )[1]
    assert same_offer["total_delta"] == data["total_delta"]
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == len(data["rows"])
    assert sum(Decimal(r["delta"]) for r in rows) == Decimal(data["total_delta"])


def test_solve_json_then_model_reaches_target(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, data = run(
        demo,
        capsys,
        "solve",
        "--payer",
        "aetna",
        "--target-increase",
        "5",
        "--basis",
        "medicare",
        "--json",
    )
    assert code == 0
    assert data["solution"]["kind"] == "pct_of_benchmark"
    value = str(data["solution"]["value"])
    modelled = run(
        demo, capsys, "model", "--payer", "Aetna", "--pct-of", "medicare", value, "--json"
    )[1]
    assert modelled["total_proposed"] == data["resulting_revenue"]
    assert Decimal(data["resulting_revenue"]) >= Decimal(data["target_revenue"])


def test_top_compare_and_walk_away(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    top = run(demo, capsys, "top", "--limit", "3", "--json")[1]
    assert [r["code"] for r in top["rows"]] == ["99214", "99213", "99215"]
    verdict = run(
        demo,
        capsys,
        "walk-away",
        "--payer",
        "Aetna",
        "--rates",
        str(demo_proposal_path()),
        "--min-increase",
        "2",
        "--json",
    )[1]
    assert verdict["clears_floor"] is True


def test_compare_rates_renderer(demo: Path) -> None:
    from assistant.commands.rates import render_payer_comparison
    from assistant.rates import service

    conn = Workspace(demo).connect()
    result = service.compare_payers(conn, ["BCBS", "Cigna"], "office-em")
    table = render_payer_comparison(result)
    assert [c.header for c in table.columns] == ["Code", "medicare", "Blue Cross", "Cigna"]
    assert result.to_json()["basket_pct_of_benchmark"]["Blue Cross"] == 115.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["gap", "--payer", "Humana"], "No payer named 'Humana'"),
        (["gap", "--payer", "Aetna", "--benchmark", "survey"], "No benchmark named 'survey'"),
        (["model", "--payer", "Aetna"], "exactly one of"),
        (["solve", "--payer", "Aetna"], "exactly one of"),
        (["model", "--payer", "Aetna", "--across-the-board", "x"], "not a number"),
    ],
)
def test_errors_exit_1_with_json_error(
    demo: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, data = run(demo, capsys, *args, "--json")
    assert code == 1
    assert message in data["error"]
    assert data["hint"]


def test_import_commands(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fees = tmp_path / "fees.csv"
    fees.write_text("code,rate\n99213,90\n")
    code, data = run(
        workspace_dir,
        capsys,
        "import",
        "fees",
        str(fees),
        "--payer",
        "Aetna",
        "--effective",
        "2026-01-01",
        "--json",
    )
    assert (code, data["codes"], data["effective"]) == (0, 1, "2026-01-01")
    bad = tmp_path / "bad.csv"
    bad.write_text("code,rate\n99213,oops\n")
    code, data = run(
        workspace_dir, capsys, "import", "fees", str(bad), "--payer", "Aetna", "--json"
    )
    assert code == 1 and "row 2" in data["error"]
