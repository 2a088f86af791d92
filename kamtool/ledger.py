"""The Ledger: what one load leaves for the analyses. Data only.

One table of figures at the grain an analysis asked for (per customer, per customer and day,
or per an analysis' own keys such as ``entity`` or customer × day × brand × product), the
inputs as kamtool saw them, and which engine built it and why.  The engines that fill it
live in :mod:`kamtool.engine`; this module reads no file and runs no query.

The table's columns (money in integer cents, exact to the cent): the keys, ``customer_name``
(per customer), ``revenue_c``, ``lines``, ``returns_c`` and ``return_lines`` (when asked for),
``quantity``, ``profit_c``, ``profit_lines``, ``first_date`` and ``last_date`` (when asked for),
``orders`` (distinct order ids, else customer-days) and ``active_days`` (when asked for).
The frames turn cents into currency units and dates into timestamps.

Frames rolled up from a finer table (sums stay exact: they are summed in cents):

- ``monthly`` (tiers, stages): customer × month × salesperson (salesperson only when the file
  has one: a customer sold by two people in a month has a row for each, which is what tiers'
  owner rule, the salesperson with the most revenue in the window, needs; stages and tiers
  sum the rows per customer × month).  Columns: ``customer``, ``month`` (months since
  January 1970), [``salesperson``], ``revenue``, ``profit`` (when the file has profit or cost;
  NaN where a line of the row has no known profit), ``lines``, ``quantity``, and ``orders``
  when the load counted orders at that grain.
- ``mix`` (tiers' focal brand, stages' breadth): customer × month × the category / brand /
  product columns the file has: ``revenue``, ``lines``; None when the file has none of them.
- ``days`` (stages' ``lost`` flag): customer × date: ``revenue``, ``lines`` (and ``orders``).
- ``invoices`` (credit): one row per customer, invoice_id, date, due_date and paid_date with
  ``amount`` and ``paid_amount`` summed; columns the file lacks are left out (credit then
  takes one invoice per customer-day, no due date, no payment on the lines).

When the analysis declared grains (:class:`kamtool.needs.Grain`), the table is at its own keys
(customer × day) and ``grains`` holds the tables the engine built beside it, which these frames
read as they are: ``monthly`` (per salesperson), ``mix`` (churn's per period: its ``month`` the
period's first month), ``mix_of`` (the one breadth dimension) and ``invoices``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kamtool.engine.duck import FIRST_PURCHASE, ROLLED_KEYS, own_buffers, trim_heap
from kamtool.io.rules import BatchStats
from kamtool.needs import DERIVED_KEYS

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

ENGINES = ("native", "arrow", "dask")
MIX_DIMENSIONS = ("category", "brand", "product")
CREDIT_KEYS = ("customer", "invoice_id", "date", "due_date", "paid_date")
# The sums a roll-up adds up again; distinct counts do not add up and are kept only unrolled.
_SUMS = ("revenue_c", "lines", "returns_c", "return_lines", "quantity", "profit_c", "profit_lines",
         "paid_amount_c")


def month_of(dates: Any) -> Any:
    """Month ordinals (months since January 1970) of an Arrow array of dates (date32, an array
    or a chunked array; nulls stay null)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pa.types.is_date32(dates.type):
        years = pc.cast(pc.year(dates), pa.int64())
        months = pc.cast(pc.month(dates), pa.int64())
        return pc.add(pc.multiply(pc.subtract(years, 1970), 12), pc.subtract(months, 1))
    if isinstance(dates, pa.ChunkedArray):
        return pa.chunked_array([month_of(chunk) for chunk in dates.chunks], pa.int64())
    # A table of the months of every day from the first to the last, read by day: a few
    # thousand calendar conversions instead of one per row (8M rows, busy machine: 0.15-0.25 s
    # against 6 s).
    days = _day_numbers(dates)
    valid = dates.is_valid().to_numpy(zero_copy_only=False) if dates.null_count else None
    known = days if valid is None else days[valid]
    if not len(known):
        return pa.nulls(len(dates), pa.int64())
    first = int(known.min())
    numpy = _numpy()
    calendar = numpy.arange(first, int(known.max()) + 1).astype("datetime64[D]")
    months = calendar.astype("datetime64[M]").astype(numpy.int64)
    offsets = days.astype(numpy.int64) - first
    if valid is not None:
        offsets[~valid] = 0  # a null day's slot is masked below
    return pa.array(months[offsets], pa.int64(), mask=None if valid is None else ~valid)


def _numpy() -> Any:
    import numpy

    return numpy


