"""The native path: DuckDB reads a plain file itself, in parallel, and checks it as it goes.

Most large order files come out of a system, not a spreadsheet: ISO dates, plain numbers,
no totals lines.  For such a file the Arrow cleaning of :mod:`kamtool.io.clean` changes
nothing, and it runs in one thread; DuckDB's own CSV and Parquet readers run on every
core.  So for one local CSV (UTF-8, decimal point) or Parquet file, kamtool first asks
DuckDB for the command's table straight from the file, together with the evidence that
the file is plain: per group, a count of the lines that are not (no date or amount, an
amount too large or not finite, a number DuckDB reads that the cleaner would not, an
order number or label cell that could need trimming or be a totals label), and the
customer ids and names themselves (one name per id, by a hash of every name), which
are checked after the query with the very functions the cleaner uses.

The same holds for every grain per customer and kamtool columns (customer × month ×
salesperson × brand for tiers, customer × invoice × dates for credit): each text key is
checked for padding (and, in a label column, for a totals label) once per distinct value
that could fail, after the query (:func:`_check_keys`), a derived
``month`` is computed from the date as :func:`kamtool.ledger.month_of` does, and a key the
file lacks is empty, as in the Arrow engine.

``kamtool inspect`` (a request for every measure) takes the same path: every column it reads
is one the checks above cover, and the query counts each column's empty cells per customer
as the cleaner counts them (``stats.missing``, which inspect shows).

The path is a proof or nothing: when any check fails, when DuckDB cannot read a value
(``1,234.50``, ``2024/3/5``, a row of the wrong width), or when the file is of a kind
it does not handle, it declines, saying why, and the run takes the Arrow path
(:mod:`kamtool.engine.stream`), which gives the same figures or the same error with the
line.  A test runs every fixture through both paths and compares the ledgers exactly;
where this path runs, it must equal the other.

``KAMTOOL_NATIVE=off`` turns the path off; ``KAMTOOL_NATIVE=force`` makes a decline an
error (for tests and benchmarks).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from kamtool.engine import filters as filtering
from kamtool.engine import grains as grain_rules
from kamtool.engine.duck import (
    DAY_MEMORY,
    DISTINCT_MEMORY,
    FIRST_PURCHASE,
    GRAIN_MEMORY,
    LINES_MEMORY,
    MONTHS_MEMORY,
    ROLLED_MEMORY,
    capped_memory,
    connection,
    exact_first_purchases,
    literal,
    opened,
    own_buffers,
    plain_strings,
    quote,
    release,
    rolled_from_lines_sql,
    rolled_sql,
    shared_nulls,
)
from kamtool.engine.prepare import Prepared, prepare
from kamtool.errors import KamtoolError
from kamtool.io.columns import CANONICAL, DATE_COLUMNS, NUMBER_COLUMNS, TEXT_COLUMNS
from kamtool.io.rules import MAX_MONEY, REASON_TOTALS, TOTALS_PATTERN, BatchStats, label_headers
from kamtool.needs import DERIVED_KEYS, Grain

if TYPE_CHECKING:
    import pyarrow as pa

    from kamtool.io.read import Source
    from kamtool.io.request import LoadRequest

# Columns this path knows how to check; a run that reads any other declines.
HANDLED = frozenset({"customer", "customer_name", "date", "amount", "order_id", "quantity",
                     "unit_price", "cost", "profit", "paid_amount"})
# Every character Arrow's utf8_trim_whitespace removes is below "!" or between U+0085 and
# U+3000, so a value whose first and last characters are outside those ranges needs no
# trimming.  (Accented letters fall in the range too: such a value merely declines.)
_WS_LOW, _WS_HIGH = "chr(133)", "chr(12289)"
# Parquet column types (as DuckDB names them) this path reads like the cleaner does.
_INTEGERS = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER",
                       "UBIGINT", "HUGEINT"})
_TIMESTAMPS = frozenset({"TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"})
# The rows of a table of order lines proven and coded at a time (:func:`_coded_lines`).
_LINE_BATCH = 8 * 122_880


class Declined(Exception):
    """The native path cannot prove this file plain; the Arrow path takes it.

    ``why``: the reason as a user reads it, one clause ("the file is GB18030").
    ``source``: the input, when it was opened already (sniffing it again would be waste).
    ``lines``: the reason is some lines' content, which the Arrow path can name a line of.
    """

    def __init__(self, why: str, source: Source | None = None, *, lines: bool = False):
        super().__init__(why)
        self.why = why
        self.source = source
        self.lines = lines


def mode() -> str:
    """auto (the default), off, or force."""
    return os.environ.get("KAMTOOL_NATIVE", "auto").strip().lower() or "auto"


def _edge_ws(name: str, typed: dict[str, str]) -> str:
    """SQL: the text in the line column ``name`` may begin or end with whitespace (or is empty).

    The last character's code is a column of its own in ``typed`` (the line's first
    projection), computed once: written out twice in the test, right() cost more than reading
    the column (10M order numbers: 2.1 CPU-seconds, against 0.9 this way).
    """
    x, last = quote(name), f"_e_{name}"
    typed[last] = f"ord(right({typed[name]}, 1))"  # -1 for an empty text
    return (f"({x} < '!' OR ({x} >= {_WS_LOW} AND {x} < {_WS_HIGH}) OR {quote(last)} < 33 "
            f"OR {quote(last)} BETWEEN 133 AND 12288)")  # the codes of "!", _WS_LOW and _WS_HIGH


def _entity(keys: list[str]) -> str | None:
    """The one key of a grouping by another column than the customer (--by salesperson)."""
    return keys[0] if len(keys) == 1 and keys[0] not in ("customer", "date") else None


def _grain_keys(keys: list[str]) -> list[str]:
    """The keys after the customer and its date of a grain per customer and kamtool columns
    (customer × month × salesperson × brand, customer × invoice × dates); [] for any other."""
    rest = [k for k in keys[1:] if k != "date"]
    if len(keys) < 2 or keys[0] != "customer" or not rest:
        return []
    known = set(CANONICAL) | set(DERIVED_KEYS)
    return rest if all(k in known and k not in NUMBER_COLUMNS for k in rest) else []


def _may_be_label(x: str) -> str:
    """SQL: the cell could be a totals label (holds 计 or "total"); the cleaner's prefilter."""
    return f"(contains({x}, '计') OR {x} ILIKE '%total%')"


