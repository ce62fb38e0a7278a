"""Saastamoinen delay, zenith delays, Niell and GMF mapping functions (kompas.models.troposphere, mapping)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kompas.models.gpt3 import day_of_year
from kompas.models.mapping import _legendre9, gmf_mapping, gradient_delay, gradient_mapping, vmf1_mapping
from kompas.models.troposphere import niell_mapping, saastamoinen, zenith_delays
from kompas.ppp_model import ModelSwitches, troposphere_epochs
from kompas.time import gpst_mjd, gtime_from_calendar

D = math.radians


# -- Saastamoinen ---------------------------------------------------------------------------------


def test_saastamoinen_zenith_at_sea_level_by_hand():
    # lat 45 deg (cos 2 lat = 0), h = 0: P = 1013.25 hPa, T = 288.16 K,
    # e = 6.108 * 0.7 * exp((17.15 * 288.16 - 4684) / (288.16 - 38.45)) = 12.01191 hPa
    # hydrostatic 0.0022768 * 1013.25 = 2.3069676 m; wet 0.002277 (1255/288.16 + 0.05) e = 0.1204877 m
    assert saastamoinen(D(45.0), 0.0, D(90.0)) == pytest.approx(2.4274553, abs=1e-7)
    zhd, zwd = zenith_delays(D(45.0), 0.0)
    assert zhd == pytest.approx(2.3069676, abs=1e-7)
    assert zwd == pytest.approx(0.1204877, abs=1e-7)


def test_saastamoinen_500m_60deg_lat_30deg_elevation_by_hand():
    # h = 500 m: P = 1013.25 (1 - 0.0112785)^5.2568 = 954.60015 hPa, T = 284.91 K, e = 9.712055 hPa;
    # hydrostatic 0.0022768 P / (1 - 0.00266 cos 120 deg - 0.00028 * 0.5) = 2.1708503 m,
    # wet 0.0985172 m; slant = zenith / sin 30 deg
    assert saastamoinen(D(60.0), 500.0, D(30.0)) == pytest.approx(4.5387351, abs=1e-7)


def test_saastamoinen_is_independent_transcription_on_a_grid():
    # The RTKLIB 2.4.3 tropmodel formulas written out again, scalar, from the task statement, over RTKLIB's
    # range of heights (-100 m .. 10 km; beyond it, kompas continues the atmosphere: tests below).
    def ref(lat, h, el, rh):
        if el <= 0.0:
            return 0.0
        hgt = max(h, 0.0)
        p = 1013.25 * (1.0 - 2.2557e-5 * hgt) ** 5.2568
        t = 15.0 - 6.5e-3 * hgt + 273.16
        e = 6.108 * rh * math.exp((17.15 * t - 4684.0) / (t - 38.45))
        z = math.pi / 2.0 - el
        trph = 0.0022768 * p / (1.0 - 0.00266 * math.cos(2.0 * lat) - 0.00028 * hgt / 1e3) / math.cos(z)
        trpw = 0.002277 * (1255.0 / t + 0.05) * e / math.cos(z)
        return trph + trpw

    lats = np.radians([-80.0, -33.0, 0.0, 12.5, 49.1, 78.9])
    hs = np.array([-100.0, -20.0, 0.0, 612.0, 3000.0, 9999.0, 10000.0])
    els = np.radians([-5.0, 0.0, 3.0, 10.0, 45.0, 90.0])
    got = saastamoinen(lats[:, None, None], hs[None, :, None], els[None, None, :], 0.55)
    assert got.shape == (lats.size, hs.size, els.size)
    for i, la in enumerate(lats):
        for j, h in enumerate(hs):
            for k, el in enumerate(els):
                assert got[i, j, k] == pytest.approx(ref(la, h, el, 0.55), rel=1e-13, abs=1e-15)


def test_saastamoinen_limits_return_zero():
    lat = D(49.0)
    assert saastamoinen(lat, 100.0, 0.0) == 0.0
    assert saastamoinen(lat, 100.0, D(-10.0)) == 0.0
    # deeper than any ground, and the first iterations of a fix (from the Earth's centre)
    assert saastamoinen(lat, -1000.5, D(30.0)) == 0.0
    assert saastamoinen(lat, -6.4e6, D(30.0)) == 0.0
    assert saastamoinen(lat, -1000.0, D(30.0)) > 4.0
    # a receiver 50 m below the ellipsoid is evaluated at 0 m (RTKLIB clips the height at 0)
    assert saastamoinen(lat, -50.0, D(30.0)) == saastamoinen(lat, 0.0, D(30.0))
    assert saastamoinen(lat, -100.0, D(30.0)) > 4.0


def test_heights_that_are_no_number_give_no_delay_and_no_warning():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # inf - inf would warn
        got = saastamoinen(D(49.0), np.array([-np.inf, np.inf, np.nan]), D(30.0))
        zhd, zwd = zenith_delays(D(49.0), np.array([-np.inf, np.inf, np.nan]))
    assert got.tolist() == [0.0, 0.0, 0.0] and zhd.tolist() == zwd.tolist() == [0.0, 0.0, 0.0]


def _pressure_hpa(h, at=None):
    """The model's pressure at the equator (hPa), from its zenith hydrostatic delay at height h (m)
    evaluated at the height ``at`` (m; default h)."""
    zhd, _ = zenith_delays(0.0, h)
    return float(zhd) * (1.0 - 0.00266 - 0.00028 * (h if at is None else at) / 1e3) / 0.0022768


@pytest.mark.parametrize(
    "h, table_hpa",
    # U.S. Standard Atmosphere 1976 (NOAA-S/T 76-1562), Table I, geometric heights; 11 km: the tropopause
    [(11_000.0, 226.32), (15_000.0, 120.45), (20_000.0, 54.748), (32_000.0, 8.6776)],
)
def test_above_the_tropopause_the_pressure_is_the_standard_atmosphere(h, table_hpa):
    # the isothermal layer from 11 km (RTKLIB gave no delay above 10 km); above 20 km the real layer warms,
    # and the isothermal one is 5 % low at 32 km: 1 mm of zenith delay
    assert _pressure_hpa(h) == pytest.approx(table_hpa, rel=0.051 if h > 20e3 else 0.002)


def test_above_the_tropopause_the_delay_is_continuous_and_vanishes_in_space():
    below, above = zenith_delays(D(30.0), np.array([11_000.0 - 1e-6, 11_000.0 + 1e-6]))[0]
    assert above == pytest.approx(below, rel=1e-9)
    zhd, zwd = zenith_delays(D(30.0), np.array([10_001.0, 99e3, 100.001e3, 400e3, 4e6]))
    assert zhd[0] > 0.6 and zwd[0] > 0.0  # RTKLIB: 0 above 10 km (+2 m vertical SPP error at 11 km)
    assert 0.0 < zhd[1] < 1e-6 and 0.0 < zwd[1] < 1e-9  # a micrometre below the Karman line
    assert np.all(zhd[2:] == 0.0) and np.all(zwd[2:] == 0.0)  # above it (a LEO receiver): no air, no sign
    # the water vapour thins with the air above the tropopause
    zwd_hi = zenith_delays(D(30.0), np.array([11_000.0, 16_000.0]))[1]
    assert zwd_hi[1] / zwd_hi[0] == pytest.approx(np.exp(-0.0341632 * 5000.0 / 216.66), rel=1e-4)


def test_below_minus_100_m_the_atmosphere_continues_below_sea_level():
    # RTKLIB gave no delay below -100 m: a ship at 4N 80E (geoid -105.7 m) had none. The height below
    # -100 m is taken below sea level, joining RTKLIB's clip at -100 m without a step.
    assert _pressure_hpa(-100.0 - 1e-9, at=0.0) == pytest.approx(1013.25, rel=1e-10)
    # 300 m below sea level (the Dead Sea shore is 430 m below): 1013.25 (1 + 2.2557e-5 * 300)^5.2568
    want = 1013.25 * (1.0 + 2.2557e-5 * 300.0) ** 5.2568
    assert _pressure_hpa(-400.0, at=-300.0) == pytest.approx(want, rel=1e-12)
    heights = np.array([-999.0, -400.0, -150.0, -105.7, -100.0])
    zhd, zwd = zenith_delays(D(4.0), heights)
    assert np.all(np.diff(zhd) < 0) and np.all(np.diff(zwd) < 0)


def test_saastamoinen_decreases_with_height_and_elevation():
    el = np.radians(np.arange(5.0, 90.1, 5.0))
    d = saastamoinen(D(30.0), 200.0, el)
    assert np.all(np.diff(d) < 0)
    h = np.arange(0.0, 9001.0, 500.0)
    assert np.all(np.diff(saastamoinen(D(30.0), h, D(40.0))) < 0)
    # humidity only moves the wet part
    dry = saastamoinen(D(30.0), 200.0, D(40.0), humidity=0.0)
    assert zenith_delays(D(30.0), 200.0, humidity=0.0)[1] == 0.0
    assert dry == pytest.approx(zenith_delays(D(30.0), 200.0)[0] / math.sin(D(40.0)), rel=1e-14)


def test_zenith_delays_times_cosecant_is_the_slant_delay():
    lat = np.radians([10.0, 47.0, -62.0])
    h = np.array([5.0, 800.0, 2500.0])
    el = np.radians([12.0, 37.0, 71.0])
    zhd, zwd = zenith_delays(lat, h, humidity=0.4)
    np.testing.assert_allclose(saastamoinen(lat, h, el, 0.4), (zhd + zwd) / np.sin(el), rtol=1e-14)
    zhd, zwd = zenith_delays(lat, [-1200.0, -6e6, 100.0])
    assert list(zhd[:2]) == [0.0, 0.0] and list(zwd[:2]) == [0.0, 0.0] and zhd[2] > 2.0


# -- Niell ------------------------------------------------------------------------------------------


def _marini(sin_el, a, b, c):
    return (1 + a / (1 + b / (1 + c))) / (sin_el + a / (sin_el + b / (sin_el + c)))


def test_niell_at_tabulated_latitude_on_doy_28_by_hand():
    # Niell (1996) Table 3 at 45 deg; on doy 28 the annual cosine is 1, so a = a_avg - a_amp exactly.
    el, h_km = D(10.0), 1.2
    s = math.sin(el)
    a = 1.2465397e-3 - 2.6523662e-5
    b = 2.9288445e-3 - 3.0160779e-5
    c = 63.721774e-3 - 4.3497037e-5
    hyd = _marini(s, a, b, c) + (1.0 / s - _marini(s, 2.53e-5, 5.49e-3, 1.14e-3)) * h_km
    wet = _marini(s, 5.8118019e-4, 1.4572752e-3, 4.3908931e-2)
    m_h, m_w = niell_mapping(D(45.0), h_km * 1e3, el, 28.0)
    assert m_h == pytest.approx(hyd, rel=1e-14)
    assert m_w == pytest.approx(wet, rel=1e-14)
    assert 5.5 < m_h < 5.7 and 5.5 < m_w < 5.7  # about 1/sin 10 deg = 5.76


def test_niell_matches_orekit_published_test_values():
    # Orekit's NiellMappingFunctionModelTest: 1994-01-01 (doy 1), 48 deg N, 68 m, elevation 5 deg
    # -> hydrostatic 10.16, wet 10.75 (quoted to two decimals).
    m_h, m_w = niell_mapping(D(48.0), 68.0, D(5.0), 1.0)
    assert abs(m_h - 10.16) <= 0.005
    assert abs(m_w - 10.75) <= 0.005


def test_niell_is_one_at_zenith_and_near_cosecant_at_30_deg():
    lat = np.radians([-70.0, -20.0, 0.0, 35.0, 52.0, 89.0])
    m_h, m_w = niell_mapping(lat, 400.0, D(90.0), 200.0)
    np.testing.assert_allclose(m_h, 1.0, atol=1e-12)
    np.testing.assert_allclose(m_w, 1.0, atol=1e-12)
    m_h, m_w = niell_mapping(lat, 400.0, D(30.0), 200.0)
    np.testing.assert_allclose(m_h, 2.0, rtol=0.01)
    np.testing.assert_allclose(m_w, 2.0, rtol=0.01)


def test_niell_southern_hemisphere_is_half_a_year_out_of_phase():
    el = np.radians([5.0, 15.0, 40.0])
    north = niell_mapping(D(52.0), 300.0, el, 20.0)
    south = niell_mapping(D(-52.0), 300.0, el, 20.0 + 365.25 / 2)
    np.testing.assert_allclose(north[0], south[0], rtol=1e-13)
    np.testing.assert_allclose(north[1], south[1], rtol=1e-13)
    # and the season matters: winter and summer differ at low elevation
    winter = niell_mapping(D(52.0), 300.0, D(5.0), 28.0)[0]
    summer = niell_mapping(D(52.0), 300.0, D(5.0), 28.0 + 365.25 / 2)[0]
    assert abs(winter - summer) > 0.02


def test_niell_latitude_interpolation_is_continuous_and_clamped():
    el = D(7.0)
    below = niell_mapping(np.radians([0.0, 5.0, 15.0]), 0.0, el, 100.0)
    np.testing.assert_allclose(below[0], below[0][2], rtol=1e-15)
    np.testing.assert_allclose(below[1], below[1][2], rtol=1e-15)
    above = niell_mapping(np.radians([75.0, 80.0, 90.0]), 0.0, el, 100.0)
    np.testing.assert_allclose(above[0], above[0][0], rtol=1e-15)
    # no jump across the tabulated latitudes
    for node in (30.0, 45.0, 60.0):
        lo = niell_mapping(D(node - 1e-7), 0.0, el, 100.0)
        hi = niell_mapping(D(node + 1e-7), 0.0, el, 100.0)
        assert abs(lo[0] - hi[0]) < 1e-8 and abs(lo[1] - hi[1]) < 1e-8
    # midway between two rows the coefficients are the mean (wet function: no season, no height)
    s = math.sin(el)
    a = (5.6794847e-4 + 5.8118019e-4) / 2
    b = (1.5138625e-3 + 1.4572752e-3) / 2
    c = (4.6729510e-2 + 4.3908931e-2) / 2
    assert niell_mapping(D(37.5), 0.0, el, 100.0)[1] == pytest.approx(_marini(s, a, b, c), rel=1e-14)


def test_niell_height_correction_and_horizon():
    m0 = niell_mapping(D(40.0), 0.0, D(5.0), 150.0)
    m2 = niell_mapping(D(40.0), 2000.0, D(5.0), 150.0)
    # eq. 6 slope at 5 deg, by hand: 1/sin 5 deg = 11.473713; the continued fraction with
    # a_ht, b_ht, c_ht = 1.0000252 / 0.0873251 = 11.45174; difference 0.02197 per km
    assert (m2[0] - m0[0]) / 2.0 == pytest.approx(0.02197, abs=2e-5)
    assert m2[1] == m0[1]  # the wet function has no height term
    m_h, m_w = niell_mapping(D(40.0), 0.0, np.radians([0.0, -3.0]), 150.0)
    assert list(m_h) == [0.0, 0.0] and list(m_w) == [0.0, 0.0]
    el = np.radians(np.arange(3.0, 90.1, 3.0))
    m_h, m_w = niell_mapping(D(40.0), 100.0, el, 150.0)
    assert np.all(np.diff(m_h) < 0) and np.all(np.diff(m_w) < 0)


def test_zenith_delays_times_niell_close_to_saastamoinen_at_high_elevation():
    # above 30 deg the flat 1/sin(el) and the Niell functions agree to better than 1 %
    lat, h = D(49.1), 650.0
    zhd, zwd = zenith_delays(lat, h)
    el = np.radians([30.0, 50.0, 75.0])
    m_h, m_w = niell_mapping(lat, h, el, 177.0)
    np.testing.assert_allclose(zhd * m_h + zwd * m_w, saastamoinen(lat, h, el), rtol=0.01)


def test_niell_annual_term_a_quarter_and_a_third_of_a_year_after_doy_28():
    # Niell (1996) Table 3 at 45 deg: a = a_avg - a_amp cos(2 pi (doy - 28) / 365.25)
    avg = (1.2465397e-3, 2.9288445e-3, 63.721774e-3)
    amp = (2.6523662e-5, 3.0160779e-5, 4.3497037e-5)
    el = D(7.0)
    s = math.sin(el)
    for days, cos_y in ((365.25 / 4, 0.0), (365.25 / 3, -0.5)):
        a, b, c = (v - w * cos_y for v, w in zip(avg, amp, strict=True))
        m_h, _ = niell_mapping(D(45.0), 0.0, el, 28.0 + days)
        assert m_h == pytest.approx(_marini(s, a, b, c), rel=1e-12)


def test_gradient_delay_by_hand():
    # Chen & Herring (1997): m_g(e) = 1 / (sin e tan e + C); delay = m_g (G_n cos A + G_e sin A)
    e = D(20.0)
    for c in (0.0032, 0.0007):
        mg = 1.0 / (math.sin(e) * math.tan(e) + c)
        assert gradient_delay(e, D(90.0), 0.0, 0.001, c) == pytest.approx(mg * 0.001, rel=1e-12)
        assert gradient_delay(e, D(0.0), 0.002, 0.0, c) == pytest.approx(mg * 0.002, rel=1e-12)
        got = gradient_delay(e, D(135.0), 0.002, 0.001, c)
        assert got == pytest.approx(mg * (0.002 * math.cos(D(135.0)) + 0.001 * math.sin(D(135.0))), rel=1e-12)
    assert gradient_delay(e, D(90.0), 0.0, 0.001) == pytest.approx(
        0.001 / (math.sin(e) * math.tan(e) + 0.0032)
    )
    # on and below the horizon there is no line of sight: no delay (not 1 / C = 312)
    assert gradient_mapping(np.array([0.0, -0.1])).tolist() == [0.0, 0.0]


# -- VMF1 form (Boehm, Werl & Schuh 2006, J. Geophys. Res. 111, B02406; TU Wien vmf1_ht.f) -------------


def _vmf1_by_hand(ah, aw, lat, h_m, el, doy):
    """vmf1_ht.f written out: b_h = 0.0029, c_h from c0 = 0.062 and the hemisphere's c10/c11/psi,
    Niell's height correction, b_w = 0.00146, c_w = 0.04391 (scalar)."""
    if lat < 0.0:  # southern hemisphere
        psi, c11, c10 = math.pi, 0.007, 0.002
    else:
        psi, c11, c10 = 0.0, 0.005, 0.001
    ch = 0.062 + ((math.cos((doy - 28.0) / 365.25 * 2.0 * math.pi + psi) + 1.0) * c11 / 2.0 + c10) * (
        1.0 - math.cos(lat)
    )
    s = math.sin(el)
    mh = _marini(s, ah, 0.0029, ch) + (1.0 / s - _marini(s, 2.53e-5, 5.49e-3, 1.14e-3)) * h_m / 1000.0
    return mh, _marini(s, aw, 0.00146, 0.04391)


