"""Bad numbers, separators, encodings, sheets and shapes: refused by name, nothing stored.

Each case either imports what the file says or raises an AssistantError naming the file and
the row or JSON path; on refusal the workspace database is byte-for-byte what it was.
"""

from __future__ import annotations

import gzip
import json
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.errors import AssistantError, InputError, MissingData
from assistant.rates import service
from assistant.rates.cms_pfs import import_medicare
from assistant.rates.fees import import_fees, import_survey, import_volumes
from assistant.rates.money import parse_decimal
from assistant.rates.store import RateStore
from assistant.rates.tic import import_market
from assistant.workspace import Workspace

D = Decimal


@pytest.fixture
def store(workspace_dir: Path) -> RateStore:
    return RateStore(Workspace(workspace_dir).connect())


def dump(store: RateStore) -> list[str]:
    return list(store.conn.iterdump())


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# Numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("nan", "'nan' is not a number"),
        ("NaN", "'NaN' is not a number"),
        ("inf", "'inf' is not a number"),
        ("-Infinity", "is not a number"),
        ("1e30", "'1e30' is above 1,000,000"),
        ("1e309", "'1e309' is above 1,000,000"),
        ("1234567890123456789012345678", "is above 1,000,000"),
        ("1000000.01", "is above 1,000,000"),
        ('"73,26"', "'73,26' has a decimal comma"),
        ('"1.234,50"', "'1.234,50' has a decimal comma"),
        ("(12.00)", "is negative"),
    ],
)
def test_a_bad_rate_is_refused_by_file_row_and_column(
    store: RateStore, tmp_path: Path, cell: str, message: str
) -> None:
    import_fees(store, write(tmp_path / "old.csv", "code,rate\n99212,50\n"), "Aetna")
    before = dump(store)
    path = write(tmp_path / "fees.csv", f"code,rate\n99213,90\n99214,{cell}\n")
    with pytest.raises(InputError) as caught:
        import_fees(store, path, "Aetna")
    assert caught.value.message.startswith("fees.csv: 1 bad row(s), nothing imported")
    assert "row 3: rate " in caught.value.message
    assert message in caught.value.message
    assert dump(store) == before


def test_decimal_comma_is_read_only_when_asked(store: RateStore, tmp_path: Path) -> None:
    path = write(tmp_path / "eu.csv", 'code,rate\n99213,"73,26"\n99214,"1.234,50"\n')
    with pytest.raises(InputError, match="--decimal-comma"):
        import_fees(store, path, "Aetna")
    import_fees(store, path, "Aetna", decimal_comma=True)
    assert store.fee_schedule("Aetna") == {("99213", ""): D("73.26"), ("99214", ""): D("1234.50")}


def test_decimal_comma_refuses_a_decimal_point(store: RateStore, tmp_path: Path) -> None:
    path = write(tmp_path / "mixed.csv", "code,rate\n99213,73.26\n")
    with pytest.raises(InputError, match="decimal point but the file was imported with"):
        import_fees(store, path, "Aetna", decimal_comma=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,234.50", "1234.50"), ("$1,234", "1234"), (" 92.1 ", "92.1"), ("1\u00a0234.5", "1234.5")],
)
def test_thousands_separators_still_read(text: str, expected: str) -> None:
    assert parse_decimal(text) == D(expected)


def test_units_above_the_plausible_range_are_refused(store: RateStore, tmp_path: Path) -> None:
    import_fees(store, write(tmp_path / "a.csv", "code,rate\n99213,90\n"), "Aetna")
    before = dump(store)
    with pytest.raises(InputError, match="row 2: units '1e30' is above 10,000,000"):
        import_volumes(store, write(tmp_path / "v.csv", "payer,code,units\nAetna,99213,1e30\n"))
    assert dump(store) == before


def test_a_survey_with_an_overflowing_rate_imports_nothing(
    store: RateStore, tmp_path: Path
) -> None:
    before = dump(store)
    with pytest.raises(InputError, match="row 2: rate '1e309'"):
        import_survey(store, write(tmp_path / "s.csv", "code,rate\n99213,1e309\n"), "survey")
    assert dump(store) == before


# Encodings and sheets --------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_utf16_and_bom_csv_files_are_read(store: RateStore, tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path / "fees.csv", "code,rate,description\n99213,90.50,Café visit\n", encoding)
    import_fees(store, path, "Aetna")
    assert store.fee_schedule("Aetna") == {("99213", ""): D("90.50")}


