"""The words of `kamtool clv`: headline and notes, from the result's codes and numbers."""

from __future__ import annotations

import math
from typing import Any

from kamtool.labels import label
from kamtool.result import Result


def _iso(value: Any) -> str:
    return value.date().isoformat() if hasattr(value, "date") else str(value)


_NAMES = {"bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD", "pareto_nbd": "Pareto/NBD"}
_SYMBOLS = {"alpha": "α", "beta": "β", "lambda": "λ", "mu": "μ"}


def _purchase_sentence(result: Result, lang: str) -> str:
    """MBG/NBD's or Pareto/NBD's estimates from the parameters table, and its limit if any."""
    s = result.summary
    key = s["model"]
    table = result.tables["parameters"]
    mine = table[table["model"] == _NAMES[key]]
    shown = [
        f"{_SYMBOLS.get(str(name), name)} = {value:.3f}"
        for name, value in zip(mine["parameter"], mine["estimate"], strict=True)
        if not _nan(float(value))
    ]
    sentence = label("clv.fit.other", lang).format(
        model=_NAMES[key], params=", ".join(shown), ll=s[f"{key}_log_likelihood"]
    )
    boundary = s.get(f"{key}_boundary")
    if boundary:
        sentence += label("clv.fit.other_limit", lang).format(limit=label(f"clv.limit.{boundary}", lang))
    return sentence


def _fit_sentence(result: Result, lang: str) -> str:
    """What the two models found, each with an interior maximum or at its boundary."""
    s = result.summary
    gg_boundary = s.get("gamma_gamma_boundary")
    gg_key = "clv.fit.gamma_gamma" + (f".{gg_boundary}" if gg_boundary else "")
    names = ("r", "alpha", "a", "b", "p", "q", "gamma", "dropout", "mean_spend")
    figures = {k: s.get(k, math.nan) for k in names}
    if s["model"] == "bgnbd":
        bg_boundary = s.get("bgnbd_boundary")
        bg_key = "clv.fit.bgnbd" + (f".{bg_boundary}" if bg_boundary else "")
        bgnbd = label(bg_key, lang).format(
            ll=s["bgnbd_log_likelihood"],
            rate=s["purchase_rate"],
            per_unit=label(f"clv.per_unit.{s['unit']}", lang),
            **figures,
        )
    else:
        bgnbd = _purchase_sentence(result, lang)
    gamma_gamma = label(gg_key, lang).format(
        ll_gg=s["gamma_gamma_log_likelihood"],
        p_limit=s.get("gamma_gamma_p", math.nan),
        q_limit=s.get("gamma_gamma_q", math.nan),
        **figures,
    )
    return label("clv.headline_fit", lang).format(bgnbd=bgnbd, gamma_gamma=gamma_gamma)


def _model_sentence(result: Result, lang: str) -> str:
    """Which purchase model and why: given, or chosen by holdout error or likelihood."""
    s = result.summary
    name = _NAMES[s["model"]]
    criterion = s["model_criterion"]
    if criterion == "given":
        return label("clv.model.given", lang).format(model=name)
    table = result.tables["models"]
    ok = table[table["failed"] == ""]
    if criterion == "holdout":
        parts = [
            f"{k} {e / a:+.1%}" if a else f"{k} {e:+,.1f}"
            for k, e, a in zip(ok["name"], ok["error"], ok["holdout_actual"], strict=True)
        ]
    else:
        parts = [f"{k} {ll:,.1f}" for k, ll in zip(ok["name"], ok["log_likelihood"], strict=True)]
    # (by the models' names: people's view of the table has no code column, see for_people)
    failed = [str(k) for k in table.loc[table["failed"] != "", "name"]]
    sentence = label(f"clv.model.{criterion}", lang).format(model=name, others="; ".join(parts))
    if failed:
        sentence += label("clv.model.failed", lang).format(models=", ".join(failed))
    return sentence


def for_people(result: Result, lang: str) -> Result:
    """The models compared without their code column: people read the model's name (BG/NBD)
    beside it; JSON and CSV keep both."""
    import dataclasses

    models = result.tables.get("models")
    if models is None or "model" not in models.columns or "name" not in models.columns:
        return result
    return dataclasses.replace(result, tables={**result.tables, "models": models.drop(columns=["model"])})


def headline(result: Result, lang: str) -> list[str]:
    s = result.summary
    unit = label(f"clv.unit.{s['unit']}", lang)
    alive = result.rows["p_alive"].to_numpy()
    alive_key = "clv.headline_alive" if s["model"] == "bgnbd" else "clv.headline_alive_other"
    lines = [
        label("clv.headline", lang).format(
            customers=s["customers"],
            total=s["clv_total"],
            horizon=s["horizon"],
            unit=unit,
            margin=s["margin"],
            discount=s["discount_rate"],
            top_share=s["clv_top_decile_share"],
        ),
        label(alive_key, lang).format(
            purchases=s["expected_purchases"],
            alive=float((alive >= 0.5).mean()) if len(alive) else math.nan,
            one_time_alive=s["one_time_alive"],
            model=_NAMES[s["model"]],
        ),
        _fit_sentence(result, lang),
        _model_sentence(result, lang),
    ]
    if "holdout_end" in s:
        actual, predicted = s["holdout_actual"], s["holdout_predicted"]
        lines.append(
            label("clv.headline_holdout", lang).format(
                start=_iso(s["holdout_start"]),
                end=_iso(s["holdout_end"]),
                predicted=predicted,
                actual=actual,
                error=(predicted - actual) / actual if actual else float("nan"),
            )
        )
    return lines


