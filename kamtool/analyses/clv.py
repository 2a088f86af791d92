"""Customer lifetime value: BG/NBD for how often, Gamma-Gamma for how much.

The standard "buy till you die" pair, fitted by maximum likelihood:

* BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way", Marketing
  Science 24(2)): while alive a customer buys at a Poisson rate λ ~ Gamma(r, α); after
  each repeat purchase it drops out with probability p ~ Beta(a, b).
* Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV", JMR 42(4), and Fader & Hardie's
  note "The Gamma-Gamma model of monetary value"): the spend per purchase of a customer
  is Gamma(p, ν) with ν ~ Gamma(q, γ), independent of the purchase process.

Everything works on numpy arrays of the per-customer summary (frequency, recency, T,
monetary); the likelihoods come with analytic gradients and reduce identical customers
to one weighted row, so a million customers fit in seconds.

When drop-out barely varies between customers, the BG/NBD likelihood has no finite
maximum: it keeps rising as a and b grow together and Beta(a, b) narrows to a point at
p = a/(a+b). The maximum-likelihood fit is then the limiting model, one drop-out
probability p for every customer, which ``fit_bgnbd`` fits directly and reports as
such; its predictions are closed-form. For finite a and b the conditional expectation
(FHL eq. 10) is Euler's 2F1 form while scipy evaluates it accurately and Gauss
quadrature over the Beta beyond (see ``_PurchasesIfAlive``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.linalg import eigh_tridiagonal
from scipy.optimize import minimize
from scipy.special import digamma, expit, gammaln, hyp2f1

from kamtool.errors import AnalysisError, ColumnError, UsageError
from kamtool.labels import label
from kamtool.result import Chart, Result

UNIT_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 365.25 / 12}
DAYS_PER_YEAR = 365.25
# One year ahead unless the caller says otherwise.
DEFAULT_HORIZON: dict[str, int] = {"day": 365, "week": 52, "month": 12}
# Log-parameters live in this box; an optimum on its edge means the data cannot pin
# the parameter down (e.g. nobody seems to drop out), which we report as no fit.
_LOG_BOUND = 15.0
# Largest |d(mean log-likelihood)/d(log parameter)| accepted as an optimum.
_GRADIENT_TOLERANCE = 1e-6

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]


# --------------------------------------------------------------------------- summary


@dataclass
class CustomerSummary:
    """The per-customer input of the models and how it was cut.

    ``frame`` has one row per customer with a purchase on or before the calibration end,
    sorted by customer: customer, frequency (int), recency, T, monetary, first_date,
    last_date, and with an observation end also holdout_purchases (int, purchase days
    after the calibration end up to the observation end) and holdout_duration.
    """

    frame: pd.DataFrame
    unit: str
    calibration_end: pd.Timestamp
    observation_end: pd.Timestamp | None
    data_end: pd.Timestamp  # the last purchase day anywhere in the input
    excluded_after_calibration: int  # first purchase after the calibration end
    returns_only: int  # customers without any day of net revenue >= 0


def _unit_days(unit: str) -> float:
    try:
        return UNIT_DAYS[unit]
    except KeyError:
        raise UsageError(f"unit {unit!r} is not one of {', '.join(UNIT_DAYS)}; pick one of those") from None


def _day_number(value: Any, name: str) -> int:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise UsageError(f"{name} {value!r} is not a date; write it as YYYY-MM-DD") from None
    if pd.isna(stamp):
        raise UsageError(f"{name} is empty; write it as YYYY-MM-DD")
    return int(stamp.to_datetime64().astype("datetime64[D]").astype(np.int64))


def _day_timestamp(day: int) -> pd.Timestamp:
    return pd.Timestamp(np.datetime64(int(day), "D"))


def _days_to_datetimes(days: IntArray) -> pd.Series:
    return pd.Series(days.astype("datetime64[D]").astype("datetime64[ns]"))


def customer_summary(
    daily: pd.DataFrame,
    *,
    calibration_end: Any = None,
    unit: str = "week",
    observation_end: Any = None,
) -> CustomerSummary:
    """Frequency, recency, T and monetary per customer (lifetimes / CLVTools convention).

    Parameters
    ----------
    daily : DataFrame
        One row per customer and order date with columns customer, date, revenue (net).
        Rows of one customer and day are merged if the frame has duplicates.
    calibration_end : date-like, optional
        Last day (inclusive) of the calibration period. Default: the last purchase day
        in the data.
    unit : {"day", "week", "month"}
        Time unit of recency, T and holdout_duration: 1, 7 or 365.25 / 12 days.
    observation_end : date-like, optional
        Last day (inclusive) of a holdout period after ``calibration_end``; adds the
        columns holdout_purchases and holdout_duration. Needs ``calibration_end``.

    Returns
    -------
    CustomerSummary
        A purchase is a customer-day with net revenue >= 0; days with net returns are
        dropped first. frequency = distinct purchase days in the calibration period − 1;
        recency = last − first purchase; T = calibration_end − first purchase;
        monetary = mean revenue of the repeat purchase days (the first day excluded),
        0 when frequency is 0. Customers whose first purchase is after the calibration
        end are left out and counted.
    """
    unit_days = _unit_days(unit)
    missing = [c for c in ("customer", "date", "revenue") if c not in daily.columns]
    if missing:
        raise ColumnError(f"clv needs the columns {', '.join(missing)} in the daily frame")
    if observation_end is not None and calibration_end is None:
        raise UsageError(
            "a holdout end needs a calibration end: give the last day of the calibration "
            "period (e.g. --calibration-end 2024-06-30)"
        )
    frame = daily[["customer", "date", "revenue"]]
    frame = frame[frame["date"].notna()]
    codes, uniques = pd.factorize(frame["customer"], sort=True)
    n_all = len(uniques)
    day = pd.to_datetime(frame["date"]).to_numpy().astype("datetime64[D]").astype(np.int64)
    revenue = frame["revenue"].to_numpy(dtype=np.float64)
    order = np.lexsort((day, codes))
    codes, day, revenue = codes[order].astype(np.int64), day[order], revenue[order]
    if len(codes):
        new_day = np.r_[True, (codes[1:] != codes[:-1]) | (day[1:] != day[:-1])]
        if not new_day.all():
            starts = np.flatnonzero(new_day)
            revenue = np.add.reduceat(revenue, starts)
            codes, day = codes[starts], day[starts]
    purchase = revenue >= 0  # NaN revenue is no purchase either
    has_purchase = np.bincount(codes[purchase], minlength=n_all) > 0
    returns_only = int(n_all - has_purchase.sum())
    codes, day, revenue = codes[purchase], day[purchase], revenue[purchase]
    if len(codes) == 0:
        raise AnalysisError("clv found no purchase (no customer-day with net revenue >= 0)")
    data_end = int(day.max())
    cal_day = data_end if calibration_end is None else _day_number(calibration_end, "calibration end")

    in_cal = day <= cal_day
    c_codes, c_day, c_rev = codes[in_cal], day[in_cal], revenue[in_cal]
    if len(c_codes) == 0:
        raise AnalysisError(
            f"no purchase on or before the calibration end {_day_timestamp(cal_day).date()}; "
            "pick a later calibration end"
        )
    counts = np.bincount(c_codes, minlength=n_all)
    keep = counts > 0
    boundary = c_codes[1:] != c_codes[:-1]
    first_rows = np.r_[True, boundary]
    last_rows = np.r_[boundary, True]
    first = c_day[first_rows]
    last = c_day[last_rows]
    total = np.bincount(c_codes, weights=c_rev, minlength=n_all)[keep]
    frequency = (counts[keep] - 1).astype(np.int64)
    monetary = np.where(frequency > 0, (total - c_rev[first_rows]) / np.maximum(frequency, 1), 0.0)
    out = pd.DataFrame(
        {
            "customer": np.asarray(uniques)[keep],
            "frequency": frequency,
            "recency": (last - first) / unit_days,
            "T": (cal_day - first) / unit_days,
            "monetary": monetary,
            "first_date": _days_to_datetimes(first),
            "last_date": _days_to_datetimes(last),
        }
    )
    obs_stamp: pd.Timestamp | None = None
    if observation_end is not None:
        obs_day = _day_number(observation_end, "holdout end")
        if obs_day <= cal_day:
            raise UsageError(
                f"the holdout end {_day_timestamp(obs_day).date()} must be after the "
                f"calibration end {_day_timestamp(cal_day).date()}"
            )
        in_holdout = (day > cal_day) & (day <= obs_day)
        out["holdout_purchases"] = np.bincount(codes[in_holdout], minlength=n_all)[keep].astype(np.int64)
        out["holdout_duration"] = (obs_day - cal_day) / unit_days
        obs_stamp = _day_timestamp(obs_day)
    return CustomerSummary(
        frame=out,
        unit=unit,
        calibration_end=_day_timestamp(cal_day),
        observation_end=obs_stamp,
        data_end=_day_timestamp(data_end),
        excluded_after_calibration=int((has_purchase & ~keep).sum()),
        returns_only=returns_only,
    )


# --------------------------------------------------------------------------- helpers


def _group_rows(*columns: FloatArray) -> tuple[list[FloatArray], IntArray, FloatArray]:
    """Distinct rows of the given columns, the inverse index and the row counts."""
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


def _as_float(values: Any, name: str) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        arr = arr.ravel()
    if not np.isfinite(arr).all():
        raise AnalysisError(f"{name} has missing or infinite values")
    return arr


def _check_summary(frequency: Any, recency: Any, T: Any) -> tuple[FloatArray, ...]:
    x = _as_float(frequency, "frequency")
    tx = _as_float(recency, "recency")
    t_cal = _as_float(T, "T")
    if not (len(x) == len(tx) == len(t_cal)):
        raise AnalysisError("frequency, recency and T must have one value per customer")
    if (x < 0).any() or (x != np.round(x)).any():
        raise AnalysisError("frequency must be a whole number >= 0 for every customer")
    tol = 1e-9 * max(1.0, float(t_cal.max(initial=0.0)))
    if (tx < 0).any() or (tx > t_cal + tol).any() or ((x > 0) & (tx <= 0)).any():
        raise AnalysisError("recency must lie in (0, T] for repeat customers and be 0 otherwise")
    return x, tx, t_cal


@dataclass(frozen=True)
class _Optimum:
    log_params: FloatArray
    iterations: int
    converged: bool  # the gradient is flat there
    at_bound: tuple[int, ...]  # indices of log-parameters on the edge of the box


def _optimise(mean_nll: Callable[[FloatArray], tuple[float, FloatArray]], start: FloatArray) -> _Optimum:
    """Minimise a mean negative log-likelihood over log-parameters; report how it ended.

    L-BFGS-B with the analytic gradient, restarted once from its answer (a fresh
    curvature estimate polishes the last digits); if the gradient is still not flat,
    Nelder-Mead walks from there and L-BFGS-B finishes.
    """
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * len(start)
    options = {"maxiter": 5000, "ftol": 1e-15, "gtol": 1e-10, "maxcor": 30}

    def lbfgs(z0: FloatArray) -> tuple[FloatArray, int]:
        res = minimize(mean_nll, z0, jac=True, method="L-BFGS-B", bounds=bounds, options=options)
        return np.asarray(res.x, dtype=np.float64), int(res.nit)

    def flat(z: FloatArray) -> bool:
        # Relative to the likelihood's size: on a ridge (BG/NBD's a and b growing
        # together when dropout barely varies between customers) the optimum is
        # flat to the last digits but the gradient never reaches an absolute 1e-6.
        value, grad = mean_nll(z)
        tolerance = max(_GRADIENT_TOLERANCE, 1e-5 * abs(value))
        return bool(np.isfinite(value) and np.abs(grad).max() < tolerance)

    with np.errstate(all="ignore"):
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
            z, more = lbfgs(np.clip(res.x, -_LOG_BOUND, _LOG_BOUND))
            nit += int(res.nit) + more
        converged = flat(z)
    at_bound = tuple(i for i, v in enumerate(z) if abs(abs(v) - _LOG_BOUND) < 1e-3)
    return _Optimum(z, nit, converged, at_bound)


def _require(opt: _Optimum, names: tuple[str, ...], model: str, advice: str) -> None:
    """Raise the AnalysisError that says why ``opt`` is not a maximum-likelihood estimate."""
    if opt.at_bound:
        drifted = ", ".join(names[i] for i in opt.at_bound)
        raise AnalysisError(
            f"the {model} fit did not converge: {drifted} drifted towards 0 or "
            f"infinity (the data cannot pin them down). {advice}"
        )
    if not opt.converged:
        raise AnalysisError(f"the {model} fit did not converge. {advice}")


def _mean_nll(
    total: Callable[[FloatArray, Any], tuple[float, FloatArray]], data: Any, n: int
) -> Callable[[FloatArray], tuple[float, FloatArray]]:
    """The mean negative log-likelihood over log-parameters, with its gradient.

    Optimising log-parameters keeps them positive; the chain rule scales the gradient
    by theta. A non-finite likelihood reads as a wall the optimiser backs away from.
    """

    def mean_nll(z: FloatArray) -> tuple[float, FloatArray]:
        theta = np.exp(z)
        value, grad = total(theta, data)
        if not np.isfinite(value):
            return 1e300, np.zeros_like(z)
        return -value / n, -(grad * theta) / n

    return mean_nll


def _maximise(
    mean_nll: Callable[[FloatArray], tuple[float, FloatArray]],
    start: FloatArray,
    names: tuple[str, ...],
    model: str,
    advice: str,
) -> _Optimum:
    """``_optimise``, raising an AnalysisError unless it ends on a flat, interior optimum."""
    opt = _optimise(mean_nll, start)
    _require(opt, names, model, advice)
    return opt


def _covariance(total_gradient: Callable[[FloatArray], FloatArray], theta: FloatArray) -> FloatArray:
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


def _standard_errors(total_gradient: Callable[[FloatArray], FloatArray], theta: FloatArray) -> FloatArray:
    """Standard errors from ``_covariance``; NaN when the Hessian is not negative definite."""
    return np.sqrt(np.diag(_covariance(total_gradient, theta)))


# --------------------------------------------------------------------------- BG/NBD


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


def _dot(u: FloatArray, v: FloatArray) -> float:
    """Inner product without BLAS: OpenBLAS threads make ``u @ v`` 10× slower on a busy box."""
    return float(np.einsum("i,i->", u, v))


def _index(values: FloatArray) -> tuple[FloatArray, IntArray]:
    distinct, inverse = np.unique(values, return_inverse=True)
    return distinct, inverse.astype(np.int64).ravel()


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
            (t0,), _, w0 = _group_rows(t_cal[once])
            (rx, rtx, rt), _, w = _group_rows(x[~once], tx[~once], t_cal[~once])
        else:
            t0, w0 = t_cal[once], np.ones(int(once.sum()))
            rx, rtx, rt = x[~once], tx[~once], t_cal[~once]
            w = np.ones(len(rx))
        ux, ix = _index(rx)
        ut, it = _index(rt)
        utx, itx = _index(rtx)
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
        _dot(w0, log_alpha - log_at0)
        + _dot(d.wx, digamma(r + ux) - digamma(r) + log_alpha)
        - _dot(w3, log_at)
        - _dot(w4, log_atx)
    )
    g_alpha = (
        r * w0.sum() / alpha
        - r * _dot(w0, 1 / (alpha + d.t0))
        + r * d.wx.sum() / alpha
        - _dot(w3 * rx, (1 / (alpha + d.ut))[d.it])
        - _dot(w4 * rx, (1 / (alpha + d.utx))[d.itx])
    )
    if limit:
        g_p = -_dot(d.wx, ux) / (1 - p) + w4.sum() / (p * (1 - p))
        return _BGNBDTerms(once, base, mix, np.array([g_r, g_alpha, g_p]))
    psi_ab, psi_abx = digamma(a + b), digamma(a + b + ux)
    g_a = _dot(d.wx, psi_ab - psi_abx) + w4.sum() / a
    g_b = _dot(d.wx, psi_ab + digamma(b + ux) - digamma(b) - psi_abx) - _dot(w4, (1 / (b + ux - 1))[d.ix])
    return _BGNBDTerms(once, base, mix, np.array([g_r, g_alpha, g_a, g_b]))


def _bgnbd_total(theta: FloatArray, d: _BGNBDData) -> tuple[float, FloatArray]:
    terms = _bgnbd_terms(theta, d, gradient=True)
    assert terms.gradient is not None
    value = _dot(d.w0, terms.once) + _dot(d.wx, terms.base) + _dot(d.w, terms.mix)
    return value, terms.gradient


def bgnbd_log_likelihood(
    params: dict[str, float] | BGNBDFit, frequency: Any, recency: Any, T: Any
) -> FloatArray:
    """BG/NBD log-likelihood of each customer (Fader, Hardie & Lee 2005, eq. 6).

    ``params`` is a fit or a dict of r, alpha, a, b; a dict with infinite a and b and
    a ``dropout`` p gives the homogeneous limit (every customer drops out with p).
    """
    x, tx, t_cal = _check_summary(frequency, recency, T)
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


def fit_bgnbd(
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
    x, tx, t_cal = _check_summary(frequency, recency, T)
    n, n_repeat = len(x), int((x > 0).sum())
    advice = (
        "Try a longer calibration period (a later --calibration-end), a coarser --unit, "
        f"or more customers; this fit had {n:,} customers, {n_repeat:,} with a repeat purchase."
    )
    if n < min_customers or n_repeat < min_repeat_customers:
        raise AnalysisError(
            f"BG/NBD needs at least {min_customers} customers and {min_repeat_customers} with "
            f"a repeat purchase in the calibration period; this data has {n:,} and "
            f"{n_repeat:,}. Use a longer calibration period or more customers."
        )
    data = _BGNBDData.build(x, tx, t_cal, compress=True)

    mean_nll = _mean_nll(_bgnbd_total, data, n)

    def limit_theta(z: FloatArray) -> FloatArray:
        return np.array([np.exp(z[0]), np.exp(z[1]), expit(z[2])])

    def mean_nll_limit(z: FloatArray) -> tuple[float, FloatArray]:
        theta = limit_theta(z)
        value, grad = _bgnbd_total(theta, data)
        if not np.isfinite(value):
            return 1e300, np.zeros_like(z)
        chain = np.array([theta[0], theta[1], theta[2] * (1 - theta[2])])
        return -value / n, -(grad * chain) / n

    rate = float(x.sum() / max(t_cal.sum(), 1e-12))
    start = np.log(np.array([1.0, 1.0 / max(rate, 1e-6), 1.0, 1.0]))
    full = _optimise(mean_nll, start)
    theta = np.exp(full.log_params)
    with np.errstate(all="ignore"):
        ll_full = _bgnbd_total(theta, data)[0]
    # Start the limit from the Beta fit's r, α and mean drop-out: on a ridge that is
    # next to the limit's optimum.
    z0 = full.log_params[:2] if not {0, 1} & set(full.at_bound) else start[:2]
    mean_p = float(np.clip(theta[2] / (theta[2] + theta[3]), 1e-6, 1 - 1e-6))
    limit = _optimise(mean_nll_limit, np.r_[z0, np.log(mean_p / (1 - mean_p))])
    theta_limit = limit_theta(limit.log_params)
    with np.errstate(all="ignore"):
        ll_limit = _bgnbd_total(theta_limit, data)[0]
    if not np.isfinite(ll_full):
        ll_full = -np.inf
    limit_wins = ll_limit >= ll_full - _LIMIT_LL_TOLERANCE * abs(ll_limit)
    if limit.converged and not limit.at_bound and np.isfinite(ll_limit) and limit_wins:
        # Standard errors of r, α and p are the limiting model's; a and b have none.
        se = _standard_errors(lambda th: _bgnbd_total(th, data)[1], theta_limit).tolist()
        return BGNBDFit(
            r=float(theta_limit[0]),
            alpha=float(theta_limit[1]),
            a=math.inf,
            b=math.inf,
            std_errors={"r": se[0], "alpha": se[1], "a": math.nan, "b": math.nan, "dropout": se[2]},
            log_likelihood=float(ll_limit),
            customers=n,
            iterations=full.iterations + limit.iterations,
            dropout=float(theta_limit[2]),
        )
    _require(full, ("r", "alpha", "a", "b"), "BG/NBD", advice)
    cov = _covariance(lambda th: _bgnbd_total(th, data)[1], theta)
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
        log_likelihood=float(ll_full),
        customers=n,
        iterations=full.iterations + limit.iterations,
    )


def _log_dropout_odds(fit: BGNBDFit, x: FloatArray) -> FloatArray:
    """log(a/(b+x−1)): the odds that a customer dropped out right after the last purchase.

    It is the posterior-mean drop-out after x−1 survived coins, E[p]/(1−E[p]) under
    Beta(a, b+x−1); p/(1−p) in the homogeneous limit. Meaningful for x >= 1 only.
    """
    if fit.dropout is not None:
        return np.full(len(x), math.log(fit.dropout) - math.log1p(-fit.dropout))
    return np.log(fit.a) - np.log(np.maximum(fit.b + x - 1, np.finfo(np.float64).tiny))


def bgnbd_p_alive(fit: BGNBDFit, frequency: Any, recency: Any, T: Any) -> FloatArray:
    """P(alive | frequency, recency, T) (FHL 2005, eq. 13); 1 without a repeat purchase."""
    x, tx, t_cal = _check_summary(frequency, recency, T)
    r, alpha = fit.r, fit.alpha
    log_odds_dead = _log_dropout_odds(fit, x) + (r + x) * (np.log(alpha + t_cal) - np.log(alpha + tx))
    return np.where(x > 0, expit(-log_odds_dead), 1.0)


def _beta_gauss_rule(a: float, b: float, nodes: int) -> tuple[FloatArray, FloatArray]:
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
        self.ux, self.ix = _index(x)
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
            points[k], weights[k] = _beta_gauss_rule(self.fit.a, self.fit.b + self.ux[k], nodes)
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


def bgnbd_expected_purchases(fit: BGNBDFit, t: float, frequency: Any, recency: Any, T: Any) -> FloatArray:
    """Expected purchases in the next ``t`` time units per customer (FHL 2005, eq. 10)."""
    x, tx, t_cal = _check_summary(frequency, recency, T)
    (ux, ut), inv, _ = _group_rows(x, t_cal)
    alive = bgnbd_p_alive(fit, x, tx, t_cal)
    return alive * _PurchasesIfAlive(fit, ux, ut)(float(t))[inv]


def bgnbd_expected_repeat_purchases(fit: BGNBDFit, t: float) -> float:
    """E[X(t)]: repeat purchases expected in the first ``t`` time units after a first purchase.

    FHL 2005 eq. 9, (a+b−1)/(a−1) · (1 − (α/(α+t))^r · 2F1(r, b; a+b−1; t/(α+t))): the
    conditional expectation of a customer with x = 0 and T = 0, who is alive for sure.
    """
    zero = np.zeros(1)
    return float(_PurchasesIfAlive(fit, zero, zero)(float(t))[0])


# --------------------------------------------------------------------------- Gamma-Gamma


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
        ux, ix = _index(x)
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
    x_gap = _dot(d.x, d.log_xz - log_g)
    sum_log_g = log_g.sum()
    psi_pq = digamma(pu + q)
    value = (
        _dot(d.nx, gammaln(pu + q) - gammaln(pu) - gammaln(q))
        + n * q * np.log(gamma)
        + p * x_gap
        - d.log_z.sum()
        - q * sum_log_g
    )
    g_p = _dot(d.nx * d.ux, psi_pq - digamma(pu)) + x_gap
    g_q = _dot(d.nx, psi_pq - digamma(q)) + n * np.log(gamma) - sum_log_g
    g_gamma = n * q / gamma - p * _dot(d.x, inv_g) - q * inv_g.sum()
    return float(value), np.array([g_p, g_q, g_gamma])


def _repeat_spenders(frequency: Any, monetary: Any) -> tuple[FloatArray, FloatArray]:
    x = _as_float(frequency, "frequency")
    z = _as_float(monetary, "monetary")
    use = (x > 0) & (z > 0)
    return x[use], z[use]


def gamma_gamma_log_likelihood(
    params: dict[str, float] | GammaGammaFit, frequency: Any, monetary: Any
) -> FloatArray:
    """Gamma-Gamma log-likelihood of each customer with frequency > 0 and monetary > 0."""
    p = params.params if isinstance(params, GammaGammaFit) else params
    theta = np.array([p["p"], p["q"], p["gamma"]], dtype=np.float64)
    return _gg_rows(theta, _GammaGammaData.build(*_repeat_spenders(frequency, monetary)))


def fit_gamma_gamma(frequency: Any, monetary: Any, *, min_customers: int = 5) -> GammaGammaFit:
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
        raise AnalysisError(
            f"Gamma-Gamma needs at least {min_customers} customers with a repeat purchase and "
            f"positive spend; this data has {n:,}. Use a longer calibration period."
        )
    if np.ptp(z) <= 1e-12 * z.max():
        raise AnalysisError("Gamma-Gamma cannot fit: every repeat customer has the same average spend")
    data = _GammaGammaData.build(x, z)

    mean_nll = _mean_nll(_gg_total, data, n)

    # p = 1, q = 2 make the population mean p·γ/(q−1) equal to γ: start at the data's mean.
    start = np.log(np.array([1.0, 2.0, float(z.mean())]))
    opt = _maximise(mean_nll, start, ("p", "q", "gamma"), "Gamma-Gamma", advice)
    theta = np.exp(opt.log_params)
    if theta[1] <= 1:
        raise AnalysisError(
            f"the Gamma-Gamma fit gives q = {theta[1]:.3f} <= 1, so the average spend has no "
            "finite mean (a few huge orders?). Check for outliers or use a longer calibration "
            "period."
        )
    se = _standard_errors(lambda th: _gg_total(th, data)[1], theta)
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


def gamma_gamma_expected_spend(fit: GammaGammaFit, frequency: Any, monetary: Any) -> FloatArray:
    """E[spend per purchase | x, z̄] = p(γ + x·z̄) / (p·x + q − 1); p·γ/(q−1) when x = 0."""
    x = _as_float(frequency, "frequency")
    z = _as_float(monetary, "monetary")
    return fit.p * (fit.gamma + x * z) / (fit.p * x + fit.q - 1)


# --------------------------------------------------------------------------- CLV


def discounted_purchases(
    fit: BGNBDFit,
    frequency: Any,
    recency: Any,
    T: Any,
    *,
    horizon: int,
    unit: str,
    discount_rate: float,
) -> tuple[FloatArray, FloatArray]:
    """Expected purchases over ``horizon`` periods, plain and discounted.

    Discounted = Σ_{k=1..H} (E[Y(k)] − E[Y(k−1)]) / (1 + d)^(k·L), where E[Y(k)] are the
    expected purchases in the first k periods of ``unit`` after T and L is one period
    in years (unit days / 365.25): each period's purchases are discounted from its end.
    """
    x, tx, t_cal = _check_summary(frequency, recency, T)
    years = _unit_days(unit) / DAYS_PER_YEAR
    (ux, ut), inv, _ = _group_rows(x, t_cal)
    if_alive = _PurchasesIfAlive(fit, ux, ut)
    previous = np.zeros(len(ux))
    discounted = np.zeros(len(ux))
    for k in range(1, horizon + 1):
        current = if_alive(float(k))
        discounted += (current - previous) / (1 + discount_rate) ** (k * years)
        previous = current
    alive = bgnbd_p_alive(fit, x, tx, t_cal)
    return alive * previous[inv], alive * discounted[inv]


@dataclass
class HoldoutComparison:
    """Predicted vs actual repeat purchases in a holdout period."""

    by_frequency: pd.DataFrame  # calibration_frequency, customers, actual/predicted means, totals
    customers: pd.DataFrame  # customer, holdout_actual, holdout_predicted
    actual_total: float
    predicted_total: float
    duration: float


def holdout_comparison(
    summary: pd.DataFrame,
    fit: BGNBDFit,
    *,
    actual: pd.Series | None = None,
    duration: float | None = None,
    max_frequency: int = 7,
) -> HoldoutComparison:
    """Compare the BG/NBD prediction with the repeat purchases that happened.

    Parameters
    ----------
    summary : DataFrame
        The calibration summary: customer, frequency, recency, T, and unless ``actual``
        and ``duration`` are given, holdout_purchases and holdout_duration (as made by
        ``customer_summary(..., observation_end=...)``).
    fit : BGNBDFit
        Parameters fitted on the calibration period.
    actual : Series, optional
        Purchases per customer in the holdout, indexed by customer (missing = 0).
    duration : float, optional
        Holdout length in the summary's unit.
    max_frequency : int
        Calibration frequencies from this one up share the last group ("7+").
    """
    if actual is None:
        if "holdout_purchases" not in summary.columns:
            raise UsageError("holdout_comparison needs actual holdout purchases")
        actual_values = summary["holdout_purchases"].to_numpy(dtype=np.float64)
    else:
        actual_values = actual.reindex(summary["customer"]).fillna(0).to_numpy(dtype=np.float64)
    if duration is None:
        if "holdout_duration" not in summary.columns or summary.empty:
            raise UsageError("holdout_comparison needs the holdout duration")
        duration = float(summary["holdout_duration"].iloc[0])
    predicted = bgnbd_expected_purchases(
        fit, duration, summary["frequency"], summary["recency"], summary["T"]
    )
    group = np.minimum(summary["frequency"].to_numpy(dtype=np.int64), max_frequency)
    per_customer = pd.DataFrame(
        {
            "customer": summary["customer"].to_numpy(),
            "holdout_actual": actual_values,
            "holdout_predicted": predicted,
        }
    )
    frame = pd.DataFrame({"group": group, "actual": actual_values, "predicted": predicted})
    agg = frame.groupby("group").agg(
        customers=("actual", "size"),
        actual_purchases=("actual", "mean"),
        predicted_purchases=("predicted", "mean"),
        actual_total=("actual", "sum"),
        predicted_total=("predicted", "sum"),
    )
    names = [f"{g}+" if g == max_frequency else str(g) for g in agg.index]
    table = agg.reset_index(drop=True)
    table.insert(0, "calibration_frequency", names)
    table["customers"] = table["customers"].astype(np.int64)
    return HoldoutComparison(
        by_frequency=table,
        customers=per_customer,
        actual_total=float(actual_values.sum()),
        predicted_total=float(predicted.sum()),
        duration=duration,
    )


def p_alive_for(daily: pd.DataFrame, as_of: Any, unit: str = "week") -> pd.Series | None:
    """P(alive) per customer as of ``as_of``, or None when BG/NBD cannot be fitted.

    Uses the purchases before ``as_of`` (``as_of`` is "today", exclusive, as in
    ``--as-of``), so the calibration ends the day before. The Series is indexed by
    customer and named p_alive; customers with no purchase before ``as_of`` are absent.
    A customer without a repeat purchase has P(alive) = 1 under BG/NBD.
    """
    end = pd.Timestamp(as_of).normalize() - pd.Timedelta(days=1)
    try:
        summary = customer_summary(daily, calibration_end=end, unit=unit)
        frame = summary.frame
        fit = fit_bgnbd(frame["frequency"], frame["recency"], frame["T"])
    except AnalysisError:
        return None
    alive = bgnbd_p_alive(fit, frame["frequency"], frame["recency"], frame["T"])
    return pd.Series(alive, index=pd.Index(frame["customer"], name="customer"), name="p_alive")


def _deciles(values: FloatArray) -> pd.DataFrame:
    order = np.argsort(-values, kind="stable")
    n = len(values)
    decile = np.empty(n, dtype=np.int64)
    decile[order] = np.arange(n) * 10 // n + 1
    frame = pd.DataFrame({"clv_decile": decile, "clv": values})
    table = frame.groupby("clv_decile").agg(customers=("clv", "size"), clv=("clv", "sum"))
    table = table.reset_index()
    total = float(values.sum())
    table["share"] = table["clv"] / total if total > 0 else np.nan
    table["cumulative_share"] = table["share"].cumsum()
    table["customers"] = table["customers"].astype(np.int64)
    return table


def clv(
    daily: pd.DataFrame,
    *,
    calibration_end: Any = None,
    holdout_end: Any = None,
    unit: str = "week",
    horizon: int | None = None,
    discount_rate: float = 0.10,
    margin: float | None = None,
    profit_margin: float | None = None,
    min_customers: int = 10,
    min_repeat_customers: int = 5,
    lang: str = "en",
) -> Result:
    """Customer lifetime value from BG/NBD purchases and Gamma-Gamma spend.

    Parameters
    ----------
    daily : DataFrame
        customer, date, revenue: one row per customer and order date.
    calibration_end : date-like, optional
        Fit on purchases up to this day (inclusive). Default: the last purchase day.
    holdout_end : date-like, optional
        Compare predicted and actual repeat purchases from the day after
        ``calibration_end`` to this day; needs ``calibration_end``. Customers are then
        scored as of the calibration end.
    unit : {"day", "week", "month"}
        Time unit of recency, T, the horizon and the parameters (default week).
    horizon : int, optional
        Periods of ``unit`` to value ahead; default one year (365, 52 or 12).
    discount_rate : float
        Yearly discount rate (default 0.10); see the formula in the notes.
    margin : float, optional
        Profit margin as a fraction in (0, 1]. Default: ``profit_margin``, else 1.0.
    profit_margin : float, optional
        The data's profit / revenue, passed by the command when the file has profit.
    min_customers, min_repeat_customers : int
        Refuse to fit BG/NBD on fewer customers, or fewer repeat customers (10, 5);
        Gamma-Gamma needs ``min_repeat_customers`` repeat customers with positive spend.
    lang : {"en", "zh"}
        Language of the headline and notes.

    Returns
    -------
    Result
        rows: customer, frequency, recency, T, monetary, p_alive, expected_purchases,
        expected_spend, clv (+ holdout_actual, holdout_predicted with a holdout),
        sorted by clv descending. tables: parameters (BG/NBD r, alpha, a, b, a/(a+b);
        Gamma-Gamma p, q, gamma; estimate and std_error), clv_deciles (+ holdout).
        summary and params say whether BG/NBD drop-out is "beta" (heterogeneous) or
        "homogeneous" (the limit a, b → ∞: a, b and their standard errors are NaN and a
        note explains; ``dropout`` is a/(a+b) either way).
    """
    unit_days = _unit_days(unit)
    if horizon is None:
        horizon = DEFAULT_HORIZON[unit]
    if int(horizon) != horizon or horizon < 1:
        raise UsageError(f"horizon must be a whole number of {unit}s >= 1, not {horizon!r}")
    horizon = int(horizon)
    if not np.isfinite(discount_rate) or discount_rate < 0:
        raise UsageError(f"discount rate must be >= 0 (0.10 = 10 % a year), not {discount_rate}")
    if margin is not None and not (0 < margin <= 1):
        raise UsageError(f"margin must be a fraction in (0, 1] (0.3 = 30 %), not {margin}")
    if profit_margin is not None and not (np.isfinite(profit_margin) and profit_margin <= 1):
        raise UsageError(f"profit margin must be a fraction <= 1, not {profit_margin}")
    if holdout_end is not None and calibration_end is None:
        raise UsageError(
            "--holdout-end needs --calibration-end: the model is fitted on the calibration "
            "period and checked on the days after it"
        )
    if margin is not None:
        used_margin, margin_source = float(margin), "given"
        margin_note = label("clv.note_margin_given", lang).format(margin=used_margin)
    elif profit_margin is not None:
        used_margin, margin_source = float(profit_margin), "profit"
        margin_note = label("clv.note_margin_profit", lang).format(margin=used_margin)
    else:
        used_margin, margin_source = 1.0, "default"
        margin_note = label("clv.note_margin_default", lang)

    summ = customer_summary(daily, calibration_end=calibration_end, unit=unit, observation_end=holdout_end)
    base = summ.frame
    freq, rec, age, mon = base["frequency"], base["recency"], base["T"], base["monetary"]
    bg = fit_bgnbd(freq, rec, age, min_customers=min_customers, min_repeat_customers=min_repeat_customers)
    gg = fit_gamma_gamma(freq, mon, min_customers=min_repeat_customers)
    p_alive = bgnbd_p_alive(bg, freq, rec, age)
    expected, discounted = discounted_purchases(
        bg, freq, rec, age, horizon=horizon, unit=unit, discount_rate=discount_rate
    )
    spend = gamma_gamma_expected_spend(gg, freq, mon)
    value = used_margin * spend * discounted
    if not (np.isfinite(expected).all() and np.isfinite(value).all()):
        raise AnalysisError(
            "the fitted models give non-finite predictions for some customers; try a "
            "coarser --unit or a shorter --horizon"
        )
    rows = pd.DataFrame(
        {
            "customer": base["customer"],
            "frequency": freq,
            "recency": rec,
            "T": age,
            "monetary": mon,
            "p_alive": p_alive,
            "expected_purchases": expected,
            "expected_spend": spend,
            "clv": value,
        }
    )

    cal = summ.calibration_end.date().isoformat()
    unit_word = label(f"clv.unit.{unit}", lang)
    repeat = freq.to_numpy() > 0
    spenders = repeat & (mon.to_numpy() > 0)
    corr = (
        float(np.corrcoef(freq[spenders], mon[spenders])[0, 1])
        if spenders.sum() > 2 and np.ptp(freq[spenders]) > 0
        else float("nan")
    )
    deciles = _deciles(value)
    total_value = float(value.sum())
    top_share = float(deciles["share"].iloc[0])

    # In the homogeneous limit a and b have no finite estimate: blank, not infinity.
    bg_shown = {k: (v if math.isfinite(v) else math.nan) for k, v in bg.params.items()}
    bg_se = [bg.std_errors[k] for k in ("r", "alpha", "a", "b", "dropout")]
    parameter_table = pd.DataFrame(
        {
            "model": ["BG/NBD"] * 5 + ["Gamma-Gamma"] * 3,
            "parameter": ["r", "alpha", "a", "b", "a/(a+b)", "p", "q", "gamma"],
            "estimate": [*bg_shown.values(), bg.mean_dropout, *gg.params.values()],
            "std_error": [*bg_se, *gg.std_errors.values()],
        }
    )
    tables: dict[str, pd.DataFrame] = {"parameters": parameter_table, "clv_deciles": deciles}
    charts = [
        Chart(
            kind="column",
            table="clv_deciles",
            category="clv_decile",
            values=["clv"],
            title="clv.deciles",
        )
    ]

    summary: dict[str, Any] = {
        "customers": len(rows),
        "repeat_customers": int(repeat.sum()),
        "customers_excluded_after_calibration": summ.excluded_after_calibration,
        "customers_returns_only": summ.returns_only,
        "calibration_start": base["first_date"].min(),
        "calibration_end": summ.calibration_end,
        "unit": unit,
        "horizon": horizon,
        "discount_rate": discount_rate,
        "margin": used_margin,
        "margin_source": margin_source,
    }
    summary.update(bg_shown)
    summary["dropout"] = bg.mean_dropout
    summary["bgnbd_dropout"] = "homogeneous" if bg.homogeneous else "beta"
    summary.update(gg.params)
    for model, fit in (("bgnbd", bg), ("gamma_gamma", gg)):
        summary.update({f"{k}_se": float(v) for k, v in fit.std_errors.items()})
        summary[f"{model}_log_likelihood"] = fit.log_likelihood
    summary.update(
        {
            "gamma_gamma_customers": gg.customers,
            "frequency_monetary_correlation": corr,
            "mean_spend": gg.mean_spend,
            "expected_purchases": float(expected.sum()),
            "mean_p_alive": float(p_alive.mean()),
            "clv_total": total_value,
            "clv_mean": total_value / len(rows),
            "clv_top_decile_share": top_share,
        }
    )

    notes = [
        label("clv.note_purchase", lang).format(calibration_end=cal, unit=unit_word, unit_days=unit_days),
        label("clv.note_monetary", lang).format(n=gg.customers, corr=corr),
        label("clv.note_p_alive", lang),
        label("clv.note_discount", lang).format(
            rate=discount_rate,
            years=unit_days / DAYS_PER_YEAR,
            horizon=horizon,
            unit=unit_word,
        ),
        margin_note,
    ]
    if summ.excluded_after_calibration or summ.returns_only:
        notes.append(
            label("clv.note_excluded", lang).format(
                after=summ.excluded_after_calibration, returns_only=summ.returns_only
            )
        )
    if bg.homogeneous:
        notes.append(
            label("clv.note_homogeneous", lang).format(dropout=bg.mean_dropout, ll=bg.log_likelihood)
        )
    # a and b have no standard errors in the homogeneous limit; that note says why.
    identified = ("r", "alpha", "dropout") if bg.homogeneous else tuple(bg.std_errors)
    for model, fit_se in (
        ("BG/NBD", [bg.std_errors[k] for k in identified]),
        ("Gamma-Gamma", list(gg.std_errors.values())),
    ):
        if any(np.isnan(v) for v in fit_se):
            notes.append(label("clv.note_se_missing", lang).format(model=model))

    headline = [
        label("clv.headline", lang).format(
            customers=len(rows),
            total=total_value,
            horizon=horizon,
            unit=unit_word,
            margin=used_margin,
            discount=discount_rate,
            top_share=top_share,
        ),
        label("clv.headline_alive", lang).format(
            purchases=float(expected.sum()), alive=float((p_alive >= 0.5).mean())
        ),
        label("clv.headline_fit_homogeneous" if bg.homogeneous else "clv.headline_fit", lang).format(
            ll=bg.log_likelihood,
            ll_gg=gg.log_likelihood,
            dropout=bg.mean_dropout,
            **bg.params,
            **gg.params,
        ),
    ]

    ignore_after = summ.observation_end or summ.calibration_end
    if summ.data_end > ignore_after:
        notes.append(label("clv.note_ignored", lang).format(end=ignore_after.date().isoformat()))

    if summ.observation_end is not None:
        comparison = holdout_comparison(base, bg)
        rows["holdout_actual"] = comparison.customers["holdout_actual"].to_numpy()
        rows["holdout_predicted"] = comparison.customers["holdout_predicted"].to_numpy()
        tables["holdout"] = comparison.by_frequency
        charts.append(
            Chart(
                kind="column",
                table="holdout",
                category="calibration_frequency",
                values=["actual_purchases", "predicted_purchases"],
                title="clv.holdout",
            )
        )
        start = (summ.calibration_end + pd.Timedelta(days=1)).date().isoformat()
        end = summ.observation_end.date().isoformat()
        actual, predicted = comparison.actual_total, comparison.predicted_total
        summary.update(
            {
                "holdout_start": summ.calibration_end + pd.Timedelta(days=1),
                "holdout_end": summ.observation_end,
                "holdout_duration": comparison.duration,
                "holdout_actual": actual,
                "holdout_predicted": predicted,
            }
        )
        headline.append(
            label("clv.headline_holdout", lang).format(
                start=start,
                end=end,
                predicted=predicted,
                actual=actual,
                error=(predicted - actual) / actual if actual else float("nan"),
            )
        )
        notes.append(label("clv.note_holdout", lang).format(calibration_end=cal, start=start, end=end))
        if summ.data_end < summ.observation_end:
            # Days without data count as days without purchases: the comparison is only
            # fair up to the last purchase in the file.
            notes.append(
                label("clv.note_holdout_past_data", lang).format(
                    data_end=summ.data_end.date().isoformat(), end=end
                )
            )

    rows = rows.sort_values(["clv", "customer"], ascending=[False, True], kind="stable")
    rows = rows.reset_index(drop=True)
    params: dict[str, Any] = {
        "calibration_end": summ.calibration_end,
        "holdout_end": summ.observation_end,
        "unit": unit,
        "unit_days": unit_days,
        "horizon": horizon,
        "discount_rate": discount_rate,
        "margin": used_margin,
        "margin_source": margin_source,
        "min_customers": min_customers,
        "min_repeat_customers": min_repeat_customers,
        "purchase": "a customer-day with net revenue >= 0; same-day orders merged",
        "bgnbd_dropout": (
            "homogeneous: drop-out heterogeneity not identified (the likelihood rises as a and b "
            f"grow together); predictions use the limiting model with p = a/(a+b) = {bg.mean_dropout:.6g} "
            "for every customer; a, b and their standard errors are NaN"
            if bg.homogeneous
            else "heterogeneous: the drop-out probability p ~ Beta(a, b) across customers"
        ),
        "discounting": (
            "clv = margin * expected_spend * sum_{k=1..horizon} "
            "(E[Y(k)] - E[Y(k-1)]) / (1 + discount_rate) ** (k * unit_days / 365.25)"
        ),
    }
    return Result(
        command="clv",
        params=params,
        summary=summary,
        rows=rows,
        tables=tables,
        charts=charts,
        headline=headline,
        notes=notes,
        display_columns=[
            "customer",
            "frequency",
            "p_alive",
            "expected_purchases",
            "expected_spend",
            "clv",
        ],
    )
