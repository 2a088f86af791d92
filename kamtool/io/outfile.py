"""One atomic writer for every ``-o``: whole or not at all, never over an input.

:func:`open_output` yields a temporary path beside the target; the caller writes the
report there (any writer: XlsxWriter, pandas, Arrow), and on a clean exit the file is
renamed over the target with ``os.replace``, so a reader sees the old report or the new
one, never half of one.  Around that:

* the output may not be an input, compared by device and inode (``os.path.samefile``
  semantics), so ``../`` paths, symlinks and hard links are seen through; with
  ``stdin_is_input`` standard input counts as an input when it is a regular file, which
  is what ``kamtool abc - -o orders.csv < orders.csv`` hands over;
* ``-o link`` writes the link's target and keeps the link;
* a new file gets the mode the umask gives (``mkstemp`` makes 0600), a replaced file
  keeps its mode (and, where allowed, its owner and group);
* SIGTERM, SIGINT and SIGHUP while writing remove the temporary file, then end the run as
  ``SystemExit(128 + signal)`` (SIGINT: ``KeyboardInterrupt``); the handlers are in place
  only while writing and the previous ones come back after;
* an OS error (no space left, read-only file system, permission denied) becomes a
  :class:`~kamtool.errors.KamtoolError` naming the ``-o`` path, not the temporary file,
  in the OS's words; the failed writer's objects are collected then, so that a
  half-written ``ZipFile`` cannot print ``Exception ignored in: ZipFile.__del__`` later.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import re
import signal
import stat
import sys
import tempfile
import threading
import traceback
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from kamtool.errors import KamtoolError, UsageError

STDIN = "-"
_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name))


class OutputError(KamtoolError):
    """The report could not be written (disk full, read-only, no permission); exit 1."""


def current_umask() -> int:
    """The process umask, read without changing it where Linux tells it (/proc), else set and restored."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def output_target(path: str | os.PathLike[str]) -> Path:
    """Where ``-o path`` really writes: the final target of a symlink (even a dangling one)."""
    given = Path(path)
    return Path(os.path.realpath(given)) if given.is_symlink() else given


def check_not_an_input(path: str | os.PathLike[str], inputs: Sequence[str], *, stdin_is_input: bool = False,
                       stdin_fd: int = 0) -> None:
    """Raise UsageError when ``-o path`` is the same file as an input or as standard input."""
    target = output_target(path)
    try:
        out = os.stat(target)
    except OSError:
        return  # not there yet: it cannot be an input
    for name in _with_globs(inputs):
        if name == STDIN:
            continue
        try:
            same = os.path.samestat(out, os.stat(name))
        except OSError:
            continue
        if same:
            raise UsageError.said("error.outfile.o_input_refusing_write", fspath=os.fspath(path), name=name)
    if stdin_is_input or STDIN in inputs:
        try:
            piped = os.fstat(stdin_fd)
        except OSError:
            return
        if stat.S_ISREG(piped.st_mode) and os.path.samestat(out, piped):
            raise UsageError.said("error.outfile.o_file_standard_input", fspath=os.fspath(path))


def _with_globs(inputs: Sequence[str]) -> list[str]:
    """The inputs with quoted globs expanded, as the load expands them (a glob matching nothing
    stays itself: the load says so)."""
    import glob

    out: list[str] = []
    for name in inputs:
        matched = (sorted(glob.glob(name, recursive=True))
                   if any(ch in name for ch in "*?[") and not os.path.exists(name) else [])
        out.extend(matched or [name])
    return out


