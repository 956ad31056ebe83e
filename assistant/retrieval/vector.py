"""The vector index: Chroma embedded in the workspace (default) or a Chroma server."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

from assistant.errors import ConfigError, ServiceUnavailable
from assistant.workspace import make_private_tree

COLLECTION = "payer_assistant_chunks"
T = TypeVar("T")


def _server_hint(url: str) -> str:
    return (
        f"start the server again (`chroma run --path DIR --host HOST --port PORT` for {url}), "
        "then rerun the same command: finished files are kept and the rest are indexed; or drop "
        "--chroma-url / PAYER_ASSISTANT_CHROMA_URL to use the embedded index"
    )


def _chroma_settings() -> Any:
    from chromadb.config import Settings

    return Settings(anonymized_telemetry=False, allow_reset=False)


def parse_server_url(url: str) -> tuple[str, int, bool]:
    """(host, port, ssl) of `http://HOST:PORT`; ConfigError on anything else."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError(
            f"Chroma URL '{url}' is not of the form http://HOST:PORT",
            "set --chroma-url (or PAYER_ASSISTANT_CHROMA_URL) like http://127.0.0.1:8000",
        )
    port = parsed.port or (443 if parsed.scheme == "https" else 8000)
    return parsed.hostname, port, parsed.scheme == "https"


class VectorIndex:
    """Chunk vectors with doc_id/payer/kind metadata; we supply the embeddings ourselves.

    In server mode every call that fails in transport raises ServiceUnavailable naming the
    server, never the client library's own exception.
    """

    def __init__(self, client: Any, where: str, server: bool = False) -> None:
        self.where = where
        self.server = server
        self._client = client
        self._collection = self._call(
            lambda: client.get_or_create_collection(COLLECTION, metadata={"hnsw:space": "cosine"})
        )

    def _call(self, fn: Callable[..., T], **kwargs: Any) -> T:
        if not self.server:
            return fn(**kwargs)
        try:
            return fn(**kwargs)
        except Exception as exc:  # chromadb raises several transport errors; all mean "gone"
            raise ServiceUnavailable(
                f"The Chroma server at {self.where} stopped answering ({type(exc).__name__})",
                _server_hint(self.where),
            ) from exc

    @classmethod
    def open(cls, chroma_path: Path, server_url: str | None = None) -> VectorIndex:
        """Embedded PersistentClient at `chroma_path`, or an HttpClient for `server_url`."""
        import chromadb

        if server_url:
            host, port, ssl = parse_server_url(server_url)
            try:
                client = chromadb.HttpClient(
                    host=host, port=port, ssl=ssl, settings=_chroma_settings()
                )
                client.heartbeat()
                return cls(client, server_url, server=True)
            except (
                Exception
            ) as exc:  # chromadb raises several transport errors; all mean "unreachable"
                raise ServiceUnavailable(
                    f"Cannot reach the Chroma server at {server_url} ({type(exc).__name__})",
                    "start it with `chroma run --path DIR --host 127.0.0.1 --port PORT`, or drop "
                    "--chroma-url / PAYER_ASSISTANT_CHROMA_URL to use the embedded index",
                ) from exc
        chroma_path.mkdir(mode=0o700, parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(chroma_path), settings=_chroma_settings())
        index = cls(client, str(chroma_path))
        make_private_tree(chroma_path)
        return index

    def count(self) -> int:
        return int(self._call(self._collection.count))

    def all_ids(self, page: int = 5000) -> set[str]:
        """Every vector id in the index (to check it against the registry)."""
        found: set[str] = set()
        offset = 0
        while True:
            got = self._call(self._collection.get, include=[], limit=page, offset=offset)
            found.update(got["ids"])
            if len(got["ids"]) < page:
                return found
            offset += page

    def upsert(
        self,
        ids: Sequence[str],
        embeddings: Sequence[Sequence[float]],
        metadatas: Sequence[dict[str, str | int | bool]],
        batch: int = 2000,
    ) -> None:
        for i in range(0, len(ids), batch):
            self._call(
                self._collection.upsert,
                ids=list(ids[i : i + batch]),
                embeddings=[list(e) for e in embeddings[i : i + batch]],
                metadatas=[dict(m) for m in metadatas[i : i + batch]],
            )

    def ids_for(self, doc_id: str) -> set[str]:
        got = self._call(lambda: self._collection.get(where={"doc_id": doc_id}, include=[]))
        return set(got["ids"])

    def delete(self, ids: Sequence[str]) -> None:
        for i in range(0, len(ids), 2000):
            self._call(self._collection.delete, ids=list(ids[i : i + 2000]))

    def delete_document(self, doc_id: str) -> None:
        self._call(lambda: self._collection.delete(where={"doc_id": doc_id}))

    def query(
        self, embedding: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity), best first."""
        n = min(k, max(self.count(), 0))
        if n == 0:
            return []
        result = self._call(
            lambda: self._collection.query(
                query_embeddings=[list(embedding)],
                n_results=n,
                where=where or None,
                include=["distances"],
            )
        )
        ids = result["ids"][0]
        distances = result["distances"][0] if result.get("distances") else [0.0] * len(ids)
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, distances, strict=True)]
