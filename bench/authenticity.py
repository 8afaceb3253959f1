"""Account scoring throughput (target ≥ 50,000 accounts/s) and a sanity check on a generated population.

    .venv/bin/python bench/authenticity.py --accounts 200000

The population is synthetic (real-like and fake-like profiles as in tests/audience): its accuracy figure
only shows the score separates the two kinds it was designed for, not performance on a real audience.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.audience.test_authenticity import NOW, population  # noqa: E402

from tending.audience.authenticity import score_accounts  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accounts", type=int, default=200_000)
    args = ap.parse_args()
    half = args.accounts // 2
    profiles, fake = population(n_real=half, n_fake=args.accounts - half, seed=7)
    t = time.perf_counter()
    scores = score_accounts(profiles, now=NOW)
    elapsed = time.perf_counter() - t
    correct = sum((s.score < 0.5) == f for s, f in zip(scores, fake, strict=True))
    print(
        f"scored {len(scores):,} accounts in {elapsed:.2f}s: {len(scores) / elapsed:,.0f} accounts/s "
        f"(target >= 50,000), reasons included"
    )
    print(f"synthetic population: {100 * correct / len(scores):.1f}% on the right side of 0.5")


if __name__ == "__main__":
    main()
