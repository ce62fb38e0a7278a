"""The precise measurement model: every correction of undifferenced code and carrier phase, evaluated once.

For a receiver r and a satellite s, code P_b and phase L_b (metres) on band b are modelled as
(Kouba & Heroux 2001, GPS Solut. 5(2):12-28; Teunissen & Montenbruck eds., *Springer Handbook of GNSS*,
2017, ch. 25; RTKLIB 2.4.3 ``ppp.c``)::

    P_b = rho + c dt_r - c dt^s + T + mu_b I + d_ant,b + d_P,b + e
    L_b = rho + c dt_r - c dt^s + T - mu_b I + d_ant,b + lambda_b (N_b + w) + d_L,b + e

* ``rho``: distance between the satellite's centre of mass at transmission (precise orbit, or broadcast
  antenna phase centre) and the marker displaced by solid Earth tides, ocean loading and the pole tide,
  plus the Sagnac term of each system's Earth rotation rate and the Shapiro delay;
* ``dt^s``: the precise clock (IGS convention: without the periodic relativistic term, which is added
  here, IS-GPS-200N 20.3.3.3.3.1) or the broadcast clock of the signals used;
* ``T``: hydrostatic zenith delay mapped (GPT3 + Saastamoinen + VMF1-form mapping, or a standard
  atmosphere + GMF or Niell) plus the wet zenith delay and gradients the estimator adds (a priori wet delay
  given here);
* ``d_ant``: receiver PCO/PCV per frequency with the ARP eccentricity, satellite PCO/PCV per frequency
  along the line of sight with the attitude of :func:`kompas.models.attitude.satellite_attitude` (nominal
  block offsets where the ANTEX lacks the satellite; none for broadcast orbits, which give the antenna
  phase centre);
* ``w``: phase wind-up, cycles, continuous per satellite;
* ``d_P``, ``d_L``: observable-specific biases from a Bias-SINEX file (OSB, or DSB to the clock's
  reference observable), subtracted from the observations.

Everything that does not depend on the estimated state is computed here for all rows before the filter
(in blocks of :data:`BLOCK_ROWS` rows, which bound the memory and not the values), with the a priori
receiver positions (metre-level errors change these terms by well under a millimetre), so the
estimator's epoch loop only forms ``rho`` and the design matrix. Each term can be switched off
(:class:`ModelSwitches`), which is how the model-off table of BENCHMARKS.md is made.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np

from .constants import C_LIGHT
from .errors import KompasError
from .frames import ecef_to_geodetic, enu_rotation
from .measurement import CodeRows, transmission_states
from .models.antenna import antenna_offsets
from .models.attitude import nominal_yaw_frame, satellite_attitude, sun_position_ecef
from .models.bds2_code import bds2_code_correction
from .models.ephemeris import moon_position_ecef
from .models.mapping import gradient_mapping
from .models.relativity import periodic_clock_correction_s, shapiro_delay_m
from .models.tides import pole_tide, solid_earth_tide
from .models.windup import windup_cycles
from .ppp_biases import note_once, observation_biases
from .satsys import (
    SYSTEM_LETTERS,
    carrier_frequency,
    sat_letter,
    sat_prn,
    sat_system,
    signal_band,
)
from .tables.observables import NO_SIGNAL
from .time import time_span

__all__ = [
    "ModelSwitches", "ModelInputs", "PreciseRows", "build_rows", "ephemeris_used", "SOURCE_PRECISE",
    "SOURCE_BROADCAST",
]  # fmt: skip

SOURCE_PRECISE = 1
SOURCE_BROADCAST = 2


@dataclass(frozen=True)
class ModelSwitches:
    """Which terms of the model are applied (all on by default)."""

    sat_antenna: bool = True
    rcv_antenna: bool = True
    attitude: str = "model"  # "model" (eclipse/noon laws) or "nominal"
    windup: bool = True
    solid_tide: bool = True
    ocean_loading: bool = True
    pole_tide: bool = True
    relativity: bool = True
    shapiro: bool = True
    tropo: str = "gpt3"  # "gpt3", "saas" or "off"
    mapping: str = "gmf"  # of the "saas" a priori: "gmf" or "niell"
    osb: bool = True
    bds2_code: bool = True  # BeiDou-2 IGSO/MEO code corrections of Wanninger & Beer (2015)


@dataclass(frozen=True)
class ModelInputs:
    """Products and model tables the model needs (objects, never paths; any may be None).

    Attributes
    ----------
    precise : PreciseMix or None
        Precise orbits and clocks per system.
    broadcast : BroadcastProduct or None
        Broadcast ephemerides (fallback where the precise product has no value).
    antex : Antex or None
    catalog : SatelliteCatalog or None
        Satellite blocks and attitude laws.
    bias : BiasData or None
        Bias-SINEX OSB/DSB.
    ocean : OceanLoadingCoefficients or None
        BLQ coefficients of the station.
    gpt3 : Gpt3Grid or None
    polar_motion_arcsec : tuple of float or None
        IERS x_p, y_p for the pole tide (the pole tide is zero without them).
    clock_reference : dict
        Per system letter the observation codes the satellite clocks refer to (for DSB corrections).
    bias_max_age_s : float
        Code biases are taken from the nearest instant the bias file covers when the observations lie
        outside it by at most this much (satellite code biases are stable over weeks: CODE publishes
        30-day means of them); phase biases are used only inside their windows.
    """

    precise: object = None
    broadcast: object = None
    antex: object = None
    catalog: object = None
    bias: object = None
    ocean: object = None
    gpt3: object = None
    polar_motion_arcsec: tuple | None = None
    clock_reference: dict = field(default_factory=dict)
    bias_max_age_s: float = 0.0


@dataclass(frozen=True, eq=False)
class PreciseRows:
    """Observations and model terms of every (epoch, satellite) row, bands as columns.

    Attributes
    ----------
    epoch, sat : (R,) int64 / int16
    code_m, phase_m : (R, B)
        Observations with biases removed (and the wind-up from the phase), m; NaN where missing.
    freq_hz, signal : (R, B)
        Carrier frequency and signal id of each column.
    arc : (R, B) int64
        Ambiguity arc of each phase (from the slip detector; -1 until :meth:`with_arcs`).
    obs_row : (R,) int64
        Row of the observables each row comes from.
    phase_bias_ok : (R, B) bool
        A phase bias (OSB) was removed from the cell (ambiguity resolution needs it).
    sat_pos : (R, 3)
        Satellite position at transmission, ECEF m (centre of mass from precise products, antenna phase
        centre from broadcast ones).
    range_corr_m : (R,)
        Terms common to all bands added to the geometric range: ``-c dt^s`` (with relativity), Shapiro,
        mapped hydrostatic delay and mapped a priori wet delay.
    band_corr_m : (R, B)
        Antenna corrections per band added to the range (code and phase alike); NaN where the satellite's
        antenna offset is unknown (the cell is then not used).
    wet_map, grad_map : (R,)
        Wet mapping factor and Chen-Herring gradient mapping factor.
    az, el : (R,)
        Azimuth and elevation from the a priori position, rad.
    var_eph_m2 : (R,)
        Orbit/clock variance (broadcast rows: the SISA/URA; precise rows: 0).
    source : (R,) uint8
        :data:`SOURCE_PRECISE` or :data:`SOURCE_BROADCAST`.
    displacement : (E, 3)
        Station displacement (tides, loading) per epoch, ECEF m, added to the marker.
    zwd0_m, zhd_m : (E,)
        A priori zenith wet and hydrostatic delays, m (the estimated wet delay corrects the first).
    windup_cyc : (R,)
    notes : tuple of str
        What the model could not do as asked (fallbacks, missing tables).
    unsolved : (E,) uint8
        Per epoch, the first check that leaves it without usable rows, as
        :class:`kompas.solution.Unsolved` (``TOO_FEW_SATELLITES`` where it has rows: the estimator decides).
    """

    epoch: np.ndarray
    sat: np.ndarray
    code_m: np.ndarray
    phase_m: np.ndarray
    freq_hz: np.ndarray
    signal: np.ndarray
    arc: np.ndarray
    obs_row: np.ndarray
    phase_bias_ok: np.ndarray
    sat_pos: np.ndarray
    range_corr_m: np.ndarray
    band_corr_m: np.ndarray
    wet_map: np.ndarray
    grad_map: np.ndarray
    az: np.ndarray
    el: np.ndarray
    var_eph_m2: np.ndarray
    source: np.ndarray
    displacement: np.ndarray
    zwd0_m: np.ndarray
    zhd_m: np.ndarray
    windup_cyc: np.ndarray
    notes: tuple = ()
    unsolved: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.sat.size)

    def with_arcs(self, flags) -> PreciseRows:
        """These rows with the ambiguity arcs of slip flags computed on the whole observables."""
        return replace(self, arc=np.asarray(flags.arc)[self.obs_row])

    def take(self, rows) -> PreciseRows:
        """A subset of rows (epoch-level arrays are kept whole)."""
        per_epoch = ("displacement", "zwd0_m", "zhd_m", "notes", "unsolved")
        return PreciseRows(
            **{
                f: (getattr(self, f) if f in per_epoch else getattr(self, f)[rows])
                for f in self.__dataclass_fields__
            }
        )


def _catch(notes: list, fn, *args, **kw):
    """Run ``fn`` and turn its warnings into notes (each text once)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args, **kw)
    for w in caught:
        text = str(w.message)
        if text not in notes:
            notes.append(text)
    return out


