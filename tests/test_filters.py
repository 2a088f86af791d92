"""Filters in the load (--from, --to, --where) on a six-line file worked out by hand, on every
engine: native (DuckDB reads the file), arrow (KAMTOOL_NATIVE=off) and dask; the lines left out
are counted by filter, and lines left out still pass (or fail) the native proof of plainness.

The file (amounts in currency units)::

    order  date        customer  region  salesperson  Kundengruppe  amount
    1      2024-01-05  C1        East    Ann          A             100.00
    2      2024-02-10  C1        West    Ann          B              50.00
    3      2024-03-15  C2        East    Bob          A              30.00
    4      2024-03-20  C2        South   Bob          B              20.00
    5      2024-04-01  C3        West    Ann          A              10.00
    6      2024-04-02  C3        (none)  Bob          A               5.00
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamtool.engine.filters import Rule, drop_sql, rules
from kamtool.engine.load import load
from kamtool.errors import ColumnError, DataError, KamtoolError
from kamtool.io.request import Filters, Where, build_request
from kamtool.io.rules import CleanOptions
from kamtool.needs import Needs

LINES = """order_id,date,customer,region,salesperson,Kundengruppe,amount
1,2024-01-05,C1,East,Ann,A,100.00
2,2024-02-10,C1,West,Ann,B,50.00
3,2024-03-15,C2,East,Bob,A,30.00
4,2024-03-20,C2,South,Bob,B,20.00
5,2024-04-01,C3,West,Ann,A,10.00
6,2024-04-02,C3,,Bob,A,5.00
"""
DATES = "filtered out: --from/--to"
REGION = "filtered out: --where region"

# name -> (filters, revenue per customer kept, lines left out by reason), all worked by hand
CASES: dict[str, tuple[Filters, dict[str, float], dict[str, int]]] = {
    "from-to": (Filters(first=dt.date(2024, 2, 1), last=dt.date(2024, 3, 31)),
                {"C1": 50.0, "C2": 50.0}, {DATES: 3}),
    "from": (Filters(first=dt.date(2024, 3, 20)), {"C2": 20.0, "C3": 15.0}, {DATES: 3}),
    "to": (Filters(last=dt.date(2024, 1, 5)), {"C1": 100.0}, {DATES: 5}),
    "one value": (Filters(where=(Where("region", ("East",)),)), {"C1": 100.0, "C2": 30.0}, {REGION: 4}),
    "two values": (Filters(where=(Where("region", ("East", "West")),)),
                   {"C1": 150.0, "C2": 30.0, "C3": 10.0}, {REGION: 2}),
    "a file's own column": (Filters(where=(Where("field_1", ("B",), label="Kundengruppe"),)),
                            {"C1": 50.0, "C2": 20.0}, {"filtered out: --where Kundengruppe": 4}),
    "dates and a column": (Filters(first=dt.date(2024, 2, 1), where=(Where("region", ("East", "West")),)),
                           {"C1": 50.0, "C2": 30.0, "C3": 10.0}, {DATES: 1, REGION: 2}),
    # the first filter a line fails counts it: salesperson (given first) 3, then region 2
    "two columns": (Filters(where=(Where("salesperson", ("Bob",)), Where("region", ("East",)))),
                    {"C2": 30.0}, {"filtered out: --where salesperson": 3, REGION: 2}),
    "the customer": (Filters(where=(Where("customer", ("C3",)),)), {"C3": 15.0},
                     {"filtered out: --where customer": 4}),
}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("filters") / "tiny.csv"
    path.write_text(LINES, encoding="utf-8")
    return path


def _load(path: Path | list[str], filters: Filters, monkeypatch: pytest.MonkeyPatch, mode: str,
          keys: tuple[str, ...] = ("customer",), client: Any = None, **clean: Any) -> Any:
    monkeypatch.setenv("KAMTOOL_NATIVE", mode)
    files = path if isinstance(path, list) else [str(path)]
    needs = Needs(keys=keys, measures=(), figures=("orders", "dates"))
    extra = {"engine": "dask", "scheduler": client} if client is not None else {}
    request = build_request(needs, files, filters=filters, clean=CleanOptions(**clean), **extra)
    return load(request)


def _revenue(ledger: Any) -> dict[str, float]:
    frame = ledger.customers
    return dict(zip(frame["customer"], frame["revenue"], strict=True))


def _dropped(ledger: Any) -> dict[str, int]:
    stats = ledger.stats()
    return dict(stats.dropped)


@pytest.mark.parametrize("mode", ["force", "off"])
@pytest.mark.parametrize("case", list(CASES))
def test_each_filter_form_on_the_native_and_arrow_engines(tiny: Path, monkeypatch: pytest.MonkeyPatch,
                                                          mode: str, case: str) -> None:
    filters, revenue, dropped = CASES[case]
    ledger = _load(tiny, filters, monkeypatch, mode)
    assert ledger.engine == {"force": "native", "off": "arrow"}[mode]
    assert _revenue(ledger) == revenue
    assert _dropped(ledger) == dropped
    assert ledger.stats().rows == 6  # every line read, kept or left out
    assert ledger.filters == filters


@pytest.mark.parametrize("mode", ["force", "off"])
def test_filters_at_the_daily_and_entity_grains(tiny: Path, monkeypatch: pytest.MonkeyPatch,
                                                mode: str) -> None:
    filters = Filters(first=dt.date(2024, 2, 1), where=(Where("region", ("East", "West")),))
    daily = _load(tiny, filters, monkeypatch, mode, keys=("customer", "date")).daily
    days = zip(daily["customer"], daily["date"], daily["revenue"], strict=True)
    assert [(c, d.date().isoformat(), r) for c, d, r in days] == [
        ("C1", "2024-02-10", 50.0), ("C2", "2024-03-15", 30.0), ("C3", "2024-04-01", 10.0)]
    people = _load(tiny, filters, monkeypatch, mode, keys=("salesperson",)).entities
    assert dict(zip(people["salesperson"], people["revenue"], strict=True)) == {"Ann": 60.0, "Bob": 30.0}


def test_one_definition_gives_the_sql_and_the_mask() -> None:
    filters = Filters(first=dt.date(2024, 2, 1), where=(Where("region", ("East", "O'Neil")),))
    first, region = rules(filters)
    assert first.sql('"date"') == "coalesce(\"date\" >= DATE '2024-02-01', false)"
    assert region.sql('"region"') == "coalesce(\"region\" IN ('East', 'O''Neil'), false)"
    assert drop_sql(filters) == ("(CASE WHEN NOT coalesce(\"date\" >= DATE '2024-02-01', false) THEN 1 "
                                 "WHEN NOT coalesce(\"region\" IN ('East', 'O''Neil'), false) THEN 2 "
                                 "ELSE 0 END)::INTEGER")
    import pyarrow as pa

    assert region.arrow(pa.array(["East", None, "west", "O'Neil"])).to_pylist() == [True, False, False, True]
    days = pa.array([dt.date(2024, 1, 31), dt.date(2024, 2, 1), None], pa.date32())
    assert first.arrow(days).to_pylist() == [False, True, False]
    until = Rule(reason="r", column="date", last=dt.date(2024, 2, 1))
    assert until.arrow(days).to_pylist() == [True, True, False]


def _write(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_padded_value_is_never_native_proof(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """' West' cleans to 'West': kept by the filter. DuckDB's raw text is not 'West', so the
    native path must not leave the line out; it declines and the Arrow path keeps the line."""
    path = _write(tmp_path, LINES.replace("5,2024-04-01,C3,West", '5,2024-04-01,C3," West"'))
    filters = Filters(where=(Where("region", ("West",)),))
    with pytest.raises(RuntimeError, match="declined"):
        _load(path, filters, monkeypatch, "force")
    ledger = _load(path, filters, monkeypatch, "auto")
    assert ledger.engine == "arrow"
    assert _revenue(ledger) == {"C1": 50.0, "C3": 10.0}
    assert _revenue(_load(path, filters, monkeypatch, "off")) == {"C1": 50.0, "C3": 10.0}


def test_a_padded_customer_left_out_declines_the_native_path(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, LINES.replace("6,2024-04-02,C3,", '6,2024-04-02," C3",'))
    filters = Filters(where=(Where("customer", ("C3",)),))
    with pytest.raises(RuntimeError, match="declined"):
        _load(path, filters, monkeypatch, "force")
    assert _revenue(_load(path, filters, monkeypatch, "auto")) == {"C3": 15.0}


def test_a_bad_value_on_a_line_left_out_is_still_an_error(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The Arrow path cleans before it filters: 'abc' on line 2 is an error even with
    --where region=East leaving line 2 out; the native path must give the same answer."""
    path = _write(tmp_path, LINES.replace("Ann,B,50.00", "Ann,B,abc"))
    filters = Filters(where=(Where("region", ("East",)),))
    for mode in ("auto", "off"):
        with pytest.raises(DataError, match="line 3.*'abc' is not a number"):
            _load(path, filters, monkeypatch, mode)
    # under --skip-bad-rows the line is skipped for its value, before any filter counts it
    for mode in ("auto", "off"):
        ledger = _load(path, filters, monkeypatch, mode, skip_bad_rows=True)
        assert _revenue(ledger) == {"C1": 100.0, "C2": 30.0}
        assert _dropped(ledger) == {"amount: not a number": 1, REGION: 3}


