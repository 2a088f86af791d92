"""Issue 15 item 8: results whose base is zero or negative say so, print no percentage of
it, and give no positive segment to a customer whose net value is negative."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kamtool.analyses.abc import abc
from kamtool.analyses.loyalty import loyalty
from kamtool.analyses.pareto import pareto
from kamtool.analyses.rfm import NEGATIVE, rfm
from tests.conftest import run_kamtool


def ledger(revenue: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"customer": list(revenue), "revenue": list(revenue.values())})


# ------------------------------------------------------------------ abc and pareto, by hand


def test_abc_class_c_value_share_leaves_the_negative_customers_out() -> None:
    # base: a (0.50) alone; r1 and r2 (-100 together) are C, listed apart. Before the fix
    # C "made" -100 / 0.50 = -20,000 % of revenue.
    result = abc(ledger({"a": 0.5, "r1": -40.0, "r2": -60.0}))
    classes = result.tables["classes"].set_index("class")
    assert classes["value_share"].tolist() == [1.0, 0.0, 0.0]
    assert classes.loc["C", "value"] == -100.0
    assert classes.loc["C", "entities"] == 2
    s = result.summary
    assert s["base_status"] == "negative_net"  # 0.50 - 100 < 0
    assert s["class_c_value_share"] == 0.0
    assert s["negative_entities"] == 2


def test_abc_without_a_positive_value_is_a_result_without_shares() -> None:
    result = abc(ledger({"a": 0.0, "b": -3.0}))
    s = result.summary
    assert s["base_status"] == "no_positive_value"
    assert result.rows["class"].tolist() == ["C", "C"]
    assert result.rows["share"].isna().all()
    assert result.rows["cumulative_share"].isna().all()
    assert [s[f"class_{c}_value_share"] for c in "abc"] == [None, None, None]
    # the base is a alone (zero is part of it): its one entity is C; b is counted apart
    assert [s[f"class_{c}_entity_share"] for c in "abc"] == [0.0, 0.0, 1.0]
    assert s["class_c_entities"] == 2
    assert s["total"] == 0.0 and s["negative_value"] == -3.0


def test_pareto_without_a_positive_value_has_no_concentration() -> None:
    result = pareto(ledger({"a": -1.0, "b": -3.0}))
    s = result.summary
    assert s["base_status"] == "no_positive_value"
    assert s["base_entities"] == 0 and s["negative_entities"] == 2
    for key in ("gini", "hhi", "top1_share", "entities_for_target", "top1_entity", "value_at_risk_top1"):
        assert s[key] is None, key
    assert s["net_total"] == -4.0
    assert result.rows["customer"].tolist() == ["a", "b"]  # -1 before -3
    assert not result.rows["included"].any()


def test_pareto_status_is_ok_when_purchases_outweigh_returns() -> None:
    s = pareto(ledger({"a": 10.0, "b": -3.0})).summary
    assert s["base_status"] == "ok"
    assert s["top1_share"] == 1.0


# ------------------------------------------------------------------ rfm and loyalty, by hand


def test_rfm_gives_a_negative_customer_no_positive_segment() -> None:
    day = pd.Timestamp("2024-06-30")
    frame = pd.DataFrame(
        {
            "customer": ["x", "y", "z"],
            "revenue": [100.0, -50.0, 20.0],
            "orders": [5, 5, 1],
            "last_date": [day, day, day - pd.Timedelta(days=200)],
        }
    )
    result = rfm(frame)
    rows = result.rows.set_index("customer")
    # y is as recent and as frequent as x; by its scores alone it would share x's segment
    assert rows.loc["y", "segment"] == NEGATIVE
    assert rows.loc["x", "segment"] != NEGATIVE and rows.loc["z", "segment"] != NEGATIVE
    s = result.summary
    assert s["negative_customers"] == 1 and s["negative_revenue"] == -50.0
    assert s["base_status"] == "ok"
    assert s["segment_counts"][NEGATIVE] == 1
    seg = result.tables["segments"].set_index("segment")
    # shares of revenue are of x and z (120), the Negative Value row has none
    assert seg.loc[rows.loc["x", "segment"], "revenue_share"] == pytest.approx(100 / 120)
    assert np.isnan(seg.loc[NEGATIVE, "revenue_share"])
    assert seg.loc[NEGATIVE, "revenue"] == -50.0


def test_rfm_all_negative_says_there_is_no_base() -> None:
    day = pd.Timestamp("2024-06-30")
    frame = pd.DataFrame(
        {"customer": ["x", "y"], "revenue": [-10.0, -50.0], "orders": [1, 2], "last_date": [day, day]}
    )
    result = rfm(frame)
    assert result.summary["base_status"] == "no_positive_value"
    assert set(result.rows["segment"]) == {NEGATIVE}
    assert result.tables["segments"]["revenue_share"].isna().all()


def test_loyalty_net_negative_customer_is_no_net_purchase_without_a_wallet_share() -> None:
    # a: 100 of Acme in Q1 (loyal by its only active period), -200 returned in Q2: net -100.
    # b: 50 of Acme in Q1. Base of the revenue shares: b alone.
    lines = pd.DataFrame(
        {
            "customer": ["a", "a", "b"],
            "date": pd.to_datetime(["2024-01-10", "2024-04-10", "2024-01-20"]),
            "revenue": [100.0, -200.0, 50.0],
            "brand": ["Acme", "Acme", "Acme"],
        }
    )
    result = loyalty(lines)
    rows = result.rows.set_index("customer")
    assert rows.loc["a", "group"] == "no_net_purchase"
    assert np.isnan(rows.loc["a", "focal_share"])
    assert rows.loc["b", "group"] == "loyal" and rows.loc["b", "focal_share"] == 1.0
    groups = result.tables["groups"].set_index("group")
    assert groups.loc["loyal", "revenue_share"] == 1.0
    assert np.isnan(groups.loc["no_net_purchase", "revenue_share"])
    s = result.summary
    assert s["base_status"] == "negative_net"  # 50 - 100
    assert s["no_net_purchase_revenue"] == -100.0
    assert s["loyal_revenue_share"] == 1.0


# ------------------------------------------------------------------ all returns, through the CLI

ALL_RETURNS = (
    "customer,date,amount,order_id,brand\n"
    "C1,2024-01-05,-120.00,S1,ours\n"
    "C1,2024-02-05,-30.00,S2,ours\n"
    "C2,2024-03-01,-19818.00,S3,ours\n"
    "C3,2024-03-15,-5.50,S4,rival\n"
)

# a negative percentage of anything ("-1148005.6 %") is what the issue saw
NEGATIVE_PERCENT = re.compile(r"-\d[\d,.]*\s?%")


@pytest.fixture
def all_returns(tmp_path: Path) -> Path:
    path = tmp_path / "returns.csv"
    path.write_text(ALL_RETURNS, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["abc", "pareto", "rfm", "loyalty"])
def test_all_returns_says_so_and_prints_no_share_of_it(command: str, all_returns: Path) -> None:
    run = run_kamtool([command, str(all_returns), "--format", "table"])
    assert run.code == 0, run.stderr
    assert "has a positive net revenue" in run.stdout or "has a net purchase" in run.stdout
    assert not NEGATIVE_PERCENT.search(run.stdout)
    data = json.loads(run_kamtool([command, str(all_returns), "--format", "json"]).stdout)
    assert data["summary"]["base_status"] == "no_positive_value"


def test_all_returns_rfm_and_loyalty_groups(all_returns: Path) -> None:
    rfm_rows = json.loads(run_kamtool(["rfm", str(all_returns), "--format", "json"]).stdout)["rows"]
    assert {r["customer"]: r["segment"] for r in rfm_rows} == dict.fromkeys(["C1", "C2", "C3"], NEGATIVE)
    loyal = json.loads(run_kamtool(["loyalty", str(all_returns), "--format", "json"]).stdout)
    assert {r["customer"]: r["group"] for r in loyal["rows"]} == dict.fromkeys(
        ["C1", "C2", "C3"], "no_net_purchase"
    )
    assert loyal["summary"]["loyal_revenue_share"] is None


def test_all_returns_abc_in_chinese(all_returns: Path) -> None:
    run = run_kamtool(["abc", str(all_returns), "--lang", "zh", "--format", "table"])
    assert run.code == 0, run.stderr
    assert "3 个客户中没有一个的净销售额为正（净合计 -19,973.50）" in run.stdout
