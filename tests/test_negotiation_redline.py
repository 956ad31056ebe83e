"""Proposal redline: reading exhibits (CSV, XLSX, PDF), code-by-code changes, basis flags."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from assistant.demo_data.practice.make_exhibits import text_pdf
from assistant.errors import InputError
from assistant.negotiation.redline import (
    Basis,
    ProposalExhibit,
    basis_changes,
    read_basis,
    read_proposal_file,
    redline,
)

D = Decimal


def test_redline_hand_worked() -> None:
    current = {("99213", ""): D("90.00"), ("99214", ""): D("130.00"), ("69210", ""): D("50.00")}
    proposed = {("99213", ""): D("93.60"), ("99214", ""): D("130.00"), ("99417", ""): D("33.50")}
    volumes = {
        ("99213", ""): D(100),
        ("99213", "25"): D(10),
        ("99214", ""): D(40),
        ("69210", ""): D(20),
    }
    result = redline("P", current, ProposalExhibit("x.csv", proposed, Basis()), volumes, Basis())
    rows = {(r.code, r.modifier): r for r in result.rows}
    # 99213: +3.60 (4%) on 100 units = 360.00; its -25 line is priced at the base rate: +36.00.
    assert rows[("99213", "")].change == D("3.60")
    assert rows[("99213", "")].pct == D(4)
    assert rows[("99213", "")].worth == D("360.00")
    assert rows[("99213", "25")].worth == D("36.00")
    assert rows[("99214", "")].worth == 0
    assert result.total_worth == D("396.00")
    assert [(a.code, a.rate) for a in result.added] == [("99417", D("33.50"))]
    assert [(d.code, d.units) for d in result.dropped] == [("69210", D(20))]
    assert result.dropped_revenue == D("1000.00")
    assert len(result.changed()) == 2


@pytest.mark.parametrize(
    ("current", "proposed", "flags"),
    [
        (
            "Rates are 110% of the 2018 MPFS.",
            "Rates are 110% of the current MPFS.",
            [
                "Medicare year changes: the current exhibit pegs rates to the 2018 MPFS, the "
                "proposal to the MPFS in effect each year"
            ],
        ),
        (
            "Paid at one hundred five percent (105%) of the MPFS in effect on the date of service.",
            "Paid at 100% of the 2026 Medicare fee schedule. Payment is the lesser of billed "
            "charges or the rate below.",
            [
                "Medicare year changes: the current exhibit pegs rates to the MPFS in effect each "
                "year, the proposal to the 2026 MPFS",
                "Percent of Medicare changes from 105% to 100%",
                "New lesser-of clause: payment capped at billed charges",
            ],
        ),
        ("Rates are 110% of the 2025 MPFS.", "Rates are 110% of the 2025 MPFS.", []),
    ],
)
def test_basis_changes(current: str, proposed: str, flags: list[str]) -> None:
    mine = read_basis([("c", 3, current)])
    theirs = read_basis([("p", None, proposed)])
    assert list(basis_changes(mine, theirs)) == flags


def test_read_csv_exhibit_with_note_and_alias_columns(tmp_path: Path) -> None:
    path = tmp_path / "exhibit.csv"
    path.write_text(
        "Proposed Exhibit A: rates are 104% of the MPFS in effect on the date of service.\n"
        'CPT,Mod,Proposed Rate\n99213,,$95.45\n99214,25,"1,136.13"\n'
    )
    exhibit = read_proposal_file(path)
    assert exhibit.rates == {("99213", ""): D("95.45"), ("99214", "25"): D("1136.13")}
    assert exhibit.basis.pct == D(104) and exhibit.basis.year == "current"


def test_read_xlsx_exhibit(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Fee exhibit at 98% of the 2026 MPFS"])
    sheet.append(["HCPCS", "Fee"])
    sheet.append(["G2211", 17.63])
    sheet.append(["99213", 95])
    path = tmp_path / "exhibit.xlsx"
    book.save(path)
    exhibit = read_proposal_file(path)
    assert exhibit.rates == {("G2211", ""): D("17.63"), ("99213", ""): D("95.00")}
    assert exhibit.basis.year == 2026 and exhibit.basis.pct == D(98)


def test_read_pdf_exhibit(tmp_path: Path) -> None:
    path = tmp_path / "exhibit.pdf"
    path.write_bytes(
        text_pdf(
            [
                "EXHIBIT A - PROPOSED FEES",
                "Services are paid at one hundred percent (100%) of the 2026 MPFS.",
                "Payment is the lesser of billed charges or the rate below.",
                "CPT    Description           Rate",
                "99213  Office visit est      95.12",
                "99213 25  Office visit, mod 25   95.12",
                "J3301  Triamcinolone 10 mg   $6.00",
            ]
        )
    )
    exhibit = read_proposal_file(path)
    assert exhibit.rates == {
        ("99213", ""): D("95.12"),
        ("99213", "25"): D("95.12"),
        ("J3301", ""): D("6.00"),
    }
    assert exhibit.basis.describe() == "100% of the 2026 MPFS; lesser of billed charges"


def test_unmappable_columns_name_what_is_expected(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("service,price\n99213,95\n")
    with pytest.raises(InputError) as err:
        read_proposal_file(path)
    assert "no header row" in err.value.message and "proposed_rate" in (err.value.hint or "")


def test_non_numeric_rate_is_one_error_naming_the_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("code,rate\n99213,95\n99214,TBD\n")
    with pytest.raises(InputError) as err:
        read_proposal_file(path)
    assert "row 3" in err.value.message and "nothing imported" in err.value.message


def test_pdf_without_a_table(tmp_path: Path) -> None:
    path = tmp_path / "letter.pdf"
    path.write_bytes(text_pdf(["Dear Provider, we propose new rates soon."]))
    with pytest.raises(InputError, match="no table rows"):
        read_proposal_file(path)
