"""Option value parsers shared by every command: number lists and dates, written once."""

from __future__ import annotations

from typing import Any

from kamtool.errors import UsageError


def number_list(text: str, *, name: str, count: int | None = None) -> list[float]:
    """'80,95' or '0.8,0.95' -> [0.8, 0.95]: percents above 1 are divided by 100."""
    try:
        values = [float(v) for v in text.replace(" ", "").split(",") if v]
    except ValueError:
        raise UsageError(f"{name} takes numbers separated by commas, e.g. 80,95 (got {text!r})") from None
    if count is not None and len(values) != count:
        raise UsageError(f"{name} takes {count} numbers, e.g. 80,95 (got {text!r})")
    if any(v > 1 for v in values):
        values = [v / 100 for v in values]
    return values


def parse_day(text: str | None, option: str) -> Any:
    """A date option (ISO, 2024/3/5, 20240305 …) as a naive midnight pandas Timestamp, or None."""
    if text is None:
        return None
    from kamtool.analyses.rules import as_of_timestamp

    return as_of_timestamp(text.replace("/", "-"), option)
