"""Broadcast ionosphere: each system's own model, parameters resolved from headers and RINEX 4 frames."""

import dataclasses
import warnings

import numpy as np
import pytest

from kompas import gtime_from_calendar, read_ionex, read_nav, sat_index
from kompas.errors import KompasWarning
from kompas.frames import geodetic_to_ecef
from kompas.models.bdgim import bdgim_delay
from kompas.models.ionex_model import ionex_delay
from kompas.models.ionosphere import F_BDS_B1I_HZ, F_GPS_L1_HZ, klobuchar_bds, klobuchar_gps
from kompas.models.nequick import nequick_g_delay
from kompas.products.ionosphere import (
    DEFAULT_MODELS,
    BroadcastIonosphere,
    IonexIonosphere,
    IonoContext,
    satellite_class,
)
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
    assert par.source == "RINEX 4 ION frames" and par.t_ns.size == 2 and par.model == "GPS_KLOB"
    t = gtime_from_calendar(2022, 6, 8, [10, 12, 14], 0, 0)
    # before the first frame: the first one; then the latest transmitted
    np.testing.assert_array_equal(par.at(t)[:, 0], [1.0e-8, 1.0e-8, 2.0e-8])


ALPHA_BDGIM = (13.82642069, -1.78004616, 5.172, 3.1303094, -4.58961329, 0.32483867, -0.07802383, 1.2431259,
               0.37763627)  # fmt: skip  # the first case of tests/unit/test_bdgim.py (AIRCAS demonstrator)


def test_rinex4_bdgim_frames_serve_bdgim_for_beidou(tmp_path):
    a = ALPHA_BDGIM
    head = [H("     4.00           NAVIGATION DATA     M", "RINEX VERSION / TYPE"),
            H("    18", "LEAP SECONDS"), H("", "END OF HEADER")]  # fmt: skip
    frame = ["> ION C30 CNVX",
             f"    2022 06 08 11 00 00{a[0]:19.12e}{a[1]:19.12e}{a[2]:19.12e}",
             f"    {a[3]:19.12e}{a[4]:19.12e}{a[5]:19.12e}{a[6]:19.12e}",
             f"    {a[7]:19.12e}{a[8]:19.12e}"]  # fmt: skip
    p = tmp_path / "bdgim.rnx"
    p.write_text("\n".join(head + frame) + "\n")
    ion = BroadcastIonosphere(read_nav(p))
    np.testing.assert_array_equal(ion.parameters["BDGIM"].coef[0], a)
    # BDS-3 by its own model; BDS-2 (whose own model, BDS Klobuchar, has no parameters) and GPS by the
    # first model of the fallback order that has parameters: BDGIM
    assert ion.assignment()["C3"] == ("BDGIM", False) and ion.assignment()["C2"] == ("BDGIM", True)
    ctx = _ctx()
    sats = sat_index(["C30", "C30", "C06", "G05"])
    f_b1c, f_b2a = 1575.42e6, 1176.45e6
    d, model, fb = ion.delay(sats, ctx, np.array([f_b1c, f_b2a, F_BDS_B1I_HZ, F_GPS_L1_HZ]))
    assert model.tolist() == ["BDGIM"] * 4 and fb.tolist() == [False, False, True, True]
    ref = bdgim_delay(np.array(a), ctx.lat_rad, ctx.lon_rad, ctx.az_rad, ctx.el_rad, ctx.t_ns)  # on B1C
    assert ref.min() > 0.3  # metres: a real delay, not a vacuous comparison
    np.testing.assert_allclose(d, ref * (f_b1c / np.array([f_b1c, f_b2a, F_BDS_B1I_HZ, F_GPS_L1_HZ])) ** 2,
                               rtol=1e-12)  # fmt: skip


