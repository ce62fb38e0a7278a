"""Validation of least-squares solutions and receiver autonomous integrity monitoring (RAIM/FDE).

After RTKLIB 2.4.3 pntpos.c ``valsol`` and ``raim_fde``, vectorised over epochs: a solution passes when
it has at least as many observations as unknowns (and at least four), its weighted residuals pass the
chi-square test at 0.001 significance and its GDOP is below a limit; when it fails and redundancy allows,
each used observation is left out in turn and the exclusion whose solution passes with the smallest
chi-square per degree of freedom is kept: one exclusion per epoch, as RTKLIB's. (A second round over the
epochs still failing would repeat the same trials, because a failing trial is not kept: the three rounds
this did until 2026-12-01 changed no result and doubled the trials of the failing epochs.)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .wls import Linearised, WlsResult, gauss_newton, put_rows, take_rows

__all__ = ["Validation", "RaimResult", "chi2_threshold", "dops", "n_unknowns", "validate", "raim_fde"]

# chi-square quantiles at 0.001 significance (probability 0.999), degrees of freedom 1..100, as
# RTKLIB's pntpos.c chisqr[] table (Abramowitz & Stegun / standard tables)
_CHI2_999 = np.array(
    [
        10.8,
        13.8,
        16.3,
        18.5,
        20.5,
        22.5,
        24.3,
        26.1,
        27.9,
        29.6,
        31.3,
        32.9,
        34.5,
        36.1,
        37.7,
        39.3,
        40.8,
        42.3,
        43.8,
        45.3,
        46.8,
        48.3,
        49.7,
        51.2,
        52.6,
        54.1,
        55.5,
        56.9,
        58.3,
        59.7,
        61.1,
        62.5,
        63.9,
        65.2,
        66.6,
        68.0,
        69.3,
        70.7,
        72.1,
        73.4,
        74.7,
        76.0,
        77.3,
        78.6,
        80.0,
        81.3,
        82.6,
        84.0,
        85.4,
        86.7,
        88.0,
        89.3,
        90.6,
        91.9,
        93.3,
        94.7,
        96.0,
        97.4,
        98.7,
        100.0,
        101.0,
        102.0,
        103.0,
        104.0,
        105.0,
        107.0,
        108.0,
        109.0,
        110.0,
        112.0,
        113.0,
        114.0,
        115.0,
        116.0,
        118.0,
        119.0,
        120.0,
        122.0,
        123.0,
        125.0,
        126.0,
        127.0,
        128.0,
        129.0,
        131.0,
        132.0,
        133.0,
        134.0,
        135.0,
        137.0,
        138.0,
        139.0,
        140.0,
        142.0,
        143.0,
        144.0,
        145.0,
        147.0,
        148.0,
        149.0,
    ]
)


_Z_999 = 3.090232306167813  # standard normal quantile at 0.999


def chi2_threshold(dof) -> np.ndarray:
    """Chi-square quantile at probability 0.999 for ``dof`` degrees of freedom (>= 1), vectorised: the
    table for 1..100, beyond it the Wilson-Hilferty approximation ``k (1 - 2/(9k) + z sqrt(2/(9k)))^3``
    (Abramowitz & Stegun 26.4.17; 149.50 at k = 100, where the exact quantile is 149.45 and the table
    149), where the table stopped (a set of more than 100 double-difference ambiguities was judged by the
    100-dof quantile)."""
    k = np.maximum(np.asarray(dof, dtype=np.int64), 1)
    h = 2.0 / (9.0 * k)
    wh = k * (1.0 - h + _Z_999 * np.sqrt(h)) ** 3
    return np.where(k <= _CHI2_999.size, _CHI2_999[np.minimum(k, _CHI2_999.size) - 1], wh)


def dops(los, use, rot_enu):
    """GDOP, PDOP, HDOP, VDOP of a set of lines of sight with one common clock.

    Parameters
    ----------
    los : numpy.ndarray, shape (E, N, 3)
        Unit vectors from the satellites to the receiver (the design rows of the position).
    use : numpy.ndarray of bool, shape (E, N)
    rot_enu : numpy.ndarray, shape (E, 3, 3)
        ECEF -> ENU rotation at each solution.
    """
    h = np.concatenate([np.nan_to_num(los), np.ones((*use.shape, 1))], axis=-1)
    h = np.where(use[..., None], h, 0.0)
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


def epoch_dops(epoch, n_epochs: int, az, el, use):
    """GDOP, PDOP, HDOP, VDOP per epoch of the satellites used, from their azimuth and elevation.

    For solutions whose filter forms no single-point design (RTK, PPP): the usual DOPs of the satellites
    used at each epoch, one common clock (:func:`dops` in the east/north/up frame), as the HDOP of NMEA
    GGA and the DOP columns of the outputs expect.

    Parameters
    ----------
    epoch : numpy.ndarray of int, shape (R,)
        Epoch index of each row (one row per satellite and epoch).
    n_epochs : int
    az, el : numpy.ndarray, shape (R,)
        Azimuth and elevation at the receiver, rad.
    use : numpy.ndarray of bool, shape (R,)
        Rows of satellites used.

    Returns
    -------
    gdop, pdop, hdop, vdop : numpy.ndarray, shape (n_epochs,)
        NaN with fewer than four satellites.
    """
    epoch = np.asarray(epoch, dtype=np.int64)
    sel = np.flatnonzero(np.asarray(use, bool) & np.isfinite(az) & np.isfinite(el))
    sel = sel[np.argsort(epoch[sel], kind="stable")]
    cnt = np.bincount(epoch[sel], minlength=n_epochs)
    slot = np.arange(sel.size) - np.concatenate([[0], np.cumsum(cnt)[:-1]])[epoch[sel]]
    los = np.zeros((n_epochs, max(int(cnt.max(initial=0)), 1), 3))
    taken = np.zeros(los.shape[:2], bool)
    a, e = np.asarray(az, float)[sel], np.asarray(el, float)[sel]
    los[epoch[sel], slot] = -np.stack([np.cos(e) * np.sin(a), np.cos(e) * np.cos(a), np.sin(e)], axis=-1)
    taken[epoch[sel], slot] = True
    return dops(los, taken, np.broadcast_to(np.eye(3), (n_epochs, 3, 3)))


@dataclass(frozen=True)
class Validation:
    """Per-epoch outcome of :func:`validate`.

    Attributes
    ----------
    ok : numpy.ndarray of bool, shape (E,)
    chi2 : numpy.ndarray, shape (E,)
        Sum of squared weighted residuals.
    dof : numpy.ndarray of int, shape (E,)
        Observations minus unknowns.
    gdop : numpy.ndarray, shape (E,)
    too_few : numpy.ndarray of bool, shape (E,)
        Fewer observations than unknowns (or than four).
    chi2_failed, gdop_failed : numpy.ndarray of bool, shape (E,)
        Which test rejected the epoch (among those with enough observations).
    """

    ok: np.ndarray
    chi2: np.ndarray
    dof: np.ndarray
    gdop: np.ndarray
    too_few: np.ndarray
    chi2_failed: np.ndarray
    gdop_failed: np.ndarray


def n_unknowns(lin: Linearised) -> np.ndarray:
    """Unknowns each epoch can determine: columns with a non-zero design entry in a used row."""
    active = np.any(np.where(lin.use[..., None], lin.h != 0.0, False), axis=1)
    return active.sum(1)


def validate(res: WlsResult, max_gdop: float, min_obs: int = 4, pos: slice = slice(0, 3)) -> Validation:
    """Chi-square (0.001) and GDOP tests of each epoch's solution (RTKLIB ``valsol``)."""
    lin = res.lin
    nx = n_unknowns(lin)
    nv = lin.use.sum(1)
    dof = nv - nx
    chi2 = np.where(lin.use, lin.v * lin.v * lin.w, 0.0).sum(1)
    too_few = ~((nv >= nx) & (nv >= min_obs))
    chi_bad = ~too_few & (dof > 0) & (chi2 > chi2_threshold(np.maximum(dof, 1)))
    rot = np.broadcast_to(np.eye(3), (nv.size, 3, 3))
    gdop = dops(lin.h[..., pos], lin.use, rot)[0]
    gdop_bad = ~too_few & ~chi_bad & ~(np.isfinite(gdop) & (gdop <= max_gdop))
    ok = ~too_few & ~chi_bad & ~gdop_bad
    return Validation(ok, chi2, dof, gdop, too_few, chi_bad, gdop_bad)