def _day_numbers(dates: Any) -> Any:
    """The int32 day numbers behind a date32 Arrow array, without a copy (nulls hold anything)."""
    numpy = _numpy()
    return numpy.frombuffer(dates.buffers()[1], numpy.int32, len(dates), dates.offset * 4)


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
class Ledger:
    """The figures an analysis needs, computed once per run.

    engine:        which engine ran: "native" (DuckDB read the file itself), "arrow" (io
                   cleaned the lines, DuckDB aggregated them) or "dask" (on a cluster).
    engine_reason: when not native, why, in one sentence a user can act on.
    by_label:      the file's header behind the ``entity`` key, for display.
    filters:       the --from / --to / --where the load applied (a
                   :class:`kamtool.io.request.Filters`); the lines they left out are counted
                   in the sources' stats under ``filtered out: …`` reasons, by filter.
    """

    table: pa.Table
    keys: tuple[str, ...]
    sources: list[SourceInfo]
    present: set[str]  # canonical columns some input had
    engine: str = "native"
    engine_reason: str | None = None
    by_label: str | None = None
    filters: Any = None
    frames: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    # The request's grains as the native engine built them from its scan (name -> table in
    # cents, None for a grain not built for this file: see kamtool.needs.Grain); None when the
    # table is at every key of the request and the frames roll it up.
    grains: dict[str, pa.Table | None] | None = field(default=None, repr=False)
    # What the roll-ups of one table share (its rows' order by the leading keys): tied to that
    # table (see :func:`rolled_up`), and not copied by dataclasses.replace.
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False, init=False, compare=False)
    # The grains whose frame is built: their tables are let go (see _release).
    _released: set[str] = field(default_factory=set, repr=False, init=False, compare=False)

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

    @property
    def unmatched(self) -> list[Any]:
        """The ``--where`` values no line of the files holds (:class:`kamtool.engine.filters.Unmatched`)."""
        from kamtool.engine.filters import unmatched

        return unmatched(self.filters, [s.stats for s in self.sources])

    def stats(self) -> BatchStats:
        total = BatchStats()
        for s in self.sources:
            total.add(s.stats)
        return total

    def totals(self) -> dict[str, Any]:
        """Whole-data figures summed in integer cents, exact to the cent."""
        import pyarrow.compute as pc

        table = self.table

        def total(col: str) -> int:
            return int(pc.sum(table[col]).as_py() or 0)

        # loyalty's rolled table carries no profit or quantity (see table_keys)
        has_profit = self.has_profit and "profit_c" in table.column_names
        has_quantity = self.has_quantity and "quantity" in table.column_names
        figures: dict[str, Any] = {
            "lines": total("lines"),
            "revenue": total("revenue_c") / 100,
            "profit": total("profit_c") / 100 if has_profit else None,
            "quantity": float(pc.sum(table["quantity"]).as_py() or 0) if has_quantity else None,
        }
        if "returns_c" in table.column_names:  # a load without "returns" has none
            figures["returns_value"] = total("returns_c") / 100
            figures["return_lines"] = total("return_lines")
        if "first_date" in table.column_names:
            figures["first_date"] = pc.min(table["first_date"]).as_py() if table.num_rows else None
            figures["last_date"] = pc.max(table["last_date"]).as_py() if table.num_rows else None
        return figures

    @property
    def customers(self) -> pd.DataFrame:
        """One row per customer, with its name when the export has names."""
        if "customers" not in self.frames:
            self._grain(("customer",), "customers")
            frame = self._frame()
            if "customer_name" in self.present:
                frame.insert(1, "customer_name", frame.pop("customer_name"))
            else:
                frame = frame.drop(columns=["customer_name"])
            self.frames["customers"] = frame
        return self.frames["customers"]

    @property
    def daily(self) -> pd.DataFrame:
        """One row per customer and order date."""
        if "daily" not in self.frames:
            self._grain(("customer", "date"), "daily")
            drop = ["active_days", "first_date", "last_date"]
            self.frames["daily"] = self._frame().drop(columns=drop, errors="ignore")
        return self.frames["daily"]

    @property
    def revenue_days(self) -> pd.DataFrame:
        """customer, date, revenue per customer and order date: the columns of :attr:`daily` a
        purchase model reads, without the others (10M lines, 4.8M customer-days: 0.14 GiB
        against the daily frame's 0.36); the daily frame's own columns once it is built."""
        if "daily" in self.frames:
            return self.frames["daily"][["customer", "date", "revenue"]]
        self._grain(("customer", "date"), "daily")
        # Beside the grains the table serves the days alone, and a command lets it go once this
        # frame is built (Ledger.keep_totals): the frame then owns its ids, whose buffers would
        # hold the whole table (every column of DuckDB's batches) through the model fit.
        return _units(self.table.select(["customer", "date", "revenue_c"]), own=self.grains is not None)

    def revenue_days_last(self) -> pd.DataFrame:
        """:attr:`revenue_days` for a command that reads nothing more of the table (its grains
        aside): the three columns are copied out and the table kept to its totals
        (:meth:`keep_totals`) before the frame is built, so that the frame is never built beside
        the whole table (tiers on 10M lines: the run's peak, 1,026 MiB, was there)."""
        import pyarrow as pa

        if "daily" in self.frames:
            frame = self.revenue_days
            self.keep_totals()
            return frame
        self._grain(("customer", "date"), "daily")
        names = ["customer", "date", "revenue_c"]
        copied = pa.table([own_buffers(self.table[name]) for name in names], names=names)
        self.keep_totals()
        return _units(copied)

    @property
    def table_keys(self) -> tuple[str, ...]:
        """The keys of :attr:`table`: the request's, or, when the load rolled loyalty's lines up
        in its query (the figure ``first_purchase``), :data:`ROLLED_KEYS`."""
        return ROLLED_KEYS if FIRST_PURCHASE in self.table.column_names else self.keys

    @property
    def entities(self) -> pd.DataFrame:
        """One row per value of the ledger's own keys (``entity``, salesperson, or
        customer × day × brand × product); loyalty's rolled table as it is (see
        :func:`kamtool.engine.duck.rolled_sql`), its text keys categorical (a few codes each,
        not millions of strings)."""
        if "entities" not in self.frames:
            if FIRST_PURCHASE in self.table.column_names:
                # One copy of a grain of millions of rows is enough (10M lines: 0.36 GiB each):
                # the table keeps its totals only, one row that totals() reads alike, and the
                # frame takes the table over column by column.
                holder = [self.table]
                self.table = _totals_row(holder[0])
                self.frames["entities"] = _rolled_frame(holder)
            else:
                self.frames["entities"] = self._frame().drop(columns=["active_days"], errors="ignore")
        return self.frames["entities"]

    @property
    def monthly(self) -> pd.DataFrame:
        """Customer × month (× salesperson), for tiers and stages (see the module)."""
        if "monthly" not in self.frames:
            target = ["customer", "month"]
            built = None if self.grains is None else self.grains.get("monthly")
            if built is not None:  # from the query: its keys are the salesperson's when the file has one
                target += [k for k in built.column_names if k == "salesperson"]
                table = built
            else:
                if "salesperson" in self.keys and "salesperson" in self.present:
                    target.append("salesperson")
                # no quantity summed for a file without one: NaN below (10M lines, churn: 2.4M
                # rows of a null sum, built at the run's peak)
                sums = tuple(c for c in _SUMS[:-1] if c != "quantity" or self.has_quantity)
                table = self._rolled(target, "monthly", sums=sums)
            frame = _units(table, own=built is not None)
            if built is not None:
                self._release("monthly")
            profit = frame.pop("profit_c")
            profit_lines = frame.pop("profit_lines")
            if self.has_profit:
                # A row with a line of unknown profit has no known profit (tiers' rule).
                frame["profit"] = (profit / 100).where(profit_lines == frame["lines"])
            if not self.has_quantity:
                frame["quantity"] = float("nan")
            front = [*target, "revenue", *(["profit"] if self.has_profit else []),
                     *(["orders"] if "orders" in frame else [])]
            self.frames["monthly"] = frame[front + [c for c in frame.columns if c not in front]]
        return self.frames["monthly"]

    @property
    def mix(self) -> pd.DataFrame | None:
        """Customer × month × category / brand / product revenue; None when the file has none."""
        if self.grains is not None and "mix" in self.grains:
            built = self.grains["mix"]
            if built is None:
                return None
            if "mix" not in self.frames:
                self.frames["mix"] = _units(built, own=True)
                self._release("mix")
            return self.frames["mix"]
        dims = [d for d in MIX_DIMENSIONS if d in self.keys and d in self.present]
        if not dims:
            return None
        if "mix" not in self.frames:
            table = self._rolled(["customer", "month", *dims], "mix", sums=("revenue_c", "lines"))
            self.frames["mix"] = _units(table)
        return self.frames["mix"]

    def mix_of(self, dimension: str) -> pd.DataFrame | None:
        """Customer × month × one of the mix dimensions (``revenue``, ``lines``), for an analysis
        that reads one (stages' breadth): rolling up one text key costs a fraction of all three
        (1M lines: 0.4 s against 0.9 s); None when the ledger is not split by it."""
        name = f"mix_{dimension}"
        if self.grains is not None and "mix_of" in self.grains:
            # the one dimension the query built (see kamtool.needs.Grain.first); None for another
            one = self.grains["mix_of"]
            if one is None or dimension not in one.column_names:
                return None
            if name not in self.frames:
                self.frames[name] = _units(one, own=True)
                self._release("mix_of")
            return self.frames[name]
        built = None if self.grains is None else self.grains.get("mix")
        if built is not None and dimension in built.column_names and dimension in self.present:
            if name not in self.frames:
                if "mix" in self._released:
                    raise RuntimeError(f"the mix grain was let go once its frame was built: read "
                                       f"mix_of({dimension!r}) before mix")
                target = ["customer", "month", dimension]
                self.frames[name] = _units(_grouped(built, target, ["revenue_c", "lines"]))
            return self.frames[name]
        if dimension not in MIX_DIMENSIONS or dimension not in self.keys or dimension not in self.present:
            return None
        if name not in self.frames:
            table = self._rolled(["customer", "month", dimension], name, sums=("revenue_c", "lines"))
            self.frames[name] = _units(table)
        return self.frames[name]

    def customer_ids(self) -> list[str]:
        """The distinct customer ids of the orders, read from the table (no frame built): what
        an accounts file is checked against."""
        import pyarrow.compute as pc

        return [str(c) for c in pc.unique(self.table["customer"]).to_pylist()]

    def from_query(self, *names: str) -> bool:
        """Whether the frames ``names`` ("monthly", "mix", "mix_of", "invoices") come from grains
        the query built (or the file lacks: None), not from roll-ups of :attr:`table`."""
        return self.grains is not None and all(name in self.grains for name in names)

    def keep_totals(self) -> None:
        """Let the table go once a command has read from it every frame it needs, keeping one
        row of its totals that :meth:`totals` reads alike (tiers on 10M lines: 4.8M
        customer-days, 0.2 GiB, held through the model fit, the analysis and the output before).
        The frames built from it keep their text apart from it: a frame's text column shares the
        table's buffers, and a buffer from DuckDB keeps its whole batch alive (stages' days held
        the whole table so)."""
        held = _text_buffers(self.table)
        for frame in self.frames.values():
            if frame is not None:
                _own_frame_text(frame, held)
        self.table = _totals_row(self.table)
        self._memo.clear()
        # the table's buffers came from DuckDB's threads, whose heaps glibc keeps unless told:
        # handed back, the next frames are built in them (stages on 10M lines: 1.39-1.44 GiB
        # peak without)
        trim_heap()

    def keep_months(self, name: str, first: int, last: int) -> None:
        """Keep the rows of the months ``first``..``last`` alone of the grain ``name`` ("mix",
        "mix_of") the query built, for a command that reads no other month of it (tiers' window:
        10M lines over 33 months, a window of 12: the month's mix, 5.1M rows and 0.23 GiB whole,
        built into a frame of those 12 months only).  A split column that held a value keeps
        one (the breadth dimension is the first that holds a value), else the grain stays whole;
        a grain not built, or a load without grains, is left as it is.  Call it before the
        grain's frame is built."""
        import pyarrow.compute as pc

        if self.grains is None or (table := self.grains.get(name)) is None or name in self._released:
            return
        month = table["month"]
        inside = pc.and_(pc.greater_equal(month, first), pc.less_equal(month, last))
        if pc.all(inside).as_py() is not False:
            return  # the native query built those months alone (Grain.read): nothing to cut
        cut = table.filter(inside)
        if any(cut[d].null_count == cut.num_rows and table[d].null_count < table.num_rows
               for d in MIX_DIMENSIONS if d in table.column_names):
            return
        self.grains = {**self.grains, name: cut}

    def let_go(self, *names: str) -> None:
        """Forget the frames ``names`` (``days``, ``mix``, ``monthly``, ``invoices`` …) a command
        reads no more, so their memory goes before the next step builds its own (10M lines: 4.8M
        customer-days, about 0.2 GiB); reading one again builds it afresh from the table."""
        for name in names:
            self.frames.pop(name, None)

    @property
    def days(self) -> pd.DataFrame:
        """Customer × date revenue (stages' ``days``), from any table per customer and day."""
        if "days" not in self.frames:
            table = self._rolled(["customer", "date"], "days", sums=("revenue_c", "lines"))
            self.frames["days"] = _units(table)
        return self.frames["days"]

    @property
    def invoices(self) -> pd.DataFrame:
        """Invoice lines for credit: customer, invoice_id, date, due_date, paid_date, amount,
        paid_amount (see the module)."""
        if "invoices" not in self.frames:
            built = None if self.grains is None else self.grains.get("invoices")
            if built is not None:
                table = built
            else:
                self._grain(CREDIT_KEYS, "invoices", subset=True)
                table = self._rolled(list(CREDIT_KEYS), "invoices",
                                     sums=("revenue_c", "lines", "paid_amount_c"))
            frame = _units(table, own=built is not None).rename(columns={"revenue": "amount"})
            if built is not None:
                self._release("invoices")
            drop = [c for c in ("invoice_id", "due_date", "paid_date", "paid_amount")
                    if c not in self.present]
            self.frames["invoices"] = frame.drop(columns=drop, errors="ignore")
        return self.frames["invoices"]

    def _release(self, name: str) -> None:
        """Let the grain's table go once its frame holds it (tiers on 10M lines: 0.5 GB of
        month and mix tables): an empty table of its columns in its place, in a dict of this
        ledger's own (a ledger copied with dataclasses.replace keeps its tables)."""
        assert self.grains is not None
        table = self.grains[name]
        if table is not None:
            self.grains = {**self.grains, name: table.schema.empty_table()}
            self._released.add(name)

    def _rolled(self, target: list[str], name: str, sums: tuple[str, ...] = _SUMS) -> pa.Table:
        """The table summed up to ``target`` keys; ``month`` from the date when the table is per day.

        Distinct counts (orders, active_days) and first/last dates are kept only when the
        table is at ``target`` already (keys the file lacks aside): distinct counts do not add up.
        """
        table = self.table
        keys = list(self.keys)
        if "month" in target and "month" not in keys and "date" in keys:
            table = table.append_column("month", month_of(table["date"]))
            keys.append("month")
        missing = [k for k in target if k not in keys]
        if missing:
            raise RuntimeError(f"this ledger is per {' × '.join(self.keys)}; {name} needs a load per "
                               f"{' × '.join(target)} or finer")
        present = [c for c in sums if c in table.column_names]
        # A key the file lacks is empty on every row: it splits nothing.
        finer = [k for k in keys if k not in target and (k in self.present or k in DERIVED_KEYS)]
        if not finer:
            kept = [c for c in ("orders", "active_days", "first_date", "last_date")
                    if c in table.column_names]
            return table.select([*target, *present, *kept])
        coded = rolled_up(table, keys, target, present, memo=self._memo_of(self.table))
        if coded is not None:
            return coded
        return _grouped(table, target, present)

    def _memo_of(self, table: pa.Table) -> dict[Any, Any]:
        """The roll-ups' memo of ``table``: emptied when the ledger holds another table (a weak
        reference, so that the memo keeps no table alive)."""
        import weakref

        held = self._memo.get("table")
        if held is None or held() is not table:
            self._memo.clear()
            self._memo["table"] = weakref.ref(table)
        return self._memo

    def _grain(self, keys: tuple[str, ...], name: str, subset: bool = False) -> None:
        if subset and set(keys) <= set(self.keys):
            return
        if self.keys != keys:
            raise RuntimeError(f"this ledger is per {' × '.join(self.keys)}; {name} needs a load per "
                               f"{' × '.join(keys)}")

    def _frame(self) -> pd.DataFrame:
        return to_frame(self.table, keys=list(self.keys), has_profit=self.has_profit,
                        has_quantity=self.has_quantity)


