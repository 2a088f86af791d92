"""Tests of kamtool.analyses.clv: summary, BG/NBD, Gamma-Gamma, CLV, holdout, CDNOW."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats
from scipy.special import betaincinv, hyp2f1

from kamtool.analyses import clv as m
from kamtool.analyses.clv.bgnbd import beta_gauss_rule
from kamtool.errors import AnalysisError, UsageError
from kamtool.labels import has_label, label
from kamtool.render.words import clv as words
from kamtool.result import Result
from tests.conftest import load_daily

DATA = Path(__file__).parent / "data" / "cdnow_sample.csv"
SAMPLE = Path(__file__).parents[1] / "sample_data" / "orders.csv"


def _daily(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer", "date", "revenue"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


@pytest.fixture(scope="module")
def cdnow_daily() -> pd.DataFrame:
    lines = pd.read_csv(DATA, dtype={"customer": str}, parse_dates=["date"])
    return lines.groupby(["customer", "date"], as_index=False).agg(
        revenue=("amount", "sum"), orders=("amount", "size"), quantity=("quantity", "sum")
    )


@pytest.fixture(scope="module")
def cdnow_summary(cdnow_daily: pd.DataFrame) -> m.CustomerSummary:
    return m.customer_summary(
        cdnow_daily, calibration_end="1997-09-30", unit="week", observation_end="1998-06-30"
    )


@pytest.fixture(scope="module")
def cdnow_bgnbd(cdnow_summary: m.CustomerSummary) -> m.BGNBDFit:
    f = cdnow_summary.frame
    return m.fit_bgnbd(f["frequency"], f["recency"], f["T"])


# --------------------------------------------------------------------------- summary

HAND_ROWS = [
    # A: Jan 1 (10), Jan 8 (20 + 5, merged), Jan 22 (30), Feb 10 (12, after the calibration end)
    ("A", "2024-01-01", 10.0),
    ("A", "2024-01-08", 20.0),
    ("A", "2024-01-08", 5.0),
    ("A", "2024-01-22", 30.0),
    ("A", "2024-02-10", 12.0),
    # B: Jan 15 (40), Jan 20 (0: a zero-value order still is a purchase)
    ("B", "2024-01-15", 40.0),
    ("B", "2024-01-20", 0.0),
    # C: Jan 3 (15), Jan 10 a return only (-8): not a purchase
    ("C", "2024-01-03", 15.0),
    ("C", "2024-01-10", -8.0),
    # D: first purchase after the calibration end -> left out and counted
    ("D", "2024-02-05", 50.0),
    # E: only a return -> no purchase at all
    ("E", "2024-01-05", -5.0),
]


def test_summary_by_hand() -> None:
    # Calibration end 2024-01-29, weeks:
    # A: purchase days Jan 1, 8, 22 -> frequency 2; recency Jan 22 - Jan 1 = 21 d = 3 w;
    #    T = Jan 29 - Jan 1 = 28 d = 4 w; monetary = (25 + 30) / 2 = 27.5; holdout: Feb 10 -> 1
    # B: frequency 1, recency 5 d = 5/7 w, T = 14 d = 2 w, monetary = 0 / 1 = 0
    # C: frequency 0, recency 0, T = 26 d = 26/7 w, monetary 0
    rows = HAND_ROWS[::-1]  # input order must not matter
    s = m.customer_summary(
        _daily(rows), calibration_end="2024-01-29", unit="week", observation_end="2024-02-29"
    )
    f = s.frame
    assert list(f["customer"]) == ["A", "B", "C"]
    assert list(f["frequency"]) == [2, 1, 0]
    np.testing.assert_allclose(f["recency"], [3.0, 5 / 7, 0.0])
    np.testing.assert_allclose(f["T"], [4.0, 2.0, 26 / 7])
    np.testing.assert_allclose(f["monetary"], [27.5, 0.0, 0.0])
    assert list(f["first_date"]) == list(pd.to_datetime(["2024-01-01", "2024-01-15", "2024-01-03"]))
    assert list(f["last_date"]) == list(pd.to_datetime(["2024-01-22", "2024-01-20", "2024-01-03"]))
    # holdout Jan 30 .. Feb 29 = 31 days; only A buys in it (Feb 10); D is not in the summary
    assert list(f["holdout_purchases"]) == [1, 0, 0]
    np.testing.assert_allclose(f["holdout_duration"], 31 / 7)
    assert s.excluded_after_calibration == 1  # D
    assert s.returns_only == 1  # E
    assert s.calibration_end == pd.Timestamp("2024-01-29")
    assert s.data_end == pd.Timestamp("2024-02-10")


def test_summary_units_and_default_end() -> None:
    # Default calibration end = last purchase day, Feb 10; in days A has T = 40, recency 21
    # and the Feb 10 purchase counts: frequency 3, monetary (25 + 30 + 12) / 3.
    f = m.customer_summary(_daily(HAND_ROWS), unit="day").frame.set_index("customer")
    assert f.loc["A", "frequency"] == 3
    assert f.loc["A", "recency"] == 40.0
    assert f.loc["A", "T"] == 40.0
    assert f.loc["A", "monetary"] == pytest.approx(67 / 3)
    assert f.loc["D", "T"] == 5.0  # Feb 5 -> Feb 10
    months = m.customer_summary(_daily(HAND_ROWS), unit="month").frame.set_index("customer")
    assert months.loc["A", "T"] == pytest.approx(40 / (365.25 / 12))


def test_summary_usage_errors() -> None:
    with pytest.raises(UsageError, match="unit"):
        m.customer_summary(_daily(HAND_ROWS), unit="year")
    with pytest.raises(UsageError, match="calibration end"):
        m.customer_summary(_daily(HAND_ROWS), observation_end="2024-03-01")
    with pytest.raises(UsageError, match="after the calibration end"):
        m.customer_summary(_daily(HAND_ROWS), calibration_end="2024-01-29", observation_end="2024-01-20")
    with pytest.raises(AnalysisError, match="calibration end"):
        m.customer_summary(_daily(HAND_ROWS), calibration_end="2023-12-01")


def _slow_summary(rows: list[tuple[str, str, float]], end: str) -> dict[str, tuple]:
    """The definition read literally, one customer at a time."""
    days: dict[str, dict[pd.Timestamp, float]] = {}
    for customer, date, revenue in rows:
        per = days.setdefault(customer, {})
        per[pd.Timestamp(date)] = per.get(pd.Timestamp(date), 0.0) + revenue
    cal = pd.Timestamp(end)
    out = {}
    for customer, per in days.items():
        bought = sorted(d for d, v in per.items() if v >= 0 and d <= cal)
        if not bought:
            continue
        repeat = [per[d] for d in bought[1:]]
        out[customer] = (
            len(bought) - 1,
            (bought[-1] - bought[0]).days,
            (cal - bought[0]).days,
            sum(repeat) / len(repeat) if repeat else 0.0,
        )
    return out


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d"]),
            st.dates(
                min_value=pd.Timestamp("2024-01-01").date(), max_value=pd.Timestamp("2024-03-01").date()
            ),
            st.integers(min_value=-50, max_value=100).map(float),
        ),
        min_size=1,
        max_size=30,
    ),
    st.randoms(use_true_random=False),
)
def test_summary_matches_the_definition(rows: list, rnd: object) -> None:
    rows = [(c, d.isoformat(), v) for c, d, v in rows]
    if not any(v >= 0 for _, _, v in rows):
        return
    end = "2024-02-10"
    expected = _slow_summary(rows, end)
    if not expected:
        with pytest.raises(AnalysisError):
            m.customer_summary(_daily(rows), calibration_end=end, unit="day")
        return
    shuffled = list(rows)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    f = m.customer_summary(_daily(shuffled), calibration_end=end, unit="day").frame
    got = {
        row.customer: (row.frequency, row.recency, row.T, row.monetary) for row in f.itertuples(index=False)
    }
    assert got.keys() == expected.keys()
    for customer, want in expected.items():
        assert got[customer][:3] == want[:3]
        assert got[customer][3] == pytest.approx(want[3])


# --------------------------------------------------------------------------- likelihoods


def _lbeta(p: float, q: float) -> float:
    return math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q)


def slow_bgnbd_ll(r: float, alpha: float, a: float, b: float, x: int, tx: float, t: float) -> float:
    """FHL 2005 eq. 6 written out term by term."""
    gamma_part = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)
    first = math.exp(_lbeta(a, b + x) - _lbeta(a, b) + gamma_part - (r + x) * math.log(alpha + t))
    second = 0.0
    if x > 0:
        second = math.exp(
            _lbeta(a + 1, b + x - 1) - _lbeta(a, b) + gamma_part - (r + x) * math.log(alpha + tx)
        )
    return math.log(first + second)


def slow_gg_ll(p: float, q: float, gamma: float, x: int, z: float) -> float:
    """Density of the mean of x Gamma(p, ν) spends with ν ~ Gamma(q, γ) (Fader-Hardie note)."""
    return (
        math.lgamma(p * x + q)
        - math.lgamma(p * x)
        - math.lgamma(q)
        + q * math.log(gamma)
        + (p * x - 1) * math.log(z)
        + p * x * math.log(x)
        - (p * x + q) * math.log(gamma + x * z)
    )


def slow_expected(r: float, alpha: float, a: float, b: float, t: float, x: int, tx: float, T: float) -> float:
    """FHL 2005 eq. 10 as printed, with scipy's hyp2f1."""
    z = t / (alpha + T + t)
    top = (
        (a + b + x - 1)
        / (a - 1)
        * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z))
    )
    death = a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x) if x > 0 else 0.0
    return top / (1 + death)


