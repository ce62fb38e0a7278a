"""Receiver and satellite antenna phase-centre corrections (PCO and PCV) for a line of sight.

Conventions (ANTEX 1.4, R. Schmid 2012; RTKLIB ``antmodel`` / ``satantpcv`` use the same signs)
    * Receiver: PCO in north/east/up from the antenna reference point (ARP); the phase centre seen along
      the unit vector ``e`` (receiver to satellite, local east/north/up) shortens the range by ``PCO . e``;
      the variation ``PCV(zenith, azimuth)`` is added: ``d_rcv = -(PCO + ARP offset) . e + PCV``.
    * Satellite: PCO in the satellite body frame (x, y, z; z towards the Earth), rotated to ECEF with the
      attitude (:mod:`kompas.models.attitude`); with ``e`` from receiver to satellite the range changes
      by ``+PCO_ecef . e``; ``PCV(nadir)`` (and azimuth when given) is added: ``d_sat = PCO_ecef . e +
      PCV``. Both corrections are added to the geometric range between the ARP and the satellite's
      centre of mass.
    * PCV grids are interpolated linearly in zenith/nadir angle and, for azimuth-dependent tables,
      bilinearly in azimuth (0..360 deg, periodic), as RTKLIB's ``interpvar`` does in zenith.

Frequency fallback (as IGS analysis centres and RTKLIB process receivers calibrated for GPS only; the
igs20.atx header itself advises leaving out GLONASS and Galileo observations without their own
corrections): a receiver antenna without a calibration for a frequency uses the GPS one, GPS L1
(``G01``) for the L1-like bands (frequency number 1: E1, B1C, G1, QZSS L1, SBAS L1), BDS B1I (``C02``) and
GLONASS G1a (``R04``, 1600.995 MHz), GPS L2 (``G02``) for every other band (E5a with G02 moves the E1/E5a
ionosphere-free up offset of a LEIAR25.R3 by about 6 mm); a :class:`kompas.errors.KompasWarning` says so.

Satellites an ANTEX file lacks: the block-level nominal offsets of the NRCan GPSPACE tables
(:attr:`kompas.tables.satellites.SatelliteInfo.nominal_pco_m`; ionosphere-free, no PCV) are used with a
warning; they are not IGS values and may differ from them by decimetres.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ..errors import KompasError, KompasWarning, caller_stacklevel

__all__ = [
    "fallback_code",
    "pcv_interpolate",
    "receiver_range_correction",
    "satellite_range_correction",
    "AntennaCorrections",
    "antenna_offsets",
]


def fallback_code(code: str) -> str:
    """The GPS frequency code IGS uses for a receiver calibration that lacks ``code`` (module doc)."""
    c = code.strip().upper()
    # GPS L5 (G05) without its own calibration takes L2's, like every band other than the L1-like ones
    return "G01" if c[1:] == "01" or c in ("C02", "R04") else "G02"


def _frequency(antenna, code: str, what: str, warn: bool):
    """(code used, AntennaFrequency); GPS fallback with a warning; KompasError when neither exists."""
    code = code.strip().upper()
    if code in antenna.freqs:
        return code, antenna.freqs[code]
    fb = fallback_code(code)
    if fb in antenna.freqs:
        if warn:
            warnings.warn(
                KompasWarning(
                    f"{what} {antenna.type!r} has no {code} calibration; using {fb} (IGS fallback)"
                ),
                stacklevel=caller_stacklevel(),
            )
        return fb, antenna.freqs[fb]
    raise KompasError(f"{what} {antenna.type!r} has neither {code} nor {fb} calibrations")


def pcv_interpolate(antenna, code: str, zen_rad, az_rad=None) -> np.ndarray:
    """Phase-centre variation of one antenna and frequency, metres, interpolated (module docstring).

    Parameters
    ----------
    antenna : kompas.io.readers.antex.Antenna
        Any object with ``zen_rad``, ``azi_rad`` and ``freqs[code].pcv_noazi_m`` / ``pcv_m``.
    code : str
        ANTEX frequency code present in ``antenna.freqs``.
    zen_rad : array_like
        Zenith angle (receivers) or nadir angle (satellites), rad; clipped to the grid.
    az_rad : array_like, optional
        Azimuth, rad (clockwise from north for receivers); ignored when the table has no azimuth grid.
    """
    f = antenna.freqs[code]
    zg = np.asarray(antenna.zen_rad, dtype=np.float64)
    z = np.clip(np.asarray(zen_rad, dtype=np.float64), zg[0], zg[-1])
    if f.pcv_m is None or az_rad is None or antenna.azi_rad is None:
        return np.interp(z, zg, f.pcv_noazi_m)
    ag = np.asarray(antenna.azi_rad, dtype=np.float64)  # 0 .. 2 pi inclusive
    a = np.mod(np.asarray(az_rad, dtype=np.float64), 2.0 * np.pi)
    a, z = np.broadcast_arrays(a, z)
    step = ag[1] - ag[0]
    i = np.minimum((a / step).astype(np.int64), ag.size - 2)
    u = (a - ag[i]) / step
    table = np.asarray(f.pcv_m, dtype=np.float64)  # (nazi, nzen)
    # zenith interpolation of the two bracketing azimuth rows, vectorised
    j = np.clip(np.searchsorted(zg, z, side="right") - 1, 0, zg.size - 2)
    v = (z - zg[j]) / (zg[j + 1] - zg[j])
    r0 = table[i, j] * (1 - v) + table[i, j + 1] * v
    r1 = table[i + 1, j] * (1 - v) + table[i + 1, j + 1] * v
    return r0 * (1 - u) + r1 * u


def _los_enu(az_rad, el_rad):
    az = np.asarray(az_rad, dtype=np.float64)
    el = np.asarray(el_rad, dtype=np.float64)
    return np.stack([np.sin(az) * np.cos(el), np.cos(az) * np.cos(el), np.sin(el)], axis=-1)


def receiver_range_correction(
    antenna, code: str, az_rad, el_rad, arp_offset_enu=None, warn=True
) -> np.ndarray:
    """Receiver antenna correction to add to the ARP range, metres: ``-(PCO + ARP) . e + PCV``.

    Parameters
    ----------
    antenna : kompas.io.readers.antex.Antenna
        Receiver antenna calibration.
    code : str
        ANTEX frequency code of the signal (``"C02"``, ``"R01"``...); GPS fallback as in the module doc.
    az_rad, el_rad : array_like
        Azimuth and elevation of the satellite, rad.
    arp_offset_enu : array_like, shape (3,) or (..., 3), optional
        Offset of the ARP from the point whose position is estimated (east, north, up; e.g. the RINEX
        ``ANTENNA: DELTA H/E/N`` eccentricity), m.
    warn : bool
        Warn when the GPS fallback is used.
    """
    used, f = _frequency(antenna, code, "receiver antenna", warn)
    pco_enu = np.array([f.pco_m[1], f.pco_m[0], f.pco_m[2]])  # ANTEX receiver PCO is N, E, U
    if arp_offset_enu is not None:
        pco_enu = pco_enu + np.asarray(arp_offset_enu, dtype=np.float64)
    e = _los_enu(az_rad, el_rad)
    zen = 0.5 * np.pi - np.asarray(el_rad, dtype=np.float64)
    return -np.sum(pco_enu * e, axis=-1) + pcv_interpolate(antenna, used, zen, az_rad)


def satellite_range_correction(antenna, code: str, body_axes, los_ecef) -> np.ndarray:
    """Satellite antenna correction to add to the centre-of-mass range, metres: ``PCO_ecef . e + PCV``.

    Parameters
    ----------
    antenna : kompas.io.readers.antex.Antenna
        Satellite antenna block (PCO x, y, z body frame; PCV over nadir angle).
    code : str
        ANTEX frequency code (no fallback for satellites: a missing code raises KompasError).
    body_axes : array_like, shape (..., 3, 3)
        Body axes in ECEF, ``[..., k, :]`` axis k (0 x, 1 y, 2 z), from :mod:`kompas.models.attitude`.
    los_ecef : array_like, shape (..., 3)
        Unit vector from the receiver to the satellite, ECEF.
    """
    code = code.strip().upper()
    if code not in antenna.freqs:
        raise KompasError(f"satellite antenna {antenna.serial} ({antenna.type}) has no {code} calibration")
    f = antenna.freqs[code]
    axes = np.asarray(body_axes, dtype=np.float64)
    e = np.asarray(los_ecef, dtype=np.float64)
    pco = np.einsum("...kc,k->...c", axes, np.asarray(f.pco_m, dtype=np.float64))
    nadir = np.arccos(np.clip(-np.sum(axes[..., 2, :] * e, axis=-1), -1.0, 1.0))
    return np.sum(pco * e, axis=-1) + pcv_interpolate(antenna, code, nadir)


@dataclass(frozen=True, eq=False)
class AntennaCorrections:
    """Per-row results of :func:`antenna_offsets`.

    Attributes
    ----------
    receiver_m, satellite_m : numpy.ndarray, shape (N,)
        Corrections to add to the range, m (NaN where nothing is known).
    satellite_source : numpy.ndarray of str, shape (N,)
        ``"ANTEX"``, ``"NOMINAL"`` (GPSPACE block offset) or ``""`` (no correction known).
    """

    receiver_m: np.ndarray
    satellite_m: np.ndarray
    satellite_source: np.ndarray

    @property
    def total_m(self) -> np.ndarray:
        return self.receiver_m + self.satellite_m


def antenna_offsets(
    codes, az_rad, el_rad, los_ecef, body_axes, rcv_antenna=None, sat_antennas=None, nominal_pco_m=None,
    arp_offset_enu=None,
) -> AntennaCorrections:  # fmt: skip
    """Receiver and satellite antenna corrections for N lines of sight.

    Parameters
    ----------
    codes : sequence of str, shape (N,)
        ANTEX frequency code of each row (``"G01"``, ``"C02"``...).
    az_rad, el_rad : array_like, shape (N,)
        Azimuth and elevation at the receiver, rad.
    los_ecef : array_like, shape (N, 3)
        Unit vectors receiver -> satellite, ECEF.
    body_axes : array_like, shape (N, 3, 3)
        Satellite body axes in ECEF (:func:`kompas.models.attitude.satellite_attitude`).
    rcv_antenna : Antenna, optional
        Receiver calibration; None gives a zero receiver correction (no PCO/PCV known).
    sat_antennas : sequence of (Antenna or None), shape (N,), optional
        The ANTEX block valid for each row's satellite, or None where the file lacks it.
    nominal_pco_m : array_like, shape (N, 3), optional
        Block-level nominal offsets (body frame) used where ``sat_antennas`` has None, with a warning;
        NaN rows stay NaN (satellite correction unknown).
    arp_offset_enu : array_like, shape (3,), optional
        ARP eccentricity (east, north, up), m.
    """
    codes = np.asarray(codes, dtype="U3")
    n = codes.size
    rcv = np.zeros(n)
    if rcv_antenna is not None:
        for c in np.unique(codes).tolist():
            m = codes == c
            rcv[m] = receiver_range_correction(
                rcv_antenna, c, np.asarray(az_rad)[m], np.asarray(el_rad)[m], arp_offset_enu
            )
    elif arp_offset_enu is not None:
        rcv = -np.sum(np.asarray(arp_offset_enu) * _los_enu(az_rad, el_rad), axis=-1)
    sat = np.full(n, np.nan)
    src = np.full(n, "", dtype="U7")
    ants = list(sat_antennas) if sat_antennas is not None else [None] * n
    axes = np.asarray(body_axes, dtype=np.float64)
    los = np.asarray(los_ecef, dtype=np.float64)
    groups: dict[tuple[int, str], list[int]] = {}
    for i, a in enumerate(ants):
        if a is not None:
            groups.setdefault((id(a), codes[i]), []).append(i)
    for (_, c), rows in groups.items():
        r = np.array(rows)
        sat[r] = satellite_range_correction(ants[rows[0]], c, axes[r], los[r])
        src[r] = "ANTEX"
    missing = np.array([a is None for a in ants], dtype=bool)
    if nominal_pco_m is not None and missing.any():
        nom = np.asarray(nominal_pco_m, dtype=np.float64)
        use = missing & np.isfinite(nom).all(axis=-1)
        if use.any():
            warnings.warn(
                KompasWarning(
                    f"{int(use.sum())} rows without an ANTEX satellite antenna use nominal block offsets "
                    "(NRCan GPSPACE, ionosphere-free, no PCV; not IGS values)"
                ),
                stacklevel=caller_stacklevel(),
            )
            pco = np.einsum("nkc,nk->nc", axes[use], nom[use])
            sat[use] = np.sum(pco * los[use], axis=-1)
            src[use] = "NOMINAL"
    return AntennaCorrections(rcv, sat, src)
