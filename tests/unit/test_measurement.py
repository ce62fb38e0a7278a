"""The code measurement model's pieces (kompas.measurement), each against hand-computed values."""

import dataclasses

import numpy as np
import pytest

from kompas import read_ionex, read_nav
from kompas.config import CodeErrorModel
from kompas.frames import geodetic_to_ecef
from kompas.measurement import (
    CodeRows,
    EpochGrid,
    bands_of,
    ionosphere,
    line_of_sight,
    line_of_sight_point,
    select_code,
    system_codes,
    troposphere,
)
from kompas.models.troposphere import saastamoinen
from kompas.products.ionosphere import BroadcastIonosphere, IonexIonosphere, IonoContext
from kompas.satsys import sat_index, signal_band, signal_id, system_code
from kompas.time import gtime_from_calendar

GPSA = "GPSA   1.0245e-08  2.2352e-08 -5.9605e-08 -1.1921e-07"
GPSB = "GPSB   9.6256e+04  1.3107e+05 -6.5536e+04 -5.8982e+05"


def _nav(tmp_path, *corr):
    lines = ["     3.05           N: GNSS NAV DATA    M: MIXED".ljust(60) + "RINEX VERSION / TYPE"]
    lines += [c.ljust(60) + "IONOSPHERIC CORR" for c in corr] + ["".ljust(60) + "END OF HEADER"]
    p = tmp_path / f"n{len(corr)}.rnx"
    p.write_text("\n".join(lines) + "\n")
    return read_nav(p)


def _rows(t0):
    """Two epochs, three satellites (G05, C06, G07); the receiver position of the second is unknown."""
    rcv = geodetic_to_ecef(np.array([np.radians(47.0), np.radians(8.0), 400.0]))
    up = rcv / np.linalg.norm(rcv)
    east = np.cross([0.0, 0.0, 1.0], up)
    east /= np.linalg.norm(east)
    north = np.cross(up, east)
    dirs = np.array([up, 0.8 * up + 0.6 * north, 0.5 * up + 0.866 * east])
    dirs /= np.linalg.norm(dirs, axis=1)[:, None]
    sat_pos = np.broadcast_to(rcv + 2.2e7 * dirs, (2, 3, 3)).copy()
    sat = np.broadcast_to(sat_index(["G05", "C06", "G07"]), (2, 3)).copy()
    sys = np.broadcast_to(system_code(["G", "C", "G"]), (2, 3)).copy()
    geom = line_of_sight(sat_pos, np.stack([rcv, np.zeros(3)]), sys)
    t = np.broadcast_to(np.array([[t0], [t0]]), (2, 3)).copy()
    freq = np.broadcast_to(np.array([1575.42e6, 1561.098e6, 1227.6e6]), (2, 3)).copy()
    return geom, t, sat, sat_pos, freq


def test_ionosphere_broadcast_delay_and_variances(tmp_path):
    t0 = gtime_from_calendar(2022, 6, 8, 12, 0, 0)
    geom, t, sat, sat_pos, freq = _rows(t0)
    assert geom["known"].tolist() == [True, False]
    errors = CodeErrorModel(brdc_iono_factor=0.4, fallback_iono_factor=0.7, no_iono_m=4.0)
    model = BroadcastIonosphere(_nav(tmp_path, GPSA, GPSB))  # GPS only: BeiDou served by the fallback
    d, var = ionosphere(geom, t, sat, sat_pos, freq, "brdc", errors, model)
    llh = geom["llh"][0]
    ctx = IonoContext(t[0], *(np.full(3, v) for v in llh), geom["az"][0], geom["el"][0], sat_pos[0])
    ref, names, fb = model.delay(sat[0], ctx, freq[0])
    assert names.tolist() == ["GPS_KLOB"] * 3 and fb.tolist() == [False, True, False] and ref.min() > 1.0
    np.testing.assert_allclose(d[0], ref, rtol=1e-12)
    np.testing.assert_allclose(var[0], (np.array([0.4, 0.7, 0.4]) * ref) ** 2, rtol=1e-12)
    # unknown receiver position: no delay (nor its variance) yet
    assert d[1].tolist() == [0.0, 0.0, 0.0] and var[1].tolist() == [0.0, 0.0, 0.0]
    # no parameters at all: no delay, the variance of an uncorrected ionosphere (ERR_ION)
    d, var = ionosphere(geom, t, sat, sat_pos, freq, "brdc", errors, BroadcastIonosphere(_nav(tmp_path)))
    assert (d == 0.0).all() and (var == 16.0).all()


