"""The account card (客户档案): one customer's figures from every analysis, on one page.

The card reads no data of its own beyond what the analyses read: each analysis ran on the
ledger its own :class:`~kamtool.needs.Needs` asked for (the command line does that), and
the card picks the customer's row of each result, so every figure equals what the matching
command prints for that customer. What only the card shows comes from those same ledgers:

- ``days`` (the CLV load: customer × date with revenue, profit and orders): first and last
  order, the last 12 months against the 12 before, the 24 monthly revenues of the sparkline;
- ``lines`` (the loyalty load: customer × date × brand × product revenue): the top products
  and brands, over every order before the as-of date;
- ``people`` (customer × region × salesperson revenue): the main region and, where neither
  the tiers nor the accounts name an owner, the main salesperson.

Windows: the last 12 months are the days from the as-of date one year back up to the day
before the as-of date; the 12 months before are the year before that. The sparkline's 24
calendar months end with the month of the day before the as-of date (which may be partial).

A section that cannot be computed (the analysis refused this data, the customer has no
row in it, no payment data for credit) leaves its columns empty and says why in the
``sections`` table, as a code (``failed``, ``no_row``, ``no_orders``, ``no_payment_data``,
``not_in_data``) with the analysis' own message in ``detail``.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kamtool.errors import KamtoolError
from kamtool.lazy import lazy_module
from kamtool.needs import Needs
from kamtool.result import Result

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

# The analyses on a card, in the card's order.
SECTIONS = ("abc", "rfm", "loyalty", "tiers", "stages", "clv", "churn", "credit")
# Region and salesperson per customer: the main region, and the owner when nobody names one.
# The top products and brands: revenue per customer × day × brand × product (loyalty's own
# load is rolled up to months and first purchases in the query, too coarse for a window).
LINES_NEEDS = Needs(keys=("customer", "date", "brand", "product"), optional=("brand", "product"), measures=())
PEOPLE_NEEDS = Needs(
    keys=("customer", "region", "salesperson"),
    columns=("customer", "amount"),
    optional=("region", "salesperson"),
    measures=(),
)
MONTHS = 24
TOP = 5
FACTORS = ("strategic", "profit", "loyalty", "elasticity", "future")

# card column <- the column of each section's rows
PICKED: dict[str, dict[str, str]] = {
    "abc": {"class": "abc_class", "rank": "revenue_rank", "share": "revenue_share", "revenue": "revenue"},
    "rfm": {
        "segment": "rfm_segment",
        "r_score": "r_score",
        "f_score": "f_score",
        "m_score": "m_score",
        "rfm_score": "rfm_score",
        "recency": "recency_days",
    },
    "loyalty": {
        "group": "loyalty_group",
        "early_adopter": "early_adopter",
        "leading_brand": "leading_brand",
        "focal_share": "focal_share",
    },
    "tiers": {
        "tier": "tier",
        "score": "tier_score",
        **{f"{f}_score": f"{f}_score" for f in FACTORS},
        "flags": "tier_flags",
    },
    "stages": {
        "stage": "stage",
        "stage_rule": "stage_rule",
        "tenure_months": "tenure_months",
        "declining": "declining",
        "lost": "lost",
    },
    "clv": {
        "p_alive": "p_alive",
        "expected_purchases": "expected_purchases",
        "expected_spend": "expected_spend",
        "clv": "clv",
    },
    "churn": {
        "status": "churn_status",
        "at_risk": "at_risk",
        "silence_ratio": "silence_ratio",
        "days_since_last": "days_since_last",
        "median_gap": "median_gap_days",
    },
    "credit": {
        "balance": "balance",
        "overdue": "overdue",
        "max_days_past_due": "max_days_past_due",
        "grade": "credit_grade",
        "credit_limit": "credit_limit",
        "current_limit": "current_limit",
        "utilisation": "utilisation",
        "over_limit": "over_limit",
        "dso": "dso_days",
    },
}
KINDS = {
    "revenue_rank": "count",
    "r_score": "count",
    "f_score": "count",
    "m_score": "count",
    "rfm_score": "count",
    "recency_days": "days",
    "tier_score": "number",
    "silence_ratio": "number",
    "expected_purchases": "number",
    "tenure_months": "number",
    "dso_days": "days",
    "max_days_past_due": "days",
    "median_gap_days": "days",
    "utilisation": "share",
    "focal_share": "share",
    "revenue_change": "share",
    "aov_12m": "money",
    "aov_prior_12m": "money",
    "orders_12m": "count",
    "orders_prior_12m": "count",
    "month": "text",
    "rank": "count",
    **{f"{f}_score": "number" for f in FACTORS},
}


class NoSuchCustomer(KamtoolError):
    """CUSTOMER matches no customer, or several (exit 1: the data does not hold that one)."""


@dataclass(frozen=True)
class Section:
    """One analysis' result for the cards, or why it could not run (a code, and the
    analysis' own message)."""

    result: Result | None
    reason: str | None = None
    detail: str | None = None


