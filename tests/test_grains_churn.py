"""Churn's grains (kamtool.needs.Grain): the customer-days, the product-line mix per period and
credit's invoice lines, built by the native engine from its one reading of the lines.

Each grain is checked against figures worked out by hand on a tiny file, against a plain
pandas group-by of the lines, and against the Arrow engine's roll-up of its line-level table
(a file the native path must decline: money text, GBK, a padded category), and end to end
through the command line on the sample data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest

from kamtool.analyses import churn
from kamtool.engine.load import load
from kamtool.io.request import Filters, Where, build_request
from kamtool.ledger import Ledger
from kamtool.needs import Grain

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
KAMTOOL = str(Path(sys.executable).with_name("kamtool"))

# Months since January 1970: 2024-01 is 648, so 2024Q1 begins at 648 and 2024Q2 at 651.
TINY = """\
customer,date,amount,category,order_id
C1,2024-01-05,100.10,K1,O1
C1,2024-01-05,-0.10,K2,O1
C1,2024-02-20,50,K1,O2
C1,2024-04-03,7.25,K1,O3
C2,2024-03-31,200,K2,O4
C2,2024-03-31,0.05,K2,O5
"""
CREDIT = """\
customer,date,amount,invoice_id,due_date,paid_date,paid_amount
C1,2024-01-05,100,I1,2024-02-05,2024-02-01,60
C1,2024-01-05,20,I1,2024-02-05,2024-02-01,20
C1,2024-01-05,5,I2,2024-02-05,,
C2,2024-03-01,70,I3,2024-04-01,2024-05-01,70
"""
PLAIN = """\
customer,date,amount
C1,2024-01-05,10
C1,2024-01-05,2.5
C2,2024-02-01,3
"""


def _ledger(path: Path, engine: str, monkeypatch: pytest.MonkeyPatch, **needs: object) -> Ledger:
    monkeypatch.setenv("KAMTOOL_NATIVE", "force" if engine == "native" else "off")
    ledger = load(build_request(churn.types_needs(**needs), [str(path)]))  # type: ignore[arg-type]
    assert ledger.engine == engine
    return ledger


def _write(tmp_path: Path, text: str, name: str = "orders.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def _lines(path: Path, encoding: str = "utf-8") -> pd.DataFrame:
    frame = pd.read_csv(path, encoding=encoding, dtype={"amount": str})
    frame["cents"] = frame["amount"].str.replace("¥", "").str.replace(",", "").astype(float).mul(100).round()
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def test_native_builds_the_days_and_the_mix_per_quarter_by_hand(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = _ledger(_write(tmp_path, TINY), "native", monkeypatch, payments=False)
    assert ledger.keys == ("customer", "date")  # never customer × date × invoice × category
    assert ledger.grains is not None and ledger.grains["invoices"] is None  # no payments, no fields
    days = ledger.days
    assert days["customer"].tolist() == ["C1", "C1", "C1", "C2"]
    assert days["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-05", "2024-02-20", "2024-04-03",
                                                             "2024-03-31"]
    assert days["revenue"].tolist() == [100.0, 50.0, 7.25, 200.05]
    assert days["lines"].tolist() == [2, 1, 1, 2]
    mix = ledger.mix
    assert mix is not None
    assert list(mix.columns) == ["customer", "month", "category", "revenue", "lines"]
    assert mix.values.tolist() == [["C1", 648, "K1", 150.1, 2], ["C1", 648, "K2", -0.1, 1],
                                   ["C1", 651, "K1", 7.25, 1], ["C2", 648, "K2", 200.05, 2]]
    monthly = ledger.monthly  # rolled up from the days
    assert monthly[["customer", "month", "revenue", "lines"]].values.tolist() == [
        ["C1", 648, 100.0, 2], ["C1", 649, 50.0, 1], ["C1", 651, 7.25, 1], ["C2", 650, 200.05, 2]]


@pytest.mark.parametrize(("period", "months"), [("month", 1), ("quarter", 3), ("year", 12)])
def test_the_mix_equals_a_pandas_group_by_per_period(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     period: str, months: int) -> None:
    path = _write(tmp_path, TINY)
    mix = _ledger(path, "native", monkeypatch, period=period).mix
    lines = _lines(path)
    month = (lines["date"].dt.year - 1970) * 12 + lines["date"].dt.month - 1
    lines["month"] = month // months * months
    expected = (lines.groupby(["customer", "month", "category"], as_index=False)
                .agg(revenue=("cents", "sum"), lines=("cents", "size")))
    expected["revenue"] = expected["revenue"] / 100
    assert mix is not None
    pdt.assert_frame_equal(mix, expected, check_dtype=False)


def test_a_period_before_1970_begins_at_its_first_month(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # 1969-11 is month −2 since January 1970; its quarter (1969Q4) begins at −3, not at 0.
    path = _write(tmp_path, "customer,date,amount,category\nC1,1969-11-15,5,K1\nC1,1970-01-02,1,K1\n")
    mix = _ledger(path, "native", monkeypatch).mix
    assert mix is not None and mix["month"].tolist() == [-3, 0]


def test_with_a_focal_brand_the_mix_is_per_month_and_brand(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    text = "customer,date,amount,brand\nC1,2024-01-05,10,X\nC1,2024-02-05,4,Y\nC1,2024-02-06,1,Y\n"
    mix = _ledger(_write(tmp_path, text), "native", monkeypatch, brand=True).mix
    assert mix is not None
    # no category in the file: the mix is split by the brand alone
    assert mix.values.tolist() == [["C1", 648, "X", 10.0, 1], ["C1", 649, "Y", 5.0, 2]]


def test_a_file_without_category_order_id_or_credit_fields(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, PLAIN)
    ledger = _ledger(path, "native", monkeypatch, payments=False)
    assert ledger.grains == {"mix": None, "invoices": None}
    assert ledger.mix is None
    assert ledger.days.values.tolist() == [["C1", pd.Timestamp("2024-01-05"), 12.5, 2],
                                           ["C2", pd.Timestamp("2024-02-01"), 3.0, 1]]
    arrow = _ledger(path, "arrow", monkeypatch)
    assert arrow.mix is None
    pdt.assert_frame_equal(ledger.days, arrow.days)


def test_payments_ask_for_invoices_of_a_file_without_credit_fields(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # one invoice per order id, each customer-day's lines of one order summed
    path = _write(tmp_path, TINY)
    native = _ledger(path, "native", monkeypatch, payments=True)
    invoices = native.invoices
    assert invoices[["customer", "invoice_id", "amount"]].values.tolist() == [
        ["C1", "O1", 100.0], ["C1", "O2", 50.0], ["C1", "O3", 7.25], ["C2", "O4", 200.0], ["C2", "O5", 0.05]]
    pdt.assert_frame_equal(invoices, _ledger(path, "arrow", monkeypatch, payments=True).invoices)


def test_invoices_with_credit_fields_equal_a_group_by_and_the_arrow_roll_up(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, CREDIT)
    native = _ledger(path, "native", monkeypatch, payments=False)
    assert native.grains is not None and native.grains["invoices"] is not None  # the fields ask for it
    invoices = native.invoices
    assert invoices["invoice_id"].tolist() == ["I1", "I2", "I3"]
    assert invoices["amount"].tolist() == [120.0, 5.0, 70.0]
    assert invoices["paid_amount"].fillna(-1).tolist() == [80.0, -1, 70.0]
    lines = pd.read_csv(path, parse_dates=["date", "due_date", "paid_date"])
    keys = ["customer", "invoice_id", "date", "due_date", "paid_date"]
    grouped = lines.groupby(keys, dropna=False, as_index=False).agg(
        amount=("amount", "sum"), paid_amount=("paid_amount", lambda s: s.sum(min_count=1)))
    got = invoices[[*keys, "amount", "paid_amount"]].copy()
    for frame in (got, grouped):
        for column in ("date", "due_date", "paid_date"):
            frame[column] = frame[column].astype("datetime64[ns]")
    pdt.assert_frame_equal(got, grouped, check_dtype=False)
    pdt.assert_frame_equal(invoices, _ledger(path, "arrow", monkeypatch).invoices)


def test_money_text_takes_the_arrow_path_with_the_same_frames(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    text = TINY.replace("C1,2024-02-20,50,", 'C1,2024-02-20,"¥1,050.00",')
    path = _write(tmp_path, text)
    monkeypatch.setenv("KAMTOOL_NATIVE", "auto")
    ledger = load(build_request(churn.types_needs(), [str(path)]))
    assert ledger.engine == "arrow" and ledger.keys == ("customer", "date")  # the grains beside, as native
    lines = _lines(path)
    days = lines.groupby(["customer", "date"], as_index=False).agg(revenue=("cents", "sum"),
                                                                   lines=("cents", "size"))
    days["revenue"] = days["revenue"] / 100
    pdt.assert_frame_equal(ledger.days, days, check_dtype=False)
    assert ledger.days["revenue"].tolist() == [100.0, 1050.0, 7.25, 200.05]
    assert ledger.mix is not None
    assert ledger.mix.values.tolist() == [["C1", 648, "K1", 1150.1, 2], ["C1", 648, "K2", -0.1, 1],
                                          ["C1", 651, "K1", 7.25, 1], ["C2", 648, "K2", 200.05, 2]]


def test_gbk_agrees_with_the_native_grains(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = TINY.replace("K1", "纸张").replace("K2", "墨盒")
    utf8, gbk = _write(tmp_path, text, "u.csv"), _write(tmp_path, text, "g.csv", encoding="gbk")
    native = _ledger(utf8, "native", monkeypatch)
    monkeypatch.setenv("KAMTOOL_NATIVE", "auto")
    arrow = load(build_request(churn.types_needs(), [str(gbk)]))
    assert arrow.engine == "arrow"
    pdt.assert_frame_equal(native.days, arrow.days)
    from kamtool.analyses.churn_types import lines_of

    # the product lines churn reads from the two mixes (per quarter and per month) are the same
    for start, end in ((216, 217), (215, 216)):
        pdt.assert_frame_equal(lines_of(native.mix, "quarter", start, end)[0],
                               lines_of(arrow.mix, "quarter", start, end)[0])


def test_a_padded_category_is_no_proof(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, TINY.replace("C1,2024-04-03,7.25,K1", "C1,2024-04-03,7.25, K1"))
    monkeypatch.setenv("KAMTOOL_NATIVE", "auto")
    ledger = load(build_request(churn.types_needs(), [str(path)]))
    assert ledger.engine == "arrow"
    assert "category" in (ledger.engine_reason or "")
    assert ledger.mix is not None and "K1" in set(ledger.mix["category"])  # trimmed by the cleaning


def test_totals_lines_and_filtered_lines_stay_out_of_the_grains(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    text = TINY + "合计,2024-04-30,357.30,K1,\n"
    path = _write(tmp_path, text)
    monkeypatch.setenv("KAMTOOL_NATIVE", "force")
    where = Filters(where=(Where("category", ("K1",)),))
    ledger = load(build_request(churn.types_needs(payments=True), [str(path)], filters=where))
    assert ledger.engine == "native"
    assert ledger.days["revenue"].tolist() == [100.1, 50.0, 7.25]
    mix, invoices = ledger.mix, ledger.invoices
    assert mix is not None
    assert mix.values.tolist() == [["C1", 648, "K1", 150.1, 2], ["C1", 651, "K1", 7.25, 1]]
    assert invoices["invoice_id"].tolist() == ["O1", "O2", "O3"]
    assert invoices["amount"].tolist() == [100.1, 50.0, 7.25]


def test_a_grain_the_file_lacks_every_split_of_is_not_built() -> None:
    dims = ("category", "brand")
    grain = Grain("mix", ("customer", "month", *dims), split=dims, when=dims)
    assert grain.wanted({"customer", "date", "amount"}) is None
    assert grain.wanted({"customer", "brand"}) == ("customer", "month", "brand")
    monthly = Grain("monthly", ("customer", "month", "salesperson"), split=("salesperson",))
    assert monthly.wanted({"customer"}) == ("customer", "month")  # a split the file lacks drops out
    owed = Grain("invoices", ("customer", "invoice_id"), when=("due_date",))
    assert owed.wanted({"customer"}) is None and owed.wanted({"due_date"}) == ("customer", "invoice_id")


def _cli_json(args: list[str], native: str) -> dict:
    env = {**os.environ, "KAMTOOL_NATIVE": native}
    run = subprocess.run([KAMTOOL, *args, "--format", "json"], capture_output=True, text=True, env=env,
                         check=False)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    for key in ("engine", "engine_reason"):
        out["params"].pop(key, None)
    return out


@pytest.mark.parametrize("extra", [[], ["--payments", str(SAMPLE / "payments.csv"),
                                        "--accounts", str(SAMPLE / "accounts.csv")],
                                   ["--brand", "Kamaro", "--period", "month"]])
def test_churn_end_to_end_is_the_same_on_both_engines(extra: list[str]) -> None:
    args = ["churn", str(SAMPLE / "orders.csv"), *extra]
    native = _cli_json(args, "force")
    assert native == _cli_json(args, "off")
    assert native["summary"]["churn_type_subjects"] > 0


# -- stages and tiers -----------------------------------------------------------------------

STAGED = """\
customer,date,amount,category,brand,salesperson
C1,2024-01-05,10,,X,Ann
C1,2024-01-06,5,,Y,Bob
C1,2024-02-01,1,,X,Ann
C2,2024-01-31,4,,X,
"""


def test_stages_reads_the_first_breadth_dimension_holding_a_value(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from kamtool.analyses import stages

    path = _write(tmp_path, STAGED)  # the category column is there, and empty: breadth is by brand
    monkeypatch.setenv("KAMTOOL_NATIVE", "force")
    native = load(build_request(stages.day_needs(), [str(path)]))
    assert native.keys == ("customer", "date")
    assert native.mix_of("category") is None
    brands = native.mix_of("brand")
    assert brands is not None
    assert brands.values.tolist() == [["C1", 648, "X", 10.0, 1], ["C1", 648, "Y", 5.0, 1],
                                      ["C1", 649, "X", 1.0, 1], ["C2", 648, "X", 4.0, 1]]
    monkeypatch.setenv("KAMTOOL_NATIVE", "off")
    arrow = load(build_request(stages.day_needs(), [str(path)]))
    for ledger in (native, arrow):
        monthly, mix = stages.ledger_frames(ledger)
        assert mix is not None and list(mix.columns[:3]) == ["customer", "month", "brand"]
    pdt.assert_frame_equal(stages.ledger_frames(native)[1], stages.ledger_frames(arrow)[1])
    pdt.assert_frame_equal(stages.ledger_frames(native)[0], stages.ledger_frames(arrow)[0])


def test_tiers_months_per_salesperson_and_mix_equal_a_group_by(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from kamtool.cli.commands.tiers import command_needs

    path = _write(tmp_path, STAGED.replace(",,", ",K1,"))
    monkeypatch.setenv("KAMTOOL_NATIVE", "force")
    native = load(build_request(command_needs(), [str(path)]))
    assert native.keys == ("customer", "date")
    monthly = native.monthly
    assert monthly[["customer", "month", "revenue", "lines"]].values.tolist() == [
        ["C1", 648, 10.0, 1], ["C1", 648, 5.0, 1], ["C1", 649, 1.0, 1], ["C2", 648, 4.0, 1]]
    assert monthly["salesperson"].tolist()[:3] == ["Ann", "Bob", "Ann"]
    assert monthly["salesperson"].isna().tolist() == [False, False, False, True]
    lines = _lines(path)
    lines["month"] = (lines["date"].dt.year - 1970) * 12 + lines["date"].dt.month - 1
    mix = (lines.groupby(["customer", "month", "category", "brand"], as_index=False)
           .agg(revenue=("cents", "sum"), lines=("cents", "size")))
    mix["revenue"] = mix["revenue"] / 100
    assert native.mix is not None
    pdt.assert_frame_equal(native.mix, mix, check_dtype=False)
    monkeypatch.setenv("KAMTOOL_NATIVE", "off")
    arrow = load(build_request(command_needs(), [str(path)]))
    pdt.assert_frame_equal(native.monthly, arrow.monthly)
    pdt.assert_frame_equal(native.mix, arrow.mix)
    pdt.assert_frame_equal(native.days, arrow.days)


@pytest.mark.parametrize("command", ["stages", "tiers"])
def test_stages_and_tiers_end_to_end_are_the_same_on_both_engines(command: str) -> None:
    args = [command, str(SAMPLE / "orders.csv"), "--accounts", str(SAMPLE / "accounts.csv")]
    assert _cli_json(args, "force") == _cli_json(args, "off")
