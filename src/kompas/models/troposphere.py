"""Tropospheric delay: Saastamoinen with a standard atmosphere, and the Niell mapping functions.

Saastamoinen
    J. Saastamoinen, "Atmospheric correction for the troposphere and stratosphere in radio ranging of
    satellites", in *The Use of Artificial Satellites for Geodesy*, Geophys. Monogr. 15, AGU, 1972,
    pp. 247-251, evaluated with a standard atmosphere exactly as RTKLIB 2.4.3 does it
    (``rtkcmn.c: tropmodel()``, which kompas's single point positioning is compared against):

    - pressure ``P = 1013.25 (1 - 2.2557e-5 h)^5.2568`` hPa (U.S. Standard Atmosphere 1976 near the
      ground), temperature ``T = 15 - 6.5e-3 h + 273.16`` K, ``h`` the height clipped below at 0 m
      (heights beyond RTKLIB's range: see below);
    - water-vapour pressure ``e = 6.108 RH exp((17.15 T - 4684) / (T - 38.45))`` hPa (Magnus-type
      saturation pressure, RTKLIB manual App. E.5);
    - hydrostatic ``0.0022768 P / (1 - 0.00266 cos 2 lat - 0.00028 h_km) / cos z`` and wet
      ``0.002277 (1255 / T + 0.05) e / cos z`` metres, ``z`` the zenith angle.

    Measured meteorology (e.g. a RINEX MET file, :meth:`kompas.tables.met.MetTable.atmosphere`) can
    replace the standard atmosphere: ``pressure_hpa`` and ``temperature_k`` (and ``humidity``) are
    then used in the same formulas; an element given as NaN (no measurement at that epoch) falls back
    to the standard-atmosphere value of that element.

    Over RTKLIB's range of heights, -100 m .. 10 km, the values are RTKLIB's. RTKLIB gives no delay
    outside that range; kompas continues the atmosphere over every height a receiver can have:

    - below -100 m, where the geoid no longer explains a height at sea level (EGM96's lowest is
      -106 m; the Dead Sea shore is 430 m below the sea), the standard atmosphere is evaluated at
      ``h + 100`` m, which joins RTKLIB's clip at -100 m without a step (RTKLIB gave 0 there: a
      receiver at sea level at 4N 80E, h = -105.7 m, solved no SPP epoch);
    - above 11 km, the tropopause of the U.S. Standard Atmosphere 1976 (NOAA-S/T 76-1562, Table 4;
      the troposphere formula above is that atmosphere's lowest layer), the layer is isothermal at the
      formula's 216.66 K and the pressure falls as ``P11 exp(-g0 M / R (h - 11 km) / T11)`` (eq. 33b,
      ``g0 M / R = 0.0341632`` K/m), the water-vapour pressure with it (RTKLIB gave 0 above 10 km:
      +2 m of vertical error at 11 km);
    - below -1000 m, deeper than any ground a receiver stands on, above 100 km (the Karman line; the
      layer's delay there is below a micrometre) and at elevations ``<= 0`` the delay is 0, so that the
      first iterations of a position fix, started at the Earth's centre, stay finite.

    The ``1 / cos z`` obliquity is the plain flat-Earth one: at 5 deg elevation it is about 1 % (a few
    decimetres) larger than a real mapping function; use :func:`zenith_delays` with
    :func:`niell_mapping` where that matters.

Niell mapping functions (NMF)
    A. E. Niell, "Global mapping functions for the atmosphere delay at radio wavelengths",
    J. Geophys. Res. 101(B2):3227-3246, 1996: eq. 4 (the three-term continued fraction of Marini
    1972, normalised to 1 at zenith), eq. 5-6 (height correction with a_ht, b_ht, c_ht) and
    Table 3 (coefficients at latitudes 15, 30, 45, 60 and 75 deg, interpolated linearly in
    latitude, held constant below 15 and above 75 deg; hydrostatic coefficients with an annual
    term ``avg - amp cos(2 pi (doy - 28) / 365.25)``, phase shifted by half a year in the
    southern hemisphere). The height in the correction is in kilometres above the sea level;
    kompas passes the ellipsoidal height (the geoid undulation, |N| < 110 m, changes the
    hydrostatic mapping by < 0.003 at 5 deg elevation, a few millimetres of delay).
"""

from __future__ import annotations

import numpy as np

__all__ = ["saastamoinen", "zenith_delays", "niell_mapping", "HEIGHT_RANGE_M"]

_H_FLOOR_M = -1000.0
_H_SEA_M = -100.0  # RTKLIB: heights down to here are taken at sea level (the geoid)
_H_TROPOPAUSE_M = 11.0e3  # U.S. Standard Atmosphere 1976, Table 4: the first layer's top
_G0M_OVER_R = 0.0341632  # K/m: g0 M0 / R* of the U.S. Standard Atmosphere 1976 (eq. 33b)
_H_CEILING_M = 100.0e3  # the Karman line: the isothermal layer's delay above it is below 1e-6 m
HEIGHT_RANGE_M = (_H_FLOOR_M, _H_CEILING_M)
"""Ellipsoidal heights (m) over which :func:`saastamoinen` gives a delay (RTKLIB's were -100 m .. 10 km)."""


