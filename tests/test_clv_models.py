"""Tests of the clv package: Pareto/NBD, MBG/NBD, boundary fits, intervals, model choice.

Reference figures and how they were produced
--------------------------------------------
* Pareto/NBD on the CDNOW sample: Fader, Hardie & Lee (2005), "A note on deriving the
  Pareto/NBD model and related expressions": r 0.553, α 10.578, s 0.606, β 11.669,
  log-likelihood −9595.0.
* The 40-digit log-likelihoods in ``CLOSED_FORM`` are the note's closed form (eq. 22,
  the 2F1 branch for α ≥ β or α < β) evaluated with mpmath 1.4.1 at mp.dps = 40 (the
  script is the function ``_closed_form_mpmath`` below, run outside the project).
* MBG/NBD and the lifetimes predictions (``LIFETIMES_*``): lifetimes 0.11.3 in a
  separate virtualenv (Python 3.11.7, numpy 1.23.5, pandas 1.5.3, scipy 1.10.1,
  autograd 1.9.1), fitted with ``ModifiedBetaGeoFitter(penalizer_coef=0.0)`` and
  ``ParetoNBDFitter(penalizer_coef=0.0)`` on the summary of the ``cdnow_summary``
  fixture below written to CSV with 17 significant digits; then ``params_``,
  ``conditional_probability_alive``, ``conditional_expected_number_of_purchases_up_to_time(39.0, ...)``
  and ``expected_number_of_purchases_up_to_time(39.0)``. The commands and the script are
  in ``tests/data/lifetimes_reference.py``:
      .venv/bin/python tests/data/lifetimes_reference.py summary /tmp/cdnow_summary.csv
      python3 -m venv /tmp/lifetimes-venv
      /tmp/lifetimes-venv/bin/pip install lifetimes==0.11.3 "pandas<2" "numpy<1.24" "scipy<1.11"
      /tmp/lifetimes-venv/bin/python tests/data/lifetimes_reference.py fit /tmp/cdnow_summary.csv
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from kamtool.analyses.clv import bgnbd, intervals, mbgnbd, models, pareto_nbd, select
from kamtool.analyses.clv.assembly import discounted_purchases
from kamtool.analyses.clv.fit import FitError
from kamtool.analyses.clv.regimes import ModelFit, distinct_rows
from kamtool.analyses.clv.summary import CustomerSummary, customer_summary
from kamtool.errors import UsageError

DATA = Path(__file__).parent / "data" / "cdnow_sample.csv"

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
# Customers per generated data set: enough to tell the limits apart, few enough to fit fast.
N_SIMULATED = 1000


def _ep_interval(
    module: Any,
    fit: Any,
    t: float,
    x: Any,
    tx: Any,
    T: Any,
    *,
    level: float = 0.9,
    draws: int = 200,
    seed: int = intervals.DEFAULT_SEED,
) -> tuple[FloatArray, FloatArray]:
    """Bounds of each customer's expected purchases in the next ``t`` units."""
    ((low, high),) = intervals.interval(
        module,
        fit,
        lambda f: (module.expected_purchases(f, t, x, tx, T),),
        level=level,
        draws=draws,
        seed=seed,
    )
    return low, high


@pytest.fixture(scope="module")
def cdnow_summary() -> CustomerSummary:
    lines = pd.read_csv(DATA, dtype={"customer": str}, parse_dates=["date"])
    daily = lines.groupby(["customer", "date"], as_index=False).agg(revenue=("amount", "sum"))
    return customer_summary(daily, calibration_end="1997-09-30", unit="week", observation_end="1998-06-30")


def _xtT(summary: CustomerSummary) -> tuple[FloatArray, FloatArray, FloatArray]:
    f = summary.frame
    return (
        f["frequency"].to_numpy(dtype=np.float64),
        f["recency"].to_numpy(dtype=np.float64),
        f["T"].to_numpy(dtype=np.float64),
    )


@pytest.fixture(scope="module")
def cdnow_pareto(cdnow_summary: CustomerSummary) -> pareto_nbd.ParetoNBDFit:
    return pareto_nbd.fit(*_xtT(cdnow_summary))


@pytest.fixture(scope="module")
def cdnow_mbgnbd(cdnow_summary: CustomerSummary) -> mbgnbd.MBGNBDFit:
    return mbgnbd.fit(*_xtT(cdnow_summary))


# Customers (x, t_x, T) at which lifetimes' predictions were taken (see the docstring).
LIFETIMES_CUSTOMERS = np.array(
    [
        (0, 0.0, 38.857142857142854),
        (2, 30.428571428571427, 38.857142857142854),
        (5, 20.0, 35.0),
        (1, 1.0, 30.0),
        (10, 36.0, 38.0),
    ]
).T
LIFETIMES_MBGNBD = {
    "r": 0.5248429031496524,
    "alpha": 6.183081764399618,
    "a": 0.8913595172710836,
    "b": 1.6140029311978275,
}
LIFETIMES_MBGNBD_P_ALIVE = [
    0.389723104308784,
    0.706138490795352,
    0.377991375767073,
    0.199476073088147,
    0.888912403388824,
]
LIFETIMES_MBGNBD_E39 = [
    0.15396600986397,
    1.26275884017138,
    1.53451293283745,
    0.264942821054539,
    6.35194828630266,
]
LIFETIMES_MBGNBD_EX39 = 1.18227984708381
LIFETIMES_PARETO = {
    "r": 0.5532697285295665,
    "alpha": 10.577576298773373,
    "s": 0.6062086410822267,
    "beta": 11.66798033450074,
}
LIFETIMES_PARETO_P_ALIVE = [
    0.295118670258901,
    0.869138527377369,
    0.496268620801911,
    0.217472181579924,
    0.969197244378646,
]
LIFETIMES_PARETO_E39 = [
    0.107072017850075,
    1.45521811101172,
    1.93641703064039,
    0.261712392121635,
    6.80802063242939,
]
LIFETIMES_PARETO_EX39 = 1.21340654740184


