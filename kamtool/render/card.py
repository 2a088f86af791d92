"""The account card laid out: on the terminal (one screen, a sparkline of Unicode blocks)
and as a workbook sheet (one printed page, a native column chart of the 24 months).

Both lay out the same blocks of :mod:`kamtool.render.words.profile`; figures are formatted
by :mod:`kamtool.render.formats`; data is text, never markup, escape codes or formulas.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kamtool.labels import label
from kamtool.render.formats import Spec, figure, format_value
from kamtool.render.safe import text_for_terminal
from kamtool.render.words import profile as words

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from rich.console import Console

    from kamtool.result import Result

BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float]) -> str:
    """One character per value: ▁ (the smallest positive) … █ (the largest); a month without
    revenue (or with a net return) is a space, so a gap reads as a gap."""
    top = max((v for v in values if v > 0), default=0.0)
    if top <= 0:
        return " " * len(values)
    out = []
    for value in values:
        if value <= 0 or math.isnan(value):
            out.append(" ")
        else:
            out.append(BLOCKS[min(len(BLOCKS) - 1, max(0, math.ceil(value / top * len(BLOCKS)) - 1))])
    return "".join(out)


def _cell(value: Any, kind: str, lang: str) -> str:
    if kind == "sparkline":
        return sparkline(value)
    if kind == "text":
        return str(value)
    if kind == "change":
        if value is None or _nan(value):
            return ""
        return f"{'+' if float(value) > 0 else ''}{format_value(value, Spec('share'), lang)}"
    return format_value(value, Spec(kind), lang)


def _nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


# ---------------------------------------------------------------------------- the terminal


def print_cards(result: Result, console: Console, *, lang: str) -> None:
    """Every card of ``result``, one after the other, then the notes."""
    from rich.text import Text

    for index in range(len(result.rows)):
        if index:
            console.print()
        row = {str(k): v for k, v in result.rows.iloc[index].to_dict().items()}
        console.print(Text(text_for_terminal(words.title(row, lang), markup=False), style="bold"))
        for block in words.blocks(result, index, lang):
            console.print()
            console.print(Text(block.title, style="bold underline"))
            _print_block(console, block, lang)
    console.print()
    for note in words.notes(result, lang):
        console.print(Text(note, style="dim"))


def _print_block(console: Console, block: words.Block, lang: str) -> None:
    """A block as a grid: captions left, figures right-aligned under the block's header,
    sentences left-aligned after them; every caption column as wide as the widest."""
    from rich.table import Table
    from rich.text import Text

    from kamtool.render.excel import display_width

    caption_width = max((display_width(line.caption) for line in block.lines), default=0)
    figures = [line for line in block.lines if block.header and len(line.cells) == len(block.header)]
    sentences = [line for line in block.lines if line not in figures]

    def style(line: words.Line) -> str:
        return "bold red" if line.alert else ""

    if figures and block.header:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True, min_width=caption_width)
        for _ in block.header:
            grid.add_column(justify="right", no_wrap=True)
        grid.add_row("", *(Text(h, style="dim") for h in block.header))
        for line in figures:
            grid.add_row(
                Text(line.caption),
                *(
                    Text(text_for_terminal(_cell(v, k, lang), markup=False), style=style(line))
                    for v, k in line.cells
                ),
            )
        console.print(grid)
    if sentences:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True, min_width=caption_width)
        grid.add_column(overflow="fold")
        for line in sentences:
            text = "  ".join(_cell(v, k, lang) for v, k in line.cells if _cell(v, k, lang))
            grid.add_row(Text(line.caption), Text(text_for_terminal(text, markup=False), style=style(line)))
        console.print(grid)


def print_matches(ids: Sequence[str], names: Mapping[str, str], revenue: Any) -> None:
    """The customers a CUSTOMER matched: id, name, revenue, on stderr."""
    from rich.table import Table
    from rich.text import Text

    from kamtool.render.console import make_console

    console = make_console(stderr=True)
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column(label("profile.customer"))
    table.add_column(label("profile.customer_name"))
    table.add_column(label("profile.revenue"), justify="right")
    for customer in ids:
        value = revenue.get(customer) if customer in revenue.index else None
        table.add_row(
            Text(text_for_terminal(customer, markup=False)),
            Text(text_for_terminal(names.get(customer, ""), markup=False)),
            figure(value, "money") if value is not None else "",
        )
    console.print(table)


# ---------------------------------------------------------------------------- the workbook

# Column widths of a card sheet (Excel character units): the caption, then three figures
# (last 12 months, the 12 before, change) whose merged width holds the sentences.
_WIDTHS = (32.0, 18.0, 18.0, 12.0)
_TEXT_CHARS = 52  # what fits in the merged columns B:D before a line wraps
_ROW_HEIGHT = 15.0
_CHART_ROWS = 12  # rows under the blocks that the monthly chart covers
_CHART_WIDTH = 600  # about the width of columns A:D in pixels
_MONTH_COLUMNS = ("customer", "month", "revenue", "profit", "orders")


def write_card_book(result: Result, path: Path, *, lang: str, sources: list[str] | None = None) -> None:
    """One sheet per card (named from the customer id: legal, unique, ≤ 31 characters), an
    index sheet first when there are several, and the months of every card on a last sheet
    (the charts' data)."""
    import contextlib

    import xlsxwriter

    from kamtool.render.excel import Formats, SheetNames

    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True, "strings_to_formulas": False,
                                           "strings_to_urls": False})
    try:
        formats = Formats(book, lang)
        names = SheetNames()
        index_name = names.claim(label("profile.sheet.index", lang)) if len(result.rows) > 1 else None
        sheets = [names.claim(str(c)) for c in result.rows["customer"]]
        months_name = names.claim(label("profile.sheet.months", lang))
        if index_name is not None:
            _write_index(book.add_worksheet(index_name), formats, result, sheets, lang)
        cards = [book.add_worksheet(name) for name in sheets]
        months = book.add_worksheet(months_name)
        starts = _write_month_sheet(months, formats, result, lang)
        for i, ws in enumerate(cards):
            _write_card(book, ws, formats, result, i, lang, sources, (months_name, starts[i]))
        book.set_properties({"title": label("profile.title", lang)})
    except BaseException:
        with contextlib.suppress(Exception):
            book.close()
        raise
    book.close()


