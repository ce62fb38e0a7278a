"""Signal-in-space range error: broadcast ephemerides against precise orbits and clocks.

For every satellite and precise epoch the broadcast state a receiver held at that instant
(:class:`~kompas.products.broadcast.BroadcastProduct` with ``selection="transmitted"``) is compared
with the precise product moved from the centre of mass to the antenna phase centre (ANTEX
phase-centre offsets, nominal yaw attitude). Orbit differences are split into radial,
along-track and cross-track; clock differences are taken for the precise product's
ionosphere-free signal pair with the periodic relativistic term added to the precise clocks
(-2 r.v / c^2, IGS convention) and the per-epoch, per-constellation mean removed (each system's
broadcast clocks refer to its own system time). The signal-in-space range error is

    SISRE_orb = sqrt((w_R R)^2 + w_AC^2 (A^2 + C^2))
    SISRE     = sqrt((w_R R - c dt)^2 + w_AC^2 (A^2 + C^2))

with the constellation weights of Montenbruck, Steigenberger & Hauschild (2015), "Broadcast versus
precise ephemerides: a multi-GNSS perspective", GPS Solutions 19:321-333: GPS (0.98, 1/49),
GLONASS (0.98, 1/45), Galileo (0.98, 1/61), BeiDou MEO (0.98, 1/54), BeiDou IGSO/GEO and QZSS
(0.99, 1/126) as (w_R, w_AC^2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import C_LIGHT
from ..products.state import Status
from ..satsys import band_frequency, sat_id, sat_prn, sat_system

__all__ = ["SisreResult", "bds_orbit_type", "group_of", "sisre", "SISRE_WEIGHTS", "IF_SIGNALS"]

SISRE_WEIGHTS = {
    "G": (0.98, 1 / 49),
    "R": (0.98, 1 / 45),
    "E": (0.98, 1 / 61),
    "C_MEO": (0.98, 1 / 54),
    "C_IGSO_GEO": (0.99, 1 / 126),
    "J": (0.99, 1 / 126),
}

# The ionosphere-free pair the precise clocks refer to (IGS/MGEX conventions) and the ANTEX codes of
# the same pair, per system: (broadcast signal 1, signal 2, ANTEX code 1, code 2)
IF_SIGNALS = {
    "G": ("1W", "2W", "G01", "G02"),
    "R": ("1P", "2P", "R01", "R02"),
    "E": ("1C", "5Q", "E01", "E05"),
    "C": ("2I", "6I", "C02", "C06"),
    "J": ("1C", "2L", "J01", "J02"),
}

# BeiDou orbit types by PRN (CSNO constellation status; BDS-2 C01-C18, BDS-3 C19 onward)
_BDS_GEO = {1, 2, 3, 4, 5, 59, 60, 61, 62, 63}
_BDS_IGSO = {6, 7, 8, 9, 10, 13, 16, 31, 38, 39, 40, 56}


def bds_orbit_type(prn: int) -> str:
    """``"GEO"``, ``"IGSO"`` or ``"MEO"`` for a BeiDou PRN."""
    return "GEO" if prn in _BDS_GEO else "IGSO" if prn in _BDS_IGSO else "MEO"


def group_of(sat: int) -> str:
    """Reporting group: GPS, GLONASS, Galileo, BDS-2, BDS-3 MEO, BDS-3 IGSO/GEO, QZSS."""
    letter = sat_id(int(sat))[0]
    if letter == "C":
        prn = int(sat_prn(sat))
        if prn <= 18:
            return "BDS-2"
        return "BDS-3 MEO" if bds_orbit_type(prn) == "MEO" else "BDS-3 IGSO/GEO"
    return {"G": "GPS", "R": "GLONASS", "E": "Galileo", "J": "QZSS", "I": "NavIC", "S": "SBAS"}[letter]


def _weights(sats):
    w_r = np.full(sats.size, np.nan)
    w_ac2 = np.full(sats.size, np.nan)
    for k, s in enumerate(sats):
        letter = sat_id(int(s))[0]
        if letter == "C":
            key = "C_MEO" if bds_orbit_type(int(sat_prn(s))) == "MEO" else "C_IGSO_GEO"
        else:
            key = letter
        if key in SISRE_WEIGHTS:
            w_r[k], w_ac2[k] = SISRE_WEIGHTS[key]
    return w_r, w_ac2


@dataclass(frozen=True)
class SisreResult:
    """Per-sample differences and per-satellite statistics.

    Attributes
    ----------
    sat, time_ns : numpy.ndarray
        One sample per (satellite, epoch) where both products are valid.
    radial_m, along_m, cross_m : numpy.ndarray
        Broadcast minus precise (APC) in the RAC frame of the precise orbit, m.
    clock_m : numpy.ndarray
        c * (broadcast - precise) clock for the ionosphere-free pair, per-epoch constellation mean
        removed, m (NaN where no precise clock).
    sisre_orb_m, sisre_m : numpy.ndarray
        Per-sample signal-in-space range errors, m.
    apc : numpy.ndarray of bool
        Whether the ANTEX offset was applied (False: no ANTEX entry; the sample compares centre of mass).
    table : list of dict
        One row per satellite (see :meth:`rows`).
    unhealthy : dict
        Satellite id -> number of epochs the broadcast data flagged it unhealthy.
    """

    sat: np.ndarray
    time_ns: np.ndarray
    radial_m: np.ndarray
    along_m: np.ndarray
    cross_m: np.ndarray
    clock_m: np.ndarray
    sisre_orb_m: np.ndarray
    sisre_m: np.ndarray
    apc: np.ndarray
    table: list
    unhealthy: dict

    def groups(self) -> list[dict]:
        """RMS statistics per reporting group (over all samples of the group)."""
        out = []
        names = np.array([group_of(s) for s in self.sat]) if self.sat.size else np.zeros(0, "U1")
        for g in ("GPS", "GLONASS", "Galileo", "BDS-2", "BDS-3 MEO", "BDS-3 IGSO/GEO", "QZSS"):
            m = names == g
            if m.any():
                out.append(_stats(g, self, m))
        return out


def _rms(x):
    x = x[np.isfinite(x)]
    return float(np.sqrt(np.mean(x * x))) if x.size else float("nan")


def _stats(name, r, m):
    return {
        "name": name,
        "n": int(m.sum()),
        "apc": bool(r.apc[m].all()),
        "radial_m": _rms(r.radial_m[m]),
        "along_m": _rms(r.along_m[m]),
        "cross_m": _rms(r.cross_m[m]),
        "orbit_3d_m": _rms(np.sqrt(r.radial_m[m] ** 2 + r.along_m[m] ** 2 + r.cross_m[m] ** 2)),
        "clock_m": _rms(r.clock_m[m]),
        "sisre_orb_m": _rms(r.sisre_orb_m[m]),
        "sisre_m": _rms(r.sisre_m[m]),
    }


def sisre(
    broadcast, broadcast_clock, precise, times_ns, sats, antex=None, min_samples: int = 6
) -> SisreResult:
    """Compare broadcast and precise states on a grid of satellites and epochs.

    Parameters
    ----------
    broadcast : BroadcastProduct
        For orbits (``selection="transmitted"`` recommended: what a receiver held).
    broadcast_clock : BroadcastProduct
        For clocks: the same data with the message types whose clocks refer to the precise clocks'
        signal pair (Galileo F/NAV for E1/E5a); may be ``broadcast`` itself.
    precise : PreciseProduct
    times_ns : array_like of int64
        Epochs, GPST ns.
    sats : array_like
        Satellites (ids or indices).
    antex : Antex, optional
        Satellite phase-centre offsets; without it, or for satellites it lacks, the centre of mass
        is compared (``apc`` False).
    min_samples : int
        Satellites with fewer valid samples are left out of the table (listed with n).

    Returns
    -------
    SisreResult
    """
    from ..satsys import sat_index

    sats = np.asarray(sats)
    sats = np.unique(sat_index(sats) if sats.dtype.kind in "US" else sats.astype(np.int16))
    times = np.asarray(times_ns, dtype=np.int64)
    s = np.repeat(sats[None, :], times.size, 0).ravel()
    t = np.repeat(times[:, None], sats.size, 1).ravel()
    b = broadcast.state(s, t)
    p = precise.state(s, t)
    letters = np.array([sat_id(int(x))[0] for x in sats])[np.tile(np.arange(sats.size), times.size)]
    unhealthy = {}
    for x in sats:
        n_unh = int(np.sum((s == x) & (b.status == Status.UNHEALTHY)))
        if n_unh:
            unhealthy[sat_id(int(x))] = n_unh
    ok = (b.status == Status.OK) & np.all(np.isfinite(p.pos_m), axis=1)
    apc = np.zeros((s.size, 3))
    have_apc = np.zeros(s.size, dtype=bool)
    if antex is not None:
        codes = {k: (v[2], v[3]) for k, v in IF_SIGNALS.items()}
        off = precise.apc_offset(s[ok], t[ok], antex, codes)
        good = np.all(np.isfinite(off), axis=1)
        idx = np.flatnonzero(ok)
        apc[idx[good]] = off[good]
        have_apc[idx[good]] = True
    s, t, letters, apc, have_apc = s[ok], t[ok], letters[ok], apc[ok], have_apc[ok]
    bpos, ppos, pvel = b.pos_m[ok], p.pos_m[ok] + apc, p.vel_mps[ok]
    d = bpos - ppos
    e_r = ppos / np.linalg.norm(ppos, axis=1)[:, None]
    e_c = np.cross(ppos, pvel)
    e_c /= np.linalg.norm(e_c, axis=1)[:, None]
    e_a = np.cross(e_c, e_r)
    radial, along, cross = (np.einsum("ij,ij->i", d, e) for e in (e_r, e_a, e_c))
    # clocks for the ionosphere-free pair of the precise product
    bclk = np.full(s.size, np.nan)
    for letter, (s1, s2, _, _) in IF_SIGNALS.items():
        m = letters == letter
        if not m.any():
            continue
        if letter == "R":
            bclk[m] = broadcast_clock.state(s[m], t[m]).clk_s  # no per-signal terms for GLONASS
            continue
        c1 = broadcast_clock.state(s[m], t[m], signal=s1)
        c2 = broadcast_clock.state(s[m], t[m], signal=s2)
        f1, f2 = band_frequency(letter, s1[0]), band_frequency(letter, s2[0])
        g = f1 * f1 / (f1 * f1 - f2 * f2)
        v = g * c1.clk_s + (1.0 - g) * c2.clk_s
        bclk[m] = np.where((c1.status == 0) & (c2.status == 0), v, np.nan)
    # IGS precise clocks exclude the periodic relativistic effect, which broadcast clocks as users apply
    # them contain (Kepler: F e sqrt(A) sin E; GLONASS: within -tau_n + gamma_n dt): add -2 r.v / c^2
    # (IGS conventions; RTKLIB peph2pos does the same)
    rel = -2.0 * np.einsum("ij,ij->i", p.pos_m[ok], p.vel_mps[ok]) / C_LIGHT**2
    dclk = C_LIGHT * (bclk - (p.clk_s[ok] + rel))
    # per-epoch, per-constellation common offset
    sysc = sat_system(s)
    key = t.astype(np.int64) * 8 + sysc
    uk, inv = np.unique(key, return_inverse=True)
    fin = np.isfinite(dclk)
    sums = np.bincount(inv, weights=np.where(fin, dclk, 0.0), minlength=uk.size)
    cnt = np.bincount(inv, weights=fin.astype(float), minlength=uk.size)
    mean = np.where(cnt > 0, sums / np.maximum(cnt, 1), np.nan)
    dclk = np.where(cnt[inv] >= 2, dclk - mean[inv], np.nan)  # a lone satellite has no common offset
    w_r, w_ac2 = _weights(sats)
    col = np.searchsorted(sats, s)
    wr, wac2 = w_r[col], w_ac2[col]
    sis_orb = np.sqrt((wr * radial) ** 2 + wac2 * (along**2 + cross**2))
    sis = np.sqrt((wr * radial - dclk) ** 2 + wac2 * (along**2 + cross**2))
    res = SisreResult(s, t, radial, along, cross, dclk, sis_orb, sis, have_apc, [], unhealthy)
    table = []
    for x in sats:
        m = s == x
        if m.sum() < min_samples:
            if m.sum():
                table.append(
                    {"sat": sat_id(int(x)), "group": group_of(x), "n": int(m.sum()), "too_few": True}
                )
            continue
        row = _stats(sat_id(int(x)), res, m)
        row["sat"] = row.pop("name")
        row["group"] = group_of(x)
        table.append(row)
    return SisreResult(s, t, radial, along, cross, dclk, sis_orb, sis, have_apc, table, unhealthy)