def satellite_states(ob, rows, t_rx_ns, inputs: ModelInputs, relativity: bool, block: int | None = None):
    """Satellite states at transmission for rows of observables, precise first, broadcast where missing.

    The transmission time is ``t_rx - P/c - dt^s`` (iterated once on the clock) with the first band's
    code. Returns ``(pos (R,3), vel (R,3), clk_s (R,), var_m2 (R,), source (R,) uint8)``; rows without
    any state have source 0 and NaN values. Precise states are interpolated ``block`` rows at a time (each
    row on its own: a memory bound); the broadcast ones in one call, as a Kepler iteration or a GLONASS
    integration serves all the rows of a call with one iteration or step count (their last bits depend on
    the rows they are called with).
    """
    n = rows.size
    code = ob.code_m[rows]
    p_tx = np.where(np.isfinite(code[:, 0]), code[:, 0], code[:, 1] if code.shape[1] > 1 else np.nan)
    sats = ob.sat[rows]
    pos = np.full((n, 3), np.nan)
    vel = np.full((n, 3), np.nan)
    clk = np.full(n, np.nan)
    var = np.zeros(n)
    src = np.zeros(n, np.uint8)
    step = max(int(block or n), 1)
    for i in range(0, n if inputs.precise is not None else 0, step):
        b = slice(i, i + step)
        st0 = inputs.precise.state(sats[b], t_rx_ns[b], -p_tx[b] / C_LIGHT)
        off = -p_tx[b] / C_LIGHT - np.nan_to_num(st0.clk_s)
        st = inputs.precise.state(sats[b], t_rx_ns[b], off)
        ok = st.ok & np.isfinite(p_tx[b])
        r = np.flatnonzero(ok) + i
        pos[r], vel[r], clk[r] = st.pos_m[ok], st.vel_mps[ok], st.clk_s[ok]
        if relativity:
            clk[r] += periodic_clock_correction_s(pos[r], vel[r])
        src[r] = SOURCE_PRECISE
    todo = np.flatnonzero((src == 0) & np.isfinite(p_tx))
    if inputs.broadcast is not None and todo.size:
        sig = ob.signal[rows[todo]]
        f = ob.frequency_hz()[rows[todo]]
        two = (sig[:, 1] != NO_SIGNAL) if sig.shape[1] > 1 else np.zeros(todo.size, bool)
        f1s = f[:, 0] ** 2
        f2s = np.where(two, f[:, 1], np.nan) ** 2 if sig.shape[1] > 1 else np.full(todo.size, np.nan)
        a1 = np.where(two, f1s / (f1s - f2s), 1.0)
        cr = CodeRows(
            ob.epoch[rows[todo]],
            sats[todo],
            p_tx[todo],
            np.stack([sig[:, 0], np.where(two, sig[:, 1] if sig.shape[1] > 1 else NO_SIGNAL, NO_SIGNAL)], 1),
            np.stack([a1, np.where(two, 1.0 - a1, 0.0)], 1),
            f[:, 0],
        )
        st, dts = transmission_states(inputs.broadcast, cr, t_rx_ns[todo])
        ok = st.ok & np.isfinite(dts)
        r = todo[ok]
        pos[r], vel[r], clk[r] = st.pos_m[ok], st.vel_mps[ok], dts[ok]
        var[r] = np.where(np.isfinite(st.var_m2[ok]), st.var_m2[ok], 25.0)
        src[r] = SOURCE_BROADCAST
    return pos, vel, clk, var, src


