"""Precise products (SP3-d orbits and clocks, RINEX clock 3.04) written from the simulator's truth.

So that a precise-point-positioning closed loop can run on simulated data: the observations are
made from exactly the satellite states these files hold.

Conventions
    * Positions: the point the simulated ranges are measured to. The simulator has no satellite
      antenna offset, so this is the centre of mass and the antenna phase centre at once: a PPP run
      on these products must apply no satellite PCO/PCV. Earth-fixed frame of the simulation
      (WGS84/PZ-90/GTRF/CGCS2000 not distinguished), at the epoch of each record.
    * Clocks: the IGS convention (:func:`if_clock_offset_s`): the clock the ionosphere-free code
      combination of each system's pair in :data:`kompas.products.broadcast.IF_CLOCK_PAIRS` sees
      (GPS L1/L2 P(Y), Galileo E1/E5a, BeiDou B1I/B3I, QZSS L1 C/A-L2C, GLONASS P1/P2), i.e. the
      true clock of the broadcast reference signal (GPS L1/L2 P(Y), Galileo E1/E5b I/NAV, BeiDou B3I)
      minus that pair's combination of the simulated group delays
      (:meth:`kompas.sim.SimTruth.group_delay_s`); as IGS clocks, with the periodic relativistic term
      removed: ``clk = dt_if + 2 r.v / c^2``, so that a user adding ``-2 r.v / c^2`` (IERS
      Conventions 2010 eq. 10.17 as used by IGS) gets back ``dt_if``. Ionosphere-free PPP on these
      products needs no bias file, as on IGS products; OSBs of the simulated delays are the delays
      minus the pair's combination (codes) and minus that combination (phases).
    * Receiver clocks (``AR`` records) of the simulated receivers, with their true positions in
      ``SOLN STA NAME / NUM``.
    * Time system GPS; SP3 every ``sp3_interval_s`` and clocks every ``clk_interval_s`` on whole
      multiples of the interval, covering the span with a margin (6 SP3 intervals, at most 1 h; one
      clock interval).
"""

from __future__ import annotations

import numpy as np

from ..constants import C_LIGHT
from ..io.readers.sp3 import SIMULATED_MARK
from ..io.writers.clk import clk_from_arrays, write_clk
from ..io.writers.sp3 import sp3_from_arrays, write_sp3
from ..satsys import sat_id
from ..time import NS, gps_utc_offset_s

__all__ = ["write_products", "precise_clock_s", "if_clock_offset_s"]

_AGENCY = "KSM"  # the SP3 agency and the clock file's analysis centre: one centre (kompas.products.mix)
_COMMENTS = (
    f"{SIMULATED_MARK}: positions are the points the simulated ranges",
    "are measured to (no antenna offset: centre of mass = phase centre);",
    "clocks: ionosphere-free pairs as IGS, periodic relativity removed.",
)


def precise_clock_s(state) -> np.ndarray:
    """IGS-convention clock of satellite states: ``clk + 2 r.v / c^2`` (s)."""
    return state.clk_s + 2.0 * np.einsum("ij,ij->i", state.pos_m, state.vel_mps) / C_LIGHT**2


def if_clock_offset_s(truth, sats) -> np.ndarray:
    """Group delay of each satellite's ionosphere-free clock pair against its broadcast reference clock, s.

    With ``d_a``, ``d_b`` the delays of the pair's codes (:meth:`kompas.sim.SimTruth.group_delay_s`) and
    ``g = (f_a / f_b)^2``, the ionosphere-free code is late by ``(g d_a - d_b) / (g - 1)``: the IGS
    clock of the pair is the reference clock minus that (GPS: 0 for L1/L2 P(Y), the LNAV reference;
    BeiDou: ``g TGD1 / (g - 1)`` for B1I/B3I; Galileo: the E5a/E5b difference of the BGDs).
    """
    from ..products.broadcast import IF_CLOCK_PAIRS
    from ..satsys import band_frequency, sat_letter

    sats = np.asarray(sats, np.int64)
    out = np.zeros(sats.size)
    letters = sat_letter(sats)
    for x, (a, b) in IF_CLOCK_PAIRS.items():
        m = letters == x
        if not m.any() or x == "R":  # GLONASS: no simulated group delays
            continue
        g = (band_frequency(x, a[0]) / band_frequency(x, b[0])) ** 2
        da, db = truth.group_delay_s(sats[m], a), truth.group_delay_s(sats[m], b)
        out[m] = (g * da - db) / (g - 1.0)
    return out


