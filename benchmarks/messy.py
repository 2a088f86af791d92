#!/usr/bin/env python
"""Write the messy twin of a clean benchmark file: the same order lines, as an ERP exports them.

The twin holds exactly the clean file's lines and figures, written the way the files that need
cleaning arrive (issue 16: "GBK, money text, slashed dates, totals lines, workbooks"):

- GBK text (CSV), Chinese headers (订单号, 订单日期, 客户编号 …) and Chinese region, channel, brand
  and category values;
- a title line above the header (``销售订单明细`` and the export's line count);
- money as text with thousands separators, ``"1,234.50"`` (quoted: it holds the delimiter);
- dates written ``2024/3/5``;
- a totals line at the end (``合计`` in the first column, the sums of quantity, amount and cost),
  which kamtool drops and counts; every other line is one of the clean file's.

CSV and Parquet sources are read by DuckDB and the lines written by DuckDB's parallel CSV writer
(UTF-8, to a temporary file), then transcoded to GBK in blocks: no Python loop over lines, so a
10M-line twin takes about a minute.  The workbook twin (``.xlsx``) is written by XlsxWriter in
constant-memory mode, cell by cell (a sheet holds at most about a million lines).

    python benchmarks/messy.py /tmp/bench/orders_1M.csv /tmp/messy/orders_1M_messy.csv
    python benchmarks/messy.py /tmp/bench/orders_1M.csv /tmp/messy/orders_100k_messy.xlsx
"""

from __future__ import annotations

import codecs
import os
import sys
from pathlib import Path
from typing import Any

COLUMNS: tuple[str, ...] = (
    "order_id", "order_date", "customer_id", "customer_name", "salesperson", "region",
    "channel", "product", "brand", "category", "quantity", "unit_price", "amount", "cost",
)
MONEY: tuple[str, ...] = ("unit_price", "amount", "cost")
SUMMED: tuple[str, ...] = ("quantity", "amount", "cost")  # what the totals line sums
ZH_HEADERS: dict[str, str] = {
    "order_id": "订单号", "order_date": "订单日期", "customer_id": "客户编号",
    "customer_name": "客户名称", "salesperson": "业务员", "region": "区域", "channel": "渠道",
    "product": "产品", "brand": "品牌", "category": "品类", "quantity": "数量",
    "unit_price": "单价", "amount": "金额", "cost": "成本",
}
# The generator's English words in Chinese (scripts/make_orders.py's locales); others stay as they are.
ZH_VALUES: dict[str, dict[str, str]] = {
    "region": {"East": "华东", "South": "华南", "North": "华北", "West": "西南", "Central": "华中"},
    "channel": {"Direct": "直销", "Distributor": "经销", "Online": "线上"},
    "brand": {"Kamaro": "凯马", "Nordline": "北辰", "Vexa": "维信", "Bluepeak": "蓝峰", "Solano": "金禾"},
    "category": {"Paper": "纸品", "Toner": "硒鼓", "Cleaning": "清洁用品", "Coffee & Tea": "咖啡茶饮",
                 "Packaging": "包装材料"},
}
TITLE = "销售订单明细"
TOTALS_LABEL = "合计"
ENCODING = "gbk"
BLOCK_CHARS = 8 << 20  # characters transcoded at a time


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _reader(clean: Path) -> str:
    suffix = clean.suffix.lower()
    path = _sql_text(str(clean))
    if suffix == ".csv":
        # Typed as the generator writes them, so that nothing depends on DuckDB's sniffing.
        types = {"order_date": "DATE", "quantity": "DOUBLE", **{c: "DECIMAL(18,2)" for c in MONEY}}
        spec = ", ".join(f"{_sql_text(k)}: {_sql_text(v)}" for k, v in types.items())
        return f"read_csv({path}, header = true, types = {{{spec}}})"
    if suffix in (".parquet", ".pq"):
        return f"read_parquet({path})"
    raise SystemExit(f"{clean}: the clean file must be .csv or .parquet")


def _quantity_sql() -> str:
    # 13.0 -> '13': the generator's quantities are whole numbers, written as the clean file does.
    return ("CASE WHEN quantity = trunc(quantity) THEN CAST(CAST(quantity AS BIGINT) AS VARCHAR) "
            "ELSE CAST(quantity AS VARCHAR) END")


def _column_sql(column: str) -> str:
    head = '"' + ZH_HEADERS[column] + '"'
    if column == "order_date":
        return f"strftime(CAST(order_date AS DATE), '%Y/%-m/%-d') AS {head}"
    if column in MONEY:
        return f"format('{{:,.2f}}', CAST(round({column}, 2) AS DECIMAL(18,2))) AS {head}"
    if column == "quantity":
        return f"{_quantity_sql()} AS {head}"
    if column in ZH_VALUES:
        cases = " ".join(f"WHEN {_sql_text(en)} THEN {_sql_text(zh)}" for en, zh in ZH_VALUES[column].items())
        return f"CASE {column} {cases} ELSE {column} END AS {head}"
    return f"{column} AS {head}"


