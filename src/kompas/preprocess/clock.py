"""Receiver clock jumps: detection and repair in code and phase.

Receivers that steer their clock in steps reset it by a millisecond (or another amount) when the offset
from GPS time exceeds a limit. The reset reaches the observables in one of three ways, depending on the
receiver (Guo & Zhang 2014, GPS Solutions 18:271-278, their types of clock jumps):

* **code only**: every pseudorange jumps by ``c J`` and the phase stays continuous;
* **code and phase**: both jump by ``c J`` (the time tag stays on the old scale);
* **phase only**: the phase jumps and the code does not (rare).

Per satellite and epoch, with the first band having code, phase and (when given) Doppler, and the
previous epoch of the same satellite (time differences ``Delta``):

    x = (Delta P - lambda Delta L) / c                   code against phase
    y = (Delta P + lambda (D_k + D_(k-1))/2 dt) / c      code against the Doppler-predicted range change
    z = (lambda Delta L + lambda (D_k + D_(k-1))/2 dt) / c   phase against Doppler

(RINEX Doppler is the negative range rate over the wavelength, RINEX 3.05 sec. 5.3; the receiver's
clock drift is in the Doppler too, so it cancels.) The medians over the satellites of an epoch are the
epoch's code jump ``J_c = median y`` and phase jump ``J_p = median z``; a jump is declared when
``|J| > min_jump_s`` and at least ``min_sats`` satellites agree with the median within
``max(0.1 |J|, min_jump_s / 2)``; a jump within 1 microsecond of whole milliseconds is set to them.
Without Doppler, the code and phase jumps are the medians of their second time differences (the echo
of opposite sign at the next epoch is dropped) with the threshold raised by ``2 a dt^2 / c`` for a range
acceleration ``a`` of 1 m/s^2. (``x`` is the classic test of Guo & Zhang for code-only jumps; with ``y``
and ``z`` it is redundant and not used.) The median makes the test immune to a cycle slip on a few
satellites; a jump must be seen by most.

Repair (:func:`repair_clock_jumps`) removes the accumulated jumps from the code (``c J_c``) and from
the phase (``f J_p`` cycles), so both are continuous afterwards: the receiver clock estimated from the
repaired data has no steps, and the remaining inconsistency (the time tags still carry the jump, at
most 1 ms times the range rate, < 1 m) is that of a receiver without resets.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from ..config import Options, option
from ..constants import C_LIGHT
from ..estimators.grouped import group_median
from .tracks import Series, default_max_gap_s, require_observables

__all__ = ["ClockJumpOptions", "ClockJumps", "detect_clock_jumps", "repair_clock_jumps"]

_ACCEL_MPS2 = 1.0  # bound of |d^2 rho/dt^2| plus receiver clock acceleration for the no-Doppler test


@dataclass(frozen=True)
class ClockJumpOptions(Options):
    """Thresholds of the clock-jump test (module docstring)."""

    min_jump_s: float = option(1e-6, "smallest receiver clock step reported as a jump", unit="s", low=0.0)
    min_sats: int = option(3, "satellites that must agree on a jump", low=1)


@dataclass(frozen=True)
class ClockJumps:
    """Receiver clock jumps found in the observables.

    Attributes
    ----------
    epoch : numpy.ndarray of int64, shape (J,)
        Index into ``ob.epoch_time_ns`` of the first epoch after the jump.
    time_ns : numpy.ndarray of int64
        That epoch, GPST ns.
    code_s, phase_s : numpy.ndarray
        The jump in the code and in the phase, s (0 where that observable did not jump).
    n_sats : numpy.ndarray of int64
        Satellites that saw it.
    """

    epoch: np.ndarray
    time_ns: np.ndarray
    code_s: np.ndarray
    phase_s: np.ndarray
    n_sats: np.ndarray

    def __len__(self) -> int:
        return int(self.epoch.size)

    @property
    def size_s(self) -> np.ndarray:
        """The jump: of the code where the code jumped, else of the phase, s."""
        return np.where(self.code_s != 0, self.code_s, self.phase_s)

    @property
    def kind(self) -> np.ndarray:
        """``"code"``, ``"code+phase"`` or ``"phase"`` per jump."""
        c, p = self.code_s != 0, self.phase_s != 0
        return np.where(c & p, "code+phase", np.where(c, "code", "phase"))

    @property
    def millisecond(self) -> np.ndarray:
        """The jump is a whole number of milliseconds (within 1 microsecond)."""
        ms = self.size_s * 1e3
        return (np.abs(ms - np.round(ms)) < 1e-3) & (np.round(ms) != 0)


def _reference(ob, glo_channels):
    """Per row: the first column with code and phase, its wavelength and the values."""
    both = np.isfinite(ob.code_m) & np.isfinite(ob.phase_cyc)
    col = np.argmax(both, axis=1)
    ok = both[np.arange(len(ob)), col]
    r = np.arange(len(ob))
    lam = C_LIGHT / ob.frequency_hz(glo_channels)[r, col]
    return ok, ob.code_m[r, col], ob.phase_cyc[r, col] * lam, ob.doppler_hz[r, col], lam


def _epoch_votes(values, epoch, n_epochs, min_jump):
    """Median per epoch and whether enough satellites agree with it."""
    ok = np.isfinite(values)
    med = group_median(values, epoch, n_epochs)
    tol = np.maximum(0.1 * np.abs(med), 0.5 * min_jump)
    agree = ok & (np.abs(values - med[epoch]) < tol[epoch])
    n = np.bincount(epoch[agree], minlength=n_epochs)
    return np.nan_to_num(med), n


def detect_clock_jumps(ob, glo_channels=None, options: ClockJumpOptions | None = None) -> ClockJumps:
    """Find receiver clock jumps (module docstring).

    Parameters
    ----------
    ob : Observables
    glo_channels : GlonassChannels, optional
        For the GLONASS FDMA wavelengths (channel 0 without them: 0.3 % of a range change).
    options : ClockJumpOptions or mapping, optional
        A mapping changes the named options of the defaults.

    Returns
    -------
    ClockJumps
    """
    require_observables(ob, "detect_clock_jumps")
    opt = ClockJumpOptions.of(options)
    n_ep = ob.epoch_time_ns.size
    ok, p, l_m, dop, lam = _reference(ob, glo_channels)
    t = np.unique(ob.epoch_time_ns)
    dt0 = float(np.median(np.diff(t))) * 1e-9 if t.size > 1 else 30.0
    s = Series.build(ob.sat, ob.time_ns, ok, default_max_gap_s(dt0))
    rows = s.rows
    dt = s.t_s - s.shift(s.t_s, -1)
    dp = p[rows] - s.shift(p[rows], -1)
    dl = l_m[rows] - s.shift(l_m[rows], -1)
    dmean = 0.5 * (dop[rows] + s.shift(dop[rows], -1))
    ep = ob.epoch[rows]
    rng = -lam[rows] * dmean * dt
    y = (dp - rng) / C_LIGHT
    z = (dl - rng) / C_LIGHT
    vote = lambda v, m: _epoch_votes(v, ep, n_ep, m)  # noqa: E731
    have_dop = np.bincount(ep[np.isfinite(y)], minlength=n_ep) >= opt.min_sats
    jc, nc = vote(y, opt.min_jump_s)
    jp, np_ = vote(z, opt.min_jump_s)
    # no Doppler: second differences of code and phase, each jump read from its +J, -J pattern; only of
    # equally spaced epochs (across a missing epoch the range rate times the extra time is no jump: three
    # satellites agreed on a false one on ESBC's day without Doppler and nine epochs left out)
    thr2 = opt.min_jump_s + 2 * _ACCEL_MPS2 * dt0**2 / C_LIGHT
    even = np.abs(dt - s.shift(dt, -1)) < 1e-3
    c2, nc2 = vote(np.where(even, dp - s.shift(dp, -1), np.nan) / C_LIGHT, thr2)
    p2, np2 = vote(np.where(even, dl - s.shift(dl, -1), np.nan) / C_LIGHT, thr2)
    jc = np.where(have_dop, jc, _jumps_from_second_differences(c2, thr2))
    jp = np.where(have_dop, jp, _jumps_from_second_differences(p2, thr2))
    nc = np.where(have_dop, nc, nc2)
    np_ = np.where(have_dop, np_, np2)
    thr = np.where(have_dop, opt.min_jump_s, thr2)
    code_j = (np.abs(jc) > thr) & (nc >= opt.min_sats)
    phase_j = (np.abs(jp) > thr) & (np_ >= opt.min_sats)
    e = np.flatnonzero(code_j | phase_j)
    jc, jp = _snap_ms(jc), _snap_ms(jp)
    return ClockJumps(
        epoch=e.astype(np.int64),
        time_ns=ob.epoch_time_ns[e],
        code_s=np.where(code_j[e], jc[e], 0.0),
        phase_s=np.where(phase_j[e], jp[e], 0.0),
        n_sats=np.maximum(np.where(code_j[e], nc[e], 0), np.where(phase_j[e], np_[e], 0)).astype(np.int64),
    )


_RUN_GAP = 10
"""Largest step between flagged epochs of one group of overlapping jumps
(:func:`_jumps_from_second_differences`): equal jumps in k consecutive epochs leave k - 1 epochs of zero
second difference between +J and -J."""


def _snap_ms(j):
    """Jumps within 1 microsecond of whole milliseconds are whole milliseconds (a receiver reset is
    exact; the median of the satellites carries the code noise, ~1 ns)."""
    ms = np.round(j * 1e3)
    return np.where((np.abs(j * 1e3 - ms) < 1e-3) & (ms != 0), ms * 1e-3, j)


def _jumps_from_second_differences(med, thr):
    """Jumps per epoch from the median second differences ``med`` (s) of code or phase.

    A jump J at epoch e steps the first differences at e only, so the second differences read +J at e and
    -J at e+1 (the echo): that echo is dropped. Jumps in nearby epochs overlap: J1 at e and J2 at e+1 read
    J1, J2 - J1, -J2. Where the second differences above ``thr`` of a group of nearby epochs (at most
    ``_RUN_GAP`` apart) sum to zero within ``thr``, their running sum is the jump of each epoch (J1, J2,
    0). A group that does not close (a change of clock rate, not a jump) keeps the echo rule.
    """
    out = med.copy()
    big = np.abs(med) > thr
    echo = np.zeros_like(big)
    echo[1:] = big[:-1] & big[1:] & (np.abs(med[1:] + med[:-1]) < 0.2 * np.abs(med[:-1]))
    out[echo] = 0.0
    idx = np.flatnonzero(big)
    cuts = np.flatnonzero(np.diff(idx) > _RUN_GAP) + 1
    for group in np.split(idx, cuts):  # a loop over groups of flagged epochs (a few per jump)
        if group.size < 2:  # a lone value: a jump whose echo was not seen, or a change of rate
            continue
        a, b = group[0], group[-1] + 1
        run = np.cumsum(np.where(big[a:b], med[a:b], 0.0))
        if abs(run[-1]) <= thr:
            out[a:b] = np.where(np.abs(run) > thr, run, 0.0)
    return out


def repair_clock_jumps(ob, jumps: ClockJumps, glo_channels=None):
    """Observables with the accumulated jumps removed from code (m) and phase (cycles) (module docstring).

    ``glo_channels`` gives the GLONASS FDMA frequencies: a phase jump is ``f J`` cycles, so channel 0
    would leave up to ``7 x 0.5625 MHz x J`` cycles (3937 for 1 ms) on a GLONASS G1 phase.
    """
    require_observables(ob, "repair_clock_jumps")
    if len(jumps) == 0:
        return ob
    n_ep = ob.epoch_time_ns.size
    jc = np.zeros(n_ep)
    jp = np.zeros(n_ep)
    np.add.at(jc, jumps.epoch, jumps.code_s)
    np.add.at(jp, jumps.epoch, jumps.phase_s)
    cum_c, cum_p = np.cumsum(jc)[ob.epoch], np.cumsum(jp)[ob.epoch]
    f = ob.frequency_hz(glo_channels)
    return dataclasses.replace(
        ob,
        code_m=ob.code_m - C_LIGHT * cum_c[:, None],
        phase_cyc=ob.phase_cyc - np.nan_to_num(f) * cum_p[:, None],
    )
