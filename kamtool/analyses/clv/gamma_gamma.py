"""Gamma-Gamma spend per purchase (Fader, Hardie & Lee 2005, "RFM and CLV", JMR 42(4), and
Fader & Hardie's note "The Gamma-Gamma model of monetary value"): the spend per purchase
of a customer is Gamma(p, ν) with ν ~ Gamma(q, γ), independent of the purchase process.

A spend model module exposes ``fit(frequency, monetary, *, min_customers) -> Fit`` (with
params, std_errors, log_likelihood, customers), ``expected_spend(fit, frequency,
monetary)`` and ``log_likelihood(params, frequency, monetary)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import digamma, gammaln

from kamtool.analyses.clv.fit import (
    FitError,
    FloatArray,
    IntArray,
    distinct,
    dot,
    mean_nll,
    optimise,
    require_interior,
    runaway,
    standard_errors,
)
from kamtool.analyses.clv.summary import as_float

NAME = "Gamma-Gamma"
KEY = "gamma_gamma"


@dataclass(frozen=True)
class GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma parameters of spend per purchase.

    When the likelihood has no interior maximum the fit is the limit it rises towards,
    named by ``boundary``, and ``expected_spend`` uses that limiting model:

    - "same_mean_spend": q, γ → ∞ with q/γ = ν fixed, so every customer has the same
      mean spend p/ν (``limit`` holds p and nu; q and γ are inf);
    - "steady_spend": p → ∞, γ → 0 with p·γ = δ fixed, so each customer spends the
      same on every purchase and the customers' amounts are inverse-Gamma(q, δ)
      (``limit`` holds q and delta; p is inf, γ 0);
    - "identical_spend": every repeat customer's average spend is the same amount
      (``limit`` holds spend; p, q, γ are inf).
    """

    p: float
    q: float
    gamma: float
    std_errors: dict[str, float]
    log_likelihood: float
    customers: int
    iterations: int = 0
    boundary: str | None = None
    limit: dict[str, float] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, float]:
        return {"p": self.p, "q": self.q, "gamma": self.gamma}

    @property
    def mean_spend(self) -> float:
        """Population mean spend per purchase, p·γ / (q − 1), or the limit's."""
        if self.boundary == "same_mean_spend":
            return self.limit["p"] / self.limit["nu"]
        if self.boundary == "steady_spend":
            return self.limit["delta"] / (self.limit["q"] - 1)
        if self.boundary == "identical_spend":
            return self.limit["spend"]
        return self.p * self.gamma / (self.q - 1)


@dataclass
class _GammaGammaData:
    """Repeat customers with positive spend, with the logs that do not depend on θ."""

    x: FloatArray
    z: FloatArray
    xz: FloatArray
    log_z: FloatArray
    log_xz: FloatArray  # log x + log z̄
    ux: FloatArray
    ix: IntArray
    nx: FloatArray  # customers per distinct x

    @classmethod
    def build(cls, x: FloatArray, z: FloatArray) -> _GammaGammaData:
        ux, ix = distinct(x)
        log_z = np.log(z)
        nx = np.bincount(ix, minlength=len(ux)).astype(np.float64)
        return cls(x, z, x * z, log_z, np.log(x) + log_z, ux, ix, nx)


def _gg_rows(theta: FloatArray, d: _GammaGammaData) -> FloatArray:
    """Log density of each customer's mean spend z̄ over x purchases (Fader & Hardie note).

    log f = log Γ(px+q) − log Γ(px) − log Γ(q) + q·log γ + (px−1)·log z̄ + px·log x
            − (px+q)·log(γ + x·z̄)
    """
    p, q, gamma = theta
    pu = p * d.ux
    log_g = np.log(gamma + d.xz)
    px = p * d.x
    return (
        (gammaln(pu + q) - gammaln(pu) - gammaln(q))[d.ix]
        + q * np.log(gamma)
        + px * (d.log_xz - log_g)
        - d.log_z
        - q * log_g
    )


