"""`kamtool report`: one load, every analysis, figures equal to each command's own.

The rolled-up ledgers are compared with each analysis' own load (table for table), the
report's JSON with each command's JSON on the sample data, the Overview's last period with
a count done by hand in pandas, and the split and the -o templates on small frames whose
answers are written out here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import MESSY, REPO, run_kamtool

from kamtool.analyses import abc, churn, clv, credit, loyalty, rfm, stages
from kamtool.analyses.report import KPIS, Skipped, overview, owner_table, previous_as_of
from kamtool.cli.commands.tiers import command_needs
from kamtool.engine import many
from kamtool.engine.load import load
from kamtool.io.outfile import fill_template, safe_name
from kamtool.io.request import build_request
from kamtool.needs import by_day
from kamtool.result import Result

SAMPLE = REPO / "sample_data"
ORDERS = str(SAMPLE / "orders.csv")
ACCOUNTS = str(SAMPLE / "accounts.csv")
PAYMENTS = str(SAMPLE / "payments.csv")
EACH_NEEDS = {
    "abc": abc.needs(), "rfm": rfm.needs("orders"), "rfm_days": rfm.needs("days"), "loyalty": loyalty.NEEDS,
    "churn": churn.types_needs(), "stages": by_day(stages.NEEDS), "tiers": command_needs(),
    "credit": credit.NEEDS, "clv": clv.NEEDS,
}


def _json(*args: str) -> Any:
    run = run_kamtool([*args, "--format", "json"])
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)


@pytest.mark.parametrize("path", [ORDERS, str(MESSY / "money.csv"), str(MESSY / "ledger_lines.csv"),
                                  str(MESSY / "qty_price.csv"), str(MESSY / "gbk.csv"),
                                  str(MESSY / "ledger_no_order.csv")])
def test_every_view_is_the_table_of_its_own_load(path: str) -> None:
    fine = load(build_request(many.fine_needs(), [path]))
    for name, needs in EACH_NEEDS.items():
        assert many.view(many.compact(fine), needs).table.equals(many.view(fine, needs).table), name
        direct = load(build_request(needs, [path]))
        rolled = many.view(fine, needs)
        assert rolled.table.equals(direct.table), name
        assert rolled.keys == direct.keys and rolled.present == direct.present, name


@pytest.fixture(scope="module")
def report_json() -> Any:
    return _json("report", ORDERS, "--accounts", ACCOUNTS, "--payments", PAYMENTS)


COMMAND_FILES = {"tiers": ["--accounts", ACCOUNTS], "stages": ["--accounts", ACCOUNTS],
                 "churn": ["--accounts", ACCOUNTS, "--payments", PAYMENTS],
                 "credit": ["--payments", PAYMENTS, "--accounts", ACCOUNTS]}


@pytest.mark.parametrize("name", ["pareto", "abc", "rfm", "loyalty", "tiers", "stages", "churn", "clv",
                                  "credit"])
def test_each_analysis_equals_its_command(report_json: Any, name: str) -> None:
    own = _json(name, ORDERS, *COMMAND_FILES.get(name, []))
    inside = report_json["analyses"][name]
    for doc in (own, inside):  # the report's one load may take another engine than the command's
        doc["params"].pop("engine", None)
        doc["params"].pop("engine_reason", None)
    assert inside == own


def test_overview_figures_are_the_analyses_figures(report_json: Any) -> None:
    summary = report_json["summary"]
    analyses = report_json["analyses"]
    for kpi, (analysis, key, _kind) in KPIS.items():
        assert summary[kpi] == analyses[analysis]["summary"][key], kpi
    assert summary["customers"] == 300


def test_last_period_is_the_orders_before_one_quarter_earlier(report_json: Any) -> None:
    orders = pd.read_csv(ORDERS, parse_dates=["order_date"])
    assert report_json["params"]["as_of"] == "2025-09-30"  # the day after the last order
    assert report_json["params"]["previous_as_of"] == "2025-06-30"
    before = orders[orders["order_date"] < "2025-06-30"]
    previous = report_json["summary"]["previous"]
    assert previous["customers"] == before["customer_id"].nunique()
    net = before.groupby("customer_id")["amount"].sum()
    assert previous["revenue"] == pytest.approx(round(net.sum(), 2), abs=0.005)


def test_last_period_figures_are_each_command_run_on_those_orders(report_json: Any) -> None:
    """Last period's figures are the commands' own, as of 2025-06-30 on the orders dated before
    it (churn runs there without its types, which the Overview does not read)."""
    previous = report_json["summary"]["previous"]
    window = ["--to", "2025-06-29", "--as-of", "2025-06-30"]
    before = ["--to", "2025-06-29"]
    own = {"pareto": _json("pareto", ORDERS, *before), "abc": _json("abc", ORDERS, *before),
           "churn": _json("churn", ORDERS, *window, "--accounts", ACCOUNTS, "--payments", PAYMENTS),
           "credit": _json("credit", ORDERS, *window, "--payments", PAYMENTS, "--accounts", ACCOUNTS)}
    for kpi, (analysis, key, _kind) in KPIS.items():
        assert previous[kpi] == own[analysis]["summary"][key], kpi
    assert previous["churn_rate"] is not None and previous["at_risk_customers"] > 0


def test_previous_as_of_steps_back_one_quarter() -> None:
    assert previous_as_of("2025-09-30") == pd.Timestamp("2025-06-30")
    assert previous_as_of("2025-05-31") == pd.Timestamp("2025-02-28")  # no 31 February


def _result(command: str, **summary: Any) -> Result:
    return Result(command=command, params={}, summary=summary, rows=pd.DataFrame())


def test_overview_rows_by_hand() -> None:
    now = {"pareto": _result("pareto", entities=10, net_total=1000.0, top20_share=0.5, gini=0.4),
           "abc": _result("abc", class_a_entities=2, class_a_value_share=0.6),
           "churn": Skipped("failed", "needs two periods"), "credit": Skipped("no_payments")}
    before = {"pareto": _result("pareto", entities=8, net_total=700.0, top20_share=0.55, gini=None),
              "abc": _result("abc", class_a_entities=2, class_a_value_share=0.5)}
    result = overview(now, before, as_of=pd.Timestamp("2025-01-01"), last_as_of=pd.Timestamp("2024-10-01"))
    rows = result.rows.set_index("kpi")
    assert rows.loc["customers", ["value", "previous", "change"]].tolist() == [10, 8, 2]
    assert rows.loc["revenue", "change"] == 300.0
    assert rows.loc["top20_share", "change"] == pytest.approx(-0.05)
    assert pd.isna(rows.loc["gini", "previous"]) and pd.isna(rows.loc["gini", "change"])
    assert pd.isna(rows.loc["churn_rate", "value"]) and result.summary["churn_rate"] is None
    assert result.summary["key_accounts"] == 2 and result.summary["previous"]["revenue"] == 700.0
    assert result.params["analyses"] == {"pareto": "ok", "abc": "ok", "churn": "failed",
                                         "credit": "no_payments"}
    assert result.params["previous_as_of"] == "2024-10-01"


def test_report_json_is_the_same_in_every_language() -> None:
    en = run_kamtool(["report", ORDERS, "--format", "json"])
    zh = run_kamtool(["report", ORDERS, "--format", "json", "--lang", "zh"])
    assert en.code == zh.code == 0
    assert en.stdout == zh.stdout


def test_missing_payments_and_accounts_say_why_and_the_rest_runs(tmp_path: Path) -> None:
    out = tmp_path / "kam.xlsx"
    run = run_kamtool(["report", ORDERS, "-o", str(out)])
    assert run.code == 0, run.stderr
    doc = _json("report", ORDERS)
    assert doc["analyses"]["credit"] == {"skipped": "no_payments", "detail": ""}
    assert doc["summary"]["receivables_overdue"] is None
    assert doc["notes"] == {"tiers": ["no_accounts"]}
    from openpyxl import load_workbook

    book = load_workbook(out, read_only=True)
    credit_sheet = [row for row in book["Credit"].iter_rows(values_only=True) if any(row)]
    assert credit_sheet[0][0] == "Credit: not in this report"
    assert "give --payments FILE" in credit_sheet[1][0]
    tiers_cells = {c for row in book["Tiers"].iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert any(c.startswith("No accounts file (--accounts)") for c in tiers_cells)
    names = [ws.title for ws in book.worksheets if ws.sheet_state == "visible"]
    assert names[0] == "Overview" and names[-2:] == ["Data quality", "Definitions"]
    assert {"Pareto", "ABC", "RFM", "Loyalty", "Tiers", "Stages", "Churn", "CLV", "Credit"} <= set(names)


def test_no_brand_column_says_so_on_the_loyalty_sheet(tmp_path: Path) -> None:
    orders = pd.read_csv(ORDERS).drop(columns=["brand"])
    path = tmp_path / "no_brand.csv"
    orders.to_csv(path, index=False)
    doc = _json("report", str(path))
    assert "no_brand" in doc["notes"]["loyalty"]
    assert doc["analyses"]["loyalty"]["command"] == "loyalty"  # it ran, on repeat buying


def test_data_quality_counts_rows_read_and_dropped() -> None:
    doc = _json("report", str(MESSY / "totals.csv"))
    rows = doc["data_quality"]["rows"]
    items = {r["item"]: r["value"] for r in rows if r["kind"] == "orders"}
    raw = (MESSY / "totals.csv").read_text(encoding="utf-8").splitlines()
    dropped = {k: v for k, v in items.items() if k.startswith("dropped.")}
    assert items["rows_read"] == len(raw) - 1  # every line under the header
    assert items["rows_kept"] == items["rows_read"] - sum(dropped.values())
    assert dropped  # the totals line is counted, by reason
    assert items["engine"] in ("native", "arrow") and "column.customer" in items


def _fine(tmp_path: Path, text: str) -> Any:
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    return load(build_request(many.fine_needs(), [str(path)]))


def test_owner_is_the_salesperson_with_most_revenue(tmp_path: Path) -> None:
    fine = _fine(tmp_path, "customer,date,amount,salesperson\n"
                           "c1,2024-01-01,100,Bob\nc1,2024-01-02,30,Ann\nc1,2024-01-03,-20,Bob\n"
                           "c2,2024-01-01,10,Bob\nc2,2024-01-02,10,Ann\n"
                           "c3,2024-01-01,5,\n")
    owners_table = many.owners(fine, "salesperson")
    assert owners_table.to_pydict() == {"customer": ["c1", "c2", "c3"], "owner": ["Bob", "Ann", None]}
    owners = owners_table.to_pandas()
    accounts = pd.DataFrame({"customer": ["c2", "c3"], "owner": ["Cleo", " "]})
    table = owner_table(owners, accounts, "salesperson")
    assert table["owner"].tolist()[:2] == ["Bob", "Cleo"] and pd.isna(table["owner"].iloc[2])
    assert table["owner_rule"].tolist() == ["most_revenue", "accounts_owner", "most_revenue"]
    # the accounts' owner names a salesperson; a region split keeps the revenue rule
    assert owner_table(owners, accounts, "region")["owner"].tolist()[:2] == ["Bob", "Ann"]


def test_split_by_salesperson_writes_each_owners_book(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    template = str(out / "kam_{salesperson}_{date}.json")
    run = run_kamtool(["report", ORDERS, "--accounts", ACCOUNTS, "--split-by", "salesperson", "-o", template])
    assert run.code == 0, run.stderr
    accounts = pd.read_csv(ACCOUNTS).set_index("customer_id")["owner"]
    books = sorted(out.glob("*.json"))
    owners = sorted(accounts.dropna().unique())
    assert [p.name for p in books] == [f"kam_{safe_name(o)}_2025-09-30.json" for o in owners]
    seen: set[str] = set()
    for path, owner in zip(books, owners, strict=True):
        doc = json.loads(path.read_text(encoding="utf-8"))
        customers = {r["customer"] for r in doc["analyses"]["pareto"]["rows"]}
        assert customers == set(accounts[accounts == owner].index) & customers
        assert not customers & seen
        seen |= customers
        assert doc["params"]["as_of"] == "2025-09-30"  # one day for every owner's book
    orders = pd.read_csv(ORDERS)
    assert seen == set(orders["customer_id"])


def test_split_needs_a_template_and_a_known_column(tmp_path: Path) -> None:
    run = run_kamtool(["report", ORDERS, "--split-by", "salesperson"])
    assert run.code == 2 and "template" in run.stderr
    # every book to one file would keep only the last: the template must hold the split value
    run = run_kamtool(["report", ORDERS, "--split-by", "salesperson", "-o", str(tmp_path / "k_{date}.xlsx")])
    assert run.code == 2 and "{salesperson}" in run.stderr
    run = run_kamtool(["report", ORDERS, "--split-by", "Farbe", "-o", str(tmp_path / "k_{date}.xlsx")])
    assert run.code == 2 and "--split-by Farbe" in run.stderr
    run = run_kamtool(["report", ORDERS, "-o", str(tmp_path / "k_{owner}.xlsx")])
    assert run.code == 2 and "no field {owner}" in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_templates_fill_and_stay_file_names() -> None:
    fields = {"command": "abc", "date": "2025-09-30", "salesperson": "Wang/Li: 华东?"}
    assert fill_template("r/kam_{salesperson}_{date}.xlsx", fields) == "r/kam_Wang_Li_ 华东__2025-09-30.xlsx"
    assert safe_name("../etc") == "_etc"
    assert safe_name("..") == "_"
    assert safe_name(" a\tb ") == "a_b"
    assert fill_template("plain.xlsx", {}) == "plain.xlsx"


def test_every_command_fills_its_template(tmp_path: Path) -> None:
    import datetime as dt

    run = run_kamtool(["abc", ORDERS, "-o", str(tmp_path / "{command}_{date}.csv")])
    assert run.code == 0, run.stderr
    # abc has no as-of date: {date} is the day of the run
    assert [p.name for p in tmp_path.iterdir()] in ([f"abc_{dt.date.today()}.csv"],
                                                     [f"abc_{dt.date.today() - dt.timedelta(days=1)}.csv"])
    run = run_kamtool(["rfm", ORDERS, "--as-of", "2026-01-01", "-o", str(tmp_path / "{command}_{date}.json")])
    assert run.code == 0, run.stderr
    assert (tmp_path / "rfm_2026-01-01.json").exists()


def test_terminal_overview_in_both_languages() -> None:
    en = run_kamtool(["report", ORDERS, "--payments", PAYMENTS])
    assert en.code == 0, en.stderr
    assert "Churn rate" in en.stdout and "Last period" in en.stdout and "1,928,481.34" in en.stdout
    zh = run_kamtool(["report", ORDERS, "--payments", PAYMENTS, "--lang", "zh"])
    assert "客户流失率" in zh.stdout and "上期" in zh.stdout and "逾期应收账款" in zh.stdout


def test_terminal_marks_a_figure_the_report_could_not_compute() -> None:
    run = run_kamtool(["report", ORDERS])  # no payments: no receivables
    assert run.code == 0, run.stderr
    line = next(line for line in run.stdout.splitlines() if line.startswith("Receivables overdue"))
    assert line.split()[2:4] == ["–", "–"]
    assert "Not in this report: Credit (No payments" in run.stdout


def test_split_values_that_collide_as_file_names_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("customer,date,amount,region\nc1,2024-01-01,10,A/B\nc2,2024-01-02,20,A:B\n",
                    encoding="utf-8")
    run = run_kamtool(["report", str(path), "--split-by", "region", "-o", str(tmp_path / "k_{region}.json")])
    assert run.code == 2 and "would write the same file" in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["orders.csv"]


def test_the_json_document_is_one_line_holding_each_commands_own_text(tmp_path: Path) -> None:
    """The report's JSON is written as it goes, each analysis by its command's own writer, not
    parsed back to be nested: one line, on stdout and in a .json file alike, and the text of
    an analysis is the command's JSON text."""
    run = run_kamtool(["report", ORDERS, "--format", "json"])
    assert run.code == 0, run.stderr
    assert run.stdout.endswith("}\n")  # one line, as every command's (a blank line had followed)
    line = run.stdout[:-1]
    assert "\n" not in line and json.loads(line)["command"] == "report"
    own = run_kamtool(["abc", ORDERS, "--format", "json"])
    abc_text = own.stdout.rstrip("\n")
    assert abc_text[abc_text.index('"rows": '):] in line  # (the params may name another engine)
    out = tmp_path / "report.json"
    assert run_kamtool(["report", ORDERS, "-o", str(out)]).code == 0
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(line)
