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
