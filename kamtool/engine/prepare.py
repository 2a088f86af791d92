"""One input mapped onto the request's canonical columns, ready for an engine to read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kamtool.engine import filters as filtering
from kamtool.errors import ColumnError
from kamtool.io import columns as colmod
from kamtool.io.request import FIELD
from kamtool.io.rules import REASON_RAGGED, BatchStats, CleanOptions
from kamtool.ledger import SourceInfo
from kamtool.needs import DERIVED_KEYS

if TYPE_CHECKING:
    from kamtool.io.clean import Cleaner
    from kamtool.io.read import Source
    from kamtool.io.request import Filters, LoadRequest

# Every column a run that reads everything (inspect) looks at.
BASE_COLUMNS = ("customer", "customer_name", "date", "amount", "quantity", "unit_price", "order_id", "cost",
                "profit")


@dataclass
class Prepared:
    """One source, mapped and ready to clean.

    full:    every column kamtool recognised (for inspect);
    mapping: the columns this run reads (fewer columns, faster reads);
    absent_optional: keys of the request the file lacks (they come out empty).
    month:   the request's keys hold the month, derived from each line's date.
    paid:    the request sums paid_amount (null where the file has none).
    filters: the request's --from / --to / --where (:mod:`kamtool.engine.filters`).
    """

    source: Source
    full: colmod.Mapping
    mapping: colmod.Mapping
    clean: CleanOptions
    present: set[str]
    absent_optional: list[str]
    month: bool = False
    paid: bool = False
    filters: Filters | None = None
    stats: BatchStats = field(default_factory=BatchStats)
    cleaner_cache: list[Cleaner] = field(default_factory=list, repr=False)

    @property
    def cleaner(self) -> Cleaner:
        """Built on first use: the Arrow cleaner (and pyarrow) only when the Arrow path runs."""
        if not self.cleaner_cache:
            from kamtool.io.clean import Cleaner

            self.cleaner_cache.append(Cleaner(self.source, self.mapping, self.clean))
        return self.cleaner_cache[0]

    def info(self) -> SourceInfo:
        """What kamtool saw in this input, with the rows read and dropped so far."""
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


def columns_for(measures: tuple[str, ...], full: colmod.Mapping) -> set[str]:
    """The columns behind revenue, orders and the asked-for measures."""
    wanted = {"customer", "customer_name", "date", "amount", "order_id"}
    if "amount" not in full or "quantity" in measures:
        wanted |= {"quantity", "unit_price"}
    if "profit" in measures:
        wanted |= {"cost", "profit"}
    if "paid_amount" in measures:
        wanted.add("paid_amount")
    return wanted


def prepare(source: Source, request: LoadRequest) -> Prepared:
    """Map ``source``'s headers for ``request``; a missing column is a ColumnError naming it."""
    full = colmod.map_columns(source.headers, request.overrides, source=source.name,
                              entity=request.by_label)
    colmod.require(full, source.headers, request.columns, source=source.name)
    if "invoice_id" in request.keys and "invoice_id" not in full and "order_id" in full:
        # Invoices without their own number are the orders (credit): invoice_id reads order_id.
        full.columns["invoice_id"] = full.columns["order_id"]
    keys = set(request.keys) - set(DERIVED_KEYS)
    absent_optional = sorted(k for k in keys if k in request.optional and k not in full)
    missing = sorted(k for k in keys if k not in full and k not in request.optional)
    if missing:
        raise ColumnError.said("error.prepare.no_column_file_columns", name=source.name,
                               missing=', '.join(missing), headers=', '.join(source.headers),
                               missing2=missing[0])
    wanted = set(BASE_COLUMNS) if request.measures is None else columns_for(request.measures, full)
    wanted |= keys | filtering.read_columns(request.filters)
    mapping = colmod.Mapping(columns={c: h for c, h in full.columns.items() if c in wanted},
                             unused=full.unused)
    mapping.columns.update(filtering.headers(request.filters, full, source.headers, source.name))
    source.skip_bad_rows = request.clean.skip_bad_rows
    paid = "paid_amount" in (request.measures or ())
    # A --where column of the file's own (field_N) is read for the filter only, not a column of the data.
    present = {c for c in mapping.columns if not c.startswith(FIELD)} | {"amount"}
    return Prepared(source, full, mapping, request.clean, present, absent_optional,
                    month="month" in request.keys, paid=paid, filters=request.filters or None)
