"""Nominal constellations from public design values.

The orbits are Keplerian elements at an epoch in a simple Earth-centred inertial frame: the frame
that coincides with the Earth-fixed frame of the system (WGS84 / PZ-90 / GTRF / CGCS2000, here not
distinguished) at the epoch ``epoch_gpst_ns`` and in which the Earth turns uniformly about the z
axis at the system's rotation rate (:mod:`kompas.constants`); precession, nutation and polar motion
are ignored. So ``raan_rad`` is also the Earth-fixed longitude of the ascending node at the epoch,
and a geostationary satellite at longitude L has ``raan + argp + M0 = L``.

Design values
    * BeiDou (BDS-SIS-ICD-B1I-3.0 sec. 3.1 and the CSNO white paper "Development of the BeiDou
      Navigation Satellite System", version 4.0, 2019): MEO at 21,528 km altitude and 55 deg in a
      Walker 24/3/1 pattern (3 planes A, B, C, 8 slots 45 deg apart, adjacent planes shifted 15 deg);
      IGSO and GEO at the geosynchronous radius; the BDS-2 GEO slots of the earlier ICD
      (BDS-SIS-ICD-B1I-2.1, 2016, sec. 3: 58.75, 80, 110.5, 140, 160 deg E) and the BDS-3 GEO
      slots 80, 110.5 and 140 deg E of the white paper. Which satellite occupies which slot is not in
      the ICDs; it is read from a real broadcast file, BRD400DLR_S_20230710000_01D_MN.rnx (DLR
      merged navigation data of 2023-03-12, shared data set H), and tabulated below
      (:data:`BDS_GEO_LONGITUDE_DEG`, :data:`BDS_IGSO_SLOTS`, :data:`BDS_MEO_SLOTS`):

      - GEO (BDS-2 C01-C05, BDS-3 C59-C61): the mean Earth-fixed longitude of each satellite over
        that day. They agree with the ICD slots within 0.1 deg, except C01 (144.5 E) and C02
        (84.1 E), which were then held about 4 deg east of the slots they share with C59 (140 E) and
        C60 (80 E). (The IGS BRDC file of 2026-04-30, set D, shows C01 and C02 at 140.1 and 80.1 E.)
        C61 broadcasts in none of the shared files; it is placed at the white paper's 110.5 E.
      - IGSO (BDS-2 C06-C10, C13, C16; BDS-3 C38-C40): node longitude, inclination, eccentricity,
        argument of perigee and mean argument of latitude at 2023-03-12 12:00 GPST. A
        geosynchronous satellite repeats its track every sidereal day, so at any epoch the mean
        argument of latitude is that value advanced by the Earth rotation angle since then and the
        node has moved back by the same angle: the simulated figure-eights match the real ones at
        the real time of day (within 0.1 deg on 2023-03-12, tested against that file).
      - MEO (BDS-2 C11, C12, C14; BDS-3 C19-C30, C32-C37, C41-C46): plane and slot. The three
        BDS-2 MEO sit between BDS-3 slots (half-integer slot numbers).
      MEO positions are relative to the epoch (the Walker pattern is not tied to the real time of
      day); the orbit types give the GEO user algorithm of BDS-SIS-ICD-B1I-3.0 Table 5-11 to C01-C05
      and C59-C61 (:func:`kompas.satsys.is_bds_geo`).
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
from ..time import gtime_from_calendar

__all__ = [
    "GLONASS_CHANNELS",
    "nominal_elements",
    "SUPPORTED_SYSTEMS",
    "BDS_GEO_LONGITUDE_DEG",
    "BDS_IGSO_SLOTS",
    "BDS_MEO_SLOTS",
]

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


BDS_GEO_LONGITUDE_DEG = {
    1: 144.5, 2: 84.1, 3: 110.6, 4: 160.0, 5: 58.7, 59: 140.0, 60: 80.0, 61: 110.5,
}  # fmt: skip
"""BeiDou GEO PRN -> Earth-fixed longitude, deg E (module docstring: 2023-03-12 broadcast values;
C61 the white paper's slot)."""

BDS_IGSO_SLOTS = {
    6: (184.0, 54.3, 0.0035, 186.0, 284.6), 7: (296.6, 49.7, 0.0023, 199.0, 171.8),
    8: (61.8, 60.7, 0.0023, 184.8, 45.3), 9: (186.5, 54.5, 0.0105, 227.7, 268.7),
    10: (296.3, 49.8, 0.0084, 218.8, 160.0), 13: (60.2, 58.5, 0.0047, 225.1, 36.1),
    16: (183.6, 55.2, 0.0057, 228.1, 288.4), 38: (60.3, 56.9, 0.0019, 205.8, 59.2),
    39: (179.5, 55.2, 0.0030, 194.4, 300.1), 40: (303.8, 56.8, 0.0029, 174.4, 175.5),
}  # fmt: skip
"""BeiDou IGSO PRN -> (Earth-fixed longitude of the ascending node, deg E; inclination, deg;
eccentricity; argument of perigee, deg; mean argument of latitude M + omega, deg), all at
:data:`BDS_IGSO_REF_GPST`, from the 2023-03-12 broadcast ephemerides. The northward equator
crossings are then C06-C08 at 107-109 E, C16 at 112.5 E, C09, C10, C13 at 96-97 E and C38-C40 at
119.2-119.7 E."""

BDS_IGSO_REF_GPST = (2023, 3, 12, 12, 0, 0)
"""Calendar GPST instant of the IGSO elements in :data:`BDS_IGSO_SLOTS`."""

BDS_MEO_SLOTS = {
    35: (0, 0), 29: (0, 1), 30: (0, 2), 27: (0, 3), 28: (0, 4), 43: (0, 5), 11: (0, 5.5), 34: (0, 6),
    12: (0, 6.5), 44: (0, 7),
    32: (1, 0), 41: (1, 1), 33: (1, 2), 14: (1, 2.5), 42: (1, 3), 21: (1, 4), 22: (1, 5), 19: (1, 6),
    20: (1, 7),
    24: (2, 0), 26: (2, 1), 45: (2, 2), 36: (2, 3), 46: (2, 4), 37: (2, 5), 23: (2, 6), 25: (2, 7),
}  # fmt: skip
"""BeiDou MEO PRN -> (plane 0-2 = A-C, slot 0-7 in steps of 45 deg; halves between slots), from the
2023-03-12 broadcast ephemerides (nodes 120 deg apart, arguments of latitude 45 deg apart within a
plane to +-3 deg, the Walker 24/3/1 phasing of 15 deg between adjacent planes)."""


def _bds(epoch_gpst_ns: int):
    gm, om = SYSTEM_CONSTANTS["C"].gm, SYSTEM_CONSTANTS["C"].omega_e
    prn = np.array(sorted(BDS_MEO_SLOTS))
    plane, slot = np.array([BDS_MEO_SLOTS[p] for p in prn], dtype=float).T
    raan = 2.0 * np.pi * plane / 3.0
    u = 2.0 * np.pi * slot / 8.0 + 2.0 * np.pi * plane / 24.0
    meo = _block(
        [f"C{p:02d}" for p in prn], _R_EARTH_M + 21_528e3, _ecc(prn.size), 55.0 * _DEG, raan, u, "MEO"
    )
    # geosynchronous radius from the system's GM and rotation rate, so GEO stay put
    a_geo = (gm / om**2) ** (1.0 / 3.0)
    # IGSO: one revolution per sidereal day, so after dt the mean argument of latitude has advanced
    # and the Earth-fixed node has moved back by the Earth rotation angle omega_e dt
    prn = np.array(sorted(BDS_IGSO_SLOTS))
    node, inc, ecc, argp, mean_u = (np.array([BDS_IGSO_SLOTS[p][k] for p in prn]) for k in range(5))
    t_ref = int(gtime_from_calendar(*BDS_IGSO_REF_GPST))
    turn = om * ((int(epoch_gpst_ns) - t_ref) * 1e-9)
    igso = _block([f"C{p:02d}" for p in prn], a_geo, ecc, inc * _DEG, node * _DEG - turn, 0.0, "IGSO")
    igso["argp_rad"] = np.mod(argp * _DEG, 2.0 * np.pi)
    igso["m0_rad"] = np.mod((mean_u - argp) * _DEG + turn, 2.0 * np.pi)
    prn = np.array(sorted(BDS_GEO_LONGITUDE_DEG))
    lon = np.array([BDS_GEO_LONGITUDE_DEG[p] for p in prn]) * _DEG
    geo = _block([f"C{p:02d}" for p in prn], a_geo, 0.0003, 0.5 * _DEG, lon, 0.0, "GEO")
    geo["argp_rad"][:] = 0.0
    geo["m0_rad"][:] = 0.0
    return [meo, igso, geo]


def _glonass(epoch_gpst_ns: int):
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


def _gps(epoch_gpst_ns: int):
    raan, u = _walker(24, 6, 1)
    return [
        _block(
            [f"G{s:02d}" for s in range(1, 25)], 26_559_700.0, _ecc(24, 0.002), 55.0 * _DEG, raan, u, "MEO"
        )
    ]


def _galileo(epoch_gpst_ns: int):
    raan, u = _walker(24, 3, 1)
    return [_block([f"E{s:02d}" for s in range(1, 25)], 29_600_318.0, _ecc(24), 56.0 * _DEG, raan, u, "MEO")]


_BUILDERS = {"C": _bds, "R": _glonass, "G": _gps, "E": _galileo}  # each takes the epoch, GPST ns


def nominal_elements(systems: str = SUPPORTED_SYSTEMS, epoch_gpst_ns: int = 0) -> dict:
    """Nominal Keplerian elements of the chosen constellations at an epoch.

    Parameters
    ----------
    systems : str
        System letters among ``"CRGE"`` (BeiDou-2 and -3, GLONASS, GPS, Galileo).
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
    blocks = [b for c in dict.fromkeys(letters) for b in _BUILDERS[c](epoch_gpst_ns)]
    out = {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}
    order = np.argsort(out["sat"], kind="stable")
    out = {k: v[order] for k, v in out.items()}
    glo = out["sat"] // 100 == 2
    ch = np.zeros(out["sat"].size, dtype=np.int8)
    ch[glo] = [GLONASS_CHANNELS[int(s) % 100] for s in out["sat"][glo]]
    out["glo_channel"] = ch
    out["epoch_ns"] = np.asarray(int(epoch_gpst_ns), dtype=np.int64)
    return out