@pytest.mark.parametrize("lat_deg", [-60.0, -33.9, -0.5, 0.5, 28.6, 45.0, 75.0])
def test_vmf1_by_hand_in_both_hemispheres(lat_deg):
    ah, aw, h, doy = 0.00121, 0.00051, 500.0, 100.5
    for el_deg in (5.0, 10.0, 30.0, 60.0):
        mh, mw = vmf1_mapping(ah, aw, D(lat_deg), h, D(el_deg), doy)
        want_h, want_w = _vmf1_by_hand(ah, aw, D(lat_deg), h, D(el_deg), doy)
        assert mh == pytest.approx(want_h, rel=1e-13) and mw == pytest.approx(want_w, rel=1e-13)


def test_vmf1_is_one_at_zenith_and_zero_from_the_horizon_down():
    lat = np.radians([-40.0, 0.0, 50.0])
    mh, mw = vmf1_mapping(0.00121, 0.00051, lat, 800.0, 0.5 * np.pi, 200.0)
    np.testing.assert_allclose(mh, 1.0, rtol=1e-15)  # the continued fraction is normalised at zenith
    np.testing.assert_allclose(mw, 1.0, rtol=1e-15)
    mh, mw = vmf1_mapping(0.00121, 0.00051, D(50.0), 800.0, [0.0, -0.1], 200.0)
    assert (mh == 0.0).all() and (mw == 0.0).all()


