"""The account card's own rules on frames worked out by hand: CUSTOMER matching (ids, name
substrings in Chinese and Latin, several, none), the windows of the last 12 months and the
12 before (boundary days), the 24 months, top products and brands (ties), the sparkline,
why a part is empty; then the real CLI on a tiny export: the card's figures, exit codes,
the terminal card in both languages at 100 columns, the workbook written whole or not at
all with legal, unique sheet names."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import run_kamtool

from kamtool.analyses import profile
from kamtool.analyses.profile import CardInputs, Section, closest, folded, match
from kamtool.errors import KamtoolError
from kamtool.render.card import sparkline
from kamtool.result import Result

NAMES = {
    "A1": "Acme Trading",
    "A2": "ACME Tools",
    "Z1": "上海华东贸易有限公司",
    "Z2": "北京华东机械",
    "C0011": "",
}

# --------------------------------------------------------------------------- matching


def test_an_id_matches_exactly_and_before_any_name() -> None:
    assert match("A1", list(NAMES), NAMES) == profile.Match("id", ["A1"], [])
    assert match(" Z2 ", list(NAMES), NAMES).found == ["Z2"]
    # "a1" is no id (ids are exact) and no name holds it
    assert match("a1", list(NAMES), NAMES).kind == "none"


def test_a_name_matches_by_substring_in_chinese_and_latin_case_ignored() -> None:
    assert match("华东贸易", list(NAMES), NAMES).found == ["Z1"]
    assert match("华东", list(NAMES), NAMES).found == ["Z1", "Z2"]
    assert match("acme", list(NAMES), NAMES) == profile.Match("name", ["A1", "A2"], [])
    assert match("acme tools", list(NAMES), NAMES).found == ["A2"]
    # full-width Latin (as typed with a Chinese input method) reads as ordinary Latin
    assert match("ＡＣＭＥ ｔｏｏｌｓ", list(NAMES), NAMES).found == ["A2"]
    assert folded("ＡＢｃ ") == "abc"


def test_no_match_offers_the_closest_ids_and_names() -> None:
    found = match("Acme Tols", list(NAMES), NAMES)
    assert found.kind == "none" and found.close[0] == "ACME Tools"
    ids = ["C0011", "C0110", "C0111", "C0211"]
    # ids that hold the query come before those that are merely alike
    assert closest("c011", [i.lower() for i in ids], n=3) == ["c0110", "c0111", "c0011"]
    assert closest("zzz", ["abc"]) == []


# ------------------------------------------------------------------------- the sparkline


def test_sparkline_scales_to_the_largest_month_and_leaves_empty_months_blank() -> None:
    assert sparkline([0, 1, 2, 4, 8]) == " ▁▂▄█"
    assert sparkline([5, -3, 5]) == "█ █"
    assert sparkline([0, 0]) == "  "
    assert len(sparkline([1.0] * 24)) == 24


# ---------------------------------------------------------------------- the card's rules


def _days() -> pd.DataFrame:
    """Customer A1 around the as-of day 2025-07-01: one day before each window, each window's
    first and last day; profit known except on B1's day."""
    rows = [
        ("A1", "2023-06-30", 10.0, 5.0, 1),  # before the 12 months before
        ("A1", "2023-07-01", 20.0, 10.0, 1),  # first day of the 12 months before
        ("A1", "2024-06-30", 30.0, 15.0, 1),  # last day of the 12 months before
        ("A1", "2024-07-01", 40.0, 20.0, 1),  # first day of the last 12 months
        ("A1", "2025-06-30", 50.0, 25.0, 2),  # the day before the as-of day
        ("A1", "2025-07-01", 99.0, 9.0, 1),  # the as-of day itself: after the card
        ("B1", "2025-01-10", 7.5, float("nan"), 1),
    ]
    frame = pd.DataFrame(rows, columns=["customer", "date", "revenue", "profit", "orders"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


AS_OF = int(pd.Timestamp("2025-07-01").value // 86_400_000_000_000)


def _inputs(**sections: Section) -> CardInputs:
    lines = pd.DataFrame(
        {
            "customer": ["A1"] * 5,
            "date": pd.to_datetime(["2023-06-30", "2023-07-01", "2024-06-30", "2024-07-01", "2025-06-30"]),
            "product": ["P3", "P2", "P3", "P1", "P1"],
            "brand": ["B2", "B2", "B2", "B1", "B1"],
            "revenue": [10.0, 20.0, 30.0, 40.0, 50.0],
        }
    )
    people = pd.DataFrame(
        {
            "customer": ["A1", "A1", "B1"],
            "region": ["East", "West", None],
            "salesperson": ["Ann", "Bo", "Cy"],
            "revenue": [100.0, 50.0, 7.5],
        }
    )
    return CardInputs(
        sections=dict(sections),
        as_of=AS_OF,
        days=_days(),
        lines=lines,
        people=people,
        names={"A1": "Acme Trading", "B1": "Bolt"},
        with_orders=frozenset({"A1", "B1"}),
        has_profit=True,
    )


def test_the_last_12_months_and_the_12_before_by_hand() -> None:
    rows = profile.cards(["A1", "B1"], _inputs()).rows.set_index("customer")
    a1 = rows.loc["A1"]
    assert (a1["revenue_12m"], a1["revenue_prior_12m"]) == (90.0, 50.0)
    assert a1["revenue_change"] == pytest.approx(0.8)
    assert (a1["profit_12m"], a1["profit_prior_12m"]) == (45.0, 25.0)
    assert (a1["orders_12m"], a1["orders_prior_12m"]) == (3, 2)
    assert (a1["aov_12m"], a1["aov_prior_12m"]) == (30.0, 25.0)
    assert str(a1["first_date"].date()) == "2023-06-30" and str(a1["last_date"].date()) == "2025-06-30"
    # B1: a line of unknown cost leaves its profit unknown, not zero; no year before: no change
    b1 = rows.loc["B1"]
    assert b1["revenue_12m"] == 7.5 and pd.isna(b1["profit_12m"]) and pd.isna(b1["revenue_change"])


def test_region_is_the_one_with_most_revenue_and_the_owner_falls_back_to_the_salesperson() -> None:
    rows = profile.cards(["A1", "B1"], _inputs()).rows.set_index("customer")
    assert rows.loc["A1", "region"] == "East" and rows.loc["A1", "owner"] == "Ann"
    assert pd.isna(rows.loc["B1", "region"]) and rows.loc["B1", "owner"] == "Cy"


def test_the_24_months_end_with_the_month_before_the_as_of_day() -> None:
    result = profile.cards(["A1"], _inputs())
    months = result.tables["months"]
    assert (
        len(months) == 24 and months["month"].iloc[0] == "2023-07" and months["month"].iloc[-1] == "2025-06"
    )
    revenue = months.set_index("month")["revenue"]
    assert revenue["2023-07"] == 20.0 and revenue["2024-06"] == 30.0 and revenue["2025-06"] == 50.0
    assert revenue.sum() == 140.0  # 2023-06-30 is before the months, 2025-07-01 after
    assert result.params["first_month"] == "2023-07" and result.params["last_month"] == "2025-06"


def test_top_products_and_brands_largest_first_ties_by_name() -> None:
    tables = profile.cards(["A1"], _inputs()).tables
    products = tables["products"]
    assert list(products["product"]) == ["P1", "P3", "P2"]
    assert list(products["revenue"]) == [90.0, 40.0, 20.0]
    assert products["share"].iloc[0] == pytest.approx(90 / 150)
    assert list(tables["brands"]["brand"]) == ["B1", "B2"]  # 90 against 60
    tie = _inputs()
    assert tie.lines is not None
    tie.lines.loc[4, "revenue"] = 20.0  # B1 60, B2 60: by name
    assert list(profile.cards(["A1"], tie).tables["brands"]["brand"]) == ["B1", "B2"]


def test_each_part_says_why_it_is_empty() -> None:
    rfm_rows = pd.DataFrame(
        {
            "customer": ["A1"],
            "segment": ["Champions"],
            "r_score": [5],
            "f_score": [4],
            "m_score": [5],
            "rfm_score": [545],
            "recency": [1],
        }
    )
    rfm = Result(command="rfm", params={}, summary={}, rows=rfm_rows)
    inputs = _inputs(
        rfm=Section(rfm),
        clv=Section(None, "failed", "too few customers"),
        credit=Section(None, "no_payment_data"),
    )
    inputs.names = {**inputs.names, "P9": "Prospect"}
    result = profile.cards(["A1", "B1", "P9"], inputs)
    status = result.tables["sections"].set_index(["customer", "section"])
    assert status.loc[("A1", "rfm"), "status"] == "ok"
    assert result.rows.set_index("customer").loc["A1", "rfm_segment"] == "Champions"
    assert status.loc[("B1", "rfm"), "reason"] == "no_row"
    assert status.loc[("P9", "rfm"), "reason"] == "no_orders"
    assert status.loc[("A1", "clv"), "reason"] == "failed"
    assert status.loc[("A1", "clv"), "detail"] == "too few customers"
    assert status.loc[("A1", "credit"), "reason"] == "no_payment_data"
    assert status.loc[("A1", "tiers"), "reason"] == "not_run"
    assert status.loc[("B1", "profit"), "reason"] == "cost_unknown"
    assert pd.isna(result.rows.set_index("customer").loc["A1", "clv"])


# ---------------------------------------------------------------- the CLI on a tiny export


def _export(path: Path) -> Path:
    """A1 as in the frames above (two lines in one order on 2024-07-01), and three others."""
    lines = [
        ("O1", "2023-06-30", "A1", "Acme Trading", "East", "Ann", "P3", "B2", 10.00, 5.00),
        ("O2", "2023-07-01", "A1", "Acme Trading", "East", "Ann", "P2", "B2", 20.00, 10.00),
        ("O3", "2024-06-30", "A1", "Acme Trading", "East", "Ann", "P3", "B2", 30.00, 15.00),
        ("O4", "2024-07-01", "A1", "Acme Trading", "East", "Ann", "P1", "B1", 25.00, 12.50),
        ("O4", "2024-07-01", "A1", "Acme Trading", "East", "Ann", "P2", "B2", 15.00, 7.50),
        ("O5", "2025-06-30", "A1", "Acme Trading", "West", "Bo", "P1", "B1", 50.00, 25.00),
        ("O6", "2024-01-15", "A2", "ACME Tools", "North", "Bo", "P1", "B1", 100.00, 60.00),
        ("O7", "2025-03-01", "A2", "ACME Tools", "North", "Bo", "P2", "B2", 60.00, 30.00),
        ("O8", "2024-02-01", "Z1", "上海华东贸易有限公司", "华东", "王芳", "P1", "B1", 200.00, 120.00),
        ("O9", "2025-06-15", "Z1", "上海华东贸易有限公司", "华东", "王芳", "P3", "B2", 80.00, 40.00),
        ("O10", "2023-09-01", "Z2", "北京华东机械", "华北", "王芳", "P3", "B2", 5.00, 2.00),
    ]
    frame = pd.DataFrame(
        lines,
        columns=[
            "order_id",
            "order_date",
            "customer_id",
            "customer_name",
            "region",
            "salesperson",
            "product",
            "brand",
            "amount",
            "cost",
        ],
    )
    out = path / "orders.csv"
    frame.to_csv(out, index=False)
    return out


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _export(tmp_path_factory.mktemp("profile"))


def test_the_card_of_a_tiny_export_by_hand(export: Path) -> None:
    run = run_kamtool(["profile", "A1", str(export), "-f", "json"])
    assert run.code == 0, run.stderr
    doc = json.loads(run.stdout)
    (row,) = doc["rows"]
    assert doc["params"]["as_of"] == "2025-07-01"
    assert (row["revenue_12m"], row["revenue_prior_12m"], row["profit_12m"]) == (90.0, 50.0, 45.0)
    assert (row["orders_12m"], row["orders_prior_12m"], row["aov_12m"]) == (2, 2, 45.0)
    assert row["region"] == "East" and row["customer_name"] == "Acme Trading"
    assert row["revenue"] == 150.0 and row["revenue_rank"] == 3 and row["abc_class"] in ("A", "B", "C")
    assert row["revenue_share"] == pytest.approx(150 / 595)
    assert [p["product"] for p in doc["tables"]["products"]] == ["P1", "P3", "P2"]
    status = {s["section"]: s for s in doc["tables"]["sections"]}
    # four customers: the CLV model refuses to fit and says why; no payments: no credit
    assert status["clv"]["reason"] == "failed" and status["clv"]["detail"]
    assert status["credit"]["reason"] == "no_payment_data"
    assert row["clv"] is None and row["balance"] is None


def test_a_chinese_name_and_full_width_latin_find_their_customer(export: Path) -> None:
    run = run_kamtool(["profile", "华东贸易", str(export), "-f", "json"])
    assert run.code == 0, run.stderr
    assert [r["customer"] for r in json.loads(run.stdout)["rows"]] == ["Z1"]
    run = run_kamtool(["profile", "ＡＣＭＥ ｔｏｏｌｓ", str(export), "-f", "json"])
    assert [r["customer"] for r in json.loads(run.stdout)["rows"]] == ["A2"]


def test_several_matches_are_listed_and_exit_1(export: Path) -> None:
    run = run_kamtool(["profile", "acme", str(export)])
    assert run.code == 1 and run.stdout == ""
    assert "A1" in run.stderr and "Acme Trading" in run.stderr and "150.00" in run.stderr
    assert "A2" in run.stderr and "ACME Tools" in run.stderr and "160.00" in run.stderr
    assert "matches 2 customers" in run.stderr and "Traceback" not in run.stderr


def test_no_match_exits_1_with_the_closest(export: Path) -> None:
    run = run_kamtool(["profile", "Acme Tradng", str(export)])
    assert run.code == 1 and "closest: Acme Trading" in run.stderr and "Traceback" not in run.stderr
    run = run_kamtool(["profile", str(export)])
    assert run.code == 2 and "give CUSTOMER" in run.stderr
    run = run_kamtool(["profile", "A1", "-"], stdin=export.read_bytes())
    assert run.code == 2 and "cannot read standard input" in run.stderr


def test_the_json_is_the_same_in_both_languages(export: Path) -> None:
    english = run_kamtool(["profile", "Z1", str(export), "-f", "json", "--lang", "en"])
    chinese = run_kamtool(["profile", "Z1", str(export), "-f", "json", "--lang", "zh"])
    assert english.code == 0 and english.stdout == chinese.stdout


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["Account card · A1 · Acme Trading", "Last 12 months", "no payment data", "not computed:"]),
        ("zh", ["客户档案 · A1 · Acme Trading", "近12个月", "无收款数据", "无法计算："]),
    ],
)
def test_the_terminal_card_fits_100_columns_in_both_languages(
    export: Path, lang: str, words: list[str]
) -> None:
    from rich.console import Console

    from kamtool.cli.commands.profile import cards
    from kamtool.cli.options import Common
    from kamtool.render.card import print_cards
    from kamtool.render.excel import display_width

    result, _ = cards(Common(files=[str(export)]), query="A1", accounts=None, payments=None, as_of=None)
    out = io.StringIO()
    print_cards(result, Console(file=out, width=100, no_color=True, emoji=False, highlight=False), lang=lang)
    text = out.getvalue()
    for word in words:
        assert word in text, word
    # the sparkline of the 24 months: 2023-07 … 2025-06, with A1's four months of revenue
    spark = next(line for line in text.splitlines() if "2023-07" in line)
    assert sum(ch in "▁▂▃▄▅▆▇█" for ch in spark) == 4
    assert max(display_width(line) for line in text.splitlines()) <= 100
    # no label key or missing value shows through
    assert "profile." not in text.lower() and "nan" not in text.lower().split()


