"""Tides, Sun/Moon and ocean loading against the IERS routines' published test cases and SOFA."""

from __future__ import annotations

import numpy as np
import pytest

from kompas import gtime_from_calendar
from kompas.frames import ecef_to_geodetic, enu_rotation
from kompas.io.readers.blq import BLQ_CONSTITUENTS, read_blq
from kompas.models.ephemeris import moon_position_ecef, sun_position_ecef
from kompas.models.ocean_loading import (
    ARG2_SPEEDS,
    nodal_factors,
    ocean_loading,
    ocean_loading_enu,
    tidal_arguments,
)
from kompas.models.tides import pole_tide, secular_pole_arcsec, solid_earth_tide
from kompas.time import NS, gpst_to_calendar

# The three test cases in the header of the IERS routine DEHANTTIDEINEL.F (IERS Conventions software,
# chapter 7, version of 2016-12-19): station, Sun, Moon (m, ITRF), UTC date at 0 h, expected DXTIDE (m).
# (The fourth header case repeats the third's output for other inputs and is not used.)
DEHANT_CASES = [
    (
        (4075578.385, 931852.890, 4801570.154),
        (137859926952.015, 54228127881.4350, 23509422341.6960),
        (-179996231.920342, -312468450.131567, -169288918.592160),
        (2009, 4, 13),
        (0.07700420357108125891, 0.06304056321824967613, 0.05516568152597246810),
    ),
    (
        (1112189.660, -4842955.026, 3985352.284),
        (-54537460436.2357, 130244288385.279, 56463429031.5996),
        (300396716.912, 243238281.451, 120548075.939),
        (2012, 7, 13),
        (-0.02036831479592075833, 0.05658254776225972449, -0.07597679676871742227),
    ),
    (
        (1112200.5696, -4842957.8511, 3985345.9122),
        (100210282451.6279, 103055630398.3160, 56855096480.4475),
        (369817604.4348, 1897917.5258, 120804980.8284),
        (2015, 7, 15),
        (0.00509570869172363845, 0.0828663025983528700, -0.0636634925404189617),
    ),
]
WTZR = np.array([4075580.3111, 931854.0543, 4801568.2808])


def test_dehanttideinel_published_cases():
    sta = np.array([c[0] for c in DEHANT_CASES])
    sun = np.array([c[1] for c in DEHANT_CASES])
    moon = np.array([c[2] for c in DEHANT_CASES])
    t = np.array([int(gtime_from_calendar(*c[3], scale="UTC")) for c in DEHANT_CASES])
    got = solid_earth_tide(sta, sun, moon, t)
    np.testing.assert_allclose(got, np.array([c[4] for c in DEHANT_CASES]), rtol=0, atol=1e-12)
    # one case on its own broadcasts the same way
    np.testing.assert_allclose(solid_earth_tide(sta[1], sun[1], moon[1], t[1]), got[1], atol=1e-15)


def test_dehanttideinel_integer_metre_inputs():
    """Positions given as whole metres (Python ints) still meet the published outputs: rounding moves the
    station by < 1 m, which changes a ~0.1 m tide by ~1e-8 m."""
    for sta, sun, moon, ymd, want in DEHANT_CASES:
        ints = [[round(v) for v in xyz] for xyz in (sta, sun, moon)]
        got = solid_earth_tide(*ints, int(gtime_from_calendar(*ymd, scale="UTC")))
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-7)


def _erfa_sun_moon_ecef(t_gpst_ns):
    erfa = pytest.importorskip("erfa")
    y, mo, d, h, mi, s = (np.asarray(v).item() for v in gpst_to_calendar(t_gpst_ns, "UTC"))
    u1, u2 = erfa.dtf2d("UTC", y, mo, d, h, mi, s)
    tt1, tt2 = erfa.taitt(*erfa.utctai(u1, u2))
    moon = erfa.moon98(tt1, tt2)["p"] * erfa.DAU  # GCRS, SOFA iauMoon98 (about 1 km)
    pvh, _ = erfa.epv00(tt1, tt2)
    sun = -pvh["p"] * erfa.DAU  # geocentric Sun, SOFA iauEpv00
    c2t = erfa.c2t06a(tt1, tt2, u1, u2, 0.0, 0.0)  # IAU 2006/2000A, UT1 = UTC, no polar motion
    return c2t @ sun, c2t @ moon


