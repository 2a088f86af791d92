"""The command-line contract: exit codes, stdout for data and stderr for messages,
JSON and file outputs, configuration, pipes and colour."""

from __future__ import annotations

import io
import json
import os
import re
import select
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Run = Any  # conftest.Run: code, stdout, stderr
Kamtool = Callable[..., Run]
Process = Callable[..., subprocess.CompletedProcess[bytes]]
Messy = Callable[[str], str]
ANSI = "\x1b["


def document(run: Run) -> dict[str, Any]:
    """The one JSON object a --format json run prints."""
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 1, "--format json prints one line holding one object"
    parsed: dict[str, Any] = json.loads(lines[0])
    return parsed


def assert_clean_failure(run: Run, code: int) -> None:
    assert run.code == code, (run.stdout, run.stderr)
    assert run.stdout == ""
    assert run.stderr.strip()
    assert "Traceback" not in run.stderr
    assert "kamtool bug" not in run.stderr


# -- success and the JSON document -----------------------------------------------------------
def test_json_document(kamtool: Kamtool, messy: Messy) -> None:
    run = kamtool("inspect", messy("gbk.csv"), "--format", "json")
    doc = document(run)
    assert run.stderr == ""
    assert {"command", "params", "summary", "rows"} <= set(doc)
    assert doc["command"] == "inspect"
    summary = doc["summary"]
    # numbers are numbers, dates ISO strings
    assert summary["revenue"] == 155.75 and isinstance(summary["revenue"], float)
    assert summary["customers"] == 2 and isinstance(summary["customers"], int)
    assert summary["rows_read"] == 3 and summary["lines"] == 3
    assert (summary["first_date"], summary["last_date"]) == ("2024-01-05", "2024-02-01")
    assert summary["orders_basis"] == "customer-day"
    assert summary["orders"] == 3  # 华北商贸 on 01-05 and 01-09, 东方贸易 on 02-01
    assert doc["rows"] == [
        {"source": messy("gbk.csv"), "column": "customer", "header": "客户名称", "missing": 0},
        {"source": messy("gbk.csv"), "column": "date", "header": "订单日期", "missing": 0},
        {"source": messy("gbk.csv"), "column": "amount", "header": "金额", "missing": 0},
    ]


def test_orders_basis_with_an_order_id(kamtool: Kamtool, messy: Messy) -> None:
    summary = document(kamtool("inspect", messy("title_rows.csv"), "-f", "json"))["summary"]
    assert (summary["orders_basis"], summary["orders"]) == ("order_id", 2)


def test_warnings_go_to_stderr_and_json_stays_clean(kamtool: Kamtool, messy: Messy) -> None:
    run = kamtool("inspect", messy("totals.csv"), "--format", "json")
    summary = document(run)["summary"]
    assert summary["dropped"] == {"totals / subtotal lines": 10}
    assert summary["revenue"] == 30.0
    assert run.stderr == f"Warning: {messy('totals.csv')}: dropped 10 totals / subtotal lines\n"


def test_csv_on_stdout(kamtool: Kamtool, messy: Messy) -> None:
    run = kamtool("inspect", messy("bom.csv"), "--format", "csv")
    assert run.code == 0
    assert run.stdout.splitlines() == [
        "source,column,header,missing",
        f"{messy('bom.csv')},customer,Customer,0",
        f"{messy('bom.csv')},date,Date,0",
        f"{messy('bom.csv')},amount,Amount,0",
    ]


def test_plain_table_without_ansi_when_stdout_is_not_a_terminal(kamtool: Kamtool, messy: Messy) -> None:
    run = kamtool("inspect", messy("gbk.csv"))
    assert run.code == 0
    assert ANSI not in run.stdout
    assert "net revenue 155.75" in run.stdout
    assert "Column mapping" in run.stdout


@pytest.mark.parametrize(("name", "options", "key", "value"), [
    ("decimal_comma.csv", ["--decimal", ","], "revenue", 1223.0),
    ("dayfirst.csv", ["--dayfirst"], "first_date", "2024-01-31"),
    ("gbk.csv", ["--encoding", "gb18030"], "revenue", 155.75),
    ("sep_semicolon.csv", ["--delimiter", ";"], "revenue", 3.75),
    ("sep_tab.tsv", ["--sep", "tab"], "revenue", 3.75),
    ("title_rows.csv", ["--header-row", "4"], "revenue", 300.0),
    ("unknown_headers.csv", ["--col", "date=Datum", "--col", "amount=Umsatz"], "revenue", 12.0),
    ("bad_rows.csv", ["--skip-bad-rows"], "dropped",
     {"amount: not a number": 1, "customer: missing": 1, "date: not a date": 2,
      "rows of the wrong width": 1}),
])
def test_input_options(kamtool: Kamtool, messy: Messy, name: str, options: list[str], key: str,
                       value: Any) -> None:
    assert document(kamtool("inspect", messy(name), *options, "-f", "json"))["summary"][key] == value