def _write_index(ws: Any, formats: Any, result: Result, sheets: list[str], lang: str) -> None:
    ws.write_string(0, 0, label("profile.title", lang), formats.sheet_title)
    headers = [label(f"profile.{k}", lang) for k in ("customer", "customer_name", "owner")] + [
        label("profile.tier", lang), label("profile.revenue_12m", lang)]
    for col, header in enumerate(headers):
        ws.write_string(1, col, header, formats.header_right if col == 4 else formats.header)
    money = formats.number("#,##0.00")
    for r, (row, sheet) in enumerate(zip(result.rows.to_dict("records"), sheets, strict=True), start=2):
        quoted = sheet.replace("'", "''")
        ws.write_url(r, 0, f"internal:'{quoted}'!A1", string=str(row["customer"]))
        for col, key in ((1, "customer_name"), (2, "owner")):
            if isinstance(row.get(key), str):
                ws.write_string(r, col, formats.text(row[key]))
        if isinstance(row.get("tier"), str):
            ws.write_string(r, 3, words.code_text("tiers", "tier", row["tier"], lang))
        if row.get("revenue_12m") is not None and not _nan(row["revenue_12m"]):
            ws.write_number(r, 4, float(row["revenue_12m"]), money)
    for col, width in enumerate((12, 34, 20, 18, 22)):
        ws.set_column(col, col, width)
    ws.freeze_panes(2, 0)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, 1)


def _write_month_sheet(ws: Any, formats: Any, result: Result, lang: str) -> list[int]:
    """Every card's 24 months (customer, month, revenue, profit, orders); returns the first
    row (0-based) of each card's months, in card order."""
    from kamtool.render.formats import EXCEL

    months = result.tables["months"]
    ws.write_string(0, 0, label("profile.sheet.months", lang), formats.sheet_title)
    captions = [label(f"profile.{c}", lang) for c in ("customer", "month", "revenue", "profit", "orders")]
    for col, caption in enumerate(captions):
        ws.write_string(1, col, caption, formats.header if col < 2 else formats.header_right)
    money, count = formats.number(EXCEL["money"]), formats.number(EXCEL["count"])
    starts: dict[str, int] = {}
    for r, values in enumerate(months[list(_MONTH_COLUMNS)].itertuples(index=False, name=None), start=2):
        customer, month, revenue, profit, orders = values
        starts.setdefault(str(customer), r)
        ws.write_string(r, 0, formats.text(str(customer)))
        ws.write_string(r, 1, str(month))
        ws.write_number(r, 2, float(revenue), money)
        if profit is not None and not _nan(profit):
            ws.write_number(r, 3, float(profit), money)
        ws.write_number(r, 4, float(orders), count)
    for col, width in enumerate((12, 10, 14, 14, 9)):
        ws.set_column(col, col, width)
    ws.freeze_panes(2, 0)
    ws.autofilter(1, 0, 1 + len(months), len(captions) - 1)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, 1)
    return [starts.get(str(c), 2) for c in result.rows["customer"]]


