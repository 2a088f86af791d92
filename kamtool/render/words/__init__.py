"""The words of every command: headline sentences and notes, in English and Chinese.

Analyses return codes and numbers (:class:`kamtool.result.Result`); the sentences a person
reads are written here, one module per command (``kamtool.render.words.abc`` …), each with

- ``headline(result, lang) -> list[str]``: the sentences printed above the table;
- ``notes(result, lang) -> list[str]``: the definitions printed below it (tie rule, as-of
  date, what an order is);
- optionally ``for_people(result, lang) -> Result``: columns only people read (a segment's
  recommended action), added for the console and workbooks, never for JSON or CSV.

Templates come from :mod:`kamtool.labels`; numbers are formatted by
:mod:`kamtool.render.formats`. The console and the Excel writer call the three functions
below and nothing else, so a command's words are the same on the terminal and in a workbook.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kamtool.result import Result


def _module(command: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"{__name__}.{command}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{command}":
            raise
        return None


def headline(result: Result, lang: str) -> list[str]:
    module = _module(result.command)
    return list(module.headline(result, lang)) if module is not None else []


def notes(result: Result, lang: str) -> list[str]:
    module = _module(result.command)
    return list(module.notes(result, lang)) if module is not None else []


def for_people(result: Result, lang: str) -> Result:
    module = _module(result.command)
    hook = getattr(module, "for_people", None)
    return hook(result, lang) if hook is not None else result
