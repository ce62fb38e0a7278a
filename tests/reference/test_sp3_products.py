"""SP3 reader on real IGS/MGEX products (see shared data MANIFEST.md).

Expected values are copied by eye from the file text; positions km -> m, clocks microseconds -> s.
"""

from __future__ import annotations

import warnings
from collections import Counter

import numpy as np
import pytest

from kompas import FormatError, gtime_from_calendar, read_clk, read_sp3
from kompas.errors import TruncatedFileWarning

A = "A_2020-177_ESBC_WTZR"


def _systems(sp3):
    return dict(Counter(s[0] for s in sp3.sat_ids))


def _at(sp3, epoch, sat):
    j = list(sp3.sat_ids).index(sat)
    return sp3.pos_m[epoch, j], sp3.clk_s[epoch, j]


def _check(sp3, epoch, sat, xyz_km, clk_us):
    pos, clk = _at(sp3, epoch, sat)
    np.testing.assert_allclose(pos, np.array(xyz_km) * 1e3, rtol=0, atol=1e-6)
    if clk_us is None:
        assert np.isnan(clk)
    else:
        assert clk == pytest.approx(clk_us * 1e-6, rel=0, abs=1e-18)


def _read(path):
    """Read a complete product: any warning is a failure."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return read_sp3(path)


def test_cod_mgex_2020_full_day(kompas_data):
    s = _read(kompas_data / A / "COD0MGXFIN_20201770000_01D_05M_ORB.SP3")
    assert (s.version, s.pv_flag, s.agency, s.frame, s.orbit_type) == ("d", "P", "AIUB", "IGb14", "FIT")
    assert s.time_system == "GPST" and s.interval_s == 300.0 and s.gps_week == 2111
    assert len(s) == 289 == s.n_epochs_header
    assert s.sats.size == 90 and _systems(s) == {"G": 31, "R": 22, "E": 24, "C": 10, "J": 3}
    assert s.time_ns[0] == gtime_from_calendar(2020, 6, 25)
    assert s.time_ns[-1] == gtime_from_calendar(2020, 6, 26)
    assert np.all(np.diff(s.time_ns) == 300 * 10**9)
    _check(s, 0, "G01", (-10814.532184, 19731.805028, -14065.684957), 15.944433)
    _check(s, 0, "R07", (11657.752815, 21478.520523, -7201.902374), -37.892005)
    _check(s, 0, "C10", (4047.742533, 28714.385042, 30916.378263), -253.606454)
    _check(s, -1, "C16", (-8716.999961, 38427.983815, -14669.352008), None)  # 999999.999999
    _check(s, -1, "J01", (-22270.079262, 18781.020966, -25882.473782), None)
    assert np.isfinite(s.pos_m).all()  # no missing position in this product
    assert s.accuracy_m[list(s.sat_ids).index("G01")] == pytest.approx(2**5 * 1e-3)
    assert s.comments[0] == "CODE MGEX orbits and clocks"
    assert s.vel_mps is None and not s.clk_pred.any() and not s.orb_pred.any()


def test_gbm_rapid_bds3_73_epochs(kompas_data):
    s = _read(kompas_data / A / "GBM0MGXRAP_20201770000_01D_05M_ORB_73epoch.sp3")
    assert len(s) == 73 and s.agency == "GFZ" and s.frame == "IGS14"
    assert s.sats.size == 123 and _systems(s) == {"G": 31, "R": 21, "E": 24, "C": 43, "J": 4}
    assert list(s.sat_ids[:3]) == ["C01", "C02", "C03"]  # header order, not sorted by system code
    assert s.time_ns[-1] == gtime_from_calendar(2020, 6, 25, 6, 0, 0.0)
    _check(s, 0, "C01", (-34346.144459, 24493.241712, 626.703678), -387.145498)
    _check(s, 0, "C19", (5365.255650, -16018.424763, 22237.834234), 454.647378)
    _check(s, 0, "C60", (7327.253050, 41514.493558, 915.004216), -0.493289)
    _check(s, -1, "R24", (20686.862415, 13138.427836, 7112.234354), 3.918263)
    ids = list(s.sat_ids)
    assert s.accuracy_m[ids.index("C01")] == pytest.approx(1.024)  # 2**10 mm
    assert np.isnan(s.accuracy_m[ids.index("C03")])  # exponent 0: unknown


def test_two_centres_agree(kompas_data):
    """COD final and GBM rapid orbits of the same satellites agree at the decimetre level."""
    cod = _read(kompas_data / A / "COD0MGXFIN_20201770000_01D_05M_ORB.SP3")
    gbm = _read(kompas_data / A / "GBM0MGXRAP_20201770000_01D_05M_ORB_73epoch.sp3")
    common = [s for s in cod.sat_ids if s in set(gbm.sat_ids)]
    assert len(common) == 89
    a, b = cod.select(common), gbm.select(common)
    assert np.array_equal(a.time_ns[: len(b)], b.time_ns)
    d = np.linalg.norm(a.pos_m[: len(b)] - b.pos_m, axis=-1)
    assert np.nanmedian(d) < 0.1 and np.nanmax(d) < 1.0
    gps = np.char.startswith(np.array(common), "G")
    assert np.nanmedian(d[:, gps]) < 0.05


def test_grg_sp3c_gz(kompas_data):
    s = _read(kompas_data / A / "GRG0MGXFIN_20201770000_01D_15M_ORB.SP3.gz")
    assert (s.version, s.agency, s.data_used) == ("c", "GRGS", "TRACK")
    assert len(s) == 96 and s.interval_s == 900.0
    assert s.sats.size == 75 and _systems(s) == {"E": 24, "R": 21, "G": 30}
    assert s.time_ns[0] == gtime_from_calendar(2020, 6, 25)
    assert s.time_ns[-1] == gtime_from_calendar(2020, 6, 25, 23, 45, 0.0)
    _check(s, 0, "E01", (-11562.163582, 14053.114306, 23345.128269), -884.707516)
    _check(s, 0, "E08", (-10261.549481, -27718.753350, 1430.183889), 6158.999594)
    _check(s, -1, "G32", (-14855.270401, -9278.099026, -19924.337562), 306.528657)
    assert np.isnan(s.pos_sdev_m).all()  # %f bases are 0 in this file: no std


def test_grg_sp3_clocks_match_grg_clock_file(kompas_data):
    """The same centre's SP3 clocks (1e-12 s resolution) equal its 30 s RINEX clocks."""
    s = _read(kompas_data / A / "GRG0MGXFIN_20201770000_01D_15M_ORB.SP3.gz")
    t, sats, bias = read_clk(kompas_data / A / "GRG0MGXFIN_20201770000_01D_30S_CLK.CLK.gz").satellite_clocks()
    rows = np.searchsorted(t, s.time_ns)
    cols = np.searchsorted(sats, s.sats)
    assert np.array_equal(t[rows], s.time_ns) and np.array_equal(sats[cols], s.sats)
    diff = s.clk_s - bias[np.ix_(rows, cols)]
    assert np.isfinite(diff).all()
    assert np.abs(diff).max() <= 0.51e-12


