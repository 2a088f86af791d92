"""Pareto analysis (the 80/20 rule, 二八原则): how concentrated a measure is.

Input is one row per entity (customer, salesperson, product …) as the engine's
ledger or ``group([by])`` gives it.  Entities are ranked by the measure in whole units
(cents for money), largest first, ties broken by entity id ascending compared as text,
so the result never depends on the order of rows in the file.

The base of every share of entities ("21.8 % of customers") and of the Gini is one:
all entities with a non-negative net value, zero included (a customer who bought and
returned everything, or ordered at no charge, is part of the distribution).  Entities
with a negative net value stay in ``rows`` (ranked last, ``included`` false, shares NaN)
and are counted apart.  Every share of value is of the total of the base.  When that
total is 0 (every line a return) there is nothing to share: the shares are NaN and the
summary's ``base_status`` says "no_positive_value"; when returns outweigh purchases it
says "negative_net" (the shares are of the positive part only).

The ranking helpers here are shared with :mod:`kamtool.analyses.abc`.  This module
returns codes and numbers only; the sentences are in :mod:`kamtool.render.words.pareto`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kamtool.analyses.rules import ceil_count, reach_count, whole_units
from kamtool.errors import AnalysisError, UsageError
from kamtool.lazy import lazy_module
from kamtool.result import Chart, Result

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")
    pa = lazy_module("pyarrow")
    pc = lazy_module("pyarrow.compute")

MEASURES = ("revenue", "profit", "quantity", "orders")
TIE_RULE = "value descending, then entity id ascending (compared as text)"
SHARE_BASE = "entities with a non-negative net value (zero included); negative ones listed apart"
# How the measure's figures look (see kamtool.render.formats).
MEASURE_KINDS = {"revenue": "money", "profit": "money", "quantity": "number", "orders": "count"}
MISSING_MEASURE = {
    "revenue": "revenue needs an amount column (or quantity and unit price)",
    "profit": "profit needs a cost or profit column",
    "quantity": "quantity needs a quantity column",
    "orders": "orders needs an order id or date column",
}


# ---------------------------------------------------------------- validation and ranking


def check_options(*, by: str, measure: str) -> None:
    """Raise UsageError for an unknown measure, or ``by == measure``."""
    if measure not in MEASURES:
        raise UsageError.said("error.pareto.unknown_measure_choose_one", measure=measure,
                              measures=', '.join(MEASURES))
    if by == measure:
        raise UsageError.said("error.pareto.cannot_rank_choose_another", measure=measure)


@dataclass(frozen=True)
class Sorted:
    """Entities in rank order: positions in the input frame and their values."""

    order: np.ndarray  # row positions of the input frame, largest value first
    values: np.ndarray  # float64 values in rank order; a missing value counts as 0
    units: np.ndarray  # the same values in whole units (cents for money), int64
    positive: int  # the first ``positive`` entities have a value > 0
    base: int  # the first ``base`` entities have a value >= 0: the base of every share
    missing: int  # how many entities had no value


def _check_frame(frame: pd.DataFrame, by: str, measure: str) -> None:
    if by not in frame.columns:
        raise AnalysisError(f"there is no column {by!r} to group by")
    if measure not in frame.columns or (len(frame) and frame[measure].isna().all()):
        raise AnalysisError.said(f"error.pareto.missing_{measure}")  # the words of MISSING_MEASURE
    column = frame[measure]
    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        raise AnalysisError(f"the {measure} column is not numeric")
    if len(frame) == 0:
        raise AnalysisError(f"there are no rows to analyse (one per {by} expected)")


def sort_entities(frame: pd.DataFrame, *, by: str, measure: str) -> Sorted:
    """Validate ``frame`` and order its entities by value descending, id ascending.

    Raises
    ------
    AnalysisError
        ``by`` or ``measure`` column missing (or ``measure`` entirely empty, which is
        how the ledger marks a file without quantities), not numeric, no rows, or an
        entity on more than one row.
    """
    _check_frame(frame, by, measure)
    ids = _id_text(frame[by])
    # The ledger hands entities sorted by id: strictly increasing ids are unique, and a
    # stable sort by value alone then breaks ties by id.
    in_id_order = len(ids) < 2 or pc.all(pc.less(ids[:-1], ids[1:])).as_py()
    if not in_id_order and pc.count_distinct(ids, mode="all").as_py() != len(ids):
        duplicated = frame[by].duplicated()
        if duplicated.any():
            entity = _plain(frame[by][duplicated].iloc[0])
            raise AnalysisError(
                f"{by} {entity!r} appears on more than one row; the analysis needs one row per {by}"
            )

    raw = frame[measure].to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(raw)
    values = np.where(missing, 0.0, raw)
    # Ranked and compared in whole units, so a boundary never hangs on binary noise.
    units = whole_units(values, measure)
    if in_id_order:
        order = np.argsort(-units, kind="stable")
    else:
        # Ids compare as text (code point order) so mixed or numeric ids have one order.
        keys = pa.table({"value": units, "id": ids})
        order = pc.sort_indices(keys, sort_keys=[("value", "descending"), ("id", "ascending")]).to_numpy()
    ranked_units = units[order]
    return Sorted(
        order=order,
        values=values[order],
        units=ranked_units,
        positive=int(np.count_nonzero(ranked_units > 0)),
        base=int(np.count_nonzero(ranked_units >= 0)),
        missing=int(missing.sum()),
    )


def _id_text(ids: pd.Series) -> pa.Array:
    """Entity ids as Arrow text, missing ones as empty text."""
    if isinstance(ids.dtype, (pd.StringDtype, pd.ArrowDtype)):
        try:
            arr = pa.array(ids)
            if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
                return pc.fill_null(arr, "")
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    return pa.array(ids.astype(str).fillna("").tolist(), pa.string())


@dataclass(frozen=True)
class Ranked:
    """The ranked rows shared by pareto and abc, plus the figures behind them."""

    rows: pd.DataFrame
    order: np.ndarray
    values: np.ndarray
    units: np.ndarray
    positive: int
    base: int
    total: float  # the total of the base (= of the positive values): the base of every share
    negative_value: float
    missing: int


def rank_entities(frame: pd.DataFrame, *, by: str, measure: str) -> Ranked:
    """Rank the entities and compute share, cumulative share and rank share.

    ``rows`` columns: rank (1 = largest, over all entities), ``by``, ``measure``,
    share, cumulative_share, rank_share (rank / entities of the base) and included
    (false for negative values, whose shares are NaN).  Shares are ratios of whole
    units, so the cumulative share of the last entity of the base is exactly 1.
    """
    ranked = sort_entities(frame, by=by, measure=measure)
    n, base, units = len(ranked.units), ranked.base, ranked.units
    cumulative = np.cumsum(units[:base], dtype=np.int64)
    total_units = int(cumulative[-1]) if base else 0
    rank = np.arange(1, n + 1, dtype="int64")
    share = np.full(n, np.nan)
    cumulative_share = np.full(n, np.nan)
    rank_share = np.full(n, np.nan)
    # No positive value (every line a return, or all zero): there is no base to share
    # out, so every share stays NaN and the result says so (base_status), not -1e6 %.
    if total_units > 0:
        share[:base] = units[:base] / total_units
        cumulative_share[:base] = cumulative / total_units
        rank_share[:base] = rank[:base] / base
    rows = pd.DataFrame(
        {
            "rank": rank,
            by: frame[by].iloc[ranked.order].reset_index(drop=True),
            measure: frame[measure].iloc[ranked.order].reset_index(drop=True),
            "share": share,
            "cumulative_share": cumulative_share,
            "rank_share": rank_share,
            "included": rank <= base,
        }
    )
    if by == "customer" and "customer_name" in frame:
        # Names beside ids, taken by the same positions (a lookup by id cost 0.1 s per 200k).
        rows.insert(2, "customer_name", frame["customer_name"].iloc[ranked.order].reset_index(drop=True))
    scale = int(whole_units(np.array([1.0]), measure)[0])
    return Ranked(
        rows=rows,
        order=ranked.order,
        values=ranked.values,
        units=units,
        positive=ranked.positive,
        base=base,
        total=total_units / scale,
        negative_value=int(units[base:].sum()) / scale,
        missing=ranked.missing,
    )


def gini(values_descending: np.ndarray) -> float:
    """Gini coefficient of non-negative values sorted largest first (no sample correction).

    G = Σ_i Σ_j |x_i − x_j| / (2 n² mean) = 2 Σ_i i·x_(i) / (n Σ x) − (n + 1) / n
    with x_(i) ascending and i = 1..n.  Zeros count: they are part of the distribution.
    """
    n = len(values_descending)
    ascending = np.asarray(values_descending, dtype="float64")[::-1]
    weighted = float(np.dot(np.arange(1, n + 1, dtype="float64"), ascending))
    g = 2.0 * weighted / (n * float(ascending.sum())) - (n + 1) / n
    return max(0.0, g)  # equal values give −1e-16, not a negative inequality


def _plain(value: Any) -> Any:
    """A numpy scalar as a plain Python value (for JSON)."""
    return value.item() if isinstance(value, np.generic) else value


# base_status codes: what the share base is (the words turn them into a sentence).
BASE_OK = "ok"
BASE_NO_POSITIVE = "no_positive_value"  # the base totals 0: no shares, no concentration
BASE_NEGATIVE_NET = "negative_net"  # returns outweigh purchases: shares are of the positive part


def base_status(total: float, net_total: float) -> str:
    """The share base's status code from its total and the net total of every entity."""
    if total <= 0:
        return BASE_NO_POSITIVE
    return BASE_NEGATIVE_NET if net_total < 0 else BASE_OK


