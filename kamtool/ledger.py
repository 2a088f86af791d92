"""Order lines -> one row per customer: the one heavy aggregation.

Each input is read in batches (Arrow, a quarter of a million lines at a time)
and every batch is cleaned by :mod:`kamtool.io.clean` in a reader thread, one
batch ahead of the aggregation.  The cleaned stream feeds one DuckDB query, which
aggregates in parallel and spills to disk when it must, so memory follows the
number of customers and orders, not the number of lines.  Money is summed in
int64 cents, exact to the cent.  There are two ways through:

- :func:`load_direct`, for every command on this machine: the one table it needs
  (per customer; per customer and day; per a command's own keys) in a single
  GROUP BY with the exact distinct counts it asks for, over every input chained
  into one stream.  For one plain local CSV or Parquet file :mod:`kamtool.native`
  first lets DuckDB read the file itself, in parallel, and prove it plain; it
  declines to this stream whenever it cannot.
- :func:`load` / :func:`read_source`, for Dask workers and loads that need several
  tables at once: partial group-bys at customer × day × order grain computed
  together (GROUPING SETS), plain tables of sums, counts, minima and maxima that
  merge by one rule across files and workers.

A test runs the same orders through every path and format and compares the
ledgers exactly.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kamtool.errors import ColumnError
from kamtool.io import columns as colmod
from kamtool.io.read import ReadOptions, Source, open_source
from kamtool.io.rules import REASON_RAGGED, BatchStats, CleanOptions

if TYPE_CHECKING:
    import duckdb
    import pandas as pd
    import pyarrow as pa

    from kamtool.io.clean import Cleaner

ORDER_KEY = "order_key"
# Partial measures: (output column, SQL over cleaned lines, SQL merging partials).
MEASURES: tuple[tuple[str, str, str], ...] = (
    ("revenue_c", "sum(amount_c)::BIGINT", "sum(revenue_c)::BIGINT"),
    ("lines", "count(amount_c)::BIGINT", "sum(lines)::BIGINT"),
    ("returns_c", "sum(least(amount_c, 0))::BIGINT", "sum(returns_c)::BIGINT"),
    ("return_lines", "count(*) FILTER (WHERE amount_c < 0)", "sum(return_lines)::BIGINT"),
    ("quantity", "sum(quantity)::DOUBLE", "sum(quantity)::DOUBLE"),
    ("profit_c", "sum(profit_c)::BIGINT", "sum(profit_c)::BIGINT"),
    ("profit_lines", "count(profit_c)::BIGINT", "sum(profit_lines)::BIGINT"),
    ("first_date", "min(date)", "min(first_date)"),
    ("last_date", "max(date)", "max(last_date)"),
)
# Measures that only some commands report, by the figure that asks for them.
OPTIONAL_MEASURES = {"returns_c": "returns", "return_lines": "returns", "first_date": "dates",
                     "last_date": "dates"}
ALL_FIGURES = ("orders", "active_days", "returns", "dates")
LEDGER_DIMENSIONS = ("salesperson", "region")
# A customer id that carries several names shows the first alphabetically (both engines).
NAME_RULE_SQL = "min(customer_name)"
PROFILE_DIMENSIONS = ("product", "brand")
BASE_COLUMNS = ("customer", "customer_name", "date", "amount", "quantity", "unit_price", "order_id", "cost",
                "profit")


@dataclass
class LoadOptions:
    read: ReadOptions = field(default_factory=ReadOptions)
    clean: CleanOptions = field(default_factory=CleanOptions)
    overrides: dict[str, str] = field(default_factory=dict)
    needed: tuple[str, ...] = ("customer", "date", "amount")
    # Dimensions the per-customer ledger reports (main salesperson, distinct products …).
    dimensions: tuple[str, ...] = LEDGER_DIMENSIONS
    # Keys of a command's groupings that a file may lack (they are then empty, not an error).
    optional_keys: tuple[str, ...] = ()
    # The measures a run needs beyond revenue and orders ("quantity", "profit"); None = all.
    # Columns a run does not need are not read: fewer columns, faster reads.
    measures: tuple[str, ...] | None = None
    # The figures a run reports beyond revenue, lines, quantity and profit: distinct
    # "orders" and "active_days" (each a hash pass over every line), "returns" and first and
    # last "dates". A single-pass load computes only these (the partials always have all).
    figures: tuple[str, ...] = ALL_FIGURES


@dataclass
class SourceInfo:
    """What kamtool saw in one input, for `inspect` and for reports."""

    name: str
    format: str
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    header_row: int | None
    mapping: dict[str, str]
    unused: list[str]
    size: int
    stats: BatchStats


@dataclass
class Partials:
    """Partial group-bys of some order lines, mergeable with others."""

    tables: dict[str, pa.Table]
    sources: list[SourceInfo]
    present: set[str]  # canonical columns some source had


_LOCAL = threading.local()
_OPEN: list[duckdb.DuckDBPyConnection] = []


def close_connections() -> None:
    """Close every DuckDB this process opened (its spill files are removed on close)."""
    import contextlib

    while _OPEN:
        with contextlib.suppress(Exception):  # closing at exit; nothing to report to
            _OPEN.pop().close()


def connection() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per thread, using every core."""
    con = getattr(_LOCAL, "con", None)
    if con is None:
        import duckdb

        # Insertion order is never relied on (every query sorts), and dropping it
        # lets DuckDB stream aggregates with less memory.
        config: dict[str, Any] = {"threads": os.cpu_count() or 1, "preserve_insertion_order": False}
        limit = os.environ.get("KAMTOOL_MEMORY_LIMIT")
        if limit:
            config["memory_limit"] = limit
        con = duckdb.connect(":memory:", config=config)
        _LOCAL.con = con
        _OPEN.append(con)
    return con


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def groupings_for(present: Iterable[str], dimensions: Sequence[str],
                  extra: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """The partial group-bys a run needs: the ledger's, its dimensions', a command's own."""
    present = set(present)
    groupings: dict[str, list[str]] = {"orders": ["customer", "date", ORDER_KEY]}
    if "customer_name" in present:
        groupings["customer_customer_name"] = ["customer", "customer_name"]
    for dim in dimensions:
        if dim in present:
            groupings[f"customer_{dim}"] = ["customer", dim]
    for name, keys in (extra or {}).items():
        groupings[name] = [*keys, ORDER_KEY]
    return groupings


def _with_measure_inputs(lines: pa.Table) -> pa.Table:
    """Columns every partial query expects, whatever the source had."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if "quantity" not in lines.column_names:
        lines = lines.append_column("quantity", pa.nulls(lines.num_rows, pa.float64()))
    if "profit_c" not in lines.column_names:
        lines = lines.append_column("profit_c", pa.nulls(lines.num_rows, pa.int64()))
    if "order_id" in lines.column_names:
        # Lines without an order number count one order per customer-day.
        order = lines["order_id"]
        if order.null_count:
            date_key = pc.cast(lines["date"], pa.string())
            order = pc.coalesce(order, pc.binary_join_element_wise("@", date_key, ""))
    else:
        order = pc.cast(lines["date"], pa.string())
    return lines.append_column(ORDER_KEY, order)


def _partials_sql(source: str, groupings: dict[str, list[str]], merge: bool) -> str:
    keys = list(dict.fromkeys(k for ks in groupings.values() for k in ks))
    sets = ", ".join("(" + ", ".join(_q(k) for k in ks) + ")" for ks in groupings.values())
    measures = ", ".join(f"{merged if merge else line} AS {_q(out)}" for out, line, merged in MEASURES)
    gid = f"GROUPING({', '.join(_q(k) for k in keys)}) AS _gid" if len(groupings) > 1 else "0 AS _gid"
    cols = ", ".join(_q(k) for k in keys)
    if len(groupings) == 1:
        return f"SELECT {gid}, {cols}, {measures} FROM {source} GROUP BY {cols}"
    return f"SELECT {gid}, {cols}, {measures} FROM {source} GROUP BY GROUPING SETS ({sets})"


def _split(result: pa.Table, groupings: dict[str, list[str]]) -> dict[str, pa.Table]:
    """One table per grouping from a GROUPING SETS result."""
    import pyarrow.compute as pc

    keys = list(dict.fromkeys(k for ks in groupings.values() for k in ks))
    measures = [out for out, _l, _m in MEASURES]
    out: dict[str, pa.Table] = {}
    for name, ks in groupings.items():
        if len(groupings) == 1:
            part = result
        else:
            # GROUPING() sets a bit for every key *not* in the set, first key highest.
            gid = sum(1 << (len(keys) - 1 - i) for i, k in enumerate(keys) if k not in ks)
            part = result.filter(pc.equal(result["_gid"], gid))
        out[name] = _normalise(part.select([*ks, *measures]))
    return out


def _normalise(table: pa.Table) -> pa.Table:
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


def _ledger_mapping(mapping: colmod.Mapping, wanted: set[str]) -> colmod.Mapping:
    """Read only the columns this run uses (fewer columns, faster reads)."""
    return colmod.Mapping(
        columns={c: h for c, h in mapping.columns.items() if c in wanted},
        unused=mapping.unused,
    )


@dataclass
class _Prepared:
    """One source, mapped and ready to clean."""

    source: Source
    full: colmod.Mapping
    mapping: colmod.Mapping  # the columns this run reads
    clean: CleanOptions
    present: set[str]
    absent_optional: list[str]
    stats: BatchStats = field(default_factory=BatchStats)
    _cleaner: Cleaner | None = None

    @property
    def cleaner(self) -> Cleaner:
        """Built on first use: the Arrow cleaner (and pyarrow) only when the Arrow path runs."""
        if self._cleaner is None:
            from kamtool.io.clean import Cleaner

            self._cleaner = Cleaner(self.source, self.mapping, self.clean)
        return self._cleaner

    def info(self) -> SourceInfo:
        source, stats = self.source, self.stats
        if source.ragged_rows and REASON_RAGGED not in stats.dropped:
            stats.dropped[REASON_RAGGED] += source.ragged_rows
            stats.rows += source.ragged_rows
        return SourceInfo(
            name=source.name, format=source.format, encoding=source.encoding,
            delimiter=source.delimiter, sheet=source.sheet, header_row=source.header_row,
            mapping=dict(self.full.columns), unused=list(self.full.unused), size=source.size,
            stats=stats,
        )


def _columns_for(measures: tuple[str, ...], full: colmod.Mapping) -> set[str]:
    """The columns behind revenue, orders and the asked-for measures."""
    wanted = {"customer", "customer_name", "date", "amount", "order_id"}
    if "amount" not in full or "quantity" in measures:
        wanted |= {"quantity", "unit_price"}
    if "profit" in measures:
        wanted |= {"cost", "profit"}
    return wanted


def _prepare(source: Source, options: LoadOptions, extra: dict[str, list[str]] | None) -> _Prepared:
    full = colmod.map_columns(source.headers, options.overrides, source=source.name)
    colmod.require(full, source.headers, options.needed, source=source.name)
    needed_keys = {k for keys in (extra or {}).values() for k in keys}
    for key in sorted(needed_keys - set(colmod.CANONICAL) - {ORDER_KEY}):
        # A grouping by one of the file's own columns (pareto --by Kundengruppe).
        header = next((h for h in source.headers if colmod.normalise(h) == colmod.normalise(key)), None)
        if header is not None:
            full.columns[key] = header
    absent_optional = sorted(k for k in needed_keys if k in options.optional_keys and k not in full)
    missing = sorted(k for k in needed_keys if k not in full and k not in options.optional_keys)
    if missing:
        hint = (f"Point kamtool at one with --col {missing[0]}=HEADER" if missing[0] in colmod.CANONICAL
                else "Name one of them")
        raise ColumnError(
            f"{source.name}: no {', '.join(missing)} column. The file's columns are: "
            f"{', '.join(source.headers)}. {hint}"
        )
    wanted = set(BASE_COLUMNS) if options.measures is None else _columns_for(options.measures, full)
    wanted |= set(options.dimensions) | needed_keys
    mapping = _ledger_mapping(full, wanted)
    source.skip_bad_rows = options.clean.skip_bad_rows
    return _Prepared(source, full, mapping, options.clean, set(mapping.columns) | {"amount"}, absent_optional)


def _clean_batches(prep: _Prepared, progress: Callable[[int, int], None] | None) -> Iterator[pa.Table]:
    import pyarrow as pa

    for raw, offset in prep.source.batches(prep.cleaner.raw_columns):
        lines, batch_stats = prep.cleaner.clean(raw, offset)
        prep.stats.add(batch_stats)
        if progress is not None:
            progress(raw.num_rows, 0)
        if lines.num_rows:
            for key in prep.absent_optional:
                lines = lines.append_column(key, pa.nulls(lines.num_rows, pa.string()))
            yield _with_measure_inputs(lines)


def _prefetched(produce: Callable[[], Iterator[pa.Table]]) -> Iterator[pa.Table]:
    """Run the reading and cleaning in a thread, one batch ahead of the aggregation.

    The thread starts at once, not at the first ``next()``: a workbook's parse (calamine,
    GIL released) then overlaps with the imports the main thread does meanwhile. Arrow's
    kernels release the GIL too, so the next batch is read and cleaned while DuckDB
    aggregates this one; the queue bounds memory to a few batches.
    """
    import queue

    box: queue.Queue[Any] = queue.Queue(maxsize=2)
    done = object()
    stop = threading.Event()

    def work() -> None:
        try:
            for item in produce():
                while not stop.is_set():
                    try:
                        box.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            box.put(done)
        except BaseException as exc:  # handed to the consumer, raised there
            box.put(exc)

    thread = threading.Thread(target=work, name="kamtool-reader", daemon=True)
    thread.start()

    def consume() -> Iterator[pa.Table]:
        try:
            while True:
                item = box.get()
                if item is done:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()

    return consume()


def _aggregate_stream(tables: Iterator[pa.Table], sql: Callable[[str], str],
                      schema: pa.Schema | None = None) -> pa.Table | None:
    """Feed cleaned tables to one DuckDB query; None when there were no lines.

    Our own errors raised while DuckDB pulls (a bad date on line 1,204) come back
    as ours, not wrapped in a DuckDB exception.
    """
    import pyarrow as pa

    failure: list[BaseException] = []

    def batches() -> Iterator[pa.RecordBatch]:
        try:
            for table in tables:
                if schema is not None:
                    table = _conform(table, schema)
                yield from table.to_batches()
        except BaseException as exc:
            failure.append(exc)

    con = connection()  # opened while the first batch is read (a workbook: parsed)
    stream = batches()
    first = next(stream, None)
    if failure:
        raise failure[0]
    if first is None:
        return None

    def chained() -> Iterator[pa.RecordBatch]:
        yield first
        yield from stream

    reader = pa.RecordBatchReader.from_batches(first.schema, chained())
    con.register("lines_stream", reader)
    try:
        result = con.sql(sql("lines_stream")).to_arrow_table()
    except Exception:
        if failure:
            raise failure[0] from None
        raise
    finally:
        con.unregister("lines_stream")
    if failure:
        raise failure[0]
    return _normalise(result)


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Several files as one stream: same columns, same types, nulls where a file lacks one."""
    import pyarrow as pa

    cols = []
    for f in schema:
        if f.name in table.column_names:
            col = table[f.name]
            cols.append(col if col.type == f.type else col.cast(f.type))
        else:
            cols.append(pa.nulls(table.num_rows, f.type))
    return pa.table(cols, schema=schema)


