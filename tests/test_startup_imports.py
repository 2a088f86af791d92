"""What a command imports: start-up is imports, so a library a run never uses must stay out.

Each case runs kamtool in a fresh interpreter (the modules a test process already imported
would hide the answer), waits for kamtool's import threads, and lists the libraries loaded.
No timing: which modules load is the same on a busy machine and a quiet one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ORDERS = str(REPO / "sample_data" / "orders.csv")
HEAVY = ("pandas", "numpy", "pyarrow", "pyarrow.compute", "duckdb", "pydantic", "rich", "scipy",
         "openpyxl", "xlsxwriter", "python_calamine", "dask")

# Runs kamtool's main() as the console script does, then lists which of HEAVY are loaded once
# every thread kamtool started (the imports it warms while DuckDB reads) has finished.
HARNESS = """
import json, sys, threading
heavy = sys.argv.pop(1).split(",")
from kamtool.cli.app import main
code = 0
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 0
for thread in threading.enumerate():
    if thread.name.startswith("kamtool"):
        thread.join(60)
print(json.dumps({"code": code, "loaded": [m for m in heavy if m in sys.modules]}), file=sys.stderr)
"""


def loaded(*args: str, cwd: Path) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAMTOOL_")}
    run = subprocess.run([sys.executable, "-c", HARNESS, ",".join(HEAVY), *args], cwd=cwd, env=env,
                         capture_output=True, timeout=120, check=False)
    found = json.loads(run.stderr.decode().strip().splitlines()[-1])
    assert found["code"] == 0, run.stderr.decode()
    return set(found["loaded"])


def test_help_imports_no_heavy_library(tmp_path: Path) -> None:
    assert loaded("--help", cwd=tmp_path) == set()
    assert loaded("abc", "--help", cwd=tmp_path) == set()


def test_json_of_abc_loads_what_its_query_and_analysis_use_and_nothing_else(tmp_path: Path) -> None:
    # DuckDB reads, Arrow carries the table, pandas (with numpy) analyses; Rich draws tables,
    # which JSON has none of; pydantic (Typer's option checks) is not needed for plain values.
    assert loaded("abc", ORDERS, "--format", "json", cwd=tmp_path) == {
        "duckdb", "pyarrow", "pyarrow.compute", "pandas", "numpy"}


def test_a_table_on_stdout_loads_rich(tmp_path: Path) -> None:
    assert "rich" in loaded("abc", ORDERS, "--format", "table", cwd=tmp_path)


@pytest.mark.parametrize("command", ["pareto", "rfm", "loyalty", "churn", "clv", "tiers", "stages",
                                     "credit", "inspect", "report"])
def test_no_command_loads_pydantic_or_rich_for_json(command: str, tmp_path: Path) -> None:
    found = loaded(command, ORDERS, "--format", "json", "--top", "5", cwd=tmp_path)
    assert "pydantic" not in found
    assert "rich" not in found
    assert {"duckdb", "pandas"} <= found  # the run did its work


def test_an_option_value_typer_must_judge_still_works(tmp_path: Path) -> None:
    # "+5" is no plain number: Typer's own (pydantic) check takes it, and answers 5.
    assert "pydantic" in loaded("abc", ORDERS, "--format", "json", "--top", "+5", cwd=tmp_path)
