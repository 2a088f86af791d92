"""The ledger on a Dask cluster, for order history spread over many files.

Each worker reads whole files with the very same reading and cleaning code as the Arrow
engine (:mod:`kamtool.engine.stream`) and returns one mergeable table per file: the
request's keys × day × order, with sums in integer cents, counts, minima and maxima.  The
client merges them with the stream engine's own query, so the ledger has the same columns
and figures as a local load; a test checks that on a real LocalCluster.
"""

from __future__ import annotations

import dataclasses
import glob
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kamtool.engine.duck import query
from kamtool.engine.prepare import prepare
from kamtool.engine.stream import (
    aggregate_stream,
    clean_batches,
    empty_table,
    final_sql,
    partial_sql,
    prefetched,
    stream_schema,
)
from kamtool.errors import KamtoolError, UsageError
from kamtool.io.read import CSV_SUFFIXES, EXCEL_SUFFIXES, PARQUET_SUFFIXES

if TYPE_CHECKING:
    import pyarrow as pa

    from kamtool.io.request import LoadRequest
    from kamtool.ledger import SourceInfo

READABLE = CSV_SUFFIXES | EXCEL_SUFFIXES | PARQUET_SUFFIXES
EXTRA_HINT = "pip install 'kamtool[dask]'"


def expand_inputs(inputs: Sequence[str]) -> list[str]:
    """Globs and directories -> files; URLs (s3://, gs://, …) expanded by fsspec."""
    files: list[str] = []
    for name in inputs:
        if name == "-":
            raise UsageError.said("error.dask.engine_dask_cannot_send")
        if "://" in name:
            files.extend(_expand_url(name))
        elif any(ch in name for ch in "*?["):
            matched = sorted(glob.glob(name, recursive=True))
            if not matched:
                raise UsageError.said("error.dask.no_file_matches", name=name)
            files.extend(matched)
        elif os.path.isdir(name):
            inside = sorted(str(p) for p in Path(name).rglob("*") if p.suffix.lower() in READABLE)
            if not inside:
                raise UsageError.said("error.dask.no_csv_excel_parquet", name=name)
            files.extend(inside)
        else:
            files.append(name)
    return files


def _expand_url(url: str) -> list[str]:
    try:
        import fsspec
    except ImportError:
        raise KamtoolError.said("error.dask.reading_urls_needs_fsspec", url=url,
                                extra_hint=EXTRA_HINT) from None
    try:
        fs, _, paths = fsspec.get_fs_token_paths(url)
    except (ImportError, ValueError) as exc:
        raise KamtoolError.said("error.dask.install_fsspec_package_scheme", url=url, exc=exc) from None
    protocol = url.split("://", 1)[0]
    if any(ch in url for ch in "*?["):
        return [f"{protocol}://{p}" for p in sorted(paths)]
    if fs.isdir(paths[0]):
        return [f"{protocol}://{p}" for p in sorted(fs.find(paths[0])) if Path(p).suffix.lower() in READABLE]
    return [url]


def read_one(name: str, request: LoadRequest) -> tuple[pa.Table | None, SourceInfo, set[str]]:
    """The unit of work on a worker: one file -> its partial table, what was seen in it, and
    its columns (the same reading and cleaning as the local engine)."""
    from kamtool.io import read

    if "://" in name:
        import fsspec

        with fsspec.open(name, "rb") as handle:
            data = handle.read()
        source = read.open_bytes(name, data, request.read)
    else:
        source = read.open_source(name, request.read)
    prep = prepare(source, request)
    keys = list(request.keys)
    measures = request.measures
    table = aggregate_stream(prefetched(lambda: clean_batches(prep, None)),
                             lambda lines: partial_sql(lines, keys, request.figures, measures),
                             stream_schema(keys, measures))
    return table, prep.info(), prep.present


def load(request: LoadRequest) -> tuple[pa.Table, list[SourceInfo], set[str]]:
    """Aggregate every input on the cluster at ``request.scheduler`` (an address or a Client)."""
    try:
        from distributed import Client
    except ImportError:
        raise KamtoolError.said("error.dask.engine_dask_needs_dask", extra_hint=EXTRA_HINT) from None
    if request.scheduler is None:
        raise UsageError.said("error.dask.engine_dask_needs_scheduler")
    files = expand_inputs(request.files)
    own_client = not isinstance(request.scheduler, Client)
    try:
        client: Any = Client(request.scheduler, timeout="10s") if own_client else request.scheduler
    except OSError as exc:
        raise KamtoolError.said("error.dask.cannot_reach_dask_scheduler", scheduler=request.scheduler,
                                exc=exc) from None
    try:
        # The workers need no scheduler (a Client does not travel).
        bare = dataclasses.replace(request, scheduler=None)
        futures = client.map(read_one, files, request=bare, pure=False)
        parts: list[tuple[pa.Table | None, SourceInfo, set[str]]] = client.gather(futures)
    finally:
        if own_client:
            client.close()
    return merge([p[0] for p in parts], request), [p[1] for p in parts], set().union(*(p[2] for p in parts))


def merge(tables: list[pa.Table | None], request: LoadRequest) -> pa.Table:
    """The partial tables of every file -> the ledger's table, as the local engine computes it."""
    import pyarrow as pa

    keys = list(request.keys)
    pieces = [t for t in tables if t is not None]
    if not pieces:
        return empty_table(keys, request.figures, request.measures)
    combined = pa.concat_tables(pieces, promote_options="permissive")
    return query(final_sql("part", keys, request.figures, merged=True, measures=request.measures),
                 part=combined)
