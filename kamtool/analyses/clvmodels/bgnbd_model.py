"""BG/NBD behind the same contract as Pareto/NBD and MBG/NBD (for intervals and model choice).

A thin adapter over the BG/NBD fit and predictions (reached through ``fit_bridge``):
its fit becomes a ``ModelFit`` with ``boundary`` "homogeneous_dropout" when BG/NBD's
drop-out is the limit a, b → ∞ (``BGNBDFit.dropout``), and the covariance of the free
parameters (r, alpha, a, b; or r, alpha, p) that intervals draw from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from kamtool.analyses.clvmodels.boundary import FloatArray, ModelFit, require_repeat_customers
from kamtool.analyses.clvmodels.fit_bridge import (
    BGNBDData,
    BGNBDFit,
    PurchasesIfAlive,
    bgnbd_expected_purchases,
    bgnbd_expected_repeat_purchases,
    bgnbd_log_likelihood,
    bgnbd_p_alive,
    bgnbd_total,
    check_summary,
    covariance,
    fit_bgnbd,
    group_rows,
)

NAME = "bgnbd"
LABEL = "BG/NBD"
FULL_NAMES = ("r", "alpha", "a", "b")


@dataclass(frozen=True, eq=False)
class BGNBDModelFit(ModelFit):
    """BG/NBD estimate: r, alpha, a, b; at "homogeneous_dropout" a = b = inf and limit p."""


def _as_bgnbd(fit: ModelFit) -> BGNBDFit:
    free = fit.free
    if "p" in free:
        return BGNBDFit(free["r"], free["alpha"], math.inf, math.inf, {}, math.nan, 0, dropout=free["p"])
    return BGNBDFit(free["r"], free["alpha"], free["a"], free["b"], {}, math.nan, 0)


def fit(frequency: Any, recency: Any, T: Any) -> BGNBDModelFit:
    """Fit BG/NBD (the house fit, with its homogeneous drop-out limit) as a ModelFit."""
    x, tx, t_cal = check_summary(frequency, recency, T)
    require_repeat_customers(x, LABEL)
    bg = fit_bgnbd(x, tx, t_cal)
    data = BGNBDData.build(x, tx, t_cal, compress=True)
    if bg.dropout is not None:
        theta = np.array([bg.r, bg.alpha, bg.dropout])
        names: tuple[str, ...] = ("r", "alpha", "p")
        scales: tuple[str, ...] = ("log", "log", "logit")
    else:
        theta = np.array([bg.r, bg.alpha, bg.a, bg.b])
        names, scales = FULL_NAMES, ("log",) * 4
    cov = covariance(lambda th: bgnbd_total(th, data)[1], theta)
    se = dict(zip(names, np.sqrt(np.diag(cov)).tolist(), strict=True))
    free = {k: float(v) for k, v in zip(names, theta, strict=True)}
    homogeneous = bg.dropout is not None
    return BGNBDModelFit(
        params=dict(bg.params),
        std_errors={k: se.get(k, math.nan) for k in FULL_NAMES} | se,
        log_likelihood=bg.log_likelihood,
        customers=bg.customers,
        iterations=bg.iterations,
        boundary="homogeneous_dropout" if homogeneous else None,
        limit_params=free if homogeneous else None,
        covariance=cov,
        scales=scales,
    )


def log_likelihood(params: dict[str, float] | ModelFit, frequency: Any, recency: Any, T: Any) -> FloatArray:
    """BG/NBD log-likelihood of each customer (FHL 2005 eq. 6)."""
    if isinstance(params, ModelFit):
        return bgnbd_log_likelihood(_as_bgnbd(params), frequency, recency, T)
    if "p" in params:
        limit = {
            "r": params["r"],
            "alpha": params["alpha"],
            "a": math.inf,
            "b": math.inf,
            "dropout": params["p"],
        }
        return bgnbd_log_likelihood(limit, frequency, recency, T)
    return bgnbd_log_likelihood(params, frequency, recency, T)


def p_alive(fit: ModelFit, frequency: Any, recency: Any, T: Any) -> FloatArray:
    """P(alive); 1 for every customer without a repeat purchase, by BG/NBD's assumption."""
    return bgnbd_p_alive(_as_bgnbd(fit), frequency, recency, T)


def expected_purchases(fit: ModelFit, t: float, frequency: Any, recency: Any, T: Any) -> FloatArray:
    return bgnbd_expected_purchases(_as_bgnbd(fit), t, frequency, recency, T)


def expected_repeat_purchases(fit: ModelFit, t: float) -> float:
    return bgnbd_expected_repeat_purchases(_as_bgnbd(fit), t)


def purchases_if_alive(fit: ModelFit, t: float, frequency: Any, T: Any) -> FloatArray:
    """E[purchases in (T, T+t] | alive at T] per customer (FHL 2005 eq. 10 without P(alive))."""
    x = np.asarray(frequency, dtype=np.float64)
    t_cal = np.asarray(T, dtype=np.float64)
    (ux, ut), inverse, _ = group_rows(x, t_cal)
    return np.asarray(PurchasesIfAlive(_as_bgnbd(fit), ux, ut)(float(t))[inverse], dtype=np.float64)
