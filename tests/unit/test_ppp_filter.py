"""PPP estimator parts: named filter state, w-test screening, two-filter smoother, slip detector, wind-up."""

import numpy as np
import pytest

from kompas.estimators.filter_state import FilterState, robust_update, w_statistics
from kompas.estimators.kalman import update
from kompas.estimators.smoother import combine
from kompas.estimators.states import Block


def test_filter_state_add_drop_reset_keep_named_columns():
    st = FilterState.empty()
    st.add([Block("pos", 3), Block("clk:G")], [1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 1.0, 9.0])
    st.P[0, 3] = st.P[3, 0] = 0.5
    st.add([Block("amb:G05:0"), Block("amb:G07:0")], [10.0, 20.0], 100.0)
    assert st.layout.index("amb:G07:0") == 5 and st.P[5, 5] == 100.0 and st.P[5, 0] == 0.0
    st.drop(["clk:G"])
    assert st.layout.names == ("pos", "amb:G05:0", "amb:G07:0")
    np.testing.assert_array_equal(st.x, [1.0, 2.0, 3.0, 10.0, 20.0])
    assert st.P.shape == (5, 5) and st.P[3, 3] == 100.0
    st.P[0, 4] = st.P[4, 0] = 0.3
    st.reset([4], 7.0, 4.0)
    assert st.x[4] == 7.0 and st.P[4, 4] == 4.0 and st.P[0, 4] == 0.0 and st.P[4, 0] == 0.0
    st.add_noise([0, 1], 0.5)
    assert st.P[0, 0] == 1.5 and st.P[2, 2] == 1.0
    assert "pos" in st and "amb:G07:0" in st and "clk:G" not in st
    cols = st.cols(["amb:G07:0", "pos", "amb:G05:0"])
    assert cols.dtype == np.int64 and cols.tolist() == [4, 0, 3]


def test_w_statistic_by_hand():
    # one measurement: w = v / sqrt(S)
    assert w_statistics(np.array([3.0]), np.array([[4.0]]))[0] == pytest.approx(1.5)
    # two uncorrelated: w_i = v_i / sqrt(S_ii)
    w = w_statistics(np.array([2.0, -6.0]), np.diag([1.0, 9.0]))
    np.testing.assert_allclose(w, [2.0, -2.0])
    # unit directions give the same as the default
    np.testing.assert_allclose(w_statistics(np.array([2.0, -6.0]), np.diag([1.0, 9.0]), np.eye(2)), w)


def test_w_statistic_along_directions_by_hand():
    # double differences of three unit-variance single differences against cell 0: D = [[-1, 1, 0],
    # [-1, 0, 1]], S = D D^T = [[2, 1], [1, 2]], S^-1 = [[2, -1], [-1, 2]] / 3. An error e on cell 2 gives
    # v = (0, e): w_2 = (2e/3) / sqrt(2/3) = e sqrt(2/3), w_1 = w_0 = -(e/3) / sqrt(2/3); a zero column is NaN
    D = np.array([[-1.0, 1.0, 0.0], [-1.0, 0.0, 1.0]])
    C = np.c_[D, np.zeros(2)]
    w = w_statistics(np.array([0.0, 0.3]), D @ D.T, C)
    s = np.sqrt(2.0 / 3.0)
    np.testing.assert_allclose(w[:3], [-0.1 / s, -0.1 / s, 0.3 * s])
    assert np.isnan(w[3])


def test_robust_update_removes_the_outlier_and_only_it():
    # a constant observed 8 times with 1 cm noise, one value 1 m off
    rng = np.random.default_rng(1)
    z = 5.0 + 0.01 * rng.standard_normal(8)
    z[3] += 1.0
    x0, P0 = np.array([0.0]), np.array([[1e4]])
    H = np.ones((8, 1))
    ru = robust_update(x0, P0, H, z - x0[0], np.full(8, 1e-4), threshold=4.0)
    assert ru.used.tolist() == [True, True, True, False, True, True, True, True]
    clean = np.delete(z, 3)
    ref = update(x0, P0, np.ones((7, 1)), clean, np.full(7, 1e-4))
    assert ru.result.x[0] == pytest.approx(ref.x[0], abs=1e-12)
    assert ru.result.x[0] == pytest.approx(clean.mean(), abs=1e-6)


