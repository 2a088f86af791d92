"""Churn types through `kamtool churn`: a hand-worked export where every type occurs, the
overdue receivables behind an inferred ``dropped``, what is said when an input is missing,
shuffled rows, both languages, and the sample data (every type occurs there)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pandas as pd

from kamtool.analyses.credit.overdue import overdue_at
from tests.conftest import REPO, run_kamtool

# As of 2024-07-01 churn compares 2024Q1 with 2024Q2. Start revenue (2024Q1) per customer:
# V 1000, C2 600, K 500, L 300, D 200, C1 100, R 100, O 50.
ORDERS = """order_id,order_date,customer_id,amount,brand,category
o1,2024-02-10,R,100.00,Own,Paper
o2,2024-02-11,D,200.00,Own,Paper
o3,2023-10-02,O,500.00,Own,Paper
o4,2024-02-15,O,50.00,Own,Paper
o5,2023-11-01,C1,100.00,Own,Paper
o6,2024-02-01,C1,20.00,Own,Paper
o6,2024-02-01,C1,80.00,Rival,Paper
o7,2024-03-01,C2,300.00,Own,Paper
o7,2024-03-01,C2,300.00,Own,Toner
o8,2024-04-15,C2,200.00,Own,Paper
o9,2024-03-20,V,1000.00,Own,Paper
o10,2024-04-10,V,400.00,Own,Paper
o11,2024-03-05,L,300.00,Own,Paper
o12,2024-03-10,K,500.00,Own,Paper
o13,2024-04-20,K,500.00,Own,Paper
"""
ACCOUNTS = """customer_id,status,churn_reason,payment_terms
R,,moved to a cheaper supplier,30
D,黑名单,,30
K,正常,,30
"""
# O pays 300 of its 500 (2023-10-02, due 2023-11-01) unnamed, first in first out: 200 stays
# open, 106 days past due at its last order (2024-02-15).
PAYMENTS = """customer,date,amount
O,2024-01-15,300.00
"""
# Hand-worked: the type of each subject, its basis and the revenue it lost (start − end).
TYPES = {
    "R": ("recorded", "recorded", 100.00),  # the accounts give a reason
    "D": ("dropped", "recorded", 200.00),  # status 黑名单
    "O": ("dropped", "inferred", 50.00),  # 200 open 106 days past due at its last order
    "C1": ("competitor", "inferred", 100.00),  # own-brand share 100 % (2023Q4) -> 20 % (2024Q1)
    "C2": ("competitor", "inferred", 400.00),  # Paper goes on, Toner stopped; 600 -> 200
    "V": ("value_declined", "inferred", 600.00),  # 1000 -> 400: 40 % of its start
    "L": ("left", "inferred", 300.00),  # nothing else known
}
COUNTS = {"recorded": 1, "dropped": 2, "competitor": 2, "value_declined": 1, "left": 1}
LOST = {"recorded": 100.0, "dropped": 250.0, "competitor": 500.0, "value_declined": 600.0, "left": 300.0}


def write(tmp_path: Path, orders: str = ORDERS) -> dict[str, str]:
    paths = {}
    for name, text in (("orders", orders), ("accounts", ACCOUNTS), ("payments", PAYMENTS)):
        path = tmp_path / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        paths[name] = str(path)
    return paths


def churn_json(*args: str) -> dict[str, Any]:
    run = run_kamtool(["churn", *args, "--format", "json"])
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)


def full_args(paths: dict[str, str]) -> list[str]:
    return [paths["orders"], "--accounts", paths["accounts"], "--payments", paths["payments"],
            "--brand", "Own", "--as-of", "2024-07-01"]


def test_every_type_by_hand(tmp_path: Path) -> None:
    data = churn_json(*full_args(write(tmp_path)))
    rows = {r["customer"]: r for r in data["rows"]}
    typed = {c: (r["churn_type"], r["churn_type_basis"], round(r["start_revenue"] - r["end_revenue"], 2))
             for c, r in rows.items() if r["churn_type"] is not None}
    assert typed == TYPES
    assert rows["K"]["churn_type"] is None and rows["K"]["churn_type_basis"] is None  # 500 -> 500
    assert rows["R"]["churn_reason"] == "moved to a cheaper supplier"  # kept as given
    assert all(r["churn_reason"] is None for c, r in rows.items() if c != "R")
    table = {t["churn_type"]: t for t in data["tables"]["churn_types"]}
    assert list(table) == ["recorded", "dropped", "competitor", "value_declined", "left"]
    assert {t: table[t]["customers"] for t in table} == COUNTS
    assert {t: table[t]["revenue_lost"] for t in table} == LOST
    s, p = data["summary"], data["params"]
    assert s["churn_type_subjects"] == 7 and s["churn_type_revenue_lost"] == 1750.0
    assert s["churn_type_main"] == "value_declined" and s["churn_type_main_revenue_lost"] == 600.0
    assert {t: s[f"churn_type_{t}"] for t in COUNTS} == COUNTS
    assert p["churn_type_from_accounts"] and p["churn_type_from_credit"]
    assert p["churn_type_from_brand_shares"] and p["churn_type_line_column"] == "category"
    # key accounts apart: the table's key columns are the rows marked key_account
    assert p["key_accounts_basis"] == "key_tier" and p["key_tier_as_of"] == "2024-04-01"
    for t, row in table.items():
        keyed = [r for r in rows.values() if r["key_account"] and r["churn_type"] == t]
        assert row["key_customers"] == len(keyed)
        assert row["key_revenue_lost"] == round(sum(r["start_revenue"] - r["end_revenue"] for r in keyed), 2)
    assert s["key_churn_type_subjects"] == sum(t["key_customers"] for t in table.values())


def test_churn_figures_do_not_move_with_the_types(tmp_path: Path) -> None:
    """The types add columns; the churn figures stay those of the plain command."""
    paths = write(tmp_path)
    plain = churn_json(paths["orders"], "--as-of", "2024-07-01")
    typed = churn_json(*full_args(paths))
    drop = ("churn_type", "churn_type_basis", "churn_reason", "key_account")
    assert [{k: v for k, v in r.items() if k not in drop} for r in typed["rows"]] == [
        {k: v for k, v in r.items() if k not in drop} for r in plain["rows"]]
    for key, value in plain["summary"].items():
        if not key.startswith(("churn_type", "key_churn_type")):
            assert typed["summary"][key] == value, key


def test_without_the_inputs_the_types_are_not_inferable_and_say_so(tmp_path: Path) -> None:
    paths = write(tmp_path)
    data = churn_json(paths["orders"], "--as-of", "2024-07-01")
    rows = {r["customer"]: r["churn_type"] for r in data["rows"] if r["churn_type"] is not None}
    # no reason, status, payments or focal brand: R, D, O, C1 are simply lost; C2 keeps its lines
    assert rows == {"R": "left", "D": "left", "O": "left", "C1": "left", "C2": "competitor",
                    "V": "value_declined", "L": "left"}
    p = data["params"]
    assert not p["churn_type_from_accounts"] and not p["churn_type_from_credit"]
    assert not p["churn_type_from_brand_shares"] and p["churn_type_line_column"] == "category"
    run = run_kamtool(["churn", paths["orders"], "--as-of", "2024-07-01", "--format", "table"])
    assert run.code == 0, run.stderr
    text = " ".join(run.stdout.split())
    assert "Not inferable from these inputs" in text
    assert "no --accounts file" in text and "no --payments file is given" in text and "no --brand" in text
    assert "Main reason for the loss: Left on its own — 5 of 7" in text


def test_due_dates_on_the_lines_give_the_overdue_receivables(tmp_path: Path) -> None:
    """The credit fields on the lines themselves, without --payments: O's first invoice
    (due 2023-11-01, never paid) is 106 days past due at its last order."""
    lines = ORDERS.replace("order_id,order_date,customer_id,amount,brand,category",
                           "order_id,order_date,customer_id,amount,brand,category,due_date")
    lines = "\n".join(line + ("" if i == 0 else ",") for i, line in enumerate(lines.strip().splitlines()))
    lines = lines.replace("o3,2023-10-02,O,500.00,Own,Paper,", "o3,2023-10-02,O,500.00,Own,Paper,2023-11-01")
    paths = write(tmp_path, lines + "\n")
    data = churn_json(paths["orders"], "--as-of", "2024-07-01")
    rows = {r["customer"]: r for r in data["rows"]}
    assert (rows["O"]["churn_type"], rows["O"]["churn_type_basis"]) == ("dropped", "inferred")
    assert data["params"]["churn_type_from_credit"]


def test_shuffled_rows_change_nothing(tmp_path: Path) -> None:
    header, *lines = ORDERS.strip().splitlines()
    base = churn_json(*full_args(write(tmp_path)))
    for seed in (1, 2):
        shuffled = lines[:]
        random.Random(seed).shuffle(shuffled)
        folder = tmp_path / f"s{seed}"
        folder.mkdir()
        again = churn_json(*full_args(write(folder, "\n".join([header, *shuffled]) + "\n")))
        assert again["rows"] == base["rows"] and again["tables"] == base["tables"]
        assert again["summary"] == base["summary"]


def test_words_in_both_languages_and_json_the_same(tmp_path: Path) -> None:
    args = full_args(write(tmp_path))
    en = run_kamtool(["churn", *args, "--format", "json", "--lang", "en"])
    zh = run_kamtool(["churn", *args, "--format", "json", "--lang", "zh"])
    assert en.code == zh.code == 0 and en.stdout == zh.stdout
    table = run_kamtool(["churn", *args, "--lang", "zh", "--top", "20"])
    assert table.code == 0, table.stderr
    text = " ".join(table.stdout.split())
    assert "主要流失原因：价值下降" in text and "客户流失原因" in text
    for word in ("已记录原因", "我方终止", "被竞争对手争取", "客户自行流失", "已记录", "推断"):
        assert word in text
    assert "value_declined" not in text and "inferred" not in text


def test_workbook_has_the_churn_types_sheet(tmp_path: Path) -> None:
    import openpyxl

    out = tmp_path / "churn.xlsx"
    run = run_kamtool(["churn", *full_args(write(tmp_path)), "--lang", "zh", "-o", str(out)])
    assert run.code == 0, run.stderr
    book = openpyxl.load_workbook(out)
    sheet = book["流失类型"]
    values = [row for row in sheet.iter_rows(values_only=True) if row[0] is not None]
    assert values[1] == ("流失类型", "客户数", "损失销售额", "重点客户数", "重点客户损失销售额")
    assert [(r[0], r[1], r[2]) for r in values[2:7]] == [
        ("已记录原因", 1, 100), ("我方终止", 2, 250), ("被竞争对手争取", 2, 500), ("价值下降", 1, 600),
        ("客户自行流失", 1, 300)]


# --------------------------------------------------------------- overdue receivables, by hand


def _days(text: str) -> int:
    return int(pd.Timestamp(text).to_datetime64().astype("datetime64[D]").astype("int64"))


def test_overdue_boundary_is_more_than_90_days() -> None:
    """Due 2024-01-31 (2024-01-01 + 30 days): 90 days past due on 2024-04-30 is not over 90;
    2024-05-01 is 91."""
    invoices = pd.DataFrame({"customer": ["a", "b"], "invoice_id": ["1", "2"],
                             "date": pd.to_datetime(["2024-01-01", "2024-01-01"]), "amount": [100.0, 100.0]})
    days = pd.Series([_days("2024-04-30"), _days("2024-05-01")], index=["a", "b"])
    out = overdue_at(invoices, None, None, days).set_index("customer")
    assert out["overdue_90_at_last_order"].to_dict() == {"a": False, "b": True}
    assert out["overdue_90_cents"].to_dict() == {"a": 0, "b": 10000}


def test_overdue_counts_only_what_happened_before_the_day() -> None:
    """Invoices 100 (Jan 1) and 50 (Feb 1) with 30-day terms; a credit note −30 (Mar 1); a
    payment naming the second invoice (Mar 2) and an unnamed 40 (Mar 3, first in first out to
    the first invoice); the last order on 2024-05-15: invoice 1 has 100 − 30 − 40 = 30 open, 105
    days past due; invoice 2 is paid. A payment on the day itself does not count."""
    invoices = pd.DataFrame({
        "customer": ["a", "a", "a", "a"], "invoice_id": ["1", "2", "cn", "3"],
        "date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-05-15"]),
        "amount": [100.0, 50.0, -30.0, 10.0]})
    payments = pd.DataFrame({"customer": ["a", "a", "a"], "date": pd.to_datetime(["2024-03-02", "2024-03-03",
                                                                                   "2024-05-15"]),
                             "amount": [50.0, 40.0, 30.0], "invoice_id": ["2", None, None]})
    out = overdue_at(invoices, payments, None, pd.Series([_days("2024-05-15")], index=["a"]))
    assert out["overdue_90_cents"].tolist() == [3000] and out["overdue_90_at_last_order"].tolist() == [True]
    # the accounts' 60-day terms: due 2024-03-01, 75 days past due: not over 90
    accounts = pd.DataFrame({"customer": ["a"], "payment_terms": ["60"]})
    later = overdue_at(invoices, payments, accounts, pd.Series([_days("2024-05-15")], index=["a"]))
    assert later["overdue_90_at_last_order"].tolist() == [False]


# --------------------------------------------------------------------------- the sample data


def test_every_type_occurs_on_the_sample() -> None:
    sample = REPO / "sample_data"
    data = churn_json(str(sample / "orders.csv"), "--accounts", str(sample / "accounts.csv"),
                      "--payments", str(sample / "payments.csv"), "--brand", "Kamaro")
    table = {t["churn_type"]: t["customers"] for t in data["tables"]["churn_types"]}
    assert all(n > 0 for n in table.values()), table
    rows = {r["customer"]: (r["churn_type"], r["churn_type_basis"]) for r in data["rows"]}
    # the accounts file's recorded reasons and the frozen account (scripts/make_accounts.py)
    assert rows["C0208"] == rows["C0206"] == ("recorded", "recorded")
    assert rows["C0124"] == ("dropped", "recorded")
    # make_payments.py's debtor: 16.80 of a 310.00 invoice of 2024-04-22 (less a credit note
    # applied to the oldest) open over 90 days past due at its last order, 2025-01-06
    assert rows["C0096"] == ("dropped", "inferred")
    from kamtool.io.tables import read_table

    orders = pd.read_csv(sample / "orders.csv", dtype=str)
    invoices = pd.DataFrame({"customer": orders["customer_id"], "invoice_id": orders["order_id"],
                             "date": pd.to_datetime(orders["order_date"]),
                             "amount": orders["amount"].astype(float)})
    payments, _ = read_table(str(sample / "payments.csv"), "payments")
    accounts, _ = read_table(str(sample / "accounts.csv"), "accounts")
    owed = overdue_at(invoices, payments, accounts, pd.Series([_days("2025-01-06")], index=["C0096"]))
    assert owed["overdue_90_cents"].tolist() == [1680]  # the README's 16.80
    counted = pd.Series([r["churn_type"] for r in data["rows"] if r["churn_type"]]).value_counts().to_dict()
    assert counted == table


def test_the_notes_name_every_dropped_status(tmp_path: Path) -> None:
    """The statuses read as "we stopped" are the analysis' one list: the Chinese note names
    all of them, the English one (and the JSON's notes) the Latin ones."""
    from kamtool.analyses.churn_types import DROPPED_STATUSES

    args = full_args(write(tmp_path))
    for lang in ("en", "zh"):
        run = run_kamtool(["churn", *args, "--lang", lang])
        assert run.code == 0, run.stderr
        text = " ".join(run.stdout.split())
        for status in DROPPED_STATUSES:
            assert (status in text) == (lang == "zh" or status.isascii()), (lang, status)


def test_checked_in_sample_payments_is_what_the_script_makes(tmp_path: Path) -> None:
    """sample_data/payments.csv (with its debtor) is what scripts/make_payments.py writes."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("make_payments", REPO / "scripts" / "make_payments.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_payments", module)  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    out = tmp_path / "payments.csv"
    assert module.main(["-o", str(out)]) == 0
    assert out.read_bytes() == (REPO / "sample_data" / "payments.csv").read_bytes()
