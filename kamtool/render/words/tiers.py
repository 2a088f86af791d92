"""Words of the tiers analysis: the split, what was left out, overloads, sensitivity; the rules."""

from __future__ import annotations

from typing import Any

from kamtool.labels import label
from kamtool.result import Result

FACTORS = ("strategic", "profit", "loyalty", "elasticity", "future")


def _pct(share: float) -> str:
    return f"{100 * share:.0f} %"


def _hours(value: float) -> str:
    return f"{value:,.1f}".rstrip("0").rstrip(".")


def _factor_names(factors: list[str], lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    return sep.join(label(f"tiers.factor.{f}", lang) for f in factors) or label("tiers.note_none", lang)


def for_people(result: Result, lang: str) -> Result:
    """The flags column in words: ``missing_strategic,missing_future`` reads "Missing: Strategic
    value, Future value" (缺少：战略及品牌价值、客户未来价值); JSON and CSV keep the codes."""
    import dataclasses

    rows = result.rows
    if "flags" not in rows.columns or rows.empty:
        return result
    prefix = "missing_"

    def words(code: str) -> str:
        factors = [f[len(prefix):] for f in code.split(",") if f.startswith(prefix)]
        if not code or not factors:
            return code
        return label("tiers.flag_missing", lang).format(factors=_factor_names(factors, lang))

    # each pattern of flags spelt once (at most 2^5), not once a customer
    mapping = {code: words(code) for code in rows["flags"].dropna().unique()}
    if all(code == text for code, text in mapping.items()):
        return result
    rows = rows.copy()
    rows["flags"] = rows["flags"].map(mapping)
    return dataclasses.replace(result, rows=rows)


def headline(result: Result, lang: str) -> list[str]:
    s, p = result.summary, result.params
    lines = [
        label("tiers.headline_split", lang).format(
            customers=s["customers"],
            first=p["first_month"],
            last=p["last_month"],
            key=s["key"],
            general=s["general"],
            small=s["small"],
        )
    ]
    if p["factors_left_out"]:
        lines.append(
            label("tiers.headline_left_out", lang).format(factors=_factor_names(p["factors_left_out"], lang))
        )
    if s["flagged"]:
        lines.append(label("tiers.headline_flagged", lang).format(count=s["flagged"]))
    if p.get("hours") is not None:
        hours, effort = float(p["hours"]), p["effort"]
        lines.append(
            label("tiers.headline_hours", lang).format(
                hours=_hours(hours),
                key_hours=_hours(hours * effort[0]),
                general_hours=_hours(hours * effort[1]),
                small_hours=_hours(hours * effort[2]),
            )
        )
    if s["overloaded_owners"]:
        owners = result.tables["owners"]
        names = ("、" if lang == "zh" else ", ").join(owners.loc[owners["overloaded"], "owner"].astype(str))
        lines.append(
            label("tiers.headline_overloaded", lang).format(count=s["overloaded_owners"], names=names)
        )
    lines.append(
        label("tiers.headline_sensitivity", lang).format(
            points=p["sensitivity_points"], most=s["most_changed"]
        )
    )
    return lines


def _basis(p: dict[str, Any], lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    components = sep.join(
        label(f"tiers.component.{c}", lang).format(brand=p.get("brand") or "")
        for c in p["loyalty_components"]
    )

    def word(key: str | None) -> str:
        return label(f"tiers.basis.{key}", lang) if key else label("tiers.note_none", lang)

    return label("tiers.note_basis", lang).format(
        profit=word(p["profit_basis"]),
        loyalty=components,
        elasticity=word(p["elasticity_basis"]),
        future=word(p["future_basis"]),
    )


def notes(result: Result, lang: str) -> list[str]:
    p, s = result.params, result.summary
    sep = "、" if lang == "zh" else ", "
    weights = sep.join(f"{label(f'tiers.factor.{f}', lang)} {_pct(w)}" for f, w in p["weights"].items())
    lines = [
        label("tiers.note_window", lang).format(
            first=p["first_month"], last=p["last_month"], as_of=p["as_of"], not_scored=s["not_scored"]
        ),
        label("tiers.note_weights", lang).format(weights=weights),
        label("tiers.note_percentile", lang),
        _basis(p, lang),
    ]
    if p.get("clv_fit") == "fitted":
        lines.append(label("tiers.note_clv", lang))
    elif p.get("clv_fit") is not None:
        lines.append(label("tiers.note_clv_failed", lang).format(code=p["clv_fit"]))
    if p.get("cutoffs"):
        key, general = p["cutoffs"]
        lines.append(label("tiers.note_cutoffs", lang).format(key=f"{key:g}", general=f"{general:g}"))
    else:
        a, b = p["shares"]
        lines.append(label("tiers.note_shares", lang).format(key=f"{a:g}", both=f"{a + b:g}"))
    if p.get("hours") is not None:
        k, g, sm = (_pct(e) for e in p["effort"])
        lines.append(label("tiers.note_effort", lang).format(key=k, general=g, small=sm))
    return lines
