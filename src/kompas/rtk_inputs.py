"""Rover and base observations paired for relative positioning (the measurement side of RTK).

Everything here is vectorised over all epochs of a processing window; the Kalman filter
(:mod:`kompas.estimators.rtk`) then walks the epochs one by one through O(1) row slices.

Steps:

1. :func:`shared_signals` chooses the bands both receivers observe with a carrier phase and, within a
   band, puts the tracking modes both receivers logged first (so that both sides use the same signal,
   whose receiver biases cancel in the single difference);
2. :func:`match_epochs` pairs every rover epoch with the base epoch of the same time tag (within a
   tolerance: receivers whose clocks are not steered tag epochs up to a millisecond apart; each side is
   modelled at its own reception time, so the pairing needs no interpolation), or, where the base has no
   such epoch (a 30-s base under a 1-s rover, a gap), with its latest earlier epoch up to ``max_age_s``
   old (RTKLIB ``pos2-maxage``). Such a base epoch serves several rover epochs: the satellite clocks
   then no longer cancel in the single differences, so each row carries the difference of the broadcast
   clocks at the two transmission times (:attr:`BaselineData.clock_sd_m`), and base slips are reported
   once, at the first rover epoch that uses the base epoch, including those of base epochs no rover
   epoch used (:func:`carry_slips`; likewise rover slips of rover epochs without base data);
3. :func:`pair_rows` joins the per-band observables of the two receivers on (epoch, satellite);
4. :func:`prepare_baseline` computes, per row, the satellite position at each receiver's transmission
   time (:func:`kompas.measurement.transmission_states`), the base's line of sight and troposphere
   (:func:`kompas.measurement.line_of_sight`, Saastamoinen), the carrier frequencies with the GLONASS
   channels, and the new arcs (slips, gaps) of both receivers;
5. base observations of some age are brought to the rover's epoch: interpolated between the base epochs
   around it in post-processing (:func:`_interpolate_base`), else their phases extrapolated from the two
   base epochs before it, as a real-time engine would (:func:`_extrapolate_base`).

Cycle slips and new arcs (:func:`new_arcs`) come from the QC preprocessing,
:func:`kompas.preprocess.detect_slips` (geometry-free and Melbourne-Wuebbena tests on every band pair, the
loss-of-lock indicator, gaps), run on each receiver's observables before pairing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .constants import C_LIGHT
from .errors import EstimatorError, TimeError
from .estimators.grouped import group_median
from .measurement import CodeRows, line_of_sight, transmission_states
from .products.broadcast import record_orbit_drift_mps, record_orbit_sigma_m
from .satsys import BAND_PRIORITY, GlonassChannels, sat_id, sat_prn, sat_system, system_code, system_letter
from .tables.nav import record_times_ns
from .tables.observables import NO_SIGNAL, Observables
from .time import time_span

__all__ = [
    "RTK_BANDS",
    "F_IONO_REF_HZ",
    "BaselineData",
    "shared_signals",
    "match_epochs",
    "carry_slips",
    "pair_rows",
    "new_arcs",
    "prepare_baseline",
    "antenna_correction",
]

RTK_BANDS = {
    "G": (1, 2, 5),
    "R": (1, 2, 3, 4, 6),
    "E": (1, 5, 7, 8, 6),
    "C": (2, 6, 1, 5, 7, 8),
    "J": (1, 2, 5, 6),
    "I": (5, 9, 1),
}
"""Bands used for RTK when both receivers have them, per system, in column order (the first is the one
a single-frequency user would take). BeiDou: B1I, B3I (BDS-2 and BDS-3), then B1C, B2a (BDS-3), B2I/B2b,
B2a+b."""

F_IONO_REF_HZ = 1575.42e6
"""Frequency of the slant ionosphere states (GPS L1, IS-GPS-200N 3.3.1.1): a delay ``I`` there is
``I (f_ref / f)^2`` on a carrier ``f`` (first-order ionosphere, Hofmann-Wellenhof et al. 2008, 5.3.2)."""


@dataclass(frozen=True, eq=False)
class BaselineData:
    """Paired rover/base observations of a window, one row per (epoch, satellite) both observed.

    Attributes
    ----------
    time_ns : numpy.ndarray of int64, shape (E,)
        Rover epochs, GPST ns.
    age_s : numpy.ndarray, shape (E,)
        Rover minus base time tag of the paired epoch, s (NaN where the base has no epoch).
    noise_age_s : numpy.ndarray, shape (E,)
        The age that the noise model sees: ``age_s``, or the time to the nearer base epoch where the base
        observations are interpolated, s.
    offsets : numpy.ndarray of int64, shape (E + 1,)
        Rows of epoch ``k``: ``slice(offsets[k], offsets[k + 1])``.
    sat : numpy.ndarray of int16, shape (R,)
    bands : dict[str, tuple[int, ...]]
        Band digits per system letter (column ``j`` of a row of system ``X`` is ``bands[X][j]``).
    signal_r, signal_b : numpy.ndarray of uint8, shape (R, B)
        Signal ids of the rover and the base (:data:`NO_SIGNAL` where a side lacks the band).
    code_r, code_b : numpy.ndarray, shape (R, B)
        Pseudoranges, m (NaN where missing).
    phase_r, phase_b : numpy.ndarray, shape (R, B)
        Carrier phases, cycles (NaN where missing).
    freq_hz : numpy.ndarray, shape (R, B)
        Carrier frequencies (GLONASS from the satellite's channel), Hz; NaN for empty cells.
    slip : numpy.ndarray of bool, shape (R, B)
        Cycle slip (or new arc) at either receiver.
    glo_k : numpy.ndarray of int64, shape (R,)
        GLONASS frequency channel (0 for other systems).
    satpos_r, satpos_b : numpy.ndarray, shape (R, 3)
        Satellite positions at the rover's and the base's transmission times, ECEF m.
    range_b : numpy.ndarray, shape (R,)
        Base geometric range plus the Sagnac term, m.
    clock_sd_m : numpy.ndarray, shape (R,)
        ``c (dt_sat(t_r) - dt_sat(t_b))``: the satellite's broadcast clock (with the relativistic term) at
        the rover's minus at the base's transmission time, m; millimetres for simultaneous epochs,
        centimetres to decimetres for base data tens of seconds old.
    el_b, az_b : numpy.ndarray, shape (R,)
        Elevation and azimuth at the base, rad.
    trop_b : numpy.ndarray, shape (R,)
        Saastamoinen slant delay at the base, m.
    base_arp_m : numpy.ndarray, shape (3,)
        Base antenna reference point, ECEF m.
    orbit_sigma_m : numpy.ndarray, shape (R,)
        Expected orbit error of the broadcast record of each row, m, from its age
        (:func:`kompas.products.broadcast.record_orbit_sigma_m`; NaN where the table has no value).
    orbit_drift_m : numpy.ndarray, shape (R,)
        Change of that error over the age of base data left as they are (neither interpolated nor
        extrapolated), m; 0 elsewhere.
    unserved : tuple of str
        Satellites both receivers track on a shared band that have no satellite state at any of their
        epochs (no broadcast record, nor a precise orbit and clock where those were given): left out.
    """

    time_ns: np.ndarray
    age_s: np.ndarray
    noise_age_s: np.ndarray
    offsets: np.ndarray
    sat: np.ndarray
    bands: dict
    signal_r: np.ndarray
    signal_b: np.ndarray
    code_r: np.ndarray
    code_b: np.ndarray
    phase_r: np.ndarray
    phase_b: np.ndarray
    freq_hz: np.ndarray
    slip: np.ndarray
    glo_k: np.ndarray
    satpos_r: np.ndarray
    satpos_b: np.ndarray
    range_b: np.ndarray
    clock_sd_m: np.ndarray
    el_b: np.ndarray
    az_b: np.ndarray
    trop_b: np.ndarray
    base_arp_m: np.ndarray
    orbit_sigma_m: np.ndarray
    orbit_drift_m: np.ndarray
    unserved: tuple = ()

    @property
    def n_epochs(self) -> int:
        return int(self.time_ns.size)

    def rows(self, k: int) -> slice:
        """Rows of epoch ``k`` (O(1))."""
        return slice(int(self.offsets[k]), int(self.offsets[k + 1]))

    def row_epoch(self) -> np.ndarray:
        """Epoch index of every row, shape (R,) (the inverse of :attr:`offsets`)."""
        return np.repeat(np.arange(self.n_epochs), np.diff(self.offsets))


def phase_modes(obs) -> dict[str, set[str]]:
    """Tracking modes (``"2I"``) with at least one carrier phase, per system letter."""
    return {k: {c[1:] for c in v if c[0] == "L"} for k, v in obs.codes_by_system().items()}


def shared_signals(rover, base, systems: str, bands=None, priority=None):
    """Bands both receivers track with a carrier phase, and the tracking-mode preference per system.

    Parameters
    ----------
    rover, base : ObsTable
    systems : str
        System letters to use.
    bands : dict, optional
        Band digits per system letter to consider (default :data:`RTK_BANDS`).
    priority : dict, optional
        The user's accepted signals per system letter in order of preference (replaces
        :data:`kompas.satsys.BAND_PRIORITY` for that system).

    Returns
    -------
    bands : dict[str, tuple[int, ...]]
        Shared bands per system (systems without any are left out).
    priority : dict[str, tuple[str, ...]]
        Per system, the modes of those bands: modes both receivers logged first, in preference order.
    """
    mr, mb = phase_modes(rover), phase_modes(base)
    out_bands, out_prio = {}, {}
    for letter in systems:
        want = (bands or {}).get(letter, RTK_BANDS.get(letter, ()))
        modes_all = []
        have = []
        for band in want:
            if priority and letter in priority:
                modes = [c for c in priority[letter] if c[0] == str(band)]
            else:
                modes = [str(band) + a for a in BAND_PRIORITY.get((letter, str(band)), "")]
            in_r = [m for m in modes if m in mr.get(letter, ())]
            in_b = [m for m in modes if m in mb.get(letter, ())]
            if not in_r or not in_b:
                continue
            both = [m for m in modes if m in in_r and m in in_b]
            modes_all += both + [m for m in modes if m not in both]
            have.append(int(band))
        if have:
            out_bands[letter] = tuple(have)
            out_prio[letter] = tuple(modes_all)
    return out_bands, out_prio


def _known_channels(ob: Observables, glo_channels: GlonassChannels) -> Observables:
    """The rows of satellites with a known carrier frequency: GLONASS slots without a known channel (no
    record in the navigation data, none in the headers) have no wavelength and are left out (warning)."""
    import warnings

    from .errors import KompasWarning, caller_stacklevel

    bad = glo_channels.unknown(ob.sat)
    if not bad.any():
        return ob
    warnings.warn(
        "GLONASS slots without a known frequency channel are not used: "
        + ", ".join(sat_id(np.unique(ob.sat[bad])))
        + " (navigation records of them, or the headers' GLONASS SLOT / FRQ #, give the channels)",
        KompasWarning,
        stacklevel=caller_stacklevel(),  # the line that called kompas.rtk
    )
    return ob.rows(~bad)


def _require_pairs(base_epoch, ob_r, ob_b, max_age_s: float) -> None:
    if not (base_epoch >= 0).any():
        raise TimeError(
            f"rover and base have no epoch in common: rover {time_span(ob_r.epoch_time_ns)}, base "
            f"{time_span(ob_b.epoch_time_ns)} (base data may be up to {max_age_s:g} s old, --max-age)"
        )


def _require_states(keep, coded, bands, product, t_r) -> None:
    """Refuse a baseline without a usable pair, naming the first thing missing: a satellite both receivers
    observe at a common epoch, a pseudorange at both (the transmission times), an ephemeris (with the
    times of the records and of the observations, ``t_r``)."""
    systems = "".join(bands)
    if keep.size == 0:
        raise EstimatorError(
            f"rover and base observe no satellite of {systems} at a common epoch on a band both track"
        )
    if not coded.any():
        raise EstimatorError(
            f"no satellite of {systems} observed by both receivers has a pseudorange at both (each "
            "receiver's transmission time needs one)"
        )
    if not keep.any():
        held = "".join(sorted(set().union(*(n.record_systems() for n in product.navs)))) or "no system"
        times = record_times_ns(product.navs)
        when = (
            f"; the records are of {time_span(times)}, the observations of {time_span(t_r)}"
            if times.size
            else ""
        )
        raise EstimatorError(
            "no satellite observed by both receivers on a shared band has an ephemeris in the navigation "
            f"data (systems {''.join(bands)}; the navigation data have ephemerides of {held}{when})"
        )


def match_epochs(t_rover, t_base, tol_s: float = 0.005, max_age_s: float = 0.0) -> np.ndarray:
    """Index of the base epoch paired with each rover epoch: the one with the nearest time tag within
    ``tol_s``, else the latest base epoch before the rover's at most ``max_age_s`` older; -1 for none."""
    t_rover = np.asarray(t_rover, dtype=np.int64)
    t_base = np.asarray(t_base, dtype=np.int64)
    if t_base.size == 0:
        return np.full(t_rover.size, -1, dtype=np.int64)
    tol = round(tol_s * 1e9)
    j = np.searchsorted(t_base, t_rover)
    after, before = np.minimum(j, t_base.size - 1), np.maximum(j - 1, 0)  # one base epoch: both are it
    near = np.where(np.abs(t_base[before] - t_rover) <= np.abs(t_base[after] - t_rover), before, after)
    out = np.where(np.abs(t_base[near] - t_rover) <= tol, near, -1)
    if max_age_s > 0.0:
        prev = np.searchsorted(t_base, t_rover + tol, side="right") - 1
        old = (prev >= 0) & (t_rover - t_base[np.maximum(prev, 0)] <= round(max_age_s * 1e9))
        out = np.where((out < 0) & old, prev, out)
    return out.astype(np.int64)


