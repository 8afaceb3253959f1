r"""Train tending's sentiment models: the default one (src/tending/triage/data/sentiment_default.npz) and,
with --embeddings, the MLP head of the embeddings model (sentiment_embeddings.npz), which is fused with
the default model, so train the default model first.

    .venv/bin/python scripts/train_triage.py --data-dir ../shared/data
    .venv/bin/python scripts/encode_triage.py --data-dir ../shared/data --out /tmp/emb
    .venv/bin/python scripts/train_triage.py --data-dir ../shared/data --embeddings \
        --embeddings-cache /tmp/emb

Data: the SemEval-2017 Task 4A training tweets (`semeval2017-train/*.txt`, id<TAB>label<TAB>text) plus
VADER's rated tweets (`vader-tweets`, mean rating −4..4 → negative below −0.5, positive above 0.5, else
neutral). TweetEval's validation split is used to pick the regularisation (and the head's size and fusion
weight); its test split is never read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import recall_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tending.triage.sentiment import LABELS, MODEL_PATH, SentimentModel, features, load_default  # noqa: E402
from tending.triage.text import normalise  # noqa: E402


def load_semeval(folder: Path) -> tuple[list[str], list[int]]:
    texts, labels = [], []
    for f in sorted(folder.glob("*.txt")):
        for line in f.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split("\t")
            if len(parts) >= 3 and parts[1] in LABELS:
                texts.append(parts[2])
                labels.append(LABELS.index(parts[1]))
    return texts, labels


def load_vader(path: Path) -> tuple[list[str], list[int]]:
    texts, labels = [], []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3:
            r = float(parts[1])
            texts.append(parts[2])
            labels.append(0 if r < -0.5 else 2 if r > 0.5 else 1)
    return texts, labels


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--embeddings", action="store_true", help="train the MiniLM embeddings model instead")
    ap.add_argument(
        "--embeddings-cache",
        type=Path,
        default=None,
        help="folder with emb_{train,val}_*.npy written by scripts/encode_triage.py",
    )
    ap.add_argument("--c", type=float, nargs="*", default=[0.5, 1.0, 2.0, 4.0], help="values of C to try")
    args = ap.parse_args()
    x_text, y = load_semeval(args.data_dir / "semeval2017-train")
    vt, vy = load_vader(args.data_dir / "vader-tweets" / "tweets_GroundTruth.txt")
    x_text += vt
    y += vy
    val_text = (args.data_dir / "tweeteval-sentiment" / "val_text.txt").read_text().splitlines()
    val_y = [int(v) for v in (args.data_dir / "tweeteval-sentiment" / "val_labels.txt").read_text().split()]
    # 1,304 of TweetEval's validation tweets are among the SemEval training tweets: keep them out of the
    # training set so the validation figure means something.
    held_out = {normalise(t).strip().lower() for t in val_text}
    keep = [i for i, t in enumerate(x_text) if normalise(t).strip().lower() not in held_out]
    x_text, y = [x_text[i] for i in keep], [y[i] for i in keep]
    print(f"training on {len(x_text):,} tweets; validating on {len(val_text):,}")
    if args.embeddings:
        train_embeddings(x_text, y, val_text, val_y, _vectors(args.embeddings_cache, keep), args.out)
        return
    x = features(x_text)
    xv = features(val_text)
    best = None
    for c in args.c:
        clf = LogisticRegression(C=c, max_iter=1000, class_weight="balanced")
        clf.fit(x, y)
        score = recall_score(val_y, clf.predict(xv), average="macro")
        print(f"C={c}: validation macro recall {100 * score:.1f}")
        if best is None or score > best[0]:
            best = (score, c, clf)
    assert best is not None
    score, c, clf = best
    print(f"chosen C={c} (validation macro recall {100 * score:.1f})")
    model = SentimentModel(coef=clf.coef_.astype(np.float32), intercept=clf.intercept_.astype(np.float32))
    out = args.out or MODEL_PATH
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")


def train_embeddings(
    x_text: list[str],
    y: list[int],
    val_text: list[str],
    val_y: list[int],
    vectors: tuple[np.ndarray, np.ndarray],
    out: Path | None,
) -> None:
    """Fit the MLP head on [embedding, VADER] and pick its size, regularisation and fusion weight with the
    default model on validation. Rows are weighted by inverse class frequency, as class_weight='balanced'
    does for the linear model: the metric is macro recall, so every class should count the same."""
    from sklearn.neural_network import MLPClassifier

    from tending.triage.embeddings import MODEL_PATH as EMB_PATH
    from tending.triage.embeddings import EmbeddingsModel, fuse, head_inputs

    train_vecs, val_vecs = vectors
    x = head_inputs(x_text, train_vecs)
    xv = head_inputs(val_text, val_vecs)
    base = load_default().probabilities(val_text)
    labels = np.asarray(y)
    counts = np.bincount(labels, minlength=3)
    weights = (len(labels) / (3 * counts))[labels]
    best = None
    for hidden, alpha in ((256, 1e-3), (256, 1e-2), (512, 1e-2)):
        mlp = MLPClassifier(
            hidden_layer_sizes=(hidden,),
            alpha=alpha,
            batch_size=256,
            early_stopping=True,
            max_iter=200,
            random_state=0,
        )
        mlp.fit(x, labels, sample_weight=weights)
        head = EmbeddingsModel(
            hidden_w=mlp.coefs_[0],
            hidden_b=mlp.intercepts_[0],
            out_w=mlp.coefs_[1],
            out_b=mlp.intercepts_[1],
            weight=0.0,
        )
        head_probs = head.head_probabilities(xv)
        for w in np.round(np.arange(0.0, 1.01, 0.1), 1):
            score = recall_score(val_y, fuse(base, head_probs, float(w)).argmax(axis=1), average="macro")
            if best is None or score > best[0]:
                best = (score, hidden, alpha, float(w), head)
        alone = recall_score(val_y, head_probs.argmax(axis=1), average="macro")
        print(f"hidden={hidden} alpha={alpha}: head alone {100 * alone:.1f}")
    assert best is not None
    score, hidden, alpha, w, head = best
    print(f"chosen hidden={hidden} alpha={alpha} weight={w} (validation macro recall {100 * score:.1f})")
    model = EmbeddingsModel(
        hidden_w=head.hidden_w, hidden_b=head.hidden_b, out_w=head.out_w, out_b=head.out_b, weight=w
    )
    path = out or EMB_PATH
    model.save(path)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


def _vectors(cache: Path | None, keep: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Sentence embeddings of the (filtered) training tweets and of validation, from the cache if given.

    The cache holds the embeddings of all training tweets in load order (SemEval files, then VADER's),
    as written by an encoding run with the same normalisation; `keep` selects the filtered rows."""
    if cache is None:
        raise SystemExit("--embeddings needs --embeddings-cache (see scripts/encode_triage.py)")
    train = np.concatenate([np.load(p) for p in sorted(cache.glob("emb_train_*.npy"))]).astype(np.float32)
    val = np.concatenate([np.load(p) for p in sorted(cache.glob("emb_val_*.npy"))]).astype(np.float32)
    return train[keep], val


if __name__ == "__main__":
    main()
