"""Machine-readable output: JSON, CSV and Parquet, from any Result.

The same in every language: codes and numbers, money rounded to the cent (the format
rule of :mod:`kamtool.render.formats`), shares and model figures at full precision, and
the definitions (``notes``) in English.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from kamtool.result import Result


def plain(value: Any) -> Any:
    """A JSON-safe Python value: numbers stay numbers, dates become ISO strings."""
    import numpy as np
    import pandas as pd

    if value is None:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return None
        ts = value.to_pydatetime()
        return ts.date().isoformat() if ts.time() == dt.time(0) else ts.isoformat()
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    return value if isinstance(value, str) else str(value)


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    columns = [str(c) for c in frame.columns]
    return [
        {c: plain(v) for c, v in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def _summary(result: Result) -> dict[str, Any]:
    from kamtool.render.formats import round_money_values

    return round_money_values(result.summary, result.kinds)


def _notes(result: Result) -> list[str]:
    from kamtool.render import words

    return words.notes(result, "en")


def result_document(result: Result) -> dict[str, Any]:
    from kamtool.render.formats import round_money

    return {
        "command": result.command,
        "params": plain(result.params),
        "summary": plain(_summary(result)),
        "rows": frame_records(round_money(result.rows, result.kinds, "rows")),
        "tables": {
            name: frame_records(round_money(t, result.kinds, name)) for name, t in result.tables.items()
        },
        "notes": _notes(result),
    }


def rows_json(frame: pd.DataFrame) -> str:
    """A frame as a JSON array of records, fast enough for a million rows.

    pandas writes the numbers (15 significant digits: exact for money to the cent
    below 10^13) and nulls; dates become ISO days (or ISO datetimes if they carry a time).
    """
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_datetime64_any_dtype(series):
            has_time = bool((series.dropna() != series.dropna().dt.normalize()).any())
            text = series.dt.strftime("%Y-%m-%dT%H:%M:%S" if has_time else "%Y-%m-%d")
            out[col] = text.astype(object).where(series.notna(), None)
        elif series.dtype == object:
            out[col] = series.map(lambda v: plain(v) if not isinstance(v, str) else v)
    out.columns = [str(c) for c in out.columns]
    return out.to_json(orient="records", force_ascii=False, double_precision=15, date_format="iso")


# JSON leaves these raw (it escapes only C0): DEL, C1 (U+009B is an 8-bit CSI), bidi overrides and
# isolates, line separators. Written as \uXXXX they are the same string to a reader, inert on a terminal.
_JSON_HIDDEN = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _inert(text: str) -> str:
    return _JSON_HIDDEN.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def json_text(document: Any) -> str:
    """A document (already plain) as JSON, its hidden characters written as \\uXXXX (see
    :data:`_JSON_HIDDEN`): for JSON that is not one command's Result (the report's)."""
    return _inert(json.dumps(document, ensure_ascii=False, allow_nan=False))


def write_json(result: Result, stream: IO[str], end: str = "\n") -> None:
    """``result`` as JSON on ``stream``, a table at a time, then ``end``."""
    from kamtool.render.formats import round_money

    def put(text: str) -> None:
        stream.write(_inert(text))

    head = {
        "command": result.command,
        "params": plain(result.params),
        "summary": plain(_summary(result)),
    }
    text = json.dumps(head, ensure_ascii=False, allow_nan=False)
    put(text[:-1])
    put(', "rows": ')
    put(rows_json(round_money(result.rows, result.kinds, "rows")))
    put(', "tables": {')
    for i, (name, table) in enumerate(result.tables.items()):
        put(("" if i == 0 else ", ") + json.dumps(name, ensure_ascii=False) + ": ")
        put(rows_json(round_money(table, result.kinds, name)))
    put('}, "notes": ')
    put(json.dumps(_notes(result), ensure_ascii=False))
    put("}" + end)


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO days, so a CSV reads the same in Excel and in scripts."""
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    return out


def write_csv(frame: pd.DataFrame, stream: IO[str], kinds: dict[str, str] | None = None, *,
              raw: bool = False) -> None:
    """The rows as CSV, money rounded to the cent (``kinds``: the result's column kinds;
    without them the column names decide).

    Text cells that begin like a formula (``=``, ``+``, ``-``, ``@``, tab, CR) get a leading
    apostrophe so Excel shows them instead of running them
    (:func:`kamtool.render.safe.frame_for_csv`); numbers are never touched. ``raw=True``
    (``--raw-csv``) writes the bytes as they are, for scripts.
    """
    from kamtool.render.formats import round_money
    from kamtool.render.safe import frame_for_csv

    out = frame_for_csv(csv_frame(round_money(frame, kinds, "rows")), raw=raw)
    out.to_csv(stream, index=False, lineterminator="\n")


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, path)
