"""The ledger on a Dask cluster, for order history spread over many files.

Each worker reads whole files with the very same reading and cleaning code as
the local engine and returns mergeable partial group-bys (sums in integer cents,
counts, minima, maxima at customer × date × order granularity); the client merges
them and the analyses run locally on the per-customer ledger, which is small.
So the figures are identical to the local engine's by construction, and a test
checks that on a real LocalCluster.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kamtool.errors import KamtoolError, UsageError
from kamtool.io.read import CSV_SUFFIXES, EXCEL_SUFFIXES, PARQUET_SUFFIXES
from kamtool.ledger import Ledger, LoadOptions, Partials, merge, read_source

READABLE = CSV_SUFFIXES | EXCEL_SUFFIXES | PARQUET_SUFFIXES
EXTRA_HINT = "pip install 'kamtool[dask]'"


def expand_inputs(inputs: Sequence[str]) -> list[str]:
    """Globs and directories -> files; URLs (s3://, gs://, …) expanded by fsspec."""
    files: list[str] = []
    for name in inputs:
        if name == "-":
            raise UsageError("--engine dask cannot send stdin to a cluster; give files or URLs")
        if "://" in name:
            files.extend(_expand_url(name))
        elif any(ch in name for ch in "*?["):
            matched = sorted(glob.glob(name, recursive=True))
            if not matched:
                raise UsageError(f"{name}: no file matches")
            files.extend(matched)
        elif os.path.isdir(name):
            inside = sorted(str(p) for p in Path(name).rglob("*") if p.suffix.lower() in READABLE)
            if not inside:
                raise UsageError(f"{name}: no CSV, Excel or Parquet files in this directory")
            files.extend(inside)
        else:
            files.append(name)
    return files


def _expand_url(url: str) -> list[str]:
    try:
        import fsspec
    except ImportError:
        raise KamtoolError(f"{url}: reading URLs needs fsspec ({EXTRA_HINT})") from None
    try:
        fs, _, paths = fsspec.get_fs_token_paths(url)
    except (ImportError, ValueError) as exc:
        raise KamtoolError(f"{url}: {exc} (install the fsspec package for this scheme, e.g. s3fs)") from None
    protocol = url.split("://", 1)[0]
    if any(ch in url for ch in "*?["):
        return [f"{protocol}://{p}" for p in sorted(paths)]
    if fs.isdir(paths[0]):
        return [f"{protocol}://{p}" for p in sorted(fs.find(paths[0])) if Path(p).suffix.lower() in READABLE]
    return [url]


def read_one(name: str, options: LoadOptions, extra: dict[str, list[str]] | None) -> Partials:
    """The unit of work on a worker: one file -> partials (same code as the local engine)."""
    from kamtool.io import read

    if "://" in name:
        import fsspec

        with fsspec.open(name, "rb") as handle:
            data = handle.read()
        fmt = read._format_from_magic(data[:8]) or "csv"
        source = read._open(name, fmt, None, data, options.read)
    else:
        source = read.open_source(name, options.read)
    return read_source(source, options, extra)


def load_dask(
    inputs: Sequence[str],
    options: LoadOptions,
    *,
    extra: dict[str, list[str]] | None = None,
    scheduler: str | Any | None = None,
) -> Ledger:
    """Aggregate every input on the cluster at ``scheduler`` (an address or a Client)."""
    try:
        from distributed import Client
    except ImportError:
        raise KamtoolError(f"--engine dask needs Dask: {EXTRA_HINT}") from None
    if scheduler is None:
        raise UsageError("--engine dask needs --scheduler tcp://HOST:8786 (or DASK_SCHEDULER_ADDRESS)")
    files = expand_inputs(inputs)
    own_client = not isinstance(scheduler, Client)
    try:
        client: Any = Client(scheduler, timeout="10s") if own_client else scheduler
    except OSError as exc:
        raise KamtoolError(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from None
    try:
        futures = client.map(read_one, files, options=options, extra=extra, pure=False)
        parts: list[Partials] = client.gather(futures)
    finally:
        if own_client:
            client.close()
    merged = parts[0] if len(parts) == 1 else merge(parts, options.dimensions, extra)
    return Ledger(partials=merged, extra=dict(extra or {}))
