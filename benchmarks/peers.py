#!/usr/bin/env python
"""The peers kamtool is measured against: each one computes, or merely reads, the same thing.

The shared task is the per-customer aggregation behind every kamtool command: grouped by
``customer_id``, the revenue sum, distinct orders, first and last order date, distinct
active days, quantity sum and line count.  Each peer is a function ``path -> summary`` and
is run by the benchmark runner as its own process, so that wall time and peak memory are
those of a whole program, imports included::

    python benchmarks/peers.py duckdb benchmarks/data/orders_1000000_20000c_7.parquet

It prints one JSON line, a small summary of its result (customers, lines, revenue …) that
the runner compares across peers: a contender that computes something else is no
comparison.  Heavy imports happen inside each function, so this file also runs in a
separate environment that has only the one peer installed (``lifetimes`` with pandas).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

CUSTOMER = "customer_id"
ORDER = "order_id"
DATE = "order_date"
# The columns the aggregation reads; the pyarrow floor reads exactly these.
NEEDED: tuple[str, ...] = ("customer_id", "order_id", "order_date", "quantity", "amount")

Summary = dict[str, Any]


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    raise SystemExit(f"{path}: unknown format (use .csv, .parquet or .xlsx)")


def _summary(customers: Any, lines: Any, revenue: Any, orders: Any, active_days: Any) -> Summary:
    """What the runner cross-checks; orders and active days are summed over customers."""
    return {
        "customers": int(customers),
        "lines": int(lines),
        "revenue": round(float(revenue), 2),
        "orders": int(orders),
        "active_days": int(active_days),
    }


def duckdb_sql(path: Path) -> Summary:
    """DuckDB's SQL straight on the file, with its own type detection and all cores."""
    import duckdb

    fmt = _format(path)
    if fmt == "xlsx":
        raise SystemExit("duckdb: Excel needs the excel extension, which is not bundled")
    reader = "read_csv" if fmt == "csv" else "read_parquet"
    literal = "'" + str(path).replace("'", "''") + "'"
    con = duckdb.connect(":memory:")
    # con.sql, not execute(): a DB-API result copies the rows once more on the way to Arrow.
    table = con.sql(
        f"""
        SELECT {CUSTOMER},
               sum(amount) AS revenue,
               count(DISTINCT {ORDER}) AS orders,
               min({DATE}) AS first_date,
               max({DATE}) AS last_date,
               count(DISTINCT {DATE}) AS active_days,
               sum(quantity) AS quantity,
               count(*) AS lines
        FROM {reader}({literal})
        GROUP BY {CUSTOMER}
        """
    ).to_arrow_table()
    return _arrow_summary(table)


def _arrow_summary(table: Any) -> Summary:
    import pyarrow.compute as pc

    def total(col: str) -> Any:
        return pc.sum(table[col]).as_py() or 0

    return _summary(table.num_rows, total("lines"), total("revenue"), total("orders"),
                    total("active_days"))


def polars_lazy(path: Path) -> Summary:
    """polars: a lazy scan and group_by, collected by the streaming engine."""
    import polars as pl

    fmt = _format(path)
    if fmt == "csv":
        frame = pl.scan_csv(path, try_parse_dates=True)
    elif fmt == "parquet":
        frame = pl.scan_parquet(path)
    else:
        raise SystemExit("polars: reading Excel needs the fastexcel package; not measured")
    query = frame.group_by(CUSTOMER).agg(
        pl.col("amount").sum().alias("revenue"),
        pl.col(ORDER).n_unique().alias("orders"),
        pl.col(DATE).min().alias("first_date"),
        pl.col(DATE).max().alias("last_date"),
        pl.col(DATE).n_unique().alias("active_days"),
        pl.col("quantity").sum().alias("quantity"),
        pl.len().alias("lines"),
    )
    try:
        result = query.collect(engine="streaming")
    except (TypeError, ValueError):  # older polars: no streaming engine=, a streaming flag
        result = query.collect(streaming=True)  # type: ignore[call-overload]
    return _summary(result.height, result["lines"].sum(), result["revenue"].sum(),
                    result["orders"].sum(), result["active_days"].sum())


