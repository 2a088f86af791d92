"""Reading exports: encodings, separators, header rows, Excel sheets, Parquet, stdin,
several files, and row numbers in errors as the user sees them in the file."""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kamtool.errors import DataError, UsageError
from kamtool.io import read
from kamtool.io.read import ReadOptions, open_source, sniff_encoding, sniff_layout
from kamtool.ledger import Ledger

Loader = Callable[..., Ledger]
Workbook = Callable[[Path, dict[str, list[list[Any]]]], Path]


class FakeStdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def summary(ledger: Ledger) -> dict[str, Any]:
    totals = ledger.totals()
    stats = ledger.stats()
    return {
        "rows": stats.rows,
        "lines": totals["lines"],
        "dropped": dict(stats.dropped),
        "customers": len(ledger.customers),
        "revenue": totals["revenue"],
    }


# -- encodings --------------------------------------------------------------------------
def test_sniff_encoding() -> None:
    assert sniff_encoding("客户,金额\n".encode()) == "utf-8"
    assert sniff_encoding(b"\xef\xbb\xbfCustomer,Amount\n") == "utf-8-sig"
    assert sniff_encoding("Customer".encode("utf-16")) == "utf-16"
    assert sniff_encoding("客户,金额\n".encode("gbk")) == "gb18030"
    # A 3-byte character cut by the end of the sample is still UTF-8 ...
    assert sniff_encoding("客户".encode()[:-1], truncated=True) == "utf-8"
    # ... but not when the sample is the whole file.
    assert sniff_encoding("客户".encode()[:-1]) != "utf-8"
    # Neither UTF-8 nor GB18030 (0xFF never starts a GB18030 character).
    assert sniff_encoding(b"caf\xff,x\n") == "latin-1"


def test_gbk_export(messy: Callable[[str], str], load_ledger: Loader) -> None:
    source = open_source(messy("gbk.csv"), ReadOptions())
    assert (source.format, source.encoding, source.delimiter) == ("csv", "gb18030", ",")
    assert source.headers == ["客户名称", "订单日期", "金额"]
    ledger = load_ledger(messy("gbk.csv"))
    # 华北商贸 100.50 + 20.00; 东方贸易 35.25
    revenue = ledger.customers.set_index("customer")["revenue"].to_dict()
    assert revenue == {"东方贸易": 35.25, "华北商贸": 120.50}


def test_bom_is_not_part_of_the_first_header(messy: Callable[[str], str], load_ledger: Loader) -> None:
    source = open_source(messy("bom.csv"), ReadOptions())
    assert source.encoding == "utf-8-sig"
    assert source.headers == ["Customer", "Date", "Amount"]
    assert summary(load_ledger(messy("bom.csv")))["revenue"] == 15.50  # 10.00 + 5.50


def test_utf16_with_bom(tmp_path: Path, load_ledger: Loader) -> None:
    path = tmp_path / "u16.csv"
    path.write_bytes("Customer,Date,Amount\na,2024-01-01,1.25\nb,2024-01-02,2\n".encode("utf-16"))
    assert open_source(str(path), ReadOptions()).encoding == "utf-16"
    assert summary(load_ledger(path))["revenue"] == 3.25


def test_non_utf8_beyond_the_sniffed_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            load_ledger: Loader) -> None:
    # The first bytes are ASCII, so the sniffer says UTF-8; GBK text comes later.
    monkeypatch.setattr(read, "SAMPLE_BYTES", 64)
    path = tmp_path / "late_gbk.csv"
    lines = ["Customer,Date,Amount"] + [f"c{i},2024-01-01,1" for i in range(10)] + ["华北,2024-01-02,2"]
    path.write_bytes("\n".join(lines).encode("gbk") + b"\n")
    with pytest.raises(DataError, match=r"late_gbk\.csv: not valid utf-8 .*--encoding gb18030"):
        load_ledger(path)
    assert summary(load_ledger(path, encoding="gb18030"))["revenue"] == 12.0  # 10 x 1 + 2


# -- separators and header rows ------------------------------------------------------------
@pytest.mark.parametrize(("name", "delimiter"), [
    ("bom.csv", ","), ("sep_semicolon.csv", ";"), ("sep_tab.tsv", "\t"), ("sep_pipe.txt", "|"),
])
def test_separator_is_sniffed(messy: Callable[[str], str], load_ledger: Loader, name: str,
                              delimiter: str) -> None:
    source = open_source(messy(name), ReadOptions())
    assert source.delimiter == delimiter
    assert source.headers == ["Customer", "Date", "Amount"]
    if name != "bom.csv":
        ledger = load_ledger(messy(name))
        # Commas and semicolons inside values stay in the values.
        assert list(ledger.customers["customer"])[0] == "Acme, Inc"
        assert summary(ledger)["revenue"] == 3.75  # 1.50 + 2.25


