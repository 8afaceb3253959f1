"""Sales lift vs R CausalImpact on its reference series: relative effect, 95% bounds and verdict.

Usage: python bench/lift.py [--data-dir DIR] [--level-sd prior|free|SD] [--simulations N]
Targets: relative effect within 2 points of R's, bounds within 3, same verdict at p < 0.05.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from tending.lift.service import choose_columns, estimate_lift, read_series, resolve_periods

ROOT = Path(__file__).resolve().parents[1]
CASES = {
    "google": ("google_data.csv", ("2020-01-01", "2020-03-01"), ("2020-03-02", "2020-03-31")),
    "volks": ("volks_data.csv", ("2011-01-02", "2015-09-13"), ("2015-09-20", "2017-03-19")),
}


def parse_r_summary(text: str) -> dict[str, float]:
    """Relative effect and its 95% bounds (in %) and p, read from R's `summary(impact)` print-out."""
    rel = re.search(r"Relative effect \(s\.d\.\)\s+(-?[\d.]+)%", text)
    ci = re.findall(r"95% CI\s+\[(-?[\d.]+)%?,\s*(-?[\d.]+)%?\]", text)
    p = re.search(r"tail-area probability p:\s+([\d.eE-]+)", text)
    if rel is None or len(ci) < 3 or p is None:
        raise ValueError("unrecognised R summary")
    return {"rel": float(rel.group(1)), "lo": float(ci[2][0]), "hi": float(ci[2][1]), "p": float(p.group(1))}


def main() -> int:
    ap = argparse.ArgumentParser()
    default_dir = ROOT / ".." / "shared" / "data" / "causalimpact-reference"
    ap.add_argument("--data-dir", type=Path, default=default_dir)
    ap.add_argument(
        "--level-sd", default="0.01", help="'prior' (mode under R's prior), 'free' (MLE) or an sd"
    )
    ap.add_argument("--simulations", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if not args.data_dir.is_dir():
        print(f"skipped: no reference data at {args.data_dir}")
        return 0
    level_sd: float | str = args.level_sd if args.level_sd in ("prior", "free") else float(args.level_sd)
    head = f"{'series':8} {'R rel [lo, hi] p':30} {'tending rel [lo, hi] p':34}"
    print(f"{head} {'d rel':>6} {'d lo':>6} {'d hi':>6} ok")
    all_ok = True
    for name, (file, pre, post) in CASES.items():
        r = parse_r_summary((args.data_dir / f"{name}_R_summary.txt").read_text())
        table = read_series(args.data_dir / file)
        y_col, x_cols = choose_columns(table.frame, y=None, controls=None)
        pre_rng, post_rng = resolve_periods(table, pre=pre, post=post)
        res = estimate_lift(
            y=table.frame[y_col].to_numpy(dtype=float),
            x=table.frame[x_cols].to_numpy(dtype=float),
            pre=pre_rng,
            post=post_rng,
            labels=table.labels,
            n_simulations=args.simulations,
            seed=args.seed,
            level_sd=level_sd,
        )
        s = res.summary
        rel, lo, hi = (
            100 * s.relative_effect.estimate,
            100 * s.relative_effect.lower,
            100 * s.relative_effect.upper,
        )
        d = (rel - r["rel"], lo - r["lo"], hi - r["hi"])
        ok = abs(d[0]) <= 2 and abs(d[1]) <= 3 and abs(d[2]) <= 3 and (s.p_value < 0.05) == (r["p"] < 0.05)
        all_ok &= ok
        rs = f"{r['rel']:+.0f}% [{r['lo']:+.0f}, {r['hi']:+.0f}] p={r['p']:.3g}"
        ts = f"{rel:+.1f}% [{lo:+.1f}, {hi:+.1f}] p={s.p_value:.3g}"
        print(f"{name:8} {rs:30} {ts:34} {d[0]:+6.1f} {d[1]:+6.1f} {d[2]:+6.1f} {'yes' if ok else 'NO'}")
    print("all targets met" if all_ok else "some targets missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
