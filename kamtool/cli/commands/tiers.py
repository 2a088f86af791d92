"""`kamtool tiers`: key, general and small accounts by five weighted factors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Optional  # noqa: UP035

import typer

from kamtool.cli.app import app
from kamtool.cli.options import AccountsFile, AsOf, Common, shared_options
from kamtool.cli.params import number_list, parse_day, weight_map
from kamtool.cli.run import emit, load_ledger, read_second_file
from kamtool.cli.run import warn as print_warning
from kamtool.errors import UsageError
from kamtool.labels import label

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd

    from kamtool.analyses.clv import Fitted
    from kamtool.ledger import Ledger
    from kamtool.needs import Needs
    from kamtool.result import Result

DEFAULT_WEIGHTS = "strategic=20,profit=30,loyalty=20,elasticity=10,future=20"
SupportFile = Annotated[Optional[str], typer.Option(  # noqa: UP045
    "--support", help="Support given per customer over time (CSV/Excel/Parquet): customer, date (a day "
    "in the month, e.g. each visit's date or the month's first day), support (visits, marketing spend; "
    "summed per customer × month). The elasticity factor is then the slope of monthly revenue on support "
    "over the window's months with support (at least 6, support not constant), before any rating.",
    metavar="FILE", rich_help_panel="Input", show_default=False)]


def command_needs(wallet: bool = True, read: Callable[[int], tuple[int, int] | None] | None = None) -> Needs:
    """Tiers' needs per day (the CLV model reads the days), with the category too, so the
    stage column counts breadth over the dimension ``kamtool stages`` uses.

    ``wallet``: the month's mix by category and brand, for the focal brand's share (--brand,
    and the report); without it, the mix of the one breadth dimension the file holds
    (:meth:`Ledger.mix_of`, as ``kamtool stages`` reads it): on 10M lines a third of the rows.
    ``read``: the mix's months the command reads (:attr:`kamtool.needs.Grain.read`; tiers: its
    window, ``Ledger.keep_months``): the native query then builds the mix of those months only
    (10M lines: 12 of 33 months, the load's peak in that query)."""
    from dataclasses import replace

    from kamtool.analyses import stages, tiers
    from kamtool.needs import Grain, by_day

    optional = tuple(dict.fromkeys((*tiers.NEEDS.optional, stages.BREADTH_DIMENSIONS[0])))
    # Beside the days, from the query on the native engine: the months per salesperson (the
    # owner rule) and the month's category and brand mix (breadth, the focal brand's share).
    dims = tuple(d for d in ("category", "brand", "product") if d in optional)  # Ledger.mix's order
    mix = Grain("mix" if wallet else "mix_of", ("customer", "month", *dims), split=dims, when=dims,
                first=not wallet, read=read)
    grains = (Grain("monthly", ("customer", "month", "salesperson"), split=("salesperson",),
                    sums=("revenue_c", "lines", "returns_c", "return_lines", "quantity", "profit_c",
                          "profit_lines")),
              mix)
    return by_day(replace(tiers.NEEDS, optional=optional, grains=grains))


def import_models_meanwhile() -> None:
    """Import the CLV models (numpy, pandas, scipy: 0.4 s idle, seconds on a busy machine) and
    the tiers analysis in a thread while the engine reads the file (as ``kamtool clv`` does):
    DuckDB lets other threads run, and the analysis then finds them imported."""
    import importlib
    import threading

    def imports() -> None:
        for name in ("kamtool.analyses.clv.assembly", "kamtool.analyses.tiers", "kamtool.analyses.stages"):
            importlib.import_module(name)

    threading.Thread(target=imports, name="kamtool-tiers-imports", daemon=True).start()


def given_as_of(as_of: str | None) -> int | None:
    """The --as-of day (days since 1970), None without one."""
    from kamtool.analyses.rules import as_of_day

    return as_of_day(parse_day(as_of, "--as-of"), None)


def as_of_for(ledger: Ledger, as_of: str | None) -> int:
    """The as-of day: --as-of, else the day after the last order (so reruns agree), read from
    the ledger's table (its days frame, 10M lines: 4.8M rows, is not built for it)."""
    import pyarrow.compute as pc

    from kamtool.analyses.rules import as_of_day, day_number

    dates = ledger.table["date"]
    latest = pc.max(dates).as_py() if len(dates) else None
    last = day_number(latest) if latest is not None else None
    day = as_of_day(parse_day(as_of, "--as-of"), last)
    if day is None:
        raise UsageError.said("error.tiers.files_hold_no_order")
    return day


def checked_accounts(common: Common, path: str | None, ledger: Ledger) -> Result | None:
    """The --accounts file checked against the orders; duplicates and customers without an
    order line are warned about on stderr (the result's JSON lists them too)."""
    frame = read_second_file(common, path, "accounts")
    if frame is None:
        return None
    from kamtool.analyses import accounts

    checked = accounts.validate(frame, ledger.customer_ids())
    dup = checked.tables["duplicates"]
    lang = common.lang.value
    for key, ids in (("message.accounts_duplicates", sorted(dup["customer"].unique())),
                     ("message.accounts_prospects", list(checked.tables["prospects"]["customer"]))):
        if ids:
            shown = ", ".join(ids[:10]) + (" …" if len(ids) > 10 else "")
            print_warning(label(key, lang).format(file=path, count=f"{len(ids):,}", ids=shown))
    return checked


def expected_values(days: pd.DataFrame, as_of_day: int) -> tuple[pd.DataFrame | None, dict[str, Any]]:
    """The CLV model's discounted expected revenue of the next 12 months per customer, fitted on
    the days before the as-of day; (None, why) when the model cannot be fitted."""
    future, fit, _models = valued_with_fit(days, as_of_day)
    return future, fit


def valued_with_fit(
    days: pd.DataFrame, as_of_day: int, prior: Fitted | None = None
) -> tuple[pd.DataFrame | None, dict[str, Any], Fitted | None]:
    """:func:`expected_values`, and the models fitted (None when they could not be): ``prior``'s
    models serve when they were fitted on the same calibration data (``kamtool report``: tiers
    and clv share one fit)."""
    import numpy as np

    from kamtool.analyses import clv
    from kamtool.errors import AnalysisError

    last = np.datetime64(as_of_day - 1, "D")
    dated = days["date"].to_numpy().astype("datetime64[D]") <= last
    # Every day is before the as-of day by default: no copy of the days then (10M lines: 4.8M rows).
    before = days if dated.all() else days[dated]
    try:
        models = clv.fit_models(before, calibration_end=str(last), unit="week", prior=prior)
        rows = clv.customer_values(models, horizon=52, margin=1.0)
    except AnalysisError as exc:
        return None, {"clv_fit": getattr(exc, "code", "not_fitted"), "clv_error": str(exc)}, None
    frame = rows[["customer", "clv"]].rename(columns={"clv": "expected_value"})
    return frame, {"clv_fit": "fitted", "clv_horizon_weeks": 52, "clv_margin": 1.0}, models


@app.command("tiers")
@shared_options
def tiers_command(
    common: Common,
    accounts: AccountsFile = None,
    support: SupportFile = None,
    weights: Annotated[str, typer.Option(
        help="Weight of each factor as factor=points (rescaled to sum to 1); a factor left out "
        "weighs 0. Also [tiers] weights = \"…\" in kamtool.toml.")] = DEFAULT_WEIGHTS,
    shares: Annotated[Optional[str], typer.Option(  # noqa: UP045
        help="Share of customers in the key and general tiers, in percent (counts rounded up, as in "
        "ABC) [default: 10,30].", show_default=False)] = None,
    cutoffs: Annotated[Optional[str], typer.Option(  # noqa: UP045
        help="Tier by score instead: key at or above the first, general at or above the second, "
        "e.g. 70,40.", show_default=False)] = None,
    hours: Annotated[Optional[float], typer.Option(  # noqa: UP045
        help="Account-management hours per period to plan: split by --effort across the tiers and "
        "evenly within a tier.", min=0.0, show_default=False)] = None,
    effort: Annotated[str, typer.Option(
        help="Share of --hours for the key, general and small tiers, in percent.")] = "40,30,30",
    brand: Annotated[Optional[str], typer.Option(  # noqa: UP045
        help="The focal brand: its share of wallet counts towards loyalty (default: not used).",
        show_default=False)] = None,
    window_months: Annotated[int, typer.Option(
        help="Months up to the as-of date that the factors are measured over (an even number).",
        min=2)] = 12,
    as_of: AsOf = None,
) -> None:
    """Account tiers (客户分级): key / general / small accounts by five weighted factors.

    Factors, each a percentile rank 0–100 among the customers with revenue in the window:
    strategic value (--accounts), profit (gross profit, or revenue without cost), loyalty
    (active months, tenure, trend, focal-brand share), sales elasticity (the slope of monthly
    revenue on --support, else the --accounts rating) and future value (the CLV model's
    expected value of the next 12 months, or the growth rate when the model cannot be fitted).
    A factor nobody has is left out and its weight spread over the others; a customer missing
    one is scored on the rest and flagged.
    Score = Σ weight × factor. Tiers: top 10 % key, next 30 % general, the rest small
    (--shares), or --cutoffs on the score. Also printed: the hours per tier and owner
    (--hours), tier against revenue ABC, factor correlations, how many customers change
    tier when a weight moves by 5 points, and each customer's relationship stage.

    Examples:

      kamtool tiers orders.csv --accounts accounts.csv

      kamtool tiers orders.csv --accounts accounts.csv --weights strategic=30,profit=30,loyalty=20,future=20

      kamtool tiers orders.csv --accounts accounts.csv --support visits.csv

      kamtool tiers orders.xlsx --cutoffs 70,40 --hours 160 --effort 50,30,20 -o tiers.xlsx --lang zh
    """
    from kamtool.analyses import accounts as accounts_check
    from kamtool.analyses import stages
    from kamtool.analyses import tiers as analysis
    from kamtool.needs import window_read

    if shares is not None and cutoffs is not None:
        raise UsageError.said("error.tiers.give_shares_cutoffs_not")
    given = weight_map(weights, keys=analysis.FACTORS)
    split = tuple(number_list(effort, name="--effort", count=3))
    share_pair = tuple(number_list(shares or "10,30", name="--shares", count=2))
    # Cut-offs are scores 0–100: not percents to divide.
    cut_pair = None
    if cutoffs is not None:
        try:
            cut_pair = tuple(float(v) for v in cutoffs.replace(" ", "").split(",") if v)
        except ValueError:
            raise UsageError.said("error.tiers.cutoffs_takes_two_scores_2", cutoffs=cutoffs) from None
        if len(cut_pair) != 2:
            raise UsageError.said("error.tiers.cutoffs_takes_two_scores", cutoffs=cutoffs)

    import_models_meanwhile()
    # the analysis reads the mix in the window alone (the breadth, the focal brand's share)
    read = window_read(window_months, given_as_of(as_of))
    ledger = load_ledger(common, command_needs(wallet=brand is not None, read=read))
    day = as_of_for(ledger, as_of)
    checked = checked_accounts(common, accounts, ledger)
    mix_grain = "mix" if brand is not None else "mix_of"
    ledger.keep_months(mix_grain, *read(day))  # an engine that built the grain whole
    # the model reads customer, date and revenue: not the days frame with its other columns;
    # a table that serves the days only goes before their frame is built
    early = ledger.from_query("monthly", mix_grain)
    days = ledger.revenue_days_last() if early else ledger.revenue_days
    future, fit = expected_values(days, day)
    del days
    monthly = ledger.monthly
    mix = ledger.mix if brand is not None else stages.breadth_mix(ledger)
    if not early:  # the month and mix frames were rolled up from it
        ledger.keep_totals()
    result = analysis.tiers(
        monthly, checked.rows if checked is not None else None, future,
        as_of=day, window_months=window_months, weights=given, shares=share_pair, cutoffs=cut_pair,
        hours=hours, effort=split, brand=brand, mix=mix,
        support=analysis.support_by_month(read_second_file(common, support, "support")),
    )
    result.params.update(fit)
    if checked is not None:
        result = accounts_check.attach_checks(result, checked)
    emit(result, common, ledger)
