"""`kamtool profile`: the account card (客户档案) of one customer, or of every key account."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kamtool.cli.app import app
from kamtool.cli.options import AccountsFile, AsOf, Common, Format, PaymentsFile, shared_options
from kamtool.cli.params import number_list, parse_day, weight_map
from kamtool.cli.run import attach_names, entity_frame, load_ledger, read_second_file, with_engine
from kamtool.errors import AnalysisError, ColumnError, UsageError

if TYPE_CHECKING:
    from kamtool.analyses.profile import CardInputs, Section
    from kamtool.ledger import Ledger
    from kamtool.needs import Needs
    from kamtool.result import Result

# Fields on the order lines that make a credit section worth computing without --payments.
PAYMENT_FIELDS = ("paid_date", "paid_amount")


@app.command("profile", options_metavar="[OPTIONS] CUSTOMER")
@shared_options
def profile_command(
    common: Common,
    accounts: AccountsFile = None,
    payments: PaymentsFile = None,
    as_of: AsOf = None,
    key_tier: Annotated[
        bool,
        typer.Option(
            "--all",
            help="A card for every key account (the key tier of `kamtool tiers`), one per sheet "
            "with -o cards.xlsx; no CUSTOMER then.",
        ),
    ] = False,
) -> None:
    """The account card (客户档案): one customer on one screen and one sheet.

    CUSTOMER is an id (matched exactly) or part of a name (Chinese included, Latin case
    ignored); several matches are listed and nothing else is done (exit 1), as is no match
    (with the closest ids and names). The card: id, name, owner, region, segment; first and
    last order, tenure; revenue, profit, orders and average order value of the last 12
    months (the year up to the as-of date) against the 12 before; share of company revenue
    and rank; the monthly revenue of 24 months; top products and brands; ABC class, RFM
    segment, loyalty group, tier and factor scores, stage; P(alive), expected purchases and
    CLV; the churn warning; credit (balance, overdue, grade, limit, utilisation) with
    --payments or payment fields on the lines. Every figure is the one the matching command
    prints with its defaults (abc, rfm, loyalty, tiers, stages, clv, churn, credit); a part
    that cannot be computed says why.

    Examples:

      kamtool profile C0011 orders.csv --accounts accounts.csv --payments payments.csv

      kamtool profile "harbor labs" orders.csv --lang zh

      kamtool profile --all orders.csv --accounts accounts.csv -o cards.xlsx
    """
    query, common = split_customer(common, key_tier)
    result, ledger = cards(common, query=query, accounts=accounts, payments=payments, as_of=as_of)
    emit_cards(result, common, ledger)


def split_customer(common: Common, key_tier: bool) -> tuple[str | None, Common]:
    """CUSTOMER is the first argument unless --all; the rest are the files."""
    files = common.files if key_tier else common.files[1:]
    if "-" in files:
        # each analysis of the card loads the files again; standard input can be read once
        raise UsageError.said("error.profile.kamtool_profile_reads_files")
    if key_tier:
        return None, common
    if len(common.files) < 2:
        raise UsageError.said("error.profile.give_customer_least_one")
    return common.files[0], dataclasses.replace(common, files=common.files[1:])


def cards(common: Common, *, query: str | None, accounts: str | None, payments: str | None,
          as_of: str | None, customers: Sequence[str] | None = None) -> tuple[Result, Ledger]:
    """Every analysis on the ledger its own Needs ask for, then the card of the customer
    ``query`` names, of the ids ``customers`` when given, else of every key account. The
    files are read once, as `kamtool report` reads them (:mod:`kamtool.engine.many`): each
    analysis' ledger is a roll-up of that one load."""
    from kamtool.analyses import abc
    from kamtool.analyses import profile as card
    from kamtool.engine import many

    account_frame = read_second_file(common, accounts, "accounts")
    fine = many.compact(load_ledger(common, many.fine_needs(extra=tuple(
        k for k in card.PEOPLE_NEEDS.grain if k not in many.FINE_KEYS))))

    def load(needs: Needs) -> Ledger:
        return many.view(fine, needs)

    base = load(abc.needs())
    frame = entity_frame(base)
    abc_result = attach_names(abc.abc(frame, by="customer", measure="revenue", method="cumulative",
                                      thresholds=(0.8, 0.95), shares=(0.1, 0.3), grid=None), frame)
    names = _names(frame, account_frame)
    chosen: list[str] = []
    if customers is not None:
        unknown = [c for c in customers if c not in names]
        if unknown:
            raise card.NoSuchCustomer.said("error.profile.no_customer_id", ids=", ".join(map(repr, unknown)))
        chosen = list(customers)
    elif query is not None:
        chosen = _chosen(query, names, abc_result)  # before the other loads: a typo costs one
    loaded: dict[str, Any] = {}
    sections = _sections(common, load, abc_result, accounts, account_frame, payments, as_of, loaded)
    if not chosen:
        tiers_result = sections["tiers"].result
        if tiers_result is None:
            raise AnalysisError.said("error.profile.all_needs_key_tier", detail=sections['tiers'].detail)
        chosen = card.key_accounts(tiers_result)
        if not chosen:
            raise AnalysisError.said("error.profile.all_tiers_hold_no")
    people = _quiet(lambda: load(card.PEOPLE_NEEDS).entities)
    # The card's own days and lines, of the chosen customers alone (10M lines, every customer's:
    # 1.4 GiB held through the analyses that ran after loyalty's and clv's loads)
    loaded.update(_card_lines(fine, chosen))
    day = parse_day(as_of, "--as-of")
    inputs = _inputs(sections, loaded, people, account_frame, names, day)
    inputs.with_orders = frozenset(frame["customer"].astype(str))
    result = card.cards(chosen, inputs)
    result.params["query"] = query
    result.params["selection"] = "key_tier" if query is None and customers is None else "customer"
    result.params["orders_basis"] = base.orders_basis
    return result, base


