"""Strict parsers for single text fields of the product formats (ANTEX, IONEX).

A blank, non-finite or otherwise unparsable field raises ``ValueError`` with what was expected; the
readers turn it into a :class:`kompas.errors.FormatError` naming the file and line.
"""

from __future__ import annotations

import math

__all__ = ["strict_float", "strict_int"]


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
