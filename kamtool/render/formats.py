"""One number-format rule for the console, the workbook, JSON and CSV.

A column's *kind* decides how its values look everywhere:

========  ==========================  ===============  ==========================
kind      console                     Excel            JSON / CSV
========  ==========================  ===============  ==========================
money     ``1,234.50`` (always 2 dp)  ``#,##0.00``     rounded to the cent
count     ``1,234``                   ``#,##0``        as is
days      ``139``                     ``#,##0``        as is
share     ``34.5%`` (0..1, 1 dp)      ``0.0%``         full precision
number    fixed decimals per column   ``#,##0.00…``    full precision
date      ``2024-03-05``              ``yyyy-mm-dd``   ISO day
text      as is                       (none)           as is
bool      yes / no                    (none)           true / false
========  ==========================  ===============  ==========================

The kind comes from :attr:`kamtool.result.Result.kinds` first (the analysis knows that
``value`` holds orders when the measure is orders), then from the column's name, then
from its dtype.  A ``number`` column gets one number of decimals for all its values,
chosen from its largest magnitude (three significant digits, at least two decimals), so
``100.66 / 82.90 / 71.00`` line up instead of ``100.66 / 82.9 / 71``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

KINDS = ("money", "count", "days", "share", "number", "date", "text", "bool")

# The last word of a name that makes it a 0..1 fraction shown as a percentage.
_SHARE_WORDS = frozenset({"share", "rate", "retention", "probability", "margin", "pct"})
_SHARE_NAMES = frozenset({"p_alive", "p_churn", "p_active"})
# Words that make a column an amount of money, wherever they stand in the name ...
_MONEY_WORDS = frozenset(
    {
        "revenue", "value", "profit", "amount", "monetary", "clv", "cost", "price",
        "sales", "spend", "limit", "receivable", "receivables", "balance", "outstanding",
        "paid", "due", "returns",
    }
)  # fmt: skip
# ... unless another word says it counts or scores something ("customers_with_revenue").
_NOT_MONEY_WORDS = frozenset(
    {
        "customers", "orders", "lines", "count", "n", "days", "months", "weeks", "years",
        "rank", "score", "index", "ratio", "weight", "products", "brands", "entities",
        "elasticity", "number", "periods",
    }
)  # fmt: skip
# The tiers factors are 1..5 scores even though their names end in "value".
_NOT_MONEY_NAMES = frozenset({"strategic_value", "future_value"})
# Words that make a number a count of things (shown as an integer).
_COUNT_WORDS = frozenset(
    {
        "customers", "orders", "lines", "count", "entities", "rank", "products", "brands",
        "adopters", "files", "rows", "periods", "rule",
    }
)  # fmt: skip
_DAYS_WORDS = frozenset({"days"})

EXCEL = {
    "money": "#,##0.00",
    "count": "#,##0",
    "days": "#,##0",
    "share": "0.0%",
    "date": "yyyy-mm-dd",
}
DATETIME = "yyyy-mm-dd hh:mm:ss"


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[^0-9a-z]+", name.lower()) if w]


def kind_of_name(name: str) -> str | None:
    """The kind a numeric column's name says, or None when the name says nothing."""
    key = name.lower()
    words = _words(key)
    if not words:
        return None
    if key in _SHARE_NAMES or words[-1] in _SHARE_WORDS:
        return "share"
    if any(w in _DAYS_WORDS for w in words):
        return "days"
    if (
        key not in _NOT_MONEY_NAMES
        and any(w in _MONEY_WORDS for w in words)
        and not any(w in _NOT_MONEY_WORDS for w in words)
    ):
        return "money"
    if words[-1] in _COUNT_WORDS:
        return "count"
    return None


def kind_of_value(value: Any) -> str:
    """The kind a single value's type says (for summary figures without a name rule)."""
    import datetime as dt

    import numpy as np

    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, int | np.integer):
        return "count"
    if isinstance(value, float | np.floating):
        return "number"
    if isinstance(value, dt.date | np.datetime64):
        return "date"
    return "text"


def column_kind(
    name: str, dtype: Any = None, kinds: Mapping[str, str] | None = None, table: str | None = None
) -> str:
    """The kind of column ``name`` of ``dtype``: ``kinds`` first (``"table.column"``, then
    ``"column"``), then the name, then the dtype.

    A column whose dtype is not numeric (text, dates, booleans) keeps its dtype's kind
    whatever its name: ``revenue_class`` holds A/B/C, not money.
    """
    if kinds:
        if table is not None and f"{table}.{name}" in kinds:
            return kinds[f"{table}.{name}"]
        if name in kinds:
            return kinds[name]
    if dtype is not None:
        import pandas as pd

        if pd.api.types.is_bool_dtype(dtype):
            return "bool"
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return "date"
        if not pd.api.types.is_numeric_dtype(dtype):
            return "text"
    named = kind_of_name(name)
    if named is not None:
        return named
    if dtype is not None:
        import pandas as pd

        return "count" if pd.api.types.is_integer_dtype(dtype) else "number"
    return "number"


