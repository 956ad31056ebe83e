"""Two processes at once on one workspace lose and duplicate nothing.

The real CLI in subprocesses (hashing embedder): two ingests of the same new files, an ingest
beside a loop of `ask`, two imports at once, and a writer that must wait for a held lock.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from tests.test_crash_kill import (
    REPO,
    X12,
    cli,
    connect,
    current_fees,
    integrity,
    remit_state,
    run_cli,
    vector_ids,
    write_contracts,
    write_fees,
)

pytestmark = pytest.mark.slow

ASK_LOOP = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, sys.argv[1])
    from tests.conftest import HashingEmbedder
    import assistant.services as services
    services.load_embedder = lambda name=None: HashingEmbedder()
    from assistant.cli import main
    codes = []
    for n in range(int(sys.argv[3])):
        try:
            main(["--workspace", sys.argv[2], "ask", f"What is the timely filing limit? ({n})",
                  "--json"])
            codes.append(0)
        except SystemExit as exc:
            codes.append(exc.code)
    print("CODES " + json.dumps(codes), file=sys.stderr)
    """
)


def both(*procs: subprocess.Popen[str]) -> list[tuple[int, str, str]]:
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        results.append((proc.returncode, out, err))
    return results


def test_two_ingests_of_the_same_new_files_make_one_document_each(tmp_path: Path) -> None:
    names = [f"contract{i}.txt" for i in range(4)]
    shas = write_contracts(tmp_path / "docs", 1, names)
    ws = tmp_path / "ws"
    code, _, err = run_cli(tmp_path, ws, "documents")  # the workspace exists before the race
    assert code == 0, err
    results = both(
        cli(tmp_path, ws, "ingest", str(tmp_path / "docs"), "--json"),
        cli(tmp_path, ws, "ingest", str(tmp_path / "docs"), "--json"),
    )
    for code, _, err in results:
        assert code == 0, err
    conn = connect(ws)
    integrity(conn)
    docs = conn.execute("SELECT * FROM documents WHERE kind = 'contract'").fetchall()
    assert sorted(d["source"] for d in docs) == names
    assert {d["source"]: d["sha256"] for d in docs} == shas
    for d in docs:
        n = conn.execute(
            "SELECT count(*) FROM retrieval_chunks WHERE doc_id = ?", (d["doc_id"],)
        ).fetchone()[0]
        assert n == d["chunks"] > 0
    live = {r[0] for r in conn.execute("SELECT chunk_id FROM retrieval_chunks")}
    conn.close()
    assert vector_ids(ws) == live


def test_ingest_beside_an_ask_loop(tmp_path: Path) -> None:
    names = [f"contract{i}.txt" for i in range(2)]
    write_contracts(tmp_path / "first", 1, names)
    more = [f"more{i}.txt" for i in range(5)]
    write_contracts(tmp_path / "more", 3, more)
    ws = tmp_path / "ws"
    code, _, err = run_cli(tmp_path, ws, "ingest", str(tmp_path / "first"))
    assert code == 0, err
    loop = tmp_path / "ask_loop.py"
    loop.write_text(ASK_LOOP)
    env = dict(os.environ, PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    asks = 6
    asker = subprocess.Popen(
        [sys.executable, str(loop), str(REPO), str(ws), str(asks)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    ingest = cli(tmp_path, ws, "ingest", str(tmp_path / "more"), "--json")
    (ask_code, _, ask_err), (ingest_code, ingest_out, ingest_err) = both(asker, ingest)
    assert ask_code == 0, ask_err
    codes = json.loads(ask_err.rsplit("CODES ", 1)[1])
    assert codes == [0] * asks, ask_err
    assert "database is locked" not in ask_err + ingest_err
    assert ingest_code == 0, ingest_err
    assert {d["status"] for d in json.loads(ingest_out)["documents"]} == {"added"}
    conn = connect(ws)
    integrity(conn)
    sources = {r[0] for r in conn.execute("SELECT source FROM documents WHERE kind='contract'")}
    turns = conn.execute("SELECT count(*) FROM agent_turns").fetchone()[0]
    conn.close()
    assert sources == set(names) | set(more)
    assert turns == asks, "an answered question was not kept"


def test_two_imports_at_once(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    aetna = write_fees(tmp_path / "aetna.csv", 1, range(10000, 13000))
    cigna = write_fees(tmp_path / "cigna.csv", 3, range(20000, 23000))
    folder = tmp_path / "remits"
    folder.mkdir()
    for path in sorted(X12.glob("lfh_*.835")):
        shutil.copy(path, folder / path.name)
    code, _, err = run_cli(tmp_path, ws, "documents")
    assert code == 0, err
    results = both(
        cli(tmp_path, ws, "import", "fees", str(tmp_path / "aetna.csv"), "--payer", "Aetna"),
        cli(tmp_path, ws, "import", "fees", str(tmp_path / "cigna.csv"), "--payer", "Cigna"),
        cli(tmp_path, ws, "import", "remits", str(folder)),
    )
    for code, _, err in results:
        assert code == 0, err
    assert current_fees(ws, "Aetna") == aetna
    assert current_fees(ws, "Cigna") == cigna
    reference = tmp_path / "reference"
    code, _, err = run_cli(tmp_path, reference, "import", "remits", str(folder))
    assert code == 0, err
    assert remit_state(ws) == remit_state(reference)


def test_a_writer_that_must_wait_says_so_and_then_writes(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    code, _, err = run_cli(tmp_path, ws, "documents")
    assert code == 0, err
    write_fees(tmp_path / "aetna.csv", 1, range(10000, 10100))
    holder = sqlite3.connect(ws / "workspace.sqlite3", check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    released = threading.Event()

    def release() -> None:
        time.sleep(6)
        holder.rollback()
        released.set()

    proc = cli(tmp_path, ws, "import", "fees", str(tmp_path / "aetna.csv"), "--payer", "Aetna")
    threading.Thread(target=release).start()
    out, err = proc.communicate(timeout=120)
    assert released.is_set()
    holder.close()
    assert proc.returncode == 0, err
    assert "Waiting for another payer-assistant process" in err
    assert len(current_fees(ws, "Aetna")) == 100
