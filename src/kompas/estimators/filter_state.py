"""A Kalman filter state whose unknowns are named blocks that come and go, and a robust measurement update.

Carrier-phase estimators (PPP, RTK) keep unknowns that live as long as a satellite's arc: ambiguities,
slant ionospheric delays, per-channel biases. :class:`FilterState` holds the estimate and covariance with a
:class:`~kompas.estimators.states.StateLayout` naming every column; blocks are appended uncorrelated with
their initial variance, dropped with their rows and columns, or reset in place.

:func:`robust_update` applies :func:`kompas.estimators.kalman.update` and screens the measurements with the
w-test of the innovations (Baarda 1968; Teunissen, *Testing theory*, 2006, sec. 4.5): with innovation
``v`` and its covariance ``S``, ``w_i = (S^-1 v)_i / sqrt((S^-1)_ii)`` is standard normal for a correct
measurement ``i`` (whatever the other measurements); the largest ``|w|`` above the threshold is removed and
the update repeated, at most ``max_rejections`` times. Unlike a test of the raw innovation, the w-test is
not blinded by states that are re-initialised every epoch with a large variance (receiver clocks).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .kalman import KalmanUpdate, reinitialise, spd_solve, update
from .states import StateLayout

__all__ = ["FilterState", "RobustUpdate", "robust_update"]


@dataclass
class FilterState:
    """Estimate ``x`` (U,) and covariance ``P`` (U, U) with named columns (``layout``)."""

    layout: StateLayout
    x: np.ndarray
    P: np.ndarray

    @classmethod
    def empty(cls) -> FilterState:
        return cls(StateLayout(), np.zeros(0), np.zeros((0, 0)))

    def __contains__(self, name: str) -> bool:
        return name in self.layout

    @property
    def size(self) -> int:
        return self.layout.size

    def col(self, name: str) -> int:
        """First column of a block."""
        return self.layout.index(name)

    def cols(self, names) -> np.ndarray:
        """First columns of several blocks (int64 array)."""
        index = self.layout.index
        return np.fromiter((index(n) for n in names), dtype=np.int64, count=len(names))

    def add(self, blocks, x0, var0) -> None:
        """Append blocks, uncorrelated with the others: values ``x0`` and variances ``var0`` per column."""
        blocks = list(blocks)
        if not blocks:
            return
        x0 = np.asarray(x0, dtype=float).ravel()
        var0 = np.broadcast_to(np.asarray(var0, dtype=float), x0.shape)
        n, k = self.size, x0.size
        P = np.zeros((n + k, n + k))
        P[:n, :n] = self.P
        P[np.arange(n, n + k), np.arange(n, n + k)] = var0
        self.layout = self.layout.with_blocks(blocks)
        self.x = np.concatenate([self.x, x0])
        self.P = P

    def drop(self, names) -> None:
        """Remove blocks with their rows and columns."""
        names = [n for n in names if n in self.layout]
        if not names:
            return
        self.layout, keep = self.layout.without(names)
        keep = np.asarray(keep, dtype=np.int64)
        self.x = self.x[keep]
        self.P = self.P[np.ix_(keep, keep)]

    def reset(self, cols, x0, var0) -> None:
        """Re-initialise columns in place: new values and variances, correlations removed."""
        reinitialise(self.x, self.P, cols, x0, var0)

    def add_noise(self, cols, q) -> None:
        """Process noise on the diagonal of columns (random walk), ``P[c, c] += q``."""
        cols = np.asarray(cols, dtype=np.int64)
        self.P[cols, cols] += q

    def copy(self) -> FilterState:
        return FilterState(self.layout, self.x.copy(), self.P.copy())


@dataclass(frozen=True)
class RobustUpdate:
    """Result of :func:`robust_update`.

    Attributes
    ----------
    result : KalmanUpdate or None
        The last update (None when every measurement was rejected or there were none).
    used : numpy.ndarray of bool, shape (M,)
        Measurements kept.
    w : numpy.ndarray, shape (M,)
        w-test statistic of each measurement in the update that rejected it (kept ones: the last update).
    """

    result: KalmanUpdate | None
    used: np.ndarray
    w: np.ndarray


def w_statistics(v, S, C=None) -> np.ndarray:
    """Baarda's w-test of each innovation: ``(S^-1 v)_i / sqrt((S^-1)_ii)``.

    With ``C`` (shape (M, K)), of each alternative hypothesis "an error along column ``c_j``" instead:
    ``c_j^T S^-1 v / sqrt(c_j^T S^-1 c_j)`` (Teunissen 2000, "Testing theory", sect. 4.2), e.g. an error
    of one single difference entering several double differences; NaN for a column outside the range.
    """
    s_inv = spd_solve(S, np.eye(S.shape[0]))
    if C is None:
        num, den = s_inv @ v, np.diag(s_inv)
    else:
        num, den = C.T @ (s_inv @ v), np.einsum("ij,ij->j", C, s_inv @ C)
    return np.where(den > 0.0, num / np.sqrt(np.maximum(den, 1e-300)), np.nan)


def robust_update(
    x, P, H, v, R, threshold: float = 4.0, max_rejections: int = 5, testable=None
) -> RobustUpdate:
    """Kalman update that removes measurements failing the w-test one at a time (module docstring).

    The innovation covariance is formed once; each rejection tests the sub-matrix of the kept
    measurements; the update itself is :func:`kompas.estimators.kalman.update` on the kept set.

    Parameters
    ----------
    x, P : state and covariance
    H : numpy.ndarray, shape (M, U)
    v : numpy.ndarray, shape (M,)
        Innovations.
    R : numpy.ndarray, shape (M,)
        Measurement variances (uncorrelated measurements).
    threshold : float
        Critical |w| (4 is about a 6e-5 false-alarm rate per measurement).
    max_rejections : int
    testable : numpy.ndarray of bool, shape (M,), optional
        Measurements that may be rejected (default all).
    """
    m = v.size
    used = np.ones(m, bool)
    w_all = np.zeros(m)
    if m == 0:
        return RobustUpdate(None, used, w_all)
    testable = np.ones(m, bool) if testable is None else np.asarray(testable, bool)
    S = H @ P @ H.T
    S[np.arange(m), np.arange(m)] += R
    for it in range(max_rejections + 1):
        idx = np.flatnonzero(used)
        if idx.size == 0:
            return RobustUpdate(None, used, w_all)
        w = w_statistics(v[idx], S[np.ix_(idx, idx)])
        w_all[idx] = w
        score = np.where(testable[idx] & np.isfinite(w), np.abs(w), 0.0)
        worst = int(np.argmax(score))
        if score[worst] <= threshold or it == max_rejections:
            break
        used[idx[worst]] = False
    idx = np.flatnonzero(used)
    return RobustUpdate(update(x, P, H[idx], v[idx], R[idx]), used, w_all)
