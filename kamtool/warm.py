"""Import the heavy libraries in a thread while the main thread does other work."""

from __future__ import annotations

import threading

_started = threading.Event()


def warm_imports() -> None:
    """Start importing pandas (and pyarrow.compute, DuckDB) in a thread, once per process.

    Called where the main thread is about to wait on native code that releases the GIL:
    a calamine parse of a workbook, a DuckDB query over a file. About half a second of
    imports then overlaps with that work instead of adding to it.
    """
    if _started.is_set():
        return
    _started.set()

    def work() -> None:
        import duckdb  # noqa: F401
        import pandas  # noqa: F401
        import pyarrow.compute  # noqa: F401
        import rich.console  # noqa: F401 - for the report at the end

    threading.Thread(target=work, name="kamtool-imports", daemon=True).start()
