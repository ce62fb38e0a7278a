"""Precise orbits and clocks (SP3 + RINEX clock) behind the :class:`~kompas.products.state.SatState` protocol.

Orbits
    Lagrange interpolation of the SP3 centre-of-mass positions with ``order`` samples (degree
    ``order - 1``; 11 samples, degree 10, by default), on a window centred on the query time and
    shifted inwards at the ends of the data. With ``interp_frame="inertial"`` (the default) each
    sample is first rotated about the z axis by the Earth rotation angle between its epoch and the
    query instant (the ECEF axes frozen at the query time, a quasi-inertial frame), which removes
    the Earth-rotation part of the ECEF motion that a polynomial follows less well; the rotation is
    the identity at the query instant, so nodes are reproduced exactly. This is the "correction for
    earth rotation" of RTKLIB's ``peph.c``. With ``interp_frame="ecef"`` the ECEF coordinates are
    interpolated as they are (then a polynomial trajectory in ECEF is reproduced exactly). Velocity
    is the analytic derivative of the same polynomial, turned back to ECEF velocity with
    v_ecef = v - omega x r in the inertial case. Measured on CODE's 5-min MGEX final orbit of
    2020-06-25 thinned to 10 min (leave-one-out, tests/reference/test_precise_real.py): 1.4-1.7 mm
    RMS per system, at the level of the 1 mm SP3 resolution; on 15-min spacing both frames give
    about 1.7 mm RMS for GPS with 11 samples, but the inertial frame is markedly better with fewer
    samples (1.9 versus 4.6 mm with 9) or sparser data. Near the ends of the data, where the window
    cannot be centred, errors grow: on the same 10-min data 5-7 mm RMS (12 mm max) in the first and
    last intervals, and beyond the last epoch about 9 cm RMS half an interval out and 0.45 m RMS
    (0.9 m max) a whole interval out (an 11-sample extrapolation amplifies errors up to 2047 times);
    on 15-min data the eccentric Galileo E18 reached 1.3 m in the first interval. GRG's 15-min final
    orbits of 2020-06-24 extrapolated beyond their last epoch (23:45), against the same file merged
    with the next day's: GPS 0.06 m RMS (0.5 m max) in the first half interval and 0.38 m (3.1 m max)
    in the second, GLONASS 0.04 / 0.26 m, Galileo 0.10 / 0.71 m; a PPP run that reaches there says so
    (:meth:`kompas.products.mix.PreciseMix.extrapolation_notes`). Merge the neighbouring days' files
    when they exist; ``var_m2`` does not reflect this (an extrapolation-error variance was tried in
    PPP: with every satellite extrapolated at once, at the end of a day, it made the kinematic
    positions worse, 8.7 / 5.4 / 7.1 cm RMS E/N/U against 4.9 / 4.3 / 8.3 cm, ESBC 23:45-24:00).
Clocks
    Linear interpolation between the two neighbouring samples of the RINEX clock product when one
    is given, else of the SP3 clocks; the clock rate comes from the same two samples. Up to
    :data:`CLOCK_EDGE_S` before the first or after the last sample the first or last two samples are
    extrapolated: a signal received at the first epoch of a day left the satellite 0.07-0.14 s before it,
    and a day's clock file starts at that epoch (RTKLIB extrapolates clocks up to 900 s, ``MAXDTE``).
    Clock values are those of the file, referred to its time system
    (:attr:`PreciseProduct.clock_time_system`).
    The sampling interval of a clock product is the most frequent spacing of its ``AS`` epochs
    (all satellites together); a product mixing rates (e.g. some satellites at 30 s, others at
    5 min) therefore refuses the sparser satellites between their samples (conservative). The SP3
    spacing is the smallest difference of its epochs (the header interval only for one epoch).
Status rules (rows with a non-OK status are NaN)
    * ``NO_PRECISE`` when the satellite is not in the product; when the query is more than one SP3
      interval before the first or after the last epoch (no further extrapolation); when the
      interpolation window holds a missing (NaN) position; when the two clock samples around the
      query are missing or farther apart than the product's sampling interval (a gap), or the query
      lies more than :data:`CLOCK_EDGE_S` outside the clock samples. A query exactly at a clock sample
      uses the sample itself.
    * :meth:`PreciseProduct.state` needs both orbit and clock; :meth:`PreciseProduct.orbit` and
      :meth:`PreciseProduct.clock` give each on its own.
Several files
    Consecutive SP3 (or clock) files are merged onto one epoch grid. Epochs present in several files
    (midnight) keep the first file's value (files sorted by their first epoch); those values should
    agree, and a position or clock (times c) difference above 1 m draws a
    :class:`~kompas.errors.KompasWarning` (:mod:`kompas.products._merge`). Files with different epoch
    spacing or time systems are refused. Files of different analysis centres belong in a
    :class:`~kompas.products.mix.PreciseMix`, one centre per system: their clock datums differ.
Time arguments
    Instants are ``t_gpst_ns + offset_s``: ``dt`` is formed from exact int64 nanosecond differences
    first, then the float seconds ``offset_s`` are added.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..constants import C_LIGHT, OMEGA_EARTH_IERS
from ..errors import ConfigError, KompasError, KompasWarning, SignalError, caller_stacklevel
from ..io.detect import check_products
from ..models.attitude import nominal_yaw_frame, satellite_attitude, sun_position_ecef
from ..models.combinations import if_coefficients
from ..satsys import ratio_band_frequency, sat_id
from ._merge import MERGE_TOL_M, grid_interval_ns, merge_clock_series, merge_grids, mode_interval_ns
from .state import SatState, Status, as_query

__all__ = ["PreciseProduct", "ApcOffsets", "antenna_model", "CLOCK_EDGE_S", "as_list"]

CLOCK_EDGE_S = 1.0
"""Longest linear extrapolation of a clock beyond the first or last sample, s: it covers the signal travel
time (at most 0.15 s) and receiver clock offsets (ms). Over 1 s the straight line through two samples
30 s apart should be off by about 1e-12 s (0.3 mm), an estimate from a satellite clock stability of 1e-12
at 1 s and the samples' ~0.02 ns noise spread over 30 s (not measured: the products hold no sample
between)."""

_NS = 1_000_000_000
_CHUNK = 32768  # queries per interpolation block (bounds the (order, chunk, 3) temporaries)


# ----------------------------------------------------------------------------------------------
# Merging


def as_list(x) -> list:
    """One product or several as a list: ``None`` -> ``[]``, a list or tuple -> a list, else ``[x]``."""
    if x is None:
        return []
    return list(x) if isinstance(x, list | tuple) else [x]


# ----------------------------------------------------------------------------------------------
# Lagrange weights


def _lagrange_weights(u: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Lagrange basis on nodes 0..n-1 and its derivative at points ``u`` (in node spacings).

    Returns ``(w, dw)`` of shape ``(n, m)``. The numerators prod_{j != k} (u - j) are built from
    prefix and suffix products (with their derivatives by the product rule), so ``u`` on a node
    needs no division and gives weights exactly 1 and 0.
    """
    m = u.size
    d = u[None, :] - np.arange(n, dtype=np.float64)[:, None]  # (n, m)
    left = np.ones((n, m))
    dleft = np.zeros((n, m))
    for k in range(1, n):
        left[k] = left[k - 1] * d[k - 1]
        dleft[k] = dleft[k - 1] * d[k - 1] + left[k - 1]
    right = np.ones((n, m))
    dright = np.zeros((n, m))
    for k in range(n - 2, -1, -1):
        right[k] = right[k + 1] * d[k + 1]
        dright[k] = dright[k + 1] * d[k + 1] + right[k + 1]
    # prod_{j != k} (k - j) = (-1)^(n-1-k) k! (n-1-k)!
    denom = np.array(
        [(-1.0) ** (n - 1 - k) * math.factorial(k) * math.factorial(n - 1 - k) for k in range(n)]
    )
    inv = (1.0 / denom)[:, None]
    return left * right * inv, (dleft * right + left * dright) * inv