def _gg_total(theta: FloatArray, d: _GammaGammaData) -> tuple[float, FloatArray]:
    """The summed log-likelihood of ``_gg_rows`` and its gradient in (p, q, γ)."""
    p, q, gamma = theta
    n = float(len(d.x))
    pu = p * d.ux
    log_g = np.log(gamma + d.xz)
    inv_g = 1 / (gamma + d.xz)
    x_gap = dot(d.x, d.log_xz - log_g)
    sum_log_g = log_g.sum()
    psi_pq = digamma(pu + q)
    value = (
        dot(d.nx, gammaln(pu + q) - gammaln(pu) - gammaln(q))
        + n * q * np.log(gamma)
        + p * x_gap
        - d.log_z.sum()
        - q * sum_log_g
    )
    g_p = dot(d.nx * d.ux, psi_pq - digamma(pu)) + x_gap
    g_q = dot(d.nx, psi_pq - digamma(q)) + n * np.log(gamma) - sum_log_g
    g_gamma = n * q / gamma - p * dot(d.x, inv_g) - q * inv_g.sum()
    return float(value), np.array([g_p, g_q, g_gamma])


def _repeat_spenders(frequency: Any, monetary: Any) -> tuple[FloatArray, FloatArray]:
    x = as_float(frequency, "frequency")
    z = as_float(monetary, "monetary")
    use = (x > 0) & (z > 0)
    return x[use], z[use]


def log_likelihood(params: dict[str, float] | GammaGammaFit, frequency: Any, monetary: Any) -> FloatArray:
    """Gamma-Gamma log-likelihood of each customer with frequency > 0 and monetary > 0."""
    p = params.params if isinstance(params, GammaGammaFit) else params
    theta = np.array([p["p"], p["q"], p["gamma"]], dtype=np.float64)
    return _gg_rows(theta, _GammaGammaData.build(*_repeat_spenders(frequency, monetary)))


def _same_mean_total(theta: FloatArray, d: _GammaGammaData) -> tuple[float, FloatArray]:
    """The limit q, γ → ∞ (q/γ = ν): z̄ ~ Gamma(p·x, x·ν), summed, with its gradient in (p, ν).

    log f = p·x·(log x + log z̄) + p·x·log ν − log Γ(p·x) − log z̄ − ν·x·z̄
    """
    p, nu = theta
    sum_x = float(d.x.sum())
    x_log_xz = dot(d.x, d.log_xz)
    value = (
        p * x_log_xz + p * sum_x * np.log(nu) - dot(d.nx, gammaln(p * d.ux)) - d.log_z.sum() - nu * d.xz.sum()
    )
    g_p = x_log_xz + sum_x * np.log(nu) - dot(d.nx * d.ux, digamma(p * d.ux))
    g_nu = p * sum_x / nu - d.xz.sum()
    return float(value), np.array([g_p, g_nu])


def _steady_total(theta: FloatArray, d: _GammaGammaData) -> tuple[float, FloatArray]:
    """The limit p → ∞, γ → 0 (p·γ = δ): z̄ ~ inverse-Gamma(q, δ), summed, with its gradient.

    log f = q·log δ − log Γ(q) − (q + 1)·log z̄ − δ / z̄
    """
    q, delta = theta
    n = float(len(d.x))
    sum_log_z = d.log_z.sum()
    sum_inv_z = float(np.sum(1 / d.z))
    value = n * q * np.log(delta) - n * gammaln(q) - (q + 1) * sum_log_z - delta * sum_inv_z
    g_q = n * np.log(delta) - n * digamma(q) - sum_log_z
    g_delta = n * q / delta - sum_inv_z
    return float(value), np.array([g_q, g_delta])


# The limits, with the names of what they fit and the total log-likelihood.
_Total = Callable[[FloatArray, _GammaGammaData], tuple[float, FloatArray]]
_LIMITS: dict[str, tuple[tuple[str, str], _Total]] = {
    "same_mean_spend": (("p", "nu"), _same_mean_total),
    "steady_spend": (("q", "delta"), _steady_total),
}
# As in BG/NBD: models within this relative margin of the best log-likelihood found are as
# good as it (see bgnbd._BOUNDARY_LL_TOLERANCE).
_BOUNDARY_LL_TOLERANCE = 1e-7


