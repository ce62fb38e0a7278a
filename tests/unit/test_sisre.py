"""SISRE arithmetic on synthetic products: RAC split, weights per constellation, clock offset removal."""

import numpy as np
import pytest

from kompas.monitor.sisre import SISRE_WEIGHTS, bds_orbit_type, group_of, sisre
from kompas.products.state import SatState
from kompas.satsys import sat_index

R = 26_560e3
V = 3_874.0


class _Circle:
    """Satellites on circular equatorial-plane orbits; optional offsets in the RAC frame and clocks."""

    def __init__(self, d_rac=(0.0, 0.0, 0.0), d_clk_m=None, common_clk_s=0.0):
        self.d_rac = np.array(d_rac)
        self.d_clk_m = d_clk_m or {}
        self.common = common_clk_s

    def state(self, sats, t, offset_s=0.0, signal=None):
        sats = np.atleast_1d(np.asarray(sats)).astype(np.int64)
        t = np.broadcast_to(np.asarray(t, dtype=np.int64), sats.shape)
        ang = 0.001 * t * 1e-9 + sats * 0.3
        er = np.stack([np.cos(ang), np.sin(ang), 0 * ang], -1)
        ea = np.stack([-np.sin(ang), np.cos(ang), 0 * ang], -1)
        ec = np.cross(er, ea)
        pos = R * er + self.d_rac[0] * er + self.d_rac[1] * ea + self.d_rac[2] * ec
        clk = np.array([self.d_clk_m.get(int(s), 0.0) for s in sats]) / 299792458.0 + self.common
        n = sats.size
        return SatState(pos, V * ea, clk, np.zeros(n), np.full(n, np.nan), np.zeros(n, np.uint8))

    def apc_offset(self, *a, **k):  # no ANTEX in these tests
        raise AssertionError("not called without antex")


def _run(brdc, prec, sats):
    times = np.arange(10) * 300 * 10**9
    # precise positions must also give the 2 r.v/c^2 term: zero here (circular orbit, r perpendicular to v)
    return sisre(brdc, brdc, prec, times, sat_index(sats))


def test_radial_and_along_track_weights():
    res = _run(_Circle(d_rac=(1.0, 7.0, 0.0)), _Circle(), ["G01", "G02", "E11", "C23", "C05"])
    rows = {r["sat"]: r for r in res.table}
    assert rows["G01"]["radial_m"] == pytest.approx(1.0, abs=1e-6)
    assert rows["G01"]["along_m"] == pytest.approx(7.0, abs=1e-6)
    assert rows["G01"]["cross_m"] == pytest.approx(0.0, abs=1e-6)
    # sqrt((0.98 * 1)^2 + (1/49) * 49) for GPS; Galileo 1/61; BDS MEO 1/54; BDS GEO 0.99 and 1/126
    assert rows["G01"]["sisre_orb_m"] == pytest.approx(np.sqrt(0.98**2 + 49 / 49), abs=1e-6)
    assert rows["E11"]["sisre_orb_m"] == pytest.approx(np.sqrt(0.98**2 + 49 / 61), abs=1e-6)
    assert rows["C23"]["sisre_orb_m"] == pytest.approx(np.sqrt(0.98**2 + 49 / 54), abs=1e-6)
    assert rows["C05"]["sisre_orb_m"] == pytest.approx(np.sqrt(0.99**2 + 49 / 126), abs=1e-6)
    assert rows["G01"]["orbit_3d_m"] == pytest.approx(np.sqrt(50.0), abs=1e-6)


def test_common_clock_offset_removed_per_constellation():
    brdc = _Circle(d_clk_m={int(sat_index("G01")): 0.5}, common_clk_s=3e-6)  # 900 m common: removed
    res = _run(brdc, _Circle(), ["G01", "G02", "G03", "G04"])
    clk = {r["sat"]: r["clock_m"] for r in res.table}
    # G01 +0.5 m, the mean (0.125 m) removed from all four
    assert clk["G01"] == pytest.approx(0.375, abs=1e-6)
    assert clk["G02"] == pytest.approx(0.125, abs=1e-6)
    res2 = _run(
        _Circle(d_rac=(0.5 / 0.98, 0, 0), d_clk_m={int(sat_index("G01")): 0.5}),
        _Circle(),
        ["G01"] + ["G02"] * 0,
    )
    assert np.isnan(res2.table[0]["clock_m"])  # alone in its constellation: no common offset can be formed


def test_groups_and_orbit_types():
    assert bds_orbit_type(5) == "GEO" and bds_orbit_type(59) == "GEO"
    assert bds_orbit_type(13) == "IGSO" and bds_orbit_type(38) == "IGSO"
    assert bds_orbit_type(19) == "MEO" and bds_orbit_type(11) == "MEO"
    assert group_of(sat_index("C11")) == "BDS-2"
    assert group_of(sat_index("C20")) == "BDS-3 MEO"
    assert group_of(sat_index("C39")) == "BDS-3 IGSO/GEO"
    assert group_of(sat_index("R05")) == "GLONASS"
    assert set(SISRE_WEIGHTS) == {"G", "R", "E", "C_MEO", "C_IGSO_GEO", "J"}
