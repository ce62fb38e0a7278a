"""Ambiguity resolution of ionosphere-free PPP with observable-specific biases: wide lane, then narrow lane.

With satellite code and phase biases removed (Bias-SINEX OSB of a product whose clocks carry the integer
property, e.g. CODE's IAR clocks and biases: Schaer et al. 2021, J. Geod. 95:81), the ionosphere-free
float ambiguity of satellite s (metres) is

    B_s = c f2 / (f1^2 - f2^2) N_WL,s + lambda_NL N_1,s + b_r          lambda_NL = c / (f1 + f2)

with integer wide-lane ``N_WL = N_1 - N_2`` and L1 ambiguity ``N_1`` and a receiver bias ``b_r`` common to
the satellites of a clock group, removed by single differences between satellites (Ge et al. 2008,
J. Geod. 82:389-399; Laurichesse et al. 2009, Navigation 56:135-149):

1. wide lane: the Melbourne-Wuebbena combination (bias-corrected) averaged over each arc is the wide-lane
   ambiguity plus the receiver's wide-lane bias; single differences to the group's reference satellite
   (highest elevation) are rounded when their fraction is at most ``max_wl_fraction`` and the mean is
   precise (:func:`wide_lane`);
2. narrow lane: ``N_1`` single differences from the float state with the fixed wide lanes, their
   covariance from the filter's (:func:`narrow_lane`), integer-estimated by bootstrapping after a
   conditional (LDL) decomposition and accepted only where the bootstrapped success rate (Teunissen 1998,
   J. Geod. 72:606-612) reaches ``success_rate`` and every float value lies within ``max_nl_fraction`` of
   its integer (the bootstrapped rate measures precision only; a biased float, e.g. from a wrong wide
   lane, mostly shows as a large fraction: on simulated data without the satellite biases a few
   centimetre-level wrong fixes still passed, which is why fixing needs phase biases by default);
   satellites are dropped (the most biased, else the lowest) until a
   subset of at least ``min_fixed`` passes (partial fixing);
3. the fixed single differences constrain a copy of the float state (:func:`fixed_state`): the float
   filter itself continues unchanged, as in RTKLIB's continuous mode.

GLONASS (FDMA: no common narrow-lane wavelength) is not fixed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..constants import C_LIGHT
from .kalman import update

__all__ = [
    "ArOptions",
    "ArResult",
    "WideLaneStats",
    "wide_lane",
    "narrow_lane",
    "bootstrap",
    "fixed_state",
    "resolve",
]


@dataclass(frozen=True)
class ArOptions:
    """Thresholds of :func:`resolve` (cycles, epochs, radians, probability)."""

    max_wl_fraction: float = 0.25
    max_wl_sigma: float = 0.1
    min_wl_epochs: int = 10
    min_elevation_rad: float = math.radians(15.0)
    success_rate: float = 0.999
    min_fixed: int = 4
    sigma_fixed_m: float = 0.001
    narrow_lane: bool = True
    max_nl_fraction: float = 0.25


@dataclass(frozen=True, eq=False)
class ArResult:
    """Outcome of :func:`resolve`: the fixed state (None when no narrow lane was fixed), the number of
    wide-lane and narrow-lane single differences fixed, and the success rate of the last subset tried."""

    x: np.ndarray | None
    P: np.ndarray | None
    n_wl: int
    n_nl: int
    success_rate: float


class WideLaneStats:
    """Running mean and scatter of the Melbourne-Wuebbena combination per ambiguity key and arc."""

    def __init__(self, n_keys: int):
        self.arc = np.full(n_keys, -2, np.int64)
        self.n = np.zeros(n_keys, np.int64)
        self.s1 = np.zeros(n_keys)
        self.s2 = np.zeros(n_keys)

    def add(self, keys, arcs, mw) -> None:
        """Add one epoch's values (keys unique); a new arc restarts the key's sums."""
        ok = np.isfinite(mw)
        keys, arcs, mw = keys[ok], arcs[ok], mw[ok]
        new = self.arc[keys] != arcs
        self.arc[keys] = arcs
        self.n[keys[new]], self.s1[keys[new]], self.s2[keys[new]] = 0, 0.0, 0.0
        self.n[keys] += 1
        self.s1[keys] += mw
        self.s2[keys] += mw * mw

    def mean_sigma(self, keys):
        """Mean (cycles), standard deviation of the mean (cycles) and count of each key."""
        n = self.n[keys]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = self.s1[keys] / n
            var = np.maximum(self.s2[keys] / n - mean**2, 0.0)
            sigma = np.sqrt(var / np.maximum(n - 1, 1))
        return mean, np.where(n > 1, sigma, np.inf), n


def wide_lane(mean, sigma, count, ref: int, opt: ArOptions):
    """Wide-lane single differences to satellite ``ref``: integers and which are fixed."""
    d = mean - mean[ref]
    n_wl = np.round(d)
    s = np.sqrt(sigma**2 + sigma[ref] ** 2)
    ok = (np.abs(d - n_wl) <= opt.max_wl_fraction) & (s <= opt.max_wl_sigma) & (count >= opt.min_wl_epochs)
    ok &= count[ref] >= opt.min_wl_epochs
    ok[ref] = False
    return n_wl.astype(np.int64), ok


def narrow_lane(b_m, Q_b, n_wl_sd, ref: int, idx, f1_hz, f2_hz):
    """Float ``N_1`` single differences (cycles) of satellites ``idx`` to ``ref`` and their covariance.

    Parameters
    ----------
    b_m : (N,) float
        Float ionosphere-free ambiguities, m.
    Q_b : (N, N) float
        Their covariance, m^2.
    n_wl_sd : (N,) int
        Wide-lane single differences to ``ref`` (cycles, :func:`wide_lane`).
    ref : int
        Index of the reference satellite in ``b_m``.
    idx : (K,) int
        Indices of the satellites to difference (not ``ref``).
    f1_hz, f2_hz : float
        Carrier frequencies of the pair, Hz.

    Returns
    -------
    tuple
        ``(a, Q_a, D, lambda_nl, k_wl)``: the float ``N_1`` single differences (K,) in cycles, their
        covariance (K, K) in cycles^2, the (K, N) differencing matrix, the narrow-lane wavelength (m) and
        the wide-lane coefficient ``c f2 / (f1^2 - f2^2)`` (m per cycle).
    """
    lam_nl = C_LIGHT / (f1_hz + f2_hz)
    k_wl = C_LIGHT * f2_hz / (f1_hz**2 - f2_hz**2)
    D = np.zeros((idx.size, b_m.size))
    D[np.arange(idx.size), idx] = 1.0
    D[:, ref] -= 1.0
    a = (D @ b_m - k_wl * n_wl_sd[idx]) / lam_nl
    return a, D @ Q_b @ D.T / lam_nl**2, D, lam_nl, k_wl


def bootstrap(a, Q):
    """Integer bootstrapping (sequential conditional rounding) and its success rate (Teunissen 1998).

    Returns ``(fixed (K,) int64, success_rate)``; the order is that of the input (most precise first is
    best: the caller sorts)."""
    k = a.size
    L = np.linalg.cholesky(Q)  # Q = L L^T: conditional standard deviations on the diagonal
    fixed = np.zeros(k, np.int64)
    resid = np.zeros(k)
    for i in range(k):
        cond = a[i] - L[i, :i] @ np.linalg.solve(L[:i, :i], resid[:i]) if i else a[i]
        fixed[i] = int(np.round(cond))
        resid[i] = a[i] - fixed[i]
    sd = np.diag(L)
    rate = float(np.prod([math.erf(1.0 / (2.0 * s * math.sqrt(2.0))) for s in sd]))
    return fixed, rate


def fixed_state(x, P, amb_cols, D, target_m, sigma_m: float):
    """The float state constrained by fixed single differences ``D b = target`` (pseudo-observations)."""
    H = np.zeros((D.shape[0], x.size))
    H[:, amb_cols] = D
    res = update(x, P, H, target_m - H @ x, np.full(D.shape[0], sigma_m**2))
    return res.x, res.P


def resolve(x, P, amb_cols, mean, sigma, count, el, f1_hz, f2_hz, opt: ArOptions):
    """Fix what the data allow for one clock group (module docstring).

    Parameters
    ----------
    x, P : float state and covariance
    amb_cols : (N,) columns of the IF ambiguities of the group's satellites
    mean, sigma, count : (N,) wide-lane statistics (:class:`WideLaneStats`)
    el : (N,) elevations, rad
    f1_hz, f2_hz : float, carriers of the pair (one system), Hz
    opt : ArOptions
        Thresholds (cycles, epochs, radians, probability).

    Returns
    -------
    ArResult
    """
    use = el >= opt.min_elevation_rad
    if use.sum() < opt.min_fixed + 1:
        return ArResult(None, None, 0, 0, float("nan"))
    ref = int(np.flatnonzero(use)[np.argmax(el[use])])
    n_wl, wl_ok = wide_lane(mean, sigma, count, ref, opt)
    cand = np.flatnonzero(wl_ok & use)
    n_wl_fixed = int(wl_ok.sum())
    b = x[amb_cols]
    Q = P[np.ix_(amb_cols, amb_cols)]
    rate = float("nan")
    while opt.narrow_lane and cand.size >= opt.min_fixed:
        a, Qa, D, lam_nl, k_wl = narrow_lane(b, Q, n_wl, ref, cand, f1_hz, f2_hz)
        order = np.argsort(np.diag(Qa))
        fixed, rate = bootstrap(a[order], Qa[np.ix_(order, order)])
        n1 = np.empty_like(fixed)
        n1[order] = fixed
        off = np.abs(a - n1)
        if rate >= opt.success_rate and off.max() <= opt.max_nl_fraction:
            target = k_wl * n_wl[cand] + lam_nl * n1
            xf, Pf = fixed_state(x, P, amb_cols, D, target, opt.sigma_fixed_m)
            return ArResult(xf, Pf, n_wl_fixed, int(cand.size), rate)
        if off.max() > opt.max_nl_fraction:  # a biased float (wrong wide lane, unmodelled error): drop it
            cand = np.delete(cand, int(np.argmax(off)))
        else:
            cand = cand[np.argsort(el[cand])][1:]  # not precise enough: drop the lowest satellite
    return ArResult(None, None, n_wl_fixed, 0, rate)