def station_displacement(t_ns, apriori, switches: ModelSwitches, inputs: ModelInputs, sun, moon):
    """Solid Earth tide + pole tide + ocean loading of the marker per epoch, ECEF m, shape (E, 3)."""
    from .models.ocean_loading import ocean_loading

    disp = np.zeros_like(apriori)
    if switches.solid_tide:
        disp += solid_earth_tide(apriori, sun, moon, t_ns)
    if switches.pole_tide and inputs.polar_motion_arcsec is not None:
        xp, yp = inputs.polar_motion_arcsec
        disp += pole_tide(apriori, t_ns, xp, yp)
    if switches.ocean_loading and inputs.ocean is not None:
        disp += ocean_loading(apriori, inputs.ocean.amplitude_m, inputs.ocean.phase_rad, t_ns)
    return disp


def troposphere_epochs(t_ns, llh, switches: ModelSwitches, grid):
    """Per epoch the zenith hydrostatic and a priori wet delays (E,), and ``mapping(el, epoch)``, the
    hydrostatic and wet mapping factors of rows at elevations ``el`` (rad) of epochs ``epoch``: what
    depends on the place and date alone (GPT3's coefficients, GMF's expansion) is evaluated here once."""
    from .models.gpt3 import askne_nordius_zwd, day_of_year, gpt3, saastamoinen_zhd
    from .models.mapping import gmf_coefficients, gmf_mapping, vmf1_mapping
    from .models.troposphere import niell_mapping, zenith_delays
    from .time import gpst_mjd

    lat, lon, h = llh[:, 0], llh[:, 1], llh[:, 2]
    if switches.tropo == "off":
        zero = np.zeros(t_ns.size)

        def slant(el, epoch):
            sin_el = np.maximum(np.sin(el), 0.05)
            return 1.0 / sin_el, 1.0 / sin_el

        return zero, zero, slant
    doy = day_of_year(t_ns)
    if switches.tropo == "gpt3" and grid is not None:
        met = gpt3(grid, t_ns, lat, lon, h)
        zhd = saastamoinen_zhd(met.pressure_hpa, lat, h)
        zwd = askne_nordius_zwd(met.e_hpa, met.tm_k, met.water_vapour_decrease)
        return zhd, zwd, lambda el, e: vmf1_mapping(met.ah[e], met.aw[e], lat[e], h[e], el, doy[e])
    zhd, zwd = zenith_delays(lat, h, humidity=0.7)
    if switches.mapping == "niell":
        return zhd, zwd, lambda el, e: niell_mapping(lat[e], h[e], el, doy[e])
    mjd = gpst_mjd(t_ns)
    coefficients = gmf_coefficients(lat, lon, mjd)  # per epoch, not per row
    return zhd, zwd, lambda el, e: gmf_mapping(lat, lon, h, el, mjd, rows=e, coefficients=coefficients)


