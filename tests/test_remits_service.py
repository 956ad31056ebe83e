"""Importing 835s into the workspace store and the services other areas call."""

from __future__ import annotations

import json
import random
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.errors import InputError, NotFoundError
from assistant.rates.store import RateStore
from assistant.remits import service
from assistant.remits.generator import DEFAULT_PAYERS, fee_schedule, make_remittance, render_835
from assistant.workspace import Workspace


def _counts(conn) -> tuple[int, ...]:
    tables = ("payments", "claims", "lines", "adjustments", "provider_adjustments")
    return tuple(conn.execute(f"SELECT COUNT(*) FROM remits_{t}").fetchone()[0] for t in tables)


@pytest.fixture
def conn(workspace_dir: Path):
    connection = Workspace(workspace_dir).connect()
    yield connection
    connection.close()


def test_samples_import_once(conn, shared_data: Path) -> None:
    report = service.import_paths(conn, [shared_data / "x12_835"])
    assert len(report.imported) == 7 and report.refused == ()
    assert sorted(Path(s).name for s in report.skipped) == ["SOURCE.md", "parsed_summary.json"]
    # 12 claims, 12 service lines, 1 + 3 PLB amounts across the seven files
    stored = _counts(conn)
    assert stored[:3] == (7, 12, 12) and stored[4] == 4
    [simple] = [f for f in report.imported if f.file == "pyx12_835_simple.txt"]
    assert "difference 5482.52" in simple.imbalances[0]
    again = service.import_paths(conn, [shared_data / "x12_835"])
    assert sum(f.duplicates for f in again.imported) == 7
    assert _counts(conn) == stored


def test_no_patient_identifiers_are_stored(conn, shared_data: Path) -> None:
    service.import_paths(conn, [shared_data / "x12_835"])
    dump = "\n".join(conn.iterdump())
    for identifier in ("BUDD", "WILLIAM", "33344555510", "Flintstone", "666666666A", "20020301"):
        assert identifier not in dump


def test_a_broken_file_imports_nothing(conn, shared_data: Path, tmp_path: Path) -> None:
    good = (shared_data / "x12_835" / "lfh_managed-care.835").read_text()
    # Two payments in one file; the second is malformed, so the first must not stay either.
    second = good.replace("7170066655", "7170066656").replace(
        "CLP*8765432112*1*1200.00", "CLP*8765432112*1*12x0.00"
    )
    (tmp_path / "two.835").write_text(good + second)
    with pytest.raises(InputError, match=r"two\.835, segment \d+ \(CLP\*8765432112"):
        service.import_file(conn, tmp_path / "two.835")
    assert _counts(conn) == (0, 0, 0, 0, 0)


def test_strict_refuses_an_unbalanced_file(conn, shared_data: Path, tmp_path: Path) -> None:
    shutil.copy(shared_data / "x12_835" / "pyx12_835_simple.txt", tmp_path / "simple.txt")
    report = service.import_paths(conn, [tmp_path / "simple.txt"], strict=True)
    assert report.imported == ()
    assert "difference 5482.52" in report.refused[0][1]
    assert _counts(conn)[0] == 0


def test_generated_year_slice_matches_the_generator(conn, tmp_path: Path) -> None:
    profile = DEFAULT_PAYERS[2]  # Summit Care: 10 % of lines underpaid, 4 % denied
    rng = random.Random(7)
    remits = []
    for week in range(4):
        reverse = remits[-1].claims[:2] if remits else ()
        remits.append(
            make_remittance(
                rng, profile, f"TR{week}", date(2024, 1, 5 + 7 * week), 40, 1 + 40 * week, reverse
            )
        )
        (tmp_path / f"w{week}.835").write_text(render_835(remits[-1], week + 1))
    report = service.import_paths(conn, [tmp_path], payer="Summit")
    assert sum(f.lines for f in report.imported) == sum(r.line_count for r in remits)
    assert sum(f.total_paid for f in report.imported) == sum(r.total_paid for r in remits)

    rates = fee_schedule(profile)
    RateStore(conn).replace_fee_schedule("Summit", rates, source="test")
    found = service.underpayments(conn, "summit")
    # Expected straight from the generated values, minus the two claims each later week
    # reversed and re-paid in full.
    reversed_ids = {c.claim_id for r in remits[1:] for c in r.claims if c.status == "22"}
    expected = sum(
        (
            rates[(x.code, x.modifier)] * x.units - x.allowed
            for r in remits
            for c in r.claims
            if c.status == "1" and not (c.claim_id in reversed_ids and r is not _last_of(remits, c))
            for x in c.lines
            if x.allowed > 0
        ),
        Decimal(0),
    )
    assert found.total_shortfall == expected > 0
    payload = json.loads(json.dumps(found.to_json(), default=str))
    assert payload["lines"][0]["file"].startswith("w")

    volumes = service.volumes_from_remits(conn, "Summit")
    assert volumes[("99213", "")] > 0
    reimbursement = service.actual_reimbursement(conn, "Summit")
    assert reimbursement.codes[0].total_paid == max(c.total_paid for c in reimbursement.codes)


def _last_of(remits, claim):
    """The remittance holding the last non-reversal adjudication of the claim's number."""
    return [
        r for r in remits for c in r.claims if c.claim_id == claim.claim_id and c.status == "1"
    ][-1]


def test_unknown_payer_names_the_known_ones(conn, shared_data: Path) -> None:
    service.import_paths(conn, [shared_data / "x12_835" / "lfh_managed-care.835"])
    with pytest.raises(NotFoundError, match="RUSHMORE LIFE"):
        service.actual_reimbursement(conn, "Aetna")
    with pytest.raises(NotFoundError):
        service.underpayments(conn, "Aetna")


def test_denials_across_payers(conn, shared_data: Path) -> None:
    service.import_paths(conn, [shared_data / "x12_835"])
    report = service.denials(conn)
    by_payer = {p.payer: p for p in report.payers}
    # pyx12_835_mult_loops: one claim denied (CLP02 = 4), three lines, $915.39 billed
    assert (by_payer["PAYER"].denied_lines, by_payer["PAYER"].denied_charges) == (
        3,
        Decimal("915.39"),
    )
    assert report.to_json() == service.denials(conn).to_json()
