"""BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way", Marketing
Science 24(2)): while alive a customer buys at a Poisson rate λ ~ Gamma(r, α); after each
repeat purchase it drops out with probability p ~ Beta(a, b).

The likelihood comes with its analytic gradient and reduces identical customers to one
weighted row, so a million customers fit in seconds.

When drop-out barely varies between customers, the likelihood has no finite maximum: it
keeps rising as a and b grow together and Beta(a, b) narrows to a point at p = a/(a+b).
The maximum-likelihood fit is then the limiting model, one drop-out probability p for
every customer, which :func:`fit` fits directly and reports as such; its predictions are
closed-form. For finite a and b the conditional expectation (FHL eq. 10) is Euler's 2F1
form while scipy evaluates it accurately and Gauss quadrature over the Beta beyond (see
``_PurchasesIfAlive``).

The model module contract (see :mod:`kamtool.analyses.clv`): :func:`fit`,
:func:`p_alive`, :func:`expected_purchases`, :func:`expected_repeat_purchases`,
:func:`purchases_if_alive`, :func:`parameter_rows` and :func:`figures`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.linalg import eigh_tridiagonal
from scipy.special import digamma, expit, gammaln, hyp2f1

from kamtool.analyses.clv.fit import (
    FitError,
    FloatArray,
    IntArray,
    Optimum,
    covariance,
    distinct,
    dot,
    group_rows,
    mean_nll,
    optimise,
    require_interior,
    standard_errors,
)
from kamtool.analyses.clv.summary import check_summary

NAME = "BG/NBD"
KEY = "bgnbd"


@dataclass(frozen=True)
class BGNBDFit:
    """Maximum-likelihood BG/NBD parameters; time in the summary's unit.

    ``dropout`` is set when the likelihood is highest in the limit a, b → ∞ with
    a/(a+b) → p: every customer then drops out with the same probability p after each
    repeat purchase (the drop-out heterogeneity is not identified). a and b are then
    ``math.inf`` with NaN standard errors, and every prediction uses that limiting model.
    """

    r: float
    alpha: float
    a: float
    b: float
    std_errors: dict[str, float]  # r, alpha, a, b and dropout (of mean_dropout)
    log_likelihood: float
    customers: int
    iterations: int = 0
    dropout: float | None = None

    @property
    def params(self) -> dict[str, float]:
        return {"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b}

    @property
    def homogeneous(self) -> bool:
        """True for the limiting model: one drop-out probability for every customer."""
        return self.dropout is not None

    @property
    def mean_dropout(self) -> float:
        """Mean drop-out probability after a repeat purchase: a / (a + b), or p in the limit."""
        return self.dropout if self.dropout is not None else self.a / (self.a + self.b)


def _theta(params: dict[str, float] | BGNBDFit) -> FloatArray:
    """(r, α, a, b), or (r, α, p) for the homogeneous limit."""
    if isinstance(params, BGNBDFit):
        if params.dropout is not None:
            return np.array([params.r, params.alpha, params.dropout], dtype=np.float64)
        return np.array([params.r, params.alpha, params.a, params.b], dtype=np.float64)
    if "dropout" in params and not np.isfinite([params.get("a", np.inf), params.get("b", np.inf)]).all():
        return np.array([params["r"], params["alpha"], params["dropout"]], dtype=np.float64)
    return np.array([params["r"], params["alpha"], params["a"], params["b"]], dtype=np.float64)


@dataclass
class _BGNBDData:
    """The summary in the shape the likelihood wants.

    One-time customers (x = 0) contribute r·log(α/(α+T)), so they collapse to their
    distinct T. Repeat customers are rows (distinct (x, t_x, T) with counts when
    compressed); logs of α+T and α+t_x are looked up per distinct value, terms of x
    alone per distinct x, so an evaluation costs a few passes over the repeat rows.
    """

    t0: FloatArray  # distinct T of one-time customers
    w0: FloatArray  # their counts
    x: FloatArray  # repeat rows
    w: FloatArray
    ux: FloatArray
    ix: IntArray
    wx: FloatArray  # weight per distinct x
    ut: FloatArray
    it: IntArray
    utx: FloatArray
    itx: IntArray

    @classmethod
    def build(cls, x: FloatArray, tx: FloatArray, t_cal: FloatArray, compress: bool) -> _BGNBDData:
        once = x == 0
        if compress:
            (t0,), _, w0 = group_rows(t_cal[once])
            (rx, rtx, rt), _, w = group_rows(x[~once], tx[~once], t_cal[~once])
        else:
            t0, w0 = t_cal[once], np.ones(int(once.sum()))
            rx, rtx, rt = x[~once], tx[~once], t_cal[~once]
            w = np.ones(len(rx))
        ux, ix = distinct(rx)
        ut, it = distinct(rt)
        utx, itx = distinct(rtx)
        wx = np.bincount(ix, weights=w, minlength=len(ux)).astype(np.float64)
        return cls(t0, w0, rx, w, ux, ix, wx, ut, it, utx, itx)


@dataclass
class _BGNBDTerms:
    """Log-likelihood pieces at one parameter point (FHL 2005 eq. 6).

    Per repeat row: ll = base[ix] + mix, mix = log(e^A3 + e^A4) with
    A3 = −(r+x)·log(α+T), A4 = log(a/(b+x−1)) − (r+x)·log(α+t_x).
    Per one-time customer: ll = r·(log α − log(α+T)).
    In the homogeneous limit B(a, b+x)/B(a, b) → (1−p)^x and a/(b+x−1) → p/(1−p).
    """

    once: FloatArray
    base: FloatArray
    mix: FloatArray
    gradient: FloatArray | None  # d(total)/d(r, α, a, b), or d/d(r, α, p) in the limit


def _bgnbd_terms(theta: FloatArray, d: _BGNBDData, gradient: bool) -> _BGNBDTerms:
    limit = len(theta) == 3
    r, alpha = theta[0], theta[1]
    ux = d.ux
    if limit:
        p = theta[2]
        dropout = ux * np.log1p(-p)
        log_odds = np.full(len(ux), np.log(p) - np.log1p(-p))
    else:
        a, b = theta[2], theta[3]
        dropout = gammaln(a + b) + gammaln(b + ux) - gammaln(b) - gammaln(a + b + ux)
        log_odds = np.log(a) - np.log(b + ux - 1)
    log_alpha = np.log(alpha)
    log_at0 = np.log(alpha + d.t0)
    once = r * (log_alpha - log_at0)
    base = gammaln(r + ux) - gammaln(r) + r * log_alpha + dropout
    log_at = np.log(alpha + d.ut)[d.it]
    log_atx = np.log(alpha + d.utx)[d.itx]
    rx = r + d.x
    a3 = -rx * log_at
    a4 = log_odds[d.ix] - rx * log_atx
    mix = np.logaddexp(a3, a4)
    if not gradient:
        return _BGNBDTerms(once, base, mix, None)
    # Share of each branch of the mixture in the customer's likelihood.
    w4 = expit(a4 - a3) * d.w
    w3 = d.w - w4
    w0 = d.w0
    g_r = (
        dot(w0, log_alpha - log_at0)
        + dot(d.wx, digamma(r + ux) - digamma(r) + log_alpha)
        - dot(w3, log_at)
        - dot(w4, log_atx)
    )
    g_alpha = (
        r * w0.sum() / alpha
        - r * dot(w0, 1 / (alpha + d.t0))
        + r * d.wx.sum() / alpha
        - dot(w3 * rx, (1 / (alpha + d.ut))[d.it])
        - dot(w4 * rx, (1 / (alpha + d.utx))[d.itx])
    )
    if limit:
        g_p = -dot(d.wx, ux) / (1 - p) + w4.sum() / (p * (1 - p))
        return _BGNBDTerms(once, base, mix, np.array([g_r, g_alpha, g_p]))
    psi_ab, psi_abx = digamma(a + b), digamma(a + b + ux)
    g_a = dot(d.wx, psi_ab - psi_abx) + w4.sum() / a
    g_b = dot(d.wx, psi_ab + digamma(b + ux) - digamma(b) - psi_abx) - dot(w4, (1 / (b + ux - 1))[d.ix])
    return _BGNBDTerms(once, base, mix, np.array([g_r, g_alpha, g_a, g_b]))


def _bgnbd_total(theta: FloatArray, d: _BGNBDData) -> tuple[float, FloatArray]:
    terms = _bgnbd_terms(theta, d, gradient=True)
    assert terms.gradient is not None
    value = dot(d.w0, terms.once) + dot(d.wx, terms.base) + dot(d.w, terms.mix)
    return value, terms.gradient


def log_likelihood(params: dict[str, float] | BGNBDFit, frequency: Any, recency: Any, T: Any) -> FloatArray:
    """BG/NBD log-likelihood of each customer (Fader, Hardie & Lee 2005, eq. 6).

    ``params`` is a fit or a dict of r, alpha, a, b; a dict with infinite a and b and
    a ``dropout`` p gives the homogeneous limit (every customer drops out with p).
    """
    x, tx, t_cal = check_summary(frequency, recency, T)
    data = _BGNBDData.build(x, tx, t_cal, compress=False)
    terms = _bgnbd_terms(_theta(params), data, gradient=False)
    ll = np.empty(len(x))
    ll[x == 0] = terms.once
    ll[x > 0] = terms.base[data.ix] + terms.mix
    return ll


# The limiting model replaces the Beta(a, b) fit when its log-likelihood is at least as
# high up to this relative rounding margin. Along a ridge the Beta fit's log-likelihood
# approaches the limit's from below as about c/(a + b) (c ≈ 7 on the sample data, whose
# Beta fit stopped at a + b ≈ 2e6, 2e-6 below the limit); a Beta fit that is better by
# more than rounding is kept, however large its a and b.
_LIMIT_LL_TOLERANCE = 1e-9


def fit(
    frequency: Any,
    recency: Any,
    T: Any,
    *,
    min_customers: int = 10,
    min_repeat_customers: int = 5,
) -> BGNBDFit:
    """Fit BG/NBD by maximum likelihood.

    Parameters
    ----------
    frequency, recency, T : array-like
        Repeat purchases, first-to-last purchase time and customer age (one value per
        customer, in one time unit).
    min_customers, min_repeat_customers : int
        Refuse to fit on fewer customers, or fewer with a repeat purchase (default 10, 5).

    Returns
    -------
    BGNBDFit
        r, alpha, a, b; standard errors from the inverse numerical Hessian; the
        maximised log-likelihood (the sum of eq. 6 over customers, no constants dropped).

    Raises
    ------
    FitError
        Too few customers ("too_few_customers"), or no interior optimum.

    Notes
    -----
    When drop-out barely varies between customers, the likelihood keeps rising as a and
    b grow together (Beta(a, b) narrows to a point mass at p = a/(a+b)) and has no
    finite maximum. So the limiting model, BG/NBD with one drop-out probability p for
    everyone, is fitted as well (r, α, p); when its likelihood is at least the Beta
    fit's (relative tolerance ``_LIMIT_LL_TOLERANCE``) it is the maximum-likelihood
    answer: the fit then has ``dropout = p``, a = b = inf, and standard errors of r, α
    and p from the limiting model's Hessian (those of a and b are NaN).
    """
    x, tx, t_cal = check_summary(frequency, recency, T)
    n, n_repeat = len(x), int((x > 0).sum())
    if n < min_customers or n_repeat < min_repeat_customers:
        raise FitError(
            f"BG/NBD needs at least {min_customers} customers and {min_repeat_customers} with "
            f"a repeat purchase in the calibration period; this data has {n:,} and "
            f"{n_repeat:,}. Use a longer calibration period or more customers.",
            "too_few_customers",
            model=NAME,
            customers=n,
            repeat_customers=n_repeat,
            min_customers=min_customers,
            min_repeat_customers=min_repeat_customers,
        )
    data = _BGNBDData.build(x, tx, t_cal, compress=True)
    rate = float(x.sum() / max(t_cal.sum(), 1e-12))
    start = np.log(np.array([1.0, 1.0 / max(rate, 1e-6), 1.0, 1.0]))
    full = optimise(mean_nll(_bgnbd_total, data, n), start)
    theta = np.exp(full.log_params)
    with np.errstate(all="ignore"):
        ll_full = _bgnbd_total(theta, data)[0]
    if not np.isfinite(ll_full):
        ll_full = -np.inf
    limit, ll_limit, limit_iterations = _fit_limit(data, n, full, start)
    iterations = full.iterations + limit_iterations
    if limit is not None and ll_limit >= ll_full - _LIMIT_LL_TOLERANCE * abs(ll_limit):
        return _limit_fit(limit, data, n, ll_limit, iterations)
    advice = (
        "Try a longer calibration period (a later --calibration-end), a coarser --unit, "
        f"or more customers; this fit had {n:,} customers, {n_repeat:,} with a repeat purchase."
    )
    require_interior(full, ("r", "alpha", "a", "b"), NAME, advice)
    return _beta_fit(theta, data, n, float(ll_full), iterations)


def _limit_fit(theta: FloatArray, data: _BGNBDData, n: int, ll: float, iterations: int) -> BGNBDFit:
    """The homogeneous limit as the fit: a = b = inf, drop-out p for every customer."""
    # Standard errors of r, α and p are the limiting model's; a and b have none.
    se = standard_errors(lambda th: _bgnbd_total(th, data)[1], theta).tolist()
    return BGNBDFit(
        r=float(theta[0]),
        alpha=float(theta[1]),
        a=math.inf,
        b=math.inf,
        std_errors={"r": se[0], "alpha": se[1], "a": math.nan, "b": math.nan, "dropout": se[2]},
        log_likelihood=float(ll),
        customers=n,
        iterations=iterations,
        dropout=float(theta[2]),
    )


def _beta_fit(theta: FloatArray, data: _BGNBDData, n: int, ll: float, iterations: int) -> BGNBDFit:
    """The fit with drop-out p ~ Beta(a, b), with standard errors from the Hessian."""
    cov = covariance(lambda th: _bgnbd_total(th, data)[1], theta)
    se = np.sqrt(np.diag(cov))
    # Delta method for the mean drop-out a/(a+b): gradient (b, −a)/(a+b)².
    a, b = theta[2], theta[3]
    g = np.array([0.0, 0.0, b, -a]) / (a + b) ** 2
    se_dropout = float(np.sqrt(g @ cov @ g))
    names = ("r", "alpha", "a", "b")
    return BGNBDFit(
        r=float(theta[0]),
        alpha=float(theta[1]),
        a=float(a),
        b=float(b),
        std_errors={**{k: float(v) for k, v in zip(names, se, strict=True)}, "dropout": se_dropout},
        log_likelihood=ll,
        customers=n,
        iterations=iterations,
    )


def _limit_theta(z: FloatArray) -> FloatArray:
    """(r, α, p) of the homogeneous limit from its unbounded coordinates (log, log, logit)."""
    return np.array([np.exp(z[0]), np.exp(z[1]), expit(z[2])])


def _fit_limit(
    data: _BGNBDData, n: int, full: Optimum, start: FloatArray
) -> tuple[FloatArray | None, float, int]:
    """(r, α, p) of the homogeneous limit (one drop-out p for all) and its log-likelihood,
    with its iterations; None unless it ends on a flat, interior, finite optimum."""

    def mean_nll_limit(z: FloatArray) -> tuple[float, FloatArray]:
        theta = _limit_theta(z)
        value, grad = _bgnbd_total(theta, data)
        if not np.isfinite(value):
            return 1e300, np.zeros_like(z)
        chain = np.array([theta[0], theta[1], theta[2] * (1 - theta[2])])
        return -value / n, -(grad * chain) / n

    theta_full = np.exp(full.log_params)
    # Start the limit from the Beta fit's r, α and mean drop-out: on a ridge that is
    # next to the limit's optimum.
    z0 = full.log_params[:2] if not {0, 1} & set(full.at_bound) else start[:2]
    mean_p = float(np.clip(theta_full[2] / (theta_full[2] + theta_full[3]), 1e-6, 1 - 1e-6))
    limit = optimise(mean_nll_limit, np.r_[z0, np.log(mean_p / (1 - mean_p))])
    theta = _limit_theta(limit.log_params)
    with np.errstate(all="ignore"):
        ll_limit = float(_bgnbd_total(theta, data)[0])
    if not (limit.converged and not limit.at_bound and np.isfinite(ll_limit)):
        return None, ll_limit, limit.iterations
    return theta, ll_limit, limit.iterations


def _log_dropout_odds(fit: BGNBDFit, x: FloatArray) -> FloatArray:
    """log(a/(b+x−1)): the odds that a customer dropped out right after the last purchase.

    It is the posterior-mean drop-out after x−1 survived coins, E[p]/(1−E[p]) under
    Beta(a, b+x−1); p/(1−p) in the homogeneous limit. Meaningful for x >= 1 only.
    """
    if fit.dropout is not None:
        return np.full(len(x), math.log(fit.dropout) - math.log1p(-fit.dropout))
    return np.log(fit.a) - np.log(np.maximum(fit.b + x - 1, np.finfo(np.float64).tiny))


def p_alive(fit: BGNBDFit, frequency: Any, recency: Any, T: Any) -> FloatArray:
    """P(alive | frequency, recency, T) (FHL 2005, eq. 13); 1 without a repeat purchase."""
    x, tx, t_cal = check_summary(frequency, recency, T)
    r, alpha = fit.r, fit.alpha
    log_odds_dead = _log_dropout_odds(fit, x) + (r + x) * (np.log(alpha + t_cal) - np.log(alpha + tx))
    return np.where(x > 0, expit(-log_odds_dead), 1.0)


def beta_gauss_rule(a: float, b: float, nodes: int) -> tuple[FloatArray, FloatArray]:
    """Gauss quadrature for the Beta(a, b) distribution: nodes in (0, 1), weights summing to 1.

    Golub-Welsch: the nodes are the eigenvalues of the Jacobi matrix of the Beta's
    orthonormal polynomials, the weights the squared first components of its
    eigenvectors. The matrix is the shifted Jacobi one written with s = a + b − 2 so that
    no entry is a difference of large numbers; the rule is exact for polynomials of
    degree < 2·nodes for any a, b > 0, however large.
    """
    j = np.arange(nodes, dtype=np.float64)
    s = a + b - 2
    with np.errstate(all="ignore"):
        diag = (2 * j * (j + s + 1) + s * a) / ((2 * j + s) * (2 * j + s + 2))
    diag[0] = a / (a + b)
    k = j[1:]
    with np.errstate(all="ignore"):
        off = np.sqrt(
            k * (k + a - 1) * (k + b - 1) * (k + s) / ((2 * k + s) ** 2 * (2 * k + s + 1) * (2 * k + s - 1))
        )
    # The first entry is the Beta's standard deviation; the general form is 0/0 at a + b = 1.
    off[:1] = np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    points, vectors = eigh_tridiagonal(diag, off)
    return np.clip(points, np.finfo(np.float64).tiny, 1.0), vectors[0] ** 2


def _purchases_given_dropout(p: FloatArray, n: FloatArray, s: FloatArray) -> FloatArray:
    """E[purchases | alive, drop-out p] = (1 − (1 + p·s)^−n) / p, stable for tiny p."""
    return -np.expm1(-n * np.log1p(p * s)) / p


# How E[N] over Beta(a, b + x) is evaluated, checked against an independent adaptive
# quadrature over a grid of a (0.05 … 1e6), b (0.5 … 3e6), x (0 … 1000) and
# t/(α+T) (0.01 … 1e4):
# * Euler's closed form (scipy's 2F1) is accurate to ~1e-12 for a < 20 and
#   a + b <= 1000 but overflows beyond (0 · ∞ for the sample data's a ≈ 1e4), and near
#   a = 1 it is 0/0, so there it only serves as a fallback.
# * Gauss quadrature over the Beta: nodes double from 32 until two rules agree to
#   _GAUSS_RTOL. For large a or a + b the Beta is concentrated and 32 or 64 nodes do;
#   small a with a huge t/(α+T) needs up to 1,024 (0.3 s per distinct x), so that far
#   only when the closed form failed as well. NaN if even that does not converge.
_CLOSED_FORM_MAX_A = 20.0
_CLOSED_FORM_MAX_AB = 1e3
_GAUSS_FIRST = (32, 64, 128)
_GAUSS_LAST_RESORT = (128, 256, 512, 1024)
_GAUSS_RTOL = 1e-10


class _PurchasesIfAlive:
    """E[purchases in (T, T + t] | alive at T] for fixed customers (x, T), any t.

    Alive at T after x repeat purchases, a customer has λ ~ Gamma(r + x, α + T) and
    p ~ Beta(a, b + x). Purchases come at rate λ and each is followed by a drop-out
    with probability p, so E[N | λ, p] = (1 − e^(−λpt)) / p and, with λ integrated out,
        E[N | p] = (1 − (1 + p·s)^−(r+x)) / p,   s = t / (α + T).
    FHL 2005 eq. 10 without the P(alive) factor is the mean of that over the Beta:
    Euler's 2F1 form for moderate a, b, Gauss quadrature over the Beta for large ones,
    and in the homogeneous limit (a, b → ∞, a/(a+b) → p) the expression itself.
    """

    def __init__(self, fit: BGNBDFit, x: FloatArray, t_cal: FloatArray) -> None:
        self.fit = fit
        self.x = x
        self.base = fit.alpha + t_cal
        self.n = fit.r + x
        self.ux, self.ix = distinct(x)
        self.closed_form_first = (
            fit.dropout is None
            and fit.a < _CLOSED_FORM_MAX_A
            and fit.a + fit.b <= _CLOSED_FORM_MAX_AB
            and abs(fit.a - 1) >= 0.01
        )
        # Gauss rules per node count: nodes and weights per distinct x, filled on demand.
        self._rules: dict[int, tuple[FloatArray, FloatArray, np.ndarray[Any, np.dtype[np.bool_]]]] = {}

    def __call__(self, t: float) -> FloatArray:
        s = t / self.base
        if self.fit.dropout is not None:
            return _purchases_given_dropout(np.full(len(s), self.fit.dropout), self.n, s)
        with np.errstate(all="ignore"):
            if self.closed_form_first:
                out = self._closed_form(t)
            else:
                out = self._quadrature(s, np.arange(len(s)), _GAUSS_FIRST)
                todo = np.flatnonzero(~np.isfinite(out))
                if len(todo):
                    out[todo] = self._closed_form(t)[todo]
            todo = np.flatnonzero(~np.isfinite(out))
            if len(todo):
                out[todo] = self._quadrature(s, todo, _GAUSS_LAST_RESORT)
        return out

    def _closed_form(self, t: float) -> FloatArray:
        """FHL eq. 10 through Euler's transformation (see below); NaN or inf where 2F1 overflows.

        Euler's transformation turns ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; z) into
        (1−z)^(a−1) · 2F1(a+b−1−r, a−1; a+b+x−1; z), z = t/(α+T+t), whose first two
        arguments do not grow with x, so large frequencies neither overflow nor lose digits.
        """
        a = self.fit.a
        # The formula is 0/0 at a = 1 and smooth around it: interpolate linearly between
        # a = 1 ± 1e-5 (error O(1e-10) plus the cancellation of 1 − (…)·2F1, which
        # matters only for tiny expectations: quadrature goes first near a = 1).
        step = 1e-5
        if abs(a - 1) < step:
            share = (a - (1 - step)) / (2 * step)
            return (1 - share) * self._euler(t, 1 - step) + share * self._euler(t, 1 + step)
        return self._euler(t, a)

    def _euler(self, t: float, a: float) -> FloatArray:
        r, b = self.fit.r, self.fit.b
        z = t / (self.base + t)
        c = a + b + self.x - 1
        bracket = 1 - (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, c, z)
        return np.asarray(c / (a - 1) * bracket, dtype=np.float64)

    def _rule(self, nodes: int, rows: IntArray) -> tuple[FloatArray, FloatArray]:
        """Gauss rules of Beta(a, b + x) for the given rows, one row of nodes each."""
        if nodes not in self._rules:
            shape = (len(self.ux), nodes)
            self._rules[nodes] = (np.empty(shape), np.empty(shape), np.zeros(len(self.ux), dtype=bool))
        points, weights, known = self._rules[nodes]
        wanted = self.ix[rows]
        for k in np.unique(wanted[~known[wanted]]):
            points[k], weights[k] = beta_gauss_rule(self.fit.a, self.fit.b + self.ux[k], nodes)
            known[k] = True
        return points[wanted], weights[wanted]

    def _quadrature(self, s: FloatArray, rows: IntArray, levels: tuple[int, ...]) -> FloatArray:
        """Gauss quadrature over Beta(a, b + x) for ``rows``; NaN where no two levels agree."""
        out = np.full(len(rows), np.nan)
        todo = np.arange(len(rows))
        previous: FloatArray | None = None
        for nodes in levels:
            sub = rows[todo]
            points, weights = self._rule(nodes, sub)
            values = np.einsum(
                "ij,ij->i",
                weights,
                _purchases_given_dropout(points, self.n[sub, None], s[sub, None]),
            )
            if previous is not None:
                done = np.abs(values - previous) <= _GAUSS_RTOL * np.abs(values)
                out[todo[done]] = values[done]
                todo, values = todo[~done], values[~done]
                if not len(todo):
                    break
            previous = values
        return out


def purchases_if_alive(fit: BGNBDFit, frequency: Any, recency: Any, T: Any) -> Callable[[float], FloatArray]:
    """t -> E[purchases in (T, T + t] | alive at T] per customer (FHL 2005 eq. 10 without
    the P(alive) factor); identical customers are evaluated once, whatever t."""
    x, _, t_cal = check_summary(frequency, recency, T)
    (ux, ut), inv, _ = group_rows(x, t_cal)
    if_alive = _PurchasesIfAlive(fit, ux, ut)
    return lambda t: if_alive(float(t))[inv]


def expected_purchases(fit: BGNBDFit, t: float, frequency: Any, recency: Any, T: Any) -> FloatArray:
    """Expected purchases in the next ``t`` time units per customer (FHL 2005, eq. 10)."""
    x, tx, t_cal = check_summary(frequency, recency, T)
    return p_alive(fit, x, tx, t_cal) * purchases_if_alive(fit, x, tx, t_cal)(t)


def expected_repeat_purchases(fit: BGNBDFit, t: float) -> float:
    """E[X(t)]: repeat purchases expected in the first ``t`` time units after a first purchase.

    FHL 2005 eq. 9, (a+b−1)/(a−1) · (1 − (α/(α+t))^r · 2F1(r, b; a+b−1; t/(α+t))): the
    conditional expectation of a customer with x = 0 and T = 0, who is alive for sure.
    """
    zero = np.zeros(1)
    return float(_PurchasesIfAlive(fit, zero, zero)(float(t))[0])


# ------------------------------------------------------------------------------ for the report


def estimates(fit: BGNBDFit) -> dict[str, Any]:
    """The fit's figures for a result's summary: r, alpha, a, b (NaN, not infinity, in the
    homogeneous limit), the mean drop-out and how drop-out varies ("beta" or "homogeneous")."""
    shown = {k: (v if math.isfinite(v) else math.nan) for k, v in fit.params.items()}
    return {
        **shown,
        "dropout": fit.mean_dropout,
        "bgnbd_dropout": "homogeneous" if fit.homogeneous else "beta",
    }


def parameter_rows(fit: BGNBDFit) -> list[tuple[str, float, float]]:
    """(parameter, estimate, std_error) rows of the parameters table."""
    shown = estimates(fit)
    names = ("r", "alpha", "a", "b")
    rows = [(k, float(shown[k]), fit.std_errors[k]) for k in names]
    return [*rows, ("a/(a+b)", fit.mean_dropout, fit.std_errors["dropout"])]


def dropout_rule(fit: BGNBDFit) -> str:
    """The params entry that says which drop-out model the predictions use (a definition)."""
    if fit.homogeneous:
        return (
            "homogeneous: drop-out heterogeneity not identified (the likelihood rises as a and b "
            f"grow together); predictions use the limiting model with p = a/(a+b) = {fit.mean_dropout:.6g} "
            "for every customer; a, b and their standard errors are NaN"
        )
    return "heterogeneous: the drop-out probability p ~ Beta(a, b) across customers"
