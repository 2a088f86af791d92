"""Open any order export as a stream of raw Arrow batches.

A :class:`Source` knows its format, encoding, delimiter, sheet and header row,
and yields the requested columns in batches together with the index of each
batch's first data row, so that an error can name the row as the user sees it
in the file.  Nothing here interprets values; :mod:`kamtool.io.clean` does.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import operator
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kamtool.errors import DataError, UsageError
from kamtool.io.columns import score_header_row
from kamtool.io.guard import CSV_BLOCK_BYTES, Limits, check_csv_line_limit, check_workbook

if TYPE_CHECKING:
    import pyarrow as pa

CSV_SUFFIXES = {".csv", ".tsv", ".txt", ".tab", ".dat"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
DELIMITERS = (",", ";", "\t", "|")
SAMPLE_BYTES = 1 << 20
HEADER_SEARCH_ROWS = 50
BATCH_ROWS = 1 << 18  # lines per batch: small enough to keep a few in flight cheaply
# Chinese encodings whose multi-byte characters never hold a byte below 0x30: no comma, semicolon,
# tab, quote or line break inside a character (a '|' can be one's second byte: not in this list).
GB_ENCODINGS = {"gb18030", "gbk", "gb2312"}
GB_SAFE_DELIMITERS = {",", ";", "\t"}


@dataclass
class ReadOptions:
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int | None = None  # 1-based row number of the header, as the user sees it
    expected_headers: tuple[str, ...] = ()  # --col headers that must be found in the header row
    kind: str = "orders"  # whose synonyms find the header row: orders, accounts or payments
    limits: Limits = field(default_factory=Limits)  # what a workbook may hold (--max-rows …)


@dataclass
class Source:
    """One input file (or stdin), sniffed and ready to stream."""

    name: str  # as the user gave it, for messages
    format: str  # csv | excel | parquet
    headers: list[str]
    header_row: int | None = None  # 1-based; None for Parquet
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    path: Path | None = None
    data: bytes | None = None  # stdin content
    size: int = 0  # bytes
    skip_bad_rows: bool = False
    ragged_rows: int = 0  # rows of the wrong width skipped under --skip-bad-rows
    _ragged: tuple[int, int, str] | None = field(default=None, repr=False)
    _excel_rows: list[list[Any]] | None = field(default=None, repr=False)
    _line_map: list[int] | None = field(default=None, repr=False)

    # -- streaming -----------------------------------------------------------------
    def batches(self, columns: Sequence[str]) -> Iterator[tuple[pa.Table, int]]:
        """Yield ``(table of the requested headers, index of the first data row)``."""
        if self.format == "csv":
            yield from self._csv_batches(columns)
        elif self.format == "excel":
            yield from self._excel_batches(columns)
        else:
            yield from self._parquet_batches(columns)

    def _open_binary(self) -> Any:
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        return open(self.path, "rb")  # noqa: SIM115 - closed by the caller's reader

    def _csv_batches(self, columns: Sequence[str]) -> Iterator[tuple[pa.Table, int]]:
        if not self._gb_bytes_readable():
            yield from self._csv_text_batches(columns)
            return
        # A GB18030/GBK file parsed as bytes, each column's distinct values decoded (a few thousand
        # names and regions, not a gigabyte of text through Python's codec). Anything unusual (a
        # byte that is not GB18030, a row of the wrong width, a parse error) starts the file over on
        # the transcoding path, which then says what it always said, from the line where this stopped.
        done = 0
        try:
            for table, offset in self._csv_gb_batches(columns):
                yield table, offset
                done = offset + table.num_rows
            return
        except _ReadAsText:
            pass
        self.ragged_rows, self._ragged = 0, None
        for table, offset in self._csv_text_batches(columns):
            end = offset + table.num_rows
            if end <= done:
                continue
            if offset < done:
                table, offset = table.slice(done - offset), done
            yield table, offset

    def _gb_bytes_readable(self) -> bool:
        import codecs

        try:
            name = codecs.lookup(self.encoding or "utf-8").name
        except LookupError:
            return False
        return name in GB_ENCODINGS and (self.delimiter or ",") in GB_SAFE_DELIMITERS

    def _csv_gb_batches(self, columns: Sequence[str]) -> Iterator[tuple[pa.Table, int]]:
        import codecs

        import pyarrow as pa
        from pyarrow import csv as pacsv

        assert self.header_row is not None
        names = _unique_names(self.headers)
        wanted = [names[self.headers.index(c)] for c in columns]
        encoding = codecs.lookup(self.encoding or "gb18030").name
        read_opts = pacsv.ReadOptions(skip_rows=self.header_row, column_names=names,
                                      block_size=CSV_BLOCK_BYTES, use_threads=True)
        # No handler for rows of the wrong width: pyarrow would hand it their text decoded as UTF-8,
        # which fails (and prints) on GB18030; Arrow raises instead and the text path takes over.
        parse_opts = pacsv.ParseOptions(delimiter=self.delimiter or ",", newlines_in_values=True,
                                        ignore_empty_lines=True)
        # Every column, as the transcoding path decodes every byte: a bad byte anywhere is an error.
        convert_opts = pacsv.ConvertOptions(column_types={n: pa.binary() for n in names},
                                            strings_can_be_null=False, quoted_strings_can_be_null=False)
        offset = 0
        with self._open_binary() as handle:
            # The lines above the header (a title) are decoded too, as the transcoding path does.
            try:
                b"".join(handle.readline() for _ in range(self.header_row)).decode(encoding)
            except UnicodeDecodeError:
                raise _ReadAsText from None
            handle.seek(0)
            try:
                reader = pacsv.open_csv(handle, read_options=read_opts, parse_options=parse_opts,
                                        convert_options=convert_opts)
                for batch in reader:
                    decoded = {n: _gb_text(batch.column(n), encoding, keep=n in wanted) for n in names}
                    table = pa.table([decoded[n] for n in wanted], names=list(columns))
                    yield table, offset
                    offset += batch.num_rows
            except StopIteration:
                return
            except pa.ArrowInvalid:
                raise _ReadAsText from None

    def _csv_text_batches(self, columns: Sequence[str]) -> Iterator[tuple[pa.Table, int]]:
        import pyarrow as pa
        from pyarrow import csv as pacsv

        assert self.header_row is not None
        names = _unique_names(self.headers)
        wanted = [names[self.headers.index(c)] for c in columns]
        read_opts = pacsv.ReadOptions(
            skip_rows=self.header_row,  # physical lines up to the header, blank ones included
            column_names=names,
            block_size=CSV_BLOCK_BYTES,
            encoding=_arrow_encoding(self.encoding),
            use_threads=True,
        )
        parse_opts = pacsv.ParseOptions(
            delimiter=self.delimiter or ",",
            newlines_in_values=True,
            ignore_empty_lines=True,
            invalid_row_handler=self._ragged_row,
        )
        convert_opts = pacsv.ConvertOptions(
            include_columns=wanted,
            column_types={n: pa.string() for n in wanted},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )
        offset = 0
        with self._open_binary() as handle:
            try:
                reader = pacsv.open_csv(
                    handle, read_options=read_opts, parse_options=parse_opts,
                    convert_options=convert_opts,
                )
                for batch in reader:
                    table = pa.Table.from_batches([batch]).rename_columns(list(columns))
                    yield table, offset
                    offset += batch.num_rows
            except StopIteration:
                return
            except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
                if self._ragged is not None:
                    raise self._ragged_error() from None
                # A line or quoted field longer than a block: said in the user's terms.
                check_csv_line_limit(exc, self.name, self.path if self.path is not None else self.data,
                                     CSV_BLOCK_BYTES)
                raise _csv_read_error(self, exc) from None

    def _excel_batches(self, columns: Sequence[str]) -> Iterator[tuple[pa.Table, int]]:
        import pyarrow as pa

        assert self._excel_rows is not None and self.header_row is not None
        rows = self._excel_rows
        start = self.header_row  # rows[start] is the first data row (0-based list index)
        indices = [self.headers.index(c) for c in columns]
        body = rows[start:]
        try:  # each needed column picked in C; calamine's rows are all as wide as the sheet
            by_column = {i: list(map(operator.itemgetter(i), body)) for i in set(indices)}
        except IndexError:  # a short row: pad with empty cells
            padded = list(itertools.zip_longest(*body, fillvalue=None))
            by_column = {i: list(padded[i]) if i < len(padded) else [None] * len(body) for i in set(indices)}
        for lo in range(0, len(body), BATCH_ROWS):
            arrays = [_excel_column(by_column[i][lo : lo + BATCH_ROWS]) for i in indices]
            yield pa.table(arrays, names=list(columns)), lo

    def _parquet_batches(self, columns: Sequence[str]) -> Iterator[tuple[pa.Table, int]]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        offset = 0
        try:
            pf = pq.ParquetFile(self._open_binary())
            for column in columns:
                kind = pf.schema_arrow.field(column).type
                if pa.types.is_nested(kind):
                    raise DataError.said("error.read.column_holds_values_not", name=self.name, column=column,
                                         kind=kind)
            for batch in pf.iter_batches(batch_size=BATCH_ROWS, columns=list(columns)):
                table = pa.Table.from_batches([batch])
                arrays = [_parquet_plain(self.name, c, table[c], offset) for c in columns]
                yield pa.table(arrays, names=list(columns)), offset
                offset += batch.num_rows
        except (pa.ArrowException, OSError, ValueError) as exc:  # ValueError: names not UTF-8
            raise DataError.said("error.read.cannot_read_parquet_file", name=self.name, exc=exc) from None

    def _ragged_row(self, row: Any) -> str:
        # A row of the wrong width (a missing quote, a stray delimiter) cannot be
        # read safely.  It is an error naming the line, or under --skip-bad-rows a
        # counted drop: never a silent one.  A line of spaces is an empty line, which
        # Arrow skips anyway.  The error is raised by the caller: an exception raised
        # inside Arrow's callback is printed with a traceback and swallowed.
        if not row.text.strip():
            return "skip"
        if self.skip_bad_rows:
            self.ragged_rows += 1
            return "skip"
        if self._ragged is None:
            self._ragged = (row.actual_columns, row.expected_columns, row.text)
        return "error"

    def _ragged_error(self) -> DataError:
        assert self._ragged is not None
        actual, expected, text = self._ragged
        line = self._first_ragged_line(expected)
        if line is None:
            return DataError.said("error.read.ragged_row", name=self.name, actual=actual, expected=expected,
                                  text=text[:80])
        return DataError.said("error.read.ragged_line", name=self.name, line=line, actual=actual,
                              expected=expected, text=text[:80])

    def _first_ragged_line(self, expected: int) -> int | None:
        # Arrow does not know line numbers when values may hold newlines; find the
        # first record of the wrong width the way Python's csv module reads it.
        for start, row in self._csv_records():
            if len(row) != expected:
                return start
        return None

    # -- row numbers -----------------------------------------------------------------
    def row_label(self, data_index: int) -> str:
        """The row as the user finds it: 'line 1,204' (CSV) or 'row 17' (Excel)."""
        if self.format == "excel":
            assert self.header_row is not None
            return f"row {self.header_row + 1 + data_index:,}"
        if self.format == "parquet":
            return f"row {data_index + 1:,}"
        return f"line {self.csv_line(data_index):,}"

    def csv_line(self, data_index: int) -> int:
        """Physical line number of a data row (slow path, for error messages)."""
        if self._line_map is None or data_index >= len(self._line_map):
            # Scanned only as far as the row asked for: the first lines of a big file are cheap.
            self._line_map = [start for start, _row in itertools.islice(self._csv_records(), data_index + 1)]
        if data_index < len(self._line_map):
            return self._line_map[data_index]
        return (self.header_row or 0) + 1 + data_index

    def _csv_records(self) -> Iterator[tuple[int, list[str]]]:
        """Data records after the header and the physical line each starts on.

        Python's csv module follows quoted newlines; ``line_num`` is the line a
        record ends on, so a record starts on the line after the previous one ended.
        Empty lines and lines of spaces produce no record, as in the Arrow reader.
        """
        assert self.header_row is not None
        with self._open_binary() as raw:
            # Only line numbers are wanted here: a bad byte must not hide the error.
            text = io.TextIOWrapper(raw, encoding=_python_encoding(self.encoding), errors="replace",
                                    newline="")
            reader = csv.reader(text, delimiter=self.delimiter or ",")
            previous_end = 0
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error:  # an unterminated quote or an oversized field
                    if previous_end >= self.header_row:
                        yield previous_end + 1, []
                    return
                start, previous_end = previous_end + 1, reader.line_num
                if start > self.header_row and row and not (len(row) == 1 and not row[0].strip()):
                    yield start, row


class _ReadAsText(Exception):
    """The bytes path cannot go on: the file is read again, transcoded (see Source._csv_batches)."""


def _gb_text(column: pa.Array, encoding: str, *, keep: bool) -> pa.Array | None:
    """A column of GB18030/GBK bytes as text; None when it is only checked (``keep`` False).

    ASCII is the same text in both encodings; other columns are decoded one distinct value at
    a time. A value that is not in ``encoding`` raises _ReadAsText.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    data = column.buffers()[2]
    if data is None or data.size == 0 or int(np.frombuffer(data, np.uint8).max()) < 0x80:
        return column.cast(pa.string()) if keep else None
    coded = pc.dictionary_encode(column)
    try:
        words = [None if v is None else v.decode(encoding) for v in coded.dictionary.to_pylist()]
    except UnicodeDecodeError:
        raise _ReadAsText from None
    if not keep:
        return None
    result: pa.Array = pc.take(pa.array(words, pa.string()), coded.indices)
    return result


