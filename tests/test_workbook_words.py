"""Every workbook in the reader's words and laid out for reading and printing (issue 14,
renderer half): each command's ``--lang zh`` workbook on the sample data has no label that
is an English key or a made-up caption, booleans read 是/否, every data sheet starts with a
title line, headers sit like their columns, print is set up; the Pareto curve reaches 100 %;
extra terminal tables follow ``--top`` and say how many rows they hold."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import REPO, run_kamtool

from kamtool.labels import MissingLabel, all_labels, label, strict_labels, table_label
from kamtool.render.excel import param_sentences, pareto_steps, write_workbook
from kamtool.result import Chart, Result

SAMPLE = REPO / "sample_data" / "orders.csv"
COMMANDS = ["inspect", "pareto", "abc", "rfm", "loyalty", "churn", "clv", "tiers", "stages", "credit",
            "profile", "report"]
_ACCOUNTS = ["--accounts", str(REPO / "sample_data" / "accounts.csv")]
_PAYMENTS = ["--payments", str(REPO / "sample_data" / "payments.csv")]
# what each command reads besides the orders: every file sample_data has for it (the cards: all)
ARGS = {"tiers": _ACCOUNTS, "churn": [*_ACCOUNTS, *_PAYMENTS], "credit": [*_ACCOUNTS, *_PAYMENTS],
        "profile": ["--all", *_ACCOUNTS, *_PAYMENTS], "report": [*_ACCOUNTS, *_PAYMENTS]}
# words the Chinese workbook may show as they are: codes of classes, model names, quarters
_LATIN_OK = re.compile(r"^(?:[A-C\-]|[RFM]得分|F = \d|BG/NBD.*|Gamma-Gamma.*|HHI.*|RFM.*|\+\d+|%|kamtool.*)$")


@pytest.fixture(scope="module")
def zh_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each command's --lang zh workbook, written with the labels in strict mode: a caption
    that would have fallen back to ``key.replace('_', ' ').capitalize()`` fails the run."""
    out = tmp_path_factory.mktemp("zh")
    books = {}
    for command in COMMANDS:
        path = out / f"{command}.xlsx"
        with strict_labels():
            run = run_kamtool([command, str(SAMPLE), *ARGS.get(command, []), "--lang", "zh", "-o", str(path)])
        assert run.code == 0, (command, run.stderr)
        books[command] = path
    return books


def test_strict_mode_makes_the_fallback_detectable() -> None:
    assert label("no_such_key") == "No such key"  # outside strict mode: readable, not blank
    with strict_labels(), pytest.raises(MissingLabel):
        label("no_such_key")
    assert label("Plain text") == "Plain text"  # literal text is not a key: never refused


def _english_captions() -> set[str]:
    """Every English label that differs from its Chinese one."""
    return {en for en, zh in all_labels().values() if en != zh}


def _label_cells(book: openpyxl.Workbook) -> list[tuple[str, str]]:
    """(where, text) of the cells that are labels: sheet names, the Summary's captions
    (column A of the key figures: a row whose column B holds the figure) and section
    titles, every data sheet's header row."""
    out = [(f"sheet name {ws.title}", ws.title) for ws in book.worksheets if ws.sheet_state == "visible"]
    for summary in _summaries(book):
        for row in summary.iter_rows(min_row=2):
            caption = row[0].value
            if isinstance(caption, str) and (len(row) < 2 or row[1].value is not None or row[0].font.b):
                out.append((f"{summary.title}!{row[0].coordinate}", caption))
    for ws in _data_sheets(book):
        out += [(f"{ws.title}!{c.coordinate}", c.value) for c in ws[2] if isinstance(c.value, str)]
    return out


def _summaries(book: openpyxl.Workbook) -> list[openpyxl.worksheet.worksheet.Worksheet]:
    """The first sheet (a Summary, the report's Overview) and each analysis' Summary in the
    report: captions in column A, the command named on its second row."""
    command = label("report.command", "zh")
    return [book.worksheets[0], *(ws for ws in book.worksheets[1:] if ws["A2"].value == command)]


def _data_sheets(book: openpyxl.Workbook) -> list[openpyxl.worksheet.worksheet.Worksheet]:
    """The visible sheets of tables: a title line, the header row, the rows (not the Summaries,
    and not the report's Definitions, which are sections of sentences)."""
    summaries = {ws.title for ws in _summaries(book)}
    prose = label("report.def.title", "zh")
    return [ws for ws in book.worksheets
            if ws.sheet_state == "visible" and ws.title not in summaries and ws["A1"].value != prose]


