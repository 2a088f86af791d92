"""kamtool.io.guard: hostile workbooks are refused from the zip directory and a bounded
scan, before any parser; honest ones pass.  Every hostile file here is built in the test,
a few KB on disk (the 50 MB member is a stream of zeros, never held in memory)."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from kamtool.errors import DataError, ExitStatus
from kamtool.io.guard import (
    Limits,
    check_csv_line_limit,
    check_workbook,
    column_letters,
    column_number,
    first_long_line,
)

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)
WORKBOOK = (
    f'<workbook {NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="订单" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
HEADER_ROWS = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>customer</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>amount</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c><c r="B2"><v>5</v></c></row>'
)


def book(sheet_data: str, *, dimension: str | None = None, shared: str | None = None,
         extra: dict[str, str] | None = None) -> bytes:
    """A minimal .xlsx: one sheet '订单' with ``sheet_data`` inside <sheetData>."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>{dim}<sheetData>{sheet_data}'
             "</sheetData></worksheet>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared is not None:
            archive.writestr("xl/sharedStrings.xml", f'<sst {NS}><si><t>{shared}</t></si></sst>')
        for member, text in (extra or {}).items():
            archive.writestr(member, text)
    return buffer.getvalue()


def refused(data: bytes | Path, limits: Limits | None = None) -> str:
    with pytest.raises(DataError) as caught:
        check_workbook(data, "orders.xlsx", limits)
    message = str(caught.value)
    assert message.startswith("orders.xlsx: ") and "\n" not in message
    assert caught.value.exit_status == ExitStatus.ERROR
    return message


