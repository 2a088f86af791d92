"""The DuckDB connection every engine shares, and the small helpers around it."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from kamtool.needs import ROLLED_PERIODS

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

_LOCAL = threading.local()
_OPEN: list[duckdb.DuckDBPyConnection] = []


def close_connections() -> None:
    """Close every DuckDB this process opened (its spill files are removed on close), and the
    folder they spilled to.  This thread's :func:`connection` opens afresh after it."""
    _LOCAL.con = None
    while _OPEN:
        with contextlib.suppress(Exception):  # closing at exit; nothing to report to
            _OPEN.pop().close()
    if _SPILL:
        import shutil

        shutil.rmtree(_SPILL.pop(), ignore_errors=True)


def opened() -> duckdb.DuckDBPyConnection | None:
    """This thread's DuckDB when one is open, else None."""
    return getattr(_LOCAL, "con", None)


def release(keep: duckdb.DuckDBPyConnection | None = None) -> None:
    """Close this thread's DuckDB, which the next :func:`connection` opens afresh: a connection
    keeps the memory of its queries until it is closed (10M lines, credit's invoice lines: about
    0.5 GiB after the query), while the Arrow tables it returned stay valid.  ``keep``: a
    connection opened before (a report's compact ledger lives in it), left open."""
    con = getattr(_LOCAL, "con", None)
    if con is None or con is keep:
        return
    _LOCAL.con = None
    if con in _OPEN:
        _OPEN.remove(con)
    con.close()
    # and what the query's threads freed handed back, before the next step builds its arrays
    # (churn on 10M lines: 30-50 MiB off the peak)
    trim_heap()


def trim_heap() -> None:
    """What was freed handed back to the system (glibc keeps the small pieces, and the heaps of
    DuckDB's threads, otherwise)."""
    import ctypes
    import sys

    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # AttributeError: not glibc
            ctypes.CDLL(None).malloc_trim(0)


# Where DuckDB spills (loyalty's capped query does): a folder of this process under the system's
# temporary directory.  DuckDB's default is ".tmp" in the current directory, which left a
# folder in whatever directory a user ran kamtool from.
_SPILL: list[str] = []


def _spill_folder() -> str:
    if not _SPILL:
        import tempfile

        _SPILL.append(os.path.join(tempfile.gettempdir(), f"kamtool-duckdb-{os.getpid()}"))
    return _SPILL[0]


def connection() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per thread, using every core."""
    con = getattr(_LOCAL, "con", None)
    if con is None:
        import duckdb

        # Insertion order is never relied on (every query sorts), and dropping it
        # lets DuckDB stream aggregates with less memory.
        config: dict[str, Any] = {"threads": os.cpu_count() or 1, "preserve_insertion_order": False,
                                  "temp_directory": _spill_folder()}
        limit = os.environ.get("KAMTOOL_MEMORY_LIMIT")
        if limit:
            config["memory_limit"] = limit
        con = duckdb.connect(":memory:", config=config)
        _LOCAL.con = con
        _OPEN.append(con)
    return con


def quote(name: str) -> str:
    """A column name as a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A Python string as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def plain_strings(table: pa.Table) -> pa.Table:
    """DuckDB may hand back string views or large strings; keep plain Arrow strings."""
    import pyarrow as pa

    fields = []
    changed = False
    for f in table.schema:
        t = f.type
        if pa.types.is_large_string(t) or str(t) == "string_view":
            t = pa.string()
            changed = True
        fields.append(pa.field(f.name, t))
    return table.cast(pa.schema(fields)) if changed else table


def shared_nulls(table: pa.Table) -> pa.Table:
    """``table`` with each column that is null on every row (a measure the file lacks, as
    ``NULL::BIGINT``) made of slices of one null array: the same values and type in a buffer
    of its largest chunk, not one of its every row (10M lines, churn's customer-days: quantity
    and paid amount, 74 MiB of zeros under a null bitmap)."""
    import pyarrow as pa

    for at, f in enumerate(table.schema):
        column = table.column(at)
        if not column.num_chunks or column.null_count != len(column) or pa.types.is_null(f.type):
            continue
        empty = pa.nulls(max(len(c) for c in column.chunks), f.type)
        shared = pa.chunked_array([empty.slice(0, len(c)) for c in column.chunks], type=f.type)
        table = table.set_column(at, f, shared)
    return table


