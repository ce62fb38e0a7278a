"""Estimators: named states, batched Gauss-Newton, validation, RAIM/FDE and the Kalman filter."""

import numpy as np
import pytest

from kompas.estimators.kalman import predict, update
from kompas.estimators.states import Block, StateLayout
from kompas.estimators.validate import chi2_threshold, dops, raim_fde, validate
from kompas.estimators.wls import Linearised, gauss_newton

RNG = np.random.default_rng(7)


def test_state_layout_blocks_own_their_columns():
    lay = StateLayout([Block("pos", 3), Block("clk:C"), Block("clk:R")])
    assert lay.size == 5 and lay["pos"] == slice(0, 3) and lay.index("clk:R") == 4
    grown = lay.with_blocks([Block("amb:C19:2"), Block("amb:C19:6")])
    assert grown["amb:C19:6"] == slice(6, 7) and grown["clk:C"] == lay["clk:C"]
    smaller, keep = grown.without(["clk:C", "amb:C19:2"])
    assert smaller.names == ("pos", "clk:R", "amb:C19:6") and keep == [0, 1, 2, 4, 6]
    assert lay.matching("clk:") == ("clk:C", "clk:R")
    with pytest.raises(ValueError, match="already"):
        lay.with_blocks([Block("pos", 3)])
    with pytest.raises(KeyError, match="no state block 'ztd'"):
        lay["ztd"]


def _geometry(n_ep=5, n_sat=8):
    """Satellites on a 20 000 km shell above a receiver near (6378 km, 0, 0)."""
    az = RNG.uniform(0, 2 * np.pi, (n_ep, n_sat))
    el = RNG.uniform(np.radians(15), np.radians(85), (n_ep, n_sat))
    up = np.stack([np.sin(el), np.cos(el) * np.sin(az), np.cos(el) * np.cos(az)], -1)  # x up, y east, z north
    rcv = np.array([6378137.0, 0.0, 0.0]) + RNG.normal(0, 50, (n_ep, 3))
    sats = rcv[:, None, :] + 2.0e7 * up
    return rcv, sats


def _model(sats, obs, clk_col=None):
    def model(x, mask):
        d = sats - x[:, None, :3]
        r = np.linalg.norm(d, axis=-1)
        h = np.zeros((*r.shape, 4))
        h[..., :3] = -d / r[..., None]
        h[..., 3] = 1.0
        v = obs - (r + x[:, 3:4])
        return Linearised(v, h, np.full(r.shape, 1.0), mask.copy(), {"r": r})

    return model


def test_gauss_newton_recovers_position_and_clock():
    rcv, sats = _geometry()
    clock = RNG.uniform(-1e5, 1e5, rcv.shape[0])
    obs = np.linalg.norm(sats - rcv[:, None], axis=-1) + clock[:, None]
    x0 = np.zeros((rcv.shape[0], 4))
    x0[:, 0] = 6.0e6
    res = gauss_newton(_model(sats, obs), x0, np.ones(obs.shape, bool), 10)
    assert res.converged.all()
    np.testing.assert_allclose(res.x[:, :3], rcv, atol=1e-6)
    np.testing.assert_allclose(res.x[:, 3], clock, atol=1e-6)
    val = validate(res, max_gdop=30.0)
    assert val.ok.all() and np.all(val.dof == 4)


def test_too_few_observations_are_not_solved():
    rcv, sats = _geometry(n_sat=3)
    obs = np.linalg.norm(sats - rcv[:, None], axis=-1)
    x0 = np.tile([6.0e6, 0, 0, 0], (rcv.shape[0], 1)).astype(float)
    res = gauss_newton(_model(sats, obs), x0, np.ones(obs.shape, bool), 10)
    val = validate(res, 30.0)
    assert val.too_few.all() and not val.ok.any()
    np.testing.assert_array_equal(res.x, x0)  # no update without enough observations


def test_raim_excludes_the_faulty_satellite():
    rcv, sats = _geometry(n_ep=6, n_sat=9)
    obs = np.linalg.norm(sats - rcv[:, None], axis=-1) + RNG.normal(0, 0.3, (6, 9))
    bad = RNG.integers(0, 9, 6)
    obs[np.arange(6), bad] += 100.0
    model = _model(sats, obs)
    x0 = np.tile([6.0e6, 0, 0, 0], (6, 1)).astype(float)
    mask = np.ones(obs.shape, bool)
    res = gauss_newton(model, x0, mask, 10)
    val = validate(res, 30.0)
    assert val.chi2_failed.all()
    fde = raim_fde(model, res, val, mask, 30.0)
    assert fde.validation.ok.all()
    np.testing.assert_array_equal(np.argwhere(fde.excluded)[:, 1], bad)
    assert np.linalg.norm(fde.result.x[:, :3] - rcv, axis=1).max() < 3.0
    assert mask.all()  # the caller's mask is not modified


def test_chi2_threshold_table():
    assert chi2_threshold(1) == 10.8 and chi2_threshold(10) == 29.6 and chi2_threshold(500) == 149.0


def test_dops_of_a_symmetric_geometry():
    # zenith plus three satellites at 0 elevation, 120 deg apart (east/north plane); up is x
    los = -np.array([[1, 0, 0], [0, 1, 0], [0, -0.5, np.sqrt(3) / 2], [0, -0.5, -np.sqrt(3) / 2]], float)
    rot = np.array([[[0, 1, 0], [0, 0, 1], [1, 0, 0]]], float)  # ECEF(x up) -> E N U
    g, p, h, v = dops(los[None], np.ones((1, 4), bool), rot)
    # hand inversion: horizontal N = 1.5 I -> HDOP = sqrt(2/1.5); vertical/clock block [[1,-1],[-1,4]]
    assert h[0] == pytest.approx(np.sqrt(2 / 1.5))
    assert v[0] == pytest.approx(np.sqrt(4 / 3))
    assert p[0] == pytest.approx(np.sqrt(2 / 1.5 + 4 / 3))
    assert g[0] == pytest.approx(np.sqrt(2 / 1.5 + 4 / 3 + 1 / 3))


def test_kalman_update_equals_batch_least_squares():
    x0, P0 = np.array([1.0, -2.0, 0.5]), np.diag([4.0, 9.0, 1.0])
    H = RNG.normal(size=(6, 3))
    R = np.diag(RNG.uniform(0.5, 2.0, 6))
    z = H @ np.array([1.5, -1.0, 0.0]) + RNG.normal(0, 0.1, 6)
    up = update(x0, P0, H, z - H @ x0, R)
    # information form: (P0^-1 + H' R^-1 H)^-1 (P0^-1 x0 + H' R^-1 z)
    Ri, P0i = np.linalg.inv(R), np.linalg.inv(P0)
    P = np.linalg.inv(P0i + H.T @ Ri @ H)
    x = P @ (P0i @ x0 + H.T @ Ri @ z)
    np.testing.assert_allclose(up.x, x, rtol=1e-10)
    np.testing.assert_allclose(up.P, P, rtol=1e-10, atol=1e-12)
    S = H @ P0 @ H.T + R
    assert up.chi2 == pytest.approx((z - H @ x0) @ np.linalg.solve(S, z - H @ x0))


def test_kalman_predict():
    F = np.array([[1.0, 2.0], [0.0, 1.0]])
    x, P = predict([1.0, 3.0], np.eye(2), F, [0.1, 0.2])
    np.testing.assert_allclose(x, [7.0, 3.0])
    np.testing.assert_allclose(P, F @ F.T + np.diag([0.1, 0.2]))
