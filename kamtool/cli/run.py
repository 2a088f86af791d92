"""What every command does around its analysis: load, report drops, emit, map errors."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from kamtool.cli.options import Common, Format
from kamtool.errors import UsageError
from kamtool.render.console import print_warning as warn

if TYPE_CHECKING:
    from kamtool.io.request import LoadRequest
    from kamtool.ledger import Ledger
    from kamtool.needs import Needs
    from kamtool.result import Result

OUTPUT_SUFFIXES = {".csv", ".json", ".parquet", ".xlsx"}


def load_request(common: Common, needs: Needs, by_label: str | None = None) -> LoadRequest:
    """The load request for an analysis' ``needs`` with the shared options of the command line.

    ``by_label``: the header --by named, when it is none of kamtool's columns (see
    :func:`kamtool.io.request.resolve_by`).
    """
    from kamtool.io.columns import parse_overrides
    from kamtool.io.guard import Limits, parse_size
    from kamtool.io.read import ReadOptions
    from kamtool.io.request import build_request
    from kamtool.io.rules import CleanOptions, parse_date_range

    if common.decimal not in (".", ","):
        raise UsageError(f"--decimal takes '.' or ',' (got {common.decimal!r})")
    # kamtool.toml's [columns] first; each --col flag adds to it or replaces one column.
    overrides = {**parse_overrides(f"{k}={v}" for k, v in common.settings.columns.items()),
                 **parse_overrides(common.col)}
    delimiter = common.delimiter
    if delimiter in ("\\t", "tab", "TAB"):
        delimiter = "\t"
    request = build_request(
        needs, common.files,
        read=ReadOptions(encoding=common.encoding, delimiter=delimiter, sheet=common.sheet,
                         header_row=common.header_row, expected_headers=tuple(overrides.values()),
                         limits=Limits(max_rows=common.max_rows, max_cells=common.max_cells,
                                       max_uncompressed=parse_size(common.max_input_size),
                                       max_cell_chars=common.max_cell_chars)),
        clean=CleanOptions(decimal=common.decimal, dayfirst=common.dayfirst,
                           skip_bad_rows=common.skip_bad_rows,
                           date_range=parse_date_range(common.date_range)),
        overrides=overrides, engine=common.engine.value, scheduler=common.scheduler, by_label=by_label,
        dedupe=common.dedupe_files,
    )
    for note in request.notes:
        warn(note)
    return request


def read_second_file(common: Common, path: str | None, kind: str) -> Any:
    """The ``--accounts`` or ``--payments`` file (``kind``) in canonical columns, read with the
    same io and options as the orders, or None without one; what was dropped is reported."""
    if path is None:
        return None
    from kamtool.io.read import ReadOptions
    from kamtool.io.rules import CleanOptions
    from kamtool.io.tables import TableOptions, read_table

    options = TableOptions(read=ReadOptions(),
                           clean=CleanOptions(decimal=common.decimal, dayfirst=common.dayfirst,
                                              skip_bad_rows=common.skip_bad_rows),
                           overrides=dict(common.settings.tables.get(kind, {})))
    frame, report = read_table(path, kind, options)
    for reason, count in sorted(report.dropped.items()):
        warn(f"{report.name}: dropped {count:,} {reason}")
    return frame


def load_ledger(common: Common, needs: Needs, by_label: str | None = None,
                output_fields: tuple[str, ...] = ("command", "date")) -> Ledger:
    """The ledger an analysis' ``needs`` ask for, read with progress on a terminal; every
    dropped row is reported on stderr. ``output_fields``: the fields an ``-o`` template may use."""
    from kamtool.engine.load import load

    check_output_path(common, output_fields)
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


def check_output_path(common: Common, fields: tuple[str, ...] = ("command", "date")) -> None:
    """Refuse a bad ``-o`` before any work: an unknown extension, a directory, a missing
    folder, or the same file as an input (standard input included, through links and ``..``).

    ``-o`` may be a template of ``fields`` (``kam_{command}_{date}.xlsx``): an unknown field is
    refused here, and the checks hold for the path with every field filled in."""
    if common.output is None:
        return
    from kamtool.io.outfile import check_not_an_input, fill_template, output_target, placeholders

    templated = bool(placeholders(common.output))
    given = fill_template(common.output, dict.fromkeys(fields, "x")) if templated else common.output
    out = output_target(given)
    if out.suffix.lower() not in OUTPUT_SUFFIXES:
        raise UsageError(f"-o {common.output}: the extension picks the format; use one of "
                         f"{', '.join(sorted(OUTPUT_SUFFIXES))}")
    if out.is_dir():
        raise UsageError(f"-o {common.output}: is a directory")
    if not out.parent.exists():
        raise UsageError(f"-o {common.output}: no directory {out.parent}")
    if not templated:
        check_not_an_input(common.output, common.files)


def output_path(common: Common, result: Result, period: tuple[Any, Any] | None = None,
                **fields: Any) -> str:
    """``-o`` with its template filled: {command}, {date} (the as-of date: the result's, else
    the day after the last order) and the caller's ``fields`` (a split value)."""
    from kamtool.io.outfile import fill_template, placeholders

    assert common.output is not None
    if not placeholders(common.output):
        return common.output
    return fill_template(common.output, {"command": result.command, "date": as_of_text(result, period),
                                         **fields})


