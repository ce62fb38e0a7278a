"""Ambiguity resolution of the RTK filter: double-difference ambiguities, partial fixing, validation.

The filter estimates single-difference ambiguities (cycles); only their double differences are integers.
Per difference group (:mod:`kompas.estimators.rtk_dd`) the ambiguity of the highest satellite serves as
the reference, ``a = N_i - N_ref``, and ``Q_a`` follows from the state covariance. The integer search is
LAMBDA/MLAMBDA (:mod:`kompas.estimators.ambiguity`: Teunissen 1995, de Jonge & Tiberius 1996, Chang,
Yang & Zhou 2005).

Acceptance (all must hold):

* ratio test, second-best over best squared norm (RTKLIB 2.4.3 ``rtkpos.c resamb_LAMBDA``), with a
  critical value that depends on the strength of the model, measured by the bootstrapped success rate of
  the decorrelated ambiguities (Teunissen 1998; a lower bound of the integer least-squares success rate):
  ``strong_ratio`` (1.5) from ``strong_success`` (0.999), ``ratio`` (3, RTKLIB's) from ``success`` (0.99),
  ``weak_ratio`` (10) from ``weak_success`` (0.9) when the subset spans at least ``weak_min_sats`` (6)
  satellites, no fix below. This is the shape of the fixed
  failure-rate ratio test (Teunissen & Verhagen 2009; Verhagen & Teunissen 2013): its critical ratio falls
  towards 1 as the model's own failure rate falls below the tolerated one and rises as it grows. The weak
  tier's satellite count is the analogue of RTKLIB-demo5's ``pos2-minfixsats``: with three to five GLONASS
  satellites over 21.8 km (set D, static) a model success rate of 0.91 and a ratio of 17 fixed 7 epochs
  6-7 cm off;
* validation against the float solution: the squared norm of the best candidate,
  ``(a - a_fix)^T Q_a^-1 (a - a_fix)``, is chi-square with ``n`` degrees of freedom for a correct fix and a
  consistent covariance; a fix beyond ``max_chi2_factor`` times its 99.9 % quantile means that float and
  integers disagree (a bias, an undetected slip) and is refused.

Partial ambiguity resolution: double differences less precise than ``max_sigma_cyc`` are left float from
the start; while the set fails, the least precise sixth of the remaining ones is left float and the rest
tried again, at most ``max_searches`` integer searches per epoch (partial fixing by precision as in
Teunissen, Joosten & Tiberius 1999 and :func:`kompas.estimators.ambiguity.partial_fix`, with a bounded
number of searches so that a poor epoch costs a few searches, not one per ambiguity). A subset whose
ADOP-based upper bound of the success rate (:func:`adop_success_bound`) is below the required rate is
skipped without a search.

The fixed state is the float state conditioned on the integers (:func:`~kompas.estimators.ambiguity.
fixed_solution`), computed in coordinates where the fixed double differences are state entries.

Partial fixing of decorrelated combinations (``z_partial``): when no subset of double differences passes,
the largest set of decorrelated ambiguities ``z = Z^T a`` whose bootstrapped success rate reaches
``z_success`` is fixed instead -- partial ambiguity resolution in the decorrelated space (Teunissen,
Joosten & Tiberius 1999, sect. 4; Verhagen & Li 2012, "LAMBDA software package: Matlab implementation,
version 3.0", PAR method): after the LAMBDA reduction the last ``k`` entries of ``D`` are the conditional
variances of the best-determined combinations, so the subset is ``z[n-k:]`` with ``k`` the largest count
whose bootstrapped rate ``prod 2 Phi(1 / (2 sqrt(D_i))) - 1`` still reaches ``z_success``. On a long
baseline with several carriers these are mostly extra-wide- and wide-lane-like combinations: exact
integers, but no centimetre position, so the filter never reports an epoch fixed on them alone
(:class:`~kompas.estimators.rtk.RtkFilter`). Their value is in fix-and-hold: held as
constraints (:attr:`ArResult.combos`), they leave the float filter only the narrow-lane part of each
ambiguity to determine, which then converges to a full fix sooner. The subset passes the same ratio
test (``ratio``) and chi-square validation as a double-difference subset, and it holds at most one
combination per double difference beyond one per satellite: with ``B`` carriers a satellite's double
differences have ``B - 1`` inter-frequency (wide-lane) degrees of freedom and one narrow lane, and the
narrow lanes are left to the double differences. Without that bound a few centimetres of unmodelled error
(set D without antenna calibrations: two antenna types) made narrow-lane combinations look precise; held,
they turned 22-30 % of the BeiDou-alone epochs into wrong fixes, depending on ``z_success``; with it none
(``tests/reference/test_rtk_real.py``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from ..errors import KompasError
from . import kalman
from .ambiguity import (
    bootstrap_rates,
    decorrelate,
    fixed_solution,
    lambda_ils,
    ratio_test,
    search,
    success_rate_bootstrap,
)
from .rtk_dd import choose_references
from .validate import chi2_threshold

__all__ = [
    "AmbiguitySet", "ArResult", "ReductionMemo", "resolve", "dd_ambiguity_transform", "adop_success_bound",
]  # fmt: skip


@dataclass(frozen=True, eq=False)
class AmbiguitySet:
    """Single-difference ambiguity states that may be fixed at this epoch.

    Attributes
    ----------
    col : numpy.ndarray of int64, shape (n,)
        State column of each ambiguity.
    group : numpy.ndarray of int64, shape (n,)
        Difference group (ambiguities are differenced within a group only).
    score : numpy.ndarray, shape (n,)
        Preference as reference (elevation, rad).
    sys : numpy.ndarray of int64, shape (n,)
        System code (counts of fixed ambiguities per system).
    sat : numpy.ndarray of int64, shape (n,), optional
        Satellite of each ambiguity (bounds the decorrelated combinations fixed: module docstring);
        without it every ambiguity counts as its own satellite, so no combination is fixed.
    """

    col: np.ndarray
    group: np.ndarray
    score: np.ndarray
    sys: np.ndarray
    sat: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class ArResult:
    """Outcome of :func:`resolve`.

    Attributes
    ----------
    fixed : bool
        A subset passed every test.
    ratio, success, chi2 : float
        Ratio, bootstrapped success rate and squared norm of the accepted (or last tried) subset.
    col, ref : numpy.ndarray of int64, shape (k,)
        State columns of the fixed double differences' members and references.
    integers : numpy.ndarray of int64, shape (k,)
        Fixed values of ``N[col] - N[ref]``, cycles.
    sys : numpy.ndarray of int64, shape (k,)
    x, P : numpy.ndarray
        The state and covariance conditioned on the integers (None when not fixed). Entries of fixed
        ambiguity members hold double differences, not single differences (not so for ``combos``).
    n_candidates : int
        Double differences considered.
    combos : numpy.ndarray of int64, shape (k, m), optional
        For a fix of decorrelated combinations: ``integers = combos @ (N[col] - N[ref])`` over the ``m``
        double differences ``col``/``ref``; ``sys`` is then each combination's system (-1 when it spans
        several). None for a fix of double differences (``combos`` the identity).

    combo_stats : tuple of float, optional
        Ratio, bootstrapped success rate and squared norm of the fixed combinations (``ratio``,
        ``success`` and ``chi2`` then describe the failed attempt on the double differences).

    A fix of combinations is not an epoch fix (the filter holds it, module docstring).
    """

    fixed: bool
    ratio: float
    success: float
    chi2: float
    col: np.ndarray
    ref: np.ndarray
    integers: np.ndarray
    sys: np.ndarray
    x: np.ndarray | None
    P: np.ndarray | None
    n_candidates: int
    combos: np.ndarray | None = None
    combo_stats: tuple | None = None

    def constraints(self, n_states: int) -> tuple[np.ndarray, np.ndarray]:
        """The fixed integers as linear functions of the single-difference state: ``(H, integers)`` with
        ``H x = integers`` (fix-and-hold feeds these back)."""
        if self.combos is None:  # row i: +1 at col[i], -1 at ref[i] (distinct): what np.add.at gives
            H = np.zeros((self.col.size, n_states))
            rows = np.arange(self.col.size)
            H[rows, self.col] = 1.0
            H[rows, self.ref] = -1.0
            return H, self.integers.astype(float)
        c = self.combos.astype(float)
        H = np.zeros((c.shape[0], n_states))
        np.add.at(H.T, self.col, c.T)
        np.add.at(H.T, self.ref, -c.T)
        return H, self.integers.astype(float)


def _empty(ratio=np.nan, success=np.nan, chi2=np.nan, n=0) -> ArResult:
    e = np.zeros(0, dtype=np.int64)
    return ArResult(False, ratio, success, chi2, e, e, e, e, None, None, n)


def dd_ambiguity_transform(x, P, col, ref):
    """State and covariance in coordinates where ``x[col]`` becomes ``x[col] - x[ref]``.

    The transformation ``y = T x`` (identity except rows ``col``, which get ``-1`` at ``ref``) is
    unimodular, so every other entry, and the covariance of every other entry, is unchanged.
    """
    y = np.array(x, dtype=float)
    y[col] -= x[ref]
    tp = np.array(P, dtype=float)
    tp[col, :] -= P[ref, :]
    py = tp.copy()
    py[:, col] -= tp[:, ref]
    return y, 0.5 * (py + py.T)


def adop_success_bound(Q) -> float:
    """Upper bound of the integer least-squares success rate from the ambiguity dilution of precision.

    ``P_s <= P(chi2_n <= c_n / ADOP^2)`` with ``ADOP = det(Q)^(1/2n)`` and
    ``c_n = ((n/2) Gamma(n/2))^(2/n) / pi`` (Teunissen 2000, "ADOP based upper bounds for the bootstrapped
    and the least-squares ambiguity success rates", Artificial Satellites 35(4)). The chi-square
    distribution is evaluated with the Wilson-Hilferty transformation (accurate to ~1e-3 for n >= 4), so the
    bound only decides whether a search is worth running. Cost: one Cholesky factorisation.
    """
    n = Q.shape[0]
    try:
        logdet = 2.0 * float(np.sum(np.log(np.diag(np.linalg.cholesky(Q)))))
    except np.linalg.LinAlgError:
        return 1.0
    log_cn = (2.0 / n) * (math.log(n / 2.0) + math.lgamma(n / 2.0)) - math.log(math.pi)
    x = math.exp(log_cn - logdet / n)
    h = 2.0 / (9.0 * n)
    z = ((x / n) ** (1.0 / 3.0) - (1.0 - h)) / math.sqrt(h)
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


class ReductionMemo:
    """The LAMBDA reductions of one epoch's integer searches, keyed by the double differences searched, as
    starting points for the next epoch's (:func:`~kompas.estimators.ambiguity.decorrelate`'s ``start``).

    From one epoch to the next the covariance of the same double differences changes little, and a
    reduction started from the last transformation does a few permutations where one from scratch does
    hundreds (set D, G+R+E+C: 210 of 263 searches start warm; the searches' permutations fall from 31,679
    to 10,192, most of them in the 53 started from scratch). The integer candidates and their norms do
    not depend on the starting point; the conditional variances of the reduced ambiguities, hence the
    bootstrapped success rates of the acceptance tiers, may (on set D every epoch's position is
    bit-identical with and without the memo). Keys are the member and reference satellites and the
    difference group of each double difference (:func:`_dd_ids`): the same double differences in another
    order, or another set, start from scratch.
    """

    def __init__(self) -> None:
        self._last: dict = {}
        self._now: dict = {}

    def next_epoch(self) -> None:
        """Keep only the reductions of the epoch that ends as starting points."""
        self._last, self._now = self._now, {}

    def start(self, key: bytes):
        """The last epoch's reduction of these double differences, or None."""
        return self._last.get(key)

    def keep(self, key: bytes, reduction) -> None:
        if reduction is not None:
            self._now[key] = reduction


