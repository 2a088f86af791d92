"""What every command does around its analysis: load, report drops, emit, map errors."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from kamtool.cli.options import Common, Format
from kamtool.errors import UsageError
from kamtool.labels import label
from kamtool.render.console import print_warning as warn

if TYPE_CHECKING:
    from kamtool.io.request import LoadRequest
    from kamtool.ledger import Ledger
    from kamtool.needs import Needs
    from kamtool.result import Result

OUTPUT_SUFFIXES = {".csv", ".json", ".parquet", ".xlsx"}
_PHASE_MARK: list[float] = []


def phase(name: str) -> None:
    """With KAMTOOL_PHASES=1, the seconds since the last mark (the first: since the process
    started) on stderr, as ``phase NAME: 0.42 s`` (benchmarks/README.md's breakdown)."""
    import os
    from pathlib import Path

    if os.environ.get("KAMTOOL_PHASES") != "1":
        return
    now = time.time()
    if not _PHASE_MARK:
        try:  # the process's start, in clock ticks since boot (Linux)
            ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
            uptime = float(Path("/proc/uptime").read_text().split()[0])
            _PHASE_MARK.append(now - uptime + ticks / os.sysconf("SC_CLK_TCK"))
        except (OSError, ValueError, IndexError):
            _PHASE_MARK.append(now)
    print(f"phase {name}: {now - _PHASE_MARK[-1]:.3f} s", file=sys.stderr, flush=True)
    _PHASE_MARK.append(now)


def load_request(common: Common, needs: Needs, by_label: str | None = None, *,
                 quiet: bool = False) -> LoadRequest:
    """The load request for an analysis' ``needs`` with the shared options of the command line.

    ``by_label``: the header --by named, when it is none of kamtool's columns (see
    :func:`kamtool.io.request.resolve_by`).
    """
    from kamtool.cli.params import filters
    from kamtool.io.columns import parse_overrides
    from kamtool.io.guard import Limits, parse_size
    from kamtool.io.read import ReadOptions
    from kamtool.io.request import build_request
    from kamtool.io.rules import CleanOptions, parse_date_range

    if common.decimal not in (".", ","):
        raise UsageError.said("error.run.decimal_takes_got", decimal=common.decimal)
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
        dedupe=common.dedupe_files, filters=filters(common.date_from, common.date_to, common.where),
    )
    for note in () if quiet else request.notes:
        warn(note)
    return request


def read_second_file(common: Common, path: str | None, kind: str) -> Any:
    """The ``--accounts`` or ``--payments`` file (``kind``) in canonical columns, read with the
    same io and options as the orders, or None without one; what was dropped is reported."""
    return read_second_table(common, path, kind)[0]


def read_second_table(common: Common, path: str | None, kind: str) -> tuple[Any, Any]:
    """:func:`read_second_file` and the file's read report (for a Data quality sheet), or Nones."""
    if path is None:
        return None, None
    from kamtool.io.read import ReadOptions
    from kamtool.io.rules import CleanOptions
    from kamtool.io.tables import TableOptions, read_table

    options = TableOptions(read=ReadOptions(),
                           clean=CleanOptions(decimal=common.decimal, dayfirst=common.dayfirst,
                                              skip_bad_rows=common.skip_bad_rows),
                           overrides=dict(common.settings.tables.get(kind, {})))
    frame, report = read_table(path, kind, options)
    from kamtool.render.words.messages import left_out

    for reason, count in sorted(report.dropped.items()):
        warn(left_out(report.name, count, reason, common.lang.value))
    return frame, report


def load_ledger(common: Common, needs: Needs, by_label: str | None = None, *, quiet: bool = False,
                output_fields: tuple[str, ...] = ("command", "date")) -> Ledger:
    """The ledger an analysis' ``needs`` ask for, read with progress on a terminal; every
    dropped row is reported on stderr (``quiet``: a second load of the same files, for --per,
    reports nothing again). ``output_fields``: the fields an ``-o`` template may use."""
    from kamtool.engine.load import load

    phase("start-up and imports")
    from kamtool.warm import expect_console

    expect_console(common.format in (None, Format.table) or common.output is not None)
    check_output_path(common, output_fields)
    request = load_request(common, needs, by_label, quiet=quiet)
    with progress_bar() as tick:
        result = load(request, progress=tick)
    if not quiet:
        report_drops(result, common.lang.value)
        from kamtool.render.words.filters import unmatched

        for missing in result.unmatched:
            warn(unmatched(missing, common.lang.value))
    phase("load (query)")
    return result


def report_drops(result: Ledger, lang: str = "en") -> None:
    from kamtool.engine.filters import is_filter_reason
    from kamtool.render.words.messages import left_out

    for info in result.sources:
        for reason, count in sorted(info.stats.dropped.items()):
            if is_filter_reason(reason):
                continue  # asked for: the headline states the filters, inspect counts their lines
            warn(left_out(info.name, count, reason, lang))


@contextmanager
def progress_bar() -> Iterator[Callable[[int, int], None] | None]:
    """Rows read and rate on stderr, only on a terminal and only when loading takes a while;
    None elsewhere, so that the engines watch no progress nobody sees (DuckDB's is read by a
    thread polling the running query)."""
    if not sys.stderr.isatty():
        yield None
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
        raise UsageError.said("error.run.o_extension_picks_format", output=common.output,
                              output_suffixes=', '.join(sorted(OUTPUT_SUFFIXES)))
    if out.is_dir():
        raise UsageError.said("error.run.o_directory", output=common.output)
    if not out.parent.exists():
        raise UsageError.said("error.run.o_no_directory", output=common.output, parent=out.parent)
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
    if ledger.filters:
        result.params["filters"] = ledger.filters.params()
    return result


