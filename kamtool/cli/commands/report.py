"""`kamtool report`: every analysis from one load, in one workbook (or one per owner)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Annotated, Any, Optional  # noqa: UP035

import typer

from kamtool.cli.app import app
from kamtool.cli.options import AccountsFile, AsOf, Common, PaymentsFile, shared_options
from kamtool.cli.params import grade_map, number_list, parse_day, weight_map, whole_list
from kamtool.cli.run import (
    attach_names,
    check_output_path,
    entity_frame,
    load_ledger,
    load_request,
    read_second_table,
)
from kamtool.errors import KamtoolError, UsageError

if TYPE_CHECKING:
    import pandas as pd

    from kamtool.analyses.report import Report, Skipped
    from kamtool.engine.many import Fine
    from kamtool.ledger import Ledger
    from kamtool.needs import Needs
    from kamtool.result import Result

# The dimensions a report splits by: the kamtool columns that name who or where.
SPLIT_DIMENSIONS = ("salesperson", "region", "channel", "category", "brand", "product")


@dataclass
class Inputs:
    """What the runs share: the fine ledger (held in DuckDB), the second files, the as-of date
    as given."""

    fine: Fine
    accounts: pd.DataFrame | None
    payments: pd.DataFrame | None
    as_of: str | None
    calibration_end: str | None = None
    customers: Any = None  # only these customers (a split's owner); None: all
    before: Any = None  # only orders dated before this day (last period)
    notes: dict[str, list[str]] = field(default_factory=dict)
    # The last roll-up, by what it is of: analyses that read one grain one after the other
    # (pareto and abc; CLV and the as-of date) share it and its frames. It is let go before the
    # next is made, as each can be nearly as big as the fine table. Not copied by replace(): an
    # owner's or last period's inputs have their own lines (the customer-days every analysis
    # reads are one roll-up of them, held by the fine table: kamtool.engine.many._rolled).
    views: dict[Any, Ledger] = field(default_factory=dict, init=False, repr=False)
    # The purchase and spend models the last tiers sheet fitted, for the clv sheet. Tiers fits them
    # on the days before the as-of date, clv on the days up to its calibration end: by default the
    # same days, and then one fit serves both sheets. A fit is used again only when the new
    # calibration summary holds the same figures to the last bit (analyses.clv.Fitted.serves): a
    # stale one is never used, whatever workbook of this run (a split's owner, last period) asks
    # next. Copied by replace(): one holder for the whole run.
    fits: list[Any] = field(default_factory=list, repr=False)

    def shared_fit(self, models: Any = None) -> Any:
        """The models fitted last in this run (None before any), or, given ``models``, keep those."""
        if models is not None:
            self.fits[:] = [models]
        return self.fits[0] if self.fits else None

    def present(self, needs: Needs) -> set[str]:
        """The columns the view of ``needs`` would have (its ``present``), without rolling it up."""
        from kamtool.engine import many

        return many.present_for(self.fine.ledger, needs)

    def view(self, needs: Needs) -> Ledger:
        from kamtool.engine import many

        key = (needs.grain, needs.measures, needs.figures, needs.grains)
        if key not in self.views:
            self.views.clear()
            self.views[key] = many.view(self.fine, needs, customers=self.customers, before=self.before)
        return self.views[key]


def _customer_frame(inputs: Inputs, needs: Needs) -> tuple[Any, Ledger]:
    ledger = inputs.view(needs)
    return entity_frame(ledger), ledger


def run_pareto(inputs: Inputs) -> Result:
    from kamtool.analyses import pareto

    frame, _ledger = _customer_frame(inputs, pareto.needs())
    return attach_names(pareto.pareto(frame, by="customer", measure="revenue", target=0.8), frame)


def run_abc(inputs: Inputs) -> Result:
    from kamtool.analyses import abc

    frame, _ledger = _customer_frame(inputs, abc.needs())
    result = abc.abc(frame, by="customer", measure="revenue", method="cumulative",
                     thresholds=tuple(number_list("80,95", name="--thresholds", count=2)),
                     shares=tuple(number_list("10,30", name="--shares", count=2)), grid=None)
    return attach_names(result, frame)


def run_rfm(inputs: Inputs) -> Result:
    from kamtool.analyses import rfm

    ledger = inputs.view(rfm.needs("orders"))
    result = rfm.rfm(ledger.customers, as_of=parse_day(inputs.as_of, "--as-of"), bins=5, thresholds=None,
                     segments=None, binning="quantile", frequency="orders")
    return attach_names(result, ledger.customers)


def run_loyalty(inputs: Inputs) -> Result:
    from kamtool.analyses import loyalty

    ledger = inputs.view(loyalty.NEEDS)
    lines: Any = ledger.entities
    for optional in loyalty.NEEDS.optional:
        if optional not in ledger.present:
            lines = lines.drop(columns=[optional])
    if "brand" not in ledger.present:
        inputs.notes.setdefault("loyalty", []).append("no_brand")
    return loyalty.loyalty(lines, brand=None, period="quarter",
                           share_threshold=number_list("70.0", name="--share")[0], launch_window=90,
                           new_product_grace_days=90, last_n=4, as_of=parse_day(inputs.as_of, "--as-of"))


def _checked(inputs: Inputs, ledger: Ledger) -> Result | None:
    if inputs.accounts is None:
        return None
    from kamtool.analyses import accounts

    return accounts.validate(inputs.accounts, ledger.customer_ids())


def run_tiers(inputs: Inputs) -> Result:
    from kamtool.analyses import accounts as accounts_check
    from kamtool.analyses import tiers
    from kamtool.cli.commands.tiers import (
        DEFAULT_WEIGHTS,
        as_of_for,
        command_needs,
        given_as_of,
        valued_with_fit,
    )
    from kamtool.needs import window_read

    window = tiers.WINDOW_MONTHS
    # the mix of the months of the window alone, as `kamtool tiers` reads it (10M lines: 12 of 33)
    ledger = inputs.view(command_needs(read=window_read(window, given_as_of(inputs.as_of))))
    day = as_of_for(ledger, inputs.as_of)
    checked = _checked(inputs, ledger)
    if checked is None:
        inputs.notes.setdefault("tiers", []).append("no_accounts")
    future, fit, models = valued_with_fit(ledger.days, day, prior=inputs.shared_fit())
    inputs.shared_fit(models)
    result = tiers.tiers(ledger.monthly, checked.rows if checked is not None else None, future, as_of=day,
                         window_months=window, weights=weight_map(DEFAULT_WEIGHTS, keys=tiers.FACTORS),
                         shares=tuple(number_list("10,30", name="--shares", count=2)), cutoffs=None,
                         hours=None, effort=tuple(number_list("40,30,30", name="--effort", count=3)),
                         brand=None, mix=ledger.mix)
    result.params.update(fit)
    return accounts_check.attach_checks(result, checked) if checked is not None else result


def run_stages(inputs: Inputs) -> Result:
    from kamtool.analyses import stages
    from kamtool.analyses.accounts import attach_checks
    from kamtool.analyses.tiers import WINDOW_MONTHS
    from kamtool.cli.commands.tiers import as_of_for, given_as_of
    from kamtool.needs import window_read

    window = WINDOW_MONTHS  # tiers' and stages' default
    # `kamtool stages`' own: the days, one breadth dimension's mix of the months of the window
    ledger = inputs.view(stages.day_needs(window_read(window, given_as_of(inputs.as_of))))
    day = as_of_for(ledger, inputs.as_of)
    checked = _checked(inputs, ledger)
    monthly, mix = stages.ledger_frames(ledger)
    result = stages.stages(monthly, checked.rows if checked is not None else None, as_of=day,
                           window_months=window, mix=mix, days=ledger.days, compare=None,
                           thresholds=stages.StageThresholds())
    return attach_checks(result, checked) if checked is not None else result


def run_churn(inputs: Inputs) -> Result:
    from kamtool.analyses import churn, churn_types

    # credit's invoice lines only when something says what was paid or due, as `kamtool churn` reads them
    ledger = inputs.view(churn.types_needs(payments=inputs.payments is not None))
    result = churn.churn(ledger.days, period="quarter", compare=None,
                         as_of=parse_day(inputs.as_of, "--as-of"),
                         thresholds=tuple(number_list("80,95", name="--thresholds", count=2)),
                         silence_factor=2.0, p_alive_threshold=0.5, cohort=None)
    return churn_types.for_churn_ledger(result, ledger, inputs.accounts, inputs.payments, brand=None)


def run_churn_figures(inputs: Inputs) -> Result:
    """Churn without its types, for last period's Overview figures (churn rate, net revenue
    retention, customers at risk): churn reads the customer-days alone, so the day roll-up the
    as-of date and CLV read serves it, and the typing (accounts, payments, product lines) is
    not done for figures the Overview does not show."""
    from kamtool.analyses import churn

    return churn.churn(inputs.view(report_day_needs()).days, period="quarter", compare=None,
                       as_of=parse_day(inputs.as_of, "--as-of"),
                       thresholds=tuple(number_list("80,95", name="--thresholds", count=2)),
                       silence_factor=2.0, p_alive_threshold=0.5, cohort=None)




def run_clv(inputs: Inputs) -> Result:
    from kamtool.analyses import clv

    ledger = inputs.view(clv.NEEDS)
    totals = ledger.totals()
    profit_margin = None
    if ledger.has_profit and totals["revenue"] > 0 and totals["profit"] is not None:
        profit_margin = totals["profit"] / totals["revenue"]
    return clv.clv(ledger.daily, calibration_end=parse_day(inputs.calibration_end, "--calibration-end"),
                   holdout_end=None, unit="week", horizon=None, discount_rate=0.10, margin=None,
                   profit_margin=profit_margin, model="auto", interval=None, prior=inputs.shared_fit())


def run_credit(inputs: Inputs) -> Result | Skipped:
    from kamtool.analyses import credit
    from kamtool.analyses.report import Skipped
    from kamtool.cli.commands.credit import FACTORS

    if inputs.payments is None and not {"paid_date", "paid_amount"} & inputs.present(credit.NEEDS):
        return Skipped("no_payments")  # said before rolling up the invoice lines nothing would read
    ledger = inputs.view(credit.NEEDS)
    options = credit.Options(
        as_of=parse_day(inputs.as_of, "--as-of"), terms=30,
        buckets=tuple(whole_list("30,60,90,180", name="--buckets")),
        grade_factors=grade_map(FACTORS, name="--grade-factors"), cap=1.2, worsening_days=5.0, dso_days=90,
        history_months=12, trend_months=6, key_share=0.8)
    return credit.credit(ledger.invoices, inputs.payments, inputs.accounts, options)


RUNNERS: dict[str, Callable[[Inputs], Any]] = {
    "pareto": run_pareto, "abc": run_abc, "rfm": run_rfm, "loyalty": run_loyalty, "tiers": run_tiers,
    "stages": run_stages, "churn": run_churn, "clv": run_clv, "credit": run_credit,
}


# Last period's runs: only the Overview's figures are read from them.
FIGURE_RUNNERS: dict[str, Callable[[Inputs], Any]] = {**RUNNERS, "churn": run_churn_figures}


def run_all(inputs: Inputs, names: tuple[str, ...],
            runners: dict[str, Callable[[Inputs], Any]] = RUNNERS) -> dict[str, Result | Skipped]:
    """Each analysis once; one that cannot run on these data says why instead of failing."""
    from kamtool.analyses.report import Skipped

    out: dict[str, Result | Skipped] = {}
    # CLV last: the as-of date is read from its roll-up (the customer-days) next
    for name in sorted(names, key=lambda n: n == "clv"):
        try:
            out[name] = runners[name](inputs)
        except KamtoolError as exc:
            out[name] = Skipped("failed", str(exc))
    return {name: out[name] for name in names}


def build_report(inputs: Inputs, second: dict[str, Any]) -> Report:
    """Every analysis, the Overview with last period's figures, Data quality, Definitions."""
    from dataclasses import replace

    from kamtool.analyses import report
    from kamtool.analyses.rules import as_of_day, day_number

    results = run_all(inputs, report.ANALYSES)
    days = inputs.view(report_day_needs()).days
    last = day_number(days["date"].max()) if len(days) else None
    del days
    day = as_of_day(parse_day(inputs.as_of, "--as-of"), last)
    import pandas as pd

    as_of = pd.Timestamp(day, unit="D") if day is not None else None
    last_as_of = report.previous_as_of(as_of) if as_of is not None else None
    before: dict[str, Result | Skipped] = {}
    inputs.views.clear()  # read no more: the days go before last period's are rolled up
    if last_as_of is not None:
        earlier = replace(inputs, as_of=str(last_as_of.date()), before=last_as_of.date(), notes={},
                          calibration_end=None)
        before = run_all(earlier, report.OVERVIEW_ANALYSES, FIGURE_RUNNERS)
    overview = report.overview(results, before, as_of=as_of, last_as_of=last_as_of)
    for result in results.values():
        if not isinstance(result, report.Skipped):
            from kamtool.cli.run import with_engine

            with_engine(result, inputs.fine.ledger)
    return report.Report(overview=overview, results=results, sheet_notes=dict(inputs.notes),
                         quality=report.data_quality(inputs.fine.ledger, second))


