"""The default model's character n-grams, side by side on TweetEval's test tweets: scikit-learn's
`HashingVectorizer` over whole texts (before), per distinct word of each batch (`char_ngrams`), and per
word remembered across batches (`WordNgrams`, as the loaded model does; each round starts it empty, so
the figure includes filling it).

    .venv/bin/python bench/char_ngrams.py [--data-dir ../shared/data] [--rounds 7]

Checks the two matrices are equal, then prints the best rate of each (interleaved rounds, one core) for
the n-gram step alone and for the whole default model, with the test split as one batch, in batches of 500
and of 20 (an ingestion poll hands triage what it found: often a few messages).
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402
from unittest import mock  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from scipy import sparse  # noqa: E402

from tending.triage import sentiment  # noqa: E402
from tending.triage.text import normalise  # noqa: E402


def whole_texts(texts: list[str], memo: object = None) -> sparse.csr_matrix:
    return sentiment.char_vectorizer().transform(texts)


def per_batch(texts: list[str], memo: object = None) -> sparse.csr_matrix:
    return per_word(texts)


per_word = sentiment.char_ngrams


def rate(step: Callable[[list[str]], object], texts: list[str], batch: int) -> float:
    start = time.perf_counter()
    for i in range(0, len(texts), batch):
        step(texts[i : i + batch])
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    path = args.data_dir / "tweeteval-sentiment" / "test_text.txt"
    if not path.exists():
        print(f"skipped: {path} not found")
        return
    texts = path.read_text(encoding="utf-8").splitlines()
    prepared = [sentiment.shorten_elongations(normalise(t)) for t in texts]
    difference = abs(sentiment.char_ngrams(prepared) - whole_texts(prepared)).max()
    print(f"{len(texts):,} tweets; largest difference between the two matrices: {difference:.1e}")
    shipped = sentiment.load_default()
    builders: dict[str, Callable[..., sparse.csr_matrix]] = {
        "whole texts": whole_texts,
        "per batch": per_batch,
        "remembered": per_word,
    }
    best: dict[tuple[str, str, int], float] = {}
    for _ in range(args.rounds):
        for name, builder in builders.items():
            for batch in (len(texts), 500, 20):
                memo = sentiment.WordNgrams()
                key = ("n-grams", name, batch)
                best[key] = max(best.get(key, 0.0), rate(partial(builder, memo=memo), prepared, batch))
                model = sentiment.SentimentModel(coef=shipped.coef, intercept=shipped.intercept)
                with mock.patch.object(sentiment, "char_ngrams", builder):
                    key = ("default model", name, batch)
                    best[key] = max(best.get(key, 0.0), rate(model.probabilities, texts, batch))
    print(f"\n{'step':14s} {'batch':>6s} " + " ".join(f"{n + '/s':>14s}" for n in builders) + "  ratios")
    for step in ("n-grams", "default model"):
        for batch in (len(texts), 500, 20):
            rates = [best[(step, name, batch)] for name in builders]
            ratios = " ".join(f"{r / rates[0]:.2f}" for r in rates[1:])
            print(f"{step:14s} {batch:6d} " + " ".join(f"{r:14,.0f}" for r in rates) + f"  {ratios}")


if __name__ == "__main__":
    main()