def _read_pandas(path: Path, columns: list[str]) -> Any:
    import pandas as pd

    fmt = _format(path)
    if fmt == "csv":
        return pd.read_csv(path, usecols=columns, parse_dates=[DATE])
    if fmt == "parquet":
        return pd.read_parquet(path, columns=columns)
    return pd.read_excel(path, usecols=columns, engine="calamine")


def pandas_groupby(path: Path) -> Summary:
    """pandas the obvious way: read the needed columns, then groupby().agg() with nunique."""
    frame = _read_pandas(path, list(NEEDED))
    ledger = frame.groupby(CUSTOMER).agg(
        revenue=("amount", "sum"),
        orders=(ORDER, "nunique"),
        first_date=(DATE, "min"),
        last_date=(DATE, "max"),
        active_days=(DATE, "nunique"),
        quantity=("quantity", "sum"),
        lines=("amount", "size"),
    )
    return _summary(len(ledger), ledger["lines"].sum(), ledger["revenue"].sum(),
                    ledger["orders"].sum(), ledger["active_days"].sum())


def pyarrow_floor(path: Path) -> Summary:
    """The floor: pyarrow reading only the needed columns, multithreaded, and nothing else."""
    fmt = _format(path)
    if fmt == "csv":
        import pyarrow.csv as pacsv

        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=True),
            convert_options=pacsv.ConvertOptions(include_columns=list(NEEDED)),
        )
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        # ParquetFile, not read_table: read_table imports pyarrow.dataset, 0.5 s of start-up here.
        table = pq.ParquetFile(path).read(columns=list(NEEDED), use_threads=True)
    else:
        raise SystemExit("pyarrow cannot read Excel; the Excel floor is 'calamine'")
    return {"lines": table.num_rows}


def calamine_raw(path: Path) -> Summary:
    """The Excel floor: python-calamine reading the first sheet into Python rows, raw."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return {"lines": max(len(rows) - 1, 0)}  # less the header row


def lifetimes_summary(path: Path) -> Summary:
    """lifetimes' RFM summary (frequency, recency, T, monetary value) from pandas lines."""
    from lifetimes.utils import summary_data_from_transaction_data

    frame = _read_pandas(path, [CUSTOMER, DATE, "amount"])
    rfm = summary_data_from_transaction_data(frame, CUSTOMER, DATE, monetary_value_col="amount")
    # frequency counts repeat purchase days, so days with a purchase = frequency + 1.
    return {"customers": len(rfm), "active_days": int(rfm["frequency"].sum()) + len(rfm)}


# --------------------------------------------------------------------------- per command

# The smallest DuckDB query that computes what each kamtool command needs: what an analyst who
# knows SQL would run instead (benchmarks/README.md has the same table).  ``{src}`` is the
# file's reader.  One line per command; `report` and `profile` (every analysis at once)
# are timed apart (run.py).
COMMAND_SQL: dict[str, str] = {
    "inspect": ("SELECT count(*) AS lines, count(DISTINCT customer_id) AS customers, "
                "count(DISTINCT order_id) AS orders, sum(amount) AS revenue, min(order_date) AS first, "
                "max(order_date) AS last, sum(amount) FILTER (WHERE amount < 0) AS returns, "
                "count(*) FILTER (WHERE amount < 0) AS return_lines FROM {src}"),
    "pareto": ("SELECT customer_id, sum(amount) AS revenue FROM {src} GROUP BY customer_id "
               "ORDER BY revenue DESC"),
    "abc": ("SELECT customer_id, sum(amount) AS revenue FROM {src} GROUP BY customer_id "
            "ORDER BY revenue DESC"),
    "rfm": ("SELECT customer_id, sum(amount) AS revenue, count(DISTINCT order_id) AS orders, "
            "max(order_date) AS last FROM {src} GROUP BY customer_id"),
    "loyalty": ("SELECT customer_id, date_trunc('quarter', order_date) AS quarter, brand, "
                "sum(amount) AS revenue FROM {src} GROUP BY ALL"),
    "churn": ("SELECT customer_id, date_trunc('quarter', order_date) AS quarter, sum(amount) AS revenue, "
              "count(DISTINCT order_id) AS orders FROM {src} GROUP BY ALL"),
    "clv": "SELECT customer_id, order_date, sum(amount) AS revenue FROM {src} GROUP BY ALL",
    "tiers": ("SELECT customer_id, date_trunc('month', order_date) AS month, salesperson, brand, "
              "sum(amount) AS revenue, sum(amount - cost) AS profit FROM {src} GROUP BY ALL"),
    "stages": ("SELECT customer_id, date_trunc('month', order_date) AS month, category, brand, product, "
               "sum(amount) AS revenue FROM {src} GROUP BY ALL"),
    "credit": "SELECT customer_id, order_id, order_date, sum(amount) AS amount FROM {src} GROUP BY ALL",
}


