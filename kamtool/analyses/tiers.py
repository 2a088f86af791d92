"""Key / general / small tiers (重点客户 / 一般客户 / 小客户) by five weighted factors.

Inputs (canonical names; see :mod:`kamtool.analyses.stages` for ``monthly`` and ``mix``):

``monthly``   customer × month: ``customer``, ``month`` (ordinal), ``revenue``; optional
              ``profit`` (gross profit) and ``salesperson`` (the owner when the accounts
              name none: the salesperson with the most revenue in the window, ties by name).
``accounts``  the validated accounts (:mod:`kamtool.analyses.accounts`): ``strategic_value``
              (0–100), ``elasticity`` (a rating), ``owner``.
``clv``       optional: ``customer``, ``expected_value`` (the CLV model's expected value of
              the next 12 months).
``mix``       optional customer × month × ``brand`` revenue, for the focal brand's share.
``support``   optional customer × month: ``customer``, ``month``, ``support`` (visits,
              marketing spend per month; :func:`support_by_month` makes it from a file of
              customer, date, support, e.g. ``--support``).

Who is scored: every customer with positive net revenue in the window (the ``window_months``
months up to the month holding the day before the as-of day).  Others are counted in
``summary.not_scored``.

Factor scores are percentile ranks among the scored customers that have the factor:
score = 100 × (r − 1) / (n − 1), r the rank from 1 (lowest) to n, ties sharing the mean of
their ranks (so equal values score equally); one customer alone scores 100.  Raw values:

- ``strategic``: the accounts' strategic value.
- ``profit``: gross profit in the window where the orders carry profit (a customer with a
  line of unknown profit in the window has no profit factor), else revenue in the window;
  ``params.profit_basis`` is ``"profit"`` or ``"revenue"``.
- ``loyalty``: the mean of the percentile ranks of its components that the customer has —
  share of the window's months with positive net revenue; tenure (calendar months since the
  first month with positive revenue, both ends counted); revenue trend (growth of the last
  half of the window over the first half, see :func:`stages.growth`); and, when ``brand`` is
  given and ``mix`` has brands, the focal brand's share of the customer's window revenue —
  ranked again as a percentile.  ``params.loyalty_components`` lists those used.
- ``elasticity``: with ``support``, the least-squares slope of monthly revenue on support over
  the window's months with a support value (revenue 0 in such a month without orders; at least
  6 such months and support not constant, else the customer has no elasticity factor): support
  given is the measurement asked for, so it comes before a rating; else the accounts rating;
  ``params.elasticity_basis`` (``support_slope`` or ``rating``).
- ``future``: CLV expected value where ``clv`` is given; else growth of the last 6 months
  over the same 6 months a year earlier (a customer with nothing a year earlier grows from
  nothing, +inf, and ranks top); ``params.future_basis``.

Weights (default strategic 20, profit 30, loyalty 20, elasticity 10, future 20; a mapping
given replaces the defaults, absent factors weigh 0, and a factor weighing 0 is not used).
A factor with no data for any customer is left out (``params.factors_left_out``) and the
weights of the rest are rescaled to sum to 1 (``params.weights``).  A customer missing a
factor is scored on the others, score = Σ w·s / Σ w over its known factors, and flagged ``missing_<factor>``.

Tiers: customers ordered by score, then customer id ascending as text; the first
ceil(10 % × n) are key, the first ceil(40 % × n) key or general (:func:`rules.rank_codes`),
or with ``cutoffs=(70, 40)``: score ≥ 70 key, ≥ 40 general.  Effort: ``hours`` per period
split by ``effort`` (40/30/30) across the tiers and evenly within a tier; the owner is the
accounts' ``owner``, else the main salesperson.

Tables: ``tier_sizes``; ``tier_abc`` (tier against revenue class, :func:`rules.abc_codes` on
window cents, 80/95 %, ties by id); ``factor_correlation`` (Pearson on the factor scores);
``sensitivity`` (customers changing tier when one used weight, in points summing to 100,
moves by ±5 and the weights are rescaled); ``owners`` (accounts per tier and hours per
owner; ``overloaded`` = more key accounts than 1.5 × the median over owners).  Rows also
carry the relationship ``stage`` (:mod:`kamtool.analyses.stages`, with this key tier).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from kamtool.analyses import rules, stages
from kamtool.errors import AnalysisError, ColumnError, UsageError
from kamtool.needs import Needs, recent_months
from kamtool.result import Result

IntArray = np.ndarray[Any, np.dtype[np.int64]]

FACTORS = ("strategic", "profit", "loyalty", "elasticity", "future")
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "strategic": 20,
    "profit": 30,
    "loyalty": 20,
    "elasticity": 10,
    "future": 20,
}
TIERS = ("key", "general", "small")
WINDOW_MONTHS = 12  # the default window the factors are measured over
MIN_SUPPORT_PERIODS = 6
SENSITIVITY_POINTS = 5
OVERLOAD_FACTOR = 1.5
TIE_RULE = "equal scores are ordered by customer id ascending compared as text"
PERCENTILE_RULE = "100 × (r − 1) / (n − 1), ties share the mean rank, one customer alone scores 100"

# Rules stated in every result's params.
LOYALTY_RULE = (
    "percentile rank of the mean of the percentile ranks of active share, tenure, trend "
    "(and the focal brand's share of wallet when brands are known) that the customer has"
)
CORRELATION_RULE = "Pearson on the factor scores (percentile ranks: a rank correlation), pairs with data"
SENSITIVITY_RULE = "one weight of those used (in points summing to 100) moved by ±5, then all rescaled to 1"
RULES = {
    "loyalty_rule": LOYALTY_RULE,
    "correlation_rule": CORRELATION_RULE,
    "sensitivity_rule": SENSITIVITY_RULE,
    "percentile_rule": PERCENTILE_RULE,
    "tie_rule": TIE_RULE,
    "sensitivity_points": SENSITIVITY_POINTS,
    "overload_factor": OVERLOAD_FACTOR,
    "abc_thresholds": list(stages.ABC_THRESHOLDS),
}
KINDS = {
    "score": "number",
    "hours": "number",
    "flags": "text",
    "tier": "text",
    "stage": "text",
    "owner": "text",
    # parameters that are fractions of 1 (the workbook's Summary prints them as per cent)
    "weights": "share",
    "shares": "share",
    "effort": "share",
    "abc_thresholds": "share",
    "weights_given": "number",
}

NEEDS = Needs(
    keys=("customer", "month"),
    columns=("customer", "date", "amount"),
    optional=("salesperson", "brand"),
    measures=("profit",),
)


def percentile(values: pd.Series) -> pd.Series:
    """Percentile rank 0–100 of the known values (see the module); NaN stays NaN."""
    # by position: a reindex from the known values' index back to all of them looked up 200k
    # text ids per factor
    array = values.to_numpy(dtype=np.float64, na_value=np.nan)
    known = ~np.isnan(array)
    ranked = pd.Series(array[known]).rank(method="average").to_numpy(dtype=np.float64)
    n = len(ranked)
    out = np.full(len(array), np.nan)
    out[known] = 100.0 * (ranked - 1) / (n - 1) if n > 1 else np.full(n, 100.0)
    return pd.Series(out, index=values.index, dtype=np.float64)


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    unknown = sorted(set(weights) - set(FACTORS))
    if unknown:
        raise UsageError.said("error.tiers.weights_unknown_factor_factors", unknown=unknown[0],
                              factors=', '.join(FACTORS))
    given = {f: float(weights.get(f, 0)) for f in FACTORS}
    if any(not np.isfinite(w) or w < 0 for w in given.values()):
        raise UsageError.said("error.tiers.weights_must_numbers_more", given=given)
    if sum(given.values()) <= 0:
        raise UsageError.said("error.tiers.weights_least_one_factor")
    return given


def _check_split(name: str, values: Sequence[float], size: int) -> tuple[float, ...]:
    if len(values) != size:
        raise UsageError.said("error.tiers.takes_values_got", name=name, size=size, n_values=len(values),
                              values=list(values))
    return tuple(float(v) for v in values)


# ------------------------------------------------------------------------------ raw factors


def by_customer(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per customer id (as text), the first of duplicates (accounts reports them)."""
    keyed = frame.assign(customer=frame["customer"].astype(str))
    return keyed.drop_duplicates("customer").set_index("customer")