def test_an_honest_xlsxwriter_workbook_passes(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "orders.xlsx"
    workbook = xlsxwriter.Workbook(str(path))  # shared strings, as Excel writes them
    sheet = workbook.add_worksheet("订单")
    sheet.write_row(0, 0, ["客户", "订单日期", "金额"])
    for r in range(1, 2001):
        sheet.write_row(r, 0, [f"客户{r % 37}", "2024-01-01", r * 1.5])
    sheet.write(2001, 0, "长" * 32_767)  # Excel's own limit, exactly: still fine
    workbook.close()
    check_workbook(path, "orders.xlsx")
    check_workbook(path.read_bytes(), "-")


def test_a_declared_full_sheet_is_refused_before_any_parse() -> None:
    message = refused(book(HEADER_ROWS, dimension="A1:XFD1048576"))
    assert "sheet '订单' declares A1:XFD1048576" in message
    assert "17,179,869,184 cells" in message and "--max-cells" in message


def test_one_cell_at_xfd1048576_without_a_dimension_is_refused() -> None:
    data = book(HEADER_ROWS + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    message = refused(data)
    assert "spans A1:XFD1048576" in message and "--max-cells" in message


def test_a_stray_cell_at_xfd3000_is_refused_as_sparse_unless_max_cells_is_given() -> None:
    data = book(HEADER_ROWS + '<row r="3000"><c r="XFD3000"><v>1</v></c></row>', dimension="A1:XFD3000")
    message = refused(data)
    # 3000 rows x 16384 columns = 49,152,000 cells holding 5 cells (4 header/data + the stray one)
    assert "declares A1:XFD3000, 49,152,000 cells, but holds only 5" in message
    assert "--max-cells 49152000" in message
    check_workbook(data, "orders.xlsx", Limits(max_cells=49_152_000))


def test_a_cell_placed_far_below_its_own_row_counts() -> None:
    data = book(HEADER_ROWS + '<row r="3"><c r="A4000000"><v>1</v></c></row>')
    assert "4,000,000 rows" in refused(data)
    wide = book(HEADER_ROWS + '<row r="3"><c r="AB2000000"><v>1</v></c></row>')
    assert "spans A1:AB2000000, 2,000,000 rows" in refused(wide)


def test_a_wide_honest_sheet_passes_and_its_extent_is_exact() -> None:
    import zipfile as zf

    from kamtool.io.guard import scan_sheet

    columns = ("A", "Z", "AA", "AN")
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{col}{r}"><v>1</v></c>' for col in columns) + "</row>"
                   for r in range(1, 3001))
    data = book(rows)
    check_workbook(data, "orders.xlsx")
    handle = io.BytesIO(data)
    info = zf.ZipFile(handle).getinfo("xl/worksheets/sheet1.xml")
    scan = scan_sheet(handle, info, "orders.xlsx", Limits())
    assert (scan.min_row, scan.min_col, scan.max_row, scan.max_col) == (1, 1, 3000, 40)  # AN = 40
    assert (scan.cells, scan.rows) == (12_000, 3000)


def test_rows_beyond_excels_are_refused_and_max_rows_raises_the_limit() -> None:
    data = book(HEADER_ROWS, dimension="A1:B1048577")
    message = refused(data)
    assert "declares A1:B1048577, 1,048,577 rows, more than the limit of 1,048,576" in message
    assert "--max-rows" in message
    check_workbook(data, "orders.xlsx", Limits(max_rows=2_000_000))
    real = book(HEADER_ROWS + '<row r="1048577"><c r="A1048577"><v>1</v></c></row>')
    assert "spans A1:B1048577" in refused(real)


def test_columns_beyond_xfd_are_refused() -> None:
    assert "16,385 columns" in refused(book(HEADER_ROWS + '<row r="3"><c r="XFE3"><v>1</v></c></row>'),
                                       Limits(max_cells=10**12))


def test_namespaced_cells_and_rows_are_seen() -> None:
    sheet = (f'<?xml version="1.0"?><x:worksheet xmlns:x="{NS[7:-1]}"><x:sheetData>'
             '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>'
             '<x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    data = book("", extra={"xl/worksheets/sheet2.xml": sheet})
    assert "A1:XFD1048576" in refused(data)


@pytest.mark.parametrize(("text", "ok"), [
    ("x" * 32_767, True),
    ("x" * 32_768, False),
    ("长" * 30_000, True),  # 90,000 bytes of UTF-8, 30,000 characters
    ("&amp;" * 32_000, True),  # 160,000 bytes, 32,000 characters
    ("&amp;" * 32_768, False),
])
def test_a_shared_string_over_32767_characters_is_refused(text: str, ok: bool) -> None:
    data = book(HEADER_ROWS, shared=text)
    if ok:
        check_workbook(data, "orders.xlsx")
    else:
        message = refused(data)
        assert "a shared string holds 32,768 characters" in message and "--max-cell-chars" in message


def test_a_long_inline_string_is_refused_and_the_limit_can_be_raised() -> None:
    data = book(HEADER_ROWS + f'<row r="3"><c r="A3" t="inlineStr"><is><t>{"y" * 40_000}</t></is></c></row>')
    assert "a cell of sheet '订单' holds 40,000 characters" in refused(data)
    check_workbook(data, "orders.xlsx", Limits(max_cell_chars=50_000))


def test_a_100_mb_cell_is_found_without_inflating_the_whole_member(tmp_path: Path) -> None:
    path = tmp_path / "orders.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(f"<sst {NS}><si><t>".encode())
            block = b"z" * (1 << 20)
            for _ in range(100):
                member.write(block)
            member.write(b"</t></si></sst>")
    assert path.stat().st_size < 1 << 20
    assert "more than the limit of 32,767" in refused(path)


def _bomb(path: Path, megabytes: int = 50) -> Path:
    """A member of ``megabytes`` MB of zeros, written a MB at a time (about 50 KB on disk)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK)
        with archive.open("xl/media/blob.bin", "w") as member:
            block = bytes(1 << 20)
            for _ in range(megabytes):
                member.write(block)
    return path


def test_uncompressed_size_and_ratio_from_the_directory(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "orders.xlsx")
    check_workbook(path, "orders.xlsx")  # 50 MB is fine by default, whatever the ratio
    message = refused(path, Limits(max_uncompressed=32 << 20))
    assert "member xl/media/blob.bin expands to 50.0 MiB, more than the limit of 32.0 MiB" in message
    assert "--max-input-size" in message
    ratio = refused(path, Limits(ratio_floor=16 << 20))
    assert "-fold" in ratio and "zip bomb" in ratio


def _lie_about_size(data: bytes, member: str, declared: int) -> bytes:
    """The archive with ``member``'s uncompressed size set to ``declared`` in both headers."""
    out = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    struct.pack_into("<I", out, info.header_offset + 22, declared)  # local header
    central = out.find(b"PK\x01\x02")
    while central >= 0:
        name_len = struct.unpack_from("<H", out, central + 28)[0]
        if bytes(out[central + 46: central + 46 + name_len]).decode() == member:
            struct.pack_into("<I", out, central + 24, declared)
            break
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def test_a_member_that_inflates_to_more_than_declared_is_refused() -> None:
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 5001))
    honest = book(rows)
    assert zipfile.ZipFile(io.BytesIO(honest)).getinfo("xl/worksheets/sheet1.xml").file_size > 100_000
    forged = _lie_about_size(honest, "xl/worksheets/sheet1.xml", 1000)
    assert zipfile.ZipFile(io.BytesIO(forged)).getinfo("xl/worksheets/sheet1.xml").file_size == 1000
    message = refused(forged)
    assert "inflates to more than the 1,000 bytes the archive declares" in message


