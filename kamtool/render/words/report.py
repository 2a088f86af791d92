"""The words of `kamtool report`: the Overview's captions, why a sheet is missing, the Data
quality items and the Definitions, in English and Chinese (templates in kamtool.labels.report)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from kamtool.labels import has_label, label

if TYPE_CHECKING:
    import pandas as pd

    from kamtool.analyses.report import Report, Skipped
    from kamtool.result import Result


def headline(result: Result, lang: str) -> list[str]:
    """The Overview's one line: the as-of date and what last period is."""
    params = result.params
    if not params.get("as_of"):
        return []
    return [label("report.overview.as_of", lang).format(as_of=params["as_of"],
                                                        previous=params.get("previous_as_of") or "–")]


def notes(result: Result, lang: str) -> list[str]:
    return []


def analysis_name(name: str, lang: str) -> str:
    return label(f"report.analysis.{name}", lang)


def kpi_caption(kpi: str, lang: str) -> str:
    return label(f"report.kpi.{kpi}", lang)


def kpi_text(value: Any, kind: str, lang: str) -> str:
    """A KPI as the console shows it: money to the cent, counts whole, shares as per cent."""
    from kamtool.render.formats import figure

    if _missing(value):
        return label("report.overview.missing", lang)
    if kind == "number":
        return f"{float(value):.3f}"
    return figure(value, kind)


def change_text(value: Any, kind: str, lang: str) -> str:
    """The change since last period, signed; a share's change in percentage points."""
    if _missing(value):
        return label("report.overview.missing", lang)
    sign = "+" if value > 0 else ""
    if kind == "share":
        return f"{sign}{value * 100:.1f} pp" if lang == "en" else f"{sign}{value * 100:.1f} 个百分点"
    return sign + kpi_text(value, kind, lang)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def skipped_text(skipped: Skipped, lang: str) -> str:
    """Why an analysis is not in the report, in a sentence the user can act on."""
    return label(f"report.skip.{skipped.code}", lang).format(detail=skipped.detail)


def sheet_notes(codes: list[str], lang: str) -> list[str]:
    """The notes the report adds to an analysis' Summary (an input it ran without)."""
    return [label(f"report.note.{code}", lang) for code in codes]


def quality_frame(quality: Result, lang: str) -> pd.DataFrame:
    """The Data quality rows in words: the item's caption, the engine and codes explained."""
    frame = quality.rows.copy()
    frame["kind"] = [label(f"report.dq.kind.{k}", lang) if has_label(f"report.dq.kind.{k}") else k
                     for k in frame["kind"]]
    frame["value"] = [_quality_value(item, value, lang) for item, value in zip(frame["item"], frame["value"],
                                                                              strict=True)]
    frame["item"] = [_quality_item(item, lang) for item in frame["item"]]
    return frame


def _quality_item(item: str, lang: str) -> str:
    head, _dot, rest = item.partition(".")
    if head == "column":
        own = f"report.dq.col.{rest}"
        return label("report.dq.column", lang).format(column=label(own if has_label(own) else rest, lang))
    if head == "dropped":
        key = f"inspect.reason.{rest}"
        return label("report.dq.dropped", lang).format(reason=label(key, lang) if has_label(key) else rest)
    return label(f"report.dq.{item}", lang)


def _quality_value(item: str, value: Any, lang: str) -> Any:
    key = f"report.dq.{item}.{value}"
    return label(key, lang) if item in ("engine", "orders_basis") and has_label(key) else value


def definitions(report: Report, lang: str,
                split: tuple[str, str, str] | None = None) -> list[tuple[str, list[str]]]:
    """(section, sentences) of the Definitions sheet: the report's own dates and rules, then
    every analysis' parameters (as its Summary states them) and its definitions (notes).

    ``split``: (dimension, value, owner rule code) of a workbook per owner.
    """
    from kamtool.analyses.report import Skipped
    from kamtool.render.excel import param_sentences
    from kamtool.render.words import notes as result_notes

    params = report.overview.params
    own = [label("report.def.as_of", lang).format(as_of=params.get("as_of") or "–"),
           label("report.def.previous", lang).format(previous=params.get("previous_as_of") or "–")]
    if report.quality is not None:
        basis = report.quality.rows.loc[report.quality.rows["item"] == "orders_basis", "value"]
        if len(basis):
            own.append(label("report.def.orders", lang).format(
                basis=label(f"report.dq.orders_basis.{basis.iloc[0]}", lang)))
    own.append(label("report.def.defaults", lang))
    if split is not None:
        dimension, value, rule = split
        own.append(label("report.def.split", lang).format(dimension=label(dimension, lang), value=value,
                                                          rule=label(f"report.def.rule.{rule}", lang)))
    sections = [(label("report.def.report", lang), own)]
    for name, result in report.results.items():
        if isinstance(result, Skipped):
            sections.append((analysis_name(name, lang), [skipped_text(result, lang)]))
            continue
        lines = [*param_sentences(result, lang), *result_notes(result, lang)]
        sections.append((analysis_name(name, lang), lines))
    return sections
