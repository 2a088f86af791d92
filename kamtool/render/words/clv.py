"""The words of `kamtool clv`: headline and notes, from the result's codes and numbers."""

from __future__ import annotations

import math
from typing import Any

from kamtool.labels import label
from kamtool.result import Result


def _iso(value: Any) -> str:
    return value.date().isoformat() if hasattr(value, "date") else str(value)


def _fit_sentence(s: dict[str, Any], lang: str) -> str:
    """What the two models found, each with an interior maximum or at its boundary."""
    bg_boundary, gg_boundary = s.get("bgnbd_boundary"), s.get("gamma_gamma_boundary")
    bg_key = "clv.fit.bgnbd" + (f".{bg_boundary}" if bg_boundary else "")
    gg_key = "clv.fit.gamma_gamma" + (f".{gg_boundary}" if gg_boundary else "")
    figures = {k: s[k] for k in ("r", "alpha", "a", "b", "p", "q", "gamma", "dropout", "mean_spend")}
    bgnbd = label(bg_key, lang).format(
        ll=s["bgnbd_log_likelihood"],
        rate=s["purchase_rate"],
        per_unit=label(f"clv.per_unit.{s['unit']}", lang),
        **figures,
    )
    gamma_gamma = label(gg_key, lang).format(
        ll_gg=s["gamma_gamma_log_likelihood"],
        p_limit=s.get("gamma_gamma_p", math.nan),
        q_limit=s.get("gamma_gamma_q", math.nan),
        **figures,
    )
    return label("clv.headline_fit", lang).format(bgnbd=bgnbd, gamma_gamma=gamma_gamma)


def headline(result: Result, lang: str) -> list[str]:
    s = result.summary
    unit = label(f"clv.unit.{s['unit']}", lang)
    alive = result.rows["p_alive"].to_numpy()
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
        label("clv.headline_alive", lang).format(
            purchases=s["expected_purchases"],
            alive=float((alive >= 0.5).mean()) if len(alive) else math.nan,
            one_time_alive=s["one_time_alive"],
        ),
        _fit_sentence(s, lang),
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
    if s["bgnbd_dropout"] == "homogeneous":
        note = label("clv.note_dropout.homogeneous", lang)
        lines.append(note.format(dropout=s["dropout"], ll=s["bgnbd_log_likelihood"]))
    elif s["bgnbd_dropout"] in ("none", "certain"):
        lines.append(label(f"clv.note_dropout.{s['bgnbd_dropout']}", lang))
    if s.get("bgnbd_rate") == "one":
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
    for model, names in (("BG/NBD", _identified_bgnbd(s)), ("Gamma-Gamma", _identified_gamma_gamma(s))):
        if any(_nan(s[f"{k}_se"]) for k in names):
            lines.append(label("clv.note_se_missing", lang).format(model=model))
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
