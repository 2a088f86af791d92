#!/usr/bin/env python
"""Benchmark kamtool against its peers: whole-process wall time and peak memory.

Every contender runs as its own process on the same generated order export; the runner
records each run's wall time and peak resident memory (``os.wait4``, the call
``/usr/bin/time`` makes), takes the median of ``--repeat`` runs and prints one Markdown
table with each median as a ratio to DuckDB's SQL and to the floor (pyarrow merely reading
the needed columns; for Excel, python-calamine reading the sheet raw), then the targets of
the benchmark issue, met or missed.

    python benchmarks/run.py --lines 1000000,10000000 --formats csv,parquet --repeat 3

Data files are generated on first use with ``scripts/make_orders.py`` (same seed, same
file) and cached in ``--data-dir`` by name.  Runs are interleaved (run 1 of every
contender, then run 2 …) so that a change in the machine's load hits all of them alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PEERS_SCRIPT = HERE / "peers.py"
MESSY_SCRIPT = HERE / "messy.py"
MAKE_ORDERS = REPO / "scripts" / "make_orders.py"
DEFAULT_DATA_DIR = HERE / "data"

sys.path.insert(0, str(HERE))
from peers import COMMAND_SQL  # noqa: E402 - the per-command queries, one table for both scripts

# Every command end to end beside its smallest DuckDB query and polars' same query (--commands).
COMMANDS = tuple(COMMAND_SQL)
COMMAND_PEERS = ("duckdb", "polars")
TARGET_COMMAND_VS_DUCKDB = 1.5
TARGET_COMMAND_SLACK_S = 0.75  # start-up and printing that a short query cannot hide
TARGET_COMMAND_PEAK_MIB = 1024
TARGET_GROWTH_30M = 2.0  # 30M lines in less than twice the peak memory of 10M

# abc-arrow: kamtool abc with its native path turned off (KAMTOOL_NATIVE=off), the way a
# file that needs cleaning (money text, other date forms, GBK …) is read.
KAMTOOL_CONTENDERS = ("abc", "abc-arrow", "rfm")
PEER_CONTENDERS = ("duckdb", "polars", "pandas", "floor", "lifetimes")
EXCEL_CONTENDERS = ("abc", "inspect", "calamine", "pandas")
ALL_NAMES = ("help", *KAMTOOL_CONTENDERS, "inspect", *PEER_CONTENDERS, "calamine", "commands", "messy",
             "report")
FLOOR = {"csv": "floor", "parquet": "floor", "xlsx": "calamine"}
MIB = 1024 * 1024

# Targets of the benchmark issue.
TARGET_VS_DUCKDB = 1.0
TARGET_VS_FLOOR = 2.0
TARGET_PEAK_MIB = 1.5 * 1024
TARGET_AT_LINES = 10_000_000  # the ledger targets are set for 10M lines and more
TARGET_EXCEL_VS_CALAMINE = 1.2
TARGET_HELP_S = 0.3
# Files that need cleaning (GBK, money text, slashed dates, totals lines, workbooks) within 2x of the
# same query on the clean file; a workbook twin within 2x of kamtool on the clean workbook.
TARGET_MESSY_VS_CLEAN = 2.0
# kamtool report (no -o) within 3x kamtool abc on the same file (issue 14; the write comes on top).
TARGET_REPORT_VS_ABC = 3.0


# --------------------------------------------------------------------------- measuring


@dataclass
class Run:
    """One whole-process run."""

    seconds: float
    peak_kib: int
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False
    cpu: float = 0.0  # user + system seconds of the process (all its threads): the load moves it less


def _peak_kib(maxrss: int) -> int:
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    return maxrss // 1024 if sys.platform == "darwin" else maxrss


def measure(argv: Sequence[str], timeout: float, env: dict[str, str] | None = None) -> Run:
    """Run ``argv`` once; wall time from spawn to exit, peak RSS of that process.

    ``os.wait4`` returns the resource usage of exactly this child (and of any children it
    waited for), unlike ``getrusage(RUSAGE_CHILDREN)``, whose ``ru_maxrss`` is the largest
    of all children the runner ever had.  Output goes to temporary files, never a pipe, so
    a chatty contender cannot block on a full pipe while it is being timed.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            proc.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        return Run(
            seconds=seconds,
            peak_kib=_peak_kib(usage.ru_maxrss),
            returncode=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            timed_out=killed.is_set(),
            cpu=usage.ru_utime + usage.ru_stime,
        )


# --------------------------------------------------------------------------- data


