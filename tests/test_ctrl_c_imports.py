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


def test_a_commands_imports_go_in_the_warm_up_thread_after_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """churn's modules are imported by the warm-up thread after pandas, not by a second thread
    beside it (two threads importing pandas' modules at once deadlocked on the import locks);
    asked for once the thread has finished, by a thread of their own."""
    import threading

    from kamtool import warm

    monkeypatch.setattr(warm, "_more", [])
    monkeypatch.setattr(warm, "_finished", [False])
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    calls: list[tuple[str, list[str]]] = []
    done = threading.Event()
    each = warm._import_each

    def spy(names: list[str]) -> None:
        calls.append((threading.current_thread().name, list(names)))
        each(names)
        done.set()

    monkeypatch.setattr(warm, "_import_each", spy)
    before = threading.active_count()
    warm.import_also("colorsys")
    assert warm._more == ["colorsys"] and "colorsys" not in sys.modules and not calls
    assert threading.active_count() <= before  # queued: no thread of its own
    warm._work(console=False)  # (the warm-up thread's body, here in this thread)
    assert calls == [(threading.current_thread().name, ["colorsys"])] and "colorsys" in sys.modules
    assert warm._finished == [True] and warm._more == []
    done.clear()
    warm.import_also("this_module_does_not_exist")  # an import that fails says nothing
    assert done.wait(timeout=30)
    assert calls[-1] == ("kamtool-imports-more", ["this_module_does_not_exist"])
