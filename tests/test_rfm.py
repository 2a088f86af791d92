"""RFM: binning and segment rules on hand-computed cases, then properties."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamtool.analyses.rfm import (
    DEFAULT_SEGMENTS,
    NEGATIVE,
    OTHERS,
    SegmentRule,
    SegmentTable,
    assign_scores,
    load_segments,
    rfm,
    rules_frame,
    score_breaks,
)
from kamtool.errors import AnalysisError, UsageError
from kamtool.render import words
from kamtool.render.words.rfm import rule_action, rule_name, rules_table
from kamtool.result import Chart, Heatmap

AS_OF = pd.Timestamp("2024-04-01")


def ledger(rows: dict[str, tuple[str, int, float]]) -> pd.DataFrame:
    """customer -> (last order date, orders, net revenue)."""
    return pd.DataFrame(
        {
            "customer": list(rows),
            "last_date": pd.to_datetime([r[0] for r in rows.values()]),
            "orders": np.array([r[1] for r in rows.values()], dtype="int64"),
            "revenue": np.array([r[2] for r in rows.values()], dtype="float64"),
        }
    )


# ----------------------------------------------------------------------- binning


def test_breaks_interpolate_like_r_type_7() -> None:
    # n = 10, positions (n - 1) * i / 5 = 1.8, 3.6, 5.4, 7.2 on the sorted values 1..10:
    # x[1] + 0.8 (x[2] - x[1]) = 2.8, x[3] + 0.6 = 4.6, x[5] + 0.4 = 6.4, x[7] + 0.2 = 8.2
    values = np.array([7, 1, 10, 3, 5, 2, 9, 4, 8, 6])
    breaks = score_breaks(values, 5)
    np.testing.assert_allclose(breaks, [2.8, 4.6, 6.4, 8.2], rtol=0, atol=1e-12)
    np.testing.assert_allclose(breaks, np.quantile(values, [0.2, 0.4, 0.6, 0.8]), atol=1e-12)
    # 1, 2 < 2.8 -> 1; 3, 4 -> 2; 5, 6 -> 3; 7, 8 -> 4; 9, 10 -> 5
    assert assign_scores(np.arange(1, 11), breaks).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_break_on_a_data_value_is_that_value_and_lower_bound_is_inclusive() -> None:
    # n = 6: positions 5 * i / 5 = i exactly, so the breaks are x[1..4] = 2, 3, 4, 5 exactly
    breaks = score_breaks(np.array([1, 2, 3, 4, 5, 6]), 5)
    assert breaks.tolist() == [2.0, 3.0, 4.0, 5.0]
    # a value on a break goes to the lower bin: 2 -> 1, 3 -> 2 …; R (breaks + 1, lower <= x <
    # upper) gives the same on whole numbers; breaks given by hand are lower edges
    assert assign_scores([1, 2, 3, 4, 5, 6], breaks).tolist() == [1, 1, 2, 3, 4, 5]
    assert assign_scores([1, 2, 3, 4, 5, 6], breaks, "r-rfm").tolist() == [1, 1, 2, 3, 4, 5]
    assert assign_scores([1, 2, 3, 4, 5, 6], breaks, computed=False).tolist() == [1, 2, 3, 4, 5, 5]


def test_ties_share_a_score_and_leave_empty_bins() -> None:
    # sorted 1,1,1,1,1,1,2,2,3,10; positions 1.8 -> 1; 3.6 -> 1; 5.4 -> 1 + 0.4 (2 - 1) = 1.4;
    # 7.2 -> 2 + 0.2 (3 - 2) = 2.2. The breaks 1, 1 repeat: no score is 1 or 2.
    values = np.array([1, 1, 1, 1, 1, 1, 2, 2, 3, 10])
    breaks = score_breaks(values, 5)
    np.testing.assert_allclose(breaks, [1.0, 1.0, 1.4, 2.2], atol=1e-12)
    # 1: no break < 1 -> 1; 2: three breaks < 2 -> 4; 3 and 10: four -> 5
    assert assign_scores(values, breaks).tolist() == [1] * 6 + [4, 4, 5, 5]


def test_custom_thresholds_bin_by_hand() -> None:
    # breaks 2, 5, 10, 20: [<2]=1, [2,5)=2, [5,10)=3, [10,20)=4, [>=20]=5
    values = [1, 2, 4, 5, 9.99, 10, 19, 20, 100]
    assert assign_scores(values, [2, 5, 10, 20], computed=False).tolist() == [1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_single_customer_gets_the_lowest_value_bin() -> None:
    # n = 1: every break is the only value, which goes to the lowest bin (a value on a break
    # goes to the lower bin); R's raised breaks (43) put it there too
    assert score_breaks([42.0], 5).tolist() == [42.0] * 4
    assert assign_scores([42.0], [42.0] * 4).tolist() == [1]
    assert assign_scores([42.0], [42.0] * 4, "r-rfm").tolist() == [1]


# ----------------------------------------------------------------------- the analysis

# as of 2024-04-01 (day after the last order, 2024-03-31):
# recency A 1, B 2, C 31 (March 1 -> April 1), D 91 (Jan 31 + Feb 29 + Mar 31),
# E 276 (2023-06-30 -> 2024-01-01 is 185 days, + 91)
FIVE = ledger(
    {
        "C": ("2024-03-01", 3, 300.0),
        "A": ("2024-03-31", 10, 1000.0),
        "E": ("2023-06-30", 1, 100.0),
        "B": ("2024-03-30", 5, 500.0),
        "D": ("2024-01-01", 2, 200.0),
    }
)


def test_five_customers_by_hand() -> None:
    result = rfm(FIVE)
    assert result.command == "rfm"
    assert result.summary["as_of"] == AS_OF
    # n = 5, positions 4 i / 5 = 0.8, 1.6, 2.4, 3.2
    # recency 1, 2, 31, 91, 276: 1.8, 2 + 0.6 * 29 = 19.4, 31 + 0.4 * 60 = 55, 91 + 0.2 * 185 = 128
    np.testing.assert_allclose(result.summary["r_breaks"], [1.8, 19.4, 55.0, 128.0])
    # orders 1, 2, 3, 5, 10: 1 + 0.8, 2 + 0.6, 3 + 0.4 * 2 = 3.8, 5 + 0.2 * 5 = 6
    np.testing.assert_allclose(result.summary["f_breaks"], [1.8, 2.6, 3.8, 6.0])
    # revenue is 100 x orders
    np.testing.assert_allclose(result.summary["m_breaks"], [180.0, 260.0, 380.0, 600.0])
    rows = result.rows.set_index("customer").loc[list("ABCDE")]
    assert rows["recency"].tolist() == [1, 2, 31, 91, 276]
    assert rows["frequency"].tolist() == [10, 5, 3, 2, 1]
    assert rows["monetary"].tolist() == [1000.0, 500.0, 300.0, 200.0, 100.0]
    assert rows["r_score"].tolist() == [5, 4, 3, 2, 1]  # reversed: most recent highest
    assert rows["f_score"].tolist() == [5, 4, 3, 2, 1]
    assert rows["m_score"].tolist() == [5, 4, 3, 2, 1]
    assert rows["rfm_score"].tolist() == [555, 444, 333, 222, 111]
    # 555, 444 Champions; 333 Loyal; 222 misses Loyal/At Risk and lands in Need Attention
    # (R 2-3, F 2-5, M 2-5); 111 is Lost, listed before Hibernating
    assert rows["segment"].tolist() == [
        "Champions",
        "Champions",
        "Loyal Customers",
        "Need Attention",
        "Lost",
    ]
    # rows come best first
    assert result.rows["customer"].tolist() == list("ABCDE")
    assert list(result.rows.columns) == [
        "customer",
        "recency",
        "frequency",
        "monetary",
        "r_score",
        "f_score",
        "m_score",
        "rfm_score",
        "segment",
    ]


def test_segment_summary_by_hand() -> None:
    seg = rfm(FIVE).tables["segments"].set_index("segment")
    assert list(seg.index) == [rule.name for rule in DEFAULT_SEGMENTS]  # no Others row
    champions = seg.loc["Champions"]
    # A and B: 2 of 5, revenue 1500 of 2100, recency (1 + 2) / 2, orders (10 + 5) / 2
    assert champions["customers"] == 2
    assert champions["share"] == pytest.approx(0.4)
    assert champions["revenue"] == pytest.approx(1500.0)
    assert champions["revenue_share"] == pytest.approx(1500 / 2100)
    assert champions["mean_recency"] == pytest.approx(1.5)
    assert champions["mean_frequency"] == pytest.approx(7.5)
    assert champions["mean_monetary"] == pytest.approx(750.0)
    assert "action" not in seg.columns  # words: added for people, never in JSON
    shown = words.for_people(rfm(FIVE), "en").tables["segments"].set_index("segment")
    assert shown.loc["Champions", "action"].startswith("Retain")
    empty = seg.loc["At Risk"]
    assert empty["customers"] == 0 and empty["revenue"] == 0.0
    assert np.isnan(empty["mean_recency"])
    assert seg["customers"].sum() == 5


def test_scores_table_counts_and_thresholds() -> None:
    result = rfm(FIVE)
    scores = result.tables["scores"]
    f = scores[scores["dimension"] == "F"].set_index("score")
    # F score 1: below 1.8; score 5: from 6.0 up, no upper limit
    assert np.isnan(f.loc[1, "lower"]) and f.loc[1, "upper"] == pytest.approx(1.8)
    assert f.loc[5, "lower"] == pytest.approx(6.0) and np.isnan(f.loc[5, "upper"])
    assert f["customers"].tolist() == [1, 1, 1, 1, 1]
    r = scores[scores["dimension"] == "R"].set_index("score")
    # reversed: R 5 is the lowest recency bin (below 1.8 days), holding A (1 day)
    assert np.isnan(r.loc[5, "lower"]) and r.loc[5, "upper"] == pytest.approx(1.8)
    assert r.loc[5, "min_value"] == 1 and r.loc[1, "min_value"] == 276
    assert result.summary["f_counts"] == {"5": 1, "4": 1, "3": 1, "2": 1, "1": 1}
    assert result.summary["empty_scores"] == []


def test_heatmap_of_mean_monetary() -> None:
    result = rfm(FIVE)
    heat = result.tables["rf_heatmap"].set_index("r_score")
    assert list(heat.index) == [5, 4, 3, 2, 1]
    assert list(heat.columns) == ["f_1", "f_2", "f_3", "f_4", "f_5"]
    assert heat.loc[5, "f_5"] == 1000.0 and heat.loc[1, "f_1"] == 100.0
    assert np.isnan(heat.loc[5, "f_1"])
    assert result.heatmaps == [Heatmap(table="rf_heatmap", columns=list(heat.columns))]
    assert result.charts[0] == Chart(
        kind="bar",
        table="segments",
        category="segment",
        values=["customers"],
        title="rfm.chart.segments",
        max_points=50,
    )
    assert "rules" not in result.tables
    assert len(words.for_people(result, "en").tables["rules"]) == len(DEFAULT_SEGMENTS)


def test_skewed_frequency_leaves_scores_empty_and_says_so() -> None:
    # orders 1,1,1,1,1,1,2,2,3,10 -> breaks 1, 1, 1.4, 2.2 (see the binning test)
    orders = [1, 1, 1, 1, 1, 1, 2, 2, 3, 10]
    frame = ledger({f"c{i}": ("2024-03-31", o, 100.0 + i) for i, o in enumerate(orders)})
    result = rfm(frame)
    assert result.summary["f_counts"] == {"5": 2, "4": 2, "3": 0, "2": 0, "1": 6}
    assert "F2" in result.summary["empty_scores"] and "F3" in result.summary["empty_scores"]
    assert any("F2, F3" in line for line in words.headline(result, "en"))
    # all recencies are equal: every break is that value, all in the lowest value bin -> R 5 (as R)
    assert set(result.rows["r_score"]) == {5}  # one recency for all: value bin 1, as in R


def test_given_as_of_and_recency_thresholds() -> None:
    # as of 2024-04-30 (29 days after April 1): A 30 days, B 31, C 60, D 120, E 305;
    # breaks 30, 60, 90, 180 days: 30 -> [30, 60) value bin 2 -> R 4; 31 -> R 4;
    # 60 -> [60, 90) R 3; 120 -> [90, 180) R 2; 305 -> R 1
    result = rfm(FIVE, as_of="2024-04-30", thresholds={"r": [30, 60, 90, 180]})
    rows = result.rows.set_index("customer").loc[list("ABCDE")]
    assert rows["recency"].tolist() == [30, 31, 60, 120, 305]
    assert rows["r_score"].tolist() == [4, 4, 3, 2, 1]
    assert result.summary["r_breaks"] == [30.0, 60.0, 90.0, 180.0]
    assert result.params["thresholds"] == {"r": [30.0, 60.0, 90.0, 180.0]}
    assert any("by hand" in note for note in words.notes(result, "en"))


def test_as_of_not_after_last_order_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="not after the last order"):
        rfm(FIVE, as_of="2024-03-31")
    with pytest.raises(UsageError, match="not a date"):
        rfm(FIVE, as_of="someday")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bins": 1}, "--bins"),
        ({"bins": 10}, "--bins"),
        ({"thresholds": {"x": [1, 2]}}, "only r, f and m"),
        ({"thresholds": {"f": [2, 2, 3, 4]}}, "strictly increasing"),
        ({"thresholds": {"f": []}}, "1 to 8 breaks"),
        # 3 breaks = 4 scores, but the default rules are written for 5
        ({"thresholds": {"m": [1, 2, 3]}}, "written for scores 1 … 5"),
        ({"bins": 4}, "written for scores 1 … 5"),
    ],
)
def test_bad_parameters(kwargs: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        rfm(FIVE, **kwargs)


def test_bad_ledger() -> None:
    with pytest.raises(AnalysisError, match="last_date"):
        rfm(FIVE.drop(columns="last_date"))
    with pytest.raises(AnalysisError, match="no customers"):
        rfm(FIVE.iloc[:0])


# ----------------------------------------------------------------------- segment rules

# Fixed breaks make each score easy to hit: recency 5/15/25/35/45 days -> R 5..1,
# orders s -> F s, revenue 100 s - 50 -> M s.
FIXED = {"r": [10, 20, 30, 40], "f": [2, 3, 4, 5], "m": [100, 200, 300, 400]}


def customers_with_scores(cells: list[tuple[int, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer": [f"{r}{f}{m}" for r, f, m in cells],
            "last_date": [AS_OF - pd.Timedelta(days=5 + 10 * (5 - r)) for r, _, _ in cells],
            "orders": np.array([f for _, f, _ in cells], dtype="int64"),
            "revenue": np.array([100.0 * m - 50 for _, _, m in cells]),
        }
    )


# One witness per default segment, plus the cells where first-match order decides.
WITNESSES = {
    (5, 5, 5): "Champions",
    (4, 4, 4): "Champions",
    (3, 3, 3): "Loyal Customers",
    (5, 3, 1): "Potential Loyalist",  # F3 but M1: not Loyal
    (5, 2, 1): "Potential Loyalist",
    (5, 1, 5): "New Customers",  # one order, even a big one
    (4, 1, 1): "Promising",
    (3, 1, 3): "Promising",
    (2, 2, 2): "Need Attention",
    (3, 2, 5): "Need Attention",
    (3, 2, 1): "About To Sleep",
    (2, 3, 3): "At Risk",
    (1, 5, 3): "At Risk",
    (1, 4, 4): "Can't Lose Them",  # would be At Risk if the order were reversed
    (1, 1, 1): "Lost",  # would be Hibernating if the order were reversed
    (1, 2, 2): "Lost",
    (1, 1, 5): "Hibernating",
    (2, 1, 1): "Hibernating",
    (2, 5, 1): "Hibernating",
}


def test_every_default_segment_is_reachable_through_the_analysis() -> None:
    cells = list(WITNESSES)
    result = rfm(customers_with_scores(cells), as_of=AS_OF, thresholds=FIXED)
    rows = result.rows.set_index("customer")
    for (r, f, m), expected in WITNESSES.items():
        row = rows.loc[f"{r}{f}{m}"]
        assert (row["r_score"], row["f_score"], row["m_score"]) == (r, f, m)
        assert row["segment"] == expected, (r, f, m)
    assert {rule.name for rule in DEFAULT_SEGMENTS} <= set(WITNESSES.values())
    assert (result.tables["segments"]["customers"] > 0).all()


def test_default_table_covers_all_125_cells() -> None:
    cells = list(itertools.product(range(1, 6), repeat=3))
    result = rfm(customers_with_scores(cells), as_of=AS_OF, thresholds=FIXED)
    assert result.summary["others"] == 0
    assert OTHERS not in set(result.rows["segment"])
    # the vectorised lookup agrees with the plain first-match reading of the table
    for row in result.rows.itertuples():
        assert row.segment == DEFAULT_SEGMENTS.segment_of(row.r_score, row.f_score, row.m_score)


def test_customers_matching_no_rule_are_others_and_counted() -> None:
    table = SegmentTable(
        rules=(SegmentRule("Top", (5, 5), (1, 5), (1, 5), action="Keep them."),), source="t.toml"
    )
    result = rfm(FIVE, segments=table)
    assert result.rows.set_index("customer")["segment"].to_dict() == {
        "A": "Top",
        "B": OTHERS,
        "C": OTHERS,
        "D": OTHERS,
        "E": OTHERS,
    }
    assert result.summary["others"] == 4
    assert result.summary["segment_counts"] == {"Top": 1, OTHERS: 4}
    seg = result.tables["segments"].set_index("segment")
    assert seg.loc[OTHERS, "customers"] == 4
    shown = words.for_people(result, "zh").tables["segments"].set_index("segment")
    assert shown.loc["Top", "action"] == "Keep them."  # the rule file's own text
    assert shown.loc["其他", "action"].startswith("未匹配")
    assert any("4 customers match no segment rule" in line for line in words.headline(result, "en"))


def test_chinese_labels() -> None:
    result = rfm(FIVE)
    # Rows keep the stable English names for scripts; the report reads them in Chinese.
    assert result.rows.set_index("customer").loc["A", "segment"] == "Champions"
    assert result.tables["segments"]["segment"].iloc[0] == "Champions"
    shown = words.for_people(result, "zh")
    assert shown.rows.set_index("customer").loc["A", "segment"] == "冠军客户"
    assert shown.tables["segments"]["segment"].iloc[0] == "冠军客户"
    assert "截至" in words.headline(result, "zh")[0]
    assert rules_frame()["segment"].iloc[-1] == "Hibernating"  # codes
    assert rules_table(lang="zh")["segment"].iloc[-1] == "休眠客户"


# ----------------------------------------------------------------------- rule files

GOOD = """
scale = 3

