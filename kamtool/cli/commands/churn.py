"""`kamtool churn`: who is leaving and what it costs."""

from __future__ import annotations

import functools
from enum import Enum
from typing import Annotated, Any, Optional  # noqa: UP035

import typer

from kamtool.cli.app import app
from kamtool.cli.options import AccountsFile, AsOf, Common, PaymentsFile, Per, Period, shared_options
from kamtool.cli.params import number_list, parse_day
from kamtool.cli.run import emit, load_ledger, read_second_file, run_as_of, with_per

# The headline's figures, per value of --per.
PER_FIGURES = ("start_customers", "end_customers", "new", "lost", "churn_rate", "net_revenue_retention",
               "start_revenue", "end_revenue")


def _import_meanwhile() -> None:
    """Import what the analysis meets after the load (the P(alive) model's scipy, 1.2 s, and
    the churn types' pandas) while the engine reads the file: DuckDB lets other threads run,
    and the analysis then finds them imported.  In the warm-up thread, after pandas: a thread
    of its own importing beside it could deadlock (:func:`kamtool.warm.import_also`)."""
    from kamtool.warm import import_also

    import_also("kamtool.analyses.churn_types", "kamtool.analyses.clv.assembly")


def _compared_months(period: str, compare: tuple[str, str] | None, brand: str | None, as_of: int | None,
                     day: int) -> tuple[int, int] | None:
    """The months of the mix the churn types read, for the as-of day ``as_of`` (else ``day``,
    the day after the last order); None for periods or an as-of date the analysis will refuse
    (it says what is wrong)."""
    from kamtool.analyses import churn, churn_types
    from kamtool.errors import KamtoolError

    try:
        start_p, end_p = churn.compared_codes(period, compare, day if as_of is None else as_of)
    except KamtoolError:
        return None
    return churn_types.mix_months(period, start_p, end_p, brand)


class Cohort(str, Enum):
    month = "month"
    quarter = "quarter"


@app.command("churn")
@shared_options
def churn_command(
    common: Common,
    period: Annotated[Period, typer.Option(help="Length of the periods compared.")] = Period.quarter,
    compare: Annotated[Optional[tuple[str, str]], typer.Option(  # noqa: UP045
        help="Compare these two periods, e.g. --compare 2024Q1 2024Q2 (default: the last two complete).",
        metavar="START END", show_default=False)] = None,
    as_of: AsOf = None,
    thresholds: Annotated[str, typer.Option(
        help="Cumulative-share cut-offs of the A and B classes in each period, in percent.")] = "80,95",
    silence_factor: Annotated[float, typer.Option(
        help="Early warning when days since the last order exceed this many times the customer's "
        "median gap between orders.", min=1.0)] = 2.0,
    p_alive_threshold: Annotated[float, typer.Option(
        help="Early warning when the BG/NBD P(alive) falls below this (when the model fits).",
        min=0.0, max=1.0)] = 0.5,
    cohort: Annotated[Optional[Cohort], typer.Option(  # noqa: UP045
        help="Cohorts by first-order month or quarter (default: the --period, month for years).",
        show_default=False)] = None,
    per: Per = None,
    accounts: AccountsFile = None,
    payments: PaymentsFile = None,
    brand: Annotated[Optional[str], typer.Option(  # noqa: UP045
        help="The focal brand (own brand): a fall of its share of wallet by 30 points or more marks a "
        "loss as won by a competitor (default: not used).", show_default=False)] = None,
) -> None:
    """Churn (客户流失) between two periods: new, retained, reactivated and lost customers.

    Churn rate, retention, gross and net revenue retention; a revenue bridge from start to
    end revenue, exact to the cent; the ABC migration matrix and the key accounts lost or
    fallen a class (value decline is churn too); an early warning for active customers
    silent for long against their own rhythm; and cohort retention.

    Why customers were lost: each lost customer, and each retained one whose value fell (end
    revenue ≤ 50 % of start, or a lower ABC class), gets one churn_type, the first that applies:
    recorded (--accounts gives a churn_reason); dropped (an account status such as 黑名单 /
    停止供货 / blacklist / credit hold, or receivables over 90 days past due at its last order,
    from due/paid dates on the lines or --payments); competitor (the --brand share fell by 30
    points or more over the end period and the 4 before it, or one product line stopped while
    another goes on); value_declined (retained); left (every other lost customer). Each is
    recorded (from the accounts file) or inferred. Counts and revenue lost (start − end revenue)
    by type, for all customers and for the key accounts (the key tier of `kamtool tiers` as of
    the end period's first day, else start class A).

    Examples:

      kamtool churn orders.csv

      kamtool churn orders.csv --accounts accounts.csv --payments payments.csv --brand Kamaro

      kamtool churn orders.csv --period month --compare 2025-05 2025-06

      kamtool churn orders.xlsx --period year -o churn.xlsx --lang zh
    """
    from kamtool.analyses import churn as analysis
    from kamtool.cli.commands.tiers import as_of_for, given_as_of

    _import_meanwhile()
    # the mix the types read, in the months they read it alone: built so by the native query,
    # cut so before the analysis holds it beside the customer-days on another engine (10M lines
    # by quarter: 2 of 11 quarters, the mix 3.3M rows and 0.15 GiB whole)
    read = functools.partial(_compared_months, period.value, compare, brand, given_as_of(as_of))
    ledger = load_ledger(common, analysis.types_needs(brand=brand is not None, payments=payments is not None,
                                                      period=period.value, read=read))
    if (months := read(as_of_for(ledger, as_of))) is not None:
        ledger.keep_months("mix", *months)

    # P(alive) of the early warning is fitted by the analysis; the result says whether it fitted.
    def churn_of(days: Any, day: Any) -> Any:
        return analysis.churn(
            days, period=period.value, compare=list(compare) if compare else None, as_of=day,
            thresholds=tuple(number_list(thresholds, name="--thresholds", count=2)),
            silence_factor=silence_factor, p_alive_threshold=p_alive_threshold,
            cohort=cohort.value if cohort else None,
        )

    # the customer-days handed over: the analysis lets the frame go once it has coded them (10M
    # lines: 4.8M rows, about 0.2 GiB, held through the P(alive) fit, the run's peak, before)
    days = [ledger.days]
    ledger.let_go("days")
    result = churn_of(days, parse_day(as_of, "--as-of"))
    from kamtool.analyses import churn_types

    result = churn_types.for_churn_ledger(result, ledger, read_second_file(common, accounts, "accounts"),
                                          read_second_file(common, payments, "payments"), brand,
                                          keep_totals=True)
    # the types' frames are read no more (--per loads its own, emit reads the totals): let them
    # go before the output is made (10M lines: about 0.3 GiB)
    ledger.let_go("days", "mix", "monthly", "invoices")
    # --per: the headline figures per value, each the analysis on that value's lines alone
    result = with_per(result, common, analysis.NEEDS, per,
                      lambda part: churn_of(part.daily, run_as_of(result)), PER_FIGURES)
    emit(result, common, ledger)
