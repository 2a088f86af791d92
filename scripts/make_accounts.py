#!/usr/bin/env python
"""Generate kamtool's sample accounts file (客户资料) from the sample order export.

One row per customer of ``sample_data/orders.csv`` plus a few prospects, written to
``sample_data/accounts.csv`` with English headers ``customer_id, customer_name,
strategic_value, elasticity, owner, segment, industry, credit_limit, payment_terms,
status, churn_reason`` (kamtool's io maps them; Chinese headers 战略价值, 客户经理 … work too).
What the simulation puts in, so ``kamtool tiers``, ``stages``, ``churn`` and ``credit``
have something to find:

* ``strategic_value`` 1–5, rising with the customer's revenue rank plus noise (a few small
  accounts are rated strategic, a few big ones low), missing for some customers;
* ``elasticity`` a 1–5 rating of how much sales respond to the account team's effort;
* ``owner`` (客户经理): the salesperson who took most of the customer's orders, with a few
  accounts handed over to another salesperson of the team;
* ``segment`` (Enterprise / Mid-market / Small business by revenue) and an ``industry``;
* ``credit_limit`` and ``payment_terms`` (30/45/60 days) for most customers, set above the
  highest open balance each reaches in ``scripts/make_payments.py``'s simulation (same
  seed), except ONE large account (the one that simulation stops paying: the third-largest
  of the customers still buying in the last 30 days) whose limit is well below its open
  balance at the end of the data;
* ``status``: one lost customer ``黑名单`` (blacklisted), another ``停止供货`` (credit hold),
  a few ``正常`` (normal; not a reason to stop supplying), and ``冻结`` (account frozen) for a
  customer ``kamtool churn`` finds lost between the last two complete quarters;
* ``churn_reason`` given for two other customers lost between those quarters (so that
  ``kamtool churn``'s default comparison meets a recorded reason and a dropped account);
* 4 prospects: ids ``P0001``… that have no order.

The same arguments always give a byte-identical file::

    python scripts/make_accounts.py                       # sample_data/accounts.csv
    python scripts/make_accounts.py -o /tmp/accounts.csv --describe

A development script, not part of the kamtool package: it needs only numpy and pandas.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

import make_payments  # noqa: E402  (the sibling script: the same payment simulation)

ORDERS = REPO / "sample_data" / "orders.csv"
OUT = REPO / "sample_data" / "accounts.csv"
COLUMNS = ("customer_id", "customer_name", "strategic_value", "elasticity", "owner", "segment",
           "industry", "credit_limit", "payment_terms", "status", "churn_reason")
INDUSTRIES = ("Manufacturing", "Healthcare", "Education", "Logistics", "Retail", "Professional services",
              "Hospitality", "Public sector")
TERMS = (30, 45, 60)
TERM_SHARES = (0.6, 0.25, 0.15)
LOST_DAYS = 240  # a customer silent this long at the end of the data counts as lost here
FROZEN = "冻结"  # account frozen: a status churn types read as "we stopped"
REASONS = ("Moved to a competitor's framework contract", "Closed its local office")
PROSPECTS = (
    ("P0001", "Harborview Dental Group", 4, 3, "Alice Chen", "Mid-market", "Healthcare"),
    ("P0002", "Northgate Engineering Ltd", 5, 4, "Sofia Lindqvist", "Enterprise", "Manufacturing"),
    ("P0003", "Pinecrest Learning Centre", 2, 2, "Tom Becker", "Small business", "Education"),
    ("P0004", "Copperfield Hotels", 3, 3, "Hannah Weiss", "Mid-market", "Hospitality"),
)
PAYMENTS_SEED = 13  # make_payments.py's default seed: the balances credit will see


def customers(orders: pd.DataFrame) -> pd.DataFrame:
    """Per customer: name, main salesperson, revenue, last order date (sorted by id)."""
    orders = orders.sort_values(["customer_id", "order_date", "order_id"], kind="mergesort")
    main = (orders.groupby(["customer_id", "salesperson"]).size().rename("n").reset_index()
            .sort_values(["customer_id", "n", "salesperson"], ascending=[True, False, True], kind="mergesort")
            .drop_duplicates("customer_id").set_index("customer_id")["salesperson"])
    frame = orders.groupby("customer_id").agg(customer_name=("customer_name", "first"),
                                              revenue=("amount", "sum"), last=("order_date", "max"))
    frame["owner"] = main
    return frame.sort_index()


def peak_balances(orders_path: Path) -> tuple[pd.Series, pd.Series, str, str]:
    """Highest and final open balance per customer (currency units) in make_payments' simulation,
    the customer it stops paying and its debtor."""
    invoices = make_payments.read_invoices(orders_path)
    payments, parts = make_payments.simulate(invoices, PAYMENTS_SEED)
    events = pd.concat([
        pd.DataFrame({"customer": invoices["customer"], "day": invoices["date"], "cents": invoices["cents"]}),
        pd.DataFrame({"customer": [p.customer for p in payments], "day": [p.day for p in payments],
                      "cents": [-p.cents for p in payments]}),
    ], ignore_index=True)
    # Same-day payments after invoices: a balance peaks on the day's invoices.
    events["order"] = (events["cents"] < 0).astype(int)
    events = events.sort_values(["customer", "day", "order"], kind="mergesort")
    events["balance"] = events.groupby("customer")["cents"].cumsum()
    peak = events.groupby("customer")["balance"].max() / 100
    final = events.groupby("customer")["balance"].last() / 100
    return peak, final, parts["over_limit"], parts["debtor_id"]


def build(orders_path: Path, seed: int) -> tuple[pd.DataFrame, dict[str, str]]:
    rng = np.random.default_rng(seed)
    orders = pd.read_csv(orders_path, dtype={"order_id": str, "customer_id": str})
    frame = customers(orders)
    end = pd.Timestamp(orders["order_date"].max())
    n = len(frame)
    rank = frame["revenue"].rank(pct=True, method="first").to_numpy()
    strategic = np.clip(np.rint(1 + 4 * rank + rng.normal(0, 0.7, n)), 1, 5).astype(int)
    elasticity = rng.integers(1, 6, n)
    segment = np.where(rank > 0.8, "Enterprise", np.where(rank > 0.4, "Mid-market", "Small business"))
    industry = rng.choice(INDUSTRIES, n)
    team = sorted(frame["owner"].unique())
    owner = frame["owner"].to_numpy(dtype=object).copy()
    handed = rng.choice(n, size=12, replace=False)
    for i in handed:  # handed over to someone else of the team
        others = [p for p in team if p != owner[i]]
        owner[i] = others[int(rng.integers(len(others)))]
    peak, final, over_limit, debtor = peak_balances(orders_path)
    peak = peak.reindex(frame.index).fillna(0.0)
    # Limits in steps of 5,000 above 1.25 × the highest balance reached; never below 5,000.
    limit = np.array([max(5000.0, 5000.0 * math.ceil(1.25 * max(p, 0.0) / 5000.0)) for p in peak])
    terms = rng.choice(TERMS, n, p=TERM_SHARES).astype(object)
    no_credit = rng.random(n) < 0.12  # some accounts have no credit terms recorded
    strategic_missing = rng.random(n) < 0.06
    frame_ids = frame.index.to_numpy()
    over = int(np.flatnonzero(frame_ids == over_limit)[0])
    no_credit[over] = False
    # The one over its limit: well below what it owes at the end of the data.
    limit[over] = max(5000.0, 5000.0 * math.floor(0.4 * float(final[over_limit]) / 5000.0))
    status = np.full(n, "", dtype=object)
    reason = np.full(n, "", dtype=object)
    lost = frame.index[(frame["last"].map(pd.Timestamp) < end - pd.Timedelta(days=LOST_DAYS))
                       & (frame["revenue"] > 0)]
    lost_by_revenue = frame.loc[lost].sort_values(["revenue"], ascending=False, kind="mergesort").index
    blacklisted, held = [str(c) for c in lost_by_revenue[:2]]
    status[frame_ids == blacklisted] = "黑名单"
    status[frame_ids == held] = "停止供货"
    normal = rng.choice(np.flatnonzero(status == ""), size=5, replace=False)
    status[normal] = "正常"
    # after the draws above, so the other accounts stay as they were
    # the debtor of make_payments.py is dropped by its receivables: no status, no reason
    lately = [c for c in make_payments.lost_in_last_quarters(orders)
              if status[frame_ids == c][0] == "" and c != debtor]
    *recorded, frozen = lately[:3]
    for customer, text in zip(recorded, REASONS, strict=True):
        reason[frame_ids == customer] = text
    status[frame_ids == frozen] = FROZEN
    out = pd.DataFrame({
        "customer_id": frame_ids,
        "customer_name": frame["customer_name"].to_numpy(),
        "strategic_value": np.where(strategic_missing, "", strategic.astype(str)),
        "elasticity": elasticity.astype(str),
        "owner": owner,
        "segment": segment,
        "industry": industry,
        "credit_limit": np.where(no_credit, "", [f"{v:.0f}" for v in limit]),
        "payment_terms": np.where(no_credit, "", terms.astype(str)),
        "status": status,
        "churn_reason": reason,
    })
    prospects = pd.DataFrame([
        {"customer_id": p[0], "customer_name": p[1], "strategic_value": str(p[2]), "elasticity": str(p[3]),
         "owner": p[4], "segment": p[5], "industry": p[6], "credit_limit": "", "payment_terms": "",
         "status": "", "churn_reason": ""} for p in PROSPECTS])
    out = pd.concat([out, prospects], ignore_index=True)[list(COLUMNS)]
    parts = {"over_limit": f"{over_limit} (limit {limit[over]:,.0f}, owes {float(final[over_limit]):,.2f})",
             "blacklisted": blacklisted, "credit_hold": held, "frozen": frozen,
             "recorded_reasons": ", ".join(recorded),
             "prospects": ", ".join(p[0] for p in PROSPECTS),
             "handed_over": ", ".join(sorted(str(frame_ids[i]) for i in handed))}
    return out, parts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=Path, default=ORDERS, help="the order export (orders.csv)")
    parser.add_argument("-o", "--out", type=Path, default=OUT, help="where to write accounts.csv")
    parser.add_argument("--seed", type=int, default=29)
    parser.add_argument("--describe", action="store_true", help="print what the file holds")
    args = parser.parse_args(argv)
    frame, parts = build(args.orders, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out, index=False, lineterminator="\n", encoding="utf-8")
    if args.describe:
        print(f"{len(frame)} accounts -> {args.out}", file=sys.stderr)
        for key, value in parts.items():
            print(f"  {key}: {value}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