def test_skipped_rows_are_reported_per_reason(kamtool: Kamtool, messy: Messy) -> None:
    run = kamtool("inspect", messy("bad_rows.csv"), "--skip-bad-rows", "-f", "json")
    name = messy("bad_rows.csv")
    assert run.stderr.splitlines() == [
        f"Warning: {name}: skipped 1 amount: not a number",
        f"Warning: {name}: skipped 1 customer: missing",
        f"Warning: {name}: skipped 2 date: not a date",
        f"Warning: {name}: skipped 1 rows of the wrong width",
    ]


def test_excel_sheet_option(kamtool: Kamtool, orders_xlsx: Path) -> None:
    for sheet in ("2", "订单"):
        doc = document(kamtool("inspect", str(orders_xlsx), "--sheet", sheet, "-f", "json"))
        assert doc["summary"]["revenue"] == 30.40
        assert doc["tables"]["sources"][0]["sheet"] == "订单"
    assert_clean_failure(kamtool("inspect", str(orders_xlsx), "--sheet", "Nope"), 2)


def test_several_files_and_stdin(kamtool: Kamtool, messy: Messy, parquet_bytes: bytes) -> None:
    doc = document(kamtool("inspect", messy("gbk.csv"), "-", messy("bom.csv"), "-f", "json",
                           stdin=parquet_bytes))
    # 155.75 + 3.75 + 15.50
    assert doc["summary"]["revenue"] == 175.0
    assert doc["summary"]["files"] == 3
    assert [s["format"] for s in doc["tables"]["sources"]] == ["csv", "parquet", "csv"]
    stdin_csv = Path(messy("bom.csv")).read_bytes()
    assert document(kamtool("inspect", "-", "-f", "json", stdin=stdin_csv))["summary"]["revenue"] == 15.5


# -- failures ----------------------------------------------------------------------------
def test_bad_value_exit_1_with_file_line_column_and_value(kamtool: Kamtool, messy: Messy) -> None:
    run = kamtool("inspect", messy("bad_line.csv"), "-f", "json")
    assert_clean_failure(run, 1)
    assert run.stderr.startswith(
        f"Error: {messy('bad_line.csv')} line 9: '12x' is not a number in column Amount"
    )


def test_missing_column_exit_1_lists_headers_and_col_hint(kamtool: Kamtool, messy: Messy) -> None:
    run = kamtool("inspect", messy("unknown_headers.csv"))
    assert_clean_failure(run, 1)
    assert "The file's columns are: 'Kunde', 'Datum', 'Umsatz'" in run.stderr
    assert "--col date=Datum" in run.stderr


def test_traceback_option_shows_the_stack(kamtool: Kamtool, messy: Messy) -> None:
    run = kamtool("inspect", messy("bad_line.csv"), "--traceback")
    assert run.code == 1
    assert "Traceback" in run.stderr
    assert "DataError" in run.stderr


@pytest.mark.parametrize("args", [
    ["inspect", "FILE", "--bogus"],
    ["inspect", "FILE", "--format", "xml"],
    ["inspect"],
    ["nosuchcommand", "FILE"],
    ["inspect", "FILE", "--decimal", "x"],
    ["inspect", "FILE", "--col", "customer"],
    ["inspect", "FILE", "--col", "client=Kunde"],
    ["inspect", "FILE", "--header-row", "0"],
    ["inspect", "FILE", "--lang", "fr"],
    ["inspect", "no_such_file.csv"],
    ["inspect", "FILE", "-o", "out.txt"],
    ["inspect", "FILE", "--config", "missing.toml"],
])
def test_usage_errors_exit_2(kamtool: Kamtool, messy: Messy, args: list[str]) -> None:
    run = kamtool(*[messy("gbk.csv") if a == "FILE" else a for a in args])
    assert_clean_failure(run, 2)


def test_no_arguments_shows_help_and_exits_2(kamtool: Kamtool) -> None:
    run = kamtool()
    assert run.code == 2
    assert "Usage" in run.stdout + run.stderr