def report_day_needs() -> Needs:
    """The customer-days: the as-of date (the last order day) and last period's churn; CLV's
    grain, so one roll-up serves all three."""
    from kamtool.analyses import clv

    return clv.NEEDS


def split_dimension(text: str | None) -> str | None:
    """--split-by -> a kamtool column (a header that is a synonym of one is that column)."""
    if text is None:
        return None
    from kamtool.io.request import resolve_by

    canonical, by_label = resolve_by(text)
    if by_label is not None or canonical not in SPLIT_DIMENSIONS:
        raise UsageError.said("error.report.split_give_one_header", text=text,
                              split_dimensions=', '.join(SPLIT_DIMENSIONS))
    return canonical


def write_document(report: Report, stream: IO[str]) -> None:
    """The report for scripts, one line of JSON on ``stream``: the Overview's figures and each
    analysis' own JSON document (what `kamtool COMMAND --format json` prints, written by its
    writer, so the figures are its very bytes), or why it is missing; the same in every
    language.  Written as it goes: an analysis' text is not parsed back to be nested (10M lines:
    0.7 GiB of Python objects at the JSON run's peak)."""
    from kamtool.analyses.report import Skipped
    from kamtool.render.records import json_text, plain, write_json

    quality = report.quality
    head = json_text({
        "command": "report",
        "params": plain(report.overview.params),
        "summary": plain(report.overview.summary),
        "notes": {name: codes for name, codes in report.sheet_notes.items()},
        "data_quality": plain({"summary": quality.summary, "rows": quality.rows.to_dict("records")})
        if quality is not None else None,
    })
    stream.write(head[:-1] + ', "analyses": {')
    for i, (name, result) in enumerate(report.results.items()):
        stream.write(("" if i == 0 else ", ") + json_text(name) + ": ")
        if isinstance(result, Skipped):
            stream.write(json_text({"skipped": result.code, "detail": result.detail}))
        else:
            write_json(result, stream, end="")
    stream.write("}}")


