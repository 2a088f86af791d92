#!/usr/bin/env python
"""Start-up of two builds of kamtool: every command on a small file, alternated, with phases.

Issue 16's start-up targets: ``kamtool --help`` under 0.3 s and a 1,000-line file end to end
under 0.5 s.  On a small file the query takes milliseconds, so what a run costs is starting
Python and importing what the command uses.  This runs ``--help`` and each command of two
kamtool executables on the same small file, alternating old and new run by run (a change in
the machine's load then hits both alike), and prints per command the median wall time of
each build, the ratio new / old, and the median of each phase that ``KAMTOOL_PHASES=1``
prints (start-up and imports, load, analysis, rendering); and the median CPU time (user +
system, every thread), which a busy machine moves much less than the wall time.

    python benchmarks/startup.py --old /work/wt-before/.venv/bin/kamtool --new .venv/bin/kamtool

Without ``--file`` the small file is the first 1,000 order lines of sample_data/orders.csv.
``--bytecode`` runs both builds with Python's bytecode cache on, in a private folder
(``PYTHONPYCACHEPREFIX``), as an installed kamtool runs: a checkout run with
``PYTHONDONTWRITEBYTECODE=1`` compiles every kamtool module it imports, on every run.

``--floor`` prints, instead, what the imports alone cost with the new build's Python: an
empty interpreter, then typer, numpy, pyarrow, pandas and duckdb added one by one, each line
importing every library of the lines above it (the floor under any command that analyses
with pandas).

On these 2-core machines a single run moves by 20-50 % with the load: read the ratios of the
medians, never one run.  This prints figures; no test times anything.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COMMANDS = ("help", "abc", "pareto", "rfm", "loyalty", "churn", "clv", "tiers", "stages", "credit",
            "inspect", "report")
PHASE = re.compile(r"^phase (.+): ([0-9.]+) s$")
# Short names for the phase columns, in the order a run prints them.
PHASES = {"start-up and imports": "start", "load (query)": "load", "analysis": "analysis",
          "writing -o": "write", "rendering": "render"}

sys.path.insert(0, str(REPO / "benchmarks"))

from run import Run, measure  # noqa: E402 - the one way a benchmark here times a process (wall, CPU, peak)


def small_file(lines: int) -> Path:
    """The first ``lines`` order lines of sample_data/orders.csv, in a temporary file."""
    source = (REPO / "sample_data" / "orders.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    with tempfile.NamedTemporaryFile("w", suffix=".csv", prefix="kamtool-startup-", delete=False,
                                     encoding="utf-8") as handle:
        handle.writelines(source[: lines + 1])
    return Path(handle.name)


def argv(kamtool: str, command: str, path: Path) -> list[str]:
    if command == "help":
        return [kamtool, "--help"]
    return [kamtool, command, str(path), "--format", "json"]


# The libraries every analysing command loads, added one by one for --floor.
FLOOR = ("typer", "numpy", "pyarrow.compute", "pandas", "duckdb")


def floor(python: str, repeat: int, timeout: float, env: dict[str, str]) -> None:
    """Median wall and CPU seconds of importing the first n of FLOOR, n = 0 … all."""
    steps = [FLOOR[:n] for n in range(len(FLOOR) + 1)]
    found: dict[int, list[Run]] = {n: [] for n in range(len(steps))}
    for _ in range(repeat):
        for n, names in enumerate(steps):  # alternated, as the builds are
            code = "; ".join(f"import {name}" for name in names) or "pass"
            found[n].append(measure([python, "-c", code], timeout, env))
    print("| imports | wall s | CPU s |")
    print("|---|---|---|")
    for n, names in enumerate(steps):
        wall = statistics.median(r.seconds for r in found[n])
        cpu = statistics.median(r.cpu for r in found[n])
        print(f"| python{''.join(' + ' + name for name in names)} | {wall:.3f} | {cpu:.3f} |")


def phases(stderr: str) -> dict[str, float]:
    """The seconds of each phase a run printed with KAMTOOL_PHASES=1 (a phase printed twice,
    as --per loads twice, adds up)."""
    out: dict[str, float] = {}
    for line in stderr.splitlines():
        found = PHASE.match(line.strip())
        if found:
            name = PHASES.get(found.group(1), found.group(1))
            out[name] = out.get(name, 0.0) + float(found.group(2))
    return out


def environment(bytecode: bool, cache: str) -> dict[str, str]:
    env = dict(os.environ, KAMTOOL_PHASES="1")
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache
    return env


def split(found: list[dict[str, float]]) -> str:
    names = [n for n in PHASES.values() if any(n in f for f in found)]
    return " ".join(f"{n} {statistics.median(f.get(n, 0.0) for f in found):.2f}" for n in names) or "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", help="the kamtool executable before the change")
    parser.add_argument("--new", required=True, help="the kamtool executable after the change")
    parser.add_argument("--file", help="the small order file (default: 1,000 lines of sample_data)")
    parser.add_argument("--lines", type=int, default=1000, help="lines of sample_data without --file")
    parser.add_argument("--commands", default=",".join(COMMANDS), help="comma-separated commands")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each build (default 5)")
    parser.add_argument("--bytecode", action="store_true",
                        help="bytecode cache on, in a private folder (as an installed kamtool)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per run")
    parser.add_argument("--floor", action="store_true",
                        help="only the imports' cost, with the Python beside --new")
    args = parser.parse_args()
    if args.floor:
        with tempfile.TemporaryDirectory(prefix="kamtool-pyc-") as cache:
            env = environment(args.bytecode, cache)
            python = str(Path(args.new).parent / "python")
            if args.bytecode:
                measure([python, "-c", "; ".join(f"import {n}" for n in FLOOR)], args.timeout, env)
            floor(python, args.repeat, args.timeout, env)
        return 0
    if not args.old:
        parser.error("--old is needed (all but --floor compare two builds)")
    path = Path(args.file) if args.file else small_file(args.lines)
    with tempfile.TemporaryDirectory(prefix="kamtool-pyc-") as cache:
        env = environment(args.bytecode, cache)
        if args.bytecode:  # one run of each build fills the cache before anything is timed
            for which in (args.old, args.new):
                measure(argv(which, "report", path), args.timeout, env)
        print(f"file: {path} ({args.lines if not args.file else '?'} lines); bytecode cache: "
              f"{'on' if args.bytecode else os.environ.get('PYTHONDONTWRITEBYTECODE') != '1'}; "
              f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print("| command | old s | new s | new/old | old CPU s | new CPU s | new/old CPU | "
              "old phases (s) | new phases (s) |")
        print("|---|---|---|---|---|---|---|---|---|")
        for command in args.commands.split(","):
            times: dict[str, list[float]] = {"old": [], "new": []}
            cpu: dict[str, list[float]] = {"old": [], "new": []}
            split_of: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
            failed = ""
            for _ in range(args.repeat):
                for which in ("old", "new"):
                    run = measure(argv(getattr(args, which), command, path), args.timeout, env)
                    if run.returncode != 0:
                        failed = f" ({which} exit {run.returncode}: {run.stderr.strip().splitlines()[-1:]})"
                    times[which].append(run.seconds)
                    cpu[which].append(run.cpu)
                    split_of[which].append(phases(run.stderr))
            old_s, new_s = statistics.median(times["old"]), statistics.median(times["new"])
            old_c, new_c = statistics.median(cpu["old"]), statistics.median(cpu["new"])
            print(f"| {command}{failed} | {old_s:.3f} | {new_s:.3f} | {new_s / old_s:.2f} | "
                  f"{old_c:.3f} | {new_c:.3f} | {new_c / old_c:.2f} | "
                  f"{split(split_of['old'])} | {split(split_of['new'])} |", flush=True)
        print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not args.file:
        path.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