def fit(frequency: Any, monetary: Any, *, min_customers: int = 5) -> GammaGammaFit:
    """Fit Gamma-Gamma on the customers with a repeat purchase and monetary > 0.

    Parameters
    ----------
    frequency, monetary : array-like
        Repeat purchases and mean value of the repeat purchases, one per customer;
        customers with frequency 0 or monetary <= 0 are left out of the fit.
    min_customers : int
        Refuse to fit on fewer repeat customers (default 5).

    Notes
    -----
    Without an interior maximum the likelihood rises towards a limit (see
    :class:`GammaGammaFit`): the two limits with two parameters are fitted and the one
    with an interior maximum of its own and the higher likelihood (reaching the best
    found, relative ``_BOUNDARY_LL_TOLERANCE``) is the fit; when p and q both run away,
    or every average spend is the same, spend is the same for everyone.
    """
    x, z = _repeat_spenders(frequency, monetary)
    n = len(x)
    advice = (
        "Try a longer calibration period or more customers, or check the spend data "
        f"(this fit had {n:,} repeat customers with positive spend)."
    )
    if n < min_customers:
        raise FitError.said_with(
            "error.gamma_gamma.too_few_customers", {"min_customers": min_customers, "n": n},
            "too_few_customers",
            model=NAME,
            repeat_customers=n,
            min_repeat_customers=min_customers,
        )
    if np.ptp(z) <= 1e-12 * z.max():
        return _identical(x, z)
    data = _GammaGammaData.build(x, z)
    # p = 1, q = 2 make the population mean p·γ/(q−1) equal to γ: start at the data's mean.
    start = np.log(np.array([1.0, 2.0, float(z.mean())]))
    opt = optimise(mean_nll(_gg_total, data, n), start)
    theta = np.exp(opt.log_params)
    se = standard_errors(lambda th: _gg_total(th, data)[1], theta)
    # Interior: flat, off the edge of the box and curved down in every direction (a fit
    # drifting along a ridge towards a limit stops flat short of the edge, but singular).
    maximum = opt.converged and not opt.at_bound and bool(np.isfinite(se).all())
    ll_full = float(_gg_total(theta, data)[0])
    limit = None if maximum and not runaway(opt) else _best_limit(data, n, ll_full, float(z.mean()))
    if limit is None and maximum:
        _require_finite_mean(theta[1])
        return GammaGammaFit(
            p=float(theta[0]),
            q=float(theta[1]),
            gamma=float(theta[2]),
            std_errors={k: float(v) for k, v in zip(("p", "q", "gamma"), se, strict=True)},
            log_likelihood=_gg_total(theta, data)[0],
            customers=n,
            iterations=opt.iterations,
        )
    if limit is not None:
        return limit
    if theta[0] > 1e4 and theta[1] > 1e4:
        # p and q both ran away (to where no spend data tells them apart from infinity):
        # spend varies neither within nor between customers.
        return _identical(x, z)
    require_interior(opt, ("p", "q", "gamma"), NAME, advice)
    raise FitError.said_with("error.fit.not_converged", {"model": NAME, "advice": advice}, "not_converged",
                             model=NAME)


def _require_finite_mean(q: float) -> None:
    if q <= 1:
        raise FitError.said_with(
            "error.gamma_gamma.infinite_mean_spend", {"q": q},
            "infinite_mean_spend",
            model=NAME,
            q=float(q),
        )


