"""What every command does around its analysis: load, report drops, emit, map errors."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from traceback import print_exc
from typing import TYPE_CHECKING, Any

import typer

from kamtool.cli.options import Common, Format
from kamtool.errors import ExitStatus, KamtoolError, UsageError

if TYPE_CHECKING:
    from kamtool.io.request import LoadRequest
    from kamtool.ledger import Ledger
    from kamtool.needs import Needs
    from kamtool.result import Result

OUTPUT_SUFFIXES = {".csv", ".json", ".parquet", ".xlsx"}


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
            error(str(exc))
            raise typer.Exit(int(exc.exit_status)) from None
        except KeyboardInterrupt:
            error("interrupted")
            raise typer.Exit(int(ExitStatus.INTERRUPTED)) from None
        except MemoryError:
            error("out of memory; try fewer files at once, or --engine dask")
            raise typer.Exit(int(ExitStatus.ERROR)) from None
        except Exception as exc:  # a bug or an input we did not foresee: still no traceback
            if show_stack:
                print_exc()
            error(f"{type(exc).__name__}: {exc} (this may be a kamtool bug; rerun with --traceback "
                  f"and report it)")
            raise typer.Exit(int(ExitStatus.ERROR)) from None

    return run


def error(message: str) -> None:
    from kamtool.render.console import make_console

    make_console(stderr=True).print(f"[bold red]Error:[/] {message}" if _color() else f"Error: {message}",
                                    markup=_color(), highlight=False)


def warn(message: str) -> None:
    from kamtool.render.console import make_console

    make_console(stderr=True).print(f"[yellow]Warning:[/] {message}" if _color() else f"Warning: {message}",
                                    markup=_color(), highlight=False)


def _color() -> bool:
    return sys.stderr.isatty() and not os.environ.get("NO_COLOR")


def load_request(common: Common, needs: Needs, by_label: str | None = None) -> LoadRequest:
    """The load request for an analysis' ``needs`` with the shared options of the command line.

    ``by_label``: the header --by named, when it is none of kamtool's columns (see
    :func:`kamtool.io.request.resolve_by`).
    """
    from kamtool.io.columns import parse_overrides
    from kamtool.io.read import ReadOptions
    from kamtool.io.request import build_request
    from kamtool.io.rules import CleanOptions

    if common.decimal not in (".", ","):
        raise UsageError(f"--decimal takes '.' or ',' (got {common.decimal!r})")
    # kamtool.toml's [columns] first; each --col flag adds to it or replaces one column.
    overrides = {**parse_overrides(f"{k}={v}" for k, v in common.settings.columns.items()),
                 **parse_overrides(common.col)}
    delimiter = common.delimiter
    if delimiter in ("\\t", "tab", "TAB"):
        delimiter = "\t"
    return build_request(
        needs, common.files,
        read=ReadOptions(encoding=common.encoding, delimiter=delimiter, sheet=common.sheet,
                         header_row=common.header_row, expected_headers=tuple(overrides.values())),
        clean=CleanOptions(decimal=common.decimal, dayfirst=common.dayfirst,
                           skip_bad_rows=common.skip_bad_rows),
        overrides=overrides, engine=common.engine.value, scheduler=common.scheduler, by_label=by_label,
    )


def load_ledger(common: Common, needs: Needs, by_label: str | None = None) -> Ledger:
    """The ledger an analysis' ``needs`` ask for, read with progress on a terminal; every
    dropped row is reported on stderr."""
    from kamtool.engine.load import load

    check_output_path(common)
    request = load_request(common, needs, by_label)
    with progress_bar() as tick:
        result = load(request, progress=tick)
    report_drops(result)
    return result


def report_drops(result: Ledger) -> None:
    for info in result.sources:
        for reason, count in sorted(info.stats.dropped.items()):
            warn(f"{info.name}: skipped {count:,} {reason}" if not reason.startswith(("totals", "blank"))
                 else f"{info.name}: dropped {count:,} {reason}")


@contextmanager
def progress_bar() -> Iterator[Callable[[int, int], None]]:
    """Rows read and rate on stderr, only on a terminal and only when loading takes a while."""
    if not sys.stderr.isatty():
        yield lambda rows, size: None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from kamtool.render.console import make_console

    start = time.monotonic()
    seen = [0]
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                        console=make_console(stderr=True), transient=True)
    task = progress.add_task("reading", total=None)
    started = [False]

    def tick(rows: int, size: int) -> None:
        """``rows``: lines read since the last tick; else ``size``: bytes of the file read so far."""
        seen[0] += rows
        elapsed = time.monotonic() - start
        if not started[0] and elapsed > 0.5:
            progress.start()
            started[0] = True
        if rows:
            rate = seen[0] / elapsed if elapsed > 0 else 0.0
            progress.update(task, description=f"read {seen[0]:,} lines ({rate:,.0f}/s)")
        else:
            rate = size / elapsed / 1e6 if elapsed > 0 else 0.0
            progress.update(task, description=f"read {size / 1e6:,.0f} MB ({rate:,.0f} MB/s)")

    try:
        yield tick
    finally:
        if started[0]:
            progress.stop()


def check_output_path(common: Common) -> None:
    if common.output is None:
        return
    out = Path(common.output)
    if out.suffix.lower() not in OUTPUT_SUFFIXES:
        raise UsageError(f"-o {common.output}: the extension picks the format; use one of "
                         f"{', '.join(sorted(OUTPUT_SUFFIXES))}")
    if out.is_dir():
        raise UsageError(f"-o {common.output}: is a directory")
    for name in common.files:
        if name != "-" and out.exists() and Path(name).exists() and out.resolve() == Path(name).resolve():
            raise UsageError(f"-o {common.output}: refusing to write over an input file")
    if not out.parent.exists():
        raise UsageError(f"-o {common.output}: no directory {out.parent}")


def attach_names(result: Result, customers: Any) -> Result:
    """Put each customer's name beside its id, when the export has names."""
    if "customer_name" not in customers or "customer" not in result.rows:
        return result
    if "customer_name" not in result.rows:  # abc and pareto rank them along with the ids
        names = customers.set_index("customer")["customer_name"]
        position = list(result.rows.columns).index("customer") + 1
        result.rows.insert(position, "customer_name", result.rows["customer"].map(names))
    if result.display_columns is not None and "customer_name" not in result.display_columns:
        cols = list(result.display_columns)
        if "customer" in cols:
            cols.insert(cols.index("customer") + 1, "customer_name")
        result.display_columns = cols
    return result


