"""Fits that never fail on data that can be fitted: BG/NBD and Gamma-Gamma at their boundaries.

Each case simulates customers from a limit of the model (numpy seed fixed), checks that
the fit names that limit (``boundary``), that its predictions are finite and close to
what the simulation knows, and that ``kamtool clv`` exits 0 on the same data and the
words say it, in English and Chinese. Only data that cannot identify any model (nobody
bought twice) is an error, and the error says what is missing.

Tolerances, and why:

- parameters: within 4 of the fit's own standard errors of the simulated value (a normal
  estimate misses that by chance with probability 6e-5);
- the total of expected purchases in a 26-week holdout against the purchases the
  simulation made there: within 4 standard deviations of a sum of independent customer
  errors, estimated by sqrt(Σ (actual − expected)²);
- the sum of P(alive) against the customers the simulation kept alive: within 4
  standard deviations of a sum of Bernoulli variables, sqrt(Σ P(1 − P)).

Both sums ignore the error of the fitted parameters, which at 3,000 customers is a few
per cent of theirs (the standard errors are 2-3 % of the estimates).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.special import gammaln

from kamtool.analyses import clv as m
from kamtool.analyses.clv import gamma_gamma
from kamtool.analyses.clv.fit import FitError
from kamtool.render.words import clv as words
from kamtool.result import Result
from tests.conftest import run_kamtool

HORIZON = 26.0  # weeks of holdout the simulation runs on
END = date(2025, 6, 30)  # the last day of the simulated order files


@dataclass
class Simulated:
    """Customers simulated from BG/NBD (weeks): the summary, the holdout and the truth."""

    x: np.ndarray
    tx: np.ndarray
    T: np.ndarray
    holdout: np.ndarray  # purchases in (T, T + HORIZON]
    alive: np.ndarray  # alive at T
    times: list[list[float]]  # purchase times in [0, T], the first at 0


def simulate_bgnbd(rng: np.random.Generator, rates: np.ndarray, dropouts: np.ndarray) -> Simulated:
    """BG/NBD as FHL 2005 tell it, on whole days: while alive a purchase chance λ/7 each day
    (the Poisson process at rate λ a week on a daily grid, so that the order file holds
    exactly the simulated purchases, none merged), a drop-out coin with probability p
    after every repeat purchase; ages T uniform in [26, 52] weeks, whole days."""
    n = len(rates)
    ages = np.round(rng.uniform(26, 52, n) * 7) / 7  # whole days, as the order file has
    x, tx, hold = np.zeros(n), np.zeros(n), np.zeros(n)
    alive = np.ones(n, dtype=bool)
    times: list[list[float]] = []
    for i in range(n):
        t, mine = 0.0, [0.0]
        while True:
            t += rng.geometric(min(rates[i] / 7, 1.0)) / 7
            if t > ages[i] + HORIZON:
                break
            if t <= ages[i]:
                x[i] += 1
                tx[i] = t
                mine.append(t)
            else:
                hold[i] += 1
            if rng.random() < dropouts[i]:
                alive[i] = t > ages[i]
                break
        times.append(mine)
    return Simulated(x, tx, ages, hold, alive, times)


def check_predictions(fit: m.BGNBDFit, sim: Simulated) -> None:
    """Finite predictions, close to what the simulation did (see the module docstring)."""
    expected = m.bgnbd_expected_purchases(fit, HORIZON, sim.x, sim.tx, sim.T)
    alive = m.bgnbd_p_alive(fit, sim.x, sim.tx, sim.T)
    assert np.isfinite(expected).all() and np.isfinite(alive).all()
    spread = np.sqrt(np.sum((sim.holdout - expected) ** 2))
    assert abs(expected.sum() - sim.holdout.sum()) < 4 * spread
    assert abs(alive.sum() - sim.alive.sum()) <= 4 * np.sqrt(np.sum(alive * (1 - alive))) + 1e-9


def within(estimate: float, truth: float, se: float) -> bool:
    return bool(np.isfinite(se) and se > 0 and abs(estimate - truth) < 4 * se)


def write_orders(path: Path, sim: Simulated, rng: np.random.Generator | None = None) -> Path:
    """The simulation as an order file: one line per purchase on whole days, the last
    order day (the default calibration end) ``END``. Spend is 30 a purchase without
    ``rng``, else Gamma-Gamma's: Gamma(6, ν) with ν ~ Gamma(4, 15) per customer (mean 30)."""
    lines = []
    for i, mine in enumerate(sim.times):
        first = END - timedelta(days=round(sim.T[i] * 7))
        nu = 1.0 if rng is None else rng.gamma(4, 1 / 15.0)
        for t in mine:
            amount = 30.0 if rng is None else round(float(rng.gamma(6, 1 / nu)), 2)
            lines.append((f"C{i:05d}", (first + timedelta(days=round(t * 7))).isoformat(), amount))
    pd.DataFrame(lines, columns=["customer", "date", "amount"]).to_csv(path, index=False)
    return path


