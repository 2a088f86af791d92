"""Many analyses from one load: the files are read and cleaned once, every ledger is a GROUP BY.

``kamtool report`` runs every analysis, and each one reads its own grain (per customer, per
customer and day, customer × day × brand × product, customer × invoice × dates …).  Loading
the files once per analysis would read and clean them ten times.  Instead the one engine entry
(:func:`kamtool.engine.load.load`, so the native / arrow / dask choice and its reason stay
where they are) is asked for one table at the finest grain any of them reads —
customer × date × order id × invoice × due and paid dates × salesperson × brand × product ×
category × customer name — with every sum (:func:`fine_needs`; the native engine leaves it a
row per line, as a grain of order lines groups nearly nothing: each row is then a partial group
of one line, :func:`kamtool.engine.native.order_lines`); :func:`compact` moves that table into
DuckDB once (:class:`Fine`), and :func:`view` rolls it up to any analysis' grain with the
engines' own merge query (:func:`kamtool.engine.stream.final_sql` over partial groups, the
query that merges the Dask workers' tables).

Why the roll-ups are exact: sums, counts, minima and maxima merge by summing, minimising and
maximising again; the distinct counts (orders, active days) do not add up, but the order id
and the date are keys of the fine table, so each fine row is one order on one day and the
distinct orders of a coarser group are the distinct order keys of its fine rows — the same
``coalesce(order_id, '@' || date)`` the engines count.  The customer name is a key too, so a
customer's name is ``min(customer_name)``, the engines' rule.  Money stays in integer cents.

Why the table is held as codes: every view groups and sorts on up to six text keys (a
near-line grain: 0.8M groups of the 0.9M fine rows of the 1M-line benchmark file), and
integers group and sort faster than text.  Each text key is stored as the rank of its value
among the key's values, so that codes sort, compare and take their minimum as the text does
(byte order, nulls last, DuckDB's order for text); a view's result is turned back into text
by one ``take`` per key.  The order id is held as the order key's code only (the distinct
orders): no analysis reads order ids.  A column without a value on any row (a key or measure
the files lack) is not stored: the views read a typed NULL in its place.
"""

from __future__ import annotations

import datetime as dt
import itertools
import weakref
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from kamtool.engine.duck import FIRST_PURCHASE
from kamtool.engine.stream import KEY_TYPES, ORDER_KEY, final_sql
from kamtool.ledger import Ledger
from kamtool.needs import Grain, Needs

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from kamtool.io.request import LoadRequest

# The finest grain an analysis reads: every key of every analysis' Needs, the order id (for
# exact distinct orders), the customer name (for the name rule).
FINE_KEYS: tuple[str, ...] = ("customer", "date", "customer_name", "order_id", "invoice_id", "due_date",
                              "paid_date", "salesperson", "brand", "product", "category")
FINE_MEASURES: tuple[str, ...] = ("profit", "quantity", "paid_amount")
FINE_FIGURES: tuple[str, ...] = ("returns", "dates")
# The keys of credit's invoice lines alone, and the receivables fields that make credit (or
# churn's typing) read them without a payments file (churn_types.CREDIT_FIELDS).
INVOICE_KEYS: tuple[str, ...] = ("invoice_id", "due_date", "paid_date")
RECEIVABLES: tuple[str, ...] = ("due_date", "paid_date", "paid_amount")
# Sums of the fine table that a whole-data total is taken of (Ledger.totals reads them).
_TOTALS = {"lines": "sum", "revenue_c": "sum", "profit_c": "sum", "quantity": "sum", "returns_c": "sum",
           "return_lines": "sum", "first_date": "min", "last_date": "max"}
_NUMBERS = itertools.count(1)
# The in-memory database the fine tables live in: one that compresses its tables.
_PACKED = "kamtool_packed"
# The rows moved into DuckDB at a time (a multiple of its row groups of 122,880 rows).
_BLOCK_ROWS = 8 * 122_880
# Line counts: held in 32 bits when they fit (the merge query sums them to 64 bits again).
_COUNTS = ("lines", "return_lines", "profit_lines")