def _model_height(h):
    """The height (m) the standard atmosphere is evaluated at: RTKLIB's clip of [-100, 0) m to sea level,
    continued below -100 m without a step."""
    return np.where(h < _H_SEA_M, h - _H_SEA_M, np.maximum(h, 0.0))


def _atmosphere(lat_rad, height_m, humidity, pressure_hpa=None, temperature_k=None):
    """Zenith hydrostatic and wet delays (m) and the validity mask (RTKLIB tropmodel): standard
    atmosphere, or the measured pressure/temperature where given and not NaN."""
    lat = np.asarray(lat_rad, dtype=np.float64)
    h = np.asarray(height_m, dtype=np.float64)
    rh = np.asarray(humidity, dtype=np.float64)
    valid = (h >= _H_FLOOR_M) & (h <= _H_CEILING_M)
    hgt = _model_height(np.where(valid, h, 0.0))  # an infinite height would give inf - inf below
    low = np.minimum(hgt, _H_TROPOPAUSE_M)
    temp_k = 15.0 - 6.5e-3 * low + 273.16
    # above the tropopause: isothermal at the tropopause's temperature, pressure falling exponentially
    thin = np.exp(-_G0M_OVER_R * (hgt - low) / temp_k)
    pres_hpa = 1013.25 * (1.0 - 2.2557e-5 * low) ** 5.2568 * thin
    if pressure_hpa is not None:
        p = np.asarray(pressure_hpa, dtype=np.float64)
        pres_hpa = np.where(np.isnan(p), pres_hpa, p)
    if temperature_k is not None:
        t = np.asarray(temperature_k, dtype=np.float64)
        temp_k = np.where(np.isnan(t), temp_k, t)
    e_hpa = 6.108 * rh * np.exp((17.15 * temp_k - 4684.0) / (temp_k - 38.45)) * thin
    zhd = 0.0022768 * pres_hpa / (1.0 - 0.00266 * np.cos(2.0 * lat) - 0.00028 * hgt / 1e3)
    zwd = 0.002277 * (1255.0 / temp_k + 0.05) * e_hpa
    return zhd, zwd, valid


def saastamoinen(
    lat_rad, height_m, elev_rad, humidity=0.7, *, pressure_hpa=None, temperature_k=None
) -> np.ndarray:
    """Slant tropospheric delay by the Saastamoinen model and a standard atmosphere.

    Saastamoinen (1972); the standard atmosphere and limits of RTKLIB 2.4.3 ``tropmodel()``
    (see the module docstring for every formula). All arguments broadcast together.

    Parameters
    ----------
    lat_rad : array_like
        Geodetic latitude of the receiver, rad.
    height_m : array_like
        Ellipsoidal height of the receiver, m (a delay from -1000 m to 100 km; RTKLIB's from -100 m to 10 km).
    elev_rad : array_like
        Elevation of the satellite, rad.
    humidity : array_like, optional
        Relative humidity, 0..1 (RTKLIB uses 0.7 in single point positioning); a measured value
        (``HR / 100`` of a RINEX MET file) where known.
    pressure_hpa : array_like, optional
        Measured pressure at the receiver, hPa; None or NaN elements: the standard atmosphere.
    temperature_k : array_like, optional
        Measured dry temperature at the receiver, K; None or NaN elements: the standard atmosphere.

    Returns
    -------
    numpy.ndarray
        Slant delay (hydrostatic + wet), m; 0 where the height is below -1000 m or above 100 km, or the
        elevation is ``<= 0``.
    """
    el = np.asarray(elev_rad, dtype=np.float64)
    zhd, zwd, valid = _atmosphere(lat_rad, height_m, humidity, pressure_hpa, temperature_k)
    valid = valid & (el > 0.0)
    # z = pi/2 - el, so 1/cos z = 1/sin el; masked elevations get a harmless placeholder
    sin_el = np.where(valid, np.sin(np.where(valid, el, 1.0)), 1.0)
    return np.where(valid, (zhd + zwd) / sin_el, 0.0)


def zenith_delays(
    lat_rad, height_m, humidity=0.7, *, pressure_hpa=None, temperature_k=None
) -> tuple[np.ndarray, np.ndarray]:
    """Zenith hydrostatic and wet delays of the Saastamoinen model with a standard atmosphere.

    The zenith form (``cos z = 1``) of :func:`saastamoinen`, for estimators that map each part
    with its own mapping function (:func:`niell_mapping`): ``delay = zhd * m_h + zwd * m_w``.

    Parameters
    ----------
    lat_rad : array_like
        Geodetic latitude, rad.
    height_m : array_like
        Ellipsoidal height, m.
    humidity : array_like, optional
        Relative humidity, 0..1.
    pressure_hpa, temperature_k : array_like, optional
        Measured pressure (hPa) and temperature (K), as in :func:`saastamoinen`.

    Returns
    -------
    zhd, zwd : numpy.ndarray
        Zenith hydrostatic and wet delays, m; both 0 where the height is below -1000 m or above 100 km
        (as :func:`saastamoinen`).
    """
    zhd, zwd, valid = _atmosphere(lat_rad, height_m, humidity, pressure_hpa, temperature_k)
    return np.where(valid, zhd, 0.0), np.where(valid, zwd, 0.0)


