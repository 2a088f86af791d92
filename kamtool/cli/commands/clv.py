"""`kamtool clv`: what each customer is worth."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional  # noqa: UP035

import typer

from kamtool.cli.app import app
from kamtool.cli.options import Common, shared_options
from kamtool.cli.params import parse_day
from kamtool.cli.run import emit, load_ledger


class Model(str, Enum):
    auto = "auto"
    bgnbd = "bgnbd"
    mbgnbd = "mbgnbd"
    pareto_nbd = "pareto-nbd"


class Unit(str, Enum):
    day = "day"
    week = "week"
    month = "month"


def _import_models_meanwhile() -> None:
    """Import the models (numpy, pandas, scipy: 1.5 s) in a thread while the engine reads the
    file; DuckDB lets other threads run, and the analysis then finds them imported."""
    import importlib
    import threading

    threading.Thread(target=importlib.import_module, args=("kamtool.analyses.clv.assembly",),
                     name="kamtool-clv-imports", daemon=True).start()


@app.command("clv")
@shared_options
def clv_command(
    common: Common,
    calibration_end: Annotated[Optional[str], typer.Option(  # noqa: UP045
        help="Fit on purchases up to this day (default: the last order date).", show_default=False)] = None,
    holdout_end: Annotated[Optional[str], typer.Option(  # noqa: UP045
        help="Compare predicted with actual repeat purchases from --calibration-end to this day.",
        show_default=False)] = None,
    unit: Annotated[Unit, typer.Option(help="Time unit of recency, T and the horizon.")] = Unit.week,
    horizon: Annotated[Optional[int], typer.Option(  # noqa: UP045
        help="Periods (of --unit) to value ahead (default: one year).", min=1, show_default=False)] = None,
    discount_rate: Annotated[float, typer.Option(help="Yearly discount rate.")] = 0.10,
    margin: Annotated[Optional[float], typer.Option(  # noqa: UP045
        help="Profit margin applied to spend (default: the data's profit / revenue, else 1).",
        show_default=False)] = None,
    model: Annotated[Model, typer.Option(
        help="Purchase model. auto: fit all three; with --holdout-end keep the smallest holdout error "
             "in total repeat purchases, else the best log-likelihood.")] = Model.auto,
    interval: Annotated[Optional[float], typer.Option(  # noqa: UP045
        help="Per-customer bounds at this level (0.9): expected_purchases_low/high, clv_low/high, from "
             "draws of the purchase model's parameters; spend held at its estimate.",
        show_default=False)] = None,
) -> None:
    """Customer lifetime value (客户终身价值): BG/NBD, MBG/NBD or Pareto/NBD purchases × Gamma-Gamma spend.

    Fits the purchase and spend models by maximum likelihood and prints their parameters, standard errors
    and log-likelihood; per customer: P(alive), expected purchases over the horizon,
    expected spend and discounted CLV. Frequency counts repeat purchase days (same-day
    orders merged), as lifetimes, pymc-marketing and CLVTools do.

    Examples:

      kamtool clv orders.csv

      kamtool clv orders.csv --calibration-end 2025-03-31 --holdout-end 2025-09-30

      kamtool clv orders.xlsx --unit month --horizon 24 --margin 0.3 -o clv.xlsx

      kamtool clv orders.csv --model pareto-nbd --interval 0.9
    """
    from kamtool.analyses import clv as analysis

    _import_models_meanwhile()
    ledger = load_ledger(common, analysis.NEEDS)

    totals = ledger.totals()
    profit_margin = None
    if ledger.has_profit and totals["revenue"] > 0 and totals["profit"] is not None:
        profit_margin = totals["profit"] / totals["revenue"]
    result = analysis.clv(
        ledger.revenue_days,
        calibration_end=parse_day(calibration_end, "--calibration-end"),
        holdout_end=parse_day(holdout_end, "--holdout-end"),
        unit=unit.value, horizon=horizon, discount_rate=discount_rate, margin=margin,
        profit_margin=profit_margin, model=model.value, interval=interval,
    )
    emit(result, common, ledger)
