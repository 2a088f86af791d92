"""The words of ``kamtool rfm``: segment names and actions, headline and notes.

Rows and JSON carry a segment's rule name (``Champions``, or a custom rule's own name);
people read it in the report language, with the recommended action beside it.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from kamtool.labels import has_label, label
from kamtool.render.formats import figure, percent

if TYPE_CHECKING:
    import pandas as pd

    from kamtool.analyses.rfm import SegmentRule, SegmentTable
    from kamtool.result import Result


def _table(result: Result) -> SegmentTable:
    from kamtool.analyses.rfm import DEFAULT_SEGMENTS

    table: SegmentTable = result.context.get("segments", DEFAULT_SEGMENTS)
    return table


def rule_name(rule: SegmentRule, lang: str) -> str:
    """A rule's segment name in ``lang``: the rule file's name_zh, else the default
    table's label, else the name as written."""
    if lang == "zh" and rule.name_zh:
        return rule.name_zh
    key = f"rfm.segment.{rule.slug}"
    return label(key, lang) if has_label(key) else rule.name


def rule_action(rule: SegmentRule, lang: str) -> str:
    """A rule's recommended action in ``lang`` (a label key or the rule file's text)."""
    if lang == "zh" and rule.action_zh:
        return rule.action_zh
    return label(rule.action, lang) if has_label(rule.action) else rule.action


def segment_words(table: SegmentTable, lang: str) -> dict[str, tuple[str, str]]:
    """Segment code -> (name, action) in ``lang``, Others included."""
    from kamtool.analyses.rfm import NEGATIVE, OTHERS

    words = {rule.name: (rule_name(rule, lang), rule_action(rule, lang)) for rule in table}
    words[OTHERS] = (label("rfm.segment.others", lang), label("rfm.action.others", lang))
    words[NEGATIVE] = (label("rfm.segment.negative_value", lang), label("rfm.action.negative_value", lang))
    return words


def rules_table(table: SegmentTable | None = None, lang: str = "en") -> pd.DataFrame:
    """The rule table as people read it: rule, segment, score ranges, action."""
    from kamtool.analyses.rfm import DEFAULT_SEGMENTS, rules_frame

    table = DEFAULT_SEGMENTS if table is None else table
    frame = rules_frame(table)
    frame["segment"] = [rule_name(rule, lang) for rule in table]
    frame["action"] = [rule_action(rule, lang) for rule in table]
    return frame


def for_people(result: Result, lang: str) -> Result:
    """Segment names in ``lang``, the action beside each segment, and the rule table."""
    table = _table(result)
    words = segment_words(table, lang)

    def named(frame: pd.DataFrame) -> pd.DataFrame:
        if "segment" not in frame.columns:
            return frame
        out = frame.copy()
        out["segment"] = frame["segment"].map(lambda v: words.get(v, (v, ""))[0])
        return out

    tables = {name: named(frame) for name, frame in result.tables.items()}
    if "segments" in tables:
        codes = result.tables["segments"]["segment"]
        tables["segments"]["action"] = [words.get(code, (code, ""))[1] for code in codes]
    if "rules" not in tables:
        # the rule table beside the thresholds, where the workbook has always shown it
        rules = rules_table(table, lang)
        names = list(tables)
        at = names.index("scores") + 1 if "scores" in names else len(names)
        tables = {**dict(list(tables.items())[:at]), "rules": rules, **dict(list(tables.items())[at:])}
    return dataclasses.replace(result, rows=named(result.rows), tables=tables)


def headline(result: Result, lang: str) -> list[str]:
    s = result.summary
    words = segment_words(_table(result), lang)
    segments = result.tables["segments"]
    largest = segments.sort_values(["customers", "revenue"], ascending=False, kind="stable").iloc[0]
    lines = [
        label("rfm.headline", lang).format(
            customers=f"{s['customers']:,}",
            as_of=_day(s["as_of"]),
            segment=words.get(largest["segment"], (largest["segment"], ""))[0],
            share=percent(float(largest["share"]), lang),
            revenue_share=percent(float(largest["revenue_share"]), lang),
        )
    ]
    if s.get("base_status") == "no_positive_value":
        lines.append(label("rfm.headline.no_positive_value", lang).format(net=figure(s["revenue"], "money")))
    if s.get("negative_customers"):
        lines.append(label("rfm.headline.negative", lang).format(
            count=f"{s['negative_customers']:,}", value=figure(s["negative_revenue"], "money")))
    if s["others"]:
        lines.append(label("rfm.headline.others", lang).format(count=f"{s['others']:,}"))
    if s["empty_scores"]:
        lines.append(label("rfm.headline.empty", lang).format(scores=", ".join(s["empty_scores"])))
    return lines


def _day(value: Any) -> str:
    return value.date().isoformat() if hasattr(value, "date") else str(value)


def notes(result: Result, lang: str) -> list[str]:
    p = result.params
    bins = p["bins"]
    rule = "given" if p["as_of_rule"] == "given" else "default"
    source = label("rfm.rules.default", lang) if p["segments"] == "default" else p["segments"]
    lines = [
        label("rfm.note.quantile", lang).format(bins=bins, last=bins - 1),
        label("rfm.note.bins", lang),
        label("rfm.note.recency", lang).format(as_of=_day(p["as_of"]), rule=label(f"rfm.as_of.{rule}", lang)),
        label("rfm.note.measures", lang),
        label("rfm.note.rules", lang).format(source=source),
    ]
    if p["thresholds"]:
        dims = ", ".join(d.upper() for d in ("r", "f", "m") if d in p["thresholds"])
        lines.insert(2, label("rfm.note.custom", lang).format(dims=dims))
    return lines