# Niell (1996) Table 3, rows at latitudes 15, 30, 45, 60, 75 deg.
_NMF_LAT_DEG = np.array([15.0, 30.0, 45.0, 60.0, 75.0])
_NMF_HYD_AVG = np.array(
    [
        [1.2769934e-3, 1.2683230e-3, 1.2465397e-3, 1.2196049e-3, 1.2045996e-3],  # a
        [2.9153695e-3, 2.9152299e-3, 2.9288445e-3, 2.9022565e-3, 2.9024912e-3],  # b
        [62.610505e-3, 62.837393e-3, 63.721774e-3, 63.824265e-3, 64.258455e-3],  # c
    ]
)
_NMF_HYD_AMP = np.array(
    [
        [0.0, 1.2709626e-5, 2.6523662e-5, 3.4000452e-5, 4.1202191e-5],
        [0.0, 2.1414979e-5, 3.0160779e-5, 7.2562722e-5, 11.723375e-5],
        [0.0, 9.0128400e-5, 4.3497037e-5, 84.795348e-5, 170.37206e-5],
    ]
)
_NMF_WET = np.array(
    [
        [5.8021897e-4, 5.6794847e-4, 5.8118019e-4, 5.9727542e-4, 6.1641693e-4],
        [1.4275268e-3, 1.5138625e-3, 1.4572752e-3, 1.5007428e-3, 1.7599082e-3],
        [4.3472961e-2, 4.6729510e-2, 4.3908931e-2, 4.4626982e-2, 5.4736038e-2],
    ]
)
# Niell (1996) eq. 6: height-correction coefficients
_NMF_HT = (2.53e-5, 5.49e-3, 1.14e-3)
_NMF_DOY0 = 28.0  # phase of the annual term, days (Niell 1996 sec. 4)
_YEAR_D = 365.25


def _marini(sin_el, a, b, c):
    """Niell (1996) eq. 4: continued fraction normalised to 1 at zenith."""
    return (1.0 + a / (1.0 + b / (1.0 + c))) / (sin_el + a / (sin_el + b / (sin_el + c)))


def _interp_lat(table, abs_lat_deg):
    """Linear interpolation of each coefficient row in |latitude|, constant outside 15..75 deg."""
    return [np.interp(abs_lat_deg, _NMF_LAT_DEG, row) for row in table]


def niell_mapping(lat_rad, height_m, elev_rad, doy) -> tuple[np.ndarray, np.ndarray]:
    """Niell (1996) hydrostatic and wet mapping functions.

    Niell, J. Geophys. Res. 101(B2):3227-3246, 1996, eq. 4-6 and Table 3 (see the module
    docstring). All arguments broadcast together.

    Parameters
    ----------
    lat_rad : array_like
        Geodetic latitude, rad.
    height_m : array_like
        Height of the station, m (ellipsoidal height used for the height above sea level).
    elev_rad : array_like
        Elevation, rad.
    doy : array_like
        Day of year (1.0 = January 1, 0h; fractions allowed), UTC or GPST alike.

    Returns
    -------
    m_hydro, m_wet : numpy.ndarray
        Dimensionless mapping factors (1 at zenith); 0 where the elevation is ``<= 0``.
    """
    lat = np.asarray(lat_rad, dtype=np.float64)
    h_km = np.asarray(height_m, dtype=np.float64) * 1e-3
    el = np.asarray(elev_rad, dtype=np.float64)
    doy = np.asarray(doy, dtype=np.float64)
    lat, h_km, el, doy = np.broadcast_arrays(lat, h_km, el, doy)

    above = el > 0.0
    sin_el = np.sin(np.where(above, el, 0.5 * np.pi))
    abs_lat_deg = np.abs(np.degrees(lat))

    # annual term; the southern hemisphere is half a year out of phase (Niell 1996 sec. 4)
    phase = (doy - _NMF_DOY0) / _YEAR_D + np.where(lat < 0.0, 0.5, 0.0)
    cos_y = np.cos(2.0 * np.pi * phase)
    avg = _interp_lat(_NMF_HYD_AVG, abs_lat_deg)
    amp = _interp_lat(_NMF_HYD_AMP, abs_lat_deg)
    a_h, b_h, c_h = (avg[i] - amp[i] * cos_y for i in range(3))
    m_hydro = _marini(sin_el, a_h, b_h, c_h)
    # eq. 5-6: height correction of the hydrostatic function, height in km
    m_hydro = m_hydro + (1.0 / sin_el - _marini(sin_el, *_NMF_HT)) * h_km

    a_w, b_w, c_w = _interp_lat(_NMF_WET, abs_lat_deg)
    m_wet = _marini(sin_el, a_w, b_w, c_w)
    return np.where(above, m_hydro, 0.0), np.where(above, m_wet, 0.0)
