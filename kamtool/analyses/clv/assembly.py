"""Customer lifetime value: a purchase model for how often, Gamma-Gamma for how much.

``clv(daily, …)`` cuts the summary, fits both models, values each customer over the
horizon and returns a Result of numbers and codes; the sentences about it are written
by :mod:`kamtool.render.words.clv`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kamtool.analyses.clv import diagnostics, gamma_gamma, intervals
from kamtool.analyses.clv.bgnbd import MIN_REPEAT_CUSTOMERS
from kamtool.analyses.clv.fit import FitError, FloatArray
from kamtool.analyses.clv.holdout import HoldoutComparison, holdout_comparison
from kamtool.analyses.clv.models import PURCHASE_MODELS, PurchaseModel
from kamtool.analyses.clv.select import choose_model
from kamtool.analyses.clv.summary import (
    DAYS_PER_YEAR,
    DEFAULT_HORIZON,
    CustomerSummary,
    PurchaseDays,
    customer_summary,
    day_timestamp,
    unit_days,
)
from kamtool.analyses.rules import as_of_day, day_number
from kamtool.errors import AnalysisError, UsageError
from kamtool.result import Chart, Heatmap, Result

# --model values: a registered model's key, or "auto" (see :func:`choose_model`).
MODEL_CHOICES = ("auto", *PURCHASE_MODELS)


def discounted_purchases(
    fit: Any,
    frequency: Any,
    recency: Any,
    T: Any,
    *,
    horizon: int,
    unit: str,
    discount_rate: float,
    model: PurchaseModel = PURCHASE_MODELS["bgnbd"],
    alive: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Expected purchases over ``horizon`` periods, plain and discounted.

    Discounted = Σ_{k=1..H} (E[Y(k)] − E[Y(k−1)]) / (1 + d)^(k·L), where E[Y(k)] are the
    expected purchases in the first k periods of ``unit`` after T and L is one period
    in years (unit days / 365.25): each period's purchases are discounted from its end.
    ``alive``: the customers' P(alive) under ``fit`` when the caller has it already.
    """
    years = unit_days(unit) / DAYS_PER_YEAR
    if_alive = model.purchases_if_alive(fit, frequency, recency, T)
    previous = np.zeros(len(np.asarray(frequency)))
    discounted = np.zeros(len(previous))
    for k in range(1, horizon + 1):
        current = if_alive(float(k))
        discounted += (current - previous) / (1 + discount_rate) ** (k * years)
        previous = current
    if alive is None:
        alive = model.p_alive(fit, frequency, recency, T)
    return alive * previous, alive * discounted


@dataclass(frozen=True)
class PAlive:
    """P(alive) per customer as of a day, or why the model could not give it.

    ``values`` is indexed by customer and named p_alive, or None; ``reason`` is then the
    FitError code and ``figures`` its numbers (see :class:`~kamtool.analyses.clv.fit.FitError`).
    """

    values: pd.Series | None
    model: str
    reason: str | None = None
    figures: dict[str, Any] = field(default_factory=dict)


def fit_p_alive(daily: pd.DataFrame | PurchaseDays, as_of: Any = None, unit: str = "week",
                model: str = "bgnbd") -> PAlive:
    """P(alive) per customer as of ``as_of`` ("today", exclusive, as in ``--as-of``).

    The model is fitted on the purchases before ``as_of``, so the calibration ends the day
    before; the default as-of is the day after the last order (rules.as_of_day).
    Customers with no purchase before ``as_of`` are absent from the values. A customer
    without a repeat purchase has P(alive) = 1 under BG/NBD.  ``daily``: the customer-days, or
    their purchase days already coded (:class:`PurchaseDays`).
    """
    purchase = PURCHASE_MODELS[model]
    if isinstance(daily, PurchaseDays):
        last = int(daily.days.max()) if len(daily.days) else None
    else:
        dates = daily["date"].dropna()
        last = day_number(dates.max()) if len(dates) else None
    today = as_of_day(as_of, last)
    if today is None:
        return PAlive(None, model, "no_purchase")
    try:
        summary = customer_summary(daily, calibration_end=day_timestamp(today - 1), unit=unit)
        frame = summary.frame
        fit = purchase.fit(frame["frequency"], frame["recency"], frame["T"])
    except FitError as exc:
        return PAlive(None, model, exc.code, dict(exc.figures))
    alive = purchase.p_alive(fit, frame["frequency"], frame["recency"], frame["T"])
    values = pd.Series(alive, index=pd.Index(frame["customer"], name="customer"), name="p_alive")
    return PAlive(values, model)


