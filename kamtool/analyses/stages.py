"""Relationship stages (客户关系阶段): cultivation, initial, stable, strategic.

Inputs are simple frames in canonical names, so the engine can feed them from one load:

``monthly``
    One row per customer × month (several rows per pair are summed): ``customer``,
    ``month`` (the month ordinal, months since January 1970 as
    :func:`kamtool.analyses.rules.period_of_days` gives it for ``"month"``), ``revenue``
    (net, in currency units).  Other columns are ignored here.
``accounts``
    The validated accounts frame (:func:`kamtool.analyses.accounts.validate`); only its
    ``customer`` column is read: an account with no net purchase is in cultivation.
``mix``
    Optional, per customer × month × product dimension: ``customer``, ``month``,
    ``revenue`` and at least one of ``category``, ``brand``, ``product``.  Breadth is the
    number of distinct values of the first of these present, with positive net revenue in
    the window.
``days``
    Optional, the per-customer-day table: ``customer``, ``date`` (a date or day number),
    ``revenue``.  Needed only for the ``lost`` flag.

Time.  The as-of day is "today" (:func:`rules.as_of_day`); the last month of the window is
the month holding the day before it, and the window is the ``window_months`` months up to
and including that month.  The last four quarters are the calendar quarters (month // 3)
up to the one holding the last month.  Tenure is the number of calendar months from the
first month with positive net revenue to the last month, both counted (first bought in
the last month: 1).  The revenue trend is :func:`growth` of the last half of the window
over its first half.

Stages are evaluated from the top; ``stage_rule`` names the rule that fired:

- ``strategic_rule``: tenure ≥ ``strategic_tenure`` (24) months, active in every one of
  the last ``quarters`` (4) quarters, key tier (when tiers are given) or revenue class A
  over the window (:func:`rules.abc_codes` on cents, cut-offs 80/95 %), and breadth
  ≥ ``min_breadth`` (3) when the mix is known (``params.breadth_basis`` says which
  dimension, or that breadth was not known and the condition not applied);
- ``stable_rule``: tenure ≥ ``stable_tenure`` (12), active in ≥ ``stable_quarters`` (3) of
  the last 4 quarters, trend above ``stable_trend`` (−20 %);
- ``initial_default``: positive net revenue up to the last month, and neither of the above;
- ``cultivation_prospect``: no order line up to the date (an account without orders, or, at
  a ``compare`` date, a customer who had not bought yet);
- ``cultivation_no_net``: order lines netting to zero or less (in the accounts or not).

Flags: ``declining`` = window revenue down by ≥ ``declining_drop`` (30 %) against the same
window a year earlier (only when that earlier revenue is positive); ``lost`` = days since
the last purchase day > ``lost_gap_multiple`` (3) × the customer's median gap between
purchase days, and ≥ ``lost_min_days`` (90); a customer with one purchase day has no gap
and is not flagged (as in churn's early warning).  Without ``days`` there is no ``lost``
column and ``params.lost`` says so.

``compare``: a second as-of date; every customer is staged at both dates (a customer with
no purchase yet at the earlier date is in cultivation), the ``transitions`` table is the
4 × 4 matrix from the earlier stage to the later one, and ``regressions`` lists the
customers whose stage fell.  Key tiers are only known at ``as_of``: the earlier date uses
revenue class A.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from kamtool.analyses import rules
from kamtool.errors import AnalysisError, ColumnError
from kamtool.lazy import lazy_module
from kamtool.needs import Grain, Needs, recent_months
from kamtool.result import Result

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

    from kamtool.ledger import Ledger

    IntArray = npt.NDArray[np.int64]
else:
    # the command line reads NEEDS before the load: pandas and numpy load while DuckDB reads
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

STAGES = ("cultivation", "initial", "stable", "strategic")
STAGE_RULES = (
    "strategic_rule",
    "stable_rule",
    "initial_default",
    "cultivation_prospect",
    "cultivation_no_net",
)
BREADTH_DIMENSIONS = ("category", "brand", "product")
ABC_THRESHOLDS = (0.80, 0.95)
TIE_RULE = "equal revenue is ranked by customer id ascending compared as text"

NEEDS = Needs(keys=("customer", "month"), columns=("customer", "date", "amount"), optional=BREADTH_DIMENSIONS)


def day_needs(read: Callable[[int], tuple[int, int] | None] | None = None) -> Needs:
    """What `kamtool stages` loads: :data:`NEEDS` per day (:func:`kamtool.needs.by_day`), with
    the month's mix of the one breadth dimension the file holds beside the days
    (:class:`kamtool.needs.Grain`, ``first``), which the native engine builds from its query;
    the ledger's ``mix`` of every dimension is then not loaded (stages reads ``mix_of``).
    ``read``: the months of the mix breadth reads (:attr:`Grain.read`: the windows up to the
    as-of day and the --compare day; 10M lines: 12 of 33 months)."""
    from dataclasses import replace

    from kamtool.needs import by_day

    breadth = Grain("mix_of", ("customer", "month", *BREADTH_DIMENSIONS), split=BREADTH_DIMENSIONS,
                    when=BREADTH_DIMENSIONS, first=True, read=read)
    return replace(by_day(NEEDS), grains=(breadth,))


@dataclass(frozen=True)
class StageThresholds:
    """Thresholds of the stage rules, with their documented defaults."""

    strategic_tenure: int = 24
    stable_tenure: int = 12
    quarters: int = 4
    stable_quarters: int = 3
    min_breadth: int = 3
    stable_trend: float = -0.20
    declining_drop: float = 0.30
    lost_gap_multiple: float = 3.0
    lost_min_days: int = 90


# ------------------------------------------------------------------- shared time helpers


def last_month(as_of_day: int) -> int:
    """The month ordinal holding the day before the as-of day: the window's last month."""
    return recent_months(as_of_day, 1)[1]