def _reader(source: Source, prep: Prepared, types: dict[str, str] | None,
            keys: list[str]) -> tuple[str, dict[str, str], list[str], list[str]]:
    """The DuckDB table function for the file, the typed columns, the other cells that may
    hold a totals label, and SQL conditions that flag a value the reader took too kindly.

    ``types``: a Parquet file's column types as DuckDB reads them.
    """
    mapping = prep.mapping.columns
    unmapped_labels = [h for h in label_headers(source.headers, prep.mapping) if h not in mapping.values()]
    handled = HANDLED | set(keys) | (filtering.read_columns(prep.filters) if prep.filters else set())
    if set(mapping) - handled:
        others = sorted(set(mapping) - handled)
        raise Declined(f"the native reader does not check the column{'s' if len(others) > 1 else ''} "
                       f"{', '.join(others)}")
    # canonical column -> its typed value, as SQL over the reader's columns
    columns: dict[str, str] = {}
    checks: list[str] = []
    path = literal(str(source.path))
    if source.format == "parquet":
        assert types is not None
        for canon, header in mapping.items():
            kind, ref = types[header], quote(header)
            text = canon in TEXT_COLUMNS or canon not in CANONICAL  # a file's own column is text
            if text and kind == "VARCHAR":
                columns[canon] = ref
            elif text and kind in _INTEGERS:
                columns[canon] = f"CAST({ref} AS VARCHAR)"
            elif canon in DATE_COLUMNS and (kind == "DATE" or kind in _TIMESTAMPS):
                columns[canon] = f"CAST({ref} AS DATE)"
            elif canon in NUMBER_COLUMNS and (kind in _INTEGERS or kind in ("DOUBLE", "FLOAT")
                                              or kind.startswith("DECIMAL(")):
                columns[canon] = f"CAST({ref} AS DOUBLE)"
            else:
                raise Declined(f"column {header} of the Parquet file is {kind}, a type the native reader "
                               f"does not take")
        labels = [quote(h) for h in unmapped_labels if types[h] == "VARCHAR"]
        return f"read_parquet({path})", columns, labels, []

    if source.encoding not in ("utf-8", "utf-8-sig", None):
        raise Declined(f"the file is {source.encoding.upper()}")
    if len(source.delimiter or ",") != 1:
        raise Declined(f"the file's separator {source.delimiter!r} is longer than one character")
    if prep.clean.decimal != ".":
        raise Declined("--decimal , was given, and the native reader reads decimal points only")
    assert source.header_row is not None
    names = [f"c{i}" for i in range(len(source.headers))]
    by_header = dict(zip(source.headers, names, strict=False))
    types = {n: "VARCHAR" for n in names}
    for canon, header in mapping.items():
        ref = by_header[header]
        if canon in DATE_COLUMNS:
            types[ref] = "DATE"
            columns[canon] = ref
        elif canon in NUMBER_COLUMNS:
            columns[canon] = f"TRY_CAST({ref} AS DOUBLE)"
            columns[f"_r_{canon}"] = ref  # the text, for the check below
            # Text that is no number; and DuckDB reads 1_000 as one, the cleaner does not.
            checks.append(f"(_r_{canon} IS NOT NULL AND (_l_{canon} IS NULL OR contains(_r_{canon}, '_')))")
        else:
            columns[canon] = ref
    spec = "{" + ", ".join(f"{literal(n)}: {literal(t)}" for n, t in types.items()) + "}"
    delim = literal(source.delimiter or ",")
    reader = (f"read_csv({path}, header=false, skip={source.header_row}, columns={spec}, delim={delim}, "
              f"quote='\"', escape='\"', dateformat='%Y-%m-%d', auto_detect=false, strict_mode=true, "
              f"null_padding=false, ignore_errors=false)")
    labels = [by_header[h] for h in unmapped_labels]
    return reader, columns, labels, checks