def carry_slips(ob: Observables, slip: np.ndarray, used: np.ndarray) -> np.ndarray:
    """Slip flags (R, B) of one receiver with those of epochs the pairing leaves out carried forward to the
    next used epoch of the same satellite, so that a slip between two used epochs is not lost (a base
    sampled faster than the rover, rover epochs without base data).

    Parameters
    ----------
    ob : Observables
    slip : numpy.ndarray of bool, shape (R, B)
        Per row of ``ob`` (:func:`new_arcs`).
    used : numpy.ndarray of int
        Sorted indices of the epochs of ``ob`` that are paired.
    """
    n_ep = int(ob.epoch_time_ns.size)
    if used.size == n_ep or not slip.size:
        return slip
    tgt = np.searchsorted(used, ob.epoch)  # the next used epoch at or after each row's
    valid = tgt < used.size
    key = ob.sat.astype(np.int64) * (used.size + 1) + tgt
    groups, inv = np.unique(key[valid], return_inverse=True)
    acc = np.zeros((groups.size, slip.shape[1]), bool)
    np.logical_or.at(acc, inv, slip[valid])
    group_of = np.full(ob.epoch.size, -1, np.int64)
    group_of[valid] = inv
    at_used = valid & (ob.epoch == used[np.minimum(tgt, used.size - 1)])
    out = slip.copy()
    out[at_used] = acc[group_of[at_used]]
    return out