def clv_json(path: Path, *args: str) -> dict:
    run = run_kamtool(
        ["clv", str(path), "--format", "json", "--model", "bgnbd", "--calibration-end", END.isoformat()]
        + list(args)
    )
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stderr
    return json.loads(run.stdout)


def daily_of(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"customer": str}, parse_dates=["date"])
    return frame.groupby(["customer", "date"], as_index=False).agg(revenue=("amount", "sum"))


def as_filed(sim: Simulated, path: Path) -> Simulated:
    """The simulation as kamtool reads it back from the order file (whole days, same-day
    purchases merged, T counted to the calibration end inclusive): what the CLI fits."""
    frame = m.customer_summary(daily_of(path), calibration_end=END.isoformat()).frame
    order = np.argsort(frame["customer"].to_numpy())  # C00000, C00001 … as simulated
    col = {k: frame[k].to_numpy(dtype=float)[order] for k in ("frequency", "recency", "T")}
    return Simulated(col["frequency"], col["recency"], col["T"], sim.holdout, sim.alive, sim.times)


def clv_result(path: Path) -> Result:
    return m.clv(daily_of(path), model="bgnbd", calibration_end=END.isoformat())


# --------------------------------------------------------------------------- BG/NBD


# With the truth on a boundary, the maximum-likelihood estimate lies on it in about half
# the samples and just inside it in the others (the estimate of a parameter at the edge of
# its space is a point mass on the edge plus a half-normal): seeds 101 … 108 of these
# designs give the limit for 4 to 8 of them. The seeds below are ones that do; the
# interior answers of the others are near-limit fits with the same predictions.
HOMOGENEOUS_SEED, NO_DROPOUT_SEED, ONE_RATE_SEED = 104, 3, 1101


def simulated_file(tmp_path: Path, seed: int, rates: str, dropout: str) -> tuple[Simulated, Path]:
    rng = np.random.default_rng(seed)
    n = 3000
    lam = rng.gamma(0.8, 1 / 4.0, n) if rates == "gamma" else np.full(n, 0.5)
    p = {"0.1": np.full(n, 0.1), "0": np.zeros(n), "1": np.ones(n), "beta": None}[dropout]
    sim = simulate_bgnbd(rng, lam, rng.beta(1.0, 6.0, n) if p is None else p)
    path = write_orders(tmp_path / "orders.csv", sim, np.random.default_rng(seed + 1))
    return as_filed(sim, path), path


@pytest.fixture(scope="module")
def homogeneous(tmp_path_factory: pytest.TempPathFactory) -> tuple[Simulated, Path]:
    return simulated_file(tmp_path_factory.mktemp("homogeneous"), HOMOGENEOUS_SEED, "gamma", "0.1")


def test_homogeneous_dropout(homogeneous: tuple[Simulated, Path]) -> None:
    # every customer drops out with p = 0.1: Beta(a, b) narrows to a point, a, b → ∞
    sim, path = homogeneous
    fit = m.fit_bgnbd(sim.x, sim.tx, sim.T)
    assert fit.boundary == "homogeneous_dropout" and fit.a == fit.b == np.inf
    assert within(fit.dropout or 0.0, 0.1, fit.std_errors["dropout"])
    assert within(fit.r, 0.8, fit.std_errors["r"]) and within(fit.alpha, 4.0, fit.std_errors["alpha"])
    check_predictions(fit, sim)
    doc = clv_json(path)
    assert doc["summary"]["bgnbd_boundary"] == doc["params"]["bgnbd_boundary"] == "homogeneous_dropout"
    assert doc["summary"]["gamma_gamma_boundary"] is None
    assert all(np.isfinite(row["clv"]) for row in doc["rows"])
    result = clv_result(path)
    assert "the same drop-out probability" in words.headline(result, "en")[2]
    assert "流失概率相同" in words.headline(result, "zh")[2]