def _accounts_column(accounts: pd.DataFrame | None, column: str, customers: pd.Index) -> pd.Series:
    if accounts is None or column not in accounts.columns:
        return pd.Series(np.nan, index=customers)
    return pd.to_numeric(by_customer(accounts)[column], errors="coerce").reindex(customers)


def _profit(cents: pd.DataFrame, coded: stages.Coded, at: IntArray, customers: pd.Index, first: int,
            end: int) -> tuple[pd.Series, str]:
    """Profit (known only without a line of unknown profit) or revenue in the window, per
    scored customer (``at``: their codes; every one has rows in the window)."""
    inside = coded.between(first, end)
    if "profit_c" in cents.columns:
        missing = cents["profit_missing"].to_numpy(dtype=np.int64)
        if (missing[inside] == 0).any():
            profit = coded.sums(cents["profit_c"], inside)[at].astype(np.float64)
            known = coded.sums(missing, inside)[at] == 0
            return pd.Series(np.where(known, profit, np.nan), index=customers), "profit"
    revenue = coded.sums(cents["revenue_c"], inside)[at].astype(np.float64)
    return pd.Series(revenue, index=customers), "revenue"


def _wallet(
    mix: pd.DataFrame | None, brand: str | None, customers: pd.Index, first: int, end: int
) -> pd.Series | None:
    if mix is None or brand is None or "brand" not in mix.columns:
        return None
    inside = mix[(mix["month"] >= first) & (mix["month"] <= end)]
    who = inside["customer"].astype(str)
    total = inside.groupby(who)["revenue"].sum()
    focal = inside[inside["brand"].astype(str) == str(brand)].groupby(who)["revenue"].sum()
    share = (focal.reindex(total.index, fill_value=0) / total).where(total > 0)
    return share.reindex(customers)


