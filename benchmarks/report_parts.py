#!/usr/bin/env python
"""Where `kamtool report` spends its time: seconds per analysis, in the roll-ups of the one
load, and in writing the workbook, from one in-process run of the real command line::

    python benchmarks/report_parts.py /tmp/bench/orders_1M.csv -o /tmp/report.xlsx

Every argument is passed to `kamtool report`. The figures go to stderr, one line each; the
analyses of last period (one quarter earlier) are counted apart.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from typing import Any


def main(argv: list[str]) -> None:
    import kamtool.cli.commands.report as report
    import kamtool.engine.many as many
    import kamtool.render.excel as excel
    from kamtool.cli.app import main as kamtool

    seconds: dict[str, float] = {}

    def timed(name: str, run: Callable[..., Any],
              key: Callable[..., str] | None = None) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return run(*args, **kwargs)
            finally:
                label = key(*args) if key else name
                seconds[label] = seconds.get(label, 0.0) + time.perf_counter() - start
        return wrapper

    def of(name: str) -> Callable[..., str]:
        return lambda inputs, *_: name + (" (last period)" if inputs.before is not None else "")

    for table in (report.RUNNERS, report.FIGURE_RUNNERS):
        for name, run in list(table.items()):
            table[name] = timed(name, run, of(name))
    many.view = timed("roll-ups (inside the analyses' figures)", many.view)
    excel.write_report = timed("writing the workbook", excel.write_report)
    start = time.perf_counter()
    with contextlib.suppress(SystemExit):  # the command line ends with an exit
        kamtool(["report", *argv])
    seconds["total"] = time.perf_counter() - start
    for name, value in seconds.items():
        print(f"{name:45s} {value:8.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