def p_alive_for(daily: pd.DataFrame, as_of: Any, unit: str = "week") -> pd.Series | None:
    """P(alive) per customer as of ``as_of`` (see :func:`fit_p_alive`), None without a fit."""
    return fit_p_alive(daily, as_of, unit).values


def deciles(values: FloatArray) -> pd.DataFrame:
    """CLV by decile of customers ranked by CLV (1 = the most valuable tenth)."""
    order = np.argsort(-values, kind="stable")
    n = len(values)
    decile = np.empty(n, dtype=np.int64)
    decile[order] = np.arange(n) * 10 // n + 1
    frame = pd.DataFrame({"clv_decile": decile, "clv": values})
    table = frame.groupby("clv_decile").agg(customers=("clv", "size"), clv=("clv", "sum"))
    table = table.reset_index()
    total = float(values.sum())
    table["share"] = table["clv"] / total if total > 0 else np.nan
    table["cumulative_share"] = table["share"].cumsum()
    table["customers"] = table["customers"].astype(np.int64)
    return table


# Columns whose name does not say their format. Expected purchases are a model's mean, not a
# count: one fixed number of decimals; deciles and holdout purchases are counts.
KINDS: dict[str, str] = {
    "expected_purchases": "number",
    "holdout_predicted": "number",
    "predicted_purchases": "number",
    "actual_purchases": "number",
    "predicted_total": "number",
    "actual_total": "count",
    "clv_decile": "count",
    "frequency": "count",
    "holdout_actual": "count",
    "expected_purchases_low": "number",
    "expected_purchases_high": "number",
    "clv_low": "money",
    "clv_high": "money",
    "tracking.actual": "count",
    "tracking.expected": "number",
    "tracking.actual_cumulative": "count",
    "tracking.expected_cumulative": "number",
    "tracking.period_end": "date",
    "repeat_customers": "count",
    **{f"p_alive_matrix.recency_{k}": "share" for k in range(1, diagnostics.MATRIX_RECENCY_BINS + 1)},
    "repeat_counts.customers": "count",
    "repeat_counts.expected_customers": "number",
    "models.log_likelihood": "number",
    "models.parameters": "count",
    "models.nominal_parameters": "count",
    "models.holdout_actual": "count",
    "models.holdout_predicted": "number",
    "models.error": "number",
    "models.abs_error": "number",
    "models.chosen": "bool",
}


@dataclass(frozen=True)
class _Options:
    unit: str
    unit_days: float
    horizon: int
    discount_rate: float
    margin: float
    margin_source: str  # "given", "profit" (the data's profit / revenue) or "default" (1.0)
    min_customers: int
    min_repeat_customers: int


def _options(
    unit: str,
    horizon: int | None,
    discount_rate: float,
    margin: float | None,
    profit_margin: float | None,
    min_customers: int,
    min_repeat_customers: int,
) -> _Options:
    length = unit_days(unit)
    if horizon is None:
        horizon = DEFAULT_HORIZON[unit]
    if int(horizon) != horizon or horizon < 1:
        raise UsageError.said("error.assembly.horizon_must_whole_number", unit=unit, horizon=horizon)
    if not np.isfinite(discount_rate) or discount_rate < 0:
        raise UsageError.said("error.assembly.discount_rate_must_year", discount_rate=discount_rate)
    if margin is not None and not (0 < margin <= 1):
        raise UsageError.said("error.assembly.margin_must_fraction_not", margin=margin)
    if profit_margin is not None and not (np.isfinite(profit_margin) and profit_margin <= 1):
        raise UsageError.said("error.assembly.profit_margin_must_fraction", profit_margin=profit_margin)
    if margin is not None:
        used, source = float(margin), "given"
    elif profit_margin is not None:
        used, source = float(profit_margin), "profit"
    else:
        used, source = 1.0, "default"
    return _Options(
        unit, length, int(horizon), discount_rate, used, source, min_customers, min_repeat_customers
    )