@dataclass
class CardInputs:
    """What the cards are assembled from (see the module)."""

    sections: dict[str, Section]
    as_of: int  # days since 1970-01-01
    days: pd.DataFrame | None = None
    lines: pd.DataFrame | None = None
    people: pd.DataFrame | None = None
    accounts: pd.DataFrame | None = None
    names: Mapping[str, str] = field(default_factory=dict)
    with_orders: frozenset[str] = frozenset()  # the customers with an order line
    has_profit: bool = False
    options: dict[str, Any] = field(default_factory=dict)


# -------------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class Match:
    """Which customers CUSTOMER named: ``kind`` "id" (exact id), "name" (substring of names),
    or "none"; ``close``: the nearest ids and names when nothing matched."""

    kind: str
    found: list[str]
    close: list[str]


def folded(text: str) -> str:
    """Text as a name comparison sees it: compatibility forms (full-width Latin) unified,
    Latin case ignored, surrounding spaces dropped; Chinese stays as written."""
    return unicodedata.normalize("NFKC", str(text)).casefold().strip()


def match(query: str, ids: Sequence[str], names: Mapping[str, str]) -> Match:
    """The customers ``query`` names: an id exactly, else every customer whose name holds it
    (Chinese included, Latin case ignored), in id order."""
    wanted = str(query).strip()
    if wanted in set(ids):
        return Match("id", [wanted], [])
    key = folded(wanted)
    found = sorted(c for c in ids if key and key in folded(names.get(c) or ""))
    if found:
        return Match("name", found, [])
    candidates = {folded(c): c for c in ids}
    candidates.update({folded(n): n for n in names.values() if n})
    return Match("none", [], [candidates[k] for k in closest(key, list(candidates))])


def closest(key: str, candidates: Sequence[str], n: int = 5) -> list[str]:
    """The ``n`` candidates most like ``key`` (difflib's ratio, at least 0.5), those that hold
    it as a whole first (C011 -> C0110 before C0211), ties by text."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(key)
    scored = []
    for candidate in candidates:
        matcher.set_seq1(candidate)
        held = bool(key) and key in candidate
        # the quick upper bounds first, as difflib.get_close_matches does: 50k names stay fast
        if held or (matcher.real_quick_ratio() >= 0.5 and matcher.quick_ratio() >= 0.5):
            score = matcher.ratio() + (0.5 if held else 0.0)
            if score >= 0.5:
                scored.append((score, candidate))
    scored.sort(key=lambda p: (-p[0], p[1]))
    return [c for _, c in scored[:n]]


# ------------------------------------------------------------------------------ the cards


def cards(customers: Sequence[str], inputs: CardInputs, *, top: int = TOP) -> Result:
    """One card per customer id, in the given order: ``rows`` one row per card, ``tables``
    months (24 per card), products and brands (top ``top``), sections (why a part is empty)."""
    ids = [str(c) for c in customers]
    day = int(inputs.as_of)
    rows = pd.DataFrame({"customer": ids})
    rows = rows.merge(_identity(ids, inputs), on="customer", how="left")
    rows = rows.merge(_periods(ids, inputs.days, day, inputs.has_profit), on="customer", how="left")
    status: list[dict[str, Any]] = []
    for name in SECTIONS:
        picked, why = _picked(name, ids, inputs)
        rows = rows.merge(picked, on="customer", how="left")
        status += why
    rows = _owners(rows, inputs)
    status += _profit_status(ids, inputs, rows)
    months = _months(ids, inputs.days, day)
    tables = {
        "months": months,
        "products": _top(ids, inputs.lines, "product", day, top),
        "brands": _top(ids, inputs.lines, "brand", day, top),
        "sections": pd.DataFrame(status, columns=["customer", "section", "status", "reason", "detail"]),
    }
    abc = inputs.sections["abc"].result if "abc" in inputs.sections else None
    summary = {
        "cards": len(ids),
        "as_of": _iso(day),
        "customers": None if abc is None else len(abc.rows),
        "company_revenue": None if abc is None else abc.summary.get("total"),
    }
    params = {
        "as_of": _iso(day),
        "window_rule": "a_year_up_to_the_day_before_as_of",
        "last_12m": [_iso(_years_back(day, 1)), _iso(day - 1)],
        "prior_12m": [_iso(_years_back(day, 2)), _iso(_years_back(day, 1) - 1)],
        "months": MONTHS,
        "first_month": months["month"].iloc[0] if len(months) else None,
        "last_month": months["month"].iloc[-1] if len(months) else None,
        "top": top,
        "top_rule": "all_orders_before_as_of",
        "has_product": inputs.lines is not None and "product" in inputs.lines.columns,
        "has_brand": inputs.lines is not None and "brand" in inputs.lines.columns,
        "owner_rule": "tiers_owner_then_accounts_then_main_salesperson",
        "match_rule": "exact_id_else_name_substring",
        **_section_periods(inputs),
        **({"clv_horizon": inputs.options["clv_horizon"]} if "clv_horizon" in inputs.options else {}),
        **({"clv_unit": inputs.options["clv_unit"]} if "clv_unit" in inputs.options else {}),
    }
    return Result(
        command="profile",
        params=params,
        summary=summary,
        rows=rows,
        tables=tables,
        kinds=dict(KINDS),
    )


def _section_periods(inputs: CardInputs) -> dict[str, Any]:
    """The periods churn compared, for the churn line's words."""
    churn = inputs.sections.get("churn")
    if churn is None or churn.result is None:
        return {}
    s = churn.result.summary
    return {"churn_periods": [s.get("period_start"), s.get("period_end")]}