@pytest.mark.parametrize("when", [(2009, 4, 13, 0), (2020, 6, 25, 12), (2024, 1, 1, 6), (2026, 5, 13, 3)])
def test_sun_moon_against_sofa(when):
    """Low-precision series vs SOFA (pyerfa): Sun < 1 arcmin, Moon < 5 arcmin and < 600 km."""
    t = int(gtime_from_calendar(*when))
    sun_ref, moon_ref = _erfa_sun_moon_ecef(t)
    sun, moon = sun_position_ecef(t)[0], moon_position_ecef(t)[0]

    def ang(a, b):
        return np.degrees(np.arccos(np.clip(a @ b / np.linalg.norm(a) / np.linalg.norm(b), -1, 1))) * 3600

    assert ang(sun, sun_ref) < 60.0
    assert abs(np.linalg.norm(sun) / np.linalg.norm(sun_ref) - 1) < 1e-4
    assert ang(moon, moon_ref) < 300.0
    assert abs(np.linalg.norm(moon) - np.linalg.norm(moon_ref)) < 600e3


def _moon_ecliptic_errors(t_gpst_ns):
    """Longitude and latitude (arcsec) and distance (km) errors of ``moon_position_ecef`` against SOFA.

    Both are compared in the mean ecliptic of date, the frame of the series: SOFA iauMoon98 (GCRS) is
    rotated by iauEcm06 (bias-precession and mean obliquity, IAU 2006); the kompas ECEF position is
    rotated back by SOFA's GMST (iauGmst06, UT1 = UTC) and the IAU 2006 mean obliquity (iauObl06),
    the rotations the model itself uses (no nutation, no polar motion).
    """
    erfa = pytest.importorskip("erfa")
    y, mo, d, h, mi, s = gpst_to_calendar(t_gpst_ns, "UTC")
    u1, u2 = erfa.dtf2d("UTC", y, mo, d, h, mi, s)
    tt1, tt2 = erfa.taitt(*erfa.utctai(u1, u2))
    ref = np.einsum("nij,nj->ni", erfa.ecm06(tt1, tt2), erfa.moon98(tt1, tt2)["p"] * erfa.DAU)
    th, eps = erfa.gmst06(u1, u2, tt1, tt2), erfa.obl06(tt1, tt2)
    p = moon_position_ecef(t_gpst_ns)
    x = np.cos(th) * p[:, 0] - np.sin(th) * p[:, 1]  # ECEF -> mean equator of date
    y = np.sin(th) * p[:, 0] + np.cos(th) * p[:, 1]
    got = np.stack([x, np.cos(eps) * y + np.sin(eps) * p[:, 2], -np.sin(eps) * y + np.cos(eps) * p[:, 2]], -1)

    def lon_lat_r(v):
        r = np.linalg.norm(v, axis=-1)
        return np.arctan2(v[:, 1], v[:, 0]), np.arcsin(v[:, 2] / r), r

    (lg, bg, rg), (lr, br, rr) = lon_lat_r(got), lon_lat_r(ref)
    arcsec = np.degrees(1.0) * 3600.0
    return np.angle(np.exp(1j * (lg - lr))) * arcsec, (bg - br) * arcsec, (rg - rr) / 1e3


