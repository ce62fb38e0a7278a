"""Nominal constellations and simulated broadcast navigation data (kompas.sim)."""

import numpy as np
import pytest

from kompas import gtime_from_calendar, sat_id, sat_index
from kompas.errors import ConfigError
from kompas.products.broadcast import BroadcastProduct
from kompas.satsys import sat_system
from kompas.sim import GLONASS_CHANNELS, make_nav, nominal_elements

START = int(gtime_from_calendar(2026, 4, 30, 10, 0, 0))


@pytest.fixture(scope="module")
def scenario():
    el = nominal_elements("CRGE", START)
    nav, truth = make_nav(el, START, 2.0, seed=3)
    return el, nav, truth


def test_constellation_sizes_and_prns():
    el = nominal_elements("CRGE", START)
    counts = {c: int(np.sum(sat_system(el["sat"]) == i)) for c, i in (("G", 1), ("R", 2), ("E", 3), ("C", 4))}
    # BeiDou: BDS-3 24 MEO + 3 IGSO + 3 GEO, BDS-2 3 MEO + 7 IGSO + 5 GEO
    assert counts == {"C": 45, "R": 24, "G": 24, "E": 24}
    ids = set(sat_id(el["sat"]).tolist())
    assert {"C19", "C30", "C32", "C37", "C41", "C46", "C38", "C39", "C40", "C59", "C60", "C61"} <= ids
    assert {"C01", "C05", "C06", "C10", "C11", "C12", "C13", "C14", "C16"} <= ids
    assert "C31" not in ids and "C15" not in ids and "C17" not in ids
    orbit = dict(zip(sat_id(el["sat"]).tolist(), el["orbit"].tolist(), strict=True))
    assert orbit["C59"] == "GEO" and orbit["C38"] == "IGSO" and orbit["C19"] == "MEO"
    assert orbit["C01"] == "GEO" and orbit["C13"] == "IGSO" and orbit["C14"] == "MEO"
    assert sum(v == "GEO" for v in orbit.values()) == 8 and sum(v == "IGSO" for v in orbit.values()) == 10
    assert np.all(np.diff(el["sat"]) > 0)


def test_design_values():
    el = nominal_elements("CRGE", START)
    ids = sat_id(el["sat"])
    a = dict(zip(ids.tolist(), el["a_m"].tolist(), strict=True))
    inc = dict(zip(ids.tolist(), np.degrees(el["i_rad"]).tolist(), strict=True))
    assert a["C19"] == pytest.approx(6_378_137 + 21_528_000)
    assert a["R01"] == pytest.approx(6_378_137 + 19_100_000)
    assert a["G01"] == pytest.approx(26_559_700)
    assert a["E01"] == pytest.approx(29_600_318)
    assert a["C38"] == pytest.approx(42_164_170, abs=200)  # geosynchronous, 35,786 km altitude
    assert inc["C19"] == pytest.approx(55.0) and inc["R01"] == pytest.approx(64.8)
    assert inc["E01"] == pytest.approx(56.0) and inc["G01"] == pytest.approx(55.0)
    orbit = dict(zip(ids.tolist(), el["orbit"].tolist(), strict=True))
    assert [orbit[x] for x in ("C01", "C38", "C19", "G01", "E01", "R01")] == ["GEO", "IGSO"] + ["MEO"] * 4
    # small eccentricities, staggered by 0.0002 (GPS from 0.002, the others from 0.001)
    ecc = dict(zip(ids.tolist(), el["e"].tolist(), strict=True))
    assert [ecc[f"G{k:02d}"] for k in (1, 2, 10, 11)] == pytest.approx([0.002, 0.0022, 0.0038, 0.002])
    assert [ecc[x] for x in ("E01", "E02", "R01")] == pytest.approx([0.001, 0.0012, 0.001])
    # GPS: six planes 60 deg apart; Galileo and BDS MEO: three planes 120 deg apart
    g = np.char.startswith(ids, "G")
    assert np.allclose(np.unique(np.round(np.degrees(el["raan_rad"][g]), 6)), [0, 60, 120, 180, 240, 300])
    e = np.char.startswith(ids, "E")
    assert np.allclose(np.unique(np.round(np.degrees(el["raan_rad"][e]), 6)), [0, 120, 240])


