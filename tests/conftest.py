"""Shared fixtures: the real data folder, an empty workspace, offline settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, read in place (never copied into the repository)."""
    if not SHARED_DATA.is_dir():
        pytest.fail("shared data folder missing: expected ../shared/data next to the repo")
    return SHARED_DATA


@pytest.fixture
def workspace_dir(tmp_path: Path) -> Path:
    return tmp_path / "ws"


class HashingEmbedder:
    """Deterministic bag-of-words embedder for plumbing tests (no model load)."""

    name = "hashing-test"
    dim = 128

    def _vector(self, text: str) -> list[float]:
        import hashlib
        import math
        import re

        vec = [0.0] * self.dim
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            h = int(hashlib.md5(word.encode()).hexdigest(), 16)
            vec[h % self.dim] += 1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


@pytest.fixture
def fake_embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture
def fake_services(workspace_dir: Path, fake_embedder: HashingEmbedder):  # type: ignore[no-untyped-def]
    """Services on an empty workspace with embedded Chroma and the hashing embedder."""
    from assistant.config import Settings
    from assistant.services import Services

    return Services(Settings(workspace=workspace_dir), embedder_factory=lambda: fake_embedder)


@pytest.fixture(scope="session")
def demo_services(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The demo workspace (synthetic practice, demo contracts, the real TN contract and
    template, guidance) built once per test session with the real embedding model."""
    from assistant.config import Settings
    from assistant.demo import build_demo_workspace
    from assistant.services import Services

    svc = Services(Settings(workspace=tmp_path_factory.mktemp("demo") / "ws"))
    outcomes = build_demo_workspace(svc, include_shared=True)
    failed = [o for o in outcomes if o.status == "failed"]
    assert not failed, failed
    return svc
