"""Importers against the real CMS and TiC files, and every kind of bad input importing nothing."""

from __future__ import annotations

import gzip
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.errors import InputError, NotFoundError
from assistant.rates.cms_pfs import find_locality, import_medicare, read_gpci_file, read_rvu_file
from assistant.rates.fees import import_fees, import_survey, import_volumes
from assistant.rates.store import RateStore
from assistant.rates.tic import import_market, read_market
from assistant.workspace import Workspace

D = Decimal


@pytest.fixture
def store(workspace_dir: Path) -> RateStore:
    return RateStore(Workspace(workspace_dir).connect())


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


# CMS ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def cms(shared_data: Path) -> Path:
    return shared_data / "cms_pfs"


@pytest.mark.parametrize(
    ("year", "rvu", "gpci", "locality", "setting", "code", "expected"),
    [
        # (1.92 + 1.80 + 0.15) x 32.3465 = 125.18 (the check)
        ("2025", "PPRRVU2025_Oct.csv", None, None, "nonfacility", "99214", "125.18"),
        # (1.92 x 1.043 + 1.80 x 1.22 + 0.15 x 0.853) x 32.3465 = 139.95 (Seattle)
        ("2025", "PPRRVU2025_Oct.csv", "GPCI2025.csv", "Seattle", "nonfacility", "99214", "139.95"),
        # (1.92 + 0.83 + 0.15) x 32.3465 = 93.80 (facility PE)
        ("2025", "PPRRVU2025_Oct.csv", None, None, "facility", "99214", "93.80"),
        # 2026 layout (extra PRIC IND column): (1.92 + 2.00 + 0.14) x 33.4009 = 135.61
        ("2026", "PPRRVU2026_Jul_nonQPP.csv", None, None, "nonfacility", "99214", "135.61"),
        # 2026 Ohio: (1.92 x 1.000 + 2.00 x 0.934 + 0.14 x 0.934) x 33.4009 = 130.89
        (
            "2026",
            "PPRRVU2026_Jul_nonQPP.csv",
            "GPCI2026.csv",
            "OH-00",
            "nonfacility",
            "99214",
            "130.89",
        ),
    ],
)
def test_medicare_payment_from_real_files(
    store: RateStore,
    cms: Path,
    year: str,
    rvu: str,
    gpci: str | None,
    locality: str | None,
    setting: str,
    code: str,
    expected: str,
) -> None:
    done = import_medicare(
        store,
        cms / year / rvu,
        gpci_path=cms / year / gpci if gpci else None,
        locality=locality,
        setting=setting,
    )
    assert done.codes > 9000
    _, rates = store.benchmark_rates("medicare")
    assert str(rates[(code, "")]) == expected


def test_rvu_files_read_with_their_conversion_factors(cms: Path) -> None:
    r25 = read_rvu_file(cms / "2025" / "PPRRVU2025_Oct.csv")
    r26 = read_rvu_file(cms / "2026" / "PPRRVU2026_Jul_nonQPP.csv")
    assert (len(r25.rows), r25.conversion_factor) == (19090, D("32.3465"))
    assert (len(r26.rows), r26.conversion_factor) == (19356, D("33.4009"))


def test_statuses_not_paid_under_the_pfs_are_left_out(store: RateStore, cms: Path) -> None:
    done = import_medicare(store, cms / "2026" / "PPRRVU2026_Jul_nonQPP.csv")
    _, rates = store.benchmark_rates("medicare")
    assert ("36415", "") not in rates  # status X: lab, not on the PFS
    assert rates[("99396", "")] == D("128.93")  # status N, RVUs published: kept (see cms_pfs)
    assert done.skipped_by_status["X"] > 0


def test_locality_lookup_is_strict(cms: Path) -> None:
    localities = read_gpci_file(cms / "2025" / "GPCI2025.csv")
    assert len(localities) == 109
    assert find_locality(localities, "02402-02").name.startswith("SEATTLE")
    assert find_locality(localities, "wa-02").name.startswith("SEATTLE")
    with pytest.raises(InputError, match="matches"):
        find_locality(localities, "REST OF")
    with pytest.raises(NotFoundError):
        find_locality(localities, "Atlantis")


def test_unknown_cms_layout_imports_nothing(store: RateStore, tmp_path: Path, cms: Path) -> None:
    lines = (cms / "2025" / "PPRRVU2025_Oct.csv").read_text().splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("HCPCS,"))
    lines[header_at] = lines[header_at].replace(",FACTOR,", ",FACTORS,", 1)
    broken = write(tmp_path / "PPRRVU_broken.csv", "\n".join(lines[: header_at + 50]))
    with pytest.raises(InputError, match="unknown CMS RVU layout.*CONV FACTOR"):
        import_medicare(store, broken)
    assert store.benchmarks() == []


