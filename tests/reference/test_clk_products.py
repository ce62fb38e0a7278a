"""RINEX clock reader on real IGS/MGEX products (see shared data MANIFEST.md).

Expected values are copied by eye from the file text.
"""

from __future__ import annotations

import warnings
from collections import Counter

import numpy as np
import pytest

from kompas import gtime_from_calendar, read_clk, sat_id, sat_index
from kompas.errors import KompasWarning


def _read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return read_clk(path)


def _systems(sats):
    return dict(Counter(s[0] for s in sat_id(sats)))


def _record(c, kind, name, t_ns):
    i = np.flatnonzero((c.kind == kind) & (c.name == name) & (c.time_ns == t_ns))
    assert i.size == 1
    return int(i[0])


def _sorted(c):
    """The table is sorted by (kind, name, time)."""
    key = list(zip(c.kind.tolist(), c.name.tolist(), c.time_ns.tolist(), strict=True))
    return key == sorted(key)


def test_grg_mgex_full_day(kompas_data):
    c = _read(kompas_data / "A_2020-177_ESBC_WTZR" / "GRG0MGXFIN_20201770000_01D_30S_CLK.CLK.gz")
    assert c.version == 3.0 and c.agency == "GRG" and c.time_system == "GPST" and c.trf == "IGb14"
    assert c.data_types == ("AR", "AS") and c.clock_refs == ("BRUX",)
    assert set(c.kind) == {"AS"}  # AR is declared but no receiver record is in the file
    t, sats, bias = c.satellite_clocks()
    assert _systems(sats) == {"G": 30, "R": 21, "E": 24}
    assert t.size == 2880 and t[0] == gtime_from_calendar(2020, 6, 25)
    assert t[-1] == gtime_from_calendar(2020, 6, 25, 23, 59, 30.0)
    assert len(c) == 2880 * 75 - 1 == np.count_nonzero(np.isfinite(bias))
    # the one absent record: G21 at 01:50:00
    i, j = np.nonzero(np.isnan(bias))
    assert sat_id(sats[j]).tolist() == ["G21"] and t[i[0]] == gtime_from_calendar(2020, 6, 25, 1, 50, 0.0)
    k = _record(c, "AS", "E01", t[0])
    assert c.bias_s[k] == -0.884707516318e-03 and c.bias_sigma_s[k] == 0.337986288247e-10
    assert np.isnan(c.rate).all() and np.isfinite(c.bias_sigma_s).all()
    # header: 110 stations announced, 109 coordinate lines present
    assert c.n_stations_header == 110 and len(c.station_coords) == 109
    assert c.station_coords["BRST"] == (4231162.390, -332746.406, 4745131.076)
    assert c.station_domes["BRST"] == "10004M004"
    assert len(c.prn_list) == 75 == c.n_sats_header
    assert _sorted(c)


def test_igs_final_set_d(kompas_data):
    c = _read(kompas_data / "D_2026-120_PASA_SCOA_rtk" / "IGS0OPSFIN_2026120095930_02H01M_30S_CLK.CLK")
    assert c.leap_seconds == 18 and c.n_stations_header == 247 and len(c.station_coords) == 247
    t, sats, bias = c.satellite_clocks()
    assert _systems(sats) == {"G": 30} and np.isfinite(bias).all()
    assert t[0] == gtime_from_calendar(2026, 4, 30, 9, 59, 30.0)
    assert t[-1] == gtime_from_calendar(2026, 4, 30, 12, 0, 30.0)
    assert np.count_nonzero(c.kind == "AS") == 7290 == t.size * 30
    tr, names, rbias = c.receiver_clocks()
    assert np.array_equal(tr, t) and names.size == 238
    assert np.count_nonzero(c.kind == "AR") == 6146 == np.count_nonzero(np.isfinite(rbias))
    k = _record(c, "AR", "GPST", t[0])
    assert c.bias_s[k] == -1.483884611181e-08 and c.bias_sigma_s[k] == 0.0
    k = _record(c, "AS", "G01", t[0])
    assert c.bias_s[k] == 2.861412437573e-04 and c.bias_sigma_s[k] == 3.555786991600e-12
    assert bias[-1, list(sats).index(sat_index("G32"))] == 2.907548065202e-05
    assert c.station_coords["WTZR"] == pytest.approx((4075580.206, 931854.163, 4801568.343), abs=1e-9)
    assert _sorted(c)


