"""The light hashed n-grams give the very matrices scikit-learn's `HashingVectorizer` gave, the one the
shipped coefficients were trained on, so the models' answers are unchanged."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer

from tending.triage import sentiment
from tending.triage.hashing import columns
from tending.triage.intent_model import stop_words
from tending.triage.sentiment import N_FEATURES, char_vectorizer, word_vectorizer

WORD_PATTERN = r"(?u)\b\w+\b|[!?]+|[:;=][-']?[()dpDP]"
MESSAGES = [
    "",
    "   ",
    "a",
    "my order never arrived, where is it??? refund please :(",
    "Sooo goood!!! love it :) :-D ;p =)",
    "Ünïcode CAFÉ naïve ÉCOLE İstanbul straße 👍👍",
    "spaced   out\t\ttext\n\nx\xa0y\u2003z",
    "@user check http://example.com NOW!!! 50% off, DM me",
    "Why is my account locked? I've tried 3 times. Fix it.",
]


def _sample() -> list[str]:
    rng = np.random.default_rng(7)
    alphabet = [*"abcdeXYZ é!?:;=()-'dpDP  \t\n\xa0\u2003.,@#0123", "İ", "ß", "👍", "ﬁ"]
    return MESSAGES + ["".join(rng.choice(alphabet, size=rng.integers(0, 60))) for _ in range(400)]


def _sklearn_word(norm: str | None = "l2") -> HashingVectorizer:
    return HashingVectorizer(
        n_features=N_FEATURES,
        ngram_range=(1, 2),
        alternate_sign=False,
        norm=norm,
        lowercase=True,
        token_pattern=WORD_PATTERN,
    )


def _sklearn_char(norm: str | None = "l2") -> HashingVectorizer:
    return HashingVectorizer(
        n_features=N_FEATURES, analyzer="char_wb", ngram_range=(2, 5), alternate_sign=False, norm=norm
    )


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (word_vectorizer, _sklearn_word),
        (char_vectorizer, _sklearn_char),
        (lambda: char_vectorizer(norm=None), lambda: _sklearn_char(norm=None)),
    ],
)
def test_matrices_equal_hashing_vectorizer(ours, theirs) -> None:  # type: ignore[no-untyped-def]
    texts = _sample()
    got, expected = ours().transform(texts), theirs().transform(texts)
    assert got.shape == expected.shape
    assert np.array_equal(got.indptr, expected.indptr)
    assert np.array_equal(got.indices, expected.indices)
    assert np.array_equal(got.data, expected.data)
    for text in texts[:40]:
        assert ours().build_analyzer()(text) == theirs().build_analyzer()(text)


def test_columns_equal_the_hasher_for_every_token() -> None:
    tokens = sorted({t for text in _sample() for t in _sklearn_word().build_analyzer()(text)})
    one = HashingVectorizer(
        n_features=N_FEATURES, analyzer=lambda s: [s], alternate_sign=False, norm=None, lowercase=False
    ).transform(tokens)
    assert columns(tokens, N_FEATURES).tolist() == one.indices.tolist()


def test_model_answers_equal_those_from_hashing_vectorizer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sentiment probabilities from the light features equal those from scikit-learn's, on a sample."""
    texts = _sample()
    model = sentiment.load_default()
    ours = model.probabilities_of(sentiment.features(texts))
    monkeypatch.setattr(sentiment, "word_vectorizer", _sklearn_word)
    monkeypatch.setattr(sentiment.WordNgrams, "rows", _sklearn_rows)
    theirs = model.probabilities_of(sentiment.features(texts))
    assert np.array_equal(ours, theirs)
    assert sentiment.polarity(ours)[0] == sentiment.polarity(theirs)[0]


def _sklearn_rows(self: sentiment.WordNgrams, words):  # type: ignore[no-untyped-def]
    made = _sklearn_char(norm=None).transform(list(words))
    return {
        w: (made.indices[made.indptr[i] : made.indptr[i + 1]], made.data[made.indptr[i] : made.indptr[i + 1]])
        for i, w in enumerate(words)
    }


def test_stop_words_are_scikit_learns() -> None:
    assert stop_words() == ENGLISH_STOP_WORDS
