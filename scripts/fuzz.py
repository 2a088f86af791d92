"""A standing fuzz campaign: broken inputs of every kind, every command, every output.

Each case is an order export broken in one way (see ``KINDS``), made from a seed so it can
be made again: ``make_case(kind, seed)``; a command that takes ``--accounts`` or
``--payments`` (``SECOND_FILES``: adding a command is one line there) also gets, when the
run draws them, second files valid or broken (``SECOND_KINDS``, ``make_second_file``).
Each run is one command with one output (``table`` on a pipe, ``--format json``,
``--format csv``, ``-o out.xlsx``, ``-o out.csv``) under a time and an address-space
limit, and classified (see ``CATEGORIES``).  The campaign prints the counts per category
and command and writes every failing run (inputs, command line, stdout, stderr) to
``--failures DIR`` for reproduction; SIGTERM stops it after the run under way, counts kept.

Two runners, classified alike (``--compare`` runs every case with both and counts where
they differ): ``--runner fork`` (the default) forks each run from a server process that
imported kamtool and its libraries once (see ``ForkRunner``): a run costs its own work, not
a second of imports; ``--runner subprocess`` starts a fresh ``kamtool`` per run.

    nice -n 10 python scripts/fuzz.py --runs 10000 --seed 3 --jobs 1
    python scripts/fuzz.py --minutes 5 --commands abc credit --kinds payloads bad_dates
    python scripts/fuzz.py --compare --runs 200

The module is importable (tests load it with importlib): ``make_case``, ``classify``,
``run_case`` (any runner; a subprocess by default) and ``run_case_with`` (a callable runner,
e.g. the tests' in-process one).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import csv
import datetime as dt
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

# Every command, with the second files it takes (each one, when a run draws it, is a valid or a
# broken --accounts / --payments file).  A new command is one line here, e.g.
#     "profile": ("accounts", "payments"),
SECOND_FILES: dict[str, tuple[str, ...]] = {
    "inspect": (),
    "pareto": (),
    "abc": (),
    "rfm": (),
    "loyalty": (),
    "churn": ("accounts", "payments"),
    "clv": (),
    "tiers": ("accounts",),
    "stages": ("accounts",),
    "credit": ("payments", "accounts"),
    "profile": ("accounts", "payments"),
    "report": ("accounts", "payments"),
}
COMMANDS = tuple(SECOND_FILES)


def app_commands() -> list[str]:
    """The commands registered on kamtool's app (a branch may not have every one above yet)."""
    from kamtool.cli.app import _command_names, _register

    _register()
    return _command_names()
RUNNERS = ("fork", "subprocess")
OUTPUTS = ("table", "json", "csv", "xlsx", "ocsv")
OK_EXITS = frozenset({0, 1, 2, 130})

CATEGORIES = {
    "traceback": "a Python traceback (or 'Exception ignored') on stderr or stdout",
    "exit": "an exit code other than 0, 1, 2, 130 (a signal: negative)",
    "bug": "'this may be a kamtool bug' on stderr",
    "timeout": "the run took longer than the time limit",
    "memory": "the run hit the memory limit (MemoryError, 'out of memory', an allocation failure)",
    "escape": "an escape or control byte from the data on stdout or stderr",
    "markup": "data rendered as Rich markup (a tag from the data missing from the output)",
    "formula": "a CSV cell from the data that begins with = + - @ tab or CR (not a number)",
    "stray": "a temporary file left beside the -o output",
}

# Payloads put into text columns: markup, terminal escapes, formulas (the issue's own).
MARKUP = ("[/]", "[link=https://x]Acme[/link]", "[b]Bold Co", "[bold red]Red Co", "Ends\\")
ESCAPES = ("\x1b[2J\x1b[31mPWNED", "\x9b31mC1", "bidi\u202eexe.txt", "bell\x07", "\x1b]8;;http://x\x1b\\l")
FORMULAS = (
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A2)",
    "\t=1+1",
    '=HYPERLINK("x")',
)
PAYLOADS = MARKUP + ESCAPES + FORMULAS
# Markup payloads and the text Rich would show for them if it took them as markup.
RENDERED = {"[b]Bold Co": "Bold Co", "[link=https://x]Acme[/link]": "Acme", "[bold red]Red Co": "Red Co"}
TEXT_COLUMNS = ("customer", "customer_name", "product", "brand", "salesperson", "region")
FULLWIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")
_DANGER = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@dataclass
class Case:
    """One broken input: a file name (its suffix picks the reader), its bytes, and why."""

    kind: str
    seed: int
    name: str
    data: bytes
    stdin: bool = False  # read as `-` from standard input
    extra: tuple[str, ...] = ()  # options the case needs (e.g. --col)
    payloads: tuple[str, ...] = ()  # hostile text put into the data
    # Second files (--accounts, --payments): option -> (file name, bytes, how it was made).
    second_files: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.kind}-{self.seed}"


@dataclass
class Outcome:
    case: Case
    command: str
    output: str
    argv: list[str]
    code: int
    stdout: str
    stderr: str
    seconds: float
    found: set[str] = field(default_factory=set)
    written: dict[str, bytes] = field(default_factory=dict)  # -o files: name -> bytes


# -- valid exports to break ----------------------------------------------------------------
def order_rows(rng: random.Random, lines: int | None = None) -> list[dict[str, Any]]:
    """Plausible order lines: a dozen customers over two years, some returns."""
    lines = lines or rng.randint(20, 160)
    customers = [f"C{n:03d}" for n in range(rng.randint(8, 30))]
    start = dt.date(2023, 1, 1)
    rows = []
    for i in range(lines):
        customer = rng.choice(customers)
        amount = round(rng.uniform(-50, 900) if rng.random() < 0.1 else rng.uniform(1, 900), 2)
        rows.append(
            {
                "customer": customer,
                "customer_name": f"{customer} 贸易有限公司" if rng.random() < 0.5 else f"{customer} Ltd",
                "date": (start + dt.timedelta(days=rng.randint(0, 720))).isoformat(),
                "amount": amount,
                "order_id": f"SO{i // rng.randint(1, 3):05d}",
                "product": rng.choice(["P1", "P2", "P3", "纸巾"]),
                "brand": rng.choice(["ours", "rival", "其他"]),
                "salesperson": rng.choice(["王", "Li", "Smith"]),
                "region": rng.choice(["华东", "North"]),
            }
        )
    return rows


