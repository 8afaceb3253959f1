"""Learned intents: one logistic head per intent over the default sentiment model's features.

A message can be a complaint and a question at once ("my order never arrived, where is it?"), so each
intent has its own probability. The heads read the same hashed word and character n-grams, VADER scores
and lexicon summary as the default sentiment model, so the features are built once per message for both,
plus the sentiment model's log-probabilities (tone learned from 50,000 tweets carries to brands whose
words the complaint data never showed: +2 points of leave-one-domain-out complaint F1).
Trained by `scripts/train_intent.py` (corpora and how settings were chosen are in its docstring); the
weights ship in `data/intent_default.npz` and load without network or pickle. Each head's decision
offset is in its intercept, so 0.5 is its cut.

Reasons are the words that weighed most for an intent: the word and word-pair n-grams of the message
whose weight times their value in the very matrix the probability came from pushed that intent up most.
(Character n-grams and tone scores weigh too, but do not read as words.)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from tending.triage.hashing import columns
from tending.triage.sentiment import N_FEATURES

MODEL_PATH = Path(__file__).parent / "data" / "intent_default.npz"
# scikit-learn's English stop-word list (a test checks it is the same), read without importing it.
STOP_WORDS_PATH = Path(__file__).parent / "data" / "stop_words_en.txt"
INTENTS = ("question", "complaint", "request", "praise", "spam", "abuse")
# The main intent, for routing and compatibility: spam first (never answered like a customer), then the
# most probable of complaint, abuse and praise (how the message feels about the brand), then request and
# question; each only at a probability of at least 0.5.
TONE = ("complaint", "abuse", "praise")
CUT = 0.5
N_REASON_WORDS = 3
TONE_SCALE = 2.0  # the sentiment log-probabilities' scale beside the unit-norm n-gram blocks


def tone_inputs(sentiment: np.ndarray) -> np.ndarray:
    """The sentiment model's (negative, neutral, positive) log-probabilities, scaled."""
    return np.log(np.asarray(sentiment) + 1e-6) * TONE_SCALE


def intent_inputs(x: sparse.csr_matrix, sentiment: np.ndarray) -> sparse.csr_matrix:
    """The sentiment model's features with its tone appended (what the heads were fitted on)."""
    return sparse.hstack([x, sparse.csr_matrix(tone_inputs(sentiment))], format="csr")


@dataclass(frozen=True)
class IntentModel:
    coef: np.ndarray  # (len(INTENTS), n_features)
    intercept: np.ndarray  # (len(INTENTS),)

    def probabilities(self, x: sparse.csr_matrix, sentiment: np.ndarray) -> np.ndarray:
        """(n, len(INTENTS)) probabilities from the sentiment model's features and probabilities; the
        same as `intent_inputs(x, sentiment) @ coef.T`, without copying the matrix to append three columns."""
        n = x.shape[1]
        z = np.asarray(x @ self.coef[:, :n].T) + tone_inputs(sentiment) @ self.coef[:, n:].T + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def save(self, path: Path, **settings: np.ndarray) -> None:
        arrays: dict[str, Any] = {k: np.asarray(v) for k, v in settings.items()}
        arrays.update(
            coef=self.coef.astype(np.float16),
            intercept=self.intercept.astype(np.float32),
            intents=np.array("\n".join(INTENTS)),
        )
        np.savez_compressed(path, **arrays)


@lru_cache(maxsize=1)
def load_intent_model() -> IntentModel:
    if not MODEL_PATH.exists():
        raise FileNotFoundError(f"{MODEL_PATH} is missing: run scripts/train_intent.py")
    data = np.load(MODEL_PATH)
    if tuple(str(data["intents"]).split("\n")) != INTENTS:
        raise ValueError(f"{MODEL_PATH} was trained for other intents: retrain it")
    return IntentModel(coef=data["coef"].astype(np.float32), intercept=data["intercept"].astype(np.float32))


