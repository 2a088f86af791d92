"""Relationship stages on hand-worked frames: every rule, both flags, the comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamtool.analyses.stages import StageThresholds, grew_above, growth, stages

# as of 2026-07-01: last month 2026-06 = ordinal 677, window 2025-07 .. 2026-06 = 666 .. 677,
# the last four quarters 2025Q3 .. 2026Q2
AS_OF = "2026-07-01"
END = (2026 - 1970) * 12 + 5


def month(year: int, m: int) -> int:
    return (year - 1970) * 12 + m - 1


def _lines(customer: str, first: int, last: int, amount: float, skip: range = range(0)) -> list[dict]:
    return [
        {"customer": customer, "month": m, "revenue": amount} for m in range(first, last + 1) if m not in skip
    ]


def story() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """S and SN: 1000 a month since 2024-01 (class A, tenure 30), S in 3 categories, SN in 2;
    T: 10 a month since 2025-01 (tenure 18); Y: 10 a month since 2024-06 but silent in 2025Q3;
    D: 100 a month 2024-07 .. 2025-12, then 10 (trend −90 %, window 660 against 1,200 a
    year before); N: 10 in 2026-05 and -06; R: +100 then −100; P: an account, no orders."""
    rows = (
        _lines("S", month(2024, 1), END, 1000)
        + _lines("SN", month(2024, 1), END, 1000)
        + _lines("T", month(2025, 1), END, 10)
        + _lines("Y", month(2024, 6), END, 10, skip=range(month(2025, 7), month(2025, 9) + 1))
        + _lines("D", month(2024, 7), month(2025, 12), 100)
        + _lines("D", month(2026, 1), END, 10)
        + _lines("N", month(2026, 5), END, 10)
        + [
            {"customer": "R", "month": month(2025, 3), "revenue": 100.0},
            {"customer": "R", "month": month(2025, 4), "revenue": -100.0},
        ]
    )
    monthly = pd.DataFrame(rows)
    mix = pd.DataFrame(
        [{"customer": "S", "month": END, "category": c, "revenue": 1.0} for c in "xyz"]
        + [{"customer": "SN", "month": END, "category": c, "revenue": 1.0} for c in "xy"]
    )
    accounts = pd.DataFrame({"customer": ["P", "R", "S"]})
    return monthly, mix, accounts


def by_customer(result) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return result.rows.set_index("customer")


def test_every_stage_rule_on_the_story() -> None:
    monthly, mix, accounts = story()
    result = stages(monthly, accounts, as_of=AS_OF, mix=mix)
    rows = by_customer(result)
    assert rows["stage_rule"].to_dict() == {
        "D": "initial_default",
        "N": "initial_default",
        "P": "cultivation_prospect",
        "R": "cultivation_no_net",
        "S": "strategic_rule",
        "SN": "stable_rule",
        "T": "stable_rule",
        "Y": "stable_rule",
    }
    assert rows["stage"].to_dict() == {
        "D": "initial",
        "N": "initial",
        "P": "cultivation",
        "R": "cultivation",
        "S": "strategic",
        "SN": "stable",
        "T": "stable",
        "Y": "stable",
    }
    assert rows.loc["S", "tenure_months"] == 30
    assert rows.loc["T", "tenure_months"] == 18
    assert rows.loc["N", "tenure_months"] == 2
    assert rows.loc["Y", "quarters_active"] == 3
    assert rows.loc["D", "trend"] == pytest.approx(60 / 600 - 1)
    assert rows.loc["S", "breadth"] == 3 and rows.loc["SN", "breadth"] == 2
    assert rows.loc["D", "revenue"] == 660.0
    assert rows["declining"].to_dict() == {c: c == "D" for c in rows.index}
    assert result.summary["strategic"] == 1 and result.summary["cultivation"] == 2
    assert result.params["breadth_basis"] == "category"
    assert result.params["last_month"] == "2026-06"


def test_without_a_mix_breadth_is_not_applied_and_said() -> None:
    monthly, _, accounts = story()
    result = stages(monthly, accounts, as_of=AS_OF)
    rows = by_customer(result)
    assert rows.loc["SN", "stage_rule"] == "strategic_rule"
    assert result.params["breadth_basis"] is None


def test_tenure_boundary_and_key_tier() -> None:
    monthly, mix, accounts = story()
    at_30 = by_customer(
        stages(monthly, as_of=AS_OF, mix=mix, thresholds=StageThresholds(strategic_tenure=30))
    )
    at_31 = by_customer(
        stages(monthly, as_of=AS_OF, mix=mix, thresholds=StageThresholds(strategic_tenure=31))
    )
    assert at_30.loc["S", "stage"] == "strategic"
    assert at_31.loc["S", "stage_rule"] == "stable_rule"
    # Y has tenure 25 but only 3 quarters; T has all 4 quarters, tenure 18: neither is strategic
    # even in the key tier, and T becomes strategic when the tenure needed is 18 and T is key
    low = StageThresholds(strategic_tenure=18, min_breadth=0)
    assert by_customer(stages(monthly, as_of=AS_OF, mix=mix, thresholds=low)).loc["T", "stage"] == "stable"
    keyed = by_customer(stages(monthly, as_of=AS_OF, mix=mix, thresholds=low, key_accounts=["T", "Y"]))
    assert keyed.loc["T", "stage"] == "strategic"
    assert keyed.loc["Y", "stage"] == "stable"


def test_trend_of_exactly_minus_20_percent_is_not_above_it() -> None:
    # 100 a month for 2025-07 .. 2025-12, then 80: 480 / 600 − 1 = −20 % exactly (floats say −0.1999…)
    rows = _lines("E", month(2024, 1), month(2025, 12), 100) + _lines("E", month(2026, 1), END, 80)
    rows += _lines("F", month(2024, 1), month(2025, 12), 100) + _lines("F", month(2026, 1), END, 80.01)
    rows += _lines("BIG", month(2025, 7), END, 100_000)  # class A alone, so E and F are not strategic
    result = by_customer(stages(pd.DataFrame(rows), as_of=AS_OF))
    assert result.loc["E", "stage_rule"] == "initial_default"
    assert result.loc["F", "stage_rule"] == "stable_rule"


def test_declining_boundary_is_exact() -> None:
    # window 2025-07 .. 2026-06 against 2024-07 .. 2025-06: 70 against 100 a month is −30 % exactly
    rows = _lines("G", month(2024, 7), month(2025, 6), 100) + _lines("G", month(2025, 7), END, 70)
    rows += _lines("H", month(2024, 7), month(2025, 6), 100) + _lines("H", month(2025, 7), END, 70.01)
    rows += _lines("K", month(2025, 7), END, 70)  # nothing a year before: never declining
    result = by_customer(stages(pd.DataFrame(rows), as_of=AS_OF))
    assert result["declining"].to_dict() == {"G": True, "H": False, "K": False}


def test_lost_flag_against_the_own_gap_and_90_days() -> None:
    day0 = int(np.datetime64("2026-01-01", "D").astype(np.int64))
    as_of = day0 + 20 + 95
    days = pd.DataFrame(
        [("A", day0), ("A", day0 + 10), ("A", day0 + 20)]  # gap 10, silent 95 > 30 and ≥ 90: lost
        + [("B", day0 + 16), ("B", day0 + 26)]  # gap 10, silent 89 < 90: not lost
        + [("C", day0 - 60), ("C", day0 - 20), ("C", day0 + 20)]  # gap 40, silent 95 < 120
        + [("O", day0)]  # one purchase day: no gap, never flagged
        + [("Z", day0 + 20), ("Z", day0 + 100), ("Z", day0 + 110)],  # the refund below is no purchase
        columns=["customer", "date"],
    )
    days["revenue"] = 10.0
    days.loc[days.index[-1], "revenue"] = -10.0
    monthly = pd.DataFrame({"customer": list("ABCOZ"), "month": [month(2026, 1)] * 5, "revenue": 10.0})
    rows = by_customer(stages(monthly, as_of=as_of, days=days))
    assert rows["lost"].to_dict() == {"A": True, "B": False, "C": False, "O": False, "Z": False}
    assert rows.loc["A", "median_gap"] == 10 and rows.loc["A", "days_since_last"] == 95
    assert rows.loc["Z", "days_since_last"] == 15
    assert stages(monthly, as_of=as_of).params["lost"] == "not_known"


def test_compare_gives_the_transition_matrix_and_regressions() -> None:
    monthly, mix, accounts = story()
    result = stages(monthly, accounts, as_of=AS_OF, mix=mix, compare="2025-07-01")
    earlier = by_customer(result)["compare_stage"].to_dict()
    assert earlier == {
        "D": "stable",
        "N": "cultivation",
        "P": "cultivation",
        "R": "cultivation",
        "S": "stable",
        "SN": "stable",
        "T": "initial",
        "Y": "stable",
    }
    matrix = result.tables["transitions"].set_index("from_stage")
    expected = pd.DataFrame(0, index=list(matrix.index), columns=list(matrix.columns))
    expected.loc["cultivation", "cultivation"] = 2
    expected.loc["cultivation", "initial"] = 1
    expected.loc["initial", "stable"] = 1
    expected.loc["stable", "initial"] = 1
    expected.loc["stable", "stable"] = 2
    expected.loc["stable", "strategic"] = 1
    pd.testing.assert_frame_equal(matrix, expected, check_names=False, check_dtype=False)
    assert result.tables["regressions"].to_dict("records") == [
        {"customer": "D", "from_stage": "stable", "to_stage": "initial"}
    ]
    assert result.summary["regressions"] == 1


def test_shuffled_rows_give_the_same_stages() -> None:
    monthly, mix, accounts = story()
    first = stages(monthly, accounts, as_of=AS_OF, mix=mix).rows
    again = stages(
        monthly.sample(frac=1, random_state=3),
        accounts[::-1],
        as_of=AS_OF,
        mix=mix.sample(frac=1, random_state=4),
    ).rows
    pd.testing.assert_frame_equal(first, again)


def test_growth_rule() -> None:
    out = growth([120, 50, 0, 10], [100, 0, 0, -5])
    assert out[0] == pytest.approx(0.2) and out[1] == np.inf and np.isnan(out[2]) and out[3] == np.inf
    assert grew_above([80, 81, 5, 0], [100, 100, 0, 0], -0.2).tolist() == [False, True, True, False]


def test_words_in_both_languages() -> None:
    from kamtool.labels import value_labels
    from kamtool.render.words import headline, notes

    monthly, mix, accounts = story()
    result = stages(monthly, accounts, as_of=AS_OF, mix=mix, compare="2025-07-01")
    en = headline(result, "en") + notes(result, "en")
    zh = headline(result, "zh") + notes(result, "zh")
    assert en[0] == "8 customers: 1 strategic, 3 stable, 2 initial, 2 in cultivation."
    assert zh[0] == "共8位客户：战略合作1位，稳定合作3位，初期合作2位，孕育阶段2位。"
    assert "Since 2025-07-01: 1 customers moved back a stage (listed)." in en
    assert any("above -20 %" in line and "3 categories" in line for line in en)
    assert any("lost flag was not evaluated" in line for line in en)
    assert not any("{" in line for line in en + zh)
    shown = value_labels(result.rows, "stages", "zh").set_index("customer")
    assert shown.loc["S", "stage"] == "战略合作" and shown.loc["P", "stage"] == "孕育阶段"
    assert shown.loc["D", "compare_stage"] == "稳定合作"


def test_rank_order_ties_by_id_as_text_whatever_the_input_order() -> None:
    from kamtool.analyses.stages import rank_order

    assert rank_order(["b", "a", "c"], [1, 1, 2]).tolist() == [2, 1, 0]
    assert rank_order(["a", "b", "c"], [1, 1, 2]).tolist() == [2, 0, 1]
    assert rank_order([10, 2], [5, 5]).tolist() == [0, 1]  # "10" before "2" as text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from(list("abcdefg")), st.integers(END - 40, END + 2), st.integers(-50, 500)),
        min_size=1,
        max_size=60,
    ),
    st.lists(st.sampled_from(list("aehk")), max_size=4, unique=True),
    st.randoms(use_true_random=False),
)
def test_stages_partition_the_customers_and_ignore_row_order(lines, prospects, rnd) -> None:  # type: ignore[no-untyped-def]
    monthly = pd.DataFrame(lines, columns=["customer", "month", "revenue"])
    accounts = pd.DataFrame({"customer": prospects}, dtype=object)
    result = stages(monthly, accounts, as_of=AS_OF, compare="2025-01-01")
    rows = result.rows
    assert rows["customer"].is_unique and set(rows["customer"]) == set(monthly["customer"]) | set(prospects)
    assert set(rows["stage"]) <= {"cultivation", "initial", "stable", "strategic"}
    assert sum(result.summary[s] for s in ("cultivation", "initial", "stable", "strategic")) == len(rows)
    assert int(result.tables["transitions"].drop(columns="from_stage").to_numpy().sum()) == len(rows)
    shuffled = monthly.sample(frac=1, random_state=rnd.randint(0, 2**31))
    pd.testing.assert_frame_equal(rows, stages(shuffled, accounts, as_of=AS_OF, compare="2025-01-01").rows)


@given(st.lists(st.integers(min_value=0, max_value=40), max_size=60), st.booleans())
@settings(max_examples=60, deadline=None)
def test_unique_inverse_is_numpys_on_sorted_and_unsorted_keys(values: list[int], ordered: bool) -> None:
    """The neighbours' shortcut for keys in order gives np.unique's cells and inverse exactly,
    and any other key falls back to np.unique itself."""
    from kamtool.analyses.stages import _unique_inverse

    key = np.array(sorted(values) if ordered else values, dtype=np.int64)
    cells, cell = _unique_inverse(key)
    expected_cells, expected_cell = np.unique(key, return_inverse=True)
    assert cells.dtype == expected_cells.dtype and cell.dtype == expected_cell.dtype
    assert cells.tolist() == expected_cells.tolist()
    assert cell.tolist() == expected_cell.ravel().tolist()
