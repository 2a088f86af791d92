"""The cleaning rules that need no Arrow: options, counts, the totals label, the limits.

Split from :mod:`kamtool.io.clean` so that a run can decide its path and build its
query before pyarrow is imported (about a quarter of a second), which then loads in a
thread while DuckDB reads.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kamtool.io.columns import Mapping

# A label cell that ends in 合计 / 总计 / 小计 (本月合计, 华东区小计) or in an English total
# word ("Total", "Grand Total", "Subtotal", and pivot-table subtotals like "East Total").
TOTALS_PATTERN = (
    r"(?i)^\s*(.*(合\s*计|总\s*计|小\s*计)|(.*\s)?(grand\s*total|sub\s*-?\s*total|totals?))\s*[:：]?\s*$"
)
# Money is summed in int64 cents (exact to the cent however many lines are summed); a
# line beyond ten trillion is a broken value.
MAX_MONEY = 1e13

REASON_TOTALS = "totals / subtotal lines"
REASON_BLANK = "blank rows"
REASON_RAGGED = "rows of the wrong width"


# Dates outside these are bad values unless --date-range widens them: a year 9999 or 0201 is a
# typing slip, and the analyses' calendar arithmetic (pandas' nanosecond timestamps end in 2262)
# is not built for it.
DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2100, 12, 31))


@dataclass
class CleanOptions:
    decimal: str = "."
    dayfirst: bool = False
    skip_bad_rows: bool = False
    date_range: tuple[dt.date, dt.date] = DATE_RANGE


def parse_date_range(text: str) -> tuple[dt.date, dt.date]:
    """``--date-range FIRST,LAST`` (ISO days) -> the two dates; a UsageError naming the option."""
    from kamtool.errors import UsageError

    parts = [p.strip() for p in str(text).split(",")]
    try:
        if len(parts) != 2:
            raise ValueError
        first, last = dt.date.fromisoformat(parts[0]), dt.date.fromisoformat(parts[1])
    except ValueError:
        raise UsageError.said("error.rules.date_range_takes_first", text=text) from None
    if first > last:
        raise UsageError.said("error.rules.date_range_first_date", text=text)
    if first.year < 1678 or last.year > 2261:  # pandas' nanosecond timestamps, which the analyses use
        raise UsageError.said("error.rules.date_range_kamtool_analyses", text=text)
    return first, last


@dataclass
class BatchStats:
    rows: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    missing: Counter[str] = field(default_factory=Counter)  # empty cells per canonical column
    # The first cell that needed cleaning beyond a plain read, as a sentence ("line 1,204 holds
    # money text '¥1,234.50' in column 金额"): why a file takes the Arrow path, told to the user.
    first_cleaned: str | None = None
    # --where, per filter column (canonical): the filters' values some line holds, and the
    # column's smallest values (at most FIRST_VALUES), for the warning on a value no line holds.
    found: dict[str, set[str]] = field(default_factory=dict)
    first_values: dict[str, list[str]] = field(default_factory=dict)

    def add(self, other: BatchStats) -> None:
        self.rows += other.rows
        self.dropped.update(other.dropped)
        self.missing.update(other.missing)
        if self.first_cleaned is None:
            self.first_cleaned = other.first_cleaned
        for column, values in other.found.items():
            self.found.setdefault(column, set()).update(values)
        for column, first in other.first_values.items():
            self.first_values[column] = smallest([*self.first_values.get(column, []), *first])


# The values of a --where column a warning names (the smallest ones, in byte order, as DuckDB sorts).
FIRST_VALUES = 5


def smallest(values: Sequence[str], count: int = FIRST_VALUES + 1) -> list[str]:
    """The ``count`` smallest distinct values, sorted by their UTF-8 bytes (one more than a warning
    shows, so that it knows whether there are more)."""
    return sorted(set(values), key=lambda v: v.encode("utf-8"))[:count]


def label_headers(headers: Sequence[str], mapping: Mapping) -> list[str]:
    """The columns whose cells may carry a totals label: the customer, order, name and
    date columns, and the file's first column, which often carries 合计 / Total even
    when it is not one of ours."""
    first = headers[0] if headers else None
    ours = [mapping.columns[c] for c in ("customer", "order_id", "customer_name", "date")
            if c in mapping.columns]
    return [h for h in dict.fromkeys([first, *ours]) if h is not None]
