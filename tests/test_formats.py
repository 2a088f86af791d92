"""The one format rule (kamtool.render.formats): kinds, console text, Excel formats, JSON cents."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from kamtool.render import formats, records
from kamtool.render.console import frame_table
from kamtool.render.excel import write_workbook
from kamtool.render.formats import Spec, column_kind, column_spec, format_value, percent, percent_param
from kamtool.result import Result


@pytest.mark.parametrize(
    ("name", "dtype", "expected"),
    [
        ("revenue_share", "float64", "share"),
        ("cumulative_share", "float64", "share"),
        ("churn_rate", "float64", "share"),
        ("retention", "float64", "share"),
        ("p_alive", "float64", "share"),
        ("revenue", "float64", "money"),
        ("revenue", "int64", "money"),  # whole-euro data is still money
        ("returns_value", "float64", "money"),
        ("avg_order_value", "float64", "money"),
        ("clv", "float64", "money"),
        ("credit_limit", "float64", "money"),
        ("monetary", "float64", "money"),
        ("customers_with_revenue", "int64", "count"),  # a count, though it names money
        ("rfm_score", "int64", "count"),
        ("strategic_value", "float64", "number"),  # a 1..5 factor score, not money
        ("orders", "int64", "count"),
        ("orders", "float64", "count"),  # an integer column with gaps
        ("days_since_last", "float64", "days"),
        ("expected_purchases", "float64", "number"),
        ("first_date", "datetime64[ns]", "date"),
        ("customer", "object", "text"),
        ("included", "bool", "bool"),
        ("revenue_share", "object", "text"),  # the name alone never formats text
    ],
)
def test_kind_from_name_then_dtype(name: str, dtype: str, expected: str) -> None:
    assert column_kind(name, np.dtype(dtype)) == expected


def test_result_kinds_come_first_and_per_table() -> None:
    kinds = {"value": "count", "grid_value.profit_A": "money", "grid_entities.profit_A": "count"}
    assert column_kind("value", np.dtype("float64")) == "money"
    assert column_kind("value", np.dtype("float64"), kinds) == "count"
    assert column_kind("profit_A", np.dtype("float64"), kinds, "grid_value") == "money"
    assert column_kind("profit_A", np.dtype("float64"), kinds, "grid_entities") == "count"


def test_console_text_of_each_kind() -> None:
    assert format_value(2500315.6300005075, Spec("money")) == "2,500,315.63"
    assert format_value(15.0, Spec("money")) == "15.00"
    assert format_value(139.0, Spec("days")) == "139"
    assert format_value(7, Spec("count")) == "7"
    assert format_value(12345, Spec("count")) == "12,345"
    assert format_value(-0.3451, Spec("share")) == "-34.5%"
    assert format_value(0.5, Spec("number", 3)) == "0.500"
    assert format_value(True, Spec("bool"), "zh") == "是"
    assert format_value(pd.Timestamp("2024-03-05"), Spec("date")) == "2024-03-05"
    assert format_value(np.nan, Spec("money")) == ""
    assert format_value(None, Spec("count")) == ""
    assert percent(0.326, "en") == "32.6 %" and percent(0.326, "zh") == "32.6%"
    assert percent_param(0.8, "en") == "80 %" and percent_param(0.125, "zh") == "12.5%"


def test_number_decimals_are_fixed_per_column() -> None:
    # 100.66 / 82.9 / 71: the largest has three digits before the point -> two decimals for all
    spec = column_spec("expected_purchases", pd.Series([100.66, 82.9, 71.0]))
    assert spec == Spec("number", 2)
    assert [format_value(v, spec) for v in (100.66, 82.9, 71.0)] == ["100.66", "82.90", "71.00"]
    # small model figures: three significant digits of the largest, the same for every value
    small = column_spec("hhi", pd.Series([0.0325, 0.0041]))
    assert small == Spec("number", 4)
    assert [format_value(v, small) for v in (0.0325, 0.0041)] == ["0.0325", "0.0041"]


# a frame with every kind, and what the console and Excel show for each column
EVERY_KIND = pd.DataFrame(
    {
        "customer": ["a", "b"],
        "revenue": [2500315.6300005075, 15.0],
        "orders": np.array([3, 12345], dtype="int64"),
        "days_since_last": [15.0, 139.0],
        "revenue_share": [0.34512, 0.5],
        "expected_purchases": [100.66, 71.0],
        "first_date": pd.to_datetime(["2024-03-05", "2024-04-01"]),
        "included": [True, False],
    }
)
CONSOLE = {
    "customer": ["a", "b"],
    "revenue": ["2,500,315.63", "15.00"],
    "orders": ["3", "12,345"],
    "days_since_last": ["15", "139"],
    "revenue_share": ["34.5%", "50.0%"],
    "expected_purchases": ["100.66", "71.00"],
    "first_date": ["2024-03-05", "2024-04-01"],
    "included": ["yes", "no"],
}
EXCEL = {
    "customer": "General",
    "revenue": "#,##0.00",
    "orders": "#,##0",
    "days_since_last": "#,##0",
    "revenue_share": "0.0%",
    "expected_purchases": "#,##0.00",
    "first_date": "yyyy-mm-dd",
    "included": "General",
}


def _console_cells(frame: pd.DataFrame) -> dict[str, list[str]]:
    table = frame_table(frame, lang="en", plain=True)
    return {
        str(c): [str(cell) for cell in col._cells]
        for c, col in zip(frame.columns, table.columns, strict=True)
    }


def test_console_and_excel_agree_per_column(tmp_path: Path) -> None:
    assert _console_cells(EVERY_KIND) == CONSOLE
    path = tmp_path / "kinds.xlsx"
    write_workbook(Result("demo", {}, {}, EVERY_KIND), path)
    ws = openpyxl.load_workbook(path)["Details"]
    headers = [c.value for c in ws[2]]  # row 1: the sheet's title line
    got = {col: ws.cell(3, headers.index(caption) + 1).number_format
           for col, caption in zip(EVERY_KIND.columns, headers, strict=True)}
    assert got == EXCEL
    # the same spec decides both: every numeric format matches the console's decimals
    for col in EVERY_KIND.columns:
        spec = column_spec(col, EVERY_KIND[col])
        if spec.kind in ("money", "number"):
            decimals = len(CONSOLE[col][0].split(".")[1])
            assert got[col] == "#,##0." + "0" * decimals


def test_json_and_csv_round_money_to_the_cent_only() -> None:
    result = Result(
        "demo", {}, {"revenue": 2500315.6300005075, "gini": 0.123456789, "value": 1.23456},
        EVERY_KIND, kinds={"value": "number"},
    )
    out = io.StringIO()
    records.write_json(result, out)
    doc = json.loads(out.getvalue())
    assert doc["summary"] == {"revenue": 2500315.63, "gini": 0.123456789, "value": 1.23456}
    assert doc["rows"][0]["revenue"] == 2500315.63
    assert doc["rows"][0]["revenue_share"] == 0.34512  # shares keep full precision
    assert doc["rows"][0]["expected_purchases"] == 100.66
    csv = io.StringIO()
    records.write_csv(EVERY_KIND, csv)
    assert csv.getvalue().splitlines()[1].startswith("a,2500315.63,3,15.0,0.34512,100.66,2024-03-05,True")


def test_summary_figure_kinds() -> None:
    assert formats.value_spec("total", 1.5, {"total": "money"}).kind == "money"
    assert formats.value_spec("top1_entity", "C0011").kind == "text"
    assert formats.value_spec("as_of", dt.date(2024, 1, 1)).kind == "date"
    assert formats.value_spec("class_a_entities", 65).kind == "count"
