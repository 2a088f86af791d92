"""The words of ``kamtool abc``: headline and notes, in English and Chinese."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kamtool.labels import label
from kamtool.render.formats import percent, percent_param
from kamtool.render.words.pareto import base_headline, base_notes, sentence_words, status_headline

if TYPE_CHECKING:
    from kamtool.result import Chart, Result

CLASSES = ("A", "B", "C")


def headline(result: Result, lang: str) -> list[str]:
    s, p = result.summary, result.params
    words = sentence_words(result, lang)
    if s.get("base_status") == "no_positive_value":
        return status_headline(result, lang) + base_headline(result, lang)
    lines = status_headline(result, lang) + [
        label("abc.headline.class", lang).format(
            cls=name,
            share=percent(s[f"class_{name.lower()}_entity_share"], lang),
            count=f"{s[f'class_{name.lower()}_entities']:,}",
            value_share=percent(s[f"class_{name.lower()}_value_share"], lang),
            **words,
        )
        for name in CLASSES
    ]
    lines.append(method_sentence(result, lang, "abc.headline.method_cumulative", "abc.headline.method_rank"))
    lines += base_headline(result, lang)
    if p.get("grid") is not None:
        lines.append(
            label("abc.headline.grid", lang).format(
                count=f"{s['class_a_profit_c_entities']:,}",
                value_share=percent(s["class_a_profit_c_value_share"], lang),
                **words,
            )
        )
    return lines


def notes(result: Result, lang: str) -> list[str]:
    p = result.params
    words = sentence_words(result, lang)
    lines = base_notes(result, lang)
    lines.append(method_sentence(result, lang, "abc.note.cumulative", "abc.note.rank"))
    lines.append(label("abc.note.ties", lang).format(**words))
    lines.append(label("abc.note.non_positive", lang).format(**words))
    if p.get("grid") is not None:
        lines.append(label("abc.note.grid", lang))
    return lines


def method_sentence(result: Result, lang: str, cumulative_key: str, rank_key: str) -> str:
    """The sentence on how the classes were cut, from the label of the method used.

    The cumulative method's labels take ``cut_a`` and ``cut_b`` (shares of value); the rank
    method's ``share_a``, ``share_b`` and ``share_ab`` (shares of customers, A and A + B).
    """
    p, words = result.params, sentence_words(result, lang)
    if p["method"] == "cumulative":
        cut_a, cut_b = p["thresholds"]
        return label(cumulative_key, lang).format(
            cut_a=percent_param(cut_a, lang), cut_b=percent_param(cut_b, lang), **words
        )
    share_a, share_b = p["shares"]
    return label(rank_key, lang).format(
        share_a=percent_param(share_a, lang),
        share_b=percent_param(share_b, lang),
        share_ab=percent_param(share_a + share_b, lang),
        **words,
    )


def chart_title(result: Result, chart: Chart, lang: str) -> str:
    return label(chart.title, lang).format(**sentence_words(result, lang))
