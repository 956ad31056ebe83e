"""The 835 reader: every shared sample matches parsed_summary.json; bad files fail clearly."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.errors import InputError
from assistant.remits.generator import DEFAULT_PAYERS, make_remittance, render_835
from assistant.remits.models import ServiceLine
from assistant.remits.parser import read_remittances

SAMPLES = [
    "lfh_cob-contractural-adjustment.835",
    "lfh_managed-care.835",
    "lfh_medicare-part-a.835",
    "lfh_secondary-payment.835",
    "lfh_tertiary-payment.835",
    "pyx12_835_mult_loops.txt",
    "pyx12_835_simple.txt",
]


def _procedure(line: ServiceLine, raw: str) -> str:
    """The SVC01 composite rebuilt with the separator the sample file used."""
    separator = ">" if ">" in raw else ":"
    return separator.join(p for p in (line.qualifier, line.code, *line.modifiers) if p)


def _amount(raw: str | None) -> Decimal:
    return Decimal(raw) if raw else Decimal(0)


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_matches_parsed_summary(shared_data: Path, name: str) -> None:
    folder = shared_data / "x12_835"
    expected = json.loads((folder / "parsed_summary.json").read_text())[name]
    [remit] = list(read_remittances(folder / name))
    assert remit.version == expected["version"]
    assert remit.payer_name == expected["payer"]
    assert remit.payee_name == expected["payee"]
    assert remit.total_paid == Decimal(expected["bpr_total_paid"])
    assert remit.payment_method == expected["bpr_payment_method"]
    assert remit.trace_number == expected["check_or_eft_trace"]
    assert len(remit.claims) == len(expected["claims"])
    for claim, want in zip(remit.claims, expected["claims"], strict=True):
        assert claim.claim_id == want["claim_id"]
        assert claim.status == want["status_code"]
        assert claim.charge == Decimal(want["charge"])
        assert claim.paid == Decimal(want["paid"])
        assert claim.patient_resp == _amount(want["patient_resp"])
        assert claim.filing_indicator == want["filing_indicator"]
        assert claim.payer_claim_control == want["payer_claim_control"]
        assert [(a.group, a.reason, a.amount) for a in claim.adjustments] == [
            (a["group"], a["reason"], Decimal(a["amount"])) for a in want["claim_adjustments"]
        ]
        assert len(claim.lines) == len(want["service_lines"])
        for line, want_line in zip(claim.lines, want["service_lines"], strict=True):
            assert _procedure(line, want_line["procedure"]) == want_line["procedure"]
            assert line.charge == Decimal(want_line["charge"])
            assert line.paid == Decimal(want_line["paid"])
            # An empty SVC05 means one unit (835 implementation guide).
            assert line.units == (Decimal(want_line["units"]) if want_line["units"] else 1)
            assert [(a.group, a.reason, a.amount) for a in line.adjustments] == [
                (a["group"], a["reason"], Decimal(a["amount"])) for a in want_line["adjustments"]
            ]
    plb_amounts = [
        Decimal(value)
        for raw in expected["provider_level_adjustments"]
        for value in raw.rstrip("~").split("*")[4::2]
    ]
    assert [p.amount for p in remit.provider_adjustments] == plb_amounts


@pytest.mark.parametrize(
    ("name", "imbalance"),
    [
        ("lfh_managed-care.835", "0"),
        # 138018.40 + 11980.33 = 149998.73 claims, minus PLB -1.27 = 150000.00 = BPR02
        ("lfh_medicare-part-a.835", "0"),
        ("pyx12_835_mult_loops.txt", "0"),
        # claims -210 + 200 - 500.25 = -510.25; PLB -1008.10 + 24.21 + 5.95 = -977.94;
        # -510.25 + 977.94 = 467.69 against a BPR of 5950.21
        ("pyx12_835_simple.txt", "5482.52"),
    ],
)
def test_reconciliation_by_hand(shared_data: Path, name: str, imbalance: str) -> None:
    [remit] = list(read_remittances(shared_data / "x12_835" / name))
    assert remit.imbalance == Decimal(imbalance)


def test_stray_component_separator_is_read_and_warned(shared_data: Path) -> None:
    [remit] = list(read_remittances(shared_data / "x12_835" / "lfh_secondary-payment.835"))
    line = remit.claims[1].lines[0]
    assert (line.qualifier, line.code, line.modifiers) == ("HC", "12345", ("26",))
    assert any("'>'" in w and "segment 29" in w for w in remit.warnings)


def test_invalid_bpr_date_falls_back_to_production_date(shared_data: Path) -> None:
    [remit] = list(read_remittances(shared_data / "x12_835" / "lfh_managed-care.835"))
    assert remit.payment_date == date(2002, 3, 14)


def _mutated(shared_data: Path, tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (shared_data / "x12_835" / "lfh_managed-care.835").read_text()
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        ("ack.999", "ST*835*112233", "ST*999*112233", "999 acknowledgment, not an 835"),
        ("claim.837", "ST*835*112233", "ST*837*112233", "837 claim, not an 835"),
        ("group.x12", "GS*HP*", "GS*FA*", "not HP"),
        ("amount.835", "CLP*5554555444*1*800.00", "CLP*5554555444*1*8O0.00", "segment 13"),
        ("amount2.835", "CAS*PR*1*300.00", "CAS*PR*1**1", "CAS03 amount is missing"),
        ("bpr.835", "BPR*I*945.00", "BPR*I*", "BPR02 total payment is missing"),
        ("order.835", "LX*1~\n", "LX*1~\nSVC*HC:99211*1*1~\n", "appears before any CLP"),
        ("segid.835", "DTM*150*20020301", "D@M*150*20020301", "segment"),
        (
            "cut.835",
            "CAS*CO*45*50.00~\nSE*26*112233~\nGE*1*1~\nIEA*1*000000907",
            "CAS*CO*4",
            "segment 27",
        ),
        ("cut2.835", "GE*1*1~\nIEA*1*000000907", "", "truncated"),
    ],
)
def test_bad_input_names_file_and_problem(
    shared_data: Path, tmp_path: Path, name: str, old: str, new: str, message: str
) -> None:
    path = _mutated(shared_data, tmp_path, name, old, new)
    with pytest.raises(InputError) as caught:
        list(read_remittances(path))
    assert name in caught.value.message
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "not an X12 file"), ("code,modifier,rate\n99213,,92.00\n", "not an X12 file")],
)
def test_not_x12_at_all(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "fees.csv"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        list(read_remittances(path))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), claims=st.integers(1, 12))
def test_generated_files_read_back_exactly(tmp_path_factory, seed: int, claims: int) -> None:
    rng = random.Random(seed)
    profile = DEFAULT_PAYERS[seed % len(DEFAULT_PAYERS)]
    first = make_remittance(rng, profile, f"T{seed}", date(2024, 5, 3), claims)
    remit = make_remittance(rng, profile, f"U{seed}", date(2024, 5, 10), 2, 99, first.claims[:1])
    path = tmp_path_factory.mktemp("gen") / "r.835"
    path.write_text(render_835(remit))
    [back] = list(read_remittances(path))
    assert replace(back, source="") == remit
    assert back.imbalance == 0


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        ("bpr-big.835", "BPR*I*945.00", "BPR*I*1E+30", "BPR02 total payment '1E+30' is beyond"),
        ("bpr-inf.835", "BPR*I*945.00", "BPR*I*Infinity", "BPR02 total payment 'Infinity'"),
        ("bpr-nan.835", "BPR*I*945.00", "BPR*I*NaN", "BPR02 total payment 'NaN'"),
        (
            "clp-digits.835",
            "CLP*5554555444*1*800.00",
            "CLP*5554555444*1*1234567890123456789012345678",
            "CLP03 charge",
        ),
        ("svc-big.835", "SVC*HC:99211*800.00*500.00", "SVC*HC:99211*800.00*1e309", "SVC03"),
        ("cas-big.835", "CAS*PR*1*300.00", "CAS*PR*1*9E+99", "CAS03 amount"),
    ],
)
def test_amounts_out_of_range_name_the_segment(
    shared_data: Path, tmp_path: Path, name: str, old: str, new: str, message: str
) -> None:
    path = _mutated(shared_data, tmp_path, name, old, new)
    with pytest.raises(InputError) as caught:
        list(read_remittances(path))
    assert f"{name}, segment " in caught.value.message
    assert message in caught.value.message


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1"])
def test_accented_names_are_read_not_refused(
    shared_data: Path, tmp_path: Path, encoding: str
) -> None:
    text = (shared_data / "x12_835" / "lfh_managed-care.835").read_text()
    assert "N1*PR*RUSHMORE LIFE" in text and "BUDD*WILLIAM" in text
    path = tmp_path / "accented.835"
    path.write_bytes(
        text.replace("N1*PR*RUSHMORE LIFE", "N1*PR*MUTUELLE DE LA CÔTE", 1)
        .replace("BUDD*WILLIAM", "BUDÉ*JOSÉ", 1)
        .encode(encoding)
    )
    [remittance] = read_remittances(path)
    assert remittance.payer_name == "MUTUELLE DE LA CÔTE"
    assert remittance.total_paid == Decimal("945.00")
    assert len(remittance.claims) == 2


def test_a_changed_payment_resent_under_its_trace_number_is_refused_by_name(
    shared_data: Path, tmp_path: Path, workspace_dir: Path
) -> None:
    from assistant.remits import service
    from assistant.workspace import Workspace

    conn = Workspace(workspace_dir).connect()
    original = shared_data / "x12_835" / "lfh_managed-care.835"
    service.import_paths(conn, [original])
    before = list(conn.iterdump())
    resent = _mutated(shared_data, tmp_path, "corrected.835", "BPR*I*945.00", "BPR*I*955.00")
    report = service.import_paths(conn, [resent])
    assert report.imported == ()
    [(file, error)] = report.refused
    assert file.endswith("corrected.835")
    assert "payment 7170066655 was imported before and this file changes it" in error
    assert "total 945.00 in lfh_managed-care.835, 955.00 here" in error
    assert list(conn.iterdump()) == before
    # The same file again is still a harmless duplicate.
    again = service.import_paths(conn, [original])
    assert again.imported[0].duplicates == 1 and again.refused == ()
