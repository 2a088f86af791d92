"""One exception family and the exit codes every command shares."""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum
from typing import Any, Self


class ExitStatus(IntEnum):
    OK = 0
    ERROR = 1  # bad data or a failed run
    USAGE = 2  # wrong options or arguments
    INTERRUPTED = 130


# The fields that carry the code's own English phrases (``row_label``: "line 1,204"; ``what``: "is
# not a date"), said in the reader's language; the other fields are data and names, shown as they are.
PHRASE_FIELDS = frozenset({"row_label", "what", "hint", "advice", "verb", "sheet", "near", "reasons"})


class KamtoolError(Exception):
    """An error the user can act on; printed as one line, exit code 1.

    Raised with a message (English), or with :meth:`said` from a label, whose words the command
    line prints in the reader's language (``--lang zh``); ``str()`` is always the English.
    """

    exit_status = ExitStatus.ERROR
    key: str | None = None
    fields: dict[str, Any] | None = None

    @classmethod
    def said(cls, key: str, /, **fields: Any) -> Self:
        """The error whose words are the label ``key`` with ``fields`` (kamtool/labels/messages.py)."""
        from kamtool.labels import label

        error = cls(label(key, "en").format(**fields))
        error.key, error.fields = key, fields
        return error

    @classmethod
    def said_with(cls, key: str, fields: Mapping[str, Any], /, *args: Any, **kwargs: Any) -> Self:
        """:meth:`said` for an error whose constructor takes more than the message (FitError's
        reason code and figures): ``args`` and ``kwargs`` go to it after the message."""
        from kamtool.labels import label

        error = cls(label(key, "en").format(**fields), *args, **kwargs)
        error.key, error.fields = key, dict(fields)
        return error

    def in_lang(self, lang: str) -> str:
        """The message in ``lang``: the label's words when raised by :meth:`said`, else the English."""
        if self.key is None:
            return str(self)
        from kamtool.labels import label
        from kamtool.render.words.messages import phrase  # the code's own phrases in a field

        fields = {k: phrase(v, lang) if k in PHRASE_FIELDS and isinstance(v, str) else v
                  for k, v in (self.fields or {}).items()}
        return label(self.key, lang).format(**fields)


class DataError(KamtoolError):
    """The data cannot be read or understood (file, row, column, value)."""


class ColumnError(DataError):
    """A required column is missing or ambiguous."""


class UsageError(KamtoolError):
    """Options that contradict each other or the data; exit code 2."""

    exit_status = ExitStatus.USAGE


class AnalysisError(KamtoolError):
    """An analysis cannot run on this data (too few customers, no fit)."""
