"""Customer lifetime value: "buy till you die" purchase models, Gamma-Gamma spend, CLV.

Modules
-------
summary.py      the per-customer summary (frequency, recency, T, monetary) every model reads
fit.py          the likelihood optimiser (``optimise``, ``maximise``, ``mean_nll``,
                ``covariance``, ``standard_errors``), the box and boundary checks
                (``LOG_BOUND``, ``require_interior``), ``FitError`` with its reason codes,
                and the array helpers of fast likelihoods (``group_rows``, ``distinct``, ``dot``)
bgnbd.py        BG/NBD (Fader, Hardie & Lee 2005), with its limits (``Form``): homogeneous,
                no or certain drop-out, one purchase rate, and their combinations
mbgnbd.py       MBG/NBD (Batislam, Denizel & Filiztekin 2007): drop-out after the first
                purchase too, so one-time buyers are not alive for sure
pareto_nbd.py   Pareto/NBD (Schmittlein, Morrison & Colombo 1987): drop-out at any time; the
                likelihood's integral by stretched Gauss-Legendre quadrature
regimes.py      MBG/NBD's and Pareto/NBD's nests of limit models (``ModelFit``, ``Regime``,
                ``fit_regimes``)
gamma_gamma.py  Gamma-Gamma spend per purchase, with its limits (same mean, steady and
                identical spend)
models.py       the purchase-model contract (``PurchaseModel``) and the registry
select.py       ``choose_model``: by holdout error, else by log-likelihood (``--model auto``)
intervals.py    per-customer bounds from draws of a model's parameters (``--interval``)
holdout.py      predicted against actual repeat purchases after the calibration end
diagnostics.py  the tracking table and the P(alive) matrix
assembly.py     ``clv(daily, …) -> Result``; ``fit_models`` (a ``Fitted``: the summary and its models,
                which ``clv(prior=…)`` and ``customer_values`` value again without a new fit
                when the calibration data are the same); CLV deciles; P(alive) for churn

The purchase-model contract
---------------------------
A purchase model is one module; adding one is a new file plus a line in
``models.PURCHASE_MODELS``, never an edit of ``clv()``. Time is in the summary's unit and
``x``, ``t_x``, ``T`` are frequency, recency and age, one value per customer. The module
exposes:

- ``NAME`` (as printed, "BG/NBD") and ``KEY`` (prefix of its summary keys, "bgnbd");
- ``fit(x, t_x, T, *, min_customers=10, min_repeat_customers=20) -> Fit``: maximum
  likelihood through ``fit.py``; the Fit has ``params`` (name -> estimate), ``std_errors``
  (name -> standard error, NaN when the Hessian is not negative definite),
  ``log_likelihood``, ``customers`` and ``boundary`` (None for an interior maximum, else
  the code of the limit the likelihood rises towards, which every prediction below then
  uses); it raises ``FitError`` (code "too_few_customers", "one_time_buyers_only",
  "not_converged", "unidentified" …) only when neither the model nor any of its limits
  has a maximum on this data;
- ``p_alive(fit, x, t_x, T)``: P(alive at T) per customer;
- ``expected_purchases(fit, t, x, t_x, T)``: expected purchases in (T, T + t];
- ``expected_repeat_purchases(fit, t)``: E[X(t)] of a new customer;
- ``purchases_if_alive(fit, x, t_x, T) -> (t -> array)``: expected purchases in (T, T + t]
  given alive at T, so that ``expected_purchases = p_alive × purchases_if_alive(t)``
  (the discounting evaluates it once per period of the horizon);
- ``estimates(fit) -> dict``, ``parameter_rows(fit) -> [(parameter, estimate, std_error)]``
  and ``dropout_rule(fit) -> str``: what the result's summary, parameters table and params
  say about the fit;
- ``PARAMETERS`` (the full model's), ``free_parameters(fit)`` (those the predictions use:
  fewer at a limit) and ``parameter_draws(fit, draws, seed)`` (fits drawn from the
  estimate's asymptotic normal, for intervals).

BG/NBD, MBG/NBD and Pareto/NBD are registered under ``bgnbd``, ``mbgnbd``, ``pareto_nbd``.

No module here imports another's private names, formats a sentence or imports labels:
the words are in :mod:`kamtool.render.words.clv`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kamtool.needs import Needs

# What `kamtool clv` reads: one row per customer and day, with profit for the margin. No
# order counts: a purchase is a customer-day (same-day orders merged), and counting distinct
# order ids per customer-day cost the engine's query a second level of grouping (10M lines:
# 13.9 s against 9.6 s without).
NEEDS = Needs(keys=("customer", "date"), measures=("profit",))

# The package's names, each from its module, imported on first use: the command line reads
# NEEDS before the load, and the models' modules bring numpy, pandas and scipy (1.5 s), which
# then load while DuckDB reads (see kamtool.cli.commands.clv).
_EXPORTS: dict[str, tuple[str, str]] = {
    **{name: ("assembly", name) for name in
       ("Fitted", "PAlive", "clv", "customer_values", "deciles", "discounted_purchases", "fit_models",
        "fit_p_alive", "p_alive_for")},
    "BGNBDFit": ("bgnbd", "BGNBDFit"),
    "bgnbd_expected_purchases": ("bgnbd", "expected_purchases"),
    "bgnbd_expected_repeat_purchases": ("bgnbd", "expected_repeat_purchases"),
    "fit_bgnbd": ("bgnbd", "fit"),
    "bgnbd_log_likelihood": ("bgnbd", "log_likelihood"),
    "bgnbd_p_alive": ("bgnbd", "p_alive"),
    "FitError": ("fit", "FitError"),
    "GammaGammaFit": ("gamma_gamma", "GammaGammaFit"),
    "gamma_gamma_expected_spend": ("gamma_gamma", "expected_spend"),
    "fit_gamma_gamma": ("gamma_gamma", "fit"),
    "gamma_gamma_log_likelihood": ("gamma_gamma", "log_likelihood"),
    "HoldoutComparison": ("holdout", "HoldoutComparison"),
    "holdout_comparison": ("holdout", "holdout_comparison"),
    **{name: ("summary", name) for name in
       ("DAYS_PER_YEAR", "DEFAULT_HORIZON", "UNIT_DAYS", "CustomerSummary", "customer_summary")},
}

if TYPE_CHECKING:
    from kamtool.analyses.clv.assembly import (
        Fitted,
        PAlive,
        clv,
        customer_values,
        deciles,
        discounted_purchases,
        fit_models,
        fit_p_alive,
        p_alive_for,
    )
    from kamtool.analyses.clv.bgnbd import BGNBDFit
    from kamtool.analyses.clv.bgnbd import expected_purchases as bgnbd_expected_purchases
    from kamtool.analyses.clv.bgnbd import expected_repeat_purchases as bgnbd_expected_repeat_purchases
    from kamtool.analyses.clv.bgnbd import fit as fit_bgnbd
    from kamtool.analyses.clv.bgnbd import log_likelihood as bgnbd_log_likelihood
    from kamtool.analyses.clv.bgnbd import p_alive as bgnbd_p_alive
    from kamtool.analyses.clv.fit import FitError
    from kamtool.analyses.clv.gamma_gamma import GammaGammaFit
    from kamtool.analyses.clv.gamma_gamma import expected_spend as gamma_gamma_expected_spend
    from kamtool.analyses.clv.gamma_gamma import fit as fit_gamma_gamma
    from kamtool.analyses.clv.gamma_gamma import log_likelihood as gamma_gamma_log_likelihood
    from kamtool.analyses.clv.holdout import HoldoutComparison, holdout_comparison
    from kamtool.analyses.clv.summary import (
        DAYS_PER_YEAR,
        DEFAULT_HORIZON,
        UNIT_DAYS,
        CustomerSummary,
        customer_summary,
    )


def __getattr__(name: str) -> Any:
    """A name of the package, imported from its module on first use."""
    try:
        module, attr = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
    globals()[name] = value
    return value


__all__ = [
    "DAYS_PER_YEAR",
    "DEFAULT_HORIZON",
    "NEEDS",
    "UNIT_DAYS",
    "BGNBDFit",
    "CustomerSummary",
    "FitError",
    "Fitted",
    "GammaGammaFit",
    "HoldoutComparison",
    "PAlive",
    "bgnbd_expected_purchases",
    "bgnbd_expected_repeat_purchases",
    "bgnbd_log_likelihood",
    "bgnbd_p_alive",
    "clv",
    "customer_summary",
    "customer_values",
    "deciles",
    "discounted_purchases",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_models",
    "fit_p_alive",
    "gamma_gamma_expected_spend",
    "gamma_gamma_log_likelihood",
    "holdout_comparison",
    "p_alive_for",
]
