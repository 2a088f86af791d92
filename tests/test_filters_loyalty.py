"""Loyalty's grain is rolled up inside the native engine's query (customer × month × brand and
first purchases per product); a filter's left-out lines must stay apart through that roll-up.
Found when the filters and the rolled grain met: the native path counted every customer."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import REPO, run_kamtool

SAMPLE = REPO / "sample_data" / "orders.csv"


def _loyalty(native: str, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.setenv("KAMTOOL_NATIVE", native)
    run = run_kamtool(["loyalty", str(SAMPLE), "--where", "region=East", "--from", "2024-01-01",
                       "--format", "json"])
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)


def test_loyalty_filtered_is_the_same_on_both_engines(monkeypatch: pytest.MonkeyPatch) -> None:
    native, arrow = _loyalty("on", monkeypatch), _loyalty("off", monkeypatch)
    assert native["params"]["engine"] == "native"
    assert arrow["params"]["engine"] == "arrow"
    assert native["rows"] == arrow["rows"]
    assert native["summary"] == arrow["summary"]
    lines = pd.read_csv(SAMPLE, dtype={"customer_id": str})
    kept = lines[(lines["region"] == "East") & (lines["order_date"] >= "2024-01-01")]
    assert native["summary"]["customers"] == kept["customer_id"].nunique()