def _loyalty(
    cents: pd.DataFrame, coded: stages.Coded, at: IntArray, customers: pd.Index, end: int,
    window_months: int, wallet: pd.Series | None,
) -> tuple[pd.Series, list[str]]:
    """Loyalty per scored customer (``at``: their codes; each has a positive window)."""
    first = end - window_months + 1
    revenue = cents["revenue_c"].to_numpy(dtype=np.int64)
    positive = revenue > 0
    # one row per customer × month: the months with positive revenue are the rows
    active = coded.counts(coded.between(first, end) & positive)[at] / window_months
    tenure = end - coded.least_month((coded.month <= end) & positive)[at] + 1
    half = window_months // 2
    recent = coded.sums(revenue, coded.between(end - half + 1, end))[at]
    before = coded.sums(revenue, coded.between(end - 2 * half + 1, end - half))[at]
    trend = pd.Series(stages.growth(recent, before), index=customers)
    parts = {"active_share": pd.Series(active.astype(np.float64), index=customers),
             "tenure": pd.Series(tenure.astype(np.float64), index=customers), "trend": trend}
    if wallet is not None and wallet.notna().any():
        parts["brand_share"] = wallet
    ranked = pd.DataFrame({k: percentile(v) for k, v in parts.items()})
    return ranked.mean(axis=1, skipna=True), list(parts)


def support_by_month(support: pd.DataFrame | None) -> pd.DataFrame | None:
    """A support file (``customer``, ``date``, ``support``: one row per visit, per month or per
    any day) summed per customer × month: ``customer``, ``month`` (months since January 1970),
    ``support``.  Rows without a support value are left out."""
    if support is None:
        return None
    missing = [c for c in ("customer", "date", "support") if c not in support.columns]
    if missing:
        raise ColumnError(f"the support file has no {missing[0]!r} column")
    given = support[support["support"].notna() & support["date"].notna()]
    days = pd.to_datetime(given["date"]).to_numpy().astype("datetime64[D]").astype(np.int64)
    frame = pd.DataFrame({"customer": given["customer"].astype(str).to_numpy(),
                          "month": rules.period_of_days(days, "month"),
                          "support": pd.to_numeric(given["support"]).to_numpy(dtype=np.float64)})
    summed = frame.groupby(["customer", "month"], as_index=False).agg(support=("support", "sum"))
    return summed