def main_intent(probs: np.ndarray) -> str:
    """Spam, else the likeliest tone intent, else request, else question, at or above the cut, else other."""
    p = dict(zip(INTENTS, np.asarray(probs, dtype=float).tolist(), strict=True))
    if p["spam"] >= CUT:
        return "spam"
    tone = max(TONE, key=p.__getitem__)
    if p[tone] >= CUT:
        return tone
    for name in ("request", "question"):
        if p[name] >= CUT:
            return name
    return "other"


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    return frozenset(STOP_WORDS_PATH.read_text(encoding="utf-8").split())


@lru_cache(maxsize=65_536)
def _readable(token: str) -> bool:
    """A word n-gram worth showing: not only stop words or the @user / http placeholders."""
    words = token.split()
    return any(w not in stop_words() and w not in ("user", "http") and len(w) > 1 for w in words) or (
        token in ("?", "!")
    )


def _token_columns(tokens: set[str]) -> dict[str, int]:
    """Each word n-gram's column in the word block, hashed as `word_vectorizer` hashes it."""
    if not tokens:
        return {}
    ordered = sorted(tokens)
    return dict(zip(ordered, columns(ordered, N_FEATURES).tolist(), strict=True))


def intent_reasons(
    word_grams: list[list[str]], x: sparse.csr_matrix, model: IntentModel, intents: list[str]
) -> list[list[str]]:
    """For each message, the words that pushed its main intent up most ("complaint: 'refund', 'still'").
    `word_grams` are each message's word n-grams as `features` hashed them (`word_vectorizer`'s
    analyzer on the normalised text); messages whose intent is "other" get none.

    A word's weight is its value in the message's row of `x` times its intent's coefficient; the
    message's distinct n-grams rank by weight, ties in the order the message has them. All the batch's
    weights are found at once: each (message, column) pair is looked up among the matrix's own."""
    out: list[list[str]] = [[] for _ in intents]
    rows: list[int] = []
    tokens: list[str] = []
    for i, name in enumerate(intents):
        if name in INTENTS:
            distinct = list(dict.fromkeys(word_grams[i]))
            tokens.extend(distinct)
            rows.extend([i] * len(distinct))
    if not tokens:
        return out
    row = np.asarray(rows, dtype=np.int64)
    column = columns(tokens, N_FEATURES).astype(np.int64)
    head = np.array([INTENTS.index(intents[i]) if intents[i] in INTENTS else 0 for i in range(len(intents))])
    width = np.int64(x.shape[1])
    # The word block's entries as sorted (row, column) keys (the block comes sorted from its vectorizer).
    in_words = x.indices < N_FEATURES
    stored = np.repeat(np.arange(x.shape[0], dtype=np.int64), np.diff(x.indptr))[in_words] * width
    stored += x.indices[in_words]
    data = x.data[in_words]
    if len(stored) > 1 and not bool(np.all(stored[1:] > stored[:-1])):
        by_key = np.argsort(stored, kind="stable")
        stored, data = stored[by_key], data[by_key]
    wanted = row * width + column
    at = np.minimum(np.searchsorted(stored, wanted), max(len(stored) - 1, 0))
    found = stored[at] == wanted if len(stored) else np.zeros(len(wanted), dtype=bool)
    value = np.where(found, data[at] if len(stored) else 0.0, 0.0)
    weight = value * model.coef[head[row], column].astype(np.float64)
    # By message, then heaviest first, then first in the message (the order `tokens` has them).
    ranked = np.lexsort((np.arange(len(tokens)), -weight, row))
    picked: dict[int, list[str]] = {}
    for j in ranked[weight[ranked] > 0].tolist():
        chosen = picked.setdefault(rows[j], [])
        if len(chosen) < N_REASON_WORDS and _readable(tokens[j]):
            chosen.append(tokens[j])
    for i, top in picked.items():
        if top:
            out[i].append(f"{intents[i]}: " + ", ".join(repr(t) for t in top))
    return out
