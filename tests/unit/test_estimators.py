"""Estimators: named states, batched Gauss-Newton, validation, RAIM/FDE and the Kalman filter."""

import numpy as np
import pytest

from kompas.estimators.kalman import predict, spd_solve, update
from kompas.estimators.states import Block, StateLayout
from kompas.estimators.validate import chi2_threshold, dops, raim_fde, validate
from kompas.estimators.wls import Linearised, WlsResult, gauss_newton, solve_normal

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
    with pytest.raises(KeyError, match="no state block 'ztd'; blocks: pos, clk:C, clk:R"):
        lay["ztd"]
    with pytest.raises(ValueError, match="state block 'iono:G05' needs at least one column"):
        lay.with_blocks([Block("iono:G05", 0)])
    assert repr(grown) == "StateLayout(pos[3], clk:C[1], clk:R[1], amb:C19:2[1], amb:C19:6[1])"


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
    np.testing.assert_allclose(res.x[:, :3], rcv, rtol=0, atol=1e-6)
    np.testing.assert_allclose(res.x[:, 3], clock, rtol=0, atol=1e-6)
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


def test_raim_by_rows_solves_only_the_failing_epochs_with_the_same_result():
    rcv, sats = _geometry(n_ep=8, n_sat=9)
    obs = np.linalg.norm(sats - rcv[:, None], axis=-1) + RNG.normal(0, 0.3, (8, 9))
    obs[[1, 4, 6], [3, 0, 8]] += 100.0  # three epochs with one fault each
    obs[6, 2] -= 90.0  # and a second one in the last of them
    seen = []

    def model(x, mask, rows=None):
        seen.append(None if rows is None else rows.tolist())
        at = slice(None) if rows is None else rows
        return _model(sats[at], obs[at])(x, mask)

    x0 = np.tile([6.0e6, 0, 0, 0], (8, 1)).astype(float)
    mask = np.ones(obs.shape, bool)
    res = gauss_newton(model, x0, mask, 10)
    val = validate(res, 30.0)
    seen.clear()
    whole = raim_fde(model, res, val, mask, 30.0)
    assert seen and all(r is None for r in seen)
    seen.clear()
    rows = raim_fde(model, res, val, mask, 30.0, by_rows=True)
    assert seen and all(r is not None for r in seen)
    assert {tuple(r) for r in seen[:-1]} <= {(1, 4, 6), (1, 6), (4, 6), (1, 4), (6,)}
    assert np.argwhere(rows.excluded).tolist() == [[1, 3], [4, 0]]
    assert rows.validation.ok.tolist() == [True] * 6 + [False, True]  # two faults: no single exclusion passes
    for a, b in ((whole.result.x, rows.result.x), (whole.result.q, rows.result.q),
                 (whole.result.lin.v, rows.result.lin.v), (whole.result.lin.use, rows.result.lin.use),
                 (whole.excluded, rows.excluded), (whole.validation.ok, rows.validation.ok)):  # fmt: skip
        np.testing.assert_array_equal(a, b)


def test_chi2_threshold_table():
    assert chi2_threshold(1) == 10.8 and chi2_threshold(10) == 29.6 and chi2_threshold(100) == 149.0


@pytest.mark.parametrize("dof", [101, 150, 500, 2000])
def test_chi2_threshold_beyond_the_table(dof):
    # Wilson-Hilferty beyond 100 degrees of freedom (the 100-dof quantile, 149, served every larger set)
    stats = pytest.importorskip("scipy.stats")
    assert chi2_threshold(dof) == pytest.approx(stats.chi2.ppf(0.999, dof), rel=1e-3)


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


