"""Predicted against actual repeat purchases in a holdout period after the calibration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kamtool.analyses.clv import bgnbd
from kamtool.analyses.clv.models import PurchaseModel
from kamtool.errors import UsageError


@dataclass
class HoldoutComparison:
    """Predicted vs actual repeat purchases in a holdout period."""

    by_frequency: pd.DataFrame  # calibration_frequency, customers, actual/predicted means, totals
    customers: pd.DataFrame  # customer, holdout_actual, holdout_predicted
    actual_total: float
    predicted_total: float
    duration: float


def holdout_comparison(
    summary: pd.DataFrame,
    fit: Any,
    *,
    actual: pd.Series | None = None,
    duration: float | None = None,
    max_frequency: int = 7,
    model: PurchaseModel = bgnbd,
) -> HoldoutComparison:
    """Compare a purchase model's prediction with the repeat purchases that happened.

    Parameters
    ----------
    summary : DataFrame
        The calibration summary: customer, frequency, recency, T, and unless ``actual``
        and ``duration`` are given, holdout_purchases and holdout_duration (as made by
        ``customer_summary(..., observation_end=...)``).
    fit
        Parameters of ``model`` fitted on the calibration period.
    actual : Series, optional
        Purchases per customer in the holdout, indexed by customer (missing = 0).
    duration : float, optional
        Holdout length in the summary's unit.
    max_frequency : int
        Calibration frequencies from this one up share the last group ("7+").
    model : purchase model module
        Default BG/NBD.
    """
    if actual is None:
        if "holdout_purchases" not in summary.columns:
            raise UsageError("holdout_comparison needs actual holdout purchases")
        actual_values = summary["holdout_purchases"].to_numpy(dtype=np.float64)
    else:
        actual_values = actual.reindex(summary["customer"]).fillna(0).to_numpy(dtype=np.float64)
    if duration is None:
        if "holdout_duration" not in summary.columns or summary.empty:
            raise UsageError("holdout_comparison needs the holdout duration")
        duration = float(summary["holdout_duration"].iloc[0])
    predicted = model.expected_purchases(
        fit, duration, summary["frequency"], summary["recency"], summary["T"]
    )
    per_customer = pd.DataFrame(
        {
            "customer": summary["customer"].to_numpy(),
            "holdout_actual": actual_values,
            "holdout_predicted": predicted,
        }
    )
    group = np.minimum(summary["frequency"].to_numpy(dtype=np.int64), max_frequency)
    return HoldoutComparison(
        by_frequency=_by_frequency(group, actual_values, predicted, max_frequency),
        customers=per_customer,
        actual_total=float(actual_values.sum()),
        predicted_total=float(predicted.sum()),
        duration=duration,
    )


def _by_frequency(group: Any, actual: Any, predicted: Any, max_frequency: int) -> pd.DataFrame:
    frame = pd.DataFrame({"group": group, "actual": actual, "predicted": predicted})
    agg = frame.groupby("group").agg(
        customers=("actual", "size"),
        actual_purchases=("actual", "mean"),
        predicted_purchases=("predicted", "mean"),
        actual_total=("actual", "sum"),
        predicted_total=("predicted", "sum"),
    )
    names = [f"{g}+" if g == max_frequency else str(g) for g in agg.index]
    table = agg.reset_index(drop=True)
    table.insert(0, "calibration_frequency", names)
    table["customers"] = table["customers"].astype(np.int64)
    return table