def as_of_text(result: Result, period: tuple[Any, Any] | None) -> str:
    """The as-of date of a result as YYYY-MM-DD: its own, else the day after the last order
    (kamtool's default as-of) when the load dated the orders, else the day of the run (pareto
    and abc have no as-of date)."""
    import datetime as dt

    value = result.params.get("as_of") or result.summary.get("as_of")
    if value is None and period is not None and period[1] is not None:
        last = period[1]
        day = last if isinstance(last, dt.date) else dt.date.fromisoformat(str(last)[:10])
        value = day + dt.timedelta(days=1)
    if value is None:
        value = dt.date.today()
    return str(value)[:10]


def entity_frame(ledger: Ledger) -> Any:
    """One row per entity (customer, salesperson, a file's column …) with revenue and the
    measures the load was asked for; lines without a value are their own entity "(none)"."""
    if ledger.keys == ("customer",):
        return ledger.customers
    frame = ledger.entities
    (by,) = ledger.keys
    missing = frame[by].isna()
    if missing.any():
        frame[by] = frame[by].astype(object).where(~missing, "(none)")
    return frame


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
        write_output(result, common, _period(ledger))
    fmt = common.format or Format.table
    if fmt == Format.json:
        records.write_json(result, sys.stdout)
    elif fmt == Format.csv:
        records.write_csv(result.rows, sys.stdout, result.kinds, raw=common.raw_csv)
    else:
        from kamtool.render.console import make_console, render_result

        render_result(result, make_console(), lang=common.lang.value,
                      top=common.top)
    sys.stdout.flush()


def _period(ledger: Ledger) -> tuple[Any, Any] | None:
    """The first and last order dates, when the load computed them (for workbook titles)."""
    totals = ledger.totals()
    first, last = totals.get("first_date"), totals.get("last_date")
    return (first, last) if first is not None and last is not None else None


def write_output(result: Result, common: Common, period: tuple[Any, Any] | None = None) -> None:
    """The whole result to ``-o``, written whole or not at all (see :mod:`kamtool.io.outfile`)."""
    from kamtool.io.outfile import open_output, output_target
    from kamtool.render import records

    assert common.output is not None
    path = output_path(common, result, period)
    suffix = output_target(path).suffix.lower()
    with open_output(path, inputs=common.files) as tmp:
        if suffix == ".xlsx":
            from kamtool.render.excel import write_workbook

            cut = write_workbook(result, tmp, lang=common.lang.value, sources=list(common.files),
                                 period=period)
            if cut:
                warn(f"{cut:,} cells held more than Excel's 32,767 characters and were cut in "
                     f"{path}; the CSV and JSON outputs keep them whole")
        elif suffix == ".json":
            with open(tmp, "w", encoding="utf-8") as handle:
                records.write_json(result, handle)
        elif suffix == ".csv":
            with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel reads UTF-8
                records.write_csv(result.rows, handle, result.kinds, raw=common.raw_csv)
        else:
            records.write_parquet(result.rows, tmp)
    from kamtool.render.console import make_console

    make_console(stderr=True).print(f"wrote {path}", highlight=False, markup=False)
