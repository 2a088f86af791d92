"""Words of the messages on stderr that name what the load left out (kamtool/labels/messages.py)."""

from __future__ import annotations

from kamtool.io.rules import REASON_BLANK, REASON_RAGGED, REASON_TOTALS
from kamtool.labels import label

_FIXED = {REASON_TOTALS: "totals", REASON_BLANK: "blank", REASON_RAGGED: "ragged"}
# what a cell check found, as the cleaner writes it after "column: " (kamtool.io.clean, io.tables)
_CELL = {"missing": "missing", "not a date": "not_a_date", "not a number": "not_a_number",
         "too large for an amount": "too_large", "outside the date range": "outside_range"}


def reason(text: str, lang: str) -> str:
    """A reason lines were left out (``totals / subtotal lines``, ``amount: not a number``) in
    ``lang``; one kamtool does not know reads as it is."""
    if text in _FIXED:
        return label(f"message.reason.{_FIXED[text]}", lang)
    column, sep, what = text.partition(": ")
    what = what.removeprefix("is ")
    if sep and what in _CELL:
        found = label(f"message.reason.{_CELL[what]}", lang)
        return label("message.reason.cell", lang).format(column=column, what=found)
    return text


def left_out(file: str, count: int, text: str, lang: str) -> str:
    """``FILE: dropped N totals / subtotal lines`` (lines that are no data: totals, blank rows) or
    ``FILE: skipped N amount: not a number`` (bad lines under --skip-bad-rows), in ``lang``."""
    key = "message.dropped" if text.startswith(("totals", "blank")) else "message.skipped"
    return label(key, lang).format(file=file, count=f"{count:,}", reason=reason(text, lang))
