"""IONEX reader on real JPL, CODE and ESA maps; values copied by eye (exponent -1: 0.1 TECU)."""

import numpy as np
import pytest

from kompas import FormatError, gtime_from_calendar, read_ionex, sat_index


@pytest.fixture(scope="module")
def jpl(kompas_data):
    return read_ionex(kompas_data / "ionex" / "jplg0010.17i.gz")


def test_jpl_shape_grid_epochs(jpl):
    assert jpl.tec_tecu.shape == (13, 71, 73) and jpl.rms_tecu.shape == (13, 71, 73)
    assert jpl.version == 1.0 and jpl.system == "GPS" and jpl.program == "GIM V3.0"
    np.testing.assert_allclose(np.rad2deg(jpl.lat_rad[[0, 1, -1]]), [87.5, 85.0, -87.5])
    np.testing.assert_allclose(np.rad2deg(jpl.lon_rad[[0, 1, -1]]), [-180.0, -175.0, 180.0])
    np.testing.assert_allclose(jpl.height_m, [450e3])
    assert jpl.base_radius_m == 6371e3 and jpl.mapping_function == "NONE"
    assert jpl.elevation_cutoff_rad == pytest.approx(np.deg2rad(10.0))
    assert (jpl.interval_s, jpl.n_maps_declared, jpl.n_stations, jpl.n_satellites) == (7200.0, 13, 170, 31)
    # epochs are UT: 2017-01-01 00:00 UTC (GPST - UTC = 18 s) ... 2017-01-02 00:00 UTC every 2 h
    assert jpl.time_ns[0] == gtime_from_calendar(2017, 1, 1, 0, 0, 18) == jpl.first_map_ns
    assert jpl.time_ns[-1] == gtime_from_calendar(2017, 1, 2, scale="UTC") == jpl.last_map_ns
    assert np.all(np.diff(jpl.time_ns) == 7200 * 10**9)


def test_jpl_values(jpl):
    tec, rms = jpl.tec_tecu, jpl.rms_tecu
    assert not np.isnan(tec).any()
    # map 1, lat 87.5: 33 33 32 ... (16th and 17th values 27 27), last value 33
    np.testing.assert_allclose(tec[0, 0, [0, 1, 2, 15, 16, 72]], [3.3, 3.3, 3.2, 2.7, 2.7, 3.3])
    # map 1, lat -87.5: 96 96 97 97 98 98 98 99 99 100 ... 96
    np.testing.assert_allclose(tec[0, 70, [0, 9, 72]], [9.6, 10.0, 9.6])
    assert tec[1, 1, 0] == pytest.approx(3.4)  # map 2, lat 85.0
    # RMS map 1, lat 85.0: nine 24 then 26; RMS map 13, lat -87.5: nine 25 then 28, last 25
    np.testing.assert_allclose(rms[0, 1, [0, 9]], [2.4, 2.6])
    np.testing.assert_allclose(rms[12, 70, [0, 9, 72]], [2.5, 2.8, 2.5])


def test_jpl_dcbs(jpl):
    d = jpl.dcb
    assert len(d.sat) == 32 and len(d.station) == 196
    assert d.sat[0] == sat_index("G01") and d.sat[-1] == sat_index("G32")
    assert d.sat_bias_s[0] == pytest.approx(-7.516e-9) and d.sat_rms_s[0] == pytest.approx(0.007e-9)
    assert d.sat_bias_s[-1] == pytest.approx(-4.534e-9)
    k = d.station.tolist().index("WTZR")
    assert d.station_bias_s[k] == pytest.approx(13.095e-9) and d.station_rms_s[k] == pytest.approx(0.011e-9)
    assert d.station[0] == "AJAC" and d.station_bias_s[0] == pytest.approx(25.095e-9)


def test_code_klobuchar_style_maps(kompas_data):
    x = read_ionex(kompas_data / "ionex" / "CKMG0020.22I.gz")
    assert x.tec_tecu.shape == (25, 71, 73) and x.rms_tecu is None and x.dcb is None
    np.testing.assert_allclose(x.height_m, [350e3])
    assert x.time_ns[0] == gtime_from_calendar(2022, 1, 2, scale="UTC")
    assert x.time_ns[12] == gtime_from_calendar(2022, 1, 2, 12, scale="UTC")
    assert x.time_ns[-1] == gtime_from_calendar(2022, 1, 3, scale="UTC")
    assert np.all(x.tec_tecu[0, 0] == 9.2)
    # last map, lat -87.5: 138 ... 96 (32nd) ... 94 103 (63rd, 64th) ... 138
    np.testing.assert_allclose(x.tec_tecu[24, 70, [0, 31, 62, 63, 72]], [13.8, 9.6, 9.4, 10.3, 13.8])


def test_esa_trimmed_two_rows(kompas_data):
    # the trimmed file's header grid was trimmed too (LAT1/LAT2/DLAT = 0.0/-2.5/-2.5)
    x = read_ionex(kompas_data / "ionex" / "esa_2024176_first_map_2row.inx")
    assert x.tec_tecu.shape == (1, 2, 73)
    np.testing.assert_allclose(np.rad2deg(x.lat_rad), [0.0, -2.5])
    assert x.time_ns[0] == gtime_from_calendar(2024, 6, 24, scale="UTC")
    assert x.first_map_ns is None and x.program == "PAR2IONEX"
    np.testing.assert_allclose(x.tec_tecu[0, 0, [0, 1, 2, 72]], [65.1, 65.0, 63.8, 65.1])
    np.testing.assert_allclose(x.tec_tecu[0, 1, [0, 16, 72]], [65.5, 68.0, 65.5])


def test_year_overflow_regression(kompas_data):
    with pytest.raises(FormatError, match="EPOCH OF CURRENT MAP") as err:
        read_ionex(kompas_data / "edge_cases" / "regression-ionex-days-overflow.20i")
    assert err.value.line == 11
