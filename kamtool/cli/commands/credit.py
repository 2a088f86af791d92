"""`kamtool credit`: what each account owes, how it pays, and how much credit it deserves."""

from __future__ import annotations

from typing import Annotated

import typer

from kamtool.cli.app import app
from kamtool.cli.options import AccountsFile, AsOf, Common, PaymentsFile, shared_options
from kamtool.cli.params import grade_map, parse_day, whole_list
from kamtool.cli.run import emit, load_ledger, read_second_file

FACTORS = "A=1.2,B=1,C=0.7,D=0"


@app.command("credit")
@shared_options
def credit_command(
    common: Common,
    payments: PaymentsFile = None,
    accounts: AccountsFile = None,
    as_of: AsOf = None,
    terms: Annotated[int, typer.Option(
        help="Payment terms in days, for invoices without a due date and customers without "
        "payment_terms in --accounts: due = invoice date + terms.", min=0)] = 30,
    buckets: Annotated[str, typer.Option(
        help="Upper edges of the overdue buckets in days past due (not due, 1–30, 31–60, …, over the last).")]
    = "30,60,90,180",
    grade_factors: Annotated[str, typer.Option(
        help="The limit's factor per grade; grades left out keep theirs.")] = FACTORS,
    cap: Annotated[float, typer.Option(
        help="The limit is at most this many times the highest balance at the month-ends of the "
        "history and on the as-of date.",
        min=0.0)] = 1.2,
    worsening_days: Annotated[float, typer.Option(
        help="Worsening: days beyond terms of the recent --trend-months exceed those of the months "
        "before by more than this.", min=0.0)] = 5.0,
    dso_days: Annotated[int, typer.Option(
        help="DSO = balance ÷ (credit sales of the last DSO_DAYS days ÷ DSO_DAYS).", min=1)] = 90,
    history_months: Annotated[int, typer.Option(
        help="Months of net sales and balances behind the limit.", min=1)] = 12,
    trend_months: Annotated[int, typer.Option(
        help="The trend compares the days beyond terms of the last this many months with the same "
        "number before.", min=1)] = 6,
    key_share: Annotated[float, typer.Option(
        help="Key accounts are class A: the largest customers making this share of net sales over "
        "--history-months (0: none).", min=0.0, max=1.0)] = 0.8,
) -> None:
    """Credit and receivables (应收账款与授信): balance, aging, DSO, payment behaviour, grade
    and suggested credit limit per customer, and the company's receivables.

    Each order line is an invoice line (invoice_id, else order_id; negative = credit note or
    return). Payments come from --payments and/or paid_date / paid_amount columns on the
    lines; a payment naming an open invoice settles it, the rest go first in, first out to
    the customer's oldest open invoices; what is left stays as a credit balance. Due =
    due_date, else invoice date + the customer's payment_terms from --accounts, else --terms.

    Grade: D when anything is over 90 days past due; A when nothing is over 60 days and the
    customer pays within terms on average; B when average days beyond terms ≤ 15; C ≤ 45;
    D otherwise.

    Suggested limit = net sales of the last 12 months ÷ 12 × (terms + max(average days beyond
    terms, 0)) ÷ 30 × grade factor (A 1.2, B 1, C 0.7, D 0), at most --cap × the highest
    balance at those months' ends and on the as-of date. Utilisation = balance ÷ the current limit of
    --accounts (credit_limit) when given, else ÷ the suggested limit.

    Examples:

      kamtool credit orders.csv --payments payments.csv

      kamtool credit orders.csv --payments payments.csv --accounts accounts.csv --as-of 2025-01-01

      kamtool credit orders.xlsx --payments 收款记录.xlsx --terms 45 -o credit.xlsx --lang zh
    """
    from kamtool.analyses import credit as analysis

    ledger = load_ledger(common, analysis.NEEDS)
    options = analysis.Options(
        as_of=parse_day(as_of, "--as-of"), terms=terms, buckets=tuple(whole_list(buckets, name="--buckets")),
        grade_factors=grade_map(grade_factors, name="--grade-factors"), cap=cap,
        worsening_days=worsening_days, dso_days=dso_days, history_months=history_months,
        trend_months=trend_months, key_share=key_share)
    # the invoice lines handed over whole, the ledger's cache of them let go: the analysis then
    # holds their only reference and drops them once read (10M lines: 0.2 GB)
    lines = [ledger.invoices]
    ledger.let_go("invoices")
    result = analysis.credit(lines, read_second_file(common, payments, "payments"),
                             read_second_file(common, accounts, "accounts"), options)
    emit(result, common, ledger)
