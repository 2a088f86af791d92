"""The shortcuts `kamtool clv` takes on large files give exactly the answers of the long way.

Each shortcut (issue 16) is checked against the computation it replaces: the sort of the
customer-days skipped when the ledger comes sorted, P(alive) computed once for the values
and the discounting, Pareto/NBD's quadrature in blocks of rows. And the grain clv reads:
a purchase is a customer-day, so the load asks for no order counts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kamtool.analyses import clv as m
from kamtool.analyses.clv import pareto_nbd
from kamtool.analyses.clv.models import PURCHASE_MODELS
from kamtool.analyses.clv.regimes import ModelFit
from tests.conftest import run_kamtool

SAMPLE = Path(__file__).parents[1] / "sample_data" / "orders.csv"

# Three customers, rows out of order and one customer-day in two rows (A on Jan 8).
ROWS = [
    ("B", "2024-01-20", 5.0),
    ("A", "2024-01-22", 30.0),
    ("A", "2024-01-08", 20.0),
    ("C", "2024-01-03", 15.0),
    ("A", "2024-01-01", 10.0),
    ("B", "2024-01-15", 40.0),
    ("A", "2024-01-08", 5.0),
    ("C", "2024-01-24", 9.0),
]


def _daily(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer", "date", "revenue"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def test_summary_of_unsorted_and_sorted_rows_is_the_same_by_hand() -> None:
    shuffled = _daily(ROWS)
    ordered = shuffled.sort_values(["customer", "date"], kind="stable").reset_index(drop=True)
    for daily in (shuffled, ordered):
        summary = m.customer_summary(daily, calibration_end="2024-01-29", unit="day")
        f = summary.frame
        assert f["customer"].tolist() == ["A", "B", "C"]
        # A: Jan 1, 8 (20 + 5 merged), 22 -> 2 repeats, recency 21, T 28, monetary (25 + 30) / 2.
        # B: Jan 15, 20 -> 1 repeat, recency 5, T 14, monetary 5. C: Jan 3, 24 -> 1, 21, 26, 9.
        assert f["frequency"].tolist() == [2, 1, 1]
        assert f["recency"].tolist() == [21.0, 5.0, 21.0]
        assert f["T"].tolist() == [28.0, 14.0, 26.0]
        assert f["monetary"].tolist() == [27.5, 5.0, 9.0]
        # The repeat days (for tracking): A's Jan 8 and 22, B's Jan 20, C's Jan 24.
        days = pd.to_datetime(summary.repeat_days, unit="D").strftime("%m-%d").tolist()
        assert days == ["01-08", "01-22", "01-20", "01-24"]


@pytest.fixture(scope="module")
def sample_summary() -> m.CustomerSummary:
    from tests.conftest import load_daily

    return m.customer_summary(load_daily(SAMPLE))


@pytest.mark.parametrize("key", list(PURCHASE_MODELS))
def test_discounting_with_p_alive_given_is_the_same(sample_summary: m.CustomerSummary, key: str) -> None:
    model = PURCHASE_MODELS[key]
    f = sample_summary.frame
    x, tx, t = f["frequency"], f["recency"], f["T"]
    fit = model.fit(x, tx, t)
    args: dict[str, Any] = {"horizon": 52, "unit": "week", "discount_rate": 0.1, "model": model}
    plain, discounted = m.discounted_purchases(fit, x, tx, t, **args)
    given = m.discounted_purchases(fit, x, tx, t, **args, alive=model.p_alive(fit, x, tx, t))
    assert np.array_equal(plain, given[0]) and np.array_equal(discounted, given[1])


def test_pareto_quadrature_in_blocks_is_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    t = rng.uniform(1.0, 60.0, 50)
    x = rng.integers(0, 12, 50).astype(float)
    tx = np.where(x > 0, rng.uniform(0.0, 1.0, 50) * t, 0.0)
    tx = np.where((x > 0) & (tx == 0), t / 2, tx)
    full = {"r": 0.6, "alpha": 9.0, "s": 0.5, "beta": 11.0}
    limit = {"r": 0.6, "alpha": 9.0, "mu": 0.03}  # one drop-out rate: s, beta -> inf
    fits = [
        ModelFit(params=full, std_errors={}, log_likelihood=0.0, customers=50),
        ModelFit(params=full | {"s": np.inf, "beta": np.inf}, std_errors={}, log_likelihood=0.0, customers=50,
                 boundary="homogeneous_dropout", limit_params=limit),
    ]
    whole = [(pareto_nbd.p_alive(f, x, tx, t), pareto_nbd.log_likelihood(f.free, x, tx, t)) for f in fits]
    monkeypatch.setattr(pareto_nbd, "_BLOCK_ROWS", 7)  # 50 distinct rows: 8 blocks, the last of 1
    for fit, (alive, ll) in zip(fits, whole, strict=True):
        assert np.array_equal(pareto_nbd.p_alive(fit, x, tx, t), alive)
        assert np.array_equal(pareto_nbd.log_likelihood(fit.free, x, tx, t), ll)
        assert alive.min() > 0 and alive.max() <= 1


def test_clv_reads_customer_days_without_order_counts() -> None:
    assert "orders" not in m.NEEDS.figures
    assert m.NEEDS.keys == ("customer", "date")
    run = run_kamtool(["clv", str(SAMPLE), "--format", "json"])
    assert run.code == 0, run.stderr
    doc = json.loads(run.stdout)
    # Same-day orders are one purchase: every frequency counts days, not orders.
    assert doc["params"]["purchase"] == "a customer-day with net revenue >= 0; same-day orders merged"
    assert doc["summary"]["customers"] == len(doc["rows"]) > 0


def test_clv_reads_the_three_columns_of_the_daily_frame(load_ledger: Any) -> None:
    # The command hands clv customer, date and revenue only (10M lines: 0.28 GiB fewer columns),
    # the very values of the daily frame's columns.
    lean = load_ledger(SAMPLE, keys=("customer", "date")).revenue_days
    full = load_ledger(SAMPLE, keys=("customer", "date")).daily
    assert list(lean.columns) == ["customer", "date", "revenue"]
    pd.testing.assert_frame_equal(lean, full[["customer", "date", "revenue"]])


def test_summary_copies_no_column_that_keeps_every_row() -> None:
    # 20k customers with 25 purchase days each, all kept (no return day, the default calibration
    # end): the summary's peak stays under five 64-bit columns of the rows; the copy of each
    # column for the purchases and again for the calibration took it to 7.8.
    import tracemalloc

    rng = np.random.default_rng(1)
    customers, per = 20_000, 25
    days = 19_000 + np.arange(per)[None, :] * 30 + rng.integers(0, 30, (customers, per))
    ids = np.repeat([f"C{i:06d}" for i in range(customers)], per)
    daily = pd.DataFrame({
        "customer": pd.array(ids, dtype="string[pyarrow]"),
        "date": days.ravel().astype("datetime64[D]").astype("datetime64[ms]"),
        "revenue": rng.uniform(1, 100, customers * per).round(2),
    })
    tracemalloc.start()
    try:
        summary = m.customer_summary(daily)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 8 * len(daily)
    assert summary.frame["frequency"].tolist() == [per - 1] * customers
    assert len(summary.repeat_days) == customers * (per - 1)
