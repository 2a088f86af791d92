"""The filters of a load (``--from``, ``--to``, ``--where``), defined once for every engine.

Each filter is one :class:`Rule`: a reason (the drop reason its lines are counted under), the
column it reads, and the one rule, written out twice from the same values: as a SQL condition
(the native engine, where DuckDB reads the file itself) and as an Arrow mask (the Arrow and
Dask engines, over the lines io cleaned).  A line is left out by the first filter it fails,
in a fixed order (the dates, then each ``--where`` as given), so the counts by filter add up
to the lines left out.

Lines a filter leaves out never reach an analysis, but they are still read and checked: in
the Arrow engine they are cleaned before the mask (a bad value on such a line is the same
error, or the same skipped row, as without the filter); the native engine groups them apart
(a ``_drop`` key: the number of the filter that left them out) and checks them with every
other line, so its proof of plainness still covers the whole file (see
:func:`kamtool.engine.native.load`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from kamtool.engine.duck import literal, quote
from kamtool.errors import ColumnError, DataError, Joined, Phrase, Said

if TYPE_CHECKING:
    import pyarrow as pa

    from kamtool.io.columns import Mapping
    from kamtool.io.request import Filters
    from kamtool.io.rules import BatchStats

# Drop reasons start so: io's own reasons never do (the command line tells them apart).
REASON = "filtered out: "
DATES = "--from/--to"
# The key of the native engine's groups of lines left out: 0 kept, n the n-th rule failed.
DROP_KEY = "_drop"


@dataclass(frozen=True)
class Rule:
    """One filter: lines whose ``column`` passes it are kept."""

    reason: str
    column: str
    values: tuple[str, ...] = ()  # --where: the texts kept
    first: Any = None  # --from / --to: the first and last order day kept (dates)
    last: Any = None

    def sql(self, ref: str) -> str:
        """The condition over the SQL value ``ref``; a NULL value fails it."""
        if self.values:
            cond = f"{ref} IN ({', '.join(literal(v) for v in self.values)})"
        else:
            parts = []
            if self.first is not None:
                parts.append(f"{ref} >= DATE '{self.first.isoformat()}'")
            if self.last is not None:
                parts.append(f"{ref} <= DATE '{self.last.isoformat()}'")
            cond = " AND ".join(parts)
        return f"coalesce({cond}, false)"

    def arrow(self, column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
        """The mask over the cleaned ``column``; a null value fails it."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if self.values:
            mask = pc.is_in(column, value_set=pa.array(self.values, pa.string()))
        else:
            mask = None
            if self.first is not None:
                mask = pc.greater_equal(column, pa.scalar(self.first, pa.date32()))
            if self.last is not None:
                upper = pc.less_equal(column, pa.scalar(self.last, pa.date32()))
                mask = upper if mask is None else pc.and_(mask, upper)
        return pc.fill_null(mask, False)


def rules(filters: Filters) -> list[Rule]:
    """The filters in the order a line is tested against them."""
    out = []
    if filters.dated:
        out.append(Rule(reason=REASON + DATES, column="date", first=filters.first, last=filters.last))
    for where in filters.where:
        out.append(Rule(reason=f"{REASON}--where {where.name}", column=where.column, values=where.values))
    return out


def reasons(filters: Filters) -> list[str]:
    return [r.reason for r in rules(filters)]


def is_filter_reason(reason: str) -> bool:
    return reason.startswith(REASON)


def read_columns(filters: Filters) -> set[str]:
    """The canonical columns the filters read (a load must read them too)."""
    return {t.column for t in rules(filters)}


def text_columns(filters: Filters) -> list[str]:
    """The --where columns, whose values the native engine must prove need no trimming."""
    return list(dict.fromkeys(w.column for w in filters.where))


def headers(filters: Filters, full: Mapping, source_headers: list[str], source: str) -> dict[str, str]:
    """canonical column -> header of every --where column in this file; a column the file
    lacks is a ColumnError naming the option and the file's columns."""
    from kamtool.io.columns import normalise

    found: dict[str, str] = {}
    shown = ", ".join(map(str, source_headers))
    by_norm = {normalise(h): h for h in source_headers}
    for where in filters.where:
        if where.label is not None:
            header = where.label if where.label in source_headers else by_norm.get(normalise(where.label))
            if header is None:
                raise ColumnError.said("error.filters.where_no_such_column", source=source, label=where.label,
                                       shown=shown)
            found[where.column] = header
        elif where.column in full.columns:
            found[where.column] = full.columns[where.column]
        else:
            raise ColumnError.said("error.filters.where_file_has_no", source=source, column=where.column,
                                   shown=shown)
    return found


