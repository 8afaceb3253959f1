"""Numenta Anomaly Benchmark (NAB) scoring, written from the rules in the NAB paper and README.

Rules, as applied here:

* Each labelled anomaly window [start, end] (timestamps of rows in the file) rewards the *first*
  detection inside it with `A_tp * sigma(y) / sigma(-1)`, where y = -(right - i + 1) / width is the
  row's relative position (−1 at the window's first row, →0 at its last) and
  sigma(y) = 2 / (1 + exp(5 y)) - 1. Later detections in the same window count for nothing.
* A window with no detection costs `A_fn`.
* A detection outside every window costs `A_fp * sigma(y)` with y = |i - prev_right| / (prev_width - 1)
  measured from the previous window's last row (sigma is negative there, → −1 three widths out); a
  detection before the first window gets the full −1. So a detection just after a window costs little.
* Rows in the probationary period (the first min(floor(0.15 n), 750) rows) are ignored.
* A detector's threshold is chosen per profile to maximise its raw score summed over the corpus; the
  reported score is 100 * (raw - null) / (perfect - null), null being a detector that never fires
  (every window missed) and perfect one that fires on each window's first row.

Profiles (NAB 1.x `config/profiles.json`): standard A_tp=1, A_fp=0.11, A_fn=1; reward_low_FP_rate
A_fp=0.22; reward_low_FN_rate A_fn=2. (TN weight 1.0 is listed but true negatives score nothing.)
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

PROBATION_PERCENT = 0.15


@dataclass(frozen=True)
class Profile:
    name: str
    tp_weight: float
    fp_weight: float
    fn_weight: float


STANDARD = Profile("standard", tp_weight=1.0, fp_weight=0.11, fn_weight=1.0)
REWARD_LOW_FP = Profile("reward_low_FP_rate", tp_weight=1.0, fp_weight=0.22, fn_weight=1.0)
REWARD_LOW_FN = Profile("reward_low_FN_rate", tp_weight=1.0, fp_weight=0.11, fn_weight=2.0)
PROFILES = (STANDARD, REWARD_LOW_FP, REWARD_LOW_FN)


def scaled_sigmoid(position: float) -> float:
    """NAB's weighting: +0.987 at a window's start, 0 at its end, → −1 past it (exactly −1 from 3 on)."""
    if position >= 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


MAX_TP = scaled_sigmoid(-1.0)


@dataclass(frozen=True)
class FileLayout:
    """Per-row scoring weights of one data file, independent of any detector."""

    window_of_row: NDArray[np.int64]  # window index, −1 outside windows
    tp_value: NDArray[np.float64]  # sigma/maxTP inside windows (times A_tp later)
    fp_value: NDArray[np.float64]  # sigma outside windows (negative; times A_fp later)
    scored: NDArray[np.bool_]  # False in the probationary period
    n_windows: int  # windows with at least one scored row


def probation_length(n_rows: int) -> int:
    return int(min(math.floor(PROBATION_PERCENT * n_rows), PROBATION_PERCENT * 5000))


def layout_file(
    timestamps: NDArray[np.datetime64], windows: Sequence[tuple[np.datetime64, np.datetime64]]
) -> FileLayout:
    """Place the windows on the rows of a file (windows given by their first and last timestamps)."""
    ts = np.asarray(timestamps, dtype="datetime64[us]")
    n = ts.shape[0]
    window_of_row = np.full(n, -1, dtype=np.int64)
    tp_value = np.zeros(n, dtype=np.float64)
    fp_value = np.full(n, -1.0, dtype=np.float64)
    prev_right: int | None = None
    prev_width = 0.0
    bounds = []
    for k, (start, end) in enumerate(sorted(windows)):
        edges = np.array([start, end], dtype="datetime64[us]")
        left = int(np.searchsorted(ts, edges[:1], side="left")[0])
        right = int(np.searchsorted(ts, edges[1:], side="right")[0]) - 1
        if right < left:
            continue
        bounds.append((k, left, right))
    cursor = 0
    for k, left, right in bounds:
        _fill_after(fp_value, cursor, left, prev_right, prev_width)
        width = float(right - left + 1)
        rows = np.arange(left, right + 1)
        position = -(right - rows + 1) / width
        tp_value[left : right + 1] = [scaled_sigmoid(p) / MAX_TP for p in position]
        window_of_row[left : right + 1] = k
        prev_right, prev_width, cursor = right, width, right + 1
    _fill_after(fp_value, cursor, n, prev_right, prev_width)
    scored = np.arange(n) >= probation_length(n)
    n_windows = len({int(w) for w in window_of_row[scored] if w >= 0})
    return FileLayout(window_of_row, tp_value, fp_value, scored, n_windows)


def _fill_after(
    fp_value: NDArray[np.float64], lo: int, hi: int, prev_right: int | None, prev_width: float
) -> None:
    if prev_right is None or hi <= lo:
        return  # before any window: keep −1
    rows = np.arange(lo, hi)
    denom = prev_width - 1.0
    if denom <= 0:
        fp_value[lo:hi] = -1.0
        return
    position = np.abs(prev_right - rows) / denom
    fp_value[lo:hi] = [scaled_sigmoid(p) for p in position]


@dataclass(frozen=True)
class Sweep:
    """Raw score of one file at every candidate threshold (detect when score >= threshold)."""

    thresholds: NDArray[np.float64]  # descending; the first is +inf (nothing detected)
    raw: NDArray[np.float64]


def sweep_file(scores: NDArray[np.float64], layout: FileLayout, profile: Profile) -> Sweep:
    """Raw NAB score at each distinct threshold, by walking rows from the highest score down."""
    s = np.asarray(scores, dtype=np.float64)[layout.scored]
    win = layout.window_of_row[layout.scored]
    tp = layout.tp_value[layout.scored] * profile.tp_weight
    fp = layout.fp_value[layout.scored] * profile.fp_weight
    order = np.argsort(-s, kind="stable")
    s, win, tp, fp = s[order], win[order], tp[order], fp[order]
    # Running FP cost and running best TP credit per window as the threshold lowers.
    fp_cum = np.cumsum(np.where(win < 0, fp, 0.0))
    gain = np.zeros(s.shape[0], dtype=np.float64)
    for w in np.unique(win[win >= 0]):
        mask = win == w
        best = np.maximum.accumulate(tp[mask])
        # Replacing the miss (−A_fn) by the best credit so far: record each increment where it happens.
        credit = best + profile.fn_weight
        gain[np.flatnonzero(mask)] = np.diff(np.r_[0.0, credit])
    raw_after = -profile.fn_weight * layout.n_windows + fp_cum + np.cumsum(gain)
    # Threshold t detects every row with score >= t: keep the last row of each run of equal scores.
    last_of_run = np.r_[s[1:] != s[:-1], True] if s.size else np.zeros(0, dtype=bool)
    thresholds = np.r_[np.inf, s[last_of_run]]
    raw = np.r_[-profile.fn_weight * layout.n_windows, raw_after[last_of_run]]
    return Sweep(thresholds, raw)


def raw_at(sweep: Sweep, threshold: float) -> float:
    """A file's raw score when detecting every row scoring >= `threshold`."""
    asc = sweep.thresholds[::-1]
    pos = int(np.searchsorted(asc, threshold, side="left"))
    return float(sweep.raw[::-1][pos])