def test_header_row_option_still_sniffs_the_separator(messy: Callable[[str], str]) -> None:
    source = open_source(messy("sep_semicolon.csv"), ReadOptions(header_row=1))
    assert source.delimiter == ";"
    assert source.headers == ["Customer", "Date", "Amount"]


def test_header_row_option(tmp_path: Path) -> None:
    path = tmp_path / "two_headers.csv"
    path.write_text("Report\nCustomer,Date,Amount\n\nKunde,Datum,Umsatz\na,2024-01-01,1\n")
    assert open_source(str(path), ReadOptions(header_row=4)).headers == ["Kunde", "Datum", "Umsatz"]
    with pytest.raises(UsageError, match="--header-row 3 is blank"):
        open_source(str(path), ReadOptions(header_row=3))


def test_title_rows_above_the_header(messy: Callable[[str], str], load_ledger: Loader) -> None:
    source = open_source(messy("title_rows.csv"), ReadOptions())
    assert source.header_row == 4  # 2 title lines and a row of bare commas above it
    assert source.headers == ["客户编号", "客户名称", "订单日期", "订单号", "金额"]
    assert summary(load_ledger(messy("title_rows.csv"))) == {
        "rows": 2, "lines": 2, "dropped": {}, "customers": 2, "revenue": 300.0,
    }


def test_expected_headers_pick_the_header_among_unknown_names() -> None:
    text = "x,y,z\nKunde,Datum,Umsatz\na,2024-01-01,1\n"
    _, line, headers = sniff_layout(text, ReadOptions(expected_headers=("Kunde", "Umsatz")), name="t")
    assert (line, headers) == (2, ["Kunde", "Datum", "Umsatz"])


def test_crlf_and_quoted_newlines(messy: Callable[[str], str], load_ledger: Loader) -> None:
    ledger = load_ledger(messy("crlf.csv"))
    assert summary(ledger)["revenue"] == 4.0  # 1.25 + 2.75
    quoted = load_ledger(messy("quoted.csv"))
    # "Acme, Inc." 1,000.00 - 940.00; "Beta\nTwo" 0.00
    revenue = quoted.customers.set_index("customer")["revenue"].to_dict()
    assert revenue == {"Acme, Inc.": 60.0, "Beta\nTwo": 0.0}


def test_empty_trailing_columns(messy: Callable[[str], str], load_ledger: Loader) -> None:
    source = open_source(messy("trailing_columns.csv"), ReadOptions())
    assert source.headers == ["Customer", "Date", "Amount", "column_4", "column_5"]
    assert summary(load_ledger(messy("trailing_columns.csv")))["revenue"] == 3.0


def test_lines_of_spaces_are_empty_lines(tmp_path: Path, load_ledger: Loader) -> None:
    path = tmp_path / "spaces.csv"
    path.write_text("Customer,Date,Amount\na,2024-01-01,1\n   \nb,2024-01-02,2\n")
    assert summary(load_ledger(path)) == {
        "rows": 2, "lines": 2, "dropped": {}, "customers": 2, "revenue": 3.0,
    }


# -- files that are not exports -------------------------------------------------------------
def test_not_an_export(tmp_path: Path) -> None:
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(DataError, match=r"image\.csv: looks like a binary file"):
        open_source(str(binary), ReadOptions())
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataError, match=r"empty\.csv: the file is empty"):
        open_source(str(empty), ReadOptions())
    one_column = tmp_path / "notes.txt"
    one_column.write_text("hello\nworld\n")
    with pytest.raises(DataError, match=r"notes\.txt: found no header row"):
        open_source(str(one_column), ReadOptions())
    fake = tmp_path / "orders.xlsx"
    fake.write_text("Customer,Date,Amount\n")
    with pytest.raises(DataError, match=r"orders\.xlsx: is named like an Excel workbook"):
        open_source(str(fake), ReadOptions())
    with pytest.raises(UsageError, match="no such file"):
        open_source(str(tmp_path / "missing.csv"), ReadOptions())
    with pytest.raises(UsageError, match="is a directory"):
        open_source(str(tmp_path), ReadOptions())


# -- Excel -------------------------------------------------------------------------------
def test_excel_first_sheet_with_data(orders_xlsx: Path, load_ledger: Loader) -> None:
    source = open_source(str(orders_xlsx), ReadOptions())
    assert (source.format, source.sheet, source.header_row) == ("excel", "订单", 3)
    assert source.headers == ["客户", "订单日期", "金额", "数量"]
    ledger = load_ledger(orders_xlsx)
    assert summary(ledger) == {
        "rows": 4, "lines": 3, "dropped": {"totals / subtotal lines": 1}, "customers": 3,
        "revenue": 30.40,  # 10.10 + 20.20 + 0.10; the 合计 row is dropped
    }
    dates = ledger.customers.set_index("customer")["first_date"].dt.date.to_dict()
    # a real date, the serial 45356, and text
    assert dates == {"A": dt.date(2024, 3, 5), "B": dt.date(2024, 3, 5), "C": dt.date(2024, 3, 6)}