# ----------------------------------------------------------------- the Arrow and Dask engines


def apply(lines: pa.Table, filters: Filters, stats: BatchStats) -> pa.Table:
    """The cleaned ``lines`` the filters keep; those left out counted in ``stats.dropped``
    under the first filter they fail."""
    import pyarrow.compute as pc

    keep = None
    for rule in rules(filters):
        if rule.values:
            note_values(lines[rule.column], rule, stats)
        passed = rule.arrow(lines[rule.column])
        failed = pc.invert(passed) if keep is None else pc.and_(keep, pc.invert(passed))
        count = int(pc.sum(failed).as_py() or 0)
        if count:
            stats.dropped[rule.reason] += count
        keep = passed if keep is None else pc.and_(keep, passed)
    if keep is None or pc.all(keep).as_py():
        return lines
    return lines.filter(keep)


def note_values(column: pa.ChunkedArray | pa.Array, rule: Rule, stats: BatchStats) -> None:
    """Which of ``rule``'s values the cleaned ``column`` holds, and its smallest values, into
    ``stats`` (for :func:`unmatched`)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from kamtool.io.rules import smallest

    distinct = pc.drop_null(pc.unique(column))
    wanted = pa.array(rule.values, pa.string())
    held = wanted.filter(pc.is_in(wanted, value_set=distinct.cast(pa.string())))
    stats.found.setdefault(rule.column, set()).update(held.to_pylist())
    if len(distinct):
        # The smallest few, without turning a column of a million customer ids into Python text.
        ordered = pc.take(distinct, pc.sort_indices(distinct)[:FIRST_VALUES_KEPT])
        first = [*stats.first_values.get(rule.column, []), *ordered.to_pylist()]
        stats.first_values[rule.column] = smallest([str(v) for v in first])


# pyarrow and DuckDB sort text by its bytes, as :func:`kamtool.io.rules.smallest` does.
FIRST_VALUES_KEPT = 6


@dataclass(frozen=True)
class Unmatched:
    """A ``--where`` whose values match no line of the files: the option as given (``name``: the
    column as the user named it), the values no line holds, and the column's smallest values
    (``more``: it has others besides)."""

    name: str
    column: str
    given: tuple[str, ...]
    missing: tuple[str, ...]
    first_values: tuple[str, ...]
    more: bool


def unmatched(filters: Filters | None, stats: list[BatchStats]) -> list[Unmatched]:
    """Every ``--where`` value no line of the files holds (after the cleaning), by filter."""
    from kamtool.io.rules import FIRST_VALUES, smallest

    if not filters or not filters.where:
        return []
    found: set[tuple[str, str]] = set()
    first: dict[str, list[str]] = {}
    for part in stats:
        found.update((column, value) for column, values in part.found.items() for value in values)
        for column, values in part.first_values.items():
            first[column] = smallest([*first.get(column, []), *values])
    out = []
    for where in filters.where:
        missing = tuple(v for v in where.values if (where.column, v) not in found)
        if missing:
            values = first.get(where.column, [])
            out.append(Unmatched(name=where.name, column=where.column, given=where.values, missing=missing,
                                 first_values=tuple(values[:FIRST_VALUES]), more=len(values) > FIRST_VALUES))
    return out


# ----------------------------------------------------------------------- the native engine


def drop_sql(filters: Filters) -> str:
    """SQL over the native engine's typed lines: 0 for a line every filter keeps, else the
    number of the first filter it fails (1-based, in :func:`rules` order)."""
    arms = " ".join(f"WHEN NOT {t.sql(quote(t.column))} THEN {i}" for i, t in enumerate(rules(filters), 1))
    return f"(CASE {arms} ELSE 0 END)::INTEGER"


# Values of one --where column per presence mask (bits 0 … 62 of a BIGINT).
_MASK_BITS = 63


def _masks(filters: Filters) -> Iterator[tuple[str, str, list[str]]]:
    """(mask column, canonical column, its values) of the presence masks of the --where values."""
    by_column: dict[str, list[str]] = {}
    for where in filters.where:
        by_column.setdefault(where.column, [])
        by_column[where.column] += [v for v in where.values if v not in by_column[where.column]]
    for n, (column, values) in enumerate(by_column.items()):
        for k in range(0, len(values), _MASK_BITS):
            yield f"_seen{n}_{k // _MASK_BITS}", column, values[k:k + _MASK_BITS]


def seen_measures(filters: Filters) -> list[tuple[str, str, str]]:
    """The native query's measures that say which --where values some line holds: (column,
    aggregate over lines, aggregate merging groups), one bit per value."""
    return [(name, f"bit_or({bits})::BIGINT", f"bit_or({quote(name)})::BIGINT")
            for name, bits in _seen_bits(filters)]


def seen_on_line(filters: Filters) -> list[tuple[str, str]]:
    """:func:`seen_measures` on a table of lines: (column, its value on one line)."""
    return [(name, f"({bits})::BIGINT") for name, bits in _seen_bits(filters)]


def _seen_bits(filters: Filters) -> Iterator[tuple[str, str]]:
    for name, column, values in _masks(filters):
        arms = " ".join(f"WHEN {literal(v)} THEN {1 << i}" for i, v in enumerate(values))
        yield name, f"CASE {quote(column)} {arms} ELSE 0 END"


def native_found(tables: list[pa.Table], filters: Filters) -> dict[str, set[str]]:
    """Per --where column, the values some line holds, from the native result's masks."""
    import pyarrow.compute as pc

    found: dict[str, set[str]] = {}
    for name, column, values in _masks(filters):
        if any(name not in table.column_names for table in tables):
            found.setdefault(column, set()).update(values)  # not asked for: never warned of
            continue
        mask = 0
        for table in tables:
            for part in pc.unique(table[name]).to_pylist():  # a few distinct masks, however many groups
                mask |= part or 0
        found.setdefault(column, set()).update(v for i, v in enumerate(values) if mask >> i & 1)
    return found


