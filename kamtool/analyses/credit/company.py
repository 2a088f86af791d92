"""The company view: receivables by bucket, owner and region, the largest overdue
balances, grades, the customers over limit and the month-end receivables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from kamtool.analyses.credit.grading import GRADES
from kamtool.analyses.rules import reach_count

LARGEST = 10
CHARTED = 30  # the largest balances drawn by bucket in the aging chart
NO_DIMENSION = "-"  # a customer without an owner or region in the accounts frame


def money(cents: Any) -> npt.NDArray[np.float64]:
    """Cents -> money rounded to the cent (scalars and arrays)."""
    return np.round(np.asarray(cents, dtype=np.float64) / 100, 2)


def amount(cents: int) -> float:
    """One sum of cents as money rounded to the cent."""
    return round(int(cents) / 100, 2)


def share(part: int, whole: int) -> float:
    return float(part) / float(whole) if whole > 0 else float("nan")


def class_a(sales_cents: pd.Series, cut: float) -> list[str]:
    """Key accounts when none are given: class A of net sales (cents by customer), the
    fewest largest customers reaching ``cut`` of positive sales, as in abc (ties by id)."""
    positive = sales_cents[sales_cents > 0]
    if positive.empty:
        return []
    order = np.lexsort((positive.index.to_numpy(dtype=str), -positive.to_numpy(dtype=np.int64)))
    ranked = positive.iloc[order]
    return [str(c) for c in ranked.index[:reach_count(ranked.to_numpy(dtype=np.int64), cut)]]


def aging_table(cents: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    total = int(cents[list(names)].to_numpy().sum())
    amounts = [int(cents[n].sum()) for n in names]
    return pd.DataFrame({
        "bucket": list(names),
        "amount": money(amounts),
        "share": [share(a, total) for a in amounts],
        "customers": [int(np.count_nonzero(cents[n].to_numpy())) for n in names],
    })


def by_dimension(cents: pd.DataFrame, names: Sequence[str], dimension: pd.Series,
                 column: str) -> pd.DataFrame:
    """Receivables per owner (or region): customers, balance, buckets, overdue."""
    frame = cents[list(names)].copy()
    frame[column] = dimension.reindex(frame.index).fillna("").replace("", NO_DIMENSION).to_numpy()
    frame["balance"] = frame[list(names)].sum(axis=1)
    frame["customers"] = 1
    grouped = frame.groupby(column, sort=True).sum()
    grouped["overdue"] = grouped[list(names[1:])].sum(axis=1)
    grouped = grouped.sort_values(["balance"], ascending=False, kind="mergesort")
    out = grouped.reset_index()[[column, "customers", "balance", *names, "overdue"]]
    for col in ("balance", *names, "overdue"):
        out[col] = money(out[col].to_numpy())
    return out


def largest_overdue(rows: pd.DataFrame, overdue_cents: pd.Series) -> pd.DataFrame:
    """The ten customers with the largest overdue balance (ties by customer id)."""
    frame = pd.DataFrame({"customer": overdue_cents.index, "cents": overdue_cents.to_numpy()})
    frame = frame[frame["cents"] > 0].sort_values(["cents", "customer"], ascending=[False, True],
                                                  kind="mergesort").head(LARGEST)
    picked = rows.set_index("customer").loc[frame["customer"]]
    return pd.DataFrame({
        "customer": frame["customer"].to_numpy(),
        "overdue": money(frame["cents"].to_numpy()),
        "balance": picked["balance"].to_numpy(),
        "max_days_past_due": picked["max_days_past_due"].array,
        "grade": picked["grade"].to_numpy(),
    })


def largest_balances(cents: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """The ``CHARTED`` largest positive balances by bucket, largest first (ties by customer)."""
    frame = cents[cents["balance"] > 0]
    order = np.lexsort((frame.index.to_numpy(dtype=str), -frame["balance"].to_numpy(dtype=np.int64)))
    top = frame.iloc[order[:CHARTED]]
    out = pd.DataFrame({"customer": top.index.to_numpy(dtype=object),
                        "balance": money(top["balance"].to_numpy())})
    for name in names:
        out[name] = money(top[name].to_numpy())
    return out


def grades_table(rows: pd.DataFrame, balance_cents: pd.Series) -> pd.DataFrame:
    by_grade = rows.assign(cents=balance_cents.reindex(rows["customer"]).to_numpy())
    counts = by_grade.groupby("grade")["customer"].count().reindex(list(GRADES), fill_value=0)
    cents = by_grade.groupby("grade")["cents"].sum().reindex(list(GRADES), fill_value=0)
    return pd.DataFrame({"grade": list(GRADES), "customers": counts.to_numpy(dtype=np.int64),
                         "balance": money(cents.to_numpy())})


def history_table(history: pd.DataFrame, as_of: int) -> pd.DataFrame:
    """Company receivables at each month-end close of the history and on the as-of date.

    A sampled day *d* holds the balance of the events dated before it: the close of day
    *d* − 1, so the first of a month gives the month-end before. The as-of day's sample is
    labelled with the as-of date itself: it is the balance the rows show ("as of" the day,
    events dated before it), which is what a reader ties the last point to.
    """
    dates = [str(np.datetime64(int(d) if int(d) == as_of else int(d) - 1, "D")) for d in history.columns]
    totals = history.sum(axis=0).to_numpy(dtype=np.int64)
    return pd.DataFrame({"date": dates, "receivables": money(totals)})
