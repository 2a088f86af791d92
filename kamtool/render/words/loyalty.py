"""The words of ``kamtool loyalty``: group names and actions, headline and notes."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from kamtool.labels import has_label, label
from kamtool.render.formats import figure, percent

if TYPE_CHECKING:
    import pandas as pd

    from kamtool.result import Result


def group_name(code: Any, lang: str) -> Any:
    """A group code (``switcher``) as people read it ("Brand switcher", 品牌转移客户); a value
    that is no code (already a name) stays as it is."""
    key = f"loyalty.name.{code}"
    return label(key, lang) if has_label(key) else code


def for_people(result: Result, lang: str) -> Result:
    """Group names in ``lang``, the recommended action beside each group, "(no brand)" in
    ``lang``."""
    from kamtool.analyses.loyalty import NO_BRAND

    def named(frame: pd.DataFrame) -> pd.DataFrame:
        if "group" not in frame.columns and "leading_brand" not in frame.columns:
            return frame
        out = frame.copy()
        if "group" in frame.columns:
            out["group"] = frame["group"].map(lambda code: group_name(code, lang))
        if "leading_brand" in frame.columns:
            no_brand = label("loyalty.no_brand", lang)
            out["leading_brand"] = frame["leading_brand"].map(lambda b: no_brand if b == NO_BRAND else b)
        return out

    tables = {name: named(frame) for name, frame in result.tables.items()}
    if "groups" in tables:
        codes = result.tables["groups"]["group"]
        tables["groups"]["action"] = [
            label(f"loyalty.action.{code}", lang) if has_label(f"loyalty.action.{code}") else ""
            for code in codes
        ]
    return dataclasses.replace(result, rows=named(result.rows), tables=tables)


def _day(value: Any) -> str:
    return value.date().isoformat() if hasattr(value, "date") else str(value)


def headline(result: Result, lang: str) -> list[str]:
    s, p = result.summary, result.params
    counts = s["group_counts"]
    fields = {k: f"{v:,}" for k, v in counts.items()}
    loyal_share = percent(s["loyal_revenue_share"], lang)
    if s["mode"] == "brand":
        lines = [
            label("loyalty.headline.brand", lang).format(
                customers=f"{s['customers']:,}", brand=s["brand"], loyal=fields["loyal"],
                loyal_share=loyal_share, switchers=fields["switcher"], no_loyalty=fields["no_loyalty"],
                other=fields["other_brands"],
            )
        ]
    else:
        lines = [
            label("loyalty.headline.behaviour", lang).format(
                customers=f"{s['customers']:,}", n=p["last_n"],
                period=label(f"loyalty.period.{p['period']}", lang), window=s["window"],
                loyal=fields["loyal"], loyal_share=loyal_share, developing=fields["developing"],
                one_time=fields["one_time"], lapsing=fields["lapsing"], lost=fields["lost"],
            )
        ]
    if s.get("base_status") == "no_positive_value":
        net = figure(s["revenue"], "money")
        lines.append(label("loyalty.headline.no_positive_value", lang).format(net=net))
    if s["new_products"] is not None:
        lines.append(
            label("loyalty.headline.adopters", lang).format(
                count=f"{s['early_adopters']:,}", products=f"{s['new_products']:,}",
                loyal=f"{s['early_adopters_loyal']:,}",
            )
        )
    return lines


def _mode_notes(result: Result, lang: str, period_word: str) -> list[str]:
    p = result.params
    if p["mode"] == "brand":
        brand = p["brand"]
        thr, maj = percent(p["share_threshold"], lang), percent(p["majority"], lang)
        return [
            label("loyalty.note.focal", lang).format(
                brand=brand, rule=label(f"loyalty.focal.{p['brand_rule']}", lang)
            ),
            label("loyalty.note.share", lang).format(brand=brand),
            label("loyalty.note.loyal_brand", lang).format(brand=brand, threshold=thr, majority=maj),
            label("loyalty.note.switcher", lang).format(brand=brand),
            label("loyalty.note.no_loyalty", lang).format(threshold=thr, majority=maj),
            label("loyalty.note.other_brands", lang).format(brand=brand, threshold=thr),
        ]
    latest = result.summary["latest_period"]
    lines = [
        label("loyalty.note.window", lang).format(n=p["last_n"], period=period_word, latest=latest),
        label("loyalty.note.behaviour", lang).format(
            majority=percent(p["majority"], lang), n=p["last_n"], period=period_word
        ),
    ]
    if result.context.get("brand_column"):
        lines.append(label("loyalty.note.brand_empty", lang))
    return lines


def notes(result: Result, lang: str) -> list[str]:
    p, s = result.params, result.summary
    period_word = label(f"loyalty.period.{p['period']}", lang)
    rule = "given" if p["as_of_rule"] == "given" else "default"
    lines = [
        label("loyalty.note.as_of", lang).format(
            as_of=_day(p["as_of"]), rule=label(f"loyalty.as_of.{rule}", lang)
        ),
        label("loyalty.note.periods", lang).format(
            period=period_word,
            detail=label("loyalty.period.quarter_detail", lang) if p["period"] == "quarter" else "",
        ),
    ]
    lines += _mode_notes(result, lang, period_word)
    if s["new_products"] is not None:
        start = result.context.get("data_start")
        lines += [
            label("loyalty.note.new_product", lang).format(
                grace=p["new_product_grace_days"], start=_day(start) if start is not None else "-",
                focal=label("loyalty.note.new_product_focal", lang) if p["mode"] == "brand" else "",
            ),
            label("loyalty.note.adopter", lang).format(
                window=p["launch_window"], rest=p["launch_window"] - 1
            ),
        ]
    else:
        lines.append(label("loyalty.note.no_product", lang))
    if s["group_counts"].get("no_net_purchase"):
        lines.append(label("loyalty.note.no_net_purchase", lang))
    return lines
