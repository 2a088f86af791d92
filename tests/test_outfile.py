"""kamtool.io.outfile: every -o written whole or not at all, never over an input (stdin
included), with the umask's mode, through symlinks, cleaned up on signals, and OS errors
named in the user's terms."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kamtool.errors import KamtoolError, UsageError
from kamtool.io.outfile import OutputError, current_umask, open_output

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


def write(path: Path | str, text: str = "new", **kwargs: object) -> None:
    with open_output(path, **kwargs) as tmp:  # type: ignore[arg-type]
        assert tmp.parent == Path(os.path.realpath(path)).parent
        tmp.write_text(text)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_the_umasks_mode(tmp_path: Path, mask: int, mode: int) -> None:
    saved = os.umask(mask)
    try:
        assert current_umask() == mask
        write(tmp_path / "out.csv")
    finally:
        os.umask(saved)
    assert stat.S_IMODE((tmp_path / "out.csv").stat().st_mode) == mode
    assert (tmp_path / "out.csv").read_text() == "new"
    assert leftovers(tmp_path) == []


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    out.write_text("old")
    out.chmod(0o640)
    write(out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640 and out.read_text() == "new"


def test_a_symlink_writes_its_target_and_stays_a_link(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    real = tmp_path / "reports" / "abc.csv"
    real.write_text("old")
    link = tmp_path / "latest.csv"
    link.symlink_to(real)
    write(link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new"
    assert leftovers(tmp_path) == [] and leftovers(tmp_path / "reports") == []
    dangling = tmp_path / "next.csv"
    dangling.symlink_to(tmp_path / "reports" / "next-real.csv")
    write(dangling)
    assert dangling.is_symlink() and (tmp_path / "reports" / "next-real.csv").read_text() == "new"


def test_the_output_may_not_be_an_input_by_any_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sub").mkdir()
    orders = tmp_path / "orders.csv"
    orders.write_text("data")
    monkeypatch.chdir(tmp_path / "sub")
    (tmp_path / "alias.csv").symlink_to(orders)
    os.link(orders, tmp_path / "hard.csv")
    for out in ("../orders.csv", str(tmp_path / "alias.csv"), "../hard.csv", "../sub/../orders.csv"):
        with pytest.raises(UsageError, match=r"refusing to write over an input file"):
            write(out, inputs=["../orders.csv"])
    with pytest.raises(UsageError, match=r"-o \.\./orders\.csv: is the input \.\./alias\.csv"):
        write("../orders.csv", inputs=["-", "../alias.csv"])
    assert orders.read_text() == "data"
    write("../other.csv", inputs=["../orders.csv"])  # a different file is fine
    assert (tmp_path / "other.csv").read_text() == "new"


STDIN_SCRIPT = textwrap.dedent("""
    import sys
    from kamtool.errors import KamtoolError
    from kamtool.io.outfile import open_output
    try:
        with open_output(sys.argv[1], inputs=["-"], stdin_is_input=True) as tmp:
            tmp.write_text("new")
    except KamtoolError as exc:
        print(exc, file=sys.stderr)
        sys.exit(int(exc.exit_status))
