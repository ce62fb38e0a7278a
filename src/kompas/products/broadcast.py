"""Broadcast ephemerides behind the satellite-state protocol: selection, evaluation, group delays.

Selection rule (reproducible, documented)
    For each query (satellite, time) the record used is, among the records of that satellite whose
    message type is accepted (see :class:`BroadcastProduct`), healthy, self-consistent (GPS/QZSS:
    IODE equal to the low 8 bits of IODC) and within the system's validity interval around its
    reference epoch, the one whose reference epoch (toe, GLONASS t_b) is nearest to the query time;
    ties go to the later reference epoch, then to the later file row. The validity intervals
    are RTKLIB's (``MAXDTOE*``): GPS, QZSS, NavIC 2 h; Galileo 4 h; BeiDou 6 h; GLONASS 15 min
    (configurable).

With ``selection="transmitted"`` the record is instead the one a receiver would hold at the query
time: the latest record already transmitted (transmission time <= t; GLONASS: frame time), if it
is within the validity interval and, when ``max_age_s`` is given, transmitted at most that long
before t. This is the rule of signal-in-space (SISRE) analyses: a Galileo or BeiDou ephemeris is
not meant for use before its reference epoch, and a station's file lacks fresh records while a
satellite is below its horizon.

Status of a row without a usable record: UNHEALTHY when only unhealthy records are within the
interval, OUTSIDE_FIT when the satellite has records but none within the interval,
NO_EPHEMERIS when it has none of an accepted type, UNSUPPORTED for SBAS.

Group delays
    Broadcast clocks refer to a reference signal or combination: GPS/QZSS LNAV the L1/L2 P(Y)
    ionosphere-free combination (IS-GPS-200N 20.3.3.3.3.2), Galileo I/NAV E1/E5b and F/NAV E1/E5a
    (OS SIS ICD 5.1.5), BeiDou D1/D2 and CNAV B3I (BDS-SIS-ICD-B1I-3.0 5.2.4.10, B1C-1.0 7.6).
    :meth:`BroadcastProduct.state` with ``signal=`` returns the clock *for that signal*. GLONASS
    clocks get no per-signal correction (FDMA inter-frequency biases belong to the estimator).
"""

from __future__ import annotations

import numpy as np

from ..constants import SYSTEM_CONSTANTS
from ..satsys import (
    SYSTEM_LETTERS,
    Constellation,
    band_frequency,
    is_bds_geo,
    sat_system,
    signal_band,
    signal_id,
)
from .kepler import kepler_state
from .state import SatState, Status, as_query

__all__ = ["BroadcastProduct", "MAX_DTOE_S", "MAX_BEFORE_TOE_S"]

MAX_DTOE_S = {"G": 7200.0, "J": 7200.0, "I": 7200.0, "E": 14400.0, "C": 21600.0, "R": 900.0}
"""Longest use of a record after its reference epoch toe / t_b, s (RTKLIB 2.4.3 MAXDTOE values)."""

MAX_BEFORE_TOE_S = {"G": 7200.0, "J": 7200.0, "I": 7200.0, "E": 600.0, "C": 3600.0, "R": 900.0}
"""Longest use of a record *before* its reference epoch, s. GPS/QZSS/NavIC toe lies in the middle of a
4-h fit interval (IS-GPS-200N 20.3.4.4) and GLONASS t_b in the middle of its 30-min interval, so the
window is symmetric; Galileo and BeiDou records are issued for use from toe onward (they are
transmitted after toe), so a record is not stretched backwards beyond one update interval: using a
Galileo record 3 h before its toe was seen to cost 30-70 m (set D, E10)."""

_KEPLER_FIELDS = (
    "sqrt_a_sqrtm", "e", "i0_rad", "omega0_rad", "omega_rad", "m0_rad", "delta_n_radps", "idot_radps",
    "omega_dot_radps", "cuc_rad", "cus_rad", "crc_m", "crs_m", "cic_rad", "cis_rad", "toe_s",
    "af0_s", "af1_sps", "af2_sps2", "a_dot_mps", "delta_n_dot_radps2",
)  # fmt: skip

