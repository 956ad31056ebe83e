"""kill -9 at random moments of `ingest`, `import fees` and `import remits`, many times.

Each trial copies a workspace holding a complete state, starts the real CLI in a subprocess
(with the hashing embedder, so no model loads), sends SIGKILL after a random delay and then
checks that every document, fee schedule and 835 file is wholly its old or wholly its new
version, that the SQLite file passes `integrity_check`, and that every live chunk still has
its vector. After the trials, a rerun on a killed workspace must finish the job exactly as an
uninterrupted run does. `KILLS` trials per command keep the file under two minutes on 2 cores.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
X12 = REPO.parent / "shared" / "data" / "x12_835"
KILLS = int(os.environ.get("PAYER_ASSISTANT_KILLS", "8"))

pytestmark = pytest.mark.slow

RUNNER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    from tests.conftest import HashingEmbedder
    import assistant.services as services
    services.load_embedder = lambda name=None: HashingEmbedder()
    from assistant.cli import main
    main(sys.argv[2:])
    """
)

WORDS = [
    "payer",
    "provider",
    "claim",
    "timely",
    "filing",
    "days",
    "reimbursement",
    "rate",
    "schedule",
    "contract",
    "term",
    "party",
    "notice",
    "amendment",
    "audit",
    "appeal",
    "credential",
    "network",
    "member",
    "benefit",
]


def runner(folder: Path) -> Path:
    path = folder / "runner.py"
    if not path.exists():
        path.write_text(RUNNER)
    return path


