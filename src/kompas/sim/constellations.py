"""Nominal constellations from public design values.

The orbits are Keplerian elements at an epoch in a simple Earth-centred inertial frame: the frame
that coincides with the Earth-fixed frame of the system (WGS84 / PZ-90 / GTRF / CGCS2000, here not
distinguished) at the epoch ``epoch_gpst_ns`` and in which the Earth turns uniformly about the z
axis at the system's rotation rate (:mod:`kompas.constants`); precession, nutation and polar motion
are ignored. So ``raan_rad`` is also the Earth-fixed longitude of the ascending node at the epoch,
and a geostationary satellite at longitude L has ``raan + argp + M0 = L``.

Design values
    * BeiDou-3 (BDS-SIS-ICD-B1I-3.0 sec. 3.1 and the CSNO "Development of the BeiDou Navigation
      Satellite System" white paper, version 4.0, 2019): 24 MEO in a Walker 24/3/1 constellation at
      21,528 km altitude, 55 deg inclination; 3 IGSO at 35,786 km, 55 deg, with one figure-eight
      ground track crossing the equator at 118 deg E; 3 GEO at 80, 110.5 and 140 deg E. PRNs: MEO
      C19-C30, C32-C37, C41-C46; IGSO C38-C40; GEO C59-C61 (so the GEO user algorithm of
      BDS-SIS-ICD-B1I-3.0 Table 5-11 is exercised, see :func:`kompas.satsys.is_bds_geo`).
    * GLONASS (ICD GLONASS FDMA Ed. 5.1 sec. 3.5): 24 satellites, 3 planes 120 deg apart, 8 slots
      per plane 45 deg apart, 19,100 km altitude, 64.8 deg; slots 1-8, 9-16, 17-24 per plane, the
      argument of latitude of slot j+1 lagging slot j by 45 deg, adjacent planes shifted by 15 deg.
      Frequency channels as the operational constellation assigns them (antipodal slots of one
      plane share a channel; k = -7..+6): :data:`GLONASS_CHANNELS`.
    * GPS (GPS SPS Performance Standard, 5th ed. 2020, sec. 3.1): 24 slots in 6 planes A-F
      60 deg apart, 55 deg, 20,180 km altitude (a = 26,559.7 km). The uneven slot spacing of the
      SPS PS baseline is replaced by 4 slots 90 deg apart per plane with 15 deg phasing between
      adjacent planes (a Walker 24/6/1 pattern); PRNs G01-G24 in plane order.
    * Galileo (Galileo OS SIS ICD 2.0 sec. 2 / OS SDD): Walker 24/3/1, 23,222 km altitude
      (a = 29,600.318 km), 56 deg; PRNs E01-E24.

Eccentricities are small and fixed (0.001-0.003, GEO 0.0003) and the arguments of perigee spread
deterministically, so that the relativistic clock term and the Kepler equation are exercised.
"""

from __future__ import annotations

import numpy as np

from ..constants import SYSTEM_CONSTANTS
from ..errors import ConfigError
from ..satsys import sat_index

__all__ = ["GLONASS_CHANNELS", "nominal_elements", "SUPPORTED_SYSTEMS"]

SUPPORTED_SYSTEMS = "CRGE"
"""System letters :func:`nominal_elements` knows."""

GLONASS_CHANNELS = {
    1: 1, 2: -4, 3: 5, 4: 6, 5: 1, 6: -4, 7: 5, 8: 6,
    9: -2, 10: -7, 11: 0, 12: -1, 13: -2, 14: -7, 15: 0, 16: -1,
    17: 4, 18: -3, 19: 3, 20: 2, 21: 4, 22: -3, 23: 3, 24: 2,
}  # fmt: skip
"""GLONASS slot -> FDMA channel k of the operational constellation (slots j and j+4 of a plane,
180 deg apart, share a channel; IAC/IGS constellation status tables)."""

_DEG = np.pi / 180.0
_R_EARTH_M = 6_378_137.0  # altitude reference for the design values (WGS84/CGCS2000 a)


def _walker(total: int, planes: int, phasing: int):
    """Walker t/p/f: (raan, mean argument of latitude) in rad of each satellite, plane by plane."""
    per = total // planes
    p = np.repeat(np.arange(planes), per)
    j = np.tile(np.arange(per), planes)
    raan = 2.0 * np.pi * p / planes
    u = 2.0 * np.pi * j / per + 2.0 * np.pi * phasing * p / total
    return raan, u


def _block(ids, a_m, e, inc_rad, raan, u, orbit):
    n = len(ids)
    k = np.arange(n)
    argp = np.mod(0.7 + 2.399963 * k, 2.0 * np.pi)  # golden-angle spread, deterministic
    e = np.broadcast_to(np.asarray(e, dtype=float), (n,))
    return {
        "sat": sat_index(list(ids)),
        "a_m": np.full(n, float(a_m)),
        "e": e.copy(),
        "i_rad": np.broadcast_to(np.asarray(inc_rad, dtype=float), (n,)).copy(),
        "raan_rad": np.mod(np.asarray(raan, dtype=float), 2.0 * np.pi),
        "argp_rad": argp,
        "m0_rad": np.mod(np.asarray(u, dtype=float) - argp, 2.0 * np.pi),
        "orbit": np.full(n, orbit, dtype="<U4"),
    }


