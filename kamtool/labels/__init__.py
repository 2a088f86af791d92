"""Every user-facing label, in English and Chinese.

Each area keeps its labels in its own module here (``common``, ``abc`` …) as
``LABELS = {"key": ("English", "中文")}``; this package merges them and refuses
duplicate keys, so two areas cannot silently fight over one word.  Templates use
``str.format`` fields: ``label("pareto.headline", "zh").format(share=0.3)``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

LANGS = ("en", "zh")

# The language of the messages on stderr (errors, warnings): the run's --lang, set by the command
# line before Click parses the options (kamtool.cli.app.main), so that an error raised before
# any option is parsed is said in it too.
_message_lang = ["en"]


def set_message_lang(lang: str) -> None:
    _message_lang[0] = lang if lang in LANGS else "en"


def message_lang() -> str:
    return _message_lang[0]


# In strict mode (tests) a key without a label raises instead of reading as a made-up
# English caption: see :func:`strict_labels`.
_strict = False


class MissingLabel(KeyError):
    """A key reached :func:`label`'s fallback caption in strict mode."""


@contextmanager
def strict_labels() -> Iterator[None]:
    """Within this block a key that has no label raises :class:`MissingLabel` instead of
    being shown as ``key.replace("_", " ").capitalize()``: a test wraps a run in it to
    prove every caption a reader sees was written in both languages."""
    global _strict
    before, _strict = _strict, True
    try:
        yield
    finally:
        _strict = before


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
        if "_" in key or key.islower():
            if _strict:
                raise MissingLabel(key)
            return key.replace("_", " ").capitalize()
        return key
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
    """The caption of an extra table (console title, the title line of its sheet)."""
    keys = (f"{command}.table.{name}", f"{command}.sheet.{name}", f"{command}.{name}",
            f"report.sheet.{name}", name)
    return _first_label(keys, lang) or label(name, lang)


def sheet_label(name: str, command: str, lang: str = "en") -> str:
    """The name of a table's sheet: a short label first (Excel allows 31 characters)."""
    keys = (f"{command}.sheet.{name}", f"{command}.table.{name}", f"{command}.{name}",
            f"report.sheet.{name}", name)
    return _first_label(keys, lang) or label(name, lang)


def value_labels(frame: Any, command: str, lang: str = "en") -> Any:
    """A copy of ``frame`` whose coded text values read in ``lang`` (for people, not scripts).

    A value ``v`` of column ``c`` is shown as the label ``{command}.{c}.{v}`` when one
    exists (``churn.status.lost`` -> 流失客户); JSON and CSV keep the codes.
    """
    keys = _all()
    out = None
    for col in frame.columns:
        if frame[col].dtype != object and str(frame[col].dtype) not in ("str", "string"):
            continue
        prefix = f"{command}.{col}."
        if not any(k.startswith(prefix) for k in keys):
            continue
        mapping = {v: label(prefix + str(v), lang) for v in frame[col].dropna().unique()
                   if prefix + str(v) in keys}
        if mapping:
            out = frame.copy() if out is None else out
            out[col] = frame[col].map(lambda v, m=mapping: m.get(v, v))
    return frame if out is None else out
