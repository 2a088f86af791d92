"""Defects of credit's output, each worked by hand: the oldest days past due is never
negative and a whole number, the aging table has a total row (in bold) where people read it
(console, workbook) and not where scripts do (JSON), and the workbook's Parameters block says
the grade rule in words."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
from conftest import kamtool_command

from kamtool.analyses.credit import Options, credit
from kamtool.render import words

# As of 2024-03-01 (day 19783), terms 30:
#   A: I1 dated 2024-01-01, due 2024-01-31: 30 days past due, 100.00 open;
#      I2 dated 2024-02-20, due 2024-03-21: not yet due (−20 days), 50.00 open  -> oldest 30
#   B: I3 dated 2024-02-15, due 2024-03-16: not yet due (−15 days), 80.00 open  -> oldest 0
#   C: I4 dated 2024-01-10, 40.00, paid in full on 2024-01-20                   -> nothing open
LINES = pd.DataFrame({
    "customer": ["A", "A", "B", "C"],
    "invoice_id": ["I1", "I2", "I3", "I4"],
    "date": ["2024-01-01", "2024-02-20", "2024-02-15", "2024-01-10"],
    "amount": [100.0, 50.0, 80.0, 40.0],
})
PAYMENTS = pd.DataFrame({"customer": ["C"], "date": ["2024-01-20"], "amount": [40.0], "invoice_id": ["I4"]})
AS_OF = "2024-03-01"


def _result() -> object:
    return credit(LINES, PAYMENTS, options=Options(as_of=AS_OF))


def test_an_invoice_not_yet_due_is_zero_days_past_due_never_negative() -> None:
    result = _result()
    rows = result.rows.set_index("customer")  # type: ignore[attr-defined]
    assert rows.loc["A", "max_days_past_due"] == 30.0
    assert rows.loc["B", "max_days_past_due"] == 0.0  # was −15 before the fix
    assert pd.isna(rows.loc["C", "max_days_past_due"])  # nothing open: no age at all
    assert rows.loc["B", "not_due"] == 80.0 and rows.loc["B", "overdue"] == 0.0
    # the grade reads the same ages: B has nothing past due and no payment yet -> B
    assert rows.loc["B", "grade"] == "B"


def test_the_aging_table_gets_a_total_row_for_people_only() -> None:
    result = _result()
    aging = result.tables["aging"]  # type: ignore[attr-defined]
    assert list(aging["bucket"]) == ["not_due", "overdue_1_30", "overdue_31_60", "overdue_61_90",
                                     "overdue_91_180", "overdue_over_180"]
    shown = words.for_people(result, "en")  # type: ignore[arg-type]
    table = shown.tables["aging"]
    total = table.iloc[-1]
    # 50.00 + 80.00 not due, 100.00 1–30 days overdue; A and B hold an amount, C none
    assert list(table["bucket"])[-1] == "Total"
    assert total["amount"] == 230.0
    assert total["share"] == 1.0
    assert total["customers"] == 2
    assert len(table) == len(aging) + 1
    # applied twice (the report does) it adds nothing more
    assert len(words.for_people(shown, "zh").tables["aging"]) == len(aging) + 1
    assert list(words.for_people(result, "zh").tables["aging"]["bucket"])[-1] == "合计"  # type: ignore[arg-type]


def _write(tmp_path: Path) -> tuple[Path, Path]:
    orders = tmp_path / "orders.csv"
    LINES.rename(columns={"customer": "customer_id", "invoice_id": "order_id", "date": "order_date"}).to_csv(
        orders, index=False)
    payments = tmp_path / "payments.csv"
    PAYMENTS.to_csv(payments, index=False)
    return orders, payments


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    # the console script beside this Python, whatever the venv is called (CI's is .ci-venv)
    return subprocess.run([*kamtool_command(), "credit", *args], capture_output=True, text=True, check=True)


def test_the_cli_json_has_no_total_row_and_no_negative_age(tmp_path: Path) -> None:
    orders, payments = _write(tmp_path)
    out = json.loads(_run(str(orders), "--payments", str(payments), "--as-of", AS_OF,
                          "--format", "json").stdout)
    assert [row["bucket"] for row in out["tables"]["aging"]][-1] == "overdue_over_180"
    ages = {row["customer"]: row["max_days_past_due"] for row in out["rows"]}
    assert ages == {"A": 30, "B": 0, "C": None}
    # whole days are integers, as stages' and churn's day counts: 30, not 30.0
    assert all(isinstance(age, int) for age in ages.values() if age is not None)
    assert '"max_days_past_due": 30,' in json.dumps(out)


def test_the_workbook_aging_sheet_totals_and_its_chart_leaves_the_total_out(tmp_path: Path) -> None:
    orders, payments = _write(tmp_path)
    book = tmp_path / "credit.xlsx"
    _run(str(orders), "--payments", str(payments), "--as-of", AS_OF, "-o", str(book))
    wb = openpyxl.load_workbook(book)
    sheet = wb["Receivables aging"]
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[1] == ("Aging bucket", "Amount", "Share", "Customers")
    assert values[-1] == ("Total", 230, 1, 2)
    assert len(values) == 2 + 6 + 1  # title, header, six buckets, the total
    # the total row reads as one: bold in every cell, the buckets above it not
    assert [cell.font.b for cell in sheet[9]] == [True] * 4
    assert not any(cell.font.b for cell in sheet[8])
    assert sheet["B9"].number_format == sheet["B8"].number_format
    with zipfile.ZipFile(book) as archive:
        charts = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart")]
    ranges = [re.findall(r"<c:f>([^<]+)</c:f>", c) for c in charts]
    # the buckets' column chart draws rows 3–8 (the six buckets), not row 9 (the total)
    assert ["'Receivables aging'!$A$3:$A$8", "'Receivables aging'!$B$3:$B$8"] in ranges
    assert not any("(top" in c for c in charts)


def test_the_parameters_block_says_the_grade_rule_in_words(tmp_path: Path) -> None:
    orders, payments = _write(tmp_path)
    expected = {
        "en": "Grade rule: D if anything is more than 90 days past due; A if nothing is more than 60 days "
              "past due and payments arrive within terms on average; B if the days beyond terms average "
              "at most 15; C if at most 45; D otherwise",
        "zh": "评级规则：有任何款项逾期超过90天为D级；没有逾期超过60天的款项且平均在账期内回款为A级；"
              "平均超期天数不超过15天为B级；不超过45天为C级；其余为D级",
    }
    for lang, sentence in expected.items():
        book = tmp_path / f"credit_{lang}.xlsx"
        _run(str(orders), "--payments", str(payments), "--as-of", AS_OF, "-o", str(book), "--lang", lang)
        cells = [str(row[0]) for row in openpyxl.load_workbook(book).worksheets[0].iter_rows(values_only=True)
                 if row[0] is not None]
        assert sentence in cells
        assert not any("a_past_due" in cell or "d_past_due" in cell for cell in cells)


def test_the_terminal_sets_the_total_row_off_and_keeps_it_under_top(tmp_path: Path) -> None:
    orders, payments = _write(tmp_path)
    out = _run(str(orders), "--payments", str(payments), "--as-of", AS_OF, "--top", "2").stdout
    aging = out.split("Receivables aging\n", 1)[1].split("\n\n", 1)[0].splitlines()
    # header, rule, the first two of six buckets, a rule, the total; the note counts six buckets
    assert aging[2].split()[:2] == ["Not", "due"] and aging[3].split()[0] == "1–30"
    assert set(aging[4].strip()) == {"─"}
    assert aging[5].split() == ["Total", "230.00", "100.0%", "2"]
    assert "(2 of 6 rows; -o FILE writes all)" in out