def _attitude_axes(sats, t_ns, pos, vel, sun, switches: ModelSwitches, catalog):
    """Body axes (R, 3, 3) with the attitude laws of the catalog (nominal without one), and the
    catalog's nominal PCO (R, 3) for satellites an ANTEX lacks."""
    nominal = np.full((sats.size, 3), np.nan)
    if catalog is not None:
        # one lookup per satellite and hour (records change at most at a satellite's launch or decommission)
        key = sats.astype(np.int64) * 1_000_000 + t_ns // 3_600_000_000_000
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        info = catalog.lookup(sats[first], t_ns[first])
        law = info.law[inverse]
        nominal = info.nominal_pco_m[inverse]
    else:
        law = np.zeros(sats.size, np.int16)
    if switches.attitude == "model":
        axes, _ = satellite_attitude(pos, vel, sun, law)
    else:
        axes = nominal_yaw_frame(pos, sun)
    return axes, nominal


def antenna_terms(
    sats, t_ns, signal, az, el, los, axes, nominal, station, switches, antex, notes, precise=None
):
    """Receiver and satellite antenna corrections per row and band column, m (R, B).

    ``precise`` (R,) bool marks the rows whose satellite position is a centre of mass (precise orbits;
    default all): only those get the satellite antenna offset. Broadcast ephemerides already give the
    antenna phase centre (IS-GPS-200N 20.3.3.4.3: the user algorithm computes "the phase center of the
    SV's antennas"; Montenbruck et al. 2015, GPS Solut. 19:321), as :mod:`kompas.monitor.sisre` assumes.
    """
    n, n_b = signal.shape
    precise = np.ones(n, bool) if precise is None else np.asarray(precise, bool)
    out = np.zeros((n, n_b))
    rcv = None
    dh, de, dn = np.asarray(station.antenna_delta_hen_m, dtype=float)
    arp = np.array([de, dn, dh])
    if switches.rcv_antenna and antex is not None and station.antenna_type:
        rcv = _receiver_antenna(antex, station.antenna_type, notes)
    elif switches.rcv_antenna:
        notes.append("no ANTEX file: receiver antenna PCO/PCV not applied (only the ARP eccentricity)")
    sat_ants = _satellite_antennas(sats, t_ns, antex, precise) if switches.sat_antenna else [None] * n
    letters = sat_letter(sats).astype("U1")
    for b in range(n_b):
        has = signal[:, b] != NO_SIGNAL
        if not has.any():
            continue
        digits = signal_band(np.where(has, signal[:, b], 0)).astype(np.int64)
        codes = np.char.add(letters, np.char.zfill(digits.astype("U2"), 2))
        r = np.flatnonzero(has)
        res = _catch(notes, antenna_offsets, codes[r], az[r], el[r], los[r], axes[r], rcv, None, None, arp)
        out[r, b] = res.receiver_m
        rp = r[precise[r]]
        if switches.sat_antenna and rp.size:
            out[rp, b] += _satellite_terms(
                codes[rp], los[rp], axes[rp], [sat_ants[i] for i in rp], nominal[rp], sats[rp], notes
            )
    return out


