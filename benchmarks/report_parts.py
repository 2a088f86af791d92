#!/usr/bin/env python
"""Where `kamtool report` spends its time and memory: seconds per analysis, in the roll-ups
of the one load (each roll-up apart, by grain), and in writing the workbook, from one
in-process run of the real command line::

    python benchmarks/report_parts.py /tmp/bench/orders_1M.csv -o /tmp/report.xlsx
    python benchmarks/report_parts.py FILE -o /tmp/report.xlsx --no-write   # the workbook not written

Every other argument is passed to `kamtool report`. The figures go to stderr, one line each;
the analyses of last period (one quarter earlier) are counted apart. Each part's line also
gives the CPU seconds beside the wall seconds (``cpu``: every thread of the process, the
steadier figure on a shared machine, where a part's wall time moves with the others' load),
and the process' peak resident memory when the part ended (``peak``: the high-water mark so
far, so the part that raises it is the first line showing the new figure) and what the
process held then (``held``). Run it with another build's Python (``/work/wt-before/.venv/
bin/python benchmarks/report_parts.py …``) for that build's parts.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from typing import Any


def memory() -> tuple[float, float]:
    """(peak, current) resident memory of this process in MB (Linux; zeros elsewhere)."""
    found = {"VmHWM:": 0.0, "VmRSS:": 0.0}
    with contextlib.suppress(OSError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            name, *value = line.split()
            if name in found:
                found[name] = int(value[0]) / 1024
    return found["VmHWM:"], found["VmRSS:"]


def main(argv: list[str]) -> None:
    import kamtool.cli.commands.report as report
    import kamtool.engine.many as many
    import kamtool.render.excel as excel
    from kamtool.cli.app import main as kamtool

    write = "--no-write" not in argv
    argv = [a for a in argv if a != "--no-write"]
    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}
    peaks: dict[str, tuple[float, float]] = {}
    views: list[tuple[str, float, float, int, float]] = []

    def timed(name: str, run: Callable[..., Any],
              key: Callable[..., str] | None = None) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start, used = time.perf_counter(), time.process_time()
            try:
                return run(*args, **kwargs)
            finally:
                label = key(*args) if key else name
                seconds[label] = seconds.get(label, 0.0) + time.perf_counter() - start
                cpu[label] = cpu.get(label, 0.0) + time.process_time() - used
                peaks[label] = memory()
        return wrapper

    def of(name: str) -> Callable[..., str]:
        return lambda inputs, *_: name + (" (last period)" if inputs.before is not None else "")

    for table in (report.RUNNERS, report.FIGURE_RUNNERS):
        for name, run in list(table.items()):
            table[name] = timed(name, run, of(name))
    rolled = many.view

    def view(fine: Any, needs: Any, *args: Any, **kwargs: Any) -> Any:
        start, used = time.perf_counter(), time.process_time()
        out = rolled(fine, needs, *args, **kwargs)
        last = " (last period)" if kwargs.get("before") is not None else ""
        views.append((" × ".join(needs.grain) + last, time.perf_counter() - start,
                      time.process_time() - used, out.table.num_rows, memory()[0]))
        return out

    many.view = view
    start, used = time.perf_counter(), time.process_time()
    held = many.compact

    def compact(*args: Any, **kwargs: Any) -> Any:  # the load's own peak, before it is held
        seconds["start-up, imports and the load"] = time.perf_counter() - start
        cpu["start-up, imports and the load"] = time.process_time() - used
        peaks["start-up, imports and the load"] = memory()
        return held(*args, **kwargs)

    many.compact = timed("the fine table held (many.compact)", compact)
    excel.write_report = timed("writing the workbook", excel.write_report if write else lambda *a, **k: None)
    with contextlib.suppress(SystemExit):  # the command line ends with an exit
        kamtool(["report", *argv])
    total, total_cpu = time.perf_counter() - start, time.process_time() - used

    def line(name: str, wall: float, spent: float, memory: tuple[float, float] | None = None) -> None:
        held = f"   peak {memory[0]:6.0f} MB  held {memory[1]:6.0f} MB" if memory else ""
        print(f"{name:48s} {wall:7.2f} s  cpu {spent:7.2f} s{held}", file=sys.stderr)

    for name, value in seconds.items():
        line(name, value, cpu[name], peaks[name])
    line("roll-ups (inside the figures above)", sum(v[1] for v in views), sum(v[2] for v in views))
    for grain, value, spent, rows, peak in views:
        print(f"  {grain:66s} {value:6.2f} s  cpu {spent:6.2f} s {rows:>10,} rows  peak {peak:6.0f} MB",
              file=sys.stderr)
    line("total", total, total_cpu, memory())


if __name__ == "__main__":
    main(sys.argv[1:])