def _write_card(book: Any, ws: Any, formats: Any, result: Result, index: int, lang: str,
                sources: list[str] | None, months: tuple[str, int]) -> None:
    """The card on one A4 page, upright: the blocks, then the monthly revenue chart."""
    from kamtool.render.excel import display_width, title_line

    row = {str(k): v for k, v in result.rows.iloc[index].to_dict().items()}
    for col, width in enumerate(_WIDTHS):
        ws.set_column(col, col, width)
    title = formats.text(title_line(result, words.title(row, lang), lang, sources, None))
    heading = book.add_format({"bold": True, "font_size": 12, "text_wrap": True, "valign": "top"})
    ws.merge_range(0, 0, 0, len(_WIDTHS) - 1, title, heading)
    # a 12-point title holds about 80 % of the characters of the 11-point text per line
    ws.set_row(0, 16.0 * max(1, math.ceil(display_width(title) / (sum(_WIDTHS) * 0.8))))
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    alert = book.add_format({"text_wrap": True, "valign": "top", "bold": True, "font_color": "#C00000"})
    at = 2
    for block in words.blocks(result, index, lang):
        ws.write_string(at, 0, block.title, formats.section)
        for col in range(1, 4):
            ws.write_blank(at, col, None, formats.section)
        for col, header in enumerate(block.header or [], start=1):
            ws.write_string(at, col, header, formats.header_right)
        at += 1
        for line in block.lines:
            ws.write_string(at, 0, formats.text(line.caption), formats.key)
            if all(k in ("text", "sparkline") for _, k in line.cells):
                # the sparkline is the chart below: its line keeps the words beside it
                text = " · ".join(str(v) for v, k in line.cells if k == "text" and str(v))
                ws.merge_range(at, 1, at, 3, formats.text(text), alert if line.alert else wrap)
                lines = max(1, math.ceil(display_width(text) / _TEXT_CHARS))
                if lines > 1:
                    ws.set_row(at, _ROW_HEIGHT * lines)
            else:
                for col, (value, kind) in enumerate(line.cells, start=1):
                    _write_figure(ws, formats, at, col, value, kind, aligned=bool(block.header))
            at += 1
        at += 1
    _add_chart(book, ws, result, lang, at, months)
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.print_area(0, 0, at + _CHART_ROWS, len(_WIDTHS) - 1)


def _write_figure(ws: Any, formats: Any, row: int, col: int, value: Any, kind: str, *, aligned: bool) -> None:
    """A figure with its number format; right-aligned under a block's header, else left
    like the sentences around it."""
    from kamtool.render.formats import EXCEL

    if value is None or _nan(value) or (kind == "text" and value == ""):
        return
    if kind == "text":
        ws.write_string(row, col, formats.text(str(value)))
        return
    fmt = "+0.0%;-0.0%;0.0%" if kind == "change" else EXCEL.get(kind, "#,##0.00")
    cell = formats.number(fmt) if aligned else _left(formats, fmt)
    if kind == "date":
        import pandas as pd

        ws.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), cell)
    else:
        ws.write_number(row, col, float(value), cell)


def _left(formats: Any, num_format: str) -> Any:
    """A left-aligned number format of the workbook, made once."""
    cache: dict[str, Any] = formats.__dict__.setdefault("_card_left", {})
    if num_format not in cache:
        cache[num_format] = formats._book.add_format({"num_format": num_format, "align": "left"})
    return cache[num_format]


def _add_chart(book: Any, ws: Any, result: Result, lang: str, at: int, months: tuple[str, int]) -> None:
    """A native column chart of the card's 24 months (from the months sheet) under the blocks."""
    from xlsxwriter.utility import xl_range_abs

    sheet, first = months
    quoted = sheet.replace("'", "''")
    last = first + int(result.params.get("months", 24)) - 1
    chart = book.add_chart({"type": "column"})
    chart.add_series({"name": label("profile.revenue", lang),
                      "categories": f"='{quoted}'!{xl_range_abs(first, 1, last, 1)}",
                      "values": f"='{quoted}'!{xl_range_abs(first, 2, last, 2)}",
                      "fill": {"color": "#4472C4"}, "gap": 40})
    chart.set_title({"name": words.months_caption(result, lang), "name_font": {"size": 11, "bold": True}})
    chart.set_legend({"none": True})
    chart.set_y_axis({"num_format": "#,##0", "num_font": {"size": 8},
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_x_axis({"num_font": {"rotation": -45, "size": 8}})
    chart.set_size({"width": _CHART_WIDTH, "height": int(_CHART_ROWS * _ROW_HEIGHT * 4 / 3)})
    ws.insert_chart(at, 0, chart, {"x_offset": 2, "y_offset": 0})