def test_what_is_not_a_workbook_is_left_to_the_reader(tmp_path: Path) -> None:
    check_workbook(b"customer,amount\na,1\n", "x.csv")
    check_workbook(b"PK\x03\x04 broken", "x.xlsx")
    check_workbook(tmp_path / "missing.xlsx", "missing.xlsx")


def test_xls_is_checked_by_its_size_only() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000)
    check_workbook(ole, "old.xls")
    with pytest.raises(DataError, match="old.xls: 2,008 bytes, more than the limit of 1,000 bytes"):
        check_workbook(ole, "old.xls", Limits(max_uncompressed=1000))


def test_column_letters_round_trip() -> None:
    assert [column_number(x) for x in ("A", "Z", "AA", "XFD")] == [1, 26, 27, 16_384]
    assert [column_letters(n) for n in (1, 26, 27, 702, 703, 16_384)] == ["A", "Z", "AA", "ZZ", "AAA", "XFD"]


# -- CSV lines longer than Arrow's block -----------------------------------------------------
def _arrow_error(data: bytes, block: int) -> Exception:
    from pyarrow import csv as pacsv

    with pytest.raises(Exception) as caught:  # noqa: PT011 - whatever Arrow raises, mapped below
        for _ in pacsv.open_csv(io.BytesIO(data), read_options=pacsv.ReadOptions(block_size=block),
                                parse_options=pacsv.ParseOptions(newlines_in_values=True)):
            pass
    return caught.value


def test_arrows_straddling_error_names_the_long_line() -> None:
    data = b"customer,amount\na,1\n" + b"b" * 5000 + b",2\nc,3\n"
    exc = _arrow_error(data, 2048)
    assert "straddling" in str(exc)
    with pytest.raises(DataError) as caught:
        check_csv_line_limit(exc, "orders.csv", data, block_bytes=2048)
    assert str(caught.value) == ("orders.csv line 3: the line is longer than 2,048 bytes, the most one CSV "
                                 "row may hold; is it a CSV export?")


def test_an_unclosed_quote_is_reported_as_a_long_field() -> None:
    data = b'customer,amount\n"a,1\n' + b"b,2\n" * 2000
    exc = _arrow_error(data, 2048)
    with pytest.raises(DataError, match="orders.csv: a field is longer than 2,048 bytes.*never closed"):
        check_csv_line_limit(exc, "orders.csv", data, block_bytes=2048)


def test_other_arrow_errors_are_left_alone() -> None:
    check_csv_line_limit(ValueError("CSV parse error: Expected 3 columns"), "x.csv")  # raises nothing


def test_first_long_line_across_read_chunks(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"h\n" * 3 + b"x" * ((1 << 20) + 10) + b"\nend\n")
    assert first_long_line(path, 1 << 20) == 4
    assert first_long_line(path, 2 << 20) is None


