"""The DuckDB connection every engine shares, and the small helpers around it."""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

_LOCAL = threading.local()
_OPEN: list[duckdb.DuckDBPyConnection] = []


def close_connections() -> None:
    """Close every DuckDB this process opened (its spill files are removed on close)."""
    import contextlib

    while _OPEN:
        with contextlib.suppress(Exception):  # closing at exit; nothing to report to
            _OPEN.pop().close()


def connection() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per thread, using every core."""
    con = getattr(_LOCAL, "con", None)
    if con is None:
        import duckdb

        # Insertion order is never relied on (every query sorts), and dropping it
        # lets DuckDB stream aggregates with less memory.
        config: dict[str, Any] = {"threads": os.cpu_count() or 1, "preserve_insertion_order": False}
        limit = os.environ.get("KAMTOOL_MEMORY_LIMIT")
        if limit:
            config["memory_limit"] = limit
        con = duckdb.connect(":memory:", config=config)
        _LOCAL.con = con
        _OPEN.append(con)
    return con


def quote(name: str) -> str:
    """A column name as a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A Python string as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def plain_strings(table: pa.Table) -> pa.Table:
    """DuckDB may hand back string views or large strings; keep plain Arrow strings."""
    import pyarrow as pa

    fields = []
    changed = False
    for f in table.schema:
        t = f.type
        if pa.types.is_large_string(t) or str(t) == "string_view":
            t = pa.string()
            changed = True
        fields.append(pa.field(f.name, t))
    return table.cast(pa.schema(fields)) if changed else table


def query(sql: str, **tables: pa.Table) -> pa.Table:
    """Run ``sql`` over Arrow ``tables`` registered under their keyword names."""
    con = connection()
    for name, table in tables.items():
        con.register(name, table)
    try:
        return plain_strings(con.sql(sql).to_arrow_table())
    finally:
        for name in tables:
            con.unregister(name)
