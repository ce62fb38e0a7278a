"""Simulated observations of a static receiver: code, carrier phase, Doppler and C/N0.

For every epoch (receiver time tag t_r, GPST ns) and every simulated satellite above the mask,
on each signal of :data:`SIM_SIGNALS`:

* receiver clock dt_r(t_r) = offset + drift (t_r - start); the true reception instant is
  t_r - dt_r;
* light time tau from the iteration tau = |R3(omega_e tau) r_sat(t_r - dt_r - tau) - r_rcv| / c with
  the truth states (:class:`kompas.sim.SimTruth`) at the transmission instant and the Earth rotation
  during the flight applied exactly (the satellite position in the Earth-fixed frame of
  transmission is rotated into the frame of reception, IS-GPS-200N 20.3.3.4.3.3.2), with each
  system's rotation rate; rho = c tau;
* code (m): ``P = rho + c (dt_r - dt_s) + c d_gd + T + I_f + ISB + IFB + MP + noise``, with the true
  satellite clock dt_s (broadcast reference signal) and the satellite group delay d_gd of the signal
  (consistent with the broadcast TGD/BGD, :meth:`~kompas.sim.SimTruth.group_delay_s`);
* phase (cycles): ``L = (rho + c (dt_r - dt_s) + T - I_f + ISB + IFB + mp + noise) / lambda + N`` with
  an integer ambiguity N per satellite and signal (and integer cycle slips, flagged with LLI bit 0);
  lambda on GLONASS G1/G2 from the satellite's FDMA channel;
* Doppler (Hz): ``D = -(d rho/dt + c (d dt_r/dt - d dt_s/dt)) / lambda``, the range rate from the
  rotated satellite velocity along the line of sight;
* C/N0 (dB-Hz): ``32 + 16 sin(el)`` plus a per-band offset (+-0.3 dB noise when noise is on).

Error terms (:class:`ErrorModel`), each seeded with its own stream so that switching one does not
change the others:

* troposphere: Saastamoinen with the standard atmosphere (:func:`kompas.models.troposphere.saastamoinen`,
  the model kompas's SPP corrects with);
* ionosphere: the GPS Klobuchar model of the navigation header's GPSA/GPSB coefficients
  (IS-GPS-200N 20.3.3.5.2.5) as the true L1 delay, scaled by (f_L1/f)^2 = 40.3 TEC / f^2: code
  delayed, phase advanced;
* receiver inter-system bias: a constant per system added to code and phase (magnitudes of metres
  to tens of metres are typical between GPS, Galileo, BeiDou and GLONASS in mixed receivers);
* GLONASS inter-frequency bias: ``ifb_m_per_channel * k`` on the code and
  ``ifb_phase_m_per_channel * k`` on the phase (code IFBs of decimetres and phase IFBs of millimetres
  per channel step are reported for geodetic receivers, Wanninger 2012, GPS Solut. 16:439-447);
* multipath: a sinusoid per satellite and signal (period 5-20 min, random phase) of amplitude
  ``multipath_code_m / sin(el)`` (phase ``multipath_phase_m / sin(el)``);
* noise: white, ``code_sigma_m / sin(el)`` and ``phase_sigma_m / sin(el)`` (RTKLIB's default
  elevation-dependent error model: 0.3 m code, 3 mm phase);
* cycle slips: Poisson with ``slip_rate_per_hour`` per satellite and signal, integer jumps of 1-20
  cycles.

The receiver clock and the broadcast-consistent satellite group delays are always present: a
broadcast user removes them (they are not errors). Everything is vectorised over epochs x
satellites x signals (one truth evaluation per light-time iteration).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..constants import C_LIGHT, SYSTEM_CONSTANTS
from ..errors import ConfigError
from ..frames import azimuth_elevation, ecef_to_geodetic
from ..models.ionosphere import klobuchar_gps
from ..models.troposphere import saastamoinen
from ..satsys import SYSTEM_LETTERS, GlonassChannels, carrier_frequency, sat_system, signal_id
from ..tables.obs import ObsHeader, ObsTable
from ..time import NS, gps_utc_offset_s, week_tow

__all__ = ["SIM_SIGNALS", "ErrorModel", "simulate_obs"]

SIM_SIGNALS = {
    "C": ("2I", "6I", "1P", "5P"),
    "R": ("1C", "2C"),
    "G": ("1C", "2W", "5Q"),
    "E": ("1C", "5Q", "7Q"),
}
"""Signals simulated per system: BDS B1I, B3I, B1C (pilot), B2a (pilot); GLONASS G1/G2 C/A;
GPS L1 C/A, L2 P(Y) semi-codeless, L5 Q; Galileo E1 C, E5a Q, E5b Q."""

_CN0_OFFSET_DB = {"2W": -6.0, "6I": 2.0, "1P": 1.0, "5P": 3.0, "5Q": 3.0, "7Q": 2.0, "2C": -1.0}


@dataclass(frozen=True)
class ErrorModel:
    """Switches and sizes of the simulated error terms (module docstring for each model).

    Attributes
    ----------
    troposphere, ionosphere, isb, glonass_ifb, multipath, noise, cycle_slips : bool
        Which terms are on.
    isb_m : dict
        Receiver inter-system bias per system letter, m (added to code and phase).
    ifb_m_per_channel : float
        GLONASS code inter-frequency bias per channel number k, m.
    ifb_phase_m_per_channel : float
        GLONASS phase inter-frequency bias per channel number k, m.
    code_sigma_m, phase_sigma_m : float
        Zenith white noise of code and phase, m (grows as 1/sin(el)).
    multipath_code_m, multipath_phase_m : float
        Zenith multipath amplitude of code and phase, m (grows as 1/sin(el)).
    slip_rate_per_hour : float
        Expected cycle slips per satellite, signal and hour.
    """

    troposphere: bool = False
    ionosphere: bool = False
    isb: bool = False
    glonass_ifb: bool = False
    multipath: bool = False
    noise: bool = False
    cycle_slips: bool = False
    isb_m: dict = field(default_factory=lambda: {"G": 0.0, "R": 25.0, "E": 2.5, "C": -8.0})
    ifb_m_per_channel: float = 0.1
    ifb_phase_m_per_channel: float = 0.005
    code_sigma_m: float = 0.3
    phase_sigma_m: float = 0.003
    multipath_code_m: float = 0.2
    multipath_phase_m: float = 0.002
    slip_rate_per_hour: float = 0.5

    @classmethod
    def none(cls) -> ErrorModel:
        """Every error term off (geometry, clocks and broadcast-consistent group delays only)."""
        return cls()

    @classmethod
    def default(cls) -> ErrorModel:
        """Every error term on with its default size, except cycle slips."""
        return cls(troposphere=True, ionosphere=True, isb=True, glonass_ifb=True, multipath=True, noise=True)


def _letters(systems) -> str:
    s = "".join(c for c in str(systems).upper() if not c.isspace() and c != ",")
    bad = [c for c in s if c not in SIM_SIGNALS]
    if bad or not s:
        raise ConfigError(f"systems must be letters of {''.join(SIM_SIGNALS)}, not {systems!r}")
    return s


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
    """Observations of a static receiver (module docstring for the model).

    Parameters
    ----------
    truth : SimTruth
        From :func:`kompas.sim.make_nav` (true orbits, clocks, group delays, GLONASS channels).
    nav : NavData
        The navigation data of the same call (its header's GPSA/GPSB drive the ionosphere).
    receiver_ecef : array_like, shape (3,)
        True antenna position, ECEF m.
    start_ns : int
        First epoch, GPST ns (receiver time tag).
    hours : float
        Span, h; epochs ``start + k interval`` with ``k interval < hours``.
    interval_s : float
        Epoch spacing, s.
    systems : str
        System letters among ``"CRGE"``.
    errors : ErrorModel, optional
        Default :meth:`ErrorModel.none`.
    seed : int
        Seed of ambiguities, noise, multipath and slips (deterministic).
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
        observation codes and GLONASS channels.
    """
    errors = errors or ErrorModel.none()
    letters = _letters(systems)
    if not (interval_s > 0 and hours > 0):
        raise ConfigError("interval_s and hours must be positive")
    rcv = np.asarray(receiver_ecef, dtype=float).reshape(3)
    n_ep = int(np.ceil(hours * 3600.0 / interval_s - 1e-9))
    tags = int(start_ns) + np.rint(np.arange(n_ep) * interval_s * NS).astype(np.int64)
    codes = [SYSTEM_LETTERS.index(c) + 1 for c in letters]
    sats = truth.sats[np.isin(sat_system(truth.sats), codes)]
    n_s = sats.size
    sys_let = np.array(list(" " + SYSTEM_LETTERS))[sat_system(sats)]
    # signals per satellite, sorted by id, padded to (S, K)
    k_max = max(len(SIM_SIGNALS[c]) for c in letters)
    sig_code = np.full((n_s, k_max), "", dtype="U2")
    for c in letters:
        lst = sorted(SIM_SIGNALS[c], key=lambda x: int(signal_id(x)))
        sig_code[sys_let == c, : len(lst)] = lst
    has = sig_code != ""
    sig_id = np.where(has, signal_id(np.where(has, sig_code, "1C")), 0).astype(np.uint8)
    chans = truth.glonass_channels
    freq = np.full((n_s, k_max), np.nan)
    freq[has] = carrier_frequency(np.broadcast_to(sats[:, None], has.shape)[has], sig_id[has], chans)
    lam = C_LIGHT / freq
    gd = np.zeros((n_s, k_max))
    gd[has] = truth.group_delay_s(np.broadcast_to(sats[:, None], has.shape)[has], sig_code[has])

    # geometry: light-time iteration with the truth at transmission, Earth rotation during flight
    t_rel = (tags - tags[0]) * 1e-9
    dtr = rcv_clock_s + rcv_drift_sps * t_rel  # (E,)
    S = np.broadcast_to(sats[None, :], (n_ep, n_s)).ravel()
    T = np.broadcast_to(tags[:, None], (n_ep, n_s)).ravel()
    DTR = np.broadcast_to(dtr[:, None], (n_ep, n_s)).ravel()
    omega = np.array([SYSTEM_CONSTANTS[c].omega_e for c in sys_let])
    OM = np.broadcast_to(omega[None, :], (n_ep, n_s)).ravel()
    tau = np.full(S.size, 0.075)
    for _ in range(4):
        st = truth.state(S, T, -DTR - tau)
        p = _rotate(st.pos_m, OM * tau)
        tau = np.linalg.norm(p - rcv, axis=1) / C_LIGHT
    st = truth.state(S, T, -DTR - tau)
    p = _rotate(st.pos_m, OM * tau)
    v = _rotate(st.vel_mps, OM * tau)
    los = p - rcv
    rho = np.linalg.norm(los, axis=1)
    e = los / rho[:, None]
    ev = np.einsum("ij,ij->i", e, v)
    rho_dot = ev / (1.0 + ev / C_LIGHT)  # d(tau)/dt of the reception instant (first order in v/c)
    az, el = azimuth_elevation(p, rcv)
    ok = st.ok & (el >= np.radians(elmask_deg))
    shape = (n_ep, n_s)
    rho, rho_dot, el, az = (x.reshape(shape) for x in (rho, rho_dot, el, az))
    ok = ok.reshape(shape)
    dts, dts_rate = st.clk_s.reshape(shape), st.clk_rate.reshape(shape)
    sin_el = np.sin(np.maximum(el, np.radians(1.0)))

    # error terms, (E, S) or (E, S, K)
    llh = ecef_to_geodetic(rcv)
    non_disp = np.zeros(shape)  # same for code and phase, m
    if errors.troposphere:
        non_disp += np.where(ok, saastamoinen(llh[0], llh[2], np.where(ok, el, 1.0)), 0.0)
    if errors.isb:
        non_disp += np.array([float(errors.isb_m.get(c, 0.0)) for c in sys_let])[None, :]
    iono = np.zeros((n_ep, n_s, k_max))
    if errors.ionosphere:
        hdr = nav.header.iono_corr or {}
        if "GPSA" not in hdr or "GPSB" not in hdr:
            raise ConfigError("ionosphere needs GPSA/GPSB coefficients in the navigation header")
        tow = week_tow(tags, "GPS")[1]
        i_l1 = klobuchar_gps(hdr["GPSA"], hdr["GPSB"], llh[0], llh[1], az, el, tow[:, None])
        iono = np.where(ok, i_l1, 0.0)[..., None] * (1575.42e6 / np.where(has, freq, 1.0))[None] ** 2
    code_only = np.zeros((1, n_s, k_max))
    phase_only = np.zeros((1, n_s, k_max))
    if errors.glonass_ifb:
        glo = sys_let == "R"
        k = np.zeros(n_s)
        if glo.any():
            k[glo] = chans.channel(sats[glo] % 100)
        code_only = code_only + (errors.ifb_m_per_channel * k)[None, :, None]
        phase_only = phase_only + (errors.ifb_phase_m_per_channel * k)[None, :, None]
    mp_c = np.zeros((n_ep, n_s, k_max))
    mp_p = np.zeros((n_ep, n_s, k_max))
    if errors.multipath:
        r = np.random.default_rng([seed, 2])
        period = r.uniform(300.0, 1200.0, (n_s, k_max))
        phase0 = r.uniform(0.0, 2 * np.pi, (n_s, k_max))
        wave = np.sin(2 * np.pi * t_rel[:, None, None] / period[None] + phase0[None]) / sin_el[..., None]
        mp_c = errors.multipath_code_m * wave
        mp_p = (
            errors.multipath_phase_m
            * np.cos(2 * np.pi * t_rel[:, None, None] / period[None] + phase0[None])
            / sin_el[..., None]
        )
    noise_c = np.zeros((n_ep, n_s, k_max))
    noise_p = np.zeros((n_ep, n_s, k_max))
    cn0_noise = np.zeros((n_ep, n_s, k_max))
    if errors.noise:
        r = np.random.default_rng([seed, 3])
        noise_c = r.normal(0.0, 1.0, (n_ep, n_s, k_max)) * (errors.code_sigma_m / sin_el)[..., None]
        noise_p = r.normal(0.0, 1.0, (n_ep, n_s, k_max)) * (errors.phase_sigma_m / sin_el)[..., None]
        cn0_noise = r.normal(0.0, 0.3, (n_ep, n_s, k_max))
    amb = np.random.default_rng([seed, 1]).integers(-200_000, 200_000, (n_s, k_max)).astype(float)
    slips = np.zeros((n_ep, n_s, k_max))
    lli = np.zeros((n_ep, n_s, k_max), dtype=np.uint8)
    if errors.cycle_slips:
        r = np.random.default_rng([seed, 4])
        p_slip = errors.slip_rate_per_hour * interval_s / 3600.0
        hit = (r.random((n_ep, n_s, k_max)) < p_slip) & ok[..., None]
        size = r.integers(1, 21, hit.shape) * np.where(r.random(hit.shape) < 0.5, -1, 1)
        slips = np.cumsum(np.where(hit, size, 0), axis=0).astype(float)
        lli[hit] = 1

    clock_m = C_LIGHT * (dtr[:, None] - dts)  # (E, S)
    base = (rho + clock_m + non_disp)[..., None]
    code = base + C_LIGHT * gd[None] + iono + code_only + mp_c + noise_c
    phase = (base - iono + phase_only + mp_p + noise_p) / lam[None] + amb[None] + slips
    dop = -(rho_dot + C_LIGHT * (rcv_drift_sps - dts_rate))[..., None] / lam[None]
    cn0_off = np.vectorize(lambda s: _CN0_OFFSET_DB.get(s, 0.0))(sig_code) if sig_code.size else 0.0
    cn0 = 32.0 + 16.0 * np.sin(np.maximum(el, 0.0))[..., None] + cn0_off[None] + cn0_noise

    mask = ok[..., None] & has[None]
    counts = mask.reshape(n_ep, -1).sum(axis=1)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    full = (n_ep, n_s, k_max)
    cn0_r = np.round(cn0[mask], 3).astype(np.float32)
    ssi = np.clip((cn0_r // 6).astype(np.int64), 1, 9).astype(np.uint8)
    rng_pos = np.random.default_rng([seed, 5]).normal(size=3)
    approx = rcv + approx_offset_m * rng_pos / np.linalg.norm(rng_pos)
    obs_types = {
        c: tuple(k + s for s in sorted(SIM_SIGNALS[c], key=lambda x: int(signal_id(x))) for k in "CLDS")
        for c in letters
    }
    glo_present = {int(s) % 100: int(chans.channel(int(s) % 100)) for s in sats if s // 100 == 2}
    header = ObsHeader(
        version=3.05,
        system="M" if len(letters) > 1 else letters,
        marker_name=marker_name,
        marker_type="GEODETIC",
        observer="kompas",
        agency="kompas.sim",
        receiver_number="0",
        receiver_type="KOMPAS SIM",
        receiver_version=f"seed {seed}",
        antenna_type="KOMPAS SIM NONE",
        approx_position_m=approx,
        antenna_delta_hen_m=np.zeros(3),
        obs_types=obs_types,
        glonass_channels=GlonassChannels(glo_present),
        time_system="GPS",
        time_of_first_obs_ns=int(tags[0]),
        time_of_last_obs_ns=int(tags[-1]),
        interval_s=float(interval_s),
        leap_seconds=int(gps_utc_offset_s(tags[:1])[0]),
        signal_strength_unit="DBHZ",
        comments=("simulated observations (kompas.sim.simulate_obs)",),
        program="kompas.sim",
    )
    return ObsTable(
        time_ns=np.broadcast_to(tags[:, None, None], full)[mask].copy(),
        sat=np.broadcast_to(sats[None, :, None], full)[mask].astype(np.int16),
        signal=np.broadcast_to(sig_id[None], full)[mask].copy(),
        code_m=code[mask],
        phase_cyc=phase[mask],
        doppler_hz=dop[mask],
        cn0_dbhz=cn0_r,
        lli=lli[mask],
        ssi=ssi,
        epoch_time_ns=tags,
        epoch_offsets=offsets,
        epoch_flag=np.zeros(n_ep, dtype=np.uint8),
        epoch_clock_s=np.full(n_ep, np.nan),
        header=header,
        events=(),
        obs_code_layouts=(obs_types,),
        path=None,
    )


def _rotate(xyz, angle):
    """Express Earth-fixed vectors of the transmission frame in the reception frame (R3(angle))."""
    c, s = np.cos(angle), np.sin(angle)
    return np.stack([c * xyz[:, 0] + s * xyz[:, 1], -s * xyz[:, 0] + c * xyz[:, 1], xyz[:, 2]], axis=-1)
