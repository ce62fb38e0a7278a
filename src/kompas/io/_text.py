"""One strict text-field toolkit for every reader: numbers, blanks, columns, calendars, diagnostics.

Every reader in :mod:`kompas.io.readers` parses its fields through this module, so a field means
the same thing in every format:

Numbers
    A float is ``[+-]digits[.digits]`` or ``[+-].digits`` with an optional exponent ``E``/``D``
    (Fortran ``D`` is read as ``E``), surrounded by blanks, ASCII digits only. ``nan``, ``inf``,
    ``1_000`` (Python's digit grouping), hexadecimal and a value that overflows to infinity are
    errors (``nan`` only where the caller says its format writes it). An integer is ``[+-]digits``.
    A Fortran ``F`` field (observation values, NMEA and .pos numbers: :data:`DECIMAL`) has no
    exponent. The whole-column parsers below and the observation kernels of :mod:`kompas.io._fixed`
    (numpy and numba) follow the same rules.
Blanks
    An all-blank field is an error unless the caller gives the value it stands for (``blank=``).
Columns
    Fixed-width fields are slices ``text[a:b]`` of 0-based columns, so a line shorter than a field
    reads as blanks; :meth:`Lines.grid` gives whole columns of many lines at once, blank-padded.
Calendars
    :func:`calendar_problem` / :func:`calendar_bad` check years :data:`YEAR_MIN`-:data:`YEAR_MAX`
    (GNSS data; the int64 nanosecond count of :mod:`kompas.time` holds 1688-2272), months, days of
    the month, hours, minutes and seconds before any conversion, so a date never wraps.
Diagnostics
    :class:`Diagnostics` names the file and line of every error (:class:`~kompas.errors.FormatError`),
    collects the warnings a reader emits once at the end (records dropped, repairs made, truncation)
    and applies the strict mode.

Tolerance policy (RINEX/SP3 fixed-width fields)
    Where a value can be recovered without ambiguity the reader recovers it and calls
    :meth:`Diagnostics.repair`, which emits one :class:`~kompas.errors.FormatWarning` per file and
    kind of repair naming the first line. The repairs made today:

    * integer fields shifted off their columns when exactly two integers fill the span
      (RINEX 2 navigation ``DELTA-UTC: A0,A1,T,W``);
    * items of a fixed layout written without their separating blank, when the items tile the
      field exactly (``GLONASS SLOT / FRQ #``: ``R11 -5R19 +3R23 -6``);
    * blank lines before the first header line (RINEX observation and MET files, SP3);
    * a blank inside a number whose pieces are not numbers themselves (``. 000000000000D+00`` in
      a navigation record; ``1.5 2.0`` has two readings and is not repaired);
    * a navigation header without ``END OF HEADER``, ended before the first line shaped like a record.

    Where two readings are possible, a header field is a ``FormatError`` and a data record is
    dropped with a :class:`~kompas.errors.DroppedRecordWarning`. With ``strict=True`` every repair
    and every dropped record is a ``FormatError`` naming the line (truncation still only warns).
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import warnings
from dataclasses import dataclass

import numpy as np

from ..errors import (
    DroppedRecordWarning,
    FormatError,
    FormatWarning,
    KompasError,
    SignalError,
    TimeError,
    TruncatedFileWarning,
    caller_stacklevel,
)
from ..satsys import sat_index
from ..time import gtime_from_calendar
from ._open import file_name

__all__ = [
    "YEAR_MIN", "YEAR_MAX", "FLOAT", "INTEGER", "DECIMAL", "REQUIRED",
    "parse_float", "parse_int", "decimal_or_none", "Diagnostics", "LineParser",
    "calendar_problem", "calendar_bad", "calendar_ns_or_bad", "Lines",
    "first_header_line", "blank_rows", "int_field", "float_field", "file_sat_index", "SPACE_LIKE",
    "NUMERIC_CHARS",
]  # fmt: skip

YEAR_MIN, YEAR_MAX = 1980, 2200
"""Years accepted in GNSS data epochs (GPS time starts on 1980-01-06)."""

FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[EeDd][+-]?[0-9]+)?")
"""A number with an optional exponent (``E``/``D``), ASCII digits only."""
DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")
"""A Fortran ``F`` field as written: no exponent."""
INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL_BYTES = re.compile(rb" *[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+) *")
_NAN_WORDS = ("nan", "-nan", "+nan")
_UNFORESEEN = (ValueError, IndexError, KeyError, TypeError, OverflowError, UnicodeError)
"""Python errors a reader's last resort turns into a FormatError (:meth:`Diagnostics.last_resort`)."""


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED = _Required()
"""Marker: a blank field is an error."""

