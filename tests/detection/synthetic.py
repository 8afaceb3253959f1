"""Synthetic volume series shared by the detection tests."""

from __future__ import annotations

import numpy as np

START = np.datetime64("2026-03-02T00:00:00")  # a Monday


def timestamps(n: int, step_seconds: int = 300) -> np.ndarray:
    return START + np.arange(n) * np.timedelta64(step_seconds, "s")


def seasonal_counts(n: int, *, seed: int = 0, step_seconds: int = 300, base: float = 60.0) -> np.ndarray:
    """Poisson counts with a daily cycle (busy afternoons) and quieter weekends."""
    rng = np.random.default_rng(seed)
    hours = np.arange(n) * step_seconds / 3600.0
    daily = 1.0 + 0.8 * np.sin(2 * np.pi * (hours % 24 - 8) / 24)
    weekday = (hours // 24).astype(int) % 7
    weekly = np.where(weekday >= 5, 0.5, 1.0)
    return rng.poisson(base * daily * weekly).astype(np.float64)
