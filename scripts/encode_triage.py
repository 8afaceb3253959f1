"""Encode the sentiment training tweets with the frozen MiniLM once, for `train_triage.py --lexicon`.

    .venv/bin/python scripts/encode_triage.py --data-dir ../shared/data --out /tmp/emb [--threads 2]

Writes, per 5,000 tweets in the training script's load order (SemEval files, then VADER's tweets), what
`tending.triage.embeddings.pooled_layers` gives (the mean of each layer over tokens) as pooled_NNN.npy,
float16, into --out, which should be outside the repository (about 250 MB). Chunks already there are
skipped, so an interrupted run resumes. About 6 minutes with 2 threads.
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

from train_triage import CACHE_CHUNK, load_training  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    from tending.triage.embeddings import pooled_layers

    texts = load_training(args.data_dir)[0]
    args.out.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(texts), CACHE_CHUNK):
        path = args.out / f"pooled_{start // CACHE_CHUNK:03d}.npy"
        if path.exists():
            continue
        chunk = texts[start : start + CACHE_CHUNK]
        t = time.perf_counter()
        means = pooled_layers(chunk)
        partial = path.with_name(f"partial_{path.name}")
        np.save(partial, means.astype(np.float16))
        partial.replace(path)  # a chunk is there whole or not at all
        print(
            f"{path.name}: {len(chunk):,} tweets, {len(chunk) / (time.perf_counter() - t):.0f}/s", flush=True
        )


if __name__ == "__main__":
    main()
