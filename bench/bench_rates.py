"""Benchmark the rate engine against plain baselines in the same run, and print the figures.

- importing the 2026 CMS RVU file (our importer + SQLite vs a bare csv loop with floats);
- gap and proposal impact over every priced CMS code x 50 synthetic payers (Decimal service
  with store reads vs a bare float loop over dicts);
- streaming a ~1 GB generated TiC file (ijson, per-code counts) vs json.load of a smaller one,
  each in a fresh process so peak memory is its own.

Run from the repo root: `python bench/bench_rates.py [--tic-mb 1024]`. Files go to a temp dir.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
RVU_2026 = SHARED / "cms_pfs" / "2026" / "PPRRVU2026_Jul_nonQPP.csv"
PAYERS = 50


def timed(label: str, fn, repeat: int = 1) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    print(f"  {label:<58} {best * 1000:9.1f} ms")
    return best


def naive_rvu_loop() -> dict[str, float]:
    rates: dict[str, float] = {}
    with RVU_2026.open(newline="") as handle:
        for cells in csv.reader(handle):
            if len(cells) > 26 and cells[3] in ("A", "R", "T", "N"):
                try:
                    total = float(cells[5]) + float(cells[6]) + float(cells[10])
                    rates[cells[0] + cells[1]] = round(total * float(cells[25]), 2)
                except ValueError:
                    continue
    return rates


def bench_import(workdir: Path) -> None:
    from assistant.rates.cms_pfs import import_medicare, medicare_rates, read_rvu_file
    from assistant.rates.store import RateStore
    from assistant.workspace import Workspace

    print("Import the 2026 RVU file (19,356 rows)")
    conn = Workspace(workdir / "import").connect()
    store = RateStore(conn)
    timed("baseline: csv.reader + float, no store", naive_rvu_loop, 3)
    timed(
        "read_rvu_file + medicare_rates (Decimal, no store)",
        lambda: medicare_rates(read_rvu_file(RVU_2026).rows),
        3,
    )
    timed(
        "import_medicare (parse, compute, SQLite replace)",
        lambda: import_medicare(store, RVU_2026),
        3,
    )
    conn.close()


def bench_analyses(workdir: Path) -> None:
    from assistant.rates import analyses, service
    from assistant.rates.cms_pfs import import_medicare
    from assistant.rates.models import PercentChange, Proposal, TargetIncrease
    from assistant.rates.proposals import parse_carve_out
    from assistant.rates.store import RateStore
    from assistant.workspace import Workspace, transaction

    conn = Workspace(workdir / "analyses").connect()
    store = RateStore(conn)
    import_medicare(store, RVU_2026)
    _, medicare = store.benchmark_rates("medicare")
    rng = random.Random(3)
    setup = time.perf_counter()
    with transaction(conn):
        for p in range(PAYERS):
            factor = Decimal(rng.randint(85, 140)) / 100
            fees = {k: (v * factor).quantize(Decimal("0.01")) for k, v in medicare.items()}
            store.replace_fee_schedule(f"Payer {p:02d}", fees, source="synthetic")
            store.replace_volumes(
                f"Payer {p:02d}", {k: Decimal(rng.randint(0, 400)) for k in medicare}, "synthetic"
            )
    print(
        f"\nAnalyses: {len(medicare):,} priced codes x {PAYERS} payers "
        f"(setup {time.perf_counter() - setup:.1f} s)"
    )
    fees = store.fee_schedule("Payer 00")
    volumes = store.volumes("Payer 00")
    float_fees = {k: float(v) for k, v in fees.items()}
    float_bench = {k: float(v) for k, v in medicare.items()}
    float_vol = {k: float(v) for k, v in volumes.items()}

    def naive_gap() -> float:
        return sum(
            float_vol.get(k, 0) * (float_bench[k] - r)
            for k, r in float_fees.items()
            if k in float_bench
        )

    def naive_model() -> float:
        return sum(float_vol.get(k, 0) * round(r * 1.03, 2) for k, r in float_fees.items())

    proposal = Proposal(PercentChange(Decimal(2)), (parse_carve_out("em=5"),))
    timed("baseline: float gap loop, one payer", naive_gap, 5)
    timed(
        "analyses.gap, one payer (Decimal, pure)",
        lambda: analyses.gap("P", "m", fees, medicare, volumes),
        5,
    )
    one = timed(
        "service.gap, one payer (store reads + analysis)", lambda: service.gap(conn, "Payer 00"), 3
    )
    timed(
        "service.gap(...).to_json(), one payer", lambda: service.gap(conn, "Payer 00").to_json(), 3
    )
    timed("baseline: float +3% proposal loop, one payer", naive_model, 5)
    timed(
        "analyses.model_proposal +2%, E/M +5%, one payer",
        lambda: analyses.model_proposal("P", fees, volumes, proposal, {}),
        5,
    )
    timed("service.model, one payer", lambda: service.model(conn, "Payer 00", proposal), 3)
    timed(
        "service.solve +6% as % of Medicare, one payer",
        lambda: service.solve(conn, "Payer 00", TargetIncrease(Decimal(6)), basis="medicare"),
    )
    names = [f"Payer {p:02d}" for p in range(PAYERS)]
    timed("service.gap, all 50 payers", lambda: [service.gap(conn, n) for n in names])
    timed("service.model, all 50 payers", lambda: [service.model(conn, n, proposal) for n in names])
    timed("service.top_codes over all 50 payers", lambda: service.top_codes(conn))
    print(f"  -> one payer's gap: {one * 1000:.0f} ms (aim: under 1 s)")
    conn.close()


TIC_WORKER = """
import json, sys, time
from pathlib import Path
start = time.perf_counter()
if sys.argv[1] == "stream":
    from assistant.rates.tic import read_market
    summary = read_market(Path(sys.argv[2]))
    detail = f"{len(summary.rates)} codes, {summary.prices_used:,} prices used"