def csv_bytes(
    rows: list[dict[str, Any]],
    *,
    header: Sequence[str] | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    header = list(header or (rows[0].keys() if rows else ["customer", "date", "amount"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[dict[str, Any]]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    book.set_properties({"created": dt.datetime(2024, 1, 1)})  # the same seed makes the same bytes
    sheet = book.add_worksheet("订单")
    header = list(rows[0].keys()) if rows else ["customer", "date", "amount"]
    sheet.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, key in enumerate(header):
            value = row.get(key)
            if isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif value is not None:
                sheet.write_string(r, c, str(value)[:32_767])
    book.close()
    return buffer.getvalue()


def parquet_bytes(rows: list[dict[str, Any]], types: dict[str, Any] | None = None) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {k: [r[k] for r in rows] for k in rows[0]} if rows else {"customer": [], "amount": []}
    arrays = {}
    for key, values in columns.items():
        wanted = (types or {}).get(key)
        if key == "date" and wanted is None:
            arrays[key] = pa.array(
                [
                    dt.date.fromisoformat(v)
                    if isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[:4].isdigit()
                    else None
                    for v in values
                ],
                type=pa.date32(),
            )
        else:
            arrays[key] = pa.array(values, type=wanted) if wanted is not None else pa.array(values)
    buffer = io.BytesIO()
    pq.write_table(pa.table(arrays), buffer)
    return buffer.getvalue()


# -- the kinds of breakage -------------------------------------------------------------------
def _random_bytes(rng: random.Random) -> tuple[str, bytes]:
    suffix = rng.choice([".csv", ".xlsx", ".parquet", ".txt"])
    return f"orders{suffix}", rng.randbytes(rng.randint(0, 4096))


def _damaged(rng: random.Random, data: bytes, truncate: bool) -> bytes:
    if truncate:
        return data[: rng.randint(0, max(len(data) - 1, 0))]
    out = bytearray(data)
    for _ in range(rng.randint(1, 12)):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def _text_variants(rng: random.Random, rows: list[dict[str, Any]], how: str) -> list[dict[str, Any]]:
    for row in rows:
        if how == "bad_dates" and rng.random() < 0.3:
            row["date"] = rng.choice(
                [
                    "31/02/2024",
                    "2024-13-01",
                    "yesterday",
                    "0000-00-00",
                    "2024/02/30",
                    "45356.5",
                    "-1",
                    "1e9",
                    "",
                    "2024-02-29T25:00",
                ]
            )
        elif how == "bad_money" and rng.random() < 0.3:
            row["amount"] = rng.choice(
                [
                    "¥1,000.50",
                    "(12.00)",
                    "12,5",
                    "1.234,56",
                    "abc",
                    "--5",
                    "1e400",
                    "NaN",
                    "$",
                    "12.5.3",
                    "∞",
                    "1 000",
                ]
            )
        elif how == "extreme_dates" and rng.random() < 0.3:
            row["date"] = rng.choice(
                ["9999-12-31", "0001-01-01", "1800-01-01", "2262-04-12", "1677-09-21", "2100-01-01"]
            )
        elif how == "extreme_amounts" and rng.random() < 0.3:
            row["amount"] = rng.choice([1e15, -1e15, 1e300, -1e12, 9.99e17, 1e-9, 2**63, -(2**63)])
        elif how == "fullwidth":
            row["amount"] = str(row["amount"]).translate(FULLWIDTH)
            if rng.random() < 0.5:
                row["date"] = row["date"].translate(FULLWIDTH)
        elif how == "all_returns":
            row["amount"] = -abs(float(row["amount"])) or -1.0
        elif how == "payloads":
            for key in TEXT_COLUMNS:
                if rng.random() < 0.4:
                    row[key] = rng.choice(PAYLOADS)
    return rows


def make_case(kind: str, seed: int) -> Case:
    """The case of ``kind`` made from ``seed`` (the same seed makes the same bytes)."""
    rng = random.Random(f"{kind}:{seed}")
    rows = order_rows(rng)
    payloads: tuple[str, ...] = ()
    if kind == "random_bytes":
        name, data = _random_bytes(rng)
    elif kind in ("truncated_xlsx", "bitflip_xlsx"):
        name, data = "orders.xlsx", _damaged(rng, xlsx_bytes(rows), kind.startswith("truncated"))
    elif kind in ("truncated_parquet", "bitflip_parquet"):
        name, data = "orders.parquet", _damaged(rng, parquet_bytes(rows), kind.startswith("truncated"))
    elif kind in ("truncated_csv", "bitflip_csv"):
        name, data = "orders.csv", _damaged(rng, csv_bytes(rows), kind.startswith("truncated"))
    elif kind == "ragged_rows":
        lines = csv_bytes(rows).decode().splitlines()
        for i in rng.sample(range(1, len(lines)), k=min(len(lines) - 1, rng.randint(1, 5))):
            lines[i] = (
                lines[i] + ",extra" * rng.randint(1, 3) if rng.random() < 0.5 else lines[i].rsplit(",", 2)[0]
            )
        name, data = "orders.csv", ("\n".join(lines) + "\n").encode()
    elif kind in ("bad_dates", "bad_money", "extreme_dates", "extreme_amounts", "fullwidth", "all_returns"):
        rows = _text_variants(rng, rows, kind)
        fmt = (
            rng.choice(["csv", "csv", "xlsx", "parquet"]) if kind not in ("bad_money", "bad_dates") else "csv"
        )
        if kind in ("extreme_amounts", "all_returns") and fmt == "parquet":
            rows = [{**r, "amount": float(r["amount"])} for r in rows]
        name, data = _encode(rows, fmt)
    elif kind == "payloads":
        rows = _text_variants(rng, rows, kind)
        payloads = PAYLOADS
        name, data = _encode(rows, rng.choice(["csv", "csv", "xlsx", "parquet"]))
    elif kind == "nul_bytes":
        raw = bytearray(csv_bytes(rows))
        for _ in range(rng.randint(1, 20)):
            raw.insert(rng.randrange(len(raw)), 0)
        name, data = "orders.csv", bytes(raw)
    elif kind == "utf16":
        name, data = "orders.csv", csv_bytes(rows, encoding=rng.choice(["utf-16", "utf-16-le", "utf-16-be"]))
    elif kind == "huge_cell":
        rows[rng.randrange(len(rows))]["customer_name"] = "长" * rng.choice([33_000, 40_000, 200_000])
        name, data = _encode(rows, rng.choice(["csv", "xlsx_raw"]))
    elif kind == "huge_line":
        body = csv_bytes(rows)
        line = (
            b'"' + b"x" * (17 << 20) + b'",2024-01-01,1\n'
            if rng.random() < 0.5
            else b'"never closed,2024-01-01,1\n'
        )
        name, data = "orders.csv", body + line + body.split(b"\n", 1)[1]
    elif kind == "header_only":
        name, data = _encode([], rng.choice(["csv", "xlsx"]), header=list(rows[0]))
    elif kind == "duplicate_headers":
        header = list(rows[0]) + ["amount", "customer"]
        name, data = "orders.csv", csv_bytes(rows, header=header)
    elif kind == "all_empty":
        name, data = "orders.csv", rng.choice([b"", b"\n\n\n", b",,,\n,,,\n", b"\xef\xbb\xbf", b"   \n"])
    elif kind == "hostile_xlsx":
        name, data = "orders.xlsx", hostile_workbook(rng)
    elif kind == "parquet_types":
        name, data = "orders.parquet", _odd_parquet(rng, rows)
    else:
        raise ValueError(f"unknown kind {kind!r}; the kinds are {', '.join(KINDS)}")
    stdin = kind not in ("hostile_xlsx", "huge_line") and rng.random() < 0.15
    return Case(kind=kind, seed=seed, name=name, data=data, stdin=stdin, payloads=payloads)


def _encode(rows: list[dict[str, Any]], fmt: str, header: list[str] | None = None) -> tuple[str, bytes]:
    if fmt == "csv":
        return "orders.csv", csv_bytes(rows, header=header)
    if fmt == "parquet":
        return "orders.parquet", parquet_bytes(rows)
    if fmt == "xlsx_raw":  # strings over Excel's limit, which XlsxWriter would cut
        return "orders.xlsx", raw_xlsx([list(rows[0])] + [[r[k] for k in rows[0]] for r in rows])
    if not rows:
        return "orders.xlsx", raw_xlsx([header or ["customer", "date", "amount"]])
    return "orders.xlsx", xlsx_bytes(rows)


def raw_xlsx(table: list[list[Any]], *, dimension: str | None = None, extra_rows: str = "") -> bytes:
    """A minimal workbook written by hand (inline strings), so nothing is cut or checked."""
    from xml.sax.saxutils import escape

    def col(n: int) -> str:
        out = ""
        while n:
            n, r = divmod(n - 1, 26)
            out = chr(65 + r) + out
        return out

    body = []
    for r, row in enumerate(table, start=1):
        cells = []
        for c, value in enumerate(row, start=1):
            ref = f"{col(c)}{r}"
            if isinstance(value, int | float):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
        body.append(f'<row r="{r}">{"".join(cells)}</row>')
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}">{dim}<sheetData>'
        f'{"".join(body)}{extra_rows}</sheetData></worksheet>'
    )
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/><Override '
            'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
            'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{ns}" xmlns:r="{rel}"><sheets><sheet name="订单" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


HOSTILE = ("xfd_corner", "xfd_row_3000", "declared_full", "rows_beyond_excel", "long_cell")


def hostile_workbook(rng: random.Random, which: str | None = None) -> bytes:
    """Tiny workbooks that cost far more than their data: the issue's own cases."""
    which = which or rng.choice(HOSTILE)
    table: list[list[Any]] = [["customer", "date", "amount"], ["a", "2024-01-01", 5], ["b", "2024-02-01", 7]]
    if which == "xfd_corner":
        return raw_xlsx(table, extra_rows='<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    if which == "xfd_row_3000":
        return raw_xlsx(table, extra_rows='<row r="3000"><c r="XFD3000"><v>1</v></c></row>')
    if which == "declared_full":
        return raw_xlsx(table, dimension="A1:XFD1048576")
    if which == "rows_beyond_excel":
        return raw_xlsx(table, extra_rows='<row r="1048577"><c r="A1048577"><v>1</v></c></row>')
    return raw_xlsx(table + [["c" * 40_000, "2024-03-01", 1]])


def _odd_parquet(rng: random.Random, rows: list[dict[str, Any]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = len(rows)
    which = rng.choice(["binary_customer", "null_amount", "uint64_amount", "bad_utf8", "nested", "decimal"])
    customer: Any = pa.array([r["customer"] for r in rows])
    amount: Any = pa.array([float(r["amount"]) for r in rows])
    if which == "binary_customer":
        customer = pa.array([r["customer"].encode() + b"\xff" for r in rows], type=pa.binary())
    elif which == "null_amount":
        amount = pa.nulls(n)
    elif which == "uint64_amount":
        amount = pa.array([2**63 + i for i in range(n)], type=pa.uint64())
    elif which == "bad_utf8":
        customer = pa.Array.from_buffers(
            pa.string(),
            1,
            [None, pa.py_buffer(b"\x00\x00\x00\x00\x02\x00\x00\x00"), pa.py_buffer(b"\xff\xfe")],
        )
        customer = pa.concat_arrays([customer] * n) if n else customer
    elif which == "nested":
        customer = pa.array([[r["customer"]] for r in rows])
    elif which == "decimal":
        import decimal

        amount = pa.array([decimal.Decimal(str(r["amount"])) for r in rows], type=pa.decimal128(38, 2))
    dates = pa.array([dt.date.fromisoformat(r["date"]) for r in rows], type=pa.date32())
    table = pa.table({"customer": customer, "date": dates, "amount": amount})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


# -- second files: --accounts and --payments, valid or broken ---------------------------------
SECOND_KINDS = (
    "valid",
    "valid",
    "valid",
    "random_bytes",
    "truncated",
    "bitflip",
    "header_only",
    "all_empty",
    "bad_dates",
    "bad_money",
    "duplicates",
    "strangers",
    "missing_columns",
    "payloads",
    "utf16",
    "xlsx",
    "bitflip_xlsx",
    "nul_bytes",
    "parquet",
)


def second_rows(option: str, rng: random.Random, orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Plausible --accounts rows (one per customer of the orders) or --payments rows (some
    naming an order as the invoice they settle, some not)."""
    customers = sorted({str(r["customer"]) for r in orders}) or ["C000"]
    if option == "accounts":
        return [
            {
                "customer": c,
                "customer_name": f"{c} 贸易",
                "strategic_value": rng.randint(1, 5),
                "elasticity": rng.randint(1, 5),
                "owner": rng.choice(["王", "Li"]),
                "credit_limit": rng.choice([5000, 20000, 0]),
                "payment_terms": rng.choice([30, 45, 60]),
                "status": rng.choice(["", "", "active", "lost"]),
                "churn_reason": rng.choice(["", "", "price", "价格"]),
            }
            for c in customers
            if rng.random() < 0.9
        ] or [{"customer": customers[0], "strategic_value": 3}]
    rows = []
    for order in orders:
        if rng.random() < 0.6:
            day = dt.date.fromisoformat(order["date"]) if _is_day(order["date"]) else dt.date(2024, 1, 1)
            rows.append(
                {
                    "customer": order["customer"],
                    "date": (day + dt.timedelta(days=rng.randint(0, 90))).isoformat(),
                    "amount": round(abs(float(order["amount"])) * rng.choice([1, 1, 0.5, 1.2]), 2),
                    "invoice_id": order["order_id"] if rng.random() < 0.7 else "",
                }
            )
    return rows or [{"customer": customers[0], "date": "2024-01-01", "amount": 1.0, "invoice_id": ""}]


def _is_day(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[:4].isdigit()


def make_second_file(option: str, kind: str, seed: int, orders: list[dict[str, Any]]) -> tuple[str, bytes]:
    """The ``--accounts`` or ``--payments`` file of ``kind`` (see ``SECOND_KINDS``), from ``seed``."""
    rng = random.Random(f"{option}:{kind}:{seed}")
    rows = second_rows(option, rng, orders)
    stem = option
    if kind == "valid":
        return f"{stem}.csv", csv_bytes(rows)
    if kind == "random_bytes":
        return f"{stem}{rng.choice(['.csv', '.xlsx', '.parquet'])}", rng.randbytes(rng.randint(0, 2048))
    if kind in ("truncated", "bitflip"):
        return f"{stem}.csv", _damaged(rng, csv_bytes(rows), kind == "truncated")
    if kind == "header_only":
        return f"{stem}.csv", csv_bytes([], header=list(rows[0]))
    if kind == "all_empty":
        return f"{stem}.csv", rng.choice([b"", b"\n\n", b",,,\n"])
    if kind in ("bad_dates", "bad_money"):
        key = "date" if kind == "bad_dates" and option == "payments" else (
            "amount" if option == "payments" else "credit_limit")
        if kind == "bad_dates" and option == "accounts":
            key = "payment_terms"
        for row in rows:
            if rng.random() < 0.4:
                row[key] = rng.choice(["31/02/2024", "yesterday", "9999-12-31", "abc", "(12.00)", "1e400",
                                       "-5", "¥1,000", "NaN", "", "１２"])
        return f"{stem}.csv", csv_bytes(rows)
    if kind == "duplicates":
        return f"{stem}.csv", csv_bytes(rows + rows[: rng.randint(1, len(rows))])
    if kind == "strangers":  # customers the orders never name
        return f"{stem}.csv", csv_bytes([{**r, "customer": f"X{i}"} for i, r in enumerate(rows)])
    if kind == "missing_columns":
        keep = [k for k in rows[0] if k != "customer" and rng.random() < 0.5] or ["amount"]
        return f"{stem}.csv", csv_bytes(rows, header=keep)
    if kind == "payloads":
        for row in rows:
            for key in ("customer", "owner", "status", "churn_reason", "invoice_id"):
                if key in row and rng.random() < 0.4:
                    row[key] = rng.choice(PAYLOADS)
        return f"{stem}.csv", csv_bytes(rows)
    if kind == "utf16":
        return f"{stem}.csv", csv_bytes(rows, encoding="utf-16")
    if kind == "xlsx":
        return f"{stem}.xlsx", xlsx_bytes(rows)
    if kind == "bitflip_xlsx":
        return f"{stem}.xlsx", _damaged(rng, xlsx_bytes(rows), rng.random() < 0.5)
    if kind == "nul_bytes":
        raw = bytearray(csv_bytes(rows))
        for _ in range(rng.randint(1, 10)):
            raw.insert(rng.randrange(len(raw)), 0)
        return f"{stem}.csv", bytes(raw)
    if kind == "parquet":
        return f"{stem}.parquet", parquet_bytes(rows)
    raise ValueError(f"unknown second-file kind {kind!r}; the kinds are {', '.join(set(SECOND_KINDS))}")


def with_second_files(case: Case, command: str, rng: random.Random) -> Case:
    """``case`` with the second files ``command`` takes, each drawn (or left out) by ``rng``."""
    options = SECOND_FILES.get(command, ())
    if not options:
        return case
    orders = order_rows(random.Random(f"{case.kind}:{case.seed}"))  # make_case's own first rows
    files: dict[str, tuple[str, bytes, str]] = {}
    for option in options:
        if rng.random() < 0.75:
            kind = rng.choice(SECOND_KINDS)
            name, data = make_second_file(option, kind, case.seed, orders)
            files[option] = (name, data, kind)
    return replace(case, second_files=files)


KINDS = (
    "random_bytes",
    "truncated_xlsx",
    "bitflip_xlsx",
    "truncated_parquet",
    "bitflip_parquet",
    "truncated_csv",
    "bitflip_csv",
    "ragged_rows",
    "bad_dates",
    "bad_money",
    "nul_bytes",
    "utf16",
    "huge_cell",
    "huge_line",
    "header_only",
    "duplicate_headers",
    "all_empty",
    "all_returns",
    "extreme_dates",
    "extreme_amounts",
    "fullwidth",
    "payloads",
    "hostile_xlsx",
    "parquet_types",
)
# Kinds that may abort or exhaust the process today: never run in-process.
SUBPROCESS_ONLY = frozenset({"hostile_xlsx", "huge_line", "huge_cell"})


# -- running and classifying --------------------------------------------------------------------
def argv_for(case: Case, command: str, output: str, folder: Path) -> list[str]:
    source = "-" if case.stdin else str(folder / case.name)
    # profile takes a CUSTOMER first: "1" matches ids and names by substring (one card, a list
    # of several, or none: each a path of its own); a workbook is every key account's card.
    query = (["--all"] if output == "xlsx" else ["1"]) if command == "profile" else []
    args = [command, *query, source, *case.extra]
    for option, (name, _data, _kind) in case.second_files.items():
        args += [f"--{option}", str(folder / name)]
    if output == "json":
        args += ["--format", "json"]
    elif output == "csv":
        args += ["--format", "csv"]
    elif output == "xlsx":
        args += ["-o", str(folder / "out.xlsx")]
    elif output == "ocsv":
        args += ["-o", str(folder / "out.csv")]
    return args


def classify(outcome: Outcome, *, timed_out: bool = False) -> set[str]:
    """The categories of ``CATEGORIES`` this run falls into (empty: a clean run)."""
    found: set[str] = set()
    text = outcome.stderr + outcome.stdout
    if "Traceback (most recent call last)" in text or "Exception ignored" in text:
        found.add("traceback")
    if timed_out:
        found.add("timeout")
    elif outcome.code not in OK_EXITS:
        found.add("exit")
    if "may be a kamtool bug" in outcome.stderr:
        found.add("bug")
    if re.search(r"MemoryError|out of memory|memory allocation of|bad_alloc|Cannot allocate memory", text):
        found.add("memory")
    data_text = outcome.case.data.decode("utf-8", errors="ignore")
    # CSV on stdout is the data's own text (formulas aside, see "formula"); the rule is
    # for what kamtool shows: tables, headlines, warnings, errors, and JSON (escaped losslessly).
    shown = outcome.stderr + ("" if outcome.output == "csv" else outcome.stdout)
    if _DANGER.search(data_text + "".join(d.decode("utf-8", "ignore") for _, d, _ in
                                          outcome.case.second_files.values())) and _DANGER.search(shown):
        found.add("escape")
    if outcome.case.payloads and outcome.command != "inspect" and outcome.output == "table":
        for tag, shown in RENDERED.items():
            # Rendered: the tag's text without the tag before it (an escaped tag shows "]Bold Co"),
            # unless a narrow column wrapped the cell right after the tag, which then stands at
            # the same column of the line above ("[link=https://x]" / "Acme[/link]").
            if tag in data_text and _rendered(outcome.stdout, tag, shown):
                found.add("markup")
    csv_text = outcome.stdout if outcome.output == "csv" else ""
    if outcome.output == "ocsv" and "out.csv" in outcome.written:
        csv_text = outcome.written["out.csv"].decode("utf-8-sig", errors="replace")
    if csv_text and formula_cells(csv_text):
        found.add("formula")
    if outcome.written.get("stray"):
        found.add("stray")
    return found


def _rendered(stdout: str, tag: str, shown: str) -> bool:
    """Whether ``stdout`` shows ``shown`` without the markup before it that ``tag`` holds."""
    before = tag[:tag.index(shown)]
    lines = stdout.split("\n")
    for number, line in enumerate(lines):
        for match in re.finditer(r"(?<!\])" + re.escape(shown), line):
            column = match.start()
            above = lines[number - 1] if number else ""
            if above[column:column + len(before)] != before:  # not a wrapped cell: rendered
                return True
    return False


def formula_cells(text: str) -> list[str]:
    """CSV cells that Excel would run: beginning with = + - @ tab or CR, not a plain number, not "-"."""
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return []
    return [
        cell
        for row in rows
        for cell in row
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and cell != "-" and not _NUMBER.match(cell)
    ]


# The time limit is of CPU seconds: on a shared machine a run's wall time measures the
# neighbours (a 10 s run took 91 s at a load of 15 on 2 cores). A run is stopped at the CPU
# limit (SIGXCPU) or, if it waits instead of working (a hang), at WALL_FACTOR times it.
WALL_FACTOR = 4.0


def wall_limit(seconds: float) -> float:
    return seconds * WALL_FACTOR + 10.0


def set_limits(memory: int, seconds: float) -> None:
    """In the child: address space, no core file, CPU seconds (then SIGXCPU)."""
    import math
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort leaves no core file
    cpu = math.ceil(seconds)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))


def over_time(code: int, cpu: float, seconds: float, killed: bool) -> bool:
    """Whether a run went over the time limit: killed at the wall limit, stopped by SIGXCPU,
    or more CPU seconds than the limit."""
    import signal

    return killed or cpu > seconds or code == -int(signal.SIGXCPU)


def _limit_memory(limit: int, seconds: float = 60.0) -> Callable[[], None]:
    def apply() -> None:
        set_limits(limit, seconds)

    return apply


def kamtool_argv() -> list[str]:
    script = Path(sys.executable).parent / "kamtool"
    return [str(script)] if script.exists() else [sys.executable, "-m", "kamtool"]


def run_env() -> dict[str, str]:
    """The environment of every run, whichever the runner: the campaign's own, without kamtool's
    settings and colour switches (COLUMNS and the locale stay, for both runners alike)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("KAMTOOL_", "FORCE_COLOR", "NO_COLOR"))}


@dataclass
class Raw:
    """What one run of the command line left: exit status (negative: the signal), the bytes
    on stdout and stderr, and whether it was killed at the time limit."""

    code: int
    stdout: bytes
    stderr: bytes
    timed_out: bool
    cpu: float = 0.0  # user + system seconds of the run


class SubprocessRunner:
    """Each run a fresh ``kamtool`` process: the reference the fork server is checked against."""

    name = "subprocess"

    def execute(self, argv: list[str], stdin: bytes, folder: Path, seconds: float, memory: int) -> Raw:
        import threading

        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(
                [*kamtool_argv(), *argv],
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=err,
                cwd=folder,
                env=run_env(),
                preexec_fn=_limit_memory(memory, seconds),  # noqa: PLW1509
            )
            killed = threading.Event()

            def kill() -> None:
                killed.set()
                proc.kill()

            timer = threading.Timer(wall_limit(seconds), kill)
            timer.start()
            try:
                assert proc.stdin is not None
                with contextlib.suppress(BrokenPipeError):
                    proc.stdin.write(stdin)
                with contextlib.suppress(BrokenPipeError):
                    proc.stdin.close()
                _pid, status, usage = os.wait4(proc.pid, 0)  # this child's own CPU time
            finally:
                timer.cancel()
            proc.returncode = code = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            cpu = usage.ru_utime + usage.ru_stime
            return Raw(code, out.read(), err.read(), over_time(code, cpu, seconds, killed.is_set()), cpu)

    def close(self) -> None:
        pass


class ForkRunner:
    """Runs through a fork server: one process (``fuzz.py --serve``) imports kamtool and its
    libraries once and never runs a command; each run is a child forked from it that calls the
    console script's entry point with the run's argv, stdin, stdout and stderr on pipes, its
    folder as working directory, the run's environment, an address-space limit; the server
    kills it at the time limit and takes the exit status from waitpid (a signal as -signal, as
    subprocess does).  A run then costs a fork, not a second of imports.

    The server is a separate process so that nothing the campaign does (pyarrow and XlsxWriter
    write the cases) starts a thread pool in the process that forks: DuckDB's and Arrow's pools
    start on first use, and the server only imports.
    """

    name = "fork"

    def __init__(self) -> None:
        self._server: subprocess.Popen[bytes] | None = None
        self._scratch = Path(tempfile.mkdtemp(prefix="kamtool-fuzz-io-"))
        self.threads = 0  # threads in the server after its imports (1: no pool was started)

    def _start(self) -> subprocess.Popen[bytes]:
        if self._server is None or self._server.poll() is not None:
            self._server = subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), "--serve"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=run_env(),
                cwd=self._scratch,
            )
            assert self._server.stdout is not None
            ready = json.loads(self._server.stdout.readline() or b"{}")
            if "threads" not in ready:
                raise RuntimeError("the fork server did not start")
            self.threads = int(ready["threads"])
        return self._server

    def execute(self, argv: list[str], stdin: bytes, folder: Path, seconds: float, memory: int) -> Raw:
        server = self._start()
        assert server.stdin is not None and server.stdout is not None
        paths = {k: self._scratch / k for k in ("stdin", "stdout", "stderr")}
        paths["stdin"].write_bytes(stdin)
        request = {"argv": [*kamtool_argv()[-1:], *argv], "cwd": str(folder), "seconds": seconds,
                   "memory": memory, "env": run_env(), **{k: str(v) for k, v in paths.items()}}
        server.stdin.write(json.dumps(request).encode() + b"\n")
        server.stdin.flush()
        reply = json.loads(server.stdout.readline() or b"{}")
        if "code" not in reply:
            raise RuntimeError(f"the fork server died running {argv}")
        code, cpu = int(reply["code"]), float(reply["cpu"])
        return Raw(code, paths["stdout"].read_bytes(), paths["stderr"].read_bytes(),
                   over_time(code, cpu, seconds, bool(reply["timed_out"])), cpu)

    def close(self) -> None:
        if self._server is not None and self._server.poll() is None:
            assert self._server.stdin is not None
            self._server.stdin.close()
            self._server.wait(timeout=30)
        for path in self._scratch.iterdir():
            path.unlink()
        self._scratch.rmdir()


# What a run of any command imports (measured by running every command on the sample data):
# imported once in the server, never used there.
PRELOAD = (
    "numpy",
    "pandas",
    "pyarrow",
    "pyarrow.compute",
    "pyarrow.csv",
    "pyarrow.dataset",
    "pyarrow.ipc",
    "pyarrow.parquet",
    "duckdb",
    "python_calamine",
    "xlsxwriter",
    "scipy.optimize",
    "scipy.special",
    "rich.console",
    "rich.table",
    "rich.markup",
    "pydantic",  # Typer's option coercion imports it on the first parse (0.6 s a run)
    "typer._adapters",
    "typer._coercion",
    "glob",
    "urllib.request",
    "xml.sax.saxutils",
    "pandas.core.methods.to_dict",
    "pandas.core.reshape.reshape",
    "pyarrow.acero",
    "encodings.gb18030",
    "encodings.utf_16",
    "encodings.latin_1",
)


def serve() -> int:
    """The fork server's loop: one JSON request a line on stdin, one JSON reply on stdout."""
    import importlib
    import pkgutil

    for module in PRELOAD:
        importlib.import_module(module)
    import kamtool

    for info in pkgutil.walk_packages(kamtool.__path__, "kamtool."):
        if not info.name.endswith(("__main__", ".dask")):  # a run imports dask only for --engine dask
            importlib.import_module(info.name)
    # Typer builds the Click command from the functions' signatures on every run (0.3 s): built
    # once here, the same object every child starts from (Click keeps no state between parses).
    import typer.main

    build = typer.main.get_command
    built: dict[int, Any] = {}

    def once(app: Any) -> Any:
        if id(app) not in built:
            built[id(app)] = build(app)
        return built[id(app)]

    typer.main.get_command = once  # type: ignore[assignment]
    from kamtool.cli.app import _register, app

    _register()
    typer.main.get_command(app)
    import gc

    gc.collect()
    gc.freeze()  # the children share these pages instead of copying them on the first collection
    channel_in, channel_out = os.fdopen(0, "rb"), os.fdopen(1, "wb")
    threads = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else 1
    channel_out.write(json.dumps({"threads": threads}).encode() + b"\n")
    channel_out.flush()
    for line in channel_in:
        reply = _fork_run(json.loads(line))
        channel_out.write(json.dumps(reply).encode() + b"\n")
        channel_out.flush()
    return 0


def _fork_run(request: dict[str, Any]) -> dict[str, Any]:
    import selectors
    import signal

    pipes = [os.pipe() for _ in range(3)]  # stdin, stdout, stderr
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.setpgid(0, 0)
            for fd, (read, write) in enumerate(pipes):
                os.dup2(read if fd == 0 else write, fd)
            for read, write in pipes:
                os.close(read)
                os.close(write)
            _child(request)
        finally:
            os._exit(70)
    stdin_w, stdout_r, stderr_r = pipes[0][1], pipes[1][0], pipes[2][0]
    for read, write in pipes:
        os.close(write if read != pipes[0][0] else read)
    data = Path(request["stdin"]).read_bytes()
    deadline = started + wall_limit(float(request["seconds"]))
    sinks = {stdout_r: open(request["stdout"], "wb"), stderr_r: open(request["stderr"], "wb")}  # noqa: SIM115
    selector = selectors.DefaultSelector()
    for fd in sinks:
        selector.register(fd, selectors.EVENT_READ)
    os.set_blocking(stdin_w, False)
    if data:
        selector.register(stdin_w, selectors.EVENT_WRITE)
    else:
        os.close(stdin_w)
    timed_out = False
    while selector.get_map():
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        for key, _ in selector.select(min(left, 1.0)):
            fd = int(key.fd)
            if fd == stdin_w:
                try:
                    data = data[os.write(fd, data[:65536]):]
                except (BrokenPipeError, BlockingIOError) as exc:
                    data = b"" if isinstance(exc, BrokenPipeError) else data
                if not data:
                    selector.unregister(fd)
                    os.close(fd)
                continue
            chunk = os.read(fd, 1 << 16)
            if chunk:
                sinks[fd].write(chunk)
            else:
                selector.unregister(fd)
    status = None
    usage = None
    while status is None and not timed_out:  # the pipes are closed; the process may still be ending
        done, raw, used = os.wait4(pid, os.WNOHANG)
        if done:
            status, usage = raw, used
        elif time.monotonic() > deadline:
            timed_out = True
        else:
            time.sleep(0.002)
    if timed_out:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        _pid, status, usage = os.wait4(pid, 0)
    assert status is not None and usage is not None
    for key in list(selector.get_map().values()):
        os.close(int(key.fd))
    selector.close()
    for sink in sinks.values():
        sink.close()
    for fd in (stdout_r, stderr_r):
        with contextlib.suppress(OSError):
            os.close(fd)
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    return {"code": -9 if timed_out else code, "timed_out": timed_out, "seconds": time.monotonic() - started,
            "cpu": usage.ru_utime + usage.ru_stime}


def _child(request: dict[str, Any]) -> None:
    """In the forked child: become a fresh ``kamtool`` process as far as the run can tell."""
    import locale
    import signal
    import traceback

    set_limits(int(request["memory"]), float(request["seconds"]))
    signal.alarm(int(wall_limit(float(request["seconds"]))) + 30)  # a backstop: the server kills it first
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = list(request["argv"])
    # New streams on the new descriptors, as a fresh interpreter makes them on pipes: the
    # locale's encoding, block-buffered stdout, line-buffered stderr with backslashreplace.
    encoding = locale.getpreferredencoding(False)
    streams = {
        "stdin": io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding=encoding),
        "stdout": io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding=encoding),
        "stderr": io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, "w", closefd=False)), encoding=encoding,
                                   errors="backslashreplace", line_buffering=True),
    }
    for stream, wrapper in streams.items():
        setattr(sys, stream, wrapper)
        setattr(sys, f"__{stream}__", wrapper)
    code = 1
    try:
        from kamtool.cli.app import entry

        entry()  # leaves by os._exit
        code = 0
    except SystemExit as exc:  # as the interpreter ends on one
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001 - uncaught: the interpreter prints it and exits 1
        traceback.print_exc()
    for out in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            out.flush()
    os._exit(code)