def _query(source: Source, prep: Prepared, keys: list[str], figures: Sequence[str],
           types: dict[str, str] | None = None, measures_asked: Sequence[str] | None = (),
           parts: dict[str, str] | None = None, lines: bool = False) -> str:
    """One GROUP BY over the file.

    Three projections type each line once: the typed values (``_l_*``, with the raw text
    of number cells as ``_r_*`` and of label cells as ``_lab*``), each money value times
    100 rounded to 6 places (``_s_*``), then cents. The aggregate sums the figures and
    counts, in one FILTER, the lines that are not plain.

    ``lines``: a grain of order lines (:func:`order_lines`): no GROUP BY, each line a row of
    its own with its figures as a group of that one line has them, the ``_flagged`` count 1
    where the line is not plain.
    """
    reader, cols, labels, checks = _reader(source, prep, types, keys)
    if "amount" not in cols:
        raise Declined("the file has no amount column (amount is quantity × unit price)")
    money = [c for c in ("amount", "unit_price", "cost", "profit", "paid_amount") if c in cols]
    typed = {"customer": cols["customer"], "date": cols["date"]}
    entity = _entity(keys)
    if entity is not None:
        if entity not in cols:
            raise Declined(f"the file has no {entity} column")
        typed[entity] = cols[entity]
    earliest, latest = prep.clean.date_range

    def outside(ref: str) -> str:
        # --date-range: a date outside it is a bad value the Arrow cleaner reports (or skips).
        return f"{ref} NOT BETWEEN DATE '{earliest.isoformat()}' AND DATE '{latest.isoformat()}'"

    grain_flags: list[str] = []
    for key in _grain_keys(keys):
        ref = quote(key)
        if key == "month":
            # Months since January 1970, as kamtool.ledger.month_of computes them.
            typed[key] = f'((year({cols["date"]}) - 1970) * 12 + month({cols["date"]}) - 1)::BIGINT'
        elif key not in cols:  # an optional key the file lacks: empty, as in the Arrow engine
            typed[key] = "NULL::DATE" if key in DATE_COLUMNS else "NULL::VARCHAR"
        elif key in DATE_COLUMNS:
            typed[key] = cols[key]
            grain_flags.append(outside(ref))
        else:
            # Text the cleaner would trim (or empty to missing), or a totals label in a label
            # column: every value of a key is in the result, where _check_keys tests each
            # distinct one once (on every line, the tests cost more than the query's sum).
            typed[key] = cols[key]
    for canon in (*money, "quantity"):
        if canon in cols:
            typed[f"_l_{canon}"] = cols[canon]
        if f"_r_{canon}" in cols:
            typed[f"_r_{canon}"] = cols[f"_r_{canon}"]
    flags = [*checks, *grain_flags, "_l_amount IS NULL", '"date" IS NULL',
             outside('"date"'),  # the year 24 of 24-01-05, 9999 of a slip: the cleaner's errors
             *(f"NOT (abs(_l_{c}) < {MAX_MONEY:.0f})" for c in money)]  # NaN and inf fail too
    if "quantity" in cols:
        flags.append("NOT isfinite(_l_quantity)")  # the cleaner calls nan and inf no number
    if entity is not None:
        # Per customer the ids are checked once, after the query; per entity, on each line:
        # an id that is empty, padded (blank cleans to missing) or a totals label.
        flags += ["customer IS NULL", _edge_ws("customer", typed), _may_be_label("customer")]
    for i, label_cell in enumerate(labels):
        typed[f"_lab{i}"] = label_cell
        flags.append(_may_be_label(f"_lab{i}"))
    filters = prep.filters
    if filters is not None:
        # Filtered-out lines are grouped apart (by DROP_KEY), not left out: every check below
        # still covers them, and a --where value the cleaner would trim is never proof.
        for column in filtering.read_columns(filters):
            typed.setdefault(column, cols[column])
        flags += [_edge_ws(c, typed) for c in filtering.text_columns(filters)]
    if "customer_name" in cols:
        typed["_l_name"] = cols["customer_name"]
        if keys != ["customer"]:
            # Per customer the name is checked once, after the query; per day, on each line.
            flags.append(_may_be_label("_l_name"))
    if "order_id" in cols:
        typed["_r_order"] = cols["order_id"]
        flags.append(_may_be_label("_r_order"))
        if "orders" in figures:
            flags.append(_edge_ws("_r_order", typed))
    scaled = {name: quote(name) for name in typed}
    if "orders" in figures:
        # Lines without an order number count one order per customer-day, as in the Arrow engine.
        scaled["_l_order"] = ("""coalesce(_r_order, '@' || CAST("date" AS VARCHAR))""" if "order_id" in cols
                              else """CAST("date" AS VARCHAR)""")
    for canon in money:
        scaled[f"_s_{canon}"] = f"round_even(_l_{canon} * 100.0, 6)"
    line = {name: quote(name) for name in scaled if not name.startswith("_s_")}
    for canon in money:
        # round() takes halves away from zero, as the cleaner's to_cents.
        line[f"_l_{canon}_c"] = f"CAST(round(_s_{canon}) AS BIGINT)"
    if filters is not None:
        line[filtering.DROP_KEY] = filtering.drop_sql(filters)
    group = [*keys, filtering.DROP_KEY] if filters is not None else keys

    def projection(columns: dict[str, str], source: str) -> str:
        exprs = ", ".join(f"{sql} AS {quote(name)}" for name, sql in columns.items())
        return f"SELECT {exprs} FROM {source}"

    lines_sql = projection(line, f"({projection(scaled, f'({projection(typed, reader)})')})")
    if parts is not None:
        parts["lines"] = lines_sql

    # The ledger's measures, in its order (see kamtool.engine.stream.MEASURES), those asked for: (column,
    # aggregate over lines, aggregate that merges partial groups).
    measures: list[tuple[str, str, str]] = [
        ("revenue_c", "sum(_l_amount_c)::BIGINT", "sum(revenue_c)::BIGINT"),
        ("lines", "count(*)::BIGINT", "sum(lines)::BIGINT"),
    ]
    # Each measure over a group of one line (a table of lines): the same value and type, but a
    # count, which is 0 or 1 (in 32 bits, as compact holds the counts: 38 MiB a column, 10M lines).
    alone = {"revenue_c": "_l_amount_c::BIGINT", "lines": "1::INTEGER"}
    if "returns" in figures:
        measures += [("returns_c", "sum(least(_l_amount_c, 0))::BIGINT", "sum(returns_c)::BIGINT"),
                     ("return_lines", "count(*) FILTER (WHERE _l_amount < 0)", "sum(return_lines)::BIGINT")]
        alone.update(returns_c="least(_l_amount_c, 0)::BIGINT",
                     return_lines="(CASE WHEN _l_amount < 0 THEN 1 ELSE 0 END)::INTEGER")
    quantity = "sum(_l_quantity)::DOUBLE" if "quantity" in cols else "NULL::DOUBLE"
    measures.append(("quantity", quantity, "sum(quantity)::DOUBLE"))
    alone["quantity"] = "_l_quantity::DOUBLE" if "quantity" in cols else "NULL::DOUBLE"
    profit = ("_l_profit_c" if "profit" in cols else "(_l_amount_c - _l_cost_c)" if "cost" in cols
              else None)
    if profit is not None:
        measures += [("profit_c", f"sum({profit})::BIGINT", "sum(profit_c)::BIGINT"),
                     ("profit_lines", f"count({profit})::BIGINT", "sum(profit_lines)::BIGINT")]
        alone.update(profit_c=f"{profit}::BIGINT", profit_lines=f"({profit} IS NOT NULL)::INTEGER")
    else:
        measures += [("profit_c", "NULL::BIGINT", "NULL::BIGINT"), ("profit_lines", "0::BIGINT", "0::BIGINT")]
        alone.update(profit_c="NULL::BIGINT", profit_lines="0::INTEGER")
    if "dates" in figures:
        measures += [("first_date", 'min("date")', "min(first_date)"),
                     ("last_date", 'max("date")', "max(last_date)")]
        alone.update(first_date='"date"', last_date='"date"')
    if "paid_amount" in (measures_asked or ()):
        paid = "sum(_l_paid_amount_c)::BIGINT" if "paid_amount" in cols else "NULL::BIGINT"
        measures.append(("paid_amount_c", paid, "sum(paid_amount_c)::BIGINT"))
        alone["paid_amount_c"] = "_l_paid_amount_c::BIGINT" if "paid_amount" in cols else "NULL::BIGINT"
    if filters is not None:
        measures += filtering.seen_measures(filters)
        alone.update(filtering.seen_on_line(filters))
    if measures_asked is None:  # inspect: the empty cells of every column it reads
        measures += _missing_measures(prep, keys, line)
    if keys == ["customer"]:
        if "_l_name" in line:
            # One name per id is the rule of plain data: any one name, and a 64-bit hash
            # of every name, lowest and highest, to see that they are all the same one
            # (half the cost of comparing the names themselves).
            hashed = "hash(_l_name)) FILTER (WHERE _l_name IS NOT NULL)"
            measures += [("customer_name", "any_value(_l_name)", "any_value(customer_name)"),
                         ("_name_low", f"min({hashed}", "min(_name_low)"),
                         ("_name_high", f"max({hashed}", "max(_name_high)")]
        else:
            measures += [("customer_name", "NULL::VARCHAR", "NULL::VARCHAR"),
                         ("_name_low", "NULL::UBIGINT", "NULL::UBIGINT"),
                         ("_name_high", "NULL::UBIGINT", "NULL::UBIGINT")]
    flagged = f"count(*) FILTER (WHERE {' OR '.join(flags)})::BIGINT"
    if parts is not None:  # what the grains' queries (grains_sql) reuse of this one
        parts["measures"] = ", ".join(f"{line_sql} AS {quote(out)}" for out, line_sql, _m in measures)
        parts["flagged"] = flagged
        parts.update({f"sum:{out}": line_sql for out, line_sql, _m in measures})
    key_cols = ", ".join(quote(k) for k in group)
    distinct = [f for f in ("orders", "active_days") if f in figures]
    if lines:
        if distinct or FIRST_PURCHASE in figures or measures_asked is None:
            raise ValueError("a table of lines carries sums, counts and dates only")
        each = [f"{alone[out]} AS {quote(out)}" for out, _line, _merge in measures]
        each.append(f"(CASE WHEN {' OR '.join(flags)} THEN 1 ELSE 0 END)::BIGINT AS _flagged")
        return f"SELECT {key_cols}, {', '.join(each)} FROM ({lines_sql})"
    seen = filtering.seen_measures(filters) if filters is not None else []
    if FIRST_PURCHASE in figures and not distinct and source.format == "parquet":
        # Loyalty's grain from the lines in two aggregations: two scans of a Parquet file cost
        # less than one near-line grouping.  (A CSV file's parse is its cost: read once, below.)
        return rolled_from_lines_sql(lines_sql, flagged=flagged, carried=group[len(keys):],
                                     extra=[(name, sql) for name, sql, _merge in seen], figures=figures)
    merged_seen = [(name, merge) for name, _line, merge in seen]
    if not distinct or len(keys) == 1:
        select = [f"{line_sql} AS {quote(out)}" for out, line_sql, _m in measures]
        if "orders" in figures:
            select.append("count(DISTINCT _l_order)::BIGINT AS orders")
        if "active_days" in figures:
            select.append('count(DISTINCT "date")::BIGINT AS active_days')
        select.append(f"{flagged} AS _flagged")
        grouped = f"SELECT {key_cols}, {', '.join(select)} FROM ({lines_sql}) GROUP BY {key_cols}"
        if FIRST_PURCHASE in figures:  # loyalty's grain, rolled up in the same query
            return rolled_sql(grouped, flagged=True, carried=group[len(keys):], figures=figures,
                              extra=merged_seen)
        return f"{grouped} ORDER BY {key_cols}"
    # Per customer and day, the distinct counts in two levels: per key and order first, then
    # per key. DuckDB runs a DISTINCT aggregate by materialising every line for a second
    # pass; with millions of groups, reading one row per order is cheaper. (With a few
    # hundred thousand customers the DISTINCT aggregate is the faster, measured.)
    inner_keys = list(dict.fromkeys([*group, *(["_l_order"] if "orders" in figures else []),
                                     *(["date"] if "active_days" in figures else [])]))
    inner_cols = ", ".join(quote(k) for k in inner_keys)
    first = [f"{line_sql} AS {quote(out)}" for out, line_sql, _m in measures] + [f"{flagged} AS _flagged"]
    second = [f"{merge} AS {quote(out)}" for out, _l, merge in measures]
    second.append("sum(_flagged)::BIGINT AS _flagged")
    if "orders" in figures:
        second.append("count(DISTINCT _l_order)::BIGINT AS orders" if "active_days" in figures
                      else "count(*)::BIGINT AS orders")
    if "active_days" in figures:
        second.append('count(DISTINCT "date")::BIGINT AS active_days')
    level1 = f"SELECT {inner_cols}, {', '.join(first)} FROM ({lines_sql}) GROUP BY {inner_cols}"
    grouped = f"SELECT {key_cols}, {', '.join(second)} FROM ({level1}) GROUP BY {key_cols}"
    if FIRST_PURCHASE in figures:  # loyalty's grain, rolled up in the same query
        return rolled_sql(grouped, flagged=True, carried=group[len(keys):], figures=figures,
                              extra=merged_seen)
    return f"{grouped} ORDER BY {key_cols}"


