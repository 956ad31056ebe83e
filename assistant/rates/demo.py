"""Load the SYNTHETIC demo practice (Riverbend Family Medicine) into a workspace's rate store."""

from __future__ import annotations

import sqlite3
from importlib.resources import as_file, files
from pathlib import Path

from assistant.rates.cms_pfs import import_medicare
from assistant.rates.fees import import_fees, import_volumes
from assistant.rates.store import RateStore
from assistant.rates.tic import import_market
from assistant.workspace import transaction

DEMO_PACKAGE = "assistant.demo_data"
FEE_FILES = {
    "Aetna": "aetna-2026.csv",
    "UnitedHealthcare": "unitedhealthcare-2026.csv",
    "Blue Cross": "blue-cross-2026.csv",
    "Cigna": "cigna-2026.csv",
}
ALIASES = {"UHC": "UnitedHealthcare", "United": "UnitedHealthcare", "BCBS": "Blue Cross"}
EFFECTIVE = "2026-01-01"
LOCALITY = "OH-00"


def demo_practice_dir() -> Path:
    """The folder holding the demo practice's files."""
    return Path(str(files(DEMO_PACKAGE).joinpath("practice")))


def demo_proposal_path() -> Path:
    """Aetna's proposed schedule in the demo (+3% on office E/M only)."""
    return demo_practice_dir() / "proposals" / "aetna-2026-proposal.csv"


def load_demo_practice(conn: sqlite3.Connection) -> None:
    """Import the demo's Medicare benchmarks (2026 and 2025, Ohio), four payers' schedules,
    aliases, annual volumes and a synthetic market file, all in one transaction."""
    with as_file(files(DEMO_PACKAGE).joinpath("practice")) as root:
        store = RateStore(conn)
        cms = root / "cms"
        with transaction(conn):
            for year, name in (("2026", "medicare"), ("2025", "medicare-2025")):
                import_medicare(
                    store,
                    cms / f"PPRRVU{year}_demo_subset.csv",
                    gpci_path=cms / f"GPCI{year}_ohio.csv",
                    locality=LOCALITY,
                    name=name,
                )
            for payer, file_name in FEE_FILES.items():
                import_fees(store, root / "fees" / file_name, payer, effective=EFFECTIVE)
            for alias, payer in ALIASES.items():
                store.add_alias(alias, payer)
            import_volumes(store, root / "volumes.csv")
            import_market(store, root / "market" / "ohio-market-tic.json", "ohio-market")
