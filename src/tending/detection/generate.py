"""Seeded series with known changes, labelled the way NAB labels its corpus, to score the detector on.

Each family imitates a kind of series the desk (and NAB) meets: server-style metrics with level shifts,
spikes, trend changes, changes of variance and flat-lines (a sensor that stops); seasonal business
figures (visits, sales) with daily and weekly cycles whose pattern breaks; message counts from busy to a
few an hour. A series holds one to three changes (none in the `calm` families, which only measure false
alarms). As in NAB, a tenth of the series' length is labelled, split evenly between its changes, each
window centred on the change's first row, and no change falls in the first 15 % (the probation).

Everything is drawn from `numpy.random.default_rng(seed)`: the same seed gives the same series.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
START = np.datetime64("2026-01-05T00:00:00", "s")  # a Monday
WINDOW_SHARE = 0.10
PROBATION_SHARE = 0.15


@dataclass(frozen=True)
class Series:
    name: str
    family: str
    timestamps: NDArray[np.datetime64]
    values: FloatArray
    changes: tuple[int, ...]
    """First row of each labelled change."""
    windows: tuple[tuple[np.datetime64, np.datetime64], ...]
    """NAB windows (first and last timestamp), one per change."""
    kinds: tuple[str, ...]
    """What each change is (`spike`, `level_shift`, ...)."""


@dataclass
class _Draft:
    """A series being built: its clean signal, its noise, and the rows where changes start."""

    rng: np.random.Generator
    n: int
    step: int
    signal: FloatArray
    noise: FloatArray
    changes: list[int]

    @property
    def hours(self) -> FloatArray:
        return np.arange(self.n, dtype=np.float64) * self.step / 3600.0


# --- building blocks ------------------------------------------------------------------------------------


def _season(hours: FloatArray, daily: float, weekly: float, phase: float) -> FloatArray:
    """A smooth daily cycle (amplitude `daily`) and quieter weekends (by `weekly`), mean about 0."""
    day = daily * np.sin(2.0 * np.pi * (hours / 24.0 - phase))
    weekend = ((hours // 24).astype(np.int64) % 7) >= 5
    return np.asarray(day - weekly * weekend + weekly * 2.0 / 7.0, dtype=np.float64)


def _ar_noise(rng: np.random.Generator, n: int, phi: float, heavy: bool) -> FloatArray:
    """AR(1) noise with unit marginal spread; Student-t innovations (3 dof) when `heavy`."""
    shocks = rng.standard_t(3, n) / np.sqrt(3.0) if heavy else rng.standard_normal(n)
    out = np.empty(n)
    acc = 0.0
    scale = np.sqrt(1.0 - phi * phi)
    for i in range(n):
        acc = phi * acc + scale * shocks[i]
        out[i] = acc
    return out


def _place(rng: np.random.Generator, n: int, count: int) -> list[int]:
    """`count` change rows after the probation, each with room for its window on both sides."""
    half = int(WINDOW_SHARE * n / max(count, 1) / 2)
    lo = int(PROBATION_SHARE * n) + half + 1
    hi = n - half - 2
    slots = np.linspace(lo, hi, count + 1)
    rows = [
        int(rng.integers(int(slots[k]), max(int(slots[k + 1]) - half, int(slots[k]) + 1)))
        for k in range(count)
    ]
    return sorted(rows)


# --- changes (each edits the draft after row `at`) -----------------------------------------------------


def _spike(d: _Draft, at: int, size: float) -> None:
    width = int(d.rng.integers(1, 4))
    sign = 1.0 if d.rng.random() < 0.7 else -1.0
    d.signal[at : at + width] += sign * size * (4.0 + 4.0 * d.rng.random())


def _level_shift(d: _Draft, at: int, size: float) -> None:
    sign = 1.0 if d.rng.random() < 0.5 else -1.0
    d.signal[at:] += sign * size * (2.5 + 3.0 * d.rng.random())


def _trend(d: _Draft, at: int, size: float) -> None:
    rows = np.arange(d.n - at, dtype=np.float64)
    ramp = size * (3.0 + 3.0 * d.rng.random()) / (0.03 * d.n)  # about 3–6 spreads within 3 % of the series
    sign = 1.0 if d.rng.random() < 0.5 else -1.0
    d.signal[at:] += sign * np.minimum(rows * ramp, size * 12.0)


def _variance(d: _Draft, at: int, size: float) -> None:
    d.noise[at:] *= 3.0 + 3.0 * d.rng.random()


def _flatline(d: _Draft, at: int, size: float) -> None:
    length = int(0.04 * d.n + d.rng.integers(0, int(0.04 * d.n) + 1))
    stuck = d.signal[at - 1] + d.noise[at - 1]
    d.signal[at : at + length] = stuck
    d.noise[at : at + length] = 0.0


def _season_break(d: _Draft, at: int, size: float) -> None:
    """A day whose cycle goes missing or doubles (a holiday, an outage, a viral day)."""
    day_rows = max(int(86400 / d.step), 4)
    cycle = d.signal[max(at - 7 * day_rows, 0) : at].mean()
    factor = -1.0 if d.rng.random() < 0.5 else 1.5
    d.signal[at : at + day_rows] += factor * (d.signal[at : at + day_rows] - cycle) + size * 0.5


def _spike_density(d: _Draft, at: int, size: float) -> None:
    """Short spikes that were rare become frequent for a while."""
    length = int(0.05 * d.n)
    hits = at + np.flatnonzero(d.rng.random(length) < 0.15)
    hits = np.r_[at, hits[hits < d.n]]
    d.signal[hits] += size * (2.5 + 2.0 * d.rng.random(hits.size))


Change = Callable[[_Draft, int, float], None]
CONTINUOUS_CHANGES: dict[str, Change] = {
    "spike": _spike,
    "level_shift": _level_shift,
    "trend": _trend,
    "variance": _variance,
    "flatline": _flatline,
    "season_break": _season_break,
    "spike_density": _spike_density,
}


# --- families ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    name: str
    step_seconds: int
    rows: tuple[int, int]
    seasonal: bool
    counts: bool
    changes: tuple[str, ...]
    """Kinds of change this family draws from (empty: no change, false alarms only)."""


FAMILIES: tuple[Family, ...] = (
    Family("server_metric", 300, (3000, 5000), False, False, ("spike", "level_shift", "variance", "trend")),
    Family("server_flatline", 300, (3000, 5000), False, False, ("flatline", "level_shift")),
    Family("machine_sensor", 300, (6000, 12000), False, False, ("level_shift", "trend", "variance")),
    Family("business_hourly", 3600, (1500, 2500), True, False, ("spike", "level_shift", "season_break")),
    Family("traffic_seasonal", 1800, (3000, 6000), True, False, ("season_break", "spike", "spike_density")),
    Family("calm_continuous", 300, (3000, 5000), False, False, ()),
    Family("calm_seasonal", 3600, (1500, 2500), True, False, ()),
    Family("counts_busy", 300, (6000, 12000), True, True, ("spike", "level_shift", "spike_density")),
    Family("counts_quiet", 3600, (1500, 3000), True, True, ("spike", "level_shift")),
)


def _continuous(family: Family, rng: np.random.Generator, n: int) -> tuple[_Draft, float]:
    level = float(rng.choice([1.0, 50.0, 1000.0])) * (0.5 + rng.random())
    spread = level * float(rng.uniform(0.01, 0.08))
    d = _Draft(rng, n, family.step_seconds, np.full(n, level), np.zeros(n), [])
    if family.seasonal:
        d.signal += spread * _season(
            d.hours, float(rng.uniform(3, 8)), float(rng.uniform(0, 3)), rng.random()
        )
    if rng.random() < 0.4:  # a slow drift the model must follow without alarm
        d.signal += spread * np.cumsum(rng.standard_normal(n)) * 0.05
    d.noise = spread * _ar_noise(rng, n, float(rng.uniform(0.0, 0.8)), bool(rng.random() < 0.5))
    return d, spread


def generate_series(family: Family, seed: int) -> Series:
    """One series of `family`, fully determined by `seed`."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(family.rows[0], family.rows[1] + 1))
    count = int(rng.integers(1, 4)) if family.changes else 0
    rows = _place(rng, n, count) if count else []
    kinds = [family.changes[int(rng.integers(len(family.changes)))] for _ in rows]
    if family.counts:
        values = _counts(rng, n, family, rows, kinds)
    else:
        d, spread = _continuous(family, rng, n)
        for at, kind in zip(rows, kinds, strict=True):
            CONTINUOUS_CHANGES[kind](d, at, spread)
        values = d.signal + d.noise
        if rng.random() < 0.3:  # some metrics are reported rounded, to about their noise's size
            quantum = 10.0 ** np.floor(np.log10(spread))
            values = np.round(values / quantum) * quantum
    stamps = START + np.arange(n, dtype=np.int64) * np.timedelta64(family.step_seconds, "s")
    half = int(WINDOW_SHARE * n / max(count, 1) / 2)
    windows = tuple((stamps[max(at - half, 0)], stamps[min(at + half, n - 1)]) for at in rows)
    values = np.asarray(values, dtype=np.float64)
    return Series(f"{family.name}_{seed}", family.name, stamps, values, tuple(rows), windows, tuple(kinds))