def _iso(day: int) -> str:
    return str(np.datetime64(int(day), "D"))


def _years_back(day: int, years: int) -> int:
    """The day ``years`` calendar years before ``day`` (29 February falls to the 28th)."""
    stamp = pd.Timestamp(np.datetime64(int(day), "D")) - pd.DateOffset(years=years)
    return int(np.datetime64(stamp.date(), "D").astype(np.int64))


def _identity(ids: list[str], inputs: CardInputs) -> pd.DataFrame:
    """Name, segment, industry and status (accounts), the main region (most revenue, ties by
    name) and the first and last order before the as-of date."""
    frame = pd.DataFrame({"customer": ids})
    names = {c: inputs.names.get(c) for c in ids}
    accounts = inputs.accounts
    if accounts is not None and len(accounts):
        acc = accounts.drop_duplicates("customer").set_index("customer")
        for col in ("segment", "industry", "status"):
            if col in acc.columns:
                values = acc[col].reindex(ids)
                frame[col] = [None if _blank(v) else str(v) for v in values]
    # the orders' name, else the accounts' (a prospect's): see the command's names
    frame["customer_name"] = [names[c] if not _blank(names[c]) else None for c in ids]
    for col in ("segment", "industry", "status"):
        if col not in frame:
            frame[col] = None
    regions = _mains(inputs.people, "region")
    frame["region"] = [regions.get(c) for c in ids]
    first, last = _first_last(ids, inputs.days, inputs.as_of)
    frame["first_date"], frame["last_date"] = first, last
    front = [
        "customer",
        "customer_name",
        "region",
        "segment",
        "industry",
        "status",
        "first_date",
        "last_date",
    ]
    return frame[front]


def _blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, float) and np.isnan(value))
        or value is pd.NA
        or str(value).strip() == ""
    )


def _mains(people: pd.DataFrame | None, column: str) -> dict[str, str]:
    """Per customer, the ``column`` value with the most revenue (ties: the first by name)."""
    if people is None or column not in people.columns:
        return {}
    known = people[people[column].notna()]
    frame = pd.DataFrame({"customer": known["customer"].astype(str), column: known[column].astype(str),
                          "cents": np.rint(known["revenue"].to_numpy(dtype="float64") * 100)})
    totals = frame.groupby(["customer", column], observed=True)["cents"].sum().reset_index()
    best = totals.sort_values(["customer", "cents", column], ascending=[True, False, True], kind="stable")
    best = best.drop_duplicates("customer")
    return dict(zip(best["customer"], best[column], strict=True))


