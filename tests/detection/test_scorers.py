from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np

from tending.detection.scorers import band_scorer


def test_band_scorer_flags_a_spike_after_warmup_only() -> None:
    rng = np.random.default_rng(3)
    start = datetime(2026, 3, 2, tzinfo=UTC)
    stamps = [start + timedelta(minutes=5 * i) for i in range(12 * 24 * 4)]
    values = [float(rng.poisson(20)) for _ in stamps]
    values[-10] = 220.0
    bands = band_scorer(step_seconds=300)(stamps, values)
    assert all(b is None for b in bands[: 12 * 24])  # warm-up: the detector does not speak yet
    above = [i for i, (v, b) in enumerate(zip(values, bands, strict=True)) if b is not None and v > b.upper]
    assert len(stamps) - 10 in above
    assert len(above) <= 3


def test_share_scorer_skips_unknown_points() -> None:
    start = datetime(2026, 3, 2, tzinfo=UTC)
    stamps = [start + timedelta(hours=i) for i in range(24 * 5)]
    values = [math.nan if i % 7 == 0 else 0.1 for i in range(len(stamps))]
    bands = band_scorer(step_seconds=3600, share=True)(stamps, values)
    assert all(bands[i] is None for i in range(0, len(stamps), 7))
