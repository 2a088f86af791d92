"""The credit analysis: FIFO application, aging boundaries, DSO, limit, grades, tie-out.

Every expected value below was worked out by hand from the rows of the test; the
comments show the arithmetic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamtool.analyses.credit import NEEDS, Options, bucket_names, credit
from kamtool.analyses.credit.apply import apply
from kamtool.analyses.credit.grading import GradeRule, grade, suggested_limit
from kamtool.analyses.credit.inputs import net_invoices, read_invoices, read_payments
from kamtool.errors import AnalysisError, ColumnError, DataError, UsageError
from kamtool.result import Result

BUCKETS = ["not_due", "overdue_1_30", "overdue_31_60", "overdue_61_90", "overdue_91_180",
           "overdue_over_180"]


def invoices(*rows: tuple, **extra: list) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer", "invoice_id", "date", "amount"])
    for name, values in extra.items():
        frame[name] = values
    return frame


def payments(*rows: tuple) -> pd.DataFrame:
    columns = ["customer", "date", "amount", "invoice_id"][: len(rows[0])]
    return pd.DataFrame(rows, columns=columns)


def row_of(result: Result, customer: str) -> pd.Series:
    row = result.rows.set_index("customer").loc[customer]
    assert isinstance(row, pd.Series)  # customers are unique in the rows
    return row


def cents(x: float) -> int:
    return round(x * 100)


# ------------------------------------------------------------------------------ application

THREE = invoices(("A", "I1", "2024-01-01", 100.0), ("A", "I2", "2024-01-15", 200.0),
                 ("A", "I3", "2024-02-01", 50.0))


def _applied(inv: pd.DataFrame, pay: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, str, int]], dict]:
    lines, line_pay = read_invoices(inv)
    frame = net_invoices(lines)
    frame["due_day"] = np.where(frame["due_day"] < -10**9, frame["day"] + 30, frame["due_day"])
    applied = apply(frame, pd.concat([line_pay, read_payments(pay)], ignore_index=True))
    allocations = [(frame["invoice_id"][i], str(np.datetime64(d, "D")), c)
                   for i, d, c in applied.allocations[["invoice", "day", "cents"]].itertuples(index=False)]
    open_by_id = dict(zip(frame["invoice_id"], applied.open_cents.tolist(), strict=True))
    return frame, allocations, {"open": open_by_id, "credit": applied.credit,
                                "unmatched": applied.unmatched_references}


def test_fifo_partial_payment_and_a_payment_that_spans_invoices() -> None:
    # 60 pays part of I1 (40 left); 150 pays I1's 40 and 110 of I2 (90 left); I3 untouched
    pay = payments(("A", "2024-01-20", 60.0), ("A", "2024-02-10", 150.0))
    _, allocations, state = _applied(THREE, pay)
    assert allocations == [("I1", "2024-01-20", 6000), ("I1", "2024-02-10", 4000),
                           ("I2", "2024-02-10", 11000)]
    assert state["open"] == {"I1": 0, "I2": 9000, "I3": 5000}
    assert state["credit"] == {"A": 0}


def test_a_reference_settles_its_invoice_first_and_the_rest_goes_fifo() -> None:
    # 250 for I2: I2's 200 first, the other 50 to the oldest open invoice I1 (50 left)
    pay = payments(("A", "2024-02-10", 250.0, "I2"))
    _, allocations, state = _applied(THREE, pay)
    assert allocations == [("I2", "2024-02-10", 20000), ("I1", "2024-02-10", 5000)]
    assert state["open"] == {"I1": 5000, "I2": 0, "I3": 5000}
    assert state["unmatched"] == 0


def test_an_unknown_or_settled_reference_goes_fifo_and_is_counted() -> None:
    pay = payments(("A", "2024-02-10", 30.0, "NOPE"), ("A", "2024-02-11", 10.0, "I1"),
                   ("A", "2024-02-12", 80.0, "I1"))
    # 30 -> I1 (70 left); 10 for I1 -> I1 (60 left); 80 for I1: 60 to I1, 20 FIFO to I2
    _, allocations, state = _applied(THREE, pay)
    assert allocations == [("I1", "2024-02-10", 3000), ("I1", "2024-02-11", 1000),
                           ("I1", "2024-02-12", 6000), ("I2", "2024-02-12", 2000)]
    assert state["unmatched"] == 1  # only NOPE: the I1 references found I1 open


def test_a_credit_note_reduces_the_oldest_open_invoice_and_is_not_cash() -> None:
    inv = pd.concat([THREE, invoices(("A", "CN1", "2024-01-25", -30.0))], ignore_index=True)
    pay = payments(("A", "2024-02-10", 100.0))
    # CN1 30 -> I1 (70 left); payment 100 -> I1 70, I2 30 (170 left)
    frame, allocations, state = _applied(inv, pay)
    assert allocations == [("I1", "2024-01-25", 3000), ("I1", "2024-02-10", 7000),
                           ("I2", "2024-02-10", 3000)]
    assert state["open"] == {"CN1": 0, "I1": 0, "I2": 17000, "I3": 5000}
    result = credit(inv, pay, options=Options(as_of="2024-03-01"))
    a = row_of(result, "A")
    assert a["balance"] == 220.0  # 350 − 30 − 100
    # cash only: 70 paid 40 days after I1 and 30 paid 26 days after I2: (70·40 + 30·26)/100
    assert a["days_to_pay"] == pytest.approx(35.8)
    # I1 due 01-31 (paid 10 days late), I2 due 02-14 (on time): 70·10/100
    assert a["days_beyond_terms"] == pytest.approx(7.0)
    assert a["on_time_share"] == pytest.approx(0.3)
    assert result.summary["credited"] == 30.0 and result.summary["credit_notes"] == 1


def test_an_overpayment_stays_as_a_credit_balance_and_settles_the_next_invoice() -> None:
    inv = invoices(("B", "J1", "2024-01-01", 100.0), ("B", "J2", "2024-03-01", 30.0))
    pay = payments(("B", "2024-01-20", 150.0))
    # 100 settles J1, 50 stays as credit; J2 on 03-01 takes 30 of it, 20 credit remains
    _, allocations, state = _applied(inv, pay)
    assert allocations == [("J1", "2024-01-20", 10000), ("J2", "2024-03-01", 3000)]
    assert state["credit"] == {"B": -2000}
    b = row_of(credit(inv, pay, options=Options(as_of="2024-02-15")), "B")
    assert (b["balance"], b["not_due"], b["overdue"]) == (-50.0, -50.0, 0.0)
    b = row_of(credit(inv, pay, options=Options(as_of="2024-03-15")), "B")
    assert (b["balance"], b["not_due"]) == (-20.0, -20.0)
    assert b["days_to_pay"] == pytest.approx((100 * 19 + 30 * 0) / 130)


def test_payments_on_the_invoice_lines_themselves() -> None:
    inv = invoices(("C", "K1", "2024-01-01", 100.0), ("C", "K1", "2024-01-01", 20.0),
                   ("C", "K2", "2024-01-05", 50.0),
                   paid_date=["2024-01-21", None, "2024-02-20"], paid_amount=[None, None, 30.0])
    # line 1: paid in full (100) on 01-21; line 2 unpaid; K2: 30 paid on 02-20
    result = credit(inv, options=Options(as_of="2024-03-01"))
    c = row_of(result, "C")
    assert c["balance"] == 40.0  # 170 − 130
    # K1 (120, due 01-31) has 20 open, 30 days past due; K2 (due 02-04) has 20 open, 26 days
    assert c["overdue_1_30"] == 40.0
    assert result.summary["payments"] == 2


def test_shares_of_a_payment_on_one_day_do_not_depend_on_row_order() -> None:
    inv = invoices(("A", "I2", "2024-01-01", 100.0), ("A", "I1", "2024-01-01", 100.0))
    pay = payments(("A", "2024-01-05", 150.0))
    # same date: the lower invoice id is older; I1 is settled, I2 keeps 50
    _, allocations, _ = _applied(inv, pay)
    assert allocations == [("I1", "2024-01-05", 10000), ("I2", "2024-01-05", 5000)]


# ----------------------------------------------------------------------------------- aging


@pytest.mark.parametrize(("past_due", "bucket"), [
    (-5, "not_due"), (0, "not_due"), (1, "overdue_1_30"), (30, "overdue_1_30"), (31, "overdue_31_60"),
    (60, "overdue_31_60"), (61, "overdue_61_90"), (90, "overdue_61_90"), (91, "overdue_91_180"),
    (180, "overdue_91_180"), (181, "overdue_over_180"),
])
def test_every_bucket_boundary(past_due: int, bucket: str) -> None:
    as_of = pd.Timestamp("2024-12-31")
    due = as_of - pd.Timedelta(days=past_due)
    inv = invoices(("A", "I", str((due - pd.Timedelta(days=30)).date()), 12.34))  # due by --terms 30
    a = row_of(credit(inv, options=Options(as_of=as_of)), "A")
    assert a[bucket] == 12.34
    assert [a[b] for b in BUCKETS if b != bucket] == [0.0] * 5
    # an invoice not yet due is 0 days past due, never negative
    assert a["max_days_past_due"] == max(past_due, 0)


def test_a_due_date_beats_terms_and_account_terms_beat_the_default() -> None:
    inv = invoices(("A", "I", "2024-01-01", 10.0), ("B", "J", "2024-01-01", 10.0),
                   ("C", "K", "2024-01-01", 10.0), due_date=["2024-01-11", None, None])
    accounts = pd.DataFrame({"customer": ["B"], "payment_terms": [60]})
    rows = credit(inv, accounts=accounts, options=Options(as_of="2024-03-01")).rows.set_index("customer")
    # as of 03-01: A due 01-11 (50 days), B due 03-01 (0 days: not due), C due 01-31 (30 days)
    assert rows.loc["A", "overdue_31_60"] == 10.0
    assert rows.loc["B", "not_due"] == 10.0
    assert rows.loc["C", "overdue_1_30"] == 10.0
    assert rows["terms"].to_dict() == {"A": 30, "B": 60, "C": 30}


def test_bucket_names_follow_the_option_and_bad_buckets_are_refused() -> None:
    assert bucket_names((15, 45)) == ["not_due", "overdue_1_15", "overdue_16_45", "overdue_over_45"]
    inv = invoices(("A", "I", "2024-01-01", 10.0))
    result = credit(inv, options=Options(as_of="2024-02-20", buckets=(15, 45)))
    assert row_of(result, "A")["overdue_16_45"] == 10.0  # due 01-31: 20 days
    for bad in ((30, 30), (0, 30), (60, 30), ()):
        with pytest.raises(UsageError, match="--buckets"):
            credit(inv, options=Options(buckets=bad))


def test_events_on_or_after_the_as_of_day_are_left_out() -> None:
    inv = invoices(("A", "I1", "2024-01-01", 100.0), ("A", "I2", "2024-03-01", 40.0))
    pay = payments(("A", "2024-03-01", 100.0))
    result = credit(inv, pay, options=Options(as_of="2024-03-01"))
    assert row_of(result, "A")["balance"] == 100.0
    assert (result.summary["later_lines"], result.summary["later_payments"]) == (1, 1)
    # by default "today" is the day after the last invoice or payment: everything counts
    everything = credit(inv, pay)
    assert everything.summary["as_of"] == "2024-03-02"
    assert row_of(everything, "A")["balance"] == 40.0


# ----------------------------------------------------------------------------- DSO and limit


def test_dso_by_hand_and_the_edge_of_its_window() -> None:
    # as of 2024-12-31 the window is the 90 days 2024-10-02 .. 2024-12-30
    inv = invoices(("A", "old", "2024-10-01", 5000.0), ("A", "edge", "2024-10-02", 300.0),
                   ("A", "new", "2024-12-30", 600.0))
    pay = payments(("A", "2024-11-01", 5000.0 + 300.0 - 250.0 + 600.0 - 600.0))
    a = row_of(credit(inv, pay, options=Options(as_of="2024-12-31")), "A")
    # balance 5900 − 5050 = 850; sales of the window 900 -> 10 a day; DSO 850 / 10 = 85
    assert a["balance"] == 850.0
    assert a["dso_sales"] == 900.0
    assert a["dso"] == pytest.approx(85.0)


def test_the_limit_formula_by_hand() -> None:
    # one invoice of 1200 paid 15 days after its due day: monthly sales 1200 / 12 = 100,
    # days beyond terms 15, not within terms -> B (15 ≤ 15), factor 1.0:
    # 100 × (30 + 15) / 30 × 1.0 = 150; highest month-end balance 1200 (January) -> cap 1440
    inv = invoices(("L", "I", "2024-01-10", 1200.0))
    pay = payments(("L", "2024-02-24", 1200.0))
    result = credit(inv, pay, options=Options(as_of="2024-12-01"))
    row = row_of(result, "L")
    assert (row["grade"], row["days_beyond_terms"], row["credit_limit"]) == ("B", 15.0, 150.0)
    assert row["highest_balance"] == 1200.0 and row["limit_sales"] == 1200.0
    # B's factor at 0.7: 100 × (30 + 15) / 30 × 0.7 = 105
    low = credit(inv, pay, options=Options(as_of="2024-12-01", grade_factors={"B": 0.7}))
    assert row_of(low, "L")["credit_limit"] == 105.0 and low.params["grade_factors"]["B"] == 0.7
    # terms of 60: due 03-10, paid 02-24, within terms -> A: 100 × (60 + 0) / 30 × 1.2 = 240
    longer = row_of(credit(inv, pay, options=Options(as_of="2024-12-01", terms=60)), "L")
    assert (longer["grade"], longer["credit_limit"]) == ("A", 240.0)


def test_the_cap_binds_at_cap_times_the_highest_balance() -> None:
    # sales 1140 + 60 = 1200 -> 100 a month; paid early -> A: 100 × 30 / 30 × 1.2 = 120;
    # highest month-end balance 60 (the open November invoice) -> cap 1.2 × 60 = 72
    inv = invoices(("M", "I1", "2024-01-10", 1140.0), ("M", "I2", "2024-11-20", 60.0))
    pay = payments(("M", "2024-01-20", 1140.0))
    row = row_of(credit(inv, pay, options=Options(as_of="2024-12-01")), "M")
    assert (row["grade"], row["highest_balance"], row["credit_limit"]) == ("A", 60.0, 72.0)
    assert row["utilisation"] == pytest.approx(60 / 72, abs=1e-4)
    assert not row["over_limit"]
    assert suggested_limit(120000, 12, 30, 0, 0, 1.2, 2.0, 6000) == 12000  # a wider cap: 120


def test_suggested_limit_rounds_half_up_once_and_never_goes_negative() -> None:
    # 1001 cents / 12 × 30 / 30 × 1.0 = 83.4166 -> 83; 1002 / 12 = 83.5 -> 84
    assert suggested_limit(1001, 12, 30, 0, 0, 1.0, 9.0, 10**9) == 83
    assert suggested_limit(1002, 12, 30, 0, 0, 1.0, 9.0, 10**9) == 84
    assert suggested_limit(-5000, 12, 30, 0, 0, 1.0, 9.0, 10**9) == 0
    # days beyond terms is Σ cent-days / Σ cents exactly: 100 cents, 1000 cent-days -> 10 days
    assert suggested_limit(120000, 12, 30, 100, 1000, 1.0, 9.0, 10**9) == round(10000 * 40 / 30)


def test_utilisation_uses_the_accounts_limit_when_given_and_over_limit_rows_come_first() -> None:
    inv = invoices(("A", "I1", "2024-06-01", 500.0), ("B", "J1", "2024-06-01", 100.0))
    accounts = pd.DataFrame({"customer": ["A", "B"], "credit_limit": [400.0, 1000.0]})
    result = credit(inv, accounts=accounts, options=Options(as_of="2024-06-20"))
    assert result.rows["customer"].tolist() == ["A", "B"]
    a, b = row_of(result, "A"), row_of(result, "B")
    assert (a["current_limit"], a["utilisation"], a["over_limit"]) == (400.0, 1.25, True)
    assert (b["utilisation"], b["over_limit"]) == (0.1, False)
    assert result.tables["over_limit"]["customer"].tolist() == ["A"]
    # without the accounts file the suggestion is the limit: no payments -> B, 600/12 ... :
    # A: 500 / 12 × 30 / 30 = 41.67, B: 8.33; both balances are above -> over limit
    alone = credit(inv, options=Options(as_of="2024-06-20"))
    assert row_of(alone, "A")["credit_limit"] == 41.67
    assert alone.rows["over_limit"].tolist() == [True, True]
    assert alone.rows["customer"].tolist() == ["A", "B"]  # then by balance


# --------------------------------------------------------------------------------- grades

RULE = GradeRule()


@pytest.mark.parametrize(("worst", "beyond_days", "late_days", "expected"), [
    (None, 0, 0, "A"), (60, 0, 0, "A"), (60, 0, -3, "A"), (61, 0, 0, "B"), (None, 5, 0, "A"),
    (None, 1, 1, "B"), (None, 15, 15, "B"), (None, 16, 16, "C"), (None, 45, 45, "C"),
    (None, 46, 46, "D"), (90, 0, 0, "B"), (91, 0, -10, "D"), (-3, 0, 0, "A"),
])
def test_the_grade_at_each_edge(worst: int | None, beyond_days: int, late_days: int, expected: str) -> None:
    weight = 1000  # cents of cash applied; beyond and late are cent-days
    assert grade(worst, weight, beyond_days * weight, late_days * weight, RULE) == expected


def test_without_payments_the_grade_is_b_unless_something_is_over_90_days() -> None:
    assert grade(None, 0, 0, 0, RULE) == "B"
    assert grade(91, 0, 0, 0, RULE) == "D"


def test_grades_from_payment_records() -> None:
    # E pays one invoice 10 days early and an equal one 10 days late: within terms on
    # average (lateness 0) -> A although 5 days beyond terms on average; F pays 16 days late
    inv = invoices(("E", "1", "2024-01-01", 100.0), ("E", "2", "2024-02-01", 100.0),
                   ("F", "3", "2024-01-01", 100.0))
    pay = payments(("E", "2024-01-21", 100.0), ("E", "2024-03-12", 100.0), ("F", "2024-02-16", 100.0))
    rows = credit(inv, pay, options=Options(as_of="2024-06-01")).rows.set_index("customer")
    assert list(rows.loc["E", ["grade", "days_beyond_terms", "lateness"]]) == ["A", 5.0, 0.0]
    assert list(rows.loc["F", ["grade", "days_beyond_terms"]]) == ["C", 16.0]


def test_trend_and_worsening() -> None:
    # as of 2024-12-01: recent months from 2024-06-01, the six before from 2023-12-01.
    # W paid 5 days late in the earlier half and 20 days late in the recent one: trend +15
    inv = invoices(("W", "1", "2024-01-01", 100.0), ("W", "2", "2024-07-01", 100.0),
                   ("Q", "3", "2024-07-01", 900.0))
    pay = payments(("W", "2024-02-05", 100.0), ("W", "2024-08-20", 100.0), ("Q", "2024-07-05", 900.0))
    result = credit(inv, pay, options=Options(as_of="2024-12-01"))
    w = row_of(result, "W")
    assert (w["trend"], w["worsening"]) == (15.0, True)
    assert np.isnan(row_of(result, "Q")["trend"])  # nothing paid in the earlier half
    assert result.rows["customer"].tolist() == ["W", "Q"]  # worsening first, then balance
    calm = credit(inv, pay, options=Options(as_of="2024-12-01", worsening_days=15))
    assert not row_of(calm, "W")["worsening"]  # more than 15 days worse is needed


# -------------------------------------------------------------------------- company view


def test_company_view() -> None:
    inv = invoices(("A", "1", "2024-01-01", 300.0), ("B", "2", "2024-05-01", 100.0),
                   ("C", "3", "2024-05-20", 50.0), ("D", "4", "2024-05-25", 10.0))
    pay = payments(("D", "2024-05-26", 30.0))
    accounts = pd.DataFrame({"customer": ["A", "B", "C"], "owner": ["Ann", "Ann", "Bo"],
                             "region": ["East", "West", "East"]})
    result = credit(inv, pay, accounts, Options(as_of="2024-06-30", key_accounts={"A", "X"}))
    # as of 06-30: A due 01-31 (151 days), B due 05-31 (30), C due 06-19 (11), D credit −20
    aging = result.tables["aging"].set_index("bucket")["amount"].to_dict()
    assert aging == {"not_due": -20.0, "overdue_1_30": 150.0, "overdue_31_60": 0.0,
                     "overdue_61_90": 0.0, "overdue_91_180": 300.0, "overdue_over_180": 0.0}
    summary = result.summary
    assert (summary["receivables"], summary["overdue"], summary["credit_balances"]) == (430.0, 450.0, -20.0)
    assert summary["key_account_share"] == pytest.approx(300 / 430)
    # 90-day window 04-01 .. 06-29: sales 160 -> DSO 430 × 90 / 160
    assert summary["dso"] == pytest.approx(430 * 90 / 160, abs=1e-4)
    owner = result.tables["by_owner"].set_index("owner")
    assert owner["balance"].to_dict() == {"Ann": 400.0, "Bo": 50.0, "-": -20.0}
    assert owner.loc["Ann", "overdue_91_180"] == 300.0 and owner.loc["Ann", "customers"] == 2
    assert result.tables["by_region"].set_index("region")["balance"].to_dict() == {
        "East": 350.0, "West": 100.0, "-": -20.0}
    largest = result.tables["largest_overdue"]
    assert largest["customer"].tolist() == ["A", "B", "C"]
    assert largest["overdue"].tolist() == [300.0, 100.0, 50.0]
    assert result.tables["grades"]["customers"].sum() == 4
    history = result.tables["balance_history"]
    # the last point is the as-of date's balance, the receivables of the rows
    assert history["date"].iloc[-1] == "2024-06-30" and history["receivables"].iloc[-1] == 430.0
    assert result.summary["receivables"] == 430.0
    assert history.set_index("date").loc["2024-04-30", "receivables"] == 300.0


def test_rows_carry_the_canonical_keys_and_their_kinds() -> None:
    result = credit(THREE, options=Options(as_of="2024-03-01"))
    for key in ("customer", "balance", *BUCKETS, "dso", "days_to_pay", "days_beyond_terms",
                "on_time_share", "trend", "grade", "credit_limit", "current_limit", "utilisation",
                "over_limit", "worsening"):
        assert key in result.rows.columns, key
    assert result.kinds["not_due"] == "money" and result.kinds["dso"] == "days"
    assert result.kinds["utilisation"] == "share" and result.kinds["rows.over_limit"] == "bool"
    # the summary's over_limit and worsening count customers
    assert result.kinds["over_limit"] == "count" and isinstance(result.summary["over_limit"], int)
    # the invoice lines are a grain beside a table per customer
    (invoices,) = NEEDS.grains
    assert invoices.name == "invoices" and invoices.keys[:3] == ("customer", "invoice_id", "date")
    assert "due_date" in invoices.keys and "paid_amount" in (NEEDS.measures or ())
    assert NEEDS.grain[0] == "customer" and set(invoices.keys) <= set(NEEDS.grain)


# -------------------------------------------------------------------------------- errors


def test_errors_name_the_frame_row_and_column() -> None:
    with pytest.raises(DataError, match=r"invoices row 2: 'soon' is not a date in column date"):
        credit(invoices(("A", "1", "2024-01-01", 1.0), ("A", "2", "soon", 1.0)))
    with pytest.raises(DataError, match=r"payments row 1: amount -5.00 is negative"):
        credit(THREE, payments(("A", "2024-02-01", -5.0)))
    with pytest.raises(DataError, match=r"invoices row 1: paid_amount 5.00 has no paid_date"):
        credit(invoices(("A", "1", "2024-01-01", 9.0), paid_date=[None], paid_amount=[5.0]))
    with pytest.raises(DataError, match=r"accounts row 2: customer 'A' is listed twice"):
        credit(THREE, accounts=pd.DataFrame({"customer": ["A", "A"]}))
    with pytest.raises(ColumnError, match=r"payments need a column amount or paid_amount"):
        credit(THREE, pd.DataFrame({"customer": ["A"], "date": ["2024-01-01"]}))
    with pytest.raises(UsageError, match="--terms"):
        credit(THREE, options=Options(terms=-1))
    with pytest.raises(UsageError, match=r"--cap takes a number ≥ 0 \(got 'lots'\)"):
        credit(THREE, options=Options(cap="lots"))  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="--trend-months takes a whole number ≥ 1"):
        credit(THREE, options=Options(trend_months=0))
    with pytest.raises(DataError, match=r"accounts row 1: payment_terms 'net 30' is not a number of days"):
        credit(THREE, accounts=pd.DataFrame({"customer": ["A"], "payment_terms": ["net 30"]}))
    with pytest.raises(AnalysisError, match="no invoice is dated before the as-of day 2023-06-01"):
        credit(THREE, options=Options(as_of="2023-06-01"))
    with pytest.raises(AnalysisError, match="no invoices"):
        credit(THREE.iloc[:0])
    with pytest.raises(UsageError, match="--grade-factors"):
        credit(THREE, options=Options(grade_factors={"E": 1.0}))


def test_payments_may_be_headed_with_their_paid_synonyms_and_an_order_id_reference() -> None:
    pay = pd.DataFrame({"customer": ["A"], "paid_date": ["2024-02-10"], "paid_amount": [250.0],
                        "order_id": ["I2"]})
    result = credit(THREE, pay, options=Options(as_of="2024-03-01"))
    assert row_of(result, "A")["balance"] == 100.0 and result.summary["unmatched_references"] == 0


# ------------------------------------------------------------------------------ properties

DAYS = st.integers(min_value=0, max_value=400)


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = draw(st.integers(min_value=1, max_value=25))
    inv = []
    for _ in range(n):
        customer = draw(st.sampled_from("ABC"))
        cents_ = draw(st.integers(min_value=-20_000, max_value=200_000))
        inv.append((customer, f"I{draw(st.integers(0, 12))}", draw(DAYS), cents_))
    pay = []
    for _ in range(draw(st.integers(min_value=0, max_value=25))):
        ref = draw(st.one_of(st.none(), st.sampled_from([f"I{k}" for k in range(15)])))
        pay.append((draw(st.sampled_from("ABCD")), draw(DAYS), draw(st.integers(1, 150_000)), ref))
    start = pd.Timestamp("2023-01-01")

    def date(d: int) -> str:
        return str((start + pd.Timedelta(days=d)).date())

    invoices_ = pd.DataFrame([(c, i, date(d), x / 100) for c, i, d, x in inv],
                             columns=["customer", "invoice_id", "date", "amount"])
    # some lines carry their own payment: a day and an amount (never a refund)
    paid = [draw(st.one_of(st.none(), st.tuples(DAYS, st.integers(1, 90_000)))) for _ in inv]
    invoices_["paid_date"] = [None if p is None else date(p[0]) for p in paid]
    invoices_["paid_amount"] = [None if p is None else p[1] / 100 for p in paid]
    # some lines carry a due date (possibly before the invoice date: bad data still ties out)
    invoices_["due_date"] = [None if d is None else date(d)
                             for d in (draw(st.one_of(st.none(), DAYS)) for _ in inv)]
    payments_ = pd.DataFrame([(c, date(d), x / 100, r) for c, d, x, r in pay],
                             columns=["customer", "date", "amount", "invoice_id"])
    return invoices_, payments_


@settings(max_examples=40, deadline=None)
@given(data=ledgers(), as_of=st.integers(min_value=1, max_value=420))
def test_buckets_sum_to_balances_and_balances_to_invoiced_minus_paid(
        data: tuple[pd.DataFrame, pd.DataFrame], as_of: int) -> None:
    inv, pay = data
    today = pd.Timestamp("2023-01-01") + pd.Timedelta(days=as_of)
    if not (pd.to_datetime(inv["date"]) < today).any():
        return
    accounts = pd.DataFrame({"customer": ["A", "B"], "payment_terms": [0, 45]})
    result = credit(inv, pay, accounts, Options(as_of=today, buckets=(10, 45, 200)))
    rows = result.rows.set_index("customer")
    before_inv = inv[pd.to_datetime(inv["date"]) < today]
    on_lines = inv.dropna(subset=["paid_date"])[["customer", "paid_date", "paid_amount"]]
    on_lines = on_lines.set_axis(["customer", "date", "amount"], axis=1)
    every_pay = pd.concat([pay[["customer", "date", "amount"]], on_lines], ignore_index=True)
    before_pay = every_pay[pd.to_datetime(every_pay["date"]) < today]
    owed = (before_inv.groupby("customer")["amount"].apply(lambda s: sum(cents(x) for x in s))
            .sub(before_pay.groupby("customer")["amount"].apply(lambda s: sum(cents(x) for x in s)),
                 fill_value=0))
    buckets = bucket_names((10, 45, 200))
    for customer, row in rows.iterrows():
        assert sum(cents(row[b]) for b in buckets) == cents(row["balance"])
        assert cents(row["balance"]) == int(owed.get(customer, 0))
        assert cents(row["overdue"]) == sum(cents(row[b]) for b in buckets[1:])
        # first in, first out: a credit balance and an open invoice never stand side by side
        if cents(row["not_due"]) < 0:
            assert cents(row["balance"]) == cents(row["not_due"]) and cents(row["overdue"]) == 0
    total = sum(cents(x) for x in before_inv["amount"]) - sum(cents(x) for x in before_pay["amount"])
    assert cents(result.summary["receivables"]) == total
    assert sum(cents(x) for x in result.tables["aging"]["amount"]) == total
    assert cents(result.summary["invoiced"]) - cents(result.summary["credited"]) \
        - cents(result.summary["paid"]) == total


@settings(max_examples=20, deadline=None)
@given(data=ledgers(), seed=st.integers(0, 2**32 - 1))
def test_shuffling_input_rows_changes_nothing(data: tuple[pd.DataFrame, pd.DataFrame], seed: int) -> None:
    inv, pay = data
    options = Options(as_of="2024-03-01")
    first = credit(inv, pay, options=options)
    rng = np.random.default_rng(seed)
    second = credit(inv.sample(frac=1, random_state=rng), pay.sample(frac=1, random_state=rng),
                    options=options)
    pd.testing.assert_frame_equal(first.rows, second.rows)
    for name, table in first.tables.items():
        pd.testing.assert_frame_equal(table, second.tables[name])
    assert first.summary == second.summary or str(first.summary) == str(second.summary)


# ----------------------------------------------------------------------------------- words


def test_both_languages_render_a_small_result() -> None:
    from kamtool.labels import column_label, label, value_labels
    from kamtool.render.words import headline, notes
    from kamtool.render.words.credit import bucket_caption

    inv = invoices(("A", "1", "2024-01-01", 300.0), ("B", "2", "2024-05-01", 100.0))
    pay = payments(("B", "2024-05-10", 150.0))
    result = credit(inv, pay, options=Options(as_of="2024-06-30", key_accounts={"A"}))
    en = headline(result, "en") + notes(result, "en")
    zh = headline(result, "zh") + notes(result, "zh")
    assert en[0] == "Receivables at 2024-06-30: 250.00 from 2 customers; 300.00 overdue (120.0 %)."
    assert zh[0] == "截至2024-06-30，应收账款250.00，共2个客户；其中逾期300.00（占120.0 %）。"
    assert "Credit balances (overpayments, unused credit notes): -50.00." in en
    assert "重点客户占应收账款的120.0 %。" in zh
    formula = next(line for line in en if line.startswith("Suggested credit limit"))
    assert "(A 1.2, B 1, C 0.7, D 0), at most 1.2 ×" in formula
    assert any("授信额度" in line for line in zh) and any("逾期" in line for line in zh)
    assert len(en) == len(zh) and all("{" not in line for line in en + zh)
    assert column_label("overdue_31_60", "credit", "zh") == "逾期31–60天"
    assert label("credit.credit_limit", "zh") == "建议授信额度"
    shown = value_labels(result.tables["aging"], "credit", "zh")
    assert shown["bucket"].tolist()[:2] == ["未到期", "逾期1–30天"]
    assert bucket_caption("overdue_16_45", "zh") == "逾期16–45天"
    assert bucket_caption("overdue_over_45", "en") == "Over 45 days overdue"


# ------------------------------------------------------------------- the sample generator


def _make_payments() -> Any:
    import importlib.util
    import sys

    path = Path(__file__).resolve().parent.parent / "scripts" / "make_payments.py"
    spec = importlib.util.spec_from_file_location("make_payments", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_payments"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_the_sample_payments_are_reproducible_and_hold_what_they_promise(tmp_path: Path) -> None:
    make_payments = _make_payments()
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert make_payments.main(["-o", str(first)]) == 0
    assert make_payments.main(["-o", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    pay = pd.read_csv(first, dtype=str, keep_default_na=False)
    assert list(pay.columns) == ["客户编号", "收款日期", "收款金额", "发票号"]
    orders = pd.read_csv(make_payments.ORDERS, dtype=str)
    inv = orders.rename(columns={"customer_id": "customer", "order_id": "invoice_id",
                                 "order_date": "date"})[["customer", "invoice_id", "date", "amount"]]
    frame = pay.set_axis(["customer", "date", "amount", "invoice_id"], axis=1)
    frame["invoice_id"] = frame["invoice_id"].replace("", None)
    assert (pd.to_datetime(frame["date"]).dt.day_of_week < 5).all()
    assert frame["invoice_id"].isna().any() and frame["invoice_id"].duplicated().any()  # FIFO, instalments
    result = credit(inv, frame)
    _, parts = make_payments.simulate(make_payments.read_invoices(make_payments.ORDERS), 13)
    over, overpayer = row_of(result, parts["over_limit"]), row_of(result, parts["overpayer"])
    assert over["grade"] == "D" and over["over_limit"] and over["overdue_91_180"] > 0
    assert overpayer["balance"] < 0 and overpayer["not_due"] == overpayer["balance"]
    assert result.summary["credit_notes"] > 0 and result.summary["credited"] > 0
    assert cents(result.summary["invoiced"]) - cents(result.summary["credited"]) \
        - cents(result.summary["paid"]) == cents(result.summary["receivables"])


@given(sales=st.integers(-10**9, 10**11), months=st.integers(1, 24), terms=st.integers(0, 120),
       weight=st.integers(0, 10**9), beyond=st.integers(0, 10**11),
       factor=st.sampled_from([0.0, 0.7, 1.0, 1.2, 0.35, 2.5]), cap=st.sampled_from([0.0, 1.2, 1.5, 3.0]),
       highest=st.integers(-10**6, 10**11))
def test_suggested_limit_is_the_exact_formula(sales: int, months: int, terms: int, weight: int, beyond: int,
                                              factor: float, cap: float, highest: int) -> None:
    """The integer arithmetic equals the formula in exact fractions, rounded half up once."""
    from fractions import Fraction

    extra = Fraction(beyond, weight) if weight > 0 else Fraction(0)
    raw = Fraction(sales, months) * (terms + extra) / 30 * Fraction(str(factor))
    value = max(min(raw, Fraction(str(cap)) * max(highest, 0)), Fraction(0))
    expected = int((value + Fraction(1, 2)) // 1)
    assert suggested_limit(sales, months, terms, weight, beyond, factor, cap, highest) == expected


def test_the_balance_history_is_month_end_closes_then_the_as_of_balance() -> None:
    inv = invoices(("A", "1", "2024-05-10", 100.0))
    pay = payments(("A", "2024-06-30", 40.0))
    # --history-months 2 from 07-01: the window starts 05-01; month-end closes 05-31 (100
    # owed) and, as the last point, the as-of date itself (60 owed: the 40 paid on 06-30
    # counts); 06-30 is that same balance, so it is not listed twice
    result = credit(inv, pay, options=Options(as_of="2024-07-01", history_months=2))
    history = result.tables["balance_history"]
    assert history["date"].tolist() == ["2024-05-31", "2024-07-01"]
    assert history["receivables"].tolist() == [100.0, 60.0]
    assert row_of(result, "A")["highest_balance"] == 100.0
    # mid-month: 05-31 and 06-30 closes, then 07-15 (60 owed)
    mid = credit(inv, pay, options=Options(as_of="2024-07-15", history_months=2))
    history = mid.tables["balance_history"]
    assert history["date"].tolist() == ["2024-05-31", "2024-06-30", "2024-07-15"]
    assert history["receivables"].tolist() == [100.0, 60.0, 60.0]
