"""`kamtool abc`: A, B and C customers by what they buy."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Optional  # noqa: UP035

import typer

from kamtool.cli.app import app
from kamtool.cli.options import By, Common, Measure, MeasureOpt, Per, shared_options
from kamtool.cli.params import number_list
from kamtool.cli.run import attach_names, emit, entity_frame, load_ledger, with_per

if TYPE_CHECKING:
    from kamtool.result import Result

# The headline's figures, per value of --per.
PER_FIGURES = ("entities", "total", "class_a_entities", "class_b_entities", "class_c_entities",
               "class_a_value_share")


class Method(str, Enum):
    cumulative = "cumulative"
    rank = "rank"


class Grid(str, Enum):
    profit = "profit"


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
    per: Per = None,
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

      kamtool abc orders.xlsx --per 业务员 --where 区域=华东,华南
    """
    from kamtool.analyses import abc as analysis
    from kamtool.io.request import resolve_by

    by, by_label = resolve_by(by)
    needs = analysis.needs(by=by, measure=measure.value, grid=grid.value if grid else None)
    ledger = load_ledger(common, needs, by_label)
    frame = entity_frame(ledger)

    def classes(entities: Any) -> Result:
        return analysis.abc(
            entities, by=by, measure=measure.value, method=method.value,
            thresholds=tuple(number_list(thresholds, name="--thresholds", count=2)),
            shares=tuple(number_list(shares, name="--shares", count=2)),
            grid=grid.value if grid else None,
        )

    result = with_per(classes(frame), common, needs, per, lambda part: classes(entity_frame(part)),
                      PER_FIGURES, by_label)
    emit(attach_names(result, frame), common, ledger)