def lines_sql(clean: Path, limit: int | None = None) -> str:
    """The twin's lines: every clean line, its columns renamed, its values written as text."""
    cols = ", ".join(_column_sql(c) for c in COLUMNS)
    tail = f" LIMIT {int(limit)}" if limit is not None else ""
    return f"SELECT {cols} FROM {_reader(clean)}{tail}"


def totals_sql(clean: Path, limit: int | None = None) -> str:
    """The figures of the totals line and the line count, from the clean lines."""
    source = f"(SELECT * FROM {_reader(clean)} LIMIT {int(limit)})" if limit is not None else _reader(clean)
    sums = ", ".join(f"sum(CAST(round({c}, 2) AS DECIMAL(18,2)))" if c in MONEY else f"sum({c})"
                     for c in SUMMED)
    return f"SELECT count(*), {sums} FROM {source}"


def _money_text(value: Any) -> str:
    return f"{value:,.2f}"


def _totals_cells(count: int, sums: tuple[Any, ...]) -> list[str]:
    cells = [""] * len(COLUMNS)
    cells[0] = TOTALS_LABEL
    for column, value in zip(SUMMED, sums, strict=True):
        i = COLUMNS.index(column)
        cells[i] = _money_text(value) if column in MONEY else f"{value:g}"
    return cells


def _csv_cell(text: str) -> str:
    return f'"{text}"' if "," in text or '"' in text else text


def write_messy_csv(clean: Path, out: Path, limit: int | None = None) -> int:
    """Write the GBK twin of ``clean`` (CSV or Parquet) to ``out``; return its order lines."""
    import duckdb

    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    utf8 = out.with_name(out.name + ".utf8.partial")
    con = duckdb.connect(":memory:")
    try:
        count, *sums = con.execute(totals_sql(clean, limit)).fetchall()[0]
        con.sql(f"COPY ({lines_sql(clean, limit)}) TO {_sql_text(str(utf8))} "
                "(FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"')")
        with open(partial, "wb") as sink:
            sink.write(f"{TITLE}（共 {count:,} 行）\n\n".encode(ENCODING))
            # Blocks of characters, not bytes: a block never splits a character.
            with open(utf8, encoding="utf-8", newline="") as source:
                encode = codecs.getencoder(ENCODING)
                while block := source.read(BLOCK_CHARS):
                    sink.write(encode(block)[0])
            totals = ",".join(_csv_cell(c) for c in _totals_cells(int(count), tuple(sums)))
            sink.write((totals + "\n").encode(ENCODING))
        os.replace(partial, out)
    finally:
        for leftover in (utf8, partial):
            leftover.unlink(missing_ok=True)
        con.close()
    return int(count)


def write_messy_xlsx(clean: Path, out: Path, limit: int | None = None) -> int:
    """Write the workbook twin of ``clean``: the same text cells as the CSV twin, in one sheet."""
    import duckdb
    import xlsxwriter

    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial.xlsx")
    con = duckdb.connect(":memory:")
    try:
        count, *sums = con.execute(totals_sql(clean, limit)).fetchall()[0]
        table = con.sql(lines_sql(clean, limit)).to_arrow_table()
        wb = xlsxwriter.Workbook(str(partial), {"constant_memory": True, "strings_to_numbers": False})
        ws = wb.add_worksheet("订单明细")
        ws.write_string(0, 0, f"{TITLE}（共 {count:,} 行）")
        heads = [ZH_HEADERS[c] for c in COLUMNS]
        for j, head in enumerate(heads):
            ws.write_string(2, j, head)
        columns = [table[h].to_pylist() for h in heads]
        q = COLUMNS.index("quantity")
        row = 3
        for i in range(table.num_rows):
            for j, values in enumerate(columns):
                value = values[i]
                if value is None:
                    continue
                if j == q:  # a number cell, as exports write quantities
                    ws.write_number(row, j, float(value))
                else:
                    ws.write_string(row, j, value)
            row += 1
        for j, cell in enumerate(_totals_cells(int(count), tuple(sums))):
            if cell:
                ws.write_string(row, j, cell)
        wb.close()
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
        con.close()
    return int(count)


def write_messy(clean: Path, out: Path, limit: int | None = None) -> int:
    """The twin named by ``out``'s suffix (.csv or .xlsx); returns the order lines written."""
    if out.suffix.lower() == ".xlsx":
        return write_messy_xlsx(clean, out, limit)
    return write_messy_csv(clean, out, limit)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (2, 3):
        print("usage: messy.py CLEAN.csv|CLEAN.parquet OUT.csv|OUT.xlsx [LINES]", file=sys.stderr)
        return 2
    limit = int(args[2]) if len(args) == 3 else None
    lines = write_messy(Path(args[0]), Path(args[1]), limit)
    print(f"wrote {args[1]}: {lines:,} order lines and a totals line", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
