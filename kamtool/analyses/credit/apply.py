"""Payments and credit notes applied to invoices, first in, first out, in whole cents.

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

How it is computed, without replaying events one by one: first in, first out is an
interval overlap. Lay each customer's invoices end to end in queue order (invoice *x*
covers [S(x−1), S(x)) of its cumulative invoiced cents) and its first-in-first-out
credits end to end in event order (credit *e* covers [F(e−1), F(e)) of cumulative
credited cents); what credit *e* pays of invoice *x* is the length of the overlap, on the
later of their two days. A payment's reference takes its part of the invoice out of the
queue before first in, first out gets there: the invoice's length in the queue is its
amount less what references took (E(x) = A(x) − R(x)), and what reference *p* takes is
min(its amount, what the invoice still owed on its day) = min(c(p), A(x) − R(x, before p)
− clip(F(before p) − S(x−1), 0, E(x))). The references and the queue depend on each
other, so the references are solved by fixed-point iteration, each round whole-array
(cumulative sums per customer and per invoice); the replay is the unique solution and
the iteration stops when a round changes nothing. Everything is integer cents, so what
is owed is exactly invoiced − credited − paid. The tests keep the event-by-event replay
and compare the two on random ledgers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from kamtool.errors import AnalysisError

INVOICE, CREDIT_NOTE, PAYMENT = 0, 1, 2
MAX_ROUNDS = 10_000  # a safety net: each round settles at least the next reference in order

Ints = npt.NDArray[np.int64]


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


@dataclass(frozen=True)
class _Events:
    """Every invoice, credit note and payment in replay order, as whole-number arrays."""

    customers: np.ndarray  # customer names by code
    cust: Ints  # customer code per event (events are sorted by customer first)
    day: Ints
    kind: Ints
    cents: Ints  # > 0: an invoice's amount, a credit note's or payment's credit
    position: Ints  # an invoice's row in the invoices frame (-1 for credits)
    ref: Ints  # a payment's referenced invoice (index into the invoice events), else -1
    has_ref: npt.NDArray[np.bool_]  # the payment named an invoice (found or not)


def _events(invoices: pd.DataFrame, payments: pd.DataFrame) -> _Events:
    inv_cents = invoices["cents"].to_numpy(dtype=np.int64)
    keep = np.flatnonzero(inv_cents != 0)

    def text(a: pd.Series, b: pd.Series) -> pd.Series:
        return pd.concat([a.iloc[keep].astype("string"), b.astype("string")], ignore_index=True)

    customer = text(invoices["customer"], payments["customer"])
    key = text(invoices["invoice_id"], payments["ref"]).fillna("")
    day = np.concatenate([invoices["day"].to_numpy(dtype=np.int64)[keep],
                          payments["day"].to_numpy(dtype=np.int64)])
    signed = np.concatenate([inv_cents[keep], payments["cents"].to_numpy(dtype=np.int64)])
    n_inv = len(keep)
    kind = np.full(len(day), PAYMENT, dtype=np.int64)
    kind[:n_inv] = np.where(signed[:n_inv] < 0, CREDIT_NOTE, INVOICE)
    position = np.full(len(day), -1, dtype=np.int64)
    position[:n_inv] = keep
    cust_code, customers = pd.factorize(customer, sort=True)
    key_code, _ = pd.factorize(key, sort=True)
    order = _replay_order(cust_code.astype(np.int64), day, kind, key_code.astype(np.int64), signed)
    cust, day, kind = cust_code[order].astype(np.int64), day[order], kind[order]
    key_code, signed, position = key_code[order].astype(np.int64), signed[order], position[order]
    ref, has_ref = _references(cust, kind, key_code, (key != "").to_numpy(dtype=bool)[order])
    return _Events(np.asarray(customers, dtype=object), cust, day, kind, np.abs(signed), position,
                   ref, has_ref)


def _replay_order(cust: Ints, day: Ints, kind: Ints, key: Ints, signed: Ints) -> Ints:
    """A stable sort on (customer, day, kind, key, amount): equal events keep their row order.

    The first four are whole numbers of known range, packed into one int64 when they fit
    (a sort on two keys instead of five)."""
    if len(day) == 0:
        return np.zeros(0, dtype=np.int64)
    first = int(day.min())
    spans = (int(cust.max()) + 1, int(day.max()) - first + 1, 3, int(key.max()) + 1)
    if spans[0] * spans[1] * spans[2] * spans[3] >= 2**62:
        return np.lexsort((signed, key, kind, day, cust))
    packed = ((cust * spans[1] + (day - first)) * spans[2] + kind) * spans[3] + key
    return np.lexsort((signed, packed))


def _references(cust: Ints, kind: Ints, key_code: Ints,
                named: npt.NDArray[np.bool_]) -> tuple[Ints, npt.NDArray[np.bool_]]:
    """Each payment's referenced invoice (its index among the invoice events), when that
    invoice is the customer's and was issued before the payment in replay order."""
    inv_events = np.flatnonzero(kind == INVOICE)
    width = int(key_code.max()) + 1 if len(key_code) else 1
    inv_key = cust[inv_events] * width + key_code[inv_events]
    by_key = np.argsort(inv_key, kind="stable")
    # a sentinel past every key, so a lookup never runs off the end
    sorted_key = np.r_[inv_key[by_key], -1]
    has_ref = (kind == PAYMENT) & named
    pays = np.flatnonzero(has_ref)
    wanted = cust[pays] * width + key_code[pays]
    at = np.minimum(np.searchsorted(sorted_key[:-1], wanted), len(by_key))
    target = np.where(sorted_key[at] == wanted, np.r_[by_key, -1][at], -1)
    # issued later (a later day): no reference yet
    issued = np.r_[inv_events, np.iinfo(np.int64).max][target]
    target = np.where((target >= 0) & (issued < pays), target, -1)
    ref = np.full(len(cust), -1, dtype=np.int64)
    ref[pays] = target
    return ref, has_ref


