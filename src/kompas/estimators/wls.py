"""Batched weighted least squares for single point positioning, with validation and RAIM/FDE.

Every function works on whole batches of epochs at once: observation arrays are padded to
``(E, N)`` (epochs x satellites) with a ``use`` mask, so there is no Python loop per satellite or
per epoch. The caller (:mod:`kompas.pipeline`) forms residuals and design matrices from the
geometry and models; this module only estimates, validates and excludes.

Steps follow RTKLIB's ``estpos``/``valsol``/``raim_fde`` (pntpos.c), vectorised:
residuals -> estimate -> validate (chi-square of weighted residuals, GDOP) -> exclude the worst
satellite while the test fails and redundancy allows.
"""

from __future__ import annotations

import numpy as np

__all__ = ["solve_normal", "chi2_threshold", "dops"]


def solve_normal(h, v, w, use):
    """Weighted least-squares increments for a batch of epochs.

    Parameters
    ----------
    h : numpy.ndarray, shape (E, N, U)
        Design matrices (rows of unused observations are ignored).
    v : numpy.ndarray, shape (E, N)
        Observed minus computed, m.
    w : numpy.ndarray, shape (E, N)
        Weights, 1/m^2.
    use : numpy.ndarray of bool, shape (E, N)
        Observations taking part.

    Returns
    -------
    dx : numpy.ndarray, shape (E, U)
        Increments; unknowns without any observation (e.g. the clock of a system with no satellite in
        that epoch) are held at 0 by a unit pseudo-observation.
    q : numpy.ndarray, shape (E, U, U)
        Cofactor matrix (N^-1) with the same convention.
    """
    wu = np.where(use, w, 0.0)
    h = np.where(use[..., None], h, 0.0)  # unused rows may hold NaN (padding, missing states)
    hw = h * wu[..., None]
    n = np.einsum("enu,env->euv", hw, h)
    b = np.einsum("enu,en->eu", hw, np.where(use, v, 0.0))
    empty = np.abs(np.einsum("euu->eu", n)) == 0.0
    idx = np.arange(n.shape[-1])
    n[..., idx, idx] += empty  # unit pseudo-observation: the unknown stays 0
    # epochs with fewer observations than unknowns cannot be solved: identity keeps them finite (dx = 0
    # is forced by the caller); a degenerate geometry beyond that falls back to the pseudo-inverse
    under = use.sum(1) < (~empty).sum(1)
    n[under] = np.eye(n.shape[-1])
    try:
        q = np.linalg.inv(n)
    except np.linalg.LinAlgError:
        q = np.linalg.pinv(n)
    dx = np.einsum("euv,ev->eu", q, b)
    return dx, q


# chi-square quantiles at 0.001 significance (probability 0.999), degrees of freedom 1..100, as
# RTKLIB's pntpos.c chisqr[] table (Abramowitz & Stegun / standard tables)
_CHI2_999 = np.array([
    10.8, 13.8, 16.3, 18.5, 20.5, 22.5, 24.3, 26.1, 27.9, 29.6,
    31.3, 32.9, 34.5, 36.1, 37.7, 39.3, 40.8, 42.3, 43.8, 45.3,
    46.8, 48.3, 49.7, 51.2, 52.6, 54.1, 55.5, 56.9, 58.3, 59.7,
    61.1, 62.5, 63.9, 65.2, 66.6, 68.0, 69.3, 70.7, 72.1, 73.4,
    74.7, 76.0, 77.3, 78.6, 80.0, 81.3, 82.6, 84.0, 85.4, 86.7,
    88.0, 89.3, 90.6, 91.9, 93.3, 94.7, 96.0, 97.4, 98.7, 100.0,
    101.0, 102.0, 103.0, 104.0, 105.0, 107.0, 108.0, 109.0, 110.0, 112.0,
    113.0, 114.0, 115.0, 116.0, 118.0, 119.0, 120.0, 122.0, 123.0, 125.0,
    126.0, 127.0, 128.0, 129.0, 131.0, 132.0, 133.0, 134.0, 135.0, 137.0,
    138.0, 139.0, 140.0, 142.0, 143.0, 144.0, 145.0, 147.0, 148.0, 149.0,
])  # fmt: skip


def chi2_threshold(dof) -> np.ndarray:
    """Chi-square quantile at probability 0.999 for ``dof`` degrees of freedom (>= 1), vectorised."""
    d = np.clip(np.asarray(dof, dtype=np.int64), 1, _CHI2_999.size)
    return _CHI2_999[d - 1]


def dops(h_pos_clk, use, rot_enu):
    """GDOP, PDOP, HDOP, VDOP from line-of-sight rows.

    Parameters
    ----------
    h_pos_clk : numpy.ndarray, shape (E, N, 4)
        Unit line-of-sight rows (-e) and 1 for a single common clock (DOP convention).
    use : numpy.ndarray of bool, shape (E, N)
    rot_enu : numpy.ndarray, shape (E, 3, 3)
        ECEF -> ENU rotation at each solution.
    """
    h = np.where(use[..., None], np.nan_to_num(h_pos_clk), 0.0)
    n = np.einsum("enu,env->euv", h, h)
    ok = (use.sum(1) >= 4) & (np.abs(np.linalg.det(n)) > 1e-9)
    q = np.full_like(n, np.nan)
    if ok.any():
        q[ok] = np.linalg.inv(n[ok])
    qenu = rot_enu @ q[:, :3, :3] @ np.swapaxes(rot_enu, -1, -2)
    gdop = np.sqrt(np.einsum("euu->e", q))
    pdop = np.sqrt(np.einsum("euu->e", q[:, :3, :3]))
    hdop = np.sqrt(qenu[:, 0, 0] + qenu[:, 1, 1])
    vdop = np.sqrt(qenu[:, 2, 2])
    return gdop, pdop, hdop, vdop