def pair_rows(ob_r: Observables, ob_b: Observables, base_epoch) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the rover and base observables that share an epoch pair and a satellite.

    Parameters
    ----------
    ob_r, ob_b : Observables
        Rover and base observables (one row per epoch and satellite).
    base_epoch : numpy.ndarray of int64, shape (E,)
        Base epoch index paired with each rover epoch (-1 for none), from :func:`match_epochs`.

    Returns
    -------
    ir, ib : numpy.ndarray of int64
        Row indices into ``ob_r`` and ``ob_b``, sorted by rover epoch and satellite.
    """
    paired = np.asarray(base_epoch, dtype=np.int64)[ob_r.epoch]  # one base epoch may serve several
    ib = _row_of(ob_b, paired, ob_r.sat)
    ir = np.flatnonzero(ib >= 0)
    ir = ir[np.argsort(ob_r.epoch.astype(np.int64)[ir] * 1024 + ob_r.sat[ir], kind="stable")]
    return ir.astype(np.int64), ib[ir]


def _row_of(ob: Observables, epoch, sat) -> np.ndarray:
    """Row of ``ob`` holding each (epoch, satellite) pair asked for; -1 where there is none (or the epoch
    is negative)."""
    key = ob.epoch.astype(np.int64) * 1024 + ob.sat
    order = np.argsort(key, kind="stable")
    epoch = np.asarray(epoch, dtype=np.int64)
    if key.size == 0:
        return np.full(epoch.size, -1, np.int64)
    want = epoch * 1024 + np.asarray(sat, dtype=np.int64)
    at = np.minimum(np.searchsorted(key[order], want), key.size - 1)
    return np.where((epoch >= 0) & (key[order][at] == want), order[at], -1).astype(np.int64)


def new_arcs(ob: Observables, glo_channels=None, options=None) -> np.ndarray:
    """Cells where a phase arc starts or a cycle slip breaks one, shape (R, B): the QC preprocessing's
    :func:`kompas.preprocess.detect_slips` (geometry-free and Melbourne-Wuebbena tests on every band pair,
    LLI, gaps)."""
    from .preprocess import detect_slips

    with np.errstate(invalid="ignore"):  # noise-free (simulated) arcs: a zero robust scale times inf
        return detect_slips(ob, None, glo_channels, options).cause != 0


def _code_rows(ob: Observables, idx: np.ndarray) -> tuple[CodeRows, np.ndarray]:
    """One pseudorange per row (the first band with a code) to time the transmission; rows without a
    code are marked invalid."""
    code = ob.code_m[idx]
    has = np.isfinite(code)
    first = np.argmax(has, axis=1)
    r = np.arange(idx.size)
    val = code[r, first]
    sig = np.full((idx.size, 2), NO_SIGNAL, dtype=np.uint8)
    sig[:, 0] = ob.signal[idx][r, first]
    ok = has.any(axis=1)
    sig[~ok, 0] = 0
    rows = CodeRows(
        epoch=ob.epoch[idx],
        sat=ob.sat[idx],
        code_m=np.where(ok, val, 2.0e7),
        signals=sig,
        weights=np.column_stack([np.ones(idx.size), np.zeros(idx.size)]),
        freq_hz=np.full(idx.size, np.nan),
    )
    return rows, ok


def _satellite_states(product, ob: Observables, idx, t_rx_ns, select_ns):
    """Satellite positions at transmission, their broadcast reference clocks (s), validity and the records'
    ``t - toe`` (s; NaN for precise states), from the records selected at ``select_ns``."""
    rows, ok = _code_rows(ob, idx)
    st, dts = transmission_states(product, rows, t_rx_ns, reference_clock=True, select_ns=select_ns)
    return st.pos_m, dts, ok & st.ok, st.age_s


def _glonass_channels(k_table: GlonassChannels, sat) -> np.ndarray:
    """FDMA channel of each GLONASS satellite, 0 for the others (every slot is known: rows of unknown
    slots were left out by :func:`_known_channels`)."""
    glo = sat_system(sat) == system_code("R")
    k = np.zeros(sat.size, dtype=np.int64)
    if glo.any():
        k[glo] = k_table.channel(sat_prn(sat[glo]))
    return k


def prepare_baseline(
    rover_obs,
    base_obs,
    product,
    base_arp_m,
    bands: dict,
    priority: dict,
    glo_channels: GlonassChannels,
    tol_s: float = 0.005,
    slip_options=None,
    max_age_s: float = 0.0,
    interpolate: bool = True,
    extrapolate: bool = True,
) -> BaselineData:
    """Pair a window of rover and base observations and compute everything that does not depend on the
    rover position (see the module docstring).

    Parameters
    ----------
    rover_obs, base_obs : ObsTable
        The processing window of each receiver.
    product : BroadcastProduct
    base_arp_m : array_like, shape (3,)
        Base antenna reference point, ECEF m.
    bands, priority : dict
        From :func:`shared_signals`.
    glo_channels : GlonassChannels
        GLONASS slot -> channel (navigation data and both headers merged).
    tol_s : float
        Largest difference of paired time tags, s.
    slip_options : SlipOptions, optional
        Thresholds of :func:`kompas.preprocess.detect_slips`.
    max_age_s : float
        Oldest base epoch paired with a rover epoch that has no simultaneous one, s (0: none).
    interpolate : bool
        Interpolate the base observations between the base epochs around such a rover epoch
        (:func:`_interpolate_base`; post-processing: it uses the next base epoch).
    extrapolate : bool
        Where no interpolation serves, extrapolate the base phases of such an epoch from the two base
        epochs before the rover's (:func:`_extrapolate_base`; real time: latency compensation).
    """
    ob_r = _known_channels(rover_obs.observables(bands, priority), glo_channels)
    ob_b = _known_channels(base_obs.observables(bands, priority), glo_channels)
    slip_r, slip_b = new_arcs(ob_r, glo_channels, slip_options), new_arcs(ob_b, glo_channels, slip_options)
    raw_slip_b = slip_b
    base_epoch = match_epochs(ob_r.epoch_time_ns, ob_b.epoch_time_ns, tol_s, max_age_s)
    _require_pairs(base_epoch, ob_r, ob_b, max_age_s)
    slip_b = carry_slips(ob_b, slip_b, np.unique(base_epoch[base_epoch >= 0]))
    slip_r = carry_slips(ob_r, slip_r, np.flatnonzero(base_epoch >= 0))
    # a base epoch serving several rover epochs reports its slips at the first of them only (_require_pairs)
    first_use = np.r_[True, base_epoch[1:] != base_epoch[:-1]]
    ir, ib = pair_rows(ob_r, ob_b, base_epoch)
    sat = ob_r.sat[ir]
    glo_k = _glonass_channels(glo_channels, sat)
    t_r = ob_r.epoch_time_ns[ob_r.epoch[ir]]
    t_b = ob_b.epoch_time_ns[ob_b.epoch[ib]]
    keep, (pos_r, pos_b, dts_b), clock_sd, unserved, (orbit_sigma, orbit_drift) = _paired_states(
        product, (ob_r, ob_b), (ir, ib), (t_r, t_b), sat, bands
    )
    ir, ib, sat, glo_k = ir[keep], ib[keep], sat[keep], glo_k[keep]
    base = np.asarray(base_arp_m, dtype=float).reshape(3)
    geom, trop = _base_geometry(pos_b, base, sat)
    slip_b_rows = slip_b[ib] & first_use[ob_r.epoch[ir]][:, None]
    bd = _assemble(
        ob_r, ob_b, ir, ib, (slip_r[ir], slip_b_rows), base_epoch, glo_channels, glo_k, pos_r, pos_b, geom,
        trop, base, clock_sd, orbit_sigma,
    )  # fmt: skip
    bd = replace(bd, unserved=unserved)
    g_b = geom["range_m"][0] + trop - C_LIGHT * dts_b
    args = (ob_b, ib, t_r[keep], g_b, raw_slip_b, product, base, round(tol_s * 1e9))
    done = np.zeros(bd.phase_b.shape, bool)
    if interpolate:
        bd, done = _interpolate_base(bd, *args)
    if extrapolate:
        bd, done = _extrapolate_base(bd, *args, done)
    # base data of some age left as they are carry the change of a record's orbit error over the age in
    # full (moved base phases carry it along); the records of some hours before their toe drift by metres
    # per hour
    unmoved_age = np.where(done.any(axis=1), 0.0, np.nan_to_num(bd.age_s)[bd.row_epoch()])
    return replace(bd, orbit_drift_m=np.nan_to_num(orbit_drift) * np.abs(unmoved_age))


def _paired_states(product, obs, rows, t, sat, bands):
    """Satellite states of the paired rows at both receivers' transmission times.

    Both ends come from the record selected at the rover's epoch: with base data of some age the records'
    own errors (and their jumps from one record to the next) then cancel in the single difference, and the
    record's age there sets its orbit error. Returns the rows kept (both ends valid), their rover and base
    positions and base clocks, the single-difference satellite clock ``c (dt_r - dt_b)`` (m), the satellites
    never served and each kept row's orbit error from the record's age (m) with its rate of change (m/s).
    """
    (ob_r, ob_b), (ir, ib), (t_r, t_b) = obs, rows, t
    pos_r, dts_r, ok_r, age_r = _satellite_states(product, ob_r, ir, t_r, t_r)
    pos_b, dts_b, ok_b, _ = _satellite_states(product, ob_b, ib, t_b, t_r)
    keep = ok_r & ok_b
    coded = np.isfinite(ob_r.code_m[ir]).any(axis=1) & np.isfinite(ob_b.code_m[ib]).any(axis=1)
    _require_states(keep, coded, bands, product, t_r)
    unserved = tuple(sat_id(np.setdiff1d(sat[~keep], sat[keep])).tolist())
    letters, age = system_letter(sat_system(sat[keep])), age_r[keep]
    orbit = (record_orbit_sigma_m(letters, age), record_orbit_drift_mps(letters, age))
    clock_sd = C_LIGHT * (dts_r[keep] - dts_b[keep])
    return keep, (pos_r[keep], pos_b[keep], dts_b[keep]), clock_sd, unserved, orbit


def _base_geometry(sat_pos, base, sat) -> tuple[dict, np.ndarray]:
    """Line of sight from the base (:func:`kompas.measurement.line_of_sight`) and its Saastamoinen slant
    delay, for satellite positions ``sat_pos`` (n, 3) of satellites ``sat``."""
    from .models.troposphere import saastamoinen

    geom = line_of_sight(sat_pos[None], base[None], sat_system(sat)[None].astype(np.int64))
    llh, el = geom["llh"][0], geom["el"][0]
    return geom, saastamoinen(np.full(el.size, llh[0]), np.full(el.size, llh[2]), el)


def _less_common_part(d, pair) -> None:
    """Take out of the changes ``d`` (rows, bands) their median over the satellites per base epoch pair
    ``pair`` (labels 0 .. n-1) and band, in place: the base receiver clock (and what all satellites
    share)."""
    for col in range(d.shape[1]):  # the median leaves out NaN changes, which stay NaN
        d[:, col] -= group_median(d[:, col], pair)[pair]


def _along_base(bd, ob_b, ib, t_r, g_b, product, base, rows, other, skip, codes: bool):
    """Move the base observations of ``rows`` (base epoch ``j``) along the line through their values at
    ``j`` and at the base rows ``other`` (another epoch ``k``, before or after), to the rover's epoch:
    ``obs_j + w (y_k - y_j)`` with ``w = (t - t_j) / (t_k - t_j)`` and ``y`` the base's observation minus its
    modelled range, troposphere and satellite clock. The change common to all satellites of a band (the base
    receiver clock, which the double differences cancel, but which would not cancel between rows moved and
    rows left as they are) is taken out as the median over the satellites (:func:`_less_common_part`).
    Phases where ``skip`` (aligned with ``rows``) are left as they are, and codes unless ``codes``.

    Returns the rows with satellite states at ``k``, their base epochs ``j`` and ``k``, the moved code and
    phase columns of ``bd`` and which phases (rows, bands) moved.
    """
    t_b = ob_b.epoch_time_ns
    j, k = ob_b.epoch[ib[rows]], ob_b.epoch[other]
    pos_k, dts_k, ok, _ = _satellite_states(product, ob_b, other, t_b[k], t_r[rows])
    rows, other, skip, j, k = rows[ok], other[ok], skip[ok], j[ok], k[ok]
    geom, trop = _base_geometry(pos_k[ok], base, bd.sat[rows])
    dg = (geom["range_m"][0] + trop - C_LIGHT * dts_k[ok] - g_b[rows])[:, None]
    lam = C_LIGHT / bd.freq_hz[rows]
    both = bd.signal_b[rows] != NO_SIGNAL
    d_phase = (np.where(both, ob_b.phase_cyc[other] - bd.phase_b[rows], np.nan)) * lam - dg
    d_phase[skip] = np.nan
    # one group per pair of base epochs (j, k): extrapolated rover epochs share k with different j where the
    # base is irregular, and the base clock changes differently over each pair
    pair = np.unique(j.astype(np.int64) * t_b.size + k, return_inverse=True)[1].reshape(-1)
    _less_common_part(d_phase, pair)
    w = ((t_r[rows] - t_b[j]) / (t_b[k] - t_b[j]))[:, None]
    code_b, phase_b = bd.code_b.copy(), bd.phase_b.copy()
    if codes:
        d_code = np.where(both, ob_b.code_m[other] - bd.code_b[rows], np.nan) - dg
        _less_common_part(d_code, pair)
        code_b[rows] += np.nan_to_num(w * d_code)
    phase_b[rows] += np.nan_to_num(w * d_phase / lam)
    moved = np.zeros(bd.phase_b.shape, bool)
    moved[rows] = np.isfinite(d_phase)
    return rows, j, k, code_b, phase_b, moved


def _interpolate_base(bd, ob_b, ib, t_r, g_b, slip_b, product, base, tol_ns: int):
    """Base observations interpolated to the rover's epoch between the two base epochs around it; returns
    the data and which phases (rows, bands) were interpolated.

    For a row paired with an older base epoch ``j`` whose next epoch ``j+1`` is later than the rover's, the
    base observations move along the line through ``j`` and ``j+1`` (:func:`_along_base`; post-processing
    only; RTKLIB ``prcopt_t.intpref``, ``intpres``). A phase is not interpolated across a slip of its cell at
    ``j+1``. The noise age of such an epoch becomes the time to the nearer base epoch.
    """
    j = ob_b.epoch[ib]
    t_b = ob_b.epoch_time_ns
    has_next = j + 1 < t_b.size
    t_n = np.where(has_next, t_b[np.minimum(j + 1, t_b.size - 1)], 0)
    nxt = _row_of(ob_b, np.where(has_next, j + 1, -1), ob_b.sat[ib])
    cand = (t_r - t_b[j] > tol_ns) & (nxt >= 0) & (t_n > t_r)  # older than a simultaneous epoch
    if not cand.any():
        return bd, np.zeros(bd.phase_b.shape, bool)
    rows = np.flatnonzero(cand)
    rows, jr, kr, code_b, phase_b, done = _along_base(
        bd, ob_b, ib, t_r, g_b, product, base, rows, nxt[rows], slip_b[nxt[rows]], codes=True
    )
    noise_age = bd.noise_age_s.copy()
    noise_age[bd.row_epoch()[rows]] = np.minimum(t_r[rows] - t_b[jr], t_b[kr] - t_r[rows]) / 1e9
    return replace(bd, code_b=code_b, phase_b=phase_b, noise_age_s=noise_age), done


def _extrapolate_base(bd, ob_b, ib, t_r, g_b, slip_b, product, base, tol_ns: int, done):
    """Base phases of an older epoch extrapolated to the rover's epoch along the line from an earlier base
    epoch.

    For a row paired with an older base epoch ``j`` (the phases not interpolated, ``done`` False), the
    base phases move along the line through ``j`` and the latest base epoch ``k`` at least as far before
    ``j`` as the rover's epoch is after it (and at least one base interval; :func:`_along_base`): the
    linear prediction of the base data that real-time RTK engines use against the latency of the
    correction stream. It carries the change over the age that the model lacks, above all the base's own
    slant ionosphere, which is not common to the two epochs (set D, base every 60 s, at 10-12 h local
    time: the aged epochs' fixed positions scatter 3.0 cm horizontally without it, 1.2 cm with it;
    BENCHMARKS.md). Fitting over a span no shorter than the extrapolation keeps the phase noise of the
    two epochs from being multiplied (a 1 Hz base extrapolated 30 s along the line through its last two
    epochs multiplies it about thirtyfold). Only past base data is used; no phase is extrapolated across
    a slip of its cell in ``(k, j]``, and a satellite missing at ``k`` is left as it is. Codes are left as
    they are: their noise is far above what the prediction corrects. Returns the data and which phases
    were interpolated or extrapolated.
    """
    j = ob_b.epoch[ib]
    t_b = ob_b.epoch_time_ns
    ahead = t_r - t_b[j]
    step = t_b[j] - t_b[np.maximum(j - 1, 0)]
    k = np.searchsorted(t_b, t_b[j] - np.maximum(ahead, step), side="right") - 1
    prv = _row_of(ob_b, k, ob_b.sat[ib])  # -1 where k < 0 (nothing old enough)
    cand = (ahead > tol_ns) & (prv >= 0) & ~done.all(axis=1)
    if not cand.any():
        return bd, done
    rows = np.flatnonzero(cand)
    skip = _slipped_between(ob_b, slip_b, prv[rows], ib[rows]) | done[rows]
    *_, phase_b, moved = _along_base(
        bd, ob_b, ib, t_r, g_b, product, base, rows, prv[rows], skip, codes=False
    )
    return replace(bd, phase_b=phase_b), done | moved


def _slipped_between(ob, slip, first, last) -> np.ndarray:
    """(rows, bands): whether a cell slipped after row ``first`` up to row ``last`` (both rows of one
    satellite, ``first`` earlier), from the running count of slips along each satellite's rows."""
    order = np.lexsort((ob.epoch, ob.sat))
    count = np.zeros(slip.shape, np.int64)
    count[order] = np.cumsum(slip[order], axis=0)
    return count[last] != count[first]