_D_TO_E = str.maketrans("Dd", "Ee")


# ----------------------------------------------------------------------------------------------
# Scalar fields (raise ValueError naming the field; Diagnostics turns it into a FormatError)


def parse_float(text: str, what: str, blank=REQUIRED, *, exponent: bool = True, nan: bool = False) -> float:
    """A finite float from ``text`` (see the module rules); ``blank`` is returned for a blank field.

    Parameters
    ----------
    text : str
        The field, blanks around it allowed.
    what : str
        The field's name, for the message.
    blank : float, optional
        Value of an all-blank field; without it a blank field is an error.
    exponent : bool
        Accept an ``E``/``D`` exponent (False: a Fortran ``F`` field, e.g. NMEA and .pos numbers).
    nan : bool
        Accept the word ``nan`` (only where a format writes it: RTKLIB .pos standard deviations).

    Raises
    ------
    ValueError
        Naming ``what`` and the text, for anything else (``nan``, ``inf``, ``1_000``, overflow).
    """
    s = text.strip()
    if not s:
        if blank is REQUIRED:
            raise ValueError(f"{what}: expected a number, found a blank field")
        return blank
    if nan and s.lower() in _NAN_WORDS:
        return math.nan
    if not (FLOAT if exponent else DECIMAL).fullmatch(s):
        raise ValueError(f"{what}: expected a number, found {s!r}")
    v = float(s.translate(_D_TO_E))
    if not math.isfinite(v):
        raise ValueError(f"{what}: {s!r} is out of range")
    return v


def parse_int(text: str, what: str, blank=REQUIRED) -> int:
    """An integer from ``text``; ``blank`` is returned for a blank field. ``ValueError`` otherwise."""
    s = text.strip()
    if not s:
        if blank is REQUIRED:
            raise ValueError(f"{what}: expected an integer, found a blank field")
        return blank
    if not INTEGER.fullmatch(s):
        raise ValueError(f"{what}: expected an integer, found {s!r}")
    return int(s)


def decimal_or_none(raw: bytes) -> float | None:
    """A blank-padded Fortran ``F`` field (bytes, :data:`DECIMAL` rule) as a float, or None."""
    if _DECIMAL_BYTES.fullmatch(raw) is None:
        return None
    return float(raw)


# ----------------------------------------------------------------------------------------------
# Diagnostics: errors with file and line, warnings emitted once per file, strict mode


