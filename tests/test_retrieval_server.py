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


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [chroma_binary(), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"chroma run exited with {proc.returncode}")
                time.sleep(0.3)
        else:
            pytest.fail("chroma server did not start within 60 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


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
