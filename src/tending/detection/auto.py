"""One detector for any series: it tells counts from continuous metrics by itself and fits either.

The first day of a series (at least `MIN_ROWS` rows, at most `MAX_ROWS`) is only watched: every row
scores 0, as in the detector's own warm-up. At the end of it the series is typed from those rows alone:

* counts (every value a whole number >= 0: messages, visits, orders) go on the log scale with a
  Poisson noise term;
* anything else is continuous (CPU load, temperatures, revenue, latency): values are centred and scaled
  by that day's median and the robust spread of its row-to-row changes, so the same settings serve
  0.1 and 10,000.

Both alert on rises and on falls (a feed that goes silent, a machine cooling down, a KPI collapsing).

The watched rows are then replayed through the chosen model and scoring goes on row by row. Nothing
looks ahead: a row's score depends on it and the rows before it, and `AutoDetector.score` on chunks
gives exactly what `AutoDetector.update` gives one row at a time.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tending.detection.detector import (
    DetectorConfig,
    DetectorState,
    SpikeDetector,
    epoch_seconds,
    score_batch,
    to_epoch_seconds,
)

FloatArray = NDArray[np.float64]

WATCH_HOURS = 24.0
MIN_ROWS = 12
WINDOW_ROWS = (6, 24)
MAX_ROWS = 2016
# Robust spread of row-to-row changes: MAD / 0.6745 is a normal sd, and a difference of two
# independent rows has sqrt(2) times the spread of one.
MAD_TO_SD = 1.0 / (0.6745 * math.sqrt(2.0))
RELATIVE_SCALE_FLOOR = 1e-6


class SeriesKind(StrEnum):
    counts = "counts"
    continuous = "continuous"


def infer_kind(values: ArrayLike) -> SeriesKind:
    """Counts when every value is a whole number and none is negative; continuous otherwise."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.size and bool(np.all(arr >= 0)) and bool(np.all(arr == np.floor(arr))):
        return SeriesKind.counts
    return SeriesKind.continuous


def infer_step_seconds(epochs: ArrayLike, default: float = 300.0) -> float:
    """The bucket size, as the median gap between rows (repeated timestamps ignored)."""
    gaps = np.diff(np.asarray(epochs, dtype=np.int64))
    gaps = gaps[gaps > 0]
    return float(np.median(gaps)) if gaps.size else default


def robust_scale(values: ArrayLike) -> tuple[float, float]:
    """Median and the noise spread (from the median absolute row-to-row change), never zero."""
    arr = np.asarray(values, dtype=np.float64)
    center = float(np.median(arr))
    diffs = np.abs(np.diff(arr))
    spread = float(np.median(diffs)) * MAD_TO_SD if diffs.size else 0.0
    if spread <= 0.0:
        spread = float(np.mean(diffs)) * MAD_TO_SD if diffs.size else 0.0
    floor = max(abs(center), 1.0) * RELATIVE_SCALE_FLOOR
    return center, max(spread, floor)


# Counts keep the settings measured on message volumes (see BENCHMARKS.md) but alert both ways: a file
# may hold visits, speeds or bytes, where a fall matters as much as a rise (the desk's own volume alerts
# keep rises only). Continuous metrics differ more: their single rows are read as Student-t (10 degrees
# of freedom: real metrics throw more 5-sigma rows than a normal law), a stuck value alerts, and one
# alert per event means a 48-hour pause opened from 3 sigmas; chosen by leave-one-family-out over
# generated series (bench/anomaly.py --cv). Both score 0.5 at their alert line (`z_half`), so one
# threshold means the same on either kind.
COUNTS = DetectorConfig(direction="both")
CONTINUOUS = DetectorConfig(
    transform="identity",
    counts=False,
    direction="both",
    variance_prior=1.0,
    row_tail_dof=10.0,
    flatline=True,
    refractory_hours=48.0,
    refractory_sigmas=3.0,
    hold_sigmas=2.5,
    z_half=3.0,
)


def choose_config(
    epochs: ArrayLike,
    values: ArrayLike,
    *,
    counts: DetectorConfig = COUNTS,
    continuous: DetectorConfig = CONTINUOUS,
) -> DetectorConfig:
    """Type the watched rows and set the detector up for them (bucket size, and units when continuous)."""
    step = infer_step_seconds(epochs)
    windows = tuple(rows * step / 3600.0 for rows in WINDOW_ROWS)
    if infer_kind(values) is SeriesKind.counts:
        return replace(counts, step_seconds=step, window_hours=windows)
    center, scale = robust_scale(values)
    return replace(continuous, step_seconds=step, center=center, scale=scale, window_hours=windows)


class AutoDetector:
    """Streaming detector that types its series after a day of watching, then scores every row."""

    def __init__(self, *, counts: DetectorConfig = COUNTS, continuous: DetectorConfig = CONTINUOUS) -> None:
        self._bases = (counts, continuous)
        self.config: DetectorConfig | None = None
        self._watched_epochs: list[int] = []
        self._watched_values: list[float] = []
        self._detector: SpikeDetector | None = None
        self._state: DetectorState | None = None

    @property
    def kind(self) -> SeriesKind | None:
        """The series' type once decided (None while watching)."""
        if self.config is None:
            return None
        return SeriesKind.counts if self.config.counts else SeriesKind.continuous

    def _watch(self, epoch: int, value: float) -> None:
        self._watched_epochs.append(epoch)
        self._watched_values.append(value)
        rows = len(self._watched_epochs)
        span_hours = (self._watched_epochs[-1] - self._watched_epochs[0]) / 3600.0
        if rows >= MAX_ROWS or (rows >= MIN_ROWS and span_hours >= WATCH_HOURS):
            epochs = np.asarray(self._watched_epochs, dtype=np.int64)
            values = np.asarray(self._watched_values, dtype=np.float64)
            self.config = choose_config(epochs, values, counts=self._bases[0], continuous=self._bases[1])
            _, self._state = score_batch(epochs, values, config=self.config)
            self._watched_epochs, self._watched_values = [], []

    def update(self, timestamp: datetime | float | int, value: float) -> float:
        """Score one row (0 while watching) and learn from it."""
        if self.config is None:
            self._watch(epoch_seconds(timestamp), float(value))
            return 0.0
        if self._detector is None:
            self._detector = SpikeDetector(self.config, self._state)
        return self._detector.update(timestamp, value)

    def score(self, timestamps: ArrayLike, values: ArrayLike) -> FloatArray:
        """Scores of a run of rows, exactly as `update` would give them one by one."""
        epochs = to_epoch_seconds(timestamps)
        vals = np.asarray(values, dtype=np.float64)
        if vals.ndim != 1 or epochs.shape != vals.shape:
            raise ValueError("timestamps and values must be 1-D arrays of the same length")
        out = np.zeros(vals.shape[0], dtype=np.float64)
        start = 0
        while self.config is None and start < vals.shape[0]:
            self._watch(int(epochs[start]), float(vals[start]))
            start += 1
        if start < vals.shape[0]:
            assert self.config is not None
            if self._detector is not None:  # rows were scored one by one before: continue from there
                self._state, self._detector = self._detector.state, None
            result, self._state = score_batch(
                epochs[start:], vals[start:], config=self.config, state=self._state
            )
            out[start:] = result.score
        return out
