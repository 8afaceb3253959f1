"""What a series detector answers: the expected band at each point. Campaign and channel spike scans
take any `SeriesScorer`; the streaming detector (`detection.scorers`) is the one they use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Band:
    expected: float
    lower: float
    upper: float


class SeriesScorer(Protocol):
    """A detector: for a regular series (NaN where unknown), the expected band at each point, or None
    while it has not seen enough to say."""

    def __call__(self, timestamps: Sequence[datetime], values: Sequence[float]) -> Sequence[Band | None]: ...
