"""Spike and crisis detection over message-volume time series, plus a NAB scorer to measure it."""

from tending.detection.detector import (
    BatchResult,
    DetectorConfig,
    DetectorState,
    Point,
    SpikeDetector,
    score_batch,
)

__all__ = ["BatchResult", "DetectorConfig", "DetectorState", "Point", "SpikeDetector", "score_batch"]