def clv(
    daily: pd.DataFrame,
    *,
    calibration_end: Any = None,
    holdout_end: Any = None,
    unit: str = "week",
    horizon: int | None = None,
    discount_rate: float = 0.10,
    margin: float | None = None,
    profit_margin: float | None = None,
    min_customers: int = 10,
    min_repeat_customers: int = MIN_REPEAT_CUSTOMERS,
    model: str = "auto",
    interval: float | None = None,
    prior: Fitted | None = None,
) -> Result:
    """Customer lifetime value from a purchase model and Gamma-Gamma spend (words: render.words.clv).

    Parameters
    ----------
    daily : DataFrame
        customer, date, revenue: one row per customer and order date.
    calibration_end : date-like, optional
        Fit on purchases up to this day (inclusive). Default: the last purchase day.
    holdout_end : date-like, optional
        Compare predicted and actual repeat purchases from the day after
        ``calibration_end`` to this day; needs ``calibration_end``. Customers are then
        scored as of the calibration end.
    unit : {"day", "week", "month"}
        Time unit of recency, T, the horizon and the parameters (default week).
    horizon : int, optional
        Periods of ``unit`` to value ahead; default one year (365, 52 or 12).
    discount_rate : float
        Yearly discount rate (default 0.10); see ``params["discounting"]``.
    margin : float, optional
        Profit margin as a fraction in (0, 1]. Default: ``profit_margin``, else 1.0.
    profit_margin : float, optional
        The data's profit / revenue, passed by the command when the file has profit.
    min_customers, min_repeat_customers : int
        Refuse to fit a purchase model on fewer customers, or fewer repeat customers (10,
        20); Gamma-Gamma needs ``min_repeat_customers`` repeat customers with positive spend.
    model : {"auto", "bgnbd", "mbgnbd", "pareto_nbd"}
        The purchase model. "auto" fits all three and keeps, with a holdout, the smallest
        error in total holdout repeat purchases, without one the best log-likelihood (all
        have four parameters); the ``models`` table lists them side by side.
    interval : float, optional
        A probability (0.9): per-customer bounds expected_purchases_low/high and
        clv_low/high from 200 seeded draws of the purchase model's parameters from their
        asymptotic normal; the spend per purchase is held at its estimate.

    Returns
    -------
    Result
        rows: customer, frequency, recency, T, monetary, p_alive, expected_purchases,
        expected_spend, clv (+ holdout_actual, holdout_predicted with a holdout, + the
        bounds with an interval), sorted by clv descending. tables: parameters (the
        purchase model's and Gamma-Gamma's estimate and std_error), clv_deciles, tracking,
        p_alive_matrix, repeat_counts (observed against expected customers by repeat
        purchases in calibration) (+ holdout, + models with "auto"). summary["model"] is the
        purchase model's key and ``model_criterion`` why it was used ("given",
        "holdout", "log_likelihood" or "aic"); ``{key}_boundary`` and
        ``gamma_gamma_boundary`` name the limit a fit took (None for an interior
        maximum): parameters a limit does not have are NaN, with NaN standard errors,
        and predictions use the limit. ``one_time_alive`` counts the customers without a
        repeat purchase whom the model gives P(alive) = 1 (all of them under BG/NBD, by
        its assumption). ``prior``: a :class:`Fitted` whose models are used when they
        serve this calibration summary (see :class:`Fitted`); the figures are then those
        of a new fit.
    """
    opts = _options(unit, horizon, discount_rate, margin, profit_margin, min_customers, min_repeat_customers)
    key = _checked_request(model, interval, calibration_end, holdout_end)
    fitted = _fitted(daily, calibration_end, holdout_end, unit, key, opts, prior)
    return _assemble(fitted.summary, opts, fitted, _valued(fitted, opts, interval), interval)


