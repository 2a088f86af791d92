"""Gamma-Gamma spend per purchase (Fader, Hardie & Lee 2005, "RFM and CLV", JMR 42(4), and
Fader & Hardie's note "The Gamma-Gamma model of monetary value"): the spend per purchase
of a customer is Gamma(p, ν) with ν ~ Gamma(q, γ), independent of the purchase process.

A spend model module exposes ``fit(frequency, monetary, *, min_customers) -> Fit`` (with
params, std_errors, log_likelihood, customers), ``expected_spend(fit, frequency,
monetary)`` and ``log_likelihood(params, frequency, monetary)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import digamma, gammaln

from kamtool.analyses.clv.fit import (
    FitError,
    FloatArray,
    IntArray,
    distinct,
    dot,
    maximise,
    mean_nll,
    standard_errors,
)
from kamtool.analyses.clv.summary import as_float

NAME = "Gamma-Gamma"
KEY = "gamma_gamma"


@dataclass(frozen=True)
class GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma parameters of spend per purchase."""

    p: float
    q: float
    gamma: float
    std_errors: dict[str, float]
    log_likelihood: float
    customers: int
    iterations: int = 0

    @property
    def params(self) -> dict[str, float]:
        return {"p": self.p, "q": self.q, "gamma": self.gamma}

    @property
    def mean_spend(self) -> float:
        """Population mean spend per purchase, p·γ / (q − 1)."""
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


def fit(frequency: Any, monetary: Any, *, min_customers: int = 5) -> GammaGammaFit:
    """Fit Gamma-Gamma on the customers with a repeat purchase and monetary > 0.

    Parameters
    ----------
    frequency, monetary : array-like
        Repeat purchases and mean value of the repeat purchases, one per customer;
        customers with frequency 0 or monetary <= 0 are left out of the fit.
    min_customers : int
        Refuse to fit on fewer repeat customers (default 5).
    """
    x, z = _repeat_spenders(frequency, monetary)
    n = len(x)
    advice = (
        "Try a longer calibration period or more customers, or check the spend data "
        f"(this fit had {n:,} repeat customers with positive spend)."
    )
    if n < min_customers:
        raise FitError(
            f"Gamma-Gamma needs at least {min_customers} customers with a repeat purchase and "
            f"positive spend; this data has {n:,}. Use a longer calibration period.",
            "too_few_customers",
            model=NAME,
            repeat_customers=n,
            min_repeat_customers=min_customers,
        )
    if np.ptp(z) <= 1e-12 * z.max():
        raise FitError(
            "Gamma-Gamma cannot fit: every repeat customer has the same average spend",
            "same_spend",
            model=NAME,
        )
    data = _GammaGammaData.build(x, z)

    # p = 1, q = 2 make the population mean p·γ/(q−1) equal to γ: start at the data's mean.
    start = np.log(np.array([1.0, 2.0, float(z.mean())]))
    opt = maximise(mean_nll(_gg_total, data, n), start, ("p", "q", "gamma"), NAME, advice)
    theta = np.exp(opt.log_params)
    if theta[1] <= 1:
        raise FitError(
            f"the Gamma-Gamma fit gives q = {theta[1]:.3f} <= 1, so the average spend has no "
            "finite mean (a few huge orders?). Check for outliers or use a longer calibration "
            "period.",
            "infinite_mean_spend",
            model=NAME,
            q=float(theta[1]),
        )
    se = standard_errors(lambda th: _gg_total(th, data)[1], theta)
    names = ("p", "q", "gamma")
    return GammaGammaFit(
        p=float(theta[0]),
        q=float(theta[1]),
        gamma=float(theta[2]),
        std_errors={k: float(v) for k, v in zip(names, se, strict=True)},
        log_likelihood=_gg_total(theta, data)[0],
        customers=n,
        iterations=opt.iterations,
    )


def expected_spend(fit: GammaGammaFit, frequency: Any, monetary: Any) -> FloatArray:
    """E[spend per purchase | x, z̄] = p(γ + x·z̄) / (p·x + q − 1); p·γ/(q−1) when x = 0."""
    x = as_float(frequency, "frequency")
    z = as_float(monetary, "monetary")
    return fit.p * (fit.gamma + x * z) / (fit.p * x + fit.q - 1)