def _grid(start_ns, end_ns, step_s, margin_s):
    step = round(step_s * NS)
    lo = (int(start_ns) - round(margin_s * NS)) // step * step
    hi = -(-(int(end_ns) + round(margin_s * NS)) // step) * step
    return np.arange(lo, hi + 1, step, dtype=np.int64)


def _states(truth, sats, t):
    s, tt = np.meshgrid(sats, t)
    st = truth.state(s.ravel(), tt.ravel())
    pos = np.where(st.ok[:, None], st.pos_m, np.nan).reshape(t.size, sats.size, 3)
    clk = np.where(st.ok, precise_clock_s(st), np.nan).reshape(t.size, sats.size)
    return pos, clk - if_clock_offset_s(truth, sats)[None, :]


def _check_request(truth, sats, start_ns: int, end_ns: int, sp3_interval_s, clk_interval_s, only_known=False):
    """ConfigError for an empty span, a non-positive interval or a satellite without a truth orbit at any
    SP3 epoch of the span (an SP3 of one epoch, a division by zero, an SP3 of missing positions)."""
    from ..errors import ConfigError

    if end_ns <= start_ns:
        raise ConfigError(f"write_products: end ({end_ns}) must be after start ({start_ns}), GPST ns")
    for name, step in (("sp3_interval_s", sp3_interval_s), ("clk_interval_s", clk_interval_s)):
        if not step > 0:
            raise ConfigError(f"write_products: {name} must be positive, not {step!r}")
    # an orbit somewhere in the span (a real navigation file's record may serve part of it only)
    t = _grid(start_ns, end_ns, sp3_interval_s, 0.0)
    s, tt = np.meshgrid(sats, t)
    known = truth.state(s.ravel(), tt.ravel()).ok.reshape(t.size, sats.size).any(axis=0)
    if only_known and known.any():
        return sats[known]
    if not known.all():
        raise ConfigError(
            f"write_products: the truth has no orbit of {', '.join(sat_id(sats[~known]))} in the span"
        )
    return sats


def write_products(
    truth,
    sats,
    start_ns: int,
    end_ns: int,
    *,
    sp3_path=None,
    clk_path=None,
    sp3_interval_s: float = 300.0,
    clk_interval_s: float = 30.0,
    receivers=(),
    only_known: bool = False,
    clk_version: float = 3.04,
    _now=None,
) -> dict:
    """Write SP3 and/or RINEX clock files of the truth over [start_ns, end_ns] (module docstring).

    Parameters
    ----------
    truth : SimTruth or BroadcastTruth
    sats : array_like of int16
        Satellites to write (e.g. the simulation layout's).
    start_ns, end_ns : int
        Span to cover, GPST ns.
    sp3_path, clk_path : path, optional
        Destinations; None skips that file.
    sp3_interval_s, clk_interval_s : float
        Sampling of the SP3 file (300 s) and of the clock file (30 s), s.
    receivers : iterable of ReceiverSim
        Receivers whose true clocks (``AR``) and positions go into the clock file.
    only_known : bool
        Leave out the satellites the truth has no orbit of in the span (a real navigation file's unhealthy
        satellites, or those without a record then) instead of refusing them.
    clk_version : {3.04, 3.0}
        RINEX clock version (:func:`kompas.io.writers.clk.write_clk`): 3.00 for RTKLIB 2.4.3.

    Returns
    -------
    dict
        What was written: paths, intervals, epochs and the conventions (for truth.json).
    """
    sats = np.unique(np.asarray(sats, np.int16))
    sats = _check_request(truth, sats, int(start_ns), int(end_ns), sp3_interval_s, clk_interval_s, only_known)
    out = {"frame": "simulation Earth-fixed frame", "time_system": "GPS", "convention": list(_COMMENTS)}
    if sp3_path is not None:
        t = _grid(start_ns, end_ns, sp3_interval_s, min(6 * sp3_interval_s, 3600.0))
        pos, clk = _states(truth, sats, t)
        write_sp3(sp3_from_arrays(t, sats, pos, clk, agency=_AGENCY, comments=_COMMENTS), sp3_path, _now=_now)
        out["sp3"] = {"path": str(sp3_path), "interval_s": sp3_interval_s, "epochs": int(t.size),
                      "satellites": int(sats.size)}  # fmt: skip
    if clk_path is not None:
        t = _grid(start_ns, end_ns, clk_interval_s, clk_interval_s)
        _write_clock_file(truth, sats, t, receivers, clk_path, clk_version, _now, int(start_ns))
        out["clk"] = {"path": str(clk_path), "interval_s": clk_interval_s, "epochs": int(t.size)}
    return out


def _write_clock_file(truth, sats, t, receivers, path, version: float, _now, start_ns: int) -> None:
    """The RINEX clock file of the truth at epochs ``t``: satellite clocks (AS) and receiver clocks (AR);
    the leap seconds of ``start_ns``."""
    _, clk = _states(truth, sats, t)
    ok = np.isfinite(clk)
    kinds, names, times, bias = (
        [np.full(int(ok.sum()), "AS")],
        [np.repeat(sat_id(sats)[None], t.size, 0)[ok]],
        [np.repeat(t, sats.size)[ok.ravel()]],
        [clk[ok]],
    )
    coords = {}
    for r in receivers:
        m = (t >= r.tags[0]) & (t <= r.tags[-1])
        kinds.append(np.full(int(m.sum()), "AR"))
        names.append(np.full(int(m.sum()), r.receiver.marker_name))
        times.append(t[m])
        bias.append(r.clock_at(t[m]))
        coords[r.receiver.marker_name] = r.receiver.ecef_m
    leap = int(gps_utc_offset_s(np.array([start_ns]))[0])
    c = clk_from_arrays(
        np.concatenate(kinds),
        np.concatenate(names),
        np.concatenate(times),
        np.concatenate(bias),
        station_coords=coords,
        agency=_AGENCY,
        prn_list=tuple(sat_id(sats).tolist()),
        comments=_COMMENTS,
        leap_seconds=leap,
    )
    write_clk(c, path, program="kompas.sim", version=version, _now=_now)
