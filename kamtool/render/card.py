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

# Column widths of a card sheet (Excel character units): caption, three figures, a gap, and
# the months table beside them (month, revenue, orders) under the chart.
_WIDTHS = (26.0, 18.0, 18.0, 12.0, 2.0, 10.0, 14.0, 9.0)
_TEXT_CHARS = 52  # what fits in the merged figure columns B:D before a line wraps
_ROW_HEIGHT = 15.0
_CHART_ROWS = 14


def write_card_book(result: Result, path: Path, *, lang: str, sources: list[str] | None = None) -> None:
    """One sheet per card (named from the customer id: legal, unique, ≤ 31 characters),
    with an index sheet first when there are several."""
    import xlsxwriter

    from kamtool.render.excel import _Formats, _SheetNames

    book = xlsxwriter.Workbook(
        str(path), {"nan_inf_to_errors": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    try:
        formats = _Formats(book, lang)
        names = _SheetNames()
        index_name = names.claim(label("profile.sheet.index", lang)) if len(result.rows) > 1 else None
        sheets = [names.claim(str(c)) for c in result.rows["customer"]]
        if index_name is not None:
            _write_index(book.add_worksheet(index_name), formats, result, sheets, lang)
        for i, name in enumerate(sheets):
            _write_card(book, book.add_worksheet(name), formats, result, i, lang, sources)
        book.set_properties({"title": label("profile.title", lang)})
    except BaseException:
        import contextlib

        with contextlib.suppress(Exception):
            book.close()
        raise
    book.close()


def _write_index(ws: Any, formats: Any, result: Result, sheets: list[str], lang: str) -> None:
    ws.write_string(0, 0, label("profile.title", lang), formats.sheet_title)
    headers = [label(f"profile.{k}", lang) for k in ("customer", "customer_name", "owner")] + [
        label("profile.tier", lang),
        label("profile.revenue_12m", lang),
    ]
    for col, header in enumerate(headers):
        ws.write_string(1, col, header, formats.header)
    money = formats.number("#,##0.00")
    for r, (row, sheet) in enumerate(zip(result.rows.to_dict("records"), sheets, strict=True), start=2):
        quoted = sheet.replace("'", "''")
        ws.write_url(r, 0, f"internal:'{quoted}'!A1", string=str(row["customer"]))
        for col, key in ((1, "customer_name"), (2, "owner")):
            if isinstance(row.get(key), str):
                ws.write_string(r, col, formats.text(row[key]))
        if isinstance(row.get("tier"), str):
            ws.write_string(r, 3, words._code("tiers", "tier", row["tier"], lang))
        if row.get("revenue_12m") is not None and not _nan(row["revenue_12m"]):
            ws.write_number(r, 4, float(row["revenue_12m"]), money)
    for col, width in enumerate((12, 34, 20, 18, 20)):
        ws.set_column(col, col, width)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


def _write_card(
    book: Any, ws: Any, formats: Any, result: Result, index: int, lang: str, sources: list[str] | None
) -> None:
    """The card on one A4 page (landscape): blocks on the left, the monthly chart and its
    table on the right."""
    from kamtool.render.excel import _title_line, display_width

    row = {str(k): v for k, v in result.rows.iloc[index].to_dict().items()}
    for col, width in enumerate(_WIDTHS):
        ws.set_column(col, col, width)
    ws.write_string(
        0,
        0,
        formats.text(_title_line(result, words.title(row, lang), lang, sources, None)),
        formats.sheet_title,
    )
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    alert = book.add_format({"text_wrap": True, "valign": "top", "bold": True, "font_color": "#C00000"})
    at = 2
    for block in words.blocks(result, index, lang):
        ws.write_string(at, 0, block.title, formats.section)
        for col in range(1, 4):
            ws.write_blank(at, col, None, formats.section)
        if block.header:
            for col, header in enumerate(block.header, start=1):
                ws.write_string(at, col, header, formats.header_right)
        at += 1
        for line in block.lines:
            ws.write_string(at, 0, line.caption, formats.key)
            if all(k in ("text", "sparkline") for _, k in line.cells):
                text = " · ".join(str(v) for v, k in line.cells if k == "text" and str(v))
                ws.merge_range(at, 1, at, 3, formats.text(text), alert if line.alert else wrap)
                lines = max(1, math.ceil(display_width(text) / _TEXT_CHARS))
                if lines > 1:
                    ws.set_row(at, _ROW_HEIGHT * lines)
            else:
                for col, (value, kind) in enumerate(line.cells, start=1):
                    _write_figure(ws, formats, at, col, value, kind)
            at += 1
        at += 1
    _write_months(book, ws, formats, result, row["customer"], lang)
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 1)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.print_area(0, 0, max(at, _CHART_ROWS + 28), len(_WIDTHS) - 1)


def _write_figure(ws: Any, formats: Any, row: int, col: int, value: Any, kind: str) -> None:
    from kamtool.render.formats import EXCEL

    if value is None or _nan(value) or (kind == "text" and value == ""):
        return
    if kind == "text":
        ws.write_string(row, col, formats.text(str(value)))
    elif kind == "date":
        import pandas as pd

        ws.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), formats.number(EXCEL["date"]))
    else:
        fmt = "+0.0%;-0.0%;0.0%" if kind == "change" else EXCEL.get(kind, "#,##0.00")
        ws.write_number(row, col, float(value), formats.number(fmt))


def _write_months(book: Any, ws: Any, formats: Any, result: Result, customer: str, lang: str) -> None:
    """The 24 months as a table under a native column chart, right of the blocks."""
    from kamtool.render.formats import EXCEL

    months = result.tables["months"]
    own = months[months["customer"] == customer]
    first = _CHART_ROWS + 3
    headers = [label("profile.month", lang), label("profile.revenue", lang), label("profile.orders", lang)]
    for col, header in enumerate(headers, start=5):
        ws.write_string(first, col, header, formats.header if col == 5 else formats.header_right)
    money, count = formats.number(EXCEL["money"]), formats.number(EXCEL["count"])
    for r, (month, revenue, orders) in enumerate(
        zip(own["month"], own["revenue"], own["orders"], strict=True), start=first + 1
    ):
        ws.write_string(r, 5, str(month))
        ws.write_number(r, 6, float(revenue), money)
        ws.write_number(r, 7, float(orders), count)
    last = first + len(own)
    chart = book.add_chart({"type": "column"})
    sheet = ws.get_name().replace("'", "''")
    chart.add_series(
        {
            "name": label("profile.revenue", lang),
            "categories": f"='{sheet}'!$F${first + 2}:$F${last + 1}",
            "values": f"='{sheet}'!$G${first + 2}:$G${last + 1}",
            "fill": {"color": "#4472C4"},
            "gap": 40,
        }
    )
    chart.set_title({"name": words.months_caption(result, lang), "name_font": {"size": 11}})
    chart.set_legend({"none": True})
    chart.set_y_axis(
        {"num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}}
    )
    chart.set_x_axis({"num_font": {"rotation": -45, "size": 8}})
    chart.set_size({"width": 470, "height": _CHART_ROWS * 20})
    ws.insert_chart(2, 5, chart, {"x_offset": 4, "y_offset": 0})