[[segment]]
name = "Best"
name_zh = "最好"
r = 3
f = [2, 3]
action = "Thank them."

[[segment]]
name = "Champions"
r = [1, 3]
"""


def test_load_segments_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(GOOD, encoding="utf-8")
    table = load_segments(path)
    assert table.scale == 3 and table.source == str(path)
    best, second = table.rules
    # an omitted dimension means any score of the scale
    assert (best.r, best.f, best.m) == ((3, 3), (2, 3), (1, 3))
    assert rule_name(best, "zh") == "最好" and rule_action(best, "en") == "Thank them."
    # a custom rule named like a default segment borrows its Chinese name
    assert rule_name(second, "zh") == "冠军客户"
    # three scores per dimension with bins=3; A (R3 F3) is Best, the rest Champions
    result = rfm(FIVE, bins=3, segments=table)
    assert result.rows.set_index("customer").loc["A", "segment"] == "Best"
    assert result.summary["others"] == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("scale = 5\n[[segment]]\nname = 'X'\nr = [0, 2]\n", r"rule 1 \(X\): 'r' = \[0, 2\]"),
        ("[[segment]]\nname = 'X'\nf = [4, 2]\n", r"rule 1 \(X\): 'f'"),
        ("[[segment]]\nname = 'X'\nm = 'high'\n", r"rule 1 \(X\): 'm' must be"),
        ("[[segment]]\nname = 'X'\n[[segment]]\nname = 'x'\n", r"rule 2 \(x\): .* used twice"),
        ("[[segment]]\nname = 'Others'\n", "reserved"),
        ("[[segment]]\nr = 1\n", r"rule 1: 'name' is missing"),
        ("[[segment]]\nname = 'X'\nrecency = 1\n", r"rule 1 \(X\): unknown key\(s\) recency"),
        ("scale = 3\n[[segment]]\nname = 'X'\nr = [1, 4]\n", "beyond scale 3"),
        ("scale = 12\n[[segment]]\nname = 'X'\n", "'scale'"),
        ("title = 'x'\n", "unknown key"),
        ("scale = 5\n", r"no \[\[segment\]\] rules"),
        ("[[segment]\nname = ", "not a valid TOML file"),
    ],
)
def test_bad_rule_files_name_the_file_and_rule(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=message) as info:
        load_segments(path)
    assert str(path) in str(info.value)


def test_missing_rule_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read"):
        load_segments(tmp_path / "nope.toml")


def test_rule_scale_must_match_the_scores(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(UsageError, match="written for scores 1 … 3"):
        rfm(FIVE, segments=load_segments(path))  # bins=5


# ----------------------------------------------------------------------- properties

ledgers = st.lists(
    st.tuples(
        st.integers(0, 400),  # days before the last possible order
        st.integers(1, 12),  # orders: few values, many ties
        st.sampled_from([-20.0, 0.0, 10.0, 10.0, 55.5, 100.0, 1234.56]),
    ),
    min_size=1,
    max_size=40,
)


def frame_of(data: list[tuple[int, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer": [f"c{i:02d}" for i in range(len(data))],
            "last_date": [pd.Timestamp("2024-12-31") - pd.Timedelta(days=d) for d, _, _ in data],
            "orders": np.array([o for _, o, _ in data], dtype="int64"),
            "revenue": np.array([m for _, _, m in data]),
        }
    )


@settings(max_examples=40, deadline=None)
@given(ledgers, st.integers(2, 9), st.randoms(use_true_random=False))
def test_properties(data: list[tuple[int, int, float]], bins: int, rnd) -> None:
    frame = frame_of(data)
    table = None
    if bins != 5:
        # the default ranges stop at 5; clip them to smaller scales so the table is valid
        table = SegmentTable(
            rules=tuple(
                SegmentRule(
                    r.name,
                    *((min(lo, bins), min(hi, bins)) for lo, hi in (r.r, r.f, r.m)),
                )
                for r in DEFAULT_SEGMENTS
            ),
            scale=bins,
        )
    result = rfm(frame, bins=bins, segments=table)
    rows = result.rows
    n = len(frame)
    # scores in range, and the packed score agrees with them
    for col in ("r_score", "f_score", "m_score"):
        assert rows[col].between(1, bins).all()
    assert (rows["rfm_score"] == rows["r_score"] * 100 + rows["f_score"] * 10 + rows["m_score"]).all()
    # every customer exactly once, in exactly one segment
    assert sorted(rows["customer"]) == sorted(frame["customer"])
    names = {rule.name for rule in (table or DEFAULT_SEGMENTS)} | {OTHERS, NEGATIVE}
    assert set(rows["segment"]) <= names
    # a negative net is Negative Value and nothing else is
    assert ((rows["segment"] == NEGATIVE) == (rows["monetary"] < -0.005)).all()
    assert sum(result.summary["segment_counts"].values()) == n
    assert result.tables["segments"]["customers"].sum() == n
    for dim in "rfm":
        assert sum(result.summary[f"{dim}_counts"].values()) == n
        np.testing.assert_allclose(
            result.summary[f"{dim}_breaks"],
            np.quantile(
                rows[{"r": "recency", "f": "frequency", "m": "monetary"}[dim]],
                np.arange(1, bins) / bins,
            ),
            rtol=1e-9,
            atol=1e-9,
        )
    # equal values share a score; larger values never score lower (recency: higher)
    for value, score, sign in (
        ("recency", "r_score", -1),
        ("frequency", "f_score", 1),
        ("monetary", "m_score", 1),
    ):
        ordered = rows.sort_values(value)
        assert (np.diff(ordered[score].to_numpy()) * sign >= 0).all()
        assert (rows.groupby(value)[score].nunique() == 1).all()
    # row order is irrelevant
    shuffled = frame.sample(frac=1.0, random_state=rnd.randint(0, 2**31 - 1))
    again = rfm(shuffled, bins=bins, segments=table)
    pd.testing.assert_frame_equal(again.rows, rows)
    pd.testing.assert_frame_equal(again.tables["segments"], result.tables["segments"])