def _sections(common: Common, load: Callable[[Needs], Ledger], abc_result: Result, accounts: str | None,
              account_frame: Any, payments: str | None, as_of: str | None,
              loaded: dict[str, Any]) -> dict[str, Section]:
    """Each analysis as its command runs it with its defaults, on its own grain; what a card
    needs besides the results goes into ``loaded`` (the days, the lines, the CLV horizon)."""
    from kamtool.analyses import profile as card
    from kamtool.analyses.accounts import attach_checks
    from kamtool.cli.commands import tiers as tiers_command

    day = parse_day(as_of, "--as-of")
    sections: dict[str, Section] = {"abc": card.Section(abc_result)}
    checked: list[Any] = [None]

    def tiers_run() -> Result:
        from kamtool.analyses.tiers import WINDOW_MONTHS
        from kamtool.needs import window_read

        # the mix of the months of the window alone, as `kamtool tiers` reads it
        read = window_read(WINDOW_MONTHS, tiers_command.given_as_of(as_of))
        ledger = load(tiers_command.command_needs(read=read))
        when = tiers_command.as_of_for(ledger, as_of)
        if account_frame is not None:  # checked once, as `kamtool tiers` and `stages` do
            checked[0] = tiers_command.checked_accounts(common, accounts, ledger)
        return _tiers(ledger, when, checked[0], tiers_command)

    runs: tuple[tuple[str, Callable[[], Result]], ...] = (
        ("rfm", lambda: _rfm(load, day)),
        ("loyalty", lambda: _loyalty(load, day)),
        ("tiers", tiers_run),
        ("stages", lambda: _stages(load, as_of, checked[0])),
        ("clv", lambda: _clv(load, day, loaded)),
        ("churn", lambda: _churn(load, day)),
        ("credit", lambda: _credit(common, load, day, payments, account_frame)),
    )
    for name, run in runs:
        sections[name] = _section(run)
    if checked[0] is not None:
        for name in ("tiers", "stages"):
            result = sections[name].result
            if result is not None:
                sections[name] = card.Section(attach_checks(result, checked[0]))
    return sections


def _card_lines(fine: Any, chosen: list[str]) -> dict[str, Any]:
    """The chosen customers' days (customer × date: revenue, profit, orders; CLV's grain and
    figures) and lines (customer × date × brand × product) for their cards' months, periods and
    top products and brands, rolled up from the one load."""
    from kamtool.analyses import profile as card
    from kamtool.engine import many

    days = many.view(fine, card_days(), customers=chosen)
    lines = _quiet(lambda: _without_absent(many.view(fine, card.LINES_NEEDS, customers=chosen),
                                           card.LINES_NEEDS))
    return {"days": days.daily, "has_profit": days.has_profit, "lines": lines}


def card_days() -> Needs:
    """CLV's days with the orders counted: the card's windows count orders (clv itself reads no
    order counts, and its own load skips them)."""
    from kamtool.analyses import clv

    return dataclasses.replace(clv.NEEDS, figures=(*clv.NEEDS.figures, "orders"))