@dataclass(frozen=True)
class Fitted:
    """The calibration summary and the purchase and spend models fitted on it: fit once,
    value twice (tiers values the next 52 weeks at margin 1, clv at the data's margin).

    Pass it as ``prior`` to :func:`fit_models` or :func:`clv`: its models are used again when
    the new calibration summary holds the same figures (frequency, recency, T, monetary and
    holdout purchases, to the last bit, in the same order) under the same model choice,
    unit and minimums, so that the estimates are those a new fit would give; else the
    models are fitted again.
    """

    summary: CustomerSummary
    key: str  # the --model asked for: "auto" or a model's key
    limits: tuple[int, int]  # min_customers, min_repeat_customers
    purchase: PurchaseModel
    purchase_fit: Any
    criterion: str  # why the purchase model was used (see choose_model)
    models_table: pd.DataFrame | None  # every model side by side, with --model auto
    gg: gamma_gamma.GammaGammaFit

    def serves(self, summ: CustomerSummary, key: str, limits: tuple[int, int]) -> bool:
        """Whether these models are what fitting ``summ`` with ``key`` and ``limits`` gives."""
        if (key, limits, summ.unit) != (self.key, self.limits, self.summary.unit):
            return False
        mine, theirs = self.summary.frame, summ.frame
        columns = ("frequency", "recency", "T", "monetary", "holdout_purchases", "holdout_duration")
        if len(mine) != len(theirs) or any((c in mine) != (c in theirs) for c in columns):
            return False
        return all(np.array_equal(mine[c].to_numpy(), theirs[c].to_numpy()) for c in columns if c in mine)


def fit_models(
    daily: pd.DataFrame,
    *,
    calibration_end: Any = None,
    holdout_end: Any = None,
    unit: str = "week",
    model: str = "auto",
    min_customers: int = 10,
    min_repeat_customers: int = MIN_REPEAT_CUSTOMERS,
    prior: Fitted | None = None,
) -> Fitted:
    """The calibration summary of ``daily`` and the models fitted on it, as :func:`clv` fits
    them (same arguments); ``prior``'s models when they serve this summary (see
    :class:`Fitted`). Value the customers with :func:`customer_values` or ``clv(prior=…)``."""
    key = _checked_request(model, None, calibration_end, holdout_end)
    opts = _options(unit, None, 0.0, None, None, min_customers, min_repeat_customers)
    return _fitted(daily, calibration_end, holdout_end, unit, key, opts, prior)


def customer_values(
    fitted: Fitted, *, horizon: int | None = None, discount_rate: float = 0.10, margin: float | None = None,
    profit_margin: float | None = None,
) -> pd.DataFrame:
    """The rows :func:`clv` returns for ``fitted`` (customer … expected_spend, clv, by clv
    descending, then customer), without the tables and checks of the fit."""
    opts = _options(fitted.summary.unit, horizon, discount_rate, margin, profit_margin, *fitted.limits)
    rows = _valued(fitted, opts, None)
    return _by_clv(rows)


def _by_clv(rows: pd.DataFrame) -> pd.DataFrame:
    rows = rows.sort_values(["clv", "customer"], ascending=[False, True], kind="stable")
    return rows.reset_index(drop=True)


def _fitted(
    daily: pd.DataFrame, calibration_end: Any, holdout_end: Any, unit: str, key: str, opts: _Options,
    prior: Fitted | None,
) -> Fitted:
    """The summary of ``daily`` and its models: ``prior``'s when they serve it, else fitted."""
    summ = customer_summary(daily, calibration_end=calibration_end, unit=unit, observation_end=holdout_end)
    limits = (opts.min_customers, opts.min_repeat_customers)
    if prior is not None and prior.serves(summ, key, limits):
        return dataclasses.replace(prior, summary=summ)
    purchase, purchase_fit, criterion, models_table = _purchase_fit(summ, opts, key)
    base = summ.frame
    gg = gamma_gamma.fit(base["frequency"], base["monetary"], min_customers=opts.min_repeat_customers)
    return Fitted(summ, key, limits, purchase, purchase_fit, criterion, models_table, gg)


def _checked_request(model: str, interval: float | None, calibration_end: Any, holdout_end: Any) -> str:
    """The --model key ("auto" or a registered model's), once the options agree with each other."""
    key = model.replace("-", "_")
    if key not in MODEL_CHOICES:
        raise UsageError.said("error.assembly.model_must_one_auto", model=model)
    if interval is not None:
        intervals.check_level(interval)
    if holdout_end is not None and calibration_end is None:
        raise UsageError.said("error.assembly.holdout_end_needs_calibration")
    return key


def _valued(fitted: Fitted, opts: _Options, interval: float | None) -> pd.DataFrame:
    """Every customer valued by the fitted models: one row each, in the summary's order."""
    summ, purchase, purchase_fit, gg = fitted.summary, fitted.purchase, fitted.purchase_fit, fitted.gg
    rows = _value(summ, opts, purchase, purchase_fit, gg)
    if interval is not None:
        rows = _with_intervals(rows, summ, opts, purchase, purchase_fit, gg, interval)
    return rows