def _units(table: pa.Table, *, own: bool = False) -> pd.DataFrame:
    """A rolled-up table (cents) -> a frame in currency units and timestamps, columns in order.

    ``own``: the frame's text is copied out of the table, for a table let go once its frame is
    built (:meth:`Ledger._release`): a frame's text columns share the table's buffers, and a
    buffer from DuckDB keeps its whole batch, every column, alive."""
    import pandas as pd

    frame = (_own_text(table) if own else table).to_pandas(date_as_object=False)
    for col in ("date", "due_date", "paid_date", "first_date", "last_date"):
        if col in frame:
            frame[col] = pd.to_datetime(frame[col])
    for cents, units in (("revenue_c", "revenue"), ("returns_c", "returns_value"),
                         ("paid_amount_c", "paid_amount")):
        if cents in frame:
            frame[cents] = frame[cents].astype("float64") / 100  # NaN where no line had one
            frame = frame.rename(columns={cents: units})
    for col in ("lines", "return_lines", "orders", "active_days", "month"):
        if col in frame:
            frame[col] = frame[col].astype("int64")
    return frame.reset_index(drop=True)


def _own_text(table: pa.Table) -> pa.Table:
    """``table`` with its text columns copied (:func:`kamtool.engine.duck.own_buffers`)."""
    import pyarrow as pa

    for at, f in enumerate(table.schema):
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type):
            table = table.set_column(at, f, own_buffers(table.column(at)))
    return table


