"""The native path's wider reach: inspect's request (every column inspect reads, with the empty
cells of each), the text keys of a grain checked per distinct value, and non-finite
quantities.  Every file is loaded on both paths: the native one equals the Arrow one, or it
declines and the run's outcome is the Arrow path's.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas.testing as pdt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from kamtool.analyses import inspection, tiers
from kamtool.engine.load import load
from kamtool.engine.native import _may_need_trim
from kamtool.errors import KamtoolError
from kamtool.io.clean import as_text
from kamtool.io.request import Filters, build_request
from kamtool.io.rules import CleanOptions
from kamtool.needs import Needs
from tests.conftest import run_subprocess
from tests.test_native import (
    MESSY,
    PARQUET_CASES,
    plain,  # noqa: F401 - the fixture of plain files, shared
)
from tests.test_native import _csv as messy_csv

INSPECT = inspection.NEEDS


def _outcome(path: Path, monkeypatch: pytest.MonkeyPatch, mode: str, needs: Needs = INSPECT,
             **clean: Any) -> Any:
    """The ledger's table, drops, rows read, columns and empty cells; or the error."""
    monkeypatch.setenv("KAMTOOL_NATIVE", mode)
    try:
        ledger = load(build_request(needs, [str(path)], clean=CleanOptions(**clean)))
    except KamtoolError as exc:
        return ("error", type(exc).__name__, str(exc))
    if mode in ("off", "force"):
        assert ledger.engine == {"off": "arrow", "force": "native"}[mode]
    info = ledger.sources[0]
    # the empty cells per column are counted for inspect only, the one command that shows them
    missing = {k: v for k, v in info.stats.missing.items() if v} if needs.measures is None else {}
    return ledger.table.to_pandas(), dict(info.stats.dropped), info.stats.rows, ledger.present, missing, \
        ledger.engine


def _same(native: Any, arrow: Any) -> None:
    if isinstance(arrow[0], str) or isinstance(native[0], str):
        assert native == arrow
        return
    pdt.assert_frame_equal(native[0], arrow[0])
    assert native[1:5] == arrow[1:5]


def _inspect_json(path: Path, mode: str) -> dict[str, Any]:
    run = run_subprocess(["inspect", str(path), "--format", "json"], cwd=path.parent,
                         env={"KAMTOOL_NATIVE": mode})
    assert run.returncode == 0, run.stderr
    doc: dict[str, Any] = json.loads(run.stdout)
    return doc


def _without_engine(doc: dict[str, Any]) -> dict[str, Any]:
    for part in (doc["params"], doc["summary"]):
        part.pop("engine")
        part.pop("engine_reason", None)
    return doc


# -- the byte test behind the key checks ---------------------------------------------------


def test_no_value_the_trim_changes_is_passed_over() -> None:
    """Every code point, alone, first, last and inside: a value the cleaner's trim changes (or
    empties) is always a suspect; one inside a value never is."""
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for form, inside in [("{}", False), ("a{}", False), ("{}a", False), ("中{}", False),
                         ("{}é", False), ("ab{}cd", True)]:
        values = pa.array([form.format(c) for c in chars])
        suspect = _may_need_trim(values)
        changed = pc.invert(pc.fill_null(pc.equal(as_text(values), values), False)).to_numpy(
            zero_copy_only=False)
        assert not (changed & ~suspect).any(), form
        assert changed.sum() >= (0 if inside else 25)  # the whitespace characters
        if inside:
            assert not suspect.any()


def test_suspects_of_a_slice_with_nulls_and_empties() -> None:
    values = pa.array(["x", " a", None, "", "b ", "Café", "中文", "\u3000c", "ok", "d\u00a0"])
    assert _may_need_trim(values).tolist() == [False, True, False, True, True, True, False, True, False,
                                               True]
    # a slice starts at an offset into the same buffers
    assert _may_need_trim(values.slice(3, 4)).tolist() == [True, True, True, False]
    assert _may_need_trim(pa.array(["", None, ""])).tolist() == [True, False, True]


# -- inspect --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["csv", "parquet", "titled", "typed", "zh"])
def test_inspect_of_every_plain_file_is_native_and_reports_the_arrow_figures(
        plain: dict[str, Path], monkeypatch: pytest.MonkeyPatch, name: str) -> None:  # noqa: F811
    arrow = _outcome(plain[name], monkeypatch, "off")
    native = _outcome(plain[name], monkeypatch, "force")
    _same(native, arrow)
    if name == "typed":  # empty order numbers and costs, counted alike
        assert arrow[4] == {"order_id": 118, "cost": 154}
    native_doc = _inspect_json(plain[name], "auto")
    assert native_doc["params"]["engine"] == "native"
    assert _without_engine(native_doc) == _without_engine(_inspect_json(plain[name], "off"))


