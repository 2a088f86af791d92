"""Issue 15 at the io boundary: hostile workbooks refused before calamine (and before the
background pre-parse), CSV lines longer than a block said in the user's terms, dates outside
--date-range and odd Parquet types as bad values naming file, row and column, a load whose
every line was dropped, a file given twice, quoted globs, and Ctrl-C as one line and 130."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kamtool.errors import DataError, UsageError
from kamtool.io import read
from kamtool.io.guard import Limits, parse_size
from kamtool.io.read import ReadOptions, open_bytes, open_source
from kamtool.io.request import build_request, expand_globs, repeated_files
from kamtool.io.rules import CleanOptions, parse_date_range
from kamtool.needs import Needs
from tests.conftest import kamtool_command, load_make_orders
from tests.test_fuzz_campaign import fuzz

NEEDS = Needs(keys=("customer",), figures=("orders",))


def workbook(which: str) -> bytes:
    return bytes(fuzz.hostile_workbook(random.Random(0), which))


# -- 1. the workbook guard, wired ----------------------------------------------------------------
@pytest.mark.parametrize(("which", "option"), [("xfd_corner", "--max-cells"), ("xfd_row_3000", "--max-cells"),
                                               ("rows_beyond_excel", "--max-rows"),
                                               ("long_cell", "--max-cell-chars")])
def test_hostile_workbooks_are_refused_before_calamine_from_a_path_and_from_stdin(
        tmp_path: Path, which: str, option: str) -> None:
    path = tmp_path / "orders.xlsx"
    path.write_bytes(workbook(which))
    with pytest.raises(DataError) as caught:
        open_source(str(path), ReadOptions())
    assert str(caught.value).startswith(f"{path}: ") and option in str(caught.value)
    with pytest.raises(DataError) as from_stdin:
        open_bytes("-", path.read_bytes(), ReadOptions())
    assert str(from_stdin.value).startswith("-: ") and option in str(from_stdin.value)


def test_a_raised_limit_reads_the_workbook(tmp_path: Path) -> None:
    path = tmp_path / "orders.xlsx"
    path.write_bytes(workbook("long_cell"))  # 3 data rows, one customer of 40,000 characters
    source = open_source(str(path), ReadOptions(limits=Limits(max_cell_chars=50_000)))
    (table, offset), = list(source.batches(["customer"]))
    assert offset == 0 and table["customer"].to_pylist() == ["a", "b", "c" * 40_000]


def test_the_prefetch_checks_first_and_its_refusal_is_the_runs(tmp_path: Path) -> None:
    path = tmp_path / "corner.xlsx"
    path.write_bytes(workbook("xfd_corner"))  # calamine would allocate 512 GiB and abort
    real = os.path.realpath(path)
    read._prefetch(real, "corner.xlsx")
    future = read._PREFETCHED[real]
    with pytest.raises(DataError) as early:
        future.result(timeout=60)
    assert str(early.value).startswith("corner.xlsx: sheet '订单' spans A1:XFD1048576")
    with pytest.raises(DataError) as caught:  # the real open reports it, without a second check
        open_source(str(path), ReadOptions())
    assert "--max-cells" in str(caught.value)
    assert real not in read._PREFETCHED


def test_the_512_gib_workbook_is_one_line_and_exit_1_from_the_console_script(tmp_path: Path) -> None:
    (tmp_path / "corner.xlsx").write_bytes(workbook("xfd_corner"))
    done = subprocess.run([*kamtool_command(), "abc", "corner.xlsx"], cwd=tmp_path, capture_output=True,
                          timeout=120, check=False)
    err = done.stderr.decode()
    assert done.returncode == 1, err
    assert err.count("\n") == 1 and err.startswith("Error: corner.xlsx: sheet '订单' spans A1:XFD1048576")
    assert "raise the limit with --max-cells" in err


def test_a_csv_line_longer_than_a_block_names_the_line(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "CSV_BLOCK_BYTES", 4096)  # 8 MiB in the real reader
    path = tmp_path / "orders.csv"
    path.write_text("customer,date,amount\na,2024-01-01,5\n" + "b" * 20_000 + ",2024-01-02,3\n"
                    + "c,2024-01-03,4\n" * 50)
    source = open_source(str(path), ReadOptions())
    with pytest.raises(DataError) as caught:
        list(source.batches(["customer", "amount"]))
    assert str(caught.value) == (f"{path} line 3: the line is longer than 4,096 bytes, the most one CSV row "
                                 f"may hold; is it a CSV export?")


def test_limits_come_from_the_shared_options_and_kamtool_toml(isolated: Path,
                                                             kamtool: Callable[..., Any]) -> None:
    (isolated / "orders.xlsx").write_bytes(workbook("long_cell"))
    refused = kamtool("abc", "orders.xlsx")
    assert refused.code == 1 and "--max-cell-chars" in refused.stderr
    assert kamtool("abc", "orders.xlsx", "--max-cell-chars", "40000", "--format", "json").code == 0
    (isolated / "kamtool.toml").write_text("max_cell_chars = 40000\n")
    assert kamtool("abc", "orders.xlsx", "--format", "json").code == 0
    (isolated / "kamtool.toml").write_text("max_cell_chars = 39999\n")
    assert kamtool("abc", "orders.xlsx").code == 1
    bad = kamtool("abc", "orders.xlsx", "--max-input-size", "lots")
    assert bad.code == 2 and "--max-input-size takes a size" in bad.stderr
    shown = kamtool("abc", "--help")
    for option in ("--max-rows", "--max-cells", "--max-input-size", "--max-cell-chars", "--date-range",
                   "--dedupe-files"):
        assert option in shown.stdout


def test_sizes() -> None:
    assert parse_size("2GiB") == 2 << 30 == Limits().max_uncompressed
    assert parse_size("500MB") == 500_000_000
    assert parse_size(1234) == 1234
    assert parse_size("1.5k") == 1500
    for bad in ("", "0", "-1", "5 parsecs"):
        with pytest.raises(UsageError):
            parse_size(bad)


# -- 5. dates outside the range, odd Parquet types, nothing left ------------------------------------
def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("native", ["auto", "off"])
def test_dates_outside_the_range_are_bad_values_on_both_engines(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, native: str) -> None:
    from kamtool.engine.load import load

    monkeypatch.setenv("KAMTOOL_NATIVE", native)
    path = write(tmp_path, "o.csv", "customer,date,amount\na,2024-01-01,5\nb,9999-01-02,3\nc,1850-05-01,4\n")
    with pytest.raises(DataError) as caught:
        load(build_request(NEEDS, [path]))
    assert str(caught.value) == (f"{path} line 3: '9999-01-02' is outside 1900-01-01..2100-12-31 in column "
                                 f"date (--date-range FIRST,LAST widens it; --skip-bad-rows skips such rows "
                                 f"and counts them)")
    skipped = load(build_request(NEEDS, [path], clean=CleanOptions(skip_bad_rows=True)))
    assert skipped.stats().dropped == {"date: outside the date range": 2}
    assert skipped.customers["customer"].tolist() == ["a"]
    wide = CleanOptions(date_range=parse_date_range("1800-01-01,2200-12-31"))
    with pytest.raises(DataError, match="'9999-01-02' is outside 1800-01-01..2200-12-31"):
        load(build_request(NEEDS, [path], clean=wide))
    old = write(tmp_path, "old.csv", "customer,date,amount\na,2024-01-01,5\nc,1850-05-01,4\n")
    ledger = load(build_request(NEEDS, [old], clean=wide))
    assert sorted(ledger.customers["customer"]) == ["a", "c"]
    assert ledger.engine == ("native" if native == "auto" else "arrow")  # native checks the range itself


def test_the_date_range_option_is_checked() -> None:
    assert parse_date_range("1800-01-01, 2200-12-31") == (dt.date(1800, 1, 1), dt.date(2200, 12, 31))
    for bad in ("1800-01-01", "2200-01-01,1800-01-01", "x,y", "1000-01-01,2000-01-01"):
        with pytest.raises(UsageError):
            parse_date_range(bad)


def parquet(tmp_path: Path, which: str) -> str:
    import pyarrow as pa
    import pyarrow.parquet as pq

    customer: Any = pa.array(["a", "b"])
    amount: Any = pa.array([1.0, 2.0])
    if which == "binary_customer":
        customer = pa.array([b"a", b"b\xff"], type=pa.binary())
    elif which == "null_amount":
        amount = pa.nulls(2)
    elif which == "uint64_amount":
        amount = pa.array([5, 2**63 + 1], type=pa.uint64())
    elif which == "bad_utf8":  # two strings, "a" then the bytes ff fe, with no UTF-8 check
        customer = pa.Array.from_buffers(pa.string(), 2, [None, pa.py_buffer(
            b"\x00\x00\x00\x00\x01\x00\x00\x00\x03\x00\x00\x00"), pa.py_buffer(b"a\xff\xfe")])
    path = tmp_path / f"{which}.parquet"
    pq.write_table(pa.table({"customer": customer, "date": pa.array([dt.date(2024, 1, 1)] * 2),
                             "amount": amount}), path)
    return str(path)


@pytest.mark.parametrize(("which", "message"), [
    ("binary_customer", "{p} row 2: column customer holds bytes that are not UTF-8 text (b'b\\xff')"),
    ("bad_utf8", "{p} row 2: column customer holds text that is not valid UTF-8 (b'\\xff\\xfe')"),
    ("null_amount", "{p} row 1: no amount (column amount is empty) (--skip-bad-rows skips such rows and "
                    "counts them)"),
    ("uint64_amount", "{p} row 2: '9.223372036854776e+18' is too large for an amount in column amount "
                      "(--skip-bad-rows skips such rows and counts them)"),
])
@pytest.mark.parametrize("native", ["auto", "off"])
def test_odd_parquet_types_are_one_data_error_naming_file_row_and_column(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, which: str, message: str, native: str) -> None:
    from kamtool.engine.load import load

    monkeypatch.setenv("KAMTOOL_NATIVE", native)
    path = parquet(tmp_path, which)
    with pytest.raises(DataError) as caught:
        load(build_request(NEEDS, [path]))
    assert str(caught.value) == message.format(p=path)


def test_a_uint64_amount_that_fits_is_read(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from kamtool.engine.load import load

    path = tmp_path / "u.parquet"
    pq.write_table(pa.table({"customer": ["a", "a"], "date": [dt.date(2024, 1, 1)] * 2,
                             "amount": pa.array([5, 7], type=pa.uint64())}), path)
    assert load(build_request(NEEDS, [str(path)])).customers["revenue"].tolist() == [12.0]


def test_a_load_whose_every_line_was_dropped_says_why(tmp_path: Path, kamtool: Callable[..., Any]) -> None:
    from kamtool.engine.load import load

    path = write(tmp_path, "o.csv", "customer,date,amount\nTotal,2024-01-01,5\na,not a date,3\n")
    with pytest.raises(DataError) as caught:
        load(build_request(NEEDS, [path], clean=CleanOptions(skip_bad_rows=True)))
    assert str(caught.value) == (f"{path}: no order lines left after dropping 1 totals / subtotal lines, "
                                 f"1 date: not a date")
    churn = kamtool("churn", path, "--skip-bad-rows")
    assert churn.code == 1 and "no order lines left after dropping" in churn.stderr
    assert "kamtool bug" not in churn.stderr
    assert kamtool("inspect", path, "--skip-bad-rows").code == 0  # inspect shows the drops itself


# -- 8. a file given twice, quoted globs ------------------------------------------------------------
def test_the_same_file_through_another_path_is_noted_and_deduped(tmp_path: Path) -> None:
    a = write(tmp_path, "a.csv", "customer,date,amount\na,2024-01-01,5\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.csv").symlink_to("a.csv")
    copy = write(tmp_path / "sub", "copy.csv", "customer,date,amount\na,2024-01-01,5\n")
    other = write(tmp_path, "b.csv", "customer,date,amount\nb,2024-01-01,5\n")  # same size, other bytes
    names = [a, str(tmp_path / "sub" / ".." / "a.csv"), str(tmp_path / "link.csv"), copy, other]
    kept, notes = repeated_files(names, dedupe=False)
    assert kept == names  # read as asked, each repeat said
    assert notes == [f"{names[1]}: the same file as {a}; its lines are counted twice (--dedupe-files reads "
                     f"it once)", f"{names[2]}: the same file as {a}; its lines are counted twice "
                     f"(--dedupe-files reads it once)"]
    kept, notes = repeated_files(names, dedupe=True)
    assert kept == [a, other]
    assert notes[2] == f"{copy}: a copy of {a}; read once (--dedupe-files)"


def test_a_file_given_twice_warns_and_dedupe_reads_it_once(isolated: Path,
                                                           kamtool: Callable[..., Any]) -> None:
    (isolated / "a.csv").write_text("customer,date,amount\na,2024-01-01,5\nb,2024-01-02,7\n")
    twice = kamtool("abc", "a.csv", "a.csv", "--format", "json")
    assert twice.code == 0 and "a.csv: the same file as a.csv; its lines are counted twice" in twice.stderr
    revenue = {r["customer"]: r["revenue"] for r in json.loads(twice.stdout)["rows"]}
    assert revenue == {"a": 10.0, "b": 14.0}  # each line counted twice
    once = kamtool("abc", "a.csv", "./a.csv", "--dedupe-files", "--format", "json")
    assert once.code == 0 and "./a.csv: the same file as a.csv; read once (--dedupe-files)" in once.stderr
    assert {r["customer"]: r["revenue"] for r in json.loads(once.stdout)["rows"]} == {"a": 5.0, "b": 7.0}


def test_a_quoted_glob_is_expanded_locally(isolated: Path) -> None:
    for month in ("02", "01"):
        (isolated / f"orders-{month}.csv").write_text(f"customer,date,amount\nc{month},2024-{month}-01,5\n")
    (isolated / "[draft].csv").write_text("customer,date,amount\nd,2024-01-01,1\n")
    assert expand_globs(["orders-*.csv", "-", "[draft].csv"]) == ["orders-01.csv", "orders-02.csv", "-",
                                                                   "[draft].csv"]
    with pytest.raises(UsageError, match=r"^nothing-\*\.csv: no file matches$"):
        expand_globs(["nothing-*.csv"])
    from kamtool.engine.load import load

    ledger = load(build_request(NEEDS, ["orders-*.csv"]))
    assert sorted(ledger.customers["customer"]) == ["c01", "c02"]


# -- 6. Ctrl-C: 130, one line, no partial file -------------------------------------------------------
def _loaded(pid: int) -> bool:
    # Past the interpreter's start (a Ctrl-C there is Python's own): DuckDB or Arrow is mapped.
    try:
        maps = Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return True
    return "duckdb" in maps or "libarrow" in maps


@pytest.mark.skipif(not Path("/proc/self/maps").exists() or sys.platform == "win32", reason="Linux /proc")
def test_ctrl_c_anywhere_is_exit_130_and_one_line(tmp_path: Path) -> None:
    data = tmp_path / "orders.csv"
    assert load_make_orders().main(["--lines", "20000", "-o", str(data)]) == 0
    out = tmp_path / "report.xlsx"
    interrupted = 0
    for delay in (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2):
        out.unlink(missing_ok=True)
        child = subprocess.Popen([*kamtool_command(), "abc", str(data), "-o", str(out)], cwd=tmp_path,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while child.poll() is None and not _loaded(child.pid) and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(delay)
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
        try:
            _, err_bytes = child.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            # stuck: its threads' stacks (kamtool dumps them on SIGUSR1) say on what, for the report
            child.send_signal(signal.SIGUSR1)
            time.sleep(2)
            child.kill()
            _, err_bytes = child.communicate()
            stacks = err_bytes.decode()
            raise AssertionError(f"kamtool hung after SIGINT at delay {delay}:\n{stacks}") from None
        err = err_bytes.decode()
        assert "Traceback" not in err and "Exception ignored" not in err, (delay, err)
        assert child.returncode in (0, 130), (delay, child.returncode, err)
        assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")], delay
        if child.returncode == 130:
            interrupted += 1
            assert err.splitlines()[-1] == "Error: interrupted", err
            assert err.count("interrupted") == 1
        else:
            assert out.exists() and zipfile.is_zipfile(out)
        if out.exists():  # never a partial workbook: renamed into place whole
            assert zipfile.is_zipfile(io.BytesIO(out.read_bytes()))


def test_o_naming_a_file_a_quoted_glob_matches_is_refused(isolated: Path,
                                                          kamtool: Callable[..., Any]) -> None:
    (isolated / "orders-01.csv").write_text("customer,date,amount\na,2024-01-01,5\n")
    run = kamtool("abc", "orders-*.csv", "-o", "orders-01.csv")
    assert run.code == 2 and "-o orders-01.csv: is the input orders-01.csv" in run.stderr
    assert (isolated / "orders-01.csv").read_text() == "customer,date,amount\na,2024-01-01,5\n"
