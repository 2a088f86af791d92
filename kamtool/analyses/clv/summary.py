"""The per-customer summary every purchase model reads: frequency, recency, T, monetary.

The lifetimes / CLVTools convention: a purchase is a customer-day with net revenue >= 0
(same-day orders merged, days of net returns dropped); frequency counts repeat purchase
days, recency the time from the first to the last, T the time from the first to the
calibration end, monetary the mean revenue of the repeat days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kamtool.analyses.clv.fit import FitError, FloatArray, IntArray
from kamtool.analyses.rules import as_of_timestamp, day_number, sorted_codes
from kamtool.errors import AnalysisError, ColumnError, UsageError

UNIT_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 365.25 / 12}
DAYS_PER_YEAR = 365.25
# One year ahead unless the caller says otherwise.
DEFAULT_HORIZON: dict[str, int] = {"day": 365, "week": 52, "month": 12}


@dataclass
class CustomerSummary:
    """The per-customer input of the models and how it was cut.

    ``frame`` has one row per customer with a purchase on or before the calibration end,
    sorted by customer: customer, frequency (int), recency, T, monetary, first_date,
    last_date, and with an observation end also holdout_purchases (int, purchase days
    after the calibration end up to the observation end) and holdout_duration.
    """

    frame: pd.DataFrame
    unit: str
    calibration_end: pd.Timestamp
    observation_end: pd.Timestamp | None
    data_end: pd.Timestamp  # the last purchase day anywhere in the input
    excluded_after_calibration: int  # first purchase after the calibration end
    returns_only: int  # customers without any day of net revenue >= 0
    # Day numbers (days since 1970-01-01) of every repeat purchase of the customers in
    # ``frame`` up to the observation end (the calibration end without one), for tracking.
    repeat_days: IntArray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)


def unit_days(unit: str) -> float:
    """Days in one time unit ("day", "week", "month")."""
    try:
        return UNIT_DAYS[unit]
    except KeyError:
        raise UsageError.said("error.summary.unit_not_one_pick", unit=unit,
                              unit_days=', '.join(UNIT_DAYS)) from None


def day_of(value: Any, name: str) -> int:
    """A user's date (calibration end, holdout end) as days since 1970-01-01."""
    return day_number(as_of_timestamp(value, name))


def day_timestamp(day: int) -> pd.Timestamp:
    return pd.Timestamp(np.datetime64(int(day), "D"))


def _days_to_datetimes(days: IntArray) -> pd.Series:
    return pd.Series(days.astype("datetime64[D]").astype("datetime64[ns]"))


@dataclass
class PurchaseDays:
    """One entry per customer-day with net revenue >= 0, sorted by customer then day."""

    customers: np.ndarray[Any, Any]  # sorted customer ids; position = code
    codes: IntArray
    days: IntArray
    revenue: FloatArray
    has_purchase: np.ndarray[Any, np.dtype[np.bool_]]  # per customer code

    @classmethod
    def of_cents(cls, customers: Any, codes: Any, days: Any, cents: IntArray) -> PurchaseDays:
        """The purchase days of coded customer-days (one per customer and day, sorted by
        customer then day; ``cents`` their net revenue in cents): those with net revenue >= 0,
        as :func:`customer_summary` keeps them from a daily frame, without its frame (churn
        hands over its own coded days)."""
        purchase = cents >= 0
        codes, days = _kept(codes, purchase), _kept(days, purchase)
        revenue = _kept(cents, purchase) / 100
        if len(codes) == 0:
            raise FitError.said_with("error.summary.no_purchase", {}, "no_purchase")
        return cls(np.asarray(customers), codes, days, revenue,
                   np.bincount(codes, minlength=len(customers)) > 0)


def _sorted_by_customer_and_day(codes: IntArray, day: IntArray) -> bool:
    """Whether the rows are in (customer, day) order already (by comparisons of neighbours:
    a difference of each column would be two more arrays of 64-bit numbers)."""
    ahead, same = codes[1:] > codes[:-1], codes[1:] == codes[:-1]
    return bool((ahead | (same & (day[1:] >= day[:-1]))).all())