def main_sql(parts: dict[str, str], base: Sequence[str], carried: Sequence[str]) -> str:
    """The main table at the analysis' own keys (``base``), every measure and the count of lines
    that are not plain, from the lines of :func:`_query` (``parts``)."""
    group = ", ".join(quote(k) for k in (*base, *carried))
    return (f"SELECT {group}, {parts['measures']}, {parts['flagged']} AS _flagged FROM ({parts['lines']}) "
            f"GROUP BY {group} ORDER BY {group}")


def grain_sql(parts: dict[str, str], grain: Grain, keys: Sequence[str], carried: Sequence[str],
              months: tuple[int, int] | None = None) -> str:
    """One grain's table from the same lines: its keys (``month`` per :attr:`Grain.months`), its
    sums, sorted by its keys, nulls last; ``months``: of the lines of those months alone (first,
    last ordinal).  No count of lines that are not plain: the main query proves the very same
    lines, and every key value is checked after the query."""
    lines = parts["lines"]
    if "month" in keys or months is not None:
        lines = f"SELECT *, {grain_rules.month_sql(grain.months)} AS month FROM ({lines})"
    if months is not None:
        lines = f"SELECT * FROM ({lines}) WHERE {grain_rules.in_months(months)}"
    group = ", ".join(quote(k) for k in (*keys, *carried))
    sums = ", ".join(f"{parts['sum:' + name]} AS {quote(name)}" for name in grain.sums
                     if "sum:" + name in parts)
    return f"SELECT {group}, {sums} FROM ({lines}) GROUP BY {group} ORDER BY {group}"


