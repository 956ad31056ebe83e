"""The demo workspace builds completely and is idempotent."""

from __future__ import annotations

import pytest

from assistant.demo import build_demo_workspace
from assistant.ingest.store import DocumentStore
from assistant.rates.store import RateStore

pytestmark = pytest.mark.slow


def test_demo_workspace_has_rates_contracts_and_guidance(demo_services) -> None:  # type: ignore[no-untyped-def]
    docs = DocumentStore(demo_services.conn).list()
    kinds = {d.kind for d in docs}
    assert kinds == {"contract", "template", "guidance"}
    payers = {d.payer for d in docs if d.kind == "contract"}
    assert {"Aetna", "UnitedHealthcare", "Blue Cross", "Cigna", "TN Health Plan"} <= payers
    tn = DocumentStore(demo_services.conn).resolve("TN_Contract4_Redacted.pdf")
    assert tn.pages == 48 and set(tn.ocr_pages) >= {17, 45, 46}
    assert RateStore(demo_services.conn).resolve_payer("uhc") == "UnitedHealthcare"


def test_rebuilding_changes_nothing(demo_services) -> None:  # type: ignore[no-untyped-def]
    outcomes = build_demo_workspace(demo_services, include_shared=True)
    assert {o.status for o in outcomes} == {"unchanged"}


def test_demo_progress_counts_files_across_the_whole_build() -> None:
    from pathlib import Path

    from assistant.demo import demo_files, overall_progress

    files = demo_files(include_shared=False)
    assert [f.path.name for f in files if f.kind == "contract"] == [
        "aetna-agreement.md",
        "unitedhealthcare-agreement.md",
        "blue-cross-agreement.md",
        "cigna-agreement.md",
    ]
    assert all(f.path.name != "README.md" for f in files)
    seen: list[tuple[str, float, float]] = []
    report = overall_progress(
        lambda d, done, total: seen.append((d, done, total)), 2, 11, Path("x.pdf")
    )
    report("reading x.pdf", 0, 1)
    report("embedding x.pdf", 0.5, 1)
    assert seen[0][0].startswith("file 3 of 11 · reading x.pdf (OCR")
    assert [s[1:] for s in seen] == [(2.0, 11), (2.5, 11)]
