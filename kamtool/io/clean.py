"""Types for raw export columns: dates, money strings, totals rows, bad rows.

Everything is vectorised with Arrow compute so the same code serves a 50-line
spreadsheet and a 100-million-line export.  Every row that does not become an
order line is counted under a reason; a value that cannot be read is an error
naming the file, the row, the column and the value, unless --skip-bad-rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

from kamtool.errors import DataError
from kamtool.io.columns import CANONICAL as KNOWN_COLUMNS
from kamtool.io.columns import DATE_COLUMNS, MONEY_COLUMNS, NUMBER_COLUMNS, TEXT_COLUMNS, Mapping
from kamtool.io.rules import (
    MAX_MONEY,
    REASON_BLANK,
    REASON_TOTALS,
    TOTALS_PATTERN,
    BatchStats,
    CleanOptions,
    label_headers,
)

if TYPE_CHECKING:
    from kamtool.io.read import Source

CURRENCY_PATTERN = "(?i)[¥￥$€£\\s\u00a0']|rmb|cny|usd|eur|gbp|元"
NUMBER_PATTERN = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
YMD_DASHED = r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
ISO_DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
YMD_COMPACT = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"
# Year, month, day with one separator and no time (2024/3/5, 2024.03.05): the form most exports
# that are not ISO write, read by one strptime instead of the general path's rewrites.
YMD_SEPARATORS = ("/", ".", "-")
# Money text with thousands commas only where they group digits (or none), and a decimal point:
# 1,234.50, -12.25, 1200.
PLAIN_GROUPED = r"^-?(\d{1,3}(,\d{3})*|\d+)(\.\d+)?$"
# Excel stores dates as days since 1899-12-30; 20,000..80,000 is 1954..2119.
EXCEL_SERIAL_RANGE = (20_000, 80_000)
EXCEL_EPOCH_DAYS = -25_569  # 1899-12-30 as days since 1970-01-01

Mask: TypeAlias = "pa.ChunkedArray | pa.Array"  # a column of values or of booleans

def grouped_pattern(thousands: str, decimal: str) -> str:
    """Thousands separators only where they group digits (1,234,567 or 12,34,567), so
    "12,50" from a decimal-comma export is an error, not 1,250."""
    t, d = "\\" + thousands, "\\" + decimal
    return rf"^[(+-]*(\d{{1,3}}({t}\d{{3}})+|\d{{1,2}}({t}\d{{2}})+{t}\d{{3}})({d}\d*)?\)?$"


def is_empty(arr: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return pc.fill_null(pc.equal(pc.utf8_trim_whitespace(arr), ""), True)
    return pc.is_null(arr, nan_is_null=True)


def as_text(arr: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Any column as trimmed text; empty -> null; 1001.0 -> '1001'."""
    if pa.types.is_floating(arr.type):
        integral = pc.equal(pc.floor(arr), arr)
        as_int = pc.cast(pc.if_else(integral, arr, None), pa.int64(), safe=False)
        arr = pc.coalesce(pc.cast(as_int, pa.string()), pc.cast(arr, pa.string()))
    elif not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.string())
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def parse_number(
    arr: pa.ChunkedArray | pa.Array, decimal: str = "."
) -> tuple[pa.ChunkedArray | pa.Array, pa.ChunkedArray | pa.Array]:
    """Money and quantity text -> float64, and a mask of values that are not numbers.

    Accepts currency signs and codes, thousands separators, spaces and
    ``(123.45)`` for negatives; ``decimal=","`` for decimal-comma exports.
    """
    values, bad, _text = parse_number_text(arr, decimal)
    return values, bad


