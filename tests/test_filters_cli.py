"""--from / --to / --where and --per through the real command line, on the sample data: the
figures equal the sample's own lines filtered by pandas, the headline and every sheet title
state the filters in both languages (JSON the same in both), errors name the option, and each
row of a --per table equals the command run with --where DIM=value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from conftest import REPO, run_kamtool

SAMPLE = REPO / "sample_data" / "orders.csv"
BOOK = REPO / "sample_data" / "订单明细.xlsx"


def _json(args: list[str]) -> dict[str, Any]:
    run = run_kamtool([*args, "--format", "json"])
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)


@pytest.fixture(scope="module")
def orders() -> pd.DataFrame:
    frame = pd.read_csv(SAMPLE, dtype={"customer_id": str})
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    return frame


def test_where_and_dates_give_the_sample_lines_filtered_by_pandas(orders: pd.DataFrame) -> None:
    args = ["inspect", str(SAMPLE), "--where", "region=West,East", "--from", "2024-03-01",
            "--to", "2024-12-31"]
    summary = _json(args)["summary"]
    dated = orders[(orders["order_date"] >= "2024-03-01") & (orders["order_date"] <= "2024-12-31")]
    kept = dated[dated["region"].isin(["West", "East"])]
    assert summary["lines"] == len(kept)
    assert summary["revenue"] == pytest.approx(round(kept["amount"].sum(), 2), abs=0.005)
    assert summary["customers"] == kept["customer_id"].nunique()
    assert summary["dropped"] == {"filtered out: --from/--to": len(orders) - len(dated),
                                  "filtered out: --where region": len(dated) - len(kept)}
    assert summary["rows_read"] == len(orders)


def test_native_and_arrow_give_the_same_json(monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["abc", str(SAMPLE), "--where", "salesperson=Alice Chen", "--from", "2024-01-01"]
    native = _json(args)
    monkeypatch.setenv("KAMTOOL_NATIVE", "off")
    arrow = _json(args)
    assert native["params"].pop("engine") == "native"
    assert arrow["params"].pop("engine") == "arrow"
    arrow["params"].pop("engine_reason")
    assert native == arrow


def test_the_chinese_workbook_filtered_by_its_own_header() -> None:
    frame = pd.read_excel(BOOK, header=2, dtype={"客户编号": str}, engine="calamine")
    frame = frame[frame["客户编号"].notna() & ~frame["客户编号"].astype(str).str.contains("合计")]
    kept = frame[frame["区域"] == "华东"]
    summary = _json(["inspect", str(BOOK), "--where", "区域=华东"])["summary"]
    assert summary["lines"] == len(kept)
    assert summary["revenue"] == pytest.approx(round(kept["金额"].sum(), 2), abs=0.005)
    assert summary["dropped"]["filtered out: --where region"] == len(frame) - len(kept)
    # the same filter named by the kamtool column, and the Chinese comma between two values
    assert _json(["inspect", str(BOOK), "--where", "region=华东"])["summary"] == summary
    two = _json(["inspect", str(BOOK), "--where", "区域=华东，华南"])["summary"]
    assert two["lines"] == int(frame["区域"].isin(["华东", "华南"]).sum())


def test_the_headline_states_the_filter_in_both_languages() -> None:
    args = ["abc", str(SAMPLE), "--where", "region=West,East", "--from", "2024-01-01"]
    en = run_kamtool(args)
    zh = run_kamtool([*args, "--lang", "zh"])
    assert en.code == zh.code == 0
    assert en.stdout.splitlines()[0] == "Filtered: order dates from 2024-01-01; region West or East."
    assert zh.stdout.splitlines()[0] == "筛选：订单日期自 2024-01-01 起；区域为West或East。"
    unfiltered = run_kamtool(["abc", str(SAMPLE)])
    assert "Filtered" not in unfiltered.stdout
    as_json = [run_kamtool([*args, "--format", "json", "--lang", lang]).stdout for lang in ("en", "zh")]
    assert as_json[0] == as_json[1]
    assert json.loads(as_json[0])["params"]["filters"] == {"from": "2024-01-01",
                                                           "where": {"region": ["West", "East"]}}


def test_the_workbook_states_the_filter_on_every_sheet(tmp_path: Path) -> None:
    out = tmp_path / "abc.xlsx"
    run = run_kamtool(["abc", str(BOOK), "--where", "区域=华东", "--to", "2025-03-31", "--per", "业务员",
                       "--lang", "zh", "-o", str(out)])
    assert run.code == 0, run.stderr
    book = openpyxl.load_workbook(out)
    summary = [c.value for c in book.worksheets[0]["A"] if c.value]
    assert "筛选：订单日期截至 2025-03-31；区域为华东。" in summary
    for ws in book.worksheets[1:]:
        if ws.sheet_state == "visible":
            assert str(ws["A1"].value).endswith("筛选：订单日期截至 2025-03-31；区域为华东"), ws.title
    per = book["各值的主要指标"]
    assert [c.value for c in per[2]][:3] == ["业务员", "个数", "基数合计"]
    assert per.max_row - 2 == len(_json(["abc", str(BOOK), "--where", "区域=华东", "--to", "2025-03-31",
                                         "--per", "业务员"])["tables"]["per"])


def test_to_moves_the_default_as_of_to_the_day_after() -> None:
    assert _json(["rfm", str(SAMPLE), "--to", "2024-12-31"])["summary"]["as_of"] == "2025-01-01"
    assert _json(["rfm", str(SAMPLE), "--to", "2024-12-31", "--as-of", "2025-02-01"])["summary"]["as_of"] \
        == "2025-02-01"
    churn = _json(["churn", str(SAMPLE), "--to", "2024-12-31"])["summary"]
    assert (churn["as_of"], churn["period_start"], churn["period_end"]) == ("2025-01-01", "2024Q3", "2024Q4")


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--where", "regionWest"], 2, "--where takes COLUMN=VALUE"),
    (["--where", "region="], 2, "--where region=: no value"),
    (["--where", "amount=5"], 2, "--where amount: amount is not a text column"),
    (["--where", "order_date=2024-01-01"], 2, "order dates are filtered with --from / --to"),
    (["--where", "region=West", "--where", "区域=East"], 2, "the column region is filtered twice"),
    (["--from", "2024-06-01", "--to", "2024-01-01"], 2, "--from 2024-06-01 is after --to 2024-01-01"),
    (["--to", "2024-02-30"], 2, "--to '2024-02-30' is not a date"),
    (["--where", "Segment=A"], 1, "--where Segment: no such column"),
    (["--where", "region=Nowhere"], 1, "no order line is left after the filters --where region=Nowhere "
                                       "(lines left out: 4,925 --where region)"),
    (["--per", "amount"], 2, "--per amount: amount is not a text column"),
    (["--by", "region", "--per", "区域"], 2, "--per 区域: the command's table is already per region"),
])
def test_bad_filters_are_one_line_errors(args: list[str], code: int, message: str) -> None:
    run = run_kamtool(["abc", str(SAMPLE), *args])
    assert run.code == code, run.stderr
    assert message in run.stderr
    assert "Traceback" not in run.stderr and run.stderr.count("\n") == 1


# command -> (--per column, the figures of each row, extra options of every run)
PER = {
    "pareto": ("region", ["entities", "total", "entities_for_target", "entities_for_target_share",
                          "top20_share", "top1_share", "gini"]),
    "abc": ("region", ["entities", "total", "class_a_entities", "class_b_entities", "class_c_entities",
                       "class_a_value_share"]),
    "rfm": ("salesperson", ["customers", "revenue"]),
    "churn": ("region", ["start_customers", "end_customers", "new", "lost", "churn_rate",
                         "net_revenue_retention", "start_revenue", "end_revenue"]),
}


@pytest.mark.parametrize("command", list(PER))
def test_each_per_row_equals_the_command_under_where(command: str) -> None:
    dim, figures = PER[command]
    whole = _json([command, str(SAMPLE), "--per", dim])
    rows = whole["tables"]["per"]
    assert [r[dim] for r in rows] == sorted({r[dim] for r in rows}) and len(rows) >= 4
    dated = ["--as-of", whole["summary"]["as_of"]] if command in ("rfm", "churn") else []
    for row in rows[:3] if command == "churn" else rows:
        alone = _json([command, str(SAMPLE), "--where", f"{dim}={row[dim]}", *dated])["summary"]
        assert {k: row[k] for k in figures} == pytest.approx({k: alone[k] for k in figures}, rel=1e-12), row
        if command == "rfm":
            segments = {k[len("segment."):]: v for k, v in row.items() if k.startswith("segment.")}
            named = {str(k).lower().replace("'", "").replace(" ", "_"): v
                     for k, v in alone["segment_counts"].items()}
            assert {k: v for k, v in segments.items() if v} == {k: v for k, v in named.items() if v}
    # --per changes none of the command's own figures, and its table reads the same in every language
    assert whole["summary"] == _json([command, str(SAMPLE)])["summary"]
    if command in ("abc", "rfm"):
        assert _json([command, str(SAMPLE), "--per", dim, "--lang", "zh"]) == whole


def test_per_with_filters_and_a_file_column(tmp_path: Path) -> None:
    frame = pd.read_csv(SAMPLE, dtype=str).rename(columns={"channel": "Vertriebsweg"})
    path = tmp_path / "orders.csv"
    frame.to_csv(path, index=False)
    whole = _json(["pareto", str(path), "--per", "Vertriebsweg", "--where", "region=West"])
    assert whole["params"]["per"] == "entity" and whole["params"]["per_label"] == "Vertriebsweg"
    for row in whole["tables"]["per"]:
        alone = _json(["pareto", str(path), "--where", f"Vertriebsweg={row['entity']}",
                       "--where", "region=West"])
        assert (row["entities"], row["total"]) == (alone["summary"]["entities"], alone["summary"]["total"])
    shown = run_kamtool(["pareto", str(path), "--per", "Vertriebsweg", "--lang", "zh"]).stdout
    assert "各值的主要指标" in shown and "Vertriebsweg" in shown
    assert "按Vertriebsweg：每行即用 --where Vertriebsweg=该值 运行本命令所得的指标。" in shown


def test_filtered_and_per_workbooks_have_every_label_in_chinese(tmp_path: Path) -> None:
    """The workbook-words rule (no caption falls back to an English key) holds with the filters
    and a --per table too: written under strict labels, every caption read is a real label."""
    from kamtool.labels import strict_labels

    for command in PER:
        out = tmp_path / f"{command}.xlsx"
        with strict_labels():
            run = run_kamtool([command, str(SAMPLE), "--where", "region=West,East", "--from", "2024-01-01",
                               "--per", "salesperson", "--lang", "zh", "-o", str(out)])
        assert run.code == 0, (command, run.stderr)
        book = openpyxl.load_workbook(out)
        per = book["各值的主要指标"]
        captions = [c.value for c in per[2]]
        assert captions[0] == "业务员", captions
        assert all(isinstance(c, str) and not c.isascii() for c in captions), captions
        summary = [str(c.value) for c in book.worksheets[0]["A"] if c.value]
        assert "筛选：订单日期自 2024-01-01 起；区域为West或East。" in summary
        assert not any(line.startswith(("Per", "Filters", "per")) for line in summary)
