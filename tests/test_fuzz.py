"""Random bytes and randomly broken exports end in exit code 1 with a message naming
the file, never a traceback (or in exit code 0 when the bytes still form an export)."""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.usefixtures("isolated")

# KAMTOOL_FUZZ_EXAMPLES=2000 for a longer hunt; the suite keeps to a modest number.
FUZZ = settings(max_examples=int(os.environ.get("KAMTOOL_FUZZ_EXAMPLES", "40")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

VALID_CSV = (
    "销售明细\n\n客户,订单日期,金额,订单号,数量\n"
    '"Acme, Inc",2024-01-01,"¥1,000.50",SO1,2\n'
    "乙公司,2024/3/5,(12.00),SO2,1\n"
    "丙公司,45356,3.5,SO3,\n"
    "合计,,992.00,,3\n"
).encode()


def _valid_xlsx() -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("订单")
    sheet.write_row(0, 0, ["Sales report"])
    sheet.write_row(2, 0, ["Customer", "Date", "Amount"])
    sheet.write_row(3, 0, ["a", "2024-01-01", 1.5])
    sheet.write_row(4, 0, ["b", 45356, "$2.00"])
    sheet.write_row(5, 0, ["Total", None, 3.5])
    book.close()
    return buffer.getvalue()


def _valid_parquet() -> bytes:
    import pandas as pd

    buffer = io.BytesIO()
    pd.DataFrame({"customer": ["a", "b"], "date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
                  "amount": [1.5, 2.0]}).to_parquet(buffer, index=False)
    return buffer.getvalue()


VALID = {".csv": VALID_CSV, ".xlsx": _valid_xlsx(), ".parquet": _valid_parquet()}

# One edit of a file: (where, as a fraction of its length, what, bytes to insert).
EDIT = st.tuples(
    st.floats(min_value=0, max_value=1),
    st.sampled_from(["delete", "replace", "insert", "truncate"]),
    st.one_of(st.sampled_from([b'"', b",", b";", b"\n", b"\r", b"\x00", b"\xff", b"\t", b"-", b"9", b"\xe5"]),
              st.binary(min_size=1, max_size=8)),
)


def broken(data: bytes, edits: list[tuple[float, str, bytes]]) -> bytes:
    out = bytearray(data)
    for where, what, payload in edits:
        i = min(int(where * len(out)), max(len(out) - 1, 0))
        if what == "delete":
            del out[i:i + len(payload)]
        elif what == "replace":
            out[i:i + len(payload)] = payload
        elif what == "insert":
            out[i:i] = payload
        else:
            del out[i:]
    return bytes(out)


def check(run_kamtool: Callable[..., Any], data: bytes, suffix: str) -> int:
    """Run `kamtool inspect` on the bytes; it may succeed or fail, but only cleanly."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export{suffix}"
        path.write_bytes(data)
        run = run_kamtool(["inspect", str(path), "--format", "json"])
    assert run.code in (0, 1), (run.code, run.stderr)
    for stream in (run.stdout, run.stderr):
        assert "Traceback" not in stream
        assert "Exception ignored" not in stream
    # An error we did not foresee is caught too, but says "this may be a kamtool bug".
    assert "kamtool bug" not in run.stderr, run.stderr
    if run.code == 1:
        assert run.stdout == ""
        assert run.stderr.startswith("Error: ")
        assert str(path) in run.stderr  # the message names the file
    else:
        doc: dict[str, Any] = json.loads(run.stdout)
        assert doc["command"] == "inspect"
    return int(run.code)


@FUZZ
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".xlsx", ".parquet", ".txt"]))
def test_random_bytes(kamtool_in_process: Callable[..., Any], data: bytes, suffix: str) -> None:
    check(kamtool_in_process, data, suffix)


@FUZZ
@given(edits=st.lists(EDIT, min_size=1, max_size=5))
def test_broken_csv(kamtool_in_process: Callable[..., Any], edits: list[tuple[float, str, bytes]]) -> None:
    check(kamtool_in_process, broken(VALID_CSV, edits), ".csv")


@FUZZ
@given(suffix=st.sampled_from([".xlsx", ".parquet"]), edits=st.lists(EDIT, min_size=1, max_size=3))
def test_broken_workbook_or_parquet(kamtool_in_process: Callable[..., Any], suffix: str,
                                    edits: list[tuple[float, str, bytes]]) -> None:
    check(kamtool_in_process, broken(VALID[suffix], edits), suffix)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_the_unbroken_files_are_valid(kamtool_in_process: Callable[..., Any], suffix: str) -> None:
    # The fuzzed files start from real exports, so the fuzz reaches the cleaning code.
    assert check(kamtool_in_process, VALID[suffix], suffix) == 0