def _group_starts(groups: Ints) -> Ints:
    """For sorted group codes: the index of each element's group's first element."""
    if len(groups) == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    return np.repeat(first, np.diff(np.r_[first, len(groups)])).astype(np.int64)


def _cumsum_before(values: Ints, starts: Ints) -> Ints:
    """Per group (elements grouped contiguously, ``starts`` from :func:`_group_starts`): the
    sum of the group's values before each element."""
    total = np.cumsum(values) - values
    return total - total[starts] if len(values) else total


def _group_totals(values: Ints, groups: Ints, size: int) -> Ints:
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, groups, values)
    return out


@dataclass(frozen=True)
class _Solved:
    """The fixed point: what each reference takes and the queue it leaves."""

    taken: Ints  # per payment event with a found reference (``refs`` order)
    refs: Ints  # their event indices
    remaining: Ints  # what each reference found still owed on its day
    fifo: Ints  # per credit event: its first-in-first-out part (0 for invoices)
    f_before: Ints  # per event: first-in-first-out credit of the customer before it
    length: Ints  # per invoice event: its length in the queue, E = A − R
    s_before: Ints  # per invoice event: the queue before it (S(x−1))


def _solve(ev: _Events) -> _Solved:
    inv_events = np.flatnonzero(ev.kind == INVOICE)
    amount = ev.cents[inv_events]
    inv_starts = _group_starts(ev.cust[inv_events])
    ev_starts = _group_starts(ev.cust)
    credit = np.where(ev.kind == INVOICE, 0, ev.cents)
    refs = np.flatnonzero(ev.ref >= 0)
    target = ev.ref[refs]
    by_target = np.argsort(target, kind="stable")  # refs to one invoice, in event order
    target_starts = _group_starts(target[by_target])
    paid = ev.cents[refs]
    taken = np.zeros(len(refs), dtype=np.int64)
    for _ in range(MAX_ROUNDS):
        length = amount - _group_totals(taken, target, len(inv_events))
        s_before = _cumsum_before(length, inv_starts)
        fifo = credit.copy()
        fifo[refs] -= taken
        f_before = _cumsum_before(fifo, ev_starts)
        earlier = np.empty(len(refs), dtype=np.int64)
        earlier[by_target] = _cumsum_before(taken[by_target], target_starts)
        # a round may over-take (two references summing past their invoice): the queue
        # length is then clamped at 0, as it is at the fixed point, where no invoice is
        # taken past its amount
        reached = np.minimum(np.maximum(f_before[refs] - s_before[target], 0),
                             np.maximum(length[target], 0))
        remaining = amount[target] - earlier - reached
        again = np.clip(remaining, 0, paid)
        if np.array_equal(again, taken):
            return _Solved(taken, refs, remaining, fifo, f_before, length, s_before)
        taken = again
    raise AnalysisError("credit: applying payments to invoices did not settle; please report this "
                        "with --traceback")


