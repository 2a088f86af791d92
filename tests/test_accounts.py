"""The accounts frame checked against the orders: scales, duplicates, prospects, bad values."""

from __future__ import annotations

import math
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from kamtool.analyses.accounts import validate
from kamtool.errors import ColumnError, DataError


def test_strategic_scale_one_to_five_is_normalised() -> None:
    result = validate(
        pd.DataFrame({"customer": ["a", "b", "c", "d"], "strategic_value": [1, 3, 5, None]}), ["a"]
    )
    values = result.rows.set_index("customer")["strategic_value"]
    assert values[["a", "b", "c"]].tolist() == [0.0, 50.0, 100.0] and math.isnan(values["d"])
    assert result.params["strategic_scale"] == "1-5"


def test_strategic_scale_zero_to_hundred_is_kept() -> None:
    result = validate(pd.DataFrame({"customer": ["a", "b", "c"], "strategic_value": ["1", "5", "6"]}), [])
    assert result.rows["strategic_value"].tolist() == [1.0, 5.0, 6.0]
    assert result.params["strategic_scale"] == "0-100"
    assert validate(pd.DataFrame({"customer": ["a"]}), []).params["strategic_scale"] is None


def test_values_outside_both_scales_or_not_numbers_name_the_row() -> None:
    with pytest.raises(DataError, match=r"accounts row 2, column 'strategic_value'.*neither"):
        validate(pd.DataFrame({"customer": ["a", "b"], "strategic_value": [50, 120]}), [])
    with pytest.raises(DataError, match=r"accounts row 3, column 'elasticity': 'high'"):
        validate(pd.DataFrame({"customer": ["a", "b", "c"], "elasticity": ["1", "", "high"]}), [])
    with pytest.raises(DataError, match=r"row 1, column 'credit_limit'.*negative"):
        validate(pd.DataFrame({"customer": ["a"], "credit_limit": [-5]}), [])
    with pytest.raises(DataError, match=r"row 2, column 'customer'"):
        validate(pd.DataFrame({"customer": ["a", " "]}), [])
    with pytest.raises(ColumnError):
        validate(pd.DataFrame({"owner": ["x"]}), [])


def test_duplicates_and_prospects_are_reported_not_dropped() -> None:
    accounts = pd.DataFrame(
        {
            "customer": ["a", "b", " a", "c", "a"],
            "owner": ["kim", "lee", "zoe", "  ", "max"],
            "status": ["", "黑名单", None, "active", "x"],
        }
    )
    result = validate(accounts, ["a", "b", "x", "y"])
    assert result.rows["customer"].tolist() == ["a", "b", "c"]
    assert result.rows["owner"].tolist() == ["kim", "lee", None]  # the first row of a; blank is missing
    assert result.rows["status"].tolist() == [None, "黑名单", "active"]
    assert result.rows["prospect"].tolist() == [False, False, True]
    assert result.tables["duplicates"][["row", "customer", "owner"]].to_dict("records") == [
        {"row": 1, "customer": "a", "owner": "kim"},
        {"row": 3, "customer": "a", "owner": "zoe"},
        {"row": 5, "customer": "a", "owner": "max"},
    ]
    assert result.tables["prospects"].to_dict("records") == [{"row": 4, "customer": "c"}]
    assert result.summary == {
        "accounts": 3,
        "rows": 5,
        "duplicate_ids": 1,
        "duplicate_rows": 2,
        "prospects": 1,
        "orders_without_account": 2,
    }


def test_numeric_ids_compare_as_text() -> None:
    result = validate(pd.DataFrame({"customer": [101, 102]}), ["101"])
    assert result.rows["prospect"].tolist() == [False, True]


def _make_accounts() -> ModuleType:
    import importlib.util
    import sys

    path = Path(__file__).resolve().parent.parent / "scripts" / "make_accounts.py"
    spec = importlib.util.spec_from_file_location("make_accounts", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_accounts", module)
    spec.loader.exec_module(module)
    return module


def test_checked_in_sample_accounts_is_what_the_script_makes(tmp_path: Path) -> None:
    out = tmp_path / "accounts.csv"
    assert _make_accounts().main(["-o", str(out)]) == 0
    checked_in = Path(__file__).resolve().parent.parent / "sample_data" / "accounts.csv"
    assert out.read_bytes() == checked_in.read_bytes()


def test_sample_accounts_read_through_the_io_hold_what_the_readme_says() -> None:
    from kamtool.io.tables import read_table

    frame, _ = read_table("sample_data/accounts.csv", "accounts")
    orders = pd.read_csv("sample_data/orders.csv", dtype=str)
    result = validate(frame, orders["customer_id"].unique())
    rows = result.rows.set_index("customer")
    assert result.summary["prospects"] == 4 and result.summary["duplicate_ids"] == 0
    assert result.summary["orders_without_account"] == 0
    assert rows.loc["C0189", "status"] == "黑名单" and rows.loc["C0080", "status"] == "停止供货"
    assert rows["churn_reason"].notna().sum() == 2
    assert rows.loc["C0213", "credit_limit"] == 5000.0
    assert set(rows["payment_terms"].dropna()) == {"30", "45", "60"}
