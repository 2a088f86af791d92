"""Import the heavy libraries in a thread while the main thread does other work."""

from __future__ import annotations

import threading

_started = threading.Event()
# Modules a command asked for (import_also), imported by the thread after its own, one by one.
_more: list[str] = []
_lock = threading.Lock()
_finished = [False]
# Rich, for a table on stdout; a run printing JSON or CSV never meets it (unless it warns).
_console = [True]


def expect_console(wanted: bool) -> None:
    """Whether the run prints through Rich (a table): set before the load starts the thread.

    Imports in the thread still take the interpreter's lock most of the time, so an import the
    run does not need (Rich for ``--format json``: 0.05 s here) is paid on a small file, where
    there is no query long enough to hide it."""
    _console[0] = wanted


def warm_imports() -> None:
    """Start importing pandas (and pyarrow.compute, DuckDB) in a thread, once per process.

    Called where the main thread is about to wait on native code that releases the GIL:
    a calamine parse of a workbook, a DuckDB query over a file. About half a second of
    imports then overlaps with that work instead of adding to it.
    """
    if _started.is_set():
        return
    _started.set()
    threading.Thread(target=_work, args=(_console[0],), name="kamtool-imports", daemon=True).start()


def import_also(*names: str) -> None:
    """Import the modules ``names`` in the warm-up thread too, after its own (a command's
    analysis modules, to be ready when the load ends), or in a thread of their own once it has
    finished.  Never a second thread importing beside it: two threads importing pandas' modules
    at once can deadlock on Python's import locks, which raises in one of them and leaves pandas
    half made for the main thread (churn, whose thread of its own imported the churn types while
    this one imported pandas: CI of 79043d6, "partially initialized module 'pandas'")."""
    with _lock:
        if not _finished[0]:
            _more.extend(names)
            return
    threading.Thread(target=_import_each, args=(list(names),), name="kamtool-imports-more",
                     daemon=True).start()


def _import_each(names: list[str]) -> None:
    import importlib

    try:
        for name in names:
            importlib.import_module(name)
    except BaseException:  # noqa: BLE001 - as _work: the main thread meets it, or has stopped
        return


def _asked() -> list[str]:
    """The modules asked for so far, taken; none left: the thread is finished."""
    with _lock:
        names, _more[:] = list(_more), []
        if not names:
            _finished[0] = True
        return names


def _work(console: bool) -> None:
    """The thread's imports.  One it cannot finish is the main thread's to meet: Ctrl-C raised
    in the main thread while it imported pyarrow leaves ``pyarrow.compute`` half made, and the
    thread's import of pandas then fails ("cannot import name 'compute'"), which the thread
    would print as a traceback beside the run's one-line "interrupted".  The main thread
    imports what it uses itself and says what is wrong, or has already stopped."""
    try:
        import duckdb  # noqa: F401
        import pandas  # noqa: F401
        import pyarrow.compute  # noqa: F401

        if console:
            import rich.console  # noqa: F401 - for the report at the end
    except BaseException:  # noqa: BLE001 - see above: never a second report from this thread
        pass
    while names := _asked():  # what a command asked for meanwhile (import_also)
        _import_each(names)
