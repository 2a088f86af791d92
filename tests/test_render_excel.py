"""The Excel renderer, read back with openpyxl (cells) and as zipped XML (charts)."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest

from kamtool import __version__
from kamtool import labels as labels_module
from kamtool.errors import KamtoolError, UsageError
from kamtool.render import excel
from kamtool.render.excel import (
    DATE,
    INTEGER,
    MONEY,
    PERCENT,
    display_width,
    waterfall_series,
    write_workbook,
)
from kamtool.result import Chart, Heatmap, Result


@pytest.fixture(autouse=True)
def demo_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """The words of the demo command, as a command's words module gives them."""
    import sys
    import types

    module = types.ModuleType("kamtool.render.words.demo")
    module.headline = lambda result, lang: ["Two customers make all the revenue."]  # type: ignore[attr-defined]
    module.notes = lambda result, lang: ["Ties go to the lower customer id."]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kamtool.render.words.demo", module)

# ---------------------------------------------------------------------------------------
# the format rule


def test_display_width_counts_cjk_double() -> None:
    assert display_width("Acme") == 4
    assert display_width("客户名称") == 8
    assert display_width("Ａ") == 2  # full-width Latin
    assert display_width("A客") == 3


def test_waterfall_series_positive_bridge() -> None:
    # 100 total; −30 → level 70; −10 → 60; +15 → 75; +5 → 80; 80 total.
    series = waterfall_series([100.0, -30.0, -10.0, 15.0, 5.0, 80.0])
    assert series["base_pos"] == [0.0, 70.0, 60.0, 60.0, 75.0, 0.0]
    assert series["total_pos"] == [100.0, None, None, None, None, 80.0]
    assert series["down_pos"] == [None, 30.0, 10.0, None, None, None]
    assert series["up_pos"] == [None, None, None, 15.0, 5.0, None]
    assert all(v is None for v in series["base_neg"] + series["down_neg"] + series["up_neg"])


def test_waterfall_series_crossing_zero() -> None:
    # 10 total; −25 runs 10 → −15 (10 above zero, 15 below); +5 runs −15 → −10
    # (base −10 below zero, then 5 more down to −15); −10 total below zero.
    series = waterfall_series([10.0, -25.0, 5.0, -10.0])
    assert series["down_pos"] == [None, 10.0, None, None]
    assert series["down_neg"] == [None, -15.0, None, None]
    assert series["base_neg"] == [None, 0.0, -10.0, 0.0]
    assert series["up_neg"] == [None, None, -5.0, None]
    assert series["total_neg"] == [None, None, None, -10.0]
    assert series["total_pos"] == [10.0, None, None, None]


# ---------------------------------------------------------------------------------------
# a whole workbook


def _result() -> Result:
    rows = pd.DataFrame(
        {
            "customer": ["=1+1", "+49 30 1234", "Acme 有限公司", None],
            "revenue": [1000.5, 250.25, np.nan, -10.0],
            "orders": np.array([3, 1, 2, 0], dtype="int64"),
            "first_date": pd.to_datetime(pd.Series(["2024-01-05", "2024-02-29", None, "2023-12-31"])),
            "revenue_share": [0.8, 0.2, np.nan, 0.0],
            "cumulative_share": [0.8, 1.0, 1.0, 1.0],
            "included": [True, True, False, False],
            "class": pd.Categorical(["A", "B", "C", "C"]),
        }
    )
    bridge = pd.DataFrame(
        {
            "step": ["Last year", "Lost", "Declined", "Grown", "New", "This year"],
            "revenue": [100.0, -30.0, -10.0, 15.0, 5.0, 80.0],
        }
    )
    grid = pd.DataFrame({"A": [1, 2], "B": [3, 4]}, index=pd.Index(["A", "B"], name="grid_row"))
    return Result(
        command="demo",
        params={"as_of": dt.date(2024, 6, 1), "cut_a": 0.8, "weights": [0.4, 0.3]},
        summary={"customers": 4, "total_revenue": 1240.75, "top20_share": 0.8},
        rows=rows,
        tables={"bridge": bridge, "grid": grid},
        charts=[
            Chart("pareto", "rows", "customer", ["revenue"], secondary="cumulative_share"),
            Chart("waterfall", "bridge", "step", ["revenue"], title="demo.bridge_title"),
        ],
        heatmaps=[Heatmap("grid", ["A", "B"])],
    )