def _before(days: pd.DataFrame | None, as_of: int) -> pd.DataFrame | None:
    if days is None:
        return None
    numbers = days["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    return days[numbers < as_of].assign(day=numbers[numbers < as_of])


def _first_last(ids: list[str], days: pd.DataFrame | None, as_of: int) -> tuple[list[Any], list[Any]]:
    before = _before(days, as_of)
    if before is None:
        return [None] * len(ids), [None] * len(ids)
    span = before.groupby("customer", observed=True)["date"].agg(["min", "max"])
    span.index = span.index.astype(str)
    span = span.reindex(ids)
    return list(span["min"]), list(span["max"])


def _periods(ids: list[str], days: pd.DataFrame | None, as_of: int, has_profit: bool) -> pd.DataFrame:
    """Revenue, profit, orders and the average order value of the last 12 months and the 12
    before; the change in revenue as a share of the year before. Money is summed in cents."""
    out = pd.DataFrame({"customer": ids})
    before = _before(days, as_of)
    windows = {
        "12m": (_years_back(as_of, 1), as_of),
        "prior_12m": (_years_back(as_of, 2), _years_back(as_of, 1)),
    }
    for suffix, (start, stop) in windows.items():
        if before is None:
            for col in ("revenue", "profit", "orders", "aov"):
                out[f"{col}_{suffix}"] = None
            continue
        part = before[(before["day"] >= start) & (before["day"] < stop)]
        part = part.assign(customer=part["customer"].astype(str),
                           cents=np.rint(part["revenue"].to_numpy(dtype="float64") * 100).astype(np.int64))
        groups = part.groupby("customer", observed=True)
        cents = groups["cents"].sum().reindex(ids, fill_value=0).astype(np.int64)
        out[f"revenue_{suffix}"] = (cents / 100).to_numpy()
        profit: list[float | None] = [None] * len(ids)
        if has_profit and "profit" in part:
            profit_cents = np.rint(part["profit"].to_numpy(dtype="float64") * 100)
            part = part.assign(profit_cents=profit_cents, unknown=np.isnan(profit_cents))
            groups = part.groupby("customer", observed=True)
            # a line of unknown cost in the window: the profit is unknown, not smaller
            unknown = groups["unknown"].any().reindex(ids, fill_value=False)
            sums = groups["profit_cents"].sum().reindex(ids, fill_value=0.0)
            profit = [None if u else float(v) / 100 for u, v in zip(unknown, sums, strict=True)]
        out[f"profit_{suffix}"] = profit
        orders = (groups["orders"].sum().reindex(ids, fill_value=0).astype(np.int64) if "orders" in part
                  else pd.Series(0, index=ids, dtype=np.int64))
        out[f"orders_{suffix}"] = orders.to_numpy()
        out[f"aov_{suffix}"] = [round(c / 100 / n, 2) if n else None
                                for c, n in zip(cents, orders, strict=True)]
    prior = out["revenue_prior_12m"].astype("float64")
    out["revenue_change"] = ((out["revenue_12m"].astype("float64") - prior) / prior).where(prior > 0)
    return out


def _picked(name: str, ids: list[str], inputs: CardInputs) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The section's columns for each card, and a status line per card."""
    section = inputs.sections.get(name, Section(None, "not_run"))
    columns = PICKED[name]
    frame = pd.DataFrame({"customer": ids})
    status: list[dict[str, Any]] = []
    rows = None
    has_row: set[str] = set()
    if section.result is not None:
        rows = section.result.rows
        rows = rows.assign(customer=rows["customer"].astype(str)).drop_duplicates("customer")
        has_row = set(rows["customer"])
        rows = rows.set_index("customer").reindex(ids)
    for col, card in columns.items():
        frame[card] = rows[col].to_numpy() if rows is not None and col in rows.columns else None
    for customer in ids:
        if rows is None:
            reason, detail = section.reason or "failed", section.detail
        elif customer not in has_row:
            reason, detail = ("no_row" if customer in inputs.with_orders else "no_orders"), None
        else:
            reason, detail = None, None
        status.append(
            {
                "customer": customer,
                "section": name,
                "status": "ok" if reason is None else "not_computed",
                "reason": reason,
                "detail": detail,
            }
        )
    if name == "tiers" and rows is not None and "owner" in rows.columns:
        frame["tiers_owner"] = rows["owner"].to_numpy()
    return frame, status


def _owners(rows: pd.DataFrame, inputs: CardInputs) -> pd.DataFrame:
    """The owner: the tiers' owner (the accounts' owner, else the main salesperson of the
    tiers window), else the accounts' owner, else the main salesperson of all orders."""
    owners: list[str | None] = []
    accounts = None
    if inputs.accounts is not None and "owner" in inputs.accounts.columns:
        accounts = inputs.accounts.drop_duplicates("customer").set_index("customer")["owner"]
    salespeople = _mains(inputs.people, "salesperson")
    tiers_owner = rows["tiers_owner"] if "tiers_owner" in rows else pd.Series([None] * len(rows))
    for customer, from_tiers in zip(rows["customer"], tiers_owner, strict=True):
        if not _blank(from_tiers):
            owners.append(str(from_tiers))
        elif accounts is not None and customer in accounts.index and not _blank(accounts[customer]):
            owners.append(str(accounts[customer]))
        else:
            owners.append(salespeople.get(customer))
    rows = rows.drop(columns=["tiers_owner"], errors="ignore")
    rows.insert(2, "owner", owners)
    return rows


def _profit_status(ids: list[str], inputs: CardInputs, rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Why the card shows no profit: no cost or profit column, or a line of unknown cost."""
    out = []
    for customer, profit, revenue in zip(ids, rows["profit_12m"], rows["revenue_12m"], strict=True):
        if not inputs.has_profit:
            reason: str | None = "no_cost"
        elif _blank(profit) and revenue is not None:
            reason = "cost_unknown"
        else:
            reason = None
        out.append(
            {
                "customer": customer,
                "section": "profit",
                "status": "ok" if reason is None else "not_computed",
                "reason": reason,
                "detail": None,
            }
        )
    return out


def _months(ids: list[str], days: pd.DataFrame | None, as_of: int) -> pd.DataFrame:
    """Revenue, profit and orders per calendar month, the 24 months up to the as-of date."""
    from kamtool.analyses.rules import period_label, period_of_days

    end = int(period_of_days([as_of - 1], "month")[0])
    ordinals = np.arange(end - MONTHS + 1, end + 1, dtype=np.int64)
    grid = pd.DataFrame({"customer": np.repeat(ids, len(ordinals)), "ordinal": np.tile(ordinals, len(ids))})
    before = _before(days, as_of)
    if before is None or before.empty:
        grid["revenue"], grid["profit"], grid["orders"] = 0.0, float("nan"), 0
    else:
        own = before[before["customer"].astype(str).isin(ids)].copy()
        own["customer"] = own["customer"].astype(str)
        own["ordinal"] = period_of_days(own["day"].to_numpy(), "month")
        own["cents"] = np.rint(own["revenue"].to_numpy(dtype="float64") * 100).astype(np.int64)
        sums: dict[str, tuple[str, Any]] = {"cents": ("cents", "sum")}
        if "orders" in own:
            sums["orders"] = ("orders", "sum")
        if "profit" in own:
            # a month with a line of unknown cost has no known profit
            sums["profit"] = ("profit", lambda s: s.sum() if not s.isna().any() else float("nan"))
        per = own.groupby(["customer", "ordinal"], observed=True).agg(**sums).reset_index()
        grid = grid.merge(per, on=["customer", "ordinal"], how="left")
        grid["revenue"] = grid.pop("cents").fillna(0).astype(np.int64) / 100
        if "profit" not in grid:
            grid["profit"] = float("nan")
        grid["orders"] = grid["orders"].fillna(0).astype(np.int64) if "orders" in grid else 0
    grid.insert(1, "month", [period_label(int(p), "month") for p in grid.pop("ordinal")])
    return grid[["customer", "month", "revenue", "profit", "orders"]]


def _top(ids: list[str], lines: pd.DataFrame | None, column: str, as_of: int, top: int) -> pd.DataFrame:
    """The ``top`` products (or brands) by the customer's revenue, largest first (ties by
    name), with their share of the customer's revenue."""
    empty = pd.DataFrame(columns=["customer", "rank", column, "revenue", "share"])
    if lines is None or column not in lines.columns:
        return empty
    before = _before(lines, as_of)
    assert before is not None
    own = before[before["customer"].astype(str).isin(ids) & before[column].notna()].copy()
    if own.empty:
        return empty
    own["customer"] = own["customer"].astype(str)
    own[column] = own[column].astype(str)
    own["cents"] = np.rint(own["revenue"].to_numpy(dtype="float64") * 100).astype(np.int64)
    per = own.groupby(["customer", column], observed=True)["cents"].sum().reset_index()
    total = per.groupby("customer")["cents"].transform("sum")
    per["share"] = (per["cents"] / total).where(total > 0)
    per = per.sort_values(["customer", "cents", column], ascending=[True, False, True], kind="stable")
    per["rank"] = per.groupby("customer").cumcount() + 1
    per = per[per["rank"] <= top]
    order = {c: i for i, c in enumerate(ids)}
    per = per.sort_values(
        ["customer", "rank"], key=lambda s: s.map(order) if s.name == "customer" else s, kind="stable"
    )
    per["revenue"] = per.pop("cents") / 100
    return per[["customer", "rank", column, "revenue", "share"]].reset_index(drop=True)


def key_accounts(tiers: Result) -> list[str]:
    """The key tier's customers, highest score first (ties by id), for ``--all``."""
    rows = tiers.rows[tiers.rows["tier"] == "key"]
    rows = rows.assign(customer=rows["customer"].astype(str))
    return list(rows.sort_values(["score", "customer"], ascending=[False, True], kind="stable")["customer"])
