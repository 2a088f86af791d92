"""The Excel workbook for the sales team, drawn from any :class:`~kamtool.result.Result`.

Layout: a Summary sheet (command, headline, key figures, parameters, notes, sources,
version, time), then the full per-entity table, then one sheet per extra table in
``Result.tables`` order, and — only when a waterfall chart needs it — a hidden sheet
with the chart's helper series.  Native charts sit on the sheet of their table, to the
right of the data, stacked downwards; heatmaps are 3-colour scales on their table.

Cells are written with XlsxWriter row by row, never through ``DataFrame.to_excel``:
XlsxWriter's constant-memory mode (used for tables above ``CONSTANT_MEMORY_ROWS``) keeps
only the current row, and pandas writes column by column, which silently loses cells.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
import string
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import xlsxwriter
import xlsxwriter.exceptions

from kamtool import __version__
from kamtool.errors import KamtoolError, UsageError
from kamtool.labels import LANGS, has_label, label, sheet_label, table_label
from kamtool.render import words
from kamtool.render.formats import DATETIME, EXCEL, Spec, column_spec, value_spec
from kamtool.render.words import filters as filter_words
from kamtool.result import Chart, Heatmap, Result

if TYPE_CHECKING:
    from xlsxwriter.chart import Chart as XlsxChart
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

# Above this many rows in any table the whole workbook is written in constant-memory
# mode: XlsxWriter then flushes each row as soon as the next one starts (0.3 GiB instead
# of several for 200k rows) at the price of inline strings (a somewhat larger file).
CONSTANT_MEMORY_ROWS = 50_000

EXCEL_MAX_ROWS = 1_048_576
# Excel's limit on the characters in one cell: longer text is cut, and counted, never silently.
EXCEL_MAX_CHARS = 32_767
# Every data sheet: a title line (row 0), the header (row 1), the data from row 2.
HEADER_ROW = 1
# A Pareto chart of more entities than its Chart.max_points draws the cumulative curve at
# every 1 % of them, so it reaches 100 %.
_PARETO_STEP = 1  # percent of the entities between two points
EXCEL_MAX_COLS = 16_384
SHEET_NAME_MAX = 31

PERCENT = EXCEL["share"]
MONEY = EXCEL["money"]
INTEGER = EXCEL["count"]
DATE = EXCEL["date"]

ValueKind = Literal["int", "float", "date", "datetime", "bool", "text", "mixed"]

_FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
# Days from Excel's day 0 (1900 date system, with its phantom 29 Feb 1900) to a date.
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_EXCEL_FIRST_SERIAL = 1  # 1900-01-01
_EXCEL_LAST_SERIAL = 2_958_465  # 9999-12-31

_WIDTH_SAMPLE_ROWS = 500
_MIN_WIDTH = 6.0
_MAX_WIDTH = 60.0

_CHART_WIDTH = 720
_CHART_HEIGHT = 400
_CHART_ROW_STRIDE = 22  # default rows are 20 px high: a 400 px chart plus a gap
_CHART_BELOW_ROWS = 40  # tables up to this many rows get their charts below, longer ones beside
_HEATMAP_COLOURS = ("#F8696B", "#FFEB84", "#63BE7B")  # Excel's red-yellow-green


# ---------------------------------------------------------------------------------------
# the format rule: kamtool.render.formats, shared with the console


def number_format(spec: Spec, kind: ValueKind) -> str | None:
    """The Excel number format of a column whose values are of ``kind`` and whose format
    spec (:func:`kamtool.render.formats.column_spec`, the console's too) is ``spec``."""
    if kind in ("date", "datetime"):
        return spec.excel(with_time=kind == "datetime") if spec.kind == "date" else (
            DATETIME if kind == "datetime" else DATE)
    if kind not in ("int", "float"):
        return None
    if spec.kind in ("text", "bool", "date"):
        # numbers in a column typed otherwise (an object column of figures)
        return Spec("number").excel()
    return spec.excel()


def _scalar_format(key: str, value: Any, kinds: Mapping[str, str]) -> str | None:
    """The number format of one Summary-sheet figure."""
    return number_format(value_spec(key, value, kinds), _scalar_kind(value))


# ---------------------------------------------------------------------------------------
# columns prepared for writing


# Rows [start, stop) of a column as plain Python objects, None marking an empty cell.
# Columns are converted a block of rows at a time, so a 200k-row table never exists as
# millions of Python objects at once.
_Values = Callable[[int, int], list[Any]]
_BLOCK_ROWS = 10_000


@dataclass
class _Column:
    name: str  # the canonical column name (str() of non-string names)
    header: str
    kind: ValueKind
    num_format: str | None
    values: _Values

    @property
    def numeric(self) -> bool:
        """Numbers and dates: right-aligned in their cells, so is their header."""
        return self.kind in ("int", "float", "date", "datetime")


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return False


def _typed_values(series: pd.Series) -> _Values:
    """Values of a column whose dtype already says what every value is."""

    def block(start: int, stop: int) -> list[Any]:
        part = series.iloc[start:stop]
        objects = part.to_numpy(dtype=object)
        objects[part.isna().to_numpy()] = None
        return objects.tolist()

    return block


def _object_values(series: pd.Series, clean: Callable[[Any], Any] | None = None) -> _Values:
    """Values of an object column, checked one by one."""
    objects = series.to_numpy(dtype=object)

    def block(start: int, stop: int) -> list[Any]:
        part = objects[start:stop]
        if clean is None:
            return [None if _is_missing(v) else v for v in part]
        return [None if _is_missing(v) else clean(v) for v in part]

    return block


def _number_values(floats: np.ndarray) -> _Values:
    def block(start: int, stop: int) -> list[Any]:
        part = floats[start:stop]
        objects = part.astype(object)
        objects[np.isnan(part)] = None
        return objects.tolist()

    return block


def _excel_serials(stamps: pd.Series) -> pd.Series:
    """Excel date serials (float days) of a datetime64 series; NaN for NaT."""
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    days = (stamps - _EXCEL_EPOCH) / pd.Timedelta(days=1)
    # Excel counts a 29 Feb 1900 that never was: days before 1 Mar 1900 are one lower.
    return days.where(days >= 61, days - 1)


def _date_values(stamps: pd.Series) -> tuple[ValueKind, _Values]:
    serials = _excel_serials(stamps).to_numpy(dtype="float64", na_value=np.nan)
    known = serials[~np.isnan(serials)]
    kind: ValueKind = "datetime" if bool((known % 1 != 0).any()) else "date"
    numbers = _number_values(serials)
    outside = ~np.isnan(serials) & ((serials < _EXCEL_FIRST_SERIAL) | (serials > _EXCEL_LAST_SERIAL))
    if not outside.any():
        return kind, numbers

    def block(start: int, stop: int) -> list[Any]:
        # Excel cannot show these as dates; ISO text keeps them readable.
        values = numbers(start, stop)
        for i in np.flatnonzero(outside[start:stop]):
            values[i] = pd.Timestamp(stamps.iloc[start + i]).isoformat()
        return values

    return "mixed", block


def _float_values(values: pd.Series) -> tuple[ValueKind, _Values]:
    floats = values.to_numpy(dtype="float64", na_value=np.nan)
    finite = floats[np.isfinite(floats)]
    # An integer column with gaps arrives as float64: show it as the integers it holds.
    whole = finite.size > 0 and bool((finite == np.round(finite)).all())
    return ("int" if whole else "float"), _number_values(floats)


def _prepare_values(series: pd.Series) -> tuple[ValueKind, _Values]:
    """The kind of a column and a reader of its values as plain Python objects."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        series = series.astype(object)
        dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool", _typed_values(series)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return _date_values(series)
    if pd.api.types.is_timedelta64_dtype(dtype):
        return _float_values(series.dt.total_seconds() / 86_400)
    if pd.api.types.is_integer_dtype(dtype):
        return "int", _typed_values(series)
    if pd.api.types.is_float_dtype(dtype):
        return _float_values(series)
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        return "text", _typed_values(series)

    inferred = pd.api.types.infer_dtype(series, skipna=True)
    if inferred in ("string", "empty"):
        return "text", _object_values(series)
    if inferred == "boolean":
        return "bool", _object_values(series, bool)
    if inferred in ("integer", "floating", "decimal", "mixed-integer-float"):
        return _float_values(series.astype("float64"))
    if inferred in ("datetime", "datetime64", "date"):
        try:
            stamps = pd.to_datetime(series)
        except (ValueError, TypeError, OverflowError):
            pass
        else:
            return _date_values(stamps)
    return "mixed", _object_values(series)


def _header_text(key: str, result: Result, lang: str) -> str:
    return words.caption(result, key, lang)


def _column_name(col: Any) -> str:
    if isinstance(col, tuple):
        return " / ".join(_column_name(part) for part in col if str(part) != "")
    if isinstance(col, pd.Timestamp | dt.date):
        return col.isoformat()[:10] if _is_midnight(col) else col.isoformat()
    return str(col)


def _is_midnight(value: dt.date) -> bool:
    if isinstance(value, dt.datetime):
        return value.time() == dt.time(0)
    return True


def _flatten(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with a meaningful index turned into leading columns."""
    index = frame.index
    if isinstance(index, pd.MultiIndex) or any(n is not None for n in index.names):
        return frame.reset_index()
    if not isinstance(index, pd.RangeIndex) and not pd.api.types.is_integer_dtype(index.dtype):
        # An unnamed label index (dates of a cohort triangle, classes A/B/C) is data.
        return frame.reset_index(names=[""])
    return frame


def _prepare(frame: pd.DataFrame, result: Result, lang: str, table: str,
             headers: dict[str, str] | None = None) -> list[_Column]:
    """The frame's columns to write; ``headers``: captions that are not the columns' labels."""
    frame = _flatten(frame)
    columns: list[_Column] = []
    for position in range(frame.shape[1]):
        name = _column_name(frame.columns[position])
        series = frame.iloc[:, position]
        kind, values = _prepare_values(series)
        header = (headers or {}).get(name) or (_header_text(name, result, lang) if name else "")
        spec = column_spec(name, series, result.kinds, table)
        columns.append(_Column(name, header, kind, number_format(spec, kind), values))
    return columns


# ---------------------------------------------------------------------------------------
# widths and names


def display_width(text: str) -> int:
    """Width of ``text`` in Excel character units; CJK and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _shown(value: Any, num_format: str | None) -> str:
    """Roughly the text Excel shows for ``value``, to size a column."""
    if isinstance(value, bool):
        return "FALSE"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if not math.isfinite(number):
            return "#DIV/0!"
        if num_format == PERCENT:
            return f"{number * 100:,.1f}%"
        if num_format in (DATE, DATETIME):
            return num_format
        if num_format == INTEGER:
            return f"{number:,.0f}"
        if num_format is not None and num_format.startswith("#,##0."):
            return f"{number:,.{len(num_format) - 6}f}"
        return repr(number) if abs(number) < 1e11 else f"{number:.5E}"
    return str(value)


def _width(header: str, values: Iterable[Any], num_format: str | None) -> float:
    # +2 leaves room for the autofilter's drop-down button on the header.
    widest = display_width(header) + 2
    for value in values:
        if value is not None:
            # +2: a right-aligned number never touches the left-aligned text beside it
            widest = max(widest, display_width(_shown(value, num_format)) + 2)
    return min(max(float(widest), _MIN_WIDTH), _MAX_WIDTH)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" -–—·,;(") + "…"


class SheetNames:
    """Unique, legal Excel sheet names (Excel compares them case-insensitively)."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def claim(self, wanted: str) -> str:
        name = _FORBIDDEN_IN_SHEET_NAMES.sub("", wanted).strip().strip("'").strip()
        name = _shorten(name, SHEET_NAME_MAX) or "Sheet"
        if name.lower() == "history":  # reserved by Excel
            name = f"{name} 1"
        unique, number = name, 2
        while unique.lower() in self._taken:
            suffix = f" ({number})"
            unique = _shorten(name, SHEET_NAME_MAX - len(suffix)) + suffix
            number += 1
        self._taken.add(unique.lower())
        return unique


def _workbook_title(command: str, lang: str) -> str:
    """"kamtool report: abc" (kamtool 报告：ABC分类（abc）): the analysis named in words as well."""
    name = label(f"report.analysis.{command}", lang) if has_label(f"report.analysis.{command}") else command
    return label("report.title", lang).format(command=command, name=name)


def _sheet_title(name: str, command: str, lang: str) -> str:
    return sheet_label(name, command, lang)


# ---------------------------------------------------------------------------------------
# the workbook


class Formats:
    def __init__(self, book: Workbook, lang: str = "en") -> None:
        self._book = book
        self._cache: dict[str, Format] = {}
        self.lang = lang
        self.cut_cells = 0  # texts over EXCEL_MAX_CHARS, cut to fit
        header = {"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "valign": "top"}
        self.header = book.add_format(header)
        self.header_right = book.add_format({**header, "align": "right"})
        self.header_centre = book.add_format({**header, "align": "center"})
        self.centre = book.add_format({"align": "center"})  # yes / no
        self.right = book.add_format({"align": "right"})  # a missing figure under numbers
        self.indent = book.add_format({"indent": 1})
        # a text column right of a number column: its text starts one character in, so a
        # right-aligned figure never runs into it ("94.44 Key account")
        self.header_indent = book.add_format({**header, "indent": 1})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.sheet_title = book.add_format({"bold": True, "font_size": 12})
        self.section = book.add_format({"bold": True, "bottom": 1})
        self.key = book.add_format({"valign": "top"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.yes = label("yes", lang)
        self.no = label("no", lang)

    def text(self, value: str) -> str:
        """``value`` cut to Excel's cell limit (counted: the caller warns)."""
        if len(value) <= EXCEL_MAX_CHARS:
            return value
        self.cut_cells += 1
        return value[:EXCEL_MAX_CHARS]

    def boolean(self, value: Any) -> str:
        """yes / no (是 / 否) in the workbook's language, never TRUE or 1."""
        return self.yes if bool(value) else self.no

    def bold(self, base: Format | None) -> Format:
        """``base`` (a number format, centring or none) in bold, for a table's total row."""
        key = f"bold:{id(base)}"
        found = self._cache.get(key)
        if found is None:
            spec: dict[str, Any] = {"bold": True}
            if base is not None and base.num_format not in (0, "General"):
                spec["num_format"] = base.num_format
            if base is self.centre:
                spec["align"] = "center"
            if base is self.indent:
                spec["indent"] = 1
            found = self._book.add_format(spec)
            self._cache[key] = found
        return found

    def number(self, num_format: str | None) -> Format | None:
        if num_format is None:
            return None
        found = self._cache.get(num_format)
        if found is None:
            found = self._book.add_format({"num_format": num_format})
            self._cache[num_format] = found
        return found


@dataclass
class _Sheet:
    worksheet: Worksheet
    name: str
    columns: list[_Column]
    n_rows: int
    charts_placed: int = 0

    def column(self, name: str, what: str) -> int:
        for index, column in enumerate(self.columns):
            if column.name == name:
                return index
        raise ValueError(f"{what}: table on sheet {self.name!r} has no column {name!r}")


def write_workbook(result: Result, path: Path, *, lang: str = "en", sources: list[str] | None = None,
                   period: tuple[Any, Any] | None = None) -> int:
    """Write ``result`` as an Excel workbook at ``path`` (overwritten, not renamed).

    Parameters
    ----------
    result
        Any analysis result; ``rows`` and every frame of ``tables`` get a sheet.
    path
        Where to write; the caller handles temporary names and the final rename.
    lang
        ``"en"`` or ``"zh"``: sheet names, headers, captions and chart titles.
    sources
        The input files, listed on the Summary sheet and in each data sheet's title line.
    period
        The first and last order date of the data, for the title lines (else the result's
        own dates, when it has them).

    Returns
    -------
    int
        How many text cells were longer than Excel's 32,767 characters and were cut to
        fit: the caller warns about them.

    Raises
    ------
    UsageError
        ``lang`` is unknown, or a table is larger than an Excel sheet can hold.
    ValueError
        A chart or heatmap names a table or column the result does not have (a bug in
        the analysis, not in the data).
    """
    if lang not in LANGS:
        raise UsageError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    result, tables = _people_tables(result, lang)
    big = max(len(frame) for frame in tables.values()) > CONSTANT_MEMORY_ROWS
    return _write_book(path, big, lambda book: _fill(book, result, tables, lang, sources, period))


def _write_book(path: Path, big: bool, fill: Callable[[Workbook], int]) -> int:
    """A workbook at ``path`` filled by ``fill`` (which returns the cells it cut); constant
    memory when ``big``."""
    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": big,
            # A stray infinity becomes #DIV/0! instead of aborting the whole workbook.
            "nan_inf_to_errors": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    try:
        cut = fill(book)
    except BaseException:
        # The caller discards the partial file; the first error is the one to report.
        with contextlib.suppress(Exception):
            book.close()
        raise
    try:
        book.close()
    except (OSError, xlsxwriter.exceptions.XlsxWriterException) as error:
        raise KamtoolError.said("error.excel.cannot_write_workbook", path=path, error=error) from error
    return cut


def _people_tables(result: Result, lang: str) -> tuple[Result, dict[str, pd.DataFrame]]:
    """The words' view of ``result`` (names and actions in ``lang``) and its tables by sheet,
    checked to fit Excel sheets and its charts to point at real columns."""
    shown = words.for_people(result, lang)
    tables: dict[str, pd.DataFrame] = {"rows": shown.rows, **shown.tables}
    for name, frame in tables.items():
        if len(frame) + 1 > EXCEL_MAX_ROWS or frame.shape[1] + 1 > EXCEL_MAX_COLS:
            raise UsageError.said("error.excel.table_has_rows_columns", name=name, n_frame=len(frame),
                                  shape=frame.shape[1], excel_max_rows=EXCEL_MAX_ROWS - 1,
                                  excel_max_cols=EXCEL_MAX_COLS)
    # the charts too: the words may move a chart's categories to their own column (churn)
    _check_specs(shown, tables)
    return shown, tables


def _fill(
    book: Workbook, result: Result, tables: dict[str, pd.DataFrame], lang: str, sources: list[str] | None,
    period: tuple[Any, Any] | None = None,
) -> int:
    """Add every sheet, chart and format to ``book`` (not yet closed); return the number
    of text cells cut to Excel's limit."""
    formats = Formats(book, lang)
    names = SheetNames()
    summary_name = names.claim(label("report.sheet.summary", lang))
    sheet_names = {name: names.claim(_sheet_title(name, result.command, lang)) for name in tables}
    helper = _HelperSheet(book, names.claim(label("report.sheet.chart_data", lang)), formats)
    _result_sheets(book, formats, result, tables, lang, sources, period, summary_name, sheet_names, helper)
    helper.finish()
    book.worksheets()[0].activate()
    book.set_properties({"title": _workbook_title(result.command, lang)})
    return formats.cut_cells


def _result_sheets(
    book: Workbook, formats: Formats, result: Result, tables: dict[str, pd.DataFrame], lang: str,
    sources: list[str] | None, period: tuple[Any, Any] | None, summary_name: str,
    sheet_names: dict[str, str], helper: _HelperSheet, extra_notes: Sequence[str] = (),
) -> None:
    """One result's sheets: its Summary (with ``extra_notes``), a sheet per table, its charts
    and heatmaps (a command's workbook, or one analysis of the report)."""
    _write_summary(book.add_worksheet(summary_name), formats, result, lang, sources, extra_notes)
    sheets: dict[str, _Sheet] = {}
    for name, frame in tables.items():
        worksheet = book.add_worksheet(sheet_names[name])
        columns = _prepare(frame, result, lang, name)
        title = title_line(result, table_label(name, result.command, lang) if name != "rows"
                            else label("report.sheet.rows", lang), lang, sources, period)
        totals = int(result.context.get("total_rows", {}).get(name, 0))
        _write_table(worksheet, formats, columns, len(frame), title, totals=totals)
        sheets[name] = _Sheet(worksheet, sheet_names[name], columns, len(frame))
    for heatmap in result.heatmaps:
        _add_heatmap(sheets[heatmap.table], heatmap)
    for chart in result.charts:
        _add_chart(book, sheets[chart.table], chart, lang, helper, result)


def _check_specs(result: Result, tables: dict[str, pd.DataFrame]) -> None:
    """Fail before a long write when a chart or heatmap points nowhere."""
    columns = {name: {_column_name(c) for c in _flatten(frame).columns} for name, frame in tables.items()}

    def need(table: str, what: str, names: Iterable[str]) -> None:
        if table not in tables:
            raise ValueError(f"{what} refers to unknown table {table!r}")
        for name in names:
            if name not in columns[table]:
                raise ValueError(f"{what}: table {table!r} has no column {name!r}")

    for heatmap in result.heatmaps:
        need(heatmap.table, "heatmap", heatmap.columns)
    for chart in result.charts:
        if not chart.values:
            raise ValueError(f"{chart.kind} chart on {chart.table!r} has no values")
        extra = [chart.secondary] if chart.secondary else []
        need(chart.table, f"{chart.kind} chart", [chart.category, *chart.values, *extra])


# ---------------------------------------------------------------------------------------
# cells


def _write_any(ws: Worksheet, formats: Formats, row: int, col: int, value: Any, fmt: Format | None) -> None:
    """Write one value of any type; ``fmt`` applies to numbers, dates get a date format."""
    if _is_missing(value):
        return
    if isinstance(value, str):
        ws.write_string(row, col, formats.text(value))
    elif isinstance(value, bool | np.bool_):
        ws.write_string(row, col, formats.boolean(value))
    elif isinstance(value, int | float | np.integer | np.floating | Decimal):
        ws.write_number(row, col, float(value) if isinstance(value, Decimal) else value, fmt)
    elif isinstance(value, dt.date | np.datetime64):
        stamp = pd.Timestamp(value)
        serial = float(_excel_serials(pd.Series([stamp])).iloc[0])
        if _EXCEL_FIRST_SERIAL <= serial <= _EXCEL_LAST_SERIAL:
            date_format = DATE if _is_midnight(stamp.to_pydatetime()) else DATETIME
            ws.write_number(row, col, serial, formats.number(date_format))
        else:
            ws.write_string(row, col, stamp.isoformat())
    elif isinstance(value, dt.timedelta | np.timedelta64):
        ws.write_number(row, col, pd.Timedelta(value) / pd.Timedelta(days=1), fmt)
    elif isinstance(value, dict):
        ws.write_string(row, col, formats.text(", ".join(f"{k}: {_plain(v)}" for k, v in value.items())))
    elif isinstance(value, list | tuple | set | frozenset):
        ws.write_string(row, col, formats.text(", ".join(_plain(v) for v in value)))
    else:
        ws.write_string(row, col, formats.text(_plain(value)))


def _plain(value: Any) -> str:
    if isinstance(value, pd.Timestamp | dt.date):
        return value.isoformat()[:10] if _is_midnight(value) else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(getattr(value, "value", value))  # Enum members read as their value


_Writer = Callable[[int, int, Any, Any], Any]


def _cell_writer(ws: Worksheet, formats: Formats, kind: ValueKind) -> _Writer:
    if kind == "text":
        return lambda row, col, value, fmt: ws.write_string(row, col, formats.text(value), fmt)
    if kind == "bool":
        return lambda row, col, value, fmt: ws.write_string(row, col, formats.boolean(value), fmt)
    if kind == "mixed":
        return lambda row, col, value, fmt: _write_any(ws, formats, row, col, value, fmt)
    return ws.write_number


def _write_table(ws: Worksheet, formats: Formats, columns: list[_Column], n_rows: int,
                 title: str = "", *, totals: int = 0) -> None:
    """The title line, the header row and ``n_rows`` rows; the last ``totals`` of them (a
    total row the words added, e.g. credit's aging) in bold."""
    indented = _after_numbers(columns)
    widths = []
    for index, column in enumerate(columns):
        sample = column.values(0, min(n_rows, _WIDTH_SAMPLE_ROWS))
        widths.append(_width(column.header, sample, column.num_format) + indented[index])
        ws.set_column(index, index, widths[-1])
    # The title line spills over the empty cells to its right; it never sizes column A.
    ws.write_string(0, 0, formats.text(title), formats.sheet_title)
    for index, column in enumerate(columns):
        header = formats.header_right if column.numeric else (
            formats.header_centre if column.kind == "bool" else
            formats.header_indent if indented[index] else formats.header)
        ws.write_string(HEADER_ROW, index, column.header, header)
    if columns:
        ws.freeze_panes(HEADER_ROW + 1, 0)
        ws.autofilter(HEADER_ROW, 0, HEADER_ROW + n_rows, len(columns) - 1)
    _print_setup(ws, sum(widths))

    writers = [_cell_writer(ws, formats, column.kind) for column in columns]
    cells = list(zip(writers, [formats.centre if c.kind == "bool" else formats.indent if gap
                               else formats.number(c.num_format)
                               for c, gap in zip(columns, indented, strict=True)], strict=True))
    # Row by row, whatever the mode: constant-memory mode forgets a row once the next
    # one starts.  zip(*blocks) hands out one row's values at a time.
    for start in range(0, n_rows, _BLOCK_ROWS):
        stop = min(start + _BLOCK_ROWS, n_rows)
        blocks = [column.values(start, stop) for column in columns]
        for row, values in enumerate(zip(*blocks, strict=True), start + HEADER_ROW + 1):
            if row > HEADER_ROW + n_rows - totals:
                cells = [(write, formats.bold(fmt)) for write, fmt in cells]
            for col, value in enumerate(values):
                if value is not None:
                    write, fmt = cells[col]
                    write(row, col, value, fmt)


def _after_numbers(columns: list[_Column]) -> list[int]:
    """1 for each text column whose left neighbour holds numbers (right-aligned), else 0."""
    return [int(i > 0 and columns[i - 1].numeric and column.kind == "text")
            for i, column in enumerate(columns)]


# Wider than this (Excel character units, about 100 on an A4 page upright) prints landscape.
_PORTRAIT_WIDTH = 95.0


def _print_setup(ws: Worksheet, width: float, *, repeat_header: bool = True) -> None:
    """A4, one page wide (as many pages down as it takes), landscape when wide, the header
    row on every page."""
    ws.set_paper(9)
    if width > _PORTRAIT_WIDTH:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    if repeat_header:
        ws.repeat_rows(0, HEADER_ROW)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)


def title_line(result: Result, table: str, lang: str, sources: list[str] | None,
                period: tuple[Any, Any] | None) -> str:
    """What the sheet is, from which files, over which dates, as of when: one line."""
    parts = [label("report.sheet_title", lang).format(table=table, command=result.command)]
    if sources:
        parts.append(label("report.sheet_title.files", lang).format(files=", ".join(map(str, sources))))
    first, last = period if period is not None else _result_dates(result)
    if first is not None and last is not None:
        parts.append(label("report.sheet_title.dates", lang).format(first=_plain(first), last=_plain(last)))
    as_of = result.params.get("as_of", result.summary.get("as_of"))
    if as_of is not None and not _is_missing(as_of):
        parts.append(label("report.sheet_title.as_of", lang).format(as_of=_plain(as_of)))
    filtered = filter_words.title_part(result.params, lang)
    if filtered is not None:
        parts.append(filtered)
    return " · ".join(parts)


def _result_dates(result: Result) -> tuple[Any, Any]:
    """The first and last order date a result states (inspect, clv), else (None, None)."""
    for first_key, last_key in (("first_date", "last_date"), ("calibration_start", "data_end")):
        first, last = result.summary.get(first_key), result.summary.get(last_key)
        if first is not None and last is not None:
            return first, last
    span = result.params.get("date_range")
    if isinstance(span, list | tuple) and len(span) == 2:
        return span[0], span[1]
    return None, None


def _write_summary(
    ws: Worksheet, formats: Formats, result: Result, lang: str, sources: list[str] | None,
    extra_notes: Sequence[str] = (),
) -> None:
    """The Summary sheet: title, headline, figures, parameters, notes, sources, version.

    Its cells are planned first and written in row order afterwards: the sentences are merged
    over A:B at a height set from the columns' widths, which the figures decide, and in
    constant-memory mode (big workbooks) a cell written to a row above the last one written is
    silently lost."""
    command = result.command
    lines: list[tuple[str, Any, str | None]] = []  # caption, value, number format
    # rows in order: ("text", caption, format) | ("pair", caption, value, number format)
    # | ("sentence", text) | ("blank",) | ("plain", caption, value)
    plan: list[tuple[Any, ...]] = []

    def section(caption: str) -> None:
        plan.extend([("blank",), ("text", caption, formats.section)])

    def pair_line(caption: str, key: str, value: Any) -> None:
        num_format = _scalar_format(key, value, result.kinds)
        plan.append(("pair", caption, value, num_format))
        lines.append((caption, value, num_format))

    plan.append(("text", _workbook_title(command, lang), formats.title))
    plan.append(("plain", label("report.command", lang), command))
    headline = words.headline(result, lang)
    if headline:
        section(label("report.headline", lang))
        plan.extend(("sentence", text) for text in headline)
    figures = list(summary_lines(result, lang))
    if figures:
        section(label("report.summary", lang))
        for caption, key, value in figures:
            pair_line(caption, key, value)
    for caption, texts in ((label("report.params", lang), param_sentences(result, lang)),
                           (label("report.notes", lang), [*extra_notes, *words.notes(result, lang)])):
        if texts:
            section(caption)
            plan.extend(("sentence", text) for text in texts)
    if sources:
        section(label("report.sources", lang))
        plan.extend(("text", formats.text(str(source)), None) for source in sources)
    plan.append(("blank",))
    pair_line(label("report.version", lang), "version", __version__)
    pair_line(label("report.generated_at", lang), "generated_at", dt.datetime.now().replace(microsecond=0))

    key_width = min(max(max((display_width(c) for c, _, _ in lines), default=10) + 2, 24.0), _MAX_WIDTH)
    ws.set_column(0, 0, key_width)
    value_width = min(max(max((display_width(_shown(v, f)) for _, v, f in lines), default=10) + 2, 20.0),
                      _MAX_WIDTH)
    ws.set_column(1, 1, value_width)
    # Sentences wrap within A:B, so the page holds them whole (merged cells do not grow on
    # their own: the row height is set from the text's width).
    span = key_width + value_width
    for row, item in enumerate(plan):
        kind = item[0]
        if kind == "text":
            ws.write_string(row, 0, item[1], item[2])
        elif kind == "plain":
            ws.write_string(row, 0, item[1])
            ws.write_string(row, 1, item[2])
        elif kind == "pair":
            ws.write_string(row, 0, item[1], formats.key)
            _write_any(ws, formats, row, 1, item[2], formats.number(item[3]))
        elif kind == "sentence":
            text = formats.text(item[1])
            needed = math.ceil(display_width(text) / max(span - 2, 1.0))
            if needed > 1:
                ws.set_row(row, 15 * needed)
            ws.merge_range(row, 0, row, 1, text, formats.wrap)
    _print_setup(ws, span, repeat_header=False)


# ---------------------------------------------------------------------------------------
# the Summary sheet's words: key figures and parameters


def _first(keys: Iterable[str], lang: str) -> str | None:
    for key in keys:
        if has_label(key):
            return label(key, lang)
    return None


def _is_empty(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, dict | list | tuple | set | frozenset):
        return len(value) == 0
    return _is_missing(value)


def _item_text(command: str, key: str, item: Any, lang: str) -> str:
    """A nested figure's item (a segment code, a loyalty group, a score) in words."""
    text = str(item)
    code = text.lower().replace(" ", "_").replace("'", "")
    found = _first((f"{command}.{key}.{text}", f"{command}.segment.{code}", f"{command}.name.{code}",
                    f"{command}.group.{code}", f"{command}.status.{text}", code), lang)
    return found if found is not None and "{" not in found else text


_CLASS_KEY = re.compile(r"class_([a-z0-9]+)_(.+)")


def figure_caption(result: Result, key: str, lang: str, item: Any = None) -> str:
    """The caption of a Summary-sheet figure: ``{command}.kpi.{key}``, ``kpi.{key}``, the
    column's own label; abc's ``class_a_entities`` through ``kpi.class_entities``; a nested
    figure's ``{item}`` in words."""
    command = result.command
    fields: dict[str, str] = {}
    keys = [f"{command}.kpi.{key}", f"kpi.{key}"]
    match = _CLASS_KEY.fullmatch(key)
    if match:
        fields["cls"] = match[1].upper()
        keys += [f"{command}.kpi.class_{match[2]}", f"kpi.class_{match[2]}"]
    if item is not None:
        fields["item"] = _item_text(command, key, item, lang)
    template = _first(keys, lang)
    if template is not None:
        text = template.format(**fields) if fields else template
        if item is not None and "{item}" not in template:
            text = f"{text} · {fields['item']}"
        return text
    caption = words.caption(result, key, lang)  # a column's label (label()'s fallback last)
    return caption if item is None else f"{caption} · {fields['item']}"


def summary_lines(result: Result, lang: str) -> Iterable[tuple[str, str, Any]]:
    """(caption, key, value) of every key figure worth a row: empty ones left out, a
    nested one (counts per segment) a row per item."""
    for key, value in result.summary.items():
        key = str(key)
        if _is_empty(value):
            continue
        if isinstance(value, dict):
            for item, sub_value in value.items():
                if not _is_empty(sub_value):
                    yield figure_caption(result, key, lang, item), key, sub_value
            continue
        if isinstance(value, list | tuple):
            value = ", ".join(_param_value(key, v, result, lang) for v in value)
        elif isinstance(value, str):
            value = _code_text(key, value, lang, result.command)
        yield figure_caption(result, key, lang), key, value


def _code_text(key: str, value: str, lang: str, command: str = "") -> str:
    """A code in words: ``{command}.{key}.{value}``, ``param.value.{key}.{value}``,
    ``param.value.{value}``, or the label of a canonical name (``customer``, ``revenue``); any
    other text as it is."""
    return _words((f"{command}.{key}.{value}", f"param.value.{key}.{value}", f"param.value.{value}", value),
                  lang, value)


def _item_name(command: str, key: str, item: Any, lang: str) -> str:
    """The name of one entry of a parameter that is a table of named figures (tiers' weights
    per factor, stages' thresholds): ``{command}.{key}.{item}``, ``{command}.factor.{item}``,
    else the item as it is."""
    keys = (f"{command}.{key}.{item}", f"{command}.factor.{item}", f"param.value.{item}")
    return _words(keys, lang, str(item))


def _words(keys: Iterable[str], lang: str, default: str) -> str:
    """The first of ``keys`` that is a plain label (not a sentence template), else ``default``."""
    found = _first(keys, lang)
    return default if found is None or "{" in found else found


def _param_value(key: str, value: Any, result: Result, lang: str) -> str:
    """One parameter value in words: shares as per cent, booleans yes/no, codes labelled."""
    from kamtool.render.formats import format_value

    if isinstance(value, bool | np.bool_):
        return label("yes" if value else "no", lang)
    if isinstance(value, dict):
        sep = "、" if lang == "zh" else ", "
        # each entry named in words, valued as the parameter's values are (a share by its own name)
        return sep.join(f"{_item_name(result.command, key, k, lang)} "
                        f"{_param_value(str(k) if str(k) in _SHARE_PARAMS else key, v, result, lang)}"
                        for k, v in value.items())
    if isinstance(value, list | tuple):
        return " / ".join(_param_value(key, v, result, lang) for v in value)
    if isinstance(value, str):
        return _code_text(key, value, lang, result.command)
    if isinstance(value, int | float | np.integer | np.floating):
        spec = value_spec(key, value, result.kinds)
        if key in _SHARE_PARAMS or spec.kind == "share":
            return f"{float(value) * 100:.4g} %"
        if spec.kind != "money" and isinstance(value, float | np.floating) and float(value).is_integer():
            # a whole number given as a float (weights of 20 points, 5 days) reads as one: 20, not 20.00
            return format_value(int(value), value_spec("", int(value), {}), lang)
        return format_value(value, spec, lang)
    return _plain(value)


# parameters that are fractions of 1, whatever their name says (stages' trend and drop too)
_SHARE_PARAMS = frozenset({"thresholds", "target", "share_threshold", "majority", "discount_rate", "margin",
                           "p_alive_threshold", "stable_trend", "declining_drop"})
# parameters the notes state in the reader's language (prose written by the analysis in English)
_PROSE_WORDS = 4


def _is_prose(value: Any) -> bool:
    return isinstance(value, str) and len(value.split()) >= _PROSE_WORDS


def param_sentences(result: Result, lang: str) -> list[str]:
    """The parameters as sentences ("Cut-offs 80 % / 95 %"), empty ones left out.

    A parameter whose value is a definition in English prose (the tie rule, the share
    base …) is left out: the notes state it in the reader's language.
    """
    out: list[str] = []
    for key, value in result.params.items():
        key = str(key)
        # the filters are the headline's first sentence, --per the note of its table
        if _is_empty(value) or _is_prose(value) or key in ("by_label", "filters", "per", "per_label"):
            continue
        template = _first((f"{result.command}.param.{key}", f"param.{key}"), lang)
        fields = {f for _, f, _, _ in string.Formatter().parse(template or "") if f}
        if template is not None and isinstance(value, dict) and fields and fields <= {str(k) for k in value}:
            # a rule of named figures (credit's grade rule) is a sentence with each figure in place
            named = {str(k): _param_value(key, v, result, lang) for k, v in value.items()}
            out.append(template.format(**named))
            continue
        text = _param_value(key, value, result, lang)
        if template is not None and "{value}" in template:
            out.append(template.format(value=text))
        else:
            out.append(f"{template or words.caption(result, key, lang)}: {text}")
    return out


def _scalar_kind(value: Any) -> ValueKind:
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, int | np.integer):
        return "int"
    if isinstance(value, float | np.floating | Decimal):
        return "float"
    if isinstance(value, dt.date | np.datetime64) and not _is_missing(value):
        stamp = pd.Timestamp(value)
        return "date" if _is_midnight(stamp.to_pydatetime()) else "datetime"
    if isinstance(value, str):
        return "text"
    return "mixed"


# ---------------------------------------------------------------------------------------
# heatmaps


def _add_heatmap(sheet: _Sheet, heatmap: Heatmap) -> None:
    if sheet.n_rows == 0 or not heatmap.columns:
        return
    ranges = []
    for name in heatmap.columns:
        col = sheet.column(name, "heatmap")
        ranges.append(xlsxwriter.utility.xl_range(HEADER_ROW + 1, col, HEADER_ROW + sheet.n_rows, col))
    low, mid, high = _HEATMAP_COLOURS
    # One scale over all the columns: a grid or cohort triangle compares every cell.
    options: dict[str, Any] = {
        "type": "3_color_scale",
        "min_color": low,
        "mid_color": mid,
        "max_color": high,
    }
    if len(ranges) > 1:
        options["multi_range"] = " ".join(ranges)
    sheet.worksheet.conditional_format(ranges[0], options)


# ---------------------------------------------------------------------------------------
# charts


class _HelperSheet:
    """A hidden sheet for series a chart needs but no table holds (waterfall steps).

    Blocks are stacked downwards so the sheet, too, is written strictly row by row.
    It is created on first use, so most workbooks never have it.
    """

    def __init__(self, book: Workbook, name: str, formats: Formats) -> None:
        self._book = book
        self.name = name
        self._formats = formats
        self._ws: Worksheet | None = None
        self._row = 0

    def block(self, headers: Sequence[str], columns: Sequence[Sequence[float | str | None]]) -> int:
        """Write a block; return the sheet row of its first data row."""
        if self._ws is None:
            self._ws = self._book.add_worksheet(self.name)
            self._ws.hide()
        ws = self._ws
        for col, header in enumerate(headers):
            ws.write_string(self._row, col, header, self._formats.header)
        first = self._row + 1
        for offset, values in enumerate(zip(*columns, strict=True)):
            for col, value in enumerate(values):
                if isinstance(value, str):
                    ws.write_string(first + offset, col, value)
                elif value is not None:
                    ws.write_number(first + offset, col, value)
        self._row = first + len(columns[0]) + 1
        return first

    def finish(self) -> None:
        if self._ws is not None:
            self._ws.set_column(0, 7, 14)


def _axis_format(num_format: str | None) -> str:
    if num_format == PERCENT:
        return "0%"
    return "#,##0"


def _chart_title(chart: Chart, sheet: _Sheet, lang: str, result: Result) -> str:
    if chart.title:
        return words.chart_title(result, chart, lang)
    value = sheet.columns[sheet.column(chart.values[0], "chart")].header
    category = sheet.columns[sheet.column(chart.category, "chart")].header
    return label("report.chart.by", lang).format(value=value, category=category)


def _add_chart(
    book: Workbook,
    sheet: _Sheet,
    chart: Chart,
    lang: str,
    helper: _HelperSheet,
    result: Result,
) -> None:
    cat = sheet.column(chart.category, f"{chart.kind} chart")
    value_cols = [sheet.column(name, f"{chart.kind} chart") for name in chart.values]
    if chart.kind == "pareto" and chart.secondary and sheet.n_rows > chart.max_points:
        _pareto_steps(book, sheet, chart, lang, helper, result)
        return
    # a table's total rows (the words' view, e.g. credit's aging) are no points of its charts
    n_rows = sheet.n_rows - int(result.context.get("total_rows", {}).get(chart.table, 0))
    points = min(max(chart.max_points, 0), n_rows)
    if points == 0:
        return
    first_row, last_row = HEADER_ROW + 1, HEADER_ROW + points
    categories = [sheet.name, first_row, cat, last_row, cat]

    def ref(col: int) -> list[Any]:
        return [sheet.name, first_row, col, last_row, col]

    title = _chart_title(chart, sheet, lang, result)
    if chart.kind == "pareto":
        title = label("report.chart.pareto_all", lang).format(title=title)
    elif points < n_rows:  # a chart of the first N rows says so
        title = label("report.chart.top", lang).format(title=title, shown=points, total=n_rows)
    first_format = sheet.columns[value_cols[0]].num_format
    drawn: XlsxChart | None
    if chart.kind == "waterfall":
        drawn = _waterfall(book, sheet, value_cols[0], categories, points, lang, helper)
    elif chart.kind == "pie":
        drawn = book.add_chart({"type": "pie"})
        assert drawn is not None
        drawn.add_series(
            {
                "name": sheet.columns[value_cols[0]].header,
                "categories": categories,
                "values": ref(value_cols[0]),
                "data_labels": {"percentage": True},
            }
        )
    else:
        chart_type = {"pareto": "column", "column": "column", "bar": "bar", "line": "line"}
        stacked = {"subtype": "stacked"} if chart.stacked and chart.kind in ("column", "bar") else {}
        drawn = book.add_chart({"type": chart_type[chart.kind], **stacked})
        assert drawn is not None
        for col in value_cols:
            drawn.add_series(
                {
                    "name": sheet.columns[col].header,
                    "categories": categories,
                    "values": ref(col),
                    **({"gap": 50} if chart.kind in ("pareto", "column", "bar") else {}),
                }
            )
        value_axis = {
            "num_format": _axis_format(first_format),
            "major_gridlines": {"visible": True},
        }
        category_axis: dict[str, Any] = {"name": sheet.columns[cat].header}
        if len(value_cols) == 1:
            value_axis["name"] = sheet.columns[value_cols[0]].header
        if chart.kind == "bar":
            # XlsxWriter's x axis of a bar chart is the horizontal (value) one; the first
            # row goes on top, as in the table, by reversing the category axis.
            drawn.set_x_axis(value_axis)
            drawn.set_y_axis({**category_axis, "reverse": True, "crossing": "max"})
        else:
            drawn.set_x_axis(category_axis)
            drawn.set_y_axis(value_axis)
        if chart.kind == "pareto" and chart.secondary:
            share = sheet.column(chart.secondary, "pareto chart")
            line = book.add_chart({"type": "line"})
            assert line is not None
            line.add_series(
                {
                    "name": sheet.columns[share].header,
                    "categories": categories,
                    "values": ref(share),
                    "y2_axis": True,
                    "marker": {"type": "circle", "size": 4},
                }
            )
            line.set_y2_axis(
                {
                    "min": 0,
                    "max": 1,
                    "major_unit": 0.2,
                    "num_format": "0%",
                    "name": sheet.columns[share].header,
                }
            )
            drawn.combine(line)
        if len(value_cols) == 1 and not (chart.kind == "pareto" and chart.secondary):
            drawn.set_legend({"none": True})
        else:
            drawn.set_legend({"position": "bottom"})
    if drawn is None:
        return
    _place(sheet, drawn, title)


def _place(sheet: _Sheet, drawn: XlsxChart, title: str) -> None:
    drawn.set_title({"name": title, "name_font": {"size": 12, "bold": True}})
    drawn.set_size({"width": _CHART_WIDTH, "height": _CHART_HEIGHT})
    if sheet.n_rows <= _CHART_BELOW_ROWS:
        # a short table: the chart goes under it, so the page fitted to one width stays legible
        anchor_col = 0
        anchor_row = HEADER_ROW + sheet.n_rows + 2 + sheet.charts_placed * _CHART_ROW_STRIDE
    else:  # a long table: beside it, where it is seen without scrolling
        anchor_col = len(sheet.columns) + 1
        anchor_row = HEADER_ROW + 1 + sheet.charts_placed * _CHART_ROW_STRIDE
    sheet.worksheet.insert_chart(anchor_row, anchor_col, drawn, {"object_position": 1})
    sheet.charts_placed += 1


def pareto_steps(n_rows: int, step: int = _PARETO_STEP) -> list[int]:
    """Row positions (0-based) of the entities at every ``step`` % of ``n_rows``: the
    last entity within the first k % for k = step, 2·step … 100, so the curve ends at the
    last entity (100 % of the value)."""
    out: list[int] = []
    for percent in range(step, 100 + step, step):
        position = max(math.ceil(min(percent, 100) * n_rows / 100) - 1, 0)
        if not out or position != out[-1]:
            out.append(position)
    return out


def _pareto_steps(book: Workbook, sheet: _Sheet, chart: Chart, lang: str, helper: _HelperSheet,
                  result: Result) -> None:
    """A Pareto chart of many entities: the value and the cumulative share at every 1 %
    of the entities (in rank order), so the curve reaches 100 %; the title says so."""
    assert chart.secondary is not None
    value_col = sheet.column(chart.values[0], "pareto chart")
    share_col = sheet.column(chart.secondary, "pareto chart")
    positions = pareto_steps(sheet.n_rows)
    values = [sheet.columns[value_col].values(p, p + 1)[0] for p in positions]
    shares = [sheet.columns[share_col].values(p, p + 1)[0] for p in positions]
    marks = [f"{(p + 1) / sheet.n_rows:.0%}" for p in positions]
    value_name, share_name = sheet.columns[value_col].header, sheet.columns[share_col].header
    first = helper.block(["%", value_name, share_name], [marks, values, shares])
    last = first + len(positions) - 1
    categories = [helper.name, first, 0, last, 0]
    drawn = book.add_chart({"type": "column"})
    assert drawn is not None
    drawn.add_series({"name": value_name, "categories": categories,
                      "values": [helper.name, first, 1, last, 1], "gap": 50})
    line = book.add_chart({"type": "line"})
    assert line is not None
    line.add_series({"name": share_name, "categories": categories, "values": [helper.name, first, 2, last, 2],
                     "y2_axis": True})
    line.set_y2_axis({"min": 0, "max": 1, "major_unit": 0.2, "num_format": "0%", "name": share_name})
    drawn.combine(line)
    drawn.set_x_axis({"name": label("report.chart.entity_share", lang), "interval_unit": 10})
    drawn.set_y_axis({"num_format": _axis_format(sheet.columns[value_col].num_format),
                      "major_gridlines": {"visible": True}})
    drawn.set_legend({"position": "bottom"})
    title = label("report.chart.pareto_steps", lang).format(title=_chart_title(chart, sheet, lang, result),
                                                           step=_PARETO_STEP)
    _place(sheet, drawn, title)


def waterfall_series(steps: Sequence[float | None]) -> dict[str, list[float | None]]:
    """The stacked-column series of a waterfall (bridge) over ``steps``.

    ``steps[0]`` and ``steps[-1]`` are totals drawn from zero; the rows between are
    signed changes from the running level, which starts at ``steps[0]``.  Excel stacks
    positive values up from zero and negative values down from zero, each in series
    order, so every bar is an invisible base plus a visible part on each side of zero
    (a bar that crosses zero has both).  Missing steps count as zero.
    """
    names = ("base_pos", "base_neg", "total_pos", "total_neg", "up_pos", "up_neg",
             "down_pos", "down_neg")  # fmt: skip
    series: dict[str, list[float | None]] = {name: [None] * len(steps) for name in names}
    level = 0.0
    last = len(steps) - 1
    for i, raw in enumerate(steps):
        step = 0.0 if raw is None or _is_missing(raw) else float(raw)
        if i == 0 or i == last:
            kind, low, high = "total", min(0.0, step), max(0.0, step)
            level = step if i == 0 else level
        else:
            kind = "up" if step >= 0 else "down"
            low, high = sorted((level, level + step))
            level += step
        if high > 0:
            series["base_pos"][i] = max(low, 0.0)
            series[f"{kind}_pos"][i] = high - max(low, 0.0)
        if low < 0:
            series["base_neg"][i] = min(high, 0.0)
            series[f"{kind}_neg"][i] = low - min(high, 0.0)
    return series


def _waterfall(
    book: Workbook,
    sheet: _Sheet,
    value_col: int,
    categories: list[Any],
    points: int,
    lang: str,
    helper: _HelperSheet,
) -> XlsxChart | None:
    steps = sheet.columns[value_col].values(0, points)
    series = waterfall_series(steps)
    used = [name for name, values in series.items() if any(v for v in values)]
    if not used:
        return None
    captions = {
        "base": label("report.waterfall.base", lang),
        "total": label("report.waterfall.total", lang),
        "up": label("report.waterfall.increase", lang),
        "down": label("report.waterfall.decrease", lang),
    }
    colours = {"total": "#4472C4", "up": "#70AD47", "down": "#C0504D"}
    headers = [captions[name.split("_")[0]] for name in used]
    first = helper.block(headers, [series[name] for name in used])
    drawn = book.add_chart({"type": "column", "subtype": "stacked"})
    assert drawn is not None
    hidden_legend: list[int] = []
    shown: set[str] = set()
    value_format = _axis_format(sheet.columns[value_col].num_format)
    for index, name in enumerate(used):
        kind = name.split("_")[0]
        options: dict[str, Any] = {
            "name": captions[kind],
            "categories": categories,
            "values": [helper.name, first, index, first + points - 1, index],
            "gap": 50,
        }
        if kind == "base":
            options["fill"] = {"none": True}
            options["border"] = {"none": True}
            hidden_legend.append(index)
        else:
            options["fill"] = {"color": colours[kind]}
            options["border"] = {"none": True}
            if kind in shown:  # the below-zero half of a colour already in the legend
                hidden_legend.append(index)
            shown.add(kind)
        drawn.add_series(options)
    drawn.set_x_axis({"name": sheet.columns[categories[2]].header})
    drawn.set_y_axis({"num_format": value_format, "major_gridlines": {"visible": True}})
    drawn.set_legend({"position": "bottom", "delete_series": hidden_legend})
    return drawn


# ---------------------------------------------------------------------------------------
# the report: every analysis in one workbook (kamtool report)

_KPI_FORMATS = {"money": MONEY, "count": INTEGER, "share": "0.0%", "number": "0.000"}
_CHANGE_FORMATS = {"money": "+#,##0.00;-#,##0.00;0.00", "count": "+#,##0;-#,##0;0",
                   "number": "+0.000;-0.000;0.000"}
# A share's change is in percentage points: the value × 100 under this format.
_POINTS_FORMAT = '+0.0"{pp}";-0.0"{pp}";0.0"{pp}"'
_OVERVIEW_ROW_HEIGHT = 18  # CJK text needs more than the default 15 points


def write_report(report: Any, path: Path, *, lang: str = "en", sources: list[str] | None = None,
                 period: tuple[Any, Any] | None = None, split: tuple[str, str, str] | None = None) -> int:
    """The report's workbook: Overview, each analysis' own sheets (or why it is missing),
    Data quality, Definitions. ``report``: a :class:`kamtool.analyses.report.Report`;
    ``split``: (dimension, value, owner rule) of a workbook per owner. Returns the cells cut."""
    from kamtool.analyses.report import Skipped

    if lang not in LANGS:
        raise UsageError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    prepared: dict[str, tuple[Result, dict[str, pd.DataFrame]] | Skipped] = {}
    for name, result in report.results.items():
        prepared[name] = result if isinstance(result, Skipped) else _people_tables(result, lang)
    sizes = [len(f) for p in prepared.values() if not isinstance(p, Skipped) for f in p[1].values()]
    big = max(sizes, default=0) > CONSTANT_MEMORY_ROWS
    return _write_book(path, big, lambda book: _fill_report(book, report, prepared, lang, sources, period,
                                                            split))


def _fill_report(book: Workbook, report: Any, prepared: dict[str, Any], lang: str, sources: list[str] | None,
                 period: tuple[Any, Any] | None, split: tuple[str, str, str] | None) -> int:
    from kamtool.analyses.report import Skipped
    from kamtool.render.words import report as report_words

    formats = Formats(book, lang)
    names = SheetNames()
    overview_name = names.claim(label("report.sheet.overview", lang))
    plans: list[tuple[str, Any, str, dict[str, str]]] = []
    for name, item in prepared.items():
        short = report_words.analysis_name(name, lang)
        summary_name = names.claim(short)
        sheet_names: dict[str, str] = {}
        if not isinstance(item, Skipped):
            for table in item[1]:
                sheet_names[table] = names.claim(f"{short} · {_sheet_title(table, item[0].command, lang)}")
        plans.append((name, item, summary_name, sheet_names))
    quality_name = names.claim(label("report.sheet.quality", lang))
    definitions_name = names.claim(label("report.sheet.definitions", lang))
    helper = _HelperSheet(book, names.claim(label("report.sheet.chart_data", lang)), formats)

    overview_sheet = book.add_worksheet(overview_name)
    below = _write_overview(overview_sheet, formats, report, lang, sources)
    for name, item, summary_name, sheet_names in plans:
        if isinstance(item, Skipped):
            _write_skipped(book.add_worksheet(summary_name), formats, name, item, lang)
            continue
        result, tables = item
        extra = report_words.sheet_notes(report.sheet_notes.get(name, []), lang)
        _result_sheets(book, formats, result, tables, lang, sources, period, summary_name, sheet_names,
                       helper, extra_notes=extra)
    if report.quality is not None:
        frame = report_words.quality_frame(report.quality, lang)
        quality = Result(command="report", params={}, summary={}, rows=frame,
                         kinds={"value": "text", "header_row": "count"})
        ws = book.add_worksheet(quality_name)
        headers = {key: label(f"report.dq.{key}", lang) for key in ("file", "kind", "item", "value")}
        columns = _prepare(frame, quality, lang, "rows", headers=headers)
        _write_table(ws, formats, columns, len(frame),
                     title_line(quality, label("report.dq.title", lang), lang, sources, period))
    _write_definitions(book.add_worksheet(definitions_name), formats,
                       report_words.definitions(report, lang, split), lang)
    _overview_chart_sheets(book, overview_sheet, report, lang, helper, below)
    helper.finish()
    book.worksheets()[0].activate()
    book.set_properties({"title": label("report.name", lang)})
    return formats.cut_cells


def _write_lines(ws: Worksheet, formats: Formats, row: int, texts: Sequence[str], width: float) -> int:
    """Sentences one per row, wrapped over A:B (merged; the row made tall enough); the next row."""
    for text in texts:
        text = formats.text(text)
        ws.merge_range(row, 0, row, 1, text, formats.wrap)
        needed = math.ceil(display_width(text) / max(width - 2, 1.0))
        if needed > 1:
            ws.set_row(row, 15 * needed)
        row += 1
    return row


def _write_skipped(ws: Worksheet, formats: Formats, name: str, skipped: Any, lang: str) -> None:
    from kamtool.render.words import report as report_words

    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 60)
    title = label("report.skipped.title", lang).format(analysis=report_words.analysis_name(name, lang))
    ws.write_string(0, 0, title, formats.title)
    _write_lines(ws, formats, 2, [report_words.skipped_text(skipped, lang)], 100)
    _print_setup(ws, 100, repeat_header=False)


def _write_definitions(ws: Worksheet, formats: Formats, sections: list[tuple[str, list[str]]],
                       lang: str) -> None:
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 60)
    ws.write_string(0, 0, label("report.def.title", lang), formats.title)
    row = 1
    for caption, lines in sections:
        row += 1
        ws.write_string(row, 0, caption, formats.section)
        row = _write_lines(ws, formats, row + 1, lines, 100)
    _print_setup(ws, 100, repeat_header=False)


