"""Order lines -> the ledger, fast. One entry: :func:`kamtool.engine.load.load`.

``load`` picks the engine and records which ran and why; ``native`` lets DuckDB read a plain
file itself, ``stream`` cleans Arrow batches with :mod:`kamtool.io.clean` for DuckDB to
aggregate, ``dask`` runs the stream's aggregation on a cluster; ``prepare`` maps an input for
a request and ``duck`` holds the shared DuckDB connection.
"""