def test_ionosphere_from_ionex_maps(kompas_data):
    ix = read_ionex(kompas_data / "ionex" / "jplg0010.17i.gz")
    geom, t, sat, sat_pos, freq = _rows(int(ix.time_ns[3]))
    errors = CodeErrorModel(brdc_iono_factor=0.4, no_iono_m=4.0)
    model = IonexIonosphere(ix)
    d, var = ionosphere(geom, t, sat, sat_pos, freq, "ionex", errors, model)
    llh = geom["llh"][0]
    ctx = IonoContext(t[0], *(np.full(3, v) for v in llh), geom["az"][0], geom["el"][0], sat_pos[0])
    ref = model.delay(sat[0], ctx, freq[0])[0]
    assert ref.min() > 0.5 and (d[1] == 0.0).all()
    np.testing.assert_allclose(d[0], ref, rtol=1e-12)
    np.testing.assert_allclose(var[0], (0.4 * ref) ** 2, rtol=1e-12)
    # after the last map: not served, the uncorrected variance
    late = np.full_like(t, ix.time_ns[-1] + 3_600_000_000_000)
    d, var = ionosphere(geom, late, sat, sat_pos, freq, "ionex", errors, model)
    assert (d == 0.0).all() and (var[0] == 16.0).all()


@pytest.mark.parametrize(("iono", "variance"), [("off", 16.0), ("if", 0.0)])
def test_ionosphere_off_and_iono_free(tmp_path, iono, variance):
    geom, t, sat, sat_pos, freq = _rows(gtime_from_calendar(2022, 6, 8, 12, 0, 0))
    model = BroadcastIonosphere(_nav(tmp_path, GPSA, GPSB))
    d, var = ionosphere(geom, t, sat, sat_pos, freq, iono, CodeErrorModel(no_iono_m=4.0), model)
    assert (d == 0.0).all() and (var == variance).all()


def test_rows_grid_and_bands():
    rows = CodeRows(
        epoch=np.array([0, 0, 2]),
        sat=sat_index(["G05", "C06", "E11"]),
        code_m=np.array([2.1e7, 3.8e7, 2.4e7]),
        signals=np.stack([signal_id(["1C", "2I", "5Q"]), np.full(3, 255, np.uint8)], axis=1),
        weights=np.array([[1.0, 0.0]] * 3),
        freq_hz=np.array([1575.42e6, 1561.098e6, 1176.45e6]),
    )
    sub = rows.take(np.array([2, 0]))
    assert sub.sat.tolist() == sat_index(["E11", "G05"]).tolist() and sub.code_m.tolist() == [2.4e7, 2.1e7]
    assert sub.epoch.tolist() == [2, 0] and sub.freq_hz[0] == 1176.45e6 and len(sub) == 2
    assert bands_of(rows).tolist() == [1, 2, 5]
    assert system_codes(rows).tolist() == system_code(["G", "C", "E"]).tolist()
    grid = EpochGrid(rows.epoch, 3)
    assert grid.shape == (3, 2) and grid.slot.tolist() == [0, 1, 0]
    padded = grid.pad(rows.code_m)
    assert np.isnan(padded[1]).all() and padded[0].tolist() == [2.1e7, 3.8e7]
    np.testing.assert_array_equal(grid.rows(padded), rows.code_m)


@pytest.fixture(scope="module")
def sim_obs():
    from kompas.sim import ErrorModel, make_nav, nominal_elements, simulate_obs

    start = int(gtime_from_calendar(2026, 4, 30, 10, 0, 0))
    rcv = geodetic_to_ecef(np.array([np.radians(-6.1754), np.radians(106.8272), 10.0]))
    nav, truth = make_nav(nominal_elements("CG", start), start, 1.0, seed=7)
    return simulate_obs(truth, nav, rcv, start, 0.1, 30.0, "CG", ErrorModel(noise=True), 1)


F = {("C", 2): 1561.098e6, ("C", 6): 1268.52e6, ("G", 1): 1575.42e6, ("G", 2): 1227.60e6}