def _with_params(fit: ModelFit, params: dict[str, float]) -> ModelFit:
    return fit.with_free([params[k] for k in fit.free])


# --------------------------------------------------------------------------- Pareto/NBD likelihood


def _closed_form_mpmath(r: float, alpha: float, s: float, beta: float, x: int, tx: float, T: float) -> Any:
    """How ``CLOSED_FORM`` was computed (needs mpmath, not a test dependency)."""
    import mpmath as mp  # type: ignore[import-not-found]

    mp.mp.dps = 40
    r, alpha, s, beta, tx, T = map(mp.mpf, (r, alpha, s, beta, tx, T))
    m = r + s + x
    if alpha >= beta:

        def f(y: Any) -> Any:
            return mp.hyp2f1(m, s + 1, m + 1, (alpha - beta) / (alpha + y)) / (alpha + y) ** m
    else:

        def f(y: Any) -> Any:
            return mp.hyp2f1(m, r + x, m + 1, (beta - alpha) / (beta + y)) / (beta + y) ** m

    alive = 1 / ((alpha + T) ** (r + x) * (beta + T) ** s)
    return mp.log(mp.gamma(r + x) * alpha**r * beta**s / mp.gamma(r) * (alive + s / m * (f(tx) - f(T))))


# (r, alpha, s, beta, x, t_x, T), log-likelihood in 40 digits (rounded to 17).
CLOSED_FORM = [
    ((0.5533, 10.5776, 0.6062, 11.6687, 2, 30.428571428571427, 38.857142857142854), -9.5541042225028918),
    ((0.55, 10.0, 0.6, 10.0, 3, 12.0, 39.0), -11.144002237108632),  # α = β: z = 0
    ((0.55, 10.0, 0.6, 10.000001, 3, 12.0, 39.0), -11.14400222714867),  # α ≈ β, the other branch
    ((0.5, 10.0, 0.6, 11.7, 200, 30.0, 39.0), 114.9223264627193),  # large x: (β+y)^m overflows
    ((0.001, 0.5, 0.6, 11.0, 0, 0.0, 39.0), -0.003416676023913911),  # tiny r, one-time buyer
    ((0.5, 10000.0, 2.0, 0.1, 3, 5.0, 40.0), -34.869366845561572),  # α ≫ β: z near 1
    ((2.0, 1.0, 50.0, 100000.0, 10, 20.0, 39.0), -25.622685438320716),  # β ≫ α: towards one μ
    ((1.0, 3.0, 0.001, 5.0, 1, 0.5, 50.0), -6.7641259490918048),  # tiny s
    ((0.8, 4.0, 1.5, 20.0, 4, 20.0, 20.0), -12.456080070112737),  # last purchase at T
]


@pytest.mark.parametrize(("point", "expected"), CLOSED_FORM)
def test_pareto_likelihood_matches_the_closed_form_in_40_digits(point: tuple, expected: float) -> None:
    r, alpha, s, beta, x, tx, T = point
    ll = pareto_nbd.log_likelihood({"r": r, "alpha": alpha, "s": s, "beta": beta}, [x], [tx], [T])
    assert ll[0] == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_closed_form_reference_values_are_what_mpmath_gives() -> None:
    pytest.importorskip("mpmath")  # not a project dependency: skipped unless installed
    for point, expected in CLOSED_FORM:
        assert float(_closed_form_mpmath(*point)) == pytest.approx(expected, rel=1e-15)


def _latent_likelihood(r: float, alpha: float, s: float, beta: float, x: int, tx: float, T: float) -> float:
    """The likelihood integrated over the latent drop-out rate μ and lifetime τ by adaptive quadrature.

    Given μ, the customer is alive at T with probability e^(−μT), or died at τ in
    (t_x, T) with density μ·e^(−μτ); given its death time the purchase part is the NBD
    term Ψ(τ) = Γ(r+x)/Γ(r)·α^r/(α+τ)^(r+x) (λ integrated out). μ ~ Gamma(s, β) is
    integrated over v = μ^s, which makes the Gamma density bounded for s < 1.
    """
    log_c = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)

    def psi(tau: float) -> float:
        return math.exp(log_c - (r + x) * math.log(alpha + tau))

    def given_mu(mu: float) -> float:
        died, _ = integrate.quad(
            lambda tau: psi(tau) * mu * math.exp(-mu * tau), tx, T, epsabs=0, epsrel=1e-12
        )
        return psi(T) * math.exp(-mu * T) + died

    log_norm = s * math.log(beta) - math.lgamma(s) - math.log(s)

    def over_v(v: float) -> float:
        mu = v ** (1 / s)
        return math.exp(log_norm - beta * mu) * given_mu(mu)

    value, _ = integrate.quad(over_v, 0, np.inf, epsabs=0, epsrel=1e-11, limit=200)
    return float(value)


@pytest.mark.parametrize(
    "point",
    [
        (0.5533, 10.5776, 0.6062, 11.6687, 2, 30.4, 38.9),
        (1.2, 3.0, 2.5, 8.0, 0, 0.0, 20.0),
        (2.0, 5.0, 1.5, 5.0, 6, 10.0, 30.0),  # α = β
        (3.0, 2.0, 4.0, 40.0, 15, 25.0, 26.0),
    ],
)
def test_pareto_likelihood_matches_integration_over_the_latent_rates(point: tuple) -> None:
    expected = _latent_likelihood(*point)
    r, alpha, s, beta, x, tx, T = point
    ll = pareto_nbd.log_likelihood({"r": r, "alpha": alpha, "s": s, "beta": beta}, [x], [tx], [T])
    assert math.exp(ll[0]) == pytest.approx(expected, rel=1e-7)


