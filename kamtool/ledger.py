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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kamtool.io.rules import BatchStats

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

ENGINES = ("native", "arrow", "dask")


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
    """

    table: pa.Table
    keys: tuple[str, ...]
    sources: list[SourceInfo]
    present: set[str]  # canonical columns some input had
    engine: str = "native"
    engine_reason: str | None = None
    by_label: str | None = None
    frames: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

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

        table = self.table

        def total(col: str) -> int:
            return int(pc.sum(table[col]).as_py() or 0)

        figures: dict[str, Any] = {
            "lines": total("lines"),
            "revenue": total("revenue_c") / 100,
            "profit": total("profit_c") / 100 if self.has_profit else None,
            "quantity": float(pc.sum(table["quantity"]).as_py() or 0) if self.has_quantity else None,
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
    def entities(self) -> pd.DataFrame:
        """One row per value of the ledger's own keys (``entity``, salesperson, or
        customer × day × brand × product)."""
        if "entities" not in self.frames:
            self.frames["entities"] = self._frame().drop(columns=["active_days"], errors="ignore")
        return self.frames["entities"]

    def _grain(self, keys: tuple[str, ...], name: str) -> None:
        if self.keys != keys:
            raise RuntimeError(f"this ledger is per {' × '.join(self.keys)}; {name} needs a load per "
                               f"{' × '.join(keys)}")

    def _frame(self) -> pd.DataFrame:
        return to_frame(self.table, keys=list(self.keys), has_profit=self.has_profit,
                        has_quantity=self.has_quantity)


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
