"""What kamtool sees in the inputs: formats, mapping, drops, and the ledger's totals.

An analyst runs this on a new export before trusting any figure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kamtool.lazy import lazy_module
from kamtool.result import Result

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

if TYPE_CHECKING:
    from kamtool.ledger import Ledger


from kamtool.needs import ALL_FIGURES, Needs  # noqa: E402 - beside the declaration it serves

# What inspect_ledger() reads: one row per customer with every column and every figure.
NEEDS = Needs(keys=("customer",), measures=None, figures=ALL_FIGURES)


def inspect_ledger(ledger: Ledger) -> Result:
    """The mapping, sources, drops and totals of a ledger, as codes and numbers (the
    sentences are in :mod:`kamtool.render.words.inspect`)."""
    totals = ledger.totals()
    customers = ledger.customers
    stats = ledger.stats()
    rows_read = stats.rows
    dropped = dict(stats.dropped)
    kept = totals["lines"]

    mapping_rows: list[dict[str, Any]] = []
    source_rows: list[dict[str, Any]] = []
    dropped_rows: list[dict[str, Any]] = []
    for info in ledger.sources:
        for canon, header in info.mapping.items():
            mapping_rows.append({
                "source": info.name, "column": canon, "header": header,
                # counted in the columns the load read (the figures' columns); a column only
                # mapped (salesperson, region …) was not read: no count, rather than a false 0
                "missing": int(info.stats.missing.get(canon, 0)) if canon in ledger.present else None,
            })
        source_rows.append({
            "source": info.name, "format": info.format, "encoding": info.encoding or "",
            "delimiter": {"\t": "tab"}.get(info.delimiter or "", info.delimiter or ""),
            "sheet": info.sheet or "", "header_row": info.header_row,
            "rows_read": info.stats.rows, "rows_dropped": sum(info.stats.dropped.values()),
            "unused_columns": ", ".join(u for u in info.unused if not u.startswith("column_")),
        })
        for reason, count in sorted(info.stats.dropped.items()):
            dropped_rows.append({"source": info.name, "reason": reason, "rows": int(count)})

    summary: dict[str, Any] = {
        "files": len(ledger.sources),
        "rows_read": rows_read,
        "lines": kept,
        "rows_dropped": sum(dropped.values()),
        "dropped": dropped,
        "customers": len(customers),
        "orders": int(customers["orders"].sum()) if len(customers) else 0,
        "orders_basis": ledger.orders_basis,
        "first_date": totals["first_date"],
        "last_date": totals["last_date"],
        "revenue": totals["revenue"],
        "return_lines": totals["return_lines"],
        "returns_value": totals["returns_value"],
        "profit": totals["profit"],
        "quantity": totals["quantity"],
        "columns": sorted(ledger.present),
    }
    tables = {"sources": pd.DataFrame(source_rows)}
    if dropped_rows:
        tables["dropped"] = pd.DataFrame(dropped_rows)
    return Result(
        command="inspect",
        summary=summary,
        rows=pd.DataFrame(mapping_rows, columns=["source", "column", "header", "missing"]).astype(
            {"missing": "Int64"}),  # whole counts, empty where the column was not read
        tables=tables,
        params={"files": [s.name for s in ledger.sources]},
    )