def make_runner(name: str) -> SubprocessRunner | ForkRunner:
    if name not in RUNNERS:
        raise ValueError(f"unknown runner {name!r}; the runners are {', '.join(RUNNERS)}")
    return ForkRunner() if name == "fork" else SubprocessRunner()


def run_case(
    case: Case,
    command: str,
    output: str,
    *,
    seconds: float = 60.0,
    memory: int = 4 << 30,
    runner: SubprocessRunner | ForkRunner | None = None,
) -> Outcome:
    """Run one case under the time and address-space limits (default: as a subprocess)."""
    runner = runner or SubprocessRunner()
    with tempfile.TemporaryDirectory(prefix="kamtool-fuzz-") as tmp:
        folder = Path(tmp)
        write_inputs(case, folder)
        argv = argv_for(case, command, output, folder)
        started = time.monotonic()
        raw = runner.execute(argv, case.data if case.stdin else b"", folder, seconds, memory)
        outcome = Outcome(
            case,
            command,
            output,
            argv,
            raw.code,
            raw.stdout.decode("utf-8", "replace"),
            raw.stderr.decode("utf-8", "replace"),
            time.monotonic() - started,
        )
        _collect_written(outcome, folder)
        outcome.found = classify(outcome, timed_out=raw.timed_out)
        return outcome