def monthly_cents(monthly: pd.DataFrame, measures: tuple[str, ...] = ("revenue",)) -> pd.DataFrame:
    """``monthly`` summed per customer × month, money as int64 cents in ``<measure>_c``.

    A measure column that is missing gives no ``_c`` column; a missing value of profit is
    counted in ``profit_missing`` (so a customer's profit is known only where none is).
    """
    return coded_cents(monthly, measures)[0]


@dataclass(frozen=True)
class Coded:
    """The rows of a :func:`monthly_cents` frame by customer code: the ids factorized once,
    sorted as text, so that a sum, count or minimum per customer is a bincount over codes,
    not a group-by on text (10M-line benchmark: a dozen group-bys on 200k ids were most of
    the tiers analysis)."""

    names: pd.Index  # the distinct customer ids, sorted as text
    code: IntArray  # each row's position in ``names``
    month: IntArray
    source: IntArray  # the code of each row of the monthly table the frame was summed from (-1: no id)

    def between(self, first: int, last: int) -> Any:
        """Rows in months ``first`` .. ``last`` (both in)."""
        return (self.month >= first) & (self.month <= last)

    def sums(self, values: Any, mask: Any) -> IntArray:
        """Per customer code, the sum of ``values`` (whole numbers) over the rows in ``mask``."""
        return _code_sums(self.code, np.asarray(values, dtype=np.int64), mask, len(self.names))

    def counts(self, mask: Any) -> IntArray:
        """Per customer code, the rows in ``mask``."""
        return np.bincount(self.code[mask], minlength=len(self.names)).astype(np.int64)

    def window_sum(self, values: Any, first: int, last: int) -> pd.Series:
        """:func:`window_sum` by codes: per customer with rows in the months, their sum."""
        inside = self.between(first, last)
        has = self.counts(inside) > 0
        return pd.Series(self.sums(values, inside)[has], index=self.names[has])

    def least_month(self, mask: Any) -> IntArray:
        """Per customer code, the first month among the rows in ``mask`` (int64 max: none)."""
        first = np.full(len(self.names), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first, self.code[mask], self.month[mask])
        return first


def coded_cents(
    monthly: pd.DataFrame, measures: tuple[str, ...] = ("revenue",)
) -> tuple[pd.DataFrame, Coded]:
    """:func:`monthly_cents`, and its rows by customer code (:class:`Coded`)."""
    for column in ("customer", "month", "revenue"):
        if column not in monthly.columns:
            raise ColumnError(f"the monthly table has no {column!r} column")
    frame = pd.DataFrame(
        {"customer": monthly["customer"].astype(str), "month": monthly["month"].to_numpy(dtype=np.int64)}
    )
    for measure in measures:
        if measure in monthly.columns:
            values = pd.to_numeric(monthly[measure], errors="coerce")
            frame[f"{measure}_c"] = rules.whole_units(values.fillna(0), measure)
            if measure != "revenue":
                frame[f"{measure}_missing"] = values.isna().to_numpy().astype(np.int64)
    codes, names = rules.sorted_codes(frame["customer"])
    month = frame["month"].to_numpy(dtype=np.int64)
    if _sorted_once(codes, month):  # as the ledger and monthly_of_days give it: nothing to sum
        return frame.reset_index(drop=True), Coded(pd.Index(names, name="customer"), codes, month, codes)
    return _summed_by_code(frame, codes, names, month)


