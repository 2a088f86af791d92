"""The cleaning rules that need no Arrow: options, counts, the totals label, the limits.

Split from :mod:`kamtool.io.clean` so that a run can decide its path and build its
query before pyarrow is imported (about a quarter of a second), which then loads in a
thread while DuckDB reads.
"""

from __future__ import annotations

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


@dataclass
class CleanOptions:
    decimal: str = "."
    dayfirst: bool = False
    skip_bad_rows: bool = False


@dataclass
class BatchStats:
    rows: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    missing: Counter[str] = field(default_factory=Counter)  # empty cells per canonical column
    # The first cell that needed cleaning beyond a plain read, as a sentence ("line 1,204 holds
    # money text '¥1,234.50' in column 金额"): why a file takes the Arrow path, told to the user.
    first_cleaned: str | None = None

    def add(self, other: BatchStats) -> None:
        self.rows += other.rows
        self.dropped.update(other.dropped)
        self.missing.update(other.missing)
        if self.first_cleaned is None:
            self.first_cleaned = other.first_cleaned


def label_headers(headers: Sequence[str], mapping: Mapping) -> list[str]:
    """The columns whose cells may carry a totals label: the customer, order, name and
    date columns, and the file's first column, which often carries 合计 / Total even
    when it is not one of ours."""
    first = headers[0] if headers else None
    ours = [mapping.columns[c] for c in ("customer", "order_id", "customer_name", "date")
            if c in mapping.columns]
    return [h for h in dict.fromkeys([first, *ours]) if h is not None]