def test_a_totals_line_left_out_is_counted_as_a_totals_line(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, LINES + "7,2024-04-30,合计,,,,215.00\n")
    filters = Filters(where=(Where("region", ("East",)),))
    outcomes = []
    for mode in ("auto", "off"):
        ledger = _load(path, filters, monkeypatch, mode)
        outcomes.append((_revenue(ledger), _dropped(ledger), ledger.stats().rows))
    assert outcomes[0] == outcomes[1] == (
        {"C1": 100.0, "C2": 30.0}, {"totals / subtotal lines": 1, REGION: 4}, 7)


def test_a_workbook_number_cell_is_compared_as_its_text(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    frame = pd.DataFrame({"customer": [1001, 1002, 1001], "date": pd.to_datetime(["2024-01-01"] * 3),
                          "amount": [1.0, 2.0, 4.0], "region": [7, 8, 7]})
    book = tmp_path / "numbers.xlsx"
    frame.to_excel(book, index=False)
    ledger = _load(book, Filters(where=(Where("region", ("7",)),)), monkeypatch, "auto")
    assert _revenue(ledger) == {"1001": 5.0}


def test_missing_columns_and_nothing_left_are_errors_naming_the_option(
        tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for mode in ("auto", "off"):
        with pytest.raises(ColumnError, match=r"--where channel: the file has no channel column.*--col "
                                              r"channel="):
            _load(tiny, Filters(where=(Where("channel", ("Web",)),)), monkeypatch, mode)
        with pytest.raises(ColumnError, match=r"--where Segment: no such column\. The file's columns "
                                              r"are: order_id"):
            _load(tiny, Filters(where=(Where("field_1", ("x",), label="Segment"),)), monkeypatch, mode)
        with pytest.raises(DataError, match=r"no order line is left after the filters --from 2025-01-01 "
                                            r"--where region=North \(lines left out: 6 --from/--to\)"):
            _load(tiny, Filters(first=dt.date(2025, 1, 1), where=(Where("region", ("North",)),)),
                  monkeypatch, mode)


def test_dask_applies_the_filters_per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    head, *rows = LINES.strip().splitlines()
    first = _write(tmp_path, "\n".join([head, *rows[:3]]) + "\n", "a.csv")
    second = _write(tmp_path, "\n".join([head, *rows[3:]]) + "\n", "b.csv")
    files = [str(first), str(second)]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=50) as cluster, \
            distributed.Client(cluster) as client:
        for name in ("dates and a column", "two columns", "a file's own column"):
            filters, revenue, dropped = CASES[name]
            ledger = _load(files, filters, monkeypatch, "auto", client=client)
            assert ledger.engine == "dask"
            assert _revenue(ledger) == revenue, name
            assert _dropped(ledger) == dropped, name
        with pytest.raises(KamtoolError, match="no order line is left"):
            _load(files, Filters(where=(Where("region", ("North",)),)), monkeypatch, "auto", client=client)


def test_a_typed_parquet_file_filters_alike_on_both_engines(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Parquet columns typed by the writer: integer customer ids and dates, read natively by
    DuckDB and by pyarrow through the cleaner; the filters see the same text and days."""
    import io

    import pandas as pd

    frame = pd.read_csv(io.StringIO(LINES), dtype={"region": "string"})
    frame["customer"] = frame["customer"].str[1:].astype("int64")  # C1 -> 1
    frame["date"] = pd.to_datetime(frame["date"])
    path = tmp_path / "typed.parquet"
    frame.to_parquet(path, index=False)
    filters = Filters(last=dt.date(2024, 3, 31), where=(Where("customer", ("1", "2")),
                                                        Where("region", ("East", "West"))))
    outcomes = []
    for mode in ("force", "off"):
        ledger = _load(path, filters, monkeypatch, mode)
        outcomes.append((_revenue(ledger), _dropped(ledger), ledger.stats().rows))
    # lines 5 and 6 are in April; of lines 1-4 (customers 1 and 2 only) line 4 is South
    assert outcomes[0] == outcomes[1] == ({"1": 150.0, "2": 30.0}, {DATES: 2, REGION: 1}, 6)


_REGIONS = ["East", "West", " West", "South", ""]
_line = st.tuples(st.sampled_from(["C1", "C2", "C3", "C4"]), st.sampled_from(_REGIONS),
                  st.integers(min_value=0, max_value=59), st.integers(min_value=-500, max_value=5000))


@settings(max_examples=25, deadline=None)
@given(lines=st.lists(_line, min_size=1, max_size=30),
       keep=st.sets(st.sampled_from(["East", "West", "South"]), min_size=1),
       first=st.integers(min_value=0, max_value=59), span=st.integers(min_value=0, max_value=59))
def test_any_file_and_filter_give_pandas_answer_on_both_engines(
        tmp_path_factory: pytest.TempPathFactory, lines: list[tuple[str, str, int, int]], keep: set[str],
        first: int, span: int) -> None:
    """Random lines (padded and empty regions among them) and a random filter: both engines
    give what pandas gives on the cleaned lines, and the counts add up to the lines read."""
    import os

    import pandas as pd

    start = dt.date(2024, 1, 1)
    path = tmp_path_factory.mktemp("any") / "t.csv"
    rows = [f"{i},{(start + dt.timedelta(days=d)).isoformat()},{c},\"{r}\",{a / 100:.2f}"
            for i, (c, r, d, a) in enumerate(lines, 1)]
    path.write_text("order_id,date,customer,region,amount\n" + "\n".join(rows) + "\n", encoding="utf-8")
    filters = Filters(first=start + dt.timedelta(days=first), last=start + dt.timedelta(days=first + span),
                      where=(Where("region", tuple(sorted(keep))),))
    frame = pd.DataFrame(lines, columns=["customer", "region", "day", "cents"])
    frame["region"] = frame["region"].str.strip()
    in_dates = frame["day"].between(first, first + span)
    kept = frame[in_dates & frame["region"].isin(keep)]
    expected = {c: s / 100 for c, s in kept.groupby("customer")["cents"].sum().items()}
    counts = {DATES: int((~in_dates).sum()), REGION: int((in_dates & ~frame["region"].isin(keep)).sum())}
    counts = {k: v for k, v in counts.items() if v}
    before = os.environ.get("KAMTOOL_NATIVE")
    try:
        for mode in ("auto", "off"):
            os.environ["KAMTOOL_NATIVE"] = mode
            needs = Needs(keys=("customer",), figures=("orders",))
            request = build_request(needs, [str(path)], filters=filters)
            try:
                ledger = load(request)
            except DataError as exc:
                assert not expected and "no order line is left" in str(exc)
                continue
            assert _revenue(ledger) == pytest.approx(expected), mode
            assert _dropped(ledger) == counts, mode
            assert ledger.stats().rows == len(lines)
    finally:
        if before is None:
            os.environ.pop("KAMTOOL_NATIVE", None)
        else:
            os.environ["KAMTOOL_NATIVE"] = before
