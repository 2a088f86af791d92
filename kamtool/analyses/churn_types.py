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
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from kamtool.analyses import rules
from kamtool.errors import ColumnError
from kamtool.result import Result

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
    frame = lines.assign(customer=lines["customer"].astype(str))
    start = pd.to_numeric(frame["start_revenue"]).fillna(0) > 0
    end = pd.to_numeric(frame["end_revenue"]).fillna(0) > 0
    kept = frame[start & end]["customer"]
    stopped = frame[start & ~end]["customer"]
    return set(kept) & set(stopped)


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
    rivals = who.isin(_share_fell(brand_shares, share_drop) | _line_stopped(lines)).to_numpy()
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
    frame["key_account"] = who.isin(keys).to_numpy()
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
