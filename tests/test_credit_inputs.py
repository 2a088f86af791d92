"""`kamtool credit` on order files headed with the receivables synonyms of issue 13, end to
end through the command line; the company view's ten largest overdue balances; the
workbook's Summary in both languages.

One ledger, worked by hand, under each set of headers: A's invoice F1 (100.00, 2024-01-10,
due 2024-02-09) has 60.00 paid on its own line on 2024-02-19 (10 days after due, 40 days
after the invoice); F2 (50.00, 2024-03-01, due 2024-03-31) is unpaid. As of 2024-04-30: F1's
40.00 is 81 days past due (20 days of February, 31 of March, 30 of April) -> 61–90; F2's
50.00 is 30 days past due -> 1–30; balance 90.00.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kamtool.analyses.credit import Options, credit
from tests.conftest import run_kamtool

LEDGER = [("A", "F1", "2024-01-10", "100.00", "2024-02-09", "2024-02-19", "60.00"),
          ("A", "F2", "2024-03-01", "50.00", "2024-03-31", "", "")]


def _run(path: Path, *args: str) -> dict[str, Any]:
    run = run_kamtool(["credit", str(path), "--as-of", "2024-04-30", "--format", "json", *args])
    assert run.code == 0, run.stderr
    data: dict[str, Any] = json.loads(run.stdout)
    return data


@pytest.mark.parametrize("headers", [
    ("客户编号", "发票号", "订单日期", "金额", "到期日", "回款日期", "回款金额"),
    ("客户编号", "单号", "订单日期", "金额", "应收日期", "付款日期", "已收金额"),
    ("客户编号", "发票号", "订单日期", "金额", "到期日", "收款日期", "实收金额"),
    ("customer", "invoice_id", "date", "amount", "due_date", "paid_date", "paid_amount"),
])
def test_receivables_synonyms_on_the_order_lines(tmp_path: Path, headers: tuple[str, ...]) -> None:
    path = tmp_path / "orders.csv"
    text = ",".join(headers) + "\n" + "".join(",".join(row) + "\n" for row in LEDGER)
    path.write_text(text, encoding="utf-8")
    data = _run(path)
    (a,) = data["rows"]
    assert (a["balance"], a["overdue_61_90"], a["overdue_1_30"], a["not_due"]) == (90.0, 40.0, 50.0, 0.0)
    assert (a["max_days_past_due"], a["days_to_pay"], a["days_beyond_terms"]) == (81.0, 40.0, 10.0)
    assert a["on_time_share"] == 0.0
    s = data["summary"]
    assert (s["invoiced"], s["paid"], s["receivables"], s["payments"]) == (150.0, 60.0, 90.0, 1)


def test_shi_shou_jin_e_alone_is_the_amount_not_a_payment(tmp_path: Path) -> None:
    # without another amount column, 实收金额 is the line's amount: nothing is paid
    path = tmp_path / "orders.csv"
    path.write_text("客户编号,发票号,订单日期,实收金额\nA,F1,2024-01-10,100.00\n", encoding="utf-8")
    data = _run(path)
    assert data["summary"]["invoiced"] == 100.0 and data["summary"]["paid"] == 0.0
    assert data["rows"][0]["overdue_61_90"] == 100.0  # due 02-09, 81 days past due


def test_a_payments_file_without_any_reference_column(tmp_path: Path) -> None:
    orders, pay = tmp_path / "orders.csv", tmp_path / "pay.csv"
    orders.write_text("客户编号,发票号,订单日期,金额\nA,F1,2024-01-10,100.00\nA,F2,2024-03-01,50.00\n",
                      encoding="utf-8")
    # 120 on 03-05 names nothing: F1's 100, then 20 of F2 (30 left, 30 days past due)
    pay.write_text("客户编号,收款日期,收款金额\nA,2024-03-05,120.00\n", encoding="utf-8")
    data = _run(orders, "--payments", str(pay))
    (a,) = data["rows"]
    assert (a["balance"], a["overdue_1_30"], a["overdue_61_90"]) == (30.0, 30.0, 0.0)
    assert data["summary"]["unmatched_references"] == 0
    # 100 paid 55 days after F1 and 20 paid 4 days after F2: (100·55 + 20·4) / 120 = 46.5
    assert a["days_to_pay"] == pytest.approx(46.5)


def test_the_largest_overdue_balances_are_the_ten_largest() -> None:
    # twelve customers, each one invoice of (k + 1) × 10 on 2024-01-01 (due 01-31), unpaid,
    # and one customer not yet due: the table holds the ten largest, largest first
    rows = [(f"C{k:02d}", f"I{k}", "2024-01-01", (k + 1) * 10.0) for k in range(12)]
    rows.append(("N", "IN", "2024-03-30", 999.0))
    inv = pd.DataFrame(rows, columns=["customer", "invoice_id", "date", "amount"])
    table = credit(inv, options=Options(as_of="2024-03-31")).tables["largest_overdue"]
    assert table["customer"].tolist() == [f"C{k:02d}" for k in range(11, 1, -1)]
    assert table["overdue"].tolist() == [(k + 1) * 10.0 for k in range(11, 1, -1)]
    assert (table["max_days_past_due"] == 60).all()  # 01-31 -> 03-31


def test_the_workbook_summary_counts_grades_and_flags_in_both_languages(tmp_path: Path) -> None:
    import openpyxl

    orders = tmp_path / "orders.csv"
    # neither A (100) nor B (10) has paid yet: both B; each suggested limit is a month of its
    # sales (100 ÷ 12, 10 ÷ 12 × 30 / 30 × 1.0), below its balance: both over the limit
    orders.write_text("customer,invoice_id,date,amount\nA,F1,2024-01-10,100.00\nB,F2,2024-04-20,10.00\n",
                      encoding="utf-8")
    for lang, grades in (("en", "Credit grades: A 0, B 2, C 0, D 0 customers."),
                         ("zh", "信用等级：A级0个、B级2个、C级0个、D级0个客户。")):
        out = tmp_path / f"credit_{lang}.xlsx"
        run = run_kamtool(["credit", str(orders), "--as-of", "2024-04-30", "--lang", lang, "-o", str(out)])
        assert run.code == 0, run.stderr
        ws = openpyxl.load_workbook(out)[("Summary" if lang == "en" else "摘要")]
        cells = {str(r[0].value): r[1] for r in ws.iter_rows(min_col=1, max_col=2) if r[0].value}
        assert grades in cells
        over = cells["Over limit" if lang == "en" else "超出额度"]
        assert over.value == 2 and "0.00" not in str(over.number_format)


def test_the_aging_chart_draws_the_largest_balances_not_the_first_rows() -> None:
    # S (10, 91 days past due: D, a limit of 0) is over its limit and comes first in the
    # rows; L1 and L2 are within their current limits of 1,000; the chart's table lists the
    # largest balances: L2 300, L1 200, S 10; X (a credit balance of -5) is left out
    inv = pd.DataFrame([("S", "s", "2023-12-01", 10.0), ("L1", "a", "2024-03-20", 200.0),
                        ("L2", "b", "2024-03-25", 300.0), ("X", "x", "2024-03-01", 5.0)],
                       columns=["customer", "invoice_id", "date", "amount"])
    pay = pd.DataFrame([("X", "2024-03-02", 10.0)], columns=["customer", "date", "amount"])
    accounts = pd.DataFrame({"customer": ["L1", "L2"], "credit_limit": [1000.0, 1000.0]})
    result = credit(inv, pay, accounts, Options(as_of="2024-03-31"))
    assert result.rows["customer"].tolist()[:2] == ["S", "L2"]
    table = result.tables["largest_balances"]
    assert table["customer"].tolist() == ["L2", "L1", "S"]
    assert table["balance"].tolist() == [300.0, 200.0, 10.0]
    assert table["not_due"].tolist() == [300.0, 200.0, 0.0]
    assert table["overdue_91_180"].tolist() == [0.0, 0.0, 10.0]  # due 12-31: 91 days
    (chart,) = [c for c in result.charts if c.stacked]
    assert chart.table == "largest_balances" and chart.max_points == 30


def test_the_grade_rule_is_printed_with_its_thresholds_in_both_languages() -> None:
    from kamtool.analyses.credit import GradeRule
    from kamtool.render.words import notes

    inv = pd.DataFrame([("A", "1", "2024-01-01", 100.0)],
                       columns=["customer", "invoice_id", "date", "amount"])
    rule = GradeRule(a_past_due=50, b_beyond=10, c_beyond=40, d_past_due=120)
    result = credit(inv, options=Options(as_of="2024-03-01", grade_rule=rule))
    assert result.params["grade_rule"] == {"a_past_due": 50, "b_beyond": 10, "c_beyond": 40,
                                           "d_past_due": 120}
    en = next(line for line in notes(result, "en") if line.startswith("Grade:"))
    assert en.startswith("Grade: D if anything is more than 120 days past due; A if nothing is more "
                         "than 50 days past due")
    assert "at most 10; C if at most 40; D otherwise" in en
    zh = next(line for line in notes(result, "zh") if line.startswith("信用等级："))
    assert "超过120天为D级" in zh and "超过50天" in zh and "不超过10天为B级" in zh and "不超过40天为C级" in zh