else:
    with open(sys.argv[2], "rb") as handle:
        doc = json.load(handle)
    detail = f"{len(doc['in_network'])} items loaded"
elapsed = time.perf_counter() - start
# VmHWM, not ru_maxrss: ru_maxrss keeps the forked parent's peak across exec.
status = Path("/proc/self/status").read_text().splitlines()
peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
print(json.dumps({"seconds": elapsed, "peak_mb": peak, "detail": detail}))
"""


def run_tic(mode: str, path: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", TIC_WORKER, mode, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return json.loads(done.stdout)


def bench_tic(workdir: Path, big_mb: int) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    from make_tic import write_tic

    print(f"\nTiC streaming (files generated under {workdir.name}/)")
    small = workdir / "tic-100mb.json"
    big = workdir / f"tic-{big_mb}mb.json"
    for path, size in ((small, 100), (big, big_mb)):
        start = time.perf_counter()
        prices = write_tic(path, size)
        print(
            f"  generated {path.name}: {path.stat().st_size / 2**20:,.0f} MB, {prices:,} prices "
            f"in {time.perf_counter() - start:.0f} s"
        )
    for label, mode, path in (
        ("baseline: json.load, 100 MB", "load", small),
        ("read_market (ijson stream), 100 MB", "stream", small),
        (f"read_market (ijson stream), {big_mb} MB", "stream", big),
    ):
        r = run_tic(mode, path)
        mb_s = path.stat().st_size / 2**20 / float(r["seconds"])  # type: ignore[arg-type]
        print(
            f"  {label:<40} {r['seconds']:7.1f} s {mb_s:6.0f} MB/s  peak {r['peak_mb']:7.0f} MB"
            f"  ({r['detail']})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tic-mb", type=int, default=1024, help="size of the big TiC file")
    parser.add_argument("--skip-tic", action="store_true")
    parser.add_argument("--only-tic", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-rates-") as tmp:
        workdir = Path(tmp)
        if not args.only_tic:
            bench_import(workdir)
            bench_analyses(workdir)
        if not args.skip_tic:
            bench_tic(workdir, args.tic_mb)


if __name__ == "__main__":
    main()
