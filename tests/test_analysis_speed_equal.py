"""The faster analysis code gives what the straightforward computation gives, on small frames
whose answers are worked out by hand (issue 16: integer codes once instead of group-bys on text)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamtool.analyses import rules, stages, tiers


def _text(values: list[str | None]) -> pd.Series:
    return pd.Series(values, dtype="str")


@pytest.mark.parametrize(
    "values",
    [
        ["a", "a", "b", "c", "c", "c"],  # grouped and in text order: neighbours compared
        ["b", "a", "b"],  # not grouped: factorized
        ["a", "b", "a"],  # grouped runs out of order
        ["b", "b", "a"],  # grouped, descending
        ["a", None, "b"],  # a missing id
        ["Z", "a", "ä", "é"],  # text order is code-point order
        ["x"],
    ],
)
def test_sorted_codes_equal_factorize_sorted(values: list[str | None]) -> None:
    column = _text(values)
    codes, names = rules.sorted_codes(column)
    expected_codes, expected_names = pd.factorize(column, sort=True)
    assert codes.dtype == np.int64
    assert codes.tolist() == expected_codes.tolist()
    assert list(names) == list(expected_names)
    assert names.dtype == expected_names.dtype


def test_sorted_codes_by_hand() -> None:
    column = _text(["C1", "C1", "C2", "C9", "C9"])
    assert rules._text_rows(column) is not None  # the neighbour comparison serves this column
    codes, names = rules.sorted_codes(column)
    assert codes.tolist() == [0, 0, 1, 2, 2]
    assert list(names) == ["C1", "C2", "C9"]


def test_coded_cents_sums_repeated_customer_months_by_hand() -> None:
    # customer × month × salesperson rows, as the ledger gives them for tiers
    monthly = pd.DataFrame({
        "customer": _text(["b", "a", "a", "b", "a"]),
        "month": [5, 3, 3, 5, 4],
        "revenue": [1.10, 2.25, 0.75, 3.00, -1.00],
        "profit": [0.10, 1.00, np.nan, 0.50, 0.20],
    })
    cents, coded = stages.coded_cents(monthly, ("revenue", "profit"))
    assert cents["customer"].tolist() == ["a", "a", "b"]
    assert cents["month"].tolist() == [3, 4, 5]
    assert cents["revenue_c"].tolist() == [300, -100, 410]
    assert cents["profit_c"].tolist() == [100, 20, 60]
    assert cents["profit_missing"].tolist() == [1, 0, 0]
    assert list(coded.names) == ["a", "b"]
    assert coded.code.tolist() == [0, 0, 1]
    assert coded.source.tolist() == [1, 0, 0, 1, 0]  # the monthly rows' codes
    straight = pd.DataFrame({"customer": monthly["customer"], "month": monthly["month"],
                             "revenue_c": rules.whole_units(monthly["revenue"]),
                             "profit_c": rules.whole_units(monthly["profit"].fillna(0), "profit"),
                             "profit_missing": monthly["profit"].isna().astype(np.int64)})
    straight = straight.groupby(["customer", "month"], sort=True, as_index=False).sum()
    pd.testing.assert_frame_equal(cents, straight, check_exact=True)


def test_coded_window_sums_and_first_month_by_hand() -> None:
    monthly = pd.DataFrame({"customer": _text(["a", "a", "b", "c"]), "month": [1, 2, 2, 9],
                            "revenue": [1.0, 2.0, 5.0, 7.0]})
    cents, coded = stages.coded_cents(monthly)
    window = coded.window_sum(cents["revenue_c"], 2, 3)
    assert window.to_dict() == {"a": 200, "b": 500}  # c has no row in months 2–3
    assert window.to_dict() == stages.window_sum(cents, 2, 3).to_dict()
    assert coded.least_month(cents["revenue_c"].to_numpy() > 0).tolist() == [1, 2, 9]


def test_main_salesperson_most_revenue_ties_by_name() -> None:
    monthly = pd.DataFrame({
        "customer": _text(["a", "a", "a", "b", "b", "c"]),
        "month": [1, 1, 2, 1, 1, 0],
        "salesperson": _text(["Zoe", "Ann", "Zoe", "Bob", "Al", "Cy"]),
        "revenue": [1.0, 3.0, 2.0, 4.0, 4.0, 9.0],
    })
    cents, coded = stages.coded_cents(monthly)
    best = tiers._main_salesperson(monthly, 1, 2, coded)
    # a: Zoe 3 against Ann 3, a tie: Ann by name; b: Al and Bob 4 each: Al; c: no row in the window
    assert best.tolist() == ["Ann", "Al", None]


def test_tier_positions_are_assign_tiers() -> None:
    names = pd.Index(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"], name="customer")
    score = pd.Series([50.0, 90.0, 90.0, 10.0, 70.0, 70.0, 0.0, 30.0, 30.0, 100.0], index=names)
    positions = tiers.tier_positions(score, (0.10, 0.30), None)
    # ceil(10 % of 10) = 1 key (j), ceil(40 %) = 4 key or general: b, c (90, by id), then e (70)
    assert positions.tolist() == [2, 1, 1, 2, 1, 2, 2, 2, 2, 0]
    assert np.array(tiers.TIERS)[positions].tolist() == tiers.assign_tiers(score, (0.10, 0.30), None).tolist()
    by_cut = tiers.tier_positions(score, None, (70.0, 40.0))
    assert by_cut.tolist() == [1, 0, 0, 2, 0, 0, 2, 2, 2, 0]


def test_breadth_counts_bought_values_by_hand() -> None:
    mix = pd.DataFrame({
        "customer": _text(["a", "a", "a", "a", "b", "b", "c"]),
        "month": [1, 1, 2, 9, 1, 1, 1],
        "category": _text(["x", "y", "y", "z", "x", "x", "x"]),
        "revenue": [1.0, 2.0, -2.0, 5.0, 1.0, -1.0, 3.0],
    })
    counts, dimension = stages.breadth(mix, 1, 2)
    assert dimension == "category"
    # a: x bought, y nets to 0 (not bought), z outside the window; b: x nets to 0; c: x
    assert counts is not None and counts.to_dict() == {"a": 1, "c": 1}


def test_percentile_by_position_is_rank_of_the_known_values() -> None:
    index = pd.Index(["a", "b", "c", "d", "e"], name="customer")
    values = pd.Series([3.0, np.nan, 1.0, 3.0, 2.0], index=index)
    # known 3, 1, 3, 2: ranks 3.5, 1, 3.5, 2 of n = 4 -> 100 × (r − 1) / 3
    expected = [250 / 3, np.nan, 0.0, 250 / 3, 100 / 3]
    got = tiers.percentile(values)
    assert got.index.equals(index)
    np.testing.assert_array_equal(got.to_numpy(), np.array(expected))
    straight = values.dropna().rank(method="average")
    straight = (100.0 * (straight - 1) / (len(straight) - 1)).reindex(index)
    np.testing.assert_array_equal(got.to_numpy(), straight.to_numpy())
    one = tiers.percentile(pd.Series([np.nan, 5.0], index=["a", "b"]))
    assert np.isnan(one.iloc[0]) and one.iloc[1] == 100.0
    assert tiers.percentile(pd.Series([np.nan, np.nan], index=["a", "b"])).isna().all()


def test_lines_of_sums_each_customer_line_in_the_two_periods_by_hand() -> None:
    from kamtool.analyses import churn_types

    mix = pd.DataFrame({
        "customer": _text(["a", "a", "a", "b", "b"]),
        "month": [0, 3, 4, 0, 1],  # quarters 0, 1, 1, 0, 0
        "category": _text(["x", "x", "y", "x", "x"]),
        "revenue": [1.0, 2.0, 3.0, 4.0, 5.0],
    })
    frame, dim = churn_types.lines_of(mix, "quarter", 0, 1)
    assert dim == "category" and frame is not None
    got = {(r.customer, r.line): (r.start_revenue, r.end_revenue) for r in frame.itertuples()}
    assert got == {("a", "x"): (1.0, 2.0), ("a", "y"): (0.0, 3.0), ("b", "x"): (9.0, 0.0)}


def _mbgnbd_terms_per_row(theta: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The MBG/NBD terms of the full model computed per row (as before distinct x were used)."""
    import math

    from scipy.special import digamma, expit, gammaln

    r, alpha, a, b = theta
    rx = r + x
    log_at, log_atx = np.log(alpha + T), np.log(alpha + tx)
    psi_t = gammaln(rx) - gammaln(r) + r * math.log(alpha) - rx * log_at
    delta = rx * (log_at - log_atx)
    survive = gammaln(a + b) + gammaln(b + x + 1) - gammaln(b) - gammaln(a + b + x + 1)
    odds = math.log(a) - np.log(b + x) + delta
    ll = psi_t + survive + np.logaddexp(0.0, odds)
    share = expit(odds)
    psi_ab, psi_abx = digamma(a + b), digamma(a + b + x + 1)
    grads = [
        digamma(rx) - digamma(r) + math.log(alpha) - log_at + share * (log_at - log_atx),
        r / alpha - rx / (alpha + T) + share * rx * (1 / (alpha + T) - 1 / (alpha + tx)),
        psi_ab - psi_abx + share / a,
        psi_ab + digamma(b + x + 1) - digamma(b) - psi_abx - share / (b + x),
    ]
    return ll, odds, np.array([float(np.einsum("i,i->", w, g)) for g in grads])


