r"""Fit the authenticity score's weights on labelled accounts and report cross-validated figures.

    .venv/bin/python scripts/train_authenticity.py                 # report and write data/authenticity.json
    .venv/bin/python scripts/train_authenticity.py --report-only

Data: `bot-accounts-train/accounts.csv` (self-declared bots against people, observed around 2017-03-15, so
ages are measured at that date). The model is a logistic regression over the warning signs of
`tending.audience.authenticity` (each 0 for an unremarkable profile), fitted by L-BFGS-B with every weight
bounded to the sign its warning deserves and an L2 penalty; the two classes weigh the same, so 0.5 means
even odds whatever the sample's balance. The penalty is chosen by 5-fold cross-validation (log loss); the
figures printed are those folds' held-out scores. The prior-weighted signs (bursts, the same text,
creation clusters) keep their stated weights and enter the fit as fixed offsets.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from sklearn.metrics import f1_score, log_loss, roc_auc_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tending.audience import authenticity  # noqa: E402
from tending.audience.commands import read_profiles  # noqa: E402

OBSERVED = datetime(2017, 3, 15, tzinfo=UTC)
PRIOR_WEIGHTS = {"burst": -0.9, "duplicate_text": -1.4, "created_in_cluster": -1.2}


def fit(x: np.ndarray, y: np.ndarray, offset: np.ndarray, lam: float) -> tuple[float, np.ndarray]:
    """Intercept and sign-bounded weights of a class-balanced, L2-penalised logistic regression."""
    w = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    signs = np.array(list(authenticity.FITTED.values()))

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = theta[0] + x @ theta[1:] + offset
        p = 1 / (1 + np.exp(-z))
        value = float(np.sum(w * (np.logaddexp(0, z) - y * z)) + lam * theta[1:] @ theta[1:] / 2)
        grad = np.r_[np.sum(w * (p - y)), x.T @ (w * (p - y)) + lam * theta[1:]]
        return value, grad

    bounds = [(None, None)] + [(0.0, None) if s > 0 else (None, 0.0) for s in signs]
    res = minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    return float(res.x[0]), res.x[1:]


def cross_validated(x: np.ndarray, y: np.ndarray, offset: np.ndarray, lam: float, k: int = 5) -> np.ndarray:
    """Held-out probabilities of being genuine, folds stratified by label."""
    rng = np.random.default_rng(0)
    fold = np.empty(len(y), dtype=int)
    for label in (0, 1):
        rows = rng.permutation(np.flatnonzero(y == label))
        fold[rows] = np.arange(len(rows)) % k
    out = np.empty(len(y))
    for i in range(k):
        b, coef = fit(x[fold != i], y[fold != i], offset[fold != i], lam)
        out[fold == i] = 1 / (1 + np.exp(-(b + x[fold == i] @ coef + offset[fold == i])))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--report-only", action="store_true")
    args = ap.parse_args()
    rows, profiles = read_profiles(args.data_dir / "bot-accounts-train" / "accounts.csv")
    y = np.array([r["label"] == "human" for r in rows], dtype=float)
    f = authenticity.account_features(profiles, as_of=OBSERVED)
    n_fit = len(authenticity.FITTED)
    x = f.matrix[:, :n_fit]
    offset = f.matrix[:, n_fit:] @ np.array([PRIOR_WEIGHTS[k] for k in authenticity.PRIORS])
    print(
        f"{len(y):,} accounts ({int(y.sum()):,} people, {int((1 - y).sum()):,} bots), "
        f"ages at {OBSERVED:%Y-%m-%d}"
    )
    best: tuple[float, float, np.ndarray] | None = None
    for lam in (0.1, 1.0, 10.0, 30.0):
        p = cross_validated(x, y, offset, lam)
        loss = log_loss(y, p)
        bot_f1 = 100 * f1_score(1 - y, p < authenticity.FAKE_BELOW)
        print(
            f"  L2 {lam:g}: 5-fold log loss {loss:.4f}, AUC {100 * roc_auc_score(y, p):.1f}, "
            f"bot F1 {bot_f1:.1f}"
        )
        if best is None or loss < best[0]:
            best = (loss, lam, p)
    assert best is not None
    _, lam, p = best
    unverified = profiles.verified is not None and np.array([not v for v in profiles.verified])
    print(
        f"chosen L2 {lam:g}: 5-fold AUC {100 * roc_auc_score(y, p):.1f}, bot F1 at {authenticity.FAKE_BELOW} "
        f"{100 * f1_score(1 - y, p < authenticity.FAKE_BELOW):.1f}; unverified accounts only: AUC "
        f"{100 * roc_auc_score(y[unverified], p[unverified]):.1f}, bot F1 "
        f"{100 * f1_score(1 - y[unverified], p[unverified] < authenticity.FAKE_BELOW):.1f}"
    )
    followers = np.array([np.nan if v is None else v for v in profiles.followers or []], dtype=float)
    rule = followers < 30
    print(f"rule 'fewer than 30 followers' on the same accounts: bot F1 {100 * f1_score(1 - y, rule):.1f}")
    intercept, coef = fit(x, y, offset, lam)
    weights = {**dict(zip(authenticity.FITTED, np.round(coef, 4).tolist(), strict=True)), **PRIOR_WEIGHTS}
    print("weights:", ", ".join(f"{k} {v:+.3f}" for k, v in weights.items()), f"intercept {intercept:+.3f}")
    if args.report_only:
        return
    out = args.out or authenticity.WEIGHTS_PATH
    out.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "intercept": round(intercept, 4),
        "weights": weights,
        "fitted_on": "bot-accounts-train (2,227 accounts, ages at 2017-03-15); bursts, same text and "
        "creation clusters are priors",
        "l2": lam,
        "cross_validated": {
            "auc": round(100 * roc_auc_score(y, p), 1),
            "bot_f1": round(100 * f1_score(1 - y, p < authenticity.FAKE_BELOW), 1),
        },
    }
    out.write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
