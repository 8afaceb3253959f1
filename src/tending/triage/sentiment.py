"""The default sentiment model: a linear model over hashed word and character n-grams plus VADER scores.

Trained by `scripts/train_triage.py` on the SemEval-2017 Task 4A training tweets (and VADER's rated
tweets), never on TweetEval's test split; the coefficients ship in `data/sentiment_default.npz`
(float16, a few MB) and load without network or pickle. Hashing keeps the file small and needs no
vocabulary: any text maps to the same feature space at training and at inference.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from tending.triage.hashing import HashedNgrams, char_wb_ngrams, normalize_rows_l2, word_ngrams
from tending.triage.lexicon import lexicon_features, load_lexicon
from tending.triage.text import normalise

MODEL_PATH = Path(__file__).parent / "data" / "sentiment_default.npz"
LABELS = ("negative", "neutral", "positive")
N_FEATURES = 2**18
LEXICON_WEIGHT = 3.0  # lexicon block's scale beside the unit-norm n-gram blocks (chosen on held-out tweets)
_ELONGATED = re.compile(r"(\w)\1{2,}")


def shorten_elongations(text: str) -> str:
    """Letters repeated 3+ times keep two, so "soooo goooood" and "soo good" share their n-grams."""
    return _ELONGATED.sub(r"\1\1", text)


def word_vectorizer() -> HashedNgrams:
    """Lower-cased words, runs of ! and ?, and emoticons, alone and in pairs; rows of unit length."""
    return HashedNgrams(word_ngrams(r"(?u)\b\w+\b|[!?]+|[:;=][-']?[()dpDP]", (1, 2)), N_FEATURES)


def char_vectorizer(norm: str | None = "l2") -> HashedNgrams:
    """2- to 5-character n-grams within words; rows of unit length unless `norm` is None."""
    return HashedNgrams(char_wb_ngrams((2, 5)), N_FEATURES, l2=norm == "l2")


class WordNgrams:
    """Each word's hashed character n-gram counts (`char_vectorizer` without the norm), remembered
    across batches up to `capacity` words, then forgotten all at once: messages keep reusing a few
    thousand words, so a poll of twenty messages mostly finds its words already done."""

    def __init__(self, capacity: int = 200_000) -> None:
        self.capacity = capacity
        self._rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def rows(self, words: Collection[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Column indices and counts of each of these distinct words' n-grams. The answer is gathered
        as it goes, so a consumer thread emptying the memo meanwhile cannot lose a row."""
        found = {w: row for w in words if (row := self._rows.get(w)) is not None}
        missing = [w for w in words if w not in found]
        if len(self._rows) + len(missing) > self.capacity:
            self._rows.clear()
        if missing:
            made = char_vectorizer(norm=None).transform(missing)
            for i, word in enumerate(missing):
                begin, end = made.indptr[i], made.indptr[i + 1]
                found[word] = (made.indices[begin:end].copy(), made.data[begin:end].copy())
                self._rows[word] = found[word]
        return found


def char_ngrams(texts: list[str], memo: WordNgrams | None = None) -> sparse.csr_matrix:
    """What `char_vectorizer().transform(texts)` gives, with each distinct word's n-grams made once.

    Its n-grams never cross a word boundary, so a text's counts are the sum of its words' counts:
    (texts × distinct words) @ (distinct words × hashed n-grams), then each row l2-normalised as the
    vectorizer does. Messages repeat words, so most of the n-gram building (the slowest step of the
    model) is saved, within the batch and, with a `memo`, across batches; a test checks the matrices
    are equal."""
    vocabulary: dict[str, int] = {}
    columns: list[int] = []
    starts = [0]
    for text in texts:
        columns.extend(vocabulary.setdefault(w, len(vocabulary)) for w in text.lower().split())
        starts.append(len(columns))
    words_in_texts = sparse.csr_matrix(
        (np.ones(len(columns)), columns, starts), shape=(len(texts), len(vocabulary))
    )
    rows = (WordNgrams() if memo is None else memo).rows(vocabulary)
    ordered = [rows[w] for w in vocabulary]
    word_starts = np.zeros(len(ordered) + 1, dtype=np.int64)
    np.cumsum([len(r[0]) for r in ordered], out=word_starts[1:])
    per_word = sparse.csr_matrix(
        (
            np.concatenate([r[1] for r in ordered]) if ordered else np.zeros(0),
            np.concatenate([r[0] for r in ordered]) if ordered else np.zeros(0, dtype=np.int32),
            word_starts,
        ),
        shape=(len(ordered), N_FEATURES),
    )
    matrix = words_in_texts @ per_word
    normalize_rows_l2(matrix)
    return matrix