def parse_count(text: str) -> int:
    """'200k', '10M', '1_000_000' or '1000000' -> an int."""
    t = text.strip().lower().replace("_", "").replace(",", "")
    scale = 1
    if t.endswith("k"):
        scale, t = 1_000, t[:-1]
    elif t.endswith("m"):
        scale, t = 1_000_000, t[:-1]
    try:
        value = float(t) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a count like 200k or 10M") from None
    if value < 1 or value != int(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole count")
    return int(value)


def parse_count_or_zero(text: str) -> int:
    return 0 if text.strip() == "0" else parse_count(text)


def parse_counts(text: str) -> list[int]:
    return [parse_count(part) for part in text.split(",") if part.strip()]


def parse_limits(text: str) -> dict[str, int]:
    """'lifetimes=1M,pandas=10M' -> {'lifetimes': 1000000, 'pandas': 10000000}."""
    limits: dict[str, int] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        name, sep, count = part.partition("=")
        if not sep or name.strip() not in ALL_NAMES:
            raise argparse.ArgumentTypeError(
                f"{part!r}: give NAME=COUNT with NAME among {','.join(ALL_NAMES)}")
        limits[name.strip()] = parse_count(count)
    return limits


def default_customers(lines: int) -> int:
    """One customer per 50 lines: 20,000 for 1M lines, 200,000 for 10M."""
    return max(100, lines // 50)


@dataclass
class Dataset:
    fmt: str
    lines: int
    customers: int
    seed: int
    path: Path


def dataset(data_dir: Path, fmt: str, lines: int, customers: int, seed: int) -> Dataset:
    # Every argument that changes the file is in its name, so a cached file is the right one.
    name = f"orders_{lines}_{customers}c_{seed}.{fmt}"
    return Dataset(fmt, lines, customers, seed, data_dir / name)


def ensure_data(ds: Dataset, log: Callable[[str], None]) -> None:
    """Generate the file unless it is cached; a half-written file is never cached."""
    if ds.path.exists():
        return
    ds.path.parent.mkdir(parents=True, exist_ok=True)
    ignore = ds.path.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# generated benchmark data\n*\n")
    partial = ds.path.with_name(ds.path.name + ".partial")
    log(f"generating {ds.path.name} ({ds.lines:,} lines, {ds.customers:,} customers) …")
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(MAKE_ORDERS), "--lines", str(ds.lines), "--customers",
         str(ds.customers), "--seed", str(ds.seed), "--format", ds.fmt, "-o", str(partial)],
        check=True,
    )
    os.replace(partial, ds.path)
    log(f"generated {ds.path.name} in {time.perf_counter() - start:.1f} s")


def warm(path: Path) -> None:
    """Read the file once so that every contender finds it in the page cache alike."""
    with open(path, "rb") as f:
        while f.read(16 * MIB):
            pass


# --------------------------------------------------------------------------- contenders


@dataclass
class Contender:
    name: str
    label: str
    argv: list[str]
    parse: Callable[[str], dict[str, Any]]
    env: dict[str, str] | None = None


def parse_peer(stdout: str) -> dict[str, Any]:
    lines = stdout.strip().splitlines()
    if not lines:
        return {}
    try:
        value = json.loads(lines[-1])
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def parse_kamtool_table(stdout: str) -> dict[str, Any]:
    """abc/rfm print '(20 of 476 rows; …)' under the table: one row per customer."""
    m = re.search(r"\(\s*[\d,]+ of ([\d,]+) rows", stdout)
    return {"customers": _int(m.group(1))} if m else {}


def parse_kamtool_inspect(stdout: str) -> dict[str, Any]:
    """inspect's headline: 'N order lines, N customers, N orders …; net revenue X …'."""
    found: dict[str, Any] = {}
    for key, pattern in (("lines", r"([\d,]+) order lines"), ("customers", r"([\d,]+) customers"),
                         ("orders", r"([\d,]+) orders")):
        m = re.search(pattern, stdout)
        if m:
            found[key] = _int(m.group(1))
    m = re.search(r"net revenue (-?[\d,]+\.\d+)", stdout)
    if m:
        found["revenue"] = float(m.group(1).replace(",", ""))
    return found


def kamtool_contender(kamtool: str, name: str, path: Path) -> Contender:
    parse = parse_kamtool_inspect if name == "inspect" else parse_kamtool_table
    if name == "abc-arrow":
        env = {**os.environ, "KAMTOOL_NATIVE": "off"}
        return Contender(name, "kamtool abc, Arrow path", [kamtool, "abc", str(path)], parse, env)
    return Contender(name, f"kamtool {name}", [kamtool, name, str(path)], parse)


def peer_contender(python: str, name: str, path: Path) -> Contender:
    labels = {"duckdb": "DuckDB SQL", "polars": "polars lazy", "pandas": "pandas groupby",
              "floor": "pyarrow read (floor)", "calamine": "calamine raw (floor)",
              "lifetimes": "lifetimes summary"}
    return Contender(name, labels[name], [python, str(PEERS_SCRIPT), name, str(path)], parse_peer)


def command_contenders(kamtool: str, python: str, command: str, path: Path) -> list[Contender]:
    """``kamtool COMMAND FILE`` end to end, its smallest DuckDB query and polars' same query."""
    # Each command prints a table of its own: its row count ("20 of 1,476 rows") where it says one.
    return [
        Contender(f"kamtool:{command}", f"kamtool {command}", [kamtool, command, str(path)],
                  parse_kamtool_table),
        *(Contender(f"{peer}:{command}", f"{peer} {command}",
                    [python, str(PEERS_SCRIPT), f"{peer}-command", command, str(path)], parse_peer)
          for peer in COMMAND_PEERS),
    ]


def command_table(results: list[Result]) -> list[str]:
    """Per command and file: kamtool, DuckDB's and polars' medians, ratios and peaks."""
    rows = ["| command | format | lines | kamtool s | DuckDB s | polars s | ×DuckDB | ×polars "
            "| kamtool MiB | DuckDB MiB | polars MiB |", "|" + "---|" * 11]
    for (fmt, lines, command), members in _by_command(results).items():
        k, d, p = (members.get(n) for n in ("kamtool", "duckdb", "polars"))

        def cell(r: Result | None, attr: str, spec: str) -> str:
            if r is None:
                return "–"
            return r.failure.replace("|", "/")[:60] if r.failure else fmt_num(getattr(r, attr), spec)

        rows.append("| " + " | ".join([
            command, fmt, f"{lines:,}", cell(k, "median_s", ".2f"), cell(d, "median_s", ".2f"),
            cell(p, "median_s", ".2f"),
            fmt_num(ratio(k.median_s if k else None, d.median_s if d else None), ".2f"),
            fmt_num(ratio(k.median_s if k else None, p.median_s if p else None), ".2f"),
            cell(k, "peak_mib", ".0f"), cell(d, "peak_mib", ".0f"), cell(p, "peak_mib", ".0f"),
        ]) + " |")
    return rows


