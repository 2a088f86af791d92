"""What kamtool sees in the inputs: formats, mapping, drops, and the ledger's totals.

An analyst runs this on a new export before trusting any figure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from kamtool.labels import has_label, label
from kamtool.result import Result

if TYPE_CHECKING:
    from kamtool.ledger import Ledger


from kamtool.needs import ALL_FIGURES, Needs  # noqa: E402 - beside the declaration it serves

# What inspect_ledger() reads: one row per customer with every column and every figure.
NEEDS = Needs(keys=("customer",), measures=None, figures=ALL_FIGURES)


def inspect_ledger(ledger: Ledger, *, lang: str = "en") -> Result:
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
                "missing": int(info.stats.missing.get(canon, 0)),
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
    headline = [_source_sentence(row, lang) for row in source_rows]
    headline.append(label("inspect.totals", lang).format(
        lines=kept, customers=summary["customers"], orders=summary["orders"],
        basis=label(f"inspect.basis.{ledger.orders_basis}", lang),
        first=_day(totals["first_date"]), last=_day(totals["last_date"]),
        revenue=totals["revenue"], returns=totals["returns_value"], return_lines=totals["return_lines"],
    ))
    if dropped:
        headline.append(label("inspect.dropped", lang).format(
            n=sum(dropped.values()),
            reasons="; ".join(f"{_reason(r, lang)}: {c:,}" for r, c in sorted(dropped.items()))))
    notes = [label(f"inspect.note.{ledger.orders_basis}", lang)]
    if ledger.has_profit:
        notes.append(label("inspect.note.profit", lang))
    tables = {"sources": pd.DataFrame(source_rows)}
    if dropped_rows:
        tables["dropped"] = pd.DataFrame(dropped_rows)
    return Result(
        command="inspect",
        params={"files": [s.name for s in ledger.sources]},
        summary=summary,
        rows=pd.DataFrame(mapping_rows, columns=["source", "column", "header", "missing"]),
        tables=tables,
        headline=headline,
        notes=notes,
    )


def _reason(reason: str, lang: str) -> str:
    key = f"inspect.reason.{reason}"
    return label(key, lang) if has_label(key) else reason


def _day(value: Any) -> str:
    return value.isoformat() if value is not None else "-"


def _source_sentence(row: dict[str, Any], lang: str) -> str:
    where = row["sheet"] and label("inspect.sheet", lang).format(sheet=row["sheet"]) or ""
    if row["format"] == "csv":
        where = label("inspect.csv", lang).format(encoding=row["encoding"], delimiter=row["delimiter"])
    header = (label("inspect.header", lang).format(row=row["header_row"])
              if row["header_row"] is not None else "")
    return label("inspect.source", lang).format(
        source=row["source"], format=row["format"].upper() if row["format"] != "excel" else "Excel",
        where=where, header=header, rows=row["rows_read"], dropped=row["rows_dropped"],
    )