def _kept(column: np.ndarray[Any, Any], keep: np.ndarray[Any, np.dtype[np.bool_]]) -> np.ndarray[Any, Any]:
    """The rows of ``column`` that ``keep`` marks; the column itself when it keeps every row (a
    copy of 4.8M customer-days, 10M lines, is 37 MiB a column)."""
    return column if keep.all() else column[keep]


def _purchase_days(daily: pd.DataFrame) -> PurchaseDays:
    missing = [c for c in ("customer", "date", "revenue") if c not in daily.columns]
    if missing:
        raise ColumnError(f"clv needs the columns {', '.join(missing)} in the daily frame")
    # The three columns one by one: a frame of them would copy every column (10M-line file:
    # 4.8M customer-days), and a copy of each only when a row has no date.
    customer, date, revenue_column = daily["customer"], daily["date"], daily["revenue"]
    dated = date.notna()
    if not dated.all():
        customer, date, revenue_column = customer[dated], date[dated], revenue_column[dated]
    codes, uniques = sorted_codes(customer)  # the ledger's rows come by customer: neighbours compared
    day = pd.to_datetime(date).to_numpy().astype("datetime64[D]").view(np.int64)
    revenue = revenue_column.to_numpy(dtype=np.float64)
    if not _sorted_by_customer_and_day(codes, day):
        # The engine's ledger comes sorted; a sort of 4.8M customer-days took 0.8 s.
        order = np.lexsort((day, codes))
        codes, day, revenue = codes[order], day[order], revenue[order]
    if len(codes):
        new_day = np.r_[True, (codes[1:] != codes[:-1]) | (day[1:] != day[:-1])]
        if not new_day.all():
            starts = np.flatnonzero(new_day)
            revenue = np.add.reduceat(revenue, starts)
            codes, day = codes[starts], day[starts]
    purchase = revenue >= 0  # NaN revenue is no purchase either
    # one column at a time, each old one freed before the next copy
    codes = _kept(codes, purchase)
    day = _kept(day, purchase)
    revenue = _kept(revenue, purchase)
    has_purchase = np.bincount(codes, minlength=len(uniques)) > 0
    if len(codes) == 0:
        raise FitError.said_with("error.summary.no_purchase", {}, "no_purchase")
    return PurchaseDays(np.asarray(uniques), codes, day, revenue, has_purchase)


def _calibration_frame(days: PurchaseDays, cal_day: int, unit_length: float) -> pd.DataFrame:
    """The summary columns of the customers with a purchase on or before ``cal_day``."""
    in_cal = days.days <= cal_day
    c_codes, c_day, c_rev = (_kept(column, in_cal) for column in (days.codes, days.days, days.revenue))
    if len(c_codes) == 0:
        raise FitError.said_with(
            "error.summary.no_purchase_in_calibration", {"date": day_timestamp(cal_day).date()},
            "no_purchase_in_calibration",
        )
    n_all = len(days.customers)
    counts = np.bincount(c_codes, minlength=n_all)
    keep = counts > 0
    boundary = c_codes[1:] != c_codes[:-1]
    first_rows = np.r_[True, boundary]
    first = c_day[first_rows]
    last = c_day[np.r_[boundary, True]]
    total = np.bincount(c_codes, weights=c_rev, minlength=n_all)[keep]
    frequency = (counts[keep] - 1).astype(np.int64)
    monetary = np.where(frequency > 0, (total - c_rev[first_rows]) / np.maximum(frequency, 1), 0.0)
    return pd.DataFrame(
        {
            "customer": days.customers[keep],
            "frequency": frequency,
            "recency": (last - first) / unit_length,
            "T": (cal_day - first) / unit_length,
            "monetary": monetary,
            "first_date": _days_to_datetimes(first),
            "last_date": _days_to_datetimes(last),
        }
    )


