"""Option values checked without importing pydantic, when they are plainly right.

Typer (0.2x) checks every option of the command that runs with a pydantic TypeAdapter, built
on the first use: importing pydantic and building some forty adapters cost 0.2-0.3 s of each
run on these machines, more than the whole query on a 1,000-line file.  Nearly every value a
command receives is a default or a plain word or number, whose checked value is known
without pydantic: a string as it is, ``"20"`` as 20, ``"json"`` as ``Format.json``.  Those
are answered here; every other value (a bad number, an unknown choice, a value out of its
range, a type not listed here) goes to Typer's own check, so its answers and its error
messages are Typer's, word for word (tests/test_cli_coerce.py compares both).

Typer versions without that per-parameter check (``_runtime_param``) are left as they are.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any, get_args, get_origin

_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})\Z")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,15})?\Z")
_NO = object()  # no quick answer: Typer's own check decides


class QuickParam:
    """Stands in for Typer's runtime check of one parameter: the quick answer, else Typer's."""

    def __init__(self, param: Any) -> None:
        descriptor = param.type_descriptor
        self._annotation = descriptor.annotation
        self._info = descriptor.parameter_info

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        multi = param.multiple or param.nargs == -1
        if value is None:  # what Typer answers for an option not given and without a default
            return () if multi else None
        quick = _NO if getattr(ctx, "token_normalize_func", None) is not None else \
            quick_value(self._annotation, self._info, value, multi)
        if quick is not _NO:
            return quick
        from typer._coercion import build_runtime_param

        full = build_runtime_param(param.type_descriptor)  # pydantic, from here on
        param._runtime_param = full
        return full.coerce(value, param=param, ctx=ctx)


def quick_value(annotation: Any, info: Any, value: Any, multi: bool = False) -> Any:
    """What Typer's check answers for ``value`` of ``annotation``, when it is plainly right;
    else ``_NO``."""
    if getattr(info, "parser", None) is not None or getattr(info, "click_type", None) is not None:
        return _NO
    origin = get_origin(annotation)
    if origin is list and isinstance(value, (list, tuple)):
        (item,) = get_args(annotation) or (Any,)
        items = [quick_value(item, info, v) for v in value]
        return _NO if any(i is _NO for i in items) else items
    if origin is tuple and isinstance(value, (list, tuple)):
        types = get_args(annotation)
        if len(types) != len(value) or Ellipsis in types:
            return _NO
        items = [quick_value(t, info, v) for t, v in zip(types, value, strict=True)]
        return _NO if any(i is _NO for i in items) else tuple(items)
    if multi:
        return _NO
    if annotation is str:
        return value if type(value) is str else _NO
    if annotation is bool:
        return value if type(value) is bool else _NO
    if annotation is int:
        whole = value if type(value) is int else \
            int(value) if type(value) is str and _INT.match(value) else None
        return _NO if whole is None or not _in_range(whole, info) else whole
    if annotation is float:
        plain = type(value) in (float, int) or (type(value) is str and _FLOAT.match(value))
        number = float(value) if plain else None
        return _NO if number is None or not _in_range(number, info) else number
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        if isinstance(value, annotation):
            return value
        if type(value) is str and getattr(info, "case_sensitive", True):
            return next((m for m in annotation if type(m.value) is str and m.value == value), _NO)
    return _NO


def _in_range(number: float, info: Any) -> bool:
    if getattr(info, "clamp", False):
        return False  # Typer moves the value into the range: its check does that
    low, high = getattr(info, "min", None), getattr(info, "max", None)
    return (low is None or number >= low) and (high is None or number <= high)


def install(command: Any, help_names: list[str] | None = None) -> None:
    """Every parameter of ``command`` and of its subcommands, and their ``--help``, checks plain
    values quickly.  ``help_names``: the help options' names (the app's context settings)."""
    try:
        from typer._click.core import Context
    except ImportError:  # a Typer on Click itself, which checks no value with pydantic
        return
    names = help_names or getattr(command, "context_settings", {}).get("help_option_names") or ["--help"]
    params = list(getattr(command, "params", ()))
    if hasattr(command, "get_help_option"):
        # Made once per command and kept (Typer caches it): a run asks for the same one.
        params.append(command.get_help_option(Context(command, help_option_names=names)))
    for param in params:
        if getattr(param, "_runtime_param", _NO) is None and hasattr(param, "type_descriptor"):
            param._runtime_param = QuickParam(param)
    for sub in getattr(command, "commands", {}).values():
        install(sub, names)