def _assemble(
    ob_r, ob_b, ir, ib, slips, base_epoch, glo_channels, glo_k, pos_r, pos_b, geom, trop, base, clock_sd,
    orbit_sigma,
):  # fmt: skip
    slip_r, slip_b = slips  # per paired row
    n_ep = ob_r.epoch_time_ns.size
    epoch = ob_r.epoch[ir]
    offsets = np.searchsorted(epoch, np.arange(n_ep + 1)).astype(np.int64)
    sig_r, sig_b = ob_r.signal[ir], ob_b.signal[ib]
    both = (sig_r != NO_SIGNAL) & (sig_b != NO_SIGNAL)
    signal_r = np.where(both, sig_r, NO_SIGNAL).astype(np.uint8)
    sub = replace(ob_r, epoch=epoch, sat=ob_r.sat[ir], signal=signal_r)
    freq = sub.frequency_hz(glo_channels)
    mask = np.where(both, 1.0, np.nan)
    t_b = np.where(base_epoch >= 0, ob_b.epoch_time_ns[np.maximum(base_epoch, 0)], 0)
    age = np.where(base_epoch >= 0, (ob_r.epoch_time_ns - t_b) / 1e9, np.nan)
    return BaselineData(
        time_ns=ob_r.epoch_time_ns.copy(),
        age_s=age,
        noise_age_s=np.nan_to_num(age),
        offsets=offsets,
        sat=sub.sat,
        bands=dict(ob_r.bands),
        signal_r=signal_r,
        signal_b=np.where(both, sig_b, NO_SIGNAL).astype(np.uint8),
        code_r=ob_r.code_m[ir] * mask,
        code_b=ob_b.code_m[ib] * mask,
        phase_r=ob_r.phase_cyc[ir] * mask,
        phase_b=ob_b.phase_cyc[ib] * mask,
        freq_hz=freq,
        slip=(slip_r | slip_b) & both,
        glo_k=glo_k,
        satpos_r=pos_r,
        satpos_b=pos_b,
        range_b=geom["range_m"][0],
        clock_sd_m=clock_sd,
        el_b=geom["el"][0],
        az_b=geom["az"][0],
        trop_b=trop,
        base_arp_m=base,
        orbit_sigma_m=orbit_sigma,
        orbit_drift_m=np.zeros(ir.size),
    )


