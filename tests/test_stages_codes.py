"""Stages' sums by customer code on hand-worked frames: months from days, the one-row-per-month
shortcut, breadth with missing ids, and the lost flag with repeated and netted-out days."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from kamtool.analyses.stages import breadth, monthly_cents, monthly_of_days, stages

JAN_2024 = (2024 - 1970) * 12  # month ordinal 648


def _days(rows: list[tuple[object, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer", "date", "revenue"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def test_months_from_days_are_summed_in_cents_per_customer_and_sorted() -> None:
    days = _days([
        ("b", "2024-02-01", 3.30), ("a", "2024-01-20", -0.10), ("a", "2024-03-01", 5.00),
        ("b", "2024-02-01", 1.20), ("a", "2024-01-05", 10.10), (None, "2024-01-05", 99.0),
        ("b", "2024-01-31", 0.10), ("b", "2024-01-31", 0.20), ("b", "2024-01-31", -0.30),
    ])
    monthly = monthly_of_days(days)
    assert monthly["customer"].tolist() == ["a", "a", "b", "b"]  # the row without an id: no group
    assert monthly["month"].tolist() == [JAN_2024, JAN_2024 + 2, JAN_2024, JAN_2024 + 1]
    # 0.10 + 0.20 - 0.30 is 0 exactly in cents (5.55e-17 in floats)
    assert monthly["revenue"].tolist() == [10.0, 5.0, 0.0, 4.5]


def test_monthly_cents_is_the_same_whether_or_not_rows_repeat_or_come_sorted() -> None:
    once = pd.DataFrame({"customer": ["a", "a", "b"], "month": [1, 2, 1], "revenue": [1.5, 2.25, 3.0]},
                        index=[7, 8, 9])
    twice = pd.DataFrame({"customer": ["b", "a", "a", "a"], "month": [1, 2, 1, 2],
                          "revenue": [3.0, 2.0, 1.5, 0.25]})
    expected = pd.DataFrame({"customer": ["a", "a", "b"], "month": [1, 2, 1],
                             "revenue_c": np.array([150, 225, 300], dtype=np.int64)})
    for frame in (once, twice):
        cents = monthly_cents(frame)
        assert cents["customer"].tolist() == expected["customer"].tolist()
        assert cents["month"].tolist() == expected["month"].tolist()
        assert cents["revenue_c"].tolist() == expected["revenue_c"].tolist()
        assert isinstance(cents.index, pd.RangeIndex)


def test_breadth_counts_values_with_positive_net_revenue_and_skips_missing_ids() -> None:
    mix = pd.DataFrame({
        "customer": ["a", "a", "a", "a", "b", None, "b"],
        "month": [10, 10, 11, 12, 11, 11, 9],
        "category": ["x", "y", "y", "z", "x", "x", "y"],
        "revenue": [5.0, 2.0, -2.0, 1.0, 3.0, 8.0, 4.0],
    })
    counts, dimension = breadth(mix, 10, 12)
    assert dimension == "category"
    assert counts is not None
    # a: x (5), y (2 - 2 = 0: not bought), z (1) -> 2; b: x only (y is before the window)
    assert counts.to_dict() == {"a": 2, "b": 1}


def test_lost_from_repeated_and_netted_out_days_in_any_order() -> None:
    days = _days([
        ("x", "2024-02-10", 10.0), ("x", "2024-01-11", -50.0), ("y", "2024-05-01", 7.0),
        ("x", "2024-01-01", 100.0), ("x", "2024-01-31", 6.0), ("x", "2024-01-11", 50.0),
        ("x", "2024-01-31", 4.0), ("z", "2024-06-01", 3.0),  # z: on the as-of day, not counted
    ])
    rows = stages(monthly_of_days(days), as_of="2024-06-01", days=days).rows.set_index("customer")
    # x bought on Jan 1, Jan 31 and Feb 10 (Jan 11 nets to 0): gaps 30 and 10, median 20;
    # silent from Feb 10 to Jun 1 2024: 112 days > 3 × 20 and >= 90
    assert rows.loc["x", "median_gap"] == 20.0
    assert rows.loc["x", "days_since_last"] == 112
    assert bool(rows.loc["x", "lost"]) is True
    # y: one purchase day, no gap: never lost
    assert math.isnan(rows.loc["y", "median_gap"]) and rows.loc["y", "days_since_last"] == 31
    assert bool(rows.loc["y", "lost"]) is False
    assert pd.isna(rows.loc["z", "days_since_last"]) and bool(rows.loc["z", "lost"]) is False


def test_a_value_netting_to_zero_cents_is_not_bought_whatever_the_float_sum() -> None:
    # 0.10 + 0.20 - 0.30 is 5.55e-17 in floats: summed as floats, x counted as bought (seen on
    # the 10M-line benchmark file: a category of rows netting to 0.00 raised two breadths)
    mix = pd.DataFrame({"customer": ["a", "a", "a", "a"], "month": [10, 11, 12, 12],
                        "category": ["x", "x", "x", "y"], "revenue": [0.10, 0.20, -0.30, 1.00]})
    counts, _ = breadth(mix, 10, 12)
    assert counts is not None and counts.to_dict() == {"a": 1}
