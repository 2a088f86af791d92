"""What a command asks of the load, in canonical names only: the load request.

A command says what its analysis reads (a :class:`kamtool.needs.Needs`); the shared options
say how to read the files.  :func:`build_request` puts the two together, so no command sets a
load knob by hand.  ``--by HEADER`` is resolved here (:func:`resolve_by`): past this module
nothing sees a file's header except as a display label.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kamtool.io.columns import CANONICAL, ENTITY, guess
from kamtool.io.read import ReadOptions
from kamtool.io.rules import CleanOptions
from kamtool.needs import ALL_FIGURES, Grain, Needs

ENGINES = ("local", "dask")
# The canonical name of a --where column that is none of kamtool's: ``field_1``, ``field_2`` …
# (its header travels as the filter's label, as --by HEADER's does as ``by_label``).
FIELD = "field_"


@dataclass(frozen=True)
class Where:
    """``--where COLUMN=VALUE[,VALUE…]``: keep the lines whose ``column`` is one of ``values``.

    column: a canonical text column (region, salesperson, customer …), or ``field_N`` for a
            file's own column, whose header is ``label``; values are compared as text after
            the cleaning io gives the column (trimmed; 1001.0 in a workbook reads as 1001).
    """

    column: str
    values: tuple[str, ...]
    label: str | None = None

    @property
    def name(self) -> str:
        """The column as a user named it: canonical, or the file's header."""
        return self.label if self.label is not None else self.column


@dataclass(frozen=True)
class Filters:
    """Which order lines a run reads: order dates from ``first`` to ``last`` (inclusive, either
    open) and every :class:`Where` (all of them must hold).  Applied in the load, on every
    engine (:mod:`kamtool.engine.filters`); the lines left out are counted by filter."""

    first: dt.date | None = None
    last: dt.date | None = None
    where: tuple[Where, ...] = ()

    def __bool__(self) -> bool:
        return self.first is not None or self.last is not None or bool(self.where)

    @property
    def dated(self) -> bool:
        return self.first is not None or self.last is not None

    def params(self) -> dict[str, Any]:
        """The filters as a result's ``params.filters`` states them, in canonical names (a file's
        own column by its header): the same in every language."""
        out: dict[str, Any] = {}
        if self.first is not None:
            out["from"] = self.first.isoformat()
        if self.last is not None:
            out["to"] = self.last.isoformat()
        if self.where:
            out["where"] = {w.name: list(w.values) for w in self.where}
        return out


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
    notes:     warnings for the user about the files (a file given twice), said by the command line.
    filters:   which lines to read (--from, --to, --where), see :class:`Filters`.
    grains:    more tables the analysis reads (:class:`kamtool.needs.Grain`), which the native
               engine builds from its scan with the main table at ``base`` (the analysis' own
               keys) instead of at ``keys``; the other engines ignore them.
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
    notes: tuple[str, ...] = ()
    filters: Filters = field(default_factory=Filters)
    grains: tuple[Grain, ...] = ()
    base: tuple[str, ...] = ()


GLOB_CHARS = "*?["


def expand_globs(files: Sequence[str]) -> list[str]:
    """A quoted glob the shell did not expand (``'orders-*.csv'``) -> its files, sorted, as under
    Dask; a name that exists as it is stays itself (a file may be called ``[draft].csv``)."""
    import glob
    import os

    from kamtool.errors import UsageError

    out: list[str] = []
    for name in files:
        if name == "-" or "://" in name or not any(ch in name for ch in GLOB_CHARS) or os.path.exists(name):
            out.append(name)
            continue
        matched = sorted(p for p in glob.glob(name, recursive=True) if not os.path.isdir(p))
        if not matched:
            raise UsageError.said("error.dask.no_file_matches", name=name)
        out.extend(matched)
    return out


