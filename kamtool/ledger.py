"""Order lines -> one row per customer: the one heavy aggregation.

The engine streams each input in batches (Arrow, about a million lines at a
time), cleans every batch with :mod:`kamtool.io.clean`, and folds it at once into
partial group-bys.  Memory therefore grows with the number of customers and
orders, not with the number of lines, and inputs larger than memory stream.
Every partial is a plain Arrow table of sums, counts, minima and maxima, so
partials from different files, batches or Dask workers merge by the same rule
and give the same figures, to the cent (money is summed in int64 cents).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kamtool.errors import ColumnError
from kamtool.io import columns as colmod
from kamtool.io.clean import REASON_RAGGED, BatchStats, Cleaner, CleanOptions
from kamtool.io.read import ReadOptions, Source, open_source

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

ORDER_KEY = "order_key"
# Partial measures: (output column, source column, aggregate, how partials merge).
MEASURES: tuple[tuple[str, str, str, str], ...] = (
    ("revenue_c", "amount_c", "sum", "sum"),
    ("lines", "amount_c", "count", "sum"),
    ("returns_c", "neg_c", "sum", "sum"),
    ("return_lines", "neg_n", "sum", "sum"),
    ("quantity", "quantity", "sum", "sum"),
    ("profit_c", "profit_c", "sum", "sum"),
    ("profit_lines", "profit_c", "count", "sum"),
    ("first_date", "date", "min", "min"),
    ("last_date", "date", "max", "max"),
)
COMBINE_ROWS = 4_000_000  # merge accumulated partials when they grow past this
DIMENSIONS = ("salesperson", "region", "channel", "product", "brand", "category", "customer_name")


@dataclass
class LoadOptions:
    read: ReadOptions = field(default_factory=ReadOptions)
    clean: CleanOptions = field(default_factory=CleanOptions)
    overrides: dict[str, str] = field(default_factory=dict)
    needed: tuple[str, ...] = ("customer", "date", "amount")


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


def _measure_inputs(lines: pa.Table) -> pa.Table:
    import pyarrow as pa
    import pyarrow.compute as pc

    amount = lines["amount_c"]
    negative = pc.less(amount, 0)
    lines = lines.append_column("neg_c", pc.if_else(negative, amount, 0))
    lines = lines.append_column("neg_n", pc.cast(negative, pa.int64()))
    if "quantity" not in lines.column_names:
        lines = lines.append_column("quantity", pa.nulls(lines.num_rows, pa.float64()))
    if "profit_c" not in lines.column_names:
        lines = lines.append_column("profit_c", pa.nulls(lines.num_rows, pa.int64()))
    if "order_id" in lines.column_names:
        order = lines["order_id"]
        if order.null_count:
            # Lines without an order number count one order per customer-day.
            order = pc.coalesce(order, pc.binary_join_element_wise("@", pc.cast(lines["date"], pa.string()), ""))
        lines = lines.append_column(ORDER_KEY, order)
    else:
        lines = lines.append_column(ORDER_KEY, pc.cast(lines["date"], pa.string()))
    return lines


def _aggregate(table: pa.Table, keys: Sequence[str], merge: bool) -> pa.Table:
    aggs = []
    names = list(keys)
    for out, src, first, then in MEASURES:
        aggs.append((out if merge else src, then if merge else first))
        names.append(out)
    result = table.group_by(list(keys), use_threads=True).aggregate(aggs)
    # Arrow names results "<col>_<agg>" and puts keys last; restore our order and names.
    ordered = [result[f"{c}_{a}"] for c, a in aggs]
    return _table(list(keys), [result[k] for k in keys], names[len(keys):], ordered)


def _table(keys: list[str], key_cols: list[Any], names: list[str], cols: list[Any]) -> pa.Table:
    import pyarrow as pa

    return pa.table(dict(zip(keys + names, key_cols + cols, strict=True)))


def _concat(tables: list[pa.Table]) -> pa.Table:
    import pyarrow as pa

    return pa.concat_tables(tables, promote_options="permissive")


class Accumulator:
    """Folds cleaned batches into partial group-bys, one per grouping."""

    def __init__(self, groupings: dict[str, list[str]]):
        self.groupings = groupings
        self.parts: dict[str, list[pa.Table]] = {name: [] for name in groupings}
        self.rows: Counter[str] = Counter()

    def add(self, lines: pa.Table) -> None:
        if lines.num_rows == 0:
            return
        lines = _measure_inputs(lines)
        for name, keys in self.groupings.items():
            part = _aggregate(lines, keys, merge=False)
            self.parts[name].append(part)
            self.rows[name] += part.num_rows
            if self.rows[name] > COMBINE_ROWS and len(self.parts[name]) > 1:
                merged = _aggregate(_concat(self.parts[name]), keys, merge=True)
                self.parts[name] = [merged]
                self.rows[name] = merged.num_rows

    def add_partial(self, name: str, table: pa.Table) -> None:
        self.parts[name].append(table)
        self.rows[name] += table.num_rows

    def result(self, empty: Callable[[str], pa.Table]) -> dict[str, pa.Table]:
        out = {}
        for name, keys in self.groupings.items():
            parts = self.parts[name]
            if not parts:
                out[name] = empty(name)
            elif len(parts) == 1:
                out[name] = parts[0]
            else:
                out[name] = _aggregate(_concat(parts), keys, merge=True)
        return out


def groupings_for(present: Iterable[str], extra: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """The partial group-bys every ledger needs, plus a command's own."""
    present = set(present)
    groupings: dict[str, list[str]] = {"orders": ["customer", "date", ORDER_KEY]}
    for dim in ("salesperson", "region", "product", "brand"):
        if dim in present:
            groupings[f"customer_{dim}"] = ["customer", dim]
    for name, keys in (extra or {}).items():
        groupings[name] = [*keys, ORDER_KEY]
    return groupings


