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
``PurchasesIfAlive``).

The model module contract (see :mod:`kamtool.analyses.clv`): :func:`fit`,
:func:`p_alive`, :func:`expected_purchases`, :func:`expected_repeat_purchases`,
:func:`purchases_if_alive`, :func:`parameter_rows` and :func:`figures`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.linalg import eigh_tridiagonal
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

from kamtool.analyses.clv.fit import (
    LOG_BOUND,
    FitError,
    FloatArray,
    IntArray,
    MeanNLL,
    Optimum,
    covariance,
    distinct,
    dot,
    group_rows,
    mean_nll,
    normal_draws,
    optimise,
    purchase_count_pmf,
    require_data,
    require_interior,
    runaway,
)
from kamtool.analyses.clv.summary import check_summary

NAME = "BG/NBD"
KEY = "bgnbd"
PARAMETERS: tuple[str, ...] = ("r", "alpha", "a", "b")


@dataclass(frozen=True)
class Form:
    """BG/NBD or one of its limits: how purchase rates and drop-out vary between customers.

    ``rate``: "gamma" (λ ~ Gamma(r, α)) or "one" (r, α → ∞ with r/α = λ fixed: every
    customer buys at the same Poisson rate λ). ``dropout``: "beta" (p ~ Beta(a, b)),
    "homogeneous" (a, b → ∞ with a/(a+b) = p fixed: one drop-out probability for all) or
    "none" (a/(a+b) → 0, a → 0 or b → ∞: nobody drops out, the NBD model) or "certain"
    (a/(a+b) → 1, b → 0: everyone drops out right after the first repeat purchase, a
    maximum only when nobody bought more than twice).
    ``boundary`` is the code the fit reports (None for BG/NBD itself); ``names`` are the
    parameters fitted, rate ones first.
    """

    boundary: str | None
    rate: str
    dropout: str

    @property
    def names(self) -> tuple[str, ...]:
        rate = ("r", "alpha") if self.rate == "gamma" else ("rate",)
        dropout = {"beta": ("a", "b"), "homogeneous": ("dropout",), "none": (), "certain": ()}[self.dropout]
        return rate + dropout


FULL = Form(None, "gamma", "beta")
# The limits, in the order they are tried when BG/NBD itself has no interior maximum; the
# boundary codes are what summary["bgnbd_boundary"] says.
LIMITS: tuple[Form, ...] = (
    Form("homogeneous_dropout", "gamma", "homogeneous"),
    Form("no_dropout", "gamma", "none"),
    Form("certain_dropout", "gamma", "certain"),
    Form("homogeneous_purchase", "one", "beta"),
    Form("homogeneous_purchase_and_dropout", "one", "homogeneous"),
    Form("homogeneous_purchase_no_dropout", "one", "none"),
)
FORMS: dict[str | None, Form] = {f.boundary: f for f in (FULL, *LIMITS)}