def _try(a, Q, opts, n_sat: int, start=None):
    """LAMBDA on one subset of ``n_sat`` satellites, its reduction started from ``start``: (passed,
    ratio, success, chi2, integers, reduction)."""
    res = lambda_ils(a, Q, m=2, start=start)
    rt = ratio_test(res.sqnorm, opts.ratio)
    ps = success_rate_bootstrap(res.D)
    chi2 = float(res.sqnorm[0])
    ok_chi2 = chi2 <= opts.max_chi2_factor * float(chi2_threshold(a.size))
    tiers = (
        (opts.strong_success, opts.strong_ratio),
        (opts.success, opts.ratio),
    ) + (((opts.weak_success, opts.weak_ratio),) if n_sat >= opts.weak_min_sats else ())
    passed = any(ps >= p and rt.ratio >= r for p, r in tiers)
    return passed and ok_chi2, rt.ratio, ps, chi2, res.fixed[0], res.reduction


SURE_SIGMA_CYC = 0.03
"""Double differences this precise and within :data:`SURE_FRACTION` of an integer are fixed by rounding
(their bootstrapped success rate ``2 Phi(1 / (2 sigma)) - 1`` differs from 1 by less than 1e-50); the
integer search then only handles the others, conditioned on them -- in fix-and-hold operation that is a
handful of new arcs instead of every ambiguity."""

