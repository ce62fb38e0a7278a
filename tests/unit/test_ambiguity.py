"""Integer ambiguity resolution (kompas.estimators.ambiguity): LAMBDA/MLAMBDA, validation, partial fixing.

References used here: cssrlib 1.2.1 ``cssrlib.mlambda.mlambda`` (an independent Python MLAMBDA, PyPI);
brute-force enumeration; the 3-D example of de Jonge & Tiberius (1996); closed-form normal
probabilities; Monte-Carlo simulation of integer bootstrapping written here from its definition.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from kompas import KompasError
from kompas.errors import EstimatorError
from kompas.estimators.ambiguity import (
    decorrelate,
    fixed_solution,
    lambda_ils,
    ltdl,
    partial_fix,
    ratio_test,
    reduction,
    search,
    success_rate_bootstrap,
)


def exact_sqnorm(a, Q, cands):
    """(a - c)^T Q^-1 (a - c) for each row c, by a solve in the original space (no factorisation of ours)."""
    e = a[None, :] - np.asarray(cands, dtype=float)
    return np.einsum("ij,ij->i", e, np.linalg.solve(Q, e.T).T)


def gnss_like(rng, n, sigma_geom2=25.0, sigma_phase2=1e-3):
    """Covariance of double-differenced float ambiguities after a short span: a strong rank-3 part (the
    baseline, cycles^2) on top of correlated phase noise; condition numbers 1e4 .. 1e8."""
    B = rng.normal(size=(n, 3))
    return sigma_geom2 * B @ B.T + sigma_phase2 * (np.eye(n) + np.ones((n, n)))


def well_conditioned(rng, n, scale=0.05):
    A = rng.normal(size=(n, n))
    return scale * (A @ A.T / n + 0.2 * np.eye(n))


def float_from(rng, Q, spread=50):
    """A float vector as an estimator produces it: random true integers plus noise drawn from Q."""
    n = Q.shape[0]
    return rng.integers(-spread, spread, n) + np.linalg.cholesky(Q) @ rng.normal(size=n)


# -- factorisation ------------------------------------------------------------------------------------


@pytest.mark.parametrize("pivot", [False, True])
def test_ltdl_reconstructs_and_is_unit_lower_triangular(pivot):
    rng = np.random.default_rng(0)
    for n in (1, 2, 5, 17, 40):
        Q = gnss_like(rng, n) if n > 3 else well_conditioned(rng, n)
        f = ltdl(Q, pivot=pivot)
        assert np.array_equal(np.sort(f.perm), np.arange(n))
        if not pivot:
            assert np.array_equal(f.perm, np.arange(n))
        assert np.allclose(np.diag(f.L), 1.0) and np.all(np.triu(f.L, 1) == 0.0)
        assert np.all(f.D > 0)
        Qp = Q[np.ix_(f.perm, f.perm)]
        assert np.allclose(f.L.T @ np.diag(f.D) @ f.L, Qp, rtol=0, atol=1e-12 * np.abs(Q).max())


def test_ltdl_conditional_variances_by_hand():
    # 2x2: D[1] = Q11, D[0] = Q00 - Q01^2 / Q11 (variance of a0 given a1), L[1, 0] = Q01 / Q11
    f = ltdl([[4.0, 2.0], [2.0, 2.0]])
    assert f.D == pytest.approx([4.0 - 4.0 / 2.0, 2.0])
    assert f.L[1, 0] == pytest.approx(1.0)
    # pivoting moves the smaller diagonal last: already there; with it first it is swapped
    g = ltdl([[2.0, 2.0], [2.0, 4.0]], pivot=True)
    assert list(g.perm) == [1, 0] and g.D == pytest.approx([2.0, 2.0])


@pytest.mark.parametrize(
    "Q",
    [
        [[1.0, 2.0], [2.0, 1.0]],  # indefinite
        [[1.0, 1.0], [1.0, 1.0]],  # singular
        [[1.0, 0.5], [0.4, 1.0]],  # not symmetric
        [[1.0, np.nan], [np.nan, 1.0]],
        [[1.0, 0.0, 0.0]],
        np.zeros((0, 0)),
    ],
)
def test_bad_covariances_raise_estimator_error(Q):
    with pytest.raises(EstimatorError):
        ltdl(Q)
    with pytest.raises(KompasError):
        lambda_ils(np.zeros(np.shape(Q)[0]), Q)


# -- decorrelation ------------------------------------------------------------------------------------

# de Jonge & Tiberius (1996, sect. 3.7), also Teunissen (1995): the 3-D example. The decorrelated
# covariance and float vector below are the values printed there (to 3 decimals; quoted from the
# literature as we know it, the report itself was not at hand to re-read). Z is unique only up to the
# signs of its columns, so the comparison is on magnitudes (and on signs of the products).
DJT_Q = np.array([[6.290, 5.978, 0.544], [5.978, 6.292, 2.340], [0.544, 2.340, 6.288]])
DJT_A = np.array([5.45, 3.10, 2.97])
DJT_QZ = np.array([[4.476, 0.334, 0.230], [0.334, 1.146, 0.082], [0.230, 0.082, 0.626]])
DJT_ZHAT = np.array([-4.57, 10.02, 2.35])


def test_de_jonge_tiberius_example_decorrelation():
    r = decorrelate(DJT_Q)
    qz = r.Z.T @ DJT_Q @ r.Z
    signs = np.sign(DJT_ZHAT * (r.Z.T @ DJT_A))  # column signs of our Z relative to the published one
    assert np.allclose(qz * np.outer(signs, signs), DJT_QZ, atol=5e-4)
    assert np.allclose(signs * (r.Z.T @ DJT_A), DJT_ZHAT, atol=5e-3)
    # the correlation coefficients drop from 0.95 to at most 0.15
    corr = lambda q: np.abs(q / np.sqrt(np.outer(np.diag(q), np.diag(q))) - np.eye(3)).max()  # noqa: E731
    assert corr(DJT_Q) > 0.95 and corr(qz) < 0.15


def test_de_jonge_tiberius_example_fixed_solution():
    res = lambda_ils(DJT_A, DJT_Q, m=2)
    assert res.fixed[0].tolist() == [5, 3, 4]  # the integer solution of the example
    # second best found by brute force in test_brute_force_small_dimensions; here the norms are
    # checked against a direct solve in the original space
    assert np.allclose(res.sqnorm, exact_sqnorm(DJT_A, DJT_Q, res.fixed), rtol=1e-12)
    assert res.sqnorm[0] == pytest.approx(0.2183311, abs=1e-7)


def test_decorrelation_is_unimodular_round_trip_and_reduces_condition():
    rng = np.random.default_rng(1)
    for n in (2, 3, 8, 20, 40):
        Q = gnss_like(rng, n, sigma_phase2=10 ** rng.uniform(-4, -2))
        r = decorrelate(Q)
        assert r.Z.dtype == np.int64 and r.Zinv.dtype == np.int64
        assert round(abs(np.linalg.det(r.Z.astype(float)))) == 1
        assert np.array_equal(r.Zinv @ r.Z, np.eye(n, dtype=np.int64))
        Qz = r.Z.T @ Q @ r.Z
        assert np.allclose(Qz, r.L.T @ np.diag(r.D) @ r.L, rtol=0, atol=1e-9 * np.abs(Qz).max())
        assert np.all(np.abs(np.tril(r.L, -1)) <= 0.5 + 1e-12)  # size-reduced
        # LAMBDA's ordering condition: no swap of neighbours would lower D[k+1]
        lk = r.L[np.arange(1, n), np.arange(n - 1)]
        assert np.all(r.D[:-1] + lk**2 * r.D[1:] >= r.D[1:] * (1 - 1e-9))
        if n > 3:
            assert np.linalg.cond(Qz) < np.linalg.cond(Q) / 10.0
        # a vector mapped to z and back is the same integer vector
        a = rng.integers(-1000, 1000, n)
        assert np.array_equal(r.Zinv.T @ (r.Z.T @ a), a)


def test_reduction_accepts_a_plain_factorisation_and_keeps_the_product():
    # product of conditional variances = det(Q) is invariant under unimodular Z
    rng = np.random.default_rng(2)
    Q = gnss_like(rng, 12)
    f = ltdl(Q)
    r = reduction(f.L, f.D)
    assert np.sum(np.log(r.D)) == pytest.approx(np.sum(np.log(f.D)), rel=1e-10)
    assert np.allclose(r.Z.T @ Q @ r.Z, r.L.T @ np.diag(r.D) @ r.L, atol=1e-9 * np.abs(Q).max())
    with pytest.raises(EstimatorError):
        reduction(f.L, -f.D)


def test_zinv_found_without_carrying_it_and_when_floating_point_cannot_prove_it(monkeypatch):
    """reduction() finds Zinv as Z's floating-point inverse proved exact; where that proof fails (entries
    beyond what int64 products can check), the reduction runs again carrying Zinv exactly: same result."""
    import kompas.estimators.lambda_reduction as amb

    rng = np.random.default_rng(7)
    # a unimodular matrix with large entries: products of integer Gauss steps
    z = np.eye(6, dtype=np.int64)
    for _ in range(40):
        i, j = rng.choice(6, 2, replace=False)
        z[:, j] += int(rng.integers(-3, 4)) * z[:, i]
    zi = amb._exact_inverse(z)
    assert zi is not None and np.array_equal(z @ zi, np.eye(6, dtype=np.int64))
    big = z.copy()
    big[:, 0] += 2**40 * big[:, 1]  # still unimodular; z @ inverse could wrap in int64: not trusted
    assert amb._exact_inverse(big) is None
    assert amb._exact_inverse(np.array([[2, 0], [0, 1]])) is None  # not unimodular: no integer inverse

    Q = gnss_like(rng, 15)
    f = ltdl(Q, pivot=True)
    direct = reduction(f.L, f.D)
    monkeypatch.setattr(amb, "_exact_inverse", lambda z: None)
    carried = reduction(f.L, f.D)
    for name in ("Z", "Zinv", "L", "D"):
        assert np.array_equal(getattr(direct, name), getattr(carried, name)), name
    assert np.array_equal(carried.Z @ carried.Zinv, np.eye(15, dtype=np.int64))
    assert not np.array_equal(carried.Z, np.eye(15, dtype=np.int64))  # the case does transform


def _count_permutations(monkeypatch):
    import kompas.estimators.lambda_reduction as amb

    calls = [0]
    real = amb._permute

    def counted(*args):
        calls[0] += 1
        return real(*args)

    monkeypatch.setattr(amb, "_permute", counted)
    return calls


def filter_like(rng, n, epochs, sigma_phase=0.01, sigma_code=1.5, turn=0.005):
    """Float ambiguity covariances (cycles^2) of a kinematic filter, epoch after epoch: each epoch's phase
    and code (geometry ``G``, n x 3, turning slowly) with the position eliminated, information summed."""
    G = rng.normal(size=(n, 3))
    info = np.zeros((n, n))
    wp, wc = 1 / sigma_phase**2, 1 / sigma_code**2
    out = []
    for _ in range(epochs):
        G = G + turn * rng.normal(size=(n, 3))
        info += wp * np.eye(n) - wp**2 * G @ np.linalg.solve((wp + wc) * G.T @ G, G.T)
        Q = np.linalg.inv(info + 1e-6 * np.eye(n))
        out.append(0.5 * (Q + Q.T))
    return out


def test_a_reduction_started_from_the_last_epoch_s_is_valid_cheap_and_searches_the_same(monkeypatch):
    """decorrelate(Q, start=...) from the transformation of the epoch before: a valid reduction
    (unimodular, exact inverse, factorisation, size-reduced, ordered) for a tenth of the permutations,
    and LAMBDA gives the same candidates and norms as from scratch."""
    rng = np.random.default_rng(21)
    perms = _count_permutations(monkeypatch)
    counts = np.zeros(2, int)  # cold, warm
    for n in (8, 20, 40, 8, 20, 40):
        *_, Q0, Q1 = filter_like(rng, n, 12)
        last = decorrelate(Q0)
        perms[0] = 0
        cold = decorrelate(Q1)
        counts[0] += perms[0]
        perms[0] = 0
        warm = decorrelate(Q1, start=last)
        counts[1] += perms[0]
        assert np.array_equal(warm.Zinv @ warm.Z, np.eye(n, dtype=np.int64))
        Qz = warm.Z.T @ Q1 @ warm.Z
        assert np.allclose(Qz, warm.L.T @ np.diag(warm.D) @ warm.L, rtol=0, atol=1e-9 * np.abs(Qz).max())
        assert np.all(np.abs(np.tril(warm.L, -1)) <= 0.5 + 1e-12)
        lk = warm.L[np.arange(1, n), np.arange(n - 1)]
        assert np.all(warm.D[:-1] + lk**2 * warm.D[1:] >= warm.D[1:] * (1 - 1e-9))
        # det is invariant: the product of conditional variances of either reduction
        assert np.sum(np.log(warm.D)) == pytest.approx(np.sum(np.log(cold.D)), rel=1e-9)
        a = float_from(rng, Q1)
        got, ref = lambda_ils(a, Q1, m=3, start=last), lambda_ils(a, Q1, m=3)
        assert np.array_equal(got.fixed, ref.fixed)
        assert np.allclose(got.sqnorm, ref.sqnorm, rtol=1e-8)
        assert np.array_equal(got.reduction.Z, got.Z) and np.array_equal(ref.reduction.Z, ref.Z)
    assert counts[0] > 500 and counts[1] <= counts[0] / 10, counts  # one draw of n = 40: 293 / 101


def test_a_start_that_does_not_apply_is_ignored():
    """A start of another size, one with entries beyond _WARM_MAX, or one under which the transformed
    covariance would be mostly rounding (_WARM_RTOL): the reduction from scratch, exactly."""
    import kompas.estimators.lambda_reduction as amb

    rng = np.random.default_rng(22)
    Q = gnss_like(rng, 10)
    cold = decorrelate(Q)
    other = decorrelate(gnss_like(rng, 9))
    z = np.eye(10, dtype=np.int64)
    z[:, 0] += 2**21 * z[:, 1]  # unimodular, but too large to start from
    zi = np.eye(10, dtype=np.int64)
    zi[:, 0] -= 2**21 * zi[:, 1]
    big = amb.ReductionResult(z, zi, np.eye(10), np.ones(10))
    assert np.array_equal(z @ zi, np.eye(10, dtype=np.int64))
    for start in (other, big):
        got = decorrelate(Q, start=start)
        for name in ("Z", "Zinv", "L", "D"):
            assert np.array_equal(getattr(got, name), getattr(cold, name)), name
    # a start that does reduce Q, but with entries so large that Z0^T Q Z0 would be mostly rounding
    zr = np.eye(6, dtype=np.int64)
    zr[:, 0] += 40_000 * zr[:, 1]
    zr_inv = np.eye(6, dtype=np.int64)
    zr_inv[:, 0] -= 40_000 * zr_inv[:, 1]
    Qr = zr_inv.T.astype(float) @ np.diag([1e-3, 2e-3, 3e-3, 4e-3, 5e-3, 6e-3]) @ zr_inv.astype(float)
    Qr = 0.5 * (Qr + Qr.T) + 1e-9 * np.eye(6)
    rounding = np.finfo(float).eps * 6 * 40_001**2 * np.abs(Qr).max()
    assert rounding > 1e-6 * np.min(np.diag(zr.T @ Qr @ zr))  # beyond _WARM_RTOL
    got = decorrelate(Qr, start=amb.ReductionResult(zr, zr_inv, np.eye(6), np.ones(6)))
    ref = decorrelate(Qr)
    for name in ("Z", "Zinv", "L", "D"):
        assert np.array_equal(getattr(got, name), getattr(ref, name)), name
    # just below the limit the start is taken (a different transformation from the same Q)
    z[:, 0] -= 2 * z[:, 1]
    zi[:, 0] += 2 * zi[:, 1]
    near = decorrelate(Q, start=amb.ReductionResult(z, zi, np.eye(10), np.ones(10)))
    assert np.array_equal(near.Zinv @ near.Z, np.eye(10, dtype=np.int64))


# -- search ---------------------------------------------------------------------------------------------


def test_search_diagonal_case_by_hand():
    # independent ambiguities: candidates are the roundings; norms sum of squared distances / variance
    L, D = np.eye(3), np.array([0.04, 0.09, 0.01])
    zhat = np.array([0.1, 2.45, -0.7])
    res = search(L, D, zhat, m=3)
    assert res.z.tolist() == [[0, 2, -1], [0, 3, -1], [1, 2, -1]]
    base = 0.1**2 / 0.04 + 0.45**2 / 0.09 + 0.3**2 / 0.01
    assert res.sqnorm == pytest.approx(
        [base, base - 0.45**2 / 0.09 + 0.55**2 / 0.09, base - 0.25 + 0.81 / 0.04]
    )
    with pytest.raises(EstimatorError, match="D > 0"):
        search(L, [0.04, 0.0, 0.01], zhat)
    with pytest.raises(EstimatorError, match="m >= 1"):
        search(L, D, zhat, m=0)
    with pytest.raises(EstimatorError, match="finite L and zhat"):
        search(L, D, [0.0, np.nan, 1.0])


def test_search_of_single_precision_inputs_runs_in_double_precision():
    # a float32 factor is converted once: the same candidates and norms as its float64 copy
    rng = np.random.default_rng(5)
    L32 = (np.tril(rng.normal(size=(6, 6)) * 0.3, -1) + np.eye(6)).astype(np.float32)
    D = rng.uniform(0.01, 0.1, 6)
    zhat = rng.normal(size=6) * 3
    r32, r64 = search(L32, D, zhat), search(L32.astype(np.float64), D, zhat)
    assert r32.z.tolist() == r64.z.tolist()
    np.testing.assert_allclose(r32.sqnorm, r64.sqnorm, rtol=1e-14)


def test_brute_force_small_dimensions():
    rng = np.random.default_rng(3)
    for trial in range(40):
        n = 1 + trial % 4
        Q = well_conditioned(rng, n, scale=10 ** rng.uniform(-1.5, 0.5))
        if trial % 3 == 0:
            Q = gnss_like(rng, n, sigma_geom2=1.0, sigma_phase2=0.05) if n > 1 else Q
        a = rng.uniform(-20, 20, n)
        res = lambda_ils(a, Q, m=2)
        # every integer vector with norm <= our second norm lies in this box (|e_i| <= sqrt(chi2 Q_ii)),
        # and our second norm is >= the true second-best norm, so the box holds the true best two
        half = np.sqrt(res.sqnorm[1] * np.diag(Q)) * (1 + 1e-9)
        axes = [np.arange(math.ceil(a[i] - half[i]), math.floor(a[i] + half[i]) + 1) for i in range(n)]
        grid = np.array(list(itertools.product(*axes)))
        assert grid.shape[0] < 200_000
        norms = exact_sqnorm(a, Q, grid)
        best = np.argsort(norms)[:2]
        assert res.fixed.tolist() == grid[best].tolist()
        assert np.allclose(res.sqnorm, norms[best], rtol=1e-10)
    # the de Jonge & Tiberius example: second candidate by brute force
    res = lambda_ils(DJT_A, DJT_Q)
    grid = np.array(list(itertools.product(range(-5, 16), range(-7, 14), range(-5, 11))))
    norms = exact_sqnorm(DJT_A, DJT_Q, grid)
    assert grid[np.argsort(norms)[:2]].tolist() == res.fixed.tolist() == [[5, 3, 4], [6, 4, 4]]


def test_more_candidates_and_large_ambiguities():
    rng = np.random.default_rng(4)
    Q = gnss_like(rng, 6, sigma_geom2=0.5, sigma_phase2=0.02)
    a = float_from(rng, Q, spread=10**7)  # undifferenced-size values keep their precision
    res = lambda_ils(a, Q, m=5)
    assert res.fixed.shape == (5, 6) and np.all(np.diff(res.sqnorm) >= 0)
    assert np.allclose(res.sqnorm, exact_sqnorm(a, Q, res.fixed), rtol=1e-8)
    assert len({tuple(c) for c in res.fixed.tolist()}) == 5
    shifted = lambda_ils(a - 10**7, Q, m=5)  # integer translation moves the candidates by the same
    assert np.array_equal(shifted.fixed + 10**7, res.fixed)


# -- against cssrlib ------------------------------------------------------------------------------------


def _cases():
    # Search time grows steeply with dimension and with the spread of the conditional variances (some
    # 40-dimensional ill-conditioned cases take minutes in both implementations), so above 30
    # dimensions the ill-conditioned families are drawn from milder ranges.
    rng = np.random.default_rng(2026)
    for i in range(48):
        n = int(rng.integers(2, 41))
        big = n > 30
        if i % 3 == 0:
            Q = well_conditioned(rng, n, scale=10 ** rng.uniform(-3, -1.5 if big else -0.5))
        elif i % 3 == 1:  # condition 1e4 .. 1e8
            Q = gnss_like(rng, n, sigma_phase2=10 ** rng.uniform(-2.5 if big else -4, -2))
        else:  # from its spectrum: eigenvalues spread over 3 .. 5 decades
            U, _ = np.linalg.qr(rng.normal(size=(n, n)))
            Q = U @ np.diag(10 ** rng.uniform(-4 if big else -5, -1 if big else 0, n)) @ U.T
        # mostly floats consistent with Q; in small dimensions also arbitrary ones (far from any integer
        # in the metric of Q, which makes the search long in high dimensions)
        a = rng.uniform(-100, 100, n) if (i % 4 == 0 and n <= 12) else float_from(rng, Q)
        yield n, Q, a


def test_same_candidates_and_norms_as_cssrlib():
    mlambda = pytest.importorskip("cssrlib.mlambda").mlambda
    conds = []
    for n, Q, a in _cases():
        ours = lambda_ils(a, Q, m=2)
        afix, s, *_ = mlambda(a, Q.copy(), ncands=2)
        assert ours.fixed.tolist() == np.asarray(afix).T.astype(np.int64).tolist(), n
        assert np.allclose(ours.sqnorm, s, rtol=1e-9, atol=0), (n, ours.sqnorm, s)
        assert np.allclose(ours.sqnorm, exact_sqnorm(a, Q, ours.fixed), rtol=1e-7)
        conds.append(np.linalg.cond(Q))
    assert min(conds) < 1e2 and max(conds) > 1e6  # both regimes were exercised


# -- validation -----------------------------------------------------------------------------------------


def test_ratio_test():
    assert ratio_test([2.0, 7.0]).ratio == pytest.approx(3.5)
    assert ratio_test([2.0, 7.0]).passed and not ratio_test([2.0, 5.9]).passed
    assert ratio_test([2.0, 5.9], threshold=2.0).passed
    r = ratio_test([0.0, 1.0])
    assert r.ratio == math.inf and r.passed
    with pytest.raises(EstimatorError):
        ratio_test([1.0])
    # single-precision norms: the ratio in double precision, 7 / 3
    assert ratio_test(np.array([3.0, 7.0], np.float32)).ratio == pytest.approx(7.0 / 3.0, rel=1e-15)


def test_success_rate_bootstrap_closed_form():
    # 2 Phi(x) - 1 for x = 1, 2, 3 (standard normal table): 0.682689492137, 0.954499736104, 0.997300203937
    assert success_rate_bootstrap([0.25]) == pytest.approx(0.682689492137, abs=1e-12)
    assert success_rate_bootstrap([0.25, 1 / 16, 1 / 36]) == pytest.approx(
        0.682689492137 * 0.954499736104 * 0.997300203937, abs=1e-12
    )
    assert success_rate_bootstrap(np.full(10, 1e-4)) == pytest.approx(1.0, abs=1e-12)
    with pytest.raises(EstimatorError):
        success_rate_bootstrap([0.1, 0.0])


def _bootstrap_mc(Q, rng, n_samples):
    """Integer bootstrapping from its definition, with conditional means from Q itself: round the last
    ambiguity, then each earlier one conditioned on the ones already fixed. True integers are 0."""
    n = Q.shape[0]
    x = rng.normal(size=(n_samples, n)) @ np.linalg.cholesky(Q).T
    fixed = np.zeros_like(x)
    fixed[:, n - 1] = np.round(x[:, n - 1])
    for i in range(n - 2, -1, -1):
        rest = slice(i + 1, n)
        gain = np.linalg.solve(Q[rest, rest], Q[rest, i])
        fixed[:, i] = np.round(x[:, i] - (x[:, rest] - fixed[:, rest]) @ gain)
    return np.mean(np.all(fixed == 0, axis=1))


@pytest.mark.parametrize("decorrelated", [False, True])
def test_success_rate_bootstrap_matches_monte_carlo(decorrelated):
    rng = np.random.default_rng(7)
    Q = gnss_like(rng, 5, sigma_geom2=0.05, sigma_phase2=0.01)
    if decorrelated:
        r = decorrelate(Q)
        Q, D = r.Z.T @ Q @ r.Z, r.D
    else:
        D = ltdl(Q).D
    p = success_rate_bootstrap(D)
    assert 0.3 < p < 0.97  # a regime where the test can tell
    n_samples = 40_000
    p_mc = _bootstrap_mc(Q, np.random.default_rng(8), n_samples)
    assert abs(p_mc - p) < 4.5 * math.sqrt(p * (1 - p) / n_samples)


def test_bootstrap_success_rate_rises_with_decorrelation():
    rng = np.random.default_rng(9)
    Q = gnss_like(rng, 8, sigma_geom2=1.0, sigma_phase2=1e-3)
    assert success_rate_bootstrap(decorrelate(Q).D) > success_rate_bootstrap(ltdl(Q).D) + 0.3


# -- partial ambiguity resolution -----------------------------------------------------------------------


def _case_with_one_bad(rng, n=8, bad=5):
    Q = gnss_like(rng, n, sigma_geom2=0.2, sigma_phase2=1e-4)
    Q[bad, :] *= 30.0
    Q[:, bad] *= 30.0  # one ambiguity (e.g. a satellite just risen) with std ~ 15 cycles
    truth = rng.integers(-30, 30, n)
    return Q, truth, truth + np.linalg.cholesky(Q) @ rng.normal(size=n)


def test_partial_fix_excludes_the_bad_ambiguity():
    rng = np.random.default_rng(11)
    Q, truth, a = _case_with_one_bad(rng)
    full = lambda_ils(a, Q)
    assert not ratio_test(full.sqnorm).passed and success_rate_bootstrap(full.D) < 0.999
    res = partial_fix(a, Q)  # default order: largest variance first
    assert res.passed
    assert res.index.tolist() == [0, 1, 2, 3, 4, 6, 7]
    assert res.fixed.tolist() == truth[res.index].tolist()
    assert res.ratio >= 3.0 and res.success_rate >= 0.999
    # the same with an explicit order naming it first
    res2 = partial_fix(a, Q, order=[5, 0, 1, 2, 3, 4, 6, 7])
    assert res2.index.tolist() == res.index.tolist()
    # naming it last: the good ones go first, every subset still holds the bad one, nothing passes
    res3 = partial_fix(a, Q, order=[0, 1, 2, 3, 4, 6, 7, 5], min_fixed=4)
    assert not res3.passed and res3.index.size == 0 and res3.fixed.size == 0
    assert res3.ratio < 3.0


def test_partial_fix_takes_the_full_set_when_it_passes():
    rng = np.random.default_rng(12)
    Q = gnss_like(rng, 10, sigma_geom2=0.2, sigma_phase2=1e-4)
    truth = rng.integers(-30, 30, 10)
    res = partial_fix(truth + np.linalg.cholesky(Q) @ rng.normal(size=10), Q)
    assert res.passed and res.index.tolist() == list(range(10)) and res.fixed.tolist() == truth.tolist()
    with pytest.raises(EstimatorError, match="permutation"):
        partial_fix(np.zeros(10), Q, order=[0, 1, 2])
    with pytest.raises(EstimatorError, match="permutation"):  # the right size, an index twice
        partial_fix(np.zeros(10), Q, order=[0, 1, 2, 3, 4, 5, 6, 7, 8, 8])
    too_few = partial_fix(np.zeros(3), Q[:3, :3], min_fixed=4)
    assert not too_few.passed and math.isnan(too_few.ratio)


# -- fixed solution -------------------------------------------------------------------------------------


def test_fixed_solution_by_hand():
    # x = (b, a) = (1.0, 2.3), P = [[4, 1], [1, 1]], a fixed to 2:
    # b = 1 - 1 * 1^-1 * (2.3 - 2) = 0.7, var(b|a) = 4 - 1 * 1 = 3
    sol = fixed_solution([1.0, 2.3], [[4.0, 1.0], [1.0, 1.0]], [1], [2])
    assert sol.x == pytest.approx([0.7, 2.0])
    assert sol.P == pytest.approx(np.array([[3.0, 0.0], [0.0, 0.0]]))


def test_lambda_refuses_a_covariance_that_is_not_one_and_names_it():
    with pytest.raises(EstimatorError, match=r"^Q_a must be a non-empty square matrix, got shape \(2, 3\)$"):
        lambda_ils([0.1, 0.2], np.ones((2, 3)))
    with pytest.raises(EstimatorError, match=r"^Q_a is not symmetric$"):
        lambda_ils([0.1, 0.2], [[1.0, 0.5], [0.2, 1.0]])


def test_fixed_solution_refuses_inconsistent_arguments():
    what = r"^fixed_solution: x \(n,\), P \(n, n\), amb_idx \(k,\) ints and a_fixed \(k,\) needed$"
    for args in (([1.0, 2.0], np.eye(3), [1], [2]), ([1.0, 2.0], np.eye(2), [1], [2, 3]),
                 ([1.0, 2.0], np.eye(2), [1.0], [2])):  # fmt: skip
        with pytest.raises(EstimatorError, match=what):
            fixed_solution(*args)
    with pytest.raises(EstimatorError, match=r"^amb_idx must be distinct indices in 0..1$"):
        fixed_solution([1.0, 2.0], np.eye(2), [1, 1], [2, 2])
    with pytest.raises(EstimatorError, match=r"^P is not symmetric$"):  # the argument named as given
        fixed_solution([1.0, 2.0], [[1.0, 0.5], [0.0, 1.0]], [1], [2])


def test_fixed_solution_matches_the_information_form():
    # conditioning on x_a = a_fix is the constrained minimum of (x - x0)^T P^-1 (x - x0):
    # x_b = x0_b - W_bb^-1 W_ba (a_fix - x0_a), Q_b|a = W_bb^-1 with W = P^-1
    rng = np.random.default_rng(13)
    n, amb = 11, np.array([3, 4, 6, 7, 8, 10])  # 3 position states, some ambiguities left float
    A = rng.normal(size=(2 * n, n))
    P = np.linalg.inv(A.T @ A)
    x0 = rng.normal(size=n) * 5
    a_fix = np.round(x0[amb]) + np.array([0, 1, 0, -1, 0, 0])
    sol = fixed_solution(x0, P, amb, a_fix)
    free = np.setdiff1d(np.arange(n), amb)
    W = np.linalg.inv(P)
    wbb = W[np.ix_(free, free)]
    xb = x0[free] - np.linalg.solve(wbb, W[np.ix_(free, amb)] @ (a_fix - x0[amb]))
    assert np.allclose(sol.x[free], xb, rtol=1e-9, atol=1e-9)
    assert np.array_equal(sol.x[amb], a_fix)
    assert np.allclose(sol.P[np.ix_(free, free)], np.linalg.inv(wbb), rtol=1e-8, atol=1e-12)
    assert np.all(sol.P[amb] == 0) and np.all(sol.P[:, amb] == 0)
    with pytest.raises(EstimatorError):
        fixed_solution(x0, P, [3, 3], [1, 1])
    with pytest.raises(EstimatorError):
        fixed_solution(x0, P, [11], [1])


def test_the_search_gives_up_after_its_node_limit():
    """A float solution too weak for any fix could keep the search running for minutes (75 ambiguities at
    the North Pole: 82 s); it stops after max_nodes with a SearchLimitError, which RTK treats as a search
    that did not pass."""
    from kompas.estimators.ambiguity import MAX_SEARCH_NODES, SearchLimitError, decorrelate, search

    rng = np.random.default_rng(3)
    n = 24
    A = rng.normal(size=(n, n))
    Q = A @ A.T * 4.0 + np.eye(n)  # sigmas of several cycles: a wide search
    a = rng.normal(scale=3.0, size=n)
    r = decorrelate(Q)
    zhat = r.Z.T @ a
    with pytest.raises(SearchLimitError, match=f"integer search of {n} ambiguities stopped after 50 nodes"):
        search(r.L, r.D, zhat, m=2, max_nodes=50)
    assert issubclass(SearchLimitError, EstimatorError) and MAX_SEARCH_NODES == 1_000_000
    found = search(r.L, r.D, zhat, m=2)  # the default limit leaves an ordinary search alone
    assert found.sqnorm[0] <= found.sqnorm[1]
    # one ambiguity at 0.2 cycles: candidates 0 and 1, then the next integer ends it: three nodes exactly
    assert search(np.eye(1), np.array([1.0]), np.array([0.2]), m=2, max_nodes=3).z.tolist() == [[0], [1]]
    with pytest.raises(SearchLimitError, match="after 2 nodes"):
        search(np.eye(1), np.array([1.0]), np.array([0.2]), m=2, max_nodes=2)


@pytest.mark.parametrize("k, taken", [(300, True), (700, False)])
def test_the_rounding_guard_of_a_start_is_eps_n_max_z_squared_max_q(k, taken):
    """Q = diag(1, 1e-4) started from Z0 = [[1, 0], [k, 1]]: the smallest transformed variance is 1e-4,
    so the start is taken while eps * 2 * k^2 * 1 <= 1e-6 * 1e-4, i.e. up to k = 474 (k = 300: 4.0e-11,
    k = 700: 2.2e-10); eps / n or a missing factor k would take k = 700 too."""
    import kompas.estimators.lambda_reduction as amb

    Q = np.diag([1.0, 1e-4])
    z0 = np.array([[1, 0], [k, 1]], dtype=np.int64)
    z0i = np.array([[1, 0], [-k, 1]], dtype=np.int64)
    assert np.array_equal(z0 @ z0i, np.eye(2, dtype=np.int64))
    warm = amb._warm(Q, amb.ReductionResult(z0, z0i, np.eye(2), np.ones(2)))
    assert (warm is not None) is taken
    if taken:  # a valid decorrelation of Q all the same
        np.testing.assert_allclose(warm.Z.T @ Q @ warm.Z, warm.L.T @ np.diag(warm.D) @ warm.L, atol=1e-12)


def test_integers_beyond_int64_are_an_error_not_a_wrap():
    import kompas.estimators.lambda_reduction as amb

    assert amb._int64([[1, -(2**63)], [2**63 - 1, 0]]).dtype == np.int64
    with pytest.raises(EstimatorError, match="^the decorrelating transformation outgrew 64-bit integers$"):
        amb._int64([[1, 2**63]])


def test_a_wrong_shaped_factor_is_refused():
    with pytest.raises(EstimatorError, match=r"^L must be \(n, n\) with n = len\(D\) = 2, got \(3, 3\)$"):
        reduction(np.eye(3), np.ones(2))
    for L, D in ((np.eye(2), [1.0, 0.0]), (np.array([[1.0, 0.0], [np.nan, 1.0]]), [1.0, 1.0])):
        with pytest.raises(EstimatorError, match="^D must be positive and L finite$"):
            reduction(L, D)


def test_the_exact_inverse_is_given_up_where_its_check_could_wrap():
    """``max|Z| max|Zinv| n`` at 2^62 or beyond: no inverse proved (the caller then carries it exactly)."""
    import kompas.estimators.lambda_reduction as amb

    k = 2**31 - 1  # (2^31 - 1)^2 * 2 is just below 2^63, above 2^62
    z = np.array([[1, k], [0, 1]], dtype=np.int64)
    assert amb._exact_inverse(z) is None
    z[0, 1] = 2**30  # 2^61: proved
    assert amb._exact_inverse(z).tolist() == [[1, -(2**30)], [0, 1]]


def test_a_nearly_singular_covariance_is_refused_without_pivoting_too():
    """Cholesky succeeds on diag(1, 1e-20), but the pivot is below n eps max(diag): not positive definite;
    an indefinite matrix fails in Cholesky itself, with the same message."""
    # the floor scales with the largest variance (1e6 * diag(1, 1e-20)); the last: Cholesky fails
    for Q in (np.diag([1.0, 1e-20]), np.diag([1e6, 1e-14]), np.array([[1.0, 2.0], [2.0, 1.0]])):
        for pivot in (False, True):
            with pytest.raises(EstimatorError, match="^Q is not positive definite$"):
                ltdl(Q, pivot=pivot)


def test_covariance_checks_name_the_problem_and_scale_the_symmetry_tolerance():
    with pytest.raises(EstimatorError, match="^Q has non-finite entries$"):
        decorrelate(np.array([[1.0, np.nan], [np.nan, 1.0]]))
    with pytest.raises(EstimatorError, match=r"^Q must be a non-empty square matrix, got shape \(2, 3\)$"):
        decorrelate(np.ones((2, 3)))
    # symmetric to 1e-10 of its largest entry (1e6): accepted; to 1e-8: refused
    big = 1e6 * np.array([[2.0, 0.5], [0.5, 1.0]])
    near = big + np.array([[0.0, 1e-4], [0.0, 0.0]])
    assert decorrelate(near).Z.shape == (2, 2)
    with pytest.raises(EstimatorError, match="^Q is not symmetric$"):
        decorrelate(big + np.array([[0.0, 1e-2], [0.0, 0.0]]))
    # an all-zero matrix is symmetric, and not positive definite
    with pytest.raises(EstimatorError, match="^Q is not positive definite$"):
        decorrelate(np.zeros((2, 2)))