def _satellite_antennas(sats, t_ns, antex, wanted) -> list:
    """The ANTEX block valid at each ``wanted`` row's time (``Antex.satellite``'s choice, by validity
    period; None elsewhere and where no block of the satellite is valid)."""
    out = np.full(sats.size, None, dtype=object)
    if antex is None:
        return out.tolist()
    t_ns = np.asarray(t_ns, dtype=np.int64)
    for s in np.unique(sats[wanted]).tolist():
        todo = np.flatnonzero(wanted & (sats == s))
        for ant in reversed(antex.satellite_blocks(s)):  # periods overlap: the one started last wins
            ok = ant.valid_at(t_ns[todo])
            out[todo[ok]] = ant
            todo = todo[~ok]
    return out.tolist()


def _satellite_terms(codes, los, axes, ants, nominal, sats, notes) -> np.ndarray:
    """Satellite PCO/PCV along the line of sight; a frequency the block lacks takes the block's first
    frequency of the same system (with a note); nominal block offsets where the ANTEX lacks the satellite."""
    codes = codes.copy()
    subst = set()
    for i, a in enumerate(ants):
        if a is not None and codes[i] not in a.freqs:
            alt = next((c for c in a.freqs if c[0] == codes[i][0]), None)
            if alt is None:
                ants[i] = None
            else:
                subst.add(f"{a.serial or a.type}: {codes[i]}->{alt}")
                codes[i] = alt
    if subst:  # one note for all the bands and blocks of rows
        _note_sats(notes, "satellite antenna frequencies missing in the ANTEX file, another used: ", subst)
    quiet: list[str] = []  # antenna_offsets warns per call; one note per run says which satellites
    res = _catch(
        quiet,
        antenna_offsets,
        codes,
        np.zeros(codes.size),
        np.zeros(codes.size),
        los,
        axes,
        None,
        ants,
        nominal,
    )
    nominal_rows = res.satellite_source == "NOMINAL"
    if nominal_rows.any():
        _note_sats(
            notes,
            "satellites without ANTEX calibration use nominal block offsets (NRCan GPSPACE unless a note "
            "says otherwise; ionosphere-free, no PCV): ",
            _ids(sats[nominal_rows]),
        )
    missing = ~np.isfinite(res.satellite_m)
    if missing.any():
        _note_sats(
            notes,
            "satellites without ANTEX or nominal antenna offsets are not used (an unknown offset of up to "
            "2.6 m): ",
            _ids(sats[missing]),
        )
    return res.satellite_m


def _note_fallback(notes: list, sats, src, t_ns) -> None:
    """Say per system how much of the data the precise products did not serve (broadcast rows), and when
    (receive times ``t_ns``, GPST ns): a product of another day or one without some satellites must not
    pass for a precise solution."""
    letters = sat_letter(sats)
    for letter in sorted(set(letters.tolist())):
        mine = letters == letter
        fallback = mine & (src == SOURCE_BROADCAST)
        n_brdc = int(np.sum(fallback))
        if n_brdc:
            share = 100.0 * n_brdc / int(mine.sum())
            whole = (
                " (none from the precise products: of another day, or without this system?)"
                if n_brdc == mine.sum()
                else ""
            )
            pct = f"{share:.0f}" if share >= 10 else f"{share:.2g}"
            notes.append(
                f"{letter}: {pct} % of the satellite epochs have no precise orbit or clock and use "
                f"broadcast ephemerides ({time_span(t_ns[fallback])}){whole}"
            )


def _note_unserved(notes: list, sats, served, inputs) -> None:
    """Name the systems observed that no precise product and no navigation record serves at all (they
    were left out without a word when the products hold other systems and no navigation file is given)."""
    letters = sat_letter(sats)
    none = sorted(x for x in set(letters.tolist()) if not served[letters == x].any())
    if none and served.any():  # with nothing served at all, the run's coverage message says why
        nav = "no navigation records" if inputs.broadcast is not None else "no navigation file"
        notes.append(f"{', '.join(none)}: no precise orbit or clock and {nav} serve them: not used")


def _note_sats(notes: list, prefix: str, sats) -> None:
    """One note per kind listing every satellite it concerns (the model is evaluated per band)."""
    for i, text in enumerate(notes):
        if text.startswith(prefix):
            old = text[len(prefix) :].split(", ")
            notes[i] = prefix + ", ".join(sorted(set(old) | set(sats)))
            return
    notes.append(prefix + ", ".join(sorted(set(sats))))


def _ids(sats):
    from .satsys import sat_id

    return sat_id(np.asarray(sats)).tolist()