_DEFAULT_MSG = {"G": ("LNAV",), "J": ("LNAV",), "I": ("LNAV",), "E": ("INAV",), "C": ("D1", "D2")}

# URA / SISA index tables are already converted to metres by the reader (sv_accuracy_m)


class BroadcastProduct:
    """Satellite states from broadcast navigation data of every constellation.

    Parameters
    ----------
    nav : NavData or list of NavData
        From :func:`kompas.io.readers.rinex_nav.read_nav`; several files are merged.
    messages : dict, optional
        Accepted message types per system letter, e.g. ``{"E": ("FNAV",), "C": ("CNV1",)}``.
        Defaults: GPS/QZSS/NavIC LNAV, Galileo I/NAV (E1/E5b users; F/NAV for E5a users), BeiDou D1/D2.
    max_dtoe_s : dict, optional
        Overrides of :data:`MAX_DTOE_S` per system letter (GLONASS: ``{"R": 1800.0}``).
    max_before_toe_s : dict, optional
        Overrides of :data:`MAX_BEFORE_TOE_S` per system letter.
    glonass_step_s : float
        Maximum RK4 step of the GLONASS integration, s (ICD: any step up to 60 s is adequate).
    selection : {"nearest", "transmitted"}
        Record selection rule (module docstring): ``nearest`` reference epoch (post-processing,
        RTKLIB's rule) or latest ``transmitted`` (what a receiver held; SISRE analyses).
    max_age_s : dict, optional
        With ``selection="transmitted"``: longest time since transmission per system letter, s.
    """

    def __init__(
        self,
        nav,
        messages: dict | None = None,
        max_dtoe_s: dict | None = None,
        glonass_step_s=60.0,
        selection: str = "nearest",
        max_age_s: dict | None = None,
        max_before_toe_s: dict | None = None,
    ):
        if selection not in ("nearest", "transmitted"):
            raise ValueError(f"selection must be 'nearest' or 'transmitted', not {selection!r}")
        self.selection = selection
        self.max_age_s = dict(max_age_s or {})
        navs = nav if isinstance(nav, list | tuple) else [nav]
        self.navs = list(navs)
        self.kepler = _concat([n.kepler for n in navs])
        self.glonass = _concat([n.glonass for n in navs])
        self.messages = {**_DEFAULT_MSG, **(messages or {})}
        self.max_dtoe_s = {**MAX_DTOE_S, **(max_dtoe_s or {})}
        self.max_before_toe_s = {**MAX_BEFORE_TOE_S, **(max_before_toe_s or {})}
        self.glonass_step_s = float(glonass_step_s)

    # ------------------------------------------------------------------------------------------
    def glonass_channels(self):
        """GLONASS slot -> FDMA channel from the records (latest per slot, over all files)."""
        from ..satsys import GlonassChannels

        chans: dict[int, int] = {}
        for n in self.navs:
            chans.update(n.glonass_channels().as_dict())
        return GlonassChannels(chans)

    def state(self, sats, t_gpst_ns, offset_s=0.0, signal=None) -> SatState:
        """Satellite states at ``t_gpst_ns + offset_s`` (GPST).

        Parameters
        ----------
        sats : array_like
            Satellite ids (``"C19"``) or indices; broadcast with the times.
        t_gpst_ns : array_like of int64
            Query instants, GPST ns (typically signal transmission times).
        offset_s : array_like of float
            Added to the instants, s (sub-nanosecond parts, light-time iterations).
        signal : str or array_like of str or of int, optional
            Signal (``"2I"``, ``"1C"``..., or uint8 signal ids per row) whose clock is wanted; the group
            delay of that signal is applied (see module docstring). Without it, the broadcast reference
            clock is returned.

        Returns
        -------
        SatState
        """
        s, t, o = as_query(sats, t_gpst_ns, offset_s)
        out = SatState.empty(s.size)
        sysc = sat_system(s)
        kep_mask = np.isin(sysc, [Constellation.GPS, Constellation.GALILEO, Constellation.BEIDOU,
                                  Constellation.QZSS, Constellation.NAVIC])  # fmt: skip
        if kep_mask.any():
            self._kepler_state(np.flatnonzero(kep_mask), s, t, o, out, signal)
        glo = sysc == Constellation.GLONASS
        if glo.any():
            self._glonass_state(np.flatnonzero(glo), s, t, o, out, signal)
        out.status[sysc == Constellation.SBAS] = Status.UNSUPPORTED
        return out

    # ------------------------------------------------------------------------------------------
    def _select(self, table, rows_ok, ref_ns, q_sat, q_t, window, healthy, tx_ns=None, max_age=None):
        """Record per query among ``rows_ok`` (see module docstring); returns (row, status).

        ``window`` is (seconds allowed after the reference epoch, seconds allowed before it).
        """
        after_s, before_s = window
        if self.selection == "transmitted":
            return self._select_transmitted(
                table, rows_ok, ref_ns, q_sat, q_t, window, healthy, tx_ns, max_age
            )
        n = q_sat.size
        row = np.full(n, -1, dtype=np.int64)
        status = np.full(n, Status.NO_EPHEMERIS, dtype=np.uint8)
        cand = np.flatnonzero(rows_ok)
        if cand.size == 0 or n == 0:
            return row, status
        sat_c = table.sat[cand]
        has_any = np.isin(q_sat, sat_c)
        status[has_any] = Status.OUTSIDE_FIT
        for use_health in (False, True):
            c = cand[healthy[cand]] if use_health else cand
            if c.size == 0:
                continue
            r = _nearest_in_window(table.sat[c], ref_ns[c], q_sat, q_t, after_s, before_s)
            within = r >= 0
            if not use_health:
                status[within] = Status.UNHEALTHY
            else:
                row[within] = c[r[within]]
                status[within] = Status.OK
        return row, status

    def _select_transmitted(self, table, rows_ok, ref_ns, q_sat, q_t, window, healthy, tx_ns, max_age):
        after_s, before_s = window
        n = q_sat.size
        row = np.full(n, -1, dtype=np.int64)
        status = np.full(n, Status.NO_EPHEMERIS, dtype=np.uint8)
        cand = np.flatnonzero(rows_ok & (tx_ns != np.iinfo(np.int64).min))
        if cand.size == 0 or n == 0:
            return row, status
        status[np.isin(q_sat, table.sat[cand])] = Status.OUTSIDE_FIT
        r = _latest(table.sat[cand], tx_ns[cand], q_sat, q_t)
        have = r >= 0
        rr = cand[np.maximum(r, 0)]
        dt = q_t - ref_ns[rr]
        within = have & (dt <= after_s * 1e9) & (dt >= -before_s * 1e9)
        if max_age is not None:
            within &= (q_t - tx_ns[rr]) <= max_age * 1e9
        status[within] = np.where(healthy[rr[within]], Status.OK, Status.UNHEALTHY)
        ok = within & healthy[rr]
        row[ok] = rr[ok]
        return row, status

    def _kepler_state(self, idx, s, t, o, out, signal):
        k = self.kepler
        if len(k) == 0:
            return
        sysc_rows = sat_system(k.sat)
        letters = np.array([" ", "G", "R", "E", "C", "J", "S", "I"])[sysc_rows]
        ok = np.zeros(len(k), dtype=bool)
        for letter, msgs in self.messages.items():
            ok |= (letters == letter) & np.isin(k.msg, msgs)
        ok &= np.isfinite(k.sqrt_a_sqrtm) & (k.toe_ns != np.iinfo(np.int64).min)
        # GPS/QZSS LNAV: IODE must equal IODC mod 256 (IS-GPS-200N 20.3.4.4)
        lnav_gq = np.isin(letters, ["G", "J"]) & (k.msg == "LNAV")
        iode_ok = ~lnav_gq | (np.nan_to_num(k.iode, nan=-1) == np.mod(np.nan_to_num(k.iodc, nan=-2), 256))
        healthy = _healthy(letters, k.health) & iode_ok
        max_dt = np.array([self.max_dtoe_s.get(x, 7200.0) for x in SYSTEM_LETTERS])
        max_before = np.array([self.max_before_toe_s.get(x, 7200.0) for x in SYSTEM_LETTERS])
        q_sys = sat_system(s[idx]) - 1
        q_max = max_dt[q_sys]
        q_age = np.array([self.max_age_s.get(x, np.inf) for x in SYSTEM_LETTERS])[q_sys]
        t_sel = t[idx] + np.rint(np.nan_to_num(o[idx]) * 1e9).astype(np.int64)  # the offset counts too
        window = (q_max, max_before[q_sys])
        row, status = self._select(k, ok, k.toe_ns, s[idx], t_sel, window, healthy, k.ttm_ns, q_age)
        out.status[idx] = status
        good = row >= 0
        if not good.any():
            return
        qi, r = idx[good], row[good]
        eph = {f: getattr(k, f)[r] for f in _KEPLER_FIELDS}
        tk = (t[qi] - k.toe_ns[r]) * 1e-9 + o[qi]
        tc = (t[qi] - k.toc_ns[r]) * 1e-9 + o[qi]
        consts = [SYSTEM_CONSTANTS[x] for x in SYSTEM_LETTERS]
        qs = sat_system(s[qi]) - 1
        gm = np.array([c.gm for c in consts])[qs]
        om = np.array([c.omega_e for c in consts])[qs]
        fr = np.array([c.f_rel for c in consts])[qs]
        pos, vel, clk, rate = kepler_state(eph, tk, tc, gm, om, fr, is_bds_geo(s[qi]))
        if signal is not None:
            clk = clk - _kepler_group_delay(k, r, letters[r], signal, qi)
        acc = k.sv_accuracy_m[r]
        out.pos_m[qi], out.vel_mps[qi], out.clk_s[qi], out.clk_rate[qi] = pos, vel, clk, rate
        out.var_m2[qi] = np.where(acc > 0, acc * acc, np.nan)
        bad = ~np.isfinite(clk) | ~np.all(np.isfinite(pos), axis=1)
        out.status[qi[bad]] = Status.UNSUPPORTED

    def _glonass_state(self, idx, s, t, o, out, signal):
        from .glonass import clock as glo_clock
        from .glonass import propagate

        g = self.glonass
        if len(g) == 0:
            return
        ok = np.all(np.isfinite(g.pos_m), axis=1) & np.all(np.isfinite(g.vel_mps), axis=1)
        healthy = np.nan_to_num(g.health, nan=1) == 0
        t_sel = t[idx] + np.rint(np.nan_to_num(o[idx]) * 1e9).astype(np.int64)
        row, status = self._select(
            g,
            ok,
            g.toc_ns,
            s[idx],
            t_sel,
            (self.max_dtoe_s["R"], self.max_before_toe_s["R"]),
            healthy,
            g.tof_ns,
            self.max_age_s.get("R", np.inf),
        )
        out.status[idx] = status
        good = row >= 0
        if not good.any():
            return
        qi, r = idx[good], row[good]
        dt = (t[qi] - g.toc_ns[r]) * 1e-9 + o[qi]
        acc = np.nan_to_num(g.acc_mps2[r])
        pos, vel = propagate(g.pos_m[r], g.vel_mps[r], acc, dt, max_step_s=self.glonass_step_s)
        clk, rate = glo_clock(g.minus_tau_n_s[r], g.gamma_n[r], dt)
        # GLONASS: no per-signal correction. The ICD's delta tau_n (L2 - L1 equipment delay) is only in
        # RINEX 3.05+/4 records and is not applied; FDMA inter-frequency biases are left to the estimator.
        out.pos_m[qi], out.vel_mps[qi], out.clk_s[qi], out.clk_rate[qi] = pos, vel, clk, rate


