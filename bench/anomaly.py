"""Spike detection scored by NAB's rules, one threshold over everything, and its throughput.

    .venv/bin/python bench/anomaly.py [--data-dir ../shared/data/nab-realtweets] [--per-family 8]
    .venv/bin/python bench/anomaly.py --cv          # choose settings by leave-one-family-out

Corpus: NAB realTweets (when the data folder is there), the same counts thinned to 2 % by binomial
thinning (a channel of a few messages an hour, same windows), and series from
`tending.detection.generate` (continuous metrics and counts with known changes, NAB-style windows).
Every series is scored by `AutoDetector` (the `tending detect-anomalies` model: it types the series
itself). Scores: the corpus-wide threshold (NAB's rule), each group at that same threshold, and
leave-one-file-out (each file at the threshold chosen on all the others).
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tending.detection.auto import CONTINUOUS, COUNTS, AutoDetector  # noqa: E402
from tending.detection.csvstream import detect_stream, read_rows  # noqa: E402
from tending.detection.detector import DetectorConfig  # noqa: E402
from tending.detection.generate import corpus, thin_counts  # noqa: E402
from tending.detection.nab import (  # noqa: E402
    PROFILES,
    STANDARD,
    FileLayout,
    Profile,
    layout_file,
    load_windows,
    raw_at,
    score_at,
    score_corpus,
    sweep_file,
)

WINDOWS_FILE = "combined_windows.realTweets.json"
THIN_KEEP = 0.02


@dataclass(frozen=True)
class Item:
    name: str
    group: str
    timestamps: np.ndarray
    values: np.ndarray
    layout: FileLayout


def load_items(data_dir: Path, per_family: int, seed: int) -> list[Item]:
    items: list[Item] = []
    windows_path = data_dir / WINDOWS_FILE
    if windows_path.exists():
        windows = load_windows(windows_path)
        for k, path in enumerate(sorted(p for p in data_dir.glob("*.csv") if p.name in windows)):
            with path.open(encoding="utf-8", newline="") as src:
                rows = list(read_rows(src, source=str(path)))
            stamps = np.array([r.epoch for r in rows], dtype="datetime64[s]")
            values = np.array([r.value for r in rows], dtype=np.float64)
            layout = layout_file(stamps, windows[path.name])
            items.append(Item(path.stem, "realTweets", stamps, values, layout))
            thinned = thin_counts(values, THIN_KEEP, seed=1000 + k)
            items.append(Item(path.stem + "_thin", "realTweets_thin2pct", stamps, thinned, layout))
    else:
        print(f"note: NAB realTweets not found at {data_dir}; generated series only")
    for series in corpus(per_family, seed=seed):
        layout = layout_file(series.timestamps, list(series.windows))
        items.append(Item(series.name, series.family, series.timestamps, series.values, layout))
    return items


def score_items(
    items: Sequence[Item], continuous: DetectorConfig = CONTINUOUS, counts: DetectorConfig = COUNTS
) -> dict[str, np.ndarray]:
    return {
        it.name: AutoDetector(counts=counts, continuous=continuous).score(it.timestamps, it.values)
        for it in items
    }


def lofo(scores: Mapping[str, np.ndarray], layouts: Mapping[str, FileLayout], profile: Profile) -> float:
    """Each file scored at the threshold chosen on all the other files.

    Thresholds are searched on a grid of 1e-4 over [0.2, 1] (each file's raw score read at every grid
    point once), which keeps this linear in the number of files.
    """
    grid = np.arange(0.2, 1.0001, 1e-4)
    names = list(layouts)
    table = np.empty((len(names), grid.size))
    for row, name in enumerate(names):
        sweep = sweep_file(scores[name], layouts[name], profile)
        asc = sweep.thresholds[::-1]
        table[row] = sweep.raw[::-1][np.searchsorted(asc, grid, side="left")]
    total = table.sum(axis=0)
    raw = sum(float(table[row, int(np.argmax(total - table[row]))]) for row in range(len(names)))
    n_windows = sum(layout.n_windows for layout in layouts.values())
    null, perfect = -profile.fn_weight * n_windows, profile.tp_weight * n_windows
    return 100.0 * (raw - null) / (perfect - null)


def report(items: Sequence[Item], scores: Mapping[str, np.ndarray]) -> None:
    layouts = {it.name: it.layout for it in items}
    windows = sum(layout.n_windows for layout in layouts.values())
    print(f"{len(items)} series, {sum(it.values.size for it in items):,} rows, {windows} windows")
    print(f"{'profile':<22}{'score':>8}{'threshold':>11}{'LOFO':>8}")
    for profile in PROFILES:
        result = score_corpus(scores, layouts, profile)
        print(
            f"{result.profile:<22}{result.score:>8.1f}{result.threshold:>11.4f}"
            f"{lofo(scores, layouts, profile):>8.1f}"
        )
    threshold = score_corpus(scores, layouts, STANDARD).threshold
    print(
        f"\nstandard profile by group, at the one corpus-wide threshold {threshold:.4f}"
        " (own best in brackets)"
    )
    groups = sorted({it.group for it in items}, key=lambda g: (not g.startswith("realTweets"), g))
    for group in groups:
        sub = {it.name: it.layout for it in items if it.group == group}
        n_win = sum(layout.n_windows for layout in sub.values())
        detections = sum(int(np.sum(scores[name][lay.scored] >= threshold)) for name, lay in sub.items())
        if n_win == 0:
            raw = sum(raw_at(sweep_file(scores[name], lay, STANDARD), threshold) for name, lay in sub.items())
            print(f"  {group:<22} no windows: {detections} detections, raw {raw:.2f}")
            continue
        own_result = score_corpus(scores, sub, STANDARD)
        own = own_result.score
        at = score_at(scores, sub, STANDARD, threshold)
        print(
            f"  {group:<22}{at:>7.1f} ({own:.1f} at {own_result.threshold:.3f})"
            f"  {len(sub)} series, {n_win} windows, {detections} detections"
        )


def _best_rate(rows: int, repeat: int, run: Callable[[], object]) -> tuple[float, float]:
    """Best points/s over `repeat` runs, by wall clock and by this process's CPU time (one thread: the
    CPU-time rate is what one core gives, whatever else the machine is running)."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        run()
        wall, cpu = min(wall, time.perf_counter() - w0), min(cpu, time.process_time() - c0)
    return rows / wall, rows / cpu


