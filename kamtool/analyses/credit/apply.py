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

Customers and invoice ids arrive as whole-number codes (:func:`apply_codes`, from
:func:`kamtool.analyses.credit.inputs.code_inputs`); :func:`apply` is the same on frames of
names, for the tests and for callers holding frames.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import pandas as pd

from kamtool.analyses.credit.inputs import code_inputs
from kamtool.errors import AnalysisError
from kamtool.ledger import trim_heap

INVOICE, CREDIT_NOTE, PAYMENT = 0, 1, 2
MAX_ROUNDS = 10_000  # a safety net: each round settles at least the next reference in order
BLOCK_EVENTS = 250000  # customers are applied in blocks of about this many events (apply_codes)

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
class AppliedCodes:
    """:class:`Applied` in codes: ``credit`` per customer code (<= 0); the allocations as
    arrays (customer code, invoice row, day, cents, cash) in no particular order, with the
    replay's order kept as ``order`` (event, stage, position) for those who list them."""

    open_cents: Ints
    credit: Ints
    cust: Ints
    invoice: Ints
    day: Ints
    cents: Ints
    cash: npt.NDArray[np.bool_]
    order: tuple[Ints, Ints, Ints]
    unmatched_references: int


@dataclass(frozen=True)
class _Events:
    """Every invoice, credit note and payment in replay order, as whole-number arrays."""

    n_cust: int
    cust: Ints  # customer code per event (events are sorted by customer first)
    day: Ints
    kind: Ints
    cents: Ints  # > 0: an invoice's amount, a credit note's or payment's credit
    position: Ints  # an invoice's row in the invoices frame (-1 for credits)
    ref: Ints  # a payment's referenced invoice (index into the invoice events), else -1
    has_ref: npt.NDArray[np.bool_]  # the payment named an invoice (found or not)


def _events(invoices: pd.DataFrame, payments: pd.DataFrame, n_cust: int, keys: pd.Index) -> _Events:
    """Coded invoices (cust, key, day, cents) and payments (cust, day, cents, ref) as events."""
    inv_cents = invoices["cents"].to_numpy(dtype=np.int64)
    keep = np.flatnonzero(inv_cents != 0)
    every = len(keep) == len(inv_cents)  # no invoice of net 0: no copy to take the others
    columns = []
    pairs = (("cust", "cust"), ("key", "ref"), ("day", "day"), ("cents", "cents"))
    for invoice_column, payment_column in pairs:
        values = invoices[invoice_column].to_numpy(dtype=np.int64)
        columns.append(np.concatenate([values if every else values[keep],
                                       payments[payment_column].to_numpy(dtype=np.int64)]))
    cust, key, day, signed = columns
    del columns
    n_inv = len(keep)
    kind = np.full(len(day), PAYMENT, dtype=np.int64)
    kind[:n_inv] = np.where(signed[:n_inv] < 0, CREDIT_NOTE, INVOICE)
    order = _replay_order(cust, day, kind, key, signed, keys)
    # one column at a time into replay order, the unordered one let go (10M lines: 5 × 42 MB less)
    position = np.full(len(day), -1, dtype=np.int64)
    position[:n_inv] = keep
    del keep
    position = position[order]
    cust = cust[order]
    day = day[order]
    kind = kind[order]
    key = key[order]
    cents = np.abs(signed[order])
    del signed, order
    ref, has_ref = _references(cust, kind, key, key >= 0)
    return _Events(int(n_cust), cust, day, kind, cents, position, ref, has_ref)


def _pack(columns: tuple[Ints, ...]) -> Ints | None:
    """Whole-number columns (each >= 0) packed into one int64 that sorts as they do, or None
    when they do not fit."""
    spans = [int(c.max()) + 1 for c in columns]
    if np.prod([float(s) for s in spans]) >= 2.0**62:
        return None
    packed = columns[0].copy()
    for column, span in zip(columns[1:], spans[1:], strict=True):
        packed = packed * span + column
    return packed