def open_source(name: str, options: ReadOptions) -> Source:
    """Sniff one input (a path or '-') and find its header row."""
    if name == "-":
        data = sys.stdin.buffer.read()
        if not data:
            raise DataError.said("error.read.stdin_no_data_did")
        fmt = format_from_magic(data[:8]) or "csv"
        return _open(name, fmt, None, data, options)
    path = Path(name)
    if path.is_dir():
        raise UsageError.said("error.is_directory", file=name)
    if not path.exists():
        raise UsageError.said("error.no_such_file", file=name)
    suffix = path.suffix.lower()
    with open(path, "rb") as handle:
        magic = handle.read(8)
    sniffed = format_from_magic(magic)
    if sniffed is None and (suffix in EXCEL_SUFFIXES or suffix in PARQUET_SUFFIXES):
        kind = "an Excel workbook" if suffix in EXCEL_SUFFIXES else "a Parquet file"
        raise DataError.said("error.read.named_like_but_content", name=name, kind=kind)
    return _open(name, sniffed or "csv", path, None, options)


def _open(name: str, fmt: str, path: Path | None, data: bytes | None, options: ReadOptions) -> Source:
    size = len(data) if data is not None else (os.path.getsize(path) if path else 0)
    if fmt == "parquet":
        return _open_parquet(name, path, data, size)
    if fmt == "excel":
        return _open_excel(name, path, data, size, options)
    return _open_csv(name, path, data, size, options)


