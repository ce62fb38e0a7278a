"""RTK building blocks: double differences, ambiguity resolution, slips, pairing, forward-backward."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from kompas import Quality
from kompas.estimators.ambiguity import decorrelate, success_rate_bootstrap
from kompas.estimators.rtk_ar import (
    AmbiguitySet,
    ReductionMemo,
    adop_success_bound,
    dd_ambiguity_transform,
    resolve,
)
from kompas.estimators.rtk_combine import PassResult, combine_passes
from kompas.estimators.rtk_dd import choose_references, dd_operator
from kompas.estimators.rtk_options import ArOptions
from kompas.rtk_inputs import carry_slips, match_epochs, new_arcs, pair_rows
from kompas.rtk_run import _backward_slips
from kompas.tables.observables import Observables


def test_references_are_the_highest_usable_cell_of_each_group():
    group = np.array([1, 1, 1, 2, 2, 3])
    usable = np.array([True, True, False, True, True, True])
    el = np.array([0.3, 0.9, 1.2, 0.5, 0.4, 1.0])
    ref = choose_references(group, usable, el)
    # group 1: cell 2 is higher but unusable; group 3 has one cell only
    assert ref.tolist() == [1, 1, -1, 3, 3, -1]
    dd = dd_operator(ref, group.size)
    assert dd.cell.tolist() == [0, 4] and dd.ref.tolist() == [1, 3]
    assert dd.D.tolist() == [[1, -1, 0, 0, 0, 0], [0, 0, 0, -1, 1, 0]]


def test_references_from_an_unsigned_integer_score():
    # C/N0 in dB-Hz as unsigned bytes (0: not reported) ranks like the same values as floats: the strongest
    # cell is the reference, never the one without a value
    group = np.array([1, 1, 1, 2, 2])
    cn0 = np.array([0, 45, 41, 30, 52], np.uint8)
    ref = choose_references(group, np.ones(5, bool), cn0)
    assert ref.tolist() == [1, 1, 1, 4, 4]
    assert ref.tolist() == choose_references(group, np.ones(5, bool), cn0.astype(float)).tolist()


def _references_by_sorting(group, usable, score):
    """choose_references's definition as a stable sort by group, then by descending score."""
    ref_of = np.full(group.size, -1, np.int64)
    idx = np.flatnonzero(usable)
    order = idx[np.lexsort((-np.asarray(score, float)[idx], group[idx]))]
    for g in np.unique(group[order]):
        members = order[group[order] == g]
        if members.size >= 2:
            ref_of[members] = members[0]
    return ref_of


def test_references_are_those_of_a_stable_sort_with_ties_and_nans():
    rng = np.random.default_rng(0)
    for k in range(3000):
        n = int(rng.integers(0, 30))
        group = rng.integers(0, 5, size=n) * (1 << 20) + rng.integers(0, 2, size=n)
        usable = rng.random(n) < rng.uniform(0.3, 1.0)
        if k % 3 == 0:  # ties, NaN, signed zeros, infinities
            score = rng.choice([0.1, 0.5, 0.5, np.nan, -0.0, 0.0, np.inf, -np.inf], size=n)
        elif k % 3 == 1:
            score = rng.integers(0, 60, size=n).astype(np.uint8)
        else:
            score = rng.uniform(0, 1.6, size=n) - 10.0 * (rng.random(n) < 0.2)
        want = _references_by_sorting(group, usable, score)
        assert choose_references(group, usable, score).tolist() == want.tolist()


def test_double_difference_covariance_shares_the_reference_variance():
    ref = np.array([2, 2, 2])
    dd = dd_operator(ref, 3)
    var = np.array([1.0, 4.0, 9.0])
    # Hofmann-Wellenhof et al. (2008) eq. 7.40: var_i + var_ref on the diagonal, var_ref off it
    assert dd.covariance(var).tolist() == [[10.0, 9.0], [9.0, 13.0]]


def test_dd_transform_keeps_other_entries_and_their_covariance():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(6, 6))
    P = a @ a.T + 6 * np.eye(6)
    x = rng.normal(size=6)
    y, py = dd_ambiguity_transform(x, P, np.array([3, 4]), np.array([5, 5]))
    T = np.eye(6)
    T[3, 5] = T[4, 5] = -1
    np.testing.assert_allclose(y, T @ x)
    np.testing.assert_allclose(py, T @ P @ T.T, atol=1e-12)
    np.testing.assert_allclose(py[:3, :3], P[:3, :3])


def test_adop_bound_is_above_the_bootstrapped_success_rate():
    rng = np.random.default_rng(7)
    for n in (4, 8, 16):
        for scale in (0.01, 0.05, 0.2):
            a = rng.normal(size=(n, n))
            Q = scale * (a @ a.T / n + 0.1 * np.eye(n))
            ps = success_rate_bootstrap(decorrelate(Q).D)
            assert adop_success_bound(Q) >= ps - 2e-3


def _ambiguity_state(truth, sigma, rng):
    """A float state: position (3), then single-difference ambiguities of two groups."""
    n = truth.size
    a = rng.normal(size=(n, n))
    P = sigma**2 * (a @ a.T / n + np.eye(n))
    x = truth + np.linalg.cholesky(P) @ rng.normal(size=n)
    big = np.zeros((3 + n, 3 + n))
    big[:3, :3] = np.eye(3)
    big[3:, 3:] = P
    return np.r_[np.zeros(3), x], big