def throughput(data_dir: Path, items: Sequence[Item], repeat: int) -> None:
    files = sorted(data_dir.glob("Twitter_volume_*.csv"))
    if files:
        texts = [p.read_text(encoding="utf-8") for p in files]
        rows = sum(t.count("\n") - 1 for t in texts)
        wall, cpu = _best_rate(
            rows,
            repeat,
            lambda: [detect_stream(io.StringIO(t), io.StringIO(), source="bench") for t in texts],
        )
        print(
            f"throughput: {wall:,.0f} points/s wall, {cpu:,.0f} per CPU-second"
            f" (realTweets, CSV parse + detect + CSV write, best of {repeat})"
        )
    rows = sum(it.values.size for it in items)
    wall, cpu = _best_rate(
        rows, repeat, lambda: [AutoDetector().score(it.timestamps, it.values) for it in items]
    )
    print(
        f"throughput: {wall:,.0f} points/s wall, {cpu:,.0f} per CPU-second"
        f" (AutoDetector.score on the whole corpus in memory, best of {repeat})"
    )


def parse_overrides(pairs: Sequence[str], base: DetectorConfig) -> DetectorConfig:
    """`base` with `KEY=VALUE` changes."""
    kinds = {f.name: f.type for f in fields(DetectorConfig)}
    changes: dict[str, object] = {}
    for pair in pairs:
        key, _, text = pair.partition("=")
        if key not in kinds:
            raise SystemExit(f"unknown setting {key!r}")
        if key == "window_hours":
            changes[key] = tuple(float(v) for v in text.split(",") if v)
        elif key in ("transform", "direction"):
            changes[key] = text
        else:
            changes[key] = float(text)
    return replace(base, **changes)  # type: ignore[arg-type]