@pytest.mark.parametrize("sheet", ["2", "订单"])
def test_excel_sheet_by_number_or_name(orders_xlsx: Path, sheet: str) -> None:
    assert open_source(str(orders_xlsx), ReadOptions(sheet=sheet)).sheet == "订单"


def test_excel_sheet_errors(orders_xlsx: Path) -> None:
    with pytest.raises(DataError, match="sheet 'Empty' is empty"):
        open_source(str(orders_xlsx), ReadOptions(sheet="1"))
    with pytest.raises(UsageError, match="no sheet 'Nope'; the sheets are Empty, 订单"):
        open_source(str(orders_xlsx), ReadOptions(sheet="Nope"))
    with pytest.raises(UsageError, match="no sheet '3'"):
        open_source(str(orders_xlsx), ReadOptions(sheet="3"))


def test_excel_workbook_without_data(tmp_path: Path, make_workbook: Workbook) -> None:
    path = make_workbook(tmp_path / "blank.xlsx", {"A": [], "B": []})
    with pytest.raises(DataError, match="no sheet holds data"):
        open_source(str(path), ReadOptions())


def test_excel_row_numbers_in_errors(tmp_path: Path, make_workbook: Workbook, load_ledger: Loader) -> None:
    # The table starts in B5 under a title in B3; the bad amount is in sheet row 8.
    rows: list[list[Any]] = [[], [], [None, "title"], [],
                             [None, "Customer", "Date", "Amount"],
                             [None, "a", "2024-01-01", 5], [], [None, "b", "2024-01-01", "oops"]]
    path = make_workbook(tmp_path / "offset.xlsx", {"S": rows})
    with pytest.raises(DataError, match=r"offset\.xlsx row 8: 'oops' is not a number in column Amount"):
        load_ledger(path)


