"""The application of payments and credit notes: the whole-array solution against the
event-by-event replay it replaced, kept here as the reference.

The replay is the rule read literally (kamtool/analyses/credit/apply.py's docstring): per
customer, events in order, a queue of open invoices and a pool of unapplied credit. The
property compares every allocation, every open invoice, every credit balance and the count
of unmatched references on random ledgers built to make references and first in, first
out meet: few customers and invoice ids, many payments on the same days, references to
invoices that are open, settled, later, a credit note's or unknown, credit notes and
overpayments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kamtool.analyses.credit import apply as apply_module
from kamtool.analyses.credit.apply import CREDIT_NOTE, INVOICE, PAYMENT, Applied, apply


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


def _replay_events(invoices: pd.DataFrame, payments: pd.DataFrame) -> pd.DataFrame:
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


def replay(invoices: pd.DataFrame, payments: pd.DataFrame) -> Applied:
    """Replay each customer's invoices, credit notes and payments, one event at a time."""
    events = _replay_events(invoices, payments)
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


def _compare(invoices: pd.DataFrame, payments: pd.DataFrame) -> None:
    fast, slow = apply(invoices, payments), replay(invoices, payments)
    np.testing.assert_array_equal(fast.open_cents, slow.open_cents)
    assert fast.credit == slow.credit
    assert fast.unmatched_references == slow.unmatched_references
    pd.testing.assert_frame_equal(fast.allocations.reset_index(drop=True),
                                  slow.allocations.reset_index(drop=True), check_dtype=False)


def _invoices(rows: list[tuple[str, str, int, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer", "invoice_id", "day", "cents"])
    # netted as the analysis nets them: one row per customer and invoice id
    grouped = frame.groupby(["customer", "invoice_id"], sort=True, as_index=False).agg(
        day=("day", "min"), cents=("cents", "sum"))
    grouped["due_day"] = grouped["day"] + 30
    return grouped.astype({"day": np.int64, "cents": np.int64, "due_day": np.int64})


def _payments(rows: list[tuple[str, int, int, str | None]]) -> pd.DataFrame:
    return pd.DataFrame({"customer": pd.Series([r[0] for r in rows], dtype=object),
                         "day": np.array([r[1] for r in rows], dtype=np.int64),
                         "cents": np.array([r[2] for r in rows], dtype=np.int64),
                         "ref": pd.Series([r[3] for r in rows], dtype=object)})


DAY = st.integers(min_value=0, max_value=40)  # few days: many events share one
IDS = [f"I{k}" for k in range(8)]


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    customers = draw(st.sampled_from(["A", "AB", "ABC"]))
    amount = st.one_of(st.integers(1, 500), st.integers(1, 5).map(lambda k: 100 * k),
                       st.integers(1, 200_000))
    invoice = st.tuples(st.sampled_from(customers), st.sampled_from(IDS), DAY,
                        st.one_of(amount, amount.map(lambda c: -c)))  # credit notes and returns
    rows = draw(st.lists(invoice, min_size=0, max_size=20))
    ref = st.one_of(st.none(), st.sampled_from([*IDS, "NOPE"]))
    payment = st.tuples(st.sampled_from([*customers, "Z"]), DAY, st.integers(1, 700), ref)
    return _invoices(rows), _payments(draw(st.lists(payment, min_size=0, max_size=25)))


@settings(max_examples=600, deadline=None)
@given(ledger=ledgers())
def test_the_whole_array_application_is_the_replay(ledger: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _compare(*ledger)


@settings(max_examples=300, deadline=None)
@given(ledger=ledgers(), block=st.integers(1, 12))
def test_customers_applied_in_blocks_are_the_replay(ledger: tuple[pd.DataFrame, pd.DataFrame],
                                                     block: int) -> None:
    # a few events per block: every customer (A, B, C, Z) may be a block of its own, or share one
    kept = apply_module.BLOCK_EVENTS
    apply_module.BLOCK_EVENTS = block
    try:
        _compare(*ledger)
    finally:
        apply_module.BLOCK_EVENTS = kept


def test_a_reference_to_an_invoice_first_in_first_out_already_reached() -> None:
    # I1 100 and I2 100 on day 0; an unnamed 150 on day 1 settles I1 and 50 of I2; a payment
    # of 80 naming I2 on day 2 finds 50 owed: 50 to I2, its other 30 first in, first out to
    # nothing open, so 30 of credit; a payment naming I1 (settled) is unmatched
    inv = _invoices([("A", "I1", 0, 100), ("A", "I2", 0, 100)])
    pay = _payments([("A", 1, 150, None), ("A", 2, 80, "I2"), ("A", 3, 5, "I1")])
    fast = apply(inv, pay)
    assert fast.allocations[["invoice", "day", "cents"]].values.tolist() == [
        [0, 1, 100], [1, 1, 50], [1, 2, 50]]
    assert fast.open_cents.tolist() == [0, 0]
    assert fast.credit == {"A": -35}
    assert fast.unmatched_references == 1
    _compare(inv, pay)


def test_a_reference_that_empties_its_invoice_before_first_in_first_out_gets_there() -> None:
    # I2 named and paid in full on day 1; the unnamed 150 on day 2 skips it: I1 100, I3 50
    inv = _invoices([("A", "I1", 0, 100), ("A", "I2", 0, 100), ("A", "I3", 0, 100)])
    pay = _payments([("A", 1, 100, "I2"), ("A", 2, 150, None)])
    fast = apply(inv, pay)
    assert fast.allocations[["invoice", "day", "cents"]].values.tolist() == [
        [1, 1, 100], [0, 2, 100], [2, 2, 50]]
    assert fast.open_cents.tolist() == [0, 0, 50]
    _compare(inv, pay)


def test_two_references_that_sum_past_their_invoice() -> None:
    # I2 (400) is named twice before first in, first out reaches it: 300 takes 300, 250
    # finds 100 owed and sends its other 150 first in, first out to I1 (1,000, 150 paid)
    inv = _invoices([("A", "I1", 0, 1000), ("A", "I2", 0, 400)])
    pay = _payments([("A", 1, 300, "I2"), ("A", 2, 250, "I2")])
    fast = apply(inv, pay)
    assert fast.allocations[["invoice", "day", "cents"]].values.tolist() == [
        [1, 1, 300], [1, 2, 100], [0, 2, 150]]
    assert fast.open_cents.tolist() == [850, 0]
    assert fast.unmatched_references == 0
    _compare(inv, pay)
