"""A workbook whose zip directory claims an unknown zip version ("zip file version 8.4", a bit
flip the fuzz campaign made: seed 5000373) is refused by the guard with one line naming the
file, not a NotImplementedError "may be a kamtool bug"; nor does any reader parse an archive
the guard could not measure."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import REPO, run_kamtool

from kamtool.errors import DataError
from kamtool.io.guard import check_workbook

ORDERS = REPO / "sample_data" / "orders.csv"


def _unknown_version(path: Path) -> Path:
    """A valid one-sheet workbook whose central directory says a member needs zip version 8.4."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["customer", "strategic_value"])
    sheet.write_row(1, 0, ["C0011", 5])
    book.close()
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")  # the first central directory entry: "version needed" at +6
    assert at >= 0
    data[at + 6:at + 8] = (84).to_bytes(2, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(NotImplementedError):  # what Python's zipfile makes of it
        zipfile.ZipFile(path).read(zipfile.ZipFile(path).namelist()[0])
    return path


def test_the_guard_refuses_an_archive_it_cannot_read(tmp_path: Path) -> None:
    book = _unknown_version(tmp_path / "accounts.xlsx")
    with pytest.raises(DataError, match=r"accounts.xlsx: cannot open this workbook.*zip file version 8\.4"):
        check_workbook(book, "accounts.xlsx")


def test_a_command_says_so_in_one_line(tmp_path: Path) -> None:
    book = _unknown_version(tmp_path / "accounts.xlsx")
    run = run_kamtool(["tiers", str(ORDERS), "--accounts", str(book)])
    assert run.code == 1
    assert "cannot open this workbook" in run.stderr and "kamtool bug" not in run.stderr
    assert "Traceback" not in run.stderr
