"""Troposphere mapping functions from given a-coefficients, and the gradient mapping function.

VMF1-form mapping (:func:`vmf1_mapping`)
    J. Böhm, B. Werl and H. Schuh, "Troposphere mapping functions for GPS and very long baseline
    interferometry from European Centre for Medium-Range Weather Forecasts operational analysis data",
    J. Geophys. Res. 111:B02406, 2006 (VMF1): the continued fraction of Marini (1972) normalised to 1 at
    zenith (Niell 1996 eq. 4) with the supplied ``a`` coefficients (from GPT3 or GPT2w, or from gridded
    VMF files) and the empirical ``b, c`` of VMF1: b_h = 0.0029,
    c_h = c0 + ((cos(2 pi (doy - 28)/365.25 + psi) + 1) c11/2 + c10) (1 - cos phi) with c0 = 0.062 and
    (psi, c10, c11) = (0, 0.001, 0.005) north, (pi, 0.002, 0.007) south; b_w = 0.00146, c_w = 0.04391;
    hydrostatic height correction of Niell (1996 eq. 6) with a_ht = 2.53e-5, b_ht = 5.49e-3,
    c_ht = 1.14e-3 and the height in km.

    Note: GPT3's a-coefficients belong to VMF3 (Landskron & Böhm 2018), whose b and c are spherical-
    harmonic expansions (degree 12) not reproduced here. With the VMF1 b and c the mapping factors agree
    with TU Wien's ``vmf3.m`` to 1.1e-6 (relative) at five random sites with zenith distances up to
    53 deg (tests/reference/test_gpt3.py); the difference grows towards the horizon (not measured here;
    Landskron & Böhm 2018 report VMF1-type b/c errors of a few millimetres of slant delay at 5 deg).
Global Mapping Function (:func:`gmf_mapping`)
    J. Boehm, A. Niell, P. Tregoning and H. Schuh, "Global Mapping Functions (GMF): A new empirical
    mapping function based on numerical weather model data", Geophys. Res. Lett. 33:L07304, 2006; IERS
    Conventions (2010) sec. 9.2. The ``a`` coefficients are degree-9 spherical-harmonic expansions of a
    mean and an annual term (:mod:`kompas.models._gmf_coefficients`), with the annual phase counted from
    28 January; ``b``, ``c`` and the height correction are those of the VMF1 form above (the same
    constants; the height in km above sea level, for which the ellipsoidal height stands in here).
Gradient mapping (:func:`gradient_mapping`)
    G. Chen and T. A. Herring, "Effects of atmospheric azimuthal asymmetry on the analysis of space
    geodetic data", J. Geophys. Res. 102(B9):20489-20502, 1997, eq. 11: ``m_g = 1/(sin e tan e + C)``,
    C = 0.0032 (hydrostatic / total, the IERS and GPT3 choice) or 0.0007 (wet); the slant delay of the
    gradients is ``m_g (G_n cos A + G_e sin A)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["marini", "vmf1_mapping", "gmf_coefficients", "gmf_mapping", "gradient_mapping", "gradient_delay"]

_BH, _C0H = 0.0029, 0.062
_BW, _CW = 0.00146, 0.04391
_HT = (2.53e-5, 5.49e-3, 1.14e-3)


def marini(sin_el, a, b, c):
    """Continued fraction normalised to 1 at zenith (Marini 1972; Niell 1996 eq. 4)."""
    return (1.0 + a / (1.0 + b / (1.0 + c))) / (sin_el + a / (sin_el + b / (sin_el + c)))


def vmf1_mapping(ah, aw, lat_rad, h_ell_m, elev_rad, doy) -> tuple[np.ndarray, np.ndarray]:
    """Hydrostatic and wet mapping factors in the VMF1 form with given a-coefficients.

    Parameters
    ----------
    ah, aw : array_like
        Hydrostatic and wet a-coefficients (e.g. :attr:`Gpt3Result.ah` / ``aw``).
    lat_rad : array_like
        Ellipsoidal latitude, rad.
    h_ell_m : array_like
        Height, m (ellipsoidal; the hydrostatic height correction uses it in km).
    elev_rad : array_like
        Elevation, rad (the functions are defined above the horizon; ``<= 0`` gives 0).
    doy : array_like
        Day of year with fraction (:func:`kompas.models.gpt3.day_of_year`).

    Returns
    -------
    m_hydro, m_wet : numpy.ndarray
        Mapping factors (1 at zenith); all arguments broadcast together.
    """
    ah, aw, lat, h, el, doy = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (ah, aw, lat_rad, h_ell_m, elev_rad, doy))
    )
    above = el > 0.0
    se = np.sin(np.where(above, el, 0.5 * np.pi))
    south = lat < 0.0
    psi = np.where(south, np.pi, 0.0)
    c10 = np.where(south, 0.002, 0.001)
    c11 = np.where(south, 0.007, 0.005)
    ch = _C0H + ((np.cos((doy - 28.0) / 365.25 * 2.0 * np.pi + psi) + 1.0) * c11 / 2.0 + c10) * (
        1.0 - np.cos(lat)
    )
    mh = marini(se, ah, _BH, ch) + (1.0 / se - marini(se, *_HT)) * h / 1000.0
    mw = marini(se, aw, _BW, _CW)
    return np.where(above, mh, 0.0), np.where(above, mw, 0.0)


_MJD_1980 = 44239.0
"""MJD of 1980 January 1, 0h: GMF's annual term is counted in days from 28 January 1980 (Niell 1996)."""