def _by_command(results: list[Result],
                section: str = "commands") -> dict[tuple[str, int, str], dict[str, Result]]:
    """The results of one section ("commands", "messy") by format, lines and command, then by contender."""
    out: dict[tuple[str, int, str], dict[str, Result]] = {}
    for r in results:
        if r.section == section:
            who, _, command = r.contender.partition(":")
            out.setdefault((r.fmt, r.lines, command), {})[who] = r
    return out


def command_targets(results: list[Result]) -> list[str]:
    """Each command within 1.5x of its query (or 0.75 s of it) and 1 GiB at 10M lines and more;
    30M lines in less than twice the memory of 10M."""
    out: list[str] = []
    peaks: dict[tuple[str, str], dict[int, float]] = {}
    for (fmt, lines, command), members in _by_command(results).items():
        k, d = members.get("kamtool"), members.get("duckdb")
        if k is None or k.median_s is None or lines < TARGET_AT_LINES:
            continue
        where = f"{command}, {fmt}, {lines:,} lines"
        if d is not None and d.median_s is not None:
            ok = (k.median_s <= TARGET_COMMAND_VS_DUCKDB * d.median_s
                  or k.median_s <= d.median_s + TARGET_COMMAND_SLACK_S)
            out.append(f"- {where}: {k.median_s / d.median_s:.2f}× its DuckDB query "
                       f"(≤ {TARGET_COMMAND_VS_DUCKDB:g}× or +{TARGET_COMMAND_SLACK_S:g} s) — {verdict(ok)}")
        if k.peak_mib is not None:
            peaks.setdefault((fmt, command), {})[lines] = k.peak_mib
            out.append(f"- {where}: peak {k.peak_mib:,.0f} MiB (≤ {TARGET_COMMAND_PEAK_MIB:,} MiB) — "
                       f"{verdict(k.peak_mib <= TARGET_COMMAND_PEAK_MIB)}")
    for (fmt, command), by_lines in peaks.items():
        for small, big in zip(sorted(by_lines), sorted(by_lines)[1:], strict=False):
            grow = by_lines[big] / by_lines[small]
            out.append(f"- {command}, {fmt}, {small:,} → {big:,} lines: peak ×{grow:.2f} "
                       f"(< {TARGET_GROWTH_30M:g}×) — {verdict(grow < TARGET_GROWTH_30M)}")
    return out


def find_kamtool(given: str | None) -> str:
    if given:
        return given
    beside = Path(sys.executable).parent / "kamtool"
    if beside.exists():
        return str(beside)
    found = shutil.which("kamtool")
    if found is None:
        raise SystemExit("no kamtool executable found: pip install -e . or pass --kamtool PATH")
    return found


def command_available(argv: Sequence[str]) -> bool:
    try:
        return subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=120).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def find_lifetimes_python(given: str | None) -> tuple[str | None, str]:
    """The Python that has lifetimes (--lifetimes-python, else this one) and a note on it."""
    python = given or sys.executable
    probe = "import importlib.metadata as m, lifetimes.utils; print(m.version('lifetimes'))"
    try:
        done = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        done = None
    if done is not None and done.returncode == 0:
        return python, f"lifetimes {done.stdout.strip()} run by {python}"
    if given:
        return None, f"lifetimes: `{given}` cannot import lifetimes; skipped"
    return None, ("lifetimes: not importable by this Python; skipped (install it in a separate "
                  "venv and pass --lifetimes-python, see benchmarks/README.md)")


# --------------------------------------------------------------------------- results