def test_glonass_channels_antipodal_pairs_share():
    assert len(GLONASS_CHANNELS) == 24
    assert min(GLONASS_CHANNELS.values()) == -7 and max(GLONASS_CHANNELS.values()) == 6
    for plane in range(3):
        for j in range(1, 5):
            s = 8 * plane + j
            assert GLONASS_CHANNELS[s] == GLONASS_CHANNELS[s + 4]
    assert GLONASS_CHANNELS[1] == 1 and GLONASS_CHANNELS[10] == -7 and GLONASS_CHANNELS[3] == 5
    el = nominal_elements("R", START)
    assert el["glo_channel"][sat_id(el["sat"]) == "R02"][0] == -4


def test_unknown_system_is_an_error():
    with pytest.raises(ConfigError, match="systems must be letters of CRGE, not 'CX'"):
        nominal_elements("CX", START)
    with pytest.raises(ConfigError):
        make_nav(nominal_elements("C", START), START, 0.0)


def test_geo_and_igso_longitudes(scenario):
    _, _, truth = scenario
    geo = ["C01", "C02", "C03", "C04", "C05", "C59", "C60", "C61"]
    st = truth.state(geo, np.full(len(geo), START + 3600 * 10**9))
    lon = np.degrees(np.arctan2(st.pos_m[:, 1], st.pos_m[:, 0]))
    lat = np.degrees(np.arcsin(st.pos_m[:, 2] / np.linalg.norm(st.pos_m, axis=1)))
    assert lon == pytest.approx([144.5, 84.1, 110.6, 160.0, 58.7, 140.0, 80.0, 110.5], abs=0.05)
    assert np.all(np.abs(lat) < 0.6)  # 0.5 deg inclination
    day = START + np.arange(0, 86400, 1800) * 10**9  # over a day the latitude swings by the inclination
    p = truth.state(np.repeat(sat_index(geo), day.size), np.tile(day, len(geo))).pos_m
    swing = np.degrees(np.arcsin(p[:, 2] / np.linalg.norm(p, axis=1))).reshape(len(geo), -1)
    assert np.abs(swing).max(axis=1) == pytest.approx([0.5] * len(geo), abs=0.02)
    # IGSO: C38-C40 share one figure-eight ground track; it crosses the equator northwards at
    # 119.2-119.7 E, C09's at 96.1 E (the 2023-03-12 broadcast values; sampled every minute)
    t = START + np.arange(0, 86164, 60) * 10**9
    for sat, lon_c in (("C38", 119.6), ("C39", 119.7), ("C40", 119.2), ("C09", 96.1)):
        p = truth.state(np.full(t.size, sat_index(sat)), t).pos_m
        k = np.flatnonzero((p[:-1, 2] < 0) & (p[1:, 2] >= 0))
        assert k.size == 1
        f = -p[k, 2] / (p[k + 1, 2] - p[k, 2])
        x = p[k] + f[:, None] * (p[k + 1] - p[k])
        assert np.degrees(np.arctan2(x[0, 1], x[0, 0])) == pytest.approx(lon_c, abs=0.1)


def test_broadcast_evaluation_reproduces_truth(scenario):
    el, nav, truth = scenario
    bp = BroadcastProduct(nav)
    t = START + np.arange(0, 7201, 90) * 10**9
    s, tt = np.meshgrid(el["sat"], t)
    s, tt = s.ravel(), tt.ravel()
    a = truth.state(s, tt, -0.0712)
    b = bp.state(s, tt, -0.0712)
    assert np.all(b.ok)
    d = np.linalg.norm(a.pos_m - b.pos_m, axis=1)
    glo = sat_system(s) == 2
    assert d[~glo].max() < 1e-5  # Kepler systems incl. the BDS GEO algorithm: rounding only
    assert d[glo].max() < 1e-3  # GLONASS: 60 s RK4 of the records vs the 10 s truth integration
    assert np.abs(a.clk_s - b.clk_s).max() * 299792458.0 < 1e-5
    assert np.abs(a.vel_mps - b.vel_mps).max() < 1e-5


