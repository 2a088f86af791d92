"""What `kamtool tiers` and `kamtool churn` hold (issue 16: 10M lines peaked at 1.8 and 1.3 GiB):
the as-of day and the accounts' customers from the table, no days frame beside the model's
customer-days, tiers' mix of the breadth dimension alone without --brand, and the table let go
once the frames the analysis reads are built."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kamtool.analyses import stages
from kamtool.cli.commands import tiers as command
from kamtool.engine.load import load
from kamtool.io.request import build_request
from kamtool.ledger import Ledger
from kamtool.needs import window_read
from tests.conftest import run_kamtool

ENGINES = ("native", "arrow")


def _load(path: Path, engine: str, monkeypatch: pytest.MonkeyPatch, wallet: bool) -> Ledger:
    monkeypatch.setenv("KAMTOOL_NATIVE", "force" if engine == "native" else "off")
    ledger = load(build_request(command.command_needs(wallet=wallet), [str(path)]))
    assert ledger.engine == engine
    return ledger


@pytest.mark.parametrize("engine", ENGINES)
def test_the_as_of_day_comes_from_the_table(tiny: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = _load(tiny, engine, monkeypatch, wallet=True)
    day = command.as_of_for(ledger, None)
    assert dt.date(1970, 1, 1) + dt.timedelta(days=day) == dt.date(2024, 2, 12)  # the day after the last
    assert command.as_of_for(ledger, "2024-03-01") == (dt.date(2024, 3, 1) - dt.date(1970, 1, 1)).days
    assert "days" not in ledger.frames and "daily" not in ledger.frames  # no frame built for it
    assert sorted(ledger.customer_ids()) == ["C1", "C2"]


@pytest.mark.parametrize("engine", ENGINES)
def test_without_a_brand_the_mix_is_the_breadth_dimension_alone(tiny: Path, engine: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Breadth counts the same categories from the mix of category alone as from the mix of
    category × brand, which only the focal brand's share needs."""
    lean = stages.breadth_mix(_load(tiny, engine, monkeypatch, wallet=False))
    wide = _load(tiny, engine, monkeypatch, wallet=True).mix
    assert lean is not None and wide is not None
    assert "category" in lean and "brand" not in lean and "brand" in wide
    # C1: K1 in January (100.10 + 50), K2 in February (−10): one category with positive net
    # revenue; C2: K1 and K3 in February
    for first, last in ((648, 649), (649, 649), (648, 648)):
        pd.testing.assert_series_equal(stages.breadth(lean, first, last)[0],
                                       stages.breadth(wide, first, last)[0])
    assert stages.breadth(lean, 648, 649)[0].to_dict() == {"C1": 1, "C2": 2}


