"""The fuzz campaign's two runners (scripts/fuzz.py): the fork server classifies exactly as a
fresh subprocess does, kills at the time limit, and covers every command with its second files."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_fuzz_campaign import fuzz

SAMPLE = REPO / "sample_data"


def test_every_command_of_the_app_is_fuzzed() -> None:
    import typer

    from kamtool.cli.app import _command_names, _register

    _register()
    assert isinstance(fuzz.COMMANDS, tuple) and isinstance(typer.Typer, type)
    assert fuzz.app_commands() == _command_names()
    missing = sorted(set(_command_names()) - set(fuzz.COMMANDS))
    assert not missing, f"add a line to SECOND_FILES in scripts/fuzz.py for {missing}"
    assert fuzz.SECOND_FILES["credit"] == ("payments", "accounts")
    assert fuzz.SECOND_FILES["tiers"] == fuzz.SECOND_FILES["stages"] == ("accounts",)


@pytest.mark.parametrize("option", ["accounts", "payments"])
def test_second_files_are_made_again_from_their_seed_and_named_on_the_command_line(
        tmp_path: Path, option: str) -> None:
    orders = fuzz.order_rows(fuzz.random.Random("x"))
    kinds = sorted(set(fuzz.SECOND_KINDS))
    for kind in kinds:
        first = fuzz.make_second_file(option, kind, 7, orders)
        assert first == fuzz.make_second_file(option, kind, 7, orders)
    valid = fuzz.make_second_file(option, "valid", 7, orders)[1].decode()
    header = valid.splitlines()[0].split(",")
    assert header[0] == "customer" and ("invoice_id" in header) == (option == "payments")
    case = fuzz.make_case("bad_dates", 3)
    command = "credit" if option == "payments" else "tiers"
    drawn = [fuzz.with_second_files(case, command, fuzz.random.Random(seed)) for seed in range(40)]
    assert any(option in c.second_files for c in drawn) and any(not c.second_files for c in drawn)
    with_file = next(c for c in drawn if option in c.second_files)
    argv = fuzz.argv_for(with_file, command, "json", tmp_path)
    name = with_file.second_files[option][0]
    assert argv[argv.index(f"--{option}") + 1] == str(tmp_path / name)
    assert fuzz.with_second_files(case, "abc", fuzz.random.Random(0)) is case


def test_the_fork_runner_runs_the_real_entry_point_on_pipes(tmp_path: Path) -> None:
    runner = fuzz.ForkRunner()
    try:
        data = (SAMPLE / "orders.csv").read_bytes()
        raw = runner.execute(["abc", "-", "--format", "json"], data, tmp_path, 120.0, 4 << 30)
        assert raw.code == 0 and not raw.timed_out, raw.stderr[-500:]
        assert json.loads(raw.stdout)["command"] == "abc"
        table = runner.execute(["abc", str(SAMPLE / "orders.csv")], b"", tmp_path, 120.0, 4 << 30)
        assert table.code == 0 and b"\x1b[" not in table.stdout  # a pipe: plain text, no colour
        usage = runner.execute(["abc", "--no-such-option"], b"", tmp_path, 120.0, 4 << 30)
        assert usage.code == 2 and b"--no-such-option" in usage.stderr
        missing = runner.execute(["abc", str(tmp_path / "missing.csv")], b"", tmp_path, 120.0, 4 << 30)
        assert missing.code == 2 and b"missing.csv: no such file" in missing.stderr
        (tmp_path / "empty.csv").write_text("customer,date,amount\n", encoding="utf-8")
        empty = runner.execute(["abc", str(tmp_path / "empty.csv")], b"", tmp_path, 120.0, 4 << 30)
        assert empty.code == 1 and b"no rows to analyse" in empty.stderr
        assert runner.threads >= 1
    finally:
        runner.close()


def test_the_fork_runner_kills_a_run_at_the_time_limit(tmp_path: Path) -> None:
    runner = fuzz.ForkRunner()
    try:
        # A limit of 0.05 s: the kernel's CPU limit rounds up to one second, so the run is either
        # stopped (SIGXCPU, or -9 at the wall limit) or ends having used more CPU than allowed:
        # timed out either way, whatever the machine's speed (clv on the sample once took 1.2 CPU
        # seconds and was stopped, and after the clv work 0.87 and finished).
        raw = runner.execute(["clv", str(SAMPLE / "orders.csv")], b"", tmp_path, 0.05, 4 << 30)
        assert raw.timed_out, raw
        assert raw.code in (-9, -int(signal.SIGXCPU)) or (raw.code == 0 and raw.cpu > 0.05), raw
        assert fuzz.over_time(-int(signal.SIGXCPU), 0.01, 1.0, False)  # stopped: over, whatever it used
        assert not fuzz.over_time(0, 0.5, 1.0, False)
        again = runner.execute(["inspect", str(SAMPLE / "orders.csv")], b"", tmp_path, 120.0, 4 << 30)
        assert again.code == 0 and not again.timed_out  # the server goes on after a kill
    finally:
        runner.close()
    case = fuzz.make_case("header_only", 1)
    runner = fuzz.ForkRunner()
    try:
        result = fuzz.run_case(case, "clv", "table", seconds=0.05, runner=runner)
    finally:
        runner.close()  # the server process and its scratch folder go
    assert "timeout" in result.found


# Campaign seed 3, case payloads-3000918 (tiers on a small workbook): 10 CPU seconds (the CLV
# fit's Nelder-Mead took 22,604 likelihood evaluations) but 91 s of wall time at a load of 15 on
# 2 cores, over the 60 s limit. The limit is now of CPU seconds; a run that waits instead of
# working is stopped at WALL_FACTOR times it.
def test_the_time_limit_is_of_cpu_seconds_with_a_wall_backstop() -> None:
    assert not fuzz.over_time(0, 10.0, 60.0, killed=False)  # slow only because the machine is busy
    assert fuzz.over_time(0, 60.5, 60.0, killed=False)
    assert fuzz.over_time(-int(signal.SIGXCPU), 1.0, 60.0, killed=False)
    assert fuzz.over_time(-9, 0.1, 60.0, killed=True)  # a hang: killed at the wall limit
    assert fuzz.wall_limit(60.0) == 60.0 * fuzz.WALL_FACTOR + 10.0
    case = fuzz.make_case("header_only", 1)
    cpu_bound = fuzz.Outcome(case, "tiers", "table", [], -int(signal.SIGXCPU), "", "", 70.0)
    assert fuzz.classify(cpu_bound, timed_out=True) == {"timeout"}  # a timeout, not an odd exit


def test_both_runners_classify_twenty_cases_alike(tmp_path: Path) -> None:
    """Twenty cases over every command, each run by a fresh process and by the fork server."""
    report = tmp_path / "counts.json"
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "fuzz.py"), "--compare", "--runs", "20", "--seed", "11",
         "--failures", str(tmp_path / "failures"), "--json", str(report)],
        capture_output=True, text=True, timeout=1200, check=False, cwd=tmp_path,
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    counts = json.loads(report.read_text(encoding="utf-8"))
    assert sum(counts["runs"].values()) == 20
    assert counts["disagreements"] == [], counts["disagreements"]
    assert counts["runner"] == ["fork", "subprocess"]