def _tie_ranks(primary: Ints, key: Ints, keys: pd.Index) -> Ints:
    """The rank of each event's invoice id (or reference) as text among the events it ties
    with on ``primary`` (customer, day, kind): 0 for a payment naming none (the empty text
    sorts first), 1, 2 … by text for the others; 0 where an event ties with none (its rank
    then orders nothing). Only the tied events' ids are sorted as text, so the sort of
    hashed codes costs what the ties cost."""
    rank = np.zeros(len(primary), dtype=np.int64)
    order = np.argsort(primary)  # the groups only: any order inside one
    ordered = primary[order]
    same = ordered[1:] == ordered[:-1]
    tied = np.zeros(len(primary), dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    events = order[tied]
    named = events[key[events] >= 0]
    if len(named):
        codes, inverse = np.unique(key[named], return_inverse=True)
        by_text = pd.Series(keys.take(codes)).astype("string").argsort(kind="stable").to_numpy()
        text_rank = np.empty(len(codes), dtype=np.int64)
        text_rank[by_text] = np.arange(1, len(codes) + 1)
        rank[named] = text_rank[inverse.reshape(-1)]
    return rank


def _replay_order(cust: Ints, day: Ints, kind: Ints, key: Ints, signed: Ints, keys: pd.Index) -> Ints:
    """A stable sort on (customer, day, kind, invoice id or reference as text, amount): equal
    events keep their row order. The whole numbers are packed into one int64 when they fit
    (a sort on two keys instead of five)."""
    if len(day) == 0:
        return np.zeros(0, dtype=np.int64)
    primary = _pack((cust, day - int(day.min()), kind))
    if primary is None:  # beyond 2**62 (customers × days × kinds): the group's number instead
        by_group = np.lexsort((kind, day, cust))
        new = np.r_[True, (np.diff(cust[by_group]) != 0) | (np.diff(day[by_group]) != 0)
                    | (np.diff(kind[by_group]) != 0)]
        primary = np.empty(len(day), dtype=np.int64)
        primary[by_group] = np.cumsum(new) - 1
    rank = _tie_ranks(primary, key, keys)
    packed = _pack((primary - int(primary.min()), rank))
    if packed is None:
        return np.lexsort((signed, rank, primary))
    return stable_order(packed, signed)


def stable_order(packed: Ints, then: Ints) -> Ints:
    """``np.lexsort((then, packed))``: by ``packed``, then ``then``, then position. An
    unstable sort on ``packed`` and a lexsort of only the elements that tie on it (few: the
    events one customer has on one day of one kind with one invoice id) cost a fraction of a
    lexsort of all."""
    order = np.argsort(packed)
    ordered = packed[order]
    same = ordered[1:] == ordered[:-1]
    if same.any():
        tied = np.zeros(len(order), dtype=bool)
        tied[1:] |= same
        tied[:-1] |= same
        at = np.flatnonzero(tied)
        sub = order[at]
        # the tied runs keep their places (sorted by packed first); inside a run: then, position
        order[at] = sub[np.lexsort((sub, then[sub], packed[sub]))]
    return order


def _references(cust: Ints, kind: Ints, key_code: Ints,
                named: npt.NDArray[np.bool_]) -> tuple[Ints, npt.NDArray[np.bool_]]:
    """Each payment's referenced invoice (its index among the invoice events), when that
    invoice is the customer's and was issued before the payment in replay order."""
    inv_events = np.flatnonzero(kind == INVOICE)
    width = max(int(key_code.max()) + 1, 1) if len(key_code) else 1
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


def _overlaps(ev: _Events, solved: _Solved) -> dict[str, np.ndarray]:
    """First in, first out: the overlaps of the credits' and the invoices' intervals."""
    inv_events = np.flatnonzero(ev.kind == INVOICE)
    f_total = _group_totals(solved.fifo, ev.cust, ev.n_cust)
    s_total = _group_totals(solved.length, ev.cust[inv_events], ev.n_cust)
    span = np.maximum(f_total, s_total)
    offset = np.cumsum(span) - span  # each customer's own stretch of one line
    credits = np.flatnonzero(solved.fifo > 0)
    c_end = offset[ev.cust[credits]] + solved.f_before[credits] + solved.fifo[credits]
    c_start = c_end - solved.fifo[credits]
    # an invoice's stretch starting past all of its customer's credit overlaps none: only the
    # invoices credit reaches are laid out (10M lines, few credits: not 2 × 5M edges of the rest)
    reach = f_total[ev.cust[inv_events]]
    queued = np.flatnonzero((solved.length > 0) & (solved.s_before < reach))
    del reach
    i_start = offset[ev.cust[inv_events[queued]]] + solved.s_before[queued]
    i_end = i_start + solved.length[queued]
    # four sorted runs: a stable sort (a merge of runs) and the distinct values
    edges = np.concatenate([c_start, c_end, i_start, i_end])
    edges.sort(kind="stable")  # in place: 10M lines, 4 × 5M edges
    edges = edges[np.r_[True, edges[1:] != edges[:-1]]] if len(edges) else edges
    lo, hi = edges[:-1], edges[1:]
    ci = np.searchsorted(c_end, lo, side="right")
    ii = np.searchsorted(i_end, lo, side="right")
    ok = (ci < len(c_end)) & (ii < len(i_end))
    ci, ii, lo, hi = ci[ok], ii[ok], lo[ok], hi[ok]
    ok = (c_start[ci] <= lo) & (i_start[ii] <= lo)
    ci, ii, lo, hi = ci[ok], ii[ok], lo[ok], hi[ok]
    credit_event, invoice_event = credits[ci], inv_events[queued[ii]]
    return {"cust": ev.cust[credit_event], "event": np.maximum(credit_event, invoice_event),
            "stage": np.ones(len(lo), dtype=np.int64), "at": lo, "invoice": ev.position[invoice_event],
            "day": np.maximum(ev.day[credit_event], ev.day[invoice_event]), "cents": hi - lo,
            "cash": ev.kind[credit_event] == PAYMENT}


def apply_codes(invoices: pd.DataFrame, payments: pd.DataFrame, n_cust: int, keys: pd.Index) -> AppliedCodes:
    """Apply each customer's credit notes and payments to its invoices (see the module rule).

    invoices: cust, key, day, cents, one row per customer and invoice (cents net; < 0 a
    credit note); payments: cust, day, cents (> 0), ref (key code, -1 for none); customer
    codes below ``n_cust``; ``keys`` the text of the key codes (ties are ordered by it).

    Each customer's application reads only its own events, so the customers go in blocks of
    consecutive codes of about :data:`BLOCK_EVENTS` events each: the event arrays of one block
    at a time (10M lines: a dozen arrays of 5.3M events, 0.6 GB, instead a sixth of it).
    """
    inv_cust = invoices["cust"].to_numpy(dtype=np.int64)
    pay_cust = payments["cust"].to_numpy(dtype=np.int64)
    ends = np.cumsum(np.bincount(inv_cust, minlength=n_cust) + np.bincount(pay_cust, minlength=n_cust))
    total = int(ends[-1]) if len(ends) else 0
    if total <= BLOCK_EVENTS:
        return _apply_block(invoices, payments, n_cust, keys)
    # each block ends with the customer whose events reach the next multiple of BLOCK_EVENTS
    cuts = np.searchsorted(ends, np.arange(BLOCK_EVENTS, total, BLOCK_EVENTS), side="left") + 1
    bounds = [0, *sorted({int(c) for c in cuts if 0 < c < n_cust}), int(n_cust)]
    inv_sorted = bool((inv_cust[1:] >= inv_cust[:-1]).all())
    inv_cents = invoices["cents"].to_numpy(dtype=np.int64)
    open_cents = np.where(inv_cents > 0, inv_cents, 0).astype(np.int64)
    credit = np.zeros(int(n_cust), dtype=np.int64)
    blocks: list[AppliedCodes] = []
    unmatched = 0
    events = 0  # the events of the blocks before: the replay order's event numbers go on from there
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=False):
        if inv_sorted:
            start, stop = np.searchsorted(inv_cust, [lo, hi], side="left")
            rows = np.arange(start, stop)
        else:
            rows = np.flatnonzero((inv_cust >= lo) & (inv_cust < hi))
        paid = np.flatnonzero((pay_cust >= lo) & (pay_cust < hi))
        block = _apply_block(invoices.iloc[rows].reset_index(drop=True),
                             payments.iloc[paid].reset_index(drop=True), n_cust, keys)
        open_cents[rows] = block.open_cents
        credit[lo:hi] = block.credit[lo:hi]
        unmatched += block.unmatched_references
        event, stage, at = block.order
        # only the allocations stay (the block's per-invoice and per-customer arrays are copied out)
        blocks.append(replace(block, open_cents=block.open_cents[:0], credit=block.credit[:0],
                              invoice=rows[block.invoice], order=(event + events, stage, at)))
        events += len(rows) + len(paid)
        del block, rows, paid
        trim_heap()

    def joined(name: str) -> Ints:
        return np.concatenate([getattr(b, name) for b in blocks])

    return AppliedCodes(
        open_cents=open_cents, credit=credit, cust=joined("cust"), invoice=joined("invoice"),
        day=joined("day"), cents=joined("cents"), cash=np.concatenate([b.cash for b in blocks]),
        order=(np.concatenate([b.order[0] for b in blocks]), np.concatenate([b.order[1] for b in blocks]),
               np.concatenate([b.order[2] for b in blocks])),
        unmatched_references=unmatched)


