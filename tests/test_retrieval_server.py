"""Chroma server mode: a real `chroma run` on loopback, ingest and search through it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import ServiceUnavailable
from assistant.services import Services

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def chroma_binary() -> str:
    local = Path(sys.executable).with_name("chroma")
    found = str(local) if local.exists() else shutil.which("chroma")
    if not found:
        pytest.fail("the chroma command (from the chromadb package) is not installed")
    return found


def start_server(data: Path, port: int) -> subprocess.Popen[bytes]:
    """`chroma run` on loopback, returned once it accepts connections."""
    proc = subprocess.Popen(
        [chroma_binary(), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"chroma run exited with {proc.returncode}")
            time.sleep(0.3)
    stop_server(proc)
    pytest.fail("chroma server did not start within 60 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    proc = start_server(tmp_path_factory.mktemp("chroma-server"), port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(proc)


def test_ingest_and_search_through_server(
    chroma_server: str, tmp_path: Path, fake_embedder
) -> None:  # type: ignore[no-untyped-def]
    svc = Services(
        Settings(workspace=tmp_path / "ws", chroma_url=chroma_server),
        embedder_factory=lambda: fake_embedder,
    )
    f = tmp_path / "acme.txt"
    f.write_text(
        "3.1 Timely Filing. Claims must be submitted within ninety (90) days of service.\n",
        encoding="utf-8",
    )
    [o] = svc.ingestor().ingest([f], payer="Acme")
    assert o.status == "added"
    assert svc.index.where == chroma_server
    assert svc.index.count() >= 1
    # nothing went to an embedded store in the workspace
    assert not (tmp_path / "ws" / "chroma").exists()
    hits = svc.retriever().search("timely filing days", k=3)
    assert hits and "ninety (90) days" in hits[0].text


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    svc = Services(
        Settings(workspace=tmp_path / "ws", chroma_url=f"http://127.0.0.1:{free_port()}")
    )
    with pytest.raises(ServiceUnavailable, match="Cannot reach the Chroma server") as info:
        _ = svc.index
    assert "chroma run" in (info.value.hint or "")


class StopsServer:
    """The hashing embedder, stopping the server the first time it embeds `trigger`'s text:
    the server goes away after the new version is embedded and before it is written."""

    def __init__(self, embedder, trigger: str, stop) -> None:  # type: ignore[no-untyped-def]
        self.name = embedder.name
        self._embedder = embedder
        self._trigger = trigger
        self._stop = stop

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if self._stop is not None and any(self._trigger in t for t in texts):
            self._stop()
            self._stop = None
        return self._embedder.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self._embedder.embed_query(text)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


OLD = "3.1 Timely Filing. Claims must be submitted within ninety (90) days of service.\n"
NEW = "3.1 Timely Filing. Claims must be submitted within sixty (60) days of service.\n"


def test_server_gone_mid_ingest_keeps_the_old_version_and_the_rerun_finishes(
    tmp_path: Path, fake_embedder
) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    data = tmp_path / "server"
    proc = start_server(data, port)
    try:
        first = write(tmp_path / "docs" / "a.txt", OLD)
        svc = Services(
            Settings(workspace=tmp_path / "ws", chroma_url=url),
            embedder_factory=lambda: fake_embedder,
        )
        assert svc.ingestor().ingest([first], payer="Acme")[0].status == "added"
        write(first, NEW)
        others = [write(tmp_path / "docs" / f"{n}.txt", OLD) for n in ("b", "c")]
        holder = {"proc": proc}
        dying = Services(
            Settings(workspace=tmp_path / "ws", chroma_url=url),
            embedder_factory=lambda: StopsServer(
                fake_embedder, "sixty", lambda: stop_server(holder["proc"])
            ),
        )
        outcomes = dying.ingestor().ingest([first, *others], payer="Acme")
        assert [o.status for o in outcomes] == ["failed", "failed", "failed"]
        assert all(url in (o.error or "") for o in outcomes)
        assert "previous version" in (outcomes[0].error or "")
        assert "chroma run" in (outcomes[0].error or "")
        assert all("not indexed" in (o.error or "") for o in outcomes[1:])
        # back on the same path: the old version is what search finds, and a rerun finishes
        holder["proc"] = proc = start_server(data, port)
        svc = Services(
            Settings(workspace=tmp_path / "ws", chroma_url=url),
            embedder_factory=lambda: fake_embedder,
        )
        hits = svc.retriever().search("timely filing days", k=5, mode="vector")
        assert hits and "ninety (90)" in hits[0].text
        ing = svc.ingestor()
        rerun = ing.ingest([first, *others], payer="Acme")
        assert [o.status for o in rerun] == ["updated", "added", "added"]
        texts = " ".join(h.text for h in svc.retriever().search("timely filing", k=10))
        assert "sixty (60)" in texts
        live = {r[0] for r in svc.conn.execute("SELECT chunk_id FROM retrieval_chunks")}
        assert svc.index.all_ids() == live
    finally:
        stop_server(proc)


def test_server_restarted_on_an_empty_path_is_noticed_and_rebuilt(
    tmp_path: Path, fake_embedder, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_server(tmp_path / "server-1", port)
    try:
        f = write(tmp_path / "a.txt", OLD)
        settings = Settings(workspace=tmp_path / "ws", chroma_url=url)
        svc = Services(settings, embedder_factory=lambda: fake_embedder)
        svc.ingestor().ingest([f], payer="Acme")
        stop_server(proc)
        proc = start_server(tmp_path / "server-2", port)
        told: list[str] = []
        monkeypatch.setattr("assistant.workspace.notify", told.append)
        svc = Services(settings, embedder_factory=lambda: fake_embedder)
        hits = svc.retriever().search("timely filing", k=3, mode="vector")
        assert hits and "ninety (90)" in hits[0].text
        assert any(url in n and "missing 1 of 1" in n for n in told), told
        assert svc.ingestor().ingest([f], payer="Acme")[0].status == "unchanged"
    finally:
        stop_server(proc)