@pytest.mark.parametrize("engine", ENGINES)
def test_keep_totals_keeps_what_totals_reads(tiny: Path, engine: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = _load(tiny, engine, monkeypatch, wallet=True)
    before = ledger.totals()
    assert before["lines"] == 5 and before["profit"] is not None
    ledger.keep_totals()
    assert ledger.table.num_rows == 1
    assert ledger.totals() == before


@pytest.mark.parametrize("engine", ENGINES)
def test_the_command_lets_the_table_go_and_reports_the_same(tiny: Path, engine: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The analysis and the output run with the table summed to one row; with --brand the mix
    holds the brands, without it the category alone; the JSON's figures are the load's."""
    seen: dict[str, Any] = {}
    from kamtool.analyses import tiers as analysis

    real_tiers, real_emit = analysis.tiers, command.emit

    def tiers_spy(monthly: Any, *args: Any, **kwargs: Any) -> Any:
        seen["mix"] = kwargs["mix"]
        return real_tiers(monthly, *args, **kwargs)

    def emit_spy(result: Any, common: Any, ledger: Ledger) -> None:
        seen["rows"] = ledger.table.num_rows
        real_emit(result, common, ledger)

    monkeypatch.setattr(analysis, "tiers", tiers_spy)
    monkeypatch.setattr(command, "emit", emit_spy)
    monkeypatch.setenv("KAMTOOL_NATIVE", "force" if engine == "native" else "off")
    plain = run_kamtool(["tiers", str(tiny), "--format", "json"])
    assert plain.code == 0, plain.stderr
    assert seen["rows"] == 1 and "brand" not in seen["mix"] and "category" in seen["mix"]
    branded = run_kamtool(["tiers", str(tiny), "--brand", "X", "--format", "json"])
    assert branded.code == 0, branded.stderr
    assert seen["rows"] == 1 and "brand" in seen["mix"]
    for run in (plain, branded):
        assert sorted(r["customer"] for r in json.loads(run.stdout)["rows"]) == ["C1", "C2"]
    assert json.loads(plain.stdout)["params"]["engine"] == engine


@pytest.mark.parametrize("engine", ENGINES)
def test_churn_types_let_the_table_go_only_when_the_ledger_is_the_callers(
        tiny: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`kamtool churn` owns its ledger: the types sum its table to one row once their frames
    are built, and type the losses as before; a report's shared view is left whole."""
    from kamtool.analyses import churn, churn_types

    monkeypatch.setenv("KAMTOOL_NATIVE", "force" if engine == "native" else "off")
    accounts = pd.DataFrame({"customer": ["C1", "C9"], "rating": [3, 4]})

    def typed(own: bool) -> tuple[Any, Ledger]:
        ledger = load(build_request(churn.types_needs(payments=False), [str(tiny)]))
        result = churn.churn(ledger.days, period="month", as_of="2024-04-01")
        ledger.let_go("days")
        return churn_types.for_churn_ledger(result, ledger, accounts, None, None, keep_totals=own), ledger

    (shared, whole), (owned, let_go) = typed(False), typed(True)
    assert whole.table.num_rows > 1 and let_go.table.num_rows == 1
    assert let_go.totals() == whole.totals()
    assert "days" not in let_go.frames  # the accounts were checked against the table's customers
    assert owned.summary == shared.summary
    pd.testing.assert_frame_equal(owned.rows, shared.rows)
    assert owned.tables.keys() == shared.tables.keys()
    for name in owned.tables:
        pd.testing.assert_frame_equal(owned.tables[name], shared.tables[name])


def _buffers(column: Any) -> set[int]:
    """The addresses of the data buffers behind an Arrow-backed column (or a chunked array)."""
    chunks = column.chunks if hasattr(column, "chunks") else column.array._pa_array.chunks
    return {b.address for chunk in chunks for b in chunk.buffers() if b is not None and b.size}


def test_the_days_of_a_grain_load_own_their_ids(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The model's customer-days hold none of the table's buffers: a buffer from DuckDB holds its
    whole batch, so the table let go before the fit (Ledger.keep_totals) was held through it
    (10M lines: 0.1 GiB more at the fit)."""
    ledger = _load(tiny, "native", monkeypatch, wallet=False)
    assert ledger.grains is not None
    table_ids = _buffers(ledger.table["customer"])
    days = ledger.revenue_days
    assert not _buffers(days["customer"]) & table_ids
    assert list(days["customer"]) == ["C1", "C1", "C1", "C2", "C2"]


@pytest.mark.parametrize("wallet", (False, True))
def test_keep_months_keeps_the_window_of_the_mix(tiny: Path, wallet: bool,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The mix cut to the window's months before its frame is built: breadth and the focal
    brand's share read no other month."""
    from tests.test_grains import FEB, JAN

    name = "mix" if wallet else "mix_of"
    whole = _load(tiny, "native", monkeypatch, wallet=wallet)
    cut = _load(tiny, "native", monkeypatch, wallet=wallet)
    cut.keep_months(name, FEB, FEB)
    full = whole.mix if wallet else stages.breadth_mix(whole)
    kept = cut.mix if wallet else stages.breadth_mix(cut)
    assert full is not None and kept is not None
    assert set(full["month"]) == {JAN, FEB} and set(kept["month"]) == {FEB}
    pd.testing.assert_frame_equal(kept, full[full["month"] == FEB].reset_index(drop=True))
    pd.testing.assert_series_equal(stages.breadth(kept, FEB, FEB)[0], stages.breadth(full, FEB, FEB)[0])


def test_keep_months_keeps_a_dimension_it_would_empty(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A window without a category, in a file that has one in another month: the grain stays
    whole, so breadth is still counted over the categories (0 in the window), as before."""
    path = tmp_path / "early.csv"
    path.write_text("customer,date,amount,category\nC1,2024-01-05,10,K1\nC1,2024-02-05,20,\n",
                    encoding="utf-8")
    ledger = _load(path, "native", monkeypatch, wallet=False)
    ledger.keep_months("mix_of", 649, 649)
    mix = stages.breadth_mix(ledger)
    assert mix is not None and set(mix["month"]) == {648, 649}


def _windowed(path: Path, monkeypatch: pytest.MonkeyPatch, wallet: bool, months: int,
              as_of: int | None = None) -> Ledger:
    monkeypatch.setenv("KAMTOOL_NATIVE", "force")
    read = window_read(months, as_of)
    ledger = load(build_request(command.command_needs(wallet=wallet, read=read), [str(path)]))
    assert ledger.engine == "native"
    return ledger


@pytest.mark.parametrize("wallet", (False, True))
def test_the_query_builds_the_mix_of_the_window_alone(tiny: Path, wallet: bool,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """With the window given, the native query groups the window's lines alone (tiers on 10M
    lines: the load's peak), and the ledger holds what keep_months leaves of the whole grain."""
    from tests.test_grains import FEB, JAN

    name = "mix" if wallet else "mix_of"
    # the last order is on 2024-02-11: the as-of day the 12th, a window of one month is February
    day = (dt.date(2024, 2, 1) - dt.date(1970, 1, 1)).days
    for months, as_of, window in ((1, None, {FEB}), (1, day, {JAN}), (12, None, {JAN, FEB})):
        cut = _windowed(tiny, monkeypatch, wallet, months, as_of)
        assert cut.grains is not None and set(cut.grains[name]["month"].to_pylist()) == window
        whole = _load(tiny, "native", monkeypatch, wallet=wallet)
        first, last = window_read(months, as_of)(command.as_of_for(whole, None))
        for ledger in (cut, whole):
            ledger.keep_months(name, first, last)
        assert cut.grains[name].equals(whole.grains[name])


def test_a_window_that_would_empty_a_dimension_builds_the_grain_whole(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """As keep_months keeps it whole: a window with no category (February), and a window with no
    line at all (a year on), build the mix of every month."""
    path = tmp_path / "early.csv"
    path.write_text("customer,date,amount,category\nC1,2024-01-05,10,K1\nC1,2024-02-05,20,\n",
                    encoding="utf-8")
    later = (dt.date(2025, 6, 1) - dt.date(1970, 1, 1)).days
    for as_of in (None, later):
        ledger = _windowed(path, monkeypatch, False, 1, as_of)
        assert ledger.grains is not None and set(ledger.grains["mix_of"]["month"].to_pylist()) == {648, 649}


def test_the_days_read_last_leave_the_table_its_totals(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """revenue_days_last: the same frame as revenue_days, its ids its own, the table its totals row."""
    ledger = _load(tiny, "native", monkeypatch, wallet=False)
    other = _load(tiny, "native", monkeypatch, wallet=False)
    totals = other.totals()
    table_ids = _buffers(ledger.table["customer"])
    days = ledger.revenue_days_last()
    pd.testing.assert_frame_equal(days, other.revenue_days)
    assert ledger.table.num_rows == 1 and ledger.totals() == totals
    assert not _buffers(days["customer"]) & table_ids


def test_the_command_reads_the_mix_of_the_window(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kamtool.analyses import tiers as analysis

    seen: dict[str, Any] = {}
    real_tiers = analysis.tiers

    def tiers_spy(monthly: Any, *args: Any, **kwargs: Any) -> Any:
        seen["months"] = set(kwargs["mix"]["month"])
        return real_tiers(monthly, *args, **kwargs)

    monkeypatch.setattr(analysis, "tiers", tiers_spy)
    monkeypatch.setenv("KAMTOOL_NATIVE", "force")
    runs = [run_kamtool(["tiers", str(tiny), "--as-of", "2024-02-01", "--window-months", months, *brand,
                         "--format", "json"]) for months in ("2", "12") for brand in ((), ("--brand", "X"))]
    for run in runs:
        assert run.code == 0, run.stderr
    assert seen["months"] == {648}  # January alone: the window ends there
    monkeypatch.setattr(analysis, "tiers", real_tiers)
    monkeypatch.setenv("KAMTOOL_NATIVE", "off")  # the Arrow engine reads the whole mix: the same rows
    for run, months, brand in zip(runs, ("2", "2", "12", "12"), ((), ("--brand", "X")) * 2, strict=True):
        other = run_kamtool(["tiers", str(tiny), "--as-of", "2024-02-01", "--window-months", months, *brand,
                             "--format", "json"])
        assert json.loads(other.stdout)["rows"] == json.loads(run.stdout)["rows"]


@pytest.mark.parametrize("args", [
    [],
    ["--brand", "Kamaro"],
    ["--compare", "2023Q2", "2024Q1", "--brand", "Kamaro"],
    ["--period", "month", "--as-of", "2025-10-15", "--brand", "Kamaro"],
    ["--period", "month", "--compare", "2025-01", "2025-08"],
])
def test_churn_keeps_the_mix_of_the_compared_months_alone_and_types_as_before(
        args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`kamtool churn` reads the mix grain in the months its types read alone (the two periods;
    with a brand its shares' periods and the key tier's window): the native query builds those
    months only, the Arrow engine's whole grain is cut before the analysis; the output is the
    output of the whole mix either way, and the mix held is smaller."""
    from kamtool.cli.commands import churn as churn_command

    sample = Path(__file__).parents[1] / "sample_data" / "orders.csv"
    kept: list[tuple[int, int]] = []
    cut = Ledger.keep_months

    def spy(self: Ledger, name: str, first: int, last: int) -> None:
        before = self.grains[name].num_rows if self.grains and name in self.grains else 0
        cut(self, name, first, last)
        months = self.grains[name]["month"] if self.grains and name in self.grains else None
        held = [] if months is None else months.to_pylist()
        assert not held or None in held or first <= min(held) <= max(held) <= last
        kept.append((before, self.grains[name].num_rows if months is not None else 0))

    monkeypatch.setattr(Ledger, "keep_months", spy)
    runs = {}
    for engine in ("force", "off"):
        monkeypatch.setenv("KAMTOOL_NATIVE", engine)
        runs[engine] = run_kamtool(["churn", str(sample), *args, "--format", "json"])
        assert runs[engine].code == 0, runs[engine].stderr
    (native_before, native_after), (arrow_before, arrow_after) = kept
    assert native_before == native_after == arrow_after < arrow_before  # the query built them alone
    monkeypatch.setattr(churn_command, "_compared_months", lambda *a: None)  # the whole mix
    whole = run_kamtool(["churn", str(sample), *args, "--format", "json"])
    assert whole.code == 0, whole.stderr
    assert len(kept) == 2  # no months to cut to: the native grain whole, nothing cut
    for run in runs.values():
        assert _engine_aside(json.loads(run.stdout)) == _engine_aside(json.loads(whole.stdout))


def _engine_aside(document: dict[str, Any]) -> dict[str, Any]:
    """A result without the engine that read it (the one difference between the engines' runs)."""
    for key in ("engine", "engine_reason"):
        document["params"].pop(key, None)
    return document


@pytest.mark.parametrize("args", [[], ["--compare", "2024-07-01"],
                                  ["--as-of", "2025-01-01", "--window-months", "6"]])
def test_stages_reads_the_mix_of_its_windows_alone_and_stages_as_before(
        args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`kamtool stages` builds the breadth mix of the months of its windows alone (up to the
    as-of day and up to the --compare day) on the native engine: the same stages as the Arrow
    engine's whole mix."""
    sample = Path(__file__).parents[1] / "sample_data" / "orders.csv"
    seen: list[set[int]] = []
    real = stages.breadth_mix

    def spy(ledger: Ledger) -> Any:
        mix = real(ledger)
        seen.append(set(mix["month"]))
        return mix

    monkeypatch.setattr(stages, "breadth_mix", spy)
    runs = []
    for engine in ("force", "off"):
        monkeypatch.setenv("KAMTOOL_NATIVE", engine)
        runs.append(run_kamtool(["stages", str(sample), *args, "--format", "json"]))
        assert runs[-1].code == 0, runs[-1].stderr
    native, whole = seen
    assert native < whole  # fewer months: those of the windows
    document = json.loads(runs[0].stdout)
    months = int(args[args.index("--window-months") + 1]) if "--window-months" in args else 12
    day = (dt.date.fromisoformat(document["params"]["as_of"]) - dt.date(1970, 1, 1)).days
    first, last = window_read(months)(day)
    if "--compare" in args:
        first = window_read(months)((dt.date.fromisoformat(args[1]) - dt.date(1970, 1, 1)).days)[0]
    assert min(native) == first and max(native) == last
    assert _engine_aside(document) == _engine_aside(json.loads(runs[1].stdout))
