"""RFM: recency, frequency and monetary scores and named segments (``kamtool rfm``).

Conventions (those of the R ``rfm`` package, ``rfm_table_order``, but for the bin rule):

* **Breaks.** For ``bins = k`` the breaks are the interior quantiles at ``i / k``,
  ``i = 1 … k − 1``, of the customers' values, R ``quantile`` type 7 (numpy
  ``method="linear"``): with the values sorted as ``x[0] <= … <= x[n-1]`` and the
  position ``h = (n − 1) · i / k``, the break is ``x[⌊h⌋] + (h − ⌊h⌋) · (x[⌊h⌋+1] − x[⌊h⌋])``.
  The position is computed in exact integer arithmetic, so a break that falls on a
  data value *is* that value (no ``4.000000000000001``).
* **Bins** (``binning``). ``"quantile"`` (the default): a value equal to a break goes to the
  lower bin, as in pandas ``qcut`` (bins ``(lower, upper]``, the lowest closed): the value bin
  is ``1 + (number of breaks < x)``. A customer with the fewest orders is then always F = 1 —
  never a Champion or Loyal Customer — however skewed the data. ``"r-rfm"`` reproduces R
  ``rfm`` 0.3.0 (``R/utils.R``, ``bins()``) bit for bit: every interior break is raised by 1,
  then ``lower <= x < upper`` (``[min, b1 + 1)`` … ``[b_{k-1} + 1, max + 1)``), the value bin
  ``1 + (number of raised breaks <= x)``. For whole-number measures (orders, days) with
  whole-number breaks the two agree exactly; with money or fractional breaks they can differ
  by one score. Breaks fixed by hand (``thresholds``) are lower edges under either rule, as
  R reads custom breaks: ``f=2,3,5,8`` makes F2 start at 2 orders.
* **Frequency** (``frequency``): distinct ``orders`` (default), order ``lines`` (what R's
  ``rfm_table_order`` counts: one row per transaction), or active ``days``.
* **Ties.** Equal values always share a score. Breaks are *not* made unique: when two
  breaks are equal (skewed data, e.g. most customers with one order) the bin between
  them is empty and its score is skipped, exactly as in R. The summary lists the
  breaks and the count per score, and the headline names an empty score.
* **Recency** is reversed: value bin ``j`` of ``k`` gets R score ``k + 1 − j``, so the
  most recent customers score highest.
* ``rfm_score = R · 100 + F · 10 + M``, so at most 9 scores per dimension.

Segments are a first-match rule table: each rule names inclusive score ranges for R,
F and M; a customer takes the first rule that holds all three scores, else "Others".
The default table (:data:`DEFAULT_SEGMENTS`) covers all 125 cells of the 5 × 5 × 5
cube and every one of its eleven segments is reachable (unlike the 2018 table of the
R package, where At Risk shadows Can't Lose Them and Hibernating shadows Lost).

A customer whose net revenue is below zero (returns outweigh purchases) is scored like
every other but takes the segment "Negative Value" whatever the rules say: a net seller
back to us is never "Loyal Customers".  Shares of revenue are of the customers with a
non-negative net revenue; when that total is 0 there is none (``base_status``
"no_positive_value").
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kamtool.analyses.rules import as_of_day, day_number
from kamtool.errors import AnalysisError, UsageError
from kamtool.lazy import lazy_module
from kamtool.result import Chart, Heatmap, Result

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

DIMENSIONS = ("r", "f", "m")
MAX_SCORES = 9  # rfm_score packs the three scores into decimal digits
OTHERS = "Others"
# Customers whose net revenue is below zero (returns outweigh purchases): whatever their
# scores, they get this segment, never a positive one such as Loyal Customers.
NEGATIVE = "Negative Value"


def is_negative(revenue: np.ndarray) -> np.ndarray:
    """Net revenue below zero by at least half a cent (float noise is not a return)."""
    return np.asarray(revenue < -0.005)

ScoreRange = tuple[int, int]


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower().replace("'", "")).strip("_")


@dataclass(frozen=True)
class SegmentRule:
    """One row of the segment table: inclusive score ranges and a recommended action.

    ``name`` is the segment's code in rows and JSON. ``action`` is a label key
    (``rfm.action.champions``) or the rule file's own text; a custom rule may give
    ``name_zh`` / ``action_zh`` too. :mod:`kamtool.render.words.rfm` turns them into words.
    """

    name: str
    r: ScoreRange
    f: ScoreRange
    m: ScoreRange
    action: str = ""
    name_zh: str = ""
    action_zh: str = ""

    def matches(self, r: int, f: int, m: int) -> bool:
        return self.r[0] <= r <= self.r[1] and self.f[0] <= f <= self.f[1] and self.m[0] <= m <= self.m[1]

    @property
    def slug(self) -> str:
        """The segment's name as a label key part: "Can't Lose Them" -> cant_lose_them."""
        return _slug(self.name)