def repeated_files(files: Sequence[str], dedupe: bool) -> tuple[list[str], list[str]]:
    """The files to read and a warning for each one given again.

    A repeat is the same file (device and inode: through a symlink or a ``../`` path too) or,
    under ``dedupe``, a copy of the same size and content (its SHA-256).  Without ``dedupe``
    a repeat is still read, as the user asked, and the warning says its lines count twice.
    """
    import hashlib
    import os

    kept: list[str] = []
    notes: list[str] = []
    seen_inode: dict[tuple[int, int], str] = {}
    by_size: dict[int, list[str]] = {}
    digests: dict[str, str] = {}

    def digest(path: str) -> str:
        if path not in digests:
            sha = hashlib.sha256()
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    sha.update(chunk)
            digests[path] = sha.hexdigest()
        return digests[path]

    for name in files:
        try:
            st = None if name == "-" or "://" in name else os.stat(name)
        except OSError:
            st = None  # the read says what is wrong with it
        if st is None:
            kept.append(name)
            continue
        first = seen_inode.get((st.st_dev, st.st_ino))
        if first is None and dedupe:
            try:
                same_size = by_size.get(st.st_size, [])
                first = next((other for other in same_size if digest(other) == digest(name)), None)
            except OSError:
                first = None
        if first is None:
            seen_inode[(st.st_dev, st.st_ino)] = name
            by_size.setdefault(st.st_size, []).append(name)
            kept.append(name)
            continue
        same = "the same file as" if (st.st_dev, st.st_ino) in seen_inode else "a copy of"
        if dedupe:
            notes.append(f"{name}: {same} {first}; read once (--dedupe-files)")
        else:
            notes.append(f"{name}: {same} {first}; its lines are counted twice "
                         f"(--dedupe-files reads it once)")
            kept.append(name)
    return kept, notes


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


def resolve_where(text: str, index: int) -> tuple[str, str | None]:
    """A ``--where`` column -> (canonical column, header label or None), as :func:`resolve_by`
    resolves ``--by``; a header that names none of kamtool's columns becomes ``field_{index}``.

    Only text columns filter by value: a date or number column is a UsageError (dates are
    --from / --to).
    """
    from kamtool.errors import UsageError
    from kamtool.io.columns import TEXT_COLUMNS

    column, label = resolve_by(text)
    if column == ENTITY:
        return f"{FIELD}{index}", label
    if column not in TEXT_COLUMNS:
        hint = "; order dates are filtered with --from / --to" if column == "date" else ""
        raise UsageError.said("error.request.where_not_text_column", text=text, column=column, hint=hint)
    return column, None


def build_request(needs: Needs, files: Sequence[str], *, read: ReadOptions | None = None,
                  clean: CleanOptions | None = None, overrides: dict[str, str] | None = None,
                  engine: str = "local", scheduler: Any = None, by_label: str | None = None,
                  dedupe: bool = False, filters: Filters | None = None) -> LoadRequest:
    """The request for an analysis' ``needs`` over ``files`` with the shared options.

    Quoted globs are expanded here, so the local engines read them as Dask does; a file given
    twice is noted, and with ``dedupe`` read once (see :func:`repeated_files`).
    """
    from kamtool.errors import UsageError

    if engine not in ENGINES:
        raise UsageError.said("error.request.engine_takes_got", engines=' or '.join(ENGINES), engine=engine)
    if (ENTITY in needs.keys) != (by_label is not None):
        # A programming slip, not a user's: the entity column exists only with its header.
        raise ValueError(f"keys {needs.keys} and by_label {by_label!r} disagree")
    files, notes = repeated_files(expand_globs(files), dedupe)
    return LoadRequest(
        files=tuple(files), notes=tuple(notes), read=read or ReadOptions(), clean=clean or CleanOptions(),
        overrides=dict(overrides or {}), keys=tuple(needs.grain), columns=tuple(needs.columns),
        optional=tuple(needs.optional), measures=None if needs.measures is None else tuple(needs.measures),
        figures=tuple(needs.figures), engine=engine, scheduler=scheduler, by_label=by_label,
        filters=filters or Filters(), grains=tuple(needs.grains), base=tuple(needs.keys),
    )