# -- GMF -------------------------------------------------------------------------------------------


def test_gmf_reproduces_the_iers_conventions_test_case():
    # IERS Conventions (2010) software, routine GMF: NRAO Green Bank on MJD 55055, zenith distance
    # 1.278564131 rad -> GMFH = 3.425245519339138678, GMFW = 3.449589116182419257
    m_h, m_w = gmf_mapping(0.6708665767, -1.393397187, 844.715, 0.5 * np.pi - 1.278564131, 55055.0)
    assert m_h == pytest.approx(3.425245519339138678, abs=1e-12)
    assert m_w == pytest.approx(3.449589116182419257, abs=1e-12)


def test_gmf_legendre_functions_match_the_explicit_sum():
    # Heiskanen & Moritz (1967) eq. 1-62, no Condon-Shortley phase, evaluated term by term
    t = np.array([-0.93, -0.2, 0.0, 0.41, 0.87])
    got = _legendre9(t)
    i = 0
    for n in range(10):
        for m in range(n + 1):
            s = sum(
                (-1) ** k * math.factorial(2 * n - 2 * k) / (math.factorial(k) * math.factorial(n - k)
                * math.factorial(n - m - 2 * k)) * t ** (n - m - 2 * k)
                for k in range((n - m) // 2 + 1)
            )  # fmt: skip
            assert got[i] == pytest.approx(2.0**-n * (1 - t * t) ** (m / 2) * s, rel=1e-12, abs=1e-12)
            i += 1


def test_gmf_vectorised_over_sites_and_close_to_niell():
    lat, lon = (
        np.radians(np.array([-60.0, -5.0, 30.0, 52.0, 78.0])),
        np.radians(np.array([150.0, -60.0, 10.0, 0.0, 15.0])),
    )
    el, mjd = (
        np.radians(np.array([5.0, 10.0, 20.0, 40.0, 90.0])),
        np.array([58000.0, 58100.5, 58200.0, 58300.0, 58400.0]),
    )
    m_h, m_w = gmf_mapping(lat, lon, 300.0, el, mjd)
    for k in range(5):
        one = gmf_mapping(lat[k], lon[k], 300.0, el[k], mjd[k])
        assert (m_h[k], m_w[k]) == pytest.approx(tuple(map(float, one)), rel=1e-14)
    assert m_h[-1] == pytest.approx(1.0, abs=1e-12) and m_w[-1] == pytest.approx(1.0, abs=1e-12)
    # both are fits to the same atmosphere: a few per cent apart at 5 deg, less above
    doy = (mjd - 58119.0) % 365.25 + 1.0  # MJD 58119 = 2018-01-01
    n_h, n_w = niell_mapping(lat, 300.0, el, doy)
    assert np.all(np.abs(m_h / n_h - 1) < [0.03, 0.01, 0.005, 0.002, 1e-12])
    assert np.all(np.abs(m_w / n_w - 1) < [0.03, 0.01, 0.005, 0.002, 1e-12])


@pytest.mark.parametrize("mapping", ["gmf", "niell"])
def test_ppp_saastamoinen_a_priori_uses_the_chosen_mapping(mapping):
    t_ns = np.array([int(gtime_from_calendar(2020, 6, 25))])
    llh = np.array([[D(49.1), D(12.9), 660.0]])
    el = np.radians(np.array([7.0, 25.0, 60.0]))
    m_h, m_w = troposphere_epochs(t_ns, llh, ModelSwitches(tropo="saas", mapping=mapping), None)[2](
        el, np.zeros(3, int)
    )
    if mapping == "gmf":
        want = gmf_mapping(llh[0, 0], llh[0, 1], 660.0, el, gpst_mjd(t_ns[0]))
    else:
        want = niell_mapping(llh[0, 0], 660.0, el, day_of_year(t_ns)[0])
    assert m_h == pytest.approx(want[0], rel=1e-14) and m_w == pytest.approx(want[1], rel=1e-14)


def test_gmf_coefficients_once_per_epoch_give_the_rows_values():
    """With the place and date given per epoch and ``rows`` naming each elevation's epoch, the coefficients
    are expanded once per epoch (PPP evaluated them per satellite-epoch: 421 -> 235 MB peak on ESBC's
    day); the factors are those of the per-row call, bit for bit."""
    lat, lon = np.array([0.84, -0.2, 1.5]), np.array([0.22, 2.9, -3.1])
    h, mjd = np.array([600.0, 10.0, 2800.0]), np.array([59000.0, 59000.25, 59365.5])
    rows = np.array([0, 0, 1, 2, 2, 2, 1])
    el = np.radians([10.0, 45.0, 80.0, 5.0, 30.0, 89.0, 0.0])
    per_row = gmf_mapping(lat[rows], lon[rows], h[rows], el, mjd[rows])
    per_epoch = gmf_mapping(lat, lon, h, el, mjd, rows=rows)
    for a, b in zip(per_row, per_epoch, strict=True):
        np.testing.assert_array_equal(a, b)
    assert per_epoch[0][-1] == 0.0  # the horizon row maps to 0, as before
