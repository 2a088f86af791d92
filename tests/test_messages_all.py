"""Every error a user can cause is said in the reader's language (issue 14: "every terminal line
goes through the labels in both languages: … warnings and error messages").

The source is read, not trusted: each ``said(KEY, …)`` has a label in English and Chinese whose
fields are the ones the call fills, and no ``raise XError("…")`` of the KamtoolError family keeps
an English-only message outside the allow-lists below (a new one fails here).  Then a dozen errors
end to end through the command line under ``--lang zh``: Chinese words, the file / row / column /
option named, the exit code as in English, and the English word for word as before."""

from __future__ import annotations

import ast
import itertools
import re
import string
from pathlib import Path

import pytest
from conftest import REPO, run_kamtool

from kamtool.analyses.pareto import MISSING_MEASURE
from kamtool.labels import all_labels, label
from kamtool.render.words import messages as words

SAMPLE = REPO / "sample_data" / "orders.csv"
SOURCE = REPO / "kamtool"

# Internal invariants a user cannot cause through the command line (the CLI checks the option or
# the load guarantees the frame first): they stay English, as a bug report reads them.
# (module, how the message starts)
INTERNAL = {
    ("analyses/abc.py", "unknown method "),
    ("analyses/abc.py", "unknown grid "),
    ("analyses/churn.py", "churn needs the columns customer, date, revenue"),
    ("analyses/churn.py", "P(alive) must have one value per customer"),
    ("analyses/churn.py", "P(alive) is indexed by customer"),
    ("analyses/churn_types.py", "the churn statuses have no "),
    ("analyses/clv/holdout.py", "holdout_comparison needs actual holdout purchases"),
    ("analyses/clv/holdout.py", "holdout_comparison needs the holdout duration"),
    ("analyses/clv/select.py", "holdout purchases need one value per customer"),
    ("analyses/clv/summary.py", "clv needs the columns "),
    ("analyses/clv/summary.py", "{} has missing or infinite values"),
    ("analyses/clv/summary.py", "frequency, recency and T must have one value per customer"),
    ("analyses/clv/summary.py", "frequency must be a whole number"),
    ("analyses/clv/summary.py", "recency must lie in"),
    ("analyses/credit/apply.py", "credit: applying payments to invoices did not settle"),
    ("analyses/loyalty.py", "loyalty needs the columns "),
    ("analyses/pareto.py", "there is no column "),
    ("analyses/pareto.py", "the {} column is not numeric"),
    ("analyses/pareto.py", "there are no rows to analyse"),
    ("analyses/pareto.py", "{} {} appears on more than one row"),
    ("analyses/rfm.py", "rfm needs the ledger columns "),
    ("analyses/stages.py", "stages need an as-of date"),
    ("analyses/stages.py", "the monthly table has no "),
    ("analyses/stages.py", "the days table has no "),
    ("analyses/tiers.py", "the support file has no "),
    ("render/excel.py", "unknown language "),
}
# Errors a user can meet whose words are still English with a literal message (README, "--lang
# zh"): none.  Those put together from parts (churn's "two complete periods", the filters' "no
# order line is left", several CLV models' reasons) are said from Phrases
# (tests/test_messages_phrases.py).
STILL_ENGLISH: set[tuple[str, str]] = set()


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def _modules() -> list[tuple[str, ast.Module]]:
    return [(str(p.relative_to(SOURCE)), ast.parse(p.read_text(encoding="utf-8")))
            for p in sorted(SOURCE.rglob("*.py"))]


