"""The one place that imports from today's ``kamtool.analyses.clv``.

Everything else in ``clvmodels`` imports the optimiser and the BG/NBD pieces from here,
under the public names the split package ``kamtool.analyses.clv`` will give them
(``fit.py``: Optimum, optimise, mean_nll, maximise, covariance, standard_errors;
``bgnbd.py``: the BG/NBD fit and predictions). At the merge only this file changes.
"""

from __future__ import annotations

# Until these join the clv package (when the BG/NBD internals become public there), the
# three BG/NBD internals below are borrowed from bgnbd.py under their public names.
from kamtool.analyses.clv.bgnbd import BGNBDFit, beta_gauss_rule
from kamtool.analyses.clv.bgnbd import _bgnbd_total as bgnbd_total
from kamtool.analyses.clv.bgnbd import _BGNBDData as BGNBDData
from kamtool.analyses.clv.bgnbd import _PurchasesIfAlive as PurchasesIfAlive
from kamtool.analyses.clv.bgnbd import expected_purchases as bgnbd_expected_purchases
from kamtool.analyses.clv.bgnbd import expected_repeat_purchases as bgnbd_expected_repeat_purchases
from kamtool.analyses.clv.bgnbd import fit as fit_bgnbd
from kamtool.analyses.clv.bgnbd import log_likelihood as bgnbd_log_likelihood
from kamtool.analyses.clv.bgnbd import p_alive as bgnbd_p_alive
from kamtool.analyses.clv.fit import (
    LOG_BOUND,
    Optimum,
    covariance,
    group_rows,
    maximise,
    mean_nll,
    optimise,
    standard_errors,
)
from kamtool.analyses.clv.summary import (
    DAYS_PER_YEAR,
    UNIT_DAYS,
    CustomerSummary,
    check_summary,
    customer_summary,
)

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
