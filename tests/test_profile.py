"""The account card on the sample data: every figure on it equals what the matching command
prints for that customer (abc, rfm, loyalty, tiers, stages, clv, churn, credit, each run
through the real CLI with its defaults), and the card's own figures (the last 12 months,
the 24 months, top products and brands, first and last order, region) equal what pandas
computes from orders.csv directly."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import REPO, run_kamtool

from kamtool.analyses.profile import PICKED
from kamtool.cli.options import Common

DATA = REPO / "sample_data"
ORDERS, ACCOUNTS, PAYMENTS = (str(DATA / n) for n in ("orders.csv", "accounts.csv", "payments.csv"))
# not in the tiers window nor in churn's two quarters; lost in churn; a prospect (accounts only)
EXTRA = ["C0005", "C0065", "P0001"]
COMMANDS: dict[str, list[str]] = {
    "abc": [],
    "rfm": [],
    "loyalty": [],
    "tiers": ["--accounts", ACCOUNTS],
    "stages": ["--accounts", ACCOUNTS],
    "clv": [],
    "churn": [],
    "credit": ["--accounts", ACCOUNTS, "--payments", PAYMENTS],
}


@pytest.fixture(scope="module")
def commands() -> dict[str, dict[str, Any]]:
    docs = {}
    for name, extra in COMMANDS.items():
        run = run_kamtool([name, ORDERS, *extra, "--format", "json"])
        assert run.code == 0, (name, run.stderr)
        docs[name] = json.loads(run.stdout)
    return docs


@pytest.fixture(scope="module")
def card(commands: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The cards of every key account and of EXTRA, as the JSON a script reads."""
    from kamtool.cli.commands.profile import cards
    from kamtool.render.records import write_json

    key = [r["customer"] for r in commands["tiers"]["rows"] if r["tier"] == "key"]
    assert len(key) >= 20
    result, _ = cards(
        Common(files=[ORDERS]),
        query=None,
        accounts=ACCOUNTS,
        payments=PAYMENTS,
        as_of=None,
        customers=key + EXTRA,
    )
    out = io.StringIO()
    write_json(result, out)
    return json.loads(out.getvalue())


def _by_customer(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(r["customer"]): r for r in rows}


@pytest.mark.parametrize("section", list(COMMANDS))
def test_every_figure_equals_the_commands_own(
    section: str, commands: dict[str, dict[str, Any]], card: dict[str, Any]
) -> None:
    theirs = _by_customer(commands[section]["rows"])
    status = {(s["customer"], s["section"]): s for s in card["tables"]["sections"]}
    compared = 0
    for row in card["rows"]:
        customer = row["customer"]
        said = status[(customer, section)]
        if customer not in theirs:
            # not in the command's rows: the card says why and shows nothing of it
            assert said["status"] == "not_computed", (section, customer)
            assert said["reason"] == ("no_orders" if customer.startswith("P") else "no_row")
            assert all(row[col] is None for col in PICKED[section].values()), (section, customer)
            continue
        assert said["status"] == "ok"
        for column, on_card in PICKED[section].items():
            assert row[on_card] == theirs[customer][column], (section, customer, column)
            compared += 1
    assert compared >= 20 * len(PICKED[section])


def test_the_sections_that_are_empty_are_the_expected_ones(card: dict[str, Any]) -> None:
    status = {(s["customer"], s["section"]): s["reason"] for s in card["tables"]["sections"]}
    assert status[("C0005", "tiers")] == "no_row" and status[("C0005", "churn")] == "no_row"
    assert status[("C0065", "churn")] is None
    rows = _by_customer(card["rows"])
    assert rows["C0065"]["churn_status"] == "lost"
    assert status[("P0001", "stages")] is None and rows["P0001"]["stage"] == "cultivation"
    assert status[("P0001", "abc")] == "no_orders" and rows["P0001"]["first_date"] is None
    assert rows["P0001"]["revenue_12m"] == 0 and rows["P0001"]["customer_name"]


def test_names_owners_and_tenure_are_the_commands(
    commands: dict[str, dict[str, Any]], card: dict[str, Any]
) -> None:
    names = {r["customer"]: r.get("customer_name") for r in commands["abc"]["rows"]}
    owners = {r["customer"]: r.get("owner") for r in commands["tiers"]["rows"]}
    tenure = {r["customer"]: r.get("tenure_months") for r in commands["stages"]["rows"]}
    for row in card["rows"]:
        customer = row["customer"]
        if customer in names:
            assert row["customer_name"] == names[customer]
        if customer in owners:
            assert row["owner"] == owners[customer]
        assert row["tenure_months"] == tenure.get(customer)
    assert card["summary"]["customers"] == len(commands["abc"]["rows"])
    assert card["summary"]["company_revenue"] == commands["abc"]["summary"]["total"]
    assert card["params"]["clv_horizon"] == commands["clv"]["params"]["horizon"]


def _orders() -> pd.DataFrame:
    frame = pd.read_csv(ORDERS, dtype={"customer_id": str}, parse_dates=["order_date"])
    frame["cents"] = (frame["amount"] * 100).round().astype("int64")
    frame["profit_cents"] = ((frame["amount"] - frame["cost"]) * 100).round().astype("int64")
    return frame


