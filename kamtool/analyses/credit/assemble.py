"""The credit analysis assembled: inputs to codes, the application, the measures, the rows,
the summary and the company view (the rules are described in :mod:`kamtool.analyses.credit`).

Customers and invoice ids become whole-number codes once (:func:`inputs.code_inputs`);
every step after that groups, sorts and matches integers, and the names come back only in
the per-customer rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kamtool.analyses.credit import company
from kamtool.analyses.credit.apply import AppliedCodes, apply_codes
from kamtool.analyses.credit.grading import check_factors, grades, suggested_limits
from kamtool.analyses.credit.inputs import (
    NO_DAY,
    code_inputs,
    net_coded,
    read_accounts,
    read_invoices,
    read_payments,
)
from kamtool.analyses.credit.measures import (
    aging,
    balance_history,
    behaviour,
    bucket_names,
    check_buckets,
    month_ends,
    months_before,
    window_sales,
)
from kamtool.analyses.rules import as_of_day
from kamtool.errors import AnalysisError, UsageError
from kamtool.ledger import trim_heap
from kamtool.result import Chart, Result

if TYPE_CHECKING:
    from kamtool.analyses.credit import Options

ROW_ORDER = "over_limit, worsening, balance desc, customer"
MONEY_COLUMNS = ("balance", "overdue", "dso_sales", "limit_sales", "highest_balance", "credit_limit",
                 "current_limit")
DAYS_COLUMNS = ("dso", "days_to_pay", "days_beyond_terms", "lateness", "trend", "max_days_past_due",
                "terms")


def _number(value: Any, option: str, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if isinstance(value, bool) or not np.isfinite(number):
        raise UsageError.said("error.assemble.takes_got", option=option, what=what, value=value)
    return number


def _check(options: Options) -> None:
    whole = {"--terms": options.terms, "--dso-days": options.dso_days,
             "--history-months": options.history_months, "--trend-months": options.trend_months}
    for name, value in whole.items():
        least = 0 if name == "--terms" else 1
        what = f"a whole number ≥ {least}"
        number = _number(value, name, what)
        if not number.is_integer() or number < least:
            raise UsageError.said("error.assemble.takes_got_2", name=name, what=what, value=value)
    ratios: dict[str, Any] = {"--cap": options.cap, "--worsening-days": options.worsening_days}
    if not 0 <= _number(options.key_share, "--key-share", "a share from 0 to 1") <= 1:
        raise UsageError.said("error.assemble.key_share_takes_share", key_share=options.key_share)
    for name, ratio in ratios.items():
        if _number(ratio, name, "a number ≥ 0") < 0:
            raise UsageError.said("error.assemble.takes_number_got", name=name, ratio=ratio)


def _give_back() -> None:
    """Hand freed memory back to the system: Arrow's pool keeps what a let-go table held (the
    ledger's invoice grain: 0.2 GB on 10M lines), and the C heap what the blocks of the
    application freed in pieces too small for their own mappings (0.2 GB more)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    trim_heap()


