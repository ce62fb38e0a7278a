"""GPS and BeiDou broadcast ionospheric models (kompas.models.ionosphere)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kompas.models.ionosphere import (
    F_BDS_B1I_HZ,
    F_GPS_L1_HZ,
    klobuchar_bds,
    klobuchar_gps,
    scale_to_frequency,
)

C = 299_792_458.0
D = math.radians

# Set A, ESBC00DNK_R_20201770000_01D_MN.rnx header (IONOSPHERIC CORR), read by eye
GPSA = [4.6566e-09, 1.4901e-08, -5.9605e-08, -1.1921e-07]
GPSB = [8.1920e04, 9.8304e04, -6.5536e04, -5.2429e05]
# Set D, BRDC00WRD_R_20261200800_06H_MN.rnx header, first BDSA/BDSB lines (no time mark)
BDSA = [3.2596e-08, 6.7055e-08, -1.0133e-06, 1.5497e-06]
BDSB = [1.1264e05, 2.6214e05, -3.9322e05, 6.5536e04]


def gps_icd(alpha, beta, lat, lon, az, el, t_gps):
    """IS-GPS-200N Figure 20-4, step by step in semicircles (scalar; written from the ICD)."""
    if el <= 0.0:
        return 0.0
    e = el / math.pi
    phi_u, lam_u = lat / math.pi, lon / math.pi
    psi = 0.0137 / (e + 0.11) - 0.022
    phi_i = phi_u + psi * math.cos(az)
    if phi_i > 0.416:
        phi_i = 0.416
    elif phi_i < -0.416:
        phi_i = -0.416
    lam_i = lam_u + psi * math.sin(az) / math.cos(phi_i * math.pi)
    phi_m = phi_i + 0.064 * math.cos((lam_i - 1.617) * math.pi)
    t = 4.32e4 * lam_i + t_gps
    while t >= 86400.0:
        t -= 86400.0
    while t < 0.0:
        t += 86400.0
    f = 1.0 + 16.0 * (0.53 - e) ** 3
    amp = sum(alpha[n] * phi_m**n for n in range(4))
    if amp < 0.0:
        amp = 0.0
    per = sum(beta[n] * phi_m**n for n in range(4))
    if per < 72000.0:
        per = 72000.0
    x = 2.0 * math.pi * (t - 50400.0) / per
    if abs(x) < 1.57:
        t_iono = f * (5.0e-9 + amp * (1.0 - x * x / 2.0 + x**4 / 24.0))
    else:
        t_iono = f * 5.0e-9
    return C * t_iono


def bds_icd(alpha, beta, lat, lon, az, el, t_bdt):
    """BDS-SIS-ICD-B1I-3.0 sec. 5.2.4.7, step by step in radians (scalar; written from the ICD)."""
    if el <= 0.0:
        return 0.0
    r, h = 6378.0, 375.0  # km
    psi = math.pi / 2 - el - math.asin(r / (r + h) * math.cos(el))
    phi_m = math.asin(math.sin(lat) * math.cos(psi) + math.cos(lat) * math.sin(psi) * math.cos(az))
    lam_m = lon + math.asin(math.sin(psi) * math.sin(az) / math.cos(phi_m))
    t = math.fmod(t_bdt + lam_m * 43200.0 / math.pi, 86400.0)
    if t < 0.0:
        t += 86400.0
    p = abs(phi_m / math.pi)
    a2 = max(sum(alpha[n] * p**n for n in range(4)), 0.0)
    a4 = sum(beta[n] * p**n for n in range(4))
    a4 = 172800.0 if a4 >= 172800.0 else (72000.0 if a4 < 72000.0 else a4)
    if abs(t - 50400.0) < a4 / 4.0:
        iz = 5.0e-9 + a2 * math.cos(2.0 * math.pi * (t - 50400.0) / a4)
    else:
        iz = 5.0e-9
    return C * iz / math.sqrt(1.0 - (r / (r + h) * math.cos(el)) ** 2)


# receivers, azimuths, elevations and times on a grid that covers night, day, both hemispheres,
# the +-0.416 clip, longitudes across the date line and times before 0 h / after 24 h local
_LATS = np.radians([-75.0, -35.0, -5.0, 0.0, 22.0, 49.1, 70.0, 88.0])
_LONS = np.radians([-179.0, -75.0, 0.0, 12.9, 117.0, 179.5])
_AZS = np.radians([0.0, 45.0, 135.0, 200.0, 315.0])
_ELS = np.radians([-1.0, 0.0, 2.0, 10.0, 35.0, 90.0])
_TIMES = np.array([0.0, 20000.0, 43200.0, 50400.0, 61000.0, 86399.0, 345600.0, 604799.0])


def _grid():
    g = np.meshgrid(_LATS, _LONS, _AZS, _ELS, _TIMES, indexing="ij")
    return [a.ravel() for a in g]


@pytest.mark.parametrize(("alpha", "beta"), [(GPSA, GPSB), (BDSA, BDSB)])
def test_gps_equals_icd_transcription(alpha, beta):
    lat, lon, az, el, t = _grid()
    got = klobuchar_gps(alpha, beta, lat, lon, az, el, t)
    want = np.array([gps_icd(alpha, beta, *args) for args in zip(lat, lon, az, el, t, strict=True)])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    day = want > C * 5e-9 * (1.0 + 16.0 * (0.53 - el / np.pi) ** 3) + 1e-6
    assert day.sum() > 200 and (~day & (el > 0)).sum() > 200  # both branches exercised


@pytest.mark.parametrize(("alpha", "beta"), [(GPSA, GPSB), (BDSA, BDSB)])
def test_bds_equals_icd_transcription(alpha, beta):
    lat, lon, az, el, t = _grid()
    got = klobuchar_bds(alpha, beta, lat, lon, az, el, t)
    want = np.array([bds_icd(alpha, beta, *args) for args in zip(lat, lon, az, el, t, strict=True)])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_gps_night_floor_by_hand():
    # zenith: E = 0.5 semicircle, F = 1 + 16 * 0.03^3 = 1.000432; at 02:00 local only the 5 ns term:
    # 299792458 * 5e-9 * 1.000432 = 1.4996098 m
    t = 2 * 3600.0
    assert klobuchar_gps(GPSA, GPSB, 0.0, 0.0, 0.0, D(90.0), t) == pytest.approx(1.4996098, abs=1e-7)


def test_bds_by_hand_at_the_equator_noon_peak():
    # user at 0 N 0 E, satellite at zenith: psi = 0, the IPP is the user, |phi_M| = 0 -> A2 = alpha_0;
    # at 14:00 local the cosine is 1: c (5e-9 + 3.2596e-8) = 11.2709973 m; at night c 5e-9 = 1.4989623 m
    assert klobuchar_bds(BDSA, BDSB, 0.0, 0.0, 1.0, D(90.0), 50400.0) == pytest.approx(11.2709973, abs=1e-6)
    assert klobuchar_bds(BDSA, BDSB, 0.0, 0.0, 1.0, D(90.0), 3600.0) == pytest.approx(1.4989623, abs=1e-7)
    # and at 30 deg the night floor carries the ICD obliquity 1/sqrt(1 - (6378/6753 cos E)^2) = 1.7381882
    assert klobuchar_bds(BDSA, BDSB, 0.0, 0.0, 1.0, D(30.0), 3600.0) == pytest.approx(
        1.4989623 * 1.7381882, abs=1e-6
    )


def test_below_horizon_is_zero():
    el = np.radians([0.0, -2.0, -90.0])
    assert np.all(klobuchar_gps(GPSA, GPSB, D(45.0), D(10.0), 1.0, el, 50400.0) == 0.0)
    assert np.all(klobuchar_bds(BDSA, BDSB, D(45.0), D(10.0), 1.0, el, 50400.0) == 0.0)


def test_daytime_mid_latitude_is_a_few_metres():
    # WTZR (49.1 N, 12.9 E), satellite south at 30 deg, 14:00 local time of the receiver
    lat, lon = D(49.14), D(12.88)
    t = 50400.0 - lon * 43200.0 / math.pi
    d = klobuchar_gps(GPSA, GPSB, lat, lon, D(180.0), D(30.0), t)
    assert 2.0 < d < 6.0
    night = klobuchar_gps(GPSA, GPSB, lat, lon, D(180.0), D(30.0), t + 43200.0)
    assert night < d and night == pytest.approx(C * 5e-9 * (1 + 16 * (0.53 - 1 / 6) ** 3), rel=1e-12)


def test_gps_and_bds_algorithms_differ_for_the_same_coefficients():
    lat, lon = D(49.14), D(12.88)
    az, el = np.radians([30.0, 150.0, 270.0]), np.radians([15.0, 45.0, 70.0])
    t = 40000.0
    g = klobuchar_gps(BDSA, BDSB, lat, lon, az, el, t)
    b = klobuchar_bds(BDSA, BDSB, lat, lon, az, el, t)
    assert np.all(np.abs(g - b) > 0.01)
    # even the night floors differ: different obliquity factors
    gn = klobuchar_gps(BDSA, BDSB, lat, lon, az, el, t + 43200.0)
    bn = klobuchar_bds(BDSA, BDSB, lat, lon, az, el, t + 43200.0)
    assert np.all(np.abs(gn - bn) > 1e-3)


def test_bds_uses_geographic_absolute_latitude_gps_geomagnetic():
    # mirror the geometry through the equator (lat -> -lat, azimuth north <-> south): BDS sees the same
    # |phi_M| and local time, GPS a different geomagnetic latitude
    lon, el, t = D(12.0), D(20.0), 45000.0
    b_n = klobuchar_bds(BDSA, BDSB, D(30.0), lon, 0.0, el, t)
    b_s = klobuchar_bds(BDSA, BDSB, D(-30.0), lon, math.pi, el, t)
    assert b_n == pytest.approx(b_s, rel=1e-13)
    g_n = klobuchar_gps(GPSA, GPSB, D(30.0), lon, 0.0, el, t)
    g_s = klobuchar_gps(GPSA, GPSB, D(-30.0), lon, math.pi, el, t)
    assert abs(g_n - g_s) > 0.5


def test_azimuth_sign_symmetry_at_the_local_peak():
    # receiver at 14:00 local: azimuths +A and -A put the pierce points at the same latitude and at local
    # times symmetric about the peak. BDS is symmetric; GPS is not (geomagnetic latitude depends on lon).
    lat, lon, el = D(49.0), D(12.0), D(20.0)
    t = 50400.0 - lon * 43200.0 / math.pi + 3 * 86400.0
    for az in (40.0, 100.0, 160.0):
        b = klobuchar_bds(BDSA, BDSB, lat, lon, np.radians([az, -az]), el, t)
        assert b[0] == pytest.approx(b[1], rel=1e-12)
    g = klobuchar_gps(GPSA, GPSB, lat, lon, np.radians([100.0, -100.0]), el, t)
    assert abs(g[0] - g[1]) > 0.1
    # at night both are symmetric in azimuth sign
    g = klobuchar_gps(GPSA, GPSB, lat, lon, np.radians([100.0, -100.0]), el, t + 43200.0)
    assert g[0] == pytest.approx(g[1], rel=1e-14)


def test_bds_period_clamps_and_amplitude_floor():
    lat, lon, el = 0.0, 0.0, D(90.0)  # IPP = user at the equator: A2 = alpha_0, A4 = beta_0
    alpha = [2.0e-8, 0.0, 0.0, 0.0]
    # A4 = 1e6 -> 172800 s: 30000 s after the peak the cosine is cos(2 pi 30000/172800) = 0.4617486
    d = klobuchar_bds(alpha, [1.0e6, 0, 0, 0], lat, lon, 0.0, el, 50400.0 + 30000.0)
    assert d == pytest.approx(C * (5e-9 + 2e-8 * 0.4617486), abs=1e-6)
    # A4 = 1000 -> 72000 s: 20000 s after the peak is outside the A4/4 = 18000 s window
    d = klobuchar_bds(alpha, [1000.0, 0, 0, 0], lat, lon, 0.0, el, 50400.0 + 20000.0)
    assert d == pytest.approx(C * 5e-9, rel=1e-14)
    d = klobuchar_bds(alpha, [1000.0, 0, 0, 0], lat, lon, 0.0, el, 50400.0 + 17000.0)
    assert d == pytest.approx(C * (5e-9 + 2e-8 * math.cos(2 * math.pi * 17000 / 72000)), rel=1e-13)
    # a negative A2 is replaced by 0: the night value even at the peak
    d = klobuchar_bds([-3e-8, 0, 0, 0], [1e5, 0, 0, 0], lat, lon, 0.0, el, 50400.0)
    assert d == pytest.approx(C * 5e-9, rel=1e-14)


def test_gps_period_and_amplitude_floors():
    el = D(90.0)
    f = 1.0 + 16.0 * 0.03**3
    # PER below 72000 is raised to 72000; AMP below 0 is 0
    t_local = 50400.0 + 10000.0
    x = 2 * math.pi * 10000.0 / 72000.0
    lon = 0.0
    # at the zenith the pierce point is 0.000459 semicircles north; phi_m is then fixed, so use
    # coefficients that do not depend on it
    d = klobuchar_gps([1e-8, 0, 0, 0], [5000.0, 0, 0, 0], 0.0, lon, 0.0, el, t_local)
    assert d == pytest.approx(C * f * (5e-9 + 1e-8 * (1 - x * x / 2 + x**4 / 24)), rel=1e-12)
    d = klobuchar_gps([-1e-8, 0, 0, 0], [90000.0, 0, 0, 0], 0.0, lon, 0.0, el, 50400.0)
    assert d == pytest.approx(C * f * 5e-9, rel=1e-13)


def test_per_satellite_coefficients_broadcast():
    alpha = np.array([BDSA, GPSA, [1e-8, 0, 0, 0]])
    beta = np.array([BDSB, GPSB, [9e4, 0, 0, 0]])
    az = np.radians([10.0, 120.0, 250.0])
    el = np.radians([25.0, 60.0, 15.0])
    for fn in (klobuchar_gps, klobuchar_bds):
        got = fn(alpha, beta, D(40.0), D(116.0), az, el, 30000.0)
        assert got.shape == (3,)
        for i in range(3):
            assert got[i] == pytest.approx(fn(alpha[i], beta[i], D(40.0), D(116.0), az[i], el[i], 30000.0))
    with pytest.raises(ValueError, match="length 4"):
        klobuchar_gps(GPSA[:3], GPSB, 0.0, 0.0, 0.0, 1.0, 0.0)


def test_scale_to_frequency():
    # L1 -> L2: (1575.42 / 1227.60)^2 = 1.6469444
    assert scale_to_frequency(1.0, F_GPS_L1_HZ, 1227.60e6) == pytest.approx(1.6469444, abs=1e-7)
    # B1I -> B3I (1268.52 MHz): (1561.098 / 1268.52)^2 = 1.5144875
    assert scale_to_frequency(2.0, F_BDS_B1I_HZ, 1268.52e6) == pytest.approx(2 * 1.5144875, abs=2e-7)
    np.testing.assert_allclose(scale_to_frequency([1.0, 3.0], 1e9, [1e9, 2e9]), [1.0, 0.75])


def test_bds_from_the_pole_by_hand():
    # from the North Pole the pierce point lies psi down the meridian lon + az: phi_M = pi/2 - psi and
    # lambda_M = lon + az for |az| <= 90 deg (the ICD's asin argument is sin(az), rounding may pass +-1)
    r, h = 6378.0, 375.0
    el = np.linspace(0.05, 1.2, 300)  # psi >= 2 deg: below, rounding of the tiny sin(psi) ratio dominates
    az = np.tile([0.5 * np.pi, -0.5 * np.pi], 150)
    lon, t_bdt = 0.4, 30000.0
    got = klobuchar_bds(BDSA, BDSB, 0.5 * np.pi, lon, az, el, t_bdt)
    psi = 0.5 * np.pi - el - np.arcsin(r / (r + h) * np.cos(el))
    p = np.abs((0.5 * np.pi - psi) / np.pi)
    t = np.mod(t_bdt + (lon + az) * 43200.0 / np.pi, 86400.0)
    a2 = np.maximum(sum(BDSA[n] * p**n for n in range(4)), 0.0)
    a4 = np.clip(sum(BDSB[n] * p**n for n in range(4)), 72000.0, 172800.0)
    day = np.abs(t - 50400.0) < a4 / 4.0
    iz = 5.0e-9 + np.where(day, a2 * np.cos(2.0 * np.pi * (t - 50400.0) / a4), 0.0)
    want = C * iz / np.sqrt(1.0 - (r / (r + h) * np.cos(el)) ** 2)
    assert day.any()  # the daytime cosine term is exercised
    np.testing.assert_allclose(got, want, atol=1e-6)  # asin near +-1: lambda_M to ~1e-5 rad, 1 um