def _ecc(n, base=0.001):
    return base + 0.0002 * (np.arange(n) % 10)


def _bds():
    meo_prn = list(range(19, 31)) + list(range(32, 38)) + list(range(41, 47))
    raan, u = _walker(24, 3, 1)
    meo = _block([f"C{p:02d}" for p in meo_prn], _R_EARTH_M + 21_528e3, _ecc(24), 55.0 * _DEG, raan, u, "MEO")
    # geosynchronous radius from the system's GM and rotation rate, so GEO stay put
    gm, om = SYSTEM_CONSTANTS["C"].gm, SYSTEM_CONSTANTS["C"].omega_e
    a_geo = (gm / om**2) ** (1.0 / 3.0)
    # IGSO: node longitudes 118 E + 120 k with arguments of latitude -120 k share one ground track
    k = np.arange(3)
    node = (118.0 + 120.0 * k) * _DEG
    igso = _block(["C38", "C39", "C40"], a_geo, _ecc(3, 0.002), 55.0 * _DEG, node, -120.0 * k * _DEG, "IGSO")
    lon = np.array([80.0, 110.5, 140.0]) * _DEG
    geo = _block(["C59", "C60", "C61"], a_geo, 0.0003, 0.5 * _DEG, lon, 0.0, "GEO")
    geo["argp_rad"][:] = 0.0
    geo["m0_rad"][:] = 0.0
    return [meo, igso, geo]


def _glonass():
    raan, _ = _walker(24, 3, 1)
    # slot numbering runs against the motion within a plane (ICD sec. 3.5): slot j+1 lags slot j
    j = np.tile(np.arange(8), 3)
    p = np.repeat(np.arange(3), 8)
    u = -2.0 * np.pi * j / 8 + 2.0 * np.pi * p / 24
    return [
        _block(
            [f"R{s:02d}" for s in range(1, 25)], _R_EARTH_M + 19_100e3, _ecc(24), 64.8 * _DEG, raan, u, "MEO"
        )
    ]


def _gps():
    raan, u = _walker(24, 6, 1)
    return [
        _block(
            [f"G{s:02d}" for s in range(1, 25)], 26_559_700.0, _ecc(24, 0.002), 55.0 * _DEG, raan, u, "MEO"
        )
    ]


def _galileo():
    raan, u = _walker(24, 3, 1)
    return [_block([f"E{s:02d}" for s in range(1, 25)], 29_600_318.0, _ecc(24), 56.0 * _DEG, raan, u, "MEO")]


_BUILDERS = {"C": _bds, "R": _glonass, "G": _gps, "E": _galileo}


def nominal_elements(systems: str = SUPPORTED_SYSTEMS, epoch_gpst_ns: int = 0) -> dict:
    """Nominal Keplerian elements of the chosen constellations at an epoch.

    Parameters
    ----------
    systems : str
        System letters among ``"CRGE"`` (BeiDou-3, GLONASS, GPS, Galileo).
    epoch_gpst_ns : int
        Epoch of the elements, GPST ns. The inertial frame coincides with the Earth-fixed frame at
        this instant (module docstring).

    Returns
    -------
    dict of numpy.ndarray
        One row per satellite, sorted by satellite index: ``sat`` (int16 index), ``a_m`` (semi-major
        axis, m), ``e``, ``i_rad`` (inclination), ``raan_rad`` (right ascension of the ascending node
        in the epoch's inertial frame = Earth-fixed node longitude at the epoch), ``argp_rad``
        (argument of perigee), ``m0_rad`` (mean anomaly at the epoch), ``orbit`` (``MEO``, ``IGSO``,
        ``GEO``), ``glo_channel`` (int8, GLONASS channel k, 0 for other systems), and
        ``epoch_ns`` (int64 scalar array).

    Raises
    ------
    ConfigError
        For a system letter without a nominal constellation here.
    """
    letters = "".join(c for c in str(systems).upper() if not c.isspace() and c != ",")
    bad = [c for c in letters if c not in _BUILDERS]
    if bad or not letters:
        raise ConfigError(f"systems must be letters of {SUPPORTED_SYSTEMS}, not {systems!r}")
    blocks = [b for c in dict.fromkeys(letters) for b in _BUILDERS[c]()]
    out = {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}
    order = np.argsort(out["sat"], kind="stable")
    out = {k: v[order] for k, v in out.items()}
    glo = out["sat"] // 100 == 2
    ch = np.zeros(out["sat"].size, dtype=np.int8)
    ch[glo] = [GLONASS_CHANNELS[int(s) % 100] for s in out["sat"][glo]]
    out["glo_channel"] = ch
    out["epoch_ns"] = np.asarray(int(epoch_gpst_ns), dtype=np.int64)
    return out