def cli(folder: Path, workspace: Path, *args: str) -> subprocess.Popen[str]:
    """The real CLI in a subprocess, hashing embedder, output captured."""
    env = dict(os.environ, PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    return subprocess.Popen(
        [sys.executable, str(runner(folder)), str(REPO), "--workspace", str(workspace), *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_cli(folder: Path, workspace: Path, *args: str) -> tuple[int, str, str]:
    proc = cli(folder, workspace, *args)
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err


def write_contracts(folder: Path, version: int, names: list[str]) -> dict[str, str]:
    """Text contracts whose every section says which version it is; name → sha256."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(version)
    shas = {}
    for name in names:
        sections = [
            f"Section {s}. Version {version} of {name}. "
            + " ".join(rng.choice(WORDS) for _ in range(110))
            + "."
            for s in range(1, 26)
        ]
        path = folder / name
        path.write_text("\n\n".join(sections) + "\n")
        shas[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return shas


def write_fees(path: Path, factor: int, codes: range) -> dict[str, str]:
    rates = {str(c): f"{c * factor / 100:.2f}" for c in codes}
    path.write_text(
        "code,modifier,rate,description\n"
        + "".join(f"{c},,{r},code {c}\n" for c, r in rates.items())
    )
    return rates


def connect(workspace: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(workspace / "workspace.sqlite3")
    conn.row_factory = sqlite3.Row
    return conn


def integrity(conn: sqlite3.Connection) -> None:
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def vector_ids(workspace: Path) -> set[str]:
    from assistant.retrieval.vector import VectorIndex

    index = VectorIndex.open(workspace / "chroma")
    return index.all_ids()


def check_documents(
    workspace: Path, old: dict[str, str], new: dict[str, str], *, vectors: bool = True
) -> str:
    """Each contract is wholly its old or new version; 'old', 'new' or 'mixed' (per file)."""
    conn = connect(workspace)
    integrity(conn)
    seen: dict[str, str] = {}
    live: set[str] = set()
    for doc in conn.execute("SELECT * FROM documents WHERE kind = 'contract'").fetchall():
        name = doc["source"]
        version = "old" if old.get(name) == doc["sha256"] else "new"
        assert doc["sha256"] == (old.get(name) if version == "old" else new[name]), name
        chunks = conn.execute(
            "SELECT chunk_id, text FROM retrieval_chunks WHERE doc_id = ?", (doc["doc_id"],)
        ).fetchall()
        assert len(chunks) == doc["chunks"] > 0, name
        marker = f"Version {1 if version == 'old' else 2} of {name}"
        assert all(marker in c["text"] for c in chunks if "Version" in c["text"]), name
        fts = conn.execute(
            "SELECT count(*) FROM retrieval_fts WHERE doc_id = ?", (doc["doc_id"],)
        ).fetchone()[0]
        assert fts == doc["chunks"], name
        pages = conn.execute(
            "SELECT count(*) FROM document_pages WHERE doc_id = ?", (doc["doc_id"],)
        ).fetchone()[0]
        assert pages == doc["pages"], name
        live.update(c["chunk_id"] for c in chunks)
        seen[name] = version
    conn.close()
    assert set(old) <= set(seen), "a document that was complete before the kill is gone"
    assert len(seen) == len(set(seen)), "a file registered twice"
    if vectors:
        assert live <= vector_ids(workspace), "a live chunk lost its vector"
    states = set(seen.values())
    return states.pop() if len(states) == 1 else "mixed"


def current_fees(workspace: Path, payer: str) -> dict[str, str]:
    conn = connect(workspace)
    integrity(conn)
    rows = conn.execute(
        "SELECT f.code, f.rate FROM rates_fees f JOIN rates_schedules s ON s.id = f.schedule_id "
        "WHERE s.payer = ? AND s.is_current = 1",
        (payer,),
    ).fetchall()
    current = conn.execute(
        "SELECT count(*) FROM rates_schedules WHERE payer = ? AND is_current = 1", (payer,)
    ).fetchone()[0]
    conn.close()
    assert current == 1, f"{current} current schedules"
    return {r["code"]: r["rate"] for r in rows}


def remit_state(workspace: Path) -> dict[str, tuple[int, int, int]]:
    """source file → (payments, claims, lines)."""
    conn = connect(workspace)
    integrity(conn)
    rows = conn.execute(
        "SELECT p.source_file, count(DISTINCT p.id), count(DISTINCT c.id), count(l.id) "
        "FROM remits_payments p LEFT JOIN remits_claims c ON c.payment_id = p.id "
        "LEFT JOIN remits_lines l ON l.claim_row = c.id GROUP BY p.source_file"
    ).fetchall()
    conn.close()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


@dataclass
class Trials:
    """Counts of one command's trials, for the report printed at the end."""

    killed: int = 0
    finished_first: int = 0
    outcomes: dict[str, int] | None = None

    def add(self, outcome: str) -> None:
        self.outcomes = self.outcomes or {}
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def kill_at_random(
    folder: Path, base: Path, trial: Path, args: tuple[str, ...], window: float, rng: random.Random
) -> bool:
    """Copy `base` to `trial`, start the command, SIGKILL it at a random moment of `window`
    seconds; True when it was killed (False: it finished first)."""
    shutil.rmtree(trial, ignore_errors=True)
    shutil.copytree(base, trial)
    proc = cli(folder, trial, *args)
    time.sleep(rng.uniform(0.25, 1.0) * window)
    if proc.poll() is not None:
        proc.communicate()
        return False
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    return True


def timed(folder: Path, base: Path, target: Path, *args: str) -> float:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(base, target)
    started = time.monotonic()
    code, out, err = run_cli(folder, target, *args)
    assert code == 0, err
    return time.monotonic() - started


def test_kill_ingest_leaves_old_or_new_version_and_rerun_finishes(tmp_path: Path) -> None:
    rng = random.Random(13)
    names = [f"contract{i}.txt" for i in range(6)]
    old = write_contracts(tmp_path / "v1", 1, names)
    base = tmp_path / "base"
    code, _, err = run_cli(tmp_path, base, "ingest", str(tmp_path / "v1"))
    assert code == 0, err
    # The run under test: every contract changed, at the same paths as before.
    new = write_contracts(tmp_path / "v1", 2, names)
    window = timed(tmp_path, base, tmp_path / "reference", "ingest", str(tmp_path / "v1"))
    assert check_documents(tmp_path / "reference", old, new) == "new"
    trials = Trials()
    for n in range(KILLS):
        # A fresh path per trial: Chroma caches its client per path within a process.
        trial = tmp_path / f"trial-{n}"
        if not kill_at_random(tmp_path, base, trial, ("ingest", str(tmp_path / "v1")), window, rng):
            trials.finished_first += 1
            continue
        trials.killed += 1
        trials.add(check_documents(trial, old, new))
    assert trials.killed >= KILLS // 2, trials
    code, _, err = run_cli(tmp_path, trial, "ingest", str(tmp_path / "v1"))
    assert code == 0, err
    assert check_documents(trial, old, new) == "new"
    conn = connect(trial)
    live = {r[0] for r in conn.execute("SELECT chunk_id FROM retrieval_chunks")}
    conn.close()
    assert vector_ids(trial) == live, "stale vectors left after the rerun"
    print(f"ingest: {trials}")


def test_kill_import_fees_leaves_one_whole_schedule(tmp_path: Path) -> None:
    rng = random.Random(14)
    old = write_fees(tmp_path / "fees-old.csv", 1, range(10000, 14000))
    base = tmp_path / "base"
    code, _, err = run_cli(
        tmp_path, base, "import", "fees", str(tmp_path / "fees-old.csv"), "--payer", "Aetna"
    )
    assert code == 0, err
    new = write_fees(tmp_path / "fees-new.csv", 2, range(12000, 16000))
    args = ("import", "fees", str(tmp_path / "fees-new.csv"), "--payer", "Aetna")
    window = timed(tmp_path, base, tmp_path / "reference", *args)
    assert current_fees(tmp_path / "reference", "Aetna") == new
    trials = Trials()
    for n in range(KILLS):
        # A fresh path per trial: Chroma caches its client per path within a process.
        trial = tmp_path / f"trial-{n}"
        if not kill_at_random(tmp_path, base, trial, args, window, rng):
            trials.finished_first += 1
            continue
        trials.killed += 1
        fees = current_fees(trial, "Aetna")
        assert fees in (old, new), "a fee schedule half imported"
        trials.add("old" if fees == old else "new")
    assert trials.killed >= KILLS // 2, trials
    code, _, err = run_cli(tmp_path, trial, *args)
    assert code == 0, err
    assert current_fees(trial, "Aetna") == new
    print(f"import fees: {trials}")


def test_kill_import_remits_leaves_each_file_whole(tmp_path: Path) -> None:
    rng = random.Random(15)
    folder = tmp_path / "remits"
    folder.mkdir()
    for path in sorted(X12.glob("lfh_*.835")):
        shutil.copy(path, folder / path.name)
    first = sorted(folder.iterdir())[0]
    base = tmp_path / "base"
    code, _, err = run_cli(tmp_path, base, "import", "remits", str(first))
    assert code == 0, err
    before = remit_state(base)
    args = ("import", "remits", str(folder))
    window = timed(tmp_path, base, tmp_path / "reference", *args)
    after = remit_state(tmp_path / "reference")
    assert len(after) > len(before)
    trials = Trials()
    for n in range(KILLS):
        # A fresh path per trial: Chroma caches its client per path within a process.
        trial = tmp_path / f"trial-{n}"
        if not kill_at_random(tmp_path, base, trial, args, window, rng):
            trials.finished_first += 1
            continue
        trials.killed += 1
        state = remit_state(trial)
        for source, counts in state.items():
            assert counts == after[source], f"{source} half imported: {counts}"
        assert set(before) <= set(state)
        trials.add(f"{len(state) - len(before)} of {len(after) - len(before)} files")
    assert trials.killed >= KILLS // 2, trials
    code, _, err = run_cli(tmp_path, trial, *args)
    assert code == 0, err
    assert remit_state(trial) == after
    print(f"import remits: {trials}")
