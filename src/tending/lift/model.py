"""Counterfactual of an outcome series after a campaign, from a structural time-series model.

Choice of engine: statsmodels' `UnobservedComponents` (already a dependency). The two Python ports of
R's CausalImpact were checked with `pip install --dry-run`: `tfcausalimpact` pulls TensorFlow and
TensorFlow Probability (hundreds of MB) for one feature; `pycausalimpact` (0.1.1) has not been released
since 2020 and wants an older pandas. Neither was worth the weight or the risk.

Setup, chosen to stay close to R CausalImpact's defaults without pretending to be Bayesian-exact:
- y and the controls are standardised with their pre-period mean and sd (R does the same);
- a local level, plus a static regression on the controls (R uses a spike-and-slab prior; here the
  coefficients are plain maximum likelihood), plus a seasonal component when asked;
- R puts an inverse-gamma prior (guess sd 0.01 in standardised units, weight 32 observations) on the
  level's innovations; by default the level sd is fixed at that guess, 0.01. `level_sd="prior"` takes
  the posterior mode under R's prior instead (likelihood profiled over a grid) and `level_sd="free"`
  plain maximum likelihood; on R's reference series both gave wider intervals than R (see BENCHMARKS.md);
- the model is fitted on the pre period only; the post period is simulated forward with the controls'
  observed values, drawing the parameters from their asymptotic normal distribution and the states and
  noise from the model, which gives joint draws of the counterfactual path (needed for cumulative
  intervals and the tail-area probability).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from statsmodels.tsa.statespace.mlemodel import MLEResults
from statsmodels.tsa.statespace.structural import UnobservedComponents

FloatArray = npt.NDArray[np.float64]

# statsmodels 0.15 renamed `random_state` to `rng` (the old name warns); support both.
_RNG_KEYWORD = "rng" if "rng" in inspect.signature(MLEResults.simulate).parameters else "random_state"


@dataclass(frozen=True)
class CounterfactualDraws:
    """Simulated counterfactual paths over the post period, in the units of y (shape: draws x periods)."""

    paths: FloatArray
    level_sd: float
    """Level innovation sd used, in standardised units (fixed or estimated)."""


def _standardise(values: FloatArray, ref: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    mean = ref.mean(axis=0)
    sd = ref.std(axis=0, ddof=1)
    sd = np.where(sd > 0, sd, 1.0)
    return (values - mean) / sd, mean, sd


# R CausalImpact (via bsts) puts an inverse-gamma prior on the level variance: a guess of sd 0.01 in
# standardised units, weighted like 32 observations.
LEVEL_PRIOR_SD = 0.01
LEVEL_PRIOR_WEIGHT = 32.0
LEVEL_SD_GRID = np.geomspace(0.003, 0.3, 15)


def _level_log_prior(variance: float) -> float:
    shape = LEVEL_PRIOR_WEIGHT / 2
    scale = LEVEL_PRIOR_WEIGHT * LEVEL_PRIOR_SD**2 / 2
    return float((-shape - 1) * np.log(variance) - scale / variance)


def _fit_level_map(model: UnobservedComponents) -> tuple[dict[str, float], Any]:
    """Level sd at the posterior mode under R's prior, by profiling the likelihood over a grid."""
    best: tuple[float, dict[str, float], Any] | None = None
    for sd in LEVEL_SD_GRID:
        fixed = {"sigma2.level": float(sd) ** 2}
        fit = model.fit_constrained(fixed, disp=False, maxiter=200)
        score = float(fit.llf) + _level_log_prior(float(sd) ** 2)
        if best is None or score > best[0]:
            best = (score, fixed, fit)
    assert best is not None
    return best[1], best[2]


def simulate_counterfactual(
    *,
    y_pre: FloatArray,
    x_pre: FloatArray | None,
    x_post: FloatArray | None,
    n_post: int,
    n_simulations: int,
    seed: int,
    level_sd: float | str = 0.01,
    seasonal_period: int | None = None,
) -> CounterfactualDraws:
    """Fit on the pre period, then draw `n_simulations` joint post-period counterfactual paths."""
    rng = np.random.default_rng(seed)
    z_pre, y_mean, y_sd = _standardise(y_pre.astype(float), y_pre.astype(float))
    exog_pre = exog_post = None
    if x_pre is not None and x_post is not None and x_pre.shape[1] > 0:
        exog_pre, _, _ = _standardise(x_pre.astype(float), x_pre.astype(float))
        x_mean = x_pre.mean(axis=0)
        x_sd = x_pre.std(axis=0, ddof=1)
        x_sd = np.where(x_sd > 0, x_sd, 1.0)
        exog_post = (x_post.astype(float) - x_mean) / x_sd
    model = UnobservedComponents(
        z_pre,
        level="llevel",
        exog=exog_pre,
        seasonal=seasonal_period if seasonal_period and seasonal_period > 1 else None,
    )
    names = list(model.param_names)
    if level_sd == "free":
        fixed: dict[str, float] = {}
        fit = model.fit(disp=False, maxiter=200)
    elif level_sd == "prior":
        fixed, fit = _fit_level_map(model)
    else:
        fixed = {"sigma2.level": float(level_sd) ** 2}
        fit = model.fit_constrained(fixed, disp=False, maxiter=200)
    params = np.asarray(fit.params, dtype=float)
    cov = np.asarray(fit.cov_params(), dtype=float)
    free = np.array([n not in fixed for n in names]) & np.isfinite(np.diag(cov)) & (np.diag(cov) > 0)
    cov_free = cov[np.ix_(free, free)] if free.any() else np.zeros((0, 0))
    if cov_free.size and not np.all(np.isfinite(cov_free)):
        free[:] = False
    variances = np.array([n.startswith("sigma2") for n in names])

    n_param_sets = max(1, min(200, n_simulations // 10))
    per_set = int(np.ceil(n_simulations / n_param_sets))
    paths: list[FloatArray] = []
    for _ in range(n_param_sets):
        draw = params.copy()
        if free.any():
            draw[free] = rng.multivariate_normal(params[free], cov_free, method="eigh")
        draw[variances] = np.abs(draw[variances])
        result = model.smooth(draw)
        sims = result.simulate(
            nsimulations=n_post,
            repetitions=per_set,
            anchor="end",
            exog=exog_post,
            **{_RNG_KEYWORD: rng},
        )
        paths.append(np.asarray(sims, dtype=float).reshape(n_post, per_set).T)
    z_paths = np.vstack(paths)[:n_simulations]
    used_level_sd = float(np.sqrt(params[names.index("sigma2.level")]))
    return CounterfactualDraws(paths=z_paths * float(y_sd) + float(y_mean), level_sd=used_level_sd)
