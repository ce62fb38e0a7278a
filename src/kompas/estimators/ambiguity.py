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

from .lambda_reduction import LtdlResult, ReductionResult, _covariance, decorrelate, ltdl, reduction

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