def test_mbgnbd_terms_per_distinct_x_equal_the_terms_per_row_to_the_last_bit() -> None:
    from kamtool.analyses.clv import mbgnbd
    from kamtool.analyses.clv.regimes import distinct_rows

    x = np.array([0.0, 1.0, 1.0, 3.0, 0.0, 7.0, 3.0, 1.0])
    tx = np.array([0.0, 2.5, 4.0, 9.0, 0.0, 30.0, 11.5, 2.5])
    T = np.array([10.0, 12.0, 12.0, 20.0, 3.0, 40.0, 20.0, 12.0])
    rows, _ = distinct_rows(x, tx, T)
    assert rows.by_x[0].tolist() == [0.0, 1.0, 3.0, 7.0]
    theta = np.array([0.8, 4.2, 0.6, 2.7])
    ll, odds, grad = mbgnbd._terms(theta, None, rows, gradient=True)
    want_ll, want_odds, want_grad = _mbgnbd_terms_per_row(theta, rows.x, rows.tx, rows.T, rows.w)
    assert np.array_equal(ll, want_ll) and np.array_equal(odds, want_odds)
    assert grad is not None and np.array_equal(grad, want_grad)


def test_loyalty_brand_mode_text_brands_as_given_and_leading_brand_spelt_once() -> None:
    from kamtool.analyses import loyalty

    # period rows: customer 0 buys A twice and B once, customer 1 only rows without a brand
    brands = pd.Series(["A", "B", "A", None], dtype="str")
    cust = np.array([0, 0, 0, 1])
    pid = np.array([0, 0, 1, 1])
    revenue = np.array([500.0, 100.0, 300.0, 200.0])
    as_text = pd.Series(["A", "B", "A", None], dtype=object)
    per, focal, facts = loyalty._brand_mode(brands, cust, pid, revenue, 2, None, 0.5, 0.5)
    per_o, focal_o, facts_o = loyalty._brand_mode(as_text, cust, pid, revenue, 2, None, 0.5, 0.5)
    assert focal == focal_o == "A" and facts == facts_o == {"brand": "A", "brand_rule": "default"}
    assert per["leading_brand"] == per_o["leading_brand"]
    assert per["leading_brand"] == ["A", loyalty.NO_BRAND]  # customer 1 has no named brand
    for key in per:
        if key != "leading_brand":
            np.testing.assert_array_equal(np.asarray(per[key]), np.asarray(per_o[key]))