def _text_buffers(table: pa.Table) -> list[tuple[int, int]]:
    """The address ranges of ``table``'s text buffers (offsets and characters)."""
    import pyarrow as pa

    return [(b.address, b.address + b.size) for f in table.schema
            if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
            for b in _chunk_buffers(table[f.name])]


def _own_frame_text(frame: pd.DataFrame, held: list[tuple[int, int]]) -> None:
    """``frame``'s Arrow-backed text columns that share a buffer in ``held`` (address ranges)
    copied out of it (in place); a column with buffers of its own (taken by a roll-up, or
    copied from a grain) is left as it is, not copied again (churn on 10M lines: 2.4M
    monthly ids, which the copy held twice at the run's peak)."""
    import pandas as pd
    import pyarrow as pa

    for name in frame.columns:
        column = frame[name]
        kind: Any = column.dtype  # (pandas' stubs lack __from_arrow__)
        if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
            chunks = pa.array(column)
            if not any(start <= b.address < end for b in _chunk_buffers(chunks) for start, end in held):
                continue
            copied = _own_text(pa.table({"text": chunks}))["text"]
            frame[name] = pd.Series(kind.__from_arrow__(copied), index=frame.index, name=name)


def _chunk_buffers(column: pa.Array | pa.ChunkedArray) -> list[pa.Buffer]:
    import pyarrow as pa

    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    return [b for chunk in chunks for b in chunk.buffers() if b is not None]