def test_pareto_limit_likelihoods_by_hand() -> None:
    # One λ and one μ: L = λ^x·(e^(−(λ+μ)T) + μ/(λ+μ)·(e^(−(λ+μ)t_x) − e^(−(λ+μ)T))).
    lam, mu, x, tx, T = 0.3, 0.05, 4, 12.0, 20.0
    k = lam + mu
    by_hand = lam**x * (math.exp(-k * T) + mu / k * (math.exp(-k * tx) - math.exp(-k * T)))
    ll = pareto_nbd.log_likelihood({"lambda": lam, "mu": mu}, [x], [tx], [T])
    assert ll[0] == pytest.approx(math.log(by_hand), abs=1e-13)
    # Nobody leaves, one λ: Poisson, λ^x·e^(−λT).
    ll = pareto_nbd.log_likelihood({"lambda": lam}, [x], [tx], [T])
    assert ll[0] == pytest.approx(x * math.log(lam) - lam * T, abs=1e-13)
    # s, β → ∞ with s/β = μ approaches the one-μ model; r, α → ∞ with r/α = λ the one-λ one.
    near = pareto_nbd.log_likelihood({"r": 0.7, "alpha": 3.0, "s": mu * 1e8, "beta": 1e8}, [x], [tx], [T])
    limit = pareto_nbd.log_likelihood({"r": 0.7, "alpha": 3.0, "mu": mu}, [x], [tx], [T])
    assert near[0] == pytest.approx(limit[0], abs=1e-6)
    near = pareto_nbd.log_likelihood({"r": lam * 1e8, "alpha": 1e8, "s": 0.7, "beta": 9.0}, [x], [tx], [T])
    limit = pareto_nbd.log_likelihood({"lambda": lam, "s": 0.7, "beta": 9.0}, [x], [tx], [T])
    assert near[0] == pytest.approx(limit[0], abs=1e-6)


def _check_gradient(module: Any, boundary: str | None, theta: FloatArray, x: Any, tx: Any, T: Any) -> None:
    rows, _ = distinct_rows(np.asarray(x, float), np.asarray(tx, float), np.asarray(T, float))
    value, grad = module._total(theta, boundary, rows)
    for j in range(len(theta)):
        h = 1e-6 * theta[j]
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        numeric = (module._total(up, boundary, rows)[0] - module._total(down, boundary, rows)[0]) / (2 * h)
        assert grad[j] == pytest.approx(numeric, rel=1e-5, abs=1e-6), (boundary, j)


GRADIENT_CUSTOMERS = (
    [0, 0, 1, 3, 12, 40],
    [0.0, 0.0, 2.0, 10.0, 25.0, 30.0],
    [5.0, 39.0, 30.0, 10.0, 38.0, 31.0],
)


@pytest.mark.parametrize(
    ("boundary", "theta"),
    [
        (None, [0.55, 10.6, 0.61, 11.7]),
        (None, [2.0, 0.5, 0.05, 300.0]),
        ("homogeneous_dropout", [0.55, 10.6, 0.04]),
        ("homogeneous_purchase", [0.2, 0.61, 11.7]),
        ("homogeneous_purchase_and_dropout", [0.2, 0.04]),
        ("no_dropout", [0.55, 10.6]),
        ("homogeneous_purchase_no_dropout", [0.2]),
    ],
)
def test_pareto_gradient_matches_finite_differences(boundary: str | None, theta: list[float]) -> None:
    _check_gradient(pareto_nbd, boundary, np.array(theta), *GRADIENT_CUSTOMERS)


def test_pareto_predictions_by_hand() -> None:
    fit = pareto_nbd.ParetoNBDFit(
        params={"r": 1.0, "alpha": 2.0, "s": 2.0, "beta": 4.0}, std_errors={}, log_likelihood=0.0, customers=0
    )
    # E[X(4)] = rβ/(α(s−1))·(1 − (β/(β+t))^(s−1)) = 4/2·(1 − 4/8) = 1.
    assert pareto_nbd.expected_repeat_purchases(fit, 4.0) == pytest.approx(1.0, rel=1e-14)
    # Alive at T = 4 with x = 2: (r+x)/(α+T)·(β+T)/(s−1)·(1 − ((β+T)/(β+T+t))^(s−1)) at t = 8:
    # 3/6·8·(1 − 8/16) = 2.
    assert pareto_nbd.purchases_if_alive(fit, [2.0], [1.0], [4.0])(8.0)[0] == pytest.approx(2.0, rel=1e-14)
    # s = 1: (β+T)·log(1 + t/(β+T)) instead.
    one = fit.with_free([1.0, 2.0, 1.0, 4.0])
    assert pareto_nbd.purchases_if_alive(one, [2.0], [1.0], [4.0])(8.0)[0] == pytest.approx(
        3 / 6 * 8 * math.log(2)
    )
    # x = 0 at T = 0: alive for sure.
    assert pareto_nbd.p_alive(fit, [0], [0.0], [0.0])[0] == 1.0
    # One λ, one μ: P(alive) = e^(−kT) / (e^(−kT) + μ/k·(e^(−k t_x) − e^(−kT))), k = λ + μ.
    lim = pareto_nbd.ParetoNBDFit(
        params={"r": math.inf, "alpha": math.inf, "s": math.inf, "beta": math.inf},
        std_errors={},
        log_likelihood=0.0,
        customers=0,
        boundary="homogeneous_purchase_and_dropout",
        limit_params={"lambda": 0.3, "mu": 0.05},
    )
    k = 0.35
    alive = math.exp(-k * 20) / (math.exp(-k * 20) + 0.05 / k * (math.exp(-k * 12) - math.exp(-k * 20)))
    assert pareto_nbd.p_alive(lim, [4], [12.0], [20.0])[0] == pytest.approx(alive, rel=1e-13)
    assert pareto_nbd.expected_purchases(lim, 10.0, [4], [12.0], [20.0])[0] == pytest.approx(
        alive * 0.3 * (1 - math.exp(-0.5)) / 0.05, rel=1e-13
    )


def test_cdnow_pareto_reproduces_the_published_fit(cdnow_pareto: pareto_nbd.ParetoNBDFit) -> None:
    published = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    assert cdnow_pareto.boundary is None
    for name, value in published.items():
        assert cdnow_pareto.params[name] == pytest.approx(value, rel=2e-3), name
    assert cdnow_pareto.log_likelihood == pytest.approx(-9595.0, abs=0.05)
    assert cdnow_pareto.customers == 2357
    assert all(0 < v < math.inf for v in cdnow_pareto.std_errors.values())
    assert cdnow_pareto.covariance.shape == (4, 4)


