"""The words of ``kamtool credit``: headline sentences and the rules as notes, en and zh.

The analysis (:mod:`kamtool.analyses.credit`) returns codes and numbers; the sentences are
written here from the templates in :mod:`kamtool.labels.credit`.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, Any

from kamtool.labels import has_label, label

if TYPE_CHECKING:
    from kamtool.result import Result

NONE = "–"
TOTAL = "total"  # the aging table's total row, a bucket code its label puts in words


def _money(value: Any) -> str:
    return NONE if value is None or not math.isfinite(float(value)) else f"{float(value):,.2f}"


def _share(value: Any) -> str:
    return NONE if value is None or not math.isfinite(float(value)) else f"{float(value) * 100:.1f} %"


def _days(value: Any) -> str:
    return NONE if value is None or not math.isfinite(float(value)) else f"{float(value):.1f}"


def _factor(value: Any) -> str:
    return f"{float(value):g}"


def bucket_caption(name: str, lang: str) -> str:
    """The caption of an aging bucket code, also for buckets set by --buckets."""
    key = f"credit.bucket.{name}"
    if has_label(key):
        return label(key, lang)
    if name == "not_due":
        return label("credit.not_due", lang)
    parts = name.split("_")
    if parts[:2] == ["overdue", "over"]:
        return label("credit.bucket.over", lang).format(days=parts[2])
    return label("credit.bucket.between", lang).format(low=parts[1], high=parts[2])


def headline(result: Result, lang: str) -> list[str]:
    s = result.summary
    lines = [label("credit.headline.receivables", lang).format(
        as_of=s["as_of"], receivables=_money(s["receivables"]), customers=s["customers"],
        overdue=_money(s["overdue"]), share=_share(s["overdue_share"]))]
    days = result.params["dso_days"]
    if math.isfinite(float(s["dso"])):
        lines.append(label("credit.headline.dso", lang).format(dso=_days(s["dso"]), days=days))
    else:
        lines.append(label("credit.headline.no_dso", lang).format(days=days))
    lines.append(label("credit.headline.limits", lang).format(over_limit=s["over_limit"],
                                                               worsening=s["worsening"]))
    grades = result.tables.get("grades")
    if grades is not None:
        # by position, not by the grade column: the grades table always lists A, B, C, D in
        # order, and the workbook's view has the codes in words (A级 …)
        counts = dict(zip("ABCD", grades["customers"], strict=True))
        lines.append(label("credit.headline.grades", lang).format(**{g: counts.get(g, 0) for g in "ABCD"}))
    if s["credit_balances"] < 0:
        amount = _money(s["credit_balances"])
        lines.append(label("credit.headline.credit_balances", lang).format(amount=amount))
    if s.get("key_account_share") is not None and result.params.get("key_share") is not None:
        lines.append(label("credit.headline.key_accounts_class_a", lang).format(
            share=_share(s["key_account_share"]), count=s["key_account_count"],
            cut=_share(result.params["key_share"]), months=result.params["history_months"]))
    elif s.get("key_account_share") is not None:
        lines.append(label("credit.headline.key_accounts", lang).format(share=_share(s["key_account_share"])))
    return lines


def notes(result: Result, lang: str) -> list[str]:
    p, s = result.params, result.summary
    factors = {g: _factor(v) for g, v in p["grade_factors"].items()}
    return [
        label("credit.note.as_of", lang).format(as_of=p["as_of"], lines=s["later_lines"],
                                                payments=s["later_payments"]),
        label("credit.note.due", lang).format(terms=p["terms"]),
        label("credit.note.application", lang).format(unmatched=s["unmatched_references"]),
        label("credit.note.credit_notes", lang),
        label("credit.note.credit_balance", lang),
        label("credit.note.measures", lang).format(months=p["trend_months"],
                                                   worsening=_factor(p["worsening_days"])),
        label("credit.note.grade", lang).format(**p["grade_rule"]),
        label("credit.note.formula", lang).format(months=p["history_months"], cap=_factor(p["cap"]),
                                                  **factors),
        label("credit.note.utilisation", lang),
    ]


def for_people(result: Result, lang: str) -> Result:
    """The aging table with a total row, as people read it (the console and the workbook;
    scripts read the buckets alone): the receivables, a share of 100 % (none when there are
    no receivables) and the customers with an amount in any bucket. ``context["total_rows"]``
    tells the workbook's charts to leave it out; applied twice it adds nothing more."""
    import pandas as pd

    aging = result.tables.get("aging")
    if aging is None or "bucket" not in aging or "aging" in result.context.get("total_rows", {}):
        return result
    names = [str(b) for b in aging["bucket"]]
    receivables = result.summary.get("receivables")
    shown = result.rows[[n for n in names if n in result.rows.columns]].to_numpy(dtype=float)
    total = pd.DataFrame({
        "bucket": [TOTAL],
        "amount": [receivables],
        "share": [1.0 if receivables is not None and float(receivables) > 0 else float("nan")],
        "customers": [int((shown != 0).any(axis=1).sum())],
    })
    context = {**result.context, "total_rows": {**result.context.get("total_rows", {}), "aging": 1}}
    tables = {**result.tables, "aging": pd.concat([aging, total[list(aging.columns)]], ignore_index=True)}
    return dataclasses.replace(result, tables=tables, context=context)
