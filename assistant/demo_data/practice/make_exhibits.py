"""Write the SYNTHETIC demo's proposal exhibits and cost file (deterministic).

`python -m assistant.demo_data.practice.make_exhibits WORKSPACE` reads the 2026 Medicare
benchmark and fee schedules of a workspace the demo practice was loaded into and writes:
proposals/aetna-2027-exhibit.csv (104% of the MPFS in effect, replacing the fixed 2025 year),
proposals/cigna-2027-exhibit.pdf (100% of the 2026 MPFS with a new lesser-of clause) and
costs.csv ((work + non-facility PE RVU) × $29.40, the demo practice's invented cost per RVU).
"""

from __future__ import annotations

import csv
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
BANNER = "SYNTHETIC DEMO DATA for the fictional Riverbend Family Medicine; not a real payer's rates"
NOTE = (
    "Proposed Exhibit A, effective 2027-01-01. Covered Services valued on the MPFS are paid at "
    "one hundred four percent (104%) of the MPFS in effect on the date of service."
)
COST_PER_RVU = Decimal("29.40")
# Supplies and staff time for codes the PFS does not value (labs, a drug): invented.
UNVALUED_COSTS = {
    "36415": "4.10",
    "80053": "7.90",
    "83036": "6.40",
    "85025": "5.20",
    "87880": "9.75",
    "J3301": "3.60",
}


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer is `lines` (Helvetica 9pt), for exhibits and tests."""
    ops = ["BT", "/F1 9 Tf", "11 TL", "40 760 Td"]
    ops += [f"({_escape(line)}) Tj T*" for line in lines]
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def main(workspace: Path) -> None:
    from assistant.rates.cms_pfs import read_rvu_file
    from assistant.rates.store import RateStore
    from assistant.workspace import Workspace

    conn = Workspace(workspace).connect()
    store = RateStore(conn)
    medicare = store.benchmark_rates("medicare")[1]
    aetna, cigna = store.fee_schedule("Aetna"), store.fee_schedule("Cigna")
    descriptions = store.descriptions("Aetna")

    with (HERE / "proposals" / "aetna-2027-exhibit.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([BANNER])
        writer.writerow([NOTE])
        writer.writerow(["code", "modifier", "description", "proposed_rate"])
        for key in sorted(aetna):
            if key[0] == "69210":  # dropped from the proposal: the redline lists it
                continue
            rate = _cents(medicare[key] * Decimal("1.04")) if key in medicare else aetna[key]
            writer.writerow([key[0], key[1], descriptions.get(key, ""), f"{rate}"])
        writer.writerow(["99417", "", "Prolonged office visit, each 15 min", "33.50"])

    lines = [
        BANNER,
        "CIGNA - PROPOSED EXHIBIT A - FEE SCHEDULE (effective 2027-04-01)",
        "Covered Services valued on the MPFS are paid at one hundred percent (100%) of the",
        "2026 MPFS for the Ohio locality.",
        "Payment is the lesser of Provider's billed charges or the rate below.",
        "CPT/HCPCS   Description                          Rate",
    ]
    for key in sorted(cigna):
        rate = medicare[key] if key in medicare else cigna[key]
        lines.append(f"{key[0]}   {descriptions.get(key, '')[:34]:<34}   {rate}")
    (HERE / "proposals" / "cigna-2027-exhibit.pdf").write_bytes(text_pdf(lines))

    rvus = read_rvu_file(HERE / "cms" / "PPRRVU2026_demo_subset.csv")
    with (HERE / "costs.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([BANNER + f"; cost per code = (work + PE RVU) x ${COST_PER_RVU}"])
        writer.writerow(["code", "modifier", "cost"])
        for row in rvus.rows:
            if row.modifier or (row.code, "") not in aetna or row.code in UNVALUED_COSTS:
                continue
            writer.writerow([row.code, "", _cents((row.work + row.pe_nonfacility) * COST_PER_RVU)])
        for code, cost in UNVALUED_COSTS.items():
            writer.writerow([code, "", cost])
    conn.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