def _apply_block(invoices: pd.DataFrame, payments: pd.DataFrame, n_cust: int, keys: pd.Index) -> AppliedCodes:
    """:func:`apply_codes` of one block of customers (every event of each)."""
    ev = _events(invoices, payments, n_cust, keys)
    solved = _solve(ev)
    inv_events = np.flatnonzero(ev.kind == INVOICE)
    took = solved.taken > 0
    refs = solved.refs[took]
    parts = _overlaps(ev, solved)
    by_ref = {"cust": ev.cust[refs], "event": refs, "stage": np.zeros(len(refs), dtype=np.int64),
              "at": np.zeros(len(refs), dtype=np.int64), "invoice": ev.position[inv_events[ev.ref[refs]]],
              "day": ev.day[refs], "cents": solved.taken[took], "cash": np.ones(len(refs), dtype=bool)}
    joined = {name: np.concatenate([by_ref[name], parts[name]]) for name in parts}
    f_total = _group_totals(solved.fifo, ev.cust, ev.n_cust)
    s_total = _group_totals(solved.length, ev.cust[inv_events], ev.n_cust)
    inv_cents = invoices["cents"].to_numpy(dtype=np.int64)
    open_cents = np.where(inv_cents > 0, inv_cents, 0).astype(np.int64)
    reached = np.clip(f_total[ev.cust[inv_events]] - solved.s_before, 0, solved.length)
    open_cents[ev.position[inv_events]] = solved.length - reached
    used = np.zeros(len(ev.cust), dtype=bool)
    used[solved.refs] = solved.remaining > 0
    ints = {name: joined[name].astype(np.int64, copy=False) for name in joined if name != "cash"}
    return AppliedCodes(
        open_cents=open_cents, credit=-np.maximum(f_total - s_total, 0),
        cust=ints["cust"], invoice=ints["invoice"], day=ints["day"], cents=ints["cents"],
        cash=joined["cash"].astype(bool, copy=False), order=(ints["event"], ints["stage"], ints["at"]),
        unmatched_references=int((ev.has_ref & ~used).sum()))


def apply(invoices: pd.DataFrame, payments: pd.DataFrame) -> Applied:
    """:func:`apply_codes` on frames of names: invoices customer, invoice_id, day, cents (one
    row per customer and invoice); payments customer, day, cents, ref (invoice id or None).
    The allocations are listed in replay order."""
    book = code_inputs(invoices.assign(due_day=0), payments)
    coded = book.lines[["cust", "key", "day", "cents"]]
    done = apply_codes(coded, book.payments, len(book.names), book.keys)
    event, stage, at = done.order
    order = np.lexsort((at, stage, event))
    allocations = pd.DataFrame({
        "customer": book.names[done.cust[order]], "invoice": done.invoice[order], "day": done.day[order],
        "cents": done.cents[order], "cash": done.cash[order]})
    # the customers with an event: an invoice of net 0 is none
    present = np.zeros(len(book.names), dtype=bool)
    present[coded["cust"].to_numpy()[coded["cents"].to_numpy() != 0]] = True
    present[book.payments["cust"].to_numpy()] = True
    credit = {str(c): int(v) for c, v, p in zip(book.names, done.credit, present, strict=True) if p}
    return Applied(done.open_cents, credit, allocations, done.unmatched_references)
