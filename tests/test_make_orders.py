"""Tests of scripts/make_orders.py: determinism, the checked-in samples, their realism."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.conftest import load_make_orders

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DIR = REPO / "sample_data"


mo = load_make_orders()


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return mo.write_sample_files(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def orders() -> pd.DataFrame:
    return pd.read_csv(SAMPLE_DIR / "orders.csv", parse_dates=["order_date"])


def _sheet_values(path: Path) -> list[tuple[Any, ...]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(wb.worksheets[0].iter_rows(values_only=True))
    finally:
        wb.close()


def _number_formats(path: Path, row: int) -> list[str]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        cells = next(wb.worksheets[0].iter_rows(min_row=row, max_row=row))
        return [c.number_format for c in cells]
    finally:
        wb.close()


# --------------------------------------------------------------------------- checked-in files


def test_checked_in_csv_is_what_sample_produces(regenerated: tuple[Path, Path]) -> None:
    fresh_csv, _ = regenerated
    assert fresh_csv.read_bytes() == (SAMPLE_DIR / "orders.csv").read_bytes()


def test_checked_in_xlsx_holds_what_sample_produces(regenerated: tuple[Path, Path]) -> None:
    _, fresh_xlsx = regenerated
    assert _sheet_values(fresh_xlsx) == _sheet_values(SAMPLE_DIR / "订单明细.xlsx")


def test_sample_xlsx_bytes_are_reproducible(
    regenerated: tuple[Path, Path], tmp_path: Path
) -> None:
    again = tmp_path / "again.xlsx"
    mo.write_zh_xlsx(mo.simulate_orders(mo.ZH_SAMPLE), again, mo.ZH_TITLE, mo.ZH_EXPORTED_AT)
    assert again.read_bytes() == regenerated[1].read_bytes()


def test_readme_names_the_regenerate_command() -> None:
    readme = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    assert "python scripts/make_orders.py sample" in readme


# --------------------------------------------------------------------------- orders.csv


def test_orders_csv_shape(orders: pd.DataFrame) -> None:
    assert list(orders.columns) == list(mo.COLUMNS)
    assert orders["customer_id"].nunique() == 300
    assert 4500 <= len(orders) <= 5500
    assert orders["order_date"].min() >= pd.Timestamp("2023-01-01")
    assert orders["order_date"].max() <= pd.Timestamp("2025-09-30")
    assert orders["order_date"].max() - orders["order_date"].min() > pd.Timedelta(days=2 * 365)
    assert orders.notna().all().all()
    # One customer id, one name.
    assert (orders.groupby("customer_id")["customer_name"].nunique() == 1).all()
    assert orders["customer_name"].str.contains(",").any()  # quoting must be honoured


def test_amount_is_quantity_times_unit_price(orders: pd.DataFrame) -> None:
    expected = np.round(orders["quantity"] * orders["unit_price"], 2)
    assert (orders["amount"] == expected).all()
    # Cost follows the quantity's sign, so a return takes its cost back too.
    assert (np.sign(orders["cost"]) == np.sign(orders["quantity"])).all()
    assert orders["cost"].sum() < orders["amount"].sum()


def test_orders_keep_lines_together(orders: pd.DataFrame) -> None:
    per_order = orders.groupby("order_id").agg(
        dates=("order_date", "nunique"), customers=("customer_id", "nunique"), lines=("product", "size")
    )
    assert (per_order["dates"] == 1).all() and (per_order["customers"] == 1).all()
    assert (per_order["lines"] >= 2).sum() > 0.3 * len(per_order)
    # Adjacent: each order id occupies one contiguous block of rows.
    changes = (orders["order_id"] != orders["order_id"].shift()).sum()
    assert changes == orders["order_id"].nunique()
    assert orders["order_date"].is_monotonic_increasing


def test_returns_reference_bought_products(orders: pd.DataFrame) -> None:
    returns = orders[orders["quantity"] < 0]
    assert 0.01 <= len(returns) / len(orders) <= 0.04
    assert (returns["amount"] < 0).all()
    sales = orders[orders["quantity"] > 0]
    first_bought = sales.groupby(["customer_id", "product"])["order_date"].min().to_dict()
    for customer, product, when in zip(
        returns["customer_id"], returns["product"], returns["order_date"], strict=True
    ):
        assert first_bought[(customer, product)] <= when


def test_nonpositive_customers_exist(orders: pd.DataFrame) -> None:
    revenue = orders.groupby("customer_id")["amount"].sum().round(2)
    assert 1 <= (revenue <= 0).sum() <= 2
    assert (revenue == 0).sum() == 1 and (revenue < 0).sum() == 1


def test_customer_revenue_is_skewed(orders: pd.DataFrame) -> None:
    revenue = orders.groupby("customer_id")["amount"].sum().sort_values(ascending=False)
    top20 = revenue.iloc[:60].sum() / revenue.sum()
    assert 0.65 <= top20 <= 0.92
    lines = orders.groupby("customer_id").size()
    assert lines.max() > 20 * lines.median()


def test_customers_churn_start_late_and_decline(orders: pd.DataFrame) -> None:
    first = orders.groupby("customer_id")["order_date"].min()
    last = orders.groupby("customer_id")["order_date"].max()
    assert (first > pd.Timestamp("2024-01-01")).sum() >= 30  # new customers
    assert (last < pd.Timestamp("2024-10-01")).sum() >= 30  # lost customers
    yearly = orders.assign(year=orders["order_date"].dt.year).pivot_table(
        index="customer_id", columns="year", values="amount", aggfunc="sum", fill_value=0
    )
    big_2023 = yearly[2023] > yearly[2023].quantile(0.8)
    declined = big_2023 & (yearly[2025] > 0) & (yearly[2025] < 0.3 * yearly[2023])
    assert declined.sum() >= 2


def test_brands_loyalty_and_new_products(orders: pd.DataFrame) -> None:
    revenue = orders.groupby("brand")["amount"].sum()
    assert len(revenue) >= 4
    assert revenue.idxmax() == "Kamaro" and revenue["Kamaro"] / revenue.sum() > 0.5
    sales = orders[orders["quantity"] > 0]
    per_brand = sales.groupby(["customer_id", "brand"])["amount"].sum().unstack(fill_value=0)
    top_share = per_brand.max(axis=1) / per_brand.sum(axis=1)
    assert (top_share >= 0.9).sum() >= 50  # loyal to one brand
    assert (top_share < 0.6).sum() >= 30  # spread across brands
    launched = sales.groupby("product")["order_date"].min()
    new = launched[launched > pd.Timestamp("2024-01-01")]
    assert len(new) >= 3
    for product, first_sale in new.items():
        buyers = sales[sales["product"] == product]
        early = buyers[buyers["order_date"] <= first_sale + pd.Timedelta(days=45)]
        assert early["customer_id"].nunique() >= 1, product
    assert orders["salesperson"].nunique() == 8
    assert orders["region"].nunique() == 5
    assert orders["channel"].nunique() == 3


# --------------------------------------------------------------------------- 订单明细.xlsx


def test_chinese_export_layout() -> None:
    rows = _sheet_values(SAMPLE_DIR / "订单明细.xlsx")
    assert isinstance(rows[0][0], str) and "销售订单明细表" in rows[0][0]
    assert isinstance(rows[1][0], str) and rows[1][0].startswith("导出时间：")
    header = rows[2]
    assert list(header) == list(mo.ZH_HEADERS.values())
    body, total = rows[3:-1], rows[-1]
    assert total[0] == "合计"
    assert 1300 <= len(body) <= 1700
    assert len({r[2] for r in body}) == 80
    assert all(isinstance(r[1], datetime) for r in body)
    col = {name: i for i, name in enumerate(header)}
    # The totals row carries values (not formulas) equal to the sums of the lines.
    assert total[col["数量"]] == sum(r[col["数量"]] for r in body)
    for name in ("金额", "成本"):
        cents = sum(round(r[col[name]] * 100) for r in body)
        assert total[col[name]] == pytest.approx(cents / 100, abs=1e-6)
    assert {r[col["区域"]] for r in body} == {"华东", "华南", "华北", "西南", "华中"}
    assert any("有限公司" in r[col["客户名称"]] for r in body)
    for r in body:
        assert r[col["金额"]] == round(r[col["数量"]] * r[col["单价"]], 2)


def test_chinese_export_number_formats() -> None:
    formats = _number_formats(SAMPLE_DIR / "订单明细.xlsx", row=4)
    assert formats[1] == "yyyy-mm-dd"  # 订单日期
    assert formats[8] == "#,##0"  # 数量
    assert formats[9:12] == ["#,##0.00"] * 3  # 单价 金额 成本


# --------------------------------------------------------------------------- large mode


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_large_mode_is_deterministic(tmp_path: Path, fmt: str) -> None:
    lines = 300 if fmt == "xlsx" else 20_000

    def make(name: str, seed: int) -> bytes:
        path = tmp_path / f"{name}.{fmt}"
        args = ["--lines", str(lines), "--customers", "400", "--seed", str(seed),
                "--chunk-lines", "7000", "--format", fmt, "-o", str(path)]
        assert mo.main(args) == 0
        return path.read_bytes()

    first = make("a", 11)
    assert make("b", 11) == first
    assert make("c", 12) != first


def test_large_mode_lines(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    n = mo.write_large(path, "csv", lines=25_000, customers=2_000, seed=3, chunk_lines=10_000)
    frame = pd.read_csv(path, parse_dates=["order_date"])
    assert n == len(frame) == 25_000
    assert list(frame.columns) == list(mo.COLUMNS)
    assert frame["order_date"].is_monotonic_increasing
    per_order = frame.groupby("order_id").agg(
        dates=("order_date", "nunique"), customers=("customer_id", "nunique")
    )
    assert (per_order["dates"] == 1).all() and (per_order["customers"] == 1).all()
    assert (frame["order_id"] != frame["order_id"].shift()).sum() == len(per_order)
    assert (frame["amount"] == np.round(frame["quantity"] * frame["unit_price"], 2)).all()
    assert (frame["order_date"].dt.day_of_week < 5).all()
    assert 0.005 < (frame["quantity"] < 0).mean() < 0.05
    lines = frame.groupby("customer_id").size()
    assert lines.max() > 15 * lines.median()  # skewed: a few customers have many lines


def test_large_parquet_matches_csv_content(tmp_path: Path) -> None:
    csv_path, pq_path = tmp_path / "x.csv", tmp_path / "x.parquet"
    mo.write_large(csv_path, "csv", lines=5_000, customers=300, seed=5)
    mo.write_large(pq_path, "parquet", lines=5_000, customers=300, seed=5)
    from_csv = pd.read_csv(csv_path)
    table = pq.read_table(pq_path)
    assert table.column_names == list(mo.COLUMNS)
    from_pq = table.to_pandas()
    from_pq["order_date"] = pd.to_datetime(from_pq["order_date"]).dt.strftime("%Y-%m-%d")
    pd.testing.assert_frame_equal(from_csv, from_pq, check_dtype=False)


def test_large_xlsx_refuses_more_rows_than_excel_holds(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at most 1,048,575"):
        mo.write_large(tmp_path / "x.xlsx", "xlsx", lines=2_000_000, customers=10, seed=1)
    with pytest.raises(SystemExit):
        mo.main(["--lines", "10", "-o", str(tmp_path / "x.txt")])
    with pytest.raises(SystemExit):
        mo.main(["--lines", "10"])


def test_large_xlsx_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    mo.write_large(path, "xlsx", lines=500, customers=50, seed=2,
                   start=date(2024, 1, 1), end=date(2024, 12, 31))
    rows = _sheet_values(path)
    assert list(rows[0]) == list(mo.COLUMNS)
    assert len(rows) == 501
    assert all(isinstance(r[1], datetime) and r[1].year == 2024 for r in rows[1:])
