"""Options every command shares, declared once.

``@shared_options`` adds the input options (files, --col, --encoding …) and the
output options (--format, -o, --top, --lang) to a command and hands them to it
as one :class:`Common` object, so a new command gets input handling, output
formats and labels for free.
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass, field
from enum import Enum
from typing import Annotated, Any, Callable, Optional  # noqa: UP035 - Typer reads these at runtime

import typer

INPUT = "Input"
FILTERS = "Filters"
CONTEXT = "kamtool_context"  # the wrapper's parameter that receives Click's context
OUTPUT = "Output"


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class Lang(str, Enum):
    en = "en"
    zh = "zh"


class Engine(str, Enum):
    local = "local"
    dask = "dask"


@dataclass(frozen=True)
class Settings:
    """What the whole run knows before a command parses its options: kamtool.toml's [columns]
    and --traceback. Handed to the command through Click's context, not module state."""

    columns: dict[str, str] = field(default_factory=dict)
    traceback: bool = False
    # [accounts] / [payments]: the column mapping of the second files, by kind.
    tables: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class Common:
    files: list[str]
    col: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    decimal: str = "."
    dayfirst: bool = False
    skip_bad_rows: bool = False
    max_rows: int = 1_048_576
    max_cells: int | None = None
    max_input_size: str = "2GiB"
    max_cell_chars: int = 32_767
    date_range: str = "1900-01-01,2100-12-31"
    dedupe_files: bool = False
    engine: Engine = Engine.local
    scheduler: str | None = None
    format: Format | None = None
    output: str | None = None
    top: int = 20
    lang: Lang = Lang.en
    raw_csv: bool = False
    date_from: str | None = None
    date_to: str | None = None
    where: list[str] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)