def for_people(result: Result, lang: str) -> Result:
    """The result with coded values (statuses, groups) in the report language."""
    import dataclasses

    from kamtool.labels import value_labels

    def words(frame: Any) -> Any:
        own = [c for c in result.value_labels if c in frame.columns]
        if own:
            frame = frame.copy()
            for col in own:
                mapping = result.value_labels[col]
                frame[col] = frame[col].map(lambda v, m=mapping: m.get(v, v))
        return value_labels(frame, result.command, lang)

    return dataclasses.replace(
        result,
        rows=words(result.rows),
        tables={name: words(t) for name, t in result.tables.items()},
    )


def with_engine(result: Result, ledger: Ledger) -> Result:
    """The result's params say which engine built the ledger and, when not the native one,
    why; and the header behind an ``entity`` key (``by_label``), for display."""
    result.params["engine"] = ledger.engine
    if ledger.engine_reason is not None:
        result.params["engine_reason"] = ledger.engine_reason
    if ledger.by_label is not None:
        result.params["by_label"] = ledger.by_label
    return result


def emit(result: Result, common: Common, ledger: Ledger) -> None:
    """stdout in the chosen format; -o writes the whole result, atomically. Every command
    passes here with the ledger its result came from (see :func:`with_engine`)."""
    from kamtool.render import records

    result = with_engine(result, ledger)
    if common.output is not None:
        write_output(result, common)
    fmt = common.format or Format.table
    if fmt == Format.json:
        records.write_json(result, sys.stdout)
    elif fmt == Format.csv:
        records.write_csv(result.rows, sys.stdout)
    else:
        from kamtool.render.console import make_console, render_result

        render_result(for_people(result, common.lang.value), make_console(), lang=common.lang.value,
                      top=common.top)
    sys.stdout.flush()


def write_output(result: Result, common: Common) -> None:
    assert common.output is not None
    out = Path(common.output)
    suffix = out.suffix.lower()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=suffix, dir=out.parent or Path("."))
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if suffix == ".xlsx":
            from kamtool.render.excel import write_workbook

            write_workbook(for_people(result, common.lang.value), tmp, lang=common.lang.value,
                           sources=list(common.files))
        elif suffix == ".json":
            from kamtool.render import records

            with open(tmp, "w", encoding="utf-8") as handle:
                records.write_json(result, handle)
        elif suffix == ".csv":
            from kamtool.render import records

            with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel reads UTF-8
                records.write_csv(result.rows, handle)
        else:
            from kamtool.render import records

            records.write_parquet(result.rows, tmp)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    from kamtool.render.console import make_console

    make_console(stderr=True).print(f"wrote {out}", highlight=False)
