"""Fuzzing every importer and loader: any input imports or raises AssistantError, and a
refused input leaves the store byte for byte as it was.

Inputs are generated around real shapes (the shared CMS, TiC and 835 samples, fee and volume
tables) and then broken: random cells and numbers, truncation, flipped bytes, wrong JSON
types, other encodings. Example counts are kept modest so the file runs in about a minute on
two cores; `FUZZ_EXAMPLES` in the environment raises them for a longer run.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.errors import AssistantError
from assistant.ingest.loaders import load_document
from assistant.rates.cms_pfs import import_medicare
from assistant.rates.fees import import_fees, import_survey, import_volumes
from assistant.rates.store import RateStore
from assistant.rates.tic import import_market
from assistant.remits.service import import_file
from assistant.workspace import Workspace

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"

OUTCOMES: Counter[str] = Counter()
"""importer -> examples run, and 'importer refused' -> examples refused (printed at the end)."""


@pytest.fixture(scope="module", autouse=True)
def _report_counts() -> Iterator[None]:
    yield
    total = sum(n for k, n in OUTCOMES.items() if " " not in k)
    refused = sum(n for k, n in OUTCOMES.items() if k.endswith(" refused"))
    print(f"\nfuzz: {total} generated inputs, {refused} refused, 0 tracebacks; {dict(OUTCOMES)}")


@contextmanager
def _workspace() -> Iterator[sqlite3.Connection]:
    with tempfile.TemporaryDirectory() as root:
        conn = Workspace(Path(root) / "ws").connect()
        store = RateStore(conn)
        # Something to lose: a schedule, volumes and a benchmark already stored.
        seed = Path(root) / "seed.csv"
        seed.write_text("code,rate\n99213,90\n99214,120\n")
        import_fees(store, seed, "Aetna")
        import_survey(store, seed, "survey")
        seed.write_text("payer,code,units\nAetna,99213,10\n")
        import_volumes(store, seed)
        try:
            yield conn
        finally:
            conn.close()


def _dump(conn: sqlite3.Connection) -> list[str]:
    return list(conn.iterdump())


def check(name: str, conn: sqlite3.Connection, run: Callable[[], object]) -> None:
    """`run` imports or raises AssistantError; when it raises, the store is unchanged."""
    OUTCOMES[name] += 1
    before = _dump(conn)
    try:
        run()
    except AssistantError as error:
        OUTCOMES[f"{name} refused"] += 1
        assert error.message.strip()
        assert _dump(conn) == before, f"{name}: a refused input changed the store"


def _write(directory: str, name: str, data: bytes) -> Path:
    path = Path(directory) / name
    path.write_bytes(data)
    return path


# Fee schedules, surveys and volumes --------------------------------------------------------

CELL = st.one_of(
    st.sampled_from(
        [
            "",
            "nan",
            "NaN",
            "inf",
            "-inf",
            "1e30",
            "1e309",
            "-1",
            "(5.00)",
            "73,26",
            "1.234,50",
            "1,234.50",
            "$92.10",
            "1234567890123456789012345678",
            "0",
            "0.001",
            "92.1",
            "  ",
            "99213",
            "9921",
            "00100",
            "25",
            "\x00",
            "\u00a0",
            "=1+1",
            '"',
            "'",
        ]
    ),  # fmt: skip
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.text(max_size=12),
)
GOOD_CELL = st.sampled_from(
    ["99213", "99214", "G2211", "99385", "90.00", "120.5", "1,234.50", "25", "", "Aetna", "10"]
)
ROW_CELL = st.one_of(GOOD_CELL, GOOD_CELL, CELL)
"""Mostly plausible cells, so imports succeed often enough to test the success path too."""
HEADER = st.sampled_from(
    ["code,rate", "code,rate", "code,modifier,rate,description", "cpt,allowed",
     "payer,code,units", "payer,code,units", "payer,code,modifier,volume", "code;rate", "rate",
     ""]
)  # fmt: skip
ENCODING = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "latin-1"])


CODE = st.sampled_from(["99213", "99214", "99215", "G2211", "99385"])
AMOUNT = st.decimals(min_value=0, max_value=2_000_000, places=2).map(str)


@st.composite
def table(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()):
        # A plausible table, perhaps with one bad cell: the success path is fuzzed too.
        payer = draw(st.sampled_from(["", "Aetna,", "Humana,", "AETNA,"]))
        header = "payer,code,units" if payer else "code,rate"
        rows = [f"{payer}{draw(CODE)},{draw(AMOUNT)}" for _ in range(draw(st.integers(1, 5)))]
        if draw(st.booleans()):
            rows[draw(st.integers(0, len(rows) - 1))] = f"{payer}99213,{draw(CELL)}"
        return ("\n".join([header, *rows]) + "\n").encode(draw(ENCODING), errors="replace")
    header = draw(HEADER)
    width = max(header.count(",") + 1, 1)
    rows = draw(
        st.lists(st.lists(ROW_CELL, min_size=0, max_size=width + 1), min_size=0, max_size=6)
    )
    if draw(st.booleans()):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        body = buffer.getvalue()
    else:
        body = "\n".join(",".join(row) for row in rows)  # unquoted, as a careless export
    text = header + "\n" + body + draw(st.sampled_from(["", "\n", "\r\n"]))
    encoding = draw(ENCODING)
    data = text.encode(encoding, errors="replace")
    return (
        data[: draw(st.integers(min_value=0, max_value=len(data)))] if draw(st.booleans()) else data
    )


@FUZZ
@given(data=table(), which=st.sampled_from(["fees", "survey", "volumes", "fees-comma"]))
def test_fuzz_fee_survey_and_volume_tables(data: bytes, which: str) -> None:
    with _workspace() as conn, tempfile.TemporaryDirectory() as d:
        path = _write(d, "input.csv", data)
        store = RateStore(conn)
        run: Callable[[], object] = {
            "fees": lambda: import_fees(store, path, "Aetna"),
            "fees-comma": lambda: import_fees(store, path, "Humana", decimal_comma=True),
            "survey": lambda: import_survey(store, path, "market-survey"),
            "volumes": lambda: import_volumes(store, path, notes=[]),
        }[which]
        check(f"table:{which}", conn, run)


@settings(FUZZ, max_examples=max(EXAMPLES // 4, 5))
@given(
    cells=st.lists(
        st.lists(st.one_of(CELL, st.floats(), st.integers(), st.none()), max_size=3),
        max_size=5,
    ),
    sheets=st.integers(min_value=1, max_value=3),
)
def test_fuzz_xlsx_workbooks(cells: list[list[object]], sheets: int) -> None:
    from openpyxl import Workbook

    with _workspace() as conn, tempfile.TemporaryDirectory() as d:
        path = Path(d) / "fees.xlsx"
        try:
            book = Workbook()
            first = book.active
            assert first is not None
            first.append(["code", "rate"])
            for row in cells:
                first.append(row)
            for n in range(1, sheets):
                book.create_sheet(f"extra{n}").append(["code", "rate"])
            book.save(path)
        except Exception:  # noqa: BLE001 - openpyxl refuses some generated cells; not our input
            return
        check("xlsx:fees", conn, lambda: import_fees(RateStore(conn), path, "Aetna", notes=[]))


# CMS RVU and GPCI ----------------------------------------------------------------------------


def _rvu_sample() -> list[str]:
    lines = (
        (DATA / "cms_pfs" / "2025" / "PPRRVU2025_Oct.csv")
        .read_text(encoding="utf-8", errors="replace")
        .splitlines()
    )
    return lines[:60]


RVU_LINES = _rvu_sample()
GPCI_TEXT = (DATA / "cms_pfs" / "2026" / "GPCI2026.csv").read_text(
    encoding="utf-8", errors="replace"
)


@st.composite
def broken_lines(draw: st.DrawFn, lines: list[str]) -> bytes:
    out = list(lines)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(out) - 1))
        cells = out[at].split(",")
        action = draw(st.sampled_from(["cell", "drop", "cut", "dup"]))
        if action == "cell" and cells:
            cells[draw(st.integers(min_value=0, max_value=len(cells) - 1))] = draw(CELL)
            out[at] = ",".join(cells)
        elif action == "drop":
            del out[at]
        elif action == "cut":
            out = out[: at + 1]
            out[-1] = out[-1][: draw(st.integers(min_value=0, max_value=len(out[-1])))]
        else:
            out.insert(at, out[at])
        if not out:
            break
    return "\n".join(out).encode("utf-8", errors="replace")


@FUZZ
@given(
    rvu=broken_lines(RVU_LINES),
    cf=st.one_of(st.none(), st.decimals(allow_nan=True, allow_infinity=True)),
    with_gpci=st.booleans(),
    gpci=broken_lines(GPCI_TEXT.splitlines()[:40]),
)
def test_fuzz_cms_rvu_and_gpci(rvu: bytes, cf: object, with_gpci: bool, gpci: bytes) -> None:
    from decimal import Decimal

    with _workspace() as conn, tempfile.TemporaryDirectory() as d:
        rvu_path = _write(d, "PPRRVU2025.csv", rvu)
        gpci_path = _write(d, "GPCI2026.csv", gpci) if with_gpci else None
        check(
            "cms:medicare",
            conn,
            lambda: import_medicare(
                RateStore(conn),
                rvu_path,
                gpci_path=gpci_path,
                locality="OH-00" if with_gpci else None,
                conversion_factor=cf if isinstance(cf, Decimal) else None,
            ),
        )


# TiC -----------------------------------------------------------------------------------------

JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.sampled_from(["99213", "CPT", "ffs", "professional", "negotiated", "1e30"]),
)
JSON = st.recursive(
    JSON_LEAF,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)
PRICE = st.fixed_dictionaries(
    {
        "billing_class": st.sampled_from(["professional", "institutional", "both", 3]),
        "negotiated_type": st.sampled_from(["negotiated", "fee schedule", "percentage", None]),
        "negotiated_rate": st.one_of(
            st.decimals(min_value=0, max_value=5000, places=2),
            st.decimals(min_value=0, max_value=5000, places=2),
            st.decimals(allow_nan=False, allow_infinity=False, places=2),
            st.sampled_from(["90.00", "1e30", -5, 0, True]),
            JSON,
        ),
    },
    optional={"billing_code_modifier": st.one_of(st.lists(JSON_LEAF, max_size=2), JSON_LEAF)},
)
ITEM = st.fixed_dictionaries(
    {
        "billing_code": st.one_of(
            st.sampled_from(["99213", "99214", "G2211", "0001U"]),
            st.sampled_from(["99213", "99214"]),
            JSON,
        ),
        "billing_code_type": st.sampled_from(["CPT", "CPT", "HCPCS", "RC", 5]),
        "negotiated_rates": st.one_of(
            st.lists(st.fixed_dictionaries({"negotiated_prices": st.lists(PRICE, max_size=3)})),
            st.lists(
                st.one_of(
                    st.fixed_dictionaries(
                        {"negotiated_prices": st.one_of(st.lists(PRICE, max_size=3), JSON)}
                    ),
                    JSON,
                ),
                max_size=3,
            ),
            JSON,
        ),
    },
    optional={"negotiation_arrangement": st.sampled_from(["ffs", "bundle", 1])},
)
GOOD_ITEM = st.fixed_dictionaries(
    {
        "billing_code": st.sampled_from(["99213", "99214", "G2211"]),
        "billing_code_type": st.just("CPT"),
        "negotiated_rates": st.lists(
            st.fixed_dictionaries(
                {
                    "negotiated_prices": st.lists(
                        st.fixed_dictionaries(
                            {
                                "billing_class": st.just("professional"),
                                "negotiated_type": st.just("negotiated"),
                                "negotiated_rate": st.decimals(
                                    min_value=0, max_value=2_000_000, places=2
                                ),
                            }
                        ),
                        min_size=1,
                        max_size=3,
                    )
                }
            ),
            min_size=1,
            max_size=2,
        ),
    }
)
TIC = st.one_of(
    st.fixed_dictionaries({"in_network": st.lists(GOOD_ITEM, min_size=1, max_size=4)}),
    st.fixed_dictionaries(
        {
            "reporting_entity_name": JSON_LEAF,
            "in_network": st.lists(st.one_of(ITEM, ITEM, JSON), max_size=4),
        }
    ),
    JSON,
)


def _json_default(value: object) -> object:
    return float(value)  # type: ignore[arg-type]


@FUZZ
@given(document=TIC, gz=st.booleans(), cut=st.floats(min_value=0, max_value=2))
def test_fuzz_tic_files(document: object, gz: bool, cut: float) -> None:
    data = json.dumps(document, default=_json_default).encode()
    if gz:
        data = gzip.compress(data)
    if cut < 1:
        data = data[: int(len(data) * cut)]
    with _workspace() as conn, tempfile.TemporaryDirectory() as d:
        path = _write(d, "rates.json.gz" if gz else "rates.json", data)
        check("tic:market", conn, lambda: import_market(RateStore(conn), path, "market"))


# 835 remittances -----------------------------------------------------------------------------

SAMPLES_835 = sorted(p for p in (DATA / "x12_835").iterdir() if p.suffix in (".835", ".txt"))


@st.composite
def broken_835(draw: st.DrawFn) -> bytes:
    text = draw(st.sampled_from(SAMPLES_835)).read_text(encoding="ascii", errors="replace")
    segments = text.split("~")
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        at = draw(st.integers(min_value=0, max_value=len(segments) - 1))
        elements = segments[at].split("*")
        action = draw(st.sampled_from(["element", "drop", "dup", "cut", "accent", "bytes"]))
        if action == "element" and len(elements) > 1:
            elements[draw(st.integers(min_value=1, max_value=len(elements) - 1))] = draw(CELL)
            segments[at] = "*".join(elements)
        elif action == "drop" and at > 0:
            del segments[at]
        elif action == "dup":
            segments.insert(at, segments[at])
        elif action == "cut":
            segments = segments[: at + 1]
        elif action == "accent":
            segments[at] = segments[at].replace("E", "É", 1)
    data = "~".join(segments).encode("utf-8")
    if draw(st.booleans()):
        flips = draw(
            st.lists(st.integers(min_value=0, max_value=max(len(data) - 1, 0)), max_size=3)
        )
        raw = bytearray(data)
        for i in flips:
            if raw:
                raw[i] = draw(st.integers(min_value=0, max_value=255))
        data = bytes(raw)
    return data


@FUZZ
@given(data=broken_835(), strict=st.booleans())
def test_fuzz_835_remittances(data: bytes, strict: bool) -> None:
    with _workspace() as conn, tempfile.TemporaryDirectory() as d:
        path = _write(d, "payment.835", data)
        check("835:remits", conn, lambda: import_file(conn, path, None, strict))


# Document loaders ----------------------------------------------------------------------------


@FUZZ
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.text(max_size=200).flatmap(
            lambda t: ENCODING.map(lambda e: t.encode(e, errors="replace"))
        ),
    ),
    suffix=st.sampled_from([".txt", ".md", ".pdf", ".docx", ".rtf"]),
)
def test_fuzz_document_loaders(data: bytes, suffix: str) -> None:
    OUTCOMES[f"loader:{suffix}"] += 1
    with tempfile.TemporaryDirectory() as d:
        path = _write(d, f"contract{suffix}", data)
        try:
            doc = load_document(path, ocr=False)
        except AssistantError as error:
            OUTCOMES[f"loader:{suffix} refused"] += 1
            assert error.message.startswith(f"contract{suffix}")
            return
        assert all("\x00" not in page.text for page in doc.pages)