def test_robust_update_never_rejects_an_untestable_measurement():
    # the same data as above, the outlier marked untestable (0/1 flags as numbers are accepted as a mask):
    # it stays in the update; the good measurements it drags away are rejected in its place
    rng = np.random.default_rng(1)
    z = 5.0 + 0.01 * rng.standard_normal(8)
    z[3] += 1.0
    flags = np.array([1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0])
    ru = robust_update(np.zeros(1), np.array([[1e4]]), np.ones((8, 1)), z, np.full(8, 1e-4), testable=flags)
    assert ru.used[3] and not ru.used.all()
    assert ru.result.x[0] == pytest.approx(z[ru.used].mean(), abs=1e-6)


def test_robust_update_stops_after_max_rejections_and_reports_each_w():
    # three outliers (1, 2 and 3 m) among 12 measurements of a constant: at most max_rejections go, the
    # largest first; each rejected measurement keeps the w of the update that rejected it
    rng = np.random.default_rng(2)
    z = 5.0 + 0.01 * rng.standard_normal(12)
    z[[2, 6, 9]] += [1.0, 3.0, 2.0]
    H, R, x0, P0 = np.ones((12, 1)), np.full(12, 1e-4), np.zeros(1), np.array([[1e4]])
    two = robust_update(x0, P0, H, z, R, max_rejections=2)
    assert np.flatnonzero(~two.used).tolist() == [6, 9]
    assert np.all(np.abs(two.w[[6, 9]]) > 4.0) and abs(two.w[2]) > 4.0  # the third is left, over the limit
    assert two.result.x[0] == pytest.approx(z[two.used].mean(), abs=1e-6)
    every = robust_update(x0, P0, H, z, R)
    assert np.flatnonzero(~every.used).tolist() == [2, 6, 9] and np.all(np.abs(every.w[every.used]) <= 4.0)
    # nothing to update: no measurement, or every one rejected (two contradicting a tight prior)
    none = robust_update(x0, P0, np.zeros((0, 1)), np.zeros(0), np.zeros(0))
    assert none.result is None and none.used.size == 0
    gone = robust_update(x0, np.array([[1e-8]]), np.ones((2, 1)), np.array([1.0, -1.0]), np.full(2, 1e-4))
    assert gone.result is None and not gone.used.any() and np.all(np.abs(gone.w) > 4.0)


def test_robust_update_keeps_consistent_data():
    z = np.array([1.0, 1.01, 0.99, 1.0])
    ru = robust_update(np.zeros(1), np.eye(1) * 100, np.ones((4, 1)), z, np.full(4, 1e-4))
    assert ru.used.all()


def test_combine_is_the_inverse_covariance_weighted_mean():
    xf = np.array([[1.0, 0.0]])
    xb = np.array([[3.0, 2.0]])
    Pf = np.array([[[1.0, 0.0], [0.0, 4.0]]])
    Pb = np.array([[[3.0, 0.0], [0.0, 4.0]]])
    x, P = combine(xf, Pf, xb, Pb)
    # component 1: weights 1 and 1/3 -> (1 + 3/3) / (4/3) = 1.5, variance 0.75; component 2: mean 1, var 2
    np.testing.assert_allclose(x, [[1.5, 1.0]])
    np.testing.assert_allclose(P, [[[0.75, 0.0], [0.0, 2.0]]])
    # one pass missing: the other is taken as it is
    x2, P2 = combine(np.full((1, 2), np.nan), np.full((1, 2, 2), np.nan), xb, Pb)
    np.testing.assert_array_equal(x2, xb)
    np.testing.assert_array_equal(P2, Pb)
    x3, P3 = combine(xf, Pf, np.full((1, 2), np.nan), np.full((1, 2, 2), np.nan))
    np.testing.assert_array_equal(x3, xf)
    np.testing.assert_array_equal(P3, Pf)
    # a pass is a solution only where its estimate and its covariance are both finite
    half_f = combine(xf, np.full((1, 2, 2), np.nan), xb, Pb)  # forward estimate without a covariance
    half_b = combine(xf, Pf, np.full((1, 2), np.nan), Pb)  # backward covariance without an estimate
    for (x4, P4), (xw, Pw) in ((half_f, (xb, Pb)), (half_b, (xf, Pf))):
        np.testing.assert_array_equal(x4, xw)
        np.testing.assert_array_equal(P4, Pw)


