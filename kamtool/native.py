"""The native path: DuckDB reads a plain file itself, in parallel, and checks it as it goes.

Most large order files come out of a system, not a spreadsheet: ISO dates, plain numbers,
no totals lines.  For such a file the Arrow cleaning of :mod:`kamtool.io.clean` changes
nothing, and it runs in one thread; DuckDB's own CSV and Parquet readers run on every
core.  So for one local CSV (UTF-8, decimal point) or Parquet file, kamtool first asks
DuckDB for the command's table straight from the file, together with the evidence that
the file is plain: per group, how many lines lack a date or an amount, the largest
amount, whether any order number or label cell could need trimming or be a totals
label, and the customer ids and names themselves, which are checked after the query
with the very functions the cleaner uses.

The path is a proof or nothing: when any check fails, when DuckDB cannot read a value
(``1,234.50``, ``2024/3/5``, a row of the wrong width), or when the file is of a kind
it does not handle, it declines and the run takes the Arrow path, which gives the same
figures or the same error with the line.  A test runs every fixture through both paths
and compares the ledgers exactly; where this path runs, it must equal the other.

``KAMTOOL_NATIVE=off`` turns the path off; ``KAMTOOL_NATIVE=force`` makes a decline an
error (for tests and benchmarks).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kamtool.errors import KamtoolError
from kamtool.io.clean import MAX_MONEY, REASON_TOTALS, TOTALS_PATTERN, BatchStats, _text
from kamtool.io.columns import DATE_COLUMNS, NUMBER_COLUMNS, TEXT_COLUMNS

if TYPE_CHECKING:
    import pyarrow as pa

    from kamtool.io.read import Source
    from kamtool.ledger import LoadOptions, _Prepared

# Columns this path knows how to check; a run that reads any other declines.
HANDLED = frozenset({"customer", "customer_name", "date", "amount", "order_id", "quantity",
                     "unit_price", "cost", "profit"})
# Every character Arrow's utf8_trim_whitespace removes is below "!" or between U+0085 and
# U+3000, so a value whose first and last characters are outside those ranges needs no
# trimming.  (Accented letters fall in the range too: such a value merely declines.)
_WS_LOW, _WS_HIGH = "chr(133)", "chr(12289)"


class Declined(Exception):
    """The native path cannot prove this file plain; the Arrow path takes it.

    ``source``: the input, when it was opened already (sniffing it again would be waste).
    """

    def __init__(self, why: str, source: Source | None = None):
        super().__init__(why)
        self.source = source


def mode() -> str:
    """auto (the default), off, or force."""
    return os.environ.get("KAMTOOL_NATIVE", "auto").strip().lower() or "auto"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _edge_ws(x: str) -> str:
    """SQL: the text in ``x`` may begin or end with whitespace (or is empty)."""
    parts = []
    for end in (x, f"right({x}, 1)"):
        parts.append(f"{end} < '!' OR ({end} >= {_WS_LOW} AND {end} < {_WS_HIGH})")
    return "(" + " OR ".join(parts) + ")"


def _may_be_label(x: str) -> str:
    """SQL: the cell could be a totals label (holds 计 or "total"); the cleaner's prefilter."""
    return f"(contains({x}, '计') OR {x} ILIKE '%total%')"


def _reader(source: Source, prep: _Prepared) -> tuple[str, dict[str, str], list[str], list[str]]:
    """The DuckDB table function for the file, the typed columns, the other cells that may
    hold a totals label, and SQL conditions that flag a value the reader took too kindly."""
    import pyarrow as pa

    mapping = prep.cleaner.mapping.columns
    if set(mapping) - HANDLED:
        raise Declined(f"columns {sorted(set(mapping) - HANDLED)}")
    # canonical column -> its typed value, as SQL over the reader's columns
    columns: dict[str, str] = {}
    checks: list[str] = []
    path = _lit(str(source.path))
    if source.format == "parquet":
        import pyarrow.parquet as pq

        schema = pq.read_schema(str(source.path))
        for canon, header in mapping.items():
            t = schema.field(header).type
            ref = _q(header)
            if canon in TEXT_COLUMNS:
                if pa.types.is_string(t) or pa.types.is_large_string(t) or str(t) == "string_view":
                    columns[canon] = ref
                elif pa.types.is_integer(t):
                    columns[canon] = f"CAST({ref} AS VARCHAR)"
                else:
                    raise Declined(f"{header} is {t}")
            elif canon in DATE_COLUMNS:
                if pa.types.is_date(t) or (pa.types.is_timestamp(t) and t.tz is None):
                    columns[canon] = f"CAST({ref} AS DATE)"
                else:
                    raise Declined(f"{header} is {t}")
            elif canon in NUMBER_COLUMNS:
                if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
                    columns[canon] = f"CAST({ref} AS DOUBLE)"
                else:
                    raise Declined(f"{header} is {t}")
        labels = [h for h in prep.cleaner.unmapped_labels
                  if pa.types.is_string(schema.field(h).type)
                  or pa.types.is_large_string(schema.field(h).type)]
        return f"read_parquet({path})", columns, [_q(h) for h in labels], []

    if source.encoding not in ("utf-8", "utf-8-sig", None) or len(source.delimiter or ",") != 1:
        raise Declined(f"encoding {source.encoding}")
    if prep.cleaner.options.decimal != ".":
        raise Declined("decimal comma")
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
            value = f"TRY_CAST({ref} AS DOUBLE)"
            # DuckDB reads 1_000 as a number; the cleaner does not.
            checks.append(f"({ref} IS NOT NULL AND ({value} IS NULL OR contains({ref}, '_')))")
            columns[canon] = value
        else:
            columns[canon] = ref
    spec = "{" + ", ".join(f"{_lit(n)}: {_lit(t)}" for n, t in types.items()) + "}"
    delim = _lit(source.delimiter or ",")
    reader = (f"read_csv({path}, header=false, skip={source.header_row}, columns={spec}, delim={delim}, "
              f"quote='\"', escape='\"', dateformat='%Y-%m-%d', auto_detect=false, strict_mode=true, "
              f"null_padding=false, ignore_errors=false)")
    labels = [by_header[h] for h in prep.cleaner.unmapped_labels]
    return reader, columns, labels, checks