def test_select_code_first_band_with_a_code(sim_obs):
    ob = sim_obs.observables({"C": (2, 6), "G": (1, 2)})
    gone = np.zeros(len(ob), bool)
    gone[::3] = True  # every third row lost its first band: the second serves
    code = ob.code_m.copy()
    code[gone, 0] = np.nan
    ob = dataclasses.replace(ob, code_m=code)
    rows = select_code(ob, single_bands={"C": (2, 6), "G": (1, 2)})
    assert len(rows) == len(ob) and rows.weights.shape == (len(ob), 2)
    letter = np.where(system_codes(rows) == system_code("C"), "C", "G")
    band = np.where(gone, np.where(letter == "C", 6, 2), np.where(letter == "C", 2, 1))
    assert bands_of(rows).tolist() == band.tolist()
    np.testing.assert_array_equal(rows.code_m, np.where(gone, ob.code_m[:, 1], ob.code_m[:, 0]))
    np.testing.assert_array_equal(rows.weights, np.tile([1.0, 0.0], (len(ob), 1)))
    assert (rows.signals[:, 1] == 255).all()
    np.testing.assert_array_equal(rows.freq_hz, [F[(x, b)] for x, b in zip(letter, band, strict=True)])


def test_select_code_iono_free_pairs(sim_obs):
    ob = sim_obs.observables({"C": (2, 6), "G": (1, 2)})
    rows = select_code(ob, pairs={"C": ((2, 6),), "G": ((1, 2),)})
    assert len(rows) == len(ob) and np.isnan(rows.freq_hz).all()
    is_c = system_codes(rows) == system_code("C")
    f1 = np.where(is_c, F[("C", 2)], F[("G", 1)])
    f2 = np.where(is_c, F[("C", 6)], F[("G", 2)])
    g1, g2 = f1**2 / (f1**2 - f2**2), -(f2**2) / (f1**2 - f2**2)
    np.testing.assert_allclose(rows.weights, np.stack([g1, g2], axis=1), rtol=1e-12)
    np.testing.assert_allclose(rows.code_m, g1 * ob.code_m[:, 0] + g2 * ob.code_m[:, 1], rtol=1e-12)
    assert (bands_of(rows) == np.where(is_c, 2, 1)).all()
    assert (signal_band(rows.signals[:, 1]) == np.where(is_c, 6, 2)).all()


def test_troposphere_rows_and_variance():
    geom, *_ = _rows(gtime_from_calendar(2022, 6, 8, 12, 0, 0))
    errors = CodeErrorModel(saas_m=0.3, no_tropo_m=2.0)
    t, var = troposphere(geom, "saas", errors)
    lat, h = geom["llh"][0, 0], geom["llh"][0, 2]
    np.testing.assert_allclose(t[0], saastamoinen(lat, h, geom["el"][0]), rtol=1e-12)
    assert 2.0 < t[0].min() and t[0].max() < 5.0
    np.testing.assert_allclose(var[0], (0.3 / (np.sin(geom["el"][0]) + 0.1)) ** 2, rtol=1e-12)
    assert (t[1] == 0.0).all()  # unknown receiver position: no delay yet
    t, var = troposphere(geom, "off", errors)
    assert (t == 0.0).all() and (var == 4.0).all()


def test_code_variance_grows_as_one_over_sine_squared_with_the_system_and_if_factors():
    from kompas.measurement import code_variance

    err = CodeErrorModel()
    el = np.radians([90.0, 30.0, 10.0, 1.0, -5.0])
    g = code_variance(el, np.full(5, system_code("G")), err, iono_free=False)
    sin = np.maximum(np.sin(el), 0.05)  # floored at 0.05: below ~2.9 deg, and below the horizon
    np.testing.assert_allclose(g, 0.3**2 * (1.0 + 1.0 / sin**2), rtol=1e-12)
    assert (
        g[0] == pytest.approx(0.18) and g[1] == pytest.approx(0.45) and g[3] == g[4] == pytest.approx(36.09)
    )
    r = code_variance(el[:1], np.array([system_code("R")]), err, iono_free=True)
    assert r[0] == pytest.approx((1.5 * 3.0 * 0.3) ** 2 * 2.0)


def test_line_of_sight_point_is_line_of_sight_bit_for_bit():
    rng = np.random.default_rng(3)
    for k in range(200):
        rcv = geodetic_to_ecef([rng.uniform(-1.5, 1.5), rng.uniform(-3, 3), rng.uniform(-100, 3000)])
        if k == 0:
            rcv = np.zeros(3)  # unknown position: elevations pi/2
        sat = rng.normal(size=(12, 3)) * 2.0e7
        sys = rng.integers(1, 6, size=12)
        g = line_of_sight(sat[None], rcv[None], sys[None])
        rng_m, e, el, llh = line_of_sight_point(sat, rcv, sys)
        for mine, ref in ((rng_m, g["range_m"][0]), (e, g["e"][0]), (el, g["el"][0]), (llh, g["llh"][0])):
            assert mine.tobytes() == ref.tobytes()
