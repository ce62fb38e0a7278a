"""Broadcast navigation data for the nominal constellations, and the truth they describe.

The true orbits
    * GPS, Galileo, BeiDou: unperturbed Keplerian motion of the nominal elements
      (:mod:`kompas.sim.constellations`) in the epoch's inertial frame, with a secular node drift
      from J2 (d Omega/dt = -3/2 n J2 (a_e/a)^2 cos i / (1 - e^2)^2; zero for BeiDou GEO), seen from
      the Earth turning at the system's rate. Every broadcast record is built from the *same*
      motion, so evaluating any record (IS-GPS-200N Table 20-IV; Galileo OS SIS ICD 2.0 sec. 5.1.1;
      BDS-SIS-ICD-B1I-3.0 Table 5-11 including the GEO algorithm, whose -5 deg tilted frame the
      record's elements are rotated into) reproduces the truth to floating-point rounding
      (micrometres, tested).
    * GLONASS: the ICD's own force model (central field + J2 in PZ-90, ICD GLONASS FDMA Ed. 5.1
      App. A.3.1.2) without luni-solar terms, integrated with 10 s RK4 steps from the nominal state
      at the epoch (nodes every 5 min, queries propagated from the nearest node). Records every
      30 min (t_b at minutes 15 and 45 of UTC(SU)) carry the true state at t_b and zero
      luni-solar accelerations; the broadcast evaluation (60 s RK4 steps over at most 15 min)
      agrees with the truth to well below 1 mm (tested).

Clocks
    Kepler systems: af0 (uniform +-0.5 ms) and af1 (+-5e-12 s/s), af2 = 0, seeded; the truth clock is
    af0 + af1 (t - epoch) plus the relativistic term F e sqrt(A) sin E (the same term kompas adds
    to a broadcast clock). GLONASS: -tau_n (+-0.3 ms) and gamma_n (integer multiples of 2^-40 up
    to +-5), clock = -tau_n + gamma_n (t - t_b) (ICD sec. 4.4 immediate data).

Messages
    GPS LNAV every 2 h (toe on even GPS hours, toc = toe, IODE = IODC mod 256, URA 2.0 m, fit
    4 h, transmitted 2 h before toe); Galileo I/NAV every 10 min (IODnav, SISA 3.12 m, data
    sources 517 = E1-B + E5b-I + E5b/E1 clock); BeiDou D1 (MEO/IGSO) and D2 (GEO) every hour on
    BDT hours (AODE/AODC 1, URA 2.0 m). All healthy (0). Group delays (``group_delays=True``):
    GPS TGD, Galileo BGD(E5a/E1) and BGD(E5b/E1), BeiDou TGD1 and TGD2, normal with 3 ns RMS,
    the same in every record of a satellite; :meth:`SimTruth.group_delay_s` gives the resulting
    per-signal delay.

Signal-in-space error
    ``sis_error_m`` > 0 gives each satellite a constant radial, along-track and cross-track orbit
    offset and a clock offset (each normal with that RMS, in metres; along/cross axes from the
    Earth-fixed velocity) that the truth has and the broadcast records do not.

Header
    ``IONOSPHERIC CORR`` GPSA/GPSB, BDSA/BDSB and GAL as broadcast on 2026-04-30 (the first, untagged
    records of BRDC00WRD_R_20261200800_06H_MN.rnx, data set D), and the leap seconds of the start.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import fields as dc_fields

import numpy as np

from ..constants import BDS_GEO_INCLINATION_RAD, C_LIGHT, GLONASS_AE, GLONASS_J2, SYSTEM_CONSTANTS
from ..errors import ConfigError
from ..products.glonass import propagate
from ..products.kepler import solve_kepler
from ..products.state import SatState, Status, as_query
from ..satsys import GlonassChannels, band_frequency, is_bds_geo, sat_system
from ..tables.nav import (
    NAT_NS,
    EopTable,
    GlonassEph,
    IonoCorr,
    IonTable,
    KeplerEph,
    LeapSeconds,
    NavData,
    NavHeader,
    SbasEph,
    StoTable,
    empty_table,
)
from ..time import NS, gps_utc_offset_s, to_datetime64, week_tow

__all__ = ["SimTruth", "make_nav", "IONO_CORR"]

IONO_CORR = {
    "GPSA": np.array([2.2352e-08, 1.4901e-08, -1.1921e-07, -5.9605e-08]),
    "GPSB": np.array([1.2493e05, 6.5536e04, -1.9661e05, 6.5536e04]),
    "BDSA": np.array([3.2596e-08, 6.7055e-08, -1.0133e-06, 1.5497e-06]),
    "BDSB": np.array([1.1264e05, 2.6214e05, -3.9322e05, 6.5536e04]),
    "GAL": np.array([9.0500e01, 3.2030e-01, 1.3640e-02, 0.0]),
}
"""Header ionosphere coefficients (file units) of BRDC00WRD_R_20261200800_06H_MN.rnx (set D)."""

_GLO_NODE_S = 300.0
_GLO_TRUTH_STEP_S = 10.0
_GLO_TB_S = 1800.0
_KEP_INTERVAL_S = {"G": 7200.0, "E": 600.0, "C": 3600.0}
_WEEK_SYS = {"G": "GPS", "E": "GPS", "C": "BDS"}  # RINEX aligns the Galileo week to GPS
_MSG = {"G": "LNAV", "E": "INAV"}
_TWO_PI = 2.0 * np.pi


def _consts(letters, attr):
    return np.array([getattr(SYSTEM_CONSTANTS[x], attr) for x in letters])


def _anomalies(m, e):
    """Eccentric anomaly and the usual helpers: (E, sin E, cos E, 1 - e cos E, sqrt(1 - e^2))."""
    ecc = solve_kepler(m, e)
    sin_e, cos_e = np.sin(ecc), np.cos(ecc)
    return ecc, sin_e, cos_e, 1.0 - e * cos_e, np.sqrt(1.0 - e * e)


def _rot_z_passive(theta):
    c, s = np.cos(theta), np.sin(theta)
    z, o = np.zeros_like(c), np.ones_like(c)
    return np.stack([np.stack([c, s, z], -1), np.stack([-s, c, z], -1), np.stack([z, z, o], -1)], -2)


@dataclass(frozen=True)
class _KeplerTruth:
    sat: np.ndarray
    a: np.ndarray
    e: np.ndarray
    inc: np.ndarray
    raan: np.ndarray
    argp: np.ndarray
    m0: np.ndarray
    raan_dot: np.ndarray
    gm: np.ndarray
    omega_e: np.ndarray
    f_rel: np.ndarray
    af0: np.ndarray
    af1: np.ndarray


class SimTruth:
    """The true satellite orbits and clocks behind simulated broadcast data.

    Built by :func:`make_nav`; evaluated like a product (:meth:`state`). Attributes: ``epoch_ns``
    (GPST ns of the elements and clock references), ``sats`` (int16 indices), ``sis_rac_m``
    ((N, 3) radial/along/cross offsets, m), ``sis_clk_m`` (clock offsets, m),
    ``glonass_channels`` (:class:`~kompas.satsys.GlonassChannels`) and ``group_delays``
    (dict of per-satellite broadcast group delays, s, keyed by field name).
    """

    def __init__(self, epoch_ns, kep, glo_nodes_t, glo_nodes, glo_sat, glo_clk, sis, channels, gd):
        self.epoch_ns = int(epoch_ns)
        self._kep = kep
        self._glo_t = glo_nodes_t  # (T,) int64
        self._glo_x = glo_nodes  # (T, S, 6)
        self._glo_sat = glo_sat  # (S,) int16
        self._glo_clk = glo_clk  # (S, 2): clock at epoch (s), gamma (s/s)
        self.sats = np.sort(np.concatenate([kep.sat, glo_sat]))
        self.sis_rac_m = sis[:, :3]
        self.sis_clk_m = sis[:, 3]
        self.glonass_channels = channels
        self.group_delays = gd

    # ------------------------------------------------------------------------------------------
    def orbit_state(self, sats, t_gpst_ns, offset_s=0.0) -> SatState:
        """True orbits and clocks without the signal-in-space offsets (what the records describe)."""
        s, t, o = as_query(sats, t_gpst_ns, offset_s)
        out = SatState.empty(s.size)
        kp = self._kep
        j = np.searchsorted(kp.sat, s)
        jk = np.minimum(j, max(kp.sat.size - 1, 0))
        is_k = (kp.sat.size > 0) & (kp.sat[jk] == s) if kp.sat.size else np.zeros(s.size, bool)
        if np.any(is_k):
            q = np.flatnonzero(is_k)
            self._kepler(jk[q], t[q], o[q], out, q)
        g = np.searchsorted(self._glo_sat, s)
        gk = np.minimum(g, max(self._glo_sat.size - 1, 0))
        is_g = (self._glo_sat[gk] == s) if self._glo_sat.size else np.zeros(s.size, bool)
        if np.any(is_g):
            q = np.flatnonzero(is_g)
            self._glonass(gk[q], t[q], o[q], out, q)
        return out

    def state(self, sats, t_gpst_ns, offset_s=0.0) -> SatState:
        """True satellite states at ``t_gpst_ns + offset_s``: the orbit the broadcast records describe
        plus the signal-in-space offsets.

        Parameters
        ----------
        sats : array_like
            Satellite ids or indices.
        t_gpst_ns : array_like of int64
            GPST ns.
        offset_s : array_like of float
            Added to the instants, s.

        Returns
        -------
        SatState
            ECEF position (m) and velocity (m/s) in the frame of the evaluation instant, clock (s,
            broadcast reference signal), clock rate; status NO_EPHEMERIS for satellites not simulated.
        """
        s, t, o = as_query(sats, t_gpst_ns, offset_s)
        st = self.orbit_state(s, t, o)
        if not np.any(self.sis_rac_m) and not np.any(self.sis_clk_m):
            return st
        k = np.minimum(np.searchsorted(self.sats, s), self.sats.size - 1)
        known = self.sats[k] == s
        rac = np.where(known[:, None], self.sis_rac_m[k], 0.0)
        r, v = st.pos_m, st.vel_mps
        ur = r / np.linalg.norm(r, axis=1)[:, None]
        h = np.cross(r, v)
        uc = h / np.linalg.norm(h, axis=1)[:, None]
        ua = np.cross(uc, ur)
        pos = r + rac[:, :1] * ur + rac[:, 1:2] * ua + rac[:, 2:3] * uc
        clk = st.clk_s + np.where(known, self.sis_clk_m[k], 0.0) / C_LIGHT
        return SatState(pos, st.vel_mps, clk, st.clk_rate, st.var_m2, st.status)

    def group_delay_s(self, sats, signals) -> np.ndarray:
        """Satellite group delay of each (satellite, signal) relative to the broadcast reference clock, s.

        The code of that signal is late by this much: a user applying the broadcast group delays
        (:meth:`kompas.products.broadcast.BroadcastProduct.state` with ``signal=``) removes it.
        GPS: gamma TGD with gamma = (f_L1 / f)^2 (IS-GPS-200N 20.3.3.3.3.2; on L5 this is the
        dispersive assumption kompas applies to LNAV, IS-GPS-705 would add CNAV ISCs); Galileo, with
        the I/NAV (E1/E5b) clock as reference (OS SIS ICD 2.0 5.1.5): BGD(E5b/E1) on E1,
        (f_E1/f_E5b)^2 BGD(E5b/E1) on E5b, and on E5a BGD(E5b/E1) + ((f_E1/f_E5a)^2 - 1) BGD(E5a/E1)
        (the E5a delay that makes the F/NAV relation hold; kompas's broadcast product applies 0 to
        E5a with I/NAV records); BeiDou: TGD1 on B1I, TGD2 on B2I, 0 on B3I (BDS-SIS-ICD-B1I-3.0
        5.2.4.10) and 0 on B1C/B2a (their delays are broadcast only in CNAV messages, not
        simulated); GLONASS: 0.

        Parameters
        ----------
        sats : array_like of int
            Satellite indices.
        signals : array_like of str
            Signal codes (``"2I"``), broadcast against ``sats``.
        """
        s, sig = np.broadcast_arrays(np.asarray(sats, dtype=np.int64), np.asarray(signals, dtype="U3"))
        band = np.array([str(x)[-2] for x in sig.ravel()]).reshape(s.shape) if s.size else sig
        out = np.zeros(s.shape)
        gd = self.group_delays
        k = np.minimum(np.searchsorted(gd["sat"], s), max(gd["sat"].size - 1, 0))
        if not gd["sat"].size:
            return out
        known = gd["sat"][k] == s
        sysc = s // 100
        f = band_frequency
        for b in ("1", "2", "5"):
            m = known & (sysc == 1) & (band == b)
            out[m] = (f("G", "1") / f("G", b)) ** 2 * gd["tgd_s"][k[m]]
        m = known & (sysc == 3)
        out[m & (band == "1")] = gd["bgd_e5b_e1_s"][k[m & (band == "1")]]
        mm = m & (band == "7")
        out[mm] = (f("E", "1") / f("E", "7")) ** 2 * gd["bgd_e5b_e1_s"][k[mm]]
        mm = m & (band == "5")  # E5a relative to the I/NAV (E1/E5b) clock: BGD_b + (gamma_5a - 1) BGD_a
        g5 = (f("E", "1") / f("E", "5")) ** 2
        out[mm] = gd["bgd_e5b_e1_s"][k[mm]] + (g5 - 1.0) * gd["bgd_e5a_e1_s"][k[mm]]
        m = known & (sysc == 4)
        out[m & (band == "2")] = gd["tgd1_s"][k[m & (band == "2")]]
        out[m & (band == "7")] = gd["tgd2_s"][k[m & (band == "7")]]
        return out

    # ------------------------------------------------------------------------------------------
    def _kepler(self, j, t, o, out, q):
        kp = self._kep
        dt = (t - self.epoch_ns) * 1e-9 + o
        a, e, inc = kp.a[j], kp.e[j], kp.inc[j]
        n = np.sqrt(kp.gm[j] / a**3)
        m = kp.m0[j] + n * dt
        _, sin_e, cos_e, one, sq = _anomalies(m, e)
        nu = np.arctan2(sq * sin_e, cos_e - e)
        u = kp.argp[j] + nu
        r = a * one
        e_dot = n / one
        u_dot = e_dot * sq / one
        r_dot = a * e * sin_e * e_dot
        xp, yp = r * np.cos(u), r * np.sin(u)
        xpd = r_dot * np.cos(u) - yp * u_dot
        ypd = r_dot * np.sin(u) + xp * u_dot
        om_dot = kp.raan_dot[j]
        om = kp.raan[j] + om_dot * dt
        co, so, ci, si = np.cos(om), np.sin(om), np.cos(inc), np.sin(inc)
        x = xp * co - yp * ci * so
        y = xp * so + yp * ci * co
        z = yp * si
        vx = xpd * co - ypd * ci * so - om_dot * y
        vy = xpd * so + ypd * ci * co + om_dot * x
        vz = ypd * si
        # inertial -> Earth-fixed: rotate by the angle the Earth turned since the epoch
        w = kp.omega_e[j]
        th = w * dt
        c, s = np.cos(th), np.sin(th)
        xe, ye = c * x + s * y, -s * x + c * y
        vxe = c * vx + s * vy + w * ye
        vye = -s * vx + c * vy - w * xe
        out.pos_m[q] = np.stack([xe, ye, z], -1)
        out.vel_mps[q] = np.stack([vxe, vye, vz], -1)
        sqa = np.sqrt(a)
        out.clk_s[q] = kp.af0[j] + kp.af1[j] * dt + kp.f_rel[j] * e * sqa * sin_e
        out.clk_rate[q] = kp.af1[j] + kp.f_rel[j] * e * sqa * cos_e * e_dot
        out.status[q] = Status.OK

    def _glonass(self, j, t, o, out, q):
        tq = t + np.rint(o * 1e9).astype(np.int64)
        node = np.rint((tq - self._glo_t[0]) / (_GLO_NODE_S * NS)).astype(np.int64)
        inside = (node >= 0) & (node < self._glo_t.size)
        node = np.clip(node, 0, self._glo_t.size - 1)
        x0 = self._glo_x[node, j]
        dt = (t - self._glo_t[node]) * 1e-9 + o
        # each row takes ceil(|dt| / 10 s) steps of its own, whatever else is in the query, so a state
        # does not depend on how the queries are grouped (propagate steps every row alike)
        n_steps = np.ceil(np.abs(dt) / _GLO_TRUTH_STEP_S).astype(np.int64)
        pos, vel = np.empty((j.size, 3)), np.empty((j.size, 3))
        for n in np.unique(n_steps).tolist():
            m = n_steps == n
            pos[m], vel[m] = propagate(
                x0[m, :3], x0[m, 3:], np.zeros((int(m.sum()), 3)), dt[m], max_step_s=_GLO_TRUTH_STEP_S
            )
        de = (t - self.epoch_ns) * 1e-9 + o
        qi = q[inside]
        out.pos_m[qi], out.vel_mps[qi] = pos[inside], vel[inside]
        out.clk_s[qi] = (self._glo_clk[j, 0] + self._glo_clk[j, 1] * de)[inside]
        out.clk_rate[qi] = self._glo_clk[j, 1][inside]
        out.status[qi] = Status.OK
        out.status[q[~inside]] = Status.OUTSIDE_FIT


# ----------------------------------------------------------------------------------------------


def _grid(start_ns, end_ns, system, interval_s):
    """Reference epochs on a system's time-of-week grid covering [start - interval, end + interval]."""
    _, tow = week_tow(np.array([start_ns], dtype=np.int64), system)
    step = round(interval_s * NS)
    t0 = start_ns - round(tow[0] * NS) % step - step
    n = int((end_ns + step - t0) // step) + 1
    return t0 + step * np.arange(n, dtype=np.int64)


def _raan_dot(a, e, inc, gm):
    n = np.sqrt(gm / a**3)
    return -1.5 * n * GLONASS_J2 * (GLONASS_AE / a) ** 2 * np.cos(inc) / (1.0 - e * e) ** 2


def make_nav(
    elements: dict,
    start_ns: int,
    hours: float,
    sis_error_m: float = 0.0,
    seed: int = 0,
    *,
    group_delays: bool = True,
) -> tuple[NavData, SimTruth]:
    """Broadcast navigation data and the truth for the nominal constellations.

    Parameters
    ----------
    elements : dict
        From :func:`kompas.sim.nominal_elements` (its ``epoch_ns`` is the reference of the truth).
    start_ns, hours : int, float
        Start (GPST ns) and length (h) of the span; records cover it with one update interval of
        margin on each side.
    sis_error_m : float
        RMS of each signal-in-space offset component (radial, along, cross, clock), m.
    seed : int
        Seed of the clocks, group delays and offsets (deterministic).
    group_delays : bool
        Broadcast non-zero group delays (GPS TGD, Galileo BGDs, BeiDou TGD1/TGD2); False writes 0.

    Returns
    -------
    (NavData, SimTruth)
        Header, Kepler records (GPS LNAV, Galileo I/NAV, BeiDou D1/D2), GLONASS records; the truth.

    Raises
    ------
    ConfigError
        For a non-positive span or a negative ``sis_error_m``.
    """
    if not hours > 0 or not np.isfinite(hours):
        raise ConfigError(f"hours must be positive, not {hours!r}")
    if not sis_error_m >= 0:
        raise ConfigError(f"sis_error_m must be >= 0, not {sis_error_m!r}")
    rng = np.random.default_rng(seed)
    start_ns = int(start_ns)
    end_ns = start_ns + round(hours * 3600.0 * NS)
    epoch = int(elements["epoch_ns"])
    sat = np.asarray(elements["sat"], dtype=np.int16)
    letters = np.array(list(" GRECJSI"))[sat_system(sat)]
    n_sat = sat.size
    # seeded per-satellite quantities, drawn in a fixed order for every satellite
    af0 = rng.uniform(-5e-4, 5e-4, n_sat)
    af1 = rng.uniform(-5e-12, 5e-12, n_sat)
    gamma = rng.integers(-5, 6, n_sat) * 2.0**-40
    gd = rng.normal(0.0, 3e-9, (n_sat, 2)) * (1.0 if group_delays else 0.0)
    gd = np.round(gd, 11)  # 0.01 ns: what a RINEX writer keeps exactly
    sis = rng.normal(0.0, 1.0, (n_sat, 4)) * float(sis_error_m)

    kep_m = np.isin(letters, ["G", "E", "C"])
    geo = is_bds_geo(sat)
    kep, raan_dot = _kepler_truth(elements, kep_m, letters, geo, af0, af1)
    gdd = _group_delay_table(sat, letters, gd)
    glo_m = letters == "R"
    glo_sat = sat[glo_m]
    channels = GlonassChannels(
        {int(s) % 100: int(k) for s, k in zip(glo_sat, elements["glo_channel"][glo_m], strict=True)}
    )
    t_lo, t_hi = min(start_ns, epoch) - int(3600 * NS), max(end_ns, epoch) + int(3600 * NS)
    nodes_t, nodes = _glonass_nodes(elements, glo_m, epoch, t_lo, t_hi)  # GLONASS truth nodes
    glo_clk = np.stack([af0[glo_m] * 0.6, gamma[glo_m]], -1)
    truth = SimTruth(epoch, kep, nodes_t, nodes, glo_sat, glo_clk, sis, channels, gdd)

    kepler = _kepler_records(elements, kep_m, letters, geo, af0, af1, gd, raan_dot, epoch, start_ns, end_ns)
    kinds = {"glonass": GlonassEph, "sbas": SbasEph, "sto": StoTable, "eop": EopTable, "ion": IonTable}
    tables = {name: empty_table(cls) for name, cls in kinds.items()}
    if glo_sat.size:
        tables["glonass"] = _glonass_records(truth, glo_sat, channels, start_ns, end_ns)
    return NavData(header=_nav_header(start_ns), kepler=kepler, **tables), truth


def _kepler_truth(elements, kep_m, letters, geo, af0, af1):
    """Truth of the Kepler systems (J2 node drift except BDS GEO) and the node rates of every satellite."""
    sat = np.asarray(elements["sat"], dtype=np.int16)
    a, e, inc = elements["a_m"], elements["e"], elements["i_rad"]
    gm_all = np.array([SYSTEM_CONSTANTS[x].gm for x in letters])
    om_all = np.array([SYSTEM_CONSTANTS[x].omega_e for x in letters])
    raan_dot = np.where(geo, 0.0, _raan_dot(a, e, inc, gm_all))
    kep = _KeplerTruth(
        sat[kep_m], a[kep_m], e[kep_m], inc[kep_m], elements["raan_rad"][kep_m], elements["argp_rad"][kep_m],
        elements["m0_rad"][kep_m], raan_dot[kep_m], gm_all[kep_m], om_all[kep_m],
        _consts(letters[kep_m], "f_rel"), af0[kep_m], af1[kep_m],
    )  # fmt: skip
    return kep, raan_dot


def _group_delay_table(sat, letters, gd) -> dict:
    """Broadcast group delays per satellite (s) by field name; 0 where a system has no such field."""
    return {
        "sat": sat,
        "tgd_s": np.where(letters == "G", gd[:, 0], 0.0),
        "bgd_e5a_e1_s": np.where(letters == "E", gd[:, 0], 0.0),
        "bgd_e5b_e1_s": np.where(letters == "E", gd[:, 1], 0.0),
        "tgd1_s": np.where(letters == "C", gd[:, 0], 0.0),
        "tgd2_s": np.where(letters == "C", gd[:, 1], 0.0),
    }


def _nav_header(start_ns) -> NavHeader:
    leap = int(gps_utc_offset_s(np.array([start_ns]))[0])
    return NavHeader(
        version=3.05,
        file_type="N",
        system="M",
        program="kompas.sim",
        run_by="kompas",
        comments=("simulated broadcast ephemerides (kompas.sim.make_nav)",),
        iono_corr={k: v.copy() for k, v in IONO_CORR.items()},
        iono_corr_records=tuple(IonoCorr(k, v.copy()) for k, v in IONO_CORR.items()),
        time_corr={},
        leap_seconds=LeapSeconds(leap),
        other={},
    )


def _glonass_nodes(elements, glo_m, epoch, t_lo, t_hi):
    """True GLONASS states every 5 min over [t_lo, t_hi] (T, S, 6), integrated from the epoch."""
    step = int(_GLO_NODE_S * NS)
    n_back = -(-(epoch - t_lo) // step)
    n_fwd = -(-(t_hi - epoch) // step)
    t = epoch + step * np.arange(-n_back, n_fwd + 1, dtype=np.int64)
    s = int(np.count_nonzero(glo_m))
    out = np.zeros((t.size, s, 6))
    if s == 0:
        return t, out
    gm, w = SYSTEM_CONSTANTS["R"].gm, SYSTEM_CONSTANTS["R"].omega_e
    a, e, inc = elements["a_m"][glo_m], elements["e"][glo_m], elements["i_rad"][glo_m]
    ecc = solve_kepler(elements["m0_rad"][glo_m], e)
    one = 1.0 - e * np.cos(ecc)
    sq = np.sqrt(1.0 - e * e)
    nu = np.arctan2(sq * np.sin(ecc), np.cos(ecc) - e)
    u = elements["argp_rad"][glo_m] + nu
    r = a * one
    n = np.sqrt(gm / a**3)
    e_dot = n / one
    r_dot = a * e * np.sin(ecc) * e_dot
    u_dot = e_dot * sq / one
    xp, yp = r * np.cos(u), r * np.sin(u)
    xpd, ypd = r_dot * np.cos(u) - yp * u_dot, r_dot * np.sin(u) + xp * u_dot
    om = elements["raan_rad"][glo_m]
    co, so, ci, si = np.cos(om), np.sin(om), np.cos(inc), np.sin(inc)
    pos = np.stack([xp * co - yp * ci * so, xp * so + yp * ci * co, yp * si], -1)
    vel = np.stack([xpd * co - ypd * ci * so, xpd * so + ypd * ci * co, ypd * si], -1)
    # Earth-fixed velocity at the epoch (frames coincide): v_e = v_i - w x r
    vel = vel + w * np.stack([pos[:, 1], -pos[:, 0], np.zeros(s)], -1)
    acc = np.zeros((s, 3))
    k0 = n_back
    out[k0] = np.concatenate([pos, vel], -1)
    p, v = pos, vel
    for k in range(k0 + 1, t.size):
        p, v = propagate(p, v, acc, _GLO_NODE_S, max_step_s=_GLO_TRUTH_STEP_S)
        out[k] = np.concatenate([p, v], -1)
    p, v = pos, vel
    for k in range(k0 - 1, -1, -1):
        p, v = propagate(p, v, acc, -_GLO_NODE_S, max_step_s=_GLO_TRUTH_STEP_S)
        out[k] = np.concatenate([p, v], -1)
    return t, out


def _glonass_records(truth, glo_sat, channels, start_ns, end_ns):
    """State-vector records every 30 min, t_b at minutes 15 and 45 of UTC(SU) (= of UTC)."""
    leap = int(gps_utc_offset_s(np.array([start_ns]))[0])
    step = int(_GLO_TB_S * NS)
    utc0 = start_ns - leap * NS
    first = utc0 - (utc0 - 900 * NS) % step - step
    n = int((end_ns - leap * NS + step - first) // step) + 1
    tb = first + step * np.arange(n, dtype=np.int64) + leap * NS
    if np.any(gps_utc_offset_s(tb) != leap):
        raise ConfigError("simulated span crosses a leap second; GLONASS records are not supported there")
    s = np.repeat(glo_sat, tb.size)
    t = np.tile(tb, glo_sat.size)
    st = truth.orbit_state(s, t)
    tof = t - 900 * NS
    utc_day = (to_datetime64(tof, "UTC").astype(np.int64) % (86400 * NS)) / 1e9
    nan = np.full(s.size, np.nan)
    return GlonassEph(
        sat=s.astype(np.int16),
        toc_ns=t,
        minus_tau_n_s=st.clk_s,
        gamma_n=st.clk_rate,
        tk_s=utc_day,
        tof_ns=tof,
        pos_m=st.pos_m,
        vel_mps=st.vel_mps,
        acc_mps2=np.zeros((s.size, 3)),
        health=np.zeros(s.size),
        freq_channel=channels.channel(s % 100).astype(np.int8),
        age_days=np.zeros(s.size),
        status_flags=nan.copy(),
        # the simulated G2 signal leaves with G1 (no group delay): 0, not RINEX's "unknown" 0.9999e9, which
        # RTKLIB-EX applies as a delay (its GLONASS SPP on a simulated hour: 74 of 120 epochs, 41 m 3D RMS)
        delta_tau_s=np.zeros(s.size),
        urai=nan.copy(),
        health_flags=nan.copy(),
    )


def _kepler_records(el, kep_m, letters, geo, af0, af1, gd, raan_dot, epoch, start_ns, end_ns):
    rows: dict[str, list] = {}
    for sys_letter in "GEC":
        m = kep_m & (letters == sys_letter)
        if not m.any():
            continue
        idx = np.flatnonzero(m)
        wsys = _WEEK_SYS[sys_letter]
        grid = _grid(start_ns, end_ns, "BDS" if sys_letter == "C" else "GPS", _KEP_INTERVAL_S[sys_letter])
        i = np.repeat(idx, grid.size)
        toe = np.tile(grid, idx.size)
        k_rec = np.tile(np.arange(grid.size), idx.size)
        week, toe_s = week_tow(toe, wsys)
        toe_s = np.round(toe_s, 6)
        c = SYSTEM_CONSTANTS[sys_letter]
        a, e, inc = el["a_m"][i], el["e"][i], el["i_rad"][i]
        n = np.sqrt(c.gm / a**3)
        tk0 = (toe - epoch) * 1e-9
        m0 = np.mod(el["m0_rad"][i] + n * tk0 + np.pi, _TWO_PI) - np.pi
        om0 = el["raan_rad"][i] + (raan_dot[i] - c.omega_e) * tk0 + c.omega_e * toe_s
        i0, argp = inc.copy(), el["argp_rad"][i].copy()
        g = geo[i]
        if g.any():
            i0[g], om_gk, argp[g] = _geo_elements(
                el["raan_rad"][i][g], inc[g], el["argp_rad"][i][g], c.omega_e * tk0[g]
            )
            om0[g] = om_gk + c.omega_e * toe_s[g]
        om0 = np.mod(om0 + np.pi, _TWO_PI) - np.pi
        nrow = i.size
        nan = np.full(nrow, np.nan)
        r = {
            "sat": el["sat"][i].astype(np.int16),
            "toc_ns": toe.copy(),
            "af0_s": af0[i] + af1[i] * tk0,
            "af1_sps": af1[i],
            "af2_sps2": np.zeros(nrow),
            "crs_m": np.zeros(nrow),
            "delta_n_radps": np.zeros(nrow),
            "m0_rad": m0,
            "cuc_rad": np.zeros(nrow),
            "e": e.copy(),
            "cus_rad": np.zeros(nrow),
            "sqrt_a_sqrtm": np.sqrt(a),
            "toe_ns": toe,
            "toe_s": toe_s,
            "week": week.astype(np.int32),
            "cic_rad": np.zeros(nrow),
            "omega0_rad": om0,
            "cis_rad": np.zeros(nrow),
            "i0_rad": i0,
            "crc_m": np.zeros(nrow),
            "omega_rad": argp,
            "omega_dot_radps": raan_dot[i],
            "idot_radps": np.zeros(nrow),
            "health": np.zeros(nrow),
        }
        r.update(_message_fields(sys_letter, el["sat"][i] % 100, k_rec, gd[i], toe, g))
        for f in dc_fields(KeplerEph):
            if f.name not in r:
                r[f.name] = np.full(nrow, NAT_NS, dtype=np.int64) if f.name.endswith("_ns") else nan.copy()
            rows.setdefault(f.name, []).append(r[f.name])
    if not rows:
        return empty_table(KeplerEph)
    cols = {k: np.concatenate(v) for k, v in rows.items()}
    order = np.lexsort((cols["toe_ns"], cols["sat"]))
    cols = {k: v[order] for k, v in cols.items()}
    cols["msg"] = cols["msg"].astype("<U4")
    return KeplerEph(**cols)


def _message_fields(sys_letter, prn, k_rec, gd, toe, geo) -> dict:
    """Fields of each system's message: GPS LNAV, Galileo I/NAV, BeiDou D1 (MEO/IGSO) and D2 (GEO)."""
    nrow = prn.size
    if sys_letter == "G":
        iodc = ((k_rec + 7 * prn) % 256).astype(float)
        return dict(
            msg=np.full(nrow, "LNAV"), iode=iodc, iodc=iodc, codes_l2=np.ones(nrow), l2p_flag=np.zeros(nrow),
            sv_accuracy_m=np.full(nrow, 2.0), tgd_s=gd[:, 0], ttm_ns=toe - 7200 * NS,
            fit_interval_h=np.full(nrow, 4.0),
        )  # fmt: skip
    if sys_letter == "E":
        return dict(
            msg=np.full(nrow, "INAV"), iode=((k_rec + 13 * prn) % 1024).astype(float),
            data_sources=np.full(nrow, 517.0), sv_accuracy_m=np.full(nrow, 3.12), bgd_e5a_e1_s=gd[:, 0],
            bgd_e5b_e1_s=gd[:, 1], ttm_ns=toe.copy(),
        )  # fmt: skip
    return dict(
        msg=np.where(geo, "D2", "D1"), aode=np.ones(nrow), aodc=np.ones(nrow),
        sv_accuracy_m=np.full(nrow, 2.0), tgd1_s=gd[:, 0], tgd2_s=gd[:, 1], ttm_ns=toe.copy(),
    )  # fmt: skip


def _geo_elements(raan, inc, argp, theta):
    """Elements of GEO orbits in the BDS GEO algorithm's frame (BDS-SIS-ICD-B1I-3.0 Table 5-11).

    The record's Keplerian position X_GK is turned into the Earth-fixed frame at toe by
    Rx(-5 deg) (kompas.products.kepler._geo_rotate), so X_GK = Rx(-5 deg)^T R3(theta) X_inertial with
    theta the Earth rotation since the epoch. The perifocal triad Q = R3(-raan) R1(-i) R3(-argp)
    (active rotations) is rotated the same way and the angles read back (a, e and M do not change).
    """
    ci, si = np.cos(inc), np.sin(inc)
    co, so = np.cos(raan), np.sin(raan)
    cw, sw = np.cos(argp), np.sin(argp)
    q = np.empty((*raan.shape, 3, 3))
    q[..., 0, 0] = co * cw - so * sw * ci
    q[..., 0, 1] = -co * sw - so * cw * ci
    q[..., 0, 2] = so * si
    q[..., 1, 0] = so * cw + co * sw * ci
    q[..., 1, 1] = -so * sw + co * cw * ci
    q[..., 1, 2] = -co * si
    q[..., 2, 0] = sw * si
    q[..., 2, 1] = cw * si
    q[..., 2, 2] = ci
    cx, sx = np.cos(BDS_GEO_INCLINATION_RAD), np.sin(BDS_GEO_INCLINATION_RAD)
    rx = np.array([[1.0, 0.0, 0.0], [0.0, cx, sx], [0.0, -sx, cx]])
    qg = rx.T @ _rot_z_passive(theta) @ q
    i_gk = np.arccos(np.clip(qg[..., 2, 2], -1.0, 1.0))
    om_gk = np.arctan2(qg[..., 0, 2], -qg[..., 1, 2])
    w_gk = np.arctan2(qg[..., 2, 0], qg[..., 2, 1])
    return i_gk, om_gk, w_gk
