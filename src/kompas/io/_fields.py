"""Line-record parsing shared by the product readers (ANTEX, IONEX, Bias-SINEX).

A blank, non-finite or otherwise unparsable field raises ``ValueError`` with what was expected;
:class:`LineParser` turns it into a :class:`kompas.errors.FormatError` naming the file and line.
"""

from __future__ import annotations

import math

from ..errors import FormatError, KompasError

__all__ = ["LineParser", "strict_float", "strict_int"]


class LineParser:
    """Base of a reader that walks ``self.lines`` keeping ``self.n``, the 1-based line being read.

    Subclasses implement ``_parse()``; :meth:`parse` converts any stray parsing exception (and a
    :class:`KompasError` raised without a line) into a :class:`FormatError` at the current line.
    """

    def __init__(self, path: str | None, text: str):
        self.path = path
        self.lines = text.splitlines()
        self.n = 0

    def error(self, message: str, line: int | None = None) -> FormatError:
        return FormatError(self.path, self.n if line is None else line, message)

    def parse(self):
        try:
            return self._parse()
        except FormatError:
            raise
        except (KompasError, ValueError, IndexError, TypeError, OverflowError, KeyError) as exc:
            raise self.error(str(exc)) from None

    def _parse(self):  # pragma: no cover - abstract
        raise NotImplementedError


def strict_float(text: str, what: str) -> float:
    """A finite float, or ``ValueError`` naming ``what`` (Python's ``1_000`` digit grouping refused)."""
    s = text.strip()
    if not s or "_" in s:
        raise ValueError(f"expected a number for {what}, found {text!r}")
    try:
        v = float(s)
    except ValueError:
        raise ValueError(f"expected a number for {what}, found {text!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"expected a finite number for {what}, found {text!r}")
    return v


def strict_int(text: str, what: str) -> int:
    """An integer, or ``ValueError`` naming ``what``."""
    s = text.strip()
    if not s or "_" in s:
        raise ValueError(f"expected an integer for {what}, found {text!r}")
    try:
        return int(s)
    except ValueError:
        raise ValueError(f"expected an integer for {what}, found {text!r}") from None
