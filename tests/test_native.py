"""The native path (DuckDB reading the file itself) equals the Arrow path, or declines.

Every file here is loaded twice: with ``KAMTOOL_NATIVE=off`` (the Arrow cleaning path)
and with the native path, forced where the file is plain (a decline is then a failure)
and automatic where it is not (the outcome, ledger or error, must be the Arrow path's).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pandas.testing as pdt
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kamtool.engine.load import load
from kamtool.errors import KamtoolError
from kamtool.io.request import build_request
from kamtool.io.rules import CleanOptions
from kamtool.needs import ALL_FIGURES, Needs
from tests.conftest import load_make_orders

KEYS = {"customers": ["customer"], "daily": ["customer", "date"], "salesperson": ["salesperson"]}
CUSTOMER_KEYS = [KEYS["customers"], KEYS["daily"]]  # the small files below have no salesperson
FIGURES = [(), ("orders", "dates"), ALL_FIGURES]


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Plain files the native path must take: the generator's, and variants of its types."""
    gen = load_make_orders()
    out = tmp_path_factory.mktemp("native")
    paths: dict[str, Path] = {}
    for fmt in ("csv", "parquet"):
        path = out / f"orders.{fmt}"
        gen.write_large(path, fmt, lines=2_000, customers=120, seed=5, start=date(2024, 1, 1),
                        end=date(2025, 6, 30), chunk_lines=700)
        paths[fmt] = path
    frame = pd.read_csv(paths["csv"], dtype=str)
    table = pq.read_table(paths["parquet"])
    # Title lines above the header, a BOM, a semicolon separator.
    titled = out / "titled.csv"
    with open(titled, "w", encoding="utf-8-sig", newline="") as handle:
        handle.write("Order lines export\nprinted 2025-07-01\n\n")
        frame.to_csv(handle, index=False, sep=";")
    paths["titled"] = titled
    # Whole-number ids, timestamps, decimal money, some empty order numbers and costs.
    ids = pa.array([int(c[1:]) for c in table["customer_id"].to_pylist()], pa.int64())
    stamps = pa.array(pd.to_datetime(table["order_date"].to_pandas()) + pd.Timedelta(hours=13))
    money = pa.array([Decimal(str(v)).quantize(Decimal("0.01")) for v in table["amount"].to_pylist()],
                     pa.decimal128(12, 2))
    orders = table["order_id"].to_pylist()
    orders = [None if i % 17 == 0 else o for i, o in enumerate(orders)]
    cost = [None if i % 13 == 0 else v for i, v in enumerate(table["cost"].to_pylist())]
    typed = (table.set_column(table.schema.get_field_index("customer_id"), "customer_id", ids)
             .set_column(table.schema.get_field_index("order_date"), "order_date", stamps)
             .set_column(table.schema.get_field_index("amount"), "amount", money)
             .set_column(table.schema.get_field_index("order_id"), "order_id", pa.array(orders))
             .set_column(table.schema.get_field_index("cost"), "cost", pa.array(cost, pa.float64()))
             # a pandas categorical: dictionary-encoded text
             .set_column(table.schema.get_field_index("customer_name"), "customer_name",
                         table["customer_name"].dictionary_encode()))
    pq.write_table(typed, out / "typed.parquet")
    paths["typed"] = out / "typed.parquet"
    # A Chinese export: Chinese headers and names, a 合计 line whose customer cell is the label.
    zh = frame.rename(columns={"customer_id": "客户编号", "customer_name": "客户名称",
                               "order_date": "订单日期", "amount": "金额", "order_id": "订单号"})
    zh["客户名称"] = "客户" + zh["客户编号"]
    zh_path = out / "zh.csv"
    zh.to_csv(zh_path, index=False)
    with open(zh_path, "a", encoding="utf-8") as handle:
        cells = ["" for _ in zh.columns]
        cells[list(zh.columns).index("客户编号")] = "合计"
        cells[list(zh.columns).index("订单日期")] = "2025-06-30"
        cells[list(zh.columns).index("金额")] = "123.45"
        handle.write(",".join(cells) + "\n")
    paths["zh"] = zh_path
    return paths


def _load(path: Path, monkeypatch: pytest.MonkeyPatch, mode: str, keys: list[str],
          figures: tuple[str, ...], measures: tuple[str, ...] = ("profit",), **clean: Any) -> Any:
    monkeypatch.setenv("KAMTOOL_NATIVE", mode)
    request = build_request(Needs(keys=tuple(keys), measures=measures, figures=figures), [str(path)],
                            clean=CleanOptions(**clean))
    try:
        ledger = load(request)
    except KamtoolError as exc:
        return ("error", type(exc).__name__, str(exc))
    if mode in ("off", "force"):
        assert ledger.engine == {"off": "arrow", "force": "native"}[mode]
    table = ledger.table
    info = ledger.sources[0]
    return table.to_pandas(), dict(info.stats.dropped), info.stats.rows, ledger.present


