"""The load gives DuckDB's memory back: its connection is closed once the ledger is built (its
allocator kept what the query used, 10M lines: 0.5 GiB of a 1 GiB process), and the ledger's
tables, which DuckDB returned, stay whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kamtool.engine import duck

SAMPLE = Path(__file__).parents[1] / "sample_data" / "orders.csv"


def test_load_closes_its_duckdb_and_the_ledger_stays_whole(load_ledger: Any) -> None:
    first = duck.connection()
    ledger = load_ledger(SAMPLE)
    assert ledger.engine == "native"
    assert getattr(duck._LOCAL, "con", None) is None and first not in duck._OPEN
    again = load_ledger(SAMPLE)  # a new connection for the next load, closed in its turn
    assert getattr(duck._LOCAL, "con", None) is None
    assert ledger.table.equals(again.table)
    assert ledger.customers.equals(again.customers)
    assert duck.query("SELECT count(*) AS n FROM t", t=ledger.table)["n"][0].as_py() == ledger.table.num_rows