def test_igs_final_set_e_zim2(kompas_data):
    c = _read(kompas_data / "E_2026-133_ZIM2" / "IGS0OPSFIN_20261330000_90M_30S_CLK.CLK")
    t, sats, bias = c.satellite_clocks()
    assert _systems(sats) == {"G": 32} and len(c) == 5792 == t.size * 32
    assert t[0] == gtime_from_calendar(2026, 5, 13) and t[-1] == gtime_from_calendar(2026, 5, 13, 1, 30, 0.0)
    assert bias[0, 0] == 2.761547232975e-04  # G01
    assert bias[-1, -1] == 5.091412570347e-05  # G32
    assert c.station_coords["ZIM2"] == (4331299.584, 567537.709, 4633133.967)


def test_cod_mgex_304_set_g(kompas_data):
    c = _read(kompas_data / "G_2021-118_SLAC_rinex2" / "COD0MGXFIN_20211180000_01D_30S_CLK.CLK")
    assert c.version == 3.04 and c.agency == "COM" and c.satellite_system == "M"
    assert c.clock_refs == ("WAB200CHE",) and c.leap_seconds == 18
    t, sats, bias = c.satellite_clocks()
    assert _systems(sats) == {"G": 31, "R": 21, "E": 24, "C": 37, "J": 3}
    assert t[0] == gtime_from_calendar(2021, 4, 28, 19, 30, 0.0)
    assert t[-1] == gtime_from_calendar(2021, 4, 28, 20, 30, 0.0)
    assert np.count_nonzero(np.isfinite(bias)) == 14036 == np.count_nonzero(c.kind == "AS")
    tr, names, rbias = c.receiver_clocks()
    assert np.array_equal(tr, t) and np.count_nonzero(np.isfinite(rbias)) == 1863  # some receivers at 5 min
    assert names.size == 135 and len(c.station_coords) == 135 == c.n_stations_header
    assert "AJAC00FRA" in names and max(len(n) for n in names) == 9
    assert c.station_coords["AJAC00FRA"] == (4696989.195, 723994.778, 4239678.731)
    assert c.station_domes["AJAC00FRA"] == "10077M005"
    k = _record(c, "AR", "WAB200CHE", t[0])
    assert c.bias_s[k] == 0.217267716775e-06 and c.bias_sigma_s[k] == 0.458032568265e-10
    k = _record(c, "AS", "R24", t[-1])
    assert c.bias_s[k] == 0.406289793706e-04
    assert len(c.prn_list) == 116 == c.n_sats_header
    assert _sorted(c)


def test_header_only_clock_file(kompas_data):
    with pytest.warns(KompasWarning, match="no data records"):
        c = read_clk(kompas_data / "edge_cases" / "grg21553_nodata.clk")
    assert len(c) == 0
    assert (
        c.n_stations_header == 105 and c.n_sats_header == 51 and len(c.prn_list) == 51
    )  # " 00" fillers dropped
    assert c.agency == "GRG"


def test_front_door_dispatch(kompas_data):
    """kompas.read recognises SP3 and clock files by content and returns the reader's objects."""
    import kompas

    c = kompas.read(kompas_data / "G_2021-118_SLAC_rinex2" / "COD0MGXFIN_20211180000_01D_30S_CLK.CLK")
    s = kompas.read(kompas_data / "A_2020-177_ESBC_WTZR" / "GRG0MGXFIN_20201770000_01D_15M_ORB.SP3.gz")
    assert isinstance(c, kompas.ClockData) and c.version == 3.04
    assert isinstance(s, kompas.Sp3) and len(s) == 96
    with pytest.raises(kompas.FormatError, match="#a/#c/#d"):
        kompas.read(kompas_data / "edge_cases" / "grg21553_nodata.sp3")
