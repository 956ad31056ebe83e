"""Regenerate the SYNTHETIC demo practice files from the public CMS RVU and GPCI files.

Run from the repository root: `python -m assistant.demo_data.practice.generate CMS_PFS_DIR`,
where CMS_PFS_DIR holds 2025/PPRRVU2025_Oct.csv, 2025/GPCI2025.csv,
2026/PPRRVU2026_Jul_nonQPP.csv and 2026/GPCI2026.csv. Output is deterministic (seeded).
"""

from __future__ import annotations

import csv
import json
import random
import sys
from decimal import Decimal
from pathlib import Path

from assistant.rates.cms_pfs import find_locality, medicare_rates, read_gpci_file, read_rvu_file
from assistant.rates.money import cents

HERE = Path(__file__).resolve().parent
LOCALITY = "OH-00"

# code -> (category, annual units for a payer of scale 1.0, billed charge)
CODES: dict[str, tuple[str, int, str]] = {
    "99202": ("E/M office, new", 60, "140"),
    "99203": ("E/M office, new", 180, "210"),
    "99204": ("E/M office, new", 120, "315"),
    "99205": ("E/M office, new", 30, "410"),
    "99211": ("E/M office, established", 150, "45"),
    "99212": ("E/M office, established", 400, "110"),
    "99213": ("E/M office, established", 2600, "175"),
    "99214": ("E/M office, established", 2200, "250"),
    "99215": ("E/M office, established", 350, "340"),
    "G2211": ("E/M add-on", 900, "35"),
    "99385": ("Preventive, new", 90, "280"),
    "99386": ("Preventive, new", 110, "310"),
    "99391": ("Preventive, established", 40, "190"),
    "99392": ("Preventive, established", 35, "200"),
    "99395": ("Preventive, established", 220, "250"),
    "99396": ("Preventive, established", 300, "270"),
    "99397": ("Preventive, established", 60, "290"),
    "11102": ("Procedure, skin", 80, "190"),
    "17110": ("Procedure, skin", 70, "200"),
    "17000": ("Procedure, skin", 60, "150"),
    "20610": ("Procedure, joint", 140, "210"),
    "69210": ("Procedure, ear", 120, "110"),
    "10060": ("Procedure, skin", 25, "260"),
    "12001": ("Procedure, skin", 20, "240"),
    "11200": ("Procedure, skin", 30, "180"),
    "93000": ("Diagnostic", 260, "60"),
    "94010": ("Diagnostic", 60, "85"),
    "71046": ("Imaging", 50, "120"),
    "96372": ("Injection", 400, "45"),
    "90471": ("Immunization admin", 500, "40"),
    "90472": ("Immunization admin", 180, "30"),
    "J3301": ("Drug, per unit", 450, "12"),
    "36415": ("Lab", 1500, "25"),
    "80053": ("Lab", 700, "48"),
    "85025": ("Lab", 800, "36"),
    "83036": ("Lab", 450, "42"),
    "87880": ("Lab", 300, "46"),
    "96127": ("Screening", 350, "25"),
}

# payer -> (Medicare year its schedule uses, percent of it, percent of billed charges for codes
# Medicare's PFS does not price, volume scale). From the demo contracts' Exhibit A; UHC and
# Cigna update on a lag, so their January 2026 schedules still carry 2025 amounts.
PAYERS: dict[str, tuple[str, str, str, float]] = {
    "Aetna": ("2025", "110", "50", 0.6),
    "UnitedHealthcare": ("2025", "100", "45", 1.0),
    "Blue Cross": ("2026", "115", "60", 0.9),
    "Cigna": ("2025", "105", "55", 0.4),
}
FILE_STYLES = {
    "Aetna": ("CPT", "Mod", "Description", "Allowed"),
    "UnitedHealthcare": ("code", "modifier", "description", "rate"),
    "Blue Cross": ("Procedure Code", "Modifier", "Description", "Fee"),
    "Cigna": ("HCPCS", "MOD", "Desc", "Allowable"),
}
SLUGS = {
    "Aetna": "aetna",
    "UnitedHealthcare": "unitedhealthcare",
    "Blue Cross": "blue-cross",
    "Cigna": "cigna",
}
BANNER = "SYNTHETIC DEMO DATA for the fictional Riverbend Family Medicine; not a real payer's rates"


def _rvu_subset(source: Path, target: Path, year: str) -> None:
    lines = list(csv.reader(source.open(newline="", encoding="utf-8-sig")))
    header_at = next(i for i, cells in enumerate(lines) if cells and cells[0] == "HCPCS")
    width = len(lines[header_at])
    banner = [
        f"SYNTHETIC DEMO SUBSET: rows of the CMS {year} PPRRVU file ({source.name}) for the demo "
        "codes; numeric RVU facts copied unchanged; CPT descriptors removed",
        "Source: CMS PFS Relative Value Files (public domain U.S. Government data)",
    ]
    with target.open("w", newline="") as handle:
        writer = csv.writer(handle)
        for i in range(header_at - 4):
            text = banner[i] if i < len(banner) else ""
            writer.writerow(["", "", text] + [""] * (width - 3))
        writer.writerows(lines[header_at - 4 : header_at + 1])
        for cells in lines[header_at + 1 :]:
            if cells and cells[0] in CODES:
                writer.writerow(cells[:2] + [""] + cells[3:])