@pytest.fixture
def demo_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    """Labels an analysis would bring along, without depending on another area's module."""
    merged = labels_module._all()  # the cached dict every label() call reads
    monkeypatch.setitem(merged, "demo.table.bridge", ("Revenue bridge", "销售额桥"))
    monkeypatch.setitem(merged, "demo.bridge_title", ("Bridge title", "桥图标题"))
    monkeypatch.setitem(merged, "demo.table.grid", ("Grid", "网格"))
    monkeypatch.setitem(merged, "step", ("Step", "步骤"))
    monkeypatch.setitem(merged, "grid_row", ("Row", "行"))
    monkeypatch.setitem(merged, "as_of", ("As of", "截止日期"))
    monkeypatch.setitem(merged, "weights", ("Weights", "权重"))
    monkeypatch.setitem(merged, "top20_share", ("Top 20 % share", "前 20% 占比"))


def _find(ws: Any, text: str) -> int:
    """The row number of the Summary line whose column A reads ``text``."""
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == text:
            return int(row[0].row)
    raise AssertionError(f"{text!r} not on sheet {ws.title}")


def _charts_by_sheet(path: Path) -> dict[str, list[str]]:
    """Sheet name -> the XML of the charts drawn on it."""
    with zipfile.ZipFile(path) as book:
        names = dict(
            re.findall(
                r'<sheet name="([^"]+)" sheetId="\d+"(?: state="hidden")? r:id="(rId\d+)"',
                book.read("xl/workbook.xml").decode(),
            )
        )
        targets = dict(
            re.findall(
                r'Id="(rId\d+)"[^>]*Target="([^"]+)"',
                book.read("xl/_rels/workbook.xml.rels").decode(),
            )
        )
        out: dict[str, list[str]] = {}
        for sheet, rid in names.items():
            sheet_file = targets[rid].rsplit("/", 1)[-1]
            rels = f"xl/worksheets/_rels/{sheet_file}.rels"
            out[sheet] = []
            if rels not in book.namelist():
                continue
            for drawing in re.findall(r'Target="\.\./drawings/([^"]+)"', book.read(rels).decode()):
                drawing_rels = book.read(f"xl/drawings/_rels/{drawing}.rels").decode()
                for chart in re.findall(r'Target="\.\./charts/([^"]+)"', drawing_rels):
                    out[sheet].append(book.read(f"xl/charts/{chart}").decode())
        return out