def base_summary(ranked: Ranked) -> dict[str, Any]:
    """The figures pareto and abc both report about the entities and the share base."""
    n = len(ranked.units)
    return {
        "base_status": base_status(ranked.total, ranked.total + ranked.negative_value),
        "entities": n,
        "base_entities": ranked.base,
        "positive_entities": ranked.positive,
        "zero_entities": ranked.base - ranked.positive,
        "negative_entities": n - ranked.base,
        "negative_value": ranked.negative_value,
        "non_positive_entities": n - ranked.positive,
        "non_positive_value": ranked.negative_value,  # zeros add nothing
        "missing_values": ranked.missing,
        "total": ranked.total,
    }


def measure_kinds(measure: str) -> dict[str, str]:
    """Result.kinds for the columns and figures that hold the measure."""
    kind = MEASURE_KINDS[measure]
    names = ("total", "net_total", "negative_value", "non_positive_value", "value_at_risk_top1",
             "value", "average_value", "class_a_value", "class_b_value", "class_c_value",
             "class_a_profit_c_value")  # fmt: skip
    # the target is a share of the total (0.8 reads 80 %, as the shares beside it)
    return {measure: kind, **dict.fromkeys(names, kind), "effective_entities": "number", "target": "share"}


# ---------------------------------------------------------------- the analysis


