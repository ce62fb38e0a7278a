"""Rover and base observations paired for relative positioning (the measurement side of RTK).

Everything here is vectorised over all epochs of a processing window; the Kalman filter
(:mod:`kompas.estimators.rtk`) then walks the epochs one by one through O(1) row slices.

Steps:

1. :func:`shared_signals` chooses the bands both receivers observe with a carrier phase and, within a
   band, puts the tracking modes both receivers logged first (so that both sides use the same signal,
   whose receiver biases cancel in the single difference);
2. :func:`match_epochs` pairs every rover epoch with the base epoch of the same time tag (within a
   tolerance: receivers whose clocks are not steered tag epochs up to a millisecond apart; each side is
   modelled at its own reception time, so the pairing needs no interpolation);
3. :func:`pair_rows` joins the per-band observables of the two receivers on (epoch, satellite);
4. :func:`prepare_baseline` computes, per row, the satellite position at each receiver's transmission
   time (:func:`kompas.measurement.transmission_states`), the base's line of sight and troposphere
   (:func:`kompas.measurement.line_of_sight`, Saastamoinen), the carrier frequencies with the GLONASS
   channels, and the new arcs (slips, gaps) of both receivers.

Cycle slips and new arcs (:func:`new_arcs`) come from the QC preprocessing,
:func:`kompas.preprocess.detect_slips` (geometry-free and Melbourne-Wuebbena tests on every band pair, the
loss-of-lock indicator, gaps), run on each receiver's observables before pairing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .measurement import CodeRows, line_of_sight, transmission_states
from .satsys import BAND_PRIORITY, GlonassChannels, sat_prn, sat_system, system_code
from .tables.observables import NO_SIGNAL, Observables

__all__ = [
    "RTK_BANDS",
    "F_IONO_REF_HZ",
    "BaselineData",
    "shared_signals",
    "match_epochs",
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
    el_b, az_b : numpy.ndarray, shape (R,)
        Elevation and azimuth at the base, rad.
    trop_b : numpy.ndarray, shape (R,)
        Saastamoinen slant delay at the base, m.
    base_arp_m : numpy.ndarray, shape (3,)
        Base antenna reference point, ECEF m.
    """

    time_ns: np.ndarray
    age_s: np.ndarray
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
    el_b: np.ndarray
    az_b: np.ndarray
    trop_b: np.ndarray
    base_arp_m: np.ndarray

    @property
    def n_epochs(self) -> int:
        return int(self.time_ns.size)

    def rows(self, k: int) -> slice:
        """Rows of epoch ``k`` (O(1))."""
        return slice(int(self.offsets[k]), int(self.offsets[k + 1]))

    def row_epoch(self) -> np.ndarray:
        """Epoch index of every row, shape (R,) (the inverse of :attr:`offsets`)."""
        return np.repeat(np.arange(self.n_epochs), np.diff(self.offsets))


def _phase_modes(obs) -> dict[str, set[str]]:
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
    mr, mb = _phase_modes(rover), _phase_modes(base)
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


def match_epochs(t_rover, t_base, tol_s: float = 0.005) -> np.ndarray:
    """Index of the base epoch with the nearest time tag to each rover epoch (-1 beyond ``tol_s``)."""
    t_rover = np.asarray(t_rover, dtype=np.int64)
    t_base = np.asarray(t_base, dtype=np.int64)
    if t_base.size == 0:
        return np.full(t_rover.size, -1, dtype=np.int64)
    j = np.clip(np.searchsorted(t_base, t_rover), 1, max(t_base.size - 1, 1))
    j0 = np.where(t_base.size > 1, j - 1, 0)
    near = np.where(np.abs(t_base[j0] - t_rover) <= np.abs(t_base[j] - t_rover), j0, j)
    ok = np.abs(t_base[near] - t_rover) <= round(tol_s * 1e9)
    return np.where(ok, near, -1).astype(np.int64)


