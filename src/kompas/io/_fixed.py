"""Vectorised parsing of fixed-width numeric fields held as uint8 character arrays.

RINEX observation values are Fortran ``F14.3`` fields; parsing millions of them with one
``float()`` call each is what makes Python RINEX readers slow. Here a whole block of fields is
parsed with a handful of numpy passes: digits are combined into exact integers (in units of the
last decimal) and divided once by 1000. Because the integer is exact and the division is one
correctly rounded IEEE operation, the result is bit-identical to ``float(text)``.

Fields that do not have the canonical layout (decimal point in its column, right-aligned digits,
an optional leading minus) are re-parsed one by one with the toolkit's Fortran ``F`` rule
(:func:`kompas.io._text.decimal_or_none`: sign, digits, point, no exponent, no ``nan``), so unusual
but valid writers are still read; anything else is reported as bad.
"""

from __future__ import annotations

import numpy as np

from ._text import decimal_or_none

__all__ = ["parse_flag_digits", "parse_obs_fields"]

_SP, _MINUS, _DOT = 32, 45, 46


def _slow(ch, idx, values, bad):
    """Strict one-by-one parse of the fields at ``idx`` (rare layouts)."""
    for i in idx.tolist():
        v = decimal_or_none(ch[i].tobytes())
        if v is None:
            bad[i] = True
        else:
            values[i] = v


def parse_flag_digits(ch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Single-character flags (RINEX LLI and signal strength): digit or blank.

    Returns
    -------
    values : numpy.ndarray of uint8
        The digit, 0 for blank.
    bad : numpy.ndarray of bool
        True where the character is neither.
    """
    d = ch - np.uint8(48)
    is_dig = d <= 9
    bad = ~(is_dig | (ch == _SP))
    return np.where(is_dig, d, np.uint8(0)), bad


def parse_obs_fields(arr: np.ndarray, nobs: int):
    """Parse RINEX observation blocks: ``nobs`` fields of 16 columns (F14.3, LLI, SSI) per row.

    Uses the numba kernel when asked for (:mod:`kompas._kernels`), else numpy (bit masks on 64-bit words,
    :func:`_f14_3_fields`); both give bit-identical results.

    Parameters
    ----------
    arr : numpy.ndarray of uint8, shape (n, >= 16 * nobs)
        Blank-padded records.
    nobs : int

    Returns
    -------
    values : numpy.ndarray of float64, shape (n, nobs)
        NaN where blank.
    lli, ssi : numpy.ndarray of uint8, shape (n, nobs)
        0 where blank.
    bad : numpy.ndarray of bool, shape (n, nobs)
        Fields that are not an F14.3 value followed by two digit-or-blank flags.
    """
    from .._kernels import backend

    n = arr.shape[0]
    if backend() == "numba":
        from .._kernels.fixed import obs_fields

        values, lli, ssi, status = obs_fields(np.ascontiguousarray(arr), nobs, 3)
        bad = status == 2
        redo = np.flatnonzero(status.ravel() == 1)
        if redo.size:
            fields = arr[:, : 16 * nobs].reshape(n * nobs, 16)[:, :14]
            flat_vals = values.reshape(-1)
            flat_bad = bad.reshape(-1)
            _slow(fields, redo, flat_vals, flat_bad)
        return values, lli, ssi, bad
    fields = np.ascontiguousarray(arr[:, : 16 * nobs]).reshape(n * nobs, 16)
    values, bad = _f14_3_fields(fields)
    lli, bad_l = parse_flag_digits(fields[:, 14])
    ssi, bad_s = parse_flag_digits(fields[:, 15])
    bad |= bad_l | bad_s
    return values.reshape(n, nobs), lli.reshape(n, nobs), ssi.reshape(n, nobs), bad.reshape(n, nobs)


# Bit tricks on 64-bit words ("SWAR", SIMD within a register), so that each 16-byte field costs a few
# integer operations instead of a pass per character column:
_U = np.uint64
_LE8 = np.dtype("<u8")  # the byte arithmetic below assumes the first byte is the least significant
_GATHER_BITS = _U(0x0102040810204080)  # (w * this) >> 56 collects the low bit of each byte of w
_COLS14 = _U(0x3FFF)  # the 14 columns of an F14.3 value
_DOT_BIT = _U(1 << 10)  # its decimal point
_DIGIT_STEPS = ((10, 8, 0x00FF00FF00FF00FF), (100, 16, 0x0000FFFF0000FFFF), (10**4, 32, 0xFFFFFFFF))


def _bits(flags: np.ndarray) -> np.ndarray:
    """(m, 16) bool -> (m,) uint64 masks with bit k set where column k is True."""
    w = flags.view(_LE8)  # two words per row, each byte 0 or 1
    return ((w[:, 0] * _GATHER_BITS) >> _U(56)) | (((w[:, 1] * _GATHER_BITS) >> _U(56)) << _U(8))


def _digits8(v: np.ndarray) -> np.ndarray:
    """Words of eight digit values 0-9 (first byte the most significant digit) -> their number, in place.

    Three multiply-add steps combine neighbouring bytes, then pairs, then quartets; no lane overflows
    (9 * 10 + 9 < 2**8, 99 * 100 + 99 < 2**16, 9999 * 10**4 + 9999 < 2**32)."""
    for mul, shift, mask in _DIGIT_STEPS:
        t = v >> _U(shift)
        v *= _U(mul)
        v += t
        v &= _U(mask)
    return v


def _f14_3_fields(fields: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """F14.3 values of 16-byte observation fields (m, 16): NaN where blank or bad, and the bad mask.

    The canonical layout is checked with bit masks of the blank, minus and digit columns: blanks form a
    prefix (``b & (b + 1) == 0``), a minus sits right after it, and everything else but the point is a
    digit. The 13 digits are summed as an exact integer (< 2**53) and divided once by 1000, so the result
    is bit-identical to ``float(text)``. Other layouts go to :func:`_slow`.
    """
    m = fields.shape[0]
    d = fields - np.uint8(48)
    is_dig = d <= 9
    dig = _bits(is_dig) & _COLS14
    blank = _bits(fields == _SP) & _COLS14
    minus = _bits(fields == _MINUS) & _COLS14
    ok = fields[:, 10] == _DOT
    ok &= (blank & (blank + _U(1))) == 0
    ok &= (minus == 0) | (minus == blank + _U(1))
    ok &= (dig | blank | minus | _DOT_BIT) == _COLS14  # so the three decimals are digits
    d *= is_dig  # blanks, sign, point and flags count as 0
    w = d.view(_LE8)
    hi = w[:, 1]  # columns 8-15: d8 d9 . f1 f2 f3 LLI SSI -> 0 0 0 d8 d9 f1 f2 f3
    hi = ((hi & _U(0xFFFF)) << _U(24)) | ((hi & _U(0x0000FFFFFF000000)) << _U(16))
    mant = _digits8(w[:, 0].copy()) * _U(10**5) + _digits8(hi)
    values = mant.astype(np.float64)
    np.negative(values, out=values, where=minus != 0)
    values /= 1000.0
    values[~ok] = np.nan
    bad = np.zeros(m, dtype=bool)
    odd = np.flatnonzero(~ok & (blank != _COLS14))
    if odd.size:
        _slow(fields[:, :14], odd, values, bad)
    return values, bad