def concentration(ranked: Ranked, target: float) -> dict[str, Any]:
    """Target count, top shares, Gini and HHI over the base."""
    base = ranked.base
    units = ranked.units[:base]
    cumulative = ranked.rows["cumulative_share"].to_numpy()[:base]
    for_target = reach_count(units[: ranked.positive], target)
    top20 = max(1, ceil_count(0.2, base))
    shares = ranked.rows["share"].to_numpy()[:base]
    hhi = float(np.dot(shares, shares))

    def top(k: int) -> float:
        return float(cumulative[min(k, base) - 1])

    return {
        "target": float(target),
        "entities_for_target": for_target,
        "entities_for_target_share": for_target / base,
        "top20_entities": top20,
        "top20_share": top(top20),
        "top1_share": top(1),
        "top5_share": top(5),
        "top10_share": top(10),
        "gini": gini(units),
        "hhi": hhi,
        "effective_entities": 1.0 / hhi,
    }


CONCENTRATION_KEYS = (
    "target", "entities_for_target", "entities_for_target_share", "top20_entities", "top20_share",
    "top1_share", "top5_share", "top10_share", "gini", "hhi", "effective_entities",
)  # fmt: skip


def pareto_chart(by: str, measure: str) -> Chart:
    """Columns for the value, a line for the cumulative share on a second axis."""
    return Chart(
        kind="pareto",
        table="rows",
        category=by,
        values=[measure],
        secondary="cumulative_share",
        title="pareto.chart_title",
    )