@dataclass(frozen=True)
class ProfileResult:
    profile: str
    threshold: float
    raw: float
    null: float
    perfect: float
    score: float


def score_corpus(
    scores_by_file: Mapping[str, NDArray[np.float64]],
    layouts: Mapping[str, FileLayout],
    profile: Profile,
) -> ProfileResult:
    """Best single threshold over the whole corpus, and the normalised NAB score there."""
    sweeps = [sweep_file(scores_by_file[name], layouts[name], profile) for name in layouts]
    candidates = np.unique(np.concatenate([sw.thresholds for sw in sweeps]))[::-1]
    total = np.zeros(candidates.shape[0], dtype=np.float64)
    for sw in sweeps:
        # For threshold c, the file's state is that of its smallest own threshold >= c.
        asc = sw.thresholds[::-1]
        pos = np.searchsorted(asc, candidates, side="left")
        total += sw.raw[::-1][pos]
    best = int(np.argmax(total))
    n_windows = sum(layout.n_windows for layout in layouts.values())
    null = -profile.fn_weight * n_windows
    perfect = profile.tp_weight * n_windows
    raw = float(total[best])
    score = 100.0 * (raw - null) / (perfect - null) if perfect != null else 0.0
    return ProfileResult(profile.name, float(candidates[best]), raw, null, perfect, score)


def load_windows(path: Path) -> dict[str, list[tuple[np.datetime64, np.datetime64]]]:
    """NAB's `combined_windows*.json`: {"category/file.csv": [[start, end], ...]}, keyed by file name."""
    data = json.loads(path.read_text(encoding="utf-8"))
    windows: dict[str, list[tuple[np.datetime64, np.datetime64]]] = {}
    for key, pairs in data.items():
        windows[Path(key).name] = [
            (np.datetime64(start.replace(" ", "T"), "us"), np.datetime64(end.replace(" ", "T"), "us"))
            for start, end in pairs
        ]
    return windows


def score_at(
    scores_by_file: Mapping[str, NDArray[np.float64]],
    layouts: Mapping[str, FileLayout],
    profile: Profile,
    threshold: float,
) -> float:
    """Normalised NAB score of these files at a threshold chosen elsewhere (for example on other files)."""
    raw = sum(
        raw_at(sweep_file(scores_by_file[name], layout, profile), threshold)
        for name, layout in layouts.items()
    )
    n_windows = sum(layout.n_windows for layout in layouts.values())
    null, perfect = -profile.fn_weight * n_windows, profile.tp_weight * n_windows
    return 100.0 * (raw - null) / (perfect - null) if perfect != null else 0.0
