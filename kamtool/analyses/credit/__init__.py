"""Credit and receivables: what each account owes, how it pays, how much credit it deserves.

``credit(invoices, payments, accounts, ...)`` takes invoice lines (and optionally a payments
frame and an accounts frame) in canonical column names and returns a
:class:`kamtool.result.Result` of codes and numbers; the words are in
:mod:`kamtool.render.words.credit`. The rules, each in one place:

- application: :mod:`kamtool.analyses.credit.apply` (a referenced open invoice first, else
  first in, first out; credit notes like payments; leftovers as a credit balance);
- the as-of day is "today": invoices and payments dated before it count, later ones are
  left out and counted in the summary; by default it is the day after the last invoice or
  payment (:func:`kamtool.analyses.rules.as_of_day`);
- due day: the invoice's due_date, else its date + the customer's payment_terms from the
  accounts frame, else ``terms``; days past due = as-of day − due day (0 = not due);
- aging and the credit balance: :func:`kamtool.analyses.credit.measures.aging`;
- grade and limit: :mod:`kamtool.analyses.credit.grading`;
- the assembly of the rows, the summary and the company view:
  :mod:`kamtool.analyses.credit.assemble`.

Money is int64 cents throughout and leaves as cents / 100 rounded to the cent; the
buckets add up to each balance and the balances to invoiced − paid, exactly.

This module imports neither numpy nor pandas: the command line reads :data:`NEEDS` before
the load, while pandas is still loading in the background (see :mod:`kamtool.lazy`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kamtool.analyses.credit.grading import DEFAULT_FACTORS, GRADES, GradeRule
from kamtool.needs import Grain, Needs

if TYPE_CHECKING:
    import pandas as pd

    from kamtool.result import Result

__all__ = ["DEFAULT_FACTORS", "GRADES", "NEEDS", "Options", "GradeRule", "credit", "bucket_names"]

# The grain is the invoice line: one row per customer, invoice, invoice date, due date and
# paid date, with amount and paid_amount summed (paid_date is a key so each payment keeps
# its day). invoice_id falls back to order_id in the io; without either, one invoice per
# customer per day.
NEEDS = Needs(
    keys=("customer",),
    columns=("customer", "date", "amount"),
    optional=("invoice_id", "date", "due_date", "paid_date"),
    measures=("paid_amount",),
    grains=(Grain("invoices", ("customer", "invoice_id", "date", "due_date", "paid_date"),
                  split=("invoice_id", "due_date", "paid_date"),
                  sums=("revenue_c", "lines", "paid_amount_c")),),
)


@dataclass(frozen=True)
class Options:
    """Every factor of the analysis, with its default (each one an option of the command)."""

    as_of: Any = None
    terms: int = 30
    buckets: tuple[int, ...] = (30, 60, 90, 180)
    grade_factors: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_FACTORS))
    cap: float = 1.2
    key_accounts: Collection[str] | None = None  # None: class A of net sales at key_share
    key_share: float = 0.8
    grade_rule: GradeRule = GradeRule()
    worsening_days: float = 5.0  # trend above this many days: worsening
    dso_days: int = 90
    history_months: int = 12
    trend_months: int = 6


def credit(invoices: pd.DataFrame | list[pd.DataFrame], payments: pd.DataFrame | None = None,
           accounts: pd.DataFrame | None = None, options: Options | None = None) -> Result:
    """Receivables, payment behaviour, grade and suggested credit limit per customer.

    Parameters
    ----------
    invoices : customer, invoice_id (optional), date, amount (net; negative = credit note or
        return), optional due_date, paid_date and paid_amount (a payment on the line itself;
        a paid_date without paid_amount means the line was paid in full that day). A list of
        one frame is emptied: the frame is taken out of it, its one reference, and let go
        once read (the command line's 10M lines: 0.2 GB less through the analysis).
    payments : customer, date (or paid_date), amount (or paid_amount), optional invoice_id
        (or order_id) reference.
    accounts : customer, optional payment_terms (days), credit_limit, owner, region.
    options : see :class:`Options`.
    """
    from kamtool.analyses.credit.assemble import run

    return run(invoices, payments, accounts, options or Options())


def bucket_names(edges: Sequence[int]) -> list[str]:
    """not_due, overdue_1_30, overdue_31_60 … overdue_over_180 for edges 30, 60 … 180."""
    from kamtool.analyses.credit.measures import bucket_names as names

    return names(edges)