class Diagnostics:
    """Where a reader is (file, line offset) and what it has to say at the end.

    Parameters
    ----------
    path : str or os.PathLike or None
        The file, for messages.
    strict : bool
        Every repair and every dropped record becomes a :class:`FormatError`.
    """

    def __init__(self, path, *, strict: bool = False):
        self.path = None if path is None else file_name(path)
        self.strict = strict
        self.base = 0  # lines consumed before the current block (streaming readers)
        self._repairs: dict[str, tuple[int | None, str, int]] = {}
        self._dropped: list[tuple[int | None, str]] = []
        self._truncated: list[str] = []

    # -- errors
    def error(self, line: int | None, message: str) -> FormatError:
        """A :class:`FormatError` at 1-based ``line`` of the current block (None: the whole file)."""
        return FormatError(self.path, None if line is None else line + self.base, message)

    def float(self, text: str, line: int | None, what: str, blank=REQUIRED) -> float:
        s = text.strip()
        if blank is not REQUIRED and not s:  # (the common cases, per epoch record, fast:
            return blank  # a blank optional field, an unsigned decimal)
        if s.replace(".", "", 1).isdigit() and s.isascii():
            return float(s)
        try:
            return parse_float(text, what, blank)
        except ValueError as exc:
            raise self.error(line, str(exc)) from None

    def int(self, text: str, line: int | None, what: str, blank=REQUIRED) -> int:
        s = text.strip()
        if s.isdigit() and s.isascii():  # (unsigned digits: the common case, per epoch record, fast)
            return int(s)
        try:
            return parse_int(text, what, blank)
        except ValueError as exc:
            raise self.error(line, str(exc)) from None

    def count(self, text: str, line: int | None, what: str, blank=REQUIRED) -> int:
        """A non-negative integer (a number of records, satellites, values)."""
        n = self.int(text, line, what, blank)
        if n < 0:
            raise self.error(line, f"{what}: expected a count >= 0, found {n}")
        return n

    @contextlib.contextmanager
    def last_resort(self, what: str):
        """Turn an unforeseen Python error inside the block into a :class:`FormatError` naming the file.

        The readers' last resort: a malformed file must never show a bare traceback (the fuzz harness,
        tests/fuzz, counts any such message as a failure). :class:`KompasError` passes unchanged.

        Parameters
        ----------
        what : str
            What was being read, for the message (``"unreadable {what} (...)"``).
        """
        try:
            yield
        except KompasError:
            raise
        except _UNFORESEEN as exc:
            raise self.error(None, f"unreadable {what} ({type(exc).__name__}: {exc})") from None

    # -- collected diagnostics
    def repair(self, line: int | None, kind: str, message: str) -> None:
        """A value recovered without ambiguity (one :class:`FormatWarning` per kind; strict: error)."""
        if self.strict:
            raise self.error(line, f"{message} (refused in strict mode)")
        first = self._repairs.get(kind)
        at = None if line is None else line + self.base
        self._repairs[kind] = (first[0], first[1], first[2] + 1) if first else (at, message, 1)

    def drop(self, line: int | None, message: str) -> None:
        """A malformed data record skipped (one :class:`DroppedRecordWarning`; strict: error)."""
        if self.strict:
            raise self.error(line, f"{message} (refused in strict mode)")
        self._dropped.append((None if line is None else line + self.base, message))

    def truncated(self, message: str) -> None:
        """The file ends inside a record (one :class:`TruncatedFileWarning`)."""
        self._truncated.append(message)

    @property
    def n_dropped(self) -> int:
        return len(self._dropped)

    def emit(self) -> None:
        """Emit the collected warnings (call once, at the end of a read) at the first line outside kompas
        (:func:`kompas.errors.caller_stacklevel`): the user's line, however the reader was reached."""
        where = self.path if self.path is not None else "<text>"
        for kind, (line, message, n) in self._repairs.items():
            at = f", line {line}" if line is not None else ""
            more = f" ({n} lines repaired)" if n > 1 else ""
            warnings.warn(
                FormatWarning(f"{where}{at}: {kind}: {message}{more}"), stacklevel=caller_stacklevel()
            )
        if self._dropped:
            shown = "; ".join(
                (f"line {ln}: " if ln is not None else "") + msg for ln, msg in self._dropped[:5]
            )
            more = f" (and {len(self._dropped) - 5} more)" if len(self._dropped) > 5 else ""
            warnings.warn(
                DroppedRecordWarning(
                    f"{where}: {len(self._dropped)} malformed record(s) dropped, the rest read: {shown}{more}"
                ),
                stacklevel=caller_stacklevel(),
            )
        if self._truncated:
            warnings.warn(
                TruncatedFileWarning(f"{where}: {'; '.join(self._truncated)}"), stacklevel=caller_stacklevel()
            )
        self._repairs, self._dropped, self._truncated = {}, [], []