def _overlaps(ev: _Events, solved: _Solved) -> pd.DataFrame:
    """First in, first out: the overlaps of the credits' and the invoices' intervals."""
    inv_events = np.flatnonzero(ev.kind == INVOICE)
    n_cust = len(ev.customers)
    f_total = _group_totals(solved.fifo, ev.cust, n_cust)
    s_total = _group_totals(solved.length, ev.cust[inv_events], n_cust)
    span = np.maximum(f_total, s_total)
    offset = np.cumsum(span) - span  # each customer's own stretch of one line
    credits = np.flatnonzero(solved.fifo > 0)
    c_end = offset[ev.cust[credits]] + solved.f_before[credits] + solved.fifo[credits]
    c_start = c_end - solved.fifo[credits]
    queued = np.flatnonzero(solved.length > 0)
    i_start = offset[ev.cust[inv_events[queued]]] + solved.s_before[queued]
    i_end = i_start + solved.length[queued]
    edges = np.unique(np.concatenate([c_start, c_end, i_start, i_end]))
    lo, hi = edges[:-1], edges[1:]
    ci = np.searchsorted(c_end, lo, side="right")
    ii = np.searchsorted(i_end, lo, side="right")
    ok = (ci < len(c_end)) & (ii < len(i_end))
    ci, ii, lo, hi = ci[ok], ii[ok], lo[ok], hi[ok]
    ok = (c_start[ci] <= lo) & (i_start[ii] <= lo)
    ci, ii, lo, hi = ci[ok], ii[ok], lo[ok], hi[ok]
    credit_event, invoice_event = credits[ci], inv_events[queued[ii]]
    return pd.DataFrame({
        "cust": ev.cust[credit_event], "event": np.maximum(credit_event, invoice_event),
        "stage": 1, "at": lo, "invoice": ev.position[invoice_event],
        "day": np.maximum(ev.day[credit_event], ev.day[invoice_event]), "cents": hi - lo,
        "cash": ev.kind[credit_event] == PAYMENT,
    })


def apply(invoices: pd.DataFrame, payments: pd.DataFrame) -> Applied:
    """Apply each customer's credit notes and payments to its invoices (see the module rule)."""
    ev = _events(invoices, payments)
    solved = _solve(ev)
    inv_events = np.flatnonzero(ev.kind == INVOICE)
    took = solved.taken > 0
    refs = solved.refs[took]
    by_ref = pd.DataFrame({
        "cust": ev.cust[refs], "event": refs, "stage": 0, "at": 0,
        "invoice": ev.position[inv_events[ev.ref[refs]]], "day": ev.day[refs], "cents": solved.taken[took],
        "cash": True,
    })
    parts = pd.concat([by_ref, _overlaps(ev, solved)], ignore_index=True)
    parts = parts.sort_values(["cust", "event", "stage", "at"], kind="mergesort")
    allocations = pd.DataFrame({
        "customer": ev.customers[parts["cust"].to_numpy(dtype=np.int64)],
        "invoice": parts["invoice"].to_numpy(dtype=np.int64), "day": parts["day"].to_numpy(dtype=np.int64),
        "cents": parts["cents"].to_numpy(dtype=np.int64), "cash": parts["cash"].to_numpy(dtype=bool),
    })
    n_cust = len(ev.customers)
    f_total = _group_totals(solved.fifo, ev.cust, n_cust)
    s_total = _group_totals(solved.length, ev.cust[inv_events], n_cust)
    inv_cents = invoices["cents"].to_numpy(dtype=np.int64)
    open_cents = np.where(inv_cents > 0, inv_cents, 0).astype(np.int64)
    reached = np.clip(f_total[ev.cust[inv_events]] - solved.s_before, 0, solved.length)
    open_cents[ev.position[inv_events]] = solved.length - reached
    leftover = np.maximum(f_total - s_total, 0)
    credit = {str(c): -int(v) for c, v in zip(ev.customers, leftover, strict=True)}
    used = np.zeros(len(ev.cust), dtype=bool)
    used[solved.refs] = solved.remaining > 0
    unmatched = int((ev.has_ref & ~used).sum())
    return Applied(open_cents, credit, allocations, unmatched)