def test_igs_final_trimmed_set_d(kompas_data):
    s = _read(kompas_data / "D_2026-120_PASA_SCOA_rtk" / "IGS0OPSFIN_20261200945_02H30M_15M_ORB.SP3")
    assert s.version == "c" and s.frame == "IGc20" and s.agency == "IGS"
    assert len(s) == 11 and s.n_epochs_header == 96  # trimmed upstream, header kept
    assert _systems(s) == {"G": 31}
    assert s.time_ns[0] == gtime_from_calendar(2026, 4, 30, 9, 45, 0.0)
    assert s.time_ns[-1] == gtime_from_calendar(2026, 4, 30, 12, 15, 0.0)
    _check(s, 0, "G01", (8322.271954, -18334.373649, -17289.305601), 286.148987)
    j = list(s.sat_ids).index("G01")
    # exponents 3 4 5 and 63 with bases 1.25 mm and 1.025 ps
    np.testing.assert_allclose(s.pos_sdev_m[0, j], [1.25**3 * 1e-3, 1.25**4 * 1e-3, 1.25**5 * 1e-3])
    assert s.clk_sdev_s[0, j] == pytest.approx(1.025**63 * 1e-12)
    _check(s, -1, "G32", (16142.819653, 21119.784071, 2301.189265), 29.092797)


def test_igs_final_full_day_set_e(kompas_data):
    s = _read(kompas_data / "E_2026-133_ZIM2" / "IGS0OPSFIN_20261330000_01D_15M_ORB.SP3")
    assert len(s) == 96 and _systems(s) == {"G": 32} and s.gps_week == 2418
    assert s.time_ns[0] == gtime_from_calendar(2026, 5, 13)
    assert s.time_ns[-1] == gtime_from_calendar(2026, 5, 13, 23, 45, 0.0)
    _check(s, 0, "G01", (-14847.471875, 16720.664221, 14257.386631), 276.154723)
    _check(s, -1, "G32", (-15429.673682, -20726.556666, 6822.356812), 52.541348)


def test_cod_mgex_2021_set_g(kompas_data):
    s = _read(kompas_data / "G_2021-118_SLAC_rinex2" / "COD0MGXFIN_20211180000_01D_05M_ORB.SP3")
    assert len(s) == 73 and s.sats.size == 116
    assert _systems(s) == {"G": 31, "R": 21, "E": 24, "C": 37, "J": 3}
    assert s.time_ns[0] == gtime_from_calendar(2021, 4, 28, 18, 0, 0.0)
    assert s.time_ns[-1] == gtime_from_calendar(2021, 4, 29)
    _check(s, 0, "G01", (13287.682546, -15491.926575, 16545.690647), 703.963460)
    _check(s, 0, "R07", (-18572.642486, 4940.773816, 16791.177558), -42.514219)
    _check(s, 0, "C19", (-16882.867861, 12919.028667, 18120.830694), 815.350764)
    _check(s, -1, "J03", (-35617.989378, 21808.513431, -1175.908607), None)


# ----------------------------------------------------------------------------------------------
# Edge cases


def test_blank_sp3_is_a_format_error(kompas_data):
    with pytest.raises(FormatError, match="empty"):
        read_sp3(kompas_data / "edge_cases" / "blank.sp3")


def test_truncated_sp3_keeps_the_one_complete_epoch(kompas_data):
    """The file has one full epoch (32 satellites), then a second '*' line and nothing after it."""
    with pytest.warns(TruncatedFileWarning, match="1 complete epochs"):
        s = read_sp3(kompas_data / "edge_cases" / "truncated.sp3")
    assert len(s) == 1 and s.sats.size == 32
    assert s.time_ns[0] == gtime_from_calendar(2017, 2, 14)
    _check(s, 0, "G01", (9950.635414, -20205.485937, -13973.830231), 49.177035)
    _check(s, 0, "G04", (25253.655993, 7343.450049, 4436.609553), None)
    assert np.isfinite(s.pos_m).all()


def test_sp3_missing_first_header_lines(kompas_data):
    with pytest.raises(FormatError, match="#a/#c/#d") as exc:
        read_sp3(kompas_data / "edge_cases" / "grg21553_nodata.sp3")
    assert exc.value.line == 1