@dataclass(frozen=True, eq=False)
class ApcOffsets:
    """Per-query result of :meth:`PreciseProduct.apc`.

    Attributes
    ----------
    offset_m : numpy.ndarray, shape (N, 3)
        ECEF vector from the centre of mass to the antenna phase centre, m (NaN rows: unknown).
    source : numpy.ndarray of str, shape (N,)
        ``"ANTEX"`` (IGS calibration of the satellite), ``"NOMINAL"`` (block-level nominal value of
        the satellite catalog, for satellites the ANTEX file lacks), ``"SIM"`` (a zero offset: the
        product is :mod:`kompas.sim`'s truth, whose positions are the phase centres) or ``""`` (no
        offset known).
    yaw_rad : numpy.ndarray, shape (N,)
        Yaw angle of the attitude used, rad (NaN with the nominal-only frame or unknown rows).
    """

    offset_m: np.ndarray
    source: np.ndarray
    yaw_rad: np.ndarray


# ----------------------------------------------------------------------------------------------
# The product


_PCV_MODEL = re.compile(r"IGS(05|08|14|20|R3)", re.IGNORECASE)


def antenna_model(sp3_files, clk_files=()) -> str:
    """The IGS antenna model (``"IGS14"``, ``"IGS20"``...) that precise orbits and clocks are aligned with.

    An analysis centre estimates its satellite clocks with the satellite antenna offsets of one ANTEX
    model, and a user must apply the same offsets (Kouba 2015, "A guide to using International GNSS Service
    (IGS) products"; Schmid et al. 2007, J. Geod. 81:781-798).
    The clock files name it in ``SYS / PCVS APPLIED`` (``igs14_2108.atx``), the SP3 files in the
    ``/* PCV:IGS14_2108 ...`` comment line of the IGS and MGEX products; the clock files win.

    Returns
    -------
    str
        ``"IGS" + two characters`` (upper case), or ``""`` when no file names a model.
    """
    texts = [" ".join(v) for c in clk_files for v in getattr(c, "pcvs_applied", {}).values()]
    texts += [c.split("PCV:", 1)[1] for f in sp3_files for c in getattr(f, "comments", ()) if "PCV:" in c]
    for text in texts:
        m = _PCV_MODEL.search(text)
        if m:
            return "IGS" + m.group(1).upper()
    return ""