def test_combined_covariance_is_exactly_symmetric():
    # the inverse of a sum of inverses is symmetric only up to rounding; the combination must be exactly so
    rng = np.random.default_rng(0)
    a = rng.normal(size=(2, 20, 5, 5))
    P = a @ np.swapaxes(a, -1, -2) + np.eye(5)
    x = rng.normal(size=(2, 20, 5))
    xc, Pc = combine(x[0], P[0], x[1], P[1])
    np.testing.assert_array_equal(Pc, np.swapaxes(Pc, -1, -2))
    ref = np.linalg.inv(np.linalg.inv(P[0]) + np.linalg.inv(P[1]))
    np.testing.assert_allclose(Pc, ref, rtol=1e-10, atol=1e-12)
    info = np.linalg.solve(P[0], x[0][..., None]) + np.linalg.solve(P[1], x[1][..., None])
    np.testing.assert_allclose(xc, (ref @ info)[..., 0], rtol=1e-9, atol=1e-12)


def test_combine_single_precision_inputs_in_double_precision():
    # float32 passes (e.g. read back from a compact store) are combined as their float64 values are
    rng = np.random.default_rng(4)
    a = rng.normal(size=(2, 10, 4, 4))
    P32 = (a @ np.swapaxes(a, -1, -2) + np.eye(4)).astype(np.float32)
    x32 = rng.normal(size=(2, 10, 4)).astype(np.float32)
    x, P = combine(x32[0], P32[0], x32[1], P32[1])
    x64, P64 = combine(*(v.astype(np.float64) for v in (x32[0], P32[0], x32[1], P32[1])))
    assert x.dtype == P.dtype == np.float64
    np.testing.assert_allclose(x, x64, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(P, P64, rtol=1e-12, atol=1e-14)


def test_continuous_windup_unwraps_per_satellite():
    from kompas.ppp_model import continuous_windup

    true = np.concatenate([np.linspace(0.3, 2.3, 6), np.linspace(-0.2, -1.9, 5)])  # steps under half a cycle
    raw = (true + 0.5) % 1.0 - 0.5  # what the geometric formula gives: [-0.5, 0.5)
    sats = np.r_[np.full(6, 105), np.full(5, 207)].astype(np.int16)
    epoch = np.r_[np.arange(6), np.arange(5)]
    order = np.argsort(epoch, kind="stable")  # rows interleaved by epoch as in the model
    out = continuous_windup(sats[order], epoch[order], raw[order])
    back = np.empty_like(out)
    back[order] = out
    # continuous and equal to the truth up to one integer per satellite (absorbed by the ambiguity)
    for s in (105, 207):
        m = sats == s
        k = np.round(true[m][0] - back[m][0])
        np.testing.assert_allclose(back[m] + k, true[m], atol=1e-12)


def test_continuous_windup_steps_over_an_undefined_epoch():
    """A wrap at an epoch where the wind-up is undefined (NaN: degenerate attitude) is resolved against
    the last epoch with a value, not left as a one-cycle jump in the arc."""
    from kompas.ppp_model import continuous_windup

    true = np.array([0.1, 0.3, 0.45, 0.6, 0.75, 0.9])
    raw = (true + 0.5) % 1.0 - 0.5  # wraps between epochs 2 and 3
    raw[3] = np.nan
    sats = np.full(6, 105, np.int16)
    out = continuous_windup(sats, np.arange(6), raw)
    assert np.isnan(out[3])
    np.testing.assert_allclose(np.delete(out, 3), np.delete(true, 3), atol=1e-12)
    # a NaN first row of a satellite and a satellite after another's NaN start fresh
    two = np.r_[105, 105, 207, 207].astype(np.int16)
    out = continuous_windup(two, np.r_[0, 1, 0, 1], np.array([0.4, np.nan, np.nan, -0.4]))
    np.testing.assert_allclose(out, [0.4, np.nan, np.nan, -0.4])
    assert continuous_windup(np.zeros(0, np.int16), np.zeros(0, int), np.zeros(0)).shape == (0,)


def test_a_satellite_straight_overhead_is_at_90_degrees():
    # the unit line of sight's up component comes out 1 + 2e-16 here: clipped, never arcsin's NaN
    from kompas.frames import enu_rotation, geodetic_to_ecef
    from kompas.ppp_model import _look_angles

    llh = np.array([[np.radians(-65.0), np.radians(-175.0), 500.0]])
    rx = geodetic_to_ecef(llh)
    sat = rx + enu_rotation(llh[:, 0], llh[:, 1])[:, 2, :] * 20_200e3
    los, el, _ = _look_angles(sat, rx, llh, np.array([0]))
    assert el[0] == np.pi / 2 and np.isclose(np.linalg.norm(los), 1.0)