def _totals_row(table: pa.Table) -> pa.Table:
    """``table`` summed up to one row with its schema, which :meth:`Ledger.totals` reads as it
    reads the table: its sums (lines, revenue, profit, quantity, returns), first and last date;
    every other column empty."""
    import pyarrow as pa
    import pyarrow.compute as pc

    summed = ("lines", "revenue_c", "profit_c", "quantity", "returns_c", "return_lines")
    sums = {name: pc.sum(table[name]) for name in summed if name in table.column_names}
    for name, extreme in (("first_date", pc.min), ("last_date", pc.max)):
        if name in table.column_names:
            sums[name] = extreme(table[name])
    return pa.table({f.name: pa.array([sums[f.name].as_py() if f.name in sums else None], f.type)
                     for f in table.schema})


def _rolled_frame(holder: list[pa.Table]) -> pd.DataFrame:
    """Loyalty's rolled table (cents; taken out of ``holder``, its one reference, and released
    column by column) -> a frame: revenue in currency units, dates as timestamps, customer,
    brand and product dictionary-coded (pandas categoricals)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    table = holder.pop()
    pool = pa.default_memory_pool()
    columns: dict[str, Any] = {}
    for name in list(table.column_names):
        column = table[name]
        if name in ("customer", "brand", "product"):
            column = pc.dictionary_encode(column)
        series = column.to_pandas(date_as_object=False)
        if name in ("first_date", "last_date", "first_purchase"):
            series = series.astype("datetime64[ns]")
        elif name == "revenue_c":
            name, series = "revenue", series.astype("float64") / 100
        columns[name] = series
        del column
        table = table.drop_columns([table.column_names[0]])  # frees this column's buffers
        # ... to Arrow's own allocator, which keeps them for Arrow; numpy allocates elsewhere, so
        # hand them back (10M lines: 0.16 GB less at the frame, 0.06 GB off the command's peak).
        pool.release_unused()
    return pd.DataFrame(columns)


def to_frame(table: pa.Table, *, keys: list[str], has_profit: bool, has_quantity: bool) -> pd.DataFrame:
    """The ledger's table (cents) -> the analysts' frame (currency units, dates)."""
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


def _grouped(table: pa.Table, target: list[str], present: list[str]) -> pa.Table:
    """The roll-up by a hash group-by and a sort: the reference :func:`rolled_up` equals, and
    its way for a table it does not take (no row, a key or sum of another type)."""
    rolled = table.group_by(target, use_threads=False).aggregate([(c, "sum") for c in present])
    rolled = rolled.rename_columns([c[:-4] if c.endswith("_sum") and c[:-4] in present else c
                                    for c in rolled.column_names])
    # Nulls (a key the file lacks on some lines) sort last, as the engines' ORDER BY does.
    return rolled.select([*target, *present]).sort_by([(k, "ascending") for k in target])


def rolled_up(table: pa.Table, keys: list[str], target: list[str], present: list[str],
              memo: dict[Any, Any] | None = None) -> pa.Table | None:
    """``table`` summed up to ``target`` (rows sorted by it, nulls last, text in byte order), as
    :func:`_grouped` does, on integer codes; None for a table it does not take.

    The engines hand the table sorted by ``keys`` (their ORDER BY), so the leading keys of
    ``target`` that lead ``keys`` too (``month`` in the place of ``date``: months follow days)
    change in runs: a run number per row replaces hashing their text.  The order is checked on
    the rows, not assumed: an unsorted table just has no such runs.  Each other key is coded
    by the rank of its value among its distinct values (nulls last), and the codes combine into
    one integer per row whose order is the target's (a stable sort of them, where the target
    goes beyond the runs).  Integer sums are running totals read at the groups' ends (exact);
    float sums add in row order, as the group-by does.

    ``memo``: a dict kept between the roll-ups of one table's rows (days, monthly and mix read
    the same runs of customers), never handed another table's.
    """
    import pyarrow as pa

    numpy = _numpy()
    rows = table.num_rows
    if not rows or any(not _sum_type(table.schema.field(c).type) for c in present):
        return None
    runs, lead = _sorted_runs(table, keys, target, memo)
    codes: list[tuple[Any, int]] = []
    for name in target[lead:]:
        coded = _rank_codes(table[name])
        if coded is None:
            return None
        codes.append(coded)
    width = 1
    for _code, size in codes:
        width *= size
    run_count = int(runs[-1]) + 1
    if run_count * width >= 2**62:
        return None  # the combined codes would not fit a 64-bit integer
    if width == 1:  # the runs are the groups, in order
        order, group = None, runs
        starts = numpy.flatnonzero(numpy.r_[True, runs[1:] != runs[:-1]])
        first = starts
    else:
        combined = runs * width
        stride = width
        for code, size in codes:
            stride //= size
            combined += code * stride
        # A stable sort, as the rows are in order by the runs already: a merge sort finds the
        # sorted stretches (10M rows: 0.06-0.26 s, where a quicksort took 0.07-0.63 s).
        order = numpy.argsort(combined, kind="stable")
        ordered = combined[order]
        new = numpy.r_[True, ordered[1:] != ordered[:-1]]
        starts = numpy.flatnonzero(new)
        group = numpy.empty(rows, numpy.int64)
        group[order] = numpy.cumsum(new) - 1
        first = order[starts]
    count = len(starts)
    columns = {name: table[name].take(pa.array(first)) for name in target}
    for name in present:
        columns[name] = _summed(table[name], group, count, order, starts)
    return pa.table(columns)


def _sum_type(kind: pa.DataType) -> bool:
    import pyarrow as pa

    return bool(kind == pa.int64() or kind == pa.float64())


def _sorted_runs(table: pa.Table, keys: list[str], target: list[str],
                 memo: dict[Any, Any] | None = None) -> tuple[Any, int]:
    """(a run number per row, how many keys of ``target`` it stands for): the longest leading
    part of ``target`` that leads ``keys`` (``month`` for ``date``: the table then has a month
    column) and by whose columns the rows are in order, nulls last; (zeros, 0) when the rows
    are not in order."""
    import pyarrow as pa

    numpy = _numpy()
    rows = table.num_rows
    lead: list[str] = []
    for key, want in zip(keys, target, strict=False):
        kind = table.schema.field(key).type
        if not (pa.types.is_string(kind) or pa.types.is_date32(kind) or kind == pa.int64()):
            break  # (a dictionary-coded column compares by its codes, not its text)
        if key != want and not (key == "date" and want == "month" and "month" in table.column_names):
            break
        lead.append(key)
        if key != want:
            break  # days are in order within a month, not whatever follows the date
    if not lead or rows < 2:
        return numpy.zeros(rows, numpy.int64), len(lead)
    kept = _kept(table, lead, target, {} if memo is None else memo)
    if kept is None:
        return numpy.zeros(rows, numpy.int64), 0
    runs = numpy.zeros(rows, numpy.int64)
    runs[1:][~kept] = 1
    return numpy.cumsum(runs, out=runs), len(lead)


def _kept(table: pa.Table, lead: list[str], target: list[str], memo: dict[Any, Any]) -> Any:
    """Whether each row is in the run of the row before it (numpy booleans, one less than the
    rows), by the ``lead`` keys as ``target`` names them; None when the rows are not in order
    by ``lead``.  ``memo`` keeps the order check and each key's changes from row to row."""
    numpy = _numpy()
    rows = table.num_rows
    checked = ("in order", tuple(lead))
    if memo.get(checked) is False:
        return None
    tied = numpy.ones(rows - 1, bool)  # rows i and i + 1 alike in every key so far
    kept = numpy.ones(rows - 1, bool)  # row i + 1 in row i's run
    for index, key in enumerate(lead):
        same = memo.get(("same", key))
        if same is None or checked not in memo:
            same, ordered = _adjacent(_whole(table[key]))
            # Where the keys before are alike and this one differs, it must grow from row to row.
            if checked not in memo and not ordered(tied & ~same):
                memo[checked] = False
                return None
            memo[("same", key)] = same
        tied &= same
        # The rows are checked in order of their days; a run is one month of them.
        kept &= same if target[index] == key else _adjacent(_whole(table["month"]))[0]
    memo[checked] = True
    return kept