def test_no_dropout(tmp_path: Path) -> None:
    # nobody ever drops out: a/(a+b) → 0, the NBD model; everyone is alive
    sim, path = simulated_file(tmp_path, NO_DROPOUT_SEED, "gamma", "0")
    fit = m.fit_bgnbd(sim.x, sim.tx, sim.T)
    assert fit.boundary == "no_dropout" and fit.dropout == 0.0
    assert within(fit.r, 0.8, fit.std_errors["r"]) and within(fit.alpha, 4.0, fit.std_errors["alpha"])
    np.testing.assert_array_equal(m.bgnbd_p_alive(fit, sim.x, sim.tx, sim.T), 1.0)
    check_predictions(fit, sim)
    # without drop-out the expectation is closed-form: (r + x) / (α + T) · t
    expected = m.bgnbd_expected_purchases(fit, HORIZON, sim.x, sim.tx, sim.T)
    np.testing.assert_allclose(expected, (fit.r + sim.x) / (fit.alpha + sim.T) * HORIZON, rtol=1e-12)
    doc = clv_json(path)
    assert doc["summary"]["bgnbd_boundary"] == "no_dropout"
    result = clv_result(path)
    assert "nobody drops out" in words.headline(result, "en")[2]
    assert "没有客户流失" in words.headline(result, "zh")[2]
    assert any("Nobody seems to drop out" in note for note in words.notes(result, "en"))


def test_dropout_right_after_the_first_repeat_purchase(tmp_path: Path) -> None:
    # p = 1 for everyone (b → 0): nobody buys more than twice; those who did are gone
    sim, path = simulated_file(tmp_path, 5, "gamma", "1")
    assert sim.x.max() == 1
    fit = m.fit_bgnbd(sim.x, sim.tx, sim.T)
    assert fit.boundary == "certain_dropout" and fit.dropout == 1.0
    assert within(fit.r, 0.8, fit.std_errors["r"]) and within(fit.alpha, 4.0, fit.std_errors["alpha"])
    np.testing.assert_array_equal(m.bgnbd_p_alive(fit, sim.x, sim.tx, sim.T), np.where(sim.x > 0, 0.0, 1.0))
    check_predictions(fit, sim)
    # a customer still alive buys at most once more: 1 − ((α+T)/(α+T+t))^r
    once = sim.x == 0
    expected = m.bgnbd_expected_purchases(fit, HORIZON, sim.x, sim.tx, sim.T)
    base = fit.alpha + sim.T[once]
    np.testing.assert_allclose(expected[once], 1 - (base / (base + HORIZON)) ** fit.r, rtol=1e-12)
    doc = clv_json(path)
    assert doc["summary"]["bgnbd_boundary"] == "certain_dropout"
    result = clv_result(path)
    assert "drops out right after the first repeat purchase" in words.headline(result, "en")[2]
    assert "第一次重复购买后即流失" in words.headline(result, "zh")[2]


def test_one_purchase_rate(tmp_path: Path) -> None:
    # every customer buys at 0.5 a week while alive, drop-out p ~ Beta(1, 6): r, α → ∞
    sim, path = simulated_file(tmp_path, ONE_RATE_SEED, "one", "beta")
    fit = m.fit_bgnbd(sim.x, sim.tx, sim.T)
    assert fit.boundary == "homogeneous_purchase" and fit.r == fit.alpha == np.inf
    assert within(fit.purchase_rate or 0.0, 0.5, fit.std_errors["rate"])
    assert within(fit.a, 1.0, fit.std_errors["a"]) and within(fit.b, 6.0, fit.std_errors["b"])
    check_predictions(fit, sim)
    doc = clv_json(path)
    assert doc["summary"]["bgnbd_boundary"] == "homogeneous_purchase"
    rows = {row["parameter"]: row for row in doc["tables"]["parameters"]}
    assert rows["r/alpha"]["estimate"] == pytest.approx(doc["summary"]["purchase_rate"])
    result = clv_result(path)
    assert "one purchase rate for every customer" in words.headline(result, "en")[2]
    assert "购买率相同" in words.headline(result, "zh")[2]


def test_one_time_buyers_only_is_a_clear_error(tmp_path: Path) -> None:
    lines = [(f"C{i:03d}", (date(2025, 1, 1) + timedelta(days=i)).isoformat(), 10.0) for i in range(40)]
    path = tmp_path / "once.csv"
    pd.DataFrame(lines, columns=["customer", "date", "amount"]).to_csv(path, index=False)
    with pytest.raises(FitError) as err:
        clv_result(path)
    assert err.value.code == "one_time_buyers_only"
    assert err.value.figures["customers"] == 40 and err.value.figures["repeat_customers"] == 0
    assert "none of the 40 customers bought a second time" in str(err.value)
    run = run_kamtool(["clv", str(path)])
    assert run.code != 0 and "Traceback" not in run.stderr
    assert "none of the 40 customers bought a second time" in run.stderr


