"""Batched weighted least squares: Gauss-Newton over many epochs at once.

Every function works on whole batches of epochs: observation arrays are padded to ``(E, N)``
(epochs x observations) with a ``use`` mask, so there is no Python loop per satellite or per epoch.
The recipe supplies a *model*: a function ``model(x, mask) -> Linearised`` that forms residuals,
design matrix and weights at the state ``x`` (unknown columns named by a
:class:`~kompas.estimators.states.StateLayout`); this module only estimates. A model may also take
``rows=`` (epoch indices; ``x`` and ``mask`` then hold those epochs only), which lets RAIM re-solve the few
epochs that failed instead of all of them (:func:`kompas.estimators.validate.raim_fde`).
Validation and fault exclusion are in :mod:`kompas.estimators.validate`.

Steps follow RTKLIB's ``estpos`` (pntpos.c), vectorised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Linearised", "WlsResult", "solve_normal", "gauss_newton", "take_rows", "put_rows"]


@dataclass(frozen=True)
class Linearised:
    """A measurement model evaluated at a state, for a batch of epochs.

    Attributes
    ----------
    v : numpy.ndarray, shape (E, N)
        Observed minus computed, m.
    h : numpy.ndarray, shape (E, N, U)
        Design matrix (partial derivatives of the computed observations by the unknowns).
    w : numpy.ndarray, shape (E, N)
        Weights, 1/m^2.
    use : numpy.ndarray of bool, shape (E, N)
        Observations taking part (present, unmasked, above the elevation mask...).
    aux : dict[str, numpy.ndarray]
        The recipe's by-products of the evaluation (elevations, ENU rotations...), each with a leading
        epoch axis so that rows can be merged like the other arrays.
    """

    v: np.ndarray
    h: np.ndarray
    w: np.ndarray
    use: np.ndarray
    aux: dict = field(default_factory=dict)


@dataclass(frozen=True)
class WlsResult:
    """Outcome of :func:`gauss_newton` for a batch of epochs.

    Attributes
    ----------
    x : numpy.ndarray, shape (E, U)
        Estimated state.
    q : numpy.ndarray, shape (E, U, U)
        Cofactor matrix N^-1 (the covariance when the weights are inverse variances).
    lin : Linearised
        The model evaluated at ``x`` (post-fit residuals).
    converged : numpy.ndarray of bool, shape (E,)
        The last position update was below the tolerance.
    """

    x: np.ndarray
    q: np.ndarray
    lin: Linearised
    converged: np.ndarray


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


def gauss_newton(
    model: Callable[[np.ndarray, np.ndarray], Linearised],
    x0: np.ndarray,
    mask: np.ndarray,
    max_iter: int,
    only: np.ndarray | None = None,
    min_obs: int = 4,
    tol_m: float = 1e-4,
    pos: slice = slice(0, 3),
) -> WlsResult:
    """Iterate ``x <- x + dx`` for all epochs (or only those in ``only``) until the position converges.

    Parameters
    ----------
    model : callable
        ``model(x, mask) -> Linearised``.
    x0 : numpy.ndarray, shape (E, U)
        Initial state.
    mask : numpy.ndarray of bool, shape (E, N)
        Observations allowed to take part (RAIM removes some).
    max_iter : int
        Iterations at most (RTKLIB MAXITR 10).
    only : numpy.ndarray of bool, shape (E,), optional
        Epochs whose state may change; the others keep ``x0``.
    min_obs : int
        Epochs with fewer used observations get no update.
    tol_m : float
        Convergence threshold on the norm of the position increment, m (RTKLIB 1e-4).
    pos : slice
        Position columns of the state.
    """
    x = x0
    conv = np.zeros(x.shape[0], bool)
    for _ in range(max_iter):
        lin = model(x, mask)
        dx, _ = solve_normal(lin.h, lin.v, lin.w, lin.use)
        dx[lin.use.sum(1) < min_obs] = 0.0
        if only is not None:
            dx[~only] = 0.0
        x = x + dx
        conv = np.linalg.norm(dx[:, pos], axis=1) < tol_m
        if conv.all():
            break
    lin = model(x, mask)
    _, q = solve_normal(lin.h, lin.v, lin.w, lin.use)
    return WlsResult(x, q, lin, conv)


def take_rows(base: WlsResult, other: WlsResult, rows: np.ndarray) -> WlsResult:
    """``base`` with the epochs ``rows`` (bool, (E,)) replaced by those of ``other``."""
    return _merged(base, other, lambda b: b[rows], rows)


def put_rows(base: WlsResult, sub: WlsResult, idx: np.ndarray) -> WlsResult:
    """``base`` with the epochs ``idx`` (int, (k,)) replaced by the ``k`` epochs of ``sub``, a solution of
    those epochs alone."""
    return _merged(base, sub, lambda b: b, idx)


def _merged(base: WlsResult, other: WlsResult, pick, at) -> WlsResult:
    """``base`` with the epochs ``at`` set to ``pick(other_array)`` in every array."""

    def mix(a, b):
        out = a.copy()
        out[at] = pick(b)
        return out

    lin = Linearised(
        mix(base.lin.v, other.lin.v),
        mix(base.lin.h, other.lin.h),
        mix(base.lin.w, other.lin.w),
        mix(base.lin.use, other.lin.use),
        {k: mix(v, other.lin.aux[k]) for k, v in base.lin.aux.items()},
    )
    return WlsResult(mix(base.x, other.x), mix(base.q, other.q), lin, mix(base.converged, other.converged))