def _whole(column: Any) -> Any:
    import pyarrow as pa

    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


def _numbers(column: Any) -> Any:
    """An int64 or date32 Arrow array as int64 numbers, a null as one more than the largest
    value (so that it sorts last and equals only a null)."""
    import pyarrow as pa

    numpy = _numpy()
    if pa.types.is_date32(column.type):
        numbers = _day_numbers(column).astype(numpy.int64)
    else:
        numbers = column.fill_null(0).to_numpy(zero_copy_only=False).astype(numpy.int64, copy=False)
    if column.null_count:
        nulls = column.is_null().to_numpy(zero_copy_only=False)
        known = numbers[~nulls]
        numbers = numbers.copy()
        numbers[nulls] = int(known.max()) + 1 if len(known) else 0
    return numbers


def _adjacent(column: Any) -> tuple[Any, Any]:
    """(row i + 1 holds the same value as row i, as numpy booleans; a test that at the rows i
    it is given (a mask) row i's value sorts before row i + 1's); null equals null and sorts
    last."""
    import pyarrow as pa
    import pyarrow.compute as pc

    numpy = _numpy()
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        numbers = _numbers(column)
        return (numbers[1:] == numbers[:-1],
                lambda at: bool(numpy.logical_or(~at, numbers[1:] > numbers[:-1]).all()))
    before, after = column.slice(0, len(column) - 1), column.slice(1)
    same = pc.equal(before, after)
    if column.null_count:
        same = pc.or_(pc.fill_null(same, False), pc.and_(pc.is_null(before), pc.is_null(after)))

    def ordered(at: Any) -> bool:
        rows = pa.array(numpy.flatnonzero(at))  # where the text changes: a few per customer
        if not len(rows):
            return True
        low, high = column.take(rows), column.take(pc.add(rows, 1))
        less = pc.fill_null(pc.less(low, high), False)
        if column.null_count:  # a value before a null is in order (nulls last)
            less = pc.or_(less, pc.and_(pc.is_valid(low), pc.is_null(high)))
        return bool(pc.all(less).as_py())

    return same.to_numpy(zero_copy_only=False), ordered