@dataclass
class Result:
    section: str  # "ledger", "excel" or "startup"
    contender: str
    label: str
    fmt: str
    lines: int
    seconds: list[float] = field(default_factory=list)
    peaks_kib: list[int] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    failure: str = ""
    check: str = ""

    @property
    def median_s(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds and not self.failure else None

    @property
    def peak_mib(self) -> float | None:
        return statistics.median(self.peaks_kib) / 1024 if self.peaks_kib and not self.failure else None


def failure_text(run: Run, timeout: float) -> str:
    if run.timed_out:
        return f"did not finish in {timeout:g} s"
    last = (run.stderr.strip().splitlines() or ["no message"])[-1]
    return f"failed (exit {run.returncode}): {last[:160]}"


def compare(summary: dict[str, Any], reference: dict[str, Any]) -> str:
    """'ok' when every figure both report agrees, else what differs; '' if nothing to compare."""
    shared = [k for k in summary if k in reference]
    if not shared:
        return ""
    differs = []
    for key in shared:
        a, b = summary[key], reference[key]
        # Float sums in another order may differ in the last cent's rounding, not more.
        close = abs(float(a) - float(b)) <= 0.01 + 1e-9 * abs(float(b))
        if not (close if key == "revenue" else a == b):
            differs.append(f"{key} {a} vs {b}")
    return "ok" if not differs else "differs: " + "; ".join(differs)


def check_results(results: list[Result], lines: int) -> None:
    """Cross-check a dataset's contenders against the first full aggregation that ran."""
    reference: dict[str, Any] = {"lines": lines}
    for name in ("duckdb", "polars", "pandas"):
        full = next((r for r in results if r.contender == name and r.summary and not r.failure), None)
        if full is not None:
            reference = {**full.summary, "lines": lines}
            break
    for r in results:
        if not r.failure:
            r.check = compare(r.summary, reference)


def ratio(value: float | None, base: float | None) -> float | None:
    if value is None or base is None or base <= 0:
        return None
    return value / base


def fmt_num(value: float | None, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def group_ratios(results: list[Result], fmt: str) -> dict[str, dict[str, float | None]]:
    """Each contender's time and peak memory relative to DuckDB and to the floor."""
    by_name = {r.contender: r for r in results}
    duck = by_name.get("duckdb")
    floor = by_name.get(FLOOR[fmt])
    out: dict[str, dict[str, float | None]] = {}
    for r in results:
        out[r.contender] = {
            "time_vs_duckdb": ratio(r.median_s, duck.median_s if duck else None),
            "time_vs_floor": ratio(r.median_s, floor.median_s if floor else None),
            "mem_vs_duckdb": ratio(r.peak_mib, duck.peak_mib if duck else None),
            "mem_vs_floor": ratio(r.peak_mib, floor.peak_mib if floor else None),
        }
    return out


def markdown_table(results: list[Result]) -> list[str]:
    head = ("| contender | format | lines | median s | peak MiB | time ×DuckDB | time ×floor "
            "| memory ×DuckDB | memory ×floor | check |")
    rows = [head, "|" + "---|" * 10]
    groups: dict[tuple[str, int], list[Result]] = {}
    for r in results:
        groups.setdefault((r.fmt, r.lines), []).append(r)
    for (fmt, lines), members in groups.items():
        ratios = group_ratios(members, fmt) if fmt in FLOOR else {}
        for r in members:
            q = ratios.get(r.contender, {})
            if r.failure:
                cells = [r.label, fmt, f"{lines:,}" if lines else "–", "–", "–", "–", "–", "–", "–",
                         r.failure.replace("|", "/")]
            else:
                cells = [
                    r.label, fmt, f"{lines:,}" if lines else "–", fmt_num(r.median_s, ".2f"),
                    fmt_num(r.peak_mib, ".0f"), fmt_num(q.get("time_vs_duckdb"), ".2f"),
                    fmt_num(q.get("time_vs_floor"), ".2f"), fmt_num(q.get("mem_vs_duckdb"), ".2f"),
                    fmt_num(q.get("mem_vs_floor"), ".2f"), r.check,
                ]
            rows.append("| " + " | ".join(cells) + " |")
    return rows


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def targets(results: list[Result]) -> list[str]:
    """The issue's targets for whatever this run measured."""
    out: list[str] = []
    ledger = [r for r in results if r.section == "ledger"]
    for fmt in ("csv", "parquet"):
        sizes = sorted({r.lines for r in ledger if r.fmt == fmt})
        peaks: dict[int, float] = {}
        for lines in sizes:
            members = [r for r in ledger if r.fmt == fmt and r.lines == lines]
            abc = next((r for r in members if r.contender == "abc"), None)
            if abc is None or abc.median_s is None:
                continue
            if lines < TARGET_AT_LINES:
                continue  # below that, start-up time swamps the ratios
            q = group_ratios(members, fmt)["abc"]
            where = f"{fmt}, {lines:,} lines"
            if q["time_vs_duckdb"] is not None:
                out.append(f"- kamtool abc ≤ {TARGET_VS_DUCKDB:g}× DuckDB ({where}): "
                           f"{q['time_vs_duckdb']:.2f}× — {verdict(q['time_vs_duckdb'] <= TARGET_VS_DUCKDB)}")
            if q["time_vs_floor"] is not None:
                out.append(f"- kamtool abc ≤ {TARGET_VS_FLOOR:g}× floor ({where}): "
                           f"{q['time_vs_floor']:.2f}× — {verdict(q['time_vs_floor'] <= TARGET_VS_FLOOR)}")
            if abc.peak_mib is not None:
                peaks[lines] = abc.peak_mib
                out.append(f"- kamtool abc peak ≤ {TARGET_PEAK_MIB:,.0f} MiB ({where}): "
                           f"{abc.peak_mib:,.0f} MiB — {verdict(abc.peak_mib <= TARGET_PEAK_MIB)}")
        ordered = sorted(peaks)
        for small, big in zip(ordered, ordered[1:], strict=False):
            grow, more = peaks[big] / peaks[small], big / small
            # 10M -> 30M lines must not take 3x the memory: memory grows slower than lines.
            out.append(f"- kamtool abc memory grows slower than lines ({fmt}, {small:,} → {big:,}: "
                       f"lines ×{more:.1f}, peak ×{grow:.2f}) — {verdict(grow < more)}")
    if ledger and not any(r.lines >= TARGET_AT_LINES for r in ledger):
        out.append(f"- (the time and memory targets are set at {TARGET_AT_LINES:,} lines and more; "
                   "this run measured only smaller files)")
    excel = [r for r in results if r.section == "excel"]
    for lines in sorted({r.lines for r in excel}):
        members = [r for r in excel if r.lines == lines]
        ratios = group_ratios(members, "xlsx")
        for name in ("abc", "inspect"):
            vs_floor = ratios.get(name, {}).get("time_vs_floor")
            if vs_floor is not None:
                out.append(f"- kamtool {name} ≤ {TARGET_EXCEL_VS_CALAMINE:g}× calamine raw (xlsx, "
                           f"{lines:,} lines): {vs_floor:.2f}× — "
                           f"{verdict(vs_floor <= TARGET_EXCEL_VS_CALAMINE)}")
    for r in results:
        if r.contender == "help" and r.median_s is not None:
            out.append(f"- kamtool --help < {TARGET_HELP_S:g} s: {r.median_s:.2f} s — "
                       f"{verdict(r.median_s < TARGET_HELP_S)}")
    return out


# --------------------------------------------------------------------------- messy twins


def messy_path(messy_dir: Path, clean: Dataset, suffix: str) -> Path:
    """The twin of a clean file: its name, '_messy', the twin's own suffix (.csv or .xlsx)."""
    return messy_dir / f"{clean.path.stem}_messy.{suffix}"


def ensure_messy(clean: Path, twin: Path, log: Callable[[str], None]) -> None:
    """Write the messy twin of ``clean`` unless it is cached (benchmarks/messy.py)."""
    if twin.exists():
        return
    twin.parent.mkdir(parents=True, exist_ok=True)
    log(f"writing the messy twin {twin.name} of {clean.name} …")
    start = time.perf_counter()
    subprocess.run([sys.executable, str(MESSY_SCRIPT), str(clean), str(twin)], check=True)
    log(f"wrote {twin.name} in {time.perf_counter() - start:.1f} s")


def messy_contenders(kamtool: str, python: str, command: str, twin: Path, clean_kamtool: Path,
                     clean_query: Path) -> list[Contender]:
    """``kamtool COMMAND`` on the twin and on the clean file, and the command's DuckDB query on
    the clean file (for a workbook twin: the clean CSV of the same lines)."""
    return [
        Contender(f"messy:{command}", f"kamtool {command}, messy {twin.suffix[1:]}",
                  [kamtool, command, str(twin)], parse_kamtool_table),
        Contender(f"clean:{command}", f"kamtool {command}, clean {clean_kamtool.suffix[1:]}",
                  [kamtool, command, str(clean_kamtool)], parse_kamtool_table),
        Contender(f"duckdb:{command}", f"DuckDB {command}, clean csv",
                  [python, str(PEERS_SCRIPT), "duckdb-command", command, str(clean_query)], parse_peer),
    ]


def parse_dropped(stdout: str) -> dict[str, int]:
    """inspect's first line and its drops: '…; 4,926 rows read, 1 dropped' and
    'totals / subtotal lines: 1'."""
    found: dict[str, int] = {}
    m = re.search(r"([\d,]+) rows read, ([\d,]+) dropped", stdout)
    if m:
        found["rows_read"], found["dropped"] = _int(m.group(1)), _int(m.group(2))
    m = re.search(r"totals / subtotal lines: ([\d,]+)", stdout)
    found["totals_dropped"] = _int(m.group(1)) if m else 0
    return found


def messy_check(kamtool: str, python: str, twin: Path, clean_query: Path, timeout: float) -> str:
    """What kamtool reads from the twin against DuckDB's figures of the clean file (one untimed
    run each): the same customers, lines and revenue, and exactly one totals line dropped."""
    seen = measure([kamtool, "inspect", str(twin)], timeout)
    ref = measure([python, str(PEERS_SCRIPT), "duckdb", str(clean_query)], timeout)
    if seen.returncode != 0 or ref.returncode != 0:
        return "differs: " + (failure_text(seen, timeout) if seen.returncode else failure_text(ref, timeout))
    figures = parse_kamtool_inspect(seen.stdout)
    reference = {k: v for k, v in parse_peer(ref.stdout).items() if k in ("customers", "lines", "revenue")}
    verdict_text = compare({k: v for k, v in figures.items() if k in reference}, reference)
    if len([k for k in reference if k in figures]) < 3:
        return f"differs: kamtool inspect said {figures}, DuckDB {reference}"
    drops = parse_dropped(seen.stdout)
    if drops.get("totals_dropped") != 1 or drops.get("dropped") != 1:
        more = f"dropped {drops.get('dropped')} rows, {drops.get('totals_dropped')} of them totals lines"
        return f"differs: {more} (the twin has one totals line)" + (
            "" if verdict_text == "ok" else "; " + verdict_text[len("differs: "):])
    return "ok (its totals line dropped)" if verdict_text == "ok" else verdict_text


def messy_table(results: list[Result]) -> list[str]:
    """Per twin and command: kamtool on the twin, on the clean file, DuckDB's query on the clean file."""
    rows = ["| command | twin | lines | messy s | clean s | DuckDB clean s | messy ×DuckDB | messy ×clean "
            "| messy MiB | check |", "|" + "---|" * 10]
    for (fmt, lines, command), members in _by_command(results, "messy").items():
        m, c, d = (members.get(n) for n in ("messy", "clean", "duckdb"))

        def cell(r: Result | None) -> str:
            if r is None:
                return "–"
            return r.failure.replace("|", "/")[:60] if r.failure else fmt_num(r.median_s, ".2f")

        ms = m.median_s if m else None
        rows.append("| " + " | ".join([
            command, fmt, f"{lines:,}", cell(m), cell(c), cell(d),
            fmt_num(ratio(ms, d.median_s if d else None), ".2f"),
            fmt_num(ratio(ms, c.median_s if c else None), ".2f"),
            fmt_num(m.peak_mib if m else None, ".0f"), m.check if m else "",
        ]) + " |")
    return rows


def messy_targets(results: list[Result]) -> list[str]:
    """A CSV twin within 2x of the command's DuckDB query on the clean file (judged at 10M lines
    and more); a workbook twin within 2x of kamtool on the clean workbook (DuckDB reads none)."""
    out: list[str] = []
    for (fmt, lines, command), members in _by_command(results, "messy").items():
        m = members.get("messy")
        base = members.get("clean" if fmt == "xlsx" else "duckdb")
        if m is None or m.median_s is None or base is None or base.median_s is None:
            continue
        if fmt != "xlsx" and lines < TARGET_AT_LINES:
            continue
        against = "kamtool on the clean workbook" if fmt == "xlsx" else "its DuckDB query on the clean CSV"
        q = m.median_s / base.median_s
        out.append(f"- {command}, messy {fmt}, {lines:,} lines: {q:.2f}× {against} "
                   f"(≤ {TARGET_MESSY_VS_CLEAN:g}×) — {verdict(q <= TARGET_MESSY_VS_CLEAN)}")
    return out


# --------------------------------------------------------------------------- kamtool report


def top_customer(path: Path) -> str | None:
    """The customer with the most revenue (the account card `kamtool profile` draws); None if none."""
    import duckdb

    reader = "read_parquet" if path.suffix.lower() in (".parquet", ".pq") else "read_csv"
    literal = "'" + str(path).replace("'", "''") + "'"
    found = duckdb.connect(":memory:").execute(
        f"SELECT customer_id FROM {reader}({literal}) GROUP BY customer_id "
        "ORDER BY sum(amount) DESC, customer_id LIMIT 1").fetchall()
    return str(found[0][0]) if found else None


def report_contenders(kamtool: str, path: Path, out_dir: Path) -> list[Contender]:
    """kamtool abc, kamtool report printing its Overview, kamtool report writing the workbook, and
    kamtool profile drawing the largest customer's card (every analysis, for one customer)."""
    book = out_dir / f"{path.stem}_report.xlsx"
    contenders = [
        Contender("report:abc", "kamtool abc", [kamtool, "abc", str(path)], parse_kamtool_table),
        Contender("report:report", "kamtool report", [kamtool, "report", str(path)], parse_peer),
        Contender("report:report-o", "kamtool report -o x.xlsx",
                  [kamtool, "report", str(path), "-o", str(book)], parse_peer),
    ]
    customer = top_customer(path) if path.exists() else None
    if customer is not None:
        contenders.append(Contender("report:profile", f"kamtool profile {customer}",
                                    [kamtool, "profile", customer, str(path)], parse_peer))
    return contenders


def report_table(results: list[Result]) -> list[str]:
    """kamtool report against 3 × kamtool abc; the write is report -o less report."""
    rows = ["| format | lines | abc s | 3 × abc s | report s | report ×abc | report -o s | write s "
            "| report MiB | report -o MiB | profile s | profile ×abc |", "|" + "---|" * 12]
    for (fmt, lines), members in _by_report(results).items():
        a, r, o, c = (members.get(n) for n in ("abc", "report", "report-o", "profile"))
        a_s, r_s, o_s = (x.median_s if x else None for x in (a, r, o))
        write = None if r_s is None or o_s is None else o_s - r_s
        rows.append("| " + " | ".join([
            fmt, f"{lines:,}", fmt_num(a_s, ".2f"), fmt_num(None if a_s is None else 3 * a_s, ".2f"),
            fmt_num(r_s, ".2f"), fmt_num(ratio(r_s, a_s), ".2f"), fmt_num(o_s, ".2f"),
            fmt_num(write, ".2f"), fmt_num(r.peak_mib if r else None, ".0f"),
            fmt_num(o.peak_mib if o else None, ".0f"), fmt_num(c.median_s if c else None, ".2f"),
            fmt_num(ratio(c.median_s if c else None, a_s), ".2f"),
        ]) + " |")
    return rows


def _by_report(results: list[Result]) -> dict[tuple[str, int], dict[str, Result]]:
    out: dict[tuple[str, int], dict[str, Result]] = {}
    for r in results:
        if r.section == "report":
            out.setdefault((r.fmt, r.lines), {})[r.contender.partition(":")[2]] = r
    return out


def report_targets(results: list[Result]) -> list[str]:
    """kamtool report (its Overview on stdout) within 3 × kamtool abc; the workbook's write on top."""
    out: list[str] = []
    for (fmt, lines), members in _by_report(results).items():
        a, r = members.get("abc"), members.get("report")
        if a is None or r is None or a.median_s is None or r.median_s is None:
            continue
        q = r.median_s / a.median_s
        out.append(f"- report, {fmt}, {lines:,} lines: {q:.2f}× kamtool abc (≤ {TARGET_REPORT_VS_ABC:g}×, "
                   f"plus the write) — {verdict(q <= TARGET_REPORT_VS_ABC)}")
    return out


# --------------------------------------------------------------------------- the machine


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    except (ValueError, OSError, AttributeError):
        memory_gib = float("nan")
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_gib, 1),
        "load_at_start": [round(x, 2) for x in load],
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": {d: _version(d) for d in ("kamtool", "duckdb", "polars", "pandas", "pyarrow",
                                               "python-calamine")},
    }


