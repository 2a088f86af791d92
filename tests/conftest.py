"""Shared fixtures: the hand-made messy exports, workbooks written on the fly, and a
way to run the real ``kamtool`` command in-process or as a subprocess."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from kamtool.ledger import Ledger

MESSY = Path(__file__).parent / "data" / "messy"
REPO = Path(__file__).resolve().parent.parent


def load_script(file: str, name: str) -> Any:
    """scripts/``file`` as the module ``name``, loaded once."""
    import importlib.util

    module = sys.modules.get(name)
    if module is not None:
        return module
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def load_make_orders() -> Any:
    """scripts/make_orders.py as a module (the order generator), loaded once."""
    return load_script("make_orders.py", "make_orders")

def load_daily(*paths: str | Path) -> Any:
    """The per-customer-and-day ledger of ``paths`` as churn and clv load it."""
    from kamtool.engine.load import load
    from kamtool.io.request import build_request
    from kamtool.needs import Needs

    needs = Needs(keys=("customer", "date"), measures=("profit",), figures=("orders",))
    return load(build_request(needs, [str(p) for p in paths])).daily


# Environment that changes what kamtool prints or reads; tests start without it.
KAMTOOL_ENV = ("KAMTOOL_CONFIG", "KAMTOOL_LANG", "KAMTOOL_ENGINE", "KAMTOOL_NATIVE", "DASK_SCHEDULER_ADDRESS",
               "NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "TTY_COMPATIBLE", "TTY_INTERACTIVE")


@dataclass
class Run:
    """What one kamtool invocation left behind."""

    code: int
    stdout: str
    stderr: str


class _Stdin:
    """Enough of ``sys.stdin`` for kamtool, which reads ``sys.stdin.buffer``."""

    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)

    def isatty(self) -> bool:
        return False


def run_kamtool(args: Sequence[str], stdin: bytes | None = None) -> Run:
    """Run ``kamtool ARGS`` in this process through the console script's entry point.

    ``main`` resets SIGPIPE for the real command line; the test process gets its
    handler back so a closed pipe elsewhere in the run still raises as usual.
    """
    from kamtool.cli.app import main

    out, err = io.StringIO(), io.StringIO()
    saved_stdin, saved_hook = sys.stdin, sys.unraisablehook
    # Exceptions nobody could catch (raised in a callback, a __del__) print
    # "Exception ignored … Traceback" on stderr; pytest would turn them into warnings.
    sys.unraisablehook = sys.__unraisablehook__
    saved_pipe = signal.getsignal(signal.SIGPIPE) if hasattr(signal, "SIGPIPE") else None
    if stdin is not None:
        sys.stdin = _Stdin(stdin)
    code = 0
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.stdin, sys.unraisablehook = saved_stdin, saved_hook
        if saved_pipe is not None:
            signal.signal(signal.SIGPIPE, saved_pipe)
    return Run(code=code, stdout=out.getvalue(), stderr=err.getvalue())


def kamtool_command() -> list[str]:
    """The installed console script next to this Python (editable or not)."""
    script = Path(sys.executable).parent / "kamtool"
    if script.exists():
        return [str(script)]
    found = shutil.which("kamtool")
    return [found] if found else [sys.executable, "-m", "kamtool"]


def run_subprocess(args: Sequence[str], *, cwd: Path, stdin: bytes | None = None,
                   env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    clean = {k: v for k, v in os.environ.items() if k not in KAMTOOL_ENV}
    clean.update(env or {})
    return subprocess.run([*kamtool_command(), *args], cwd=cwd, input=stdin, capture_output=True,
                          env=clean, timeout=120, check=False)


@pytest.fixture(scope="session")
def kamtool_in_process() -> Callable[..., Run]:
    """``kamtool_in_process(args, stdin=None)`` -> Run; stateless, so fine under hypothesis."""
    return run_kamtool


@pytest.fixture
def kamtool_process() -> Callable[..., subprocess.CompletedProcess[bytes]]:
    """``kamtool_process(args, cwd=..., stdin=b"...", env={...})``: the real console script."""
    return run_subprocess


@pytest.fixture
def kamtool_argv() -> list[str]:
    """The argv prefix that starts the real console script (for shell pipelines)."""
    return kamtool_command()


@pytest.fixture
def clean_env() -> dict[str, str]:
    """This process's environment without the variables that change kamtool's output."""
    return {k: v for k, v in os.environ.items() if k not in KAMTOOL_ENV}


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in an empty directory (no stray kamtool.toml) with kamtool's env vars unset."""
    monkeypatch.chdir(tmp_path)
    for name in KAMTOOL_ENV:
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def kamtool(isolated: Path) -> Callable[..., Run]:
    """``kamtool("inspect", "x.csv", stdin=b"...")`` -> Run, in-process."""

    def invoke(*args: str, stdin: bytes | None = None) -> Run:
        return run_kamtool(args, stdin=stdin)

    return invoke


