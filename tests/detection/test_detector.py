from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pytest
from tests.detection.synthetic import seasonal_counts, timestamps

from tending.detection.detector import DetectorConfig, SpikeDetector, score_batch

WEEK = 7 * 288


def _with_spikes(n: int, starts: list[int], factor: float = 5.0, length: int = 6) -> np.ndarray:
    values = seasonal_counts(n, seed=1)
    for s in starts:
        values[s : s + length] = np.round(values[s : s + length] * factor + 40)
    return values


def _incremental(ts: np.ndarray, values: np.ndarray, detector: SpikeDetector | None = None) -> np.ndarray:
    det = detector or SpikeDetector()
    return np.array(
        [
            det.update(t.astype(datetime).replace(tzinfo=UTC), float(v))
            for t, v in zip(ts, values, strict=True)
        ]
    )


def test_known_spikes_score_high_and_the_rest_low() -> None:
    n = 3 * WEEK
    spikes = [WEEK + 500, 2 * WEEK + 100, 2 * WEEK + 1500]
    values = _with_spikes(n, spikes)
    result, _ = score_batch(timestamps(n), values)
    score = result.score
    assert np.all((score >= 0) & (score <= 1))
    near = np.zeros(n, dtype=bool)
    for s in spikes:
        near[s - 2 : s + 12] = True
        assert score[s : s + 6].max() > 0.5, s  # 0.5 = four sigmas, the alert line
        assert values[s] > result.upper[s]  # the band says the value is out of the expected range
    calm = score[288:][~near[288:]]
    assert calm.max() < min(score[s : s + 6].max() for s in spikes)
    assert np.mean(calm) < 0.1


def test_one_alert_per_spike_not_one_per_row() -> None:
    n = 2 * WEEK
    s = WEEK + 700
    values = _with_spikes(n, [s], length=24)
    score, _ = score_batch(timestamps(n), values)
    assert score.score[s] > 0.5
    # Rows further into the same sustained spike stay under the alert line ...
    assert score.score[s + 3 : s + 24].max() < 0.5
    # ... which is the gate's and the pause's doing: without both they would all alert.
    ungated, _ = score_batch(
        timestamps(n), values, config=DetectorConfig(gate_decay_per_hour=1e9, refractory_hours=0)
    )
    assert ungated.score[s + 3 : s + 24].min() > 0.5


def test_pause_after_an_alert_lets_only_a_stronger_event_through() -> None:
    n = 2 * WEEK
    s = WEEK + 144  # noon
    values = seasonal_counts(n, seed=1)
    for start, factor in ((s, 5.0), (s + 36, 5.0), (s + 72, 30.0)):  # 3 h apart: same, same, stronger
        values[start : start + 3] = np.round(values[start : start + 3] * factor + 30)
    result, _ = score_batch(timestamps(n), values)
    assert result.score[s : s + 3].max() > 0.5
    assert result.score[s + 36 : s + 39].max() < 0.5  # a repeat of the same story within the day
    assert result.score[s + 72 : s + 75].max() > 0.5  # an escalation still alerts
    # Without the pause the repeat alerts too (the gate alone forgets a peak within hours).
    unpaused, _ = score_batch(timestamps(n), values, config=DetectorConfig(refractory_hours=0))
    assert unpaused.score[s + 36 : s + 39].max() > 0.5


def _story_that_grows(n: int) -> tuple[np.ndarray, int]:
    """An alert at noon, then 3 h later the same story a little bigger, then 3 h later far bigger."""
    s = WEEK + 144
    values = seasonal_counts(n, seed=1)
    for start, factor in ((s, 5.0), (s + 36, 7.3), (s + 72, 40.0)):
        values[start : start + 3] = np.round(values[start : start + 3] * factor + 30)
    return values, s


def test_only_a_clearly_stronger_event_reopens_the_pause() -> None:
    n = 2 * WEEK
    values, s = _story_that_grows(n)
    result, _ = score_batch(timestamps(n), values)
    assert result.score[s : s + 3].max() > 0.5
    assert result.score[s + 36 : s + 39].max() < 0.5  # a little bigger: still the same story
    assert result.score[s + 72 : s + 75].max() > 0.5  # an order of magnitude rarer: alerts again
    # With no margin (any stronger row escalates) the slightly bigger repeat alerts too.
    eager, _ = score_batch(timestamps(n), values, config=DetectorConfig(escalation_factor=1.0))
    assert eager.score[s + 36 : s + 39].max() > 0.5
    # Row by row, the escalation test gives the same floats as the batch path.
    assert np.array_equal(_incremental(timestamps(n), values), result.score)


