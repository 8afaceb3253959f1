"""Triage accuracy and speed on TweetEval's sentiment test split, side by side with VADER alone.

    .venv/bin/python bench/triage.py [--data-dir ../shared/data]

Macro-averaged recall (TweetEval's metric) for VADER with ±0.05 thresholds (published: 57.0), the default
model and, when `tending[embeddings]` is installed and trained, the embeddings model; then throughput in
messages/s on one core of the default model's sentiment step, of VADER alone, and their ratio (best of
five interleaved runs each; the embeddings model is timed once).
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tending.triage.sentiment import LABELS, _vader, load_default, polarity  # noqa: E402

ROUNDS = 5


def macro_recall(gold: list[int], pred: list[int]) -> float:
    g, p = np.asarray(gold), np.asarray(pred)
    return float(np.mean([np.mean(p[g == k] == k) for k in range(3)]))


def vader_labels(texts: list[str]) -> list[int]:
    analyzer = _vader()
    out = []
    for t in texts:
        c = analyzer.polarity_scores(t)["compound"]
        out.append(0 if c <= -0.05 else 2 if c >= 0.05 else 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    args = ap.parse_args()
    folder = args.data_dir / "tweeteval-sentiment"
    if not (folder / "test_text.txt").exists():
        print(f"skipped: {folder} not found (the benchmark needs ../shared/data)")
        return
    texts = (folder / "test_text.txt").read_text(encoding="utf-8").splitlines()
    gold = [int(x) for x in (folder / "test_labels.txt").read_text().split()]
    assert len(texts) == len(gold)
    print(f"TweetEval sentiment test: {len(texts):,} tweets")

    model = load_default()
    model.probabilities(texts[:50])  # warm caches
    vader_s = default_s = float("inf")
    for _ in range(ROUNDS):  # interleaved, best of each: the machine is shared and noisy
        t = time.perf_counter()
        v = vader_labels(texts)
        vader_s = min(vader_s, time.perf_counter() - t)
        t = time.perf_counter()
        probs = model.probabilities(texts)
        default_s = min(default_s, time.perf_counter() - t)
    labels, _scores = polarity(probs)
    d = [LABELS.index(x) for x in labels]
    rows = [
        ("VADER alone (±0.05)", macro_recall(gold, v), len(texts) / vader_s),
        ("default model", macro_recall(gold, d), len(texts) / default_s),
    ]
    try:
        from tending.triage.embeddings import load_embeddings_model

        emb = load_embeddings_model()
        t = time.perf_counter()
        e_labels, _ = polarity(emb.probabilities(texts))
        rows.append(
            (
                "embeddings model",
                macro_recall(gold, [LABELS.index(x) for x in e_labels]),
                len(texts) / (time.perf_counter() - t),
            )
        )
    except (ImportError, FileNotFoundError, RuntimeError) as exc:
        print(f"embeddings model not measured: {exc}")
    print(f"\n{'model':22s} {'macro recall':>12s} {'messages/s (1 core)':>20s}")
    for name, score, rate in rows:
        print(f"{name:22s} {100 * score:12.1f} {rate:20,.0f}")
    print(f"\ndefault / VADER throughput ratio: {rows[1][2] / rows[0][2]:.2f}")
    print("targets: default >= 65.0 macro recall and >= 5,000 messages/s; embeddings >= 70.0")


if __name__ == "__main__":
    main()
