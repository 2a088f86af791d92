"""kamtool.render.safe: data printed by Rich shows its own characters (no markup, no
terminal escapes), and CSV cells that Excel would run as formulas are neutralised."""

from __future__ import annotations

import io
import time

import pandas as pd
import pyarrow as pa
import pytest
from rich.console import Console
from rich.table import Table

from kamtool.render.safe import cell_for_csv, column_for_terminal, frame_for_csv, text_for_terminal

PAYLOADS = {
    # value -> what the terminal must show
    "[/]": "[/]",
    "[link=https://x]Acme[/link]": "[link=https://x]Acme[/link]",
    "[b]Bold Co": "[b]Bold Co",
    "\x1b[2J\x1b[31mPWNED": "\\x1b[2J\\x1b[31mPWNED",
    "=cmd|' /C calc'!A0": "=cmd|' /C calc'!A0",
    "[@click=app.quit]x": "[@click=app.quit]x",
    "[#ff0000]red": "[#ff0000]red",
    "ends in \\": "ends in \\",
    "ends in \\\\": "ends in \\\\",
    "ends in \\\\\\": "ends in \\\\\\",
    "\\[b]": "\\[b]",
    "\\\\[/]": "\\\\[/]",
    "tab\there": "tab\\there",
    "line\nbreak\r": "line\\nbreak\\r",
    "nul\x00del\x7f": "nul\\x00del\\x7f",
    "c1 \x9b31m": "c1 \\x9b31m",
    "bidi \u202egnp.exe": "bidi \\u202egnp.exe",
    "isolate \u2066x\u2069": "isolate \\u2066x\\u2069",
    "上海某某贸易有限公司": "上海某某贸易有限公司",
}


def shown(markup: str) -> str:
    """What Rich prints for ``markup``: plain, no colour, no emoji, no highlighting."""
    buffer = io.StringIO()
    Console(file=buffer, width=400, color_system=None, emoji=False, highlight=False).print(markup)
    return buffer.getvalue().rstrip("\n")


@pytest.mark.parametrize(("value", "expected"), PAYLOADS.items())
def test_rich_shows_the_value_itself_alone_and_between_tags(value: str, expected: str) -> None:
    text = text_for_terminal(value)
    assert shown(text) == expected
    assert shown(f"[bold]{text}[/bold] after") == f"{expected} after"
    assert shown(f"[red]<{text}>[/]") == f"<{expected}>"
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column()
    table.add_row(text)
    assert shown(table).rstrip() == expected.rstrip()  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "expected"), PAYLOADS.items())
def test_without_markup_only_control_characters_change(value: str, expected: str) -> None:
    assert text_for_terminal(value, markup=False) == expected


def test_no_escape_byte_survives() -> None:
    for value in PAYLOADS:
        out = shown(text_for_terminal(value))
        assert "\x1b" not in out and "\x9b" not in out and "\u202e" not in out


@pytest.mark.parametrize("clean", ["Acme GmbH", "上海某某贸易有限公司", "C:\\exports\\x", "[1] first",
                                   "[B]ig", "50% [note", "a\\b", ""])
def test_clean_text_comes_back_unchanged(clean: str) -> None:
    assert text_for_terminal(clean) == clean
    assert text_for_terminal(text_for_terminal(clean)) == clean


def test_values_that_are_not_text() -> None:
    assert text_for_terminal(None) == ""
    assert text_for_terminal(12.5) == "12.5"
    assert text_for_terminal(-3) == "-3"


def test_a_column_of_200k_values_is_escaped_fast_and_only_where_needed() -> None:
    names = pd.Series([f"客户{i}" for i in range(200_000)], dtype=object)
    names.iloc[7] = "[/]"
    names.iloc[199_999] = "\x1b[2J"
    started = time.perf_counter()
    out = column_for_terminal(names)
    elapsed = time.perf_counter() - started
    assert out.iloc[7] == "\\[/]" and out.iloc[199_999] == "\\x1b[2J"
    assert out.iloc[8] == "客户8" and names.iloc[7] == "[/]"  # a copy: the input is untouched
    assert elapsed < 5  # generous for a shared machine; the work is one regex pass (about 0.1 s)
    clean = names.drop([7, 199_999])
    assert column_for_terminal(clean) is clean


def test_a_column_keeps_numbers_and_missing_values() -> None:
    mixed = pd.Series(["[b]x", 5, None, float("nan"), "ok"], dtype=object)
    out = column_for_terminal(mixed)
    assert out.iloc[0] == "\\[b]x" and out.iloc[1] == 5 and out.iloc[2] is None and out.iloc[4] == "ok"
    numbers = pd.Series([1.5, -2.0])
    assert column_for_terminal(numbers) is numbers
    only_ints = pd.Series([1, 2], dtype=object)
    assert column_for_terminal(only_ints) is only_ints


def test_an_arrow_column() -> None:
    array = pa.array(["[/]", "fine", None, "\u202e"])
    assert column_for_terminal(array).to_pylist() == ["\\[/]", "fine", None, "\\u202e"]
    clean = pa.chunked_array([["a", "b"]])
    assert column_for_terminal(clean) is clean
    ints = pa.array([1, 2])
    assert column_for_terminal(ints) is ints


# -- CSV -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("+SUM(1,2)", "'+SUM(1,2)"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("-5", "'-5"),  # text in a text column: prefixed (see the module docstring)
    ("Acme = best", "Acme = best"),
    ("-", "-"),  # a placeholder for "none": text to Excel, left alone
    ("上海某某贸易有限公司", "上海某某贸易有限公司"),
    ("", ""),
    (-5, -5),
    (-1e12, -1e12),
    (None, None),
])
def test_cell_for_csv(value: object, expected: object) -> None:
    assert cell_for_csv(value) == expected
    assert cell_for_csv(value, raw=True) == value


def test_frame_for_csv_touches_text_columns_only() -> None:
    frame = pd.DataFrame({
        "customer": ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(1)", "上海", None],
        "start_class": ["-", "A", "-", "B", "C", "-"],
        "revenue": [-5.0, 1.0, -2.0, 3.0, 4.0, 5.0],
        "orders": [1, -1, 2, 3, 4, 5],
    })
    out = frame_for_csv(frame)
    assert out["customer"].tolist()[:5] == ["'=cmd|' /C calc'!A0", "'+SUM(1,2)", "'-2+3", "'@SUM(1)", "上海"]
    assert pd.isna(out["customer"].iloc[5])
    assert out["start_class"].tolist() == ["-", "A", "-", "B", "C", "-"]
    assert out["revenue"].tolist() == [-5.0, 1.0, -2.0, 3.0, 4.0, 5.0]
    assert out["orders"].dtype == frame["orders"].dtype
    assert frame["customer"].iloc[0] == "=cmd|' /C calc'!A0"  # the input is not changed
    assert frame_for_csv(frame, raw=True) is frame
    assert frame_for_csv(frame, ["revenue"]) is frame  # a numeric column named as text: still numbers
    clean = frame.iloc[4:5]
    assert frame_for_csv(clean) is clean


def test_the_written_csv_reads_back_as_text_in_a_spreadsheet_sense() -> None:
    frame = pd.DataFrame({"customer": ["=1+1", "-5"], "amount": [-5, 2]})
    buffer = io.StringIO()
    frame_for_csv(frame).to_csv(buffer, index=False)
    assert buffer.getvalue().splitlines() == ["customer,amount", "'=1+1,-5", "'-5,2"]
