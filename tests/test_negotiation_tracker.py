"""The tracker end to end: services and CLI on the demo practice, interfaces, bad input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.ingest.loaders import load_document
from assistant.ingest.models import Page
from assistant.ingest.store import DocumentRecord, DocumentStore
from assistant.negotiation import service
from assistant.negotiation.demo import load_demo_negotiation
from assistant.rates.demo import load_demo_practice
from assistant.workspace import Workspace, transaction

TODAY = date(2026, 12, 4)
CONTRACTS = Path(__file__).resolve().parents[1] / "assistant" / "demo_data" / "contracts"


def _put_contract(conn, name: str, payer: str) -> None:  # type: ignore[no-untyped-def]
    doc = load_document(CONTRACTS / name)
    record = DocumentRecord(
        doc_id=name,
        source=name,
        path=str(CONTRACTS / name),
        payer=payer,
        kind="contract",
        sha256=doc.sha256,
        pages=len(doc.pages),
        chunks=0,
        ocr_pages=(),
        empty_pages=(),
        added_at="2026-12-01",
    )
    with transaction(conn):
        DocumentStore(conn).put(record, [Page(number=p.number, text=p.text) for p in doc.pages])


@pytest.fixture
def demo(workspace_dir: Path) -> Path:
    conn = Workspace(workspace_dir).connect()
    load_demo_practice(conn)
    for name, payer in (("aetna-agreement.md", "Aetna"), ("cigna-agreement.md", "Cigna")):
        _put_contract(conn, name, payer)
    assert load_demo_negotiation(conn, TODAY)
    assert not load_demo_negotiation(conn, TODAY)  # once only
    conn.close()
    return workspace_dir


DATED = {
    "status",
    "stage",
    "set",
    "log",
    "due",
    "ask",
    "walk-away",
    "offer",
    "follow-up",
    "calendar",
}


def run(ws: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict, str]:
    dated = any(a in DATED for a in args[:2])
    with pytest.raises(SystemExit) as exited:
        main(["--workspace", str(ws), *args, *(["--today", TODAY.isoformat()] if dated else [])])
    captured = capsys.readouterr()
    out = captured.out
    data = json.loads(out) if out.strip().startswith("{") else {}
    return int(exited.value.code or 0), data, captured.err


def test_status_json_interface(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data, _ = run(demo, capsys, "negotiation", "status", "--json")
    assert code == 0
    rows = {p["payer"]: p for p in data["payers"]}
    for row in rows.values():
        assert {"payer", "stage", "ask", "walk_away", "last_contact", "next_due", "offers"} <= set(
            row
        )
    aetna = rows["Aetna"]
    assert aetna["stage"] == "counter received"
    assert aetna["ask"]["inputs"]["increase_pct"] == "8"
    assert aetna["walk_away"]["inputs"]["min_pct_change"] == "3"
    assert aetna["last_contact"]["date"] == "2026-12-01"
    assert aetna["next_due"]["due"] == "2026-12-06"
    [offer] = aetna["offers"]
    assert set(offer) >= {"date", "summary", "worth"}
    # The exhibit is worth less than the +3% floor: it does not clear the walk-away.
    assert offer["clears_walk_away"] is False
    assert rows["UnitedHealthcare"]["stage"] == "stalled"
    assert [p["stage"] for p in data["payers"]] == sorted(
        (p["stage"] for p in data["payers"]), key=service.STAGES.index
    )


def test_offer_worth_is_the_proposal_model(demo: Path) -> None:
    from assistant.rates import service as rates
    from assistant.rates.models import PercentChange, Proposal

    conn = Workspace(demo).connect()
    cigna = service.payer_status(conn, "Cigna", TODAY)
    verbal = cigna.offers[0]
    expected = rates.model(conn, "Cigna", Proposal(PercentChange(service.Decimal("1.5"))))
    assert verbal.worth == expected.total_delta
    conn.close()


def test_due_json_includes_follow_ups_and_notice_deadlines(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, data, _ = run(demo, capsys, "negotiation", "due", "--within", "400", "--json")
    assert code == 0
    kinds = {(d["payer"], d["kind"]) for d in data["due"]}
    assert ("UnitedHealthcare", "follow_up") in kinds  # overdue still shows
    # Aetna: effective 2025-01-01, one-year terms, 90 days' notice → 2027-10-02 for 2027-12-31.
    notice = [d for d in data["due"] if d["payer"] == "Aetna" and d["kind"] == "notice_deadline"]
    assert [d["due"] for d in notice] == ["2027-10-02"]
    assert notice[0]["source"].startswith("aetna-agreement.md")
    for d in data["due"]:
        assert set(d) >= {"payer", "what", "due", "kind", "source"}
    _, week, _ = run(demo, capsys, "negotiation", "due", "--json")
    assert {d["due"] for d in week["due"]} <= {"2026-12-03", "2026-12-06", "2026-12-09"}


def test_calendar_json_and_ics(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ics = tmp_path / "cigna.ics"
    code, data, _ = run(demo, capsys, "calendar", "--payer", "Cigna", "--json", "--ics", str(ics))
    assert code == 0
    assert data["payer"] == "Cigna"
    # Cigna: effective 2025-04-01, three years → ends 2028-03-31; minus 90 days → 2028-01-01.
    assert [(e["date"], e["kind"]) for e in data["events"]] == [
        ("2028-03-31", "renewal"),
        ("2028-01-01", "notice_deadline"),
    ]
    assert all(
        e["citations"] and {"source", "page", "quote"} <= set(e["citations"][0])
        for e in data["events"]
    )
    assert b"BEGIN:VEVENT" in ics.read_bytes()


def test_log_follow_up_and_done(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data, _ = run(
        demo,
        capsys,
        "negotiation",
        "log",
        "--payer",
        "aetna",
        "--note",
        "They asked for two weeks",
        "--heard",
        "--follow-up-in",
        "14",
        "--json",
    )
    assert code == 0 and data["follow_up"]["due"] == "2026-12-18"
    code, done, _ = run(
        demo, capsys, "negotiation", "follow-up", "done", str(data["follow_up"]["id"]), "--json"
    )
    assert code == 0 and done["done_on"] == "2026-12-04"
    code, _, err = run(
        demo, capsys, "negotiation", "follow-up", "done", str(data["follow_up"]["id"])
    )
    assert code == 1 and "already done" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("negotiation", "log", "--payer", "Aetna", "--note", "x", "--date", "12/31/2026"),
            "--date '12/31/2026' is not a date",
        ),
        (
            ("negotiation", "contact", "add", "--payer", "Aetna", "--name", " "),
            "contact name is empty",
        ),
        (
            ("negotiation", "offer", "add", "--payer", "Humana", "--across-the-board", "3"),
            "No payer named 'Humana'",
        ),
        (("negotiation", "stage", "won", "--payer", "Aetna"), "stage 'won' is not one of"),
        (
            ("negotiation", "follow-up", "add", "--payer", "Aetna", "call", "--due", "soon"),
            "--due 'soon' is not a date",
        ),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    demo: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    _, before, _ = run(demo, capsys, "negotiation", "status", "--json")
    code, _, err = run(demo, capsys, *args)
    assert code == 1
    assert message in err.replace("\n", " ")
    _, after, _ = run(demo, capsys, "negotiation", "status", "--json")
    assert before == after


def test_bad_cost_file_keeps_the_stored_costs(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "costs.csv"
    bad.write_text("code,cost\n99213,abc\n")
    _, before, _ = run(demo, capsys, "costs", "show", "--json")
    code, _, err = run(demo, capsys, "import", "costs", str(bad))
    assert code == 1 and "row 2: cost" in err
    _, after, _ = run(demo, capsys, "costs", "show", "--json")
    assert before == after and len(after["costs"]) == 38


def test_redline_and_margin_on_the_demo(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, red, _ = run(demo, capsys, "redline", "--payer", "Aetna", "--json")
    assert code == 0
    assert [d["code"] for d in red["dropped"]] == ["69210"]
    assert [a["code"] for a in red["added"]] == ["99417"]
    assert red["current_basis"]["medicare_year"] == 2025
    assert red["proposed_basis"]["medicare_year"] == "current"
    assert any("Medicare year changes" in f for f in red["basis_changes"])
    code, margin, _ = run(demo, capsys, "margin", "--payer", "Aetna", "--json")
    assert code == 0
    assert margin["offered"].startswith("offer of 2026-11-20")
    assert margin["target"].startswith("our ask")
    row = next(r for r in margin["rows"] if r["code"] == "99214" and not r["modifier"])
    # 99214 (2026 RVUs: work 1.92, non-facility PE 2.00) costs 3.92 × 29.40 = 115.25.
    assert row["cost"] == "115.25"


def test_estimate_costs_from_the_stored_rvus(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, data, _ = run(demo, capsys, "costs", "estimate", "--cost-per-rvu", "30", "--json")
    assert code == 0 and data["codes"] > 30
    _, shown, _ = run(demo, capsys, "costs", "show", "--json")
    row = next(r for r in shown["costs"] if r["code"] == "99214" and not r["modifier"])
    assert row["cost"] == "117.60"  # (1.92 + 2.00) × 30


def test_talking_points_and_packet_use_the_redline(demo: Path) -> None:
    from assistant.agent.tools import ToolBox
    from assistant.config import Settings
    from assistant.reports.packet import Table, build_packet
    from assistant.reports.talking_points import build_talking_points
    from assistant.services import Services

    svc = Services(Settings(workspace=demo))
    tp = build_talking_points(ToolBox(svc), "Aetna")
    texts = [p.text for p in tp.points if p.section == "Their proposal"]
    assert any("drops 69210" in t for t in texts)
    assert any("Medicare year changes" in t for t in texts)
    assert any(p.text.startswith("99214 costs us $115.25") for p in tp.points)
    tables = [b for b in build_packet(tp) if isinstance(b, Table)]
    assert any(t.source.endswith("proposal_redline of aetna-2027-exhibit.csv") for t in tables)
