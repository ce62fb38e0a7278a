"""Broadcast ionosphere: each system's own model, parameters resolved from headers and RINEX 4 frames."""

import numpy as np
import pytest

from kompas import gtime_from_calendar, read_nav, sat_index
from kompas.models.ionosphere import F_BDS_B1I_HZ, F_GPS_L1_HZ, klobuchar_bds, klobuchar_gps
from kompas.products.ionosphere import BroadcastIonosphere, IonoContext, satellite_class
from kompas.time import week_tow


def H(content, label):
    return content.ljust(60) + label


GPSA = [1.0245e-08, 2.2352e-08, -5.9605e-08, -1.1921e-07]
GPSB = [9.6256e04, 1.3107e05, -6.5536e04, -5.8982e05]
BDSA = [3.5390e-08, 4.4703e-08, -8.9407e-07, 1.4901e-06]
BDSB = [1.3926e05, -1.6384e05, 2.6214e05, -3.9322e05]


def _rinex3(tmp_path, with_bds=True):
    def corr(name, c):
        return H(f"{name:4s} " + "".join(f"{v:12.4e}" for v in c), "IONOSPHERIC CORR")

    lines = [H("     3.05           N: GNSS NAV DATA    M: MIXED", "RINEX VERSION / TYPE"),
             corr("GPSA", GPSA), corr("GPSB", GPSB)]  # fmt: skip
    if with_bds:
        lines += [corr("BDSA", BDSA), corr("BDSB", BDSB)]
    lines.append(H("", "END OF HEADER"))
    p = tmp_path / ("b.rnx" if with_bds else "g.rnx")
    p.write_text("\n".join(lines) + "\n")
    return read_nav(p)


def _ctx(n=4):
    t = gtime_from_calendar(2022, 6, 8, 12, 0, 0) + np.arange(n) * 3_600_000_000_000
    lat, lon = np.radians(55.7), np.radians(12.5)
    return IonoContext(t, np.full(n, lat), np.full(n, lon), np.zeros(n), np.linspace(0, 3, n),
                       np.radians(np.linspace(15, 80, n)), np.zeros((n, 3)))  # fmt: skip


def test_each_system_its_own_klobuchar(tmp_path):
    ion = BroadcastIonosphere(_rinex3(tmp_path))
    sats = sat_index(["G05", "R07", "C06", "C30"])
    assert satellite_class(sats).tolist() == ["G", "R", "C2", "C3"]
    ctx = _ctx()
    d, model, fb = ion.delay(sats, ctx, np.array([F_GPS_L1_HZ, 1602e6, F_BDS_B1I_HZ, 1268.52e6]))
    assert model.tolist() == ["GPS_KLOB", "GPS_KLOB", "BDS_KLOB", "BDS_KLOB"] and not fb.any()
    tow = week_tow(ctx.t_ns, "GPS")[1]
    sow = week_tow(ctx.t_ns, "BDS")[1]
    kg = klobuchar_gps(GPSA, GPSB, ctx.lat_rad, ctx.lon_rad, ctx.az_rad, ctx.el_rad, tow)
    kb = klobuchar_bds(BDSA, BDSB, ctx.lat_rad, ctx.lon_rad, ctx.az_rad, ctx.el_rad, sow)
    assert d[0] == pytest.approx(kg[0])
    assert d[1] == pytest.approx(kg[1] * (F_GPS_L1_HZ / 1602e6) ** 2)
    assert d[2] == pytest.approx(kb[2])
    assert d[3] == pytest.approx(kb[3] * (F_BDS_B1I_HZ / 1268.52e6) ** 2)


def test_fallback_when_a_system_has_no_parameters(tmp_path):
    ion = BroadcastIonosphere(_rinex3(tmp_path, with_bds=False))
    assign = ion.assignment()
    assert assign["G"] == ("GPS_KLOB", False) and assign["C2"] == ("GPS_KLOB", True)
    d, model, fb = ion.delay(sat_index(["C06"]), _ctx(1), np.array([F_BDS_B1I_HZ]))
    assert model[0] == "GPS_KLOB" and fb[0] and d[0] > 0


def test_no_parameters_at_all(tmp_path):
    p = tmp_path / "e.rnx"
    p.write_text(H("     3.05           N: GNSS NAV DATA    M: MIXED", "RINEX VERSION / TYPE") + "\n"
                 + H("", "END OF HEADER") + "\n")  # fmt: skip
    ion = BroadcastIonosphere(read_nav(p))
    d, model, _ = ion.delay(sat_index(["G05"]), _ctx(1), np.array([F_GPS_L1_HZ]))
    assert model[0] == "" and d[0] == 0.0
    assert ion.assignment()["G"] == (None, False)


def test_rinex4_frames_latest_valid_at_each_epoch(tmp_path):
    def frame(hh, alpha0):
        return ["> ION G29 LNAV",
                f"    2022 06 08 {hh:02d} 00 00{alpha0:19.12e}{GPSA[1]:19.12e}{GPSA[2]:19.12e}",
                f"    {GPSA[3]:19.12e}{GPSB[0]:19.12e}{GPSB[1]:19.12e}{GPSB[2]:19.12e}",
                f"    {GPSB[3]:19.12e}{0.0:19.12e}"]  # fmt: skip

    head = [H("     4.00           NAVIGATION DATA     M", "RINEX VERSION / TYPE"),
            H("    18", "LEAP SECONDS"), H("", "END OF HEADER")]  # fmt: skip
    p = tmp_path / "r4.rnx"
    p.write_text("\n".join(head + frame(13, 2.0e-8) + frame(11, 1.0e-8)) + "\n")
    ion = BroadcastIonosphere(read_nav(p))
    par = ion.parameters["GPS_KLOB"]
    assert par.source == "RINEX 4 ION frames" and par.t_ns.size == 2
    t = gtime_from_calendar(2022, 6, 8, [10, 12, 14], 0, 0)
    # before the first frame: the first one; then the latest transmitted
    np.testing.assert_array_equal(par.at(t)[:, 0], [1.0e-8, 1.0e-8, 2.0e-8])
