"""One exception family and the exit codes every command shares."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Phrase:
    """A part of a message said from its own label, e.g. one item of a list ("2024Q1 (complete)"):
    a field of :meth:`KamtoolError.said` that is a Phrase, or a list of Phrases (joined by the
    language's separator), is said in the message's language."""

    key: str
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Joined:
    """Items (texts or Phrases) joined by the label ``separator`` ("filters.or": " or " / "或"),
    or run together when it is None."""

    items: Sequence[Any]
    separator: str | None = None


@dataclass(frozen=True)
class Said:
    """A part of a message that words of the reader's language say: ``say(lang)`` (a sentence
    the command line also prints on its own, e.g. a warning's, kept in one place)."""

    say: Callable[[str], str]


def _worded(name: str, value: Any, lang: str) -> Any:
    """The field ``name`` with its Phrases said in ``lang``; a field of the code's own English
    phrases (:data:`PHRASE_FIELDS`) read back in ``lang``; any other value as it is."""
    from kamtool.labels import label

    if isinstance(value, Phrase):
        return label(value.key, lang).format(**{k: _worded(k, v, lang) for k, v in value.fields.items()})
    if isinstance(value, Said):
        return value.say(lang)
    if isinstance(value, Joined):
        separator = "" if value.separator is None else label(value.separator, lang)
        return separator.join(str(_worded(name, item, lang)) for item in value.items)
    if isinstance(value, list) and value and all(isinstance(item, Phrase) for item in value):
        return label("phrase.separator", lang).join(_worded(name, item, lang) for item in value)
    if name in PHRASE_FIELDS and isinstance(value, str) and lang != "en":
        from kamtool.render.words.messages import phrase  # the code's own phrases in a field

        return phrase(value, lang)
    return value


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

        error = cls(label(key, "en").format(**{k: _worded(k, v, "en") for k, v in fields.items()}))
        error.key, error.fields = key, fields
        return error

    @classmethod
    def said_with(cls, key: str, fields: Mapping[str, Any], /, *args: Any, **kwargs: Any) -> Self:
        """:meth:`said` for an error whose constructor takes more than the message (FitError's
        reason code and figures): ``args`` and ``kwargs`` go to it after the message."""
        from kamtool.labels import label

        error = cls(label(key, "en").format(**{k: _worded(k, v, "en") for k, v in fields.items()}),
                    *args, **kwargs)
        error.key, error.fields = key, dict(fields)
        return error

    def in_lang(self, lang: str) -> str:
        """The message in ``lang``: the label's words when raised by :meth:`said`, else the English."""
        if self.key is None:
            return str(self)
        from kamtool.labels import label

        fields = {k: _worded(k, v, lang) for k, v in (self.fields or {}).items()}
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