# name -> (annotation, default); the order is the order --help lists them.
SHARED: dict[str, tuple[Any, Any]] = {
    "files": (
        Annotated[list[str], typer.Argument(
            help="Order exports: CSV/TSV/TXT, Excel (.xlsx/.xlsm/.xls), Parquet; several files are "
                 "read as one; '-' reads stdin.", metavar="FILE...", show_default=False)],
        inspect.Parameter.empty,
    ),
    "col": (
        Annotated[Optional[list[str]], typer.Option(  # noqa: UP045
            "--col", help="Map a column: canonical=Header, e.g. --col customer=Kunde (repeatable).",
            metavar="NAME=HEADER", rich_help_panel=INPUT, show_default=False)],
        None,
    ),
    "encoding": (
        Annotated[Optional[str], typer.Option(  # noqa: UP045
            help="Text encoding of CSV input (default: sniffed UTF-8 / UTF-8 BOM / GB18030).",
            rich_help_panel=INPUT, show_default=False)],
        None,
    ),
    "delimiter": (
        Annotated[Optional[str], typer.Option(  # noqa: UP045
            "--delimiter", "--sep", help="CSV field separator (default: sniffed among , ; tab |).",
            rich_help_panel=INPUT, show_default=False)],
        None,
    ),
    "sheet": (
        Annotated[Optional[str], typer.Option(  # noqa: UP045
            help="Excel sheet name or 1-based number (default: the first sheet with data).",
            rich_help_panel=INPUT, show_default=False)],
        None,
    ),
    "header_row": (
        Annotated[Optional[int], typer.Option(  # noqa: UP045
            help="Line/row number of the header as seen in the file (default: found).",
            min=1, rich_help_panel=INPUT, show_default=False)],
        None,
    ),
    "decimal": (
        Annotated[str, typer.Option(help="Decimal mark of money text: '.' or ','.", rich_help_panel=INPUT)],
        ".",
    ),
    "dayfirst": (
        Annotated[bool, typer.Option("--dayfirst", help="Read 05/03/2024 as 5 March (default: month first).",
                                     rich_help_panel=INPUT)],
        False,
    ),
    "skip_bad_rows": (
        Annotated[bool, typer.Option("--skip-bad-rows", help="Skip rows with unreadable values and report "
                                     "how many were skipped for each reason (default: stop with an error).",
                                     rich_help_panel=INPUT)],
        False,
    ),
    "max_rows": (
        Annotated[int, typer.Option(help="Refuse a workbook sheet with more rows (Excel's own limit by "
                                    "default).", min=1, rich_help_panel=INPUT)],
        1_048_576,
    ),
    "max_cells": (
        Annotated[Optional[int], typer.Option(  # noqa: UP045
            help="Refuse a workbook sheet whose used rectangle holds more cells (default: max-rows x 64, "
                 "and a large rectangle less than 1 % filled is refused too).", min=1,
            rich_help_panel=INPUT, show_default=False)],
        None,
    ),
    "max_input_size": (
        Annotated[str, typer.Option(help="Refuse a workbook that inflates to more than this (e.g. 4GiB, "
                                    "500MB, or bytes).", metavar="SIZE", rich_help_panel=INPUT)],
        "2GiB",
    ),
    "max_cell_chars": (
        Annotated[int, typer.Option(help="Refuse a workbook cell of more characters (Excel's own limit by "
                                    "default).", min=1, rich_help_panel=INPUT)],
        32_767,
    ),
    "date_range": (
        Annotated[str, typer.Option(help="Order dates outside FIRST,LAST are bad values (an error, or "
                                    "skipped and counted under --skip-bad-rows).", metavar="FIRST,LAST",
                                    rich_help_panel=INPUT)],
        "1900-01-01,2100-12-31",
    ),
    "dedupe_files": (
        Annotated[bool, typer.Option("--dedupe-files", help="Read a file given twice once (the same file "
                                     "through any path, or one of the same size and content); without it "
                                     "a repeat is read again, with a warning.", rich_help_panel=INPUT)],
        False,
    ),
    "engine": (
        Annotated[Engine, typer.Option(
            help="Where the ledger is aggregated: this machine, or a Dask cluster.",
            rich_help_panel=INPUT, envvar="KAMTOOL_ENGINE")],
        Engine.local,
    ),
    "scheduler": (
        Annotated[Optional[str], typer.Option(  # noqa: UP045
            help="Dask scheduler address for --engine dask, e.g. tcp://host:8786.",
            envvar="DASK_SCHEDULER_ADDRESS", rich_help_panel=INPUT, show_default=False)],
        None,
    ),
    "date_from": (
        Annotated[Optional[str], typer.Option(  # noqa: UP045
            "--from", help="Read only the order lines dated this day or later (e.g. 2024-01-01).",
            metavar="DATE", rich_help_panel=FILTERS, show_default=False)],
        None,
    ),
    "date_to": (
        Annotated[Optional[str], typer.Option(  # noqa: UP045
            "--to", help="Read only the order lines dated this day or earlier; the default --as-of is "
            "then the day after it.", metavar="DATE", rich_help_panel=FILTERS, show_default=False)],
        None,
    ),
    "where": (
        Annotated[Optional[list[str]], typer.Option(  # noqa: UP045
            "--where", help="Read only the lines whose column holds one of the values, e.g. --where "
            "region=East,West or --where 区域=华东 (a kamtool column or any header of the file; "
            "repeatable: every one must hold).", metavar="COLUMN=VALUE", rich_help_panel=FILTERS,
            show_default=False)],
        None,
    ),
    "format": (
        Annotated[Optional[Format], typer.Option(  # noqa: UP045
            "--format", "-f", help="stdout format (default: table; plain text without colour in a pipe).",
            rich_help_panel=OUTPUT, show_default=False)],
        None,
    ),
    "output": (
        Annotated[Optional[str], typer.Option(  # noqa: UP045
            "--output", "-o", help="Write the full result to a file; the extension picks the format: "
            ".csv .json .parquet .xlsx.", metavar="PATH", rich_help_panel=OUTPUT, show_default=False)],
        None,
    ),
    "top": (
        Annotated[int, typer.Option(help="Rows shown in the terminal table (files get all rows).", min=0,
                                    rich_help_panel=OUTPUT)],
        20,
    ),
    "lang": (
        Annotated[Lang, typer.Option(
            help="Language of labels in tables and workbooks.", envvar="KAMTOOL_LANG",
            rich_help_panel=OUTPUT)],
        Lang.en,
    ),
    "raw_csv": (
        Annotated[bool, typer.Option(
            "--raw-csv", help="CSV output as the bytes of the data: no leading apostrophe before text "
            "cells that begin with = + - @ (by default such cells are neutralised so that Excel "
            "never runs them as formulas).", rich_help_panel=OUTPUT)],
        False,
    ),
}