def _receiver_antenna(antex, antenna_type: str, notes: list):
    """The receiver calibration; radome NONE when the radome's is missing (with a note); None if absent."""
    try:
        return antex.receiver(antenna_type)
    except KompasError:  # AntennaNotFoundError
        pass
    model = antenna_type[:16].strip() if len(antenna_type) > 16 else antenna_type.split()[0]
    try:
        ant = antex.receiver(model)
        notes.append(f"receiver antenna {antenna_type!r}: no calibration with its radome; radome NONE used")
        return ant
    except KompasError:  # AntennaNotFoundError
        notes.append(
            f"receiver antenna {antenna_type!r} is not in the ANTEX file: PCO/PCV not applied (expect a "
            "height bias of the size of the antenna's offset, typically 5-15 cm)"
        )
        return None


def continuous_windup(sats, epoch, raw_cycles):
    """Wind-up made continuous along each satellite's rows (Wu et al. 1993: the 2 pi ambiguity resolved
    against the previous epoch with a value), cycles; NaN rows (undefined attitude) stay NaN and are
    stepped over, so a wrap while undefined does not put a cycle into the arc."""
    order = np.lexsort((epoch, sats))
    w = raw_cycles[order]
    s = sats[order]
    n = w.size
    if n == 0:
        return raw_cycles.astype(float)
    # the last row with a value before each row, of the same satellite (-1: none)
    last = np.maximum.accumulate(np.where(np.isfinite(w), np.arange(n), -1))
    prev = np.r_[-1, last[:-1]]
    same = (prev >= 0) & (s[np.maximum(prev, 0)] == s)
    d = np.where(same, w - w[np.maximum(prev, 0)], 0.0)
    k = np.round(np.nan_to_num(d))
    cs = np.cumsum(k)
    start = np.maximum.accumulate(np.where(np.r_[True, s[1:] != s[:-1]], np.arange(s.size), 0))
    out = np.empty_like(raw_cycles)
    out[order] = w - (cs - cs[start])
    return out


BLOCK_ROWS = 20_000
"""Rows of observables whose precise satellite states, geometry, attitude, antenna and troposphere terms
are evaluated together: the temporaries of one block (about 1 kB a row) bound the memory of a long 1-Hz
session instead of growing with it. Each of these terms is a function of its row alone, so the values do
not depend on it (broadcast states are computed in one call: :func:`satellite_states`)."""


def build_rows(
    ob, apriori, station, inputs: ModelInputs, switches: ModelSwitches, elmask_rad: float, glo_channels=None,
    block_rows: int = BLOCK_ROWS,
) -> PreciseRows:  # fmt: skip
    """Evaluate the model for every row of ``ob`` that has a satellite state and is above the mask.

    Parameters
    ----------
    ob : Observables
        Bands as columns (:meth:`kompas.tables.obs.ObsTable.observables`).
    apriori : numpy.ndarray, shape (E, 3)
        A priori marker positions per epoch of ``ob``, ECEF m.
    station : StationInfo
    inputs : ModelInputs
    switches : ModelSwitches
    elmask_rad : float
    glo_channels : GlonassChannels, optional
        Exact GLONASS carriers (rows of GLONASS satellites without a channel are dropped).
    block_rows : int, optional
        Rows evaluated together (:data:`BLOCK_ROWS`); it bounds the memory, not the values.

    Returns
    -------
    PreciseRows
    """
    notes: list[str] = []
    freq = cell_frequencies(ob, glo_channels, notes)
    rows = np.flatnonzero(np.isfinite(freq).any(axis=1))
    t_ep = ob.epoch_time_ns
    llh_ep = ecef_to_geodetic(apriori)
    sun_ep = sun_position_ecef(t_ep)
    disp = station_displacement(t_ep, apriori, switches, inputs, sun_ep, moon_position_ecef(t_ep))
    zhd, zwd, mapping = troposphere_epochs(t_ep, llh_ep, switches, inputs.gpt3)
    geo = _EpochGeometry(apriori, llh_ep, sun_ep, disp, mapping)
    ant_notes: list[str] = []
    step = max(int(block_rows), 1)
    t_rx = t_ep[ob.epoch[rows]]
    states = satellite_states(ob, rows, t_rx, inputs, switches.relativity, step)
    timed = (t_rx, *states)
    blocks = [
        _row_block(ob, rows[b], [a[b] for a in timed], geo, station, inputs, switches, elmask_rad, ant_notes)
        for b in (slice(i, i + step) for i in range(0, max(rows.size, 1), step))
    ]
    del states, timed
    # each key's parts are freed as it is joined: the rows are not held twice
    got = {k: np.concatenate([blk.pop(k) for blk in blocks]) for k in list(blocks[0])}
    has_state, keep = got.pop("has_state"), got.pop("keep")
    _note_unserved(notes, ob.sat[rows], has_state, inputs)
    unsolved = _unsolved_stage(ob, rows, has_state, keep)
    rows, t_rx, epoch, sats, sig, src = (got[k] for k in ("rows", "t_rx", "epoch", "sat", "signal", "source"))
    if inputs.precise is not None:
        _note_fallback(notes, sats, src, t_rx)
    for text in ant_notes:
        note_once(notes, text)
    w = np.zeros(rows.size)
    if switches.windup:
        w = np.nan_to_num(continuous_windup(sats, epoch, got["windup_raw"]))
    code_b, phase_b = 0.0, None  # no bias file: no (R, B) arrays of zeros and NaN
    if switches.osb and inputs.bias is not None and len(inputs.bias):
        code_b, phase_b = observation_biases(
            ob, rows, t_rx, inputs.bias, inputs.clock_reference, notes, inputs.bias_max_age_s, freq[rows]
        )
    biases = (code_b, got.pop("bds2") if switches.bds2_code else None, phase_b)
    code_m, phase_m = _corrected(ob, rows, freq, biases, w, max(int(block_rows), 1))
    return PreciseRows(
        epoch=epoch, sat=sats, code_m=code_m, phase_m=phase_m,
        phase_bias_ok=np.zeros(sig.shape, bool) if phase_b is None else np.isfinite(phase_b),
        freq_hz=freq[rows], signal=sig,
        arc=np.full(sig.shape, -1, np.int64), obs_row=rows, sat_pos=got["pos"],
        range_corr_m=-C_LIGHT * got["clk"] + got["shapiro"] + zhd[epoch] * got["mh"] + zwd[epoch] * got["mw"],
        band_corr_m=got["band_corr"], wet_map=got["mw"], grad_map=got["mg"], az=got["az"], el=got["el"],
        var_eph_m2=got["var"], source=src, displacement=disp, zwd0_m=zwd, zhd_m=zhd, windup_cyc=w,
        notes=tuple(notes), unsolved=unsolved,
    )  # fmt: skip


