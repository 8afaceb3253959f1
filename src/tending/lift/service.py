"""Sales lift: the effect of a campaign on an outcome series, as observed minus simulated counterfactual.

Summary figures follow R CausalImpact's conventions so the two can be compared: the relative effect is
the absolute effect divided by the mean prediction, intervals are 2.5/97.5% quantiles of the draws, and
the tail-area probability p is the share of simulated cumulative sums at least as extreme (one-sided,
the smaller side) as the observed one, counting the observation itself.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tending.errors import Refused
from tending.lift.model import FloatArray, simulate_counterfactual

MIN_PRE_PERIODS = 8
DATE_COLUMN_NAMES = ("date", "time", "timestamp", "day", "week", "period")


class LiftInputError(Refused, ValueError):
    """Input that cannot be analysed; the message names the file, column or period at fault."""


@dataclass(frozen=True)
class Interval:
    estimate: float
    lower: float
    upper: float


@dataclass(frozen=True)
class EffectSummary:
    """One window's figures (average per period and cumulative), absolute and relative."""

    actual_average: float
    actual_cumulative: float
    predicted_average: Interval
    predicted_cumulative: Interval
    average_effect: Interval
    cumulative_effect: Interval
    relative_effect: Interval
    p_value: float

    @property
    def probability_of_effect(self) -> float:
        return 1.0 - self.p_value

    @property
    def significant(self) -> bool:
        return self.p_value < 0.05


@dataclass(frozen=True)
class LiftResult:
    """Everything a lift report needs: per-period bands for the plot and the summary of the window."""

    labels: list[str]
    observed: FloatArray
    predicted: FloatArray
    predicted_lower: FloatArray
    predicted_upper: FloatArray
    pointwise_effect: FloatArray
    pointwise_lower: FloatArray
    pointwise_upper: FloatArray
    post_start: int
    """Index in `labels` where the post period starts; the arrays above cover pre and post periods."""
    cumulative_effect: FloatArray
    cumulative_lower: FloatArray
    cumulative_upper: FloatArray
    """Cumulative effect curve over the post period (from launch), so a late start is visible."""
    summary: EffectSummary
    lag: int
    """Post periods skipped before the summary window starts (effect assumed to start at launch + lag)."""
    controls: list[str] = field(default_factory=list)
    level_sd: float = 0.0
    """Posterior mean of the level's innovation sd (standardised units)."""
    inclusion: list[float] = field(default_factory=list)
    """Posterior inclusion probability of each control, in the order of `controls`."""


@dataclass(frozen=True)
class SeriesTable:
    frame: pd.DataFrame
    labels: list[str]
    dated: bool


def read_series(path: Path) -> SeriesTable:
    """Read a comma- or whitespace-separated file; a column of dates (by name or content) becomes the index.

    Detection: a column named like date/time/week, or any non-numeric column whose values all parse as
    dates. Without one, periods are row indices (0-based, counted over data rows).
    """
    if not path.is_file():
        raise LiftInputError(f"{path}: no such file")
    from tending.inputfiles import InputFileError, read_text

    try:
        text = read_text(path)
    except InputFileError as exc:
        raise LiftInputError(str(exc)) from None
    return parse_series(text, source=str(path))


def parse_series(text: str, *, source: str) -> SeriesTable:
    """`read_series` on text already in memory (an upload); `source` names it in errors."""
    first = text.lstrip("\ufeff").splitlines()[:1]
    if not first:
        raise LiftInputError(f"{source}: empty file")
    sep = "," if "," in first[0] else r"\s+"
    try:
        frame = pd.read_csv(io.StringIO(text.lstrip("\ufeff")), sep=sep)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise LiftInputError(f"{source}: cannot parse ({exc})") from None
    if frame.empty:
        raise LiftInputError(f"{source}: no data rows")
    date_col = _date_column(frame)
    if date_col is not None:
        dates = pd.to_datetime(frame[date_col], errors="coerce")
        bad = dates.isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
            value = frame[date_col].iloc[row - 2]
            raise LiftInputError(f"{source}, line {row}: {date_col!r} is not a date: {value!r}")
        frame = frame.drop(columns=[date_col])
        frame.index = pd.DatetimeIndex(dates)
        if not frame.index.is_monotonic_increasing:
            raise LiftInputError(f"{source}: dates in {date_col!r} are not in increasing order")
        labels = [d.date().isoformat() for d in frame.index]
        return SeriesTable(frame=frame, labels=labels, dated=True)
    frame = frame.reset_index(drop=True)
    return SeriesTable(frame=frame, labels=[str(i) for i in range(len(frame))], dated=False)


