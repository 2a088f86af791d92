"""The fuzz campaign (scripts/fuzz.py): its generator and detectors, and the categories the
hardening modules close, checked on generated cases.

Asserted here, because kamtool.io.guard, kamtool.render.safe and kamtool.io.outfile fix
them (see their own tests): hostile and broken workbooks end in one DataError line or
pass (guard); data in a Rich table shows no escape byte and no rendered markup, and CSV
holds no formula-leading cell (safe); no temporary file is left (outfile).  Through the
real command line, a few dozen cases in-process here (every category but a timeout, which
only the campaign's time limit can see); the fork and subprocess runners in
tests/test_fuzz_runners.py; the standing campaign itself is ``python scripts/fuzz.py``.
"""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import pytest

from kamtool.errors import DataError
from kamtool.io.guard import check_workbook
from kamtool.io.outfile import open_output
from kamtool.render.safe import column_for_terminal, frame_for_csv
from tests.conftest import load_script


def load_fuzz() -> Any:
    """scripts/fuzz.py as a module, loaded once."""
    return load_script("fuzz.py", "kamtool_fuzz")


fuzz = load_fuzz()
SMALL_KINDS = [k for k in fuzz.KINDS if k != "huge_line"]


def outcome(**kw: Any) -> Any:
    case = kw.pop("case", None) or fuzz.Case(
        kind="payloads", seed=0, name="x.csv", data=kw.pop("data", b"a,b\n")
    )
    base = {
        "command": "abc",
        "output": "table",
        "argv": [],
        "code": 0,
        "stdout": "",
        "stderr": "",
        "seconds": 0.1,
    }
    return fuzz.Outcome(case=case, **{**base, **kw})


# -- the generator and the detectors ---------------------------------------------------------
@pytest.mark.parametrize("kind", SMALL_KINDS)
def test_a_case_is_made_again_from_its_seed(kind: str) -> None:
    first, again, other = fuzz.make_case(kind, 11), fuzz.make_case(kind, 11), fuzz.make_case(kind, 12)
    assert first.data == again.data and first.name == again.name
    assert first.label == f"{kind}-11"
    if kind not in ("all_empty", "header_only"):
        assert other.data != first.data


def test_the_detectors_on_hand_made_runs() -> None:
    assert fuzz.classify(outcome()) == set()
    assert fuzz.classify(outcome(stderr="Traceback (most recent call last):\n  x")) == {"traceback"}
    assert fuzz.classify(outcome(stderr="Exception ignored in: <function ZipFile.__del__>")) == {"traceback"}
    assert fuzz.classify(outcome(code=-6, stderr="memory allocation of 549755813888 bytes failed")) == {
        "exit",
        "memory",
    }
    assert fuzz.classify(outcome(code=-9), timed_out=True) == {"timeout"}
    assert fuzz.classify(outcome(code=1, stderr="Error: X (this may be a kamtool bug; rerun …)")) == {"bug"}
    # an escape byte counts only when the data had one
    assert fuzz.classify(outcome(stdout="\x1b[1mbold")) == set()
    assert fuzz.classify(outcome(data=b"\x1b[2J,1\n", stdout="\x1b[2J")) == {"escape"}
    payload = fuzz.Case(
        kind="payloads", seed=0, name="x.csv", data=b"[b]Bold Co,1\n", payloads=("[b]Bold Co",)
    )
    assert fuzz.classify(outcome(case=payload, stdout="1  Bold Co  A")) == {"markup"}
    assert fuzz.classify(outcome(case=payload, stdout="1  [b]Bold Co  A")) == set()
    assert fuzz.classify(outcome(output="csv", stdout="customer,revenue\n=1+1,-5.0\n")) == {"formula"}


def test_formula_cells_spare_numbers() -> None:
    text = "customer,revenue\n-5,-5.0\n'=1,1e3\n-2+3,-1e-3\n@x,.5\n-,-\n"
    assert fuzz.formula_cells(text) == ["-2+3", "@x"]


# -- guard: every generated workbook passes or is refused in one line ------------------------
@pytest.mark.parametrize(
    "kind",
    [
        "truncated_xlsx",
        "bitflip_xlsx",
        "random_bytes",
        "huge_cell",
        "header_only",
        "payloads",
        "fullwidth",
        "hostile_xlsx",
    ],
)
def test_generated_workbooks_pass_or_are_refused_in_one_line(kind: str) -> None:
    for seed in range(12):
        case = fuzz.make_case(kind, seed)
        try:
            check_workbook(case.data, case.name)
        except DataError as exc:
            assert str(exc).startswith(f"{case.name}: ") and "\n" not in str(exc)