def test_daily_and_weekly_peaks_are_not_anomalies() -> None:
    n = 4 * WEEK
    values = seasonal_counts(n, seed=2)
    result, _ = score_batch(timestamps(n), values)
    later = result.score[2 * WEEK :]
    hours = (np.arange(n) * 300 / 3600.0)[2 * WEEK :]
    afternoon = (hours % 24 >= 12) & (hours % 24 <= 16)  # the daily peak
    monday_morning = ((hours // 24) % 7 == 0) & (hours % 24 >= 6) & (hours % 24 <= 10)  # after the weekend
    assert later[afternoon].mean() < 0.1
    assert later[monday_morning].mean() < 0.15
    assert later.max() < 0.6
    # The seasonal profile is what makes this work: a flat baseline sits a sigma below every afternoon
    # (the score's calibration against each scale's history then hides part of that, so compare z).
    flat = DetectorConfig(day_shrink_days=1e9, week_shrink_weeks=1e9)
    flat_result, _ = score_batch(timestamps(n), values, config=flat)
    assert flat_result.zscore[2 * WEEK :][afternoon].mean() > 0.7
    assert result.zscore[2 * WEEK :][afternoon].mean() < 0.3


def test_expected_band_brackets_ordinary_values() -> None:
    n = 3 * WEEK
    values = seasonal_counts(n, seed=3)
    result, _ = score_batch(timestamps(n), values)
    tail = slice(2 * WEEK, n)
    inside = (values[tail] >= result.lower[tail]) & (values[tail] <= result.upper[tail])
    assert inside.mean() > 0.97
    assert np.all(result.lower[tail] <= result.expected[tail])
    assert np.all(result.expected[tail] <= result.upper[tail])


def test_batch_and_incremental_give_identical_scores() -> None:
    n = 2500
    ts = timestamps(n)
    values = _with_spikes(n, [1800])
    batch, _ = score_batch(ts, values)
    assert np.array_equal(batch.score, _incremental(ts, values))


@pytest.mark.parametrize("cut", [1, 700, 1999])
def test_no_look_ahead(cut: int) -> None:
    n = 2000
    ts = timestamps(n)
    values = _with_spikes(n, [1200, 1900])
    full, _ = score_batch(ts, values)
    head, _ = score_batch(ts[:cut], values[:cut])
    assert np.array_equal(full.score[:cut], head.score)
    assert np.array_equal(full.expected[:cut], head.expected)
    # Changing the future leaves the past untouched.
    altered = values.copy()
    altered[cut:] = 10_000.0
    altered_result, _ = score_batch(ts, altered)
    assert np.array_equal(full.score[:cut], altered_result.score[:cut])
    assert np.array_equal(_incremental(ts[:cut], values[:cut]), full.score[:cut])


def test_state_round_trip_continues_identically() -> None:
    n = 2400
    ts = timestamps(n)
    values = _with_spikes(n, [2000])
    full, _ = score_batch(ts, values)

    first = SpikeDetector()
    _incremental(ts[:1500], values[:1500], first)
    saved = json.loads(json.dumps(first.state_dict()))
    resumed = SpikeDetector.from_state_dict(saved)
    assert np.array_equal(_incremental(ts[1500:], values[1500:], resumed), full.score[1500:])

    _, chunk_state = score_batch(ts[:1500], values[:1500])
    rest, _ = score_batch(ts[1500:], values[1500:], state=chunk_state)
    assert np.array_equal(rest.score, full.score[1500:])
    assert chunk_state.to_dict() == saved


def test_update_point_reports_band_for_alert_text() -> None:
    det = SpikeDetector(DetectorConfig(step_seconds=3600, warmup_hours=0))
    start = datetime(2026, 3, 2, tzinfo=UTC)
    rng = np.random.default_rng(4)
    for hour in range(24 * 21):
        det.update(start.replace(day=2 + hour // 24, hour=hour % 24), float(rng.poisson(80)))
    point = det.update_point(datetime(2026, 3, 23, 12, tzinfo=UTC), 412.0)
    assert point.score > 0.7
    assert 60 < point.expected < 100
    assert point.lower < point.expected < point.upper < 412


def test_identity_transform_for_shares_and_two_sided() -> None:
    n = 2 * WEEK
    rng = np.random.default_rng(5)
    share = np.clip(0.2 + rng.normal(0, 0.02, n), 0, 1)
    share[WEEK + 100] = 0.02  # a sudden drop only matters when both directions are watched
    both = DetectorConfig(transform="identity", counts=False, direction="both")
    up = DetectorConfig(transform="identity", counts=False)
    assert score_batch(timestamps(n), share, config=both)[0].score[WEEK + 100] > 0.5
    assert score_batch(timestamps(n), share, config=up)[0].score[WEEK + 100] == 0.0


def test_bad_config_is_rejected() -> None:
    with pytest.raises(ValueError):
        DetectorConfig(step_seconds=0)
    with pytest.raises(ValueError):
        DetectorConfig(escalation_factor=0.5)
    with pytest.raises(ValueError):
        score_batch(timestamps(3), np.zeros(4))


def test_small_chunks_match_one_batch_through_pauses_and_windows() -> None:
    """The time-scale history, the calibration and an open pause all carry across chunk edges."""
    n = WEEK + 900
    ts = timestamps(n)
    values = _with_spikes(n, [WEEK + 100, WEEK + 130, WEEK + 400, WEEK + 800], length=30)
    full, full_state = score_batch(ts, values)
    assert (full.score[WEEK:] > 0.5).any()
    state = None
    parts = []
    for lo in range(0, n, 97):
        part, state = score_batch(ts[lo : lo + 97], values[lo : lo + 97], state=state)
        parts.append(part.score)
    assert np.array_equal(np.concatenate(parts), full.score)
    assert state is not None and state.to_dict() == full_state.to_dict()
    assert np.array_equal(_incremental(ts, values), full.score)
