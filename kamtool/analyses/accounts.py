"""The accounts file (客户资料) checked against the orders: one row per customer.

Input: a frame already in canonical column names (io maps the headers): ``customer`` and
any of ``strategic_value``, ``elasticity``, ``owner``, ``segment``, ``industry``,
``credit_limit``, ``payment_terms``, ``status``, ``churn_reason``; other columns pass
through untouched.

Rules:

- ``strategic_value`` is read on one scale for the whole file: 1–5 when every value given
  lies in [1, 5] (then normalised to 0–100 as (v − 1) × 25), else 0–100 when every value
  lies in [0, 100] (kept); ``params.strategic_scale`` says which was seen.  A value outside
  both, or not a number, is a DataError naming the row and column.
- ``elasticity`` and ``credit_limit`` must be numbers (credit limit ≥ 0) where given.
- Text fields are stripped; an empty text is missing.
- Duplicate customer ids are reported in the ``duplicates`` table (every row of a duplicated
  id, with its row number) and counted; the first row of each id is the one analyses use
  (``params.duplicate_rule``).  Nothing is dropped without being listed.
- Customers in the accounts with no order line are prospects: ``prospect`` is True, and
  the ``prospects`` table lists them (they are unknown to the orders; the lead decides the
  wording).  Customers in the orders without an account are counted.

Row numbers are 1-based positions among the data rows of the frame as given.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from kamtool.errors import ColumnError, DataError
from kamtool.result import Result

NUMERIC = ("strategic_value", "elasticity", "credit_limit")
TEXT = ("owner", "segment", "industry", "payment_terms", "status", "churn_reason")
DUPLICATE_RULE = "the first row of a duplicated customer id is used; every row of it is listed"
SCALES = ("1-5", "0-100")


def _numbers(frame: pd.DataFrame, column: str, what: str) -> pd.Series:
    raw = frame[column]
    text = raw.astype("string").str.strip()
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    bad = values.isna() & text.notna() & (text != "")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        raise DataError.said("error.accounts.accounts_row_column_not", row=row, column=column,
                             iloc=raw.iloc[row - 1], what=what)
    return values.astype(np.float64)


def strategic_scale(values: pd.Series) -> tuple[pd.Series, str | None]:
    """Strategic values on 0–100 and the scale seen (None when no value is given)."""
    known = values.dropna()
    if known.empty:
        return values, None
    if known.between(1, 5).all():
        return (values - 1) * 25, "1-5"
    if known.between(0, 100).all():
        return values, "0-100"
    outside = ~values.between(0, 100) & values.notna()
    row = int(np.flatnonzero(outside.to_numpy())[0]) + 1
    raise DataError.said("error.accounts.accounts_row_column_strategic", row=row, iloc=values.iloc[row - 1])


def _clean(accounts: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    if "customer" not in accounts.columns:
        raise ColumnError.said("error.accounts.accounts_file_has_no")
    frame = accounts.reset_index(drop=True).copy()
    ids = frame["customer"].astype("string").str.strip()
    if ids.isna().any() or (ids == "").any():
        row = int(np.flatnonzero((ids.isna() | (ids == "")).to_numpy())[0]) + 1
        raise DataError.said("error.accounts.accounts_row_column_customer", row=row)
    frame["customer"] = ids.astype(str)
    scale = None
    if "strategic_value" in frame.columns:
        frame["strategic_value"], scale = strategic_scale(
            _numbers(frame, "strategic_value", "strategic value")
        )
    if "elasticity" in frame.columns:
        frame["elasticity"] = _numbers(frame, "elasticity", "a sales elasticity rating")
    if "credit_limit" in frame.columns:
        frame["credit_limit"] = _numbers(frame, "credit_limit", "a credit limit")
        negative = frame["credit_limit"] < 0
        if negative.any():
            row = int(np.flatnonzero(negative.to_numpy())[0]) + 1
            raise DataError.said("error.accounts.accounts_row_column_credit", row=row)
    for column in TEXT:
        if column in frame.columns:
            text = frame[column].astype("string").str.strip()
            frame[column] = pd.Series(
                [None if pd.isna(v) or v == "" else str(v) for v in text], index=frame.index, dtype=object
            )
    return frame, scale


def validate(accounts: pd.DataFrame, order_customers: Collection[Any]) -> Result:
    """The accounts, one row per customer, with duplicates and prospects reported.

    Parameters
    ----------
    accounts : frame in canonical columns (see the module).
    order_customers : the customer ids found in the orders (any iterable; compared as text).
    """
    frame, scale = _clean(accounts)
    frame.insert(0, "row", np.arange(1, len(frame) + 1, dtype=np.int64))
    duplicated = frame["customer"].duplicated(keep=False)
    duplicates = frame[duplicated].sort_values(["customer", "row"], kind="stable").reset_index(drop=True)
    rows = frame.drop_duplicates("customer", keep="first").reset_index(drop=True)
    known = {str(c) for c in order_customers}
    rows["prospect"] = ~rows["customer"].isin(known)
    prospects = rows.loc[rows["prospect"], ["row", "customer"]].reset_index(drop=True)
    summary = {
        "accounts": len(rows),
        "rows": len(frame),
        "duplicate_ids": int(duplicates["customer"].nunique()),
        "duplicate_rows": int(len(duplicates) - duplicates["customer"].nunique()),
        "prospects": len(prospects),
        "orders_without_account": len(known - set(rows["customer"])),
    }
    params = {
        "strategic_scale": scale,
        "strategic_normalised_to": "0-100",
        "duplicate_rule": DUPLICATE_RULE,
        "columns": [c for c in rows.columns if c not in ("row", "prospect")],
    }
    return Result(
        command="accounts",
        params=params,
        summary=summary,
        rows=rows,
        tables={"duplicates": duplicates, "prospects": prospects},
        kinds={
            "strategic_value": "number",
            "elasticity": "number",
            "credit_limit": "money",
            "row": "count",
            "prospect": "bool",
        },
    )


def attach_checks(result: Result, checked: Result) -> Result:
    """``result`` with what the accounts check found, for scripts as well as people.

    Adds the tables ``account_duplicates`` (every row of a duplicated id) and
    ``account_unknown`` (accounts whose customer has no order line: the prospects), each only
    when it has a row, and the summary counts ``account_duplicate_ids`` and ``account_unknown``;
    ``params.account_strategic_scale`` and ``params.account_duplicate_rule`` say how the
    strategic values were read and which row of a duplicated id is used.  Nothing else changes.
    """
    duplicates = checked.tables["duplicates"]
    unknown = checked.tables["prospects"]
    tables = dict(result.tables)
    # Empty tables are left out (the counts say none); the summary always has both counts.
    if len(duplicates):
        tables["account_duplicates"] = duplicates[["row", "customer"]].reset_index(drop=True)
    if len(unknown):
        tables["account_unknown"] = unknown[["row", "customer"]].reset_index(drop=True)
    summary = {
        **result.summary,
        "account_duplicate_ids": int(checked.summary["duplicate_ids"]),
        "account_unknown": int(checked.summary["prospects"]),
    }
    params = {
        **result.params,
        "account_strategic_scale": checked.params["strategic_scale"],
        "account_duplicate_rule": checked.params["duplicate_rule"],
    }
    kinds = {**result.kinds, "account_duplicates.row": "count", "account_unknown.row": "count"}
    return replace(result, tables=tables, summary=summary, params=params, kinds=kinds)
