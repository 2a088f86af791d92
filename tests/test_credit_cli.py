"""`kamtool credit` through the command line: a hand-worked invoices + payments pair, the
option parsers, --help, en/zh JSON, the workbook, and the ties-out property on the sample."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from kamtool.cli.params import grade_map, whole_list
from kamtool.errors import UsageError
from tests.conftest import REPO, run_kamtool

ORDERS = """order_id,order_date,customer_id,amount
A1,2024-01-10,A,1000.00
A2,2024-04-15,A,500.00
B1,2024-05-20,B,300.00
RT1,2024-05-25,B,-50.00
C1,2024-06-01,C,200.00
D1,2024-05-31,D,100.00
E1,2024-05-30,E,100.00
"""
# in Chinese headers, as the sample's; an empty 发票号 is a payment naming no invoice
PAYMENTS = """客户编号,收款日期,收款金额,发票号
A,2024-02-20,600.00,
A,2024-04-20,200.00,A2
B,2024-06-10,300.00,
"""
BUCKETS = ("not_due", "overdue_1_30", "overdue_31_60", "overdue_61_90", "overdue_91_180", "overdue_over_180")


@pytest.fixture
def pair(tmp_path: Path) -> tuple[str, str]:
    orders, payments = tmp_path / "orders.csv", tmp_path / "payments.csv"
    orders.write_text(ORDERS, encoding="utf-8")
    payments.write_text(PAYMENTS, encoding="utf-8")
    return str(orders), str(payments)


def credit_json(*args: str) -> dict[str, Any]:
    run = run_kamtool(["credit", *args, "--format", "json"])
    assert run.code == 0, run.stderr
    data: dict[str, Any] = json.loads(run.stdout)
    return data


def by_customer(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["customer"]: row for row in data["rows"]}


def test_hand_worked_pair(pair: tuple[str, str]) -> None:
    orders, payments = pair
    data = credit_json(orders, "--payments", payments, "--as-of", "2024-06-30")
    rows = by_customer(data)
    # A: the unnamed 600 goes first in, first out to A1 (400 left, due 02-09: 142 days past
    # due on 06-30); 200 names A2 (300 left, due 05-15: 46 days)
    a = rows["A"]
    assert [a[b] for b in BUCKETS] == [0.0, 0.0, 300.0, 0.0, 400.0, 0.0]
    assert (a["balance"], a["overdue"], a["max_days_past_due"]) == (700.0, 700.0, 142.0)
    # days to pay (600 × 41 + 200 × 5) / 800 = 32; beyond terms 600 × 11 / 800 = 8.25;
    # on time 200 / 800; net lateness (600 × 11 − 200 × 25) / 800 = 2
    assert (a["days_to_pay"], a["days_beyond_terms"]) == (32.0, 8.25)
    assert (a["on_time_share"], a["lateness"]) == (0.25, 2.0)
    # DSO = 700 ÷ (A2's 500 of the 90 days before 06-30 ÷ 90) = 126; over 90 days past due: D, limit 0
    assert (a["dso"], a["grade"], a["credit_limit"], a["over_limit"]) == (126.0, "D", 0.0, True)
    # B: the credit note takes 50 off B1 first in, first out, the 300 pays the 250 left:
    # 50 overpaid stays as a credit balance under not due
    b = rows["B"]
    assert [b[bk] for bk in BUCKETS] == [-50.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert (b["balance"], b["days_to_pay"], b["lateness"], b["on_time_share"]) == (-50.0, 21.0, -9.0, 1.0)
    # paid 9 days early, nothing open: A; limit 250 ÷ 12 × 30 ÷ 30 × 1.2 = 25 (cap 1.2 × 250)
    assert (b["grade"], b["credit_limit"], b["highest_balance"], b["over_limit"]) == ("A", 25.0, 250.0, False)
    # the bucket boundaries: C due 07-01 (not due), D due 06-30 (day 0: not due), E due 06-29 (day 1)
    assert rows["C"]["not_due"] == 200.0 and rows["D"]["not_due"] == 100.0
    assert (rows["D"]["max_days_past_due"], rows["E"]["max_days_past_due"]) == (0.0, 1.0)
    assert (rows["E"]["not_due"], rows["E"]["overdue_1_30"]) == (0.0, 100.0)
    # no payment yet: B; limit 200 ÷ 12 × 30 ÷ 30 × 1.0 = 16.67, so 200 is over it
    assert (rows["C"]["grade"], rows["C"]["credit_limit"], rows["C"]["over_limit"]) == ("B", 16.67, True)
    s = data["summary"]
    assert (s["invoiced"], s["credited"], s["paid"], s["receivables"]) == (2200.0, 50.0, 1100.0, 1050.0)
    assert (s["overdue"], s["credit_balances"], s["over_limit"]) == (800.0, -50.0, 4)
    # 90-day credit sales 500 + 300 − 50 + 200 + 100 + 100 = 1150
    assert s["dso"] == pytest.approx(1050 * 90 / 1150, abs=1e-9)
    # key accounts = class A at 80 % of net sales (A 1500 of 2150, then B 250 reaches 1720)
    assert (s["key_account_count"], s["key_account_share"]) == (2, pytest.approx(650 / 1050))
    aging = {row["bucket"]: row["amount"] for row in data["tables"]["aging"]}
    assert aging == dict(zip(BUCKETS, [250.0, 100.0, 300.0, 0.0, 400.0, 0.0], strict=True))
    # over limit first, then by balance
    assert [r["customer"] for r in data["rows"]] == ["A", "C", "D", "E", "B"]


def test_options_reach_the_analysis(pair: tuple[str, str]) -> None:
    orders, payments = pair
    data = credit_json(orders, "--payments", payments, "--as-of", "2024-06-30", "--terms", "45",
                       "--buckets", "10,50", "--grade-factors", "b=2", "--cap", "3", "--key-share", "0")
    p = data["params"]
    assert (p["terms"], p["buckets"], p["cap"]) == (45, [10, 50], 3.0)
    assert p["grade_factors"] == {"A": 1.2, "B": 2.0, "C": 0.7, "D": 0.0}
    rows = by_customer(data)
    # A1 due 02-24 (127 days: over 50), A2 due 05-30 (31 days: 11–50)
    assert [rows["A"][k] for k in ("not_due", "overdue_1_10", "overdue_11_50", "overdue_over_50")] == [
        0.0, 0.0, 300.0, 400.0]
    # C: 200 ÷ 12 × 45 ÷ 30 × 2 = 50
    assert rows["C"]["credit_limit"] == 50.0
    assert data["summary"]["key_account_share"] is None


def test_without_payments_everything_is_open(pair: tuple[str, str]) -> None:
    orders, _ = pair
    data = credit_json(orders, "--as-of", "2024-06-30")
    s = data["summary"]
    assert (s["paid"], s["payments"], s["receivables"]) == (0.0, 0, 2150.0)
    # the credit note still settles B1 in part
    assert by_customer(data)["B"]["balance"] == 250.0


def test_accounts_terms_and_limits(pair: tuple[str, str], tmp_path: Path) -> None:
    orders, payments = pair
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("customer_id,payment_terms,credit_limit\nC,0,150\nE,60,1000\n", encoding="utf-8")
    data = credit_json(orders, "--payments", payments, "--accounts", str(accounts), "--as-of", "2024-06-30")
    rows = by_customer(data)
    # C: terms 0 -> due 06-01, 29 days past due; over its current 150
    c = rows["C"]
    assert (c["overdue_1_30"], c["current_limit"], c["over_limit"]) == (200.0, 150.0, True)
    assert rows["C"]["utilisation"] == pytest.approx(200 / 150)
    # E: terms 60 -> not due; 100 of 1000
    assert (rows["E"]["not_due"], rows["E"]["utilisation"], rows["E"]["over_limit"]) == (100.0, 0.1, False)
    assert [r["customer"] for r in data["tables"]["over_limit"]] == ["A", "C", "D"]


def test_json_is_the_same_in_both_languages(pair: tuple[str, str]) -> None:
    orders, payments = pair
    args = ["credit", orders, "--payments", payments, "--as-of", "2024-06-30", "--format", "json"]
    en, zh = run_kamtool([*args, "--lang", "en"]), run_kamtool([*args, "--lang", "zh"])
    assert en.code == zh.code == 0
    assert en.stdout == zh.stdout


def test_workbook_has_the_aging_chart_and_over_limit(pair: tuple[str, str], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    orders, payments = pair
    out = tmp_path / "credit.xlsx"
    run = run_kamtool(["credit", orders, "--payments", payments, "--as-of", "2024-06-30", "-o", str(out),
                       "--lang", "zh"])
    assert run.code == 0, run.stderr
    import zipfile

    with zipfile.ZipFile(out) as book:
        charts = [book.read(n).decode() for n in book.namelist() if n.startswith("xl/charts/chart")]
    stacked = [c for c in charts if '<c:grouping val="stacked"/>' in c and "<c:barDir val=\"bar\"/>" in c]
    assert len(stacked) == 1
    # six series, one per bucket
    assert stacked[0].count("<c:ser>") == 6
    book = load_workbook(out, read_only=True)
    assert "应收账款账龄" in book.sheetnames
    over = [row for row in book["超出授信额度的客户"].iter_rows(values_only=True)]
    # the sheet's title line, the header, then A, C, D, E (B is the one within its limit)
    assert [row[0] for row in over[2:] if row[0] is not None] == ["A", "C", "D", "E"]


@pytest.mark.parametrize(("args", "needle"), [
    (["--buckets", "30,x"], "--buckets"),
    (["--buckets", "30,30"], "--buckets"),
    (["--grade-factors", "E=1"], "--grade-factors"),
    (["--grade-factors", "A1.2"], "--grade-factors"),
    (["--as-of", "not-a-day"], "--as-of"),
])
def test_bad_options_fail_cleanly(pair: tuple[str, str], args: list[str], needle: str) -> None:
    orders, payments = pair
    run = run_kamtool(["credit", orders, "--payments", payments, *args])
    assert run.code == 2
    assert needle in run.stderr and "Traceback" not in run.stderr


def test_help_shows_examples_defaults_and_formula() -> None:
    run = run_kamtool(["credit", "--help"])
    assert run.code == 0
    text = " ".join(run.stdout.split())
    assert "kamtool credit orders.csv --payments payments.csv" in text
    assert "Suggested limit = net sales of the last 12 months ÷ 12 × (terms + max(average days" in text
    # each option's default, before its range when it has one ("[default: 30; x>=0]")
    for option, default in (("--terms", "30"), ("--buckets", "30,60,90,180"),
                            ("--grade-factors", "A=1.2,B=1,C=0.7,D=0"), ("--cap", "1.2"),
                            ("--worsening-days", "5.0"), ("--dso-days", "90"), ("--history-months", "12"),
                            ("--trend-months", "6"), ("--key-share", "0.8")):
        assert re.search(re.escape(option) + r" <[^>]*>[^[]*\[default: " + re.escape(default) + r"[;\]]",
                         text), option


def test_whole_list_and_grade_map() -> None:
    assert whole_list("30, 60,90,180", name="--buckets") == [30, 60, 90, 180]
    assert whole_list("7", name="--buckets") == [7]
    for bad in ("", "30,6.5", "a"):
        with pytest.raises(UsageError, match="--buckets"):
            whole_list(bad, name="--buckets")
    assert grade_map("a=1.5, D=0.1", name="--grade-factors") == {"A": 1.5, "D": 0.1}
    assert grade_map("", name="--grade-factors") == {}
    for bad in ("A", "=1", "A=x"):
        with pytest.raises(UsageError, match="--grade-factors"):
            grade_map(bad, name="--grade-factors")


def test_sample_ties_out() -> None:
    """On the sample: each customer's buckets add up to its balance and the balances to
    invoiced − credited − paid, to the cent."""
    orders, payments = REPO / "sample_data" / "orders.csv", REPO / "sample_data" / "payments.csv"
    data = credit_json(str(orders), "--payments", str(payments))
    cents = [{k: round(row[k] * 100) for k in ("balance", *BUCKETS)} for row in data["rows"]]
    assert all(sum(row[b] for b in BUCKETS) == row["balance"] for row in cents)
    s = data["summary"]
    total = sum(row["balance"] for row in cents)
    assert total == round(s["receivables"] * 100) == round((s["invoiced"] - s["credited"] - s["paid"]) * 100)
    assert s["payments"] > 0 and s["credit_notes"] > 0 and s["credit_balances"] < 0
    aging = data["tables"]["aging"]
    assert sum(round(r["amount"] * 100) for r in aging) == total
