"""Kalman filter steps as pure functions (no state kept here; RTK and PPP hold their own).

``predict`` propagates a state and covariance with a transition matrix and process noise; ``update``
applies a batch of linearised measurements in the Joseph form, which keeps the covariance symmetric
and positive semi-definite in floating point (Bucy & Joseph 1968; Brown & Hwang, *Introduction to
Random Signals and Applied Kalman Filtering*, 4th ed., sec. 4.2). Columns are named by a
:class:`~kompas.estimators.states.StateLayout`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["KalmanUpdate", "predict", "update", "reinitialise", "spd_solve"]


@dataclass(frozen=True)
class KalmanUpdate:
    """Result of :func:`update`.

    Attributes
    ----------
    x : numpy.ndarray, shape (U,)
        Updated state.
    P : numpy.ndarray, shape (U, U)
        Updated covariance.
    innovation : numpy.ndarray, shape (M,)
        Measurement minus prediction before the update.
    S : numpy.ndarray, shape (M, M)
        Innovation covariance H P H^T + R.
    chi2 : float
        Normalised innovation squared, innovation^T S^-1 innovation (chi-square with M degrees of freedom
        for a consistent filter).
    """

    x: np.ndarray
    P: np.ndarray
    innovation: np.ndarray
    S: np.ndarray
    chi2: float


def predict(x, P, F=None, Q=None):
    """Time update ``x = F x``, ``P = F P F^T + Q``.

    Parameters
    ----------
    x : numpy.ndarray, shape (U,)
    P : numpy.ndarray, shape (U, U)
    F : numpy.ndarray, shape (U, U), optional
        Transition matrix (identity when omitted: random-walk and constant states).
    Q : numpy.ndarray, shape (U, U) or (U,), optional
        Process noise covariance (a vector is its diagonal).
    """
    x = np.asarray(x, dtype=float)
    P = np.asarray(P, dtype=float)
    if F is not None:
        x = F @ x
        P = F @ P @ F.T
    if Q is not None:
        Q = np.asarray(Q, dtype=float)
        P = P + (np.diag(Q) if Q.ndim == 1 else Q)
    return x, P


def update(x, P, H, v, R) -> KalmanUpdate:
    """Measurement update with innovations ``v = z - h(x)`` and design ``H = dh/dx``.

    Parameters
    ----------
    x : numpy.ndarray, shape (U,)
    P : numpy.ndarray, shape (U, U)
    H : numpy.ndarray, shape (M, U)
    v : numpy.ndarray, shape (M,)
        Innovations (observed minus predicted).
    R : numpy.ndarray, shape (M, M) or (M,)
        Measurement noise covariance (a vector is its diagonal).

    Raises
    ------
    numpy.linalg.LinAlgError
        If the innovation covariance is not positive definite.
    """
    x = np.asarray(x, dtype=float)
    P = np.asarray(P, dtype=float)
    H = np.asarray(H, dtype=float)
    v = np.asarray(v, dtype=float)
    R = np.asarray(R, dtype=float)
    PHt = P @ H.T
    S = H @ PHt
    if R.ndim == 1:  # uncorrelated measurements: no dense R products
        S[np.arange(R.size), np.arange(R.size)] += R
    else:
        S = S + R
    S = 0.5 * (S + S.T)
    sol = spd_solve(S, np.column_stack([PHt.T, v]))  # S^-1 [H P, v]: the gain and the test in one solve
    K = sol[:, :-1].T
    x_new = x + K @ v
    IKH = np.eye(x.size) - K @ H
    KRK = (K * R) @ K.T if R.ndim == 1 else K @ R @ K.T
    P_new = IKH @ P @ IKH.T + KRK
    chi2 = float(v @ sol[:, -1])
    return KalmanUpdate(x_new, 0.5 * (P_new + P_new.T), v, S, chi2)


def spd_solve(S, B) -> np.ndarray:
    """``S^-1 B`` for a symmetric positive-definite ``S``; raises when ``S`` is not positive definite.

    numpy only: importing scipy.linalg for ``cho_solve`` takes 0.18 s (``python -X importtime``), more
    than a short RTK session spends in these solves; without it ``kompas rtk`` of set A takes 0.60 s
    instead of 0.70 s (BENCHMARKS.md). numpy has no triangular solver, so the
    Cholesky factorisation only tests definiteness and the system is solved by LU with partial pivoting,
    stable for a positive-definite matrix: 1.3x scipy's time for 80 measurements and 150 states, where
    two LU solves with the factor would take 2.4x (measured, one BLAS thread).

    Parameters
    ----------
    S : numpy.ndarray, shape (M, M)
    B : numpy.ndarray, shape (M,) or (M, K)

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``S`` is not positive definite.
    """
    np.linalg.cholesky(S)
    return np.linalg.solve(S, B)


def reinitialise(x, P, cols, x0, var0) -> None:
    """Re-initialise state columns in place: new values and variances, correlations removed.

    The one step that is not pure: a filter restarts an unknown (a position re-initialised each epoch,
    an ambiguity after a cycle slip) by overwriting its entries of the arrays it holds.

    Parameters
    ----------
    x : numpy.ndarray, shape (U,)
        State, modified in place.
    P : numpy.ndarray, shape (U, U)
        Covariance, modified in place: rows and columns ``cols`` zeroed, ``var0`` on their diagonal.
    cols : array_like of int, shape (K,)
        Columns to re-initialise (nothing happens when empty).
    x0, var0 : array_like, shape (K,) or scalar
        New values and variances, in the units of the columns (and their squares).
    """
    cols = np.asarray(cols, dtype=np.int64)
    if cols.size == 0:
        return
    x[cols] = x0
    P[cols, :] = 0.0
    P[:, cols] = 0.0
    P[cols, cols] = var0