def shared_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command the shared options; it receives them as ``common: Common``."""
    own = [p for p in inspect.signature(fn).parameters.values() if p.name != "common"]
    shared_params = [
        inspect.Parameter(
            name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD if default is inspect.Parameter.empty
            else inspect.Parameter.KEYWORD_ONLY,
            default=default, annotation=annotation,
        )
        for name, (annotation, default) in SHARED.items()
    ]
    positional = [p for p in shared_params if p.default is inspect.Parameter.empty]
    keyword = [p for p in shared_params if p.default is not inspect.Parameter.empty]
    # Typer reads option metadata from the signature's annotations, which are still
    # strings under `from __future__ import annotations`: give it the resolved ones.
    own_hints = typing_hints(fn)
    own_kw = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=own_hints.get(p.name, p.annotation))
              for p in own]

    from kamtool.cli.app import guarded

    @functools.wraps(fn)
    def wrapper(**kwargs: Any) -> Any:
        ctx = kwargs.pop(CONTEXT)
        settings = ctx.find_object(Settings) or Settings()
        shared = {name: kwargs.pop(name) for name in SHARED}
        shared["col"] = shared["col"] or []
        shared["where"] = shared["where"] or []
        if kwargs.get("as_of", ...) is None and shared["date_to"] is not None:
            # With --to the window ends there: "today" for recency and churn is the day after it.
            from kamtool.cli.params import day_after

            kwargs["as_of"] = day_after(shared["date_to"], "--to")
        return guarded(fn, traceback=settings.traceback)(common=Common(**shared, settings=settings), **kwargs)

    # Typer hands the Click context to a parameter annotated typer.Context (not an option).
    context = inspect.Parameter(CONTEXT, inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)
    wrapper.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        positional + own_kw + keyword + [context])
    hints = {p.name: p.annotation for p in positional + keyword}
    hints[CONTEXT] = typer.Context
    hints.update(own_hints)
    wrapper.__annotations__ = hints
    del wrapper.__wrapped__  # Typer must read our signature, not the original's
    return wrapper


def typing_hints(fn: Callable[..., Any]) -> dict[str, Any]:
    import typing

    hints = typing.get_type_hints(fn, include_extras=True)
    hints.pop("common", None)
    hints.pop("return", None)
    return hints


# ------------------------------------------------------------ options several commands share


class Period(str, Enum):
    month = "month"
    quarter = "quarter"
    year = "year"


class Measure(str, Enum):
    revenue = "revenue"
    profit = "profit"
    quantity = "quantity"
    orders = "orders"


AsOf = Annotated[Optional[str], typer.Option(  # noqa: UP045
    help="'Today' for recency and churn (default: the day after the last order, so reruns agree).",
    show_default=False)]
By = Annotated[str, typer.Option(
    "--by", help="What to rank: customer, salesperson, product, region, channel, brand, category, "
    "or any column of the file by its header.")]
Per = Annotated[Optional[str], typer.Option(  # noqa: UP045
    "--per", help="The headline figures per value of a column (salesperson, region, brand … or any "
    "header of the file), in one table: a row per value, each as --where COLUMN=value gives it.",
    metavar="COLUMN", rich_help_panel=FILTERS, show_default=False)]
MeasureOpt = Annotated[Measure, typer.Option(help="What to measure (profit needs a cost or profit column).")]
AccountsFile = Annotated[Optional[str], typer.Option(  # noqa: UP045
    "--accounts", help="Account attributes keyed by customer (CSV/Excel/Parquet): strategic value, "
    "elasticity, owner, segment, credit limit, payment terms, status, churn reason; mapped under "
    "[accounts] in kamtool.toml.", metavar="FILE", rich_help_panel=INPUT, show_default=False)]
PaymentsFile = Annotated[Optional[str], typer.Option(  # noqa: UP045
    "--payments", help="Payments received (CSV/Excel/Parquet): customer, date, amount, optional invoice "
    "reference; mapped under [payments] in kamtool.toml.", metavar="FILE", rich_help_panel=INPUT,
    show_default=False)]