def test_cdnow_pareto_predictions_match_lifetimes(cdnow_pareto: pareto_nbd.ParetoNBDFit) -> None:
    fit = _with_params(cdnow_pareto, LIFETIMES_PARETO)
    x, tx, T = LIFETIMES_CUSTOMERS
    np.testing.assert_allclose(pareto_nbd.p_alive(fit, x, tx, T), LIFETIMES_PARETO_P_ALIVE, rtol=1e-10)
    np.testing.assert_allclose(
        pareto_nbd.expected_purchases(fit, 39.0, x, tx, T), LIFETIMES_PARETO_E39, rtol=1e-10
    )
    assert pareto_nbd.expected_repeat_purchases(fit, 39.0) == pytest.approx(LIFETIMES_PARETO_EX39, rel=1e-12)


# --------------------------------------------------------------------------- MBG/NBD


def test_mbgnbd_likelihood_by_hand() -> None:
    p = {"r": 1.0, "alpha": 1.0, "a": 1.0, "b": 1.0}
    # x = 0, T = 1: B(1,2)/B(1,1)·(α/(α+T))^r·(1 + a/b·(α+T)/α) = 1/2·1/2·3 = 3/4.
    # x = 1, t_x = 1, T = 2: B(1,3)/B(1,1)·Γ(2)/(α+T)^2·(1 + a/(b+1)·(3/2)^2) = 1/3·1/9·17/8.
    ll = mbgnbd.log_likelihood(p, [0, 1], [0.0, 1.0], [1.0, 2.0])
    np.testing.assert_allclose(ll, np.log([3 / 4, 17 / 216]), rtol=1e-14)
    # One drop-out probability p: (1−p)^(x+1)·Ψ(T)·(1 + p/(1−p)·Ψ(t_x)/Ψ(T)).
    ll = mbgnbd.log_likelihood({"r": 1.0, "alpha": 1.0, "p": 0.25}, [1], [1.0], [2.0])
    assert ll[0] == pytest.approx(math.log(0.75**2 / 9 * (1 + 1 / 3 * 9 / 4)), rel=1e-14)
    # a, b → ∞ with a/(a+b) = p approaches it.
    near = mbgnbd.log_likelihood({"r": 1.0, "alpha": 1.0, "a": 0.25e8, "b": 0.75e8}, [1], [1.0], [2.0])
    assert near[0] == pytest.approx(ll[0], abs=1e-6)


@pytest.mark.parametrize(
    ("boundary", "theta"),
    [
        (None, [0.52, 6.2, 0.89, 1.61]),
        ("homogeneous_dropout", [0.52, 6.2, 0.3]),
        ("homogeneous_purchase", [0.2, 0.89, 1.61]),
        ("homogeneous_purchase_and_dropout", [0.2, 0.3]),
        ("no_dropout", [0.52, 6.2]),
        ("homogeneous_purchase_no_dropout", [0.2]),
    ],
)
def test_mbgnbd_gradient_matches_finite_differences(boundary: str | None, theta: list[float]) -> None:
    _check_gradient(mbgnbd, boundary, np.array(theta), *GRADIENT_CUSTOMERS)


def test_mbgnbd_one_purchase_rate_predictions_match_integration_over_the_beta() -> None:
    # One λ, p ~ Beta(a, b+x+1) when alive: E[N] = E[(1 − e^(−λpt)) / p].
    lam, a, b, x, t = 0.4, 0.7, 2.5, 3, 20.0
    fit = mbgnbd.MBGNBDFit(
        params={"r": math.inf, "alpha": math.inf, "a": a, "b": b},
        std_errors={},
        log_likelihood=0.0,
        customers=0,
        boundary="homogeneous_purchase",
        limit_params={"lambda": lam, "a": a, "b": b},
    )
    density = stats.beta(a, b + x + 1).pdf
    expected, _ = integrate.quad(lambda p: density(p) * -math.expm1(-lam * p * t) / p, 0, 1, epsrel=1e-12)
    assert mbgnbd.purchases_if_alive(fit, [x], [10.0], [30.0])(t)[0] == pytest.approx(expected, rel=1e-10)
    # E[X(t)]: survive the first coin (b/(a+b)), then p ~ Beta(a, b+1).
    density = stats.beta(a, b + 1).pdf
    alive_at_0, _ = integrate.quad(lambda p: density(p) * -math.expm1(-lam * p * t) / p, 0, 1, epsrel=1e-12)
    assert mbgnbd.expected_repeat_purchases(fit, t) == pytest.approx(b / (a + b) * alive_at_0, rel=1e-10)


def test_cdnow_mbgnbd_matches_lifetimes(cdnow_mbgnbd: mbgnbd.MBGNBDFit) -> None:
    assert cdnow_mbgnbd.boundary is None
    for name, value in LIFETIMES_MBGNBD.items():
        assert cdnow_mbgnbd.params[name] == pytest.approx(value, rel=2e-3), name
    fit = _with_params(cdnow_mbgnbd, LIFETIMES_MBGNBD)
    x, tx, T = LIFETIMES_CUSTOMERS
    np.testing.assert_allclose(mbgnbd.p_alive(fit, x, tx, T), LIFETIMES_MBGNBD_P_ALIVE, rtol=1e-10)
    np.testing.assert_allclose(
        mbgnbd.expected_purchases(fit, 39.0, x, tx, T), LIFETIMES_MBGNBD_E39, rtol=1e-10
    )
    assert mbgnbd.expected_repeat_purchases(fit, 39.0) == pytest.approx(LIFETIMES_MBGNBD_EX39, rel=1e-12)


