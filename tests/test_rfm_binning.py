"""RFM bin rules worked out by hand: the default (a value on a break goes to the lower bin)
and R rfm 0.3.0's (``bins()``: quantile breaks + 1, then lower <= x < upper).

Ten customers, five scores. Type-7 quantiles at 0.2 … 0.8 (h = 9 · i / 5 = 1.8, 3.6, 5.4, 7.2):

- frequency 1 1 1 1 2 2 3 5 8 13  -> breaks 1, 1.6, 2.4, 5.6
  default: 1 + #(breaks < x)  -> 1 1 1 1 3 3 4 4 5 5
  R:       1 + #(breaks + 1 <= x) with 2, 2.6, 3.4, 6.6 -> 1 1 1 1 2 2 3 4 5 5
- monetary 10 10 10 20 20 30 40 50 50 100 -> breaks 10, 20, 34, 50; both rules 1 1 1 2 2 3 4 4 4 5
- recency days 5 5 10 10 10 20 30 60 90 90 -> breaks 9, 10, 24, 66; value bins (both rules)
  1 1 2 2 2 3 4 4 5 5, reversed to R scores 5 5 4 4 4 3 2 2 1 1
"""

from __future__ import annotations

import pandas as pd
import pytest

from kamtool.analyses.rfm import rfm, score_breaks
from tests.conftest import run_kamtool

AS_OF = pd.Timestamp("2024-07-01")
FREQUENCY = [1, 1, 1, 1, 2, 2, 3, 5, 8, 13]
MONETARY = [10, 10, 10, 20, 20, 30, 40, 50, 50, 100]
RECENCY = [5, 5, 10, 10, 10, 20, 30, 60, 90, 90]


def _ledger() -> pd.DataFrame:
    return pd.DataFrame({
        "customer": [f"C{i:02d}" for i in range(10)],
        "revenue": [float(m) for m in MONETARY],
        "orders": FREQUENCY,
        "lines": [f + 1 for f in FREQUENCY],
        "last_date": [AS_OF - pd.Timedelta(days=d) for d in RECENCY],
    })


def test_breaks_are_type_7_quantiles() -> None:
    assert score_breaks(pd.Series(FREQUENCY), 5).tolist() == pytest.approx([1, 1.6, 2.4, 5.6])
    assert score_breaks(pd.Series(MONETARY), 5).tolist() == pytest.approx([10, 20, 34, 50])
    assert score_breaks(pd.Series(RECENCY), 5).tolist() == pytest.approx([9, 10, 24, 66])


@pytest.mark.parametrize(("binning", "f_scores"), [
    ("quantile", [1, 1, 1, 1, 3, 3, 4, 4, 5, 5]),
    ("r-rfm", [1, 1, 1, 1, 2, 2, 3, 4, 5, 5]),
])
def test_scores_by_hand(binning: str, f_scores: list[int]) -> None:
    rows = rfm(_ledger(), as_of=AS_OF, binning=binning).rows.set_index("customer").sort_index()
    assert rows["f_score"].tolist() == f_scores
    assert rows["m_score"].tolist() == [1, 1, 1, 2, 2, 3, 4, 4, 4, 5]
    assert rows["r_score"].tolist() == [5, 5, 4, 4, 4, 3, 2, 2, 1, 1]


def test_frequency_can_count_lines() -> None:
    # lines 2 2 2 2 3 3 4 6 9 14: breaks 2, 2.6, 3.4, 6.6; R: +1 -> 3, 3.6, 4.4, 7.6
    result = rfm(_ledger(), as_of=AS_OF, binning="r-rfm", frequency="lines")
    rows = result.rows.set_index("customer").sort_index()
    assert rows["frequency"].tolist() == [f + 1 for f in FREQUENCY]
    assert rows["f_score"].tolist() == [1, 1, 1, 1, 2, 2, 3, 4, 5, 5]
    assert result.params["frequency"] == "lines" and result.params["binning"] == "r-rfm"


def test_one_order_customers_are_never_champions_or_loyal() -> None:
    # most customers with one order: every break but the last is 1
    ledger = pd.DataFrame({
        "customer": [f"C{i:02d}" for i in range(20)],
        "revenue": [100.0 + i for i in range(20)],
        "orders": [1] * 16 + [2, 3, 4, 9],
        "last_date": [AS_OF - pd.Timedelta(days=1 + i) for i in range(20)],
    })
    for binning in ("quantile", "r-rfm"):
        rows = rfm(ledger, as_of=AS_OF, binning=binning).rows
        one = rows[rows["frequency"] == 1]
        assert (one["f_score"] == 1).all(), binning
        assert not one["segment"].isin(["Champions", "Loyal Customers"]).any(), binning


def test_the_headline_names_an_empty_score() -> None:
    run = run_kamtool(["rfm", "tests/data/cdnow_sample.csv", "--top", "0"])
    assert run.code == 0, run.stderr
    assert "Empty scores: F2" in run.stdout


def test_bad_binning_is_a_usage_error() -> None:
    run = run_kamtool(["rfm", "sample_data/orders.csv", "--binning", "weird"])
    assert run.code == 2


@pytest.mark.parametrize("binning", ["quantile", "r-rfm"])
def test_cdnow_one_order_customers_score_f1(binning: str) -> None:
    # the tests' CDNOW sample: frequency breaks 1, 1, 2, 4; the old rule (1 + breaks <= x) gave
    # its 1,218 one-order customers F = 3 and made some of them Loyal Customers
    import json

    run = run_kamtool(["rfm", "tests/data/cdnow_sample.csv", "--binning", binning, "--format", "json"])
    assert run.code == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["summary"]["f_breaks"] == [1.0, 1.0, 2.0, 4.0]
    one = [row for row in doc["rows"] if row["frequency"] == 1]
    assert len(one) == 1218
    assert {row["f_score"] for row in one} == {1}
    assert not {row["segment"] for row in one} & {"Champions", "Loyal Customers"}
    assert doc["summary"]["f_counts"] == {"5": 378, "4": 358, "3": 403, "2": 0, "1": 1218}