def _assemble(
    summ: CustomerSummary, opts: _Options, fitted: Fitted, rows: pd.DataFrame, interval: float | None
) -> Result:
    """The Result: rows by CLV, the tables and charts of the fit and its checks, summary, params."""
    purchase, purchase_fit, gg = fitted.purchase, fitted.purchase_fit, fitted.gg
    deciles_table = deciles(rows["clv"].to_numpy())
    tables = {"parameters": _parameter_table(purchase, purchase_fit, gg), "clv_deciles": deciles_table}
    charts = [Chart("column", "clv_deciles", "clv_decile", ["clv"], title="clv.deciles")]
    summary = _summary(summ, opts, purchase, purchase_fit, gg, rows, deciles_table)
    summary.update({"model": purchase.KEY, "model_criterion": fitted.criterion})
    if fitted.models_table is not None:
        tables["models"] = fitted.models_table.copy()  # a prior's table serves more than one result
    if interval is not None:
        summary["interval"] = interval
    if summ.observation_end is not None:
        comparison = holdout_comparison(summ.frame, purchase_fit, model=purchase)
        rows["holdout_actual"] = comparison.customers["holdout_actual"].to_numpy()
        rows["holdout_predicted"] = comparison.customers["holdout_predicted"].to_numpy()
        tables["holdout"] = comparison.by_frequency
        charts.append(_holdout_chart())
        summary.update(_holdout_summary(summ, comparison))
    diagnosis, diagnosis_charts = _diagnostics(summ, opts, purchase, purchase_fit, rows)
    tables.update(diagnosis)
    charts += diagnosis_charts
    summary["p_alive_recency_bin"] = diagnostics.recency_bin_width(summ.frame["T"].to_numpy(np.float64))
    heatmaps = [Heatmap("p_alive_matrix", [c for c in tables["p_alive_matrix"].columns if c != "frequency"])]
    rows = _by_clv(rows)
    display = ["customer", "frequency", "p_alive", "expected_purchases", "expected_spend", "clv"]
    if interval is not None:
        display += ["clv_low", "clv_high"]
    return Result(
        command="clv",
        params={
            **_params(summ, opts, purchase, purchase_fit, gg),
            "model": purchase.KEY,
            "interval": interval,
        },
        summary=summary,
        rows=rows,
        tables=tables,
        charts=charts,
        heatmaps=heatmaps,
        display_columns=display,
        kinds=dict(KINDS),
    )


def _diagnostics(
    summ: CustomerSummary, opts: _Options, purchase: PurchaseModel, purchase_fit: Any, rows: pd.DataFrame
) -> tuple[dict[str, pd.DataFrame], list[Chart]]:
    """How well the model fits the calibration data: tracking, the P(alive) matrix, repeat counts."""
    frame = summ.frame
    frequency, age = frame["frequency"].to_numpy(np.float64), frame["T"].to_numpy(np.float64)
    tables = {
        "tracking": _tracking(summ, opts, purchase, purchase_fit),
        "p_alive_matrix": diagnostics.p_alive_matrix(
            frequency, frame["recency"].to_numpy(np.float64), age, rows["p_alive"].to_numpy()
        ),
        "repeat_counts": diagnostics.repeat_counts(purchase, purchase_fit, frequency, age),
    }
    charts = [
        Chart(
            "line",
            "tracking",
            "period_end",
            ["actual_cumulative", "expected_cumulative"],
            title="clv.tracking",
        ),
        Chart(
            "column",
            "repeat_counts",
            "frequency",
            ["customers", "expected_customers"],
            title="clv.repeat_counts",
        ),
    ]
    return tables, charts


def _purchase_fit(
    summ: CustomerSummary, opts: _Options, key: str
) -> tuple[PurchaseModel, Any, str, pd.DataFrame | None]:
    """The purchase model, its fit, why it was used, and with "auto" the models table."""
    frame = summ.frame
    freq, rec, age = frame["frequency"], frame["recency"], frame["T"]
    limits = {"min_customers": opts.min_customers, "min_repeat_customers": opts.min_repeat_customers}
    if key != "auto":
        purchase = PURCHASE_MODELS[key]
        return purchase, purchase.fit(freq, rec, age, **limits), "given", None
    holdout: dict[str, Any] = {}
    if summ.observation_end is not None:
        holdout = {
            "holdout_purchases": frame["holdout_purchases"],
            "holdout_duration": float(frame["holdout_duration"].iloc[0]),
        }
    choice = choose_model(
        freq,
        rec,
        age,
        **holdout,
        min_customers=opts.min_customers,
        min_repeat_customers=opts.min_repeat_customers,
    )
    table = choice.table.copy()
    table.insert(1, "name", [PURCHASE_MODELS[k].NAME for k in table["model"]])
    return PURCHASE_MODELS[choice.model], choice.fits[choice.model], choice.criterion, table