def test_mbgnbd_one_time_buyers_are_not_alive_for_sure(
    cdnow_summary: CustomerSummary, cdnow_mbgnbd: mbgnbd.MBGNBDFit
) -> None:
    x, tx, T = _xtT(cdnow_summary)
    alive = mbgnbd.p_alive(cdnow_mbgnbd, x, tx, T)
    once = x == 0
    # The closed form 1/(1 + a/b·((α+T)/α)^r) for a one-time buyer.
    p = cdnow_mbgnbd.params
    by_hand = 1 / (1 + p["a"] / p["b"] * ((p["alpha"] + T[once]) / p["alpha"]) ** p["r"])
    np.testing.assert_allclose(alive[once], by_hand, rtol=1e-12)
    assert alive[once].max() < 0.5


# --------------------------------------------------------------------------- boundaries


def _in_days(weeks: FloatArray) -> FloatArray:
    """Times rounded to whole days, in weeks: what a summary of dated orders gives."""
    return np.asarray(np.round(weeks * 7) / 7, dtype=np.float64)


def _simulate_pareto(seed: int, n: int, mu: float | None) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Pareto/NBD customers: λ ~ Gamma(0.8, 5); lifetime Exp(mu) for all (None: forever)."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(0.8, 1 / 5, n)
    T = _in_days(rng.uniform(26, 52, n))
    life = rng.exponential(1 / mu, n) if mu is not None else np.full(n, np.inf)
    end = np.minimum(life, T)
    x = rng.poisson(lam * end)
    tx = np.array([end[i] * rng.uniform(size=k).max() if k else 0.0 for i, k in enumerate(x)])
    # A last purchase rounded to day 0 would be no repeat purchase: at least one day.
    tx = np.where(x > 0, np.maximum(_in_days(tx), 1 / 7), 0.0)
    return x.astype(np.float64), np.minimum(tx, T), T