def test_bgnbd_gradient_reuses_the_rows_logs_to_the_last_bit() -> None:
    from scipy.special import digamma, expit

    from kamtool.analyses.clv import bgnbd
    from kamtool.analyses.clv.fit import dot

    x = np.array([0.0, 1.0, 1.0, 3.0, 0.0, 7.0, 3.0, 2.0])
    tx = np.array([0.0, 2.5, 4.0, 9.0, 0.0, 30.0, 11.5, 2.5])
    T = np.array([10.0, 12.0, 12.0, 20.0, 3.0, 40.0, 20.0, 12.0])
    d = bgnbd._BGNBDData.build(x, tx, T, compress=True)
    form = bgnbd.FULL
    theta = np.array([0.8, 4.2, 0.6, 2.7])
    terms = bgnbd._bgnbd_terms(form, theta, d, gradient=True)
    # the rate gradient as written before: the logs of every row taken again
    r, alpha = theta[0], theta[1]
    rate = bgnbd._rate_part(form, theta, d)
    log_odds = bgnbd._dropout_part(form, theta, d.ux)[1]
    assert log_odds is not None
    w4 = expit(log_odds[d.ix] + rate.a4 - rate.a3) * d.w
    w3 = d.w - w4
    rx = r + d.x
    g_r = (dot(d.w0, np.log(alpha) - np.log(alpha + d.t0))
           + dot(d.wx, digamma(r + d.ux) - digamma(r) + np.log(alpha))
           - dot(w3, np.log(alpha + d.ut)[d.it]) - dot(w4, np.log(alpha + d.utx)[d.itx]))
    g_alpha = (r * d.w0.sum() / alpha - r * dot(d.w0, 1 / (alpha + d.t0)) + r * d.wx.sum() / alpha
               - dot(w3 * rx, (1 / (alpha + d.ut))[d.it]) - dot(w4 * rx, (1 / (alpha + d.utx))[d.itx]))
    assert terms.gradient is not None
    assert terms.gradient[0] == g_r and terms.gradient[1] == g_alpha
    assert np.array_equal(rate.a3, -rx * np.log(alpha + d.ut)[d.it])


def test_early_adopters_of_categorical_products_as_of_their_text() -> None:
    from kamtool.analyses import loyalty

    codes = np.array([0, 1, 2, 0, 1])
    day = np.array([100, 105, 300, 400, 120])
    text = pd.Series(["P2", "P2", "P2", "P1", "P1"], dtype="str")
    as_categories = text.astype(pd.CategoricalDtype(["P1", "P2"]))
    # start 0, grace 90: both products are new (first sales 100 and 120); window 10 days:
    # customers 0 and 1 adopted P2 early (100, 105), customer 1 P1 (120), customer 0 P1 late (400)
    want_codes, want_table = loyalty._early_adopters(codes, day, text, 0, 500, 10, 90)
    got_codes, got_table = loyalty._early_adopters(codes, day, as_categories, 0, 500, 10, 90)
    assert sorted(set(want_codes.tolist())) == [0, 1]
    assert got_codes.tolist() == want_codes.tolist()
    pd.testing.assert_frame_equal(got_table, want_table, check_exact=True)
    assert got_table["product"].tolist() == ["P2", "P1"]  # in order of first appearance