class LineParser:
    """Base of a reader that walks ``self.lines`` keeping ``self.n``, the 1-based line being read.

    Subclasses implement ``_parse()``; :meth:`parse` converts any stray parsing exception (and a
    :class:`KompasError` raised without a line) into a :class:`FormatError` at the current line.
    Lines are split on LF only (CR before it dropped). A last line without its end of line is read
    only when it is a whole record: its label (columns 61-80) is one of ``LABELS``, or the stripped
    line is one of ``CLOSING``; otherwise the file was cut inside it: it is dropped with a
    :class:`TruncatedFileWarning` and the reader sees a file that ends before it (its own rules keep
    the complete records).
    """

    LABELS: frozenset = frozenset()
    CLOSING: tuple[str, ...] = ()

    def __init__(self, path: str | None, text: str):
        self.path = path
        lines = [x[:-1] if x.endswith("\r") else x for x in text.split("\n")]
        if lines and lines[-1] == "":
            lines.pop()
        self.cut_line = None
        cut_rule = bool(self.LABELS or self.CLOSING)  # (formats that say what a whole last line is)
        if cut_rule and lines and not text.endswith("\n") and not self._closing(lines[-1]):
            self.cut_line = len(lines)
            lines.pop()
        self.lines = lines
        self.n = 0

    def _closing(self, line: str) -> bool:
        return line[60:].strip() in self.LABELS or line.strip() in self.CLOSING

    def error(self, message: str, line: int | None = None) -> FormatError:
        return FormatError(self.path, self.n if line is None else line, message)

    def header_record(self, i: int) -> tuple[str, str]:
        """Line ``i`` (0-based) of the header and its label (columns 61-80); ``self.n`` moves to it.

        Raises
        ------
        FormatError
            When the file ends before ``END OF HEADER`` (``i`` past the last line).
        """
        if i >= len(self.lines):
            raise FormatError(self.path, None, "file ends before END OF HEADER")
        self.n = i + 1
        line = self.lines[i]
        return line, line[60:80].strip()

    def parse(self):
        try:
            out = self._parse()
        except FormatError:
            raise
        except (KompasError, ValueError, IndexError, TypeError, OverflowError, KeyError) as exc:
            raise self.error(str(exc)) from None
        if self.cut_line is not None:
            where = f"{self.path}, line {self.cut_line}"
            warnings.warn(
                TruncatedFileWarning(f"{where}: the file ends inside this line; not read"),
                stacklevel=caller_stacklevel(),
            )
        return out

    def _parse(self):  # pragma: no cover - abstract
        raise NotImplementedError


# ----------------------------------------------------------------------------------------------
# Calendars

_CAL_FIELDS = ("year", "month", "day", "hour", "minute", "second")
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int64)


def _month_days(year, month):
    year = np.asarray(year, np.int64)
    m = np.clip(np.asarray(month, np.int64), 0, 12)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return _MONTH_DAYS[m] + ((m == 2) & leap)


def calendar_bad(year, month, day, hour, minute, second, years=(YEAR_MIN, YEAR_MAX)) -> np.ndarray:
    """Per element, 0 when the calendar fields are in range, else 1 + the index of the first bad field.

    Fields: year ``years[0]..years[1]``, month 1-12, day 1..length of the month, hour 0-23,
    minute 0-59, second 0 <= s < 61 (a second of 60 is left to the time-scale conversion, which
    accepts it during a leap second only). Arrays broadcast together.
    """
    y, mo, d, h, mi = (np.asarray(v) for v in (year, month, day, hour, minute))
    s = np.asarray(second, np.float64)
    shape = np.broadcast_shapes(y.shape, mo.shape, d.shape, h.shape, mi.shape, s.shape)
    out = np.zeros(shape, np.int8)
    yi = np.where((y >= years[0]) & (y <= years[1]), y, 2000).astype(np.int64)
    checks = (
        (y >= years[0]) & (y <= years[1]),
        (mo >= 1) & (mo <= 12),
        (d >= 1) & (d <= _month_days(yi, mo)),
        (h >= 0) & (h <= 23),
        (mi >= 0) & (mi <= 59),
        (s >= 0) & (s < 61),  # False for NaN
    )
    for k in range(5, -1, -1):  # the first bad field wins
        out = np.where(checks[k], out, k + 1)
    return out.astype(np.int8)


def calendar_problem(year, month, day, hour, minute, second, years=(YEAR_MIN, YEAR_MAX)) -> str | None:
    """What is wrong with one set of calendar fields (``"year 5026 outside 1980-2200"``), or None.

    Plain Python (readers call it once per epoch record); the rules of :func:`calendar_bad`.
    """
    if not years[0] <= year <= years[1]:
        return f"year {year} outside {years[0]}-{years[1]}"
    if not 1 <= month <= 12:
        return f"month {month} outside 1-12"
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= day <= int(_MONTH_DAYS[int(month)]) + (month == 2 and leap):
        return f"day {day} outside 1 to the length of the month"
    if not 0 <= hour <= 23:
        return f"hour {hour} outside 0-23"
    if not 0 <= minute <= 59:
        return f"minute {minute} outside 0-59"
    if not 0 <= second < 61:  # False for NaN
        return f"second {second} outside 0 to < 61"
    return None


