"""Per-customer credit measures in whole numbers: aging, payment behaviour, balance history.

Everything here is cents, days and cent-days (cents × days), so a bucket, a balance or an
amount-weighted average is exact; the assembly turns them into money and ratios once.
Customers are codes (positions in ``customers``, the sorted names), so a sum per customer
is an ``np.add.at`` on integers, never a group-by on text.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kamtool.analyses.credit.apply import AppliedCodes
from kamtool.errors import UsageError


def check_buckets(buckets: Sequence[int]) -> tuple[int, ...]:
    """The upper edges of the overdue buckets in days past due, e.g. (30, 60, 90, 180)."""
    try:
        edges = tuple(int(b) for b in buckets)
    except (TypeError, ValueError) as exc:
        raise UsageError.said("error.measures.buckets_takes_whole_days_2", buckets=buckets) from exc
    if not edges or edges[0] < 1 or any(b <= a for a, b in zip(edges, edges[1:], strict=False)) \
            or any(float(b) != int(b) for b in buckets):
        raise UsageError.said("error.measures.buckets_takes_whole_days", buckets=','.join(map(str, buckets)))
    return edges


def bucket_names(edges: Sequence[int]) -> list[str]:
    """not_due, overdue_1_30, overdue_31_60 … overdue_over_180 for edges 30, 60 … 180."""
    names = ["not_due"]
    low = 1
    for edge in edges:
        names.append(f"overdue_{low}_{edge}")
        low = edge + 1
    names.append(f"overdue_over_{edges[-1]}")
    return names


def months_before(day: int, months: int) -> int:
    """The same day of the month ``months`` earlier (the month's last day when shorter)."""
    stamp = pd.Timestamp(np.datetime64(day, "D")) - pd.DateOffset(months=months)
    return int(np.datetime64(stamp.date(), "D").astype(np.int64))


def per_customer(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Sum of int64 ``values`` per customer code (exact: no float on the way)."""
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, codes, np.asarray(values, dtype=np.int64))
    return out


def aging(invoices: pd.DataFrame, applied: AppliedCodes, customers: pd.Index, as_of: int,
          edges: Sequence[int]) -> pd.DataFrame:
    """Open cents per customer by bucket of days past due (as-of day − due day), and the days
    past due of each customer's oldest open invoice (``max_days_past_due``: 0 when every open
    invoice is not yet due; read only where ``has_open``).

    ``invoices``: cust (code in ``customers``), due_day, aligned with ``applied.open_cents``.
    Day 0 (due on the as-of day) is not due; 1 to edges[0] is the first overdue bucket …
    An unapplied credit balance is not overdue: it sits, negative, in not_due, so the
    buckets add up to the balance.
    """
    names = bucket_names(edges)
    open_cents = applied.open_cents
    past_due = as_of - invoices["due_day"].to_numpy()
    # searchsorted on (0, 30, 60 …): 0 -> 0 (not due), 1..30 -> 1, 31..60 -> 2 …
    bucket = np.searchsorted(np.array([0, *edges]), past_due, side="left")
    code = invoices["cust"].to_numpy()
    n = len(customers)
    owed = open_cents > 0
    table = per_customer(code[owed] * len(names) + bucket[owed], open_cents[owed], n * len(names))
    table = table.reshape(n, len(names))
    table[:, 0] += applied.credit
    out = pd.DataFrame(table, index=customers, columns=names)
    # an invoice not yet due is 0 days past due, not a negative number of days
    worst = np.zeros(n, dtype=np.int64)
    np.maximum.at(worst, code[owed], np.maximum(past_due[owed], 0))
    out["max_days_past_due"] = worst
    out["has_open"] = np.bincount(code[owed], minlength=n) > 0
    return out


def behaviour(invoices: pd.DataFrame, applied: AppliedCodes, customers: pd.Index, as_of: int,
              trend_months: int) -> pd.DataFrame:
    """Cash applied per customer and its cent-days: to pay, beyond terms, net lateness.

    weight: cents of cash applied; to_pay: Σ cents × (applied − invoice day); beyond:
    Σ cents × max(0, applied − due); late: Σ cents × (applied − due); on_time: cents applied
    by the due day; recent_* / prior_*: weight and beyond of the cash applied in the last
    ``trend_months`` months before the as-of day and in as many months before those.
    """
    cash = applied.cash
    invoice = applied.invoice[cash]
    inv_day = invoices["day"].to_numpy()[invoice]
    due_day = invoices["due_day"].to_numpy()[invoice]
    day = applied.day[cash]
    cents = applied.cents[cash]
    code = applied.cust[cash]
    late = day - due_day
    beyond = cents * np.maximum(late, 0)
    recent_start = months_before(as_of, trend_months)
    prior_start = months_before(as_of, 2 * trend_months)
    recent = (day >= recent_start) & (day < as_of)
    prior = (day >= prior_start) & (day < recent_start)
    parts = {
        "weight": cents, "to_pay": cents * (day - inv_day), "beyond": beyond, "late": cents * late,
        "on_time": np.where(late <= 0, cents, 0),
        "recent_weight": np.where(recent, cents, 0), "recent_beyond": np.where(recent, beyond, 0),
        "prior_weight": np.where(prior, cents, 0), "prior_beyond": np.where(prior, beyond, 0),
    }
    n = len(customers)
    return pd.DataFrame({name: per_customer(code, values, n) for name, values in parts.items()},
                        index=customers)


def window_sales(invoices: pd.DataFrame, customers: pd.Index, start: int, end: int) -> pd.Series:
    """Net invoiced cents (credit notes included) dated in [start, end), per customer."""
    days = invoices["day"].to_numpy()
    inside = (days >= start) & (days < end)
    sums = per_customer(invoices["cust"].to_numpy()[inside], invoices["cents"].to_numpy()[inside],
                        len(customers))
    return pd.Series(sums, index=customers, name="cents")


def month_ends(as_of: int, months: int) -> list[int]:
    """Sample days of the balance history: the first day of each month after the month
    ``months`` before the as-of day, and the as-of day itself. A balance "before day s" is
    the balance at the close of the day before, so a month's first day gives the previous
    month's closing balance and the as-of day gives the balance as of the as-of date (the
    rows' balance: events dated before it), the history's last point."""
    start = months_before(as_of, months)
    first = np.datetime64(start, "D").astype("datetime64[M]") + 1
    last = np.datetime64(as_of, "D").astype("datetime64[M]")
    days = [int(np.datetime64(m, "D").astype(np.int64)) for m in np.arange(first, last + 1)]
    return sorted({*(d for d in days if start < d <= as_of), as_of})


def balance_history(invoices: pd.DataFrame, payments: pd.DataFrame, customers: pd.Index,
                    days: Sequence[int]) -> pd.DataFrame:
    """Balance (invoiced − paid, cents) per customer before each of ``days``: no
    application needed, a balance is a running sum. Both frames: cust (code), day, cents."""
    # each event counts from the first sample after its day on: add it there once, then a
    # running sum across the samples (invoices, then payments: no concatenation of the two)
    samples = np.asarray(days, dtype=np.int64)
    width = len(days) + 1
    table = np.zeros(len(customers) * width, dtype=np.int64)
    for frame, sign in ((invoices, 1), (payments, -1)):
        first = np.searchsorted(samples, frame["day"].to_numpy(), side="right")
        cents = frame["cents"].to_numpy(dtype=np.int64)
        np.add.at(table, frame["cust"].to_numpy() * width + first, cents if sign > 0 else -cents)
        del first
    table = np.cumsum(table.reshape(len(customers), width), axis=1)[:, :-1]
    return pd.DataFrame(table, index=customers, columns=list(days))