""")


def test_standard_input_is_an_input(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text("data")
    (tmp_path / "link.csv").symlink_to(orders)
    dotted = str(tmp_path / "." / ".." / tmp_path.name / "orders.csv")
    for out in (str(orders), str(tmp_path / "link.csv"), dotted):
        with open(orders, "rb") as stdin:  # fd 0 of the child is orders.csv, as with `< orders.csv`
            done = subprocess.run([sys.executable, "-c", STDIN_SCRIPT, out], stdin=stdin, capture_output=True,
                                  text=True, timeout=60, check=False)
        assert done.returncode == 2, done.stderr
        assert "is the file on standard input; refusing to write over an input file" in done.stderr
        assert orders.read_text() == "data"
    piped = subprocess.run([sys.executable, "-c", STDIN_SCRIPT, str(orders)], input="data",
                           capture_output=True, text=True, timeout=60, check=False)
    assert piped.returncode == 0, piped.stderr  # a pipe on stdin is no file to protect
    assert orders.read_text() == "new"


def test_an_exception_while_writing_leaves_the_target_and_no_temp(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    out.write_text("old")
    with pytest.raises(ValueError, match="half way"), open_output(out) as tmp:
        tmp.write_text("half")
        raise ValueError("half way")
    assert out.read_text() == "old" and leftovers(tmp_path) == []
    with pytest.raises(KeyboardInterrupt), open_output(out) as tmp:
        tmp.write_text("half")
        raise KeyboardInterrupt
    assert out.read_text() == "old" and leftovers(tmp_path) == []


def test_os_errors_name_the_output_path_in_the_oss_words(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    # The errno is raised by hand here (a full disk cannot be had on demand); the
    # subprocess tests below get real ones from the kernel.
    for code, words in ((errno.ENOSPC, "no space left on device"), (errno.EROFS, "read-only file system")):
        with pytest.raises(OutputError) as caught, open_output(out) as tmp:
            raise OSError(code, os.strerror(code), str(tmp))
        assert str(caught.value) == f"-o {out}: cannot write the report: {words}"
        assert ".tmp" not in str(caught.value)
        assert isinstance(caught.value, KamtoolError) and caught.value.exit_status == 1
    assert leftovers(tmp_path) == []


def test_a_missing_or_wrong_directory_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match=r"is not a directory"):
        write(tmp_path / "file" / "out.csv")
    with pytest.raises(UsageError, match=r"no directory"):
        write(tmp_path / "nowhere" / "out.csv")
    with pytest.raises(UsageError, match=r"is a directory"):
        write(tmp_path)


def test_permission_denied_names_the_output_path(tmp_path: Path) -> None:
    if ROOT:
        # root ignores file modes; sysfs refuses new files even to root (EACCES), and
        # mkstemp there creates nothing.
        folder = Path("/sys")
        if not folder.is_dir() or os.access(folder, os.W_OK) and _can_create(folder):
            pytest.skip("running as root with no directory that refuses root a new file")
    else:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o500)
    out = folder / "kamtool-test-out.csv"
    try:
        with pytest.raises(OutputError) as caught:
            write(out)
    finally:
        if not ROOT:
            folder.chmod(0o700)
    assert str(caught.value).startswith(f"-o {out}: cannot write the report: ")
    assert "permission denied" in str(caught.value) or "operation not permitted" in str(caught.value)


def _can_create(folder: Path) -> bool:
    try:
        fd = os.open(folder / ".kamtool-probe", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError:
        return False
    os.close(fd)
    os.unlink(folder / ".kamtool-probe")
    return True


FSIZE_SCRIPT = textwrap.dedent("""
    import resource, signal, sys
    from kamtool.errors import KamtoolError
    from kamtool.io.outfile import open_output
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a core dump
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
    import xlsxwriter
    try:
        with open_output(sys.argv[1]) as tmp:
            book = xlsxwriter.Workbook(str(tmp))
            sheet = book.add_worksheet()
            for r in range(3000):
                sheet.write_row(r, 0, [f"customer {r} " * 5, r * 1.5, r])
            book.close()
    except KamtoolError as exc:
        print(exc, file=sys.stderr)
        sys.exit(int(exc.exit_status))
""")


def test_a_real_write_error_from_the_kernel_inside_a_zip_writer(tmp_path: Path) -> None:
    """RLIMIT_FSIZE makes the kernel refuse writes beyond 4 KB (EFBIG, "file too large"):
    a real OS error raised inside XlsxWriter's ZipFile, as a full disk would."""
    out = tmp_path / "out.xlsx"
    out.write_text("old")
    done = subprocess.run([sys.executable, "-c", FSIZE_SCRIPT, str(out)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip() == f"-o {out}: cannot write the report: file too large"
    assert "Exception ignored" not in done.stderr and "Traceback" not in done.stderr
    assert out.read_text() == "old" and leftovers(tmp_path) == []


SIGNAL_SCRIPT = textwrap.dedent("""
    import os, signal, sys, threading, time
    from kamtool.io.outfile import open_output
    which = getattr(signal, sys.argv[2])
    before = signal.getsignal(signal.SIGTERM)
    try:
        with open_output(sys.argv[1]) as tmp:
            tmp.write_text("half")
            # at the main thread: a signal of os.kill may reach another thread (an import's), and
            # a pause() in the main one then waits for ever (CI timed out so, once)
            if hasattr(signal, "pthread_kill"):
                signal.pthread_kill(threading.main_thread().ident, which)
            else:
                os.kill(os.getpid(), which)
            for _ in range(100):  # the handler runs at the latest after a step
                time.sleep(0.1)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    finally:
        assert signal.getsignal(signal.SIGTERM) is before, "handler not restored"
""")


@pytest.mark.parametrize(("name", "code"), [("SIGTERM", 143), ("SIGINT", 130), ("SIGHUP", 129)])
def test_a_signal_while_writing_removes_the_temp_file(tmp_path: Path, name: str, code: int) -> None:
    if not hasattr(signal, name):
        pytest.skip(f"no {name} here")
    out = tmp_path / "out.csv"
    out.write_text("old")
    done = subprocess.run([sys.executable, "-c", SIGNAL_SCRIPT, str(out), name], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    assert out.read_text() == "old" and leftovers(tmp_path) == []


def test_handlers_are_restored_after_writing(tmp_path: Path) -> None:
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    write(tmp_path / "out.csv")
    assert {s: signal.getsignal(s) for s in before} == before