@pytest.mark.parametrize(
    "which", ["xfd_corner", "xfd_row_3000", "declared_full", "rows_beyond_excel", "long_cell"]
)
def test_every_hostile_workbook_of_the_campaign_is_refused(which: str) -> None:
    data = fuzz.hostile_workbook(random.Random(0), which)
    with pytest.raises(DataError) as caught:
        check_workbook(data, "orders.xlsx")
    assert any(option in str(caught.value) for option in ("--max-rows", "--max-cells", "--max-cell-chars"))


# -- safe: generated payload rows in a Rich table and in CSV ---------------------------------
def payload_frames(count: int) -> list[Any]:
    import pandas as pd

    frames = []
    for seed in range(count):
        rows = fuzz._text_variants(random.Random(seed), fuzz.order_rows(random.Random(seed)), "payloads")
        frames.append(pd.DataFrame(rows))
    return frames


def test_payloads_in_a_rich_table_show_as_text() -> None:
    from rich.console import Console
    from rich.table import Table

    for frame in payload_frames(20):
        table = Table()
        for name in frame.columns:
            table.add_column(str(name), overflow="fold")
        shown = {c: column_for_terminal(frame[c].astype(str)) for c in fuzz.TEXT_COLUMNS}
        for i in range(len(frame)):
            table.add_row(
                *[str(shown[c].iloc[i]) if c in shown else str(frame[c].iloc[i]) for c in frame.columns]
            )
        buffer = io.StringIO()
        Console(file=buffer, width=2000, color_system=None, emoji=False, highlight=False).print(table)
        data = frame.to_csv(index=False).encode()
        case = fuzz.Case(kind="payloads", seed=0, name="x.csv", data=data, payloads=fuzz.PAYLOADS)
        found = fuzz.classify(outcome(case=case, stdout=buffer.getvalue()))
        assert found == set(), found


def test_payloads_in_csv_hold_no_formula() -> None:
    for frame in payload_frames(20):
        unsafe = frame.to_csv(index=False)
        assert fuzz.formula_cells(unsafe)  # the campaign's detector sees today's CSV output
        assert fuzz.formula_cells(frame_for_csv(frame).to_csv(index=False)) == []
        assert frame_for_csv(frame)["amount"].tolist() == frame["amount"].tolist()


# -- outfile: no stray temporary file ---------------------------------------------------------
def test_a_failed_write_leaves_no_stray_file(tmp_path: Path) -> None:
    case = fuzz.make_case("payloads", 1)
    with pytest.raises(RuntimeError), open_output(tmp_path / "out.csv") as tmp:
        tmp.write_bytes(case.data[: len(case.data) // 2])
        raise RuntimeError("writer failed")
    result = outcome(case=case, output="ocsv")
    fuzz._collect_written(result, tmp_path)
    assert "stray" not in fuzz.classify(result) and list(tmp_path.iterdir()) == []


# -- a fast subset through the real command line, in-process ----------------------------------
IN_PROCESS_KINDS = [k for k in fuzz.KINDS if k not in fuzz.SUBPROCESS_ONLY]
# Every category, now that guard and safe are wired into the commands; a timeout needs the
# campaign's own time limit (a subprocess or the fork server), so not in-process.
ASSERTED = set(fuzz.CATEGORIES) - {"timeout"}


def test_a_few_dozen_generated_cases_through_the_command_line(isolated: Path, kamtool_in_process: Any,
                                                              record_property: Any) -> None:
    rng = random.Random(2024)
    seen: dict[str, int] = {}
    for i in range(36):
        kind = IN_PROCESS_KINDS[i % len(IN_PROCESS_KINDS)]
        case = fuzz.make_case(kind, 5000 + i)
        command = fuzz.COMMANDS[i % len(fuzz.COMMANDS)]
        output = rng.choice(fuzz.OUTPUTS)
        folder = isolated / f"run{i}"
        folder.mkdir()
        result = fuzz.run_case_with(kamtool_in_process, case, command, output, folder)
        for category in result.found:
            seen[category] = seen.get(category, 0) + 1
        assert not result.found & ASSERTED, (case.label, command, output, result.code, result.stderr[-2000:])
    record_property("fuzz_categories_not_asserted", seen)
