"""Settings resolution: flags over environment over defaults; workspace creation."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.workspace import Workspace, transaction


def test_flags_win_over_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PAYER_ASSISTANT_HOME", str(tmp_path / "env"))
    monkeypatch.setenv("PAYER_ASSISTANT_CHROMA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("PAYER_ASSISTANT_MODEL", "ollama:llama3.1")
    s = Settings.resolve(workspace=tmp_path / "flag")
    assert s.workspace == tmp_path / "flag"
    assert s.chroma_url == "http://127.0.0.1:9"
    assert s.model == "ollama:llama3.1"


def test_defaults_are_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PAYER_ASSISTANT_HOME", "PAYER_ASSISTANT_CHROMA_URL", "PAYER_ASSISTANT_MODEL"):
        monkeypatch.delenv(name, raising=False)
    s = Settings.resolve()
    assert s.model == "offline"
    assert s.chroma_url is None
    assert s.workspace.name == "payer-assistant"


def test_workspace_on_a_file_is_a_clear_error(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(ConfigError, match="is a file"):
        Workspace(f).ensure()


def test_transaction_rolls_back(tmp_path: Path) -> None:
    conn = Workspace(tmp_path / "ws").connect()
    conn.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(RuntimeError), transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("boom")
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 0
