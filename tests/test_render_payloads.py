"""Data is text (issue 15, items 3 and 4, render side): customer names that are Rich markup,
terminal escapes or spreadsheet formulas go through pareto, abc, rfm and loyalty and come
out as written — in the table, in JSON, in CSV (formulas neutralised) and in workbooks."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import run_kamtool

from kamtool.render.excel import EXCEL_MAX_CHARS, write_workbook
from kamtool.render.records import write_csv
from kamtool.result import Result

PAYLOADS = ["[/]", "[link=https://x]Acme[/link]", "[b]Bold Co", "\x1b[2J\x1b[31mPWNED", "=cmd|' /C calc'!A0"]
# How the table shows each: markup as written, control characters as their escapes.
SHOWN = ["[/]", "[link=https://x]Acme[/link]", "[b]Bold Co", "\\x1b[2J\\x1b[31mPWNED", "=cmd|' /C calc'!A0"]
COMMANDS = ["pareto", "abc", "rfm", "loyalty"]


@pytest.fixture(scope="module")
def hostile_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each payload a customer with three orders over two brands, and one plain customer."""
    rows = [["customer", "date", "amount", "brand"]]
    for i, name in enumerate(PAYLOADS):
        for k in range(3):
            rows.append([name, f"2024-0{k + 1}-1{i}", str(100 * (i + 1) + k), "Kamaro" if k else "Other"])
    rows.append(["Plain", "2024-02-02", "50", "Kamaro"])
    path = tmp_path_factory.mktemp("payloads") / "hostile.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.mark.parametrize("command", COMMANDS)
def test_table_prints_names_as_written(command: str, hostile_csv: Path) -> None:
    run = run_kamtool([command, str(hostile_csv), "--format", "table"])
    assert run.code == 0, run.stderr
    assert "\x1b" not in run.stdout and "\x1b" not in run.stderr  # nothing a terminal acts on
    lines = run.stdout.splitlines()
    for shown in SHOWN:
        # in a cell of its own: the whole text, neither cut to "Acme" nor "Bold Co"
        assert any(f" {shown} " in f" {line} " for line in lines), (shown, run.stdout)
    assert not any(line.strip().startswith(("Acme", "Bold Co")) for line in lines)


@pytest.mark.parametrize("command", COMMANDS)
def test_json_keeps_the_exact_names(command: str, hostile_csv: Path) -> None:
    run = run_kamtool([command, str(hostile_csv), "--format", "json"])
    assert run.code == 0, run.stderr
    names = {row["customer"] for row in json.loads(run.stdout)["rows"]}
    assert names == {*PAYLOADS, "Plain"}  # JSON is for scripts: the bytes, unchanged


@pytest.mark.parametrize("command", COMMANDS)
def test_csv_neutralises_the_formula(command: str, hostile_csv: Path) -> None:
    run = run_kamtool([command, str(hostile_csv), "--format", "csv"])
    assert run.code == 0, run.stderr
    names = {row["customer"] for row in csv.DictReader(io.StringIO(run.stdout))}
    # the formula gets a leading apostrophe (OWASP); the other names are not formulas
    assert names == {"'=cmd|' /C calc'!A0", "[/]", "[link=https://x]Acme[/link]", "[b]Bold Co",
                     "\x1b[2J\x1b[31mPWNED", "Plain"}


def test_write_csv_raw_and_numbers() -> None:
    frame = pd.DataFrame({"customer": ["=1+2", "-2+3", "@SUM(A1)", "-", "ok"], "revenue": [-5.0, 1, 2, 3, 4]})
    safe, raw = io.StringIO(), io.StringIO()
    write_csv(frame, safe)
    write_csv(frame, raw, raw=True)
    assert safe.getvalue().splitlines() == [
        "customer,revenue", "'=1+2,-5.0", "'-2+3,1.0", "'@SUM(A1),2.0", "-,3.0", "ok,4.0",
    ]  # a negative number stays a number, a lone "-" is text to Excel already
    assert raw.getvalue().splitlines()[1:3] == ["=1+2,-5.0", "-2+3,1.0"]


def test_workbook_keeps_names_as_text(hostile_csv: Path, tmp_path: Path) -> None:
    path = tmp_path / "abc.xlsx"
    run = run_kamtool(["abc", str(hostile_csv), "-o", str(path)])
    assert run.code == 0, run.stderr
    ws = openpyxl.load_workbook(path)["Details"]
    header = [c.value for c in ws[2]]
    column = header.index("Customer") + 1
    cells = [ws.cell(r, column) for r in range(3, ws.max_row + 1)]
    # XlsxWriter stores a control character as OOXML's _xHHHH_ escape; Excel reads it back
    stored = {p.replace("\x1b", "_x001B_") for p in PAYLOADS}
    assert {c.value for c in cells} == {*stored, "Plain"}
    assert all(c.data_type == "s" for c in cells)  # the formula is a string, never computed


def test_workbook_cuts_overlong_text_and_counts_it(tmp_path: Path) -> None:
    long = "x" * (EXCEL_MAX_CHARS + 10)
    rows = pd.DataFrame({"customer": [long, "short", long], "revenue": [1.0, 2.0, 3.0]})
    path = tmp_path / "long.xlsx"
    cut = write_workbook(Result("demo", {}, {"top1_entity": long}, rows), path)
    assert cut == 3  # two cells on Details, one on the Summary: the caller warns
    ws = openpyxl.load_workbook(path)["Details"]
    assert [len(ws.cell(r, 1).value) for r in (3, 4, 5)] == [EXCEL_MAX_CHARS, 5, EXCEL_MAX_CHARS]
    assert write_workbook(Result("demo", {}, {}, rows.iloc[[1]]), tmp_path / "ok.xlsx") == 0
