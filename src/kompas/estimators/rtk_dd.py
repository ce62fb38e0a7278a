"""Double differences: reference satellites, the differencing operator and the correlated covariance.

Single differences (rover minus base) of one epoch are grouped by *difference group*: observations of the
same system, band and pair of tracking modes (rover, base). Within a group the receiver clocks and the
receiver signal biases are common to every satellite, so differencing against one reference satellite of
the group removes them (Hofmann-Wellenhof, Lichtenegger & Wasle, *GNSS* (2008) sec. 7.3.1; RTKLIB 2.4.3
``rtkpos.c ddres``). BeiDou-2 and BeiDou-3 are one system (same time scale, same signals B1I/B3I); a band
that only BeiDou-3 transmits simply has only BeiDou-3 members.

For GLONASS (FDMA) the group's satellites have different wavelengths: differencing is still done on single
differences in metres, with one single-difference ambiguity per satellite in cycles of its own wavelength
(see :mod:`kompas.estimators.rtk`).

With ``D`` the ``(n_dd, n_sd)`` differencing operator, double differences are ``D z`` with covariance
``D R D^T``; for uncorrelated single differences this is ``R_i + R_ref`` on the diagonal and ``R_ref``
between double differences sharing a reference (Hofmann-Wellenhof et al. 2008, eq. 7.40).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["DdOperator", "choose_references", "dd_operator"]


@dataclass(frozen=True, eq=False)
class DdOperator:
    """Double differences of a set of single differences.

    Attributes
    ----------
    D : numpy.ndarray, shape (n_dd, n_sd)
        +1 at the cell, -1 at its group's reference.
    cell : numpy.ndarray of int64, shape (n_dd,)
        Single-difference index of each double difference's non-reference member.
    ref : numpy.ndarray of int64, shape (n_dd,)
        Single-difference index of its reference.
    """

    D: np.ndarray
    cell: np.ndarray
    ref: np.ndarray

    def __len__(self) -> int:
        return int(self.cell.size)

    def covariance(self, var_sd) -> np.ndarray:
        """``D diag(var_sd) D^T``."""
        var_sd = np.asarray(var_sd, dtype=float)
        return (self.D * var_sd) @ self.D.T


def choose_references(group, usable, score) -> np.ndarray:
    """Reference cell of each group: the usable cell with the highest score (e.g. elevation).

    Parameters
    ----------
    group : numpy.ndarray of int64, shape (n,)
        Difference group of each single difference.
    usable : numpy.ndarray of bool, shape (n,)
        Cells that may take part.
    score : numpy.ndarray, shape (n,)
        Larger is better.

    Returns
    -------
    numpy.ndarray of int64, shape (n,)
        For every cell, the index of its group's reference (-1 where the cell is not usable or its
        group has fewer than two usable cells).
    """
    group = np.asarray(group, dtype=np.int64)
    ref_of = np.full(group.size, -1, dtype=np.int64)
    idx = np.flatnonzero(usable)
    if idx.size < 2:
        return ref_of
    # one epoch's few cells: a Python pass over them costs a fraction of a vectorised sort's dozen calls
    # (three times an epoch). Best: the highest score, a NaN only where the group has nothing else, the
    # first cell among equals (the order of a stable sort by group, then by descending score)
    gl, sl = group.tolist(), np.asarray(score, float).tolist()
    best: dict[int, int] = {}
    size: dict[int, int] = {}
    for i in idx.tolist():
        g, s = gl[i], sl[i]
        b = best.get(g)
        if b is None or s > sl[b] or (sl[b] != sl[b] and s == s):
            best[g] = i
        size[g] = size.get(g, 0) + 1
    for i in idx.tolist():
        if size[gl[i]] >= 2:
            ref_of[i] = best[gl[i]]
    return ref_of


def dd_operator(ref_of, n: int) -> DdOperator:
    """Differencing operator from the references of :func:`choose_references` (one double difference per
    non-reference cell that has a reference)."""
    ref_of = np.asarray(ref_of, dtype=np.int64)
    cell = np.flatnonzero((ref_of >= 0) & (ref_of != np.arange(ref_of.size)))
    ref = ref_of[cell]
    D = np.zeros((cell.size, n))
    r = np.arange(cell.size)
    D[r, cell] = 1.0
    D[r, ref] = -1.0
    return DdOperator(D, cell, ref)