def _failed(outcome: Any) -> bool:
    return isinstance(outcome[0], str)


def _same(native: Any, arrow: Any) -> None:
    if _failed(arrow) or _failed(native):
        assert _failed(native) and _failed(arrow) and native == arrow, (native, arrow)
        return
    pdt.assert_frame_equal(native[0], arrow[0])
    assert native[1:] == arrow[1:]


@pytest.mark.parametrize("name", ["csv", "parquet", "titled", "typed", "zh"])
@pytest.mark.parametrize("grouping", ["customers", "daily", "salesperson"])
@pytest.mark.parametrize("figures", FIGURES)
def test_plain_files_take_the_native_path_and_equal_the_arrow_path(
        plain: dict[str, Path], monkeypatch: pytest.MonkeyPatch, name: str, grouping: str,
        figures: tuple[str, ...]) -> None:
    keys = KEYS[grouping]
    arrow = _load(plain[name], monkeypatch, "off", keys, figures)
    assert not _failed(arrow), arrow
    assert len(arrow[0]) > 5
    # Grouped by salesperson, the 合计 line of the Chinese file is seen on its line (the customer
    # cell is a label), which the native path leaves to the Arrow path.
    mode = "auto" if (name, grouping) == ("zh", "salesperson") else "force"
    _same(_load(plain[name], monkeypatch, mode, keys, figures), arrow)