def test_workbook_english(tmp_path: Path, demo_labels: None) -> None:
    path = tmp_path / "report.xlsx"
    write_workbook(_result(), path, sources=["orders.csv", "returns.csv"])
    book = openpyxl.load_workbook(path)

    assert book.sheetnames == ["Summary", "Details", "Revenue bridge", "Grid", "Chart data"]
    assert book["Chart data"].sheet_state == "hidden"

    ws = book["Details"]
    headers = [c.value for c in ws[2]]
    assert headers[:4] == ["Customer", "Revenue", "Orders", "First order"]
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == "A2:H6"

    # The formula-looking names stay text; Excel would otherwise compute 2.
    assert ws["A3"].value == "=1+1" and ws["A3"].data_type == "s"
    assert ws["A4"].value == "+49 30 1234" and ws["A4"].data_type == "s"
    assert ws["A6"].value is None  # a missing name is an empty cell
    assert (ws["B3"].value, ws["B3"].number_format) == (1000.5, MONEY)
    assert ws["B5"].value is None  # NaN
    assert (ws["C3"].value, ws["C3"].number_format) == (3, INTEGER)
    assert ws["D3"].value == dt.datetime(2024, 1, 5) and ws["D3"].number_format == DATE
    assert ws["D4"].value == dt.datetime(2024, 2, 29)
    assert ws["D5"].value is None  # NaT
    assert (ws["E3"].value, ws["E3"].number_format) == (0.8, PERCENT)
    assert ws["G3"].value == "yes" and ws["G5"].value == "no"  # words, never TRUE or 1
    assert ws["H4"].value == "B"

    # The grid's named index comes first; the heatmap covers both its value columns.
    grid = book["Grid"]
    assert [c.value for c in grid[2]] == ["Row", "A", "B"]
    assert [grid.cell(r, 2).value for r in (3, 4)] == [1, 2]
    formats = list(grid.conditional_formatting)
    assert len(formats) == 1
    assert str(formats[0].sqref) == "B3:B4 C3:C4"
    assert formats[0].rules[0].type == "colorScale"
    assert len(formats[0].rules[0].colorScale.cfvo) == 3

    summary = book["Summary"]
    assert summary.cell(_find(summary, "Command"), 2).value == "demo"
    assert summary.cell(_find(summary, "Customers"), 2).value == 4
    top = summary.cell(_find(summary, "Share of the top 20 %"), 2)
    assert (top.value, top.number_format) == (0.8, PERCENT)
    # parameters are sentences, their values in words
    _find(summary, "As of 2024-06-01")
    _find(summary, "Weights: 0.400 / 0.300")
    _find(summary, "Two customers make all the revenue.")
    _find(summary, "Ties go to the lower customer id.")
    sources = _find(summary, "Source files")
    assert [summary.cell(sources + i, 1).value for i in (1, 2)] == ["orders.csv", "returns.csv"]
    assert summary.cell(_find(summary, "kamtool version"), 2).value == __version__
    generated = summary.cell(_find(summary, "Generated at"), 2).value
    assert isinstance(generated, dt.datetime)
    assert abs(generated - dt.datetime.now()) < dt.timedelta(minutes=5)

    charts = _charts_by_sheet(path)
    assert charts["Summary"] == [] and charts["Grid"] == []
    (pareto,) = charts["Details"]
    assert "<c:barChart>" in pareto and "<c:lineChart>" in pareto
    assert pareto.count("<c:valAx>") == 2  # the second value axis carries the share
    assert '<c:crosses val="max"/>' in pareto
    assert '<c:max val="1"/>' in pareto and '<c:min val="0"/>' in pareto
    assert '<c:numFmt formatCode="0%" sourceLinked="0"/>' in pareto
    assert "Details!$A$3:$A$6" in pareto and "Details!$F$3:$F$6" in pareto
    assert "Revenue by Customer" in pareto  # default title from the labels

    (waterfall,) = charts["Revenue bridge"]
    assert '<c:grouping val="stacked"/>' in waterfall
    assert "'Revenue bridge'!$A$3:$A$8" in waterfall
    assert "'Chart data'!$A$2:$A$7" in waterfall  # the invisible base
    assert "<c:v>Base</c:v></c:tx><c:spPr><a:noFill/><a:ln><a:noFill/>" in waterfall
    assert "Bridge title" in waterfall
    helper = book["Chart data"]
    # Base 0, 70, 60, 60, 75, 0 (see test_waterfall_series_positive_bridge).
    assert [helper.cell(r, 1).value for r in range(2, 8)] == [0, 70, 60, 60, 75, 0]
    assert [c.value for c in helper[1]] == ["Base", "Total", "Increase", "Decrease"]