@pytest.fixture
def messy() -> Callable[[str], str]:
    """The path of one hand-made export in tests/data/messy, as a string."""

    def path(name: str) -> str:
        found = MESSY / name
        assert found.is_file(), f"no fixture {found}"
        return str(found)

    return path


def write_workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """A real .xlsx: each sheet's rows from A1; datetimes become Excel dates."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, value, date_format)
                else:
                    sheet.write(r, c, value)
    book.close()
    return path


# A workbook as exports come: an empty first sheet, a title row, a blank row, the
# header on row 3 of the sheet '订单', a real date, an Excel serial number and a date
# as text, a money string, and a 合计 row.  Revenue 10.10 + 20.20 + 0.10 = 30.40.
ORDERS_SHEET: list[list[Any]] = [
    ["销售明细 2024"],
    [],
    ["客户", "订单日期", "金额", "数量"],
    ["A", dt.datetime(2024, 3, 5), 10.10, 1],
    ["B", 45356, "¥20.20", 2],  # serial 45356 = 2024-03-05
    ["C", "2024/3/6", 0.10, 3],
    ["合计", None, 30.40, 6],
]


@pytest.fixture
def make_workbook() -> Callable[[Path, dict[str, list[list[Any]]]], Path]:
    return write_workbook


@pytest.fixture
def orders_xlsx(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "orders.xlsx", {"Empty": [], "订单": ORDERS_SHEET})


@pytest.fixture
def parquet_bytes() -> bytes:
    """Order lines as Parquet: typed dates and float amounts, 1.50 + 2.25 = 3.75."""
    import pandas as pd

    frame = pd.DataFrame({
        "customer": ["a", "b"],
        "date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
        "amount": [1.50, 2.25],
    })
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


@pytest.fixture
def load_ledger() -> Callable[..., Ledger]:
    """``load_ledger(path, ..., decimal=",", col=["customer=Kunde"], sheet="2")`` -> Ledger,
    with the options the command line would build, every column read (as inspect does);
    ``keys``: the ledger's grain (default per customer; ("customer", "date") for daily)."""
    from kamtool.engine.load import load
    from kamtool.io.columns import parse_overrides
    from kamtool.io.read import ReadOptions
    from kamtool.io.request import build_request
    from kamtool.io.rules import CleanOptions
    from kamtool.needs import ALL_FIGURES, Needs

    def go(*names: str | Path, decimal: str = ".", dayfirst: bool = False, skip_bad_rows: bool = False,
           col: Sequence[str] = (), keys: tuple[str, ...] = ("customer",), **read: Any) -> Ledger:
        overrides = parse_overrides(col)
        request = build_request(
            Needs(keys=keys, measures=None, figures=ALL_FIGURES), [str(n) for n in names],
            read=ReadOptions(expected_headers=tuple(overrides.values()), **read),
            clean=CleanOptions(decimal=decimal, dayfirst=dayfirst, skip_bad_rows=skip_bad_rows),
            overrides=overrides,
        )
        return load(request)

    return go


# Five order lines whose ledger frames (months, mix, days, invoices) the grain and memory
# tests work out by hand: two customers, two months, every dimension, a missing brand and cost.
TINY = """\
customer,date,amount,cost,salesperson,brand,category,order_id,invoice_id,due_date,paid_date,paid_amount
C1,2024-01-05,100.10,60,Ann,X,K1,O1,I1,2024-02-05,2024-02-01,50
C1,2024-01-20,50,,Bob,Y,K1,O2,I1,2024-02-05,2024-02-01,
C1,2024-02-03,-10,5,Ann,X,K2,O3,I2,2024-03-03,,
C2,2024-02-10,200,100,Bob,,K1,O4,,,,
C2,2024-02-11,30,10,Bob,Z,K3,O5,,,,
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.csv"
    path.write_text(TINY, encoding="utf-8")
    return path