def parse_number_text(
    arr: pa.ChunkedArray | pa.Array, decimal: str = "."
) -> tuple[Mask, Mask, Mask | None]:
    """:func:`parse_number`, and the trimmed text when some value was not a plain number
    (None when every value was one): the cells that needed cleaning are found in it."""
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type) or pa.types.is_decimal(arr.type):
        values = pc.cast(arr, pa.float64())
        return values, pc.fill_null(pc.invert(pc.is_finite(values)), False), None
    if pa.types.is_boolean(arr.type) or pa.types.is_temporal(arr.type):
        text = pc.cast(arr, pa.string())
    else:
        text = arr
    text = pc.utf8_trim_whitespace(text)
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    try:  # fast path: plain numbers
        if decimal == ".":
            values = pc.cast(text, pa.float64())
            return values, pc.fill_null(pc.invert(pc.is_finite(values)), False), None  # "nan", "inf"
    except pa.ArrowInvalid:
        pass
    if decimal == "." and pc.all(pc.fill_null(pc.match_substring_regex(text, PLAIN_GROUPED), True)).as_py():
        # Every value is 1,234.50 or -1234.5: the general path below would only drop the commas
        # (no sign, bracket or currency to rewrite, no misgrouping), so do just that.
        values = pc.cast(pc.replace_substring(text, ",", ""), pa.float64())
        valid = pc.fill_null(pc.is_finite(values), True)
        bad = pc.and_(pc.is_valid(text), pc.invert(valid))
        return pc.if_else(valid, values, pa.scalar(None, pa.float64())), bad, text
    cleaned = pc.replace_substring_regex(text, CURRENCY_PATTERN, "")
    thousands = "." if decimal == "," else ","
    grouped = pc.match_substring_regex(cleaned, grouped_pattern(thousands, decimal))
    misgrouped = pc.and_(pc.match_substring(cleaned, thousands), pc.invert(grouped))
    cleaned = pc.replace_substring(cleaned, thousands, "")
    if decimal == ",":
        cleaned = pc.replace_substring(cleaned, ",", ".")
    cleaned = pc.replace_substring_regex(cleaned, r"^\((.*)\)$", r"-\1")
    cleaned = pc.replace_substring_regex(cleaned, r"^-\+|^\+-", "-")
    valid = pc.and_(
        pc.fill_null(pc.match_substring_regex(cleaned, NUMBER_PATTERN), False),
        pc.invert(pc.fill_null(misgrouped, False)),
    )
    values = pc.cast(pc.if_else(valid, cleaned, pa.scalar(None, pa.string())), pa.float64())
    # 1e999 is a well-formed number that is not finite.
    valid = pc.and_(valid, pc.fill_null(pc.is_finite(values), True))
    bad = pc.and_(pc.is_valid(text), pc.invert(valid))
    return pc.if_else(valid, values, pa.scalar(None, pa.float64())), bad, text


