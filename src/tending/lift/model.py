"""Counterfactual of an outcome series after a campaign: a Bayesian structural time series, by Gibbs sampling.

The model is the one R's CausalImpact fits with its defaults (static regression), written from Scott &
Varian's description of Bayesian structural time series ("Predicting the present with BSTS", 2014) and
the priors CausalImpact documents:

    y_t  = mu_t + x_t' beta + eps_t,        eps_t ~ N(0, sigma_obs^2)
    mu_t = mu_{t-1} + eta_t,                eta_t ~ N(0, sigma_level^2)

on data standardised with the pre period's mean and sd. Priors:
- 1/sigma_level^2 ~ Gamma(32/2, 32 * 0.01^2 / 2): a guess of 0.01 sd weighted like 32 observations,
  with sigma_level kept at or below sd(y) (= 1 after standardising);
- initial level ~ N(y_1, sd(y)^2);
- regression on an intercept plus the controls, with a spike-and-slab prior: each coefficient is in the
  model with probability min(1, 3 / number of columns); included coefficients are
  N(0, sigma_obs^2 * Omega) with Omega^-1 = 0.01 * (X'X / n averaged half-and-half with its diagonal),
  X over the whole analysed span; 1/sigma_obs^2 ~ Gamma(50/2, 50 * (1 - 0.8) * sd(y)^2 / 2) (an
  expected R^2 of 0.8 weighted like 50 observations), sigma_obs at most 1.2 sd(y).
  Without controls the observation sd gets a vague prior (guess sd(y), weight 0.01).

Each Gibbs sweep (1) draws the level path given the rest by forward filtering, backward sampling;
(2) draws sigma_level from its conjugate gamma given the level's steps; (3) draws the inclusion
indicators one at a time from their conditional given the data net of the level, with the coefficients
and sigma_obs integrated out (stochastic search variable selection), then sigma_obs and the included
coefficients from their conjugate posteriors. The first draws are discarded as burn-in; each kept draw
extends the level as a random walk over the post period and adds the controls' contribution and
observation noise, which gives joint draws of the counterfactual path (what the cumulative intervals and
the tail-area probability need).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# Prior settings CausalImpact uses by default (standardised units).
LEVEL_PRIOR_SD = 0.01
LEVEL_PRIOR_WEIGHT = 32.0
EXPECTED_MODEL_SIZE = 3.0
EXPECTED_R2 = 0.8
OBS_PRIOR_WEIGHT = 50.0
PRIOR_INFORMATION_WEIGHT = 0.01
DIAGONAL_SHRINKAGE = 0.5
OBS_SD_UPPER_FACTOR = 1.2
NO_REGRESSION_OBS_PRIOR_WEIGHT = 0.01
SEASON_PRIOR_SD = 0.01
SEASON_PRIOR_WEIGHT = 0.01


@dataclass(frozen=True)
class CounterfactualDraws:
    """Posterior draws of the post-period counterfactual, in the units of y (shape: draws x periods)."""

    paths: FloatArray
    """Draws of the outcome itself (state plus observation noise): intervals and p come from these."""
    means: FloatArray
    """Draws of the state alone (level plus regression): their average is the point prediction."""
    level_sd: float
    """Posterior mean of the level's innovation sd, in standardised units."""
    inclusion: FloatArray
    """Posterior inclusion probability of each control (intercept excluded)."""


