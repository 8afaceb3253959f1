"""The streaming detector as the band provider campaigns and channels alert from."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import numpy as np

from tending.detection.bands import Band, SeriesScorer
from tending.detection.detector import DetectorConfig, score_batch

# An alert needs a point beyond four robust standard deviations: the same point where the score is 0.5.
ALERT_SIGMAS = 4.0


def band_scorer(*, step_seconds: float, share: bool = False) -> SeriesScorer:
    """A SeriesScorer for counts (volume, negative volume) or for a share (negative share, 0..1)."""
    config = DetectorConfig(
        step_seconds=step_seconds,
        band_sigmas=ALERT_SIGMAS,
        counts=not share,
        transform="identity" if share else "log",
    )

    def score(timestamps: Sequence[datetime], values: Sequence[float]) -> list[Band | None]:
        known = [i for i, v in enumerate(values) if not math.isnan(v)]
        out: list[Band | None] = [None] * len(values)
        if not known:
            return out
        stamps = np.array([timestamps[i].timestamp() for i in known], dtype=np.int64)
        vals = np.array([values[i] for i in known], dtype=np.float64)
        result, _state = score_batch(stamps, vals, config=config)
        warmup_end = stamps[0] + config.warmup_hours * 3600
        for j, i in enumerate(known):
            if stamps[j] < warmup_end or not math.isfinite(float(result.upper[j])):
                continue
            out[i] = Band(
                expected=float(result.expected[j]), lower=float(result.lower[j]), upper=float(result.upper[j])
            )
        return out

    return score
