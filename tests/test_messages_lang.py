"""Errors and warnings on stderr in the reader's language (issue 14: "every terminal line goes
through the labels in both languages: … warnings and error messages"): the tag, the warnings
the load and the accounts file give, and the errors raised from a label.  English is as before;
JSON and exit codes do not change with the language."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from conftest import REPO, run_kamtool

from kamtool.errors import ColumnError, UsageError
from kamtool.labels import all_labels
from kamtool.render.words.messages import left_out, reason

SAMPLE = REPO / "sample_data" / "orders.csv"


def _with_totals(tmp_path: Path) -> Path:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()[:6]
    width = lines[0].count(",") + 1
    total = ["合计"] + [""] * (width - 1)
    total[lines[0].split(",").index("amount")] = "100"
    path = tmp_path / "orders.csv"
    path.write_text("\n".join([*lines, ",".join(total)]) + "\n", encoding="utf-8")
    return path


def test_a_dropped_totals_line_is_said_in_each_language(tmp_path: Path) -> None:
    path = _with_totals(tmp_path)
    en = run_kamtool(["abc", str(path)])
    zh = run_kamtool(["abc", str(path), "--lang", "zh"])
    assert en.code == zh.code == 0
    assert f"Warning: {path}: dropped 1 totals / subtotal lines" in en.stderr
    assert f"警告：{path}：已去除合计/小计行 1 行" in zh.stderr
    # the next run in English is English again (the language is the run's, not the process')
    assert "Warning:" in run_kamtool(["abc", str(path)]).stderr


def test_errors_raised_from_a_label_are_said_in_each_language(tmp_path: Path) -> None:
    missing = tmp_path / "nothere.csv"
    en = run_kamtool(["abc", str(missing)])
    zh = run_kamtool(["abc", str(missing), "--lang=zh"])
    assert en.code == zh.code == 2  # a usage error either way
    assert en.stderr.strip() == f"Error: {missing}: no such file"
    assert zh.stderr.strip() == f"错误：{missing}：文件不存在"
    cols = tmp_path / "cols.csv"
    cols.write_text("a,b\n1,2\n", encoding="utf-8")
    zh = run_kamtool(["abc", str(cols), "--lang", "zh"])
    assert zh.code == 1
    assert zh.stderr.startswith(f"错误：{cols}：找不到 customer / date / amount 列（或数量和单价列）。")
    assert "--col customer=a" in zh.stderr
    zh = run_kamtool(["abc", str(SAMPLE), "--from", "2025-01-01", "--to", "2024-01-01", "--lang", "zh"])
    assert zh.code == 2 and zh.stderr.strip() == "错误：--from 2025-01-01 晚于 --to 2024-01-01"


def test_the_accounts_warnings_are_said_in_chinese() -> None:
    run = run_kamtool(["tiers", str(SAMPLE), "--accounts", str(REPO / "sample_data" / "accounts.csv"),
                       "--lang", "zh", "--format", "json"])
    assert run.code == 0
    assert "4 个客户在订单文件中没有订单行（潜在客户）：P0001, P0002, P0003, P0004" in run.stderr
    assert "customers have no order line" not in run.stderr


def test_said_keeps_english_as_the_message_and_chinese_for_people() -> None:
    error = ColumnError.said("error.no_column", file="a.csv", columns="date", headers="'x'",
                             hint="--col date=x")
    assert str(error) == ("a.csv: no date column found. The file's columns are: 'x'. Tell kamtool which one "
                          "it is, e.g. --col date=x")
    assert error.in_lang("zh").startswith("a.csv：找不到 date 列。")
    plain = UsageError("no label")
    assert plain.in_lang("zh") == "no label"  # an error not yet raised from a label reads as written


@pytest.mark.parametrize(("text", "en", "zh"), [
    ("totals / subtotal lines", "totals / subtotal lines", "合计/小计行"),
    ("blank rows", "blank rows", "空行"),
    ("amount: not a number", "amount: not a number", "amount 列不是数字的行"),
    ("订单日期: is not a date", "订单日期: not a date", "订单日期 列不是日期的行"),
    ("something new", "something new", "something new"),
])
def test_reasons_in_words(text: str, en: str, zh: str) -> None:
    assert reason(text, "en") == en
    assert reason(text, "zh") == zh
    assert left_out("f.csv", 1234, "amount: missing", "en") == "f.csv: skipped 1,234 amount: missing"


def test_every_message_has_the_same_fields_in_both_languages() -> None:
    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    messages = {k: v for k, v in all_labels().items() if k.startswith(("message.", "error."))}
    assert len(messages) > 20
    english = {k: fields(en) for k, (en, _) in messages.items()}
    assert english == {k: fields(zh) for k, (_, zh) in messages.items()}
