"""The one load entry: which engine runs for a file, and the reason it gives when it is not
the native one; every command's JSON says so."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pandas.testing as pdt
import pytest

from kamtool.engine.load import load
from kamtool.io.request import build_request
from kamtool.ledger import Ledger
from kamtool.needs import ALL_FIGURES, Needs
from tests.conftest import Run

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CSV = ROOT / "sample_data" / "orders.csv"
COMMANDS = ("inspect", "pareto", "abc", "rfm", "loyalty", "churn", "clv")
# Commands whose table the native reader does not make, and why.  (inspect was one until the
# native reader counted empty cells and checked every column inspect reads: it is native now.)
NEVER_NATIVE: dict[str, str] = {}
PLAIN = "客户,订单日期,金额\nA,2024-01-05,100.50\nB,2024-01-06,20.00\nA,2024-02-01,5\n"


def _load(*paths: Path | str, keys: tuple[str, ...] = ("customer",)) -> Ledger:
    needs = Needs(keys=keys, measures=("profit",), figures=ALL_FIGURES)
    return load(build_request(needs, [str(p) for p in paths]))


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_a_plain_file_takes_the_native_engine_and_needs_no_reason(isolated: Path) -> None:
    ledger = _load(_write(isolated / "plain.csv", PLAIN))
    assert (ledger.engine, ledger.engine_reason) == ("native", None)
    assert ledger.customers["revenue"].tolist() == [105.50, 20.00]  # A: 100.50 + 5


def test_a_gbk_file_takes_the_arrow_engine_and_says_its_encoding(isolated: Path) -> None:
    ledger = _load(_write(isolated / "gbk.csv", PLAIN.replace("A,", "华北,"), "gbk"))
    assert (ledger.engine, ledger.engine_reason) == ("arrow", "the file is GB18030")
    assert ledger.customers["revenue"].tolist() == [20.00, 105.50]  # B, then 华北 (sorted)


def test_money_text_is_named_with_its_line_and_column(isolated: Path) -> None:
    text = PLAIN + "B,2024-02-02,\"¥1,234.50\"\nB,2024-02-03,\"¥2.00\"\n"  # lines 5 and 6
    ledger = _load(_write(isolated / "money.csv", text))
    assert ledger.engine == "arrow"
    assert ledger.engine_reason == "line 5 holds money text '¥1,234.50' in column 金额"
    assert ledger.customers["revenue"].tolist() == [105.50, 1256.50]  # 20.00 + 1,234.50 + 2.00


def test_a_date_not_written_yyyy_mm_dd_is_named(isolated: Path) -> None:
    text = "customer,date,amount\nA,2024-01-05,1\n\nB,2024/3/5,2\n"  # a blank line 3
    ledger = _load(_write(isolated / "dates.csv", text))
    assert ledger.engine_reason == "line 4 holds the date '2024/3/5' in column date, not written YYYY-MM-DD"


def test_a_decline_the_cleaning_cannot_place_names_the_check(isolated: Path) -> None:
    # A padded id is trimmed without a trace, so the reason is the native check that failed.
    ledger = _load(_write(isolated / "padded.csv", "customer,date,amount\n A,2024-01-05,1\nB,2024-01-06,2\n"))
    assert ledger.engine == "arrow"
    assert ledger.engine_reason == "some customer ids are empty or have spaces around them"
    assert ledger.customers["customer"].tolist() == ["A", "B"]


def test_inputs_the_native_engine_never_takes(isolated: Path, monkeypatch: pytest.MonkeyPatch,
                                              make_workbook: Callable[..., Path]) -> None:
    plain = _write(isolated / "plain.csv", PLAIN)
    assert _load(plain, plain).engine_reason == "several input files"
    sheet = [["customer", "date", "amount"], ["A", "2024-01-05", 2]]
    assert _load(make_workbook(isolated / "orders.xlsx", {"orders": sheet})).engine_reason == (
        "the file is a workbook")
    branded = _write(isolated / "branded.csv", "customer,date,amount,brand\nA,2024-01-05,1,K\n")
    assert _load(branded, keys=("brand", "date")).engine_reason == (
        "the native reader makes tables per customer and known columns or per one column, "
        "and this run needs one per brand × date")
    assert _load(branded, keys=("customer", "date", "brand")).engine == "native"
    monkeypatch.setenv("KAMTOOL_NATIVE", "off")
    assert _load(plain).engine_reason == "KAMTOOL_NATIVE=off turns the native reader off"


def test_stdin_is_read_by_the_arrow_engine(kamtool: Callable[..., Run]) -> None:
    run = kamtool("abc", "-", "--format", "json", stdin=PLAIN.encode())
    assert run.code == 0, run.stderr
    params = json.loads(run.stdout)["params"]
    assert (params["engine"], params["engine_reason"]) == ("arrow", "the input is stdin")


def test_native_and_arrow_give_one_ledger_for_the_reasoned_files(isolated: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    plain = _write(isolated / "plain.csv", PLAIN)
    native = _load(plain)
    monkeypatch.setenv("KAMTOOL_NATIVE", "off")
    arrow = _load(plain)
    assert arrow.engine == "arrow"
    pdt.assert_frame_equal(native.customers, arrow.customers)
    assert native.totals() == arrow.totals()


# -- every command's JSON ---------------------------------------------------------------


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The English sample as it is (plain), as GBK with Chinese names, and with one amount
    written as money text on line 1,204."""
    out = tmp_path_factory.mktemp("exports")
    frame = pd.read_csv(SAMPLE_CSV, dtype=str, keep_default_na=False)
    plain = out / "plain.csv"
    frame.to_csv(plain, index=False)
    gbk = out / "gbk.csv"
    frame.assign(customer_name="客户" + frame["customer_name"]).to_csv(gbk, index=False, encoding="gbk")
    money = frame.copy()
    row = 1_202  # line 1,204: the header is line 1, data row 0 is line 2
    money.loc[row, "amount"] = f"¥{float(money.loc[row, 'amount']):,.2f}"
    money_path = out / "money.csv"
    money.to_csv(money_path, index=False)
    return {"plain": str(plain), "gbk": str(gbk), "money": str(money_path),
            "money_text": money.loc[row, "amount"]}


