"""Per-customer intervals from the sampling distribution of the fitted parameters.

The maximum-likelihood estimate is asymptotically normal; in the scale the optimiser
works in (log of positive parameters, logit of probabilities) that approximation is
better and every draw is a valid parameter. A purchase model's ``parameter_draws``
samples fits from it with a seeded generator (see
:func:`kamtool.analyses.clv.fit.normal_draws`); the quantity of interest (expected
purchases, discounted purchases for CLV) is recomputed per draw and the interval is the
central ``level`` quantile range. At a boundary the draws are of the limit model's
parameters. The assembly holds the spend per purchase (Gamma-Gamma) at its estimate in
the CLV bounds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from kamtool.analyses.clv.fit import FloatArray
from kamtool.analyses.clv.models import PurchaseModel
from kamtool.errors import UsageError

DEFAULT_DRAWS = 200
DEFAULT_SEED = 20240101


def check_level(level: float) -> None:
    """UsageError unless ``level`` is a probability strictly between 0 and 1."""
    if not (0 < level < 1):
        raise UsageError.said("error.intervals.interval_must_probability_between", level=level)


def interval(
    model: PurchaseModel,
    fit: Any,
    quantities: Callable[[Any], tuple[FloatArray, ...]],
    *,
    level: float = 0.9,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> list[tuple[FloatArray, FloatArray]]:
    """Central ``level`` range of each of ``quantities`` (one value per customer) over draws.

    ``quantities(fit)`` returns arrays computed from one fit; the answer is one (low, high)
    pair per array. NaN bounds when the fit has no covariance.
    """
    check_level(level)
    fits = model.parameter_draws(fit, draws, seed)
    if not fits:
        return [(np.full(len(q), np.nan), np.full(len(q), np.nan)) for q in quantities(fit)]
    per_draw = [quantities(f) for f in fits]
    tail = (1 - level) / 2
    out = []
    for k in range(len(per_draw[0])):
        values = np.stack([d[k] for d in per_draw])
        low, high = np.quantile(values, [tail, 1 - tail], axis=0)
        out.append((np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)))
    return out