# ----------------------------------------------------------------------------------------------


def _concat(tables):
    tables = [tb for tb in tables if tb is not None]
    if len(tables) == 1:
        return tables[0]
    first = tables[0]
    fields = {f: np.concatenate([getattr(tb, f) for tb in tables]) for f in first.__dataclass_fields__}
    return type(first)(**fields)


def _nearest_in_window(c_sat, c_ref, q_sat, q_t, after_s, before_s):
    """For each query, the candidate of the same satellite whose reference epoch is nearest to the query
    time among those with -before <= t - ref <= after (arrays per query, s); -1 when none.

    Ties prefer the later reference epoch, then the later candidate.
    """
    after_ns = np.broadcast_to(np.asarray(after_s, dtype=float) * 1e9, q_t.shape)
    before_ns = np.broadcast_to(np.asarray(before_s, dtype=float) * 1e9, q_t.shape)
    b = _latest(c_sat, c_ref, q_sat, q_t)  # latest reference epoch <= t
    a = _latest(c_sat, -c_ref, q_sat, -q_t - 1)  # earliest reference epoch > t
    d_b = np.where(b >= 0, q_t - c_ref[np.maximum(b, 0)], np.iinfo(np.int64).max)
    d_a = np.where(a >= 0, c_ref[np.maximum(a, 0)] - q_t, np.iinfo(np.int64).max)
    ok_b = (b >= 0) & (d_b <= after_ns)
    ok_a = (a >= 0) & (d_a <= before_ns)
    use_a = ok_a & (~ok_b | (d_a <= d_b))
    return np.where(use_a, a, np.where(ok_b, b, -1))