def print_overview(report: Report, common: Common) -> None:
    """The Overview on the terminal: each KPI now and last period, in the report's language."""
    from rich import box
    from rich.table import Table

    from kamtool.analyses.report import KPIS, Skipped
    from kamtool.labels import label
    from kamtool.render.console import make_console
    from kamtool.render.safe import text_for_terminal
    from kamtool.render.words import report as words

    lang = common.lang.value
    console = make_console()
    overview = report.overview
    for line in words.headline(overview, lang):
        console.print(text_for_terminal(line), markup=False, highlight=False)
    table = Table(title=label("report.overview.title", lang), title_justify="left", show_edge=False,
                  box=box.SIMPLE_HEAVY if console.is_terminal else box.SIMPLE, pad_edge=False)
    table.add_column(label("report.overview.kpi", lang))
    for key in ("value", "previous", "change"):
        table.add_column(label(f"report.overview.{key}", lang), justify="right")
    table.add_column(label("report.overview.source", lang))
    for record in overview.rows.to_dict("records"):
        kpi, kind = str(record["kpi"]), KPIS[str(record["kpi"])][2]
        table.add_row(words.kpi_caption(kpi, lang), words.kpi_text(record["value"], kind, lang),
                      words.kpi_text(record["previous"], kind, lang),
                      words.change_text(record["change"], kind, lang),
                      words.analysis_name(str(record["analysis"]), lang))
    console.print(table)
    skipped = [f"{words.analysis_name(n, lang)} ({words.skipped_text(r, lang)})"
               for n, r in report.results.items() if isinstance(r, Skipped)]
    if skipped:
        text = label("report.terminal.skipped", lang).format(names="; ".join(skipped))
        console.print(text_for_terminal(text), markup=False, highlight=False)


