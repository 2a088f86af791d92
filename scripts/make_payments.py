#!/usr/bin/env python
"""Generate kamtool's sample payments file (收款记录) from the sample order export.

Each order of ``sample_data/orders.csv`` is an invoice (its order_id is the invoice
number, ``RT…`` orders are credit notes for returns); this script simulates how each
customer pays them and writes ``sample_data/payments.csv`` with Chinese headers
``客户编号,收款日期,收款金额,发票号`` (the invoice number is empty when the customer did not
say what it paid). What the simulation puts in, so ``kamtool credit`` has something to find:

* payment habits per customer: prompt payers (within the 30-day terms, naming the invoice),
  late payers (after the terms, sometimes without naming the invoice), partial payers (two
  instalments per invoice, the second well after the terms) and lump payers (one unnamed
  payment a month for last month's invoices, to be applied first in, first out);
* credit notes: a customer with a return deducts it from its next payment;
* an overpayment: one customer pays its last invoice twice and buys nothing after, so it
  keeps a credit balance;
* a customer over its limit: a large account that stops paying five months before the
  end of the data, so its balance is far past due;
* weekends: a payment falling on a Saturday or Sunday arrives the Monday after; payments
  after the last order date are not in the file (not received yet).

The same arguments always give a byte-identical file::

    python scripts/make_payments.py                        # sample_data/payments.csv
    python scripts/make_payments.py -o /tmp/payments.csv --describe

A development script, not part of the kamtool package: it needs only numpy and pandas.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
ORDERS = REPO / "sample_data" / "orders.csv"
OUT = REPO / "sample_data" / "payments.csv"
HEADERS = ("客户编号", "收款日期", "收款金额", "发票号")
TERMS = 30  # days; kamtool credit's default --terms
HABITS = ("prompt", "late", "partial", "lump")
HABIT_SHARES = (0.45, 0.25, 0.15, 0.15)
STOP_PAYING_DAYS = 150  # the over-limit account pays nothing for invoices this close to the end
DEBT_WINDOW = (160, 400)  # days before the debtor's last order: its oldest unpaid invoice
CATCH_UP_DAYS = 45  # the debtor pays all it owes this long after its last order


@dataclass(frozen=True)
class Payment:
    customer: str
    day: pd.Timestamp
    cents: int
    invoice: str  # "" when the customer named no invoice


def read_invoices(path: Path) -> pd.DataFrame:
    """Orders as invoices: customer, invoice, date, cents (net; negative for returns)."""
    orders = pd.read_csv(path, dtype={"order_id": str, "customer_id": str})
    orders["cents"] = np.rint(orders["amount"].to_numpy(dtype=np.float64) * 100).astype(np.int64)
    invoices = orders.groupby(["customer_id", "order_id"], sort=True, as_index=False).agg(
        date=("order_date", "min"), cents=("cents", "sum"))
    invoices["date"] = pd.to_datetime(invoices["date"])
    invoices = invoices.rename(columns={"customer_id": "customer", "order_id": "invoice"})
    return invoices.sort_values(["customer", "date", "invoice"], kind="mergesort").reset_index(drop=True)


def lost_in_last_quarters(orders: pd.DataFrame) -> list[str]:
    """Customers ``kamtool churn`` finds lost by default, that never bought again, largest first.

    Its default: as of the day after the last order, the last two complete quarters; lost =
    net revenue above 0 in the first of them and none in the second.
    """
    dates = pd.to_datetime(orders["order_date"])
    as_of = dates.max() + pd.Timedelta(days=1)
    end_q = as_of.to_period("Q") - 1
    start_q = end_q - 1
    quarter = dates.dt.to_period("Q")
    start = orders[quarter == start_q].groupby("customer_id")["amount"].sum()
    end = orders[quarter == end_q].groupby("customer_id")["amount"].sum().reindex(start.index, fill_value=0)
    later = set(orders.loc[quarter > start_q, "customer_id"])
    lost = start[(start > 0) & (end <= 0) & ~start.index.isin(later)]
    return [str(c) for c in lost.sort_values(ascending=False, kind="mergesort").index]


def debtor_of(invoices: pd.DataFrame, lost: list[str]) -> tuple[str, pd.Timestamp, pd.Timestamp]:
    """The debtor (see the module), the date of its oldest unpaid invoice and of its last order."""
    for customer in reversed(lost):  # the smallest first
        own = invoices[(invoices["customer"] == customer) & (invoices["cents"] > 0)]
        last = own["date"].max()
        early, late = last - pd.Timedelta(days=DEBT_WINDOW[1]), last - pd.Timedelta(days=DEBT_WINDOW[0])
        unpaid = own[(own["date"] >= early) & (own["date"] <= late)]
        if len(unpaid):
            return customer, unpaid["date"].min(), last
    raise ValueError("no lost customer has an invoice to leave unpaid")


def weekday(day: pd.Timestamp) -> pd.Timestamp:
    """A payment due on a weekend arrives the Monday after."""
    return day + pd.Timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _days(n: float | np.integer) -> pd.Timedelta:
    return pd.Timedelta(days=int(round(float(n))))


def pay_invoice(habit: str, customer: str, invoice: str, date: pd.Timestamp, cents: int,
                rng: np.random.Generator) -> list[Payment]:
    """The payments one customer makes for one invoice, by its habit (lump payers: none)."""
    due = date + pd.Timedelta(days=TERMS)
    if habit == "prompt":
        return [Payment(customer, weekday(due - _days(rng.integers(0, 12))), cents, invoice)]
    if habit == "late":
        named = invoice if rng.random() < 0.7 else ""
        return [Payment(customer, weekday(due + _days(rng.gamma(2.0, 10.0))), cents, named)]
    if habit == "partial":
        first = int(cents * 0.6)
        return [Payment(customer, weekday(due + _days(rng.integers(0, 10))), first, invoice),
                Payment(customer, weekday(due + _days(30 + rng.gamma(2.0, 8.0))), cents - first,
                        invoice if rng.random() < 0.5 else "")]
    return []


def lump_payments(customer: str, invoices: pd.DataFrame, rng: np.random.Generator) -> list[Payment]:
    """One unnamed payment on the 25th of each month for the invoices of the month before."""
    out: list[Payment] = []
    months = invoices["date"].dt.to_period("M")
    for month, cents in invoices.groupby(months)["cents"].sum().items():
        if cents <= 0:
            continue
        after = pd.Period(str(month), freq="M") + 1
        day = after.to_timestamp() + pd.Timedelta(days=24 + int(rng.integers(0, 6)))
        out.append(Payment(customer, weekday(day), int(cents), ""))
    return out


def deduct_credit_notes(payments: list[Payment], notes: pd.DataFrame) -> list[Payment]:
    """A customer with a return takes the credit note off its next payments."""
    payments = sorted(payments, key=lambda p: (p.day, p.invoice, p.cents))
    out: list[Payment] = []
    pending: list[tuple[pd.Timestamp, int]] = list(zip(notes["date"], -notes["cents"], strict=True))
    for payment in payments:
        cents = payment.cents
        while pending and pending[0][0] <= payment.day and cents > 0:
            day, credit = pending[0]
            take = min(credit, cents)
            cents -= take
            pending[0] = (day, credit - take)
            if pending[0][1] == 0:
                pending.pop(0)
        if cents > 0:
            out.append(Payment(payment.customer, payment.day, cents, payment.invoice))
    return out


def simulate(invoices: pd.DataFrame, seed: int) -> tuple[list[Payment], dict[str, str]]:
    """Every customer's payments, and which customer plays which special part."""
    rng = np.random.default_rng(seed)
    end = invoices["date"].max()
    customers = sorted(invoices["customer"].unique())
    habits = dict(zip(customers, rng.choice(HABITS, size=len(customers), p=HABIT_SHARES), strict=True))
    totals = invoices.groupby("customer")["cents"].sum()
    last = invoices.groupby("customer")["date"].max()
    recent = last[last >= end - pd.Timedelta(days=30)].index
    over_limit = str(totals.loc[recent].sort_values(ascending=False, kind="mergesort").index[2])
    settled = last[(last < end - pd.Timedelta(days=240)) & (last > end - pd.Timedelta(days=400))].index
    overpayer = str(sorted(c for c in settled if habits[c] == "prompt")[0])
    habits[over_limit] = habits[overpayer] = "prompt"
    orders = pd.DataFrame({"customer_id": invoices["customer"], "order_date": invoices["date"],
                           "amount": invoices["cents"] / 100})
    debtor, unpaid_from, debtor_last = debtor_of(invoices, lost_in_last_quarters(orders))
    payments: list[Payment] = []
    for customer in customers:
        own = invoices[invoices["customer"] == customer]
        sales, notes = own[own["cents"] > 0], own[own["cents"] < 0]
        if customer == over_limit:
            sales = sales[sales["date"] < end - pd.Timedelta(days=STOP_PAYING_DAYS)]
        if habits[customer] == "lump":
            mine = lump_payments(customer, sales, rng)
        else:
            habit = habits[customer]
            mine = [p for row in sales.itertuples(index=False)
                    for p in pay_invoice(habit, customer, row.invoice, row.date, int(row.cents), rng)]
        if customer == overpayer:  # the last invoice remitted twice: a credit balance remains
            mine.append(Payment(customer, mine[-1].day + pd.Timedelta(days=3), mine[-1].cents,
                                mine[-1].invoice))
        mine = deduct_credit_notes(mine, notes)
        if customer == debtor:  # after the draws: the other customers' payments stay as they were
            catch_up = weekday(debtor_last + pd.Timedelta(days=CATCH_UP_DAYS))
            mine = [Payment(p.customer, catch_up, p.cents, p.invoice)
                    if unpaid_from <= p.day < catch_up else p for p in mine]
        payments.extend(mine)
    kept = [p for p in payments if p.day <= end]
    parts = {"over_limit": over_limit, "overpayer": overpayer,
             "debtor": f"{debtor} (unpaid from {unpaid_from.date()}, last order {debtor_last.date()})",
             "debtor_id": debtor}
    parts.update({f"habit_{h}": str(sum(1 for v in habits.values() if v == h)) for h in HABITS})
    return kept, parts