def _date_column(frame: pd.DataFrame) -> str | None:
    for col in frame.columns:
        if str(col).strip().lower() in DATE_COLUMN_NAMES:
            return str(col)
    for col in frame.columns:
        if frame[col].dtype == object:
            parsed = pd.to_datetime(frame[col], errors="coerce", format="mixed")
            if parsed.notna().all():
                return str(col)
    return None


def _position(table: SeriesTable, value: str, *, what: str, side: str) -> int:
    if table.dated:
        try:
            when = pd.Timestamp(value)
        except (ValueError, TypeError):
            raise LiftInputError(f"{what}: {value!r} is not a date (use YYYY-MM-DD)") from None
        index = table.frame.index
        if when < index[0] or when > index[-1]:
            span = f"{table.labels[0]} to {table.labels[-1]}"
            raise LiftInputError(f"{what}: {value} is outside the data ({span})")
        found = index.searchsorted(when, side="left" if side == "start" else "right")
        return int(found) if side == "start" else int(found) - 1
    try:
        pos = int(value)
    except ValueError:
        raise LiftInputError(f"{what}: {value!r} is not a row index (the file has no date column)") from None
    if pos < 0 or pos >= len(table.frame):
        raise LiftInputError(f"{what}: row {pos} is outside the data (0 to {len(table.frame) - 1})")
    return pos


