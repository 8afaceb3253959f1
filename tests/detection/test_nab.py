"""NAB scoring on tiny files whose scores follow by hand from the published rules."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from tending.detection.nab import (
    REWARD_LOW_FN,
    REWARD_LOW_FP,
    STANDARD,
    Profile,
    layout_file,
    load_windows,
    probation_length,
    raw_at,
    score_corpus,
    sweep_file,
)

N = 100  # rows, one a minute; probation = floor(0.15 * 100) = 15 rows
START = np.datetime64("2015-03-01T00:00:00", "us")
TS = START + np.arange(N) * np.timedelta64(60, "s")
WINDOW = (TS[40], TS[49])  # rows 40..49, width 10


def sig(y: float) -> float:
    """NAB's scaled sigmoid, written out: 2 / (1 + e^(5y)) - 1."""
    return 2.0 / (1.0 + math.exp(5.0 * y)) - 1.0


def nab_score(detect_rows: list[int], profile: Profile = STANDARD, windows: list | None = None) -> float:
    scores = np.zeros(N)
    scores[detect_rows] = 1.0
    layout = layout_file(TS, windows if windows is not None else [WINDOW])
    return score_corpus({"f": scores}, {"f": layout}, profile).score


def test_probation_length_matches_nab() -> None:
    assert probation_length(100) == 15
    assert probation_length(15_902) == 750  # capped at 0.15 * 5000


def test_perfect_and_null_detectors() -> None:
    assert nab_score([40]) == pytest.approx(100.0)
    assert nab_score([]) == pytest.approx(0.0)


def test_late_detection_scores_less_than_early() -> None:
    # Last row of the window: y = -(49 - 49 + 1) / 10 = -0.1, credit sig(-0.1) / sig(-1).
    credit = sig(-0.1) / sig(-1.0)
    assert credit == pytest.approx(0.24824, abs=1e-5)
    assert nab_score([49]) == pytest.approx(100 * (credit + 1) / 2)
    # Middle of the window (row 45): y = -0.5, sig = 0.84828.
    assert nab_score([45]) == pytest.approx(100 * (sig(-0.5) / sig(-1.0) + 1) / 2)
    assert nab_score([40]) > nab_score([45]) > nab_score([49])


def test_only_first_detection_in_window_counts() -> None:
    assert nab_score([40, 41, 45, 49]) == pytest.approx(100.0)
    assert nab_score([45, 49]) == pytest.approx(nab_score([45]))


def test_false_positives_cost() -> None:
    # Before any window: full cost A_fp * -1.
    assert nab_score([20, 40]) == pytest.approx(100 * (1 - 0.11 + 1) / 2)
    # Just after the window (row 50): y = |49 - 50| / (10 - 1), cost A_fp * sig(y) (small).
    just_after = 1 + 0.11 * sig(1 / 9)
    assert nab_score([40, 50]) == pytest.approx(100 * (just_after + 1) / 2)
    # Three widths out or more: full cost again.
    assert nab_score([40, 90]) == pytest.approx(100 * (1 - 0.11 + 1) / 2)
    assert nab_score([40, 50]) > nab_score([40, 60]) > nab_score([40, 90])
    # reward_low_FP doubles the FP weight.
    assert nab_score([20, 40], REWARD_LOW_FP) == pytest.approx(100 * (1 - 0.22 + 1) / 2)


def test_probationary_rows_are_ignored() -> None:
    assert nab_score([5, 40]) == pytest.approx(100.0)


def test_missed_window_costs_fn_weight() -> None:
    windows = [WINDOW, (TS[70], TS[79])]
    # One of two windows caught at its start: raw = 1 - 1 = 0; null = -2, perfect = 2 -> 50.
    assert nab_score([40], windows=windows) == pytest.approx(50.0)
    # reward_low_FN: raw = 1 - 2 = -1; null = -4, perfect = 2 -> 50 too; a miss weighs double.
    assert nab_score([40], REWARD_LOW_FN, windows) == pytest.approx(100 * (-1 + 4) / 6)