def test_a_totals_line_under_the_customer_column_is_dropped_and_counted(
        plain: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    table, dropped, rows, _ = _load(plain["zh"], monkeypatch, "force", ["customer"], ())
    assert dropped == {"totals / subtotal lines": 1}
    assert rows == 2_001
    assert "合计" not in set(table["customer"])


HEADER = "order_id,order_date,customer_id,customer_name,amount\n"
GOOD = ("SO1,2024-01-05,C1,Alpha,100.50\n"
        "SO2,2024-02-05,C1,Alpha,-20.25\n"
        "SO3,2024-02-06,C2,Beta,7\n")


def _csv(tmp_path: Path, lines: str, name: str = "t.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes((HEADER + GOOD + lines).encode(encoding))
    return path


def test_the_small_plain_file_is_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _csv(tmp_path, "")
    native = _load(path, monkeypatch, "force", ["customer"], ("orders",))
    _same(native, _load(path, monkeypatch, "off", ["customer"], ("orders",)))
    assert list(native[0]["revenue_c"]) == [8025, 700]


# Lines the native path must decline (or match exactly): each appended to a plain file.
MESSY = {
    "money text": 'SO4,2024-03-01,C3,Gamma,"¥1,234.50"\n',
    "thousands": 'SO4,2024-03-01,C3,Gamma,"1,234.50"\n',
    "underscore": "SO4,2024-03-01,C3,Gamma,1_000\n",
    "brackets": "SO4,2024-03-01,C3,Gamma,(12.50)\n",
    "not a number": "SO4,2024-03-01,C3,Gamma,n/a\n",
    "infinite": "SO4,2024-03-01,C3,Gamma,inf\n",
    "nan": "SO4,2024-03-01,C3,Gamma,nan\n",
    "too large": "SO4,2024-03-01,C3,Gamma,1e14\n",
    "exponent": "SO4,2024-03-01,C3,Gamma,1.5e3\n",
    "many decimals": "SO4,2024-03-01,C3,Gamma,1.005\n",
    "negative half cent": "SO4,2024-03-01,C3,Gamma,-1.005\n",
    "slashed date": "SO4,2024/03/01,C3,Gamma,5\n",
    "chinese date": "SO4,2024年3月1日,C3,Gamma,5\n",
    "short month": "SO4,2024-3-1,C3,Gamma,5\n",
    "zulu date": "SO4,2024-03-01Z,C3,Gamma,5\n",
    "two-digit year": "SO4,24-03-01,C3,Gamma,5\n",
    "no such day": "SO4,2024-02-30,C3,Gamma,5\n",
    "datetime": "SO4,2024-03-01 10:30,C3,Gamma,5\n",
    "serial date": "SO4,45352,C3,Gamma,5\n",
    "missing date": "SO4,,C3,Gamma,5\n",
    "missing amount": "SO4,2024-03-01,C3,Gamma,\n",
    "missing customer": "SO4,2024-03-01,,Gamma,5\n",
    "blank row": ",,,,\n",
    "empty line": "\n",
    "totals row": "Total,,,,107.25\n",
    "subtotal in order id": "小计,2024-03-01,C1,Alpha,80.25\n",
    "label in name": "SO4,2024-03-01,C3,总计,5\n",
    "padded customer": "SO4,2024-03-01, C1 ,Alpha,5\n",
    "padded order": "SO1 ,2024-03-01,C1,Alpha,5\n",
    "nbsp order": "SO1\u00a0,2024-03-01,C1,Alpha,5\n",
    "second name": "SO4,2024-03-01,C1,Alpha Ltd,5\n",
    "padded name": "SO4,2024-03-01,C1, Alpha,5\n",
    "empty name": "SO4,2024-03-01,C1,,5\n",
    "quoted": '"SO4","2024-03-01","C3","Gamma, Inc.","5"\n',
    "ragged short": "SO4,2024-03-01,C3\n",
    "ragged long": "SO4,2024-03-01,C3,Gamma,5,extra\n",
    "bare quote": 'SO4,2024-03-01,C3,Gam"ma,5\n',
}


@pytest.mark.parametrize("case", sorted(MESSY))
@pytest.mark.parametrize("skip", [False, True])
def test_messy_lines_give_the_arrow_outcome(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            case: str, skip: bool) -> None:
    path = _csv(tmp_path, MESSY[case])
    for keys in CUSTOMER_KEYS:
        arrow = _load(path, monkeypatch, "off", keys, ALL_FIGURES, skip_bad_rows=skip)
        _same(_load(path, monkeypatch, "auto", keys, ALL_FIGURES, skip_bad_rows=skip), arrow)


@pytest.mark.parametrize("case", ["money text", "underscore", "totals row", "padded customer",
                                  "nbsp order", "second name", "two-digit year", "infinite", "blank row"])
def test_the_native_path_declines_what_it_cannot_prove(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       case: str) -> None:
    path = _csv(tmp_path, MESSY[case])
    with pytest.raises(RuntimeError, match="declined"):
        _load(path, monkeypatch, "force", ["customer"], ("orders",))


def test_other_encodings_and_workbooks_are_left_to_the_arrow_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gbk = _csv(tmp_path, "SO4,2024-03-01,C3,华东贸易,5\n", name="gbk.csv", encoding="gbk")
    with pytest.raises(RuntimeError, match="declined"):
        _load(gbk, monkeypatch, "force", ["customer"], ())
    _same(_load(gbk, monkeypatch, "auto", ["customer"], ()), _load(gbk, monkeypatch, "off", ["customer"], ()))
    book = tmp_path / "t.xlsx"
    pd.read_csv(_csv(tmp_path, ""), dtype=str).to_excel(book, index=False)
    with pytest.raises(RuntimeError, match="workbook"):
        _load(book, monkeypatch, "force", ["customer"], ())


@pytest.mark.parametrize("case", ["exponent", "many decimals", "negative half cent", "quoted", "empty name",
                                  "short month", "padded order"])
def test_readable_odd_values_are_taken_and_equal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 case: str) -> None:
    path = _csv(tmp_path, MESSY[case])
    figures = () if case == "padded order" else ALL_FIGURES
    for keys in CUSTOMER_KEYS:
        native = _load(path, monkeypatch, "force", keys, figures)
        _same(native, _load(path, monkeypatch, "off", keys, figures))


PARQUET_CASES: dict[str, dict[str, Any]] = {
    "plain": {},
    "padded id": {"customer_id": ["C1", "C1 ", "C2"]},
    "empty id": {"customer_id": ["C1", "", "C2"]},
    "null date": {"order_date": [date(2024, 1, 5), None, date(2024, 2, 6)]},
    "nan amount": {"amount": [100.5, float("nan"), 7.0]},
    "null amount": {"amount": [100.5, None, 7.0]},
    "text amount": {"amount": ["100.50", "-20.25", "7"]},
    "text date": {"order_date": ["2024-01-05", "2024-02-05", "2024-02-06"]},
    "totals id": {"customer_id": ["C1", "合计", "C2"]},
    "empty order": {"order_id": ["SO1", "", "SO3"]},
    "categorical totals": {"customer_id": pa.array(["C1", "合计", "C2"]).dictionary_encode()},
    "categorical padded": {"customer_id": pa.array(["C1", "C1 ", "C2"]).dictionary_encode()},
}


@pytest.mark.parametrize("case", sorted(PARQUET_CASES))
def test_parquet_values_give_the_arrow_outcome(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               case: str) -> None:
    columns: dict[str, Any] = {
        "order_id": ["SO1", "SO2", "SO3"],
        "order_date": [date(2024, 1, 5), date(2024, 2, 5), date(2024, 2, 6)],
        "customer_id": ["C1", "C1", "C2"], "customer_name": ["Alpha", "Alpha", "Beta"],
        "amount": [100.5, -20.25, 7.0],
    }
    columns.update(PARQUET_CASES[case])
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table(columns), path)
    for keys in CUSTOMER_KEYS:
        arrow = _load(path, monkeypatch, "off", keys, ("orders",))
        _same(_load(path, monkeypatch, "auto", keys, ("orders",)), arrow)
    if case in ("plain", "totals id", "categorical totals"):
        _same(_load(path, monkeypatch, "force", ["customer"], ("orders",)),
              _load(path, monkeypatch, "off", ["customer"], ("orders",)))