def _family(modules: list[tuple[str, ast.Module]]) -> set[str]:
    """The names of KamtoolError and every class derived from it in kamtool."""
    names = {"KamtoolError"}
    classes = [node for _, tree in modules for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    while True:
        more = {c.name for c in classes
                if any(isinstance(b, ast.Name) and b.id in names for b in c.bases)} - names
        if not more:
            return names
        names |= more


def _literal_text(node: ast.expr) -> str | None:
    """The words of a message written in the code (``{}`` for each value), or None when the
    message has no literal words (a variable, a call)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp):
        left, right = _literal_text(node.left), _literal_text(node.right)
        return None if left is None and right is None else (left or "{}") + (right or "{}")
    if isinstance(node, ast.IfExp):
        return _literal_text(node.body) or _literal_text(node.orelse)
    return None


def _said_calls() -> list[tuple[str, ast.Call]]:
    return [(path, node) for path, tree in _modules() for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("said", "said_with") and node.args]


def test_every_said_key_has_both_languages_and_the_fields_the_call_fills() -> None:
    labels = all_labels()
    calls = _said_calls()
    assert len(calls) > 240  # the errors converted for issue 14, and the command line's own
    checked = 0
    for path, call in calls:
        first = call.args[0]
        if isinstance(first, ast.Constant):
            keys = [first.value]
        elif isinstance(first, ast.JoinedStr):  # f"error.pareto.missing_{measure}": each it can name
            pattern = "".join(re.escape(v.value) if isinstance(v, ast.Constant) else r"\w+"
                              for v in first.values)
            keys = [k for k in labels if re.fullmatch(pattern, k)]
            assert keys, f"{path}:{call.lineno}: no label for {pattern}"
        else:
            continue  # a key chosen by a variable: its strings are checked in the next test
        given: set[str | None] = {k.arg for k in call.keywords}
        if call.func.attr == "said_with":  # type: ignore[attr-defined]  # the fields are a dict
            fields = call.args[1]
            given = ({k.value for k in fields.keys if isinstance(k, ast.Constant)}
                     if isinstance(fields, ast.Dict) and None not in fields.keys else {None})
        for key in keys:
            assert key in labels, f"{path}:{call.lineno}: no label {key!r}"
            en, zh = labels[key]
            assert zh != en or not re.search(r"[a-z]{3}", en), f"{key}: the Chinese is the English"
            assert _fields(en) == _fields(zh), f"{key}: the languages have different fields"
            if None not in given:  # no **fields
                assert given == _fields(en), f"{path}:{call.lineno}: {key} takes {_fields(en)}, given {given}"
            checked += 1
    assert checked > 240


def test_every_error_key_written_in_the_code_is_a_label() -> None:
    labels = all_labels()
    trees = [tree for _, tree in _modules()]
    # the words of an f-string key are checked with its call (the test above)
    parts = {id(v) for tree in trees for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
             for v in node.values}
    written = {node.value for tree in trees for node in ast.walk(tree)
               if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in parts
               and re.fullmatch(r"error\.[a-z0-9_.]+", node.value)}
    assert len(written) > 200
    assert sorted(written - labels.keys()) == []


def test_no_error_a_user_can_cause_is_english_only() -> None:
    modules = _modules()
    family = _family(modules)
    assert {"DataError", "ColumnError", "UsageError", "AnalysisError", "FitError", "OutputError"} <= family
    english: set[tuple[str, str]] = set()
    for path, tree in modules:
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args):
                continue
            func = node.exc.func  # UsageError(…) or card.NoSuchCustomer(…)
            name = (func.id if isinstance(func, ast.Name)
                    else func.attr if isinstance(func, ast.Attribute) else "")
            if name not in family:
                continue
            text = _literal_text(node.exc.args[0])
            if text is None:
                continue
            known = [entry for entry in INTERNAL | STILL_ENGLISH
                     if entry[0] == path and text.startswith(entry[1])]
            if not known:
                english.add((path, text))
    assert not english, f"raise these with said() and a label (labels/messages.py):\n{sorted(english)}"


def test_the_allow_lists_name_only_raises_that_exist() -> None:
    # an entry whose raise was converted (or moved) goes from the list: the lists stay true
    found = {(path, _literal_text(node.exc.args[0]) or "")
             for path, tree in _modules() for node in ast.walk(tree)
             if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args}
    for path, start in INTERNAL | STILL_ENGLISH:
        assert any(p == path and text.startswith(start) for p, text in found), (path, start)


def test_pareto_missing_measure_words_are_the_labels() -> None:
    # the raise says the label; MISSING_MEASURE keeps the same English for its other readers
    for measure, text in MISSING_MEASURE.items():
        assert label(f"error.pareto.missing_{measure}", "en") == text


def _sample(pattern: str, text: str) -> bool:
    return re.fullmatch(pattern, text, flags=re.DOTALL) is not None


@pytest.mark.parametrize("table", [words._PHRASES, words._USAGE, words._WHY])
def test_each_read_back_pattern_matches_its_own_english(table: list[tuple[str, str]]) -> None:
    # the English label filled with sample values is what the pattern reads back: the label and
    # the pattern say the same thing
    labels = all_labels()
    for pattern, key in table:
        en, zh = labels[key]
        groups = set(re.compile(pattern).groupindex)
        assert groups == _fields(en) == _fields(zh), key
        names = sorted(groups)
        filled = [en.format(**dict(zip(names, values, strict=True)))
                  for values in itertools.product(("1,234", "2", "'x'", "x", "File"), repeat=len(names))]
        assert any(_sample(pattern, text) for text in filled), (key, filled)


def test_click_usage_errors_in_chinese_keep_the_options_as_typed() -> None:
    usage = "Usage: kamtool abc [OPTIONS] {FILE...}..."
    assert words.usage_error("No such option: --nope (Possible options: --per, --to, --top)", usage,
                             "kamtool abc -h", "zh") == (
        "用法：kamtool abc [OPTIONS] {FILE...}...\n请运行 'kamtool abc -h' 查看帮助。\n\n"
        "错误：没有这个选项：--nope（可能的选项：--per, --to, --top）")
    assert words.usage_error("Invalid value for '--format' / '-f': Value error, 'xml' is not one of "
                             "'table', 'json', 'csv'.", None, None, "zh") == (
        "错误：'--format' / '-f' 的值无效：'xml' 不是 'table', 'json', 'csv' 之一。")
    assert words.usage_error("Invalid value for '--lang' (env var: 'KAMTOOL_LANG'): Value error, 'xx' is "
                             "not one of 'en', 'zh'.", None, None, "zh") == (
        "错误：'--lang' (env var: 'KAMTOOL_LANG') 的值无效：'xx' 不是 'en', 'zh' 之一。")
    # a message kamtool does not know keeps Click's words, in the reader's frame
    assert words.usage_error("Something new.", None, None, "zh") == "错误：Something new."
    assert words.usage_error("No such option: --nope", usage, "kamtool abc -h", "en") == (
        f"{usage}\nTry 'kamtool abc -h' for help.\n\nError: No such option: --nope")


def test_phrases_are_said_only_in_the_fields_that_carry_them() -> None:
    from kamtool.errors import DataError

    error = DataError.said("error.read.not_utf8_column", name="line 5", column="spans",
                           what="holds text that is not valid UTF-8")
    # the file name and the column are data, even when they read like a phrase
    assert error.in_lang("zh") == "line 5：列 spans 含有无效的 UTF-8 文本"
    assert str(error) == "line 5: column spans holds text that is not valid UTF-8"


# -- end to end, through the command line ------------------------------------------------------

def _lines(tmp_path: Path, name: str, *extra: str, keep: int = 3) -> Path:
    path = tmp_path / name
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()[:keep]
    path.write_text("\n".join([*lines, *extra]) + "\n", encoding="utf-8")
    return path


def _both(args: list[str]) -> tuple[int, str, int, str]:
    en, zh = run_kamtool(args), run_kamtool([*args, "--lang", "zh"])
    return en.code, en.stderr.strip(), zh.code, zh.stderr.strip()


def test_a_bad_date_cell_names_file_line_and_column_in_chinese(tmp_path: Path) -> None:
    row = SAMPLE.read_text(encoding="utf-8").splitlines()[3].replace("2023-01-02", "31/02/2024")
    path = _lines(tmp_path, "bad.csv", row)
    en_code, en, zh_code, zh = _both(["abc", str(path)])
    assert en_code == zh_code == 1
    assert en == (f"Error: {path} line 4: '31/02/2024' is not a date in column order_date; for day-first "
                  "dates like 31/01/2024 add --dayfirst (--skip-bad-rows skips such rows and counts them)")
    assert zh == (f"错误：{path} 第 4 行：列 order_date 中的 '31/02/2024' 不是日期；日在前的日期（如 "
                  "31/01/2024）请加 --dayfirst（--skip-bad-rows 会跳过这样的行并计数）")


def test_a_ragged_line_in_chinese(tmp_path: Path) -> None:
    path = _lines(tmp_path, "rag.csv", "SO9,2023-01-05,C1")
    en_code, en, zh_code, zh = _both(["abc", str(path)])
    assert en_code == zh_code == 1
    assert en == (f"Error: {path} line 4: 3 fields where the header has 14 ('SO9,2023-01-05,C1'); is a "
                  "quote missing? (--skip-bad-rows skips such rows and counts them)")
    assert zh == (f"错误：{path} 第 4 行：有 3 个字段，而表头有 14 个（'SO9,2023-01-05,C1'）；是否缺少引号？"
                  "（--skip-bad-rows 会跳过这样的行并计数）")


def test_a_bad_number_with_a_mapped_column(tmp_path: Path) -> None:
    en_code, en, zh_code, zh = _both(["pareto", str(SAMPLE), "--measure", "profit", "--col",
                                      "cost=customer_name"])
    assert en_code == zh_code == 1
    assert en.startswith(f"Error: {SAMPLE} line 2: 'Sunrise Architects Services' is not a number in column "
                         "customer_name; for decimal commas")
    assert zh == (f"错误：{SAMPLE} 第 2 行：列 customer_name 中的 'Sunrise Architects Services' 不是数字；"
                  "小数点为逗号的数字（如 1.234,56）请加 --decimal ,（--skip-bad-rows 会跳过这样的行并计数）")


@pytest.mark.parametrize(("args", "code", "zh"), [
    (["--col", "customer=nope"], 1,
     "错误：{sample}：--col customer=nope：没有 'nope' 列。文件中的列为：order_id, "),
    (["--where", "nosuch=1"], 1, "错误：{sample}：--where nosuch：没有这一列。文件中的列为：order_id, "),
    (["-o", "out.txt"], 2, "错误：-o out.txt：扩展名决定格式；请使用 .csv, .json, .parquet, .xlsx 之一"),
    (["-o", "nodir/x.csv"], 2, "错误：-o nodir/x.csv：文件夹 nodir 不存在"),
    (["--date-range", "2024-01-01"], 2,
     "错误：--date-range 需要 起始,结束，格式为 YYYY-MM-DD,YYYY-MM-DD（收到 '2024-01-01'）"),
    (["--thresholds", "0.9,0.8"], 2, "错误：--thresholds 必须递增（A 类分界低于 B 类分界）；收到 0.9, 0.8"),
])
def test_abc_option_and_column_errors_in_chinese(args: list[str], code: int, zh: str) -> None:
    en_run = run_kamtool(["abc", str(SAMPLE), *args])
    zh_run = run_kamtool(["abc", str(SAMPLE), *args, "--lang", "zh"])
    assert en_run.code == zh_run.code == code
    assert en_run.stderr.startswith("Error: ")
    assert zh_run.stderr.startswith(zh.format(sample=SAMPLE))
    assert not re.search(r"\b(the|is|no|takes)\b", zh_run.stderr.split("：", 1)[1].split("文件中的列为")[0])


@pytest.mark.parametrize(("command", "args", "code", "zh"), [
    ("tiers", ["--weights", "bogus=1"], 2,
     "错误：--weights：未知因素 'bogus'；因素为 strategic, profit, loyalty, elasticity, future"),
    ("credit", ["--buckets", "30,x"], 2,
     "错误：--buckets 需要以逗号分隔的整数，例如 30,60,90（收到 '30,x'）"),
    ("report", ["--split-by", "x"], 2,
     "错误：--split-by x：请给出 salesperson, region, channel, category, brand, product 之一"
     "（或文件中映射到其中之一的列名，例如 业务员）"),
])
def test_command_option_errors_in_chinese(command: str, args: list[str], code: int, zh: str) -> None:
    run = run_kamtool([command, str(SAMPLE), *args, "--lang", "zh"])
    assert (run.code, run.stderr.strip()) == (code, zh)


def test_unreadable_files_in_chinese(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\x00\x01\x02\x03binary\x00\x00")
    accounts = tmp_path / "acc.csv"
    accounts.write_text("a,b\n1,2\n", encoding="utf-8")
    assert _both(["abc", str(empty)])[2:] == (1, f"错误：{empty}：文件为空")
    assert _both(["abc", str(binary)])[2:] == (
        1, f"错误：{binary}：看起来是二进制文件，不是 CSV/Excel/Parquet 导出文件")
    code, en, zh_code, zh = _both(["tiers", str(SAMPLE), "--accounts", str(accounts)])
    assert code == zh_code == 1
    assert en == (f"Error: {accounts}: the accounts file has no customer column. Its columns are: 'a', 'b'. "
                  "Tell kamtool which one it is with customer = \"a\" under [accounts] in kamtool.toml")
    assert zh == (f"错误：{accounts}：accounts 文件没有 customer 列。其中的列为：'a', 'b'。"
                  "请在 kamtool.toml 的 [accounts] 下写 customer = \"a\" 告诉 kamtool 是哪一列")


def test_a_config_key_that_is_no_option_in_chinese(tmp_path: Path) -> None:
    config = tmp_path / "cfg.toml"
    config.write_text('[abc]\ntresholds = "0.8,0.95"\n', encoding="utf-8")
    code, en, zh_code, zh = _both(["abc", str(SAMPLE), "--config", str(config)])
    assert code == zh_code == 2
    assert en == f"Error: {config}: [abc] tresholds is not an option of kamtool abc; did you mean thresholds?"
    assert zh == f"错误：{config}：[abc] tresholds 不是 kamtool abc 的选项；您是不是想写 thresholds？"


@pytest.mark.parametrize(("args", "zh"), [
    (["abc", str(SAMPLE), "--nope"], "错误：没有这个选项：--nope（可能的选项：--per, --to, --top）"),
    (["abc"], "错误：缺少参数 'FILE...'。"),
    (["abc", str(SAMPLE), "--top", "x"], "错误：'--top' 的值无效：应为整数"),
    (["rfm", str(SAMPLE), "--bins", "1"], "错误：'--bins' 的值无效：应大于或等于 2"),
    (["abcd"], "错误：没有这个命令：'abcd'。您是不是想用 'abc'？"),
])
def test_click_usage_errors_under_lang_zh(args: list[str], zh: str) -> None:
    en_run = run_kamtool(args)
    zh_run = run_kamtool([*args, "--lang", "zh"])
    assert en_run.code == zh_run.code == 2
    command = "kamtool" if args[0] == "abcd" else f"kamtool {args[0]}"
    assert en_run.stderr.splitlines()[1] == f"Try '{command} -h' for help."
    lines = zh_run.stderr.splitlines()
    assert lines[0].startswith(f"用法：{command} [OPTIONS]")
    assert lines[1:] == [f"请运行 '{command} -h' 查看帮助。", "", zh]


def test_a_clv_fit_refusal_in_chinese(tmp_path: Path) -> None:
    few = _lines(tmp_path, "few.csv", keep=40)  # 23 customers, one of them buying twice
    code, en, zh_code, zh = _both(["clv", str(few)])
    assert code == zh_code == 1
    assert en == ("Error: BG/NBD needs at least 10 customers and 20 with a repeat purchase in the "
                  "calibration period; this data has 23 and 1. Use a longer calibration period or more "
                  "customers.")
    assert zh == ("错误：BG/NBD 需要至少 10 个客户和 20 个在校准期内有重复购买的客户；该数据有 23 个和 1 个。"
                  "请使用更长的校准期或更多客户。")
    json_en = run_kamtool(["clv", str(few), "--format", "json"])
    assert json_en.code == 1 and json_en.stdout == ""


def test_a_file_of_totals_only_in_chinese(tmp_path: Path) -> None:
    header = SAMPLE.read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "tot.csv"
    path.write_text(f"{header}\n合计,,,,,,,,,,,,100,\n", encoding="utf-8")
    code, en, zh_code, zh = _both(["abc", str(path)])
    assert code == zh_code == 1
    assert en == f"Error: {path}: no order lines left after dropping 1 totals / subtotal lines"
    assert zh == f"错误：{path}：去除合计/小计行 1 行后没有剩下订单行"


def test_the_fit_advice_and_left_out_lines_are_phrases() -> None:
    from kamtool.analyses.clv.fit import FitError

    # the advice as bgnbd.py writes it, with the figures of a fit
    advice = ("Try a longer calibration period (a later --calibration-end), a coarser --unit, or more "
              "customers; this fit had 1,234 customers, 56 with a repeat purchase.")
    error = FitError.said_with("error.fit.not_converged", {"model": "BG/NBD", "advice": advice},
                               "not_converged", model="BG/NBD")
    assert (error.code, error.figures) == ("not_converged", {"model": "BG/NBD"})
    assert str(error) == f"the BG/NBD fit did not converge. {advice}"
    assert error.in_lang("zh") == ("BG/NBD 拟合未收敛。请尝试更长的校准期（更晚的 --calibration-end）、"
                                   "更粗的 --unit 或更多客户；本次拟合有 1,234 个客户，"
                                   "其中 56 个有重复购买。")
    assert words.phrase("1,234 totals / subtotal lines, 5 amount: not a number", "zh") == (
        "合计/小计行 1,234 行、amount 列不是数字的行 5 行")
    assert words.phrase("3 apples", "zh") == "3 apples"  # not lines kamtool left out: as it is


def test_a_profile_customer_that_matches_nobody_in_chinese() -> None:
    code, en, zh_code, zh = _both(["profile", "Zzzz", str(SAMPLE)])
    assert code == zh_code == 1
    assert en == "Error: CUSTOMER 'Zzzz' matches no customer id or name"
    assert zh == "错误：客户 'Zzzz' 没有匹配到任何客户编号或名称"


def test_an_option_without_its_value_under_lang_zh() -> None:
    en_run = run_kamtool(["abc", str(SAMPLE), "--format"])
    zh_run = run_kamtool(["abc", str(SAMPLE), "--lang", "zh", "--format"])
    assert (en_run.code, en_run.stderr.strip()) == (2, "Error: Option '--format' requires an argument.")
    assert (zh_run.code, zh_run.stderr.strip()) == (2, "错误：选项 '--format' 需要一个值。")