from kamtool.needs import Needs  # noqa: E402 - beside the declaration it serves


def needs(by: str = "customer", measure: str = "revenue") -> Needs:
    """What :func:`pareto` reads: one row per ``by`` (canonical, ``entity`` for --by HEADER)
    with revenue and the ``measure``; distinct orders only when it is the measure."""
    return Needs(keys=(by,), measures=(measure,), figures=("orders",) if measure == "orders" else ())


def _params(by: str, measure: str, target: float) -> dict[str, Any]:
    """The options and the rules that shaped a Pareto result (stated in JSON and the workbook)."""
    return {
        "by": by,
        "measure": measure,
        "target": float(target),
        "tie_rule": TIE_RULE,
        "share_base": SHARE_BASE,
        "negative": "listed apart (included = false), outside the shares",
        "top20_rule": "the first ceil(0.2 x n) of the n entities of the base",
        "target_rule": "the fewest top entities whose cumulative value, in whole units, reaches the target",
        "gini": "over the entities of the base, no small-sample correction",
        "hhi": "sum of squared shares of the entities of the base, 0..1",
    }


def pareto(
    frame: pd.DataFrame,
    *,
    by: str = "customer",
    measure: str = "revenue",
    target: float = 0.8,
) -> Result:
    """Rank entities by a measure and measure its concentration.

    Parameters
    ----------
    frame
        One row per entity: column ``by`` plus the measure column (the ledger or
        ``group([by])``).
    by
        The entity column: customer, salesperson, product, region, channel, brand,
        category, or ``entity`` (a column of the file named by its header).
    measure
        revenue, profit, quantity or orders.
    target
        The cumulative share to reach, in (0, 1]; 0.8 reads "who makes 80 %".

    Returns
    -------
    Result
        ``rows``: rank, ``by``, ``measure``, share, cumulative_share, rank_share,
        included.  ``summary``: base_status (ok, negative_net, no_positive_value),
        entities, base_entities, positive_entities,
        zero_entities, negative_entities, negative_value, non_positive_entities,
        non_positive_value, missing_values, total, net_total, target,
        entities_for_target, entities_for_target_share, top20_entities, top20_share,
        top1_share, top5_share, top10_share, top1_entity, value_at_risk_top1, gini,
        hhi, effective_entities.  One Pareto chart over ``rows``.

    Raises
    ------
    UsageError
        Unknown measure, or ``target`` outside (0, 1].
    AnalysisError
        Missing or non-numeric columns, or no entities.  No entity with a positive value
        is a result: ``base_status`` "no_positive_value", shares NaN, concentration
        figures None.
    """
    check_options(by=by, measure=measure)
    if not 0 < target <= 1:
        raise UsageError.said("error.pareto.target_must_share_got", target=target)
    ranked = rank_entities(frame, by=by, measure=measure)
    summary: dict[str, Any] = base_summary(ranked)
    summary["net_total"] = ranked.total + ranked.negative_value
    if ranked.positive:
        figures = concentration(ranked, target)
        top1_entity, at_risk = _plain(ranked.rows[by].iloc[0]), float(ranked.values[0])
    else:
        # nothing positive to concentrate: the figures are undefined (null in JSON), the
        # headline says why (base_status)
        figures = dict.fromkeys(CONCENTRATION_KEYS) | {"target": float(target)}
        top1_entity, at_risk = None, None
    summary.update({k: v for k, v in figures.items() if k not in ("gini", "hhi", "effective_entities")})
    summary["top1_entity"] = top1_entity
    summary["value_at_risk_top1"] = at_risk
    summary.update(gini=figures["gini"], hhi=figures["hhi"], effective_entities=figures["effective_entities"])
    params = _params(by, measure, target)
    return Result(
        command="pareto",
        params=params,
        summary=summary,
        rows=ranked.rows,
        charts=[pareto_chart(by, measure)],
        display_columns=["rank", by, measure, "share", "cumulative_share", "rank_share"],
        kinds=measure_kinds(measure),
    )