def _standardise(values: FloatArray, ref: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    mean = ref.mean(axis=0)
    sd = ref.std(axis=0, ddof=1)
    sd = np.where(sd > 0, sd, 1.0)
    return (values - mean) / sd, mean, sd


def _draw_precision(rng: np.random.Generator, shape: float, rate: float, max_sd: float) -> float:
    """A gamma draw for 1/sigma^2 restricted to sigma <= max_sd (inverse-CDF on the allowed tail)."""
    floor = 1.0 / max_sd**2
    value = float(rng.gamma(shape, 1.0 / rate))
    if value >= floor:
        return value
    dist = stats.gamma(shape, scale=1.0 / rate)
    low = float(dist.cdf(floor))
    if low >= 1.0 - 1e-12:
        return floor
    return float(dist.ppf(rng.uniform(low, 1.0)))


def _sample_level(
    target: FloatArray, obs_var: float, level_var: float, m0: float, p0: float, normals: FloatArray
) -> FloatArray:
    """Draw the level path given `target` (y net of the regression): forward filter, backward sample.

    Scalar state, so plain floats: for a few hundred periods this is faster than any vectorised form.
    """
    n = target.size
    means = [0.0] * n
    variances = [0.0] * n
    m, p = m0, p0
    values = target.tolist()
    for t in range(n):
        gain = p / (p + obs_var)
        m = m + gain * (values[t] - m)
        p = p * (1.0 - gain)
        means[t] = m
        variances[t] = p
        p = p + level_var
    out = [0.0] * n
    z = normals.tolist()
    nxt = means[-1] + math.sqrt(variances[-1]) * z[-1]
    out[-1] = nxt
    for t in range(n - 2, -1, -1):
        pf = variances[t]
        smooth = pf / (pf + level_var)
        mean = means[t] + smooth * (nxt - means[t])
        nxt = mean + math.sqrt(max(pf * (1.0 - smooth), 0.0)) * z[t]
        out[t] = nxt
    return np.asarray(out)


class SeasonalStates:
    """Level plus a dummy-variable seasonal of `seasons` periods, sampled by a simulation smoother.

    State (seasons values): the level, then the current seasonal effect and the seasons - 2 before it;
    the effects of one full cycle sum to a zero-mean disturbance. The level and the seasonal each get
    their own disturbance variance. Draws use Durbin and Koopman's mean-correction simulation smoother
    (simulate from the model, smooth the difference), which copes with the singular state noise.
    """

    def __init__(self, seasons: int, first: float, sdy: float) -> None:
        d = seasons
        self.d = d
        trans = np.zeros((d, d))
        trans[0, 0] = 1.0
        trans[1, 1:] = -1.0
        for i in range(2, d):
            trans[i, i - 1] = 1.0
        self.trans = trans
        self.obs = np.zeros(d)
        self.obs[:2] = 1.0
        self.a1 = np.zeros(d)
        self.a1[0] = first
        self.p1 = np.eye(d) * sdy**2

    def noise_cov(self, level_var: float, season_var: float) -> FloatArray:
        q = np.zeros((self.d, self.d))
        q[0, 0] = level_var
        q[1, 1] = season_var
        return q

    def simulate(
        self, rng: np.random.Generator, n: int, start: FloatArray, level_var: float, season_var: float
    ) -> FloatArray:
        """A state path of n periods whose first state is `start` (n x d)."""
        d = self.d
        walk = np.concatenate([[0.0], np.cumsum(rng.standard_normal(n - 1))])
        level = start[0] + walk * math.sqrt(level_var)
        # Seasonal effects: s_t + s_(t-1) + ... + s_(t-d+1) = noise; the first d - 1 values are given.
        shocks = np.concatenate([[0.0], rng.standard_normal(n - 1) * math.sqrt(season_var)])
        history = start[1:][::-1]  # s_(2-d) ... s_1, oldest first
        season = np.empty(n + d - 2)
        season[: d - 1] = history
        for t in range(1, n):
            i = t + d - 2
            season[i] = shocks[t] - season[i - d + 1 : i].sum()
        out = np.empty((n, d))
        out[:, 0] = level
        for j in range(1, d):
            # column j holds s_(t-j+1)
            out[:, j] = season[d - 1 - j : d - 1 - j + n]
        return out

    def draw(
        self,
        rng: np.random.Generator,
        target: FloatArray,
        obs_var: float,
        level_var: float,
        season_var: float,
    ) -> FloatArray:
        """One draw of the state path given `target` (y net of the regression), shape n x d."""
        n = target.size
        start = self.a1 + np.linalg.cholesky(self.p1) @ rng.standard_normal(self.d)
        plus = self.simulate(rng, n, start, level_var, season_var)
        y_plus = plus @ self.obs + math.sqrt(obs_var) * rng.standard_normal(n)
        diff = target - y_plus
        q = self.noise_cov(level_var, season_var)
        z, tr = self.obs, self.trans
        a = np.zeros(self.d)
        p = self.p1.copy()
        a_s = np.empty((n, self.d))
        p_s = np.empty((n, self.d, self.d))
        v_s = np.empty(n)
        f_s = np.empty(n)
        l_s = np.empty((n, self.d, self.d))
        for t in range(n):
            pz = p @ z
            f = float(z @ pz) + obs_var
            v = float(diff[t] - z @ a)
            k = tr @ pz / f
            lt = tr - np.outer(k, z)
            a_s[t], p_s[t], v_s[t], f_s[t], l_s[t] = a, p, v, f, lt
            a = tr @ a + k * v
            p = tr @ p @ lt.T + q
        r = np.zeros(self.d)
        smoothed = np.empty((n, self.d))
        for t in range(n - 1, -1, -1):
            r = z * (v_s[t] / f_s[t]) + l_s[t].T @ r
            smoothed[t] = a_s[t] + p_s[t] @ r
        return smoothed + plus


class SpikeSlabRegression:
    """Conjugate spike-and-slab regression of a target on fixed columns, sampled one indicator at a time.

    The data enter only through X'X (fixed), X'r and r'r, so each sweep costs O(p^3) per indicator,
    independent of the series length.
    """

    def __init__(self, x_fit: FloatArray, x_prior: FloatArray, sdy: float) -> None:
        n_prior, p = x_prior.shape
        xtx_prior = x_prior.T @ x_prior / n_prior
        if p > 1:
            diag = np.diag(np.diag(xtx_prior))
            xtx_prior = DIAGONAL_SHRINKAGE * diag + (1 - DIAGONAL_SHRINKAGE) * xtx_prior
        self.prior_precision = PRIOR_INFORMATION_WEIGHT * xtx_prior
        self.prior_mean = np.zeros(p)
        all_zero = np.all(x_prior == 0, axis=0)
        pi = min(1.0, EXPECTED_MODEL_SIZE / p)
        self.inclusion_prior = np.where(all_zero, 0.0, pi)
        self.xtx = x_fit.T @ x_fit
        self.x = x_fit
        self.n = x_fit.shape[0]
        self.df_prior = OBS_PRIOR_WEIGHT
        self.ss_prior = OBS_PRIOR_WEIGHT * (1 - EXPECTED_R2) * sdy**2
        self.max_sd = OBS_SD_UPPER_FACTOR * sdy
        self.p = p

    def _posterior(
        self, gamma: BoolArray, xty: FloatArray, yty: float
    ) -> tuple[float, FloatArray, FloatArray]:
        """Residual sum of squares term, posterior mean and Cholesky factor of the precision for `gamma`."""
        if not gamma.any():
            return self.ss_prior + yty, np.zeros(0), np.zeros((0, 0))
        idx = np.flatnonzero(gamma)
        omega = self.prior_precision[np.ix_(idx, idx)]
        b = self.prior_mean[idx]
        precision = self.xtx[np.ix_(idx, idx)] + omega
        chol = np.linalg.cholesky(precision)
        rhs = xty[idx] + omega @ b
        half = np.linalg.solve(chol, rhs)
        mean = np.linalg.solve(chol.T, half)
        ss = self.ss_prior + yty + float(b @ omega @ b) - float(half @ half)
        return max(ss, 1e-12), mean, chol

    def _log_marginal(self, gamma: BoolArray, xty: FloatArray, yty: float) -> float:
        ss, _, chol = self._posterior(gamma, xty, yty)
        df = self.df_prior + self.n
        value = -0.5 * df * math.log(ss / 2)
        if gamma.any():
            idx = np.flatnonzero(gamma)
            omega = self.prior_precision[np.ix_(idx, idx)]
            _, logdet_omega = np.linalg.slogdet(omega)
            value += 0.5 * logdet_omega - float(np.log(np.diag(chol)).sum())
        pi = self.inclusion_prior
        with np.errstate(divide="ignore"):
            value += float(np.where(gamma, np.log(pi), np.log1p(-pi)).sum())
        return value

    def draw(
        self, rng: np.random.Generator, target: FloatArray, gamma: BoolArray
    ) -> tuple[BoolArray, FloatArray, float]:
        """One sweep: indicators (random order), then sigma_obs^2, then the included coefficients."""
        xty = self.x.T @ target
        yty = float(target @ target)
        gamma = gamma.copy()
        free = np.flatnonzero((self.inclusion_prior > 0) & (self.inclusion_prior < 1))
        for j in rng.permutation(free):
            gamma[j] = True
            with_j = self._log_marginal(gamma, xty, yty)
            gamma[j] = False
            without_j = self._log_marginal(gamma, xty, yty)
            prob = 1.0 / (1.0 + math.exp(min(without_j - with_j, 700.0)))
            gamma[j] = rng.uniform() < prob
        ss, mean, chol = self._posterior(gamma, xty, yty)
        df = self.df_prior + self.n
        obs_var = 1.0 / _draw_precision(rng, df / 2, ss / 2, self.max_sd)
        beta = np.zeros(self.p)
        if gamma.any():
            noise = np.linalg.solve(chol.T, rng.standard_normal(mean.size))
            beta[gamma] = mean + math.sqrt(obs_var) * noise
        return gamma, beta, obs_var


@dataclass(frozen=True)
class PosteriorDraws:
    """Kept Gibbs draws, standardised units."""

    last_state: FloatArray
    """State at the last fitted period (draws x state size): the level, then seasonal effects if any."""
    beta: FloatArray
    """Coefficients, intercept first (draws x columns)."""
    gamma: BoolArray
    obs_sd: FloatArray
    level_sd: FloatArray
    season_sd: FloatArray


def sample_posterior(
    *,
    z: FloatArray,
    x_fit: FloatArray | None,
    x_prior: FloatArray | None,
    n_draws: int,
    burn_in: int,
    rng: np.random.Generator,
    seasons: int | None = None,
) -> PosteriorDraws:
    """Gibbs sampler for local level (+ seasonal) + static spike-and-slab regression on standardised `z`.

    `x_fit` are the control columns over the rows of `z`; `x_prior` over the whole analysed span (the
    slab's scale is set from it, as in CausalImpact, where the design matrix covers both periods).
    """
    n = z.size
    sdy = float(z.std(ddof=1)) if n > 1 else 1.0
    sdy = sdy if sdy > 0 else 1.0
    regression: SpikeSlabRegression | None = None
    if x_fit is not None and x_prior is not None:
        ones_fit = np.ones((n, 1))
        ones_prior = np.ones((x_prior.shape[0], 1))
        regression = SpikeSlabRegression(np.hstack([ones_fit, x_fit]), np.hstack([ones_prior, x_prior]), sdy)
    seasonal = SeasonalStates(seasons, float(z[0]), sdy) if seasons and seasons > 1 else None
    level_shape = LEVEL_PRIOR_WEIGHT / 2
    level_rate = LEVEL_PRIOR_WEIGHT * (LEVEL_PRIOR_SD * sdy) ** 2 / 2
    season_shape = SEASON_PRIOR_WEIGHT / 2
    season_rate = SEASON_PRIOR_WEIGHT * (SEASON_PRIOR_SD * sdy) ** 2 / 2
    obs_shape0 = NO_REGRESSION_OBS_PRIOR_WEIGHT / 2
    obs_rate0 = NO_REGRESSION_OBS_PRIOR_WEIGHT * sdy**2 / 2

    p = regression.p if regression is not None else 1
    d = seasonal.d if seasonal is not None else 1
    beta = np.zeros(p)
    gamma = np.zeros(p, dtype=bool)
    if regression is not None:
        gamma = regression.inclusion_prior > 0
        beta[gamma] = np.linalg.lstsq(regression.x[:, gamma], z, rcond=None)[0]
    obs_var = (1 - EXPECTED_R2) * sdy**2
    level_var = (LEVEL_PRIOR_SD * sdy) ** 2
    season_var = (SEASON_PRIOR_SD * sdy) ** 2
    fitted = np.zeros(n)

    kept_state = np.empty((n_draws, d))
    kept_beta = np.empty((n_draws, p))
    kept_gamma = np.empty((n_draws, p), dtype=bool)
    kept = np.empty((n_draws, 3))
    for it in range(burn_in + n_draws):
        if regression is not None:
            fitted = regression.x @ beta
        if seasonal is None:
            states = _sample_level(
                z - fitted, obs_var, level_var, float(z[0]), sdy**2, rng.standard_normal(n)
            )[:, None]
            contribution = states[:, 0]
        else:
            states = seasonal.draw(rng, z - fitted, obs_var, level_var, season_var)
            contribution = states[:, 0] + states[:, 1]
            shocks = states[1:, 1] + states[:-1, 1:].sum(axis=1)
            season_var = 1.0 / _draw_precision(
                rng, season_shape + shocks.size / 2, season_rate + float(shocks @ shocks) / 2, sdy
            )
        steps = np.diff(states[:, 0])
        level_var = 1.0 / _draw_precision(
            rng, level_shape + steps.size / 2, level_rate + float(steps @ steps) / 2, sdy
        )
        if regression is not None:
            gamma, beta, obs_var = regression.draw(rng, z - contribution, gamma)
        else:
            resid = z - contribution
            obs_var = 1.0 / _draw_precision(
                rng, obs_shape0 + n / 2, obs_rate0 + float(resid @ resid) / 2, OBS_SD_UPPER_FACTOR * sdy
            )
        if it >= burn_in:
            k = it - burn_in
            kept_state[k] = states[-1]
            kept_beta[k] = beta
            kept_gamma[k] = gamma
            kept[k] = (obs_var, level_var, season_var)
    sds = np.sqrt(kept)
    return PosteriorDraws(
        last_state=kept_state,
        beta=kept_beta,
        gamma=kept_gamma,
        obs_sd=sds[:, 0],
        level_sd=sds[:, 1],
        season_sd=sds[:, 2] if seasonal is not None else np.zeros(n_draws),
    )


def _project_states(
    rng: np.random.Generator, last_state: FloatArray, level_sd: FloatArray, season_sd: FloatArray, n_post: int
) -> FloatArray:
    """State contribution over the post period for each draw, continuing its last fitted state."""
    draws, d = last_state.shape
    level = last_state[:, :1] + np.cumsum(rng.standard_normal((draws, n_post)) * level_sd[:, None], axis=1)
    if d == 1:
        return level
    # Seasonal effects: each new one is minus the sum of the previous (seasons - 1), plus noise.
    history = last_state[:, 1:][:, ::-1].copy()  # oldest first
    season = np.empty((draws, n_post))
    for t in range(n_post):
        new = -history[:, -(d - 1) :].sum(axis=1) + season_sd * rng.standard_normal(draws)
        season[:, t] = new
        history = np.hstack([history[:, 1:], new[:, None]])
    return level + season


def simulate_counterfactual(
    *,
    y_pre: FloatArray,
    x_pre: FloatArray | None,
    x_post: FloatArray | None,
    n_post: int,
    n_simulations: int,
    seed: int,
    burn_in: int | None = None,
    seasonal_period: int | None = None,
) -> CounterfactualDraws:
    """Fit on the pre period by Gibbs sampling; one post-period path per kept draw (`n_simulations`).

    Burn-in defaults to a tenth of the kept draws, at least 100 sweeps.
    """
    rng = np.random.default_rng(seed)
    y_pre = y_pre.astype(float)
    z_pre, y_mean, y_sd = _standardise(y_pre, y_pre)
    has_x = x_pre is not None and x_post is not None and x_pre.shape[1] > 0
    xs_pre: FloatArray | None = None
    xs_post: FloatArray | None = None
    x_prior: FloatArray | None = None
    if has_x:
        assert x_pre is not None and x_post is not None
        xs_pre, x_mean, x_sd = _standardise(x_pre.astype(float), x_pre.astype(float))
        xs_post = (x_post.astype(float) - x_mean) / x_sd
        x_prior = np.vstack([xs_pre, xs_post])
    burn = burn_in if burn_in is not None else max(100, n_simulations // 10)
    post = sample_posterior(
        z=z_pre,
        x_fit=xs_pre,
        x_prior=x_prior,
        n_draws=n_simulations,
        burn_in=burn,
        rng=rng,
        seasons=seasonal_period,
    )
    means = _project_states(rng, post.last_state, post.level_sd, post.season_sd, n_post)
    if xs_post is not None:
        design = np.hstack([np.ones((n_post, 1)), xs_post])
        means = means + post.beta @ design.T
    paths = means + rng.standard_normal((n_simulations, n_post)) * post.obs_sd[:, None]
    inclusion = post.gamma[:, 1:].mean(axis=0) if has_x else np.zeros(0)
    return CounterfactualDraws(
        paths=paths * float(y_sd) + float(y_mean),
        means=means * float(y_sd) + float(y_mean),
        level_sd=float(post.level_sd.mean()),
        inclusion=inclusion.astype(float),
    )
