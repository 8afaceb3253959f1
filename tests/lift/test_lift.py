"""Lift estimation on simulated series with a known effect, and the `tending lift` command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tending.cli import app
from tending.lift.service import LiftInputError, estimate_lift, read_series, resolve_periods

N = 100
LAUNCH = 70


def _series(effect: float, *, start: int = LAUNCH, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    control = 50 + np.cumsum(rng.normal(0, 1, N))
    y = 20 + 1.2 * control + rng.normal(0, 1, N)
    y[start:] += effect
    return y, control[:, None]


def test_known_effect_is_covered_and_significant() -> None:
    y, x = _series(10.0)
    res = estimate_lift(y=y, x=x, pre=(0, LAUNCH - 1), post=(LAUNCH, N - 1), n_simulations=400, seed=1)
    true_cumulative = 10.0 * (N - LAUNCH)
    ce = res.summary.cumulative_effect
    assert ce.lower <= true_cumulative <= ce.upper
    assert res.summary.significant
    assert res.summary.relative_effect.lower > 0
    assert len(res.observed) == len(res.predicted) == len(res.predicted_lower) == N
    assert np.all(res.predicted_lower[res.post_start :] <= res.predicted_upper[res.post_start :])


def test_no_effect_covers_zero_and_is_not_significant() -> None:
    y, x = _series(0.0, seed=5)
    res = estimate_lift(y=y, x=x, pre=(0, LAUNCH - 1), post=(LAUNCH, N - 1), n_simulations=400, seed=1)
    ce = res.summary.cumulative_effect
    assert ce.lower <= 0 <= ce.upper
    assert not res.summary.significant


def test_lagged_effect_shows_when_starting_later() -> None:
    lag = 15
    y, x = _series(6.0, start=LAUNCH + lag, seed=9)
    kwargs = dict(y=y, x=x, pre=(0, LAUNCH - 1), post=(LAUNCH, N - 1), n_simulations=400, seed=1)
    launch = estimate_lift(**kwargs)  # type: ignore[arg-type]
    later = estimate_lift(lag=lag, **kwargs)  # type: ignore[arg-type]
    # The average effect is diluted by the quiet weeks when counted from launch.
    assert later.summary.average_effect.estimate > launch.summary.average_effect.estimate + 2
    assert later.summary.average_effect.lower <= 6.0 <= later.summary.average_effect.upper
    # The cumulative curve stays flat before the late start, then climbs.
    curve = launch.cumulative_effect
    assert abs(curve[lag - 1]) < 15
    assert curve[-1] > 40


def _write_csv(tmp_path: Path, effect: float = 10.0) -> Path:
    y, x = _series(effect)
    lines = ["date,y,ctrl"]
    start = np.datetime64("2024-01-01")
    for i in range(N):
        lines.append(f"{start + i},{y[i]:.3f},{x[i, 0]:.3f}")
    path = tmp_path / "series.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_cli_json_has_expected_keys(tmp_path: Path) -> None:
    path = _write_csv(tmp_path)
    result = CliRunner().invoke(
        app,
        [
            "lift",
            "--input",
            str(path),
            "--pre",
            "2024-01-01",
            "2024-03-10",
            "--post",
            "2024-03-11",
            "2024-04-09",
            "--format",
            "json",
            "--simulations",
            "200",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in (
        "average_effect",
        "cumulative_effect",
        "relative_effect",
        "p_value",
        "probability_of_causal_effect",
        "significant",
        "controls",
    ):
        assert key in data
    assert data["controls"] == ["ctrl"]
    assert data["significant"] is True
    assert (
        data["relative_effect"]["lower"]
        < data["relative_effect"]["estimate"]
        < data["relative_effect"]["upper"]
    )


def test_cli_table_and_whitespace_file_with_row_indices(tmp_path: Path) -> None:
    y, x = _series(10.0)
    path = tmp_path / "plain.txt"
    path.write_text(
        "sales other\n" + "\n".join(f"{a:.3f} {b:.3f}" for a, b in zip(y, x[:, 0], strict=True)) + "\n"
    )
    result = CliRunner().invoke(
        app, ["lift", "--input", str(path), "--pre", "0", "69", "--post", "70", "99", "--simulations", "200"]
    )
    assert result.exit_code == 0, result.output
    assert "Relative effect" in result.stdout and "tail-area probability" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pre", "2024-01-01", "2024-13-40", "--post", "2024-03-11", "2024-04-09"], "not a date"),
        (["--pre", "2023-01-01", "2024-03-10", "--post", "2024-03-11", "2024-04-09"], "outside the data"),
        (["--pre", "2024-01-01", "2024-01-03", "--post", "2024-03-11", "2024-04-09"], "too short"),
        (["--pre", "2024-01-01", "2024-03-10", "--post", "2024-03-11", "2024-04-09", "--y", "nope"], "nope"),
    ],
)
def test_cli_bad_input_errors(tmp_path: Path, args: list[str], message: str) -> None:
    path = _write_csv(tmp_path)
    result = CliRunner().invoke(app, ["lift", "--input", str(path), *args])
    assert result.exit_code == 1
    assert message in result.output


def test_non_numeric_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("y,label\n" + "\n".join(f"{i},a{i}" for i in range(20)) + "\n")
    result = CliRunner().invoke(app, ["lift", "--input", str(path), "--pre", "0", "14", "--post", "15", "19"])
    assert result.exit_code == 1
    assert "'label' is not numeric" in result.output


def test_bad_date_row_is_named(tmp_path: Path) -> None:
    path = tmp_path / "dates.csv"
    path.write_text("date,y\n2024-01-01,1\nsoon,2\n")
    with pytest.raises(LiftInputError, match="line 3"):
        read_series(path)


def test_post_must_follow_pre(tmp_path: Path) -> None:
    table = read_series(_write_csv(tmp_path))
    with pytest.raises(LiftInputError, match="after --pre"):
        resolve_periods(table, pre=("2024-01-01", "2024-03-10"), post=("2024-03-01", "2024-04-09"))