def _with_intervals(
    rows: pd.DataFrame,
    summ: CustomerSummary,
    opts: _Options,
    purchase: PurchaseModel,
    purchase_fit: Any,
    gg: gamma_gamma.GammaGammaFit,
    level: float,
) -> pd.DataFrame:
    """Rows with expected_purchases_low/high and clv_low/high (spend held at its estimate)."""
    frame = summ.frame
    freq, rec, age = frame["frequency"], frame["recency"], frame["T"]
    value_per_purchase = opts.margin * rows["expected_spend"].to_numpy()

    def quantities(f: Any) -> tuple[FloatArray, FloatArray]:
        plain, disc = discounted_purchases(
            f,
            freq,
            rec,
            age,
            horizon=opts.horizon,
            unit=opts.unit,
            discount_rate=opts.discount_rate,
            model=purchase,
        )
        return plain, value_per_purchase * disc

    (ep_low, ep_high), (clv_low, clv_high) = intervals.interval(
        purchase, purchase_fit, quantities, level=level
    )
    out = rows.copy()
    at = list(out.columns).index("expected_purchases") + 1
    out.insert(at, "expected_purchases_low", ep_low)
    out.insert(at + 1, "expected_purchases_high", ep_high)
    out["clv_low"] = clv_low
    out["clv_high"] = clv_high
    return out


