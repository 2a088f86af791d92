"""The ledger's roll-ups on integer codes (kamtool.ledger.rolled_up) against plain group-bys.

Every roll-up is compared with a plain-pandas groupby of the same table (nulls last, text in
byte order, a group without a value summed to null), with pyarrow's hash group-by that the
ledger used before (same table: rows, order, types, values), and, for one small table, with
values worked out by hand.  The frames behind ``days``, ``monthly``, ``mix``, ``mix_of`` and
``invoices`` are compared with the same frames built through the group-by.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamtool import ledger as ledger_module
from kamtool.ledger import Ledger, _grouped, _sorted_runs, month_of, rolled_up

D = dt.date
SUMS = ("revenue_c", "lines", "quantity", "profit_c", "profit_lines")


def table_of(rows: list[dict[str, Any]], keys: list[str]) -> pa.Table:
    """Rows as the engines hand them: text keys, date32 dates, int64 cents, float quantity."""
    types = {"date": pa.date32(), "due_date": pa.date32(), "paid_date": pa.date32(), "month": pa.int64(),
             "quantity": pa.float64()}
    columns = {}
    for name in [*keys, *SUMS]:
        kind = types.get(name, pa.string() if name in keys else pa.int64())
        columns[name] = pa.array([r.get(name) for r in rows], kind)
    return pa.table(columns)


def pandas_rollup(table: pa.Table, target: list[str], sums: list[str]) -> pd.DataFrame:
    """The reference: a plain pandas groupby (nulls grouped and last; a sum with no value null)."""
    frame = table.to_pandas(types_mapper={pa.string(): pd.ArrowDtype(pa.string()),
                                          pa.int64(): pd.ArrowDtype(pa.int64())}.get)
    if "month" in target and "month" not in frame:
        frame["month"] = month_of(table["date"]).to_pylist()
    out = frame.groupby(target, dropna=False, sort=False)[sums].sum(min_count=1).reset_index()
    # Python sorts text by code point, which is UTF-8's byte order; None after every value.
    def sort_key(i: int) -> tuple[tuple[bool, Any], ...]:
        values = [_plain(out[k].iloc[i]) for k in target]
        return tuple((v is None, 0 if v is None else v) for v in values)

    return out.iloc[sorted(range(len(out)), key=sort_key)].reset_index(drop=True)


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def as_rows(table: pa.Table | pd.DataFrame) -> list[tuple[Any, ...]]:
    if isinstance(table, pa.Table):
        return [tuple(row.values()) for row in table.to_pylist()]
    return [tuple(_plain(v) for v in row) for row in table.itertuples(index=False)]


def check(table: pa.Table, keys: list[str], target: list[str], sums: list[str] | None = None) -> pa.Table:
    """rolled_up equals the hash group-by exactly and the pandas groupby row by row."""
    sums = list(SUMS) if sums is None else sums
    if "month" in target and "month" not in keys:
        table = table.append_column("month", month_of(table["date"]))
        keys = [*keys, "month"]
    new = rolled_up(table, keys, target, sums)
    assert new is not None
    old = _grouped(table, target, sums)
    assert new.schema == old.schema
    assert new.combine_chunks().equals(old.combine_chunks())
    # pandas adds floats with compensation (Kahan), the group-by in row order: floats agree to
    # rounding with pandas, exactly with the group-by (above); everything else exactly.
    reference = as_rows(pandas_rollup(table, target, sums))
    assert len(as_rows(new)) == len(reference)
    for got, want in zip(as_rows(new), reference, strict=True):
        assert [type(v) for v in got] == [type(v) for v in want]
        assert [v for v in got if not isinstance(v, float)] == [v for v in want if not isinstance(v, float)]
        assert [v for v in got if isinstance(v, float)] == pytest.approx(
            [v for v in want if isinstance(v, float)], rel=1e-12, abs=1e-9)
    return new


# ---------------------------------------------------------------- a table worked by hand

HAND = [
    # customer, date, invoice_id, category: sorted by them as the engines' ORDER BY hands them
    {"customer": "A", "date": D(2024, 1, 5), "invoice_id": "i1", "category": "tea", "revenue_c": 1000,
     "lines": 2, "quantity": 1.5, "profit_c": 300, "profit_lines": 2},
    {"customer": "A", "date": D(2024, 1, 5), "invoice_id": "i2", "category": "coffee", "revenue_c": 250,
     "lines": 1, "quantity": 0.25, "profit_c": None, "profit_lines": 0},
    {"customer": "A", "date": D(2024, 1, 20), "invoice_id": "i3", "category": "tea", "revenue_c": -100,
     "lines": 1, "quantity": None, "profit_c": -40, "profit_lines": 1},
    {"customer": "A", "date": D(2024, 2, 1), "invoice_id": None, "category": None, "revenue_c": 700,
     "lines": 3, "quantity": 2.0, "profit_c": 70, "profit_lines": 3},
    {"customer": "B", "date": D(2023, 12, 31), "invoice_id": "i9", "category": "tea", "revenue_c": 5,
     "lines": 1, "quantity": None, "profit_c": None, "profit_lines": 0},
    {"customer": "B", "date": D(2024, 1, 1), "invoice_id": "i4", "category": "coffee", "revenue_c": 40,
     "lines": 1, "quantity": None, "profit_c": 4, "profit_lines": 1},
    {"customer": "B", "date": D(2024, 1, 1), "invoice_id": "i5", "category": "tea", "revenue_c": 60,
     "lines": 2, "quantity": None, "profit_c": 6, "profit_lines": 2},
]
HAND_KEYS = ["customer", "date", "invoice_id", "category"]


def test_days_by_hand() -> None:
    rolled = check(table_of(HAND, HAND_KEYS), HAND_KEYS, ["customer", "date"])
    assert as_rows(rolled) == [
        ("A", D(2024, 1, 5), 1250, 3, 1.75, 300, 2),
        ("A", D(2024, 1, 20), -100, 1, None, -40, 1),
        ("A", D(2024, 2, 1), 700, 3, 2.0, 70, 3),
        ("B", D(2023, 12, 31), 5, 1, None, None, 0),
        ("B", D(2024, 1, 1), 100, 3, None, 10, 3),
    ]


def test_month_by_category_by_hand() -> None:
    # months since January 1970: 2023-12 is 647, 2024-01 is 648, 2024-02 is 649
    rolled = check(table_of(HAND, HAND_KEYS), HAND_KEYS, ["customer", "month", "category"],
                   ["revenue_c", "lines"])
    assert as_rows(rolled) == [
        ("A", 648, "coffee", 250, 1),
        ("A", 648, "tea", 900, 3),
        ("A", 649, None, 700, 3),  # a null category: a group of its own, after the values
        ("B", 647, "tea", 5, 1),
        ("B", 648, "coffee", 40, 1),
        ("B", 648, "tea", 60, 2),
    ]


def test_invoices_by_hand() -> None:
    # not a leading part of the keys: customer leads, the invoice ids are ranked (null last)
    rolled = check(table_of(HAND, HAND_KEYS), HAND_KEYS, ["customer", "invoice_id", "date"],
                   ["revenue_c"])
    assert as_rows(rolled) == [
        ("A", "i1", D(2024, 1, 5), 1000), ("A", "i2", D(2024, 1, 5), 250), ("A", "i3", D(2024, 1, 20), -100),
        ("A", None, D(2024, 2, 1), 700),
        ("B", "i4", D(2024, 1, 1), 40), ("B", "i5", D(2024, 1, 1), 60), ("B", "i9", D(2023, 12, 31), 5),
    ]


def test_the_sorted_keys_make_runs_and_a_disorder_is_seen() -> None:
    table = table_of(HAND, HAND_KEYS).append_column("month", month_of(table_of(HAND, HAND_KEYS)["date"]))
    keys = [*HAND_KEYS, "month"]
    runs, lead = _sorted_runs(table, keys, ["customer", "month", "category"])
    assert lead == 2 and runs.tolist() == [0, 0, 0, 1, 2, 3, 3]
    runs, lead = _sorted_runs(table, keys, ["customer", "date"])
    assert lead == 2 and runs.tolist() == [0, 0, 1, 2, 3, 4, 4]
    # two rows of customer B swapped (2024-01-01 before 2023-12-31): not in order, no runs
    swapped = table.take([0, 1, 2, 3, 5, 4, 6])
    runs, lead = _sorted_runs(swapped, keys, ["customer", "date"])
    assert lead == 0 and not runs.any()
    check(swapped.drop_columns(["month"]), HAND_KEYS, ["customer", "date"])
    check(swapped.drop_columns(["month"]), HAND_KEYS, ["customer", "month", "category"])


# ---------------------------------------------------------------- edge tables

def test_one_row_and_no_row() -> None:
    one = table_of(HAND[:1], HAND_KEYS)
    assert as_rows(check(one, HAND_KEYS, ["customer", "month"])) == [("A", 648, 1000, 2, 1.5, 300, 2)]
    empty = table_of([], HAND_KEYS)
    assert rolled_up(empty, HAND_KEYS, ["customer", "date"], list(SUMS)) is None  # the group-by's way
    ledger = Ledger(table=empty, keys=tuple(HAND_KEYS), sources=[], present=set(HAND_KEYS) | {"amount"})
    assert ledger.days.empty and list(ledger.days.columns) == ["customer", "date", "revenue", "lines"]


def test_null_keys_sort_last_and_group_together() -> None:
    rows: list[dict[str, Any]] = [
        {"customer": "A", "date": D(2024, 3, 1), "category": "b", "revenue_c": 1, "lines": 1},
        {"customer": "A", "date": D(2024, 3, 1), "category": None, "revenue_c": 2, "lines": 1},
        {"customer": "A", "date": D(2024, 3, 2), "category": "a", "revenue_c": 4, "lines": 1},
        {"customer": "A", "date": D(2024, 3, 2), "category": None, "revenue_c": 8, "lines": 1},
        {"customer": "A", "date": None, "category": "a", "revenue_c": 16, "lines": 1},
        {"customer": "A", "date": None, "category": "a", "revenue_c": 32, "lines": 1},
        {"customer": None, "date": D(2024, 1, 1), "category": "a", "revenue_c": 64, "lines": 1},
        {"customer": None, "date": None, "category": None, "revenue_c": 128, "lines": 1},
    ]
    keys = ["customer", "date", "category"]
    table = table_of(rows, keys)
    days = check(table, keys, ["customer", "date"])
    assert [(r[0], r[1], r[2]) for r in as_rows(days)] == [
        ("A", D(2024, 3, 1), 3), ("A", D(2024, 3, 2), 12), ("A", None, 48), (None, D(2024, 1, 1), 64),
        (None, None, 128)]
    months = check(table, keys, ["customer", "month", "category"], ["revenue_c", "lines"])
    assert as_rows(months) == [("A", 650, "a", 4, 1), ("A", 650, "b", 1, 1), ("A", 650, None, 10, 2),
                               ("A", None, "a", 48, 2), (None, 648, "a", 64, 1), (None, None, None, 128, 1)]
    check(table, keys, ["category", "customer"])  # nothing leads: every key ranked


def test_text_sorts_in_byte_order() -> None:
    # "Z" < "a" < "é" < "大" in UTF-8 bytes (as DuckDB's ORDER BY and Arrow sort them)
    names = ["Z", "a", "é", "大", "大客户", "b"]
    rows = [{"customer": "c", "date": D(2024, 5, 1), "brand": n, "revenue_c": i, "lines": 1}
            for i, n in enumerate(names)]
    rolled = check(table_of(rows, ["customer", "date", "brand"]), ["customer", "date", "brand"],
                   ["customer", "month", "brand"], ["revenue_c"])
    assert [r[2] for r in as_rows(rolled)] == ["Z", "a", "b", "é", "大", "大客户"]


def test_a_key_the_file_lacks() -> None:
    # due_date all null (the file has none): it splits nothing, as a key and as a target
    rows = [dict(r, due_date=None) for r in HAND]
    keys = ["customer", "date", "invoice_id", "due_date", "category"]
    table = table_of(rows, keys)
    check(table, keys, ["customer", "date"])
    check(table, keys, ["customer", "invoice_id", "date", "due_date"], ["revenue_c", "lines"])
    ledger = Ledger(table=table, keys=tuple(keys), sources=[], present={"customer", "date", "amount",
                                                                         "invoice_id", "category"})
    assert len(ledger.days) == 5


def test_cents_stay_exact_past_the_64_bit_range_of_running_totals() -> None:
    big = 4 * 10**18  # two of these overflow a running total; no group's sum does
    rows = [{"customer": "A", "date": D(2024, 1, 1), "category": "x", "revenue_c": big, "lines": 1},
            {"customer": "A", "date": D(2024, 1, 1), "category": "y", "revenue_c": big, "lines": 1},
            {"customer": "B", "date": D(2024, 1, 1), "category": "x", "revenue_c": big, "lines": 1},
            {"customer": "B", "date": D(2024, 1, 2), "category": "x", "revenue_c": -big, "lines": 1},
            {"customer": "C", "date": D(2024, 1, 1), "category": "x", "revenue_c": 3, "lines": 1}]
    keys = ["customer", "date", "category"]
    days = check(table_of(rows, keys), keys, ["customer", "date"], ["revenue_c"])
    assert [r[2] for r in as_rows(days)] == [2 * big, big, -big, 3]
    mix = check(table_of(rows, keys), keys, ["customer", "month", "category"], ["revenue_c"])
    assert [r[3] for r in as_rows(mix)] == [big, big, 0, 3]


def test_float_sums_add_in_row_order() -> None:
    # 0.1 + 0.2 + 0.3 differs from 0.3 + 0.2 + 0.1 in the last bit: the group-by adds in row order
    rng = random.Random(7)
    rows = [{"customer": f"c{i // 40:03d}", "date": D(2024, 1, 1) + dt.timedelta(days=i // 7 % 60),
             "brand": rng.choice("pqr"), "revenue_c": 1, "lines": 1,
             "quantity": rng.random() * 10 ** rng.randint(-3, 6)}
            for i in range(4000)]
    keys = ["customer", "date", "brand"]
    rows.sort(key=lambda r: (r["customer"], r["date"], r["brand"]))
    table = table_of(rows, keys)
    check(table, keys, ["customer", "date"], ["quantity"])
    check(table, keys, ["customer", "month", "brand"], ["quantity"])


def test_month_of() -> None:
    dates = pa.array([D(1969, 12, 31), D(1970, 1, 1), None, D(2024, 2, 29), D(1900, 3, 1)], pa.date32())
    assert month_of(dates).to_pylist() == [-1, 0, None, 54 * 12 + 1, -70 * 12 + 2]
    chunked = pa.chunked_array([dates.slice(0, 2), dates.slice(2)])
    assert month_of(chunked).to_pylist() == month_of(dates).to_pylist()
    assert month_of(pa.array([None, None], pa.date32())).to_pylist() == [None, None]


# ---------------------------------------------------------------- the frames, as before

def ledgers() -> list[tuple[Ledger, list[str]]]:
    """Ledgers of the grains the commands load (churn's, tiers', stages'), from random lines."""
    rng = random.Random(3)
    out = []
    for keys, present in (
        (["customer", "date", "invoice_id", "due_date", "paid_date", "category"],
         {"customer", "date", "amount", "invoice_id", "category", "cost"}),
        (["customer", "date", "salesperson", "brand", "category"],
         {"customer", "date", "amount", "salesperson", "brand", "category", "cost", "quantity"}),
        (["customer", "date", "category", "brand", "product"],
         {"customer", "date", "amount", "category", "brand", "product"}),
    ):
        rows = []
        for _ in range(600):
            row: dict[str, Any] = {k: rng.choice(["x", "y", "z", None]) for k in keys[2:]}
            row.update(customer=rng.choice(["c1", "c2", "客户", "c10"]),
                       date=D(2023, 11, 1) + dt.timedelta(days=rng.randrange(120)),
                       due_date=None, paid_date=None, revenue_c=rng.randrange(-500, 5000),
                       lines=rng.randrange(1, 4),
                       quantity=rng.random() * 5 if "quantity" in present else None,
                       profit_c=rng.choice([None, rng.randrange(-50, 900)]))
            row["profit_lines"] = 0 if row["profit_c"] is None else row["lines"]
            rows.append(row)
        table = table_of(rows, keys)
        table = table.sort_by([(k, "ascending") for k in keys])  # the engines' ORDER BY
        if "invoice_id" in keys:
            table = table.append_column("paid_amount_c", pa.array([rng.choice([None, 100]) for _ in rows],
                                                                   pa.int64()))
        out.append((Ledger(table=table, keys=tuple(keys), sources=[], present=present), keys))
    return out


FRAMES = ("days", "monthly", "mix", "mix_of:category", "mix_of:brand", "invoices")


def frame_of(ledger: Ledger, name: str) -> pd.DataFrame | None:
    if name.startswith("mix_of:"):
        return ledger.mix_of(name.split(":")[1])
    return getattr(ledger, name)


@pytest.mark.parametrize("shuffle", [False, True])
def test_frames_are_the_group_bys(monkeypatch: pytest.MonkeyPatch, shuffle: bool) -> None:
    for ledger, keys in ledgers():
        if shuffle:  # unsorted input: no runs, every key ranked
            order = list(range(ledger.table.num_rows))
            random.Random(5).shuffle(order)
            ledger.table = ledger.table.take(order)
        for name in FRAMES:
            if name == "invoices" and "invoice_id" not in keys:
                continue
            fast = frame_of(ledger, name)  # one ledger for every frame: they share its memo
            with monkeypatch.context() as patched:
                patched.setattr(ledger_module, "rolled_up", lambda *args, **kwargs: None)
                slow = frame_of(replace(ledger, frames={}), name)
            if slow is None:
                assert fast is None
                continue
            assert fast is not None and len(fast) > 0
            pd.testing.assert_frame_equal(fast, slow, check_exact=True)


# ---------------------------------------------------------------- any small table

_text = st.sampled_from(["a", "b", "B", "é", "大", None])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["k1", "k2", "大", None]), st.integers(0, 70) | st.none(),
                          _text, _text, st.integers(-10**12, 10**12), st.floats(-1e6, 1e6) | st.none()),
                min_size=1, max_size=40), st.booleans())
