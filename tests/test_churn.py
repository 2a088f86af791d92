"""Churn: hand-computed small cases for every count, the bridge identity and the tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamtool.analyses.churn import churn
from kamtool.errors import AnalysisError, UsageError
from kamtool.labels import all_labels, has_label
from kamtool.render.words import churn as words


def frame(lines: Sequence[tuple[str, str, float]]) -> pd.DataFrame:
    daily = pd.DataFrame(lines, columns=["customer", "date", "revenue"])
    daily["date"] = pd.to_datetime(daily["date"])
    daily["revenue"] = daily["revenue"].astype(float)
    return daily


# Quarters 2024Q1 -> 2024Q2; the last order (2024-07-02) makes the as-of date 2024-07-03,
# so 2024Q3 is incomplete and the default comparison is 2024Q1 with 2024Q2.
#   a: Q1 100+150+150 = 400, Q2 500          retained, expansion +100
#   b: Q1 300, Q2 100                         retained, contraction 200
#   c: Q1 200                                 lost 200
#   f: Q1 100, Q2 a return of -5 only         lost: 100 - (-5) = 105
#   d: first order 2024-04-01 300 (+50 in Q3) new 300
#   e: 2023-11-15 80, Q2 250                  reactivated 250
LINES = [
    ("a", "2024-01-10", 100), ("a", "2024-02-10", 150), ("a", "2024-03-10", 150),
    ("a", "2024-04-10", 500),
    ("b", "2024-01-05", 300), ("b", "2024-06-20", 100),
    ("c", "2024-02-01", 200),
    ("f", "2024-03-15", 100), ("f", "2024-05-05", -5),
    ("d", "2024-04-01", 300), ("d", "2024-07-02", 50),
    ("e", "2023-11-15", 80), ("e", "2024-05-15", 250),
]


@pytest.fixture
def daily() -> pd.DataFrame:
    return frame(LINES)


def is_nan(value: Any) -> bool:
    return bool(value != value)


def by_customer(rows: pd.DataFrame, column: str) -> dict[str, object]:
    return dict(zip(rows["customer"], rows[column], strict=True))


def test_statuses_and_counts(daily: pd.DataFrame) -> None:
    r = churn(daily)
    assert r.command == "churn"
    assert (r.summary["period_start"], r.summary["period_end"]) == ("2024Q1", "2024Q2")
    assert r.summary["as_of"] == pd.Timestamp("2024-07-03")
    assert r.summary["period_end_complete"] is True
    assert by_customer(r.rows, "status") == {
        "a": "retained", "b": "retained", "c": "lost", "f": "lost", "d": "new",
        "e": "reactivated",
    }
    s = r.summary
    # start customers a, b, c, f; end customers a, b, d, e
    assert (s["start_customers"], s["end_customers"]) == (4, 4)
    assert (s["new"], s["retained"], s["reactivated"], s["lost"], s["inactive"]) == (1, 2, 1, 2, 0)
    assert s["churn_rate"] == 0.5  # 2 lost / 4 start customers
    assert s["retention_rate"] == 0.5  # 2 retained / 4


def test_bridge_and_revenue_retention(daily: pd.DataFrame) -> None:
    r = churn(daily)
    s = r.summary
    # start = 400+300+200+100 = 1000; end = 500+100-5+300+250 = 1145
    # 1000 + new 300 + reactivated 250 + expansion 100 - contraction 200 - lost 305 = 1145
    assert s["start_revenue"] == 1000 and s["end_revenue"] == 1145
    assert {k: s[f"bridge_{k}"] for k in ("start", "new", "reactivated", "expansion",
                                          "contraction", "lost", "other", "end")} == {
        "start": 1000, "new": 300, "reactivated": 250, "expansion": 100,
        "contraction": 200, "lost": 305, "other": 0, "end": 1145,
    }
    assert s["gross_revenue_retention"] == pytest.approx((1000 - 200 - 305) / 1000)  # 0.495
    assert s["net_revenue_retention"] == pytest.approx((1000 - 200 - 305 + 100) / 1000)  # 0.595
    bridge = r.tables["bridge"]
    # signed steps for the waterfall; "other" is left out when it is zero
    assert bridge["step"].tolist() == [
        "start", "new", "reactivated", "expansion", "contraction", "lost", "end",
    ]
    assert bridge["amount"].tolist() == [1000, 300, 250, 100, -200, -305, 1145]
    assert bridge["step_label"].tolist() == bridge["step"].tolist()  # a code, in every language
    assert words.for_people(r, "en").tables["bridge"]["step_label"].iloc[0] == "Start revenue"
    chart = r.charts[0]
    assert (chart.kind, chart.table, chart.category, chart.values) == (
        "waterfall", "bridge", "step", ["amount"]
    )
    # rows add up to the bridge's ends
    assert r.rows["start_revenue"].sum() == 1000 and r.rows["end_revenue"].sum() == 1145


def test_abc_classes_and_migration(daily: pd.DataFrame) -> None:
    r = churn(daily)
    # Q1: a 400, b 300, c 200, f 100 of 1000; shares before each: 0, .4, .7, .9
    #   -> a A, b A, c A (.7 < .8), f B (.9 < .95)
    # Q2 buyers: a 500, d 300, e 250, b 100 of 1150 (f's -5 is no purchase);
    #   before: 0, 500, 800, 1050; 80 % = 920, 95 % = 1092.5 -> a, d, e A; b B
    assert by_customer(r.rows, "start_class") == {
        "a": "A", "b": "A", "c": "A", "f": "B", "d": "-", "e": "-",
    }
    assert by_customer(r.rows, "end_class") == {
        "a": "A", "b": "B", "c": "-", "f": "-", "d": "A", "e": "A",
    }
    m = r.tables["migration"].set_index(["from_class", "to_class"])
    assert len(m) == 15  # 4 x 4 without "-" -> "-"
    assert m.loc[("A", "A"), "customers"] == 1 and m.loc[("A", "A"), "change"] == 100
    assert m.loc[("A", "B"), "customers"] == 1 and m.loc[("A", "B"), "end_revenue"] == 100
    assert m.loc[("A", "-"), "customers"] == 1 and m.loc[("A", "-"), "start_revenue"] == 200
    assert m.loc[("B", "-"), "customers"] == 1 and m.loc[("B", "-"), "change"] == -105
    assert m.loc[("-", "A"), "customers"] == 2 and m.loc[("-", "A"), "end_revenue"] == 550
    assert m["customers"].sum() == 6
    matrix = r.tables["migration_matrix"].set_index("from_class")
    assert list(matrix.loc["A", ["A", "B", "C", "-", "customers"]]) == [1, 1, 0, 1, 3]
    assert list(matrix.loc["-", ["A", "B", "C", "-", "customers"]]) == [2, 0, 0, 0, 2]


def test_key_account_losses(daily: pd.DataFrame) -> None:
    r = churn(daily)
    losses = r.tables["key_account_losses"]
    # b fell A -> B (300 -> 100, lost 200), c was lost (200 -> 0, lost 200);
    # equal revenue lost, b first by its larger start revenue
    assert losses["customer"].tolist() == ["b", "c"]
    assert losses["end_class"].tolist() == ["B", "-"]
    assert losses["revenue_lost"].tolist() == [200, 200]
    assert losses["start_revenue"].tolist() == [300, 200]
    s = r.summary
    assert (s["key_accounts_lost"], s["key_accounts_declined"]) == (1, 1)
    assert s["key_account_revenue_lost"] == 400


def test_early_warning_by_rhythm(daily: pd.DataFrame) -> None:
    r = churn(daily)
    rows = r.rows.set_index("customer")
    # a buys Jan 10, Feb 10, Mar 10, Apr 10: gaps 31, 29, 31 -> median 31;
    # Apr 10 -> as-of Jul 3 = 84 days; 84 / 31 = 2.71 > 2 -> at risk
    assert rows.loc["a", "median_gap"] == 31 and rows.loc["a", "days_since_last"] == 84
    assert rows.loc["a", "silence_ratio"] == pytest.approx(84 / 31)
    # b: Jan 5 -> Jun 20 = 167 days, silent 13 days -> 0.08, fine
    assert rows.loc["b", "median_gap"] == 167 and not rows.loc["b", "at_risk"]
    # f's return day (May 5) is no purchase day: one purchase day, no rhythm
    assert is_nan(rows.loc["f", "median_gap"])
    assert rows.loc["f", "last_date"] == pd.Timestamp("2024-03-15")
    # c is silent but lost, so not "at risk"
    assert rows["at_risk"].to_dict() == {
        "a": True, "b": False, "c": False, "f": False, "d": False, "e": False,
    }
    warning = r.tables["early_warning"]
    assert warning["customer"].tolist() == ["a"]
    assert warning["revenue_at_stake"].tolist() == [500]
    assert (r.summary["at_risk_customers"], r.summary["revenue_at_risk"]) == (1, 500)
    assert "p_alive" not in r.rows.columns


def test_early_warning_with_p_alive(daily: pd.DataFrame) -> None:
    p_alive = pd.Series({"b": 0.3, "c": 0.1, "d": 0.9})
    r = churn(daily, p_alive=p_alive, p_alive_threshold=0.5)
    # b (0.3 < 0.5) joins a; c is below too but already lost; sorted by revenue at stake
    warning = r.tables["early_warning"]
    assert warning["customer"].tolist() == ["a", "b"]
    assert warning["revenue_at_stake"].tolist() == [500, 100]
    assert (r.summary["at_risk_customers"], r.summary["revenue_at_risk"]) == (2, 600)
    assert is_nan(r.rows.set_index("customer").loc["a", "p_alive"])
    assert r.params["p_alive_given"] is True


def test_p_alive_must_match_customers(daily: pd.DataFrame) -> None:
    with pytest.raises(UsageError, match="none of its index values"):
        churn(daily, p_alive=pd.Series({0: 0.1, 1: 0.2}))


def test_silence_factor_is_a_parameter(daily: pd.DataFrame) -> None:
    # a's silence ratio is 2.71: flagged at factor 2, not at factor 3
    assert churn(daily, silence_factor=3).summary["at_risk_customers"] == 0


def test_cohorts_by_quarter(daily: pd.DataFrame) -> None:
    r = churn(daily)
    cohorts = r.tables["cohorts"].set_index("cohort")
    # first orders: e 2023Q4; a, b, c, f 2024Q1; d 2024Q2; 2024Q3 is incomplete
    assert cohorts.index.tolist() == ["2023Q4", "2024Q1", "2024Q2"]
    assert cohorts["customers"].tolist() == [1, 4, 1]
    # e bought in 2023Q4 and 2024Q2, not 2024Q1
    assert list(cohorts.loc["2023Q4", ["+0", "+1", "+2"]]) == [1.0, 0.0, 1.0]
    # 2024Q1: all 4 bought; in 2024Q2 a and b did (f only returned) -> 2/4
    assert list(cohorts.loc["2024Q1", ["+0", "+1"]]) == [1.0, 0.5]
    assert is_nan(cohorts.loc["2024Q1", "+2"])  # 2024Q3 is not complete
    assert r.heatmaps[0].table == "cohorts" and r.heatmaps[0].columns == ["+0", "+1", "+2"]


def test_cohorts_by_month(daily: pd.DataFrame) -> None:
    cohorts = churn(daily, cohort="month").tables["cohorts"].set_index("cohort")
    # 2024-01 cohort: a, b. Jan both; Feb a; Mar a; Apr a; May none; Jun b; Jul incomplete
    assert cohorts.loc["2024-01", "customers"] == 2
    assert list(cohorts.loc["2024-01", ["+0", "+1", "+2", "+3", "+4", "+5"]]) == [
        1.0, 0.5, 0.5, 0.5, 0.0, 0.5,
    ]
    assert is_nan(cohorts.loc["2024-01", "+6"])
    # no customer started in 2023-12, so that cohort is not listed
    assert "2023-12" not in cohorts.index


def test_month_periods_reactivated_and_other_step(daily: pd.DataFrame) -> None:
    r = churn(daily, period="month")
    s = r.summary
    # May 2024 -> Jun 2024. May: e 250, f -5 (no purchase). Jun: b 100.
    # e lost; b reactivated (ordered in January); f inactive with a May return
    assert (s["period_start"], s["period_end"]) == ("2024-05", "2024-06")
    assert by_customer(r.rows, "status") == {"e": "lost", "b": "reactivated", "f": "inactive"}
    assert (s["start_customers"], s["end_customers"], s["lost"], s["reactivated"]) == (1, 1, 1, 1)
    assert s["churn_rate"] == 1.0
    # 245 + reactivated 100 - lost 250 + other 5 (f's return leaves the base) = 100
    assert (s["bridge_start"], s["bridge_reactivated"], s["bridge_lost"], s["bridge_other"],
            s["bridge_end"]) == (245, 100, 250, 5, 100)
    assert "other" in r.tables["bridge"]["step"].tolist()
    # GRR = (245 - 0 - 250) / 245
    assert s["gross_revenue_retention"] == pytest.approx(-5 / 245)


def test_compare_non_adjacent_periods(daily: pd.DataFrame) -> None:
    r = churn(daily, compare=("2023Q4", "2024Q2"))
    s = r.summary
    # 2023Q4: e 80. 2024Q2: a 500, b 100, d 300, e 250, f -5.
    # a, b first ordered in 2024Q1, after the start period: new, like d.
    assert by_customer(r.rows, "status") == {
        "e": "retained", "a": "new", "b": "new", "d": "new", "f": "inactive",
    }
    # 80 + new 900 + expansion 170 - 0 - 0 + other -5 = 1145
    assert (s["bridge_start"], s["bridge_new"], s["bridge_expansion"], s["bridge_other"],
            s["bridge_end"]) == (80, 900, 170, -5, 1145)
    assert s["net_revenue_retention"] == pytest.approx(250 / 80)
    assert r.params["compare"] == ["2023Q4", "2024Q2"]


def test_as_of_later_than_the_data(daily: pd.DataFrame) -> None:
    r = churn(daily, as_of="2024-10-01")
    s = r.summary
    # 2024Q3 is now complete: 2024Q2 (a 500, b 100, d 300, e 250, f -5) -> 2024Q3 (d 50)
    # d retained (contraction 250); a, b, e lost (850); f inactive, other +5
    # 1145 - 250 - 850 + 5 = 50
    assert (s["period_start"], s["period_end"]) == ("2024Q2", "2024Q3")
    assert s["as_of"] == pd.Timestamp("2024-10-01")
    assert (s["retained"], s["lost"], s["inactive"]) == (1, 3, 1)
    assert (s["bridge_start"], s["bridge_contraction"], s["bridge_lost"], s["bridge_other"],
            s["bridge_end"]) == (1145, 250, 850, 5, 50)
    # d: purchase days Apr 1 and Jul 2 (gap 92), silent Jul 2 -> Oct 1 = 91 days
    d = r.rows.set_index("customer").loc["d"]
    assert (d["days_since_last"], d["median_gap"], d["at_risk"]) == (91, 92, False)
    assert r.params["as_of_rule"] == "given"


def test_as_of_must_follow_the_last_order(daily: pd.DataFrame) -> None:
    with pytest.raises(UsageError, match="not after the last order"):
        churn(daily, as_of="2024-07-02")  # the last order is on 2024-07-02


def test_incomplete_end_period_is_noted(daily: pd.DataFrame) -> None:
    r = churn(daily, compare=("2024Q2", "2024Q3"))
    assert r.summary["period_end_complete"] is False
    assert any("2024Q3 is not complete" in n for n in words.notes(r, "en"))


def test_bridge_exact_to_the_cent() -> None:
    # ten lines of 0.10 sum to 0.9999999999999999 in floats; in cents they are 1.00
    lines = [("x", f"2024-01-{d:02d}", 0.1) for d in range(1, 11)]
    lines += [("x", "2024-04-02", 0.7), ("y", "2024-04-03", 0.2), ("y", "2024-07-01", 1)]
    s = churn(frame(lines)).summary
    assert s["bridge_start"] == 1.0
    # x: 1.00 -> 0.70, contraction 0.30; y new 0.20; end 0.90
    assert (s["bridge_contraction"], s["bridge_new"], s["bridge_end"]) == (0.3, 0.2, 0.9)
    steps = ["start", "new", "reactivated", "expansion", "contraction", "lost", "other", "end"]
    c = {k: round(s[f"bridge_{k}"] * 100) for k in steps}
    assert (c["start"] + c["new"] + c["reactivated"] + c["expansion"] - c["contraction"]
            - c["lost"] + c["other"]) == c["end"]


def test_abc_boundary_and_ties() -> None:
    # 80.00 + 15.00 + 5.00 in each quarter: before-shares 0, .80, .95 -> the customer reaching
    # 80 % is A (the first), the one starting at exactly 80 % is B, at exactly 95 % is C
    lines = [(c, day, v) for c, v in (("x", 80), ("y", 15), ("z", 5)) for day in ("2024-01-10", "2024-04-10")]
    rows = churn(frame([*lines, ("x", "2024-07-01", 1)]), p_alive_model=None).rows.set_index("customer")
    assert rows["start_class"].to_dict() == {"x": "A", "y": "B", "z": "C"}
    # ties by id: a, b (40 each) then c: before 0, 40, 80 -> A, A, B
    values = (("b", 40), ("a", 40), ("c", 20))
    lines = [(c, day, v) for c, v in values for day in ("2024-01-10", "2024-04-10")]
    rows = churn(frame([*lines, ("a", "2024-07-01", 1)]), p_alive_model=None).rows.set_index("customer")
    assert rows["end_class"].to_dict() == {"a": "A", "b": "A", "c": "B"}


def test_too_few_complete_periods() -> None:
    daily = frame([("a", "2024-01-10", 10), ("a", "2024-03-10", 10), ("a", "2024-04-10", 10),
                   ("a", "2024-05-10", 10)])
    with pytest.raises(AnalysisError) as err:
        churn(daily)  # as of 2024-05-11: 2024Q1 complete, 2024Q2 not
    message = str(err.value)
    assert "2024Q1 (complete)" in message and "2024Q2 (incomplete)" in message
    assert "--period month" in message and "--compare 2024Q1 2024Q2" in message
    # the same data has complete months
    assert churn(daily, period="month").summary["period_end"] == "2024-04"


@pytest.mark.parametrize(
    ("compare", "period", "fragment"),
    [
        (("2024Q5", "2024Q2"), "quarter", "not a period label"),
        (("2024-01", "2024-02"), "quarter", "--period month"),
        (("2024Q2", "2024Q1"), "quarter", "must come before"),
        (("2022Q1", "2024Q2"), "quarter", "no orders in that quarter"),
        (("2024",), "quarter", "two period labels"),
    ],
)
def test_compare_errors(daily: pd.DataFrame, compare: tuple[str, ...], period: str,
                        fragment: str) -> None:
    with pytest.raises(UsageError, match=fragment):
        churn(daily, compare=compare, period=period)


def test_compare_label_spellings(daily: pd.DataFrame) -> None:
    assert churn(daily, compare=("2024-q1", "2024 Q2")).summary["period_end"] == "2024Q2"
    assert churn(daily, period="month", compare=("2024/1", "2024-04")).summary[
        "period_start"] == "2024-01"


def test_nobody_bought_in_start_period() -> None:
    daily = frame([("a", "2024-01-10", 10), ("a", "2024-02-10", -10), ("a", "2024-04-10", 5),
                   ("a", "2024-07-10", 5)])
    with pytest.raises(AnalysisError, match="no customer bought in 2024Q1"):
        churn(daily)  # 2024Q1 nets to zero


@pytest.mark.parametrize(
    "kwargs",
    [{"period": "week"}, {"thresholds": (0.95, 0.8)}, {"silence_factor": 0},
     {"p_alive_threshold": 2}, {"cohort": "year"}, {"as_of": "soon"}],
)
def test_bad_parameters(daily: pd.DataFrame, kwargs: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        churn(daily, **kwargs)  # type: ignore[arg-type]


def test_chinese_words(daily: pd.DataFrame) -> None:
    r = churn(daily)
    assert "流失率 50.0%" in words.headline(r, "zh")[0]
    assert words.for_people(r, "zh").tables["bridge"]["step_label"].tolist()[0] == "期初销售额"
    assert any("销售额毛留存率" in n for n in words.notes(r, "zh"))


def test_labels_load_and_cover_columns(daily: pd.DataFrame) -> None:
    labels = all_labels()  # raises if any key is defined twice across areas
    assert all(len(pair) == 2 and all(pair) for pair in labels.values())
    r = churn(daily, p_alive=pd.Series({"a": 0.5}))
    named = {c for t in r.tables.values() for c in t.columns} | set(r.rows.columns)
    unlabelled = {c for c in named if not has_label(c) and c[0].islower()}
    assert unlabelled == set()


def test_row_order_does_not_matter(daily: pd.DataFrame) -> None:
    a = churn(daily)
    b = churn(daily.sample(frac=1, random_state=7).reset_index(drop=True))
    pd.testing.assert_frame_equal(a.rows, b.rows)
    assert a.summary == b.summary
    for name, table in a.tables.items():
        pd.testing.assert_frame_equal(table, b.tables[name])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d", "e", "f"]),
            st.integers(0, 540),  # days from 2023-01-01
            st.integers(-5_000, 50_000),  # cents
        ),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from(["month", "quarter"]),
)
def test_properties(lines: list[tuple[str, int, int]], period: str) -> None:
    # an anchor customer makes sure both compared periods have a buyer
    base = pd.Timestamp("2023-01-01")
    raw = pd.DataFrame(
        [(c, base + pd.Timedelta(days=d), cents / 100) for c, d, cents in lines]
        + [("z", pd.Timestamp("2024-01-15"), 1.0), ("z", pd.Timestamp("2024-02-15"), 1.0),
           ("z", pd.Timestamp("2024-05-15"), 1.0)],
        columns=["customer", "date", "revenue"],
    )
    # the engine hands over one row per customer and day
    daily = raw.groupby(["customer", "date"], as_index=False).agg(revenue=("revenue", "sum"))
    compare = ("2024-01", "2024-02") if period == "month" else ("2024Q1", "2024Q2")
    r = churn(daily, period=period, compare=compare)
    s, rows = r.summary, r.rows
    cents = {k: round(v * 100) for k, v in s.items() if k.startswith("bridge_")}
    assert (cents["bridge_start"] + cents["bridge_new"] + cents["bridge_reactivated"]
            + cents["bridge_expansion"] - cents["bridge_contraction"] - cents["bridge_lost"]
            + cents["bridge_other"]) == cents["bridge_end"]
    assert round(rows["start_revenue"].sum() * 100) == cents["bridge_start"]
    assert round(rows["end_revenue"].sum() * 100) == cents["bridge_end"]
    assert s["start_customers"] == s["retained"] + s["lost"]
    assert s["end_customers"] == s["new"] + s["retained"] + s["reactivated"]
    assert len(rows) == s["new"] + s["retained"] + s["reactivated"] + s["lost"] + s["inactive"]
    assert rows["customer"].is_unique
    # classes partition the buyers of each period
    assert set(rows.loc[rows["start_revenue"] > 0, "start_class"]) <= {"A", "B", "C"}
    assert set(rows.loc[rows["start_revenue"] <= 0, "start_class"]) <= {"-"}
    assert r.tables["migration"]["customers"].sum() == len(rows) - s["inactive"]


def test_rhythm_on_int32_codes_whose_gap_keys_pass_int32() -> None:
    # the customer-days are int32; the gap sort key code × width is not (3M × 1000 > 2**31)
    import numpy as np

    from kamtool.analyses import churn as module

    n = 3_000_001
    codes = np.array([0, 0, 0, n - 1, n - 1, n - 1], dtype=np.int32)
    days = np.array([0, 10, 1000, 0, 999, 1003], dtype=np.int32)
    orders = module._Orders(customers=pd.Index(range(n)), codes=codes, days=days,
                            months=np.zeros(6, dtype=np.int32), cents=np.ones(6, dtype=np.int64),
                            first_day=np.zeros(n, dtype=np.int64), as_of_day=2000,
                            date_dtype="datetime64[ns]")
    last_day, median_gap = module._rhythm(orders, n)
    assert (last_day[0], last_day[n - 1]) == (1000, 1003)
    assert (median_gap[0], median_gap[n - 1]) == ((10 + 990) / 2, (999 + 4) / 2)
    assert np.isnan(median_gap[1:n - 1]).all()