# -- -o files ------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".csv", ".json", ".parquet"])
def test_output_file(kamtool: Kamtool, messy: Messy, isolated: Path, suffix: str) -> None:
    import pandas as pd

    out = isolated / f"mapping{suffix}"
    run = kamtool("inspect", messy("gbk.csv"), "-o", str(out), "-f", "json")
    assert run.code == 0
    assert document(run)["command"] == "inspect"  # stdout still carries the data
    assert f"wrote {out}" in run.stderr
    if suffix == ".json":
        rows = json.loads(out.read_text(encoding="utf-8"))["rows"]
        frame = pd.DataFrame(rows)
    elif suffix == ".csv":
        frame = pd.read_csv(out, encoding="utf-8-sig")
    else:
        frame = pd.read_parquet(out)
    assert list(frame["header"]) == ["客户名称", "订单日期", "金额"]
    assert list(frame["missing"]) == [0, 0, 0]
    assert [p.name for p in isolated.iterdir()] == [out.name]  # no temporary file left


def test_output_refuses_to_overwrite_an_input(kamtool: Kamtool, isolated: Path, messy: Messy) -> None:
    data = Path(messy("bom.csv")).read_bytes()
    target = isolated / "orders.csv"
    target.write_bytes(data)
    for spelled in ("orders.csv", "./orders.csv", str(target)):
        run = kamtool("inspect", "orders.csv", "-o", spelled)
        assert_clean_failure(run, 2)
        assert "refusing to write over an input file" in run.stderr
    assert target.read_bytes() == data


