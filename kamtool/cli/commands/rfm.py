"""`kamtool rfm`: recency, frequency and monetary scores, and the segments they name."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional  # noqa: UP035

import typer

from kamtool.cli.app import app
from kamtool.cli.options import AsOf, Common, Per, shared_options
from kamtool.cli.params import parse_day
from kamtool.cli.run import attach_names, emit, load_ledger, run_as_of, with_per


def _show_rules(value: bool) -> None:
    if not value:
        return
    from kamtool.render.console import frame_table, make_console
    from kamtool.render.words.rfm import rules_table

    console = make_console()
    console.print(frame_table(rules_table(), lang="en", command="rfm", plain=not console.is_terminal))
    raise typer.Exit()


def parse_thresholds(values: list[str] | None) -> dict[str, list[float]] | None:
    """['r=30,90,180,365', 'f=2,3,5,8'] -> {'r': [...], 'f': [...]} (raw values, not percents)."""
    from kamtool.errors import UsageError

    if not values:
        return None
    out: dict[str, list[float]] = {}
    for item in values:
        dim, sep, rest = item.partition("=")
        dim = dim.strip().lower()
        if not sep or dim not in ("r", "f", "m"):
            raise UsageError.said("error.rfm.thresholds_takes_r_f", item=item)
        try:
            out[dim] = [float(v) for v in rest.split(",") if v.strip()]
        except ValueError:
            raise UsageError.said("error.rfm.thresholds_breaks_must_numbers", item=item) from None
    return out


class Binning(str, Enum):
    quantile = "quantile"
    r_rfm = "r-rfm"


class Frequency(str, Enum):
    orders = "orders"
    lines = "lines"
    days = "days"


@app.command("rfm")
@shared_options
def rfm_command(
    common: Common,
    as_of: AsOf = None,
    bins: Annotated[int, typer.Option(help="Scores per dimension, from quantile breaks.", min=2, max=9)] = 5,
    thresholds: Annotated[Optional[list[str]], typer.Option(  # noqa: UP045
        help="Fix the breaks by hand: r=DAYS,… f=ORDERS,… m=MONEY,… (repeatable); n breaks give "
        "n+1 scores.", metavar="DIM=B1,B2,…", show_default=False)] = None,
    segments: Annotated[Optional[str], typer.Option(  # noqa: UP045
        help="A TOML file of segment rules replacing the default table.", metavar="RULES.toml",
        show_default=False)] = None,
    binning: Annotated[Binning, typer.Option(
        help="quantile: a value equal to a quantile break goes to the lower score (pandas qcut's rule; "
        "for whole-number measures with whole-number breaks it gives R's scores); r-rfm: R rfm "
        "0.3.0 bit for bit (breaks + 1, lower <= x < upper).")] = Binning.quantile,
    frequency: Annotated[Frequency, typer.Option(
        help="What frequency counts: distinct orders, order lines (what R's rfm counts) or days "
        "with an order.")] = Frequency.orders,
    show_rules: Annotated[bool, typer.Option(
        "--show-rules", help="Print the default segment rules and exit.", callback=_show_rules,
        is_eager=True)] = False,
    per: Per = None,
) -> None:
    """RFM (最近消费 / 消费频率 / 消费金额): score every customer and name the segments.

    Recency is days from the last order to --as-of, frequency the orders (--frequency),
    monetary the net revenue. Scores 1..--bins come from quantile breaks (R type 7); a value
    equal to a break goes to the lower score, so a customer with one order is always F = 1.
    Equal values share a score, so a score can be empty (named in the headline; the breaks
    and counts per score are printed). --binning r-rfm --frequency lines gives R rfm's table.
    Segments follow a first-match rule table (--show-rules).

    Examples:

      kamtool rfm orders.csv

      kamtool rfm orders.csv --as-of 2025-10-01 --thresholds f=2,3,5,8

      kamtool rfm orders.csv --binning r-rfm --frequency lines

      kamtool rfm orders.xlsx --segments my_rules.toml -o rfm.xlsx --lang zh
    """
    rules = None
    if segments:
        from kamtool.analyses.rfm import load_segments

        rules = load_segments(segments)
    from kamtool.analyses import rfm as analysis

    needs = analysis.needs(frequency.value)
    ledger = load_ledger(common, needs)
    result = analysis.rfm(ledger.customers, as_of=parse_day(as_of, "--as-of"), bins=bins,
                          thresholds=parse_thresholds(thresholds), segments=rules, binning=binning.value,
                          frequency=frequency.value)
    result = with_per(result, common, needs, per, lambda part: analysis.rfm(
        part.customers, as_of=run_as_of(result), bins=bins, thresholds=parse_thresholds(thresholds),
        segments=rules, binning=binning.value, frequency=frequency.value),
        ("customers", "revenue", "segment_counts"))
    emit(attach_names(result, ledger.customers), common, ledger)