# Candidate settings of the continuous model for the cross-validation (counts keep theirs): the
# single-row tail, and the one-alert-per-event pause (its length and the line that opens it).
GRID: dict[str, DetectorConfig] = {
    "chosen": CONTINUOUS,
    "normal rows": replace(CONTINUOUS, row_tail_dof=None),
    "t5 rows": replace(CONTINUOUS, row_tail_dof=5.0),
    "pause 24h": replace(CONTINUOUS, refractory_hours=24.0),
    "pause 72h": replace(CONTINUOUS, refractory_hours=72.0),
    "line 4.0": replace(CONTINUOUS, refractory_sigmas=4.0, hold_sigmas=3.5, z_half=4.0),
    "line 3.5": replace(CONTINUOUS, refractory_sigmas=3.5, hold_sigmas=3.0, z_half=3.5),
    "line 2.5": replace(CONTINUOUS, refractory_sigmas=2.5, hold_sigmas=2.0, z_half=2.5),
    "no flat-line": replace(CONTINUOUS, flatline=False),
    "counts' settings": replace(
        DetectorConfig(), transform="identity", counts=False, direction="both", variance_prior=1.0
    ),
}


def cross_validate(items: Sequence[Item]) -> None:
    """Leave one generated family out: settings and threshold chosen on the other families only."""
    generated = [it for it in items if not it.group.startswith("realTweets")]
    families = sorted({it.group for it in generated})
    runs = {label: score_items(generated, cfg) for label, cfg in GRID.items()}
    layouts = {it.name: it.layout for it in generated}
    print("in-sample, all generated families:")
    for label, scores in runs.items():
        print(f"  {label:<18}{score_corpus(scores, layouts, STANDARD).score:>7.1f}")
    raw = 0.0
    picks: list[str] = []
    for family in families:
        train = {it.name: it.layout for it in generated if it.group != family}
        test = {it.name: it.layout for it in generated if it.group == family}
        best_label = max(runs, key=lambda label: score_corpus(runs[label], train, STANDARD).score)
        threshold = score_corpus(runs[best_label], train, STANDARD).threshold
        picks.append(best_label)
        raw += sum(
            raw_at(sweep_file(runs[best_label][n], lay, STANDARD), threshold) for n, lay in test.items()
        )
    n_windows = sum(layout.n_windows for layout in layouts.values())
    held_out = 100.0 * (raw + n_windows) / (2 * n_windows)
    print(f"leave-one-family-out, settings and threshold chosen on the others: {held_out:.1f}")
    print("  picked: " + ", ".join(f"{f}={p}" for f, p in zip(families, picks, strict=True)))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".." / "shared" / "data" / "nab-realtweets")
    parser.add_argument("--per-family", type=int, default=8, help="Generated series per family.")
    parser.add_argument("--seed", type=int, default=1, help="Seed of the generated corpus.")
    parser.add_argument("--repeat", type=int, default=3, help="Timing repeats (best is reported).")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="Continuous model setting."
    )
    parser.add_argument(
        "--counts-set", action="append", default=[], metavar="KEY=VALUE", help="Counts model setting."
    )
    parser.add_argument("--cv", action="store_true", help="Leave-one-family-out choice of settings.")
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args()
    data_dir: Path = args.data_dir.resolve()
    items = load_items(data_dir, args.per_family, args.seed)
    if args.cv:
        cross_validate(items)
        return 0
    scores = score_items(
        items, parse_overrides(args.set, CONTINUOUS), parse_overrides(args.counts_set, COUNTS)
    )
    report(items, scores)
    if not args.no_timing:
        throughput(data_dir, items, max(1, args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