def _without_flagged(files) -> tuple[list, list]:
    """Positions and clocks of SP3 files without the samples flagged as a maneuver (M, the satellite was
    maneuvered since the previous epoch) or a clock event (E, a discontinuity): no interpolation window
    spans them, so no precise state is made across them (SP3-d, epoch records columns 75 and 79)."""
    pos, clks, n_man, n_evt = [], [], 0, 0
    for f in files:
        man = np.asarray(f.maneuver, dtype=bool)
        evt = np.asarray(f.clk_event, dtype=bool)
        if man.shape != f.clk_s.shape or evt.shape != f.clk_s.shape:
            raise ConfigError(f"SP3 flags of shape {man.shape} for {f.clk_s.shape} epochs x satellites")
        n_man, n_evt = n_man + int(man.sum()), n_evt + int(evt.sum())
        pos.append(np.where(man[..., None], np.nan, f.pos_m))
        clks.append(np.where(evt, np.nan, f.clk_s))
    if n_man or n_evt:
        warnings.warn(
            KompasWarning(
                f"the SP3 files flag {n_man} maneuver and {n_evt} clock-event samples: no precise orbit or "
                "clock is interpolated across them (broadcast states serve those instants where given)"
            ),
            stacklevel=caller_stacklevel(),
        )
    return pos, clks


def _warn_disagreement(what: str, pos_m, clk_s) -> None:
    """Warn where merged files give a cell twice with values more than MERGE_TOL_M apart."""
    worst = {"positions": pos_m, "clocks": C_LIGHT * np.asarray(clk_s)}
    bad = {k: float(v.max()) for k, v in worst.items() if v.size and v.max() > MERGE_TOL_M}
    if bad:
        parts = ", ".join(f"{k} by up to {v:.3f} m" for k, v in bad.items())
        warnings.warn(
            KompasWarning(
                f"merged {what} disagree at common epochs: {parts} (the earlier file's values are kept; "
                "clocks of different analysis centres have different datums: serve each system from one "
                "centre, kompas.products.mix.PreciseMix)"
            ),
            stacklevel=caller_stacklevel(),
        )