def _galileo_arcs():
    """Two Galileo satellites, rows every 300 s (interleaved), one with a gap of exactly one step."""
    t0 = gtime_from_calendar(2022, 6, 8, 12, 0, 0)  # a multiple of 1800 s of GPST
    assert t0 % (1800 * 10**9) == 0
    s_a = np.arange(0, 7201, 300)
    s_b = np.array([0, 300, 600, 900, 2700, 3000, 3300])  # 900 -> 2700: a gap of exactly 1800 s
    sat = np.r_[np.full(s_a.size, sat_index(["E11"])[0]), np.full(s_b.size, sat_index(["E12"])[0])]
    t = t0 + np.r_[s_a, s_b].astype(np.int64) * 10**9
    order = np.argsort(t, kind="stable")  # rows in time order, the satellites interleaved
    sat, t = sat[order], t[order]
    n = t.size
    lat, lon = np.radians(55.7), np.radians(12.5)
    rcv = geodetic_to_ecef(np.array([lat, lon, 50.0]))
    # satellites moving across the sky, 23,000 km up
    ang = (t - t0) / 1e9 * 1.4e-4 + np.where(sat == sat[0], 0.0, 0.7)
    up = rcv / np.linalg.norm(rcv)
    east = np.cross([0.0, 0.0, 1.0], up)
    east /= np.linalg.norm(east)
    north = np.cross(up, east)
    dirs = np.cos(ang)[:, None] * up + np.sin(ang)[:, None] * (0.6 * east + 0.8 * north)
    sat_pos = rcv + 23.0e6 * dirs
    enu = np.stack([dirs @ east, dirs @ north, dirs @ up], axis=-1)
    ctx = IonoContext(t, np.full(n, lat), np.full(n, lon), np.full(n, 50.0), np.arctan2(enu[:, 0], enu[:, 1]),
                      np.arcsin(enu[:, 2]), sat_pos)  # fmt: skip
    return sat, ctx, rcv


def _galileo_ionosphere(tmp_path):
    """The broadcast ionosphere of a navigation file with only Galileo's NeQuick-G coefficients."""
    p = tmp_path / "gal.rnx"
    p.write_text("\n".join([H("     3.05           N: GNSS NAV DATA    M: MIXED", "RINEX VERSION / TYPE"),
                            H("GAL    1.2500e+02  5.0000e-01  2.0000e-02  0.0000e+00", "IONOSPHERIC CORR"),
                            H("", "END OF HEADER")]) + "\n")  # fmt: skip
    return BroadcastIonosphere(read_nav(p))


def test_nequick_is_evaluated_at_nodes_and_interpolated_between(tmp_path):
    ion = _galileo_ionosphere(tmp_path)
    sat, ctx, _ = _galileo_arcs()
    d, model, _ = ion.delay(sat, ctx, np.full(sat.size, F_GPS_L1_HZ))
    assert set(model.tolist()) == {"NEQUICK_G"}
    rcv = np.stack([ctx.lat_rad, ctx.lon_rad, ctx.height_m], axis=-1)
    exact = nequick_g_delay(np.array([125.0, 0.5, 0.02]), rcv, ctx.sat_pos_m, ctx.t_ns)
    s = (ctx.t_ns - ctx.t_ns.min()) // 10**9
    a, b = sat == sat[0], sat != sat[0]
    # nodes: each satellite's first row in every 1800 s of GPST, the last row before a gap longer than
    # 1800 s and the end of each arc -- evaluated exactly there
    node_a = a & ((s % 1800 == 0) | (s == s[a].max()))
    node_b = b & np.isin(s, [0, 2700, 3300])  # 900 -> 2700 is not longer than a step: 900 is no node
    node = node_a | node_b
    np.testing.assert_allclose(d[node], exact[node], rtol=1e-12)
    # elsewhere: linear interpolation in time between the satellite's nodes, not the exact model
    for m in (a, b):
        interp = np.interp(s[m & ~node], s[m & node], exact[m & node])
        np.testing.assert_allclose(d[m & ~node], interp, rtol=1e-12)
    assert np.abs(d[~node] - exact[~node]).max() > 1e-4


