"""Rules several analyses share, written once: the ABC cut-off, periods, the as-of date.

Every analysis that classes entities by cumulative share (abc, pareto, churn, tiers …)
calls :func:`abc_codes`; every analysis that cuts time into months, quarters or years
calls the period helpers; every analysis with a "today" calls :func:`as_of_day`.
Two copies of a rule drift: the ABC cut-off written once on floats with a tolerance and
once on exact cents put the same customer in two classes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from kamtool.errors import DataError, UsageError
from kamtool.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]
else:
    np = lazy_module("numpy")  # the command line reads analyses before numpy is needed

PERIODS = ("month", "quarter", "year")
MONTHS_PER = {"month": 1, "quarter": 3, "year": 12}
EPOCH_YEAR = 1970  # period ordinals count from January 1970, numpy's month epoch

CUMULATIVE_RULE = "the entity whose cumulative share first reaches a cut-off is in the higher class"
# Money is compared in cents, counts as they are, quantities in millionths: whole numbers,
# so a cut-off is exact and no tolerance decides a boundary.
UNITS = {"revenue": 100, "profit": 100, "amount": 100, "orders": 1, "quantity": 1_000_000}


# ------------------------------------------------------------------------------- the ABC rule


def whole_units(values: Any, measure: str = "revenue") -> IntArray:
    """Values of ``measure`` as whole numbers of its unit (cents for money), rounded."""
    scale = UNITS.get(measure, 100)
    array = np.asarray(values)
    if np.issubdtype(array.dtype, np.integer) and scale == 1:
        return array.astype(np.int64)
    return np.rint(array.astype(np.float64) * scale).astype(np.int64)


def cumulative_limits(total: int, thresholds: Sequence[float]) -> list[int]:
    """For whole-number values summing to ``total``: entity i is in the class of cut-off t
    while the sum before it is < limit, limit = ceil(t × total) (t read as a decimal, so 0.8
    is exactly 4/5)."""
    return [math.ceil(Fraction(str(float(t))) * int(total)) for t in thresholds]


def reach_count(units_desc: IntArray, cut: float) -> int:
    """The fewest leading entities whose cumulative value reaches ``cut`` of the total.

    ``units_desc``: positive whole-number values (see :func:`whole_units`), largest first.
    The entity that crosses the cut-off is included; the first entity always is.
    """
    if len(units_desc) == 0:
        return 0
    cumulative = np.cumsum(units_desc, dtype=np.int64)
    before = cumulative - units_desc
    (limit,) = cumulative_limits(int(cumulative[-1]), [cut])
    return max(1, int(np.count_nonzero(before < limit)))


def ceil_count(share: float, n: int) -> int:
    """``ceil(share × n)`` capped at ``n``, with ``share`` read as a decimal (0.1 × 30 = 3)."""
    return min(n, math.ceil(Fraction(str(float(share))) * n))


def abc_codes(units_desc: IntArray, thresholds: Sequence[float]) -> npt.NDArray[np.int8]:
    """ABC class codes 0 = A, 1 = B, 2 = C of positive values in rank order (largest first,
    ties already ordered), by cumulative share cut-offs ``thresholds`` (e.g. 0.8, 0.95)."""
    n = len(units_desc)
    if n == 0:
        return np.zeros(0, dtype=np.int8)
    a_count = reach_count(units_desc, thresholds[0])
    ab_count = max(a_count, reach_count(units_desc, thresholds[1]))
    position = np.arange(n)
    return np.where(position < a_count, 0, np.where(position < ab_count, 1, 2)).astype(np.int8)


def rank_codes(n: int, shares: Sequence[float]) -> npt.NDArray[np.int8]:
    """Class codes of ``n`` ranked entities: the first ceil(shares[0] × n) are 0, the first
    ceil((shares[0] + shares[1]) × n) are 0 or 1, the rest 2 (the key / general / small split)."""
    a_count = ceil_count(shares[0], n)
    ab_count = ceil_count(float(Fraction(str(float(shares[0]))) + Fraction(str(float(shares[1])))), n)
    position = np.arange(n)
    return np.where(position < a_count, 0, np.where(position < ab_count, 1, 2)).astype(np.int8)


# ------------------------------------------------------------------------------------- periods


def check_period(period: str) -> str:
    if period not in PERIODS:
        raise UsageError.said("error.rules.period_takes_one_got", periods=', '.join(PERIODS), period=period)
    return period


def period_of_days(days: Any, period: str) -> IntArray:
    """Period ordinals (months, quarters or years since January 1970) of day numbers
    (days since 1970-01-01); consecutive periods differ by one."""
    months = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months // MONTHS_PER[period]


def period_start_day(p: int, period: str) -> int:
    """First day of period ordinal ``p`` as days since 1970-01-01."""
    month = np.datetime64(int(p) * MONTHS_PER[period], "M")
    return int(month.astype("datetime64[D]").astype(np.int64))


def period_label(p: int, period: str) -> str:
    """2024, 2024Q1 or 2024-03: the label of period ordinal ``p`` (a code, the same in every
    language)."""
    p = int(p)
    if period == "year":
        return f"{p + EPOCH_YEAR}"
    if period == "quarter":
        return f"{p // 4 + EPOCH_YEAR}Q{p % 4 + 1}"
    return f"{p // 12 + EPOCH_YEAR}-{p % 12 + 1:02d}"


def parse_period_label(text: str, period: str, option: str = "--compare") -> int:
    """The ordinal of a period label written by a user; its kind must match ``period``."""
    import re

    raw = str(text).strip()
    t = raw.upper().replace(" ", "")
    kind: str | None = None
    ordinal = 0
    if m := re.fullmatch(r"(\d{4})-?Q([1-4])", t):
        kind, ordinal = "quarter", (int(m[1]) - EPOCH_YEAR) * 4 + int(m[2]) - 1
    elif (m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})", t)) and 1 <= int(m[2]) <= 12:
        kind, ordinal = "month", (int(m[1]) - EPOCH_YEAR) * 12 + int(m[2]) - 1
    elif m := re.fullmatch(r"(\d{4})", t):
        kind, ordinal = "year", int(m[1]) - EPOCH_YEAR
    if kind is None:
        raise UsageError.said("error.rules.not_period_label_write", option=option, raw=raw)
    if kind != period:
        raise UsageError.said("error.rules.but_period_add_period", option=option, raw=raw, kind=kind,
                              period=period)
    return ordinal


# -------------------------------------------------------------------------------- the as-of day

AS_OF_RULE = "the day after the last order in the data, unless --as-of is given"


def day_number(stamp: Any) -> int:
    """A date or Timestamp as days since 1970-01-01."""
    return int(np.datetime64(stamp, "D").astype(np.int64))


def as_of_day(as_of: Any, last_day: int | None) -> int | None:
    """"Today" for recency and churn as days since 1970-01-01: ``as_of`` when given (a date,
    Timestamp or day number), else the day after ``last_day`` (the last order); None when
    there is neither."""
    if as_of is not None:
        if isinstance(as_of, int | np.integer):
            return int(as_of)
        return day_number(as_of_timestamp(as_of))
    if last_day is not None and int(last_day) >= LAST_CALENDAR_DAY:
        # the day after 9999-12-31 is no date a report can print (NotImplementedError in pandas)
        raise DataError.said("error.rules.last_order_date_column",
                             datetime64=np.datetime64(int(last_day), 'D'))
    return None if last_day is None else int(last_day) + 1


# 9999-12-31 as days since 1970-01-01: the last day Python's dates (and a report) can hold.
LAST_CALENDAR_DAY = 2_932_896


def as_of_timestamp(value: Any, what: str = "--as-of") -> Any:
    """A user's date (string, date, Timestamp) as a naive midnight pandas Timestamp.

    Raises UsageError naming the option when the value is not a date.
    """
    import pandas as pd

    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise UsageError.said("error.not_a_date", option=what, value=repr(value)) from exc
    if pd.isna(stamp):
        raise UsageError.said("error.not_a_date", option=what, value=repr(value))
    return stamp.tz_localize(None).normalize() if stamp.tzinfo else stamp.normalize()


# ------------------------------------------------------------------------- runs of sorted keys


def runs(sorted_keys: Any) -> tuple[IntArray, IntArray]:
    """Start index of each run of equal keys, and the run number of every element."""
    new = np.empty(len(sorted_keys), dtype=bool)
    new[:1] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=new[1:])
    run = np.cumsum(new, dtype=np.int64)
    run -= 1
    return np.flatnonzero(new), run


def purchase_rhythm(code: Any, day: Any, last: Any, median_gap: Any) -> None:
    """Fill each customer's last purchase day (``last``) and median gap in days between its
    purchase days (``median_gap``), both indexed by customer code, from rows sorted by
    customer, then day, one row per purchase day (churn's and stages' rhythm)."""
    if not len(code):
        return
    same = code[1:] == code[:-1]
    is_last = np.append(~same, True)
    last[code[is_last]] = day[is_last]
    del is_last
    gaps = np.diff(day)[same]  # one customer-day array at a time beside the caller's two
    gap_code = code[1:][same]
    del code, day, same  # (a caller's temporaries go here: each a customer-day array)
    if not len(gaps):
        return
    # the median per customer without a group-by: sort the gaps within each customer, then
    # take the middle one or two of each run (in place: the gap codes' own int64 array becomes
    # the sort key; int64 as codes × width passes 2**31 on int32 codes)
    starts = np.flatnonzero(np.r_[True, gap_code[1:] != gap_code[:-1]])
    who = gap_code[starts]
    sizes = np.diff(np.r_[starts, len(gaps)])
    width = int(gaps.max()) + 1
    ordered = gap_code.astype(np.int64, copy=False)  # a new array of its own (a mask's copy)
    del gap_code
    ordered *= width
    ordered += gaps
    del gaps
    ordered.sort()
    ordered %= width
    median_gap[who] = (ordered[starts + (sizes - 1) // 2] + ordered[starts + sizes // 2]) / 2


# ------------------------------------------------------------------------- ids as integer codes


def sorted_codes(column: Any) -> tuple[IntArray, Any]:
    """``pd.factorize(column, sort=True)`` (codes as int64, -1 for a missing id; the distinct
    values in text order), by comparing neighbours when the rows come grouped by value and in
    text order, as the ledger's frames do: a 4.8M-row column of 200k customer ids compared
    row by row costs a fraction of hashing every row. Any other column is factorized."""
    import pandas as pd

    rows = _text_rows(column)
    if rows is not None:
        import pyarrow.compute as pc

        same = pc.equal(rows.slice(0, len(rows) - 1), rows.slice(1)).to_numpy(zero_copy_only=False)
        starts = np.flatnonzero(np.r_[True, ~same])
        heads = _take_rows(rows, starts)
        if bool(pc.all(pc.less(heads.slice(0, len(heads) - 1), heads.slice(1))).as_py() is not False):
            codes = np.zeros(len(rows), dtype=np.int64)
            np.cumsum(~same, out=codes[1:])  # a new value starts a new code
            return codes, pd.Index(column.dtype.__from_arrow__(heads))
    codes, uniques = pd.factorize(column, sort=True)
    return codes.astype(np.int64, copy=False), uniques


def _text_rows(column: Any) -> Any:
    """The Arrow string array behind a pandas text Series of two rows or more without a
    missing value; None for any other column."""
    import pandas as pd
    import pyarrow as pa

    if not isinstance(column, pd.Series) or len(column) < 2 or not isinstance(column.dtype, pd.StringDtype):
        return None
    if column.dtype.storage != "pyarrow":
        return None
    # the Arrow data itself, no copy: its chunks are compared as they are (combined, a 4.8M-row
    # column of ids was a copy of the text held by Arrow's pool after the codes were made)
    rows = pa.array(column.array)
    if rows.null_count or not (pa.types.is_string(rows.type) or pa.types.is_large_string(rows.type)):
        return None
    return rows


def _take_rows(rows: Any, positions: IntArray) -> Any:
    """``rows.take(positions)`` for ascending ``positions``, chunk by chunk: Arrow's take on a
    chunked array first combines its chunks (a 4.8M-row column of ids: 70 MiB copied to take
    200k of them)."""
    import pyarrow as pa

    if not isinstance(rows, pa.ChunkedArray):
        return rows.take(pa.array(positions))
    bounds = np.cumsum([0, *(len(chunk) for chunk in rows.chunks)])
    cuts = np.searchsorted(positions, bounds)
    pieces = [chunk.take(pa.array(positions[lo:hi] - start))
              for chunk, start, lo, hi in zip(rows.chunks, bounds, cuts[:-1], cuts[1:], strict=False)
              if hi > lo]
    return pa.chunked_array(pieces, type=rows.type)