def machine_lines(info: dict[str, Any]) -> list[str]:
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    load = " / ".join(f"{x:g}" for x in info["load_at_start"])
    return [
        f"{info['date']}; {info['cpu']}, {info['cores']} cores, {info['memory_gib']:g} GiB; "
        f"{info['os']}; Python {info['python']}",
        f"{versions}; load average at start {load}",
    ]


# --------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="benchmarks/run.py",
        description="Whole-process wall time and peak memory of kamtool and its peers on the "
        "same generated order exports (median of --repeat runs).",
    )
    p.add_argument("--lines", type=parse_counts, default=[1_000_000, 10_000_000],
                   help="comma-separated line counts, e.g. 1M,10M,30M (default 1M,10M)")
    p.add_argument("--customers", type=parse_counts, default=None,
                   help="customers per line count (one value, or one per --lines entry); "
                   "default one per 50 lines")
    p.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    p.add_argument("--formats", default="csv,parquet", help="csv and/or parquet (default both)")
    p.add_argument("--repeat", type=int, default=3, help="runs per contender; the median counts")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                   help="where generated files are cached (default benchmarks/data)")
    p.add_argument("--only", default=None,
                   help=f"comma-separated contenders to run, among {','.join(ALL_NAMES)}")
    p.add_argument("--excel-lines", type=parse_count_or_zero, default=100_000,
                   help="lines of the Excel comparison (default 100k; 0 skips it)")
    p.add_argument("--lifetimes-python", default=None,
                   help="a Python with lifetimes installed (default: this one, if it has it)")
    p.add_argument("--limit", type=parse_limits, default={"lifetimes": 1_000_000, "report": 1_000_000},
                   help="largest file each named contender runs on, e.g. lifetimes=1M,pandas=10M "
                   "(default lifetimes=1M,report=1M: they take minutes beyond that)")
    p.add_argument("--timeout", type=float, default=1800.0,
                   help="seconds before a run is stopped and reported as not finishing")
    p.add_argument("--commands", default=",".join(COMMANDS),
                   help="commands measured end to end beside their smallest DuckDB query and polars "
                   f"(default: {','.join(COMMANDS)}; with --only, name 'commands' among the contenders)")
    p.add_argument("--messy-commands", default="abc",
                   help="commands run on the messy twins (GBK, money text, slashed dates, a totals "
                   "line; name 'messy' among --only), beside the same on the clean file (default abc)")
    p.add_argument("--messy-dir", type=Path, default=None,
                   help="where the messy twins are written and cached (default: --data-dir)")
    p.add_argument("--kamtool", default=None, help="the kamtool executable (default: beside python)")
    p.add_argument("--json", type=Path, default=None, help="also write every run to this JSON file")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    bad = [f for f in formats if f not in ("csv", "parquet")]
    if bad:
        parser.error(f"--formats takes csv and parquet, not {', '.join(bad)} (Excel: --excel-lines)")
    only = set(ALL_NAMES) if args.only is None else {n.strip() for n in args.only.split(",") if n.strip()}
    unknown = sorted(only - set(ALL_NAMES))
    if unknown:
        parser.error(f"--only: unknown contender {', '.join(unknown)}; choose among {','.join(ALL_NAMES)}")
    messy_commands = [c.strip() for c in args.messy_commands.split(",") if c.strip()]
    unknown_commands = sorted(({c.strip() for c in args.commands.split(",") if c.strip()}
                               | set(messy_commands)) - set(COMMANDS))
    if unknown_commands:
        parser.error(f"--commands: unknown {', '.join(unknown_commands)}; choose among {','.join(COMMANDS)}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    customers = args.customers or [default_customers(n) for n in args.lines]
    if len(customers) == 1:
        customers = customers * len(args.lines)
    if len(customers) != len(args.lines):
        parser.error("--customers takes one value or one per --lines entry")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    info = machine()
    kamtool = find_kamtool(args.kamtool)
    notes: list[str] = []
    kam_names = [n for n in KAMTOOL_CONTENDERS if n in only]
    if "rfm" in kam_names and not command_available([kamtool, "rfm", "--help"]):
        kam_names.remove("rfm")
        notes.append("kamtool rfm: not in this build (`kamtool rfm --help` failed); skipped")
    limits: dict[str, int] = args.limit
    lifetimes_python: str | None = None
    if "lifetimes" in only:
        lifetimes_python, note = find_lifetimes_python(args.lifetimes_python)
        notes.append(note)

    # One list of (section, dataset, contenders) to run.
    plan: list[tuple[str, Dataset, list[Contender]]] = []
    messy_dir: Path = args.messy_dir or args.data_dir
    # Messy twins: id of the section's contenders -> (the twin, the clean CSV DuckDB's query reads).
    twins: dict[int, tuple[Path, Dataset]] = {}
    made: list[tuple[Dataset, Path]] = []  # clean file -> twin to write

    def add_twin(clean: Dataset, kind: str, reference: Dataset) -> None:
        """The messy twin (``kind``: csv or xlsx) of the clean CSV ``clean`` in the plan: kamtool on
        the twin and on ``reference`` (the clean file of the twin's kind), DuckDB's query on ``clean``."""
        twin = messy_path(messy_dir, clean, kind)
        made.append((clean, twin))
        run = [c for cmd in messy_commands
               for c in messy_contenders(kamtool, sys.executable, cmd, twin, reference.path, clean.path)]
        twins[id(run)] = (twin, clean)
        plan.append(("messy", reference, run))

    scratch = Path(tempfile.mkdtemp(prefix="kamtool-bench-"))  # kamtool report's workbooks
    for fmt in formats:
        for lines, n_customers in zip(args.lines, customers, strict=True):
            ds = dataset(args.data_dir, fmt, lines, n_customers, args.seed)
            contenders = [kamtool_contender(kamtool, n, ds.path) for n in kam_names]
            for name in PEER_CONTENDERS:
                if name not in only or (name == "lifetimes" and lifetimes_python is None):
                    continue
                python = lifetimes_python if name == "lifetimes" else sys.executable
                assert python is not None
                contenders.append(peer_contender(python, name, ds.path))
            for c in contenders:
                if lines > limits.get(c.name, lines):
                    notes.append(f"{c.label}: not run on {lines:,} lines, above its --limit "
                                 f"{limits[c.name]:,}")
            contenders = [c for c in contenders if lines <= limits.get(c.name, lines)]
            plan.append(("ledger", ds, contenders))
            if "commands" in only:
                wanted = [c for c in args.commands.split(",") if c.strip()]
                per_command = [c for name in wanted
                               for c in command_contenders(kamtool, sys.executable, name.strip(), ds.path)]
                plan.append(("commands", ds, [c for c in per_command
                                              if lines <= limits.get(c.name.partition(":")[0], lines)]))
            if "report" in only:
                if lines > limits.get("report", lines):
                    notes.append(f"kamtool report: not run on {lines:,} lines, above its --limit "
                                 f"{limits['report']:,}")
                else:
                    plan.append(("report", ds, [Contender("report:pending", "", [], parse_peer)]))
    for lines, n_customers in zip(args.lines, customers, strict=True):
        if "messy" not in only or lines > limits.get("messy", lines):
            continue
        # The twin is written from the clean CSV, and DuckDB's query reads that CSV.
        clean = dataset(args.data_dir, "csv", lines, n_customers, args.seed)
        add_twin(clean, "csv", clean)
    if args.excel_lines:
        ds = dataset(args.data_dir, "xlsx", args.excel_lines, default_customers(args.excel_lines),
                     args.seed)
        contenders = []
        for name in EXCEL_CONTENDERS:
            if name not in only:
                continue
            if name in ("abc", "inspect"):
                contenders.append(kamtool_contender(kamtool, name, ds.path))
            else:
                contenders.append(peer_contender(sys.executable, name, ds.path))
        plan.append(("excel", ds, contenders))
        if "messy" in only:
            # The workbook twin, written from the clean CSV of the same lines (DuckDB's query reads
            # that CSV); kamtool also reads the clean workbook.
            clean = dataset(args.data_dir, "csv", args.excel_lines, default_customers(args.excel_lines),
                            args.seed)
            add_twin(clean, "xlsx", ds)
    plan = [(section, ds, cs) for section, ds, cs in plan if cs]

    for _section, ds, _cs in plan:
        ensure_data(ds, log)
    for clean, twin in made:
        ensure_data(clean, log)
        ensure_messy(clean.path, twin, log)

    results: list[Result] = []
    if "help" in only:
        help_result = Result("startup", "help", "kamtool --help", "–", 0)
        for i in range(max(args.repeat, 5)):  # cheap, and noisy on a busy machine
            run = measure([kamtool, "--help"], args.timeout)
            if run.returncode != 0:
                help_result.failure = failure_text(run, args.timeout)
                break
            help_result.seconds.append(run.seconds)
            help_result.peaks_kib.append(run.peak_kib)
            log(f"kamtool --help run {i + 1}: {run.seconds:.2f} s")
        results.append(help_result)

    for section, ds, contenders in plan:
        if section == "report":  # the card's customer is read from the file, which exists now
            contenders = report_contenders(kamtool, ds.path, scratch)
        warm(ds.path)
        twin_of = twins.get(id(contenders))
        if twin_of is not None:
            warm(twin_of[0])
            warm(twin_of[1].path)
        group = [Result(section, c.name, c.label, ds.fmt, ds.lines) for c in contenders]
        for rep in range(args.repeat):
            for contender, result in zip(contenders, group, strict=True):
                if result.failure:
                    continue
                run = measure(contender.argv, args.timeout, contender.env)
                if run.returncode != 0 or run.timed_out:
                    result.failure = failure_text(run, args.timeout)
                    log(f"{ds.fmt} {ds.lines:,} {contender.label}: {result.failure}")
                    continue
                result.seconds.append(run.seconds)
                result.peaks_kib.append(run.peak_kib)
                result.summary = contender.parse(run.stdout)
                log(f"{ds.fmt} {ds.lines:,} {contender.label} run {rep + 1}/{args.repeat}: "
                    f"{run.seconds:.2f} s, {run.peak_kib / 1024:.0f} MiB")
        check_results(group, ds.lines)
        if twin_of is not None:
            twin_check = messy_check(kamtool, sys.executable, twin_of[0], twin_of[1].path, args.timeout)
            for result in group:
                if result.contender.startswith("messy:") and not result.failure:
                    result.check = twin_check
            log(f"{twin_of[0].name}: {twin_check}")
        results.extend(group)

    report = ["## kamtool benchmark", "", *machine_lines(info), "",
              f"Median of {args.repeat} run(s) per contender, each a whole process; peak = maximum "
              "resident memory of the process. Ratios are of the medians, against DuckDB's SQL and "
              "against the floor (pyarrow reading the needed columns; calamine for Excel) on the "
              "same file.", ""]
    plain = [r for r in results if r.section not in ("commands", "messy", "report")]
    if plain:
        report += [*markdown_table(plain), ""]
    if any(r.section == "commands" for r in results):
        report += ["Per command: the command end to end (plain-text output) beside its smallest DuckDB "
                   "query and polars' same query (benchmarks/peers.py COMMAND_SQL); ratios are "
                   "kamtool's median time over theirs.", "", *command_table(results), ""]
    if any(r.section == "messy" for r in results):
        report += ["Files that need cleaning: each command on the messy twin of a clean file (the same "
                   "lines as GBK with Chinese headers and values, a title line, money text '1,234.50', "
                   "dates 2024/3/5, a totals line; benchmarks/messy.py), on the clean file, and its "
                   "smallest DuckDB query on the clean CSV; check: what `kamtool inspect` reads from "
                   "the twin against DuckDB's figures of the clean file.", "", *messy_table(results), ""]
    if any(r.section == "report" for r in results):
        report += ["kamtool report: the Overview on stdout, and with -o the workbook (write = the "
                   "difference), beside kamtool abc on the same file.", "", *report_table(results), ""]
    goals = targets(results) + command_targets(results) + messy_targets(results) + report_targets(results)
    if goals:
        report += ["Targets:", *goals, ""]
    if notes:
        report += ["Notes:", *(f"- {n}" for n in dict.fromkeys(notes)), ""]
    print("\n".join(report))
    if args.json is not None:
        payload = {
            "machine": info,
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "results": [{**asdict(r), "median_s": r.median_s, "peak_mib": r.peak_mib} for r in results],
            "targets": goals,
            "notes": list(dict.fromkeys(notes)),
        }
        args.json.write_text(json.dumps(payload, indent=2))
    ours = ("abc", "abc-arrow", "rfm", "inspect", "help")
    failed = [r for r in results if r.failure and (
        r.contender in ours or r.contender.startswith(("kamtool:", "messy:", "clean:", "report:")))]
    mismatched = [r for r in results if r.check.startswith("differs")]
    return 1 if failed or mismatched else 0


if __name__ == "__main__":
    sys.exit(main())