def _write(common: Common, report: Report, path: str, period: Any,
           split: tuple[str, str, str] | None) -> None:
    """One workbook (or JSON document), written whole or not at all."""
    from kamtool.io.outfile import open_output, output_target
    from kamtool.render.console import make_console

    with open_output(path, inputs=common.files) as tmp:
        if output_target(path).suffix.lower() == ".json":
            with open(tmp, "w", encoding="utf-8") as handle:
                write_document(report, handle)
        else:
            from kamtool.render.excel import write_report

            write_report(report, tmp, lang=common.lang.value, sources=list(common.files), period=period,
                         split=split)
    make_console(stderr=True).print(f"wrote {path}", highlight=False, markup=False)


def emit_report(common: Common, inputs: Inputs, second: dict[str, Any], split: str | None) -> None:
    """The report (one per owner under --split-by) to -o, and the Overview or JSON on stdout."""
    import sys

    from kamtool.cli.options import Format
    from kamtool.cli.run import data_period
    from kamtool.io.outfile import fill_template

    if common.output is not None and not common.output.lower().endswith((".xlsx", ".json")):
        raise UsageError.said("error.report.o_report_workbook_xlsx", output=common.output)
    period = data_period(inputs.fine.ledger)
    if split is None:
        report = build_report(inputs, second)
        if common.output is not None:
            fields = {"command": "report", "date": report.overview.params.get("as_of") or ""}
            _write(common, report, fill_template(common.output, fields), period, None)
        if common.format == Format.json:
            write_document(report, sys.stdout)
            sys.stdout.write("\n")
        else:
            print_overview(report, common)
        return
    groups = owner_groups(inputs, split)
    template = common.output or ""
    paths = [fill_template(template, {"command": "report", "date": "", split: value})
             for value, _customers, _rule in groups]
    clash = next((p for p in paths if paths.count(p) > 1), None)
    if clash is not None:  # two values that differ only in characters a file name cannot hold
        names = [value for (value, _c, _r), p in zip(groups, paths, strict=True) if p == clash]
        raise UsageError.said("error.report.o_would_write_same", template=template,
                              names=' and '.join(map(repr, names)))
    for value, customers, rule in groups:
        own = replace_inputs(inputs, customers)
        report = build_report(own, second)
        fields = {"command": "report", "date": report.overview.params.get("as_of") or "", split: value}
        _write(common, report, fill_template(template, fields), period, (split, value, rule))