# -- the scan after the first MiB: three passes a chunk, the exact patterns on any outlier -------
def long_rows(first: int, last: int) -> str:
    """Honest rows A..C, about 120 bytes each: 30,000 of them are 3.5 MiB, several chunks."""
    return "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>C{r % 97:03d} Ltd</t></is></c>'
                   f'<c r="B{r}"><v>45356</v></c><c r="C{r}"><v>{r}.5</v></c></row>'
                   for r in range(first, last + 1))


def test_a_long_honest_sheet_passes_and_its_extent_and_counts_are_exact() -> None:
    import zipfile as zf

    from kamtool.io.guard import CHUNK, scan_sheet

    data = book(long_rows(1, 30_000), dimension="A1:C30000")
    handle = io.BytesIO(data)
    info = zf.ZipFile(handle).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size > 3 * CHUNK
    scan = scan_sheet(handle, info, "orders.xlsx", Limits())
    assert (scan.min_row, scan.min_col, scan.max_row, scan.max_col) == (1, 1, 30_000, 3)
    assert (scan.cells, scan.rows) == (90_000, 30_000)
    check_workbook(data, "orders.xlsx")


@pytest.mark.parametrize(("stray", "expected"), [
    ('<c r="XFD20000"><v>1</v></c>', "spans A1:XFD30000"),  # a column far right, mid-sheet
    ('<c r="Q20000"><v>1</v></c>', "spans A1:Q30000"),  # one letter beyond C
    ('<c r="A4000000"><v>1</v></c>', "4,000,000 rows"),  # a cell far below its row
])
def test_a_stray_cell_deep_in_a_long_sheet_is_seen(stray: str, expected: str) -> None:
    from kamtool.io.guard import scan_sheet

    rows = long_rows(1, 19_999) + f'<row r="20000">{stray}</row>' + long_rows(20_001, 30_000)
    data = book(rows, dimension="A1:C30000")  # the dimension lies: the scan does not trust it
    if "XFD" in expected or "rows" in expected:
        assert expected in refused(data)
    else:
        import zipfile as zf

        handle = io.BytesIO(data)
        scan = scan_sheet(handle, zf.ZipFile(handle).getinfo("xl/worksheets/sheet1.xml"), "x", Limits())
        assert (scan.max_col, scan.max_row) == (17, 30_000)  # Q = 17


def test_a_row_out_of_order_beyond_excels_rows_deep_in_a_long_sheet_is_refused() -> None:
    rows = long_rows(1, 19_999) + '<row r="2000000"/>' + long_rows(20_000, 30_000)
    assert "2,000,000 rows" in refused(book(rows))


def test_a_lying_dimension_does_not_hide_the_512_gib_cell() -> None:
    # calamine sizes its grid by the cells it reads, not by <dimension>: the guard reads them too.
    data = book(HEADER_ROWS + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', dimension="A1:B2")
    assert "spans A1:XFD1048576" in refused(data)


def test_a_file_is_scanned_once_by_the_prefetch_and_the_open(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from kamtool.io import guard

    scans: list[str] = []
    real = guard.scan_sheet

    def counted(*args: object, **kwargs: object) -> guard.SheetScan:
        scans.append("scan")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(guard, "scan_sheet", counted)
    path = tmp_path / "orders.xlsx"
    path.write_bytes(book(long_rows(1, 100)))
    check_workbook(path, "orders.xlsx")
    check_workbook(path, "orders.xlsx")
    assert len(scans) == 1
    # a raised row limit is applied to the same scan; a lower one refuses from it
    assert "--max-rows" in refused(path, Limits(max_rows=50))
    assert len(scans) == 1
    # another file at the same path is scanned again, and so is the same file under another text limit
    path.write_bytes(book(long_rows(1, 100) + '<row r="1048577"><c r="A1048577"><v>1</v></c></row>'))
    os.utime(path, ns=(1, 1))
    assert "1,048,577 rows" in refused(path)
    check_workbook(path, "orders.xlsx", Limits(max_rows=2_000_000, max_cell_chars=40_000))
    assert len(scans) == 3