def test_the_cards_own_figures_match_the_orders_file(card: dict[str, Any]) -> None:
    orders = _orders()
    as_of = pd.Timestamp(card["params"]["as_of"])
    assert as_of == orders["order_date"].max() + pd.Timedelta(days=1)
    year, two = as_of - pd.DateOffset(years=1), as_of - pd.DateOffset(years=2)
    assert card["params"]["last_12m"] == [str(year.date()), str((as_of - pd.Timedelta(days=1)).date())]
    for row in card["rows"]:
        own = orders[orders["customer_id"] == row["customer"]]
        last = own[(own["order_date"] >= year) & (own["order_date"] < as_of)]
        prior = own[(own["order_date"] >= two) & (own["order_date"] < year)]
        assert row["revenue_12m"] == last["cents"].sum() / 100
        assert row["revenue_prior_12m"] == prior["cents"].sum() / 100
        assert row["profit_12m"] == last["profit_cents"].sum() / 100
        assert row["orders_12m"] == last["order_id"].nunique()
        assert row["orders_prior_12m"] == prior["order_id"].nunique()
        if last["order_id"].nunique():
            assert row["aov_12m"] == round(last["cents"].sum() / 100 / last["order_id"].nunique(), 2)
        if len(own):
            assert row["first_date"] == str(own["order_date"].min().date())
            assert row["last_date"] == str(own["order_date"].max().date())
            by_region = (
                own.groupby("region")["cents"].sum().sort_index().sort_values(ascending=False, kind="stable")
            )
            assert row["region"] == by_region.index[0]


def test_the_24_months_and_the_top_lists_match_the_orders_file(card: dict[str, Any]) -> None:
    orders = _orders()
    orders["month"] = orders["order_date"].dt.strftime("%Y-%m")
    months = pd.DataFrame(card["tables"]["months"])
    assert card["params"]["first_month"] == "2023-10" and card["params"]["last_month"] == "2025-09"
    for customer, own in months.groupby("customer"):
        assert list(own["month"]) == sorted(own["month"]) and len(own) == 24
        lines = orders[orders["customer_id"] == customer]
        expected = lines.groupby("month")["cents"].sum() / 100
        assert own.set_index("month")["revenue"].to_dict() == {
            m: float(expected.get(m, 0.0)) for m in own["month"]
        }
        assert own["orders"].sum() == lines[lines["month"] >= "2023-10"]["order_id"].nunique()
    for column in ("product", "brand"):
        top = pd.DataFrame(card["tables"][f"{column}s"])
        for customer, own in top.groupby("customer"):
            lines = orders[orders["customer_id"] == customer]
            sums = lines.groupby(column)["cents"].sum().reset_index()
            sums = sums.sort_values(["cents", column], ascending=[False, True]).head(5)
            assert list(own[column]) == list(sums[column])
            assert list(own["revenue"]) == list(sums["cents"] / 100)
            assert own["share"].iloc[0] == pytest.approx(sums["cents"].iloc[0] / lines["cents"].sum())


def test_the_cli_card_is_the_same_card_and_its_json_the_same_in_both_languages(card: dict[str, Any]) -> None:
    args = ["profile", "C0011", ORDERS, "--accounts", ACCOUNTS, "--payments", PAYMENTS, "-f", "json"]
    english = run_kamtool([*args, "--lang", "en"])
    chinese = run_kamtool([*args, "--lang", "zh"])
    assert english.code == 0 and chinese.code == 0, english.stderr
    assert english.stdout == chinese.stdout
    doc = json.loads(english.stdout)
    assert doc["command"] == "profile" and [r["customer"] for r in doc["rows"]] == ["C0011"]
    assert doc["rows"][0] == _by_customer(card["rows"])["C0011"]
    text = json.dumps(doc, ensure_ascii=False)
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_all_writes_one_sheet_per_key_account_with_its_chart(
    tmp_path: Path, card: dict[str, Any], commands: dict[str, dict[str, Any]]
) -> None:
    import zipfile

    import openpyxl

    out = tmp_path / "cards.xlsx"
    run = run_kamtool(["profile", "--all", ORDERS, "--accounts", ACCOUNTS, "-o", str(out), "-f", "json"])
    assert run.code == 0, run.stderr
    key = [r["customer"] for r in commands["tiers"]["rows"] if r["tier"] == "key"]
    doc = json.loads(run.stdout)
    assert sorted(r["customer"] for r in doc["rows"]) == sorted(key)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "Cards" and book.sheetnames[-1] == "Monthly revenue"
    assert sorted(book.sheetnames[1:-1]) == sorted(key)
    with zipfile.ZipFile(out) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == len(key)
    sheet = book[key[0]]
    assert sheet["A1"].value.startswith(f"Account card · {key[0]}")
    # one page: OOXML leaves out fitToWidth and fitToHeight when they are 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToHeight in (None, 1) and sheet.page_setup.fitToWidth in (None, 1)