def payments_frame(payments: list[Payment]) -> pd.DataFrame:
    frame = pd.DataFrame({
        HEADERS[0]: [p.customer for p in payments],
        HEADERS[1]: [p.day.strftime("%Y-%m-%d") for p in payments],
        HEADERS[2]: [f"{p.cents // 100}.{p.cents % 100:02d}" for p in payments],
        HEADERS[3]: [p.invoice for p in payments],
    })
    return frame.sort_values([HEADERS[1], HEADERS[0], HEADERS[3], HEADERS[2]], kind="mergesort")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=Path, default=ORDERS, help="the order export to pay (orders.csv)")
    parser.add_argument("-o", "--out", type=Path, default=OUT, help="where to write payments.csv")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--describe", action="store_true", help="print what the file holds")
    args = parser.parse_args(argv)
    invoices = read_invoices(args.orders)
    payments, parts = simulate(invoices, args.seed)
    frame = payments_frame(payments)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out, index=False, lineterminator="\n", encoding="utf-8")
    if args.describe:
        named = int((frame[HEADERS[3]] != "").sum())
        print(f"{len(frame)} payments ({named} naming an invoice) for {len(invoices)} invoices "
              f"({int((invoices['cents'] < 0).sum())} credit notes) of "
              f"{invoices['customer'].nunique()} customers -> {args.out}", file=sys.stderr)
        for key, value in parts.items():
            print(f"  {key}: {value}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