def _nan(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _boundary_notes(s: dict[str, Any], lang: str) -> list[str]:
    """A note per limit the fits took: what the likelihood did and what the predictions use."""
    lines = []
    per_unit = label(f"clv.per_unit.{s['unit']}", lang)
    if s["model"] != "bgnbd":
        pass  # the limit of MBG/NBD or Pareto/NBD is named in the fit sentence
    elif s["bgnbd_dropout"] == "homogeneous":
        note = label("clv.note_dropout.homogeneous", lang)
        lines.append(note.format(dropout=s["dropout"], ll=s["bgnbd_log_likelihood"]))
    elif s["bgnbd_dropout"] in ("none", "certain"):
        lines.append(label(f"clv.note_dropout.{s['bgnbd_dropout']}", lang))
    if s["model"] == "bgnbd" and s.get("bgnbd_rate") == "one":
        lines.append(label("clv.note_rate.one", lang).format(rate=s["purchase_rate"], per_unit=per_unit))
    spend = s.get("gamma_gamma_boundary")
    if spend:
        lines.append(
            label(f"clv.note_spend.{spend}", lang).format(
                mean_spend=s["mean_spend"],
                nu=s.get("gamma_gamma_nu", math.nan),
                delta=s.get("gamma_gamma_delta", math.nan),
            )
        )
    return lines


def _identified_bgnbd(s: dict[str, Any]) -> tuple[str, ...]:
    """The BG/NBD parameters the fit has (a limit has no a and b, or no r and α)."""
    rate = ("rate",) if s.get("bgnbd_rate") == "one" else ("r", "alpha")
    dropout = {"beta": ("a", "b", "dropout"), "homogeneous": ("dropout",)}
    return rate + dropout.get(s["bgnbd_dropout"], ())


def _identified_gamma_gamma(s: dict[str, Any]) -> tuple[str, ...]:
    limits = {"same_mean_spend": ("p", "nu"), "steady_spend": ("q", "delta"), "identical_spend": ("spend",)}
    return limits.get(s.get("gamma_gamma_boundary") or "", ("p", "q", "gamma"))


def notes(result: Result, lang: str) -> list[str]:
    s, p = result.summary, result.params
    unit = label(f"clv.unit.{s['unit']}", lang)
    calibration_end = _iso(s["calibration_end"])
    margin_note = label(f"clv.note_margin_{s['margin_source']}", lang).format(margin=s["margin"])
    lines = [
        label("clv.note_purchase", lang).format(
            calibration_end=calibration_end, unit=unit, unit_days=p["unit_days"]
        ),
        label("clv.note_monetary", lang).format(
            n=s["gamma_gamma_customers"], corr=s["frequency_monetary_correlation"]
        ),
        label("clv.note_p_alive", lang),
        label("clv.note_discount", lang).format(
            rate=s["discount_rate"], years=p["unit_days"] / 365.25, horizon=s["horizon"], unit=unit
        ),
        margin_note,
    ]
    after, returns_only = s["customers_excluded_after_calibration"], s["customers_returns_only"]
    if after or returns_only:
        lines.append(label("clv.note_excluded", lang).format(after=after, returns_only=returns_only))
    lines.extend(_boundary_notes(s, lang))
    checks = [("Gamma-Gamma", _identified_gamma_gamma(s))]
    if s["model"] == "bgnbd":
        checks.insert(0, ("BG/NBD", _identified_bgnbd(s)))
    else:
        table = result.tables["parameters"]
        mine = table[table["model"] == _NAMES[s["model"]]]
        pairs = zip(mine["estimate"], mine["std_error"], strict=True)
        if any(_nan(float(se)) for v, se in pairs if not _nan(float(v))):
            lines.append(label("clv.note_se_missing", lang).format(model=_NAMES[s["model"]]))
    for model, names in checks:
        if any(_nan(s[f"{k}_se"]) for k in names):
            lines.append(label("clv.note_se_missing", lang).format(model=model))
    fitted = s.get("pareto_nbd_fitted_customers")
    if fitted is not None and fitted < s["customers"]:
        lines.append(label("clv.note_sample", lang).format(fitted=fitted, customers=s["customers"]))
    if s.get("interval") is not None:
        lines.append(label("clv.note_interval", lang).format(level=s["interval"], model=_NAMES[s["model"]]))
    lines.append(label("clv.note_tracking", lang).format(bin=s["p_alive_recency_bin"], unit=unit))
    observation_end = s.get("holdout_end")
    ignore_after = observation_end if observation_end is not None else s["calibration_end"]
    if s["data_end"] > ignore_after:
        lines.append(label("clv.note_ignored", lang).format(end=_iso(ignore_after)))
    if observation_end is not None:
        start, end = _iso(s["holdout_start"]), _iso(observation_end)
        lines.append(
            label("clv.note_holdout", lang).format(calibration_end=calibration_end, start=start, end=end)
        )
        if s["data_end"] < observation_end:
            # Days without data count as days without purchases: the comparison is only
            # fair up to the last purchase in the file.
            lines.append(
                label("clv.note_holdout_past_data", lang).format(data_end=_iso(s["data_end"]), end=end)
            )
    return lines
