"""The words of ``kamtool inspect``: one sentence per source, the totals, the drops."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kamtool.labels import has_label, label

if TYPE_CHECKING:
    from kamtool.result import Result


def _reason(reason: str, lang: str) -> str:
    key = f"inspect.reason.{reason}"
    return label(key, lang) if has_label(key) else reason


def _day(value: Any) -> str:
    return value.isoformat() if value is not None else "-"


def _source_sentence(row: dict[str, Any], lang: str) -> str:
    where = row["sheet"] and label("inspect.sheet", lang).format(sheet=row["sheet"]) or ""
    if row["format"] == "csv":
        where = label("inspect.csv", lang).format(encoding=row["encoding"], delimiter=row["delimiter"])
    header_row = row["header_row"]
    header = label("inspect.header", lang).format(row=header_row) if _known(header_row) else ""
    return label("inspect.source", lang).format(
        source=row["source"], format=row["format"].upper() if row["format"] != "excel" else "Excel",
        where=where, header=header, rows=row["rows_read"], dropped=row["rows_dropped"],
    )


def _known(value: Any) -> bool:
    # a missing header row reads back from the sources table as None or NaN
    return value is not None and value == value


def headline(result: Result, lang: str) -> list[str]:
    s = result.summary
    sources = result.tables.get("sources")
    rows: list[dict[str, Any]] = [] if sources is None else [
        {str(k): v for k, v in row.items()} for row in sources.to_dict("records")
    ]
    lines = [_source_sentence(row, lang) for row in rows]
    lines.append(label("inspect.totals", lang).format(
        lines=s["lines"], customers=s["customers"], orders=s["orders"],
        basis=label(f"inspect.basis.{s['orders_basis']}", lang),
        first=_day(s["first_date"]), last=_day(s["last_date"]),
        revenue=s["revenue"], returns=s["returns_value"], return_lines=s["return_lines"],
    ))
    dropped = s["dropped"]
    if dropped:
        lines.append(label("inspect.dropped", lang).format(
            n=sum(dropped.values()),
            reasons="; ".join(f"{_reason(r, lang)}: {c:,}" for r, c in sorted(dropped.items()))))
    engine = result.params.get("engine")
    if engine and engine != "native" and result.params.get("engine_reason"):
        reason = result.params["engine_reason"]
        lines.append(label("inspect.engine", lang).format(engine=engine, reason=reason))
    return lines


def notes(result: Result, lang: str) -> list[str]:
    lines = [label(f"inspect.note.{result.summary['orders_basis']}", lang)]
    columns = result.summary.get("columns") or []
    if "profit" in columns or "cost" in columns:
        lines.append(label("inspect.note.profit", lang))
    rows = result.rows
    if "missing" in rows and rows["missing"].isna().any():
        read = ", ".join(dict.fromkeys(str(c) for c in rows.loc[rows["missing"].notna(), "column"]))
        lines.append(label("inspect.note.unread", lang).format(columns=read))
    return lines