@contextlib.contextmanager
def open_output(path: str | os.PathLike[str], *, inputs: Sequence[str] = (), stdin_is_input: bool = False,
                stdin_fd: int = 0) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically.

    Parameters
    ----------
    path
        The ``-o`` path as the user gave it (named so in every message).
    inputs
        The input names of the run (``-`` for stdin): the output may not be one of them.
    stdin_is_input
        Standard input is read by this run (also implied by ``-`` among ``inputs``).
    stdin_fd
        The descriptor of standard input (tests pass another).

    Raises
    ------
    UsageError
        The output is an input, a directory, or its directory does not exist.
    OutputError
        The OS refused the write; the message names ``path`` and says why.
    """
    shown = os.fspath(path)
    check_not_an_input(path, inputs, stdin_is_input=stdin_is_input, stdin_fd=stdin_fd)
    target = output_target(path)
    if target.is_dir():
        raise UsageError.said("error.outfile.o_directory", shown=shown)
    folder = target.parent
    if not folder.is_dir():
        key = "error.outfile.no_directory" if not folder.exists() else "error.outfile.not_a_directory"
        raise UsageError.said(key, shown=shown, folder=folder)
    failure: OSError | None = None
    tmp: Path | None = None
    with _signals_remove_temp() as register:
        try:
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp" + target.suffix, dir=folder)
            tmp = Path(name)
            register(tmp)
            os.close(fd)
            _set_mode(tmp, target)
            yield tmp
            _fsync(tmp)
            os.replace(tmp, target)
            tmp = None
            register(None)
        except Exception as exc:
            failure = _os_error_in(exc)
            if failure is None:
                _remove(tmp)
                raise
            traceback.clear_frames(exc.__traceback__)  # the failed writer's objects go now, below
        except BaseException:
            _remove(tmp)
            raise
        finally:
            if tmp is not None:
                _remove(tmp)
                register(None)
    if failure is not None:
        message = _os_words(failure)
        del failure
        _collect_quietly()
        raise OutputError.said("error.outfile.o_cannot_write_report", shown=shown, message=message)


def _set_mode(tmp: Path, target: Path) -> None:
    try:
        old = os.stat(target)
    except FileNotFoundError:
        os.chmod(tmp, 0o666 & ~current_umask())
        return
    os.chmod(tmp, stat.S_IMODE(old.st_mode))
    if hasattr(os, "chown"):
        with contextlib.suppress(OSError):  # only root may give a file away; others keep their own
            mine = os.stat(tmp)
            if (mine.st_uid, mine.st_gid) != (old.st_uid, old.st_gid):
                os.chown(tmp, old.st_uid, old.st_gid)


def _fsync(tmp: Path) -> None:
    """Flush the report to disk before the rename, so a crash leaves the old one, not an empty one."""
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno != errno.EINVAL:  # EINVAL: a file system (a pipe, some FUSE) without fsync
            raise
    finally:
        os.close(fd)


def _remove(tmp: Path | None) -> None:
    if tmp is not None:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _os_error_in(exc: BaseException) -> OSError | None:
    """The OS error behind ``exc``: itself, or the one a writer wrapped (XlsxWriter's
    FileCreateError holds it as its argument and as its context)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno is not None:
            return current
        todo.extend([current.__cause__, current.__context__])
        todo.extend(a for a in current.args if isinstance(a, BaseException))
    return None


def _os_words(exc: OSError) -> str:
    """'no space left on device', as the OS says it, without the temporary file's name."""
    words = exc.strerror or (os.strerror(exc.errno) if exc.errno else str(exc))
    return words[:1].lower() + words[1:]


def _collect_quietly() -> None:
    """Collect the failed writer now; a ZipFile's __del__ retrying the write on a full disk is not news."""
    saved = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, OSError):
            saved(unraisable)

    sys.unraisablehook = hook
    try:
        gc.collect()
    finally:
        sys.unraisablehook = saved


@contextlib.contextmanager
def _signals_remove_temp() -> Iterator[Any]:
    """While writing: a terminating signal removes the temporary file, then ends the run.

    Yields ``register(path | None)``: the temporary file to remove.  Signal handlers can
    be set only in the main thread; elsewhere the exception path still removes the file.
    """
    current: list[Path | None] = [None]

    def register(path: Path | None) -> None:
        current[0] = path

    if threading.current_thread() is not threading.main_thread():
        yield register
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        _remove(current[0])
        current[0] = None
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + signum)

    saved = {}
    for signum in _SIGNALS:
        with contextlib.suppress(OSError, ValueError):
            previous = signal.getsignal(signum)
            if signum == signal.SIGINT or previous is not signal.SIG_IGN:  # nohup's SIGHUP stays ignored
                saved[signum] = previous
                signal.signal(signum, handler)
    try:
        yield register
    finally:
        for signum, previous in saved.items():
            signal.signal(signum, previous if previous is not None else signal.SIG_DFL)


# ---------------------------------------------------------------------------------------
# -o templates: 'reports/kam_{salesperson}_{date}.xlsx'

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# Characters no file name may hold on Windows or Unix, and control characters.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_NAME_MAX = 80


def placeholders(template: str) -> list[str]:
    """The ``{name}`` fields of an ``-o`` template, in order."""
    return _PLACEHOLDER.findall(template)


def safe_name(value: Any) -> str:
    """A value as part of a file name: no path separator, reserved or control character
    (each run becomes ``_``), no leading dot or space, at most 80 characters; CJK kept."""
    text = _UNSAFE.sub("_", str(value)).strip().lstrip(".").strip()
    text = text[:_NAME_MAX].rstrip(". ")
    return text or "_"


def fill_template(template: str, fields: Mapping[str, Any], *, option: str = "-o") -> str:
    """``template`` with each ``{name}`` replaced by ``fields[name]`` made filename-safe.

    Raises UsageError for a field this command does not know, naming the ones it does.
    """
    unknown = [name for name in placeholders(template) if name not in fields]
    if unknown:
        known = ", ".join(f"{{{k}}}" for k in fields)
        raise UsageError.said("error.outfile.no_field_here_fields", option=option, template=template,
                              unknown=unknown[0], known=known)
    return _PLACEHOLDER.sub(lambda m: safe_name(fields[m.group(1)]), template)