def test_a_binary_or_latin1_csv_is_refused(store: RateStore, tmp_path: Path) -> None:
    path = tmp_path / "fees.csv"
    path.write_bytes("code,rate,description\n99213,90,Caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8 text"):
        import_fees(store, path, "Aetna")
    path.write_bytes(b"\x00\x01\x02\x03PK\x00\x00\x10" * 40)
    with pytest.raises(InputError, match="NUL"):
        import_fees(store, path, "Aetna")


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    first = True
    for title, rows in sheets.items():
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        sheet.title = title
        for row in rows:
            sheet.append(row)
        first = False
    book.save(path)
    return path


def test_extra_xlsx_sheets_are_named_and_one_can_be_chosen(
    store: RateStore, tmp_path: Path
) -> None:
    path = _workbook(
        tmp_path / "fees.xlsx",
        {
            "2025": [["code", "rate"], ["99213", 88]],
            "2026": [["code", "rate"], ["99213", 92.5]],
            "Notes": [],
        },
    )
    notes: list[str] = []
    import_fees(store, path, "Aetna", notes=notes)
    assert store.fee_schedule("Aetna") == {("99213", ""): D("88.00")}
    assert len(notes) == 1 and "'2026'" in notes[0] and "--sheet" in notes[0]
    assert "Notes" not in notes[0]
    import_fees(store, path, "Aetna", sheet="2026")
    assert store.fee_schedule("Aetna") == {("99213", ""): D("92.50")}
    with pytest.raises(InputError, match="no sheet '2027' \\(sheets: 2025, 2026, Notes\\)"):
        import_fees(store, path, "Aetna", sheet="2027")


def test_spreadsheet_numbers_are_not_read_as_decimal_comma_text(
    store: RateStore, tmp_path: Path
) -> None:
    path = _workbook(tmp_path / "fees.xlsx", {"Rates": [["code", "rate"], ["99213", 73.26]]})
    import_fees(store, path, "Aetna", decimal_comma=True)
    assert store.fee_schedule("Aetna") == {("99213", ""): D("73.26")}


def test_nan_in_a_workbook_cell_is_refused(store: RateStore, tmp_path: Path) -> None:
    path = _workbook(tmp_path / "fees.xlsx", {"Rates": [["code", "rate"], ["99213", "1e30"]]})
    with pytest.raises(InputError, match="row 2: rate '1e30' is above"):
        import_fees(store, path, "Aetna")


# CMS ---------------------------------------------------------------------------------------


@pytest.fixture
def cut_rvu(shared_data: Path, tmp_path: Path) -> Path:
    lines = (shared_data / "cms_pfs" / "2025" / "PPRRVU2025_Oct.csv").read_text(
        encoding="utf-8", errors="replace"
    )
    path = tmp_path / "PPRRVU2025_cut.csv"
    path.write_text(lines[: 1200 * 180])  # about 1,200 lines, the last one cut mid-row
    return path


def test_a_truncated_rvu_file_and_a_year_mismatch_are_warned_by_name(
    store: RateStore, shared_data: Path, cut_rvu: Path
) -> None:
    done = import_medicare(
        store,
        cut_rvu,
        gpci_path=shared_data / "cms_pfs" / "2026" / "GPCI2026.csv",
        locality="OH-00",
    )
    text = " | ".join(done.warnings)
    assert "PPRRVU2025_cut.csv: only" in text and "is the file truncated?" in text
    assert f"{done.codes:,} priced codes" in text
    assert "2025 fee schedule but GPCI2026.csv holds 2026 GPCIs" in text
    assert "fewer cells than the header were skipped" in text


@pytest.mark.parametrize("cf", ["0", "1e30", "9.99", "100.01", "NaN"])
def test_an_implausible_conversion_factor_is_refused(
    store: RateStore, cut_rvu: Path, cf: str
) -> None:
    before = dump(store)
    with pytest.raises(InputError, match="not a plausible conversion factor"):
        import_medicare(store, cut_rvu, conversion_factor=D(cf))
    assert dump(store) == before


def test_an_rvu_above_the_plausible_range_refuses_the_file(
    store: RateStore, cut_rvu: Path, tmp_path: Path
) -> None:
    text = cut_rvu.read_text().replace(",0.48,", ",1e30,", 1)
    bad = tmp_path / "PPRRVU_bad.csv"
    bad.write_text(text)
    with pytest.raises(InputError, match="is above 10,000"):
        import_medicare(store, bad)


# TiC -----------------------------------------------------------------------------------------


def _tic(rates: object) -> dict[str, object]:
    return {
        "reporting_entity_name": "Test Plan",
        "in_network": [
            {
                "billing_code": "99213",
                "billing_code_type": "CPT",
                "negotiation_arrangement": "ffs",
                "negotiated_rates": rates,
            }
        ],
    }


PRICE = {"billing_class": "professional", "negotiated_type": "negotiated", "negotiated_rate": 90}


