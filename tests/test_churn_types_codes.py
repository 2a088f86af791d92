"""Churn types' product lines summed by customer and line code, on a hand-worked mix."""

from __future__ import annotations

import pandas as pd

from kamtool.analyses.churn_types import _line_stopped, lines_of

Q1_2024 = (2024 - 1970) * 4  # quarter ordinal 216
JAN_2024 = (2024 - 1970) * 12  # month ordinal 648


def _mix() -> pd.DataFrame:
    """Start 2024Q1, end 2024Q3: a keeps Paper and stops Toner; b buys Toner only in Q2 (between
    the two periods) and Paper in both; c nets Ink to zero in Q1; a line without a name is none."""
    rows = [
        ("a", JAN_2024, "Paper", 10.10), ("a", JAN_2024 + 1, "Toner", 5.00),
        ("a", JAN_2024 + 7, "Paper", 2.25), ("b", JAN_2024 + 4, "Toner", 9.00),
        ("b", JAN_2024 + 2, "Paper", 1.00), ("b", JAN_2024 + 8, "Paper", 1.00),
        ("c", JAN_2024, "Ink", 0.10), ("c", JAN_2024 + 1, "Ink", 0.20), ("c", JAN_2024 + 2, "Ink", -0.30),
        ("c", JAN_2024 + 6, "Paper", 4.00), ("a", JAN_2024 + 6, None, 3.00),
    ]
    return pd.DataFrame(rows, columns=["customer", "month", "category", "revenue"])


def test_lines_of_sums_the_start_and_end_period_per_customer_and_line() -> None:
    lines, dim = lines_of(_mix(), "quarter", Q1_2024, Q1_2024 + 2)
    assert dim == "category" and lines is not None
    got = {(r.customer, r.line): (r.start_revenue, r.end_revenue) for r in lines.itertuples()}
    assert got == {
        ("a", "Paper"): (10.10, 2.25), ("a", "Toner"): (5.0, 0.0),
        ("b", "Paper"): (1.0, 1.0),  # b's Toner (Q2 only) has neither figure: left out
        ("c", "Ink"): (0.0, 0.0), ("c", "Paper"): (0.0, 4.0),
    }
    # a line goes on while another stopped: a only (c's Ink netted to zero was never bought)
    assert _line_stopped(lines) == {"a"}


def test_lines_of_without_a_line_column_is_none() -> None:
    assert lines_of(_mix().drop(columns=["category"]), "quarter", Q1_2024, Q1_2024 + 2) == (None, None)
    assert lines_of(None, "quarter", Q1_2024, Q1_2024 + 2) == (None, None)


def test_compared_codes_default_and_given() -> None:
    """By hand: 2025-08-15 lies in 2025Q3 (ordinal (2025 - 1970) * 4 + 2 = 222): the last two
    complete quarters are 220 and 221; --compare 2025Q1 2025Q3 gives 220 and 222."""
    import numpy as np

    from kamtool.analyses.churn import compared_codes

    day = int(np.datetime64("2025-08-15", "D").astype(np.int64))
    assert compared_codes("quarter", None, day) == (220, 221)
    assert compared_codes("quarter", ("2025Q1", "2025Q3"), day) == (220, 222)
    assert compared_codes("month", None, day) == (665, 666)  # 2025-06, 2025-07


def test_mix_months_the_two_periods_and_with_a_brand_its_shares_and_the_key_window() -> None:
    """By hand, months since 1970-01: 2025Q1..2025Q3 is months 660..668; a brand adds the four
    quarters before 2025Q3 (from 218 * 3 = 654) and the key tier's 12 months up to 2025-06
    (654..665): 654..668.  By month, 2025-01 (660) against 2025-08 (667): the brand's shares from
    663, the key window as of 2025-08-01 is 2024-08..2025-07 (655..666): 655..667."""
    from kamtool.analyses.churn_types import mix_months

    assert mix_months("quarter", 220, 222, None) == (660, 668)
    assert mix_months("quarter", 220, 222, "Kamaro") == (654, 668)
    assert mix_months("month", 660, 667, None) == (660, 667)
    assert mix_months("month", 660, 667, "Kamaro") == (655, 667)
