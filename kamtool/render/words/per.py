"""The words of ``--per DIM``: the captions of the ``per`` table, its note, its "(none)" row.

The table's columns are summary keys of the command (``top20_share``, ``class_a_entities``,
``churn_rate``) and rfm's ``segment.{code}``: they read as the Summary sheet's captions of the
same figures (``kpi.*`` / ``{command}.kpi.*``), so a figure has one name in the headline's
table, the Summary sheet and the per-value table.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kamtool.labels import has_label, label

if TYPE_CHECKING:
    from kamtool.result import Result

_CLASS_KEY = re.compile(r"class_([a-z0-9]+)_(.+)")


def _only_in_per(result: Result, column: str) -> bool:
    """The column is one of the per table's figures and no other table's column."""
    per = result.tables.get("per")
    if per is None or column not in per.columns or column == result.params.get("per"):
        return False
    others = [result.rows, *(t for name, t in result.tables.items() if name != "per")]
    return not any(column in frame.columns for frame in others)


def caption(result: Result, column: str, lang: str) -> str | None:
    """The caption of a per-table figure, or None for any other column."""
    if not _only_in_per(result, column):
        return None
    command = result.command
    if column.startswith("segment."):
        key = f"{command}.{column}"
        return label(key, lang) if has_label(key) else column[len("segment."):]
    for key in (f"{command}.kpi.{column}", f"kpi.{column}"):
        if has_label(key):
            return label(key, lang)
    match = _CLASS_KEY.fullmatch(column)
    if match and has_label(f"kpi.class_{match[2]}"):
        return label(f"kpi.class_{match[2]}", lang).format(cls=match[1].upper())
    return None


def dimension(result: Result, lang: str) -> str:
    """The --per column in the reader's words (a file's own column by its header)."""
    header = result.params.get("per_label")
    if header:
        return str(header)
    return label(str(result.params["per"]), lang)


def note(result: Result, lang: str) -> str | None:
    """What a row of the per table is, and the one as-of date of every row."""
    if "per" not in result.tables or "per" not in result.params:
        return None
    as_of = result.summary.get("as_of", result.params.get("as_of"))
    dated = "" if as_of is None else label("per.note.as_of", lang).format(as_of=str(as_of)[:10])
    return label("per.note", lang).format(dim=dimension(result, lang), as_of=dated)


def people(result: Result, lang: str) -> Result:
    """The per table for people: the row of lines without a value reads "(none)"."""
    import dataclasses

    per = result.tables.get("per")
    dim = result.params.get("per")
    if per is None or dim not in per.columns or not per[dim].isna().any():
        return result
    shown = per.copy()
    shown[dim] = shown[dim].astype(object).where(shown[dim].notna(), label("per.none", lang))
    return dataclasses.replace(result, tables={**result.tables, "per": shown})