@pytest.mark.parametrize(
    ("rates", "path_named"),
    [
        (["abc"], "in_network[0].negotiated_rates[0] should be an object but is the string"),
        ([1, 2], "in_network[0].negotiated_rates[0] should be an object but is the number 1"),
        ({"a": 1}, "in_network[0].negotiated_rates should be a list but is an object"),
        ([{"negotiated_prices": "x"}], "negotiated_rates[0].negotiated_prices should be a list"),
        ([{"negotiated_prices": [7]}], "negotiated_prices[0] should be an object"),
        (
            [{"negotiated_prices": [{**PRICE, "negotiated_rate": 1e30}]}],
            "negotiated_prices[0].negotiated_rate 1E+30 is not a dollar amount",
        ),
    ],
)
def test_malformed_tic_names_the_json_path(
    store: RateStore, tmp_path: Path, rates: object, path_named: str
) -> None:
    before = dump(store)
    path = tmp_path / "tic.json"
    path.write_text(json.dumps(_tic(rates)))
    with pytest.raises(InputError) as caught:
        import_market(store, path, "m")
    assert caught.value.message.startswith("tic.json: ")
    assert path_named in caught.value.message
    assert dump(store) == before


def test_a_tic_rate_of_1e309_is_refused(store: RateStore, tmp_path: Path) -> None:
    path = tmp_path / "tic.json"
    text = json.dumps(_tic([{"negotiated_prices": [PRICE]}])).replace(
        '"negotiated_rate": 90', '"negotiated_rate": 1e309'
    )
    path.write_text(text)
    with pytest.raises(InputError, match="negotiated_rate 1E\\+309 is not a dollar amount"):
        import_market(store, path, "m")


@pytest.mark.parametrize("keep", [0.5, 0.9, -8])
def test_a_truncated_gzip_says_so(store: RateStore, tmp_path: Path, keep: float) -> None:
    raw = gzip.compress(json.dumps(_tic([{"negotiated_prices": [PRICE] * 50}])).encode())
    path = tmp_path / "rates.json.gz"
    path.write_bytes(raw[: int(len(raw) * keep)] if keep > 0 else raw[: int(keep)])
    before = dump(store)
    with pytest.raises(InputError, match="rates.json.gz is a truncated or damaged gzip file"):
        import_market(store, path, "m")
    assert dump(store) == before


# Missing data and what the store holds ---------------------------------------------------


def _priced(store: RateStore, tmp_path: Path) -> None:
    import_fees(store, write(tmp_path / "a.csv", "code,rate\n99213,90\n99214,120\n"), "Aetna")
    import_fees(store, write(tmp_path / "h.csv", "code,rate\n99213,85\n"), "Humana")
    import_survey(store, write(tmp_path / "s.csv", "code,rate\n99213,100\n"), "survey")
    import_volumes(store, write(tmp_path / "v.csv", "payer,code,units\nAetna,99213,10\n"))


def test_no_volumes_is_named_not_shown_as_zero(store: RateStore, tmp_path: Path) -> None:
    _priced(store, tmp_path)
    from assistant.rates.models import PercentChange, Proposal

    for call in (
        lambda: service.gap(store.conn, "Humana", "survey"),
        lambda: service.top_codes(store.conn, "Humana"),
        lambda: service.model(store.conn, "Humana", Proposal(PercentChange(D(3)))),
    ):
        with pytest.raises(MissingData) as caught:
            call()
        assert "No volumes imported for Humana" in caught.value.message
        assert caught.value.hint and "payer-assistant import volumes FILE" in caught.value.hint
    assert service.gap(store.conn, "Aetna", "survey").total_annual_gap == D("100.00")


def test_a_benchmark_pricing_none_of_the_codes_is_named(store: RateStore, tmp_path: Path) -> None:
    _priced(store, tmp_path)
    import_survey(store, write(tmp_path / "o.csv", "code,rate\n99385,150\n"), "other")
    with pytest.raises(MissingData, match="None of the 1 codes billed to Aetna has a rate"):
        service.gap(store.conn, "Aetna", "other")


def test_an_implausible_stored_rate_breaks_only_its_own_payer(
    store: RateStore, tmp_path: Path
) -> None:
    _priced(store, tmp_path)
    import_volumes(store, write(tmp_path / "v2.csv", "payer,code,units\nHumana,99213,5\n"))
    store.conn.execute(
        "UPDATE rates_fees SET rate = '1E+24' WHERE code = '99213' AND rate = '85.00'"
    )
    store.conn.commit()
    assert service.gap(store.conn, "Aetna", "survey").total_annual_gap == D("100.00")
    assert service.top_codes(store.conn, "Aetna").rows
    with pytest.raises(AssistantError, match="Humana's fee schedule holds 99213 at 1E\\+24"):
        service.gap(store.conn, "Humana", "survey")
