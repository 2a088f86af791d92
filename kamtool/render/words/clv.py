"""The words of `kamtool clv`: headline and notes, from the result's codes and numbers."""

from __future__ import annotations

import math
from typing import Any

from kamtool.labels import label
from kamtool.result import Result


def _iso(value: Any) -> str:
    return value.date().isoformat() if hasattr(value, "date") else str(value)


def headline(result: Result, lang: str) -> list[str]:
    s = result.summary
    unit = label(f"clv.unit.{s['unit']}", lang)
    alive = result.rows["p_alive"].to_numpy()
    homogeneous = s["bgnbd_dropout"] == "homogeneous"
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
            purchases=s["expected_purchases"], alive=float((alive >= 0.5).mean()) if len(alive) else math.nan
        ),
        label("clv.headline_fit_homogeneous" if homogeneous else "clv.headline_fit", lang).format(
            ll=s["bgnbd_log_likelihood"],
            ll_gg=s["gamma_gamma_log_likelihood"],
            dropout=s["dropout"],
            **{k: s[k] for k in ("r", "alpha", "a", "b", "p", "q", "gamma")},
        ),
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
    homogeneous = s["bgnbd_dropout"] == "homogeneous"
    if homogeneous:
        lines.append(
            label("clv.note_homogeneous", lang).format(dropout=s["dropout"], ll=s["bgnbd_log_likelihood"])
        )
    # a and b have no standard errors in the homogeneous limit; that note says why.
    identified = ("r", "alpha", "dropout") if homogeneous else ("r", "alpha", "a", "b", "dropout")
    for model, names in (("BG/NBD", identified), ("Gamma-Gamma", ("p", "q", "gamma"))):
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