def owner_groups(inputs: Inputs, split: str) -> list[tuple[str, list[str], str]]:
    """(value, its customers, owner rule) per owner: the accounts file's owner when splitting by
    salesperson, else the value with most of the customer's revenue; "(none)" for the rest."""
    from kamtool.analyses.report import owner_table
    from kamtool.engine import many

    owners = owner_table(many.owners(inputs.fine, split).to_pandas(), inputs.accounts, split)
    owners["owner"] = owners["owner"].fillna("(none)").astype(str)
    groups = []
    for value, group in owners.groupby("owner", sort=True):
        rule = "accounts_owner" if (group["owner_rule"] == "accounts_owner").any() else "most_revenue"
        groups.append((str(value), list(group["customer"]), rule))
    return groups


def replace_inputs(inputs: Inputs, customers: list[str]) -> Inputs:
    """The inputs of one owner's workbook: their customers' lines, accounts and payments; the
    as-of date and the CLV calibration end fixed to the whole data's, so every book is of one day."""
    from dataclasses import replace

    from kamtool.analyses.rules import as_of_day, day_number

    days = inputs.view(report_day_needs()).days
    last = days["date"].max() if len(days) else None
    day = as_of_day(parse_day(inputs.as_of, "--as-of"), day_number(last) if last is not None else None)
    import pandas as pd

    as_of = str(pd.Timestamp(day, unit="D").date()) if day is not None else inputs.as_of
    keep = set(customers)

    def only(frame: Any) -> Any:
        if frame is None:
            return None
        return frame[frame["customer"].astype(str).isin(keep)].reset_index(drop=True)

    return replace(inputs, customers=customers, accounts=only(inputs.accounts),
                   payments=only(inputs.payments), as_of=as_of,
                   calibration_end=str(last.date()) if last is not None else None, notes={})


