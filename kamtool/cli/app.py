"""The kamtool command: one Typer app, commands registered from their modules."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from traceback import print_exc
from typing import Annotated, Any, Optional  # noqa: UP035


class Interrupted(BaseException):
    """Ctrl-C during a run, raised by :func:`entry`'s SIGINT handler.

    Not a KeyboardInterrupt: Click turns one that arrives while it parses the command line
    into "Aborted!" and exit 1; this passes every ``except Exception`` and Click's handlers
    to :func:`entry`, which says "interrupted" and exits 130.  ``finally`` blocks still run
    (the temporary ``-o`` file is removed: see :mod:`kamtool.io.outfile`).
    """


# The import machinery's own code, where an exception raised by a signal handler can leave a
# lock held: a module lock's weakref callback takes the global import lock one line before its
# ``try``.  Raised there, the lock stays taken, the import thread (warm.py) waits on it for
# ever, and so does the run's next import: Ctrl-C hung the run (a stack dump showed it).
_IMPORT_MACHINERY = ("<frozen importlib._bootstrap>", "<frozen importlib._bootstrap_external>")
_RETRY_SECONDS = 0.005


def _raise_interrupted(signum: int, frame: Any) -> None:
    """Ctrl-C (or the retry's alarm): :class:`Interrupted`, unless the main thread is inside the
    import machinery, where the raise waits until it is out (asked again every 5 ms)."""
    if frame is not None and frame.f_code.co_filename in _IMPORT_MACHINERY and hasattr(signal, "setitimer"):
        signal.signal(signal.SIGALRM, _raise_interrupted)
        signal.setitimer(signal.ITIMER_REAL, _RETRY_SECONDS)
        return
    raise Interrupted


_EARLY: list[bool] = []  # Ctrl-C while the imports ran, before entry() could act on it


def _note_early(signum: int, frame: Any) -> None:
    _EARLY.append(True)


def _catch_ctrl_c(handler: Callable[[int, Any], None]) -> None:
    # Not when the parent ignores SIGINT (nohup, a background job): it stays ignored.
    if hasattr(signal, "SIGINT") and signal.getsignal(signal.SIGINT) in (signal.default_int_handler,
                                                                        _note_early):
        signal.signal(signal.SIGINT, handler)


# The console script (and python -m kamtool) imports this module first: Ctrl-C during the
# imports below (a tenth of a second) is noted, and entry() ends the run.  Imported by a test
# or a library, the process keeps its own Ctrl-C.
if os.path.basename(sys.argv[0] if sys.argv else "") in ("kamtool", "__main__.py"):
    _catch_ctrl_c(_note_early)

import typer  # noqa: E402 - after Ctrl-C is caught
from typer import _click as typer_click  # noqa: E402 - Typer's own Click, whose errors main() says

from kamtool import __version__  # noqa: E402
from kamtool.errors import ExitStatus, KamtoolError  # noqa: E402
from kamtool.labels import message_lang, set_message_lang  # noqa: E402

app = typer.Typer(
    name="kamtool",
    help="Key-account analytics from the command line: point kamtool at an order export "
    "(CSV, Excel, Parquet) and get Pareto, ABC, RFM, loyalty, churn and CLV.\n\n"
    "Example: kamtool inspect orders.csv",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        print(f"kamtool {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[Optional[bool], typer.Option(  # noqa: UP045
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = None,
    config: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--config", help="A kamtool.toml with the column mapping and default options "
        "(default: ./kamtool.toml if present).", envvar="KAMTOOL_CONFIG")] = None,
    traceback: Annotated[bool, typer.Option(
        "--traceback", help="Show the stack on errors (for bug reports).")] = False,
) -> None:
    """Key-account analytics from the command line."""


def print_error(message: str) -> None:
    from kamtool.render.console import print_error as show  # Rich only when there is something to say

    show(message)


def said(key: str, **fields: Any) -> str:
    """A message of kamtool/labels/messages.py in the run's language."""
    from kamtool.labels import label, message_lang

    return label(key, message_lang()).format(**fields)


def _message_lang(argv: list[str]) -> str:
    """The --lang of the command line (``--lang zh`` or ``--lang=zh``), else en: errors and
    warnings are said in it, even those raised before the options are parsed."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1] if argv[i + 1] in ("en", "zh") else "en"
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
            return value if value in ("en", "zh") else "en"
    return "en"


def guarded(fn: Callable[..., Any], *, traceback: bool = False) -> Callable[..., Any]:
    """Map kamtool's exceptions to one line on stderr and the exit codes (``traceback``:
    print the stack too, for bug reports)."""
    show_stack = traceback

    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except KamtoolError as exc:
            if show_stack:
                print_exc()
            print_error(exc.in_lang(message_lang()))
            raise typer.Exit(int(exc.exit_status)) from None
        except KeyboardInterrupt:
            print_error(said("message.interrupted"))
            raise typer.Exit(int(ExitStatus.INTERRUPTED)) from None
        except MemoryError:
            print_error(said("message.out_of_memory"))
            raise typer.Exit(int(ExitStatus.ERROR)) from None
        except Exception as exc:  # a bug or an input we did not foresee: still no traceback
            if show_stack:
                print_exc()
            print_error(said("message.bug", error=f"{type(exc).__name__}: {exc}"))
            raise typer.Exit(int(ExitStatus.ERROR)) from None

    return run


def _register() -> None:
    from kamtool.cli import commands  # noqa: F401 - registers the commands on `app`


def _prescan(argv: list[str]) -> tuple[list[str], str | None, bool]:
    """--config and --traceback work anywhere on the line; take them out before Click parses."""
    args: list[str] = []
    config: str | None = None
    tb = False
    it = iter(enumerate(argv))
    for i, arg in it:
        if arg == "--":
            args.extend(argv[i:])
            break
        if arg == "--traceback":
            tb = True
        elif arg == "--config":
            nxt = next(it, None)
            config = nxt[1] if nxt is not None else ""
        elif arg.startswith("--config="):
            config = arg.split("=", 1)[1]
        else:
            args.append(arg)
    return args, config, tb


def main(argv: list[str] | None = None) -> Any:
    # `kamtool … | head` closes the pipe early: die quietly like any Unix tool.
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    from kamtool.cli.options import Settings

    _register()
    args, config_path, tb = _prescan(list(sys.argv[1:] if argv is None else argv))
    set_message_lang(_message_lang(args))
    try:
        import os

        from kamtool.config import (
            check_values,
            config_columns,
            default_map,
            find_config,
            known_options,
            load_config,
        )
        from kamtool.io.tables import SECTIONS, config_mapping

        path = find_config(config_path or os.environ.get("KAMTOOL_CONFIG"))
        config = load_config(path) if path else {}
        command = typer.main.get_command(app)
        from kamtool.cli.coerce import install

        install(command)  # plain option values checked without importing pydantic (0.2 s)
        defaults: dict[str, Any] = {}
        if path:
            defaults = default_map(config, _command_names(), str(path), known=known_options(command))
            check_values(config, command, str(path))

        settings = Settings(columns=config_columns(config, str(path)) if path else {}, traceback=tb,
                            tables={kind: config_mapping(config, kind, str(path)) for kind in SECTIONS}
                            if path else {})
    except KamtoolError as exc:
        print_error(exc.in_lang(message_lang()))
        sys.exit(int(exc.exit_status))
    # Not standalone: Click's usage errors come back here to be said in the run's language.
    try:
        code = command.main(args=args, prog_name="kamtool", default_map=defaults, obj=settings,
                            standalone_mode=False)
    except typer_click.ClickException as exc:
        _show_usage_error(exc)
        sys.exit(exc.exit_code)
    except typer.Abort:
        print("Aborted!", file=sys.stderr)
        sys.exit(1)
    # a command ends with typer.Exit(code), which Click returns here, or returns None: success
    sys.exit(code if isinstance(code, int) and not isinstance(code, bool) else 0)


def _show_usage_error(exc: typer_click.ClickException) -> None:
    """Click's error as Click shows it; under --lang zh in Chinese (the usage line, the hint, the
    sentence), the options and values as the reader typed them."""
    lang = message_lang()
    if lang == "en" or isinstance(exc, typer_click.exceptions.NoArgsIsHelpError):
        exc.show()
        return
    from kamtool.render.safe import text_for_terminal
    from kamtool.render.words.messages import usage_error

    ctx = getattr(exc, "ctx", None)
    usage = ctx.get_usage() if ctx is not None else None
    helps = ctx is not None and ctx.command.get_help_option(ctx) is not None
    command = f"{ctx.command_path} {ctx.help_option_names[0]}" if ctx is not None and helps else None
    text = usage_error(exc.format_message(), usage, command, lang)
    print("\n".join(text_for_terminal(line, markup=False) for line in text.split("\n")), file=sys.stderr)


def entry() -> None:
    """The console script: main(), then exit without tearing the interpreter down.

    Unloading pandas, pyarrow and DuckDB and freeing every object takes 0.2–0.3 s after
    the work is done, on every run. Everything a run writes is closed by then (reports
    are renamed into place, stdout and stderr are flushed here, DuckDB is closed so that
    its spill files go), so kamtool leaves with os._exit. Uncaught exceptions (the
    --traceback runs) take Python's normal way out.

    Ctrl-C anywhere is one line, "interrupted", and exit 130: during the run through
    :class:`Interrupted`; while the connections close and the streams flush (the output is
    written by then) it is only noted, so that no KeyboardInterrupt lands inside DuckDB's
    close, and the exit is 130 all the same.
    """
    import contextlib
    import faulthandler

    # numpy's and scipy's OpenBLAS each start a pool of threads as they load (0.04-0.07 s of every
    # run here); kamtool's arithmetic is element-wise or tiny solves, which one thread does as
    # fast (DuckDB has threads of its own).  A user's own setting wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    _catch_ctrl_c(_raise_interrupted)
    if hasattr(signal, "SIGUSR1"):
        # `kill -USR1 PID` prints every thread's stack on stderr and the run goes on: what a stuck
        # run (a Ctrl-C test that hung once in many hundred runs) is waiting for
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    interrupted = [bool(_EARLY)]
    try:
        if interrupted[0]:
            raise Interrupted
        from kamtool.io.read import prefetch_workbook

        prefetch_workbook(sys.argv[1:])
        main()
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except (Interrupted, KeyboardInterrupt):
        interrupted[0] = True
        code = int(ExitStatus.INTERRUPTED)

    def note(signum: int, frame: Any) -> None:
        interrupted[0] = True

    with contextlib.suppress(Interrupted, KeyboardInterrupt):  # one landing between the two lines
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            signal.signal(signal.SIGINT, note)
    from kamtool.engine.duck import close_connections

    close_connections()
    if interrupted[0]:
        code = int(ExitStatus.INTERRUPTED)
        with contextlib.suppress(Exception):
            print_error(said("message.interrupted"))
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say there
            stream.flush()
    os._exit(code)


def _command_names() -> list[str]:
    return [c.name or c.callback.__name__ for c in app.registered_commands if c.callback is not None]
