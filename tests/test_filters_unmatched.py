"""A --where value no line holds is a warning on stderr naming the option, the value and the
column's first values (in the reader's language), and the run goes on; on every engine.

The six-line file of tests/test_filters.py (regions East, West, East, South, West, none;
order ids 1 … 6): worked by hand, region's values in byte order are East, South, West, and the
first five of the six order ids 1, 2, 3, 4, 5 with more besides.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import run_kamtool
from test_filters import LINES  # the same six lines, worked by hand there

from kamtool.engine.filters import Unmatched
from kamtool.engine.load import load
from kamtool.errors import DataError
from kamtool.io.request import Filters, Where, build_request
from kamtool.needs import Needs
from kamtool.render.words.filters import unmatched

LOYALTY = Needs(keys=("customer", "date", "brand", "product"), optional=("brand", "product"), measures=(),
                figures=("first_purchase",))


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.csv"
    path.write_text(LINES, encoding="utf-8")
    return path


def _load(path: Path, filters: Filters, monkeypatch: pytest.MonkeyPatch, mode: str,
          needs: Needs | None = None) -> Any:
    monkeypatch.setenv("KAMTOOL_NATIVE", mode)
    request = build_request(needs or Needs(keys=("customer",), measures=()), [str(path)], filters=filters)
    return load(request)


@pytest.mark.parametrize("grain", ["customer", "loyalty"])
@pytest.mark.parametrize("mode", ["force", "off"])
def test_a_value_no_line_holds_is_named_with_the_columns_values(tiny: Path, monkeypatch: pytest.MonkeyPatch,
                                                                mode: str, grain: str) -> None:
    filters = Filters(where=(Where("region", ("Esat", "East")),))
    ledger = _load(tiny, filters, monkeypatch, mode, LOYALTY if grain == "loyalty" else None)
    assert ledger.engine == {"force": "native", "off": "arrow"}[mode]
    assert ledger.unmatched == [Unmatched(name="region", column="region", given=("Esat", "East"),
                                          missing=("Esat",), first_values=("East", "South", "West"),
                                          more=False)]


@pytest.mark.parametrize("mode", ["force", "off"])
def test_values_that_all_match_warn_of_nothing(tiny: Path, monkeypatch: pytest.MonkeyPatch,
                                               mode: str) -> None:
    filters = Filters(where=(Where("region", ("West", "South")), Where("salesperson", ("Ann",))))
    assert _load(tiny, filters, monkeypatch, mode).unmatched == []


@pytest.mark.parametrize("mode", ["force", "off"])
def test_more_than_five_values_end_in_an_ellipsis(tiny: Path, monkeypatch: pytest.MonkeyPatch,
                                                  mode: str) -> None:
    # a value held only by lines another filter leaves out is held: no warning for order 1
    filters = Filters(where=(Where("salesperson", ("Bob",)), Where("order_id", ("1", "7", "3"))))
    ledger = _load(tiny, filters, monkeypatch, mode)
    assert ledger.unmatched == [Unmatched(name="order_id", column="order_id", given=("1", "7", "3"),
                                          missing=("7",), first_values=("1", "2", "3", "4", "5"), more=True)]
    gone = ledger.unmatched[0]
    assert unmatched(gone, "en") == ("--where order_id=1,7,3: no line has order 7 "
                                     "(values: 1, 2, 3, 4, 5, …)")
    assert unmatched(gone, "zh") == ("--where order_id=1,7,3：没有一行的订单号为7"
                                     "（已有的值：1、2、3、4、5、…）")


@pytest.mark.parametrize("mode", ["force", "off"])
def test_nothing_left_says_which_value_no_line_holds(tiny: Path, monkeypatch: pytest.MonkeyPatch,
                                                     mode: str) -> None:
    with pytest.raises(DataError, match=r"\(lines left out: 6 --where region\); "
                                        r"no line has region Esat \(values: East, South, West\)$"):
        _load(tiny, Filters(where=(Where("region", ("Esat",)),)), monkeypatch, mode)


def test_the_command_line_warns_and_goes_on_in_both_languages(tiny: Path) -> None:
    asked = ["abc", str(tiny), "--where", "region=Esat,East", "--format", "json"]
    runs = {lang: run_kamtool([*asked, "--lang", lang]) for lang in ("en", "zh")}
    assert runs["en"].code == runs["zh"].code == 0
    assert "Warning: --where region=Esat,East: no line has region Esat (values: East, South, West)" \
        in runs["en"].stderr
    assert "--where region=Esat,East：没有一行的区域为Esat（已有的值：East、South、West）" \
        in runs["zh"].stderr
    east = run_kamtool(["abc", str(tiny), "--where", "region=East", "--format", "json"])
    assert "Warning" not in east.stderr
    rows = {r["customer"]: r["revenue"] for r in json.loads(runs["en"].stdout)["rows"]}
    assert rows == {"C1": 100.0, "C2": 30.0}  # the lines of East, as --where region=East gives
    assert json.loads(runs["en"].stdout)["rows"] == json.loads(east.stdout)["rows"]


@pytest.mark.parametrize("mode", ["force", "off"])
def test_a_parquet_file_on_loyaltys_grain(tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          mode: str) -> None:
    """The native Parquet query of loyalty's grain (two aggregations) says the same."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    path = tmp_path / "tiny.parquet"
    table = pacsv.read_csv(tiny, convert_options=pacsv.ConvertOptions(
        strings_can_be_null=True, column_types={"order_id": "string"}))
    pq.write_table(table, path)
    ledger = _load(path, Filters(where=(Where("region", ("Esat", "East")),)), monkeypatch, mode, LOYALTY)
    assert ledger.engine == {"force": "native", "off": "arrow"}[mode]
    assert [(u.missing, u.first_values, u.more) for u in ledger.unmatched] == [
        (("Esat",), ("East", "South", "West"), False)]
