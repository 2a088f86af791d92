"""One BLAS thread while the likelihood optimiser runs.

scipy's L-BFGS-B does its small matrix algebra (the limited-memory update: matrices of
2 × maxcor columns) through OpenBLAS, which hands each call to its thread pool. For
matrices that small the hand-over is all the work, and on a loaded 2-core machine it
is slow: one iteration of a 4-parameter fit took 14.5 ms with the pool against 0.56 ms
with one thread (``benchmarks`` box, 1M-line file: 423 iterations, 4.6 s of a clv run
in ``setulb``). :func:`one_thread` sets every OpenBLAS the process loaded (numpy's and
scipy's) to one thread and restores the previous count when the last optimiser ends;
fits running side by side (``select.choose_model``) share one such period.

The libraries are found in ``/proc/self/maps`` (Linux); elsewhere, or with another BLAS,
nothing changes.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

_LOCK = threading.Lock()
_state: dict[str, int] = {"users": 0}
_saved: list[tuple[Callable[[int], object], int]] = []


def _openblas_controls() -> list[tuple[Callable[[], int], Callable[[int], object]]]:
    """(get, set) of the number of threads of each OpenBLAS loaded in this process."""
    maps = Path("/proc/self/maps")
    try:
        lines = maps.read_text().splitlines()
    except OSError:
        return []
    paths = sorted({line.split()[-1] for line in lines
                    if "openblas" in line.lower() and line.split()[-1].startswith("/")})
    controls = []
    seen: set[int | None] = set()
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("", "64_"):
                get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                put = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                if get is None or put is None:
                    continue
                address = ctypes.cast(put, ctypes.c_void_p).value
                if address in seen:
                    continue
                seen.add(address)
                get.restype, put.restype = ctypes.c_int, None
                put.argtypes = [ctypes.c_int]
                controls.append((get, put))
    return controls


@contextmanager
def one_thread() -> Iterator[None]:
    """Run the block with one OpenBLAS thread (see the module docstring)."""
    with _LOCK:
        if _state["users"] == 0:
            for get, put in _openblas_controls():
                count = int(get())
                if count > 1:
                    put(1)
                    _saved.append((put, count))
        _state["users"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _state["users"] -= 1
            if _state["users"] == 0:
                while _saved:
                    put, count = _saved.pop()
                    put(count)
