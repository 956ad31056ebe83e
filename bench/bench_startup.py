"""Time to first paint of the app against a bare Textual app, and time until search is ready.

Each run is a fresh process (imports included), measured from process start by the parent:
    python bench/bench_startup.py [--workspace DIR] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import sys
from pathlib import Path

mode, workspace = sys.argv[1], sys.argv[2]


async def painted(pilot):
    print("painted", flush=True)
    if mode == "ready":
        # The sidebar says so once the background work (store, embedder, index) is done.
        status = pilot.app.query_one("#index-status")
        while not any(w in str(status.content) for w in ("search: ready", "unavailable")):
            await pilot.pause(0.05)
        print("ready", flush=True)
    pilot.app.exit()


if mode == "bare":
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    class Bare(App):
        def compose(self):
            yield Header()
            yield Static("hello")
            yield Footer()

    Bare().run(headless=True, size=(120, 40), auto_pilot=painted)
else:
    from assistant.config import Settings
    from assistant.ui.app import make_app

    app = make_app(Settings.resolve(workspace=Path(workspace)))
    app.run(headless=True, size=(120, 40), auto_pilot=painted)
"""


def run_once(mode: str, workspace: Path) -> dict[str, float]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, mode, str(workspace)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    marks: dict[str, float] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        marks[line.strip()] = time.perf_counter() - start
    proc.wait()
    if "painted" not in marks:
        raise SystemExit(f"{mode}: the app did not paint (exit code {proc.returncode})")
    return marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workspace", type=Path, help="Workspace (default: a new empty one).")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    workspace = args.workspace or Path(tempfile.mkdtemp()) / "ws"
    rows = []
    for label, mode, mark in (
        ("bare Textual app: first paint", "bare", "painted"),
        ("payer-assistant: first paint", "paint", "painted"),
        ("payer-assistant: search ready (embedder + index)", "ready", "ready"),
    ):
        times = [run_once(mode, workspace)[mark] for _ in range(args.runs)]
        rows.append((label, statistics.median(times), min(times), max(times)))
    print(f"workspace: {workspace.name}, {args.runs} runs each, seconds from process start")
    print(f"{'':52} {'median':>7} {'min':>7} {'max':>7}")
    for label, median, low, high in rows:
        print(f"{label:52} {median:7.2f} {low:7.2f} {high:7.2f}")
    print(f"first paint overhead over bare Textual: {rows[1][1] - rows[0][1]:+.2f} s (median)")


if __name__ == "__main__":
    main()
