"""Physical and system constants, each with the document that defines it.

Every constellation uses its own values: a BeiDou orbit is computed with CGCS2000's GM,
a GLONASS orbit with PZ-90.11's, never with one GPS number for all.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "C_LIGHT",
    "Ellipsoid",
    "WGS84",
    "GRS80",
    "CGCS2000",
    "PZ90_11",
    "GTRF",
    "SystemConstants",
    "GPS",
    "GALILEO",
    "BEIDOU",
    "GLONASS",
    "QZSS",
    "NAVIC",
    "SBAS",
    "SYSTEM_CONSTANTS",
    "GLONASS_J2",
    "GLONASS_AE",
    "BDS_GEO_PRNS",
    "BDS_GEO_INCLINATION_RAD",
    "OMEGA_EARTH_IERS",
]

C_LIGHT = 299_792_458.0
"""Speed of light in vacuum, m/s (IS-GPS-200 sec. 20.3.4.3; identical in every GNSS ICD)."""

OMEGA_EARTH_IERS = 7.292115e-5
"""Nominal mean angular velocity of the Earth, rad/s (IERS Conventions 2010, Table 1.1): for precise orbits
and inertial velocities, which belong to no constellation's user algorithm."""


@dataclass(frozen=True)
class Ellipsoid:
    """A reference ellipsoid.

    Attributes
    ----------
    name : str
    a : float
        Semi-major axis, m.
    f : float
        Flattening (dimensionless).
    reference : str
        The document that defines it.
    """

    name: str
    a: float
    f: float
    reference: str

    @property
    def b(self) -> float:
        """Semi-minor axis, m."""
        return self.a * (1.0 - self.f)

    @property
    def e2(self) -> float:
        """First eccentricity squared."""
        return self.f * (2.0 - self.f)


WGS84 = Ellipsoid("WGS84", 6_378_137.0, 1.0 / 298.257223563, "NIMA TR8350.2 (3rd ed.) Table 3.1")
GRS80 = Ellipsoid("GRS80", 6_378_137.0, 1.0 / 298.257222101, "Moritz, Geodetic Reference System 1980")
CGCS2000 = Ellipsoid("CGCS2000", 6_378_137.0, 1.0 / 298.257222101, "BDS-SIS-ICD-B1I-3.0 sec. 3.2")
PZ90_11 = Ellipsoid(
    "PZ-90.11", 6_378_136.0, 1.0 / 298.25784, "ICD GLONASS FDMA Ed. 5.1 sec. 3.3.2 / PZ-90.11"
)
GTRF = Ellipsoid("GTRF", 6_378_137.0, 1.0 / 298.257222101, "Galileo OS SIS ICD 2.0 sec. 5.1.1 (GRS80)")


@dataclass(frozen=True)
class SystemConstants:
    """Constants of one constellation's user algorithms.

    Attributes
    ----------
    gm : float
        Earth's gravitational constant used in the orbit algorithm, m^3/s^2.
    omega_e : float
        Earth rotation rate used in the orbit algorithm, rad/s.
    ellipsoid : Ellipsoid
        The system's reference ellipsoid.
    f_rel : float
        Relativistic clock constant F = -2 sqrt(GM) / c^2, s/m^(1/2), for Kepler systems.
    reference : str
    """

    name: str
    gm: float
    omega_e: float
    ellipsoid: Ellipsoid
    f_rel: float
    reference: str


GPS = SystemConstants(
    "GPS", 3.986005e14, 7.2921151467e-5, WGS84, -4.442807633e-10, "IS-GPS-200N sec. 20.3.3.4.3, Table 20-IV"
)
QZSS = SystemConstants(
    "QZSS", 3.986005e14, 7.2921151467e-5, WGS84, -4.442807633e-10, "IS-QZSS-PNT-005 sec. 5.6 (GPS algorithm)"
)
GALILEO = SystemConstants(
    "Galileo",
    3.986004418e14,
    7.2921151467e-5,
    GTRF,
    -4.442807309e-10,
    "Galileo OS SIS ICD 2.0 sec. 5.1.1, 5.1.4",
)
BEIDOU = SystemConstants(
    "BeiDou", 3.986004418e14, 7.292115e-5, CGCS2000, -4.442807309e-10, "BDS-SIS-ICD-B1I-3.0 sec. 5.2.4.9-10"
)
GLONASS = SystemConstants(
    "GLONASS", 3.9860044e14, 7.292115e-5, PZ90_11, 0.0, "ICD GLONASS FDMA Ed. 5.1 sec. 3.3.2, App. A.3.1.2"
)
NAVIC = SystemConstants(
    "NavIC",
    3.986005e14,
    7.2921151467e-5,
    WGS84,
    -4.442807633e-10,
    "IRNSS SPS ICD 1.1 sec. 6.2 (GPS algorithm)",
)
SBAS = SystemConstants("SBAS", 3.986005e14, 7.2921151467e-5, WGS84, 0.0, "RTCA DO-229 (WGS-84 state vectors)")

SYSTEM_CONSTANTS = {"G": GPS, "R": GLONASS, "E": GALILEO, "C": BEIDOU, "J": QZSS, "S": SBAS, "I": NAVIC}
"""Constants by RINEX system letter."""

GLONASS_J2 = 1.0826257e-3
"""Second zonal harmonic of the geopotential in PZ-90.11 (ICD GLONASS FDMA Ed. 5.1 App. A.3.1.2)."""
GLONASS_AE = 6_378_136.0
"""Equatorial radius used in the GLONASS orbit integration, m (ICD GLONASS FDMA Ed. 5.1 App. A.3.1.2)."""

BDS_GEO_PRNS = frozenset({1, 2, 3, 4, 5, 59, 60, 61, 62, 63})
"""BeiDou GEO satellites by PRN: C01-C05 (BDS-2) and C59-C63 (BDS-3), BDS-SIS-ICD-B1I-3.0 sec. 3.1
and the CSNO constellation status; they need the GEO user algorithm (sec. 5.2.4.12)."""

BDS_GEO_INCLINATION_RAD = -5.0 * 3.141592653589793 / 180.0
"""The -5 deg rotation about X in the BDS GEO user algorithm (BDS-SIS-ICD-B1I-3.0 Table 5-11)."""