def _json(kamtool: Callable[..., Run], command: str, path: str) -> dict:
    run = kamtool(command, path, "--format", "json")
    assert run.code == 0, (command, run.stderr)
    return json.loads(run.stdout)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_says_which_engine_ran(kamtool: Callable[..., Run], exports: dict[str, str],
                                             command: str) -> None:
    money_text = exports["money_text"]
    expected = {
        "plain": ("native", None),
        "gbk": ("arrow", "the file is GB18030"),
        "money": ("arrow", f"line 1,204 holds money text '{money_text}' in column amount"),
    }
    for kind, (engine, reason) in expected.items():
        if command in NEVER_NATIVE:
            engine, reason = "arrow", NEVER_NATIVE[command]  # asked before any file is opened
        doc = _json(kamtool, command, exports[kind])
        params = doc["params"]
        assert params["engine"] == engine, (kind, params)
        assert params.get("engine_reason") == reason, (kind, params)
        assert ("engine_reason" in params) == (engine != "native")
        if command == "inspect":
            assert doc["summary"]["engine"] == engine
            assert doc["summary"].get("engine_reason") == reason


@pytest.mark.parametrize("text", [PLAIN, PLAIN.replace("A,", "华北,")], ids=["native", "arrow"])
def test_the_load_closes_its_duckdb_and_a_later_query_opens_another(isolated: Path, text: str) -> None:
    # A connection keeps the memory of its queries until closed (10M lines: about 0.5 GiB);
    # the ledger's Arrow tables stay valid after it is.
    from kamtool.engine import duck

    path = _write(isolated / "plain.csv", text, "gbk" if "华" in text else "utf-8")
    duck.release()
    spied: list[Any] = []
    real = duck.connection

    def spy() -> Any:
        spied.append(real())
        return spied[-1]

    import kamtool.engine.native as native_engine
    import kamtool.engine.stream as stream_engine

    with pytest.MonkeyPatch.context() as patch:
        for module in (duck, native_engine, stream_engine):
            patch.setattr(module, "connection", spy)
        ledger = _load(path)
    assert spied and duck.opened() is None
    with pytest.raises(Exception, match="closed"):
        spied[-1].sql("SELECT 1")
    assert ledger.table.num_rows == 2 and ledger.customers["revenue"].sum() == pytest.approx(125.50)
    # a connection open before the load is someone's (a report's compact ledger): kept open
    held = duck.connection()
    _load(path)
    assert duck.opened() is held and held.sql("SELECT 42").fetchall() == [(42,)]
