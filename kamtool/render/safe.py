"""Data is text: never Rich markup, never a terminal escape, never a spreadsheet formula.

Two places data leaves kamtool for something that interprets it:

* the terminal (Rich tables, headlines, warnings, errors): :func:`text_for_terminal` and
  :func:`column_for_terminal`.  Rich markup in the value is escaped (``[/]`` no longer
  stops the run, ``[link=…]`` is no link), and characters a terminal acts on are shown
  as their Python escapes, so that a customer named ``\\x1b[2J`` cannot clear the screen.
  Shown visibly: every C0 control character including tab, line feed and carriage
  return (a value is one line of a table or a headline; a tab or line break in a name
  would break the layout or forge a line), DEL, every C1 control (U+0080–U+009F: U+009B
  is an 8-bit CSI), the bidi embeddings, overrides and isolates (U+202A–U+202E,
  U+2066–U+2069: they reorder what follows on the line) and the line and paragraph
  separators (U+2028, U+2029).  Clean text, Chinese included, is returned unchanged.
* CSV opened in Excel: :func:`cell_for_csv` and :func:`frame_for_csv` follow OWASP's
  CSV-injection guidance: a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return gets a leading apostrophe, so Excel shows it as text instead of
  running it.  Only text is touched: a number, negative or not, stays a number.  Text
  that looks like a number (``"-5"`` in a text column such as a customer id) is text and
  is prefixed too: Excel would otherwise turn the id into the number −5 or, for
  ``-2+3``, into a formula.  A cell that is just ``-`` (a placeholder for "none") is
  left alone: Excel reads it as text.  ``raw=True`` (the ``--raw-csv`` option) turns this off for
  scripts that want the bytes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

# What a terminal acts on. Tab and line breaks included: see the module docstring.
_CONTROL = "\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029"
_CONTROL_RE = re.compile(f"[{_CONTROL}]")
# Rich's own tag pattern (rich.markup.RE_TAGS): backslashes, then '[' and a tag's first character.
_TAG_RE = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")
# Anything that needs work in markup: a control character, a possible tag, a trailing backslash.
_NEEDS_MARKUP = re.compile(f"[{_CONTROL}]|\\[[a-z#/@]|\\\\$")
_NEEDS_PLAIN = _CONTROL_RE
_TRAILING_BACKSLASHES = re.compile(r"(\\+)$")
# An empty span: it ends the text for Rich's parser, so that doubled trailing backslashes are
# halved back whether or not a tag follows (a cell on its own, or "[bold]{name}[/]").
_END = "[bold][/bold]"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _visible(match: re.Match[str]) -> str:
    char = match[0]
    if char in "\t\n\r":
        return {"\t": "\\t", "\n": "\\n", "\r": "\\r"}[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _escape_tag(match: re.Match[str]) -> str:
    backslashes, tag = match.groups()
    return f"{backslashes}{backslashes}\\{tag}"


def text_for_terminal(value: Any, *, markup: bool = True) -> str:
    """A value from the data as text for the terminal.

    Parameters
    ----------
    value
        Any value; ``None`` is the empty string, anything else its ``str``.
    markup
        True (default): the text goes into a string Rich renders as markup (a table cell,
        ``console.print(f"[bold]{text}[/]")``), so tags are escaped.  False: the string is
        printed with ``markup=False`` (plain stderr in a pipe); only control characters
        are shown visibly, and escaping tags would show the backslashes.

    Rendered by Rich, the result shows the value's characters exactly, control
    characters as escapes; clean text comes back unchanged.
    """
    text = "" if value is None else value if isinstance(value, str) else str(value)
    if not (_NEEDS_MARKUP if markup else _NEEDS_PLAIN).search(text):
        return text
    text = _CONTROL_RE.sub(_visible, text)
    if not markup:
        return text
    text = _TAG_RE.sub(_escape_tag, text)
    trailing = _TRAILING_BACKSLASHES.search(text)
    if trailing:  # n backslashes before any tag render as n // 2: double them and end the text
        text = f"{text[: trailing.start()]}{trailing[1] * 2}{_END}"
    return text


def column_for_terminal(column: Any, *, markup: bool = True) -> Any:
    """:func:`text_for_terminal` over a pandas Series or an Arrow array of display values.

    Only text values are changed (numbers, dates and missing values stay as they are);
    one vectorised search finds the few values that need work, so 200,000 clean names
    cost one regex pass in C.  Returns the same kind of column (the input when nothing
    needs escaping).
    """
    pattern = (_NEEDS_MARKUP if markup else _NEEDS_PLAIN).pattern
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        pa = None
    if pa is not None and isinstance(column, pa.Array | pa.ChunkedArray):
        import pyarrow.compute as pc

        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            return column
        flagged = pc.match_substring_regex(column, pattern)
        if not pc.any(flagged).as_py():
            return column
        values = column.to_pylist()
        marks = flagged.to_pylist()
        return pa.array([text_for_terminal(v, markup=markup) if m else v
                         for v, m in zip(values, marks, strict=True)], type=column.type)
    import pandas as pd

    series = column if isinstance(column, pd.Series) else pd.Series(column)
    if not (pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype)):
        return column
    flagged = _flag(series, pattern)
    if not flagged.any():
        return column
    out = series.copy()
    out[flagged] = series[flagged].map(lambda v: text_for_terminal(v, markup=markup))
    return out


def cell_for_csv(value: Any, *, raw: bool = False) -> Any:
    """A value for a CSV cell: text starting like a formula gets a leading apostrophe.

    Numbers (``-5``, ``-1e12``) are returned as they are; only ``str`` values change.
    """
    if raw or not isinstance(value, str) or not value.startswith(FORMULA_START) or value == "-":
        return value
    return "'" + value


def frame_for_csv(frame: pd.DataFrame, text_columns: Any = None, *, raw: bool = False) -> pd.DataFrame:
    """The frame with formula-like text neutralised in its text columns, for CSV output.

    Parameters
    ----------
    frame
        The rows as they will be written.
    text_columns
        The columns holding text from the data (customer, names, dimensions).  None: every
        column of object or string dtype.  Numeric columns are never touched, so a
        negative amount stays a negative number.
    raw
        True (``--raw-csv``): the frame unchanged.

    Returns the input itself when nothing needs changing, else a copy.
    """
    import pandas as pd

    if raw:
        return frame
    if text_columns is None:
        text_columns = [c for c in frame.columns if pd.api.types.is_object_dtype(frame[c].dtype)
                        or pd.api.types.is_string_dtype(frame[c].dtype)]
    out = frame
    pattern = r"^(?:[=+@\t\r]|-[\s\S])"  # a lone "-" (an empty-value placeholder) is text to Excel too
    for name in text_columns:
        series = frame[name]
        if not (pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype)):
            continue
        flagged = _flag(series, pattern)
        if not flagged.any():
            continue
        if out is frame:
            out = frame.copy()
        column = series.astype(object).copy()
        column[flagged] = "'" + series[flagged].astype(str)
        out[name] = column
    return out


def _flag(series: pd.Series, pattern: str) -> pd.Series:
    """Which values are text matching ``pattern`` (vectorised; non-text values are False)."""
    try:
        return series.str.contains(pattern, regex=True, na=False).astype(bool)
    except AttributeError:  # an object column without a single string: .str refuses it
        compiled = re.compile(pattern)
        return series.map(lambda v: isinstance(v, str) and compiled.search(v) is not None).astype(bool)