@dataclass(frozen=True)
class RaimResult:
    """Outcome of :func:`raim_fde`: the (possibly re-estimated) solution and what was excluded.

    Attributes
    ----------
    result : WlsResult
    validation : Validation
        Of the final solution (epochs repaired by an exclusion are ``ok``).
    excluded : numpy.ndarray of bool, shape (E, N)
        Observations excluded by the fault detection.
    """

    result: WlsResult
    validation: Validation
    excluded: np.ndarray


def raim_fde(
    model: Callable[..., Linearised],
    res: WlsResult,
    val: Validation,
    mask: np.ndarray,
    max_gdop: float,
    max_iter: int = 4,
    by_rows: bool = False,
) -> RaimResult:
    """Exclude, epoch by epoch, the observation whose removal best passes validation (one at most).

    Parameters
    ----------
    model, mask
        As for :func:`~kompas.estimators.wls.gauss_newton`; ``mask`` is not modified.
    res, val : WlsResult, Validation
        The solution with every observation, and its validation.
    max_gdop : float
        GDOP above which a trial solution fails validation (as :func:`validate`).
    max_iter : int
        Gauss-Newton iterations after each trial exclusion.
    by_rows : bool
        ``model`` takes ``rows=`` (:mod:`kompas.estimators.wls`): each trial exclusion is then solved on
        the epochs it concerns alone, with the same result as solving all epochs and keeping the others.
    """
    mask = mask.copy()
    excluded = np.zeros(mask.shape, bool)
    ok = val.ok.copy()
    fail = ~ok & (res.lin.use.sum(1) >= n_unknowns(res.lin) + 2)
    best_score = np.full(res.x.shape[0], np.inf)
    best_j = np.full(res.x.shape[0], -1)
    trials = {}
    for j in range(mask.shape[1] if fail.any() else 0):
        cand = fail & res.lin.use[:, j]
        if not cand.any():
            continue
        m = mask.copy()
        m[:, j] = False
        trials[j], score = _trial(model, res, m, cand, max_iter, max_gdop, by_rows)
        better = score < best_score
        best_score[better], best_j[better] = score[better], j
    fixed = best_j >= 0
    for j in np.unique(best_j[fixed]):
        rows = best_j == j
        res = take_rows(res, trials[j](), rows)
        mask[rows, j] = False
        excluded[rows, j] = True
    final = validate(res, max_gdop)
    return RaimResult(res, _with_ok(final, ok | fixed), excluded)