def read_source(source: Source, options: LoadOptions, extra: dict[str, list[str]] | None,
                progress: Callable[[int, int], None] | None = None) -> Partials:
    """Stream one source into partials (the unit of work, local or on a Dask worker)."""
    prep = _prepare(source, options, extra)
    groupings = groupings_for(prep.present, options.dimensions, extra)
    result = _aggregate_stream(
        _prefetched(lambda: _clean_batches(prep, progress)),
        lambda name: _partials_sql(name, groupings, merge=False),
    )
    if result is None:
        tables = {name: _empty_partial(keys) for name, keys in groupings.items()}
    else:
        tables = _split(result, groupings)
    return Partials(tables=tables, sources=[prep.info()], present=prep.present)


def _direct_sql(source: str, keys: list[str], figures: Sequence[str]) -> str:
    """Final figures straight from the lines: one GROUP BY, with the distinct counts asked for."""
    cols = ", ".join(_q(k) for k in keys)
    measures = ", ".join(f"{line} AS {_q(out)}" for out, line, _m in MEASURES
                         if OPTIONAL_MEASURES.get(out, "") in ("", *figures))
    if keys == ["customer"]:
        measures += f", {NAME_RULE_SQL} AS customer_name"
    if "orders" in figures:
        measures += f", count(DISTINCT {ORDER_KEY})::BIGINT AS orders"
    if "active_days" in figures:
        measures += ", count(DISTINCT date)::BIGINT AS active_days"
    return f"SELECT {cols}, {measures} FROM {source} GROUP BY {cols} ORDER BY {cols}"


