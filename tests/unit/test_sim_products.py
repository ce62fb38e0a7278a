"""SP3 and RINEX clock products written from the simulator's truth, read back through kompas's products."""

import numpy as np
import pytest

from kompas import gtime_from_calendar, read_clk, read_sp3
from kompas.constants import C_LIGHT
from kompas.frames import geodetic_to_ecef
from kompas.products.precise import PreciseProduct
from kompas.satsys import sat_id, sat_system
from kompas.sim import ErrorModel, Event, simulate, write_products

START = int(gtime_from_calendar(2025, 1, 1, 0, 0, 0))
RCV = geodetic_to_ecef(np.array([np.radians(-6.1754), np.radians(106.8272), 10.0]))


@pytest.fixture(scope="module")
def products(tmp_path_factory):
    out = tmp_path_factory.mktemp("prod")
    res = simulate(RCV, START, hours=2.0, interval_s=30.0, errors=ErrorModel.none(), sis_error_m=1.0, seed=2,
                   events=[Event("clock", START + 3600 * 10**9, size=1e-3)])  # fmt: skip
    info = write_products(res.truth, res.sim.layout.sats, START, START + 7200 * 10**9, sp3_path=out / "a.sp3",
                          clk_path=out / "a.clk", receivers=[res.sim])  # fmt: skip
    return res, info, read_sp3(out / "a.sp3"), read_clk(out / "a.clk")


def test_files_cover_the_span_with_every_satellite(products):
    res, info, sp3, clk = products
    assert np.array_equal(sp3.sats, res.sim.layout.sats) and sp3.interval_s == 300.0
    assert sp3.time_ns[0] <= START - 1800 * 10**9 and sp3.time_ns[-1] >= START + 9000 * 10**9
    t, sats, bias = clk.satellite_clocks()
    assert np.array_equal(sats, res.sim.layout.sats) and np.all(np.diff(t) == 30 * 10**9)
    assert np.isfinite(bias).all() and np.isfinite(sp3.pos_m).all()
    assert info["sp3"]["epochs"] == len(sp3) and "centre of mass" in " ".join(sp3.comments)
    assert info["clk"] == {"path": clk.path, "interval_s": 30.0, "epochs": t.size}
    assert info["sp3"]["path"] == sp3.path
    # what truth.json records of them: the frame and the time system of both files
    assert (
        info["frame"] == "simulation Earth-fixed frame"
        and info["time_system"] == "GPS" == sp3.time_system[:3]
    )
    assert clk.prn_list == tuple(sat_id(res.sim.layout.sats).tolist())  # the header's PRN LIST


def test_precise_product_reproduces_the_truth(products):
    """Positions to the 1 mm of SP3 (interpolated between 5-min samples), clocks to 0.1 mm after the
    user adds the periodic relativistic term -2 r.v / c^2 back (IGS convention): the reference clock
    minus the ionosphere-free pair's group delay, BeiDou B1I/B3I metres away from B3I's."""
    from kompas.sim.products import if_clock_offset_s

    res, _, sp3, clk = products
    pp = PreciseProduct(sp3, clk)
    t = START + np.arange(0, 7200, 37) * 10**9 + 123_456
    s, tt = np.meshgrid(res.sim.layout.sats, t)
    s, tt = s.ravel(), tt.ravel()
    a, b = pp.state(s, tt), res.truth.state(s, tt)
    assert a.ok.all()
    assert np.linalg.norm(a.pos_m - b.pos_m, axis=1).max() < 1.5e-3
    rel = -2.0 * np.einsum("ij,ij->i", a.pos_m, a.vel_mps) / C_LIGHT**2
    pair = if_clock_offset_s(res.truth, s)
    err = np.abs(a.clk_s + rel - (b.clk_s - pair)) * C_LIGHT
    assert err.max() < 1e-4
    assert np.abs(pair[sat_system(s) == 4]).max() * C_LIGHT > 1.0  # BeiDou: TGD1 g / (g - 1), metres
    assert np.abs(pair[sat_system(s) == 1]).max() == 0.0  # GPS: the LNAV reference is the L1/L2 P(Y) pair
    # the relativistic term matters: without it the clocks are off by metres
    for code in (1, 2, 3, 4):
        assert np.abs(rel[sat_system(s) == code]).max() * C_LIGHT > 1.0 or code == 2


def test_receiver_clock_records(products):
    clk = products[3]
    t, names, bias = clk.receiver_clocks()
    assert names.tolist() == ["KSIM"] and clk.station_coords["KSIM"] == pytest.approx(tuple(RCV), abs=1e-3)
    expect = 1e-4 + 2e-9 * (t - START) * 1e-9 + np.where(t >= START + 3600 * 10**9, 1e-3, 0.0)
    np.testing.assert_allclose(bias[:, 0], expect, atol=1e-15, rtol=0)
    # only epochs of the receiver's span (the clock grid reaches one interval beyond it on each side)
    res = products[0]
    assert t[0] == START and t[-1] == res.obs.epoch_time_ns[-1] and np.isfinite(bias[:, 0]).all()
    assert clk.satellite_clocks()[0][0] == START - 30 * 10**9
    assert any("centre of mass" in c for c in clk.comments)  # the conventions, as in the SP3 header
