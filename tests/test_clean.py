"""Types from raw export text: money, dates, totals lines, blank rows and bad values."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest

from kamtool.errors import DataError
from kamtool.io.clean import TOTALS_PATTERN, parse_date, parse_number, to_cents
from kamtool.ledger import Ledger

Loader = Callable[..., Ledger]


def numbers(values: list[Any], decimal: str = ".") -> tuple[list[float | None], list[bool]]:
    parsed, bad = parse_number(pa.array(values), decimal)
    mask = bad.to_pylist() if isinstance(bad, pa.Array | pa.ChunkedArray) else [bad.as_py()] * len(values)
    return parsed.to_pylist(), mask


def dates(values: list[Any], dayfirst: bool = False) -> tuple[list[dt.date | None], list[bool]]:
    parsed, bad = parse_date(pa.array(values), dayfirst)
    mask = bad.to_pylist() if isinstance(bad, pa.Array | pa.ChunkedArray) else [bad.as_py()] * len(values)
    return parsed.to_pylist(), mask


# -- money -------------------------------------------------------------------------------
def test_money_text() -> None:
    values, bad = numbers(["¥1,234.50", "￥88", "$5.25", "€ 3.10", "£2", "(123.45)", "1 000.00", "-$1,000",
                           "RMB 10", "12元", "USD 1,234,567.89", "+7", "(¥1,000.00)", "12,34,567.00",
                           " 0.5 ", "", None])
    assert values == [1234.50, 88.0, 5.25, 3.10, 2.0, -123.45, 1000.0, -1000.0, 10.0, 12.0, 1234567.89,
                      7.0, -1000.0, 1234567.0, 0.5, None, None]
    assert not any(bad)


def test_plain_numbers_take_the_fast_path() -> None:
    assert numbers(["1.5", "-2", "1e3"]) == ([1.5, -2.0, 1000.0], [False, False, False])


def test_decimal_comma() -> None:
    values, bad = numbers(["1.234,56", "0,44", "-12,00", "1.234.567", "€ 3,10", "(5,5)"], decimal=",")
    assert values == [1234.56, 0.44, -12.0, 1234567.0, 3.10, -5.5]
    assert not any(bad)


def test_decimal_comma_without_the_option_is_an_error_not_a_guess() -> None:
    # "12,50" is no thousands grouping; reading it as 1250 would inflate revenue 100x.
    values, bad = numbers(["12,50", "1.234,56", "1,5", "1,2345", "1,234"])
    assert bad == [True, True, True, True, False]
    assert values[4] == 1234.0


def test_decimal_point_with_the_comma_option_is_an_error() -> None:
    assert numbers(["1.5", "1.234"], decimal=",")[1] == [True, False]


@pytest.mark.parametrize("text", ["abc", "12x", "1.2.3", "--5", "nan", "inf", "-inf", "1e999", "$", "()"])
def test_not_numbers(text: str) -> None:
    values, bad = numbers([text, "1"])
    assert bad == [True, False]
    assert values[0] is None or math.isnan(values[0]) or math.isinf(values[0])


def test_typed_numbers() -> None:
    assert numbers([1, 2]) == ([1.0, 2.0], [False, False])
    values, bad = numbers([1.5, float("nan"), float("inf"), None])
    assert bad == [False, True, True, False]
    assert values[0] == 1.5


def test_to_cents_rounds_half_away_from_zero() -> None:
    # 1.005 and 2.675 are stored as 1.00499… and 2.67499…; commercial rounding still
    # gives the cent a person would write.
    cents = to_cents(pa.array([1.005, -1.005, 2.675, 0.125, -0.125, 0.1 + 0.2, 19.99, None]))
    assert cents.to_pylist() == [101, -101, 268, 13, -13, 30, 1999, None]


# -- dates ---------------------------------------------------------------------------------
def test_every_date_form() -> None:
    values, bad = dates(["2024-03-05", "2024/3/5", "2024-3-5", "2024年3月5日", "20240305", "45356",
                         "45356.75", "2024-03-05 14:30:00", "2024-03-05T08:15:00Z", "2024/3/5 9:05",
                         "2024.3.5", "3/5/2024", "2024 年 3 月 5 日", "2024-03-05 02:30 PM", "", None])
    assert values == [dt.date(2024, 3, 5)] * 14 + [None, None]
    assert not any(bad)


def test_dayfirst() -> None:
    march_5, january_31 = dt.date(2024, 3, 5), dt.date(2024, 1, 31)
    assert dates(["05/03/2024", "31/01/2024"], dayfirst=True)[0] == [march_5, january_31]
    values, bad = dates(["05/03/2024", "31/01/2024"])
    assert values[0] == dt.date(2024, 5, 3)
    assert bad == [False, True]


@pytest.mark.parametrize("text", ["2024-13-01", "yesterday", "5", "2024", "3/5/24", "12:30",
                                  # days the calendar lacks: Arrow's strptime would roll them over
                                  "2024-02-30", "2023-02-29", "2024/2/30", "20240230", "2024-04-31",
                                  "2024年2月30日", "2/30/2024"])
def test_not_dates(text: str) -> None:
    assert dates([text])[1] == [True]


def test_days_the_calendar_lacks() -> None:
    assert dates(["31/02/2024", "29/02/2024"], dayfirst=True) == ([None, dt.date(2024, 2, 29)], [True, False])
    assert dates([20240230, 20240229]) == ([None, dt.date(2024, 2, 29)], [True, False])


def test_typed_dates_and_excel_serials() -> None:
    assert dates([dt.date(2024, 3, 5)])[0] == [dt.date(2024, 3, 5)]
    assert dates([dt.datetime(2024, 3, 5, 23, 59)])[0] == [dt.date(2024, 3, 5)]
    # Serial numbers count days from 1899-12-30; 45292 is 2024-01-01.
    values, bad = dates([45292, 45292.9, 20240305, 7])
    assert values[:3] == [dt.date(2024, 1, 1), dt.date(2024, 1, 1), dt.date(2024, 3, 5)]
    assert bad == [False, False, False, True]


# -- totals lines ----------------------------------------------------------------------------
@pytest.mark.parametrize("label", [
    "合计", "总计", "小计", "合 计", "合计：", "本月合计", "本页小计", "华东区 小计", "Total", "TOTAL",
    "Totals", "Total:", "Grand Total", "grand total", "Subtotal", "Sub-total", "Sub Total", "East Total",
])
def test_totals_labels(label: str) -> None:
    assert re.search(TOTALS_PATTERN.replace("(?i)", ""), label, re.IGNORECASE)


@pytest.mark.parametrize("label", ["Totalgaz SA", "Total Office Supply", "合计公司有限", "C001",
                                   "Subtotals Inc"])
def test_customers_are_not_totals(label: str) -> None:
    assert not re.search(TOTALS_PATTERN.replace("(?i)", ""), label, re.IGNORECASE)


def test_totals_lines_are_dropped_and_counted(messy: Callable[[str], str], load_ledger: Loader) -> None:
    ledger = load_ledger(messy("totals.csv"))
    # 12 rows: A 10 and B 20, and 10 totals lines in every form
    assert ledger.stats().rows == 12
    assert dict(ledger.stats().dropped) == {"totals / subtotal lines": 10}
    assert ledger.customers.set_index("customer")["revenue"].to_dict() == {"A": 10.0, "B": 20.0}


def test_blank_rows_are_dropped_and_counted(messy: Callable[[str], str], load_ledger: Loader) -> None:
    ledger = load_ledger(messy("blank_rows.csv"))
    # ",,", " , ," and ",," are rows of nothing; the empty line is no row at all
    assert ledger.stats().rows == 5
    assert dict(ledger.stats().dropped) == {"blank rows": 3}
    assert ledger.totals()["revenue"] == 3.0


# -- whole files ------------------------------------------------------------------------------
def test_money_file(messy: Callable[[str], str], load_ledger: Loader) -> None:
    ledger = load_ledger(messy("money.csv"))
    revenue = ledger.customers.set_index("customer")["revenue"].to_dict()
    assert revenue == {"a": 1234.50, "b": 88.0, "c": 5.25, "d": 3.10, "e": 2.0, "f": -123.45, "g": 1000.0,
                       "h": -1000.0, "i": 10.0, "j": 12.0}
    totals = ledger.totals()
    # 1234.50 + 88 + 5.25 + 3.10 + 2 - 123.45 + 1000 - 1000 + 10 + 12 = 1231.40
    assert totals["revenue"] == 1231.40
    assert (totals["returns_value"], totals["return_lines"]) == (-1123.45, 2)


def test_dates_file(messy: Callable[[str], str], load_ledger: Loader) -> None:
    first = load_ledger(messy("dates.csv")).customers.set_index("customer")["first_date"].dt.date.to_dict()
    assert first == {
        "iso": dt.date(2024, 3, 5), "slash": dt.date(2024, 3, 6), "dash": dt.date(2024, 3, 7),
        "chinese": dt.date(2024, 3, 8), "compact": dt.date(2024, 3, 9), "serial": dt.date(2024, 3, 10),
        "datetime": dt.date(2024, 3, 11), "iso_t": dt.date(2024, 3, 12), "slash_time": dt.date(2024, 3, 13),
        "dotted": dt.date(2024, 3, 14),
    }


def test_dayfirst_file(messy: Callable[[str], str], load_ledger: Loader) -> None:
    first = load_ledger(messy("dayfirst.csv"), dayfirst=True).customers.set_index("customer")["first_date"]
    assert first.dt.date.to_dict() == {"a": dt.date(2024, 3, 5), "b": dt.date(2024, 1, 31)}
    with pytest.raises(DataError) as caught:
        load_ledger(messy("dayfirst.csv"))
    assert str(caught.value).startswith(
        f"{messy('dayfirst.csv')} line 3: '31/01/2024' is not a date in column Date; "
        "for day-first dates like 31/01/2024 add --dayfirst"
    )


def test_decimal_comma_file(messy: Callable[[str], str], load_ledger: Loader) -> None:
    ledger = load_ledger(messy("decimal_comma.csv"), decimal=",")
    assert ledger.totals()["revenue"] == 1223.00  # 1234.56 + 0.44 - 12.00
    with pytest.raises(DataError, match=r"line 2: '1\.234,56' is not a number in column Amount; "
                                        r"for decimal commas like 1\.234,56 add --decimal ,"):
        load_ledger(messy("decimal_comma.csv"))


def test_bad_rows_stop_the_run_with_the_first_one(messy: Callable[[str], str], load_ledger: Loader) -> None:
    with pytest.raises(DataError, match=r"bad_rows\.csv line 7: 4 fields where the header has 3"):
        load_ledger(messy("bad_rows.csv"))


def test_skip_bad_rows_counts_each_reason(messy: Callable[[str], str], load_ledger: Loader) -> None:
    ledger = load_ledger(messy("bad_rows.csv"), skip_bad_rows=True)
    assert dict(ledger.stats().dropped) == {
        "date: not a date": 2,  # 2024-02-30, "not a date"
        "amount: not a number": 1,  # "ten"
        "customer: missing": 1,
        "rows of the wrong width": 1,
    }
    assert ledger.stats().rows == 7
    assert ledger.customers.set_index("customer")["revenue"].to_dict() == {"a": 10.0, "f": 5.0}


@pytest.mark.parametrize(("body", "message"), [
    ("a,2024-01-01,\n", r"line 2: no amount \(column Amount is empty\)"),
    ("a,,1\n", r"line 2: no date \(column Date is empty\)"),
    (",2024-01-01,1\n", r"line 2: no customer \(column Customer is empty\)"),
    ("a,2024-01-01,1e300\n", r"line 2: '1e300' is too large for an amount in column Amount"),
    ("a,2024-01-01,inf\n", r"line 2: 'inf' is not a number in column Amount"),
])
def test_missing_and_impossible_values(tmp_path: Any, load_ledger: Loader, body: str, message: str) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Customer,Date,Amount\n" + body)
    with pytest.raises(DataError, match=message):
        load_ledger(path)


def test_quantity_times_price_too_large(tmp_path: Any, load_ledger: Loader) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Customer,Date,Qty,Price\na,2024-01-01,1e10,1e10\n")
    with pytest.raises(DataError, match=r"line 2: '1e\+20' is too large for an amount in column "
                                        r"quantity × unit_price"):
        load_ledger(path)
