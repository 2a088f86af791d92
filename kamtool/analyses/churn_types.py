"""Why customers were lost: one churn type per lost or value-declined customer.

Called from churn with frames in canonical names:

``statuses``   churn's per-customer rows: ``customer``, ``status`` (``lost``, ``retained`` …),
               ``start_revenue``, ``end_revenue``, ``start_class``, ``end_class`` (A/B/C).
``accounts``   optional, validated accounts: ``status``, ``churn_reason``.
``overdue``    optional, from credit: ``customer``, ``overdue_90_at_last_order`` (bool).
``brand_shares`` optional, the focal brand's share of wallet per period before the loss:
               ``customer``, ``period`` (ordinal), ``brand_share`` (0–1).
``lines``      optional, product-line activity: ``customer``, ``line``, ``start_revenue``,
               ``end_revenue`` (the two churn windows).
``key_accounts`` optional ids of the key tier; without it, key accounts are start class A.

Subjects: every ``lost`` customer, and every ``retained`` customer whose value fell (end
revenue ≤ ``decline_share`` (50 %) of start revenue, or a lower ABC class at the end).
Types, the first that applies wins:

1. ``recorded``: the accounts give a churn reason (kept as given in ``churn_reason``).
2. ``dropped``: we stopped: the account's status is one of :data:`DROPPED_STATUSES`
   (compared case-insensitively without spaces, ``_`` or ``-``), or receivables were over
   90 days overdue at the last order.
3. ``competitor``: the focal brand's share fell by ≥ ``share_drop`` (30 points) from the
   customer's first to its last period in ``brand_shares``; or some product line bought in
   the start window is still bought in the end window while another one stopped.
4. ``value_declined``: a retained subject (its value fell, above).
5. ``left``: every other lost customer.

``churn_type_basis``: ``recorded`` when the accounts file says so (a reason, or a dropped
status), ``inferred`` when the orders or receivables imply it.  Lost revenue = start
revenue − end revenue, summed in cents.

:func:`for_churn` builds these inputs from `kamtool churn`'s own load (the mix of brands and
categories, credit's invoice lines and payments, the key tier of
:func:`kamtool.analyses.tiers.key_tier`) and joins the types into churn's result.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kamtool.analyses import rules
from kamtool.errors import ColumnError
from kamtool.result import Result

if TYPE_CHECKING:
    import numpy.typing as npt

    from kamtool.ledger import Ledger

    BoolArray = npt.NDArray[np.bool_]

CHURN_TYPES = ("recorded", "dropped", "competitor", "value_declined", "left")
DROPPED_STATUSES = (
    "blacklist",
    "blacklisted",
    "credithold",
    "stopsupply",
    "stopped",
    "suspended",
    "黑名单",
    "停止供货",
    "停供",
    "冻结",
)
ROW_COLUMNS = (
    "customer",
    "status",
    "start_revenue",
    "end_revenue",
    "start_class",
    "end_class",
    "churn_type",
    "churn_type_basis",
    "churn_reason",
    "key_account",
)
KINDS = {
    "churn_type": "text",
    "churn_type_basis": "text",
    "churn_reason": "text",
    "key_account": "bool",
    "start_class": "text",
    "end_class": "text",
}
STATUS_COLUMNS = ("customer", "status", "start_revenue", "end_revenue", "start_class", "end_class")


def _norm(text: Any) -> str:
    if text is None or (isinstance(text, float) and np.isnan(text)) or pd.isna(text):
        return ""
    return "".join(ch for ch in str(text).strip().lower() if ch not in " _-")


def _subjects(statuses: pd.DataFrame, decline_share: float) -> pd.DataFrame:
    missing = [c for c in STATUS_COLUMNS if c not in statuses.columns]
    if missing:
        raise ColumnError(f"the churn statuses have no {missing[0]!r} column")
    frame = statuses[list(STATUS_COLUMNS)].copy()
    frame["customer"] = frame["customer"].astype(str)
    frame["start_c"] = rules.whole_units(pd.to_numeric(frame["start_revenue"]).fillna(0))
    frame["end_c"] = rules.whole_units(pd.to_numeric(frame["end_revenue"]).fillna(0))
    # classes compared by rank; "-" (did not buy in that window) is no class
    rank = {"A": 0, "B": 1, "C": 2}
    fell_class = frame["end_class"].map(rank) > frame["start_class"].map(rank)
    share = Fraction(str(float(decline_share)))
    # exact on cents: end × denominator ≤ numerator × start
    halved = (frame["start_c"] > 0) & (
        frame["end_c"] * share.denominator <= share.numerator * frame["start_c"]
    )
    retained_fell = (frame["status"] == "retained") & (halved | fell_class)
    frame = frame[(frame["status"] == "lost") | retained_fell]
    return frame.sort_values("customer").reset_index(drop=True)


def _per_customer(frame: pd.DataFrame | None, column: str, subjects: pd.Series) -> pd.Series:
    if frame is None or column not in frame.columns:
        return pd.Series([None] * len(subjects), index=subjects.to_numpy(), dtype=object)
    keyed = frame.assign(customer=frame["customer"].astype(str)).drop_duplicates("customer")
    return keyed.set_index("customer")[column].reindex(subjects.to_numpy())


def _share_fell(brand_shares: pd.DataFrame | None, share_drop: float) -> set[str]:
    if brand_shares is None or brand_shares.empty:
        return set()
    frame = brand_shares.assign(customer=brand_shares["customer"].astype(str)).sort_values(
        ["customer", "period"]
    )
    frame = frame[frame["brand_share"].notna()]
    ends = frame.groupby("customer")["brand_share"].agg(["first", "last", "size"])
    # compared in millionths: 0.6 − 0.3 in floats is 0.2999…, which would miss the boundary
    drop = np.rint((ends["first"] - ends["last"]) * 1_000_000)
    fell = (ends["size"] >= 2) & (drop >= round(share_drop * 1_000_000))
    return set(ends.index[fell])


def _line_stopped(lines: pd.DataFrame | None) -> set[str]:
    if lines is None or lines.empty:
        return set()
    # by customer code: a set of every customer's text from millions of rows costs seconds
    codes, customers = pd.factorize(lines["customer"].astype(str))
    start = pd.to_numeric(lines["start_revenue"]).fillna(0).to_numpy() > 0
    end = pd.to_numeric(lines["end_revenue"]).fillna(0).to_numpy() > 0
    kept = np.bincount(codes[start & end], minlength=len(customers)) > 0
    stopped = np.bincount(codes[start & ~end], minlength=len(customers)) > 0
    return set(np.asarray(customers[kept & stopped], dtype=object).tolist())


def _among(who: pd.Series, names: Collection[str]) -> BoolArray:
    """Which of ``who`` (text) are among ``names``: a hash lookup on Python strings (isin on
    Arrow-backed text walks both in Python)."""
    return np.asarray(pd.Index(who.to_numpy(dtype=object), dtype=object).isin(list(names)), dtype=bool)


def _by_type(frame: pd.DataFrame) -> pd.DataFrame:
    grouped = frame.groupby("churn_type")
    table = pd.DataFrame({"churn_type": list(CHURN_TYPES)})
    table["customers"] = grouped.size().reindex(CHURN_TYPES, fill_value=0).to_numpy(dtype=np.int64)
    lost_c = grouped["lost_c"].sum().reindex(CHURN_TYPES, fill_value=0).to_numpy(dtype=np.int64)
    table["revenue_lost"] = lost_c / 100
    return table


def churn_types(
    statuses: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    overdue: pd.DataFrame | None = None,
    brand_shares: pd.DataFrame | None = None,
    lines: pd.DataFrame | None = None,
    key_accounts: Collection[str] | None = None,
    dropped_statuses: Sequence[str] = DROPPED_STATUSES,
    decline_share: float = 0.5,
    share_drop: float = 0.30,
) -> Result:
    """One churn type per subject, and counts and lost revenue by type (see the module)."""
    frame = _subjects(statuses, decline_share)
    who = frame["customer"]
    reason = _per_customer(accounts, "churn_reason", who).map(lambda v: None if _norm(v) == "" else v)
    account_status = _per_customer(accounts, "status", who).map(_norm)
    owed = _per_customer(overdue, "overdue_90_at_last_order", who).map(
        lambda v: bool(v) if pd.notna(v) else False
    )
    drop_codes = {_norm(s) for s in dropped_statuses}
    recorded = reason.notna().to_numpy()
    by_status = account_status.isin(drop_codes).to_numpy()
    dropped = by_status | owed.to_numpy(dtype=bool)
    rivals = _among(who, _share_fell(brand_shares, share_drop) | _line_stopped(lines))
    retained = (frame["status"] == "retained").to_numpy()
    frame["churn_type"] = np.select(
        [recorded, dropped, rivals, retained], list(CHURN_TYPES[:4]), default="left"
    )
    frame["churn_type_basis"] = np.where(recorded | by_status, "recorded", "inferred")
    frame["churn_reason"] = reason.to_numpy()
    frame["lost_c"] = frame["start_c"] - frame["end_c"]
    keys = (
        {str(k) for k in key_accounts}
        if key_accounts is not None
        else set(who[frame["start_class"].astype(str) == "A"])
    )
    frame["key_account"] = _among(who, keys)
    rows = frame[list(ROW_COLUMNS)].copy()
    rows["revenue_lost"] = frame["lost_c"].to_numpy() / 100
    all_types, key_types = _by_type(frame), _by_type(frame[frame["key_account"]])
    summary: dict[str, Any] = {
        f"{t}": int(n) for t, n in zip(all_types["churn_type"], all_types["customers"], strict=True)
    }
    summary.update(
        subjects=len(rows),
        key_subjects=int(frame["key_account"].sum()),
        revenue_lost=float(frame["lost_c"].sum()) / 100,
        key_revenue_lost=float(frame.loc[frame["key_account"], "lost_c"].sum()) / 100,
    )
    params = {
        "precedence": list(CHURN_TYPES),
        "dropped_statuses": list(dropped_statuses),
        "decline_share": decline_share,
        "share_drop": share_drop,
        "key_accounts": "key tier" if key_accounts is not None else "start class A",
        "credit_known": overdue is not None,
        "brand_shares_known": brand_shares is not None,
        "lines_known": lines is not None,
    }
    tables = {"by_type": all_types, "by_type_key": key_types}
    return Result(
        command="churn_types", params=params, summary=summary, rows=rows, tables=tables, kinds=KINDS
    )


# ---------------------------------------------------------------------------------------------
# churn types inside `kamtool churn`: the inputs from churn's load, and the result joined in

# The order lines' receivables fields: with any of them (or a payments frame) the overdue
# receivables at each subject's last order are known.
CREDIT_FIELDS = ("due_date", "paid_date", "paid_amount")
# Product lines (产品线): the category. Products (SKUs) are too fine: a customer moving from
# one SKU to another of the same line would read as a line stopped.
LINE_DIMENSIONS = ("category",)
# The focal brand's share is followed over the end period and this many periods before it.
SHARE_PERIODS = 4
KEY_BASES = ("key_tier", "start_class_a")
TABLE_COLUMNS = ("churn_type", "customers", "revenue_lost", "key_customers", "key_revenue_lost")


def period_codes(churn_result: Result) -> tuple[str, int, int]:
    """(period kind, start ordinal, end ordinal) of the periods a churn result compared."""
    period = str(churn_result.params["period"])
    start, end = (rules.parse_period_label(str(x), period) for x in churn_result.params["compare"])
    return period, start, end


def brand_shares_of(mix: pd.DataFrame | None, brand: str | None, period: str, start_p: int,
                    end_p: int) -> pd.DataFrame | None:
    """The focal brand's share of each customer's net revenue per period, over the end period
    and the :data:`SHARE_PERIODS` before it (periods with net revenue ≤ 0 have no share);
    None without a focal brand or a brand column."""
    if brand is None or mix is None or "brand" not in mix.columns or not mix["brand"].notna().any():
        return None
    frame = _in_periods(mix, period, end_p - SHARE_PERIODS, end_p)
    frame["focal"] = np.where(frame["brand"].astype(str) == str(brand), frame["cents"], 0)
    per = frame.groupby(["customer", "period"], as_index=False)[["cents", "focal"]].sum()
    per = per[per["cents"] > 0]
    return pd.DataFrame({"customer": per["customer"].to_numpy(), "period": per["period"].to_numpy(),
                         "brand_share": (per["focal"] / per["cents"]).to_numpy()})


def lines_of(mix: pd.DataFrame | None, period: str, start_p: int, end_p: int) -> tuple[pd.DataFrame | None,
                                                                                  str | None]:
    """Net revenue per customer × product line in the start and the end period, and the
    column the lines are (:data:`LINE_DIMENSIONS`); (None, None) without one.  Pairs that
    bought only between the two periods are left out: they have neither figure."""
    if mix is None:
        return None, None
    dim = next((d for d in LINE_DIMENSIONS if d in mix.columns and mix[d].notna().any()), None)
    if dim is None:
        return None, None
    per = mix["month"].to_numpy(dtype=np.int64) // rules.MONTHS_PER[period]
    keep = ((per == start_p) | (per == end_p)) & mix[dim].notna().to_numpy(dtype=bool)
    # summed by integer codes of customer and line: a group-by on two text columns of the
    # whole mix cost more than the rest of the churn types together
    # (the ids coded on every row, neighbours compared as the ledger's rows come by customer,
    # then the two periods' rows taken; only the pairs with rows there are kept below)
    every, customers = rules.sorted_codes(mix["customer"].astype(str))
    customer_codes = every[keep]
    line_codes, lines = pd.factorize(mix[dim][keep].astype(str))
    pairs, pair = np.unique(customer_codes.astype(np.int64) * max(len(lines), 1) + line_codes,
                            return_inverse=True)
    cents = rules.whole_units(mix["revenue"].to_numpy(dtype=np.float64)[keep]).astype(np.float64)
    in_start = per[keep] == start_p
    # float64 sums of whole cents are exact below 2**53 cents
    start_c = np.rint(np.bincount(pair, weights=np.where(in_start, cents, 0), minlength=len(pairs)))
    end_c = np.rint(np.bincount(pair, weights=np.where(in_start, 0, cents), minlength=len(pairs)))
    width = max(len(lines), 1)
    frame = pd.DataFrame({"customer": np.asarray(customers, dtype=object)[pairs // width],
                          "line": np.asarray(lines, dtype=object)[pairs % width],
                          "start_revenue": start_c / 100, "end_revenue": end_c / 100})
    return frame, dim


def mix_months(period: str, start_p: int, end_p: int, brand: str | None) -> tuple[int, int]:
    """The first and last month ordinals of the mix the types read when churn compares the
    periods ``start_p`` and ``end_p``: those two (the product lines), with a focal brand also
    the :data:`SHARE_PERIODS` before the end (its shares) and the key tier's window (its share
    of wallet)."""
    from kamtool.analyses import tiers

    per = rules.MONTHS_PER[period]
    first = start_p * per
    if brand is not None:
        window_first, _ = tiers.window(int(rules.period_start_day(end_p, period)), tiers.WINDOW_MONTHS)
        first = min(first, (end_p - SHARE_PERIODS) * per, window_first)
    return first, end_p * per + per - 1


def _in_periods(mix: pd.DataFrame, period: str, first: int, last: int) -> pd.DataFrame:
    months = mix["month"].to_numpy(dtype=np.int64)
    per = months // rules.MONTHS_PER[period]
    keep = (per >= first) & (per <= last)
    frame = mix.loc[keep].copy()
    frame["customer"] = frame["customer"].astype(str)
    frame["period"] = per[keep]
    frame["cents"] = rules.whole_units(frame["revenue"].to_numpy(dtype=np.float64))
    return frame


def key_tier(monthly: pd.DataFrame | None, accounts: pd.DataFrame | None, mix: pd.DataFrame | None,
             brand: str | None, day: int) -> list[str] | None:
    """The key tier of :func:`kamtool.analyses.tiers.key_tier` (tiers' default weights, shares
    and 12-month window; the future factor from growth, as tiers has it without a CLV fit) as of
    ``day``; None when it cannot be computed from these frames."""
    if monthly is None:
        return None
    from kamtool.analyses import tiers
    from kamtool.errors import KamtoolError

    try:
        return tiers.key_tier(monthly, accounts, None, as_of=day, brand=brand, mix=mix)
    except KamtoolError:
        return None


def overdue_of(statuses: pd.DataFrame, invoices: pd.DataFrame | None, payments: pd.DataFrame | None,
               accounts: pd.DataFrame | None) -> pd.DataFrame | None:
    """Receivables over 90 days past due at each customer's last purchase day (churn's
    ``last_date``), from credit's rules (:mod:`kamtool.analyses.credit.overdue`); None when
    neither the lines carry receivables fields nor a payments frame is given."""
    has_fields = invoices is not None and any(c in invoices.columns for c in CREDIT_FIELDS)
    if invoices is None or not (has_fields or payments is not None):
        return None
    from kamtool.analyses.credit.overdue import overdue_at

    known = statuses[statuses["last_date"].notna()]
    days = pd.Series(known["last_date"].to_numpy().astype("datetime64[D]").astype(np.int64),
                     index=known["customer"].astype(str).to_numpy())
    return overdue_at(invoices, payments, accounts, days)


def for_churn(
    churn_result: Result,
    *,
    accounts: pd.DataFrame | None = None,
    mix: pd.DataFrame | None = None,
    monthly: pd.DataFrame | None = None,
    invoices: pd.DataFrame | None = None,
    payments: pd.DataFrame | None = None,
    brand: str | None = None,
) -> Result:
    """``churn_result`` with a churn type per subject: rows gain ``churn_type`` and
    ``churn_type_basis`` (empty for customers that are no subject), ``churn_reason`` (the
    accounts file's text, for ``recorded``) and ``key_account`` (the
    key tier, else start class A: ``params.key_accounts_basis``), the table ``churn_types``
    (customers and revenue lost per type, all and key accounts), and the summary and params
    below.  The inputs are churn's own load: ``mix`` (customer × month × brand / category /
    product revenue), ``monthly`` (for the key tier), ``invoices`` (credit's invoice lines)."""
    period, start_p, end_p = period_codes(churn_result)
    statuses = churn_result.rows
    overdue = overdue_of(statuses, invoices, payments, accounts)
    tier_day = int(rules.period_start_day(end_p, period))
    # the key tier before the product lines: its roll-up of the mix then does not sit on top of
    # the lines' frame (10M lines: the peak of the run)
    keys = key_tier(monthly, accounts, mix, brand, tier_day)
    lines, line_dim = lines_of(mix, period, start_p, end_p)
    typed = churn_types(statuses, accounts, overdue=overdue,
                        brand_shares=brand_shares_of(mix, brand, period, start_p, end_p),
                        lines=lines, key_accounts=keys)
    rows = statuses.copy()
    who = rows["customer"].astype(str)
    # each row's subject by position (the subjects' ids are unique): no text join
    position = pd.Index(typed.rows["customer"].to_numpy(dtype=object), dtype=object).get_indexer(
        who.to_numpy(dtype=object))
    found = position >= 0
    # the recorded reason as the accounts file gives it (data, not a code)
    for column in ("churn_type", "churn_type_basis", "churn_reason"):
        values = np.full(len(rows), None, dtype=object)
        values[found] = typed.rows[column].to_numpy(dtype=object)[position[found]]
        rows[column] = pd.Series(values, index=rows.index, dtype=object)
    rows["key_account"] = (_among(who, keys) if keys is not None
                           else (rows["start_class"].astype(str) == "A").to_numpy(dtype=bool))
    table = _type_table(typed)
    params = {
        **churn_result.params,
        "churn_type_precedence": list(CHURN_TYPES),
        "churn_type_decline_share": typed.params["decline_share"],
        "churn_type_share_drop": typed.params["share_drop"],
        "churn_type_share_periods": SHARE_PERIODS,
        "churn_type_overdue_days": 90,
        "key_accounts_basis": KEY_BASES[0] if keys is not None else KEY_BASES[1],
        "key_tier_as_of": str(np.datetime64(tier_day, "D")) if keys is not None else None,
        "brand": brand,
        # what the types could be inferred from (the words say what was missing)
        "churn_type_from_accounts": accounts is not None,
        "churn_type_from_credit": overdue is not None,
        "churn_type_from_brand_shares": bool(typed.params["brand_shares_known"]),
        "churn_type_line_column": line_dim,
    }
    summary = {**churn_result.summary, **_type_summary(table, typed)}
    display = list(churn_result.display_columns or rows.columns)
    display[display.index("change") + 1:display.index("change") + 1] = ["churn_type", "churn_type_basis"]
    kinds = {**churn_result.kinds, "churn_type": "text", "churn_type_basis": "text", "churn_reason": "text",
             "key_account": "bool",
             "key_customers": "count", "customers": "count"}
    return dataclasses.replace(churn_result, rows=rows, params=params, summary=summary,
                               tables={**churn_result.tables, "churn_types": table},
                               display_columns=display, kinds=kinds)


def _type_table(typed: Result) -> pd.DataFrame:
    every, key = typed.tables["by_type"], typed.tables["by_type_key"]
    return pd.DataFrame({"churn_type": every["churn_type"].to_numpy(),
                         "customers": every["customers"].to_numpy(dtype=np.int64),
                         "revenue_lost": every["revenue_lost"].to_numpy(dtype=np.float64),
                         "key_customers": key["customers"].to_numpy(dtype=np.int64),
                         "key_revenue_lost": key["revenue_lost"].to_numpy(dtype=np.float64)})


def main_type(counts: Sequence[int], cents: Sequence[int]) -> str | None:
    """The type with the most revenue lost; ties by more customers, then precedence; None
    when there is no subject."""
    if not any(counts):
        return None
    ranked = sorted(range(len(CHURN_TYPES)), key=lambda i: (-cents[i], -counts[i], i))
    return CHURN_TYPES[ranked[0]]


def _type_summary(table: pd.DataFrame, typed: Result) -> dict[str, Any]:
    cents = rules.whole_units(table["revenue_lost"].to_numpy())
    key_cents = rules.whole_units(table["key_revenue_lost"].to_numpy())
    counts, key_counts = table["customers"].tolist(), table["key_customers"].tolist()
    summary: dict[str, Any] = {f"churn_type_{t}": int(n) for t, n in zip(CHURN_TYPES, counts, strict=True)}
    main, key_main = main_type(counts, cents.tolist()), main_type(key_counts, key_cents.tolist())
    summary.update(
        churn_type_subjects=int(sum(counts)),
        churn_type_revenue_lost=int(cents.sum()) / 100,
        churn_type_main=main,
        churn_type_main_revenue_lost=int(cents[CHURN_TYPES.index(main)]) / 100 if main else 0.0,
        key_churn_type_subjects=int(sum(key_counts)),
        key_churn_type_revenue_lost=int(key_cents.sum()) / 100,
        key_churn_type_main=key_main,
    )
    return summary


def for_churn_ledger(churn_result: Result, ledger: Ledger, accounts: pd.DataFrame | None,
                     payments: pd.DataFrame | None, brand: str | None, *,
                     keep_totals: bool = False) -> Result:
    """``churn_result`` typed from what :func:`kamtool.analyses.churn.types_needs` loaded:
    the accounts file checked against the customers (its checks attached), credit's invoice
    lines only when something says what was paid or due (payments, or due/paid fields).

    ``keep_totals``: the ledger is the caller's alone (`kamtool churn`'s, not a report's shared
    view), which reads its table no more but for its totals: the table goes once the types'
    frames are built (:meth:`Ledger.keep_totals`; 10M lines: 4.8M customer-days)."""
    from kamtool.analyses import accounts as accounts_check

    checked = None if accounts is None else accounts_check.validate(accounts, ledger.customer_ids())
    owed = payments is not None or bool(ledger.present & set(CREDIT_FIELDS))
    mix, monthly = ledger.mix, ledger.monthly
    invoices = ledger.invoices if owed else None
    if keep_totals:
        ledger.keep_totals()
    result = for_churn(churn_result, accounts=None if checked is None else checked.rows, mix=mix,
                       monthly=monthly, invoices=invoices, payments=payments, brand=brand)
    return result if checked is None else accounts_check.attach_checks(result, checked)