def _sorted_once(codes: IntArray, month: IntArray) -> bool:
    """Whether the rows are one per customer × month, sorted by both (``codes``: the ids'
    positions in their text order)."""
    if len(codes) < 2:  # no row (the group-by gives its own empty frame) or one
        return len(codes) == 1 and bool(codes[0] >= 0)
    m0 = int(month.min())
    key = codes * (int(month.max()) - m0 + 1) + (month - m0)
    return bool((codes >= 0).all() and (key[1:] > key[:-1]).all())


def _summed_by_code(
    frame: pd.DataFrame, codes: IntArray, names: Any, month: IntArray
) -> tuple[pd.DataFrame, Coded]:
    """``frame``'s whole-number columns summed per customer × month, sorted by both: what a
    group-by on (customer, month) gives, by integer codes (the ledger's monthly is per
    salesperson too: 2.4M rows of text ids on the 10M-line benchmark). A row without an id
    is no group (as in a group-by)."""
    known = codes >= 0
    if not known.any():
        summed = frame.groupby(["customer", "month"], sort=True, as_index=False).sum()
        again, ids = pd.factorize(summed["customer"], sort=True)
        return summed, Coded(pd.Index(ids, name="customer"), again.astype(np.int64),
                             summed["month"].to_numpy(dtype=np.int64), codes)
    m0 = int(month[known].min())
    width = int(month[known].max()) - m0 + 1
    cells, cell = np.unique(codes[known] * width + (month[known] - m0), return_inverse=True)
    cell = cell.ravel()
    # every id has a row with that id: the codes of the cells are the ids' positions
    code = (cells // width).astype(np.int64)
    index = pd.Index(names, name="customer")
    out: dict[str, Any] = {"customer": index.take(code), "month": (cells % width + m0).astype(np.int64)}
    for column in frame.columns[2:]:
        values = frame[column].to_numpy(dtype=np.int64)[known].astype(np.float64)
        # float64 partial sums of whole numbers are exact below 2**53
        out[column] = np.rint(np.bincount(cell, weights=values, minlength=len(cells))).astype(np.int64)
    summed = pd.DataFrame(out)
    return summed, Coded(index, code, summed["month"].to_numpy(dtype=np.int64), codes)


def monthly_of_days(days: pd.DataFrame) -> pd.DataFrame:
    """``days`` (customer, date, revenue) summed per customer × month, sorted: the ``monthly``
    of :func:`stages` from the frame the ``lost`` flag reads, summed in cents by customer code
    (the same figures as the ledger's own roll-up of its table, for a fraction of its time)."""
    for column in ("customer", "date", "revenue"):
        if column not in days.columns:
            raise ColumnError(f"the days table has no {column!r} column")
    names, customers = rules.sorted_codes(days["customer"])
    known = names >= 0  # a missing customer id is no group (as in a group-by)
    every = bool(known.all())
    day = _day_numbers(days["date"])
    month = rules.period_of_days(day if every else day[known], "month") if len(day) \
        else np.zeros(0, dtype=np.int64)
    del day
    m0 = int(month.min()) if len(month) else 0
    width = int(month.max()) - m0 + 1 if len(month) else 1
    key = (names if every else names[known]).astype(np.int64, copy=False) * width
    del names
    key += month - m0
    del month
    cells, cell = _unique_inverse(key)
    del key
    revenue = days["revenue"].to_numpy(dtype=np.float64)
    cents = rules.whole_units(revenue if every else revenue[known]).astype(np.float64)
    # float64 partial sums of whole cents are exact below 2**53 cents
    sums = np.rint(np.bincount(cell, weights=cents, minlength=len(cells)))
    return pd.DataFrame({"customer": customers.take(cells // width),
                         "month": (cells % width + m0).astype(np.int64), "revenue": sums / 100})


def _unique_inverse(key: IntArray) -> tuple[IntArray, IntArray]:
    """``np.unique(key, return_inverse=True)``, by comparing neighbours when ``key`` never
    decreases (the ledger's days come sorted by customer and day, so their customer × month
    keys do): np.unique sorts a copy and keeps the sort's order and a mask beside it (10M lines:
    4.8M customer-days, about 0.2 GiB and a second of sorting for keys in order already)."""
    if len(key) > 1 and bool((key[1:] >= key[:-1]).all()):
        starts, cell = rules.runs(key)
        return key[starts], cell
    cells, cell = np.unique(key, return_inverse=True)
    return cells, cell.ravel()


def ledger_frames(ledger: Ledger, *, keep_totals: bool = False) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """What :func:`stages` reads from a load of :data:`NEEDS` by day: ``monthly`` from the days
    the lost flag reads (the ledger's roll-up of its customer × day × category … table to months
    costs several times more), and the mix of the first breadth dimension the data has (breadth
    reads that one alone; all three rolled up together cost twice as much).

    ``keep_totals``: the caller reads the ledger's table no more but for its totals (and the
    days frame, ``ledger.days``), which then goes once the days and the mix are built, before
    the months are summed (:meth:`Ledger.keep_totals`; 10M lines: 4.8M customer-days, 0.29 GiB)."""
    mix = breadth_mix(ledger)
    days = ledger.days
    if keep_totals:
        ledger.keep_totals()
    return monthly_of_days(days), mix


def breadth_mix(ledger: Ledger) -> pd.DataFrame | None:
    """The month's mix of the first breadth dimension the ledger holds a value in (what
    :func:`breadth` reads of a mix of several); None when it holds none."""
    return next((m for d in BREADTH_DIMENSIONS if (m := ledger.mix_of(d)) is not None and m[d].notna().any()),
                None)


def _day_numbers(stamp: pd.Series) -> IntArray:
    """Day numbers (days since 1970-01-01) of a column of dates or of day numbers."""
    if pd.api.types.is_integer_dtype(stamp):
        return stamp.to_numpy(dtype=np.int64)
    # the day numbers are the days' own int64s: a view, not a third copy of the column
    return np.asarray(pd.to_datetime(stamp).to_numpy().astype("datetime64[D]").view(np.int64))


def window_sum(cents: pd.DataFrame, first: int, last: int, column: str = "revenue_c") -> pd.Series:
    """Per customer, the sum of ``column`` over months ``first`` .. ``last`` (both in)."""
    inside = cents[(cents["month"] >= first) & (cents["month"] <= last)]
    return inside.groupby("customer")[column].sum()


def growth(recent: Any, before: Any) -> np.ndarray:
    """recent / before − 1 where before > 0; +inf where before ≤ 0 < recent (a start from
    nothing); NaN where neither is positive."""
    r = np.asarray(recent, dtype=np.float64)
    b = np.asarray(before, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(b > 0, r / np.where(b > 0, b, 1) - 1, np.where(r > 0, np.inf, np.nan))
    return out.astype(np.float64)


def grew_above(recent_c: Any, before_c: Any, rate: float) -> np.ndarray:
    """Exactly on cents: growth(recent, before) > rate, i.e. recent × d > (d + n) × before for
    rate = n / d read as a decimal (so −20 % exactly is not above −20 %); a start from nothing
    (before ≤ 0 < recent) is above any rate."""
    r = np.asarray(recent_c, dtype=np.int64)
    b = np.asarray(before_c, dtype=np.int64)
    q = Fraction(str(float(rate)))
    left, right = q.denominator, q.denominator + q.numerator
    biggest = max(int(np.abs(r).max(initial=0)), int(np.abs(b).max(initial=0)))
    if biggest * max(abs(left), abs(right)) >= 2**62:  # int64 would overflow: Python integers
        r, b = r.astype(object), b.astype(object)
    exact = np.asarray(r * left > right * b, dtype=bool)
    return np.where(np.asarray(b > 0, dtype=bool), exact, np.asarray(r > 0, dtype=bool))


def half_trend(cents: pd.DataFrame, customers: pd.Index, end: int, window_months: int) -> np.ndarray:
    """:func:`growth` of the last half of the window over its first half, per customer."""
    half = window_months // 2
    recent = window_sum(cents, end - half + 1, end).reindex(customers, fill_value=0)
    before = window_sum(cents, end - 2 * half + 1, end - half).reindex(customers, fill_value=0)
    return growth(recent.to_numpy(), before.to_numpy())


def member(customers: pd.Index, names: Any) -> np.ndarray:
    """Which of ``customers`` are among ``names`` (an index lookup: isin on text is slow)."""
    return np.asarray(pd.Index(list(set(names)), dtype=customers.dtype).get_indexer(customers) >= 0)


def rank_order(names: Any, values: Any) -> np.ndarray:
    """Positions of entities by value descending, then id ascending compared as text
    (:data:`TIE_RULE`)."""
    # an Index given stays that object: it remembers whether it is sorted (tiers ranks the same
    # customers eight times)
    index = names if isinstance(names, pd.Index) else pd.Index(names)
    descending = -np.asarray(values, dtype=np.float64)
    if pd.api.types.is_string_dtype(index.dtype) and index.is_monotonic_increasing:
        # ids already in text order (as every frame here is built): a stable sort keeps it
        return np.argsort(descending, kind="stable")
    text = np.asarray([str(n) for n in index], dtype=str)
    return np.lexsort((text, descending))


def class_a(window_cents: pd.Series) -> set[str]:
    """Customers in revenue class A over the window (rules.abc_codes on cents; customers
    with no positive revenue are not ranked)."""
    positive = window_cents[window_cents > 0]
    order = rank_order(positive.index, positive.to_numpy(dtype=np.int64))
    codes = rules.abc_codes(positive.to_numpy(dtype=np.int64)[order], ABC_THRESHOLDS)
    return set(positive.index[order][codes == 0])


def breadth(mix: pd.DataFrame | None, first: int, last: int) -> tuple[pd.Series | None, str | None]:
    """Distinct categories (or brands, or products) with positive net revenue in the window."""
    if mix is None:
        return None, None
    dimension = next((d for d in BREADTH_DIMENSIONS if d in mix.columns and mix[d].notna().any()), None)
    if dimension is None:
        return None, None
    month = mix["month"].to_numpy(dtype=np.int64)
    inside = (month >= first) & (month <= last) & mix[dimension].notna().to_numpy(dtype=bool)
    # summed in cents per customer × value by integer codes (a group-by on two text columns
    # cost most of the stages; in cents, a value netting to zero is not bought whatever the
    # rows it is split into)
    # the ids coded on every row (neighbours compared: the ledger's rows come by customer), then
    # the window's taken: customers without a row there count nothing and are left out below
    every, customers = rules.sorted_codes(mix["customer"].astype(str))
    names = every[inside]
    del every, month  # each a mix row's int64: let go once the window's rows are taken
    values, kinds = pd.factorize(mix[dimension][inside].astype(str))
    width = max(len(kinds), 1)
    known = names >= 0  # a missing customer id is no group (as in a group-by)
    every_known = bool(known.all())  # then no copies of the window's columns by the mask
    key = names if every_known else names[known]
    del names
    key *= width  # in place: ``names`` is the window's own copy
    key += values if every_known else values[known]
    del values
    cells, cell = np.unique(key, return_inverse=True)
    del key
    revenue = mix["revenue"].to_numpy(dtype=np.float64)[inside]
    cents = rules.whole_units(revenue if every_known else revenue[known])
    del revenue
    # float64 partial sums of whole cents are exact below 2**53 cents
    net = np.rint(np.bincount(cell, weights=cents.astype(np.float64), minlength=len(cells)))
    counts = np.bincount(cells[net > 0] // width, minlength=len(customers))
    wide = counts > 0
    return pd.Series(counts[wide].astype(np.int64), index=pd.Index(customers[wide])), dimension


# ------------------------------------------------------------------------- the stage rules


def _codes(cents: pd.DataFrame, customers: pd.Index) -> IntArray:
    """Each row's customer as its position in ``customers`` (-1: not among them)."""
    names, where = rules.sorted_codes(cents["customer"])
    # a lookup of the few distinct ids, not of every row's text; a missing id (code -1) reads
    # the -1 appended last
    return np.append(np.asarray(customers.get_indexer(where), dtype=np.int64), -1)[names]


def _code_sums(code: IntArray, values: IntArray, mask: Any, n: int) -> IntArray:
    """Per customer code, the sum of ``values`` (whole cents) over the rows in ``mask``."""
    keep = mask & (code >= 0)
    # float64 partial sums of whole cents are exact below 2**53 cents
    return np.rint(np.bincount(code[keep], weights=values[keep].astype(np.float64), minlength=n)
                   ).astype(np.int64)


def _quarters_active(code: IntArray, month: IntArray, cents: IntArray, upto: Any, end: int, quarters: int,
                     n: int) -> IntArray:
    """Per customer, the last ``quarters`` calendar quarters up to ``end`` with net revenue > 0."""
    quarter = month // rules.MONTHS_PER["quarter"]
    first_q = end // rules.MONTHS_PER["quarter"] - quarters + 1
    keep = upto & (quarter >= first_q) & (code >= 0)
    cells, cell = np.unique(code[keep] * quarters + (quarter[keep] - first_q), return_inverse=True)
    net = np.bincount(cell, weights=cents[keep].astype(np.float64), minlength=len(cells))
    return np.bincount(cells[np.rint(net) > 0] // quarters, minlength=n).astype(np.int64)


def _facts(
    cents: pd.DataFrame, customers: pd.Index, end: int, window_months: int, th: StageThresholds,
    coded: Coded | None = None,
) -> pd.DataFrame:
    """Per customer: net to date, tenure, quarters active, trend, window revenue (by customer
    code: one lookup of the ids, then sums per code, no group-by; ``coded``: the rows' codes
    known already)."""
    n = len(customers)
    if coded is None:
        code = _codes(cents, customers)
    else:  # the few distinct ids looked up, not every row's
        code = np.append(np.asarray(customers.get_indexer(coded.names), dtype=np.int64), -1)[coded.code]
    month = cents["month"].to_numpy(dtype=np.int64)
    revenue = cents["revenue_c"].to_numpy(dtype=np.int64)
    upto = month <= end

    def months(first: int, last: int) -> IntArray:
        return _code_sums(code, revenue, (month >= first) & (month <= last), n)

    bought = upto & (revenue > 0) & (code >= 0)
    first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, code[bought], month[bought])
    first_month = pd.Series(np.where(first < np.iinfo(np.int64).max, first, np.nan), index=customers)
    half = window_months // 2
    recent, before = months(end - half + 1, end), months(end - 2 * half + 1, end - half)
    return pd.DataFrame(
        {
            "has_lines": np.bincount(code[upto & (code >= 0)], minlength=n) > 0,
            "net_c": _code_sums(code, revenue, upto, n),
            "tenure_months": (end - first_month + 1).astype("Int64"),
            "quarters_active": _quarters_active(code, month, revenue, upto, end, th.quarters, n),
            "trend": growth(recent, before),
            "recent_c": recent,
            "before_c": before,
            "window_c": months(end - window_months + 1, end),
            "year_before_c": months(end - window_months - 11, end - 12),
        },
        index=customers,
    )


def _rules(facts: pd.DataFrame, senior: set[str], wide: pd.Series | None, th: StageThresholds) -> np.ndarray:
    """The rule that fires for each customer, evaluated from the top."""
    tenure = facts["tenure_months"].fillna(0).to_numpy(dtype=np.int64)
    quarters = facts["quarters_active"].to_numpy()
    bought = facts["net_c"].to_numpy() > 0
    top = member(facts.index, senior)
    broad = (
        np.ones(len(facts), dtype=bool)
        if wide is None
        else wide.reindex(facts.index, fill_value=0).to_numpy() >= th.min_breadth
    )
    strategic = bought & (tenure >= th.strategic_tenure) & (quarters >= th.quarters) & top & broad
    trend_ok = grew_above(facts["recent_c"].to_numpy(), facts["before_c"].to_numpy(), th.stable_trend)
    stable = bought & (tenure >= th.stable_tenure) & (quarters >= th.stable_quarters) & trend_ok
    no_lines = ~facts["has_lines"].to_numpy(dtype=bool)
    return np.select(
        [strategic, stable, bought, no_lines],
        ["strategic_rule", "stable_rule", "initial_default", "cultivation_prospect"],
        default="cultivation_no_net",
    )


RULE_STAGE = {
    "strategic_rule": "strategic",
    "stable_rule": "stable",
    "initial_default": "initial",
    "cultivation_prospect": "cultivation",
    "cultivation_no_net": "cultivation",
}


def _lost(days: pd.DataFrame, customers: pd.Index, as_of: int, th: StageThresholds) -> pd.DataFrame:
    """Days since the last purchase day, the median gap, and the lost flag, per customer."""
    day = _day_numbers(days["date"])
    n = len(customers)
    code = _codes(pd.DataFrame({"customer": days["customer"].astype(str)}), customers)
    # a missing revenue is no purchase (not > 0) and adds nothing to a day's sum (skipped): no
    # copy of the column to fill it in (10M lines: 37 MiB at the command's peak)
    revenue = pd.to_numeric(days["revenue"], errors="coerce").to_numpy(dtype=np.float64)
    keep = (day < as_of) & (code >= 0)
    if not keep.all():  # a copy of each column only when a row goes (10M lines: 37 MiB a column)
        code, day, revenue = code[keep], day[keep], revenue[keep]
    del keep
    last = np.full(n, np.nan)
    median_gap = np.full(n, np.nan)
    if len(day):
        # one row per customer-day, sorted by customer then day; a customer-day given twice is
        # summed (by pandas, as before); the ledger's days come sorted and once each
        day0 = int(day.min())
        span = int(day.max()) - day0 + 1
        # in place from here (``day`` may be the frame's own column): each of these arrays is
        # 37 MiB on 10M lines
        key = code  # the codes' own array (_codes gives a new one): multiplied in place
        del code
        key *= span
        key += day
        key -= day0
        del day
        if len(key) > 1 and not (key[1:] > key[:-1]).all():
            sums = pd.Series(revenue).groupby(key, sort=True).sum()
            key, revenue = sums.index.to_numpy(dtype=np.int64), sums.to_numpy(dtype=np.float64)
        bought = revenue > 0
        del revenue
        key = key[bought]
        del bought
        code = key // span
        key %= span
        key += day0
        rules.purchase_rhythm(code, key, last, median_gap)
    silent = pd.Series(as_of - last, index=customers)
    gap = pd.Series(median_gap, index=customers)
    lost = (silent > th.lost_gap_multiple * gap) & (silent >= th.lost_min_days)
    return pd.DataFrame(
        {
            "days_since_last": silent.astype("Int64"),
            "median_gap": gap,
            "lost": lost.fillna(False).astype(bool),
        },
        index=customers,
    )


def stage_frame(
    cents: pd.DataFrame,
    customers: pd.Index,
    *,
    as_of_day: int,
    window_months: int = 12,
    key_accounts: Collection[str] | None = None,
    mix: pd.DataFrame | None = None,
    thresholds: StageThresholds = StageThresholds(),
    coded: Coded | None = None,
) -> tuple[pd.DataFrame, str | None]:
    """Stage, rule and facts per customer at one as-of day (cents from :func:`monthly_cents`;
    ``coded``: its rows by customer code, from :func:`coded_cents`).

    Returns the frame (indexed by customer) and the breadth dimension used (None: breadth
    not known, the condition not applied).
    """
    end = last_month(as_of_day)
    facts = _facts(cents, customers, end, window_months, thresholds, coded)
    senior = class_a(facts["window_c"]) | {str(c) for c in (key_accounts or ())}
    wide, dimension = breadth(mix, end - window_months + 1, end)
    rule = _rules(facts, senior, wide, thresholds)
    facts["breadth"] = (
        wide.reindex(customers, fill_value=0).to_numpy(dtype=np.int64)
        if wide is not None
        else pd.array([pd.NA] * len(customers), dtype="Int64")
    )
    facts["stage_rule"] = rule
    facts["stage"] = [RULE_STAGE[r] for r in rule]
    before = facts["year_before_c"].to_numpy()
    held = grew_above(facts["window_c"].to_numpy(), before, -thresholds.declining_drop)
    facts["declining"] = (before > 0) & ~held
    return facts, dimension


def universe(cents: pd.DataFrame, accounts: pd.DataFrame | None, coded: Coded | None = None) -> pd.Index:
    """Every customer of the orders (``coded``: their ids known already) and the accounts, sorted."""
    # Python strings: a set of Arrow scalars is slower
    names = set((cents["customer"].unique() if coded is None else coded.names).tolist())
    if accounts is not None:
        names |= set(accounts["customer"].astype(str))
    return pd.Index(sorted(names), name="customer")


def _transitions(before: pd.Series, after: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    order = {s: i for i, s in enumerate(STAGES)}
    cell = before.map(order).to_numpy() * len(STAGES) + after.map(order).to_numpy()
    counts = np.bincount(cell, minlength=len(STAGES) ** 2).reshape(len(STAGES), len(STAGES))
    matrix = pd.DataFrame(counts.astype(np.int64), columns=list(STAGES))
    matrix.insert(0, "from_stage", list(STAGES))
    fell = before.map(order) > after.map(order)
    regressions = pd.DataFrame(
        {
            "customer": before.index[fell],
            "from_stage": before[fell].to_numpy(),
            "to_stage": after[fell].to_numpy(),
        }
    )
    return matrix, regressions.reset_index(drop=True)


ROW_COLUMNS = ("stage", "stage_rule", "tenure_months", "quarters_active", "trend", "breadth")
KINDS = {
    "trend": "share",
    "breadth": "count",
    "tenure_months": "count",
    "quarters_active": "count",
    "days_since_last": "days",
    "median_gap": "days",
    "stage": "text",
    "stage_rule": "text",
    "compare_stage": "text",
    "abc_thresholds": "share",
}


def _stage_rows(customers: pd.Index, facts: pd.DataFrame) -> pd.DataFrame:
    rows = pd.DataFrame({"customer": customers})
    for column in ROW_COLUMNS:
        rows[column] = facts[column].to_numpy()
    rows["revenue"] = facts["window_c"].to_numpy() / 100
    rows["declining"] = facts["declining"].to_numpy(dtype=bool)
    return rows


def stages(
    monthly: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    as_of: Any,
    window_months: int = 12,
    key_accounts: Collection[str] | None = None,
    mix: pd.DataFrame | None = None,
    days: pd.DataFrame | None = None,
    compare: Any = None,
    thresholds: StageThresholds = StageThresholds(),
) -> Result:
    """Relationship stage of every customer in the orders or the accounts (see the module)."""
    if window_months < 2 or window_months % 2:
        raise AnalysisError.said("error.stages.stage_window_must_even", window_months=window_months)
    day = rules.as_of_day(as_of, None)
    if day is None:
        raise AnalysisError("stages need an as-of date")
    cents, coded = coded_cents(monthly)
    customers = universe(cents, accounts, coded)
    facts, dimension = stage_frame(
        cents,
        customers,
        as_of_day=day,
        window_months=window_months,
        key_accounts=key_accounts,
        mix=mix,
        thresholds=thresholds,
        coded=coded,
    )
    rows = _stage_rows(customers, facts)
    if days is not None:
        lost = _lost(days, customers, day, thresholds)
        for column in ("days_since_last", "median_gap", "lost"):
            rows[column] = lost[column].to_numpy()
    tables: dict[str, pd.DataFrame] = {}
    summary: dict[str, Any] = {s: int((rows["stage"] == s).sum()) for s in STAGES}
    summary.update(customers=len(rows), declining=int(rows["declining"].sum()))
    if "lost" in rows:
        summary["lost"] = int(rows["lost"].sum())
    compare_day = rules.as_of_day(compare, None) if compare is not None else None
    if compare_day is not None:
        earlier, _ = stage_frame(
            cents[cents["month"] <= last_month(compare_day)],
            customers,
            as_of_day=compare_day,
            window_months=window_months,
            mix=mix,
            thresholds=thresholds,
        )
        rows["compare_stage"] = earlier["stage"].to_numpy()
        tables["transitions"], tables["regressions"] = _transitions(earlier["stage"], facts["stage"])
        summary["regressions"] = len(tables["regressions"])
    params = {
        "as_of": _iso(day),
        "compare": _iso(compare_day),
        "window_months": window_months,
        "last_month": rules.period_label(last_month(day), "month"),
        "breadth_basis": dimension,
        "lost": "days" if days is not None else "not_known",
        "key_tier_given": key_accounts is not None,
        "abc_thresholds": list(ABC_THRESHOLDS),
        "tie_rule": TIE_RULE,
        "stage_thresholds": asdict(thresholds),
        "rules": list(STAGE_RULES),
    }
    return Result(command="stages", params=params, summary=summary, rows=rows, tables=tables, kinds=KINDS)


def _iso(day: int | None) -> str | None:
    return None if day is None else str(np.datetime64(int(day), "D"))
