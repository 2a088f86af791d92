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