def _grains(parts: dict[str, str], grains: Sequence[Grain], present: set[str], carried: Sequence[str],
            checked: dict[str, bool], held: Any = None, last_day: int | None = None
            ) -> dict[str, pa.Table | None]:
    """Each grain's table (None for a grain not built for this file: ``present``, the file's
    canonical columns), proven as :func:`_grain_table` says; ``checked``: the text keys to prove,
    as :func:`text_keys` gives them.  ``last_day``: the main table's last order day, from which a
    grain's :attr:`Grain.read` gives the months its query reads (:func:`grain_rules.first_held`)."""

    def query(grain: Grain, tried: tuple[str, ...], months: tuple[int, int] | None) -> pa.Table:
        release(keep=held)  # what the last query kept goes back before this one runs beside its table
        try:
            with capped_memory(MONTHS_MEMORY if "month" in tried else GRAIN_MEMORY):
                raw = connection().sql(grain_sql(parts, grain, tried, carried, months)).to_arrow_table()
        except Exception as exc:  # the main query read these lines: not expected, never a traceback
            raise Declined(f"DuckDB's own reader cannot read every line ({str(exc).splitlines()[0]})",
                           lines=True) from None
        finally:
            release(keep=held)  # and before the checks run beside the grain's table
        return _grain_table(raw, checked)

    return grain_rules.first_held(grains, present, query, last_day)


def _grain_table(table: pa.Table, keys: dict[str, bool]) -> pa.Table:
    """A grain's table proven and cleaned as the main one is: its text keys checked, the lines a
    filter left out and the totals customers' rows dropped, the helper columns gone.  (Its
    customers are the main table's, whose ids :func:`_check` proved.)"""
    import pyarrow.compute as pc

    table = shared_nulls(plain_strings(table))
    _check_keys(table, {k: v for k, v in keys.items() if k in table.column_names})
    table, _removed = filtering.split_native(table)
    ids = pc.unique(table["customer"])
    labels = ids.filter(_totals(ids))
    if len(labels):
        table = table.filter(pc.invert(pc.fill_null(pc.is_in(table["customer"], value_set=labels), False)))
    return table.drop_columns([c for c in table.column_names if c.startswith("_")])


# inspect's count of empty cells per column, as ``_miss_<column>`` per group (see _missing).
MISSING = "_miss_"
# A run always has these three, or declines: the cleaner counts their empty cells as none.
_NEVER_MISSING = ("customer", "date", "amount")


def _missing_measures(prep: Prepared, keys: list[str], line: dict[str, str]) -> list[tuple[str, str, str]]:
    """Per group, the lines whose cell of each column the run reads is empty, as the cleaner
    counts them (``stats.missing``, which inspect shows).

    Every cell left non-empty here is one the cleaner keeps non-empty: a number or date cell
    is read or flagged, an order number (inspect counts orders) or a --where cell that is
    blank or padded is flagged; the name's blank cells are counted per customer by
    :func:`_missing`, from the one name the query proves each customer has.
    """
    if keys != ["customer"]:
        raise Declined("the native reader counts empty cells per customer only")
    refs = {"order_id": "_r_order", "customer_name": "_l_name"}
    out: list[tuple[str, str, str]] = []
    for canon in prep.mapping.columns:
        if canon in _NEVER_MISSING:
            continue
        ref = refs.get(canon, f"_l_{canon}" if canon in NUMBER_COLUMNS else canon)
        if ref not in line:
            raise Declined(f"the native reader does not count the empty cells of column {canon}")
        name = MISSING + canon
        out.append((name, f"count(*) FILTER (WHERE {quote(ref)} IS NULL)::BIGINT",
                    f"sum({quote(name)})::BIGINT"))
    return out


def _missing(tables: Sequence[pa.Table | None]) -> dict[str, int]:
    """The empty cells per column of proven groups (their name cleaned, totals groups gone): a
    customer whose one name is blank has it empty on every line."""
    import pyarrow.compute as pc

    counts: dict[str, int] = {}
    for table in tables:
        if table is None:
            continue
        for column in table.column_names:
            if not column.startswith(MISSING):
                continue
            canon = column[len(MISSING):]
            values = table[column]
            if canon == "customer_name":
                values = pc.if_else(pc.is_null(table["customer_name"]), table["lines"], values)
            counts[canon] = counts.get(canon, 0) + int(pc.sum(values).as_py() or 0)
    return counts


def _first_values(source: Source, prep: Prepared, keys: list[str],
                  types: dict[str, str] | None) -> dict[str, list[str]]:
    """The smallest values of each --where column, read again (only when a --where value
    matches no line: the warning names some that do)."""
    from kamtool.io.rules import FIRST_VALUES

    assert prep.filters is not None
    reader, cols, _labels, _checks = _reader(source, prep, types, keys)
    out: dict[str, list[str]] = {}
    for column in filtering.text_columns(prep.filters):
        sql = (f"SELECT DISTINCT {cols[column]} AS v FROM {reader} WHERE v IS NOT NULL "
               f"ORDER BY v LIMIT {FIRST_VALUES + 1}")
        out[column] = [str(row[0]) for row in connection().sql(sql).fetchall()]
    return out


