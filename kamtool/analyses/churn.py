"""Churn between two periods: who was kept, won, won back or lost, and what it cost.

Churn has four forms in key-account practice: the customer leaves on its own, a
competitor wins it, we drop it, or it stays but falls from high value to low.  The
order data alone cannot tell the first three apart, so this module measures what it can:
customers lost between two periods and the revenue they took (the bridge), key
accounts that fell a class (value decline is churn too), active customers whose
silence is long against their own rhythm (early warning), and cohort retention.
:mod:`kamtool.analyses.churn_types` then names a type per loss from what else is known
(the accounts file, receivables, brands and product lines; :func:`types_needs`).

All money is carried in integer cents so the bridge closes exactly to the cent.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kamtool.analyses.rules import (
    MONTHS_PER,
    PERIODS,
    abc_codes,
    as_of_day,
    parse_period_label,
    period_label,
    period_of_days,
    period_start_day,
    purchase_rhythm,
    sorted_codes,
)
from kamtool.errors import AnalysisError, ColumnError, DataError, Phrase, UsageError
from kamtool.lazy import lazy_module
from kamtool.needs import Needs
from kamtool.result import Chart, Heatmap, Result

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

    from kamtool.analyses.clv.fit import FitError
    from kamtool.analyses.clv.summary import PurchaseDays

    IntArray = npt.NDArray[np.int64]
    Int32Array = npt.NDArray[np.int32]
    FloatArray = npt.NDArray[np.float64]
    BoolArray = npt.NDArray[np.bool_]
else:
    # the command line reads NEEDS before the load: pandas and numpy load while DuckDB reads
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

# What `kamtool churn` reads: one row per customer and day, with distinct orders.
NEEDS = Needs(keys=("customer", "date"), measures=(), figures=("orders",))


def types_needs(*, brand: bool = False, payments: bool = True, period: str = "quarter",
                read: Callable[[int], tuple[int, int] | None] | None = None) -> Needs:
    """What `kamtool churn` reads to type the losses (:mod:`kamtool.analyses.churn_types`).

    The customer-days (churn itself, ``Ledger.days``; ``monthly`` for the key tier rolls them up)
    and two grains beside them (:class:`kamtool.needs.Grain`): the product-line mix, revenue per
    customer × ``period`` × category (× month and brand for a focal brand, whose share of
    wallet the key tier reads per month), built only when the file has a category or brand;
    and credit's invoice lines (customer × invoice, else order id × dates), built only when
    ``payments`` may be given (the default, for a caller that does not say: `kamtool churn`
    says) or the file has receivables fields, as only then are they read.
    Profit for the key tier's profit factor.  An engine that does not build grains splits the
    customer-days by every optional column instead (a column a file lacks splits nothing) and
    the ledger rolls them up: on the benchmark generator's orders the category makes 1.6 times
    as many customer-days, the order id 1.1 times.  ``read``: the mix's months the types read
    (:attr:`kamtool.needs.Grain.read`; 10M lines by quarter: 2 of 11 quarters).
    """
    from kamtool.needs import Grain

    optional = ("invoice_id", "due_date", "paid_date", "category", *(("brand",) if brand else ()))
    dims = ("category", *(("brand",) if brand else ()))
    credit = ("due_date", "paid_date", "paid_amount")  # churn_types.CREDIT_FIELDS (pandas-free here)
    grains = (Grain("mix", ("customer", "month", *dims), split=dims, when=dims,
                    months=1 if brand else MONTHS_PER[period], read=read),
              Grain("invoices", ("customer", "invoice_id", "date", "due_date", "paid_date"),
                    sums=("revenue_c", "lines", "paid_amount_c"), when=() if payments else credit))
    return Needs(keys=("customer", "date"), optional=optional, measures=("profit", "paid_amount"),
                 grains=grains)

COHORTS = ("month", "quarter")
CLASSES = ("A", "B", "C")
NO_CLASS = "-"  # did not buy in that period: new / reactivated at the start, lost at the end
_CLASS_CODES = (*CLASSES, NO_CLASS)  # a class's position here is its code
STATUSES = ("new", "retained", "reactivated", "lost", "inactive")
ACTIVE_STATUSES = ("new", "retained", "reactivated")
BRIDGE_STEPS = ("start", "new", "reactivated", "expansion", "contraction", "lost", "other", "end")

# Where P(alive) of the early warning came from: given by the caller, fitted (BG/NBD on the
# purchases before the as-of date), not fitted (summary["p_alive_reason"] says why), or off.
P_ALIVE_STATUSES = ("given", "fitted", "not_fitted", "off")
# Columns whose name does not say their format (see kamtool.render.formats).
KINDS = {"change": "money", "amount": "money", "days_since_last": "days", "silence_ratio": "number"}
_NO_DAY = -(2**63)  # "no such day": the smallest int64, which numpy reads as NaT


# ---------------------------------------------------------------------------------------------
# input


@dataclass
class _Orders:
    """Net revenue per customer-day, sorted by customer then day."""

    customers: pd.Index  # sorted customer ids; position = code
    # int32: codes, days and months fit, and the 4.8M customer-days of 10M lines take half
    codes: Int32Array
    days: Int32Array  # days since 1970-01-01
    months: Int32Array  # months since 1970-01
    cents: IntArray  # net revenue of the customer-day, in cents
    first_day: IntArray  # per customer (code): first day with an order line, _NO_DAY if none
    as_of_day: int  # days since 1970-01-01, after the last order
    date_dtype: Any


def _read_daily(daily: pd.DataFrame, as_of: Any) -> _Orders:
    missing = [c for c in ("customer", "date", "revenue") if c not in daily.columns]
    if missing:
        raise ColumnError(f"churn needs the columns customer, date, revenue; missing: {missing}")
    if daily.empty:
        raise AnalysisError.said("error.churn.churn_there_are_no")
    dates = daily["date"]
    if dates.isna().any():
        raise DataError.said("error.churn.churn_some_order_dates")
    days_all = _days_since_epoch(dates)
    revenue = daily["revenue"].to_numpy(dtype=np.float64)
    if np.isnan(revenue).any():
        raise DataError.said("error.churn.churn_some_revenue_values")
    last_day = int(days_all.max())
    today = as_of_day(as_of, last_day)
    assert today is not None  # there is a last day
    # "today" is the day after the last order by default, so an order on or after the
    # as-of day would lie in the future; the same rule as rfm and loyalty
    if today <= last_day:
        raise UsageError.said("error.churn.not_after_last_order", day_to_iso=_day_to_iso(today),
                              day_to_iso2=_day_to_iso(last_day))
    every_code, customers = sorted_codes(daily["customer"])  # the ledger's rows come by customer
    cents = np.rint(revenue * 100).astype(np.int64)
    del revenue

    # One sort by (customer, day) serves first days, rhythm and period sums; the engine's
    # frame usually arrives sorted, and then the sort is skipped.
    day0 = int(days_all.min())
    span = last_day - day0 + 1
    key = every_code * span + (days_all - day0)
    del every_code, days_all  # each step's arrays let go once the next is made (peak memory)
    if len(key) > 1 and not (key[1:] >= key[:-1]).all():
        order = _argsort(key)
        key, cents = key[order], cents[order]
    if len(key) > 1 and (key[1:] == key[:-1]).any():
        # more than one row for a customer-day: net them into one day
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        key, cents = key[starts], np.add.reduceat(cents, starts)
    codes, days = (key // span).astype(np.int32), (key % span + day0).astype(np.int32)
    del key
    first_day = np.full(len(customers), _NO_DAY, dtype=np.int64)
    group_start = np.r_[True, codes[1:] != codes[:-1]]
    first_day[codes[group_start]] = days[group_start]
    return _Orders(
        customers=pd.Index(customers),
        codes=codes,
        days=days,
        months=_months_of_days(days).astype(np.int32),
        cents=cents,
        first_day=first_day,
        as_of_day=today,
        date_dtype=dates.dtype if isinstance(dates.dtype, np.dtype) else "datetime64[ns]",
    )


_TICKS_PER_DAY = {
    "D": 1, "h": 24, "m": 1440, "s": 86_400, "ms": 86_400_000, "us": 86_400_000_000,
    "ns": 86_400_000_000_000,
}


def _days_since_epoch(dates: pd.Series) -> IntArray:
    values = dates.to_numpy()
    if values.dtype.kind != "M":  # time-zone aware or not yet parsed
        converted = pd.to_datetime(dates)
        if converted.dt.tz is not None:
            converted = converted.dt.tz_localize(None)
        values = converted.to_numpy()
    unit, count = np.datetime_data(values.dtype)
    per_day = _TICKS_PER_DAY[unit] // count
    # integer floor division: numpy's unit cast is several times slower on millions of rows
    return values.view(np.int64) // per_day


def _months_of_days(days: Any) -> IntArray:
    """Months since 1970-01 of each day, through a table of the few distinct days."""
    day0 = int(days.min())
    table = np.arange(day0, int(days.max()) + 1).astype("datetime64[D]")
    return table.astype("datetime64[M]").astype(np.int64)[days - day0]


def _argsort(key: IntArray) -> IntArray:
    """Stable argsort of non-negative integer keys.

    Packing the row number into the low digits and sorting the values is several
    times faster than ``np.argsort`` on millions of rows; it falls back when the
    packed keys would overflow.
    """
    m = len(key)
    if int(key.max()) < (np.iinfo(np.int64).max - m) // m:
        return np.sort(key * m + np.arange(m, dtype=np.int64)) % m
    return np.argsort(key, kind="stable")


def _day_to_iso(day: int) -> str:
    return str(np.datetime64(day, "D"))


def _sum_by_code(codes: Int32Array, cents: IntArray, mask: BoolArray, n: int) -> IntArray:
    # float64 partial sums of whole cents are exact below 2**53 cents (90 trillion)
    sums = np.bincount(codes[mask], weights=cents[mask].astype(np.float64), minlength=n)
    return np.rint(sums).astype(np.int64)


# ---------------------------------------------------------------------------------------------
# the analysis


@dataclass
class _Periods:
    """The two compared periods and the per-customer figures of each, in cents."""

    period: str
    start_p: int
    end_p: int
    as_of_period: int
    start_cents: IntArray
    end_cents: IntArray
    has_lines: BoolArray  # order lines in either period


@dataclass
class _EarlyWarning:
    last_day: IntArray  # _NO_DAY without a purchase day
    days_since: FloatArray
    median_gap: FloatArray
    silence: FloatArray
    at_risk: BoolArray
    p_alive: FloatArray | None
    p_alive_status: str  # one of P_ALIVE_STATUSES
    p_alive_reason: str | None = None  # FitError code when not fitted
    p_alive_figures: dict[str, Any] = field(default_factory=dict)


def churn(
    daily: pd.DataFrame | list[pd.DataFrame],
    *,
    period: str = "quarter",
    compare: Sequence[str] | None = None,
    as_of: Any = None,
    thresholds: Sequence[float] = (0.80, 0.95),
    silence_factor: float = 2.0,
    p_alive: pd.Series | None = None,
    p_alive_model: str | None = "bgnbd",
    p_alive_threshold: float = 0.5,
    cohort: str | None = None,
) -> Result:
    """Customers new, retained, reactivated and lost between two periods, and the cost.

    Parameters
    ----------
    daily : pd.DataFrame
        One row per customer and order date: ``customer``, ``date``, ``revenue``
        (net; returns negative); other columns are ignored.  Handed over in a list of one,
        it is let go once coded (the caller holds it no more).
    period : {"month", "quarter", "year"}
        Length of the periods compared.  Default "quarter".
    compare : pair of period labels, optional
        The start and end period, e.g. ``("2024Q1", "2024Q2")``, ``("2024-02", "2024-03")``
        or ``("2023", "2024")``; the labels must be of the kind ``period`` names.
        Default: the last two complete periods.  A period is complete when the as-of
        date is after its last day.
    as_of : date-like, optional
        "Today", after the last order.  Default: the day after the last order.
    thresholds : pair of floats
        Cumulative revenue-share cut-offs of the A and B classes.  Default (0.80, 0.95).
    silence_factor : float
        A customer who bought in the end period is at risk when its days since the last
        purchase exceed ``silence_factor`` times its median gap between purchase days.
        Default 2.0.
    p_alive : pd.Series, optional
        P(alive) per customer (index: customer).  Default: fitted here with
        ``p_alive_model`` on the purchases before the as-of date.  A customer who bought
        in the end period is also at risk when it is below ``p_alive_threshold``.
    p_alive_model : {"bgnbd"} or None
        The kamtool.analyses.clv model that gives P(alive); None: none.  When it cannot be
        fitted, the summary says why (``p_alive_status``, ``p_alive_reason``: a FitError code).
    p_alive_threshold : float
        Default 0.5.
    cohort : {"month", "quarter"}, optional
        Cohorts by first-order month or quarter.  Default: ``period`` (quarter for "year").

    Returns
    -------
    Result
        ``rows``: one row per customer with order lines in either period.  Tables
        ``bridge``, ``migration``, ``migration_matrix``, ``key_account_losses``,
        ``early_warning``, ``cohorts``.  Codes and numbers only (words: render.words.churn).
        Raises UsageError for bad options, AnalysisError for too few complete periods.
    """
    cohort = _check_params(period, thresholds, silence_factor, p_alive, p_alive_threshold, cohort)
    frame = daily.pop() if isinstance(daily, list) else daily
    orders = _read_daily(frame, as_of)
    del frame  # coded: the caller's frame goes here when it handed it over in a list of one
    periods = _compared_periods(orders, period, compare)
    status = _statuses(orders, periods)
    start_class = _classes(periods.start_cents, thresholds)
    end_class = _classes(periods.end_cents, thresholds)
    # the steps that read the customer-days first, then the days let go but for the purchase
    # days P(alive) is fitted on (10M lines: 4.8M of them, the peak of the analysis)
    cohorts = _cohort_table(orders, cohort)
    rhythm = _rhythm(orders, len(orders.customers))
    purchases = _purchases(orders) if p_alive is None and p_alive_model is not None else None
    orders = _days_read(orders)
    warning = _warning(purchases, orders, rhythm, periods.end_cents > 0, silence_factor, p_alive,
                       p_alive_model, p_alive_threshold)
    del purchases
    rows = _rows(orders, periods, status, start_class, end_class, warning)
    steps_cents = _bridge_cents(periods, status)
    moved = periods.has_lines & (status != "inactive")
    migration, matrix = _migration(start_class[moved], end_class[moved], periods.start_cents[moved],
                                   periods.end_cents[moved])
    tables = {
        "bridge": _bridge_table(steps_cents),
        "migration": migration,
        "migration_matrix": matrix,
        "key_account_losses": _key_account_losses(rows),
        "early_warning": _early_warning(rows, warning.p_alive is not None),
        "cohorts": cohorts,
    }
    summary = _summary(orders, periods, status, steps_cents, tables, warning)
    params = _params(orders, periods, compare, as_of, thresholds, silence_factor, warning, p_alive_model,
                     p_alive_threshold, cohort)
    return _result(params, summary, rows, tables)


def _result(params: dict[str, Any], summary: dict[str, Any], rows: pd.DataFrame,
            tables: dict[str, pd.DataFrame]) -> Result:
    offsets = [c for c in tables["cohorts"].columns if c.startswith("+")]
    return Result(
        command="churn",
        params=params,
        summary=summary,
        rows=rows,
        tables=tables,
        charts=[
            Chart(kind="waterfall", table="bridge", category="step", values=["amount"], title="churn.bridge")
        ],
        heatmaps=[Heatmap(table="cohorts", columns=offsets)] if offsets else [],
        display_columns=[
            "customer", "status", "start_class", "end_class", "start_revenue", "end_revenue",
            "change", "days_since_last", "silence_ratio", "at_risk",
        ],
        kinds={**KINDS, **{c: "share" for c in offsets}},  # cohort cells: shares of the cohort
    )


def _statuses(orders: _Orders, periods: _Periods) -> Any:
    """new / retained / reactivated / lost / inactive per customer code."""
    first_day = orders.first_day
    bought_start, bought_end = periods.start_cents > 0, periods.end_cents > 0
    ordered_before = (first_day != _NO_DAY) & (first_day < period_start_day(periods.start_p, periods.period))
    return np.select(
        [
            bought_start & bought_end,
            bought_start & ~bought_end,
            ~bought_start & bought_end & ordered_before,
            ~bought_start & bought_end,
        ],
        ["retained", "lost", "reactivated", "new"],
        default="inactive",
    ).astype(object)


def compared_codes(period: str, compare: Sequence[str] | None, as_of_day: int) -> tuple[int, int]:
    """The ordinals of the start and end periods compared: ``compare``'s, else the last two
    complete periods before the as-of day.  Not checked against the orders: the analysis
    checks them (a command reads them before, to cut what it loaded to those periods)."""
    if compare is None:
        end_p = int(period_of_days(as_of_day, period)) - 1
        return end_p - 1, end_p
    start_p, end_p = (parse_period_label(label_, period) for label_ in compare)
    return start_p, end_p


def _compared_periods(orders: _Orders, period: str, compare: Sequence[str] | None) -> _Periods:
    n = len(orders.customers)
    per = orders.months // MONTHS_PER[period]
    as_of_period = int(period_of_days(orders.as_of_day, period))
    first_period, last_period = int(per.min()), int(per.max())
    if compare is None:
        start_p, end_p = compared_codes(period, None, orders.as_of_day)
        if start_p < first_period:
            raise _too_few_periods(orders, period, first_period, last_period, as_of_period)
    else:
        start_p, end_p = _resolve_compare(compare, period, per, first_period, last_period)
    in_start, in_end = per == start_p, per == end_p
    start_cents = _sum_by_code(orders.codes, orders.cents, in_start, n)
    end_cents = _sum_by_code(orders.codes, orders.cents, in_end, n)
    has_lines = np.zeros(n, dtype=bool)
    has_lines[orders.codes[in_start | in_end]] = True
    if not (start_cents > 0).any():
        raise AnalysisError.said("error.churn.churn_no_customer_bought",
                                 period_label=period_label(start_p, period),
                                 period_label2=period_label(first_period, period),
                                 period_label3=period_label(last_period, period))
    return _Periods(period, start_p, end_p, as_of_period, start_cents, end_cents, has_lines)


def _purchases(orders: _Orders) -> PurchaseDays | FitError:
    """The purchase days the P(alive) model is fitted on, from the analysis' own coded
    customer-days (a second coding of the days frame cost 0.16 GiB at 10M lines, and kept the
    frame alive through the fit), or why there are none."""
    from kamtool.analyses.clv.fit import FitError
    from kamtool.analyses.clv.summary import PurchaseDays

    try:
        return PurchaseDays.of_cents(np.asarray(orders.customers), orders.codes, orders.days, orders.cents)
    except FitError as exc:
        return exc


def _fitted_p_alive(purchases: PurchaseDays | FitError, orders: _Orders, model: str
                    ) -> tuple[pd.Series | None, str | None, dict[str, Any]]:
    """P(alive) from kamtool.analyses.clv as of the as-of day, or why there is none."""
    from kamtool.analyses.clv import fit_p_alive  # scipy: only when churn runs
    from kamtool.analyses.clv.fit import FitError

    if isinstance(purchases, FitError):
        return None, purchases.code, dict(purchases.figures)
    fitted = fit_p_alive(purchases, orders.as_of_day, model=model)
    return fitted.values, fitted.reason, fitted.figures


def _days_read(orders: _Orders) -> _Orders:
    """``orders`` without its customer-days (empty arrays): only the per-customer figures."""
    import dataclasses

    none = np.zeros(0, dtype=np.int32)
    return dataclasses.replace(orders, codes=none, days=none, months=none, cents=np.zeros(0, dtype=np.int64))


def _warning(
    purchases: PurchaseDays | FitError | None,
    orders: _Orders,
    rhythm: tuple[IntArray, FloatArray],
    active: BoolArray,
    silence_factor: float,
    p_alive: pd.Series | None,
    p_alive_model: str | None,
    p_alive_threshold: float,
) -> _EarlyWarning:
    """Silence against the customer's own rhythm, and P(alive) when there is one."""
    n = len(orders.customers)
    last_day, median_gap = rhythm  # _rhythm
    days_since = np.where(last_day != _NO_DAY, orders.as_of_day - last_day, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        silence = days_since / median_gap
    at_risk = active & (silence > silence_factor)  # active == bought in the end period
    status, reason = "given", None
    figures: dict[str, Any] = {}
    if p_alive is None and p_alive_model is not None:
        assert purchases is not None  # made whenever a model is to be fitted
        p_alive, reason, figures = _fitted_p_alive(purchases, orders, p_alive_model)
        status = "fitted" if p_alive is not None else "not_fitted"
    elif p_alive is None:
        status = "off"
    values: FloatArray | None = None
    if p_alive is not None:
        position = orders.customers.get_indexer(p_alive.index)
        found = position >= 0
        if len(p_alive) and not found.any():
            raise UsageError(
                "P(alive) is indexed by customer, but none of its index values is a customer "
                f"in the orders (e.g. {p_alive.index[0]!r})"
            )
        values = np.full(n, np.nan)
        values[position[found]] = p_alive.to_numpy(dtype=np.float64)[found]
        at_risk |= active & (values < p_alive_threshold)
    return _EarlyWarning(last_day, days_since, median_gap, silence, at_risk, values, status, reason, figures)


def _rows(
    orders: _Orders,
    periods: _Periods,
    status: Any,
    start_class: IntArray,
    end_class: IntArray,
    warning: _EarlyWarning,
) -> pd.DataFrame:
    start_cents, end_cents = periods.start_cents, periods.end_cents
    sel = np.flatnonzero(periods.has_lines)
    sel = sel[np.lexsort((sel, -end_cents[sel], -start_cents[sel]))]
    days_since = pd.array(warning.days_since[sel], dtype="Float64").astype("Int64")  # whole days
    rows = pd.DataFrame(
        {
            "customer": orders.customers.take(sel).to_numpy(),
            "status": status[sel],
            "start_revenue": start_cents[sel] / 100,
            "end_revenue": end_cents[sel] / 100,
            "change": (end_cents - start_cents)[sel] / 100,
            "start_class": _class_names()[start_class[sel]],
            "end_class": _class_names()[end_class[sel]],
            "first_date": _to_dates(orders.first_day[sel], orders.date_dtype),
            "last_date": _to_dates(warning.last_day[sel], orders.date_dtype),
            "days_since_last": days_since,
            "median_gap": warning.median_gap[sel],
            "silence_ratio": warning.silence[sel],
        }
    )
    if warning.p_alive is not None:
        rows["p_alive"] = warning.p_alive[sel]
    rows["at_risk"] = warning.at_risk[sel]
    return rows


def _bridge_cents(periods: _Periods, status: Any) -> dict[str, int]:
    """The bridge steps in cents: start + new + reactivated + expansion − contraction − lost
    + other = end, exactly."""
    change_cents = periods.end_cents - periods.start_cents

    def total(mask: BoolArray) -> int:
        return int(change_cents[mask].sum())

    retained = status == "retained"
    return {
        "start": int(periods.start_cents.sum()),
        "new": total(status == "new"),
        "reactivated": total(status == "reactivated"),
        "expansion": total(retained & (change_cents > 0)),
        "contraction": -total(retained & (change_cents < 0)),
        "lost": -total(status == "lost"),
        "other": total(periods.has_lines & (status == "inactive")),
        "end": int(periods.end_cents.sum()),
    }


def _summary(
    orders: _Orders,
    periods: _Periods,
    status: Any,
    steps_cents: dict[str, int],
    tables: dict[str, pd.DataFrame],
    warning: _EarlyWarning,
) -> dict[str, Any]:
    counts = {s: int((status[periods.has_lines] == s).sum()) for s in STATUSES}
    start_customers = int((periods.start_cents > 0).sum())
    start_total = steps_cents["start"]
    kept = start_total - steps_cents["contraction"] - steps_cents["lost"]
    losses, early = tables["key_account_losses"], tables["early_warning"]
    summary: dict[str, Any] = {
        "period_start": period_label(periods.start_p, periods.period),
        "period_end": period_label(periods.end_p, periods.period),
        "period_start_complete": periods.start_p < periods.as_of_period,
        "period_end_complete": periods.end_p < periods.as_of_period,
        "as_of": pd.Timestamp(_day_to_iso(orders.as_of_day)),
        "start_customers": start_customers,
        "end_customers": int((periods.end_cents > 0).sum()),
        **{s: counts[s] for s in ("new", "retained", "reactivated", "lost", "inactive")},
        "churn_rate": counts["lost"] / start_customers,
        "retention_rate": counts["retained"] / start_customers,
        "gross_revenue_retention": kept / start_total if start_total > 0 else math.nan,
        "net_revenue_retention": (
            (kept + steps_cents["expansion"]) / start_total if start_total > 0 else math.nan
        ),
        "start_revenue": steps_cents["start"] / 100,
        "end_revenue": steps_cents["end"] / 100,
    }
    summary.update({f"bridge_{step}": steps_cents[step] / 100 for step in BRIDGE_STEPS})
    summary.update(
        {
            "key_accounts_lost": int((losses["status"] == "lost").sum()),
            "key_accounts_declined": int((losses["status"] != "lost").sum()),
            "key_account_revenue_lost": _cents_sum(losses["revenue_lost"]),
            "at_risk_customers": len(early),
            "revenue_at_risk": _cents_sum(early["revenue_at_stake"]),
            "p_alive_status": warning.p_alive_status,
            "p_alive_reason": warning.p_alive_reason,
        }
    )
    return summary


def _params(
    orders: _Orders,
    periods: _Periods,
    compare: Sequence[str] | None,
    as_of: Any,
    thresholds: Sequence[float],
    silence_factor: float,
    warning: _EarlyWarning,
    p_alive_model: str | None,
    p_alive_threshold: float,
    cohort: str,
) -> dict[str, Any]:
    return {
        "period": periods.period,
        "compare": [period_label(p, periods.period) for p in (periods.start_p, periods.end_p)],
        "compare_given": compare is not None,
        "as_of": pd.Timestamp(_day_to_iso(orders.as_of_day)),
        "as_of_rule": "given" if as_of is not None else "day after the last order in the data",
        "thresholds": [float(t) for t in thresholds],
        "silence_factor": float(silence_factor),
        "p_alive_given": warning.p_alive is not None,
        "p_alive_threshold": float(p_alive_threshold),
        "p_alive_model": p_alive_model if warning.p_alive_status != "given" else None,
        # the numbers behind p_alive_reason (customers, repeat customers, the minimums …)
        "p_alive_fit": warning.p_alive_figures,
        "cohort": cohort,
        "bought_rule": "net revenue in the period > 0",
        "tie_rule": "by revenue, then customer id",
        "boundary_rule": "the customer reaching a cut-off belongs to the higher class",
    }


def _check_params(
    period: str,
    thresholds: Sequence[float],
    silence_factor: float,
    p_alive: pd.Series | None,
    p_alive_threshold: float,
    cohort: str | None,
) -> str:
    if period not in PERIODS:
        raise UsageError.said("error.churn.period_choose_one", period=period, periods=', '.join(PERIODS))
    if len(thresholds) != 2 or not 0 < thresholds[0] < thresholds[1] <= 1:
        raise UsageError.said("error.churn.abc_thresholds_give_two", thresholds=list(thresholds))
    if not silence_factor > 0:
        raise UsageError.said("error.churn.silence_factor_must_above", silence_factor=silence_factor)
    if not 0 <= p_alive_threshold <= 1:
        raise UsageError.said("error.churn.p_alive_threshold_must", p_alive_threshold=p_alive_threshold)
    if p_alive is not None and not p_alive.index.is_unique:
        raise UsageError("P(alive) must have one value per customer")
    if cohort is None:
        cohort = "quarter" if period == "year" else period
    if cohort not in COHORTS:
        raise UsageError.said("error.churn.cohort_choose_one", cohort=cohort, cohorts=', '.join(COHORTS))
    return cohort


def _too_few_periods(
    orders: _Orders, period: str, first_p: int, last_p: int, as_of_p: int
) -> AnalysisError:
    periods = range(first_p, last_p + 1)
    complete = sum(1 for p in periods if p < as_of_p)
    listing = [Phrase("phrase.churn.period_complete" if p < as_of_p else "phrase.churn.period_incomplete",
                      {"period": period_label(p, period)}) for p in periods]
    shorter = {"year": "quarter", "quarter": "month"}.get(period)
    compare = {"first": period_label(last_p - 1, period), "last": period_label(last_p, period)}
    several = last_p > first_p
    advice = Phrase("phrase.churn.advice_both", {"shorter": shorter, **compare}) if shorter and several \
        else Phrase("phrase.churn.advice_shorter", {"shorter": shorter}) if shorter \
        else Phrase("phrase.churn.advice_compare", compare) if several else ""
    return AnalysisError.said(
        "error.churn.too_few_periods" if complete == 1 else "error.churn.too_few_periods_n",
        period=Phrase(f"churn.period.{period}"), first=_day_to_iso(int(orders.days.min())),
        last=_day_to_iso(int(orders.days.max())), as_of=_day_to_iso(orders.as_of_day),
        complete=complete, listing=listing, advice=advice)


def _resolve_compare(
    compare: Sequence[str], period: str, per: Int32Array, first_p: int, last_p: int
) -> tuple[int, int]:
    if isinstance(compare, str) or len(compare) != 2:
        raise UsageError.said("error.churn.compare_takes_two_period")
    start_p, end_p = (parse_period_label(label_, period) for label_ in compare)
    if start_p >= end_p:
        raise UsageError.said("error.churn.compare_start_period_must", compare=compare[0],
                              compare2=compare[1])
    for p, text in ((start_p, compare[0]), (end_p, compare[1])):
        if not (per == p).any():
            raise UsageError.said("error.churn.compare_there_are_no", text=text, period=period,
                                  period_label=period_label(first_p, period),
                                  period_label2=period_label(last_p, period))
    return start_p, end_p


def _classes(cents: IntArray, thresholds: Sequence[float]) -> IntArray:
    """Class per customer as a position in _CLASS_CODES (A, B, C, "-" for non-buyers).

    The ABC rule of every analysis (rules.abc_codes) on exact cents: ranked by revenue,
    largest first, ties by code (codes follow the sorted customer ids).
    """
    buyers = np.flatnonzero(cents > 0)
    classes = np.full(len(cents), len(CLASSES), dtype=np.int64)
    ranked = buyers[np.lexsort((buyers, -cents[buyers]))]
    classes[ranked] = abc_codes(cents[ranked], thresholds)
    return classes


def _class_names() -> Any:
    """The class codes as an object array, indexed by class code."""
    return np.array(_CLASS_CODES, dtype=object)


def _rhythm(orders: _Orders, n: int) -> tuple[IntArray, FloatArray]:
    """Last purchase day (_NO_DAY if none) and median gap between purchase days per customer."""
    last_day = np.full(n, _NO_DAY, dtype=np.int64)
    median_gap = np.full(n, np.nan)
    buying = orders.cents > 0  # the rows come sorted by customer, then day
    purchase_rhythm(orders.codes[buying], orders.days[buying], last_day, median_gap)
    return last_day, median_gap


def _to_dates(days: IntArray, dtype: Any) -> pd.Series:
    # _NO_DAY is numpy's NaT, so missing days become NaT
    return pd.Series(days.astype("datetime64[D]")).astype(dtype)


def _cents_sum(values: pd.Series) -> float:
    return int(np.rint(values.to_numpy(np.float64) * 100).sum()) / 100


def _bridge_table(steps_cents: dict[str, int]) -> pd.DataFrame:
    # signed steps for the waterfall: first and last are totals
    signs = {"contraction": -1, "lost": -1}
    shown = [s for s in BRIDGE_STEPS if s != "other" or steps_cents["other"] != 0]
    return pd.DataFrame(
        {
            "step": shown,
            # a code like "step" (kept for scripts that read it); the words are render's
            "step_label": shown,
            "amount": [signs.get(s, 1) * steps_cents[s] / 100 for s in shown],
        }
    )


def _migration(
    start_class: IntArray, end_class: IntArray, start_cents: IntArray, end_cents: IntArray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long table (from, to, customers, revenue) and the matrix of counts."""
    k = len(_CLASS_CODES)
    cell = start_class * k + end_class
    counts = np.bincount(cell, minlength=k * k)
    start_sum = np.rint(np.bincount(cell, weights=start_cents.astype(np.float64), minlength=k * k))
    end_sum = np.rint(np.bincount(cell, weights=end_cents.astype(np.float64), minlength=k * k))
    cells = [i for i in range(k * k) if i != k * k - 1]  # no "-" -> "-": not a customer here
    long = pd.DataFrame(
        {
            "from_class": _class_names()[[i // k for i in cells]],
            "to_class": _class_names()[[i % k for i in cells]],
            "customers": counts[cells].astype(np.int64),
            "start_revenue": start_sum[cells] / 100,
            "end_revenue": end_sum[cells] / 100,
            "change": (end_sum[cells] - start_sum[cells]) / 100,
        }
    )
    grid = counts.reshape(k, k).astype(np.int64)
    matrix = pd.DataFrame(grid, columns=list(_CLASS_CODES))
    matrix.insert(0, "from_class", _class_names())
    matrix["customers"] = grid.sum(axis=1)
    return long, matrix


def _key_account_losses(rows: pd.DataFrame) -> pd.DataFrame:
    fell = rows[(rows["start_class"] == "A") & (rows["end_class"] != "A")]
    table = pd.DataFrame(
        {
            "customer": fell["customer"],
            "status": fell["status"],
            "end_class": fell["end_class"],
            "start_revenue": fell["start_revenue"],
            "end_revenue": fell["end_revenue"],
            "revenue_lost": np.round(fell["start_revenue"] - fell["end_revenue"], 2),
        }
    )
    return table.sort_values(
        ["revenue_lost", "start_revenue", "customer"], ascending=[False, False, True],
        kind="mergesort",
    ).reset_index(drop=True)


def _early_warning(rows: pd.DataFrame, with_p_alive: bool) -> pd.DataFrame:
    risky = rows[rows["at_risk"]]
    columns = ["customer", "status", "end_class", "revenue_at_stake", "last_date",
               "days_since_last", "median_gap", "silence_ratio"]
    if with_p_alive:
        columns.append("p_alive")
    table = risky.rename(columns={"end_revenue": "revenue_at_stake"})[columns]
    return table.sort_values(
        ["revenue_at_stake", "silence_ratio", "customer"], ascending=[False, False, True],
        na_position="last", kind="mergesort",
    ).reset_index(drop=True)


def _cohort_table(orders: _Orders, cohort: str) -> pd.DataFrame:
    """Share of each first-order cohort that bought in each later complete period."""
    k = MONTHS_PER[cohort]
    with_lines = np.flatnonzero(orders.first_day != _NO_DAY)
    cohort_of = np.full(len(orders.first_day), -1, dtype=np.int64)
    cohort_of[with_lines] = _months_of_days(orders.first_day[with_lines]) // k
    c0 = int(cohort_of[with_lines].min())
    last_complete = int(period_of_days(orders.as_of_day, cohort)) - 1
    width = last_complete - c0 + 1
    if width <= 0:
        return pd.DataFrame({"cohort": pd.Series([], dtype=object),
                             "customers": pd.Series([], dtype=np.int64)})
    # rows are sorted by customer then day, so each (customer, period) is one run
    code, per = orders.codes, orders.months // k
    starts = np.flatnonzero(np.r_[True, (code[1:] != code[:-1]) | (per[1:] != per[:-1])])
    net = np.add.reduceat(orders.cents, starts)
    run_code, run_per = code[starts], per[starts]
    bought = (net > 0) & (run_per <= last_complete)
    first = cohort_of[run_code[bought]] - c0
    offset = run_per[bought] - c0 - first
    counts = np.bincount(first * width + offset, minlength=width * width).reshape(width, width)
    sizes = np.bincount(cohort_of[with_lines] - c0, minlength=width)[:width]
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = counts / sizes[:, None]
    offsets = np.arange(width)
    shares[offsets[:, None] + offsets[None, :] >= width] = np.nan
    table = pd.DataFrame(shares, columns=[f"+{o}" for o in offsets])
    table.insert(0, "customers", sizes.astype(np.int64))
    table.insert(0, "cohort", [period_label(c0 + i, cohort) for i in range(width)])
    return table[table["customers"] > 0].reset_index(drop=True)
