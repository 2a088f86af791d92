"""The as-of date every time-based analysis shares."""

from __future__ import annotations

from typing import Any

import pandas as pd

from kamtool.errors import UsageError


def as_of_timestamp(value: Any, what: str = "--as-of") -> pd.Timestamp:
    """A user's date (string, date, Timestamp) as a naive midnight Timestamp.

    Raises UsageError naming the option when the value is not a date.
    """
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{what} {value!r} is not a date; write e.g. 2024-07-01") from exc
    if pd.isna(stamp):
        raise UsageError(f"{what} {value!r} is not a date; write e.g. 2024-07-01")
    return stamp.tz_localize(None).normalize() if stamp.tzinfo else stamp.normalize()
