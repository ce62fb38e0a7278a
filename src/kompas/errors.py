"""Exceptions raised by kompas.

Every error kompas raises on purpose derives from :class:`KompasError`, so callers
(and the property-based reader tests) can tell a diagnosed problem from a bug.
"""

from __future__ import annotations

import os
import sys

__all__ = [
    "caller_stacklevel",
    "KompasError",
    "FormatError",
    "TimeError",
    "SignalError",
    "ConfigError",
    "EstimatorError",
    "NotFoundError",
    "KompasWarning",
    "TruncatedFileWarning",
    "FormatWarning",
    "DroppedRecordWarning",
    "RepeatedEpochWarning",
]


class KompasError(Exception):
    """Base class of every error raised deliberately by kompas."""


class FormatError(KompasError, ValueError):
    """A file does not follow its format.

    Parameters
    ----------
    path : str or os.PathLike or None
        The file being read (``None`` for in-memory text).
    line : int or None
        1-based line number where the problem was found (``None`` when the problem is
        not tied to one line, e.g. an empty file).
    message : str
        What was expected and what was found.
    """

    def __init__(self, path: str | os.PathLike | None, line: int | None, message: str):
        self.path = None if path is None else os.fspath(path)
        self.line = line
        self.message = message
        where = self.path if self.path is not None else "<text>"
        if line is not None:
            where = f"{where}, line {line}"
        super().__init__(f"{where}: {message}")

    def __reduce__(self):  # keep pickling (multiprocessing, Dask) working
        return (type(self), (self.path, self.line, self.message))


class TimeError(KompasError, ValueError):
    """An instant or time scale that cannot be represented or converted."""


class SignalError(KompasError, ValueError):
    """An unknown signal code, or a frequency that needs missing data (GLONASS channel)."""


class ConfigError(KompasError, ValueError):
    """An invalid option or configuration value."""


class EstimatorError(KompasError, ValueError):
    """Inputs an estimator cannot work with: a covariance that is not symmetric positive definite,
    array shapes that disagree, an index outside the state."""


class NotFoundError(KompasError, KeyError):
    """A lookup that found nothing (an antenna, a station): not a damaged file."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class KompasWarning(UserWarning):
    """Base class of kompas warnings."""


class TruncatedFileWarning(KompasWarning):
    """A file ended inside a record; everything before the break was read."""


class FormatWarning(KompasWarning):
    """A fixed-width field off its columns was read because only one reading is possible.

    One warning per file and kind of repair, naming the file, the first line and what was repaired
    (see the tolerance policy in :mod:`kompas.io._text`). The readers' ``strict=True`` refuses the
    file instead.
    """


class DroppedRecordWarning(KompasWarning):
    """Malformed data records (bad number, impossible date) were skipped; the rest of the file was read."""


class RepeatedEpochWarning(KompasWarning):
    """Epochs that several files of one session hold were read once, from the earliest file (the epoch
    at the join of consecutive files, or overlapping files): nothing was lost, the repeats were dropped."""


def read_first_hint(value, reader: str) -> str:
    """The hint of an argument error when a path was given where the object read from it is expected:
    ``" (read the file first: kompas.<reader>(path))"`` for a path, ``""`` otherwise."""
    return (
        f" (read the file first: kompas.{reader}(path))"
        if isinstance(value, str | bytes | os.PathLike)
        else ""
    )


def caller_stacklevel() -> int:
    """The ``stacklevel`` for a ``warnings.warn`` issued from the calling function that points the warning
    at the first frame outside the kompas package: the user's line, however deep inside kompas the warning
    arises (readers called by readers, recipes calling their drivers) and whether a generator was resumed
    from outside. Counting the frames by hand at each call broke whenever a call moved one level deeper."""
    f, level = sys._getframe(1), 1
    while f is not None and f.f_globals.get("__name__", "").partition(".")[0] == "kompas":
        f, level = f.f_back, level + 1
    return level