def emit(result: Result, common: Common, ledger: Ledger) -> None:
    """stdout in the chosen format; -o writes the whole result, atomically. Every command
    passes here with the ledger its result came from (see :func:`with_engine`)."""
    from kamtool.render import records

    phase("analysis")
    result = with_engine(result, ledger)
    if common.output is not None:
        write_output(result, common, data_period(ledger))
        phase("writing -o")
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
    phase("rendering")


def data_period(ledger: Ledger) -> tuple[Any, Any] | None:
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
                warn(label("message.cells_cut", common.lang.value).format(count=f"{cut:,}", path=path))
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


# ----------------------------------------------------------------------------- --per DIM


def with_per(result: Result, common: Common, needs: Needs, per: str | None,
             analyse: Callable[[Ledger], Result], figures: Sequence[str],
             by_label: str | None = None) -> Result:
    """``--per DIM``: the headline ``figures`` of ``result``'s command per value of DIM, as the
    result's ``per`` table (a row per value, lines without one last as a null value).

    One more load, at the command's grain with DIM added (customer × region for abc), so each
    value's lines are grouped exactly as ``--where DIM=value`` groups them (revenue, distinct
    orders, first and last dates), and the command's own ``analyse`` runs on each value's part:
    every row equals the command's figures under ``--where DIM=value`` (at the as-of date of
    the whole run, which ``analyse`` fixes).  The command's own result keeps its own load, so
    ``--per`` changes none of its figures (distinct orders do not add up across values).

    ``figures``: summary keys; a nested one (rfm's segment_counts) gives a column per item,
    ``segment.{code}``.
    """
    if per is None:
        return result
    from dataclasses import replace

    from kamtool.io.columns import ENTITY, TEXT_COLUMNS
    from kamtool.io.request import resolve_by

    dim, dim_label = resolve_by(per)
    if dim in needs.grain:
        raise UsageError.said("error.run.per_command_table_already", per=per, dim=dim)
    if dim_label is not None and by_label is not None:
        raise UsageError.said("error.run.per_per_takes_kamtool", per=per, by_label=by_label)
    if dim != ENTITY and dim not in TEXT_COLUMNS:
        raise UsageError.said("error.run.per_not_text_column", per=per, dim=dim)
    ledger = load_ledger(common, replace(needs, keys=(*needs.keys, dim)), by_label or dim_label, quiet=True)
    import pandas as pd

    parts = [(value, _per_figures(analyse, part, figures))
             for value, part in _per_parts(ledger, dim, needs.grain, by_label)]
    table = pd.DataFrame([{dim: value, **(found or {})} for value, found in parts])
    worked = pd.Series([found is not None for _, found in parts], index=table.index)
    for column in (c for c in table.columns if str(c).startswith("segment.")):
        # a segment no customer of a value falls in counts 0 (rfm's summary leaves it out)
        table[column] = table[column].where(table[column].notna() | ~worked, 0).astype("Int64")
    result.tables["per"] = table
    result.params["per"] = dim
    if dim_label is not None:
        result.params["per_label"] = dim_label
    from kamtool.render.formats import value_spec

    for key in map(str, table.columns[1:]):
        # a figure's kind as the summary states it (money, share …); segment counts are counts
        kind = "count" if "." in key else value_spec(key, result.summary.get(key), result.kinds).kind
        result.kinds[f"per.{key}"] = kind
    return result


def _per_parts(ledger: Ledger, dim: str, grain: tuple[str, ...], by_label: str | None) -> Iterator[Any]:
    """(value, the ledger of that value's lines at ``grain``) for every value of ``dim``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from kamtool.ledger import Ledger

    table = ledger.table
    values = sorted((v for v in pc.unique(table[dim]).to_pylist() if v is not None), key=str)
    if table[dim].null_count:
        values.append(None)
    present = ledger.present - {dim, "customer_name"}  # names are not grouped per value
    for value in values:
        part = table.filter(pc.is_null(table[dim]) if value is None else pc.equal(table[dim], value))
        part = part.drop_columns([dim])
        if grain == ("customer",):
            part = part.append_column("customer_name", pa.nulls(part.num_rows, pa.string()))
        yield value, Ledger(table=part, keys=grain, sources=ledger.sources, present=present,
                            engine=ledger.engine, engine_reason=ledger.engine_reason, by_label=by_label)


def _per_figures(analyse: Callable[[Ledger], Result], part: Ledger,
                 figures: Sequence[str]) -> dict[str, Any] | None:
    """The figures of one value's part; None (null figures) when the command fails on that
    value alone (``--where DIM=value`` says why)."""
    from kamtool.errors import AnalysisError

    try:
        summary = analyse(part).summary
    except AnalysisError:
        return None
    out: dict[str, Any] = {}
    for key in figures:
        value = summary.get(key)
        if isinstance(value, dict):
            for item, count in value.items():
                code = str(item).lower().replace("'", "").replace(" ", "_")
                out[f"segment.{code}"] = count
        else:
            out[key] = value
    return out


def run_as_of(result: Result) -> Any:
    """The as-of day a result was computed at, for --per's parts (one date for every row)."""
    from kamtool.cli.params import parse_day

    return parse_day(str(result.summary.get("as_of", result.params.get("as_of")))[:10], "--as-of")