def test_resolve_fixes_precise_floats_to_the_true_double_differences():
    rng = np.random.default_rng(11)
    truth = rng.integers(-50, 50, 10).astype(float)
    x, P = _ambiguity_state(truth, 0.05, rng)
    amb = AmbiguitySet(np.arange(3, 13), np.repeat([1, 2], 5), np.linspace(0.2, 1.2, 10), np.ones(10, int))
    res = resolve(x, P, amb, ArOptions())
    assert res.fixed and res.col.size == 8 and res.n_candidates == 8  # 5 + 5 single differences, one ref each
    np.testing.assert_array_equal(res.integers, truth[res.col - 3] - truth[res.ref - 3])
    # chi2: the squared norm of the fixed integers from the float double differences, (a - z)' Q^-1 (a - z)
    a = x[res.col] - x[res.ref]
    Q = P[np.ix_(res.col, res.col)] - P[np.ix_(res.col, res.ref)] - P[np.ix_(res.ref, res.col)]
    Q += P[np.ix_(res.ref, res.ref)]
    d = a - res.integers
    assert res.chi2 == pytest.approx(d @ np.linalg.solve(Q, d), rel=1e-9) and res.chi2 > 1.0
    # fix-and-hold's constraints of a double-difference fix: member minus reference
    H, z = res.constraints(x.size)
    want = np.zeros_like(H)
    want[np.arange(res.col.size), res.col] = 1.0
    want[np.arange(res.col.size), res.ref] = -1.0
    np.testing.assert_array_equal(H, want)
    np.testing.assert_array_equal(z, res.integers)


def test_resolve_refuses_imprecise_floats():
    rng = np.random.default_rng(12)
    truth = rng.integers(-50, 50, 10).astype(float)
    x, P = _ambiguity_state(truth, 0.8, rng)
    amb = AmbiguitySet(np.arange(3, 13), np.repeat([1, 2], 5), np.linspace(0.2, 1.2, 10), np.ones(10, int))
    res = resolve(x, P, amb, ArOptions())
    assert not res.fixed and res.col.size == 0
    assert res.integers.size == 0 and res.ref.size == 0 and res.sys.size == 0  # empty arrays, not None


def _two_carriers(seed: int, sigma_n: float = 1.0, sigma_wl: float = 0.03):
    """Single-difference ambiguities of 6 satellites on two carriers (groups 1 and 2): ``N1 = n``,
    ``N2 = n - w``, the wide lane ``w`` known to ``sigma_wl`` cycles and ``n`` only to ``sigma_n`` (a long
    baseline: the ionosphere keeps the narrow lane float)."""
    rng = np.random.default_rng(seed)
    n_true, w_true = rng.integers(-50, 50, 6), rng.integers(-9, 9, 6)
    truth = np.r_[n_true, n_true - w_true].astype(float)
    T = np.block([[np.eye(6), np.zeros((6, 6))], [np.eye(6), -np.eye(6)]])
    P_sd = T @ np.diag(np.r_[np.full(6, sigma_n**2), np.full(6, sigma_wl**2)]) @ T.T
    x = truth + np.linalg.cholesky(P_sd) @ rng.normal(size=12)
    P = np.zeros((15, 15))
    P[:3, :3] = np.eye(3)
    P[3:, 3:] = P_sd
    sat = np.tile(np.arange(6), 2)
    amb = AmbiguitySet(
        np.arange(3, 15), np.repeat([1, 2], 6), np.tile(np.linspace(0.3, 1.3, 6), 2), np.ones(12, int), sat
    )
    return np.r_[np.zeros(3), x], P, amb, truth


def test_resolve_fixes_decorrelated_wide_lanes_when_no_double_difference_subset_passes():
    x, P, amb, truth = _two_carriers(21)
    dd_only = resolve(x, P, amb, ArOptions(z_partial=False))
    assert not dd_only.fixed  # narrow lanes at 1 cycle: nothing passes
    assert not resolve(x, P, amb, ArOptions(armode="continuous")).fixed  # nothing would hold the combinations
    no_sats = AmbiguitySet(amb.col, amb.group, amb.score, amb.sys)  # satellites unknown: no narrow lane known
    assert not resolve(x, P, no_sats, ArOptions()).fixed
    res = resolve(x, P, amb, ArOptions())
    assert res.fixed and res.combos is not None and res.n_candidates == 10
    k = res.combos.shape[0]
    # at most one combination per double difference beyond one narrow lane per satellite (5 members)
    assert k == 5 and res.combos.shape[1] == res.col.size == 10
    ratio, success, _ = res.combo_stats
    assert ratio >= 3.0 and success >= 0.99
    # the epoch reports the failed double-difference attempt's ratio, success rate and chi-square
    assert (res.ratio, res.success, res.chi2) == (dd_only.ratio, dd_only.success, dd_only.chi2)
    assert not (res.ratio >= 3.0 and res.success >= 0.9) and isinstance(res.success, float)
    # each fixed combination is the true integer of the double differences it combines (wide-lane-like)
    dd_true = truth[res.col - 3] - truth[res.ref - 3]
    np.testing.assert_array_equal(res.combos @ dd_true, res.integers)
    # the fixed state satisfies them; its constraints are what fix-and-hold feeds back
    H, z = res.constraints(x.size)
    np.testing.assert_allclose(H @ res.x, z, atol=1e-6)
    assert res.sys.tolist() == [1] * k
    # the narrow lanes stay float: the fixed position is no better than the float one (no correlation)
    np.testing.assert_allclose(res.x[:3], x[:3], atol=1e-9)


def _starts(monkeypatch):
    """Record the ``start`` each LAMBDA reduction of rtk_ar gets (None: from scratch)."""
    import kompas.estimators.rtk_ar as rtk_ar

    seen = []
    real_ils, real_dec = rtk_ar.lambda_ils, rtk_ar.decorrelate

    def ils(a, Q, m=2, start=None):
        seen.append(("ils", start))
        return real_ils(a, Q, m=m, start=start)

    def dec(Q, start=None):
        seen.append(("z", start))
        return real_dec(Q, start)

    monkeypatch.setattr(rtk_ar, "lambda_ils", ils)
    monkeypatch.setattr(rtk_ar, "decorrelate", dec)
    return seen