def _query(source: Source, prep: _Prepared, keys: list[str], figures: Sequence[str]) -> str:
    """One GROUP BY over the file: an inner projection types each line once (``_l_*``
    columns), the outer query aggregates the figures and the evidence."""
    reader, cols, labels, checks = _reader(source, prep)
    if "amount" not in cols:
        raise Declined("no amount column")
    order = cols.get("order_id")
    flags = checks + [_may_be_label(x) for x in labels]
    if keys != ["customer"] and "customer_name" in cols:
        # Per customer the name is checked once, after the query; per day, on each line.
        flags.append(_may_be_label(cols["customer_name"]))
    if order is not None:
        flags.append(_may_be_label(order))
        if "orders" in figures:
            flags.append(_edge_ws(order))
    # Three projections, so that each value is cast and scaled once per line: typed values
    # (_l_*), then each money value times 100 rounded to 6 places (_s_*), then cents.
    money = [c for c in ("amount", "unit_price", "cost", "profit") if c in cols]
    typed = {
        "customer": cols["customer"],
        "date": cols["date"],
        "_l_flag": " OR ".join(flags) if flags else "false",
    }
    for canon in money:
        typed[f"_l_{canon}"] = cols[canon]
    if "quantity" in cols:
        typed["_l_quantity"] = cols["quantity"]
    if keys == ["customer"] and "customer_name" in cols:
        typed["_l_name"] = cols["customer_name"]
    if "orders" in figures:
        typed["_l_order"] = (f"coalesce({order}, '@' || CAST({cols['date']} AS VARCHAR))" if order
                             else f"CAST({cols['date']} AS VARCHAR)")
    scaled = {name: _q(name) for name in typed}
    for canon in money:
        scaled[f"_s_{canon}"] = f"round_even(_l_{canon} * 100.0, 6)"
    scaled["_l_largest"] = "greatest(" + ", ".join(f"abs(_l_{c})" for c in money) + ")"
    line = {name: _q(name) for name in scaled if not name.startswith("_s_")}
    for canon in money:
        s_ = f"_s_{canon}"
        # round() takes halves away from zero, as the cleaner's to_cents.
        line[f"_l_{canon}_c"] = f"CAST(round({s_}) AS BIGINT)"

    def projection(columns: dict[str, str]) -> str:
        return ", ".join(f"{sql} AS {_q(name)}" for name, sql in columns.items())

    inner = (f"{projection(line)} FROM (SELECT {projection(scaled)} FROM "
             f"(SELECT {projection(typed)} FROM {reader}))")

    select = [
        "sum(_l_amount_c)::BIGINT AS revenue_c",
        "count(_l_amount)::BIGINT AS lines",
        "sum(least(_l_amount_c, 0))::BIGINT AS returns_c",
        "count(*) FILTER (WHERE _l_amount < 0) AS return_lines",
        ("sum(_l_quantity)::DOUBLE" if "quantity" in cols else "NULL::DOUBLE") + " AS quantity",
    ]
    if "profit" in cols:
        select += ["sum(_l_profit_c)::BIGINT AS profit_c", "count(_l_profit_c)::BIGINT AS profit_lines"]
    elif "cost" in cols:
        profit = "(_l_amount_c - _l_cost_c)"
        select += [f"sum({profit})::BIGINT AS profit_c", f"count({profit})::BIGINT AS profit_lines"]
    else:
        select += ["NULL::BIGINT AS profit_c", "0::BIGINT AS profit_lines"]
    select += ['min("date") AS first_date', 'max("date") AS last_date']
    if keys == ["customer"]:
        if "_l_name" in line:
            # One name per id is the rule of plain data: any one name, and a 64-bit hash
            # of every name, lowest and highest, to see that they are all the same one
            # (half the cost of comparing the names themselves).
            hashed = "hash(_l_name)) FILTER (WHERE _l_name IS NOT NULL)"
            select += ["any_value(_l_name) AS customer_name", f"min({hashed} AS _name_low",
                       f"max({hashed} AS _name_high"]
        else:
            select += ["NULL::VARCHAR AS customer_name", "NULL::UBIGINT AS _name_low",
                       "NULL::UBIGINT AS _name_high"]
    if "orders" in figures:
        select.append("count(DISTINCT _l_order)::BIGINT AS orders")
    if "active_days" in figures:
        select.append('count(DISTINCT "date")::BIGINT AS active_days')
    select += [
        "count(*)::BIGINT AS _rows",
        'count("date")::BIGINT AS _dates',
        # NaN is larger than every number in DuckDB, so it shows here as well.
        "max(_l_largest)::DOUBLE AS _largest",
        "count(*) FILTER (WHERE _l_flag)::BIGINT AS _flagged",
    ]
    key_cols = ", ".join(_q(k) for k in keys)
    return (f"SELECT {key_cols}, {', '.join(select)} FROM (SELECT {inner}) "
            f"GROUP BY {key_cols} ORDER BY {key_cols}")