@dataclass(frozen=True)
class BGNBDFit:
    """Maximum-likelihood BG/NBD parameters; time in the summary's unit.

    When the likelihood has no interior maximum the fit is the limit it rises towards
    (``boundary``, see :class:`Form`), and every prediction uses that limiting model:

    - ``dropout`` = p with a = b = ``math.inf`` (homogeneous drop-out), ``dropout`` = 0
      (no drop-out) or 1 (drop-out right after the first repeat purchase) with a, b NaN;
    - ``purchase_rate`` = λ with r = α = ``math.inf`` (one purchase rate).

    Parameters a limit does not have carry NaN standard errors.
    """

    r: float
    alpha: float
    a: float
    b: float
    std_errors: dict[str, float]  # r, alpha, a, b, dropout (of mean_dropout); rate if one
    log_likelihood: float
    customers: int
    iterations: int = 0
    dropout: float | None = None
    purchase_rate: float | None = None
    boundary: str | None = None
    # Covariance of the parameters the form fits (``form.names``), for interval draws;
    # NaN when the Hessian is not negative definite, empty when not computed.
    covariance: FloatArray = field(default_factory=lambda: np.zeros((0, 0)), compare=False, repr=False)

    @property
    def params(self) -> dict[str, float]:
        return {"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b}

    @property
    def form(self) -> Form:
        """The model the predictions use."""
        rate = "gamma" if self.purchase_rate is None else "one"
        limits = {0.0: "none", 1.0: "certain"}
        dropout = "beta" if self.dropout is None else limits.get(self.dropout, "homogeneous")
        return next(f for f in FORMS.values() if (f.rate, f.dropout) == (rate, dropout))

    @property
    def homogeneous(self) -> bool:
        """True when every customer drops out with the same probability p > 0."""
        return self.form.dropout == "homogeneous"

    @property
    def mean_dropout(self) -> float:
        """Mean drop-out probability after a repeat purchase: a / (a + b), or p in a limit."""
        return self.dropout if self.dropout is not None else self.a / (self.a + self.b)

    @property
    def mean_rate(self) -> float:
        """Mean purchase rate while alive: r / α, or λ in the one-rate limit."""
        return self.purchase_rate if self.purchase_rate is not None else self.r / self.alpha


def _theta(params: dict[str, float] | BGNBDFit) -> tuple[Form, FloatArray]:
    """The form and its parameter vector (see ``Form.names``)."""
    if isinstance(params, BGNBDFit):
        form = params.form
        values = {"r": params.r, "alpha": params.alpha, "a": params.a, "b": params.b}
        values.update(rate=params.mean_rate, dropout=params.mean_dropout)
        return form, np.array([values[k] for k in form.names], dtype=np.float64)
    if "dropout" in params and not np.isfinite([params.get("a", np.inf), params.get("b", np.inf)]).all():
        return FORMS["homogeneous_dropout"], np.array(
            [params["r"], params["alpha"], params["dropout"]], dtype=np.float64
        )
    return FULL, np.array([params["r"], params["alpha"], params["a"], params["b"]], dtype=np.float64)


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
    In the homogeneous limit B(a, b+x)/B(a, b) → (1−p)^x and a/(b+x−1) → p/(1−p); without
    drop-out the first tends to 1 and the second to 0 (mix = A3). With one purchase rate λ
    (r, α → ∞, r/α = λ) Γ(r+x)/Γ(r)·α^r/(α+t)^(r+x) → λ^x·e^(−λt): A3 = −λT,
    A4 = log odds − λ·t_x, one-time customers −λT, and base holds x·log λ.
    """

    once: FloatArray
    base: FloatArray
    mix: FloatArray
    gradient: FloatArray | None  # d(total)/d(the form's names)


@dataclass
class _RatePart:
    """The purchase-rate half of the terms: per one-time customer, per distinct x, per row."""

    once: FloatArray
    base: FloatArray
    a3: FloatArray
    a4: FloatArray  # without the drop-out odds
    # per row, log(α+T) and log(α+t_x) of the Gamma form, kept for the gradient (which took them
    # again: two logs and two gathers of every row per evaluation)
    log_at: FloatArray | None = None
    log_atx: FloatArray | None = None


def _rate_part(form: Form, theta: FloatArray, d: _BGNBDData) -> _RatePart:
    if form.rate == "one":
        lam = theta[0]
        return _RatePart(-lam * d.t0, d.ux * np.log(lam), -lam * d.ut[d.it], -lam * d.utx[d.itx])
    r, alpha = theta[0], theta[1]
    log_alpha = np.log(alpha)
    rx = r + d.x
    log_at, log_atx = np.log(alpha + d.ut)[d.it], np.log(alpha + d.utx)[d.itx]
    return _RatePart(
        r * (log_alpha - np.log(alpha + d.t0)),
        gammaln(r + d.ux) - gammaln(r) + r * log_alpha,
        -rx * log_at,
        -rx * log_atx,
        log_at,
        log_atx,
    )


def _rate_gradient(
    form: Form, theta: FloatArray, d: _BGNBDData, w3: FloatArray, w4: FloatArray, rate: _RatePart
) -> list[float]:
    w0 = d.w0
    if form.rate == "one":
        lam = theta[0]
        return [-dot(w0, d.t0) + dot(d.wx, d.ux) / lam - dot(w3, d.ut[d.it]) - dot(w4, d.utx[d.itx])]
    r, alpha = theta[0], theta[1]
    assert rate.log_at is not None and rate.log_atx is not None  # the Gamma form keeps them
    log_alpha = np.log(alpha)
    log_at0 = np.log(alpha + d.t0)
    rx = r + d.x
    g_r = (
        dot(w0, log_alpha - log_at0)
        + dot(d.wx, digamma(r + d.ux) - digamma(r) + log_alpha)
        - dot(w3, rate.log_at)
        - dot(w4, rate.log_atx)
    )
    g_alpha = (
        r * w0.sum() / alpha
        - r * dot(w0, 1 / (alpha + d.t0))
        + r * d.wx.sum() / alpha
        - dot(w3 * rx, (1 / (alpha + d.ut))[d.it])
        - dot(w4 * rx, (1 / (alpha + d.utx))[d.itx])
    )
    return [g_r, g_alpha]


def _dropout_part(form: Form, theta: FloatArray, ux: FloatArray) -> tuple[FloatArray, FloatArray | None]:
    """log P(x repeat purchases survived) and the log odds of dropping out after the last,
    per distinct x (None without drop-out)."""
    if form.dropout == "none":
        return np.zeros(len(ux)), None
    if form.dropout == "certain":
        # (1−p)^x·A3 + p·(1−p)^(x−1)·A4 at p = 1: A4 for x = 1, impossible beyond
        return np.where(ux == 1, 0.0, -np.inf), np.full(len(ux), np.inf)
    k = 1 if form.rate == "one" else 2
    if form.dropout == "homogeneous":
        p = theta[k]
        return ux * np.log1p(-p), np.full(len(ux), np.log(p) - np.log1p(-p))
    a, b = theta[k], theta[k + 1]
    dropout = gammaln(a + b) + gammaln(b + ux) - gammaln(b) - gammaln(a + b + ux)
    return dropout, np.log(a) - np.log(b + ux - 1)


def _dropout_gradient(form: Form, theta: FloatArray, d: _BGNBDData, w4: FloatArray) -> list[float]:
    if form.dropout in ("none", "certain"):
        return []
    k = 1 if form.rate == "one" else 2
    ux = d.ux
    if form.dropout == "homogeneous":
        p = theta[k]
        return [-dot(d.wx, ux) / (1 - p) + w4.sum() / (p * (1 - p))]
    a, b = theta[k], theta[k + 1]
    psi_ab, psi_abx = digamma(a + b), digamma(a + b + ux)
    g_a = dot(d.wx, psi_ab - psi_abx) + w4.sum() / a
    g_b = dot(d.wx, psi_ab + digamma(b + ux) - digamma(b) - psi_abx) - dot(w4, (1 / (b + ux - 1))[d.ix])
    return [g_a, g_b]


def _bgnbd_terms(form: Form, theta: FloatArray, d: _BGNBDData, gradient: bool) -> _BGNBDTerms:
    rate = _rate_part(form, theta, d)
    dropout, log_odds = _dropout_part(form, theta, d.ux)
    base = rate.base + dropout
    if log_odds is None:
        a4 = np.full(len(d.x), -np.inf)
        mix = rate.a3
    elif form.dropout == "certain":
        a4 = np.full(len(d.x), np.inf)  # all the weight on the drop-out branch
        mix = rate.a4
    else:
        a4 = log_odds[d.ix] + rate.a4
        mix = np.logaddexp(rate.a3, a4)
    if not gradient:
        return _BGNBDTerms(rate.once, base, mix, None)
    # Share of each branch of the mixture in the customer's likelihood.
    w4 = expit(a4 - rate.a3) * d.w
    w3 = d.w - w4
    grad = _rate_gradient(form, theta, d, w3, w4, rate) + _dropout_gradient(form, theta, d, w4)
    return _BGNBDTerms(rate.once, base, mix, np.array(grad))


def _bgnbd_total(form: Form, theta: FloatArray, d: _BGNBDData) -> tuple[float, FloatArray]:
    terms = _bgnbd_terms(form, theta, d, gradient=True)
    assert terms.gradient is not None
    value = dot(d.w0, terms.once) + dot(d.wx, terms.base) + dot(d.w, terms.mix)
    return value, terms.gradient


def log_likelihood(params: dict[str, float] | BGNBDFit, frequency: Any, recency: Any, T: Any) -> FloatArray:
    """BG/NBD log-likelihood of each customer (Fader, Hardie & Lee 2005, eq. 6).

    ``params`` is a fit (of any form) or a dict of r, alpha, a, b; a dict with infinite a
    and b and a ``dropout`` p gives the homogeneous limit (every customer drops out with p).
    """
    x, tx, t_cal = check_summary(frequency, recency, T)
    data = _BGNBDData.build(x, tx, t_cal, compress=False)
    form, theta = _theta(params)
    terms = _bgnbd_terms(form, theta, data, gradient=False)
    ll = np.empty(len(x))
    ll[x == 0] = terms.once
    ll[x > 0] = terms.base[data.ix] + terms.mix
    return ll


# A limiting model replaces the Beta(a, b) fit when its log-likelihood is at least as
# high up to this relative rounding margin. Along a ridge the Beta fit's log-likelihood
# approaches the limit's from below as about c/(a + b) (c ≈ 7 on the sample data, whose
# Beta fit stopped at a + b ≈ 2e6, 2e-6 below the limit); a Beta fit that is better by
# more than rounding is kept, however large its a and b.
_LIMIT_LL_TOLERANCE = 1e-9
# Without an interior maximum, the models whose log-likelihood is within this relative
# margin of the highest one found are as good as it, and the one with the fewest
# parameters is the answer. The margin covers what a fit stopped on the edge of the box
# (a = e^−15) or on a flat ridge short of its limit leaves on the table, about 1e-8 per
# customer, and is far below any difference a likelihood-ratio test would call real
# (1e-7 of a log-likelihood of ~10 per customer is 1e-6 per customer).
_BOUNDARY_LL_TOLERANCE = 1e-7
# Fewer repeat customers than this cannot tell a spread of rates or drop-outs from noise
# (four parameters, or two or three in a limit, from the repeat customers' histories; the
# same minimum as MBG/NBD's and Pareto/NBD's).
MIN_REPEAT_CUSTOMERS = 20


def fit(
    frequency: Any,
    recency: Any,
    T: Any,
    *,
    min_customers: int = 10,
    min_repeat_customers: int = MIN_REPEAT_CUSTOMERS,
) -> BGNBDFit:
    """Fit BG/NBD by maximum likelihood, or the limit its likelihood rises towards.

    Parameters
    ----------
    frequency, recency, T : array-like
        Repeat purchases, first-to-last purchase time and customer age (one value per
        customer, in one time unit).
    min_customers, min_repeat_customers : int
        Refuse to fit on fewer customers, or fewer with a repeat purchase (default 10, 20).

    Returns
    -------
    BGNBDFit
        r, alpha, a, b; standard errors from the inverse numerical Hessian; the
        maximised log-likelihood (the sum of eq. 6 over customers, no constants dropped);
        ``boundary`` names the limit when the maximum is one (see :class:`Form`).

    Raises
    ------
    FitError
        "one_time_buyers_only" (nobody bought twice: neither rates nor drop-out can be
        told), "too_few_customers", or "unidentified"/"not_converged" when neither
        BG/NBD nor any of its limits has a maximum.

    Notes
    -----
    The likelihood can keep rising towards the edge of the parameter space: as a and b
    grow together when drop-out barely varies between customers (Beta(a, b) narrows to
    p = a/(a+b)), as a/(a+b) → 0 when nobody seems to drop out, as r and α grow together
    when purchase rates barely vary (Gamma(r, α) narrows to λ = r/α). The maximum is then
    the limiting model, fitted directly: the homogeneous limit is always fitted and wins
    when its likelihood is at least the Beta fit's (relative ``_LIMIT_LL_TOLERANCE``).
    Then, or when the Beta fit has no interior maximum, every limit is fitted and the one
    with the fewest parameters among those with an interior maximum of their own whose
    likelihood reaches the highest found (relative ``_BOUNDARY_LL_TOLERANCE``) is the
    answer.
    """
    x, tx, t_cal = check_summary(frequency, recency, T)
    n, n_repeat = len(x), int((x > 0).sum())
    require_data(NAME, n, n_repeat, min_customers, min_repeat_customers)
    data = _BGNBDData.build(x, tx, t_cal, compress=True)
    rate = float(x.sum() / max(t_cal.sum(), 1e-12))
    start = np.log(np.array([1.0, 1.0 / max(rate, 1e-6), 1.0, 1.0]))
    full = optimise(_mean_nll(FULL, data, n), start)
    theta = np.exp(full.log_params)
    ll_full = _finite_ll(FULL, theta, data)
    starts = _limit_start(full, start, rate)
    homogeneous = _fit_form(FORMS["homogeneous_dropout"], data, n, starts)
    iterations = full.iterations + homogeneous.iterations
    # An interior maximum is flat, off the edge of the box and curved down in every
    # direction: a fit drifting along a ridge towards a limit can stop flat enough short
    # of the edge, but its Hessian is then singular.
    cov = covariance(lambda th: _bgnbd_total(FULL, th, data)[1], theta)
    interior = full.converged and not full.at_bound and not runaway(full) and bool(np.isfinite(cov).all())
    beaten = homogeneous.ok and homogeneous.ll >= ll_full - _LIMIT_LL_TOLERANCE * abs(homogeneous.ll)
    if interior and not beaten:
        return _beta_fit(theta, cov, n, ll_full, iterations)
    beta = _Candidate(FULL, theta, ll_full, True, 0, cov)
    return _simplest_maximum(full, beta, homogeneous, data, starts, (n, n_repeat), iterations)


def _simplest_maximum(
    full: Optimum,
    beta: _Candidate,
    homogeneous: _Candidate,
    data: _BGNBDData,
    starts: dict[str, float],
    counts: tuple[int, int],
    iterations: int,
) -> BGNBDFit:
    """No interior maximum, or one no higher than a limit's: the simplest model whose
    likelihood reaches the highest one found, every limit fitted; else a FitError.

    ``beta`` is the Beta fit (``full`` its optimum) as a candidate: it competes when it is
    still a maximum, a runaway one included. ``counts``: customers, repeat customers.
    """
    n, n_repeat = counts
    others = [_fit_form(f, data, n, starts) for f in LIMITS[1:]]
    iterations += sum(o.iterations for o in others)
    candidates = [c for c in (homogeneous, *others) if c.ok]
    if full.converged and not full.at_bound and bool(np.isfinite(beta.cov).all()):
        # a runaway fit that is still a maximum competes with the limits it runs towards
        candidates.append(beta)
    best = max([beta.ll, *(c.ll for c in candidates)])
    reached = [c for c in candidates if c.ll >= best - _BOUNDARY_LL_TOLERANCE * abs(best)]
    if reached:
        chosen = min(reached, key=lambda c: (len(c.form.names), -c.ll))
        if chosen.form is FULL:
            return _beta_fit(beta.theta, beta.cov, n, beta.ll, iterations)
        return _limit_fit(chosen, n, iterations)
    advice = (
        "Try a longer calibration period (a later --calibration-end), a coarser --unit, "
        f"or more customers; this fit had {n:,} customers, {n_repeat:,} with a repeat purchase."
    )
    require_interior(full, FULL.names, NAME, advice)
    raise FitError.said_with("error.fit.not_converged", {"model": NAME, "advice": advice}, "not_converged",
                             model=NAME)


def _finite_ll(form: Form, theta: FloatArray, data: _BGNBDData) -> float:
    with np.errstate(all="ignore"):
        value = float(_bgnbd_total(form, theta, data)[0])
    return value if np.isfinite(value) else -math.inf


def _to_theta(form: Form, z: FloatArray) -> FloatArray:
    """Parameters from the optimiser's unbounded coordinates: logs, the logit of p."""
    return np.array([expit(v) if k == "dropout" else np.exp(v) for k, v in zip(form.names, z, strict=True)])


def _mean_nll(form: Form, data: _BGNBDData, n: int) -> MeanNLL:
    """The mean negative log-likelihood of a form over its unbounded coordinates."""
    if form.dropout != "homogeneous":
        return mean_nll(lambda th, d: _bgnbd_total(form, th, d), data, n)

    def value(z: FloatArray) -> tuple[float, FloatArray]:
        theta = _to_theta(form, z)
        total, grad = _bgnbd_total(form, theta, data)
        if not np.isfinite(total):
            return 1e300, np.zeros_like(z)
        chain = np.array(
            [t * (1 - t) if k == "dropout" else t for k, t in zip(form.names, theta, strict=True)]
        )
        return -total / n, -(grad * chain) / n

    return value


def _limit_start(full: Optimum, start: FloatArray, rate: float) -> dict[str, float]:
    """Starting coordinates of every parameter a limit may have, from the Beta fit.

    On a ridge the Beta fit's r, α and mean drop-out are next to the limit's optimum;
    parameters the Beta fit drove to the edge start where the Beta fit itself started.
    """
    z = np.where(np.abs(np.abs(full.log_params) - LOG_BOUND) < 1e-3, start, full.log_params)
    if {0, 1} & set(full.at_bound):
        z[:2] = start[:2]
    theta = np.exp(full.log_params)
    mean_p = float(np.clip(theta[2] / (theta[2] + theta[3]), 1e-6, 1 - 1e-6))
    return {
        "r": float(z[0]),
        "alpha": float(z[1]),
        "a": float(z[2]),
        "b": float(z[3]),
        "rate": math.log(max(rate, 1e-6)),
        "dropout": math.log(mean_p / (1 - mean_p)),
    }


@dataclass(frozen=True)
class _Candidate:
    """A form fitted on its own: its parameters, log-likelihood, and whether it is a maximum."""

    form: Form
    theta: FloatArray
    ll: float
    ok: bool  # a flat, interior, finite optimum, curved down in every direction
    iterations: int
    cov: FloatArray  # covariance of the estimates (NaN when the Hessian is singular)


def _fit_form(form: Form, data: _BGNBDData, n: int, starts: dict[str, float]) -> _Candidate:
    opt = optimise(_mean_nll(form, data, n), np.array([starts[k] for k in form.names]))
    theta = _to_theta(form, opt.log_params)
    ll = _finite_ll(form, theta, data)
    cov = covariance(lambda th: _bgnbd_total(form, th, data)[1], theta)
    ok = opt.converged and not opt.at_bound and np.isfinite(ll) and np.isfinite(cov).all()
    return _Candidate(form, theta, ll, bool(ok), opt.iterations, cov)


def _limit_fit(limit: _Candidate, n: int, iterations: int) -> BGNBDFit:
    """A limiting model as the fit; the parameters it does not have are inf (or NaN)."""
    form, theta, cov = limit.form, limit.theta, limit.cov
    se = dict(zip(form.names, np.sqrt(np.diag(cov)).tolist(), strict=True))
    got = dict(zip(form.names, theta.tolist(), strict=True))
    nan = math.nan
    if form.rate == "one":
        r = alpha = math.inf
    else:
        r, alpha = got["r"], got["alpha"]
    if form.dropout == "beta":
        a, b, dropout = got["a"], got["b"], None
        se_dropout = _delta_dropout_se(theta[-2:], cov[-2:, -2:])
    elif form.dropout == "homogeneous":
        a, b, dropout, se_dropout = math.inf, math.inf, got["dropout"], se["dropout"]
    else:
        a, b, dropout, se_dropout = nan, nan, (1.0 if form.dropout == "certain" else 0.0), nan
    std_errors = {k: se.get(k, nan) for k in ("r", "alpha", "a", "b")}
    if form.rate == "one":
        std_errors["rate"] = se["rate"]
    return BGNBDFit(
        r=r,
        alpha=alpha,
        a=a,
        b=b,
        std_errors={**std_errors, "dropout": se_dropout},
        log_likelihood=float(limit.ll),
        customers=n,
        iterations=iterations,
        dropout=dropout,
        purchase_rate=got.get("rate"),
        boundary=form.boundary,
        covariance=cov,
    )


def _delta_dropout_se(a_b: FloatArray, cov: FloatArray) -> float:
    """Standard error of the mean drop-out a/(a+b) by the delta method: gradient (b, −a)/(a+b)²."""
    a, b = a_b
    g = np.array([b, -a]) / (a + b) ** 2
    return float(np.sqrt(g @ cov @ g))


def _beta_fit(theta: FloatArray, cov: FloatArray, n: int, ll: float, iterations: int) -> BGNBDFit:
    """The fit with drop-out p ~ Beta(a, b), with standard errors from the Hessian."""
    se = np.sqrt(np.diag(cov))
    a, b = theta[2], theta[3]
    se_dropout = _delta_dropout_se(theta[2:], cov[2:, 2:])
    names = ("r", "alpha", "a", "b")
    return BGNBDFit(
        r=float(theta[0]),
        alpha=float(theta[1]),
        a=float(a),
        b=float(b),
        std_errors={
            **{k: float(v) for k, v in zip(names, se, strict=True)},
            "dropout": se_dropout,
        },
        log_likelihood=ll,
        customers=n,
        iterations=iterations,
        covariance=cov,
    )


def _log_dropout_odds(fit: BGNBDFit, x: FloatArray) -> FloatArray:
    """log(a/(b+x−1)): the odds that a customer dropped out right after the last purchase.

    It is the posterior-mean drop-out after x−1 survived coins, E[p]/(1−E[p]) under
    Beta(a, b+x−1); p/(1−p) in the homogeneous limit, −inf without drop-out. Meaningful
    for x >= 1 only.
    """
    if fit.dropout == 0:
        return np.full(len(x), -np.inf)
    if fit.dropout == 1:
        return np.full(len(x), np.inf)
    if fit.dropout is not None:
        return np.full(len(x), math.log(fit.dropout) - math.log1p(-fit.dropout))
    return np.log(fit.a) - np.log(np.maximum(fit.b + x - 1, np.finfo(np.float64).tiny))


def _log_silence_odds(fit: BGNBDFit, x: FloatArray, tx: FloatArray, t_cal: FloatArray) -> FloatArray:
    """log of how much likelier the silence since the last purchase is for a customer who
    dropped out then than for one still alive: (r+x)·log((α+T)/(α+t_x)), or λ·(T − t_x)
    with one purchase rate."""
    if fit.purchase_rate is not None:
        return fit.purchase_rate * (t_cal - tx)
    r, alpha = fit.r, fit.alpha
    return (r + x) * (np.log(alpha + t_cal) - np.log(alpha + tx))


def p_alive(fit: BGNBDFit, frequency: Any, recency: Any, T: Any) -> FloatArray:
    """P(alive | frequency, recency, T) (FHL 2005, eq. 13); 1 without a repeat purchase
    (and for everyone in the no-drop-out limit)."""
    x, tx, t_cal = check_summary(frequency, recency, T)
    with np.errstate(invalid="ignore"):
        log_odds_dead = _log_dropout_odds(fit, x) + _log_silence_odds(fit, x, tx, t_cal)
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
    """E[purchases | alive, drop-out p] = (1 − (1 + p·s)^−n) / p, stable for tiny p; n·s at p = 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(p > 0, -np.expm1(-n * np.log1p(p * s)) / p, n * s)


def _one_rate_given_dropout(p: FloatArray, lam_t: float) -> FloatArray:
    """The same with one purchase rate λ (n → ∞, n·s → λt): (1 − e^(−λ·t·p)) / p; λt at p = 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(p > 0, -np.expm1(-lam_t * p) / p, lam_t)


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


class PurchasesIfAlive:
    """E[purchases in (T, T + t] | alive at T] for fixed customers (x, T), any t.

    Alive at T after x repeat purchases, a customer has λ ~ Gamma(r + x, α + T) and
    p ~ Beta(a, b + x). Purchases come at rate λ and each is followed by a drop-out
    with probability p, so E[N | λ, p] = (1 − e^(−λpt)) / p and, with λ integrated out,
        E[N | p] = (1 − (1 + p·s)^−(r+x)) / p,   s = t / (α + T).
    FHL 2005 eq. 10 without the P(alive) factor is the mean of that over the Beta:
    Euler's 2F1 form for moderate a, b, Gauss quadrature over the Beta for large ones,
    and in the homogeneous limit (a, b → ∞, a/(a+b) → p) the expression itself (n·s
    without drop-out). With one purchase rate λ (r, α → ∞) E[N | p] = (1 − e^(−λpt)) / p,
    over the Beta by quadrature.
    """

    def __init__(self, fit: BGNBDFit, x: FloatArray, t_cal: FloatArray) -> None:
        self.fit = fit
        self.x = x
        self.base = fit.alpha + t_cal
        self.n = fit.r + x
        self.ux, self.ix = distinct(x)
        self.closed_form_first = (
            fit.dropout is None
            and fit.purchase_rate is None
            and fit.a < _CLOSED_FORM_MAX_A
            and fit.a + fit.b <= _CLOSED_FORM_MAX_AB
            and abs(fit.a - 1) >= 0.01
        )
        # Gauss rules per node count: nodes and weights per distinct x, filled on demand.
        self._rules: dict[int, tuple[FloatArray, FloatArray, np.ndarray[Any, np.dtype[np.bool_]]]] = {}

    def __call__(self, t: float) -> FloatArray:
        if self.fit.dropout is not None:
            return self._given(np.full((len(self.x), 1), self.fit.dropout), np.arange(len(self.x)), t)[:, 0]
        with np.errstate(all="ignore"):
            if self.closed_form_first:
                out = self._closed_form(t)
            else:
                out = self._quadrature(t, np.arange(len(self.x)), _GAUSS_FIRST)
                todo = np.flatnonzero(~np.isfinite(out))
                if len(todo) and self.fit.purchase_rate is None:
                    out[todo] = self._closed_form(t)[todo]
            todo = np.flatnonzero(~np.isfinite(out))
            if len(todo):
                out[todo] = self._quadrature(t, todo, _GAUSS_LAST_RESORT)
        return out

    def _given(self, p: FloatArray, rows: IntArray, t: float) -> FloatArray:
        """E[N | alive, drop-out p] for ``rows``, one row of p values each."""
        if self.fit.purchase_rate is not None:
            return _one_rate_given_dropout(p, self.fit.purchase_rate * t)
        return _purchases_given_dropout(p, self.n[rows, None], (t / self.base)[rows, None])

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

    def _quadrature(self, t: float, rows: IntArray, levels: tuple[int, ...]) -> FloatArray:
        """Gauss quadrature over Beta(a, b + x) for ``rows``; NaN where no two levels agree."""
        out = np.full(len(rows), np.nan)
        todo = np.arange(len(rows))
        previous: FloatArray | None = None
        for nodes in levels:
            sub = rows[todo]
            points, weights = self._rule(nodes, sub)
            values = np.einsum("ij,ij->i", weights, self._given(points, sub, t))
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
    if_alive = PurchasesIfAlive(fit, ux, ut)
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
    return float(PurchasesIfAlive(fit, zero, zero)(float(t))[0])


# ------------------------------------------------------------------------------ for the report


def estimates(fit: BGNBDFit) -> dict[str, Any]:
    """The fit's figures for a result's summary.

    r, alpha, a, b (NaN, not infinity, where a limit has none of them), the mean drop-out
    a/(a+b) (0 without drop-out), the mean purchase rate r/α, how drop-out varies
    ("beta", "homogeneous" or "none"), how purchase rates vary ("gamma" or "one") and the
    boundary code (None for an interior maximum, see :class:`Form`).
    """
    shown = {k: (v if math.isfinite(v) else math.nan) for k, v in fit.params.items()}
    form = fit.form
    return {
        **shown,
        "dropout": fit.mean_dropout,
        "purchase_rate": fit.mean_rate,
        "bgnbd_dropout": form.dropout,
        "bgnbd_rate": form.rate,
        "bgnbd_boundary": fit.boundary,
    }


def parameter_rows(fit: BGNBDFit) -> list[tuple[str, float, float]]:
    """(parameter, estimate, std_error) rows of the parameters table; the one-rate limit
    adds its rate λ = r/α."""
    shown = estimates(fit)
    names = ("r", "alpha", "a", "b")
    rows = [(k, float(shown[k]), fit.std_errors[k]) for k in names]
    if fit.purchase_rate is not None:
        rows.append(("r/alpha", fit.purchase_rate, fit.std_errors["rate"]))
    return [*rows, ("a/(a+b)", fit.mean_dropout, fit.std_errors["dropout"])]


_DROPOUT_RULES = {
    "beta": "heterogeneous: the drop-out probability p ~ Beta(a, b) across customers",
    "homogeneous": (
        "homogeneous: drop-out heterogeneity not identified (the likelihood rises as a and b "
        "grow together); predictions use the limiting model with p = a/(a+b) = {p:.6g} "
        "for every customer; a, b and their standard errors are NaN"
    ),
    "certain": (
        "certain: the likelihood rises as a/(a+b) goes to 1 (nobody bought more than twice); "
        "predictions use the limit in which every customer drops out right after the first "
        "repeat purchase (P(alive) = 0 after it); a, b and their standard errors are NaN"
    ),
    "none": (
        "none: the likelihood rises as a/(a+b) goes to 0; predictions use the limit in which "
        "nobody drops out (the NBD model, P(alive) = 1); a, b and their standard errors are NaN"
    ),
}
_RATE_RULES = {
    "gamma": "",
    "one": (
        "; one purchase rate: the likelihood rises as r and alpha grow together, so every "
        "customer buys at the same Poisson rate r/alpha = {rate:.6g}; r, alpha and their "
        "standard errors are NaN"
    ),
}


def dropout_rule(fit: BGNBDFit) -> str:
    """The params entry that says which drop-out (and purchase-rate) model the predictions use."""
    form = fit.form
    return _DROPOUT_RULES[form.dropout].format(p=fit.mean_dropout) + _RATE_RULES[form.rate].format(
        rate=fit.mean_rate
    )


# ------------------------------------------------------------------------- for the intervals


def free_parameters(fit: BGNBDFit) -> dict[str, float]:
    """The parameters the predictions use (``Form.names``): r, alpha, a, b; or a limit's."""
    values = {"r": fit.r, "alpha": fit.alpha, "a": fit.a, "b": fit.b}
    values.update(rate=fit.mean_rate, dropout=fit.mean_dropout)
    return {k: float(values[k]) for k in fit.form.names}


def with_free(fit: BGNBDFit, values: dict[str, float]) -> BGNBDFit:
    """The same fit (same form) with other values of :func:`free_parameters`."""
    changes: dict[str, Any] = {k: values[k] for k in ("r", "alpha", "a", "b") if k in values}
    if "rate" in values:
        changes["purchase_rate"] = values["rate"]
    if "dropout" in values:
        changes["dropout"] = values["dropout"]
    return dataclasses.replace(fit, **changes)


def parameter_draws(fit: BGNBDFit, draws: int, seed: int) -> list[BGNBDFit]:
    """Fits with parameters drawn from the estimate's asymptotic normal (log scale, logit of
    a one-for-all drop-out p); empty without a covariance. See :func:`fit.normal_draws`."""
    free = free_parameters(fit)
    scales = tuple("logit" if k == "dropout" else "log" for k in free)
    theta = np.array(list(free.values()), dtype=np.float64)
    rows = normal_draws(theta, scales, fit.covariance, draws, seed)
    return [with_free(fit, dict(zip(free, row.tolist(), strict=True))) for row in rows]


def count_probabilities(fit: BGNBDFit, t: Any, counts: int) -> FloatArray:
    """P(X(t) = k), k < ``counts``: repeat purchases in the first t units after a first one.

    FHL 2005 eq. 8: with N(t) the purchases of a customer who never drops out and J the
    purchase after which it does, X = min(N, J), so
    P(X = k) = E[(1−p)^k]·P(N = k) + E[p(1−p)^(k−1)]·P(N >= k) (the second term for k >= 1),
    the moments over Beta(a, b) (or at one p; 1 and 0 without drop-out).
    """
    form = fit.form
    tt = np.asarray(t, dtype=np.float64)
    nb = purchase_count_pmf(tt, counts, fit.r, fit.alpha, fit.purchase_rate)
    k = np.arange(counts, dtype=np.float64)
    if form.dropout == "beta":
        base = betaln(fit.a, fit.b)
        survive = np.exp(betaln(fit.a, fit.b + k) - base)
        with np.errstate(invalid="ignore"):
            drop = np.where(k >= 1, np.exp(betaln(fit.a + 1, fit.b + np.maximum(k - 1, 0)) - base), 0.0)
    else:
        p = fit.mean_dropout
        survive = (1 - p) ** k
        drop = np.where(k >= 1, p * (1 - p) ** np.maximum(k - 1, 0), 0.0)
    at_least = np.clip(1 - np.cumsum(nb, axis=1) + nb, 0.0, 1.0)  # P(N >= k)
    return np.asarray(survive * nb + drop * at_least, dtype=np.float64)
