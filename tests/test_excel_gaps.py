"""A right-aligned figure never runs into the text column to its right.

On tiers' Details the score column (right-aligned numbers) was followed by the tier
(left-aligned text), and the page read "94.44 Key account" as one run of text.  A text
column whose left neighbour holds numbers is written one character in (Excel's indent),
header included, and one character wider; other text columns are not.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

from tests.conftest import run_kamtool

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def _indents(path: Path, sheet: str) -> dict[str, tuple[float, float]]:
    """Header → (the header's indent, the first data cell's indent)."""
    ws = openpyxl.load_workbook(path)[sheet]
    headers = [cell.value for cell in ws[2]]
    first = list(ws[3])
    return {str(h): (float(ws.cell(2, i + 1).alignment.indent), float(first[i].alignment.indent))
            for i, h in enumerate(headers) if h is not None}


def test_text_right_of_numbers_is_indented(tmp_path: Path) -> None:
    out = tmp_path / "tiers.xlsx"
    run = run_kamtool(["tiers", str(SAMPLE / "orders.csv"), "--accounts", str(SAMPLE / "accounts.csv"),
                       "-o", str(out)])
    assert run.code == 0, run.stderr
    indents = _indents(out, "Details")
    assert indents["Tier"] == (1.0, 1.0)  # right of Score
    assert indents["Stage"] == (1.0, 1.0)  # right of Future value
    assert indents["Customer"] == (0.0, 0.0)  # the first column
    assert indents["Account manager"] == (0.0, 0.0)  # right of Stage, a text column
    assert indents["Score"] == (0.0, 0.0)  # numbers stay right-aligned as they were


def test_indented_column_is_one_wider(tmp_path: Path) -> None:
    out = tmp_path / "tiers.xlsx"
    assert run_kamtool(["tiers", str(SAMPLE / "orders.csv"), "-o", str(out)]).code == 0
    ws = openpyxl.load_workbook(out)["Details"]
    headers = {str(c.value): c.column_letter for c in ws[2] if c.value is not None}
    tier = ws.column_dimensions[headers["Tier"]].width
    widest = max(len(str(ws[f"{headers['Tier']}{row}"].value or "")) for row in range(3, ws.max_row + 1))
    # the widest tier text + 2 for the filter button + 1 for the indent (+ openpyxl's 0.71 padding)
    assert tier >= widest + 3
