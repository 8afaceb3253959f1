from __future__ import annotations

import io
import itertools

import numpy as np
import pytest
from tests.detection.synthetic import seasonal_counts, timestamps

from tending.detection.auto import AutoDetector, SeriesKind, infer_kind, robust_scale
from tending.detection.csvstream import detect_stream
from tending.detection.generate import FAMILIES, corpus, generate_series

DAY = 288


def _cpu_like(n: int, seed: int = 3) -> np.ndarray:
    """A continuous metric: heavy-tailed noise around 0.42 with a daily cycle."""
    rng = np.random.default_rng(seed)
    hours = np.arange(n) / 12.0
    return 0.42 + 0.05 * np.sin(2 * np.pi * hours / 24) + 0.01 * rng.standard_t(4, n)


def test_series_type_comes_from_the_values() -> None:
    assert infer_kind([0, 3, 12, 7]) is SeriesKind.counts
    assert infer_kind([0.5, 3, 12]) is SeriesKind.continuous
    assert infer_kind([-1, 3, 12]) is SeriesKind.continuous  # a net change is not a count
    det = AutoDetector()
    det.score(timestamps(2 * DAY), _cpu_like(2 * DAY))
    assert det.kind is SeriesKind.continuous
    det = AutoDetector()
    det.score(timestamps(2 * DAY), seasonal_counts(2 * DAY))
    assert det.kind is SeriesKind.counts


def test_scale_ignores_spikes_and_never_reaches_zero() -> None:
    values = np.r_[np.full(50, 5.0) + np.tile([0.0, 0.1], 25), 500.0]
    center, scale = robust_scale(values)
    assert 5.0 <= center <= 5.1
    assert 0.0 < scale < 0.2
    assert robust_scale(np.full(10, 7.0))[1] > 0.0


@pytest.mark.parametrize("series", ["counts", "continuous", "rounded"])
def test_chunks_row_by_row_and_one_batch_agree(series: str) -> None:
    n = 5 * DAY
    if series == "counts":
        values = seasonal_counts(n, seed=2)
    else:
        values = _cpu_like(n)
        if series == "rounded":  # repeated values: the flat-line counters run too
            values = np.round(values, 2)
            values[3 * DAY : 3 * DAY + 40] = values[3 * DAY]
    ts = timestamps(n)
    whole = AutoDetector().score(ts, values)
    single = AutoDetector()
    by_row = np.array(
        [single.update(int(t), float(v)) for t, v in zip(ts.astype("int64"), values, strict=True)]
    )
    chunked = AutoDetector()
    cuts = [0, 7, 100, 290, 1000, n]
    parts = [chunked.score(ts[a:b], values[a:b]) for a, b in itertools.pairwise(cuts)]
    np.testing.assert_array_equal(whole, by_row)
    np.testing.assert_array_equal(whole, np.concatenate(parts))
    assert np.all(whole[: DAY - 1] == 0.0)  # the watched day scores nothing


def test_rows_after_a_cut_never_change_scores_before_it() -> None:
    n = 4 * DAY
    values = _cpu_like(n)
    cut = 2 * DAY + 17
    changed = values.copy()
    changed[cut:] += 10.0
    a = AutoDetector().score(timestamps(n), values)
    b = AutoDetector().score(timestamps(n), changed)
    np.testing.assert_array_equal(a[:cut], b[:cut])
    assert b[cut] > a[cut]


def test_continuous_falls_alert_and_units_do_not_matter() -> None:
    n = 6 * DAY
    values = _cpu_like(n)
    drop = 4 * DAY + 30
    values[drop:] -= 0.15  # a metric collapses: a fall is an anomaly too
    scores = AutoDetector().score(timestamps(n), values)
    assert scores[drop : drop + 12].max() > 0.5
    assert scores[DAY : drop - 1].max() < scores[drop : drop + 12].max()
    rescaled = AutoDetector().score(timestamps(n), values * 1000.0 + 20_000.0)
    np.testing.assert_allclose(rescaled, scores, atol=1e-6)


def test_counts_that_collapse_alert_too() -> None:
    n = 10 * DAY
    values = seasonal_counts(n, seed=4, base=200.0)
    silent = 9 * DAY + 150  # a weekday afternoon
    values[silent : silent + 36] = np.round(values[silent : silent + 36] * 0.05)  # the feed goes quiet
    scores = AutoDetector().score(timestamps(n), values)
    assert scores[silent : silent + 36].max() > 0.5
    assert scores[2 * DAY : silent].max() < scores[silent : silent + 36].max()


def test_a_stuck_sensor_alerts_once() -> None:
    n = 6 * DAY
    values = _cpu_like(n)
    stuck = 4 * DAY
    values[stuck : stuck + 60] = values[stuck - 1]  # the sensor stops reporting changes for 5 hours
    scores = AutoDetector().score(timestamps(n), values)
    assert scores[stuck : stuck + 12].max() > 0.5
    assert scores[DAY:stuck].max() < scores[stuck : stuck + 12].max()
    assert np.sum(scores[stuck : stuck + 60] > 0.5) == 1  # one event, one alert


def test_cli_path_types_a_continuous_csv_itself() -> None:
    n = 3 * DAY
    values = _cpu_like(n)
    values[2 * DAY + 50] += 0.4
    lines = ["timestamp,value"] + [
        f"{str(t).replace('T', ' ')},{v:.5f}" for t, v in zip(timestamps(n), values, strict=True)
    ]
    out = io.StringIO()
    assert detect_stream(lines, out) == n
    scores = np.array([float(row.split(",")[2]) for row in out.getvalue().splitlines()[1:]])
    assert int(np.argmax(scores)) == 2 * DAY + 50


def test_generator_is_seeded_and_labels_like_nab() -> None:
    for family in FAMILIES:
        a, b = generate_series(family, 11), generate_series(family, 11)
        np.testing.assert_array_equal(a.values, b.values)
        assert a.changes == b.changes and a.kinds == b.kinds
        n = a.values.size
        assert np.all(np.isfinite(a.values))
        assert len(a.windows) == len(a.changes) == len(a.kinds)
        for at, (start, end) in zip(a.changes, a.windows, strict=True):
            assert at >= 0.15 * n  # no change in the probation
            assert start <= a.timestamps[at] <= end
            width = int((end - start) / (a.timestamps[1] - a.timestamps[0])) + 1
            assert width == pytest.approx(0.10 * n / len(a.changes), abs=2)
        if family.counts:
            assert infer_kind(a.values) is SeriesKind.counts
    assert (
        generate_series(FAMILIES[0], 11).values.tolist() != generate_series(FAMILIES[0], 12).values.tolist()
    )
    names = [s.name for s in corpus(2, seed=1)]
    assert len(names) == len(set(names)) == 2 * len(FAMILIES)
