"""The Arrow engine: io cleans the lines in batches, DuckDB aggregates the stream.

Each input is read in batches (Arrow, a quarter of a million lines at a time) and every
batch is cleaned by :mod:`kamtool.io.clean` in a reader thread, one batch ahead of the
aggregation.  The cleaned stream of every input, chained into one, feeds one DuckDB query
(one GROUP BY at the request's keys, with the exact distinct counts it asks for), which
aggregates in parallel and spills to disk when it must, so memory follows the number of
customers and orders, not the number of lines.  Money is summed in int64 cents.

The same cleaning feeds the Dask workers (:mod:`kamtool.engine.dask`): :func:`partial_sql`
groups one file's lines at keys × day × order, :func:`final_sql` then merges any number of
such tables to the figures this engine computes from the lines.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from kamtool.engine import filters
from kamtool.engine.duck import (
    FIRST_PURCHASE,
    ROLLED_MEMORY,
    capped_memory,
    connection,
    empty_rolled,
    plain_strings,
    quote,
    rolled_sql,
)
from kamtool.engine.prepare import Prepared, prepare
from kamtool.io.read import Source, open_source
from kamtool.ledger import month_of

if TYPE_CHECKING:
    import pyarrow as pa

    from kamtool.io.request import LoadRequest

ORDER_KEY = "order_key"
# Measures: (output column, SQL over cleaned lines, SQL merging partial groups).
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
    # NULL where no line of the group has a paid_amount (a paid_date alone: paid in full).
    ("paid_amount_c", "sum(paid_amount_c)::BIGINT", "sum(paid_amount_c)::BIGINT"),
)
# Measures that only some commands report, by the figure that asks for them.
OPTIONAL_MEASURES = {"returns_c": "returns", "return_lines": "returns", "first_date": "dates",
                     "last_date": "dates"}
# Measures summed only when a request's measures name them.
ASKED_MEASURES = {"paid_amount_c": "paid_amount"}
# Types of the keys that are not text.
KEY_TYPES = {"date": "date32", "due_date": "date32", "paid_date": "date32", "month": "int64"}
# A customer id that carries several names shows the first alphabetically (every engine).
NAME_RULE_SQL = "min(customer_name)"


def with_measure_inputs(lines: pa.Table) -> pa.Table:
    """Columns every query expects, whatever the source had, and the order key.

    Lines without an order number count one order per customer-day.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if "quantity" not in lines.column_names:
        lines = lines.append_column("quantity", pa.nulls(lines.num_rows, pa.float64()))
    if "profit_c" not in lines.column_names:
        lines = lines.append_column("profit_c", pa.nulls(lines.num_rows, pa.int64()))
    if "order_id" in lines.column_names:
        order = lines["order_id"]
        if order.null_count:
            date_key = pc.cast(lines["date"], pa.string())
            order = pc.coalesce(order, pc.binary_join_element_wise("@", date_key, ""))
    else:
        order = pc.cast(lines["date"], pa.string())
    return lines.append_column(ORDER_KEY, order)


def clean_batches(prep: Prepared, progress: Callable[[int, int], None] | None) -> Iterator[pa.Table]:
    """One source's cleaned lines, batch by batch, counting what was read and dropped."""
    import pyarrow as pa

    for raw, offset in prep.source.batches(prep.cleaner.raw_columns):
        lines, batch_stats = prep.cleaner.clean(raw, offset)
        if prep.filters:  # after the cleaning: left-out lines are checked like every other
            lines = filters.apply(lines, prep.filters, batch_stats)
        prep.stats.add(batch_stats)
        if progress is not None:
            progress(raw.num_rows, 0)
        if lines.num_rows:
            for key in prep.absent_optional:
                kind = pa.date32() if KEY_TYPES.get(key) == "date32" else pa.string()
                lines = lines.append_column(key, pa.nulls(lines.num_rows, kind))
            if prep.month:
                lines = lines.append_column("month", month_of(lines["date"]))
            if prep.paid and "paid_amount_c" not in lines.column_names:
                lines = lines.append_column("paid_amount_c", pa.nulls(lines.num_rows, pa.int64()))
            yield with_measure_inputs(lines)


def prefetched(produce: Callable[[], Iterator[pa.Table]]) -> Iterator[pa.Table]:
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