def test_three_rows_are_enough_to_interpolate(tmp_path):
    ion = _galileo_ionosphere(tmp_path)
    sat, ctx, _ = _galileo_arcs()
    rows = np.flatnonzero(sat == sat[0])[[0, 3, 5]]  # 0, 900 and 1500 s: one satellite, one step
    sub = IonoContext(*(np.asarray(getattr(ctx, f))[rows] for f in ctx.__dataclass_fields__))
    d, _, _ = ion.delay(sat[rows], sub, np.full(3, F_GPS_L1_HZ))
    rcv = np.stack([sub.lat_rad, sub.lon_rad, sub.height_m], axis=-1)
    exact = nequick_g_delay(np.array([125.0, 0.5, 0.02]), rcv, sub.sat_pos_m, sub.t_ns)
    np.testing.assert_allclose(d[[0, 2]], exact[[0, 2]], rtol=1e-12)
    assert d[1] == pytest.approx(exact[0] + (exact[2] - exact[0]) * 900 / 1500, rel=1e-12)
    assert d[1] != pytest.approx(exact[1], rel=1e-6)


def test_header_parameters_are_labelled(tmp_path):
    ion = BroadcastIonosphere(_rinex3(tmp_path))
    par = ion.parameters["BDS_KLOB"]
    assert par.source == "header" and par.t_ns.tolist() == [np.iinfo(np.int64).min]
    np.testing.assert_array_equal(par.coef[0], BDSA + BDSB)


def test_ionex_product_is_the_model_on_joined_days(kompas_data):
    ix = read_ionex(kompas_data / "ionex" / "jplg0010.17i.gz")
    day = 86400 * 10**9
    later = dataclasses.replace(ix, time_ns=ix.time_ns + 2 * day, tec_tecu=ix.tec_tecu + 5.0)
    ion = IonexIonosphere([later, ix])
    assert ion.time_ns.size == 26 and np.all(np.diff(ion.time_ns) > 0)
    assert ion.paths == (ix.path, ix.path) and ion.radius_m == 6371e3 and ion.height_m == 450e3
    assert ion.assignment() == {c: ("IONEX", False) for c in DEFAULT_MODELS}
    sats = sat_index(["G05", "C30", "E11", "R07"])
    n = sats.size
    t = ix.time_ns[0] + 2 * day + np.array([1800, 5400, 9000, 3 * 86400]) * 10**9  # the last: no map
    ctx = IonoContext(t, np.radians([47.0, -33.0, 10.0, 47.0]), np.radians([8.0, 151.0, -70.0, 8.0]), np.zeros(n),
                      np.radians([30.0, 200.0, 100.0, 30.0]), np.radians([20.0, 45.0, 70.0, 20.0]), np.zeros((n, 3)))  # fmt: skip
    freq = np.array([F_GPS_L1_HZ, F_BDS_B1I_HZ, 1176.45e6, 1602e6])
    d, model, fb = ion.delay(sats, ctx, freq)
    ref = ionex_delay(later.tec_tecu, later.time_ns, ix.lat_rad, ix.lon_rad, 6371e3, 450e3, t, ctx.lat_rad,
                      ctx.lon_rad, ctx.az_rad, ctx.el_rad, freq)  # fmt: skip
    np.testing.assert_allclose(d[:3], ref[:3], rtol=1e-12)
    assert d[:3].min() > 1.0 and np.isnan(ref[3])
    assert d[3] == 0.0 and model.tolist() == ["IONEX", "IONEX", "IONEX", ""] and not fb.any()


def test_ionex_maps_of_another_mapping_function_say_so(kompas_data):
    ix = read_ionex(kompas_data / "ionex" / "jplg0010.17i.gz")
    assert ix.mapping_function == "NONE"  # as the shared global maps (jplg, CKMG) say
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        IonexIonosphere([ix, dataclasses.replace(ix, mapping_function="COSZ")])  # the model's own
    with pytest.warns(KompasWarning, match=r"mapping function QFAC; kompas maps their vertical TEC with"):
        IonexIonosphere([ix, dataclasses.replace(ix, mapping_function="QFAC")])


