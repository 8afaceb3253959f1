"""A word-polarity lexicon distilled from the embeddings model, so the default model needs no torch.

Each word of the MiniLM vocabulary and of the training tweets was run alone through the sentence model
and the embeddings head, and its positive-minus-negative probability kept (`data/word_polarity.npz`,
about 30,000 words, written by `scripts/train_triage.py --lexicon`). A word the training tweets never
showed still gets the polarity the sentence model gives it, which is what n-grams cannot learn: on tweets
newer than the training ones these features raise the default model by about 0.7 points of macro recall.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np

LEXICON_PATH = Path(__file__).parent / "data" / "word_polarity.npz"
WORD = re.compile(r"[a-z][a-z']+")
N_LEXICON_FEATURES = 4


def words(normalised_text: str) -> list[str]:
    return WORD.findall(normalised_text.lower())


def save_lexicon(path: Path, polarity: dict[str, float]) -> None:
    vocabulary = sorted(polarity)
    np.savez_compressed(
        path,
        words=np.array("\n".join(vocabulary)),
        polarity=np.array([polarity[w] for w in vocabulary], dtype=np.float16),
    )


def read_lexicon(path: Path) -> dict[str, float]:
    data = np.load(path)
    return dict(zip(str(data["words"]).split("\n"), data["polarity"].astype(float).tolist(), strict=True))


@lru_cache(maxsize=1)
def load_lexicon() -> dict[str, float]:
    if not LEXICON_PATH.exists():
        raise FileNotFoundError(f"{LEXICON_PATH} is missing: run scripts/train_triage.py --lexicon")
    return read_lexicon(LEXICON_PATH)


def lexicon_features(normalised_texts: list[str], lexicon: dict[str, float]) -> np.ndarray:
    """Mean, highest, lowest and a fifth of the sum of the known words' polarities (zeros if none)."""
    out = np.zeros((len(normalised_texts), N_LEXICON_FEATURES), dtype=np.float32)
    for i, text in enumerate(normalised_texts):
        found = [p for w in words(text) if (p := lexicon.get(w)) is not None]
        if found:
            total = sum(found)
            out[i] = (total / len(found), max(found), min(found), total / 5)
    return out
