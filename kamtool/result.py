"""The result object every analysis returns and every renderer reads.

Analyses never print. They return a :class:`Result`: the full per-entity table
(``rows``, canonical snake_case column names), a flat ``summary`` of headline
figures, the ``params`` that produced it (thresholds, as-of date, tie rule …),
extra named tables (class summary, grid, cohort triangle …) and chart specs that
the Excel renderer draws natively.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

ChartKind = Literal["pareto", "column", "bar", "line", "pie", "waterfall"]


@dataclass
class Chart:
    """A native Excel chart drawn from one of the result's tables.

    ``kind="pareto"``: columns for ``values[0]`` and a line for ``secondary``
    (a 0..1 share) on a second axis.  ``waterfall``: a stacked-column bridge
    drawn from ``values[0]`` (signed steps; first and last are totals).
    """

    kind: ChartKind
    table: str  # "rows" or a key of Result.tables
    category: str  # column holding the category labels
    values: list[str]  # columns drawn on the primary axis
    secondary: str | None = None  # column drawn as a line on a second axis
    title: str = ""  # a label key (see kamtool.labels) or literal text
    max_points: int = 200  # charts of more points are unreadable; keep the first N
    stacked: bool = False  # column, bar: the values stacked in one column or bar per category


@dataclass
class Heatmap:
    """A colour scale over some numeric columns of one table (Excel only)."""

    table: str
    columns: list[str]


@dataclass
class Result:
    command: str
    params: dict[str, Any]
    summary: dict[str, Any]
    rows: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    charts: list[Chart] = field(default_factory=list)
    heatmaps: list[Heatmap] = field(default_factory=list)
    # Columns of ``rows`` to show on the terminal (all of them go to files).
    display_columns: list[str] | None = None
    # column -> {stable value -> the words a person reads in the report language}. Rows,
    # tables, JSON and CSV keep the stable values; the console and workbooks show the words.
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    # column -> its kind, for columns whose name does not say it (see kamtool.render.formats):
    # "money", "count", "days", "share", "number", "date", "text", "bool". A key
    # "table.column" holds for that table only (two tables, one column name, two kinds); a
    # summary figure is looked up by its key.
    kinds: dict[str, str] = field(default_factory=dict)
    # What the words need that is neither a code nor a figure for scripts (a custom rfm
    # segment table and its texts); never written to JSON or CSV.
    context: dict[str, Any] = field(default_factory=dict)
