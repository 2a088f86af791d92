"""Tests of kamtool.analyses.clv: summary, BG/NBD, Gamma-Gamma, CLV, holdout, CDNOW."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import hyp2f1

from kamtool.analyses import clv as m
from kamtool.errors import AnalysisError, UsageError
from kamtool.labels import has_label, label

DATA = Path(__file__).parent / "data" / "cdnow_sample.csv"


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


def test_fit_that_cannot_converge_says_what_to_try() -> None:
    # Everyone bought every week up to the end and nobody stopped: the drop-out process
    # and the spread of purchase rates cannot be identified.
    same = np.full(40, 20.0)
    with pytest.raises(AnalysisError, match="did not converge.*longer calibration period"):
        m.fit_bgnbd(same, same, same)


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
    assert set(result.tables) == {"parameters", "clv_deciles", "holdout"}
    assert list(result.tables["parameters"]["parameter"]) == [
        "r", "alpha", "a", "b", "p", "q", "gamma",
    ]  # fmt: skip
    deciles = result.tables["clv_deciles"]
    assert deciles["customers"].sum() == 2357
    assert deciles["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    assert [c.table for c in result.charts] == ["clv_deciles", "holdout"]
    for name in [*rows.columns, *(c for t in result.tables.values() for c in t.columns)]:
        assert has_label(name), name
    assert result.params["calibration_end"] == pd.Timestamp("1997-09-30")


def test_clv_discounting_and_margin(cdnow_daily: pd.DataFrame) -> None:
    plain = m.clv(cdnow_daily, unit="month", horizon=2, discount_rate=0.0)
    assert plain.summary["margin_source"] == "default" and plain.summary["margin"] == 1.0
    assert any("100 %" in note for note in plain.notes)
    profit = m.clv(cdnow_daily, unit="month", horizon=2, discount_rate=0.2, profit_margin=0.25)
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
    result = m.clv(cdnow_daily, lang="zh")
    assert "客户终身价值" in result.headline[0]
    assert label("clv", "zh") == "客户终身价值"


def test_clv_usage_errors(cdnow_daily: pd.DataFrame) -> None:
    with pytest.raises(UsageError, match="--calibration-end"):
        m.clv(cdnow_daily, holdout_end="1998-06-30")
    with pytest.raises(UsageError, match="margin"):
        m.clv(cdnow_daily, margin=30)
    with pytest.raises(UsageError, match="discount"):
        m.clv(cdnow_daily, discount_rate=-0.1)
    with pytest.raises(UsageError, match="horizon"):
        m.clv(cdnow_daily, horizon=0)


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