def _legendre9(t) -> np.ndarray:
    """Associated Legendre functions ``P_n^m(t)`` for n, m <= 9, unnormalised and without the
    Condon-Shortley phase (Heiskanen & Moritz 1967 eq. 1-62), shape (55, ...) in GMF's order (n, then m)."""
    t = np.asarray(t, dtype=np.float64)
    u = np.sqrt(np.maximum(1.0 - t * t, 0.0))
    p = np.zeros((10, 10, *t.shape))
    p[0, 0] = 1.0
    for m in range(10):
        if m > 0:
            p[m, m] = (2 * m - 1) * u * p[m - 1, m - 1]
        if m < 9:
            p[m + 1, m] = (2 * m + 1) * t * p[m, m]
        for n in range(m + 2, 10):
            p[n, m] = ((2 * n - 1) * t * p[n - 1, m] - (n + m - 1) * p[n - 2, m]) / (n - m)
    return np.stack([p[n, m] for n in range(10) for m in range(n + 1)])


def gmf_coefficients(lat_rad, lon_rad, mjd) -> tuple[np.ndarray, np.ndarray]:
    """Hydrostatic and wet ``a`` coefficients of GMF at a place and date (module docstring).

    Parameters
    ----------
    lat_rad, lon_rad : array_like
        Latitude and longitude, rad (east positive).
    mjd : array_like
        Modified Julian date (days; the time scale does not matter at this resolution).

    Returns
    -------
    ah, aw : numpy.ndarray
        Dimensionless; all arguments broadcast together.
    """
    from . import _gmf_coefficients as g

    lat, lon, mjd = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (lat_rad, lon_rad, mjd)))
    p = _legendre9(np.sin(lat))
    order = np.array([m for n in range(10) for m in range(n + 1)], dtype=np.float64)
    ang = order.reshape((-1,) + (1,) * lon.ndim) * lon
    cos_t, sin_t = p * np.cos(ang), p * np.sin(ang)

    def expand(a, b):
        k = (slice(None),) + (None,) * lon.ndim
        return 1e-5 * np.sum(np.asarray(a)[k] * cos_t + np.asarray(b)[k] * sin_t, axis=0)

    annual = np.cos((mjd - _MJD_1980 + 1.0 - 28.0) / 365.25 * 2.0 * np.pi)
    ah = expand(g.AH_MEAN, g.BH_MEAN) + expand(g.AH_AMP, g.BH_AMP) * annual
    aw = expand(g.AW_MEAN, g.BW_MEAN) + expand(g.AW_AMP, g.BW_AMP) * annual
    return ah, aw


def gmf_mapping(
    lat_rad, lon_rad, h_m, elev_rad, mjd, rows=None, coefficients=None
) -> tuple[np.ndarray, np.ndarray]:
    """Global Mapping Function: hydrostatic and wet mapping factors (module docstring).

    Parameters
    ----------
    lat_rad, lon_rad : array_like
        Latitude and longitude, rad.
    h_m : array_like
        Height, m (the hydrostatic height correction takes it in km).
    elev_rad : array_like
        Elevation, rad (``<= 0`` gives 0).
    mjd : array_like
        Modified Julian date, days.
    rows : array_like of int, optional
        With place and date given once per epoch: each elevation's epoch. The coefficients, which depend
        on the place and date only, are then expanded once per epoch instead of once per row (the
        expansion holds ~2.6 kB per point: 2.5 GB for a million satellite-epochs).
    coefficients : tuple of numpy.ndarray, optional
        ``(ah, aw)`` of :func:`gmf_coefficients` at the given places and dates, when the caller maps its
        rows in several calls and expands them once (default: expanded here).

    Returns
    -------
    m_hydro, m_wet : numpy.ndarray
        Mapping factors (1 at zenith); all arguments broadcast together.
    """
    ah, aw = gmf_coefficients(lat_rad, lon_rad, mjd) if coefficients is None else coefficients
    lat, h, day = (np.asarray(x, dtype=np.float64) for x in (lat_rad, h_m, mjd))
    if rows is not None:
        ah, aw, lat, h, day = ah[rows], aw[rows], lat[rows], h[rows], day[rows]
    # vmf1_mapping counts c_h's annual phase from day 28 of its day count: the same days from 1980 as GMF
    return vmf1_mapping(ah, aw, lat, h, elev_rad, day - _MJD_1980 + 1.0)


def gradient_mapping(elev_rad, c: float = 0.0032) -> np.ndarray:
    """Chen & Herring (1997) gradient mapping factor ``1/(sin e tan e + C)`` (0 where ``e <= 0``)."""
    el = np.asarray(elev_rad, dtype=np.float64)
    above = el > 0.0
    e = np.where(above, el, 0.5 * np.pi)
    return np.where(above, 1.0 / (np.sin(e) * np.tan(e) + c), 0.0)


def gradient_delay(elev_rad, az_rad, gn_m, ge_m, c: float = 0.0032) -> np.ndarray:
    """Slant delay of horizontal gradients, m: ``m_g(e) (G_n cos A + G_e sin A)`` (Chen & Herring 1997).

    Parameters
    ----------
    elev_rad, az_rad : array_like
        Elevation and azimuth (from north, clockwise), rad.
    gn_m, ge_m : array_like
        North and east gradient parameters, m.
    c : float
        0.0032 for total/hydrostatic gradients, 0.0007 for wet.
    """
    az = np.asarray(az_rad, dtype=np.float64)
    return gradient_mapping(elev_rad, c) * (np.asarray(gn_m) * np.cos(az) + np.asarray(ge_m) * np.sin(az))