def number_decimals(values: Iterable[Any]) -> int:
    """Decimals of a ``number`` column: three significant digits of its largest magnitude,
    at least 2 and at most 6, the same for every value of the column."""
    import numpy as np

    array = np.asarray([v for v in values if v is not None], dtype="float64")
    finite = np.abs(array[np.isfinite(array)]) if array.size else array
    if finite.size == 0 or float(finite.max()) == 0.0:
        return 2
    exponent = math.floor(math.log10(float(finite.max())))
    return max(2, min(6, 2 - exponent))


@dataclass(frozen=True)
class Spec:
    """How one column looks: its kind and, for ``number``, its decimals."""

    kind: str
    decimals: int = 2

    def excel(self, *, with_time: bool = False) -> str | None:
        """The Excel number format (None: no number format, as for text and booleans)."""
        if self.kind == "date":
            return DATETIME if with_time else EXCEL["date"]
        if self.kind == "number":
            return "#,##0." + "0" * self.decimals
        return EXCEL.get(self.kind)

    def text(self, value: Any, lang: str = "en") -> str:
        """The value as the console prints it."""
        return format_value(value, self, lang)


def column_spec(
    name: str, series: Any = None, kinds: Mapping[str, str] | None = None, table: str | None = None
) -> Spec:
    """The spec of a pandas column ``series`` named ``name`` of table ``table`` (``rows`` or a
    key of Result.tables); a ``number`` column's decimals come from its values."""
    dtype = None if series is None else series.dtype
    kind = column_kind(name, dtype, kinds, table)
    if kind == "number" and series is not None:
        return Spec(kind, number_decimals(series.to_numpy(dtype="float64", na_value=float("nan"))))
    return Spec(kind)


def value_spec(name: str, value: Any, kinds: Mapping[str, str] | None = None) -> Spec:
    """The spec of one summary or parameter figure ``name``."""
    if kinds and name in kinds:
        kind = kinds[name]
    else:
        by_type = kind_of_value(value)
        kind = by_type if by_type in ("bool", "date", "text") else (kind_of_name(name) or by_type)
    if kind == "number":
        return Spec(kind, number_decimals([value]))
    return Spec(kind)


def _missing(value: Any) -> bool:
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def format_value(value: Any, spec: Spec, lang: str = "en") -> str:
    """One value as text by ``spec``: the console's half of the rule."""
    import numpy as np
    import pandas as pd

    if _missing(value) or (isinstance(value, np.floating) and np.isnan(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        from kamtool.labels import label

        return label("yes" if value else "no", lang)
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value.time().isoformat() == "00:00:00" else str(value)
    if not isinstance(value, int | float | np.integer | np.floating):
        return str(value)
    number = float(value)
    if not math.isfinite(number):
        return "∞" if number > 0 else "-∞"
    kind = spec.kind
    if kind == "share":
        return f"{number * 100:.1f}%"
    if kind == "money":
        return f"{number:,.2f}"
    if kind in ("count", "days"):
        return f"{round(number):,}"
    if kind == "number":
        return f"{number:,.{spec.decimals}f}"
    # a number in a text or date column: show it plainly
    return f"{int(value):,}" if isinstance(value, int | np.integer) else f"{number:,.2f}"


# ------------------------------------------------------------------------- JSON and CSV


def round_money(frame: Any, kinds: Mapping[str, str] | None = None, table: str | None = None) -> Any:
    """``frame`` with its money columns rounded to the cent (a copy only when needed)."""
    import pandas as pd

    out = None
    for col in frame.columns:
        series = frame[col]
        if not pd.api.types.is_float_dtype(series.dtype):
            continue
        if column_kind(str(col), series.dtype, kinds, table) == "money":
            out = frame.copy() if out is None else out
            out[col] = series.round(2)
    return frame if out is None else out


def round_money_values(mapping: Mapping[str, Any], kinds: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A summary or params mapping with its money figures rounded to the cent (one level of
    nesting too: ``revenue_by_class``)."""
    import numpy as np

    def cents(name: str, value: Any) -> Any:
        if isinstance(value, dict):
            if value_spec(name, 0.0, kinds).kind == "money":
                return {k: cents(name, v) for k, v in value.items()}
            return value
        if (
            isinstance(value, float | np.floating)
            and math.isfinite(float(value))
            and value_spec(name, value, kinds).kind == "money"
        ):
            return round(float(value), 2)
        return value

    return {key: cents(str(key), value) for key, value in mapping.items()}


# ---------------------------------------------------------------------------- in sentences


def percent(share: float, lang: str = "en") -> str:
    """A 0..1 share inside a sentence, one decimal: "32.6 %" in English, "32.6%" in Chinese."""
    if not math.isfinite(share):
        return "–"
    text = f"{share * 100:.1f}"
    return f"{text} %" if lang == "en" else f"{text}%"


def percent_param(share: float, lang: str = "en") -> str:
    """A parameter share as the user wrote it: 0.8 -> "80 %", 0.125 -> "12.5 %"."""
    text = f"{share * 100:.6g}"
    return f"{text} %" if lang == "en" else f"{text}%"


def figure(value: Any, kind: str) -> str:
    """One figure of ``kind`` inside a sentence: money 1,234.50, counts 1,234, shares 12.5%."""
    if kind == "number":
        return format_value(value, Spec(kind, number_decimals([value])))
    return format_value(value, Spec(kind))