def aggregate_stream(tables: Iterator[pa.Table], sql: Callable[[str], str],
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
                    table = conform(table, schema)
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
    return plain_strings(result)


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
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


def _wanted(out: str, figures: Sequence[str], measures: Sequence[str] | None) -> bool:
    if out in ASKED_MEASURES:
        return ASKED_MEASURES[out] in (measures or ())
    return OPTIONAL_MEASURES.get(out, "") in ("", *figures)


def _measures(figures: Sequence[str], merged: bool, measures: Sequence[str] | None = ()) -> list[str]:
    return [f"{merge if merged else line} AS {quote(out)}" for out, line, merge in MEASURES
            if _wanted(out, figures, measures)]


def final_sql(source: str, keys: Sequence[str], figures: Sequence[str], *, merged: bool = False,
              measures: Sequence[str] | None = ()) -> str:
    """The ledger's figures per ``keys``: one GROUP BY, with the distinct counts asked for.

    ``merged``: ``source`` holds :func:`partial_sql` groups, not lines; ``measures``: the
    request's, of which paid_amount adds a sum (:data:`ASKED_MEASURES`).
    """
    cols = ", ".join(quote(k) for k in keys)
    sums = ", ".join(_measures(figures, merged, measures))
    if tuple(keys) == ("customer",):
        sums += f", {NAME_RULE_SQL} AS customer_name"
    if "orders" in figures:
        sums += f", count(DISTINCT {ORDER_KEY})::BIGINT AS orders"
    if "active_days" in figures:
        sums += ", count(DISTINCT date)::BIGINT AS active_days"
    grouped = f"SELECT {cols}, {sums} FROM {source} GROUP BY {cols}"
    if FIRST_PURCHASE in figures:  # loyalty's grain, rolled up in the same query
        return rolled_sql(grouped, figures=figures)
    return f"{grouped} ORDER BY {cols}"


def partial_sql(source: str, keys: Sequence[str], figures: Sequence[str],
                measures: Sequence[str] | None = ()) -> str:
    """Lines grouped at ``keys`` × day × order: mergeable across files and workers.

    Sums, counts, minima and maxima merge by summing, minimising and maximising again, and
    the distinct orders and days of a group are its distinct partial rows' keys.
    """
    grain = list(dict.fromkeys([*keys, "date", ORDER_KEY]))
    cols = ", ".join(quote(k) for k in grain)
    sums = ", ".join(_measures(figures, merged=False, measures=measures))
    if tuple(keys) == ("customer",):
        sums += f", {NAME_RULE_SQL} AS customer_name"
    return f"SELECT {cols}, {sums} FROM {source} GROUP BY {cols}"


def _key_type(key: str) -> pa.DataType:
    import pyarrow as pa

    kind = KEY_TYPES.get(key)
    return pa.date32() if kind == "date32" else pa.int64() if kind == "int64" else pa.string()


def stream_schema(keys: Sequence[str], measures: Sequence[str] | None = ()) -> pa.Schema:
    """The columns and types of the cleaned stream a query over ``keys`` reads."""
    import pyarrow as pa

    types = {"amount_c": pa.int64(), "quantity": pa.float64(), "profit_c": pa.int64(),
             "paid_amount_c": pa.int64()}
    types.update({k: _key_type(k) for k in KEY_TYPES})
    base = [*keys, "customer_name"] if tuple(keys) == ("customer",) else list(keys)
    paid = ["paid_amount_c"] if "paid_amount" in (measures or ()) else []
    names = list(dict.fromkeys([*base, "date", ORDER_KEY, "amount_c", "quantity", "profit_c", *paid]))
    return pa.schema([pa.field(n, types.get(n, pa.string())) for n in names])


def empty_table(keys: Sequence[str], figures: Sequence[str], measures: Sequence[str] | None = ()) -> pa.Table:
    """The ledger's table without a line: its columns, no rows."""
    import pyarrow as pa

    if FIRST_PURCHASE in figures:
        return empty_rolled()

    cols: dict[str, pa.Array] = {k: pa.array([], _key_type(k)) for k in keys}
    for out, _line, _merge in MEASURES:
        if not _wanted(out, figures, measures):
            continue
        kind = pa.date32() if out in ("first_date", "last_date") else (
            pa.float64() if out == "quantity" else pa.int64())
        cols[out] = pa.array([], kind)
    if tuple(keys) == ("customer",):
        cols["customer_name"] = pa.array([], pa.string())
    for figure in ("orders", "active_days"):
        if figure in figures:
            cols[figure] = pa.array([], pa.int64())
    return pa.table(cols)


def load(request: LoadRequest, opened: dict[str, Source] | None = None,
         progress: Callable[[int, int], None] | None = None) -> tuple[pa.Table, list[Prepared]]:
    """One pass over every input of ``request`` to the table of figures per its keys.

    ``opened``: inputs the native engine opened already, by name (sniffed once only).
    """
    opened = dict(opened or {})
    preps: list[Prepared] = []
    keys = list(request.keys)

    def produce() -> Iterator[pa.Table]:
        from kamtool.warm import warm_imports

        warm_imports()
        for name in request.files:
            source = opened.pop(name, None) or open_source(name, request.read)
            prep = prepare(source, request)
            preps.append(prep)
            yield from clean_batches(prep, progress)

    stream = prefetched(produce)  # reading starts now
    measures = request.measures
    with capped_memory(ROLLED_MEMORY if FIRST_PURCHASE in request.figures else None):
        result = aggregate_stream(stream, lambda s: final_sql(s, keys, request.figures, measures=measures),
                                  stream_schema(keys, measures))
    if result is None:
        result = empty_table(keys, request.figures, measures)
    return result, preps