@app.command("report")
@shared_options
def report_command(
    common: Common,
    accounts: AccountsFile = None,
    payments: PaymentsFile = None,
    as_of: AsOf = None,
    split_by: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--split-by", help="One workbook per value of this column (salesperson, region, channel …), each "
        "holding only the accounts it owns; name them with a template: -o 'kam_{salesperson}_{date}.xlsx'.",
        show_default=False)] = None,
) -> None:
    """The KAM report (大客户管理报告): every analysis in one workbook, from one load of the files.

    Sheets: Overview (customers, revenue, top-20 % share, Gini, key accounts and their share,
    churn rate, net revenue retention, customers at risk, receivables overdue, each beside
    its value last period: the same figures as of one quarter earlier), then Pareto, ABC,
    RFM, Loyalty, Tiers, Stages, Churn, CLV and Credit (each with the sheets of the command's
    own workbook, at its defaults), Data quality and Definitions. An analysis whose inputs
    are missing (no brand column, no payments) says why on its sheet. Without -o the
    Overview is printed.

    --split-by salesperson: one workbook per salesperson with the accounts they own (the
    accounts file's owner, else the salesperson with most of the customer's revenue); -o is
    a template: {salesperson} (the split column's name), {date} (the as-of date), {command}.

    Examples:

      kamtool report orders.csv --accounts accounts.csv --payments payments.csv -o kam_report.xlsx

      kamtool report orders.xlsx --lang zh -o 大客户报告.xlsx

      kamtool report orders.csv --split-by salesperson -o 'reports/kam_{salesperson}_{date}.xlsx'
    """
    split = split_dimension(split_by)
    if split is not None:
        from kamtool.io.outfile import placeholders

        if common.output is None or split not in placeholders(common.output):
            raise UsageError.said("error.report.split_writes_one_workbook", split=split)
    fields = ("command", "date", *((split,) if split else ()))
    check_output_path(common, fields)
    from kamtool.engine import many

    extra = (split,) if split else ()
    needs = many.fine_needs(extra)
    if payments is None and not many.invoices_read(load_request(common, needs, quiet=True)):
        # no analysis of this run reads the invoice keys: the lines loaded without them
        needs = many.fine_needs(extra, invoices=False)
    # (the load's ledger is not kept: its Arrow table goes once DuckDB holds the fine rows)
    fine = many.compact(many.as_full(load_ledger(common, needs, output_fields=fields),
                                     many.fine_needs(extra)))
    accounts_frame, accounts_report = read_second_table(common, accounts, "accounts")
    payments_frame, payments_report = read_second_table(common, payments, "payments")
    second = {kind: report for kind, report in (("accounts", accounts_report), ("payments", payments_report))
              if report is not None}
    inputs = Inputs(fine=fine, accounts=accounts_frame, payments=payments_frame, as_of=as_of)
    emit_report(common, inputs, second, split)
