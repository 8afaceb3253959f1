"""Encode the sentiment training tweets with MiniLM once, for `train_triage.py --embeddings`.

    .venv/bin/python scripts/encode_triage.py --data-dir ../shared/data --out /tmp/emb [--threads 2]

Writes, per 5,000 tweets in the training script's load order (SemEval files, then VADER's tweets), what
`tending.triage.embeddings.encode` gives: pooled_NNN.npy (layer means), tokens_NNN.npy (every token's
states, end to end) and lengths_NNN.npy (tokens per tweet), float16, into --out, which should be outside
the repository (about 3.8 GB). Chunks already there are skipped, so an interrupted run resumes. About 7
minutes with 2 threads.
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
    from tending.triage.embeddings import encode

    texts = load_training(args.data_dir)[0]
    args.out.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(texts), CACHE_CHUNK):
        path = args.out / f"lengths_{start // CACHE_CHUNK:03d}.npy"  # written last
        if path.exists():
            continue
        chunk = texts[start : start + CACHE_CHUNK]
        t = time.perf_counter()
        means, tokens = encode(chunk)
        np.save(args.out / f"pooled_{start // CACHE_CHUNK:03d}.npy", means.astype(np.float16))
        np.save(
            args.out / f"tokens_{start // CACHE_CHUNK:03d}.npy", np.concatenate(tokens).astype(np.float16)
        )
        np.save(path, np.array([len(x) for x in tokens]))
        print(
            f"{path.name}: {len(chunk):,} tweets, {len(chunk) / (time.perf_counter() - t):.0f}/s", flush=True
        )


if __name__ == "__main__":
    main()
