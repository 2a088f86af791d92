"""ABC classification (ABC分类): split entities into A, B and C by a measure.

Two rules, both :mod:`kamtool.analyses.rules` on whole units (cents for money), so
``abc``, ``pareto`` and ``churn`` put a boundary customer in the same class:

``method="cumulative"`` (default)
    Rank entities by value; A holds the entities up to ``thresholds[0]`` of the
    cumulative share, B up to ``thresholds[1]``, C the rest.  The entity whose
    cumulative share first reaches a cut-off belongs to the higher class (the one
    that crosses 80 % is A).
``method="rank"``
    The key / general / small split (重点 / 一般 / 小客户): of the n entities of the
    base (non-negative net value), the first ``ceil(shares[0] × n)`` are A and the first
    ``ceil((shares[0] + shares[1]) × n)`` are A or B; the rest are C.  Rounding up
    means A is never empty.

Ties are ordered by value, then by entity id ascending compared as text, so equal
values at a boundary are split deterministically: the lower id goes to the higher
class.  Entities whose net value is zero or negative are class C (they buy nothing
net, and stay in the partition).  Shares of entities are of the base (every entity
with a non-negative value, as in pareto), negative ones counted apart; shares of value
are of the base's total.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from kamtool.analyses.pareto import (
    SHARE_BASE,
    TIE_RULE,
    Ranked,
    Sorted,
    base_summary,
    check_options,
    measure_kinds,
    pareto_chart,
    rank_entities,
    sort_entities,
)
from kamtool.analyses.rules import CUMULATIVE_RULE, abc_codes, rank_codes
from kamtool.errors import UsageError
from kamtool.lazy import lazy_module
from kamtool.result import Chart, Heatmap, Result

METHODS = ("cumulative", "rank")
GRIDS = ("profit",)
CLASSES = ("A", "B", "C")
CUMULATIVE_BOUNDARY_RULE = CUMULATIVE_RULE + " (compared in whole units: cents for money)"
RANK_BOUNDARY_RULE = (
    "of the n entities of the base, A = the first ceil(shares[0] x n), "
    "A + B = the first ceil((shares[0] + shares[1]) x n), C the rest"
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")


def _check_pair(name: str, pair: Sequence[float]) -> tuple[float, float]:
    if len(pair) != 2:
        raise UsageError.said("error.abc.takes_two_values_b", name=name, n_pair=len(pair), pair=list(pair))
    return float(pair[0]), float(pair[1])


def check_thresholds(thresholds: Sequence[float]) -> tuple[float, float]:
    """Cut-offs as shares: 0 < A < B <= 1 (80,95 on the command line is 0.8, 0.95)."""
    a, b = _check_pair("thresholds", thresholds)
    if not (0 < a <= 1 and 0 < b <= 1):
        raise UsageError.said("error.abc.thresholds_must_shares_got", a=a, b=b)
    if not a < b:
        raise UsageError.said("error.abc.thresholds_must_ascend_cut", a=a, b=b)
    return a, b


def check_shares(shares: Sequence[float]) -> tuple[float, float]:
    """Shares of entities for A and B: each above 0, together at most 1 (read as decimals)."""
    a, b = _check_pair("shares", shares)
    if not (a > 0 and b > 0):
        raise UsageError.said("error.abc.shares_must_both_above", a=a, b=b)
    if Fraction(str(a)) + Fraction(str(b)) > 1:
        raise UsageError.said("error.abc.shares_must_add_up", a=a, b=b, a2=a + b)
    return a, b


def class_codes(ranked: Sorted | Ranked, *, method: str, cutoffs: tuple[float, float]) -> np.ndarray:
    """Class codes 0 = A, 1 = B, 2 = C of ranked entities (positives first, negatives last).

    ``cutoffs`` are cumulative-share thresholds for ``method="cumulative"`` and shares
    of the base's entities for ``method="rank"``.  Zero and negative values are C.
    """
    n = len(ranked.units)
    codes = np.full(n, 2, dtype="int8")
    if ranked.positive == 0:
        return codes
    if method == "cumulative":
        codes[: ranked.positive] = abc_codes(ranked.units[: ranked.positive], cutoffs)
    else:
        codes[: ranked.base] = rank_codes(ranked.base, cutoffs)
        codes[ranked.positive :] = 2
    return codes


def _class_table(codes: np.ndarray, ranked: Ranked) -> pd.DataFrame:
    in_base = np.arange(len(codes)) < ranked.base
    entities = np.bincount(codes, minlength=3)
    base_entities = np.bincount(codes[in_base], minlength=3)
    value = np.bincount(codes, weights=ranked.values, minlength=3)
    # The share of value is of the base's own value: the negative entities in C are
    # listed apart, so C never "makes -1148005.6 % of revenue" (their net is in value).
    base_value = np.bincount(codes[in_base], weights=ranked.values[in_base], minlength=3)
    with np.errstate(invalid="ignore", divide="ignore"):
        average = np.where(entities > 0, value / np.maximum(entities, 1), np.nan)
    return pd.DataFrame(
        {
            "class": CLASSES,
            "entities": entities.astype("int64"),
            # of the base: the same figure pareto prints for the same entities
            "entity_share": _of(base_entities, ranked.base),
            "value": value,
            "value_share": _of(base_value, ranked.total),
            "average_value": average,
        }
    )


def _of(part: np.ndarray, whole: float) -> np.ndarray:
    """``part / whole``, NaN when there is no base (no entity of it, or a total of 0)."""
    return part / whole if whole > 0 else np.full(len(part), np.nan)


def _check_method(method: str, grid: str | None, measure: str) -> None:
    if method not in METHODS:
        raise UsageError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if grid is not None:
        if grid not in GRIDS:
            raise UsageError(f"unknown grid {grid!r}; choose {', '.join(GRIDS)}")
        if measure == grid:
            raise UsageError.said("error.abc.grid_crosses_measure_pick", grid=grid)


def _class_summary(classes: pd.DataFrame) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for i, name in enumerate(CLASSES):
        prefix = f"class_{name.lower()}"
        summary[f"{prefix}_entities"] = int(classes["entities"].iloc[i])
        summary[f"{prefix}_entity_share"] = _share(classes["entity_share"].iloc[i])
        summary[f"{prefix}_value"] = float(classes["value"].iloc[i])
        summary[f"{prefix}_value_share"] = _share(classes["value_share"].iloc[i])
    return summary


def _share(value: float) -> float | None:
    """A share for the summary: None (null in JSON) when there is no base to share."""
    return None if np.isnan(value) else float(value)


def _grid(
    frame: pd.DataFrame,
    ranked: Ranked,
    codes: np.ndarray,
    *,
    by: str,
    measure: str,
    method: str,
    cutoffs: tuple[float, float],
) -> tuple[np.ndarray, np.ndarray, dict[str, pd.DataFrame]]:
    """Profit classes in rank order, profit in rank order, and the grid tables."""
    profit_sorted = sort_entities(frame, by=by, measure="profit")
    profit_codes_sorted = class_codes(profit_sorted, method=method, cutoffs=cutoffs)
    # Back to input positions, then into the measure's rank order.
    by_position = np.empty(len(codes), dtype="int8")
    by_position[profit_sorted.order] = profit_codes_sorted
    profit_codes = by_position[ranked.order]
    profit = frame["profit"].to_numpy(dtype="float64", na_value=np.nan)[ranked.order]

    cell = codes.astype("int64") * 3 + profit_codes
    counts = np.bincount(cell, minlength=9)
    sums: dict[str, np.ndarray] = {measure: np.bincount(cell, weights=ranked.values, minlength=9)}
    if measure != "revenue" and "revenue" in frame.columns:
        revenue = frame["revenue"].to_numpy(dtype="float64", na_value=np.nan)[ranked.order]
        sums["revenue"] = np.bincount(cell, weights=np.nan_to_num(revenue), minlength=9)
    sums["profit"] = np.bincount(cell, weights=np.nan_to_num(profit), minlength=9)

    long = pd.DataFrame(
        {
            "class": np.repeat(CLASSES, 3),
            "profit_class": np.tile(CLASSES, 3),
            "entities": counts.astype("int64"),
            # of the base, like every share of entities (negative ones are counted, not shared)
            "entity_share": _of(np.bincount(cell[: ranked.base], minlength=9), ranked.base),
            **sums,
        }
    )
    wide_columns = [f"profit_{c}" for c in CLASSES]

    def wide(cells: np.ndarray) -> pd.DataFrame:
        table = pd.DataFrame(cells.reshape(3, 3), columns=wide_columns)
        table.insert(0, "class", CLASSES)
        return table

    tables = {
        "grid": long,
        "grid_entities": wide(counts.astype("int64")),
        "grid_value": wide(sums[measure]),
    }
    return profit_codes, profit, tables


from kamtool.needs import Needs  # noqa: E402 - beside the declaration it serves


def needs(by: str = "customer", measure: str = "revenue", grid: str | None = None) -> Needs:
    """What :func:`abc` reads: one row per ``by`` with revenue and the ``measure``, and profit
    for ``grid="profit"``; distinct orders only when they are the measure."""
    measures = (measure, "profit") if grid == "profit" else (measure,)
    return Needs(keys=(by,), measures=measures, figures=("orders",) if measure == "orders" else ())


def abc(
    frame: pd.DataFrame,
    *,
    by: str = "customer",
    measure: str = "revenue",
    method: str = "cumulative",
    thresholds: Sequence[float] = (0.80, 0.95),
    shares: Sequence[float] = (0.10, 0.30),
    grid: str | None = None,
) -> Result:
    """Classify entities into A, B and C by a measure.

    Parameters
    ----------
    frame
        One row per entity: column ``by`` plus the measure column (plus ``profit``
        for ``grid="profit"``).
    by
        The entity column (customer, salesperson, product, … or ``entity``).
    measure
        revenue, profit, quantity or orders.
    method
        "cumulative" (cut-offs of cumulative share) or "rank" (shares of entities).
    thresholds
        Cumulative-share cut-offs for A and B, ascending in (0, 1]; used by
        ``method="cumulative"``.  Default 0.80, 0.95.
    shares
        Shares of the base's entities that are A and B, each above 0 and together at
        most 1; used by ``method="rank"``.  Default 0.10, 0.30 (key / general / small
        = 10 / 30 / 60 %).
    grid
        None or "profit": also classify by profit (same method and cut-offs) and
        cross the two classifications in a 3 × 3 grid.

    Returns
    -------
    Result
        ``rows``: the pareto columns (rank, ``by``, ``measure``, share,
        cumulative_share, rank_share, included) plus class, and with the grid
        profit and profit_class.  ``tables["classes"]``: class, entities (all),
        entity_share (of the base), value, value_share (of the base's total),
        average_value.  With the grid: ``tables["grid"]`` (9 rows: class,
        profit_class, entities, entity_share, the measure, revenue when the measure
        is not revenue, profit), ``tables["grid_entities"]`` and
        ``tables["grid_value"]`` (3 × 3: class, profit_A, profit_B, profit_C).

    Raises
    ------
    UsageError
        Unknown method, measure or grid; bad thresholds or shares;
        ``grid="profit"`` with ``measure="profit"``.
    AnalysisError
        Missing or non-numeric columns, or no entities.  No positive value is a result:
        every entity class C, ``base_status`` "no_positive_value", the shares None/NaN.
    """
    check_options(by=by, measure=measure)
    _check_method(method, grid, measure)
    cutoffs = check_thresholds(thresholds) if method == "cumulative" else check_shares(shares)
    ranked = rank_entities(frame, by=by, measure=measure)
    codes = class_codes(ranked, method=method, cutoffs=cutoffs)
    rows = ranked.rows.copy()
    rows["class"] = np.asarray(CLASSES)[codes]
    classes = _class_table(codes, ranked)
    result = Result(
        command="abc",
        params=_params(by=by, measure=measure, method=method, cutoffs=cutoffs, grid=grid),
        summary={**base_summary(ranked), "method": method, **_class_summary(classes)},
        rows=rows,
        tables={"classes": classes},
        charts=[
            pareto_chart(by, measure),
            Chart(kind="column", table="classes", category="class",
                  values=["entity_share", "value_share"], title="abc.chart_classes"),
        ],
        display_columns=["rank", by, measure, "share", "cumulative_share", "class"],
        kinds=measure_kinds(measure),
    )
    if grid is not None:
        _add_grid(result, frame, ranked, codes, method=method, cutoffs=cutoffs)
    return result


def _params(*, by: str, measure: str, method: str, cutoffs: tuple[float, float], grid: str | None
            ) -> dict[str, Any]:
    cut_a, cut_b = cutoffs
    return {
        "by": by,
        "measure": measure,
        "method": method,
        "thresholds": [cut_a, cut_b] if method == "cumulative" else None,
        "shares": [cut_a, cut_b] if method == "rank" else None,
        "rounding": "ceil" if method == "rank" else None,
        "boundary_rule": CUMULATIVE_BOUNDARY_RULE if method == "cumulative" else RANK_BOUNDARY_RULE,
        "tie_rule": TIE_RULE,
        "non_positive": "class C",
        "share_base": SHARE_BASE + "; value shares of the base's total",
        "grid": grid,
    }


def _add_grid(result: Result, frame: pd.DataFrame, ranked: Ranked, codes: np.ndarray, *,
              method: str, cutoffs: tuple[float, float]) -> None:
    """The profit classes beside the classes: rows, grid tables, heatmap, summary, kinds."""
    by, measure = result.params["by"], result.params["measure"]
    profit_codes, profit, grid_tables = _grid(
        frame, ranked, codes, by=by, measure=measure, method=method, cutoffs=cutoffs
    )
    result.rows["profit"] = profit
    result.rows["profit_class"] = np.asarray(CLASSES)[profit_codes]
    result.tables.update(grid_tables)
    assert result.display_columns is not None
    result.display_columns += ["profit", "profit_class"]
    result.heatmaps.append(Heatmap(table="grid_entities", columns=["profit_A", "profit_B", "profit_C"]))
    a_low = (codes == 0) & (profit_codes == 2)
    a_low_value = float(ranked.values[a_low].sum())
    result.summary["class_a_profit_c_entities"] = int(a_low.sum())
    result.summary["class_a_profit_c_value"] = a_low_value
    result.summary["class_a_profit_c_value_share"] = a_low_value / ranked.total if ranked.total > 0 else None
    # the same columns hold entities in one grid table and the measure in the other
    result.kinds.update({f"grid_value.profit_{c}": result.kinds[measure] for c in CLASSES})
    result.kinds.update({f"grid_entities.profit_{c}": "count" for c in CLASSES})
    result.kinds["profit"] = "money"
