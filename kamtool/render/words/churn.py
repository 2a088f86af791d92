"""The words of `kamtool churn`: headline, notes and the bridge's step names."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from kamtool.labels import has_label, label
from kamtool.result import Result

_MODEL_NAMES = {"bgnbd": "BG/NBD"}


def _pct(value: float, lang: str) -> str:
    return label("churn.not_available", lang) if value is None or math.isnan(value) else f"{value:.1%}"


def _money(value: float) -> str:
    return f"{value:,.2f}"


def _iso(value: Any) -> str:
    return value.date().isoformat() if hasattr(value, "date") else str(value)


def headline(result: Result, lang: str) -> list[str]:
    s = result.summary
    lines = [
        label("churn.headline_customers", lang).format(
            start=s["period_start"],
            end=s["period_end"],
            start_customers=s["start_customers"],
            retained=s["retained"],
            lost=s["lost"],
            churn_rate=_pct(s["churn_rate"], lang),
            new=s["new"],
            reactivated=s["reactivated"],
        ),
        label("churn.headline_revenue", lang).format(
            start_revenue=_money(s["start_revenue"]),
            end_revenue=_money(s["end_revenue"]),
            grr=_pct(s["gross_revenue_retention"], lang),
            nrr=_pct(s["net_revenue_retention"], lang),
        ),
    ]
    fell = s["key_accounts_lost"] + s["key_accounts_declined"]
    if fell:
        lines.append(
            label("churn.headline_key_accounts", lang).format(
                count=fell, revenue=_money(s["key_account_revenue_lost"])
            )
        )
    if s["at_risk_customers"]:
        lines.append(
            label("churn.headline_at_risk", lang).format(
                count=s["at_risk_customers"], revenue=_money(s["revenue_at_risk"])
            )
        )
    return lines


def notes(result: Result, lang: str) -> list[str]:
    s, p = result.summary, result.params
    as_of = _iso(s["as_of"])
    start, end = s["period_start"], s["period_end"]
    lines = [
        label("churn.note_as_of", lang).format(
            as_of=as_of,
            rule=label(f"churn.as_of.{'default' if p['as_of_rule'] != 'given' else 'given'}", lang),
            period=label(f"churn.period.{p['period']}", lang),
            start=start,
            end=end,
        )
    ]
    lines += [
        label("churn.note_incomplete", lang).format(label=name, as_of=as_of) for name in _incomplete(result)
    ]
    with_p_alive = bool(p["p_alive_given"])
    p_clause = (
        label("churn.note_warning_p_alive", lang).format(threshold=f"{p['p_alive_threshold']:g}")
        if with_p_alive
        else ""
    )
    thresholds = p["thresholds"]
    lines += [
        label("churn.note_bought", lang),
        label("churn.note_status", lang),
        label("churn.note_rates", lang),
        label("churn.note_bridge", lang),
        label("churn.note_abc", lang).format(a=f"{thresholds[0]:.0%}", b=f"{thresholds[1]:.0%}"),
        label("churn.note_warning", lang).format(
            as_of=as_of, factor=f"{p['silence_factor']:g}", p_alive=p_clause
        ),
        label("churn.note_cohorts", lang).format(cohort=label(f"churn.period.{p['cohort']}", lang)),
    ]
    if s.get("p_alive_status") == "not_fitted":
        lines.append(p_alive_note(result, lang))
    return lines


def _incomplete(result: Result) -> list[str]:
    """The compared periods not complete as of the as-of date (the end one, maybe both)."""
    s = result.summary
    flags = (
        (s["period_start"], s.get("period_start_complete", True)),
        (s["period_end"], s["period_end_complete"]),
    )
    return [name for name, complete in flags if not complete]


def p_alive_note(result: Result, lang: str) -> str:
    """Why the early warning goes without P(alive), from the reason code and its figures."""
    s, p = result.summary, result.params
    reason = s.get("p_alive_reason") or "other"
    figures = dict(p.get("p_alive_fit") or {})
    model = _MODEL_NAMES.get(str(p.get("p_alive_model")), str(p.get("p_alive_model")))
    figures.setdefault("model", model)
    if isinstance(figures.get("parameters"), list | tuple):
        figures["parameters"] = ", ".join(figures["parameters"])
    key = f"churn.note_p_alive.{reason}"
    if not has_label(key):
        return label("churn.note_p_alive.other", lang).format(model=model, reason=reason)
    return label(key, lang).format(as_of=_iso(s["as_of"]), **figures)


def for_people(result: Result, lang: str) -> Result:
    """The bridge with one label column, its steps in words (scripts read the step codes).

    The codes column goes: people read the words, and both columns held the same text.
    The bridge's chart takes its categories from the words.  Applied twice (the CLI's
    value labels first) it keeps the words it finds.
    """
    bridge = result.tables.get("bridge")
    if bridge is None or "step" not in bridge:
        return result
    bridge = bridge.copy()
    bridge["step_label"] = [label(f"churn.step.{step}", lang) if has_label(f"churn.step.{step}") else step
                            for step in bridge["step"]]
    bridge = bridge.drop(columns=["step"])
    charts = [dataclasses.replace(c, category="step_label") if c.table == "bridge" and c.category == "step"
              else c for c in result.charts]
    return dataclasses.replace(result, tables={**result.tables, "bridge": bridge}, charts=charts)