def split_native(table: pa.Table) -> tuple[pa.Table, pa.Table | None]:
    """The native result's groups of kept lines, and those of lines left out (None if none)."""
    import pyarrow.compute as pc

    if DROP_KEY not in table.column_names:
        return table, None
    kept = pc.equal(table[DROP_KEY], 0)
    if pc.all(kept).as_py():
        return table, None
    return table.filter(kept), table.filter(pc.invert(kept))


def native_counts(removed: pa.Table, filters: Filters) -> Iterator[tuple[str, int]]:
    """(reason, lines) of the groups of lines left out, by the filter that left them out."""
    import pyarrow.compute as pc

    for i, rule in enumerate(rules(filters), 1):
        lines = pc.sum(pc.if_else(pc.equal(removed[DROP_KEY], i), removed["lines"], 0)).as_py()
        if lines:
            yield rule.reason, int(lines)


def nothing_left(names: str, dropped: dict[str, int], filters: Filters,
                 missing: list[Unmatched] | None = None) -> DataError:
    """The error when the filters left no order line; ``missing``: the --where values no line
    holds, each named with the column's first values (the warning's sentence)."""
    from kamtool.render.words.filters import no_line_has

    left_out = [Phrase("phrase.counted", {"count": f"{count:,}", "reason": reason[len(REASON):]})
                for reason, count in dropped.items() if is_filter_reason(reason)]
    other = ", ".join(f"{count:,} {reason}" for reason, count in dropped.items()
                      if not is_filter_reason(reason))
    described = []
    if filters.dated:
        described.append(" ".join(x for x in (
            f"--from {filters.first.isoformat()}" if filters.first else "",
            f"--to {filters.last.isoformat()}" if filters.last else "") if x))
    described += [f"--where {w.name}={','.join(w.values)}" for w in filters.where]
    gone = [Phrase("phrase.filters.no_line_has", {"no_line": Said(partial(no_line_has, g))})
            for g in missing or ()]
    besides = Phrase("phrase.filters.besides", {"reasons": other}) if other else ""
    return DataError.said("error.filters.nothing_left", names=names, filters=" ".join(described),
                          left_out=left_out, besides=besides, missing=Joined(gone))