def _rank_codes(column: Any) -> tuple[Any, int] | None:
    """(each row's rank among the column's distinct values, nulls after them; how many ranks)
    for a text, date or integer column; None for another type."""
    import pyarrow as pa
    import pyarrow.compute as pc

    numpy = _numpy()
    column = _whole(column)
    kind = column.type
    if pa.types.is_date32(kind) or kind == pa.int64():
        numbers = _numbers(column)
        low = int(numbers.min())
        return numbers - low, int(numbers.max()) - low + 1
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return None
    encoded = pc.dictionary_encode(column)
    values = encoded.dictionary
    rank = numpy.empty(len(values) + 1, numpy.int64)
    rank[pc.sort_indices(values).to_numpy()] = numpy.arange(len(values))
    rank[len(values)] = len(values)  # a null, after every value
    indices = encoded.indices.fill_null(len(values)).to_numpy(zero_copy_only=False)
    return rank[indices], len(values) + (1 if column.null_count else 0) or 1


def _summed(column: Any, group: Any, count: int, order: Any, starts: Any) -> pa.Array:
    """``column`` summed per group (null where a group has no value), its type kept: ``group``
    each row's group, ``order`` the rows by group (None: they are), ``starts`` where each
    group begins in that order."""
    import pyarrow as pa

    numpy = _numpy()
    if column.null_count == len(column):
        return pa.nulls(count, column.type)
    values = column.fill_null(0).to_numpy() if column.null_count else column.to_numpy()
    if column.type == pa.float64():
        # Float bins add in row order, as the group-by does (a sum of the sorted rows may add
        # in another order, and float sums depend on it).
        sums = numpy.bincount(group, weights=values, minlength=count)
    else:
        # Running totals read at each group's last row, less the one before: a wrap past the
        # 64-bit range cancels out of the difference, so each group's sum is exact.
        totals = numpy.cumsum(values if order is None else values[order])
        sums = numpy.diff(totals[numpy.r_[starts[1:] - 1, len(values) - 1]], prepend=0)
    mask = None
    if column.null_count:
        valid = column.is_valid().to_numpy(zero_copy_only=False)
        mask = numpy.bincount(group[valid], minlength=count) == 0
    return pa.array(sums, column.type, mask=mask)
