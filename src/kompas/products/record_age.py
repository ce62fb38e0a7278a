"""Expected orbit error of broadcast records used away from their reference epoch (BeiDou, Galileo).

RTK weights a satellite whose record is hours from its reference epoch by how far such records are off
(:mod:`kompas.rtk_inputs`); the table comes from a day of ESBC's navigation file
(``benchmarks/bench_record_age.py``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["RECORD_AGE_ORBIT_SIGMA_M", "record_orbit_sigma_m", "record_orbit_drift_mps"]

RECORD_AGE_ORBIT_SIGMA_M = {
    "C": ((-3.0, 13.6), (-2.0, 3.1), (-1.0, 0.56), (0.0, 0.25), (1.0, 0.25), (2.0, 0.43), (3.0, 3.6),
          (4.0, 14.5), (6.0, 73.4)),
    "E": ((-3.0, 28.1), (-2.0, 9.4), (-1.0, 1.8), (-0.5, 0.46), (0.0, 0.12), (0.5, 0.12), (1.0, 0.21),
          (2.0, 0.32), (3.0, 0.52), (4.0, 3.4), (6.0, 46.7)),
}  # fmt: skip
"""RMS 3D orbit difference (m) of a BeiDou D1 / Galileo I/NAV record used ``t - toe`` hours from its reference
epoch, against the fresh record there: measured on a day of ESBC's navigation file
(``benchmarks/bench_record_age.py``, BENCHMARKS.md). Before toe the fit degrades fast (BeiDou 0.6 / 3.1 /
13.6 m one, two and three hours early; Galileo 1.8 / 9.4 / 28 m), after it slowly and then fast (BeiDou
73 m six hours late). The ``0.0`` rows are not measured (at toe the record is the reference itself): they
repeat the nearest measured value after toe (BeiDou +1 h, Galileo +0.5 h) so that the table is flat there.
Read by :func:`record_orbit_sigma_m`."""


def record_orbit_sigma_m(letters, age_s) -> np.ndarray:
    """Expected orbit error of broadcast records used ``age_s`` from their reference epoch, m.

    Log-linear interpolation of :data:`RECORD_AGE_ORBIT_SIGMA_M` in ``t - toe``, extrapolated with the end
    segments' growth beyond the measured offsets.

    Parameters
    ----------
    letters : array_like of str, shape (N,)
        System letters.
    age_s : array_like, shape (N,)
        ``t - toe`` of the record used, s (:attr:`kompas.products.state.SatState.age_s`; negative before it).

    Returns
    -------
    numpy.ndarray, shape (N,)
        RMS orbit error, m; NaN for systems without a table (GPS, QZSS, NavIC and GLONASS records are only
        used within their fit or validity intervals) and for unknown ages.
    """
    letters = np.asarray(letters)
    h = np.asarray(age_s, dtype=float) / 3600.0
    out = np.full(h.shape, np.nan)
    for x, table in RECORD_AGE_ORBIT_SIGMA_M.items():
        m = (letters == x) & np.isfinite(h)
        if m.any():
            th, ts = np.array(table).T
            ls = np.log(ts)
            hq = h[m]
            val = np.interp(hq, th, ls)
            lo, hi = hq < th[0], hq > th[-1]
            val[lo] = ls[0] + (hq[lo] - th[0]) * (ls[1] - ls[0]) / (th[1] - th[0])
            val[hi] = ls[-1] + (hq[hi] - th[-1]) * (ls[-1] - ls[-2]) / (th[-1] - th[-2])
            out[m] = np.exp(val)
    return out


def record_orbit_drift_mps(letters, age_s) -> np.ndarray:
    """How fast the expected orbit error of :func:`record_orbit_sigma_m` changes with the age, m/s (the
    table's slope over a minute either side; NaN where it has no value)."""
    later, earlier = record_orbit_sigma_m(letters, age_s + 60.0), record_orbit_sigma_m(letters, age_s - 60.0)
    return np.abs(later - earlier) / 120.0