def _stream_schema(keys: list[str]) -> pa.Schema:
    import pyarrow as pa

    types = {"date": pa.date32(), "amount_c": pa.int64(), "quantity": pa.float64(), "profit_c": pa.int64()}
    base = [*keys, "customer_name"] if keys == ["customer"] else keys
    names = list(dict.fromkeys([*base, "date", ORDER_KEY, "amount_c", "quantity", "profit_c"]))
    return pa.schema([pa.field(n, types.get(n, pa.string())) for n in names])


def load_direct(
    inputs: Sequence[str],
    options: LoadOptions,
    keys: list[str],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Ledger:
    """One pass over every input straight to one table of final figures per ``keys``.

    The fast path for commands that need a single grouping (abc, pareto, rfm): no
    intermediate order table is built, so DuckDB's distinct counts run in one go.
    The figures equal those of the partials path; a test checks it.
    """
    name = {("customer",): "customers", ("customer", "date"): "daily"}.get(tuple(keys), "entity")
    extra = {"entity": keys} if name == "entity" else {}
    options = LoadOptions(read=options.read, clean=options.clean, overrides=options.overrides,
                          needed=options.needed, dimensions=(), optional_keys=options.optional_keys,
                          measures=options.measures, figures=options.figures)
    native_ledger, opened = _load_native(inputs, options, keys, name, progress)
    if native_ledger is not None:
        return native_ledger
    preps: list[_Prepared] = []

    def produce() -> Iterator[pa.Table]:
        from kamtool.warm import warm_imports

        warm_imports()
        for input_name in inputs:
            source = opened.pop(input_name, None) or open_source(input_name, options.read)
            prep = _prepare(source, options, extra)
            preps.append(prep)
            yield from _clean_batches(prep, progress)

    stream = _prefetched(produce)  # reading starts now
    schema = _stream_schema(keys)
    result = _aggregate_stream(stream, lambda s: _direct_sql(s, keys, options.figures), schema)
    if result is None:
        result = _empty_direct(keys, options.figures)
    present: set[str] = set().union(*(p.present for p in preps)) if preps else set()
    partials = Partials(tables={}, sources=[p.info() for p in preps], present=present)
    return Ledger(partials=partials, extra=extra, direct={name: result})


def _load_native(inputs: Sequence[str], options: LoadOptions, keys: list[str], name: str,
                 progress: Callable[[int, int], None] | None) -> tuple[Ledger | None, dict[str, Source]]:
    """The table straight from a plain file by DuckDB's own reader (see kamtool.native),
    or None and the inputs it opened."""
    from kamtool import native

    engine = native.mode()
    if engine == "off" or len(inputs) != 1:
        return None, {}
    try:
        table, prep = native.load(inputs[0], options, keys, options.figures, progress)
    except native.Declined as why:
        if engine == "force":
            raise RuntimeError(f"KAMTOOL_NATIVE=force, but the native path declined: {why}") from None
        return None, ({inputs[0]: why.source} if why.source is not None else {})
    partials = Partials(tables={}, sources=[prep.info()], present=prep.present)
    extra = {"entity": keys} if name == "entity" else {}
    return Ledger(partials=partials, extra=extra, direct={name: table}), {}


def _empty_direct(keys: list[str], figures: Sequence[str]) -> pa.Table:
    import pyarrow as pa

    table = _empty_partial(keys)
    table = table.drop_columns([c for c, f in OPTIONAL_MEASURES.items() if f not in figures])
    if keys == ["customer"]:
        table = table.append_column("customer_name", pa.array([], pa.string()))
    for figure in ("orders", "active_days"):
        if figure in figures:
            table = table.append_column(figure, pa.array([], pa.int64()))
    return table


def _empty_partial(keys: list[str]) -> pa.Table:
    import pyarrow as pa

    cols: dict[str, pa.Array] = {k: pa.array([], pa.date32() if k == "date" else pa.string()) for k in keys}
    for out, _l, _m in MEASURES:
        if out in ("first_date", "last_date"):
            cols[out] = pa.array([], pa.date32())
        elif out == "quantity":
            cols[out] = pa.array([], pa.float64())
        else:
            cols[out] = pa.array([], pa.int64())
    return pa.table(cols)


def _query(sql: str, **tables: pa.Table) -> pa.Table:
    con = connection()
    for name, table in tables.items():
        con.register(name, table)
    try:
        return _normalise(con.sql(sql).to_arrow_table())
    finally:
        for name in tables:
            con.unregister(name)


def _reaggregate(table: pa.Table, keys: list[str]) -> pa.Table:
    return _split(_query(_partials_sql("part", {"g": keys}, merge=True), part=table), {"g": keys})["g"]


def merge(parts: list[Partials], dimensions: Sequence[str],
          extra: dict[str, list[str]] | None = None) -> Partials:
    """Merge partials of several sources (files, workers) into one."""
    import pyarrow as pa

    present: set[str] = set().union(*(p.present for p in parts)) if parts else set()
    groupings = groupings_for(present, dimensions, extra)
    tables: dict[str, pa.Table] = {}
    for name, keys in groupings.items():
        pieces = [p.tables[name] for p in parts if name in p.tables]
        if not pieces:
            tables[name] = _empty_partial(keys)
            continue
        combined = pa.concat_tables(pieces, promote_options="permissive")
        tables[name] = _reaggregate(combined, keys)
    return Partials(tables=tables, sources=[s for p in parts for s in p.sources], present=present)


@dataclass
class Ledger:
    """Everything an analysis needs, computed once per run."""

    partials: Partials
    extra: dict[str, list[str]]
    # Final tables computed straight from the lines (see load_direct), by name.
    direct: dict[str, pa.Table] = field(default_factory=dict)
    _customers: pd.DataFrame | None = None
    _daily: pd.DataFrame | None = None

    @property
    def present(self) -> set[str]:
        return self.partials.present

    @property
    def sources(self) -> list[SourceInfo]:
        return self.partials.sources

    @property
    def orders_basis(self) -> str:
        """What one 'order' is in this data: distinct order ids, else customer-days."""
        return "order_id" if "order_id" in self.present else "customer-day"

    @property
    def has_profit(self) -> bool:
        return "profit" in self.present or "cost" in self.present

    @property
    def has_quantity(self) -> bool:
        return "quantity" in self.present

    def stats(self) -> BatchStats:
        total = BatchStats()
        for s in self.sources:
            total.add(s.stats)
        return total

    def totals(self) -> dict[str, Any]:
        """Whole-data figures summed in integer cents, exact to the cent."""
        import pyarrow.compute as pc

        # Any full table of partial measures sums to the same totals.
        orders = self.partials.tables.get("orders")
        if orders is None:
            orders = next(iter(self.direct.values()))

        def total(col: str) -> int:
            return int(pc.sum(orders[col]).as_py() or 0)

        figures: dict[str, Any] = {
            "lines": total("lines"),
            "revenue": total("revenue_c") / 100,
            "profit": total("profit_c") / 100 if self.has_profit else None,
            "quantity": float(pc.sum(orders["quantity"]).as_py() or 0) if self.has_quantity else None,
        }
        if "returns_c" in orders.column_names:  # a load without "returns" has none
            figures["returns_value"] = total("returns_c") / 100
            figures["return_lines"] = total("return_lines")
        if "first_date" in orders.column_names:
            figures["first_date"] = pc.min(orders["first_date"]).as_py() if orders.num_rows else None
            figures["last_date"] = pc.max(orders["last_date"]).as_py() if orders.num_rows else None
        return figures

    # -- per customer ------------------------------------------------------------------
    @property
    def customers(self) -> pd.DataFrame:
        """One row per customer (see the module docstring for the columns)."""
        if self._customers is None:
            if "customers" in self.direct:
                frame = self._frame(self.direct["customers"], ["customer"])
                if "customer_name" in self.present:
                    frame.insert(1, "customer_name", frame.pop("customer_name"))
                else:
                    frame = frame.drop(columns=["customer_name"])
                self._customers = frame
            elif "orders" in self.partials.tables:
                self._customers = self._build_customers()
            else:
                raise RuntimeError("this ledger was loaded for one table only; load it per customer")
        return self._customers

    @property
    def daily(self) -> pd.DataFrame:
        """One row per customer and order date."""
        if self._daily is None:
            if "daily" in self.direct:
                frame = self._frame(self.direct["daily"], ["customer", "date"])
                frame = frame.drop(columns=["active_days"], errors="ignore")
            else:
                frame = self._frame(self._grouped("orders", ["customer", "date"]), ["customer", "date"])
            self._daily = frame.drop(columns=["first_date", "last_date"], errors="ignore")
        return self._daily

    def group(self, name: str) -> pd.DataFrame:
        """A command's own grouping: keys + revenue, orders, lines, quantity, dates (+ profit)."""
        keys = self.extra[name]
        if name in self.direct:
            return self._frame(self.direct[name], keys).drop(columns=["active_days"], errors="ignore")
        return self._frame(self._grouped(name, keys), keys)

    def _grouped(self, name: str, keys: list[str], active_days: bool = False) -> pa.Table:
        """Partials re-aggregated to ``keys``; orders = distinct order keys per group."""
        measures = ", ".join(f"{m} AS {_q(out)}" for out, _l, m in MEASURES)
        cols = ", ".join(_q(k) for k in keys)
        days = ", count(DISTINCT date)::BIGINT AS active_days" if active_days else ""
        sql = (f"SELECT {cols}, {measures}, count(DISTINCT {ORDER_KEY})::BIGINT AS orders{days} "
               f"FROM part GROUP BY {cols} ORDER BY {cols}")
        return _query(sql, part=self.partials.tables[name])

    def _frame(self, table: pa.Table, keys: list[str]) -> pd.DataFrame:
        return _to_frame(table, keys=keys, has_profit=self.has_profit, has_quantity=self.has_quantity)

    def _build_customers(self) -> pd.DataFrame:
        frame = self._frame(self._grouped("orders", ["customer"], active_days=True), ["customer"])
        names = self.partials.tables.get("customer_customer_name")
        if names is not None:
            table = _query(f"SELECT customer, {NAME_RULE_SQL} AS customer_name FROM part GROUP BY customer",
                           part=names).to_pandas()
            names_by_id = table.set_index("customer")["customer_name"]
            frame.insert(1, "customer_name", frame["customer"].map(names_by_id))
        for dim in ("salesperson", "region"):
            table = self.partials.tables.get(f"customer_{dim}")
            if table is not None:
                frame[dim] = frame["customer"].map(_main_value(table, dim))
        for dim, column in (("product", "products"), ("brand", "brands")):
            table = self.partials.tables.get(f"customer_{dim}")
            if table is not None:
                counts = _query(
                    f"SELECT customer, count({_q(dim)})::BIGINT AS n FROM part GROUP BY customer",
                    part=table,
                ).to_pandas()
                mapped = frame["customer"].map(counts.set_index("customer")["n"])
                frame[column] = mapped.fillna(0).astype("int64")
        return frame


def _main_value(table: pa.Table, dim: str) -> pd.Series:
    """Per customer, the dimension value with the most revenue (ties: first by name)."""
    sql = (f"SELECT customer, arg_max({_q(dim)}, (revenue_c, -rank)) AS v FROM ("
           f"SELECT customer, {_q(dim)}, revenue_c, "
           f"dense_rank() OVER (PARTITION BY customer ORDER BY {_q(dim)}) AS rank "
           f"FROM part WHERE {_q(dim)} IS NOT NULL) GROUP BY customer")
    frame = _query(sql, part=table).to_pandas()
    return frame.set_index("customer")["v"]


def _to_frame(table: pa.Table, *, keys: list[str], has_profit: bool, has_quantity: bool) -> pd.DataFrame:
    """Partial columns (cents) -> the analysts' frame (currency units, dates)."""
    import pandas as pd

    # Text keys stay Arrow-backed strings: as Python objects a 10M-row frame of
    # customer × day × brand × product keys took gigabytes.
    frame = table.to_pandas(date_as_object=False)
    if "date" in frame:
        frame["date"] = pd.to_datetime(frame["date"])
    for col in ("first_date", "last_date"):
        if col in frame:
            frame[col] = pd.to_datetime(frame[col])
    frame["revenue"] = frame.pop("revenue_c") / 100
    if "returns_c" in frame:
        frame["returns_value"] = frame.pop("returns_c") / 100
    profit = frame.pop("profit_c")
    profit_lines = frame.pop("profit_lines")
    if has_profit:
        frame["profit"] = (profit / 100).where(profit_lines > 0)
    if not has_quantity:
        frame["quantity"] = float("nan")
    for col in ("lines", "return_lines", "orders", "active_days"):
        if col in frame:
            frame[col] = frame[col].astype("int64")
    front = [*keys, "revenue", "orders"] if "orders" in frame else [*keys, "revenue"]
    rest = [c for c in frame.columns if c not in front]
    return frame[front + rest].reset_index(drop=True)


def load(
    inputs: Sequence[str],
    options: LoadOptions,
    *,
    extra: dict[str, list[str]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    on_source: Callable[[Source], None] | None = None,
) -> Ledger:
    """Read every input and aggregate it locally."""
    parts = []
    for name in inputs:
        source = open_source(name, options.read)
        if on_source is not None:
            on_source(source)
        parts.append(read_source(source, options, extra, progress))
    merged = parts[0] if len(parts) == 1 else merge(parts, options.dimensions, extra)
    return Ledger(partials=merged, extra=dict(extra or {}))