def _best_limit(data: _GammaGammaData, n: int, ll_full: float, mean: float) -> GammaGammaFit | None:
    """The limit the likelihood rises towards, fitted on its own: the likelier of the two
    with a maximum of their own that reach the best likelihood found (``ll_full``
    included); None if there is none."""
    starts = {"same_mean_spend": (1.0, 1.0 / mean), "steady_spend": (2.0, mean)}
    found: list[tuple[float, str, FloatArray, int]] = []
    for code, (_, total) in _LIMITS.items():
        opt = optimise(mean_nll(total, data, n), np.log(np.array(starts[code])))
        theta = np.exp(opt.log_params)
        with np.errstate(all="ignore"):
            ll = float(total(theta, data)[0])
        se = standard_errors(lambda th, total=total: total(th, data)[1], theta)  # type: ignore[misc]
        if opt.converged and not opt.at_bound and np.isfinite(ll) and np.isfinite(se).all():
            found.append((ll, code, theta, opt.iterations))
    best = max([ll_full, *(f[0] for f in found)])
    reached = [f for f in found if f[0] >= best - _BOUNDARY_LL_TOLERANCE * abs(best)]
    if not reached:
        return None
    ll, code, theta, iterations = max(reached, key=lambda f: f[0])
    names, total = _LIMITS[code]
    if code == "steady_spend":
        _require_finite_mean(theta[0])
    se = standard_errors(lambda th: total(th, data)[1], theta)
    inf = math.inf
    p, q, gamma = (theta[0], inf, inf) if code == "same_mean_spend" else (inf, theta[0], 0.0)
    return GammaGammaFit(
        p=float(p),
        q=float(q),
        gamma=float(gamma),
        std_errors={"p": math.nan, "q": math.nan, "gamma": math.nan}
        | {k: float(v) for k, v in zip(names, se, strict=True)},
        log_likelihood=ll,
        customers=n,
        iterations=iterations,
        boundary=code,
        limit={k: float(v) for k, v in zip(names, theta, strict=True)},
    )


def _identical(x: FloatArray, z: FloatArray) -> GammaGammaFit:
    """Every repeat customer spends the same per purchase: the mean spend per purchase."""
    spend = float(np.sum(x * z) / np.sum(x))
    inf = math.inf
    return GammaGammaFit(
        p=inf,
        q=inf,
        gamma=inf,
        std_errors={"p": math.nan, "q": math.nan, "gamma": math.nan, "spend": 0.0},
        log_likelihood=math.nan,  # the spend has no density: a point mass
        customers=len(x),
        boundary="identical_spend",
        limit={"spend": spend},
    )


def expected_spend(fit: GammaGammaFit, frequency: Any, monetary: Any) -> FloatArray:
    """E[spend per purchase | x, z̄] = p(γ + x·z̄) / (p·x + q − 1); p·γ/(q−1) when x = 0.

    In the limits: the mean p/ν for everyone (same_mean_spend), the customer's own z̄
    (steady_spend; the mean δ/(q−1) without repeat spend), the one amount (identical_spend).
    """
    x = as_float(frequency, "frequency")
    z = as_float(monetary, "monetary")
    if fit.boundary in ("same_mean_spend", "identical_spend"):
        return np.full(len(x), fit.mean_spend)
    if fit.boundary == "steady_spend":
        return np.where((x > 0) & (z > 0), z, fit.mean_spend)
    return fit.p * (fit.gamma + x * z) / (fit.p * x + fit.q - 1)


def parameter_rows(fit: GammaGammaFit) -> list[tuple[str, float, float]]:
    """(parameter, estimate, std_error) rows of the parameters table: p, q, γ, or the
    parameters of the limit (ν = q/γ, δ = p·γ, the one spend)."""
    shown = {"nu": "q/gamma", "delta": "p*gamma"}
    if fit.boundary is None:
        return [(k, v, fit.std_errors[k]) for k, v in fit.params.items()]
    return [(shown.get(k, k), v, fit.std_errors[k]) for k, v in fit.limit.items()]


def estimates(fit: GammaGammaFit) -> dict[str, Any]:
    """The fit's figures for a result's summary: p, q, γ (NaN where the limit has none),
    the limit's parameters and the boundary code."""
    interior = fit.boundary is None
    shown = {k: (v if interior and math.isfinite(v) else math.nan) for k, v in fit.params.items()}
    limit = {f"gamma_gamma_{k}": v for k, v in fit.limit.items()}
    return {**shown, **limit, "gamma_gamma_boundary": fit.boundary}
