"""One exception family and the exit codes every command shares."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    ERROR = 1  # bad data or a failed run
    USAGE = 2  # wrong options or arguments
    INTERRUPTED = 130


class KamtoolError(Exception):
    """An error the user can act on; printed as one line, exit code 1."""

    exit_status = ExitStatus.ERROR


class DataError(KamtoolError):
    """The data cannot be read or understood (file, row, column, value)."""


class ColumnError(DataError):
    """A required column is missing or ambiguous."""


class UsageError(KamtoolError):
    """Options that contradict each other or the data; exit code 2."""

    exit_status = ExitStatus.USAGE


class AnalysisError(KamtoolError):
    """An analysis cannot run on this data (too few customers, no fit)."""
