"""`kamtool stages` reads breadth from the first of category, brand, product the export has:
a hand-worked export with each, and with an empty category column."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_kamtool

# As of 2025-01-01 the window is 2024-01 .. 2024-12. A buys two brands and three products in
# it (one product netted to zero), B one brand; the 2023 line is before the window.
HEADER = "order_id,order_date,customer_id,amount,brand,product,category"
LINES = [
    "o1,2024-02-01,A,100.00,Own,p1,{c}",
    "o2,2024-03-01,A,50.00,Rival,p2,{c}",
    "o3,2024-04-01,A,30.00,Own,p3,{c}",
    "o4,2024-05-01,A,-30.00,Own,p3,{c}",
    "o5,2024-06-01,B,80.00,Own,p1,{c}",
    "o6,2023-06-01,B,80.00,Rival,p2,{c}",
]


def _stages(tmp_path: Path, text: str) -> dict[str, object]:
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    run = run_kamtool(["stages", str(path), "--as-of", "2025-01-01", "--format", "json"])
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)  # type: ignore[no-any-return]


def _breadth(payload: dict[str, object]) -> dict[str, int]:
    return {row["customer"]: row["breadth"] for row in payload["rows"]}  # type: ignore[attr-defined, index]


def test_breadth_by_category_when_the_export_has_one(tmp_path: Path) -> None:
    cats = ["Paper", "Toner", "Ink", "Ink", "Paper", "Toner"]
    lines = [line.format(c=c) for line, c in zip(LINES, cats, strict=True)]
    payload = _stages(tmp_path, "\n".join([HEADER, *lines]) + "\n")
    assert payload["params"]["breadth_basis"] == "category"  # type: ignore[index]
    assert _breadth(payload) == {"A": 2, "B": 1}  # A's Ink nets to zero


def test_breadth_falls_back_to_brand_when_the_category_column_is_empty(tmp_path: Path) -> None:
    lines = [line.format(c="") for line in LINES]
    payload = _stages(tmp_path, "\n".join([HEADER, *lines]) + "\n")
    assert payload["params"]["breadth_basis"] == "brand"  # type: ignore[index]
    assert _breadth(payload) == {"A": 2, "B": 1}


def test_breadth_by_product_without_category_or_brand(tmp_path: Path) -> None:
    header = "order_id,order_date,customer_id,amount,product"
    lines = [",".join(line.format(c="").split(",")[:4] + [line.split(",")[5]]) for line in LINES]
    payload = _stages(tmp_path, "\n".join([header, *lines]) + "\n")
    assert payload["params"]["breadth_basis"] == "product"  # type: ignore[index]
    assert _breadth(payload) == {"A": 2, "B": 1}  # A: p1, p2 (p3 nets to zero); B: p1
