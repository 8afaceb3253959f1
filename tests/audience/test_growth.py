from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from tending.audience.growth import DayConversation, find_jumps, judge, split_growth

DAYS = [date(2026, 3, 1) + timedelta(days=i) for i in range(60)]


def steady(seed: int = 2) -> list[float]:
    rng = np.random.default_rng(seed)
    return [1000 * (1.002**i) * rng.uniform(0.95, 1.05) for i in range(60)]


def test_overnight_jump_flagged_steady_growth_not() -> None:
    assert find_jumps(DAYS, steady(), metric="visits") == []
    values = steady()
    values[45:] = [v * 10 for v in values[45:]]
    jumps = find_jumps(DAYS, values, metric="visits")
    assert [j.day for j in jumps] == [DAYS[45]]


def test_viral_with_real_comments_vs_bought_without() -> None:
    values = steady()
    values[45:] = [v * 10 for v in values[45:]]
    jump = find_jumps(DAYS, values, metric="visits")[0]
    bought = judge(
        jump, usual_commenters=12, that_day=DayConversation(commenters=13, median_authenticity=0.8)
    )
    assert bought.verdict == "suspicious" and any("no conversation" in e for e in bought.evidence)
    jump = find_jumps(DAYS, values, metric="visits")[0]
    viral = judge(
        jump, usual_commenters=12, that_day=DayConversation(commenters=140, median_authenticity=0.82)
    )
    assert viral.verdict == "likely genuine"
    jump = find_jumps(DAYS, values, metric="visits")[0]
    bots = judge(jump, usual_commenters=12, that_day=DayConversation(commenters=300, median_authenticity=0.1))
    assert bots.verdict == "unexplained"
    assert split_growth([0.9, 0.8, 0.1, 0.05, 0.7]) == (3, 2)
