"""GPT3 meteorology and zenith delays: the troposphere a priori of precise point positioning.

GPT3 (:func:`gpt3`)
    D. Landskron and J. Böhm, "VMF3/GPT3: refined discrete and empirical troposphere mapping functions",
    J. Geod. 92:349-360, 2018, evaluated as TU Wien's reference ``gpt3_5_fast.m`` does: each quantity is
    ``a0 + A1 cos(2 pi doy/365.25) + B1 sin(...) + A2 cos(4 pi doy/365.25) + B2 sin(...)`` (doy: day of
    year, 1.0 = January 1 0h, with its fraction); temperature is reduced from the grid height with the
    lapse rate, pressure with an exponential of the virtual temperature
    ``p = p0 exp(-g M (h - Hs) / (R Tv))`` (g = 9.80665 m/s^2, M = 28.965e-3 kg/mol,
    R = 8.3143 J/(K mol), Tv = T0 (1 + 0.6077 Q)), water-vapour pressure by
    ``e = e0 (p/p0)^(lambda + 1)`` (Askne & Nordius 1987 eq. 14) with ``e0 = Q p0 / (0.622 + 0.378 Q)``;
    the four surrounding cell centres are combined bilinearly (nearest cell within half a cell of a
    pole). The station height above the geoid is the ellipsoidal height minus the interpolated
    undulation. Reproduces the MATLAB routine to 1e-9 (tests/reference/test_gpt3.py).
Zenith delays
    :func:`saastamoinen_zhd`: Saastamoinen (1972) with Davis et al. (1985, Radio Sci. 20:1593) gravity
    ``zhd = 0.0022768 p / (1 - 0.00266 cos 2 phi - 0.28e-6 h)`` m, p in hPa, h in m.
    :func:`askne_nordius_zwd`: Askne & Nordius (1987, Radio Sci. 22:379-386) eq. 22 as GPT2w/GPT3 use it:
    ``zwd = 1e-6 (k2' + k3/Tm) Rd / (g (lambda + 1)) e``, k1 = 77.604 K/hPa, k2 = 64.79 K/hPa,
    k2' = k2 - k1 Mw/Md (Mw = 18.0152, Md = 28.9644 g/mol), k3 = 377600 K^2/hPa,
    Rd = 8.3143 / 28.965e-3 J/(kg K), g = 9.80665 m/s^2 (constants of Bevis et al. 1994 as TU Wien's
    ``asknewet.m`` takes them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..time import NS, gps_utc_offset_s, gpst_to_calendar, gtime_from_calendar

__all__ = ["Gpt3Result", "gpt3", "day_of_year", "saastamoinen_zhd", "askne_nordius_zwd"]

_G = 9.80665  # mean gravity, m/s^2
_MD = 28.965e-3  # molar mass of dry air, kg/mol
_RG = 8.3143  # universal gas constant, J/(K mol)
_DAY_NS = 86_400 * NS


@dataclass(frozen=True, eq=False)
class Gpt3Result:
    """GPT3 values at sites (arrays of the query shape).

    Attributes
    ----------
    pressure_hpa, e_hpa : numpy.ndarray
        Total pressure and water-vapour pressure, hPa.
    temperature_k, lapse_rate_k_m, tm_k : numpy.ndarray
        Temperature (K), its lapse rate (K/m, negative when it decreases with height) and the
        water-vapour weighted mean temperature (K).
    ah, aw : numpy.ndarray
        Hydrostatic and wet mapping-function coefficients a (VMF3 empirical).
    water_vapour_decrease : numpy.ndarray
        Lambda, the water-vapour decrease factor.
    undulation_m : numpy.ndarray
        Geoid undulation, m.
    gn_h, ge_h, gn_w, ge_w : numpy.ndarray
        Hydrostatic and wet north/east gradients, m (Chen & Herring 1997 convention).
    """

    pressure_hpa: np.ndarray
    temperature_k: np.ndarray
    lapse_rate_k_m: np.ndarray
    tm_k: np.ndarray
    e_hpa: np.ndarray
    ah: np.ndarray
    aw: np.ndarray
    water_vapour_decrease: np.ndarray
    undulation_m: np.ndarray
    gn_h: np.ndarray
    ge_h: np.ndarray
    gn_w: np.ndarray
    ge_w: np.ndarray


def day_of_year(t_gpst_ns) -> np.ndarray:
    """UTC day of year with fraction (1.0 = January 1, 0h), as GPT3 and GMF take it."""
    t = np.asarray(t_gpst_ns, dtype=np.int64)
    year = gpst_to_calendar(t, "UTC")[0]
    jan1 = gtime_from_calendar(year, 1, 1, scale="UTC", check=False)
    leaps = (gps_utc_offset_s(t).astype(np.int64) - gps_utc_offset_s(jan1).astype(np.int64)) * NS
    return 1.0 + (t - jan1 - leaps) / _DAY_NS


def _neighbours(grid, lat_rad, lon_rad):
    """Indices (..., 4) of the surrounding cells and bilinear weights (..., 4) (gpt3_5_fast.m)."""
    step, n_lon, n_lat = grid.step_deg, grid.n_lon, grid.n_lat
    plon = np.mod(np.degrees(lon_rad), 360.0)
    ppod = 90.0 - np.degrees(lat_rad)  # polar distance
    ipod = np.floor((ppod + step) / step).astype(np.int64)
    ilon = np.floor((plon + step) / step).astype(np.int64)
    diffpod = (ppod - (ipod * step - step / 2)) / step
    difflon = (plon - (ilon * step - step / 2)) / step
    ipod = np.minimum(ipod, n_lat)
    ilon = np.where(ilon == n_lon + 1, 1, np.where(ilon == 0, n_lon, ilon))
    bilinear = (ppod > step / 2) & (ppod < 180.0 - step / 2)
    ipod1 = np.where(bilinear, ipod + np.sign(diffpod).astype(np.int64), ipod)
    ilon1 = np.where(bilinear, ilon + np.sign(difflon).astype(np.int64), ilon)
    ilon1 = np.where(ilon1 == n_lon + 1, 1, np.where(ilon1 == 0, n_lon, ilon1))
    idx = (
        np.stack(
            [
                (ipod - 1) * n_lon + ilon,
                (ipod1 - 1) * n_lon + ilon,
                (ipod - 1) * n_lon + ilon1,
                (ipod1 - 1) * n_lon + ilon1,
            ],
            axis=-1,
        )
        - 1
    )
    dp, dl = np.abs(diffpod), np.abs(difflon)
    w = np.stack([(1 - dp) * (1 - dl), dp * (1 - dl), (1 - dp) * dl, dp * dl], axis=-1)
    return idx, w


def gpt3(grid, t_gpst_ns, lat_rad, lon_rad, h_ell_m, time_variation: bool = True) -> Gpt3Result:
    """Evaluate GPT3 at sites and instants (Landskron & Böhm 2018; see the module docstring).

    Parameters
    ----------
    grid : Gpt3Grid
        The grid (:func:`kompas.io.readers.gpt3.read_gpt3_grid`).
    t_gpst_ns : array_like of int64
        Instants, GPST ns (the day of year is taken in UTC).
    lat_rad, lon_rad, h_ell_m : array_like
        Ellipsoidal latitude and longitude (rad) and height (m); all arguments broadcast together.
    time_variation : bool
        False gives the mean values (the routine's ``it = 1``).

    Returns
    -------
    Gpt3Result
    """
    t, lat, lon, h = np.broadcast_arrays(
        np.asarray(t_gpst_ns, dtype=np.int64),
        *(np.asarray(a, dtype=np.float64) for a in (lat_rad, lon_rad, h_ell_m)),
    )
    if time_variation:
        a = 2.0 * np.pi * day_of_year(t) / 365.25
        harm = np.stack([np.ones_like(a), np.cos(a), np.sin(a), np.cos(2 * a), np.sin(2 * a)], axis=-1)
    else:
        harm = np.broadcast_to(np.array([1.0, 0, 0, 0, 0]), (*t.shape, 5))
    idx, w = _neighbours(grid, lat, lon)

    def ev(table):  # (..., 4) values at the four cells
        return np.einsum("...kc,...c->...k", table[idx], harm)

    undu = grid.undulation_m[idx]
    redh = (h[..., None] - undu) - grid.height_m[idx]
    t0, p0, q, dt = (
        ev(grid.temperature_k),
        ev(grid.pressure_pa),
        ev(grid.specific_humidity),
        ev(grid.lapse_rate_k_m),
    )
    temp = t0 + dt * redh
    tv = t0 * (1.0 + 0.6077 * q)
    pres = p0 * np.exp(-_G * _MD / (_RG * tv) * redh) / 100.0
    lam = ev(grid.water_vapour_decrease)
    e0 = q * p0 / (0.622 + 0.378 * q) / 100.0
    e = e0 * (100.0 * pres / p0) ** (lam + 1.0)

    def bil(v):
        return (v * w).sum(-1)

    return Gpt3Result(
        pressure_hpa=bil(pres),
        temperature_k=bil(temp),
        lapse_rate_k_m=bil(dt),
        tm_k=bil(ev(grid.tm_k)),
        e_hpa=bil(e),
        ah=bil(ev(grid.ah)),
        aw=bil(ev(grid.aw)),
        water_vapour_decrease=bil(lam),
        undulation_m=bil(undu),
        gn_h=bil(ev(grid.gn_h)),
        ge_h=bil(ev(grid.ge_h)),
        gn_w=bil(ev(grid.gn_w)),
        ge_w=bil(ev(grid.ge_w)),
    )


def saastamoinen_zhd(pressure_hpa, lat_rad, h_ell_m) -> np.ndarray:
    """Zenith hydrostatic delay from surface pressure, m (Saastamoinen 1972 / Davis et al. 1985).

    Parameters
    ----------
    pressure_hpa : array_like
        Total pressure at the site, hPa.
    lat_rad, h_ell_m : array_like
        Latitude (rad) and height (m) of the site.
    """
    p = np.asarray(pressure_hpa, dtype=np.float64)
    lat = np.asarray(lat_rad, dtype=np.float64)
    h = np.asarray(h_ell_m, dtype=np.float64)
    return 0.0022768 * p / (1.0 - 0.00266 * np.cos(2.0 * lat) - 0.28e-6 * h)


_K1, _K2, _K3 = 77.604, 64.79, 377600.0  # K/hPa, K/hPa, K^2/hPa
_K2P = _K2 - _K1 * 18.0152 / 28.9644


def askne_nordius_zwd(e_hpa, tm_k, water_vapour_decrease) -> np.ndarray:
    """Zenith wet delay, m (Askne & Nordius 1987 eq. 22; constants in the module docstring).

    Parameters
    ----------
    e_hpa : array_like
        Water-vapour pressure at the site, hPa.
    tm_k : array_like
        Water-vapour weighted mean temperature, K.
    water_vapour_decrease : array_like
        Lambda, the water-vapour decrease factor.
    """
    e = np.asarray(e_hpa, dtype=np.float64)
    tm = np.asarray(tm_k, dtype=np.float64)
    lam = np.asarray(water_vapour_decrease, dtype=np.float64)
    rd = _RG / _MD
    return 1e-6 * (_K2P + _K3 / tm) * rd / (lam + 1.0) / _G * e
