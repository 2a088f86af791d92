#!/usr/bin/env python
"""Two builds of kamtool side by side: every command, alternated runs, ratios.

A change that moves code around must not make any command slower. This runs each
command of two kamtool executables (say, main before and after a change, each in its own
virtualenv) on the same files, alternating old and new run by run so that a change in
the machine's load hits both alike, and prints per command the median wall time and
peak memory of each and the ratio new / old.

    python benchmarks/ab.py --old ../before/.venv/bin/kamtool --new .venv/bin/kamtool \\
        --files benchmarks/data/orders_1000000.csv,benchmarks/data/orders_1000000.parquet

On these 2-core machines a single run moves by 10–20 % with the load: read the ratios of
the medians, not one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import COMMANDS, measure  # noqa: E402 - the one way a benchmark here times a process


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", required=True, help="the kamtool executable before the change")
    parser.add_argument("--new", required=True, help="the kamtool executable after the change")
    parser.add_argument("--files", required=True, help="comma-separated order files")
    parser.add_argument("--commands", default=",".join(COMMANDS), help="comma-separated commands")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each build (default 3)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per run")
    args = parser.parse_args()
    print("| file | command | old s | new s | new/old time | old MiB | new MiB | new/old peak |")
    print("|---|---|---|---|---|---|---|---|")
    for name in args.files.split(","):
        for command in args.commands.split(","):
            times: dict[str, list[float]] = {"old": [], "new": []}
            peaks: dict[str, list[int]] = {"old": [], "new": []}
            failed = ""
            for _ in range(args.repeat):
                for which in ("old", "new"):
                    run = measure([getattr(args, which), command, name, "--format", "json"], args.timeout)
                    if run.returncode != 0:
                        failed = f"{which} exit {run.returncode}: {run.stderr.strip().splitlines()[-1:]}"
                    times[which].append(run.seconds)
                    peaks[which].append(run.peak_kib)
            old_s, new_s = statistics.median(times["old"]), statistics.median(times["new"])
            old_m, new_m = statistics.median(peaks["old"]) / 1024, statistics.median(peaks["new"]) / 1024
            note = f" ({failed})" if failed else ""
            print(f"| {Path(name).name} | {command}{note} | {old_s:.2f} | {new_s:.2f} | "
                  f"{new_s / old_s:.2f} | {old_m:.0f} | {new_m:.0f} | {new_m / old_m:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
