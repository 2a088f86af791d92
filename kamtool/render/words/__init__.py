"""The words of every command: headline sentences and notes, in English and Chinese.

Analyses return codes and numbers (:class:`kamtool.result.Result`); the sentences a person
reads are written here, one module per command (``kamtool.render.words.abc`` …), each with

- ``headline(result, lang) -> list[str]``: the sentences printed above the table;
- ``notes(result, lang) -> list[str]``: the definitions printed below it (tie rule, as-of
  date, what an order is);
- optionally ``for_people(result, lang) -> Result``: coded values in the report language and
  columns only people read (a segment's recommended action), for the console and
  workbooks, never for JSON or CSV;
- optionally ``chart_title(result, chart, lang) -> str`` for titles that are templates.

Templates come from :mod:`kamtool.labels`; numbers are formatted by
:mod:`kamtool.render.formats`. The console and the Excel writer call the three functions
below and nothing else, so a command's words are the same on the terminal and in a workbook.
A command without a module (churn and clv until their words move) falls back to the
sentences its analysis wrote.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kamtool.result import Chart, Result


def _module(command: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"{__name__}.{command}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{command}":
            raise
        return None


def headline(result: Result, lang: str) -> list[str]:
    """The command's headline, after the sentence stating the run's filters (when filtered)."""
    from kamtool.render.words.filters import sentence

    module = _module(result.command)
    lines = list(module.headline(result, lang)) if module is not None else []
    stated = sentence(result.params, lang)
    return [stated, *lines] if stated is not None else lines


def notes(result: Result, lang: str) -> list[str]:
    """The command's notes, then what a row of the --per table is (when there is one)."""
    from kamtool.render.words.per import note

    module = _module(result.command)
    lines = list(module.notes(result, lang)) if module is not None else []
    per = note(result, lang)
    return [*lines, per] if per is not None else lines


def for_people(result: Result, lang: str) -> Result:
    """The result as people read it: coded values in ``lang`` (segments, groups, statuses)
    and the columns only people read (actions). Applying it twice changes nothing more."""
    module = _module(result.command)
    hook = getattr(module, "for_people", None)
    if hook is not None:
        result = hook(result, lang)
    from kamtool.render.words.per import people

    return _coded_values(people(result, lang), lang)


def chart_title(result: Result, chart: Chart, lang: str) -> str:
    """A chart's title: the command's own words when it has them, else the label."""
    from kamtool.labels import label

    hook = getattr(_module(result.command), "chart_title", None)
    return str(hook(result, chart, lang)) if hook is not None else label(chart.title, lang)


def caption(result: Result, column: str, lang: str) -> str:
    """A column's caption; the entity column of ``--by HEADER`` reads as that header."""
    from kamtool.labels import column_label
    from kamtool.render.words import per

    if column == "entity" and result.params.get("by_label"):
        return str(result.params["by_label"])
    if column == "entity" and result.params.get("per_label"):
        return str(result.params["per_label"])
    figure = per.caption(result, column, lang)
    if figure is not None:
        return figure
    return column_label(column, result.command, lang)


def _coded_values(result: Result, lang: str) -> Result:
    """Codes with a label ``{command}.{column}.{code}`` (churn.status.lost) and the
    result's own value_labels, in ``lang`` (for commands whose words do not do it)."""
    import dataclasses

    from kamtool.labels import value_labels

    def words(frame: Any) -> Any:
        own = [c for c in result.value_labels if c in frame.columns]
        if own:
            frame = frame.copy()
            for col in own:
                mapping = result.value_labels[col]
                frame[col] = frame[col].map(lambda v, m=mapping: m.get(v, v))
        return value_labels(frame, result.command, lang)

    return dataclasses.replace(
        result, rows=words(result.rows), tables={name: words(t) for name, t in result.tables.items()}
    )
