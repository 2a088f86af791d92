"""Pareto analysis (the 80/20 rule, 二八原则): how concentrated a measure is.

Input is one row per entity (customer, salesperson, product …) as the engine's
ledger or ``group([by])`` gives it.  Entities are ranked by the measure, largest
first, ties broken by entity id ascending compared as text, so the result never
depends on the order of rows in the file.

Entities whose net value is zero or negative (all returns) cannot hold a share
of a total: they stay in ``rows`` (ranked last, ``included`` false, shares NaN)
and are counted apart in the summary.  Every share is of the total of the
positive entities.

The ranking helpers here are shared with :mod:`kamtool.analyses.abc`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kamtool.errors import AnalysisError, UsageError
from kamtool.labels import LANGS, has_label, label
from kamtool.result import Chart, Result

MEASURES = ("revenue", "profit", "quantity", "orders")
# Cumulative sums of floats drift by a few ulps; a cut-off counts as reached when the
# running total is within this fraction of the total below it.
REL_TOL = 1e-9
TIE_RULE = "value descending, then entity id ascending (compared as text)"


# ---------------------------------------------------------------- formatting helpers


def noun(by: str, lang: str) -> str:
    """Plural word for the entities of ``by`` ("customers", "客户")."""
    key = f"pareto.noun.{by}"
    if has_label(key):
        return label(key, lang)
    return label("pareto.noun.fallback", lang).format(by=by_word(by, lang))


def by_word(by: str, lang: str) -> str:
    """The entity column inside a sentence ("customer", "客户")."""
    word = label(by, lang)
    return word.lower() if lang == "en" else word


def measure_word(measure: str, lang: str) -> str:
    """The measure as used inside a sentence ("revenue", "销售额")."""
    return label(f"pareto.measure.{measure}", lang)


def sentence_words(by: str, measure: str, lang: str) -> dict[str, str]:
    """The fields every sentence template may use: noun, Noun, measure, by."""
    plural = noun(by, lang)
    return {
        "noun": plural,
        "Noun": plural[:1].upper() + plural[1:],
        "measure": measure_word(measure, lang),
        "by": by_word(by, lang),
    }


def pct(x: float, lang: str, digits: int = 1) -> str:
    """A 0..1 share as a percentage: "32.6 %" in English, "32.6%" in Chinese."""
    text = f"{x * 100:.{digits}f}"
    return f"{text} %" if lang == "en" else f"{text}%"


def pct_short(x: float, lang: str) -> str:
    """A parameter such as 0.8 as "80 %" (no trailing zeros)."""
    text = f"{x * 100:.6g}"
    return f"{text} %" if lang == "en" else f"{text}%"


def fmt_value(value: float, measure: str) -> str:
    """A measure value with thousands separators (orders are whole numbers)."""
    return f"{value:,.0f}" if measure == "orders" else f"{value:,.2f}"


def ceil_count(share: float, n: int) -> int:
    """``ceil(share × n)`` capped at ``n``, immune to binary noise.

    ``0.1 * 30`` is ``3.0000000000000004`` in floating point; rounding to nine
    decimals first keeps an exact product from being pushed up to the next integer.
    """
    return min(n, math.ceil(round(share * n, 9)))


def reach_count(values: np.ndarray, cut: float) -> int:
    """The fewest leading entities whose cumulative value reaches ``cut`` of the total.

    ``values`` are positive and largest first.  Counts the entities whose preceding
    running total is still short of the cut-off, so the entity that crosses it is
    included; the first entity always is.
    """
    cumulative = np.cumsum(values)
    preceding = np.concatenate(([0.0], cumulative[:-1]))
    return max(1, int(np.count_nonzero(preceding < (cut - REL_TOL) * float(cumulative[-1]))))


# ---------------------------------------------------------------- validation and ranking


def check_options(*, by: str, measure: str, lang: str) -> None:
    """Raise UsageError for an unknown measure or language, or ``by == measure``."""
    if lang not in LANGS:
        raise UsageError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    if measure not in MEASURES:
        raise UsageError(f"unknown measure {measure!r}; choose one of {', '.join(MEASURES)}")
    if by == measure:
        raise UsageError(f"cannot rank {measure} by {measure}; choose another --by column")


@dataclass(frozen=True)
class Sorted:
    """Entities in rank order: positions in the input frame and their values."""

    order: np.ndarray  # row positions of the input frame, largest value first
    values: np.ndarray  # float64 values in rank order; a missing value counts as 0
    positive: int  # the first ``positive`` entities have a value > 0
    missing: int  # how many entities had no value


def sort_entities(frame: pd.DataFrame, *, by: str, measure: str, lang: str = "en") -> Sorted:
    """Validate ``frame`` and order its entities by value descending, id ascending.

    Raises
    ------
    AnalysisError
        ``by`` or ``measure`` column missing (or ``measure`` entirely empty, which is
        how the ledger marks a file without quantities), not numeric, no rows, or an
        entity on more than one row.
    """
    if by not in frame.columns:
        raise AnalysisError(label("pareto.error.missing_by", lang).format(by=by))
    if measure not in frame.columns or (len(frame) and frame[measure].isna().all()):
        raise AnalysisError(label(f"pareto.error.missing_{measure}", lang))
    column = frame[measure]
    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        raise AnalysisError(label("pareto.error.not_numeric", lang).format(measure=measure))
    if len(frame) == 0:
        raise AnalysisError(label("pareto.error.empty", lang).format(noun=noun(by, lang)))
    ids = _id_text(frame[by])
    # The ledger hands entities sorted by id: strictly increasing ids are unique, and a
    # stable sort by value alone then breaks ties by id.
    in_id_order = len(ids) < 2 or pc.all(pc.less(ids[:-1], ids[1:])).as_py()
    if not in_id_order and pc.count_distinct(ids, mode="all").as_py() != len(ids):
        duplicated = frame[by].duplicated()
        if duplicated.any():
            entity = frame[by][duplicated].iloc[0]
            raise AnalysisError(
                label("pareto.error.duplicate", lang).format(by=by, entity=_plain(entity))
            )

    raw = column.to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(raw)
    values = np.where(missing, 0.0, raw)
    # Ids compare as text (code point order) so that mixed or numeric ids still have one
    # total order.
    if in_id_order:
        order = np.argsort(-values, kind="stable")
    else:
        keys = pa.table({"value": values, "id": ids})
        order = pc.sort_indices(keys, sort_keys=[("value", "descending"), ("id", "ascending")]).to_numpy()
    ranked = values[order]
    return Sorted(
        order=order,
        values=ranked,
        positive=int(np.count_nonzero(ranked > 0)),
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
    positive: int
    total: float  # sum of the positive values: the base of every share
    non_positive_value: float
    missing: int


def rank_entities(frame: pd.DataFrame, *, by: str, measure: str, lang: str = "en") -> Ranked:
    """Rank the entities and compute share, cumulative share and rank share.

    ``rows`` columns: rank (1 = largest, over all entities), ``by``, ``measure``,
    share, cumulative_share, rank_share (rank / number of positive entities) and
    included (false for zero or negative values, whose shares are NaN).
    """
    ranked = sort_entities(frame, by=by, measure=measure, lang=lang)
    n, positive, values = len(ranked.values), ranked.positive, ranked.values
    if positive == 0:
        raise AnalysisError(
            label("pareto.error.no_positive", lang).format(
                noun=noun(by, lang), measure=measure_word(measure, lang)
            )
        )
    cumulative = np.cumsum(values[:positive])
    # The last cumulative sum is the total itself, so the cumulative share ends at exactly 1.
    total = float(cumulative[-1])
    rank = np.arange(1, n + 1, dtype="int64")
    share = np.full(n, np.nan)
    cumulative_share = np.full(n, np.nan)
    rank_share = np.full(n, np.nan)
    share[:positive] = values[:positive] / total
    cumulative_share[:positive] = cumulative / total
    rank_share[:positive] = rank[:positive] / positive
    rows = pd.DataFrame(
        {
            "rank": rank,
            by: frame[by].iloc[ranked.order].reset_index(drop=True),
            measure: frame[measure].iloc[ranked.order].reset_index(drop=True),
            "share": share,
            "cumulative_share": cumulative_share,
            "rank_share": rank_share,
            "included": rank <= positive,
        }
    )
    if by == "customer" and "customer_name" in frame:
        # Names beside ids, taken by the same positions (a lookup by id cost 0.1 s per 200k).
        rows.insert(2, "customer_name", frame["customer_name"].iloc[ranked.order].reset_index(drop=True))
    return Ranked(
        rows=rows,
        order=ranked.order,
        values=values,
        positive=positive,
        total=total,
        non_positive_value=float(values[positive:].sum()),
        missing=ranked.missing,
    )


def gini(values_descending: np.ndarray) -> float:
    """Gini coefficient of positive values sorted largest first (no sample correction).

    G = Σ_i Σ_j |x_i − x_j| / (2 n² mean) = 2 Σ_i i·x_(i) / (n Σ x) − (n + 1) / n
    with x_(i) ascending and i = 1..n.
    """
    n = len(values_descending)
    ascending = values_descending[::-1]
    weighted = float(np.dot(np.arange(1, n + 1, dtype="float64"), ascending))
    g = 2.0 * weighted / (n * float(ascending.sum())) - (n + 1) / n
    return max(0.0, g)  # equal values give −1e-16, not a negative inequality


def _plain(value: Any) -> Any:
    """A numpy scalar as a plain Python value (for JSON)."""
    return value.item() if isinstance(value, np.generic) else value


def basic_notes(ranked: Ranked, *, by: str, measure: str, lang: str) -> list[str]:
    """The ordering and share-base definitions printed with pareto and abc."""
    words = sentence_words(by, measure, lang)
    notes = [
        label("pareto.note.order", lang).format(**words),
        label("pareto.note.base", lang).format(
            positive=f"{ranked.positive:,}", total=fmt_value(ranked.total, measure), **words
        ),
    ]
    if ranked.missing:
        notes.append(label("pareto.note.missing", lang).format(count=ranked.missing, **words))
    return notes


# ---------------------------------------------------------------- the analysis


def pareto_chart(by: str, measure: str, words: dict[str, str], lang: str) -> Chart:
    """Columns for the value, a line for the cumulative share on a second axis."""
    return Chart(
        kind="pareto",
        table="rows",
        category=by,
        values=[measure],
        secondary="cumulative_share",
        title=label("pareto.chart_title", lang).format(**words),
    )


from kamtool.needs import Needs  # noqa: E402 - beside the declaration it serves


def needs(by: str = "customer", measure: str = "revenue") -> Needs:
    """What :func:`pareto` reads: one row per ``by`` (canonical, ``entity`` for --by HEADER)
    with revenue and the ``measure``; distinct orders only when it is the measure."""
    return Needs(keys=(by,), measures=(measure,), figures=("orders",) if measure == "orders" else ())


def pareto(
    frame: pd.DataFrame,
    *,
    by: str = "customer",
    measure: str = "revenue",
    target: float = 0.8,
    lang: str = "en",
) -> Result:
    """Rank entities by a measure and measure its concentration.

    Parameters
    ----------
    frame
        One row per entity: column ``by`` plus the measure column (the ledger or
        ``group([by])``).
    by
        The entity column: customer, salesperson, product, region, channel, brand,
        category or any other column of the frame.
    measure
        revenue, profit, quantity or orders.
    target
        The cumulative share to reach, in (0, 1]; 0.8 reads "who makes 80 %".
    lang
        "en" or "zh" for headline, notes and titles.

    Returns
    -------
    Result
        ``rows``: rank, ``by``, ``measure``, share, cumulative_share, rank_share,
        included.  ``summary``: entities, positive_entities, non_positive_entities,
        non_positive_value, missing_values, total, net_total, target,
        entities_for_target, entities_for_target_share, top20_entities, top20_share,
        top1_share, top5_share, top10_share, top1_entity, value_at_risk_top1, gini,
        hhi, effective_entities.  One Pareto chart over ``rows``.

    Raises
    ------
    UsageError
        Unknown measure or language, or ``target`` outside (0, 1].
    AnalysisError
        Missing or non-numeric columns, no entities, or no entity with a positive value.
    """
    check_options(by=by, measure=measure, lang=lang)
    if not 0 < target <= 1:
        raise UsageError(f"--target must be a share in (0, 1], e.g. 0.8 for 80 %; got {target}")
    ranked = rank_entities(frame, by=by, measure=measure, lang=lang)
    n, positive, total = len(ranked.values), ranked.positive, ranked.total
    values = ranked.values[:positive]
    cumulative = ranked.rows["cumulative_share"].to_numpy()[:positive]

    for_target = reach_count(values, target)
    top20 = max(1, ceil_count(0.2, positive))
    shares = values / total
    hhi = float(np.dot(shares, shares))
    g = gini(values)

    def top(k: int) -> float:
        return float(cumulative[min(k, positive) - 1])

    top1_entity = _plain(ranked.rows[by].iloc[0])
    summary: dict[str, Any] = {
        "entities": n,
        "positive_entities": positive,
        "non_positive_entities": n - positive,
        "non_positive_value": ranked.non_positive_value,
        "missing_values": ranked.missing,
        "total": total,
        "net_total": total + ranked.non_positive_value,
        "target": float(target),
        "entities_for_target": for_target,
        "entities_for_target_share": for_target / positive,
        "top20_entities": top20,
        "top20_share": top(top20),
        "top1_share": top(1),
        "top5_share": top(5),
        "top10_share": top(10),
        "top1_entity": top1_entity,
        "value_at_risk_top1": float(values[0]),
        "gini": g,
        "hhi": hhi,
        "effective_entities": 1.0 / hhi,
    }
    params: dict[str, Any] = {
        "by": by,
        "measure": measure,
        "target": float(target),
        "tie_rule": TIE_RULE,
        "share_base": "total of the entities with a positive value",
        "non_positive": "listed apart (included = false), outside the shares",
        "top20_rule": "the first ceil(0.2 x n) of the n positive entities",
        "gini": "over positive entities, no small-sample correction",
        "hhi": "sum of squared shares of positive entities, 0..1",
    }

    words = sentence_words(by, measure, lang)
    headline = [
        label("pareto.headline.target", lang).format(
            share=pct(for_target / positive, lang),
            count=f"{for_target:,}",
            target=pct_short(target, lang),
            **words,
        ),
        label("pareto.headline.top", lang).format(
            count=f"{top20:,}",
            top20=pct(top(top20), lang),
            top1=pct(top(1), lang),
            top5=pct(top(5), lang),
            top10=pct(top(10), lang),
            **words,
        ),
        label("pareto.headline.concentration", lang).format(
            gini=f"{g:.2f}", hhi=f"{hhi:.4f}", equivalent=f"{1.0 / hhi:,.1f}", **words
        ),
        label("pareto.headline.risk", lang).format(
            entity=top1_entity,
            share=pct(top(1), lang),
            value=fmt_value(float(values[0]), measure),
            **words,
        ),
    ]
    if n > positive:
        headline.append(
            label("pareto.headline.non_positive", lang).format(
                count=f"{n - positive:,}",
                value=fmt_value(ranked.non_positive_value, measure),
                **words,
            )
        )
    notes = basic_notes(ranked, by=by, measure=measure, lang=lang)
    notes += [
        label(f"pareto.note.{key}", lang).format(target=pct_short(target, lang), **words)
        for key in ("target", "top20", "gini", "hhi")
    ]
    chart = pareto_chart(by, measure, words, lang)
    return Result(
        command="pareto",
        params=params,
        summary=summary,
        rows=ranked.rows,
        charts=[chart],
        headline=headline,
        notes=notes,
        display_columns=["rank", by, measure, "share", "cumulative_share", "rank_share"],
    )