@pytest.mark.parametrize("case", sorted(MESSY))
@pytest.mark.parametrize("skip", [False, True])
def test_inspect_of_messy_lines_gives_the_arrow_outcome(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        case: str, skip: bool) -> None:
    path = messy_csv(tmp_path, MESSY[case])
    _same(_outcome(path, monkeypatch, "auto", skip_bad_rows=skip),
          _outcome(path, monkeypatch, "off", skip_bad_rows=skip))


@pytest.mark.parametrize("case", sorted(PARQUET_CASES))
def test_inspect_of_parquet_values_gives_the_arrow_outcome(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           case: str) -> None:
    columns: dict[str, Any] = {
        "order_id": ["SO1", "SO2", "SO3"],
        "order_date": [date(2024, 1, 5), date(2024, 2, 5), date(2024, 2, 6)],
        "customer_id": ["C1", "C1", "C2"], "customer_name": ["Alpha", "Alpha", "Beta"],
        "amount": [100.5, -20.25, 7.0], "quantity": [1.0, 2.0, 3.0],
    }
    columns.update(PARQUET_CASES[case])
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table(columns), path)
    _same(_outcome(path, monkeypatch, "auto"), _outcome(path, monkeypatch, "off"))


EMPTY_CELLS = ("order_id,order_date,customer_id,customer_name,amount,quantity,unit_price,cost\n"
               "SO1,2024-01-05,C1,Alpha,100.50,2,50.25,60\n"
               ",2024-01-06,C1,,20,,,\n"        # no order number, name, quantity, price or cost
               "SO3,2024-02-01,C2,  ,7,1,7,\n"   # C2's one name is blank: empty once cleaned
               "SO4,2024-02-02,C2,,3,1,3,1\n"
               "SO5,2024-02-03,C3,Gamma,1,1,1,0.5\n")


