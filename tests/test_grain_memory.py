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

ENGINES = ("native", "arrow")


def _spy_ledger(monkeypatch: pytest.MonkeyPatch, command: Any, seen: dict[str, Any]) -> None:
    real_load = command.load_ledger

    def load_spy(*args: Any, **kwargs: Any) -> Ledger:
        seen["ledger"] = real_load(*args, **kwargs)
        seen["loaded"] = seen["ledger"].totals()
        return seen["ledger"]

    monkeypatch.setattr(command, "load_ledger", load_spy)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", ("churn", "stages"))
def test_the_analysis_runs_without_the_table(tiny: Path, engine: str, name: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """churn's key tier and types, and stages, run with the table summed to its totals row,
    whose totals are the load's; the output is the customers' as before."""
    command, module, function, args = {
        "churn": (churn_command, churn_types, "for_churn",
                  ["--period", "month", "--compare", "2024-01", "2024-02"]),
        "stages": (stages_command, stages_analysis, "stages", []),
    }[name]
    seen: dict[str, Any] = {}
    _spy_ledger(monkeypatch, command, seen)
    real = getattr(module, function)

    def spy(*a: Any, **kw: Any) -> Any:
        seen["rows"] = seen["ledger"].table.num_rows
        return real(*a, **kw)

    monkeypatch.setattr(module, function, spy)
    monkeypatch.setenv("KAMTOOL_NATIVE", "force" if engine == "native" else "off")
    run = run_kamtool([name, str(tiny), *args, "--as-of", "2024-03-01", "--format", "json"])
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


def test_own_frame_text_copies_only_text_that_shares_the_tables_buffers() -> None:
    """keep_totals copies a frame's text out of the table's buffers, and leaves text that has
    buffers of its own (a roll-up's) as it is: copying it held it twice at churn's peak."""
    from kamtool.ledger import _own_frame_text
    from kamtool.ledger import _text_buffers as table_text

    table = pa.table({"customer": pa.array(["C1", "C2", "C1"]), "x": [1, 2, 3]})
    shared = pd.DataFrame({"customer": pd.array(table["customer"], dtype=pd.StringDtype("pyarrow"))})
    own = pd.DataFrame({"customer": pd.array(pa.array(["C1", "C2"]), dtype=pd.StringDtype("pyarrow"))})
    own_before, shared_before = _text_buffers(pa.array(own["customer"])), shared.copy()
    held = table_text(table)
    assert _text_buffers(pa.array(shared["customer"])) & {start for start, _ in held}
    for frame in (shared, own):
        _own_frame_text(frame, held)
    assert _text_buffers(pa.array(own["customer"])) == own_before
    assert not {start for start, _ in held} & _text_buffers(pa.array(shared["customer"]))
    pd.testing.assert_frame_equal(shared, shared_before)
