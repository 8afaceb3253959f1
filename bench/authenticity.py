r"""Authenticity score: throughput (target >= 50,000 accounts/s) and checks on populations built honestly.

    .venv/bin/python bench/authenticity.py --accounts 200000 [--data-dir ../shared/data]

1. Throughput: a generated population (real-like and fake-like profiles as in tests/audience), scored
   with reasons and verdicts.
2. Bought followers against people (a proxy: no bought follower is in the data we have). People are the
   unverified accounts labelled human in `bot-accounts-train`, each scored by weights fitted on the
   other four folds (ages at 2017-03-15). Bought followers are generated from the description of what
   follower vendors sell: very few followers (geometric, median 4), following 50 to 2,000 (log-uniform),
   no posts in 60% and otherwise 1 to 30, a default avatar in 60%, an empty bio in 70%, 10 to 500 days
   old, created in batches of 5 to 30 within the same hour. Figures are bot F1 at the documented cut
   (score below 0.5) next to the rule "fewer than 30 followers". The generator's ranges are assumptions;
   the figure says the score catches accounts of that shape, not what it does on a vendor's real stock.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from tests.audience.test_authenticity import NOW, population  # noqa: E402

from tending.audience.authenticity import (  # noqa: E402
    FITTED,
    PRIORS,
    Profiles,
    Weights,
    account_features,
    score_accounts,
)
from tending.audience.verdict import FAKE_BELOW, Verdict  # noqa: E402

COLUMNS = ("created_at", "followers", "following", "posts", "default_avatar", "bio", "verified")


def bought_followers(n: int, *, as_of: datetime, seed: int = 3) -> Profiles:
    rng = np.random.default_rng(seed)
    created: list[datetime | None] = []
    while len(created) < n:  # batches created within the same hour
        start = as_of - timedelta(days=float(rng.uniform(10, 500)))
        created.extend(start + timedelta(minutes=float(m)) for m in rng.uniform(0, 59, rng.integers(5, 31)))
    posts = np.where(rng.random(n) < 0.6, 0, rng.integers(1, 31, n))
    return Profiles(
        handle=[
            f"{rng.choice(['anna', 'mark', 'lucy', 'tom'])}{rng.integers(100, 99_999)}" for _ in range(n)
        ],
        created_at=created[:n],
        followers=(rng.geometric(0.15, n) - 1).tolist(),
        following=np.exp(rng.uniform(np.log(50), np.log(2000), n)).astype(int).tolist(),
        posts=posts.tolist(),
        default_avatar=(rng.random(n) < 0.6).tolist(),
        bio=["" if e else "music and friends" for e in rng.random(n) < 0.7],
    )


def f1(fake: np.ndarray, flagged: np.ndarray) -> float:
    tp = float(np.sum(fake & flagged))
    return 200 * tp / max(float(np.sum(fake) + np.sum(flagged)), 1.0)


def bought_follower_check(data_dir: Path) -> None:
    from train_authenticity import OBSERVED, PRIOR_WEIGHTS, fit

    from tending.audience.commands import read_profiles

    rows, people = read_profiles(data_dir / "bot-accounts-train" / "accounts.csv")
    y = np.array([r["label"] == "human" for r in rows], dtype=float)
    feats = account_features(people, as_of=OBSERVED).matrix
    x, offset = (
        feats[:, : len(FITTED)],
        feats[:, len(FITTED) :] @ np.array([PRIOR_WEIGHTS[k] for k in PRIORS]),
    )
    fold = np.random.default_rng(0).permutation(len(y)) % 5
    unverified = np.array([not v for v in people.verified or []])
    fakes = bought_followers(2000, as_of=OBSERVED)
    fake_followers = np.array(fakes.followers, dtype=float)
    human_followers = np.array([np.nan if v is None else v for v in people.followers or []], dtype=float)
    model_f1, rule_f1 = [], []
    for i in range(5):
        intercept, coef = fit(x[fold != i], y[fold != i], offset[fold != i], 0.1)
        weights = Weights(intercept, {**dict(zip(FITTED, coef, strict=True)), **PRIOR_WEIGHTS})
        held = np.flatnonzero((fold == i) & (y == 1) & unverified)
        humans = Profiles(
            handle=[people.handle[j] for j in held],
            **{k: [getattr(people, k)[j] for j in held] for k in COLUMNS},
        )
        s_h = np.array([s.score for s in score_accounts(humans, now=OBSERVED, weights=weights)])
        s_f = np.array([s.score for s in score_accounts(fakes, now=OBSERVED, weights=weights)])
        truth = np.r_[np.zeros(len(s_h), bool), np.ones(len(s_f), bool)]
        model_f1.append(f1(truth, np.r_[s_h, s_f] < FAKE_BELOW))
        rule_f1.append(f1(truth, np.r_[human_followers[held], fake_followers] < 30))
    print(
        f"generated bought followers (2,000) against held-out unverified people of bot-accounts-train: "
        f"bot F1 at score < {FAKE_BELOW}: {np.mean(model_f1):.1f} "
        f"(folds {min(model_f1):.1f}-{max(model_f1):.1f}); "
        f"rule 'fewer than 30 followers' {np.mean(rule_f1):.1f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accounts", type=int, default=200_000)
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    args = ap.parse_args()
    half = args.accounts // 2
    profiles, fake = population(n_real=half, n_fake=args.accounts - half, seed=7)
    t, c = time.perf_counter(), time.process_time()
    scores = score_accounts(profiles, now=NOW)
    elapsed, cpu = time.perf_counter() - t, time.process_time() - c
    correct = sum((s.verdict == Verdict.likely_fake) == f for s, f in zip(scores, fake, strict=True))
    print(
        f"scored {len(scores):,} accounts in {elapsed:.2f}s: {len(scores) / elapsed:,.0f} accounts/s "
        f"(target >= 50,000), reasons and verdicts included; {len(scores) / cpu:,.0f} per CPU-second "
        "(one thread: what one core gives, whatever else the machine runs)"
    )
    print(
        f"synthetic population of the tests: {100 * correct / len(scores):.1f}% with the right verdict side"
    )
    if (args.data_dir / "bot-accounts-train" / "accounts.csv").exists():
        bought_follower_check(args.data_dir)
    else:
        print(f"no bot-accounts-train under {args.data_dir}: the bought-follower check is skipped")


if __name__ == "__main__":
    main()
