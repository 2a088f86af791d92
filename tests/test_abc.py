"""ABC classification: hand-computed cases for each rule, then properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamtool.analyses.abc import abc
from kamtool.analyses.pareto import pareto
from kamtool.errors import AnalysisError, UsageError
from kamtool.render import words
from kamtool.result import Result


def headline(result: Result, lang: str = "en") -> list[str]:
    return words.headline(result, lang)


def notes(result: Result, lang: str = "en") -> list[str]:
    return words.notes(result, lang)


def ledger(revenue: dict[str, float], **extra: list[float]) -> pd.DataFrame:
    frame = pd.DataFrame({"customer": list(revenue), "revenue": list(revenue.values())})
    for column, values in extra.items():
        frame[column] = values
    return frame


def classes_of(frame: pd.DataFrame, **kwargs: object) -> dict[str, str]:
    rows = abc(frame, **kwargs).rows  # type: ignore[arg-type]
    return dict(zip(rows["customer"], rows["class"], strict=True))


# ---------------------------------------------------------------- cumulative rule


def test_boundary_entity_goes_to_the_higher_class() -> None:
    # cumulative 50, 90, 95, 98, 100 of 100.
    # a: before it 0 -> A.  b: before it 50 < 80, it crosses 80 -> A.
    # c: before it 90, it reaches 95 exactly -> B.  d: before it 95 -> C.  e -> C.
    frame = ledger({"d": 3.0, "a": 50.0, "e": 2.0, "c": 5.0, "b": 40.0})
    result = abc(frame)
    assert result.rows["customer"].tolist() == ["a", "b", "c", "d", "e"]
    assert result.rows["class"].tolist() == ["A", "A", "B", "C", "C"]
    expected = pd.DataFrame(
        {
            "class": ["A", "B", "C"],
            "entities": np.array([2, 1, 2], dtype="int64"),
            "entity_share": [0.4, 0.2, 0.4],
            "value": [90.0, 5.0, 5.0],
            "value_share": [0.9, 0.05, 0.05],
            "average_value": [45.0, 5.0, 2.5],
        }
    )
    pd.testing.assert_frame_equal(result.tables["classes"], expected, check_dtype=False)
    assert result.summary["class_a_entities"] == 2
    assert result.summary["class_a_value_share"] == pytest.approx(0.9)
    assert result.summary["class_c_entity_share"] == pytest.approx(0.4)


def test_reaching_a_cut_off_exactly_closes_the_class() -> None:
    # cut-offs 50 / 90: a reaches 50 exactly -> A alone; b (50 before it) reaches 90 -> B;
    # c has 90 before it -> C.
    frame = ledger({"a": 50.0, "b": 40.0, "c": 5.0, "d": 3.0, "e": 2.0})
    assert classes_of(frame, thresholds=(0.5, 0.9)) == {
        "a": "A",
        "b": "B",
        "c": "C",
        "d": "C",
        "e": "C",
    }


def test_boundary_despite_float_rounding() -> None:
    # 0.42 + 0.22 = 0.64 is exactly 80 % of 0.80 (0.8 × 0.8 = 0.6400000000000001 in binary):
    # b reaches the cut-off, so c has 80 % before it and is B, not A.
    frame = ledger({"a": 0.42, "b": 0.22, "c": 0.16})
    assert classes_of(frame) == {"a": "A", "b": "A", "c": "B"}


def test_ties_split_by_id_whatever_the_row_order() -> None:
    # z 60, then a and b tie at 20: id order puts a first.  a has 60 before it -> A
    # (reaching 80); b has 80 before it -> B.
    frame = ledger({"b": 20.0, "z": 60.0, "a": 20.0})
    assert classes_of(frame) == {"z": "A", "a": "A", "b": "B"}
    assert classes_of(frame.iloc[::-1].reset_index(drop=True)) == {"z": "A", "a": "A", "b": "B"}


def test_non_positive_entities_are_class_c_and_outside_the_shares() -> None:
    # positive total 70 + 20 + 10 = 100.  a: 0 before -> A; b: 70 before -> A (to 90);
    # c: 90 before -> B.  z (0) and r (-5) are C, ranked last (0 before -5).
    # The base of the shares of customers: a, b, c and z (zero included); r is apart.
    frame = ledger({"r": -5.0, "c": 10.0, "a": 70.0, "z": 0.0, "b": 20.0})
    result = abc(frame)
    rows = result.rows
    assert rows["customer"].tolist() == ["a", "b", "c", "z", "r"]
    assert rows["class"].tolist() == ["A", "A", "B", "C", "C"]
    assert rows["included"].tolist() == [True, True, True, True, False]
    assert rows["cumulative_share"].isna().tolist() == [False, False, False, False, True]
    classes = result.tables["classes"].set_index("class")
    assert classes["entities"].tolist() == [2, 1, 2]
    # of the base of 4: A 2, B 1, C 1 (z; r is counted in C but outside the shares)
    assert classes["entity_share"].tolist() == [0.5, 0.25, 0.25]
    # pareto prints the same share for the same two customers
    assert pareto(frame).summary["entities_for_target_share"] == 0.5
    # C's value is the net 0 - 5 = -5; its share of value is of the base only (z: 0 of 100),
    # so r's -5 never makes C "-5 % of revenue" and the value shares add up to 100 %.
    assert classes.loc["C", "value"] == -5.0
    assert classes.loc["C", "value_share"] == 0.0
    assert classes.loc["C", "average_value"] == pytest.approx(-2.5)
    assert classes["value_share"].tolist() == [0.9, 0.1, 0.0]
    assert result.summary["non_positive_entities"] == 2
    assert result.summary["non_positive_value"] == -5.0


def test_empty_class_has_no_average() -> None:
    # one customer: A alone, B and C empty
    result = abc(ledger({"a": 5.0}))
    classes = result.tables["classes"]
    assert classes["entities"].tolist() == [1, 0, 0]
    assert classes["average_value"].isna().tolist() == [False, True, True]


# ---------------------------------------------------------------- rank rule


def test_rank_rule_rounds_up_when_the_count_does_not_divide() -> None:
    # 7 positive customers, shares 10 / 30:
    # A = ceil(0.1 × 7 = 0.7) = 1; A + B = ceil(0.4 × 7 = 2.8) = 3, so B = 2;
    # C = the other 4 positives plus n (negative) = 5.
    revenue = {"g": 10.0, "a": 70.0, "c": 50.0, "n": -1.0, "e": 30.0, "b": 60.0, "f": 20.0}
    revenue["d"] = 40.0
    result = abc(ledger(revenue), method="rank", shares=(0.1, 0.3))
    assert result.rows["customer"].tolist() == ["a", "b", "c", "d", "e", "f", "g", "n"]
    assert result.rows["class"].tolist() == ["A", "B", "B", "C", "C", "C", "C", "C"]
    assert result.tables["classes"]["entities"].tolist() == [1, 2, 5]
    assert result.params["rounding"] == "ceil"
    assert result.params["shares"] == [0.1, 0.3]
    assert result.params["thresholds"] is None


def test_rank_rule_ignores_binary_noise() -> None:
    # 100 customers: 0.07 × 100 is 7.000000000000001 and 0.55 × 100 is 55.00000000000001
    # in binary; the counts are still A = 7, A + B = 55 (B = 48), C = 45.
    frame = pd.DataFrame(
        {"customer": [f"k{i:03d}" for i in range(100)], "revenue": np.arange(100, 0, -1.0)}
    )
    result = abc(frame, method="rank", shares=(0.07, 0.48))
    assert result.tables["classes"]["entities"].tolist() == [7, 48, 45]


def test_rank_rule_splits_ties_by_id() -> None:
    # ten equal customers, 10 / 30: A = ceil(1) = 1 (e0), A + B = ceil(4) = 4 (e1 to e3 B)
    names = ["e7", "e2", "e0", "e9", "e4", "e1", "e5", "e3", "e8", "e6"]
    frame = pd.DataFrame({"customer": names, "revenue": [5.0] * 10})
    classes = classes_of(frame, method="rank")
    assert [name for name in sorted(classes) if classes[name] == "A"] == ["e0"]
    assert [name for name in sorted(classes) if classes[name] == "B"] == ["e1", "e2", "e3"]


def test_rank_rule_with_shares_summing_to_one() -> None:
    # 3 positives, 50 / 50: A = ceil(1.5) = 2, A + B = 3: no positive customer is C.
    frame = ledger({"a": 3.0, "b": 2.0, "c": 1.0, "x": -1.0})
    assert classes_of(frame, method="rank", shares=(0.5, 0.5)) == {
        "a": "A",
        "b": "A",
        "c": "B",
        "x": "C",
    }


# ---------------------------------------------------------------- grid


def test_profit_grid_by_hand() -> None:
    # revenue classes (80 / 95): cumulative 50, 80, 95, 100 -> a A, b A (reaches 80),
    # c B (80 before it, reaches 95), d C (95 before it); e (-2) C.
    # profit classes: positive profits b 20, c 3, d 0.5 = 23.5; b A; c has 20 / 23.5 =
    # 85 % before it -> B; d has 23 / 23.5 = 97.9 % before it -> C; a (-4) and e (-1) C.
    frame = ledger(
        {"a": 50.0, "b": 30.0, "c": 15.0, "d": 5.0, "e": -2.0},
        profit=[-4.0, 20.0, 3.0, 0.5, -1.0],
    )
    result = abc(frame, grid="profit")
    assert result.rows["class"].tolist() == ["A", "A", "B", "C", "C"]
    assert result.rows["profit_class"].tolist() == ["C", "A", "B", "C", "C"]
    assert result.rows["profit"].tolist() == [-4.0, 20.0, 3.0, 0.5, -1.0]
    # rows: revenue class; columns: profit class
    counts = pd.DataFrame(
        {
            "class": ["A", "B", "C"],
            "profit_A": [1, 0, 0],  # b
            "profit_B": [0, 1, 0],  # c
            "profit_C": [1, 0, 2],  # a; d and e
        }
    )
    pd.testing.assert_frame_equal(result.tables["grid_entities"], counts, check_dtype=False)
    value = pd.DataFrame(
        {
            "class": ["A", "B", "C"],
            "profit_A": [30.0, 0.0, 0.0],
            "profit_B": [0.0, 15.0, 0.0],
            "profit_C": [50.0, 0.0, 3.0],  # C: 5 - 2
        }
    )
    pd.testing.assert_frame_equal(result.tables["grid_value"], value, check_dtype=False)
    long = result.tables["grid"]
    assert len(long) == 9
    assert long["entities"].sum() == 5
    a_c = long[(long["class"] == "A") & (long["profit_class"] == "C")].iloc[0]
    assert (a_c["entities"], a_c["revenue"], a_c["profit"]) == (1, 50.0, -4.0)
    assert result.summary["class_a_profit_c_entities"] == 1
    assert result.summary["class_a_profit_c_value_share"] == pytest.approx(0.5)
    assert headline(result)[-1] == (
        "Class A customers that are only class C by profit: 1 (50.0 % of revenue)."
    )
    assert result.heatmaps[0].table == "grid_entities"


def test_grid_with_another_measure_keeps_revenue() -> None:
    frame = pd.DataFrame(
        {
            "customer": ["a", "b"],
            "revenue": [10.0, 90.0],
            "orders": np.array([3, 1], dtype="int64"),
            "profit": [1.0, 2.0],
        }
    )
    grid = abc(frame, measure="orders", grid="profit").tables["grid"]
    assert {"orders", "revenue", "profit"} <= set(grid.columns)
    assert grid["revenue"].sum() == 100.0


def test_grid_without_profit_column() -> None:
    with pytest.raises(AnalysisError, match="profit needs a cost or profit column"):
        abc(ledger({"a": 1.0}), grid="profit")


# ---------------------------------------------------------------- options, texts


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"thresholds": (0.95, 0.8)}, "ascend"),
        ({"thresholds": (0.8, 0.8)}, "ascend"),
        ({"thresholds": (80, 95)}, "0.8,0.95"),
        ({"thresholds": (0.8, 1.2)}, "shares in"),
        ({"thresholds": (0.8,)}, "two values"),
        ({"method": "rank", "shares": (0.6, 0.5)}, "at most 1"),
        ({"method": "rank", "shares": (0.0, 0.3)}, "above 0"),
        ({"method": "kmeans"}, "unknown method"),
        ({"grid": "margin"}, "unknown grid"),
        ({"grid": "profit", "measure": "profit"}, "another --measure"),
        ({"measure": "margin"}, "unknown measure"),
    ],
)
def test_usage_errors(kwargs: dict[str, object], message: str) -> None:
    frame = ledger({"a": 1.0}, profit=[1.0])
    with pytest.raises(UsageError, match=message):
        abc(frame, **kwargs)  # type: ignore[arg-type]


def test_unused_rule_is_not_validated() -> None:
    # --shares only matter for the rank method
    assert abc(ledger({"a": 1.0}), shares=(0.9, 0.9)).params["shares"] is None


def test_method_cut_offs_and_tie_rule_travel_with_the_result() -> None:
    result = abc(ledger({"a": 50.0, "b": 40.0, "c": 10.0}))
    assert result.params["method"] == "cumulative"
    assert result.params["thresholds"] == [0.8, 0.95]
    assert "higher class" in result.params["boundary_rule"]
    assert "entity id ascending" in result.params["tie_rule"]
    assert "Method: cumulative share, cut-offs 80 % / 95 %." in headline(result)
    # a 50, b 40: 2 of 3 customers, 90 %
    assert headline(result)[0] == "Class A: 66.7 % of customers (2) make 90.0 % of revenue."
    assert any("lower id goes to the higher class" in note for note in notes(result))
    assert [chart.kind for chart in result.charts] == ["pareto", "column"]
    assert result.display_columns is not None and "class" in result.display_columns


def test_chinese_labels() -> None:
    frame = pd.DataFrame({"salesperson": ["王", "李"], "revenue": [90.0, 10.0]})
    zh = headline(abc(frame, by="salesperson"), "zh")
    assert zh[0] == "A类业务员：50.0% 的业务员（1 个）贡献了 90.0% 的销售额。"
    assert zh[3] == "方法：累计占比，分界 80% / 95%。"
    zh_customers = abc(ledger({"a": 1.0}), method="rank")
    assert headline(zh_customers, "zh")[0].startswith("A类客户")
    assert any("向上取整" in note for note in notes(zh_customers, "zh"))


# ---------------------------------------------------------------- properties

names = st.lists(
    st.text(alphabet="abcxyz019", min_size=1, max_size=4), min_size=1, max_size=40, unique=True
)


@st.composite
def ledgers(draw: st.DrawFn) -> pd.DataFrame:
    customers = draw(names)
    size = len(customers)
    cents = draw(st.lists(st.integers(-500, 3000), min_size=size, max_size=size))
    if max(cents) <= 0:
        cents[0] = 1
    profit = draw(st.lists(st.integers(-2000, 2000), min_size=size, max_size=size))
    return pd.DataFrame(
        {"customer": customers, "revenue": np.array(cents) / 100, "profit": np.array(profit) / 10}
    )


cut_offs = st.tuples(st.integers(1, 99), st.integers(1, 100)).filter(lambda t: t[0] < t[1])
entity_shares = st.tuples(st.integers(1, 99), st.integers(1, 99)).filter(lambda t: sum(t) <= 100)


@settings(max_examples=40, deadline=None)
@given(frame=ledgers(), cuts=cut_offs)
def test_cumulative_classes_partition_and_respect_cut_offs(
    frame: pd.DataFrame, cuts: tuple[int, int]
) -> None:
    t_a, t_b = cuts[0] / 100, cuts[1] / 100
    result = abc(frame, thresholds=(t_a, t_b))
    rows = result.rows
    # a partition: every customer once, one class each, and the summary counts them all
    assert sorted(rows["customer"]) == sorted(frame["customer"])
    assert set(rows["class"]) <= {"A", "B", "C"}
    counts = rows["class"].value_counts()
    table = result.tables["classes"].set_index("class")["entities"]
    assert [counts.get(c, 0) for c in "ABC"] == table.tolist()
    assert table.sum() == len(frame)
    # classes never interleave along the ranking
    assert rows["class"].tolist() == sorted(rows["class"])
    # the cut-off rule: a class ends at the first entity whose cumulative share reaches it
    cumulative = rows["cumulative_share"].to_numpy()
    for cls, cut in (("A", t_a), ("B", t_b)):
        top = int(np.count_nonzero(rows["class"] <= cls))
        if top <= result.summary["positive_entities"]:
            assert cumulative[top - 1] >= cut - 1e-9
            assert top == 1 or cumulative[top - 2] < cut - 1e-9
    assert (rows.loc[~rows["included"], "class"] == "C").all()
    # same count as pareto's "entities for the target"
    assert table["A"] == pareto(frame, target=t_a).summary["entities_for_target"]


@settings(max_examples=50, deadline=None)
@given(frame=ledgers(), shares=entity_shares)
def test_rank_classes_follow_the_ceiling_rule(frame: pd.DataFrame, shares: tuple[int, int]) -> None:
    result = abc(frame, method="rank", shares=(shares[0] / 100, shares[1] / 100))
    base = result.summary["base_entities"]
    positive = result.summary["positive_entities"]
    # exact integer ceilings of the base: ceil(n × s / 100) = -(-n × s // 100); zero and
    # negative values are C whatever their rank
    a = min(-(-base * shares[0] // 100), positive)
    ab = min(-(-base * (shares[0] + shares[1]) // 100), positive)
    table = result.tables["classes"]["entities"].tolist()
    assert table == [a, ab - a, len(frame) - ab]
    assert result.rows["class"].tolist() == sorted(result.rows["class"])


@settings(max_examples=25, deadline=None)
@given(
    frame=ledgers(),
    seed=st.integers(0, 2**32 - 1),
    method=st.sampled_from(["cumulative", "rank"]),
)
def test_shuffling_rows_changes_nothing(frame: pd.DataFrame, seed: int, method: str) -> None:
    shuffled = frame.sample(frac=1, random_state=seed).reset_index(drop=True)
    first = abc(frame, method=method, grid="profit")
    second = abc(shuffled, method=method, grid="profit")
    pd.testing.assert_frame_equal(first.rows, second.rows)
    for name, table in first.tables.items():
        pd.testing.assert_frame_equal(table, second.tables[name])
    assert first.summary == second.summary


def test_issue_case_in_cents_gives_a_a_b() -> None:
    # 799,999,999.95 + 100,000,000.05 + 100,000,000.00 = 1,000,000,000.00; the A limit is
    # 800,000,000.00 and the second customer has 799,999,999.95 before it: A. The third has
    # 900,000,000.00 before it, below the B limit 950,000,000.00: B. (On floats with a
    # tolerance the second customer fell to B.)
    frame = ledger({"x": 799_999_999.95, "y": 100_000_000.05, "z": 100_000_000.00})
    assert classes_of(frame, thresholds=(0.8, 0.95)) == {"x": "A", "y": "A", "z": "B"}
