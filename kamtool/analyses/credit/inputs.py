"""The credit analysis' inputs, checked and turned into whole numbers: days and cents.

Invoice lines are netted into invoices (one per customer and invoice id); a line that
carries its own ``paid_date`` becomes a payment referring to its invoice; a separate
payments frame adds payments with or without a reference. Every error names the frame,
the row (its position in the frame, counted from 1) and the column. Customers and invoice
ids then become whole-number codes once (:func:`code_inputs`), which is all the application
and the measures read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kamtool.analyses.rules import sorted_codes, whole_units
from kamtool.errors import ColumnError, DataError

NO_DAY = np.iinfo(np.int64).min  # an empty date; numpy reads it as NaT
_NO_DUE = np.iinfo(np.int64).max  # an empty due date while taking the earliest


def _pick(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in frame.columns), None)


def _require(frame: pd.DataFrame, what: str, options: dict[str, tuple[str, ...]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for canonical, names in options.items():
        name = _pick(frame, names)
        if name is None:
            raise ColumnError.said("error.inputs.credit_need_column_found", what=what,
                                   names=' or '.join(names),
                                   value=', '.join(map(str, frame.columns)) or 'none')
        found[canonical] = name
    return found


def _unreadable(values: pd.Series, failed: np.ndarray, required: bool) -> np.ndarray:
    """The cells that did not parse and are not empty (or, when required, any that did not
    parse); only the failed cells are read as text, so a clean column costs nothing."""
    bad = failed.copy()
    if required or not bad.any():
        return bad
    rows = np.flatnonzero(bad)
    sample = values.iloc[rows]
    bad[rows] = (sample.notna() & (sample.astype(str).str.strip() != "")).to_numpy()
    return bad


def day_numbers(values: pd.Series, what: str, column: str, required: bool) -> np.ndarray:
    """Dates as days since 1970-01-01 (NO_DAY where empty and allowed)."""
    stamps = pd.to_datetime(values, errors="coerce")
    bad = _unreadable(values, stamps.isna().to_numpy(), required)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError.said("error.inputs.credit_row_not_date", what=what, row=row + 1,
                             iloc=values.iloc[row], column=column)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    days = stamps.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
    return np.where(stamps.isna().to_numpy(), NO_DAY, days)


def cents_of(values: pd.Series, what: str, column: str, required: bool) -> np.ndarray:
    """Money as int64 cents; empty cells are an error when ``required``, else 0."""
    numbers = pd.to_numeric(values, errors="coerce")
    bad = _unreadable(values, numbers.isna().to_numpy(), required)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError.said("error.inputs.credit_row_not_amount", what=what, row=row + 1,
                             iloc=values.iloc[row], column=column)
    return whole_units(numbers.fillna(0).to_numpy(dtype=np.float64), "amount")


def _stripped(values: pd.Series) -> pd.Series:
    """``values`` as text with surrounding whitespace stripped; the text as it is when no value
    has any (a new array only where one changes: 5M ids, 70 MB kept once, not twice)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = values.astype("string").reset_index(drop=True)
    stripped = text.str.strip()

    def size(series: pd.Series) -> int:
        return int(pc.sum(pc.binary_length(pa.array(series.array))).as_py() or 0)

    # stripping only takes bytes away: the same total length is the same text
    return text if len(text) and size(stripped) == size(text) else stripped


def _customers(values: pd.Series, what: str) -> pd.Series:
    text = _stripped(values)
    empty = (text.isna() | (text == "")).to_numpy()
    if empty.any():
        row = int(np.flatnonzero(empty)[0])
        raise DataError.said("error.inputs.credit_row_customer_empty", what=what, row=row + 1)
    return text


def _ids(values: pd.Series | None, days: np.ndarray) -> pd.Series:
    """Invoice ids as text; a missing id is the invoice date (one invoice per customer-day)."""
    if values is None:
        return pd.Series(days.astype("datetime64[D]").astype(str)).astype("string")
    text = _stripped(values)
    missing = (text.isna() | (text == "")).to_numpy()
    if missing.any():
        fallback = pd.Series(days[missing].astype("datetime64[D]").astype(str), dtype="string")
        text = text.copy()
        text[missing] = fallback.to_numpy()
    return text


