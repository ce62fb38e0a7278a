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
Gradient mapping (:func:`gradient_mapping`)
    G. Chen and T. A. Herring, "Effects of atmospheric azimuthal asymmetry on the analysis of space
    geodetic data", J. Geophys. Res. 102(B9):20489-20502, 1997, eq. 11: ``m_g = 1/(sin e tan e + C)``,
    C = 0.0032 (hydrostatic / total, the IERS and GPT3 choice) or 0.0007 (wet); the slant delay of the
    gradients is ``m_g (G_n cos A + G_e sin A)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["marini", "vmf1_mapping", "gradient_mapping", "gradient_delay"]

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