def test_workbook_chinese(tmp_path: Path, demo_labels: None) -> None:
    path = tmp_path / "report.xlsx"
    write_workbook(_result(), path, lang="zh")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:3] == ["摘要", "明细", "销售额桥"]
    assert [c.value for c in book["明细"][2]][:3] == ["客户", "销售额", "订单数"]
    assert [c.value for c in book["销售额桥"][2]] == ["步骤", "销售额"]
    summary = book["摘要"]
    assert summary.cell(_find(summary, "客户数"), 2).value == 4
    # Chinese captions count double: the customer column is wider than its header alone.
    assert book["明细"].column_dimensions["A"].width >= display_width("Acme 有限公司")
    waterfall = _charts_by_sheet(path)["销售额桥"][0]
    assert "桥图标题" in waterfall and "增加" in waterfall


def test_constant_memory_keeps_every_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Constant-memory mode drops any cell written after its row; pandas' to_excel writes
    # column by column and so lost most cells.  Force the mode on a small table.
    monkeypatch.setattr(excel, "CONSTANT_MEMORY_ROWS", 3)
    monkeypatch.setattr(excel, "_BLOCK_ROWS", 4)  # blocks end mid-table too
    n = 11
    rows = pd.DataFrame(
        {
            "customer": [f"c{i}" for i in range(n)],
            "revenue": np.arange(n) * 1.5,
            "orders": np.arange(n),
            "first_date": pd.date_range("2024-01-01", periods=n, freq="D"),
        }
    )
    path = tmp_path / "big.xlsx"
    result = Result("demo", {}, {}, rows, tables={"more": rows.head(2)})
    write_workbook(result, path)
    ws = openpyxl.load_workbook(path)["Details"]
    got = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    expected = [[f"c{i}", i * 1.5, i, dt.datetime(2024, 1, 1) + dt.timedelta(days=i)] for i in range(n)]
    assert got == expected
    with zipfile.ZipFile(path) as book:
        assert 't="inlineStr"' in book.read("xl/worksheets/sheet2.xml").decode()


def test_numpy_and_pandas_scalars(tmp_path: Path) -> None:
    rows = pd.DataFrame(
        {
            "customer": pd.Series(["a", pd.NA, "c"], dtype="string"),
            "orders": pd.Series([1, None, 3], dtype="Int64"),
            "quantity": [np.int32(4), np.float32(2.5), Decimal("1.25")],
            "when": [dt.date(2024, 3, 1), pd.Timestamp("2024-03-02"), None],
            "stamp": pd.DatetimeIndex(
                pd.to_datetime(pd.Series(["2024-01-01 10:30", None, "2024-01-02 00:00"]))
            ).tz_localize("Europe/Berlin"),
            "note": [1, "x", dt.date(2024, 1, 1)],
            "flag": pd.Series([True, None, False], dtype="boolean"),
            "days": pd.to_timedelta([1, 2, None], unit="D"),
            "lines": [1.0, np.nan, 3.0],  # whole numbers with a gap
            "growth": [np.inf, 1.0, 2.0],
        }
    )
    path = tmp_path / "types.xlsx"
    write_workbook(Result("demo", {"n": np.int64(3)}, {"x": np.float64(0.5)}, rows), path)
    ws = openpyxl.load_workbook(path)["Details"]
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=3, max_col=9)]
    assert values[0][:4] == ["a", 1, 4, dt.datetime(2024, 3, 1)]
    assert values[1][:4] == [None, None, 2.5, dt.datetime(2024, 3, 2)]
    assert values[2][:4] == ["c", 3, 1.25, None]
    assert [v[4] for v in values] == [
        dt.datetime(2024, 1, 1, 10, 30),
        None,
        dt.datetime(2024, 1, 2),
    ]
    assert ws["E3"].number_format == "yyyy-mm-dd hh:mm:ss"  # some times are not midnight
    assert [v[5] for v in values] == [1, "x", dt.datetime(2024, 1, 1)]
    assert [v[6] for v in values] == ["yes", None, "no"]
    assert [v[7] for v in values] == [1, 2, None]
    assert [v[8] for v in values] == [1, None, 3] and ws["I3"].number_format == INTEGER
    assert ws["J3"].value == "=1/0"  # infinity: Excel's #DIV/0!, not a broken file