def _tracking(
    summ: CustomerSummary, opts: _Options, purchase: PurchaseModel, purchase_fit: Any
) -> pd.DataFrame:
    """The tracking table per week (per month with --unit month)."""
    frame = summ.frame
    first = frame["first_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    cal_end = day_number(summ.calibration_end)
    end = day_number(summ.observation_end) if summ.observation_end is not None else cal_end
    return diagnostics.tracking(
        purchase,
        purchase_fit,
        first,
        summ.repeat_days,
        calibration_end=cal_end,
        end=end,
        unit_days=opts.unit_days,
        period_days=30 if opts.unit == "month" else 7,
    )


def _value(
    summ: CustomerSummary, opts: _Options, model: PurchaseModel, bg: Any, gg: gamma_gamma.GammaGammaFit
) -> pd.DataFrame:
    """Value every customer with the purchase fit ``bg`` and the spend fit ``gg``."""
    base = summ.frame
    freq, rec, age, mon = base["frequency"], base["recency"], base["T"], base["monetary"]
    # P(alive) once: Pareto/NBD's is a quadrature per customer (0.4 s for 200k customers).
    alive = model.p_alive(bg, freq, rec, age)
    expected, discounted = discounted_purchases(
        bg,
        freq,
        rec,
        age,
        horizon=opts.horizon,
        unit=opts.unit,
        discount_rate=opts.discount_rate,
        model=model,
        alive=alive,
    )
    spend = gamma_gamma.expected_spend(gg, freq, mon)
    value = opts.margin * spend * discounted
    if not (np.isfinite(expected).all() and np.isfinite(value).all()):
        raise AnalysisError.said("error.assembly.fitted_models_give_non")
    rows = pd.DataFrame(
        {
            "customer": base["customer"],
            "frequency": freq,
            "recency": rec,
            "T": age,
            "monetary": mon,
            "p_alive": alive,
            "expected_purchases": expected,
            "expected_spend": spend,
            "clv": value,
        }
    )
    return rows


def _parameter_table(model: PurchaseModel, purchase_fit: Any, gg: gamma_gamma.GammaGammaFit) -> pd.DataFrame:
    rows = model.parameter_rows(purchase_fit)
    spend = gamma_gamma.parameter_rows(gg)
    return pd.DataFrame(
        {
            "model": [model.NAME] * len(rows) + [gamma_gamma.NAME] * len(spend),
            "parameter": [r[0] for r in (*rows, *spend)],
            "estimate": [r[1] for r in (*rows, *spend)],
            "std_error": [r[2] for r in (*rows, *spend)],
        }
    )


def _summary(
    summ: CustomerSummary,
    opts: _Options,
    model: PurchaseModel,
    purchase_fit: Any,
    gg: gamma_gamma.GammaGammaFit,
    rows: pd.DataFrame,
    deciles_table: pd.DataFrame,
) -> dict[str, Any]:
    freq, mon = rows["frequency"], rows["monetary"]
    repeat = freq.to_numpy() > 0
    spenders = repeat & (mon.to_numpy() > 0)
    corr = (
        float(np.corrcoef(freq[spenders], mon[spenders])[0, 1])
        if spenders.sum() > 2 and np.ptp(freq[spenders]) > 0 and np.ptp(mon[spenders]) > 0
        else float("nan")
    )
    # numpy sums of the arrays, as the figures were always summed
    total_value = float(rows["clv"].to_numpy().sum())
    summary: dict[str, Any] = {
        "customers": len(rows),
        "repeat_customers": int(repeat.sum()),
        # P(alive) = 1 without a repeat purchase is the model's assumption, not evidence.
        "one_time_alive": int(((~repeat) & (rows["p_alive"].to_numpy() == 1.0)).sum()),
        "customers_excluded_after_calibration": summ.excluded_after_calibration,
        "customers_returns_only": summ.returns_only,
        "calibration_start": summ.frame["first_date"].min(),
        "calibration_end": summ.calibration_end,
        "unit": opts.unit,
        "horizon": opts.horizon,
        "discount_rate": opts.discount_rate,
        "margin": opts.margin,
        "margin_source": opts.margin_source,
    }
    summary.update(model.estimates(purchase_fit))
    summary.update(gamma_gamma.estimates(gg))
    for key, fit in ((model.KEY, purchase_fit), (gamma_gamma.KEY, gg)):
        summary.update({f"{k}_se": float(v) for k, v in fit.std_errors.items()})
        summary[f"{key}_log_likelihood"] = fit.log_likelihood
    summary.update(
        {
            "gamma_gamma_customers": gg.customers,
            "frequency_monetary_correlation": corr,
            "mean_spend": gg.mean_spend,
            "expected_purchases": float(rows["expected_purchases"].to_numpy().sum()),
            "mean_p_alive": float(rows["p_alive"].to_numpy().mean()),
            "clv_total": total_value,
            "clv_mean": total_value / len(rows),
            "clv_top_decile_share": float(deciles_table["share"].iloc[0]),
            "data_end": summ.data_end,
        }
    )
    return summary


def _holdout_chart() -> Chart:
    return Chart(
        kind="column",
        table="holdout",
        category="calibration_frequency",
        values=["actual_purchases", "predicted_purchases"],
        title="clv.holdout",
    )


def _holdout_summary(summ: CustomerSummary, comparison: HoldoutComparison) -> dict[str, Any]:
    return {
        "holdout_start": summ.calibration_end + pd.Timedelta(days=1),
        "holdout_end": summ.observation_end,
        "holdout_duration": comparison.duration,
        "holdout_actual": comparison.actual_total,
        "holdout_predicted": comparison.predicted_total,
    }


def _params(
    summ: CustomerSummary,
    opts: _Options,
    model: PurchaseModel,
    purchase_fit: Any,
    gg: gamma_gamma.GammaGammaFit,
) -> dict[str, Any]:
    return {
        "calibration_end": summ.calibration_end,
        "holdout_end": summ.observation_end,
        "unit": opts.unit,
        "unit_days": opts.unit_days,
        "horizon": opts.horizon,
        "discount_rate": opts.discount_rate,
        "margin": opts.margin,
        "margin_source": opts.margin_source,
        "min_customers": opts.min_customers,
        "min_repeat_customers": opts.min_repeat_customers,
        "purchase": "a customer-day with net revenue >= 0; same-day orders merged",
        f"{model.KEY}_dropout": model.dropout_rule(purchase_fit),
        f"{model.KEY}_boundary": model.estimates(purchase_fit)[f"{model.KEY}_boundary"],
        "gamma_gamma_boundary": gg.boundary,
        "discounting": (
            "clv = margin * expected_spend * sum_{k=1..horizon} "
            "(E[Y(k)] - E[Y(k-1)]) / (1 + discount_rate) ** (k * unit_days / 365.25)"
        ),
    }
