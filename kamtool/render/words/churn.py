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
    if "churn_type_subjects" in s:
        lines += type_headline(result, lang)
    return lines


def _type_word(code: str | None, lang: str) -> str:
    return label(f"churn.churn_type.{code}", lang) if code else label("churn.not_available", lang)


def _key_basis(result: Result, lang: str) -> str:
    p = result.params
    return label(f"churn.key_basis.{p['key_accounts_basis']}", lang).format(as_of=p.get("key_tier_as_of"))


def type_headline(result: Result, lang: str) -> list[str]:
    """The main reason for the losses (the type with the most revenue lost), for everyone and
    for the key accounts."""
    s = result.summary
    if not s["churn_type_subjects"]:
        return [label("churn.headline_types_none", lang)]
    main = s["churn_type_main"]
    lines = [
        label("churn.headline_types", lang).format(
            type=_type_word(main, lang), count=s[f"churn_type_{main}"],
            subjects=s["churn_type_subjects"], revenue=_money(s["churn_type_main_revenue_lost"]),
            total=_money(s["churn_type_revenue_lost"]),
        )
    ]
    if s["key_churn_type_subjects"]:
        lines.append(
            label("churn.headline_types_key", lang).format(
                basis=_key_basis(result, lang), subjects=s["key_churn_type_subjects"],
                total=_money(s["key_churn_type_revenue_lost"]),
                type=_type_word(s["key_churn_type_main"], lang),
            )
        )
    return lines


def type_notes(result: Result, lang: str) -> list[str]:
    """The churn-type rule, what the key accounts are, and what could not be inferred."""
    # the statuses are text to match, some of them Chinese: words, not a JSON parameter
    from kamtool.analyses.churn_types import DROPPED_STATUSES

    p = result.params
    lines = [
        label("churn.note_types", lang).format(
            decline=f"{p['churn_type_decline_share']:.0%}",
            # the English note (and the JSON's notes) name the Latin ones; the label says so
            statuses=" / ".join(t for t in DROPPED_STATUSES if lang == "zh" or t.isascii()),
            days=p["churn_type_overdue_days"], drop=f"{p['churn_type_share_drop'] * 100:g}",
            periods=p["churn_type_share_periods"],
        ),
        label(f"churn.note_key_basis.{p['key_accounts_basis']}", lang).format(as_of=p.get("key_tier_as_of")),
    ]
    known = {"accounts": p["churn_type_from_accounts"], "credit": p["churn_type_from_credit"],
             "brand_shares": p["churn_type_from_brand_shares"], "lines": p["churn_type_line_column"]}
    missing = [label(f"churn.note_not_inferable.{name}", lang) for name, ok in known.items() if not ok]
    if missing:
        items = ("；" if lang == "zh" else "; ").join(missing)
        lines.append(label("churn.note_not_inferable", lang).format(items=items))
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
    if "churn_type_from_accounts" in p:
        lines += type_notes(result, lang)
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
