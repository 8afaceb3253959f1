"""Sales lift vs R CausalImpact on its reference series: relative effect, 95% bounds and verdict.

Usage: python bench/lift.py [--data-dir DIR] [--simulations N] [--seed N | --seeds 1,2,3]
Targets: relative effect within 2 points of R's, bounds within 3, same verdict at p < 0.05.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
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
    ap.add_argument("--simulations", type=int, default=1000, help="kept Gibbs draws per series")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--seeds", default="", help="comma-separated seeds: one row each, then the spread")
    args = ap.parse_args()
    if not args.data_dir.is_dir():
        print(f"skipped: no reference data at {args.data_dir}")
        return 0
    seeds = [int(v) for v in args.seeds.split(",") if v.strip()] or [args.seed]
    head = f"{'series':8} {'seed':>4} {'R rel [lo, hi] p':30} {'tending rel [lo, hi] p':34}"
    print(f"{head} {'d rel':>6} {'d lo':>6} {'d hi':>6} {'sec':>5} ok")
    all_ok = True
    for name, (file, pre, post) in CASES.items():
        r = parse_r_summary((args.data_dir / f"{name}_R_summary.txt").read_text())
        table = read_series(args.data_dir / file)
        y_col, x_cols = choose_columns(table.frame, y=None, controls=None)
        pre_rng, post_rng = resolve_periods(table, pre=pre, post=post)
        figures: list[tuple[float, float, float]] = []
        for seed in seeds:
            started = time.perf_counter()
            res = estimate_lift(
                y=table.frame[y_col].to_numpy(dtype=float),
                x=table.frame[x_cols].to_numpy(dtype=float),
                pre=pre_rng,
                post=post_rng,
                labels=table.labels,
                n_simulations=args.simulations,
                seed=seed,
            )
            elapsed = time.perf_counter() - started
            s = res.summary
            rel, lo, hi = (
                100 * s.relative_effect.estimate,
                100 * s.relative_effect.lower,
                100 * s.relative_effect.upper,
            )
            figures.append((rel, lo, hi))
            d = (rel - r["rel"], lo - r["lo"], hi - r["hi"])
            ok = abs(d[0]) <= 2 and abs(d[1]) <= 3 and abs(d[2]) <= 3
            ok &= (s.p_value < 0.05) == (r["p"] < 0.05)
            all_ok &= ok
            rs = f"{r['rel']:+.0f}% [{r['lo']:+.0f}, {r['hi']:+.0f}] p={r['p']:.3g}"
            ts = f"{rel:+.1f}% [{lo:+.1f}, {hi:+.1f}] p={s.p_value:.3g}"
            cols = f"{d[0]:+6.1f} {d[1]:+6.1f} {d[2]:+6.1f} {elapsed:5.1f}"
            print(f"{name:8} {seed:4d} {rs:30} {ts:34} {cols} {'yes' if ok else 'NO'}")
        if len(figures) > 1:
            spread = [max(f[i] for f in figures) - min(f[i] for f in figures) for i in range(3)]
            print(
                f"{name:8} spread over seeds (max - min): rel {spread[0]:.1f}, lower {spread[1]:.1f}, "
                f"upper {spread[2]:.1f} points"
            )
    print("all targets met" if all_ok else "some targets missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