def _without_absent(ledger: Ledger, needs: Needs) -> Any:
    """The ledger's lines without the optional columns the files lack."""
    frame = ledger.entities
    return frame.drop(columns=[c for c in needs.optional if c not in ledger.present])


def _inputs(
    sections: dict[str, Section],
    loaded: dict[str, Any],
    people: Any,
    accounts: Any,
    names: dict[str, str],
    day: Any,
) -> CardInputs:
    from kamtool.analyses import profile as card
    from kamtool.analyses.rules import as_of_day, day_number

    days = loaded.get("days")
    last = loaded.get("last")  # the whole data's last order day (clv's days)
    when = as_of_day(day, day_number(last) if last is not None else None)
    if when is None:
        raise UsageError.said("error.profile.files_hold_no_order")
    options = {"clv_horizon": loaded.get("clv_horizon"), "clv_unit": loaded.get("clv_unit")}
    return card.CardInputs(
        sections=sections,
        as_of=when,
        days=days,
        lines=loaded.get("lines"),
        people=people,
        accounts=accounts,
        names=names,
        has_profit=bool(loaded.get("has_profit")),
        options=options,
    )


def _section(run: Callable[[], Result]) -> Section:
    """An analysis' result, or why it refused this data (its own message, kept for the card)."""
    from kamtool.analyses.profile import Section

    try:
        return Section(run())
    except _NoPayments:
        return Section(None, "no_payment_data")
    except (AnalysisError, ColumnError) as exc:
        return Section(None, "failed", str(exc))


def _quiet(run: Callable[[], Any]) -> Any:
    try:
        return run()
    except ColumnError:
        return None


def _names(customers: Any, accounts: Any) -> dict[str, str]:
    """Customer id -> name: the orders' names, then the accounts' for the rest (prospects)."""
    names: dict[str, str] = {}
    if accounts is not None and "customer_name" in accounts.columns:
        for customer, name in zip(accounts["customer"].astype(str), accounts["customer_name"], strict=True):
            if isinstance(name, str) and name.strip():
                names.setdefault(customer, name)
    ids = customers["customer"].astype(str)
    if "customer_name" in customers.columns:
        for customer, name in zip(ids, customers["customer_name"], strict=True):
            if isinstance(name, str) and name.strip():
                names[customer] = name
    for customer in ids:
        names.setdefault(customer, "")
    return names


def _chosen(query: str, names: dict[str, str], abc_result: Result) -> list[str]:
    """The one customer ``query`` names; several or none: listed on stderr, exit 1."""
    from kamtool.analyses import profile as card
    from kamtool.render.card import print_matches

    found = card.match(query, sorted(names), names)
    if len(found.found) == 1:
        return found.found
    revenue = abc_result.rows.assign(customer=abc_result.rows["customer"].astype(str)).set_index("customer")[
        "revenue"
    ]
    if found.found:
        print_matches(found.found, names, revenue)
        raise card.NoSuchCustomer.said("error.profile.matches_several", query=query, count=len(found.found))
    raise card.NoSuchCustomer.said("error.profile.matches_none", query=query,
                                   hint=f"; closest: {', '.join(found.close)}" if found.close else "")


def _rfm(load: Callable[[Needs], Ledger], day: Any) -> Result:
    from kamtool.analyses import rfm

    ledger = load(rfm.needs("orders"))
    return rfm.rfm(
        ledger.customers,
        as_of=day,
        bins=5,
        thresholds=None,
        segments=None,
        binning="quantile",
        frequency="orders",
    )


def _loyalty(load: Callable[[Needs], Ledger], day: Any) -> Result:
    from kamtool.analyses import loyalty

    return loyalty.loyalty(
        _without_absent(load(loyalty.NEEDS), loyalty.NEEDS),
        brand=None,
        period="quarter",
        share_threshold=0.70,
        launch_window=90,
        new_product_grace_days=90,
        last_n=4,
        as_of=day,
    )


def _tiers(ledger: Ledger, day: int, checked: Any, command: Any) -> Result:
    from kamtool.analyses import tiers

    future, fit = command.expected_values(ledger.days, day)
    result = tiers.tiers(
        ledger.monthly,
        checked.rows if checked is not None else None,
        future,
        as_of=day,
        window_months=tiers.WINDOW_MONTHS,
        weights=weight_map(command.DEFAULT_WEIGHTS, keys=tiers.FACTORS),
        shares=tuple(number_list("10,30", name="--shares", count=2)),
        cutoffs=None,
        hours=None,
        effort=tuple(number_list("40,30,30", name="--effort", count=3)),
        brand=None,
        mix=ledger.mix,
    )
    result.params.update(fit)
    return result


