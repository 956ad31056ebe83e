"""The workspace store: documents keyed by path, the vector index checked against the registry,
schema migrations, a connection per thread, private files, files that are not files."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.ingest.store import DocumentStore
from assistant.migrations import LATEST
from assistant.services import Services
from assistant.workspace import Workspace, transaction

TIMELY = (
    "ARTICLE 3 CLAIMS\n\n3.1 Timely Filing. Provider shall submit claims within ninety (90) days "
    "of the date of service.\n"
)
LATER = TIMELY.replace("ninety (90)", "one hundred eighty (180)")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def services(workspace: Path, embedder) -> Services:  # type: ignore[no-untyped-def]
    return Services(Settings(workspace=workspace), embedder_factory=lambda: embedder)


def live_ids(svc: Services) -> set[str]:
    return {r[0] for r in svc.conn.execute("SELECT chunk_id FROM retrieval_chunks")}


def test_same_file_name_in_two_folders_is_two_documents(fake_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    old = write(tmp_path / "contracts" / "2024" / "contract.txt", TIMELY)
    new = write(tmp_path / "contracts" / "2025" / "contract.txt", LATER)
    ing = fake_services.ingestor()
    outcomes = ing.ingest([tmp_path / "contracts"], payer="Acme")
    assert [o.status for o in outcomes] == ["added", "added"]
    assert [o.doc_id for o in outcomes] == ["contract-acme", "contract-acme-2025"]
    docs = DocumentStore(fake_services.conn).list()
    assert {d.path for d in docs} == {str(old.resolve()), str(new.resolve())}
    again = ing.ingest([tmp_path / "contracts"], payer="Acme")
    assert [o.status for o in again] == ["unchanged", "unchanged"]
    texts = " ".join(h.text for h in fake_services.retriever().search("timely filing", k=10))
    assert "ninety (90)" in texts and "one hundred eighty (180)" in texts
    # the listing tells them apart, and a bare file name is ambiguous
    from assistant.commands.documents import _shown_sources

    assert sorted(_shown_sources(docs).values()) == ["2024/contract.txt", "2025/contract.txt"]
    with pytest.raises(Exception, match="names 2 documents"):
        DocumentStore(fake_services.conn).resolve("contract.txt")
    assert DocumentStore(fake_services.conn).resolve(str(new.resolve())).doc_id.endswith("2025")


def test_a_copy_with_the_same_bytes_is_the_same_document(fake_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = write(tmp_path / "a" / "acme.txt", TIMELY)
    ing = fake_services.ingestor()
    [added] = ing.ingest([first], payer="Acme")
    copy = tmp_path / "b" / "acme.txt"
    copy.parent.mkdir()
    shutil.copy(first, copy)
    [again] = ing.ingest([copy], payer="Acme")
    assert (again.status, again.doc_id) == ("unchanged", added.doc_id)


def test_deleted_chroma_folder_is_noticed_and_rebuilt(
    workspace_dir: Path, fake_embedder, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "acme.txt", TIMELY)
    svc = services(workspace_dir, fake_embedder)
    svc.ingestor().ingest([f], payer="Acme")
    svc.close()
    shutil.rmtree(workspace_dir / "chroma")
    forget_chroma_clients()  # as a new process would: Chroma caches its client per path
    told: list[str] = []
    monkeypatch.setattr("assistant.workspace.notify", told.append)
    svc = services(workspace_dir, fake_embedder)
    # the first search notices, rebuilds and says so, rather than quietly finding nothing
    hits = svc.retriever().search("timely filing", k=3, mode="vector")
    assert hits and "ninety (90)" in hits[0].text
    assert any("missing 1 of 1" in n and "re-embedding" in n for n in told), told
    assert svc.index.all_ids() == live_ids(svc)
    # and re-ingest is right to say "unchanged" now
    assert svc.ingestor().ingest([f], payer="Acme")[0].status == "unchanged"


def test_an_ingestor_alone_checks_the_index_too(fake_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from assistant.ingest.service import Ingestor

    f = write(tmp_path / "acme.txt", TIMELY)
    [o] = fake_services.ingestor().ingest([f], payer="Acme")
    fake_services.index.delete(sorted(fake_services.index.ids_for(o.doc_id)))
    ing = Ingestor(fake_services.conn, fake_services.index, lambda: fake_services.embedder)
    assert ing.ingest([f], payer="Acme")[0].status == "unchanged"
    assert any("missing 1 of 1" in n for n in ing.notices), ing.notices
    assert fake_services.index.all_ids() == live_ids(fake_services)


def forget_chroma_clients() -> None:
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def test_stale_vectors_are_swept_on_the_next_run(
    workspace_dir: Path, fake_embedder, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "acme.txt", TIMELY)
    svc = services(workspace_dir, fake_embedder)
    [o] = svc.ingestor().ingest([f], payer="Acme")
    # What a crash between the registry switch and the delete leaves: a vector no chunk owns.
    vec = fake_embedder.embed_documents(["old version"])
    svc.index.upsert([f"{o.doc_id}:0009:deadbeef0000"], vec, [{"doc_id": o.doc_id}])
    # and one a running ingest (this process) has declared but not yet made live
    svc.index.upsert([f"{o.doc_id}:0010:pending00000"], vec, [{"doc_id": o.doc_id}])
    with transaction(svc.conn):
        svc.conn.execute(
            "INSERT INTO ingest_pending(chunk_id, doc_id, pid) VALUES (?, ?, ?)",
            (f"{o.doc_id}:0010:pending00000", o.doc_id, os.getpid()),
        )
    ing = svc.ingestor()
    ing.ingest([f], payer="Acme")
    assert any("Removed 1 stale vector" in n for n in ing.notices), ing.notices
    assert svc.index.all_ids() == live_ids(svc) | {f"{o.doc_id}:0010:pending00000"}
    # once its process is gone, the pending vector is swept too
    with transaction(svc.conn):
        svc.conn.execute("UPDATE ingest_pending SET pid = ?", (dead_pid(),))
    ing = svc.ingestor()
    ing.ingest([f], payer="Acme")
    assert svc.index.all_ids() == live_ids(svc)
    assert svc.conn.execute("SELECT count(*) FROM ingest_pending").fetchone()[0] == 0


def dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_workspace_from_before_versioning_migrates_in_place(tmp_path: Path) -> None:
    from assistant.ingest.store import SCHEMA as DOCUMENTS
    from assistant.rates.store import SCHEMA as RATES

    root = tmp_path / "old"
    root.mkdir()
    conn = sqlite3.connect(root / "workspace.sqlite3")
    conn.executescript(DOCUMENTS + RATES)
    conn.execute("INSERT INTO rates_payers VALUES ('Aetna')")
    conn.commit()
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    conn.close()
    migrated = Workspace(root).connect()
    assert migrated.execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert migrated.execute("SELECT name FROM rates_payers").fetchall()[0][0] == "Aetna"
    tables = {r[0] for r in migrated.execute("SELECT name FROM sqlite_master")}
    assert {"remits_payments", "agent_turns", "retrieval_chunks", "ingest_pending"} <= tables
    assert "documents_path_payer" in tables
    assert migrated.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_workspace_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "new"
    Workspace(root).connect().close()
    conn = sqlite3.connect(root / "workspace.sqlite3")
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    with pytest.raises(ConfigError, match="newer payer-assistant"):
        Workspace(root).connect()


def test_threads_get_their_own_connection_and_transaction(fake_services) -> None:  # type: ignore[no-untyped-def]
    from assistant.rates.store import RateStore

    store = RateStore(fake_services.conn)  # made on this thread, used on others below
    main_conn = fake_services.conn.current()  # type: ignore[attr-defined]
    errors: list[BaseException] = []
    started = threading.Event()

    def failing_writer() -> None:
        try:
            with transaction(fake_services.conn):
                fake_services.conn.execute("INSERT INTO rates_payers VALUES ('Rolled back')")
                started.set()
                raise RuntimeError("abandon")
        except RuntimeError:
            pass

    def second_writer() -> None:
        try:
            started.wait(5)
            with store.writing() as conn:
                conn.execute("INSERT INTO rates_payers VALUES ('Kept')")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=failing_writer), threading.Thread(target=second_writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert store.payers() == ["Kept"]
    assert fake_services.conn.current() is main_conn  # type: ignore[attr-defined]


def test_workspace_folders_and_files_are_private(fake_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "acme.txt", TIMELY)
    fake_services.ingestor().ingest([f], payer="Acme")
    root = fake_services.workspace.root
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert stat.S_IMODE((root / "workspace.sqlite3").stat().st_mode) == 0o600
    assert stat.S_IMODE((root / "chroma").stat().st_mode) == 0o700
    export = fake_services.workspace.private_dir(fake_services.workspace.exports_path) / "a.md"
    export.write_text("exported", encoding="utf-8")
    assert stat.S_IMODE(export.stat().st_mode) == 0o600
    # an existing world-readable workspace is tightened when opened
    loose = tmp_path / "loose"
    Workspace(loose).connect().close()
    loose.chmod(0o755)
    (loose / "workspace.sqlite3").chmod(0o644)
    Workspace(loose).connect().close()
    assert stat.S_IMODE(loose.stat().st_mode) == 0o700
    assert stat.S_IMODE((loose / "workspace.sqlite3").stat().st_mode) == 0o600


def test_a_fifo_is_refused_without_opening_it(fake_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fifo = tmp_path / "contract.txt"
    os.mkfifo(fifo)
    result: list[object] = []
    worker = threading.Thread(
        target=lambda: result.extend(fake_services.ingestor().ingest([fifo])), daemon=True
    )
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "ingest blocked on the FIFO"
    [outcome] = result
    assert outcome.status == "failed"  # type: ignore[attr-defined]
    assert "not a regular file" in outcome.error  # type: ignore[attr-defined]


def test_remits_staged_before_the_lock_drop_what_another_import_stored_meanwhile(
    tmp_path: Path, shared_data: Path
) -> None:
    from assistant.remits.parser import read_remittances
    from assistant.remits.service import import_file
    from assistant.remits.store import RemitStore

    path = shared_data / "x12_835" / "lfh_managed-care.835"
    ws = Workspace(tmp_path / "ws")
    mine, other = ws.connect(), ws.connect()
    store = RemitStore(mine)
    remittances = list(read_remittances(path))
    store.stage(None, remittances)
    # another process imports the same file while this one holds staged rows, and no lock
    done = import_file(other, path)
    assert done.payments == len(remittances)
    with transaction(mine):
        late = store.commit_staged()
    assert late == {r.trace_number for r in remittances}
    counts = mine.execute("SELECT count(*) FROM remits_payments").fetchone()[0]
    assert counts == len(remittances)
    again = import_file(mine, path)
    assert (again.payments, again.duplicates) == (0, len(remittances))