def test_one_time_buyers_are_counted_as_alive(homogeneous: tuple[Simulated, Path]) -> None:
    result = clv_result(homogeneous[1])
    once = int((result.rows["frequency"] == 0).sum())
    assert result.summary["one_time_alive"] == once > 0
    assert (result.rows.loc[result.rows["frequency"] == 0, "p_alive"] == 1.0).all()
    assert f"{once:,} of them one-time buyers whom BG/NBD counts as alive" in words.headline(result, "en")[1]
    assert f"其中 {once:,} 位只购买过一次" in words.headline(result, "zh")[1]


# --------------------------------------------------------------------------- Gamma-Gamma


def test_identical_spend(homogeneous: tuple[Simulated, Path], tmp_path: Path) -> None:
    # every purchase is worth 30: p, q and γ all run away; expected spend is 30 for all
    x = np.array([1.0, 2.0, 3.0, 0.0, 5.0] * 4)
    fit = m.fit_gamma_gamma(x, np.where(x > 0, 30.0, 0.0))
    assert fit.boundary == "identical_spend" and fit.mean_spend == 30.0
    np.testing.assert_array_equal(m.gamma_gamma_expected_spend(fit, x, np.where(x > 0, 30.0, 0.0)), 30.0)
    path = write_orders(tmp_path / "orders.csv", homogeneous[0])
    doc = clv_json(path)
    boundary = doc["summary"]["gamma_gamma_boundary"]
    assert boundary == doc["params"]["gamma_gamma_boundary"] == "identical_spend"
    assert all(row["expected_spend"] == 30.0 and np.isfinite(row["clv"]) for row in doc["rows"])
    result = clv_result(path)
    assert "every repeat purchase is worth the same 30.00" in words.headline(result, "en")[2]
    assert "每次重复购买的金额都相同" in words.headline(result, "zh")[2]


def test_same_mean_spend() -> None:
    # spend per purchase Gamma(3, ν = 0.1) for everyone: q, γ → ∞ with q/γ = ν
    rng = np.random.default_rng(2)
    x = 1 + rng.poisson(3, 2000).astype(float)
    z = np.array([rng.gamma(3, 1 / 0.1, int(k)).mean() for k in x])
    fit = m.fit_gamma_gamma(x, z)
    assert fit.boundary == "same_mean_spend"
    assert within(fit.limit["p"], 3.0, fit.std_errors["p"])
    assert within(fit.limit["nu"], 0.1, fit.std_errors["nu"])
    spend = m.gamma_gamma_expected_spend(fit, x, z)
    # the truth: every customer's mean spend is p/ν = 30; the estimate's error is that of
    # the mean of 8,000 Gamma(3) purchases, 30/sqrt(3·8,000) ≈ 0.19
    np.testing.assert_allclose(spend, fit.mean_spend)
    assert abs(fit.mean_spend - 30.0) < 4 * 30 / np.sqrt(3 * x.sum())


def test_steady_spend() -> None:
    # each customer spends the same amount m ~ inverse-Gamma(4, 90) on every purchase
    rng = np.random.default_rng(2)
    x = 1 + rng.poisson(3, 2000).astype(float)
    amount = 90 / rng.gamma(4, 1, 2000)
    fit = m.fit_gamma_gamma(x, amount)
    assert fit.boundary == "steady_spend"
    assert within(fit.limit["q"], 4.0, fit.std_errors["q"])
    assert within(fit.limit["delta"], 90.0, fit.std_errors["delta"])
    # the customer's own amount is the truth, and the prediction
    np.testing.assert_array_equal(m.gamma_gamma_expected_spend(fit, x, amount), amount)
    np.testing.assert_allclose(m.gamma_gamma_expected_spend(fit, [0.0], [0.0]), fit.mean_spend)
    rows = dict((r[0], r[1]) for r in gamma_gamma.parameter_rows(fit))
    assert set(rows) == {"q", "p*gamma"}


# --------------------------------------------------------------------------- the limits' likelihoods


def _limit_fit(**fields: float | None) -> m.BGNBDFit:
    base: dict = {"r": 1.2, "alpha": 5.0, "a": np.nan, "b": np.nan, "std_errors": {}, "log_likelihood": 0.0}
    return m.BGNBDFit(**{**base, **fields}, customers=0)