def run(invoices: pd.DataFrame | list[pd.DataFrame], payments: pd.DataFrame | None,
        accounts: pd.DataFrame | None, opts: Options) -> Result:
    """:func:`kamtool.analyses.credit.credit`."""
    _check(opts)
    edges = check_buckets(opts.buckets)
    factors = check_factors(opts.grade_factors)
    frame = invoices.pop() if isinstance(invoices, list) else invoices
    _give_back()
    lines, line_payments = read_invoices(frame)
    del frame  # the caller's only when it handed a frame, not a list of one
    book = code_inputs(lines, pd.concat([line_payments, read_payments(payments)], ignore_index=True))
    del lines, line_payments  # the text is in codes now (10M lines: about 0.3 GiB)
    acc = read_accounts(accounts)
    days = np.concatenate([book.lines["day"].to_numpy(), book.payments["day"].to_numpy()])
    today = as_of_day(opts.as_of, int(days.max()) if len(days) else None)
    if today is None:
        raise AnalysisError.said("error.assemble.credit_there_are_no")
    # a line dated on or after the as-of day is a later event even when its invoice is older
    later = book.lines["day"].to_numpy() >= today
    later_lines = int(later.sum())
    inv = net_coded(book.lines[~later] if later_lines else book.lines, len(book.keys))
    pay = book.payments[book.payments["day"].to_numpy() < today].reset_index(drop=True)
    n_payments, keys, names = len(book.payments), book.keys, book.names
    del book, days, later  # the lines are netted: only the invoices, payments and key texts go on
    if inv.empty:
        raise AnalysisError.said("error.assemble.credit_no_invoice_dated",
                                 datetime64=np.datetime64(today, 'D'))
    customers = _present(names, inv, pay)
    terms = acc["terms"].reindex(customers).fillna(int(opts.terms)).astype(np.int64)
    due = inv["due_day"].to_numpy()
    by_terms = inv["day"].to_numpy() + terms.to_numpy()[inv["cust"].to_numpy()]
    inv["due_day"] = np.where(due == NO_DAY, by_terms, due)
    applied = apply_codes(inv, pay, len(customers), keys)
    _give_back()
    figures = _figures(inv, pay, applied, customers, today, edges, opts)
    figures["terms"] = terms
    rows, cents = _rows(figures, acc, customers, bucket_names(edges), factors, opts)
    counts = {"invoices": int((inv["cents"] > 0).sum()), "credit_notes": int((inv["cents"] < 0).sum()),
              "payments": len(pay), "later_lines": later_lines,
              "later_payments": n_payments - len(pay),
              "unmatched_references": applied.unmatched_references}
    return _result(rows, cents, figures, inv, pay, acc, today, edges, factors, opts, counts)


def _present(names: np.ndarray, inv: pd.DataFrame, pay: pd.DataFrame) -> pd.Index:
    """The customers with an invoice or a payment before the as-of day, in name order; the
    frames' customer codes are renumbered to positions in it (in place)."""
    seen = np.zeros(len(names), dtype=bool)
    seen[inv["cust"].to_numpy()] = True
    seen[pay["cust"].to_numpy()] = True
    renumber = np.cumsum(seen) - 1
    inv["cust"] = renumber[inv["cust"].to_numpy()]
    pay["cust"] = renumber[pay["cust"].to_numpy()]
    return pd.Index(names[seen], name="customer")


def _figures(inv: pd.DataFrame, pay: pd.DataFrame, applied: AppliedCodes, customers: pd.Index, today: int,
             edges: Sequence[int], opts: Options) -> dict[str, Any]:
    history = balance_history(inv, pay, customers, month_ends(today, opts.history_months))
    return {
        "aged": aging(inv, applied, customers, today, edges),
        "paid": behaviour(inv, applied, customers, today, opts.trend_months),
        "dso_sales": window_sales(inv, customers, today - int(opts.dso_days), today),
        "limit_sales": window_sales(inv, customers, months_before(today, opts.history_months), today),
        "history": history,
        "highest": history.max(axis=1).astype(np.int64),
    }


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _trend(paid: pd.DataFrame, worsening_days: float) -> tuple[np.ndarray, np.ndarray]:
    """Days beyond terms of the recent months minus the months before; worsening when the
    difference is more than ``worsening_days`` (compared exactly, in cent-days: Python
    integers in object arrays, so no product overflows)."""
    rw, rb = paid["recent_weight"].to_numpy(), paid["recent_beyond"].to_numpy()
    pw, pb = paid["prior_weight"].to_numpy(), paid["prior_beyond"].to_numpy()
    known = (rw > 0) & (pw > 0)
    trend = np.where(known, _ratio(rb, rw) - _ratio(pb, pw), np.nan)
    num, den = Fraction(str(float(worsening_days))).as_integer_ratio()
    b1, w1, b0, w0 = (a[known].astype(object) for a in (rb, rw, pb, pw))
    # (b1 / w1 − b0 / w0) > num / den, all weights > 0
    worse = np.zeros(len(known), dtype=bool)
    worse[known] = ((b1 * w0 - b0 * w1) * den > num * w1 * w0).astype(bool)
    return trend, worse


