"""Receivables long overdue on a given day per customer: what churn's ``dropped`` type reads.

``overdue_at(invoices, payments, accounts, days)`` replays each customer's invoices, credit
notes and payments dated before its own day (``days``: customer -> day number, e.g. the day of
its last order) with credit's application rule (:func:`kamtool.analyses.credit.apply.apply`:
a named open invoice first, else first in, first out), and ages what is still open on that day
by credit's rule: days past due = that day − due day, the due day being the invoice's
``due_date``, else its date + the customer's ``payment_terms`` from the accounts, else
``terms``.  A customer is long overdue when some invoice is open more than ``over_days`` (90)
days past due, the credit grade's "anything over 90 days".

Events on the day itself are left out: the receivables "at the last order" are what the
customer owed when that order was taken.  Each customer's replay sees only its own events,
so one replay of every customer's events, each cut at its own day, is the same as one replay
per customer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kamtool.analyses.credit.apply import apply
from kamtool.analyses.credit.inputs import NO_DAY, net_invoices, read_accounts, read_invoices, read_payments

OVER_DAYS = 90
COLUMNS = ("customer", "overdue_90_at_last_order", "overdue_90_cents", "day")


def overdue_at(invoices: pd.DataFrame, payments: pd.DataFrame | None, accounts: pd.DataFrame | None,
               days: pd.Series, *, over_days: int = OVER_DAYS, terms: int = 30) -> pd.DataFrame:
    """Per customer of ``days`` (index: customer id, values: day numbers since 1970-01-01):
    ``overdue_90_at_last_order`` (bool), ``overdue_90_cents`` (what was open more than
    ``over_days`` days past due on that day, in cents) and ``day``.

    ``invoices``, ``payments`` and ``accounts`` are credit's inputs in canonical names (see
    :func:`kamtool.analyses.credit.credit`); errors name the frame, row and column as there.
    """
    cut = pd.Series(np.asarray(days, dtype=np.int64), index=pd.Index(days.index.astype(str)))
    cut = cut[~cut.index.duplicated()]
    lines, line_payments = read_invoices(invoices)
    all_payments = pd.concat([line_payments, read_payments(payments)], ignore_index=True)
    all_payments = all_payments.astype({"day": np.int64, "cents": np.int64})
    before_lines = lines["day"].to_numpy() < _cut_of(lines["customer"], cut)
    inv = net_invoices(lines[before_lines])
    pay = all_payments[all_payments["day"].to_numpy() < _cut_of(all_payments["customer"], cut)]
    pay = pay.reset_index(drop=True)
    acc = read_accounts(accounts)
    own_terms = acc["terms"].reindex(pd.Index(inv["customer"])).fillna(int(terms)).to_numpy(np.int64)
    due = inv["due_day"].to_numpy()
    inv["due_day"] = np.where(due == NO_DAY, inv["day"].to_numpy() + own_terms, due)
    applied = apply(inv, pay)
    on_day = _cut_of(inv["customer"], cut)
    long_overdue = (applied.open_cents > 0) & (on_day - inv["due_day"].to_numpy() > int(over_days))
    owed = (pd.Series(np.where(long_overdue, applied.open_cents, 0), index=inv["customer"].to_numpy())
            .groupby(level=0).sum())
    cents = owed.reindex(cut.index, fill_value=0).astype(np.int64)
    return pd.DataFrame({"customer": cut.index.to_numpy(dtype=object),
                         "overdue_90_at_last_order": (cents > 0).to_numpy(),
                         "overdue_90_cents": cents.to_numpy(), "day": cut.to_numpy()})


def _cut_of(customers: pd.Series, cut: pd.Series) -> Any:
    """Each row's cut-off day: its customer's day, or NO_DAY (no day is before it) without one."""
    position = cut.index.get_indexer(pd.Index(customers.astype(str)))
    return np.where(position >= 0, cut.to_numpy(dtype=np.int64)[position], NO_DAY)