def pair_rows(ob_r: Observables, ob_b: Observables, base_epoch) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the rover and base observables that share an epoch pair and a satellite.

    Parameters
    ----------
    base_epoch : numpy.ndarray of int64, shape (E,)
        Base epoch index paired with each rover epoch (-1 for none), from :func:`match_epochs`.

    Returns
    -------
    ir, ib : numpy.ndarray of int64
        Row indices into ``ob_r`` and ``ob_b``, sorted by rover epoch and satellite.
    """
    rover_of_base = np.full(ob_b.epoch_time_ns.size, -1, dtype=np.int64)
    ok = base_epoch >= 0
    rover_of_base[base_epoch[ok]] = np.flatnonzero(ok)
    e_b = rover_of_base[ob_b.epoch]
    key_r = ob_r.epoch.astype(np.int64) * 1024 + ob_r.sat
    key_b = np.where(e_b >= 0, e_b * 1024 + ob_b.sat, -1)
    _, ir, ib = np.intersect1d(key_r, key_b, assume_unique=True, return_indices=True)
    return ir.astype(np.int64), ib.astype(np.int64)


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


def _satellite_positions(product, ob: Observables, idx, t_rx_ns):
    rows, ok = _code_rows(ob, idx)
    st, _ = transmission_states(product, rows, t_rx_ns)
    return st.pos_m, ok & st.ok


def _glonass_channels(k_table: GlonassChannels, sat) -> np.ndarray:
    glo = sat_system(sat) == system_code("R")
    k = np.zeros(sat.size, dtype=np.int64)
    if glo.any():
        prn = sat_prn(sat[glo])
        known = k_table.known(prn)
        kk = np.zeros(prn.size, dtype=np.int64)
        if known.any():
            kk[known] = k_table.channel(prn[known])
        k[glo] = np.where(known, kk, -99)
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
    """
    ob_r = rover_obs.observables(bands, priority)
    ob_b = base_obs.observables(bands, priority)
    slip_r, slip_b = new_arcs(ob_r, glo_channels, slip_options), new_arcs(ob_b, glo_channels, slip_options)
    base_epoch = match_epochs(ob_r.epoch_time_ns, ob_b.epoch_time_ns, tol_s)
    ir, ib = pair_rows(ob_r, ob_b, base_epoch)
    sat = ob_r.sat[ir]
    glo_k = _glonass_channels(glo_channels, sat)
    keep = glo_k != -99  # GLONASS satellites without a known channel have no usable wavelength
    ir, ib, sat, glo_k = ir[keep], ib[keep], sat[keep], glo_k[keep]
    t_r = ob_r.epoch_time_ns[ob_r.epoch[ir]]
    t_b = ob_b.epoch_time_ns[ob_b.epoch[ib]]
    pos_r, ok_r = _satellite_positions(product, ob_r, ir, t_r)
    pos_b, ok_b = _satellite_positions(product, ob_b, ib, t_b)
    keep = ok_r & ok_b
    ir, ib, sat, glo_k = ir[keep], ib[keep], sat[keep], glo_k[keep]
    pos_r, pos_b = pos_r[keep], pos_b[keep]
    base = np.asarray(base_arp_m, dtype=float).reshape(3)
    geom = line_of_sight(pos_b[None], base[None], sat_system(sat)[None].astype(np.int64))
    from .models.troposphere import saastamoinen

    n = sat.size
    llh = geom["llh"][0]
    trop = saastamoinen(np.full(n, llh[0]), np.full(n, llh[2]), geom["el"][0])
    return _assemble(
        ob_r, ob_b, ir, ib, (slip_r, slip_b), base_epoch, glo_channels, glo_k, pos_r, pos_b, geom, trop, base
    )


def _assemble(ob_r, ob_b, ir, ib, slips, base_epoch, glo_channels, glo_k, pos_r, pos_b, geom, trop, base):
    slip_r, slip_b = slips
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
    age = np.where(base_epoch >= 0, (ob_r.epoch_time_ns - t_b) * 1e-9, np.nan)
    return BaselineData(
        time_ns=ob_r.epoch_time_ns.copy(),
        age_s=age,
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
        slip=(slip_r[ir] | slip_b[ib]) & both,
        glo_k=glo_k,
        satpos_r=pos_r,
        satpos_b=pos_b,
        range_b=geom["range_m"][0],
        el_b=geom["el"][0],
        az_b=geom["az"][0],
        trop_b=trop,
        base_arp_m=base,
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
