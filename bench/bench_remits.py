"""Import throughput and memory for a generated year of 835s (20 physicians, ~300k lines).

Compares, in the same run and on the same files:
  baseline-split  a naive reader: split each file on '~' and '*', nothing else;
  baseline-pyx12  pyx12's X12Reader iterating the segments, nothing stored;
  parse           our reader (pyx12 + building Remittance values), nothing stored;
  import          parse + reconcile + store in the workspace SQLite, one transaction per file
                  (a quarter of the year first, then the rest, to show memory stays flat).

Run: .venv/bin/python bench/bench_remits.py [--physicians 20]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _measure(name: str, lines: int, run: Callable[[], object]) -> None:
    # Peak RSS, not tracemalloc: tracing slows allocation-heavy parsing several times over.
    started = time.perf_counter()
    run()
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{name:15} {elapsed:7.1f} s  {lines / elapsed:9,.0f} lines/s  "
        f"process peak RSS so far {peak:6.0f} MiB"
    )


def main() -> None:
    from assistant.remits.generator import write_year
    from assistant.remits.parser import read_remittances
    from assistant.remits.service import import_paths
    from assistant.workspace import Workspace

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--physicians", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "remits"
        started = time.perf_counter()
        files = write_year(folder, physicians=args.physicians)
        lines = sum(f.lines for f in files)
        size = sum(f.path.stat().st_size for f in files)
        print(
            f"generated {len(files)} files, {lines:,} service lines, {size / 2**20:.0f} MiB "
            f"in {time.perf_counter() - started:.1f} s"
        )

        def split() -> None:
            for f in files:
                for segment in f.path.read_text().split("~"):
                    segment.strip().split("*")

        def pyx12_only() -> None:
            import pyx12.x12file

            for f in files:
                with pyx12.x12file.X12Reader(str(f.path)) as reader:
                    for _ in reader:
                        pass

        def parse() -> None:
            for f in files:
                for _ in read_remittances(f.path):
                    pass

        def store(part: list[Path]) -> Callable[[], None]:
            def run() -> None:
                conn = Workspace(Path(tmp) / "ws").connect()
                report = import_paths(conn, part)
                assert not report.refused
                conn.close()

            return run

        _measure("baseline-split", lines, split)
        _measure("baseline-pyx12", lines, pyx12_only)
        _measure("parse", lines, parse)
        # Import a quarter first, then the rest: flat memory means the peak does not grow.
        quarter = len(files) // 4
        first = [f.path for f in files[:quarter]]
        rest = [f.path for f in files[quarter:]]
        _measure("import 1/4", sum(f.lines for f in files[:quarter]), store(first))
        _measure("import 3/4", sum(f.lines for f in files[quarter:]), store(rest))
        db = Path(tmp) / "ws" / "workspace.sqlite3"
        print(f"workspace database {db.stat().st_size / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