def resolve_periods(
    table: SeriesTable, *, pre: tuple[str, str], post: tuple[str, str]
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Turn START/END labels into inclusive row ranges, checking order and overlap."""
    pre_rng = (
        _position(table, pre[0], what="--pre start", side="start"),
        _position(table, pre[1], what="--pre end", side="end"),
    )
    post_rng = (
        _position(table, post[0], what="--post start", side="start"),
        _position(table, post[1], what="--post end", side="end"),
    )
    for name, (a, b) in (("--pre", pre_rng), ("--post", post_rng)):
        if b < a:
            raise LiftInputError(f"{name}: end comes before start")
    if post_rng[0] <= pre_rng[1]:
        raise LiftInputError("--post must start after --pre ends")
    if pre_rng[1] - pre_rng[0] + 1 < MIN_PRE_PERIODS:
        length = pre_rng[1] - pre_rng[0] + 1
        raise LiftInputError(f"--pre is too short: {length} periods, need {MIN_PRE_PERIODS}")
    return pre_rng, post_rng


def choose_columns(
    frame: pd.DataFrame, *, y: str | None, controls: list[str] | None
) -> tuple[str, list[str]]:
    """Outcome: `--y`, else a column named `y`, else the first column; controls: the others unless given."""
    columns = [str(c) for c in frame.columns]
    if y is None:
        y = next((c for c in columns if c.lower() == "y"), columns[0] if columns else None)
    if y is None or y not in columns:
        raise LiftInputError(f"--y: no column {y!r} (columns: {', '.join(columns)})")
    chosen = [c for c in columns if c != y] if controls is None else controls
    for col in [y, *chosen]:
        if col not in columns:
            raise LiftInputError(f"no column {col!r} (columns: {', '.join(columns)})")
        if not pd.api.types.is_numeric_dtype(frame[col]):
            raise LiftInputError(f"column {col!r} is not numeric")
    return y, chosen


def estimate_lift(
    *,
    y: FloatArray,
    x: FloatArray | None,
    pre: tuple[int, int],
    post: tuple[int, int],
    labels: list[str] | None = None,
    lag: int = 0,
    n_simulations: int = 1000,
    seed: int = 7,
    seasonal_period: int | None = None,
    controls: list[str] | None = None,
) -> LiftResult:
    """Estimate the post-period effect; `pre`/`post` are inclusive row ranges into y (and x)."""
    y = np.asarray(y, dtype=float)
    pre_sl = slice(pre[0], pre[1] + 1)
    post_sl = slice(post[0], post[1] + 1)
    n_post = post[1] - post[0] + 1
    if lag < 0 or lag >= n_post:
        raise LiftInputError(f"--lag must be between 0 and {n_post - 1} (post period has {n_post} periods)")
    if not np.all(np.isfinite(y[pre_sl])) or not np.all(np.isfinite(y[post_sl])):
        raise LiftInputError("the outcome has missing values inside the periods")
    if x is not None and x.shape[1] and not np.all(np.isfinite(x[pre[0] : post[1] + 1])):
        raise LiftInputError("a control has missing values inside the periods")
    draws = simulate_counterfactual(
        y_pre=y[pre_sl],
        x_pre=None if x is None else x[pre_sl],
        x_post=None if x is None else x[post_sl],
        n_post=n_post,
        n_simulations=n_simulations,
        seed=seed,
        seasonal_period=seasonal_period,
    )
    paths = draws.paths
    observed_post = y[post_sl]
    effects = observed_post[None, :] - paths
    # As in CausalImpact: the point prediction is the mean of the state draws (noise has mean zero),
    # the intervals come from the draws of the outcome itself.
    pred_mean = draws.means.mean(axis=0)
    lo, hi = np.quantile(paths, [0.025, 0.975], axis=0)
    cum = np.cumsum(effects, axis=1)
    cum_lo, cum_hi = np.quantile(cum, [0.025, 0.975], axis=0)
    summary = _summarise(observed_post[lag:], paths[:, lag:], pred_mean[lag:])

    span = slice(pre[0], post[1] + 1)
    obs = y[span]
    n_pre_shown = post[0] - pre[0]
    gap = np.full(n_pre_shown, np.nan)
    # Pre-period bands are the observed series itself: the model is only used to project forward.
    predicted = np.concatenate([obs[:n_pre_shown], pred_mean])
    predicted_lower = np.concatenate([obs[:n_pre_shown], lo])
    predicted_upper = np.concatenate([obs[:n_pre_shown], hi])
    labels = labels if labels is not None else [str(i) for i in range(len(y))]
    return LiftResult(
        labels=labels[span],
        observed=obs,
        predicted=predicted,
        predicted_lower=predicted_lower,
        predicted_upper=predicted_upper,
        pointwise_effect=np.concatenate([gap, observed_post - pred_mean]),
        pointwise_lower=np.concatenate([gap, observed_post - hi]),
        pointwise_upper=np.concatenate([gap, observed_post - lo]),
        post_start=n_pre_shown,
        cumulative_effect=np.cumsum(observed_post - pred_mean),
        cumulative_lower=cum_lo,
        cumulative_upper=cum_hi,
        summary=summary,
        lag=lag,
        controls=list(controls or []),
        level_sd=draws.level_sd,
        inclusion=[float(v) for v in draws.inclusion],
    )


def _interval(samples: FloatArray, estimate: float) -> Interval:
    lo, hi = np.quantile(samples, [0.025, 0.975])
    return Interval(estimate=float(estimate), lower=float(lo), upper=float(hi))


def _summarise(observed: FloatArray, paths: FloatArray, pred_mean: FloatArray) -> EffectSummary:
    n = observed.size
    actual_sum = float(observed.sum())
    pred_sums = paths.sum(axis=1)
    pred_sum_mean = float(pred_mean.sum())
    effect_sums = actual_sum - pred_sums
    extended = np.append(pred_sums, actual_sum)
    tail = min(int((extended >= actual_sum).sum()), int((extended <= actual_sum).sum()))
    p_value = tail / extended.size
    relative = effect_sums / pred_sum_mean
    return EffectSummary(
        actual_average=actual_sum / n,
        actual_cumulative=actual_sum,
        predicted_average=_interval(pred_sums / n, pred_sum_mean / n),
        predicted_cumulative=_interval(pred_sums, pred_sum_mean),
        average_effect=_interval(effect_sums / n, (actual_sum - pred_sum_mean) / n),
        cumulative_effect=_interval(effect_sums, actual_sum - pred_sum_mean),
        relative_effect=_interval(relative, (actual_sum - pred_sum_mean) / pred_sum_mean),
        p_value=float(p_value),
    )


def summary_dict(result: LiftResult) -> dict[str, object]:
    """Plain JSON-ready summary (the CLI's `--format json`)."""
    s = result.summary

    def iv(i: Interval) -> dict[str, float]:
        return {"estimate": i.estimate, "lower": i.lower, "upper": i.upper}

    window_start = result.labels[result.post_start + result.lag]
    return {
        "window_start": window_start,
        "window_end": result.labels[-1],
        "lag": result.lag,
        "controls": result.controls,
        "actual_average": s.actual_average,
        "actual_cumulative": s.actual_cumulative,
        "predicted_average": iv(s.predicted_average),
        "predicted_cumulative": iv(s.predicted_cumulative),
        "average_effect": iv(s.average_effect),
        "cumulative_effect": iv(s.cumulative_effect),
        "relative_effect": iv(s.relative_effect),
        "p_value": s.p_value,
        "probability_of_causal_effect": s.probability_of_effect,
        "significant": s.significant,
    }