SURE_FRACTION = 0.15


def _dd_float(x, P, amb: AmbiguitySet):
    """Double differences against each group's reference: member/reference columns, values, covariance,
    and the (member, reference) satellites of each (n, 2)."""
    ref_of = choose_references(amb.group, np.ones(amb.col.size, bool), amb.score)
    cell = np.flatnonzero((ref_of >= 0) & (ref_of != np.arange(ref_of.size)))
    ci, cr = amb.col[cell], amb.col[ref_of[cell]]
    a = x[ci] - x[cr]
    i, r = ci[:, None], cr[:, None]  # broadcast indices: np.ix_ costs more than these small copies
    Q = P[i, ci] - P[i, cr] - P[r, ci] + P[r, cr]
    sats = None if amb.sat is None else np.stack([amb.sat[cell], amb.sat[ref_of[cell]]], axis=1)
    return cell, ci, cr, a, 0.5 * (Q + Q.T), sats


def _dd_ids(amb: AmbiguitySet, cell, ci, cr, dd_sats) -> np.ndarray:
    """(n, 3) identities of the double differences, the keys of :class:`ReductionMemo`: member and
    reference satellites and the difference group where the satellites are known (they outlast a change
    of the state's columns), else member and reference state columns."""
    if dd_sats is None:
        return np.stack((ci, cr, amb.group[cell]), axis=1)
    return np.column_stack((dd_sats, amb.group[cell]))


