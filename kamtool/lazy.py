"""Modules imported on first use, for the modules the command line reads before the load.

A command reads what its analysis needs (``kamtool.analyses.abc.needs``) before the load
starts, so importing an analysis module must not import pandas or pyarrow (0.4 s and 0.3 s
here): they load in a thread while DuckDB reads (see :mod:`kamtool.warm`), and the analysis
module meets them on its first call. Type checkers see the real modules::

    if TYPE_CHECKING:
        import pandas as pd
    else:
        pd = lazy_module("pandas")
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class _LazyModule(ModuleType):
    """Stands for a module until an attribute is read; then imports it and becomes a copy of
    its namespace, so later reads cost what a module's do."""

    def __init__(self, name: str) -> None:
        super().__init__(name)

    def __getattr__(self, attr: str) -> Any:
        module = importlib.import_module(self.__name__)
        self.__dict__.update(module.__dict__)
        return getattr(module, attr)


def lazy_module(name: str) -> Any:
    """``name`` (e.g. "pandas"), imported when first used."""
    return _LazyModule(name)
