"""Credit on integer codes: the array forms of the rules against the one-customer forms, the
tie-aware sort against numpy's lexsort, the netting of coded lines by hand, and the package
importing neither numpy nor pandas before the load."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kamtool.analyses.credit.apply import apply, stable_order
from kamtool.analyses.credit.grading import (
    DEFAULT_FACTORS,
    GradeRule,
    grade,
    grades,
    suggested_limit,
    suggested_limits,
)
from kamtool.analyses.credit.inputs import NO_DAY, code_inputs, net_coded, read_payments

CUSTOMER = st.tuples(
    st.one_of(st.none(), st.integers(-30, 200)),  # days past due of the oldest open invoice
    st.integers(0, 10**12),  # weight: cents of cash applied
    st.integers(0, 10**14),  # beyond: cent-days beyond terms
    st.integers(-10**14, 10**14),  # late: signed cent-days
    st.integers(-10**9, 10**12),  # sales of the limit's window
    st.integers(0, 120),  # terms
    st.integers(-10**6, 10**12),  # highest balance
)


@settings(max_examples=200, deadline=None)
@given(customers=st.lists(CUSTOMER, min_size=1, max_size=30),
       factors=st.fixed_dictionaries({g: st.sampled_from([0.0, 0.7, 1.0, 1.2, 0.35]) for g in "ABCD"}),
       cap=st.sampled_from([0.0, 1.2, 2.5]), months=st.integers(1, 24))
def test_the_array_grades_and_limits_are_the_one_customer_rules(
        customers: list[tuple[int | None, int, int, int, int, int, int]], factors: dict[str, float],
        cap: float, months: int) -> None:
    rule = GradeRule()
    worst = np.array([0 if c[0] is None else c[0] for c in customers], dtype=np.int64)
    has_open = np.array([c[0] is not None for c in customers])
    weight, beyond, late, sales, terms, highest = (np.array([c[i] for c in customers], dtype=np.int64)
                                                   for i in range(1, 7))
    graded = grades(worst, has_open, weight, beyond, late, rule)
    expected = [grade(c[0], c[1], c[2], c[3], rule) for c in customers]
    assert list(graded) == expected
    limits = suggested_limits(sales, months, terms, weight, beyond, graded, factors, cap, highest)
    assert limits.tolist() == [suggested_limit(c[4], months, c[5], c[1], c[2], factors[g], cap, c[6])
                               for c, g in zip(customers, expected, strict=True)]


def test_the_default_factors_cover_every_grade() -> None:
    graded = grades(np.array([100, 0]), np.array([True, False]), np.array([5, 0]), np.array([0, 0]),
                    np.array([0, 0]), GradeRule())
    assert list(graded) == ["D", "B"]  # over 90 days; no payment yet
    limits = suggested_limits(np.array([1200_00, 1200_00]), 12, np.array([30, 30]), np.array([5, 0]),
                              np.array([0, 0]), graded, DEFAULT_FACTORS, 1.2, np.array([10**9, 10**9]))
    assert limits.tolist() == [0, 100_00]  # D: factor 0; B: 100.00 a month × 30 / 30 × 1


@settings(max_examples=300, deadline=None)
@given(pairs=st.lists(st.tuples(st.integers(0, 6), st.integers(-3, 3)), max_size=60))
def test_the_tie_aware_sort_is_lexsort(pairs: list[tuple[int, int]]) -> None:
    packed = np.array([p for p, _ in pairs], dtype=np.int64)
    then = np.array([t for _, t in pairs], dtype=np.int64)
    assert stable_order(packed, then).tolist() == np.lexsort((then, packed)).tolist()


def test_coded_lines_net_into_one_row_per_customer_and_invoice() -> None:
    # B's I1 has two lines (a correction dated earlier with its own due date): the invoice takes
    # the earliest date (3) and due date (40) and the net 100 − 20 = 80; A's I1 is another invoice
    lines = pd.DataFrame({"customer": ["B", "A", "B", "B"], "invoice_id": ["I1", "I1", "I2", "I1"],
                          "day": [5, 7, 9, 3], "due_day": [NO_DAY, NO_DAY, NO_DAY, 40],
                          "cents": [100, 55, 30, -20]})
    book = code_inputs(lines, read_payments(None))
    assert list(book.names) == ["A", "B"]  # customer codes in name order
    net = net_coded(book.lines, len(book.keys))
    columns = net[["cust", "key", "day", "due_day", "cents"]].itertuples(index=False)
    named = [(book.names[c], book.keys[k], d, due, cents) for c, k, d, due, cents in columns]
    assert sorted(named) == [("A", "I1", 7, NO_DAY, 55), ("B", "I1", 3, 40, 80), ("B", "I2", 9, NO_DAY, 30)]
    # the same lines in the ledger's order (customer, then id): grouped as they come, no sort
    ordered = lines.iloc[[1, 0, 3, 2]].reset_index(drop=True)
    book = code_inputs(ordered, read_payments(None))
    net = net_coded(book.lines, len(book.keys))
    assert net[["cust", "key", "day", "due_day", "cents"]].values.tolist() == [
        [0, 0, 7, NO_DAY, 55], [1, 1, 3, 40, 80], [1, 2, 9, NO_DAY, 30]]


def test_payments_name_invoices_in_the_same_code_space() -> None:
    lines = pd.DataFrame({"customer": ["A"], "invoice_id": ["I9"], "day": [1], "due_day": [NO_DAY],
                          "cents": [100]})
    payments = pd.DataFrame({"customer": ["A", "A"], "day": [2, 3], "cents": [10, 20],
                             "ref": pd.Series(["I9", None], dtype="string")})
    book = code_inputs(lines, payments)
    assert book.payments["ref"].tolist() == [book.lines["key"].iloc[0], -1]


def test_the_package_imports_neither_numpy_nor_pandas() -> None:
    code = ("import sys, kamtool.cli.commands.credit, kamtool.analyses.credit as c; c.NEEDS; c.Options(); "
            "print(sorted(m for m in ('numpy', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_sorted_lines_take_runs_and_references_find_their_own_customers_invoice() -> None:
    # the lines in the ledger's order (customer, then id): A and B both have an invoice "I1";
    # B's payment naming I1 is B's I1 (200, settled), A's payment naming "X" names nothing of
    # A's and goes first in, first out to A's I1 (100 − 30 = 70 open)
    lines = pd.DataFrame({"customer": ["A", "B", "B"], "invoice_id": ["I1", "I1", "I2"], "day": [1, 1, 2],
                          "due_day": [NO_DAY] * 3, "cents": [100, 200, 50]})
    payments = pd.DataFrame({"customer": ["B", "A"], "day": [3, 3], "cents": [200, 30],
                             "ref": pd.Series(["I1", "X"], dtype="string")})
    book = code_inputs(lines, payments)
    assert book.lines["key"].tolist() == [0, 1, 2]  # runs of (customer, id), in order
    # B's I1; "X" a code past the three runs: 3 + its place among the references' texts (I1, X)
    assert book.payments["ref"].tolist() == [1, 4]
    assert [book.keys[k] for k in (0, 1, 2, 4)] == ["I1", "I1", "I2", "X"]
    invoices = lines.drop(columns=["due_day"])
    for frame in (invoices, invoices.iloc[[2, 0, 1]]):  # sorted (runs) and not (hashed ids)
        done = apply(frame.reset_index(drop=True), payments)
        named = zip(frame["customer"], frame["invoice_id"], strict=True)
        open_by = dict(zip(named, done.open_cents.tolist(), strict=True))
        assert open_by == {("A", "I1"): 70, ("B", "I1"): 0, ("B", "I2"): 50}
        assert done.unmatched_references == 1