@lru_cache(maxsize=1)
def _vader() -> Any:
    """VADER's analyzer, imported when first needed (the package imports `requests` at its top)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def vader_features(texts: list[str]) -> np.ndarray:
    """neg, neu, pos and compound of VADER for each text."""
    analyzer = _vader()
    out = np.empty((len(texts), 4), dtype=np.float32)
    for i, t in enumerate(texts):
        s = analyzer.polarity_scores(t)
        out[i] = (s["neg"], s["neu"], s["pos"], s["compound"])
    return out


def normalised_texts(texts: list[str]) -> list[str]:
    """The texts as the features read them: mentions, links and elongations normalised."""
    return [shorten_elongations(normalise(t)) for t in texts]


def features(
    texts: list[str],
    lexicon: dict[str, float] | None = None,
    memo: WordNgrams | None = None,
    normalised: list[str] | None = None,
    word_grams: list[list[str]] | None = None,
) -> sparse.csr_matrix:
    """Hashed word and character n-grams, VADER's scores and the distilled word lexicon's summary.

    `lexicon` replaces the shipped one (training uses a lexicon made without its held-out tweets);
    `memo` keeps words' character n-grams between calls; `normalised` (`normalised_texts(texts)`) and
    `word_grams` (`word_vectorizer`'s analyzer on each of those) are passed when the caller has them."""
    norm = normalised_texts(texts) if normalised is None else normalised
    lexical = lexicon_features(norm, load_lexicon() if lexicon is None else lexicon)
    return sparse.hstack(
        [
            word_vectorizer().transform(norm)
            if word_grams is None
            else word_vectorizer().transform_analysed(word_grams),
            char_ngrams(norm, memo),
            sparse.csr_matrix(vader_features(norm)),
            sparse.csr_matrix(lexical * LEXICON_WEIGHT),
        ],
        format="csr",
    )


@dataclass(frozen=True)
class SentimentModel:
    coef: np.ndarray  # (3, n_features)
    intercept: np.ndarray  # (3,)
    memo: WordNgrams = field(default_factory=WordNgrams, compare=False, repr=False)

    def probabilities(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 3))
        return self.probabilities_of(features(texts, memo=self.memo))

    def probabilities_of(self, x: sparse.csr_matrix) -> np.ndarray:
        """From a matrix `features` built: the intent heads read the same one, built once."""
        return softmax(np.asarray(x @ self.coef.T + self.intercept))

    def save(self, path: Path, **settings: float | np.ndarray) -> None:
        """Write the weights, and the training settings that chose them (for the record)."""
        arrays: dict[str, Any] = {k: np.asarray(v) for k, v in settings.items()}
        arrays.update(coef=self.coef.astype(np.float16), intercept=self.intercept.astype(np.float32))
        np.savez_compressed(path, **arrays)


@lru_cache(maxsize=1)
def load_default() -> SentimentModel:
    if not MODEL_PATH.exists():
        raise FileNotFoundError(f"{MODEL_PATH} is missing: run scripts/train_triage.py")
    data = np.load(MODEL_PATH)
    return SentimentModel(
        coef=data["coef"].astype(np.float32), intercept=data["intercept"].astype(np.float32)
    )


def softmax(scores: np.ndarray) -> np.ndarray:
    """Each row's scores to probabilities (shifted by the row's maximum, so no exponent overflows)."""
    exp = np.exp(scores - scores.max(axis=1, keepdims=True))
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


def polarity(probs: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Label and a score in [-1, 1] (positive minus negative probability) per row."""
    labels = [LABELS[i] for i in probs.argmax(axis=1)]
    return labels, probs[:, 2] - probs[:, 0]
