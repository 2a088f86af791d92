#!/usr/bin/env python
"""Writing a big workbook: kamtool's ``-o out.xlsx`` against XlsxWriter writing the same cells.

The yardstick is XlsxWriter in constant-memory mode writing the rows sheet's cells from plain
Python lists, row by row (``write_row``), with nothing else: no formats, widths, filters,
summary sheet or chart.  kamtool's side is the ``writing -o`` phase of ``kamtool COMMAND FILE -o
OUT.xlsx`` (``KAMTOOL_PHASES=1``), so that reading and the analysis are left out of both::

    python benchmarks/excel_write.py benchmarks/data/orders_400000_200000c_7.parquet --repeat 3

Runs alternate (kamtool, XlsxWriter, kamtool …); the medians and their ratio are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import find_kamtool, measure  # noqa: E402 - the one way a benchmark here times a process

TARGET = 1.5  # the issue: within 1.5x of XlsxWriter's constant-memory mode


def xlsxwriter_lists(rows_json: Path, out: Path) -> float:
    """Seconds XlsxWriter (constant memory) takes to write ``rows_json``'s rows as cells."""
    import xlsxwriter

    document: dict[str, Any] = json.loads(rows_json.read_text(encoding="utf-8"))
    rows = document["rows"]
    header = list(rows[0]) if rows else []
    lists = [[row[k] for k in header] for row in rows]
    start = time.perf_counter()
    with xlsxwriter.Workbook(str(out), {"constant_memory": True}) as book:
        sheet = book.add_worksheet("rows")
        sheet.write_row(0, 0, header)
        for i, values in enumerate(lists, start=1):
            sheet.write_row(i, 0, values)
    return time.perf_counter() - start


def kamtool_writing(kamtool: str, command: str, data: str, out: Path, timeout: float) -> tuple[float, int]:
    """The ``writing -o`` phase of one kamtool run, and the process's peak KiB."""
    env = {**os.environ, "KAMTOOL_PHASES": "1"}
    run = measure([kamtool, command, data, "-o", str(out)], timeout, env=env)
    if run.returncode != 0:
        raise SystemExit(f"kamtool failed: {run.stderr.strip().splitlines()[-1:]}")
    found = re.search(r"phase writing -o: ([\d.]+) s", run.stderr)
    if found is None:
        raise SystemExit("kamtool printed no 'writing -o' phase (KAMTOOL_PHASES=1)")
    return float(found.group(1)), run.peak_kib


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", help="an order file with many customers (one row each)")
    parser.add_argument("--command", default="abc", help="the kamtool command (default abc)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--kamtool", default=None)
    args = parser.parse_args()
    kamtool = find_kamtool(args.kamtool)
    with tempfile.TemporaryDirectory() as tmp:
        rows_json = Path(tmp) / "rows.json"
        with open(rows_json, "w", encoding="utf-8") as handle:
            subprocess.run([kamtool, args.command, args.file, "--format", "json"], stdout=handle, check=True)
        n = len(json.loads(rows_json.read_text(encoding="utf-8"))["rows"])
        ours: list[float] = []
        theirs: list[float] = []
        peaks: list[int] = []
        for _ in range(args.repeat):
            seconds, peak = kamtool_writing(kamtool, args.command, args.file, Path(tmp) / "kam.xlsx",
                                            args.timeout)
            ours.append(seconds)
            peaks.append(peak)
            theirs.append(xlsxwriter_lists(rows_json, Path(tmp) / "plain.xlsx"))
    k, x = statistics.median(ours), statistics.median(theirs)
    peak_mib = statistics.median(peaks) / 1024
    print(f"{n:,} rows: kamtool {args.command} -o writing {k:.2f} s (peak {peak_mib:.0f} MiB), "
          f"XlsxWriter constant memory from lists {x:.2f} s: {k / x:.2f}× "
          f"(target ≤ {TARGET:g}×: {'met' if k / x <= TARGET else 'MISSED'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
