"""The likelihood optimiser every model shares, and the array helpers its likelihoods use.

A model writes its summed log-likelihood with its gradient, ``total(theta, data) ->
(value, gradient)``; :func:`mean_nll` turns it into the mean negative log-likelihood over
log-parameters, :func:`maximise` finds the optimum and raises a :class:`FitError` unless
it is flat and inside the box, :func:`standard_errors` (or :func:`covariance`) reads the
curvature there. :func:`optimise` is the optimiser without the check, for a model that
compares several candidate fits (BG/NBD against its homogeneous limit) before judging.

Log-parameters live in the box ``[-LOG_BOUND, LOG_BOUND]``; an optimum on its edge means
the likelihood rises towards a limit of the model (nobody seems to drop out …): the
model then fits that limit itself, and only when no limit has a maximum either is it
no fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit, gammaln, logit, xlogy

from kamtool.analyses.clv.blas import one_thread
from kamtool.errors import AnalysisError

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
MeanNLL = Callable[[FloatArray], tuple[float, FloatArray]]

LOG_BOUND = 15.0
# Largest |d(mean log-likelihood)/d(log parameter)| accepted as an optimum.
GRADIENT_TOLERANCE = 1e-6


class FitError(AnalysisError):
    """A model that cannot be fitted to this data, with a stable reason code.

    ``code``: "too_few_customers", "one_time_buyers_only" (nobody bought twice),
    "not_converged", "unidentified" (parameters drifted to the edge of the box and no
    limit model reaches the likelihood there), "infinite_mean_spend", "no_purchase",
    "no_purchase_in_calibration". A maximum on the boundary is not an error: the models
    fit the limit and say so in ``boundary``. ``figures`` holds the numbers a sentence about it needs
    (customers, repeat_customers, minimums, the drifted parameters), so a caller that goes
    on without the model (churn's early warning) can say why in the report's language.
    """

    def __init__(self, message: str, code: str, **figures: Any) -> None:
        super().__init__(message)
        self.code = code
        self.figures = figures


@dataclass(frozen=True)
class Optimum:
    """Where the optimiser ended, and how."""

    log_params: FloatArray
    iterations: int
    converged: bool  # the gradient is flat there
    at_bound: tuple[int, ...] = field(default=())  # log-parameters on the edge of the box


def optimise(mean_nll: MeanNLL, start: FloatArray) -> Optimum:
    """Minimise a mean negative log-likelihood over log-parameters; report how it ended.

    L-BFGS-B with the analytic gradient, restarted once from its answer (a fresh
    curvature estimate polishes the last digits); if the gradient is still not flat,
    Nelder-Mead walks from there and L-BFGS-B finishes.
    """
    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(start)
    options = {"maxiter": 5000, "ftol": 1e-15, "gtol": 1e-10, "maxcor": 30}

    def lbfgs(z0: FloatArray) -> tuple[FloatArray, int]:
        res = minimize(mean_nll, z0, jac=True, method="L-BFGS-B", bounds=bounds, options=options)
        return np.asarray(res.x, dtype=np.float64), int(res.nit)

    def flat(z: FloatArray) -> bool:
        # Relative to the likelihood's size: on a ridge (BG/NBD's a and b growing
        # together when dropout barely varies between customers) the optimum is
        # flat to the last digits but the gradient never reaches an absolute 1e-6.
        value, grad = mean_nll(z)
        tolerance = max(GRADIENT_TOLERANCE, 1e-5 * abs(value))
        return bool(np.isfinite(value) and np.abs(grad).max() < tolerance)

    # One BLAS thread: L-BFGS-B's small matrix algebra in OpenBLAS' pool was most of a fit's
    # time on a busy machine (see kamtool.analyses.clv.blas).
    with np.errstate(all="ignore"), one_thread():
        z, nit = lbfgs(start)
        z, more = lbfgs(z)
        nit += more
        if not flat(z):
            res = minimize(
                lambda v: mean_nll(v)[0],
                z,
                method="Nelder-Mead",
                options={"maxiter": 4000, "xatol": 1e-10, "fatol": 1e-15},
            )
            z, more = lbfgs(np.clip(res.x, -LOG_BOUND, LOG_BOUND))
            nit += int(res.nit) + more
        converged = flat(z)
    at_bound = tuple(i for i, v in enumerate(z) if abs(abs(v) - LOG_BOUND) < 1e-3)
    return Optimum(z, nit, converged, at_bound)


# A log-parameter beyond ±RUNAWAY (a shape above 2e4 or below 5e-5) is on its way to a
# limit even when the optimiser stopped flat and the Hessian is still negative definite
# (along a ridge the likelihood approaches its supremum as c/θ): the models then fit their
# limits as well and keep the simplest that is as likely.
RUNAWAY = 10.0


def runaway(opt: Optimum) -> bool:
    """True when some log-parameter went past ±RUNAWAY."""
    return bool(np.abs(opt.log_params).max() > RUNAWAY)


def require_interior(opt: Optimum, names: tuple[str, ...], model: str, advice: str) -> None:
    """Raise the FitError that says why ``opt`` is not a maximum-likelihood estimate."""
    if opt.at_bound:
        drifted = [names[i] for i in opt.at_bound]
        raise FitError.said_with(
            "error.fit.unidentified", {"model": model, "parameters": ", ".join(drifted), "advice": advice},
            "unidentified",
            model=model,
            parameters=drifted,
        )
    if not opt.converged:
        raise FitError.said_with("error.fit.not_converged", {"model": model, "advice": advice},
                                 "not_converged", model=model)


def mean_nll(total: Callable[[FloatArray, Any], tuple[float, FloatArray]], data: Any, n: int) -> MeanNLL:
    """The mean negative log-likelihood over log-parameters, with its gradient.

    Optimising log-parameters keeps them positive; the chain rule scales the gradient
    by theta. A non-finite likelihood reads as a wall the optimiser backs away from.
    """

    def value(z: FloatArray) -> tuple[float, FloatArray]:
        theta = np.exp(z)
        total_value, grad = total(theta, data)
        if not np.isfinite(total_value):
            return 1e300, np.zeros_like(z)
        return -total_value / n, -(grad * theta) / n

    return value


def maximise(
    mean_nll: MeanNLL, start: FloatArray, names: tuple[str, ...], model: str, advice: str
) -> Optimum:
    """:func:`optimise`, raising a FitError unless it ends on a flat, interior optimum."""
    opt = optimise(mean_nll, start)
    require_interior(opt, names, model, advice)
    return opt


def covariance(total_gradient: Callable[[FloatArray], FloatArray], theta: FloatArray) -> FloatArray:
    """Covariance of the estimates: the inverse of minus the numerical Hessian.

    The Hessian is the central difference of the analytic gradient; all NaN when it is
    not negative definite (a flat or saddle direction).
    """
    k = len(theta)
    hessian = np.empty((k, k))
    with np.errstate(all="ignore"):
        for i in range(k):
            step = 1e-5 * theta[i]
            up, down = theta.copy(), theta.copy()
            up[i] += step
            down[i] -= step
            hessian[:, i] = (total_gradient(up) - total_gradient(down)) / (2 * step)
    hessian = (hessian + hessian.T) / 2
    if not np.isfinite(hessian).all() or np.linalg.eigvalsh(-hessian).min() <= 0:
        return np.full((k, k), np.nan)
    return np.asarray(np.linalg.inv(-hessian), dtype=np.float64)


def standard_errors(total_gradient: Callable[[FloatArray], FloatArray], theta: FloatArray) -> FloatArray:
    """Standard errors from :func:`covariance`; NaN when the Hessian is not negative definite."""
    return np.sqrt(np.diag(covariance(total_gradient, theta)))


def require_data(model: str, n: int, n_repeat: int, min_customers: int, min_repeat_customers: int) -> None:
    """Raise the FitError that says what is missing when the data cannot identify ``model``.

    Every purchase model needs repeat purchases to tell how often customers buy from how
    long they stay: "one_time_buyers_only" when nobody bought twice, "too_few_customers"
    below the minimums.
    """
    figures = {
        "model": model,
        "customers": n,
        "repeat_customers": n_repeat,
        "min_customers": min_customers,
        "min_repeat_customers": min_repeat_customers,
    }
    if n >= min_customers and n_repeat == 0:
        raise FitError.said_with(
            "error.fit.one_time_buyers_only", {"model": model, "n": n},
            "one_time_buyers_only",
            **figures,
        )
    if n < min_customers or n_repeat < min_repeat_customers:
        raise FitError.said_with(
            "error.fit.too_few_customers", {"model": model, "min_customers": min_customers,
                                            "min_repeat_customers": min_repeat_customers, "n": n,
                                            "n_repeat": n_repeat},
            "too_few_customers",
            **figures,
        )


# ------------------------------------------------------------------ scales and parameter draws


def to_unconstrained(theta: FloatArray, scales: tuple[str, ...]) -> FloatArray:
    """Log of positive parameters ("log"), logit of probabilities ("logit")."""
    pairs = zip(theta, scales, strict=True)
    return np.array([np.log(v) if s == "log" else float(logit(v)) for v, s in pairs])


def from_unconstrained(z: FloatArray, scales: tuple[str, ...]) -> FloatArray:
    """The inverse of :func:`to_unconstrained`."""
    return np.array([np.exp(v) if s == "log" else float(expit(v)) for v, s in zip(z, scales, strict=True)])


def jacobian(theta: FloatArray, scales: tuple[str, ...]) -> FloatArray:
    """d(theta)/d(z) per parameter, z the unconstrained value."""
    return np.array([v if s == "log" else v * (1 - v) for v, s in zip(theta, scales, strict=True)])


def normal_draws(
    theta: FloatArray, scales: tuple[str, ...], cov: FloatArray, draws: int, seed: int
) -> FloatArray:
    """``draws`` parameter vectors (one a row) from the estimate's asymptotic normal.

    The normal is taken in the optimiser's scale (log / logit), where it is the better
    approximation and every draw is a valid parameter: z = g(θ̂), Cov(z) = D·Cov(θ̂)·D with
    D = diag(1/g'(θ̂)). Empty (0 rows) when the covariance is unknown (NaN: the Hessian was
    not negative definite). Eigen-decomposition, not Cholesky: a near-singular covariance
    (strongly correlated estimates) still gives draws along its well-determined directions.
    """
    k = len(theta)
    if cov.shape != (k, k) or not np.isfinite(cov).all() or draws < 1:
        return np.zeros((0, k))
    dz = 1 / jacobian(theta, scales)
    cov_z = dz[:, None] * cov * dz[None, :]
    values, vectors = np.linalg.eigh(cov_z)
    root = vectors * np.sqrt(np.clip(values, 0, None))
    normal = np.random.default_rng(seed).standard_normal((draws, k))
    samples = to_unconstrained(theta, scales) + normal @ root.T
    return np.array([from_unconstrained(row, scales) for row in samples])


# ------------------------------------------------------------------ helpers of the likelihoods


def dot(u: FloatArray, v: FloatArray) -> float:
    """Inner product without BLAS: OpenBLAS threads make ``u @ v`` 10× slower on a busy box."""
    return float(np.einsum("i,i->", u, v))


def distinct(values: FloatArray) -> tuple[FloatArray, IntArray]:
    """Distinct values and, per value, its position among them."""
    unique, inverse = np.unique(values, return_inverse=True)
    return unique, inverse.astype(np.int64).ravel()


def group_rows(*columns: FloatArray) -> tuple[list[FloatArray], IntArray, FloatArray]:
    """Distinct rows of the given columns, the inverse index and the row counts.

    Identical customers contribute identical terms: a likelihood over the distinct rows
    weighted by their counts costs a fraction of one over every customer.
    """
    order = np.lexsort(columns[::-1])
    sorted_cols = [c[order] for c in columns]
    if len(order) == 0:
        return sorted_cols, np.zeros(0, np.int64), np.zeros(0)
    change = np.zeros(len(order) - 1, dtype=bool)
    for c in sorted_cols:
        change |= c[1:] != c[:-1]
    starts = np.flatnonzero(np.r_[True, change])
    group_of_sorted = np.cumsum(np.r_[True, change]) - 1
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = group_of_sorted
    counts = np.diff(np.r_[starts, len(order)]).astype(np.float64)
    return [c[starts] for c in sorted_cols], inverse, counts


def purchase_count_pmf(t: FloatArray, counts: int, r: float, alpha: float, rate: float | None) -> FloatArray:
    """P(N(t) = k) for k < ``counts`` of a Poisson process with λ ~ Gamma(r, α) (the NBD), or
    one rate λ = ``rate``: one row per t, one column per k."""
    k = np.arange(counts, dtype=np.float64)[None, :]
    tt = np.asarray(t, dtype=np.float64)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        if rate is not None:
            log_p = xlogy(k, rate * tt) - rate * tt - gammaln(k + 1)
        else:
            log_p = (
                gammaln(r + k) - gammaln(r) - gammaln(k + 1)
                + r * (np.log(alpha) - np.log(alpha + tt))
                + xlogy(k, tt) - k * np.log(alpha + tt)
            )  # fmt: skip
    return np.asarray(np.exp(log_p), dtype=np.float64)