def test_threshold_is_optimised_over_the_corpus() -> None:
    # File a: window start scores 0.9, an FP before it scores 0.95. File b: window start at 0.8.
    a = np.zeros(N)
    a[40], a[20] = 0.9, 0.95
    b = np.zeros(N)
    b[40] = 0.8
    layouts = {"a": layout_file(TS, [WINDOW]), "b": layout_file(TS, [WINDOW])}
    result = score_corpus({"a": a, "b": b}, layouts, STANDARD)
    # Threshold 0.8 catches both windows and pays one FP: raw = 2 - 0.11 (better than any other).
    assert result.threshold == pytest.approx(0.8)
    assert result.raw == pytest.approx(2 - 0.11)
    assert result.score == pytest.approx(100 * (2 - 0.11 + 2) / 4)


def _reference_raw(
    scores: np.ndarray, threshold: float, windows: list[tuple[int, int]], profile: Profile
) -> float:
    """Row-by-row application of the rules, for one threshold."""
    probation = probation_length(len(scores))
    total = 0.0
    for left, right in windows:
        hits = [i for i in range(left, right + 1) if i >= probation and scores[i] >= threshold]
        width = right - left + 1
        total += (
            profile.tp_weight * sig(-(right - hits[0] + 1) / width) / sig(-1.0)
            if hits
            else -profile.fn_weight
        )
    for i in range(probation, len(scores)):
        if scores[i] < threshold or any(lo <= i <= hi for lo, hi in windows):
            continue
        before = [(lo, hi) for lo, hi in windows if hi < i]
        if not before:
            total += -profile.fp_weight
        else:
            lo, hi = before[-1]
            y = abs(hi - i) / (hi - lo)
            total += profile.fp_weight * (-1.0 if y >= 3 else sig(y))
    return total


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sweep_matches_row_by_row_rules(seed: int) -> None:
    rng = np.random.default_rng(seed)
    scores = np.round(rng.random(N), 2)
    windows = [(30, 39), (60, 74)]
    layout = layout_file(TS, [(TS[lo], TS[hi]) for lo, hi in windows])
    for profile in (STANDARD, REWARD_LOW_FP, REWARD_LOW_FN):
        sweep = sweep_file(scores, layout, profile)
        for threshold, raw in zip(sweep.thresholds[1:], sweep.raw[1:], strict=True):
            assert raw == pytest.approx(_reference_raw(scores, threshold, windows, profile))


def test_load_windows_keys_by_file_name(tmp_path: Path) -> None:
    path = tmp_path / "windows.json"
    path.write_text(
        json.dumps({"realTweets/x.csv": [["2015-03-01 00:40:00.000000", "2015-03-01 00:49:00.000000"]]})
    )
    windows = load_windows(path)
    layout = layout_file(TS, windows["x.csv"])
    assert np.flatnonzero(layout.window_of_row >= 0).tolist() == list(range(40, 50))


def test_raw_at_reads_a_files_score_at_a_threshold() -> None:
    scores = np.zeros(N)
    scores[40], scores[20] = 0.9, 0.5
    sweep = sweep_file(scores, layout_file(TS, [WINDOW]), STANDARD)
    assert raw_at(sweep, 0.95) == pytest.approx(-1.0)  # nothing detected: the window is missed
    assert raw_at(sweep, 0.9) == pytest.approx(1.0)
    assert raw_at(sweep, 0.6) == pytest.approx(1.0)
    assert raw_at(sweep, 0.5) == pytest.approx(1.0 - 0.11)


def test_score_at_a_threshold_chosen_elsewhere() -> None:
    from tending.detection.nab import score_at

    stamps = np.array("2026-01-01T00:00", dtype="datetime64[m]") + np.arange(2000).astype("timedelta64[m]")
    layout = layout_file(stamps, [(stamps[1000], stamps[1099])])
    scores = np.zeros(2000)
    scores[1000] = 0.9
    layouts, by_file = {"a": layout}, {"a": scores}
    assert score_at(by_file, layouts, STANDARD, 0.5) == pytest.approx(100.0)
    assert score_at(by_file, layouts, STANDARD, 0.95) == pytest.approx(0.0)