@pytest.mark.filterwarnings("ignore::erfa.ErfaWarning")  # "dubious year": UTC beyond the leap table
def test_moon_series_accuracy_against_sofa_2015_2030():
    """Montenbruck & Gill eq. 3.47-3.49 over 2015-2030 (15 800 epochs 0.37 d apart) vs SOFA iauMoon98.

    The book quotes "a few arcminutes" and about 500 km. Measured here (mean ecliptic of date, see
    :func:`_moon_ecliptic_errors`): longitude RMS 74", max 288"; latitude RMS 11.9", max 45";
    distance RMS 167 km, max 501 km. The bounds add 10-30 % to those: a sign or argument error in one
    of the 55" longitude or 31" latitude terms, or a division by a sine that passes through zero,
    breaks them; a term changed by 1 km or an argument by 1 deg does not (below the series' accuracy).
    """
    t0, t1 = int(gtime_from_calendar(2015, 1, 1)), int(gtime_from_calendar(2030, 12, 31))
    t = np.arange(t0, t1, int(0.37 * 86400) * NS, dtype=np.int64)
    dlon, dlat, dr = _moon_ecliptic_errors(t)
    assert np.sqrt(np.mean(dlon**2)) < 85.0 and np.abs(dlon).max() < 330.0
    assert np.sqrt(np.mean(dlat**2)) < 15.0 and np.abs(dlat).max() < 55.0
    assert np.sqrt(np.mean(dr**2)) < 190.0 and np.abs(dr).max() < 560.0


def test_solid_tide_daily_range_at_wettzell():
    """Over a day the radial tide at 49 deg N spans tens of centimetres, horizontal a few cm."""
    t = int(gtime_from_calendar(2020, 6, 25)) + np.arange(0, 86400, 600) * NS
    d = solid_earth_tide(WTZR, sun_position_ecef(t), moon_position_ecef(t), t)
    llh = ecef_to_geodetic(WTZR)
    enu = d @ enu_rotation(llh[0], llh[1]).T
    assert 0.15 < np.ptp(enu[:, 2]) < 0.45
    assert np.abs(enu[:, :2]).max() < 0.12


def test_pole_tide_hand_computed():
    """IERS 2010 eq. 7.26 evaluated by hand in spherical coordinates at Wettzell."""
    t = int(gtime_from_calendar(2020, 6, 25))
    xs, ys = secular_pole_arcsec(t)
    np.testing.assert_allclose([xs, ys], [0.055 + 0.001677 * 20.48, 0.3205 + 0.00346 * 20.48], atol=2e-5)
    xp, yp = 0.25, 0.45  # arcsec
    got = pole_tide(WTZR, t, xp, yp)
    r = np.linalg.norm(WTZR)
    theta = np.arccos(WTZR[2] / r)  # geocentric co-latitude
    lam = np.arctan2(WTZR[1], WTZR[0])
    m1, m2 = xp - xs, -(yp - ys)
    s_r = -33 * np.sin(2 * theta) * (m1 * np.cos(lam) + m2 * np.sin(lam))
    s_t = -9 * np.cos(2 * theta) * (m1 * np.cos(lam) + m2 * np.sin(lam))
    s_l = 9 * np.cos(theta) * (m1 * np.sin(lam) - m2 * np.cos(lam))
    e_r = WTZR / r
    e_t = np.array([np.cos(theta) * np.cos(lam), np.cos(theta) * np.sin(lam), -np.sin(theta)])  # south
    e_l = np.array([-np.sin(lam), np.cos(lam), 0.0])
    np.testing.assert_allclose(got, (s_r * e_r + s_t * e_t + s_l * e_l) * 1e-3, atol=1e-12)
    assert np.linalg.norm(got) < 0.03
    np.testing.assert_allclose(pole_tide(WTZR, t), 0.0, atol=1e-15)  # at the secular pole


def test_arg2_published_case():
    """IERS ARG2 header test: 2008 day 311.5 -> the 11 angles (rad)."""
    expected = [
        2.849663065753787805,
        6.28318080000000023,
        4.926040134021299366,
        1.608450491115348768,
        2.375021572352622456,
        0.4746414933980958040,
        3.908159227647345801,
        2.551018561669245344,
        5.041990012540757959,
        4.206816878908014701,
        1.608463638294885811,
    ]
    got = tidal_arguments(int(gtime_from_calendar(2008, 11, 6, 12, scale="UTC")))
    np.testing.assert_allclose(np.angle(np.exp(1j * (got - np.array(expected)))), 0.0, atol=1e-6)


@pytest.fixture(scope="module")
def blq(kompas_data):
    return read_blq(kompas_data / "models" / "OceanLoading_GOT47_raPPPid.blq")


