"""The terminal: Rich tables on a terminal, plain text in a pipe."""

from __future__ import annotations

import math
import os
import sys
from typing import TYPE_CHECKING, Any

from kamtool.labels import column_label, has_label, label, table_label

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from kamtool.result import Result

PERCENT_SUFFIXES = ("share", "rate", "retention", "ratio_pct")
PERCENT_NAMES = {"p_alive", "churn_rate", "retention_rate", "focal_share", "margin"}
MONEY_HINTS = ("revenue", "value", "profit", "amount", "monetary", "clv", "cost", "spend", "at_risk")


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


def is_percent(column: str) -> bool:
    return column in PERCENT_NAMES or column.endswith(PERCENT_SUFFIXES)


def is_money(column: str) -> bool:
    return any(h in column for h in MONEY_HINTS) and not is_percent(column)


def format_value(column: str, value: Any, lang: str = "en") -> str:
    import numpy as np
    import pandas as pd

    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return label("yes" if value else "no", lang)
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value.time().isoformat() == "00:00:00" else str(value)
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        if is_percent(column):
            return f"{float(value) * 100:.1f}%"
        if is_money(column):
            return f"{float(value):,.2f}"
        number = float(value)
        return f"{number:,.2f}" if abs(number) >= 100 else f"{number:.3g}"
    return str(value)


def frame_table(frame: pd.DataFrame, *, lang: str, command: str = "", title: str | None = None,
                top: int | None = None, columns: list[str] | None = None, plain: bool = False) -> Any:
    from rich import box
    from rich.table import Table

    cols = [c for c in (columns or list(frame.columns)) if c in frame.columns]
    table = Table(
        title=title, box=box.SIMPLE if plain else box.SIMPLE_HEAVY, show_edge=False,
        title_justify="left", pad_edge=False,
    )
    for col in cols:
        numeric = frame[col].dtype.kind in "iuf"
        table.add_column(column_label(str(col), command, lang), justify="right" if numeric else "left",
                         overflow="fold")
    shown = frame if top is None else frame.head(top)
    for row in shown[cols].itertuples(index=False, name=None):
        table.add_row(*(format_value(c, v, lang) for c, v in zip(cols, row, strict=True)))
    return table


def render_result(result: Result, console: Console, *, lang: str, top: int | None) -> None:
    """Headline, the main table (top N rows), extra tables, then the definitions."""
    plain = not console.is_terminal
    for sentence in result.headline:
        console.print(sentence)
    if result.headline:
        console.print()
    title_key = f"{result.command}.title"
    main = frame_table(
        result.rows, lang=lang, command=result.command, top=top, columns=result.display_columns,
        plain=plain, title=label(title_key, lang) if has_label(title_key) else None,
    )
    console.print(main)
    if top is not None and len(result.rows) > top:
        console.print(label("report.more_rows", lang).format(shown=top, total=len(result.rows)))
    for name, frame in result.tables.items():
        console.print()
        title = table_label(name, result.command, lang)
        console.print(frame_table(frame, lang=lang, command=result.command, title=title,
                                  top=max(top or 50, 50), plain=plain))
    if result.notes:
        console.print()
        for note in result.notes:
            console.print(f"  {note}", style="dim")