def _random_summary(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 9, n).astype(float)
    T = rng.uniform(1, 40, n)
    tx = np.where(x > 0, rng.uniform(0.1, 1, n) * T, 0.0)
    return x, tx, T


# (r, alpha, a, b): the CDNOW fit, a < 1 < a with b < 1, and very small r.
PARAMS = [(0.243, 4.414, 0.793, 2.426), (1.7, 12.0, 2.5, 0.6), (0.05, 0.8, 0.3, 9.0)]


def _bg(params: tuple[float, float, float, float]) -> m.BGNBDFit:
    r, alpha, a, b = params
    return m.BGNBDFit(r=r, alpha=alpha, a=a, b=b, std_errors={}, log_likelihood=0.0, customers=0)


@pytest.mark.parametrize("params", PARAMS)
def test_bgnbd_log_likelihood_matches_slow_formula(params: tuple[float, float, float, float]) -> None:
    x, tx, T = _random_summary(40, seed=3)
    fast = m.bgnbd_log_likelihood(_bg(params), x, tx, T)
    slow = [slow_bgnbd_ll(*params, int(xi), ti, Ti) for xi, ti, Ti in zip(x, tx, T, strict=True)]
    np.testing.assert_allclose(fast, slow, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("params", PARAMS)
def test_predictions_match_slow_formula(params: tuple[float, float, float, float]) -> None:
    x, tx, T = _random_summary(40, seed=4)
    fit = _bg(params)
    for t in (1.0, 13.0, 52.0):
        fast = m.bgnbd_expected_purchases(fit, t, x, tx, T)
        slow = [slow_expected(*params, t, int(a), b, c) for a, b, c in zip(x, tx, T, strict=True)]
        np.testing.assert_allclose(fast, slow, rtol=1e-8)
    alive = m.bgnbd_p_alive(fit, x, tx, T)
    r, alpha, a, b = params
    for xi, ti, Ti, got in zip(x, tx, T, alive, strict=True):
        odds = a / (b + xi - 1) * ((alpha + Ti) / (alpha + ti)) ** (r + xi) if xi else 0.0
        assert got == pytest.approx(1 / (1 + odds), rel=1e-12)


def test_predictions_stay_finite_for_heavy_buyers() -> None:
    # The printed eq. 10 multiplies a tiny power by a huge 2F1 (about 1e-103 × 6e102 at
    # x = 300); it still works in doubles up to a few hundred purchases, so check the
    # transformed form against it there, and that it stays finite where eq. 10 overflows.
    fit = _bg(PARAMS[0])
    for x in (300, 600):
        got = m.bgnbd_expected_purchases(fit, 52.0, [float(x)], [39.0], [39.0])[0]
        assert got == pytest.approx(slow_expected(*PARAMS[0], 52.0, x, 39.0, 39.0))
    heavy = m.bgnbd_expected_purchases(fit, 52.0, [5000.0], [39.0], [39.0])[0]
    with np.errstate(all="ignore"):
        assert not math.isfinite(slow_expected(*PARAMS[0], 52.0, 5000, 39.0, 39.0))
    # Alive, this customer buys (r + x) / (α + T) = 5000.2 / 43.4 per week: about 5990
    # purchases in 52 weeks. Each survives the drop-out coins before it with probability
    # E[(1 − p)^k], p ~ Beta(a, b + x) = Beta(0.793, 5002.4), ≈ (1 + k / 5002.4)^−0.793;
    # summed over k < 5990: 5002.4 / 0.207 · ((1 + 5990 / 5002.4)^0.207 − 1) ≈ 4280.
    assert heavy == pytest.approx(4280, rel=0.01)


def test_gamma_gamma_log_likelihood_matches_slow_formula() -> None:
    rng = np.random.default_rng(5)
    x = rng.integers(1, 12, 30).astype(float)
    z = rng.uniform(2, 90, 30)
    params = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    fast = m.gamma_gamma_log_likelihood(params, x, z)
    slow = [slow_gg_ll(6.25, 3.74, 15.44, int(a), b) for a, b in zip(x, z, strict=True)]
    np.testing.assert_allclose(fast, slow, rtol=1e-12)
    # customers with x = 0 or z <= 0 are not part of the spend model
    assert len(m.gamma_gamma_log_likelihood(params, [0, 2, 3], [0.0, 0.0, 5.0])) == 1


def test_expected_spend_by_hand() -> None:
    fit = m.GammaGammaFit(p=2.0, q=3.0, gamma=10.0, std_errors={}, log_likelihood=0.0, customers=1)
    # x = 2, z = 20: 2 (10 + 40) / (4 + 3 - 1) = 100 / 6; x = 0: p γ / (q - 1) = 20 / 2 = 10
    got = m.gamma_gamma_expected_spend(fit, [2, 0], [20.0, 0.0])
    np.testing.assert_allclose(got, [100 / 6, 10.0])
    assert fit.mean_spend == 10.0


def _simulate_bgnbd(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw BG/NBD customers (r 0.5, α 5, a 0.8, b 2.5) observed for 20..60 weeks."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(0.5, 1 / 5.0, n)
    drop = rng.beta(0.8, 2.5, n)
    T = rng.uniform(20, 60, n)
    x, tx, t, alive = np.zeros(n), np.zeros(n), np.zeros(n), np.ones(n, bool)
    while alive.any():
        t = t + rng.exponential(1 / lam)
        buys = alive & (t <= T)
        x += buys
        tx = np.where(buys, t, tx)
        alive = buys & (rng.random(n) >= drop)
    return x, tx, T


def test_bgnbd_fit_is_a_local_maximum() -> None:
    x, tx, T = _simulate_bgnbd(3000, seed=11)
    fit = m.fit_bgnbd(x, tx, T)
    best = m.bgnbd_log_likelihood(fit, x, tx, T).sum()
    assert best == pytest.approx(fit.log_likelihood, rel=1e-12)
    base = np.array(list(fit.params.values()))
    for steps in itertools.product((-1, 0, 1), repeat=4):
        if not any(steps):
            continue
        moved = dict(zip(fit.params, base * (1 + 0.005 * np.array(steps)), strict=True))
        assert m.bgnbd_log_likelihood(moved, x, tx, T).sum() < best
    # the simulation's truth lies within a few standard errors
    truth = {"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 2.5}
    for name, value in truth.items():
        assert abs(fit.params[name] - value) < 4 * fit.std_errors[name]


def test_gamma_gamma_fit_is_a_local_maximum() -> None:
    rng = np.random.default_rng(12)
    x = rng.integers(1, 10, 2000).astype(float)
    nu = rng.gamma(4.0, 1 / 20.0, 2000)
    z = rng.gamma(5.0 * x, 1 / (nu * x))  # mean of x Gamma(5, ν) spends
    fit = m.fit_gamma_gamma(x, z)
    best = m.gamma_gamma_log_likelihood(fit, x, z).sum()
    assert best == pytest.approx(fit.log_likelihood, rel=1e-12)
    base = np.array(list(fit.params.values()))
    for steps in itertools.product((-1, 0, 1), repeat=3):
        if any(steps):
            moved = dict(zip(fit.params, base * (1 + 0.005 * np.array(steps)), strict=True))
            assert m.gamma_gamma_log_likelihood(moved, x, z).sum() < best
    for name, value in {"p": 5.0, "q": 4.0, "gamma": 20.0}.items():
        assert abs(fit.params[name] - value) < 4 * fit.std_errors[name]


def test_fit_refuses_too_little_data() -> None:
    with pytest.raises(AnalysisError, match="at least 10 customers"):
        m.fit_bgnbd([1, 0, 2], [3.0, 0.0, 4.0], [5.0, 5.0, 5.0])
    with pytest.raises(AnalysisError, match="longer calibration period"):
        m.fit_gamma_gamma([1, 2, 0], [5.0, 6.0, 0.0])


def test_fit_without_spread_or_dropout_is_the_poisson_limit() -> None:
    # Everyone bought every week up to the end and nobody stopped: neither a spread of
    # purchase rates nor drop-out can be seen, and the likelihood rises towards the
    # limit of one Poisson rate without drop-out. That limit is the answer (it was an
    # error before): λ = Σx / ΣT = 800 / 800 = 1 a week, log-likelihood Σ(x·log λ − λT) = −800,
    # standard error sqrt(λ / ΣT) = sqrt(1/800); nobody is dead, 10 purchases in 10 weeks.
    same = np.full(40, 20.0)
    fit = m.fit_bgnbd(same, same, same)
    assert fit.boundary == "homogeneous_purchase_no_dropout"
    assert fit.purchase_rate == pytest.approx(1.0, rel=1e-9)
    assert fit.log_likelihood == pytest.approx(-800.0, rel=1e-12)
    assert fit.std_errors["rate"] == pytest.approx(math.sqrt(1 / 800), rel=1e-4)
    np.testing.assert_allclose(m.bgnbd_p_alive(fit, same, same, same), 1.0)
    np.testing.assert_allclose(m.bgnbd_expected_purchases(fit, 10.0, same, same, same), 10.0, rtol=1e-9)


# --------------------------------------------------------------------------- CDNOW


def test_cdnow_reproduces_published_bgnbd(cdnow_summary: m.CustomerSummary, cdnow_bgnbd: m.BGNBDFit) -> None:
    # Fader, Hardie & Lee (2005): 2,357 customers, 39-week calibration, r = 0.243,
    # alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4.
    f = cdnow_summary.frame
    assert len(f) == 2357
    assert (f["frequency"] > 0).sum() == 946
    assert cdnow_summary.excluded_after_calibration == 0
    fit = cdnow_bgnbd
    assert round(fit.r, 3) == 0.243
    assert round(fit.alpha, 3) == 4.414
    assert round(fit.a, 3) == 0.793
    assert round(fit.b, 3) == 2.426
    assert round(fit.log_likelihood, 1) == -9582.4
    assert all(0 < se < float("inf") for se in fit.std_errors.values())


def test_cdnow_reproduces_published_gamma_gamma(cdnow_summary: m.CustomerSummary) -> None:
    # Fader & Hardie, "The Gamma-Gamma model of monetary value": 946 repeat customers,
    # z̄ = mean value of the calibration repeat transactions: p 6.25, q 3.74, γ 15.44.
    f = cdnow_summary.frame
    fit = m.fit_gamma_gamma(f["frequency"], f["monetary"])
    assert fit.customers == 946
    assert (round(fit.p, 2), round(fit.q, 2), round(fit.gamma, 2)) == (6.25, 3.74, 15.44)


def test_cdnow_published_conditional_expectation() -> None:
    # FHL 2005, section 5: a customer with x = 2, t_x = 30.43, T = 38.86 is expected to make
    # 1.226 purchases in the next 39 weeks.
    fit = _bg(PARAMS[0])
    assert round(m.bgnbd_expected_purchases(fit, 39.0, [2], [30.43], [38.86])[0], 3) == 1.226


def test_cdnow_holdout(
    cdnow_daily: pd.DataFrame, cdnow_summary: m.CustomerSummary, cdnow_bgnbd: m.BGNBDFit
) -> None:
    comparison = m.holdout_comparison(cdnow_summary.frame, cdnow_bgnbd)
    # every purchase day from 1997-10-01 to 1998-06-30 (all customers joined in Q1 1997)
    in_holdout = cdnow_daily["date"].between("1997-10-01", "1998-06-30")
    assert comparison.actual_total == in_holdout.sum()
    assert comparison.duration == 39.0  # 273 days
    table = comparison.by_frequency
    assert list(table["calibration_frequency"]) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert table["customers"].sum() == 2357
    assert table["actual_total"].sum() == comparison.actual_total
    f = cdnow_summary.frame
    predicted = m.bgnbd_expected_purchases(cdnow_bgnbd, 39.0, f["frequency"], f["recency"], f["T"])
    assert comparison.predicted_total == pytest.approx(predicted.sum())
    seven_up = f["frequency"] >= 7
    assert table["predicted_purchases"].iloc[-1] == pytest.approx(predicted[seven_up].mean())
    # an explicit Series of actuals gives the same answer
    again = m.holdout_comparison(
        f, cdnow_bgnbd, actual=f.set_index("customer")["holdout_purchases"], duration=39.0
    )
    assert again.actual_total == comparison.actual_total


def test_clv_result_on_cdnow(cdnow_daily: pd.DataFrame) -> None:
    result = m.clv(
        cdnow_daily,
        model="bgnbd",
        calibration_end="1997-09-30",
        holdout_end="1998-06-30",
        discount_rate=0.0,
        margin=0.3,
        horizon=39,
    )
    rows = result.rows
    assert list(rows.columns) == [
        "customer", "frequency", "recency", "T", "monetary", "p_alive", "expected_purchases",
        "expected_spend", "clv", "holdout_actual", "holdout_predicted",
    ]  # fmt: skip
    assert len(rows) == 2357
    assert rows["clv"].is_monotonic_decreasing
    # without discounting CLV = margin × expected spend × expected purchases, and with
    # horizon = holdout length the expected purchases are the holdout prediction
    np.testing.assert_allclose(
        rows["clv"], 0.3 * rows["expected_spend"] * rows["expected_purchases"], rtol=1e-9
    )
    np.testing.assert_allclose(rows["expected_purchases"], rows["holdout_predicted"], rtol=1e-9)
    s = result.summary
    assert round(s["r"], 3) == 0.243 and round(s["gamma"], 2) == 15.44
    assert round(s["bgnbd_log_likelihood"], 1) == -9582.4
    assert s["margin_source"] == "given" and s["margin"] == 0.3
    assert s["clv_total"] == pytest.approx(rows["clv"].sum())
    assert s["holdout_actual"] == rows["holdout_actual"].sum()
    assert set(result.tables) == {
        "parameters", "clv_deciles", "holdout", "tracking", "p_alive_matrix", "repeat_counts"
    }  # fmt: skip
    counts = result.tables["repeat_counts"]
    assert counts["customers"].sum() == 2357 and counts["customers"].iloc[0] == (rows["frequency"] == 0).sum()
    assert counts["expected_customers"].sum() == pytest.approx(2357)
    # the tracking table ends on every repeat purchase of the calibration and the holdout
    tracking = result.tables["tracking"]
    assert tracking["actual_cumulative"].iloc[-1] == rows["frequency"].sum() + rows["holdout_actual"].sum()
    last_cal = tracking[tracking["phase"] == "calibration"].iloc[-1]
    assert last_cal["actual_cumulative"] == rows["frequency"].sum()
    parameters = result.tables["parameters"]
    assert list(parameters["parameter"]) == ["r", "alpha", "a", "b", "a/(a+b)", "p", "q", "gamma"]
    estimate = dict(zip(parameters["parameter"], parameters["estimate"], strict=True))
    std_error = dict(zip(parameters["parameter"], parameters["std_error"], strict=True))
    # CDNOW's drop-out does vary between customers: a Beta(a, b) fit, a/(a+b) = 0.793 / 3.219
    assert s["bgnbd_dropout"] == "beta" and "heterogeneous" in result.params["bgnbd_dropout"]
    assert estimate["a/(a+b)"] == pytest.approx(0.793 / 3.219, abs=1e-3)
    assert estimate["a/(a+b)"] == pytest.approx(s["dropout"]) == s["a"] / (s["a"] + s["b"])
    assert 0 < std_error["a/(a+b)"] < 0.1
    deciles = result.tables["clv_deciles"]
    assert deciles["customers"].sum() == 2357
    assert deciles["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    assert [c.table for c in result.charts] == ["clv_deciles", "holdout", "tracking", "repeat_counts"]
    assert [h.table for h in result.heatmaps] == ["p_alive_matrix"]
    for name in [*rows.columns, *(c for t in result.tables.values() for c in t.columns)]:
        assert has_label(name), name
    assert result.params["calibration_end"] == pd.Timestamp("1997-09-30")


def test_clv_discounting_and_margin(cdnow_daily: pd.DataFrame) -> None:
    plain = m.clv(cdnow_daily, model="bgnbd", unit="month", horizon=2, discount_rate=0.0)
    assert plain.summary["margin_source"] == "default" and plain.summary["margin"] == 1.0
    assert any("100 %" in note for note in words.notes(plain, "en"))
    profit = m.clv(
        cdnow_daily, model="bgnbd", unit="month", horizon=2, discount_rate=0.2, profit_margin=0.25
    )
    assert profit.summary["margin_source"] == "profit"
    # Two monthly periods: E1 / 1.2^(1/12) + (E2 - E1) / 1.2^(2/12), times spend and margin.
    a, b = plain.rows.set_index("customer"), profit.rows.set_index("customer").loc[plain.rows["customer"]]
    fit = m.BGNBDFit(
        **{k: plain.summary[k] for k in ("r", "alpha", "a", "b")},
        std_errors={},
        log_likelihood=0.0,
        customers=0,
    )
    e1 = m.bgnbd_expected_purchases(fit, 1.0, a["frequency"], a["recency"], a["T"])
    e2 = m.bgnbd_expected_purchases(fit, 2.0, a["frequency"], a["recency"], a["T"])
    by_hand = 0.25 * a["expected_spend"] * (e1 / 1.2 ** (1 / 12) + (e2 - e1) / 1.2 ** (2 / 12))
    np.testing.assert_allclose(b["clv"], by_hand, rtol=1e-9)
    np.testing.assert_allclose(a["expected_purchases"], e2, rtol=1e-9)


def test_clv_chinese_headline(cdnow_daily: pd.DataFrame) -> None:
    result = m.clv(cdnow_daily, model="bgnbd")
    assert "客户终身价值" in words.headline(result, "zh")[0]
    assert label("clv", "zh") == "客户终身价值"


def test_clv_usage_errors(cdnow_daily: pd.DataFrame) -> None:
    with pytest.raises(UsageError, match="--calibration-end"):
        m.clv(cdnow_daily, model="bgnbd", holdout_end="1998-06-30")
    with pytest.raises(UsageError, match="margin"):
        m.clv(cdnow_daily, model="bgnbd", margin=30)
    with pytest.raises(UsageError, match="discount"):
        m.clv(cdnow_daily, model="bgnbd", discount_rate=-0.1)
    with pytest.raises(UsageError, match="horizon"):
        m.clv(cdnow_daily, model="bgnbd", horizon=0)


def test_clv_on_too_little_data_is_a_clear_error() -> None:
    with pytest.raises(AnalysisError, match="at least 10 customers"):
        m.clv(_daily(HAND_ROWS))


def test_p_alive_for(
    cdnow_daily: pd.DataFrame, cdnow_summary: m.CustomerSummary, cdnow_bgnbd: m.BGNBDFit
) -> None:
    # as_of is exclusive: as of 1997-10-01 means the calibration ends 1997-09-30
    alive = m.p_alive_for(cdnow_daily[cdnow_daily["date"] <= "1997-12-31"], "1997-10-01")
    assert alive is not None
    f = cdnow_summary.frame
    expected = m.bgnbd_p_alive(cdnow_bgnbd, f["frequency"], f["recency"], f["T"])
    np.testing.assert_allclose(alive.loc[f["customer"]].to_numpy(), expected)
    assert alive.name == "p_alive"
    assert (alive[f.set_index("customer")["frequency"] == 0] == 1.0).all()
    assert m.p_alive_for(_daily(HAND_ROWS), "2024-03-01") is None


# --------------------------------------------------------------------------- large a and b


def beta_mixture_if_alive(r: float, alpha: float, a: float, b: float, t: float, x: int, T: float) -> float:
    """E[purchases in (T, T + t] | alive at T] by numerical integration over the Beta.

    Alive at T after x repeat purchases: λ ~ Gamma(r + x, α + T), p ~ Beta(a, b + x).
    Each purchase is followed by a drop-out with probability p, so the k-th purchase of
    the Poisson(λt) stream counts with probability (1 − p)^(k−1):
    E[N | λ, p] = Σ_k (1 − p)^(k−1) P(Poisson(λt) >= k) = (1 − e^(−λpt)) / p, and over
    λ: E[N | p] = (1 − (1 + p·t/(α+T))^−(r+x)) / p. Integrated here with scipy's quad
    against the Beta density, normalised numerically (no betaln, whose rounding would show).
    """
    n, s, bx = r + x, t / (alpha + T), b + x
    lo, mid, hi = betaincinv(a, bx, [1e-14, 0.5, 1 - 1e-14])
    lo = 0.0 if a < 1 else lo  # p^(a−1) is an integrable singularity at 0
    # the density divided by its value at the median, normalised by its own integral
    log_mid = (a - 1) * math.log(mid) + (bx - 1) * math.log1p(-mid)

    def density(p: float) -> float:
        return math.exp((a - 1) * math.log(p) + (bx - 1) * math.log1p(-p) - log_mid)

    def weighted(p: float) -> float:
        return -math.expm1(-n * math.log1p(p * s)) / p * density(p)

    def integral(f: Callable[[float], float]) -> float:
        return sum(
            integrate.quad(f, u, v, epsabs=0, epsrel=1e-12, limit=200)[0] for u, v in ((lo, mid), (mid, hi))
        )

    return integral(weighted) / integral(density)


# Moderate parameters on each evaluation path: Euler's 2F1 (CDNOW), quadrature first
# near a = 1, Gauss quadrature for a >= 20 and for a + b > 1000.
MODERATE = [
    (0.243, 4.414, 0.793, 2.426),
    (1.7, 12.0, 0.995, 40.0),
    (1.255, 19.19, 25.0, 400.0),
    (0.8, 10.0, 3.0, 2000.0),
]


@pytest.mark.parametrize("params", MODERATE)
def test_predictions_match_direct_integration_over_the_beta(
    params: tuple[float, float, float, float],
) -> None:
    r, alpha, a, b = params
    x, tx, T = _random_summary(4, seed=21)
    fit = _bg(params)
    alive = m.bgnbd_p_alive(fit, x, tx, T)
    for t in (1.0, 52.0):
        got = m.bgnbd_expected_purchases(fit, t, x, tx, T)
        direct = [
            p_alive * beta_mixture_if_alive(r, alpha, a, b, t, int(xi), Ti)
            for p_alive, xi, Ti in zip(alive, x, T, strict=True)
        ]
        np.testing.assert_allclose(got, direct, rtol=1e-8)
        # and FHL's eq. 10 as printed, which scipy's 2F1 still manages at these values
        printed = [slow_expected(*params, t, int(xi), ti, Ti) for xi, ti, Ti in zip(x, tx, T, strict=True)]
        np.testing.assert_allclose(got, printed, rtol=1e-7)


def limiting_if_alive_by_sum(r: float, alpha: float, p: float, t: float, x: int, T: float) -> float:
    """The homogeneous model summed purchase by purchase, without the closed form.

    Ignoring drop-out, the purchases in (T, T + t] of a customer alive at T are negative
    binomial (Poisson(λt), λ ~ Gamma(r + x, α + T)): NB(r + x, (α+T)/(α+T+t)). The k-th
    of them counts when the k − 1 drop-out coins before it all came up "stay".
    """
    k = np.arange(1, 20_000)
    at_least_k = stats.nbinom.sf(k - 1, r + x, (alpha + T) / (alpha + T + t))
    return float(np.sum((1 - p) ** (k - 1) * at_least_k))


def _homogeneous(r: float, alpha: float, p: float) -> m.BGNBDFit:
    return m.BGNBDFit(
        r=r, alpha=alpha, a=math.inf, b=math.inf, std_errors={}, log_likelihood=0.0, customers=0, dropout=p
    )


def test_limiting_model_predictions_by_hand() -> None:
    r, alpha, p = 1.255, 19.19, 0.0055
    fit = _homogeneous(r, alpha, p)
    x, tx, T = _random_summary(6, seed=22)
    for t in (1.0, 52.0):
        got = m.bgnbd_expected_purchases(fit, t, x, tx, T)
        # P(alive) = 1 / (1 + p/(1−p) · ((α+T)/(α+t_x))^(r+x)) for x > 0, else 1
        odds = np.where(x > 0, p / (1 - p) * ((alpha + T) / (alpha + tx)) ** (r + x), 0.0)
        summed = [limiting_if_alive_by_sum(r, alpha, p, t, int(xi), Ti) for xi, Ti in zip(x, T, strict=True)]
        np.testing.assert_allclose(got, np.array(summed) / (1 + odds), rtol=1e-10)
    # x = 2, t_x = T = 30, t = 52: P(alive) = 1 / (1 + p/(1−p)) = 1 − p = 0.9945;
    # s = 52 / 49.19, (1 − (1 + 0.0055 s)^−3.255) / 0.0055 = 3.3988; 0.9945 × 3.3988 = 3.3801
    one = m.bgnbd_expected_purchases(fit, 52.0, [2.0], [30.0], [30.0])[0]
    assert one == pytest.approx((1 - p) * (1 - (1 + p * 52 / 49.19) ** -3.255) / p, rel=1e-12)
    assert one == pytest.approx(3.3801, abs=1e-4)


@pytest.mark.parametrize("p", [0.0055, 0.3])
def test_huge_a_and_b_approach_the_limiting_model(p: float) -> None:
    # Beta(pK, (1−p)K) has variance p(1−p)/(K+1): the predictions of the Beta model
    # differ from the limit's by O(1/K), and must stay finite however large K is (the
    # old 2F1 form gave 0 · ∞ = NaN from K ≈ 1e5 on).
    x, tx, T = _random_summary(30, seed=23)
    limit = _homogeneous(1.255, 19.19, p)
    for K in (1e5, 1e7, 1e9, 1e12):
        fit = _bg((1.255, 19.19, p * K, (1 - p) * K))
        for t in (1.0, 52.0, 520.0):
            got = m.bgnbd_expected_purchases(fit, t, x, tx, T)
            want = m.bgnbd_expected_purchases(limit, t, x, tx, T)
            assert np.isfinite(got).all()
            np.testing.assert_allclose(got, want, rtol=100 / K)
        np.testing.assert_allclose(
            m.bgnbd_p_alive(fit, x, tx, T), m.bgnbd_p_alive(limit, x, tx, T), rtol=100 / K
        )
        expected_new = m.bgnbd_expected_repeat_purchases(fit, 52.0)
        assert expected_new == pytest.approx(m.bgnbd_expected_repeat_purchases(limit, 52.0), rel=100 / K)


def test_expected_repeat_purchases_of_a_new_customer() -> None:
    # FHL 2005 eq. 9: E[X(t)] = (a+b−1)/(a−1) · (1 − (α/(α+t))^r · 2F1(r, b; a+b−1; t/(α+t)))
    for r, alpha, a, b in MODERATE:
        t = 39.0
        eq9 = (
            (a + b - 1)
            / (a - 1)
            * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))
        )
        assert m.bgnbd_expected_repeat_purchases(_bg((r, alpha, a, b)), t) == pytest.approx(eq9, rel=1e-8)
    # the limit: (1 − (1 + p·t/α)^−r) / p
    p = 0.0055
    assert m.bgnbd_expected_repeat_purchases(_homogeneous(1.255, 19.19, p), 52.0) == pytest.approx(
        (1 - (1 + p * 52 / 19.19) ** -1.255) / p, rel=1e-12
    )


def test_beta_gauss_rule_integrates_moments_exactly() -> None:
    # E[p^k] under Beta(a, b) = Π_{j<k} (a + j) / (a + b + j); 32 nodes are exact to degree 63.
    for a, b in ((0.3, 0.5), (0.25, 0.75), (0.793, 2.426), (12396.7, 2243450.1), (5.0, 1e9)):
        nodes, weights = beta_gauss_rule(a, b, 32)
        assert weights.sum() == pytest.approx(1.0, rel=1e-13)
        for k in range(12):
            exact = math.prod((a + j) / (a + b + j) for j in range(k))
            assert float(weights @ nodes**k) == pytest.approx(exact, rel=1e-11)


def test_last_resort_paths_stay_accurate() -> None:
    # Small a and b with t/(α+T) = 5,000: scipy's 2F1 overflows for b = 1000 and Gauss
    # quadrature needs ~512 nodes; near a = 1 the closed form is 0/0. Both must still
    # agree with the direct integral.
    for r, alpha, a, b in ((1.25, 0.01, 0.8, 1000.0), (1.25, 0.01, 1.000003, 3.0)):
        got = m.bgnbd_expected_purchases(_bg((r, alpha, a, b)), 50.0, [5.0], [0.0099], [0.0099])[0]
        assert got * (1 + a / (b + 4) * ((alpha + 0.0099) / (alpha + 0.0099)) ** (r + 5)) == pytest.approx(
            beta_mixture_if_alive(r, alpha, a, b, 50.0, 5, 0.0099), rel=1e-8
        )


def slow_limit_ll(r: float, alpha: float, p: float, x: int, tx: float, t: float) -> float:
    """Eq. 6 in the limit: B(a, b+x)/B(a, b) → (1−p)^x, B(a+1, b+x−1)/B(a, b) → p(1−p)^(x−1)."""
    gamma_part = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)
    first = (1 - p) ** x * math.exp(gamma_part - (r + x) * math.log(alpha + t))
    second = p * (1 - p) ** (x - 1) * math.exp(gamma_part - (r + x) * math.log(alpha + tx)) if x else 0.0
    return math.log(first + second)


def test_limiting_log_likelihood() -> None:
    x, tx, T = _random_summary(40, seed=24)
    params = {"r": 1.255, "alpha": 19.19, "a": math.inf, "b": math.inf, "dropout": 0.0055}
    got = m.bgnbd_log_likelihood(params, x, tx, T)
    slow = [slow_limit_ll(1.255, 19.19, 0.0055, int(xi), ti, Ti) for xi, ti, Ti in zip(x, tx, T, strict=True)]
    np.testing.assert_allclose(got, slow, rtol=1e-12)
    # the Beta model's likelihood converges to it as a and b grow with a/(a+b) = p
    beta = {"r": 1.255, "alpha": 19.19, "a": 0.0055 * 1e9, "b": 0.9945 * 1e9}
    np.testing.assert_allclose(m.bgnbd_log_likelihood(beta, x, tx, T), slow, rtol=1e-6)


# --------------------------------------------------------------------------- sample data


@pytest.fixture(scope="module")
def sample_daily() -> pd.DataFrame:
    return load_daily(SAMPLE)


@pytest.fixture(scope="module")
def sample_results(sample_daily: pd.DataFrame) -> dict[str, Result]:
    return {unit: m.clv(sample_daily, model="bgnbd", unit=unit) for unit in ("week", "day", "month")}


def _assert_all_finite(result: Result) -> None:
    rows = result.rows
    numbers = rows.select_dtypes("number")
    assert len(numbers.columns) >= 8
    bad = ~np.isfinite(numbers.to_numpy(dtype=np.float64))
    assert not bad.any(), rows[bad.any(axis=1)]


def test_sample_data_end_to_end_every_unit(sample_results: dict[str, Result]) -> None:
    for unit, result in sample_results.items():
        _assert_all_finite(result)
        s = result.summary
        assert s["customers"] == 300, unit
        # the sample's drop-out does not vary between customers: the homogeneous limit
        assert s["bgnbd_dropout"] == "homogeneous"
        assert math.isnan(s["a"]) and math.isnan(s["b"]) and math.isnan(s["a_se"]) and math.isnan(s["b_se"])
        assert 0 < s["r_se"] < s["r"] and 0 < s["dropout_se"] < 1
        assert result.params["bgnbd_dropout"].startswith("homogeneous")
        assert any("not identified" in note for note in words.notes(result, "en"))
        assert not any("No standard errors for BG/NBD" in note for note in words.notes(result, "en"))
        table = result.tables["parameters"].set_index("parameter")
        assert table.loc["a/(a+b)", "estimate"] == s["dropout"]
    # r and the drop-out probability do not depend on the unit; α is a time scale. The
    # ridge's a and b did (12,397 / 14,206 / 15,624 with the Beta fit: arbitrary).
    week, day, month = (sample_results[u].summary for u in ("week", "day", "month"))
    for other in (day, month):
        assert other["r"] == pytest.approx(week["r"], rel=1e-4)
        assert other["dropout"] == pytest.approx(week["dropout"], rel=1e-4)
    assert day["alpha"] == pytest.approx(7 * week["alpha"], rel=1e-4)
    assert month["alpha"] == pytest.approx(day["alpha"] / (365.25 / 12), rel=1e-4)
    # a year ahead in each unit: 52 weeks, 365 days, 12 months give nearly the same purchases
    assert day["expected_purchases"] == pytest.approx(week["expected_purchases"], rel=0.01)
    assert month["expected_purchases"] == pytest.approx(week["expected_purchases"], rel=0.01)


def test_sample_data_likelihood_rises_towards_the_limit(sample_daily: pd.DataFrame) -> None:
    f = m.customer_summary(sample_daily, unit="week").frame
    x, tx, T = f["frequency"], f["recency"], f["T"]
    fit = m.fit_bgnbd(x, tx, T)
    assert fit.homogeneous and fit.a == math.inf
    p = fit.mean_dropout
    along_ridge = [
        m.bgnbd_log_likelihood({"r": fit.r, "alpha": fit.alpha, "a": p * K, "b": (1 - p) * K}, x, tx, T).sum()
        for K in (1e2, 1e4, 1e6)
    ]
    assert along_ridge[0] < along_ridge[1] < along_ridge[2] < fit.log_likelihood
    assert fit.log_likelihood - along_ridge[2] < 1e-3
    assert m.bgnbd_log_likelihood(fit, x, tx, T).sum() == pytest.approx(fit.log_likelihood, rel=1e-12)


def test_sample_data_with_holdout(sample_daily: pd.DataFrame) -> None:
    result = m.clv(sample_daily, model="bgnbd", calibration_end="2025-03-31", holdout_end="2025-09-30")
    _assert_all_finite(result)
    s = result.summary
    # every purchase day of the holdout by a customer known at the calibration end
    assert s["holdout_actual"] == result.rows["holdout_actual"].sum() > 0
    assert s["holdout_predicted"] == pytest.approx(s["holdout_actual"], rel=0.25)
    # the file's last purchase is on 2025-09-29, one day before the holdout end
    notes = words.notes(result, "en")
    assert any("last purchase (2025-09-29) is before the holdout end" in note for note in notes)
    within = m.clv(sample_daily, model="bgnbd", calibration_end="2025-03-31", holdout_end="2025-09-29")
    assert not any("is before the holdout end" in note for note in words.notes(within, "en"))