def test_a_fee_schedule_is_not_a_cms_file(store: RateStore, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a CMS PPRRVU file"):
        import_medicare(store, write(tmp_path / "f.csv", "code,rate\n99213,90\n"))


# Fee schedules, volumes, surveys --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'CPT,Mod,Allowed\n99213,,"$1,234.50"\n 99214 ,25,99\n',
        "Banner line from the payer portal\n"
        "Procedure_Code,modifier,FEE\n99213,,1234.5\n99214,25,99.00\n",
        "hcpcs\tamount\tmod\n99213\t1234.50\t\n99214\t99\t25\n",
    ],
)
def test_fee_header_aliases_and_money_formats(store: RateStore, tmp_path: Path, text: str) -> None:
    info = import_fees(store, write(tmp_path / "fees.csv", text), "Aetna", "2026-01-01")
    assert (info.codes, info.effective) == (2, "2026-01-01")
    assert store.fee_schedule("aetna") == {("99213", ""): D("1234.50"), ("99214", "25"): D("99.00")}


def test_fee_xlsx(store: RateStore, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Code", "Description", "Rate"])
    sheet.append([99213, "office visit", 92.5])
    sheet.append(["G2211", "add-on", "$16.04"])
    workbook.save(tmp_path / "fees.xlsx")
    import_fees(store, tmp_path / "fees.xlsx", "Cigna")
    assert store.fee_schedule("Cigna") == {("99213", ""): D("92.50"), ("G2211", ""): D("16.04")}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code,rate\n99213,abc\n", r"row 2: rate 'abc' is not a number"),
        ("code,rate\n99213,-5\n", r"row 2: rate '-5' is negative"),
        ("code,rate\n99213,\n99214,1\n", r"row 2: rate is empty"),
        ("code,rate\n99213,90\n99213,91\n", r"row 3: 99213 is listed again with 91.00 \(row 2"),
        ("code,rate\n100,90\n", r"row 2: code '100' is not a 5-character"),
        ("procedure,price\n99213,90\n", r"found: procedure, price"),
        ("code,rate\n99213,NaN\n", r"not a number"),
    ],
)
def test_bad_fee_files_import_nothing(
    store: RateStore, tmp_path: Path, text: str, message: str
) -> None:
    import_fees(store, write(tmp_path / "old.csv", "code,rate\n99212,50\n"), "Aetna")
    with pytest.raises(InputError, match=message):
        import_fees(store, write(tmp_path / "bad.csv", text), "Aetna")
    assert store.fee_schedule("Aetna") == {("99212", ""): D("50.00")}
    assert len(store.schedules("Aetna")) == 1


def test_reimport_replaces_and_keeps_history(store: RateStore, tmp_path: Path) -> None:
    import_fees(store, write(tmp_path / "a.csv", "code,rate\n99213,90\n"), "Aetna", "2025-01-01")
    import_fees(store, write(tmp_path / "b.csv", "code,rate\n99214,120\n"), "AETNA", "2026-01-01")
    history = store.schedules("Aetna")
    assert [(s.effective, s.current) for s in history] == [
        ("2026-01-01", True),
        ("2025-01-01", False),
    ]
    assert store.fee_schedule("Aetna") == {("99214", ""): D("120.00")}
    assert store.fee_schedule("Aetna", history[1].id) == {("99213", ""): D("90.00")}
    assert store.payers() == ["Aetna"]


def test_aliases_resolve_and_unknown_payers_are_named(store: RateStore, tmp_path: Path) -> None:
    import_fees(store, write(tmp_path / "u.csv", "code,rate\n99213,85\n"), "UnitedHealthcare")
    store.add_alias("UHC", "UnitedHealthcare")
    assert store.resolve_payer("uhc") == "UnitedHealthcare"
    with pytest.raises(NotFoundError, match="known payers: UnitedHealthcare"):
        store.resolve_payer("Humana")


def test_volumes_merge_aliases_and_repeated_rows(store: RateStore, tmp_path: Path) -> None:
    import_fees(store, write(tmp_path / "u.csv", "code,rate\n99213,85\n"), "UnitedHealthcare")
    store.add_alias("UHC", "UnitedHealthcare")
    text = (
        "payer,code,modifier,volume\nUHC,99213,,100\nUnitedHealthcare,99213,,20\nuhc,99213,25,7\n"
    )
    counts = import_volumes(store, write(tmp_path / "v.csv", text))
    assert counts == {"UnitedHealthcare": 2}
    assert store.volumes("UnitedHealthcare") == {("99213", ""): D(120), ("99213", "25"): D(7)}


def test_volumes_import_for_the_payers_with_a_schedule_and_name_the_others(
    store: RateStore, tmp_path: Path
) -> None:
    import_fees(store, write(tmp_path / "a.csv", "code,rate\n99213,90\n"), "Aetna")
    text = "payer,code,units\nAetna,99213,10\nHumana,99213,5\n"
    notes: list[str] = []
    counts = import_volumes(store, write(tmp_path / "v.csv", text), notes=notes)
    assert counts == {"Aetna": 1}
    assert store.volumes("Aetna") == {("99213", ""): D(10)}
    assert len(notes) == 1
    assert "Humana not imported (1 code(s))" in notes[0]
    assert "import fees FILE --payer NAME" in notes[0]


