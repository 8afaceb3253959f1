"""Hashed n-gram features, the same columns and values as scikit-learn's `HashingVectorizer`.

The shipped models were trained on `HashingVectorizer` matrices; importing scikit-learn costs about a
second, most of what `tending classify` spent before answering its first line. The n-grams are made as
its `word` and `char_wb` analyzers make them and hashed with MurmurHash3 (32-bit, seed 0, signed, the
absolute value modulo the width, as its feature hasher does) through `mmh3`; a test checks the matrices
equal `HashingVectorizer`'s on a sample of messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import mmh3
import numpy as np
from scipy import sparse

Analyzer = Callable[[str], list[str]]
_WHITE_SPACES = re.compile(r"\s\s+")
_INT32_MIN = -(2**31)


def word_ngrams(token_pattern: str, ngram_range: tuple[int, int]) -> Analyzer:
    """Lower-cased tokens matching `token_pattern`, then their runs of up to `ngram_range[1]` joined by
    a space, unigrams first."""
    findall = re.compile(token_pattern).findall
    low, high = ngram_range

    def analyze(text: str) -> list[str]:
        tokens: list[str] = findall(text.lower())
        grams = list(tokens) if low == 1 else []
        for n in range(max(low, 2), min(high + 1, len(tokens) + 1)):
            grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return grams

    return analyze


def char_wb_ngrams(ngram_range: tuple[int, int]) -> Analyzer:
    """Character n-grams inside each lower-cased word padded with a space on each side; a word shorter
    than n counts once, whole, and stops the longer n-grams."""
    low, high = ngram_range

    def analyze(text: str) -> list[str]:
        grams: list[str] = []
        for word in _WHITE_SPACES.sub(" ", text.lower()).split():
            padded = f" {word} "
            size = len(padded)
            for n in range(low, high + 1):
                if size <= n:
                    grams.append(padded)
                    break
                grams.extend([padded[i : i + n] for i in range(size - n + 1)])
        return grams

    return analyze


def columns(tokens: list[str], n_features: int) -> np.ndarray:
    """Each token's column: |MurmurHash3_32(utf-8 bytes)| modulo `n_features`."""
    hashes = np.fromiter(map(mmh3.hash, tokens), dtype=np.int64, count=len(tokens))
    out = np.abs(hashes) % n_features
    out[hashes == _INT32_MIN] = (2**31 - 1 - (n_features - 1)) % n_features
    return out.astype(np.int32)


def normalize_rows_l2(matrix: sparse.csr_matrix) -> None:
    """Scale each row of a CSR matrix to unit Euclidean length, in place (all-zero rows stay)."""
    lengths = np.diff(matrix.indptr)
    rows = np.repeat(np.arange(matrix.shape[0]), lengths)
    norms = np.sqrt(np.bincount(rows, weights=matrix.data * matrix.data, minlength=matrix.shape[0]))
    norms[norms == 0.0] = 1.0
    matrix.data /= np.repeat(norms, lengths)


@dataclass(frozen=True)
class HashedNgrams:
    """Texts to a (texts × `n_features`) CSR matrix of n-gram counts, each row l2-normalised if `l2`."""

    analyzer: Analyzer
    n_features: int
    l2: bool = True

    def build_analyzer(self) -> Analyzer:
        return self.analyzer

    def transform(self, texts: Iterable[str]) -> sparse.csr_matrix:
        return self.transform_analysed(self.analyzer(text) for text in texts)

    def transform_analysed(self, analysed: Iterable[list[str]]) -> sparse.csr_matrix:
        """`transform` of texts whose n-grams the caller already made with `analyzer`."""
        tokens: list[str] = []
        starts = [0]
        for grams in analysed:
            tokens.extend(grams)
            starts.append(len(tokens))
        matrix = sparse.csr_matrix(
            (np.ones(len(tokens)), columns(tokens, self.n_features), np.asarray(starts, dtype=np.int32)),
            shape=(len(starts) - 1, self.n_features),
        )
        matrix.sum_duplicates()
        if self.l2:
            normalize_rows_l2(matrix)
        return matrix