def write_inputs(case: Case, folder: Path) -> None:
    (folder / case.name).write_bytes(case.data)
    for name, data, _kind in case.second_files.values():
        (folder / name).write_bytes(data)


def run_case_with(runner: Callable[..., Any], case: Case, command: str, output: str, folder: Path) -> Outcome:
    """Run one case through ``runner(args, stdin=bytes)`` -> object with code, stdout, stderr."""
    write_inputs(case, folder)
    argv = argv_for(case, command, output, folder)
    started = time.monotonic()
    run = runner(argv, stdin=case.data if case.stdin else b"")
    outcome = Outcome(
        case, command, output, argv, run.code, run.stdout, run.stderr, time.monotonic() - started
    )
    _collect_written(outcome, folder)
    outcome.found = classify(outcome)
    return outcome


def _collect_written(outcome: Outcome, folder: Path) -> None:
    for path in folder.iterdir():
        if path.name == "out.csv":
            outcome.written["out.csv"] = path.read_bytes()
        elif path.name.startswith(".out.") or path.name.startswith("tmp"):
            outcome.written["stray"] = path.name.encode()


# -- the campaign -------------------------------------------------------------------------------
def plan(
    runs: int | None, seed: int, commands: Sequence[str], kinds: Sequence[str], outputs: Sequence[str]
) -> Iterator[tuple[Case, str, str]]:
    """(case, command, output) triples: kinds in turn, command and output drawn by the seed."""
    rng = random.Random(seed)
    i = 0
    while runs is None or i < runs:
        kind = kinds[i % len(kinds)]
        command, output = rng.choice(list(commands)), rng.choice(list(outputs))
        yield with_second_files(make_case(kind, seed * 1_000_003 + i), command, rng), command, output
        i += 1