def test_volumes_for_no_payer_with_a_schedule_import_nothing(
    store: RateStore, tmp_path: Path
) -> None:
    import_fees(store, write(tmp_path / "a.csv", "code,rate\n99213,90\n"), "Aetna")
    text = "payer,code,units\nHumana,99213,5\n"
    with pytest.raises(InputError, match="no fee schedule for payer\\(s\\) Humana"):
        import_volumes(store, write(tmp_path / "v.csv", text))
    assert store.volumes("Aetna") == {}


def test_survey_benchmark(store: RateStore, tmp_path: Path) -> None:
    assert (
        import_survey(
            store, write(tmp_path / "s.csv", "code,modifier,rate\n99213,,101\n"), "survey"
        )
        == 1
    )
    assert store.benchmark_rates("survey") == ("survey", {("99213", ""): D("101.00")})
    with pytest.raises(InputError, match="above zero"):
        import_survey(store, write(tmp_path / "z.csv", "code,rate\n99213,0\n"), "zero")


def test_unknown_benchmark_lists_what_exists(store: RateStore, tmp_path: Path) -> None:
    import_survey(store, write(tmp_path / "s.csv", "code,rate\n99213,101\n"), "survey")
    with pytest.raises(NotFoundError, match="available: survey"):
        store.benchmark_rates("medicare")


# TiC ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def tic(shared_data: Path) -> Path:
    return shared_data / "tic" / "examples"


def test_tic_examples_professional_dollar_rates(tic: Path) -> None:
    summary = read_market(tic / "in-network-rates" / "in-network-rates-multiple-plans-sample.json")
    # 27447 professional prices 120.45 twice (no modifier) and 123.45 with modifier AS.
    assert summary.rates[("27447", "")].p50 == D("120.45")
    assert summary.rates[("27447", "")].n == 2
    assert summary.rates[("27447", "AS")].p50 == D("123.45")
    assert summary.skipped == {"other billing class": 2}


def test_tic_all_types_keeps_dollar_types_only(tic: Path) -> None:
    path = tic / "in-network-rates" / "in-network-rates-all-negotiated-types-sample.json"
    summary = read_market(path)
    assert summary.reporting_entity == "Comprehensive Health Insurance"
    assert summary.skipped["percentage or per diem"] == 2
    assert summary.rates[("99214", "")].p50 == D("150.00")


@pytest.mark.parametrize(
    ("relative", "message"),
    [
        ("allowed-amounts/allowed-amounts-single-plan-sample.json", "allowed-amounts"),
        ("table-of-contents/table-of-contents-sample.json", "table of contents"),
        (
            "in-network-rates/in-network-rates-bundle-single-plan-sample.json",
            "bundle or capitation",
        ),
    ],
)
def test_tic_files_we_cannot_use_say_why(
    store: RateStore, tic: Path, relative: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        import_market(store, tic / relative, "mkt")
    assert store.benchmarks() == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"plans": []}', "top-level keys: plans"),
        (b"[1, 2]", "not an object"),
        (b'{"in_network": [{"billing', "not valid JSON"),
    ],
)
def test_non_tic_json(store: RateStore, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        import_market(store, path, "mkt")


def test_tic_gzip_and_quartiles(store: RateStore, tmp_path: Path) -> None:
    prices = [
        {
            "negotiated_type": "negotiated",
            "negotiated_rate": r,
            "billing_class": "professional",
            "expiration_date": "9999-12-31",
            "service_code": ["11"],
        }
        for r in (100, 110.5, 120, 130, 200)
    ]
    doc = {
        "reporting_entity_name": "Test",
        "in_network": [
            {
                "negotiation_arrangement": "ffs",
                "billing_code_type": "CPT",
                "billing_code": "99213",
                "negotiated_rates": [{"provider_references": [1], "negotiated_prices": prices}],
            }
        ],
    }
    path = tmp_path / "mrf.json.gz"
    with gzip.open(path, "wt") as handle:
        json.dump(doc, handle)
    import_market(store, path, "mkt")
    # Sorted 100, 110.5, 120, 130, 200: P25 = 110.50, median = 120.00, P75 = 130.00.
    assert store.benchmark_rates("market:mkt:p25")[1] == {("99213", ""): D("110.50")}
    assert store.benchmark_rates("market:mkt:median") == (
        "market:mkt:p50",
        {("99213", ""): D("120.00")},
    )
    assert store.benchmark_rates("market:mkt:p75")[1] == {("99213", ""): D("130.00")}
    assert "market:mkt:p50" in store.benchmarks()


def test_store_writes_join_the_callers_transaction(store: RateStore, tmp_path: Path) -> None:
    from assistant.workspace import transaction

    conn: sqlite3.Connection = store.conn
    with pytest.raises(RuntimeError), transaction(conn):
        store.replace_fee_schedule("Aetna", {("99213", ""): D(1)}, source="x")
        raise RuntimeError("abort")
    assert store.payers() == []
