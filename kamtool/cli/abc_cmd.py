"""`kamtool pareto` and `kamtool abc`: who the key accounts are."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Optional  # noqa: UP035

import typer

from kamtool.cli.app import app
from kamtool.cli.options import Common, shared_options
from kamtool.cli.params import number_list
from kamtool.cli.run import attach_names, emit, load_ledger

if TYPE_CHECKING:
    import pandas as pd

    from kamtool.ledger import Ledger


class Measure(str, Enum):
    revenue = "revenue"
    profit = "profit"
    quantity = "quantity"
    orders = "orders"


class Method(str, Enum):
    cumulative = "cumulative"
    rank = "rank"


class Grid(str, Enum):
    profit = "profit"


By = Annotated[str, typer.Option(
    "--by", help="What to rank: customer, salesperson, product, region, channel, brand, category, "
    "or any column of the file by its header.")]
MeasureOpt = Annotated[Measure, typer.Option(help="What to measure (profit needs a cost or profit column).")]


def entity_frame(ledger: Ledger) -> pd.DataFrame:
    """One row per entity with revenue and the measures the load was asked for."""
    if ledger.keys == ("customer",):
        return ledger.customers
    frame = ledger.entities
    (by,) = ledger.keys
    missing = frame[by].isna()
    if missing.any():
        # Lines without a salesperson/region/… are their own entity, not dropped.
        frame[by] = frame[by].astype(object).where(~missing, "(none)")
    return frame


@app.command("pareto")
@shared_options
def pareto_command(
    common: Common,
    by: By = "customer",
    measure: MeasureOpt = Measure.revenue,
    target: Annotated[float, typer.Option(help="The share of the measure to explain (0.8 = 80 %).")] = 0.8,
) -> None:
    """The 80/20 rule (二八原则): how concentrated the business is and who makes it.

    Ranks entities by the measure with share and cumulative share, and reports how many
    entities make --target of it, the top 20 % share, Gini, HHI, top-1/5/10 shares and the
    value at risk if the largest entity is lost. Entities whose net value is zero or
    negative are listed apart, outside the cumulative shares.

    Examples:

      kamtool pareto orders.csv

      kamtool pareto orders.csv --by salesperson --measure profit

      kamtool pareto orders.xlsx -o pareto.xlsx --lang zh
    """
    if target > 1:
        target = target / 100
    from kamtool.analyses import pareto as analysis
    from kamtool.io.request import resolve_by

    by, by_label = resolve_by(by)
    ledger = load_ledger(common, analysis.needs(by=by, measure=measure.value), by_label)
    frame = entity_frame(ledger)
    result = analysis.pareto(frame, by=by, measure=measure.value, target=target)
    emit(attach_names(result, frame), common, ledger)


@app.command("abc")
@shared_options
def abc_command(
    common: Common,
    by: By = "customer",
    measure: MeasureOpt = Measure.revenue,
    method: Annotated[Method, typer.Option(
        help="cumulative: classes by cumulative share cut-offs; rank: top --shares of entities.")]
    = Method.cumulative,
    thresholds: Annotated[str, typer.Option(
        help="Cumulative-share cut-offs of A and B, in percent (or shares).")] = "80,95",
    shares: Annotated[str, typer.Option(
        help="With --method rank: the share of entities in A and in B, in percent.")] = "10,30",
    grid: Annotated[Optional[Grid], typer.Option(  # noqa: UP045
        help="Cross the classes with the profit classes: a 3 × 3 table of counts and revenue.",
        show_default=False)] = None,
) -> None:
    """ABC classes (ABC分类): A, B and C customers by what they buy.

    Default: cumulative share cut-offs 80,95 — the entity whose cumulative share first
    reaches a cut-off belongs to the higher class. --method rank --shares 10,30: the top
    10 % of entities are A, the next 30 % B, the rest C (key / general / small). Ties are
    ordered by value, then by entity id, so row order never matters.

    Examples:

      kamtool abc orders.xlsx

      kamtool abc orders.csv --method rank --shares 10,30 --grid profit

      kamtool abc orders.csv --by product --format json > abc.json
    """
    from kamtool.analyses import abc as analysis
    from kamtool.io.request import resolve_by

    by, by_label = resolve_by(by)
    ledger = load_ledger(common, analysis.needs(by=by, measure=measure.value,
                                                grid=grid.value if grid else None), by_label)
    frame = entity_frame(ledger)
    result = analysis.abc(
        frame, by=by, measure=measure.value, method=method.value,
        thresholds=tuple(number_list(thresholds, name="--thresholds", count=2)),
        shares=tuple(number_list(shares, name="--shares", count=2)),
        grid=grid.value if grid else None,
    )
    emit(attach_names(result, frame), common, ledger)