def test_epoch_dops_of_rows_equal_the_dops_of_each_epochs_design():
    """``epoch_dops`` (RTK, PPP: rows of any order, some unused) equals :func:`dops` of each epoch's
    east/north/up lines of sight; an epoch with three satellites used has none."""
    from kompas.estimators.validate import epoch_dops

    rng = np.random.default_rng(11)
    epoch = rng.permutation(np.repeat([0, 1, 2], [7, 9, 5]))
    az, el = rng.uniform(0, 2 * np.pi, epoch.size), rng.uniform(0.2, 1.5, epoch.size)
    use = rng.uniform(size=epoch.size) < 0.8
    use[epoch == 2] = np.arange(5) < 3
    got = epoch_dops(epoch, 4, az, el, use)
    for k in range(2):
        m = (epoch == k) & use
        los = -np.stack([np.cos(el[m]) * np.sin(az[m]), np.cos(el[m]) * np.cos(az[m]), np.sin(el[m])], -1)
        want = dops(los[None], np.ones((1, m.sum()), bool), np.eye(3)[None])
        np.testing.assert_allclose([g[k] for g in got], [w[0] for w in want], rtol=1e-12)
    assert all(np.isnan(g[2]) and np.isnan(g[3]) for g in got)  # three used; no rows at all


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


def test_kalman_predict_of_integer_inputs_gives_float_state_and_covariance():
    # identity transition, no noise: the state is returned as floats that the caller can update in place
    x, P = predict([1, 3], [[4, 1], [1, 9]])
    assert x.dtype == np.float64 and P.dtype == np.float64
    x += 0.25
    P[0, 0] += 0.5
    np.testing.assert_array_equal(x, [1.25, 3.25])
    np.testing.assert_array_equal(P, [[4.5, 1.0], [1.0, 9.0]])


def test_kalman_update_by_hand():
    # one scalar state x = 1 with variance 4, measured twice (variances 1 and 4), innovations 3 and -2:
    # S = H P H' + R = [[5, 4], [4, 8]]; K = P H' S^-1 = [4, 4] S^-1 = [4/6, 1/6]
    up = update([1], [[4]], [[1], [1]], [3, -2], [1, 4])
    np.testing.assert_allclose(up.S, [[5.0, 4.0], [4.0, 8.0]], rtol=1e-15)
    np.testing.assert_allclose(up.x, [1.0 + 4.0 * 3 / 6 - 2.0 / 6], rtol=1e-14)
    # information form: 1 / (1/4 + 1 + 1/4) = 2/3
    np.testing.assert_allclose(up.P, [[2.0 / 3.0]], rtol=1e-14)
    # v' S^-1 v with S^-1 = [[8, -4], [-4, 5]] / 24
    assert up.chi2 == pytest.approx((8 * 9 + 2 * 4 * 3 * 2 + 5 * 4) / 24, rel=1e-14)
    # integer innovations are floats in the result, as when given as floats
    assert up.innovation.dtype == np.float64
    np.testing.assert_array_equal(up.innovation, [3.0, -2.0])


def _lin(v, h, use=None):
    v = np.asarray(v, float)
    use = np.ones(v.shape, bool) if use is None else use
    return Linearised(v, np.asarray(h, float), np.ones(v.shape), use)


def _res(lin):
    e, _, u = lin.h.shape
    return WlsResult(np.zeros((e, u)), np.zeros((e, u, u)), lin, np.ones(e, bool))


SYMMETRIC_LOS = -np.array([[1, 0, 0], [0, 1, 0], [0, -0.5, np.sqrt(3) / 2], [0, -0.5, -np.sqrt(3) / 2]])


def test_spd_solve_and_a_covariance_that_is_not_positive_definite():
    """The innovation solve: S^-1 B for vectors and matrices; a covariance that is not positive definite
    raises (the filters catch it) instead of returning a solution of an indefinite system."""
    rng = np.random.default_rng(4)
    A = rng.normal(size=(6, 6))
    S = A @ A.T + 0.1 * np.eye(6)
    B = rng.normal(size=(6, 3))
    np.testing.assert_allclose(S @ spd_solve(S, B), B, atol=1e-10)
    np.testing.assert_allclose(S @ spd_solve(S, B[:, 0]), B[:, 0], atol=1e-10)
    indefinite = np.diag([1.0, 2.0, -0.5])
    with pytest.raises(np.linalg.LinAlgError):
        spd_solve(indefinite, np.ones(3))
    with pytest.raises(np.linalg.LinAlgError):
        update(np.zeros(3), indefinite, np.eye(3), np.ones(3), np.zeros(3))