def _corrected(ob, rows, freq, biases, w, block: int):
    """Code and phase of the rows ``rows`` of ``ob``, m (R, B), without their biases and wind-up.

    ``biases`` is ``(code_b, bds2, phase_b)``: the code biases (a scalar or (R, B)), the BeiDou-2 code
    corrections ((R, B), added to the code, so subtracted as a bias; None when off) and the phase biases
    ((R, B), NaN where none; None without a bias file); ``w`` the wind-up, cycles (R,). Written block by
    block, as element-wise arithmetic gives the same values, to leave no (R, B) temporaries.
    """
    code_b, bds2, phase_b = biases
    code, phase = np.empty((rows.size, freq.shape[1])), np.empty((rows.size, freq.shape[1]))
    for i in range(0, rows.size, block):
        sl, r = slice(i, i + block), rows[i : i + block]
        lam = C_LIGHT / freq[r]
        cb = code_b if np.ndim(code_b) == 0 else code_b[sl]
        code[sl] = ob.code_m[r] - (cb if bds2 is None else cb - bds2[sl])
        pb = 0.0 if phase_b is None else np.nan_to_num(phase_b[sl])
        phase[sl] = ob.phase_cyc[r] * lam - pb - w[sl, None] * lam
    return code, phase


@dataclass(frozen=True)
class _EpochGeometry:
    """Per-epoch inputs of the row model: a priori marker (E, 3), its geodetic coordinates (E, 3), the Sun
    (E, 3), the station displacement (E, 3) and the troposphere mapping (:func:`troposphere_epochs`)."""

    apriori: np.ndarray
    llh: np.ndarray
    sun: np.ndarray
    disp: np.ndarray
    mapping: object


