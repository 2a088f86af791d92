"""DuckDB's memory in the load: its connection is closed once the ledger is built (its allocator
kept what the query used, 10M lines: 0.5 GiB of a 1 GiB process), and the ledger's tables, which
DuckDB returned, stay whole; inspect's, rfm's (distinct orders per customer), loyalty's
and the per-day queries keep to DuckDB's capped share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kamtool.engine import duck, native

SAMPLE = Path(__file__).parents[1] / "sample_data" / "orders.csv"


def test_load_closes_its_duckdb_and_the_ledger_stays_whole(load_ledger: Any) -> None:
    duck.release()  # no connection open before the load (one that was stays open: test_load.py)
    ledger = load_ledger(SAMPLE)
    assert ledger.engine == "native"
    assert getattr(duck._LOCAL, "con", None) is None
    again = load_ledger(SAMPLE)  # a new connection for the next load, closed in its turn
    assert getattr(duck._LOCAL, "con", None) is None
    assert ledger.table.equals(again.table)
    assert ledger.customers.equals(again.customers)
    assert duck.query("SELECT count(*) AS n FROM t", t=ledger.table)["n"][0].as_py() == ledger.table.num_rows


@pytest.mark.parametrize(("command", "capped"), [
    ("inspect", duck.DISTINCT_MEMORY), ("loyalty", duck.ROLLED_MEMORY), ("abc", None),
    ("clv", duck.GRAIN_MEMORY), ("rfm", duck.DISTINCT_MEMORY), ("churn", duck.GRAIN_MEMORY)])
def test_each_query_keeps_to_its_cap(monkeypatch: pytest.MonkeyPatch, command: str,
                                                     capped: str | None) -> None:
    from kamtool.analyses import churn, clv, inspection, loyalty, rfm
    from kamtool.engine.load import load
    from kamtool.io.request import build_request
    from kamtool.needs import Needs

    needs = {"inspect": inspection.NEEDS, "loyalty": loyalty.needs("quarter"), "clv": clv.NEEDS,
             "abc": Needs(keys=("customer",)), "rfm": rfm.needs(), "churn": churn.NEEDS}[command]
    seen: list[str | None] = []
    real = native.capped_memory

    def spy(limit: str | None) -> object:
        seen.append(limit)
        return real(limit)

    monkeypatch.setattr(native, "capped_memory", spy)
    ledger = load(build_request(needs, [str(SAMPLE)]))
    assert ledger.engine == "native" and seen == [capped]


def test_a_connection_after_close_connections_is_a_new_open_one() -> None:
    """close_connections (at exit) closes this thread's DuckDB too: the next connection() is a
    fresh one that runs a query, not the closed one."""
    from kamtool.engine import duck

    first = duck.connection()
    duck.close_connections()
    again = duck.connection()
    assert again is not first
    assert again.sql("SELECT 41 + 1").fetchall() == [(42,)]
