"""Every analysis end to end through the real CLI on the sample data.

Figures are checked against an independent computation with plain pandas on the
sample CSV, not against kamtool's own output.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from kamtool.cli.app import main

ROOT = Path(__file__).resolve().parent.parent
CSV = str(ROOT / "sample_data" / "orders.csv")
XLSX = str(ROOT / "sample_data" / "订单明细.xlsx")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (0 if code is None else int(code)), out, err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    code, out, err = run(capsys, *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(scope="module")
def orders() -> pd.DataFrame:
    frame = pd.read_csv(CSV, dtype={"amount": float})
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    return frame


def test_abc_matches_a_plain_pandas_computation(capsys, orders: pd.DataFrame) -> None:
    doc = run_json(capsys, "abc", CSV)
    revenue = orders.groupby("customer_id")["amount"].sum().round(2)
    rows = pd.DataFrame(doc["rows"]).set_index("customer")
    assert len(rows) == orders["customer_id"].nunique() == 300
    pd.testing.assert_series_equal(rows["revenue"].sort_index(), revenue.sort_index(), check_names=False)
    positive = revenue[revenue > 0].sort_values(ascending=False)
    cumulative = positive.cumsum() / positive.sum()
    # The customer whose cumulative share first reaches 80 % is the last A.
    n_a = int((cumulative < 0.8 - 1e-9).sum()) + 1
    assert doc["summary"]["class_a_entities"] == n_a
    assert (rows["class"] == "A").sum() == n_a
    assert set(rows.loc[revenue[revenue <= 0].index, "class"]) == {"C"}
    assert doc["params"]["thresholds"] == [0.8, 0.95]
    names = orders.groupby("customer_id")["customer_name"].min()
    assert rows["customer_name"].sort_index().tolist() == names.sort_index().tolist()


def test_pareto_by_salesperson_and_profit(capsys, orders: pd.DataFrame) -> None:
    doc = run_json(capsys, "pareto", CSV, "--by", "salesperson", "--measure", "profit")
    profit = (orders["amount"] - orders["cost"]).groupby(orders["salesperson"]).sum()
    rows = pd.DataFrame(doc["rows"]).set_index("salesperson")
    assert rows["profit"].sort_index().round(2).tolist() == profit.sort_index().round(2).tolist()
    assert doc["summary"]["entities"] == 8


def test_pareto_orders_are_distinct_order_ids(capsys, orders: pd.DataFrame) -> None:
    doc = run_json(capsys, "pareto", CSV, "--measure", "orders")
    expected = orders.groupby("customer_id")["order_id"].nunique()
    rows = pd.DataFrame(doc["rows"]).set_index("customer")
    assert rows["orders"].sort_index().tolist() == expected.sort_index().tolist()


def test_abc_workbook_has_sheets_chart_and_formats(capsys, tmp_path: Path) -> None:
    out = tmp_path / "abc.xlsx"
    code, _, err = run(capsys, "abc", CSV, "-o", str(out), "--lang", "zh")
    assert code == 0, err
    book = load_workbook(out)
    assert len(book.sheetnames) >= 3
    names = zipfile.ZipFile(out).namelist()
    chart = next(n for n in names if n.startswith("xl/charts/chart"))
    xml = zipfile.ZipFile(out).read(chart).decode()
    assert "<c:barChart>" in xml and "<c:lineChart>" in xml
    rows = book[book.sheetnames[1]]
    assert rows.freeze_panes == "A3"  # row 1: the sheet's title line, row 2: the header
    assert rows.auto_filter.ref is not None
    headers = [c.value for c in rows[2]]
    assert "累计占比" in headers


def test_rfm_scores_every_customer(capsys, orders: pd.DataFrame) -> None:
    doc = run_json(capsys, "rfm", CSV)
    rows = pd.DataFrame(doc["rows"])
    assert len(rows) == 300
    assert rows["r_score"].between(1, 5).all() and rows["m_score"].between(1, 5).all()
    last = orders.groupby("customer_id")["order_date"].max()
    as_of = orders["order_date"].max() + pd.Timedelta(days=1)
    recency = (as_of - last).dt.days
    got = rows.set_index("customer")["recency"].sort_index()
    assert got.tolist() == recency.sort_index().tolist()
    assert sum(doc["summary"]["segment_counts"].values()) == 300


def test_loyalty_on_both_samples(capsys) -> None:
    doc = run_json(capsys, "loyalty", CSV)
    groups = pd.DataFrame(doc["tables"]["groups"])
    assert groups["customers"].sum() == 300
    assert doc["summary"]["early_adopters"] > 0
    doc_zh = run_json(capsys, "loyalty", XLSX)
    assert pd.DataFrame(doc_zh["tables"]["groups"])["customers"].sum() == 80


def test_churn_bridge_closes(capsys) -> None:
    doc = run_json(capsys, "churn", CSV)
    s = doc["summary"]
    bridge = (s["bridge_start"] + s["bridge_new"] + s["bridge_reactivated"] + s["bridge_expansion"]
              - s["bridge_contraction"] - s["bridge_lost"] + s["bridge_other"])
    assert round(bridge, 2) == round(s["bridge_end"], 2)
    assert s["start_customers"] == s["retained"] + s["lost"]


def test_inspect_figures_on_both_samples(capsys, orders: pd.DataFrame) -> None:
    doc = run_json(capsys, "inspect", CSV)
    s = doc["summary"]
    assert s["lines"] == len(orders) and s["rows_dropped"] == 0
    assert s["customers"] == 300
    assert s["orders"] == orders.groupby("customer_id")["order_id"].nunique().sum()
    assert round(s["revenue"] * 100) == round(orders["amount"].sum() * 100)
    assert s["first_date"] == orders["order_date"].min().date().isoformat()
    doc = run_json(capsys, "inspect", XLSX)
    s = doc["summary"]
    assert s["dropped"] == {"totals / subtotal lines": 1}
    sheet = pd.read_excel(XLSX, header=2, engine="openpyxl")
    body = sheet[sheet["订单号"].astype(str) != "合计"]
    assert s["lines"] == len(body)
    assert round(s["revenue"] * 100) == round(body["金额"].sum() * 100)
    assert s["customers"] == body["客户编号"].nunique() == 80


def test_clv_on_the_sample_with_a_holdout(capsys) -> None:
    doc = run_json(capsys, "clv", CSV, "--calibration-end", "2025-03-31", "--holdout-end", "2025-09-30")
    rows = pd.DataFrame(doc["rows"])
    # Customers first seen after the calibration end cannot be fitted; they are counted.
    assert len(rows) + doc["summary"]["customers_excluded_after_calibration"] == 300
    assert rows["p_alive"].between(0, 1).all()
    assert (rows["clv"] >= 0).all() and rows["clv"].notna().all()
    holdout = pd.DataFrame(doc["tables"]["holdout"])
    assert holdout["customers"].sum() == len(rows)
    assert doc["summary"]["r"] > 0


def test_churn_and_rfm_workbooks(capsys, tmp_path: Path) -> None:
    for command in ("churn", "rfm", "loyalty", "clv"):
        out = tmp_path / f"{command}.xlsx"
        code, _, err = run(capsys, command, CSV, "-o", str(out))
        assert code == 0, err
        assert len(load_workbook(out).sheetnames) >= 3


def test_pareto_by_any_column_of_the_file(capsys, tmp_path: Path) -> None:
    path = tmp_path / "de.csv"
    path.write_text("Kunde,Datum,Umsatz,Kundengruppe\nA,2024-01-02,10,Gross\nB,2024-01-03,5,Klein\n"
                    "C,2024-01-04,1,Klein\n", encoding="utf-8")
    cols = ["--col", "customer=Kunde", "--col", "date=Datum", "--col", "amount=Umsatz"]
    doc = run_json(capsys, "pareto", str(path), *cols, "--by", "Kundengruppe")
    rows = {r["entity"]: r["revenue"] for r in doc["rows"]}  # rows keep canonical keys
    assert rows == {"Gross": 10.0, "Klein": 6.0}
    assert (doc["params"]["by"], doc["params"]["by_label"]) == ("entity", "Kundengruppe")
    code, _, err = run(capsys, "pareto", str(path), *cols, "--by", "Nope")
    assert code == 1 and "Kundengruppe" in err and "Traceback" not in err


def test_loyalty_without_brands_reads_behaviour(capsys, orders: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "no_brand.csv"
    orders.drop(columns=["brand", "product", "category"]).to_csv(path, index=False)
    doc = run_json(capsys, "loyalty", str(path))
    assert doc["summary"]["mode"] == "behaviour"
    assert sum(doc["summary"]["group_counts"].values()) == 300


def test_pareto_and_abc_share_one_base_on_the_sample(capsys, orders: pd.DataFrame) -> None:
    revenue = orders.groupby("customer_id")["amount"].sum().round(2)
    base = int((revenue >= 0).sum())  # zero included; the negative customer is apart
    assert (base, int((revenue < 0).sum())) == (299, 1)
    pareto_doc = run_json(capsys, "pareto", CSV)
    abc_doc = run_json(capsys, "abc", CSV)
    n_a = abc_doc["summary"]["class_a_entities"]
    assert pareto_doc["summary"]["entities_for_target"] == n_a == 65
    assert pareto_doc["summary"]["entities_for_target_share"] == abc_doc["summary"]["class_a_entity_share"]
    assert pareto_doc["summary"]["entities_for_target_share"] == 65 / base
    # money leaves kamtool rounded to the cent
    assert pareto_doc["summary"]["total"] == round(float(revenue[revenue > 0].sum()), 2)
    _, pareto_text, _ = run(capsys, "pareto", CSV)
    _, abc_text, _ = run(capsys, "abc", CSV)
    assert "21.7 % of customers (65) make 80 % of revenue." in pareto_text
    assert f"over {base} customers" in pareto_text
    assert "Class A: 21.7 % of customers (65)" in abc_text
