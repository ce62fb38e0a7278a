"""The LAMBDA decorrelation: ``L^T D L`` factorisation, integer Gauss transformations and permutations.

Split from :mod:`kompas.estimators.ambiguity` (which re-exports the public names and documents the
conventions: ``Q = L^T diag(D) L`` with ``L`` unit lower triangular, decorrelated ambiguities
``z = Z^T a``). :func:`decorrelate` can start from an earlier transformation (the last epoch's of the same
ambiguities), which leaves the reduction little to do.

References
----------
P. de Jonge, C. Tiberius (1996), The LAMBDA method for integer ambiguity estimation: implementation
aspects, LGR-Series 12, Delft Geodetic Computing Centre; X.-W. Chang, X. Yang, T. Zhou (2005), MLAMBDA:
a modified LAMBDA method for integer least-squares estimation, J. Geodesy 79, 552-565.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kompas.errors import EstimatorError

__all__ = ["LtdlResult", "ReductionResult", "ltdl", "reduction", "decorrelate"]

# A swap must lower the conditional variance D[k+1] by more than this relative amount. Without it,
# rounding could make the permutation loop swap a pair back and forth; with it every swap lowers the
# potential prod D[i]^(i+1) by a fixed factor, which bounds the number of swaps (the LLL argument,
# Chang et al. 2005 sect. 3).
_SWAP_RTOL = 1e-10


@dataclass(frozen=True, eq=False)
class LtdlResult:
    """``Q[perm][:, perm] = L^T diag(D) L``.

    Attributes
    ----------
    L : numpy.ndarray, shape (n, n)
        Unit lower triangular.
    D : numpy.ndarray, shape (n,)
        Conditional variances, same unit as Q (cycles^2 for ambiguities).
    perm : numpy.ndarray of int64, shape (n,)
        Symmetric permutation applied to Q (``arange(n)`` without pivoting).
    """

    L: np.ndarray
    D: np.ndarray
    perm: np.ndarray


@dataclass(frozen=True, eq=False)
class ReductionResult:
    """A decorrelating transformation: ``Z^T Q Z = L^T diag(D) L``.

    Attributes
    ----------
    Z : numpy.ndarray of int64, shape (n, n)
        Unimodular (integer, ``|det| = 1``); decorrelated ambiguities are ``z = Z^T a``.
    Zinv : numpy.ndarray of int64, shape (n, n)
        The exact integer inverse of ``Z``, so ``a = Zinv^T z``.
    L : numpy.ndarray, shape (n, n)
        Unit lower triangular factor of the decorrelated covariance, ``|L[i, j]| <= 1/2`` below the
        diagonal.
    D : numpy.ndarray, shape (n,)
        Conditional variances of the decorrelated ambiguities.
    """

    Z: np.ndarray
    Zinv: np.ndarray
    L: np.ndarray
    D: np.ndarray


def _covariance(Q, name="Q") -> np.ndarray:
    """``Q`` as a finite, square, symmetric float matrix (its symmetric part), else EstimatorError."""
    q = np.asarray(Q, dtype=float)
    if q.ndim != 2 or q.shape[0] != q.shape[1] or q.shape[0] == 0:
        raise EstimatorError(f"{name} must be a non-empty square matrix, got shape {q.shape}")
    if not np.all(np.isfinite(q)):
        raise EstimatorError(f"{name} has non-finite entries")
    scale = np.max(np.abs(q))
    if np.max(np.abs(q - q.T)) > 1e-9 * scale:
        raise EstimatorError(f"{name} is not symmetric")
    return 0.5 * (q + q.T)


def ltdl(Q, pivot: bool = False) -> LtdlResult:
    """Factor a symmetric positive-definite matrix as ``L^T diag(D) L``.

    The rows are eliminated from the last to the first (de Jonge & Tiberius 1996, sect. 3.3), so
    ``D[i]`` is the variance of element ``i`` conditioned on elements ``i+1 .. n-1``. With ``pivot``,
    each step moves the smallest remaining diagonal of the Schur complement to the current position
    (minimum symmetric pivoting, Chang et al. 2005, sect. 3.1): the last conditional variances come out
    small, which leaves less work for :func:`reduction`.

    Parameters
    ----------
    Q : array_like, shape (n, n)
        Symmetric positive-definite matrix (e.g. ambiguity covariance, cycles^2).
    pivot : bool
        Apply minimum symmetric pivoting.

    Returns
    -------
    LtdlResult
        ``L``, ``D`` and ``perm`` with ``Q[perm][:, perm] = L^T diag(D) L``.

    Raises
    ------
    EstimatorError
        ``Q`` is not square, finite, symmetric and numerically positive definite.
    """
    a = _covariance(Q).copy()
    n = a.shape[0]
    lo = np.zeros((n, n))
    d = np.empty(n)
    perm = np.arange(n)
    # below n*eps of the largest diagonal a pivot is rounding noise: Q is singular for our purposes
    floor = n * np.finfo(float).eps * np.max(np.diag(a))
    if not pivot:
        return _ltdl_unpivoted(a, floor)
    for i in range(n - 1, -1, -1):
        if pivot:
            q = int(np.argmin(np.diag(a)[: i + 1]))
            if q != i:
                a[[q, i]] = a[[i, q]]
                a[:, [q, i]] = a[:, [i, q]]
                lo[i + 1 :, [q, i]] = lo[i + 1 :, [i, q]]
                perm[[q, i]] = perm[[i, q]]
        d[i] = a[i, i]
        if not d[i] > floor:
            raise EstimatorError("Q is not positive definite")
        lo[i, :i] = a[i, :i] / d[i]
        lo[i, i] = 1.0
        a[:i, :i] -= np.outer(lo[i, :i], a[i, :i])
    return LtdlResult(lo, d, perm)


def _ltdl_unpivoted(a, floor: float) -> LtdlResult:
    """:func:`ltdl` without pivoting by one LAPACK Cholesky factorisation: with ``J`` the reversal,
    ``J Q J = C C^T`` gives ``Q = U U^T`` with ``U = J C J`` upper triangular, and ``U = L^T diag(s)``: ``D
    = s^2`` and ``L = diag(1/s) U^T`` (the factors are unique; the loop's, to rounding)."""
    try:
        u = np.linalg.cholesky(a[::-1, ::-1])[::-1, ::-1]
    except np.linalg.LinAlgError:
        raise EstimatorError("Q is not positive definite") from None
    s = np.diag(u).copy()
    d = s * s
    if not np.all(d > floor):
        raise EstimatorError("Q is not positive definite")
    lo = np.ascontiguousarray(u.T / s[:, None])
    np.fill_diagonal(lo, 1.0)
    return LtdlResult(lo, d, np.arange(a.shape[0]))


def _gauss(cols, zc, zr, j) -> None:
    """Integer Gauss transformations: ``|L[i, j]| <= 1/2`` for all ``i > j`` (de Jonge & Tiberius sect. 3.4).

    Column ``j`` is reduced by columns ``i = j+1, j+2, ...`` in turn (each changes only the entries below
    row ``i``): ``Z <- Z G`` with ``G = I - mu e_i e_j^T``, whose inverse ``I + mu e_i e_j^T`` updates
    ``Zinv`` exactly. ``cols`` holds the columns of ``L`` and ``zc`` those of ``Z``, ``zr`` the rows of
    ``Zinv`` (or None: not carried), all as Python lists (see :func:`reduction`).
    """
    cj = cols[j]
    n = len(cj)
    for i in range(j + 1, n):
        v = cj[i]
        if -0.5 <= v <= 0.5:
            continue
        mu = round(v)
        ci = cols[i]
        for r in range(i, n):
            cj[r] -= mu * ci[r]
        zj, zi = zc[j], zc[i]
        for r in range(n):
            zj[r] -= mu * zi[r]
        if zr is not None:
            ri, rj = zr[i], zr[j]
            for r in range(n):
                ri[r] += mu * rj[r]


def _permute(cols, d, zc, zr, k, delta) -> None:
    """Swap decorrelated ambiguities ``k`` and ``k+1`` and update the factors (de Jonge & Tiberius sect. 3.5).

    With ``l = L[k+1, k]`` and ``delta = D[k] + l^2 D[k+1]``, the new conditional variances are
    ``D[k] D[k+1] / delta`` and ``delta``; rows ``k, k+1`` of the columns before ``k`` mix through
    ``[[-l, 1], [D[k]/delta, l D[k+1]/delta]]`` and rows below ``k+1`` swap columns ``k`` and ``k+1``.
    """
    ck, ck1 = cols[k], cols[k + 1]
    lk = ck[k + 1]
    eta = d[k] / delta
    lam = d[k + 1] * lk / delta
    d[k] = eta * d[k + 1]
    d[k + 1] = delta
    for c in range(k):
        col = cols[c]
        r0, r1 = col[k], col[k + 1]
        col[k] = r1 - lk * r0
        col[k + 1] = r1 * lam + eta * r0
    ck[k + 1] = lam
    ck[k + 2 :], ck1[k + 2 :] = ck1[k + 2 :], ck[k + 2 :]
    zc[k], zc[k + 1] = zc[k + 1], zc[k]
    if zr is not None:
        zr[k], zr[k + 1] = zr[k + 1], zr[k]


def reduction(L, D) -> ReductionResult:
    """Decorrelate: integer Gauss transformations and permutations of an ``L^T D L`` factorisation.

    Pairs ``(k, k+1)`` are visited from the last one down. A visit first size-reduces column ``k`` to
    ``|L[i, k]| <= 1/2`` by integer Gauss transformations (de Jonge & Tiberius 1996, sect. 3.4), then
    swaps the pair when that lowers the conditional variance ``D[k+1]`` (sect. 3.5). Transformations
    are applied lazily, in the sense of Chang et al. (2005, sect. 3.2): a column is reduced again only
    if a permutation has changed it since its last reduction. After a swap the pair above is revisited,
    its variance being the one that may now be out of order (the LLL back-step), instead of restarting
    from the last pair as de Jonge & Tiberius do. Reducing the whole column, not only its sub-diagonal
    entry, before each test keeps the entries of ``L`` and ``Z`` from growing across permutations: with
    sub-diagonal-only reduction they overflowed int64 on a 30-dimensional covariance of condition 3e5
    in our tests. The result has ``D`` roughly decreasing and nearly independent decorrelated
    ambiguities, which is what keeps :func:`search` short.

    Parameters
    ----------
    L : array_like, shape (n, n)
        Unit lower triangular factor (from :func:`ltdl`).
    D : array_like, shape (n,)
        Conditional variances, all > 0.

    Returns
    -------
    ReductionResult
        ``Z``, ``Zinv`` and the new ``L`` and ``D`` with ``Z^T (L^T D L) Z = L_new^T D_new L_new``.

    Raises
    ------
    EstimatorError
        Shapes disagree or ``D`` is not positive.
    """
    lo = np.array(L, dtype=float)
    d = np.array(D, dtype=float).reshape(-1)
    n = d.size
    if lo.shape != (n, n) or n == 0:
        raise EstimatorError(f"L must be (n, n) with n = len(D) = {n}, got {lo.shape}")
    if not np.all(d > 0) or not np.all(np.isfinite(lo)):
        raise EstimatorError("D must be positive and L finite")
    # Scalar loops over Python lists (columns of L and Z): the updates touch a few dozen numbers each,
    # where a numpy call costs more than the arithmetic (1.4 ms -> 0.5 ms a call on the 2313 problems of
    # 1-43 ambiguities of the two RTK baselines, bench_lambda.py); the floating-point operations and their
    # order are those of the vectorised form, so the results are bit-identical. Zinv is not carried along
    # (that doubled the integer work): it is Z's inverse, found in floating point and proved exact below.
    cols, dd, zc, _ = _reduce(lo, d, track_inverse=False)
    z = _int64(zc).T.copy()
    zi = _exact_inverse(z)
    if zi is None:  # not provable in floating point: the same reduction again, carrying Zinv exactly
        zi = _int64(_reduce(lo, d, track_inverse=True)[3])
    return ReductionResult(z, zi, np.array(cols).T.copy(), np.array(dd))


def _reduce(lo, d, track_inverse: bool):
    """The loop of :func:`reduction` on Python lists: columns of L, D, columns of Z, rows of Zinv or None."""
    n = d.size
    cols, dd = lo.T.tolist(), d.tolist()
    zc = np.eye(n, dtype=np.int64).tolist()
    zr = np.eye(n, dtype=np.int64).tolist() if track_inverse else None
    # columns to size-reduce: changed by a permutation since their last reduction, and at the start those
    # with an entry beyond 1/2 (the others would pass _gauss unchanged; most of a warm start's columns)
    dirty = (np.abs(np.tril(lo, -1)) > 0.5).any(axis=0).tolist()
    k = n - 2
    while k >= 0:
        if dirty[k]:
            _gauss(cols, zc, zr, k)
            dirty[k] = False
        lk = cols[k][k + 1]
        delta = dd[k] + lk**2 * dd[k + 1]
        if delta < (1.0 - _SWAP_RTOL) * dd[k + 1]:
            _permute(cols, dd, zc, zr, k, delta)
            dirty[: k + 2] = [True] * (k + 2)
            k = min(k + 1, n - 2)
        else:
            k -= 1
    return cols, dd, zc, zr


def _int64(rows) -> np.ndarray:
    """Python integers as int64, or EstimatorError where one does not fit (they would not wrap silently)."""
    try:
        return np.array(rows, dtype=np.int64)
    except OverflowError:
        raise EstimatorError("the decorrelating transformation outgrew 64-bit integers") from None


def _exact_inverse(z: np.ndarray) -> np.ndarray | None:
    """The integer inverse of a unimodular ``z``: its floating-point inverse rounded, returned only when
    ``z @ inverse`` is exactly the identity in int64 arithmetic that cannot overflow; else None."""
    n = z.shape[0]
    with np.errstate(all="ignore"):
        inv = np.rint(np.linalg.inv(z.astype(float)))
    if not np.all(np.abs(inv) < 2.0**31):  # also False for NaN
        return None
    zi = inv.astype(np.int64)
    # every product and partial sum of z @ zi then stays below 2^62 in magnitude: no int64 wraps
    if float(np.abs(z).max()) * float(np.abs(zi).max()) * n >= 2.0**62:
        return None
    return zi if np.array_equal(z @ zi, np.eye(n, dtype=np.int64)) else None


def decorrelate(Q, start: ReductionResult | None = None) -> ReductionResult:
    """LAMBDA decorrelation of a covariance: :func:`ltdl` with pivoting, then :func:`reduction`.

    Parameters
    ----------
    Q : array_like, shape (n, n)
        Symmetric positive-definite ambiguity covariance, cycles^2.
    start : ReductionResult, optional
        A transformation to start from (its ``Z`` and ``Zinv``), e.g. that of the same ambiguities at
        the previous epoch: ``Z0^T Q Z0`` is then factored without pivoting and reduced, which costs
        little when it is nearly reduced already. Any unimodular ``Z0`` gives a valid (differently
        reduced) result; one of another size, one whose entries are beyond :data:`_WARM_MAX`, or one
        under which ``Z0^T Q Z0`` would be mostly rounding (:data:`_WARM_RTOL`) is ignored.

    Returns
    -------
    ReductionResult
        ``Z`` (and its inverse) in the original ordering: ``Z^T Q Z = L^T diag(D) L``.
    """
    if start is not None and start.Z.shape == np.shape(Q):
        warm = _warm(Q, start)
        if warm is not None:
            return warm
    f = ltdl(Q, pivot=True)
    r = reduction(f.L, f.D)
    # ltdl factored E^T Q E with E = I[:, perm]; the total transformation is E Z_r, inverse Z_r^-1 E^T
    z = np.empty_like(r.Z)
    z[f.perm] = r.Z
    inv = np.empty_like(f.perm)
    inv[f.perm] = np.arange(f.perm.size)
    return ReductionResult(z, np.ascontiguousarray(r.Zinv[:, inv]), r.L, r.D)


_WARM_MAX = 2.0**20
"""Largest entry of a starting transformation that :func:`decorrelate` takes: the products of the two
integer transformations then stay far inside int64."""

_WARM_RTOL = 1e-6
"""Rounding allowed in ``Z0^T Q Z0``, relative to its smallest diagonal entry. The product is formed
explicitly, so its rounding grows with ``n max|Z0|^2 max|Q|`` while a reduced covariance's entries are
small: beyond this bound a start is refused (a reduction from scratch only transforms ``L``, whose
entries stay below 1/2)."""


def _warm(Q, start: ReductionResult) -> ReductionResult | None:
    """:func:`decorrelate` from ``start``, or None (cold start) when it does not apply."""
    z0, z0i = start.Z, start.Zinv
    big = float(np.abs(z0).max())
    if not (big < _WARM_MAX and np.abs(z0i).max() < _WARM_MAX):
        return None
    zf = z0.astype(float)
    q = _covariance(Q)
    qz = zf.T @ q @ zf
    n = z0.shape[0]
    rounding = np.finfo(float).eps * n * big * big * float(np.abs(q).max())
    if not rounding <= _WARM_RTOL * float(np.min(np.diag(qz))):
        return None
    try:
        f = ltdl(0.5 * (qz + qz.T))
    except EstimatorError:  # not positive definite in the transformed space: start afresh
        return None
    r = reduction(f.L, f.D)
    # the products below cannot wrap in int64 (else start afresh)
    if max(float(np.abs(r.Z).max()), float(np.abs(r.Zinv).max())) * _WARM_MAX * n >= 2.0**62:
        return None
    return ReductionResult(z0 @ r.Z, r.Zinv @ z0i, r.L, r.D)
