"""The words of ``kamtool pareto``: headline and notes, in English and Chinese."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kamtool.labels import has_label, label
from kamtool.render.formats import figure, percent, percent_param

if TYPE_CHECKING:
    from kamtool.result import Chart, Result

MEASURE_KINDS = {"revenue": "money", "profit": "money", "quantity": "number", "orders": "count"}


def by_word(result: Result, lang: str) -> str:
    """The entity column inside a sentence ("customer", "客户", or the file's header)."""
    by = str(result.params["by"])
    header = result.params.get("by_label")
    if header:
        return str(header)
    word = label(by, lang)
    return word.lower() if lang == "en" else word


def noun(result: Result, lang: str) -> str:
    """Plural word for the entities ("customers", "客户"; "Kundengruppe values")."""
    key = f"pareto.noun.{result.params['by']}"
    if has_label(key) and not result.params.get("by_label"):
        return label(key, lang)
    return label("pareto.noun.fallback", lang).format(by=by_word(result, lang))


def sentence_words(result: Result, lang: str) -> dict[str, str]:
    """The fields every sentence template may use: noun, Noun, measure, by."""
    plural = noun(result, lang)
    return {
        "noun": plural,
        "Noun": plural[:1].upper() + plural[1:],
        "measure": label(f"pareto.measure.{result.params['measure']}", lang),
        "by": by_word(result, lang),
    }


def value_text(result: Result, value: float) -> str:
    """A figure of the measure: money with cents, orders whole, quantities in decimals."""
    return figure(value, MEASURE_KINDS[str(result.params["measure"])])


def base_notes(result: Result, lang: str) -> list[str]:
    """The ordering and share-base definitions printed with pareto and abc."""
    words = sentence_words(result, lang)
    s = result.summary
    notes = [
        label("pareto.note.order", lang).format(**words),
        label("pareto.note.base", lang).format(
            base=f"{s['base_entities']:,}", total=value_text(result, s["total"]), **words
        ),
    ]
    if s["missing_values"]:
        notes.append(label("pareto.note.missing", lang).format(count=s["missing_values"], **words))
    return notes


def base_headline(result: Result, lang: str) -> list[str]:
    """The sentences about zero and negative entities, when there are any."""
    words = sentence_words(result, lang)
    s = result.summary
    lines = []
    if s["zero_entities"]:
        lines.append(label("pareto.headline.zero", lang).format(count=f"{s['zero_entities']:,}", **words))
    if s["negative_entities"]:
        lines.append(
            label("pareto.headline.negative", lang).format(
                count=f"{s['negative_entities']:,}", value=value_text(result, s["negative_value"]), **words
            )
        )
    return lines


def status_headline(result: Result, lang: str) -> list[str]:
    """The sentence saying the share base is empty or outweighed by returns (base_status)."""
    s = result.summary
    status = s.get("base_status", "ok")
    if status == "ok":
        return []
    return [
        label(f"pareto.headline.{status}", lang).format(
            count=f"{s['entities']:,}", base=f"{s['base_entities']:,}", total=value_text(result, s["total"]),
            net=value_text(result, s["total"] + s["negative_value"]), **sentence_words(result, lang),
        )
    ]  # fmt: skip


def headline(result: Result, lang: str) -> list[str]:
    s = result.summary
    words = sentence_words(result, lang)
    if s.get("base_status") == "no_positive_value":
        return status_headline(result, lang) + base_headline(result, lang)
    lines = [
        label("pareto.headline.target", lang).format(
            share=percent(s["entities_for_target_share"], lang),
            count=f"{s['entities_for_target']:,}",
            base=f"{s['base_entities']:,}",
            target=percent_param(s["target"], lang),
            **words,
        ),
        label("pareto.headline.top", lang).format(
            count=f"{s['top20_entities']:,}",
            top20=percent(s["top20_share"], lang),
            top1=percent(s["top1_share"], lang),
            top5=percent(s["top5_share"], lang),
            top10=percent(s["top10_share"], lang),
            **words,
        ),
        label("pareto.headline.concentration", lang).format(
            gini=f"{s['gini']:.2f}",
            base=f"{s['base_entities']:,}",
            hhi=f"{s['hhi']:.4f}",
            equivalent=f"{s['effective_entities']:,.1f}",
            **words,
        ),
        label("pareto.headline.risk", lang).format(
            entity=s["top1_entity"],
            share=percent(s["top1_share"], lang),
            value=value_text(result, s["value_at_risk_top1"]),
            **words,
        ),
    ]
    return status_headline(result, lang) + lines + base_headline(result, lang)


def notes(result: Result, lang: str) -> list[str]:
    words = sentence_words(result, lang)
    target = percent_param(result.summary["target"], lang)
    return base_notes(result, lang) + [
        label(f"pareto.note.{key}", lang).format(target=target, **words)
        for key in ("target", "top20", "gini", "hhi")
    ]


def chart_title(result: Result, chart: Chart, lang: str) -> str:
    return label(chart.title, lang).format(**sentence_words(result, lang))
