"""inspect counts empty cells only where it reads them: a column it maps but does not read
(salesperson, region …) shows no count, not a false 0, and the note says which it counted."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_kamtool


def test_unread_columns_have_no_empty_count(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    # two empty salesperson cells and one empty name, worked by hand
    path.write_text("customer_id,customer_name,order_date,amount,salesperson\n"
                    "C1,Acme,2024-01-02,10.00,\n"
                    "C1,Acme,2024-01-03,5.00,\n"
                    "C2,,2024-01-04,7.50,Ann\n", encoding="utf-8")
    run = run_kamtool(["inspect", str(path), "--format", "json"])
    assert run.code == 0, run.stderr
    empty = {row["column"]: row["missing"] for row in json.loads(run.stdout)["rows"]}
    assert empty == {"customer": 0, "customer_name": 1, "date": 0, "amount": 0, "salesperson": None}
    text = run_kamtool(["inspect", str(path)]).stdout
    counted = "(customer, customer_name, date, amount)"
    assert f"Empty cells are counted in the columns the figures read {counted}" in text
