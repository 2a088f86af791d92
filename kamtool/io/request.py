"""What a command asks of the load, in canonical names only: the load request.

A command says what its analysis reads (a :class:`kamtool.needs.Needs`); the shared options
say how to read the files.  :func:`build_request` puts the two together, so no command sets a
load knob by hand.  ``--by HEADER`` is resolved here (:func:`resolve_by`): past this module
nothing sees a file's header except as a display label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kamtool.io.columns import CANONICAL, ENTITY, guess
from kamtool.io.read import ReadOptions
from kamtool.io.rules import CleanOptions
from kamtool.needs import ALL_FIGURES, Needs

ENGINES = ("local", "dask")


@dataclass(frozen=True)
class LoadRequest:
    """Everything the engine needs to build one ledger.

    files:     inputs as the user gave them ('-' is stdin).
    read, clean: how to read and clean them.
    overrides: canonical column -> header, from kamtool.toml's [columns] and --col.
    keys:      the grain of the ledger's one table, canonical names (``entity`` for --by HEADER,
               ``month`` derived from the date): :attr:`kamtool.needs.Needs.grain`.
    columns:   columns every file must have.
    optional:  keys a file may lack (then empty).
    measures:  measures beyond revenue ("profit", "quantity"); None: every column (inspect).
    figures:   the optional figures the table carries (see :class:`kamtool.needs.Needs`).
    engine:    "local" or "dask"; ``scheduler``: the Dask scheduler's address or a Client.
    by_label:  the header behind ``entity``, for display; None when no key is ``entity``.
    """

    files: tuple[str, ...]
    read: ReadOptions = field(default_factory=ReadOptions)
    clean: CleanOptions = field(default_factory=CleanOptions)
    overrides: dict[str, str] = field(default_factory=dict)
    keys: tuple[str, ...] = ("customer",)
    columns: tuple[str, ...] = ("customer", "date", "amount")
    optional: tuple[str, ...] = ()
    measures: tuple[str, ...] | None = ()
    figures: tuple[str, ...] = ALL_FIGURES
    engine: str = "local"
    scheduler: Any = None
    by_label: str | None = None


def resolve_by(by: str) -> tuple[str, str | None]:
    """``--by`` -> (canonical column, display label or None).

    A kamtool column name stays as it is; a header that is a synonym of one becomes that
    column (``--by 业务员`` -> salesperson); any other text names a column of the file, which
    becomes :data:`ENTITY` with the text as its label (the load says so if the file lacks it).
    """
    text = by.strip()
    if text in CANONICAL:
        return text, None
    canonical = guess(text)
    if canonical is not None:
        return canonical, None
    return ENTITY, text


def build_request(needs: Needs, files: Sequence[str], *, read: ReadOptions | None = None,
                  clean: CleanOptions | None = None, overrides: dict[str, str] | None = None,
                  engine: str = "local", scheduler: Any = None, by_label: str | None = None) -> LoadRequest:
    """The request for an analysis' ``needs`` over ``files`` with the shared options."""
    from kamtool.errors import UsageError

    if engine not in ENGINES:
        raise UsageError(f"--engine takes {' or '.join(ENGINES)} (got {engine!r})")
    if (ENTITY in needs.keys) != (by_label is not None):
        # A programming slip, not a user's: the entity column exists only with its header.
        raise ValueError(f"keys {needs.keys} and by_label {by_label!r} disagree")
    return LoadRequest(
        files=tuple(files), read=read or ReadOptions(), clean=clean or CleanOptions(),
        overrides=dict(overrides or {}), keys=tuple(needs.grain), columns=tuple(needs.columns),
        optional=tuple(needs.optional), measures=None if needs.measures is None else tuple(needs.measures),
        figures=tuple(needs.figures), engine=engine, scheduler=scheduler, by_label=by_label,
    )
