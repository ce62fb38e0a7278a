"""Interim cycle-slip detection for PPP: loss of lock, gaps, geometry-free and Melbourne-Wuebbena jumps.

This small module stands in for :mod:`kompas.preprocess` (being written on its own branch) and has the
same call shape, ``detect_slips(ob, elevation_rad, glo_channels) -> flags`` with ``flags.arc`` (the
ambiguity arc of every (row, band) cell) and ``flags.slip``, so that the PPP recipe switches to the
preprocessing package by changing one import.

Per satellite, rows in time order (the receiver's phase of every band):

* a new arc starts at the first phase of a satellite, after a gap longer than ``max_gap_s``, and where the
  loss-of-lock indicator (bit 0, RINEX 3.05 sec. 5.3) is set;
* geometry-free phase ``GF = lambda_1 L_1 - lambda_j L_j`` (m) of the first band with each other band:
  a second time difference (the ionosphere's linear trend removed: at low elevation the first difference
  alone reaches 5-7 cm per 30 s without any slip) larger than ``gf_m`` (scaled by ``sqrt(dt / 30 s)``
  for longer intervals and by ``max(1, 1/(2 sin el))`` towards the horizon) starts new arcs on both
  bands (RTKLIB
  ``detslp_gf`` tests the first difference against 0.05 m);
* Melbourne-Wuebbena ``MW`` (wide-lane cycles, :func:`kompas.models.combinations.melbourne_wubbena`) of
  the same pairs: a step, where both the change from the previous epoch and the difference between the
  means of the next and the previous three epochs exceed ``mw_cyc`` with the same sign, starts new arcs
  on both bands (it catches slips the GF test is blind to, e.g. 9 and 7 cycles on
  GPS L1/L2, which change GF by 3 mm); the same elevation scaling applies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .constants import C_LIGHT
from .models.combinations import melbourne_wubbena

__all__ = ["InterimSlipFlags", "detect_slips"]

_MW_STEP = 3


@dataclass(frozen=True)
class InterimSlipFlags:
    """``slip`` (R, B) bool: an arc restarts at the cell for a reason other than its first phase;
    ``arc`` (R, B) int64: ambiguity arc number (unique over satellites and bands, -1 without phase)."""

    slip: np.ndarray
    arc: np.ndarray

    @property
    def n_slips(self) -> int:
        return int(self.slip.sum())


def _window_mean(x, lo, hi):
    """Mean of the finite ``x[lo:hi]`` per row (NaN where none), with cumulative sums."""
    ok = np.isfinite(x)
    cs = np.r_[0.0, np.cumsum(np.where(ok, x, 0.0))]
    cn = np.r_[0, np.cumsum(ok)]
    k = cn[hi] - cn[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(k > 0, (cs[hi] - cs[lo]) / np.maximum(k, 1), np.nan)


def _mw_steps(mw, series_start, thr) -> np.ndarray:
    """Melbourne-Wuebbena steps: the jump from the previous epoch and the difference of the means of the
    next and previous ``_MW_STEP`` epochs both exceed ``thr`` with the same sign. A slip is a lasting step;
    code multipath (periods of minutes) changes MW smoothly and noise does not last, so neither passes."""
    n = mw.size
    i = np.arange(n)
    series_end = np.r_[series_start[1:] != series_start[:-1], True]
    end = np.minimum.accumulate(np.where(series_end, i + 1, n)[::-1])[::-1]  # first row after the series
    before = _window_mean(mw, np.maximum(series_start, i - _MW_STEP), i)
    after = _window_mean(mw, i, np.minimum(end, i + _MW_STEP))
    d = mw - np.r_[np.nan, mw[:-1]]
    d = np.where(i > series_start, d, np.nan)
    step = after - before
    with np.errstate(invalid="ignore"):
        return (np.abs(d) > thr) & (np.abs(step) > thr) & (np.sign(d) == np.sign(step))


def _gf_jumps(gf, restart, thr) -> np.ndarray:
    """Geometry-free jumps: the second difference (a linear ionospheric trend removed) above ``thr``, or,
    on the second epoch of a series, the first difference above ``3 thr``. A slip at k gives a second
    difference of about -s at k+1 too; that echo is not a new slip."""
    n = gf.size
    d1 = np.r_[np.nan, np.diff(gf)]
    d2 = np.r_[np.nan, np.nan, np.diff(gf, 2)]
    prev_restart = np.r_[True, restart[:-1]]
    second = ~restart & prev_restart  # second epoch of a series: only a first difference exists
    cand = np.where(second, np.abs(d1) > 3.0 * thr, ~restart & ~prev_restart & (np.abs(d2) > thr))
    echo = np.r_[False, cand[:-1]] & (np.abs(d2 + np.r_[np.nan, d2[:-1]]) < thr) & ~second
    del n
    return cand & ~echo


def detect_slips(
    ob,
    elevation_rad=None,
    glo_channels=None,
    interval_s=None,
    max_gap_s: float = 120.0,
    gf_m: float = 0.05,
    mw_cyc: float = 2.5,
    freq_hz=None,
) -> InterimSlipFlags:
    """Arcs and slips of every (row, band) cell of an :class:`~kompas.tables.observables.Observables`.

    Parameters
    ----------
    ob : Observables
    elevation_rad : numpy.ndarray, shape (R,), optional
        Elevation of each row (thresholds grow below 30 deg; NaN: no scaling).
    glo_channels : GlonassChannels, optional
        GLONASS channels for exact wavelengths.
    interval_s : float, optional
        Unused; the spacing between a satellite's consecutive epochs scales the GF threshold.
    max_gap_s : float
        Longer gaps start new arcs, s.
    gf_m, mw_cyc : float
        Thresholds of the geometry-free (m, at 30 s) and Melbourne-Wuebbena (wide-lane cycles) tests.
    freq_hz : numpy.ndarray, shape (R, B), optional
        Carrier of every cell (NaN: cell not tested), instead of ``glo_channels``.
    """
    n_rows, n_bands = ob.phase_cyc.shape
    order = np.lexsort((ob.epoch, ob.sat))
    sat_s = ob.sat[order]
    t_s = ob.time_ns[order]
    freq = (ob.frequency_hz(glo_channels) if freq_hz is None else np.asarray(freq_hz))[order]
    phase = ob.phase_cyc[order]
    code = ob.code_m[order]
    has = np.isfinite(phase) & np.isfinite(freq)
    el = np.full(n_rows, np.nan) if elevation_rad is None else np.asarray(elevation_rad, dtype=float)[order]
    # thresholds grow towards the horizon (ionosphere and multipath change faster): x max(1, 1/(2 sin el))
    scale = np.where(np.isfinite(el), np.maximum(1.0, 0.5 / np.maximum(np.sin(el), 0.05)), 1.0)
    new = np.zeros((n_rows, n_bands), bool)
    slip = np.zeros((n_rows, n_bands), bool)
    for b in range(n_bands):
        r = np.flatnonzero(has[:, b])
        same = np.r_[False, sat_s[r][1:] == sat_s[r][:-1]]
        gap = np.r_[np.inf, (t_s[r][1:] - t_s[r][:-1]) * 1e-9]
        new[r, b] = ~same | (gap > max_gap_s)
        slip[r, b] = ~new[r, b] & ((ob.lli[order[r], b] & 1) != 0)
    for j in range(1, n_bands):
        both = has[:, 0] & has[:, j]
        r = np.flatnonzero(both)
        if r.size < 2:
            continue
        lam0, lamj = C_LIGHT / freq[r, 0], C_LIGHT / freq[r, j]
        gf = lam0 * phase[r, 0] - lamj * phase[r, j]
        mw = melbourne_wubbena(phase[r, 0], phase[r, j], code[r, 0], code[r, j], freq[r, 0], freq[r, j])
        first = np.r_[True, sat_s[r][1:] != sat_s[r][:-1]]
        restart = first | new[r, 0] | new[r, j] | slip[r, 0] | slip[r, j]
        d_t = np.r_[np.inf, (t_s[r][1:] - t_s[r][:-1]) * 1e-9]
        thr = gf_m * np.sqrt(np.maximum(d_t, 30.0) / 30.0) * scale[r]
        gf_jump = ~restart & _gf_jumps(gf, restart, thr)
        series_start = np.maximum.accumulate(np.where(restart | gf_jump, np.arange(r.size), 0))
        mw_jump = ~restart & ~gf_jump & _mw_steps(mw, series_start, mw_cyc * scale[r])
        jump = gf_jump | mw_jump
        slip[r[jump], 0] = True
        slip[r[jump], j] = True
    start = (new | slip) & has
    arc_s = np.full((n_rows, n_bands), -1, dtype=np.int64)
    base = 0
    for b in range(n_bands):
        ids = np.cumsum(start[:, b]) - 1 + base
        arc_s[:, b] = np.where(has[:, b], ids, -1)
        base += int(start[:, b].sum())
    out_arc = np.empty_like(arc_s)
    out_slip = np.empty_like(slip)
    out_arc[order] = arc_s
    out_slip[order] = slip & has
    return InterimSlipFlags(out_slip, out_arc)
