"""The one place that imports from today's ``kamtool.analyses.clv``.

Everything else in ``clvmodels`` imports the optimiser and the BG/NBD pieces from here,
under the public names the split package ``kamtool.analyses.clv`` will give them
(``fit.py``: Optimum, optimise, mean_nll, maximise, covariance, standard_errors;
``bgnbd.py``: the BG/NBD fit and predictions). At the merge only this file changes.
"""

from __future__ import annotations

from kamtool.analyses.clv import _LOG_BOUND as LOG_BOUND
from kamtool.analyses.clv import (
    DAYS_PER_YEAR,
    UNIT_DAYS,
    BGNBDFit,
    CustomerSummary,
    bgnbd_expected_purchases,
    bgnbd_expected_repeat_purchases,
    bgnbd_log_likelihood,
    bgnbd_p_alive,
    customer_summary,
    fit_bgnbd,
)
from kamtool.analyses.clv import _beta_gauss_rule as beta_gauss_rule
from kamtool.analyses.clv import _bgnbd_total as bgnbd_total
from kamtool.analyses.clv import _BGNBDData as BGNBDData
from kamtool.analyses.clv import _check_summary as check_summary
from kamtool.analyses.clv import _covariance as covariance
from kamtool.analyses.clv import _group_rows as group_rows
from kamtool.analyses.clv import _maximise as maximise
from kamtool.analyses.clv import _mean_nll as mean_nll
from kamtool.analyses.clv import _optimise as optimise
from kamtool.analyses.clv import _Optimum as Optimum
from kamtool.analyses.clv import _PurchasesIfAlive as PurchasesIfAlive
from kamtool.analyses.clv import _standard_errors as standard_errors

__all__ = [
    "DAYS_PER_YEAR",
    "LOG_BOUND",
    "UNIT_DAYS",
    "BGNBDData",
    "BGNBDFit",
    "CustomerSummary",
    "Optimum",
    "PurchasesIfAlive",
    "beta_gauss_rule",
    "bgnbd_expected_purchases",
    "bgnbd_expected_repeat_purchases",
    "bgnbd_log_likelihood",
    "bgnbd_p_alive",
    "bgnbd_total",
    "check_summary",
    "covariance",
    "customer_summary",
    "fit_bgnbd",
    "group_rows",
    "maximise",
    "mean_nll",
    "optimise",
    "standard_errors",
]