def _row_block(ob, rows, timed, geo: _EpochGeometry, station, inputs, switches, elmask_rad, notes) -> dict:
    """The row terms of the rows ``rows`` of ``ob`` from their receive times and satellite states
    (``timed``: ``t_rx`` then :func:`satellite_states`'s five arrays): ``has_state`` and ``keep`` (above
    the mask) of each, and for the kept rows their indices, times, states and every term that needs the
    geometry."""
    t_rx, *states = timed
    epoch = ob.epoch[rows]  # (not ob.rows(rows): it would copy every column of the block)
    los, el, az = _look_angles(states[0], geo.apriori, geo.llh, epoch)
    has_state = states[4] > 0
    keep = has_state & (el >= elmask_rad)
    rows, t_rx, los, el, az, epoch, sats, sig = (
        a[keep] for a in (rows, t_rx, los, el, az, epoch, ob.sat[rows], ob.signal[rows])
    )
    pos, vel, clk, var, src = (a[keep] for a in states)
    mh, mw = geo.mapping(el, epoch)
    axes, nominal = _attitude_axes(sats, t_rx, pos, vel, geo.sun[epoch], switches, inputs.catalog)
    centre_of_mass = src == SOURCE_PRECISE  # broadcast states and simulated truths are phase centres
    if inputs.precise is not None:
        centre_of_mass &= ~inputs.precise.phase_centres(sats)
    band_corr = antenna_terms(
        sats, t_rx, sig, az, el, los, axes, nominal, station, switches, inputs.antex, notes, centre_of_mass
    )
    rr = geo.apriori[epoch] + geo.disp[epoch]
    out = {
        "has_state": has_state, "keep": keep, "rows": rows, "t_rx": t_rx, "epoch": epoch, "sat": sats,
        "signal": sig, "pos": pos, "clk": clk, "var": var, "source": src, "el": el, "az": az,
        "mh": mh, "mw": mw, "mg": gradient_mapping(el), "band_corr": band_corr,
        "shapiro": shapiro_delay_m(pos, rr, sat_letter(sats)) if switches.shapiro else np.zeros(rows.size),
    }  # fmt: skip
    if switches.windup:
        out["windup_raw"] = windup_cycles(pos, rr, axes[:, 0], axes[:, 1])
    if switches.bds2_code:
        out["bds2"] = bds2_code_correction(
            sats[:, None], signal_band(np.where(sig != NO_SIGNAL, sig, 0)), el[:, None]
        )
    return out


def _unsolved_stage(ob, rows, has_state, kept) -> np.ndarray:
    """Per epoch of ``ob``: why it has no usable rows (no pseudorange of a known carrier, no satellite
    state, all below the mask), else ``TOO_FEW_SATELLITES`` (:class:`kompas.solution.Unsolved`)."""
    from .solution import Unsolved

    n_ep = ob.epoch_time_ns.size
    coded = rows[np.isfinite(ob.code_m[rows]).any(axis=1)]
    stage = np.full(n_ep, Unsolved.NO_OBSERVATIONS, np.uint8)
    for mask, value in ((coded, Unsolved.NO_EPHEMERIS), (rows[has_state], Unsolved.BELOW_MASK),
                        (rows[kept], Unsolved.TOO_FEW_SATELLITES)):  # fmt: skip
        stage[np.bincount(ob.epoch[mask], minlength=n_ep) > 0] = value
    return stage


def _look_angles(sat_pos, apriori, llh_ep, epoch):
    """Unit vectors receiver -> satellite (ECEF), elevation and azimuth (rad) from the a priori positions."""
    d = sat_pos - apriori[epoch]
    los = d / np.linalg.norm(d, axis=1)[:, None]
    rot = enu_rotation(llh_ep[:, 0], llh_ep[:, 1])[epoch]
    enu = np.einsum("rij,rj->ri", rot, los)
    return los, np.arcsin(np.clip(enu[:, 2], -1, 1)), np.arctan2(enu[:, 0], enu[:, 1])


def cell_frequencies(ob, glo_channels, notes):
    """Carrier of every cell (R, B); GLONASS rows without a known channel are NaN (with a note)."""
    glo = sat_system(ob.sat) == SYSTEM_LETTERS.index("R") + 1
    if not glo.any() or glo_channels is None:
        f = ob.frequency_hz()
        if glo.any():
            f[glo] = np.nan
            notes.append(
                "GLONASS observations dropped: no frequency channels (RINEX header or navigation data)"
            )
        return f
    slots = np.unique(sat_prn(ob.sat[glo]))
    known = np.array([int(s) in glo_channels for s in slots])
    if not known.all():
        notes.append(
            "GLONASS slots without a known channel dropped: " + ", ".join(f"R{s:02d}" for s in slots[~known])
        )
    ok_row = ~glo | np.isin(sat_prn(ob.sat), slots[known])
    sig = ob.signal.astype(np.int64)
    cell = ok_row[:, None] & (sig != NO_SIGNAL)
    sats = np.broadcast_to(ob.sat[:, None], sig.shape)
    f = np.full(sig.shape, np.nan)
    f[cell] = carrier_frequency(sats[cell], sig[cell], glo_channels)
    return f


def ephemeris_used(precise_given: bool, source, used, letters) -> str:
    """``precise``, ``broadcast`` or ``precise G, broadcast CE``: where the used rows' orbits and clocks came
    from (``source`` per row, :data:`SOURCE_PRECISE`/:data:`SOURCE_BROADCAST`), per system, as ``kompas rtk``
    writes it in the .pos header."""
    if not precise_given:
        return "broadcast"
    brdc, letters = np.asarray(source) == SOURCE_BROADCAST, np.asarray(letters)
    p, b = ("".join(x for x in SYSTEM_LETTERS if x in set(letters[used & m].tolist())) for m in (~brdc, brdc))
    return "precise" if not b else "broadcast" if not p else f"precise {p}, broadcast {b}"
