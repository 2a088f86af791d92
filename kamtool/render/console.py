"""The terminal: Rich tables on a terminal, plain text in a pipe."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kamtool.labels import column_label, has_label, label, message_lang, table_label
from kamtool.render.formats import column_spec, format_value
from kamtool.render.safe import text_for_terminal

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from kamtool.result import Result


# Rows of each extra table shown when no --top is given.
EXTRA_TABLE_ROWS = 50


def make_console(*, stderr: bool = False) -> Console:
    """Colour and terminal width on a terminal; plain, wide, uncoloured text in a pipe."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    is_tty = stream.isatty()
    no_color = bool(os.environ.get("NO_COLOR")) or not is_tty
    return Console(
        file=stream,
        no_color=no_color,
        highlight=False,
        force_terminal=None if is_tty else False,
        width=None if is_tty else 240,
        soft_wrap=not is_tty,
        emoji=False,
    )


def frame_table(frame: pd.DataFrame, *, lang: str, command: str = "", title: str | None = None,
                top: int | None = None, columns: list[str] | None = None, plain: bool = False,
                kinds: Mapping[str, str] | None = None, table: str | None = None,
                captions: Mapping[str, str] | None = None, totals: int = 0) -> Any:
    """A Rich table of ``frame``; every column formatted by :mod:`kamtool.render.formats`
    (``kinds``: the result's column kinds; ``table``: the frame's name in the result).  The last
    ``totals`` rows (a total row the words added) are set off by a rule and kept when ``top``
    cuts the rows above them."""
    from rich import box
    from rich.table import Table

    cols = [c for c in (columns or list(frame.columns)) if c in frame.columns]
    # Rich's SIMPLE boxes, with a rule (not a blank line) where a section ends: above a total row
    rule = "─" if plain else "━"
    sectioned = box.Box(f"    \n    \n {rule * 2} \n    \n {rule * 2} \n {rule * 2} \n    \n    \n")
    out = Table(
        title=None if title is None else text_for_terminal(title),
        box=sectioned, show_edge=False, title_justify="left", pad_edge=False,
    )
    body = frame.iloc[:len(frame) - totals] if totals else frame
    shown = body if top is None else body.head(top)
    # decimals from the whole column, as the workbook has them, not from the rows shown
    specs = [column_spec(str(c), frame[c], kinds, table) for c in cols]
    for col, spec in zip(cols, specs, strict=True):
        caption = (captions or {}).get(str(col)) or column_label(str(col), command, lang)
        numeric = spec.kind in ("money", "count", "days", "share", "number")
        # a caption may be a header from the user's file (--by HEADER): text, never markup
        out.add_column(text_for_terminal(caption), justify="right" if numeric else "left", overflow="fold")
    rows = list(shown[cols].itertuples(index=False, name=None))
    ending = frame.iloc[len(frame) - totals:] if totals else frame.iloc[:0]
    total_rows = list(ending[cols].itertuples(index=False, name=None))
    for index, row in enumerate([*rows, *total_rows]):
        # data is text, never markup or a terminal escape: "[bold]" and "\x1b[2J" print as written
        out.add_row(*(text_for_terminal(format_value(v, spec, lang))
                      for spec, v in zip(specs, row, strict=True)),
                    end_section=index == len(rows) - 1 and bool(total_rows),
                    style="bold" if index >= len(rows) else None)
    return out


def render_result(result: Result, console: Console, *, lang: str, top: int | None) -> None:
    """Headline, the main table (top N rows), extra tables, then the definitions."""
    from kamtool.render import words

    plain = not console.is_terminal
    shown = words.for_people(result, lang)
    headline = words.headline(result, lang)
    for sentence in headline:
        # sentences quote names from the data: control characters shown, never acted on
        console.print(text_for_terminal(sentence, markup=False), markup=False)
    if headline:
        console.print()
    title_key = f"{result.command}.title"

    def captions(frame: pd.DataFrame) -> dict[str, str]:
        return {str(c): words.caption(result, str(c), lang) for c in frame.columns}

    main = frame_table(
        shown.rows, lang=lang, command=result.command, top=top, columns=result.display_columns,
        plain=plain, title=label(title_key, lang) if has_label(title_key) else None,
        kinds=result.kinds, table="rows", captions=captions(shown.rows),
    )
    console.print(main)
    if top is not None and len(result.rows) > top:
        console.print(label("report.more_rows", lang).format(shown=top, total=len(result.rows)), markup=False)
    # extra tables follow --top too (a default when there is none) and say when they are cut
    limit = top if top is not None else EXTRA_TABLE_ROWS
    for name, frame in shown.tables.items():
        console.print()
        title = table_label(name, result.command, lang)
        totals = int(shown.context.get("total_rows", {}).get(name, 0))
        console.print(frame_table(frame, lang=lang, command=result.command, title=title,
                                  top=limit, plain=plain, kinds=result.kinds, table=name,
                                  captions=captions(frame), totals=totals))
        if len(frame) - totals > limit:
            more = label("report.more_table_rows", lang).format(shown=limit, total=len(frame) - totals)
            console.print(more, markup=False)
    notes = words.notes(result, lang)
    if notes:
        console.print()
        for note in notes:
            console.print(f"  {text_for_terminal(note, markup=False)}", style="dim", markup=False)


def _stderr_colour() -> bool:
    return sys.stderr.isatty() and not os.environ.get("NO_COLOR")


def print_error(message: str) -> None:
    """``Error: message`` (错误：…) on stderr, one line; the message's text (it may quote data)
    is shown as text, never as markup or escape codes."""
    _print_stderr("bold red", "message.error", message)


def print_warning(message: str) -> None:
    """``Warning: message`` (警告：…) on stderr, shown as text like :func:`print_error`."""
    _print_stderr("yellow", "message.warning", message)


def _print_stderr(style: str, tag_key: str, message: str) -> None:
    from kamtool.render.safe import text_for_terminal

    lang = message_lang()
    tag = label(tag_key, lang)
    space = "" if tag.endswith("：") else " "  # a full-width colon holds its own space
    colour = _stderr_colour()
    text = text_for_terminal(message, markup=colour)
    make_console(stderr=True).print(f"[{style}]{tag}[/]{space}{text}" if colour else f"{tag}{space}{text}",
                                    markup=colour, highlight=False)
