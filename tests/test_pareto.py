"""Pareto analysis: hand-computed cases, then properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamtool.analyses.pareto import gini, pareto
from kamtool.analyses.rules import ceil_count, reach_count, whole_units
from kamtool.errors import AnalysisError, UsageError
from kamtool.render import words
from kamtool.result import Chart, Result


def headline(result: Result, lang: str = "en") -> list[str]:
    return words.headline(result, lang)


def notes(result: Result, lang: str = "en") -> list[str]:
    return words.notes(result, lang)


def ledger(revenue: dict[str, float], **extra: list[float]) -> pd.DataFrame:
    frame = pd.DataFrame({"customer": list(revenue), "revenue": list(revenue.values())})
    for column, values in extra.items():
        frame[column] = values
    return frame


# Five customers, one of them all returns; deliberately not in rank order.
# Positive total 50 + 30 + 15 + 5 = 100; e (-2) is listed apart.
FIVE = ledger({"c": 15.0, "e": -2.0, "a": 50.0, "d": 5.0, "b": 30.0})


def test_ranked_table_by_hand() -> None:
    result = pareto(FIVE)
    expected = pd.DataFrame(
        {
            "rank": np.array([1, 2, 3, 4, 5], dtype="int64"),
            "customer": ["a", "b", "c", "d", "e"],
            "revenue": [50.0, 30.0, 15.0, 5.0, -2.0],
            "share": [0.50, 0.30, 0.15, 0.05, np.nan],
            # 50, 80, 95, 100 of 100
            "cumulative_share": [0.50, 0.80, 0.95, 1.00, np.nan],
            # rank / 4 positive customers
            "rank_share": [0.25, 0.50, 0.75, 1.00, np.nan],
            "included": [True, True, True, True, False],
        }
    )
    pd.testing.assert_frame_equal(result.rows, expected, check_dtype=False)
    assert result.rows["rank"].dtype == "int64"
    assert result.rows["included"].dtype == bool
    assert result.command == "pareto"


def test_summary_by_hand() -> None:
    s = pareto(FIVE).summary
    assert s["entities"] == 5
    assert s["positive_entities"] == 4
    assert s["non_positive_entities"] == 1
    assert s["non_positive_value"] == -2.0
    assert s["total"] == 100.0
    assert s["net_total"] == 98.0
    # a (50 %) then b brings the running share to exactly 80 %: two customers, 2 / 4.
    assert s["entities_for_target"] == 2
    assert s["entities_for_target_share"] == 0.5
    # top 20 % of 4 positive customers: ceil(0.8) = 1 customer, a, with 50 %.
    assert s["top20_entities"] == 1
    assert s["top20_share"] == 0.5
    assert s["top1_share"] == 0.5
    # fewer than 5 (10) positive customers: the top 5 (10) are all of them.
    assert s["top5_share"] == 1.0
    assert s["top10_share"] == 1.0
    assert s["top1_entity"] == "a"
    assert s["value_at_risk_top1"] == 50.0
    # Gini: pairwise |differences| 20 35 45 15 25 10 sum 150, ordered pairs 300;
    # 300 / (2 × 4² × mean 25) = 300 / 800 = 0.375.
    assert s["gini"] == pytest.approx(0.375)
    # HHI: 0.5² + 0.3² + 0.15² + 0.05² = 0.25 + 0.09 + 0.0225 + 0.0025 = 0.365.
    assert s["hhi"] == pytest.approx(0.365)
    assert s["effective_entities"] == pytest.approx(1 / 0.365)
    for key, value in s.items():
        assert not isinstance(value, np.generic), key  # plain Python for JSON


def test_target_one_entity_more_just_above_the_boundary() -> None:
    # 50, 30, 20 of 100: 80 % is reached by two; 81 % needs the third.
    frame = ledger({"a": 50.0, "b": 30.0, "c": 20.0})
    assert pareto(frame, target=0.8).summary["entities_for_target"] == 2
    assert pareto(frame, target=0.81).summary["entities_for_target"] == 3
    # the first customer alone reaches 50 %, and also any smaller target
    assert pareto(frame, target=0.5).summary["entities_for_target"] == 1
    assert pareto(frame, target=0.01).summary["entities_for_target"] == 1
    assert pareto(frame, target=1.0).summary["entities_for_target"] == 3


def test_target_reached_exactly_despite_float_rounding() -> None:
    # 0.42 + 0.22 = 0.64 is exactly 80 % of 0.80, but in binary 0.8 × 0.8 is
    # 0.6400000000000001 > 0.64: a naive comparison would need the third customer.
    values = np.array([0.42, 0.22, 0.16])
    assert not np.cumsum(values)[1] >= 0.8 * np.cumsum(values)[-1]  # the trap is real
    assert reach_count(whole_units(values), 0.8) == 2
    frame = ledger({"a": 0.42, "b": 0.22, "c": 0.16})
    assert pareto(frame).summary["entities_for_target"] == 2


def test_ties_ordered_by_id_as_text_whatever_the_row_order() -> None:
    # Equal values: ids ascending as text, so "10" comes before "9".
    frame = pd.DataFrame({"customer": [9, 10, 11, 5], "revenue": [7.0, 7.0, 7.0, 9.0]})
    rows = pareto(frame).rows
    assert rows["customer"].tolist() == [5, 10, 11, 9]
    reversed_rows = pareto(frame.iloc[::-1].reset_index(drop=True)).rows
    pd.testing.assert_frame_equal(rows, reversed_rows)


def test_missing_values_count_as_zero() -> None:
    frame = ledger({"a": 3.0, "b": np.nan, "c": 1.0})
    result = pareto(frame)
    assert result.rows["customer"].tolist() == ["a", "c", "b"]
    # a missing value is a zero: part of the base, with a share of 0
    assert result.rows["included"].tolist() == [True, True, True]
    assert result.rows["share"].tolist() == [0.75, 0.25, 0.0]
    assert result.summary["missing_values"] == 1
    assert result.summary["non_positive_entities"] == 1
    assert result.summary["base_entities"] == 3
    assert any("count as zero" in note for note in notes(result))


def test_gini_and_hhi_extremes() -> None:
    assert gini(np.array([5.0])) == 0.0
    assert gini(np.array([2.0, 2.0, 2.0])) == 0.0
    # one of four holds everything (the others tiny): close to (n − 1) / n = 0.75
    assert gini(np.array([1e9, 1e-9, 1e-9, 1e-9])) == pytest.approx(0.75)
    s = pareto(ledger({"a": 4.0, "b": 4.0, "c": 4.0, "d": 4.0})).summary
    assert s["hhi"] == pytest.approx(0.25)
    assert s["effective_entities"] == pytest.approx(4.0)


def test_ceil_count_rounding_rule() -> None:
    assert ceil_count(0.2, 4) == 1  # 0.8 -> 1
    assert ceil_count(0.2, 5) == 1  # exactly 1
    assert ceil_count(0.2, 6) == 2  # 1.2 -> 2
    # 0.07 × 100 is 7.000000000000001 in binary; still 7
    assert 0.07 * 100 > 7
    assert ceil_count(0.07, 100) == 7
    assert ceil_count(1.0, 3) == 3


def test_other_measures_and_dimensions() -> None:
    frame = pd.DataFrame(
        {
            "salesperson": ["Wang", "Li", "Zhang"],
            "revenue": [10.0, 20.0, 30.0],
            "orders": np.array([5, 1, 2], dtype="int64"),
        }
    )
    result = pareto(frame, by="salesperson", measure="orders")
    assert result.rows["salesperson"].tolist() == ["Wang", "Zhang", "Li"]
    assert result.rows["orders"].dtype == "int64"  # numbers stay as they came
    assert result.summary["total"] == 8.0
    # Wang 5 of 8 orders = 62.5 %, short of 80 %; with Zhang 7 / 8 = 87.5 %: 2 of 3 people.
    assert headline(result)[0] == "66.7 % of salespeople (2) make 80 % of orders."


def test_headline_en_and_zh() -> None:
    en = headline(pareto(FIVE))
    assert en[0] == "50.0 % of customers (2) make 80 % of revenue."
    assert en[2] == (
        "Concentration: Gini 0.38 over 4 customers, HHI 0.3650 (as concentrated as 2.7 equal customers)."
    )
    assert en[3] == (
        "The largest, a, holds 50.0 % of revenue (50.00): that much is at risk if it is lost."
    )
    assert en[4].startswith("Customers with a negative net revenue: 1 (total -2.00)")
    zh = headline(pareto(FIVE), "zh")
    assert zh[0] == "50.0% 的客户（2 个）贡献了 80% 的销售额。"
    assert any("基尼系数" in line for line in zh)


def test_params_notes_and_chart() -> None:
    result = pareto(FIVE, by="customer", measure="revenue", target=0.7)
    assert result.params["target"] == 0.7
    assert result.params["by"] == "customer"
    assert "entity id ascending" in result.params["tie_rule"]
    assert any("Gini" in note for note in notes(result))
    assert any("not multiplied by 10,000" in note for note in notes(result))
    assert result.charts == [
        Chart(
            kind="pareto",
            table="rows",
            category="customer",
            values=["revenue"],
            secondary="cumulative_share",
            title="pareto.chart_title",
        )
    ]
    assert words.chart_title(result, result.charts[0], "en") == "Pareto of revenue by customer"
    assert words.chart_title(result, result.charts[0], "zh") == "客户销售额帕累托图"


@pytest.mark.parametrize(
    ("frame", "measure", "message"),
    [
        (ledger({"a": 1.0}), "profit", "profit needs a cost or profit column"),
        (ledger({"a": 1.0}, quantity=[np.nan]), "quantity", "quantity needs a quantity column"),
        (ledger({"a": 1.0}), "orders", "orders needs an order id or date column"),
        (ledger({}), "revenue", "no rows to analyse"),
        (
            pd.DataFrame({"customer": ["a", "a"], "revenue": [1.0, 2.0]}),
            "revenue",
            "'a' appears on more than one row",
        ),
        (
            pd.DataFrame({"customer": ["a"], "revenue": ["12"]}),
            "revenue",
            "not numeric",
        ),
    ],
)
def test_analysis_errors(frame: pd.DataFrame, measure: str, message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        pareto(frame, measure=measure)


def test_missing_by_column() -> None:
    with pytest.raises(AnalysisError, match="no column 'brand'"):
        pareto(FIVE, by="brand")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"target": 0.0},
        {"target": 80},
        {"measure": "margin"},
        {"by": "revenue"},
    ],
)
def test_usage_errors(kwargs: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        pareto(FIVE, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------- properties

ids = st.lists(
    st.text(alphabet="abcxyz019", min_size=1, max_size=4), min_size=1, max_size=40, unique=True
)


@st.composite
def ledgers(draw: st.DrawFn) -> pd.DataFrame:
    names = draw(ids)
    # whole cents, with returns and ties (small range), at least one positive
    cents = draw(st.lists(st.integers(-500, 3000), min_size=len(names), max_size=len(names)))
    if max(cents) <= 0:
        cents[0] = 1
    return pd.DataFrame({"customer": names, "revenue": np.array(cents) / 100})


@settings(max_examples=60, deadline=None)
@given(frame=ledgers(), seed=st.integers(0, 2**32 - 1))
def test_shuffling_rows_changes_nothing(frame: pd.DataFrame, seed: int) -> None:
    shuffled = frame.sample(frac=1, random_state=seed).reset_index(drop=True)
    first, second = pareto(frame), pareto(shuffled)
    pd.testing.assert_frame_equal(first.rows, second.rows)
    assert first.summary == second.summary


@settings(max_examples=60, deadline=None)
@given(frame=ledgers(), target=st.floats(0.05, 1.0))
def test_cumulative_share_rises_to_one(frame: pd.DataFrame, target: float) -> None:
    result = pareto(frame, target=target)
    rows = result.rows
    included = rows[rows["included"]]
    cumulative = included["cumulative_share"].to_numpy()
    positive = included["revenue"].to_numpy() > 0
    # every positive customer adds at least a cent; a zero adds nothing
    assert (np.diff(cumulative) > 0).tolist() == positive[1:].tolist()
    assert cumulative[-1] == 1.0
    assert included["share"].sum() == pytest.approx(1.0)
    assert (included["revenue"] >= 0).all()
    assert (rows.loc[~rows["included"], "revenue"] < 0).all()
    assert rows["share"].isna().tolist() == (~rows["included"]).tolist()
    # value descending, ties by id as text
    keys = list(zip(-rows["revenue"], rows["customer"].astype(str), strict=True))
    assert keys == sorted(keys)
    # the target count is the first rank whose cumulative share reaches the target
    k = result.summary["entities_for_target"]
    assert cumulative[k - 1] >= target - 1e-9
    assert k == 1 or cumulative[k - 2] < target - 1e-9


def test_share_base_includes_zero_and_lists_negatives_apart() -> None:
    # a 60, b 30, c 10, z 0 (bought and returned everything), n −5.
    # Base: a, b, c, z (4 customers, total 100); n is apart.
    frame = ledger({"n": -5.0, "z": 0.0, "c": 10.0, "b": 30.0, "a": 60.0})
    result = pareto(frame)
    rows = result.rows
    assert rows["customer"].tolist() == ["a", "b", "c", "z", "n"]
    assert rows["included"].tolist() == [True, True, True, True, False]
    assert rows["share"].tolist()[:4] == [0.6, 0.3, 0.1, 0.0]
    assert rows["cumulative_share"].tolist()[:4] == [0.6, 0.9, 1.0, 1.0]
    assert rows["rank_share"].tolist()[:4] == [0.25, 0.5, 0.75, 1.0]
    assert np.isnan(rows["share"].iloc[4])
    s = result.summary
    assert (s["base_entities"], s["zero_entities"], s["negative_entities"]) == (4, 1, 1)
    assert s["negative_value"] == -5.0
    # 80 %: a (60) then b crosses -> 2 of the 4 customers of the base
    assert s["entities_for_target"] == 2 and s["entities_for_target_share"] == 0.5
    # top 20 % of 4: ceil(0.8) = 1 -> a, 60 %
    assert s["top20_entities"] == 1 and s["top20_share"] == 0.6
    # Gini over 60, 30, 10, 0: unordered |differences| 30 50 60 20 30 10 = 200, ordered 400;
    # 400 / (2 × 4² × mean 25) = 400 / 800 = 0.5 (leaving the zero out would give 1/3)
    assert s["gini"] == pytest.approx(0.5)
    assert s["hhi"] == pytest.approx(0.36 + 0.09 + 0.01)
    assert headline(result)[2].startswith("Concentration: Gini 0.50 over 4 customers")
    assert headline(result)[4] == (
        "Customers with zero net revenue: 1; they are part of the base of every share."
    )
