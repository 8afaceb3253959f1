r"""Learned intents on held-out test splits, and triage throughput side by side with another source tree.

    .venv/bin/python bench/intent.py [--data-dir ../shared/data]
    .venv/bin/python bench/intent.py --throughput [--src /path/to/other/src]

Accuracy (nothing here was used for training or for choosing settings):
- abuse: TweetEval offensive `test` (860 tweets), macro F1 over offensive / not (TweetEval's metric);
- praise: TweetEval sentiment `test`, positive against the rest, macro F1 (praise is learned as positive
  tone);
- question, request, complaint: BANKING77 `test` split (3,080 queries), labelled as `scripts/train_intent.py`
  labels its train split (a question mark or question word; the intents that ask the bank to act; the
  problem reports), macro F1 each.
The leave-one-domain-out complaint figures and the leave-one-video-out spam figures are printed by
`scripts/train_intent.py`, which chooses settings with them.

Throughput: `classify_texts` end to end (sentiment, intents with reasons, urgency, topics, language) on
the 12,284 TweetEval sentiment test tweets, one thread, best of three; `--src` imports `tending` from
another tree instead (the previous commit's, say) to compare on the same machine at the same time.
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import csv  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 3


def throughput(texts: list[str]) -> float:
    from tending.triage.classify import classify_texts

    classify_texts(texts[:50])  # load the models
    best = best_cpu = float("inf")
    for _ in range(ROUNDS):
        t, c = time.perf_counter(), time.process_time()
        for i in range(0, len(texts), 2000):  # the CLI's batch
            classify_texts(texts[i : i + 2000])
        best, best_cpu = min(best, time.perf_counter() - t), min(best_cpu, time.process_time() - c)
    # CPU time of this one-thread process: the rate one core gives whatever else the machine runs.
    print(f"{len(texts) / best_cpu:,.0f} messages per CPU-second (best of {ROUNDS})")
    return len(texts) / best


def macro_f1(gold: list[int], pred: list[int]) -> float:
    from sklearn.metrics import f1_score

    return 100 * float(f1_score(gold, pred, average="macro"))


def accuracy(data_dir: Path) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from train_intent import ASKS, BANKING_PROBLEMS, BANKING_REQUESTS

    from tending.triage.classify import classify_texts

    def predicted(texts: list[str], intent: str) -> list[int]:
        return [int(r.intents[intent] >= 0.5) for r in classify_texts(texts, languages=False)]

    with (data_dir / "tweeteval-offensive" / "test.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    gold = [int(r["label"]) for r in rows]
    f1 = macro_f1(gold, predicted([r["text"] for r in rows], "abuse"))
    print(f"abuse, TweetEval offensive test ({len(rows):,}): macro F1 {f1:.1f}")
    folder = data_dir / "tweeteval-sentiment"
    texts = (folder / "test_text.txt").read_text(encoding="utf-8").splitlines()
    gold = [int(int(x) == 2) for x in (folder / "test_labels.txt").read_text().split()]
    f1 = macro_f1(gold, predicted(texts, "praise"))
    print(f"praise, TweetEval sentiment test positive vs rest ({len(texts):,}): macro F1 {f1:.1f}")
    with (data_dir / "banking77" / "banking77.csv").open(encoding="utf-8", newline="") as fh:
        bank = [r for r in csv.DictReader(fh) if r["split"] == "test"]
    texts = [r["text"] for r in bank]
    results = classify_texts(texts, languages=False)
    for intent, truth in (
        ("question", [int(bool(ASKS.search(t))) for t in texts]),
        ("request", [int(r["intent"] in BANKING_REQUESTS) for r in bank]),
        ("complaint", [int(r["intent"] in BANKING_PROBLEMS) for r in bank]),
    ):
        pred = [int(r.intents[intent] >= 0.5) for r in results]
        print(f"{intent}, BANKING77 test ({len(texts):,}): macro F1 {macro_f1(truth, pred):.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--throughput", action="store_true")
    ap.add_argument("--src", type=Path, default=ROOT / "src", help="the tree to import tending from")
    args = ap.parse_args()
    sys.path.insert(0, str(args.src))
    folder = args.data_dir / "tweeteval-sentiment"
    if not (folder / "test_text.txt").exists():
        print(f"skipped: {folder} not found (the benchmark needs ../shared/data)")
        return
    if args.throughput:
        texts = (folder / "test_text.txt").read_text(encoding="utf-8").splitlines()
        print(
            f"{args.src}: classify_texts {throughput(texts):,.0f} messages/s (one thread, best of {ROUNDS})"
        )
        return
    accuracy(args.data_dir)


if __name__ == "__main__":
    main()