def text_keys(source: Source, prep: Prepared, keys: list[str]) -> dict[str, bool]:
    """The text keys of a grain per customer and kamtool columns that the file has, each with
    whether its column is one the cleaner reads totals labels from."""
    label_set = set(label_headers(source.headers, prep.mapping))
    return {key: prep.mapping.columns[key] in label_set for key in _grain_keys(keys)
            if key in prep.mapping.columns and key not in DATE_COLUMNS and key not in DERIVED_KEYS}


def _check_keys(table: pa.Table, keys: dict[str, bool]) -> None:
    """Prove each text key's distinct values plain: none the cleaner would trim or empty, none a
    totals label where the column is a label column (``keys``: key -> is a label column).

    Only the values that could fail are tested with the cleaner's own functions, once per
    distinct one: those whose first or last character the trim could remove
    (:func:`_may_need_trim`, on the bytes) and, in a label column, those holding 计 or
    "total".  (Hashing every value of a near-line result first cost 2.8 s of churn's 13.8 s
    load on 10M lines.)
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from kamtool.io.clean import as_text, may_hold_totals

    for key, is_label in keys.items():
        column = table[key]
        chunks = [c for c in column.chunks if len(c)]
        suspects = [c.filter(pa.array(_may_need_trim(c))) for c in chunks]
        values = pc.unique(pa.chunked_array(suspects, pa.string()))
        if len(values) and not pc.all(pc.fill_null(pc.equal(as_text(values), values), False)).as_py():
            raise Declined(f"some {key} values are empty or have spaces around them", lines=True)
        if is_label and may_hold_totals(column):
            held = pc.or_(pc.match_substring(column, "计"),
                          pc.match_substring(column, "total", ignore_case=True))
            labels = pc.unique(column.filter(pc.fill_null(held, False)))
            if pc.any(_totals(labels)).as_py():
                raise Declined(f"a {key} value looks like a totals label", lines=True)


def _may_need_trim(chunk: pa.Array) -> Any:
    """Which values of a string array may change under the cleaner's trim (or are empty), read
    from the UTF-8 bytes of their first and last characters: a numpy mask, false for nulls.

    Arrow's utf8_trim_whitespace removes only characters below "!" and between U+0085 and
    U+3000 (see _WS_LOW); a character whose code lies there is suspect, every other is not.
    """
    import numpy as np

    n = len(chunk)
    offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32, count=n + 1, offset=4 * chunk.offset)
    data_buffer = chunk.buffers()[2]
    valid = chunk.is_valid().to_numpy(zero_copy_only=False)
    starts, ends = offsets[:-1], offsets[1:]
    if data_buffer is None or data_buffer.size == 0:
        return valid  # every value is empty
    data = np.frombuffer(data_buffer, dtype=np.uint8)

    def byte(at: Any) -> Any:
        return np.take(data, at, mode="clip")  # past either end only where the result is unused

    b0, b1, b2 = byte(starts), byte(starts + 1), byte(starts + 2)
    first = ((b0 < 0x21) | ((b0 == 0xC2) & (b1 >= 0x85)) | ((b0 >= 0xC3) & (b0 <= 0xE2))
             | ((b0 == 0xE3) & (b1 == 0x80) & (b2 == 0x80)))
    l1, l2, l3 = byte(ends - 1), byte(ends - 2), byte(ends - 3)
    # A last byte of 0x80 or more ends a character of two bytes (its lead l2 in C2..DF) or of
    # three (lead l3 in E0..EF) or four (never suspect).
    last = (l1 < 0x21) | ((l1 >= 0x80) & (((l2 == 0xC2) & (l1 >= 0x85)) | ((l2 >= 0xC3) & (l2 <= 0xDF))
                                          | ((l3 >= 0xE0) & (l3 <= 0xE2))
                                          | ((l3 == 0xE3) & (l2 == 0x80) & (l1 == 0x80))))
    return valid & ((ends == starts) | first | last)


def _check(table: pa.Table, keys: list[str], entity_is_label: bool = False) -> tuple[pa.Table, int]:
    """Prove the groups plain; return the table without totals groups and their line count.

    ``entity_is_label``: the entity's column is one the cleaner reads totals labels from
    (the file's first column), so an entity value that is a label is a totals group.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from kamtool.io.clean import as_text

    if table.num_rows == 0:
        raise Declined("the file has no order lines")
    if _total(table, "_flagged"):
        raise Declined("some lines may need cleaning: a number or date that is empty, unreadable or "
                       "not written plainly, a padded value, or a possible totals label", lines=True)
    entity = _entity(keys)
    if entity is None:
        customer = table["customer"]
        # Each distinct id is checked once: a grain per customer and day (or loyalty's) repeats
        # every id many times.
        ids = pc.unique(customer)
        # An empty or blank id cleans to null: equal() is then null, which is not a proof.
        plain = pc.fill_null(pc.equal(as_text(ids), ids), False)
        if customer.null_count or not pc.all(plain).as_py():
            raise Declined("some customer ids are empty or have spaces around them", lines=True)
        labels = ids.filter(_totals(ids))
        totals = pc.fill_null(pc.is_in(customer, value_set=labels), False)
    else:
        key = table[entity]
        # Lines without a value are an entity of their own ("(none)"), but an empty or padded
        # value would be one only after cleaning.
        plain = pc.fill_null(pc.equal(as_text(key), key), False)
        if not pc.all(pc.or_(plain, pc.is_null(key))).as_py():
            raise Declined(f"some {entity} values are empty or have spaces around them", lines=True)
        totals = _totals(key)
        if not entity_is_label:
            totals = pa.array([False] * table.num_rows)
    if "_name_low" in table.column_names:
        if not pc.all(pc.fill_null(pc.equal(table["_name_low"], table["_name_high"]), True)).as_py():
            raise Declined("some customer ids carry several names", lines=True)
        name = table["customer_name"]
        if pc.any(_totals(name)).as_py():
            raise Declined("a customer name cell looks like a totals label", lines=True)
        names = as_text(name)
        table = table.set_column(table.column_names.index("customer_name"), "customer_name",
                                 names.cast(pa.string()))
    dropped = int(pc.sum(pc.if_else(totals, table["lines"], 0)).as_py() or 0)
    if dropped:
        table = table.filter(pc.invert(totals))
    return table, dropped


def _proved(table: pa.Table, checked: dict[str, bool], keys: list[str], entity_is_label: bool
            ) -> tuple[pa.Table, pa.Table | None, int]:
    """The query's table proven plain (:func:`_check_keys`, :func:`_check`; ``checked``: the
    text keys, as :func:`text_keys` gives them): its groups of kept lines without totals
    groups, those the filters left out (None if none) and the totals lines of both."""
    table = shared_nulls(plain_strings(table))
    _check_keys(table, {k: v for k, v in checked.items() if k in table.column_names})
    table, removed = filtering.split_native(table)
    if removed is not None and not table.num_rows:
        totals = 0  # the filters left nothing: the load says so, no other engine need try
    else:
        table, totals = _check(table, keys, entity_is_label)
    if removed is not None:
        # The lines the filters left out pass the same proof; their totals lines are totals
        # lines (the cleaner drops those before any filter), the rest are counted.
        removed, removed_totals = _check(removed, keys, entity_is_label)
        totals += removed_totals
    return table, removed, totals


def _coded_lines(relation: Any, proved: Callable[[pa.Table], tuple[pa.Table, pa.Table | None, int]]
                 ) -> tuple[pa.Table, pa.Table | None, int]:
    """A table of order lines (:func:`order_lines`) read a batch at a time, each batch proven
    (``proved``: :func:`_proved`) and its text columns dictionary-coded before the next is
    read, so that the lines' text is never held whole (10M benchmark lines: 1.0 GiB of
    text in seven keys against 0.3 GiB of codes). The result: as :func:`_proved`'s, the text
    columns dictionary arrays (a dictionary per batch; :func:`kamtool.engine.many.compact`
    unifies them)."""
    import pyarrow as pa

    reader = relation.to_arrow_reader(_LINE_BATCH)
    kept: list[pa.Table] = []
    gone: list[pa.Table] = []
    totals = 0
    try:
        for batch in reader:
            table, removed, count = proved(pa.Table.from_batches([batch]))
            totals += count
            kept.append(_dictionary_coded(table.drop_columns(["_flagged"])))
            if removed is not None:
                gone.append(_dictionary_coded(removed.drop_columns(["_flagged"])))
    finally:
        # a batch that is not plain ends the reading: the query's open result goes with the
        # reader (else the connection's next statement fails, and hides the reason)
        reader.close()
    if not kept:  # no line: the proof of the empty table says so
        return proved(reader.schema.empty_table())
    return pa.concat_tables(kept), pa.concat_tables(gone) if gone else None, totals


def _dictionary_coded(table: pa.Table) -> pa.Table:
    """A batch's text columns dictionary-coded, its other columns copied: the batch DuckDB
    handed over is freed only once none of its columns is held (kept, its numbers held the
    text too: 10M lines, 2.6 GiB resident after the load against 1.5 GiB).  A column without
    a value is :func:`shared_nulls`' already."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for f in table.schema:
        column = table[f.name]
        if pa.types.is_string(f.type):
            column = pc.dictionary_encode(column)
        elif column.null_count < len(column):
            column = own_buffers(column)
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def _totals(values: pa.ChunkedArray) -> pa.ChunkedArray | pa.Array:
    """Which values are totals labels; the cleaner's byte search first spares the regex."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from kamtool.io.clean import may_hold_totals

    if not may_hold_totals(values):
        return pa.array([False] * len(values), pa.bool_())  # typed: an empty one too
    return pc.fill_null(pc.match_substring_regex(values, TOTALS_PATTERN), False)


def run_with_progress(con: Any, sql: str, size: int, progress: Callable[[int, int], None] | None,
                      every: float = 0.25, fetch: Callable[[Any], Any] | None = None) -> Any:
    """The query's result (an Arrow table, or what ``fetch`` makes of the relation); meanwhile,
    every `every` seconds, its progress (DuckDB's estimate) as bytes of the file."""
    import threading

    if fetch is None:
        def fetch(relation: Any) -> pa.Table:
            return relation.to_arrow_table()

    if progress is None:
        return fetch(con.sql(sql))
    # DuckDB estimates progress only with its progress bar on; it is not printed here.
    con.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false; "
                "SET progress_bar_time = 0")
    done = threading.Event()

    def poll() -> None:
        while not done.wait(every):
            try:
                percent = con.query_progress()
            except Exception:  # noqa: BLE001 - progress is a nicety; never fail a run for it
                return
            if percent >= 0:
                progress(0, int(size * min(percent, 100.0) / 100))

    poller = threading.Thread(target=poll, name="kamtool-progress", daemon=True)
    poller.start()
    try:
        return fetch(con.sql(sql))
    finally:
        done.set()
        poller.join()


