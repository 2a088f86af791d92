"""Which purchase model: BG/NBD, MBG/NBD or Pareto/NBD.

With a holdout period every model is fitted on the calibration period and the one whose
predicted total of repeat purchases in the holdout is closest to what happened is kept
(the check analysts run by hand, and the one Fader, Hardie & Lee report). Without one,
the best log-likelihood: the three models have four parameters each, so that is also
the best AIC; should models with different parameter counts be compared, AIC decides.
A tie in log-likelihood (up to rounding) goes to the model with fewer parameters
estimated: one that reached a limit says the same with less.
A model whose fit fails is listed with its reason and left out.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kamtool.analyses.clv.fit import FloatArray
from kamtool.analyses.clv.models import PURCHASE_MODELS as MODELS
from kamtool.analyses.clv.regimes import LIMIT_LL_TOLERANCE
from kamtool.analyses.clv.summary import check_summary
from kamtool.errors import AnalysisError, Joined, Phrase, UsageError


@dataclass(frozen=True)
class ModelChoice:
    """The chosen model, why, and every model's figures side by side.

    ``table``: model, boundary, log_likelihood, parameters (the number estimated: 3 at a
    boundary with one parameter pair gone to a limit), nominal_parameters, and with a
    holdout holdout_actual, holdout_predicted, error (predicted − actual),
    abs_error; failed (the error message, empty when the fit worked), chosen (bool).
    """

    model: str
    criterion: str  # "holdout", "log_likelihood" or "aic"
    table: pd.DataFrame
    fits: dict[str, Any]  # model key -> its fit


def choose_model(
    frequency: Any,
    recency: Any,
    T: Any,
    *,
    holdout_purchases: Any = None,
    holdout_duration: float | None = None,
    models: Sequence[str] = tuple(MODELS),
    min_customers: int = 10,
    min_repeat_customers: int = 20,
) -> ModelChoice:
    """Fit each of ``models`` and choose one (see the module docstring).

    Parameters
    ----------
    frequency, recency, T : array-like
        The calibration summary, one value per customer.
    holdout_purchases : array-like, optional
        Repeat purchases of each customer in the holdout period; with
        ``holdout_duration`` (in the summary's unit) the choice is by holdout error.
    models : sequence of str
        Among "bgnbd", "mbgnbd", "pareto_nbd" (default all three).
    min_customers, min_repeat_customers : int
        Passed to every model's fit.
    """
    unknown = [m for m in models if m not in MODELS]
    if unknown or not models:
        raise UsageError.said("error.select.model_must_among_not", models=', '.join(MODELS),
                              value=', '.join(unknown) or 'nothing')
    x, tx, t_cal = check_summary(frequency, recency, T)
    holdout = _holdout(holdout_purchases, holdout_duration, x)
    limits = {"min_customers": min_customers, "min_repeat_customers": min_repeat_customers}
    rows: list[dict[str, Any]] = []
    fits: dict[str, Any] = {}
    errors: list[AnalysisError] = []
    # The fits are independent and spend their time in numpy, which lets other threads run:
    # side by side on two cores (10M-line benchmark: 7 s of fits, Pareto/NBD's 4 s of them).
    with ThreadPoolExecutor(max_workers=max(1, min(len(models), os.cpu_count() or 1))) as pool:
        outcomes = list(pool.map(lambda name: _fit_row(name, x, tx, t_cal, holdout, limits), models))
    for name, (row, fit, error) in zip(models, outcomes, strict=True):
        rows.append(row)
        if error is not None:
            errors.append(error)
        else:
            fits[name] = fit
    if not fits:
        # The same reason from every model (too few repeat customers …): say it once,
        # with its code.
        codes = {getattr(e, "code", None) for e in errors}
        if len(codes) == 1:
            raise errors[0]
        # Different reasons: each said in the reader's language, one after the other (a space
        # after each English sentence but the last; Chinese sentences end in 。 and take none).
        said = [Phrase(e.key, e.fields or {}) if e.key else str(e) for e in errors]
        raise AnalysisError.said("error.select.models_failed", failures=Joined(
            [*(Phrase("phrase.sentence_then", {"sentence": one}) for one in said[:-1]), said[-1]]))
    table = pd.DataFrame(rows)
    best, criterion = _best(table, with_holdout=holdout is not None)
    table["chosen"] = False
    table.loc[best, "chosen"] = True
    order = [
        "model",
        "boundary",
        "log_likelihood",
        "parameters",
        "nominal_parameters",
        *(["holdout_actual", "holdout_predicted", "error", "abs_error"] if holdout is not None else []),
        "failed",
        "chosen",
    ]
    return ModelChoice(str(table.loc[best, "model"]), criterion, table[order], fits)


@dataclass(frozen=True)
class _Holdout:
    """What the holdout period holds: its length and every customer's repeat purchases in it."""

    duration: float
    actual: float  # the total of repeat purchases


def _holdout(holdout_purchases: Any, holdout_duration: float | None, x: FloatArray) -> _Holdout | None:
    """The holdout to choose by, checked against the summary; None without one."""
    if holdout_purchases is None:
        return None
    if holdout_duration is None or not holdout_duration > 0:
        raise UsageError.said("error.select.choosing_model_holdout_error")
    actual_each = np.asarray(holdout_purchases, dtype=np.float64)
    if actual_each.shape != x.shape:
        raise UsageError("holdout purchases need one value per customer of the summary")
    return _Holdout(float(holdout_duration), float(actual_each.sum()))


def _fit_row(
    name: str,
    x: FloatArray,
    tx: FloatArray,
    t_cal: FloatArray,
    holdout: _Holdout | None,
    limits: dict[str, int],
) -> tuple[dict[str, Any], Any, AnalysisError | None]:
    """Fit one model: its row of the models table, and its fit or why it failed."""
    model = MODELS[name]
    row: dict[str, Any] = {"model": name, "nominal_parameters": len(model.PARAMETERS)}
    try:
        fit = model.fit(x, tx, t_cal, **limits)
    except AnalysisError as error:
        row |= {"boundary": None, "log_likelihood": math.nan, "parameters": 0, "failed": str(error)}
        if holdout is not None:
            row |= {"holdout_actual": holdout.actual, "holdout_predicted": math.nan, "error": math.nan}
        return row, None, error
    row |= {
        "boundary": fit.boundary,
        "log_likelihood": fit.log_likelihood,
        "parameters": len(model.free_parameters(fit)),
        "failed": "",
    }
    if holdout is not None:
        predicted = float(model.expected_purchases(fit, holdout.duration, x, tx, t_cal).sum())
        miss = predicted - holdout.actual
        row |= {"holdout_actual": holdout.actual, "holdout_predicted": predicted, "error": miss}
    return row, fit, None


def _best(table: pd.DataFrame, with_holdout: bool) -> tuple[int, str]:
    """The row of the chosen model and the criterion (adds abs_error with a holdout)."""
    ok = table["failed"] == ""
    if with_holdout:
        table["abs_error"] = table["error"].abs()
        criterion = "holdout"
        score = table["abs_error"]
    elif table.loc[ok, "nominal_parameters"].nunique() == 1:
        criterion = "log_likelihood"
        score = -table["log_likelihood"]
    else:
        criterion = "aic"
        score = 2 * table["nominal_parameters"] - 2 * table["log_likelihood"]
    # A tie (equal up to rounding) goes to the model with fewer parameters estimated (one
    # at a limit says the same with less), then to the order of ``models``.
    scores = score.where(ok, np.inf).to_numpy(dtype=np.float64)
    margin = LIMIT_LL_TOLERANCE * float(np.nanmax(np.abs(table["log_likelihood"].to_numpy())))
    tied = np.flatnonzero(scores <= scores.min() + (margin if criterion != "holdout" else 0.0))
    counts = table["parameters"].to_numpy(dtype=np.int64)
    return int(min(tied, key=lambda i: (int(counts[i]), int(i)))), criterion
