"""Header mapping: synonyms in English and Chinese, normalisation, --col, missing columns."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kamtool.errors import ColumnError, UsageError
from kamtool.io.columns import (
    CANONICAL,
    SYNONYMS,
    guess,
    map_columns,
    normalise,
    parse_overrides,
    require,
    score_header_row,
)
from kamtool.ledger import Ledger

Loader = Callable[..., Ledger]


@pytest.mark.parametrize(("header", "canonical"), [
    ("Customer", "customer"), ("CUSTOMER ID", "customer"), ("customer_id", "customer"),
    ("Customer-ID", "customer"), (" customer.id ", "customer"), ("客户编号", "customer"),
    ("客户 编号", "customer"), ("客户（编号）", "customer"), ("ＣＵＳＴＯＭＥＲ", "customer"),
    ("Order Date", "date"), ("订单日期", "date"), ("开票日期", "date"), ("InvoiceDate", "date"),
    ("Amount", "amount"), ("销售金额", "amount"), ("价税合计", "amount"), ("Net Sales", "amount"),
    ("Order No.", "order_id"), ("订单号", "order_id"), ("单据编号", "order_id"),
    ("Qty", "quantity"), ("数量", "quantity"), ("Unit Price", "unit_price"), ("单价", "unit_price"),
    ("Cost", "cost"), ("成本", "cost"), ("毛利", "profit"),
    ("Sales Rep", "salesperson"), ("业务员", "salesperson"), ("区域", "region"), ("渠道", "channel"),
    ("SKU", "product"), ("商品名称", "product"), ("品牌", "brand"), ("品类", "category"),
])
def test_synonyms(header: str, canonical: str) -> None:
    assert guess(header) == canonical


def test_unknown_headers_are_not_guessed() -> None:
    for header in ("Kunde Nr", "Datum", "Umsatz", "Note", "#", "", "column_4"):
        assert guess(header) is None


def test_normalise_ignores_case_width_spaces_and_punctuation() -> None:
    assert normalise(" Customer_ID ") == normalise("customer-id") == normalise("CUSTOMER.ID") == "customerid"
    assert normalise("客户（编号）") == normalise("客户 编号") == "客户编号"
    assert normalise("ＡＭＯＵＮＴ") == "amount"


def test_every_synonym_maps_to_its_own_column_or_an_earlier_one() -> None:
    # A synonym listed under two columns (客户名称) belongs to the first; no other clash.
    for canonical, names in SYNONYMS.items():
        for name in names:
            owner = guess(name)
            assert owner is not None
            assert CANONICAL.index(owner) <= CANONICAL.index(canonical)


def test_map_chinese_export() -> None:
    headers = ["序号", "订单号", "订单日期", "客户编号", "客户名称", "产品", "数量", "单价", "金额", "业务员"]
    mapping = map_columns(headers)
    assert mapping.columns == {
        "customer": "客户编号", "customer_name": "客户名称", "date": "订单日期", "amount": "金额",
        "order_id": "订单号", "quantity": "数量", "unit_price": "单价", "salesperson": "业务员",
        "product": "产品",
    }
    assert mapping.unused == ["序号"]


def test_customer_name_alone_is_the_customer() -> None:
    mapping = map_columns(["客户名称", "日期", "金额"])
    assert mapping.columns == {"customer": "客户名称", "date": "日期", "amount": "金额"}


def test_map_english_export_case_and_spaces() -> None:
    mapping = map_columns(["ORDER ID", "order date", "Customer Name", "customer id", "Line Total"])
    assert mapping.columns == {
        "customer": "customer id", "customer_name": "Customer Name", "date": "order date",
        "amount": "Line Total", "order_id": "ORDER ID",
    }


def test_overrides_win_and_free_the_guess() -> None:
    headers = ["Customer", "Kunde", "Datum", "Amount", "Umsatz"]
    mapping = map_columns(headers, {"customer": "kunde", "amount": "Umsatz", "date": "Datum"})
    # An override matches a header by the normalised name; the guessed headers stay unused.
    assert mapping.columns["customer"] == "Kunde"
    assert mapping.columns["amount"] == "Umsatz"
    assert mapping.columns["date"] == "Datum"
    assert set(mapping.unused) == {"Customer", "Amount"}


def test_override_of_a_header_that_is_not_there() -> None:
    with pytest.raises(ColumnError) as caught:
        map_columns(["Kunde", "Datum"], {"customer": "Client"}, source="x.csv")
    assert str(caught.value) == (
        "x.csv: --col customer=Client: no column 'Client'. The file's columns are: Kunde, Datum"
    )


def test_parse_overrides() -> None:
    assert parse_overrides(["customer=Kunde", " amount = Umsatz (EUR) "]) == {
        "customer": "Kunde", "amount": "Umsatz (EUR)",
    }
    assert parse_overrides(None) == {}
    with pytest.raises(UsageError, match="--col takes canonical=Header"):
        parse_overrides(["customer"])
    with pytest.raises(UsageError, match="--col takes canonical=Header"):
        parse_overrides(["customer="])
    with pytest.raises(UsageError, match="'client' is not a kamtool column; use one of customer, "):
        parse_overrides(["client=Kunde"])


def test_missing_required_column_lists_headers_and_the_col_hint() -> None:
    headers = ["Kunde", "Datum", "Umsatz"]
    mapping = map_columns(headers)
    assert mapping.columns == {"customer": "Kunde"}  # kunde is a known synonym
    with pytest.raises(ColumnError) as caught:
        require(mapping, headers, ("customer", "date", "amount"), source="de.csv")
    assert str(caught.value) == (
        "de.csv: no date / amount column (or quantity and unit_price columns) found. "
        "The file's columns are: 'Kunde', 'Datum', 'Umsatz'. "
        "Tell kamtool which one it is, e.g. --col date=Datum"
    )


def test_quantity_and_unit_price_stand_in_for_amount() -> None:
    headers = ["Customer", "Date", "Qty", "Unit Price"]
    require(map_columns(headers), headers, ("customer", "date", "amount"), source="q.csv")
    headers = ["Customer", "Date", "Qty"]
    with pytest.raises(ColumnError, match="no amount column"):
        require(map_columns(headers), headers, ("customer", "date", "amount"), source="q.csv")


def test_score_header_row_counts_distinct_columns() -> None:
    assert score_header_row(["Customer", "客户", "Date", None, "Note"]) == 2
    assert score_header_row(["销售明细表", None, None]) == 0


def test_col_override_end_to_end(messy: Callable[[str], str], load_ledger: Loader) -> None:
    with pytest.raises(ColumnError, match="--col date=Datum"):
        load_ledger(messy("unknown_headers.csv"))
    ledger = load_ledger(messy("unknown_headers.csv"), col=["date=Datum", "amount=Umsatz"])
    assert ledger.customers.set_index("customer")["revenue"].to_dict() == {"A": 5.0, "B": 7.0}


def test_amount_from_quantity_times_unit_price(messy: Callable[[str], str], load_ledger: Loader) -> None:
    ledger = load_ledger(messy("qty_price.csv"))
    row = ledger.customers.iloc[0]
    # 3 x 1.10 + 2 x 0.35 - 1 x 1.10 = 3.30 + 0.70 - 1.10 = 2.90; the -1 line is a return
    assert row["revenue"] == 2.90
    assert row["returns_value"] == -1.10
    assert row["quantity"] == 4.0