def save_failure(outcome: Outcome, root: Path) -> Path:
    folder = (
        root / "-".join(sorted(outcome.found)) / f"{outcome.case.label}-{outcome.command}-{outcome.output}"
    )
    folder.mkdir(parents=True, exist_ok=True)
    if len(outcome.case.data) <= 5 << 20:
        (folder / outcome.case.name).write_bytes(outcome.case.data)
    for option, (name, data, kind) in outcome.case.second_files.items():
        (folder / name).write_bytes(data)
        (folder / f"{name}.how").write_text(f"--{option}: make_second_file({option!r}, {kind!r}, "
                                            f"{outcome.case.seed}, orders)\n", encoding="utf-8")
    command = " ".join(["kamtool", *[_shell(a) for a in outcome.argv]])
    (folder / "README.txt").write_text(
        f"kind {outcome.case.kind}, seed {outcome.case.seed}; "
        f"exit {outcome.code} after {outcome.seconds:.1f} s\n"
        f"categories: {', '.join(sorted(outcome.found))}\n"
        f"regenerate: python -c \"import fuzz; open('{outcome.case.name}', 'wb').write("
        f"fuzz.make_case('{outcome.case.kind}', {outcome.case.seed}).data)\"  (in scripts/)\n"
        f"run: {command}{' < ' + outcome.case.name if outcome.case.stdin else ''}\n",
        encoding="utf-8",
    )
    (folder / "stdout.txt").write_text(outcome.stdout[:200_000], encoding="utf-8")
    (folder / "stderr.txt").write_text(outcome.stderr[:200_000], encoding="utf-8")
    return folder