def to_cents(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    # Values too large for cents (inf, nan) are null here: their rows are errors, or
    # skipped under --skip-bad-rows, but the column is converted before the filter.
    values = pc.if_else(too_large(values), pa.scalar(None, pa.float64()), values)
    # Round away from representation noise (1.005*100 = 100.49999…) before the
    # commercial half-away-from-zero rounding to whole cents.
    scaled = pc.round(pc.multiply(values, 100.0), 6)
    return pc.cast(pc.round(scaled, 0, round_mode="half_towards_infinity"), pa.int64())


def parse_date(
    arr: pa.ChunkedArray | pa.Array, dayfirst: bool = False
) -> tuple[pa.ChunkedArray | pa.Array, pa.ChunkedArray | pa.Array]:
    """Dates in the forms exports use -> date32, and a mask of unreadable values.

    ISO, 2024/3/5, 2024-3-5, 2024.3.5, 2024年3月5日, 20240305, Excel serial numbers,
    datetimes with times (the time is dropped), and 5/3/2024 (month first unless
    ``dayfirst``).
    """
    parsed, bad, _text = parse_date_text(arr, dayfirst)
    return parsed, bad


def parse_date_text(arr: pa.ChunkedArray | pa.Array,
                    dayfirst: bool = False) -> tuple[Mask, Mask, Mask | None]:
    """:func:`parse_date`, and the trimmed text when some value was not a plain ISO day
    (None when every value was one, or the column is typed)."""
    if pa.types.is_date(arr.type):
        return pc.cast(arr, pa.date32()), pa.scalar(False), None
    if pa.types.is_timestamp(arr.type):
        return pc.cast(pc.floor_temporal(arr, unit="day"), pa.date32()), pa.scalar(False), None
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        return (*_numeric_dates(pc.cast(arr, pa.float64())), None)
    text = pc.utf8_trim_whitespace(pc.cast(arr, pa.string()))
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    sep = _ymd_separator(text)
    # A first value like 2024/3/5 fails the ISO cast, whose failure is costly (0.4 s a batch).
    if sep not in ("/", "."):
        try:  # fast path: all ISO days; Arrow's cast is strict (2024-02-30 fails it)
            return pc.cast(text, pa.date32()), pa.scalar(False), None
        except pa.ArrowInvalid:
            pass
    separated = _separated_ymd(text, sep) if sep is not None else None
    if separated is not None:
        return separated, pc.and_(pc.is_valid(text), pc.is_null(separated)), text
    parsed = _ymd(text, "%Y-%m-%d", YMD_DASHED)
    todo = pc.and_(pc.is_valid(text), pc.is_null(parsed))
    if pc.any(todo).as_py():
        parsed = pc.coalesce(parsed, _slow_dates(text, dayfirst))
    bad = pc.and_(pc.is_valid(text), pc.is_null(parsed))
    return parsed, bad, text


def _ymd(text: Mask, fmt: str, pattern: str) -> Mask:
    """strptime, but a day the calendar lacks is no date.

    Arrow's strptime rolls 2024-02-30 over to 2024-03-01; the year, month and day
    written in the text must be the ones parsed.
    """
    parsed = pc.cast(pc.strptime(text, fmt, unit="s", error_is_null=True), pa.date32())
    parts = pc.extract_regex(text, pattern)
    same = None
    for name, part in (("y", pc.year), ("m", pc.month), ("d", pc.day)):
        written = pc.cast(pc.struct_field(parts, name), pa.int64())
        equal = pc.equal(written, part(parsed))
        same = equal if same is None else pc.and_(same, equal)
    return pc.if_else(pc.fill_null(same, True), parsed, pa.scalar(None, pa.date32()))


def _ymd_separator(text: Mask) -> str | None:
    """The separator after the year of the first value (2024/3/5: '/'), if it has one."""
    first = pc.index(pc.is_valid(text), True).as_py()
    if first < 0:
        return None
    sample = str(text[first].as_py())
    return next((c for c in YMD_SEPARATORS if len(sample) > 4 and sample[4] == c and sample[:4].isdigit()),
                None)


def _separated_ymd(text: Mask, sep: str) -> Mask | None:
    """Dates when every value is year, month, day with ``sep`` between (2024/3/5); else None.

    strptime checks the month (1..12) and the day (1..31) but rolls 2024/2/30 over to
    March 1st: a date is kept only if its day is the day written, the last one or two digits.
    The same dates, and the same nulls, as the general path below, which rewrites each
    value to 2024-03-05 first (tests/test_bench_messy.py compares the two on every month
    and day, 0 to 32, of a leap and a common year).
    """
    s = "\\" + sep
    form = pc.match_substring_regex(text, rf"^\d{{4}}{s}\d{{1,2}}{s}\d{{1,2}}$")
    if not pc.all(pc.fill_null(form, True)).as_py():
        return None
    parsed = pc.cast(pc.strptime(text, f"%Y{sep}%m{sep}%d", unit="s", error_is_null=True), pa.date32())
    tail = pc.utf8_slice_codeunits(text, -2)
    written = pc.cast(pc.replace_substring(tail, sep, ""), pa.int64())
    same = pc.fill_null(pc.equal(written, pc.day(parsed)), False)
    return pc.if_else(same, parsed, pa.scalar(None, pa.date32()))


def _slow_dates(text: pa.ChunkedArray | pa.Array, dayfirst: bool) -> pa.ChunkedArray | pa.Array:
    time = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)?"
    iso = pc.replace_substring_regex(
        text, rf"^(\d{{4}})\s*[-/.年]\s*(\d{{1,2}})\s*[-/.月]\s*(\d{{1,2}})\s*日?{time}$", r"\1-\2-\3"
    )
    iso = pc.replace_substring_regex(iso, r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3")
    order = r"\3-\2-\1" if dayfirst else r"\3-\1-\2"
    iso = pc.replace_substring_regex(iso, rf"^(\d{{1,2}})[-/.](\d{{1,2}})[-/.](\d{{4}}){time}$", order)
    iso = pc.replace_substring_regex(iso, r"^(\d{4})-(\d)-", r"\1-0\2-")
    iso = pc.replace_substring_regex(iso, r"^(\d{4}-\d{2})-(\d)$", r"\1-0\2")
    parsed = _ymd(iso, "%Y-%m-%d", YMD_DASHED)
    # Excel serial numbers that arrived as text ("45123" or "45123.5").
    serial_text = pc.match_substring_regex(text, r"^\d{5}(\.\d+)?$")
    if pc.any(serial_text).as_py():
        numbers = pc.cast(pc.if_else(serial_text, text, pa.scalar(None, pa.string())), pa.float64())
        serial, _ = _numeric_dates(numbers)
        parsed = pc.coalesce(parsed, serial)
    return parsed


def _numeric_dates(
    values: pa.ChunkedArray | pa.Array,
) -> tuple[pa.ChunkedArray | pa.Array, pa.ChunkedArray | pa.Array]:
    lo, hi = EXCEL_SERIAL_RANGE
    whole = pc.floor(values)
    is_serial = pc.and_(pc.greater_equal(whole, lo), pc.less(whole, hi))
    days = pc.cast(pc.add(pc.if_else(is_serial, whole, None), float(EXCEL_EPOCH_DAYS)), pa.int32())
    serial = pc.cast(days, pa.date32())
    is_ymd = pc.and_(pc.greater_equal(whole, 19_000_101), pc.less_equal(whole, 21_001_231))
    ymd_text = pc.cast(pc.cast(pc.if_else(is_ymd, whole, None), pa.int64()), pa.string())
    ymd = _ymd(ymd_text, "%Y%m%d", YMD_COMPACT)
    parsed = pc.coalesce(serial, ymd)
    bad = pc.and_(pc.is_valid(values), pc.is_null(parsed))
    return parsed, pc.fill_null(bad, True)


def too_large(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Money values whose cents would not fit the int64 sums (inf and nan included)."""
    return pc.fill_null(pc.invert(pc.less(pc.abs(values), MAX_MONEY)), False)


def may_hold_totals(col: pa.ChunkedArray | pa.Array) -> bool:
    """Whether any cell could be a totals label: every one holds 计 or "total".

    The column's character buffer is searched as one value (milliseconds for a
    million cells, no copy), which spares the per-cell regular expression on
    nearly every batch. ``ignore_case`` takes Arrow's RE2 path, the fastest here
    for the multi-byte 计 too.
    """
    import numpy as np

    chunks = col.chunks if isinstance(col, pa.ChunkedArray) else [col]
    for chunk in chunks:
        buffers = chunk.buffers()
        data = buffers[2] if len(buffers) > 2 else None
        if data is None or data.size == 0:
            continue
        offsets = pa.py_buffer(np.array([0, data.size], dtype=np.int64))
        whole = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, data])
        for needle in ("计", "total"):
            if pc.match_substring(whole, needle, ignore_case=True)[0].as_py():
                return True
    return False


def _first_true(mask: pa.ChunkedArray | pa.Array) -> int:
    return int(pc.index(pc.fill_null(mask, False), True).as_py())


class Cleaner:
    """Turns raw batches of one source into canonical order lines."""

    def __init__(self, source: Source, mapping: Mapping, options: CleanOptions):
        self.source = source
        self.mapping = mapping
        self.options = options
        self.label_headers = label_headers(source.headers, mapping)
        self.raw_columns = list(dict.fromkeys(list(mapping.columns.values()) + self.label_headers))
        self.unmapped_labels = [h for h in self.label_headers if h not in mapping.columns.values()]
        # The first cell that needed more than a plain read (see BatchStats.first_cleaned).
        self.first_cleaned: str | None = None

    def clean(self, raw: pa.Table, offset: int) -> tuple[pa.Table, BatchStats]:
        stats = BatchStats(rows=raw.num_rows)
        mapped = self.mapping.columns
        # Every row kept until a rule drops it (built in C: a list of a million Trues is not free).
        keep = pc.fill_null(pa.nulls(raw.num_rows, pa.bool_()), True)

        totals = None
        for header in self.label_headers:
            col = raw[header]
            if pa.types.is_dictionary(col.type) and pa.types.is_string(col.type.value_type):
                col = col.cast(pa.string())  # a categorical column from pandas
            if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
                continue
            if not may_hold_totals(col):
                continue
            hit = pc.fill_null(pc.match_substring_regex(col, TOTALS_PATTERN), False)
            totals = hit if totals is None else pc.or_(totals, hit)
        if totals is not None:
            keep = self._drop(keep, pc.and_(keep, totals), REASON_TOTALS, stats)

        out: dict[str, pa.ChunkedArray | pa.Array] = {}
        for canon, header in mapped.items():
            col = raw[header]
            if canon in TEXT_COLUMNS:
                out[canon] = as_text(col)
            elif canon in DATE_COLUMNS:
                value, bad, text = parse_date_text(col, self.options.dayfirst)
                keep = self._bad(keep, bad, canon, header, col, offset, stats, "is not a date")
                first, last = self.options.date_range
                outside = pc.fill_null(pc.or_(pc.less(value, pa.scalar(first, pa.date32())),
                                              pc.greater(value, pa.scalar(last, pa.date32()))), False)
                keep = self._bad(keep, outside, canon, header, col, offset, stats,
                                 f"is outside {first.isoformat()}..{last.isoformat()}", hint=False,
                                 reason=f"{canon}: outside the date range",
                                 advice="--date-range FIRST,LAST widens it; ")
                if text is not None and self.first_cleaned is None:
                    self._note(text, ISO_DAY_PATTERN, keep, col, header, offset, "holds the date {value} "
                               "in column {header}, not written YYYY-MM-DD")
                out[canon] = value
            elif canon in NUMBER_COLUMNS:
                value, bad, text = parse_number_text(col, self.options.decimal)
                keep = self._bad(keep, bad, canon, header, col, offset, stats, "is not a number")
                if canon in MONEY_COLUMNS:
                    keep = self._bad(keep, too_large(value), canon, header, col, offset, stats,
                                     "is too large for an amount", hint=False)
                if text is not None and self.first_cleaned is None:
                    kind = "money text" if canon in MONEY_COLUMNS else "number text"
                    self._note(text, NUMBER_PATTERN, keep, col, header, offset,
                               f"holds {kind} {{value}} in column {{header}}")
                out[canon] = value
            else:  # a file's own column named by the user (pareto --by Kundengruppe): text
                out[canon] = as_text(col)

        # Blank rows: every column we read is empty (parsing makes empty cells null;
        # a blank row has no value that could fail to parse).
        blank = None
        for canon in out:
            empty = pc.is_null(out[canon])
            blank = empty if blank is None else pc.and_(blank, empty)
        for header in self.unmapped_labels:
            empty = is_empty(raw[header])
            blank = empty if blank is None else pc.and_(blank, empty)
        if blank is not None:
            keep = self._drop(keep, blank, REASON_BLANK, stats)

        for canon in ("customer", "date"):
            if canon in out:
                missing = pc.is_null(out[canon])
                keep = self._missing(keep, missing, canon, mapped[canon], offset, stats)

        amount = out.get("amount")
        if amount is None and "quantity" in out and "unit_price" in out:
            amount = pc.multiply(out["quantity"], out["unit_price"])
            keep = self._bad(keep, too_large(amount), "amount", "quantity × unit_price", amount, offset,
                             stats, "is too large for an amount", hint=False)
        if amount is not None:
            keep = self._missing(keep, pc.is_null(amount), "amount",
                                 mapped.get("amount", "quantity × unit_price"), offset, stats)

        for canon, values in out.items():
            stats.missing[canon] += int(pc.sum(pc.and_(keep, pc.is_null(values))).as_py() or 0)

        lines: dict[str, pa.ChunkedArray | pa.Array] = {}
        for canon in ("customer", "date", "order_id", "invoice_id"):
            if canon in out:
                lines[canon] = out[canon]
        if amount is not None:
            lines["amount_c"] = to_cents(amount)
        if "quantity" in out:
            lines["quantity"] = out["quantity"]
        if "profit" in out:
            lines["profit_c"] = to_cents(out["profit"])
        elif "cost" in out and amount is not None:
            # Lines without a cost have unknown profit, not a profit equal to revenue.
            lines["profit_c"] = pc.subtract(to_cents(amount), to_cents(out["cost"]))
        for canon in ("customer_name", "salesperson", "region", "channel", "product", "brand",
                      "category", "due_date", "paid_date"):
            if canon in out:
                lines[canon] = out[canon]
        if "paid_amount" in out:
            lines["paid_amount_c"] = to_cents(out["paid_amount"])
        for name, values in out.items():
            if name not in lines and name not in KNOWN_COLUMNS:
                lines[name] = values
        table = pa.table(lines)
        if not pc.all(keep).as_py():
            table = table.filter(keep)
        stats.first_cleaned = self.first_cleaned
        return table, stats

    def _note(self, text: Mask, plain: str, keep: Mask, col: Mask, header: str, offset: int,
              sentence: str) -> None:
        """Remember the first kept cell whose text is not ``plain``, as a sentence.

        Runs only on a batch that left the fast path, and only until one cell is found.
        """
        odd = pc.and_(pc.and_(keep, pc.is_valid(text)),
                      pc.invert(pc.fill_null(pc.match_substring_regex(text, plain), True)))
        if not pc.any(odd).as_py():
            return
        i = _first_true(odd)
        where = self.source.row_label(offset + i)
        self.first_cleaned = f"{where} " + sentence.format(value=repr(str(col[i].as_py())), header=header)

    def _drop(self, keep: Mask, mask: Mask, reason: str, stats: BatchStats) -> Mask:
        mask = pc.fill_null(mask, False)  # a null in a filter mask would drop a row silently
        n = int(pc.sum(pc.and_(keep, mask)).as_py() or 0)
        if n:
            stats.dropped[reason] += n
            keep = pc.and_(keep, pc.invert(mask))
        return keep

    def _bad(self, keep: Mask, bad: Mask, canon: str, header: str, col: Mask, offset: int,
             stats: BatchStats, what: str, hint: bool = True, reason: str | None = None,
             advice: str = "") -> Mask:
        bad = pc.and_(keep, bad)
        if not pc.any(bad).as_py():
            return keep
        if not self.options.skip_bad_rows:
            i = _first_true(bad)
            try:
                value = col[i].as_py()
            except (OverflowError, ValueError):  # a date beyond Python's years 1–9999: its raw number
                width = pa.int32() if col.type.bit_width == 32 else pa.int64()
                raw = pa.array([col[i]], type=col.type).view(width)
                value = f"{col.type} {raw[0].as_py()}"
            raise DataError.said("error.clean.column_skip_bad_rows", name=self.source.name,
                                 row_label=self.source.row_label(offset + i), value=str(value), what=what,
                                 header=header, hint=self._hint(canon) if hint else '', advice=advice)
        if reason is None:
            reason = f"{canon}: {what[3:] if what.startswith('is ') else what}"
        return self._drop(keep, bad, reason, stats)

    def _missing(self, keep: Mask, missing: Mask, canon: str, header: str, offset: int,
                 stats: BatchStats) -> Mask:
        missing = pc.and_(keep, missing)
        if not pc.any(missing).as_py():
            return keep
        if not self.options.skip_bad_rows:
            i = _first_true(missing)
            raise DataError.said("error.clean.no_column_empty_skip", name=self.source.name,
                                 row_label=self.source.row_label(offset + i), canon=canon, header=header)
        return self._drop(keep, missing, f"{canon}: missing", stats)

    def _hint(self, canon: str) -> str:
        if canon in DATE_COLUMNS and not self.options.dayfirst:
            return "; for day-first dates like 31/01/2024 add --dayfirst"
        if canon in NUMBER_COLUMNS and self.options.decimal == ".":
            return "; for decimal commas like 1.234,56 add --decimal ,"
        return ""