def test_empty_cells_are_counted_as_the_cleaner_counts_them(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(EMPTY_CELLS, encoding="utf-8")
    native = _outcome(path, monkeypatch, "force")
    _same(native, _outcome(path, monkeypatch, "off"))
    # by hand: line 3 lacks five cells; C2's two lines have no name (one blank, one empty)
    assert native[4] == {"order_id": 1, "customer_name": 3, "quantity": 1, "unit_price": 1, "cost": 2}
    assert native[0]["customer_name"].fillna("-").tolist() == ["Alpha", "-", "Gamma"]


@pytest.mark.parametrize("cells", ["SO6,2024-02-04,C3,Gamma,1,inf,1,1", "SO6,2024-02-04,C3,Gamma,1,1,nan,1",
                                   "SO6,2024-02-04,C3,Gamma,1,1,1e14,1", "SO6,2024-02-04,C3,Gamma,1,1,1,x",
                                   "SO6,2024-02-04,C3,Gamma ,1,1,1,1", "Total,,,,132.5,,,",
                                   "SO6 ,2024-02-04,C3,Gamma,1,1,1,1"])
@pytest.mark.parametrize("skip", [False, True])
def test_a_cell_inspect_reads_that_needs_cleaning_declines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          cells: str, skip: bool) -> None:
    path = tmp_path / "odd.csv"
    path.write_text(EMPTY_CELLS + cells + "\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="declined"):
        _outcome(path, monkeypatch, "force", skip_bad_rows=skip)
    auto = _outcome(path, monkeypatch, "auto", skip_bad_rows=skip)
    _same(auto, _outcome(path, monkeypatch, "off", skip_bad_rows=skip))
    assert isinstance(auto[0], str) or auto[5] == "arrow"


def test_inspect_with_a_filter_counts_the_empty_cells_of_lines_left_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(EMPTY_CELLS, encoding="utf-8")
    filters = Filters(first=date(2024, 2, 1))
    outcomes = []
    for mode in ("force", "off"):
        monkeypatch.setenv("KAMTOOL_NATIVE", mode)
        ledger = load(build_request(INSPECT, [str(path)], filters=filters))
        stats = ledger.sources[0].stats
        outcomes.append((ledger.table.to_pandas(), {k: v for k, v in stats.missing.items() if v},
                         dict(stats.dropped)))
    pdt.assert_frame_equal(outcomes[0][0], outcomes[1][0])
    assert outcomes[0][1:] == outcomes[1][1:]
    assert outcomes[0][1]["order_id"] == 1  # line 3, left out by --from, still counted


ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("extra", [[], ["--where", "region=East"], ["--where", "region=East,West", "--from",
                                                                     "2024-03-01"]])
def test_inspect_of_the_sample_is_native_and_the_same_with_filters(tmp_path: Path, extra: list[str]) -> None:
    """The sample through the real command: the same document on both paths, but the engine."""
    docs = []
    for mode in ("auto", "off"):
        sample = str(ROOT / "sample_data" / "orders.csv")
        run = run_subprocess(["inspect", sample, *extra, "--format", "json"], cwd=tmp_path,
                             env={"KAMTOOL_NATIVE": mode})
        assert run.returncode == 0, run.stderr
        docs.append(json.loads(run.stdout))
    assert docs[0]["params"]["engine"] == "native"
    assert _without_engine(docs[0]) == _without_engine(docs[1])


def test_inspect_of_a_file_without_names_or_order_numbers(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "three.csv"
    path.write_text("客户,订单日期,金额\nA,2024-01-05,100.50\nB,2024-01-06,20.00\nA,2024-02-01,5\n",
                    encoding="utf-8")
    native = _outcome(path, monkeypatch, "force")
    _same(native, _outcome(path, monkeypatch, "off"))
    assert native[0]["revenue_c"].tolist() == [10550, 2000]
    assert native[0]["orders"].tolist() == [2, 1]  # one order per customer-day


# -- a non-finite quantity ------------------------------------------------------------------


@pytest.mark.parametrize("quantity", ["inf", "nan", "-inf"])
def test_a_quantity_that_is_no_number_declines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               quantity: str) -> None:
    """The cleaner calls nan and inf no number; the native path once summed them."""
    path = tmp_path / "q.csv"
    path.write_text(f"order_id,order_date,customer_id,amount,quantity\nSO1,2024-01-05,C1,10,2\n"
                    f"SO2,2024-01-06,C2,5,{quantity}\n", encoding="utf-8")
    needs = Needs(keys=("customer",), measures=("quantity",))
    with pytest.raises(RuntimeError, match="declined"):
        _outcome(path, monkeypatch, "force", needs)
    arrow = _outcome(path, monkeypatch, "off", needs)
    assert arrow[0] == "error" and "is not a number in column quantity" in arrow[2]
    _same(_outcome(path, monkeypatch, "auto", needs), arrow)
    parquet = tmp_path / "q.parquet"
    pq.write_table(pa.table({"customer_id": ["C1", "C2"], "order_date": [date(2024, 1, 5)] * 2,
                             "amount": [10.0, 5.0], "quantity": [2.0, float(quantity)]}), parquet)
    with pytest.raises(RuntimeError, match="declined"):
        _outcome(parquet, monkeypatch, "force", needs)


# -- text keys of a grain (tiers: customer × month × salesperson × brand) --------------------

GRAIN = ("salesperson,order_id,order_date,customer_id,amount,brand\n"
         "Ann,SO1,2024-01-05,C1,100.50,Kamaro\n"
         "Bob,SO2,2024-01-20,C1,50,Nestlé\n"       # an accented last letter: a suspect, but plain
         "李娜,SO3,2024-02-03,C2,-10,\n"
         "Ann,SO4,2024-02-10,C2,200,Vexa\n")


def _grain(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "grain.csv"
    path.write_text(GRAIN + extra, encoding="utf-8")
    return path


def test_plain_keys_are_native_and_equal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _grain(tmp_path)
    native = _outcome(path, monkeypatch, "force", tiers.NEEDS)
    _same(native, _outcome(path, monkeypatch, "off", tiers.NEEDS))
    frame = native[0]
    assert frame["salesperson"].tolist() == ["Ann", "Bob", "Ann", "李娜"]
    assert frame["brand"].fillna("-").tolist() == ["Kamaro", "Nestlé", "Vexa", "-"]
    assert frame["revenue_c"].tolist() == [10050, 5000, 20000, -1000]


GRAIN_DECLINES: dict[str, tuple[str, str]] = {
    "padded salesperson": ("Ann ,SO5,2024-02-11,C2,5,Vexa\n", "salesperson values are empty or have spaces"),
    "ideographic space": ("\u3000Ann,SO5,2024-02-11,C2,5,Vexa\n", "salesperson values are empty"),
    "blank salesperson": ("  ,SO5,2024-02-11,C2,5,Vexa\n", "salesperson values are empty"),
    "padded brand": ("Ann,SO5,2024-02-11,C2,5,Vexa\u00a0\n", "brand values are empty"),
    # the salesperson is the file's first column, where the cleaner looks for totals labels
    "totals label": ("合计,,2024-02-11,C2,355.5,\n", "salesperson value looks like a totals label"),
    "total word": ("Grand Total,,2024-02-11,C2,355.5,\n", "salesperson value looks like a totals label"),
}


@pytest.mark.parametrize("case", sorted(GRAIN_DECLINES))
def test_a_key_value_the_cleaner_would_change_declines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       case: str) -> None:
    line, why = GRAIN_DECLINES[case]
    path = _grain(tmp_path, line)
    with pytest.raises(RuntimeError, match=why):
        _outcome(path, monkeypatch, "force", tiers.NEEDS)
    auto = _outcome(path, monkeypatch, "auto", tiers.NEEDS)
    assert auto[5] == "arrow"
    _same(auto, _outcome(path, monkeypatch, "off", tiers.NEEDS))


def test_a_label_word_that_is_no_totals_label_stays_native(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """"Totally Ann" holds "total" but is no totals label: checked, and native."""
    path = _grain(tmp_path, "Totally Ann,SO5,2024-02-11,C2,5,Vexa\n")
    _same(_outcome(path, monkeypatch, "force", tiers.NEEDS), _outcome(path, monkeypatch, "off", tiers.NEEDS))