def test_blq_reader(blq):
    assert len(blq) == 493
    for name in ("WTZR", "WTZZ", "ZIM2", "SCOA", "NYA1", "GRAS", "CEBR"):
        assert name in blq
    assert "PASA" not in blq
    w = blq.station("WTZR00DEU")
    assert w.amplitude_m.shape == (3, 11) and BLQ_CONSTITUENTS[0] == "M2"
    assert w.amplitude_m[0, 0] == pytest.approx(0.00521)  # radial M2
    assert w.amplitude_m[1, 4] == pytest.approx(0.00038)  # EW K1
    assert np.degrees(w.phase_rad[0, 0]) == pytest.approx(-71.1)
    assert np.degrees(w.phase_rad[2, 10]) == pytest.approx(-177.6)
    assert "GOT4.7" in " ".join(w.comments)


def test_blq_damaged(tmp_path):
    from kompas import FormatError

    p = tmp_path / "x.blq"
    p.write_text("$$ header\n  ABCD\n  .1 .2 .3\n")
    with pytest.raises(FormatError, match="line 3"):
        read_blq(p)


def test_ocean_loading_m2_amplitude_and_phase(blq):
    """Radial M2 alone: the maximum over a day equals the BLQ amplitude, reached where chi_M2 = phase lag."""
    w = blq.station("WTZR")
    amp = np.zeros((3, 11))
    amp[0, 0] = w.amplitude_m[0, 0]
    t = int(gtime_from_calendar(2020, 6, 25)) + np.arange(0, 2 * 86400, 30) * NS
    up = ocean_loading_enu(amp, w.phase_rad, t)[:, 2]
    k = np.argmax(up)
    f, u = nodal_factors(t[k])
    assert up[k] == pytest.approx(0.00521 * f[0], abs=1e-8) and f[0] == pytest.approx(0.9995, abs=1e-4)
    chi = tidal_arguments(t[k])[0]
    # within one 30 s step of M2 (1.4e-4 rad/s), the argument shifted by the nodal angle (-2.14 deg in 2020)
    assert np.degrees(u[0]) == pytest.approx(-2.14, abs=0.01)
    assert abs(np.angle(np.exp(1j * (chi + u[0] - w.phase_rad[0, 0])))) <= ARG2_SPEEDS[0] * 30
    # a period of M2 later (12.42 h) the same value comes back (to the other waves' absence)
    period_s = 2 * np.pi / ARG2_SPEEDS[0]
    back = ocean_loading_enu(amp, w.phase_rad, t[k] + int(period_s * NS))[2]
    assert back == pytest.approx(up[k], abs=1e-7)


def test_ocean_loading_full_sum_by_hand(blq):
    """All 11 waves at one instant = the hand-written sum of f A cos(chi + u - phi), signs up/west/south."""
    z = blq.station("ZIM2")
    t = int(gtime_from_calendar(2026, 5, 13, 0, 30))
    chi = tidal_arguments(t)
    f, u = nodal_factors(t)
    up, west, south = (
        sum(f[j] * z.amplitude_m[c, j] * np.cos(chi[j] + u[j] - z.phase_rad[c, j]) for j in range(11))
        for c in range(3)
    )
    enu = ocean_loading_enu(z.amplitude_m, z.phase_rad, t)
    np.testing.assert_allclose(enu, [-west, -south, up], atol=1e-15)
    zim2 = np.array([4331299.584, 567537.709, 4633133.967])
    d = ocean_loading(zim2, z.amplitude_m, z.phase_rad, t)
    llh = ecef_to_geodetic(zim2)
    np.testing.assert_allclose(enu_rotation(llh[0], llh[1]) @ d, enu, atol=1e-12)
    assert np.abs(enu).max() < 0.02  # inland Switzerland: millimetres
    # vectorised over epochs
    ts = t + np.arange(3) * 3600 * NS
    many = ocean_loading(zim2, z.amplitude_m, z.phase_rad, ts)
    assert many.shape == (3, 3) and np.allclose(many[0], d)