def calendar_ns_or_bad(year, month, day, hour, minute, second, scale: str, years=(YEAR_MIN, YEAR_MAX)):
    """Calendar fields -> (GPST ns (0 where bad), bad mask, {index: reason}) without raising."""
    fields = (year, month, day, hour, minute, second)
    y, mo, d, h, mi, s = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v)) for v in fields))
    bad = calendar_bad(y, mo, d, h, mi, s, years=years) != 0
    why = {int(k): calendar_problem(y[k], mo[k], d[k], h[k], mi[k], s[k], years) for k in np.flatnonzero(bad)}
    ok = ~bad
    ns = np.zeros(y.shape, np.int64)
    if not ok.any():
        return ns, bad, why
    ints = [np.asarray(v)[ok].astype(np.int64) for v in (y, mo, d, h, mi)]
    sec = s[ok].astype(np.float64)
    try:
        # the fields are checked above; only a second of 60 needs the conversion's leap-second check
        ns[ok] = gtime_from_calendar(*ints, sec, scale=scale, check=bool((sec >= 60).any()))
    except TimeError:  # a second of 60 outside a leap second: find which (rare path)
        for k in np.flatnonzero(ok):
            try:
                one = (int(y[k]), int(mo[k]), int(d[k]), int(h[k]), int(mi[k]), float(s[k]))
                ns[k] = gtime_from_calendar(*one, scale=scale)
            except TimeError as exc:
                bad[k] = True
                why[int(k)] = str(exc)
    return ns, bad, why


# ----------------------------------------------------------------------------------------------
# Whole columns of fixed-width fields (vectorised)

SPACE = 32
SPACE_LIKE = np.zeros(256, bool)
SPACE_LIKE[[0, 9, 10, 11, 12, 13, 32]] = True  # NUL counts as blank
NUMERIC_CHARS = SPACE_LIKE.copy()
NUMERIC_CHARS[np.frombuffer(b"0123456789+-.EeDd", np.uint8)] = True
_D_TO_E_BYTES = np.arange(256, dtype=np.uint8)
_D_TO_E_BYTES[ord("D")] = ord("E")
_D_TO_E_BYTES[ord("d")] = ord("e")


@dataclass(frozen=True)
class Lines:
    """The lines of a byte buffer: line ``i`` is ``buf[starts[i]:ends[i]]`` without its end of line.

    Line ``i`` is line ``i + 1`` of the file. ``complete_last`` is False when the buffer does not
    end with a newline (the last line may be cut).
    """

    buf: np.ndarray  # uint8 view of the whole content
    starts: np.ndarray  # int64
    ends: np.ndarray  # int64, exclusive, CR stripped
    complete_last: bool = True

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
        return cls(buf, starts, ends, not data or data.endswith(b"\n"))

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


def first_header_line(lines, ctx: Diagnostics, before: str) -> int:
    """0-based index of the first non-blank line; blank lines before it are a repair (tolerance policy).

    Parameters
    ----------
    lines : sequence of str or bytes
        The file's lines, without their ends.
    ctx : Diagnostics
        Receives the repair (strict mode: a FormatError).
    before : str
        What the skipped lines stand before, for the message
        (``"... blank line(s) before {before} skipped"``).

    Raises
    ------
    FormatError
        When every line is blank (no RINEX header).
    """
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first >= len(lines):
        raise ctx.error(None, "file holds no RINEX header")
    if first:
        ctx.repair(1, "blank lines before the header", f"{first} blank line(s) before {before} skipped")
    return first


def blank_rows(cols: np.ndarray) -> np.ndarray:
    """True for the rows of a uint8 block that hold only blanks."""
    return SPACE_LIKE[cols].all(axis=1)