def _gpci_subset(source: Path, target: Path) -> None:
    lines = list(csv.reader(source.open(newline="", encoding="utf-8-sig")))
    header_at = next(i for i, c in enumerate(lines) if any("Locality Number" in x for x in c))
    with target.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([f"SYNTHETIC DEMO SUBSET of {source.name}: the Ohio row (CMS public data)"])
        writer.writerow(lines[header_at])
        writer.writerows(c for c in lines[header_at + 1 :] if len(c) > 3 and c[1] == "OH")


def main(cms_dir: Path) -> None:
    rng = random.Random(2026)
    cms = HERE / "cms"
    cms.mkdir(exist_ok=True)
    sources = {
        "2025": (cms_dir / "2025" / "PPRRVU2025_Oct.csv", cms_dir / "2025" / "GPCI2025.csv"),
        "2026": (
            cms_dir / "2026" / "PPRRVU2026_Jul_nonQPP.csv",
            cms_dir / "2026" / "GPCI2026.csv",
        ),
    }
    medicare: dict[str, dict[tuple[str, str], Decimal]] = {}
    for year, (rvu, gpci) in sources.items():
        _rvu_subset(rvu, cms / f"PPRRVU{year}_demo_subset.csv", year)
        _gpci_subset(gpci, cms / f"GPCI{year}_ohio.csv")
        locality = find_locality(read_gpci_file(cms / f"GPCI{year}_ohio.csv"), LOCALITY)
        rows = read_rvu_file(cms / f"PPRRVU{year}_demo_subset.csv").rows
        medicare[year] = medicare_rates(rows, locality)

    fees_dir = HERE / "fees"
    fees_dir.mkdir(exist_ok=True)
    schedules: dict[str, dict[str, Decimal]] = {}
    for payer, (year, pct, charge_pct, _scale) in PAYERS.items():
        schedule = {}
        for code, (_category, _units, charge) in CODES.items():
            base = medicare[year].get((code, ""))
            if base is None:
                schedule[code] = cents(Decimal(charge) * Decimal(charge_pct) / 100)
            else:
                schedule[code] = cents(base * Decimal(pct) / 100)
        schedules[payer] = schedule
        code_h, mod_h, desc_h, rate_h = FILE_STYLES[payer]
        with (fees_dir / f"{SLUGS[payer]}-2026.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([BANNER])
            writer.writerow([code_h, mod_h, desc_h, rate_h])
            for code, rate in schedule.items():
                shown = f"${rate:,.2f}" if payer in ("Aetna", "Blue Cross") else str(rate)
                writer.writerow([code, "", CODES[code][0], shown])

    with (HERE / "volumes.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([BANNER + "; annual units per payer"])
        writer.writerow(["payer", "code", "modifier", "units"])
        for payer, (*_rest, scale) in PAYERS.items():
            for code, (_category, units, _charge) in CODES.items():
                count = round(units * scale * rng.uniform(0.85, 1.15))
                writer.writerow([payer, code, "", count])
            # Problem visits billed with a preventive visit the same day carry modifier 25.
            writer.writerow([payer, "99213", "25", round(120 * scale)])

    proposals = HERE / "proposals"
    proposals.mkdir(exist_ok=True)
    with (proposals / "aetna-2026-proposal.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([BANNER + "; Aetna's proposed schedule: +3% on office E/M only"])
        writer.writerow(["code", "modifier", "rate"])
        for code, rate in schedules["Aetna"].items():
            office_em = "99202" <= code <= "99215"
            writer.writerow([code, "", cents(rate * Decimal("1.03")) if office_em else rate])

    _market_file(HERE / "market" / "ohio-market-tic.json", medicare["2026"], rng)


def _market_file(
    target: Path, medicare: dict[tuple[str, str], Decimal], rng: random.Random
) -> None:
    target.parent.mkdir(exist_ok=True)
    in_network = []
    for code, (_category, _units, charge) in CODES.items():
        base = medicare.get((code, ""), Decimal(charge) / 2)
        prices = [
            {
                "negotiated_type": "negotiated",
                "negotiated_rate": float(cents(base * Decimal(str(rng.uniform(0.9, 1.45))))),
                "expiration_date": "9999-12-31",
                "service_code": ["11"],
                "billing_class": "professional",
            }
            for _ in range(9)
        ]
        in_network.append(
            {
                "negotiation_arrangement": "ffs",
                "name": "synthetic",
                "billing_code_type": "HCPCS" if code[0].isalpha() else "CPT",
                "billing_code_type_version": "2026",
                "billing_code": code,
                "description": "synthetic demo entry",
                "negotiated_rates": [{"provider_references": [1], "negotiated_prices": prices}],
            }
        )
    document = {
        "reporting_entity_name": "SYNTHETIC Ohio regional market (demo)",
        "reporting_entity_type": "synthetic",
        "last_updated_on": "2026-01-01",
        "version": "2.0.0",
        "provider_references": [
            {
                "provider_group_id": 1,
                "network_name": ["SYNTHETIC demo network"],
                "provider_groups": [{"npi": [0], "tin": {"type": "ein", "value": "00-0000000"}}],
            }
        ],
        "in_network": in_network,
    }
    target.write_text(json.dumps(document, indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