def _slope(
    support: pd.DataFrame, cents: pd.DataFrame, customers: pd.Index, first: int, end: int
) -> pd.Series:
    inside = support[(support["month"] >= first) & (support["month"] <= end) & support["support"].notna()]
    frame = pd.DataFrame(
        {
            "customer": inside["customer"].astype(str),
            "month": inside["month"].astype(np.int64),
            "support": pd.to_numeric(inside["support"], errors="coerce"),
        }
    ).dropna()
    frame = frame.groupby(["customer", "month"])["support"].sum().reset_index()
    revenue = cents.set_index(["customer", "month"])["revenue_c"] / 100
    frame["revenue"] = (
        revenue.reindex(pd.MultiIndex.from_frame(frame[["customer", "month"]])).fillna(0).to_numpy()
    )
    out = {}
    for customer, group in frame.groupby("customer"):
        x, y = group["support"].to_numpy(), group["revenue"].to_numpy()
        if len(group) >= MIN_SUPPORT_PERIODS and np.ptp(x) > 0:
            out[customer] = float(((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum())
    return pd.Series(out, dtype=np.float64).reindex(customers)


def raw_factors(
    cents: pd.DataFrame,
    customers: pd.Index,
    *,
    coded: stages.Coded,
    at: IntArray,
    end: int,
    window_months: int,
    accounts: pd.DataFrame | None,
    clv: pd.DataFrame | None,
    mix: pd.DataFrame | None,
    support: pd.DataFrame | None,
    brand: str | None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Raw value of each factor per scored customer, and the basis of each (``coded``:
    ``cents`` by customer code, :func:`stages.coded_cents`; ``at``: the codes of ``customers``)."""
    first = end - window_months + 1
    profit, profit_basis = _profit(cents, coded, at, customers, first, end)
    loyalty, components = _loyalty(
        cents, coded, at, customers, end, window_months, _wallet(mix, brand, customers, first, end)
    )
    elasticity_basis: str | None = "support_slope"
    if support is not None:
        elasticity = _slope(support, cents, customers, first, end)
    else:
        elasticity = _accounts_column(accounts, "elasticity", customers)
        elasticity_basis = "rating" if elasticity.notna().any() else None
    if clv is not None:
        future = _accounts_column(clv, "expected_value", customers)
        future_basis = "clv"
    else:
        revenue = cents["revenue_c"]
        recent = coded.sums(revenue, coded.between(end - 5, end))[at]
        before = coded.sums(revenue, coded.between(end - 17, end - 12))[at]
        future = pd.Series(stages.growth(recent, before), index=customers)
        future_basis = "growth"
    raw = pd.DataFrame(
        {
            "strategic": _accounts_column(accounts, "strategic_value", customers),
            "profit": profit,
            "loyalty": loyalty,
            "elasticity": elasticity,
            "future": future,
        }
    )
    basis = {
        "profit_basis": profit_basis,
        "loyalty_components": components,
        "elasticity_basis": elasticity_basis,
        "future_basis": future_basis,
    }
    return raw, basis


# ----------------------------------------------------------------------- score and tiers


def used_weights(given: Mapping[str, float], scores: pd.DataFrame) -> tuple[dict[str, float], list[str]]:
    """Weights of the factors with a weight and data, rescaled to sum to 1; the rest left out."""
    has_data = {f for f in FACTORS if scores[f].notna().any()}
    left_out = [f for f in FACTORS if given[f] > 0 and f not in has_data]
    used = {f: given[f] for f in FACTORS if given[f] > 0 and f in has_data}
    total = sum(used.values())
    if total <= 0:
        raise AnalysisError.said("error.tiers.no_factor_weight_has")
    return {f: w / total for f, w in used.items()}, left_out


def composite(scores: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    """Σ w·s / Σ w over each customer's known factors (0 for a customer with none)."""
    factors = list(weights)
    values = scores[factors].to_numpy(dtype=np.float64)
    w = np.array([weights[f] for f in factors])
    known = ~np.isnan(values)
    weight_known = (known * w).sum(axis=1)
    total = np.where(known, values, 0.0) @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.Series(np.where(weight_known > 0, total / weight_known, 0.0), index=scores.index)


def assign_tiers(
    score: pd.Series, shares: tuple[float, float] | None, cutoffs: tuple[float, float] | None
) -> pd.Series:
    """Tier code per customer (see the module's tie rule)."""
    return pd.Series(np.array(TIERS)[tier_positions(score, shares, cutoffs)], index=score.index)


def tier_positions(
    score: pd.Series, shares: tuple[float, float] | None, cutoffs: tuple[float, float] | None
) -> np.ndarray[Any, np.dtype[np.int8]]:
    """:func:`assign_tiers` as positions in :data:`TIERS` (0 key, 1 general, 2 small)."""
    if cutoffs is not None:
        return np.where(score >= cutoffs[0], 0, np.where(score >= cutoffs[1], 1, 2)).astype(np.int8)
    assert shares is not None
    order = stages.rank_order(score.index, score.to_numpy(dtype=np.float64))
    codes = np.empty(len(order), dtype=np.int8)
    codes[order] = rules.rank_codes(len(order), shares)
    return codes


# ----------------------------------------------------------------------- effort and owners


def _owners(
    accounts: pd.DataFrame | None, monthly: pd.DataFrame, customers: pd.Index, first: int, end: int,
    coded: stages.Coded, at: IntArray,
) -> pd.Series:
    """The accounts' owner, else the salesperson with the most revenue in the window (ties by
    name); ``coded``: ``monthly``'s rows by customer code, ``at``: the codes of ``customers``."""
    owner = pd.Series(pd.NA, index=customers, dtype=object)
    if accounts is not None and "owner" in accounts.columns:
        owner = by_customer(accounts)["owner"].reindex(customers).astype(object)
        # a blank owner is no owner: the salesperson below may stand in
        owner = owner.where(owner.notna() & (owner.astype(str).str.strip() != ""), pd.NA)
    if "salesperson" in monthly.columns:
        owner = owner.fillna(pd.Series(_main_salesperson(monthly, first, end, coded)[at], index=customers))
    return owner.where(owner.notna() & (owner.astype(str).str.strip() != ""), pd.NA)


def _main_salesperson(monthly: pd.DataFrame, first: int, end: int, coded: stages.Coded) -> Any:
    """Per customer code, the salesperson with the most revenue in the window, ties by name
    (None: no salesperson there). Summed per customer × salesperson code by pandas' group-by (the
    same sums to the last bit as on the text ids, for a fraction of the time)."""
    month = monthly["month"].to_numpy(dtype=np.int64)
    person = monthly["salesperson"]
    inside = (month >= first) & (month <= end) & person.notna().to_numpy(dtype=bool) & (coded.source >= 0)
    who, names = pd.factorize(person[inside].astype(str), sort=True)  # codes in text order
    code = coded.source[inside]
    sums = pd.Series(monthly["revenue"].to_numpy(dtype=np.float64)[inside]).groupby([code, who]).sum()
    cust = sums.index.get_level_values(0).to_numpy(dtype=np.int64)
    seller = sums.index.get_level_values(1).to_numpy(dtype=np.int64)
    revenue = sums.to_numpy(dtype=np.float64)
    # by customer, revenue descending (NaN last), salesperson ascending: the first of each customer
    order = np.lexsort((seller, np.where(np.isnan(revenue), np.inf, -revenue), cust))
    first_of = order[np.r_[True, cust[order][1:] != cust[order][:-1]]] if len(order) else order
    best = np.full(len(coded.names), None, dtype=object)
    best[cust[first_of]] = np.asarray(names, dtype=object)[seller[first_of]]
    return best


def effort_hours(tier: pd.Series, hours: float | None, effort: tuple[float, ...]) -> pd.Series | None:
    """Hours per customer: ``hours × effort[tier]`` split evenly within the tier."""
    if hours is None:
        return None
    sizes = tier.value_counts()
    share = dict(zip(TIERS, effort, strict=True))
    per_customer = {t: hours * share[t] / sizes[t] for t in sizes.index}
    return tier.map(per_customer).astype(np.float64)


def owner_table(tier: pd.Series, owner: pd.Series, hours: pd.Series | None) -> pd.DataFrame:
    """Accounts per tier and hours per owner; ``overloaded``: key accounts above 1.5 × the
    median count of key accounts per owner (owners with none count as 0)."""
    frame = pd.DataFrame({"owner": owner, "tier": tier}).dropna(subset=["owner"])
    if frame.empty:
        return pd.DataFrame(columns=["owner", *TIERS, "accounts", "hours", "overloaded"])
    counts = pd.crosstab(frame["owner"].astype(str), frame["tier"]).reindex(columns=list(TIERS), fill_value=0)
    table = counts.reset_index().rename_axis(columns=None)
    table["accounts"] = counts.sum(axis=1).to_numpy()
    if hours is not None:
        table["hours"] = (
            hours[frame.index].groupby(frame["owner"].astype(str)).sum().reindex(counts.index).to_numpy()
        )
    median = float(np.median(table["key"].to_numpy()))
    table["overloaded"] = table["key"] > OVERLOAD_FACTOR * median
    return table.astype({t: np.int64 for t in TIERS})


# ------------------------------------------------------------------------------------ checks


def _size_table(tier: pd.Series, revenue: pd.Series, hours: pd.Series | None) -> pd.DataFrame:
    n, total = len(tier), float(revenue.sum())
    counts = tier.value_counts().reindex(list(TIERS), fill_value=0)
    money = revenue.groupby(tier).sum().reindex(list(TIERS), fill_value=0)
    table = pd.DataFrame(
        {
            "tier": list(TIERS),
            "customers": counts.to_numpy(dtype=np.int64),
            "customer_share": counts.to_numpy() / n if n else 0.0,
            "revenue": np.round(money.to_numpy() / 100, 2),
            "revenue_share": money.to_numpy() / total if total else 0.0,
        }
    )
    if hours is not None:
        table["hours"] = hours.groupby(tier).sum().reindex(list(TIERS), fill_value=0).to_numpy()
    return table


def abc_of(revenue_cents: pd.Series) -> pd.Series:
    """Revenue class A/B/C per customer (rules.abc_codes on cents, 80/95 %, ties by id)."""
    cents = revenue_cents.to_numpy(dtype=np.int64)
    order = stages.rank_order(revenue_cents.index, cents)
    codes = np.empty(len(order), dtype=np.int8)
    codes[order] = rules.abc_codes(cents[order], stages.ABC_THRESHOLDS)
    return pd.Series(np.array(["A", "B", "C"])[codes], index=revenue_cents.index)


def _cross_abc(tier: pd.Series, abc: pd.Series) -> pd.DataFrame:
    table = pd.crosstab(tier, abc).reindex(index=list(TIERS), columns=["A", "B", "C"], fill_value=0)
    return table.rename_axis(index="tier", columns=None).reset_index().astype({c: np.int64 for c in "ABC"})


def _correlation(scores: pd.DataFrame) -> pd.DataFrame:
    table = scores.corr(method="pearson", min_periods=3)
    return table.rename_axis(index="factor", columns=None).reset_index()


def _sensitivity(
    scores: pd.DataFrame,
    weights: Mapping[str, float],
    tier: pd.Series,
    shares: tuple[float, float] | None,
    cutoffs: tuple[float, float] | None,
) -> pd.DataFrame:
    """Customers changing tier when one weight moves by ±5 points (weights then rescaled)."""
    # compared as positions: a text Series per moved weight cost more than its ranking
    base = pd.Categorical(tier, categories=list(TIERS)).codes
    rows = []
    for factor in weights:
        for delta in (-SENSITIVITY_POINTS, SENSITIVITY_POINTS):
            points = {f: 100 * w for f, w in weights.items()}
            points[factor] = max(0.0, points[factor] + delta)
            total = sum(points.values())
            moved = {f: p / total for f, p in points.items()}
            other = tier_positions(composite(scores, moved), shares, cutoffs)
            rows.append(
                {
                    "factor": factor,
                    "delta": delta,
                    "weight": moved[factor],
                    "changed": int((other != base).sum()),
                }
            )
    return pd.DataFrame(rows, columns=["factor", "delta", "weight", "changed"])


# ------------------------------------------------------------------------------ the analysis


def _options(
    weights: Mapping[str, float],
    shares: Sequence[float],
    cutoffs: Sequence[float] | None,
    effort: Sequence[float],
    hours: float | None,
    window_months: int,
) -> tuple[dict[str, float], tuple[float, float] | None, tuple[float, float] | None, tuple[float, ...]]:
    given = check_weights(weights)
    split = _check_split("effort", effort, 3)
    if any(e < 0 for e in split) or sum(Fraction(str(e)) for e in split) != 1:
        raise UsageError.said("error.tiers.effort_must_three_shares", split=list(split))
    if hours is not None and not (np.isfinite(hours) and hours >= 0):
        raise UsageError.said("error.tiers.hours_must_number_hours", hours=hours)
    if window_months < 2 or window_months % 2:
        raise UsageError.said("error.tiers.tiers_window_must_even", window_months=window_months)
    if cutoffs is not None:
        cut = _check_split("cutoffs", cutoffs, 2)
        if not 0 <= cut[1] <= cut[0] <= 100:
            raise UsageError.said("error.tiers.cutoffs_are_scores_key", cut=list(cut))
        return given, None, (cut[0], cut[1]), split
    a, b = _check_split("shares", shares, 2)
    if not (a > 0 and b >= 0 and Fraction(str(a)) + Fraction(str(b)) <= 1):
        raise UsageError.said("error.tiers.shares_must_above_add", a=a, b=b)
    return given, (a, b), None, split


def _rows(
    customers: pd.Index,
    window: pd.Series,
    score: pd.Series,
    tier: pd.Series,
    scores: pd.DataFrame,
    weights: Mapping[str, float],
    staged: pd.DataFrame,
    owner: pd.Series,
    hours: pd.Series | None,
) -> pd.DataFrame:
    rows = pd.DataFrame(
        {
            "customer": customers,
            "revenue": np.round(window.to_numpy() / 100, 2),
            "score": score.to_numpy(),
            "tier": tier.to_numpy(),
        }
    )
    for factor in weights:
        rows[f"{factor}_score"] = scores[factor].to_numpy()
    rows["stage"] = staged["stage"].reindex(customers).to_numpy()
    rows["owner"] = owner.to_numpy()
    if hours is not None:
        rows["hours"] = hours.to_numpy()
    rows["flags"] = _flags(scores[list(weights)].isna().to_numpy(), [f"missing_{f}" for f in weights])
    order = stages.rank_order(rows["customer"], rows["score"].to_numpy(dtype=np.float64))
    return rows.iloc[order].reset_index(drop=True)


def _flags(missing: np.ndarray[Any, Any], names: list[str]) -> np.ndarray[Any, Any]:
    """Per row, the names of its missing factors joined by commas ("" for none): each pattern of
    missing factors spelt once (at most 2^5), not once a customer (200k rows: a Python loop)."""
    if missing.shape[1] == 0:
        return np.full(len(missing), "", dtype=object)
    code = missing.astype(np.int64) @ (np.int64(1) << np.arange(missing.shape[1], dtype=np.int64))
    patterns, inverse = np.unique(code, return_inverse=True)
    words = np.array([",".join(n for i, n in enumerate(names) if p >> i & 1) for p in patterns.tolist()],
                     dtype=object)
    return words[inverse.ravel()]


def _scored(cents: pd.DataFrame, coded: stages.Coded, first: int, end: int, window_months: int
            ) -> tuple[pd.Series, pd.Index, IntArray]:
    """Window revenue of every customer with lines in it, the scored ones (positive) and
    their codes."""
    inside = coded.between(first, end)
    has = coded.counts(inside) > 0
    sums = coded.sums(cents["revenue_c"], inside)
    window_all = pd.Series(sums[has], index=coded.names[has])
    at = np.flatnonzero(has & (sums > 0)).astype(np.int64)
    # the codes are in text order: the positive ones are sorted already
    customers = pd.Index(coded.names[at].tolist(), name="customer")
    if len(customers) == 0:
        raise AnalysisError.said("error.tiers.no_customer_has_positive", window_months=window_months)
    return window_all, customers, at


def window(as_of_day: int, window_months: int) -> tuple[int, int]:
    """The first and last month ordinals of the window: the ``window_months`` months up to the
    month holding the day before the as-of day (the rule the load's grains cut by)."""
    return recent_months(as_of_day, window_months)


@dataclass
class Scored:
    """What the score and the tiers rest on: the as-of day, the window, the factors, the tiers."""

    day: int
    first: int
    end: int
    cents: pd.DataFrame
    coded: stages.Coded
    window_all: pd.Series
    customers: pd.Index
    at: IntArray  # the customers' codes in ``coded``
    basis: dict[str, Any]
    scores: pd.DataFrame
    used: dict[str, float]
    left_out: list[str]
    score: pd.Series
    tier: pd.Series


def score_tiers(
    monthly: pd.DataFrame,
    accounts: pd.DataFrame | None,
    clv: pd.DataFrame | None,
    *,
    as_of: Any,
    window_months: int,
    given: Mapping[str, float],
    share_pair: tuple[float, float] | None,
    cut_pair: tuple[float, float] | None,
    brand: str | None,
    mix: pd.DataFrame | None,
    support: pd.DataFrame | None,
) -> Scored:
    """Factor scores, composite score and tier of every scored customer (checked options)."""
    day = rules.as_of_day(as_of, None)
    if day is None:
        raise UsageError.said("error.tiers.tiers_need_date")
    first, end = window(day, window_months)
    cents, coded = stages.coded_cents(monthly, ("revenue", "profit"))
    window_all, customers, at = _scored(cents, coded, first, end, window_months)
    raw, basis = raw_factors(
        cents, customers, coded=coded, at=at, end=end, window_months=window_months, accounts=accounts,
        clv=clv, mix=mix, support=support, brand=brand,
    )
    scores = pd.DataFrame({f: percentile(raw[f]) for f in FACTORS})
    used, left_out = used_weights(given, scores)
    score = composite(scores, used)
    tier = assign_tiers(score, share_pair, cut_pair)
    return Scored(day, first, end, cents, coded, window_all, customers, at, basis, scores, used, left_out,
                  score, tier)


def key_tier(
    monthly: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    clv: pd.DataFrame | None = None,
    *,
    as_of: Any,
    window_months: int = WINDOW_MONTHS,
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
    shares: Sequence[float] = (0.10, 0.30),
    brand: str | None = None,
    mix: pd.DataFrame | None = None,
) -> list[str]:
    """The customers of the key tier, by the rules of :func:`tiers` (without the effort plan,
    stages and checks): for other analyses that set key accounts apart (churn types)."""
    given, share_pair, cut_pair, _ = _options(weights, shares, None, (0.4, 0.3, 0.3), None, window_months)
    scored = score_tiers(monthly, accounts, clv, as_of=as_of, window_months=window_months, given=given,
                         share_pair=share_pair, cut_pair=cut_pair, brand=brand, mix=mix, support=None)
    return [str(c) for c in scored.tier.index[scored.tier == "key"]]


def tiers(
    monthly: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    clv: pd.DataFrame | None = None,
    *,
    as_of: Any,
    window_months: int = WINDOW_MONTHS,
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
    shares: Sequence[float] = (0.10, 0.30),
    cutoffs: Sequence[float] | None = None,
    hours: float | None = None,
    effort: Sequence[float] = (0.4, 0.3, 0.3),
    brand: str | None = None,
    mix: pd.DataFrame | None = None,
    support: pd.DataFrame | None = None,
) -> Result:
    """Score, tier, effort and checks per customer (see the module for every rule)."""
    given, share_pair, cut_pair, split = _options(weights, shares, cutoffs, effort, hours, window_months)
    sc = score_tiers(monthly, accounts, clv, as_of=as_of, window_months=window_months, given=given,
                     share_pair=share_pair, cut_pair=cut_pair, brand=brand, mix=mix, support=support)
    customers, tier, scores, used = sc.customers, sc.tier, sc.scores, sc.used
    per_hours = effort_hours(tier, hours, split)
    owner = _owners(accounts, monthly, customers, sc.first, sc.end, sc.coded, sc.at)
    universe = stages.universe(sc.cents, accounts, sc.coded)
    key = list(tier.index[tier == "key"])
    staged, _ = stages.stage_frame(
        sc.cents, universe, as_of_day=sc.day, window_months=window_months, key_accounts=key, mix=mix,
        coded=sc.coded,
    )
    window = sc.window_all.reindex(customers)
    rows = _rows(customers, window, sc.score, tier, scores, used, staged, owner, per_hours)
    tables = {
        "tier_sizes": _size_table(tier, window, per_hours),
        "tier_abc": _cross_abc(tier, abc_of(window)),
        "factor_correlation": _correlation(scores[list(used)]),
        "sensitivity": _sensitivity(scores, used, tier, share_pair, cut_pair),
        "owners": owner_table(tier, owner, per_hours),
    }
    summary = _summary(rows, tables, sc.window_all, customers, hours, split)
    params = {
        "as_of": str(np.datetime64(sc.day, "D")),
        "window_months": window_months,
        "first_month": rules.period_label(sc.first, "month"),
        "last_month": rules.period_label(sc.end, "month"),
        "weights": used,
        "weights_given": given,
        "factors_left_out": sc.left_out,
        **sc.basis,
        "shares": list(share_pair) if share_pair else None,
        "cutoffs": list(cut_pair) if cut_pair else None,
        "effort": list(split),
        "hours": hours,
        "brand": brand,
        **RULES,
    }
    kinds = {f"{f}_score": "number" for f in used} | KINDS
    return Result(command="tiers", params=params, summary=summary, rows=rows, tables=tables, kinds=kinds)


def _summary(
    rows: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    window_all: pd.Series,
    customers: pd.Index,
    hours: float | None,
    split: tuple[float, ...],
) -> dict[str, Any]:
    sizes = tables["tier_sizes"].set_index("tier")["customers"]
    summary: dict[str, Any] = {
        "customers": len(rows),
        "not_scored": int(len(window_all) - len(customers)),
        **{t: int(sizes[t]) for t in TIERS},
        "flagged": int((rows["flags"] != "").sum()),
        "overloaded_owners": int(tables["owners"]["overloaded"].sum()),
        "unowned": int(rows["owner"].isna().sum()),
        "most_changed": int(tables["sensitivity"]["changed"].max()),
    }
    if hours is not None:
        # a tier with no customer leaves its share of the hours unplanned
        summary["hours_unallocated"] = float(
            sum(hours * e for t, e in zip(TIERS, split, strict=True) if sizes[t] == 0)
        )
    return summary