def _same_result(a, b):
    assert a.fixed == b.fixed and a.n_candidates == b.n_candidates
    for name in ("col", "ref", "integers", "sys"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.ratio == pytest.approx(b.ratio, rel=1e-9) and a.chi2 == pytest.approx(b.chi2, rel=1e-9)


def test_each_epoch_s_reductions_start_from_the_last_epoch_s_of_the_same_double_differences(monkeypatch):
    """With a ReductionMemo, the second epoch's searches start from the first epoch's reductions of the
    same double differences, a changed set from scratch, and the fixes are those without the memo; the
    decorrelated combinations' reduction always from scratch (the combinations are its basis)."""
    rng = np.random.default_rng(31)
    truth = rng.integers(-50, 50, 10).astype(float)
    x, P = _ambiguity_state(truth, 0.05, rng)
    amb = AmbiguitySet(
        np.arange(3, 13),
        np.repeat([1, 2], 5),
        np.linspace(0.2, 1.2, 10),
        np.ones(10, int),
        np.tile(np.arange(5), 2),
    )
    seen = _starts(monkeypatch)
    memo = ReductionMemo()
    for epoch in range(3):
        memo.next_epoch()
        P_e = P * (1.0 - 0.05 * epoch)  # the same ambiguities, a little more precise each epoch
        res = resolve(x, P_e, amb, ArOptions(), memo)
        assert [kind for kind, _ in seen] == ["ils"] and (seen[0][1] is None) == (epoch == 0)
        seen.clear()
        _same_result(res, resolve(x, P_e, amb, ArOptions()))
        seen.clear()
        assert res.fixed
    # one satellite fewer: another set of double differences, from scratch
    fewer = AmbiguitySet(amb.col[1:], amb.group[1:], amb.score[1:], amb.sys[1:], amb.sat[1:])
    memo.next_epoch()
    resolve(x, P, fewer, ArOptions(), memo)
    assert seen[0][1] is None
    seen.clear()
    # decorrelated combinations (two carriers, float narrow lanes): the same combinations every epoch
    x2, P2, amb2, _ = _two_carriers(21)
    first = None
    for _ in range(3):
        memo.next_epoch()
        res = resolve(x2, P2, amb2, ArOptions(), memo)
        assert res.combos is not None
        z_starts = [start for kind, start in seen if kind == "z"]
        assert len(z_starts) == 1 and z_starts[0] is None
        first = res.combos if first is None else first
        np.testing.assert_array_equal(res.combos, first)
        seen.clear()
    # the memo keeps one epoch: after an epoch without these double differences, from scratch again
    memo.next_epoch()
    resolve(x, P, amb, ArOptions(), memo)
    memo.next_epoch()
    memo.next_epoch()
    seen.clear()
    resolve(x, P, amb, ArOptions(), memo)
    assert [start for _, start in seen] == [None]


@pytest.mark.parametrize(
    ("frac", "sigma", "why"),
    [(0.5, 0.15, "ratio"), (0.2, 0.01, "chi-square")],
)
def test_decorrelated_combinations_pass_the_same_validation(frac, sigma, why):
    # one group whose reference is known exactly, six members 'frac' cycles from integers with 'sigma':
    # precise enough for the success rate, but halfway between integers (ratio ~1, squared norm within
    # the chi-square bound) or far from them in sigmas (ratio 16, squared norm 2400): neither the double
    # differences nor the decorrelated combinations may be fixed
    x = np.r_[0.0, np.arange(6) * 5.0 - 12.0 + frac]
    P = np.diag(np.r_[1e-8, np.full(6, sigma**2)])
    amb = AmbiguitySet(np.arange(7), np.ones(7, int), np.r_[2.0, np.linspace(0.2, 1.0, 6)], np.ones(7, int))
    assert not resolve(x, P, amb, ArOptions()).fixed, why
    x_good = np.r_[0.0, np.arange(6) * 5.0 - 12.0 + 0.02]
    assert resolve(x_good, P, amb, ArOptions()).fixed  # the same model with floats near integers


def test_resolve_stops_after_max_searches():
    # one group; the reference (highest score) is known to 1e-4 cycles at 0, so each double difference is
    # its member's single difference. Five members lie 0.02 cycles from integers (sigma 0.05), three halfway
    # between two integers with larger sigmas (0.06-0.08): every search with one of them fails, and each
    # failure leaves the least precise one float. The fourth search (five good ones) passes.
    frac = np.r_[np.full(5, 0.02), 0.5, 0.5, 0.5]
    sig = np.r_[np.full(5, 0.05), 0.06, 0.07, 0.08]
    x = np.r_[0.0, np.arange(8) * 7.0 - 20.0 + frac]
    P = np.diag(np.r_[1e-8, sig**2])
    amb = AmbiguitySet(np.arange(9), np.ones(9, int), np.r_[2.0, np.linspace(0.2, 1.0, 8)], np.ones(9, int))
    four = resolve(x, P, amb, ArOptions(max_searches=4))
    assert four.fixed and four.col.tolist() == [1, 2, 3, 4, 5]
    np.testing.assert_array_equal(four.integers, np.round(x[1:6]))
    three = resolve(x, P, amb, ArOptions(max_searches=3))
    assert not three.fixed and three.n_candidates == 8
    # the refusal reports the last subset tried (five good ones and one halfway): a precise model (success
    # rate near 1) whose best integers are far from the floats (chi2 >= 0.5^2 / 0.06^2)
    assert three.success > 0.99 and three.chi2 >= 0.25 / 0.06**2 and three.ratio < 1.5


def test_resolve_leaves_an_outlying_ambiguity_float():
    # one imprecise ambiguity among precise ones: partial fixing keeps the others
    rng = np.random.default_rng(13)
    truth = rng.integers(-50, 50, 8).astype(float)
    x, P = _ambiguity_state(truth, 0.04, rng)
    P[10, :] *= 40.0
    P[:, 10] *= 40.0
    x[10] += 0.5
    amb = AmbiguitySet(np.arange(3, 11), np.ones(8, int), np.linspace(1.0, 0.2, 8), np.ones(8, int))
    res = resolve(x, P, amb, ArOptions())
    assert res.fixed and 10 not in res.col
    np.testing.assert_array_equal(res.integers, truth[res.col - 3] - truth[res.ref - 3])


def test_match_epochs_within_tolerance():
    t_r = np.array([0, 30, 60, 90], dtype=np.int64) * 10**9
    t_b = np.array([0, 30_002_000_000, 75_000_000_000, 90_000_000_000], dtype=np.int64)
    assert match_epochs(t_r, t_b, 0.005).tolist() == [0, 1, -1, 3]
    assert match_epochs(t_r, t_b, 0.001).tolist() == [0, -1, -1, 3]
    assert match_epochs(t_r, t_b).tolist() == [0, 1, -1, 3]  # 5 ms by default
    assert match_epochs(t_r[:2], t_r[:2] + 6_000_000).tolist() == [-1, -1]


def test_match_epochs_falls_back_to_the_latest_earlier_base_epoch_up_to_max_age():
    # rover every 10 s, base every 30 s with a gap at 60 s: rover epochs between base epochs take the
    # latest earlier one while it is at most max_age old; at 0 only simultaneous epochs pair
    t_r = np.arange(0, 130, 10, dtype=np.int64) * 10**9
    t_b = np.array([0, 30, 90, 120], dtype=np.int64) * 10**9
    got = match_epochs(t_r, t_b, 0.005, 25.0).tolist()
    assert got == [0, 0, 0, 1, 1, 1, -1, -1, -1, 2, 2, 2, 3]
    assert match_epochs(t_r, t_b, 0.005, 30.0).tolist()[6] == 1  # 60 s: 30 s old, at the limit
    assert match_epochs(t_r, t_b, 0.005, 0.0).tolist() == [0, -1, -1, 1, -1, -1, -1, -1, -1, 2, -1, -1, 3]
    # ages below a second count too (a 1 Hz rover between base epochs 2 s apart)
    t_1hz = np.arange(4, dtype=np.int64) * 10**9
    assert match_epochs(t_1hz, t_1hz[::2], 0.005, 0.5).tolist() == [0, -1, 1, -1]
    assert match_epochs(t_1hz, t_1hz[::2], 0.005, 1.0).tolist() == [0, 0, 1, 1]
    assert match_epochs(t_1hz + 400_000_000, t_1hz[::2], 0.005, 0.5).tolist() == [0, -1, 1, -1]
    # a base tag a few ms after the rover's is still the simultaneous one, never "older"
    assert match_epochs(np.array([30 * 10**9]), np.array([0, 30_002_000_000]), 0.005, 30.0).tolist() == [1]


def test_match_epochs_with_a_single_base_epoch():
    t = np.array([0, 400_000_000, 30 * 10**9], dtype=np.int64)
    assert match_epochs(t, t[:1], 0.005, 0.5).tolist() == [0, 0, -1]
    assert match_epochs(t, t[2:], 0.005, 0.0).tolist() == [-1, -1, 0]


def test_pair_rows_lets_one_base_epoch_serve_several_rover_epochs():
    # base epochs 0 and 1 (30 s apart) with G05, G07; rover epochs 0-2 (rover epoch 1 has G07 only)
    from kompas import sat_index

    g5, g7 = sat_index(["G05", "G07"])

    def obs(epoch, sat, n_ep):
        n = len(epoch)
        return Observables(
            epoch=np.asarray(epoch), sat=np.asarray(sat, np.int16), bands={"G": (1,)},
            signal=np.zeros((n, 1), np.uint8), code_m=np.zeros((n, 1)), phase_cyc=np.zeros((n, 1)),
            doppler_hz=np.zeros((n, 1)), cn0_dbhz=np.zeros((n, 1), np.float32), lli=np.zeros((n, 1), np.uint8),
            epoch_time_ns=np.arange(n_ep, dtype=np.int64) * 10**10,
        )  # fmt: skip

    base = obs([0, 0, 1, 1], [g7, g5, g5, g7], 2)  # not sorted by satellite within an epoch
    rover = obs([0, 0, 1, 2, 2], [g5, g7, g7, g5, g7], 3)
    ir, ib = pair_rows(rover, base, np.array([0, 0, 1]))
    assert ir.tolist() == [0, 1, 2, 3, 4]
    assert ib.tolist() == [1, 0, 0, 2, 3]


def test_carry_slips_moves_flags_of_unused_epochs_to_the_next_used_one():
    # one satellite, six epochs; only epochs 0, 3 and 5 are paired: the slip at epoch 1 (band 1) and the
    # one at epoch 4 (band 2) are reported at epochs 3 and 5; a flag at a used epoch stays where it is
    slip = np.zeros((6, 2), bool)
    slip[1, 0] = slip[4, 1] = slip[3, 1] = True
    ob = _observables(np.zeros((6, 2)))
    out = carry_slips(ob, slip, np.array([0, 3, 5]))
    assert out[[0, 3, 5]].tolist() == [[False, False], [True, True], [False, True]]
    assert carry_slips(ob, slip, np.arange(6)) is slip  # every epoch used: unchanged


def _observables(phase_m, lli=None, times_s=None, freqs=(1575.42e6, 1227.6e6), code=None):
    """One GPS satellite over consecutive epochs, two bands (L1, L2)."""
    from kompas import sat_index
    from kompas.constants import C_LIGHT
    from kompas.satsys import signal_id

    phase_m = np.asarray(phase_m, float)
    n = phase_m.shape[0]
    t = np.arange(n) * 30 if times_s is None else np.asarray(times_s)
    lam = C_LIGHT / np.array(freqs)
    return Observables(
        epoch=np.arange(n), sat=np.full(n, sat_index(["G05"])[0], np.int16), bands={"G": (1, 2)},
        signal=np.tile(np.array([signal_id("1C"), signal_id("2W")], np.uint8), (n, 1)),
        code_m=np.zeros((n, 2)) if code is None else np.column_stack([code, code]), phase_cyc=phase_m / lam, doppler_hz=np.zeros((n, 2)),
        cn0_dbhz=np.full((n, 2), 45.0, np.float32),
        lli=np.zeros((n, 2), np.uint8) if lli is None else np.asarray(lli, np.uint8),
        epoch_time_ns=(np.asarray(t) * 10**9).astype(np.int64),
    )  # fmt: skip


def test_new_arcs_from_the_preprocessing_lli_gap_and_geometry_free_step():
    rng = np.random.default_rng(5)
    n = 40
    rho = 2.0e7 + 500.0 * np.arange(n)
    iono = 0.01 * np.arange(n)  # drifting ionosphere: 1 cm per epoch, no slip
    l1 = rho - iono + rng.normal(0, 0.002, n)
    l2 = rho - 1.65 * iono + rng.normal(0, 0.002, n)
    arcs = new_arcs(_observables(np.column_stack([l1, l2]), code=rho))
    assert arcs[0].all() and not arcs[1:].any()  # the first epoch starts the arcs only
    l1_slip = l1.copy()
    l1_slip[20:] += 0.19 * 3  # three L1 cycles from epoch 20 on
    arcs = new_arcs(_observables(np.column_stack([l1_slip, l2]), code=rho))
    assert arcs[20, 0] and not arcs[1:20].any() and not arcs[21:].any()
    lli = np.zeros((n, 2))
    lli[4, 1] = 1
    assert new_arcs(_observables(np.column_stack([l1, l2]), lli=lli, code=rho))[4].tolist() == [False, True]
    t = np.r_[np.arange(20) * 30, 1200 + np.arange(20) * 30]
    assert new_arcs(_observables(np.column_stack([l1, l2]), times_s=t, code=rho))[20].all()


def test_backward_slips_move_to_the_epoch_before_the_break():
    key = np.array([7, 7, 7, 7, 9, 9])
    epoch = np.array([0, 1, 2, 3, 0, 1])
    slip = np.array([True, False, True, False, True, False])
    # forward: break between epochs 1 and 2 of arc 7; backward it is met at epoch 1
    assert _backward_slips(key, epoch, slip).tolist() == [False, True, False, True, False, True]


def _pass(pos, cov, q):
    p = PassResult.empty(len(q))
    p.pos[:], p.cov[:], p.quality[:] = pos, cov, q
    return p


def test_combine_prefers_fixes_and_weights_equal_qualities():
    cov1 = np.broadcast_to(np.eye(3) * 1e-4, (3, 3, 3)).copy()
    f = _pass(
        np.array([[0, 0, 0], [1, 1, 1], [0, 0, 0]], float), cov1, [Quality.FIX, Quality.FLOAT, Quality.FIX]
    )
    cov2 = cov1.copy()
    cov2[1] *= 3.0
    b = _pass(np.array([[0.01, 0, 0], [2, 2, 2], [0.5, 0, 0]], float), cov2,
              [Quality.FLOAT, Quality.FLOAT, Quality.FIX])  # fmt: skip
    out = combine_passes(f, b)
    assert out.quality.tolist() == [Quality.FIX, Quality.FLOAT, Quality.FLOAT]
    np.testing.assert_allclose(out.pos[0], [0, 0, 0])  # the fix wins
    # equal quality: weights 3/4 and 1/4 (covariances 1 : 3)
    np.testing.assert_allclose(out.pos[1], [1.25, 1.25, 1.25])
    np.testing.assert_allclose(out.cov[1], np.eye(3) * 0.75e-4)
    # two fixes 50 cm apart with centimetre covariances: one of them is wrong, the epoch is float
    assert out.quality[2] == Quality.FLOAT


def test_combined_ratio_is_that_of_the_pass_taken():
    # RTKLIB postpos.c combres: sols = solf[i] where both passes have the same quality (its ratio is the
    # forward pass's), else the better pass's solution with its own ratio
    cov = np.broadcast_to(np.eye(3) * 1e-6, (3, 3, 3)).copy()
    f = _pass(np.zeros((3, 3)), cov, [Quality.FIX, Quality.FLOAT, Quality.FIX])
    b = _pass(np.zeros((3, 3)), cov, [Quality.FIX, Quality.FIX, Quality.FLOAT])
    f.ratio[:], b.ratio[:] = [5.0, 2.0, 7.0], [999.9, 40.0, 1.5]
    assert combine_passes(f, b).ratio.tolist() == [5.0, 40.0, 7.0]


def test_fixes_closer_than_the_tolerance_stay_fixed_whatever_other_epochs_do():
    # epoch 0: fixes 1.5 cm apart with millimetre covariances (far beyond the chi-square bound, within
    # tol_m = 2 cm): kept fixed; epoch 1: fixes 50 cm apart: degraded to float
    cov = np.broadcast_to(np.eye(3) * 1e-6, (2, 3, 3)).copy()
    fix = [Quality.FIX, Quality.FIX]
    f = _pass(np.zeros((2, 3)), cov, fix)
    b = _pass(np.array([[0.015, 0.0, 0.0], [0.5, 0.0, 0.0]]), cov, fix)
    out = combine_passes(f, b, tol_m=0.02)
    assert out.quality.tolist() == [Quality.FIX, Quality.FLOAT]
    np.testing.assert_allclose(out.pos[0], [0.0075, 0.0, 0.0], rtol=1e-9)


def test_disagreeing_fixes_are_judged_by_their_summed_covariance_and_lose_their_counts():
    # epoch 0: fixes 5 cm apart with 2 cm sigmas on each side: consistent (chi-square 3.1), still fixed;
    # epoch 1: 5 cm apart with 2 mm sigmas: one is wrong, float, and no ambiguity counts as fixed
    cov = np.stack([np.eye(3) * 4e-4, np.eye(3) * 4e-6])
    f = _pass(np.zeros((2, 3)), cov, [Quality.FIX, Quality.FIX])
    b = _pass(np.array([[0.05, 0.0, 0.0], [0.05, 0.0, 0.0]]), cov, [Quality.FIX, Quality.FIX])
    for p, n in ((f, 12), (b, 11)):
        p.nfix_by_sys[1][:] = n
        p.ratio[:] = [8.0, 20.0]
        p.nsat[:] = 7
    out = combine_passes(f, b, tol_m=0.02)
    assert out.quality.tolist() == [Quality.FIX, Quality.FLOAT]
    assert out.nfix_by_sys[1].tolist() == [12, 0]  # the forward pass's count where both are fixed
    assert out.ratio.tolist() == [8.0, 20.0] and out.nsat.dtype == np.int64 and out.nsat.tolist() == [7, 7]


def test_combine_passes_built_with_one_count_per_system_code():
    # passes assembled by hand, with the per-system counts keyed by every system code (0 = none, 1..7 =
    # G R E C J S I), combine like those of PassResult.empty
    n = 2
    codes = range(len(" GRECJSI"))

    def made(x, q, nfix):
        return PassResult(
            pos=np.array(x, float),
            cov=np.broadcast_to(np.eye(3) * 1e-4, (n, 3, 3)).copy(),
            quality=np.array(q, np.uint8),
            ratio=np.array([3.0, 0.0]),
            nsat=np.array([9, 8]),
            nsat_by_sys={c: np.array([9, 8]) * (c == 1) for c in codes},
            nfix_by_sys={c: np.array([nfix, 0]) * (c == 1) for c in codes},
        )

    f = made([[0, 0, 0], [1, 1, 1]], [Quality.FIX, Quality.FLOAT], 8)
    b = made([[0, 0, 0], [1, 1, 1]], [Quality.FLOAT, Quality.FLOAT], 0)
    out = combine_passes(f, b)
    assert out.quality.tolist() == [Quality.FIX, Quality.FLOAT]
    assert out.nfix_by_sys[1].tolist() == [8, 0] and out.nsat_by_sys[1].tolist() == [9, 8]


@pytest.mark.parametrize("n", [1, 2, 5])
def test_adop_bound_exact_for_one_ambiguity(n):
    # for a diagonal covariance the bound is evaluated with the Wilson-Hilferty approximation only;
    # for one ambiguity with variance s^2, P_s = 2 Phi(1 / (2 s)) - 1 exactly and the bound >= it
    s = 0.2
    Q = np.eye(n) * s**2
    exact = math.erf(1 / (2 * s * math.sqrt(2))) ** n
    assert adop_success_bound(Q) >= exact - 1e-2


@pytest.mark.parametrize(("n", "s"), [(4, 0.2), (4, 0.25), (6, 0.25), (10, 0.2), (20, 0.3)])
def test_adop_bound_against_the_chi_square_distribution(n, s):
    # P(chi2_n <= c_n / ADOP^2), c_n = ((n/2) Gamma(n/2))^(2/n) / pi (Teunissen 2000), with scipy's exact
    # chi-square in place of the Wilson-Hilferty approximation (within 1e-2 for n >= 4)
    from scipy.stats import chi2

    rng = np.random.default_rng(n)
    a = rng.normal(size=(n, n))
    Q = s**2 * (a @ a.T / n + 0.5 * np.eye(n))
    adop2 = np.linalg.det(Q) ** (1.0 / n)
    c_n = ((n / 2) * math.gamma(n / 2)) ** (2.0 / n) / math.pi
    exact = chi2.cdf(c_n / adop2, n)
    assert 0.01 < exact < 0.99
    assert adop_success_bound(Q) == pytest.approx(exact, abs=1e-2)


def test_weak_tier_needs_enough_satellites():
    # floats 0.01 cycles from integers, 0.2 cycles of noise: bootstrapped success ~0.95 (weak tier), ratio huge
    from kompas.estimators.rtk_ar import _try

    a = np.array([3.01, -2.01, 7.01, 0.99])
    Q = np.diag(np.full(4, 0.2**2))
    opts = ArOptions()
    ok6, ratio, ps, _, ints, _ = _try(a, Q, opts, n_sat=6)
    assert 0.9 < ps < 0.99 and ratio > opts.weak_ratio
    assert ok6 and ints.tolist() == [3, -2, 7, 1]
    assert not _try(a, Q, opts, n_sat=5)[0]  # weak_min_sats: too few satellites for the weak tier
    assert _try(a, Q, dataclasses.replace(opts, weak_min_sats=5), n_sat=5)[0]


@pytest.mark.parametrize(("sigma", "n_fixed"), [(4.0, 10), (8.0, 11)])
def test_ambiguities_beyond_max_sigma_are_left_out_before_the_search(sigma, n_fixed):
    # 12 double differences, 11 at 0.04 cycles and one at `sigma`: within max_sigma_cyc (5) it enters the first
    # search, which fails, and leaves with the least precise sixth (two: 10 fixed); beyond it, it is left out
    # before the search (11 fixed)
    n = 13
    truth = np.random.default_rng(5).integers(-30, 30, n).astype(float)
    sig = np.full(n, 0.03)
    sig[-1] = sigma
    x = np.r_[np.zeros(3), truth + np.where(np.arange(n) == n - 1, 0.3, 0.01)]
    P = np.zeros((3 + n, 3 + n))
    P[:3, :3] = np.eye(3)
    P[3:, 3:] = np.diag(sig**2)
    amb = AmbiguitySet(
        np.arange(3, 3 + n), np.ones(n, int), np.linspace(1.2, 0.2, n), np.ones(n, int), np.arange(n)
    )
    res = resolve(x, P, amb, ArOptions())
    assert res.fixed and res.col.size == n_fixed
    np.testing.assert_array_equal(res.integers, truth[res.col - 3] - truth[res.ref - 3])


def test_a_single_double_difference_is_searched_when_one_may_be_fixed():
    x = np.r_[np.zeros(3), 7.02, 3.0]
    P = np.diag(np.r_[np.ones(3), 0.035**2, 0.035**2])  # double difference at 0.05 cycles: not "sure"
    amb = AmbiguitySet(np.array([3, 4]), np.ones(2, int), np.array([0.3, 0.9]), np.ones(2, int), np.arange(2))
    res = resolve(x, P, amb, ArOptions(min_fixed=1))
    assert res.fixed and res.integers.tolist() == [4]
    assert not resolve(x, P, amb, ArOptions(min_fixed=2)).fixed


def test_hopeless_sets_are_skipped_without_spending_a_search():
    # two double differences known to 1e5 cycles (kept: max_sigma_cyc raised): the ADOP bound of the full set
    # (0.07) says no search can pass, not even by the weak tier, so the least precise sixth leaves without one
    # and the single search allowed fixes the ten precise ones; spent on the full set, it would fail
    n = 13
    truth = np.random.default_rng(8).integers(-30, 30, n).astype(float)
    sig = np.r_[np.full(11, 0.03), np.full(2, 1e5)]
    x = np.r_[np.zeros(3), truth + np.r_[np.full(11, 0.01), np.full(2, 0.4)]]
    P = np.zeros((3 + n, 3 + n))
    P[:3, :3] = np.eye(3)
    P[3:, 3:] = np.diag(sig**2)
    amb = AmbiguitySet(
        np.arange(3, 3 + n), np.ones(n, int), np.linspace(1.2, 0.2, n), np.ones(n, int), np.arange(n)
    )
    res = resolve(x, P, amb, ArOptions(max_searches=1, max_sigma_cyc=1e7))
    assert res.fixed and res.col.size == 10


def _weak_model(n_dd: int, sats=None):
    """``n_dd`` double differences at 0.2 cycles, floats 0.01 cycles from their integers: a bootstrapped
    success rate of 0.94-0.95 (the weak tier) and a huge ratio."""
    n = n_dd + 1
    truth = np.arange(n, dtype=float) * 3.0
    sig = np.r_[0.001, np.full(n_dd, 0.2)]
    x = np.r_[np.zeros(3), truth + np.r_[0.0, np.full(n_dd, 0.01)]]
    P = np.zeros((3 + n, 3 + n))
    P[:3, :3] = np.eye(3)
    P[3:, 3:] = np.diag(sig**2)
    return (
        x,
        P,
        AmbiguitySet(np.arange(3, 3 + n), np.ones(n, int), np.linspace(1.2, 0.2, n), np.ones(n, int), sats),
    )


def test_the_weak_tier_counts_the_satellites_of_the_subset():
    # five double differences of six satellites: fixed by the weak tier
    x, P, amb = _weak_model(5, np.arange(6))
    res = resolve(x, P, amb, ArOptions())
    assert res.fixed and res.col.size == 5 and 0.9 < res.success < 0.99
    # the same five on two bands of four satellites: too few for the weak tier
    x, P, amb = _weak_model(5, np.array([5, 0, 1, 2, 0, 1]))
    assert not resolve(x, P, amb, ArOptions()).fixed
    # without satellites each double difference counts as one more satellite: 5 + 1 = 6 pass, 4 + 1 do not
    assert resolve(*_weak_model(5), ArOptions()).fixed
    assert not resolve(*_weak_model(4), ArOptions()).fixed


def _obs_with(receiver_type, cpb):
    from types import SimpleNamespace

    from kompas.tables.obs import ObsHeader

    return SimpleNamespace(
        header=ObsHeader(version=3.04, system="M", receiver_type=receiver_type, glonass_cpb_m=cpb)
    )


def test_ifb_prior_from_records_options_and_receiver_makes():
    from kompas.estimators.rtk_options import GlonassOptions
    from kompas.rtk import ifb_prior

    step = 0.5625 / 1602  # delta f / f of the G1 channels
    leica = _obs_with("LEICA GR50", {"C1C": -71.94, "C2P": -71.94})
    javad_blank = _obs_with("JAVAD TRE_3 DELTA", {c: math.nan for c in ("C1C", "C1P", "C2C", "C2P")})
    glo = GlonassOptions()
    # a blank record: the make's value (JAVAD aligns its phases: 0)
    assert ifb_prior(javad_blank, leica, glo) == pytest.approx(-71.94 * step)
    # an option beats the make, the record beats the option
    assert ifb_prior(javad_blank, leica, dataclasses.replace(glo, cpb_rover_m=-10.0)) == pytest.approx(
        -61.94 * step
    )
    assert ifb_prior(leica, javad_blank, dataclasses.replace(glo, cpb_rover_m=0.0)) == pytest.approx(
        71.94 * step
    )
    # a make not in the table, or headers not read: uncalibrated unless both values are given
    trimble = _obs_with("TRIMBLE NETR9", {})
    assert ifb_prior(trimble, leica, glo) is None
    assert ifb_prior(javad_blank, leica, dataclasses.replace(glo, use_header=False)) is None
    given = dataclasses.replace(glo, use_header=False, cpb_rover_m=1.0, cpb_base_m=-1.0)
    assert ifb_prior(javad_blank, leica, given) == pytest.approx(-2.0 * step)
    assert ifb_prior(_obs_with("", {}), leica, glo) is None and ifb_prior(
        _obs_with("sept polarx5", {}), leica, glo
    ) == pytest.approx(-71.94 * step)


def test_ifb_note_names_each_receivers_source():
    from kompas.estimators.rtk_options import GlonassOptions
    from kompas.rtk import ifb_note

    leica = _obs_with("LEICA GR50", {"C1C": -71.94})
    javad = _obs_with("JAVAD TRE_3 DELTA", {"C1C": math.nan})
    note = ifb_note(javad, leica, GlonassOptions())
    assert note == (
        "GLONASS code-phase biases: rover 0.000 m (make of JAVAD TRE_3 DELTA), base -71.940 m (header); "
        "phase IFB slope -2.53 cm per channel"
    )
    note = ifb_note(_obs_with("TRIMBLE NETR9", {}), leica, GlonassOptions(cpb_base_m=5.0))
    assert note == (
        "GLONASS code-phase biases: rover ? (unknown for TRIMBLE NETR9), base -71.940 m (header); "
        "phase IFB slope estimated from 0"
    )
    note = ifb_note(javad, leica, GlonassOptions(cpb_rover_m=-10.0))
    assert "rover -10.000 m (option)" in note and "-2.17 cm per channel" in note


def test_cell_keys_follow_satellite_band_and_both_signals():
    """An ambiguity arc is one satellite's signal pair on a band (a rover that switches from L2 P(Y) to
    L2C starts a new arc: the two carry different receiver phase biases), and a difference group is
    one system's signal pair: satellites tracked on different rover signals are not differenced."""
    from types import SimpleNamespace

    from kompas.rtk_run import cell_table
    from kompas.satsys import sat_index

    sid = {"1C": 2, "2W": 26 + 22, "2L": 26 + 11}  # (band - 1) * 26 + attribute letter
    # rows: epoch 0 G05, G12; epoch 1 G05, G12. Columns: band 1, band 2
    sig_r = np.array([[sid["1C"], sid["2W"]], [sid["1C"], sid["2L"]], [sid["1C"], sid["2L"]],
                      [sid["1C"], sid["2L"]]], np.uint8)  # fmt: skip
    sig_b = np.array([[sid["1C"], sid["2W"]]] * 4, np.uint8)
    epoch = np.array([0, 0, 1, 1])
    bd = SimpleNamespace(
        signal_r=sig_r, signal_b=sig_b, sat=np.tile(sat_index(["G05", "G12"]), 2),
        freq_hz=np.tile([1575.42e6, 1227.60e6], (4, 1)), code_r=np.zeros((4, 2)), code_b=np.zeros((4, 2)),
        phase_r=np.zeros((4, 2)), phase_b=np.zeros((4, 2)), glo_k=np.zeros(4, int), slip=np.zeros((4, 2), bool),
        row_epoch=lambda: epoch, n_epochs=2,
    )  # fmt: skip
    c = cell_table(bd)
    cell = {(int(r), int(b)): i for i, (r, b) in enumerate(zip(c["row"], c["band"], strict=True))}
    key, group = c["key"], c["group"]
    assert key[cell[0, 1]] == key[cell[2, 1]]  # G05 band 1, both epochs: one arc
    assert key[cell[0, 2]] != key[cell[2, 2]]  # G05 band 2, 2W then 2L: a new arc
    assert key[cell[1, 2]] == key[cell[3, 2]]  # G12 band 2, 2L both epochs
    assert key[cell[0, 1]] != key[cell[0, 2]] and key[cell[0, 1]] != key[cell[1, 1]]
    assert group[cell[0, 1]] == group[cell[1, 1]]  # band 1: G05 and G12 differenced together
    assert group[cell[0, 2]] != group[cell[1, 2]]  # band 2 at epoch 0: 2W/2W and 2L/2W apart
    assert group[cell[2, 2]] == group[cell[3, 2]]  # epoch 1: both 2L/2W


def test_antex_without_one_receivers_antenna_names_which():
    from types import SimpleNamespace

    from kompas.rtk_run import _antenna_cells

    class Atx:
        def receiver(self, name):
            if name != "LEIAR20         LEIM":
                raise KeyError(name)
            return object()

    def obs(antenna):
        return SimpleNamespace(station=SimpleNamespace(antenna_type=antenna))

    cells = {"row": np.arange(3)}
    for rover, base, who, name in (("TRM55971.00     NONE", "LEIAR20         LEIM", "rover", "TRM55971.00"),
                                   ("LEIAR20         LEIM", "TRM55971.00     NONE", "base", "TRM55971.00")):  # fmt: skip
        corr, notes = _antenna_cells(cells, None, None, None, Atx(), obs(rover), obs(base))
        np.testing.assert_array_equal(corr, np.zeros(3))
        assert notes == [f"ANTEX has no {who} antenna {name + '     NONE'!r}: no antenna corrections applied"]
    # no ANTEX: nothing, no note
    corr, notes = _antenna_cells(cells, None, None, None, None, obs(""), obs(""))
    np.testing.assert_array_equal(corr, np.zeros(3))
    assert notes == []


def test_each_decorrelated_combination_names_its_system_or_minus_one():
    # the same wide lanes with satellites 3-5 labelled system 2: a combination of double differences of
    # one system carries that system, one that mixes systems -1 (it then holds no per-system count)
    x, P, amb, _ = _two_carriers(21)
    sys = np.where(amb.sat >= 3, 2, 1)
    res = resolve(x, P, AmbiguitySet(amb.col, amb.group, amb.score, sys, amb.sat), ArOptions())
    assert res.fixed and res.combos is not None
    dd_sys = sys[np.searchsorted(amb.col, res.col)]
    want = [int(s[0]) if np.unique(s).size == 1 else -1 for s in (dd_sys[row != 0] for row in res.combos)]
    assert res.sys.tolist() == want
    assert len(set(want)) > 1  # both cases occur


def test_combine_takes_the_better_pass_where_one_is_missing_or_worse():
    # RTKLIB's order: fix, float, ..., single; an epoch solved by one pass only takes that pass
    cov = np.broadcast_to(np.eye(3) * 1e-4, (4, 3, 3)).copy()
    q_f = [Quality.NONE, Quality.FLOAT, Quality.NONE, Quality.SINGLE]
    q_b = [Quality.FLOAT, Quality.NONE, Quality.NONE, Quality.FLOAT]
    f = _pass(np.array([[np.nan] * 3, [1, 1, 1], [np.nan] * 3, [3, 3, 3]], float), cov, q_f)
    b = _pass(np.array([[0, 0, 0], [np.nan] * 3, [np.nan] * 3, [4, 4, 4]], float), cov, q_b)
    out = combine_passes(f, b)
    assert out.quality.dtype == np.uint8
    assert out.quality.tolist() == [Quality.FLOAT, Quality.FLOAT, Quality.NONE, Quality.FLOAT]
    np.testing.assert_array_equal(out.pos[[0, 1, 3]], [[0, 0, 0], [1, 1, 1], [4, 4, 4]])
    assert np.isnan(out.pos[2]).all()
