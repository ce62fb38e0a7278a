"""numba kernel for RINEX observation fields (see :mod:`kompas.io._fixed` for the numpy twin)."""

from __future__ import annotations

import numba as nb
import numpy as np

_SP, _MINUS, _DOT = 32, 45, 46


@nb.njit(cache=True, nogil=True)
def obs_fields(arr, nobs, ndec):  # pragma: no cover - compiled
    """Parse ``nobs`` fields of 16 columns (F14.3 value, LLI, SSI) per row of ``arr``.

    Returns values (n, nobs) float64 (NaN blank), lli and ssi (n, nobs) uint8 (0 blank) and a
    status (n, nobs) uint8: 0 parsed or blank, 1 value not in the canonical layout (to be
    re-parsed strictly by the caller), 2 LLI/SSI not a digit or blank.
    """
    n = arr.shape[0]
    w = 14
    dp = w - ndec - 1
    scale = 10.0**ndec
    vals = np.empty((n, nobs))
    lli = np.zeros((n, nobs), np.uint8)
    ssi = np.zeros((n, nobs), np.uint8)
    status = np.zeros((n, nobs), np.uint8)
    for r in range(n):
        for f in range(nobs):
            b = 16 * f
            mant = 0
            seen = False  # a non-blank char was seen
            neg = False
            ndig = 0
            ok = True
            blank = True
            for i in range(w):
                c = arr[r, b + i]
                if c == _SP:
                    if seen:
                        ok = False
                    continue
                blank = False
                if i == dp:
                    if c != _DOT:
                        ok = False
                    seen = True
                    continue
                if c == _MINUS:
                    if seen:
                        ok = False
                    neg = True
                    seen = True
                    continue
                d = c - 48
                if d < 0 or d > 9:
                    ok = False
                    seen = True
                    continue
                mant = mant * 10 + d
                ndig += 1
                seen = True
            if blank:
                vals[r, f] = np.nan
            elif ok and ndig > 0 and arr[r, b + dp] == _DOT:
                v = mant / scale
                vals[r, f] = -v if neg else v
            else:
                vals[r, f] = np.nan
                status[r, f] = 1
            c = arr[r, b + 14]
            if c != _SP:
                if 48 <= c <= 57:
                    lli[r, f] = c - 48
                else:
                    status[r, f] = 2
            c = arr[r, b + 15]
            if c != _SP:
                if 48 <= c <= 57:
                    ssi[r, f] = c - 48
                else:
                    status[r, f] = 2
    return vals, lli, ssi, status