def _search(a, Q, opts, max_searches: int, sats=None, ids=None, memo: ReductionMemo | None = None):
    """Partial ambiguity resolution on ``(a, Q)``: the full set, then subsets without the least precise
    ambiguities, at most ``opts.max_searches`` integer searches. ``sats`` (n, 2): member and reference
    satellite of each ambiguity (the weak tier's satellite count); ``ids`` (n, 3): their identities
    (:func:`_dd_ids`), which key the reductions ``memo`` keeps. Returns (indices, integers, ratio,
    success, chi2) of the accepted subset (indices None when none passed)."""
    var = np.diag(Q)
    keep = var <= opts.max_sigma_cyc**2
    last = (np.nan, np.nan, np.nan)
    searches = 0
    while searches < max_searches:
        idx = np.flatnonzero(keep)
        if idx.size < 1:
            break
        drop = idx[np.argsort(-var[idx], kind="stable")[: max(1, idx.size // 6)]]
        q = Q[np.ix_(idx, idx)]
        n_sat = np.unique(sats[idx]).size if sats is not None else idx.size + 1
        lowest = opts.weak_success if n_sat >= opts.weak_min_sats else opts.success  # the lowest tier open
        if adop_success_bound(q) < lowest - 0.01:  # cannot pass: no search
            keep[drop] = False
            continue
        searches += 1
        key = None if memo is None or ids is None else ids[idx].tobytes()
        try:
            ok, rt, ps, chi2, ints, red = _try(a[idx], q, opts, n_sat, memo.start(key) if key else None)
        except KompasError:
            ok, rt, ps, chi2, red = False, np.nan, np.nan, np.nan, None
        if key:
            memo.keep(key, red)
        last = (rt, ps, chi2)
        if ok:
            return idx, ints, rt, ps, chi2
        keep[drop] = False
    return None, None, *last


def resolve(x, P, amb: AmbiguitySet, opts, memo: ReductionMemo | None = None) -> ArResult:
    """Fix as many double-difference ambiguities as pass validation (module docstring).

    Parameters
    ----------
    x : numpy.ndarray, shape (U,)
        Float state.
    P : numpy.ndarray, shape (U, U)
    amb : AmbiguitySet
    opts : ArOptions
    memo : ReductionMemo, optional
        The last epoch's reductions, to start this epoch's from (a filter keeps one and calls its
        :meth:`~ReductionMemo.next_epoch` before each epoch); the reductions made here are kept in it.

    Returns
    -------
    ArResult
    """
    cell, ci, cr, a, Q, dd_sats = _dd_float(x, P, amb)
    if cell.size < opts.min_fixed:
        return _empty(n=int(cell.size))
    sig = np.sqrt(np.diag(Q))
    sure = (sig <= SURE_SIGMA_CYC) & (np.abs(a - np.round(a)) <= SURE_FRACTION)
    s_idx, r_idx = np.flatnonzero(sure), np.flatnonzero(~sure)
    a_r, Q_r = a[r_idx], Q[r_idx[:, None], r_idx]
    if s_idx.size:
        # the others conditioned on the sure integers (Teunissen 1995 eq. 3)
        q_sr = Q[s_idx[:, None], r_idx]
        gain = np.linalg.solve(Q[s_idx[:, None], s_idx], q_sr).T
        a_r = a_r - gain @ (a[s_idx] - np.round(a[s_idx]))
        Q_r = Q_r - gain @ q_sr
    found, ints, rt, ps, chi2 = (None, None, np.inf, 1.0, 0.0)
    if r_idx.size:
        # with enough sure integers the others are new arcs: one search an epoch is enough for them
        searches = 1 if s_idx.size >= opts.min_fixed else opts.max_searches
        sats = None if dd_sats is None else dd_sats[r_idx]
        ids = None if memo is None else _dd_ids(amb, cell, ci, cr, dd_sats)[r_idx]
        found, ints, rt, ps, chi2 = _search(a_r, 0.5 * (Q_r + Q_r.T), opts, searches, sats, ids, memo)
    take = s_idx if found is None else np.concatenate((s_idx, r_idx[found]))
    vals = np.round(a[s_idx]) if found is None else np.concatenate((np.round(a[s_idx]), ints))
    if take.size < opts.min_fixed or (found is None and s_idx.size == 0):
        hold = opts.z_partial and opts.armode == "fix-and-hold"  # unheld, combinations serve nothing
        sats = np.arange(amb.col.size) if amb.sat is None else amb.sat
        n_sat = np.unique(sats[cell]).size  # satellites with a double difference: one narrow lane each
        combos = _decorrelated(x, P, ci, cr, a, Q, amb.sys[cell], opts, a.size - n_sat) if hold else None
        if combos is None:
            return _empty(rt, ps, chi2, n=int(cell.size))
        # the epoch reports the double differences' attempt (RTKLIB's ratio of a float epoch), not the
        # combinations' own ratio (ArResult.combo_stats)
        return dataclasses.replace(
            combos, ratio=rt, success=ps, chi2=chi2, combo_stats=(combos.ratio, combos.success, combos.chi2)
        )
    if found is None:  # only the sure ones: the ratio of the failed search does not apply to them
        rt, ps, chi2 = np.inf, 1.0, 0.0
    return _fixed(
        x, P, ci[take], cr[take], vals.astype(np.int64), amb.sys[cell[take]], rt, ps, chi2, cell.size
    )


def _decorrelated(x, P, ci, cr, a, Q, sys, opts, k_max: int) -> ArResult | None:
    """Fix the best-determined decorrelated combinations of the double differences, at most ``k_max``
    (module docstring). The reduction starts from scratch (no :class:`ReductionMemo`): the combinations
    are the last columns of the reduced basis, which another start would change (set D, G+R+E+C: other
    combinations held, float epochs 1.3 cm apart), while an integer search's candidates do not depend
    on it."""
    n = a.size
    try:
        r = decorrelate(Q)
    except KompasError:
        return None
    # bootstrapped success rate of the last k decorrelated ambiguities, k = 1 .. n
    ps = np.cumprod(bootstrap_rates(r.D[::-1]))
    k = min(int(np.sum(ps >= opts.z_success)), k_max)
    if k < opts.min_fixed:
        return None
    base = np.round(a)
    zhat = r.Z.T @ (a - base)
    for _ in range(opts.max_searches):
        # the trailing block of the reduction is the factorisation of the last k combinations already
        try:
            found = search(r.L[n - k :, n - k :], r.D[n - k :], zhat[n - k :], m=2)
        except KompasError:  # non-finite floats
            return None
        rt = ratio_test(found.sqnorm, opts.ratio)
        chi2 = float(found.sqnorm[0])
        if rt.ratio >= opts.ratio and chi2 <= opts.max_chi2_factor * float(chi2_threshold(k)):
            break
        k -= max(1, k // 6)  # the least precise sixth left float, as for double differences
        if k < opts.min_fixed:
            return None
    else:
        return None
    zs = np.ascontiguousarray(r.Z[:, n - k :].T)  # (k, n): z = zs a
    ints = found.z[0] + zs @ base.astype(np.int64)
    # each combination's system, -1 when its double differences span several
    span = np.where(zs != 0, sys[None, :], -1)
    lo = np.where(zs != 0, sys[None, :], np.iinfo(np.int64).max).min(axis=1)
    sys_of = np.where(lo == span.max(axis=1), lo, -1).astype(np.int64)
    res = ArResult(True, rt.ratio, float(ps[k - 1]), chi2, ci, cr, ints, sys_of, None, None, int(n), zs)
    H, z = res.constraints(x.size)
    try:
        upd = kalman.update(x, P, H, z - H @ x, np.zeros(k))
    except np.linalg.LinAlgError:
        return None
    return dataclasses.replace(res, x=upd.x, P=upd.P)


def _fixed(x, P, ci, cr, ints, sys, rt, ps, chi2, n) -> ArResult:
    y, py = dd_ambiguity_transform(x, P, ci, cr)
    fx = fixed_solution(y, py, ci, ints)
    return ArResult(True, rt, ps, chi2, ci, cr, np.asarray(ints, np.int64), sys, fx.x, fx.P, int(n))
