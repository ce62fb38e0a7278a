"""Integer ambiguity resolution: LAMBDA/MLAMBDA, validation and partial fixing.

The integer least-squares (ILS) problem

    min over integer a of (a_float - a)^T Q_a^-1 (a_float - a)

is solved in three steps (Teunissen 1995): factor ``Q_a = L^T D L`` (:func:`ltdl`), decorrelate with a
unimodular integer matrix ``Z`` built from integer Gauss transformations and permutations
(:func:`reduction`), then enumerate integer vectors inside a shrinking ellipsoid around the decorrelated
float vector (:func:`search`). :func:`lambda_ils` chains them and maps the candidates back. Validation
is the ratio test (:func:`ratio_test`) and the bootstrapped success rate
(:func:`success_rate_bootstrap`); :func:`partial_fix` drops ambiguities until a subset passes both, and
:func:`fixed_solution` conditions a float state on fixed ambiguities.

Conventions: ``L`` is unit lower triangular and ``Q = L^T diag(D) L``, so ``D[i]`` is the variance of
ambiguity ``i`` conditioned on ambiguities ``i+1 .. n-1`` and the search starts at the last one
(de Jonge & Tiberius 1996, sect. 3.3). The decorrelated ambiguities are ``z = Z^T a`` with covariance
``Z^T Q Z``. Everything here is plain linear algebra: the module knows nothing about satellites,
frequencies or systems, reads no files, and never modifies its inputs.

References
----------
.. [1] P. J. G. Teunissen (1995), The least-squares ambiguity decorrelation adjustment: a method for fast
   GPS integer ambiguity estimation, J. Geodesy 70, 65-82.
.. [2] P. de Jonge, C. Tiberius (1996), The LAMBDA method for integer ambiguity estimation:
   implementation aspects, LGR-Series 12, Delft Geodetic Computing Centre.
.. [3] X.-W. Chang, X. Yang, T. Zhou (2005), MLAMBDA: a modified LAMBDA method for integer
   least-squares estimation, J. Geodesy 79, 552-565.
.. [4] P. J. G. Teunissen (1998), Success probability of integer GPS ambiguity rounding and
   bootstrapping, J. Geodesy 72, 606-612.
.. [5] T. Takasu, RTKLIB 2.4.3 ``rtkpos.c`` (ratio test ``s[1]/s[0]`` against ``thresar[0]``, 3.0).
.. [6] P. J. G. Teunissen (1999), An optimality property of the integer least-squares estimator,
   J. Geodesy 73, 587-593 (bootstrapping success rate as a lower bound of the ILS one).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from kompas.errors import EstimatorError

__all__ = [
    "LtdlResult",
    "ReductionResult",
    "SearchResult",
    "IlsResult",
    "RatioTest",
    "PartialFixResult",
    "FixedSolution",
    "ltdl",
    "reduction",
    "decorrelate",
    "search",
    "SearchLimitError",
    "MAX_SEARCH_NODES",
    "lambda_ils",
    "ratio_test",
    "success_rate_bootstrap",
    "partial_fix",
    "fixed_solution",
]

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


@dataclass(frozen=True, eq=False)
class SearchResult:
    """The ``m`` best integer vectors, best first.

    Attributes
    ----------
    z : numpy.ndarray of int64, shape (m, n)
    sqnorm : numpy.ndarray, shape (m,)
        ``(zhat - z)^T (L^T D L)^-1 (zhat - z)``, ascending.
    """

    z: np.ndarray
    sqnorm: np.ndarray


@dataclass(frozen=True, eq=False)
class IlsResult:
    """Integer least-squares candidates in the original ambiguity space, best first.

    Attributes
    ----------
    fixed : numpy.ndarray of int64, shape (m, n)
        Candidates; ``fixed[0]`` is the ILS solution.
    sqnorm : numpy.ndarray, shape (m,)
        ``(a_float - fixed[i])^T Q_a^-1 (a_float - fixed[i])``, ascending.
    Z : numpy.ndarray of int64, shape (n, n)
        The decorrelating transformation used (``z = Z^T a``).
    D : numpy.ndarray, shape (n,)
        Conditional variances of the decorrelated ambiguities, for :func:`success_rate_bootstrap`.
    reduction : ReductionResult or None
        The whole decorrelation (``Z``, its inverse, ``L``, ``D``): a ``start`` for the next call.
    """

    fixed: np.ndarray
    sqnorm: np.ndarray
    Z: np.ndarray
    D: np.ndarray
    reduction: ReductionResult | None = None


@dataclass(frozen=True, eq=False)
class RatioTest:
    """Ratio of the second-best to the best squared norm and the decision against a threshold."""

    ratio: float
    threshold: float
    passed: bool


@dataclass(frozen=True, eq=False)
class PartialFixResult:
    """Outcome of :func:`partial_fix`.

    Attributes
    ----------
    index : numpy.ndarray of int64, shape (k,)
        Indices (into the input vector, ascending) of the ambiguities fixed; empty when nothing passed.
    fixed : numpy.ndarray of int64, shape (k,)
        Their integers.
    ratio : float
        Ratio of the accepted subset, or of the last subset tried (NaN when none was tried).
    success_rate : float
        Bootstrapped success rate of the same subset (NaN when none was tried).
    passed : bool
        Whether a subset of at least ``min_fixed`` ambiguities passed both tests.
    """

    index: np.ndarray
    fixed: np.ndarray
    ratio: float
    success_rate: float
    passed: bool


@dataclass(frozen=True, eq=False)
class FixedSolution:
    """A state conditioned on fixed ambiguities.

    Attributes
    ----------
    x : numpy.ndarray, shape (n,)
        Full state; the fixed entries hold their integers, the others ``x_b - Q_ba Q_a^-1 (a - a_fix)``.
    P : numpy.ndarray, shape (n, n)
        ``Q_b|a = Q_b - Q_ba Q_a^-1 Q_ab`` in the free rows and columns; zeros in the fixed ones.
    """

    x: np.ndarray
    P: np.ndarray


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
        reduced) result; one of another size, or whose product would outgrow the integer checks, is
        ignored.

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
"""Largest entry of a starting transformation that :func:`decorrelate` takes (the products of the two
integer transformations then stay far inside int64 and ``Z0^T Q Z0`` loses few bits)."""


def _warm(Q, start: ReductionResult) -> ReductionResult | None:
    """:func:`decorrelate` from ``start``, or None (cold start) when it does not apply."""
    z0, z0i = start.Z, start.Zinv
    if not (np.abs(z0).max() < _WARM_MAX and np.abs(z0i).max() < _WARM_MAX):
        return None
    zf = z0.astype(float)
    q = _covariance(Q)
    qz = zf.T @ q @ zf
    try:
        f = ltdl(0.5 * (qz + qz.T))
    except EstimatorError:  # not positive definite in the transformed space: start afresh
        return None
    r = reduction(f.L, f.D)
    n = z0.shape[0]
    # the products below cannot wrap in int64 (else start afresh)
    if max(float(np.abs(r.Z).max()), float(np.abs(r.Zinv).max())) * _WARM_MAX * n >= 2.0**62:
        return None
    return ReductionResult(z0 @ r.Z, r.Zinv @ z0i, r.L, r.D)


def _search_inputs(L, D, zhat, m):
    """Checked inputs of :func:`search`: L as an array, D and zhat as Python float lists, m as int."""
    lo = np.asarray(L, dtype=float)
    d = [float(v) for v in np.asarray(D, dtype=float).reshape(-1)]
    zh = [float(v) for v in np.asarray(zhat, dtype=float).reshape(-1)]
    n = len(d)
    if lo.shape != (n, n) or len(zh) != n or n == 0 or not int(m) >= 1:
        raise EstimatorError(
            f"search needs L (n, n), D (n,), zhat (n,), m >= 1; got {lo.shape}, {n}, {len(zh)}, {m}"
        )
    if not (min(d) > 0 and all(map(math.isfinite, zh)) and np.all(np.isfinite(lo))):
        raise EstimatorError("search needs D > 0 and finite L and zhat")
    return lo, d, zh, int(m)


MAX_SEARCH_NODES = 1_000_000
"""Nodes one integer search may visit (RTKLIB's ``LOOPMAX`` is 10000; the hardest of the cssrlib reference
cases here needs a few hundred thousand): beyond, the float solution is too weak for any candidate to
pass validation, and the search could run for minutes (75 ambiguities at the North Pole: 82 s for one
search, sweep of stop 68)."""


class SearchLimitError(EstimatorError):
    """The integer search visited :data:`MAX_SEARCH_NODES` nodes without finishing."""


def search(L, D, zhat, m: int = 2, max_nodes: int = MAX_SEARCH_NODES) -> SearchResult:
    """The ``m`` integer vectors closest to ``zhat`` in the metric ``(L^T D L)^-1``.

    Depth-first enumeration from the last ambiguity to the first, each level visiting integers in
    zig-zag order around its conditional estimate (Schnorr-Euchner), with the search radius shrunk to
    the ``m``-th best norm as soon as ``m`` candidates are held (Chang et al. 2005, sect. 4; de Jonge &
    Tiberius 1996, sect. 4.6-4.7). The conditional estimates are updated one row at a time
    (``S`` below), so a node costs O(level).

    Parameters
    ----------
    L : array_like, shape (n, n)
        Unit lower triangular factor of the covariance of ``zhat`` (ideally after :func:`reduction`).
    D : array_like, shape (n,)
        Conditional variances.
    zhat : array_like, shape (n,)
        Float vector, cycles.
    m : int
        Number of candidates (>= 1).
    max_nodes : int
        Nodes visited before the search gives up with a :class:`SearchLimitError` (RTK's callers treat it
        as a search that did not pass).

    Returns
    -------
    SearchResult
        ``z (m, n)`` and ``sqnorm (m,)``, best first.
    """
    lo, d, zh, m = _search_inputs(L, D, zhat, m)
    n = len(d)
    # S[k, :k+1]: minus the sum over levels j > k of L[j, :k+1] (zcond_j - z_j). The row views are built
    # once: slicing and numpy-scalar rounding would otherwise cost more than the arithmetic per node.
    s = np.zeros((n, n))
    s_src = [s[k, :k] for k in range(n)]
    s_dst = [s[k - 1, :k] for k in range(1, n)]
    l_row = [lo[k, :k] for k in range(1, n)]
    zc, zi, step, dist = [0.0] * n, [0] * n, [0] * n, [0.0] * n
    cand_z = np.zeros((m, n), dtype=np.int64)
    cand_s = np.full(m, np.inf)
    found, worst, chi2, nodes = 0, 0, math.inf, 0
    k = n - 1
    zc[k] = zh[k]
    zi[k] = math.floor(zc[k] + 0.5)
    f = zc[k] - zi[k]
    step[k] = 1 if f >= 0 else -1
    while True:
        nodes += 1
        if nodes > max_nodes:
            raise SearchLimitError(f"integer search of {n} ambiguities stopped after {max_nodes} nodes")
        new = dist[k] + f * f / d[k]
        if new < chi2:
            if k > 0:
                np.subtract(s_src[k], f * l_row[k - 1], out=s_dst[k - 1])
                k -= 1
                dist[k] = new
                zc[k] = zh[k] + s.item(k, k)
                zi[k] = math.floor(zc[k] + 0.5)
                f = zc[k] - zi[k]
                step[k] = 1 if f >= 0 else -1
                continue
            # a candidate: fill the list, then replace the worst and shrink the radius to the new worst
            slot = found if found < m else worst
            cand_z[slot] = zi
            cand_s[slot] = new
            found += 1
            if found >= m:
                worst = int(np.argmax(cand_s))
                chi2 = float(cand_s[worst])
        elif k == n - 1:
            break
        else:
            k += 1
        # next integer at level k, alternating around the conditional estimate: +1, -2, +3, ...
        zi[k] += step[k]
        f = zc[k] - zi[k]
        step[k] = -step[k] - (1 if step[k] > 0 else -1)
    order = np.argsort(cand_s, kind="stable")
    return SearchResult(cand_z[order], cand_s[order])


def lambda_ils(a_float, Q_a, m: int = 2, start: ReductionResult | None = None) -> IlsResult:
    """Integer least-squares ambiguity estimation by the (M)LAMBDA method.

    Parameters
    ----------
    a_float : array_like, shape (n,)
        Float ambiguities, cycles.
    Q_a : array_like, shape (n, n)
        Their covariance, cycles^2 (symmetric positive definite).
    m : int
        Number of candidates returned (>= 1; 2 for the ratio test).
    start : ReductionResult, optional
        The decorrelation to start from (:func:`decorrelate`); the candidates and norms do not depend
        on it, the conditional variances ``D`` (hence the bootstrapped success rate) may.

    Returns
    -------
    IlsResult
        ``fixed (m, n)`` integer candidates in the original space and their squared norms, best first;
        the transformation ``Z`` and the decorrelated conditional variances ``D``.

    Raises
    ------
    EstimatorError
        Shapes disagree, inputs are not finite, or ``Q_a`` is not positive definite.

    References
    ----------
    Teunissen (1995); de Jonge & Tiberius (1996); Chang, Yang & Zhou (2005).
    """
    a = np.asarray(a_float, dtype=float).reshape(-1)
    q = _covariance(Q_a, "Q_a")
    if q.shape[0] != a.size or not np.all(np.isfinite(a)):
        raise EstimatorError(f"a_float must be finite with shape ({q.shape[0]},), got {a.shape}")
    r = decorrelate(q, start)
    # integer part subtracted before the transformation so that large ambiguities keep their precision
    base = np.round(a)
    found = search(r.L, r.D, r.Z.T @ (a - base), m)
    fixed = found.z @ r.Zinv + base.astype(np.int64)
    return IlsResult(fixed, found.sqnorm, r.Z, r.D, r)


def ratio_test(sqnorm, threshold: float = 3.0) -> RatioTest:
    """Ratio test: accept the best candidate when ``sqnorm[1] / sqnorm[0] >= threshold``.

    RTKLIB's fixed-threshold test (``rtkpos.c``, option ``pos2-arthres``, default 3.0). A best norm of
    zero (the float vector is already integer) gives an infinite ratio, where RTKLIB reports 0.

    Parameters
    ----------
    sqnorm : array_like, shape (m,), m >= 2
        Squared norms, ascending (as returned by :func:`lambda_ils`).
    threshold : float
        Critical value (> 1).

    Notes
    -----
    Only the fixed threshold is implemented; the fixed-failure-rate thresholds (Verhagen & Teunissen
    2013, tables by dimension and failure rate) are not.
    """
    s = np.asarray(sqnorm, dtype=float).reshape(-1)
    if s.size < 2:
        raise EstimatorError("the ratio test needs at least two candidates")
    ratio = float(s[1] / s[0]) if s[0] > 0 else math.inf
    return RatioTest(ratio, float(threshold), bool(ratio >= threshold))


def success_rate_bootstrap(D) -> float:
    """Success rate of integer bootstrapping, ``prod(2 Phi(1 / (2 sqrt(D_i))) - 1)`` (Teunissen 1998).

    With the conditional variances of the decorrelated ambiguities it is also a sharp lower bound of
    the integer least-squares success rate (Teunissen 1999). ``2 Phi(x) - 1 = erf(x / sqrt(2))``.

    Parameters
    ----------
    D : array_like, shape (n,)
        Conditional variances, cycles^2 (``IlsResult.D``).

    Returns
    -------
    float
        Probability in [0, 1].
    """
    return float(np.prod(bootstrap_rates(D)))


def bootstrap_rates(D) -> np.ndarray:
    """The factors of :func:`success_rate_bootstrap`, ``2 Phi(1 / (2 sqrt(D_i))) - 1`` per ambiguity.

    Raises
    ------
    EstimatorError
        A conditional variance is not positive.
    """
    d = np.asarray(D, dtype=float).reshape(-1)
    if not np.all(d > 0):
        raise EstimatorError("conditional variances must be positive")
    return np.array([math.erf(x) for x in 1.0 / np.sqrt(8.0 * d)])


def partial_fix(a_float, Q_a, order=None, min_fixed: int = 4, ratio: float = 3.0, p0: float = 0.999):
    """Partial ambiguity resolution: fix the largest subset that passes the ratio and success-rate tests.

    The full set is tried first; while it fails, the next ambiguity of ``order`` is left float and the
    remaining subset (with its marginal covariance) is tried again, until a subset passes both
    ``ratio_test(sqnorm, ratio)`` and ``success_rate_bootstrap(D) >= p0`` or fewer than ``min_fixed``
    would remain.

    Parameters
    ----------
    a_float : array_like, shape (n,)
        Float ambiguities, cycles.
    Q_a : array_like, shape (n, n)
        Their covariance, cycles^2.
    order : array_like of int, shape (n,), optional
        Indices in the order they are to be dropped (e.g. lowest elevation first). Default: largest
        variance ``Q_a[i, i]`` first.
    min_fixed : int
        Smallest subset worth fixing (>= 1).
    ratio : float
        Ratio-test threshold (RTKLIB default 3.0).
    p0 : float
        Required bootstrapped success rate.

    Returns
    -------
    PartialFixResult
        Indices fixed and their integers (empty when nothing passed), ratio and success rate.
    """
    a = np.asarray(a_float, dtype=float).reshape(-1)
    q = _covariance(Q_a, "Q_a")
    n = a.size
    if q.shape[0] != n:
        raise EstimatorError(f"a_float has {n} elements but Q_a is {q.shape}")
    if order is None:
        order = np.argsort(-np.diag(q), kind="stable")
    order = np.asarray(order).reshape(-1)
    if order.size != n or not np.array_equal(np.sort(order), np.arange(n)):
        raise EstimatorError(f"order must be a permutation of 0..{n - 1}")
    if int(min_fixed) < 1:
        raise EstimatorError("min_fixed must be >= 1")
    keep = np.ones(n, dtype=bool)
    rt, ps = math.nan, math.nan
    for drop in range(n - int(min_fixed) + 1):
        idx = np.flatnonzero(keep)
        res = lambda_ils(a[idx], q[np.ix_(idx, idx)], m=2)
        rt = ratio_test(res.sqnorm, ratio).ratio
        ps = success_rate_bootstrap(res.D)
        if rt >= ratio and ps >= p0:
            return PartialFixResult(idx.astype(np.int64), res.fixed[0], rt, ps, True)
        keep[order[drop]] = False
    empty = np.zeros(0, dtype=np.int64)
    return PartialFixResult(empty, empty.copy(), rt, ps, False)


def fixed_solution(x, P, amb_idx, a_fixed) -> FixedSolution:
    """Condition a float state on fixed ambiguities.

    ``x_b|a = x_b - Q_ba Q_a^-1 (a_float - a_fixed)`` and ``Q_b|a = Q_b - Q_ba Q_a^-1 Q_ab``
    (Teunissen 1995, eq. 3; de Jonge & Tiberius 1996, sect. 2.4), where ``a`` are the state entries
    ``amb_idx`` and ``b`` all the others (including ambiguities left float).

    Parameters
    ----------
    x : array_like, shape (n,)
        Float state (ambiguities in cycles).
    P : array_like, shape (n, n)
        Its covariance.
    amb_idx : array_like of int, shape (k,)
        Distinct state indices of the fixed ambiguities.
    a_fixed : array_like, shape (k,)
        Their integers, in the order of ``amb_idx``.

    Returns
    -------
    FixedSolution
        Full-size state and covariance (fixed rows and columns of ``P`` are zero).
    """
    xf = np.asarray(x, dtype=float).reshape(-1)
    p = _covariance(P, "P")
    idx = np.asarray(amb_idx).reshape(-1)
    af = np.asarray(a_fixed, dtype=float).reshape(-1)
    n = xf.size
    if p.shape[0] != n or af.size != idx.size or (idx.size and not np.issubdtype(idx.dtype, np.integer)):
        raise EstimatorError("fixed_solution: x (n,), P (n, n), amb_idx (k,) ints and a_fixed (k,) needed")
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise EstimatorError(f"amb_idx must be distinct indices in 0..{n - 1}")
    idx = idx.astype(np.int64, copy=False)  # an empty list comes as float
    # the free indices by a mask, not setdiff1d (sorts, a third of this function's time at RTK's sizes)
    is_free = np.ones(n, bool)
    is_free[idx] = False
    free = np.flatnonzero(is_free)
    if free.size != n - idx.size:
        raise EstimatorError(f"amb_idx must be distinct indices in 0..{n - 1}")
    fc = free[:, None]  # (free, idx) blocks by broadcast indices: np.ix_ costs more than the copy
    q_ba = p[fc, idx]
    try:
        sol = np.linalg.solve(p[idx[:, None], idx], np.column_stack([xf[idx] - af, q_ba.T]))
    except np.linalg.LinAlgError as exc:
        raise EstimatorError("the covariance of the fixed ambiguities is singular") from exc
    out_x = xf.copy()
    out_x[idx] = af
    out_x[free] -= q_ba @ sol[:, 0]
    pb = p[fc, free] - q_ba @ sol[:, 1:]
    out_p = np.zeros((n, n))
    out_p[fc, free] = 0.5 * (pb + pb.T)
    return FixedSolution(out_x, out_p)
