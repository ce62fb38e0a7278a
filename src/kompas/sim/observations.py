"""Simulated observations of a static receiver: code, carrier phase, Doppler and C/N0.

For every epoch (receiver time tag t_r, GPST ns) and every simulated satellite above the mask,
on each signal the satellite transmits (:mod:`kompas.sim.signals`):

* receiver clock dt_r(t_r) = offset + drift (t_r - start) + the clock jumps so far; the true
  reception instant is t_r - dt_r;
* light time tau from the iteration tau = |R3(omega_e tau) r_sat(t_r - dt_r - tau) - r_rcv| / c with
  the truth states (:class:`kompas.sim.SimTruth`) at the transmission instant and the Earth rotation
  during the flight applied exactly (the satellite position in the Earth-fixed frame of
  transmission is rotated into the frame of reception, IS-GPS-200N 20.3.3.4.3.3.2), with each
  system's rotation rate; rho = c tau. The satellite position is the point the range is measured
  to: the simulator has no satellite antenna offset, so it is the centre of mass and the antenna
  phase centre at once (:mod:`kompas.sim.products`);
* code (m): ``P = rho + c (dt_r - dt_s) + c d_gd + T + I_f + ISB + IFB + MP + noise``, with the true
  satellite clock dt_s (broadcast reference signal) and the satellite group delay d_gd of the signal
  (consistent with the broadcast TGD/BGD, :meth:`~kompas.sim.SimTruth.group_delay_s`);
* phase (cycles): ``L = (rho + c (dt_r - dt_s) + T - I_f + ISB + IFB_phi + mp + noise) / lambda + N + slips``;
  lambda on GLONASS G1/G2 from the satellite's FDMA channel;
* Doppler (Hz): ``D = -(d rho/dt + c (d dt_r/dt - d dt_s/dt)) / lambda``, the range rate from the
  rotated satellite velocity along the line of sight (clock jumps do not change it);
* C/N0 (dB-Hz): ``32 + 16 sin(el)`` plus a per-band offset (+-0.3 dB noise when noise is on).

Ambiguities: N is an integer per receiver, satellite and signal, drawn uniformly from
[-200000, 200000) by the stream ``[seed, 1, receiver stream]``; it changes only by the injected slips
(:mod:`kompas.sim.events`). Phase - code / lambda is therefore N plus the errors, never re-aligned.

Error terms (:class:`~kompas.sim.errormodel.ErrorModel`), each seeded with its own stream so that
switching one does not change the others:

* troposphere: the zenith hydrostatic and wet delays of Saastamoinen with the standard atmosphere at
  the receiver's height (:func:`kompas.models.troposphere.zenith_delays`) mapped with the Niell (1996)
  hydrostatic and wet functions (:func:`kompas.models.troposphere.niell_mapping`), by default; with
  ``troposphere_model="saastamoinen"`` Saastamoinen's slant form, 1/sin(el) for both parts
  (:func:`kompas.models.troposphere.saastamoinen`, the model kompas's SPP and RTKLIB correct with: their
  closed loop), which is about 12 % above a real mapping function at 5 deg of elevation;
* ionosphere: the GPS Klobuchar model of the navigation header's GPSA/GPSB coefficients
  (IS-GPS-200N 20.3.3.5.2.5) at the receiver as the true L1 delay, scaled by (f_L1/f)^2 =
  40.3 TEC / f^2: code delayed, phase advanced. Both models are smooth fields evaluated at each
  receiver, so two receivers see identical delays at zero baseline and differences that grow with
  the distance;
* receiver inter-system bias: a constant per system added to code and phase;
* GLONASS inter-frequency bias: ``ifb_m_per_channel * k`` on the code and
  ``ifb_phase_m_per_channel * k`` on the phase (Wanninger 2012, GPS Solut. 16:439-447);
* multipath: a sinusoid per satellite and signal (period within ``multipath_period_s``, random
  phase, stream ``[seed, 2, receiver stream]``) of amplitude ``multipath_code_m * scale / sin(el)``
  on the code (``scale`` per signal, :data:`~kompas.sim.errormodel.MULTIPATH_SIGNAL_SCALE`) and
  ``multipath_phase_m / sin(el)`` (a cosine) on the phase;
* phase wind-up (``windup``): Wu et al. (1993) for a north-aligned receiver antenna and satellites in
  the nominal yaw-steering attitude (:func:`kompas.models.attitude.nominal_yaw_frame`; no eclipse or
  orbit-normal modes), :func:`kompas.models.windup.windup_cycles` made continuous along each arc (each
  arc starts within half a cycle of 0), added to the phase in cycles of every carrier;
* solid Earth tide (``solid_tide``): the receiver displaced by
  :func:`kompas.models.tides.solid_earth_tide` (IERS Conventions 2010: decimetres, mostly vertical)
  at each epoch, its range changed by ``-u . d`` (``u`` the line of sight, ``d`` the displacement; the
  second-order term ``|d|^2 / (2 rho)`` is below 1e-8 m); the Doppler is left without the displacement's
  rate (below 1e-4 m/s). The marker of truth.json stays the tide-free one, which a PPP user recovers with
  the tide model on;
* noise: white, ``code_sigma_m / sin(el)`` and ``phase_sigma_m / sin(el)`` (RTKLIB's default
  elevation-dependent error model: 0.3 m code, 3 mm phase). Drawn in chunks of 256 epochs, each
  from the stream ``[seed, 3, receiver stream, chunk]``, so the values of an epoch do not depend
  on how the span is cut into blocks.

The receiver clock and the broadcast-consistent satellite group delays are always present: a
broadcast user removes them (they are not errors). Everything is vectorised over epochs x
satellites x signals of a block (one truth evaluation per light-time iteration).
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from dataclasses import dataclass

import numpy as np

from ..constants import C_LIGHT, SYSTEM_CONSTANTS
from ..errors import ConfigError, KompasWarning, caller_stacklevel
from ..frames import azimuth_elevation, ecef_to_geodetic, enu_rotation
from ..models.attitude import nominal_yaw_frame, sun_position_ecef
from ..models.ephemeris import moon_position_ecef
from ..models.gpt3 import day_of_year
from ..models.ionosphere import F_GPS_L1_HZ, klobuchar_gps
from ..models.tides import solid_earth_tide
from ..models.troposphere import HEIGHT_RANGE_M, niell_mapping, saastamoinen, zenith_delays
from ..models.windup import windup_cycles
from ..satsys import GlonassChannels, carrier_frequency, letters_of, sat_system, signal_id, system_code
from ..tables.obs import ObsHeader, ObsTable
from ..time import NS, gps_utc_offset_s, week_tow
from .errormodel import ErrorModel
from .events import EventState, EventTable, plan_events
from .signals import SIM_SIGNALS, obs_types, sat_letters, satellite_signals

__all__ = ["SIM_SIGNALS", "ErrorModel", "Receiver", "Layout", "ReceiverSim", "simulate_obs", "epoch_tags"]

_CN0_OFFSET_DB = {"2W": -6.0, "6I": 2.0, "1P": 1.0, "5P": 3.0, "5Q": 3.0, "7Q": 2.0, "7I": 1.0, "2C": -1.0}
_NOISE_CHUNK = 256  # epochs per noise stream (block-size invariance)
_BLOCK_ELEMENTS = 1_500_000  # epochs x satellites x signals per block: bounds the memory of a block
_AMB_RANGE = 200_000


@dataclass(frozen=True)
class Receiver:
    """A simulated static receiver.

    Attributes
    ----------
    ecef_m : tuple of float
        True antenna position, ECEF m.
    marker_name, receiver_type, antenna_type : str
        Written into the RINEX header.
    clock_s, drift_sps : float
        Receiver clock offset at the first epoch (s) and its drift (s/s).
    stream : int
        Random stream of this receiver (ambiguities, noise, multipath, events): two receivers of one
        simulation must differ.
    approx_offset_m : float
        Distance of the header's approximate position from the true one, m.
    """

    ecef_m: tuple
    marker_name: str = "KSIM"
    receiver_type: str = "KOMPAS SIM"
    antenna_type: str = "KOMPAS SIM NONE"
    clock_s: float = 1.0e-4
    drift_sps: float = 2.0e-9
    stream: int = 0
    approx_offset_m: float = 3.0

    def __post_init__(self):
        from ..frames import NEAR_SURFACE_M, near_earth_surface

        xyz = np.asarray(self.ecef_m, dtype=float).reshape(-1)
        if not near_earth_surface(xyz):
            lo, hi = (int(v / 1e3) for v in NEAR_SURFACE_M)
            raise ConfigError(
                f"receiver position must be 3 ECEF coordinates in m, {lo}-{hi} km from the geocentre, not "
                f"{[float(v) for v in xyz]} (latitude, longitude and height: kompas.frames.geodetic_to_ecef)"
            )
        object.__setattr__(self, "ecef_m", tuple(float(v) for v in xyz))

    @property
    def xyz(self) -> np.ndarray:
        return np.array(self.ecef_m)


@dataclass(frozen=True)
class Layout:
    """Satellites and their signals, padded to (S, K): what every block of a simulation shares."""

    sats: np.ndarray
    letters: np.ndarray
    sig_code: np.ndarray
    has: np.ndarray
    sig_id: np.ndarray
    lam: np.ndarray
    gd_s: np.ndarray
    omega: np.ndarray
    glo_k: np.ndarray
    channels: GlonassChannels


def _letters(systems) -> str:
    s = "".join(c for c in str(systems).upper() if not c.isspace() and c != ",")
    bad = [c for c in s if c not in SIM_SIGNALS]
    if bad or not s:
        raise ConfigError(f"systems must be letters of {''.join(SIM_SIGNALS)}, not {systems!r}")
    return s


def make_layout(truth, systems: str) -> Layout:
    """The simulated satellites of ``systems`` in the truth, their signals, wavelengths and group delays."""
    letters = _letters(systems)
    codes = [int(system_code(c)) for c in letters]
    sats = np.asarray(truth.sats)[np.isin(sat_system(truth.sats), codes)].astype(np.int16)
    if not sats.size:
        held = letters_of(truth.sats) or "none"
        raise ConfigError(f"the navigation data have no satellite of {systems} (they hold {held})")
    missing = [x for x in letters if int(system_code(x)) not in set(sat_system(sats).tolist())]
    if missing:
        kept = "".join(x for x in letters if x not in missing)
        warnings.warn(
            f"the navigation data have no satellite of {''.join(missing)}: only {kept} simulated",
            KompasWarning,
            stacklevel=caller_stacklevel(),
        )
    per = [satellite_signals(s) for s in sats.tolist()]
    k_max = max((len(p) for p in per), default=1)
    sig_code = np.full((sats.size, k_max), "", dtype="U2")
    for i, p in enumerate(per):
        sig_code[i, : len(p)] = p
    has = sig_code != ""
    sig_id = np.where(has, signal_id(np.where(has, sig_code, "1C")), 0).astype(np.uint8)
    chans = truth.glonass_channels
    freq = np.full(has.shape, np.nan)
    full_sats = np.broadcast_to(sats[:, None], has.shape)
    freq[has] = carrier_frequency(full_sats[has], sig_id[has], chans)
    gd = np.zeros(has.shape)
    gd[has] = truth.group_delay_s(full_sats[has], sig_code[has])
    let = sat_letters(sats)
    glo_k = np.zeros(sats.size)
    glo = let == "R"
    if glo.any():
        glo_k[glo] = chans.channel(sats[glo] % 100)
    omega = np.array([SYSTEM_CONSTANTS[c].omega_e for c in let])
    return Layout(sats, let, sig_code, has, sig_id, C_LIGHT / freq, gd, omega, glo_k, chans)


def epoch_tags(start_ns: int, hours: float, interval_s: float) -> np.ndarray:
    """Epochs ``start + k interval`` with ``k interval < hours``, GPST ns."""
    if not (interval_s > 0 and hours > 0 and np.isfinite(hours) and np.isfinite(interval_s)):
        raise ConfigError("interval_s and hours must be positive")
    n_ep = int(np.ceil(hours * 3600.0 / interval_s - 1e-9))
    return int(start_ns) + np.rint(np.arange(n_ep) * interval_s * NS).astype(np.int64)


def _rotate(xyz, angle):
    """Express Earth-fixed vectors of the transmission frame in the reception frame (R3(angle))."""
    c, s = np.cos(angle), np.sin(angle)
    return np.stack([c * xyz[:, 0] + s * xyz[:, 1], -s * xyz[:, 0] + c * xyz[:, 1], xyz[:, 2]], axis=-1)


def _geometry(truth, layout: Layout, rcv, tags, dtr, elmask_rad):
    """Range, range rate, elevation, azimuth, visibility and satellite clock, each (Eb, S)."""
    n_ep, n_s = tags.size, layout.sats.size
    s = np.broadcast_to(layout.sats[None, :], (n_ep, n_s)).ravel()
    t = np.broadcast_to(tags[:, None], (n_ep, n_s)).ravel()
    d = np.broadcast_to(dtr[:, None], (n_ep, n_s)).ravel()
    om = np.broadcast_to(layout.omega[None, :], (n_ep, n_s)).ravel()
    tau = np.full(s.size, 0.075)
    for _ in range(4):
        st = truth.state(s, t, -d - tau)
        tau = np.linalg.norm(_rotate(st.pos_m, om * tau) - rcv, axis=1) / C_LIGHT
    st = truth.state(s, t, -d - tau)
    p = _rotate(st.pos_m, om * tau)
    v = _rotate(st.vel_mps, om * tau)
    los = p - rcv
    rho = np.linalg.norm(los, axis=1)
    ev = np.einsum("ij,ij->i", los / rho[:, None], v)
    rho_dot = ev / (1.0 + ev / C_LIGHT)  # d(tau)/dt of the reception instant (first order in v/c)
    az, el = azimuth_elevation(p, rcv)
    ok = st.ok & (el >= elmask_rad)
    shape = (n_ep, n_s)
    return {
        "rho": rho.reshape(shape),
        "rho_dot": rho_dot.reshape(shape),
        "el": el.reshape(shape),
        "az": az.reshape(shape),
        "ok": ok.reshape(shape),
        "dts": st.clk_s.reshape(shape),
        "dts_rate": st.clk_rate.reshape(shape),
        "pos": p.reshape(*shape, 3),
    }


def _chunked_normal(seed, stream, e0, e1, tail, n_draws):
    """(n_draws, e1 - e0, *tail) standard normal values; chunk c of 256 epochs from [seed, 3, stream, c]."""
    out = np.empty((n_draws, e1 - e0, *tail))
    for c in range(e0 // _NOISE_CHUNK, (e1 - 1) // _NOISE_CHUNK + 1):
        a = c * _NOISE_CHUNK
        lo, hi = max(a, e0), min(a + _NOISE_CHUNK, e1)
        draw = np.random.default_rng([seed, 3, stream, c]).standard_normal((n_draws, _NOISE_CHUNK, *tail))
        out[:, lo - e0 : hi - e0] = draw[:, lo - a : hi - a]
    return out


class ReceiverSim:
    """The observations of one receiver over a span, produced block by block in time order.

    Parameters
    ----------
    truth : SimTruth or BroadcastTruth
        True satellite orbits, clocks, group delays and GLONASS channels.
    nav : NavData
        Navigation data of the same simulation (its header's GPSA/GPSB drive the ionosphere).
    layout : Layout
    receiver : Receiver
    tags : (E,) int64
        Epochs, GPST ns (:func:`epoch_tags`).
    errors : ErrorModel
    seed : int
    elmask_deg : float
        Elevation mask, degrees.
    user_events : iterable of Event
        Events at given epochs, besides the error model's random ones.
    interval_s : float, optional
        The epoch interval asked for, s (default: the spacing of ``tags``; a file of one epoch still
        declares it).
    """

    def __init__(self, truth, nav, layout, receiver, tags, errors, seed, elmask_deg=5.0, user_events=(),
                 interval_s=None):  # fmt: skip
        self.truth, self.nav, self.layout, self.receiver = truth, nav, layout, receiver
        self.tags, self.errors, self.seed = tags, errors, int(seed)
        self.elmask_rad = np.radians(elmask_deg)
        spacing = float((tags[1] - tags[0]) * 1e-9) if tags.size > 1 else 1.0
        self.interval_s = float(interval_s) if interval_s else spacing  # one epoch: the interval asked for
        self.llh = ecef_to_geodetic(receiver.xyz)
        lo, _ = HEIGHT_RANGE_M
        if errors.troposphere and not self.llh[2] >= lo:
            # Saastamoinen has no delay there (deeper than any ground): the truth says what was simulated
            warnings.warn(
                f"{receiver.marker_name}: the receiver's height {self.llh[2]:.0f} m is below the "
                f"troposphere model's {lo:g} m: no troposphere simulated",
                KompasWarning,
                stacklevel=caller_stacklevel(),
            )
            self.errors = errors = dataclasses.replace(errors, troposphere=False)
        st = receiver.stream
        amb = np.random.default_rng([self.seed, 1, st]).integers(-_AMB_RANGE, _AMB_RANGE, layout.has.shape)
        self.ambiguity = np.where(layout.has, amb, 0).astype(float)
        r = np.random.default_rng([self.seed, 2, st])
        self.mp_period_s = r.uniform(*errors.multipath_period_s, layout.has.shape)
        self.mp_phase0 = r.uniform(0.0, 2 * np.pi, layout.has.shape)
        scale = errors.multipath_signal_scale
        self.mp_scale = np.array(
            [
                [float(scale.get(c + x, 1.0)) for x in row]
                for c, row in zip(layout.letters, layout.sig_code, strict=True)
            ]
        ).reshape(layout.has.shape)
        plan = plan_events(
            errors, layout, tags, self.interval_s, self._clock_no_jumps, self.seed, st, user_events
        )
        self.state = EventState(plan, layout, tags)
        self.kept = ~self.state.outage_epochs
        self.header = self._header()
        self._next = 0
        self._windup_last = np.full(layout.sats.size, np.nan)  # last wind-up of each arc, cycles

    def _clock_no_jumps(self, e):
        return self.receiver.clock_s + self.receiver.drift_sps * ((self.tags[e] - self.tags[0]) * 1e-9)

    def clock_at(self, t_ns) -> np.ndarray:
        """True receiver clock offset at GPST instants ``t_ns`` (receiver time tags), s; jumps included."""
        t = np.asarray(t_ns, np.int64)
        jumps = np.concatenate([[0.0], np.cumsum(self.state.plan.jump_s)])
        k = np.searchsorted(self.tags[self.state.plan.jump_e], t, side="right")
        return self.receiver.clock_s + self.receiver.drift_sps * ((t - self.tags[0]) * 1e-9) + jumps[k]

    def receiver_clock_s(self, e) -> np.ndarray:
        """True receiver clock offset at epoch indices ``e``, s (jumps included)."""
        return self._clock_no_jumps(e) + self.state.clock_jumps_s(np.asarray(e))

    def block_epochs(self) -> int:
        """Epochs per block that keep a block's (epoch, satellite, signal) arrays near 1.5 million values."""
        return max(1, _BLOCK_ELEMENTS // max(self.layout.has.size, 1))

    def blocks(self, block_epochs: int | None = None):
        """Yield the ObsTable of each block, in time order (the receiver can be walked once)."""
        n = self.block_epochs() if block_epochs is None else int(block_epochs)
        if n < 1:
            raise ConfigError(f"block_epochs must be >= 1, not {block_epochs!r}")
        for e0 in range(0, self.tags.size, n):
            yield self.block(e0, min(e0 + n, self.tags.size))

    def block(self, e0: int, e1: int) -> ObsTable:
        """Observations of epochs [e0, e1); blocks must follow each other from epoch 0."""
        if e0 != self._next or not e0 < e1 <= self.tags.size:
            raise ConfigError(f"blocks must follow each other: expected epoch {self._next}, got {e0}..{e1}")
        self._next = e1
        lay = self.layout
        e = np.arange(e0, e1)
        dtr = self.receiver_clock_s(e)
        g = _geometry(self.truth, lay, self.receiver.xyz, self.tags[e0:e1], dtr, self.elmask_rad)
        gap = self.state.gap_mask(e0, e1, g["ok"])
        observed = (g["ok"] & ~gap)[..., None] & lay.has[None] & self.kept[e0:e1, None, None]
        slips, lli = self.state.slips(e0, e1, observed)
        sin_el = np.sin(np.maximum(g["el"], np.radians(1.0)))
        t_rel = (self.tags[e0:e1] - self.tags[0]) * 1e-9
        common, iono = self._atmosphere(g, e0, e1)
        code_b, phase_b = self._biases()
        mp_c, mp_p = self._multipath(t_rel, sin_el)
        noise = self._noise(e0, e1, sin_el)
        base = (g["rho"] + C_LIGHT * (dtr[:, None] - g["dts"]) + common + self._tide(g, e0, e1))[..., None]
        code = base + C_LIGHT * lay.gd_s[None] + iono + code_b + mp_c + noise[0]
        windup = self._windup(g, e0, e1)
        phase = (base - iono + phase_b + mp_p + noise[1]) / lay.lam[None] + self.ambiguity[None] + slips
        phase = phase + (windup[..., None] if self.errors.windup else 0.0)
        dop = -(g["rho_dot"] + C_LIGHT * (self.receiver.drift_sps - g["dts_rate"]))[..., None] / lay.lam[None]
        cn0_off = np.array([_CN0_OFFSET_DB.get(c, 0.0) for c in lay.sig_code.ravel()]).reshape(lay.has.shape)
        cn0 = 32.0 + 16.0 * np.sin(np.maximum(g["el"], 0.0))[..., None] + cn0_off[None] + noise[2]
        return self._table(e0, e1, observed, code, phase, dop, cn0, lli)

    @functools.cached_property
    def _klobuchar(self):
        """The GPS Klobuchar parameters of the navigation data: header GPSA/GPSB (RINEX 2/3) or RINEX 4
        ``> ION`` frames (:class:`kompas.products.ionosphere.BroadcastIonosphere`)."""
        from ..products.ionosphere import BroadcastIonosphere

        params = BroadcastIonosphere(self.nav).parameters.get("GPS_KLOB")
        if params is None:
            raise ConfigError(
                "the simulated ionosphere needs GPS Klobuchar parameters in the navigation data (header "
                "GPSA/GPSB or RINEX 4 ION frames)"
            )
        return params

    def _atmosphere(self, g, e0, e1):
        """Non-dispersive delay (Eb, S) (troposphere and ISB) and ionosphere (Eb, S, K), m."""
        lay, err, ok = self.layout, self.errors, g["ok"]
        common = np.zeros(ok.shape)
        if err.troposphere:
            common += np.where(ok, self._troposphere(np.where(ok, g["el"], 1.0), e0, e1), 0.0)
        if err.isb:
            common += np.array([float(err.isb_m.get(c, 0.0)) for c in lay.letters])[None, :]
        if not err.ionosphere:
            return common, np.zeros((*ok.shape, lay.has.shape[1]))
        coef = self._klobuchar.at(self.tags[e0:e1])[:, None, :]  # (E, 1, 8): the set valid at each epoch
        tow = week_tow(self.tags[e0:e1], "GPS")[1]
        i_l1 = klobuchar_gps(
            coef[..., :4], coef[..., 4:8], self.llh[0], self.llh[1], g["az"], g["el"], tow[:, None]
        )
        scale = (F_GPS_L1_HZ * lay.lam / C_LIGHT) ** 2  # (f_L1 / f)^2
        return common, np.where(ok, i_l1, 0.0)[..., None] * np.where(lay.has, scale, 0.0)[None]

    def _troposphere(self, el, e0, e1):
        """Slant tropospheric delay (Eb, S), m, of :attr:`ErrorModel.troposphere_model`."""
        lat, h = self.llh[0], self.llh[2]
        if self.errors.troposphere_model == "saastamoinen":
            return saastamoinen(lat, h, el)
        zhd, zwd = zenith_delays(lat, h)
        mh, mw = niell_mapping(lat, h, el, day_of_year(self.tags[e0:e1])[:, None])
        return zhd * mh + zwd * mw

    def _tide(self, g, e0, e1):
        """Range change (Eb, S), m, of the receiver's solid Earth tide displacement (0 when off)."""
        if not self.errors.solid_tide:
            return 0.0
        t = self.tags[e0:e1]
        xyz = np.broadcast_to(self.receiver.xyz, (t.size, 3))
        d = solid_earth_tide(xyz, sun_position_ecef(t), moon_position_ecef(t), t)  # (Eb, 3), ECEF
        d_enu = d @ enu_rotation(self.llh[0], self.llh[1]).T
        cos_el = np.cos(g["el"])
        los = (np.sin(g["az"]) * cos_el, np.cos(g["az"]) * cos_el, np.sin(g["el"]))  # unit, ENU
        return -sum(c * d_enu[:, k, None] for k, c in enumerate(los))

    def _windup(self, g, e0, e1):
        """Phase wind-up (Eb, S), cycles, continuous along each arc and across blocks (0 when off)."""
        if not self.errors.windup:
            return 0.0
        n_ep, n_s = g["ok"].shape
        sun = np.repeat(sun_position_ecef(self.tags[e0:e1]), n_s, axis=0)
        pos = g["pos"].reshape(-1, 3)
        axes = nominal_yaw_frame(pos, sun)
        raw = windup_cycles(pos, self.receiver.xyz, axes[:, 0], axes[:, 1]).reshape(n_ep, n_s)
        raw = np.where(g["ok"], raw, np.nan)
        # each value within half a cycle of the one before it on the arc; a new arc starts from raw
        full = np.vstack([self._windup_last[None], raw])
        step = np.diff(full, axis=0)
        k = np.where(np.isfinite(step), np.round(step), 0.0)
        cs = np.cumsum(k, axis=0)
        starts = np.isnan(full[:-1]) & np.isfinite(raw)
        idx = np.where(starts, np.arange(n_ep)[:, None], -1)
        last_start = np.maximum.accumulate(idx, axis=0)
        at_start = np.take_along_axis(cs, np.maximum(last_start, 0), axis=0)
        w = raw - (cs - np.where(last_start >= 0, at_start, 0.0))
        self._windup_last = w[-1]
        return np.nan_to_num(w)

    def _biases(self):
        """GLONASS inter-frequency biases on code and phase, (1, S, 1) m."""
        if not self.errors.glonass_ifb:
            return 0.0, 0.0
        k = self.layout.glo_k[None, :, None]
        return self.errors.ifb_m_per_channel * k, self.errors.ifb_phase_m_per_channel * k

    def _multipath(self, t_rel, sin_el):
        if not self.errors.multipath:
            return 0.0, 0.0
        arg = 2 * np.pi * t_rel[:, None, None] / self.mp_period_s[None] + self.mp_phase0[None]
        inv = 1.0 / sin_el[..., None]
        mp_c = self.errors.multipath_code_m * self.mp_scale[None] * np.sin(arg) * inv
        return mp_c, self.errors.multipath_phase_m * np.cos(arg) * inv

    def _noise(self, e0, e1, sin_el):
        """Code, phase (m) and C/N0 (dB) noise, (3, Eb, S, K)."""
        if not self.errors.noise:
            return np.zeros(3)
        z = _chunked_normal(self.seed, self.receiver.stream, e0, e1, self.layout.has.shape, 3)
        z[0] *= (self.errors.code_sigma_m / sin_el)[..., None]
        z[1] *= (self.errors.phase_sigma_m / sin_el)[..., None]
        z[2] *= 0.3
        return z

    def _table(self, e0, e1, mask, code, phase, dop, cn0, lli) -> ObsTable:
        lay = self.layout
        keep = self.kept[e0:e1]
        tags = self.tags[e0:e1]
        full = mask.shape
        counts = mask.reshape(full[0], -1).sum(axis=1)[keep]
        cn0_r = np.round(cn0[mask], 3).astype(np.float32)
        return ObsTable(
            time_ns=np.broadcast_to(tags[:, None, None], full)[mask].copy(),
            sat=np.broadcast_to(lay.sats[None, :, None], full)[mask].astype(np.int16),
            signal=np.broadcast_to(lay.sig_id[None], full)[mask].copy(),
            code_m=code[mask],
            phase_cyc=phase[mask],
            doppler_hz=np.broadcast_to(dop, full)[mask],
            cn0_dbhz=cn0_r,
            lli=lli[mask],
            ssi=np.clip((cn0_r // 6).astype(np.int64), 1, 9).astype(np.uint8),
            epoch_time_ns=tags[keep].copy(),
            epoch_offsets=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
            epoch_flag=np.zeros(int(keep.sum()), dtype=np.uint8),
            epoch_clock_s=np.full(int(keep.sum()), np.nan),
            header=self.header,
            events=(),
            obs_code_layouts=(self.header.obs_types,),
            path=None,
        )

    def _header(self) -> ObsHeader:
        lay, rcv = self.layout, self.receiver
        rng_pos = np.random.default_rng([self.seed, 5, rcv.stream]).normal(size=3)
        approx = rcv.xyz + rcv.approx_offset_m * rng_pos / np.linalg.norm(rng_pos)
        types = obs_types(lay.sats)
        glo = lay.letters == "R"
        kept = self.tags[self.kept] if self.kept.any() else self.tags[:1]
        return ObsHeader(
            version=3.05,
            system="M" if len(types) > 1 else "".join(types),
            marker_name=rcv.marker_name,
            marker_type="GEODETIC",
            observer="kompas",
            agency="kompas.sim",
            receiver_number=str(rcv.stream),
            receiver_type=rcv.receiver_type,
            receiver_version=f"seed {self.seed}",
            antenna_type=rcv.antenna_type,
            approx_position_m=approx,
            antenna_delta_hen_m=np.zeros(3),
            obs_types=types,
            glonass_channels=GlonassChannels(
                {int(s) % 100: int(k) for s, k in zip(lay.sats[glo], lay.glo_k[glo], strict=True)}
            ),
            time_system="GPS",
            time_of_first_obs_ns=int(kept[0]),
            time_of_last_obs_ns=int(kept[-1]),
            interval_s=self.interval_s,
            leap_seconds=int(gps_utc_offset_s(self.tags[:1])[0]),
            signal_strength_unit="DBHZ",
            comments=("simulated observations (kompas.sim)",),
            program="kompas.sim",
        )

    def events(self) -> EventTable:
        """The events that acted so far (all of them once every block has been produced)."""
        return self.state.table()

    def truth_record(self) -> dict:
        """Receiver truth for truth.json: position, clock model, ambiguities, multipath parameters."""
        lay = self.layout
        s, k = np.nonzero(lay.has)
        from ..satsys import sat_id

        ids = [f"{sat_id(int(lay.sats[i]))} {lay.sig_code[i, j]}" for i, j in zip(s, k, strict=True)]
        rec = self.receiver
        return {
            "ecef_m": list(rec.ecef_m),
            "marker_name": rec.marker_name,
            "receiver_type": rec.receiver_type,
            "stream": rec.stream,
            "clock_s_at_start": rec.clock_s,
            "clock_drift_s_per_s": rec.drift_sps,
            "ambiguity_cycles": dict(zip(ids, self.ambiguity[s, k].astype(int).tolist(), strict=True)),
            "multipath": {
                "zenith_code_amplitude_m": dict(
                    zip(ids, (self.errors.multipath_code_m * self.mp_scale[s, k]).tolist(), strict=True)
                ),
                "period_s": dict(zip(ids, self.mp_period_s[s, k].round(3).tolist(), strict=True)),
                "phase_rad": dict(zip(ids, self.mp_phase0[s, k].round(6).tolist(), strict=True)),
            },
        }


def concat_tables(tables: list[ObsTable]) -> ObsTable:
    """One ObsTable from consecutive blocks of the same receiver (same header)."""
    if len(tables) == 1:
        return tables[0]
    cols = ("time_ns", "sat", "signal", "code_m", "phase_cyc", "doppler_hz", "cn0_dbhz", "lli", "ssi")
    rows = {c: np.concatenate([getattr(t, c) for t in tables]) for c in cols}
    starts = np.cumsum([0] + [len(t) for t in tables[:-1]])
    offs = np.concatenate(
        [tables[0].epoch_offsets[:1]] + [t.epoch_offsets[1:] + s for t, s in zip(tables, starts, strict=True)]
    )
    ep = {
        c: np.concatenate([getattr(t, c) for t in tables])
        for c in ("epoch_time_ns", "epoch_flag", "epoch_clock_s")
    }
    t0 = tables[0]
    return ObsTable(
        **rows,
        **ep,
        epoch_offsets=offs.astype(np.int64),
        header=t0.header,
        events=(),
        obs_code_layouts=t0.obs_code_layouts,
        path=None,
    )


def simulate_obs(
    truth,
    nav,
    receiver_ecef,
    start_ns: int,
    hours: float,
    interval_s: float,
    systems: str = "CRGE",
    errors: ErrorModel | None = None,
    seed: int = 0,
    *,
    elmask_deg: float = 5.0,
    marker_name: str = "KSIM",
    rcv_clock_s: float = 1.0e-4,
    rcv_drift_sps: float = 2.0e-9,
    approx_offset_m: float = 3.0,
) -> ObsTable:
    """Observations of a static receiver (module docstring for the model), as one table.

    Parameters
    ----------
    truth : SimTruth or BroadcastTruth
        From :func:`kompas.sim.make_nav` (true orbits, clocks, group delays, GLONASS channels).
    nav : NavData
        The navigation data of the same call (its header's GPSA/GPSB drive the ionosphere).
    receiver_ecef : array_like, shape (3,)
        True antenna position, ECEF m.
    start_ns : int
        First epoch, GPST ns (receiver time tag).
    hours, interval_s : float
        Span (h; epochs ``start + k interval`` with ``k interval < hours``) and spacing (s).
    systems : str
        System letters among ``"CRGE"``.
    errors : ErrorModel, optional
        Default :meth:`ErrorModel.none`.
    seed : int
        Seed of ambiguities, noise, multipath and events (deterministic).
    elmask_deg : float
        Elevation mask, degrees.
    marker_name : str
    rcv_clock_s, rcv_drift_sps : float
        Receiver clock offset at the first epoch (s) and drift (s/s).
    approx_offset_m : float
        Distance of the header's approximate position from the true one, m.

    Returns
    -------
    ObsTable
        Rows sorted by epoch, satellite and signal; header with approximate position, marker name,
        observation codes and GLONASS channels. (:class:`ReceiverSim` gives the events too.)
    """
    rcv = Receiver(
        tuple(np.asarray(receiver_ecef, float).reshape(3)),
        marker_name=marker_name,
        clock_s=rcv_clock_s,
        drift_sps=rcv_drift_sps,
        approx_offset_m=approx_offset_m,
    )
    tags = epoch_tags(start_ns, hours, interval_s)
    layout = make_layout(truth, systems)
    sim = ReceiverSim(truth, nav, layout, rcv, tags, errors or ErrorModel.none(), seed, elmask_deg,
                      interval_s=interval_s)  # fmt: skip
    return concat_tables(list(sim.blocks()))
