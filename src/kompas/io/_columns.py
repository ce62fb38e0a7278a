"""Line splitting and whole-column field parsing for line-record formats (SP3, RINEX clock).

A file's bytes are cut into lines once (:class:`Lines`); the columns a reader needs are
gathered into an ``(n_lines, width)`` uint8 array (:meth:`Lines.grid`), and a whole column of
fields is converted at once with numpy's string casts (:func:`int_field`, :func:`float_field`).
Python only loops over lines on the error path, to name the first line that does not parse.

Numeric fields are checked against a character set first (digits, blanks, sign, point and an
``E``/``D`` exponent), so the casts never accept ``nan``, ``inf`` or ``1_000`` from a file.
Fortran ``D`` exponents are read as ``E``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ..errors import FormatError, SignalError, TimeError
from ..satsys import sat_index
from ..time import gtime_from_calendar

__all__ = [
    "Lines", "int_field", "float_field", "blank_rows", "calendar_ns", "file_sat_index",
    "SPACE_LIKE", "NUMERIC_CHARS",
]  # fmt: skip

SPACE = 32
SPACE_LIKE = np.zeros(256, bool)
SPACE_LIKE[[0, 9, 10, 11, 12, 13, 32]] = True  # NUL counts as blank
NUMERIC_CHARS = SPACE_LIKE.copy()
NUMERIC_CHARS[np.frombuffer(b"0123456789+-.EeDd", np.uint8)] = True
_D_TO_E = np.arange(256, dtype=np.uint8)
_D_TO_E[ord("D")] = ord("E")
_D_TO_E[ord("d")] = ord("e")


@dataclass(frozen=True)
class Lines:
    """The lines of a byte buffer: line ``i`` is ``buf[starts[i]:ends[i]]`` without its end of line.

    Line ``i`` is line ``i + 1`` of the file.
    """

    buf: np.ndarray  # uint8 view of the whole content
    starts: np.ndarray  # int64
    ends: np.ndarray  # int64, exclusive, CR stripped

    @classmethod
    def from_bytes(cls, data: bytes) -> Lines:
        buf = np.frombuffer(data, np.uint8)
        nl = np.flatnonzero(buf == 10)
        starts = np.concatenate(([0], nl + 1)).astype(np.int64)
        ends = np.concatenate((nl, [buf.size])).astype(np.int64)
        if starts[-1] == buf.size:  # nothing after the last newline
            starts, ends = starts[:-1], ends[:-1]
        if ends.size:
            ends = ends - ((ends > starts) & (buf[np.maximum(ends - 1, 0)] == 13))
        return cls(buf, starts, ends)

    def __len__(self) -> int:
        return int(self.starts.size)

    @property
    def lengths(self) -> np.ndarray:
        return self.ends - self.starts

    def text(self, i: int) -> str:
        """Line ``i`` as text (Latin-1: one byte, one character)."""
        return bytes(self.buf[self.starts[i] : self.ends[i]]).decode("latin-1")

    def grid(self, width: int, rows=None) -> np.ndarray:
        """Columns ``0 .. width-1`` of all lines (or of ``rows``) as an ``(n, width)`` uint8 array.

        Positions past the end of a line are blanks (32), so a short line reads as blank fields.
        """
        starts = self.starts if rows is None else self.starts[rows]
        ends = self.ends if rows is None else self.ends[rows]
        out = np.full((starts.size, width), SPACE, np.uint8)
        if self.buf.size == 0:
            return out
        top = self.buf.size - 1
        for c in range(width):  # one gather per column keeps the temporaries O(n)
            pos = starts + c
            out[:, c] = np.where(pos < ends, self.buf[np.minimum(pos, top)], SPACE)
        return out


def blank_rows(cols: np.ndarray) -> np.ndarray:
    """True for the rows of a uint8 block that hold only blanks."""
    return SPACE_LIKE[cols].all(axis=1)


def _fail(path, rows, cols: np.ndarray, bad: np.ndarray, what: str):
    i = int(np.flatnonzero(bad)[0])
    line = (i if rows is None else int(rows[i])) + 1
    field = bytes(cols[i]).decode("latin-1")
    raise FormatError(path, line, f"{what}: cannot read {field!r} as a number")


def _strings(cols: np.ndarray, path, rows, what) -> np.ndarray:
    """The non-blank fields of ``cols`` as an ``S`` array, after the character check."""
    bad = ~NUMERIC_CHARS[cols].all(axis=1)
    if bad.any():
        _fail(path, rows, cols, bad, what)
    cols = np.ascontiguousarray(_D_TO_E[cols])
    return cols.view(f"S{cols.shape[1]}").ravel()


def _cast(cols, keep, dtype, out, path, rows, what):
    strings = _strings(cols[keep], path, None if rows is None else np.asarray(rows)[keep], what)
    try:
        out[keep] = strings.astype(dtype)
    except (ValueError, OverflowError):
        bad = np.zeros(cols.shape[0], bool)
        for k, s in zip(np.flatnonzero(keep), strings, strict=True):  # error path only: find the line
            try:
                np.array([s]).astype(dtype)
            except (ValueError, OverflowError):
                bad[k] = True
                break
        _fail(path, rows, cols, bad, what)
    return out


def int_field(
    grid: np.ndarray, a: int, b: int, *, path, rows=None, what: str, blank: int | None = None
) -> np.ndarray:
    """Integer field in columns ``[a, b)`` of every row of ``grid``.

    Parameters
    ----------
    grid : (n, width) uint8
        From :meth:`Lines.grid`.
    path : str or None
        The file, for error messages.
    rows : array of int, optional
        Row ``k`` of ``grid`` is line ``rows[k]`` (0-based) of the file; None: line ``k``.
    what : str
        The field's name in error messages.
    blank : int, optional
        Value of an all-blank field; None makes a blank field an error.

    Raises
    ------
    FormatError
        Naming the first line whose field is not an integer.
    """
    cols = grid[:, a:b]
    empty = blank_rows(cols)
    if blank is None and empty.any():
        _fail(path, rows, cols, empty, what)
    out = np.full(cols.shape[0], 0 if blank is None else blank, np.int64)
    keep = ~empty
    fast = _right_aligned_digits(cols[keep])
    if fast is not None:
        out[keep] = fast
        return out
    return _cast(cols, keep, np.int64, out, path, rows, what)


def _right_aligned_digits(cols: np.ndarray) -> np.ndarray | None:
    """Unsigned right-aligned integers (blanks, then digits) by digit arithmetic; None if any other."""
    if cols.shape[1] > 18:  # could overflow int64
        return None
    d = cols.astype(np.int64) - 48
    is_digit = (d >= 0) & (d <= 9)
    seen = np.logical_or.accumulate(is_digit, axis=1)
    if not np.all(is_digit | ((cols == SPACE) & ~seen)):
        return None
    weights = 10 ** np.arange(cols.shape[1] - 1, -1, -1, dtype=np.int64)
    return np.where(is_digit, d, 0) @ weights


def float_field(
    grid: np.ndarray, a: int, b: int, *, path: str | os.PathLike | None, rows=None, what: str, blank_ok=False
) -> np.ndarray:
    """Float field in columns ``[a, b)``; an all-blank field is NaN when ``blank_ok``, else an error.

    See :func:`int_field` for the parameters.
    """
    cols = grid[:, a:b]
    empty = blank_rows(cols)
    if not blank_ok and empty.any():
        _fail(path, rows, cols, empty, what)
    out = np.full(cols.shape[0], np.nan)
    return _cast(cols, ~empty, np.float64, out, path, rows, what)


def calendar_ns(year, month, day, hour, minute, second, scale: str, *, path, rows=None, what="epoch"):
    """Vectorised :func:`kompas.time.gtime_from_calendar` that names the first bad line on failure.

    ``rows[k]`` is the 0-based line of element ``k`` (None: line ``k``).
    """
    try:
        return np.atleast_1d(gtime_from_calendar(year, month, day, hour, minute, second, scale=scale))
    except TimeError:
        pass
    for k in range(len(year)):
        try:
            gtime_from_calendar(year[k], month[k], day[k], hour[k], minute[k], second[k], scale=scale)
        except TimeError as exc:
            line = (k if rows is None else int(rows[k])) + 1
            raise FormatError(path, line, f"invalid {what}: {exc}") from None
    raise AssertionError("unreachable: the vectorised conversion failed but no element does")


def file_sat_index(ids):
    """:func:`kompas.satsys.sat_index` for ids read from a file: any bad id is a SignalError.

    (A non-ASCII byte would otherwise surface as a UnicodeEncodeError.)
    """
    try:
        return sat_index(ids)
    except UnicodeError:
        raise SignalError(f"invalid satellite id in {np.atleast_1d(ids)[:5]!r}") from None