def _fail(path, rows, cols: np.ndarray, bad: np.ndarray, what: str):
    i = int(np.flatnonzero(bad)[0])
    line = (i if rows is None else int(rows[i])) + 1
    text = bytes(cols[i]).decode("latin-1")
    raise FormatError(path, line, f"{what}: cannot read {text!r} as a number")


def _cast_bad(cols: np.ndarray, keep: np.ndarray, dtype, out: np.ndarray) -> np.ndarray:
    """Cast the kept rows of ``cols`` into ``out``; return the mask of rows that are not numbers."""
    bad = np.zeros(cols.shape[0], bool)
    bad[keep] = ~NUMERIC_CHARS[cols[keep]].all(axis=1)
    good = keep & ~bad
    if not good.any():
        return bad
    sub = np.ascontiguousarray(_D_TO_E_BYTES[cols[good]])
    strings = sub.view(f"S{sub.shape[1]}").ravel()
    try:
        vals = strings.astype(dtype)
    except (ValueError, OverflowError):
        vals = np.zeros(strings.size, dtype)
        idx = np.flatnonzero(good)
        for j, s in enumerate(strings):  # error path only: find the bad rows
            try:
                vals[j] = np.array([s]).astype(dtype)[0]
            except (ValueError, OverflowError):
                bad[idx[j]] = True
    if dtype == np.float64:
        fin = np.isfinite(vals)
        if not fin.all():
            bad[np.flatnonzero(good)[~fin]] = True
            vals = np.where(fin, vals, np.nan)
    out[good] = vals
    out[bad] = out.dtype.type(0) if out.dtype.kind == "i" else np.nan
    return bad


def int_field(grid: np.ndarray, a: int, b: int, *, path, rows=None, what: str, blank: int | None = None,
              bad: str = "raise"):  # fmt: skip
    """Integer field in columns ``[a, b)`` of every row of ``grid``.

    Parameters
    ----------
    grid : (n, width) uint8
        From :meth:`Lines.grid`.
    a, b : int
        First and one-past-last column of the field (0-based, half-open).
    path : str or None
        The file, for error messages.
    rows : array of int, optional
        Row ``k`` of ``grid`` is line ``rows[k]`` (0-based) of the file; None: line ``k``.
    what : str
        The field's name in error messages.
    blank : int, optional
        Value of an all-blank field; None makes a blank field bad.
    bad : ``"raise"`` or ``"mask"``
        A field that is not an integer raises a FormatError naming the first such line, or is
        returned in a mask: ``(values, bad_mask)``.
    """
    cols = grid[:, a:b]
    empty = blank_rows(cols)
    out = np.full(cols.shape[0], 0 if blank is None else blank, np.int64)
    keep = ~empty
    fast = _right_aligned_digits(cols[keep])
    if fast is not None:
        out[keep] = fast
        wrong = np.zeros(cols.shape[0], bool)
    else:
        wrong = _cast_bad(cols, keep, np.int64, out)
    if blank is None:
        wrong |= empty
    if bad == "mask":
        return out, wrong
    if wrong.any():
        _fail(path, rows, cols, wrong, what)
    return out


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


def float_field(grid: np.ndarray, a: int, b: int, *, path: str | os.PathLike | None, rows=None, what: str,
                blank_ok=False, bad: str = "raise"):  # fmt: skip
    """Float field in columns ``[a, b)``; an all-blank field is NaN when ``blank_ok``, else bad.

    See :func:`int_field` for the parameters. Non-finite results (``1E999``) are bad.
    """
    cols = grid[:, a:b]
    empty = blank_rows(cols)
    out = np.full(cols.shape[0], np.nan)
    wrong = _cast_bad(cols, ~empty, np.float64, out)
    if not blank_ok:
        wrong |= empty
    if bad == "mask":
        return out, wrong
    if wrong.any():
        _fail(path, rows, cols, wrong, what)
    return out


def file_sat_index(ids):
    """:func:`kompas.satsys.sat_index` for ids read from a file: any bad id is a SignalError.

    (A non-ASCII byte would otherwise surface as a UnicodeEncodeError.)
    """
    try:
        return sat_index(ids)
    except UnicodeError:
        raise SignalError(f"invalid satellite id in {np.atleast_1d(ids)[:5]!r}") from None