def test_nodal_factors_by_hand_at_two_node_longitudes():
    """Pugh (1987) Table 4.3 at N = 0 (2006-11-19 about) and N = 90 deg: f = sum of the cosine terms,
    u = the sine terms (deg)."""
    for n_deg in (0.0, 90.0):
        t_cy = (125.0445 - n_deg) / 1934.1363  # Julian centuries from J2000 with that node longitude
        t = 630_763_148_816_000_000 + int(t_cy * 36525 * 86400e9)
        f, u = nodal_factors(t)
        n = np.radians(n_deg)
        k1_f = 1.0060 + 0.1150 * np.cos(n) - 0.0088 * np.cos(2 * n) + 0.0006 * np.cos(3 * n)
        o1_u = 10.80 * np.sin(n) - 1.34 * np.sin(2 * n) + 0.19 * np.sin(3 * n)
        assert f[4] == pytest.approx(k1_f, abs=1e-6) and np.degrees(u[5]) == pytest.approx(o1_u, abs=1e-4)
        assert f[1] == f[6] == f[10] == 1.0 and u[1] == u[6] == u[10] == 0.0  # S2, P1, Ssa: solar
        assert f[2] == f[0] and u[7] == u[5]  # N2 as M2, Q1 as O1


def test_ocean_loading_against_hardisp_at_a_coastal_station(blq):
    """SCOA (Atlantic coast, 60 mm vertical range), 2020-06-25: IERS HARDISP (342 constituents; its port
    pyhardisp 0.2.4) gives these vertical displacements; the 11 waves with nodal factors stay within
    1.9 mm (without them 3.1 mm at midnight and 3.6 mm at 23:50)."""
    hardisp_up_m = {0: 0.024683, 360: -0.022839, 720: 0.027469, 1080: -0.028597, 1430: 0.020032}
    c = blq.station("SCOA")
    t0 = int(gtime_from_calendar(2020, 6, 25, scale="UTC"))
    t = t0 + np.array(list(hardisp_up_m)) * 60 * NS
    up = ocean_loading_enu(c.amplitude_m, c.phase_rad, t)[:, 2]
    np.testing.assert_allclose(up, list(hardisp_up_m.values()), atol=0.0019)


def _angle_diff(a, b):
    return np.angle(np.exp(1j * (np.asarray(a) - np.asarray(b))))


@pytest.mark.parametrize(
    "day, hms",
    [
        ((2021, 3, 15), (12, 34, 56.0)),
        ((2021, 3, 15), (23, 59, 50.0)),  # GPST already on the next day: the UTC day must be used
        ((2015, 8, 1), (23, 59, 59.0)),  # after the 2015-06-30 leap second, inside the year
        ((2016, 12, 31), (23, 59, 59.0)),
    ],
)
def test_arg2_linear_within_the_utc_day(day, hms):
    """ARG2: within one UT day the angles are the day's 0 h angles plus speed x seconds of the day."""
    t0 = int(gtime_from_calendar(*day, scale="UTC"))
    t = int(gtime_from_calendar(*day, *hms, scale="UTC"))
    sod = hms[0] * 3600.0 + hms[1] * 60.0 + hms[2]
    want = tidal_arguments(t0) + ARG2_SPEEDS * sod
    np.testing.assert_allclose(_angle_diff(tidal_arguments(t), want), 0.0, atol=1e-9)


@pytest.mark.parametrize("year", [2017, 2020, 2021, 2024, 2025])
def test_arg2_continuous_across_the_new_year(year):
    """The day count of ARG2 (leap days included) joins Dec 31 24 h to Jan 1 0 h: the angles advance
    by speed x 1 s over the last second of the year, to the 1e-4 rad the 6-digit speeds allow in a day."""
    last = int(gtime_from_calendar(year - 1, 12, 31, 23, 59, 59, scale="UTC"))
    first = int(gtime_from_calendar(year, 1, 1, scale="UTC"))
    jump = _angle_diff(tidal_arguments(first), tidal_arguments(last) + ARG2_SPEEDS * 1.0)
    np.testing.assert_allclose(jump, 0.0, atol=3e-4)  # a day too many or few moves Ssa by 0.034 rad
