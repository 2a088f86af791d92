"""Issue 15 item 5, in the analyses: bad data is a DataError or AnalysisError with a clear
message, never "may be a kamtool bug" (a NotImplementedError, an AttributeError on NaT)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kamtool.analyses.churn import churn
from kamtool.analyses.loyalty import loyalty
from kamtool.analyses.rfm import rfm
from kamtool.analyses.rules import LAST_CALENDAR_DAY, as_of_day
from kamtool.errors import AnalysisError, DataError
from tests.conftest import run_kamtool

LAST = pd.Timestamp("9999-12-31")


def test_last_calendar_day_is_9999_12_31() -> None:
    assert pd.Timestamp("1970-01-01") + pd.Timedelta(days=LAST_CALENDAR_DAY) == LAST
    assert as_of_day(None, LAST_CALENDAR_DAY - 1) == LAST_CALENDAR_DAY  # 9999-12-30: fine


def test_as_of_after_the_calendar_is_a_data_error() -> None:
    with pytest.raises(DataError, match=r"last order date is 9999-12-31 \(column date\)"):
        as_of_day(None, LAST_CALENDAR_DAY)


def test_rfm_with_a_date_in_9999_is_a_data_error() -> None:
    ledger = pd.DataFrame(
        {"customer": ["a", "b"], "revenue": [5.0, 7.0], "orders": [1, 1],
         "last_date": pd.to_datetime(["2024-01-01", "9999-12-31"]).astype("datetime64[s]")}
    )  # fmt: skip
    with pytest.raises(DataError, match="9999-12-31"):
        rfm(ledger)


def test_loyalty_with_a_date_in_9999_is_a_data_error() -> None:
    lines = pd.DataFrame(
        {"customer": ["a", "b"], "revenue": [5.0, 7.0],
         "date": pd.Series(pd.to_datetime(["2024-01-01", "9999-12-31"])).astype("datetime64[s]")}
    )  # fmt: skip
    with pytest.raises(DataError, match="9999-12-31"):
        loyalty(lines)


def test_churn_with_a_date_in_9999_is_a_data_error() -> None:
    daily = pd.DataFrame(
        {"customer": ["a", "b"], "revenue": [5.0, 7.0],
         "date": pd.Series(pd.to_datetime(["2024-01-01", "9999-12-31"])).astype("datetime64[s]")}
    )  # fmt: skip
    with pytest.raises(DataError, match="9999-12-31"):
        churn(daily)


def test_churn_without_rows_or_dates_says_so() -> None:
    empty = pd.DataFrame(
        {"customer": pd.Series([], dtype="str"), "date": pd.Series([], dtype="datetime64[ns]"),
         "revenue": pd.Series([], dtype="float64")}
    )  # fmt: skip
    with pytest.raises(AnalysisError, match="no orders to analyse"):
        churn(empty)
    no_dates = pd.DataFrame({"customer": ["a"], "date": [pd.NaT], "revenue": [5.0]})
    with pytest.raises(DataError, match="order dates are empty"):
        churn(no_dates)


@pytest.mark.parametrize("command", ["rfm", "loyalty", "churn"])
def test_cli_date_in_9999_is_one_line_exit_1(command: str, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    text = "customer,date,amount\nA,2024-01-01,5\nB,9999-12-31,7\nA,2024-03-01,5\n"
    path.write_text(text, encoding="utf-8")
    run = run_kamtool([command, str(path)])
    assert run.code == 1, run.stderr
    assert "bug" not in run.stderr and "Traceback" not in run.stderr
    assert "9999-12-31" in run.stderr


@pytest.mark.parametrize("command", ["churn", "rfm", "loyalty", "abc", "pareto"])
def test_cli_every_row_dropped_is_one_line_exit_1(command: str, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("customer,date,amount\nA,notadate,5\nB,xx,7\n", encoding="utf-8")
    run = run_kamtool([command, str(path), "--skip-bad-rows"])
    assert run.code == 1, run.stderr
    assert "bug" not in run.stderr and "Traceback" not in run.stderr
    assert "no " in run.stderr.splitlines()[-1]  # "there are no orders to analyse", "no rows …"
