"""Ctrl-C that lands inside the import machinery waits until the main thread is out of it.

Raised inside importlib's own code (a module lock's weakref callback holds the global import
lock one line before its ``try``), the exception left the lock held: the import thread and the
run's next import waited for ever, and the Ctrl-C test hung (a stack dump showed it).  The
handler now asks again a few milliseconds later, and raises once the frame it interrupts is
not importlib's.  The frames here are code compiled under importlib's file names, so no test
depends on when a signal happens to land.
"""

from __future__ import annotations

import signal
import sys

import pytest

from kamtool.cli import app

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="POSIX timers")

_LOOP = "for _ in range(n):\n    handler(signal.SIGINT, sys._getframe())\n"


def _in(filename: str, n: int = 3) -> None:
    """Call the handler ``n`` times from a frame whose code says it is ``filename``."""
    exec(compile(_LOOP, filename, "exec"), {"handler": app._raise_interrupted, "signal": signal,
                                            "sys": sys, "n": n})


@pytest.fixture
def alarm() -> object:
    previous = signal.getsignal(signal.SIGALRM)
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def test_inside_importlib_the_raise_waits(alarm: object) -> None:
    _in("<frozen importlib._bootstrap>")  # no Interrupted here
    assert 0 < signal.getitimer(signal.ITIMER_REAL)[0] <= app._RETRY_SECONDS
    assert signal.getsignal(signal.SIGALRM) is app._raise_interrupted
    with pytest.raises(app.Interrupted):
        while True:  # the alarm's handler raises here, outside the import machinery
            signal.pause()


def test_inside_importlib_external_the_raise_waits(alarm: object) -> None:
    _in("<frozen importlib._bootstrap_external>", n=1)
    assert signal.getitimer(signal.ITIMER_REAL)[0] > 0
    signal.setitimer(signal.ITIMER_REAL, 0)


def test_elsewhere_it_raises_at_once(alarm: object) -> None:
    with pytest.raises(app.Interrupted):
        _in("kamtool/analyses/abc.py")
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_no_frame_raises(alarm: object) -> None:
    with pytest.raises(app.Interrupted):
        app._raise_interrupted(signal.SIGINT, None)


def test_the_warm_up_thread_says_nothing_of_an_import_it_cannot_finish(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C in the main thread mid-import can leave a module half made; the warm-up thread's
    import of it then fails, and that must not become a traceback beside "interrupted"."""
    from kamtool import warm

    monkeypatch.setitem(sys.modules, "duckdb", None)  # import duckdb: ImportError
    warm._work(console=False)  # returns, raises nothing
