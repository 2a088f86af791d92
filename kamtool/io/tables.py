"""The second input files: ``--accounts`` (one row per customer) and ``--payments`` (one row
per payment received), read with the order files' io.

The same sniffing (encoding, separator, title rows above the header, the sheet of a
workbook), the same cleaning of money text (``¥1,234.50``, ``(200)``) and dates
(``2024/3/5``, ``2024年3月5日``, Excel serials), totals rows (合计) and blank rows dropped and
counted, and the same errors naming the file, the row and the column.  Headers are mapped
with the file kind's own synonym table (:data:`kamtool.io.columns.TABLES`: an accounts
file's 客户经理 is its ``owner``, a payments file's 收款金额 its ``amount``), and ``--col``-style
overrides come from kamtool.toml's ``[accounts]`` and ``[payments]`` tables
(:func:`config_mapping`).

Both readers return ``(frame, report)``: the frame in canonical column names only, one row
per data row kept, in file order (its index counts them from 0); the report says what was
read, how it was mapped and what was dropped.

Accounts columns: ``customer`` (required) and any of ``customer_name``, ``strategic_value``
and ``elasticity`` (numbers), ``owner``, ``segment``, ``industry``, ``region``, ``status``
(黑名单, 停止供货 … as written), ``churn_reason`` (text), ``credit_limit`` (money, currency
units), ``payment_terms`` (text; "30天", "30 days", "Net 30" become "30", the days credit
reads).  Payments columns: ``customer``, ``date``, ``amount`` (required; money rounded to the
cent) and the invoice reference ``invoice_id`` or ``order_id`` when the file has one.  Support
columns (``--support``, tiers): ``customer``, ``date`` (a day in the month), ``support`` (a number).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kamtool.errors import ColumnError, DataError, UsageError
from kamtool.io import columns as colmod
from kamtool.io.read import ReadOptions, Source, open_source
from kamtool.io.rules import REASON_BLANK, REASON_RAGGED, REASON_TOTALS, TOTALS_PATTERN, CleanOptions

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

# What each kind of file must have, and how its columns are cleaned.
REQUIRED = {"accounts": ("customer",), "payments": ("customer", "date", "amount"),
            "support": ("customer", "date", "support")}
_DATES = {"accounts": frozenset(), "payments": frozenset({"date"}), "support": frozenset({"date"})}
_MONEY = {"accounts": colmod.ACCOUNT_MONEY, "payments": frozenset({"amount"}), "support": frozenset()}
_NUMBERS = {"accounts": colmod.ACCOUNT_NUMBERS, "payments": frozenset(), "support": frozenset({"support"})}
# "30天", "30 days", "net 30", "30d" -> "30": terms written as a number of days.
TERMS_PATTERN = r"(?i)^(?:net\s*)?(\d+)\s*(?:天|日|days?|d)?$"
SECTIONS = ("accounts", "payments", "support")


@dataclass(frozen=True)
class TableOptions:
    """How to read a second file: the shared read and clean options, and the column mapping
    (canonical column -> header) from ``[accounts]`` / ``[payments]`` and the command line."""

    read: ReadOptions = field(default_factory=ReadOptions)
    clean: CleanOptions = field(default_factory=CleanOptions)
    overrides: dict[str, str] = field(default_factory=dict)


@dataclass
class TableReport:
    """What kamtool saw in a second file."""

    name: str
    kind: str
    format: str
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    header_row: int | None
    mapping: dict[str, str]
    unused: list[str]
    rows: int = 0  # data rows read
    kept: int = 0
    dropped: Counter[str] = field(default_factory=Counter)


def config_mapping(config: dict[str, Any], kind: str, source: str = "kamtool.toml") -> dict[str, str]:
    """The ``[accounts]`` or ``[payments]`` table of kamtool.toml: column = "Header"."""
    if kind not in SECTIONS:
        raise ValueError(f"no config section for {kind!r}")
    value = config.get(kind, {})
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise UsageError.said("error.tables.must_table_column_header", source=source, kind=kind)
    return colmod.parse_overrides((f"{k}={v}" for k, v in value.items()), kind, option=f"{source} [{kind}]")


def read_accounts(path: str, options: TableOptions | None = None) -> tuple[pd.DataFrame, TableReport]:
    """The accounts file (客户资料) in canonical columns (see the module)."""
    return read_table(path, "accounts", options)


def read_payments(path: str, options: TableOptions | None = None) -> tuple[pd.DataFrame, TableReport]:
    """The payments file (收款记录) in canonical columns (see the module)."""
    return read_table(path, "payments", options)


def read_table(path: str, kind: str, options: TableOptions | None = None) -> tuple[pd.DataFrame, TableReport]:
    """A second file of ``kind`` ("accounts" or "payments") -> (frame, report)."""
    import pandas as pd
    import pyarrow as pa

    if kind not in REQUIRED:
        raise ValueError(f"no second file of kind {kind!r}")
    opts = options or TableOptions()
    read = dataclasses.replace(opts.read, kind=kind,
                               expected_headers=tuple(opts.overrides.values()) or opts.read.expected_headers)
    source = open_source(path, read)
    source.skip_bad_rows = opts.clean.skip_bad_rows
    mapping = colmod.map_columns(source.headers, opts.overrides, source=source.name, kind=kind)
    _require(mapping, source, kind)
    report = TableReport(name=source.name, kind=kind, format=source.format, encoding=source.encoding,
                         delimiter=source.delimiter, sheet=source.sheet, header_row=source.header_row,
                         mapping=dict(mapping.columns), unused=list(mapping.unused))
    first = source.headers[0] if source.headers else None
    labels = list(dict.fromkeys([h for h in (first, mapping.columns["customer"]) if h is not None]))
    raw_columns = list(dict.fromkeys([*mapping.columns.values(), *labels]))
    pieces: list[pa.Table] = []
    for raw, offset in source.batches(raw_columns):
        pieces.append(_clean(raw, offset, source, mapping, kind, opts.clean, labels, report))
    if source.ragged_rows:
        report.rows += source.ragged_rows
        report.dropped[REASON_RAGGED] += source.ragged_rows
    names = list(mapping.columns)
    if pieces:
        table = pa.concat_tables(pieces)
    else:
        table = pa.table({n: pa.array([], _arrow_type(n, kind)) for n in names})
    frame = table.to_pandas(date_as_object=False)
    for name in names:
        if name in _DATES[kind]:
            frame[name] = pd.to_datetime(frame[name])
    report.kept = len(frame)
    return frame.reset_index(drop=True), report


def _require(mapping: colmod.Mapping, source: Source, kind: str) -> None:
    missing = [c for c in REQUIRED[kind] if c not in mapping]
    if not missing:
        return
    shown = ", ".join(repr(str(h)) for h in source.headers) or "(none)"
    example = mapping.unused[0] if mapping.unused else "HEADER"
    raise ColumnError.said("error.tables.file_has_no_column", name=source.name, kind=kind,
                           missing=' / '.join(missing), shown=shown, missing2=missing[0], example=example)


def _arrow_type(name: str, kind: str) -> pa.DataType:
    import pyarrow as pa

    if name in _DATES[kind]:
        return pa.date32()
    if name in _MONEY[kind] or name in _NUMBERS[kind]:
        return pa.float64()
    return pa.string()


def _clean(raw: pa.Table, offset: int, source: Source, mapping: colmod.Mapping, kind: str,
           clean: CleanOptions, labels: list[str], report: TableReport) -> pa.Table:
    """One batch of a second file -> its canonical columns, bad cells raising (or skipped)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from kamtool.io.clean import as_text, is_empty, parse_date_text, parse_number_text, to_cents, too_large

    n = raw.num_rows
    report.rows += n
    keep: Any = pa.array([True] * n, pa.bool_())

    def drop(mask: Any, reason: str) -> None:
        nonlocal keep
        mask = pc.and_(keep, pc.fill_null(mask, False))
        count = int(pc.sum(mask).as_py() or 0)
        if count:
            report.dropped[reason] += count
            keep = pc.and_(keep, pc.invert(mask))

    def fail(mask: Any, header: str, col: Any, what: str) -> None:
        mask = pc.and_(keep, pc.fill_null(mask, False))
        if not pc.any(mask).as_py():
            return
        if clean.skip_bad_rows:
            drop(mask, f"{header}: {what}")
            return
        i = int(pc.index(mask, True).as_py())
        raise DataError.said("error.tables.column_skip_bad_rows", name=source.name,
                             row_label=source.row_label(offset + i), as_py=str(col[i].as_py()), what=what,
                             header=header)

    for header in labels:
        col = raw[header]
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            drop(pc.match_substring_regex(col, TOTALS_PATTERN), REASON_TOTALS)

    out: dict[str, Any] = {}
    for canon, header in mapping.columns.items():
        col = raw[header]
        if canon in _DATES[kind]:
            value, bad, _text = parse_date_text(col, clean.dayfirst)
            fail(bad, header, col, "is not a date")
        elif canon in _MONEY[kind] or canon in _NUMBERS[kind]:
            value, bad, _text = parse_number_text(col, clean.decimal)
            fail(bad, header, col, "is not a number")
            if canon in _MONEY[kind]:
                fail(too_large(value), header, col, "is too large for an amount")
                # Money to the cent, as the order lines are.
                value = pc.divide(pc.cast(to_cents(value), pa.float64()), 100.0)
        else:
            value = as_text(col)
            if canon == "payment_terms":
                value = pc.replace_substring_regex(value, TERMS_PATTERN, r"\1")
        out[canon] = value

    blank = None
    for header in raw.column_names:
        empty = is_empty(raw[header])
        blank = empty if blank is None else pc.and_(blank, empty)
    if blank is not None:
        drop(blank, REASON_BLANK)
    for canon in REQUIRED[kind]:
        missing = pc.and_(keep, pc.is_null(out[canon]))
        if pc.any(missing).as_py():
            if clean.skip_bad_rows:
                drop(missing, f"{canon}: missing")
            else:
                i = int(pc.index(missing, True).as_py())
                raise DataError.said("error.tables.no_column_empty_skip", name=source.name,
                                     row_label=source.row_label(offset + i), canon=canon,
                                     columns=mapping.columns[canon])
    table = pa.table({c: _typed(v, _arrow_type(c, kind)) for c, v in out.items()})
    return table.filter(keep)


def _typed(values: Any, kind: pa.DataType) -> Any:
    return values if values.type == kind else values.cast(kind)
