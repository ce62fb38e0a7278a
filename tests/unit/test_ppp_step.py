"""One PPP filter step on noise-free observations built by hand: the states recover the simulated truth."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kompas.estimators.ppp import EpochObs, PppFilter, PppFilterOptions
from kompas.satsys import sat_index

OMEGA_GPS = 7.2921151467e-5  # IS-GPS-200 table 30-II, rad/s
C_LIGHT = 299792458.0
TRUTH = np.array([-2148744.0, 4426641.0, 4044655.0])
GPS = ["G05", "G07", "G09", "G12", "G15", "G18", "G21", "G24"]
AMB_M = np.array([3.1, -2.2, 0.7, 5.5, -1.9, 2.4, 0.3, -4.4])  # ionosphere-free ambiguities, m
CLOCK_M = 123.4


def _sky(n):
    """Satellites 22 000 km from TRUTH at elevations 85..20 degrees, and their elevations."""
    up = TRUTH / np.linalg.norm(TRUTH)
    east = np.cross([0.0, 0.0, 1.0], up)
    east /= np.linalg.norm(east)
    north = np.cross(up, east)
    el = np.radians([85, 60, 50, 40, 35, 30, 25, 20][:n])
    az = np.radians([0, 45, 100, 160, 210, 260, 300, 340][:n])
    d = np.sin(el)[:, None] * up + (np.cos(el) * np.sin(az))[:, None] * east
    d += (np.cos(el) * np.cos(az))[:, None] * north
    return TRUTH + 2.2e7 * d, el


def _obs(ids, code_bias=0.0, ifb_key=None, mu=None, k=1, var_code=0.09, rcv=TRUTH):
    """Code = range (Sagnac included) + receiver clock (+ code bias); phase = range + clock + ambiguity,
    for a receiver at ``rcv`` (default TRUTH; the satellites stay where they are for TRUTH)."""
    n = len(ids)
    sp, el = _sky(n)
    rho = np.linalg.norm(sp - rcv, axis=1) + OMEGA_GPS * (sp[:, 0] * rcv[1] - sp[:, 1] * rcv[0]) / C_LIGHT
    code = np.repeat((rho + CLOCK_M + code_bias)[:, None], k, 1)
    phase = np.repeat((rho + CLOCK_M + AMB_M[:n])[:, None], k, 1)
    return EpochObs(
        sat=sat_index(ids).astype(np.int64),
        group=np.zeros(n, np.int64),
        omega=np.full(n, OMEGA_GPS),
        sat_pos=sp,
        code_m=code,
        phase_m=phase,
        var_code_m2=np.full((n, k), var_code),
        var_phase_m2=np.full((n, k), 1e-6),
        arc=np.arange(n * k).reshape(n, k),
        mu=np.full((n, k), np.nan) if mu is None else mu,
        range_corr_m=np.zeros(n),
        wet_map=1.0 / np.sin(el),
        grad_n=np.zeros(n),
        grad_e=np.zeros(n),
        ifb_key=np.full(n, -1) if ifb_key is None else np.asarray(ifb_key),
        displacement=np.zeros(3),
        el=el,
    )


def test_first_epoch_recovers_position_clock_and_named_ambiguities():
    f = PppFilter(["G"], TRUTH + 5.0, PppFilterOptions(gradients=False))
    out = f.step(0, _obs(GPS))
    assert out.ok and out.n_rejected == 0
    assert np.linalg.norm(out.pos - TRUTH) < 0.005
    assert out.clocks["G"] == pytest.approx(CLOCK_M, abs=0.005)
    st = f.state
    assert st.col("ztd") == 3 and out.ztd_corr_m == st.x[st.col("ztd")]
    # each ambiguity is its own named block, amb:<satellite>:<observation column>
    got = [st.x[st.col(f"amb:{s}:0")] for s in GPS]
    np.testing.assert_allclose(got, AMB_M, atol=0.005)


def test_a_rejected_code_keeps_its_residual_flagged_unused():
    # 40 m on one code: the w-test rejects it; its post-fit residual (about the 40 m) stays in the
    # output, flagged, while every phase and the other codes are used and fit
    bias = np.where(np.arange(len(GPS)) == 2, 40.0, 0.0)
    f = PppFilter(["G"], TRUTH + 5.0, PppFilterOptions(gradients=False))
    out = f.step(0, _obs(GPS, code_bias=bias))
    assert out.ok and out.n_rejected == 1
    r = out.residuals
    assert r["code_used"][:, 0].tolist() == [i != 2 for i in range(len(GPS))]
    assert r["phase_used"][:, 0].all()
    assert r["code"][2, 0] == pytest.approx(40.0, abs=0.5)
    assert np.abs(np.delete(r["code"][:, 0], 2)).max() < 0.01 and np.abs(r["phase"]).max() < 0.01


def test_glonass_code_inter_frequency_bias_per_channel():
    # two GLONASS satellites (channels +1 and -2) in the GPS clock group with 0.8 and -0.5 m of code bias:
    # each is taken up by its channel's bias state (prior 5 m against 0.3 m of code noise)
    ids = [*GPS[:6], "R01", "R02"]
    bias = np.r_[np.zeros(6), 0.8, -0.5]
    f = PppFilter(["G"], TRUTH + 5.0, PppFilterOptions(gradients=False))
    out = f.step(0, _obs(ids, code_bias=bias, ifb_key=[-1] * 6 + [101, 98]))
    assert out.ok and np.linalg.norm(out.pos - TRUTH) < 0.005
    assert out.clocks["G"] == pytest.approx(CLOCK_M, abs=0.005)
    assert f.state.x[f.state.col("ifb:R+1")] == pytest.approx(0.8, abs=0.01)
    assert f.state.x[f.state.col("ifb:R-2")] == pytest.approx(-0.5, abs=0.01)


def test_first_update_relinearises_far_from_the_prior():
    # a prior 2 km off (beyond its 12 m sigma; the sum of the position variances, 432 m^2, asks for
    # iterations): the update is relinearised until it settles on the truth
    f = PppFilter(["G"], TRUTH + np.array([1500.0, -1200.0, 900.0]), PppFilterOptions(gradients=False,
                  sigma_pos0_m=12.0))  # fmt: skip
    out = f.step(0, _obs(GPS, var_code=1e-6))
    assert out.ok and out.n_rejected == 0
    assert np.linalg.norm(out.pos - TRUTH) < 0.005


def test_ambiguity_of_a_column_without_ionospheric_state_starts_at_phase_minus_code():
    # uncombined L1/L2; satellite G12 has no carrier in its first column (mu NaN there), hence no slant
    # ionosphere state: its L2 ambiguity starts at phase minus code and the phase fits (no ionosphere here)
    mu = np.tile([1.0, (1575.42 / 1227.60) ** 2], (8, 1))
    mu[3, 0] = np.nan
    f = PppFilter(["G"], TRUTH + 5.0, PppFilterOptions(gradients=False))
    out = f.step(0, _obs(GPS, mu=mu, k=2))
    assert out.ok and out.n_rejected == 0
    assert np.all(np.abs(out.residuals["phase"]) < 1e-3)


def test_uncombined_ambiguities_start_at_phase_minus_code_plus_twice_the_ionosphere():
    # slant ionosphere of 2-9 m on L1 (code delayed, phase advanced): a new ambiguity starts at
    # phase - code + 2 mu I (I from the ionosphere state's start), i.e. at its true value here, so even a
    # 5 cm initial ambiguity sigma gives a first epoch without rejections on the truth
    mu = np.tile([1.0, (1575.42 / 1227.60) ** 2], (8, 1))
    iono = np.linspace(2.0, 9.0, 8)
    eo = _obs(GPS, mu=mu, k=2)
    eo = dataclasses.replace(
        eo, code_m=eo.code_m + mu * iono[:, None], phase_m=eo.phase_m - mu * iono[:, None]
    )
    f = PppFilter(["G"], TRUTH + 5.0, PppFilterOptions(gradients=False, sigma_amb0_m=0.05))
    out = f.step(0, eo, iono_x0=iono)
    assert out.ok and out.n_rejected == 0
    assert np.all(np.abs(out.residuals["phase"]) < 1e-3) and np.linalg.norm(out.pos - TRUTH) < 0.005


@pytest.mark.parametrize("direction", [1, -1])
def test_process_noise_grows_with_time_either_way(direction):
    # the backward pass steps back in time: the random walks (zenith delay, slant ionosphere) must still add
    # q |dt|, and states unseen for longer than max_outage_s must still be dropped. With a signed dt the
    # backward pass subtracted variance, and uncombined smoothing ended in a non-positive-definite matrix
    opt = PppFilterOptions(gradients=False, q_ztd_m2_s=1e-4, q_ion_m2_s=1e-3, max_outage_s=100.0)
    f = PppFilter(["G"], TRUTH + 5.0, opt)
    f._time_update(0)  # the first epoch adds no noise
    assert f.state.P[3, 3] == opt.sigma_ztd0_m**2
    mu = np.full((len(GPS), 1), 1.0)
    f.step(0, _obs(GPS, mu=mu))
    st = f.state
    ztd0, ion0 = st.P[3, 3], st.P[st.col("ion:G05"), st.col("ion:G05")]
    f._time_update(direction * 30_000_000_000)
    assert f.state.P[3, 3] == pytest.approx(ztd0 + 30 * 1e-4, rel=1e-12)
    c = f.state.col("ion:G05")
    assert f.state.P[c, c] == pytest.approx(ion0 + 30 * 1e-3, rel=1e-12)
    # G24 unseen at 30 s: kept (30 s < max_outage_s), and at 100 s (exactly max_outage_s: still kept)
    f.step(direction * 30_000_000_000, _obs(GPS[:7], mu=mu[:7]))
    assert "amb:G24:0" in f.state
    f.step(direction * 100_000_000_000, _obs(GPS[:5], mu=mu[:5]))
    assert "amb:G24:0" in f.state and "amb:G18:0" in f.state
    # 200 s: G24 unseen for 200 s, G18 and G21 for 170 s -- stale; the five seen stay
    f.step(direction * 200_000_000_000, _obs(GPS[:5], mu=mu[:5]))
    assert "amb:G05:0" in f.state and "amb:G18:0" not in f.state and "ion:G24" not in f.state


def test_kinematic_position_restarts_every_epoch():
    # kinematic without a position random walk: each epoch after the first resets the position to the last
    # estimate with kinematic_sigma_m (RTKLIB's kinematic PPP), so a receiver 5 m away is followed at once
    opt = PppFilterOptions(gradients=False, kinematic=True, kinematic_sigma_m=30.0)
    f = PppFilter(["G"], TRUTH + 5.0, opt)
    f.step(0, _obs(GPS))
    f._time_update(30_000_000_000)
    np.testing.assert_allclose(np.diag(f.state.P)[:3], 900.0)
    moved = TRUTH + np.array([5.0, -3.0, 2.0])
    out = f.step(30_000_000_000, _obs(GPS, rcv=moved))
    assert np.linalg.norm(out.pos - moved) < 0.01


def test_position_and_gradient_random_walks():
    # kinematic with a position random walk (q_pos_m2_s) instead of a restart, and the gradient random walk:
    # each adds q |dt| to its own diagonal and nothing elsewhere
    opt = PppFilterOptions(gradients=True, kinematic=True, q_pos_m2_s=1e-2, q_grad_m2_s=1e-6, q_ztd_m2_s=1e-4)
    f = PppFilter(["G"], TRUTH + 5.0, opt)
    f.step(0, _obs(GPS))
    st = f.state
    assert st.col("grad") == 4
    before = np.diag(st.P).copy()
    f._time_update(-30_000_000_000)
    added = np.diag(f.state.P) - before
    np.testing.assert_allclose(added[:6], [0.3, 0.3, 0.3, 30e-4, 30e-6, 30e-6], rtol=1e-9)
    assert np.all(added[6:] == 0.0)


def test_a_third_code_takes_its_bias_into_its_own_state():
    # three frequencies, no ionosphere: the third column's codes carry 0.4-1.1 m of bias, each taken up
    # by the code-bias state of its cell, cb:<satellite>:2, while the first two codes define the clock
    mu = np.tile([1.0, (1575.42 / 1227.60) ** 2, (1575.42 / 1176.45) ** 2], (8, 1))
    eo = _obs(GPS, mu=mu, k=3, var_code=1e-4)
    bias = np.linspace(0.4, 1.1, 8)
    eo = dataclasses.replace(eo, code_m=eo.code_m + np.c_[np.zeros((8, 2)), bias])
    f = PppFilter(["G"], TRUTH + 5.0, PppFilterOptions(gradients=False))
    out = f.step(0, eo)
    assert out.ok and out.n_rejected == 0 and np.linalg.norm(out.pos - TRUTH) < 0.005
    st = f.state
    assert not any(name.startswith("cb:") and not name.endswith(":2") for name in st.layout.names)
    np.testing.assert_allclose([st.x[st.col(f"cb:{s}:2")] for s in GPS], bias, atol=0.01)
    assert np.all(np.abs(out.residuals["code"]) < 0.01)


def test_without_glonass_biases_and_with_a_missing_phase():
    # glonass_ifb off (a GPS-only run): no bias states; a satellite without phase has code only, and its
    # phase residual is NaN in a float table, not used
    eo = _obs(GPS)
    eo = dataclasses.replace(eo, phase_m=np.where(np.arange(8)[:, None] == 4, np.nan, eo.phase_m))
    f = PppFilter(["G"], TRUTH + 5.0, PppFilterOptions(gradients=False, glonass_ifb=False))
    out = f.step(0, eo)
    assert out.ok and out.n_rejected == 0 and np.linalg.norm(out.pos - TRUTH) < 0.005
    assert not any(name.startswith("ifb:") for name in f.state.layout.names)
    r = out.residuals
    assert r["phase"].dtype == r["code"].dtype == np.float64
    assert np.isnan(r["phase"][4, 0]) and not r["phase_used"][4, 0] and r["code_used"][4, 0]
    assert np.abs(np.delete(r["phase"][:, 0], 4)).max() < 1e-3
