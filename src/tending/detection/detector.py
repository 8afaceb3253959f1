"""Streaming spike detector for message volumes (counts, negative counts, negative share per bucket).

Model, per row, computed only from the rows before it (so appending rows never changes a past score):

* the value is put on a log scale (`transform="log"`, a signed log1p) so that a doubling weighs the same
  at 20 and at 2,000 messages per bucket;
* expected = slow level (EWMA over about a day) + hour-of-day profile + hour-of-week correction; the two
  profiles are per-bucket EWMAs of the deviation from the level, shrunk towards zero until a bucket has
  enough history, so weekly seasonality only kicks in once a few weeks have been seen;
* the residual is scaled by a robust running spread (an EWMA of squared residuals, each clipped at a few
  times an unclipped running variance, so one crisis does not blind the detector for days);
* several time scales: besides the row's own z-score, the sums of the last 30 minutes' and 2 hours'
  z-scores (divided by the square root of their length) catch a sustained rise that no single row
  shows; each scale is then judged against its own long-run distribution (running mean and spread,
  a week's half-life: "anomaly likelihood" style, a tail against its own history), and the largest
  calibrated value, Bonferroni-corrected for the number of scales, is the row's evidence;
* a deviation only scores high when it is *new*: it must exceed the recent peak deviation (a peak that
  decays by `gate_decay_per_hour` sigmas an hour) once that peak is alert-sized. One crisis therefore
  raises one alert at its start instead of a run of them;
* one alert per event: after an alert (above `refractory_sigmas`, the 4-sigma alert line) the next
  `refractory_hours` are held at `hold_sigmas`, under the line, unless a row is clearly stronger than
  the alert that opened the pause: its normal tail at most 1/`escalation_factor` of the alert's (an
  order of magnitude rarer by default). Such an escalation alerts again and re-opens the pause; a story
  that merely keeps its size, or grows a little, is the same story.

Every recurrence is linear in a precomputed input, so the batch path runs as a handful of `lfilter`
passes and `maximum.accumulate` calls; the incremental `SpikeDetector.update` performs the same float
operations one row at a time, and the two agree exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.signal import lfilter
from scipy.special import log_ndtr, ndtri, stdtr

HOURS_PER_DAY = 24
HOURS_PER_WEEK = 168
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

FloatArray = NDArray[np.float64]

# z-scores enter the time-scale sums clipped, so one absurd row cannot dominate two hours of evidence.
Z_CLIP_LOW = -10.0
Z_CLIP_HIGH = 30.0
SCALE_VARIANCE_MIN = 1e-6
# Past this many sigmas the normal tail underflows; there the combined value uses its asymptotic form.
TAIL_ASYMPTOTE = 30.0


@dataclass(frozen=True)
class DetectorConfig:
    """Tuning knobs, in wall-clock units so the same defaults suit 5-minute and hourly buckets."""

    step_seconds: float = 300.0
    transform: Literal["log", "sqrt", "identity"] = "log"
    direction: Literal["up", "both"] = "up"
    level_halflife_hours: float = 24.0
    day_halflife_days: float = 7.0
    day_shrink_days: float = 0.5
    week_halflife_weeks: float = 3.0
    week_shrink_weeks: float = 1.0
    scale_halflife_hours: float = 24.0
    counts: bool = True
    variance_prior: float = 0.1
    variance_floor: float = 1e-4
    clip_sigmas: float = 3.0
    gate_decay_per_hour: float = 1.0
    gate_margin: float = 4.0
    z_half: float = 4.0
    band_sigmas: float = 3.0
    warmup_hours: float = 24.0
    window_hours: tuple[float, ...] = (0.5, 2.0)
    calibration_halflife_days: float | None = 7.0
    refractory_hours: float = 24.0
    refractory_sigmas: float = 4.0
    hold_sigmas: float = 3.5
    escalation_factor: float = 10.0
    center: float = 0.0
    """Subtracted from each value before the transform (a continuous series' typical value)."""
    row_tail_dof: float | None = None
    flatline: bool = False
    """Also alert when the value stops changing for longer than its own history makes likely."""
    """Read the single-row statistic as Student-t with these degrees of freedom (heavy-tailed metrics)."""
    scale: float = 1.0
    """Divides each value (after `center`) before the transform, so the floors mean the same on any unit."""

    def __post_init__(self) -> None:
        if self.step_seconds <= 0:
            raise ValueError("step_seconds must be positive")
        if self.transform not in ("log", "sqrt", "identity"):
            raise ValueError("transform must be 'log', 'sqrt' or 'identity'")
        if self.direction not in ("up", "both"):
            raise ValueError("direction must be 'up' or 'both'")
        if self.escalation_factor < 1.0:
            raise ValueError("escalation_factor must be at least 1")
        if self.flatline and self.calibration_halflife_days is None:
            raise ValueError(
                "flatline needs calibration_halflife_days (its repeat rate is learnt at that pace)"
            )
        if not self.scale > 0 or not math.isfinite(self.scale) or not math.isfinite(self.center):
            raise ValueError("scale must be positive and finite, center finite")


@dataclass(frozen=True)
class _Rates:
    """Per-row constants derived once from a config, shared by both code paths so their floats match."""

    level: float
    day: float
    week: float
    scale: float
    day_shrink: float
    week_shrink: float
    gate_decay: float
    warmup_rows: int
    windows: tuple[int, ...]
    calibration: float
    refractory_rows: int
    log_escalation: float


def _alpha(halflife_obs: float) -> float:
    return 1.0 - 0.5 ** (1.0 / max(halflife_obs, 1e-9))


def _rates(config: DetectorConfig) -> _Rates:
    per_hour = 3600.0 / config.step_seconds
    return _Rates(
        level=_alpha(config.level_halflife_hours * per_hour),
        day=_alpha(config.day_halflife_days * per_hour),
        week=_alpha(config.week_halflife_weeks * per_hour),
        scale=_alpha(config.scale_halflife_hours * per_hour),
        day_shrink=config.day_shrink_days * per_hour,
        week_shrink=config.week_shrink_weeks * per_hour,
        gate_decay=config.gate_decay_per_hour / per_hour,
        warmup_rows=math.ceil(config.warmup_hours * per_hour),
        windows=_windows(config, per_hour),
        calibration=(
            0.0
            if config.calibration_halflife_days is None
            else _alpha(config.calibration_halflife_days * HOURS_PER_DAY * per_hour)
        ),
        refractory_rows=round(config.refractory_hours * per_hour),
        log_escalation=math.log(config.escalation_factor),
    )


def _windows(config: DetectorConfig, per_hour: float) -> tuple[int, ...]:
    """Rows summed per time scale: always 1 (the row itself), then each window of at least 2 rows."""
    rows = [1]
    for hours in config.window_hours:
        k = round(hours * per_hour)
        if k >= 2 and k not in rows:
            rows.append(k)
    return tuple(rows)


@dataclass
class DetectorState:
    """Everything the detector remembers: a few hundred floats, JSON-friendly via `to_dict`."""

    rows: int = 0
    level: float = 0.0
    variance_raw: float = 0.0
    variance: float = 0.0
    peak: float = -math.inf
    day_mean: list[float] = field(default_factory=lambda: [0.0] * HOURS_PER_DAY)
    day_weight: list[float] = field(default_factory=lambda: [0.0] * HOURS_PER_DAY)
    day_count: list[int] = field(default_factory=lambda: [0] * HOURS_PER_DAY)
    week_mean: list[float] = field(default_factory=lambda: [0.0] * HOURS_PER_WEEK)
    week_weight: list[float] = field(default_factory=lambda: [0.0] * HOURS_PER_WEEK)
    week_count: list[int] = field(default_factory=lambda: [0] * HOURS_PER_WEEK)
    recent_z: list[float] = field(default_factory=list)
    """The last z-scores (oldest first), as many as the longest window needs."""
    scale_mean: list[float] = field(default_factory=list)
    scale_variance: list[float] = field(default_factory=list)
    suppress_until: int = -1
    """Last row of the current one-alert-per-event pause (row numbers count from 0)."""
    suppress_level: float = 0.0
    last_value: float | None = None
    repeat_run: int = 0
    """Rows in a row that repeated the value before them."""
    repeat_sum: float = 0.0
    repeat_weight: float = 0.0
    """Decayed counts of repeated rows and of all rows: the chance that a row repeats the last one."""
    """Strength of the alert that opened the pause: only a stronger row may alert during it."""

    @classmethod
    def fresh(cls, config: DetectorConfig) -> DetectorState:
        prior = 1.0 if config.counts and config.transform == "log" else config.variance_prior
        scales = len(_rates(config).windows)
        return cls(
            variance_raw=prior, variance=prior, scale_mean=[0.0] * scales, scale_variance=[1.0] * scales
        )

    def to_dict(self) -> dict[str, Any]:
        data = {
            "rows": self.rows,
            "level": self.level,
            "variance_raw": self.variance_raw,
            "variance": self.variance,
            "peak": None if self.peak == -math.inf else self.peak,
            "day_mean": list(self.day_mean),
            "day_weight": list(self.day_weight),
            "day_count": list(self.day_count),
            "week_mean": list(self.week_mean),
            "week_weight": list(self.week_weight),
            "week_count": list(self.week_count),
            "recent_z": list(self.recent_z),
            "scale_mean": list(self.scale_mean),
            "scale_variance": list(self.scale_variance),
            "suppress_until": self.suppress_until,
            "suppress_level": self.suppress_level,
            "last_value": self.last_value,
            "repeat_run": self.repeat_run,
            "repeat_sum": self.repeat_sum,
            "repeat_weight": self.repeat_weight,
        }
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DetectorState:
        peak = data.get("peak")
        state = cls(
            rows=int(data["rows"]),
            level=float(data["level"]),
            variance_raw=float(data["variance_raw"]),
            variance=float(data["variance"]),
            peak=-math.inf if peak is None else float(peak),
            day_mean=[float(v) for v in data["day_mean"]],
            day_weight=[float(v) for v in data["day_weight"]],
            day_count=[int(v) for v in data["day_count"]],
            week_mean=[float(v) for v in data["week_mean"]],
            week_weight=[float(v) for v in data["week_weight"]],
            week_count=[int(v) for v in data["week_count"]],
            recent_z=[float(v) for v in data.get("recent_z", [])],
            scale_mean=[float(v) for v in data.get("scale_mean", [])],
            scale_variance=[float(v) for v in data.get("scale_variance", [])],
            suppress_until=int(data.get("suppress_until", -1)),
            suppress_level=float(data.get("suppress_level", 0.0)),
            last_value=None if data.get("last_value") is None else float(data["last_value"]),
            repeat_run=int(data.get("repeat_run", 0)),
            repeat_sum=float(data.get("repeat_sum", 0.0)),
            repeat_weight=float(data.get("repeat_weight", 0.0)),
        )
        if len(state.day_mean) != HOURS_PER_DAY or len(state.week_mean) != HOURS_PER_WEEK:
            raise ValueError("detector state has the wrong number of seasonal buckets")
        return state


@dataclass(frozen=True)
class Point:
    """One scored row: the score and the band an alert can quote ("412 against an expected 60–110")."""

    score: float
    expected: float
    lower: float
    upper: float
    zscore: float


@dataclass(frozen=True)
class BatchResult:
    score: FloatArray
    expected: FloatArray
    lower: FloatArray
    upper: FloatArray
    zscore: FloatArray


# --- shared scalar helpers -------------------------------------------------------------------------------


def _forward(values: FloatArray, config: DetectorConfig) -> FloatArray:
    transform = config.transform
    if config.center != 0.0 or config.scale != 1.0:
        values = (values - config.center) / config.scale
    if transform == "identity":
        return values.astype(np.float64, copy=True)
    if transform == "sqrt":
        return np.asarray(np.sign(values) * np.sqrt(np.abs(values)), dtype=np.float64)
    return np.asarray(np.sign(values) * np.log1p(np.abs(values)), dtype=np.float64)


def _inverse(values: FloatArray, config: DetectorConfig) -> FloatArray:
    transform = config.transform
    if transform == "identity":
        out = values
    elif transform == "sqrt":
        out = np.asarray(np.sign(values) * values * values, dtype=np.float64)
    else:
        out = np.asarray(np.sign(values) * np.expm1(np.abs(values)), dtype=np.float64)
    if config.center != 0.0 or config.scale != 1.0:
        out = out * config.scale + config.center
    return out


def _hours(seconds: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Hour of day and hour of week (Monday 00:00 UTC = 0) for epoch seconds."""
    hour = seconds // 3600
    hour_of_day = hour % HOURS_PER_DAY
    # 1970-01-01 was a Thursday (weekday 3 with Monday = 0).
    hour_of_week = (hour + 3 * HOURS_PER_DAY) % HOURS_PER_WEEK
    return hour_of_day, hour_of_week


def to_epoch_seconds(timestamps: ArrayLike) -> NDArray[np.int64]:
    """Epoch seconds from datetime64 values, datetimes (naive = UTC) or numbers."""
    arr = np.asarray(timestamps)
    if np.issubdtype(arr.dtype, np.datetime64):
        return arr.astype("datetime64[s]").astype(np.int64)
    if arr.dtype == object:
        return np.array([epoch_seconds(t) for t in arr.ravel()], dtype=np.int64)
    return np.floor(arr.astype(np.float64)).astype(np.int64)


def epoch_seconds(moment: datetime | float | int) -> int:
    """Whole epoch seconds (floored) of a datetime (naive = UTC) or a number."""
    if isinstance(moment, datetime):
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        return math.floor((aware - EPOCH).total_seconds())
    return math.floor(float(moment))


def _noise_unit(predicted: FloatArray, config: DetectorConfig) -> FloatArray:
    """Expected counting noise of a row on the transformed scale (1 when the series is not counts).

    For Poisson counts with mean mu, log1p(count) has variance about mu / (1 + mu)^2, so quiet night
    buckets are far noisier on the log scale than busy afternoons; dividing by this unit first lets one
    learned over-dispersion factor serve the whole day. The unit has no constant floor: noise beyond
    counting (news, bots) is what that learned factor measures, per channel, instead of a fixed guess.
    """
    if not config.counts or config.transform != "log":
        return np.ones_like(predicted)
    # Below one expected message the Poisson formula would shrink to zero and make a single stray message
    # at night look like a crisis; the uncertainty of such a small rate is held at its mu = 1 value.
    mu = np.maximum(np.expm1(predicted), 1.0)
    return np.asarray(np.sqrt(mu) / (1.0 + mu), dtype=np.float64)


def _combine(best: FloatArray, scales: int) -> FloatArray:
    """The largest of `scales` calibrated values, as the z of its Bonferroni-corrected tail probability.

    Taking the largest of several statistics would otherwise raise every quiet row's value (and the
    false alarm rate) with the number of scales; the correction keeps one scale's calibration.
    """
    if scales <= 1:
        return best
    with np.errstate(invalid="ignore", over="ignore"):
        log_tail = np.minimum(log_ndtr(-best) + math.log(scales), 0.0)
        exact = -ndtri(np.exp(log_tail))
        far = np.sqrt(np.maximum(best * best - 2.0 * math.log(scales), 0.0))
    out = np.where(best > TAIL_ASYMPTOTE, far, exact)
    return np.asarray(np.maximum(out, Z_CLIP_LOW), dtype=np.float64)


def _heavy_tail(u: FloatArray, dof: float) -> FloatArray:
    """The normal quantile with the same tail probability as `u` has under a unit-variance Student t.

    A metric with heavy tails (CPU load, latency) throws 5-sigma rows every few days; read as normal
    they would alert, read as t they weigh what they are worth. Sign kept, so falls stay falls.
    """
    t_scale = math.sqrt(dof / (dof - 2.0)) if dof > 2.0 else 1.0
    with np.errstate(divide="ignore"):
        tail = stdtr(dof, -np.abs(u) * t_scale)
        out = -ndtri(np.maximum(tail, 1e-300))
    return np.asarray(np.sign(u) * np.maximum(out, 0.0), dtype=np.float64)


# A flat-line counts as one event: once the run of repeats is rarer than a FLAT_SIGMAS event, its
# evidence is FLAT_SIGMAS, flat (a value that grew with every repeated row would re-alert as an escalation).
FLAT_SIGMAS = 4.5


def _flat_evidence(run: FloatArray, p_repeat: FloatArray) -> FloatArray:
    """FLAT_SIGMAS where `run` repeats in a row, each with chance `p_repeat`, are that rare; else 0."""
    rare = run * np.log(p_repeat) < float(log_ndtr(-FLAT_SIGMAS))
    return np.asarray(np.where(rare, FLAT_SIGMAS, 0.0), dtype=np.float64)


def _flatline(vals: FloatArray, st: DetectorState, c: float) -> FloatArray:
    """Flat-line evidence per row (see `_flat_evidence`); updates the state's repeat counters."""
    n = vals.shape[0]
    first = np.nan if st.last_value is None else st.last_value
    repeated = np.r_[vals[0] == first, vals[1:] == vals[:-1]]
    pos = np.arange(n)
    last_change = np.maximum.accumulate(np.where(repeated, -1, pos))
    run = np.where(last_change >= 0, pos - last_change, pos + 1 + st.repeat_run).astype(np.float64)
    sums = _ewma(repeated.astype(np.float64), c, st.repeat_sum)
    weights = _ewma(np.ones(n), c, st.repeat_weight)
    p_repeat = (np.r_[st.repeat_sum, sums[:-1]] + c) / (np.r_[st.repeat_weight, weights[:-1]] + 2.0 * c)
    st.repeat_sum, st.repeat_weight = float(sums[-1]), float(weights[-1])
    st.repeat_run, st.last_value = int(run[-1]), float(vals[-1])
    return _flat_evidence(run, p_repeat)


def _fit_scales(state: DetectorState, scales: int) -> None:
    """Give a state saved by an older version (or another config) one calibration slot per time scale."""
    if len(state.scale_mean) != scales or len(state.scale_variance) != scales:
        state.scale_mean = [0.0] * scales
        state.scale_variance = [1.0] * scales


def _escalates(z_eff: FloatArray, level: float | FloatArray, log_factor: float) -> NDArray[np.bool_]:
    """Rows clearly stronger than an alert at `level`: a tail probability `log_factor` (log) smaller.

    Compared as log tails, which stay exact far out where the sigmas themselves would lose the ratio.
    """
    with np.errstate(invalid="ignore"):
        return np.asarray(log_ndtr(-z_eff) < log_ndtr(-np.asarray(level)) - log_factor, dtype=np.bool_)


def _score(z_eff: FloatArray, z_half: float) -> FloatArray:
    pos = np.maximum(z_eff, 0.0)
    return np.asarray(pos / (pos + z_half), dtype=np.float64)


# --- incremental ------------------------------------------------------------------------------------------


class SpikeDetector:
    """Row-at-a-time detector whose state can be saved between runs (`state_dict` / `from_state_dict`)."""

    def __init__(self, config: DetectorConfig | None = None, state: DetectorState | None = None) -> None:
        self.config = config or DetectorConfig()
        self._rates = _rates(self.config)
        self.state = state if state is not None else DetectorState.fresh(self.config)

    def state_dict(self) -> dict[str, Any]:
        return self.state.to_dict()

    @classmethod
    def from_state_dict(cls, data: dict[str, Any], config: DetectorConfig | None = None) -> SpikeDetector:
        return cls(config, DetectorState.from_dict(data))

    def update(self, timestamp: datetime | float | int, value: float) -> float:
        """Score one row (in [0, 1]) and learn from it."""
        return self.update_point(timestamp, value).score

    def update_point(self, timestamp: datetime | float | int, value: float) -> Point:
        cfg, rates, st = self.config, self._rates, self.state
        seconds = np.array([epoch_seconds(timestamp)], dtype=np.int64)
        hod_arr, how_arr = _hours(seconds)
        hod, how = int(hod_arr[0]), int(how_arr[0])
        x = float(_forward(np.array([float(value)]), cfg)[0])

        level_prev = x if st.rows == 0 else st.level
        deviation = x - level_prev
        day_season = _seasonal(st.day_mean[hod], st.day_weight[hod], st.day_count[hod], rates.day_shrink)
        week_dev = deviation - day_season
        week_season = _seasonal(st.week_mean[how], st.week_weight[how], st.week_count[how], rates.week_shrink)
        predicted = level_prev + day_season + week_season
        residual = x - predicted
        unit = float(_noise_unit(np.array([predicted]), cfg)[0])
        scaled = residual / unit
        spread = math.sqrt(st.variance + cfg.variance_floor)
        z = scaled / spread
        sigma = unit * spread
        _fit_scales(st, len(rates.windows))
        zc = min(max(z, Z_CLIP_LOW), Z_CLIP_HIGH)
        history = [*st.recent_z, zc]
        evidence = -math.inf
        for j, k in enumerate(rates.windows):
            total = 0.0
            for v in history[-k:]:
                total += v
            u = total / math.sqrt(k)
            if rates.calibration > 0:
                c, mean, var = rates.calibration, st.scale_mean[j], st.scale_variance[j]
                d = u - mean
                st.scale_mean[j] = c * u + (1.0 - c) * mean
                st.scale_variance[j] = c * (d * d) + (1.0 - c) * var
                u = d / math.sqrt(max(var, SCALE_VARIANCE_MIN))
            if k == 1 and cfg.row_tail_dof is not None:
                u = float(_heavy_tail(np.array([u]), cfg.row_tail_dof)[0])
            evidence = max(evidence, u if cfg.direction == "up" else abs(u))
        evidence = float(_combine(np.array([evidence]), len(rates.windows))[0])
        if cfg.flatline:
            repeated = st.last_value is not None and float(value) == st.last_value
            run = st.repeat_run + 1 if repeated else 0
            c = rates.calibration
            p_repeat = (st.repeat_sum + c) / (st.repeat_weight + 2.0 * c)
            flat = float(_flat_evidence(np.array([float(run)]), np.array([p_repeat]))[0])
            evidence = max(evidence, flat)
            st.repeat_sum = c * float(repeated) + (1.0 - c) * st.repeat_sum
            st.repeat_weight = c * 1.0 + (1.0 - c) * st.repeat_weight
            st.repeat_run, st.last_value = run, float(value)
        keep = max(rates.windows) - 1
        st.recent_z = history[-keep:] if keep > 0 else []
        if st.rows == 0:
            z_eff = evidence
        else:
            recent = st.peak - rates.gate_decay * float(st.rows)
            z_eff = min(evidence, evidence - recent + cfg.gate_margin)
        if rates.refractory_rows > 0:
            paused = st.rows <= st.suppress_until
            if paused and not _escalates(np.array([z_eff]), st.suppress_level, rates.log_escalation)[0]:
                z_eff = min(z_eff, cfg.hold_sigmas)
            elif z_eff > cfg.refractory_sigmas:
                st.suppress_until = st.rows + rates.refractory_rows
                st.suppress_level = z_eff
        score = float(_score(np.array([z_eff]), cfg.z_half)[0]) if st.rows >= rates.warmup_rows else 0.0
        band = _inverse(
            np.array([predicted, predicted - cfg.band_sigmas * sigma, predicted + cfg.band_sigmas * sigma]),
            cfg,
        )

        square = scaled * scaled
        clip = cfg.clip_sigmas * cfg.clip_sigmas * (st.variance_raw + cfg.variance_floor)
        st.level = rates.level * x + (1.0 - rates.level) * level_prev
        st.day_mean[hod] = rates.day * deviation + (1.0 - rates.day) * st.day_mean[hod]
        st.day_weight[hod] = rates.day * 1.0 + (1.0 - rates.day) * st.day_weight[hod]
        st.day_count[hod] += 1
        st.week_mean[how] = rates.week * week_dev + (1.0 - rates.week) * st.week_mean[how]
        st.week_weight[how] = rates.week * 1.0 + (1.0 - rates.week) * st.week_weight[how]
        st.week_count[how] += 1
        st.variance = rates.scale * min(square, clip) + (1.0 - rates.scale) * st.variance
        st.variance_raw = rates.scale * square + (1.0 - rates.scale) * st.variance_raw
        st.peak = max(st.peak, evidence + rates.gate_decay * float(st.rows))
        st.rows += 1
        return Point(
            score=score, expected=float(band[0]), lower=float(band[1]), upper=float(band[2]), zscore=z
        )


def _seasonal(mean: float, weight: float, count: int, shrink: float) -> float:
    """Bias-corrected bucket EWMA, shrunk towards zero while the bucket has little history."""
    if count == 0:
        return 0.0
    return mean / weight * (float(count) / (float(count) + shrink))


# --- batch ------------------------------------------------------------------------------------------------


def _ewma(inputs: FloatArray, alpha: float, initial: float) -> FloatArray:
    """y[i] = alpha * inputs[i] + (1 - alpha) * y[i-1], starting from `initial`."""
    decay = 1.0 - alpha
    out, _ = lfilter([alpha], [1.0, -decay], inputs, zi=[decay * initial])
    return np.asarray(out, dtype=np.float64)


def _grouped_season(
    buckets: NDArray[np.int64],
    inputs: FloatArray,
    means: list[float],
    weights: list[float],
    counts: list[int],
    alpha: float,
    shrink: float,
) -> FloatArray:
    """Seasonal estimate each row sees before its own update; updates the bucket lists in place."""
    n = buckets.shape[0]
    prior = np.zeros(n, dtype=np.float64)
    order = np.argsort(buckets, kind="stable")
    sorted_buckets = buckets[order]
    starts = np.flatnonzero(np.r_[True, sorted_buckets[1:] != sorted_buckets[:-1]])
    ends = np.r_[starts[1:], n]
    for start, end in zip(starts, ends, strict=True):
        idx = order[start:end]
        b = int(sorted_buckets[start])
        size = int(end - start)
        mean_after = _ewma(inputs[idx], alpha, means[b])
        weight_after = _ewma(np.ones(size), alpha, weights[b])
        mean_before = np.r_[means[b], mean_after[:-1]]
        weight_before = np.r_[weights[b], weight_after[:-1]]
        count_before = counts[b] + np.arange(size, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            est = mean_before / weight_before * (count_before / (count_before + shrink))
        prior[idx] = np.where(count_before > 0, est, 0.0)
        means[b] = float(mean_after[-1])
        weights[b] = float(weight_after[-1])
        counts[b] += size
    return prior


def _standardise(
    residual: FloatArray, rate: float, var_raw: float, var: float, clip_sigmas: float, floor: float
) -> tuple[FloatArray, FloatArray, float, float]:
    """z-scores against the spread known before each row; returns the updated variances too."""
    square = residual * residual
    var_raw_after = _ewma(square, rate, var_raw)
    var_raw_prev = np.r_[var_raw, var_raw_after[:-1]]
    clip = clip_sigmas * clip_sigmas * (var_raw_prev + floor)
    var_after = _ewma(np.minimum(square, clip), rate, var)
    var_prev = np.r_[var, var_after[:-1]]
    sigma = np.sqrt(var_prev + floor)
    return residual / sigma, sigma, float(var_raw_after[-1]), float(var_after[-1])


def _evidence(z: FloatArray, st: DetectorState, rates: _Rates, cfg: DetectorConfig) -> FloatArray:
    """Largest calibrated time-scale statistic per row; updates the state's history and calibration.

    Sums run oldest row first, like the row-at-a-time path, so both give the same floats.
    """
    n = z.shape[0]
    _fit_scales(st, len(rates.windows))
    zc = np.minimum(np.maximum(z, Z_CLIP_LOW), Z_CLIP_HIGH)
    longest = max(rates.windows)
    past = np.asarray(st.recent_z[-(longest - 1) :] if longest > 1 else [], dtype=np.float64)
    padded = np.r_[np.zeros(longest - 1 - past.size), past, zc]
    offset = longest - 1
    evidence = np.full(n, -np.inf)
    for j, k in enumerate(rates.windows):
        total = np.zeros(n)
        for back in range(k - 1, -1, -1):
            total = total + padded[offset - back : offset - back + n]
        u = total / math.sqrt(k)
        if rates.calibration > 0:
            mean_after = _ewma(u, rates.calibration, st.scale_mean[j])
            mean_prev = np.r_[st.scale_mean[j], mean_after[:-1]]
            d = u - mean_prev
            var_after = _ewma(d * d, rates.calibration, st.scale_variance[j])
            var_prev = np.r_[st.scale_variance[j], var_after[:-1]]
            u = d / np.sqrt(np.maximum(var_prev, SCALE_VARIANCE_MIN))
            st.scale_mean[j] = float(mean_after[-1])
            st.scale_variance[j] = float(var_after[-1])
        if k == 1 and cfg.row_tail_dof is not None:
            u = _heavy_tail(u, cfg.row_tail_dof)
        evidence = np.maximum(evidence, u if cfg.direction == "up" else np.abs(u))
    kept = min(longest - 1, st.rows + n)
    st.recent_z = [float(v) for v in padded[padded.size - kept :]] if kept > 0 else []
    return _combine(evidence, len(rates.windows))


def _refractory(
    z_eff: FloatArray, st: DetectorState, rows: int, line: float, hold: float, log_factor: float
) -> FloatArray:
    """One alert per event: after an alert (z_eff above `line`) the next `rows` rows are held at or below
    `hold`, except a row clearly stronger than the alert that opened the pause (see `_escalates`), which
    alerts and re-opens it.

    Alerts are rare, so walking the rows above the line one by one costs nothing.
    """
    n = z_eff.shape[0]
    first = st.rows
    until, level = st.suppress_until, st.suppress_level
    pauses: list[tuple[int, int, float]] = []  # (first row, last row, level), chunk positions
    if until >= first:
        pauses.append((0, until - first, level))
    for i in np.flatnonzero(z_eff > line):
        row = first + int(i)
        if row <= until and not _escalates(z_eff[i : i + 1], level, log_factor)[0]:
            continue
        if pauses and pauses[-1][1] >= i:
            pauses[-1] = (pauses[-1][0], int(i) - 1, pauses[-1][2])
        until, level = row + rows, float(z_eff[i])
        pauses.append((int(i) + 1, int(i) + rows, level))
    out = z_eff.copy()
    for lo, hi, lev in pauses:
        seg = slice(lo, min(hi, n - 1) + 1)
        part = out[seg]
        out[seg] = np.where(_escalates(part, lev, log_factor), part, np.minimum(part, hold))
    st.suppress_until, st.suppress_level = until, level
    return out


def score_batch(
    timestamps: ArrayLike,
    values: ArrayLike,
    *,
    config: DetectorConfig | None = None,
    state: DetectorState | None = None,
) -> tuple[BatchResult, DetectorState]:
    """Score a run of rows at once; pass the returned state to continue with the next chunk.

    Gives exactly the scores `SpikeDetector.update` gives row by row from the same starting state.
    """
    cfg = config or DetectorConfig()
    rates = _rates(cfg)
    st = DetectorState.from_dict(state.to_dict()) if state is not None else DetectorState.fresh(cfg)
    vals = np.asarray(values, dtype=np.float64)
    seconds = to_epoch_seconds(timestamps)
    if vals.ndim != 1 or seconds.shape != vals.shape:
        raise ValueError("timestamps and values must be 1-D arrays of the same length")
    n = vals.shape[0]
    if n == 0:
        empty = np.zeros(0, dtype=np.float64)
        return BatchResult(empty, empty, empty, empty, empty), st
    hod, how = _hours(seconds)
    x = _forward(vals, cfg)

    first_level = x[0] if st.rows == 0 else st.level
    level_after = _ewma(x, rates.level, first_level)
    level_prev = np.r_[first_level, level_after[:-1]]
    deviation = x - level_prev

    day_season = _grouped_season(
        hod, deviation, st.day_mean, st.day_weight, st.day_count, rates.day, rates.day_shrink
    )
    week_dev = deviation - day_season
    week_season = _grouped_season(
        how, week_dev, st.week_mean, st.week_weight, st.week_count, rates.week, rates.week_shrink
    )
    predicted = level_prev + day_season + week_season
    residual = x - predicted
    unit = _noise_unit(predicted, cfg)
    z, spread, st.variance_raw, st.variance = _standardise(
        residual / unit, rates.scale, st.variance_raw, st.variance, cfg.clip_sigmas, cfg.variance_floor
    )
    sigma = unit * spread
    evidence = _evidence(z, st, rates, cfg)
    if cfg.flatline:
        evidence = np.maximum(evidence, _flatline(vals, st, rates.calibration))

    row_index = st.rows + np.arange(n, dtype=np.float64)
    shifted = evidence + rates.gate_decay * row_index
    peak_after = np.maximum.accumulate(np.r_[st.peak, shifted])
    peak_prev = peak_after[:-1]
    recent = peak_prev - rates.gate_decay * row_index
    with np.errstate(invalid="ignore"):
        gated = np.minimum(evidence, evidence - recent + cfg.gate_margin)
    z_eff = np.where(row_index == 0, evidence, gated)
    if rates.refractory_rows > 0:
        z_eff = _refractory(
            z_eff, st, rates.refractory_rows, cfg.refractory_sigmas, cfg.hold_sigmas, rates.log_escalation
        )
    score = np.where(row_index >= rates.warmup_rows, _score(z_eff, cfg.z_half), 0.0)

    band = _inverse(
        np.stack([predicted, predicted - cfg.band_sigmas * sigma, predicted + cfg.band_sigmas * sigma]),
        cfg,
    )
    st.level = float(level_after[-1])
    st.peak = float(peak_after[-1])
    st.rows += n
    return BatchResult(score=score, expected=band[0], lower=band[1], upper=band[2], zscore=z), st
