"""Loyalty's rolled grain from the load, worked by hand, on every path: the native Parquet query
(two aggregations, then the days of the rows whose first positive day holds a return netted
again), the native CSV query (one near-line grouping) and the Arrow path; per month and rolled
up to quarters (``loyalty.needs("quarter")``).

The lines (amounts in currency units)::

    customer  date        brand  product  amount
    C1        2024-01-05  K      P1       100.00
    C1        2024-01-05  K      P1      -100.00   the first positive day nets 0: no purchase
    C1        2024-01-10  K      P1        30.00   -> P1's first purchase
    C1        2024-01-03  K      P2       -20.00   a return before any purchase
    C1        2024-01-04  K      P2        50.00   -> P2's first purchase
    C2        2024-02-01  N      P3        40.00
    C2        2024-02-01  N      P3       -10.00   nets 30 on its first day -> still that day
    C2        2024-02-02  N      P4        10.00
    C2        2024-02-02  N      P4       -15.00   nets -5 and never again: no first purchase
    C2        2024-03-01  N               5.00   no product: no purchase row
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from kamtool.analyses import loyalty
from kamtool.engine.load import load
from kamtool.io.request import build_request

LINES = """customer,date,brand,product,amount
C1,2024-01-05,K,P1,100.00
C1,2024-01-05,K,P1,-100.00
C1,2024-01-10,K,P1,30.00
C1,2024-01-03,K,P2,-20.00
C1,2024-01-04,K,P2,50.00
C2,2024-02-01,N,P3,40.00
C2,2024-02-01,N,P3,-10.00
C2,2024-02-02,N,P4,10.00
C2,2024-02-02,N,P4,-15.00
C2,2024-03-01,N,,5.00
"""
JAN, FEB, MAR = 648, 649, 650  # months since January 1970
d = dt.date
# (customer, month, brand, product, revenue_c, lines, first_date, last_date, first_purchase)
PURCHASES = [("C1", None, "K", "P1", None, 0, None, None, d(2024, 1, 10)),
             ("C1", None, "K", "P2", None, 0, None, None, d(2024, 1, 4)),
             ("C2", None, "N", "P3", None, 0, None, None, d(2024, 2, 1)),
             ("C2", None, "N", "P4", None, 0, None, None, None)]
BY_MONTH = [("C1", JAN, "K", None, 6000, 5, d(2024, 1, 3), d(2024, 1, 10), None), *PURCHASES[:2],
            ("C2", FEB, "N", None, 2500, 4, d(2024, 2, 1), d(2024, 2, 2), None),
            ("C2", MAR, "N", None, 500, 1, d(2024, 3, 1), d(2024, 3, 1), None), *PURCHASES[2:]]
BY_QUARTER = [("C1", JAN, "K", None, 6000, 5, d(2024, 1, 3), d(2024, 1, 10), None), *PURCHASES[:2],
              ("C2", JAN, "N", None, 3000, 5, d(2024, 2, 1), d(2024, 3, 1), None), *PURCHASES[2:]]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    folder = tmp_path_factory.mktemp("rolled")
    csv = folder / "lines.csv"
    csv.write_text(LINES, encoding="utf-8")
    parquet = folder / "lines.parquet"
    # the empty product is null in the Parquet file (an empty text would decline the native path)
    nulls = pacsv.ConvertOptions(strings_can_be_null=True)
    pq.write_table(pacsv.read_csv(csv, convert_options=nulls), parquet)
    return {"csv": csv, "parquet": parquet}


def _rows(path: Path, period: str, mode: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[Any]]:
    monkeypatch.setenv("KAMTOOL_NATIVE", mode)
    ledger = load(build_request(loyalty.needs(period), [str(path)]))
    columns = ["customer", "month", "brand", "product", "revenue_c", "lines", "first_date", "last_date",
               "first_purchase"]
    return ledger.engine, list(zip(*(ledger.table[c].to_pylist() for c in columns), strict=True))


@pytest.mark.parametrize("kind", ["csv", "parquet"])
@pytest.mark.parametrize("mode", ["force", "off"])
@pytest.mark.parametrize(("period", "expected"), [("month", BY_MONTH), ("quarter", BY_QUARTER)])
def test_the_rolled_grain_by_hand(files: dict[str, Path], kind: str, mode: str, period: str,
                                  expected: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    engine, rows = _rows(files[kind], period, mode, monkeypatch)
    assert engine == {"force": "native", "off": "arrow"}[mode]
    assert rows == expected


def test_the_quarter_grain_gives_the_month_grains_answer(files: dict[str, Path],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """loyalty --period quarter reads the grain per quarter; per month it gives the same result."""
    import json

    from kamtool.render.records import json_text, result_document

    answers = []
    for period in ("month", "quarter"):
        ledger = load(build_request(loyalty.needs(period), [str(files["parquet"])]))
        result = loyalty.loyalty(ledger.entities, period="quarter", new_product_grace_days=0)
        answers.append(json.loads(json_text(result_document(result))))
    assert answers[0] == answers[1]
    # K holds 60 of 90: the focal brand; C1 buys only K (loyal), C2 only N (dominated by another)
    counts = answers[0]["summary"]["group_counts"]
    assert (counts["loyal"], counts["other_brands"], sum(counts.values())) == (1, 1, 2)
