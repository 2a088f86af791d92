"""`kamtool report` without a payments file: the lines loaded without credit's invoice keys.

Only credit's invoice lines read the invoice id and the due and paid dates; with no payments
file and files without receivables fields or an invoice column of their own the report loads
the lines without them (:func:`kamtool.engine.many.invoices_read`, :func:`~kamtool.engine.
many.as_full`).  Each report here is compared whole (its JSON: every analysis, the Overview,
the Data quality rows, the terminal Overview) with the report of the full load, forced by
making ``invoices_read`` say yes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO, run_kamtool

from kamtool.engine import many
from kamtool.engine.load import load
from kamtool.io.request import build_request
from kamtool.needs import Needs

SAMPLE = REPO / "sample_data"
ORDERS = SAMPLE / "orders.csv"


def _variants(tmp_path: Path) -> dict[str, Path]:
    """The sample orders as they are, with an invoice column, with receivables fields, as Parquet."""
    orders = pd.read_csv(ORDERS, dtype=str)
    out = {"plain": ORDERS}
    invoiced = orders.copy()
    invoiced.insert(1, "invoice_no", ["INV" + o[2:] for o in orders["order_id"]])
    due = orders.copy()
    due["due_date"] = (pd.to_datetime(orders["order_date"]) + pd.Timedelta(days=30)).dt.strftime("%Y-%m-%d")
    paid = orders.copy()
    paid["paid_amount"] = orders["amount"]
    for name, frame in {"invoiced": invoiced, "due": due, "paid": paid}.items():
        out[name] = tmp_path / f"{name}.csv"
        frame.to_csv(out[name], index=False)
    out["parquet"] = tmp_path / "orders.parquet"
    pd.read_csv(ORDERS).to_parquet(out["parquet"])
    return out


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _variants(tmp_path_factory.mktemp("lean"))


def _request(path: Path) -> object:
    return build_request(many.fine_needs(), [str(path)])


def test_invoice_keys_are_read_only_when_an_analysis_may_read_them(files: dict[str, Path]) -> None:
    read = {name: many.invoices_read(_request(path)) for name, path in files.items()}  # type: ignore[arg-type]
    assert read == {"plain": False, "invoiced": True, "due": True, "paid": True, "parquet": False}
    assert many.invoices_read(_request(SAMPLE / "订单明细.xlsx"))  # type: ignore[arg-type]
    assert many.invoices_read(build_request(many.fine_needs(), ["-"]))
    assert many.invoices_read(build_request(many.fine_needs(), [str(files["plain"]) + ".missing"]))


def test_the_lean_load_leaves_what_the_full_load_leaves(files: dict[str, Path]) -> None:
    for name in ("plain", "parquet"):
        path = str(files[name])
        full = load(build_request(many.fine_needs(), [path]))
        lean = many.as_full(load(build_request(many.fine_needs(invoices=False), [path])), many.fine_needs())
        assert "invoice_id" not in lean.table.column_names and "invoice_id" in full.table.column_names
        assert [s.mapping for s in lean.sources] == [s.mapping for s in full.sources], name
        assert list(lean.sources[0].mapping)[-1] == "invoice_id"  # read from the order id, as the load does
        assert lean.present == full.present and lean.keys == full.keys, name
        held, whole = many.compact(lean), many.compact(full)
        assert held.columns.keys() == whole.columns.keys() and held.keys == whole.keys


def _lean_loads(monkeypatch: pytest.MonkeyPatch) -> list[Needs]:
    asked: list[Needs] = []
    from kamtool.cli.commands import report

    loaded = report.load_ledger

    def load_ledger(common: object, needs: Needs, *args: object, **kwargs: object) -> object:
        asked.append(needs)
        return loaded(common, needs, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(report, "load_ledger", load_ledger)
    return asked


@pytest.mark.parametrize("name", ["plain", "parquet", "invoiced", "due", "paid"])
@pytest.mark.parametrize("extra", [[], ["--accounts", str(SAMPLE / "accounts.csv")],
                                   ["--payments", str(SAMPLE / "payments.csv")]])
def test_the_report_is_that_of_the_full_load(files: dict[str, Path], name: str, extra: list[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _lean_loads(monkeypatch)
    args = ["report", str(files[name]), *extra]
    json_now, text_now = run_kamtool([*args, "--format", "json"]), run_kamtool(args)
    assert json_now.code == 0 and text_now.code == 0, json_now.stderr + text_now.stderr
    lean = name in ("plain", "parquet") and "--payments" not in extra
    assert [("invoice_id" in n.keys) for n in asked] == [not lean, not lean]
    monkeypatch.setattr(many, "invoices_read", lambda request: True)
    json_full, text_full = run_kamtool([*args, "--format", "json"]), run_kamtool(args)
    assert all("invoice_id" in n.keys for n in asked[2:]) and len(asked) == 4
    assert json_now.stdout == json_full.stdout
    assert text_now.stdout == text_full.stdout and text_now.stderr == text_full.stderr


def test_a_where_on_an_invoice_key_reads_the_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--where invoice_id=…`` filters by the invoice id, which the sample's order id gives: the
    load reads the keys (the lean load has none to filter by), and every analysis is that of the
    same filter on the order id."""
    import json

    asked = _lean_loads(monkeypatch)
    reports = {}
    for column in ("invoice_id", "order_id"):
        where = f"{column}=SO000001,SO000002"
        run = run_kamtool(["report", str(ORDERS), "--where", where, "--format", "json"])
        assert run.code == 0, run.stderr
        reports[column] = json.loads(run.stdout)
    assert [("invoice_id" in n.keys) for n in asked] == [True, False]
    for name, analysis in reports["invoice_id"]["analyses"].items():  # (their params state the filter)
        same = reports["order_id"]["analyses"][name]
        assert {k: v for k, v in analysis.items() if k not in ("params", "notes")} == \
            {k: v for k, v in same.items() if k not in ("params", "notes")}, name
    assert reports["invoice_id"]["summary"]["customers"] in (1, 2)  # the two orders' customers


def test_a_split_report_is_that_of_the_full_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _lean_loads(monkeypatch)
    books = {}
    for side in ("lean", "full"):
        if side == "full":
            monkeypatch.setattr(many, "invoices_read", lambda request: True)
        (tmp_path / side).mkdir()
        run = run_kamtool(["report", str(ORDERS), "--split-by", "salesperson", "-o",
                           str(tmp_path / side / "kam_{salesperson}.json")])
        assert run.code == 0, run.stderr
        books[side] = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / side).iterdir()}
    assert ["invoice_id" in n.keys for n in asked] == [False, True]
    assert len(books["lean"]) > 1 and books["lean"] == books["full"]
