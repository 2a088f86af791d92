"""Every user-facing label, in English and Chinese.

Each area keeps its labels in its own module here (``common``, ``abc`` …) as
``LABELS = {"key": ("English", "中文")}``; this package merges them and refuses
duplicate keys, so two areas cannot silently fight over one word.  Templates use
``str.format`` fields: ``label("pareto.headline", "zh").format(share=0.3)``.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

LANGS = ("en", "zh")


@cache
def _all() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for key, pair in getattr(module, "LABELS", {}).items():
            if key in merged:
                raise RuntimeError(f"label {key!r} defined twice (second in {info.name})")
            merged[key] = pair
    return merged


def label(key: str, lang: str = "en") -> str:
    """The label for ``key`` in ``lang``; unknown keys read as themselves.

    Column names without a label fall back to a readable form of the key
    (``net_revenue`` -> ``Net revenue``) so a new column never shows up blank.
    """
    pair = _all().get(key)
    if pair is None:
        return key.replace("_", " ").capitalize() if "_" in key or key.islower() else key
    return pair[1] if lang == "zh" else pair[0]


def has_label(key: str) -> bool:
    return key in _all()


def all_labels() -> dict[str, tuple[str, str]]:
    return dict(_all())


def _first_label(keys: tuple[str, ...], lang: str) -> str | None:
    for key in keys:
        if has_label(key):
            text = label(key, lang)
            if "{" not in text:  # a template needs fields only the analysis knows
                return text
    return None


def column_label(key: str, command: str, lang: str = "en") -> str:
    """A column's caption: the analysis' own label first, then the shared one."""
    return _first_label((f"{command}.{key}", key), lang) or label(key, lang)


def table_label(name: str, command: str, lang: str = "en") -> str:
    """The caption of an extra table (console title, workbook sheet)."""
    keys = (f"{command}.sheet.{name}", f"{command}.table.{name}", f"{command}.{name}",
            f"report.sheet.{name}", name)
    return _first_label(keys, lang) or label(name, lang)