def _check(table: pa.Table, keys: list[str]) -> tuple[pa.Table, int]:
    """Prove the groups plain; return the table without totals groups and their line count."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def total(col: str) -> int:
        return int(pc.sum(table[col]).as_py() or 0)

    if table.num_rows == 0:
        raise Declined("no lines")
    if total("_flagged"):
        raise Declined("cells that may need cleaning")
    if total("_dates") != total("_rows") or total("lines") != total("_rows"):
        raise Declined("lines without a date or an amount")
    largest = pc.max(table["_largest"]).as_py()
    if largest is None or not largest < MAX_MONEY:  # NaN and inf fail this too
        raise Declined("an amount too large or not finite")
    first = pc.min(table["first_date"]).as_py()
    if first is None or first.year < 1000:  # DuckDB reads 24-01-05 as the year 24
        raise Declined("a date before the year 1000")
    customer = table["customer"]
    # An empty or blank id cleans to null: equal() is then null, which is not a proof.
    if customer.null_count or not pc.all(pc.fill_null(pc.equal(_text(customer), customer), False)).as_py():
        raise Declined("customer ids that need trimming")
    totals = pc.fill_null(pc.match_substring_regex(customer, TOTALS_PATTERN), False)
    if "_name_low" in table.column_names:
        if not pc.all(pc.fill_null(pc.equal(table["_name_low"], table["_name_high"]), True)).as_py():
            raise Declined("customer ids with several names")
        name = table["customer_name"]
        if pc.any(pc.fill_null(pc.match_substring_regex(name, TOTALS_PATTERN), False)).as_py():
            raise Declined("a totals label in the name column")
        names = _text(name)
        table = table.set_column(table.column_names.index("customer_name"), "customer_name",
                                 names.cast(pa.string()))
    dropped = int(pc.sum(pc.if_else(totals, table["_rows"], 0)).as_py() or 0)
    if dropped:
        table = table.filter(pc.invert(totals))
    return table, dropped


def load(name: str, options: LoadOptions, keys: list[str], figures: Sequence[str]) -> Any:
    """The ledger table straight from the file, with its prepared source; raises Declined."""
    from pathlib import Path

    from kamtool import ledger as ledger_mod
    from kamtool.io.read import _format_from_magic, open_source

    if name == "-" or keys not in (["customer"], ["customer", "date"]):
        raise Declined("stdin or grouping")
    if options.measures is None:
        raise Declined("a run that reports every column (inspect)")
    path = Path(name)
    if path.is_file():
        with open(path, "rb") as handle:
            if _format_from_magic(handle.read(8)) == "excel":
                raise Declined("a workbook")  # not opened: that would parse the whole sheet
    source = open_source(name, options.read)
    try:
        if source.path is None or source.format not in ("csv", "parquet"):
            raise Declined(source.format)
        prep = ledger_mod._prepare(source, options, {})
        sql = _query(source, prep, keys, figures)
        from kamtool.warm import warm_imports

        warm_imports()  # pandas loads while DuckDB reads
        try:
            table = ledger_mod.connection().sql(sql).to_arrow_table()
        except KamtoolError:
            raise
        except Exception as exc:  # a value or a row DuckDB cannot read: the Arrow path will say which
            raise Declined(str(exc).splitlines()[0]) from None
        table, totals = _check(ledger_mod._normalise(table), keys)
    except Declined as declined:
        declined.source = source
        raise
    prep.stats = BatchStats(rows=total_rows(table) + totals)
    if totals:
        prep.stats.dropped[REASON_TOTALS] += totals
    drop = [c for c in table.column_names if c.startswith("_")]
    return table.drop_columns(drop), prep


def total_rows(table: pa.Table) -> int:
    import pyarrow.compute as pc

    return int(pc.sum(table["_rows"]).as_py() or 0)