def open_bytes(name: str, data: bytes, options: ReadOptions) -> Source:
    """An input already in memory (a URL fetched by a Dask worker), sniffed like a file."""
    return _open(name, format_from_magic(data[:8]) or "csv", None, data, options)


def format_from_magic(magic: bytes) -> str | None:
    """"parquet" or "excel" from a file's first 8 bytes; None for text (CSV)."""
    if magic.startswith(b"PAR1"):
        return "parquet"
    if magic.startswith(b"PK\x03\x04") or magic.startswith(b"\xd0\xcf\x11\xe0"):
        return "excel"
    return None


# -- CSV ------------------------------------------------------------------------------
def _open_csv(name: str, path: Path | None, data: bytes | None, size: int, options: ReadOptions) -> Source:
    if data is not None:
        sample = data[:SAMPLE_BYTES]
    else:
        assert path is not None
        with open(path, "rb") as handle:
            sample = handle.read(SAMPLE_BYTES)
    if b"\x00" in sample[:4096] and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError.said("error.read.looks_like_binary_file", name=name)
    encoding = options.encoding or sniff_encoding(sample, truncated=len(sample) < size)
    try:
        text = sample.decode(_python_encoding(encoding), errors="strict" if len(sample) == size else "ignore")
    except (UnicodeDecodeError, LookupError) as exc:
        raise DataError.said("error.read.cannot_decode_try_encoding", name=name, encoding=encoding,
                             exc=exc) from None
    if len(sample) < size:  # drop a possibly cut last line
        text = text[: text.rfind("\n") + 1] or text
    delimiter, header_line, headers = sniff_layout(text, options, name=name)
    return Source(
        name=name, format="csv", headers=headers, header_row=header_line, encoding=encoding,
        delimiter=delimiter, path=path, data=data, size=size,
    )


