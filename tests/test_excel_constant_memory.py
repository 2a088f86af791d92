"""Above CONSTANT_MEMORY_ROWS rows a workbook is written in XlsxWriter's constant-memory mode,
which writes each row as it goes and silently drops a cell written to a row above the last one
written. The same workbook written in both modes must hold the same cells: every command's and
the report's, every sheet, every value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import REPO

from kamtool.cli.app import main
from kamtool.labels import label
from kamtool.render import excel

SAMPLE = REPO / "sample_data"
ORDERS = str(SAMPLE / "orders.csv")
SECOND = ["--accounts", str(SAMPLE / "accounts.csv"), "--payments", str(SAMPLE / "payments.csv")]
COMMANDS = {"pareto": [], "abc": [], "rfm": [], "loyalty": [], "churn": SECOND, "clv": [],
            "tiers": SECOND[:2], "stages": SECOND[:2], "credit": SECOND, "report": SECOND}


def _cells(path: Path, lang: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's rows of values, the time of writing left out (it moves between two runs)."""
    stamp = label("report.generated_at", lang)
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True) if row and row[0] != stamp]
                for ws in book.worksheets}
    finally:
        book.close()


def _write(tmp_path: Path, command: str, name: str, lang: str) -> Path:
    out = tmp_path / f"{name}.xlsx"
    try:
        main([command, ORDERS, *COMMANDS[command], "--lang", lang, "-o", str(out)])
    except SystemExit as done:  # the command line ends with an exit, 0 when all went well
        assert done.code in (0, None)
    assert out.exists()
    return out


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_constant_memory_mode_loses_no_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            command: str) -> None:
    lang = "zh" if command in ("report", "churn") else "en"
    normal = _cells(_write(tmp_path, command, "normal", lang), lang)
    monkeypatch.setattr(excel, "CONSTANT_MEMORY_ROWS", 0)  # every table counts as big
    big = _cells(_write(tmp_path, command, "big", lang), lang)
    assert list(big) == list(normal)
    for sheet, rows in normal.items():
        assert big[sheet] == rows, sheet