class PreciseProduct:
    """Satellite states interpolated from SP3 orbits and RINEX clock (or SP3) clocks.

    Parameters
    ----------
    sp3 : Sp3 or list of Sp3
        One or several SP3 files (:func:`kompas.io.readers.sp3.read_sp3`), e.g. consecutive days; they
        are merged (see the module docstring). Positions are of the centre of mass.
    clk : ClockData or list of ClockData, optional
        RINEX clock products (:func:`kompas.io.readers.clk.read_clk`); their ``AS`` records give the
        clocks. Without it the SP3 clocks are used. Satellites of the SP3 files that the clock
        product lacks have no clock (``NO_PRECISE`` in :meth:`state`): clocks of two products
        are never mixed.
    order : int
        Number of samples of the interpolating polynomial (degree ``order - 1``); 11 by default.
        At least 11 is advised for 15-min products (fewer samples lose accuracy); 2..25 accepted.
    interp_frame : {"inertial", "ecef"}
        Frame in which positions are interpolated (see the module docstring); ``"inertial"``
        (Earth rotation removed, as RTKLIB does) by default.
    sp3_clocks : bool
        With ``clk``: let the SP3 clocks of the same centre and time system serve before and after the
        clock file's samples (RTKLIB ``pephclk``); False by default (:class:`kompas.products.mix.PreciseMix`
        sets it where the clock file's centre gave its own SP3 files).

    Raises
    ------
    ConfigError
        For an order outside 2..25 or an unknown ``interp_frame``.
    KompasError
        For files with different epoch spacing or time systems, epochs off a common grid, or fewer
        epochs than ``order``.

    Attributes
    ----------
    time_ns : (E,) int64
        SP3 epoch grid, GPST ns (missing epochs of merged files are NaN rows).
    sats : (S,) int16
        Satellites with SP3 positions.
    interval_s : float
        SP3 epoch spacing, s.
    clock_interval_s : float
        Sampling interval of the clock source, s (gap threshold).
    clock_source : str
        ``"clk"`` or ``"sp3"``.
    time_system, clock_time_system : str
        Time system of the SP3 files and of the clock source (clock values refer to it).
    order : int
    interp_frame : str
    antenna_model : str
        The IGS antenna model the products are aligned with (:func:`antenna_model`), ``""`` if unnamed.
    phase_centres : bool
        The positions are the antenna phase centres, not the centres of mass: every file is
        :mod:`kompas.sim`'s truth (:attr:`kompas.io.readers.sp3.Sp3.simulated`); PPP's model then applies
        no satellite antenna offset to them, and :meth:`apc` gives zero offsets (source ``"SIM"``).
    """

    def __init__(
        self, sp3, clk=None, order: int = 11, interp_frame: str = "inertial", sp3_clocks: bool = False
    ):
        if isinstance(order, bool) or not isinstance(order, int | np.integer) or not 2 <= int(order) <= 25:
            raise ConfigError(f"order must be an integer number of samples in 2..25, got {order!r}")
        if interp_frame not in ("inertial", "ecef"):
            raise ConfigError(f"interp_frame must be 'inertial' or 'ecef', got {interp_frame!r}")
        self.order = int(order)
        self.interp_frame = interp_frame
        self._omega = OMEGA_EARTH_IERS if interp_frame == "inertial" else 0.0
        check_products(sp3=sp3, clk=clk)
        files = sorted(as_list(sp3), key=lambda f: int(f.time_ns[0]) if len(f.time_ns) else 2**62)
        files = [f for f in files if len(f.time_ns)]
        if not files:
            raise KompasError("no SP3 epochs to interpolate")
        systems = {f.time_system for f in files}
        if len(systems) > 1:
            raise KompasError(f"SP3 files in different time systems {sorted(systems)}; cannot merge")
        self.time_system = files[0].time_system
        intervals = [grid_interval_ns(f.time_ns, f.interval_s, "SP3") for f in files]
        times = [f.time_ns for f in files]
        fsats = [f.sats for f in files]
        pos, clks = _without_flagged(files)
        t, sats, pos_grid, h, diffs = merge_grids(times, fsats, pos, intervals, "SP3")
        _, _, clk_grid, _, cdiffs = merge_grids(times, fsats, clks, intervals, "SP3")
        _warn_disagreement("SP3 files", diffs, cdiffs)
        if t.size < self.order:
            raise KompasError(f"{t.size} SP3 epochs, fewer than the {self.order} interpolation samples")
        self.time_ns = t
        self.sats = sats
        self._h_ns = h
        self.interval_s = h / _NS
        # positions (S, E, 3) contiguous per satellite; NaN count prefix sums for O(1) window checks
        self._pos = pos_grid
        bad = np.isnan(self._pos).any(-1)
        self._bad_cum = np.concatenate([np.zeros((sats.size, 1), np.int64), np.cumsum(bad, axis=1)], axis=1)
        acc = np.full(sats.size, np.nan)
        for f in files:
            a = np.asarray(f.accuracy_m, dtype=np.float64)
            cols = np.searchsorted(sats, f.sats)
            acc[cols] = np.fmax(acc[cols], a)  # the worst stated accuracy of the files
        self._var = acc**2

        if clk is None:
            self.clock_source = "sp3"
            self.clock_time_system = self.time_system
            self._clk_t = t
            self._clk_sats = sats
            self._clk = clk_grid
            self._clk_h = h
        else:
            self.clock_source = "clk"
            cfiles = [c for c in as_list(clk) if np.any(c.kind == "AS")]
            if not cfiles:
                raise KompasError("the clock product has no satellite (AS) records")
            csys = {c.time_system for c in cfiles}
            if len(csys) > 1:
                raise KompasError(f"clock files in different time systems {sorted(csys)}; cannot merge")
            self.clock_time_system = cfiles[0].time_system
            dense = sorted((c.satellite_clocks() for c in cfiles), key=lambda x: int(x[0][0]))
            ints = [mode_interval_ns(d[0]) for d in dense]
            if any(x != ints[0] for x in ints):
                raise KompasError(f"clock files with different sampling intervals {sorted(set(ints))} ns")
            ct, cs, cv, cdiffs = merge_clock_series(dense)
            _warn_disagreement("clock files", np.zeros(0), cdiffs)
            self._clk_t, self._clk_sats, self._clk, self._clk_h = ct, cs, cv, ints[0]
        self.clock_interval_s = self._clk_h / _NS
        # before and after the clock file's samples, the SP3 clocks of the same centre (RTKLIB pephclk);
        # not across time systems, nor for a clock file of another centre (another clock datum)
        self._sp3_clk = None
        if sp3_clocks and clk is not None and self.clock_time_system == self.time_system:
            self._sp3_clk = (t, sats, clk_grid, h)
        self.antenna_model = antenna_model(files, as_list(clk))
        self.phase_centres = all(f.simulated for f in files)

    def __repr__(self) -> str:
        return (
            f"PreciseProduct({self.time_ns.size} epochs x {self.sats.size} satellites at "
            f"{self.interval_s:g} s, order={self.order}, {self.interp_frame}, clocks from "
            f"{self.clock_source} at {self.clock_interval_s:g} s)"
        )

    # ------------------------------------------------------------------------------------------
    # Orbits

    def orbit(self, sats, t_gpst_ns, offset_s=0.0) -> SatState:
        """Interpolated centre-of-mass positions and velocities; clocks left NaN.

        Parameters
        ----------
        sats : array_like of int or str, shape (N,)
            Satellite indices or ids.
        t_gpst_ns : array_like of int64, shape (N,)
            Instants, GPST ns.
        offset_s : array_like of float, shape (N,)
            Added to ``t_gpst_ns``, s. The three arguments broadcast together.

        Returns
        -------
        SatState
            ``pos_m`` (N, 3) m and ``vel_mps`` (N, 3) m/s, ECEF of the SP3 frame; ``clk_s`` and
            ``clk_rate`` NaN; ``var_m2`` the squared SP3 header accuracy (orbit only, NaN when the
            header gives none); status OK or NO_PRECISE (see the module docstring).
        """
        s, t, o = as_query(sats, t_gpst_ns, offset_s)
        pos, vel, ok = self._orbit(s, t, o)
        out = SatState.empty(s.size)
        out.status[:] = np.where(ok, Status.OK, Status.NO_PRECISE)
        out.pos_m[ok] = pos[ok]
        out.vel_mps[ok] = vel[ok]
        j = self._col(self.sats, s)
        out.var_m2[ok] = self._var[j[ok]]
        return out

    @staticmethod
    def _col(sats: np.ndarray, s: np.ndarray) -> np.ndarray:
        """Column of each query satellite in ``sats`` (sorted), -1 when absent."""
        j = np.searchsorted(sats, s)
        jc = np.minimum(j, max(sats.size - 1, 0))
        return np.where((sats.size > 0) & (sats[jc] == s), jc, -1)

    def _orbit(self, s, t, o):
        n_q = s.size
        n = self.order
        n_ep = self.time_ns.size
        h_s = self.interval_s
        pos = np.full((n_q, 3), np.nan)
        vel = np.full((n_q, 3), np.nan)
        j = self._col(self.sats, s)
        rel_ns = t - self.time_ns[0]  # exact int64
        x = (rel_ns * 1e-9 + o) / h_s  # position on the grid in epochs (for window choice only)
        ok = (j >= 0) & np.isfinite(x) & (x >= -1.0) & (x <= n_ep)  # at most one interval outside
        start = np.clip(np.rint(np.where(ok, x, 0.0) - (n - 1) / 2.0), 0, n_ep - n).astype(np.int64)
        jj = np.maximum(j, 0)
        ok &= self._bad_cum[jj, start + n] == self._bad_cum[jj, start]
        rows = np.flatnonzero(ok)
        offs = np.arange(n, dtype=np.int64)[:, None]
        for a in range(0, rows.size, _CHUNK):
            r = rows[a : a + _CHUNK]
            st = start[r]
            # query time from the first window node, s: exact int64 ns difference, then the offset
            dt0 = (rel_ns[r] - st * self._h_ns) * 1e-9 + o[r]
            u = dt0 / h_s
            y = self._pos[jj[r][None, :], st[None, :] + offs]  # (n, m, 3)
            if self._omega:
                # rotate sample k into the ECEF axes of the query instant: angle omega (t_q - t_k)
                th = self._omega * (dt0[None, :] - h_s * offs)
                c, sn = np.cos(th), np.sin(th)
                yr = np.empty_like(y)
                yr[..., 0] = c * y[..., 0] + sn * y[..., 1]
                yr[..., 1] = -sn * y[..., 0] + c * y[..., 1]
                yr[..., 2] = y[..., 2]
            else:
                yr = y
            ref = yr[n // 2].copy()
            yr -= ref  # small differences keep the weighted sums precise
            w, dw = _lagrange_weights(u, n)
            p = ref + np.einsum("km,kmc->mc", w, yr)
            v = np.einsum("km,kmc->mc", dw, yr) / h_s
            # quasi-inertial velocity -> ECEF velocity: v_ecef = v - omega x r
            v[:, 0] += self._omega * p[:, 1]
            v[:, 1] -= self._omega * p[:, 0]
            pos[r] = p
            vel[r] = v
        return pos, vel, ok

    # ------------------------------------------------------------------------------------------
    # Clocks

    def clock(self, sats, t_gpst_ns, offset_s=0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Linearly interpolated satellite clocks.

        Parameters
        ----------
        sats, t_gpst_ns, offset_s
            As in :meth:`orbit`.

        Returns
        -------
        clk_s : (N,) float64
            Clock bias, s (time system :attr:`clock_time_system`); NaN where not available.
        clk_rate : (N,) float64
            Clock rate from the same two samples, s/s.
        status : (N,) uint8
            OK or NO_PRECISE (missing sample, gap longer than :attr:`clock_interval_s`, outside
            the samples, or satellite absent).
        """
        s, t, o = as_query(sats, t_gpst_ns, offset_s)
        clk, rate, ok = self._clock(s, t, o)
        return clk, rate, np.where(ok, Status.OK, Status.NO_PRECISE).astype(np.uint8)

    def _clock(self, s, t, o):
        grid = (self._clk_t, self._clk_sats, self._clk, self._clk_h)
        clk, rate, ok, beyond = self._clock_of(grid, s, t, o)
        r = np.flatnonzero(beyond & ~ok) if self._sp3_clk is not None else ()
        if len(r):
            clk[r], rate[r], ok[r], _ = self._clock_of(self._sp3_clk, s[r], t[r], o[r])
        return clk, rate, ok

    @property
    def sp3_clocks(self) -> bool:
        """The SP3 clocks serve before and after the clock file's samples (same centre, same time system)."""
        return self._sp3_clk is not None

    def clock_span_ns(self) -> tuple[int, int] | None:
        """First and last clock sample, GPST ns (None without two)."""
        return (int(self._clk_t[0]), int(self._clk_t[-1])) if self._clk_t.size >= 2 else None

    def _clock_of(self, grid, s, t, o):
        """Linear interpolation of one clock grid ``(times, sats, values, interval)`` (see :meth:`clock`):
        clocks, rates, which are valid, and which queries lie beyond the grid's span (with its edges)."""
        n_q = s.size
        ct, sats, cv, hc = grid
        clk = np.full(n_q, np.nan)
        rate = np.full(n_q, np.nan)
        j = self._col(sats, s)
        with np.errstate(invalid="ignore"):
            tq = t + np.rint(np.where(np.isfinite(o), o, 0.0) * 1e9).astype(np.int64)  # index search only
        edge = round(CLOCK_EDGE_S * 1e9)
        beyond = (tq < ct[0] - edge) | (tq > ct[-1] + edge) if ct.size else np.ones(n_q, bool)
        if ct.size < 2:
            return clk, rate, np.zeros(n_q, bool), beyond
        i = np.searchsorted(ct, tq, side="right") - 1
        before, after = (i < 0) & (tq >= ct[0] - edge), (i == ct.size - 1) & (tq <= ct[-1] + edge)
        inside = (j >= 0) & np.isfinite(o) & (((i >= 0) & (i < ct.size - 1)) | before | after)
        i = np.where(before, 0, i)
        jj = np.maximum(j, 0)

        def pair_ok(a):
            a = np.clip(a, 0, ct.size - 2)
            good = (ct[a + 1] - ct[a] <= hc) & np.isfinite(cv[jj, a]) & np.isfinite(cv[jj, a + 1])
            return a, good

        a, good = pair_ok(np.minimum(i, ct.size - 2))
        # on a sample whose following sample is missing, the preceding pair serves
        hit = tq == ct[np.clip(i, 0, ct.size - 1)]
        b, good_b = pair_ok(i - 1)
        use_b = ~good & hit & (i >= 1) & good_b
        a = np.where(use_b, b, a)
        ok = inside & (good | use_b)
        r = np.flatnonzero(ok)
        a = a[r]
        c0, c1 = cv[jj[r], a], cv[jj[r], a + 1]
        rate_r = (c1 - c0) / ((ct[a + 1] - ct[a]) * 1e-9)
        dt0 = (t[r] - ct[a]) * 1e-9 + o[r]
        dt1 = (t[r] - ct[a + 1]) * 1e-9 + o[r]
        # start from the nearer sample so a query on a sample returns it exactly
        near1 = np.abs(dt1) < np.abs(dt0)
        clk[r] = np.where(near1, c1 + rate_r * dt1, c0 + rate_r * dt0)
        rate[r] = rate_r
        return clk, rate, ok, beyond

    # ------------------------------------------------------------------------------------------
    # The protocol

    def state(self, sats, t_gpst_ns, offset_s=0.0) -> SatState:
        """Positions, velocities and clocks (the :class:`~kompas.products.state.SatelliteProduct` protocol).

        Parameters
        ----------
        sats : array_like of int or str, shape (N,)
            Satellite indices or ids.
        t_gpst_ns : array_like of int64, shape (N,), or GTime
            Instants, GPST ns (``datetime64`` is a ``TimeError``: :func:`kompas.time.from_datetime64`).
        offset_s : array_like of float, shape (N,)
            Added to ``t_gpst_ns``, s (e.g. minus the signal travel time).

        Returns
        -------
        SatState
            ``pos_m`` (N, 3) m and ``vel_mps`` (N, 3) m/s of the centre of mass (ECEF, SP3 frame),
            ``clk_s`` s and ``clk_rate`` s/s, ``var_m2`` the squared SP3 header orbit accuracy
            (m^2; NaN if not stated; clock error not included). Status OK only where both orbit
            and clock are available, else NO_PRECISE with NaN values.
        """
        s, t, o = as_query(sats, t_gpst_ns, offset_s)
        pos, vel, ok_o = self._orbit(s, t, o)
        clk, rate, ok_c = self._clock(s, t, o)
        ok = ok_o & ok_c
        out = SatState.empty(s.size)
        out.status[:] = np.where(ok, Status.OK, Status.NO_PRECISE)
        out.pos_m[ok] = pos[ok]
        out.vel_mps[ok] = vel[ok]
        out.clk_s[ok] = clk[ok]
        out.clk_rate[ok] = rate[ok]
        j = self._col(self.sats, s)
        out.var_m2[ok] = self._var[j[ok]]
        return out

    # ------------------------------------------------------------------------------------------
    # Antenna phase centre

    def apc_offset(self, sats, t_gpst_ns, antex, freq_codes, offset_s=0.0) -> np.ndarray:
        """ECEF vector from the centre of mass to the antenna phase centre, metres.

        The body-frame phase-centre offset of the ANTEX satellite block valid at each instant is
        rotated to ECEF with the nominal yaw-steering attitude
        (:func:`kompas.models.attitude.nominal_yaw_frame`, Sun from
        :func:`~kompas.models.attitude.sun_position_ecef`). For two frequencies the
        ionosphere-free combination PCO_IF = (f1^2 PCO1 - f2^2 PCO2) / (f1^2 - f2^2) is used.
        Add it to :meth:`state` positions to get APC positions comparable with broadcast orbits of
        GPS, Galileo, BeiDou and QZSS. Non-nominal attitude (eclipse seasons, BeiDou GEO and
        orbit-normal mode) is not modelled: only the x/y components are then wrong.

        Parameters
        ----------
        sats : array_like of int or str, shape (N,)
            Satellites.
        t_gpst_ns : array_like of int64, shape (N,)
            Instants, GPST ns.
        antex : Antex
            Satellite antenna calibrations (:func:`kompas.io.readers.antex.read_antex`).
        freq_codes : str, sequence of two str, or mapping
            ANTEX frequency code(s): ``"G01"``, ``("G01", "G02")`` for the ionosphere-free
            combination; codes without a system letter (``"01"``, ``("01", "02")``) take each
            satellite's own system; a mapping ``{"G": ("01", "02"), "C": ("02", "06"), ...}`` by
            system letter for mixed queries (systems not in it give NaN rows). For GLONASS FDMA
            bands 1/2 the combination uses the channel-free ratio f1/f2 = 9/7 (ICD GLONASS FDMA
            Ed. 5.1 sec. 3.3.1.4).
        offset_s : array_like of float, shape (N,)
            Added to ``t_gpst_ns``, s.

        Returns
        -------
        numpy.ndarray, shape (N, 3)
            CoM -> APC in ECEF, m. NaN rows where the satellite has no ANTEX block valid at the
            instant, the block lacks a requested frequency, or the orbit is not available.

        Raises
        ------
        ConfigError
            For a malformed code or a code with a system letter that differs from a satellite's.
        """
        s, t, o = as_query(sats, t_gpst_ns, offset_s)
        pco = self._pco_body(s, t, antex, freq_codes)  # (N, 3) body frame, NaN when unknown
        pos, _, ok = self._orbit(s, t, o)
        out = np.full((s.size, 3), np.nan)
        r = np.flatnonzero(ok & ~np.isnan(pco).any(-1))
        if r.size:
            t_eff = t[r] + np.rint(o[r] * 1e9).astype(np.int64)
            frame = nominal_yaw_frame(pos[r], sun_position_ecef(t_eff))
            out[r] = np.einsum("nkc,nk->nc", frame, pco[r])
        return out

    def apc(
        self,
        sats,
        t_gpst_ns,
        freq_codes,
        antex=None,
        catalog=None,
        attitude="model",
        offset_s=0.0,
        prefer="antex",
    ):
        """Centre-of-mass to antenna-phase-centre vectors with satellite metadata and attitude laws.

        The body-frame offset is the ANTEX one (ionosphere-free combination of ``freq_codes`` as in
        :meth:`apc_offset`) where ``antex`` has the satellite, else the catalog's block-level nominal
        offset (:attr:`kompas.tables.satellites.SatelliteInfo.nominal_pco_m`, already ionosphere-free;
        labelled ``"NOMINAL"``; for BeiDou-2 the conventional offsets of an igs08/igs14-aligned product,
        :attr:`antenna_model`), else unknown. The body frame is that of each satellite's attitude law
        (:func:`kompas.models.attitude.satellite_attitude`: eclipse and noon turns, BeiDou orbit-normal
        mode; law from the catalog) with ``attitude="model"``, or the nominal yaw-steering frame for
        every satellite with ``attitude="nominal"``.

        Parameters
        ----------
        sats, t_gpst_ns, offset_s
            As in :meth:`orbit`, shapes (N,).
        freq_codes : str, sequence or mapping
            ANTEX frequency codes (see :meth:`apc_offset`).
        antex : Antex, optional
        catalog : SatelliteCatalog, optional
            From :func:`kompas.io.readers.satmeta.read_satellite_catalog`: attitude laws and nominal
            offsets. Without it every satellite follows the nominal law and only ANTEX offsets exist.
        attitude : {"model", "nominal"}
        prefer : {"antex", "nominal"}
            Which offset wins where both exist. ``"nominal"`` takes the catalog's block values first: the
            GPSPACE values are those of the broadcast ephemerides' own reference point for most GPS
            blocks (BENCHMARKS.md), which IGS calibrations are not.

        Returns
        -------
        ApcOffsets
            With products that are :mod:`kompas.sim`'s truth (:attr:`phase_centres`) the offsets are
            zero wherever the orbit is known (source ``"SIM"``): their positions are the phase centres
            the simulated ranges were computed to, whatever ``antex`` and ``catalog`` say.
        """
        if attitude not in ("model", "nominal"):
            raise ConfigError(f"attitude must be 'model' or 'nominal', not {attitude!r}")
        if prefer not in ("antex", "nominal"):
            raise ConfigError(f"prefer must be 'antex' or 'nominal', not {prefer!r}")
        s, t, o = as_query(sats, t_gpst_ns, offset_s)
        n = s.size
        if self.phase_centres:
            ok = self._orbit(s, t, o)[2]
            off = np.where(ok[:, None], 0.0, np.nan)
            return ApcOffsets(off, np.where(ok, "SIM", "").astype("U7"), np.full(n, np.nan))
        pco = self._pco_body(s, t, antex, freq_codes) if antex is not None else np.full((n, 3), np.nan)
        source = np.where(np.isfinite(pco).all(-1), "ANTEX", "").astype("U7")
        info = catalog.for_antenna_model(self.antenna_model).lookup(s, t) if catalog is not None else None
        if info is not None:
            have_nom = np.isfinite(info.nominal_pco_m).all(-1)
            nom = have_nom & (~np.isfinite(pco).all(-1) | (prefer == "nominal"))
            pco[nom] = info.nominal_pco_m[nom]
            source[nom] = "NOMINAL"
        pos, vel, ok = self._orbit(s, t, o)
        out = np.full((n, 3), np.nan)
        yaw = np.full(n, np.nan)
        r = np.flatnonzero(ok & np.isfinite(pco).all(-1))
        source[~ok] = ""
        if r.size:
            t_eff = t[r] + np.rint(o[r] * 1e9).astype(np.int64)
            sun = sun_position_ecef(t_eff)
            if attitude == "model":
                law = info.law[r] if info is not None else np.zeros(r.size, np.int16)
                frame, yaw[r] = satellite_attitude(pos[r], vel[r], sun, law)
            else:
                frame = nominal_yaw_frame(pos[r], sun)
            out[r] = np.einsum("nkc,nk->nc", frame, pco[r])
        source[~np.isfinite(out).all(-1)] = ""
        return ApcOffsets(out, source, yaw)

    @staticmethod
    def _codes_for(letter: str, freq_codes) -> tuple[str, ...] | None:
        """The full ANTEX codes (``"G01"``...) asked for a system, or None if not asked."""
        if isinstance(freq_codes, Mapping):
            if letter not in freq_codes:
                return None
            spec = freq_codes[letter]
        else:
            spec = freq_codes
        codes = (spec,) if isinstance(spec, str) else tuple(spec)
        if not 1 <= len(codes) <= 2 or not all(isinstance(c, str) for c in codes):
            raise ConfigError(f"freq_codes must be one or two ANTEX codes, got {spec!r}")
        full = []
        for c in codes:
            c = c.strip().upper()
            if len(c) == 2 and c.isdigit():
                c = letter + c
            if len(c) != 3 or not c[1:].isdigit():
                raise ConfigError(f"invalid ANTEX frequency code {c!r} (expected e.g. 'G01' or '01')")
            if c[0] != letter:
                raise ConfigError(f"frequency code {c!r} asked for a satellite of system {letter!r}")
            full.append(c)
        return tuple(full)

    @classmethod
    def _if_coefficients(cls, codes: tuple[str, ...]) -> tuple[float, ...]:
        if len(codes) == 1:
            return (1.0,)
        letter = codes[0][0]
        f = []
        for c in codes:
            try:
                f.append(ratio_band_frequency(letter, str(int(c[1:]))))
            except KompasError as e:
                raise ConfigError(f"frequency code {c!r}: {e}") from None
        if f[0] == f[1]:
            raise ConfigError(f"codes {codes} have the same frequency; no ionosphere-free combination")
        a1, a2 = if_coefficients(f[0], f[1])
        return (float(a1), float(a2))

    def _pco_body(self, s, t, antex, freq_codes) -> np.ndarray:
        """Body-frame PCO (N, 3), m, of the ANTEX block valid at each query; NaN where unknown."""
        pco = np.full((s.size, 3), np.nan)
        order = np.argsort(s, kind="stable")
        uniq, first = np.unique(s[order], return_index=True)
        bounds = np.append(first, s.size)
        known = set(int(x) for x in antex.satellites())
        for k, sat in enumerate(uniq.tolist()):
            rows = order[bounds[k] : bounds[k + 1]]
            try:
                letter = str(sat_id(sat))[0]
            except SignalError:  # an index that is no satellite: NaN rows
                continue
            codes = self._codes_for(letter, freq_codes)
            if codes is None:
                continue
            # the codes are checked for every satellite asked, with an ANTEX block or not (NaN rows)
            coef = self._if_coefficients(codes)
            if sat not in known:
                continue
            todo = rows
            while todo.size:  # one pass per antenna block met (a PRN re-used by another satellite)
                try:
                    ant = antex.satellite(sat, int(t[todo[0]]))
                except KompasError:  # no block valid at that instant: NaN rows
                    tt = t[todo]
                    todo = todo[tt != tt[0]]
                    continue
                tt = t[todo]
                lo = -(2**63) if ant.valid_from_ns is None else ant.valid_from_ns
                hi = 2**63 - 1 if ant.valid_until_ns is None else ant.valid_until_ns
                inb = (tt >= lo) & (tt <= hi)
                if all(c in ant.freqs for c in codes):
                    pco[todo[inb]] = sum(
                        cf * np.asarray(ant.freqs[c].pco_m, dtype=np.float64)
                        for cf, c in zip(coef, codes, strict=True)
                    )
                todo = todo[~inb]
        return pco