def _simulate_mbgnbd(seed: int, n: int, p: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """MBG/NBD customers: λ ~ Gamma(0.8, 5); a drop-out coin p after every purchase, the first too."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(0.8, 1 / 5, n)
    T = _in_days(rng.uniform(26, 52, n))
    x, tx = np.zeros(n), np.zeros(n)
    for i in range(n):
        t = 0.0
        while rng.uniform() >= p:
            t += rng.exponential(1 / lam[i])
            if t > T[i]:
                break
            x[i] += 1
            tx[i] = t
    tx = np.where(x > 0, np.maximum(_in_days(tx), 1 / 7), 0.0)
    return x, np.minimum(tx, T), T


def test_pareto_homogeneous_dropout_is_a_boundary_fit() -> None:
    x, tx, T = _simulate_pareto(seed=1, n=N_SIMULATED, mu=0.05)
    fit = pareto_nbd.fit(x, tx, T)
    assert fit.boundary == "homogeneous_dropout"
    assert fit.params["s"] == fit.params["beta"] == math.inf
    assert math.isnan(fit.std_errors["s"])
    assert set(fit.free) == {"r", "alpha", "mu"}
    assert fit.free["mu"] == pytest.approx(0.05, rel=0.15)
    assert 0 < fit.std_errors["mu"] < 0.01
    # Predictions use the limit: E[X(t)] = r/α·(1 − e^(−μt))/μ.
    r, alpha, mu = fit.free.values()
    assert pareto_nbd.expected_repeat_purchases(fit, 10.0) == pytest.approx(
        r / alpha * -math.expm1(-mu * 10) / mu
    )
    assert np.isfinite(pareto_nbd.expected_purchases(fit, 39.0, x, tx, T)).all()
    # Its log-likelihood is the sum of the limit model's per-customer terms.
    assert fit.log_likelihood == pytest.approx(pareto_nbd.log_likelihood(fit, x, tx, T).sum(), rel=1e-12)


def test_pareto_without_dropout_is_the_nbd_model() -> None:
    x, tx, T = _simulate_pareto(seed=0, n=N_SIMULATED, mu=None)
    fit = pareto_nbd.fit(x, tx, T)
    assert fit.boundary == "no_dropout"
    assert set(fit.free) == {"r", "alpha"}
    assert fit.params["s"] == 0.0
    assert fit.free["r"] / fit.free["alpha"] == pytest.approx(0.8 / 5, rel=0.1)
    np.testing.assert_array_equal(pareto_nbd.p_alive(fit, x, tx, T), 1.0)
    # Nobody leaves: (r+x)/(α+T)·t.
    expected = (fit.free["r"] + x) / (fit.free["alpha"] + T) * 13.0
    np.testing.assert_allclose(pareto_nbd.expected_purchases(fit, 13.0, x, tx, T), expected, rtol=1e-14)


def test_a_full_fit_walked_off_to_a_fitted_limit_is_that_limit() -> None:
    """MBG/NBD's full optimum at a, b ~ 1e6 (log past RUNAWAY) is the homogeneous drop-out
    limit up to where each optimiser stopped: the limit is chosen even when the full fit's
    log-likelihood is a hair higher (1e-9 relative: what made the simulated fit below pick
    the full model on one machine and the limit on another). A pinned full fit, or one that
    walked along another pair, stays a candidate."""
    from kamtool.analyses.clv import regimes
    from kamtool.analyses.clv.fit import Optimum

    def total(theta: Any) -> tuple[float, Any]:
        return 0.0, np.zeros_like(theta)

    def start(_full: Any) -> Any:
        return np.ones(4)

    full = regimes.Regime(None, ("r", "alpha", "a", "b"), ("log",) * 4, total, start)
    dropout = regimes.Regime("homogeneous_dropout", ("r", "alpha", "p"), ("log", "log", "logit"), total,
                             start, sends=((2, 3),))
    rate = regimes.Regime("homogeneous_rate", ("lambda", "a", "b"), ("log",) * 3, total, start,
                          sends=((0, 1),))

    def fits(z: list[float]) -> list[tuple[Any, Any, float]]:
        return [(full, Optimum(np.array(z), 32, True), -5561.494185778),
                (dropout, Optimum(np.zeros(3), 4, True), -5561.494191546),
                (rate, Optimum(np.zeros(3), 9, True), -5718.179762327)]

    walked = fits([-0.214, 1.627, 13.994, 14.871])
    assert [f[0] for f in regimes._without_walked_full(walked, full)] == [dropout, rate]
    for z in ([-0.214, 1.627, 2.0, 3.0], [11.0, 12.0, 2.0, 3.0]):  # pinned; walked along r, alpha only
        kept = fits(z)
        if z[0] > regimes.RUNAWAY:
            kept = [f for f in kept if f[0] is not rate]  # (its limit not fitted)
        assert regimes._without_walked_full(kept, full) == kept


def test_mbgnbd_homogeneous_dropout_is_a_boundary_fit() -> None:
    x, tx, T = _simulate_mbgnbd(seed=0, n=N_SIMULATED, p=0.3)
    fit = mbgnbd.fit(x, tx, T)
    assert fit.boundary == "homogeneous_dropout"
    assert fit.params["a"] == fit.params["b"] == math.inf
    assert fit.free["p"] == pytest.approx(0.3, rel=0.1)
    assert fit.scales == ("log", "log", "logit")
    alive = mbgnbd.p_alive(fit, x, tx, T)
    # A one-time buyer at T: 1/(1 + p/(1−p)·((α+T)/α)^r).
    r, alpha, p = fit.free.values()
    once = x == 0
    np.testing.assert_allclose(
        alive[once], 1 / (1 + p / (1 - p) * ((alpha + T[once]) / alpha) ** r), rtol=1e-12
    )
    assert np.isfinite(mbgnbd.expected_purchases(fit, 39.0, x, tx, T)).all()


def test_mbgnbd_without_dropout_is_the_nbd_model() -> None:
    x, tx, T = _simulate_mbgnbd(seed=0, n=N_SIMULATED, p=0.0)
    fit = mbgnbd.fit(x, tx, T)
    assert fit.boundary == "no_dropout"
    # The same NBD model as Pareto/NBD's limit: the same estimate.
    other = pareto_nbd.fit(x, tx, T)
    assert other.boundary == "no_dropout"
    for name in ("r", "alpha"):
        assert fit.free[name] == pytest.approx(other.free[name], rel=1e-5)
    assert mbgnbd.expected_repeat_purchases(fit, 10.0) == pytest.approx(
        fit.free["r"] / fit.free["alpha"] * 10
    )


@pytest.mark.parametrize("module", [pareto_nbd, mbgnbd, bgnbd])
def test_one_time_buyers_only_is_a_clear_error(module: Any) -> None:
    T = np.linspace(1, 50, 300)
    with pytest.raises(FitError, match=r"none of the 300 customers bought a second time") as err:
        module.fit(np.zeros(300), np.zeros(300), T)
    assert err.value.code == "one_time_buyers_only"
    assert err.value.figures["model"] == module.NAME and err.value.figures["repeat_customers"] == 0


@pytest.mark.parametrize("module", [pareto_nbd, mbgnbd, bgnbd])
def test_too_few_repeat_customers_is_a_clear_error(module: Any) -> None:
    x = np.r_[np.ones(19), np.zeros(281)]
    T = np.linspace(1, 50, 300)
    with pytest.raises(FitError, match=r"at least 10 customers and 20 with a repeat purchase") as err:
        module.fit(x, x * 0.5, T)
    assert err.value.code == "too_few_customers" and err.value.figures["repeat_customers"] == 19


def test_choosing_on_one_time_buyers_is_a_clear_error() -> None:
    T = np.linspace(1, 50, 300)
    with pytest.raises(FitError, match="none of the 300 customers bought a second time") as err:
        select.choose_model(np.zeros(300), np.zeros(300), T)
    assert err.value.code == "one_time_buyers_only"


# --------------------------------------------------------------------------- intervals


@pytest.fixture(scope="module")
def cdnow_pareto_interval(
    cdnow_summary: CustomerSummary, cdnow_pareto: pareto_nbd.ParetoNBDFit
) -> tuple[FloatArray, FloatArray]:
    return _ep_interval(pareto_nbd, cdnow_pareto, 39.0, *_xtT(cdnow_summary), level=0.9)


def test_intervals_contain_the_point_estimates(
    cdnow_summary: CustomerSummary,
    cdnow_pareto: pareto_nbd.ParetoNBDFit,
    cdnow_pareto_interval: tuple[FloatArray, FloatArray],
) -> None:
    x, tx, T = _xtT(cdnow_summary)
    point = pareto_nbd.expected_purchases(cdnow_pareto, 39.0, x, tx, T)
    low, high = cdnow_pareto_interval
    assert (low <= point).all() and (point <= high).all()
    assert (high - low > 0).all()


def test_intervals_are_reproducible_with_the_seed(
    cdnow_summary: CustomerSummary,
    cdnow_pareto: pareto_nbd.ParetoNBDFit,
    cdnow_pareto_interval: tuple[FloatArray, FloatArray],
) -> None:
    again = _ep_interval(pareto_nbd, cdnow_pareto, 39.0, *_xtT(cdnow_summary), level=0.9)
    np.testing.assert_array_equal(again[0], cdnow_pareto_interval[0])
    np.testing.assert_array_equal(again[1], cdnow_pareto_interval[1])
    other = _ep_interval(pareto_nbd, cdnow_pareto, 39.0, *_xtT(cdnow_summary), level=0.9, seed=7)
    assert not np.array_equal(other[0], cdnow_pareto_interval[0])


def test_intervals_widen_with_fewer_customers(
    cdnow_summary: CustomerSummary, cdnow_pareto_interval: tuple[FloatArray, FloatArray]
) -> None:
    x, tx, T = _xtT(cdnow_summary)
    keep = np.random.default_rng(5).uniform(size=len(x)) < 0.2
    small = pareto_nbd.fit(x[keep], tx[keep], T[keep])
    low, high = _ep_interval(pareto_nbd, small, 39.0, x, tx, T, level=0.9)
    full_low, full_high = cdnow_pareto_interval
    # 0.262 against 0.172 purchases (481 of 2,357 customers): about 1.5 times as wide.
    assert (high - low).mean() > 1.25 * (full_high - full_low).mean()


def test_draws_follow_the_log_parameter_covariance(cdnow_mbgnbd: mbgnbd.MBGNBDFit) -> None:
    draws = mbgnbd.parameter_draws(cdnow_mbgnbd, draws=4000, seed=1)
    z = np.log([[d.free[k] for k in ("r", "alpha", "a", "b")] for d in draws])
    # Cov(log θ) = J Σ J with J = diag(1/θ): the sample covariance within sampling error.
    theta = np.array(list(cdnow_mbgnbd.free.values()))
    expected = cdnow_mbgnbd.covariance / np.outer(theta, theta)
    np.testing.assert_allclose(np.cov(z.T), expected, rtol=0.1, atol=0.01 * np.abs(expected).max())
    np.testing.assert_allclose(z.mean(axis=0), np.log(theta), atol=0.02)


def test_mbgnbd_and_boundary_intervals(
    cdnow_summary: CustomerSummary, cdnow_mbgnbd: mbgnbd.MBGNBDFit
) -> None:
    x, tx, T = _xtT(cdnow_summary)
    low, high = _ep_interval(mbgnbd, cdnow_mbgnbd, 39.0, x, tx, T, level=0.8, draws=100)
    point = mbgnbd.expected_purchases(cdnow_mbgnbd, 39.0, x, tx, T)
    assert (low <= point).all() and (point <= high).all()
    # At a boundary the draws are of the limit's parameters (p on the logit scale: 0 < p < 1).
    sx, stx, sT = _simulate_mbgnbd(seed=0, n=N_SIMULATED, p=0.3)
    fit = mbgnbd.fit(sx, stx, sT)
    draws = mbgnbd.parameter_draws(fit, draws=200, seed=intervals.DEFAULT_SEED)
    assert all(d.boundary == "homogeneous_dropout" and 0 < d.free["p"] < 1 for d in draws)
    low, high = _ep_interval(mbgnbd, fit, 39.0, sx, stx, sT)
    point = mbgnbd.expected_purchases(fit, 39.0, sx, stx, sT)
    assert (low <= point).all() and (point <= high).all()


def test_clv_interval_and_discounting(
    cdnow_summary: CustomerSummary, cdnow_pareto: pareto_nbd.ParetoNBDFit
) -> None:
    x, tx, T = _xtT(cdnow_summary)
    # Without discounting, the discounted sum is the expected purchases over the horizon.
    plain, discounted = discounted_purchases(
        cdnow_pareto, x, tx, T, horizon=52, unit="week", discount_rate=0.0, model=pareto_nbd
    )
    np.testing.assert_allclose(discounted, plain, rtol=1e-12)
    np.testing.assert_allclose(plain, pareto_nbd.expected_purchases(cdnow_pareto, 52.0, x, tx, T), rtol=1e-12)
    plain, discounted = discounted_purchases(
        cdnow_pareto, x, tx, T, horizon=52, unit="week", discount_rate=0.1, model=pareto_nbd
    )
    assert (discounted < plain).all() and (discounted > plain / 1.1).all()
    spend = np.full(len(x), 35.0)

    def clv_of(f: Any) -> tuple[FloatArray]:
        _, disc = discounted_purchases(
            f, x, tx, T, horizon=52, unit="week", discount_rate=0.1, model=pareto_nbd
        )
        return (0.5 * spend * disc,)

    ((low, high),) = intervals.interval(pareto_nbd, cdnow_pareto, clv_of, draws=50)
    value = 0.5 * 35.0 * discounted
    assert (low <= value).all() and (value <= high).all()


def test_interval_level_is_checked(
    cdnow_summary: CustomerSummary, cdnow_pareto: pareto_nbd.ParetoNBDFit
) -> None:
    with pytest.raises(UsageError, match="interval"):
        _ep_interval(pareto_nbd, cdnow_pareto, 39.0, *_xtT(cdnow_summary), level=90)


# --------------------------------------------------------------------------- model choice


def test_every_model_is_registered_under_its_key() -> None:
    assert {"bgnbd": bgnbd, "mbgnbd": mbgnbd, "pareto_nbd": pareto_nbd} == models.PURCHASE_MODELS
    assert select.MODELS is models.PURCHASE_MODELS


def test_bgnbd_draws_follow_its_covariance(cdnow_summary: CustomerSummary) -> None:
    fit = bgnbd.fit(*_xtT(cdnow_summary))
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # FHL 2005
    for name, value in published.items():
        assert fit.params[name] == pytest.approx(value, rel=2e-3)
    assert fit.boundary is None and bgnbd.free_parameters(fit) == fit.params
    # P(alive) = 1 for one-time buyers under BG/NBD, by its assumption.
    x, tx, T = _xtT(cdnow_summary)
    assert (bgnbd.p_alive(fit, x, tx, T)[x == 0] == 1).all()
    # the covariance behind the standard errors is the one the draws follow (log scale)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.covariance)), [fit.std_errors[k] for k in fit.params])
    draws = bgnbd.parameter_draws(fit, 4000, seed=1)
    theta = np.array(list(fit.params.values()))
    z = np.log([list(d.params.values()) for d in draws])
    expected = fit.covariance / np.outer(theta, theta)
    np.testing.assert_allclose(np.cov(z.T), expected, rtol=0.1, atol=0.01 * np.abs(expected).max())
    assert bgnbd.parameter_draws(fit, 10, seed=1)[3] == bgnbd.parameter_draws(fit, 10, seed=1)[3]


def test_choice_by_holdout_on_cdnow(cdnow_summary: CustomerSummary) -> None:
    x, tx, T = _xtT(cdnow_summary)
    f = cdnow_summary.frame
    choice = select.choose_model(
        x,
        tx,
        T,
        holdout_purchases=f["holdout_purchases"],
        holdout_duration=float(f["holdout_duration"].iloc[0]),
    )
    table = choice.table.set_index("model")
    assert list(table.index) == ["bgnbd", "mbgnbd", "pareto_nbd"]
    assert (table["holdout_actual"] == 1882).all()
    for name, module in select.MODELS.items():
        predicted = module.expected_purchases(choice.fits[name], 39.0, x, tx, T).sum()
        assert table.loc[name, "holdout_predicted"] == pytest.approx(predicted, rel=1e-12)
        assert table.loc[name, "error"] == pytest.approx(predicted - 1882, rel=1e-12)
    # Pareto/NBD under-predicts the least (BG/NBD 1,653, MBG/NBD 1,577, Pareto/NBD 1,666).
    assert choice.criterion == "holdout"
    assert choice.model == table["abs_error"].idxmin() == "pareto_nbd"
    assert table["chosen"].sum() == 1 and table.loc["pareto_nbd", "chosen"]
    assert (table["parameters"] == 4).all()


def test_choice_without_holdout_is_by_likelihood(cdnow_summary: CustomerSummary) -> None:
    choice = select.choose_model(*_xtT(cdnow_summary), models=("bgnbd", "pareto_nbd"))
    assert choice.criterion == "log_likelihood"
    # BG/NBD −9582.4 against Pareto/NBD −9595.0.
    assert choice.model == "bgnbd"
    assert list(choice.table.columns) == [
        "model",
        "boundary",
        "log_likelihood",
        "parameters",
        "nominal_parameters",
        "failed",
        "chosen",
    ]


def test_choice_lists_a_model_that_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    # A model whose fit fails is listed with its reason and left out of the choice.
    def fails(*args: Any, **kwargs: Any) -> Any:
        raise FitError("the BG/NBD fit did not converge.", "not_converged")

    monkeypatch.setattr(bgnbd, "fit", fails)
    x, tx, T = _simulate_pareto(seed=1, n=N_SIMULATED, mu=None)
    choice = select.choose_model(x, tx, T)
    table = choice.table.set_index("model")
    assert "did not converge" in table.loc["bgnbd", "failed"]
    assert math.isnan(table.loc["bgnbd", "log_likelihood"])
    assert choice.model in ("mbgnbd", "pareto_nbd")
    assert set(table.loc[["mbgnbd", "pareto_nbd"], "boundary"]) == {"no_dropout"}


def test_choice_on_a_likelihood_tie_takes_the_fewest_parameters() -> None:
    # No drop-out (seed 0): all three reach the NBD limit (r, alpha), the same model, with
    # the same log-likelihood and 2 parameters: the first in order wins the tie.
    x, tx, T = _simulate_pareto(seed=0, n=N_SIMULATED, mu=None)
    choice = select.choose_model(x, tx, T)
    table = choice.table.set_index("model")
    assert table["log_likelihood"].max() - table["log_likelihood"].min() < 1e-6
    assert (table["parameters"] == 2).all() and set(table["boundary"]) == {"no_dropout"}
    assert choice.model == "bgnbd"


def test_choice_rejects_unknown_models() -> None:
    with pytest.raises(UsageError, match="--model"):
        select.choose_model([1], [1.0], [2.0], models=("gamma",))


# ------------------------------------------------------------------ repeat-count probabilities


@pytest.mark.parametrize("name", ["bgnbd", "mbgnbd", "pareto_nbd"])
def test_count_probabilities_sum_to_one_and_average_to_the_expected_purchases(
    cdnow_summary: CustomerSummary, name: str
) -> None:
    module = models.PURCHASE_MODELS[name]
    fit = module.fit(*_xtT(cdnow_summary))
    t = np.array([0.0, 1.0, 39.0, 78.0])
    probabilities = module.count_probabilities(fit, t, 400)
    assert (probabilities >= 0).all()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-10)
    assert probabilities[0, 0] == pytest.approx(1.0)  # nothing happens in no time
    # E[X(t)] from the probabilities is the model's own closed form (or quadrature)
    mean = probabilities @ np.arange(400)
    expected = [module.expected_repeat_purchases(fit, float(v)) for v in t]
    np.testing.assert_allclose(mean, expected, rtol=1e-8, atol=1e-12)


def test_count_probabilities_by_hand() -> None:
    # BG/NBD with one drop-out p = 0.5 and one rate λ = 1 at t = 1: P(N = k) = e^-1/k!;
    # P(X = 0) = P(N = 0) = e^-1; P(X = 1) = 0.5·e^-1 + 0.5·(1 − e^-1) = 0.5.
    fit = bgnbd.BGNBDFit(math.inf, math.inf, math.inf, math.inf, {}, 0.0, 0, dropout=0.5, purchase_rate=1.0)
    p = bgnbd.count_probabilities(fit, np.array([1.0]), 3)[0]
    assert p[0] == pytest.approx(math.exp(-1), rel=1e-14) and p[1] == pytest.approx(0.5, rel=1e-14)
    # P(X = 2) = 0.25·e^-1/2 + 0.25·(1 − e^-1 − e^-1)
    assert p[2] == pytest.approx(0.25 * math.exp(-1) / 2 + 0.25 * (1 - 2 * math.exp(-1)), rel=1e-14)


def test_pareto_on_many_rows_is_fitted_on_a_seeded_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    x, tx, T = _simulate_pareto(seed=2, n=N_SIMULATED, mu=0.05)
    monkeypatch.setattr(pareto_nbd, "SAMPLE_ROWS", 400)
    fit = pareto_nbd.fit(x, tx, T)
    assert fit.customers == N_SIMULATED and fit.fitted_customers == 400
    # the estimate is the fit on the sampled customers …
    pick = np.sort(np.random.default_rng(pareto_nbd.SAMPLE_SEED).choice(N_SIMULATED, size=400, replace=False))
    direct = pareto_nbd.fit(x[pick], tx[pick], T[pick])
    assert fit.boundary == direct.boundary and fit.free == direct.free
    # … and its log-likelihood is over every customer, as the other models' are
    assert fit.log_likelihood == pytest.approx(pareto_nbd.log_likelihood(fit, x, tx, T).sum(), rel=1e-10)
    assert pareto_nbd.estimates(fit)["pareto_nbd_fitted_customers"] == 400
    again = pareto_nbd.fit(x, tx, T)  # seeded: the same sample every run
    assert again.free == fit.free and again.log_likelihood == fit.log_likelihood
