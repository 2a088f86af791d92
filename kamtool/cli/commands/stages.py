"""`kamtool stages`: where each relationship stands."""

from __future__ import annotations

from typing import Annotated, Optional  # noqa: UP035

import typer

from kamtool.cli.app import app
from kamtool.cli.options import AccountsFile, AsOf, Common, shared_options
from kamtool.cli.params import parse_day
from kamtool.cli.run import emit, load_ledger

THRESHOLDS = "Thresholds"


@app.command("stages")
@shared_options
def stages_command(
    common: Common,
    accounts: AccountsFile = None,
    compare: Annotated[Optional[str], typer.Option(  # noqa: UP045
        help="A second, earlier as-of date: the stage transition matrix from it to --as-of, and the "
        "customers whose stage fell.", metavar="DATE", show_default=False)] = None,
    as_of: AsOf = None,
    window_months: Annotated[int, typer.Option(
        help="Months up to the as-of date for revenue class A and the trend (an even number).",
        min=2)] = 12,
    strategic_tenure: Annotated[int, typer.Option(
        help="Strategic: at least this many months since the first purchase.", min=1,
        rich_help_panel=THRESHOLDS)] = 24,
    quarters: Annotated[int, typer.Option(
        help="Strategic: active in every one of the last N quarters.", min=1,
        rich_help_panel=THRESHOLDS)] = 4,
    min_breadth: Annotated[int, typer.Option(
        help="Strategic: at least this many categories (or brands, or products) bought in the window.",
        min=1, rich_help_panel=THRESHOLDS)] = 3,
    stable_tenure: Annotated[int, typer.Option(
        help="Stable: at least this many months since the first purchase.", min=1,
        rich_help_panel=THRESHOLDS)] = 12,
    stable_quarters: Annotated[int, typer.Option(
        help="Stable: active in at least this many of the last --quarters quarters.", min=1,
        rich_help_panel=THRESHOLDS)] = 3,
    stable_trend: Annotated[float, typer.Option(
        help="Stable: revenue of the window's last half against its first half above this, in percent.",
        rich_help_panel=THRESHOLDS)] = -20.0,
    declining_drop: Annotated[float, typer.Option(
        help="Flag declining: window revenue down by at least this against a year before, in percent.",
        min=0.0, max=100.0, rich_help_panel=THRESHOLDS)] = 30.0,
    lost_gap_multiple: Annotated[float, typer.Option(
        help="Flag lost: silent for more than this many times the customer's median gap …",
        min=1.0, rich_help_panel=THRESHOLDS)] = 3.0,
    lost_min_days: Annotated[int, typer.Option(
        help="… and for at least this many days.", min=0, rich_help_panel=THRESHOLDS)] = 90,
) -> None:
    """Relationship stages (客户关系阶段): cultivation, initial, stable, strategic.

    Evaluated from the top; each customer's stage_rule names the rule that fired.
    strategic: tenure ≥ 24 months, active in each of the last 4 quarters, revenue class A
    over the window, and ≥ 3 categories (or brands, or products); stable: tenure ≥ 12
    months, active in ≥ 3 of the last 4 quarters, revenue trend above −20 %; initial: has
    bought but is neither; cultivation: an account (--accounts) with no net purchase.
    Flags: declining (window revenue down ≥ 30 % on the same window a year before) and lost
    (silent > 3 × the customer's own median gap between purchase days, and ≥ 90 days).
    --compare DATE: the transition matrix between the two dates and the regressions.

    Examples:

      kamtool stages orders.csv --accounts accounts.csv

      kamtool stages orders.csv --as-of 2025-07-01 --compare 2024-07-01

      kamtool stages orders.xlsx --strategic-tenure 36 --min-breadth 2 -o stages.xlsx --lang zh
    """
    from kamtool.analyses import stages as analysis
    from kamtool.analyses.rules import day_number
    from kamtool.cli.commands.tiers import as_of_for, checked_accounts, given_as_of
    from kamtool.errors import UsageError
    from kamtool.needs import window_read

    thresholds = analysis.StageThresholds(
        strategic_tenure=strategic_tenure, stable_tenure=stable_tenure, quarters=quarters,
        stable_quarters=stable_quarters, min_breadth=min_breadth, stable_trend=stable_trend / 100,
        declining_drop=declining_drop / 100, lost_gap_multiple=lost_gap_multiple,
        lost_min_days=lost_min_days,
    )
    if stable_quarters > quarters:
        raise UsageError.said("error.stages.stable_quarters_cannot_exceed", stable_quarters=stable_quarters,
                              quarters=quarters)
    compare_day = parse_day(compare, "--compare")
    # breadth reads the mix in the windows up to the as-of day and the --compare day alone
    read = window_read(window_months, given_as_of(as_of),
                       since=None if compare_day is None else day_number(compare_day))
    ledger = load_ledger(common, analysis.day_needs(read))
    day = as_of_for(ledger, as_of)
    if compare_day is not None and day_number(compare_day) >= day:
        raise UsageError.said("error.stages.compare_must_before_date", compare=compare)
    checked = checked_accounts(common, accounts, ledger)
    # the table is read no more but for its totals (emit): it goes once the frames are built
    monthly, mix = analysis.ledger_frames(ledger, keep_totals=True)
    days = ledger.days
    result = analysis.stages(
        monthly, checked.rows if checked is not None else None, as_of=day,
        window_months=window_months, mix=mix, days=days, compare=compare_day,
        thresholds=thresholds,
    )
    # the frames are read no more: they go before the output is made (10M lines: the
    # customer-days, their months and the breadth mix, about 0.3 GiB)
    del monthly, mix, days
    ledger.let_go("days", *(f"mix_{d}" for d in analysis.BREADTH_DIMENSIONS))
    if checked is not None:
        from kamtool.analyses.accounts import attach_checks  # pandas: after the load

        result = attach_checks(result, checked)
    emit(result, common, ledger)
