"""Per-customer intervals from the sampling distribution of the fitted parameters.

The maximum-likelihood estimate is asymptotically normal; in the scale the optimiser
works in (log of positive parameters, logit of probabilities) that approximation is
better and every draw is a valid parameter. So: z = g(θ̂), Cov(z) = J·Cov(θ̂)·J with
J = diag(g'(θ̂)), ``draws`` samples z ~ N(ẑ, Cov(z)) from a seeded generator, each
mapped back to a fit, and per customer the quantity of interest (expected purchases,
discounted purchases for CLV) is recomputed per draw; the interval is the central
``level`` quantile range. At a boundary the draws are of the limit model's parameters.
The spend per purchase (Gamma-Gamma) is held at its estimate in ``clv_interval``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from kamtool.analyses.clvmodels.boundary import (
    FloatArray,
    ModelFit,
    PurchaseModel,
    jacobian,
    to_unconstrained,
)
from kamtool.analyses.clvmodels.boundary import from_unconstrained as _from_z
from kamtool.analyses.clvmodels.fit_bridge import DAYS_PER_YEAR, UNIT_DAYS, check_summary
from kamtool.errors import UsageError

DEFAULT_DRAWS = 200
DEFAULT_SEED = 20240101


def _check_level(level: float) -> None:
    if not (0 < level < 1):
        raise UsageError(f"--interval must be a probability between 0 and 1 (0.9 = 90 %), not {level}")


def log_covariance(fit: ModelFit) -> FloatArray:
    """Covariance of the unconstrained (log / logit) parameters: J·Σ·J."""
    theta = np.array(list(fit.free.values()), dtype=np.float64)
    dz = 1 / jacobian(theta, fit.scales)
    return np.asarray(dz[:, None] * fit.covariance * dz[None, :], dtype=np.float64)


def parameter_draws(fit: ModelFit, draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED) -> list[ModelFit]:
    """``draws`` fits with parameters sampled from the estimate's asymptotic normal.

    Empty when the covariance is unknown (NaN: the Hessian was not negative definite).
    """
    theta = np.array(list(fit.free.values()), dtype=np.float64)
    z = to_unconstrained(theta, fit.scales)
    cov = log_covariance(fit)
    if cov.shape != (len(z), len(z)) or not np.isfinite(cov).all():
        return []
    # Eigen-decomposition, not Cholesky: a near-singular covariance (strongly correlated
    # estimates) still gives draws along its well-determined directions.
    values, vectors = np.linalg.eigh(cov)
    root = vectors * np.sqrt(np.clip(values, 0, None))
    normal = np.random.default_rng(seed).standard_normal((draws, len(z)))
    samples = z + normal @ root.T
    return [fit.with_free(_from_z(row, fit.scales)) for row in samples]


def interval(
    fit: ModelFit,
    quantity: Callable[[ModelFit], FloatArray],
    *,
    level: float = 0.9,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> tuple[FloatArray, FloatArray]:
    """Central ``level`` range of ``quantity`` (one value per customer) over parameter draws.

    NaN bounds when the fit has no covariance.
    """
    _check_level(level)
    fits = parameter_draws(fit, draws, seed)
    if not fits:
        n = len(quantity(fit))
        return np.full(n, np.nan), np.full(n, np.nan)
    values = np.stack([quantity(f) for f in fits])
    tail = (1 - level) / 2
    low, high = np.quantile(values, [tail, 1 - tail], axis=0)
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)


def expected_purchases_interval(
    model: PurchaseModel,
    fit: ModelFit,
    t: float,
    frequency: Any,
    recency: Any,
    T: Any,
    *,
    level: float = 0.9,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> tuple[FloatArray, FloatArray]:
    """Lower and upper bounds of each customer's expected purchases in the next ``t`` units."""
    x, tx, t_cal = check_summary(frequency, recency, T)
    return interval(
        fit, lambda f: model.expected_purchases(f, t, x, tx, t_cal), level=level, draws=draws, seed=seed
    )


def discounted_purchases(
    model: PurchaseModel,
    fit: ModelFit,
    frequency: Any,
    recency: Any,
    T: Any,
    *,
    horizon: int,
    unit: str,
    discount_rate: float,
) -> tuple[FloatArray, FloatArray]:
    """Expected purchases over ``horizon`` periods, plain and discounted, for any model.

    Discounted = Σ_{k=1..H} (E[Y(k)] − E[Y(k−1)]) / (1 + d)^(k·L), L one period in years:
    each period's purchases are discounted from its end (the rule of ``clv``).
    """
    x, tx, t_cal = check_summary(frequency, recency, T)
    years = UNIT_DAYS[unit] / DAYS_PER_YEAR
    alive = model.p_alive(fit, x, tx, t_cal)
    previous = np.zeros(len(x))
    discounted = np.zeros(len(x))
    for k in range(1, horizon + 1):
        current = model.purchases_if_alive(fit, float(k), x, t_cal)
        discounted += (current - previous) / (1 + discount_rate) ** (k * years)
        previous = current
    return alive * previous, alive * discounted


def clv_interval(
    model: PurchaseModel,
    fit: ModelFit,
    frequency: Any,
    recency: Any,
    T: Any,
    spend: Any,
    *,
    horizon: int,
    unit: str,
    discount_rate: float,
    margin: float = 1.0,
    level: float = 0.9,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> tuple[FloatArray, FloatArray]:
    """Bounds of CLV = margin × expected spend × discounted purchases, over purchase-model draws.

    ``spend`` (expected spend per purchase per customer) is held fixed: the interval
    reflects the uncertainty of the purchase model's parameters only.
    """
    x, tx, t_cal = check_summary(frequency, recency, T)
    value = margin * np.asarray(spend, dtype=np.float64)

    def clv_of(f: ModelFit) -> FloatArray:
        _, disc = discounted_purchases(
            model, f, x, tx, t_cal, horizon=horizon, unit=unit, discount_rate=discount_rate
        )
        return np.asarray(value * disc, dtype=np.float64)

    return interval(fit, clv_of, level=level, draws=draws, seed=seed)
