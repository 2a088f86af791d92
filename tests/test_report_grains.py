"""The report's views of analyses that read grains (:class:`kamtool.needs.Grain`): each grain is
rolled up from the fine rows straight to its keys, and equals both the table the analysis' own
load builds and the one the old path summed from the table at every key of the needs
(:func:`kamtool.engine.grains.from_fine`); a view that nothing reads is not rolled up at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, run_kamtool

from kamtool.analyses import churn, stages
from kamtool.cli.commands.tiers import command_needs
from kamtool.engine import grains, many
from kamtool.engine.load import load
from kamtool.io.request import build_request
from kamtool.needs import Needs

SAMPLE = REPO / "sample_data"
GRAINED = {
    "churn": churn.types_needs(payments=False), "churn_payments": churn.types_needs(),
    "churn_brand": churn.types_needs(brand=True, period="month"), "stages": stages.day_needs(),
    "tiers": command_needs(),
}
# Two customers, months apart, a return, a line without salesperson, one without brand, a
# category missing on one line; due and paid dates on the invoice lines of the second file.
LINES = ("customer_id,order_id,order_date,amount,salesperson,brand,product,category,quantity,cost\n"
         "c1,O1,2024-01-05,100,Bob,Kam,P1,Toner,2,60\n"
         "c1,O1,2024-01-05,50,Bob,Nor,P2,Paper,1,30\n"
         "c1,O2,2024-02-10,-30,Bob,Kam,P1,Toner,-1,-18\n"
         "c1,O3,2024-04-01,70,,Kam,P1,,1,40\n"
         "c2,O4,2024-01-07,200,Ann,,P3,Paper,4,150\n"
         "c2,,2024-05-20,15,Ann,Nor,P3,Paper,1,9\n")
RECEIVABLES = ("customer_id,order_id,invoice_no,order_date,due_date,paid_date,amount,category\n"
               "c1,O9,INV-2,2024-04-01,2024-05-01,2024-05-03,300,Toner\n"
               "c1,O9,INV-1,2024-04-01,2024-05-01,,100,Paper\n"
               "c3,O7,INV-3,2024-07-02,2024-08-01,2024-07-20,40,Paper\n")


@pytest.fixture
def paths(tmp_path: Path) -> dict[str, str]:
    out = {"sample": str(SAMPLE / "orders.csv")}
    for name, text in (("lines", LINES), ("receivables", RECEIVABLES)):
        path = tmp_path / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        out[name] = str(path)
    return out


def _old_path(fine: Any, needs: Needs) -> dict[str, Any]:
    """The grains as the report built them before: the view at every key, then from_fine."""
    table = many.view(fine, Needs(keys=needs.grain, measures=needs.measures, figures=needs.figures)).table
    present = many.present_for(fine.ledger, needs)
    return grains.from_fine(table, needs.grain, needs.keys, needs.grains, present)[1]


def _same(left: dict[str, Any], right: dict[str, Any], name: str) -> None:
    assert left.keys() == right.keys(), name
    for grain, table in left.items():
        other = right[grain]
        assert (table is None) == (other is None), (name, grain)
        assert table is None or table.equals(other), (name, grain, table.to_pandas(), other.to_pandas())


@pytest.mark.parametrize("which", ["sample", "lines", "receivables"])
def test_each_grain_is_that_of_its_own_load_and_of_the_old_path(paths: dict[str, str], which: str) -> None:
    held = many.compact(load(build_request(many.fine_needs(), [paths[which]])))
    for name, needs in GRAINED.items():
        view = many.view(held, needs)
        direct = load(build_request(needs, [paths[which]]))
        assert view.table.equals(direct.table), name
        assert view.grains is not None and direct.grains is not None, name
        _same(view.grains, direct.grains, name)
        _same(view.grains, _old_path(held, needs), name)


def test_a_split_and_last_periods_grains_are_those_of_their_lines_alone(paths: dict[str, str]) -> None:
    import datetime as dt

    held = many.compact(load(build_request(many.fine_needs(), [paths["lines"]])))
    view = many.view(held, command_needs(), customers=["c1"], before=dt.date(2024, 4, 1))
    assert view.grains is not None
    monthly = view.grains["monthly"].to_pydict()
    # c1 before April: January with Bob (150, two lines), February's return (-30)
    assert monthly["customer"] == ["c1", "c1"] and monthly["salesperson"] == ["Bob", "Bob"]
    assert monthly["revenue_c"] == [15000, -3000] and monthly["lines"] == [2, 1]
    assert monthly["profit_c"] == [6000, -1200]
    mix = view.grains["mix"].to_pydict()  # per month × category × brand: January's Nor Paper and
    assert mix["month"] == [648, 648, 649]  # Kam Toner, February's Kam Toner (months since 1970)
    assert mix["category"] == ["Paper", "Toner", "Toner"] and mix["brand"] == ["Nor", "Kam", "Kam"]
    assert mix["revenue_c"] == [5000, 10000, -3000]


def test_without_payments_the_report_rolls_up_no_invoice_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a payments file or receivables fields on the lines, credit is skipped and churn
    reads no invoices: neither view is rolled up (each was the largest of the report's)."""
    tables: list[Any] = []
    rolled = many.view

    def view(fine: Any, needs: Needs, *args: Any, **kwargs: Any) -> Any:
        out = rolled(fine, needs, *args, **kwargs)
        tables.extend([out.table, *(out.grains or {}).values()])
        return out

    monkeypatch.setattr(many, "view", view)
    run = run_kamtool(["report", str(SAMPLE / "orders.csv"), "--format", "json"])
    assert run.code == 0, run.stderr
    assert tables and not [t for t in tables if t is not None and "invoice_id" in t.column_names]


def test_last_periods_days_are_the_rows_of_the_days_before_that_day(paths: dict[str, str]) -> None:
    """The customer-days are rolled up once per holder; last period's are its rows dated before
    the day, the same table a holder rolling up those lines alone builds, for every analysis."""
    import datetime as dt

    from kamtool.analyses import clv

    day = dt.date(2024, 4, 1)
    for which in ("sample", "lines"):
        held = many.compact(load(build_request(many.fine_needs(), [paths[which]])))
        for customers in (None, ["c1", "C0109"]):
            many.view(held, clv.NEEDS, customers=customers)  # the whole data's days first
            for name, needs in {"clv": clv.NEEDS, **GRAINED}.items():
                filtered = many.view(held, needs, customers=customers, before=day).table
                fresh = many.compact(load(build_request(many.fine_needs(), [paths[which]])))
                alone = many.view(fresh, needs, customers=customers, before=day).table
                assert filtered.equals(alone), (which, customers, name)
                assert filtered.num_rows and max(filtered["date"].to_pylist()) < day, (which, name)