def _shell(arg: str) -> str:
    folder = str(Path(tempfile.gettempdir()))
    arg = re.sub(re.escape(folder) + r"/kamtool-fuzz-[^/]+/", "", arg)
    return arg if re.fullmatch(r"[\w./=-]+", arg) else "'" + arg.replace("'", "'\\''") + "'"


def table(counts: Counter[tuple[str, str]], runs: Counter[str], commands: Sequence[str]) -> str:
    """Counts per category (rows) and command (columns), as plain text."""
    width = max(len(c) for c in commands) + 1
    lines = ["category".ljust(10) + "".join(c.rjust(width) for c in commands) + "total".rjust(8)]
    lines.append(
        "runs".ljust(10)
        + "".join(str(runs[c]).rjust(width) for c in commands)
        + str(sum(runs.values())).rjust(8)
    )
    for category in CATEGORIES:
        row = [counts[(category, c)] for c in commands]
        lines.append(category.ljust(10) + "".join(str(n).rjust(width) for n in row) + str(sum(row)).rjust(8))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=None, help="runs in all (default: until --minutes)")
    parser.add_argument("--minutes", type=float, default=None, help="stop starting runs after this long")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=1, help="runs at once (the machine may be shared)")
    parser.add_argument("--runner", choices=RUNNERS, default="fork",
                        help="fork: children of one process that imported kamtool once (fast);\n"
                        "subprocess: a fresh kamtool process per run (the reference)")
    parser.add_argument("--compare", action="store_true",
                        help="run every case with both runners and count where they classify differently")
    parser.add_argument("--commands", nargs="+", default=None, choices=COMMANDS,
                        help="default: every command of SECOND_FILES the app has")
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument("--outputs", nargs="+", default=list(OUTPUTS), choices=OUTPUTS)
    parser.add_argument("--timeout", type=float, default=60.0,
                        help=f"CPU seconds per run (a run waiting {WALL_FACTOR:g} times as long hangs)")
    parser.add_argument("--memory", type=float, default=4.0, help="GiB of address space per run")
    parser.add_argument("--failures", type=Path, default=Path("fuzz-failures"), help="where failing runs go")
    parser.add_argument("--json", type=Path, default=None, help="also write the counts here")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # the fork server itself
    args = parser.parse_args(argv)
    if args.serve:
        return serve()
    registered = app_commands()
    if args.commands is None:
        args.commands = [c for c in COMMANDS if c in registered]
    unknown = sorted(set(registered) - set(COMMANDS))
    if unknown:
        print(f"not fuzzed, add a line to SECOND_FILES: {', '.join(unknown)}", file=sys.stderr)
    if args.runs is None and args.minutes is None:
        args.runs = 100
    began = time.monotonic()
    deadline = began + args.minutes * 60 if args.minutes else None
    counts: Counter[tuple[str, str]] = Counter()
    by_kind: Counter[tuple[str, str]] = Counter()
    runs: Counter[str] = Counter()
    differ: list[dict[str, Any]] = []
    failing = 0
    memory = int(args.memory * (1 << 30))
    todo = plan(args.runs, args.seed, args.commands, args.kinds, args.outputs)
    names = [args.runner] if not args.compare else list(RUNNERS)
    idle: list[dict[str, SubprocessRunner | ForkRunner]] = [
        {name: make_runner(name) for name in names} for _ in range(args.jobs)
    ]

    def job(item: tuple[Case, str, str]) -> list[Outcome]:
        runners = idle.pop()
        try:
            return [run_case(*item, seconds=args.timeout, memory=memory, runner=r) for r in runners.values()]
        finally:
            idle.append(runners)

    stopped = [False]

    def stop(signum: int, frame: Any) -> None:  # SIGTERM: finish the runs under way, then report
        stopped[0] = True

    import signal

    signal.signal(signal.SIGTERM, stop)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        pending: set[concurrent.futures.Future[list[Outcome]]] = set()
        while True:
            while (len(pending) < args.jobs and not stopped[0]
                   and (deadline is None or time.monotonic() < deadline)):
                item = next(todo, None)
                if item is None:
                    break
                pending.add(pool.submit(job, item))
            if not pending:
                break
            done, pending = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                outcomes = future.result()
                outcome = outcomes[0]
                runs[outcome.command] += 1
                for category in outcome.found:
                    counts[(category, outcome.command)] += 1
                    by_kind[(category, outcome.case.kind)] += 1
                if outcome.found:
                    failing += 1
                    save_failure(outcome, args.failures)
                if sum(runs.values()) % 250 == 0:
                    print(f"{sum(runs.values())} runs, {failing} failing, "
                          f"{(time.monotonic() - began) / 60:.1f} min", file=sys.stderr, flush=True)
                if len(outcomes) > 1 and not same_run(outcomes[0], outcomes[1]):
                    differ.append(
                        {"case": outcome.case.label, "command": outcome.command, "output": outcome.output,
                         **{f"{r}": [o.code, sorted(o.found)] for r, o in zip(names, outcomes, strict=True)}}
                    )
    threads = {r.threads for runners in idle for r in runners.values() if isinstance(r, ForkRunner)}
    for runners in idle:
        for r in runners.values():
            r.close()
    elapsed = time.monotonic() - began
    total = sum(runs.values())
    if stopped[0]:
        print(f"stopped by SIGTERM after {total} runs")
    print(table(counts, runs, args.commands))
    kinds_line = "; ".join(f"{cat} {kind} {n}" for (cat, kind), n in sorted(by_kind.items()))
    print(f"\nby kind: {kinds_line or 'none'}")
    print(
        f"{failing} failing runs of {total}; written to {args.failures}/"
        if failing
        else f"no failing runs of {total}"
    )
    print(f"seed {args.seed}, runner {'+'.join(names)}, {args.jobs} job(s), {elapsed / 60:.1f} min, "
          f"{total / max(elapsed, 1e-9) * 60:.0f} runs a minute"
          + (f"; fork server threads after its imports: {sorted(threads)}" if threads else ""))
    if args.compare:
        print(f"runners disagree on {len(differ)} of {total} runs" + "".join(f"\n  {d}" for d in differ))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "seed": args.seed,
                    "runner": names,
                    "minutes": round(elapsed / 60, 2),
                    "stopped": stopped[0],
                    "runs": dict(runs),
                    "counts": {f"{c}/{m}": n for (c, m), n in counts.items()},
                    "by_kind": {f"{c}/{k}": n for (c, k), n in by_kind.items()},
                    "disagreements": differ,
                    "server_threads": sorted(threads),
                },
                indent=1,
            ),
            encoding="utf-8",
        )
    return 1 if failing or differ else 0


def same_run(a: Outcome, b: Outcome) -> bool:
    """Two runs of one case agree: the same exit status and the same categories."""
    return a.code == b.code and a.found == b.found


if __name__ == "__main__":
    sys.exit(main())
