"""RTK single-difference model: noise per cell (RTKLIB varerr) and the design matrix of the states."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from kompas.estimators.rtk_model import EpochInput, cell_variances, linearise, sd_variances
from kompas.estimators.rtk_options import RtkNoise
from kompas.satsys import system_code


def _epoch(sys_letters, el, cs, geo=None, satpos=None):
    m, n = len(sys_letters), len(cs)
    z = np.zeros(n)
    return EpochInput(
        t_ns=0,
        sat=np.arange(m),
        sys=np.asarray(system_code(list(sys_letters)), np.int64),
        satpos=np.zeros((m, 3)) if satpos is None else satpos,
        range_b=np.zeros(m),
        trop_b=np.zeros(m),
        el=np.asarray(el, float),
        iono0=np.zeros(m),
        geo=np.zeros(m, bool) if geo is None else np.asarray(geo, bool),
        cs=np.asarray(cs, np.int64),
        key=np.arange(n),
        group=np.zeros(n, np.int64),
        band=np.zeros(n, np.int64),
        code=z,
        phase=z,
        lam=np.full(n, 0.19),
        mu=np.ones(n),
        k=z,
        fdma=np.zeros(n, bool),
        slip=np.zeros(n, bool),
        ant=z,
        prior_pos=np.full(3, np.nan),
    )


def test_cell_variances_by_hand():
    # sigma^2 = f_sys^2 (a^2 + b^2 / sin^2 el) per receiver, twice that for a single difference, code times
    # the code/phase ratio squared (RTKLIB 2.4.3 varerr); a system without a factor has 1, sin el >= 0.05
    noise = RtkNoise(
        phase_m=0.003, phase_el_m=0.004, code_ratio=100.0, system_factor={"R": 1.5}, geo_factor=2.0
    )
    e = _epoch("GRCS", [math.pi / 6, math.pi / 2, math.pi / 6, 0.01], [0, 1, 1, 2, 3], geo=[0, 0, 1, 0])
    var_c, var_p = cell_variances(e, noise)
    a2, b2 = 0.003**2, 0.004**2
    per_sat = np.array([a2 + b2 / 0.25, 1.5**2 * (a2 + b2), 2.0**2 * (a2 + b2 / 0.25), a2 + b2 / 0.05**2])
    np.testing.assert_allclose(var_p, 2.0 * per_sat[[0, 1, 1, 2, 3]], rtol=1e-12)
    np.testing.assert_allclose(var_c, 1e4 * var_p, rtol=1e-12)
    # base data 20 s old: (c s_clk age)^2 added to code and phase alike (RTKLIB varerr's clock term,
    # stats-clkstab 5e-12): (0.299792458 * 0.1)^2 = 8.988e-4 m^2
    aged = cell_variances(dataclasses.replace(e, age_s=20.0), RtkNoise(
        phase_m=0.003, phase_el_m=0.004, code_ratio=100.0, system_factor={"R": 1.5}, geo_factor=2.0,
        sat_clock_stab=5e-12,
    ))  # fmt: skip
    d2 = (299792458.0 * 5e-12 * 20.0) ** 2
    np.testing.assert_allclose(aged[0], var_c + d2, rtol=1e-12)
    np.testing.assert_allclose(aged[1], var_p + d2, rtol=1e-12)


def test_orbit_error_grows_with_the_baseline():
    # (s_orb B / rho)^2 per satellite on code and phase alike: 2 m of orbit error, 500 km baseline,
    # satellites 20 000 and 25 000 km away -> 5.0 and 4.0 cm; nothing on a zero baseline
    noise = RtkNoise(phase_m=0.003, phase_el_m=0.0, code_ratio=100.0, orbit_m=2.0)
    e = dataclasses.replace(
        _epoch("GE", [math.pi / 2, math.pi / 2], [0, 0, 1]), range_b=np.array([2.0e7, 2.5e7])
    )
    var_c0, var_p0 = cell_variances(e, noise)
    var_c, var_p = cell_variances(e, noise, baseline_m=5.0e5)
    extra = np.array([0.05**2, 0.05**2, 0.04**2])
    np.testing.assert_allclose(var_p - var_p0, extra, rtol=1e-12)
    np.testing.assert_allclose(var_c - var_c0, extra, rtol=1e-9)
    assert np.allclose(var_p0, 2 * 0.003**2)
    # a record used far from its reference epoch: its own orbit error (here 10 m on the Galileo satellite,
    # 0.5 m -- below orbit_m -- on the GPS one, NaN treated as unknown) replaces orbit_m where larger
    for sigma, want in (([0.5, 10.0], [0.05, 0.05, 0.2]), ([np.nan, 10.0], [0.05, 0.05, 0.2])):
        aged = cell_variances(dataclasses.replace(e, orbit_sigma=np.array(sigma)), noise, baseline_m=5.0e5)
        np.testing.assert_allclose(aged[1] - var_p0, np.square(want), rtol=1e-12)
    # the change of that error over the age of base data used as they are enters in full: 3 cm on Galileo
    drift = cell_variances(dataclasses.replace(e, orbit_drift=np.array([0.0, 0.03])), noise)
    np.testing.assert_allclose(drift[1] - var_p0, [0.0, 0.0, 0.03**2], rtol=1e-12)
    np.testing.assert_allclose(drift[0] - var_c0, [0.0, 0.0, 0.03**2], rtol=1e-9)


def _sky(rcv):
    """Four satellites 20 000 km from a receiver, in distinct directions above it."""
    up = rcv / np.linalg.norm(rcv)
    east = np.cross([0.0, 0.0, 1.0], up)
    east /= np.linalg.norm(east)
    north = np.cross(up, east)
    dirs = [up, 0.6 * up + 0.8 * east, 0.5 * up - 0.866 * north, 0.3 * up + 0.954 * north]
    return np.array([rcv + 2.0e7 * d / np.linalg.norm(d) for d in dirs])


def test_linearise_maps_the_zenith_delay_and_applies_it_to_code_and_phase():
    rcv = np.array([-2148744.0, 4426641.0, 4044655.0])
    e = _epoch("GGCC", np.zeros(4), [0, 1, 2, 3, 3], satpos=_sky(rcv))
    none = np.full(5, -1)
    cols = {"ztd": 3, "ion": none, "amb": none, "ifb": none, "cifb": none}
    x = np.r_[rcv, 0.1]
    lin = linearise(e, x, cols, tropo=False, mapping=lambda llh, el: 1.0 / np.sin(el))
    m = 1.0 / np.sin(lin.el_r)[e.cs]
    assert np.all(lin.el_r > 0.2)
    np.testing.assert_allclose(lin.Hc[:, 3], m, rtol=1e-12)
    np.testing.assert_allclose(lin.Hp[:, 3], m, rtol=1e-12)
    # no other state: both models are the range difference plus the mapped zenith delay
    rng = np.linalg.norm(e.satpos - rcv, axis=1)[e.cs]
    np.testing.assert_allclose(lin.hc, lin.hp, rtol=0, atol=0)
    np.testing.assert_allclose(lin.hc - 0.1 * m, rng, rtol=0, atol=40.0)  # Sagnac is < 40 m
    lin0 = linearise(e, np.r_[rcv, 0.0], cols, tropo=False, mapping=lambda llh, el: 1.0 / np.sin(el))
    np.testing.assert_allclose(lin.hc - lin0.hc, 0.1 * m, rtol=1e-6)


def test_variances_of_many_epochs_at_once_are_those_of_each_epoch_bit_for_bit():
    # the recipe computes every epoch's variances in one call (kompas.rtk_run._every_epoch); the filter's
    # results must not change by a bit
    rng = np.random.default_rng(5)
    noise = RtkNoise(phase_m=0.003, phase_el_m=0.004, code_ratio=100.0, system_factor={"R": 1.5},
                     geo_factor=2.0, sat_clock_stab=5e-12, orbit_m=2.0)  # fmt: skip
    epochs, cells, ages = [], [], []
    for _ in range(30):
        m = int(rng.integers(2, 12))
        cs = np.sort(rng.integers(0, m, size=int(rng.integers(1, 2 * m))))
        age = float(rng.choice([0.0, rng.uniform(0, 30)]))
        e = dataclasses.replace(
            _epoch(rng.choice(list("GRCE"), size=m), rng.uniform(-0.1, 1.6, size=m), cs,
                   geo=rng.random(m) < 0.2),
            range_b=rng.uniform(2e7, 4e7, size=m), orbit_sigma=rng.choice([np.nan, 0.5, 9.0], size=m),
            orbit_drift=rng.uniform(0, 0.05, size=m), age_s=age,
        )  # fmt: skip
        cells.append(cs + sum(r.sys.size for r in epochs))
        epochs.append(e)
        ages.append(np.full(cs.size, (299792458.0 * noise.sat_clock_stab * age) ** 2))
    sat = tuple(np.concatenate([getattr(e, f) for e in epochs]) for f in
                ("sys", "geo", "el", "range_b", "orbit_sigma", "orbit_drift"))  # fmt: skip
    for baseline_m in (0.0, 3.0e5):
        var_c, var_p = sd_variances(sat, np.concatenate(cells), np.concatenate(ages), noise, baseline_m)
        each = [cell_variances(e, noise, baseline_m) for e in epochs]
        assert var_c.tobytes() == np.concatenate([c for c, _ in each]).tobytes()
        assert var_p.tobytes() == np.concatenate([p for _, p in each]).tobytes()