def _counts(
    rng: np.random.Generator, n: int, family: Family, rows: list[int], kinds: list[str]
) -> FloatArray:
    """Poisson counts around a daily and weekly cycle; bursts decay over a few rows, shifts stay."""
    hours = np.arange(n, dtype=np.float64) * family.step_seconds / 3600.0
    base = (
        float(np.exp(rng.uniform(np.log(0.5), np.log(8.0))))
        if family.name == "counts_quiet"
        else float(np.exp(rng.uniform(np.log(5.0), np.log(200.0))))
    )
    rate = base * np.exp(
        _season(hours, float(rng.uniform(0.3, 0.9)), float(rng.uniform(0.0, 0.5)), rng.random())
    )
    rate *= np.exp(0.15 * _ar_noise(rng, n, 0.9, False))  # news days: over-dispersion beyond Poisson
    for at, kind in zip(rows, kinds, strict=True):
        lift = 1.0 + 3.0 / np.sqrt(max(base, 0.5)) * (2.0 + 2.0 * rng.random())
        if kind == "level_shift":
            rate[at:] *= lift
        elif kind == "spike_density":
            length = int(0.05 * n)
            hits = at + np.flatnonzero(rng.random(length) < 0.15)
            rate[np.r_[at, hits[hits < n]]] *= 2.0 * lift
        else:
            decay = np.exp(-np.arange(min(24, n - at)) / float(rng.uniform(1.0, 6.0)))
            rate[at : at + decay.size] *= 1.0 + 2.0 * (lift - 1.0) * decay
    return rng.poisson(rate).astype(np.float64)


def corpus(
    per_family: int = 6, *, seed: int = 0, families: tuple[Family, ...] = FAMILIES
) -> Iterator[Series]:
    """`per_family` series of each family; seeds derived from `seed` so corpora do not overlap."""
    for f_index, family in enumerate(families):
        for k in range(per_family):
            yield generate_series(family, seed * 100_003 + f_index * 1_009 + k)


def thin_counts(values: FloatArray, keep: float, seed: int) -> FloatArray:
    """Binomial thinning: each counted item survives with probability `keep` (a smaller channel)."""
    rng = np.random.default_rng(seed)
    return rng.binomial(np.asarray(values, dtype=np.int64), keep).astype(np.float64)