def _parquet_source(name: str, path: Any) -> tuple[Source, dict[str, str]]:
    """A Parquet file's columns and their types, from DuckDB."""
    from kamtool.io.read import Source

    try:
        described = f"DESCRIBE SELECT * FROM read_parquet({literal(str(path))})"
        rows = connection().sql(described).fetchall()
    except Exception as exc:  # the Arrow path says what is wrong with the file
        raise Declined(f"DuckDB cannot read the Parquet file ({str(exc).splitlines()[0]})") from None
    types = {str(r[0]): str(r[1]) for r in rows}
    if len(types) != len(rows):
        raise Declined("the Parquet file has duplicate column names")
    source = Source(name=name, format="parquet", headers=list(types), path=path, size=path.stat().st_size)
    return source, types


def gate(request: LoadRequest) -> str | None:
    """Why the native path cannot take ``request`` at all, before any file is opened; None
    when it may try."""
    if mode() == "off":
        return "KAMTOOL_NATIVE=off turns the native reader off"
    if len(request.files) != 1:
        return "several input files"
    if request.files[0] == "-":
        return "the input is stdin"
    keys = list(request.keys)
    if not (keys in (["customer"], ["customer", "date"]) or _entity(keys) or _grain_keys(keys)):
        return (f"the native reader makes tables per customer and known columns or per one column, "
                f"and this run needs one per {' × '.join(keys)}")
    return None