def duckdb_command(command: str, path: Path) -> Summary:
    """The command's smallest DuckDB query (:data:`COMMAND_SQL`), fetched as an Arrow table."""
    import duckdb

    fmt = _format(path)
    if fmt == "xlsx":
        raise SystemExit("duckdb: Excel needs the excel extension, which is not bundled")
    reader = ("read_csv" if fmt == "csv" else "read_parquet") + "('" + str(path).replace("'", "''") + "')"
    table = duckdb.connect(":memory:").sql(COMMAND_SQL[command].format(src=reader)).to_arrow_table()
    return {"rows": table.num_rows}


def _polars_query(command: str, frame: Any) -> Any:
    """The same as :data:`COMMAND_SQL` in polars' lazy API."""
    import polars as pl

    amount, customer, day = pl.col("amount"), pl.col(CUSTOMER), pl.col(DATE)
    quarter, month = day.dt.truncate("1q").alias("quarter"), day.dt.truncate("1mo").alias("month")
    revenue = amount.sum().alias("revenue")
    if command == "inspect":
        return frame.select(pl.len().alias("lines"), customer.n_unique(), pl.col(ORDER).n_unique(), revenue,
                            day.min().alias("first"), day.max().alias("last"),
                            amount.filter(amount < 0).sum().alias("returns"),
                            (amount < 0).sum().alias("return_lines"))
    by: dict[str, list[Any]] = {
        "pareto": [customer], "abc": [customer], "rfm": [customer], "loyalty": [customer, quarter, "brand"],
        "churn": [customer, quarter], "clv": [customer, day],
        "tiers": [customer, month, "salesperson", "brand"],
        "stages": [customer, month, "category", "brand", "product"], "credit": [customer, ORDER, day],
    }
    extra: dict[str, list[Any]] = {
        "rfm": [pl.col(ORDER).n_unique().alias("orders"), day.max().alias("last")],
        "churn": [pl.col(ORDER).n_unique().alias("orders")],
        "tiers": [(amount - pl.col("cost")).sum().alias("profit")],
    }
    query = frame.group_by(by[command]).agg(revenue, *extra.get(command, []))
    return query.sort("revenue", descending=True) if command in ("pareto", "abc") else query


def polars_command(command: str, path: Path) -> Summary:
    """The command's smallest query in polars, lazy, collected by the streaming engine."""
    import polars as pl

    fmt = _format(path)
    if fmt == "xlsx":
        raise SystemExit("polars: reading Excel needs the fastexcel package; not measured")
    frame = pl.scan_csv(path, try_parse_dates=True) if fmt == "csv" else pl.scan_parquet(path)
    query = _polars_query(command, frame)
    try:
        result = query.collect(engine="streaming")
    except (TypeError, ValueError):  # older polars
        result = query.collect(streaming=True)
    return {"rows": result.height}


PEERS: dict[str, Callable[[Path], Summary]] = {
    "duckdb": duckdb_sql,
    "polars": polars_lazy,
    "pandas": pandas_groupby,
    "floor": pyarrow_floor,
    "calamine": calamine_raw,
    "lifetimes": lifetimes_summary,
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 3 and args[0] in ("duckdb-command", "polars-command") and args[1] in COMMAND_SQL:
        run = duckdb_command if args[0] == "duckdb-command" else polars_command
        print(json.dumps(run(args[1], Path(args[2]))))
        return 0
    if len(args) != 2 or args[0] not in PEERS:
        print(f"usage: peers.py {{{','.join(PEERS)}}} FILE\n"
              f"       peers.py {{duckdb-command,polars-command}} {{{','.join(COMMAND_SQL)}}} FILE",
              file=sys.stderr)
        return 2
    name, file = args
    print(json.dumps(PEERS[name](Path(file))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
