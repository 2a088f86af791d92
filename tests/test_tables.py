"""The second files (--accounts, --payments) read with the order files' io: title rows,
GBK, workbooks, money text, Chinese dates, totals rows, their own synonyms, the
``[accounts]`` / ``[payments]`` mapping, errors naming file, row and column; and the rule
for 实收金额 in order files and payments files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kamtool.analyses import accounts as accounts_analysis
from kamtool.analyses import credit
from kamtool.config import default_map
from kamtool.engine.load import load
from kamtool.errors import ColumnError, DataError, UsageError
from kamtool.io.columns import guess, map_columns
from kamtool.io.request import build_request
from kamtool.io.rules import CleanOptions
from kamtool.io.tables import TableOptions, config_mapping, read_accounts, read_payments
from tests.conftest import write_workbook

ACCOUNT_ROWS: list[list[Any]] = [
    ["客户资料表"],
    ["导出日期：2024-03-01"],
    ["客户编号", "客户名称", "战略价值", "销售弹性", "客户经理", "行业", "授信额度", "账期", "状态",
     "流失原因"],
    ["C1", "甲公司", 4, 1.2, "张三", "制造业", "￥100,000.00", "30天", "正常", None],
    ["C2", "乙公司", 2, None, "李四", "零售", "50,000", "Net 45", "黑名单", "价格"],
    ["C3", "丙公司", None, None, None, None, None, None, "停止供货", None],
    ["合计", None, None, None, None, None, "150,000", None, None, None],
]


def _csv(rows: list[list[Any]], path: Path, encoding: str = "gbk") -> Path:
    lines = []
    for row in rows:
        cells = ["" if v is None else str(v) for v in row]
        lines.append(",".join(f'"{c}"' if "," in c else c for c in cells))
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def _values(series: pd.Series) -> list[Any]:
    return [None if pd.isna(v) else v for v in series]


@pytest.mark.parametrize("fmt", ["gbk", "xlsx"])
def test_accounts_in_chinese(tmp_path: Path, fmt: str) -> None:
    if fmt == "gbk":
        path = _csv(ACCOUNT_ROWS, tmp_path / "客户资料.csv")
    else:
        path = write_workbook(tmp_path / "客户资料.xlsx", {"客户": ACCOUNT_ROWS})
    frame, report = read_accounts(str(path))
    assert list(frame.columns) == ["customer", "customer_name", "strategic_value", "elasticity", "owner",
                                   "industry", "credit_limit", "payment_terms", "status", "churn_reason"]
    assert frame["customer"].tolist() == ["C1", "C2", "C3"]
    assert _values(frame["strategic_value"]) == [4.0, 2.0, None]
    assert _values(frame["elasticity"]) == [1.2, None, None]
    assert _values(frame["owner"]) == ["张三", "李四", None]  # 客户经理 is the owner here
    assert _values(frame["credit_limit"]) == [100000.0, 50000.0, None]
    assert _values(frame["payment_terms"]) == ["30", "45", None]
    assert frame["status"].tolist() == ["正常", "黑名单", "停止供货"]
    assert _values(frame["churn_reason"]) == [None, "价格", None]
    assert report.header_row == 3
    assert (report.rows, report.kept) == (4, 3)
    assert report.dropped == {"totals / subtotal lines": 1}
    if fmt == "gbk":
        assert report.encoding in ("gb18030", "gbk")

    checked = accounts_analysis.validate(frame, ["C1", "C2"])
    assert checked.rows.set_index("customer").loc["C3", "prospect"]


def test_an_accounts_manager_is_a_salesperson_in_an_order_file() -> None:
    assert guess("客户经理") == "salesperson"
    assert guess("客户经理", "accounts") == "owner"
    assert guess("行业", "accounts") == "industry"
    assert guess("信用额度", "accounts") == "credit_limit"


PAYMENT_ROWS: list[list[Any]] = [
    ["收款记录 2024年2月"],
    [],
    ["客户编号", "收款日期", "收款金额", "发票号", "备注"],
    ["C1", "2024/2/1", "￥50.00", "I1", "网银"],
    ["C2", "2024年2月3日", "1,200.50", None, None],
    ["C1", "2024-02-05", "(0.00)", "I2", None],
    ["合计", None, "1,250.50", None, None],
]


@pytest.mark.parametrize("fmt", ["gbk", "xlsx"])
def test_payments_in_chinese(tmp_path: Path, fmt: str) -> None:
    if fmt == "gbk":
        path = _csv(PAYMENT_ROWS, tmp_path / "收款.csv")
    else:
        rows = [list(r) for r in PAYMENT_ROWS]
        rows[3][1] = dt.datetime(2024, 2, 1)  # a real Excel date
        path = write_workbook(tmp_path / "收款.xlsx", {"收款": rows})
    frame, report = read_payments(str(path))
    assert list(frame.columns) == ["customer", "date", "amount", "invoice_id"]
    assert frame["customer"].tolist() == ["C1", "C2", "C1"]
    assert frame["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-02-01", "2024-02-03", "2024-02-05"]
    assert frame["amount"].tolist() == [50.0, 1200.5, 0.0]
    assert _values(frame["invoice_id"]) == ["I1", None, "I2"]
    assert report.unused == ["备注"]
    assert report.dropped == {"totals / subtotal lines": 1}


def test_payments_with_plain_and_with_paid_headers(tmp_path: Path) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_text("customer,date,amount,order_id\nC1,2024-02-01,10.005,O1\n", encoding="utf-8")
    frame, _ = read_payments(str(plain))
    assert list(frame.columns) == ["customer", "date", "amount", "order_id"]
    assert frame["amount"].tolist() == [10.01]  # to the cent, halves away from zero

    paid = tmp_path / "paid.csv"
    paid.write_text("Customer ID,Paid Date,Paid Amount,Invoice No\nC1,2024-02-01,\"1,000\",F1\n",
                    encoding="utf-8")
    frame, report = read_payments(str(paid))
    assert report.mapping == {"customer": "Customer ID", "date": "Paid Date", "amount": "Paid Amount",
                              "invoice_id": "Invoice No"}
    assert frame["amount"].tolist() == [1000.0]
    assert frame["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-02-01"]


def test_paid_amount_rule_for_shi_shou_jin_e(tmp_path: Path) -> None:
    # alone in an order file, 实收金额 is the line's amount
    alone = map_columns(["客户", "日期", "实收金额"])
    assert alone.columns["amount"] == "实收金额" and "paid_amount" not in alone
    # beside another amount column, it is what was paid on the line
    both = map_columns(["客户", "日期", "实收金额", "金额"])
    assert both.columns["amount"] == "金额" and both.columns["paid_amount"] == "实收金额"
    both = map_columns(["客户", "日期", "含税金额", "实收金额"])
    assert both.columns["amount"] == "含税金额" and both.columns["paid_amount"] == "实收金额"
    # in a payments file it is the payment
    assert map_columns(["客户", "收款日期", "实收金额"], kind="payments").columns["amount"] == "实收金额"

    path = tmp_path / "orders.csv"
    path.write_text("客户,日期,金额,实收金额,付款日期\nC1,2024-01-05,100,60,2024-01-20\n", encoding="utf-8")
    inv = load(build_request(credit.NEEDS, [str(path)])).invoices
    assert inv["amount"].tolist() == [100.0]
    assert inv["paid_amount"].tolist() == [60.0]


def test_errors_name_file_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "pay.csv"
    path.write_text("title\ncustomer,date,amount\nC1,2024-02-01,10\nC2,someday,5\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"pay\.csv line 4: 'someday' is not a date in column date"):
        read_payments(str(path))
    frame, report = read_payments(str(path), TableOptions(clean=CleanOptions(skip_bad_rows=True)))
    assert frame["customer"].tolist() == ["C1"]
    assert report.dropped == {"date: is not a date": 1}

    book = write_workbook(tmp_path / "acc.xlsx", {"a": [["客户编号", "授信额度"], ["C1", "lots"]]})
    with pytest.raises(DataError, match=r"acc\.xlsx row 2: 'lots' is not a number in column 授信额度"):
        read_accounts(str(book))

    empty = tmp_path / "nocust.csv"
    empty.write_text("customer,date,amount\n,2024-02-01,10\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"line 2: no customer \(column customer is empty\)"):
        read_payments(str(empty))

    nameless = tmp_path / "who.csv"
    nameless.write_text("Kunde,Datum,Betrag\nC1,2024-02-01,10\n", encoding="utf-8")
    # Kunde is a customer synonym; the rest is named in the message, with the fix
    with pytest.raises(ColumnError, match=r"who\.csv: the payments file has no date / amount column\. "
                                          r"Its columns are: 'Kunde', 'Datum', 'Betrag'\. .*"
                                          r'date = "Datum" under \[payments\] in kamtool\.toml'):
        read_payments(str(nameless))


def test_mapping_from_kamtool_toml(tmp_path: Path) -> None:
    config = {"accounts": {"owner": "Betreuer", "customer": "Kunde"}, "payments": {"amount": "Betrag"}}
    overrides = config_mapping(config, "accounts")
    assert overrides == {"owner": "Betreuer", "customer": "Kunde"}
    path = tmp_path / "acc.csv"
    path.write_text("Kunde,Betreuer,Status\nK1,Ada,黑名单\n", encoding="utf-8")
    frame, _ = read_accounts(str(path), TableOptions(overrides=overrides))
    assert frame.to_dict("records") == [{"customer": "K1", "owner": "Ada", "status": "黑名单"}]
    assert config_mapping(config, "payments") == {"amount": "Betrag"}
    assert config_mapping({}, "payments") == {}
    with pytest.raises(UsageError, match=r"\[accounts\] salesperson=X: 'salesperson' is not a column of "
                                         r"the accounts file"):
        config_mapping({"accounts": {"salesperson": "X"}}, "accounts")
    with pytest.raises(UsageError, match=r"\[payments\] must be a table"):
        config_mapping({"payments": {"amount": 3}}, "payments")
    # the command defaults do not take the mapping tables for commands
    assert default_map(config, ["abc"]) == {"abc": {}}


def test_credit_reads_the_second_files(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text("客户编号,订单日期,金额,发票号\nC1,2024-01-05,100,I1\nC2,2024-01-10,200,I2\n",
                      encoding="utf-8")
    pays = _csv([["客户编号", "收款日期", "收款金额", "发票号"], ["C1", "2024/1/20", "￥40", "I1"]],
                tmp_path / "pay.csv")
    accs = _csv([["客户编号", "授信额度", "账期"], ["C1", "1,000", "30天"], ["C2", "500", "60"]],
                tmp_path / "acc.csv")
    payments, _ = read_payments(str(pays))
    accounts, _ = read_accounts(str(accs))
    ledger = load(build_request(credit.NEEDS, [str(orders)]))
    # 发票号 alone in the order file is its order number, and so the invoice id
    assert ledger.invoices["invoice_id"].tolist() == ["I1", "I2"]
    result = credit.credit(ledger.invoices, payments, accounts, credit.Options(as_of="2024-02-01"))
    rows = result.rows.set_index("customer")
    assert rows.loc["C1", "balance"] == pytest.approx(60.0)
    assert rows.loc["C2", "balance"] == pytest.approx(200.0)
    assert rows.loc["C1", "current_limit"] == pytest.approx(1000.0)  # the file's 授信额度
    assert rows.loc["C2", "terms"] == 60