def capped(request: LoadRequest) -> str | None:
    """The share of memory DuckDB keeps to in the load's query (:func:`capped_memory`): loyalty's
    rolled grain, a table per customer and day (clv, and the main table of churn, stages and
    tiers: :data:`DAY_MEMORY`; their grains keep to :data:`MONTHS_MEMORY` by month, else to
    :data:`GRAIN_MEMORY`), a table of order lines (the fine load of the report and the card:
    :func:`order_lines`, :data:`LINES_MEMORY`) and a table that counts distinct orders per
    customer (inspect's, every measure; rfm's) have one; None for the others."""
    if FIRST_PURCHASE in request.figures:
        return ROLLED_MEMORY
    if tuple(request.base or request.keys) == ("customer", "date"):
        return DAY_MEMORY
    if order_lines(request):
        return LINES_MEMORY
    if request.measures is None or "orders" in request.figures:
        return DISTINCT_MEMORY
    return None


def order_lines(request: LoadRequest) -> bool:
    """Whether the request's grain is one of order lines (its keys hold the order id: the fine
    load of the report and the card), which the native engine returns a row per line,
    ungrouped: such a grain groups nearly nothing (10M benchmark lines: 9.2M groups), and its
    GROUP BY at nine keys cost 32 CPU-s, capped and spilling, against 4 for the lines."""
    return "order_id" in (request.base or request.keys) and not request.grains


def load(request: LoadRequest, progress: Callable[[int, int], None] | None = None
         ) -> tuple[pa.Table, Prepared, dict[str, pa.Table | None] | None]:
    """The ledger table straight from the file, with its prepared source and the request's
    grains (name -> table, None for a grain not built for this file; None when the table is at
    the request's keys: :func:`kamtool.engine.grains.applies`); raises Declined.

    Call :func:`gate` first: this assumes one local file and a grouping the path handles.
    """
    from pathlib import Path

    from kamtool.io.read import format_from_magic, open_source

    name = request.files[0]
    keys = list(request.keys)
    entity = _entity(keys)
    held = opened()  # a connection open before this load is someone's: never closed here
    path = Path(name)
    magic = b""
    if path.is_file():
        with open(path, "rb") as handle:
            magic = handle.read(8)
    fmt = format_from_magic(magic)
    if fmt == "excel":
        raise Declined("the file is a workbook")  # not opened: that would parse the whole sheet
    types = None
    if fmt == "parquet":
        # Opened by DuckDB, not pyarrow: pyarrow then loads in a thread while DuckDB reads.
        source, types = _parquet_source(name, path)
    else:
        source = open_source(name, request.read)
    try:
        if source.path is None or source.format not in ("csv", "parquet"):
            raise Declined(f"the file is {source.format}")
        prep = prepare(source, request)
        parts: dict[str, str] = {}
        lines = order_lines(request)
        sql = _query(source, prep, keys, request.figures, types, request.measures, parts, lines=lines)
        grains = grain_rules.applies(request.grains, request.base, request.figures, request.measures)
        carried = [filtering.DROP_KEY] if prep.filters else []
        if grains:
            # The main table at the analysis' own keys and each grain from the same lines:
            # never the table at every key together (churn on 10M lines: 8.2M rows).
            sql, keys = main_sql(parts, request.base, carried), list(request.base)
        from kamtool.warm import warm_imports

        warm_imports()  # pandas loads while DuckDB reads
        entity_is_label = entity is not None and prep.mapping.columns[entity] in label_headers(
            source.headers, prep.mapping)
        checked = text_keys(source, prep, list(request.keys))

        def proved(table: pa.Table) -> tuple[pa.Table, pa.Table | None, int]:
            return _proved(table, checked, keys, entity_is_label)

        try:
            with capped_memory(capped(request)):
                if lines:
                    table, removed, totals = run_with_progress(connection(), sql, source.size, progress,
                                                               fetch=lambda rel: _coded_lines(rel, proved))
                else:
                    table = run_with_progress(connection(), sql, source.size, progress)
        except (KamtoolError, Declined):
            raise
        except Exception as exc:  # a value or a row DuckDB cannot read: the Arrow path will say which
            raise Declined(f"DuckDB's own reader cannot read every line ({str(exc).splitlines()[0]})",
                           lines=True) from None
        finally:
            # What the query kept goes back before the checks run beside its table (10M lines,
            # clv: about 0.45 GiB, which the checks' copies came on top of).
            release(keep=held)
        if not lines:  # (after the query's memory went back: the checks run beside its table)
            table, removed, totals = proved(table)
        left_out: dict[str, int] = {}
        if removed is not None:
            assert prep.filters is not None
            left_out = dict(filtering.native_counts(removed, prep.filters))
        # Only once the main table proved the lines plain: a line DuckDB cannot read is then
        # known not to be there.
        built = None if not grains else _grains(parts, request.grains, prep.present, carried, checked, held,
                                                    grain_rules.last_day(table))
        if "_unsure" in table.column_names:  # proven plain: the few uncertain first purchases
            table = exact_first_purchases(table, parts["lines"],
                                          carried=[filtering.DROP_KEY] if prep.filters else [])
        # after the checks: a value only a totals line holds is held by no order line
        found = filtering.native_found([t for t in (table, removed) if t is not None], prep.filters) \
            if prep.filters else {}
    except Declined as declined:
        if types is None:  # a Parquet source is handed on opened by pyarrow, as ever
            declined.source = source
        raise
    prep.stats = BatchStats(rows=_total(table, "lines") + totals + sum(left_out.values()))
    prep.stats.dropped.update(left_out)
    if request.measures is None:
        prep.stats.missing.update(_missing([table, removed]))
    prep.stats.found = found
    if prep.filters and filtering.unmatched(prep.filters, [prep.stats]):
        prep.stats.first_values = _first_values(source, prep, keys, types)
    if totals:
        prep.stats.dropped[REASON_TOTALS] += totals
    drop = [c for c in table.column_names if c.startswith("_")]
    return table.drop_columns(drop), prep, built


def _total(table: pa.Table, column: str) -> int:
    import pyarrow.compute as pc

    return int(pc.sum(table[column]).as_py() or 0)