def _write_overview(ws: Worksheet, formats: Formats, report: Any, lang: str,
                    sources: list[str] | None) -> int:
    """The KPIs beside last period's values and the change, written strictly row by row;
    returns the first row under them (the charts go there)."""
    from kamtool.analyses.report import KPIS
    from kamtool.render.words import report as report_words

    overview = report.overview
    widths = (44.0, 18.0, 18.0, 16.0, 16.0)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.write_string(0, 0, label("report.overview.title", lang), formats.title)
    lines = [*report_words.headline(overview, lang)]
    if sources:
        lines.append(label("report.sheet_title.files", lang).format(files=", ".join(map(str, sources))))
    row = 1
    for text in lines:
        ws.write_string(row, 0, formats.text(text))
        row += 1
    row += 1
    header_row = row
    headers = ("kpi", "value", "previous", "change", "source")
    ws.set_row(row, _OVERVIEW_ROW_HEIGHT)
    for col, key in enumerate(headers):
        ws.write_string(row, col, label(f"report.overview.{key}", lang),
                        formats.header if col in (0, 4) else formats.header_right)
    row += 1
    for record in overview.rows.to_dict("records"):
        kind = KPIS[str(record["kpi"])][2]
        ws.set_row(row, _OVERVIEW_ROW_HEIGHT)
        ws.write_string(row, 0, report_words.kpi_caption(str(record["kpi"]), lang))
        change, change_format = record["change"], _CHANGE_FORMATS.get(kind)
        if kind == "share":
            change = None if change is None else change * 100
            change_format = _POINTS_FORMAT.format(pp=label("report.overview.points", lang))
        cells = ((1, record["value"], _KPI_FORMATS[kind]), (2, record["previous"], _KPI_FORMATS[kind]),
                 (3, change, change_format))
        for col, value, fmt in cells:
            if value is None or _is_missing(value):
                ws.write_string(row, col, label("report.overview.missing", lang), formats.right)
            else:
                ws.write_number(row, col, float(value), formats.number(fmt))
        ws.write_string(row, 4, report_words.analysis_name(str(record["analysis"]), lang), formats.indent)
        row += 1
    ws.freeze_panes(header_row + 1, 0)
    _print_setup(ws, sum(widths), repeat_header=False)
    ws.fit_to_pages(1, 1)
    return row