def test_geo_records_of_any_argument_of_perigee_reproduce_truth():
    """The nominal GEO orbits have argp 0; the BDS GEO element transform holds for any (a user's elements)."""
    el = nominal_elements("C", START)
    geo = el["orbit"] == "GEO"
    u = el["argp_rad"] + el["m0_rad"]
    el["argp_rad"] = np.where(
        geo, np.linspace(0.4, 5.9, geo.size), el["argp_rad"]
    )  # same argument of latitude
    el["m0_rad"] = np.where(geo, u - el["argp_rad"], el["m0_rad"])
    nav, truth = make_nav(el, START, 1.0, seed=3)
    t = START + np.arange(0, 3601, 300) * 10**9
    s, tt = (x.ravel() for x in np.meshgrid(el["sat"][geo], t))
    d = np.linalg.norm(truth.state(s, tt).pos_m - BroadcastProduct(nav).state(s, tt).pos_m, axis=1)
    assert d.max() < 1e-5


def test_records(scenario):
    _, nav, _ = scenario
    k = nav.kepler
    ids = sat_id(k.sat)
    gps = np.char.startswith(ids, "G")
    assert np.all(k.msg[gps] == "LNAV")
    assert np.array_equal(k.iode[gps], np.mod(k.iodc[gps], 256))
    assert np.all(k.iodc[gps] == np.round(k.iodc[gps])) and np.ptp(k.iodc[gps]) > 100  # integers 0..255
    # transmission times: GPS 2 h before toe (IS-GPS-200 curve fit), the others at toe
    assert np.all(k.ttm_ns[gps] == k.toe_ns[gps] - 7200 * 10**9) and np.all(k.ttm_ns[~gps] == k.toe_ns[~gps])
    assert np.all(np.diff(k.toe_ns[ids == "G01"]) == 7200 * 10**9)
    assert np.all(np.diff(k.toe_ns[ids == "E01"]) == 600 * 10**9)
    assert np.all(np.diff(k.toe_ns[ids == "C19"]) == 3600 * 10**9)
    # BeiDou toe on BDT hours: toe_s multiple of 3600 and the GPST instant 14 s later
    assert np.all(k.toe_s[ids == "C19"] % 3600 == 0)
    assert np.all((k.toe_ns[ids == "C19"] // 10**9) % 3600 == 14)
    assert set(k.msg[np.isin(ids, ["C59", "C60", "C61"])]) == {"D2"}
    assert set(k.msg[ids == "C38"]) == {"D1"}
    assert np.all(k.health == 0)
    assert np.all(np.isnan(k.tgd_s[~gps]))
    assert np.all(np.isfinite(k.tgd1_s[np.char.startswith(ids, "C")]))
    # two independent group delays per satellite: Galileo BGD(E5a/E1) != BGD(E5b/E1), BeiDou TGD1 != TGD2
    gal, bds = np.char.startswith(ids, "E"), np.char.startswith(ids, "C")
    assert np.all(k.bgd_e5a_e1_s[gal] != k.bgd_e5b_e1_s[gal]) and np.all(k.tgd1_s[bds] != k.tgd2_s[bds])
    assert 1e-10 < np.std(k.bgd_e5a_e1_s[gal] - k.bgd_e5b_e1_s[gal]) < 1e-8
    g = nav.glonass
    assert np.all(np.diff(g.toc_ns[g.sat == sat_index("R01")]) == 1800 * 10**9)
    # t_b at minutes 15/45 of UTC: GPST - 18 s leap seconds in 2026
    assert set(((g.toc_ns // 10**9 - 18) % 1800).tolist()) == {900}
    assert nav.glonass_channels().as_dict() == GLONASS_CHANNELS
    # header: set D coefficients as written in BRDC00WRD_R_20261200800_06H_MN.rnx
    assert nav.header.iono_corr["GPSA"][0] == 2.2352e-08
    assert nav.header.iono_corr["BDSB"][1] == 2.6214e05
    assert nav.header.leap_seconds.current == 18


def test_sis_error_offsets(scenario):
    el, _, _ = scenario
    _, truth = make_nav(el, START, 2.0, sis_error_m=1.0, seed=3)
    s = el["sat"]
    t = np.full(s.size, START + 1800 * 10**9)
    a, b = truth.state(s, t), truth.orbit_state(s, t)
    d = np.linalg.norm(a.pos_m - b.pos_m, axis=1)
    assert np.allclose(d, np.linalg.norm(truth.sis_rac_m, axis=1))
    assert 0.3 < np.sqrt(np.mean(truth.sis_rac_m**2)) < 2.0
    _, truth0 = make_nav(el, START, 2.0, sis_error_m=0.0, seed=3)
    assert np.array_equal(truth0.state(s, t).pos_m, b.pos_m)


def test_signals_of_each_beidou_generation():
    """BDS-2 (C01-C18): B1I, B3I, B2I; BDS-3 GEO (C59-C63): B1I, B3I; other BDS-3: + B1C, B2a."""
    from kompas.sim.signals import satellite_signals

    sig = {x: satellite_signals(int(sat_index(x))) for x in ("C18", "C19", "C58", "C59", "C63", "C64", "G01")}
    assert sig["C18"] == ("2I", "6I", "7I") and sig["C59"] == sig["C63"] == ("2I", "6I")
    assert sig["C19"] == sig["C58"] == sig["C64"] == ("1P", "2I", "5P", "6I")
    assert sig["G01"] == ("1C", "2W", "5Q")


def test_code_delays_follow_the_broadcast_group_delays(scenario):
    """The truth's code delays against the records' fields (module docstring of kompas.sim.navdata): GPS
    gamma TGD; Galileo BGD(E5b/E1) on E1, gamma_E5b BGD(E5b/E1) on E5b and BGD(E5b/E1) + (gamma_E5a - 1)
    BGD(E5a/E1) on E5a; BeiDou TGD1 on B1I, TGD2 on B2I, 0 on B3I."""
    from kompas.satsys import band_frequency, bds_generation

    _, nav, truth = scenario
    k = nav.kepler
    first = np.unique(k.sat, return_index=True)[1]
    sat, tgd, bgd_a, bgd_b = k.sat[first], k.tgd_s[first], k.bgd_e5a_e1_s[first], k.bgd_e5b_e1_s[first]
    tgd1, tgd2 = k.tgd1_s[first], k.tgd2_s[first]
    ids = sat_id(sat)
    g, e = np.char.startswith(ids, "G"), np.char.startswith(ids, "E")
    c = bds_generation(sat) == 2  # BDS-2: B1I, B2I, B3I

    def gamma(x, b):
        return (band_frequency(x, "1") / band_frequency(x, b)) ** 2

    np.testing.assert_allclose(
        truth.group_delay_s(sat[g], "2W"), gamma("G", "2") * tgd[g], rtol=1e-12, atol=0
    )
    np.testing.assert_array_equal(truth.group_delay_s(sat[e], "1C"), bgd_b[e])
    np.testing.assert_allclose(
        truth.group_delay_s(sat[e], "7Q"), gamma("E", "7") * bgd_b[e], rtol=1e-12, atol=0
    )
    e5a = bgd_b[e] + (gamma("E", "5") - 1.0) * bgd_a[e]
    np.testing.assert_allclose(truth.group_delay_s(sat[e], "5Q"), e5a, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(truth.group_delay_s(sat[c], "2I"), tgd1[c])
    np.testing.assert_array_equal(truth.group_delay_s(sat[c], "7I"), tgd2[c])
    assert not truth.group_delay_s(sat[c], "6I").any() and c.sum() >= 5 and e.sum() >= 20


def test_troposphere_outside_its_model_heights_is_not_simulated_and_the_truth_says_so():
    # Saastamoinen has no delay below -1000 m (deeper than any ground): a receiver there gets none, with a
    # warning, and its error model (truth.json) records the troposphere off; the Dead Sea shore has one
    import warnings

    from kompas.errors import KompasWarning
    from kompas.frames import geodetic_to_ecef
    from kompas.sim import ErrorModel, simulate

    start = int(gtime_from_calendar(2024, 3, 1, 0, 0, 0))

    def run(height):
        xyz = geodetic_to_ecef(np.array([np.radians(31.5), np.radians(35.5), height]))
        return simulate(
            xyz, start, hours=0.05, interval_s=30.0, systems="G", errors=ErrorModel(troposphere=True)
        )

    with pytest.warns(KompasWarning, match=r"height -1200 m is below the troposphere model's -1000 m"):
        low = run(-1200.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        shore = run(-400.0)
    assert low.errors.troposphere is False and shore.errors.troposphere is True
