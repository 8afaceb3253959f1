"""Encode the sentiment training and validation tweets with MiniLM once, for `train_triage.py --embeddings`.

    .venv/bin/python scripts/encode_triage.py --data-dir ../shared/data --out /tmp/emb [--threads 1]

Writes emb_val_000.npy and emb_train_NNN.npy (5,000 tweets each, float16, in the training script's load
order: SemEval files, then VADER's tweets) into --out, which should be outside the repository. Chunks
already there are skipped, so an interrupted run resumes. About 20 minutes on one loaded CPU core.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from train_triage import load_semeval, load_vader  # noqa: E402

CHUNK = 5000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    from tending.triage.embeddings import embed

    texts, _ = load_semeval(args.data_dir / "semeval2017-train")
    texts += load_vader(args.data_dir / "vader-tweets" / "tweets_GroundTruth.txt")[0]
    val = (args.data_dir / "tweeteval-sentiment" / "val_text.txt").read_text().splitlines()
    jobs = [("val", 0, val)]
    jobs += [("train", i // CHUNK, texts[i : i + CHUNK]) for i in range(0, len(texts), CHUNK)]
    args.out.mkdir(parents=True, exist_ok=True)
    for kind, k, chunk in jobs:
        path = args.out / f"emb_{kind}_{k:03d}.npy"
        if path.exists():
            continue
        t = time.perf_counter()
        np.save(path, embed(chunk, batch_size=64).astype(np.float16))
        rate = len(chunk) / (time.perf_counter() - t)
        print(f"{path.name}: {len(chunk):,} tweets, {rate:.0f}/s", flush=True)


if __name__ == "__main__":
    main()
