"""The words registry (kamtool.render.words): one place per command for what people read."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
from rich.console import Console

from kamtool.analyses.abc import abc
from kamtool.analyses.loyalty import loyalty
from kamtool.analyses.pareto import pareto
from kamtool.analyses.rfm import rfm
from kamtool.render import words
from kamtool.render.console import render_result
from kamtool.result import Result
from tests.conftest import run_kamtool

ROOT = Path(__file__).resolve().parent.parent


def _console_text(result: Result, lang: str = "en") -> str:
    out = io.StringIO()
    render_result(result, Console(file=out, width=200, no_color=True), lang=lang, top=None)
    return out.getvalue()


def test_every_command_has_its_words_and_a_result_carries_none() -> None:
    # a Result is codes and numbers: the sentences come from render/words/<command>.py only
    import dataclasses

    from kamtool.cli.app import _command_names, _register

    assert not {"headline", "notes"} & {f.name for f in dataclasses.fields(Result)}
    _register()
    for command in _command_names():
        module = words._module(command)
        assert module is not None and callable(module.headline) and callable(module.notes), command
    result = Result("demo", {}, {}, pd.DataFrame({"customer": ["a"]}))
    assert words.headline(result, "zh") == [] and words.notes(result, "en") == []
    assert words.for_people(result, "en").rows.equals(result.rows)


def test_by_header_reads_as_the_header_in_captions_and_sentences() -> None:
    # --by Kundengruppe arrives as the canonical column entity, the header as a label
    frame = pd.DataFrame({"entity": ["Nord", "Süd", "West"], "revenue": [70.0, 20.0, 10.0]})
    result = abc(frame, by="entity")
    result.params["by_label"] = "Kundengruppe"
    assert result.rows.columns[1] == "entity"  # rows keep canonical keys
    assert words.caption(result, "entity", "en") == "Kundengruppe"
    assert words.caption(result, "revenue", "zh") == "销售额"
    # Nord 70 (0 before it) and Süd 20 (70 before it, short of 80) are A: 2 of 3, 90 %
    assert words.headline(result, "en")[0] == (
        "Class A: 66.7 % of Kundengruppe values (2) make 90.0 % of revenue."
    )
    header = next(line for line in _console_text(result).splitlines() if line.startswith("Rank"))
    assert "Kundengruppe" in header
    assert words.chart_title(result, result.charts[0], "en") == "Pareto of revenue by Kundengruppe"


def test_pareto_and_abc_print_the_same_share_for_the_same_customers() -> None:
    frame = pd.DataFrame({"customer": list("abcdz"), "revenue": [50.0, 30.0, 15.0, 5.0, 0.0]})
    p, a = pareto(frame), abc(frame)
    # a and b make 80 %: 2 of the 5 customers of the base (z, with zero, included)
    assert words.headline(p, "en")[0].startswith("40.0 % of customers (2)")
    assert words.headline(a, "en")[0].startswith("Class A: 40.0 % of customers (2)")


def test_for_people_adds_the_words_once() -> None:
    lines = pd.DataFrame({
        "customer": ["a", "a", "b"], "date": pd.to_datetime(["2024-01-05", "2024-04-05", "2024-02-01"]),
        "revenue": [10.0, 10.0, 5.0], "brand": ["X", "X", "Y"],
    })
    result = loyalty(lines)
    once = words.for_people(result, "zh")
    twice = words.for_people(once, "zh")
    pd.testing.assert_frame_equal(once.rows, twice.rows)
    assert set(once.rows["group"]) <= {"忠诚客户", "品牌转移客户", "无品牌忠诚客户", "主要购买其他品牌"}
    assert list(result.tables["groups"].columns).count("action") == 0  # the result is untouched
    ledger = pd.DataFrame({
        "customer": list("abcde"), "revenue": [10.0, 5.0, 7.0, 1.0, 3.0], "orders": [2, 1, 3, 1, 5],
        "last_date": pd.to_datetime(["2024-03-01", "2024-01-01", "2024-02-01", "2023-12-01", "2024-03-09"]),
    })
    shown = words.for_people(rfm(ledger), "en")
    assert list(shown.tables) == ["segments", "scores", "rules", "rf_heatmap"]


def test_workbook_shows_names_and_actions(tmp_path: Path) -> None:
    path = tmp_path / "loyalty.xlsx"
    run = run_kamtool(["loyalty", str(ROOT / "sample_data" / "orders.csv"), "-o", str(path), "--lang", "zh",
                       "--format", "json"])
    assert run.code == 0, run.stderr
    book = openpyxl.load_workbook(path)
    groups = book[book.sheetnames[2]]
    header = [c.value for c in groups[2]]  # row 1: the sheet's title line
    assert header[0] == "客户群" and header[-1] == "建议措施"
    assert groups.cell(3, 1).value == "忠诚客户"
    assert str(groups.cell(3, len(header)).value).startswith("保持紧密联系")
    summary = [row[0] for row in book[book.sheetnames[0]].iter_rows(values_only=True) if row[0]]
    assert any(str(line).startswith("共 300 个客户") for line in summary)


def test_inspect_words_in_both_languages() -> None:
    sample = str(ROOT / "sample_data" / "orders.csv")
    en = run_kamtool(["inspect", sample, "--lang", "en"]).stdout
    zh = run_kamtool(["inspect", sample, "--lang", "zh"]).stdout
    assert "orders.csv: CSV" in en and "order lines" in en
    assert "订单明细" in zh and "客户" in zh


def test_console_words_have_no_missing_label_or_field() -> None:
    # a missing label shows as its key (or its key capitalised), a missing field as {braces}
    for command in ("inspect", "pareto", "abc", "rfm", "loyalty"):
        for sample in ("orders.csv", "订单明细.xlsx"):
            for lang in ("en", "zh"):
                run = run_kamtool([command, str(ROOT / "sample_data" / sample), "--lang", lang, "--top", "3"])
                assert run.code == 0, run.stderr
                text = run.stdout.lower()
                assert "{" not in text, (command, sample, lang)
                for prefix in ("pareto.", "abc.", "rfm.", "loyalty.", "inspect.", "report."):
                    assert prefix not in text, (command, sample, lang, prefix)
