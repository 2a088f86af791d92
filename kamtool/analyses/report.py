"""`kamtool report`: the Overview a manager reads first, from the analyses' own Results.

Nothing is computed twice: every figure of the Overview is a figure of one analysis' Result
(the pareto Result's Gini, the churn Result's net revenue retention …), picked by
:data:`KPIS`; the analyses themselves run in :mod:`kamtool.cli.commands.report`, each on its
roll-up of the one load (:mod:`kamtool.engine.many`).  "Last period" is the same figures as
of one period earlier: every analysis behind the Overview run again as of that day, on the
orders dated before it.

Like every analysis this returns codes and numbers (:class:`kamtool.result.Result`); the
words are in :mod:`kamtool.render.words.report`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kamtool.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd

    from kamtool.ledger import Ledger
    from kamtool.result import Result
else:
    pd = lazy_module("pandas")

# The analyses of the report, in the order of their sheets.
ANALYSES: tuple[str, ...] = ("pareto", "abc", "rfm", "loyalty", "tiers", "stages", "churn", "clv", "credit")
# Overview figure -> (analysis, its summary key, kind). Kinds as in kamtool.render.formats.
KPIS: dict[str, tuple[str, str, str]] = {
    "customers": ("pareto", "entities", "count"),
    "revenue": ("pareto", "net_total", "money"),
    "top20_share": ("pareto", "top20_share", "share"),
    "gini": ("pareto", "gini", "number"),
    "key_accounts": ("abc", "class_a_entities", "count"),
    "key_account_share": ("abc", "class_a_value_share", "share"),
    "churn_rate": ("churn", "churn_rate", "share"),
    "net_revenue_retention": ("churn", "net_revenue_retention", "share"),
    "at_risk_customers": ("churn", "at_risk_customers", "count"),
    "receivables_overdue": ("credit", "overdue", "money"),
}
# The analyses the Overview reads, run again for last period.
OVERVIEW_ANALYSES: tuple[str, ...] = tuple(dict.fromkeys(a for a, _k, _t in KPIS.values()))
# The period "last period" steps back by: the churn comparison's default period.
PERIOD = "quarter"
PERIOD_MONTHS = 3


@dataclass
class Skipped:
    """An analysis the report could not run: a code the words explain, and the detail."""

    code: str  # "no_brand" … see kamtool.labels.report ("report.skip.{code}")
    detail: str = ""


@dataclass
class Report:
    """Everything one report holds: the Overview, each analysis' Result or why it is missing,
    the notes a sheet carries beside its Result (an input it ran without), and the load."""

    overview: Result
    results: dict[str, Result | Skipped]
    sheet_notes: dict[str, list[str]] = field(default_factory=dict)
    quality: Result | None = None
    definitions: Result | None = None


def previous_as_of(as_of: Any) -> Any:
    """The as-of date of last period: one period (a quarter) earlier, the same day of month
    (the last day of a shorter month when it has none)."""
    return (pd.Timestamp(as_of) - pd.DateOffset(months=PERIOD_MONTHS)).normalize()


def figure(result: Result | Skipped | None, key: str) -> Any:
    """A summary figure of a result, None when the result is missing or lacks it."""
    from kamtool.result import Result

    if not isinstance(result, Result):
        return None
    value = result.summary.get(key)
    try:
        if value is None or pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    return value


def overview(now: Mapping[str, Result | Skipped], before: Mapping[str, Result | Skipped], *,
             as_of: Any, last_as_of: Any) -> Result:
    """The Overview: each KPI, its value last period and the change, as codes and numbers.

    rows: ``kpi`` (a code of :data:`KPIS`), ``analysis``, ``value``, ``previous``, ``change``
    (value − previous; None when either is missing). The summary holds the values by KPI, so
    a script reads ``summary.churn_rate``; ``previous`` the values of last period.
    """
    from kamtool.result import Result

    records = []
    for kpi, (analysis, key, _kind) in KPIS.items():
        value, previous = figure(now.get(analysis), key), figure(before.get(analysis), key)
        change = value - previous if value is not None and previous is not None else None
        records.append({"kpi": kpi, "analysis": analysis, "value": value, "previous": previous,
                        "change": change})
    rows = pd.DataFrame.from_records(records, columns=["kpi", "analysis", "value", "previous", "change"])
    summary: dict[str, Any] = {r["kpi"]: r["value"] for r in records}
    summary["previous"] = {r["kpi"]: r["previous"] for r in records}
    kinds = {kpi: kind for kpi, (_a, _k, kind) in KPIS.items()}
    params = {"as_of": _iso(as_of), "previous_as_of": _iso(last_as_of), "period": PERIOD,
              "previous_rule": "same_figures_one_period_earlier",
              "analyses": {name: ("ok" if isinstance(r, Result) else r.code) for name, r in now.items()}}
    return Result(command="report", params=params, summary=summary, rows=rows, kinds=kinds)


def _iso(day: Any) -> str | None:
    if day is None:
        return None
    return str(pd.Timestamp(day).date())


def data_quality(ledger: Ledger, second: Mapping[str, Any]) -> Result:
    """Files, their column mapping, rows read and dropped by reason, the engine and why.

    ``second``: the --accounts / --payments reports (:class:`kamtool.io.tables.TableReport`)
    by kind. rows: one row per file and fact: ``file``, ``kind`` (orders, accounts,
    payments), ``item`` (a code: format, encoding, column.<canonical>, unused, rows_read,
    dropped.<reason>, rows_kept, engine, engine_reason), ``value``.
    """
    from kamtool.result import Result

    records: list[dict[str, Any]] = []

    def add(file: str, kind: str, item: str, value: Any) -> None:
        if value is not None and value != "":
            records.append({"file": file, "kind": kind, "item": item, "value": value})

    for info in ledger.sources:
        _describe(add, info.name, "orders", info, info.stats.rows, dict(info.stats.dropped))
    add("", "orders", "engine", ledger.engine)
    add("", "orders", "engine_reason", ledger.engine_reason)
    add("", "orders", "orders_basis", ledger.orders_basis)
    for kind, report in second.items():
        _describe(add, report.name, kind, report, report.rows, dict(report.dropped))
    rows = pd.DataFrame.from_records(records, columns=["file", "kind", "item", "value"])
    totals = ledger.totals()
    stats = ledger.stats()
    summary = {"files": len(ledger.sources), "rows_read": stats.rows,
               "rows_dropped": sum(stats.dropped.values()), "lines": totals["lines"],
               "engine": ledger.engine}
    return Result(command="report", params={}, summary=summary, rows=rows)


def _describe(add: Any, name: str, kind: str, info: Any, read: int, dropped: dict[str, int]) -> None:
    """One file's facts: its format, how it was read, its mapping, its rows and drops."""
    add(name, kind, "format", info.format)
    add(name, kind, "encoding", info.encoding)
    add(name, kind, "delimiter", {"\t": "tab"}.get(info.delimiter or "", info.delimiter))
    add(name, kind, "sheet", info.sheet)
    add(name, kind, "header_row", info.header_row)
    for canonical, header in info.mapping.items():
        add(name, kind, f"column.{canonical}", header)
    add(name, kind, "unused", ", ".join(info.unused))
    add(name, kind, "rows_read", read)
    for reason, count in sorted(dropped.items()):
        add(name, kind, f"dropped.{reason}", count)
    add(name, kind, "rows_kept", read - sum(dropped.values()))


def owner_table(owners: pd.DataFrame, accounts: pd.DataFrame | None, dimension: str) -> pd.DataFrame:
    """Each customer's owner for a split: the accounts file's owner where it names one and the
    split is by salesperson; else the value with most of the customer's revenue
    (:func:`kamtool.engine.many.owners`). Columns ``customer``, ``owner``, ``owner_rule``
    (``accounts_owner`` or ``most_revenue``)."""
    frame = owners[["customer", "owner"]].copy()
    frame["owner_rule"] = "most_revenue"
    if accounts is None or dimension != "salesperson" or "owner" not in accounts:
        return frame
    given = accounts.dropna(subset=["owner"]).drop_duplicates("customer").set_index("customer")["owner"]
    given = given.astype(str).str.strip()
    given = given[given != ""]
    known = frame["customer"].isin(given.index)
    frame.loc[known, "owner"] = frame.loc[known, "customer"].map(given)
    frame.loc[known, "owner_rule"] = "accounts_owner"
    return frame
