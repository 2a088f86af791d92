"""Every path to the ledger gives the same figures, to the cent.

The same orders as CSV, Parquet and Excel; as one file or several; through the native
engine (DuckDB reads the file) or the Arrow engine (io cleans the lines,
``KAMTOOL_NATIVE=off``); and a messy export of the same orders (title lines, money text
with currency signs and thousands separators, Chinese dates, a totals row).  The Dask
engine is compared in test_engine_dask.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest

from kamtool.engine.load import load
from kamtool.io.request import build_request
from kamtool.ledger import Ledger
from kamtool.needs import ALL_FIGURES, Needs
from tests.conftest import load_make_orders


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    gen = load_make_orders()
    out = tmp_path_factory.mktemp("paths")
    paths = {}
    for fmt in ("csv", "parquet", "xlsx"):
        path = out / f"orders.{fmt}"
        gen.write_large(path, fmt, lines=3_000, customers=150, seed=11, start=date(2024, 1, 1),
                        end=date(2025, 6, 30), chunk_lines=1_000)
        paths[fmt] = path
    frame = pd.read_csv(paths["csv"], dtype=str)
    # The same orders as an ERP would export them: title lines, money as text,
    # Chinese dates, quoted thousands separators, a totals row.
    messy = out / "messy.csv"
    money = frame["amount"].astype(float).map(lambda v: f"¥{v:,.2f}" if v >= 0 else f"(¥{-v:,.2f})")
    dates = pd.to_datetime(frame["order_date"]).map(lambda d: f"{d.year}年{d.month}月{d.day}日")
    body = frame.assign(amount=money, order_date=dates)
    with open(messy, "w", encoding="utf-8", newline="") as handle:
        handle.write("Sales export\nprinted 2025-07-01\n\n")
        body.to_csv(handle, index=False)
        handle.write(",,Total,,,,,,,,,,\"1,234.00\",\n")
    paths["messy"] = messy
    # The first half and the second half as two monthly-style files.
    half = len(frame) // 2
    for i, part in enumerate((frame.iloc[:half], frame.iloc[half:])):
        path = out / f"part{i}.csv"
        part.to_csv(path, index=False)
        paths[f"part{i}"] = path
    return paths


def _load(names: list[Path], keys: tuple[str, ...] = ("customer",), *, native: bool = True,
          monkeypatch: pytest.MonkeyPatch) -> Ledger:
    monkeypatch.setenv("KAMTOOL_NATIVE", "auto" if native else "off")
    needs = Needs(keys=keys, measures=("profit", "quantity"), figures=ALL_FIGURES)
    return load(build_request(needs, [str(n) for n in names]))


def _customers(names: list[Path], monkeypatch: pytest.MonkeyPatch, native: bool = True) -> pd.DataFrame:
    return _load(names, native=native, monkeypatch=monkeypatch).customers


@pytest.mark.parametrize("fmt", ["parquet", "xlsx", "messy"])
def test_every_format_gives_the_csv_ledger(files: dict[str, Path], fmt: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    reference = _customers([files["csv"]], monkeypatch, native=False)
    assert len(reference) > 50
    pdt.assert_frame_equal(_customers([files["csv"]], monkeypatch), reference)
    pdt.assert_frame_equal(_customers([files[fmt]], monkeypatch, native=False), reference)
    pdt.assert_frame_equal(_customers([files[fmt]], monkeypatch), reference)


def test_split_files_give_the_whole_ledger(files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    reference = _customers([files["csv"]], monkeypatch)
    parts = [files["part0"], files["part1"]]
    pdt.assert_frame_equal(_customers(parts, monkeypatch), reference)


def test_every_engine_agrees_on_any_grouping(files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("salesperson", "product", "region"):
        arrow = _load([files["csv"]], (key,), native=False, monkeypatch=monkeypatch)
        native = _load([files["csv"]], (key,), monkeypatch=monkeypatch)
        messy = _load([files["messy"]], (key,), monkeypatch=monkeypatch)
        assert (arrow.engine, native.engine, messy.engine) == ("arrow", "native", "arrow")
        pdt.assert_frame_equal(native.entities, arrow.entities)
        pdt.assert_frame_equal(messy.entities, arrow.entities)


def test_totals_match_the_source_to_the_cent(files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    frame = pd.read_csv(files["csv"], dtype=str)
    cents = sum(round(float(v) * 100) for v in frame["amount"])
    ledger = _load([files["messy"]], monkeypatch=monkeypatch)
    assert round(ledger.totals()["revenue"] * 100) == cents
    assert ledger.totals()["lines"] == len(frame)
    assert ledger.sources[0].stats.dropped == {"totals / subtotal lines": 1}


def test_daily_figures_by_both_engines(files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """churn and clv read one row per customer and day straight from the lines."""
    reference = _load([files["csv"]], ("customer", "date"), native=False, monkeypatch=monkeypatch).daily
    for fmt in ("csv", "messy", "parquet"):
        daily = _load([files[fmt]], ("customer", "date"), monkeypatch=monkeypatch).daily
        pdt.assert_frame_equal(daily, reference)