def test_chi2_test_with_one_degree_of_freedom():
    # five observations, four unknowns: dof 1, threshold 10.8 (0.999 quantile, RTKLIB chisqr[0])
    los = np.vstack([SYMMETRIC_LOS, [[-0.6, -0.8, 0.0]]])
    h = np.concatenate([los, np.ones((5, 1))], axis=1)
    v = np.array([[0.0, 0.0, 0.0, 0.0, np.sqrt(10.0)], [0.0, 0.0, 0.0, 0.0, np.sqrt(12.0)]])
    val = validate(_res(_lin(v, np.stack([h, h]))), max_gdop=30.0)
    assert val.dof.tolist() == [1, 1] and val.chi2 == pytest.approx([10.0, 12.0])
    assert val.chi2_failed.tolist() == [False, True] and val.ok.tolist() == [True, False]
    # GDOP of the geometry (hand inversion of the normal matrix)
    q = np.linalg.inv(h.T @ h)
    assert val.gdop == pytest.approx([np.sqrt(np.trace(q))] * 2)
    assert chi2_threshold(np.array([1.0, 10.0])).tolist() == [10.8, 29.6]


def test_gdop_above_the_limit_fails_the_epoch():
    # the geometry of the chi-square test above (GDOP about 2.4), tested against limits either side of it
    los = np.vstack([SYMMETRIC_LOS, [[-0.6, -0.8, 0.0]]])
    h = np.concatenate([los, np.ones((5, 1))], axis=1)
    gdop = np.sqrt(np.trace(np.linalg.inv(h.T @ h)))
    res = _res(_lin(np.zeros((1, 5)), h[None]))
    for limit, fails in ((gdop + 0.01, False), (gdop - 0.01, True)):
        val = validate(res, max_gdop=limit)
        assert val.gdop_failed.tolist() == [fails] and val.ok.tolist() == [not fails]
        assert not val.too_few.any() and not val.chi2_failed.any()


def test_a_singular_normal_matrix_falls_back_to_the_pseudo_inverse():
    # five observations on one line of sight: enough of them, every unknown observed, but the geometry is
    # singular (rank 1: inv raises)
    h = np.tile([[-0.8, 0.36, 0.48, 1.0]], (5, 1))[None]
    v = np.full((1, 5), 2.0)
    dx, q = solve_normal(h, v, np.ones((1, 5)), np.ones((1, 5), bool))
    n = h[0].T @ h[0]
    np.testing.assert_allclose(q[0], np.linalg.pinv(n), atol=1e-12)
    np.testing.assert_allclose(dx[0], np.linalg.pinv(n) @ h[0].T @ v[0], atol=1e-12)  # minimum-norm solution
    np.testing.assert_allclose(h[0] @ dx[0], v[0], atol=1e-12)


def test_degenerate_geometry_has_no_dops():
    los = np.tile([[-1.0, 0.0, 0.0]], (5, 1))[None]  # five satellites on one line of sight
    g, p, h, v = dops(los, np.ones((1, 5), bool), np.eye(3)[None])
    assert np.isnan([g[0], p[0], h[0], v[0]]).all()


def test_an_unknown_without_observations_is_held_at_zero():
    # unknowns: x, y and a clock no observation reaches (a system without satellites)
    h = np.array([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.0]]])
    dx, q = solve_normal(h, np.array([[1.0, 2.0, 3.0]]), np.ones((1, 3)), np.ones((1, 3), bool))
    np.testing.assert_allclose(dx[0], [1.0, 2.0, 0.0], atol=1e-12)
    assert q[0, 2, 2] == 1.0 and q[0, 2, :2].tolist() == [0.0, 0.0]  # the unit pseudo-observation


