"""DuckDB's memory in the load: its connection is closed once the ledger is built (its allocator
kept what the query used, 10M lines: 0.5 GiB of a 1 GiB process), and the ledger's tables, which
DuckDB returned, stay whole; inspect's, rfm's (distinct orders per customer), loyalty's
and the per-day queries keep to DuckDB's capped share (the grains beside a day table to theirs)."""

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
    ("clv", duck.DAY_MEMORY), ("rfm", duck.DISTINCT_MEMORY), ("churn", duck.DAY_MEMORY),
    ("report", duck.LINES_MEMORY)])
def test_each_query_keeps_to_its_cap(monkeypatch: pytest.MonkeyPatch, command: str,
                                                     capped: str | None) -> None:
    from kamtool.analyses import churn, clv, inspection, loyalty, rfm
    from kamtool.engine import many
    from kamtool.needs import Needs

    needs = {"inspect": inspection.NEEDS, "loyalty": loyalty.needs("quarter"), "clv": clv.NEEDS,
             "abc": Needs(keys=("customer",)), "rfm": rfm.needs(), "churn": churn.NEEDS,
             "report": many.fine_needs(invoices=False)}[command]
    assert _caps(monkeypatch, needs) == [capped]


def _caps(monkeypatch: pytest.MonkeyPatch, needs: Any) -> list[str | None]:
    """The caps of the queries a native load of the sample by ``needs`` runs, in order."""
    from kamtool.engine.load import load
    from kamtool.io.request import build_request

    seen: list[str | None] = []
    real = native.capped_memory

    def spy(limit: str | None) -> object:
        seen.append(limit)
        return real(limit)

    monkeypatch.setattr(native, "capped_memory", spy)
    ledger = load(build_request(needs, [str(SAMPLE)]))
    assert ledger.engine == "native"
    return seen


def test_a_connection_after_close_connections_is_a_new_open_one() -> None:
    """close_connections (at exit) closes this thread's DuckDB too: the next connection() is a
    fresh one that runs a query, not the closed one."""
    from kamtool.engine import duck

    first = duck.connection()
    duck.close_connections()
    again = duck.connection()
    assert again is not first
    assert again.sql("SELECT 41 + 1").fetchall() == [(42,)]


def test_shared_nulls_keeps_every_value_and_type_in_one_buffer() -> None:
    """A measure the file lacks comes from the query as a NULL column with a buffer per row;
    shared_nulls makes it slices of one null array: the same table, one buffer."""
    import pyarrow as pa

    table = pa.Table.from_batches([
        pa.record_batch({"customer": ["C1", "C2"], "quantity": pa.nulls(2, pa.float64()),
                         "paid": pa.nulls(2, pa.int64()), "amount": [1, None]}),
        pa.record_batch({"customer": ["C3", "C4", "C5"], "quantity": pa.nulls(3, pa.float64()),
                         "paid": pa.nulls(3, pa.int64()), "amount": [None, 2, 3]}),
    ])
    shared = duck.shared_nulls(table)
    assert shared.equals(table) and shared.schema == table.schema
    for name in ("quantity", "paid"):
        chunks = shared[name].chunks
        assert [len(c) for c in chunks] == [2, 3]
        assert len({b.address for c in chunks for b in c.buffers() if b is not None}) <= 2  # validity, values
    assert shared["amount"] is table["amount"] or shared["amount"].equals(table["amount"])
    assert duck.shared_nulls(pa.table({"x": pa.array([], pa.int64())})).num_rows == 0


def test_the_monthly_frame_of_a_file_without_quantity_sums_none(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Churn's monthly frame, rolled from the table, sums no quantity the file lacks (a null sum
    per row): the column is NaN where it was, the other sums as before."""
    import math

    from kamtool.analyses import churn
    from kamtool.engine.load import load
    from kamtool.io.request import build_request
    from kamtool.ledger import Ledger

    path = tmp_path / "noq.csv"
    path.write_text("customer,date,amount,cost\nC1,2024-01-05,100,60\nC1,2024-01-20,50,\nC2,2024-02-05,30,10\n",
                    encoding="utf-8")
    asked: list[tuple[str, ...]] = []
    rolled = Ledger._rolled

    def spy(self: Ledger, target: Any, name: str, **kwargs: Any) -> Any:
        asked.append(tuple(kwargs.get("sums", ())))
        return rolled(self, target, name, **kwargs)

    monkeypatch.setattr(Ledger, "_rolled", spy)
    for engine in ("force", "off"):
        monkeypatch.setenv("KAMTOOL_NATIVE", engine)
        monthly = load(build_request(churn.types_needs(payments=False), [str(path)])).monthly
        assert list(monthly.columns) == ["customer", "month", "revenue", "profit", "lines", "quantity"]
        assert monthly["revenue"].tolist() == [150.0, 30.0] and monthly["lines"].tolist() == [2, 1]
        assert math.isnan(monthly["profit"][0]) and monthly["profit"][1] == 20.0
        assert monthly["quantity"].isna().all()
    assert asked and all("quantity" not in sums and "revenue_c" in sums for sums in asked)


def test_arrows_allocator_hands_freed_pages_back_unless_the_user_says_otherwise() -> None:
    """kamtool sets mimalloc's purge delay to 0 before pyarrow loads (the hash table of one
    dictionary encoding of 10M order ids stayed resident, 0.7 GiB, after it was freed); a value
    in the environment stays."""
    import os
    import subprocess
    import sys

    show = "import kamtool, os; print(os.environ['MIMALLOC_PURGE_DELAY'])"
    env = {k: v for k, v in os.environ.items() if k != "MIMALLOC_PURGE_DELAY"}
    assert subprocess.run([sys.executable, "-c", show], env=env, capture_output=True, text=True,
                          check=True).stdout.strip() == "0"
    assert subprocess.run([sys.executable, "-c", show], env={**env, "MIMALLOC_PURGE_DELAY": "25"},
                          capture_output=True, text=True, check=True).stdout.strip() == "25"


@pytest.mark.parametrize("command", ["tiers", "credit"])
def test_each_grain_query_keeps_to_its_cap(monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    """The grains beside the main table: those by month (tiers' months per salesperson and mix)
    keep to MONTHS_MEMORY, credit's invoice lines to GRAIN_MEMORY."""
    from kamtool.analyses import credit
    from kamtool.cli.commands import tiers

    needs = tiers.command_needs() if command == "tiers" else credit.NEEDS
    grains = _caps(monkeypatch, needs)[1:]
    assert grains == ([duck.MONTHS_MEMORY] * 2 if command == "tiers" else [duck.GRAIN_MEMORY])