def test_limit_log_likelihoods_match_the_formulas() -> None:
    # FHL eq. 6 in each limit, written out per customer:
    #   rate part  L(t) = Γ(r+x)/Γ(r)·α^r/(α+t)^(r+x), or λ^x·e^(−λt) with one rate λ
    #   drop-out   (1−p)^x·L(T) + p·(1−p)^(x−1)·L(t_x) [x > 0], with p = 0, p fixed or p = 1
    x = np.array([0.0, 1.0, 1.0, 3.0, 0.0, 1.0])
    tx = np.array([0.0, 2.0, 7.5, 9.0, 0.0, 0.5])
    T = np.array([10.0, 10.0, 12.0, 11.0, 3.0, 4.0])
    r, alpha, lam, p = 1.2, 5.0, 0.3, 0.2

    def gamma_rate(t: np.ndarray) -> np.ndarray:
        return np.exp(gammaln(r + x) - gammaln(r) + r * np.log(alpha) - (r + x) * np.log(alpha + t))

    def one_rate(t: np.ndarray) -> np.ndarray:
        return lam**x * np.exp(-lam * t)

    def mixed(rate: Callable[[np.ndarray], np.ndarray], q: float) -> np.ndarray:
        survive = (1 - q) ** x * rate(T)
        dropped = np.where(x > 0, q * (1 - q) ** np.maximum(x - 1, 0) * rate(tx), 0.0)
        return np.log(survive + dropped)

    inf = np.inf
    cases = [
        (_limit_fit(dropout=0.0), np.log(gamma_rate(T))),
        (_limit_fit(a=inf, b=inf, dropout=p), mixed(gamma_rate, p)),
        (_limit_fit(r=inf, alpha=inf, a=inf, b=inf, dropout=p, purchase_rate=lam), mixed(one_rate, p)),
        (_limit_fit(r=inf, alpha=inf, dropout=0.0, purchase_rate=lam), np.log(one_rate(T))),
    ]
    for fit, want in cases:
        np.testing.assert_allclose(m.bgnbd_log_likelihood(fit, x, tx, T), want, rtol=1e-12)
    # p = 1 only fits customers with at most one repeat purchase: drop the x = 3 one
    keep = x <= 1
    got = m.bgnbd_log_likelihood(_limit_fit(dropout=1.0), x[keep], tx[keep], T[keep])
    want = np.where(x > 0, np.log(gamma_rate(tx)), np.log(gamma_rate(T)))[keep]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_gamma_gamma_limit_likelihoods_match_scipy() -> None:
    # same mean spend: z̄ ~ Gamma(p·x, rate x·ν); steady spend: z̄ ~ inverse-Gamma(q, δ)
    x = np.array([1.0, 2.0, 5.0, 3.0])
    z = np.array([12.0, 30.5, 22.0, 41.0])
    data = gamma_gamma._GammaGammaData.build(x, z)
    p, nu, q, delta = 2.5, 0.08, 3.5, 70.0
    same, _ = gamma_gamma._same_mean_total(np.array([p, nu]), data)
    assert same == pytest.approx(stats.gamma.logpdf(z, a=p * x, scale=1 / (x * nu)).sum(), rel=1e-12)
    steady, _ = gamma_gamma._steady_total(np.array([q, delta]), data)
    assert steady == pytest.approx(stats.invgamma.logpdf(z, a=q, scale=delta).sum(), rel=1e-12)
    # and their gradients are the likelihoods' slopes
    limits = (
        (gamma_gamma._same_mean_total, np.array([p, nu])),
        (gamma_gamma._steady_total, np.array([q, delta])),
    )
    for total, theta in limits:
        grad = total(theta, data)[1]
        for k in range(2):
            step = np.zeros(2)
            step[k] = 1e-6 * theta[k]
            slope = (total(theta + step, data)[0] - total(theta - step, data)[0]) / (2 * step[k])
            assert grad[k] == pytest.approx(slope, rel=1e-5)


def test_fewer_than_20_repeat_customers_is_a_clear_error() -> None:
    # 19 customers with one repeat purchase, 30 without: too little to tell rates from drop-out
    x = np.r_[np.ones(19), np.zeros(30)]
    with pytest.raises(FitError) as err:
        m.fit_bgnbd(x, x * 3.0, np.full(49, 10.0))
    assert err.value.code == "too_few_customers"
    assert err.value.figures["repeat_customers"] == 19 and err.value.figures["min_repeat_customers"] == 20
    assert "at least 10 customers and 20 with a repeat purchase" in str(err.value)
    assert "this data has 49 and 19" in str(err.value)
    # one more repeat customer and it fits: nobody bought more than twice, so the maximum
    # is the limit in which everyone drops out right after the first repeat purchase
    fit = m.fit_bgnbd(np.r_[x, 1.0], np.r_[x * 3.0, 3.0], np.full(50, 10.0))
    assert fit.boundary == "certain_dropout" and np.isfinite(fit.log_likelihood)
