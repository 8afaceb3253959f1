"""Language identification with py3langid (a small model shipped inside the package).

`detect_many` gives what `detect` gives for each text, a batch at a time: py3langid walks each text's
bytes through its n-gram automaton in a Python loop (a quarter of the default triage's time); here all
the batch's texts take each step together in numpy, and the rest of py3langid's scoring is the same
(same feature counts in the same order, same arithmetic), so the answers are equal (a test checks).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from tending.triage.text import normalise

MIN_LETTERS = 12
MIN_CONFIDENCE = 0.5


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _clean(text: str) -> str:
    return normalise(text).replace("@user", "").replace("http", "")


def detect(text: str, *, min_letters: int = MIN_LETTERS, min_confidence: float = MIN_CONFIDENCE) -> str:
    """ISO 639-1 code, or "und" when the text is too short or the guess too unsure."""
    clean = _clean(text)
    if sum(map(str.isalpha, clean)) < min_letters:
        return "und"
    lang, prob = _identifier().classify(clean)
    return str(lang) if prob >= min_confidence else "und"


@dataclass(frozen=True)
class _Automaton:
    """py3langid's byte automaton as numpy arrays: next state, each state's row offset and feature."""

    next_move: np.ndarray
    row_base: np.ndarray
    output: np.ndarray


@lru_cache(maxsize=1)
def _automaton() -> _Automaton | None:
    """The arrays, or None if this py3langid keeps its automaton otherwise (then `detect` is used)."""
    ident = _identifier()
    try:
        ident.nb_ptc, ident.nb_pc, ident._alias_pairs, ident._encode  # noqa: B018 (the scoring also needs these)
        return _Automaton(
            next_move=np.asarray(ident.tk_nextmove),  # its buffer, not a copy
            row_base=np.asarray(ident._rowbase, dtype=np.int64),
            output=np.asarray(ident.tk_output, dtype=np.int64),
        )
    except AttributeError:
        return None


def _visits(encoded: list[bytes], machine: _Automaton) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each text's visited features and their counts, in first-visit order, as py3langid's
    `visit_counts` and `_sparse_score` make them (int features, float32 counts).

    The texts walk the automaton side by side, longest first, so step t only moves the texts that
    still have a byte t; the counting is done for the whole batch at once."""
    n = len(encoded)
    order = sorted(range(n), key=lambda i: -len(encoded[i]))
    lengths = np.array([len(encoded[i]) for i in order], dtype=np.int64)
    longest = int(lengths[0]) if n else 0
    grid = np.zeros((n, longest), dtype=np.int64)
    for row, i in enumerate(order):
        grid[row, : len(encoded[i])] = np.frombuffer(encoded[i], dtype=np.uint8)
    features = np.full((n, longest), -1, dtype=np.int64)
    state = np.zeros(n, dtype=np.int64)
    active = n
    for t in range(longest):
        while active and lengths[active - 1] <= t:
            active -= 1
        state[:active] = machine.next_move[machine.row_base[state[:active]] + grid[:active, t]]
        features[:active, t] = machine.output[state[:active]]
    # (row, feature) pairs in visiting order; each distinct pair's count and first visit.
    rows, _ = np.nonzero(features >= 0)
    visited = features[features >= 0]
    width = np.int64(len(machine.output))
    keys, first, counts = np.unique(rows * width + visited, return_index=True, return_counts=True)
    by_visit = np.argsort(first, kind="stable")
    keys, counts = keys[by_visit], counts[by_visit].astype(np.float32)
    key_rows = keys // width
    bounds = np.searchsorted(key_rows, np.arange(n + 1))
    found = (keys % width).astype(np.intp)
    out: list[tuple[np.ndarray, np.ndarray]] = [(found[:0], counts[:0])] * n
    for row, i in enumerate(order):
        out[i] = (found[bounds[row] : bounds[row + 1]], counts[bounds[row] : bounds[row + 1]])
    return out


def _decide(
    ident: Any, visits: list[tuple[np.ndarray, np.ndarray]], sizes: list[int]
) -> list[tuple[str, float]]:
    """py3langid's normalised decision for each text from its feature counts and byte length: each
    text's scores as py3langid computes them, then its per-text arithmetic (scale, softmax, folding
    aliased labels) done element for element on all the rows at once."""
    if not visits:
        return []
    width = len(ident.nb_classes)
    scores = np.zeros((len(visits), width), dtype=np.float32)
    for row, (found, counts) in enumerate(visits):
        if len(found):
            scores[row] = np.log1p(counts) @ ident.nb_ptc[found] + ident.nb_pc
    scale = np.array([np.float32(1.0 / math.sqrt(size or 1)) for size in sizes], dtype=np.float32)
    scores *= scale[:, None]
    np.exp(scores - scores.max(axis=1, keepdims=True), out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    for i, j in ident._alias_pairs:
        scores[:, i] += scores[:, j]
        scores[:, j] = 0.0
    best = scores.argmax(axis=1)
    chosen = scores[np.arange(len(visits)), best].tolist()
    return [(str(ident.nb_classes[b]), p) for b, p in zip(best.tolist(), chosen, strict=True)]


def detect_many(texts: list[str]) -> list[str]:
    """`detect` of each text (default cuts), the automaton walked for the whole batch at once."""
    machine = _automaton()
    if machine is None:
        return [detect(t) for t in texts]
    ident = _identifier()
    out = ["und"] * len(texts)
    wanted: list[int] = []
    encoded: list[bytes] = []
    for i, text in enumerate(texts):
        clean = _clean(text)
        if sum(map(str.isalpha, clean)) >= MIN_LETTERS:
            wanted.append(i)
            encoded.append(ident._encode(clean))
    decided = _decide(ident, _visits(encoded, machine), [len(data) for data in encoded])
    for i, (lang, prob) in zip(wanted, decided, strict=True):
        if prob >= MIN_CONFIDENCE:
            out[i] = lang
    return out