def test_output_is_written_atomically(kamtool: Kamtool, isolated: Path, messy: Messy,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from kamtool.render import records

    out = isolated / "report.json"
    out.write_text("previous report")

    def broken(result: Any, stream: io.TextIOBase) -> None:
        stream.write('{"half": ')
        raise OSError("disk full")

    monkeypatch.setattr(records, "write_json", broken)
    run = kamtool("inspect", messy("gbk.csv"), "-o", str(out))
    assert run.code == 1
    assert "disk full" in run.stderr
    assert out.read_text() == "previous report"  # never half-written
    assert [p.name for p in isolated.iterdir()] == ["report.json"]


# -- configuration --------------------------------------------------------------------------
def test_kamtool_toml_in_the_working_directory(kamtool: Kamtool, isolated: Path, messy: Messy) -> None:
    (isolated / "kamtool.toml").write_text('[columns]\ndate = "Datum"\namount = "Umsatz"\n')
    doc = document(kamtool("inspect", messy("unknown_headers.csv"), "-f", "json"))
    assert doc["summary"]["revenue"] == 12.0
    assert {r["column"]: r["header"] for r in doc["rows"]} == {
        "customer": "Kunde", "date": "Datum", "amount": "Umsatz",
    }


def test_config_option(kamtool: Kamtool, isolated: Path, messy: Messy) -> None:
    config = isolated / "nightly.toml"
    config.write_text('lang = "zh"\n[columns]\ndate = "Datum"\namount = "Umsatz"\n')
    for args in (["--config", str(config), "inspect"], ["inspect", f"--config={config}"]):
        run = kamtool(*args, messy("unknown_headers.csv"))
        assert run.code == 0, run.stderr
        assert "净销售额 12.00" in run.stdout  # lang = "zh" from the file


def test_broken_config_exit_2(kamtool: Kamtool, isolated: Path, messy: Messy) -> None:
    (isolated / "kamtool.toml").write_text("[columns\n")
    run = kamtool("inspect", messy("gbk.csv"))
    assert_clean_failure(run, 2)
    assert "not valid TOML" in run.stderr


def test_col_on_the_command_line_adds_to_the_config_mapping(kamtool: Kamtool, isolated: Path,
                                                            messy: Messy) -> None:
    (isolated / "kamtool.toml").write_text('[columns]\ndate = "Datum"\namount = "Umsatz"\n')
    run = kamtool("inspect", messy("unknown_headers.csv"), "--col", "customer=Kunde", "-f", "json")
    assert document(run)["summary"]["revenue"] == 12.0


def test_config_error_names_the_config_file(kamtool: Kamtool, isolated: Path, messy: Messy) -> None:
    config = isolated / "nightly.toml"
    config.write_text("[nosuchcommand]\nx = 1\n")
    run = kamtool("--config", str(config), "inspect", messy("gbk.csv"))
    assert_clean_failure(run, 2)
    assert "nightly.toml" in run.stderr


# -- help -----------------------------------------------------------------------------------
def test_help_shows_an_example(kamtool: Kamtool) -> None:
    run = kamtool("--help")
    assert run.code == 0
    assert "Example: kamtool inspect orders.csv" in run.stdout
    run = kamtool("inspect", "--help")
    assert run.code == 0
    assert re.search(r"Examples?:", run.stdout)
    assert "kamtool inspect orders.csv" in run.stdout
    assert ANSI not in run.stdout


def test_version(kamtool: Kamtool) -> None:
    run = kamtool("--version")
    assert run.code == 0
    assert re.fullmatch(r"kamtool \d+\.\d+\.\d+\S*\n", run.stdout)


# -- the real console script ----------------------------------------------------------------
def test_subprocess_separates_data_and_messages(tmp_path: Path, messy: Messy,
                                                kamtool_process: Process) -> None:
    # stdin through a real pipe; the dropped totals lines are reported on stderr
    good = kamtool_process(["inspect", "-", "--format", "json"], cwd=tmp_path,
                           stdin=Path(messy("totals.csv")).read_bytes())
    assert good.returncode == 0
    assert json.loads(good.stdout)["summary"]["revenue"] == 30.0
    assert good.stderr.decode() == "Warning: -: dropped 10 totals / subtotal lines\n"
    bad = kamtool_process(["inspect", messy("bad_line.csv")], cwd=tmp_path)
    assert bad.returncode == 1
    assert bad.stdout == b""
    assert bad.stderr.decode().startswith(f"Error: {messy('bad_line.csv')} line 9: ")
    assert b"Traceback" not in bad.stderr
    assert ANSI.encode() not in bad.stderr


@pytest.mark.parametrize("reader", ["head -1", "true"])
def test_closed_pipe_gives_no_traceback(tmp_path: Path, messy: Messy, kamtool_argv: list[str],
                                        clean_env: dict[str, str], reader: str) -> None:
    # `true` exits before kamtool writes a byte: the write hits a closed pipe.
    command = " ".join(shlex.quote(c) for c in [*kamtool_argv, "inspect", messy("gbk.csv")])
    script = f"{command} | {reader}; echo \"status=${{PIPESTATUS[0]}}\" >&2"
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, env=clean_env,
                          timeout=120, check=False)
    stderr = done.stderr.decode()
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr
    status = int(stderr.rsplit("status=", 1)[1])
    assert status in (0, 141)  # 141: ended by SIGPIPE, as any Unix tool
    assert stderr == f"status={status}\n"
    if reader == "head -1":
        assert done.stdout.decode().splitlines() == [
            f"{messy('gbk.csv')}: CSV, gb18030, separator ',', header on row 1; 3 rows read, 0 dropped"
        ]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_no_color_on_a_terminal(tmp_path: Path, messy: Messy, kamtool_argv: list[str],
                                clean_env: dict[str, str]) -> None:
    import pty

    def on_terminal(env: dict[str, str]) -> str:
        controller, terminal = pty.openpty()
        clean = {**clean_env, **env, "TERM": "xterm-256color", "COLUMNS": "120"}
        process = subprocess.Popen([*kamtool_argv, "inspect", messy("bad_line.csv")], cwd=tmp_path,
                                   stdin=terminal, stdout=terminal, stderr=terminal, env=clean)
        os.close(terminal)
        chunks = []
        while True:
            ready, _, _ = select.select([controller], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closed when the process ended
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=60)
        os.close(controller)
        return b"".join(chunks).decode(errors="replace")

    # Bold is allowed under NO_COLOR; colours (30-37, 90-97, 38;…) are not.
    colour = re.compile(r"\x1b\[([0-9;]*;)?(3[0-7]|9[0-7]|38)(;[0-9;]*)?m")
    assert colour.search("\x1b[1;31mError:\x1b[0m")  # how Rich writes "Error:" on a terminal
    plain = on_terminal({"NO_COLOR": "1"})
    assert "Error:" in plain and "line 9" in plain
    assert not colour.search(plain)


def test_output_to_a_file_is_whole_after_the_fast_exit(tmp_path: Path, kamtool_argv: list[str]) -> None:
    # The console script leaves with os._exit after flushing: a large JSON document sent
    # to a file (block-buffered, unlike a terminal) must still arrive whole.
    sample = Path(__file__).resolve().parent.parent / "sample_data" / "orders.csv"
    target = tmp_path / "abc.json"
    with open(target, "wb") as out:
        done = subprocess.run([*kamtool_argv, "abc", str(sample), "--format", "json"], stdout=out,
                              stderr=subprocess.PIPE, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    document = json.loads(target.read_text(encoding="utf-8"))
    assert len(document["rows"]) == 300