def _latest(c_sat, c_tx, q_sat, q_t):
    """For each query, the candidate of the same satellite with the latest time <= the query time (or -1)."""
    order = np.lexsort((np.arange(c_sat.size), c_tx, c_sat))
    cs, ct = c_sat[order].astype(np.int64), c_tx[order]
    lo = np.searchsorted(cs, q_sat, side="left")
    hi = np.searchsorted(cs, q_sat, side="right")
    out = np.full(q_sat.size, -1, dtype=np.int64)
    for sat in np.unique(q_sat[hi > lo]):  # one searchsorted per satellite (~100), not per query
        m = np.flatnonzero(q_sat == sat)
        a, b = lo[m[0]], hi[m[0]]
        p = np.searchsorted(ct[a:b], q_t[m], side="right") - 1
        out[m] = np.where(p >= 0, order[a + np.maximum(p, 0)], -1)
    return out


def _healthy(letters, health):
    """Broadcast health: True where usable.

    GPS/QZSS/NavIC: health word 0; BeiDou: SatH1 0; Galileo: signal health status bits of E1-B,
    E5a and E5b all 0 (data validity bits are not used, as in RTKLIB).
    """
    h = np.nan_to_num(health, nan=1.0).astype(np.int64)
    gal = letters == "E"
    hs_bits = (0b11 << 1) | (0b11 << 4) | (0b11 << 7)
    return np.where(gal, (h & hs_bits) == 0, h == 0)


