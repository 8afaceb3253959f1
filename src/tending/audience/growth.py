"""Audience jumps checked against conversation.

A daily figure (followers, visits, page views, likes) jumps when its log change is more than 6 robust
standard deviations (median absolute deviation of the previous 28 daily log changes, floor 0.02) away
from their median — 1,000 visits to 10,000 overnight is far beyond that. Each jump is then checked
against what people said that day: a genuine viral moment brings comments from real, established people
(the day's distinct commenters rise with it, and their median authenticity is ≥ 0.6); bought traffic
brings nobody. Verdicts: likely genuine, suspicious, unexplained (comments rose but from doubtful accounts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from tending.audience.verdict import FAKE_BELOW

WINDOW = 28
JUMP_SIGMAS = 6.0
MAD_FLOOR = 0.02
GENUINE_MEDIAN_SCORE = 0.6
COMMENT_RISE = 3.0  # the day's commenters at least 3x their usual median


@dataclass(frozen=True)
class DayConversation:
    commenters: int
    median_authenticity: float | None = None


@dataclass
class Jump:
    day: date
    metric: str
    before: float
    after: float
    sigmas: float
    verdict: str = "unexplained"
    evidence: list[str] = field(default_factory=list)


def find_jumps(days: list[date], values: list[float], *, metric: str) -> list[Jump]:
    v = np.maximum(np.asarray(values, dtype=float), 1.0)
    logs = np.diff(np.log(v))
    jumps = []
    for i in range(WINDOW, len(logs)):
        hist = logs[i - WINDOW : i]
        med = float(np.median(hist))
        mad = max(float(np.median(np.abs(hist - med))) * 1.4826, MAD_FLOOR)
        z = (logs[i] - med) / mad
        if z > JUMP_SIGMAS:
            jumps.append(
                Jump(
                    day=days[i + 1],
                    metric=metric,
                    before=float(values[i]),
                    after=float(values[i + 1]),
                    sigmas=round(z, 1),
                )
            )
    return jumps


def judge(jump: Jump, *, usual_commenters: float, that_day: DayConversation) -> Jump:
    rise = that_day.commenters / max(usual_commenters, 1.0)
    jump.evidence.append(
        f"{jump.metric} {jump.before:,.0f} → {jump.after:,.0f} ({jump.sigmas:g} robust sd above the "
        f"usual daily change)"
    )
    jump.evidence.append(f"{that_day.commenters} people commented that day (usually {usual_commenters:.0f})")
    if that_day.median_authenticity is not None:
        jump.evidence.append(f"their median authenticity {that_day.median_authenticity:.2f}")
    if rise < COMMENT_RISE:
        jump.verdict = "suspicious"
        jump.evidence.append("no conversation came with it: bought or automated traffic looks like this")
    elif that_day.median_authenticity is not None and that_day.median_authenticity < GENUINE_MEDIAN_SCORE:
        jump.verdict = "unexplained"
        jump.evidence.append("comments rose, but from doubtful accounts")
    else:
        jump.verdict = "likely genuine"
        jump.evidence.append("real people talked about it: a genuine moment")
    return jump


def split_growth(new_follower_scores: list[float], *, threshold: float = FAKE_BELOW) -> tuple[int, int]:
    """New followers split into likely genuine and suspicious by their authenticity score, at the cut
    below which `tending audit accounts` says likely_fake."""
    genuine = sum(1 for s in new_follower_scores if s >= threshold)
    return genuine, len(new_follower_scores) - genuine