def read_source(source: Source, options: LoadOptions, extra: dict[str, list[str]] | None,
                progress: Callable[[int, int], None] | None = None) -> Partials:
    """Stream one source into partials (the unit of work, local or on a Dask worker)."""
    mapping = colmod.map_columns(source.headers, options.overrides, source=source.name)
    colmod.require(mapping, source.headers, options.needed, source=source.name)
    needed_keys = {k for keys in (extra or {}).values() for k in keys}
    missing = sorted(k for k in needed_keys if k not in mapping)
    if missing:
        raise ColumnError(
            f"{source.name}: no {', '.join(missing)} column. The file's columns are: "
            f"{', '.join(source.headers)}. Point kamtool at one with --col {missing[0]}=HEADER"
        )
    source.skip_bad_rows = options.clean.skip_bad_rows
    cleaner = Cleaner(source, mapping, options.clean)
    present = set(mapping.columns)
    if "amount" not in present:
        present.add("amount")
    groupings = groupings_for(present, extra)
    acc = Accumulator(groupings)
    stats = BatchStats()
    for raw, offset in source.batches(cleaner.raw_columns):
        lines, batch_stats = cleaner.clean(raw, offset)
        stats.add(batch_stats)
        acc.add(lines)
        if progress is not None:
            progress(raw.num_rows, 0)
    if source.ragged_rows:
        stats.dropped[REASON_RAGGED] += source.ragged_rows
        stats.rows += source.ragged_rows
    info = SourceInfo(
        name=source.name, format=source.format, encoding=source.encoding, delimiter=source.delimiter,
        sheet=source.sheet, header_row=source.header_row, mapping=dict(mapping.columns),
        unused=list(mapping.unused), size=source.size, stats=stats,
    )
    tables = acc.result(lambda name: _empty_partial(groupings[name]))
    return Partials(tables=tables, sources=[info], present=present)


def _empty_partial(keys: list[str]) -> pa.Table:
    import pyarrow as pa

    types = {"date": pa.date32()}
    cols = {k: pa.array([], types.get(k, pa.string())) for k in keys}
    for out, _src, _agg, _merge in MEASURES:
        if out in ("first_date", "last_date"):
            cols[out] = pa.array([], pa.date32())
        elif out == "quantity":
            cols[out] = pa.array([], pa.float64())
        else:
            cols[out] = pa.array([], pa.int64())
    return pa.table(cols)


def merge(parts: list[Partials], extra: dict[str, list[str]] | None = None) -> Partials:
    """Merge partials of several sources (files, chunks, workers) into one."""
    present: set[str] = set().union(*(p.present for p in parts)) if parts else set()
    groupings = groupings_for(present, extra)
    acc = Accumulator(groupings)
    for p in parts:
        for name, table in p.tables.items():
            if name in groupings:
                acc.add_partial(name, table)
    tables = acc.result(lambda name: _empty_partial(groupings[name]))
    if len(parts) > 1:
        tables = {name: _aggregate(t, groupings[name], merge=True) for name, t in tables.items()}
    return Partials(tables=tables, sources=[s for p in parts for s in p.sources], present=present)


