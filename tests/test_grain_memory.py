"""What `kamtool churn` and `kamtool stages` hold (issue 16: 10M Parquet lines peaked at 1.3-1.5
GiB): the ledger's table, 4.8M customer-days there, goes once the frames the analysis reads are
built, summed to the one row of totals the output reads, the frames' text copied out of its
buffers, and the output stays the same."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from kamtool.analyses import churn_types
from kamtool.analyses import stages as stages_analysis
from kamtool.cli.commands import churn as churn_command
from kamtool.cli.commands import stages as stages_command
from kamtool.ledger import Ledger
from tests.conftest import run_kamtool
from tests.test_grains import TINY

ENGINES = ("native", "arrow")


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.csv"
    path.write_text(TINY, encoding="utf-8")
    return path


def _spy_ledger(monkeypatch: pytest.MonkeyPatch, command: Any, seen: dict[str, Any]) -> None:
    real_load = command.load_ledger

    def load_spy(*args: Any, **kwargs: Any) -> Ledger:
        seen["ledger"] = real_load(*args, **kwargs)
        seen["loaded"] = seen["ledger"].totals()
        return seen["ledger"]

    monkeypatch.setattr(command, "load_ledger", load_spy)


@pytest.mark.parametrize("engine", ENGINES)
def test_churn_types_run_without_the_table(tiny: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    _spy_ledger(monkeypatch, churn_command, seen)
    real_for_churn = churn_types.for_churn

    def for_churn_spy(*args: Any, **kwargs: Any) -> Any:
        seen["rows"] = seen["ledger"].table.num_rows
        return real_for_churn(*args, **kwargs)

    monkeypatch.setattr(churn_types, "for_churn", for_churn_spy)
    monkeypatch.setenv("KAMTOOL_NATIVE", "force" if engine == "native" else "off")
    run = run_kamtool(["churn", str(tiny), "--period", "month", "--compare", "2024-01", "2024-02",
                       "--as-of", "2024-03-01", "--format", "json"])
    assert run.code == 0, run.stderr
    assert seen["rows"] == 1  # the key tier and the types ran with the totals row alone
    assert seen["ledger"].totals() == seen["loaded"]
    out = json.loads(run.stdout)
    assert out["params"]["engine"] == engine
    assert sorted(r["customer"] for r in out["rows"]) == ["C1", "C2"]


def test_for_churn_ledger_types_alike_with_the_table_kept_or_let_go(tiny: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from kamtool.analyses import churn
    from kamtool.engine.load import load
    from kamtool.io.request import build_request

    monkeypatch.setenv("KAMTOOL_NATIVE", "force")
    typed = []
    for keep in (False, True):
        ledger = load(build_request(churn.types_needs(brand=True, period="month"), [str(tiny)]))
        result = churn.churn(ledger.days, period="month", compare=["2024-01", "2024-02"], as_of="2024-03-01")
        typed.append(churn_types.for_churn_ledger(result, ledger, None, None, "X", keep_totals=keep))
        assert ledger.table.num_rows == (1 if keep else ledger.table.num_rows)
    kept, let_go = typed
    assert kept.rows.equals(let_go.rows) and kept.summary == let_go.summary
    assert kept.tables["churn_types"].equals(let_go.tables["churn_types"])


@pytest.mark.parametrize("engine", ENGINES)
def test_stages_run_without_the_table(tiny: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    _spy_ledger(monkeypatch, stages_command, seen)
    real_stages = stages_analysis.stages

    def stages_spy(*args: Any, **kwargs: Any) -> Any:
        seen["rows"] = seen["ledger"].table.num_rows
        return real_stages(*args, **kwargs)

    monkeypatch.setattr(stages_analysis, "stages", stages_spy)
    monkeypatch.setenv("KAMTOOL_NATIVE", "force" if engine == "native" else "off")
    run = run_kamtool(["stages", str(tiny), "--as-of", "2024-03-01", "--format", "json"])
    assert run.code == 0, run.stderr
    assert seen["rows"] == 1
    assert seen["ledger"].totals() == seen["loaded"]
    out = json.loads(run.stdout)
    assert out["params"]["engine"] == engine
    assert sorted(r["customer"] for r in out["rows"]) == ["C1", "C2"]


@pytest.mark.parametrize("engine", ENGINES)
def test_keep_totals_copies_the_frames_text_out_of_the_table(tiny: Path, engine: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A frame's text column shared the table's buffers, and so held the table after it went."""
    from kamtool.engine.load import load
    from kamtool.io.request import build_request

    monkeypatch.setenv("KAMTOOL_NATIVE", "force" if engine == "native" else "off")
    ledger = load(build_request(stages_analysis.day_needs(), [str(tiny)]))
    table, days = ledger.table, ledger.days
    before = days.copy()
    held = _text_buffers(table["customer"]) | _text_buffers(pa.array(days["customer"]))
    assert isinstance(days["customer"].dtype, pd.StringDtype)
    ledger.keep_totals()
    assert ledger.days is days and ledger.table.num_rows == 1
    assert not held & _text_buffers(pa.array(days["customer"]))
    pd.testing.assert_frame_equal(days, before)


def _text_buffers(column: Any) -> set[int]:
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    return {c.buffers()[2].address for c in chunks}
