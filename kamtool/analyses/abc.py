"""ABC classification (ABC分类): split entities into A, B and C by a measure.

Two rules:

``method="cumulative"`` (default)
    Rank entities by value; A holds the entities up to ``thresholds[0]`` of the
    cumulative share, B up to ``thresholds[1]``, C the rest.  The entity whose
    cumulative share first reaches a cut-off belongs to the higher class (the one
    that crosses 80 % is A).
``method="rank"``
    The key / general / small split (重点 / 一般 / 小客户): of the n entities with a
    positive value, the first ``ceil(shares[0] × n)`` are A and the first
    ``ceil((shares[0] + shares[1]) × n)`` are A or B; the rest are C.  Rounding up
    means A is never empty, and a fractional entity always goes to the higher class,
    which matches the cumulative rule's boundary.

Ties are ordered by value, then by entity id ascending compared as text, so equal
values at a boundary are split deterministically: the lower id goes to the higher
class.  Entities whose net value is zero or negative are class C (they buy
nothing net, and stay in the partition); they hold no share and the class
summary's value shares are of the positive total, like the cumulative shares that
define the cut-offs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from kamtool.analyses.pareto import (
    REL_TOL,
    TIE_RULE,
    Ranked,
    basic_notes,
    ceil_count,
    check_options,
    pareto_chart,
    pct,
    pct_short,
    rank_entities,
    reach_count,
    sentence_words,
    sort_entities,
)
from kamtool.errors import UsageError
from kamtool.labels import label
from kamtool.result import Chart, Heatmap, Result

METHODS = ("cumulative", "rank")
GRIDS = ("profit",)
CLASSES = np.array(["A", "B", "C"])
CUMULATIVE_BOUNDARY_RULE = (
    "the entity whose cumulative share first reaches a cut-off is in the higher class"
)
RANK_BOUNDARY_RULE = (
    "of the n positive entities, A = the first ceil(shares[0] x n), "
    "A + B = the first ceil((shares[0] + shares[1]) x n), C the rest"
)


def _check_pair(name: str, pair: Sequence[float]) -> tuple[float, float]:
    if len(pair) != 2:
        raise UsageError(f"--{name} takes two values (A and B), got {len(pair)}: {list(pair)}")
    return float(pair[0]), float(pair[1])


def check_thresholds(thresholds: Sequence[float]) -> tuple[float, float]:
    """Cut-offs as shares: 0 < A < B <= 1 (80,95 on the command line is 0.8, 0.95)."""
    a, b = _check_pair("thresholds", thresholds)
    if not (0 < a <= 1 and 0 < b <= 1):
        raise UsageError(
            f"--thresholds must be shares in (0, 1], e.g. 0.8,0.95 for 80 % and 95 %; got {a}, {b}"
        )
    if not a < b:
        raise UsageError(f"--thresholds must ascend (A cut-off below B cut-off); got {a}, {b}")
    return a, b


def check_shares(shares: Sequence[float]) -> tuple[float, float]:
    """Shares of entities for A and B: each above 0, together at most 1."""
    a, b = _check_pair("shares", shares)
    if not (a > 0 and b > 0):
        raise UsageError(f"--shares must both be above 0; got {a}, {b}")
    if a + b > 1 + REL_TOL:
        raise UsageError(f"--shares must add up to at most 1 (100 %); got {a} + {b} = {a + b:g}")
    return a, b


def class_codes(
    values: np.ndarray,
    positive: int,
    *,
    method: str,
    cutoffs: tuple[float, float],
) -> np.ndarray:
    """Class codes 0 = A, 1 = B, 2 = C for values in rank order (positives first).

    ``cutoffs`` are cumulative-share thresholds for ``method="cumulative"`` and
    shares of entities for ``method="rank"``.  With no positive value, all are C.
    """
    n = len(values)
    if positive == 0:
        return np.full(n, 2, dtype="int8")
    if method == "cumulative":
        a_count = reach_count(values[:positive], cutoffs[0])
        ab_count = max(a_count, reach_count(values[:positive], cutoffs[1]))
    else:
        a_count = ceil_count(cutoffs[0], positive)
        ab_count = ceil_count(cutoffs[0] + cutoffs[1], positive)
    position = np.arange(n)
    return np.where(position < a_count, 0, np.where(position < ab_count, 1, 2)).astype("int8")


def _class_table(codes: np.ndarray, values: np.ndarray, total: float) -> pd.DataFrame:
    n = len(codes)
    entities = np.bincount(codes, minlength=3)
    value = np.bincount(codes, weights=values, minlength=3)
    with np.errstate(invalid="ignore", divide="ignore"):
        average = np.where(entities > 0, value / np.maximum(entities, 1), np.nan)
    return pd.DataFrame(
        {
            "class": CLASSES,
            "entities": entities.astype("int64"),
            "entity_share": entities / n,
            "value": value,
            "value_share": value / total,
            "average_value": average,
        }
    )


def _grid(
    frame: pd.DataFrame,
    ranked: Ranked,
    codes: np.ndarray,
    *,
    by: str,
    measure: str,
    method: str,
    cutoffs: tuple[float, float],
    lang: str,
) -> tuple[np.ndarray, np.ndarray, dict[str, pd.DataFrame]]:
    """Profit classes in rank order, profit in rank order, and the grid tables."""
    profit_sorted = sort_entities(frame, by=by, measure="profit", lang=lang)
    profit_codes_sorted = class_codes(
        profit_sorted.values, profit_sorted.positive, method=method, cutoffs=cutoffs
    )
    # Back to input positions, then into the measure's rank order.
    by_position = np.empty(len(codes), dtype="int8")
    by_position[profit_sorted.order] = profit_codes_sorted
    profit_codes = by_position[ranked.order]
    profit = frame["profit"].to_numpy(dtype="float64", na_value=np.nan)[ranked.order]

    cell = codes.astype("int64") * 3 + profit_codes
    n = len(codes)
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
            "entity_share": counts / n,
            **sums,
        }
    )
    wide_columns = [f"profit_{c}" for c in CLASSES]

    def wide(cells: np.ndarray) -> pd.DataFrame:
        matrix = cells.reshape(3, 3)
        table = pd.DataFrame(matrix, columns=wide_columns)
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
    lang: str = "en",
) -> Result:
    """Classify entities into A, B and C by a measure.

    Parameters
    ----------
    frame
        One row per entity: column ``by`` plus the measure column (plus ``profit``
        for ``grid="profit"``).
    by
        The entity column (customer, salesperson, product, … or any column).
    measure
        revenue, profit, quantity or orders.
    method
        "cumulative" (cut-offs of cumulative share) or "rank" (shares of entities).
    thresholds
        Cumulative-share cut-offs for A and B, ascending in (0, 1]; used by
        ``method="cumulative"``.  Default 0.80, 0.95.
    shares
        Shares of the positive entities that are A and B, each above 0 and together
        at most 1; used by ``method="rank"``.  Default 0.10, 0.30 (key / general /
        small = 10 / 30 / 60 %).
    grid
        None or "profit": also classify by profit (same method and cut-offs) and
        cross the two classifications in a 3 × 3 grid.
    lang
        "en" or "zh".

    Returns
    -------
    Result
        ``rows``: the pareto columns (rank, ``by``, ``measure``, share,
        cumulative_share, rank_share, included) plus class, and with the grid
        profit and profit_class.  ``tables["classes"]``: class, entities,
        entity_share (of all entities), value, value_share (of the positive total),
        average_value.  With the grid: ``tables["grid"]`` (9 rows: class,
        profit_class, entities, entity_share, the measure, revenue when the measure
        is not revenue, profit), ``tables["grid_entities"]`` and
        ``tables["grid_value"]`` (3 × 3: class, profit_A, profit_B, profit_C).

    Raises
    ------
    UsageError
        Unknown method, measure, grid or language; bad thresholds or shares;
        ``grid="profit"`` with ``measure="profit"``.
    AnalysisError
        Missing or non-numeric columns, no entities, or no positive value.
    """
    check_options(by=by, measure=measure, lang=lang)
    if method not in METHODS:
        raise UsageError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if grid is not None:
        if grid not in GRIDS:
            raise UsageError(f"unknown grid {grid!r}; choose {', '.join(GRIDS)}")
        if measure == grid:
            raise UsageError(
                f"--grid {grid} crosses {grid} with the measure; pick another --measure"
            )
    cutoffs = check_thresholds(thresholds) if method == "cumulative" else check_shares(shares)

    ranked = rank_entities(frame, by=by, measure=measure, lang=lang)
    codes = class_codes(ranked.values, ranked.positive, method=method, cutoffs=cutoffs)
    rows = ranked.rows.copy()
    rows["class"] = CLASSES[codes]
    classes = _class_table(codes, ranked.values, ranked.total)
    tables: dict[str, pd.DataFrame] = {"classes": classes}
    n = len(codes)

    summary: dict[str, Any] = {
        "entities": n,
        "positive_entities": ranked.positive,
        "non_positive_entities": n - ranked.positive,
        "non_positive_value": ranked.non_positive_value,
        "missing_values": ranked.missing,
        "total": ranked.total,
        "method": method,
    }
    class_entities = classes["entities"].to_numpy()
    class_entity_share = classes["entity_share"].to_numpy()
    class_value_share = classes["value_share"].to_numpy()
    for i, name in enumerate(CLASSES):
        prefix = f"class_{name.lower()}"
        summary[f"{prefix}_entities"] = int(class_entities[i])
        summary[f"{prefix}_entity_share"] = float(class_entity_share[i])
        summary[f"{prefix}_value"] = float(classes["value"].to_numpy()[i])
        summary[f"{prefix}_value_share"] = float(class_value_share[i])

    words = sentence_words(by, measure, lang)
    cut_a, cut_b = cutoffs
    percent = {"cut_a": pct_short(cut_a, lang), "cut_b": pct_short(cut_b, lang)}
    headline = [
        label("abc.headline.class", lang).format(
            cls=name,
            share=pct(float(class_entity_share[i]), lang),
            count=f"{int(class_entities[i]):,}",
            value_share=pct(float(class_value_share[i]), lang),
            **words,
        )
        for i, name in enumerate(CLASSES)
    ]
    notes = basic_notes(ranked, by=by, measure=measure, lang=lang)
    if method == "cumulative":
        headline.append(label("abc.headline.method_cumulative", lang).format(**percent, **words))
        notes.append(label("abc.note.cumulative", lang).format(**percent, **words))
    else:
        headline.append(
            label("abc.headline.method_rank", lang).format(
                share_a=percent["cut_a"], share_b=percent["cut_b"], **words
            )
        )
        notes.append(
            label("abc.note.rank", lang).format(
                share_a=pct_short(cut_a, lang), share_ab=pct_short(cut_a + cut_b, lang), **words
            )
        )
    notes.append(label("abc.note.ties", lang).format(**words))
    notes.append(label("abc.note.non_positive", lang).format(**words))

    params: dict[str, Any] = {
        "by": by,
        "measure": measure,
        "method": method,
        "thresholds": [cut_a, cut_b] if method == "cumulative" else None,
        "shares": [cut_a, cut_b] if method == "rank" else None,
        "rounding": "ceil" if method == "rank" else None,
        "boundary_rule": CUMULATIVE_BOUNDARY_RULE if method == "cumulative" else RANK_BOUNDARY_RULE,
        "tie_rule": TIE_RULE,
        "non_positive": "class C, outside the shares",
        "share_base": "value shares of the positive total; entity shares of all entities",
        "grid": grid,
    }

    display = ["rank", by, measure, "share", "cumulative_share", "class"]
    heatmaps: list[Heatmap] = []
    if grid is not None:
        profit_codes, profit, grid_tables = _grid(
            frame, ranked, codes, by=by, measure=measure, method=method, cutoffs=cutoffs, lang=lang
        )
        rows["profit"] = profit
        rows["profit_class"] = CLASSES[profit_codes]
        tables.update(grid_tables)
        display += ["profit", "profit_class"]
        heatmaps.append(
            Heatmap(table="grid_entities", columns=["profit_A", "profit_B", "profit_C"])
        )
        a_low = (codes == 0) & (profit_codes == 2)
        a_low_value = float(ranked.values[a_low].sum())
        summary["class_a_profit_c_entities"] = int(a_low.sum())
        summary["class_a_profit_c_value"] = a_low_value
        summary["class_a_profit_c_value_share"] = a_low_value / ranked.total
        headline.append(
            label("abc.headline.grid", lang).format(
                count=f"{int(a_low.sum()):,}",
                value_share=pct(a_low_value / ranked.total, lang),
                **words,
            )
        )
        notes.append(label("abc.note.grid", lang))

    charts = [
        pareto_chart(by, measure, words, lang),
        Chart(
            kind="column",
            table="classes",
            category="class",
            values=["entity_share", "value_share"],
            title=label("abc.chart_classes", lang).format(**words),
        ),
    ]
    return Result(
        command="abc",
        params=params,
        summary=summary,
        rows=rows,
        tables=tables,
        charts=charts,
        heatmaps=heatmaps,
        headline=headline,
        notes=notes,
        display_columns=display,
    )