def test_data_is_text_on_the_card(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "order_id": ["O1", "O2"],
            "order_date": ["2025-01-02", "2025-02-03"],
            "customer_id": ["X1", "X1"],
            "customer_name": ['[bold]=HYPERLINK("x")\x1b[2J'] * 2,
            "amount": [10.0, 20.0],
        }
    )
    path = tmp_path / "o.csv"
    frame.to_csv(path, index=False)
    run = run_kamtool(["profile", "X1", str(path)])
    assert run.code == 0, run.stderr
    assert "\x1b[2J" not in run.stdout and "[bold]=HYPERLINK" in run.stdout
    out = tmp_path / "card.xlsx"
    assert run_kamtool(["profile", "X1", str(path), "-o", str(out)]).code == 0
    sheet = openpyxl.load_workbook(out)["X1"]
    cells = [
        c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value
    ]
    assert cells and all(c.data_type == "s" for c in cells)


def test_the_workbook_is_written_whole_or_not_at_all(
    export: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kamtool.render import card

    out = tmp_path / "card.xlsx"
    out.write_bytes(b"the old file")

    def broken(*args: object, **kwargs: object) -> None:
        raise KamtoolError("the chart broke")

    monkeypatch.setattr(card, "_add_chart", broken)
    run = run_kamtool(["profile", "A1", str(export), "-o", str(out)])
    assert run.code == 1 and "the chart broke" in run.stderr
    assert out.read_bytes() == b"the old file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card.xlsx"]


def test_sheet_names_from_ids_are_legal_unique_and_short(tmp_path: Path) -> None:
    from kamtool.render.card import write_card_book

    ids = ["Acme/Trading:Division*Number?One-001", "Acme/Trading:Division*Number?One-002", "history", "A1"]
    inputs = CardInputs(sections={}, as_of=AS_OF, names={i: "" for i in ids}, with_orders=frozenset(ids))
    result = profile.cards(ids, inputs)
    result.params["orders_basis"] = "order_id"
    path = tmp_path / "cards.xlsx"
    write_card_book(result, path, lang="en")
    names = openpyxl.load_workbook(path).sheetnames
    cards = names[1:-1]
    assert len(cards) == 4 and len({n.lower() for n in cards}) == 4
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert cards[-1] == "A1" and cards[2].lower() != "history"
    # every part of a card without data says why instead of failing
    sheet = openpyxl.load_workbook(path)["A1"]
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("not computed" in t for t in texts)