@pytest.mark.parametrize("command", COMMANDS)
def test_zh_workbook_has_no_english_label(command: str, zh_books: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(zh_books[command])
    english = _english_captions()
    bad = []
    for where, text in _label_cells(book):
        if _LATIN_OK.match(text):
            continue
        if text in english or re.fullmatch(r"[a-z0-9]+(?:_[a-z0-9]+)+", text):
            bad.append((where, text))
        elif re.fullmatch(r"[A-Z][a-z]+(?: [a-z0-9]+)+", text):
            bad.append((where, text))  # the shape of an auto-capitalised key ("Class a entities")
    assert bad == []


# the account cards are laid out as cards, not tables (tests/test_profile.py checks their print set-up)
@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "profile"])
def test_zh_workbook_layout(command: str, zh_books: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(zh_books[command])
    for ws in _data_sheets(book):
        title = ws["A1"].value
        assert isinstance(title, str) and "kamtool" in title and "orders.csv" in title, ws.title
        assert ws.freeze_panes == "A3" and ws.print_title_rows == "$1:$2"
        # one page wide (OOXML's default fitToWidth of 1), as many pages down as it takes
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
        assert ws.page_setup.fitToWidth in (None, 1)
        # headers sit like their columns: right over numbers, left over text
        for cell in ws[2]:
            below = ws.cell(3, cell.column).value
            if isinstance(below, int | float) and not isinstance(below, bool):
                assert cell.alignment.horizontal == "right", (ws.title, cell.value)
            elif below in ("是", "否"):
                assert cell.alignment.horizontal == "center", (ws.title, cell.value)
            elif isinstance(below, str):
                assert cell.alignment.horizontal in (None, "general", "left"), (ws.title, cell.value)
        # no TRUE/FALSE: booleans are words
        for row in ws.iter_rows(min_row=3, max_row=min(ws.max_row, 60)):
            assert not any(isinstance(c.value, bool) for c in row), ws.title


def test_zh_summary_reads_as_sentences(zh_books: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(zh_books["abc"]).worksheets[0]
    column_a = [c.value for c in ws["A"] if c.value is not None]
    assert "分界 80 % / 95 %" in column_a  # a parameter with its value, as a sentence
    assert "A类个数" in column_a and "A类数值占比" in column_a
    assert "对象：客户" in column_a and "指标：销售额" in column_a
    churn = openpyxl.load_workbook(zh_books["churn"]).worksheets[0]
    rows = {r[0]: r[1] for r in churn.iter_rows(values_only=True) if r[0] is not None}
    assert rows["起始期间已完整"] == "是"  # a boolean in words
    assert "比较期间由命令行指定：否" in rows
    # no empty parameter rows: every Parameters line is a sentence with its value
    start = [c.row for c in churn["A"] if c.value == label("report.params", "zh")][0]
    end = [c.row for c in churn["A"] if c.value == label("report.notes", "zh")][0]
    assert all(churn.cell(r, 1).value for r in range(start + 1, end - 1))


def test_churn_bridge_has_one_label_column(zh_books: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(zh_books["churn"])
    bridge = book["销售额变动桥图"]
    assert [c.value for c in bridge[2]] == ["步骤", "金额"]
    assert bridge["A3"].value == "期初销售额"


def test_param_sentences_skip_empty_and_prose() -> None:
    result = Result("abc", {"thresholds": [0.8, 0.95], "shares": None, "grid": {}, "rounding": "",
                            "tie_rule": "value descending, then entity id ascending", "by": "customer",
                            "compare_given": False}, {}, pd.DataFrame())
    assert param_sentences(result, "en") == ["Cut-offs 80 % / 95 %", "Entities: Customer",
                                             "Periods given on the command line: no"]
    assert param_sentences(result, "zh") == ["分界 80 % / 95 %", "对象：客户", "比较期间由命令行指定：否"]


def test_pareto_steps_reach_the_last_entity() -> None:
    assert pareto_steps(1000)[:3] == [9, 19, 29] and pareto_steps(1000)[-1] == 999
    assert len(pareto_steps(1000)) == 100
    assert pareto_steps(3) == [0, 1, 2]  # fewer entities than steps: each once
    assert pareto_steps(250)[-1] == 249 and pareto_steps(250)[0] == 2  # ceil(2.5) - 1


def _chart_xml(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as book:
        return [book.read(n).decode() for n in book.namelist() if n.startswith("xl/charts/chart")]


def test_pareto_chart_of_many_entities_reaches_100_percent(tmp_path: Path) -> None:
    n = 1019
    revenue = pd.Series(range(n, 0, -1), dtype="float64")
    rows = pd.DataFrame({"customer": [f"c{i:04d}" for i in range(n)], "revenue": revenue,
                         "cumulative_share": revenue.cumsum() / revenue.sum()})
    chart = Chart("pareto", "rows", "customer", ["revenue"], secondary="cumulative_share", title="")
    path = tmp_path / "pareto.xlsx"
    write_workbook(Result("demo", {}, {}, rows, charts=[chart]), path)
    (xml,) = _chart_xml(path)
    assert "every 1 % of entities, 0–100 %" in xml
    helper = openpyxl.load_workbook(path)["Chart data"]
    shares = [helper.cell(r, 3).value for r in range(2, helper.max_row + 1)]
    assert len(shares) == 100 and shares[-1] == pytest.approx(1.0)  # the curve ends at 100 %
    assert helper.cell(2, 3).value == pytest.approx(float(rows["cumulative_share"].iloc[10]))  # ceil(10.19)-1
    small = tmp_path / "small.xlsx"
    write_workbook(Result("demo", {}, {}, rows.head(50), charts=[chart]), small)
    assert "(every entity)" in _chart_xml(small)[0]


def test_a_chart_of_the_top_rows_says_so(tmp_path: Path) -> None:
    rows = pd.DataFrame({"customer": [f"c{i}" for i in range(30)], "revenue": range(30, 0, -1)})
    path = tmp_path / "top.xlsx"
    write_workbook(Result("demo", {}, {}, rows, charts=[Chart("bar", "rows", "customer", ["revenue"],
                                                             max_points=10)]), path)
    assert "(top 10 of 30)" in _chart_xml(path)[0]


@pytest.mark.parametrize(("lang", "note"), [("en", "(3 of 15 rows; -o FILE writes all)"),
                                            ("zh", "（显示 3 / 15 行；-o 文件 输出全部）")])
def test_extra_tables_follow_top_and_say_so(lang: str, note: str) -> None:
    run = run_kamtool(["churn", str(SAMPLE), "--lang", lang, "--top", "3"])
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    migration = lines.index(table_label("migration", "churn", lang))
    # title, header, rule, three rows, then the note
    assert lines[migration + 6] == note
    assert lines[migration + 5].split()[:2] == ["A", "C"]  # the third row of 15


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("command", COMMANDS)
def test_terminal_needs_no_made_up_caption(command: str, lang: str, tmp_path: Path) -> None:
    """Every caption the terminal prints, and the English workbook's, has a label: in strict
    mode the made-up fallback fails the run."""
    args = [command, str(SAMPLE), *ARGS.get(command, []), "--lang", lang, "--top", "3"]
    if lang == "en":
        args += ["-o", str(tmp_path / "book.xlsx")]
    with strict_labels():
        run = run_kamtool(args)
    assert run.code == 0, run.stderr
    assert "MissingLabel" not in run.stderr


def _identifiers() -> set[str]:
    """Words a Chinese workbook may show in Latin letters because they are names, not labels:
    the sample files' own headers (the Data quality sheet and inspect list them), their folder,
    kamtool's canonical column names (what --map takes) and the symbols of Gini's formula."""
    from kamtool.io.columns import CANONICAL

    headers: set[str] = set(CANONICAL) | {"sample_data", "x_i", "x_j"}  # the files' folder; Gini's formula
    for name in ("orders.csv", "accounts.csv"):
        headers |= set(pd.read_csv(REPO / "sample_data" / name, nrows=0).columns)
    return headers


@pytest.mark.parametrize("command", COMMANDS)
def test_zh_workbook_shows_no_code(command: str, zh_books: dict[str, Path]) -> None:
    """No cell of a Chinese workbook shows a code for a value (``missing_strategic``,
    ``strategic_tenure 24``, ``homogeneous_dropout``): the words are labelled, the codes stay
    in JSON."""
    book = openpyxl.load_workbook(zh_books[command], read_only=True)
    allowed = _identifiers()
    bad = set()
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        for row in ws.iter_rows(max_row=300, values_only=True):
            for value in row:
                if isinstance(value, str):
                    bad |= {(ws.title, code) for code in re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", value)
                            if code not in allowed}
    assert bad == set()


def test_zh_workbook_names_coded_values(zh_books: dict[str, Path]) -> None:
    """The coded values of tiers' flags and clv's tables read as words on the sheets."""
    tiers = openpyxl.load_workbook(zh_books["tiers"])["明细"]
    header = [c.value for c in tiers[2]]
    flags = {r[header.index("标记")] for r in tiers.iter_rows(min_row=3, values_only=True)}
    assert "缺少：战略及品牌价值" in flags and not any("missing" in str(f) for f in flags)
    clv = openpyxl.load_workbook(zh_books["clv"])
    assert {r[1] for r in clv["跟踪：累计重复购买"].iter_rows(min_row=3, values_only=True)} == {"校准期"}
    models = clv["购买模型比较"]
    assert [c.value for c in models[2]][:2] == ["名称", "所达极限"]  # no column of model codes
    assert models["A3"].value == "BG/NBD"
