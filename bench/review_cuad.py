"""Print the CUAD per-category precision/recall table of the contract review's clause detection.

Without options: the seven in-sample contracts of ../shared/data/cuad. With `--dev tune|test|all`:
the cuad_dev contracts of that split (evals/splits.yaml). Tune on `tune` (`--errors` lists its wrong
calls); `test` is reported on, and its wrong calls are not printed.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import yaml

from assistant.review.cuad import evaluate_cuad, evaluate_cuad_dev, format_table

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CUAD = ROOT.parent / "shared" / "data" / "cuad"
DEFAULT_CUAD_DEV = ROOT.parent / "shared" / "data" / "cuad_dev"
SPLITS = ROOT / "evals" / "splits.yaml"


def split_documents(split: str) -> list[str] | None:
    """The cuad_dev file stems of `split` ("tune" or "test"); None for all of them."""
    if split == "all":
        return None
    return list(yaml.safe_load(SPLITS.read_text(encoding="utf-8"))["cuad_dev"][split])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cuad", type=Path, default=DEFAULT_CUAD, help="folder of the CUAD sample")
    parser.add_argument("--cuad-dev", type=Path, default=DEFAULT_CUAD_DEV, help="cuad_dev folder")
    parser.add_argument("--dev", choices=("tune", "test", "all"), help="score a cuad_dev split")
    parser.add_argument("--errors", action="store_true", help="also list every wrong call")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.dev:
        report = evaluate_cuad_dev(args.cuad_dev, split_documents(args.dev))
        print(f"cuad_dev {args.dev} split")
    else:
        report = evaluate_cuad(args.cuad)
        print("CUAD sample (in-sample: the first patterns were written on it)")
    print(format_table(report))
    print(f"\n{len(report.outcomes)} labelled rows, {time.perf_counter() - started:.1f} s")
    if args.errors and args.dev != "test":
        for o in report.errors:
            said = "present" if o.predicted else "absent"
            print(f"  {o.row_id} {o.category}: said {said} — {o.document}")
    elif args.errors:
        print("(wrong calls on the test split are not listed: it is not tuned on)")


if __name__ == "__main__":
    main()
