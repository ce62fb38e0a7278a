"""PPP ambiguity resolution parts: wide-lane statistics, wide and narrow lanes, the fixed state."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kompas.estimators.ppp_ar import ArOptions, WideLaneStats, bootstrap, narrow_lane, resolve, wide_lane

C_LIGHT = 299792458.0
F1, F2 = 1575.42e6, 1227.60e6  # GPS L1, L2 (IS-GPS-200 sec. 3.3.1.1)
LAM_NL = C_LIGHT / (F1 + F2)
K_WL = C_LIGHT * F2 / (F1**2 - F2**2)


def test_wide_lane_statistics_restart_with_a_new_arc():
    st = WideLaneStats(4)
    first = [2.1, 2.3, 1.9, 2.2]
    for v in first:
        st.add(np.array([1, 3]), np.array([7, 0]), np.array([v, -v]))
    second = [5.0, 5.4, 5.3]
    for v in second:  # key 1 starts arc 8; key 3 has no value (NaN) and keeps its sums
        st.add(np.array([1, 3]), np.array([8, 0]), np.array([v, np.nan]))
    mean, sigma, n = st.mean_sigma(np.array([1, 3]))
    assert n.tolist() == [3, 4]
    np.testing.assert_allclose(mean, [np.mean(second), -np.mean(first)], rtol=1e-12)
    # standard deviation of the mean: sample standard deviation / sqrt(n)
    np.testing.assert_allclose(sigma, [np.std(second, ddof=1) / math.sqrt(3), np.std(first, ddof=1) / 2.0],
                               rtol=1e-9)  # fmt: skip


def test_wide_lane_needs_fraction_precision_and_epochs_together():
    opt = ArOptions(max_wl_fraction=0.25, max_wl_sigma=0.1, min_wl_epochs=10)
    mean = np.array([0.4, 3.45, -1.5, 2.5, 6.4, 4.65])  # reference 0: differences 3.05, -1.9, 2.1, 6.0, 4.25
    sigma = np.array([0.02, 0.02, 0.02, 0.2, 0.02, 0.02])
    count = np.array([30, 30, 30, 30, 5, 30])
    n_wl, ok = wide_lane(mean, sigma, count, 0, opt)
    assert n_wl[1:].tolist() == [3, -2, 2, 6, 4]
    # 1: fixed; 2: fraction 0.1; 3: imprecise; 4: too few epochs; 5: fraction exactly the maximum 0.25
    assert ok.tolist() == [False, True, True, False, False, True]
    # exactly min_wl_epochs is enough, one fewer is not, at either end of the single difference
    count = np.array([30, 10, 9, 30, 30, 30])
    assert wide_lane(mean, sigma, count, 0, opt)[1].tolist() == [False, True, False, False, True, True]
    count = np.array([10, 30, 30, 30, 30, 30])
    assert wide_lane(mean, sigma, count, 0, opt)[1].tolist() == [False, True, True, False, True, True]
    assert not wide_lane(mean, sigma, count - 1, 0, opt)[1].any()


def test_narrow_lane_single_differences_by_hand():
    b = np.array([1.0, 2.5, -0.7])  # IF ambiguities, m
    Q = np.diag([1e-4, 4e-4, 9e-4])
    n_wl = np.array([0.0, 3.0, -2.0])
    a, Qa, d, lam, k = narrow_lane(b, Q, n_wl, 0, np.array([1, 2]), F1, F2)
    assert d.tolist() == [[-1.0, 1.0, 0.0], [-1.0, 0.0, 1.0]]
    assert lam == pytest.approx(LAM_NL, rel=1e-15) and k == pytest.approx(K_WL, rel=1e-15)
    np.testing.assert_allclose(a, [(1.5 - 3.0 * K_WL) / LAM_NL, (-1.7 + 2.0 * K_WL) / LAM_NL], rtol=1e-12)
    # single differences share the reference's variance
    np.testing.assert_allclose(Qa, np.array([[5e-4, 1e-4], [1e-4, 10e-4]]) / LAM_NL**2, rtol=1e-12)


def _group(n_sd_wl, n_sd_n1, rcv_bias=0.37):
    """Float IF ambiguities (m) of one clock group from integers, with 1 mm of uncertainty."""
    x = K_WL * n_sd_wl + LAM_NL * n_sd_n1 + rcv_bias
    return x, np.eye(x.size) * 1e-6


def test_resolve_with_success_rate_one_fixes_when_the_rate_is_one():
    # narrow-lane single differences with 0.013 cycles of standard deviation: the bootstrapped success rate
    # is 1 to double precision, which meets a required rate of 1
    n_wl = np.array([0, 3, -2, 5, 1, -4])
    n1 = np.array([0, 12, -7, 30, 4, -9])
    x, P = _group(n_wl, n1)
    mean = n_wl + 0.3  # receiver wide-lane bias: removed by the single differences
    el = np.radians([80, 60, 50, 40, 30, 25])
    res = resolve(x, P, np.arange(6), mean, np.full(6, 0.01), np.full(6, 30), el, F1, F2,
                  ArOptions(success_rate=1.0))  # fmt: skip
    assert res.success_rate == 1.0 and res.n_wl == 5 and res.n_nl == 5
    sd = res.x[1:] - res.x[0]
    np.testing.assert_allclose(sd, K_WL * n_wl[1:] + LAM_NL * n1[1:], atol=1e-4)


def test_resolve_without_enough_satellites_reports_no_rate():
    x, P = _group(np.zeros(6), np.zeros(6))
    el = np.radians([80, 60, 50, 10, 8, 5])  # three above the 15 degree mask, min_fixed + 1 = 5 needed
    res = resolve(x, P, np.arange(6), np.zeros(6), np.full(6, 0.01), np.full(6, 30), el, F1, F2, ArOptions())
    assert res.x is None and res.n_wl == 0 and res.n_nl == 0
    assert isinstance(res.success_rate, float) and math.isnan(res.success_rate)


def test_bootstrap_rounds_each_ambiguity_conditioned_on_those_fixed_before():
    # correlation 0.9: the second float is conditioned on the first's rounding residual,
    # 0.45 - 0.9 * 0.4 = 0.09 -> 0 and 0.2 - 0.9 * (-0.4) = 0.56 -> 1 (rounded alone: 0 and 0)
    Q = np.array([[1.0, 0.9], [0.9, 1.0]]) * 0.01
    assert bootstrap(np.array([0.4, 0.45]), Q)[0].tolist() == [0, 0]
    assert bootstrap(np.array([-0.4, 0.2]), Q)[0].tolist() == [0, 1]
    # the rate: conditional standard deviations 0.1 and 0.1 sqrt(1 - 0.81)
    s = [0.1, 0.1 * math.sqrt(0.19)]
    want = math.prod(math.erf(1.0 / (2.0 * v * math.sqrt(2.0))) for v in s)
    assert bootstrap(np.array([0.4, 0.45]), Q)[1] == pytest.approx(want, rel=1e-12)


def test_resolve_drops_a_biased_float_even_when_the_rate_is_met():
    # 1 mm floats give a success rate of 1, but one narrow-lane float sits 0.4 cycles off its integer
    # (a wrong wide lane, an unmodelled error): it is dropped, the other four are fixed to the truth
    n_wl = np.array([0, 3, -2, 5, 1, -4])
    n1 = np.array([0, 12, -7, 30, 4, -9])
    x, P = _group(n_wl, n1)
    x[3] += 0.4 * LAM_NL
    el = np.radians([80, 60, 50, 40, 30, 25])
    res = resolve(x, P, np.arange(6), n_wl + 0.3, np.full(6, 0.01), np.full(6, 30), el, F1, F2, ArOptions())
    assert res.n_nl == 4 and res.success_rate >= ArOptions().success_rate
    keep = [1, 2, 4, 5]
    np.testing.assert_allclose(res.x[keep] - res.x[0], (K_WL * n_wl + LAM_NL * n1)[keep], atol=1e-4)


def test_resolve_without_the_narrow_lane_reports_no_rate():
    x, P = _group(np.array([0, 3, -2, 5, 1, -4]), np.array([0, 12, -7, 30, 4, -9]))
    el = np.radians([80, 60, 50, 40, 30, 25])
    res = resolve(x, P, np.arange(6), np.full(6, 0.3), np.full(6, 0.01), np.full(6, 30), el, F1, F2,
                  ArOptions(narrow_lane=False))  # fmt: skip
    assert res.x is None and res.n_nl == 0
    assert isinstance(res.success_rate, float) and math.isnan(res.success_rate)