def test_any_table(lines: list[tuple[Any, ...]], sort: bool) -> None:
    rows = [{"customer": c, "date": None if d is None else D(2023, 12, 20) + dt.timedelta(days=d), "brand": b,
             "product": p, "revenue_c": r, "lines": 1, "quantity": q, "profit_c": r // 3, "profit_lines": 1}
            for c, d, b, p, r, q in lines]
    keys = ["customer", "date", "brand", "product"]
    table = table_of(rows, keys)
    if sort:
        table = table.sort_by([(k, "ascending") for k in keys])
    for target in (["customer", "date"], ["customer", "month"], ["customer", "month", "product"],
                   ["customer", "month", "brand", "product"], ["product", "date"]):
        check(table, keys, target)
    assert pc.sum(table["lines"]).as_py() == len(lines)


def test_the_memo_follows_the_table() -> None:
    """The runs one roll-up found are read again only for the same table's rows."""
    keys = ["customer", "date", "invoice_id", "category"]
    ledger = Ledger(table=table_of(HAND, keys), keys=tuple(keys), sources=[],
                    present={"customer", "date", "amount", "invoice_id", "category"})
    assert len(ledger.days) == 5
    assert any(isinstance(k, tuple) for k in ledger._memo)
    # another table in the same ledger (B's two days swapped, C added): no stale runs
    rows: list[dict[str, Any]] = [*HAND[:4], HAND[5], HAND[4], HAND[6],
            {"customer": "C", "date": D(2024, 1, 1), "invoice_id": "i7", "category": "tea", "revenue_c": 9,
             "lines": 1, "quantity": None, "profit_c": None, "profit_lines": 0}]
    ledger.table = table_of(rows, keys)
    ledger.frames.clear()
    days = ledger.days[["customer", "date", "revenue"]]
    assert [(c, d.date(), r) for c, d, r in days.itertuples(index=False)] == [
        ("A", D(2024, 1, 5), 12.5), ("A", D(2024, 1, 20), -1.0), ("A", D(2024, 2, 1), 7.0),
        ("B", D(2023, 12, 31), 0.05), ("B", D(2024, 1, 1), 1.0), ("C", D(2024, 1, 1), 0.09)]


def test_a_frame_let_go_is_built_again_the_same() -> None:
    """let_go forgets a frame a command reads no more; reading it again builds it afresh, equal."""
    ledger = Ledger(table=table_of(HAND, HAND_KEYS), keys=tuple(HAND_KEYS), sources=[],
                    present=set(HAND_KEYS) | {"amount"})
    first = ledger.days
    ledger.let_go("days", "mix")  # a frame never built is no error
    assert "days" not in ledger.frames
    again = ledger.days
    assert again is not first
    pd.testing.assert_frame_equal(again, first)