@dataclass(frozen=True)
class SegmentTable:
    """An ordered rule table written for scores ``1 … scale`` (first match wins)."""

    rules: tuple[SegmentRule, ...]
    scale: int = 5
    source: str = "default"  # "default" or the file it was read from

    def __iter__(self) -> Iterator[SegmentRule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def segment_of(self, r: int, f: int, m: int) -> str:
        """The segment name for one customer's scores (a readable reference for the lookup)."""
        for rule in self.rules:
            if rule.matches(r, f, m):
                return rule.name
        return OTHERS


def _rule(name: str, r: ScoreRange, f: ScoreRange, m: ScoreRange) -> SegmentRule:
    return SegmentRule(name, r, f, m, action=f"rfm.action.{_slug(name)}")


# Ordered so that the specific rules come before the broad ones they overlap;
# the witnesses in the comments prove each segment reachable (and are tested).
DEFAULT_SEGMENTS = SegmentTable(
    rules=(
        _rule("Champions", (4, 5), (4, 5), (4, 5)),  # 555
        _rule("Loyal Customers", (3, 5), (3, 5), (3, 5)),  # 333
        _rule("New Customers", (5, 5), (1, 1), (1, 5)),  # 511: bought just now, once
        _rule("Promising", (3, 4), (1, 1), (1, 5)),  # 411
        _rule("Potential Loyalist", (4, 5), (2, 5), (1, 5)),  # 521: recent, repeat, not yet big
        _rule("Can't Lose Them", (1, 1), (4, 5), (4, 5)),  # 155: before At Risk, which overlaps
        _rule("At Risk", (1, 2), (3, 5), (3, 5)),  # 233
        _rule("Need Attention", (2, 3), (2, 5), (2, 5)),  # 322
        _rule("About To Sleep", (3, 3), (1, 5), (1, 5)),  # 321
        _rule("Lost", (1, 1), (1, 2), (1, 2)),  # 111: before Hibernating, which overlaps
        _rule("Hibernating", (1, 2), (1, 5), (1, 5)),  # 211
    ),
    scale=5,
)


# --------------------------------------------------------------------------- binning


def score_breaks(values: np.ndarray | pd.Series, bins: int) -> np.ndarray:
    """Interior quantile breaks of ``values`` for ``bins`` scores (R type 7, exact positions).

    Returns ``bins - 1`` non-decreasing breaks; equal breaks are kept (see the module
    docstring). ``values`` must be non-empty and free of NaN.
    """
    x = np.sort(np.asarray(values, dtype="float64"))
    n = len(x)
    i = np.arange(1, bins, dtype="int64")
    num = (n - 1) * i
    lo = num // bins
    frac = (num % bins) / bins
    hi = np.minimum(lo + 1, n - 1)
    # a + h·(b − a) returns a exactly when a == b or h == 0, unlike (1 − h)·a + h·b
    return x[lo] + frac * (x[hi] - x[lo])


BINNINGS = ("quantile", "r-rfm")
FREQUENCIES = {"orders": "orders", "lines": "lines", "days": "active_days"}  # -> ledger column


def assign_scores(values: np.ndarray | pd.Series, breaks: Sequence[float] | np.ndarray,
                  binning: str = "quantile", computed: bool = True) -> np.ndarray:
    """Value bin 1 … len(breaks) + 1 of each value under ``binning`` (see the module docstring).

    Quantile breaks (``computed``): ``"quantile"`` gives 1 + the number of breaks < value (a
    value on a break goes to the lower bin); ``"r-rfm"`` 1 + the number of breaks + 1 <= value,
    as R's ``bins()`` raises them. Breaks fixed by hand are lower edges under either rule,
    as in R: 1 + the number of breaks <= value.
    """
    b = np.asarray(breaks, dtype="float64")
    x = np.asarray(values, dtype="float64")
    if not computed:
        return np.searchsorted(b, x, side="right").astype("int64") + 1
    if binning == "r-rfm":
        return np.searchsorted(b + 1, x, side="right").astype("int64") + 1
    return np.searchsorted(b, x, side="left").astype("int64") + 1


# --------------------------------------------------------------------------- rule tables


def _range(value: Any, where: str, dim: str) -> ScoreRange:
    if isinstance(value, bool):
        raise UsageError.said("error.rfm.must_score_from_not", where=where, dim=dim, value=value)
    if isinstance(value, int):
        lo = hi = value
    elif (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        lo, hi = value
    else:
        raise UsageError.said("error.rfm.must_score_from_not", where=where, dim=dim, value=value)
    if not 1 <= lo <= hi <= MAX_SCORES:
        raise UsageError.said("error.rfm.must_satisfy_from", where=where, dim=dim, value=value,
                              max_scores=MAX_SCORES)
    return (lo, hi)


_RULE_KEYS = {"name", "name_zh", "r", "f", "m", "action", "action_zh"}


def parse_segments(data: Mapping[str, Any], source: str) -> SegmentTable:
    """Build a rule table from parsed TOML (see :func:`load_segments` for the format)."""
    unknown = set(data) - {"scale", "segment"}
    if unknown:
        raise UsageError.said("error.rfm.unknown_key_expected_scale", source=source,
                              unknown=', '.join(sorted(unknown)))
    scale = data.get("scale", 5)
    if isinstance(scale, bool) or not isinstance(scale, int) or not 2 <= scale <= MAX_SCORES:
        raise UsageError.said("error.rfm.scale_must_whole_number", source=source, max_scores=MAX_SCORES)
    raw = data.get("segment")
    if not isinstance(raw, list) or not raw:
        raise UsageError.said("error.rfm.no_segment_rules_found", source=source)
    rules: list[SegmentRule] = []
    seen: set[str] = set()
    for number, item in enumerate(raw, start=1):
        name = item.get("name") if isinstance(item, dict) else None
        where = f"{source}, rule {number}" + (f" ({name})" if isinstance(name, str) else "")
        if not isinstance(item, dict):
            raise UsageError.said("error.rfm.must_segment_table", where=where)
        extra = set(item) - _RULE_KEYS
        if extra:
            raise UsageError.said("error.rfm.unknown_key_allowed", where=where,
                                  extra=', '.join(sorted(extra)), _rule_keys=', '.join(sorted(_RULE_KEYS)))
        if not isinstance(name, str) or not name.strip():
            raise UsageError.said("error.rfm.name_missing_empty", where=where)
        name = name.strip()
        if name.casefold() == OTHERS.casefold():
            raise UsageError.said("error.rfm.reserved_customers_matching_no", where=where, others=OTHERS)
        if name.casefold() == NEGATIVE.casefold():
            raise UsageError.said("error.rfm.reserved_customers_negative_net", where=where, negative=NEGATIVE)
        if name.casefold() in seen:
            raise UsageError.said("error.rfm.segment_name_used_twice", where=where, name=name)
        seen.add(name.casefold())
        ranges = {}
        for dim in DIMENSIONS:
            rng = _range(item[dim], where, dim) if dim in item else (1, scale)
            if rng[1] > scale:
                raise UsageError.said("error.rfm.goes_beyond_scale", where=where, dim=dim, rng=list(rng),
                                      scale=scale)
            ranges[dim] = rng
        texts = {}
        for key in ("name_zh", "action", "action_zh"):
            value = item.get(key, "")
            if not isinstance(value, str):
                raise UsageError.said("error.rfm.must_text", where=where, key=key)
            texts[key] = value.strip()
        rules.append(
            SegmentRule(
                name,
                ranges["r"],
                ranges["f"],
                ranges["m"],
                action=texts["action"],
                name_zh=texts["name_zh"],
                action_zh=texts["action_zh"],
            )
        )
    return SegmentTable(rules=tuple(rules), scale=scale, source=source)


def load_segments(path: str | Path) -> SegmentTable:
    """Read a segment rule table from a TOML file.

    Format::

        scale = 5                 # the scores the rules are written for (default 5)

        [[segment]]               # one table per rule, first match wins
        name = "Champions"        # required, unique; "Others" is reserved
        r = [4, 5]                # inclusive score range; a single number n means [n, n];
        f = [4, 5]                #   an omitted dimension matches any score
        m = 5
        action = "Reward them."   # optional; name_zh / action_zh optional

    Raises
    ------
    UsageError
        When the file cannot be read, is not TOML, or a rule is malformed; the message
        names the file and the rule.
    """
    source = str(path)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise UsageError.said("error.rfm.cannot_read_segment_rules", source=source,
                              strerror=exc.strerror) from exc
    except tomllib.TOMLDecodeError as exc:
        raise UsageError.said("error.rfm.not_valid_toml_file", source=source, exc=exc) from exc
    return parse_segments(data, source)


def rules_frame(segments: SegmentTable = DEFAULT_SEGMENTS) -> pd.DataFrame:
    """The rule table as codes and numbers: rule, segment, r_low … m_high (the words, a
    segment's name in the report language and its action, are added by
    :func:`kamtool.render.words.rfm.rules_table`)."""
    return pd.DataFrame(
        {
            "rule": np.arange(1, len(segments) + 1, dtype="int64"),
            "segment": [rule.name for rule in segments],
            "r_low": [rule.r[0] for rule in segments],
            "r_high": [rule.r[1] for rule in segments],
            "f_low": [rule.f[0] for rule in segments],
            "f_high": [rule.f[1] for rule in segments],
            "m_low": [rule.m[0] for rule in segments],
            "m_high": [rule.m[1] for rule in segments],
        }
    )


def _segment_lookup(segments: SegmentTable, scale: int) -> np.ndarray:
    """A (scale+1)³ array of rule indexes (−1 = Others), painted last rule first."""
    cells = np.full((scale + 1,) * 3, -1, dtype="int64")
    for index in range(len(segments) - 1, -1, -1):
        rule = segments.rules[index]
        cells[rule.r[0] : rule.r[1] + 1, rule.f[0] : rule.f[1] + 1, rule.m[0] : rule.m[1] + 1] = index
    return cells


# --------------------------------------------------------------------------- analysis


def _check_thresholds(
    thresholds: Mapping[str, Sequence[float]] | None,
) -> dict[str, np.ndarray]:
    if not thresholds:
        return {}
    unknown = set(thresholds) - set(DIMENSIONS)
    if unknown:
        raise UsageError.said("error.rfm.thresholds_expected_only_r", unknown=', '.join(sorted(unknown)))
    out: dict[str, np.ndarray] = {}
    for dim, raw in thresholds.items():
        try:
            breaks = np.asarray(list(raw), dtype="float64")
        except (TypeError, ValueError) as exc:
            raise UsageError.said("error.rfm.thresholds_are_not_numbers", dim=dim, raw=raw) from exc
        if breaks.ndim != 1 or not 1 <= len(breaks) <= MAX_SCORES - 1:
            raise UsageError.said("error.rfm.thresholds_give_breaks_n", dim=dim, max_scores=MAX_SCORES - 1)
        if not np.isfinite(breaks).all() or (np.diff(breaks) <= 0).any():
            shown = ", ".join(f"{b:g}" for b in breaks)
            raise UsageError.said("error.rfm.thresholds_must_finite_strictly", dim=dim, shown=shown)
        out[dim] = breaks
    return out


def _score_table(
    dim: str,
    values: np.ndarray,
    breaks: np.ndarray,
    scores: np.ndarray,
    reverse: bool,
) -> pd.DataFrame:
    k = len(breaks) + 1
    value_bin = np.arange(1, k + 1)
    lower = np.concatenate([[np.nan], breaks])
    upper = np.concatenate([breaks, [np.nan]])
    score = k + 1 - value_bin if reverse else value_bin
    frame = pd.DataFrame(
        {
            "dimension": dim.upper(),
            "score": score.astype("int64"),
            "lower": lower,
            "upper": upper,
        }
    )
    counts = np.bincount(scores, minlength=k + 1)
    low = np.full(k + 1, np.inf)
    high = np.full(k + 1, -np.inf)
    np.minimum.at(low, scores, values)
    np.maximum.at(high, scores, values)
    seen = counts[score] > 0
    frame["customers"] = counts[score].astype("int64")
    frame["min_value"] = np.where(seen, low[score], np.nan)
    frame["max_value"] = np.where(seen, high[score], np.nan)
    return frame.sort_values("score", ascending=False, ignore_index=True)


def _values(ledger: pd.DataFrame, as_of: Any) -> tuple[pd.Timestamp, dict[str, np.ndarray]]:
    """The as-of day and each customer's recency (days), frequency and monetary value."""
    last_date = pd.to_datetime(ledger["last_date"]).dt.normalize()
    if last_date.isna().any():
        raise AnalysisError.said("error.rfm.rfm_customers_have_no", sum=int(last_date.isna().sum()))
    day = _as_of(last_date, as_of)
    values = {
        "r": (day - last_date).dt.days.to_numpy(dtype="int64"),
        "f": ledger["orders"].to_numpy(dtype="int64"),
        "m": ledger["revenue"].to_numpy(dtype="float64"),
    }
    if np.isnan(values["m"]).any():
        raise AnalysisError.said("error.rfm.rfm_customers_have_no_2", sum=int(np.isnan(values['m']).sum()))
    return day, values


def _frequency_ledger(ledger: pd.DataFrame, binning: str, frequency: str) -> pd.DataFrame:
    """The ledger with ``orders`` holding the count ``frequency`` asks for (checked options)."""
    if binning not in BINNINGS:
        raise UsageError.said("error.rfm.binning_takes_got", binnings=' or '.join(BINNINGS), binning=binning)
    if frequency not in FREQUENCIES:
        raise UsageError.said("error.rfm.frequency_takes_got", frequencies=', '.join(FREQUENCIES),
                              frequency=frequency)
    if frequency == "orders":
        return ledger
    return ledger.assign(orders=ledger[FREQUENCIES[frequency]])


def _check_ledger(ledger: pd.DataFrame, bins: int) -> None:
    missing = [c for c in ("customer", "revenue", "orders", "last_date") if c not in ledger]
    if missing:
        raise AnalysisError(f"rfm needs the ledger columns {', '.join(missing)}")
    if ledger.empty:
        raise AnalysisError.said("error.rfm.rfm_there_are_no")
    if isinstance(bins, bool) or not isinstance(bins, int) or not 2 <= bins <= MAX_SCORES:
        raise UsageError.said("error.rfm.bins_must_whole_number", max_scores=MAX_SCORES, bins=bins)


def _as_of(last_date: pd.Series, as_of: Any) -> pd.Timestamp:
    """The as-of day (rules.as_of_day); a given one must lie after the last order."""
    latest = last_date.max()
    day = as_of_day(as_of, day_number(latest))
    assert day is not None
    stamp = pd.Timestamp(np.datetime64(day, "D"))
    # "today" is the day after the last order by default, so an order on the as-of day
    # itself would lie in the future; same rule as loyalty and churn
    if as_of is not None and stamp <= latest:
        raise UsageError.said("error.rfm.not_after_last_order", date=stamp.date(), date2=latest.date())
    return stamp


def _scores(
    values: dict[str, np.ndarray], bins: int, fixed: dict[str, np.ndarray], table: SegmentTable,
    binning: str = "quantile",
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, int]]:
    """Breaks, scores and number of scores per dimension (checked against the rules' scale)."""
    breaks: dict[str, np.ndarray] = {}
    scores: dict[str, np.ndarray] = {}
    for dim in DIMENSIONS:
        breaks[dim] = fixed[dim] if dim in fixed else score_breaks(values[dim], bins)
        value_bin = assign_scores(values[dim], breaks[dim], binning, computed=dim not in fixed)
        scores[dim] = len(breaks[dim]) + 2 - value_bin if dim == "r" else value_bin
    levels = {dim: len(breaks[dim]) + 1 for dim in DIMENSIONS}
    wrong = [f"{dim.upper()} has {n}" for dim, n in levels.items() if n != table.scale]
    if wrong:
        raise UsageError.said("error.rfm.segment_rules_are_written", source=table.source, scale=table.scale,
                              wrong=', '.join(wrong))
    return breaks, scores, levels


def _segment_summary(
    table: SegmentTable, seg_index: np.ndarray, values: dict[str, np.ndarray]
) -> pd.DataFrame:
    """Customers, revenue and mean R/F/M per segment, in rule order; Others and Negative
    Value only when used."""
    n = len(seg_index)
    negative = is_negative(values["m"])
    # the base of every share of revenue: customers with a non-negative net (as in pareto)
    total_revenue = float(values["m"][~negative].sum())
    names = [rule.name for rule in table] + [OTHERS, NEGATIVE]
    # Others (−1) is counted in the slot after the last rule, Negative Value (−2) after it
    slot = np.where(seg_index == -1, len(table), np.where(seg_index == -2, len(table) + 1, seg_index))
    size = len(table) + 2
    customers_per = np.bincount(slot, minlength=size).astype("int64")
    revenue_per = np.bincount(slot, weights=values["m"], minlength=size)
    order = np.array([i for i in range(size) if i < len(table) or customers_per[i]], dtype="int64")
    revenue_share = np.full(len(order), np.nan)
    if total_revenue > 0:
        revenue_share = np.where(order <= len(table), revenue_per[order] / total_revenue, np.nan)
    return pd.DataFrame(
        {
            "segment": [names[i] for i in order],
            "customers": customers_per[order],
            "share": customers_per[order] / n,
            "revenue": revenue_per[order],
            "revenue_share": revenue_share,
            "mean_recency": _means(slot, values["r"], size)[order],
            "mean_frequency": _means(slot, values["f"], size)[order],
            "mean_monetary": _means(slot, values["m"], size)[order],
        }
    )


def _heatmap(scores: dict[str, np.ndarray], levels: dict[str, int], monetary: np.ndarray) -> pd.DataFrame:
    """Mean monetary per R score (rows, highest first) and F score (columns f_1 …)."""
    cell = (scores["r"] - 1) * levels["f"] + (scores["f"] - 1)
    heat = _means(cell, monetary, levels["r"] * levels["f"]).reshape(levels["r"], levels["f"])
    heatmap = pd.DataFrame({"r_score": np.arange(levels["r"], 0, -1, dtype="int64")})
    for f in range(1, levels["f"] + 1):
        heatmap[f"f_{f}"] = heat[::-1, f - 1]
    return heatmap


def _rows(ledger: pd.DataFrame, values: dict[str, np.ndarray], scores: dict[str, np.ndarray],
          segment: np.ndarray) -> pd.DataFrame:
    rows = pd.DataFrame(
        {
            "customer": ledger["customer"].array,
            "recency": values["r"],
            "frequency": values["f"],
            "monetary": values["m"],
            "r_score": scores["r"],
            "f_score": scores["f"],
            "m_score": scores["m"],
            "rfm_score": scores["r"] * 100 + scores["f"] * 10 + scores["m"],
            "segment": pd.array(segment, dtype="str"),
        }
    )
    return rows.sort_values(
        ["rfm_score", "monetary", "customer"], ascending=[False, False, True], ignore_index=True
    )


def _summary(
    as_of: pd.Timestamp, values: dict[str, np.ndarray], breaks: dict[str, np.ndarray],
    score_tables: list[pd.DataFrame], levels: dict[str, int], seg_table: pd.DataFrame,
) -> dict[str, Any]:
    counts = {
        dim: {str(s): int(c) for s, c in zip(t["score"], t["customers"], strict=True)}
        for dim, t in zip(DIMENSIONS, score_tables, strict=True)
    }
    empty = [
        f"{dim.upper()}{s}"
        for dim in DIMENSIONS
        for s in range(1, levels[dim] + 1)
        if counts[dim][str(s)] == 0
    ]
    segment_counts = dict.fromkeys(seg_table["segment"], 0) | {OTHERS: 0}
    segment_counts.update(
        {str(k): int(v) for k, v in zip(seg_table["segment"], seg_table["customers"], strict=True)}
    )
    negative = is_negative(values["m"])
    base_total = float(values["m"][~negative].sum())
    return {
        "as_of": as_of,
        "customers": len(values["m"]),
        "revenue": float(values["m"].sum()),
        # the base of the revenue shares (see kamtool.analyses.pareto.base_status)
        "base_status": "no_positive_value" if base_total <= 0 else (
            "negative_net" if float(values["m"].sum()) < 0 else "ok"),
        "negative_customers": int(negative.sum()),
        "negative_revenue": float(values["m"][negative].sum()),
        "segment_counts": segment_counts,
        "others": segment_counts[OTHERS],
        **{f"{dim}_breaks": [float(b) for b in breaks[dim]] for dim in DIMENSIONS},
        **{f"{dim}_counts": counts[dim] for dim in DIMENSIONS},
        "empty_scores": empty,
    }


def _params(day: pd.Timestamp, given: bool, bins: int, fixed: dict[str, np.ndarray],
            table: SegmentTable, binning: str = "quantile", frequency: str = "orders") -> dict[str, Any]:
    return {
        "binning": binning,
        "frequency": frequency,
        "as_of": day,
        "as_of_rule": "given" if given else "day after the last order in the data",
        "bins": bins,
        "thresholds": {dim: [float(b) for b in fixed[dim]] for dim in fixed} or None,
        "quantile": "R type 7 (numpy 'linear'), exact positions",
        "bin_rule": ("R rfm 0.3.0: quantile breaks + 1, lower <= x < upper" if binning == "r-rfm" else
                     "a value equal to a break goes to the lower bin (lower < x <= upper)")
        + "; ties share a score",
        "segments": table.source,
        "scale": table.scale,
        "rfm_score": "R*100 + F*10 + M",
    }


# Kinds of the columns whose names do not say them (see kamtool.render.formats).
KINDS = {
    "recency": "days", "mean_recency": "days", "mean_frequency": "number",
    "lower": "number", "upper": "number", "min_value": "number", "max_value": "number",
    **{f"rf_heatmap.f_{f}": "money" for f in range(1, MAX_SCORES + 1)},
}  # fmt: skip


def _means(index: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Mean of ``values`` per index 0 … size − 1 (NaN where empty)."""
    counts = np.bincount(index, minlength=size)
    sums = np.bincount(index, weights=values, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / counts, np.nan)


from kamtool.needs import Needs  # noqa: E402 - beside the declaration it serves

# What rfm() reads: one row per customer with orders and the first and last order dates.
NEEDS = Needs(keys=("customer",), measures=(), figures=("orders", "dates"))


def needs(frequency: str = "orders") -> Needs:
    """What :func:`rfm` reads for a ``frequency`` of orders, lines or days: one row per customer
    with that count and the first and last order dates (lines are always counted)."""
    figure = {"orders": ("orders",), "lines": (), "days": ("active_days",)}.get(frequency, ("orders",))
    return Needs(keys=("customer",), measures=(), figures=(*figure, "dates"))


def rfm(
    ledger: pd.DataFrame,
    *,
    as_of: Any = None,
    bins: int = 5,
    thresholds: Mapping[str, Sequence[float]] | None = None,
    segments: SegmentTable | None = None,
    binning: str = "quantile",
    frequency: str = "orders",
) -> Result:
    """Score every customer on recency, frequency and monetary value and name a segment.

    Parameters
    ----------
    ledger : DataFrame
        One row per customer with ``customer``, ``revenue`` (net), ``orders`` and
        ``last_date`` (the engine's ledger).
    as_of : date-like, optional
        The day recency is measured to. Default: the day after the last order in the
        data, so a rerun on the same file gives the same answer.
    bins : int, default 5
        Scores per dimension (2 … 9), from quantile breaks (see the module docstring).
    thresholds : mapping, optional
        Breaks fixed by hand per dimension, e.g. ``{"f": [2, 3, 5, 8]}``: ``n`` strictly
        increasing breaks give scores ``1 … n + 1``. Recency breaks are in days.
    segments : SegmentTable, optional
        The rule table (default :data:`DEFAULT_SEGMENTS`); its ``scale`` must equal the
        number of scores of every dimension.
    binning : {"quantile", "r-rfm"}
        The bin rule (see the module docstring); "r-rfm" reproduces R ``rfm`` 0.3.0.
    frequency : {"orders", "lines", "days"}
        What frequency counts: distinct orders, order lines (as R counts) or active days.

    Returns
    -------
    Result
        ``rows``: customer, recency, frequency, monetary, r_score, f_score, m_score,
        rfm_score, segment (the rule's name: a code). Tables: ``segments``, ``scores``,
        ``rf_heatmap``; the rule table travels in ``context["segments"]`` for the words
        (its names in the report language, the actions).
    """
    ledger = _frequency_ledger(ledger, binning, frequency)
    _check_ledger(ledger, bins)
    fixed = _check_thresholds(thresholds)
    table = DEFAULT_SEGMENTS if segments is None else segments

    day, values = _values(ledger, as_of)
    breaks, scores, levels = _scores(values, bins, fixed, table, binning)
    seg_index = _segment_lookup(table, table.scale)[scores["r"], scores["f"], scores["m"]]
    # a negative net is never a positive segment, whatever its scores (−2: Negative Value)
    seg_index = np.where(is_negative(values["m"]), -2, seg_index)
    # −2 and −1 index the last two names: Others, Negative Value
    segment = np.asarray([rule.name for rule in table] + [NEGATIVE, OTHERS], dtype=object)[seg_index]
    rows = _rows(ledger, values, scores, segment)
    seg_table = _segment_summary(table, seg_index, values)
    score_tables = [
        _score_table(dim, values[dim], breaks[dim], scores[dim], reverse=dim == "r") for dim in DIMENSIONS
    ]
    heatmap = _heatmap(scores, levels, values["m"])
    return Result(  # fmt: skip
        command="rfm",
        params=_params(day, as_of is not None, bins, fixed, table, binning, frequency),
        summary=_summary(day, values, breaks, score_tables, levels, seg_table),
        rows=rows,
        tables={
            "segments": seg_table,
            "scores": pd.concat(score_tables, ignore_index=True),
            "rf_heatmap": heatmap,
        },
        charts=[
            Chart(kind="bar", table="segments", category="segment", values=["customers"],
                  title="rfm.chart.segments", max_points=50)
        ],
        heatmaps=[Heatmap(table="rf_heatmap", columns=[c for c in heatmap.columns if c != "r_score"])],
        display_columns=[*rows.columns], kinds=dict(KINDS), context={"segments": table},
    )
