"""A BERT sentence encoder in NumPy for the query side: the same all-MiniLM-L6-v2 weights and
tokenizer that sentence-transformers loads, without importing torch or transformers.

Importing sentence-transformers costs about 7 s of CPU on this kind of machine; a question needs
one short vector. This module reads model.safetensors and tokenizer.json directly (safetensors
and tokenizers are small Rust extensions) and runs the encoder's forward pass: embeddings, the
attention layers, mean pooling over the attention mask, L2 normalisation. It serves sentence-
transformers folders whose modules are exactly Transformer (BERT) → mean Pooling → Normalize;
for anything else `supports` is False and the caller uses sentence-transformers."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

_MODULES = [
    "sentence_transformers.models.Transformer",
    "sentence_transformers.models.Pooling",
    "sentence_transformers.models.Normalize",
]


def supports(model_path: Path) -> bool:
    """Whether the folder is a BERT encoder with mean pooling and normalisation, in safetensors."""
    try:
        modules = json.loads((model_path / "modules.json").read_text(encoding="utf-8"))
        config = json.loads((model_path / "config.json").read_text(encoding="utf-8"))
        pooling_dir = next(m["path"] for m in modules if m["type"].endswith("Pooling"))
        pooling = json.loads((model_path / pooling_dir / "config.json").read_text("utf-8"))
    except (OSError, ValueError, KeyError, StopIteration):
        return False
    mean_only = pooling.get("pooling_mode_mean_tokens") and not any(
        pooling.get(k)
        for k in (
            "pooling_mode_cls_token",
            "pooling_mode_max_tokens",
            "pooling_mode_mean_sqrt_len_tokens",
        )
    )
    return (
        [m["type"] for m in modules] == _MODULES
        and config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and bool(mean_only)
        and (model_path / "model.safetensors").is_file()
        and (model_path / "tokenizer.json").is_file()
    )


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to within 1.2e-7 (Numerical Recipes' erfc Chebyshev fit), vectorised."""
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -z * z - 1.26551223 + t * (
        1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (
            0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))
        ))))
    )  # fmt: skip
    erfc = t * np.exp(poly)
    return np.where(x >= 0, 1.0 - erfc, erfc - 1.0)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class NumpyEncoder:
    """all-MiniLM-L6-v2 (or another BERT sentence encoder of the same shape) on NumPy."""

    def __init__(self, model_path: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((model_path / "config.json").read_text(encoding="utf-8"))
        st_config_file = model_path / "sentence_bert_config.json"
        st_config = (
            json.loads(st_config_file.read_text(encoding="utf-8"))
            if st_config_file.is_file()
            else {}
        )
        self.max_length = int(st_config.get("max_seq_length", 256))
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        weights = load_file(str(model_path / "model.safetensors"))
        self.w: dict[str, np.ndarray] = {
            k.removeprefix("bert."): v.astype(np.float32) for k, v in weights.items()
        }
        self.tokenizer: Any = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_length)
        self.tokenizer.no_padding()
        self._lock = threading.Lock()

    def _encode_batch(self, batch: list[list[int]]) -> np.ndarray:
        """Unit vectors of a batch of token id lists (padded; the mask keeps padding out of the
        attention and the mean)."""
        w = self.w
        b, n = len(batch), max(len(ids) for ids in batch)
        ids = np.zeros((b, n), dtype=np.int64)
        mask = np.zeros((b, n), dtype=np.float32)
        for i, row in enumerate(batch):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1.0
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        x = _layer_norm(x, *norm, self.eps)
        size = x.shape[-1]
        head = size // self.heads
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def dense(h: np.ndarray, name: str, p: str = p) -> np.ndarray:
                return h @ w[f"{p}{name}.weight"].T + w[f"{p}{name}.bias"]

            def heads(h: np.ndarray) -> np.ndarray:
                return h.reshape(b, n, self.heads, head).transpose(0, 2, 1, 3)

            q = heads(dense(x, "attention.self.query"))
            k = heads(dense(x, "attention.self.key"))
            v = heads(dense(x, "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(b, n, size)
            x = _layer_norm(
                dense(context, "attention.output.dense") + x,
                w[f"{p}attention.output.LayerNorm.weight"],
                w[f"{p}attention.output.LayerNorm.bias"],
                self.eps,
            )
            inner = dense(x, "intermediate.dense")
            inner = 0.5 * inner * (1.0 + _erf(inner / np.sqrt(2.0)))
            x = _layer_norm(
                dense(inner, "output.dense") + x,
                w[f"{p}output.LayerNorm.weight"],
                w[f"{p}output.LayerNorm.bias"],
                self.eps,
            )
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def token_counts(self, texts: list[str]) -> list[int]:
        with self._lock:
            return [len(e.ids) for e in self.tokenizer.encode_batch(texts)]

    def embed_documents(self, texts: list[str], batch_size: int = 32) -> list[list[float]]:
        from threadpoolctl import threadpool_limits

        if not texts:
            return []
        with self._lock:
            encodings = [list(e.ids) for e in self.tokenizer.encode_batch(texts)]
        # Batches of similar length waste little on padding. One BLAS thread: these products
        # are small, and a BLAS pool's spin-waiting on a busy 2-core machine made each one
        # 100x slower than on one thread.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i]))
        out: list[list[float]] = [[] for _ in texts]
        with threadpool_limits(1):
            for start in range(0, len(order), batch_size):
                chunk = order[start : start + batch_size]
                vectors = self._encode_batch([encodings[i] for i in chunk])
                for i, vector in zip(chunk, vectors, strict=True):
                    out[i] = vector.tolist()
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]
