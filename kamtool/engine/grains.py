"""An analysis' grains (:class:`kamtool.needs.Grain`) from a table at every key of its request.

The native engine builds the grains from its own reading of the lines
(:func:`kamtool.engine.native.grain_sql`).  The Arrow and Dask engines, and ``kamtool report``'s
views of its fine ledger, hand a table at the request's keys (the analysis' keys refined by
every optional column); here DuckDB sums it up to the analysis' own keys and to each grain, so
that every engine leaves the same ledger: the main table at the analysis' keys, the grains
beside it.  Sums of integer cents are exact at any level, so the tables equal the native ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from kamtool.engine.duck import query, quote
from kamtool.needs import Grain

if TYPE_CHECKING:
    import pyarrow as pa

# Figures of the table that do not add up (distinct counts): a request with them keeps its table.
_DISTINCT = ("orders", "active_days")


def applies(grains: Sequence[Grain], base: Sequence[str], figures: Sequence[str],
            measures: Sequence[str] | None) -> bool:
    """Whether a load builds its main table at ``base`` with the grains beside it: there are
    grains, the base keys are read from the lines (dates, not months), and every figure adds up."""
    from kamtool.engine.duck import FIRST_PURCHASE

    return (bool(grains) and bool(base) and "month" not in base and measures is not None
            and not any(f in figures for f in (*_DISTINCT, FIRST_PURCHASE)))


def month_sql(months: int) -> str:
    """SQL: the month ordinal of ``"date"`` (as :func:`kamtool.ledger.month_of` numbers it), rolled
    down to the first month of its period of ``months`` months (a floor, before 1970 too)."""
    month = '((year("date") - 1970) * 12 + month("date") - 1)'
    if months == 1:
        return f"{month}::BIGINT"
    return f"({month} - ((({month}) % {months}) + {months}) % {months})::BIGINT"


def tries(grain: Grain, keys: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The keys to build ``grain`` with, in order: its keys, or for a ``first`` grain one split
    key after another (the first that holds a value is kept)."""
    if not grain.first:
        return [keys]
    return [tuple(k for k in keys if k not in grain.split or k == key) for key in grain.split if key in keys]


def holds_value(grain: Grain, keys: Sequence[str], table: pa.Table) -> bool:
    """Whether the table built with ``keys`` is the one to keep (see :func:`tries`)."""
    split = [k for k in keys if k in grain.split]
    return not grain.first or bool(split and table[split[0]].null_count < table.num_rows)


def cut_holds(grain: Grain, keys: Sequence[str], table: pa.Table) -> bool:
    """Whether ``grain``'s table cut to the months it is read in (:attr:`Grain.read`, built with
    ``keys``) is the one to keep: each of its split keys holds a value in the window (else a cut
    would change the dimensions the analysis reads, and the grain is built whole, as
    :meth:`kamtool.ledger.Ledger.keep_months` leaves it)."""
    return all(table[k].null_count < table.num_rows for k in keys if k in grain.split)


def _aggregate(name: str, kind: Any) -> str:
    if name == "first_date":
        return 'min("first_date") AS "first_date"'
    if name == "last_date":
        return 'max("last_date") AS "last_date"'
    sql_type = "DOUBLE" if str(kind) == "double" else "BIGINT"
    return f"sum({quote(name)})::{sql_type} AS {quote(name)}"


def from_fine(table: pa.Table, keys: Sequence[str], base: Sequence[str], grains: Sequence[Grain],
              present: set[str]) -> tuple[pa.Table, dict[str, pa.Table | None]]:
    """(the main table at ``base``, each grain's table or None) from ``table`` at ``keys``."""
    measures = [f for f in table.schema if f.name not in keys]
    group = ", ".join(quote(k) for k in base)
    sums = ", ".join(_aggregate(f.name, f.type) for f in measures)
    main = query(f"SELECT {group}, {sums} FROM fine GROUP BY {group} ORDER BY {group}", fine=table)
    main = main.cast(table.select([*base, *(f.name for f in measures)]).schema)

    def built(grain: Grain, tried: tuple[str, ...], _months: tuple[int, int] | None) -> pa.Table:  # (whole)
        source = f"(SELECT *, {month_sql(grain.months)} AS month FROM fine)" if "month" in tried else "fine"
        cols = ", ".join(quote(k) for k in tried)
        kept = [f for f in measures if f.name in grain.sums]
        return query(f"SELECT {cols}, {', '.join(_aggregate(f.name, f.type) for f in kept)} FROM {source} "
                     f"GROUP BY {cols} ORDER BY {cols}", fine=table)

    return main, first_held(grains, present, built)


def first_held(grains: Sequence[Grain], present: set[str],
               built: Callable[[Grain, tuple[str, ...], tuple[int, int] | None], pa.Table],
               last_day: int | None = None) -> dict[str, pa.Table | None]:
    """Each grain's table (None for a grain the file's columns do not allow): ``built(grain,
    keys, months)`` for each of its keys in turn (:func:`tries`), the first that holds a value.

    ``last_day``: the main table's last order day (days since 1970), from which a grain's
    :attr:`Grain.read` gives the months (first, last ordinal) ``built`` cuts it to; where the cut
    empties a split key (:func:`cut_holds`) the grain is built whole (``months`` None), as
    :meth:`kamtool.ledger.Ledger.keep_months` leaves it.  Without a day, or a ``read``: whole."""
    tables: dict[str, pa.Table | None] = {}
    for grain in grains:
        tables[grain.name] = None
        wanted = grain.wanted(present)
        if wanted is None:
            continue
        months = window(grain, last_day)
        for tried in tries(grain, wanted):
            result = built(grain, tried, months)
            if months is not None and not cut_holds(grain, tried, result):
                result = built(grain, tried, None)
            if holds_value(grain, tried, result):
                tables[grain.name] = result
                break
    return tables


def window(grain: Grain, last_day: int | None) -> tuple[int, int] | None:
    """The months a grain is cut to (:attr:`Grain.read`; None: every month, also for a main table
    without a day)."""
    return None if grain.read is None or last_day is None else grain.read(last_day + 1)


def in_months(months: tuple[int, int]) -> str:
    """SQL: the row's ``month`` is one of the months (first, last ordinal) of :func:`window`."""
    return f"month BETWEEN {int(months[0])} AND {int(months[1])}"


def last_day(table: pa.Table) -> int | None:
    """The last order day of a main table with a date key (days since 1970), else None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if "date" not in table.column_names or not table.num_rows:
        return None
    latest = pc.max(table["date"].cast(pa.int32())).as_py()
    return None if latest is None else int(latest)