def _signal_ids(signal, qi):
    """Signal ids (uint8) of the queries ``qi``: ``signal`` is one code, codes per query (``"2I"`` or
    ``"C2I"``) or signal ids per query."""
    sig = np.asarray(signal)
    if sig.ndim == 0:
        return np.full(qi.size, signal_id(str(sig)), dtype=np.int64)
    sig = sig[qi]
    if sig.dtype.kind in "US":
        return np.asarray(signal_id(sig), dtype=np.int64)
    return sig.astype(np.int64)


def _kepler_group_delay(k, r, letters, signal, qi):
    """Group delay to subtract from the broadcast clock for the signal in use, s (see module docstring)."""
    sid = _signal_ids(signal, qi)
    band = signal_band(sid).astype(str)  # band digit as text, compared with "1", "2", ...
    attr = np.asarray([chr(ord("A") + i) for i in range(26)])[sid % 26]
    corr = np.zeros(r.size)
    msg = k.msg[r]

    def f(sys_letter, b):
        return band_frequency(sys_letter, b)

    # GPS / QZSS LNAV: T_GD scaled by gamma = (f1/f)^2 of the band (IS-GPS-200N 20.3.3.3.3.2)
    gq = np.isin(letters, ["G", "J", "I"])
    tgd = np.nan_to_num(k.tgd_s[r])
    for b in ("1", "2", "5"):
        m = gq & (band == b)
        if m.any():
            gamma = (f("G", "1") / f("G", b)) ** 2
            corr[m] = gamma * tgd[m]
    # GPS CNAV inter-signal corrections (IS-GPS-200N 30.3.3.3.1.1): L1C/A and L2C, L5
    cnav = gq & np.isin(msg, ["CNAV", "CNV2"])
    for b, attrs, isc in (
        ("1", "C", "isc_l1ca_s"),
        ("2", "SLX", "isc_l2c_s"),
        ("5", "I", "isc_l5i5_s"),
        ("5", "QX", "isc_l5q5_s"),
    ):
        m = cnav & (band == b) & np.isin(attr, list(attrs))
        corr[m] = tgd[m] - np.nan_to_num(getattr(k, isc)[r][m])
    # Galileo: I/NAV refers to E1/E5b, F/NAV to E1/E5a (OS SIS ICD 5.1.5)
    gal = letters == "E"
    bgd_b = np.nan_to_num(k.bgd_e5b_e1_s[r])
    bgd_a = np.nan_to_num(k.bgd_e5a_e1_s[r])
    inav = gal & (msg == "INAV")
    fnav = gal & (msg == "FNAV")
    fe1 = f("E", "1")
    g5a, g5b = (fe1 / f("E", "5")) ** 2, (fe1 / f("E", "7")) ** 2
    corr[inav & (band == "1")] = bgd_b[inav & (band == "1")]
    m = inav & (band == "7")
    corr[m] = g5b * bgd_b[m]
    # E5a with an I/NAV clock: E1 clock, then the E1 -> E5a step that BGD(E1,E5a) defines
    m = inav & (band == "5")
    corr[m] = bgd_b[m] + (g5a - 1.0) * bgd_a[m]
    corr[fnav & (band == "1")] = bgd_a[fnav & (band == "1")]
    m = fnav & (band == "5")
    corr[m] = g5a * bgd_a[m]
    m = fnav & (band == "7")
    corr[m] = bgd_a[m] + (g5b - 1.0) * bgd_b[m]
    # BeiDou D1/D2: clock refers to B3I; B1I - TGD1, B2I - TGD2 (BDS-SIS-ICD-B1I-3.0 5.2.4.10)
    bds = letters == "C"
    d12 = bds & np.isin(msg, ["D1", "D2"])
    corr[d12 & (band == "2")] = np.nan_to_num(k.tgd1_s[r])[d12 & (band == "2")]
    m = d12 & (band == "7")
    corr[m] = np.nan_to_num(k.tgd2_s[r])[m]
    # BeiDou CNAV1/2: B1Cp TGD_B1Cp, B1Cd TGD_B1Cp - ISC_B1Cd, B2ap TGD_B2ap, B2ad TGD_B2ap - ISC_B2ad
    # (BDS-SIS-ICD-B1C-1.0 7.6.2, B2a-1.0 7.6.2); B1I/B3I users of CNAV rows as for D1/D2 is not defined
    cn = bds & np.isin(msg, ["CNV1", "CNV2", "CNV3"])
    tb1 = np.nan_to_num(k.tgd_b1cp_s[r])
    tb2 = np.nan_to_num(k.tgd_b2ap_s[r])
    m = cn & (band == "1")
    corr[m] = np.where(attr[m] == "D", tb1[m] - np.nan_to_num(k.isc_b1cd_s[r])[m], tb1[m])
    m = cn & (band == "5")
    corr[m] = np.where(attr[m] == "D", tb2[m] - np.nan_to_num(k.isc_b2ad_s[r])[m], tb2[m])
    m = cn & (band == "7")
    corr[m] = np.nan_to_num(k.tgd_b2bi_s[r])[m]
    return corr
