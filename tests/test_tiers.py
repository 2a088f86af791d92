"""Tiers by five weighted factors: each factor on a hand-worked frame, the composite, the
tier split, effort per owner, the checks, and properties."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamtool.analyses.tiers import percentile, tiers
from kamtool.errors import AnalysisError, UsageError

AS_OF = "2026-07-01"  # window 2025-07 .. 2026-06
END = (2026 - 1970) * 12 + 5
FIRST = END - 11


def flat(
    customer: str,
    amount: float,
    first: int = FIRST,
    last: int = END,
    profit: float | None = None,
    **extra: object,
) -> list[dict]:
    return [
        {
            "customer": customer,
            "month": m,
            "revenue": amount,
            **({"profit": profit} if profit is not None else {}),
            **extra,
        }
        for m in range(first, last + 1)
    ]


def scored(result) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return result.rows.set_index("customer")


def test_percentile_rule() -> None:
    out = percentile(pd.Series([10, 20, 20, 40, np.nan], index=list("abcde")))
    assert out.iloc[:4].tolist() == [0.0, 50.0, 50.0, 100.0] and math.isnan(out["e"])
    assert percentile(pd.Series([7.0])).tolist() == [100.0]


def test_profit_factor_and_its_basis() -> None:
    monthly = pd.DataFrame(flat("a", 100, profit=25) + flat("b", 100, profit=1) + flat("c", 100, profit=10))
    result = tiers(monthly, as_of=AS_OF, weights={"profit": 1})
    assert scored(result)["profit_score"].to_dict() == {"a": 100.0, "c": 50.0, "b": 0.0}
    assert result.params["profit_basis"] == "profit"
    # one month of unknown profit: c has no profit factor, is flagged, and scores on nothing else
    monthly.loc[monthly.index[-1], "profit"] = np.nan
    rows = scored(tiers(monthly, as_of=AS_OF, weights={"profit": 1}))
    assert rows.loc["c", "flags"] == "missing_profit" and rows.loc["c", "score"] == 0.0
    assert rows.loc["a", "profit_score"] == 100.0 and rows.loc["b", "profit_score"] == 0.0
    # no profit column at all: revenue in the window, said in params
    plain = pd.DataFrame(flat("a", 30) + flat("b", 10) + flat("c", 20))
    result = tiers(plain, as_of=AS_OF, weights={"profit": 1})
    assert result.params["profit_basis"] == "revenue"
    assert scored(result)["profit_score"].to_dict() == {"a": 100.0, "c": 50.0, "b": 0.0}


def loyalty_frame() -> pd.DataFrame:
    """x: 10 a month since 2024-01 (active 1, tenure 30, trend 0); y: 10 a month in the last
    6 months (active 0.5, tenure 6, trend +inf); z: 20 then 10 over the window (active 1,
    tenure 12, trend −50 %)."""
    rows = flat("x", 10, first=(2024 - 1970) * 12) + flat("y", 10, first=END - 5)
    rows += flat("z", 20, last=END - 6) + flat("z", 10, first=END - 5)
    return pd.DataFrame(rows)


def test_loyalty_factor_from_its_components() -> None:
    # active share percentiles x 75, y 0, z 75; tenure x 100, y 0, z 50; trend x 50, y 100,
    # z 0; means x 75, y 33.3, z 41.7, ranked again: x 100, z 50, y 0
    result = tiers(loyalty_frame(), as_of=AS_OF, weights={"loyalty": 1})
    assert scored(result)["loyalty_score"].to_dict() == {"x": 100.0, "z": 50.0, "y": 0.0}
    assert result.params["loyalty_components"] == ["active_share", "tenure", "trend"]


def test_loyalty_with_the_focal_brand_share() -> None:
    # brand shares x 0.2, y 0.9, z 0.5 -> percentiles 0, 100, 50; means x 56.25, y 50, z 43.75
    mix = pd.DataFrame(
        {
            "customer": list("xxyyzz"),
            "month": END,
            "brand": ["ours", "other"] * 3,
            "revenue": [2, 8, 9, 1, 5, 5],
        }
    )
    result = tiers(loyalty_frame(), as_of=AS_OF, weights={"loyalty": 1}, brand="ours", mix=mix)
    assert scored(result)["loyalty_score"].to_dict() == {"x": 100.0, "y": 50.0, "z": 0.0}
    assert result.params["loyalty_components"][-1] == "brand_share"


def test_elasticity_from_the_rating_then_from_the_support_slope() -> None:
    monthly = pd.DataFrame(flat("a", 10) + flat("b", 10) + flat("c", 10))
    accounts = pd.DataFrame({"customer": list("abc"), "elasticity": [3, 1, 2]})
    result = tiers(monthly, accounts, as_of=AS_OF, weights={"elasticity": 1})
    assert scored(result)["elasticity_score"].to_dict() == {"a": 100.0, "c": 50.0, "b": 0.0}
    assert result.params["elasticity_basis"] == "rating"
    # revenue = 2 × support for a, = 1 × support for b (6 months each), c only 5 months
    rows = []
    for m, s in zip(range(END - 5, END + 1), [1, 2, 3, 4, 5, 6], strict=True):
        rows += [
            {"customer": "a", "month": m, "revenue": 2.0 * s},
            {"customer": "b", "month": m, "revenue": 1.0 * s},
        ]
    monthly = pd.DataFrame(rows + flat("c", 5))
    support = pd.DataFrame(
        [
            {
                "customer": r["customer"],
                "month": r["month"],
                "support": r["revenue"] / (2 if r["customer"] == "a" else 1),
            }
            for r in rows
        ]
        + [{"customer": "c", "month": m, "support": m % 3} for m in range(END - 4, END + 1)]
    )
    result = tiers(monthly, as_of=AS_OF, weights={"elasticity": 1, "profit": 1}, support=support)
    rows_out = scored(result)
    assert result.params["elasticity_basis"] == "support_slope"
    assert rows_out.loc["a", "elasticity_score"] == 100.0 and rows_out.loc["b", "elasticity_score"] == 0.0
    assert (
        math.isnan(rows_out.loc["c", "elasticity_score"])
        and rows_out.loc["c", "flags"] == "missing_elasticity"
    )


def test_future_from_clv_else_from_growth() -> None:
    # growth of the last 6 months over the same 6 a year before: a +100 %, b −50 %, c new (+inf)
    year = 12
    rows = flat("a", 10, first=END - 5 - year, last=END - year) + flat("a", 20, first=END - 5)
    rows += flat("b", 10, first=END - 5 - year, last=END - year) + flat("b", 5, first=END - 5)
    rows += flat("c", 1, first=END - 5)
    monthly = pd.DataFrame(rows)
    result = tiers(monthly, as_of=AS_OF, weights={"future": 1})
    assert result.params["future_basis"] == "growth"
    assert scored(result)["future_score"].to_dict() == {"c": 100.0, "a": 50.0, "b": 0.0}
    clv = pd.DataFrame({"customer": ["a", "b", "c"], "expected_value": [5.0, 50.0, 500.0]})
    result = tiers(monthly, clv=clv, as_of=AS_OF, weights={"future": 1})
    assert result.params["future_basis"] == "clv"
    assert scored(result)["future_score"].to_dict() == {"c": 100.0, "b": 50.0, "a": 0.0}


def test_strategic_factor_missing_customer_and_left_out_factor() -> None:
    monthly = pd.DataFrame(flat("a", 10) + flat("b", 20) + flat("c", 30))
    accounts = pd.DataFrame({"customer": ["a", "b"], "strategic_value": [100.0, 0.0]})
    result = tiers(monthly, accounts, as_of=AS_OF, weights={"strategic": 20, "profit": 30, "elasticity": 10})
    # elasticity has no data: left out, strategic and profit rescaled to 0.4 and 0.6
    assert result.params["factors_left_out"] == ["elasticity"]
    assert result.params["weights"] == pytest.approx({"strategic": 0.4, "profit": 0.6})
    rows = scored(result)
    # a: 0.4 × 100 + 0.6 × 0 = 40; b: 0.4 × 0 + 0.6 × 50 = 30; c: profit alone, 100, flagged
    assert rows["score"].to_dict() == pytest.approx({"c": 100.0, "a": 40.0, "b": 30.0})
    assert rows["flags"].to_dict() == {"c": "missing_strategic", "a": "", "b": ""}
    assert "elasticity_score" not in result.rows.columns
    assert list(result.rows["customer"]) == ["c", "a", "b"]


def ten_customers() -> pd.DataFrame:
    return pd.DataFrame(
        sum((flat(f"c{i:02d}", 10 * (i + 1), salesperson="ann" if i % 2 else "bob") for i in range(10)), [])
    )


def test_tier_split_by_shares_and_by_cutoffs() -> None:
    result = tiers(ten_customers(), as_of=AS_OF, weights={"profit": 1}, hours=100)
    rows = scored(result)
    assert rows["tier"].value_counts().to_dict() == {"small": 6, "general": 3, "key": 1}
    assert rows.loc["c09", "tier"] == "key" and set(rows.index[rows["tier"] == "general"]) == {
        "c06",
        "c07",
        "c08",
    }
    # 40 hours for the one key account, 30 / 3 and 30 / 6 for the others
    assert (
        rows.loc["c09", "hours"] == 40.0
        and rows.loc["c07", "hours"] == 10.0
        and rows.loc["c00", "hours"] == 5.0
    )
    sizes = result.tables["tier_sizes"].set_index("tier")
    assert sizes["customers"].tolist() == [1, 3, 6] and sizes["hours"].tolist() == [40.0, 30.0, 30.0]
    assert sizes.loc["key", "revenue"] == 1200.0
    # profit scores are 0, 11.1, …, 100; cutoffs at 70 and 40: 7/9 × 100 = 77.8 is key, 66.7 general
    cut = scored(tiers(ten_customers(), as_of=AS_OF, weights={"profit": 1}, cutoffs=(70, 40)))
    assert cut["tier"].value_counts().to_dict() == {"small": 4, "general": 3, "key": 3}
    eleven = pd.concat([ten_customers(), pd.DataFrame(flat("c10", 1))])
    assert scored(tiers(eleven, as_of=AS_OF))["tier"].value_counts().to_dict() == {
        "small": 6,
        "general": 3,
        "key": 2,
    }


def test_equal_scores_split_by_customer_id() -> None:
    monthly = pd.DataFrame(sum((flat(c, 10) for c in ["b", "a", "d", "c"]), []))
    rows = tiers(monthly, as_of=AS_OF, weights={"profit": 1}).rows
    assert list(rows["customer"]) == ["a", "b", "c", "d"] and list(rows["tier"]) == [
        "key",
        "general",
        "small",
        "small",
    ]


def test_owners_effort_and_overload() -> None:
    accounts = pd.DataFrame({"customer": ["c09", "c08", "c07"], "owner": ["kim", "kim", " "]})
    result = tiers(
        ten_customers(), accounts, as_of=AS_OF, weights={"profit": 1}, hours=100, shares=(0.2, 0.3)
    )
    owners = result.tables["owners"].set_index("owner")
    # kim owns c09 and c08 (both key); c07's blank owner falls back to its salesperson, ann
    assert owners.loc["kim", ["key", "general", "small"]].tolist() == [2, 0, 0]
    assert owners.loc["ann", ["key", "general", "small"]].tolist() == [0, 2, 2]
    assert owners.loc["bob", ["key", "general", "small"]].tolist() == [0, 1, 3]
    assert owners.loc["kim", "hours"] == 40.0 and owners.loc["ann", "hours"] == pytest.approx(2 * 10 + 2 * 6)
    # median key accounts per owner 0: kim's 2 > 1.5 × 0
    assert owners["overloaded"].to_dict() == {"ann": False, "bob": False, "kim": True}
    assert result.summary["overloaded_owners"] == 1 and result.summary["unowned"] == 0


def test_cross_table_with_revenue_abc() -> None:
    result = tiers(ten_customers(), as_of=AS_OF, weights={"profit": 1})
    table = result.tables["tier_abc"].set_index("tier")
    # 10 … 100 a month, 550 in all; cumulative from the top 100, 190, 270, 340, 400, 450: the
    # sixth crosses 80 % (440), so A = c09 … c04; 490, 520, 540: the ninth crosses 95 % (522.5),
    # so B = c03 … c01 and C = c00
    assert table.loc["key"].tolist() == [1, 0, 0]
    assert table.loc["general"].tolist() == [3, 0, 0]
    assert table.loc["small"].tolist() == [2, 3, 1]


def test_sensitivity_counts_customers_changing_tier() -> None:
    # p: strategic 100, profit 0; q: 0 and 100; r: 50 and 50. Equal weights: all score 50.
    monthly = pd.DataFrame(flat("p", 10) + flat("q", 30) + flat("r", 20))
    accounts = pd.DataFrame({"customer": ["p", "q", "r"], "strategic_value": [90, 10, 50]})
    result = tiers(monthly, accounts, as_of=AS_OF, weights={"strategic": 50, "profit": 50}, cutoffs=(52, 40))
    assert set(result.rows["tier"]) == {"general"}
    sens = result.tables["sensitivity"].set_index(["factor", "delta"])["changed"]
    # strategic + 5: 55 / 105 → p scores 52.4 (key); − 5: q scores 52.6 (key); likewise for profit
    assert sens.to_dict() == {("strategic", -5): 1, ("strategic", 5): 1, ("profit", -5): 1, ("profit", 5): 1}
    corr = result.tables["factor_correlation"].set_index("factor")
    assert corr.loc["strategic", "profit"] == pytest.approx(-1.0)


def test_stage_column_uses_the_key_tier() -> None:
    result = tiers(ten_customers(), as_of=AS_OF, weights={"profit": 1})
    # tenure 12, every quarter active, trend 0: stable; the key account with class A would need
    # tenure 24 for strategic, so all are stable
    assert set(result.rows["stage"]) == {"stable"}


def test_options_are_checked() -> None:
    monthly = ten_customers()
    with pytest.raises(UsageError, match="unknown factor"):
        tiers(monthly, as_of=AS_OF, weights={"luck": 1})
    with pytest.raises(UsageError, match="--effort"):
        tiers(monthly, as_of=AS_OF, effort=(0.5, 0.3, 0.3))
    with pytest.raises(UsageError, match="--cutoffs"):
        tiers(monthly, as_of=AS_OF, cutoffs=(30, 60))
    with pytest.raises(UsageError, match="--shares"):
        tiers(monthly, as_of=AS_OF, shares=(0.8, 0.3))
    with pytest.raises(AnalysisError, match="no factor"):
        tiers(monthly, as_of=AS_OF, weights={"strategic": 1})
    with pytest.raises(AnalysisError, match="positive revenue"):
        tiers(monthly, as_of="2020-01-01")


# ---------------------------------------------------------------------------------- properties

customer_ids = st.lists(st.sampled_from([f"k{i}" for i in range(12)]), min_size=1, max_size=12, unique=True)


@st.composite
def books(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    names = draw(customer_ids)
    rows = []
    for name in names:
        months = draw(st.lists(st.integers(END - 23, END), min_size=1, max_size=8, unique=True))
        for m in months:
            rows.append(
                {
                    "customer": name,
                    "month": m,
                    "revenue": draw(st.integers(1, 500)),
                    "profit": draw(st.integers(-50, 200)),
                }
            )
    if not any(r["month"] >= FIRST for r in rows):
        rows.append({"customer": names[0], "month": END, "revenue": 7, "profit": 1})
    strategic = {n: draw(st.integers(0, 100)) for n in names if draw(st.booleans())}
    accounts = pd.DataFrame(
        {"customer": list(strategic), "strategic_value": list(strategic.values())},
        columns=["customer", "strategic_value"],
    )
    return pd.DataFrame(rows), accounts


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(books(), st.randoms(use_true_random=False))
def test_properties_partition_weights_and_order(book: tuple[pd.DataFrame, pd.DataFrame], rnd) -> None:  # type: ignore[no-untyped-def]
    monthly, accounts = book
    result = tiers(monthly, accounts, as_of=AS_OF)
    rows = result.rows
    scored_names = set(monthly.loc[monthly["month"] >= FIRST].groupby("customer")["revenue"].sum().index)
    assert rows["customer"].is_unique and set(rows["customer"]) == scored_names
    assert set(rows["tier"]) <= {"key", "general", "small"}
    n = len(rows)
    assert (rows["tier"] == "key").sum() == math.ceil(n / 10)
    assert math.isclose(sum(result.params["weights"].values()), 1.0)
    shuffled = monthly.sample(frac=1, random_state=rnd.randint(0, 2**31))
    again = tiers(shuffled, accounts.iloc[::-1], as_of=AS_OF)
    pd.testing.assert_frame_equal(rows, again.rows)


@SETTINGS
@given(books())
def test_a_factor_without_data_never_changes_the_ranking(book: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    monthly, _ = book
    without = tiers(monthly, as_of=AS_OF)  # no accounts: strategic and elasticity have no data
    empty = pd.DataFrame({"customer": monthly["customer"].unique(), "strategic_value": np.nan})
    blank = tiers(monthly, empty, as_of=AS_OF)
    zero = tiers(monthly, as_of=AS_OF, weights={"profit": 30, "loyalty": 20, "future": 20})
    for other in (blank, zero):
        pd.testing.assert_series_equal(without.rows["score"], other.rows["score"])
        assert list(without.rows["customer"]) == list(other.rows["customer"])
        assert list(without.rows["tier"]) == list(other.rows["tier"])
    assert {"strategic", "elasticity"} <= set(without.params["factors_left_out"])


# ------------------------------------------------------------------------------------- words


def test_words_in_both_languages() -> None:
    from kamtool.labels import value_labels
    from kamtool.render.words import headline, notes

    monthly = ten_customers()
    accounts = pd.DataFrame({"customer": ["c09", "c08"], "owner": ["kim", "kim"]})
    result = tiers(monthly, accounts, as_of=AS_OF, hours=100, shares=(0.2, 0.3))
    en = headline(result, "en") + notes(result, "en")
    zh = headline(result, "zh") + notes(result, "zh")
    assert en[0] == "10 customers scored over 2025-07 to 2026-06: 2 key, 3 general, 5 small."
    assert zh[0] == "2025-07至2026-06期间共评分10位客户：重点客户2位，一般客户3位，小客户5位。"
    assert any("Strategic value, Sales elasticity" in line for line in en)  # left out: no data
    assert any("kim" in line and "1.5" in line for line in en)
    assert any("100 hours a period: 40 for key, 30 for general, 30 for small" in line for line in en)
    assert any("利润及贡献 43 %" in line for line in zh)  # 30 / 70 of the weight
    assert not any("{" in line for line in en + zh)
    shown = value_labels(result.rows, "tiers", "zh")
    assert shown.set_index("customer").loc["c09", "tier"] == "重点客户"
    assert set(shown["stage"]) == {"稳定合作"}


# ------------------------------------------------------- the elasticity factor from --support

# As of 2024-07-01 the window is 2023-07 .. 2024-06; support is given in 2024-01 .. 2024-06.
SUPPORT_MONTHS = [f"2024-{m:02d}" for m in range(1, 7)]


def _support_files(tmp_path):  # type: ignore[no-untyped-def]
    orders = ["customer_id,order_date,amount"]
    support = ["客户编号,日期,拜访次数"]  # Chinese headers: the io maps them (customer, date, support)
    plan = {  # customer: (support per month, revenue per month or None for no order)
        "a": ([2, 4, 6, 8, 10, 12], [150, 250, 350, 450, 550, 650]),  # slope 50
        "b": ([1, 2, 3, 4, 5, 6], [300] * 6),  # slope 0
        "e": ([1, 2, 3, 4, 5, 6], [60, 120, 180, None, None, None]),  # slope −24
        "c": ([None, 1, 2, 3, 4, 5], [100] * 6),  # 5 months of support: no slope
        "d": ([3] * 6, [100] * 6),  # support constant: no slope
    }
    for customer, (visits, revenue) in plan.items():
        for month, x, y in zip(SUPPORT_MONTHS, visits, revenue, strict=True):
            if y is not None:
                orders.append(f"{customer},{month}-10,{y}.00")
            if x is None:
                continue
            if customer == "a" and month == "2024-01":  # two visits on two days: summed per month
                support += [f"a,{month}-03,1", f"a,{month}-20,1"]
            else:
                support.append(f"{customer},{month}-01,{x}")
    support.append("a,2023-01-05,40")  # before the window: not counted
    paths = {"orders": tmp_path / "orders.csv", "support": tmp_path / "support.csv",
             "accounts": tmp_path / "accounts.csv"}
    paths["orders"].write_text("\n".join(orders) + "\n", encoding="utf-8")
    paths["support"].write_text("\n".join(support) + "\n", encoding="utf-8")
    # ratings the other way round: the support given comes first
    paths["accounts"].write_text("customer_id,elasticity\na,1\nb,2\ne,5\nc,4\nd,3\n", encoding="utf-8")
    return paths


def test_elasticity_from_the_support_file_through_the_cli(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Slopes by hand: a (x 2..12, y 150..650) 50; b (y constant) 0; e: x̄ 3.5, ȳ 60,
    Σ(x−x̄)(y−ȳ) = 0 − 90 − 60 − 30 − 90 − 150 = −420, Σ(x−x̄)² = 17.5, slope −24.  Ranked
    e < b < a: scores 0, 50, 100; c and d have no slope and are flagged."""
    import json

    from tests.conftest import run_kamtool

    paths = _support_files(tmp_path)
    for extra in ([], ["--accounts", str(paths["accounts"])]):
        run = run_kamtool(["tiers", str(paths["orders"]), "--support", str(paths["support"]), *extra,
                           "--as-of", "2024-07-01", "--weights", "elasticity=1", "--format", "json"])
        assert run.code == 0, run.stderr
        data = json.loads(run.stdout)
        assert data["params"]["elasticity_basis"] == "support_slope"
        rows = {r["customer"]: r for r in data["rows"]}
        assert {c: rows[c]["elasticity_score"] for c in "abe"} == {"a": 100.0, "b": 50.0, "e": 0.0}
        assert rows["c"]["elasticity_score"] is None and rows["d"]["elasticity_score"] is None
        assert rows["c"]["flags"] == rows["d"]["flags"] == "missing_elasticity"
    # without --support the accounts' rating is the factor
    run = run_kamtool(["tiers", str(paths["orders"]), "--accounts", str(paths["accounts"]),
                       "--as-of", "2024-07-01", "--weights", "elasticity=1", "--format", "json"])
    data = json.loads(run.stdout)
    assert data["params"]["elasticity_basis"] == "rating"
    assert {r["customer"]: r["elasticity_score"] for r in data["rows"]} == {
        "a": 0.0, "b": 25.0, "d": 50.0, "c": 75.0, "e": 100.0}


def test_a_support_file_without_its_columns_names_them(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import run_kamtool

    paths = _support_files(tmp_path)
    paths["support"].write_text("customer,date\na,2024-01-01\n", encoding="utf-8")
    run = run_kamtool(["tiers", str(paths["orders"]), "--support", str(paths["support"]),
                       "--as-of", "2024-07-01"])
    assert run.code == 1 and "support" in run.stderr and "Traceback" not in run.stderr


def test_the_factors_left_out_read_in_the_workbooks_language(tmp_path: Any) -> None:
    """The Chinese Summary named the factors left out by their codes ("strategic / elasticity")."""
    from pathlib import Path

    import openpyxl

    from tests.conftest import run_kamtool

    book = Path(__file__).parents[1] / "sample_data" / "订单明细.xlsx"
    out = tmp_path / "tiers.xlsx"
    run = run_kamtool(["tiers", str(book), "--lang", "zh", "-o", str(out)])
    assert run.code == 0, run.stderr
    sheet = openpyxl.load_workbook(out).worksheets[0]
    line = next(str(r[0]) for r in sheet.iter_rows(values_only=True) if str(r[0]).startswith("未计入的因素"))
    assert line == "未计入的因素: 战略及品牌价值 / 销售弹性"