class _SlowQuery:
    """A connection whose query ends only after its progress was asked for three times, so the
    test does not depend on how fast the machine runs a real query."""

    def __init__(self, percents: list[float]) -> None:
        import threading

        self.percents = percents
        self.asked = 0
        self.polled = threading.Event()

    def execute(self, _sql: str) -> None:
        pass

    def query_progress(self) -> float:
        value = self.percents[min(self.asked, len(self.percents) - 1)]
        self.asked += 1
        if self.asked >= 3:
            self.polled.set()
        return value

    def sql(self, _sql: str) -> _SlowQuery:
        return self

    def to_arrow_table(self) -> pa.Table:
        assert self.polled.wait(30), "the poller never asked for progress"
        return pa.table({"n": [1]})


def test_progress_reports_bytes_while_duckdb_reads() -> None:
    from kamtool.engine.native import run_with_progress

    seen: list[tuple[int, int]] = []
    # -1 is DuckDB's "no estimate yet"; a figure over 100 is capped at the file's size.
    con = _SlowQuery([-1.0, 20.0, 50.0, 120.0])
    table = run_with_progress(con, "SELECT 1", 5_000, lambda rows, size: seen.append((rows, size)),
                              every=0.001)
    assert table.column("n").to_pylist() == [1]
    assert con.asked >= 3
    assert seen[:2] == [(0, 1_000), (0, 2_500)]
    assert all(size == 5_000 for _rows, size in seen[2:])


def test_progress_polling_leaves_a_real_query_whole() -> None:
    import duckdb

    from kamtool.engine.native import run_with_progress

    seen: list[tuple[int, int]] = []
    con = duckdb.connect(config={"threads": 1})
    table = run_with_progress(con, "SELECT count(DISTINCT i % 1003) AS n FROM range(200000) t(i)", 5_000,
                 lambda rows, size: seen.append((rows, size)), every=0.001)
    assert table.column("n").to_pylist() == [1003]
    assert all(rows == 0 and 0 <= size <= 5_000 for rows, size in seen)


ENTITY_HEADER = "salesperson,order_id,order_date,customer_id,amount\n"
ENTITY_GOOD = ("Ann,SO1,2024-01-05,C1,100.50\n"
               "Bob,SO2,2024-02-05,C1,-20.25\n"
               ",SO3,2024-02-06,C2,7\n")
ENTITY_CASES = {
    "plain": "",
    "padded value": " Ann,SO4,2024-03-01,C3,5\n",
    "padded customer": "Ann,SO4,2024-03-01, C3,5\n",
    "blank customer": "Ann,SO4,2024-03-01,  ,5\n",
    "no customer": "Ann,SO4,2024-03-01,,5\n",
    "customer label": "Ann,,2024-03-01,合计,5\n",
    "entity label": "合计,,2024-03-01,C9,112.25\n",
    "entity total word": "Total,,2024-03-01,C9,112.25\n",
}


@pytest.mark.parametrize("case", sorted(ENTITY_CASES))
def test_a_grouping_by_another_column_gives_the_arrow_outcome(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    path = tmp_path / "by.csv"
    path.write_text(ENTITY_HEADER + ENTITY_GOOD + ENTITY_CASES[case], encoding="utf-8")
    for figures in [(), ALL_FIGURES]:
        arrow = _load(path, monkeypatch, "off", ["salesperson"], figures)
        _same(_load(path, monkeypatch, "auto", ["salesperson"], figures), arrow)
        if case in ("plain", "entity label", "entity total word"):
            _same(_load(path, monkeypatch, "force", ["salesperson"], figures), arrow)