def _stages(load: Callable[[Needs], Ledger], as_of: str | None, checked: Any) -> Result:
    from kamtool.analyses import stages
    from kamtool.analyses.tiers import WINDOW_MONTHS
    from kamtool.cli.commands.tiers import as_of_for, given_as_of
    from kamtool.needs import window_read

    # `kamtool stages`' own: the days, one breadth dimension's mix of the months of the window
    ledger = load(stages.day_needs(window_read(WINDOW_MONTHS, given_as_of(as_of))))
    day = as_of_for(ledger, as_of)
    monthly, mix = stages.ledger_frames(ledger)
    return stages.stages(
        monthly,
        checked.rows if checked is not None else None,
        as_of=day,
        window_months=WINDOW_MONTHS,
        mix=mix,
        days=ledger.days,
        compare=None,
        thresholds=stages.StageThresholds(),
    )


def _clv(load: Callable[[Needs], Ledger], day: Any, loaded: dict[str, Any]) -> Result:
    """`kamtool clv` with its defaults; with --as-of, fitted on the days before it (as
    `kamtool clv --calibration-end` the day before). Its days' last one is the card's default
    as-of day."""
    import pandas as pd

    from kamtool.analyses import clv

    ledger = load(card_days())
    loaded["last"] = ledger.daily["date"].max() if ledger.table.num_rows else None
    totals = ledger.totals()
    margin = None
    if ledger.has_profit and totals["revenue"] > 0 and totals["profit"] is not None:
        margin = totals["profit"] / totals["revenue"]
    end = None if day is None else day - pd.Timedelta(days=1)
    result = clv.clv(
        ledger.daily,
        calibration_end=end,
        holdout_end=None,
        unit="week",
        horizon=None,
        discount_rate=0.10,
        margin=None,
        profit_margin=margin,
        model="auto",
        interval=None,
    )
    loaded["clv_horizon"] = result.params.get("horizon")
    loaded["clv_unit"] = result.params.get("unit")
    return result


def _churn(load: Callable[[Needs], Ledger], day: Any) -> Result:
    from kamtool.analyses import churn

    ledger = load(churn.NEEDS)
    return churn.churn(
        ledger.daily,
        period="quarter",
        compare=None,
        as_of=day,
        thresholds=(0.80, 0.95),
        silence_factor=2.0,
        p_alive_threshold=0.5,
        cohort=None,
    )


def _credit(common: Common, load: Callable[[Needs], Ledger], day: Any, payments: str | None,
            accounts: Any) -> Result:
    from kamtool.analyses import credit

    ledger = load(credit.NEEDS)
    if payments is None and not any(f in ledger.present for f in PAYMENT_FIELDS):
        raise _NoPayments()
    return credit.credit(
        ledger.invoices, read_second_file(common, payments, "payments"), accounts, credit.Options(as_of=day)
    )


class _NoPayments(AnalysisError):
    """No --payments and no payment fields on the lines: the credit part says so."""


def emit_cards(result: Result, common: Common, ledger: Ledger) -> None:
    """The card on stdout (the card layout on a terminal, else JSON or CSV); -o writes it
    whole or not at all (.xlsx: one card per sheet)."""
    from kamtool.render import records

    result = with_engine(result, ledger)
    if common.output is not None:
        write_cards(result, common)
    fmt = common.format or Format.table
    if fmt == Format.json:
        records.write_json(result, sys.stdout)
    elif fmt == Format.csv:
        records.write_csv(result.rows, sys.stdout, result.kinds, raw=common.raw_csv)
    else:
        from kamtool.render.card import print_cards
        from kamtool.render.console import make_console

        print_cards(result, make_console(), lang=common.lang.value)
    sys.stdout.flush()


def write_cards(result: Result, common: Common) -> None:
    from kamtool.cli.run import write_output
    from kamtool.io.outfile import open_output, output_target
    from kamtool.render.console import make_console

    assert common.output is not None
    if output_target(common.output).suffix.lower() != ".xlsx":
        write_output(result, common)
        return
    from kamtool.render.card import write_card_book

    with open_output(common.output, inputs=common.files) as tmp:
        write_card_book(result, tmp, lang=common.lang.value, sources=list(common.files))
    make_console(stderr=True).print(f"wrote {common.output}", highlight=False, markup=False)