def test_ionex_files_of_different_grids_are_not_joined(kompas_data):
    ix = read_ionex(kompas_data / "ionex" / "jplg0010.17i.gz")
    day = 86400 * 10**9
    for change in ({"lat_rad": ix.lat_rad + 0.01}, {"lon_rad": ix.lon_rad + 0.01}):
        other = dataclasses.replace(ix, time_ns=ix.time_ns + day, **change)
        with pytest.raises(ValueError, match="IONEX files with different grids cannot be joined"):
            IonexIonosphere([ix, other])
    with pytest.raises(ValueError, match="at least one IONEX file"):
        IonexIonosphere([])


def test_header_parameters_come_from_the_files_nearest_the_observations():
    """Files by the distance of their nearest record to the epoch; those beyond 26 h give none; records
    without a time (int64 min) do not count; without an epoch the order is the caller's."""
    import types

    from kompas.products.ionosphere import HEADER_REACH_NS, _nearest_first

    h = 3600 * 10**9
    none = np.iinfo(np.int64).min

    def nav(*t):
        return types.SimpleNamespace(record_times_ns=lambda: np.array(t, np.int64))

    far, late, near, empty, blank = nav(-40 * h), nav(20 * h, 25 * h), nav(2 * h, -h), nav(), nav(none)
    files = [far, late, near, empty, blank]
    assert HEADER_REACH_NS == 26 * h
    assert _nearest_first(files, 0) == [near, late]
    assert _nearest_first(files, None) == files
    assert _nearest_first([nav(26 * h), nav(26 * h + 1)], 0)[0].record_times_ns()[0] == 26 * h
    assert len(_nearest_first([nav(26 * h + 1)], 0)) == 0
    # the observations' first and last epochs: the distance to the nearer end, none inside the span
    assert len(_nearest_first([nav(30 * h)], (0, 4 * h))) == 1 and not _nearest_first(
        [nav(30 * h)], (0, 3 * h)
    )
    assert _nearest_first([late, near], (0, 22 * h)) == [late, near]  # both inside: distance 0, their order


def test_each_days_header_parameters_serve_that_days_epochs():
    """The header sets carry no time: each file's set serves the epochs nearer the median of its records
    than another file's, so a session across midnight takes each day's parameters on its day (one set
    for the whole run, the first block's, served both days: 8 m apart after midnight in the sweep)."""
    import types

    from kompas.products.ionosphere import IonoParameters, _header_series

    def params(navs):
        start, coef = _header_series(navs)["GPS_KLOB"]
        return IonoParameters("GPS_KLOB", start, coef, "header")

    h = 3600 * 10**9
    alpha1, alpha2 = [1e-8, 2e-8, -6e-8, -1e-7], [4e-8, 3e-8, -2e-7, -1e-7]
    beta = [9e4, 1e5, -6e4, -5e5]

    def nav(alpha, *t):
        corr = {"GPSA": alpha, "GPSB": beta}
        return types.SimpleNamespace(
            record_times_ns=lambda: np.array(t, np.int64), header=types.SimpleNamespace(iono_corr=corr)
        )

    day1, day2 = nav(alpha1, 0, 12 * h, 24 * h - 1), nav(alpha2, 24 * h, 36 * h, 48 * h - 1)
    p = params([day2, day1])  # nearest first: the order given
    sets = p.at(np.array([23 * h, 24 * h + 1, 30 * h]))
    np.testing.assert_array_equal(sets[:, :4], [alpha1, alpha2, alpha2])
    # files with one median (a day's per-system files): the first giving the model serves alone
    same = params([nav(alpha2, 0, 12 * h), nav(alpha1, 0, 12 * h)])
    np.testing.assert_array_equal(same.at(np.array([0, 40 * h]))[:, :4], [alpha2, alpha2])