def customer_summary(
    daily: pd.DataFrame | PurchaseDays,
    *,
    calibration_end: Any = None,
    unit: str = "week",
    observation_end: Any = None,
) -> CustomerSummary:
    """Frequency, recency, T and monetary per customer (lifetimes / CLVTools convention).

    Parameters
    ----------
    daily : DataFrame
        One row per customer and order date with columns customer, date, revenue (net).
        Rows of one customer and day are merged if the frame has duplicates.  Or the purchase
        days already coded (:meth:`PurchaseDays.of_cents`).
    calibration_end : date-like, optional
        Last day (inclusive) of the calibration period. Default: the last purchase day
        in the data.
    unit : {"day", "week", "month"}
        Time unit of recency, T and holdout_duration: 1, 7 or 365.25 / 12 days.
    observation_end : date-like, optional
        Last day (inclusive) of a holdout period after ``calibration_end``; adds the
        columns holdout_purchases and holdout_duration. Needs ``calibration_end``.

    Returns
    -------
    CustomerSummary
        A purchase is a customer-day with net revenue >= 0; days with net returns are
        dropped first. frequency = distinct purchase days in the calibration period − 1;
        recency = last − first purchase; T = calibration_end − first purchase;
        monetary = mean revenue of the repeat purchase days (the first day excluded),
        0 when frequency is 0. Customers whose first purchase is after the calibration
        end are left out and counted.
    """
    unit_length = unit_days(unit)
    if observation_end is not None and calibration_end is None:
        raise UsageError.said("error.summary.holdout_end_needs_calibration")
    days = daily if isinstance(daily, PurchaseDays) else _purchase_days(daily)
    data_end = int(days.days.max())
    cal_day = data_end if calibration_end is None else day_of(calibration_end, "calibration end")
    out = _calibration_frame(days, cal_day, unit_length)
    keep = np.bincount(_kept(days.codes, days.days <= cal_day), minlength=len(days.customers)) > 0
    obs_stamp: pd.Timestamp | None = None
    if observation_end is not None:
        obs_day = day_of(observation_end, "holdout end")
        if obs_day <= cal_day:
            raise UsageError.said("error.summary.holdout_end_must_after", date=day_timestamp(obs_day).date(),
                                  date2=day_timestamp(cal_day).date())
        in_holdout = (days.days > cal_day) & (days.days <= obs_day)
        holdout = np.bincount(days.codes[in_holdout], minlength=len(days.customers))
        out["holdout_purchases"] = holdout[keep].astype(np.int64)
        out["holdout_duration"] = (obs_day - cal_day) / unit_length
        obs_stamp = day_timestamp(obs_day)
    end_day = cal_day if observation_end is None else obs_day
    mine = keep[days.codes] & (days.days <= end_day)
    mine_codes, mine_days = _kept(days.codes, mine), _kept(days.days, mine)
    first_row = np.r_[True, mine_codes[1:] != mine_codes[:-1]] if len(mine_codes) else np.zeros(0, bool)
    return CustomerSummary(
        repeat_days=mine_days[~first_row].astype(np.int64, copy=False),
        frame=out,
        unit=unit,
        calibration_end=day_timestamp(cal_day),
        observation_end=obs_stamp,
        data_end=day_timestamp(data_end),
        excluded_after_calibration=int((days.has_purchase & ~keep).sum()),
        returns_only=int(len(days.customers) - days.has_purchase.sum()),
    )


# ------------------------------------------------------------ checks every model's input passes


def as_float(values: Any, name: str) -> FloatArray:
    """A 1-d float array with no missing or infinite value."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        arr = arr.ravel()
    if not np.isfinite(arr).all():
        raise AnalysisError(f"{name} has missing or infinite values")
    return arr


def check_summary(frequency: Any, recency: Any, T: Any) -> tuple[FloatArray, FloatArray, FloatArray]:
    """frequency, recency and T as float arrays, checked to be a valid summary."""
    x = as_float(frequency, "frequency")
    tx = as_float(recency, "recency")
    t_cal = as_float(T, "T")
    if not (len(x) == len(tx) == len(t_cal)):
        raise AnalysisError("frequency, recency and T must have one value per customer")
    if (x < 0).any() or (x != np.round(x)).any():
        raise AnalysisError("frequency must be a whole number >= 0 for every customer")
    tol = 1e-9 * max(1.0, float(t_cal.max(initial=0.0)))
    if (tx < 0).any() or (tx > t_cal + tol).any() or ((x > 0) & (tx <= 0)).any():
        raise AnalysisError("recency must lie in (0, T] for repeat customers and be 0 otherwise")
    return x, tx, t_cal