def test_broken_workbook(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(DataError, match=r"broken\.xlsx: cannot open this workbook"):
        open_source(str(path), ReadOptions())


# -- Parquet, stdin, several files ----------------------------------------------------------
def test_parquet(tmp_path: Path, parquet_bytes: bytes, load_ledger: Loader) -> None:
    path = tmp_path / "orders.parquet"
    path.write_bytes(parquet_bytes)
    source = open_source(str(path), ReadOptions())
    assert (source.format, source.headers) == ("parquet", ["customer", "date", "amount"])
    assert summary(load_ledger(path))["revenue"] == 3.75


def test_parquet_with_list_values(tmp_path: Path, load_ledger: Loader) -> None:
    import pandas as pd

    path = tmp_path / "nested.parquet"
    pd.DataFrame({"customer": [["a"]], "date": ["2024-01-01"], "amount": [1.0]}).to_parquet(path)
    with pytest.raises(DataError, match=r"nested\.parquet: column customer holds list"):
        load_ledger(path)


def test_stdin_csv(monkeypatch: pytest.MonkeyPatch, messy: Callable[[str], str], load_ledger: Loader) -> None:
    monkeypatch.setattr(sys, "stdin", FakeStdin(Path(messy("gbk.csv")).read_bytes()))
    ledger = load_ledger("-")
    assert ledger.sources[0].name == "-"
    assert ledger.sources[0].encoding == "gb18030"
    assert summary(ledger)["revenue"] == 155.75


def test_stdin_parquet_and_excel(monkeypatch: pytest.MonkeyPatch, parquet_bytes: bytes, orders_xlsx: Path,
                                 load_ledger: Loader) -> None:
    monkeypatch.setattr(sys, "stdin", FakeStdin(parquet_bytes))
    assert summary(load_ledger("-"))["revenue"] == 3.75
    monkeypatch.setattr(sys, "stdin", FakeStdin(orders_xlsx.read_bytes()))
    assert summary(load_ledger("-"))["revenue"] == 30.40


def test_stdin_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", FakeStdin(b""))
    with pytest.raises(DataError, match="stdin: no data"):
        open_source("-", ReadOptions())


def test_several_files_are_read_as_one(tmp_path: Path, messy: Callable[[str], str], orders_xlsx: Path,
                                       parquet_bytes: bytes, load_ledger: Loader) -> None:
    parquet = tmp_path / "orders.parquet"
    parquet.write_bytes(parquet_bytes)
    ledger = load_ledger(messy("gbk.csv"), orders_xlsx, parquet)
    assert [s.format for s in ledger.sources] == ["csv", "excel", "parquet"]
    # 155.75 + 30.40 + 3.75 = 189.90; customers 2 + 3 + 2 = 7, all different
    assert summary(ledger) == {
        "rows": 3 + 4 + 2, "lines": 3 + 3 + 2, "dropped": {"totals / subtotal lines": 1},
        "customers": 7, "revenue": 189.90,
    }


# -- row numbers in errors --------------------------------------------------------------------
def test_bad_value_names_file_line_column_and_value(messy: Callable[[str], str], load_ledger: Loader) -> None:
    # Line 9 of the file: a title line, a row of commas, the header, a record over two
    # lines, an empty line and a row of commas come before it.
    with pytest.raises(DataError) as caught:
        load_ledger(messy("bad_line.csv"))
    message = str(caught.value)
    assert message.startswith(f"{messy('bad_line.csv')} line 9: '12x' is not a number in column Amount")
    assert message.endswith("(--skip-bad-rows skips such rows and counts them)")


def test_line_numbers_with_crlf_and_quoted_newlines(tmp_path: Path, load_ledger: Loader) -> None:
    path = tmp_path / "win.csv"
    # the record of customer a spans lines 4-6, line 7 is empty, the bad value is on line 8
    lines = ["Title", "", "Customer,Date,Amount,Note", 'a,2024-01-01,1,"x', "y", 'z"', "",
             "b,2024-01-02,bad,ok"]
    path.write_bytes("\r\n".join(lines).encode() + b"\r\n")
    with pytest.raises(DataError, match=r"win\.csv line 8: 'bad' is not a number"):
        load_ledger(path)


def test_line_number_of_a_record_over_several_lines_is_its_first_line(tmp_path: Path,
                                                                      load_ledger: Loader) -> None:
    path = tmp_path / "multi.csv"
    path.write_text('Customer,Date,Amount,Note\na,2024-01-01,1,ok\nb,2024-01-02,bad,"one\ntwo"\n')
    with pytest.raises(DataError, match=r"multi\.csv line 3: 'bad'"):
        load_ledger(path)


@pytest.mark.parametrize(("text", "line", "fields"), [
    ("Customer,Date,Amount\na,2024-01-01,1\nb,2024-01-02,2,3\n", 3, 4),
    ("Customer,Date,Amount\na,2024-01-01,1\nb,2024-01-02\n", 3, 2),
    ('Customer,Date,Amount\n"a,2024-01-01,1\nb,2024-01-02,2\n', 2, 1),  # a quote never closed
    ('T\n\nCustomer,Date,Amount,N\na,2024-01-01,1,"x\ny"\n\nb,2024-01-02\n', 7, 2),
])
def test_row_of_the_wrong_width(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, load_ledger: Loader,
                                text: str, line: int, fields: int) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text(text)
    # Arrow prints an exception raised inside its row callback as "Exception ignored";
    # none may get there.
    ignored: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", ignored.append)
    with pytest.raises(DataError) as caught:
        load_ledger(path)
    assert re.search(f"ragged\\.csv line {line}: {fields} fields where the header has", str(caught.value))
    assert "--skip-bad-rows" in str(caught.value)
    assert ignored == []


def test_rows_of_the_wrong_width_are_counted_when_skipped(messy: Callable[[str], str],
                                                         load_ledger: Loader) -> None:
    ledger = load_ledger(messy("bad_rows.csv"), skip_bad_rows=True)
    assert ledger.stats().dropped["rows of the wrong width"] == 1


def test_a_prefetched_workbook_reads_as_one_opened_late(tmp_path: Path) -> None:
    from tests.conftest import write_workbook

    sheet = [["customer", "date", "amount"], ["C1", dt.datetime(2024, 1, 5), 10.5], ["C2", None, ""]]
    book = write_workbook(tmp_path / "book.xlsx", {"Orders": sheet, "Other": [["x"], [1]]})
    expected = open_source(str(book), ReadOptions())._excel_rows
    read.prefetch_workbook(["abc", "--lang", "zh", str(book)])
    assert str(book.resolve()) in read._PREFETCHED
    source = open_source(str(book), ReadOptions())
    assert source._excel_rows == expected
    assert not read._PREFETCHED  # used once
    # Another sheet than the prefetched one is parsed as ever.
    read.prefetch_workbook([str(book)])
    assert open_source(str(book), ReadOptions(sheet="Other")).sheet == "Other"
    read._PREFETCHED.clear()


def test_a_prefetch_that_fails_leaves_the_error_to_the_open(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"not a zip archive at all" * 10)
    read.prefetch_workbook([str(broken)])
    with pytest.raises(DataError, match=r"broken\.xlsx: cannot open this workbook"):
        open_source(str(broken), ReadOptions())
    read._PREFETCHED.clear()
