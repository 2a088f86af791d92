"""Churn types on a hand-worked frame: every type, the precedence, counts and lost revenue."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamtool.analyses.churn_types import churn_types
from kamtool.errors import ColumnError

STATUS_ROWS = [
    # customer, status, start, end, start class, end class
    ("r", "lost", 300.0, 0.0, "A", "C"),  # a recorded reason (and a blacklist): recorded
    ("d1", "lost", 200.0, 0.0, "B", "C"),  # status 'Black List': dropped, from the accounts
    ("d2", "lost", 150.0, 0.0, "A", "C"),  # 90 days overdue (and a share fall): dropped, inferred
    ("c1", "lost", 100.0, 0.0, "C", "C"),  # focal brand share 0.6 -> 0.3: competitor
    ("c2", "retained", 1000.0, 400.0, "A", "A"),  # one line kept, one stopped: competitor
    ("v1", "retained", 1000.0, 500.0, "B", "B"),  # exactly half: value_declined
    ("v2", "retained", 1000.0, 900.0, "A", "B"),  # fell a class: value_declined
    ("n1", "retained", 1000.0, 500.01, "A", "A"),  # above half, same class: not a subject
    ("l1", "lost", 50.0, 0.0, "C", "C"),  # nothing known: left
    ("c3", "lost", 40.25, 0.0, "B", "C"),  # share fell 29 points only: left
    ("new", "new", 0.0, 80.0, "C", "B"),  # not a subject
]


def frames() -> dict[str, pd.DataFrame]:
    statuses = pd.DataFrame(
        STATUS_ROWS,
        columns=["customer", "status", "start_revenue", "end_revenue", "start_class", "end_class"],
    )
    accounts = pd.DataFrame(
        {
            "customer": ["r", "d1", "v1", "l1"],
            "status": ["blacklist", "Black List", "active", None],
            "churn_reason": ["moved to a cheaper supplier", None, "", None],
        }
    )
    overdue = pd.DataFrame({"customer": ["d2", "l1"], "overdue_90_at_last_order": [True, False]})
    brand_shares = pd.DataFrame(
        {
            "customer": ["c1", "c1", "c1", "d2", "d2", "c3", "c3"],
            "period": [3, 1, 2, 1, 2, 1, 2],
            "brand_share": [0.3, 0.6, 0.5, 0.9, 0.1, 0.59, 0.3],
        }
    )
    lines = pd.DataFrame(
        {
            "customer": ["c2", "c2", "v1", "v1"],
            "line": ["x", "y", "x", "y"],
            "start_revenue": [500.0, 500.0, 500.0, 0.0],
            "end_revenue": [400.0, 0.0, 500.0, 0.0],
        }
    )
    return {
        "statuses": statuses,
        "accounts": accounts,
        "overdue": overdue,
        "brand_shares": brand_shares,
        "lines": lines,
    }


def run(**changes: object):  # type: ignore[no-untyped-def]
    f = frames()
    f.update(changes)  # type: ignore[arg-type]
    return churn_types(
        f["statuses"], f["accounts"], overdue=f["overdue"], brand_shares=f["brand_shares"], lines=f["lines"]
    )


def test_every_type_and_its_basis() -> None:
    rows = run().rows.set_index("customer")
    assert rows["churn_type"].to_dict() == {
        "c1": "competitor",
        "c2": "competitor",
        "c3": "left",
        "d1": "dropped",
        "d2": "dropped",
        "l1": "left",
        "r": "recorded",
        "v1": "value_declined",
        "v2": "value_declined",
    }
    assert rows["churn_type_basis"].to_dict() == {
        "c1": "inferred",
        "c2": "inferred",
        "c3": "inferred",
        "d1": "recorded",
        "d2": "inferred",
        "l1": "inferred",
        "r": "recorded",
        "v1": "inferred",
        "v2": "inferred",
    }
    assert rows.loc["r", "churn_reason"] == "moved to a cheaper supplier"
    assert rows.loc["c3", "revenue_lost"] == 40.25 and rows.loc["c2", "revenue_lost"] == 600.0


def test_counts_and_lost_revenue_by_type_for_all_and_key_accounts() -> None:
    result = run()
    types = ("recorded", "dropped", "competitor", "value_declined", "left")
    expected = {  # (customers, revenue lost) per type, worked out by hand from the frames above
        "by_type": ((1, 2, 2, 2, 2), (300.0, 350.0, 700.0, 600.0, 90.25)),
        "by_type_key": ((1, 1, 1, 1, 0), (300.0, 150.0, 600.0, 100.0, 0.0)),  # start class A: r, d2, c2, v2
    }
    for name, (customers, lost) in expected.items():
        table = result.tables[name].set_index("churn_type")
        assert table["customers"].to_dict() == dict(zip(types, customers, strict=True)), name
        assert table["revenue_lost"].to_dict() == dict(zip(types, lost, strict=True)), name
    assert result.summary["subjects"] == 9 and result.summary["key_subjects"] == 4
    assert result.summary["revenue_lost"] == 2040.25 and result.summary["key_revenue_lost"] == 1150.0


def test_precedence_falls_through_when_a_source_is_missing() -> None:
    # without accounts, r is left and d1 left; without credit, d2 becomes competitor (its share fell)
    rows = churn_types(frames()["statuses"], None, brand_shares=frames()["brand_shares"]).rows.set_index(
        "customer"
    )
    assert rows.loc["r", "churn_type"] == "left" and rows.loc["d1", "churn_type"] == "left"
    assert rows.loc["d2", "churn_type"] == "competitor"
    assert rows.loc["c2", "churn_type"] == "value_declined"  # no product lines known


def test_key_accounts_given_by_the_tier() -> None:
    result = churn_types(frames()["statuses"], key_accounts=["l1", "n1"])
    key = result.tables["by_type_key"].set_index("churn_type")
    assert key["customers"].sum() == 1 and key.loc["left", "revenue_lost"] == 50.0
    assert result.params["key_accounts"] == "key tier"


def test_a_missing_status_column_is_named() -> None:
    with pytest.raises(ColumnError, match="end_class"):
        churn_types(frames()["statuses"].drop(columns="end_class"))


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["lost", "retained", "new", "reactivated"]),
            st.integers(0, 10_000),
            st.integers(0, 10_000),
            st.sampled_from(["A", "B", "C"]),
            st.sampled_from(["A", "B", "C", "-"]),
            st.sampled_from([None, "price", ""]),
            st.sampled_from([None, "黑名单", "active"]),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_one_type_per_subject_and_the_totals_add_up(cases) -> None:  # type: ignore[no-untyped-def]
    names = [f"k{i:02d}" for i in range(len(cases))]
    statuses = pd.DataFrame(
        [(n, s, a / 100, b / 100, c, d) for n, (s, a, b, c, d, _, _) in zip(names, cases, strict=True)],
        columns=["customer", "status", "start_revenue", "end_revenue", "start_class", "end_class"],
    )
    accounts = pd.DataFrame(
        {"customer": names, "churn_reason": [c[5] for c in cases], "status": [c[6] for c in cases]}
    )
    result = churn_types(statuses, accounts)
    rows = result.rows
    lost = set(statuses.loc[statuses["status"] == "lost", "customer"])
    assert lost <= set(rows["customer"]) and rows["customer"].is_unique
    assert set(rows["status"]) <= {"lost", "retained"}
    assert rows.loc[rows["status"] == "lost", "churn_type"].ne("value_declined").all()
    recorded = rows["churn_reason"].notna()
    assert (rows.loc[recorded, "churn_type"] == "recorded").all()
    table = result.tables["by_type"]
    assert table["customers"].sum() == len(rows)
    assert round(table["revenue_lost"].sum(), 2) == round(result.summary["revenue_lost"], 2)
    assert result.summary["revenue_lost"] == round((rows["start_revenue"] - rows["end_revenue"]).sum(), 2)


# ------------------------------------------------------------- the types joined into churn


def _churn_and_mix() -> tuple[object, pd.DataFrame]:
    """Four customers, 2024Q1 against 2024Q2 (as of 2024-07-01): a 1000 -> 100 over two
    categories (Paper goes on, Toner stopped), b 300 -> 0, c 200 -> 200, d 50 -> 0."""
    from kamtool.analyses.churn import churn

    days = pd.DataFrame(
        [("a", "2024-02-01", 500.0, "Paper"), ("a", "2024-02-01", 500.0, "Toner"),
         ("a", "2024-05-01", 100.0, "Paper"), ("b", "2024-03-01", 300.0, "Paper"),
         ("c", "2024-03-02", 200.0, "Paper"), ("c", "2024-05-02", 200.0, "Paper"),
         ("d", "2024-01-05", 50.0, "Paper")],
        columns=["customer", "date", "revenue", "category"],
    )
    days["date"] = pd.to_datetime(days["date"])
    daily = days.groupby(["customer", "date"], as_index=False)["revenue"].sum()
    result = churn(daily, as_of="2024-07-01", p_alive_model=None)
    mix = days.assign(month=days["date"].dt.year.sub(1970).mul(12).add(days["date"].dt.month - 1))
    return result, mix[["customer", "month", "category", "revenue"]]


def test_for_churn_without_a_key_tier_takes_start_class_a() -> None:
    from kamtool.analyses.churn_types import for_churn

    result, mix = _churn_and_mix()
    out = for_churn(result, mix=mix)  # type: ignore[arg-type]
    rows = out.rows.set_index("customer")
    assert rows["churn_type"].to_dict() == {"a": "competitor", "b": "left", "c": None, "d": "left"}
    # start classes: a 1000 of 1550 (64.5 %) A, b reaches 83.9 %: A; c, d B and C
    assert out.params["key_accounts_basis"] == "start_class_a" and out.params["key_tier_as_of"] is None
    assert rows["key_account"].to_dict() == {"a": True, "b": True, "c": False, "d": False}
    table = out.tables["churn_types"].set_index("churn_type")
    assert table.loc["competitor"].tolist() == [1, 900.0, 1, 900.0]
    assert table.loc["left"].tolist() == [2, 350.0, 1, 300.0]
    assert out.summary["churn_type_main"] == out.summary["key_churn_type_main"] == "competitor"


@settings(max_examples=20, deadline=None)
@given(st.randoms(use_true_random=False))
def test_for_churn_does_not_depend_on_row_order(rnd) -> None:  # type: ignore[no-untyped-def]
    from kamtool.analyses.churn_types import for_churn

    result, mix = _churn_and_mix()
    base = for_churn(result, mix=mix)  # type: ignore[arg-type]
    order = list(range(len(mix)))
    rnd.shuffle(order)
    again = for_churn(result, mix=mix.iloc[order].reset_index(drop=True))  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(base.rows, again.rows)
    pd.testing.assert_frame_equal(base.tables["churn_types"], again.tables["churn_types"])
