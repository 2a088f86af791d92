"""`kamtool rfm` and `kamtool loyalty`: who buys how, and who is loyal."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Optional  # noqa: UP035

import typer

from kamtool.cli.app import app
from kamtool.cli.options import Common, shared_options
from kamtool.cli.params import number_list, parse_day
from kamtool.cli.run import attach_names, emit, load_ledger


class Period(str, Enum):
    month = "month"
    quarter = "quarter"
    year = "year"


AsOf = Annotated[Optional[str], typer.Option(  # noqa: UP045
    help="'Today' for recency (default: the day after the last order, so reruns agree).",
    show_default=False)]


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
            raise UsageError(
                f"--thresholds takes r=…, f=… or m=…, e.g. --thresholds f=2,3,5,8 (got {item!r})")
        try:
            out[dim] = [float(v) for v in rest.split(",") if v.strip()]
        except ValueError:
            raise UsageError(f"--thresholds {item}: the breaks must be numbers") from None
    return out


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
    show_rules: Annotated[bool, typer.Option(
        "--show-rules", help="Print the default segment rules and exit.", callback=_show_rules,
        is_eager=True)] = False,
) -> None:
    """RFM (最近消费 / 消费频率 / 消费金额): score every customer and name the segments.

    Recency is days from the last order to --as-of, frequency the orders, monetary the net
    revenue. Scores 1..--bins come from quantile breaks as in R's rfm package (a value
    falls in the bin lower <= x < upper; equal values share a score, so a bin can be
    empty — the breaks and counts per score are printed). Segments follow a first-match
    rule table (--show-rules).

    Examples:

      kamtool rfm orders.csv

      kamtool rfm orders.csv --as-of 2025-10-01 --thresholds f=2,3,5,8

      kamtool rfm orders.xlsx --segments my_rules.toml -o rfm.xlsx --lang zh
    """
    rules = None
    if segments:
        from kamtool.analyses.rfm import load_segments

        rules = load_segments(segments)
    from kamtool.analyses import rfm as analysis

    ledger = load_ledger(common, analysis.NEEDS)
    result = analysis.rfm(ledger.customers, as_of=parse_day(as_of, "--as-of"), bins=bins,
                 thresholds=parse_thresholds(thresholds), segments=rules)
    emit(attach_names(result, ledger.customers), common, ledger)


@app.command("loyalty")
@shared_options
def loyalty_command(
    common: Common,
    brand: Annotated[Optional[str], typer.Option(  # noqa: UP045
        help="The focal brand (default: config, else the brand with the most revenue).",
        show_default=False)] = None,
    period: Annotated[Period, typer.Option(help="Calendar periods compared.")] = Period.quarter,
    share: Annotated[float, typer.Option(
        "--share", help="Share of wallet that makes a brand dominant, in percent.")] = 70.0,
    launch_window: Annotated[int, typer.Option(
        help="Days after a product's first sale in which buyers count as early adopters.", min=1)] = 90,
    grace_days: Annotated[int, typer.Option(
        help="A product is new only if its first sale is at least this many days after the data starts.",
        min=0)] = 90,
    last_n: Annotated[int, typer.Option(
        help="Without brands: the last N periods that define loyal / lapsing.", min=2)] = 4,
    as_of: AsOf = None,
) -> None:
    """Loyalty groups (忠诚客户 / 品牌转移客户 / 无品牌忠诚客户) and early adopters.

    With a brand column: each customer's share of wallet of the focal brand per period —
    loyal (the brand holds at least --share of spend in most periods), switchers (the
    leading brand changes between periods), no brand loyalty (no brand dominates).
    Without brands: loyalty from repeat buying over the last periods. Early adopters
    bought a new product within --launch-window days of its first sale.

    Examples:

      kamtool loyalty orders.csv

      kamtool loyalty orders.csv --brand Kamaro --period month --share 60

      kamtool loyalty 订单明细.xlsx --lang zh -o loyalty.xlsx
    """
    from kamtool.analyses import loyalty as analysis

    ledger = load_ledger(common, analysis.NEEDS)
    lines: Any = ledger.entities
    for optional in analysis.NEEDS.optional:
        if optional not in ledger.present:
            lines = lines.drop(columns=[optional])
    result = analysis.loyalty(
        lines, brand=brand, period=period.value, share_threshold=number_list(str(share), name="--share")[0],
        launch_window=launch_window, new_product_grace_days=grace_days, last_n=last_n,
        as_of=parse_day(as_of, "--as-of"),
    )
    emit(result, common, ledger)