def read_invoices(lines: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Invoice lines -> (lines in days and cents: customer, invoice_id, day, due_day, cents;
    the payments recorded on the lines themselves)."""
    cols = _require(lines, "invoices", {"customer": ("customer",), "date": ("date",),
                                        "amount": ("amount", "revenue")})
    what = "invoices"
    customer = _customers(lines[cols["customer"]], what)
    day = day_numbers(lines[cols["date"]], what, cols["date"], required=True)
    cents = cents_of(lines[cols["amount"]], what, cols["amount"], required=True)
    invoice_id = _ids(lines.get("invoice_id"), day)
    due = (day_numbers(lines["due_date"], what, "due_date", required=False)
           if "due_date" in lines else np.full(len(lines), NO_DAY))
    frame = pd.DataFrame({"customer": customer, "invoice_id": invoice_id, "day": day,
                          "due_day": due, "cents": cents}, copy=False)
    return frame, _line_payments(lines, customer, invoice_id, cents)


def net_invoices(lines: pd.DataFrame) -> pd.DataFrame:
    """Invoice lines (see :func:`read_invoices`) netted into one row per customer and invoice,
    ordered by customer and invoice id (the frame form of :func:`net_coded`)."""
    book = code_inputs(lines, read_payments(None))
    net = net_coded(book.lines, len(book.keys))
    out = pd.DataFrame({
        "customer": pd.Series(book.names[net["cust"].to_numpy()], dtype="string"),
        "invoice_id": pd.Series(np.asarray(book.keys, dtype=object)[net["key"].to_numpy()], dtype="string"),
        "day": net["day"].to_numpy(), "due_day": net["due_day"].to_numpy(), "cents": net["cents"].to_numpy()})
    order = np.lexsort((out["invoice_id"].to_numpy(dtype=str), net["cust"].to_numpy()))
    return out.iloc[order].reset_index(drop=True)


@dataclass(frozen=True)
class Coded:
    """Invoice lines and payments with every customer and invoice id turned into a whole-number
    code, once: the application and the measures then group, sort and match integers.

    names: customer name per customer code, sorted as text (so code order is name order).
    keys: the text of each key code: the invoice ids of the lines and the invoice ids the
          payments name, in one code space (a reference finds its invoice by code).
    lines: cust, key, day, due_day (NO_DAY when none), cents, one row per invoice line.
    payments: cust, day, cents, ref (the key code of the invoice named, -1 for none).
    """

    names: np.ndarray
    keys: pd.Index
    lines: pd.DataFrame
    payments: pd.DataFrame


def code_inputs(lines: pd.DataFrame, payments: pd.DataFrame) -> Coded:
    """:func:`read_invoices`' lines and the payments (its line payments and
    :func:`read_payments`' frame, concatenated) as codes (see :class:`Coded`)."""
    n = len(lines)
    cust_code, names = _customer_codes(lines["customer"], payments["customer"])
    ids = lines["invoice_id"].astype("string").reset_index(drop=True)
    refs = payments["ref"].astype("string").reset_index(drop=True)
    runs = _sorted_runs(cust_code[:n], ids)
    if runs is None:
        # hashed, not sorted: the one order by id text that matters (ties of the replay) is
        # taken on the few events that tie (apply._tie_ranks)
        key_code, keys = pd.factorize(pd.concat([ids, refs], ignore_index=True))
        line_key, ref_key = key_code[:n].astype(np.int64), key_code[n:].astype(np.int64)
        key_index = pd.Index(keys)
    else:
        line_key, run_text = runs
        ref_key, key_index = _run_references(cust_code[:n][_run_starts(line_key)], run_text,
                                             cust_code[n:], refs)
    # copy=False: the columns as they are, not stacked into one block (10M lines: 0.2 GB, 0.3 s)
    coded_lines = pd.DataFrame({"cust": cust_code[:n], "key": line_key,
                                "day": lines["day"].to_numpy(dtype=np.int64),
                                "due_day": lines["due_day"].to_numpy(dtype=np.int64),
                                "cents": lines["cents"].to_numpy(dtype=np.int64)}, copy=False)
    coded_payments = pd.DataFrame({"cust": cust_code[n:], "day": payments["day"].to_numpy(dtype=np.int64),
                                   "cents": payments["cents"].to_numpy(dtype=np.int64), "ref": ref_key},
                                  copy=False)
    return Coded(names, key_index, coded_lines, coded_payments)


def _customer_codes(lines: pd.Series, payments: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The customer code of every line, then of every payment, and the names by code, as
    ``pd.factorize`` of the two together with ``sort=True`` gives them: the lines coded by
    :func:`~kamtool.analyses.rules.sorted_codes` (by their runs when they come sorted by
    customer, the ledger's order), then only their distinct names and the payments' customers
    hashed (5M lines: 1.2 s less)."""
    line_code, line_names = sorted_codes(lines.astype("string"))
    both = pd.concat([pd.Series(np.asarray(line_names, dtype=object)), payments.astype(object)],
                     ignore_index=True)
    code, names = pd.factorize(both, sort=True)
    code = code.astype(np.int64)
    return np.concatenate([code[:len(line_names)][line_code], code[len(line_names):]]), \
        np.asarray(names, dtype=object)


def _run_starts(run_code: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.r_[True, run_code[1:] != run_code[:-1]]) if len(run_code) else run_code


def _sorted_runs(cust: np.ndarray, ids: pd.Series) -> tuple[np.ndarray, Any] | None:
    """When the lines are sorted by customer, then invoice id as text (the ledger's order),
    each line's invoice as the number of its run of equal (customer, id), and the id text of
    each run: a comparison of neighbours instead of a hash of every id (5M distinct ids hash in
    about 5 s). None when the lines are in another order."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(cust) < 2:
        one = pa.array(ids.to_numpy(dtype=object), type=pa.large_string())
        return np.zeros(len(cust), dtype=np.int64), one
    text = pa.array(ids.array)
    same_customer = cust[1:] == cust[:-1]
    if (cust[1:] < cust[:-1]).any():
        return None
    ordered = pc.fill_null(pc.less_equal(text[:-1], text[1:]), False).to_numpy(zero_copy_only=False)
    if not (ordered | ~same_customer).all():
        return None
    changed = pc.fill_null(pc.not_equal(text[:-1], text[1:]), True).to_numpy(zero_copy_only=False)
    run = np.cumsum(np.r_[0, ~same_customer | changed]).astype(np.int64)
    if int(run[-1]) == len(run) - 1:  # every line an invoice of its own: the ids are the runs' text
        return run, text
    return run, text.take(pa.array(_run_starts(run)))


def _run_references(run_cust: np.ndarray, run_text: Any, pay_cust: np.ndarray,
                    refs: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """The key code of each payment's reference when the lines' keys are runs: the run of its
    customer with that id text, else (no such invoice of its customer) a code of its own past
    the runs, one per text; -1 for none. Only the references are hashed, and the runs' ids are
    looked up among them. Returns the codes and the text of every code."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ref_key = np.full(len(refs), -1, dtype=np.int64)
    named = np.flatnonzero(refs.notna().to_numpy())
    m = len(run_cust)
    # the chunks themselves: pa.chunked_array([a ChunkedArray]) would convert it value by value
    chunks = list(run_text.chunks) if isinstance(run_text, pa.ChunkedArray) else [run_text]
    if len(named) == 0:
        return ref_key, pd.Index(pd.arrays.ArrowStringArray(pa.chunked_array(chunks, type=run_text.type)))
    local, uniques = pd.factorize(refs.iloc[named])
    u = len(uniques)
    found_at = pc.index_in(run_text, value_set=pa.array(uniques.array))
    hit = pc.fill_null(found_at, -1).to_numpy().astype(np.int64)
    runs = np.flatnonzero(hit >= 0)
    pairs = run_cust[runs] * u + hit[runs]  # one run per (customer, text): the lines are sorted
    by_pair = np.argsort(pairs)
    pairs, runs = pairs[by_pair], runs[by_pair]
    wanted = pay_cust[named] * u + local
    at = np.minimum(np.searchsorted(pairs, wanted), max(len(pairs) - 1, 0))
    found = (pairs[at] == wanted) if len(pairs) else np.zeros(len(wanted), dtype=bool)
    ref_key[named] = np.where(found, runs[at] if len(runs) else 0, m + local)
    text = pa.chunked_array([*chunks, pa.array(uniques.array).cast(run_text.type)], type=run_text.type)
    return ref_key, pd.Index(pd.arrays.ArrowStringArray(text))


def net_coded(lines: pd.DataFrame, n_keys: int) -> pd.DataFrame:
    """Coded invoice lines (cust, key, day, due_day, cents) netted into one row per customer
    and invoice, ordered by customer code and key code.

    An invoice's lines may differ in date or due date (a correction line): the invoice takes
    the earliest of each, so its age is never understated.
    """
    if lines.empty:
        return pd.DataFrame({c: np.zeros(0, dtype=np.int64) for c in ("cust", "key", "day", "due_day",
                                                                       "cents")})
    cust, key = lines["cust"].to_numpy(dtype=np.int64), lines["key"].to_numpy(dtype=np.int64)
    packed = cust * max(int(n_keys), 1) + key
    grouped = bool((packed[1:] >= packed[:-1]).all())  # the ledger's order (runs): no sort, no copies
    order = None if grouped else np.argsort(packed)  # the groups only: sums and minima ignore the order

    def ordered(values: np.ndarray) -> np.ndarray:
        return values if order is None else values[order]

    packed = ordered(packed)
    starts = np.flatnonzero(np.r_[True, packed[1:] != packed[:-1]])
    del packed
    if order is None and len(starts) == len(lines):  # one line per invoice: the lines as they are
        return pd.DataFrame({c: lines[c].to_numpy(dtype=np.int64) for c in ("cust", "key", "day", "due_day",
                                                                             "cents")}, copy=False)
    due = ordered(lines["due_day"].to_numpy(dtype=np.int64))
    due = np.minimum.reduceat(np.where(due != NO_DAY, due, _NO_DUE), starts)
    first = starts if order is None else order[starts]
    return pd.DataFrame({
        "cust": cust[first], "key": key[first],
        "day": np.minimum.reduceat(ordered(lines["day"].to_numpy(dtype=np.int64)), starts),
        "due_day": np.where(due != _NO_DUE, due, NO_DAY),
        "cents": np.add.reduceat(ordered(lines["cents"].to_numpy(dtype=np.int64)), starts),
    }, copy=False)


def _line_payments(lines: pd.DataFrame, customer: pd.Series, invoice_id: pd.Series,
                   line_cents: np.ndarray) -> pd.DataFrame:
    what = "invoices"
    n = len(lines)
    paid_day = (day_numbers(lines["paid_date"], what, "paid_date", required=False)
                if "paid_date" in lines else np.full(n, NO_DAY))
    if "paid_amount" in lines:
        given = lines["paid_amount"].notna().to_numpy()
        paid = cents_of(lines["paid_amount"], what, "paid_amount", required=False)
    else:
        given, paid = np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int64)
    orphan = (paid_day == NO_DAY) & given & (paid != 0)
    if orphan.any():
        row = int(np.flatnonzero(orphan)[0])
        raise DataError.said("error.inputs.credit_invoices_row_paid", row=row + 1, paid=paid[row] / 100)
    # A paid date without an amount: the line was paid in full that day.
    cents = np.where(given, paid, line_cents)
    keep = (paid_day != NO_DAY) & (cents != 0)
    out = pd.DataFrame({"customer": customer[keep].reset_index(drop=True), "day": paid_day[keep],
                        "cents": cents[keep], "ref": invoice_id[keep].reset_index(drop=True)}, copy=False)
    _no_refunds(out, np.flatnonzero(keep), what, "paid_amount")
    return out


def _no_refunds(payments: pd.DataFrame, rows: np.ndarray, what: str, column: str) -> None:
    negative = payments["cents"].to_numpy() < 0
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        raise DataError.said("error.inputs.credit_row_negative_record", what=what, rows=int(rows[i]) + 1,
                             column=column, iloc=payments['cents'].iloc[i] / 100)


def read_payments(frame: pd.DataFrame | None) -> pd.DataFrame:
    """The payments frame: customer, date (or paid_date), amount (or paid_amount), optional
    invoice_id (or order_id) reference."""
    empty = pd.DataFrame({"customer": pd.Series([], dtype=object), "day": np.zeros(0, np.int64),
                          "cents": np.zeros(0, np.int64), "ref": pd.Series([], dtype="string")})
    if frame is None or frame.empty:
        return empty
    what = "payments"
    cols = _require(frame, what, {"customer": ("customer",), "date": ("date", "paid_date"),
                                  "amount": ("amount", "paid_amount")})
    ref_col = _pick(frame, ("invoice_id", "order_id"))
    refs = pd.Series(pd.NA, index=range(len(frame)), dtype="string")
    if ref_col is not None:
        text = frame[ref_col].astype("string").str.strip().reset_index(drop=True)
        refs = text.where(text != "", pd.NA)
    out = pd.DataFrame({
        "customer": _customers(frame[cols["customer"]], what),
        "day": day_numbers(frame[cols["date"]], what, cols["date"], required=True),
        "cents": cents_of(frame[cols["amount"]], what, cols["amount"], required=True),
        "ref": refs,
    })
    _no_refunds(out, np.arange(len(out)), what, cols["amount"])
    return out[out["cents"] != 0].reset_index(drop=True)


def read_accounts(frame: pd.DataFrame | None) -> pd.DataFrame:
    """Account attributes by customer: terms, current_limit (cents), owner, region."""
    if frame is None or frame.empty:
        return pd.DataFrame({"terms": pd.Series([], dtype=np.float64),
                             "current_limit": pd.Series([], dtype=np.float64)},
                            index=pd.Index([], name="customer", dtype=object))
    what = "accounts"
    _require(frame, what, {"customer": ("customer",)})
    customer = _customers(frame["customer"], what)
    twice = customer.duplicated()
    if twice.any():
        row = int(np.flatnonzero(twice.to_numpy())[0])
        raise DataError.said("error.inputs.credit_accounts_row_customer", row=row + 1,
                             iloc=customer.iloc[row])
    out = pd.DataFrame(index=pd.Index(customer, name="customer"))
    out["terms"] = np.nan
    if "payment_terms" in frame:
        terms = pd.to_numeric(frame["payment_terms"], errors="coerce").to_numpy(dtype=np.float64)
        bad = (np.isnan(terms) & frame["payment_terms"].notna().to_numpy()) | (terms < 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise DataError.said("error.inputs.credit_accounts_row_payment", row=row + 1,
                                 iloc=frame['payment_terms'].iloc[row])
        out["terms"] = np.round(terms)
    out["current_limit"] = np.nan
    if "credit_limit" in frame:
        cents = cents_of(frame["credit_limit"], what, "credit_limit", required=False)
        out["current_limit"] = np.where(frame["credit_limit"].notna().to_numpy(), cents, np.nan)
    # the io maps an "owner" header to salesperson: the account owner either way
    for dim, names in (("owner", ("owner", "salesperson")), ("region", ("region",))):
        if (name := _pick(frame, names)) is not None:
            out[dim] = frame[name].astype("string").fillna("").str.strip().to_numpy()
    return out
