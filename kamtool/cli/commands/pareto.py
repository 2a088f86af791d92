"""`kamtool pareto`: the 80/20 rule, how concentrated the business is and who makes it."""

from __future__ import annotations

from typing import Annotated  # noqa: UP035

import typer

from kamtool.cli.app import app
from kamtool.cli.options import By, Common, Measure, MeasureOpt, Per, shared_options
from kamtool.cli.run import attach_names, emit, entity_frame, load_ledger, with_per

# The headline's figures, per value of --per.
PER_FIGURES = ("entities", "total", "entities_for_target", "entities_for_target_share", "top20_share",
               "top1_share", "gini")


@app.command("pareto")
@shared_options
def pareto_command(
    common: Common,
    by: By = "customer",
    measure: MeasureOpt = Measure.revenue,
    target: Annotated[float, typer.Option(help="The share of the measure to explain (0.8 = 80 %).")] = 0.8,
    per: Per = None,
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

      kamtool pareto orders.csv --per region --from 2024-01-01
    """
    if target > 1:
        target = target / 100
    from kamtool.analyses import pareto as analysis
    from kamtool.io.request import resolve_by

    by, by_label = resolve_by(by)
    needs = analysis.needs(by=by, measure=measure.value)
    ledger = load_ledger(common, needs, by_label)
    frame = entity_frame(ledger)
    result = analysis.pareto(frame, by=by, measure=measure.value, target=target)
    result = with_per(result, common, needs, per, lambda part: analysis.pareto(
        entity_frame(part), by=by, measure=measure.value, target=target), PER_FIGURES, by_label)
    emit(attach_names(result, frame), common, ledger)