def antenna_correction(antenna, sys_code, band, az_rad, el_rad) -> np.ndarray:
    """Receiver antenna phase-centre correction to add to the modelled range of each cell, m.

    ``-PCO . e + PCV(zenith, azimuth)`` of the ANTEX calibration of the cell's frequency
    (:func:`kompas.models.antenna.receiver_range_correction`; ANTEX 1.4 frequency codes: system letter and
    band, e.g. ``C02`` for BDS B1I, ``R01`` for GLONASS G1; the IGS GPS fallback where a frequency is not
    calibrated).

    Parameters
    ----------
    antenna : kompas.io.readers.antex.Antenna
    sys_code, band : numpy.ndarray of int, shape (n,)
    az_rad, el_rad : numpy.ndarray, shape (n,)
        Direction of the satellite seen from this receiver.
    """
    import warnings

    from .errors import KompasWarning
    from .models.antenna import receiver_range_correction
    from .satsys import system_letter

    out = np.zeros(np.asarray(band).size)
    codes = np.char.add(np.asarray(system_letter(np.asarray(sys_code)), dtype="U1"),
                        np.char.zfill(np.asarray(band).astype("U1"), 2))  # fmt: skip
    for code in np.unique(codes).tolist():
        m = codes == code
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", KompasWarning)  # the GPS fallback is expected for some bands
            out[m] = receiver_range_correction(antenna, code, az_rad[m], el_rad[m])
    return out
