"""Failures the standing fuzz campaign (scripts/fuzz.py) found, each reproduced from its case
and kept here after the fix; and the campaign's detectors on the runs that led to them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.test_fuzz_campaign import fuzz, outcome

HIDDEN = ("\x9b31mC1", "bidi\u202eexe.txt", "del\x7fete", "line\u2028break")


def orders_with_names(path: Path, names: tuple[str, ...]) -> Path:
    rows = ["customer,date,amount,brand"]
    for i, name in enumerate(names):
        rows += [f"{name},2024-0{i + 1}-01,{100 + i},ours", f"{name},2024-0{i + 3}-15,{50 + i},rival"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


# Campaign seed 1, cases payloads-1000144 (loyalty --format json) and payloads-1000312: a C1
# CSI (U+009B) and a bidi override (U+202E) from the data were written raw into the JSON.
@pytest.mark.parametrize("command", ["loyalty", "abc", "rfm", "inspect"])
def test_json_shows_no_c1_bidi_or_del_raw_and_reads_back_the_same_names(
        isolated: Path, kamtool: Callable[..., Any], command: str) -> None:
    source = orders_with_names(isolated / "orders.csv", HIDDEN)
    run = kamtool(command, str(source), "--format", "json")
    assert run.code == 0, run.stderr
    for char in "\x9b\u202e\x7f\u2028":
        assert char not in run.stdout
    document = json.loads(run.stdout)
    if command != "inspect":  # inspect lists no customer
        assert {row["customer"] for row in document["rows"]} == set(HIDDEN)
        assert "\\u009b" in run.stdout and "\\u202e" in run.stdout


def test_json_is_the_same_bytes_in_both_languages_with_hidden_characters(
        isolated: Path, kamtool: Callable[..., Any]) -> None:
    source = orders_with_names(isolated / "orders.csv", HIDDEN)
    en = kamtool("abc", str(source), "--format", "json")
    zh = kamtool("abc", str(source), "--format", "json", "--lang", "zh")
    assert en.code == zh.code == 0 and en.stdout == zh.stdout


# Campaign seed 1, cases bitflip_csv-1000081 (loyalty --format csv, a \x11 in a customer id)
# and payloads-1000216 (rfm --format csv): CSV on stdout is the data's own text; the issue's
# rule on escapes is for tables, headlines, warnings and errors. The detector no longer counts
# them in CSV on stdout, and still counts them on stderr and in every other output.
def test_the_escape_detector_spares_csv_data_and_not_stderr() -> None:
    case = fuzz.Case(kind="bitflip_csv", seed=0, name="x.csv", data=b"C0\x112,2024-01-01,1\n")
    assert fuzz.classify(outcome(case=case, output="csv", stdout="C0\x112,1\n")) == set()
    assert fuzz.classify(outcome(case=case, output="csv", stderr="x.csv: C0\x112")) == {"escape"}
    assert fuzz.classify(outcome(case=case, output="table", stdout="C0\x112  1")) == {"escape"}
    assert fuzz.classify(outcome(case=case, output="json", stdout='"C0\x112"')) == {"escape"}


def test_escapes_in_a_second_file_count_too() -> None:
    case = fuzz.Case(kind="header_only", seed=0, name="x.csv", data=b"customer,date,amount\n",
                     second_files={"accounts": ("accounts.csv", b"customer\n\x1b[2Jx\n", "payloads")})
    assert fuzz.classify(outcome(case=case, stderr="accounts.csv: \x1b[2Jx")) == {"escape"}
    assert fuzz.classify(outcome(case=case, stderr="accounts.csv: \\x1b[2Jx")) == set()


# The markup detector took any "x" on stdout (as in =HYPERLINK("x")) for a rendered
# "[bold red]x": the payload is now "[bold red]Red Co", and a tag counts only when its text
# shows without the tag before it.
def test_the_markup_detector_sees_rendered_tags_only() -> None:
    case = fuzz.Case(kind="payloads", seed=0, name="x.csv", data=b"[bold red]Red Co,1\n=HYPERLINK(\"x\"),2\n",
                     payloads=fuzz.PAYLOADS)
    assert fuzz.classify(outcome(case=case, stdout='[bold red]Red Co  =HYPERLINK("x")')) == set()
    assert fuzz.classify(outcome(case=case, stdout="Red Co  1")) == {"markup"}


def parquet_with_days(path: Path, days: list[int]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = len(days)
    table = pa.table({
        "customer": [f"C{i % 3}" for i in range(n)],
        "date": pa.array(days, type=pa.int32()).cast(pa.date32()),
        "amount": [10.0 + i for i in range(n)],
    })
    pq.write_table(table, path)
    return path


# Campaign seed 2, case bitflip_parquet-2000634 (loyalty -o out.csv): a bit flip made a date32
# of 1,073,761,367 days (year ~2.9 million); the message about the bad date called as_py() on it
# and died in OverflowError, "may be a kamtool bug".
@pytest.mark.parametrize("command", ["loyalty", "abc", "rfm", "inspect", "credit"])
@pytest.mark.parametrize("day", [1_073_761_367, -1_073_761_367])
def test_a_date_beyond_pythons_years_in_parquet_is_a_data_error_naming_row_and_column(
        isolated: Path, kamtool: Callable[..., Any], command: str, day: int) -> None:
    source = parquet_with_days(isolated / "orders.parquet", [19_800, 19_810, day, 19_820])
    run = kamtool(command, str(source))
    assert run.code == 1, (run.stdout, run.stderr)
    assert "may be a kamtool bug" not in run.stderr and "Traceback" not in run.stderr
    assert "orders.parquet row 3" in run.stderr and "column date" in run.stderr
    assert f"date32[day] {day}" in run.stderr
    skipped = kamtool(command, str(source), "--skip-bad-rows")
    assert skipped.code == 0, skipped.stderr
    assert "may be a kamtool bug" not in skipped.stderr
