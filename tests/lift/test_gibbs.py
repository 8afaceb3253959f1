"""The Gibbs sampler behind `tending lift`: known effects recovered, variable selection, and agreement
with the posterior computed directly on a grid."""

from __future__ import annotations

import numpy as np
from scipy import stats
from statsmodels.tsa.statespace.structural import UnobservedComponents

from tending.lift.model import LEVEL_PRIOR_SD, LEVEL_PRIOR_WEIGHT, sample_posterior
from tending.lift.service import estimate_lift


def _bsts_series(seed: int, n: int, launch: int, effect: float) -> tuple[np.ndarray, np.ndarray]:
    """Local level + two relevant controls + one irrelevant, the effect added from `launch` on."""
    rng = np.random.default_rng(seed)
    x = 100 + np.cumsum(rng.normal(0, 1, (n, 3)), axis=0)
    level = 30 + np.cumsum(rng.normal(0, 0.05, n))
    y = level + 1.5 * x[:, 0] - 0.8 * x[:, 1] + rng.normal(0, 1.0, n)
    y[launch:] += effect
    return y, x


def test_gibbs_recovers_a_known_effect_inside_its_interval() -> None:
    n, launch, effect = 160, 120, 6.0
    y, x = _bsts_series(11, n, launch, effect)
    res = estimate_lift(y=y, x=x, pre=(0, launch - 1), post=(launch, n - 1), n_simulations=600, seed=2)
    avg = res.summary.average_effect
    assert avg.lower <= effect <= avg.upper
    assert abs(avg.estimate - effect) < 2.0
    assert res.summary.significant
    # The irrelevant control is kept out far more often than the two that drive the series.
    assert res.inclusion[0] > 0.95 and res.inclusion[1] > 0.95
    assert res.inclusion[2] < 0.6


def test_gibbs_no_effect_is_not_significant() -> None:
    n, launch = 160, 120
    y, x = _bsts_series(12, n, launch, 0.0)
    res = estimate_lift(y=y, x=x, pre=(0, launch - 1), post=(launch, n - 1), n_simulations=600, seed=2)
    assert res.summary.average_effect.lower <= 0.0 <= res.summary.average_effect.upper
    assert not res.summary.significant


def test_seasonal_model_recovers_a_known_effect() -> None:
    rng = np.random.default_rng(5)
    n, launch, effect = 98, 70, 4.0
    pattern = np.array([3.0, 1.0, 0.0, -1.0, -2.0, -3.0, 2.0])
    y = 20 + np.tile(pattern, n // 7) + np.cumsum(rng.normal(0, 0.1, n)) + rng.normal(0, 0.5, n)
    y[launch:] += effect
    res = estimate_lift(
        y=y, x=None, pre=(0, launch - 1), post=(launch, n - 1), n_simulations=300, seed=3, seasonal_period=7
    )
    avg = res.summary.average_effect
    assert avg.lower <= effect <= avg.upper
    assert res.summary.significant
    # The weekly pattern is carried into the counterfactual: its swing survives in the prediction.
    pred = res.predicted[res.post_start :]
    assert np.ptp(pred[:7]) > 4.0


def test_variance_draws_match_the_grid_posterior() -> None:
    """Local level alone: the Gibbs posterior means of both sds agree with numerical integration of
    likelihood x prior (same priors) over a grid."""
    rng = np.random.default_rng(0)
    n = 200
    y = np.cumsum(rng.normal(0, 0.3, n)) + rng.normal(0, 0.5, n)
    z = (y - y.mean()) / y.std(ddof=1)
    draws = sample_posterior(
        z=z, x_fit=None, x_prior=None, n_draws=3000, burn_in=300, rng=np.random.default_rng(1)
    )
    model = UnobservedComponents(z, level="llevel")
    obs_grid = np.linspace(0.1, 0.7, 31)
    lvl_grid = np.linspace(0.01, 0.4, 40)
    level_prior = stats.gamma(LEVEL_PRIOR_WEIGHT / 2, scale=2 / (LEVEL_PRIOR_WEIGHT * LEVEL_PRIOR_SD**2))
    obs_prior = stats.gamma(0.005, scale=2 / 0.01)
    logp = np.empty((obs_grid.size, lvl_grid.size))
    for i, so in enumerate(obs_grid):
        for j, sl in enumerate(lvl_grid):
            # Priors are on precisions; the Jacobian to sds is 2 / sd^3.
            logp[i, j] = (
                model.loglike(np.array([so**2, sl**2]))
                + level_prior.logpdf(1 / sl**2)
                + np.log(2 / sl**3)
                + obs_prior.logpdf(1 / so**2)
                + np.log(2 / so**3)
            )
    w = np.exp(logp - logp.max())
    w /= w.sum()
    assert w[0].sum() + w[-1].sum() + w[:, 0].sum() + w[:, -1].sum() < 1e-3  # the grid holds the mass
    grid_obs = float((w.sum(axis=1) * obs_grid).sum())
    grid_lvl = float((w.sum(axis=0) * lvl_grid).sum())
    assert abs(draws.obs_sd.mean() - grid_obs) < 0.05 * grid_obs, (draws.obs_sd.mean(), grid_obs)
    assert abs(draws.level_sd.mean() - grid_lvl) < 0.05 * grid_lvl, (draws.level_sd.mean(), grid_lvl)