def fine_needs(extra: tuple[str, ...] = (), *, invoices: bool = True) -> Needs:
    """The needs of the one load: the finest grain, every measure; ``extra``: more dimensions
    a report splits by (region, channel …), each optional like the rest.  ``invoices``: with
    credit's invoice keys (:data:`INVOICE_KEYS`).

    Only credit's invoice lines read the invoice id and the due and paid dates: credit runs
    with a payments file or receivables fields on the order lines (paid date, paid amount),
    churn reads the invoice lines with payments or any receivables field (due date too).  A
    report with no payments file over files with neither receivables fields nor an invoice
    column of their own (:func:`invoices_read`) loads the lines without them, and
    :func:`as_full` makes that ledger what the full load leaves: on the 10M-line benchmark
    file the invoice id is the order id, a second text key of 5.3M values to group, check and
    rank, which no view of such a run reads."""
    keys = tuple(k for k in dict.fromkeys((*FINE_KEYS, *extra)) if invoices or k not in INVOICE_KEYS)
    return Needs(keys=keys, columns=("customer", "date", "amount"), optional=keys[2:],
                 measures=FINE_MEASURES, figures=FINE_FIGURES)


def invoices_read(request: LoadRequest) -> bool:
    """Whether a report over ``request``'s files without a payments file may read credit's
    invoice keys (:data:`INVOICE_KEYS`): a file maps a receivables field (credit then runs, and
    churn reads the invoice lines) or an invoice column of its own (whose values the load
    checks: a padded one sends the load to the Arrow engine, which the Data quality sheet
    says).  Only the headers are read (a CSV file's first MB, a Parquet file's schema); a
    workbook (opening it parses the sheet), standard input, or a file the sniffing cannot
    read: True, the full load then reads it (and says what is wrong with it); and True when a
    ``--where`` filters by one of the keys, which the load then reads."""
    from pathlib import Path

    from kamtool.io.columns import map_columns
    from kamtool.io.read import format_from_magic, open_source

    if any(where.column in (*INVOICE_KEYS, *RECEIVABLES) for where in request.filters.where):
        return True  # --where invoice_id=…: the load reads the key to filter by it
    for name in request.files:
        if name == "-":  # read once, by the load
            return True
        path = Path(name)
        try:
            with open(path, "rb") as handle:
                if format_from_magic(handle.read(8)) == "excel":
                    return True
            source = open_source(name, request.read)
            full = map_columns(source.headers, request.overrides, source=source.name,
                               entity=request.by_label)
        except Exception:  # noqa: BLE001 - the load says what is wrong, as it would have
            return True
        if {"invoice_id", *RECEIVABLES} & set(full.columns):
            return True
    return False


def as_full(lean: Ledger, needs: Needs) -> Ledger:
    """A ledger loaded without the invoice keys, as the load of ``needs`` (with them) leaves it
    for files without receivables fields: each file's mapping reads the invoice id from the
    order id when it has no invoice column (:func:`kamtool.engine.prepare.prepare`), the
    invoice id is among the present columns when a file maps it, and the keys are all of
    ``needs``' (those the table lacks: typed NULLs in the views, as for any key a file lacks).
    A ledger loaded with every key of ``needs`` is returned as it is."""
    if set(needs.grain) <= set(lean.keys):
        return lean
    sources = []
    for info in lean.sources:
        mapping = dict(info.mapping)
        if "invoice_id" not in mapping and "order_id" in mapping:
            mapping["invoice_id"] = mapping["order_id"]
        sources.append(replace(info, mapping=mapping))
    mapped = any("invoice_id" in info.mapping for info in sources)
    present = set(lean.present) | ({"invoice_id"} if mapped else set())
    return replace(lean, sources=sources, present=present, keys=needs.grain)


