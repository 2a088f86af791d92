"""Diagnostics of a purchase model's fit, as tables: tracking over time, P(alive) by
frequency × recency.

The tracking table is Fader & Hardie's check of a fitted model: per period, the actual
cumulative repeat purchases of the calibration customers against what the model expects,
Σ_i E[X(t − t0_i)] over customers whose first purchase t0_i is before t, across the
calibration period and the holdout. The P(alive) matrix is the mean P(alive) of the
customers in each cell of repeat purchases × recency.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kamtool.analyses.clv.fit import FloatArray, IntArray
from kamtool.analyses.clv.models import PurchaseModel

# Frequencies from this one up share the last row of the P(alive) matrix ("10+").
MATRIX_MAX_FREQUENCY = 10
MATRIX_RECENCY_BINS = 8


def tracking(
    model: PurchaseModel,
    fit: Any,
    first_days: IntArray,
    repeat_days: IntArray,
    *,
    calibration_end: int,
    end: int,
    unit_days: float,
    period_days: int,
) -> pd.DataFrame:
    """Actual against expected cumulative repeat purchases per period.

    Parameters
    ----------
    first_days : int array
        Each calibration customer's first purchase day (days since 1970-01-01).
    repeat_days : int array
        The day of every repeat purchase of those customers up to ``end``.
    calibration_end, end : int
        Last day of the calibration period and of the table (the holdout end, or the
        calibration end without a holdout).
    unit_days : float
        Length of the model's time unit in days.
    period_days : int
        Length of a period of the table (7 or 30 days).

    Returns
    -------
    DataFrame
        period_end (date), phase ("calibration" or "holdout"), actual, expected (repeat
        purchases in the period), actual_cumulative, expected_cumulative. The last period
        of each phase ends on its last day.
    """
    start = int(first_days.min())
    ends = list(range(start + period_days, calibration_end, period_days)) + [calibration_end]
    if end > calibration_end:
        ends += list(range(calibration_end + period_days, end, period_days)) + [end]
    period_end = np.array(ends, dtype=np.int64)
    ages = np.arange(int(end - start) + 1)
    # E[X(age)] per whole day of age, once; every period end reads it per cohort day.
    expected_at = np.array([model.expected_repeat_purchases(fit, a / unit_days) for a in ages])
    cohort, counts = np.unique(first_days, return_counts=True)
    age = period_end[:, None] - cohort[None, :]
    contribution = np.where(age > 0, expected_at[np.clip(age, 0, len(ages) - 1)], 0.0)
    expected_cum: FloatArray = contribution @ counts.astype(np.float64)
    actual_cum = np.searchsorted(np.sort(repeat_days), period_end, side="right").astype(np.int64)
    return pd.DataFrame(
        {
            "period_end": pd.to_datetime(period_end.astype("datetime64[D]")),
            "phase": np.where(period_end <= calibration_end, "calibration", "holdout"),
            "actual": np.diff(actual_cum, prepend=0),
            "expected": np.diff(expected_cum, prepend=0.0),
            "actual_cumulative": actual_cum,
            "expected_cumulative": expected_cum,
        }
    )


def p_alive_matrix(
    frequency: FloatArray, recency: FloatArray, T: FloatArray, p_alive: FloatArray
) -> pd.DataFrame:
    """Mean P(alive) by repeat purchases (0 … 9, "10+") × recency bin (NaN for an empty cell).

    Recency is cut into ``MATRIX_RECENCY_BINS`` equal bins from 0 to the largest T:
    column recency_k covers [(k − 1)·w, k·w), w = max T / bins, the last one closed.
    """
    top = MATRIX_MAX_FREQUENCY
    group = np.minimum(frequency.astype(np.int64), top)
    width = float(T.max()) / MATRIX_RECENCY_BINS if len(T) and T.max() > 0 else 1.0
    rbin = np.minimum((recency / width).astype(np.int64), MATRIX_RECENCY_BINS - 1)
    frame = pd.DataFrame({"group": group, "bin": rbin, "p": p_alive})
    mean = frame.groupby(["group", "bin"])["p"].mean().unstack("bin")
    mean = mean.reindex(columns=range(MATRIX_RECENCY_BINS))
    mean.columns = [f"recency_{k + 1}" for k in range(MATRIX_RECENCY_BINS)]
    names = [f"{g}+" if g == top else str(g) for g in mean.index]
    table = mean.reset_index(drop=True)
    table.insert(0, "frequency", names)
    return table


def recency_bin_width(T: FloatArray) -> float:
    """The width of a recency bin of :func:`p_alive_matrix`, in the summary's unit."""
    return float(T.max()) / MATRIX_RECENCY_BINS if len(T) and T.max() > 0 else 1.0


# Repeat counts from this one up share the last row of the repeat-count table ("7+").
COUNTS_MAX_FREQUENCY = 7


def repeat_counts(model: PurchaseModel, fit: Any, frequency: FloatArray, T: FloatArray) -> pd.DataFrame:
    """Observed against expected number of customers by repeat purchases in calibration.

    Expected: Σ_i P(X(T_i) = k) over customers (each observed for its own T_i), by the
    model's ``count_probabilities``; the last row ("7+") takes the rest of each customer's
    probability. Columns: frequency, customers, expected_customers.
    """
    top = COUNTS_MAX_FREQUENCY
    ages, inverse = np.unique(T, return_inverse=True)
    probabilities = model.count_probabilities(fit, ages, top)
    weights = np.bincount(inverse.ravel(), minlength=len(ages)).astype(np.float64)
    expected = weights @ probabilities
    expected = np.r_[expected, len(T) - expected.sum()]
    observed = np.bincount(np.minimum(frequency.astype(np.int64), top), minlength=top + 1)
    return pd.DataFrame(
        {
            "frequency": [*(str(k) for k in range(top)), f"{top}+"],
            "customers": observed.astype(np.int64),
            "expected_customers": expected,
        }
    )
