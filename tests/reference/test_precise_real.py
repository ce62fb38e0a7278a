"""PreciseProduct on real IGS/MGEX products of 2020-06-25 (data set A, see MANIFEST.md).

Values written as literals were read by eye from the file text (km, microseconds and mm in the
files; metres and seconds here).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from kompas import Constellation, gtime_from_calendar, read_antex, read_clk, read_sp3, sat_index
from kompas.models.attitude import sun_position_ecef
from kompas.products.precise import PreciseProduct
from kompas.products.state import Status
from kompas.satsys import sat_system

SET = "A_2020-177_ESBC_WTZR"
NS = 1_000_000_000


def _t(*fields):
    return int(gtime_from_calendar(*fields))


@pytest.fixture(scope="module")
def cod(kompas_data):
    return read_sp3(kompas_data / SET / "COD0MGXFIN_20201770000_01D_05M_ORB.SP3")


@pytest.fixture(scope="module")
def grg(kompas_data):
    d = kompas_data / SET
    return (
        read_sp3(d / "GRG0MGXFIN_20201760000_01D_15M_ORB.SP3.gz"),
        read_sp3(d / "GRG0MGXFIN_20201770000_01D_15M_ORB.SP3.gz"),
    )


@pytest.fixture(scope="module")
def grg_clk(kompas_data):
    return read_clk(kompas_data / SET / "GRG0MGXFIN_20201770000_01D_30S_CLK.CLK.gz")


@pytest.fixture(scope="module")
def atx(kompas_data):
    return read_antex(kompas_data / SET / "igs20_wettzell_trim.atx")


def test_leave_one_out_on_code_5_min_orbits(cod):
    """Thin the 5-min CODE orbit to 10 min, interpolate at the dropped epochs, compare with the file.

    Measured: RMS 1.61 mm GPS, 1.67 GLONASS, 1.57 Galileo, 1.47 BeiDou-2, 1.37 QZSS (max 12 mm, at the
    first interval) -- at the 1 mm resolution of SP3 positions.
    """
    keep, drop = slice(0, None, 2), slice(1, None, 2)
    flags = {k: getattr(cod, k)[keep] for k in ("clk_event", "clk_pred", "maneuver", "orb_pred")}
    thin = replace(
        cod,
        time_ns=cod.time_ns[keep],
        pos_m=cod.pos_m[keep],
        clk_s=cod.clk_s[keep],
        interval_s=600.0,
        **flags,
    )
    prod = PreciseProduct(thin)
    assert prod.interval_s == 600.0 and prod.time_ns.size == 145
    s, t = np.meshgrid(cod.sats, cod.time_ns[drop])
    st = prod.orbit(s.ravel(), t.ravel())
    assert st.ok.all()
    err = np.linalg.norm(st.pos_m.reshape(-1, cod.sats.size, 3) - cod.pos_m[drop], axis=-1)
    rms = {
        c.name: float(np.sqrt(np.mean(err[:, sat_system(cod.sats) == c] ** 2)))
        for c in (Constellation.GPS, Constellation.GLONASS, Constellation.GALILEO, Constellation.BEIDOU)
    }
    assert rms["GPS"] < 0.05  # the requirement
    assert max(rms.values()) < 0.005  # what degree-10 Lagrange on 10-min data gives
    assert err.max() < 0.05


def test_velocity_against_central_differences(cod):
    prod = PreciseProduct(cod)
    t = _t(2020, 6, 25, 0, 0, 0) + np.array([0, 1234, 20_000, 50_007, 86_000]) * NS
    s, tt = np.meshgrid(cod.sats, t)
    s, tt = s.ravel(), tt.ravel()
    v = prod.orbit(s, tt).vel_mps
    fd = prod.orbit(s, tt, 0.5).pos_m - prod.orbit(s, tt, -0.5).pos_m
    speed = np.linalg.norm(v, axis=1)
    assert np.all((speed > 500) & (speed < 4500))  # ECEF speeds of MEO, IGSO and QZSS satellites, m/s
    assert np.max(np.linalg.norm(fd - v, axis=1)) < 1e-3


def test_nodes_reproduce_the_file_text(grg):
    prod = PreciseProduct(grg[1])
    g05 = sat_index("G05")
    st = prod.state(g05, _t(2020, 6, 25, 0, 0, 0))
    # "PG05  20403.407951  -4547.528919  16359.977231    -15.320222"
    np.testing.assert_allclose(st.pos_m[0], [20403407.951, -4547528.919, 16359977.231], rtol=0, atol=1e-6)
    assert st.clk_s[0] == pytest.approx(-15.320222e-6, rel=0, abs=1e-15)
    assert st.var_m2[0] == pytest.approx(0.016**2)  # header accuracy exponent 4: 2**4 mm


def test_two_days_merged_across_midnight(grg):
    day176, day177 = grg
    prod = PreciseProduct([day177, day176])
    assert prod.time_ns.size == 192
    midnight = _t(2020, 6, 25, 0, 0, 0)
    g05 = sat_index("G05")
    st = prod.orbit([g05, g05], [midnight, midnight - 900 * NS])
    # 00:00 from the day-177 file, 23:45 from the day-176 file ("PG05  18636.211894  -5474.953711  18062.446916")
    np.testing.assert_allclose(st.pos_m[0], [20403407.951, -4547528.919, 16359977.231], rtol=0, atol=1e-6)
    np.testing.assert_allclose(st.pos_m[1], [18636211.894, -5474953.711, 18062446.916], rtol=0, atol=1e-6)
    # every satellite, every second from 23:30 to 00:30: available and continuous
    t = midnight + np.arange(-1800, 1801) * NS
    s, tt = np.meshgrid(prod.sats, t)
    st = prod.state(s.ravel(), tt.ravel())
    assert st.ok.all()
    pos = st.pos_m.reshape(t.size, -1, 3)
    vel = st.vel_mps.reshape(t.size, -1, 3)
    # step between consecutive seconds minus what the velocity predicts: only window switches show
    jump = np.linalg.norm(np.diff(pos, axis=0) - 0.5 * (vel[1:] + vel[:-1]), axis=-1)
    gps = sat_system(prod.sats) == Constellation.GPS
    assert jump[:, gps].max() < 0.005
    assert jump.max() < 0.03  # Galileo E18 (eccentric orbit) near perigee on 15-min data
    # a single day-176 file needs extrapolation past 23:45 and refuses beyond 00:00
    alone = PreciseProduct(day176).orbit(g05, [midnight, midnight + 1])
    assert alone.status.tolist() == [Status.OK, Status.NO_PRECISE]


def test_extrapolation_limit_on_a_single_file(grg):
    prod = PreciseProduct(grg[1])  # 2020-06-25 00:00 .. 23:45 at 15 min
    first, last = _t(2020, 6, 25, 0, 0, 0), _t(2020, 6, 25, 23, 45, 0)
    h = 900 * NS
    st = prod.orbit("G05", [first - h - 1, first - h, first, last, last + 600 * NS, last + h, last + h + 1])
    assert st.status.tolist() == [4, 0, 0, 0, 0, 0, 4]
    assert np.isnan(st.pos_m[[0, 6]]).all() and np.isfinite(st.pos_m[1:6]).all()


def test_clock_file_samples_rate_and_the_real_gap(grg, grg_clk):
    prod = PreciseProduct(grg[1], grg_clk)
    assert prod.clock_source == "clk" and prod.clock_interval_s == 30.0
    noon = _t(2020, 6, 25, 12, 0, 0)
    # "AS G05  2020  6 25 12  0  0.000000  2   -0.153531481559E-04"
    # "AS G05  2020  6 25 12  0 30.000000  2   -0.153531461860E-04"
    clk, rate, status = prod.clock("G05", [noon, noon + 15 * NS, noon + 30 * NS])
    assert status.tolist() == [0, 0, 0]
    assert clk[0] == -0.153531481559e-04
    assert clk[2] == -0.153531461860e-04
    assert clk[1] == pytest.approx((-0.153531481559e-04 - 0.153531461860e-04) / 2, rel=0, abs=1e-18)
    assert rate[1] == pytest.approx((0.153531481559e-04 - 0.153531461860e-04) / 30.0, rel=1e-9)
    # state uses the CLK values: G05 at 00:00 is "-0.153202221931E-04" (the SP3 says -15.320222 us)
    st = prod.state("G05", _t(2020, 6, 25, 0, 0, 0))
    assert st.clk_s[0] == -0.153202221931e-04
    # G21 has no 01:50:00 record: 01:49:30 and 01:50:30 are 60 s apart, a gap
    t = _t(2020, 6, 25, 1, 49, 30) + np.array([0, 15, 30, 45, 60]) * NS
    clk, _, status = prod.clock("G21", t)
    assert status.tolist() == [0, 4, 4, 4, 0]
    assert clk[0] == 0.157816594432e-04 and clk[4] == 0.157815841620e-04
    assert prod.state("G21", t[2]).status[0] == Status.NO_PRECISE
    assert prod.orbit("G21", t[2]).ok[0]


def test_sp3_clock_missing_at_the_last_epoch(cod):
    # CODE writes 999999.999999 clocks at 2020-06-26 00:00: no clock in the last 5 minutes
    prod = PreciseProduct(cod)
    t = _t(2020, 6, 25, 23, 55, 0) + np.array([0, 150]) * NS
    st = prod.state("G01", t)
    assert st.status.tolist() == [Status.OK, Status.NO_PRECISE]
    # "PG01 -10725.259836  19682.805409 -14206.351168     16.555488"
    np.testing.assert_allclose(st.pos_m[0], [-10725259.836, 19682805.409, -14206351.168], rtol=0, atol=1e-6)
    assert st.clk_s[0] == pytest.approx(16.555488e-6, rel=0, abs=1e-15)
    # the 23:50 -> 23:55 rate ("16.553388" then "16.555488" microseconds)
    assert st.clk_rate[0] == pytest.approx((16.555488 - 16.553388) * 1e-6 / 300.0, rel=1e-9)
    assert prod.orbit("G01", t[1]).ok[0]


def _axes(prod, sat, t):
    r = prod.orbit(sat, t).pos_m
    ez = -r / np.linalg.norm(r, axis=1, keepdims=True)
    e_sun = sun_position_ecef(t) - r
    e_sun /= np.linalg.norm(e_sun, axis=1, keepdims=True)
    ex = e_sun - np.sum(e_sun * ez, axis=1, keepdims=True) * ez  # Sun direction across the z axis
    ex /= np.linalg.norm(ex, axis=1, keepdims=True)
    return ex, ez


def test_apc_offset_of_gps_satellites_from_igs20(grg, atx):
    prod = PreciseProduct(grg[1])
    t = _t(2020, 6, 25, 0, 0, 0) + np.arange(0, 86_400, 3_600) * NS
    # G05, BLOCK IIR-M, G01: "-3.30  -0.30  742.63" mm
    apc = prod.apc_offset("G05", t, atx, "G01")
    pco = np.array([-3.30, -0.30, 742.63]) * 1e-3
    np.testing.assert_allclose(np.linalg.norm(apc, axis=1), np.linalg.norm(pco), rtol=1e-12)
    ex, ez = _axes(prod, "G05", t)
    np.testing.assert_allclose(np.sum(apc * ez, axis=1), 0.74263, atol=1e-9)  # radial = PCO z, towards Earth
    # G08, BLOCK IIF: "394.00  0.00  1427.68" mm; x points to the Sun side
    apc = prod.apc_offset("G08", t, atx, ("G01", "G02"))
    ex, ez = _axes(prod, "G08", t)
    np.testing.assert_allclose(np.sum(apc * ez, axis=1), 1.42768, atol=1e-9)
    np.testing.assert_allclose(np.sum(apc * ex, axis=1), 0.394, atol=1e-9)
    # G18, BLOCK IIIA: G01 "-64.42 19.48 1188.42", G02 "-64.79 22.06 702.29" mm -> ionosphere-free
    f1, f2 = 1575.42**2, 1227.60**2
    pco_if = (
        (f1 * np.array([-64.42, 19.48, 1188.42]) - f2 * np.array([-64.79, 22.06, 702.29])) / (f1 - f2) * 1e-3
    )
    apc = prod.apc_offset("G18", t, atx, ("01", "02"))
    ex, ez = _axes(prod, "G18", t)
    np.testing.assert_allclose(np.sum(apc * ez, axis=1), 1.9398446, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(apc, axis=1), np.linalg.norm(pco_if), rtol=1e-12)
    # no ANTEX block (the trimmed file holds nine GPS satellites): NaN rows
    assert np.isnan(prod.apc_offset(["G01", "E11"], t[0], atx, {"G": "01", "E": "01"})).all()


def test_100_satellites_by_2880_epochs_in_one_call(cod):
    # (speed is measured in benchmarks/, never asserted in a test: machine-dependent)
    prod = PreciseProduct(cod)
    sats = np.resize(cod.sats, 100)
    t = _t(2020, 6, 25, 0, 0, 0) + np.arange(2880, dtype=np.int64) * 30 * NS
    s, tt = np.meshgrid(sats, t)
    st = prod.state(s.ravel(), tt.ravel(), -0.075)
    assert st.status.size == 288_000
    assert st.ok.mean() > 0.99
