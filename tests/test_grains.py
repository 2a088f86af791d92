"""The ledgers of tiers, stages and credit: customer × month (× salesperson), the month's
category / brand / product mix, the days, and the credit grain of invoice lines.

A five-line file whose frames are worked out by hand, on the native and the Arrow engine;
then a generated file with every dimension, where the native engine, the Arrow engine (on
the same file, on Parquet and on a messy export of it) and Dask give the same table.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from kamtool.analyses import credit, loyalty, stages, tiers
from kamtool.engine.load import load
from kamtool.io.request import build_request
from kamtool.ledger import Ledger
from kamtool.needs import Needs, by_day
from tests.conftest import load_make_orders

JAN, FEB = 648, 649  # months since January 1970: (2024 − 1970) × 12 + month − 1
MONTHLY_ORDERS = Needs(keys=("customer", "month"), measures=("profit",), figures=("orders",))
ENGINES = ("native", "arrow")


def _load(path: Path | str, needs: Needs, engine: str, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    monkeypatch.setenv("KAMTOOL_NATIVE", "force" if engine == "native" else "off")
    ledger = load(build_request(needs, [str(path)]))
    assert ledger.engine == engine
    return ledger


@pytest.mark.parametrize("engine", ENGINES)
def test_monthly_for_tiers_by_salesperson(tiny: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = _load(tiny, tiers.NEEDS, engine, monkeypatch)
    assert ledger.keys == ("customer", "month", "salesperson", "brand")
    expected = pd.DataFrame({
        "customer": ["C1", "C1", "C1", "C2"],
        "month": [JAN, JAN, FEB, FEB],
        "salesperson": ["Ann", "Bob", "Ann", "Bob"],
        "revenue": [100.10, 50.0, -10.0, 230.0],
        # Bob's January line has no cost: that row's profit is unknown
        "profit": [40.10, np.nan, -15.0, 120.0],
        "lines": [1, 1, 1, 2],
    })
    got = ledger.monthly
    assert list(got.columns[:6]) == list(expected.columns)
    pdt.assert_frame_equal(got[expected.columns].astype({"customer": object, "salesperson": object}),
                           expected, check_dtype=False)
    assert got["quantity"].isna().all()


@pytest.mark.parametrize("engine", ENGINES)
def test_monthly_orders_and_unknown_profit(tiny: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    got = _load(tiny, MONTHLY_ORDERS, engine, monkeypatch).monthly
    assert list(got.columns[:5]) == ["customer", "month", "revenue", "profit", "orders"]
    assert got["customer"].tolist() == ["C1", "C1", "C2"]
    assert got["month"].tolist() == [JAN, FEB, FEB]
    assert got["revenue"].tolist() == [150.10, -10.0, 230.0]
    # C1's January has a line without cost: no known profit for the month
    assert got["profit"].isna().tolist() == [True, False, False]
    assert got["profit"].iloc[1:].tolist() == [-15.0, 120.0]
    assert got["orders"].tolist() == [2, 1, 2]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_salesperson_the_file_lacks_splits_nothing(tmp_path: Path, engine: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("customer,date,amount,order_id\nC1,2024-01-05,1,O1\nC1,2024-01-09,2,O2\n"
                    "C1,2024-01-09,4,O2\n", encoding="utf-8")
    needs = Needs(keys=("customer", "month"), optional=("salesperson",), figures=("orders",))
    monthly = _load(path, needs, engine, monkeypatch).monthly
    assert list(monthly.columns) == ["customer", "month", "revenue", "orders", "lines", "quantity"]
    assert monthly[["revenue", "orders", "lines"]].values.tolist() == [[7.0, 2, 3]]


@pytest.mark.parametrize("engine", ENGINES)
def test_mix_by_brand_and_by_every_dimension(tiny: Path, engine: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    mix = _load(tiny, tiers.NEEDS, engine, monkeypatch).mix
    assert mix is not None
    assert list(mix.columns) == ["customer", "month", "brand", "revenue", "lines"]
    rows = [(r.customer, r.month, None if pd.isna(r.brand) else r.brand, r.revenue)
            for r in mix.itertuples()]
    assert rows == [("C1", JAN, "X", 100.10), ("C1", JAN, "Y", 50.0), ("C1", FEB, "X", -10.0),
                    ("C2", FEB, "Z", 30.0), ("C2", FEB, None, 200.0)]  # an empty brand sorts last

    ledger = _load(tiny, stages.NEEDS, engine, monkeypatch)
    full = ledger.mix
    assert full is not None
    # the file has no product column: the key is empty, and the mix leaves it out
    assert list(full.columns) == ["customer", "month", "category", "brand", "revenue", "lines"]
    assert full["category"].tolist() == ["K1", "K1", "K2", "K1", "K3"]
    assert ledger.monthly["revenue"].tolist() == [150.10, -10.0, 230.0]
    assert "salesperson" not in ledger.monthly.columns


@pytest.mark.parametrize("engine", ENGINES)
def test_one_load_per_day_serves_days_monthly_and_mix(tiny: Path, engine: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = _load(tiny, by_day(stages.NEEDS), engine, monkeypatch)
    days = ledger.days
    assert list(days.columns) == ["customer", "date", "revenue", "lines"]
    assert days["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-05", "2024-01-20", "2024-02-03", "2024-02-10", "2024-02-11"]
    assert days["revenue"].tolist() == [100.10, 50.0, -10.0, 200.0, 30.0]
    assert ledger.monthly["month"].tolist() == [JAN, FEB, FEB]
    assert ledger.monthly["revenue"].tolist() == [150.10, -10.0, 230.0]
    mix = ledger.mix
    assert mix is not None and mix["revenue"].sum() == pytest.approx(370.10)
    per_month = _load(tiny, stages.NEEDS, engine, monkeypatch)
    with pytest.raises(RuntimeError, match="days needs a load per customer × date"):
        _ = per_month.days
    result = stages.stages(ledger.monthly, mix=ledger.mix, days=ledger.days, as_of="2024-03-01")
    assert set(result.rows["customer"]) == {"C1", "C2"}


@pytest.mark.parametrize("engine", ENGINES)
def test_invoices_for_credit(tiny: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = _load(tiny, credit.NEEDS, engine, monkeypatch)
    inv = ledger.invoices
    assert list(inv.columns) == ["customer", "invoice_id", "date", "due_date", "paid_date", "amount", "lines",
                                 "paid_amount"]

    def day(col: str) -> list[str | None]:
        return [None if pd.isna(v) else v.strftime("%Y-%m-%d") for v in inv[col]]

    assert inv["customer"].tolist() == ["C1", "C1", "C1", "C2", "C2"]
    assert [None if pd.isna(v) else v for v in inv["invoice_id"]] == ["I1", "I1", "I2", None, None]
    assert day("date") == ["2024-01-05", "2024-01-20", "2024-02-03", "2024-02-10", "2024-02-11"]
    assert day("due_date") == ["2024-02-05", "2024-02-05", "2024-03-03", None, None]
    assert day("paid_date") == ["2024-02-01", "2024-02-01", None, None, None]
    assert inv["amount"].tolist() == [100.10, 50.0, -10.0, 200.0, 30.0]
    # a paid_date without paid_amount stays empty: credit reads it as paid in full
    assert [None if pd.isna(v) else v for v in inv["paid_amount"]] == [50.0, None, None, None, None]
    result = credit.credit(inv, options=credit.Options(as_of="2024-03-01"))
    balance = result.rows.set_index("customer")["balance"]
    # C1: 150.10 − 10 invoiced, 50 + 50 paid on the lines; C2: 230 open
    assert balance.to_dict() == {"C1": pytest.approx(40.10), "C2": pytest.approx(230.0)}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_grain_is_let_go_once_its_frame_is_built(tiny: Path, engine: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from kamtool.analyses import churn

    needs = churn.types_needs(payments=True)
    ledger, fresh = (_load(tiny, needs, engine, monkeypatch) for _ in range(2))
    assert ledger.grains is not None and ledger.grains["mix"].num_rows == 4
    mix, invoices = ledger.mix, ledger.invoices
    assert mix is not None and ledger.mix is mix  # built once, from the table, then held
    for name in ("mix", "invoices"):  # the table let go, its columns kept
        assert ledger.grains[name].num_rows == 0
        assert fresh.grains is not None and ledger.grains[name].schema == fresh.grains[name].schema
    pdt.assert_frame_equal(mix, fresh.mix)
    pdt.assert_frame_equal(invoices, fresh.invoices)
    with pytest.raises(RuntimeError, match="read mix_of"):
        ledger.mix_of("category")

    days = _load(tiny, stages.day_needs(), engine, monkeypatch)
    breadth = days.mix_of("category")
    assert days.grains is not None and days.grains["mix_of"].num_rows == 0
    assert days.mix_of("category") is breadth and days.mix_of("brand") is None
    from kamtool.cli.commands.tiers import command_needs

    per_salesperson = _load(tiny, command_needs(), engine, monkeypatch)
    monthly = per_salesperson.monthly
    assert per_salesperson.grains is not None and per_salesperson.grains["monthly"].num_rows == 0
    assert list(monthly["customer"]) == ["C1", "C1", "C1", "C2"] and per_salesperson.monthly is monthly


@pytest.mark.parametrize("engine", ENGINES)
def test_invoice_id_falls_back_to_order_id(tmp_path: Path, engine: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("customer,date,amount,order_id\nC1,2024-01-05,10,O1\nC1,2024-01-05,5,O2\n"
                    "C1,2024-01-06,1,O1\n", encoding="utf-8")
    inv = _load(path, credit.NEEDS, engine, monkeypatch).invoices
    assert list(inv.columns) == ["customer", "invoice_id", "date", "amount", "lines"]
    assert inv["invoice_id"].tolist() == ["O1", "O1", "O2"]
    assert inv["amount"].tolist() == [10.0, 1.0, 5.0]

    bare = tmp_path / "bare.csv"
    bare.write_text("customer,date,amount\nC1,2024-01-05,10\nC1,2024-01-05,5\n", encoding="utf-8")
    inv = _load(bare, credit.NEEDS, engine, monkeypatch).invoices
    # neither id: credit takes one invoice per customer-day
    assert list(inv.columns) == ["customer", "date", "amount", "lines"]
    assert inv["amount"].tolist() == [15.0]


def test_a_second_document_number_is_the_invoice_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("客户编号,订单日期,金额,订单号,发票号\nC1,2024-01-05,10,O1,F9\n", encoding="utf-8")
    inv = _load(path, credit.NEEDS, "native", monkeypatch).invoices
    assert inv["invoice_id"].tolist() == ["F9"]


# Loyalty's grain, rolled up in the query. (C1, X, P1) nets 0 on 5 January (a return the same
# day), so its first purchase is the 20th; (C1, Y, P2) is only a return: no purchase day; the
# line without a product has no purchase row, the line without a brand keeps an empty brand.
LOYALTY_LINES = """\
customer,date,amount,brand,product
C1,2024-01-05,100,X,P1
C1,2024-01-05,-100,X,P1
C1,2024-01-20,30.5,X,P1
C1,2024-02-03,-10,Y,P2
C2,2024-02-10,200,,P1
C2,2024-02-11,30,X,
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_loyalty_grain_by_hand(tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "loyalty.csv"
    path.write_text(LOYALTY_LINES, encoding="utf-8")
    ledger = _load(path, loyalty.NEEDS, engine, monkeypatch)
    assert ledger.table_keys == ("customer", "month", "brand", "product")
    d = date
    assert ledger.table.to_pydict() == {
        "customer": ["C1", "C1", "C1", "C1", "C2", "C2", "C2"],
        "month": [JAN, FEB, None, None, FEB, FEB, None],
        "brand": ["X", "Y", "X", "Y", "X", None, None],
        "product": [None, None, "P1", "P2", None, None, "P1"],
        "revenue_c": [3050, -1000, None, None, 3000, 20000, None],
        "lines": [3, 1, 0, 0, 1, 1, 0],
        "first_date": [d(2024, 1, 5), d(2024, 2, 3), None, None, d(2024, 2, 11), d(2024, 2, 10), None],
        "last_date": [d(2024, 1, 20), d(2024, 2, 3), None, None, d(2024, 2, 11), d(2024, 2, 10), None],
        "first_purchase": [None, None, d(2024, 1, 20), None, None, None, d(2024, 2, 10)],
    }
    totals = ledger.totals()
    assert (totals["lines"], totals["revenue"]) == (6, 250.5)
    assert (totals["first_date"], totals["last_date"]) == (d(2024, 1, 5), d(2024, 2, 11))
    frame = ledger.entities
    # the same grain as purchase_grain makes of the lines themselves
    lines = pd.read_csv(path).rename(columns={"amount": "revenue"})
    by_hand = loyalty.purchase_grain(lines)

    def plain(f: pd.DataFrame) -> pd.DataFrame:
        return f.assign(**{c: f[c].astype(object).where(f[c].notna(), None)
                           for c in ("customer", "brand", "product")})

    pdt.assert_frame_equal(plain(frame), plain(by_hand), check_dtype=False)
    # the frame is the one copy of the grain now; the table keeps the same totals
    assert ledger.table.num_rows == 1
    assert ledger.totals() == totals


# --------------------------------------------------------------- every engine, every file


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    gen = load_make_orders()
    out = tmp_path_factory.mktemp("grains")
    base = out / "base.csv"
    gen.write_large(base, "csv", lines=3_000, customers=120, seed=5, start=date(2023, 7, 1),
                    end=date(2025, 6, 30), chunk_lines=1_000)
    frame = pd.read_csv(base, dtype=str)
    day = pd.to_datetime(frame["order_date"])
    n = len(frame)
    rng = np.random.default_rng(3)
    # receivables fields: an invoice per two orders, due in 30 days, two lines in three paid
    frame["invoice_id"] = [f"F{i // 2:05d}" if i % 7 else "" for i in range(n)]
    frame["due_date"] = (day + pd.Timedelta(days=30)).dt.strftime("%Y-%m-%d")
    paid = rng.random(n) < 0.66
    frame["paid_date"] = np.where(paid, (day + pd.Timedelta(days=20)).dt.strftime("%Y-%m-%d"), "")
    frame["paid_amount"] = np.where(paid & (rng.random(n) < 0.5), frame["amount"], "")
    # some lines without a brand: the key is empty there
    frame.loc[frame.index % 11 == 0, "brand"] = ""
    paths = {"csv": out / "orders.csv", "parquet": out / "orders.parquet", "messy": out / "messy.csv"}
    frame.to_csv(paths["csv"], index=False)
    typed = pd.read_csv(paths["csv"], dtype=str, keep_default_na=False).replace("", None)
    for col in ("order_date", "due_date", "paid_date"):
        typed[col] = pd.to_datetime(typed[col]).dt.date
    for col in ("quantity", "unit_price", "amount", "cost", "paid_amount"):
        typed[col] = pd.to_numeric(typed[col])
    typed.to_parquet(paths["parquet"], index=False)
    money = frame["amount"].astype(float).map(lambda v: f"¥{v:,.2f}" if v >= 0 else f"(¥{-v:,.2f})")
    dates = day.map(lambda d: f"{d.year}年{d.month}月{d.day}日")
    with open(paths["messy"], "w", encoding="utf-8", newline="") as handle:
        handle.write("订单导出\n\n")
        frame.assign(amount=money, order_date=dates).to_csv(handle, index=False)
    half = n // 2
    for i, part in enumerate((frame.iloc[:half], frame.iloc[half:])):
        paths[f"part{i}"] = out / f"part{i}.csv"
        part.to_csv(paths[f"part{i}"], index=False)
    return paths


GRAINS = {
    "tiers": tiers.NEEDS,
    "stages": stages.NEEDS,
    "stages_by_day": by_day(stages.NEEDS),
    "credit": credit.NEEDS,
    "loyalty": loyalty.NEEDS,
    "monthly_orders": Needs(keys=("customer", "month"), optional=("salesperson",), measures=("profit",),
                            figures=("orders", "active_days", "returns", "dates")),
}


def _frames(ledger: Ledger, name: str) -> list[pd.DataFrame]:
    if name == "credit":
        return [ledger.invoices]
    if name == "loyalty":
        return [ledger.entities]
    frames = [ledger.monthly]
    if ledger.mix is not None:
        frames.append(ledger.mix)
    if name == "stages_by_day":
        frames.append(ledger.days)
    return frames


@pytest.mark.parametrize("name", list(GRAINS))
def test_native_arrow_parquet_and_messy_agree(files: dict[str, Path], name: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    needs = GRAINS[name]
    reference = _load(files["csv"], needs, "arrow", monkeypatch)
    table = reference.table  # loyalty's ledger keeps only its totals once its frame is made
    # credit's table is per customer, its invoice lines a grain beside it
    assert (len(reference.invoices) if name == "credit" else table.num_rows) > 300
    for path, engine in ((files["csv"], "native"), (files["parquet"], "native"), (files["parquet"], "arrow"),
                         (files["messy"], "arrow")):
        other = _load(path, needs, engine, monkeypatch)
        assert other.table.equals(table), (path.name, engine)
        for got, want in zip(_frames(other, name), _frames(reference, name), strict=True):
            pdt.assert_frame_equal(got, want)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=50) as cluster, \
            distributed.Client(cluster) as c:
        yield c


def test_loyalty_from_the_query_equals_loyalty_from_the_lines(files: dict[str, Path],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The rolled grain and the raw lines give the same loyalty, row for row, in both modes."""
    lines = pd.read_csv(files["csv"], dtype={"brand": str, "product": str}, keep_default_na=False)
    lines = lines.replace({"brand": {"": None}}).rename(
        columns={"customer_id": "customer", "order_date": "date", "amount": "revenue"})
    for engine in ENGINES:
        grain = _load(files["csv"], loyalty.NEEDS, engine, monkeypatch).entities
        for kwargs in ({}, {"brand": "Vexa", "period": "month"}, {"new_product_grace_days": 30}):
            got, want = loyalty.loyalty(grain, **kwargs), loyalty.loyalty(lines, **kwargs)
            pdt.assert_frame_equal(got.rows, want.rows)
            for name in ("groups", "new_products"):
                pdt.assert_frame_equal(got.tables[name], want.tables[name])
            assert got.summary == want.summary
        behaviour = loyalty.loyalty(grain.drop(columns="brand"))
        pdt.assert_frame_equal(behaviour.rows, loyalty.loyalty(lines.drop(columns="brand")).rows)


def test_dask_gives_the_local_tables(files: dict[str, Path], client: Any,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    parts = [str(files["part0"]), str(files["part1"])]
    for name, needs in GRAINS.items():
        local = _load(files["csv"], needs, "native", monkeypatch)
        remote = load(build_request(needs, parts, engine="dask", scheduler=client))
        assert remote.engine == "dask"
        assert remote.table.equals(local.table), name
        for got, want in zip(_frames(remote, name), _frames(local, name), strict=True):
            pdt.assert_frame_equal(got, want)