def own_buffers(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """``column`` copied chunk by chunk (a concatenation always copies): buffers of its own, so
    that what it was a slice or a column of can go."""
    import pyarrow as pa

    return pa.chunked_array([pa.concat_arrays([c, c.slice(0, 0)]) for c in column.chunks], type=column.type)


def query(sql: str, **tables: pa.Table) -> pa.Table:
    """Run ``sql`` over Arrow ``tables`` registered under their keyword names."""
    con = connection()
    for name, table in tables.items():
        con.register(name, table)
    try:
        return plain_strings(con.sql(sql).to_arrow_table())
    finally:
        for name in tables:
            con.unregister(name)


# The figure "first_purchase" (kamtool.needs) hands loyalty its own grain: the table at the
# request's keys (customer × date × brand × product) is rolled up in the same query, never
# leaving DuckDB at the near-line grain it has on large files.
FIRST_PURCHASE = "first_purchase"
# The keys of the rolled table: period rows (customer × month × brand; product empty) and
# purchase rows (customer × brand × product; month empty).
ROLLED_KEYS = ("customer", "month", "brand", "product")
# 32-bit months and line counts: the rolled table has millions of rows (10M lines: 5.8M), and
# every 64-bit column of it is another 46 MB.
_MONTH_OF_DATE = '((year("date") - 1970) * 12 + month("date") - 1)::INTEGER'
def _month_sql(figures: Sequence[str]) -> str:
    """The rolled ``month``: the month ordinal, or the first month of the quarter or year."""
    months = next((ROLLED_PERIODS[f] for f in figures if f in ROLLED_PERIODS), 1)
    if months == 1:
        return _MONTH_OF_DATE
    return f'(((year("date") - 1970) * 12 + month("date") - 1) // {months} * {months})::INTEGER'


def rolled_sql(inner: str, *, flagged: bool = False, carried: Sequence[str] = (),
               figures: Sequence[str] = (), extra: Sequence[tuple[str, str]] = ()) -> str:
    """``inner`` (figures per customer × date × brand × product, in cents) rolled up in one pass:

    - per customer × month × brand (the month as :func:`kamtool.ledger.month_of` numbers it):
      ``revenue_c``, ``lines``, ``first_date``, ``last_date`` (and ``_flagged``, the native
      path's count of lines that are not plain); ``product`` and ``first_purchase`` empty;
    - per customer × brand × product: ``first_purchase``, the first day whose net revenue
      for it is above zero (empty when there is none); ``month`` empty, ``lines`` 0 (every
      line is counted once, in its period row), ``revenue_c`` empty.

    Lines without a product have no purchase row.  Sorted by the rolled keys, nulls last.
    ``carried``: keys of ``inner`` kept apart in both rolled levels (the native path's
    ``_drop``: lines a filter left out must not be rolled into the kept ones); ``figures``: the
    load's, of which :data:`ROLLED_PERIODS` roll the months up to quarters or years; ``extra``:
    more aggregates (name, SQL over ``inner``'s columns) of the period rows.
    """
    period = "GROUPING(product) = 1"
    sums = [f"CASE WHEN {period} THEN sum(revenue_c)::BIGINT END AS revenue_c",
            f"CASE WHEN {period} THEN sum(lines)::INTEGER ELSE 0 END AS lines",
            f'CASE WHEN {period} THEN min("date") END AS first_date',
            f'CASE WHEN {period} THEN max("date") END AS last_date',
            f'CASE WHEN NOT {period} THEN min("date") FILTER (WHERE revenue_c > 0) END AS first_purchase']
    if flagged:
        sums.append(f"CASE WHEN {period} THEN sum(_flagged)::BIGINT ELSE 0 END AS _flagged")
    sums += [f"CASE WHEN {period} THEN {sql} END AS {quote(name)}" for name, sql in extra]
    keys = ", ".join(quote(k) for k in (*ROLLED_KEYS, *carried))
    apart = "".join(f", {quote(k)}" for k in carried)
    return (f"SELECT {keys}, {', '.join(sums)} "
            f"FROM (SELECT *, {_month_sql(figures)} AS month FROM ({inner})) "
            f"GROUP BY GROUPING SETS ((customer, month, brand{apart}), (customer, brand, product{apart})) "
            f"HAVING {period} OR product IS NOT NULL ORDER BY {keys}")


def rolled_from_lines_sql(lines: str, *, flagged: str, carried: Sequence[str] = (),
                          extra: Sequence[tuple[str, str]] = (), figures: Sequence[str] = ()) -> str:
    """The table of :func:`rolled_sql` straight from typed ``lines`` (``customer``, ``date``,
    ``brand``, ``product``, ``_l_amount_c`` in cents), in two aggregations instead of a near-line
    grouping per customer × day × brand × product, which costs 3-4x the smallest query:

    - the period rows per customer × month × brand, with ``_flagged`` (the SQL count ``flagged``
      of lines that are not plain) and ``extra`` aggregates (name, SQL) beside;
    - the purchase rows per customer × brand × product, with ``first_purchase`` the first day
      with a positive line.  That is the first day whose net is above zero unless a return lies
      on that very day (days before it hold no positive line, so no net above zero): such rows
      are marked ``_unsure`` and :func:`exact_first_purchases` nets their days.  (On the 1M-line
      benchmark file: 45 of 201,783 rows.)
    """
    keys = ", ".join(quote(k) for k in (*ROLLED_KEYS, *carried))
    apart = "".join(f", {quote(k)}" for k in carried)
    positive = 'min("date") FILTER (WHERE _l_amount_c > 0)'
    returned = 'list("date") FILTER (WHERE _l_amount_c < 0)'
    period = ", ".join([
        f"customer, month, brand, NULL::VARCHAR AS product{apart}", "sum(_l_amount_c)::BIGINT AS revenue_c",
        "count(*)::INTEGER AS lines", 'min("date") AS first_date', 'max("date") AS last_date',
        "NULL::DATE AS first_purchase", f"{flagged} AS _flagged", "false AS _unsure",
        *(f"{sql} AS {quote(name)}" for name, sql in extra)])
    purchase = ", ".join([
        f"customer, NULL::INTEGER AS month, brand, product{apart}", "NULL::BIGINT AS revenue_c",
        "0::INTEGER AS lines", "NULL::DATE AS first_date", "NULL::DATE AS last_date",
        f"{positive} AS first_purchase", "0::BIGINT AS _flagged",
        f"coalesce(list_contains({returned}, {positive}), false) AS _unsure",
        *(f"NULL AS {quote(name)}" for name, _sql in extra)])
    return (f"SELECT {period} FROM (SELECT *, {_month_sql(figures)} AS month FROM ({lines})) "
            f"GROUP BY customer, month, brand{apart} "
            f"UNION ALL SELECT {purchase} FROM ({lines}) WHERE product IS NOT NULL "
            f"GROUP BY customer, brand, product{apart} ORDER BY {keys}")


def exact_first_purchases(table: pa.Table, lines: str, carried: Sequence[str] = ()) -> pa.Table:
    """``table`` of :func:`rolled_from_lines_sql` with the first purchase of each ``_unsure`` row
    computed from its lines netted per day (``lines``: the same typed lines, read again for
    those few customer × brand × product only)."""
    import pyarrow.compute as pc

    unsure = pc.fill_null(table["_unsure"], False).combine_chunks()
    if not pc.any(unsure).as_py():
        return table
    group = ["customer", "brand", "product", *carried]
    at = pc.indices_nonzero(unsure)
    wanted = table.select(group).take(at).append_column("_row", at)

    def same(left: str) -> str:
        return " AND ".join(f"{left}.{quote(k)} IS NOT DISTINCT FROM w.{quote(k)}" for k in group)

    days = (f"SELECT {', '.join(f'l.{quote(k)}' for k in group)}, l.\"date\", sum(l._l_amount_c) AS net "
            f"FROM ({lines}) l SEMI JOIN wanted w ON {same('l')} GROUP BY ALL")
    sql = (f'SELECT w._row, min(d."date") FILTER (WHERE d.net > 0) AS first_purchase FROM wanted w '
           f"LEFT JOIN ({days}) d ON {same('d')} GROUP BY w._row ORDER BY w._row")
    exact = query(sql, wanted=wanted)
    column = table["first_purchase"].combine_chunks()
    fixed = pc.replace_with_mask(column, unsure, exact["first_purchase"].combine_chunks().cast(column.type))
    return table.set_column(table.column_names.index("first_purchase"), "first_purchase", fixed)


def empty_rolled() -> pa.Table:
    """The rolled table without a line: its columns, no rows."""
    import pyarrow as pa

    return pa.table({"customer": pa.array([], pa.string()), "month": pa.array([], pa.int32()),
                     "brand": pa.array([], pa.string()), "product": pa.array([], pa.string()),
                     "revenue_c": pa.array([], pa.int64()), "lines": pa.array([], pa.int32()),
                     "first_date": pa.array([], pa.date32()), "last_date": pa.array([], pa.date32()),
                     "first_purchase": pa.array([], pa.date32())})


# DuckDB's own share of memory for the rolled loyalty query, whose first level holds nearly
# one group per line: beyond it DuckDB spills to disk (measured on 10M lines: 1.35 GiB for
# the query alone uncapped, 0.66 GiB capped at 512 MB for about 1.5x the time; the whole
# command peaked at 1.1 GiB in its query with 512 MB, 1.05 GiB with 256 MB).
ROLLED_MEMORY = "256MB"
# A query that counts distinct order numbers per customer (inspect's, rfm's, and pareto's and
# abc's by orders) holds every (customer, order) pair, a memory that grows with the lines.
# inspect: peak 951 MiB on 10M Parquet lines, 2,465 on 30M; 1 GB leaves the 10M-line query as it
# was and kept 30M lines to 1,134 MiB (256 MB: 410 MiB at 10M, 463 at 30M, but spilling cost 10M
# lines 18.2 -> 23.1 CPU-s).  rfm's query alone on 30M lines: 1,445 MiB uncapped, 1,027 at 1 GB
# (18.1 -> 20.2 CPU-s), its whole run 1,693 MiB against 782 at 10M, which the cap does not reach.
DISTINCT_MEMORY = "1GB"
# The grain commands' (clv, churn, stages, tiers): their table per customer and day (10M lines:
# 4.8M rows) and each grain beside it.  Uncapped, DuckDB's share of a query on 10M Parquet lines
# was 0.5-0.8 GiB on top of the tables the process holds already (clv: 1,023 MiB at its query,
# tiers' month × category × brand mix 1,813).  Credit's invoice lines keep to it (at 256 MB: the
# same peak for 1-1.6 CPU-s more).
GRAIN_MEMORY = "512MB"
# A grain by month (tiers' months per salesperson and mix, stages' and churn's mix): at 512 MB
# tiers peaked in its monthly grain (10M lines: 1,014-1,067 MiB), at 256 MB 952-1,011 for the same
# CPU seconds (384 MB: 1,050-1,102, run to run).
MONTHS_MEMORY = "256MB"
# Their main query, the table per customer and day (churn's peak: 1,011 MiB at 512 MB, 979 at 384).
DAY_MEMORY = "384MB"
# A table of order lines (the report's and the card's fine load, read a batch at a time): no
# hash table, only the scan's buffers (10M Parquet lines, the load's peak: 2,306 MiB at 1 GB,
# 2,077 at 256 MB, 1,975 at 128 MB, for the same CPU seconds).
LINES_MEMORY = "256MB"


@contextlib.contextmanager
def capped_memory(limit: str | None) -> Iterator[None]:
    """While the query runs, DuckDB keeps to ``limit`` (:data:`ROLLED_MEMORY`,
    :data:`DISTINCT_MEMORY`; None: no cap), unless KAMTOOL_MEMORY_LIMIT sets a limit of its own."""
    if limit is None or os.environ.get("KAMTOOL_MEMORY_LIMIT"):
        yield
        return
    con = connection()
    con.execute(f"SET memory_limit = '{limit}'")
    try:
        yield
    finally:
        con.execute("RESET memory_limit")