def _trial(model, res: WlsResult, m, cand, max_iter: int, max_gdop: float, by_rows: bool):
    """One trial exclusion (mask ``m``) re-solved at the epochs ``cand``: a function giving the solution of
    every epoch (the others as in ``res``), and each epoch's :func:`_score` (inf outside ``cand``)."""
    if by_rows:
        idx = np.flatnonzero(cand)
        sub = gauss_newton(functools.partial(model, rows=idx), res.x[idx], m[idx], max_iter)
        score = np.full(cand.shape, np.inf)
        score[idx] = _score(sub, max_gdop)
        return (lambda: put_rows(res, sub, idx)), score
    rj = gauss_newton(model, res.x, m, max_iter, only=cand)
    return (lambda: rj), np.where(cand, _score(rj, max_gdop), np.inf)


def _score(r: WlsResult, max_gdop: float) -> np.ndarray:
    """Chi-square per degree of freedom of each epoch where the solution converged and passes validation,
    else inf (the exclusion with the smallest wins, as in RTKLIB's ``raim_fde``)."""
    v = validate(r, max_gdop)
    return np.where(v.ok & r.converged, v.chi2 / np.maximum(v.dof, 1), np.inf)


def _with_ok(val: Validation, ok: np.ndarray) -> Validation:
    return Validation(
        ok, val.chi2, val.dof, val.gdop, val.too_few & ~ok, val.chi2_failed & ~ok, val.gdop_failed & ~ok
    )
