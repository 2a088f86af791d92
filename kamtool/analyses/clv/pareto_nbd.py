"""Pareto/NBD (Schmittlein, Morrison & Colombo 1987), fitted by maximum likelihood.

While alive a customer buys at a Poisson rate λ ~ Gamma(r, α) and stays alive for an
exponential lifetime of rate μ ~ Gamma(s, β), λ and μ independent. With x repeat
purchases, the last at t_x, observed up to T (Fader, Hardie & Lee 2005, "A note on
deriving the Pareto/NBD model and related expressions"):

    L = Ψ(T)·S(T) + ∫_{t_x}^{T} Ψ(τ)·f(τ) dτ
    Ψ(τ) = Γ(r+x)/Γ(r) · α^r / (α+τ)^(r+x)     (x purchases, none after, alive until τ)
    S(τ) = (β/(β+τ))^s,  f(τ) = s·β^s / (β+τ)^(s+1)   (survival and density of the lifetime)

The note writes the integral as a difference of two Gaussian hypergeometric terms,
2F1(r+s+x, s+1; r+s+x+1; (α−β)/(α+y)) / (α+y)^(r+s+x) at y = t_x and T (the other
branch for α < β). That form diverges as z → 1 (α ≫ β or β ≫ α, which is where a fit
walks when drop-out barely varies between customers), converges slowly for small s,
and has no derivative in its parameters in scipy. Here the same integral is computed
directly, in log space relative to its value at t_x:

    ∫ Ψ f dτ = Ψ(t_x)·f(t_x)·J,   J = ∫_0^{T−t_x} (1 + u/(α+t_x))^−(r+x) (1 + u/(β+t_x))^−(s+1) du,

with 64-point Gauss-Legendre in v ∈ [0, 1], u = c·(e^(vL) − 1), c = 1/κ the integrand's
initial decay length (κ = (r+x)/(α+t_x) + (s+1)/(β+t_x)) and L = log(1 + (T−t_x)/c):
the stretch puts the nodes where the integrand lives whether it falls like an
exponential (large x) or like a power (tiny r, s). Against 40-digit adaptive quadrature
over r, s ∈ [1e-3, 1e4], α ∈ [1e-3, 1e5], β ∈ [1e-3, 1e6], x ≤ 1000 the relative
error of J was below 3e-12 (tests check the likelihood against the 2F1 form in 40
digits and against integration over the latent λ and μ). The gradient is the same
rule applied to the integrand's parameter derivatives, so the fit has an analytic
gradient, and the same form holds in every limit: λ fixed (r, α → ∞ with r/α = λ),
μ fixed (s, β → ∞ with s/β = μ), and no drop-out (μ = 0), where Ψ, S and f become
λ^x·e^(−λτ), e^(−μτ), μ·e^(−μτ) and 1, 0.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.polynomial.legendre import leggauss
from scipy.special import digamma, gammaln

from kamtool.analyses.clv import regimes
from kamtool.analyses.clv.fit import FloatArray, purchase_count_pmf, require_data
from kamtool.analyses.clv.regimes import ModelFit, Nest, Regime, Rows, distinct_rows, fit_regimes, fit_result
from kamtool.analyses.clv.summary import check_summary

NAME = "Pareto/NBD"
KEY = "pareto_nbd"
FULL_NAMES = ("r", "alpha", "s", "beta")
PARAMETERS: tuple[str, ...] = FULL_NAMES

_NODES = 64
_V, _W = leggauss(_NODES)
_V = (_V + 1) / 2
_W = _W / 2

# Lifetimes exponential with a rate mu ~ Gamma(s, beta), one mu for everyone (s, beta → ∞),
# or no drop-out (s → 0: Gamma(s → 0, β) makes every μ 0; β says nothing any more).
_NEST = Nest("gamma", "exponential", {"gamma": ("s", "beta"), "exponential": ("mu",), "none": ()})
# The drop-out model of each kind (mixed, homogeneous, none), as the result's params state it.
_DROPOUT_RULES = {
    "gamma": "heterogeneous: lifetimes are exponential with a rate mu ~ Gamma(s, beta) "
    "across customers, at any time (not only after a purchase)",
    "exponential": "homogeneous: one drop-out rate mu = {mu:.6g} per time unit for every "
    "customer (s, beta → ∞)",
    "none": "none: nobody drops out (the NBD model; s → 0)",
}


@dataclass(frozen=True, eq=False)
class ParetoNBDFit(ModelFit):
    """Pareto/NBD estimate: r, alpha (purchase rates), s, beta (drop-out rates).

    Boundaries: "homogeneous_dropout" (one drop-out rate mu for all; s = beta = inf),
    "homogeneous_purchase" (one purchase rate lambda; r = alpha = inf), both
    ("homogeneous_purchase_and_dropout"), "no_dropout" (nobody leaves: the NBD model,
    s = 0, beta NaN) and "homogeneous_purchase_no_dropout" (Poisson).
    """


regime_names = _NEST.names




@dataclass
class _Terms:
    ll: FloatArray  # per row
    a1: FloatArray  # log of the alive-at-T term
    gradient: FloatArray | None  # d(weighted total)/d(theta)


@dataclass
class _Piece:
    """One factor of the likelihood (purchases, or the lifetime) at one parameter point.

    at_t and at_tx: its log at T (in the alive term) and at t_x (in the drop-out
    term, the density for the lifetime); kappa: the initial decay rate of its part of
    the integrand; d_t, d_tx: derivatives of at_t and at_tx per parameter. ``scale``
    is α+t_x (or β+t_x) and ``power`` r+x (or s+1) for the Gamma form, None for a
    fixed rate (the integrand is then e^(−rate·u)).
    """

    at_t: FloatArray
    at_tx: FloatArray
    kappa: FloatArray
    d_t: list[FloatArray]
    d_tx: list[FloatArray]
    scale: FloatArray | None
    power: FloatArray | float
    rate: float = 0.0

    def phi(self, rows: slice, u: FloatArray, log1p_out: FloatArray, out: FloatArray) -> FloatArray:
        """log of the integrand factor at the nodes ``u`` of the block ``rows``, into ``out``;
        log1p(u/scale) into ``log1p_out`` (the shape's derivative is its negative)."""
        if self.scale is None:
            return np.multiply(-self.rate, u, out=out)
        np.divide(u, self.scale[rows, None], out=log1p_out)
        np.log1p(log1p_out, out=log1p_out)
        power = -self.power[rows, None] if isinstance(self.power, np.ndarray) else -self.power
        return np.multiply(power, log1p_out, out=out)

    def weighted_derivatives(
        self, rows: slice, u: FloatArray, wh: FloatArray, log1p: FloatArray, spare: FloatArray
    ) -> list[FloatArray]:
        """Σ_nodes wh · d(log factor)/d(parameter) per row of the block, one array a parameter.

        d/d(shape) = −log1p(u/scale), summed as −Σ wh·log1p(u/scale) (negation is exact: the
        same sum to the last bit); d/d(scale) = power·u / (scale·(scale+u)); with a fixed
        rate, d/d(rate) = −u. ``spare`` is overwritten.
        """
        if self.scale is None:
            return [-np.einsum("ij,ij->i", wh, u)]
        scale = self.scale[rows, None]
        power = self.power[rows, None] if isinstance(self.power, np.ndarray) else self.power
        shape = -np.einsum("ij,ij->i", wh, log1p)
        top = np.multiply(power, u, out=log1p)  # log1p is spent by now
        np.add(scale, u, out=spare)
        np.multiply(scale, spare, out=spare)
        np.divide(top, spare, out=top)
        return [shape, np.einsum("ij,ij->i", wh, top)]


def _purchase_piece(theta: FloatArray, purchase: str, d: Rows, gradient: bool) -> _Piece:
    x, tx, T = d.x, d.tx, d.T
    if purchase == "gamma":
        r, alpha = theta[0], theta[1]
        rx = r + x
        a_tx = alpha + tx
        log_at, log_atx = np.log(alpha + T), np.log(a_tx)
        g = gammaln(rx) - gammaln(r) + r * math.log(alpha)
        d_t: list[FloatArray] = []
        d_tx: list[FloatArray] = []
        if gradient:
            dg_r = digamma(rx) - digamma(r) + math.log(alpha)
            d_t = [dg_r - log_at, r / alpha - rx / (alpha + T)]
            d_tx = [dg_r - log_atx, r / alpha - rx / a_tx]
        return _Piece(g - rx * log_at, g - rx * log_atx, rx / a_tx, d_t, d_tx, a_tx, rx)
    lam = theta[0]
    log_lam = math.log(lam)
    d_t = [x / lam - T] if gradient else []
    d_tx = [x / lam - tx] if gradient else []
    return _Piece(
        x * log_lam - lam * T, x * log_lam - lam * tx, np.full(len(x), lam), d_t, d_tx, None, 0.0, lam
    )


def _lifetime_piece(theta: FloatArray, dropout: str, d: Rows, gradient: bool) -> _Piece:
    tx, T = d.tx, d.T
    if dropout == "gamma":
        s, beta = theta[0], theta[1]
        b_tx = beta + tx
        log_s_t = -s * np.log1p(T / beta)
        log_f_tx = math.log(s) - math.log(beta) - (s + 1) * np.log1p(tx / beta)
        d_t: list[FloatArray] = []
        d_tx: list[FloatArray] = []
        if gradient:
            d_t = [-np.log1p(T / beta), s * T / (beta * (beta + T))]
            d_tx = [1 / s - np.log1p(tx / beta), -1 / beta + (s + 1) * tx / (beta * b_tx)]
        return _Piece(log_s_t, log_f_tx, (s + 1) / b_tx, d_t, d_tx, b_tx, s + 1)
    mu = theta[0]
    d_t = [-T] if gradient else []
    d_tx = [1 / mu - tx] if gradient else []
    return _Piece(-mu * T, math.log(mu) - mu * tx, np.full(len(tx), mu), d_t, d_tx, None, 0.0, mu)


def _terms(theta: FloatArray, boundary: str | None, d: Rows, gradient: bool) -> _Terms:
    """Per-row log-likelihood: log(e^a1 + e^a2), a1 = log Ψ(T)S(T), a2 = log Ψ(t_x)f(t_x)J."""
    purchase, dropout = _NEST.kinds[boundary]
    k = len(regimes.PURCHASE_NAMES[purchase])
    buy = _purchase_piece(theta[:k], purchase, d, gradient)
    if dropout == "none":
        grad = np.array([float(np.einsum("i,i->", d.w, g)) for g in buy.d_t]) if gradient else None
        return _Terms(buy.at_t, buy.at_t, grad)
    life = _lifetime_piece(theta[k:], dropout, d, gradient)

    # J by Gauss-Legendre on the stretched variable (see the module docstring).
    kappa = buy.kappa + life.kappa
    scale = 1 / kappa
    stretch = np.log1p((d.T - d.tx) * kappa)
    integral, weighted = _quadrature(buy, life, scale, stretch, gradient)
    has_span = integral > 0
    with np.errstate(divide="ignore"):
        log_j = np.log(integral)
    a1 = buy.at_t + life.at_t
    a2 = buy.at_tx + life.at_tx + log_j
    ll = np.logaddexp(a1, a2)
    if not gradient:
        return _Terms(ll, a1, None)
    w1 = np.exp(a1 - ll) * d.w
    w2 = np.where(has_span, np.exp(a2 - ll), 0.0) * d.w
    safe = np.where(has_span, integral, 1.0)
    d_t, d_tx = buy.d_t + life.d_t, buy.d_tx + life.d_tx
    grad = np.empty(len(theta))
    for j in range(len(theta)):
        dj = weighted[j] / safe
        grad[j] = np.einsum("i,i->", w1, d_t[j]) + np.einsum("i,i->", w2, d_tx[j] + dj)
    return _Terms(ll, a1, grad)


# Rows per block of the quadrature's rows × nodes arrays: a block's seven buffers (128 KB
# each) stay in a core's cache through the two dozen passes over the nodes, and no array of
# rows × nodes is allocated per likelihood (1M-line benchmark, 4,904 distinct rows: 17.9 ms
# a likelihood with gradient in one piece, 13.3 ms in blocks). Each row's figures are the
# same to the last bit in any block: the operations per element and per row do not change.
_CHUNK_ROWS = 512


def _quadrature(
    buy: _Piece, life: _Piece, scale: FloatArray, stretch: FloatArray, gradient: bool
) -> tuple[FloatArray, list[FloatArray]]:
    """Per row: the quadrature sum J / (its stretch) and, with ``gradient``, Σ_nodes of the
    weighted integrand times each parameter's derivative of the log integrand."""
    n = len(scale)
    integral = np.empty(n)
    weighted: list[FloatArray] = []
    span = scale * stretch
    size = min(n, _CHUNK_ROWS)
    vl_buf, u_buf, wh_buf, *piece_bufs = (np.empty((size, _NODES)) for _ in range(7))
    for start in range(0, n, _CHUNK_ROWS):
        rows = slice(start, min(n, start + _CHUNK_ROWS))
        m = rows.stop - start
        vl, u, wh = vl_buf[:m], u_buf[:m], wh_buf[:m]
        lp_buy, phi_buy, lp_life, phi_life = (b[:m] for b in piece_bufs)
        np.multiply(_V[None, :], stretch[rows, None], out=vl)
        np.expm1(vl, out=u)
        np.multiply(scale[rows, None], u, out=u)
        buy.phi(rows, u, lp_buy, out=phi_buy)
        life.phi(rows, u, lp_life, out=phi_life)
        exponent = np.add(vl, phi_buy, out=vl)
        np.add(exponent, phi_life, out=exponent)
        np.exp(exponent, out=exponent)
        np.multiply(_W[None, :], span[rows, None], out=wh)
        np.multiply(wh, exponent, out=wh)
        integral[rows] = wh.sum(axis=1)
        if gradient:
            parts = [*buy.weighted_derivatives(rows, u, wh, lp_buy, phi_buy),
                     *life.weighted_derivatives(rows, u, wh, lp_life, phi_life)]
            if not weighted:
                weighted = [np.empty(n) for _ in parts]
            for whole, part in zip(weighted, parts, strict=True):
                whole[rows] = part
    return integral, weighted


# Rows per block of the quadrature when no gradient is needed: its arrays are rows × 64
# nodes, 80 MB each for the 154k distinct rows of the 10M-line benchmark, in blocks 5 MB.
_BLOCK_ROWS = 10_000


def _row_terms(theta: FloatArray, boundary: str | None, d: Rows) -> _Terms:
    """Per-row log-likelihood and log Ψ(T)S(T), without gradient, in blocks of rows."""
    if len(d.w) <= _BLOCK_ROWS:
        return _terms(theta, boundary, d, gradient=False)
    parts = [
        _terms(theta, boundary, Rows(*(v[i : i + _BLOCK_ROWS] for v in (d.x, d.tx, d.T, d.w))), False)
        for i in range(0, len(d.w), _BLOCK_ROWS)
    ]
    return _Terms(np.concatenate([p.ll for p in parts]), np.concatenate([p.a1 for p in parts]), None)


def _total(theta: FloatArray, boundary: str | None, d: Rows) -> tuple[float, FloatArray]:
    terms = _terms(theta, boundary, d, gradient=True)
    assert terms.gradient is not None
    return float(np.einsum("i,i->", d.w, terms.ll)), terms.gradient


def _boundary_and_theta(params: dict[str, float] | ModelFit) -> tuple[str | None, FloatArray]:
    return _NEST.boundary_and_theta(params, NAME)


def log_likelihood(params: dict[str, float] | ModelFit, frequency: Any, recency: Any, T: Any) -> FloatArray:
    """Pareto/NBD log-likelihood of each customer (no constants dropped).

    ``params`` is a fit or a dict of one regime's parameters: r, alpha, s, beta; or
    r, alpha, mu; lambda, s, beta; lambda, mu; r, alpha; lambda.
    """
    x, tx, t_cal = check_summary(frequency, recency, T)
    boundary, theta = _boundary_and_theta(params)
    rows, inverse = distinct_rows(x, tx, t_cal)
    return np.asarray(_row_terms(theta, boundary, rows).ll[inverse], dtype=np.float64)


def _regimes(d: Rows, x: FloatArray, t_cal: FloatArray) -> list[Regime]:
    rate = float(x.sum() / max(float(t_cal.sum()), 1e-12))
    rate = max(rate, 1e-6)
    life = float(max(t_cal.mean(), 1e-6))  # a first guess: lifetimes about as long as observed

    def start_for(boundary: str | None) -> Any:
        purchase, dropout = _NEST.kinds[boundary]

        def start(full: FloatArray | None) -> FloatArray:
            if full is not None:
                r, alpha, s, beta = full
                p = [r, alpha] if purchase == "gamma" else [r / alpha]
                q = {"gamma": [s, beta], "exponential": [s / beta], "none": []}[dropout]
            else:
                p = [1.0, 1.0 / rate] if purchase == "gamma" else [rate]
                q = {"gamma": [1.0, life], "exponential": [1.0 / life], "none": []}[dropout]
            return np.array(p + q, dtype=np.float64)

        return start

    out = []
    for boundary in _NEST.kinds:
        names = regime_names(boundary)

        def total(theta: FloatArray, boundary: str | None = boundary) -> tuple[float, FloatArray]:
            return _total(theta, boundary, d)

        scales = ("log",) * len(names)
        limits, sends = _NEST.limit_values(boundary), _NEST.sends(boundary)
        out.append(Regime(boundary, names, scales, total, start_for(boundary), limits, sends))
    return out


# Above this many distinct (x, t_x, T) rows Pareto/NBD is fitted on a seeded sample of this
# many customers: its likelihood is a 64-point quadrature per distinct row, and on the
# 1M-line benchmark (18,075 rows) the fit on every row took 12–28 s against BG/NBD's 0.3 s.
# The estimate is then the sample's (standard errors and intervals too: they describe that
# estimate); its log-likelihood and every prediction are on all customers.
SAMPLE_ROWS = 5000
SAMPLE_SEED = 20240101


def fit(
    frequency: Any,
    recency: Any,
    T: Any,
    *,
    min_customers: int = 10,
    min_repeat_customers: int = 20,
) -> ParetoNBDFit:
    """Fit Pareto/NBD by maximum likelihood, or the limit model its likelihood climbs to.

    Every regime (the full model and its five limits) is fitted; the best
    log-likelihood wins, a simpler limit on a tie (see ``boundary``). FitError (see
    :func:`kamtool.analyses.clv.fit.require_data`) when fewer than ``min_repeat_customers``
    customers have a repeat purchase, "unidentified" when no regime has a maximum.
    """
    x, tx, t_cal = check_summary(frequency, recency, T)
    n = len(x)
    require_data(NAME, n, int((x > 0).sum()), min_customers, min_repeat_customers)
    rows, _ = distinct_rows(x, tx, t_cal)
    advice = (
        "Try a longer calibration period, a coarser --unit or more customers; this fit had "
        f"{n:,} customers, {int((x > 0).sum()):,} with a repeat purchase."
    )
    if len(rows.w) <= SAMPLE_ROWS:
        chosen = fit_regimes(_regimes(rows, x, t_cal), n, NAME, advice)
        result: ParetoNBDFit = fit_result(ParetoNBDFit, chosen, FULL_NAMES, n)
        return result
    # Large files: the estimate from a seeded sample of customers (see SAMPLE_ROWS); its
    # log-likelihood is evaluated on every customer, so that models compare on the same data.
    pick = np.sort(np.random.default_rng(SAMPLE_SEED).choice(n, size=SAMPLE_ROWS, replace=False))
    sample_rows, _ = distinct_rows(x[pick], tx[pick], t_cal[pick])
    chosen = fit_regimes(_regimes(sample_rows, x[pick], t_cal[pick]), SAMPLE_ROWS, NAME, advice)
    sampled: ParetoNBDFit = fit_result(ParetoNBDFit, chosen, FULL_NAMES, n)
    with np.errstate(all="ignore"):
        ll = float(np.einsum("i,i->", rows.w, _row_terms(chosen.theta, chosen.regime.boundary, rows).ll))
    return dataclasses.replace(sampled, log_likelihood=ll, fitted_customers=SAMPLE_ROWS)


def _check_fit(fit: ModelFit) -> tuple[str, str, FloatArray]:
    purchase, dropout = _NEST.kinds[fit.boundary]
    return purchase, dropout, np.array(list(fit.free.values()), dtype=np.float64)


def p_alive(fit: ModelFit, frequency: Any, recency: Any, T: Any) -> FloatArray:
    """P(alive at T | x, t_x, T) = Ψ(T)S(T) / L; 1 when nobody drops out."""
    x, tx, t_cal = check_summary(frequency, recency, T)
    _, dropout, theta = _check_fit(fit)
    if dropout == "none":
        return np.ones(len(x))
    rows, inverse = distinct_rows(x, tx, t_cal)
    terms = _row_terms(theta, fit.boundary, rows)
    return np.asarray(np.exp(terms.a1 - terms.ll)[inverse], dtype=np.float64)


def _one_minus_power_over(k: FloatArray | float, y: FloatArray) -> FloatArray:
    """(1 − e^(−k·y)) / k, equal to y at k = 0 (no cancellation near it)."""
    k_arr = np.broadcast_to(np.asarray(k, dtype=np.float64), y.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = -np.expm1(-k_arr * y) / k_arr
    return np.asarray(np.where(k_arr == 0, y, out), dtype=np.float64)


def _if_alive(fit: ModelFit, t: float, frequency: Any, T: Any) -> FloatArray:
    """E[purchases in (T, T+t] | alive at T] = E[λ | ·] · E[(1 − e^(−μt))/μ | alive at T].

    Alive at T, λ ~ Gamma(r+x, α+T) and μ ~ Gamma(s, β+T), so the second factor is
    (β+T)·(1 − ((β+T)/(β+T+t))^(s−1))/(s−1) (SMC 1987), (1 − e^(−μt))/μ for one μ, t
    without drop-out.
    """
    x = np.asarray(frequency, dtype=np.float64)
    t_cal = np.asarray(T, dtype=np.float64)
    purchase, dropout, theta = _check_fit(fit)
    if purchase == "gamma":
        rate = (theta[0] + x) / (theta[1] + t_cal)
        k = 2
    else:
        rate = np.full(len(x), theta[0])
        k = 1
    tt = np.full(len(x), float(t))
    if dropout == "gamma":
        s, beta = theta[k], theta[k + 1]
        base = beta + t_cal
        life = base * _one_minus_power_over(s - 1, np.log1p(tt / base))
    elif dropout == "exponential":
        life = _one_minus_power_over(float(theta[k]), tt)
    else:
        life = tt
    return np.asarray(rate * life, dtype=np.float64)


def expected_purchases(fit: ModelFit, t: float, frequency: Any, recency: Any, T: Any) -> FloatArray:
    """Expected purchases in the next ``t`` time units per customer (P(alive) × if alive)."""
    x, tx, t_cal = check_summary(frequency, recency, T)
    return p_alive(fit, x, tx, t_cal) * _if_alive(fit, t, x, t_cal)


def expected_repeat_purchases(fit: ModelFit, t: float) -> float:
    """E[X(t)]: repeat purchases in the first ``t`` units after a first purchase.

    rβ/(α(s−1)) · (1 − (β/(β+t))^(s−1)): a customer with x = 0 and T = 0, alive for sure.
    """
    zero = np.zeros(1)
    return float(_if_alive(fit, t, zero, zero)[0])


# ------------------------------------------------------------------ the contract's other half


def purchases_if_alive(fit: ModelFit, frequency: Any, recency: Any, T: Any) -> Callable[[float], FloatArray]:
    """t -> E[purchases in (T, T + t] | alive at T] per customer (see ``_if_alive``)."""
    x, _, t_cal = check_summary(frequency, recency, T)
    return lambda t: _if_alive(fit, float(t), x, t_cal)


def mean_dropout_rate(fit: ModelFit) -> float:
    """Mean drop-out rate per time unit: s/β, μ, or 0 without drop-out."""
    free = fit.free
    if "mu" in free:
        return free["mu"]
    if "s" in free:
        return free["s"] / free["beta"]
    return 0.0


# Mean purchase rate while alive: r/α, or λ with one rate.
mean_rate = regimes.mean_rate


def estimates(fit: ModelFit) -> dict[str, Any]:
    """r, alpha, s, beta (NaN where a limit has none), the mean drop-out and purchase rates,
    the boundary code (None for an interior maximum) and the customers the estimate is from."""
    means = {"dropout_rate": mean_dropout_rate(fit), "purchase_rate": mean_rate(fit)}
    return {
        **regimes.estimates(fit, FULL_NAMES, KEY, **means),
        "pareto_nbd_fitted_customers": fit.fitted_customers or fit.customers,
    }


def dropout_rule(fit: ModelFit) -> str:
    """Which drop-out model the predictions use, for the result's params."""
    return regimes.dropout_rule(fit, _NEST.kinds, _DROPOUT_RULES, mu=mean_dropout_rate(fit))


# The same for every model built on regimes: the rows of the parameters table, the parameters
# the predictions use (the full model's, or the limit's), and fits with them drawn from the
# estimate's asymptotic normal.
parameter_rows = regimes.parameter_rows
free_parameters = regimes.free_parameters
parameter_draws = regimes.parameter_draws


def count_probabilities(fit: ModelFit, t: Any, counts: int) -> FloatArray:
    """P(X(t) = k), k < ``counts``: repeat purchases in the first t units after a first one.

    Alive through t with probability S(t), else dead at τ with density f(τ):
    P(X = k) = S(t)·P(N(t) = k) + ∫_0^t f(τ)·P(N(τ) = k) dτ. The integral is taken over the
    lifetime's probability u = F(τ) (τ = β((1−u)^(−1/s) − 1), or −log(1−u)/μ), where the
    weight is uniform and P(N(τ) = k) smooth, by 64-point Gauss-Legendre on [0, F(t)].
    """
    purchase, dropout = _NEST.kinds[fit.boundary]
    free = fit.free
    tt = np.asarray(t, dtype=np.float64)

    def pmf(times: FloatArray) -> FloatArray:
        if purchase == "gamma":
            return purchase_count_pmf(times, counts, free["r"], free["alpha"], None)
        return purchase_count_pmf(times, counts, math.inf, math.inf, free["lambda"])

    if dropout == "none":
        return pmf(tt)
    if dropout == "gamma":
        s, beta = free["s"], free["beta"]
        alive = (beta / (beta + tt)) ** s

        def lifetime(u: FloatArray) -> FloatArray:
            return np.asarray(beta * np.expm1(-np.log1p(-u) / s), dtype=np.float64)
    else:
        mu = free["mu"]
        alive = np.exp(-mu * tt)

        def lifetime(u: FloatArray) -> FloatArray:
            return np.asarray(-np.log1p(-u) / mu, dtype=np.float64)

    dead_by = 1 - alive  # F(t)
    u = dead_by[:, None] * _V[None, :]  # nodes on [0, F(t)] per t
    at_nodes = pmf(lifetime(u).ravel()).reshape(len(tt), _NODES, counts)
    integral = np.einsum("j,ijk->ik", _W, at_nodes) * dead_by[:, None]
    return np.asarray(alive[:, None] * pmf(tt) + integral, dtype=np.float64)
