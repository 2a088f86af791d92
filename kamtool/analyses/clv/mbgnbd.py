"""MBG/NBD (Batislam, Denizel & Filiztekin 2007), fitted by maximum likelihood.

BG/NBD with one change: a customer may drop out right after the *first* purchase too,
so after x repeat purchases it has tossed x + 1 drop-out coins, not x, and a customer
who never came back is not alive with probability 1. With λ ~ Gamma(r, α) the purchase
rate and p ~ Beta(a, b) the drop-out probability (lifetimes' ModifiedBetaGeoFitter):

    L = B(a, b+x+1)/B(a, b) · Γ(r+x)α^r / (Γ(r)(α+T)^(r+x)) · (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x))
    P(alive) = 1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x))

Alive at T, the customer has λ ~ Gamma(r+x, α+T) and p ~ Beta(a, b+x+1), so its
expected purchases are BG/NBD's with b + 1 in place of b (Euler's 2F1 form or Gauss
quadrature over the Beta, as in BG/NBD). Limits, each its own regime: one drop-out
probability (a, b → ∞, a/(a+b) = p), one purchase rate (r, α → ∞, r/α = λ), both,
no drop-out (p = 0: the NBD model) and no drop-out with one rate (Poisson).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import betaln, digamma, expit, gammaln

from kamtool.analyses.clv import regimes
from kamtool.analyses.clv.bgnbd import BGNBDFit, PurchasesIfAlive, beta_gauss_rule
from kamtool.analyses.clv.fit import FloatArray, group_rows, purchase_count_pmf, require_data
from kamtool.analyses.clv.regimes import ModelFit, Nest, Regime, Rows, distinct_rows, fit_regimes, fit_result
from kamtool.analyses.clv.summary import check_summary

NAME = "MBG/NBD"
KEY = "mbgnbd"
FULL_NAMES = ("r", "alpha", "a", "b")
PARAMETERS: tuple[str, ...] = FULL_NAMES

# Drop-out after every purchase, the first included: p ~ Beta(a, b), one p for everyone
# (a, b → ∞), or none (a → 0: every p is 0; b says nothing any more).
_NEST = Nest("beta", "fixed", {"beta": ("a", "b"), "fixed": ("p",), "none": ()})
# The drop-out model of each kind (mixed, homogeneous, none), as the result's params state it.
_DROPOUT_RULES = {
    "beta": "heterogeneous: after every purchase, the first included, a customer drops out "
    "with probability p ~ Beta(a, b)",
    "fixed": "homogeneous: one drop-out probability p = {p:.6g} after every purchase, the "
    "first included (a, b → ∞)",
    "none": "none: nobody drops out (the NBD model; a → 0)",
}
_SCALES = {"r": "log", "alpha": "log", "lambda": "log", "a": "log", "b": "log", "p": "logit"}
# Gauss rule over Beta(a, b+x+1) for one purchase rate (no closed form used there).
_POISSON_BETA_NODES = 128


@dataclass(frozen=True, eq=False)
class MBGNBDFit(ModelFit):
    """MBG/NBD estimate: r, alpha (purchase rates), a, b (drop-out probability ~ Beta(a, b)).

    Boundaries: "homogeneous_dropout" (one drop-out probability p; a = b = inf),
    "homogeneous_purchase" (one rate lambda; r = alpha = inf), both
    ("homogeneous_purchase_and_dropout"), "no_dropout" (a = 0, b NaN) and
    "homogeneous_purchase_no_dropout".
    """


regime_names = _NEST.names




def _terms(
    theta: FloatArray, boundary: str | None, d: Rows, gradient: bool
) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    """Per-row log-likelihood, the log odds of having dropped out, and the gradient.

    ll = log Ψ(T) + log P(x+1 coins survived) + log(1 + e^m), m = log odds of a drop-out
    right after the last purchase: log(a/(b+x)) + log Ψ(t_x) − log Ψ(T).
    """
    purchase, dropout = _NEST.kinds[boundary]
    x, tx, T = d.x, d.tx, d.T
    # the special functions of x alone per distinct x, then per row (elementwise: the same bits)
    ux, ix = d.by_x
    grads: list[FloatArray] = []  # d(ll)/d(theta_j) per row, filled below
    if purchase == "gamma":
        r, alpha = theta[0], theta[1]
        k = 2
        rx = r + x
        log_at, log_atx = np.log(alpha + T), np.log(alpha + tx)
        psi_t = (gammaln(r + ux) - gammaln(r) + r * math.log(alpha))[ix] - rx * log_at
        delta = rx * (log_at - log_atx)
    else:
        lam = theta[0]
        k = 1
        psi_t = x * math.log(lam) - lam * T
        delta = lam * (T - tx)
    if dropout == "none":
        ll = psi_t
        odds = np.full(len(x), -np.inf)
    else:
        if dropout == "beta":
            a, b = theta[k], theta[k + 1]
            survive = (gammaln(a + b) + gammaln(b + ux + 1) - gammaln(b) - gammaln(a + b + ux + 1))[ix]
            log_odds = (math.log(a) - np.log(b + ux))[ix]
        else:
            p = theta[k]
            survive = (x + 1) * math.log1p(-p)
            log_odds = np.full(len(x), math.log(p) - math.log1p(-p))
        odds = log_odds + delta
        ll = psi_t + survive + np.logaddexp(0.0, odds)
    if not gradient:
        return ll, odds, None
    share = expit(odds) if dropout != "none" else np.zeros(len(x))  # d log(1+e^m)/dm
    if purchase == "gamma":
        rate_x = (digamma(r + ux) - digamma(r) + math.log(alpha))[ix]
        grads.append(rate_x - log_at + share * (log_at - log_atx))
        grads.append(r / alpha - rx / (alpha + T) + share * rx * (1 / (alpha + T) - 1 / (alpha + tx)))
    else:
        grads.append(x / lam - T + share * (T - tx))
    if dropout == "beta":
        psi_ab, psi_abx = digamma(a + b), digamma(a + b + ux + 1)
        grads.append((psi_ab - psi_abx)[ix] + share / a)
        grads.append((psi_ab + digamma(b + ux + 1) - digamma(b) - psi_abx)[ix] - share / (b + ux)[ix])
    elif dropout == "fixed":
        grads.append(-(x + 1) / (1 - p) + share / (p * (1 - p)))
    grad = np.array([float(np.einsum("i,i->", d.w, g)) for g in grads])
    return ll, odds, grad


def _total(theta: FloatArray, boundary: str | None, d: Rows) -> tuple[float, FloatArray]:
    ll, _, grad = _terms(theta, boundary, d, gradient=True)
    assert grad is not None
    return float(np.einsum("i,i->", d.w, ll)), grad


def _boundary_and_theta(params: dict[str, float] | ModelFit) -> tuple[str | None, FloatArray]:
    return _NEST.boundary_and_theta(params, NAME)


def log_likelihood(params: dict[str, float] | ModelFit, frequency: Any, recency: Any, T: Any) -> FloatArray:
    """MBG/NBD log-likelihood of each customer (no constants dropped).

    ``params`` is a fit or a dict of one regime's parameters: r, alpha, a, b; r, alpha,
    p; lambda, a, b; lambda, p; r, alpha; lambda.
    """
    x, tx, t_cal = check_summary(frequency, recency, T)
    boundary, theta = _boundary_and_theta(params)
    rows, inverse = distinct_rows(x, tx, t_cal)
    return np.asarray(_terms(theta, boundary, rows, gradient=False)[0][inverse], dtype=np.float64)


def _regimes(d: Rows, x: FloatArray, t_cal: FloatArray) -> list[Regime]:
    rate = max(float(x.sum() / max(float(t_cal.sum()), 1e-12)), 1e-6)

    def start_for(boundary: str | None) -> Any:
        purchase, dropout = _NEST.kinds[boundary]

        def start(full: FloatArray | None) -> FloatArray:
            if full is not None:
                r, alpha, a, b = full
                p = [r, alpha] if purchase == "gamma" else [r / alpha]
                q = {"beta": [a, b], "fixed": [a / (a + b)], "none": []}[dropout]
            else:
                p = [1.0, 1.0 / rate] if purchase == "gamma" else [rate]
                q = {"beta": [1.0, 1.0], "fixed": [0.5], "none": []}[dropout]
            return np.array(p + q, dtype=np.float64)

        return start

    out = []
    for boundary in _NEST.kinds:
        names = regime_names(boundary)

        def total(theta: FloatArray, boundary: str | None = boundary) -> tuple[float, FloatArray]:
            return _total(theta, boundary, d)

        scales = tuple(_SCALES[k] for k in names)
        limits, sends = _NEST.limit_values(boundary), _NEST.sends(boundary)
        out.append(Regime(boundary, names, scales, total, start_for(boundary), limits, sends))
    return out


def fit(
    frequency: Any,
    recency: Any,
    T: Any,
    *,
    min_customers: int = 10,
    min_repeat_customers: int = 20,
) -> MBGNBDFit:
    """Fit MBG/NBD by maximum likelihood, or the limit model its likelihood climbs to.

    Every regime is fitted; the best log-likelihood wins, a simpler limit on a tie.
    FitError (see :func:`kamtool.analyses.clv.fit.require_data`) when fewer than
    ``min_repeat_customers`` customers have a repeat purchase, "unidentified" when no regime
    has a maximum.
    """
    x, tx, t_cal = check_summary(frequency, recency, T)
    n = len(x)
    require_data(NAME, n, int((x > 0).sum()), min_customers, min_repeat_customers)
    rows, _ = distinct_rows(x, tx, t_cal)
    advice = (
        "Try a longer calibration period, a coarser --unit or more customers; this fit had "
        f"{n:,} customers, {int((x > 0).sum()):,} with a repeat purchase."
    )
    chosen = fit_regimes(_regimes(rows, x, t_cal), n, NAME, advice)
    result: MBGNBDFit = fit_result(MBGNBDFit, chosen, FULL_NAMES, n)
    return result


def p_alive(fit: ModelFit, frequency: Any, recency: Any, T: Any) -> FloatArray:
    """P(alive at T | x, t_x, T) = 1 / (1 + e^m); below 1 for one-time buyers too."""
    x, tx, t_cal = check_summary(frequency, recency, T)
    boundary, theta = _boundary_and_theta(fit)
    rows, inverse = distinct_rows(x, tx, t_cal)
    _, odds, _ = _terms(theta, boundary, rows, gradient=False)
    return np.asarray(expit(-odds)[inverse], dtype=np.float64)


def _bgnbd_shifted(fit: ModelFit) -> BGNBDFit:
    """The BG/NBD whose purchases-if-alive equal MBG/NBD's: b + 1 for BG/NBD's b."""
    free = fit.free
    if "p" in free:
        return BGNBDFit(free["r"], free["alpha"], math.inf, math.inf, {}, math.nan, 0, dropout=free["p"])
    return BGNBDFit(free["r"], free["alpha"], free["a"], free["b"] + 1, {}, math.nan, 0)


def _if_alive(fit: ModelFit, t: float, frequency: Any, T: Any) -> FloatArray:
    """E[purchases in (T, T+t] | alive at T]; λ | · ~ Gamma(r+x, α+T), p | · ~ Beta(a, b+x+1)."""
    x = np.asarray(frequency, dtype=np.float64)
    t_cal = np.asarray(T, dtype=np.float64)
    purchase, dropout = _NEST.kinds[fit.boundary]
    free = fit.free
    (ux, ut), inverse, _ = group_rows(x, t_cal)
    if purchase == "gamma":
        if dropout == "none":
            out = (free["r"] + ux) / (free["alpha"] + ut) * t
        else:
            out = PurchasesIfAlive(_bgnbd_shifted(fit), ux, ut)(float(t))
        return np.asarray(out[inverse], dtype=np.float64)
    lam = free["lambda"]
    if dropout == "none":
        return np.full(len(x), lam * t)
    # One purchase rate: E[N | p] = (1 − e^(−λpt)) / p, averaged over the drop-out.
    if dropout == "fixed":
        p = free["p"]
        return np.full(len(x), -math.expm1(-lam * p * t) / p)
    values = np.empty(len(ux))
    for k, xv in enumerate(ux):
        nodes, weights = beta_gauss_rule(free["a"], free["b"] + xv + 1, _POISSON_BETA_NODES)
        values[k] = float(np.einsum("i,i->", weights, -np.expm1(-lam * nodes * t) / nodes))
    return np.asarray(values[inverse], dtype=np.float64)


def expected_purchases(fit: ModelFit, t: float, frequency: Any, recency: Any, T: Any) -> FloatArray:
    """Expected purchases in the next ``t`` time units per customer (P(alive) × if alive)."""
    x, tx, t_cal = check_summary(frequency, recency, T)
    return p_alive(fit, x, tx, t_cal) * _if_alive(fit, t, x, t_cal)


def expected_repeat_purchases(fit: ModelFit, t: float) -> float:
    """E[X(t)]: repeat purchases in the first ``t`` units after a first purchase.

    The first coin may already end the relationship: P(survive it) = b/(a+b) (1 − p,
    1 without drop-out) times the purchases of a customer alive at T = 0 with x = 0.
    """
    purchase, dropout = _NEST.kinds[fit.boundary]
    free = fit.free
    survive = {"beta": lambda: free["b"] / (free["a"] + free["b"]), "fixed": lambda: 1 - free["p"]}.get(
        dropout, lambda: 1.0
    )()
    zero = np.zeros(1)
    return float(survive * _if_alive(fit, t, zero, zero)[0])


# ------------------------------------------------------------------ the contract's other half


def purchases_if_alive(fit: ModelFit, frequency: Any, recency: Any, T: Any) -> Callable[[float], FloatArray]:
    """t -> E[purchases in (T, T + t] | alive at T] per customer (see ``_if_alive``)."""
    x, _, t_cal = check_summary(frequency, recency, T)
    return lambda t: _if_alive(fit, float(t), x, t_cal)


def mean_dropout(fit: ModelFit) -> float:
    """Mean drop-out probability per purchase: a/(a+b), p, or 0 without drop-out."""
    free = fit.free
    if "p" in free:
        return free["p"]
    if "a" in free:
        return free["a"] / (free["a"] + free["b"])
    return 0.0


# Mean purchase rate while alive: r/α, or λ with one rate.
mean_rate = regimes.mean_rate


def estimates(fit: ModelFit) -> dict[str, Any]:
    """r, alpha, a, b (NaN where a limit has none), the mean drop-out and purchase rate,
    and the boundary code (None for an interior maximum)."""
    return regimes.estimates(fit, FULL_NAMES, KEY, dropout=mean_dropout(fit), purchase_rate=mean_rate(fit))


def dropout_rule(fit: ModelFit) -> str:
    """Which drop-out model the predictions use, for the result's params."""
    return regimes.dropout_rule(fit, _NEST.kinds, _DROPOUT_RULES, p=mean_dropout(fit))


