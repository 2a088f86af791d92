"""Many analyses from one load: the files are read and cleaned once, every ledger is a GROUP BY.

``kamtool report`` runs every analysis, and each one reads its own grain (per customer, per
customer and day, customer × day × brand × product, customer × invoice × dates …).  Loading
the files once per analysis would read and clean them ten times.  Instead :func:`load_fine`
asks the one engine entry (:func:`kamtool.engine.load.load`, so the native / arrow / dask
choice and its reason stay where they are) for one table at the finest grain any of them
reads — customer × date × order id × invoice × due and paid dates × salesperson × brand ×
product × category × customer name — with every sum, and :func:`view` rolls it up to any
analysis' grain with the engines' own merge query (:func:`kamtool.engine.stream.final_sql`
over partial groups, the query that merges the Dask workers' tables).

Why the roll-ups are exact: sums, counts, minima and maxima merge by summing, minimising and
maximising again; the distinct counts (orders, active days) do not add up, but the order id
and the date are keys of the fine table, so each fine row is one order on one day and the
distinct orders of a coarser group are the distinct order keys of its fine rows — the same
``coalesce(order_id, '@' || date)`` the engines count.  The customer name is a key too, so a
customer's name is ``min(customer_name)``, the engines' rule.  Money stays in integer cents.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from kamtool.engine.stream import ORDER_KEY, final_sql
from kamtool.ledger import Ledger
from kamtool.needs import Needs

if TYPE_CHECKING:
    import pyarrow as pa

# The finest grain an analysis reads: every key of every analysis' Needs, the order id (for
# exact distinct orders), the customer name (for the name rule).
FINE_KEYS: tuple[str, ...] = ("customer", "date", "customer_name", "order_id", "invoice_id", "due_date",
                              "paid_date", "salesperson", "brand", "product", "category")
FINE_MEASURES: tuple[str, ...] = ("profit", "quantity", "paid_amount")
FINE_FIGURES: tuple[str, ...] = ("returns", "dates")


def fine_needs(extra: tuple[str, ...] = ()) -> Needs:
    """The needs of the one load: the finest grain, every measure; ``extra``: more dimensions
    a report splits by (region, channel …), each optional like the rest."""
    keys = tuple(dict.fromkeys((*FINE_KEYS, *extra)))
    return Needs(keys=keys, columns=("customer", "date", "amount"), optional=keys[2:],
                 measures=FINE_MEASURES, figures=FINE_FIGURES)


def compact(fine: Ledger) -> Ledger:
    """The fine ledger with its text keys dictionary-coded: each name, product and salesperson is
    held once, not once per row (a third less memory on the benchmark's orders; the roll-ups
    read the codes as the same text, and their tables are plain text as before)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table = fine.table
    for index, f in enumerate(table.schema):
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type):
            table = table.set_column(index, f.name, pc.dictionary_encode(table[f.name]))
    return replace(fine, table=table)


def _present_for(fine: Ledger, needs: Needs) -> set[str]:
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


def view(fine: Ledger, needs: Needs, customers: Any = None, before: dt.date | None = None) -> Ledger:
    """The ledger a load of ``needs`` would have built, rolled up from the fine ledger.

    ``customers``: keep only these customers' lines (a report split by salesperson);
    ``before``: keep only the lines dated before this day (a report's last period).
    """
    import pyarrow as pa

    from kamtool.engine.duck import connection, plain_strings, quote

    keys = list(needs.grain)
    unknown = [k for k in keys if k not in fine.keys and k != "month"]
    if unknown:
        raise ValueError(f"the fine ledger has no key {', '.join(unknown)}")
    order = ("coalesce(order_id, '@' || CAST(\"date\" AS VARCHAR))" if "order_id" in fine.present
             else "CAST(\"date\" AS VARCHAR)")
    month = '((year("date") - 1970) * 12 + month("date") - 1)::BIGINT'
    conditions = (["customer IN (SELECT customer FROM fine_keep)"] if customers is not None else []) + (
        [f"\"date\" < DATE '{before.isoformat()}'"] if before is not None else [])
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    source = f"(SELECT *, {order} AS {quote(ORDER_KEY)}, {month} AS month FROM fine{where})"
    # (loyalty's "first_purchase" grain is rolled up by the merge query itself, as on every engine)
    sql = final_sql(source, keys, needs.figures, merged=True, measures=needs.measures or ())
    con = connection()
    con.register("fine", fine.table)
    if customers is not None:
        con.register("fine_keep", pa.table({"customer": pa.array(list(customers), pa.string())}))
    try:
        table = plain_strings(con.sql(sql).to_arrow_table())
    finally:
        con.unregister("fine")
        if customers is not None:
            con.unregister("fine_keep")
    present = _present_for(fine, needs)
    table = _unasked(table, present)
    return replace(fine, table=table, keys=tuple(keys), present=present, frames={})


def _unasked(table: pa.Table, present: set[str]) -> pa.Table:
    """Empty the sums a load of these needs alone would not have read: profit without a profit
    or cost column mapped, quantity without quantity (as the engines leave them)."""
    import pyarrow as pa

    def put(name: str, values: pa.Array) -> pa.Table:
        return table.set_column(table.column_names.index(name), name, values)

    rows = table.num_rows
    if "profit_c" not in table.column_names:  # loyalty's rolled table carries no sums but revenue
        return table
    if not {"profit", "cost"} & present:
        table = put("profit_c", pa.nulls(rows, pa.int64()))
        table = put("profit_lines", pa.array([0] * rows, pa.int64()))
    if "quantity" not in present:
        table = put("quantity", pa.nulls(rows, pa.float64()))
    return table


def owners(fine: Ledger, dimension: str) -> pa.Table:
    """Each customer's owner on ``dimension``: the value with most of its net revenue (ties:
    the first value in sort order); null for a customer whose lines carry no value."""
    from kamtool.engine.duck import connection, plain_strings, quote

    dim = quote(dimension)
    sql = (f"SELECT c.customer, o.owner FROM (SELECT DISTINCT customer FROM fine) c LEFT JOIN ("
           f"SELECT customer, {dim} AS owner, row_number() OVER (PARTITION BY customer "
           f"ORDER BY sum(revenue_c) DESC, {dim} ASC) AS rank FROM fine WHERE {dim} IS NOT NULL "
           f"GROUP BY customer, {dim}) o ON c.customer = o.customer AND o.rank = 1 ORDER BY c.customer")
    con = connection()
    con.register("fine", fine.table)
    try:
        return plain_strings(con.sql(sql).to_arrow_table())
    finally:
        con.unregister("fine")
