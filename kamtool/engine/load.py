"""The one load entry: ``load(request) -> Ledger``, and the only place that picks the engine.

- ``dask`` when the request asks for it (``--engine dask``): the files go to the cluster.
- ``native`` when one local CSV (UTF-8) or Parquet file is plain enough for DuckDB to read
  it itself and prove it needs no cleaning (:mod:`kamtool.engine.native`); the fastest.
- ``arrow`` otherwise: io cleans the lines, DuckDB aggregates them (:mod:`kamtool.engine.stream`).

The ledger says which ran and, when it was not the native engine, why, in one sentence a
user can act on ("the file is GB18030", "line 1,204 holds money text '¥1,234.50' in column 金额").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from kamtool.engine import native
from kamtool.ledger import Ledger

if TYPE_CHECKING:
    from kamtool.io.read import Source
    from kamtool.io.request import LoadRequest

# Gate reasons that KAMTOOL_NATIVE=force lets pass: the path was not asked to run at all.
_NOT_TRIED = ("several input files",)


def load(request: LoadRequest, progress: Callable[[int, int], None] | None = None) -> Ledger:
    """Read ``request``'s inputs into its ledger, on the engine that fits them.

    ``progress(rows, size)``: lines read since the last call, or else bytes of the file read.
    """
    from kamtool.engine.duck import opened, release

    held = opened()
    try:
        ledger = _load(request, progress)
    finally:
        release(keep=held)  # the analyses read the ledger, not DuckDB: its memory goes back now
    ledger.filters = request.filters
    return _something_left(request, ledger)


def _something_left(request: LoadRequest, ledger: Ledger) -> Ledger:
    """A ledger with no line, when lines were read and every one dropped, is the user's data
    problem, said here with the reasons, before an analysis finds nothing to work on.  ``inspect``
    (``measures`` None) shows the drops itself."""
    if ledger.table.num_rows or (request.measures is None and not request.filters):
        return ledger
    dropped: Counter[str] = Counter()
    for info in ledger.sources:
        dropped.update(info.stats.dropped)
    if not dropped:
        return ledger  # a file of headers only: the analysis says there are no orders
    from kamtool.errors import DataError

    names = ", ".join(dict.fromkeys(info.name for info in ledger.sources))
    from kamtool.engine.filters import is_filter_reason, nothing_left

    if any(is_filter_reason(reason) for reason in dropped):
        raise nothing_left(names, dict(dropped.most_common()), request.filters, ledger.unmatched)
    reasons = ", ".join(f"{count:,} {reason}" for reason, count in dropped.most_common())
    raise DataError.said("error.load.no_order_lines_left", names=names, reasons=reasons)


def _load(request: LoadRequest, progress: Callable[[int, int], None] | None = None) -> Ledger:
    if request.engine == "dask":
        return _dask(request)
    reason = native.gate(request)
    refine = False
    opened: dict[str, Source] = {}
    force = native.mode() == "force"
    if reason is None:
        try:
            table, prep, grains = native.load(request, progress)
        except native.Declined as declined:
            if force:
                raise RuntimeError(f"KAMTOOL_NATIVE=force, but the native path declined: "
                                   f"{declined.why}") from None
            reason, refine = declined.why, declined.lines
            if declined.source is not None:
                opened[request.files[0]] = declined.source
        else:
            keys = request.keys if grains is None else request.base
            return Ledger(table=table, keys=keys, sources=[prep.info()], present=prep.present,
                          engine="native", by_label=request.by_label, grains=grains)
    elif force and reason not in _NOT_TRIED:
        raise RuntimeError(f"KAMTOOL_NATIVE=force, but the native path declined: {reason}")

    from kamtool.engine import stream

    table, preps = stream.load(request, opened, progress)
    if refine:
        # The native check only knew that some line was not plain; the cleaning saw which.
        first = next((p.stats.first_cleaned for p in preps if p.stats.first_cleaned), None)
        if first is not None:
            reason = first
    present: set[str] = set().union(*(p.present for p in preps))
    return _grained(Ledger(table=table, keys=request.keys, sources=[p.info() for p in preps], present=present,
                           engine="arrow", engine_reason=reason, by_label=request.by_label), request)


def _grained(ledger: Ledger, request: LoadRequest) -> Ledger:
    """The ledger of a table at every key of the request as the native engine leaves it: the main
    table at the analysis' own keys, the request's grains beside it (:mod:`kamtool.engine.grains`)."""
    from kamtool.engine import grains

    if not grains.applies(request.grains, request.base, request.figures, request.measures):
        return ledger
    ledger.table, ledger.grains = grains.from_fine(ledger.table, request.keys, request.base, request.grains,
                                                   ledger.present)
    ledger.keys = request.base
    return ledger


def _dask(request: LoadRequest) -> Ledger:
    from kamtool.engine import dask
    from kamtool.warm import warm_imports

    warm_imports()
    table, sources, present = dask.load(request)
    return _grained(Ledger(table=table, keys=request.keys, sources=sources, present=present, engine="dask",
                           engine_reason="--engine dask sends the files to the Dask cluster",
                           by_label=request.by_label), request)