def _overview_chart_sheets(book: Workbook, ws: Worksheet, report: Any, lang: str, helper: _HelperSheet,
                           below: int) -> None:
    """The Overview's charts, two by two under the KPIs (row ``below``), their series on the
    hidden chart-data sheet (written after every other sheet, so it comes last)."""
    for index, (title, category, value_name, cats, values, num_format, signed) in enumerate(
            _overview_charts(report, lang)):
        if signed:
            drawn = _bridge_chart(book, helper, category, cats, values, lang)
        else:
            first = helper.block([category, value_name], [cats, values])
            last = first + len(cats) - 1
            drawn = book.add_chart({"type": "column"})
            assert drawn is not None
            drawn.add_series({"name": value_name, "categories": [helper.name, first, 0, last, 0],
                              "values": [helper.name, first, 1, last, 1], "gap": 60,
                              "data_labels": {"value": True, "num_format": _axis_format(num_format)}})
            drawn.set_legend({"none": True})
        drawn.set_x_axis({"name": category})
        drawn.set_y_axis({"num_format": _axis_format(num_format), "major_gridlines": {"visible": True}})
        drawn.set_title({"name": title, "name_font": {"size": 12, "bold": True}})
        drawn.set_size({"width": 540, "height": 330})
        ws.insert_chart(below + 2 + (index // 2) * 18, 0, drawn,
                        {"object_position": 1, "x_offset": 0 if index % 2 == 0 else 560})


def _bridge_chart(book: Workbook, helper: _HelperSheet, category: str, cats: list[Any], values: list[Any],
                  lang: str) -> XlsxChart:
    """The churn revenue bridge as a waterfall (the churn workbook's own series rule)."""
    series = waterfall_series(values)
    used = [name for name, column in series.items() if any(v for v in column)]
    captions = {"base": label("report.waterfall.base", lang), "total": label("report.waterfall.total", lang),
                "up": label("report.waterfall.increase", lang),
                "down": label("report.waterfall.decrease", lang)}
    colours = {"total": "#4472C4", "up": "#70AD47", "down": "#C0504D"}
    first = helper.block([category, *(captions[n.split("_")[0]] for n in used)],
                         [cats, *(series[n] for n in used)])
    last = first + len(cats) - 1
    drawn = book.add_chart({"type": "column", "subtype": "stacked"})
    assert drawn is not None
    hidden: list[int] = []
    shown: set[str] = set()
    for index, name in enumerate(used):
        kind = name.split("_")[0]
        options: dict[str, Any] = {"name": captions[kind], "categories": [helper.name, first, 0, last, 0],
                                   "values": [helper.name, first, index + 1, last, index + 1], "gap": 50,
                                   "border": {"none": True}}
        if kind == "base":
            options["fill"] = {"none": True}
            hidden.append(index)
        else:
            options["fill"] = {"color": colours[kind]}
            if kind in shown:
                hidden.append(index)
            shown.add(kind)
        drawn.add_series(options)
    drawn.set_legend({"position": "bottom", "delete_series": hidden})
    return drawn


def _overview_charts(report: Any, lang: str) -> list[tuple[str, str, str, list[Any], list[Any], str, bool]]:
    """(title, category caption, value caption, categories, values, number format, signed) of
    each Overview chart whose analysis ran: revenue by ABC class, customers by RFM segment, the
    churn revenue bridge, receivables by days past due."""
    from kamtool.result import Result as _Result

    out = []
    results = report.results
    abc = results.get("abc")
    if isinstance(abc, _Result) and "classes" in abc.tables:
        classes = abc.tables["classes"]
        out.append((label("report.chart.classes", lang), label("report.chart.class", lang),
                    label("report.chart.amount", lang), [str(c) for c in classes["class"]],
                    [float(v) for v in classes["value"]], MONEY, False))
    rfm = results.get("rfm")
    if isinstance(rfm, _Result) and isinstance(rfm.summary.get("segment_counts"), dict):
        counts = {k: v for k, v in rfm.summary["segment_counts"].items() if v}
        out.append((label("report.chart.segments", lang), label("report.chart.segment", lang),
                    label("report.chart.customers", lang),
                    [_item_text("rfm", "segment_counts", k, lang) for k in counts],
                    [float(v) for v in counts.values()], INTEGER, False))
    churn = results.get("churn")
    if isinstance(churn, _Result) and "bridge" in churn.tables:
        bridge = words.for_people(churn, lang).tables["bridge"]
        category = "step_label" if "step_label" in bridge else "step"
        out.append((label("report.chart.bridge", lang), label("report.chart.step", lang),
                    label("report.chart.amount", lang), [str(s) for s in bridge[category]],
                    [float(v) for v in bridge["amount"]], MONEY, True))
    credit = results.get("credit")
    if isinstance(credit, _Result) and "aging" in credit.tables:
        shown = words.for_people(credit, lang)
        aging = shown.tables["aging"]
        aging = aging.iloc[:len(aging) - int(shown.context.get("total_rows", {}).get("aging", 0))]
        out.append((label("report.chart.aging", lang), label("report.chart.bucket", lang),
                    label("report.chart.amount", lang), [str(b) for b in aging["bucket"]],
                    [float(v) for v in aging["amount"]], MONEY, False))
    return out