def test_sheet_names_are_legal_and_unique(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": [1]})
    tables = {"a/b": frame, "A:B": frame, "x" * 40: frame, "[q]*?": frame, "summary": frame}
    path = tmp_path / "names.xlsx"
    write_workbook(Result("demo", {}, {}, frame, tables=tables), path)
    names = openpyxl.load_workbook(path).sheetnames
    assert len(names) == 7
    assert len({n.lower() for n in names}) == 7
    assert all(0 < len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)
    assert names[0] == "Summary"
    assert names[2:4] == ["Ab", "AB (2)"]  # "A/b" and "A:B" lose the forbidden character
    assert names[4] == "X" + "x" * 29 + "…"  # 31 characters at most
    assert names[5] == "q"
    assert names[6] == "Summary (2)"  # a table may not take the Summary sheet's name


def test_empty_rows_and_long_chart(tmp_path: Path) -> None:
    rows = pd.DataFrame({"customer": pd.Series([], dtype="str"), "revenue": []})
    top = pd.DataFrame({"customer": [f"c{i}" for i in range(30)], "revenue": range(30, 0, -1)})
    result = Result(
        "demo",
        {},
        {},
        rows,
        tables={"top": top},
        charts=[
            Chart("column", "rows", "customer", ["revenue"]),  # nothing to draw: skipped
            Chart("bar", "top", "customer", ["revenue"], max_points=10),
            Chart("pie", "top", "customer", ["revenue"], max_points=5),
            Chart("line", "top", "customer", ["revenue"]),
        ],
        heatmaps=[Heatmap("rows", ["revenue"])],
    )
    path = tmp_path / "empty.xlsx"
    write_workbook(result, path)
    ws = openpyxl.load_workbook(path)["Details"]
    assert [c.value for c in ws[2]] == ["Customer", "Revenue"]
    assert ws.max_row == 2
    charts = _charts_by_sheet(path)
    assert charts["Details"] == []
    bar, pie, line = charts["Top"]
    assert "Top!$B$3:$B$12" in bar and '<c:orientation val="maxMin"/>' in bar
    assert "<c:pieChart>" in pie and "Top!$B$3:$B$7" in pie
    assert "<c:lineChart>" in line and "Top!$B$3:$B$32" in line


def test_bad_specs_and_language(tmp_path: Path) -> None:
    rows = pd.DataFrame({"customer": ["a"], "revenue": [1.0]})
    path = tmp_path / "bad.xlsx"
    with pytest.raises(ValueError, match="no column 'profit'"):
        write_workbook(
            Result("demo", {}, {}, rows, charts=[Chart("column", "rows", "customer", ["profit"])]),
            path,
        )
    with pytest.raises(ValueError, match="unknown table 'nope'"):
        write_workbook(Result("demo", {}, {}, rows, heatmaps=[Heatmap("nope", ["x"])]), path)
    with pytest.raises(UsageError, match="unknown language"):
        write_workbook(Result("demo", {}, {}, rows), path, lang="de")
    with pytest.raises(KamtoolError, match="cannot write the workbook"):
        write_workbook(Result("demo", {}, {}, rows), tmp_path / "no such dir" / "x.xlsx")


def test_summary_nested_figures_take_the_parent_format(tmp_path: Path) -> None:
    rows = pd.DataFrame({"customer": ["a"], "revenue": [1.0]})
    summary = {"revenue_by_class": {"A": 900, "B": 100.5}, "class_share": {"A": 0.9}}
    path = tmp_path / "nested.xlsx"
    write_workbook(Result("demo", {}, summary, rows), path)
    ws = openpyxl.load_workbook(path)["Summary"]
    by_class = {
        str(ws.cell(r, 1).value): ws.cell(r, 2) for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value
    }
    cell_a = by_class["Revenue by class · A"]
    assert (cell_a.value, cell_a.number_format) == (900, MONEY)  # an int, but money
    assert by_class["Class share · A"].number_format == PERCENT