def _grades_and_limits(figures: dict[str, Any], factors: Mapping[str, float],
                       opts: Options) -> tuple[np.ndarray, np.ndarray]:
    aged, paid = figures["aged"], figures["paid"]
    weight, beyond = paid["weight"].to_numpy(), paid["beyond"].to_numpy()
    graded = grades(aged["max_days_past_due"].to_numpy(), aged["has_open"].to_numpy(), weight, beyond,
                    paid["late"].to_numpy(), opts.grade_rule)
    limits = suggested_limits(figures["limit_sales"].to_numpy(), int(opts.history_months),
                              figures["terms"].to_numpy(), weight, beyond, graded, factors,
                              float(opts.cap), figures["highest"].to_numpy())
    return graded, limits


def _rows(figures: dict[str, Any], acc: pd.DataFrame, customers: pd.Index, names: list[str],
          factors: Mapping[str, float], opts: Options) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The per-customer table (money rounded to the cent) and its cents (for the company view)."""
    aged, paid = figures["aged"], figures["paid"]
    cents = aged[names].copy()
    balance = cents.sum(axis=1).to_numpy(dtype=np.int64)
    overdue = cents[names[1:]].sum(axis=1).to_numpy(dtype=np.int64)
    graded, limits = _grades_and_limits(figures, factors, opts)
    current = acc["current_limit"].reindex(customers).to_numpy(dtype=np.float64)
    used = np.where(np.isnan(current), limits, current)
    trend, worse = _trend(paid, opts.worsening_days)
    weight = paid["weight"].to_numpy()
    rows = pd.DataFrame({"customer": customers.to_numpy(dtype=object), "balance": company.money(balance)})
    for name in names:
        rows[name] = company.money(cents[name].to_numpy())
    dso_sales = figures["dso_sales"].to_numpy()
    rows["overdue"] = company.money(overdue)
    # whole days, as stages' and churn's day counts: 6, not 6.0; empty without an open invoice
    rows["max_days_past_due"] = pd.array(np.where(aged["has_open"], aged["max_days_past_due"], np.nan),
                                         dtype="Float64").astype("Int64")
    rows["dso"] = _ratio(balance * float(opts.dso_days), dso_sales)
    rows["days_to_pay"] = _ratio(paid["to_pay"].to_numpy(), weight)
    rows["days_beyond_terms"] = _ratio(paid["beyond"].to_numpy(), weight)
    rows["lateness"] = _ratio(paid["late"].to_numpy(), weight)
    rows["on_time_share"] = _ratio(paid["on_time"].to_numpy(), weight)
    rows["trend"] = trend
    rows["grade"] = graded
    rows["terms"] = figures["terms"].to_numpy()
    rows["dso_sales"] = company.money(dso_sales)
    rows["limit_sales"] = company.money(figures["limit_sales"].to_numpy())
    rows["highest_balance"] = company.money(figures["highest"].to_numpy())
    rows["credit_limit"] = company.money(limits)
    rows["current_limit"] = company.money(current)
    rows["utilisation"] = _ratio(balance, used)
    rows["over_limit"] = balance > used
    rows["worsening"] = worse
    for dim in ("owner", "region"):
        if dim in acc:
            rows[dim] = acc[dim].reindex(customers).fillna("").to_numpy(dtype=object)
    order = np.lexsort((customers.to_numpy(dtype=str), -balance, ~worse, ~rows["over_limit"].to_numpy()))
    cents = cents.assign(balance=balance, overdue=overdue)
    return rows.iloc[order].reset_index(drop=True), cents


def _summary(rows: pd.DataFrame, cents: pd.DataFrame, inv: pd.DataFrame, pay: pd.DataFrame,
             figures: dict[str, Any], today: int, opts: Options, counts: dict[str, int]) -> dict[str, Any]:
    receivables = int(cents["balance"].sum())
    sales = int(figures["dso_sales"].sum())
    key_share: float | None = None
    keys = ({str(k).strip() for k in opts.key_accounts} if opts.key_accounts is not None
            else set(company.class_a(figures["limit_sales"], opts.key_share)) if opts.key_share > 0
            else None)
    if keys is not None:
        held = int(cents.loc[cents.index.isin(list(keys)), "balance"].sum())
        key_share = company.share(held, receivables)
    invoiced = inv["cents"].to_numpy()
    return {
        "as_of": str(np.datetime64(today, "D")),
        "customers": len(rows),
        **counts,
        "invoiced": company.amount(int(invoiced[invoiced > 0].sum())),
        "credited": company.amount(int(-invoiced[invoiced < 0].sum())),
        "paid": company.amount(int(pay["cents"].sum())),
        "receivables": company.amount(receivables),
        "overdue": company.amount(int(cents["overdue"].sum())),
        "overdue_share": company.share(int(cents["overdue"].sum()), receivables),
        "credit_balances": company.amount(int(cents["balance"].clip(upper=0).sum())),
        "dso": receivables * float(opts.dso_days) / sales if sales > 0 else float("nan"),
        "key_account_share": key_share,
        "key_account_count": None if keys is None else len(keys & set(cents.index)),
        "over_limit": int(rows["over_limit"].sum()),
        "worsening": int(rows["worsening"].sum()),
    }


def _params(today: int, edges: Sequence[int], factors: Mapping[str, float], opts: Options) -> dict[str, Any]:
    return {
        "as_of": str(np.datetime64(today, "D")),
        "terms": int(opts.terms),
        "buckets": list(edges),
        "grade_factors": dict(factors),
        "cap": float(opts.cap),
        "grade_rule": opts.grade_rule.as_params(),
        "worsening_days": float(opts.worsening_days),
        "dso_days": int(opts.dso_days),
        "history_months": int(opts.history_months),
        "trend_months": int(opts.trend_months),
        "key_accounts": None if opts.key_accounts is None else len(set(opts.key_accounts)),
        "key_share": None if opts.key_accounts is not None or opts.key_share <= 0 else float(opts.key_share),
        # the rules as codes; the words module says them in sentences
        "application": "reference_then_fifo",
        "credit_note": "fifo_like_payment",
        "credit_balance": "negative_not_due",
        "as_of_rule": "events_before_as_of",
        "no_payment_grade": "B",
        "row_order": ROW_ORDER,
    }


def _result(rows: pd.DataFrame, cents: pd.DataFrame, figures: dict[str, Any], inv: pd.DataFrame,
            pay: pd.DataFrame, acc: pd.DataFrame, today: int, edges: Sequence[int],
            factors: Mapping[str, float], opts: Options, counts: dict[str, int]) -> Result:
    names = bucket_names(edges)
    tables: dict[str, pd.DataFrame] = {"aging": company.aging_table(cents, names)}
    for dim in ("owner", "region"):
        if dim in acc:
            tables[f"by_{dim}"] = company.by_dimension(cents, names, acc[dim], dim)
    tables["largest_overdue"] = company.largest_overdue(rows, cents["overdue"])
    tables["over_limit"] = rows.loc[rows["over_limit"], ["customer", "balance", "overdue", "grade",
                                                         "credit_limit", "current_limit",
                                                         "utilisation"]].reset_index(drop=True)
    tables["largest_balances"] = company.largest_balances(cents, names)
    tables["grades"] = company.grades_table(rows, cents["balance"])
    tables["balance_history"] = company.history_table(figures["history"], today)
    kinds = {name: "money" for name in (*names, *MONEY_COLUMNS, "amount", "receivables", "invoiced",
                                        "credited", "paid", "credit_balances")}
    kinds.update({name: "days" for name in DAYS_COLUMNS})
    kinds.update({"on_time_share": "share", "utilisation": "share", "share": "share",
                  "overdue_share": "share", "key_account_share": "share",
                  # the rows' flags are booleans; the summary's keys of the same names count them
                  "rows.over_limit": "bool", "rows.worsening": "bool", "over_limit": "count",
                  "worsening": "count", "grade": "text", "bucket": "text",
                  "customers": "count", "date": "date"})
    return Result(
        command="credit",
        params=_params(today, edges, factors, opts),
        summary=_summary(rows, cents, inv, pay, figures, today, opts, counts),
        rows=rows,
        tables=tables,
        # one bar per customer, its balance stacked by bucket: the largest balances (the
        # rows' order puts small over-limit balances first, which a chart of "the top 30"
        # would misread)
        charts=[Chart(kind="bar", table="largest_balances", category="customer", values=names,
                      title="credit.chart.aging", max_points=company.CHARTED, stacked=True),
                Chart(kind="column", table="aging", category="bucket", values=["amount"],
                      title="credit.chart.buckets")],
        display_columns=["customer", "balance", *names, "dso", "days_beyond_terms", "grade",
                         "credit_limit", "utilisation", "over_limit", "worsening"],
        kinds=kinds,
    )