# The same for every model built on regimes: the rows of the parameters table, the parameters
# the predictions use (the full model's, or the limit's), and fits with them drawn from the
# estimate's asymptotic normal.
parameter_rows = regimes.parameter_rows
free_parameters = regimes.free_parameters
parameter_draws = regimes.parameter_draws


def count_probabilities(fit: ModelFit, t: Any, counts: int) -> FloatArray:
    """P(X(t) = k), k < ``counts``: repeat purchases in the first t units after a first one.

    As BG/NBD's (FHL 2005 eq. 8) with one more coin: X = min(N, J), J the purchase after
    which the customer drops out counting the first (J = 0: never came back), so
    P(X = k) = E[(1−p)^(k+1)]·P(N = k) + E[p(1−p)^k]·P(N >= k).
    """
    purchase, dropout = _NEST.kinds[fit.boundary]
    free = fit.free
    tt = np.asarray(t, dtype=np.float64)
    if purchase == "gamma":
        nb = purchase_count_pmf(tt, counts, free["r"], free["alpha"], None)
    else:
        nb = purchase_count_pmf(tt, counts, math.inf, math.inf, free["lambda"])
    k = np.arange(counts, dtype=np.float64)
    if dropout == "beta":
        a, b = free["a"], free["b"]
        survive = np.exp(betaln(a, b + k + 1) - betaln(a, b))
        drop = np.exp(betaln(a + 1, b + k) - betaln(a, b))
    else:
        p = free.get("p", 0.0)
        survive, drop = (1 - p) ** (k + 1), p * (1 - p) ** k
    at_least = np.clip(1 - np.cumsum(nb, axis=1) + nb, 0.0, 1.0)  # P(N >= k)
    return np.asarray(survive * nb + drop * at_least, dtype=np.float64)