@dataclass
class Ledger:
    """Everything an analysis needs, computed once per run."""

    partials: Partials
    extra: dict[str, list[str]]
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

        orders = self.partials.tables["orders"]

        def total(col: str) -> int:
            return int(pc.sum(orders[col]).as_py() or 0)

        first = pc.min(orders["first_date"]).as_py() if orders.num_rows else None
        last = pc.max(orders["last_date"]).as_py() if orders.num_rows else None
        return {
            "lines": total("lines"),
            "revenue": total("revenue_c") / 100,
            "returns_value": total("returns_c") / 100,
            "return_lines": total("return_lines"),
            "profit": total("profit_c") / 100 if self.has_profit else None,
            "quantity": float(pc.sum(orders["quantity"]).as_py() or 0) if self.has_quantity else None,
            "first_date": first,
            "last_date": last,
        }

    # -- per customer ------------------------------------------------------------------
    @property
    def customers(self) -> pd.DataFrame:
        if self._customers is None:
            self._customers = self._build_customers()
        return self._customers

    @property
    def daily(self) -> pd.DataFrame:
        """One row per customer and order date."""
        if self._daily is None:
            self._daily = _to_frame(self._daily_arrow(), keys=["customer", "date"], has_profit=self.has_profit,
                                    has_quantity=self.has_quantity)
        return self._daily

    def _daily_arrow(self) -> pa.Table:
        orders = self.partials.tables["orders"]
        daily = _aggregate(orders, ["customer", "date"], merge=True)
        counts = orders.group_by(["customer", "date"]).aggregate([(ORDER_KEY, "count")])
        return _join_count(daily, counts, ["customer", "date"], f"{ORDER_KEY}_count", "orders")

    def _build_customers(self) -> pd.DataFrame:
        import pyarrow.compute as pc

        orders = self.partials.tables["orders"]
        daily = self._daily_arrow()
        per = _aggregate(daily, ["customer"], merge=True)
        days = daily.group_by(["customer"]).aggregate([("date", "count")])
        per = _join_count(per, days, ["customer"], "date_count", "active_days")
        if self.orders_basis == "order_id":
            distinct = orders.group_by(["customer", ORDER_KEY]).aggregate([])
            counts = distinct.group_by(["customer"]).aggregate([(ORDER_KEY, "count")])
            per = _join_count(per, counts, ["customer"], f"{ORDER_KEY}_count", "orders")
        else:
            per = per.append_column("orders", per["active_days"])
        frame = _to_frame(per, keys=["customer"], has_profit=self.has_profit, has_quantity=self.has_quantity)
        frame["active_days"] = frame["active_days"].astype("int64")
        frame["orders"] = frame["orders"].astype("int64")
        for dim in ("salesperson", "region"):
            table = self.partials.tables.get(f"customer_{dim}")
            if table is not None:
                frame[dim] = frame["customer"].map(_main_value(table, dim))
        for dim, column in (("product", "products"), ("brand", "brands")):
            table = self.partials.tables.get(f"customer_{dim}")
            if table is not None:
                valid = table.filter(pc.is_valid(table[dim]))
                counts = valid.group_by(["customer"]).aggregate([(dim, "count")]).to_pandas()
                mapped = frame["customer"].map(counts.set_index("customer")[f"{dim}_count"])
                frame[column] = mapped.fillna(0).astype("int64")
        return frame.sort_values("customer", kind="stable").reset_index(drop=True)

    def group(self, name: str) -> pd.DataFrame:
        """A command's own grouping: keys + revenue, orders, lines, quantity, dates (+ profit)."""
        keys = self.extra[name]
        table = self.partials.tables[name]
        per = _aggregate(table, keys, merge=True)
        counts = table.group_by(keys).aggregate([(ORDER_KEY, "count")])
        per = _join_count(per, counts, keys, f"{ORDER_KEY}_count", "orders")
        frame = _to_frame(per, keys=keys, has_profit=self.has_profit, has_quantity=self.has_quantity)
        frame["orders"] = frame["orders"].astype("int64")
        return frame


def _join_count(table: pa.Table, counts: pa.Table, keys: list[str], src: str, dst: str) -> pa.Table:
    joined = table.join(counts, keys=keys, join_type="left outer", use_threads=True)
    return joined.rename_columns([dst if c == src else c for c in joined.column_names])


def _main_value(table: pa.Table, dim: str) -> pd.Series:
    """Per customer, the dimension value with the most revenue (ties: first by name)."""
    import pyarrow.compute as pc

    frame = table.filter(pc.is_valid(table[dim])).select(["customer", dim, "revenue_c"]).to_pandas()
    frame = frame.sort_values(["customer", "revenue_c", dim], ascending=[True, False, True], kind="stable")
    return frame.drop_duplicates("customer").set_index("customer")[dim]


def _to_frame(table: pa.Table, *, keys: list[str], has_profit: bool, has_quantity: bool) -> pd.DataFrame:
    """Partial columns (cents) -> the analysts' frame (currency units, dates)."""
    frame = table.to_pandas(date_as_object=False)
    for key in keys:
        if key != "date" and key in frame and frame[key].dtype != object:
            frame[key] = frame[key].astype(object).where(frame[key].notna(), None)
    frame["revenue"] = frame.pop("revenue_c") / 100
    frame["returns_value"] = frame.pop("returns_c") / 100
    profit = frame.pop("profit_c")
    profit_lines = frame.pop("profit_lines")
    if has_profit:
        frame["profit"] = (profit / 100).where(profit_lines > 0)
    if not has_quantity:
        frame["quantity"] = float("nan")
    frame["lines"] = frame["lines"].astype("int64")
    frame["return_lines"] = frame["return_lines"].astype("int64")
    front = [*keys, "revenue", "orders"] if "orders" in frame else [*keys, "revenue"]
    rest = [c for c in frame.columns if c not in front]
    return frame[front + rest]


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
    merged = parts[0] if len(parts) == 1 else merge(parts, extra)
    return Ledger(partials=merged, extra=dict(extra or {}))
