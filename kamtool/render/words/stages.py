"""Words of the relationship stages: counts per stage, flags, regressions; the rules."""

from __future__ import annotations

from kamtool.labels import label
from kamtool.result import Result


def headline(result: Result, lang: str) -> list[str]:
    s, p = result.summary, result.params
    lines = [
        label("stages.headline_counts", lang).format(
            **{k: s[k] for k in ("customers", "strategic", "stable", "initial", "cultivation")}
        )
    ]
    if s["declining"]:
        drop = f"{100 * p['stage_thresholds']['declining_drop']:g} %"
        lines.append(label("stages.headline_declining", lang).format(count=s["declining"], drop=drop))
    if s.get("lost"):
        t = p["stage_thresholds"]
        lines.append(label("stages.headline_lost", lang).format(
            count=s["lost"], multiple=f"{t['lost_gap_multiple']:g}", days=t["lost_min_days"]))
    if p.get("compare") is not None:
        lines.append(
            label("stages.headline_regressions", lang).format(compare=p["compare"], count=s["regressions"])
        )
    return lines


def notes(result: Result, lang: str) -> list[str]:
    p = result.params
    t = p["stage_thresholds"]
    breadth = label(f"stages.breadth.{p['breadth_basis'] or 'category'}", lang)
    lines = [
        label("stages.note_rules", lang).format(
            strategic_tenure=t["strategic_tenure"],
            quarters=t["quarters"],
            min_breadth=t["min_breadth"],
            breadth=breadth,
            stable_tenure=t["stable_tenure"],
            stable_quarters=t["stable_quarters"],
            stable_trend=f"{100 * t['stable_trend']:.0f} %",
        ),
        label("stages.note_window", lang).format(
            as_of=p["as_of"], window=p["window_months"], last=p["last_month"]
        ),
    ]
    if p["breadth_basis"] is None:
        lines.append(label("stages.note_no_breadth", lang))
    if p["lost"] == "not_known":
        lines.append(label("stages.note_no_lost", lang))
    return lines