def test_only_some_epochs_move_and_no_iteration_moves_none():
    rcv, sats = _geometry(n_ep=5)
    obs = np.linalg.norm(sats - rcv[:, None], axis=-1)
    x0 = np.tile([6.0e6, 0, 0, 0], (5, 1)).astype(float)
    only = np.array([True, False, True, False, True])
    res = gauss_newton(_model(sats, obs), x0, np.ones(obs.shape, bool), 10, only=only)
    np.testing.assert_allclose(res.x[only, :3], rcv[only], rtol=0, atol=1e-6)
    np.testing.assert_array_equal(res.x[~only], x0[~only])
    none = gauss_newton(_model(sats, obs), x0, np.ones(obs.shape, bool), 0)
    np.testing.assert_array_equal(none.x, x0)
    assert none.converged.dtype == bool and none.converged.shape == (5,) and not none.converged.any()


def test_raim_keeps_epochs_it_cannot_repair():
    rcv, sats = _geometry(n_ep=4, n_sat=7)
    obs = np.linalg.norm(sats - rcv[:, None], axis=-1) + RNG.normal(0, 0.3, (4, 7))
    obs[:, 2] += 100.0  # one fault in every epoch ...
    obs[2:, 5] -= 80.0  # ... and a second one in the last two: one exclusion cannot repair them
    model = _model(sats, obs)
    x0 = np.tile([6.0e6, 0, 0, 0], (4, 1)).astype(float)
    mask = np.ones(obs.shape, bool)
    res = gauss_newton(model, x0, mask, 10)
    val = validate(res, 30.0)
    fde = raim_fde(model, res, val, mask, 30.0)
    assert fde.validation.ok.tolist() == [True, True, False, False]
    assert fde.excluded[:2].sum(1).tolist() == [1, 1] and fde.excluded[:2, 2].all()
    assert fde.validation.chi2_failed.tolist() == [False, False, True, True]
    assert not fde.validation.too_few.any() and not fde.validation.gdop_failed.any()
    assert fde.validation.dof.tolist() == [2, 2, 3, 3]
    np.testing.assert_array_equal(
        fde.validation.gdop, validate(fde.result, 30.0).gdop
    )  # of the final solution


def test_group_median_of_one_two_and_no_values():
    from kompas.estimators.grouped import group_median

    np.testing.assert_array_equal(group_median(np.array([5.0]), np.array([0])), [5.0])
    got = group_median(np.array([4.0, 1.0, 7.0, 2.0]), np.array([2, 0, 2, 0]))
    np.testing.assert_array_equal(got, [1.5, np.nan, 5.5])  # group 1 has no value
    assert group_median(np.zeros(0), np.zeros(0, np.int64)).size == 0
    np.testing.assert_array_equal(group_median(np.zeros(0), np.zeros(0, np.int64), n_groups=2), [np.nan] * 2)


def test_group_median_is_numpys_median_of_each_group():
    from kompas.estimators.grouped import group_median

    rng = np.random.default_rng(8)
    labels = rng.integers(0, 12, 200)  # groups of about 17 values, odd and even counts
    values = rng.normal(size=200)
    got = group_median(values, labels)
    want = [np.median(values[labels == g]) for g in range(12)]
    np.testing.assert_array_equal(got, want)
    assert len({int((labels == g).sum()) % 2 for g in range(12)}) == 2  # both parities occur
    # per element, for labels that are not 0..G-1 (as the RTK base-clock removal uses it)
    raw = np.array([7, 4, 7, 9, 4, 7])
    v = np.array([3.0, 10.0, 1.0, 5.0, -2.0, 2.0])
    _, inv = np.unique(raw, return_inverse=True)
    assert group_median(v, inv)[inv].tolist() == [2.0, 4.0, 2.0, 5.0, 4.0, 2.0]