@dataclass(eq=False)
class Fine:
    """The fine ledger held in DuckDB, as codes (see the module).

    ledger:  the load's facts (sources, engine and why, present columns, filters); its table is
             the whole data's totals, one row that :meth:`Ledger.totals` reads alike.
    keys:    the fine grain.
    columns: every column of the fine table with its DuckDB type, in order; ``stored`` those
             the DuckDB table holds (the others have no value on any row).
    texts:   per text key, its values in sort order: the stored code is an index into it.
    name:    the DuckDB table (dropped when this holder goes); ``con`` the connection holding it.
    """

    ledger: Ledger
    keys: tuple[str, ...]
    columns: dict[str, str]
    stored: frozenset[str]
    texts: dict[str, pa.Array]
    name: str
    con: duckdb.DuckDBPyConnection
    # The last roll-up of the days with every sum (see _rolled): (customer codes kept or None,
    # the day its lines are before or None, the table).
    days: list[tuple[Any, dt.date | None, pa.Table]] = field(default_factory=list, repr=False)

    def source(self, where: str = "") -> str:
        """The fine rows as a query: every column (a typed NULL for those not stored), the
        order key and the month."""
        from kamtool.engine.duck import quote

        cols = [quote(c) if c in self.stored else f"NULL::{kind} AS {quote(c)}"
                for c, kind in self.columns.items()]
        month = '((year("date") - 1970) * 12 + month("date") - 1)::BIGINT AS month'
        return f"(SELECT {', '.join(cols)}, {quote(ORDER_KEY)}, {month} FROM {self.name}{where})"

    def run(self, sql: str, of: dict[str, str] | None = None, **tables: pa.Table) -> pa.Table:
        """``sql`` over the table (and small Arrow ``tables`` by name), its codes made text
        again: the columns named as a text key, and those ``of`` names the key of."""
        import pyarrow as pa
        import pyarrow.compute as pc

        from kamtool.engine.duck import plain_strings

        for name, table in tables.items():
            self.con.register(name, table)
        try:
            result = self.con.sql(sql).to_arrow_table()
        finally:
            for name in tables:
                self.con.unregister(name)
        keys = {**{c: c for c in result.column_names if c in self.texts}, **(of or {})}
        cols = [pc.take(self.texts[keys[c]], result[c]) if keys.get(c) in self.texts else result[c]
                for c in result.column_names]
        return plain_strings(pa.table(cols, names=result.column_names))

    def columns_of(self, sql: str, **tables: pa.Table) -> list[str]:
        """The columns of ``sql``'s result (bound, not run)."""
        for name, table in tables.items():
            self.con.register(name, table)
        try:
            return list(self.con.sql(sql).columns)
        finally:
            for name in tables:
                self.con.unregister(name)

    def codes(self, key: str, values: Any) -> pa.Array:
        """The codes of ``values`` of text key ``key`` (values it does not hold: none)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        known = self.texts.get(key, pa.array([], pa.string()))
        at = pc.index_in(pa.array(list(values), pa.string()), value_set=known)
        return pc.drop_null(at).cast(pa.int32())


def compact(fine: Ledger) -> Fine:
    """The fine ledger moved into DuckDB once, its text keys as sorted codes (see the module).

    Each view is then a DuckDB aggregate over DuckDB's own storage, on integers; the load's
    Arrow table is not kept (the caller's ledger holds it until it lets it go).
    """
    import pyarrow as pa

    from kamtool.engine.duck import connection

    table = fine.table
    con = connection()
    columns: dict[str, str] = {}
    texts: dict[str, pa.Array] = {}
    stored: dict[str, Any] = {}
    for f in table.schema:
        if f.name == "order_id":
            continue  # held as the order key (see _order_key)
        text = (pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
                or pa.types.is_dictionary(f.type))  # (dictionary-coded: the native table of lines)
        columns[f.name] = "VARCHAR" if text else _sql_type(f.type)  # the type of a NULL in its place
        column = table[f.name]
        if table.num_rows and column.null_count == table.num_rows:
            continue  # no value on any row: a typed NULL in the views
        if text:
            texts[f.name], column = _ranked(column, con)
        elif f.name in _COUNTS:
            column = _narrow(column)
        stored[f.name] = column
    for key in fine.keys:  # a key the load did not group by (as_full): a typed NULL in the views
        columns.setdefault(key, "DATE" if KEY_TYPES.get(key) == "date32" else "VARCHAR")
    invoices = (texts["invoice_id"], stored["invoice_id"]) if "invoice_id" in texts else None
    stored[ORDER_KEY] = _order_key(table, "order_id" in fine.present, invoices)
    name = f"{_PACKED}.kamtool_fine_{next(_NUMBERS)}"
    con.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {_PACKED} (COMPRESS)")
    codes, stored_names = pa.table(stored), frozenset(stored)
    del stored
    # A checkpoint compresses what the table holds (codes bit-packed, runs of one customer or
    # day run-length coded): on the 1M-line benchmark file 95 MB -> 17 MB, the views as fast.
    # The rows go in a block at a time, each compressed before the next, so that the table is
    # never whole uncompressed (10M lines: 0.8 GiB at the report's peak).
    for start in range(0, max(codes.num_rows, 1), _BLOCK_ROWS):
        con.register("kamtool_fine_codes", codes.slice(start, _BLOCK_ROWS))
        try:
            con.execute(f"INSERT INTO {name} SELECT * FROM kamtool_fine_codes" if start else
                        f"CREATE TABLE {name} AS SELECT * FROM kamtool_fine_codes")
        finally:
            con.unregister("kamtool_fine_codes")
        con.execute(f"CHECKPOINT {_PACKED}")
    del codes
    held = Fine(ledger=replace(fine, table=_totals(table), keys=(), frames={}), keys=fine.keys,
                columns=columns, stored=stored_names, texts=texts, name=name, con=con)
    weakref.finalize(held, _drop, con, name)
    return held


def _drop(con: duckdb.DuckDBPyConnection, name: str) -> None:
    import contextlib

    with contextlib.suppress(Exception):  # the connection may be closed already (at exit)
        con.execute(f"DROP TABLE IF EXISTS {name}")


def _sql_type(kind: pa.DataType) -> str:
    import pyarrow as pa

    if pa.types.is_date32(kind):
        return "DATE"
    if pa.types.is_floating(kind):
        return "DOUBLE"
    if pa.types.is_integer(kind):
        return "BIGINT"
    raise TypeError(f"the fine ledger holds no {kind} column")


def _encoded(column: pa.ChunkedArray) -> tuple[pa.Array, pa.Array]:
    """(a column's distinct values, each row's index into them), one dictionary for the whole
    column (encoding chunk by chunk and unifying the dictionaries costs three times as much).
    A column the native engine coded a batch at a time (a table of lines) has its batches'
    dictionaries unified."""
    import pyarrow as pa
    import pyarrow.compute as pc

    whole = column.combine_chunks()  # (dictionary chunks: one dictionary for all of them)
    encoded = whole if pa.types.is_dictionary(whole.type) else pc.dictionary_encode(whole)
    return encoded.dictionary, encoded.indices


def _ranked(column: pa.ChunkedArray, con: duckdb.DuckDBPyConnection) -> tuple[pa.Array, pa.Array]:
    """A text column -> (its distinct values in DuckDB's order for text, each row's index into
    them). DuckDB sorts the values: its order is the one the views' ORDER BY and min() follow,
    and it sorts text in a third of Arrow's time (5.3M invoice ids: 1.0 s against 2.6 s)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    values, indices = _encoded(column)
    places = np.arange(len(values), dtype=np.int32)
    con.register("kamtool_values", pa.table({"value": values, "place": places}))
    try:
        order = con.sql("SELECT place FROM kamtool_values ORDER BY value").to_arrow_table()["place"]
    finally:
        con.unregister("kamtool_values")
    rank = np.empty(len(values), np.int32)
    order = order.combine_chunks()
    rank[order.to_numpy()] = places
    return pc.take(values, order), pc.take(pa.array(rank), indices)


def _order_key(table: pa.Table, has_order_id: bool, invoices: tuple[pa.Array, pa.Array] | None) -> Any:
    """Each fine row's order key ``coalesce(order_id, '@' || date)`` (the date alone without
    order ids, as the engines count them) as a code: equal keys, equal codes. ``invoices``: the
    invoice ids' (values, codes), which serve when every line's invoice is its order id (a file
    without invoice numbers reads the order id as the invoice: one coding for both)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    days = pc.cast(table["date"], pa.int32())
    if not has_order_id or not table.num_rows:
        return days  # days since 1970: one key per day
    if invoices is not None and table["order_id"].equals(table["invoice_id"]):
        values, codes = invoices
    else:
        values, codes = _encoded(table["order_id"])
    if pc.any(pc.starts_with(values, "@")).as_py():
        # an order id that may read like a day's key: the keys spelled as the engines spell them
        day_keys = pc.binary_join_element_wise("@", pc.cast(table["date"], pa.string()), "")
        key = pc.coalesce(pc.take(values, codes), day_keys)
        return _encoded(key)[1]
    # an order id: its code, 0 … n-1; a line without one: one key per day, from n up
    day_codes = pc.add(pc.subtract(days, pc.min(days)), pa.scalar(len(values), pa.int32()))
    return pc.coalesce(codes, day_codes)


def _narrow(column: pa.ChunkedArray) -> pa.ChunkedArray:
    import pyarrow as pa
    import pyarrow.compute as pc

    top = pc.max(column).as_py()
    return column.cast(pa.int32()) if top is None or top < 2**31 else column


def _totals(table: pa.Table) -> pa.Table:
    """The fine table summed up to one row, as Ledger.totals reads it (the same sums, taken
    the same way, so the totals are the fine table's to the last bit)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kept = [c for c in _TOTALS if c in table.column_names]
    if not table.num_rows:
        return table.select(kept)

    def kind(column: str) -> pa.DataType:  # (a table of lines counts in 32 bits, a total in 64)
        found = table.schema.field(column).type
        return pa.int64() if pa.types.is_integer(found) else found

    return pa.table({c: pa.array([getattr(pc, _TOTALS[c])(table[c]).as_py()], kind(c)) for c in kept})


def present_for(fine: Ledger, needs: Needs) -> set[str]:
    """The columns a load of ``needs`` alone would have mapped (the analyses read the ledger's
    ``present`` to know what the file has: profit only when the load summed it, and so on)."""
    from kamtool.engine.prepare import columns_for
    from kamtool.io.columns import Mapping

    # amount is always "present" (it may be quantity × unit price); whether a file has it decides
    # whether quantity and unit price are read.
    in_files = {c for c in fine.present if c != "amount" or all("amount" in s.mapping for s in fine.sources)}
    mapped = Mapping(columns={c: c for c in in_files})
    measures = needs.measures if needs.measures is not None else FINE_MEASURES
    wanted = columns_for(tuple(measures), mapped) | set(needs.grain)
    if "invoice_id" in needs.grain and "order_id" in fine.present:
        wanted.add("invoice_id")  # credit's invoices are the orders when the file has no number
    return {c for c in fine.present if c in wanted} | {"amount"}


def view(fine: Fine | Ledger, needs: Needs, customers: Any = None, before: dt.date | None = None) -> Ledger:
    """The ledger a load of ``needs`` would have built, rolled up from the fine ledger (a
    :class:`Fine`; a fine :class:`Ledger` is moved into DuckDB first).

    ``customers``: keep only these customers' lines (a report split by salesperson);
    ``before``: keep only the lines dated before this day (a report's last period).
    """
    import pyarrow as pa

    held = fine if isinstance(fine, Fine) else compact(fine)
    keys = list(needs.grain)
    unknown = [k for k in keys if (k not in held.keys or k == "order_id") and k != "month"]
    if unknown:  # (the order ids are held as the order key only: no analysis reads them)
        raise ValueError(f"the fine ledger has no key {', '.join(unknown)}")
    conditions = (["customer IN (SELECT code FROM kamtool_keep)"] if customers is not None else []) + (
        [f"\"date\" < DATE '{before.isoformat()}'"] if before is not None else [])
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    # (loyalty's "first_purchase" grain is rolled up by the merge query itself, as on every engine)
    source = held.source(where)
    keep = {} if customers is None else {"kamtool_keep": pa.table({"code": held.codes("customer",
                                                                                      customers)})}
    present = present_for(held.ledger, needs)
    from kamtool.engine import grains

    if grains.applies(needs.grains, needs.keys, needs.figures, needs.measures):
        # as a load of these needs leaves it: the main table at their keys, the grains beside,
        # each its own roll-up of the fine rows (see _grains)
        main = _unasked(_rolled(held, source, list(needs.keys), needs, keep, before), present)
        if "customer_name" in main.column_names:  # as the engines' main table beside grains: no name
            main = main.drop_columns(["customer_name"])
        return replace(held.ledger, table=main, keys=tuple(needs.keys), present=present, frames={},
                       grains=_grains(held, source, needs, present, main, keep))
    table = _unasked(_rolled(held, source, keys, needs, keep, before), present)
    return replace(held.ledger, table=table, keys=tuple(keys), present=present, frames={})


def _rolled(held: Fine, source: str, keys: list[str], needs: Needs, keep: dict[str, pa.Table],
            before: dt.date | None) -> pa.Table:
    """The fine rows ``source`` summed up to ``keys``: the merge query of the needs' figures.

    Per customer × day (the table of clv, churn, stages, tiers and the as-of date) one roll-up
    with every sum serves them all, each reading its own columns of it (the same sums of the
    same rows), and last period's days are its rows dated before that day (the day is a key):
    on 10M lines each roll-up of the days is 4 CPU-s.  The last one is kept on the holder."""
    import pyarrow as pa
    import pyarrow.compute as pc

    sql = final_sql(source, keys, needs.figures, merged=True, measures=needs.measures or ())
    if keys != ["customer", "date"] or {"orders", "active_days", FIRST_PURCHASE} & set(needs.figures):
        return held.run(sql, **keep)
    codes = keep["kamtool_keep"]["code"] if keep else None
    days = next((t for c, b, t in held.days if b in (None, before) and
                 (c is None if codes is None else c is not None and c.equals(codes))), None)
    if days is None:
        every = final_sql(source, keys, FINE_FIGURES, merged=True, measures=FINE_MEASURES)
        days = held.run(every, **keep)
        held.days[:] = [(codes, before, days)]
    elif held.days[0][1] != before:  # the whole data's days: those before last period's as-of day
        days = days.filter(pc.less(days["date"], pa.scalar(before, pa.date32())))
        # kept in their place: last period's runs come last (a later ask of every day rolls them
        # up again), and the whole data's then go (10M lines: 0.3 GiB off the report's peak)
        held.days[:] = [(codes, before, days)]
    return days.select(held.columns_of(sql, **keep))


def _grains(held: Fine, source: str, needs: Needs, present: set[str], main: pa.Table,
            keep: dict[str, pa.Table]) -> dict[str, pa.Table | None]:
    """Each grain of ``needs`` rolled up from the fine rows ``source`` straight to its keys: the
    tables :func:`kamtool.engine.grains.from_fine` sums from the table at every key of the
    needs (sums of integer cents are exact at any level), without that near-line table
    (customer × day × salesperson × brand × category for tiers) leaving DuckDB as text first.
    A grain holds the months its analysis reads alone (:attr:`kamtool.needs.Grain.read`, from the
    last day of ``main``, the view's main table, as the native query cuts them) and carries the
    sums of ``main``'s columns, in their order."""
    from kamtool.engine import grains
    from kamtool.engine.duck import quote
    from kamtool.engine.stream import MEASURES

    merge = {out: sql for out, _line, sql in MEASURES}

    def built(grain: Grain, tried: tuple[str, ...], months: tuple[int, int] | None) -> pa.Table:
        rows = source if grain.months == 1 else (
            f"(SELECT * REPLACE ({grains.month_sql(grain.months)} AS month) FROM {source})")
        if months is not None:
            rows = f"(SELECT * FROM {rows} WHERE {grains.in_months(months)})"
        carried = ", ".join(f"{merge[c]} AS {quote(c)}" for c in main.column_names if c in grain.sums)
        cols = ", ".join(quote(k) for k in tried)
        return _unasked(held.run(f"SELECT {cols}, {carried} FROM {rows} GROUP BY {cols} ORDER BY {cols}",
                                 **keep), present)

    return grains.first_held(needs.grains, present, built, grains.last_day(main))


def _unasked(table: pa.Table, present: set[str]) -> pa.Table:
    """Empty the sums a load of these needs alone would not have read: profit without a profit
    or cost column mapped, quantity without quantity (as the engines leave them)."""
    import pyarrow as pa

    def put(name: str, values: pa.Array) -> pa.Table:
        return table.set_column(table.column_names.index(name), name, values)

    rows = table.num_rows
    names = table.column_names  # (loyalty's rolled table and a grain carry only some sums)
    if not {"profit", "cost"} & present:
        if "profit_c" in names:
            table = put("profit_c", pa.nulls(rows, pa.int64()))
        if "profit_lines" in names:
            table = put("profit_lines", pa.array([0] * rows, pa.int64()))
    if "quantity" not in present and "quantity" in names:
        table = put("quantity", pa.nulls(rows, pa.float64()))
    return table


def owners(fine: Fine | Ledger, dimension: str) -> pa.Table:
    """Each customer's owner on ``dimension``: the value with most of its net revenue (ties:
    the first value in sort order); null for a customer whose lines carry no value."""
    from kamtool.engine.duck import quote

    held = fine if isinstance(fine, Fine) else compact(fine)
    dim = quote(dimension)
    source = held.source()
    sql = (f"SELECT c.customer, o.owner FROM (SELECT DISTINCT customer FROM {source}) c LEFT JOIN ("
           f"SELECT customer, {dim} AS owner, row_number() OVER (PARTITION BY customer "
           f"ORDER BY sum(revenue_c) DESC, {dim} ASC) AS rank FROM {source} WHERE {dim} IS NOT NULL "
           f"GROUP BY customer, {dim}) o ON c.customer = o.customer AND o.rank = 1 ORDER BY c.customer")
    return held.run(sql, of={"owner": dimension})