def sniff_encoding(sample: bytes, *, truncated: bool = False) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK)."""
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sample's end is not evidence against UTF-8.
        if truncated and exc.start >= len(sample) - 3:
            return "utf-8"
    try:
        sample.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        return "latin-1"


def _python_encoding(encoding: str | None) -> str:
    return encoding or "utf-8"


def _arrow_encoding(encoding: str | None) -> str:
    # Arrow reads UTF-8 natively (and skips a BOM); anything else it transcodes via Python.
    if encoding in (None, "utf-8", "utf8", "utf-8-sig", "utf_8"):
        return "utf8"
    return encoding


def sniff_layout(text: str, options: ReadOptions, *, name: str) -> tuple[str, int, list[str]]:
    """Find the delimiter and the header line among title lines and blank lines.

    Each candidate delimiter splits the first lines into records; the header is
    the record that matches the most known column names (or the --col headers),
    and the delimiter whose header matches best wins.  When no record matches any
    known name, the first record as wide as the typical record is the header.
    Returns the delimiter, the header's physical line number (1-based) and the
    header cells.
    """
    candidates = [options.delimiter] if options.delimiter else list(DELIMITERS)
    best: tuple[int, int, int, str, int, list[str]] | None = None
    for delim in candidates:
        records, lines = _records(text, delim, HEADER_SEARCH_ROWS + 5)
        if not records:
            continue
        widths = [sum(1 for c in r if c.strip()) for r in records]
        typical = max(set(widths), key=widths.count)
        if options.header_row is not None:
            if options.header_row not in lines:
                raise UsageError.said("error.read.header_row_blank_past", name=name,
                                      header_row=options.header_row)
            # The header is given; the delimiter is still sniffed: the one that splits
            # that line into the most known names, then into the most cells.
            index = lines.index(options.header_row)
            score = _header_score(records[index], options.expected_headers, options.kind)
            cand = (score, widths[index], 0, delim, options.header_row, records[index])
        else:
            index, score = _best_header(records, options.expected_headers, options.kind)
            if score == 0:
                index = next((i for i, w in enumerate(widths) if w >= typical), 0)
            cand = (score, typical, -index, delim, lines[index], records[index])
        if best is None or cand[:3] > best[:3]:
            best = cand
    if best is None:
        raise DataError.said("error.read.file_empty", name=name)
    _, _, _, delim, line, header = best
    headers = _clean_headers(header)
    if len([h for h in header if h.strip()]) < 2 and options.header_row is None:
        raise DataError.said("error.read.found_no_header_row", name=name,
                             header_search_rows=HEADER_SEARCH_ROWS)
    return delim, line, headers


def _records(text: str, delim: str, limit: int) -> tuple[list[list[str]], list[int]]:
    """The first non-blank records and the physical line each ends on."""
    out: list[list[str]] = []
    lines: list[int] = []
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    try:
        for row in reader:
            if not row or not any(c.strip() for c in row):
                continue  # blank lines are not records (Arrow skips them too)
            out.append(row)
            lines.append(reader.line_num)
            if len(out) >= limit:
                break
    except csv.Error:
        pass
    return out, lines


def _best_header(records: list[list[Any]], expected: Sequence[str], kind: str = "orders") -> tuple[int, int]:
    best_index, best_score = 0, 0
    for i, row in enumerate(records[:HEADER_SEARCH_ROWS]):
        score = _header_score(row, expected, kind)
        if score > best_score:
            best_index, best_score = i, score
    return best_index, best_score


def _header_score(row: Sequence[Any], expected: Sequence[str], kind: str = "orders") -> int:
    score = score_header_row(row, kind)
    wanted = {e.strip().lower() for e in expected}
    if wanted:
        score += sum(1 for c in row if c is not None and str(c).strip().lower() in wanted)
    return score


def _clean_headers(row: Sequence[Any]) -> list[str]:
    # Empty header cells (trailing columns of ERP exports) keep a name so every
    # row keeps its width; no canonical column ever claims them.
    headers = [("" if c is None else str(c)).strip().lstrip("\ufeff") for c in row]
    return [h if h else f"column_{i + 1}" for i, h in enumerate(headers)]


def _unique_names(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        n = seen.get(h, 0)
        seen[h] = n + 1
        out.append(h if n == 0 else f"{h}.{n}")
    return out


def _csv_read_error(source: Source, exc: Exception) -> DataError:
    text = str(exc)
    if isinstance(exc, UnicodeDecodeError) or "UTF8" in text or "utf8" in text.lower():
        return DataError.said("error.read.csv_not_valid_text", name=source.name,
                              encoding=source.encoding or "UTF-8")
    if "Expected" in text and "columns" in text:
        return DataError.said("error.read.csv_row_width", name=source.name, detail=text.splitlines()[0])
    return DataError.said("error.read.cannot_read_csv", name=source.name,
                          detail=text.splitlines()[0] if text else exc)


# -- Excel ----------------------------------------------------------------------------
def _open_excel(name: str, path: Path | None, data: bytes | None, size: int, options: ReadOptions) -> Source:
    from python_calamine import CalamineWorkbook

    # Before calamine sees the file: a sheet reaching XFD1048576 makes it allocate the whole
    # rectangle (512 GiB) and abort the process; a zip bomb inflates to gigabytes.
    # A pre-parse of this file (see prefetch_workbook) checks it with the default limits before
    # it parses, and its refusal is reported by _sheet_rows: the check is not made twice.
    prefetched = path is not None and os.path.realpath(path) in _PREFETCHED
    if not (prefetched and options.limits == Limits()):
        check_workbook(path if path is not None else (data or b""), name, options.limits)
    try:
        book = (
            CalamineWorkbook.from_path(str(path)) if path is not None
            else CalamineWorkbook.from_filelike(io.BytesIO(data or b""))
        )
    except Exception as exc:  # calamine raises several error types for broken files
        raise DataError.said("error.read.cannot_open_workbook", name=name, exc=exc) from None
    sheet_names = list(book.sheet_names)
    if options.sheet is not None:
        sheet_name = _pick_sheet(name, sheet_names, options.sheet)
        rows = _sheet_rows(book, name, sheet_name, options.limits)
        if not rows:
            raise DataError.said("error.read.sheet_empty", name=name, sheet_name=sheet_name)
    else:
        sheet_name, rows = "", []
        for candidate in sheet_names:
            rows = _sheet_rows(book, name, candidate, options.limits)
            if any(any(c not in (None, "") for c in r) for r in rows[:HEADER_SEARCH_ROWS]):
                sheet_name = candidate
                break
        if not sheet_name:
            raise DataError.said("error.read.no_sheet_holds_data", name=name,
                                 sheet_names=', '.join(sheet_names))
    if options.header_row is not None:
        index = options.header_row - 1
        if index >= len(rows):
            raise UsageError.said("error.read.header_row_past_last", name=name, header_row=options.header_row)
    else:
        index, score = _best_header(rows, options.expected_headers, options.kind)
        if score == 0:
            index = next((i for i, r in enumerate(rows) if sum(c not in (None, "") for c in r) >= 2), 0)
    headers = _clean_headers(rows[index])
    return Source(
        name=name, format="excel", headers=headers, header_row=index + 1, sheet=sheet_name,
        path=path, data=data, size=size, _excel_rows=rows,
    )


def _pick_sheet(name: str, sheet_names: list[str], wanted: str) -> str:
    if wanted in sheet_names:
        return wanted
    if wanted.isdigit():
        i = int(wanted)
        if 1 <= i <= len(sheet_names):
            return sheet_names[i - 1]
    raise UsageError.said("error.read.no_sheet_sheets_are", name=name, wanted=wanted,
                          sheet_names=', '.join(sheet_names))


# A workbook parse started before the command line is even parsed (see prefetch_workbook):
# real path -> future of (first sheet's name, its rows).
_PREFETCHED: dict[str, Any] = {}


def prefetch_workbook(argv: Sequence[str]) -> None:
    """Start parsing the first sheet of the first workbook named in ``argv``, in a thread.

    calamine's parse is most of an Excel run and releases the GIL; begun before Typer
    builds the command line (a quarter of a second of imports), it runs beside that work.
    The rows are used only if the run asks for that very sheet of that very file; a
    failure here is no failure of the run, which opens the file as ever.
    """
    for arg in argv:
        if arg.startswith("-") or not os.path.isfile(arg):
            continue
        try:
            with open(arg, "rb") as handle:
                if format_from_magic(handle.read(8)) == "excel":
                    _prefetch(os.path.realpath(arg), arg)
                    return
        except OSError:
            continue


def _prefetch(path: str, name: str | None = None) -> None:
    import concurrent.futures
    import threading

    future: concurrent.futures.Future[tuple[str, list[list[Any]]]] = concurrent.futures.Future()
    _PREFETCHED[path] = future

    def parse() -> None:
        try:
            # The guard first, with the default limits (the command line is not parsed yet): a
            # refused workbook is not pre-parsed, and the real open, with the user's limits,
            # checks it again and says why (or, with a raised limit, reads it).
            check_workbook(path, name or path)
            from python_calamine import CalamineWorkbook

            book = CalamineWorkbook.from_path(path)
            sheet = book.sheet_names[0]
            future.set_result((sheet, book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)))
        except Exception as exc:  # noqa: BLE001 - the real open reports it
            future.set_exception(exc)

    threading.Thread(target=parse, name="kamtool-prefetch", daemon=True).start()


def _sheet_rows(book: Any, name: str, sheet_name: str, limits: Limits | None = None) -> list[list[Any]]:
    path = getattr(book, "path", None)
    future = _PREFETCHED.pop(os.path.realpath(path), None) if path else None
    if future is not None:
        try:
            sheet, early = future.result()
            if sheet == sheet_name:
                parsed: list[list[Any]] = early
                return parsed
        except DataError:  # the guard refused it: parsing it again could abort the process
            if (limits or Limits()) == Limits():
                raise
        except Exception:  # noqa: BLE001 - parsed again below, which reports the error
            pass
    try:
        # Keep the empty area so list index + 1 == the Excel row number.
        rows: list[list[Any]] = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        return rows
    except Exception as exc:
        raise DataError.said("error.read.cannot_read_sheet", name=name, sheet_name=sheet_name,
                             exc=exc) from None


def _excel_column(values: Sequence[Any]) -> pa.Array:
    """One Excel column as an Arrow array: numbers, dates, or else text."""
    import pyarrow as pa

    cleaned = [None if v == "" else v for v in values] if "" in values else values
    try:
        array = pa.array(cleaned)
        if pa.types.is_null(array.type) or pa.types.is_boolean(array.type):
            return array.cast(pa.string())
        return array
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([_excel_text(v) for v in cleaned], type=pa.string())


def _excel_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# -- Parquet ----------------------------------------------------------------------------
def _parquet_plain(name: str, column: str, values: pa.ChunkedArray, offset: int) -> pa.ChunkedArray:
    """A Parquet column as the cleaner reads values: text that is valid UTF-8, numbers, dates.

    A writer may store text as raw bytes or unchecked strings, an all-empty column as the null
    type, amounts as uint64: each becomes the plain type or one error naming file, column, row.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = values.type
    if pa.types.is_null(kind):
        return values.cast(pa.string())  # every cell empty: the cleaner says what is missing
    if pa.types.is_unsigned_integer(kind) and kind.bit_width == 64:
        # Beyond int64; as float64 any real amount is exact and a huge one fails the money limit.
        return pc.cast(values, pa.float64(), safe=False)
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
        text_type = pa.large_string() if pa.types.is_large_binary(kind) else pa.string()
        try:
            return values.cast(text_type)
        except pa.ArrowInvalid:
            what = "holds bytes that are not UTF-8 text"
            raise _not_utf8(name, column, values, offset, what) from None
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        try:
            values.validate(full=True)
        except pa.ArrowInvalid:
            what = "holds text that is not valid UTF-8"
            raise _not_utf8(name, column, values, offset, what) from None
    return values


def _not_utf8(name: str, column: str, values: pa.ChunkedArray, offset: int, what: str) -> DataError:
    import pyarrow as pa

    # The error path only: find the first bad cell, cell by cell, through its bytes.
    raw = values.cast(pa.large_binary()) if not pa.types.is_binary(values.type) else values
    for i, cell in enumerate(raw.to_pylist()):
        if cell is None:
            continue
        try:
            cell.decode("utf-8")
        except UnicodeDecodeError:
            return DataError.said("error.read.not_utf8_cell", name=name, row=offset + i + 1, column=column,
                                  what=what, cell=cell[:40])
    return DataError.said("error.read.not_utf8_column", name=name, column=column, what=what)


def _open_parquet(name: str, path: Path | None, data: bytes | None, size: int) -> Source:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path if path is not None else pa.BufferReader(data or b""))
    except (pa.ArrowException, OSError, ValueError) as exc:  # ValueError: names not UTF-8
        raise DataError.said("error.read.cannot_read_parquet_file", name=name, exc=exc) from None
    return Source(name=name, format="parquet", headers=list(schema.names), path=path, data=data, size=size)
