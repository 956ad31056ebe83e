"""Routing a question by meaning: its MiniLM vector against labelled examples per intent.

The examples live in prompts/intents.yaml (plus those of intents registered from other modules,
see `assistant.agent.intents.register_intent`). An intent's score is the mean cosine similarity
of the question to its `NEAREST` closest examples; the route is the best-scoring intent, and the
runner-up is kept so that the caller can ask back when the two are close.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.resources import knowledge_dir, prompts_dir

if TYPE_CHECKING:
    from assistant.retrieval.embeddings import Embedder

PROMPTS_DIR = prompts_dir()
EXAMPLES_PATH = PROMPTS_DIR / "intents.yaml"
NEAREST = 2
"""Examples averaged per intent: 1 lets one odd example decide, 3 drowns short intents."""


@dataclass(frozen=True)
class Reading:
    """One way of reading a question: an intent and how near the question is to it."""

    intent: str
    score: float


def load_examples(path: Path = EXAMPLES_PATH) -> dict[str, tuple[str, ...]]:
    """Intent -> its labelled example questions."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(k): tuple(str(v) for v in vs) for k, vs in data.items()}


class IntentRouter:
    """Nearest labelled examples over sentence vectors (examples embedded once, lazily)."""

    def __init__(
        self,
        examples: Mapping[str, Sequence[str]],
        embed: Callable[[list[str]], list[list[float]]],
    ) -> None:
        self._examples = {k: tuple(v) for k, v in examples.items() if v}
        self._embed = embed
        self._lock = threading.Lock()
        self._matrix: object | None = None
        self._labels: list[str] = []

    @property
    def intents(self) -> list[str]:
        return list(self._examples)

    def _ensure(self) -> None:
        import numpy as np

        with self._lock:
            if self._matrix is not None:
                return
            texts = [t for ts in self._examples.values() for t in ts]
            self._labels = [k for k, ts in self._examples.items() for _ in ts]
            self._matrix = np.asarray(self._embed(texts), dtype=np.float32)

    def rank(self, text: str) -> list[Reading]:
        """Every intent with its score, best first."""
        import numpy as np

        self._ensure()
        query = np.asarray(self._embed([text])[0], dtype=np.float32)
        sims = self._matrix @ query  # type: ignore[operator]
        by_intent: dict[str, list[float]] = {}
        for label, sim in zip(self._labels, sims.tolist(), strict=True):
            by_intent.setdefault(label, []).append(sim)
        readings = [
            Reading(intent, sum(sorted(s, reverse=True)[:NEAREST]) / min(NEAREST, len(s)))
            for intent, s in by_intent.items()
        ]
        return sorted(readings, key=lambda r: -r.score)


class TermMatcher:
    """The checklist term a question is nearest to in meaning (name and what the item covers)."""

    def __init__(
        self, terms: Mapping[str, str], embed: Callable[[list[str]], list[list[float]]]
    ) -> None:
        self._terms = dict(terms)
        self._embed = embed
        self._lock = threading.Lock()
        self._matrix: object | None = None

    def nearest(self, text: str) -> Reading:
        import numpy as np

        with self._lock:
            if self._matrix is None:
                self._matrix = np.asarray(self._embed(list(self._terms.values())), dtype=np.float32)
        query = np.asarray(self._embed([text])[0], dtype=np.float32)
        sims = (self._matrix @ query).tolist()  # type: ignore[operator]
        best = max(range(len(sims)), key=lambda i: sims[i])
        return Reading(list(self._terms)[best], float(sims[best]))


def _embedding(embedder: Embedder) -> Callable[[list[str]], list[list[float]]]:
    """The embed function a router uses: its example matrix (many texts, all shipped) from the
    vector cache, a question (one text) embedded each time."""
    from assistant.retrieval.embeddings import cached_vectors

    def embed(texts: list[str]) -> list[list[float]]:
        if len(texts) > 1:
            return cached_vectors(embedder, texts)
        return embedder.embed_documents(texts)

    return embed


@cache
def default_term_matcher() -> TermMatcher | None:
    """Checklist items as `name: covers` over the shipped embedder; None when it cannot load."""
    import yaml

    from assistant.errors import AssistantError
    from assistant.retrieval.embeddings import load_embedder

    try:
        embedder = load_embedder()
    except (AssistantError, ImportError, OSError):
        return None
    checklist = knowledge_dir() / "checklist.yaml"
    items = yaml.safe_load(checklist.read_text(encoding="utf-8"))["items"]
    texts = {str(i["id"]): f"{i['name']}: {' '.join(str(i['covers']).split())}" for i in items}
    return TermMatcher(texts, _embedding(embedder))


@cache
def _default_router(extra: tuple[tuple[str, tuple[str, ...]], ...]) -> IntentRouter | None:
    from assistant.errors import AssistantError
    from assistant.retrieval.embeddings import load_embedder

    try:
        embedder = load_embedder()
    except (AssistantError, ImportError, OSError):
        return None
    examples = load_examples()
    for intent, texts in extra:
        examples[intent] = (*examples.get(intent, ()), *texts)
    return IntentRouter(examples, _embedding(embedder))


def default_router(extra: Mapping[str, Sequence[str]] | None = None) -> IntentRouter | None:
    """The router over the shipped embedder and prompts/intents.yaml (plus `extra` examples);
    None when the embedding model cannot load, so that callers fall back to keyword rules."""
    key = tuple(sorted((k, tuple(v)) for k, v in (extra or {}).items()))
    return _default_router(key)
