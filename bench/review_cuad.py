"""Print the CUAD per-category precision/recall table of the contract review's clause detection."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from assistant.review.cuad import evaluate_cuad, format_table

DEFAULT_CUAD = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "cuad"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cuad", type=Path, default=DEFAULT_CUAD, help="folder of the CUAD sample")
    parser.add_argument("--errors", action="store_true", help="also list every wrong call")
    args = parser.parse_args()
    started = time.perf_counter()
    report = evaluate_cuad(args.cuad)
    print(format_table(report))
    print(f"\n{len(report.outcomes)} labelled rows, {time.perf_counter() - started:.1f} s")
    if args.errors:
        for o in report.errors:
            said = "present" if o.predicted else "absent"
            print(f"  {o.row_id} {o.category}: said {said} — {o.document}")


if __name__ == "__main__":
    main()
