"""Payments and credit notes applied to invoices, first in, first out.

The rule, per customer, in date order (on one day: invoices, then credit notes, then
payments; ties by invoice id, reference and amount, so row order never matters):

- a payment that refers to an invoice still open on its date settles that invoice first;
  the remainder, and a payment whose reference is unknown, already settled or issued
  later, goes first in, first out like a payment without one;
- first in, first out: the oldest open invoice (by date, then invoice id) is settled
  first, then the next;
- a credit note or return (an invoice of negative net amount) is applied like a payment
  on its date, first in, first out; it is not cash, so it never counts in days to pay;
- what is left over (an overpayment, an unused credit note) stays as a credit balance and
  settles the customer's next invoices on the day they are issued.

Everything is integer cents, so what is owed is exactly invoiced − credited − paid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

INVOICE, CREDIT_NOTE, PAYMENT = 0, 1, 2


@dataclass
class Applied:
    """The state at the as-of day.

    open_cents: per invoice (aligned with the invoices frame): what is still owed, >= 0
                (0 for credit notes).
    credit: per customer, the unapplied credit balance in cents (<= 0).
    allocations: customer, invoice (position in the invoices frame), day (applied), cents,
                 cash (False for a credit note's part).
    unmatched_references: payments whose reference was not an open invoice of theirs.
    """

    open_cents: np.ndarray
    credit: dict[str, int]
    allocations: pd.DataFrame
    unmatched_references: int = 0


@dataclass
class _Book:
    """One customer's open invoices and unapplied credits while events are replayed."""

    queue: list[list[int]] = field(default_factory=list)  # [invoice position, remaining]
    where: dict[str, int] = field(default_factory=dict)  # invoice id -> index in queue
    head: int = 0  # queue entries before head are settled
    pool: list[list[int]] = field(default_factory=list)  # [remaining credit, cash 0/1]
    rows: list[tuple[int, int, int, bool]] = field(default_factory=list)  # invoice, day, cents, cash

    def settle(self, index: int, cents: int, day: int, cash: bool) -> int:
        entry = self.queue[index]
        take = min(entry[1], cents)
        if take > 0:
            entry[1] -= take
            self.rows.append((entry[0], day, take, cash))
        return cents - take

    def fifo(self, cents: int, day: int, cash: bool) -> int:
        index = self.head
        while cents > 0 and index < len(self.queue):
            cents = self.settle(index, cents, day, cash)
            index += 1
        while self.head < len(self.queue) and self.queue[self.head][1] == 0:
            self.head += 1
        return cents

    def credit_in(self, cents: int, day: int, cash: bool, ref: str | None) -> bool:
        """Apply a payment or credit note; True when its reference was used."""
        used = False
        if ref is not None and ref in self.where and self.queue[self.where[ref]][1] > 0:
            cents, used = self.settle(self.where[ref], cents, day, cash), True
        cents = self.fifo(cents, day, cash)
        if cents > 0:
            self.pool.append([cents, int(cash)])
        return used

    def invoice_in(self, position: int, invoice_id: str, cents: int, day: int) -> None:
        self.where[invoice_id] = len(self.queue)
        self.queue.append([position, cents])
        # credit left from earlier settles a new invoice the day it is issued
        while self.pool and self.queue[-1][1] > 0:
            credit = self.pool[0]
            left = self.settle(len(self.queue) - 1, credit[0], day, bool(credit[1]))
            if left:
                credit[0] = left
            else:
                self.pool.pop(0)
        if self.queue[self.head][1] == 0:
            self.fifo(0, day, True)  # move head past invoices that are already settled


def _events(invoices: pd.DataFrame, payments: pd.DataFrame) -> pd.DataFrame:
    """Every invoice, credit note and payment as one event frame, in replay order."""
    inv = pd.DataFrame({
        "customer": invoices["customer"].to_numpy(), "day": invoices["day"].to_numpy(),
        "kind": np.where(invoices["cents"].to_numpy() < 0, CREDIT_NOTE, INVOICE),
        "key": invoices["invoice_id"].to_numpy(), "cents": invoices["cents"].to_numpy(),
        "position": np.arange(len(invoices)),
    })
    pay = pd.DataFrame({
        "customer": payments["customer"].to_numpy(), "day": payments["day"].to_numpy(),
        "kind": PAYMENT, "key": payments["ref"].fillna("").to_numpy(),
        "cents": payments["cents"].to_numpy(), "position": -1,
    })
    events = pd.concat([inv[inv["cents"] != 0], pay], ignore_index=True)
    events["key"] = events["key"].astype(str)
    return events.sort_values(["customer", "day", "kind", "key", "cents"], kind="mergesort")


def apply(invoices: pd.DataFrame, payments: pd.DataFrame) -> Applied:
    """Replay each customer's invoices, credit notes and payments (see the module rule)."""
    events = _events(invoices, payments)
    books: dict[str, _Book] = {}
    unmatched = 0
    columns = [events[c].tolist() for c in ("customer", "day", "kind", "key", "cents", "position")]
    for customer, day, kind, key, cents, position in zip(*columns, strict=True):
        book = books.get(customer)
        if book is None:
            book = books[customer] = _Book()
        if kind == INVOICE:
            book.invoice_in(position, key, cents, day)
        elif kind == CREDIT_NOTE:
            book.credit_in(-cents, day, False, None)
        else:
            ref = key or None
            if not book.credit_in(cents, day, True, ref) and ref is not None:
                unmatched += 1
    open_cents = np.where(invoices["cents"].to_numpy() > 0, invoices["cents"].to_numpy(), 0)
    rows: list[tuple[str, int, int, int, bool]] = []
    credit: dict[str, int] = {}
    for customer, book in books.items():
        for position, remaining in book.queue:
            open_cents[position] = remaining
        credit[customer] = -sum(c for c, _ in book.pool)
        rows.extend((customer, *row) for row in book.rows)
    allocations = pd.DataFrame(rows, columns=["customer", "invoice", "day", "cents", "cash"])
    allocations = allocations.astype({"invoice": np.int64, "day": np.int64, "cents": np.int64,
                                      "cash": bool})
    return Applied(open_cents.astype(np.int64), credit, allocations, unmatched)
