"""The per-customer ledger against figures worked out by hand."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kamtool.ledger import Ledger

Loader = Callable[..., Ledger]

# tests/data/messy/ledger_lines.csv, line by line:
#   O1 2024-01-01 A   0.10 cost  0.05 qty  1 Xu   East  P1 B1
#   O1 2024-01-01 A   0.20 cost  0.05 qty  2 Xu   East  P2 B1
#   O2 2024-01-03 A  10.00 cost  -    qty  1 Li   West  P1 B2
#   O3 2024-01-03 A  -0.30 cost -0.10 qty -1 Li   West  P2 B1   (a return)
#   O4 2024-02-01 B   5.00 cost  1.00 qty  5 Wang North P3 -
#   O4 2024-02-02 B   5.00 cost  1.00 qty  5 Zhao South P3 -
#   -  2024-02-03 B   1.00 cost  -    qty  - -    -     -  -    (no order id: a customer-day)
#
# A: revenue 0.10 + 0.20 + 10.00 - 0.30 = 10.00 (returns stay in: revenue is net)
#    orders O1, O2, O3 = 3; lines 4; active days 01-01, 01-03 = 2; quantity 1 + 2 + 1 - 1 = 3
#    returns -0.30 on 1 line; profit (0.10-0.05) + (0.20-0.05) + (-0.30+0.10) = 0.00, the O2 line
#    has no cost so no profit
# B: revenue 11.00; orders O4 + the 02-03 customer-day = 2; lines 3; active days 3;
#    quantity 5 + 5 = 10; profit 4.00 + 4.00 = 8.00
# The per-customer ledger carries no dimensions (salesperson, region …) on any engine: an
# analysis that reads one asks for it as a key.


def test_customer_ledger_by_hand(messy: Callable[[str], str], load_ledger: Loader) -> None:
    ledger = load_ledger(messy("ledger_lines.csv"))
    assert ledger.orders_basis == "order_id"
    expected = pd.DataFrame({
        "customer": ["A", "B"],
        "revenue": [10.00, 11.00],
        "orders": np.array([3, 2], dtype="int64"),
        "lines": np.array([4, 3], dtype="int64"),
        "first_date": pd.to_datetime(["2024-01-01", "2024-02-01"]),
        "last_date": pd.to_datetime(["2024-01-03", "2024-02-03"]),
        "active_days": np.array([2, 3], dtype="int64"),
        "quantity": [3.0, 10.0],
        "returns_value": [-0.30, 0.0],
        "return_lines": np.array([1, 0], dtype="int64"),
        "profit": [0.0, 8.0],
    })
    got = ledger.customers[list(expected.columns)]
    assert not {"salesperson", "region", "products", "brands"} & set(ledger.customers.columns)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert ledger.customers["orders"].dtype == "int64"
    assert ledger.customers["active_days"].dtype == "int64"


def test_totals_by_hand(messy: Callable[[str], str], load_ledger: Loader) -> None:
    totals = load_ledger(messy("ledger_lines.csv")).totals()
    assert totals["lines"] == 7
    assert totals["revenue"] == 21.00  # 10.00 + 11.00
    assert totals["returns_value"] == -0.30
    assert totals["return_lines"] == 1
    assert totals["profit"] == 8.00  # 0.00 + 8.00
    assert totals["quantity"] == 13.0
    assert (str(totals["first_date"]), str(totals["last_date"])) == ("2024-01-01", "2024-02-03")


def test_daily_by_hand(messy: Callable[[str], str], load_ledger: Loader) -> None:
    daily = load_ledger(messy("ledger_lines.csv"), keys=("customer", "date")).daily
    got = daily[["customer", "date", "revenue", "orders"]]
    expected = pd.DataFrame({
        "customer": ["A", "A", "B", "B", "B"],
        "date": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-02-01", "2024-02-02", "2024-02-03"]),
        "revenue": [0.30, 9.70, 5.00, 5.00, 1.00],  # A on 01-03: 10.00 - 0.30
        "orders": np.array([1, 2, 1, 1, 1], dtype="int64"),  # O2 and O3 on 01-03
    })
    got = got.sort_values(["customer", "date"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_group_by_salesperson(messy: Callable[[str], str], load_ledger: Loader) -> None:
    ledger = load_ledger(messy("ledger_lines.csv"), keys=("salesperson",))
    frame = ledger.entities.set_index("salesperson", drop=True)
    named = frame.loc[["Li", "Wang", "Xu", "Zhao"]]
    # Li: O2 10.00 + O3 -0.30 = 9.70 in 2 orders; Xu: O1 0.10 + 0.20 in 1 order
    assert named["revenue"].to_dict() == {"Li": 9.70, "Wang": 5.00, "Xu": 0.30, "Zhao": 5.00}
    assert named["orders"].to_dict() == {"Li": 2, "Wang": 1, "Xu": 1, "Zhao": 1}
    assert frame["revenue"].sum() == pytest.approx(21.00)


def test_orders_are_customer_days_without_an_order_id(messy: Callable[[str], str],
                                                      load_ledger: Loader) -> None:
    # A: 1 + 2 on 01-01 and 3 on 01-02 = 2 customer-days; B: 4 on 01-02 = 1
    ledger = load_ledger(messy("ledger_no_order.csv"))
    assert ledger.orders_basis == "customer-day"
    frame = ledger.customers.set_index("customer")
    assert frame["orders"].to_dict() == {"A": 2, "B": 1}
    assert frame["lines"].to_dict() == {"A": 3, "B": 1}
    assert frame["revenue"].to_dict() == {"A": 6.0, "B": 4.0}
    assert frame["quantity"].isna().all()  # the file has no quantity
    assert "profit" not in frame.columns and "salesperson" not in frame.columns


def test_revenue_is_exact_to_the_cent(tmp_path: Path, load_ledger: Loader) -> None:
    path = tmp_path / "cents.csv"
    amounts = ["0.10", "0.20", "0.30"] * 3333
    path.write_text("Customer,Date,Amount\n" + "".join(f"a,2024-01-01,{a}\n" for a in amounts))
    # 3,333 x 0.60 = 1,999.80; adding the floats one by one drifts to 1,999.79999999988
    assert sum(float(a) for a in amounts) != 1999.80
    ledger = load_ledger(path)
    assert ledger.customers.loc[0, "revenue"] == 1999.80
    assert ledger.totals()["revenue"] == 1999.80


def test_point_one_plus_point_two(tmp_path: Path, load_ledger: Loader) -> None:
    path = tmp_path / "small.csv"
    path.write_text("Customer,Date,Amount\na,2024-01-01,0.1\na,2024-01-02,0.2\nb,2024-01-01,0.1\n"
                    "b,2024-01-01,0.2\nb,2024-01-02,-0.3\n")
    revenue = load_ledger(path).customers.set_index("customer")["revenue"]
    assert revenue["a"] == 0.3  # not 0.30000000000000004
    assert revenue["b"] == 0.0


def test_profit_from_a_profit_column(tmp_path: Path, load_ledger: Loader) -> None:
    path = tmp_path / "profit.csv"
    path.write_text("Customer,Date,Amount,毛利\na,2024-01-01,10,2.50\na,2024-01-02,5,\nb,2024-01-01,3,\n")
    profit = load_ledger(path).customers.set_index("customer")["profit"]
    assert profit["a"] == 2.50  # the line without a figure adds nothing
    assert math.isnan(profit["b"])  # no line of b has a profit: unknown, not 0


def test_several_files_merge_customers_and_orders(tmp_path: Path, load_ledger: Loader) -> None:
    first = tmp_path / "jan.csv"
    first.write_text("订单号,订单日期,客户,金额\nO1,2024-01-05,A,100\nO2,2024-01-06,B,50\n")
    second = tmp_path / "feb.csv"
    # O1 continues in the second file: still one order of A
    second.write_text("Order ID,Date,Customer,Amount\nO1,2024-01-05,A,20\nO3,2024-02-01,A,-10\n")
    ledger = load_ledger(first, second)
    frame = ledger.customers.set_index("customer")
    assert frame["revenue"].to_dict() == {"A": 110.0, "B": 50.0}  # 100 + 20 - 10
    assert frame["orders"].to_dict() == {"A": 2, "B": 1}  # O1, O3
    assert frame["lines"].to_dict() == {"A": 3, "B": 1}
    assert frame["last_date"].dt.strftime("%Y-%m-%d").to_dict() == {"A": "2024-02-01", "B": "2024-01-06"}
    assert [s.name for s in ledger.sources] == [str(first), str(second)]


def test_empty_after_cleaning(tmp_path: Path, load_ledger: Loader) -> None:
    path = tmp_path / "only_totals.csv"
    path.write_text("Customer,Date,Amount\n合计,,0\n")
    ledger = load_ledger(path)
    assert len(ledger.customers) == 0
    assert ledger.totals()["revenue"] == 0.0
    assert dict(ledger.stats().dropped) == {"totals / subtotal lines": 1}
